"""``dedup index …`` (add, query, stats, remove, compact) and ``dedup filter``: commands over a persistent index.

Example: ``dedup index add archive/ --index news.sqlite && cat batch.jsonl | dedup filter --index news.sqlite``
"""

from __future__ import annotations

import gzip
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Annotated, TypeVar

import typer

from dedup.cli.common import (
    MATCHING,
    READING,
    IndexOption,
    Inputs,
    Json,
    MaxAge,
    Quiet,
    Since,
    errors,
    make_pipeline,
    say,
    since_floor,
    warner,
    with_settings,
    write_output,
)
from dedup.errors import InputError
from dedup.index import display_location, open_index
from dedup.settings import Settings

index_app = typer.Typer(
    name="index",
    help="Build, query and maintain a persistent index of documents seen before.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")


class _Counted(Iterator[T]):
    """``items``, counting them as they are taken (``count``)."""

    def __init__(self, items: Iterable[T]) -> None:
        self._items = iter(items)
        self.count = 0

    def __next__(self) -> T:
        item = next(self._items)
        self.count += 1
        return item


@index_app.command("add")
@with_settings(*MATCHING, *READING)
def index_add(
    settings: Settings, inputs: Inputs, index: IndexOption, max_age: MaxAge = None, quiet: Quiet = False
) -> None:
    """Add documents to the index (one transaction per 1000; an id indexed already is replaced if its text changed).

    Example: [bold]dedup index add archive/ --index news.sqlite --max-age 30[/bold]
    """
    from dedup.index.stream import Deduplicator

    with errors():
        docs = _Counted(make_pipeline(settings, quiet).documents(inputs, explain=False))
        with Deduplicator(index, settings, max_age_days=max_age) as seen:
            added = seen.add(docs, cleaned=True)
        window = " (documents older than --max-age are left out)" if max_age is not None else ""
        say(f"dedup: read {docs.count} documents, added {added} to {display_location(index)}{window}", quiet)


@index_app.command("query")
@with_settings(*MATCHING, *READING)
def index_query(
    settings: Settings,
    inputs: Inputs,
    index: IndexOption,
    since: Since = None,
    max_age: MaxAge = None,
    json_out: Json = False,
    quiet: Quiet = False,
) -> None:
    """List, for each input document, the indexed documents it duplicates (the index is not changed).

    Example: [bold]dedup index query today.jsonl --index news.sqlite --since 2024-03-01[/bold]
    """
    from dedup.index.stream import Deduplicator
    from dedup.report.text import render_query

    with errors():
        floor = since_floor(since)
        pipeline = make_pipeline(settings, quiet)
        found = total = 0
        with Deduplicator(index, settings, max_age_days=max_age, expire_every=None) as seen:
            for doc in pipeline.documents(inputs, explain=False):
                matches = seen.check(doc, cleaned=True, since=floor)
                total += 1
                found += bool(matches)
                write_output(render_query(doc.id, matches, json_out), None)
        say(f"dedup: {found} of {total} documents already in {display_location(index)}", quiet)


@index_app.command("stats")
def index_stats(index: IndexOption, json_out: Json = False) -> None:
    """Documents, time range, size and the settings the index was built with.

    Example: [bold]dedup index stats --index news.sqlite[/bold]
    """
    from dedup.report.text import render_stats

    with errors(), open_index(index) as store:
        write_output(render_stats(store.stats(), json_out), None)


@index_app.command("remove")
def index_remove(
    ids: Annotated[list[str], typer.Argument(help="Document ids to delete.", show_default=False)],
    index: IndexOption,
    quiet: Quiet = False,
) -> None:
    """Delete documents from the index by id.

    Example: [bold]dedup index remove ar-123 ar-124 --index news.sqlite[/bold]
    """
    with errors(), open_index(index) as store:
        n = store.remove(ids)
        say(f"dedup: removed {n} of {len(ids)} ids from {display_location(index)}", quiet)


@index_app.command("compact")
def index_compact(index: IndexOption, max_age: MaxAge = None, quiet: Quiet = False) -> None:
    """Expire entries older than --max-age days before the newest dated one, then reclaim the space of everything
    deleted.

    Example: [bold]dedup index compact --index news.sqlite --max-age 30[/bold]
    """
    from dedup.index.base import window_end
    from dedup.index.entry import DAY

    with errors(), open_index(index) as store:
        expired = store.expire(window_end(store) - max_age * DAY) if max_age is not None else 0
        store.compact()
        say(
            f"dedup: expired {expired} documents; {store.stats()['documents']} left in {display_location(index)}", quiet
        )


# -- dedup filter ---------------------------------------------------------------------------------------------------


def _open_jsonl(item: str) -> IO[bytes]:
    if item == "-":
        return sys.stdin.buffer
    if not os.path.exists(item):
        raise InputError(f"{item}: no such file or directory")
    return gzip.open(item, "rb") if item.endswith(".gz") else open(item, "rb")


@with_settings(*MATCHING, *READING)
def filter_command(
    settings: Settings,
    inputs: Annotated[
        list[str] | None, typer.Argument(help="JSONL files (.jsonl/.jsonl.gz) or - for stdin.", show_default="-")
    ] = None,
    index: IndexOption = "",
    rejects: Annotated[
        Path | None, typer.Option(help="Write duplicates here as JSONL, with duplicate_of and similarity.")
    ] = None,
    max_age: MaxAge = None,
    quiet: Quiet = False,
) -> None:
    """Pass through only JSONL records not seen before, adding them to the index, line by line.

    Example: [bold]cat batch.jsonl | dedup filter --index news.sqlite --rejects dups.jsonl > unique.jsonl[/bold]
    """
    from dedup.index.stream import Deduplicator, FilterSummary, filter_jsonl
    from dedup.io import refuse_input_overlap

    with errors():
        if not index:
            raise InputError("--index is required (or set DEDUP_INDEX)")
        total = FilterSummary()
        if rejects is not None:
            refuse_input_overlap(rejects, inputs or ["-"], "--rejects file")
        rejects_file = open(rejects, "a", encoding="utf-8") if rejects is not None else None
        try:
            with Deduplicator(index, settings, max_age_days=max_age) as seen:
                for item in inputs or ["-"]:
                    stream = _open_jsonl(item)
                    try:
                        where = "<stdin>" if item == "-" else item
                        filter_jsonl(seen, stream, sys.stdout, rejects_file, warner(quiet), where, total)
                    finally:
                        if item != "-":
                            stream.close()
        finally:
            if rejects_file is not None:
                rejects_file.close()
        rate = total.read / total.seconds if total.seconds else 0.0
        unread = f", passed through {total.no_text} without a text field" if total.no_text else ""
        say(
            f"dedup: read {total.read}, passed {total.passed}, rejected {total.rejected}{unread} ({rate:.0f} docs/s)",
            quiet,
        )
