"""Does the streaming index decide as ``scan`` does? The same documents through both, and the drops compared.

``scan`` runs with ``--keep first`` and no site boilerplate (a stream cannot learn it); the same documents then go
one by one through a :class:`dedup.index.stream.Deduplicator` on a new SQLite index, in two orders:

* **keep order**, the order in which a scan decides: the documents it keeps first, then the copies it removes,
  each part in input order but with a document that a neighbour covers without covering it (a story, next to the
  round-up that holds it) after the others, as :func:`dedup.cluster.star_clusters` visits them, and *strays*
  (members a scan attaches through another member, :func:`dedup.cluster.attach_strays`, with no verified pair
  with the kept copy) last. No kept document is a covered copy of another, so each is new to the stream; every
  removed copy should then be a duplicate of an indexed document (a stray: of the kept copy, found through a
  removed copy the index keeps for this).
* **input order**, as a crawler delivers them: the stream also lets through a story that arrived before the
  round-up holding it (scan keeps the round-up and drops the story), and keeps the first of copies where scan keeps
  a later one (``--keep first`` gives way to the coverage rule).

In both orders, ``decided_as_scan`` says whether the stream dropped what :func:`greedy_drops` predicts from the
scan's own verified pairs (every pair decided as the scan decided it), plus strays it attached as the scan does.

Example: ``python bench/same_decision.py /work/shared/data/saudinewsnet-dev/docs.jsonl.gz`` (or ``fixtures/``)
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from dedup.cluster import CONTAINED, DUPLICATE, containment_depths, covers, exact_groups
from dedup.document import Document
from dedup.index.stream import Deduplicator
from dedup.io import Reader
from dedup.pipeline import Pipeline, ScanResult
from dedup.settings import Settings

SETTINGS = Settings(keep="first", site_boilerplate=False)


def inside(result: ScanResult, coverage: float) -> set[int]:
    """Documents that a neighbour covers without being covered by them (a story next to its round-up)."""
    found = set()
    for link in result.links:
        if link.relation == DUPLICATE:
            a_covers_b, b_covers_a = link.b_in_a >= coverage, link.a_in_b >= coverage
            if b_covers_a and not a_covers_b:
                found.add(link.a)
            if a_covers_b and not b_covers_a:
                found.add(link.b)
    return found


def representatives(result: ScanResult) -> dict[int, int]:
    """Each document's exact-copy representative (the first of its copies): only representatives have links."""
    docs = result.documents
    rep = {i: i for i in range(len(docs))}
    for first, copies in exact_groups(docs, range(len(docs))).items():
        rep.update(dict.fromkeys(copies, first))
    return rep


def keep_order(result: ScanResult, coverage: float) -> list[int]:
    """The order in which a scan decides: the documents it keeps first, then those it removes, then strays
    (:func:`explained`), as :func:`dedup.cluster.attach_strays` takes them after the stars. Within the first two,
    documents contained in a neighbour they do not cover (and their exact copies) come after the others,
    outermost first, as :func:`dedup.cluster.star_clusters` visits centres
    (:func:`dedup.cluster.containment_depths`), then input order. No kept document is a covered copy of another,
    so a stream lets every kept document through and has each one indexed before its copies arrive."""
    rep = representatives(result)
    depth = containment_depths(result.links, coverage)
    strays, _ = explained(result, coverage)
    removed = scan_drops(result)
    n = len(result.documents)

    def by_depth(docs: Iterable[int]) -> list[int]:
        return sorted(docs, key=lambda d: (depth.get(rep[d], 0), d))

    kept = by_depth(d for d in range(n) if d not in removed)
    return kept + by_depth(d for d in removed if d not in strays) + sorted(strays)


def scan_drops(result: ScanResult) -> dict[int, tuple[int, str]]:
    """What the scan removes: member -> (kept copy, relation to it)."""
    return {m: (c.keep, c.relation(m)) for c in result.clusters for m, _ in c.members[1:]}


def explained(result: ScanResult, coverage: float) -> tuple[set[int], set[int]]:
    """Members a stream cannot drop from a verified pair with the kept copy: strays (no such pair, exact copies
    standing for their representative; caught through a removed copy) and nested containment (contained in a
    kept copy that is itself inside a larger document: in input order the story may come first)."""
    rep = representatives(result)
    linked = {(link.a, link.b) for link in result.links if link.relation == DUPLICATE}
    linked |= {(b, a) for a, b in linked}
    late = inside(result, coverage)
    strays, nested = set(), set()
    for m, (keep, relation) in scan_drops(result).items():
        if rep[m] != rep[keep] and (rep[m], rep[keep]) not in linked:
            strays.add(m)
        elif relation == CONTAINED and rep[keep] in late:
            nested.add(m)
    return strays, nested


