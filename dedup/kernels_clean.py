"""Numba kernels for a batch of pages at once (imported only through :mod:`dedup.kernels`, as
:mod:`dedup.kernels_numba` is): one call per batch where the per-page kernels cost a call each per page.

Each computes, bit for bit, what the per-page kernels of :mod:`dedup.kernels_numba` compute page by page
(``tests/test_kernels_clean.py`` compares them).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from dedup.kernels_numba import _K_CHAR, _K_LEN, _K_POS, _LOW32, _U64, _fmix64, find_literals


@njit(cache=True, nogil=True)
def page_words(codes, bounds, letter_table, ngram, mix):  # pragma: no cover - compiled
    """For each text ``codes[bounds[t]:bounds[t + 1]]`` (words separated by single spaces, none at either end; an
    empty text has no word): its word hashes (``word_hashes``), its content words (``content_words``) and its
    n-gram hashes in text order (``ngram_hashes``, not yet sorted), each concatenated over the texts, with each
    text's end in them (int64, one per text); and how many characters beyond the BMP each text holds (a text
    with one needs numpy to tell its letters: its content words here are not to be used)."""
    texts = bounds.size - 1
    n_words = 0
    for t in range(texts):
        if bounds[t + 1] > bounds[t]:
            n_words += 1
    for i in range(codes.size):
        if codes[i] == 0x20:
            n_words += 1
    tokens = np.empty(n_words, dtype=np.uint64)
    content = np.empty(n_words, dtype=np.uint32)
    grams = np.empty(n_words, dtype=np.uint32)
    token_ends = np.empty(texts, dtype=np.int64)
    content_ends = np.empty(texts, dtype=np.int64)
    gram_ends = np.empty(texts, dtype=np.int64)
    astral = np.zeros(texts, dtype=np.int64)
    nt = 0
    nc = 0
    ng = 0
    for t in range(texts):
        start = bounds[t]
        stop = bounds[t + 1]
        first = nt
        if stop > start:
            acc = _U64(0)
            pos = 0
            alpha = True
            for i in range(start, stop + 1):
                c = codes[i] if i < stop else 0x20
                if c == 0x20:
                    h = _fmix64(acc ^ (_U64(pos) * _K_LEN))
                    tokens[nt] = h
                    nt += 1
                    if pos >= 3 or not (alpha and pos > 0):
                        content[nc] = np.uint32((h ^ (h >> _U64(32))) & _LOW32)
                        nc += 1
                    acc = _U64(0)
                    pos = 0
                    alpha = True
                else:
                    acc += _fmix64(_U64(c) * _K_CHAR + _U64(pos) * _K_POS)
                    if c > 0xFFFF:
                        astral[t] += 1
                        alpha = False
                    elif not letter_table[c]:
                        alpha = False
                    pos += 1
            n = nt - first
            k = min(ngram, n)
            for i in range(n - k + 1):
                acc = _U64(0)
                for j in range(k):
                    acc += tokens[first + i + j] * mix[j]
                m = _fmix64(acc)
                grams[ng] = np.uint32((m ^ (m >> _U64(32))) & _LOW32)
                ng += 1
        token_ends[t] = nt
        content_ends[t] = nc
        gram_ends[t] = ng
    return tokens, token_ends, content[:nc], content_ends, grams[:ng], gram_ends, astral


@njit(cache=True, nogil=True)
def distinct_runs(values, ends):  # pragma: no cover - compiled
    """``distinct_sorted`` of each run ``values[ends[t - 1]:ends[t]]`` (each sorted), the runs compacted in place:
    the distinct values, concatenated, and each run's new end."""
    out_ends = np.empty(ends.size, dtype=np.int64)
    kept = 0
    start = 0
    for t in range(ends.size):
        stop = ends[t]
        first = kept
        for i in range(start, stop):
            if kept == first or values[i] != values[kept - 1]:
                values[kept] = values[i]
                kept += 1
        out_ends[t] = kept
        start = stop
    return values[:kept], out_ends


