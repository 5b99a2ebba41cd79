"""Cleaner quality on fixtures: news page templates (body F1 against truth.json) and site boilerplate learned
across many pages of a few sites (chrome removed, article lines lost).

The metric is bench/score.py's (4-token shingles, the Article Extraction Benchmark's); the site boilerplate
figures are bench/site_boilerplate.py's.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from dedup.clean import Cleaner, LineRules
from dedup.clean.html import extract_html
from dedup.document import Document

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from score import page_scores  # noqa: E402
from site_boilerplate import FIXTURE, load, score  # noqa: E402

TEMPLATES = ROOT / "fixtures" / "templates"
TRUTH = (
    json.loads((TEMPLATES / "truth.json").read_text(encoding="utf-8")) if (TEMPLATES / "truth.json").exists() else {}
)


def _f1(pred: str, truth: str) -> float:
    s = page_scores(pred, truth)
    return 2 * s.precision * s.recall / (s.precision + s.recall) if s.precision + s.recall else 0.0


def _clean(name: str) -> Document:
    html = (TEMPLATES / name).read_bytes()
    return Cleaner().clean_page(Document(id=name, text="", html=html))


def test_there_are_six_arabic_templates() -> None:
    assert len([n for n in TRUTH if n.startswith("ar-")]) >= 6


@pytest.mark.parametrize("name", sorted(n for n in TRUTH if n.startswith("ar-")))
def test_arabic_template_body_f1(name: str) -> None:
    doc = _clean(name)
    f1 = _f1(doc.text, TRUTH[name]["body"])
    assert f1 >= 0.97, f"{name}: body F1 {f1:.3f}; removed: {[(r.rule, r.text[:40]) for r in doc.removed]}"


@pytest.mark.parametrize("name", sorted(n for n in TRUTH if not n.startswith("ar-")))
def test_english_template_body_f1(name: str) -> None:
    # English pages keep bylines and photo captions the truth leaves out; a looser floor guards regressions.
    assert _f1(_clean(name).text, TRUTH[name]["body"]) >= 0.95


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_template_title(name: str) -> None:
    assert _clean(name).title.strip() == TRUTH[name]["title"].strip()


def test_explain_names_the_rule_kind() -> None:
    # Every removal says which kind of rule took it: an HTML region, a link-dense block, or a line pattern.
    for name in TRUTH:
        for r in _clean(name).removed:
            kind = r.rule.split(":", 1)[0]
            assert kind in ("html", "pattern", "site"), r.rule
            assert r.rule.split(":", 1)[1]


def test_logo_h1_is_not_the_title() -> None:
    page = (
        "<html><head><title>Flood waters recede across the valley - Valley Post</title></head><body>"
        "<header><h1>Valley Post</h1></header><article><h1>Flood waters recede across the valley</h1>"
        "<p>" + "Residents began returning home on Monday as the water level dropped, officials said. " * 3 + "</p>"
        "</article></body></html>"
    )
    assert extract_html(page).title == "Flood waters recede across the valley"


def test_ad_line_needs_two_selling_words_and_no_full_stop() -> None:
    rules = LineRules.builtin()
    kept, removed = rules.strip(  # noqa: B005 (LineRules.strip, not str.strip)
        "عروض نهاية العام… خصومات تصل إلى 50% على الأجهزة\n"
        "وأعلنت الوزارة توفير اللقاحات مجاناً في المراكز الصحية مع خدمة توصيل للأدوية.\n"
        "الشهر الأول مجاناً — يمكنك الإلغاء في أي وقت"
    )
    assert kept == "وأعلنت الوزارة توفير اللقاحات مجاناً في المراكز الصحية مع خدمة توصيل للأدوية."
    assert [r.rule for r in removed] == ["pattern:ad-line", "pattern:ad-line"]


@pytest.fixture(scope="module")
def site_rows() -> list[dict]:
    assert FIXTURE.exists(), "tests/data/site-boilerplate missing: python bench/site_boilerplate.py --generate"
    return load()


def test_site_boilerplate_fixture_shape(site_rows: list[dict]) -> None:
    sites = {r["source"] for r in site_rows}
    assert len(site_rows) >= 400 and 3 <= len(sites) <= 6
    # Chrome at the top, in the middle and at the bottom of pages.
    positions = set()
    for r in site_rows[:100]:
        n = len(r["text"].splitlines())
        positions.update("top" if i == 0 else "bottom" if i == n - 1 else "middle" for i in r["chrome"])
    assert positions == {"top", "middle", "bottom"}


def test_site_boilerplate_learned_alone(site_rows: list[dict]) -> None:
    s = score(site_rows, None)
    assert s["removed_pct"] >= 99.0 and s["lost_pct"] <= 0.5, s


def test_site_boilerplate_with_line_rules(site_rows: list[dict]) -> None:
    s = score(site_rows, LineRules.builtin())
    assert s["removed_pct"] >= 99.0 and s["lost_pct"] <= 0.5, s
