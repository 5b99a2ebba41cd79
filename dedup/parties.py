"""Who a protocol item is about: the party named in the formula's slot of its lead.

Protocol items are written with one formula whoever the visitor is: "عقد خادم الحرمين ... جلسة مباحثات رسمية مع
جلالة الملك محمد السادس ملك المملكة المغربية" and, the same week, "... جلسة مباحثات رسمية مع دولة رئيس وزراء
جمهورية باكستان ... محمد نواز شريف", each followed by the same list of princes attending. Such items share most of
their 3-grams (containment 0.6 and more) and run in the same order; what tells them apart is the party the formula
is about, written after the slot's anchor:

* "مع" after a word of meeting within a few words before it (talks, a meeting, a call: "مباحثات مع", "اتصالا
  هاتفيا مع", "يلتقي مع"),
* a verb of receiving ("استقبل", "يستقبل"): the visitor follows,
* "لـ" joined to an honorific or a ruler's title ("لفخامة", "لجلالة", "للسلطان" = "لـ" + "السلطان"): the receiver
  of a cable.

:func:`party` reads such slots in a text's lead (:data:`LEAD` tokens) and returns, for each, the words naming the
party (honorifics and the generic words of rank and state left out). :func:`other_parties` says whether two texts'
parties are two different people: each text's party is mostly written nowhere in the other text (in any spelling
close enough, :class:`dedup.templates.Analysed`'s spellings). A rewrite names its party in its own words ("ملك
المغرب" for "الملك محمد السادس") but writes it somewhere, or at least its country; a formula sibling about another
person names neither.

>>> words = "عقد الملك سلمان جلسه مباحثات رسميه مع جلاله الملك محمد السادس ملك المملكه المغربيه وجري بحث".split()
>>> [sorted(p) for p in party(words)]
[['السادس', 'المغربيه', 'محمد']]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dedup.datelines import AGENCIES

LEAD = 60  # tokens read for the slot: the formula is the lead sentence
SLOT = 8  # tokens after the anchor that name the party
NEAR = 6  # a meeting word this many tokens before "مع" at most
# A party's words found in the other text at this share or more: the same party (a rewrite may name it otherwise).
SHARED = 0.5
# Words a slot needs to tell two parties apart ("الملك محمد السادس", "نواز شريف"): one word may be a dateline or the
# first word of the topic, which the slot runs on into when the lead names the party otherwise.
NAMED = 2
SLOTS = 3  # slots read in the lead: the title's, the first sentence's, and one more

# fmt: off
_MEETING = frozenset({
    "مباحثات", "محادثات", "اجتماع", "اجتماعا", "لقاء", "لقاءا", "اتصال", "اتصالا", "هاتفيا", "هاتفي", "مشاورات",
    "يبحث", "بحث", "تبحث", "يلتقي", "التقي", "تلتقي", "اجتمع", "يجتمع", "تجتمع", "يعقد", "عقد", "جلسه", "قمه",
    "talks", "meeting", "met", "meets", "call", "phone",
})
_RECEIVING = frozenset({"استقبل", "يستقبل", "تستقبل", "استقبلت", "received", "receives"})
_WITH = frozenset({"مع", "with"})
_HONORIFICS = frozenset({
    "جلاله", "فخامه", "دوله", "سمو", "صاحب", "السمو", "الملكي", "معالي", "سعاده", "سماحه", "الشيخ", "الاخ",
    "his", "her", "majesty", "highness", "excellency", "the",
})
# A ruler's title: "لـ" joined to it ("للسلطان قابوس", "لملك المغرب") names a cable's receiver too.
_RULERS = frozenset({"الرييس", "رييس", "الملك", "ملك", "السلطان", "سلطان", "الامير", "امير", "الشيخ"})
# Words of rank and state, the same for every party: they are left out of the party's words.
_GENERIC = frozenset({
    "الملك", "ملك", "رييس", "الرييس", "وزراء", "الوزراء", "وزير", "الوزير", "جمهوريه", "الجمهوريه", "المملكه",
    "مملكه",
    "دوله", "الدوله", "الاسلاميه", "العربيه", "المتحده", "امير", "الامير", "ولي", "العهد", "سفير", "السفير",
    "الشقيقه", "الصديقه", "بن", "ابن", "ال", "عبد", "نايب", "خارجيه", "الخارجيه", "لدي", "سلطان", "السلطان",
    "king", "president", "prime", "minister", "prince", "republic", "kingdom", "of", "and", "al", "bin",
})
# Where the party's name ends: the next clause or sentence.
_STOPS = frozenset({
    "في", "الي", "علي", "من", "خلال", "بحضور", "حيث", "وذلك", "اليوم", "امس", "وجري", "وتم", "وقد", "بمناسبه",
    "عن", "بعد", "قبل", "بمقر", "بقصر", "خادم", "وفي", "وعلي", "ومن", "والي", "in", "on", "at", "to", "during", "after", "and",
})
# fmt: on


def _is_title(word: str) -> bool:
    return word in _HONORIFICS or word in _RULERS


def _cable_to(t: str) -> bool:
    """Whether ``t`` is "لـ" joined to an honorific or a ruler's title ("لفخامه", "للسلطان")."""
    return len(t) > 3 and t[0] == "ل" and _is_title("ا" + t[1:] if t[1] == "ل" else t[1:])


