"""The line rules' one normalisation pass: each line folded for the rules and normalised for hashing, together.

>>> fold_and_key(["Read MORE: «الجمهوريّة»"])
(['read more: «الجمهوريه»'], ['read more الجمهوريه'], [3])
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata

import numpy as np
import regex

from dedup.kernels import get as get_kernels
from dedup.normalize import (
    _COMPLEX,
    DEFAULT_OPTIONS,
    NormalizeOptions,
    _lookup_table,
    _map_chars,
    _nfkc_expansions,
    _nfkc_stable,
    normalize,
    normalize_lines_each,
    normalize_lines_two,
)

# Lines are folded like the text that gets hashed, but punctuation is kept: rules need ":" and "©".
_LINE_FOLD = NormalizeOptions(punctuation_to_space=False)
_NO_CODES = np.zeros(0, dtype=np.uint32)
_NO_CODES.flags.writeable = False


def utf32_codes(text: str) -> np.ndarray:
    """``text``'s code points (``np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)``, lone
    surrogates too), read-only as that array is (the kernels are compiled for it), copied out by numpy's own
    string array, which widens the text's characters faster than the UTF-32 codec writes them.

    >>> utf32_codes("a\\u0639\\U0001f600\\x00").tolist(), utf32_codes("").tolist()
    ([97, 1593, 128512, 0], [])
    """
    if not text:
        return _NO_CODES
    codes = np.array(text).reshape(1).view(np.uint32)
    codes.flags.writeable = False
    return codes


@functools.lru_cache(maxsize=1)
def _multi_char_fold() -> tuple[re.Pattern[str], dict[int, str], regex.Pattern[str]]:
    """Characters whose fold is not one character, in the line fold or the hashing keys: a pattern finding any
    of them (``ß`` → ``ss``, ``İ``, Greek with iota subscript, ligatures), a ``str.translate`` table of those
    that may be written out before normalising, and a pattern finding those not followed by a combining mark.

    A text holding one goes to the slow reference path of :func:`dedup.normalize.normalize` whole. Written
    out first, ``ß`` gives the same result on the fast path: it is NFKC-stable (never composes with what
    precedes it) and so is ``ss``; only a combining mark after it (``ß`` + U+0301 → ``sś``) could compose with
    the written-out ``s`` differently, so such a line keeps the slow path.
    """
    stable = _nfkc_stable()
    tables = [_lookup_table(opts) for opts in (_LINE_FOLD, DEFAULT_OPTIONS)]
    chars = sorted({int(c) for t in tables for c in (t == _COMPLEX).nonzero()[0]})
    spelled = {}
    for c in chars:
        out = {_map_chars(chr(c), opts) for opts in (_LINE_FOLD, DEFAULT_OPTIONS)}
        (word,) = out if len(out) == 1 else ("",)
        # ASCII letters that fold to themselves: every character of the spelling is stable and final.
        if stable[c] and word.isascii() and word.isalpha() and all(t[ord(w)] == ord(w) for t in tables for w in word):
            spelled[c] = word
    any_multi = re.compile("[" + "".join(re.escape(chr(c)) for c in chars) + "]")
    spellable = regex.compile("[" + "".join(regex.escape(chr(c)) for c in spelled) + r"](?!\p{M})")
    return any_multi, spelled, spellable


def fold_and_key(lines: list[str]) -> tuple[list[str], list[str], list[int]]:
    """Each line folded for the rules and normalised for hashing: ``normalize_lines_each(lines, (_LINE_FOLD,
    DEFAULT_OPTIONS))``, with ``ß`` written out first and lines still holding a multi-character fold
    (:func:`_multi_char_fold`) normalised alone: one ``ß`` no longer sends a whole page to the slow path (a
    third of the dev-set pages hold one); and each key's words (``key.count(" ") + 1``, 0 for ``""``).

    >>> fold_and_key(["Die Straße", "Ein Satz.", "İstanbul", ""])
    (['die strasse', 'ein satz.', 'i̇stanbul', ''], ['die strasse', 'ein satz', 'i̇stanbul', ''], [2, 2, 1, 0])
    """
    spaces: list[int] = []
    fast = normalize_lines_two(lines, _LINE_FOLD, DEFAULT_OPTIONS, spaces)
    if fast is not None:  # the compiled kernels, on a page they can take whole (most pages); spaces counted
        return fast[0], fast[1], [n + 1 if key else 0 for key, n in zip(fast[1], spaces)]
    folded, keys = _fold_and_key(lines)
    return folded, keys, [key.count(" ") + 1 if key else 0 for key in keys]


def _fold_and_key(lines: list[str]) -> list[list[str]]:
    any_multi, spelled, spellable = _multi_char_fold()
    if not lines or any_multi.search("\n".join(lines)) is None:
        return normalize_lines_each(lines, (_LINE_FOLD, DEFAULT_OPTIONS))
    fast: list[int] = []
    fast_lines: list[str] = []
    slow: list[int] = []
    for i, line in enumerate(lines):
        if any_multi.search(line) is not None:
            written = spellable.sub(lambda m: spelled[ord(m.group())], line)
            if any_multi.search(written) is not None:
                slow.append(i)
                continue
            line = written
        fast.append(i)
        fast_lines.append(line)
    folded, keys = [""] * len(lines), [""] * len(lines)
    if fast:
        fast_folded, fast_keys = normalize_lines_each(fast_lines, (_LINE_FOLD, DEFAULT_OPTIONS))
        for i, f, k in zip(fast, fast_folded, fast_keys):
            folded[i], keys[i] = f, k
    for i in slow:
        folded[i], keys[i] = normalize(lines[i], _LINE_FOLD), normalize(lines[i])
    return [folded, keys]


def fold_and_key_pages(pages: list[list[str]]) -> list[tuple[list[str], list[str], list[int]]]:
    """:func:`fold_and_key` of each page's lines, the pages the compiled kernels take whole folded in one call
    (a call per page costs about what folding its text does); the others, and all without the kernels, page
    by page. The same lists.

    >>> fold_and_key_pages([["Read MORE: «الجمهوريّة»", ""], []])
    [(['read more: «الجمهوريه»', ''], ['read more الجمهوريه', ''], [3, 0]), ([], [], [])]
    """
    kernels = get_kernels(0)
    if kernels is None or not pages:
        return [fold_and_key(lines) for lines in pages]
    texts = ["\n".join(lines) for lines in pages]
    ends = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(text) for text in texts], out=ends[1:])
    codes = utf32_codes("".join(texts))
    a, b = _LINE_FOLD, DEFAULT_OPTIONS
    needs, expand, flags = _nfkc_expansions(a, b)
    out_a, out_b, spaces, line_ends, ok, status = kernels.fold_pages(
        codes, ends, _lookup_table(a), _lookup_table(b), _nfkc_stable(), needs, expand, flags
    )
    folded = codecs.utf_32_le_decode(out_a, None, True)[0].split("\n")
    keys = codecs.utf_32_le_decode(out_b, None, True)[0].split("\n")
    total = int(line_ends[-1])
    if len(folded) != total + 1 or len(keys) != total + 1:  # a fold that wrote a line break: page by page
        return [fold_and_key(lines) for lines in pages]
    # Each key's words for the whole batch at once: its spaces + 1, 0 for an empty key (told by its length in b).
    breaks = np.flatnonzero(out_b == 0x0A)
    empty = np.diff(breaks, prepend=-1) == 1
    counts = np.where(empty, 0, spaces + 1).tolist()
    out = []
    start = 0
    for lines, text, stop, taken, (status_a, status_b) in zip(
        pages, texts, line_ends.tolist(), ok.tolist(), status.tolist()
    ):
        page_a, page_b = folded[start:stop], keys[start:stop]
        # What normalize_lines_two checks of a page's results (else fold_and_key's other paths).
        if (
            not taken
            or not text
            or len(page_a) != len(lines)
            or (status_a == 2 and a.nfkc and not all(unicodedata.is_normalized("NFKC", p) for p in page_a))
            or (status_b == 2 and b.nfkc and not all(unicodedata.is_normalized("NFKC", p) for p in page_b))
        ):
            out.append(fold_and_key(lines))
        else:
            out.append((page_a, page_b, counts[start:stop]))
        start = stop
    return out
