"""``dedup clean``: strip ads and site boilerplate and write the documents as JSONL."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dedup.cli.common import (
    READING,
    SITE,
    Inputs,
    Quiet,
    errors,
    make_pipeline,
    progress,
    say,
    with_settings,
    write_output,
)
from dedup.settings import Settings


@with_settings(*SITE, *READING)
def clean(
    settings: Settings,
    inputs: Inputs,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Cleaned documents as JSONL (default: stdout).")
    ] = None,
    explain: Annotated[
        bool,
        typer.Option(
            help="Add the removed lines and the rule that removed each; list learned site boilerplate on stderr."
        ),
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Strip ads and site boilerplate; write documents as JSONL (id, title, text and the metadata read).

    Example: [bold]dedup clean scraped/ -o clean.jsonl --explain[/bold]
    """
    from dedup.io import ENCODING_KEY, refuse_input_overlap
    from dedup.report.text import clean_jsonl

    with errors():
        if output is not None:
            refuse_input_overlap(output, inputs, "output")
        pipeline = make_pipeline(settings, quiet, inputs=inputs)
        lines = []
        with progress(quiet, "cleaning") as advance:
            for doc in pipeline.documents(inputs, explain=explain):
                lines.append(clean_jsonl(doc, explain))
                if explain and doc.meta.get(ENCODING_KEY) not in (None, "utf-8"):
                    say(f"{doc.origin or doc.id}: decoded as {doc.meta[ENCODING_KEY]}", quiet)
                if advance:
                    advance(1)
        write_output("".join(lines), output)
        if explain and pipeline.cleaner.site is not None:
            for x in pipeline.cleaner.site.learned():
                say(f"learned boilerplate: site {x.site}, {x.documents} pages: {x.line}", quiet)
        say(f"dedup: cleaned {len(lines)} documents", quiet)
