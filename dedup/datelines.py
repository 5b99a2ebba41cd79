"""The page's own dates among a text's figures: its publication line, its last update, its dateline.

Each outlet's page of one wire story carries its own; they are no fact of the story (:mod:`dedup.facts` sets
them aside).

>>> from dedup.numbers import read_expression
>>> t = "نشر في 14 ديسمبر 2025 10 30 ص اعلنت الوزاره".split()
>>> page_dates(t, [read_expression(t, 2), read_expression(t, 5)])
[(0, 8)]
"""

from __future__ import annotations

from dedup.numbers import WEEKDAYS, Reading

# fmt: off
# Words that introduce a page's own timestamp ("نشر في", "اخر تحديث", "published", "updated").
CUES = frozenset({"نشر", "نشرت", "منشور", "النشر", "تحديث", "التحديث", "محدث", "published", "updated", "posted",
        "modified", "update"})
# Words between a cue and its date ("نشر في", "اخر تحديث يوم الاحد"), and the marks a time or date is written
# with ("10 30 ص", "بتوقيت مكه", "1436 ه الموافق").
LEADS = frozenset({"في", "بتاريخ", "تاريخ", "يوم", "تم", "اخر", "on", "at", "in", "the", "last", "ب", "الساعه",
                   *WEEKDAYS})
MARKS = frozenset({"ص", "م", "ه", "صباحا", "مساء", "am", "pm", "gmt", "utc", "بتوقيت", "مكه", "المكرمه", "غرينتش",
                   "جرينتش", "ksa", "الموافق"})
_LEADS_MARKS = LEADS | MARKS
# Agencies whose tag makes a date at a text's edge its dateline ("الرياض 14 ديسمبر واس").
AGENCIES = frozenset({"واس", "رويترز", "سانا", "قنا", "وام", "بنا", "كونا", "الاناضول", "reuters", "afp", "ap",
                      "dpa", "xinhua", "upi"})
# fmt: on
EDGE = 25  # tokens at either end of a text where a page's date line sits (after the title, or at the foot)


def _clock(r: Reading) -> bool:
    """Hours and minutes: "10 30", "09 12"."""
    return len(r.groups) == 2 and len(r.groups[1]) == 2 and int(r.groups[0]) <= 23 and int(r.groups[1]) <= 59


def _dated(r: Reading) -> bool:
    """A full date: a day and a month ("14 ديسمبر", "14 12 2025"), not "7 9"."""
    return any(d.day is not None for d in r.dates) and (r.kind == "date" or any(d.year for d in r.dates))


def page_dates(tokens: list[str], readings: list[Reading]) -> list[tuple[int, int]]:
    """Token spans of the page's own timestamps and datelines among ``readings`` (in text order): a date or time
    after a cue ("نشر في 14 ديسمبر 2025 10 30 ص"), a date with a time at either end of the text ("14 12 2025
    10 30"), a date beside an agency's tag at either end ("الرياض 14 ديسمبر واس"), and a time or date that
    follows one of these. A span runs from its cue (or first filler) to its last mark. These are facts of the
    page: two outlets' copies of one story differ there.

    >>> from dedup.numbers import read_expression
    >>> t = "نشر في 14 ديسمبر 2025 10 30 ص اعلنت الوزاره".split()
    >>> page_dates(t, [read_expression(t, 2), read_expression(t, 5)])
    [(0, 8)]
    """
    n = len(tokens)
    spans: list[tuple[int, int]] = []

    def between(a: int, b: int, words: frozenset[str]) -> bool:
        return b - a <= 3 and all(tokens[k] in words for k in range(a, b))

    previous: Reading | None = None  # the last reading found to be the page's
    for idx, r in enumerate(readings):
        if not (_dated(r) or _clock(r)):
            continue
        start = r.start
        while start > 0 and r.start - start < 3 and (tokens[start - 1] in LEADS or tokens[start - 1] in CUES):
            start -= 1
        cued = any(tokens[c] in CUES for c in range(start, r.start))
        chained = previous is not None and between(previous.stop, r.start, _LEADS_MARKS)
        edge = _dated(r) and (r.start < EDGE or r.stop > n - EDGE)
        nxt = readings[idx + 1] if idx + 1 < len(readings) else None
        timed = nxt is not None and _clock(nxt) and between(r.stop, nxt.start, MARKS)  # not "الساعه 10 30"
        tagged = any(tokens[c] in AGENCIES for c in range(max(0, r.start - 3), min(n, r.stop + 3)))
        if not (cued or chained or (edge and (timed or tagged))):
            continue
        if not (cued or chained):
            start = r.start  # "في 14 ديسمبر" opens a story's sentence, not a page's line
        stop = r.stop
        while stop < n and stop - r.stop < 3 and tokens[stop] in MARKS:
            stop += 1
        if spans and spans[-1][1] >= start:
            start = spans.pop()[0]
        spans.append((start, stop))
        previous = r
    return spans