def greedy_drops(result: ScanResult, order: Sequence[int], coverage: float) -> set[int]:
    """What a stream fed in ``order`` drops if it decides every pair as the scan did: a document is dropped when
    it is an exact copy of one let through before, or when the scan verified it with one let through before that
    covers it (:func:`dedup.cluster.covers`); else it is let through. Equal to :func:`stream_drops` when the index
    finds the scan's candidates and decides each pair as the scan did."""
    rep = representatives(result)
    near: dict[int, list[tuple[int, bool]]] = defaultdict(list)  # representative -> (neighbour, neighbour covers it)
    for link in result.links:
        if link.relation == DUPLICATE:
            near[link.a].append((link.b, covers(link, link.b, coverage)))
            near[link.b].append((link.a, covers(link, link.a, coverage)))
    through: set[int] = set()  # representatives of the documents let through
    dropped = set()
    for d in order:
        r = rep[d]
        if r in through or any(covered and other in through for other, covered in near[r]):
            dropped.add(d)
        else:
            through.add(r)
    return dropped


def stream_drops(docs: Sequence[Document], order: Sequence[int], settings: Settings) -> dict[int, str]:
    """What a stream drops, fed ``docs`` in ``order``: position -> the indexed id it matched."""
    with (
        tempfile.TemporaryDirectory(prefix="dedup-same-") as tmp,
        Deduplicator(os.path.join(tmp, "i.sqlite"), settings) as dedup,
    ):
        found = {}
        for k in order:
            match = dedup.seen(docs[k])
            if match is not None:
                found[k] = match.id
        return found


def read(inputs: list[str], limit: int | None) -> list[Document]:
    docs = []
    for doc in Reader().read(inputs):
        docs.append(doc)
        if limit is not None and len(docs) >= limit:
            break
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--limit", type=int, default=None, help="only the first N documents")
    args = parser.parse_args()
    docs = read(args.inputs, args.limit)
    start = time.perf_counter()
    result = Pipeline(SETTINGS, workers=1).scan_documents(docs)
    scan_seconds = time.perf_counter() - start
    ids = [d.id for d in result.documents]
    assert len(set(ids)) == len(ids), "ids must be unique: an id seen again is a new version in a stream"
    dropped = scan_drops(result)
    strays, nested = explained(result, SETTINGS.coverage)
    report: dict[str, object] = {
        "documents": len(docs),
        "scan_seconds": round(scan_seconds, 1),
        "scan_dropped": len(dropped),
        "strays": len(strays),
        "nested": len(nested),
    }
    for name, order in (("keep_order", keep_order(result, SETTINGS.coverage)), ("input_order", range(len(docs)))):
        start = time.perf_counter()
        stream = stream_drops(docs, list(order), SETTINGS)
        seconds = time.perf_counter() - start
        only_scan, only_stream = set(dropped) - set(stream), set(stream) - set(dropped)
        kinds = Counter(
            "stray" if m in strays
            else "nested" if m in nested
            else "contained, its kept copy later" if dropped[m][1] == CONTAINED and dropped[m][0] > m
            else "copy, scan keeps a later one" if dropped[m][0] > m
            else "other"
            for m in only_scan
        )  # fmt: skip
        greedy = greedy_drops(result, list(order), SETTINGS.coverage)
        # Clusters up to which copy is kept: how many members of each scan cluster the stream let through (1 is
        # the same cluster, whichever copy was kept), and documents in no cluster that the stream dropped.
        clustered = {m for c in result.clusters for m, _ in c.members}
        through = Counter(f"{sum(1 for m, _ in c.members if m not in stream)} let through" for c in result.clusters)
        stray_drops = sorted(m for m in stream if m not in clustered)
        report[name] = {
            "stream_seconds": round(seconds, 1),
            "docs_per_s": round(len(docs) / seconds),
            "stream_dropped": len(stream),
            "decided_as_scan": greedy <= set(stream) and set(stream) - greedy <= strays,
            "only_scan": len(only_scan),
            "only_scan_kinds": dict(kinds),
            "only_stream": len(only_stream),
            "scan_clusters": dict(sorted(through.items())),
            "dropped_in_no_scan_cluster": len(stray_drops),
            "only_stream_kept_by_scan_as_a_later_copy": sum(
                1 for m in only_stream if any(c.keep == m for c in result.clusters)
            ),
        }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
