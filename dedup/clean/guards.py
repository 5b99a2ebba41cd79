"""Cheap tests that tell when a line rule cannot match a line, so that its regex is not run on it.

Two kinds, both derived from data the rule already has and both sound (a line they turn away the regex would not
have matched; ``tests/test_line_guards.py`` checks verdicts against the unguarded rules):

* *literal guards* (:data:`GUARDS`): literals one of which any line the rule matches holds, looked for once per
  page (:func:`page_literals`), then line by line among the lines of a page that holds one;
* *anchored prefixes* (:func:`anchored_prefixes`), read from the rule's pattern when it is compiled: a pattern
  ``^\\W*(this|that ...)`` matches only a line whose first word character starts one of its alternatives' literal
  beginnings, a ``str.startswith`` instead of a regex call.

Both rest on the folded lines being casefolded: under ``IGNORECASE`` a literal matches only itself on a line that
holds none of :data:`CASE_TWINS`, the characters the regex module folds onto ASCII letters. A page or line that
holds one is left to the regex.

>>> anchored_prefixes(r"^\\W*(read more|related( articles)?|اقرا ايضا)\\W*$")
('read more', 'related', 'اقرا ايضا')
>>> anchored_prefixes(r"(cookies?|privacy)"), anchored_prefixes(r"^\\W*(\\d+ comments|comment)")
((), ())
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from typing import Any

import numpy as np
import regex

from dedup.clean.fold import utf32_codes
from dedup.kernels import get as get_kernels

try:  # Python 3.11+
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

# Literal guards of the built-in rules that cost the most (the regex module gives alternations of many literals
# under IGNORECASE no literal prefilter): a folded line can match the rule only if it holds one of these
# literals, so the regex runs only on the few lines that do. Each guard belongs to the built-in pattern it was
# read from: a user file that replaces the rule (same name, other pattern) drops the guard.
GUARDS: dict[str, tuple[str, ...]] = {
    name: tuple(literals.split("|"))
    for name, literals in {
        "cookie-notice": "cookie|ملفات تعريف الارتباط|الكوكيز|privacy policy|سياسه الخصوصيه|terms of|شروط الاستخدام",
        "ad-line": "عروض|عرض خاص|خصم|خصومات|تخفيضات|تنزيلات|مجانا|مجاني|توصيل|اطلب|احجز|سارع|اشترك|الاشتراك|الغاء"
        "|كوبون|لفتره محدوده|free|discount|sale|order now|shop now|cancel anytime|limited time|promo|coupon|deal"
        "|subscribe",
        "ad-run": "اعلان|مجانا|مجاني|انشر|بيع|اشتر|اكتشف|عموله|سمسره|السوق|تسوق|خصم|عروض|اونلاين|تطبيق|منصتك|دليلك"
        "|sponsored|advertis|free|shop|buy|sell|discount|offer|download the app|subscribe now",
        "meta-line": "عدد|القراءات|المشاهدات|الزيارات|view|read|القراءه|دقائق|دقيقه",
        "copyright": "©|(c)|copyright|all rights reserved|حقوق النشر|الحقوق محفوظه",
    }.items()
}
# Under IGNORECASE these match an ASCII letter of a guard's literal (İ/i, ſ/s, K/k: all the characters the
# regex module folds onto ASCII letters, found by trying every code point), as does any ASCII capital: a folded
# line is casefolded and NFKC, so it holds none of them, but a line that does is left to the regex.
CASE_TWINS = regex.compile("[A-Z\u0130\u017f\u212a]")
TWINS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ\u0130\u017f\u212a")
# What a line starts with before its first word character: the ``\W*`` an anchored pattern starts with.
LEADS = regex.compile(r"\W*", regex.IGNORECASE | regex.V0)
_WORD_CHAR = regex.compile(r"\w", regex.IGNORECASE | regex.V0)


def admits(guard: tuple[str, ...], folded: str) -> bool:
    """Whether a rule with this literal ``guard`` (``()``: none) may match the folded line at all.

    >>> admits(("cookie",), "we use cookies"), admits(("cookie",), "the port strike"), admits((), "anything")
    (True, False, True)
    """
    if not guard:
        return True
    for literal in guard:
        if literal in folded:
            return True
    return CASE_TWINS.search(folded) is not None


def page_literals(guard: tuple[str, ...], page: str) -> tuple[str, ...] | None:
    """What a line of ``page`` (its folded lines joined) must hold for a rule with this ``guard`` to be tried:
    ``None`` for any line (no guard, or a case twin on the page: :func:`admits` line by line), else the
    guard's literals the page holds (``()``: no line can match). One substring search per literal per page
    instead of per line; a literal holds no newline, so each one found lies inside one line.

    >>> page_literals(("cookie", "privacy policy"), "we use cookies\\nthe port strike")
    ('cookie',)
    >>> page_literals(("cookie",), "the port strike"), page_literals((), "anything")
    ((), None)
    """
    if not guard or CASE_TWINS.search(page) is not None:
        return None
    return tuple(literal for literal in guard if literal in page)


class LiteralFinder:
    """Which of a fixed set of literals a page holds (:func:`page_literals` of every guarded rule at once): one
    compiled pass over the page, each position tried against the literals that begin with its character, when
    the kernels are loaded; else one substring search per literal. In the literals' order.

    >>> LiteralFinder(("cookie", "privacy policy", "اشترك")).on("we use cookies\\nاشتركوا الان")
    ['cookie', 'اشترك']
    """

    def __init__(self, literals: tuple[str, ...]) -> None:
        self.literals = literals
        order = sorted(range(len(literals)), key=lambda k: literals[k][:1])
        codes = [np.frombuffer(literals[k].encode("utf-32-le", "surrogatepass"), np.uint32) for k in order]
        # The kernel finds literals by their first character, of the BMP: any other literal, the substring search.
        self._compiled = all(c.size and c[0] <= 0xFFFF for c in codes)
        self._order = np.array(order, dtype=np.int64)
        self._flat = np.concatenate(codes) if codes else np.zeros(0, np.uint32)
        self._offsets = np.concatenate(([0], np.cumsum([c.size for c in codes]))).astype(np.int64)
        firsts = np.array([c[0] if c.size else 0 for c in codes], dtype=np.int64)
        self._lo = np.searchsorted(firsts, np.arange(0x10000), "left").astype(np.int32)
        self._hi = np.searchsorted(firsts, np.arange(0x10000), "right").astype(np.int32)

    def on(self, page: str) -> list[str]:
        kernels = get_kernels(0)
        if kernels is None or not self._compiled or not page:
            return [literal for literal in self.literals if literal in page]
        text = np.frombuffer(page.encode("utf-32-le", "surrogatepass"), np.uint32)
        found = self._order[kernels.find_literals(text, self._flat, self._offsets, self._lo, self._hi)]
        return [self.literals[k] for k in sorted(found.tolist())]

    def on_pages(self, pages: list[str]) -> list[list[str]]:
        """:meth:`on` of each page, all in one compiled pass when the kernels are loaded.

        >>> LiteralFinder(("cookie", "اشترك")).on_pages(["we use cookies", "", "اشتركوا الان cookie"])
        [['cookie'], [], ['cookie', 'اشترك']]
        """
        kernels = get_kernels(0)
        if kernels is None or not self._compiled:
            return [self.on(page) for page in pages]
        ends = np.zeros(len(pages) + 1, dtype=np.int64)
        np.cumsum([len(page) for page in pages], out=ends[1:])
        text = utf32_codes("".join(pages))
        found = kernels.find_literals_pages(text, ends, self._flat, self._offsets, self._lo, self._hi)
        out: list[list[str]] = [[] for _ in pages]
        rows, places = np.nonzero(found)
        for row, k in sorted(zip(rows.tolist(), self._order[places].tolist())):
            out[row].append(self.literals[k])
        return out


def admitted(literals: tuple[str, ...] | None, guard: tuple[str, ...], folded: str) -> bool:
    """:func:`admits` of one line, given its page's :func:`page_literals`."""
    if literals is None:
        return admits(guard, folded)
    for literal in literals:
        if literal in folded:
            return True
    return False


