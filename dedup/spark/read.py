"""The read stage on Spark: inputs cut into *units* on the driver, each unit read by an executor into Arrow rows.

A unit is one file (JSONL, ``.jsonl.gz``, WARC, text, HTML) or one row group of a Parquet file, so a folder of
crawl shards, or one big Parquet file, is read in parallel. The driver only lists files (in the order the local
reader reads them: arguments in order, folders walked sorted, dot-files skipped) and reads Parquet footers;
executors read the units through the project's own readers (:class:`dedup.io.Reader` for one file,
:func:`dedup.io.parquet.read_parquet` for a row group), so a record becomes the same document on both engines.
Each output row carries ``(unit, seq)``, its place in the input, so the documents get the same numbers as in a
local scan; a problem (a malformed line) is a row too, with ``problem`` set, so that it reaches the report.

>>> import os, tempfile
>>> d = tempfile.mkdtemp(); _ = open(os.path.join(d, "b.txt"), "w").write("Title\\nBody")
>>> _ = open(os.path.join(d, "a.jsonl"), "w").write('{"id": "x", "text": "Hello"}\\nnot json\\n')
>>> units = list_units([d], [], os.getcwd())
>>> [(os.path.basename(u.path), u.root == d) for u in units]
[('a.jsonl', True), ('b.txt', True)]
>>> batch = next(read_unit(units[0], FieldNames()))
>>> batch.column("id").to_pylist(), batch.column("problem").to_pylist()[1]
(['x', None], 'malformed JSON (Expecting value at column 1); line skipped')
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pyarrow as pa

from dedup.document import Document
from dedup.errors import InputError, InputProblem
from dedup.io import FieldNames, Reader
from dedup.io.files import open_regular, walk_files
from dedup.io.parquet import is_parquet, read_parquet, row_groups
from dedup.io.ranges import CHUNK, RangeStream, byte_ranges
from dedup.parallel import batched

WHOLE_FILE = -1  # Unit.group of a unit that is a whole file
SPLIT_SUFFIXES = (".jsonl", ".ndjson")  # JSONL that can be entered in the middle (not .jsonl.gz)
BATCH_ROWS = 1024  # documents per Arrow batch out of a read task

UNIT_SCHEMA = pa.schema(
    [
        ("unit", pa.int32()),
        ("path", pa.string()),
        ("root", pa.string()),
        ("cwd", pa.string()),
        ("explicit", pa.bool_()),
        ("group", pa.int32()),
        ("first", pa.int64()),
        ("stop", pa.int64()),
        ("first_line", pa.int64()),
    ]
)
# One row per document (problem null) or per input problem (everything but unit, seq, where, problem null).
DOC_SCHEMA = pa.schema(
    [
        ("unit", pa.int32()),
        ("seq", pa.int64()),
        ("id", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("html", pa.string()),
        ("html_bytes", pa.binary()),
        ("url", pa.string()),
        ("source", pa.string()),
        ("date", pa.string()),
        ("origin", pa.string()),
        ("path", pa.string()),
        ("root", pa.string()),
        ("where", pa.string()),
        ("problem", pa.string()),
    ]
)


@dataclass(frozen=True, slots=True)
class Unit:
    """What one read task reads: a file (``group`` = :data:`WHOLE_FILE`), one row group of a Parquet file, or the
    lines of a JSONL file in bytes ``[first, stop)``, the first of them line ``first_line`` of the file
    (``stop`` >= 0; see :mod:`dedup.io.ranges`)."""

    number: int
    path: str
    root: str | None  # the argument the file was found under (None for a file named on the command line)
    cwd: str  # the driver's working directory: file ids are paths relative to it, wherever the task runs
    explicit: bool  # named on the command line: an unsupported type is reported, not skipped
    group: int = WHOLE_FILE
    first: int = 0
    stop: int = -1  # -1: not a byte range
    first_line: int = 1


def list_units(inputs: Sequence[str], problems: list[InputProblem], cwd: str) -> list[Unit]:
    """The units of ``inputs``, in reading order; unreadable folders go to ``problems``.

    Standard input cannot be shared out to executors: ``-`` is an :class:`InputError`, as is a missing path.
    """
    check_inputs(inputs)
    files: list[tuple[str, str | None, bool]] = []
    for item in inputs:
        if os.path.isdir(item):
            files.extend((path, item, False) for path in _walk(Path(item), problems))
        else:
            files.append((item, None, True))
    units: list[Unit] = []
    for path, root, explicit in files:
        for g in _groups(path):
            units.append(Unit(len(units), path, root, cwd, explicit, g))
    return units


Survey = Callable[[list[tuple[str, int, int]]], list[tuple[int, int, int, bool]]]


def split_units(units: Sequence[Unit], step: int, survey_all: Survey) -> list[Unit]:
    """``units`` with each plain JSONL file over ``step`` bytes cut into byte ranges of whole lines (see
    :mod:`dedup.io.ranges`), renumbered in order. ``survey_all`` runs :func:`dedup.io.ranges.survey` on
    each ``(path, start, end)`` (in parallel on Spark). A file with a line that is not UTF-8 stays whole."""
    todo: dict[int, list[tuple[int, int]]] = {}
    for k, u in enumerate(units):
        if u.group == WHOLE_FILE and u.path.lower().endswith(SPLIT_SUFFIXES):
            try:
                size = os.stat(u.path).st_size if stat.S_ISREG(os.stat(u.path).st_mode) else 0
            except OSError:  # reported by the task that reads it
                continue
            if size > step:
                todo[k] = byte_ranges(size, step)
    if not todo:
        return list(units)
    surveyed = iter(survey_all([(units[k].path, a, b) for k, ranges in todo.items() for a, b in ranges]))
    out: list[Unit] = []
    for k, u in enumerate(units):
        found = [next(surveyed) for _ in todo.get(k, ())]
        if not found or not all(utf8 for *_, utf8 in found):
            out.append(replace(u, number=len(out)))
            continue
        line = 1
        for first, stop, lines, _ in found:
            if lines:
                out.append(replace(u, number=len(out), first=first, stop=stop, first_line=line))
            line += lines
    return out


def check_inputs(inputs: Sequence[str]) -> None:
    """:class:`InputError` for standard input (it cannot be shared out to executors) or a missing path: raised
    before Spark starts."""
    for item in inputs:
        if item == "-":
            raise InputError("-: the Spark engine reads files and folders, not standard input; save it to a file")
        if not os.path.lexists(item):
            raise InputError(f"{item}: no such file or directory")


def _walk(root: Path, problems: list[InputProblem]) -> Iterator[str]:
    """Files under ``root`` in the local reader's order (see :meth:`dedup.io.Reader.read`)."""

    def failed(err: OSError) -> None:
        problems.append(
            InputProblem(str(err.filename), f"cannot read directory ({(err.strerror or str(err)).lower()})")
        )

    for path in walk_files(root, failed):
        yield str(path)


