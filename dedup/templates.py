"""Tell a copy from a template sibling: same formula, different facts.

Wire feeds are full of formula items (cables of congratulation to different heads of state, "relief plane number
4 / number 5 arrived", daily market closes, weather) whose shingles overlap as much as a real copy's do. What
differs between two such items is *facts*: numbers, dates, names, places. What differs between two copies of one
story is *wording*: a changed lead, a dropped sentence, another outlet's dateline, "4" spelled "four". Copies keep
their facts, even when shortened or reworded.

So the two texts are aligned word by word (a minimal edit script from rapidfuzz's bit-parallel Levenshtein, whose
runs of edits between two equal stretches form one replaced span) and every short replaced span (a *slot*: at most
:data:`MAX_SLOT` words on each side) is examined. A slot is a *fact substitution* when

* each side holds a fact (a figure, a date, a name after a title: :mod:`dedup.facts`) that the other text states
  nowhere at all (so a reworded or reordered copy, which states the same facts elsewhere, never qualifies), or
* both sides are nothing but figures, written the same way (in digits or spelled out, with a scale word or not),
  with identical words around them (:data:`FLANK`), and the figures differ ("wind 15-35 km/h" vs "wind 10-30 km/h":
  the same slot of the formula filled with another value).

Facts are read the way outlets write them and compared by value (:mod:`dedup.numbers`), so that a copy's facts
match: "4" / "أربعة", "السادس والعشرين" / "26", "25 ألفا و823" / "25,823", "15.8" / "8ر15", "07/09" / "7/9",
"1,059,593,121 ريالا" / "مليار وتسعة وخمسين مليون ريال" (a figure and the same figure rounded or truncated),
"15 أغسطس" / "30/10/1436هـ", "شباط" / "فبراير"; "5500" and "5,600" stay two figures. A page's own dates (a
publication line, a dateline) are no facts of the story. One substituted number or date makes the pair a template
sibling; names need two slots, because transliterations of one name vary between outlets and one odd slot is
weaker evidence than a changed figure.

A second test guards the weaker candidates. Two copies keep the order of the text they copy; two reports written
independently from one press conference share quotes in a different order. A pair whose 3-gram containment is
below :data:`STRONG_CONTAINMENT` (and Jaccard below :data:`STRONG_JACCARD`) is *different* — not linked at all —
when less than :data:`MIN_ORDERED` of the smaller text aligns in order with the larger one.

A protocol item (talks, a reception, a cable) keeps its formula whoever it is about, and its slot for the visitor
may not align as a slot at all (a title and a rank before one name, none before the other): a pair whose texts
name two different parties in their formula (:mod:`dedup.parties`) is a template sibling too.

>>> a = "وصلت الطائرة رقم 4 الى مطار عدن تحمل 20 طنا من المساعدات".split()
>>> b = "وصلت الطائرة رقم 5 الى مطار عدن تحمل 35 طنا من المساعدات".split()
>>> relation(a, b)
'template'
>>> relation(a, a + "وقال مسؤول ان الشحنه تضم ادويه".split())
'duplicate'
>>> c = "وقع الوزير عقودا بقيمه {} لتنفيذ مشروعات المياه والصرف الصحي في مناطق المملكه".format
>>> relation(c("1 059 593 121 ريالا").split(), c("مليار وتسعه وخمسين مليون ريال").split())
'duplicate'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import filterfalse

from rapidfuzz.distance import Indel

from dedup.facts import (
    FACT_FORMS,
    NAME_LENGTH,
    Fact,
    FactKind,
    Statements,
    direction,
    may_hold_fact,
    may_turn,
    place_words,
    token_facts,
    word_kind,
)
from dedup.forecast import forecast_facts
from dedup.numbers import SCALES, bare
from dedup.parties import other_parties, party
from dedup.spellings import Spellings

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
# Slots where one text has a visitor arrive and the other leave (:func:`dedup.facts.direction`) needed to call
# a pair a template: the arrival and departure items of one visit share the whole protocol formula. One such
# slot can be an alignment's chance pairing of two sentences.
MIN_DIRECTION_SLOTS = 2
# Slots where each text names a place (dedup.facts.PLACES) that the other never names, needed to call a pair a
# template: one local formula item for two towns ("بدات اداره التعليم بمحايل عسير" / "... بمنطقه الباحه").
# One such slot is often two outlets' own datelines.
MIN_PLACE_SLOTS = 2
# Below these 3-gram similarities a pair must also share its text in order (see module docstring).
STRONG_CONTAINMENT = 0.8
STRONG_JACCARD = 0.5
MIN_ORDERED = 0.5
MIN_RUN = 2  # words in an aligned stretch for it to count as in-order text


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


def _new_fact(facts: Sequence[Fact | None], kind: FactKind, other: Analysed) -> bool:
    """Whether the slot holds a fact of ``kind`` that the other text states nowhere."""
    for f in dict.fromkeys(facts):  # the tokens of one expression share their fact: asked once
        if f is None or f.kind != kind:
            continue
        stated = all(map(other.spellings.has, f.values)) if kind == "name" else other.statements.states(f)
        if not stated:
            return True
    return False


def _substituted(
    slot_a: Sequence[Fact | None],
    slot_b: Sequence[Fact | None],
    ta: Analysed,
    tb: Analysed,
    kinds: tuple[FactKind, ...] = ("number", "date", "name"),  # :data:`_SUBSTITUTED`
) -> FactKind | None:
    """The first kind of fact (a number, a date, a name) that each slot holds and the other text states nowhere,
    or ``None``. Asked kind by kind, each side's names last: the statements of a text and its spellings are read
    only for the kinds a slot holds."""
    for kind in kinds:
        # Both slots must hold the kind before either other text is asked (its statements, its spellings).
        if _has_kind(slot_a, kind) and _has_kind(slot_b, kind) and _new_fact(slot_a, kind, tb):
            if _new_fact(slot_b, kind, ta):
                return kind
    return None


def _has_kind(facts: Sequence[Fact | None], kind: FactKind) -> bool:
    return any(f is not None and f.kind == kind for f in facts)


_SUBSTITUTED: tuple[FactKind, ...] = ("number", "date", "name")
_FIGURES: tuple[FactKind, ...] = ("number", "date")


def _only_figures(facts: Sequence[Fact | None]) -> bool:
    return bool(facts) and all(f is not None and f.kind == "number" for f in facts)


def _shape(words: Sequence[str]) -> tuple[bool, bool]:
    """How a figure is written: with a scale word or not, in digits or spelled out."""
    return any(w in SCALES or bare(w) in SCALES for w in words), any(c.isdigit() for w in words for c in w)


def _same_figures(a: Sequence[Fact | None], b: Sequence[Fact | None]) -> bool:
    """Whether two figures-only slots say the same: each figure of either slot (read as a whole, "15 8" = 15.8,
    or on its own) is a figure of the other ("15.8" / "8ر15", "07 09" / "7 9", "1437 1441" / "14371441")."""
    xs = {f for f in a if f is not None}
    ys = {f for f in b if f is not None}
    return all(any(x.matches(y) for y in ys) for x in xs) and all(any(y.matches(x) for x in xs) for y in ys)


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
    append = merged.append
    gap_i = gap_j = -1  # where the current run of edits began (-1: none open)
    for tag, i1, i2, j1, j2 in Indel.opcodes(a, b).as_list():
        if tag != "equal":
            if gap_i < 0:
                gap_i, gap_j = i1, j1
            continue
        if gap_i >= 0:  # the run of edits ends where this equal stretch begins
            append(_gap_opcode(gap_i, i1, gap_j, j1))
            gap_i = -1
        append(("equal", i1, i2, j1, j2))
    if gap_i >= 0:
        append(_gap_opcode(gap_i, len(a), gap_j, len(b)))
    return merged


def _gap_opcode(i1: int, i2: int, j1: int, j2: int) -> Opcode:
    tag = "replace" if i2 > i1 and j2 > j1 else ("delete" if i2 > i1 else "insert")
    return tag, i1, i2, j1, j2


class Analysed:
    """What the relation test needs of one text, each part computed once and only when a pair asks for it.

    >>> Analysed("وصلت الطائرة رقم 4".split()).statements.values
    {'4'}
    """

    __slots__ = ("_facts", "_forecast", "_party", "_shingles", "_statements", "_turns", "spellings", "tokens")

    def __init__(self, tokens: Sequence[str]) -> None:
        self.tokens = list(tokens)
        self.spellings = Spellings(self.tokens)
        self._facts: list[Fact | None] | None = None
        self._statements: Statements | None = None
        self._shingles: set[tuple[str, ...]] | None = None
        self._forecast: frozenset[str] | bool | None = False  # False: not read yet
        self._turns: bool | None = None
        self._party: tuple[frozenset[str], ...] | None = None

    @property
    def party(self) -> tuple[frozenset[str], ...]:
        """Who the text's protocol formula is about (:func:`dedup.parties.party`): empty if it has none."""
        if self._party is None:
            self._party = party(self.tokens)
        return self._party

    @property
    def turns(self) -> bool:
        """Whether some word may tell a visitor's arrival or departure (:func:`dedup.facts.may_turn`)."""
        if self._turns is None:
            self._turns = may_turn(self.tokens)
        return self._turns

    @property
    def forecast(self) -> frozenset[str] | None:
        """The places and weather of a weather report (:func:`dedup.forecast.forecast_facts`), ``None`` if none."""
        if self._forecast is False:
            self._forecast = forecast_facts(self.tokens)
        return self._forecast  # type: ignore[return-value]

    @property
    def facts(self) -> list[Fact | None]:
        if self._facts is None:
            self._facts = token_facts(self.tokens)
        return self._facts

    @property
    def statements(self) -> Statements:
        if self._statements is None:
            self._statements = Statements(self.facts)
        return self._statements

    @property
    def shingles(self) -> set[tuple[str, ...]]:
        if self._shingles is None:
            self._shingles = _shingles(self.tokens)
        return self._shingles

    def holds_fact(self, i1: int, i2: int) -> bool:
        """Whether some of tokens ``i1:i2`` states a fact: read from the facts of the whole text once they are
        read, else from the slot's neighbourhood (:func:`dedup.facts.may_hold_fact`, which may say yes wrongly,
        never no)."""
        if self._facts is not None:
            return any(self._facts[i1:i2])
        return may_hold_fact(self.tokens, i1, i2)

    def may_state_facts(self, i1: int, i2: int) -> bool:
        """Whether tokens ``i1:i2`` can hold a fact: a figure, a number or date word, or a word after a title.

        Most slots of two copies are reworded phrases with none: they are passed over without reading the
        facts of the whole text."""
        words = self.tokens[max(0, i1 - 2 * NAME_LENGTH) : i2]  # a name is read after its title, joiners skipped
        # An all-letter word has a kind only as one of FACT_FORMS: most slots are answered without word_kind().
        if not FACT_FORMS.isdisjoint(words):
            return True
        return any(map(word_kind, filterfalse(str.isalpha, words)))  # (the letters-only words have no kind)