# What a pattern may hold for its anchored prefixes to be read with Python's own parser: no construct the regex
# module reads otherwise (fuzzy "{e<=1}", inline flags, "(?|", named lists "\L<...>", "\p{...}" properties).
_FOREIGN = re.compile(r"\(\?(?!:)|\{(?!\d*,?\d*\})|\\[LpPNXGKmM]")


def anchored_prefixes(pattern: str) -> tuple[str, ...]:
    """The literal beginnings, one of which a line's text from its first word character on starts with, when
    ``pattern`` (folded, as compiled) is anchored: ``^\\W*`` and then something whose every alternative starts
    with a literal word character; ``()`` for any other pattern (no test).

    Each beginning is cut before its first character that is neither ASCII (ASCII letters lowercased: the line is
    casefolded) nor a letter without case (``Lo``: Arabic), so that under ``IGNORECASE`` it matches only itself
    on a line without :data:`CASE_TWINS`.
    """
    if _FOREIGN.search(pattern):
        return ()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "possible nested set": a pattern it would mislead is refused anyway
            items = list(sre_parse.parse(pattern))
    except (re.error, RecursionError, OverflowError):
        return ()
    if len(items) < 3 or items[0] != (sre_constants.AT, sre_constants.AT_BEGINNING) or not _any_non_word(items[1]):
        return ()
    firsts = _firsts(items[2:])
    if not firsts:
        return ()
    out = []
    for literal in sorted(firsts):
        kept = ""
        for ch in literal:
            if ch.isascii():
                kept += ch.lower()
            elif unicodedata.category(ch) == "Lo":
                kept += ch
            else:
                break
        if not kept or _WORD_CHAR.match(kept[0]) is None:
            return ()
        out.append(kept)
    # Shortest first, and none that a shorter one already begins: the same lines pass.
    unique: list[str] = []
    for literal in sorted(set(out), key=lambda s: (len(s), s)):
        if not literal.startswith(tuple(unique)):
            unique.append(literal)
    return tuple(sorted(unique, key=out.index))


