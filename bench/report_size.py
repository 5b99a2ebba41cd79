"""How big the HTML report of a scan is, and how long it takes to write and to open: a month of news, and a
million documents.

Usage::

    python bench/report_size.py [--data ../shared/data/saudinewsnet-dev/docs.jsonl.gz] [--copies 67] [--no-browser]

The dev month (15,042 SaudiNewsNet articles) is scanned once. Its result is then replicated ``--copies`` times
into one synthetic ScanResult of about a million documents (every document, cluster, link and candidate score
repeated under new ids, each replica's documents showing the texts of the originals): what a scan of a year and a
half of the same outlets would report, without running a 1M scan. For both, the page is rendered with the
default plan (the clusters to review first in full, the rest one line each or counted) and, at 15k, with
``--html-full``; at 1M the full page is only estimated (about a gigabyte). Printed: the page's size, the render
CPU time (process user+sys, the main figure on this shared machine) and wall time, and how long headless Chromium
(``/usr/bin/chromium``, one process: ``--single-process``) takes to load, lay out and paint it for a screenshot,
CPU and wall, beside an empty page.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dedup.cluster import Cluster, Link
from dedup.document import DocInfo
from dedup.pipeline import Pipeline, ScanResult
from dedup.report.html import ShownText, collect_texts, render_html
from dedup.report.select import full_ids, plan_report
from dedup.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "saudinewsnet-dev" / "docs.jsonl.gz"
CHROMIUM = Path("/usr/bin/chromium")
SEP = "~r"  # replica ids: "<original id>~r<k>"


def replicate(result: ScanResult, copies: int) -> ScanResult:
    """``result`` repeated ``copies`` times: documents under new ids, clusters and links shifted to them."""
    n = len(result.documents)
    docs: list[DocInfo] = list(result.documents)
    clusters: list[Cluster] = list(result.clusters)
    links: list[Link] = list(result.links)
    for k in range(1, copies):
        off = k * n
        docs.extend(
            DocInfo(f"{d.id}{SEP}{k}", d.title, d.source, d.date, d.origin, d.path, d.root, d.words, f"{d.digest}{k}")
            for d in result.documents
        )
        clusters.extend(
            Cluster(
                c.keep + off,
                [(m + off, s) for m, s in c.members],
                [(a + off, b + off, s) for a, b, s in c.siblings],
                {m + off for m in c.contained},
            )
            for c in result.clusters
        )
        links.extend(
            Link(x.a + off, x.b + off, x.jaccard, x.containment, x.relation, x.a_in_b, x.b_in_a) for x in result.links
        )
    scores = result.candidate_similarities
    return ScanResult(
        docs,
        clusters,
        links,
        settings=result.settings,
        candidate_similarities=scores.repeat(copies) if scores.size else scores,
    )


def replica_texts(ids: set[str], texts: dict[str, ShownText]) -> dict[str, ShownText]:
    """The texts of replica ids: their originals'."""
    return {i: texts[i.split(SEP)[0]] for i in ids if i.split(SEP)[0] in texts}


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def render(result: ScanResult, texts: dict[str, ShownText], full: bool, out: Path) -> tuple[int, float, float, int]:
    """Write the page; ``(bytes, render CPU s, wall s, clusters in full)``."""
    c0, w0 = cpu(), time.perf_counter()
    plan = plan_report(result, full=full)
    page = render_html(result, replica_texts(full_ids(result, plan), texts), plan=plan)
    data = page.encode("utf-8")
    c1, w1 = cpu(), time.perf_counter()
    out.write_bytes(data)
    return len(data), c1 - c0, w1 - w0, len(plan.full)


def browser(page: Path, tmp: Path) -> tuple[float, float] | None:
    """Headless Chromium loading, laying out and painting ``page`` for a screenshot: ``(CPU s, wall s)``."""
    if not CHROMIUM.exists():
        return None
    cmd = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--single-process",  # so that the renderer's CPU time is this child's
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp / 'profile'}",
        f"--screenshot={tmp / 'shot.png'}",
        "--window-size=1280,2000",
        page.as_uri(),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    subprocess.run(cmd, capture_output=True, timeout=600, check=False)
    wall = time.perf_counter() - w0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--copies", type=int, default=67, help="replicas of the month (67: about 1M documents)")
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    settings = Settings()
    t0 = time.perf_counter()
    month = Pipeline(settings).scan([args.data])
    ids = {month.documents[m].id for c in month.clusters for m, _ in c.members}
    for link in month.template_links:
        ids.update((month.documents[link.a].id, month.documents[link.b].id))
    texts = collect_texts(settings, [args.data], ids)
    print(
        f"scanned {len(month.documents):,} documents in {time.perf_counter() - t0:.0f} s: {len(month.clusters):,} "
        f"clusters, {len(month.template_links):,} template pairs",
        file=sys.stderr,
    )
    big = replicate(month, args.copies)
    rows = []
    with tempfile.TemporaryDirectory(prefix="dedup-report-") as tmp_name:
        tmp = Path(tmp_name)
        blank = tmp / "blank.html"
        blank.write_text("<!DOCTYPE html><title>blank</title><p>blank</p>\n", encoding="utf-8")
        cases = [
            ("month, default", month, False),
            ("month, --html-full", month, True),
            (f"{len(big.documents):,} docs, default", big, False),
        ]
        for name, result, full in cases:
            page = tmp / f"{len(rows)}.html"
            size, render_cpu, render_wall, shown = render(result, texts, full, page)
            opened = None if args.no_browser else browser(page, tmp)
            rows.append(
                (name, len(result.documents), len(result.clusters), shown, size, render_cpu, render_wall, opened)
            )
            page.unlink()
        blank_open = None if args.no_browser else browser(blank, tmp)
    estimate = plan_report(big, full=True).estimate_all
    print(
        f"{'page':<24}{'docs':>10}{'clusters':>10}{'in full':>9}{'MB':>8}{'render CPU s':>14}{'wall s':>8}"
        f"{'open CPU s':>12}{'wall s':>8}"
    )
    for name, n, clusters, shown, size, render_cpu, render_wall, opened in rows:
        o_cpu, o_wall = (f"{opened[0]:.1f}", f"{opened[1]:.1f}") if opened else ("-", "-")
        print(
            f"{name:<24}{n:>10,}{clusters:>10,}{shown:>9,}{size / 1e6:>8.1f}{render_cpu:>14.2f}{render_wall:>8.1f}"
            f"{o_cpu:>12}{o_wall:>8}"
        )
    if blank_open:
        print(
            f"{'empty page':<24}{'':>10}{'':>10}{'':>9}{0:>8.1f}{'':>14}{'':>8}{blank_open[0]:>12.1f}{blank_open[1]:>8.1f}"
        )
    print(f"{len(big.documents):,} docs with --html-full: about {estimate / 1e6:,.0f} MB (estimated, not rendered)")


if __name__ == "__main__":
    main()
