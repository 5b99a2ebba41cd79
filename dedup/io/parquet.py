"""Parquet in and out: rows as documents, row group by row group, and kept rows written back with their schema.

A Parquet file (or a folder of them, as Spark and pandas write) holds one document per row: columns ``id``,
``text`` or ``html``, optional ``url``, ``title``, ``date``, ``source`` (the field-name options rename them, as
for JSONL). Each row goes through the one record mapping, :func:`dedup.io.records.document_from_record`, so a
row and the same JSONL record make the same document. Files are read a row group at a time, a few thousand rows
per step, so memory stays bounded whatever the file's size; a scan reads only the columns it uses.

Writing back is for ``remove``: :class:`RowWriter` writes the kept rows with the input's schema (types and
metadata unchanged), and a dropped row is kept in the manifest as :func:`encode_row` (one row of Arrow IPC,
base64) so :func:`restore_rows` can put it back exactly, at its index. pyarrow is an optional extra
(``pip install 'news-dedup[parquet]'``).

>>> import tempfile, pyarrow as pa, pyarrow.parquet as pq
>>> path = Path(tempfile.mkdtemp()) / "news.parquet"
>>> pq.write_table(pa.table({"id": [1, 2], "text": ["Port strike.", ""], "url": ["https://www.x.com/a", None]}), path)
>>> [(d.id, d.text, d.source, d.origin[-10:]) for d in read_parquet(path, print)][0]
('1', 'Port strike.', 'x.com', '.parquet:1')
"""

from __future__ import annotations

import base64
import datetime
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from dedup.document import Document
from dedup.errors import InputError, OutputError
from dedup.io.records import MAX_DOCUMENT_BYTES, RECORD_KEY, FieldNames, RecordError, document_from_record
from dedup.io.write import atomic_writer

if TYPE_CHECKING:  # pyarrow is an optional extra: imported where it is used
    import pyarrow as pa

PARQUET_SUFFIXES = (".parquet",)
DEFAULT_FIELDS = FieldNames()
BATCH_ROWS = 2048  # rows turned into documents per step (a row group can hold a million)
ROWS_PER_GROUP = 8192  # rows per row group written by RowWriter
Report = Callable[[str, str], None]
MISSING = "reading Parquet needs pyarrow: pip install 'news-dedup[parquet]'"


def _pyarrow() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        return None
    return pq


def is_parquet(path: str | Path) -> bool:
    """Whether ``path`` names a Parquet file (by its suffix).

    >>> is_parquet("part-00000-1c2d.snappy.parquet"), is_parquet("x.jsonl")
    (True, False)
    """
    return str(path).lower().endswith(PARQUET_SUFFIXES)


def row_groups(path: str | Path) -> list[tuple[int, int]]:
    """``(first row, rows)`` of each row group of ``path``: units a parallel reader can share out."""
    pq = _pyarrow()
    if pq is None:
        raise InputError(f"{path}: {MISSING}")
    meta = pq.ParquetFile(path).metadata
    out, first = [], 0
    for g in range(meta.num_row_groups):
        rows = meta.row_group(g).num_rows
        out.append((first, rows))
        first += rows
    return out


