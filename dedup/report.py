"""Reports of a scan: JSON (the stable machine format), CSV and a rich terminal table.

The JSON shape is fixed: ``{"documents": N, "clusters": [{"id": K, "keep": ID, "members": [{"id", "similarity",
"source", "title"}, ...]}, ...]}``: clusters of two or more members only, the kept member first, similarity
measured against the kept one. ``explain=True`` adds each cluster's template siblings (``"relation": "template"``)
and the site boilerplate learned.

>>> from dedup.document import DocInfo
>>> from dedup.pipeline import ScanResult
>>> from dedup.cluster import Cluster
>>> docs = [DocInfo("a", "T", "s1", None, "a", None, None, 10, "x"), DocInfo("b", "T", "s2", None, "b", None, None, 9, "y")]
>>> to_json(ScanResult(docs, [Cluster(0, [(0, 1.0), (1, 0.8)])], []))["clusters"][0]["members"][1]
{'id': 'b', 'similarity': 0.8, 'source': 's2', 'title': 'T'}
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from dedup.pipeline import ScanResult


def to_json(result: ScanResult, explain: bool = False) -> dict[str, Any]:
    docs = result.documents
    clusters = []
    for k, cluster in enumerate(result.clusters, start=1):
        entry: dict[str, Any] = {
            "id": k,
            "keep": docs[cluster.keep].id,
            "members": [
                {"id": docs[m].id, "similarity": round(sim, 4), "source": docs[m].source, "title": docs[m].title}
                for m, sim in cluster.members
            ],
        }
        if explain and cluster.siblings:
            entry["siblings"] = [
                {"a": docs[a].id, "b": docs[b].id, "similarity": round(sim, 4), "relation": "template"}
                for a, b, sim in cluster.siblings
            ]
        clusters.append(entry)
    out: dict[str, Any] = {"documents": len(docs), "clusters": clusters}
    if explain:
        out["templates"] = [
            {"a": docs[link.a].id, "b": docs[link.b].id, "similarity": round(link.similarity, 4),
             "jaccard": link.jaccard, "containment": link.containment, "relation": "template"}
            for link in result.template_links
        ]
        out["learned_boilerplate"] = [
            {"site": x.site, "line": x.line, "documents": x.documents} for x in result.learned
        ]
    return out


def render_json(result: ScanResult, explain: bool = False) -> str:
    return json.dumps(to_json(result, explain), ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = ["cluster", "keep", "id", "similarity", "source", "date", "title"]


def render_csv(result: ScanResult) -> str:
    """One row per cluster member (kept member included), for spreadsheets."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    docs = result.documents
    for k, cluster in enumerate(result.clusters, start=1):
        for m, sim in cluster.members:
            d = docs[m]
            writer.writerow([k, docs[cluster.keep].id, d.id, f"{sim:.4f}", d.source or "", d.date or "", d.title])
    return buf.getvalue()


def render_table(result: ScanResult, console: Console, explain: bool = False) -> None:
    """A table a person can read: one block per cluster, the kept copy marked."""
    docs = result.documents
    dropped = sum(len(c.members) - 1 for c in result.clusters)
    title = (f"{len(result.clusters)} clusters of near-duplicates in {len(docs)} documents "
             f"({dropped} redundant copies)")
    table = Table(title=title, show_lines=False, header_style="bold", expand=False)
    table.add_column("#", justify="right", no_wrap=True, min_width=2)
    table.add_column("", no_wrap=True, min_width=4)
    table.add_column("sim", justify="right", no_wrap=True, min_width=4)
    table.add_column("source", overflow="fold", max_width=20)
    table.add_column("id / title", overflow="fold")
    for k, cluster in enumerate(result.clusters, start=1):
        for pos, (m, sim) in enumerate(cluster.members):
            d = docs[m]
            table.add_row(
                str(k) if pos == 0 else "",
                Text("keep", style="green") if pos == 0 else Text("dup", style="yellow"),
                f"{sim:.2f}",
                d.source or "",
                Text.assemble((d.id, "bold"), "\n", (d.title, "dim")) if d.title else Text(d.id, style="bold"),
                end_section=pos == len(cluster.members) - 1,
            )
    console.print(table)
    if explain:
        templates = result.template_links
        if templates:
            t = Table(title=f"{len(templates)} template siblings (same formula, different facts; not merged)")
            for col in ("a", "b", "similarity"):
                t.add_column(col)
            for link in templates:
                t.add_row(docs[link.a].id, docs[link.b].id, f"{link.similarity:.2f}")
            console.print(t)
        if result.learned:
            t = Table(title="site boilerplate learned from the corpus")
            for col in ("site", "documents", "line"):
                t.add_column(col)
            for x in result.learned:
                t.add_row(x.site, str(x.documents), x.line)
            console.print(t)
