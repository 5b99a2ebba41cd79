"""A band's keys grouped into buckets (:func:`dedup.lsh.candidate_blocks`): equal keys together, each bucket's rows
in position order, and a document's excerpt windows banded once per bucket.

>>> order, hs = by_bucket(np.array([5, 7, 5], dtype=np.uint64))
>>> sorted(order[hs == 5].tolist()), int(hs[order == 1][0])
([0, 2], 7)
"""

from __future__ import annotations

import numpy as np

# An odd 64-bit multiplier: the product carries every bit of a key into the high ones.
_SCRAMBLE = np.uint64(0xC2B2AE3D27D4EB4F)


def by_bucket(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``order`` of the keys ``h`` with equal keys together, each bucket's in position order (the buckets
    in an order of their own), and ``h[order]``: what ``np.argsort(h, kind="stable")`` gives as far as pairs go.

    One quicksort of distinct values (a scrambled key above the position's bits) instead of a stable argsort, at a
    quarter of its cost; two keys whose scrambled bits agree are put in order by the stable argsort instead.

    >>> order, hs = by_bucket(np.array([9, 4, 9, 4, 7], dtype=np.uint64))
    >>> sorted(order[hs == 9].tolist()) == order[hs == 9].tolist(), hs.tolist().count(4)
    (True, 2)
    """
    bits = max(1, (h.size - 1).bit_length())
    low = np.uint64((1 << bits) - 1)
    composite = (h * _SCRAMBLE) & ~low  # the multiply carries every bit of the key into the high ones
    composite |= np.arange(h.size, dtype=np.uint64)
    composite.sort()
    order = (composite & low).astype(np.intp)
    hs = h[order]
    composite &= ~low
    if ((composite[1:] == composite[:-1]) & (hs[1:] != hs[:-1])).any():  # two keys, one scrambled value
        order = np.argsort(h, kind="stable")
        hs = h[order]
    return order, hs


def first_of_each_group(order: np.ndarray, hs: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``order`` (rows grouped by key, then in position order: :func:`by_bucket`; ``hs`` their keys) without every
    row but the first of its group in its bucket. Only rows in buckets of two or more can repeat a group: they alone are sorted again.

    >>> order, hs = first_of_each_group(np.array([2, 0, 1, 3]), np.array([5, 7, 7, 7]), np.array([0, 1, 0, 0]))
    >>> order.tolist(), hs.tolist()
    ([2, 0, 1], [5, 7, 7])
    """
    same = hs[1:] == hs[:-1]
    shared = np.zeros(hs.size, dtype=bool)
    shared[1:] |= same
    shared[:-1] |= same
    at = np.flatnonzero(shared)  # places (in sorted order) of the rows in shared buckets
    if at.size < 2:
        return order, hs
    keys = hs[at]
    bucket = np.cumsum(np.concatenate(([0], keys[1:] != keys[:-1])))
    # (bucket, group) as one integer; the stable sort keeps each pair's rows in position order.
    code = bucket * (int(groups.max()) + 1) + groups[order[at]]
    by = np.argsort(code, kind="stable")
    repeat = np.zeros(at.size, dtype=bool)
    repeat[1:] = code[by][1:] == code[by][:-1]
    if not repeat.any():
        return order, hs
    keep = np.ones(hs.size, dtype=bool)
    keep[at[by[repeat]]] = False
    return order[keep], hs[keep]
