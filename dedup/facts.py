"""What a text states: the fact (a figure, a date, a name) each of its words is part of.

Read from normalised tokens for the template test (:mod:`dedup.templates`): numbers and dates with every reading
:mod:`dedup.numbers` finds in them, month and weekday words, and the names that follow a title ("الرييس ...",
"king ..."). A page's own dates (its publication line, its last update, a dateline) are set aside
(:func:`page_dates`): each outlet's page of one wire story carries its own, and they are no fact of the story.

>>> [f.kind if f else "-" for f in token_facts("نشر في 14 ديسمبر 2025 10 30 ص وصلت الطائره الرابعه".split())]
['-', '-', '-', '-', '-', '-', '-', '-', '-', '-', 'number']
"""

from __future__ import annotations

import bisect
import functools
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from dedup.datelines import page_dates
from dedup.numbers import (
    DATE_WORDS,
    HUNDREDS,
    MONTHS,
    ORDINALS,
    PAIRED,
    PREFIXES,
    SCALES,
    TENS,
    UNITS,
    Day,
    Quantity,
    Reading,
    bare,
    read_expression,
    read_token,
    thousands,
)

FactKind = Literal["number", "date", "name", "event", "forecast", "place", "party"]  # "event": an arrival or departure
# (direction); "forecast": the regions and weather of a weather report (dedup.forecast); "place": PLACES

# fmt: off
# Words a name follows (after their clitics are stripped): the people and countries a formula item is about.
_TITLES = {
    "رييس", "ملك", "امير", "سلطان", "شيخ", "فخامه", "جلاله", "لواء", "عميد", "عقيد", "محافظه",
    "president", "king", "prince", "sultan", "sheikh", "emir", "minister", "premier",
}
# Skipped inside a name ("محمد بن نايف", "bin salman"): they are the same in every name.
_NAME_JOINERS = {"بن", "ابن", "بنت", "ال", "عبد", "bin", "al", "of", "the"}
NAME_LENGTH = 2  # name words taken after a title
# Levantine, Egyptian/Gulf and English month names of one month are one fact ("شباط" = "فبراير").
_MONTH = {word: f"m{n}" for word, n in MONTHS.items()}
# "تشرين" and "كانون" are two months each (first / second): either reading.
_MONTH_PAIRS = {"تشرين": frozenset({"m10", "m11"}), "كانون": frozenset({"m12", "m1"})}
# fmt: on


@dataclass(frozen=True, slots=True)
class Fact:
    """A fact a token states, and every reading of it (see :mod:`dedup.numbers`): exact forms (``values``:
    digit strings, month and weekday keys, a name), figures and dates. A token inside a longer expression
    ("726" in "7 726 135", "ديسمبر" in "14 ديسمبر 2025") states the expression (``whole``), and its own value
    besides when the expression may be several facts written side by side ("15 35", a range or a decimal)."""

    kind: FactKind
    values: frozenset[str] = frozenset()
    quantities: tuple[Quantity, ...] = ()
    dates: tuple[Day, ...] = ()
    whole: Fact | None = None

    def matches(self, other: Fact) -> bool:
        """Whether the two can be one fact: a common exact form, figure or date."""
        return bool(
            self.values & other.values
            or any(q.same(o) for q in self.quantities for o in other.quantities)
            or any(d.same(o) for d in self.dates for o in other.dates)
        )


def _date_fact(word: str) -> Fact:
    if word in _MONTH_PAIRS:
        return Fact("date", _MONTH_PAIRS[word])
    return Fact("date", frozenset({_MONTH.get(word, word)}))


def _date_word(token: str) -> str:
    """The month or weekday a token is, behind up to two one-letter proclitics ("والسبت", "للجمعه" = "الجمعه");
    "" if none. ("واثنين" is "and two", not Monday: the article has to be there.)"""
    if token.startswith("لل"):
        token = "ا" + token[1:]
    for k in range(min(3, len(token))):
        if k and token[k - 1] not in "وبلفك":
            break
        if token[k:] in DATE_WORDS:
            return token[k:]
    return ""


_NUMBER_WORDS = UNITS.keys() | ORDINALS.keys() | TENS.keys() | HUNDREDS.keys() | SCALES.keys()


