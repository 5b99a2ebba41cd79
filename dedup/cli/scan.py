"""``dedup scan``: report clusters of near-duplicates as a table, JSON or CSV, optionally with an HTML page beside,
and with ``--index`` the documents that are already in a persistent index."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dedup.cli.common import (
    KEEPING,
    MATCHING,
    READING,
    REWRITES,
    SITE,
    Format,
    Inputs,
    Output,
    Quiet,
    Since,
    Workers,
    errors,
    make_pipeline,
    progress,
    say,
    since_floor,
    warner,
    with_settings,
    write_output,
)
from dedup.errors import InputError
from dedup.settings import Settings

if TYPE_CHECKING:
    from dedup.pipeline import ScanResult
    from dedup.report.text import IndexMatches


class Engine(str, Enum):
    local = "local"
    spark = "spark"


EngineOption = Annotated[
    Engine,
    typer.Option(help="local (this machine), or spark: the same decisions on Apache Spark (the spark extra, Java)."),
]
Master = Annotated[
    str | None,
    typer.Option(help="With --engine spark: the Spark master (default: spark-submit's, else local[*])."),
]


@with_settings(*MATCHING, *REWRITES, *KEEPING, *SITE, *READING)
def scan(
    settings: Settings,
    inputs: Inputs,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table (for people), json or csv.")] = Format.table,
    output: Output = None,
    explain: Annotated[
        bool, typer.Option(help="Also show template siblings and the site boilerplate learned.")
    ] = False,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Also write a self-contained HTML report here (the clusters to review first side by side, the "
            "others one line each, a similarity histogram).",
        ),
    ] = None,
    html_full: Annotated[
        bool,
        typer.Option(
            "--html-full",
            help="Show every cluster in full in the --html report (by default: the biggest and the closest calls "
            "in full, the rest one line each, so that the page stays under 20 MB).",
        ),
    ] = False,
    index: Annotated[
        str | None,
        typer.Option(
            "--index",
            "-i",
            help="Also compare every document with this index (file or redis://); nothing is added to it.",
        ),
    ] = None,
    since: Since = None,
    quiet: Quiet = False,
    workers: Workers = None,
    engine: EngineOption = Engine.local,
    master: Master = None,
) -> None:
    """Report clusters of near-duplicate documents.

    Example: [bold]dedup scan fixtures/ --format json -o clusters.json[/bold]
    """
    from dedup.io import refuse_input_overlap
    from dedup.report.text import render_csv, render_json, render_table, render_text_table

    with errors():
        for path, what in ((output, "output"), (html, "--html report")):
            if path is not None:
                refuse_input_overlap(path, inputs, what)
        floor = since_floor(since)
        found: IndexMatches = ()
        if engine is Engine.spark:
            result = _spark_scan(inputs, settings, master, index, quiet)
        else:
            with progress(quiet, "scanning") as advance:
                pipeline = make_pipeline(settings, quiet, advance, workers, inputs)
                if index is None:
                    # Template siblings are only shown with --explain and in the HTML report.
                    result = pipeline.scan(inputs, every_link=explain or html is not None)
                else:
                    from dedup.index.stream import Deduplicator

                    docs = list(pipeline.documents(inputs))
                    result = pipeline.scan_documents(docs, cleaned=True)
                    with Deduplicator(index, settings) as seen:
                        found = [(doc, m) for doc in docs for m in seen.check(doc, cleaned=True, since=floor)]
        if html is not None:
            _write_html(html, result, settings, inputs, quiet, html_full)
        if fmt is Format.json:
            report = render_json(result, explain, index, found)
            write_output(_with_link_evidence(report, result) if explain else report, output)
        elif fmt is Format.csv:
            write_output(render_csv(result, found), output)
        elif output is not None:
            text = render_text_table(result, explain, index, found)
            write_output(text + _link_lines(result) if explain else text, output)
        else:
            from rich.console import Console  # the terminal's table only: JSON and CSV reports start without rich

            render_table(result, Console(), explain, index, found)
            if explain:
                Console().print(_link_lines(result), markup=False, highlight=False, soft_wrap=True, end="")


def _spark_scan(
    inputs: list[str], settings: Settings, master: str | None, index: str | None, quiet: bool
) -> ScanResult:
    """The scan on Spark (``--engine spark``): the same result, so the same report."""
    if index is not None:
        raise InputError("--index works with --engine local only")
    from dedup.spark import scan as spark_scan  # pyspark is an optional extra: loaded only when asked for

    return spark_scan(inputs, settings, master=master, on_problem=warner(quiet))


def _write_html(
    path: Path, result: ScanResult, settings: Settings, inputs: list[str], quiet: bool, full: bool = False
) -> None:
    """The HTML report; texts are read again for the documents it shows (standard input cannot be re-read)."""
    from dedup.report.html import collect_texts, needed_ids, write_html
    from dedup.report.select import plan_report

    plan = plan_report(result, full=full)
    if "-" in inputs:
        say("dedup: warning: standard input cannot be read twice; the HTML report has no texts", quiet)
        texts = {}
    else:
        texts = collect_texts(settings, inputs, needed_ids(result, plan))
    write_html(path, result, texts, plan=plan)


def link_evidence(result: ScanResult) -> list[dict]:
    """What links each removed copy to its kept copy (``--explain``): the pair's 3-gram similarities and
    coverages, and for a rewrite below the shingle thresholds the evidence that decided it (dedup.evidence)."""
    docs = result.documents
    links = {(min(link.a, link.b), max(link.a, link.b)): link for link in result.links}
    out = []
    for k, cluster in enumerate(result.clusters, start=1):
        for m, _ in cluster.members[1:]:
            link = links.get((min(m, cluster.keep), max(m, cluster.keep)))
            if link is None:  # an exact copy of a member, or a stray attached through a member
                continue
            evidence = link.evidence
            out.append(
                {
                    "cluster": k,
                    "keep": docs[cluster.keep].id,
                    "id": docs[m].id,
                    "jaccard": link.jaccard,
                    "containment": link.containment,
                    "coverage": [link.a_in_b, link.b_in_a],
                    "evidence": "shingles" if evidence is None else evidence.describe(),
                }
            )
    return out


def _with_link_evidence(report: str, result: ScanResult) -> str:
    body = json.loads(report)
    body["links"] = link_evidence(result)
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def _link_lines(result: ScanResult) -> str:
    lines = [
        f"{x['cluster']}: {x['keep']} ~ {x['id']}: jaccard {x['jaccard']:.2f} containment {x['containment']:.2f}"
        f" coverage {x['coverage'][0]:.2f}/{x['coverage'][1]:.2f}; {x['evidence']}"
        for x in link_evidence(result)
    ]
    return "".join(f"{line}\n" for line in ["Links of each removed copy to its kept copy:", *lines]) if lines else ""
