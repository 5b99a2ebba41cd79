"""Literal guards of the costly line rules: the regex runs only on lines holding one of a rule's literals, and
no verdict changes (checked line by line on the SaudiNewsNet dev month)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from conftest import snn_records

from dedup.clean import Cleaner
from dedup.clean.lines import LineRules, admits, fold_line
from dedup.document import Document


def _unguarded(rules: LineRules) -> LineRules:
    return LineRules(
        tuple(dataclasses.replace(r, guard=()) for r in rules.lines),
        tuple(dataclasses.replace(r, guard=()) for r in rules.blocks),
        tuple(dataclasses.replace(r, guard=()) for r in rules.runs),
    )


def _guarded(rules: LineRules) -> list:
    return [r for r in (*rules.lines, *rules.blocks, *rules.runs) if r.guard]


def test_every_guard_literal_is_spelled_as_in_its_folded_pattern() -> None:
    guarded = _guarded(LineRules.builtin())
    assert {r.name for r in guarded} >= {"cookie-notice", "ad-line", "meta-line", "copyright", "ad-run"}
    for rule in guarded:
        source = rule.pattern.pattern.replace("\\", "")
        for literal in rule.guard:
            assert literal in source, (rule.name, literal)
    # Folded as the pattern is: the hamza of دقائق is folded in both.
    meta = next(r for r in guarded if r.name == "meta-line")
    assert "دقايق" in meta.guard and "دقائق" not in meta.guard


def test_guarded_rules_still_remove_their_lines_in_both_languages() -> None:
    text = "\n".join(
        [
            "أعلنت وزارة الصحة اليوم عن حملة تطعيم جديدة تشمل جميع المدارس في المملكة.",
            "نستخدم ملفات تعريف الارتباط لتحسين تجربتك، بالاستمرار فإنك توافق على ذلك",
            "We use cookies to improve your experience. By continuing you agree",
            "عدد القراءات: 1532",
            "جميع الحقوق محفوظة © 2024",
            "عروض حصرية وخصم 50% لفترة محدودة",
            "Privacy Policy",
        ]
    )
    doc = Cleaner().clean(Document(id="a", text=text))
    assert doc.text.startswith("أعلنت وزارة الصحة") and "\n" not in doc.text
    rules = sorted({r.rule for r in doc.removed})
    assert rules == ["pattern:ad-line", "pattern:cookie-notice", "pattern:copyright", "pattern:meta-line"]


def test_a_guard_lets_through_a_line_with_a_character_the_regex_folds_onto_ascii() -> None:
    # "ſ" matches "s" under IGNORECASE; a line holding it is left to the regex.
    assert admits(("cookies",), "cookieſ") and not admits(("cookies",), "biscuits")
    assert admits(("copyright",), "COPYRIGHT")


def test_a_user_rule_replacing_a_guarded_one_has_no_guard(tmp_path: Path) -> None:
    user = tmp_path / "rules.toml"
    user.write_text('[[line]]\nname = "cookie-notice"\npattern = "biscuits"\n', encoding="utf-8")
    rule = next(r for r in LineRules.load(user).lines if r.name == "cookie-notice")
    assert rule.guard == ()
    assert Cleaner(LineRules.load(user)).clean(Document(id="a", text="Body.\nbiscuits")).text == "Body."


def test_guards_change_no_verdict_on_the_dev_month() -> None:
    guarded = LineRules.builtin()
    plain = _unguarded(guarded)
    rules = _guarded(guarded)
    lines_seen = removed = 0
    for record in snn_records():
        lines = [record.get("title") or "", *(record.get("text") or "").splitlines()]
        assert guarded.classify(lines) == plain.classify(lines), record.get("id")
        for line in lines:
            folded = fold_line(line)
            if folded.count(" ") >= 60:  # longer than any guarded rule looks at
                continue
            for rule in rules:
                # The guard is a necessary condition, whatever the line's place.
                assert admits(rule.guard, folded) or rule.pattern.search(folded) is None, (rule.name, line)
        lines_seen += len(lines)
        removed += sum(v is not None for v in guarded.classify(lines))
    assert lines_seen > 100_000 and removed > 40