@functools.lru_cache(maxsize=1 << 18)
def word_kind(token: str) -> str:
    """What one word can be part of, on its own (cached): ``"figure"`` (it has digits), ``"date"`` (a month or
    weekday), ``"number"`` (a number or scale word), ``"title"`` or ``""``. :func:`token_facts` reads the rest."""
    if not token.isalpha():
        return "figure" if any(c.isdigit() for c in token) else ""
    if _date_word(token):  # "الاحد" is Sunday before it is "one"
        return "date"
    if token in _NUMBER_WORDS or bare(token) in _NUMBER_WORDS:
        return "number"
    return "title" if token in _TITLES or bare(token) in _TITLES else ""


def _fact_forms() -> frozenset[str]:
    """Every all-letter token :func:`word_kind` gives a kind: the vocabulary behind its proclitics. (An all-letter
    word outside them has none: :func:`token_facts` and the template test's slots skip such words unread.)"""
    vocab = set(_NUMBER_WORDS) | _TITLES | DATE_WORDS
    forms = set(vocab) | {p + w for p in PREFIXES for w in vocab}
    one = "وبلفك"
    forms |= {a + w for a in one for w in DATE_WORDS} | {a + b + w for a in one for b in one for w in DATE_WORDS}
    forms |= {"ل" + w[1:] for w in DATE_WORDS if w.startswith("ال")}  # "للجمعه" = "الجمعه"
    return frozenset(f for f in forms if word_kind(f))


FACT_FORMS = _fact_forms()

# Words that tell a day relative to the text's own date (a rewrite published a day later writes "امس" for the
# date its source gave): read by dedup.evidence's facts test.
RELATIVE_DAYS = frozenset({"امس", "اليوم", "غدا", "البارحه", "yesterday", "today", "tomorrow"})

# fmt: off
# A protocol item's direction: a visitor arrives and is received, or leaves and is seen off. Formula items of one
# visit ("وصل ... وكان في استقباله" / "غادر ... وكان في وداعه") name the same people and places: only these words
# tell the arrival from the departure (dedup.templates counts slots that swap one for the other).
_ARRIVAL = frozenset({"وصل", "وصلت", "يصل", "تصل", "وصول", "وصوله", "استقبال", "استقباله", "استقبل",
                      "arrived", "arrives", "arrival"})
_DEPARTURE = frozenset({"غادر", "غادرت", "يغادر", "تغادر", "مغادره", "مغادرته", "وداع", "وداعه", "ودع",
                        "departed", "departs", "departure", "farewell"})
# fmt: on


_DIRECTION_FORMS = frozenset(p + w for p in ("", *PREFIXES) for w in _ARRIVAL | _DEPARTURE)


def may_turn(tokens: Sequence[str]) -> bool:
    """Whether some token may be a word :func:`direction` reads (every form it strips to one, and more).

    >>> may_turn("وكان في استقباله".split()), may_turn("وكان في القصر".split())
    (True, False)
    """
    return not _DIRECTION_FORMS.isdisjoint(tokens)


def direction(tokens: Sequence[str]) -> str:
    """``"arrival"`` or ``"departure"`` when the words name only one of the two (after their clitics are
    stripped), else ``""``.

    >>> direction("وكان في استقباله لدى وصوله".split()), direction("وكان في وداعه".split())
    ('arrival', 'departure')
    >>> direction("وصل ثم غادر".split())
    ''
    """
    if _DIRECTION_FORMS.isdisjoint(tokens):
        return ""
    found = set()
    for t in tokens:
        w = t if t in _ARRIVAL or t in _DEPARTURE else bare(t)
        if w in _ARRIVAL:
            found.add("arrival")
        elif w in _DEPARTURE:
            found.add("departure")
    return found.pop() if len(found) == 1 else ""