def _groups(path: str) -> list[int]:
    """The row groups of a Parquet file, each a unit; any other file (or a damaged footer) is one unit."""
    if not is_parquet(path):
        return [WHOLE_FILE]
    try:
        open_regular(path).close()  # a FIFO or a device is refused by the reader, not opened by pyarrow here
        groups = row_groups(path)
    except Exception:  # reported by the executor that reads it, as the local reader would
        return [WHOLE_FILE]
    return list(range(len(groups))) or [WHOLE_FILE]


def read_items(unit: Unit, fields: FieldNames) -> Iterator[Document | InputProblem]:
    """The documents of one unit, and its problems where they occur, in reading order."""
    pending: list[InputProblem] = []
    report = lambda where, message: pending.append(InputProblem(where, message))  # noqa: E731
    path = Path(unit.path)
    if unit.stop >= 0:  # a byte range of a JSONL file, read by the local reader's own line code
        reader = Reader(fields=fields, on_problem=pending.append, keep_records=False)
        docs = (d for d in _read_range(reader, unit, path) if isinstance(d, Document))
    elif unit.group != WHOLE_FILE:  # one row group of a Parquet file (checked a regular file by list_units)
        docs: Iterable[Document] = read_parquet(
            path, report, fields, root=unit.root, keep_records=False, groups=[unit.group]
        )
    else:  # the local reader's own code for one file: same documents, same problems
        reader = Reader(fields=fields, on_problem=pending.append, keep_records=False)
        root = Path(unit.root) if unit.root is not None else None
        docs = (d for d in reader._read_file(path, root, unit.cwd, unit.explicit) if isinstance(d, Document))
    for doc in docs:
        yield from pending
        pending.clear()
        yield doc
    yield from pending


