"""The line rules' one normalisation pass: each line folded for the rules and normalised for hashing, together.

>>> fold_and_key(["Read MORE: «الجمهوريّة»"])
(['read more: «الجمهوريه»'], ['read more الجمهوريه'], [3])
"""

from __future__ import annotations

import functools
import re

import regex

from dedup.normalize import (
    _COMPLEX,
    DEFAULT_OPTIONS,
    NormalizeOptions,
    _lookup_table,
    _map_chars,
    _nfkc_stable,
    normalize,
    normalize_lines_each,
    normalize_lines_two,
)

# Lines are folded like the text that gets hashed, but punctuation is kept: rules need ":" and "©".
_LINE_FOLD = NormalizeOptions(punctuation_to_space=False)


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
