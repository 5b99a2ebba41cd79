"""Tell a copy from a template sibling: same formula, different facts.

Wire feeds are full of formula items (cables of congratulation to different heads of state, "relief plane number
4 / number 5 arrived", daily market closes, weather) whose shingles overlap as much as a real copy's do. What
differs between two such items is *facts*: numbers, dates, names, places. What differs between two copies of one
story is *wording*: a changed lead, a dropped sentence, another outlet's dateline, "4" spelled "four". Copies keep
their facts, even when shortened or reworded.

So the two texts are aligned word by word (a minimal edit script from rapidfuzz's bit-parallel Levenshtein, whose
runs of edits between two equal stretches form one replaced span) and every short replaced span (a *slot*: at most
:data:`MAX_SLOT` words on each side) is examined. A slot is a *fact substitution* when

* each side holds a fact (a number, a date word, a name after a title) that the other text has nowhere at all
  (so a reworded or reordered copy, which states the same facts elsewhere, never qualifies), or
* both sides are nothing but figures, with identical words around them (:data:`FLANK`), and the figures differ
  ("wind 15-35 km/h" vs "wind 10-30 km/h": the same slot of the formula filled with another value).

Facts are read the way outlets write them, so that a copy's facts match: "4" / "أربعة", "السادس والعشرين" / "26",
"25 ألفا و823" / "25,823", "15.8" / "8ر15", "شباط" / "فبراير". One substituted number or date makes the pair a
template sibling; names need two slots, because transliterations
of one name vary between outlets and one odd slot is weaker evidence than a changed figure.

A second test guards the weaker candidates. Two copies keep the order of the text they copy; two reports written
independently from one press conference share quotes in a different order. A pair whose 3-gram containment is
below :data:`STRONG_CONTAINMENT` (and Jaccard below :data:`STRONG_JACCARD`) is *different* — not linked at all —
when less than :data:`MIN_ORDERED` of the smaller text aligns in order with the larger one.

>>> a = "وصلت الطائرة رقم 4 الى مطار عدن تحمل 20 طنا من المساعدات".split()
>>> b = "وصلت الطائرة رقم 5 الى مطار عدن تحمل 35 طنا من المساعدات".split()
>>> relation(a, b)
'template'
>>> relation(a, a + "وقال مسؤول ان الشحنه تضم ادويه".split())
'duplicate'
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import regex
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

DUPLICATE = "duplicate"
TEMPLATE = "template"
DIFFERENT = "different"  # shared fragments, not one text: no link at all

# A template swaps short spans in the same place; a longer replaced span is a rewrite (or a misalignment).
MAX_SLOT = 8
# Identical words needed on each side of a figures-only slot for it to count even when the figures occur
# elsewhere in the other text (the formula around the slot is what makes it the same slot).
FLANK = 2
# Name slots needed to call a pair a template (one number or date slot is enough).
MIN_NAME_SLOTS = 2
# Below these 3-gram similarities a pair must also share its text in order (see module docstring).
STRONG_CONTAINMENT = 0.8
STRONG_JACCARD = 0.5
MIN_ORDERED = 0.5
MIN_RUN = 2  # words in an aligned stretch for it to count as in-order text
# Two name spellings this close (Indel ratio, 2 * LCS / total length) are one name written two ways
# ("الامريكي" / "الاميركي").
NAME_SPELLING = 0.8

FactKind = Literal["number", "date", "name"]

_DIGITS = regex.compile(r"\d+")
_NUMBER_TOKEN = regex.compile(r"\D{0,3}\d+")  # "2015", "و823", "ال150000": one number, maybe with a clitic
_AND_NUMBER = regex.compile(r"و(\d+)")  # "25 الفا و823" = 25823
# Proclitics (and, with, to, the ...) stripped to find the bare word; longest first.
_PREFIXES = ("وبال", "وال", "بال", "لل", "ال", "و", "ب", "ل", "ف", "ك")
# The vocabulary tables stay in rows (ruff format would put one word per line).
# fmt: off
_SPELLED = {
    "واحد": 1, "احد": 1, "اثنان": 2, "اثنين": 2, "اثنتين": 2, "اثنتان": 2, "ثلاث": 3, "ثلاثه": 3, "اربع": 4,
    "اربعه": 4, "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6, "سبع": 7, "سبعه": 7, "ثمان": 8, "ثماني": 8, "ثمانيه": 8,
    "تسع": 9, "تسعه": 9, "عشر": 10, "عشره": 10,
    "اول": 1, "اولي": 1, "ثاني": 2, "ثانيه": 2, "ثالث": 3, "ثالثه": 3, "رابع": 4, "رابعه": 4, "خامس": 5,
    "خامسه": 5, "سادس": 6, "سادسه": 6, "سابع": 7, "سابعه": 7, "ثامن": 8, "ثامنه": 8, "تاسع": 9, "تاسعه": 9,
    "عاشر": 10, "عاشره": 10, "حادي": 1, "حاديه": 1,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10,
}
# Tens, in both cases ("خمسه وعشرين" = 25: the unit comes first in Arabic).
_TENS = {
    "عشرين": 20, "عشرون": 20, "ثلاثين": 30, "ثلاثون": 30, "اربعين": 40, "اربعون": 40, "خمسين": 50, "خمسون": 50,
    "ستين": 60, "ستون": 60, "سبعين": 70, "سبعون": 70, "ثمانين": 80, "ثمانون": 80, "تسعين": 90, "تسعون": 90,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_THOUSAND = {"الف", "الفا", "الاف", "thousand"}
_DATE_WORDS = {
    "يناير", "فبراير", "مارس", "ابريل", "مايو", "يونيو", "يوليو", "اغسطس", "سبتمبر", "اكتوبر", "نوفمبر",
    "ديسمبر", "كانون", "شباط", "اذار", "نيسان", "ايار", "حزيران", "تموز", "ايلول", "تشرين",
    "محرم", "صفر", "ربيع", "جمادي", "رجب", "شعبان", "رمضان", "شوال", "القعده", "الحجه",
    "السبت", "الاحد", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعه",
    # English "may" is left out: far more often the verb than the month.
    "january", "february", "march", "april", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}
# Words a name follows (after their clitics are stripped): the people and countries a formula item is about.
_TITLES = {
    "رييس", "ملك", "امير", "سلطان", "شيخ", "فخامه", "جلاله",
    "president", "king", "prince", "sultan", "sheikh", "emir", "minister", "premier",
}
# Skipped inside a name ("محمد بن نايف", "bin salman"): they are the same in every name.
_NAME_JOINERS = {"بن", "ابن", "بنت", "ال", "عبد", "bin", "al", "of", "the"}
_NAME_LENGTH = 2  # name words taken after a title
# fmt: on


@dataclass(frozen=True, slots=True)
class Fact:
    """A fact a token states: its kind and the values it may stand for ("63ر54" may be 63, 54 or 6354)."""

    kind: FactKind
    values: frozenset[str]


@dataclass(frozen=True, slots=True)
class Substitution:
    """A slot of the aligned texts filled with different facts on each side."""

    kind: FactKind
    a: str  # the words of the slot in the first text
    b: str


@dataclass(slots=True)
class Relation:
    """What a pair is, and why: the fact substitutions found and how much of the smaller text aligns in order."""

    kind: str
    substitutions: list[Substitution] = field(default_factory=list)
    ordered: float = 1.0  # share of the smaller text in aligned (same-order) stretches of MIN_RUN+ words
    containment: float | None = None  # 3-gram containment on the tokens (computed only when out of order)


# _bare at the start of every space-separated word (alternatives tried in _PREFIXES order, 2+ letters left).
_PROCLITIC = regex.compile(r"(?<![^ ])(?:" + "|".join(_PREFIXES) + r")(?=[^ ]{2})")


@functools.lru_cache(maxsize=1 << 18)
def _bare(token: str) -> str:
    """The word without its proclitics (cached: every pair asks again for the same few thousand words)."""
    for prefix in _PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 2:
            return token[len(prefix) :]
    return token


def _canon(n: int) -> str:
    # Trailing zeros go: "150 الفا" = 150000 and "197 مليون" = 197 000 000 then compare as "15" and "197".
    return str(n).rstrip("0") or "0"


# Levantine, Egyptian/Gulf and English month names of one month are one fact ("شباط" = "فبراير").
# fmt: off
_MONTH = {
    "يناير": "m1", "فبراير": "m2", "مارس": "m3", "ابريل": "m4", "مايو": "m5", "يونيو": "m6", "يوليو": "m7",
    "اغسطس": "m8", "سبتمبر": "m9", "اكتوبر": "m10", "نوفمبر": "m11", "ديسمبر": "m12",
    "شباط": "m2", "اذار": "m3", "نيسان": "m4", "ايار": "m5", "حزيران": "m6", "تموز": "m7", "ايلول": "m9",
    "january": "m1", "february": "m2", "march": "m3", "april": "m4", "june": "m6", "july": "m7",
    "august": "m8", "september": "m9", "october": "m10", "november": "m11", "december": "m12",
}
# "تشرين" and "كانون" are two months each (first / second): either reading.
_MONTH_PAIRS = {"تشرين": frozenset({"m10", "m11"}), "كانون": frozenset({"m12", "m1"})}
# fmt: on


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
        if token[k:] in _DATE_WORDS:
            return token[k:]
    return ""


@functools.lru_cache(maxsize=1 << 18)
def _word(token: str) -> tuple[str, Fact | int | str | None]:
    """What one word is on its own (cached): ``("figure", digits)``, ``("fact", Fact)``, ``("spelled", n)``,
    ``("thousand", None)``, ``("title", None)`` or ``("", None)``. :func:`token_facts` adds the context."""
    runs = _DIGITS.findall(token)
    if runs and _NUMBER_TOKEN.fullmatch(token):
        return "figure", runs[0]
    if runs:  # "63ر54", "40كم", "12 8مليون": each run, or the runs read as one number either way round
        joined = {"".join(runs), "".join(reversed(runs))}
        return "fact", Fact("number", frozenset({_canon(int(r)) for r in [*runs, *joined]}))
    bare = _bare(token)
    # Dates first: "الاحد" is Sunday before it is "one".
    date = _date_word(token)
    if date:
        return "fact", _date_fact(date)
    if token in _SPELLED or bare in _SPELLED or bare in _TENS:
        return "spelled", _SPELLED.get(token, _SPELLED.get(bare, _TENS.get(bare, 0)))
    if token in _THOUSAND or bare in _THOUSAND:
        return "thousand", None
    if token in _TITLES or bare in _TITLES:
        return "title", None
    return "", None


def _fact_forms() -> frozenset[str]:
    """Every all-letter token :func:`_word` gives a kind: the vocabulary behind its proclitics."""
    vocab = set(_SPELLED) | set(_TENS) | _THOUSAND | _TITLES | _DATE_WORDS
    forms = set(vocab) | {p + w for p in _PREFIXES for w in vocab}
    one = "وبلفك"
    forms |= {a + w for a in one for w in _DATE_WORDS} | {a + b + w for a in one for b in one for w in _DATE_WORDS}
    forms |= {"ل" + w[1:] for w in _DATE_WORDS if w.startswith("ال")}  # "للجمعه" = "الجمعه"
    return frozenset(f for f in forms if _word(f)[0])


_FACT_FORMS = _fact_forms()


def token_facts(tokens: Sequence[str]) -> list[Fact | None]:
    """The fact each token states, or ``None`` (normalised tokens, see :func:`dedup.normalize.normalize`).

    >>> [f.values for f in token_facts("وصل 25 الفا و823 ناخبا".split()) if f]
    [frozenset({'25823'})]
    """
    n = len(tokens)
    out: list[Fact | None] = [None] * n
    # A news text states a fact in a few dozen of its hundreds of words: visit only those (a token with a
    # digit, or one of the fact words behind its proclitics). tests/test_templates.py holds the same rules
    # applied to every token, and checks that both read every text alike.
    forms = _FACT_FORMS
    hits = [i for i, t in enumerate(tokens) if t in forms or not t.isalpha()]
    titles = []
    skip = 0
    for i in hits:
        if i < skip:
            continue
        kind, what = _word(tokens[i])
        if kind == "figure":
            digits, j = str(what), i + 1
            while j < n and len(tokens[j]) == 3 and tokens[j].isdigit():  # "15 615", "197 000 000"
                digits += tokens[j]
                j += 1
            value = int(digits)
            if j < n and _word(tokens[j])[0] == "thousand":
                value, j = value * 1000, j + 1
                more = _AND_NUMBER.fullmatch(tokens[j]) if j < n else None
                if more:  # "25 الفا و823"
                    value, j = value + int(more.group(1)), j + 1
            out[i] = Fact("number", frozenset({_canon(value)}))
            skip = j  # the thousands groups and words belong to this number
        elif kind == "fact":
            out[i] = what  # type: ignore[assignment]
        elif kind == "spelled":
            value = int(what)  # type: ignore[arg-type]
            after = _bare(tokens[i + 1]) if i + 1 < n and value < 10 else ""
            if after in _TENS or after in ("عشر", "عشره"):  # "السادس والعشرين" = 26, "التاسعه عشره" = 19
                out[i] = Fact("number", frozenset({_canon(value + _TENS.get(after, 10))}))
                skip = i + 2
            else:
                out[i] = Fact("number", frozenset({_canon(value)}))
        if kind == "title":
            titles.append(i)
    for i in titles:
        taken, j = 0, i + 1
        while j < n and taken < _NAME_LENGTH:
            word = tokens[j]
            j += 1
            if word in _NAME_JOINERS:
                continue
            taken += 1
            if out[j - 1] is None and _word(word)[0] != "title":
                out[j - 1] = Fact("name", frozenset({word}))
    return out


def _values(facts: Iterable[Fact | None], kind: FactKind | None = None) -> set[str]:
    return {v for f in facts if f is not None and (kind is None or f.kind == kind) for v in f.values}


class _Spellings:
    """Answers "does this text write this name somewhere?", allowing for spelling variants and split words."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self.tokens = tokens
        self._bare: set[str] | None = None  # built on the first question: most pairs never ask one
        self._by_length: dict[int, list[str]] = {}

    @property
    def bare(self) -> set[str]:
        if self._bare is None:
            t = self.tokens
            # _bare of every word, and of every two adjacent words written as one ("عبد الله" = "عبدالله"),
            # by one regex pass over each joined string instead of a Python call per word.
            joined = " ".join(map(operator.add, t[:-1], t[1:]))
            self._bare = set(_PROCLITIC.sub("", " ".join(t)).split()) | set(_PROCLITIC.sub("", joined).split())
            for w in self._bare:
                self._by_length.setdefault(len(w), []).append(w)
        return self._bare

    def has(self, name: str) -> bool:
        bare = _bare(name)
        if bare in self.bare:
            return True
        if len(bare) < 4:
            return False
        near = [w for k in range(len(bare) - 2, len(bare) + 3) for w in self._by_length.get(k, ())]
        return process.extractOne(bare, near, scorer=fuzz.ratio, score_cutoff=100 * NAME_SPELLING) is not None


