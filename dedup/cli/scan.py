"""``dedup scan``: report clusters of near-duplicates as a table, JSON or CSV, optionally with an HTML page beside,
and with ``--index`` the documents that are already in a persistent index."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dedup.cli.common import (
    KEEPING,
    MATCHING,
    READING,
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
from dedup.index.stream import Deduplicator
from dedup.io import InputError, refuse_input_overlap
from dedup.pipeline import ScanResult
from dedup.report.html import collect_texts, needed_ids, write_html
from dedup.report.text import IndexMatches, render_csv, render_json, render_table, render_text_table
from dedup.settings import Settings


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


@with_settings(*MATCHING, *KEEPING, *SITE, *READING)
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
            help="Also write a self-contained HTML report here (clusters, side-by-side diffs, similarity histogram).",
        ),
    ] = None,
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
                pipeline = make_pipeline(settings, quiet, advance, workers)
                if index is None:
                    result = pipeline.scan(inputs)
                else:
                    docs = list(pipeline.documents(inputs))
                    result = pipeline.scan_documents(docs, cleaned=True)
                    with Deduplicator(index, settings) as seen:
                        found = [(doc, m) for doc in docs for m in seen.check(doc, cleaned=True, since=floor)]
        if html is not None:
            _write_html(html, result, settings, inputs, quiet)
        if fmt is Format.json:
            write_output(render_json(result, explain, index, found), output)
        elif fmt is Format.csv:
            write_output(render_csv(result, found), output)
        elif output is not None:
            write_output(render_text_table(result, explain, index, found), output)
        else:
            render_table(result, Console(), explain, index, found)


def _spark_scan(
    inputs: list[str], settings: Settings, master: str | None, index: str | None, quiet: bool
) -> ScanResult:
    """The scan on Spark (``--engine spark``): the same result, so the same report."""
    if index is not None:
        raise InputError("--index works with --engine local only")
    from dedup.spark import scan as spark_scan  # pyspark is an optional extra: loaded only when asked for

    return spark_scan(inputs, settings, master=master, on_problem=warner(quiet))


def _write_html(path: Path, result: ScanResult, settings: Settings, inputs: list[str], quiet: bool) -> None:
    """The HTML report; texts are read again for the documents it shows (standard input cannot be re-read)."""
    if "-" in inputs:
        say("dedup: warning: standard input cannot be read twice; the HTML report has no texts", quiet)
        texts = {}
    else:
        texts = collect_texts(settings, inputs, needed_ids(result))
    write_html(path, result, texts)
