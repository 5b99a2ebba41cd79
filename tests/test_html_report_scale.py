"""The HTML report of a big scan: the clusters to review first in full, the rest one line each or counted.

Checked on a slice of the SaudiNewsNet dev month (real Arabic wire copies; skipped where ../shared is absent) with
a budget small enough that the page has to choose, as it does at a million documents with the default budget.
"""

from __future__ import annotations

import json
import subprocess
from itertools import islice
from pathlib import Path

import pytest
from conftest import snn_records
from selectolax.lexbor import LexborHTMLParser
from typer.testing import CliRunner

from dedup.cli import app
from dedup.pipeline import Pipeline, ScanResult
from dedup.report import select
from dedup.report.html import ShownText, collect_texts, render_html
from dedup.report.select import plan_report
from dedup.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
BUDGET, ROWS_BUDGET = 400_000, 15_000
FIXED = 60_000  # the page's own parts: CSS, histogram, notes


@pytest.fixture(scope="module")
def month(tmp_path_factory) -> tuple[Path, ScanResult, dict[str, ShownText]]:
    path = tmp_path_factory.mktemp("snn") / "slice.jsonl"
    records = list(islice(snn_records(), 1500))
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    settings = Settings()
    result = Pipeline(settings, workers=1).scan([str(path)])
    ids = {result.documents[m].id for c in result.clusters for m, _ in c.members}
    for link in result.template_links:
        ids.update((result.documents[link.a].id, result.documents[link.b].id))
    return path, result, collect_texts(settings, [str(path)], ids)


@pytest.fixture(scope="module")
def chosen(month) -> tuple[select.Plan, str]:
    _, result, texts = month
    plan = plan_report(result, budget=BUDGET, rows_budget=ROWS_BUDGET)
    return plan, render_html(result, texts, plan=plan)


def _margin(cell: str) -> float:
    return float(cell) if cell != "—" else float("inf")


def test_every_cluster_is_shown_listed_or_counted_once(month, chosen) -> None:
    _, result, _ = month
    plan, page = chosen
    assert plan.full and plan.rows and plan.rest  # the budget made it choose
    dom = LexborHTMLParser(page)
    full = [int(a.attributes["data-cluster"]) for a in dom.css("section#clusters article.cluster")]
    rows = [int(r.attributes["id"].removeprefix("cluster-")) for r in dom.css("#cluster-list tbody tr")]
    counted = sum(int(td.text().replace(",", "")) for td in dom.css("#cluster-counts table.bands td"))
    assert sorted(full) == sorted(k + 1 for k in plan.full)
    assert not set(full) & set(rows)
    assert len(full) + len(rows) + counted == len(result.clusters)
    assert len(set(full + rows)) == len(full) + len(rows)
    # The note at the top says what the page holds and how to see it all.
    scope = dom.css_first("header #scope").text(separator=" ")
    assert f"Shown in full: {len(full)} of {len(result.clusters)} clusters" in " ".join(scope.split())
    assert "--html-full" in scope and "--format json" in scope
    # Full part and list work without scripts; Arabic titles in the list read right to left.
    assert not dom.css("script")
    titles = [r.css("td")[5] for r in dom.css("#cluster-list tbody tr")]
    assert titles and all(t.attributes.get("dir") == "rtl" for t in titles if t.text())
    assert len(page.encode()) < BUDGET + ROWS_BUDGET + FIXED


def test_nothing_listed_is_a_closer_call_than_what_is_shown(month, chosen) -> None:
    _, result, _ = month
    plan, page = chosen
    dom = LexborHTMLParser(page)
    full = [result.clusters[k] for k in plan.full]
    rows = [[td.text() for td in r.css("td")] for r in dom.css("#cluster-list tbody tr")]
    # The biggest cluster, the one nearest the similarity threshold and the one nearest the coverage line are
    # all in full; nothing in the list beats them.
    assert max(len(c.members) for c in full) >= max(int(r[1]) for r in rows)
    shown_sim = min(plan.margins[k].similarity for k in plan.full if plan.margins[k].similarity is not None)
    shown_cov = min(plan.margins[k].coverage for k in plan.full if plan.margins[k].coverage is not None)
    assert shown_sim <= min(_margin(r[3]) for r in rows)
    assert shown_cov <= min(_margin(r[4]) for r in rows)
    # Each cluster in full says why it was chosen.
    for article in dom.css("section#clusters article.cluster"):
        assert article.css_first("p.why .reasons").text().startswith("Shown as ")


def test_the_size_estimate_is_conservative_on_real_texts(month) -> None:
    _, result, texts = month
    plan = plan_report(result, full=True)
    size = len(render_html(result, texts, plan=plan).encode())
    # The page's promise (under 20 MB) rests on the estimate not falling short of what is written.
    assert plan.estimate_all * 0.6 < size < plan.estimate_all + FIXED


def test_big_clusters_show_their_least_similar_copies_side_by_side(month, monkeypatch) -> None:
    _, result, texts = month
    monkeypatch.setattr(select, "MAX_DIFFS_PER_CLUSTER", 2)
    monkeypatch.setattr(select, "MAX_MEMBERS_PER_CLUSTER", 4)
    plan = plan_report(result)
    assert plan.capped and not plan.complete
    k = max(range(len(result.clusters)), key=lambda k: len(result.clusters[k].members))
    cluster = result.clusters[k]
    assert len(cluster.members) > 5 and k in plan.full
    article = LexborHTMLParser(render_html(result, texts, plan=plan)).css_first(f"#cluster-{k + 1}")
    members = article.css(".member")
    assert len(members) == 4
    with_view = sorted(float(m.attributes["data-similarity"]) for m in members if m.css_first(".diff"))
    assert with_view == sorted(s for _, s in cluster.members[1:])[:2]
    assert "least similar copies only" in article.css_first("p.more").text()


def test_html_full_shows_every_cluster(month, tmp_path: Path) -> None:
    path, result, _ = month
    out = tmp_path / "full.html"
    done = CliRunner().invoke(
        app, ["scan", str(path), "--html", str(out), "--html-full", "-f", "json", "-q", "--workers", "1"]
    )
    assert done.exit_code == 0, done.output
    dom = LexborHTMLParser(out.read_text(encoding="utf-8"))
    articles = dom.css("section#clusters article.cluster")
    assert len(articles) == len(json.loads(done.stdout)["clusters"]) == len(result.clusters)
    sizes = [int(a.attributes["data-size"]) for a in articles]
    assert sizes == sorted(sizes, reverse=True)
    assert dom.css_first("#scope").text().startswith("Everything is shown in full")


def test_chromium_opens_the_chosen_page(chosen, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium not installed (/usr/bin/chromium; apt-get install chromium)")
    plan, page = chosen
    html = tmp_path / "chosen.html"
    html.write_text(page, encoding="utf-8")
    cmd = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        html.as_uri(),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = LexborHTMLParser(done.stdout)
    assert len(dom.css("section#clusters article.cluster")) == len(plan.full)
    assert len(dom.css("#cluster-list tbody tr")) == len(plan.rows)