def _plain(value: Any) -> Any:
    # A date or timestamp column reads as datetime objects; str() would give "2015-07-21 02:51:32" for one and
    # "2015-07-21" for the other: ISO 8601 for both, as a JSONL date is written.
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def read_parquet(
    path: str | Path,
    report: Report,
    fields: FieldNames = DEFAULT_FIELDS,
    *,
    root: str | None = None,
    keep_records: bool = True,
    groups: Sequence[int] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> Iterator[Document]:
    """Documents of the rows of a Parquet file, in row order; problems go to ``report(where, message)``.

    A row without a text or HTML string is reported as ``path:ROW`` (rows count from 1, as JSONL lines do) and
    skipped; a row without an id is named ``file.parquet:ROW``. ``groups`` reads only those row groups (row
    numbers stay those of the whole file). ``keep_records`` keeps each row whole (every column, original types)
    in ``meta["_record"]`` for :class:`RowWriter`; without it only the columns a document uses are read.
    """
    path = Path(path)
    where = str(path)
    pq = _pyarrow()
    if pq is None:
        report(where, f"{MISSING}; file skipped")
        return
    try:
        handle = pq.ParquetFile(path)
    except Exception as err:  # pyarrow raises ArrowInvalid, OSError, ... on damaged or non-Parquet files
        report(where, f"cannot read Parquet ({_message(err)})")
        return
    meta = handle.metadata
    starts = [0]
    for g in range(meta.num_row_groups):
        starts.append(starts[-1] + meta.row_group(g).num_rows)
    wanted = range(meta.num_row_groups) if groups is None else groups
    names = handle.schema_arrow.names
    columns = None if keep_records else [c for c in names if c in fields.known()]
    date_field, text_field, html_field = fields.date, fields.text, fields.html
    path_s, folder = str(path), path.parent.name or None
    for g in wanted:
        row = starts[g]
        try:
            for batch in handle.iter_batches(batch_size=batch_rows, row_groups=[g], columns=columns):
                for record in batch.to_pylist():
                    row += 1
                    loc = f"{where}:{row}"
                    view = record
                    if isinstance(record.get(date_field), (datetime.date, datetime.datetime)):
                        view = {**record, date_field: _plain(record[date_field])}
                    size = sum(
                        len(v) for v in (record.get(text_field), record.get(html_field)) if isinstance(v, (str, bytes))
                    )
                    if size > MAX_DOCUMENT_BYTES:
                        report(loc, f"record too large ({size} bytes > {MAX_DOCUMENT_BYTES}); row skipped")
                        continue
                    try:
                        doc = document_from_record(
                            view,
                            fields,
                            fallback_id=f"{path.name}:{row}",
                            origin=loc,
                            path=path_s,
                            root=root,
                            folder=folder,
                            keep_record=False,
                        )
                    except RecordError as err:
                        report(loc, f"{err}; row skipped")
                        continue
                    if keep_records:
                        doc.meta = {RECORD_KEY: record, **doc.meta}
                    yield doc
        except InputError:  # strict mode: the report itself stops the run
            raise
        except Exception as err:  # a damaged page or column chunk: the rest of the group cannot be read
            report(f"{where}:{row + 1}", f"damaged Parquet data ({_message(err)}); rest of row group {g} skipped")


def _message(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


# -- writing ----------------------------------------------------------------------------------------------------


def schema_of(path: str | Path) -> pa.Schema:
    """The Arrow schema of a Parquet file (with its key-value metadata), to write its kept rows with."""
    pq = _pyarrow()
    if pq is None:
        raise OutputError(f"{path}: {MISSING}")
    return pq.ParquetFile(path).schema_arrow


class RowWriter:
    """Rows (dicts, as :func:`read_parquet` keeps them) written to a Parquet file with a fixed schema.

    ``sink`` is a path or a binary file object (an :func:`dedup.io.write.atomic_writer` handle). Rows are
    buffered and written ``rows_per_group`` at a time.

    >>> import pyarrow as pa, pyarrow.parquet as pq
    >>> buf = io.BytesIO()
    >>> with RowWriter(buf, pa.schema([("id", pa.int64()), ("text", pa.string())])) as out:
    ...     out.write({"id": 7, "text": "kept"})
    >>> pq.read_table(io.BytesIO(buf.getvalue())).to_pylist()
    [{'id': 7, 'text': 'kept'}]
    """

    def __init__(self, sink: str | Path | IO[bytes], schema: pa.Schema, rows_per_group: int = ROWS_PER_GROUP):
        pq = _pyarrow()
        if pq is None:
            raise OutputError(f"{sink}: writing Parquet needs pyarrow: pip install 'news-dedup[parquet]'")
        self.schema = schema
        self.rows = 0
        self._rows_per_group = rows_per_group
        self._buffer: list[Mapping[str, Any]] = []
        self._writer = pq.ParquetWriter(str(sink) if isinstance(sink, (str, Path)) else sink, schema)

    def write(self, record: Mapping[str, Any]) -> None:
        self._buffer.append(record)
        self.rows += 1
        if len(self._buffer) >= self._rows_per_group:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            import pyarrow as pa

            self._writer.write_batch(pa.RecordBatch.from_pylist(self._buffer, schema=self.schema))
            self._buffer = []

    def close(self) -> None:
        """Write what is buffered and the file footer (an empty output is still a valid Parquet file)."""
        self._flush()
        self._writer.close()

    def __enter__(self) -> RowWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def encode_row(record: Mapping[str, Any], schema: pa.Schema) -> str:
    """One row as text for a JSON manifest: Arrow IPC of a one-row batch, base64; every type survives.

    >>> import pyarrow as pa
    >>> schema = pa.schema([("id", pa.int64()), ("day", pa.date32())])
    >>> decode_row(encode_row({"id": 3, "day": datetime.date(2015, 7, 21)}, schema))
    {'id': 3, 'day': datetime.date(2015, 7, 21)}
    """
    import pyarrow as pa

    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, schema) as out:
        out.write_batch(pa.RecordBatch.from_pylist([dict(record)], schema=schema))
    return base64.b64encode(sink.getvalue()).decode("ascii")


def decode_row(text: str) -> dict[str, Any]:
    """The row :func:`encode_row` encoded."""
    import pyarrow as pa

    table = pa.ipc.open_stream(base64.b64decode(text)).read_all()
    return table.to_pylist()[0]


def restore_rows(path: str | Path, rows: Mapping[int, str]) -> None:
    """Put dropped rows (``{index: encode_row(...)}``) back into the Parquet file ``path`` at their indexes.

    Kept rows fill the other indexes in order, as :func:`dedup.remove.restore` does for JSONL lines. The file is
    rewritten through a temporary file (renamed into place at the end), a batch at a time.
    """
    pq = _pyarrow()
    if pq is None:
        raise OutputError(f"{path}: {MISSING}")
    source = pq.ParquetFile(path)
    schema = source.schema_arrow
    pending = dict(sorted(rows.items()))
    with atomic_writer(path, "wb") as handle, RowWriter(handle, schema) as out:

        def put_back() -> None:
            while pending and next(iter(pending)) == out.rows:
                out.write(decode_row(pending.pop(out.rows)))

        put_back()
        for batch in source.iter_batches(batch_size=BATCH_ROWS):
            for record in batch.to_pylist():
                out.write(record)
                put_back()
        for record in (decode_row(pending[i]) for i in pending):  # indexes past the end: the last rows
            out.write(record)
        source.close()
