"""Clusters that decide the template test only for the links they read.

The template test (:func:`dedup.templates.relation`) was a third of a scan's CPU, run on every verified link;
most links join two copies that are both removed in favour of a third, and no decision ever reads them. A scan
that does not report template siblings verifies pairs without the test (:data:`dedup.cluster.UNCHECKED`), then:

1. clusters with every undecided link taken as a duplicate, recording which links the decisions read
   (``reads`` of :func:`dedup.cluster.star_clusters` and :func:`~dedup.cluster.attach_strays`);
2. runs the test on the undecided links among them; if none of them is anything but a duplicate, those clusters
   are final, else back to 1 with the answers.

The clusters are the same as with every link tested: the last run read only decided links, so a run on the fully
decided links takes the same path (the links it did not read cannot change a decision it made). Links left
undecided stay :data:`~dedup.cluster.UNCHECKED` in the result: they are neither merged nor reported.

>>> from dedup.cluster import TEMPLATE, Link
>>> links = [Link(0, 1, 0.9, 0.9, UNCHECKED), Link(1, 2, 0.8, 0.8, UNCHECKED)]
>>> def cluster(view, reads):  # a clustering that reads the link 0-1 only
...     reads.add((0, 1))
...     return sorted(link.relation for link in view)
>>> result, final = settle_links(links, cluster, lambda pairs: [TEMPLATE] * len(pairs))
>>> result, [link.relation for link in final]
(['duplicate', 'template'], ['template', 'unchecked'])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

import numpy as np

from dedup.cluster import DUPLICATE, TEMPLATE, UNCHECKED, Link

T = TypeVar("T")


def settle_links(
    links: Sequence[Link],
    cluster: Callable[[list[Link], set[tuple[int, int]]], T],
    decide: Callable[[np.ndarray], Sequence[str]],
) -> tuple[T, list[Link]]:
    """``cluster(view, reads)`` on ``links`` with the undecided ones decided (``decide(pairs)``: one relation per
    pair) until it reads no undecided link; its last result, and the links (dropped: those decided to be
    fragments, neither duplicate nor template)."""
    current: list[Link | None] = list(links)
    pending: dict[tuple[int, int], list[int]] = {}
    for k, link in enumerate(links):
        if link.relation == UNCHECKED:
            pending.setdefault(_pair(link.a, link.b), []).append(k)
    while True:
        view = [
            link if link.relation != UNCHECKED else replace(link, relation=DUPLICATE)
            for link in current
            if link is not None
        ]
        reads: set[tuple[int, int]] = set()
        result = cluster(view, reads)
        need = sorted(k for pair in reads & pending.keys() for k in pending.pop(pair))
        if not need:
            return result, [link for link in current if link is not None]
        pairs = np.array([(current[k].a, current[k].b) for k in need], dtype=np.int64)  # type: ignore[union-attr]
        for k, relation in zip(need, decide(pairs)):
            current[k] = _decided(current[k], relation)  # type: ignore[arg-type]


def _decided(link: Link, relation: str) -> Link | None:
    """The link as verification gives it once the test answered (a template sibling has no coverages)."""
    if relation == DUPLICATE:
        return replace(link, relation=DUPLICATE)
    if relation == TEMPLATE:
        return replace(link, relation=TEMPLATE, a_in_b=1.0, b_in_a=1.0)
    return None


def _pair(x: int, y: int) -> tuple[int, int]:
    return (x, y) if x < y else (y, x)