# fmt: off
# Saudi regions, cities and governorates (bare forms: "بمحايل" is "محايل"), the places a local formula item (an
# education office's interviews, a municipality's campaign) is about. Forms that are also common words are left
# out ("الخبر" the news, "الوجه" the face, "الكامل", "العلا", "الشرقيه", "حفر").
PLACES = frozenset({
    "رياض", "مكه", "منوره", "قصيم", "عسير", "تبوك", "حايل", "جازان", "جيزان", "نجران", "باحه", "جوف", "عرعر",
    "سكاكا", "طايف", "جده", "ابها", "دمام", "احساء", "قطيف", "جبيل", "باطن", "ينبع", "مشيط", "محايل", "بيشه",
    "قنفذه", "ليث", "رابغ", "عنيزه", "بريده", "مجمعه", "خرج", "دوادمي", "دواسر", "قريات", "رفحاء", "طريف",
    "شروره", "صامطه", "صبيا", "عريش", "نماص", "بلجرشي", "مخواه", "املج", "ضباء", "تيماء", "زلفي", "شقراء",
    "عفيف", "افلاج", "ضرما", "مزاحميه", "جموم", "خليص", "تربه", "رنيه", "خرمه", "تنومه", "بارق", "مجارده",
    "عرضيات", "قويعيه", "حريملاء", "ثادق", "غاط", "بكيريه", "بدايع", "مذنب", "اسياح", "نبهانيه", "شماسيه",
    "جواء", "ظهران", "خفجي", "بقيق", "نعيريه", "عقيق", "قري", "حوطه", "سليل", "خماسين", "بدر", "مهد",
})
# fmt: on
# Every word whose bare form is a place (bare() strips one proclitic).
_PLACE_FORMS = frozenset(f for f in (p + w for p in ("", *PREFIXES) for w in PLACES) if bare(f) in PLACES)


def place_words(tokens: Sequence[str]) -> set[str]:
    """The places of :data:`PLACES` that ``tokens`` name (bare forms).

    >>> sorted(place_words("بدات اداره التعليم بمحايل عسير".split()))
    ['عسير', 'محايل']
    """
    if _PLACE_FORMS.isdisjoint(tokens):  # most slots name no place: no word of them is read
        return set()
    return {w for w in map(bare, tokens) if w in PLACES}


_ORDER = {"الاول", "الاولي", "الثاني", "الثانيه", "الاخر", "الاخره"}
# Words that can continue a figure or a date besides the fact words themselves ("14 من شهر ديسمبر", "2015 م").
_CONTINUE = frozenset({"و", "and", "من", "شهر", "ذو", "ذي", "م", "ه"})
READ_SPAN = 12  # tokens read for a figure or a date that does not stand alone


def _reading(tokens: Sequence[str], i: int) -> Reading | None:
    """The figure or date that starts at ``tokens[i]`` (one rule for :func:`token_facts` and its reference)."""
    token = tokens[i]
    kind = word_kind(token)
    if kind == "date" and token not in _MONTH and token not in _MONTH_PAIRS and token[1:] not in _MONTH:
        return None  # a weekday, a Hijri month: a date word (see _date_fact)
    if i and ((tokens[i - 1] == "امس" and token == "الاول") or (tokens[i - 1] in PAIRED and token in _ORDER)):
        return None  # "امس الاول": the day before yesterday; "كانون الثاني", "ربيع الاول": a month's name
    if kind not in ("figure", "number", "date"):
        return None
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if not nxt or (nxt.isalpha() and nxt not in FACT_FORMS and nxt not in _CONTINUE):
        found = _alone(token)  # most figures stand alone: read once per distinct token
    else:
        found = _window(tuple(tokens[i : i + READ_SPAN]))
    return found if found is None or not i else Reading(found.start + i, found.stop + i, *found[2:])


@functools.lru_cache(maxsize=1 << 16)
def _alone(token: str) -> Reading | None:
    return read_expression([token], 0) or read_token(token)


@functools.lru_cache(maxsize=1 << 13)
def _window(tokens: tuple[str, ...]) -> Reading | None:
    """The figure or date that starts a window of up to :data:`READ_SPAN` tokens, not standing alone. Cached: the
    texts a scan compares are look-alikes, so their sentences, and the figures in them, recur from one text to the
    next."""
    found = read_expression(list(tokens), 0)
    return found or (read_token(tokens[0]) if word_kind(tokens[0]) == "figure" else None)


def _own(token: str) -> frozenset[str]:
    """What a token of a date, a range or a decimal says on its own, exactly: its digits ("15" of "15 35"), its
    month. (Only exactly: "614" of "614 25" must not pass for 614.25 rounded.)"""
    if token in _MONTH or token in _MONTH_PAIRS:
        return _date_fact(token).values
    digits = "".join(c for c in token if c.isdigit())
    return frozenset({digits.lstrip("0") or "0"}) if digits else frozenset()