def _any_non_word(item: tuple[Any, Any]) -> bool:
    """Whether a parsed item is ``\\W*``."""
    op, av = item
    if op is not sre_constants.MAX_REPEAT and op is not sre_constants.MIN_REPEAT:
        return False
    lo, hi, sub = av
    return (
        lo == 0
        and hi == sre_constants.MAXREPEAT
        and list(sub) == [(sre_constants.IN, [(sre_constants.CATEGORY, sre_constants.CATEGORY_NOT_WORD)])]
    )


def _firsts(items: list[tuple[Any, Any]]) -> set[str] | None:
    """Literal beginnings one of which every match of the parsed sequence ``items`` starts with (``None``: no
    such set, e.g. it may start with a class or match nothing)."""
    if not items:
        return None
    op, av = items[0]
    if op is sre_constants.LITERAL:
        run = ""
        for op_k, av_k in items:
            if op_k is not sre_constants.LITERAL:
                break
            run += chr(av_k)
        return {run}
    if op is sre_constants.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return None if add_flags or del_flags else _firsts(list(sub))
    if op is sre_constants.BRANCH:
        out: set[str] = set()
        for alternative in av[1]:
            found = _firsts(list(alternative))
            if found is None:
                return None
            out |= found
        return out
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        lo, _hi, sub = av
        return _firsts(list(sub)) if lo >= 1 else None
    if op is sre_constants.IN and av and all(m_op is sre_constants.LITERAL for m_op, _ in av):
        return {chr(c) for _, c in av}
    return None