def _new_facts(facts: Sequence[Fact | None], other_values: set[str], other: _Spellings) -> dict[FactKind, set[str]]:
    """Facts of a slot that the other text states nowhere, by kind."""
    found: dict[FactKind, set[str]] = {}
    for f in facts:
        if f is None:
            continue
        if f.kind == "name":
            new = {v for v in f.values if not other.has(v)}
        else:
            new = set() if f.values & other_values else set(f.values)
        if new:
            found.setdefault(f.kind, set()).update(new)
    return found


def _only_figures(words: Sequence[str], facts: Sequence[Fact | None]) -> bool:
    return bool(words) and all(f is not None and f.kind == "number" for f in facts)


def _figures(words: Sequence[str], facts: Sequence[Fact | None]) -> set[str]:
    """The figures of a slot as one comparable set, whatever the writing: "15.8" (normalised "15 8") and "8ر15"
    give {15, 8, 158, 815}; "47ر09" and "0947" share 947; spelled numbers give their value."""
    runs = [r for w in words for r in _DIGITS.findall(w)]
    if not runs:
        return {v for f in facts if f is not None for v in f.values}
    return {_canon(int("".join(runs))), _canon(int("".join(reversed(runs)))), *sorted(_canon(int(r)) for r in runs)}


def _same_figures(a: set[str], b: set[str]) -> bool:
    # Equal readings, or the digits of one glued together in the other ("14371441" / "1437 1441").
    return a == b or bool(a & b and (max(a, key=len) in b or max(b, key=len) in a))