def token_facts(tokens: Sequence[str]) -> list[Fact | None]:
    """The fact each token states, or ``None`` (normalised tokens, see :func:`dedup.normalize.normalize`).

    >>> [sorted(q.value for q in f.quantities) for f in token_facts("وصل 25 الفا و823 ناخبا".split()) if f][0]
    [25823.0]
    """
    n = len(tokens)
    out: list[Fact | None] = [None] * n
    # A news text states a fact in a few dozen of its hundreds of words: visit only those (a token with a
    # digit, or one of the fact words behind its proclitics). tests/test_templates.py holds the same rules
    # applied to every token, and checks that both read every text alike.
    forms = FACT_FORMS
    hits = [i for i, t in enumerate(tokens) if t in forms or not t.isalpha()]
    readings: list[Reading] = []
    titles = []
    skip = 0
    for i in hits:
        if i < skip:
            continue
        found = _reading(tokens, i)
        if found is not None:
            readings.append(found)
            skip = found.stop
        elif word_kind(tokens[i]) == "date":
            out[i] = _date_fact(_date_word(tokens[i]))
        elif word_kind(tokens[i]) == "title":
            titles.append(i)
    _place(tokens, readings, out)
    _names(tokens, titles, out)
    return out


def may_hold_fact(tokens: Sequence[str], i1: int, i2: int) -> bool:
    """Whether :func:`token_facts` may give one of ``tokens[i1:i2]`` a fact (``False``: it gives none), from the
    slot's neighbourhood alone: a figure or a date read from a word at most :data:`READ_SPAN` tokens before it
    that reaches into it, a date word in it, or a title whose name words may fall in it. (The template test
    asks this of most slots: reading the facts of the whole text is for the few that hold one.)

    >>> t = "قال الرييس محمد ان 4 طايرات وصلت امس".split()
    >>> may_hold_fact(t, 2, 3), may_hold_fact(t, 4, 6), may_hold_fact(t, 6, 8)
    (True, True, False)
    """
    # Only a word of FACT_FORMS or one with a character other than a letter has a kind: the others (most of a
    # text, and its rarest words, new to word_kind()'s cache) are passed over unread.
    taken, p = 0, i1 - 1
    while p >= 0 and taken < NAME_LENGTH:  # a title's name words: the next NAME_LENGTH words but joiners
        token = tokens[p]
        if token in FACT_FORMS and word_kind(token) == "title":
            return True
        taken += token not in _NAME_JOINERS
        p -= 1
    for h in range(i1, i2):  # the slot's own words first: a figure or a date word there mostly is a fact
        token = tokens[h]
        kind = word_kind(token) if token in FACT_FORMS or not token.isalpha() else ""
        if kind in ("date", "title", "figure") or (kind and _reading(tokens, h) is not None):
            return True  # (a figure is read whatever follows it: no need to read it here)
    before = tokens[max(0, i1 - READ_SPAN + 1) : i1]
    if FACT_FORMS.isdisjoint(before) and all(map(str.isalpha, before)):
        return False  # no word before the slot starts a figure or a date
    for h in range(max(0, i1 - READ_SPAN + 1), i1):
        token = tokens[h]
        if (token in FACT_FORMS or not token.isalpha()) and word_kind(token) in ("figure", "number", "date"):
            found = _reading(tokens, h)
            if found is not None and found.stop > i1:
                return True
    return False


# fmt: off
# Words before a figure that make it a round approximation ("قرابه 60 برنامجا" for 59 events, "about 60").
APPROXIMATE = frozenset({"قرابه", "نحو", "حوالي", "زهاء", "يقارب", "يناهز", "تقريبا", "about", "around", "nearly",
                         "approximately", "almost", "roughly", "some"})
# fmt: on


def approximate(quantities: tuple[Quantity, ...]) -> tuple[Quantity, ...]:
    """The figures of an approximation ("نحو 60"), each rounded to its second digit at least: 60 stands for 55-69
    (:meth:`dedup.numbers.Quantity.same`), 150 for 145-159. Two approximations of different figures stay two
    facts (same precision, different values).

    >>> [(q.value, q.unit) for q in approximate((Quantity(60.0), Quantity(150.0), Quantity(7.0)))]
    [(60.0, 10.0), (150.0, 10.0), (7.0, 1.0)]
    """
    out = []
    for q in quantities:
        magnitude = 10.0 ** math.floor(math.log10(q.value)) if q.value >= 1 else 1.0
        lead = magnitude if q.value < 100 else magnitude / 10
        out.append(Quantity(q.value, max(q.unit, lead)))
    return tuple(out)


