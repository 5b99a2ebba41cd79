"""The gates: ``dedup check`` (a corpus holds no duplicates) and ``dedup precommit`` (checked files add none).

Both list what they find on stdout and exit 1 when they find anything (see :mod:`dedup.precommit`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dedup.cli.common import (
    MATCHING,
    READING,
    SITE,
    Inputs,
    Quiet,
    Workers,
    errors,
    make_pipeline,
    say,
    warner,
    with_settings,
    write_output,
)
from dedup.settings import Settings

# dedup.precommit_cache.CACHE_DIR, written out: that module brings numpy, and the help is built at every start.
CACHE_HELP = "Keep fingerprints of committed files in .dedup-cache/ (safe to delete)."


@with_settings(*MATCHING, *SITE, *READING)
def check(
    settings: Settings,
    inputs: Inputs,
    boilerplate: Annotated[
        bool, typer.Option("--boilerplate", help="Also fail when documents still carry boilerplate.")
    ] = False,
    quiet: Quiet = False,
    workers: Workers = None,
) -> None:
    """Pre-commit style gate: exit 1 and list them when near-duplicates (or, with --boilerplate, boilerplate) exist.

    Example: [bold]dedup check corpus/ --boilerplate[/bold]
    """
    from dedup.precommit import check_corpus
    from dedup.report.text import boilerplate_lines, duplicate_lines

    with errors():
        found = check_corpus(make_pipeline(settings, quiet, None, workers, inputs), inputs, boilerplate)
        lines = duplicate_lines(found.scan) + (boilerplate_lines(found.documents) if boilerplate else "")
        write_output(lines, None)
        if lines:
            raise typer.Exit(1)
        say(f"dedup: {len(found.scan.documents)} documents, no near-duplicates", quiet)


@with_settings(*MATCHING, *READING)
def precommit(
    settings: Settings,
    files: Annotated[
        list[str] | None,
        typer.Argument(help="Files to check (pre-commit passes the staged ones).", show_default=False),
    ] = None,
    index: Annotated[
        str | None, typer.Option("--index", "-i", help="Compare against this index instead of the committed corpus.")
    ] = None,
    baseline: Annotated[Path | None, typer.Option(help="JSON file of known duplicate pairs to accept.")] = None,
    record: Annotated[
        Path | None,
        typer.Option(
            "--write-baseline", help="Record every duplicate of the whole tracked corpus here and pass (adoption)."
        ),
    ] = None,
    cache: Annotated[bool, typer.Option(help=CACHE_HELP)] = True,
    quiet: Quiet = False,
) -> None:
    """Pre-commit gate: fail when the files checked duplicate each other or the rest of the corpus (or an index).

    Example: [bold]dedup precommit corpus/new.txt --baseline .dedup-baseline.json[/bold]
    """
    from dedup.precommit import (
        baseline_pairs,
        check_against_index,
        check_staged,
        documents_of,
        load_baseline,
        new_pairs,
        write_baseline,
    )

    with errors():
        documents = documents_of(files or [])
        if record is None and not documents:
            return  # nothing to check: the pipeline and the reports are not even imported
        pipeline = make_pipeline(settings, quiet)
        if record is not None:
            pairs = baseline_pairs(pipeline, cache=cache, on_problem=warner(quiet))
            write_baseline(record, pairs)
            say(f"dedup: recorded {len(pairs)} known duplicate pairs in {record}", quiet)
            return
        if index is not None:
            found = check_against_index(pipeline, documents, index)
        else:
            found = check_staged(pipeline, documents, cache=cache, on_problem=warner(quiet))
        new = new_pairs(found.duplicates, load_baseline(baseline))
        from dedup.report.text import pair_lines

        write_output(pair_lines(new), None)
        checked = f"{len(documents):,} file{'s' if len(documents) != 1 else ''} checked"
        if new:
            say(f"dedup: {len(new)} duplicate(s) in the {checked}; remove them or accept them with --baseline", quiet)
            raise typer.Exit(1)
        against = f" against {found.corpus:,} other documents" if found.corpus else ""
        say(f"dedup: {checked}{against}, no new duplicates", quiet)
