"""Anchored prefixes: a rule ``^\\W*(this|that)`` is tried only on lines whose first word character begins one of
its alternatives, read from the pattern when it is compiled; verdicts stay those of the plain regexes."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.clean.guards import anchored_prefixes
from dedup.clean.lines import LineRules


def _plain(rules: LineRules) -> LineRules:
    """The same rules without anchored prefixes (every line goes to the regex)."""
    return LineRules(
        tuple(dataclasses.replace(r, firsts=frozenset()) for r in rules.lines),
        tuple(dataclasses.replace(r, firsts=frozenset()) for r in rules.blocks),
        tuple(dataclasses.replace(r, firsts=frozenset()) for r in rules.runs),
    )


def test_prefixes_are_read_from_anchored_builtin_patterns_only() -> None:
    rules = {r.name: r for r in (*LineRules.builtin().lines, *LineRules.builtin().blocks)}
    assert rules["share-bar"].firsts >= {"s", "f", "t", "ش", "و"}
    assert rules["read-also"].firsts >= {"r", "a", "ا", "ق", "م"}
    # Unanchored, or an alternative that starts with a digit class: no prefix test.
    assert rules["copyright"].firsts == rules["comment-widget"].firsts == frozenset()
    assert anchored_prefixes(r"^\W*(Read More|related( news)?)\W*$") == ("read more", "related")


def test_patterns_the_regex_module_reads_otherwise_get_no_prefixes() -> None:
    assert anchored_prefixes(r"^\W*(?:share){e<=1}") == ()  # fuzzy matching: "shore" matches too
    assert anchored_prefixes(r"^\W*(?i)share") == ()
    assert anchored_prefixes(r"^\W*\p{L}+ more") == ()
    assert anchored_prefixes(r"^\W*(share|)") == ()  # an empty alternative matches anything
    assert anchored_prefixes(r"^\W*(©|share)") == ()  # starts with a character that is not a word character
    assert set(anchored_prefixes(r"^\W*(straße|ahoy)")) == {"stra", "ahoy"}  # cut before a letter with case


def test_a_user_rule_with_an_anchored_pattern_still_removes_its_lines() -> None:
    rules = LineRules.from_tables(
        [{"line": [{"name": "promo", "pattern": r"^\W*(عرض اليوم|deal of the day)\b", "max_words": 8}]}]
    )
    lines = ["** Deal of the day: 2 for 1", "عرض اليوم: خصم", "The deal of the day was signed.", "يوم العرض"]
    assert rules.classify(lines) == ["pattern:promo", "pattern:promo", None, None]


_WORDS = [
    "share", "Share", "SHARE", "facebook", "tweet", "read more:", "Read also", "related", "اقرأ أيضاً", "شارك",
    "الرئيسية", "home", ">", "»", "tags:", "الوسوم", "comments", "3 comments", "تعليق", "نشر في", "published",
    "2024-01-01", "10:30", "source", "المصدر", "follow us", "تابعونا", "subscribe", "the", "port", "strike",
    "الميناء", "إضراب", "«", "—", ".", "!", "-", "ſhare", "İ", "\u212aey", "x", "privacy policy", "©", "2024",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_WORDS), max_size=7).map(" ".join), min_size=1, max_size=8))
def test_verdicts_are_those_of_the_rules_without_prefixes(lines: list[str]) -> None:
    rules = LineRules.builtin()
    assert rules.classify(lines) == _plain(rules).classify(lines)