def _approximated(tokens: Sequence[str], start: int) -> bool:
    """Whether the figure at ``tokens[start]`` follows a word of approximation (behind "و" or "ب")."""
    for k in (start - 1, start - 2):
        if k < 0:
            return False
        word = tokens[k]
        if word in APPROXIMATE or (word[:1] in ("و", "ب") and word[1:] in APPROXIMATE):
            return True
        if word not in ("ما", "من", "الي"):  # "ما يقارب 60", "يصل الي نحو"
            break
    return False


def _place(tokens: Sequence[str], readings: list[Reading], out: list[Fact | None]) -> None:
    """Each reading's fact on every token of it; none on the page's own dates (:func:`page_dates`)."""
    for r in readings:
        approximated = bool(r.quantities) and r.kind == "number" and _approximated(tokens, r.start)
        whole = _whole_fact(r.kind, r.keys, r.quantities, r.dates, approximated)
        if r.stop - r.start == 1:
            out[r.start] = whole
            continue
        # A date, a range or a decimal may also be two figures side by side; a number in thousands or with a
        # scale word is one.
        several = r.kind == "date" or (len(r.groups) > 1 and not thousands(list(r.groups)))
        for k in range(r.start, r.stop):
            out[k] = _part_fact(whole, tokens[k] if several else "")
    for start, stop in page_dates(list(tokens), readings):
        out[start:stop] = [None] * (stop - start)


@functools.lru_cache(maxsize=1 << 14)
def _whole_fact(
    kind: str, keys: frozenset[str], quantities: tuple[Quantity, ...], dates: tuple[Day, ...], approximated: bool
) -> Fact:
    """The fact of a reading (its kind, exact forms, figures, dates), after a word of approximation or not.

    Cached (facts are immutable values): look-alike texts state the same figures and dates, and building a
    frozen dataclass costs more than finding it.

    >>> _whole_fact("number", frozenset({"60"}), (Quantity(60.0),), (), True).quantities
    (Quantity(value=60.0, unit=10.0),)
    """
    # A whole number is also its digits ("خمسه" = "5"), to meet the digits of a range or a date exactly.
    keys = keys | {str(int(q.value)) for q in quantities if q.unit == 1 and q.value.is_integer()}
    if approximated:
        quantities, keys = approximate(quantities), frozenset()  # "نحو 60": no exact 60, but about it
    return Fact(kind, keys, quantities, dates)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=1 << 14)
def _part_fact(whole: Fact, token: str) -> Fact:
    """The fact of one token of a longer expression: the whole's, plus what ``token`` says on its own (none for
    ``""``: an expression that is one figure, "1 059 593").

    >>> _part_fact(_whole_fact("number", frozenset({"1535"}), (), (), False), "15").values == {"1535", "15"}
    True
    """
    own = _own(token) if token else frozenset()
    return Fact(whole.kind, whole.values | own, whole.quantities, whole.dates, whole)


def _names(tokens: Sequence[str], titles: list[int], out: list[Fact | None]) -> None:
    n = len(tokens)
    for i in titles:
        taken, j = 0, i + 1
        while j < n and taken < NAME_LENGTH:
            word = tokens[j]
            j += 1
            if word in _NAME_JOINERS:
                continue
            taken += 1
            if out[j - 1] is None and not (word in FACT_FORMS and word_kind(word) == "title"):
                out[j - 1] = Fact("name", frozenset({word}))


class Statements:
    """Every fact a text states, for "does the other text state this one anywhere?" (by value: "7 مليون" is
    stated by "7 726 135")."""

    def __init__(self, facts: Sequence[Fact | None]) -> None:
        values: set[str] = set()
        quantities: set[Quantity] = set()
        dates: set[Day] = set()
        for f in facts:
            if f is not None and f.kind != "name":
                values |= f.values
                quantities.update(f.quantities)
                dates.update(f.dates)
        self.values = values
        self.quantities = sorted(quantities, key=operator.attrgetter("value"))
        self.sorted_values = [q.value for q in self.quantities]
        self.widest = max((q.unit for q in self.quantities), default=0.0)
        self.dates = list(dates)

    def states(self, fact: Fact) -> bool:
        if fact.values & self.values or any(d.same(o) for d in fact.dates for o in self.dates):
            return True
        for q in fact.quantities:
            reach = max(q.unit, self.widest)  # no figure farther than this can be the same
            lo = bisect.bisect_left(self.sorted_values, q.value - reach)
            hi = bisect.bisect_right(self.sorted_values, q.value + reach)
            if any(q.same(o) for o in self.quantities[lo:hi]):
                return True
        return False
