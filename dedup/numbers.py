"""Numbers and dates read as outlets write them, and compared by value.

The texts are normalised (:func:`dedup.normalize.normalize`): Arabic-Indic and Persian digits are ASCII and every
separator is a space, so "1,059,593,121" and "1.059.593.121" are both "1 059 593 121", "15,5" and "15.5" are
"15 5", "07/09" is "07 09". A run of digit groups is therefore read every way it can have been written (groups
of three after the first: thousands; two groups: a decimal; two or three groups: a date), and with the words
around it: scale words ("7 مليون", "1.2 billion", "25 الفا و823", "مليار وتسعه وخمسين مليون"), spelled numbers
("خمسه وعشرين", "تسع ميه"), month names ("14 كانون الاول 2025", "30 10 1436ه").

A figure is a :class:`Quantity`: a value and the unit it was rounded or truncated to (1 for "7 726 135", a
million for "7 مليون", a hundred thousand for "7.7 مليون"). Two figures are one fact when the rounder one is the other rounded
or truncated to its unit; two figures of the same precision are one fact only when equal. Dates compare as dates,
a Hijri one with a Gregorian one through the arithmetic calendar (within two days: sighting and Umm al-Qura
differ from it by a day or two).

>>> def same(a: str, b: str) -> bool:
...     return any(x.same(y) for x in read_figures(a.split()) for y in read_figures(b.split()))
>>> same("1 059 593 121", "مليار وتسعه وخمسين مليون"), same("7 مليون", "7 726 135"), same("7 726 135", "7 726 136")
(True, True, False)
>>> read_date("14 ديسمبر 2025".split()).same(read_date("2025 12 14".split()))
True
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import NamedTuple

import regex

# Proclitics (and, with, to, the ...) stripped to find the bare word; longest first.
PREFIXES = ("وبال", "وال", "بال", "لل", "ال", "و", "ب", "ل", "ف", "ك")
# The vocabulary tables stay in rows (ruff format would put one word per line).
# fmt: off
UNITS = {
    "واحد": 1, "واحدا": 1, "احد": 1, "احدي": 1, "اثنان": 2, "اثنين": 2, "اثنتين": 2, "اثنتان": 2, "اثنا": 2,
    "اثني": 2, "اثنتا": 2, "اثنتي": 2, "ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4, "خمس": 5, "خمسه": 5,
    "ست": 6, "سته": 6, "سبع": 7, "سبعه": 7, "ثمان": 8, "ثماني": 8, "ثمانيه": 8, "تسع": 9, "تسعه": 9, "عشر": 10,
    "عشره": 10,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}
ORDINALS = {
    "اول": 1, "اولي": 1, "ثاني": 2, "ثانيه": 2, "ثالث": 3, "ثالثه": 3, "رابع": 4, "رابعه": 4, "خامس": 5,
    "خامسه": 5, "سادس": 6, "سادسه": 6, "سابع": 7, "سابعه": 7, "ثامن": 8, "ثامنه": 8, "تاسع": 9, "تاسعه": 9,
    "عاشر": 10, "عاشره": 10, "حادي": 1, "حاديه": 1,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10,
}
# Tens, in both cases ("خمسه وعشرين" = 25: the unit comes first in Arabic).
TENS = {
    "عشرين": 20, "عشرون": 20, "ثلاثين": 30, "ثلاثون": 30, "اربعين": 40, "اربعون": 40, "خمسين": 50, "خمسون": 50,
    "ستين": 60, "ستون": 60, "سبعين": 70, "سبعون": 70, "ثمانين": 80, "ثمانون": 80, "تسعين": 90, "تسعون": 90,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
HUNDREDS = {"مايه": 100, "ميه": 100, "مايتين": 200, "مايتان": 200, "ميتين": 200, "ميتان": 200, "hundred": 100}
HUNDREDS |= {stem + h: n * 100 for stem, n in (("ثلاث", 3), ("ثلث", 3), ("اربع", 4), ("خمس", 5), ("ست", 6),
             ("سبع", 7), ("ثمان", 8), ("ثماني", 8), ("تسع", 9)) for h in ("مايه", "ميه")}
# Scale words: singular and dual forms may stand alone ("مليار" = 1e9, "مليونين" = 2e6), plurals only after a
# number ("ملايين الريالات" is no figure).
SCALES = {
    "الف": 1e3, "الفا": 1e3, "الاف": 1e3, "thousand": 1e3, "thousands": 1e3, "مليون": 1e6, "مليونا": 1e6,
    "ملايين": 1e6, "million": 1e6, "millions": 1e6, "mn": 1e6, "مليار": 1e9, "مليارا": 1e9, "مليارات": 1e9,
    "بليون": 1e9, "billion": 1e9, "billions": 1e9, "bn": 1e9, "تريليون": 1e12, "ترليون": 1e12, "trillion": 1e12,
}
SCALES |= {"الفين": 1e3, "الفان": 1e3, "مليونين": 1e6, "مليونان": 1e6, "مليارين": 1e9, "ملياران": 1e9}
ALONE = {"الف": 1, "مليون": 1, "مليونا": 1, "مليار": 1, "مليارا": 1, "بليون": 1, "تريليون": 1, "الفين": 2,
         "الفان": 2, "مليونين": 2, "مليونان": 2, "مليارين": 2, "ملياران": 2}
# Month names: Egyptian/Gulf, Levantine, English, Hijri. Two-word names are read with their second word.
MONTHS = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6, "يوليو": 7, "اغسطس": 8, "سبتمبر": 9,
    "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12, "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6,
    "تموز": 7, "ايلول": 9, "january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4,
    "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
HIJRI = {"محرم": 1, "صفر": 2, "رجب": 7, "شعبان": 8, "رمضان": 9, "شوال": 10, "القعده": 11, "الحجه": 12}
PAIRED = {"كانون": (12, 1, False), "تشرين": (10, 11, False), "ربيع": (3, 4, True), "جمادي": (5, 6, True)}
_FIRST, _SECOND = {"الاول", "الاولي"}, {"الثاني", "الاخر", "الاخره", "الثانيه"}
WEEKDAYS = {"السبت", "الاحد", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعه", "monday", "tuesday",
            "wednesday", "thursday", "friday", "saturday", "sunday"}
# English "may" is left out: far more often the verb than the month.
DATE_WORDS = set(MONTHS) | set(HIJRI) | set(PAIRED) | WEEKDAYS
# fmt: on
_YEAR = regex.compile(r"(1[3-4]\d\d|1[89]\d\d|20\d\d)([مه]?)")  # 1300-1499 Hijri, 1800-2099 Gregorian
_DIGIT_TOKEN = regex.compile(r"(\D{0,3}?)(\d+)([مه]?)")  # "2015", "و823", "ال150000", "2015م", "30ه"
_DECIMAL_TOKEN = regex.compile(r"\D{0,3}?(\d+)ر(\d+)")
_GLUED = regex.compile(r"\D{0,3}?(\d+)(\D{3,})")  # "197مليون": a figure and its scale word in one token
_DIGITS = regex.compile(r"\d+")
_CLIPPED_YEAR = regex.compile(r"1[3-4]\d|1[89]\d|20\d")  # a year's first three digits ("201" of "2012")
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class Quantity:
    """A figure: its value and the unit it is rounded or truncated to.

    >>> Quantity(7e6, 1e6).same(Quantity(7_726_135)), Quantity(7e6, 1e6).same(Quantity(8.2e6))
    (True, False)
    """

    value: float
    unit: float = 1.0

    def same(self, other: Quantity) -> bool:
        """Whether the rounder of the two is the other rounded (half up) or truncated to its unit."""
        coarse, fine = (self, other) if self.unit >= other.unit else (other, self)
        slack = _EPS * fine.unit + 1e-15 * abs(coarse.value)  # float error, far below either unit
        if fine.unit >= coarse.unit - slack:
            return abs(coarse.value - fine.value) <= slack
        return coarse.value - coarse.unit / 2 - slack <= fine.value < coarse.value + coarse.unit - slack


@dataclass(frozen=True, slots=True)
class Day:
    """A calendar date, parts unknown as ``None`` (``hijri`` too: "7 9" names no calendar)."""

    day: int | None
    month: int
    year: int | None = None
    hijri: bool | None = False

    def same(self, other: Day) -> bool:
        """Same date: equal where both are known; across calendars, within two days.

        >>> Day(27, 9, 1436, hijri=True).same(Day(14, 7)), Day(14, 12, 2025).same(Day(15, 12, 2025))
        (True, False)
        """
        if self.hijri is None or other.hijri is None or self.hijri == other.hijri:
            return (
                self.month == other.month
                and (self.day is None or other.day is None or self.day == other.day)
                and (self.year is None or other.year is None or self.year == other.year)
            )
        h, g = (self, other) if self.hijri else (other, self)
        if h.day is None or g.day is None or h.year is None:
            return False
        jdn = _hijri_jdn(h.year, h.month, h.day)
        year = _gregorian_year(jdn)
        years = [g.year] if g.year is not None else [year - 1, year, year + 1]
        return any(abs(_gregorian_jdn(y, g.month, g.day) - jdn) <= 2 for y in years)


def _hijri_jdn(year: int, month: int, day: int) -> int:
    """Julian day number of a date of the arithmetic (tabular) Islamic calendar."""
    return day + math.ceil(29.5 * (month - 1)) + (year - 1) * 354 + (3 + 11 * year) // 30 + 1948439


def _gregorian_jdn(year: int, month: int, day: int) -> int:
    a = (14 - month) // 12
    y, m = year + 4800 - a, month + 12 * a - 3
    return day + (153 * m + 2) // 5 + 365 * y + y // 4 - y // 100 + y // 400 - 32045


def _gregorian_year(jdn: int) -> int:
    return round((jdn - 1721426) / 365.2425) + 1


@functools.lru_cache(maxsize=1 << 18)
def bare(token: str) -> str:
    """The word without its proclitics (cached: every pair asks again for the same few thousand words)."""
    for prefix in PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 2:
            return token[len(prefix) :]
    return token


def _strip_and(token: str) -> str:
    """A continuation word without its "و" ("وخمسين" = "خمسين"), "" if it has none."""
    return token[1:] if token.startswith("و") and len(token) > 2 else ""


def _word(token: str, table: dict[str, int] | dict[str, float], article: bool = True) -> str:
    """``token`` or its bare form if it is in ``table``, else "". Without ``article``, a form with "ال" does not
    count: "بالميه" / "في المايه" is per cent, "المليار" is no figure."""
    if token in table:
        return token
    word = bare(token)
    if word not in table or (not article and "ال" in token[: len(token) - len(word)]):
        return ""
    return word


def _key(digits: str) -> str:
    return digits.lstrip("0") or "0"


class Reading(NamedTuple):
    """What one expression (a figure, a date) can stand for, and where it stands (tokens ``start:stop``). (A
    named tuple: a text has dozens, made in a loop over its words.)"""

    start: int
    stop: int
    kind: str = "number"  # or "date"
    keys: frozenset[str] = frozenset()  # exact forms: digit strings joined, reversed, group by group
    quantities: tuple[Quantity, ...] = ()
    dates: tuple[Day, ...] = ()
    groups: tuple[str, ...] = ()  # the digit groups of a plain run ("10 30": "10", "30")


def _run(tokens: list[str], i: int) -> tuple[int, list[str], str] | None:
    """A run of digit groups from ``tokens[i]`` ("1 059 593 121", "14 12 2025", "15 8", "8ر15"), and the calendar
    mark of its last group ("1436 10 30ه")."""
    m = _DIGIT_TOKEN.fullmatch(tokens[i])
    if m is None:
        m = _DECIMAL_TOKEN.fullmatch(tokens[i])  # "8ر15": the Arabic decimal mark, either way round
        return None if m is None else (i + 1, [m.group(1), m.group(2)], "ر")
    groups, mark, j = [m.group(2)], m.group(3), i + 1
    while not mark and j < len(tokens):
        nxt = _DIGIT_TOKEN.fullmatch(tokens[j])
        if nxt is None or nxt.group(1) or not _joins(groups, nxt.group(2)):
            break
        groups.append(nxt.group(2))
        mark, j = nxt.group(3), j + 1
    return j, groups, mark


def _joins(groups: list[str], nxt: str) -> bool:
    """Whether the digit group ``nxt`` continues a run: thousands ("1 059 593"), a second group ("15 8", "9372
    74", "10 30"), a date's third ("14 12 2025"); not "2015 150" (a year, then a count)."""
    if len(groups) == 1:
        return len(groups[0]) <= 3 or len(nxt) <= 2
    if len(nxt) == 3 and thousands(groups):
        return True
    return len(groups) == 2 and bool(_run_dates([*groups, nxt], ""))


def thousands(groups: list[str]) -> bool:
    """Whether a run of digit groups can be one number in thousands ("1 059 593", not "2015 150")."""
    return len(groups) > 1 and len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def _run_quantities(groups: list[str], mark: str, scaled: bool) -> list[Quantity]:
    """Thousands ("1 059 593" = 1059593) and decimal ("15 8" = 15.8) readings of a run. Three decimals are read
    only before a scale word ("1.059 مليار"): "1,000" alone is a thousand. A token with the Arabic decimal mark is
    read both ways round (pages rendered right to left: "8ر15" = 15.8, "000ر22" = 22000)."""
    out = []
    for g in [groups, groups[::-1]] if mark == "ر" else [groups]:
        if len(g) == 1 or thousands(g):
            out.append(Quantity(float(int("".join(g)))))
        if len(g) > 1 and (len(g) == 2 or thousands(g[:-1])) and (len(g[-1]) != 3 or scaled or mark == "ر"):
            out.append(Quantity(float("".join(g[:-1]) + "." + g[-1]), 10.0 ** -len(g[-1])))
    if mark == "ر":  # one token: its figures on their own too
        out += [Quantity(float(int(g))) for g in groups]
    return out


def _run_dates(groups: list[str], mark: str) -> list[Day]:
    """Day-month(-year), month-day(-year) and year-month-day readings of a run, every valid one."""
    if len(groups) not in (2, 3) or any(len(g) > 4 for g in groups):
        return []
    n = [int(g) for g in groups]
    orders = [(0, 1, 2), (1, 0, 2)] + ([(2, 1, 0)] if len(n) == 3 else [])
    out = []
    for d, m, y in orders:
        year = n[y] if y < len(n) else None
        if not (1 <= n[d] <= 31 and 1 <= n[m] <= 12) or (year is not None and not _YEAR.fullmatch(groups[y])):
            continue
        hijri = None if year is None else (mark == "ه" or year < 1500)
        out.append(Day(n[d], n[m], year, hijri))
    return out


def _spelled(tokens: list[str], i: int, first: bool) -> tuple[int, float] | None:
    """A spelled number below a thousand at ``tokens[i]``: "خمسه وعشرين", "تسع ميه", "ثلاثمايه وخمسون",
    "twenty five", "one hundred and fifty"."""
    n = len(tokens)
    english = tokens[i].isascii()

    def word(k: int, joined: bool) -> tuple[int, str, int] | None:
        if k >= n:
            return None
        tok = tokens[k]
        if joined and tok in ("و", "and") and k + 1 < n:
            k, tok = k + 1, tokens[k + 1]
        elif joined and not english:
            tok = _strip_and(tok)  # an Arabic continuation needs its "و" ("والعشرين" too)
            tok = tok[2:] if tok.startswith("ال") and (tok[2:] in UNITS or tok[2:] in TENS) else tok
        elif first and k == i:
            tok = _word(tok, UNITS) or _word(tok, TENS) or _word(tok, HUNDREDS, article=False)
        for table, kind in ((UNITS, "unit"), (TENS, "tens"), (HUNDREDS, "hundred")):
            if tok in table:
                return k + 1, kind, int(table[tok])
        return None

    got = word(i, False)
    if got is None:
        return None
    j, last, value = got
    if last == "unit" and j < n and tokens[j] in HUNDREDS:  # "تسع ميه", "five hundred"
        j, last, value = j + 1, "hundred", value * HUNDREDS[tokens[j]]
    step = value
    while True:
        if last == "unit" and step < 10 and j < n and tokens[j] in ("عشر", "عشره"):  # "ثلاثه عشر" = 13
            j, value, step = j + 1, value + 10, step + 10
        nxt = word(j, True)
        if nxt is None:
            break
        k, kind, v = nxt
        arabic_tens = last == "unit" and step < 10 and kind == "tens" and not english  # "خمسه وعشرين"
        english_unit = last == "tens" and kind == "unit" and v < 10 and english  # "twenty five"
        if not ((last == "hundred" and kind in ("unit", "tens")) or arabic_tens or english_unit):
            break
        j, value, last, step = k, value + v, kind, v
    return j, float(value)


def _component(tokens: list[str], i: int, first: bool) -> tuple[int, list[Quantity], float, list[str], str] | None:
    """One number with its scale word at ``tokens[i]``: ``(stop, readings, scale, digit groups, mark)``.

    After the first component of an expression the component must open with "و" ("25 الفا و823")."""
    n = len(tokens)
    tok = tokens[i]
    if not first:
        if tok in ("و", "and") and i + 1 < n:
            i, tok = i + 1, tokens[i + 1]
        elif _strip_and(tok):
            tok = _strip_and(tok)
        else:
            return None
    glued = _GLUED.fullmatch(tok)
    if glued and glued.group(2) in SCALES:  # "197مليون" = "197 مليون"
        s = SCALES[glued.group(2)]
        return i + 1, [Quantity(float(glued.group(1)) * s, s)], s, [], ""
    sub = [tok, *tokens[i + 1 : i + 8]]
    groups: list[str] = []
    mark = ""
    run = _run(sub, 0)
    if run is not None and (first or tok[0].isdigit()):
        stop, groups, mark = run
        scaled = i + stop < n and tokens[i + stop] in SCALES and mark not in ("م", "ه")
        readings = _run_quantities(groups, mark, scaled)
    else:
        spelled = _spelled(sub, 0, first)
        if spelled is not None:
            stop, readings = spelled[0], [Quantity(spelled[1])]
        else:
            alone = _word(tok, ALONE, article=False) if first else (tok if tok in ALONE else "")
            if not alone:
                return None
            return i + 1, [Quantity(ALONE[alone] * SCALES[alone], SCALES[alone])], SCALES[alone], [], ""
    j = i + stop
    if j < n and tokens[j] in SCALES and mark not in ("م", "ه"):
        s = SCALES[tokens[j]]
        return j + 1, [Quantity(q.value * s, q.unit * s) for q in readings], s, groups, mark
    return j, readings, 1.0, groups, mark


def _month(tokens: list[str], k: int) -> tuple[int, list[tuple[int, bool]]] | None:
    """The month named at ``tokens[k]`` (with its second word, and a synonym after it: "اغسطس اب")."""
    n = len(tokens)
    word = tokens[k] if k < n else ""
    if word[:1] in ("و", "ب", "ل", "ف") and word[1:] in MONTHS:  # "وفبراير 2016"
        word = word[1:]
    if k < n and word in ("ذو", "ذي") and k + 1 < n:
        k, word = k + 1, tokens[k + 1]
    if word in MONTHS:
        months, k = [(MONTHS[word], False)], k + 1
    elif word in HIJRI:
        months, k = [(HIJRI[word], True)], k + 1
    elif word in PAIRED:
        a, b, hijri = PAIRED[word]
        second = tokens[k + 1] if k + 1 < n else ""
        months = [(a, hijri)] if second in _FIRST else [(b, hijri)] if second in _SECOND else [(a, hijri), (b, hijri)]
        k += 1 + (second in _FIRST or second in _SECOND)
    else:
        return None
    if k < n and (tokens[k] in MONTHS or tokens[k] in PAIRED or tokens[k] == "اب"):  # "ديسمبر كانون الاول"
        k = (_month(tokens, k) or (k + 1, []))[0]
    return k, months


def _year(tokens: list[str], k: int) -> tuple[int, int | None, str]:
    m = _YEAR.fullmatch(tokens[k]) if k < len(tokens) else None
    if m is None:
        return k, None, ""
    k, mark = k + 1, m.group(2)
    if k < len(tokens) and tokens[k] in ("م", "ه") and not mark:
        k, mark = k + 1, tokens[k]
    return k, int(m.group(1)), mark


def _date(tokens: list[str], i: int, day: int | None, j: int) -> Reading | None:
    """A date whose day (if any) is read at ``tokens[i:j]``: "14 ديسمبر 2025", "الرابع عشر من شهر رمضان",
    "december 14 2025", "اغسطس 2015"."""
    n = len(tokens)
    k = j + (j < n and tokens[j] == "من")
    k += k < n and tokens[k] == "شهر"
    month = _month(tokens, k)
    if month is None:
        return None
    k, months = month
    if day is None and k < n and tokens[k].isdigit() and tokens[k - 1].isascii() and 1 <= int(tokens[k]) <= 31:
        day, k = int(tokens[k]), k + 1  # "december 14"
    k, year, mark = _year(tokens, k)
    if day is None and year is None:
        return None
    days = tuple(Day(day, m, year, hijri or mark == "ه" or bool(year and year < 1500)) for m, hijri in months)
    return Reading(i, k, "date", dates=days)


def read_expression(tokens: list[str], i: int) -> Reading | None:
    """The figure or date that starts at ``tokens[i]``, with every reading of it; ``None`` if none does."""
    n = len(tokens)
    if i < n and (tokens[i] in MONTHS or tokens[i] in PAIRED or tokens[i] in HIJRI or tokens[i][1:] in MONTHS):
        return _date(tokens, i, None, i)
    ordinal = _word(tokens[i], ORDINALS)
    if ordinal:  # "الرابع" = 4, "السادس والعشرين" = 26, "التاسعه عشره" = 19
        value, j = ORDINALS[ordinal], i + 1
        after = bare(tokens[j]) if j < n and value < 10 else ""
        if after in TENS or after in ("عشر", "عشره"):
            value, j = value + TENS.get(after, 10), j + 1
        return _date(tokens, i, value, j) or Reading(i, j, quantities=(Quantity(float(value)),))
    first = _component(tokens, i, True)
    if first is None:
        return None
    j, readings, scale, groups, mark = first
    plain = scale == 1  # digits as written, no scale word: their exact forms are facts too
    while scale > 1 and j < n:  # "25 الفا و823", "مليار وتسعه وخمسين مليون"
        nxt = _component(tokens, j, False)
        if nxt is None or nxt[2] >= scale or any(q.value >= scale for q in nxt[1]):
            break
        readings = [Quantity(a.value + b.value, min(a.unit, b.unit)) for a in readings for b in nxt[1]]
        j, scale = nxt[0], nxt[2]
    day = int(groups[0]) if len(groups) == 1 else int(readings[0].value) if not groups and len(readings) == 1 else 0
    if plain and not mark and 1 <= day <= 31:  # "14 ديسمبر", "الثلاثين من شوال"
        date = _date(tokens, i, day, j)
        if date is not None:
            return date
    if not (groups and plain):
        return Reading(i, j, "number", quantities=tuple(readings))
    if mark and len(groups) == 1 and _CLIPPED_YEAR.fullmatch(groups[0]):
        # "201م": a year with its era mark and a digit dropped, where another paper's copy has "2012م".
        readings = [*readings, *(Quantity(int(groups[0]) * 10.0 + d) for d in range(10))]
    keys = {_key("".join(groups)), " ".join(_key(g) for g in groups)}  # glued ("14371441") and group by group
    if mark == "ر":
        keys.add(_key("".join(reversed(groups))))
    return Reading(i, j, "number", frozenset(keys), tuple(readings), tuple(_run_dates(groups, mark)), tuple(groups))


def read_token(token: str) -> Reading | None:
    """A token with digits among other characters ("40كم", "87سنتا", "12-8مليون"): each run of digits, and the
    runs read as one number either way round."""
    runs = _DIGITS.findall(token)
    if not runs:
        return None
    joined = {"".join(runs), "".join(reversed(runs))}
    quantities = {Quantity(float(int(r))) for r in [*runs, *joined]}
    if len(runs) == 2:
        quantities |= {Quantity(float(f"{a}.{b}"), 10.0 ** -len(b)) for a, b in (runs, runs[::-1])}
    return Reading(0, 1, "number", frozenset(_key(r) for r in [*runs, *joined]), tuple(sorted(quantities, key=str)))


def read_figures(tokens: list[str]) -> list[Quantity]:
    """Every reading of the figure that starts ``tokens`` (for examples and tests)."""
    found = read_expression(tokens, 0)
    return list(found.quantities) if found else []


def read_date(tokens: list[str]) -> Day:
    """The first reading of the date that starts ``tokens`` (for examples and tests)."""
    found = read_expression(tokens, 0)
    if found is None or not found.dates:
        raise ValueError(f"no date at the start of {' '.join(tokens)!r}")
    return found.dates[0]
