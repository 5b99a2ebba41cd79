"""The numba kernels of candidate checks and verification behind :mod:`dedup.kernels` (imported only through it:
importing this module imports numba): many pairs per call instead of a few numpy calls per pair.

Each gives what the numpy code of :mod:`dedup.lsh` and :mod:`dedup.fingerprint` gives for the same pairs
(``tests/test_kernels_lsh.py`` compares them).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from dedup.kernels_numba import covered_words, merged_count


@njit(cache=True, nogil=True)
def pair_overlaps(flat, starts, ends, first, second):  # pragma: no cover - compiled
    """Values shared by the sets ``flat[starts[k]:ends[k]]`` of each pair ``(first[p], second[p])`` (a merge of
    two strictly increasing runs), or -1 for a pair with a set that is not strictly increasing (the caller then
    counts as ``np.intersect1d`` does)."""
    increasing = np.ones(starts.size, dtype=np.bool_)  # each set checked once, not once per pair it is in
    for s in range(starts.size):
        for k in range(starts[s] + 1, ends[s]):
            if flat[k] <= flat[k - 1]:
                increasing[s] = False
                break
    out = np.empty(first.size, dtype=np.int64)
    for p in range(first.size):
        if not (increasing[first[p]] and increasing[second[p]]):
            out[p] = -1
            continue
        a, b = first[p], second[p]
        out[p] = merged_count(flat[starts[a] : ends[a]], flat[starts[b] : ends[b]])
    return out


@njit(cache=True, nogil=True)
def rows_agree(matrix, first, second, least):  # pragma: no cover - compiled
    """Whether rows ``first[p]`` and ``second[p]`` of ``matrix`` are equal in at least ``least`` columns
    (stops counting there)."""
    out = np.zeros(first.size, dtype=np.bool_)
    width = matrix.shape[1]
    for p in range(first.size):
        a, b = first[p], second[p]
        same = 0
        for c in range(width):
            if matrix[a, c] == matrix[b, c]:
                same += 1
                if same >= least:
                    out[p] = True
                    break
    return out


@njit(cache=True, nogil=True)
def pair_coverages(flat, starts, ends, first, second, window):  # pragma: no cover - compiled
    """``covered_words`` both ways of each pair of sets ``flat[starts[k]:ends[k]]``: column 0 the words of
    ``first[p]`` covered by ``second[p]``, column 1 the other way."""
    out = np.empty((first.size, 2), dtype=np.int64)
    for p in range(first.size):
        a = flat[starts[first[p]] : ends[first[p]]]
        b = flat[starts[second[p]] : ends[second[p]]]
        out[p, 0] = covered_words(a, b, window)
        out[p, 1] = covered_words(b, a, window)
    return out
