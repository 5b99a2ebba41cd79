"""Clusters that decide the template test only for the links they read.

The template test (:func:`dedup.templates.relation`) was a third of a scan's CPU, run on every verified link;
most links join two copies that are both removed in favour of a third, and no decision ever reads them. A scan
that does not report template siblings verifies pairs without the test (:data:`dedup.cluster.UNCHECKED`), then:

1. clusters with every undecided link taken as a duplicate, recording which links the decisions read
   (``reads`` of :func:`dedup.cluster.star_clusters` and :func:`~dedup.cluster.attach_strays`);
2. runs the test on the undecided links among them, and on the other undecided links of the documents whose
   link was found to be no duplicate (the next run would read them); if none of them is anything but a
   duplicate, those clusters are final, else back to 1 with the answers.

The clusters are the same as with every link tested: the last run read only decided links, so a run on the fully
decided links takes the same path (the links it did not read cannot change a decision it made). Links left
undecided stay :data:`~dedup.cluster.UNCHECKED` in the result: they are neither merged nor reported.

>>> from dedup.cluster import TEMPLATE, Link
>>> links = [Link(0, 1, 0.9, 0.9, UNCHECKED), Link(1, 2, 0.8, 0.8, UNCHECKED), Link(3, 4, 0.8, 0.8, UNCHECKED)]
>>> def cluster(view, reads):  # a clustering that reads the link 0-1 only
...     reads.add((0, 1))
...     return sorted(link.relation for link in view)
>>> def decide(pairs):  # 0-1 is a template sibling; 1-2, decided with it (its document 1 changed), a copy
...     return [TEMPLATE if (a, b) == (0, 1) else DUPLICATE for a, b in pairs.tolist()]
>>> result, final = settle_links(links, cluster, decide)
>>> result, [link.relation for link in final]
(['duplicate', 'duplicate', 'template'], ['template', 'duplicate', 'unchecked'])
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import numpy as np

from dedup.cluster import DUPLICATE, TEMPLATE, UNCHECKED, Link
from dedup.parallel import FreshPool, WorkerPool

T = TypeVar("T")
# From this many documents on, the template test's workers are started afresh (spawned), not forked: by the time
# clustering starts, this process holds the whole corpus's link graph and report columns (~0.9 KB a document),
# and forked workers would keep a copy of every page of it that either side writes to afterwards (their own
# allocations fill the holes of this process's heap; this process's clustering rewrites reference counts).
# A spawned worker costs ~0.4 s of imports; below this, that is more than the memory is worth.
FRESH_FROM = 100_000


def settle_links(
    links: Sequence[Link],
    cluster: Callable[[list[Link], set[tuple[int, int]]], T],
    decide: Callable[[np.ndarray], Sequence[str] | Callable[[], Sequence[str]]],
    anchor: Callable[[Any], int] | None = None,
    groups: int = 1,
) -> tuple[T, list[Link]]:
    """``cluster(view, reads)`` on ``links`` with the undecided ones decided (``decide(pairs)``: one relation per
    pair, or a function that waits for them) until it reads no undecided link; its last result, and the links
    (dropped: those decided to be fragments, neither duplicate nor template).

    Each run of ``cluster`` is serial work in this process while the workers wait, so runs are saved, or cut:

    * A link found to be no duplicate changes the clusters of its two documents, and the next run reads their
      other links: those are decided with it (:func:`_follow_up`), not after one more run.
    * When every answer was a duplicate, the view the run clustered is the view it would cluster next: its
      result is final.
    * With ``anchor`` (``cluster`` gives a list, ``anchor(item)`` one document of each item), a run after the
      first clusters only the documents linked, through any chain of ``links``, to one whose link changed, and
      keeps the other items of the run before: documents that no chain joins do not affect each other's
      clusters. And the first run is made in ``groups`` parts, each part's pairs given to ``decide`` (which
      may answer later) before the next part is clustered, so that the workers test while this process
      clusters.
    """
    current: list[Link | None] = list(links)
    # The view clustered: undecided links taken as duplicates (one copy each, updated as links are decided).
    view: list[Link | None] = [
        link if link.relation != UNCHECKED else replace(link, relation=DUPLICATE) for link in links
    ]
    pending: dict[tuple[int, int], list[int]] = {}
    of_document: dict[int, list[tuple[int, int]]] = {}
    for k, link in enumerate(links):
        if link.relation == UNCHECKED:
            pair = _pair(link.a, link.b)
            if pair not in pending:
                of_document.setdefault(link.a, []).append(pair)
                of_document.setdefault(link.b, []).append(pair)
            pending.setdefault(pair, []).append(k)

    def read(reads: set[tuple[int, int]]) -> list[int]:
        """The undecided links among ``reads`` (no longer pending: they are being decided)."""
        return sorted(k for pair in reads & pending.keys() for k in pending.pop(pair))

    def apply(need: list[int], answers: Sequence[str] | Callable[[], Sequence[str]]) -> set[int]:
        """Record the answers; the documents of the links that are no duplicate after all."""
        touched: set[int] = set()
        for k, relation in zip(need, answers() if callable(answers) else answers):
            if relation == DUPLICATE:  # as the view had it
                current[k] = view[k]
                continue
            link = current[k]
            assert link is not None
            current[k] = view[k] = _decided(link, relation)
            touched.update((link.a, link.b))
        return touched

    part = connected_parts((link.a, link.b) for link in links) if anchor is not None else {}
    asked: list[tuple[list[int], Sequence[str] | Callable[[], Sequence[str]]]] = []
    result: Any = []
    for chunk in _grouped(part, groups) if anchor is not None and groups > 1 else [None]:
        reads: set[tuple[int, int]] = set()
        if chunk is None:
            result = cluster([link for link in view if link is not None], reads)
        else:
            result.extend(cluster([link for link in view if link is not None and part[link.a] in chunk], reads))
        need = read(reads)
        if need:
            asked.append((need, decide(_pairs_of(current, need))))
    while asked:
        changed: set[int] = set()
        budget = sum(len(need) for need, _ in asked)
        for need, answers in asked:
            changed |= apply(need, answers)
        need = _follow_up(changed, of_document, pending, budget)
        while need:
            touched = apply(need, decide(_pairs_of(current, need)))
            changed |= touched
            need = _follow_up(touched, of_document, pending, len(need))
        if not changed:
            break
        reads = set()
        if anchor is None:
            result = cluster([link for link in view if link is not None], reads)
        else:
            redo = {part[d] for d in changed}
            fresh = cluster([link for link in view if link is not None and part[link.a] in redo], reads)
            result = [*(item for item in result if part.get(anchor(item), -1) not in redo), *fresh]  # type: ignore[union-attr]
        need = read(reads)
        asked = [(need, decide(_pairs_of(current, need)))] if need else []
    return result, [link for link in current if link is not None]


def _grouped(part: dict[int, int], groups: int) -> list[set[int]]:
    """The parts of ``part`` (document -> part) in ``groups`` sets of about as many documents each, in the order
    of the parts' first documents.

    >>> _grouped({0: 0, 1: 0, 2: 2, 3: 2, 4: 4, 5: 4}, 2)
    [{0, 2}, {4}]
    """
    sizes: dict[int, int] = {}
    for p in part.values():
        sizes[p] = sizes.get(p, 0) + 1
    share, out, group, size = -(-len(part) // max(1, groups)), [], set(), 0
    for p in sorted(sizes):
        group.add(p)
        size += sizes[p]
        if size >= share:
            out.append(group)
            group, size = set(), 0
    return [*out, group] if group else out


def connected_parts(pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Each document of ``pairs`` mapped to its connected part of their graph, named by its smallest document.

    >>> connected_parts([(0, 1), (2, 3), (1, 4)])
    {0: 0, 1: 0, 2: 2, 3: 2, 4: 0}
    """
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = root(parent.setdefault(a, a)), root(parent.setdefault(b, b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: root(x) for x in parent}


def _follow_up(
    touched: set[int],
    of_document: dict[int, list[tuple[int, int]]],
    pending: dict[tuple[int, int], list[int]],
    budget: int,
) -> list[int]:
    """The undecided links of the ``touched`` documents (at most about ``budget``: a guess must not cost more
    than the decisions that prompted it), taken out of ``pending``."""
    out: list[int] = []
    for d in sorted(touched):
        for pair in of_document.get(d, ()):
            if len(out) >= budget:
                return sorted(out)
            out.extend(pending.pop(pair, ()))
    return sorted(out)


def _pairs_of(current: list[Link | None], ks: list[int]) -> np.ndarray:
    return np.array([(current[k].a, current[k].b) for k in ks], dtype=np.int64)  # type: ignore[union-attr]


def _decided(link: Link, relation: str) -> Link | None:
    """The link as verification gives it once the test answered (a template sibling has no coverages)."""
    if relation == DUPLICATE:
        return replace(link, relation=DUPLICATE)
    if relation == TEMPLATE:
        return replace(link, relation=TEMPLATE, a_in_b=1.0, b_in_a=1.0)
    return None


def _pair(x: int, y: int) -> tuple[int, int]:
    return (x, y) if x < y else (y, x)


def template_pool(workers: int, texts: Any, documents: int) -> WorkerPool:
    """The pool that runs the template test while clustering goes on: forked for a small corpus (quick to
    start), started afresh from :data:`FRESH_FROM` documents on where ``/proc`` lets workers reopen the stores.

    >>> type(template_pool(2, None, 10)).__name__
    'WorkerPool'
    """
    fresh = documents >= FRESH_FROM and os.path.isdir(f"/proc/{os.getpid()}/fd")
    return FreshPool(workers, texts) if fresh else WorkerPool(workers, texts)