def _read_range(reader: Reader, unit: Unit, path: Path) -> Iterator[Document | InputProblem]:
    root = Path(unit.root) if unit.root is not None else Path(".")
    try:
        with RangeStream(open_regular(path), unit.first, unit.stop) as raw:
            stream = io.BufferedReader(raw, CHUNK)
            yield from reader._read_jsonl_stream(stream, str(path), path, root, unit.first_line)
    except OSError as err:  # as the local reader reports a file it cannot read
        message = err.strerror.lower() if err.strerror else str(err) or type(err).__name__
        reader._report(str(path), f"cannot read ({message})")


def read_unit(unit: Unit, fields: FieldNames, batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
    """:func:`read_items` as Arrow batches of :data:`DOC_SCHEMA`, ``batch_rows`` rows at a time (a unit can be a
    10 GB file: it never sits in memory whole)."""
    seq = 0
    for chunk in batched(read_items(unit, fields), batch_rows):
        yield documents_batch(chunk, unit.number, seq)
        seq += len(chunk)


def documents_batch(items: Iterable[Document | InputProblem], unit: int, start: int = 0) -> pa.RecordBatch:
    """Documents and problems as rows of :data:`DOC_SCHEMA`, numbered in order from ``start`` (``seq``)."""
    cols: dict[str, list] = {name: [] for name in DOC_SCHEMA.names}
    for seq, item in enumerate(items, start=start):
        cols["unit"].append(unit)
        cols["seq"].append(seq)
        if isinstance(item, InputProblem):
            for name in DOC_SCHEMA.names[2:-2]:
                cols[name].append(None)
            cols["where"].append(item.where)
            cols["problem"].append(item.message)
            continue
        html = item.html
        for name, value in (
            ("id", item.id),
            ("title", item.title),
            ("text", item.text),
            ("html", html if isinstance(html, str) else None),
            ("html_bytes", html if isinstance(html, bytes) else None),
            ("url", item.url),
            ("source", item.source),
            ("date", item.date),
            ("origin", item.origin),
            ("path", item.path),
            ("root", item.root),
            ("where", None),
            ("problem", None),
        ):
            cols[name].append(value)
    return pa.RecordBatch.from_pydict(cols, schema=DOC_SCHEMA)


def document_of(row: dict) -> Document:
    """The document a :data:`DOC_SCHEMA` row holds."""
    html = row["html"] if row["html"] is not None else row["html_bytes"]
    return Document(
        id=row["id"],
        text=row["text"] or "",
        title=row["title"] or "",
        url=row["url"],
        source=row["source"],
        date=row["date"],
        html=html,
        origin=row["origin"] or "",
        path=row["path"],
        root=row["root"],
    )


def read_units(batches: Iterable[pa.RecordBatch], fields: FieldNames) -> Iterator[pa.RecordBatch]:
    """``mapInArrow`` body: each :data:`UNIT_SCHEMA` row read into a :data:`DOC_SCHEMA` batch."""
    for batch in batches:
        for row in batch.to_pylist():
            yield from read_unit(unit_of(row), fields)


def unit_of(row: dict) -> Unit:
    """The :class:`Unit` a :data:`UNIT_SCHEMA` row holds."""
    return Unit(
        row["unit"], row["path"], row["root"], row["cwd"], row["explicit"], row["group"],
        row["first"], row["stop"], row["first_line"],
    )  # fmt: skip


def units_table(units: Sequence[Unit]) -> pa.Table:
    return pa.table(
        {
            "unit": [u.number for u in units],
            "path": [u.path for u in units],
            "root": [u.root for u in units],
            "cwd": [u.cwd for u in units],
            "explicit": [u.explicit for u in units],
            "group": [u.group for u in units],
            "first": [u.first for u in units],
            "stop": [u.stop for u in units],
            "first_line": [u.first_line for u in units],
        },
        schema=UNIT_SCHEMA,
    )