# Every word that can open a slot, or take part in opening one: most leads have none, and are read no further.
_OPENERS = (
    _RECEIVING | _WITH | {t for title in _HONORIFICS | _RULERS for t in ("ل" + title, "ل" + title[1:]) if _cable_to(t)}
)


def _anchors(tokens: Sequence[str]) -> list[int]:
    """Index of the first token of each party slot in the lead (at most :data:`SLOTS`)."""
    lead = tokens[:LEAD]
    if _OPENERS.isdisjoint(lead):
        return []
    found = []
    for i, t in enumerate(lead):
        if t in _RECEIVING or (t in _WITH and any(w in _MEETING for w in lead[max(0, i - NEAR) : i])) or _cable_to(t):
            found.append(i + 1)
            if len(found) == SLOTS:
                break
    return found


def party(tokens: Sequence[str]) -> tuple[frozenset[str], ...]:
    """The words naming the party of each protocol formula slot of a normalised text's lead (the title's and the
    first sentence's: a text read with its title has both), honorifics and generic words of rank and state left
    out; empty when the lead has no formula."""
    slots = []
    for start in _anchors(tokens):
        words = []
        for t in tokens[start : start + SLOT]:
            if t in _STOPS or t in _MEETING or t in _RECEIVING or t in AGENCIES:
                break  # the next clause, the next sentence's formula (after a title) or a dateline
            if t not in _HONORIFICS and t not in _GENERIC and len(t) > 2:
                words.append(t)
        if words:
            slots.append(frozenset(words))
    return tuple(slots)


def other_parties(
    a: Sequence[frozenset[str]],
    b: Sequence[frozenset[str]],
    a_writes: Callable[[str], bool],
    b_writes: Callable[[str], bool],
) -> bool:
    """Whether the parties ``a`` and ``b`` (each text's slots, :func:`party`) are different people: each text has a
    slot of :data:`NAMED` words or more, under :data:`SHARED` of whose words the other text writes (``b_writes(word)``: the text of ``b`` writes
    ``word``). A title's slot may run on into the topic ("مع نواز شريف تطورات الاحداث"), which the other item of the
    formula shares: the slot of the first sentence still names someone the other text never writes.

    >>> sharif = {"رييس", "وزراء", "باكستان", "محمد", "نواز", "شريف", "مباحثات"}
    >>> morocco = {"محمد", "السادس", "المغربيه", "الملك"}
    >>> other_parties([frozenset({"محمد", "السادس", "المغربيه"})], [frozenset({"باكستان", "محمد", "نواز", "شريف"})],
    ...               morocco.__contains__, sharif.__contains__)
    True
    """
    if not a or not b:
        return False
    return any(len(p) >= NAMED and sum(map(b_writes, p)) < SHARED * len(p) for p in a) and any(
        len(p) >= NAMED and sum(map(a_writes, p)) < SHARED * len(p) for p in b
    )
