"""``dedup scan --html``: one self-contained page, checked by structure (selectolax) and in headless Chromium.

The Chromium tests need the Debian package ``chromium`` (``/usr/bin/chromium``, installed by the test set-up);
without it they are skipped, saying why.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser
from typer.testing import CliRunner

from dedup.cli import app
from dedup.cluster import Cluster, Link
from dedup.document import DocInfo
from dedup.pipeline import ScanResult
from dedup.report.html import ShownText, diff_words, histogram_svg, is_arabic, render_html

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
TEMPLATES = ROOT / "tests" / "data" / "templates-news"
CHROMIUM = Path("/usr/bin/chromium")


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output, result.output
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def fixtures_report(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("html") / "report.html"
    result = run("scan", str(FIXTURES), "--html", str(out), "--format", "json", "-q")
    return out, json.loads(result.stdout)


@pytest.fixture(scope="module")
def page(fixtures_report) -> LexborHTMLParser:
    return LexborHTMLParser(fixtures_report[0].read_text(encoding="utf-8"))


def test_clusters_biggest_first_with_every_member(page, fixtures_report) -> None:
    clusters = page.css("section#clusters article.cluster")
    assert len(clusters) == 6
    sizes = [int(c.attributes["data-size"]) for c in clusters]
    assert sizes == sorted(sizes, reverse=True)
    expected = {c["id"]: c for c in fixtures_report[1]["clusters"]}
    for article in clusters:
        entry = expected[int(article.attributes["data-cluster"])]
        assert len(entry["members"]) == int(article.attributes["data-size"])
        assert len(article.css(".kept")) == 1
        members = article.css(".member")
        assert len(members) == len(entry["members"]) - 1
        # Every member's similarity is on the element and printed, as in the JSON report.
        for element, member in zip(members, entry["members"][1:], strict=True):
            sim = float(element.attributes["data-similarity"])
            assert sim == pytest.approx(member["similarity"], abs=1e-4)
            assert element.css_first(".sim").text() == f"{sim:.2f}"
            assert element.css_first(".source").text() == (member["source"] or "—")
            assert element.css_first(".date") is not None
            assert element.css_first("code.id").text() == member["id"]
        assert article.css_first(".kept code.id").text() == entry["keep"]
        assert len(article.css(".member .diff")) == len(members)
        # Each says how close its closest calls came to the lines.
        assert re.search(r"similarity \d\.\d\d (above its|below the) threshold", article.css_first("p.why").text())


def test_a_small_scan_is_shown_whole_and_says_so(page) -> None:
    scope = page.css_first("header #scope").text()
    assert scope.startswith("Everything is shown in full: 6 clusters")
    assert not page.css("#cluster-list, #cluster-counts, #template-list")
    assert page.css_first("section#tier-all h3").text() == "All clusters, biggest first"


def test_side_by_side_marks_differences_and_stripped_boilerplate(page) -> None:
    diffs = page.css("article.cluster .diff")
    assert any(d.css("ins") or d.css("del") for d in diffs)
    assert any("open" in d.attributes for d in diffs)
    # Fixture pages carry site chrome and ads: what was stripped is listed, struck through.
    assert page.css("details.removed s")
    for col in page.css(".diff .sxs .col"):
        assert col.css_first(".text").text().strip()


def test_arabic_blocks_are_right_to_left(page) -> None:
    assert page.css_first("html").attributes.get("lang")
    texts = page.css(".diff .text")
    assert texts
    for block in texts:
        if is_arabic(block.text()):
            assert block.attributes.get("dir") == "rtl"
            assert block.attributes.get("lang") == "ar"
    titles = page.css(".title")
    assert titles and all(t.attributes.get("dir") == "rtl" for t in titles if is_arabic(t.text()))
    # Every text container says its direction.
    assert all(t.attributes.get("dir") in ("rtl", "auto") for t in [*texts, *titles])


def test_histogram_marks_the_thresholds(page) -> None:
    svg = page.css_first("figure#histogram svg")
    assert svg is not None
    bars = svg.css("rect.bar")
    assert len(bars) == 20 and sum(int(b.attributes["data-count"]) for b in bars) > 0
    threshold = svg.css_first("line.mark.threshold")
    assert threshold is not None and float(threshold.attributes["data-value"]) == pytest.approx(0.5)
    assert svg.css_first("line.mark.containment") is not None


def test_page_is_self_contained(page, fixtures_report) -> None:
    assert not page.css("script, link, iframe, img")
    for node in page.css("[src], [href]"):
        for attr in ("src", "href"):
            value = (node.attributes.get(attr) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), node.html
    text = fixtures_report[0].read_text(encoding="utf-8")
    assert "@import" not in text and "url(" not in text


def test_template_siblings_shown_apart(tmp_path: Path) -> None:
    out = tmp_path / "templates.html"
    result = run("scan", str(TEMPLATES), "--html", str(out), "--format", "json", "--explain", "-q")
    expected = json.loads(result.stdout)["templates"]
    assert expected
    page = LexborHTMLParser(out.read_text(encoding="utf-8"))
    entries = page.css("section#templates > article.template")
    assert len(entries) == len(expected)
    # Most similar first: the pairs that came closest to being merged.
    pairs = [
        (frozenset((e.css_first(".pair-a code.id").text(), e.css_first(".pair-b code.id").text())), e) for e in entries
    ]
    assert {p for p, _ in pairs} == {frozenset((e["a"], e["b"])) for e in expected}
    sims = [float(e.attributes["data-similarity"]) for _, e in pairs]
    assert sims == sorted(sims, reverse=True)
    assert sims[0] == pytest.approx(max(e["similarity"] for e in expected), abs=1e-4)
    first = entries[0]
    # The facts that differ (numbers, names) are marked in the side-by-side view.
    assert first.css(".diff ins") and first.css(".diff del")
    # Template siblings never appear as members of a cluster.
    cluster_ids = {n.text() for n in page.css("section#clusters code.id")}
    assert not any(
        e["a"] in cluster_ids and e["b"] in cluster_ids and _same_cluster(page, e["a"], e["b"]) for e in expected
    )


def _same_cluster(page: LexborHTMLParser, a: str, b: str) -> bool:
    for article in page.css("article.cluster"):
        ids = {n.text() for n in article.css("code.id")}
        if a in ids and b in ids:
            return True
    return False


def test_everything_is_escaped() -> None:
    docs = [
        DocInfo("<a>", "<script>x</script>", "s&1", None, "a", None, None, 3, "x"),
        DocInfo('b"', "T", "<b>", "2020", "b", None, None, 4, "y"),
    ]
    result = ScanResult(docs, [Cluster(0, [(0, 1.0), (1, 0.8)])], [Link(0, 1, 0.8, 0.9)])
    page = render_html(result, {"<a>": ShownText("one <img src=x> two"), 'b"': ShownText("one <img src=x> three")})
    assert "<script>x" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;img" in page


def test_units() -> None:
    left, right, _ = diff_words("وصلت الطائرة الرابعة اليوم", "وصلت الطائره الخامسة اليوم")
    assert "<del>الرابعة</del>" in left and "<ins>الخامسة</ins>" in right
    assert "الطائره" in right and "<ins>الطائره" not in right  # folded spelling variants count as equal
    svg = histogram_svg([0.55, 0.9, 0.95], [("threshold", 0.5)])
    assert svg.count('class="bar"') == 20 and 'data-value="0.50"' in svg


# -- in a real browser ------------------------------------------------------------------------------------------


def _chromium(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium not installed (/usr/bin/chromium; apt-get install chromium)")
    cmd = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def test_chromium_renders_the_clusters(fixtures_report, tmp_path: Path) -> None:
    done = _chromium("--dump-dom", fixtures_report[0].as_uri(), tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = LexborHTMLParser(done.stdout)
    assert len(dom.css("section#clusters article.cluster")) == 6
    assert dom.css_first("figure#histogram svg line.threshold") is not None


def test_chromium_screenshot(fixtures_report, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    done = _chromium(f"--screenshot={shot}", "--window-size=1280,2000", fixtures_report[0].as_uri(), tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_table_output_and_html_together(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    run("scan", str(FIXTURES), "--html", str(out), "-q")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_scan_with_an_index_writes_the_html_report_too(fixtures_report, tmp_path: Path) -> None:
    # `scan --index` once took another route that dropped --html: exit 0 and no report.
    out, index = tmp_path / "r.html", tmp_path / "x.sqlite"
    assert run("index", "add", str(FIXTURES / "seeds"), "--index", str(index), "-q").exit_code == 0
    result = run("scan", str(FIXTURES), "--index", str(index), "--html", str(out), "--format", "json", "-q")
    body = json.loads(result.stdout)
    assert body["index_matches"] and body["clusters"] == fixtures_report[1]["clusters"]
    assert out.read_text(encoding="utf-8") == fixtures_report[0].read_text(encoding="utf-8")
