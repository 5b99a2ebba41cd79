"""JSONL lines read in bounded memory, lines that are not documents, and lines written back unchanged.

A line is read up to the document size limit; a longer one is skipped to its newline in chunks and only its size
and place are kept (:class:`Span`), so that ``remove`` can copy it to its output by streaming. A UTF-16 file (with
its byte-order mark) is read as text and its lines handed on re-encoded as UTF-8; its over-long lines cannot be
copied by place and are reported lost.

:class:`Passthrough` is a line that is not a document (malformed JSON, not an object, no text or HTML field, too
large, or blank): ``remove`` writes it back where it was. :class:`LineWriter` writes lines back so that a file
whose last line has no newline is given back the same, byte for byte.

>>> import io
>>> [(x.offset, x.data) for x in LineSource(io.BytesIO(b'{"a": 1}\\n\\n{"b": 2}'), limit=100)]
[(0, b'{"a": 1}\\n'), (9, b'\\n'), (10, b'{"b": 2}')]
>>> out = io.BytesIO(); w = LineWriter(out.write)
>>> w.write_line(b'{"a": 1}'); w.write_line(b'{"b": 2}\\n'); out.getvalue()
b'{"a": 1}\\n{"b": 2}\\n'
"""

from __future__ import annotations

import codecs
import gzip
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from dedup.io.files import open_regular

CHUNK = 1 << 20  # bytes read at a time past the size limit, and copied at a time


@dataclass(frozen=True, slots=True)
class Span:
    """Where an over-long line lies in a file (after decompression), to copy it without holding it."""

    path: str
    offset: int
    size: int


@dataclass(frozen=True, slots=True)
class Passthrough:
    """A JSONL line that is not a document, to be written back unchanged at its place.

    ``line`` is the line exactly as read (re-encoded as UTF-8 only in a UTF-16 file), or ``None`` when it is too
    large to hold; then ``span`` says where to copy it from (``None``: it cannot be copied). ``reason`` is
    the problem reported for it, ``None`` for a blank line (passed through silently).
    """

    origin: str
    path: str | None
    line: bytes | None
    reason: str | None = None
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class RawLine:
    """One line as read: ``data`` is the whole line, or its first ``limit + 1`` bytes when ``size`` is larger."""

    offset: int
    data: bytes
    size: int


class LineSource:
    """The lines of a binary stream, each read in at most ``limit + 1`` bytes of memory."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self.limit = limit
        if not hasattr(stream, "peek"):
            stream = io.BufferedReader(stream)  # type: ignore[arg-type]
        head = stream.peek(2)[:2]  # type: ignore[attr-defined]
        self.encoding: str | None = None  # set when the whole stream is decoded as text (UTF-16)
        self._text: io.TextIOWrapper | None = None
        if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            self.encoding = "utf-16"
            self._text = io.TextIOWrapper(stream, encoding="utf-16", errors="replace", newline="\n")
        self._stream = stream

    @property
    def copyable(self) -> bool:
        """Whether an over-long line can be copied by its place in the file (not after decoding UTF-16)."""
        return self._text is None

    def _readline(self, size: int) -> bytes:
        if self._text is not None:
            return self._text.readline(size).encode("utf-8")
        return self._stream.readline(size)

    def __iter__(self) -> Iterator[RawLine]:
        offset = 0
        while True:
            data = self._readline(self.limit + 1)
            if not data:
                return
            size = len(data)
            if size > self.limit:
                rest = data
                while not rest.endswith(b"\n"):
                    rest = self._readline(CHUNK)
                    if not rest:
                        break
                    size += len(rest)
            yield RawLine(offset, data, size)
            offset += size


def span_chunks(span: Span) -> Iterator[bytes]:
    """The bytes of the line ``span`` points at, a chunk at a time."""
    with open_regular(span.path) as handle:
        stream: IO[bytes] = gzip.GzipFile(fileobj=handle) if span.path.lower().endswith(".gz") else handle
        stream.seek(span.offset)
        left = span.size
        while left > 0:
            chunk = stream.read(min(CHUNK, left))
            if not chunk:
                raise OSError(f"{span.path}: changed while dedup was running (line at byte {span.offset} is gone)")
            left -= len(chunk)
            yield chunk


class LineWriter:
    """Writes lines to a byte sink: a line without its newline gets one only when another line follows it."""

    def __init__(self, write: Callable[[bytes], object]) -> None:
        self._write = write
        self._open = False  # the last line written has no newline yet

    def write_line(self, data: bytes | Iterable[bytes]) -> None:
        """Write one line, given whole or as chunks."""
        if self._open:
            self._write(b"\n")
        last = b""
        for chunk in [data] if isinstance(data, bytes) else data:
            if chunk:
                self._write(chunk)
                last = chunk
        self._open = not last.endswith(b"\n")


def line_chunks(stream: IO[bytes]) -> Iterator[Iterator[bytes]]:
    """The lines of a stream, each as an iterator of chunks (a line of any length in bounded memory).

    Each line's chunks must be consumed before the next line is asked for.

    >>> import io
    >>> [b"".join(line) for line in line_chunks(io.BytesIO(b"a\\n\\nbc"))]
    [b'a\\n', b'\\n', b'bc']
    """
    pending = stream.readline(CHUNK)
    while pending:

        def chunks(chunk: bytes = pending) -> Iterator[bytes]:
            while chunk:
                yield chunk
                chunk = b"" if chunk.endswith(b"\n") else stream.readline(CHUNK)

        line = chunks()
        yield line
        for _ in line:  # whatever the caller left unread
            pass
        pending = stream.readline(CHUNK)
