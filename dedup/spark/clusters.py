"""Clusters inside one connected component of verified links, with the local engine's own functions.

Star clustering never looks past a document's links: the centres, the members they take, the strays attached and
the template siblings of a component depend only on the component (its documents, their links, their keep
priority relative to each other). So the clusters a local scan finds are the union of the clusters found in each
component apart, and the Spark engine runs :func:`dedup.cluster.keep_order`, :func:`~dedup.cluster.star_clusters`,
:func:`~dedup.cluster.attach_strays`, :func:`~dedup.cluster.expand_exact` and
:func:`~dedup.cluster.attach_siblings` once per component, in a Python worker (``applyInArrow``).

A component's documents are numbered ``0..k-1`` in input order (so ties in keep priority fall as they do
globally), with the exact copies of its documents among them; the clusters come back in global numbers.

>>> from dedup.cluster import Link
>>> nodes = [Node(4, 20), Node(9, 20, copies=(Node(12, 20),))]
>>> [(c.keep, c.members) for c in component_clusters(nodes, [Link(4, 9, 0.9, 0.9)], Settings(templates=False))]
[(4, [(4, 1.0), (9, 0.9), (12, 0.9)])]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa

from dedup.cluster import (
    CONTAINED,
    COPY,
    DUPLICATE,
    Cluster,
    Link,
    attach_siblings,
    attach_strays,
    expand_exact,
    keep_order,
    star_clusters,
)
from dedup.document import DocInfo
from dedup.fingerprint import coverage, jaccard_containment
from dedup.settings import Settings
from dedup.spark.stages import evidence_of
from dedup.templates import Analysed, relation

_EMPTY = np.empty(0, dtype=np.uint32)

COPY_TYPE = pa.struct([("idx", pa.int64()), ("words", pa.int64()), ("date", pa.string()), ("source", pa.string())])
CLUSTER_SCHEMA = pa.schema(
    [
        ("keep", pa.int64()),
        ("members", pa.list_(pa.struct([("m", pa.int64()), ("sim", pa.float64())]))),
        ("contained", pa.list_(pa.int64())),
        ("siblings", pa.list_(pa.struct([("a", pa.int64()), ("b", pa.int64()), ("sim", pa.float64())]))),
    ]
)


@dataclass(frozen=True)
class Node:
    """A document of a component: what keep priority reads, its sets and text, and its exact copies (in keep
    priority order, as :func:`dedup.cluster.exact_groups` lists them)."""

    idx: int
    words: int
    date: str | None = None
    source: str | None = None
    shingles: np.ndarray = field(default_factory=lambda: _EMPTY, repr=False)
    cwords: np.ndarray = field(default_factory=lambda: _EMPTY, repr=False)
    text: str = ""
    copies: tuple[Node, ...] = ()


def component_clusters(nodes: Sequence[Node], links: Sequence[Link], s: Settings) -> list[Cluster]:
    """The clusters of one component (global numbers), as :meth:`dedup.pipeline.Pipeline.scan` finds them."""
    everyone = sorted([*nodes, *(c for n in nodes for c in n.copies)], key=lambda n: n.idx)
    local = {n.idx: i for i, n in enumerate(everyone)}
    infos = [DocInfo("", "", n.source, n.date, "", None, None, n.words, "") for n in everyone]
    order = keep_order(infos, s.keep, s.prefer)
    rank = {d: r for r, d in enumerate(order)}
    # In keep order, as exact_groups makes them: expand_exact adds the copies of one cluster's members in this order.
    reps = sorted((local[n.idx] for n in nodes), key=rank.__getitem__)
    copies = {local[n.idx]: sorted((local[c.idx] for c in n.copies), key=rank.__getitem__) for n in nodes}
    groups = {r: copies[r] for r in reps}
    ours = sorted((replace(k, a=local[k.a], b=local[k.b]) for k in links), key=lambda k: (k.a, k.b))
    analysed: dict[int, Analysed] = {}

    def prepared(i: int) -> Analysed:
        if i not in analysed:
            analysed[i] = Analysed(everyone[i].text.split())
        return analysed[i]

    def similarity_to_kept(stray: int, kept: int) -> tuple[float, str | None]:
        # As the local engine's (dedup.pipeline.run.Pipeline._collect).
        if s.templates and relation(prepared(stray), prepared(kept)) != DUPLICATE:
            return 0.0, None
        a, b = everyone[stray], everyone[kept]
        if coverage(a.cwords, b.cwords) < s.coverage:
            return 0.0, None
        kind = COPY if coverage(b.cwords, a.cwords) >= s.coverage else CONTAINED
        return max(jaccard_containment(a.shingles, b.shingles)), kind

    stars = star_clusters(len(everyone), ours, order, s.coverage)
    attach_strays(stars, ours, similarity_to_kept, order, s.attach_strong, s.attach_floor)
    clusters = expand_exact(stars, groups, order)
    attach_siblings(clusters, ours)
    back = [n.idx for n in everyone]
    return [
        Cluster(
            keep=back[c.keep],
            members=[(back[m], sim) for m, sim in c.members],
            siblings=[(back[a], back[b], sim) for a, b, sim in c.siblings],
            contained={back[m] for m in c.contained},
        )
        for c in clusters
    ]


def clusters_table(clusters: Sequence[Cluster]) -> pa.Table:
    """Clusters as rows of :data:`CLUSTER_SCHEMA`."""
    return pa.Table.from_pylist(
        [
            {
                "keep": c.keep,
                "members": [{"m": m, "sim": sim} for m, sim in c.members],
                "contained": sorted(c.contained),
                "siblings": [{"a": a, "b": b, "sim": sim} for a, b, sim in c.siblings],
            }
            for c in clusters
        ],
        schema=CLUSTER_SCHEMA,
    )


def cluster_of(row: dict) -> Cluster:
    """The :class:`Cluster` a :data:`CLUSTER_SCHEMA` row holds."""
    return Cluster(
        keep=row["keep"],
        members=[(m["m"], m["sim"]) for m in row["members"]],
        siblings=[(x["a"], x["b"], x["sim"]) for x in row["siblings"]],
        contained=set(row["contained"]),
    )


def nodes_of(table: pa.Table) -> list[Node]:
    """Nodes from a component's rows (idx, words, date, source, shingles, cwords, text, copies)."""
    out = []
    for r in table.to_pylist():
        copies = tuple(Node(c["idx"], c["words"], c["date"], c["source"]) for c in r["copies"] or ())
        out.append(
            Node(
                r["idx"],
                r["words"],
                r["date"],
                r["source"],
                np.frombuffer(r["shingles"], np.uint32),
                np.frombuffer(r["cwords"], np.uint32),
                (r["text"] or b"").decode("utf-8"),
                copies,
            )
        )
    return out


def links_of(table: pa.Table) -> list[Link]:
    """Links from rows of :data:`dedup.spark.stages.LINK_SCHEMA` (extra columns ignored)."""
    names = ["a", "b", "jaccard", "containment", "relation", "a_in_b", "b_in_a"]
    evidence = "evidence" in table.column_names
    return [
        Link(*(r[name] for name in names), evidence=evidence_of(r["evidence"]) if evidence else None)
        for r in table.select(names + (["evidence"] if evidence else [])).to_pylist()
    ]


def cluster_component(nodes: pa.Table, links: pa.Table, s: Settings) -> pa.Table:
    """``cogroup(...).applyInArrow`` body: one component's node and link rows in, its clusters out."""
    if nodes.num_rows == 0:
        return clusters_table([])
    return clusters_table(component_clusters(nodes_of(nodes), links_of(links), s))
