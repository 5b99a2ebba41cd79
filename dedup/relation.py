"""Tell a copy from a template sibling: same formula, different facts.

Wire feeds are full of formula items (cables of congratulation to different heads of state, "relief plane number
4 / number 5 arrived", daily market closes) whose shingles overlap as much as a real copy's do. What differs
between two such items is facts: numbers, dates, names, places. What differs between two copies of one story is
wording: a changed lead, a dropped sentence, another outlet's dateline. This module looks at the words each text
has that the other lacks, and calls the pair a template sibling when those differences are mostly facts.

>>> a = "وصلت الطائرة رقم 4 الى مطار عدن تحمل 20 طنا من المساعدات".split()
>>> b = "وصلت الطائرة رقم 5 الى مطار عدن تحمل 35 طنا من المساعدات".split()
>>> relation(a, b)
'template'
>>> relation(a, a + "وقال مسؤول ان الشحنه تضم ادويه".split())
'duplicate'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import regex

DUPLICATE = "duplicate"
TEMPLATE = "template"

_NUMBER = regex.compile(r"^\p{N}+$")
# Spelled-out Arabic ordinals and numbers ("الطائرة الرابعة"), folded as dedup.normalize folds them.
_NUMBER_WORDS = {
    "الاول", "الاولي", "الثاني", "الثانيه", "الثالث", "الثالثه", "الرابع", "الرابعه", "الخامس", "الخامسه",
    "السادس", "السادسه", "السابع", "السابعه", "الثامن", "الثامنه", "التاسع", "التاسعه", "العاشر", "العاشره",
    "واحد", "اثنان", "اثنين", "ثلاث", "ثلاثه", "اربع", "اربعه", "خمس", "خمسه", "ست", "سته", "سبع", "سبعه",
    "ثمان", "ثمانيه", "تسع", "تسعه", "عشر", "عشره", "عشرين", "ثلاثين", "اربعين", "خمسين", "مئه", "مائه",
    "الف", "مليون", "مليار",
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "hundred", "thousand",
    "million", "billion",
}
_MONTHS_DAYS = {
    "يناير", "فبراير", "مارس", "ابريل", "مايو", "يونيو", "يوليو", "اغسطس", "سبتمبر", "اكتوبر", "نوفمبر",
    "ديسمبر", "كانون", "شباط", "اذار", "نيسان", "ايار", "حزيران", "تموز", "اب", "ايلول", "تشرين",
    "محرم", "صفر", "ربيع", "جمادي", "رجب", "شعبان", "رمضان", "شوال", "القعده", "الحجه",
    "السبت", "الاحد", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعه",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}


def is_fact_token(token: str) -> bool:
    """A number, a spelled-out number or ordinal, a month or a weekday (normalised tokens)."""
    bare = token[1:] if token[:1] in ("و", "ب", "ل") and len(token) > 3 else token
    return bool(_NUMBER.match(token)) or token in _NUMBER_WORDS or bare in _NUMBER_WORDS or bare in _MONTHS_DAYS


def differing_tokens(a: Sequence[str], b: Sequence[str]) -> tuple[Counter[str], Counter[str]]:
    """Words (with multiplicity) that ``a`` has and ``b`` lacks, and the other way round."""
    ca, cb = Counter(a), Counter(b)
    return ca - cb, cb - ca


def relation(a: Sequence[str], b: Sequence[str], max_fact_edits: int = 12) -> str:
    """``"template"`` when both texts differ only, or mostly, in facts; else ``"duplicate"``.

    A pair is a template sibling when at least one fact differs on *both* sides (a fact was replaced, not just
    added or dropped) and fact tokens make up at least half of all the differing words on each side, with no
    more than ``max_fact_edits`` non-fact words changed: copies that add a paragraph change far more words than that.
    """
    only_a, only_b = differing_tokens(a, b)
    facts_a = sum(n for t, n in only_a.items() if is_fact_token(t))
    facts_b = sum(n for t, n in only_b.items() if is_fact_token(t))
    if facts_a == 0 or facts_b == 0:
        return DUPLICATE
    total_a, total_b = sum(only_a.values()), sum(only_b.values())
    other = (total_a - facts_a) + (total_b - facts_b)
    if facts_a * 2 >= total_a and facts_b * 2 >= total_b and other <= max_fact_edits:
        return TEMPLATE
    return DUPLICATE