def _shingles(tokens: Sequence[str], n: int = 3) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1))}


def _shingle_similarity(sa: set[tuple[str, ...]], sb: set[tuple[str, ...]]) -> tuple[float, float]:
    inter = len(sa & sb)
    union = len(sa) + len(sb) - inter
    return (inter / union if union else 1.0), (inter / min(len(sa), len(sb)) if sa and sb else 1.0)


Opcode = tuple[str, int, int, int, int]


def opcodes(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """difflib-style opcodes of a word alignment: ``equal`` stretches and, between them, one ``replace`` (or
    ``delete`` / ``insert``) span holding every edit of that gap.

    >>> opcodes("a b c d".split(), "a x y d".split())
    [('equal', 0, 1, 0, 1), ('replace', 1, 3, 1, 3), ('equal', 3, 4, 3, 4)]
    """
    # rapidfuzz's Levenshtein is bit-parallel C++: ~50x faster than difflib.SequenceMatcher on article-length
    # texts, which made this alignment the most expensive step of a scan. Its edits come one word at a time;
    # merging each run of edits gives the spans difflib would report.
    merged: list[Opcode] = []
    gap: list[int] | None = None
    for op in Indel.opcodes(a, b):
        tag, i1, i2, j1, j2 = op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end
        if tag == "equal":
            if gap is not None:
                merged.append(_gap_opcode(gap))
                gap = None
            merged.append(("equal", i1, i2, j1, j2))
        elif gap is None:
            gap = [i1, i2, j1, j2]
        else:
            gap[1], gap[3] = i2, j2
    if gap is not None:
        merged.append(_gap_opcode(gap))
    return merged


def _gap_opcode(gap: list[int]) -> Opcode:
    i1, i2, j1, j2 = gap
    tag = "replace" if i2 > i1 and j2 > j1 else ("delete" if i2 > i1 else "insert")
    return tag, i1, i2, j1, j2


class Analysed:
    """What the relation test needs of one text, each part computed once and only when a pair asks for it.

    >>> Analysed("وصلت الطائرة رقم 4".split()).values
    {'4'}
    """

    __slots__ = ("_facts", "_shingles", "_values", "spellings", "tokens")

    def __init__(self, tokens: Sequence[str]) -> None:
        self.tokens = list(tokens)
        self.spellings = _Spellings(self.tokens)
        self._facts: list[Fact | None] | None = None
        self._values: set[str] | None = None
        self._shingles: set[tuple[str, ...]] | None = None

    @property
    def facts(self) -> list[Fact | None]:
        if self._facts is None:
            self._facts = token_facts(self.tokens)
        return self._facts

    @property
    def values(self) -> set[str]:
        if self._values is None:
            self._values = _values(self.facts)
        return self._values

    @property
    def shingles(self) -> set[tuple[str, ...]]:
        if self._shingles is None:
            self._shingles = _shingles(self.tokens)
        return self._shingles

    def may_state_facts(self, i1: int, i2: int) -> bool:
        """Whether tokens ``i1:i2`` can hold a fact: a figure, a number or date word, or a word after a title.

        Most slots of two copies are reworded phrases with none: they are passed over without reading the
        facts of the whole text."""
        t = self.tokens
        start = max(0, i1 - 2 * _NAME_LENGTH)  # a name is read after its title, joiners skipped
        return any(_word(t[k])[0] for k in range(start, i2))


def explain(a: Sequence[str] | Analysed, b: Sequence[str] | Analysed) -> Relation:
    """The relation of two normalised token lists with its evidence (see the module docstring for the rule)."""
    ta = a if isinstance(a, Analysed) else Analysed(a)
    tb = b if isinstance(b, Analysed) else Analysed(b)
    wa, wb = ta.tokens, tb.tokens
    if wa == wb:
        return Relation(DUPLICATE)
    ops = opcodes(wa, wb)
    subs: list[Substitution] = []
    for k, (op, i1, i2, j1, j2) in enumerate(ops):
        if op != "replace" or i2 - i1 > MAX_SLOT or j2 - j1 > MAX_SLOT:
            continue
        if not (ta.may_state_facts(i1, i2) and tb.may_state_facts(j1, j2)):
            continue  # every kind of substitution needs a fact (or a figure) on both sides
        slot_a, slot_b = ta.facts[i1:i2], tb.facts[j1:j2]
        new_a = _new_facts(slot_a, tb.values, tb.spellings)
        new_b = _new_facts(slot_b, ta.values, ta.spellings)
        kinds = [kind for kind in ("number", "date", "name") if kind in new_a and kind in new_b]
        if not kinds and _only_figures(wa[i1:i2], slot_a) and _only_figures(wb[j1:j2], slot_b):
            flanked = (
                0 < k < len(ops) - 1
                and ops[k - 1][2] - ops[k - 1][1] >= FLANK
                and ops[k + 1][2] - ops[k + 1][1] >= FLANK
            )
            differ = not _same_figures(_figures(wa[i1:i2], slot_a), _figures(wb[j1:j2], slot_b))
            if flanked and differ:
                kinds = ["number"]
        if kinds:
            subs.append(Substitution(kinds[0], " ".join(wa[i1:i2]), " ".join(wb[j1:j2])))
    facts_changed = sum(s.kind != "name" for s in subs)
    names_changed = len(subs) - facts_changed
    # Single words that line up between two rewrites are mostly particles ("في", "the") the alignment threads
    # through; a phrase of two or more words in the same place is text kept in order.
    aligned = sum(i2 - i1 for op, i1, i2, _j1, _j2 in ops if op == "equal" and i2 - i1 >= MIN_RUN)
    ordered = aligned / max(1, min(len(wa), len(wb)))
    if facts_changed >= 1 or names_changed >= MIN_NAME_SLOTS:
        return Relation(TEMPLATE, subs, ordered)
    if ordered >= MIN_ORDERED:
        return Relation(DUPLICATE, subs, ordered)
    # Out of order: a pair this similar on its 3-grams is still one text (a copy with its paragraphs moved).
    jaccard, containment = _shingle_similarity(ta.shingles, tb.shingles)
    kind = DIFFERENT if containment < STRONG_CONTAINMENT and jaccard < STRONG_JACCARD else DUPLICATE
    return Relation(kind, subs, ordered, containment)


def relation(a: Sequence[str] | Analysed, b: Sequence[str] | Analysed) -> str:
    """``"template"`` (same formula, different facts), ``"different"`` (shared fragments out of order, not one
    text) or ``"duplicate"``, for two normalised token lists that verification already found similar."""
    return explain(a, b).kind
