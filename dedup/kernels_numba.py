"""The numba kernels behind :mod:`dedup.kernels` (imported only through it: importing this module imports numba).

Every constant and formula here is the one of :mod:`dedup.fingerprint`; the arithmetic is unsigned and wraps
(uint64 for word hashes, uint32 for the affine32 permutations) exactly as numpy's does.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_U64 = np.uint64
_K_CHAR = _U64(0x9E3779B97F4A7C15)
_K_POS = _U64(0xC2B2AE3D27D4EB4F)
_K_LEN = _U64(0x165667B19E3779F9)
_M64_1 = _U64(0xFF51AFD7ED558CCD)
_M64_2 = _U64(0xC4CEB9FE1A85EC53)
_S33 = _U64(33)
_M32_1 = _U64(0x85EBCA6B)
_M32_2 = _U64(0xC2B2AE35)
_S16 = _U64(16)
_S13 = _U64(13)
_LOW32 = _U64(0xFFFFFFFF)


@njit(cache=True, nogil=True)
def _fmix64(h):  # pragma: no cover - compiled
    h ^= h >> _S33
    h *= _M64_1
    h ^= h >> _S33
    h *= _M64_2
    return h ^ (h >> _S33)


@njit(cache=True, nogil=True)
def _fmix32(h):  # pragma: no cover - compiled
    # h holds a uint32 value in a uint64: multiply, then keep the low 32 bits as numpy's uint32 product does.
    h ^= h >> _S16
    h = (h * _M32_1) & _LOW32
    h ^= h >> _S13
    h = (h * _M32_2) & _LOW32
    return h ^ (h >> _S16)


@njit(cache=True, nogil=True)
def word_hashes(codes, letter_table):  # pragma: no cover - compiled
    """``dedup.fingerprint.words_of`` of a text whose words are separated by single spaces, with no space at
    either end (no empty word), from its code points: (hashes, lengths, all-letters). A code point outside the
    BMP counts as a non-letter here; the caller corrects those words (returned count > 0)."""
    n_words = 1
    for c in codes:
        if c == 0x20:
            n_words += 1
    hashes = np.empty(n_words, dtype=np.uint64)
    lengths = np.empty(n_words, dtype=np.int64)
    letters = np.empty(n_words, dtype=np.bool_)
    astral = 0
    word = 0
    acc = _U64(0)
    pos = 0
    alpha = True
    for i in range(codes.size + 1):
        c = codes[i] if i < codes.size else 0x20
        if c == 0x20:
            hashes[word] = _fmix64(acc ^ (_U64(pos) * _K_LEN))
            lengths[word] = pos
            letters[word] = alpha and pos > 0
            word += 1
            acc = _U64(0)
            pos = 0
            alpha = True
        else:
            acc += _fmix64(_U64(c) * _K_CHAR + _U64(pos) * _K_POS)
            if c > 0xFFFF:
                astral += 1
                alpha = False
            elif not letter_table[c]:
                alpha = False
            pos += 1
    return hashes, lengths, letters, astral


@njit(cache=True, nogil=True)
def minhash_sets(flat, offsets, a, b):  # pragma: no cover - compiled
    """affine32 MinHash signatures of the sets ``flat[offsets[i]:offsets[i + 1]]`` (uint32 shingle hashes):
    ``min((a * fmix32(h) + b) mod 2**32)`` per permutation; an empty set gets all 2**32 - 1."""
    n = offsets.size - 1
    out = np.full((n, a.size), np.uint32(0xFFFFFFFF), dtype=np.uint32)
    mixed = _mixed32(flat, 0, flat.size)
    for d in range(n):
        if offsets[d] < offsets[d + 1]:
            _minima(mixed, offsets[d], offsets[d + 1], a, b, out[d])
    return out


@njit(cache=True, nogil=True)
def minhash_spans(hashes, starts, stops, a, b):  # pragma: no cover - compiled
    """affine32 MinHash signatures of the spans ``hashes[starts[i]:stops[i]]`` (non-empty; repeats allowed)."""
    out = np.empty((starts.size, a.size), dtype=np.uint32)
    if starts.size == 0:
        return out
    lo = starts[0]
    mixed = _mixed32(hashes, lo, stops[starts.size - 1])
    for s in range(starts.size):
        _minima(mixed, starts[s] - lo, stops[s] - lo, a, b, out[s])
    return out


@njit(cache=True, nogil=True)
def _mixed32(hashes, lo, hi):  # pragma: no cover - compiled
    """fmix32 of ``hashes[lo:hi]``, as uint32."""
    mixed = np.empty(hi - lo, dtype=np.uint32)
    for i in range(lo, hi):
        mixed[i - lo] = np.uint32(_fmix32(_U64(hashes[i])))
    return mixed


@njit(cache=True, nogil=True)
def _minima(mixed, first, last, a, b, out):  # pragma: no cover - compiled
    """``out[p] = min((a[p] * mixed[i] + b[p]) mod 2**32 for i in first..last-1)``. Every operand is uint32 and
    the product is cast back to uint32 (the wrap of datasketch's uint32 numpy arithmetic), which lets the
    compiler run the permutations eight or sixteen at a time (SIMD); uint64 arithmetic here is 10x slower."""
    # A slice looped from 0: a loop from `first` is not vectorised (measured 4x slower).
    seg = mixed[first:last]
    for p in range(a.size):
        ap, bp = a[p], b[p]
        m = np.uint32(0xFFFFFFFF)
        for i in range(seg.size):
            m = min(m, np.uint32(ap * seg[i] + bp))
        out[p] = m


@njit(cache=True, nogil=True)
def fold_lines(codes, table, stable):  # pragma: no cover - compiled
    """The per-character part of ``dedup.normalize._normalised_lines``: each code point through the lookup
    ``table`` (0: deleted), newlines kept, runs of spaces collapsed and spaces trimmed at both ends of every
    line. Returns (code points, status): status 1 when a character needs the slow path (no single-character
    entry in the table, or beyond the BMP), 2 when the result holds an NFKC-unstable character, else 0."""
    out = np.empty(codes.size, dtype=np.uint32)
    n = 0
    pending = False  # a space to write before the next character of this line
    unstable = False
    for c in codes:
        if c == 0x0A:
            out[n] = c
            n += 1
            pending = False
            continue
        if c > 0xFFFF:
            return out[:0], 1
        m = table[c]
        if m == 0xFFFFFFFF:
            return out[:0], 1
        if m == 0:
            continue
        if m == 0x20:
            pending = n > 0 and out[n - 1] != 0x0A
            continue
        if pending:
            out[n] = 0x20
            n += 1
            pending = False
        if not stable[m]:
            unstable = True
        out[n] = m
        n += 1
    return out[:n], 2 if unstable else 0


@njit(cache=True, nogil=True)
def covered_words(words, other, window):  # pragma: no cover - compiled
    """The numerator of ``dedup.fingerprint.coverage``: how many of ``words`` lie in passages of ``window``
    words (the last one shorter) at least half of whose words are in ``other`` (any order, repeats allowed).

    ``other`` goes into an open-addressing hash set (linear probing, at most half full) rather than being
    sorted and binary-searched: a few hundred content words are looked up once each, and their values are hashes
    already (``dedup.fingerprint.content_word_hashes``), so their low bits pick the slot."""
    size = 16
    while size < 2 * other.size:
        size <<= 1
    mask = size - 1
    table = np.zeros(size, dtype=np.int64)  # a value + 1; 0: an empty slot
    for v in other:
        key = np.int64(v) + 1
        slot = np.int64(v) & mask
        while table[slot] != 0 and table[slot] != key:
            slot = (slot + 1) & mask
        table[slot] = key
    covered = 0
    for start in range(0, words.size, window):
        stop = min(start + window, words.size)
        found = 0
        for i in range(start, stop):
            key = np.int64(words[i]) + 1
            slot = np.int64(words[i]) & mask
            while table[slot] != 0:
                if table[slot] == key:
                    found += 1
                    break
                slot = (slot + 1) & mask
        if 2 * found >= stop - start:
            covered += stop - start
    return covered


@njit(cache=True, nogil=True)
def ngram_hashes(tokens, ngram, mix):  # pragma: no cover - compiled
    """``dedup.fingerprint.ngram_hashes`` of a non-empty ``tokens`` (uint64; ``mix``: its multipliers)."""
    n = tokens.size
    k = min(ngram, n)
    count = n - k + 1
    out = np.empty(count, dtype=np.uint32)
    for i in range(count):
        acc = _U64(0)
        for j in range(k):
            acc += tokens[i + j] * mix[j]
        m = _fmix64(acc)
        out[i] = np.uint32((m ^ (m >> _U64(32))) & _LOW32)
    return out


@njit(cache=True, nogil=True)
def distinct_sorted(values):  # pragma: no cover - compiled
    """The distinct values of a sorted array, in place (a prefix of it): ``dedup.fingerprint.shingle_hashes``
    sorts with numpy (vectorised; numba's own sort takes several times as long on a few hundred values)."""
    if values.size == 0:
        return values
    kept = 1
    for i in range(1, values.size):
        if values[i] != values[kept - 1]:
            values[kept] = values[i]
            kept += 1
    return values[:kept]


@njit(cache=True, nogil=True)
def content_words(hashes, lengths, letters):  # pragma: no cover - compiled
    """``dedup.fingerprint.content_word_hashes``: the words of 3 characters or more, and those not all letters,
    each hash folded to 32 bits (one call instead of numpy's seven passes over a page's few hundred words)."""
    out = np.empty(hashes.size, dtype=np.uint32)
    n = 0
    for i in range(hashes.size):
        if lengths[i] >= 3 or not letters[i]:
            h = hashes[i]
            out[n] = np.uint32((h ^ (h >> _U64(32))) & _LOW32)
            n += 1
    return out[:n]


@njit(cache=True, nogil=True)
def merged_count(a, b):  # pragma: no cover - compiled
    """How many values two strictly increasing arrays share: one merge, without branches on the values (they
    mispredict half the time)."""
    i = 0
    j = 0
    shared = 0
    while i < a.size and j < b.size:
        x, y = a[i], b[j]
        shared += x == y
        i += x <= y
        j += y <= x
    return shared


@njit(cache=True, nogil=True)
def sorted_overlap(a, b):  # pragma: no cover - compiled
    """How many values two strictly increasing arrays share (a merge), or -1 when either is not strictly
    increasing (the caller then counts as ``np.intersect1d`` does)."""
    for i in range(1, a.size):
        if a[i] <= a[i - 1]:
            return -1
    for i in range(1, b.size):
        if b[i] <= b[i - 1]:
            return -1
    return merged_count(a, b)


@njit(cache=True, nogil=True)
def find_literals(text, flat, offsets, lo, hi):  # pragma: no cover - compiled
    """Which literals occur in ``text`` (code points): literal ``k`` is ``flat[offsets[k]:offsets[k + 1]]``
    (non-empty; sorted by first character), and those starting with BMP character ``c`` are ``lo[c]:hi[c]``.
    Every position of the text is tried against the few literals that begin with its character (what
    ``any(literal in text)`` does once per literal)."""
    found = np.zeros(offsets.size - 1, dtype=np.bool_)
    n = text.size
    for p in range(n):
        c = text[p]
        if c > 0xFFFF:
            continue
        for k in range(lo[c], hi[c]):
            if found[k]:
                continue
            start = offsets[k]
            size = offsets[k + 1] - start
            if p + size > n:
                continue
            same = True
            for j in range(1, size):
                if text[p + j] != flat[start + j]:
                    same = False
                    break
            if same:
                found[k] = True
    return found


@njit(cache=True, nogil=True)
def seen_before(table, slots, tags, page_of):  # pragma: no cover - compiled
    """``dedup.clean.site.SiteBoilerplate._seen_before``: page after page (``page_of`` non-decreasing), each
    item looks its slot of ``table`` up (is its tag there?), then the page writes its items' tags (the last item
    of a slot wins); ``table`` is updated in place."""
    n = slots.size
    seen = np.empty(n, dtype=np.bool_)
    start = 0
    while start < n:
        stop = start + 1
        while stop < n and page_of[stop] == page_of[start]:
            stop += 1
        for i in range(start, stop):
            seen[i] = table[slots[i]] == tags[i]
        for i in range(start, stop):
            table[slots[i]] = tags[i]
        start = stop
    return seen


@njit(cache=True, nogil=True)
def add_counts(counts, cells):  # pragma: no cover - compiled
    """One more on ``counts[row, cells[row, k]]`` for every ``row`` and ``k`` (a cell named twice counts twice)."""
    for row in range(cells.shape[0]):
        for k in range(cells.shape[1]):
            counts[row, cells[row, k]] += 1
