"""The line cleaner's one normalisation pass (``fold_and_key``) and its page-level guard search give what the
plain per-line forms give: same folded lines, same keys, same verdicts."""

from __future__ import annotations

import dataclasses

from dedup.clean.lines import _LINE_FOLD, LineRules, fold_and_key, page_literals
from dedup.normalize import DEFAULT_OPTIONS, normalize, normalize_lines_each

# Lines whose fold is not one character a letter (ß → ss, İ, Greek iota subscript, ligatures), some with a
# combining mark right after the ß (the written-out "s" would compose with it), beside ordinary lines.
TRICKY = [
    "Die Straße nach München ist gesperrt.",
    "STRASSE und Straẞe",
    "Maße\u0301 mit Akzent",  # ß + combining acute: stays on the slow path
    "ß",
    "İstanbul'da bugün",
    "ᾳ ᾼ ῳ",
    "ﬁnal ﬂag",
    "أعلنت الوزارةُ اليومَ عن خطةٍ جديدة",
    "",
    "   ",
    "Mehr zum Thema: Fußball",
    "Foto: dpa / Weiß",
]


def test_fold_and_key_is_normalize_line_by_line() -> None:
    for lines in (TRICKY, TRICKY[:2], TRICKY[7:10], ["Straße"], [], TRICKY[2:3] + TRICKY[7:8]):
        folded, keys, words = fold_and_key(list(lines))
        assert words == [key.count(" ") + 1 if key else 0 for key in keys]
        assert folded == [normalize(line, _LINE_FOLD) for line in lines], lines
        assert keys == [normalize(line, DEFAULT_OPTIONS) for line in lines], lines
        assert [folded, keys] == normalize_lines_each(list(lines), (_LINE_FOLD, DEFAULT_OPTIONS))


def test_written_out_sharp_s_is_folded_like_ss() -> None:
    folded, keys, words = fold_and_key(["Großes Maß.", "Maße\u0301"])
    assert words[0] == 2
    assert folded[0] == "grosses mass." and keys[0] == "grosses mass"
    assert keys[1] == normalize("Maße\u0301")  # the slow path decided, whatever it gives


def test_page_literals_bound_the_lines_a_guarded_rule_is_tried_on() -> None:
    page = "we use cookies\nread more"
    assert page_literals(("cookie", "privacy policy"), page) == ("cookie",)
    assert page_literals(("copyright", "©"), page) == ()
    assert page_literals((), page) is None
    # A capital (or a character the regex folds onto ASCII) on the page: every line is asked on its own.
    assert page_literals(("cookie",), "COOKIES") is None


def test_verdicts_are_those_of_the_unguarded_rules_on_german_and_arabic_pages() -> None:
    rules = LineRules.builtin()
    plain = LineRules(
        tuple(dataclasses.replace(r, guard=()) for r in rules.lines),
        tuple(dataclasses.replace(r, guard=()) for r in rules.blocks),
        tuple(dataclasses.replace(r, guard=()) for r in rules.runs),
    )
    pages = [
        [
            "Großer Streik: Die Bahn fährt nicht",
            "Die Gewerkschaft hat für Montag zu einem bundesweiten Streik aufgerufen, teilte sie mit.",
            "Copyright © 2024 Süddeutsche Zeitung",
            "We use cookies. By continuing you agree",
        ],
        [
            "خبر عاجل",
            "أعلنت وزارة الصحة اليوم عن حملة تطعيم جديدة تشمل جميع المدارس في المملكة.",
            "عدد القراءات: 1532",
            "عروض حصرية وخصم 50% لفترة محدودة",
            "جميع الحقوق محفوظة © 2024",
        ],
    ]
    removed = 0
    for lines in pages:
        verdict = rules.classify(lines)
        assert verdict == plain.classify(lines)
        removed += sum(v is not None for v in verdict)
    assert removed == 5
