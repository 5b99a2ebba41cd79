"""Jaccard, containment and coverage of many document pairs at once (a chunk of candidate pairs being verified):
each document's set read once however many pairs it is in (from a store, with one read per run of neighbours),
and the pairs compared in one kernel call. The values are those of :func:`dedup.fingerprint.jaccard_containment`
and :func:`dedup.fingerprint.coverage` for each pair.

>>> sets = [np.array([1, 2, 3, 4], dtype=np.uint32), np.array([3, 4], dtype=np.uint32)]
>>> [x.tolist() for x in pair_similarities(np.array([[0, 1]]), sets)]
[[0.5], [1.0], [2]]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dedup.fingerprint import COVERAGE_WINDOW, _read_only, coverage
from dedup.kernels import get as get_kernels


def _indexed(pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``pairs`` as (n, 2) int64, the documents they name (increasing), each pair's two places among those
    documents, and those places' two columns apart (contiguous: one compiled version of each kernel)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    ids, where = np.unique(pairs, return_inverse=True)
    where = where.reshape(pairs.shape)
    return pairs, ids, where, np.ascontiguousarray(where[:, 0]), np.ascontiguousarray(where[:, 1])


def _read_sets(
    sets: Sequence[np.ndarray], ids: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray | None, np.ndarray, np.ndarray]:
    """``sets[i]`` for each of ``ids`` (increasing), and, when they are all uint32 vectors, the same as one
    read-only array with each one's start and end in it (``None`` otherwise)."""
    gather = getattr(sets, "gather", None)  # a store reads them all at once (dedup.pipeline.stores.ShingleStore)
    if gather is not None and ids.size:
        flat, starts, ends = gather(ids)
        return [flat[lo:hi] for lo, hi in zip(starts.tolist(), ends.tolist())], _read_only(flat), starts, ends
    found = [sets[i] for i in ids.tolist()]
    sizes = np.array([x.size for x in found], dtype=np.int64)
    ends = np.cumsum(sizes)
    if not found or not all(x.dtype == np.uint32 and x.ndim == 1 for x in found):
        return found, None, ends - sizes, ends
    return found, _read_only(np.concatenate(found)), ends - sizes, ends


def pair_similarities(pairs: np.ndarray, sets: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`dedup.fingerprint.jaccard_containment` of every pair ``(a, b)`` of ``pairs`` over ``sets`` (Jaccard
    and containment, float64: the same values), and the size of each pair's smaller set.

    >>> jac, con, small = pair_similarities(np.array([[0, 1], [1, 2]]), [np.arange(4), np.arange(2, 4), np.arange(0)])
    >>> jac.tolist(), con.tolist(), small.tolist()
    ([0.5, 0.0], [1.0, 0.0], [2, 0])
    """
    pairs, ids, where, first, second = _indexed(pairs)
    found, flat, starts, ends = _read_sets(sets, ids)
    sizes = ends - starts
    size_a, size_b = sizes[where[:, 0]], sizes[where[:, 1]]
    inter = np.full(len(pairs), -1, dtype=np.int64)
    kernels = get_kernels(0)
    if kernels is not None and flat is not None and pairs.size:
        inter = kernels.pair_overlaps(flat, starts, ends, first, second)
    for k in np.flatnonzero(inter < 0).tolist():  # no kernel, or not sorted sets after all
        a, b = found[where[k, 0]], found[where[k, 1]]
        inter[k] = np.intersect1d(a, b, assume_unique=True).size if a.size and b.size else 0
    small = np.minimum(size_a, size_b)
    some = small > 0
    jac = np.zeros(len(pairs), dtype=np.float64)
    con = np.zeros(len(pairs), dtype=np.float64)
    np.divide(inter, size_a + size_b - inter, out=jac, where=some)
    np.divide(inter, small, out=con, where=some)
    return jac, con, small


def pair_coverages(
    pairs: np.ndarray, words: Sequence[np.ndarray], window: int = COVERAGE_WINDOW
) -> tuple[np.ndarray, np.ndarray, dict[int, np.ndarray]]:
    """:func:`dedup.fingerprint.coverage` both ways of every pair ``(a, b)``: of ``a`` by ``b``, of ``b`` by ``a``;
    and the content words read, by document.

    >>> story, other = np.arange(10, dtype=np.uint32), np.arange(5, 30, dtype=np.uint32)
    >>> a_by_b, b_by_a, _ = pair_coverages(np.array([[0, 1]]), [story, other], window=5)
    >>> a_by_b.tolist(), b_by_a.tolist()
    ([0.5], [0.2])
    """
    pairs, ids, where, first, second = _indexed(pairs)
    found, flat, starts, ends = _read_sets(words, ids)
    read = dict(zip(ids.tolist(), found))
    kernels = get_kernels(0)
    if kernels is None or flat is None or not pairs.size:
        a_by_b = [coverage(found[x], found[y], window) for x, y in where.tolist()]
        b_by_a = [coverage(found[y], found[x], window) for x, y in where.tolist()]
        return np.array(a_by_b, dtype=np.float64), np.array(b_by_a, dtype=np.float64), read
    covered = kernels.pair_coverages(flat, starts, ends, first, second, window)
    sizes = ends - starts
    out = []
    for k, (mine, theirs) in enumerate(((first, second), (second, first))):
        size, other = sizes[mine], sizes[theirs]
        share = np.divide(covered[:, k], size, out=np.zeros(len(pairs)), where=size > 0)
        out.append(np.where(size == 0, 1.0, np.where(other == 0, 0.0, share)))
    return out[0], out[1], read