def explain(a: Sequence[str] | Analysed, b: Sequence[str] | Analysed) -> Relation:
    """The relation of two normalised token lists with its evidence (see the module docstring for the rule)."""
    return _relation(a, b, evidence=True)


def _relation(a: Sequence[str] | Analysed, b: Sequence[str] | Analysed, evidence: bool) -> Relation:
    """:func:`explain`; without ``evidence``, only its ``kind`` is meant (:func:`relation`): it returns at the first
    slot that makes the pair a template, and reads the names of the slots (the costliest question: the other
    text's spellings) only when enough of them could be substituted to decide."""
    ta = a if isinstance(a, Analysed) else Analysed(a)
    tb = b if isinstance(b, Analysed) else Analysed(b)
    wa, wb = ta.tokens, tb.tokens
    if wa == wb:
        return Relation(DUPLICATE)
    ops = opcodes(wa, wb)
    subs: list[Substitution] = []
    turned: list[Substitution] = []  # slots where one text arrives and the other leaves
    moved: list[Substitution] = []  # slots naming another town on each side
    named: list[tuple[Sequence[Fact | None], Sequence[Fact | None]]] = []  # name slots not read yet (no evidence)
    kinds = _SUBSTITUTED if evidence else _FIGURES
    turns = ta.turns and tb.turns  # most pairs have no arrival or departure word: no slot is read for one
    for k, (op, i1, i2, j1, j2) in enumerate(ops):
        if op != "replace" or i2 - i1 > MAX_SLOT or j2 - j1 > MAX_SLOT:
            continue
        way_a, way_b = (direction(wa[i1:i2]), direction(wb[j1:j2])) if turns else ("", "")
        if way_a and way_b and way_a != way_b:
            turned.append(Substitution("event", " ".join(wa[i1:i2]), " ".join(wb[j1:j2])))
        place_a = place_words(wa[i1:i2])
        place_b = place_words(wb[j1:j2]) if place_a else place_a  # both sides before the other texts are read
        if place_b and _new_places(place_a, tb) and _new_places(place_b, ta):
            moved.append(Substitution("place", " ".join(wa[i1:i2]), " ".join(wb[j1:j2])))
        if not evidence and (len(turned) >= MIN_DIRECTION_SLOTS or len(moved) >= MIN_PLACE_SLOTS):
            return Relation(TEMPLATE)
        if not (ta.may_state_facts(i1, i2) and tb.may_state_facts(j1, j2)):
            continue  # every kind of substitution needs a fact (or a figure) on both sides
        if not (ta.holds_fact(i1, i2) and tb.holds_fact(j1, j2)):
            continue
        slot_a, slot_b = ta.facts[i1:i2], tb.facts[j1:j2]
        substituted = _substituted(slot_a, slot_b, ta, tb, kinds)
        if substituted is None and _only_figures(slot_a) and _only_figures(slot_b):
            flanked = (
                0 < k < len(ops) - 1
                and ops[k - 1][2] - ops[k - 1][1] >= FLANK
                and ops[k + 1][2] - ops[k + 1][1] >= FLANK
            )
            # A formula fills its slot the same way each time ("6 1 مليار" / "5 3 مليار"): "5500" / "60 الف" or
            # "الثاني والعشرون" / "21" are two texts' own sentences the alignment happened to pair.
            shaped = _shape(wa[i1:i2]) == _shape(wb[j1:j2])
            if flanked and shaped and not _same_figures(slot_a, slot_b):
                substituted = "number"
        if substituted is not None:
            if not evidence:
                return Relation(TEMPLATE)  # one figure or date substituted decides
            subs.append(Substitution(substituted, " ".join(wa[i1:i2]), " ".join(wb[j1:j2])))
        elif not evidence and _has_kind(slot_a, "name") and _has_kind(slot_b, "name"):
            named.append((slot_a, slot_b))  # (a slot holding a name is no figures-only slot)
    facts_changed = sum(s.kind != "name" for s in subs)
    names_changed = len(subs) - facts_changed
    # Single words that line up between two rewrites are mostly particles ("في", "the") the alignment threads
    # through; a phrase of two or more words in the same place is text kept in order.
    aligned = sum(i2 - i1 for op, i1, i2, _j1, _j2 in ops if op == "equal" and i2 - i1 >= MIN_RUN)
    ordered = aligned / max(1, min(len(wa), len(wb)))
    if facts_changed >= 1 or names_changed >= MIN_NAME_SLOTS:
        return Relation(TEMPLATE, subs, ordered)
    if len(turned) >= MIN_DIRECTION_SLOTS:
        named_subs = {(s.a, s.b) for s in subs}
        return Relation(TEMPLATE, subs + [t for t in turned if (t.a, t.b) not in named_subs], ordered)
    if len(moved) >= MIN_PLACE_SLOTS:
        return Relation(TEMPLATE, subs + moved, ordered)
    days = _forecast_days(ta, tb)
    if days is not None:
        return Relation(TEMPLATE, [*subs, days], ordered)
    if ta.party and tb.party and other_parties(ta.party, tb.party, ta.spellings.has, tb.spellings.has):
        # One protocol formula about two people (talks with Morocco's king / with Pakistan's prime minister).
        who = Substitution("party", " ".join(sorted(ta.party[-1])), " ".join(sorted(tb.party[-1])))
        return Relation(TEMPLATE, [*subs, who], ordered)
    if len(named) >= MIN_NAME_SLOTS and _names_substituted(named, ta, tb) >= MIN_NAME_SLOTS:
        return Relation(TEMPLATE)
    if ordered >= MIN_ORDERED:
        return Relation(DUPLICATE, subs, ordered)
    # Out of order: a pair this similar on its 3-grams is still one text (a copy with its paragraphs moved).
    jaccard, containment = _shingle_similarity(ta.shingles, tb.shingles)
    kind = DIFFERENT if containment < STRONG_CONTAINMENT and jaccard < STRONG_JACCARD else DUPLICATE
    return Relation(kind, subs, ordered, containment)


