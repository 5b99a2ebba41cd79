"""``dedup remove`` writes the corpus without its redundant copies; ``dedup restore`` undoes that."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dedup.cli.common import (
    KEEPING,
    MATCHING,
    READING,
    REWRITES,
    SITE,
    Inputs,
    Quiet,
    Workers,
    errors,
    make_pipeline,
    progress,
    say,
    warner,
    with_settings,
)
from dedup.cli.scan import Engine, EngineOption, Master
from dedup.settings import Settings


@with_settings(*MATCHING, *REWRITES, *KEEPING, *SITE, *READING)
def remove_command(
    settings: Settings,
    inputs: Inputs,
    output: Annotated[Path, typer.Option("--output", "-o", help="OUT.jsonl for JSONL output, else a new directory.")],
    manifest: Annotated[
        Path | None,
        typer.Option(help="Where to write the manifest of dropped documents.", show_default="OUT.manifest.json"),
    ] = None,
    quiet: Quiet = False,
    workers: Workers = None,
    engine: EngineOption = Engine.local,
    master: Master = None,
) -> None:
    """Write the corpus without redundant copies, and a manifest that `dedup restore` can undo. Inputs are never modified.

    Example: [bold]dedup remove scraped.jsonl -o unique.jsonl --keep earliest[/bold]
    """
    from dedup.remove import remove

    with errors():
        if engine is Engine.spark:
            from dedup.spark import SparkPipeline  # pyspark is an optional extra: loaded only when asked for

            summary = remove(inputs, output, SparkPipeline(settings, master, warner(quiet)), manifest)  # type: ignore[arg-type]
        else:
            with progress(quiet, "scanning") as advance:
                summary = remove(inputs, output, make_pipeline(settings, quiet, advance, workers, inputs), manifest)
        extra = ""
        if summary.passed_through:
            extra += f"; {summary.passed_through} lines that are not documents passed through unchanged"
        if summary.lost:
            extra += f"; {summary.lost} over-long lines could not be copied (listed in the manifest)"
        say(
            f"dedup: kept {summary.kept} of {summary.documents} documents, dropped {summary.dropped} copies "
            f"-> {summary.output} (manifest {summary.manifest}){extra}",
            quiet,
        )


def restore_command(
    manifest: Annotated[Path, typer.Argument(help="A manifest written by `dedup remove`.", show_default=False)],
    quiet: Quiet = False,
) -> None:
    """Undo a removal: put every dropped document back into the output the manifest names.

    Example: [bold]dedup restore unique.jsonl.manifest.json[/bold]
    """
    from dedup.remove import restore

    with errors():
        out, n = restore(manifest)
        say(f"dedup: restored {n} documents into {out}", quiet)