@njit(cache=True, nogil=True)
def fold_pages(codes, ends, table_a, table_b, stable, needs, expand, flags):  # pragma: no cover - compiled
    """``fold_two`` of each page ``codes[ends[p]:ends[p + 1]]`` (its lines joined by line breaks), in one call:
    both results of the pages it takes (``ok``), each page's lines followed by a line break, concatenated; the
    spaces of each line of b's result, concatenated; after each page, the number of lines so far; whether each
    page was taken; and each page's two statuses. A page ``fold_two`` gives up on adds nothing but its ``ok``.

    One loop over the batch, written straight into its arrays (a page given up on is rolled back): no arrays
    of a page's own to fill, count and copy. :func:`fold_two` is this kernel on one page."""
    pages = ends.size - 1
    out_a = np.empty(codes.size * expand.shape[1] + pages, dtype=np.uint32)
    out_b = np.empty(codes.size * expand.shape[1] + pages, dtype=np.uint32)
    lines = pages
    for c in codes:
        if c == 0x0A:
            lines += 1
    spaces = np.empty(lines, dtype=np.int64)
    line_ends = np.zeros(pages, dtype=np.int64)
    ok = np.zeros(pages, dtype=np.bool_)
    status = np.zeros((pages, 2), dtype=np.int64)
    na = 0
    nb = 0
    nl = 0
    for p in range(pages):
        first_a = na
        first_b = nb
        first_l = nl
        counted = 0  # spaces written in this line of b
        begun_a = False  # a character of this line written to a (a space pending before the next one)
        begun_b = False
        pending_a = False
        pending_b = False
        unstable_a = False
        unstable_b = False
        good = True
        for i in range(ends[p], ends[p + 1]):
            code = codes[i]
            if code == 0x0A:
                out_a[na] = code
                na += 1
                out_b[nb] = code
                nb += 1
                pending_a = False
                pending_b = False
                begun_a = False
                begun_b = False
                spaces[nl] = counted
                nl += 1
                counted = 0
                continue
            if code > 0xFFFF:
                good = False
                break
            f = flags[code]
            if f & 1 == 0:  # most characters: one entry in each table, no NFKC form to put in
                ma = table_a[code]
                mb = table_b[code]
                if ma == 0x20:
                    pending_a = begun_a
                elif ma != 0:
                    if pending_a:
                        out_a[na] = 0x20
                        na += 1
                        pending_a = False
                    if f & 2:
                        unstable_a = True
                    out_a[na] = ma
                    na += 1
                    begun_a = ma != 0x0A  # a fold that writes a line break begins no line
                if mb == 0x20:
                    pending_b = begun_b
                elif mb != 0:
                    if pending_b:
                        out_b[nb] = 0x20
                        nb += 1
                        pending_b = False
                        counted += 1
                    if f & 4:
                        unstable_b = True
                    out_b[nb] = mb
                    nb += 1
                    begun_b = mb != 0x0A
                continue
            parts = 1
            if needs[code]:
                parts = 0
                while parts < expand.shape[1] and expand[code, parts] != 0:
                    parts += 1
                if parts == 0:
                    good = False
                    break
            for part in range(parts):
                c = expand[code, part] if needs[code] else code
                ma = table_a[c]
                mb = table_b[c]
                if ma == 0xFFFFFFFF or mb == 0xFFFFFFFF:
                    good = False
                    break
                if ma == 0x20:
                    pending_a = begun_a
                elif ma != 0:
                    if pending_a:
                        out_a[na] = 0x20
                        na += 1
                        pending_a = False
                    if not stable[ma]:
                        unstable_a = True
                    out_a[na] = ma
                    na += 1
                    begun_a = ma != 0x0A  # a fold that writes a line break begins no line
                if mb == 0x20:
                    pending_b = begun_b
                elif mb != 0:
                    if pending_b:
                        out_b[nb] = 0x20
                        nb += 1
                        pending_b = False
                        counted += 1
                    if not stable[mb]:
                        unstable_b = True
                    out_b[nb] = mb
                    nb += 1
                    begun_b = mb != 0x0A
            if not good:
                break
        if good:
            ok[p] = True
            status[p, 0] = 2 if unstable_a else 0
            status[p, 1] = 2 if unstable_b else 0
            out_a[na] = 0x0A
            na += 1
            out_b[nb] = 0x0A
            nb += 1
            spaces[nl] = counted
            nl += 1
        else:
            na = first_a
            nb = first_b
            nl = first_l
        line_ends[p] = nl
    return out_a[:na], out_b[:nb], spaces[:nl], line_ends, ok, status


@njit(cache=True, nogil=True)
def fold_two(codes, table_a, table_b, stable, needs, expand, flags):  # pragma: no cover - compiled
    """``dedup.kernels_numba.fold_lines`` through two lookup tables at once (the line rules' fold and the hashing
    keys), of a text whose NFKC form is its characters' own, one by one: a character flagged in ``needs`` (one
    that makes a text need ``unicodedata.normalize``) is replaced by its row of ``expand`` (its NFKC form, up to
    four characters padded with 0, when that composes with nothing: no-break space, a presentation form of a
    letter, an ellipsis). Gives up (ok False) on any other such character (an all-0 row), one beyond the BMP,
    or one with a multi-character entry in either table. Returns (code points a, status a, code points b,
    status b, ok, spaces written in each line of b); status 2: that result holds an NFKC-unstable character.
    ``flags`` (per BMP character; ``dedup.normalize._nfkc_expansions``) sends the few characters that need
    ``expand`` or a multi-character fold to the general loop, and says whether a character's folds are unstable:
    most characters take three table reads, not six.

    :func:`fold_pages` of a batch of one page, its closing line break taken off: one loop for both."""
    ends = np.empty(2, dtype=np.int64)
    ends[0] = 0
    ends[1] = codes.size
    out_a, out_b, spaces, _, ok, status = fold_pages(codes, ends, table_a, table_b, stable, needs, expand, flags)
    if not ok[0]:
        return out_a[:0], 0, out_b[:0], 0, False, spaces
    return out_a[: out_a.size - 1], status[0, 0], out_b[: out_b.size - 1], status[0, 1], True, spaces


@njit(cache=True, nogil=True)
def find_literals_pages(text, ends, flat, offsets, lo, hi):  # pragma: no cover - compiled
    """``find_literals`` of each page ``text[ends[p]:ends[p + 1]]``, in one call: one row per page."""
    found = np.zeros((ends.size - 1, offsets.size - 1), dtype=np.bool_)
    for p in range(ends.size - 1):
        found[p] = find_literals(text[ends[p] : ends[p + 1]], flat, offsets, lo, hi)
    return found