def _names_substituted(
    named: list[tuple[Sequence[Fact | None], Sequence[Fact | None]]], ta: Analysed, tb: Analysed
) -> int:
    """How many of the slots ``named`` (up to :data:`MIN_NAME_SLOTS`) hold a name on each side that the other
    text writes nowhere."""
    found = 0
    for slot_a, slot_b in named:
        if _new_fact(slot_a, "name", tb) and _new_fact(slot_b, "name", ta):
            found += 1
            if found == MIN_NAME_SLOTS:
                break
    return found


def _forecast_days(ta: Analysed, tb: Analysed) -> Substitution | None:
    """Two weather reports each naming a region or a kind of weather the other never names, and a figure on one
    side that the other never states: two days' reports of one forecaster (their formula is the same every day),
    not a copy, which names what its source names or drops some of it (:func:`dedup.forecast.forecast_facts`).
    Reworded copies of one day's report drop a region or two each, but keep the day's winds and waves."""
    fa = ta.forecast
    if fa is None:
        return None
    fb = tb.forecast
    if fb is None or fa <= fb or fb <= fa or not (_new_figures(ta, tb) or _new_figures(tb, ta)):
        return None
    return Substitution("forecast", " ".join(sorted(fa - fb)), " ".join(sorted(fb - fa)))


def _new_places(places: set[str], other: Analysed) -> bool:
    """Whether some of ``places`` is named nowhere in the other text."""
    return not other.spellings.holds(places)


def _new_figures(x: Analysed, y: Analysed) -> bool:
    """Whether ``x`` states a figure that ``y`` states nowhere (a wind of 40 km/h, waves of two metres)."""
    return any(f is not None and f.kind == "number" and not y.statements.states(f) for f in x.facts)


def relation(a: Sequence[str] | Analysed, b: Sequence[str] | Analysed) -> str:
    """``"template"`` (same formula, different facts), ``"different"`` (shared fragments out of order, not one
    text) or ``"duplicate"``, for two normalised token lists that verification already found similar."""
    return _relation(a, b, evidence=False).kind
