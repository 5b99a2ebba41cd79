"""A big JSONL file cut into byte ranges of whole lines, so that worker processes (a local scan's pool, or
Spark's read tasks) read their own share of it: one big file read whole puts all reading and page cleaning on
one core.

A range holds the lines that *start* in ``[start, end)``: a line crossing ``end`` belongs to the range it starts
in. Reading a range must give the documents and problems reading the whole file gives for those lines, numbers
included (origins and fallback ids are ``file:line``), so each range needs the number of its first line; and the
reader chooses a legacy encoding (windows-1256) once per file, at its first line that is not UTF-8. So a file is
*surveyed* first (:func:`survey`: the lines each range holds, and whether they are all UTF-8), and a file that is
not all UTF-8 (a legacy or UTF-16 file, a damaged line) stays one range, read whole. Gzip files cannot be entered
in the middle and are not cut.

>>> import tempfile
>>> path = tempfile.mktemp(suffix=".jsonl")
>>> _ = open(path, "wb").write(b'{"a": 1}\\n\\n{"b": 2}\\n{"c": 3}')
>>> [survey(path, s, e) for s, e in byte_ranges(27, 10)]
[(0, 10, 2, True), (10, 27, 2, True), (27, 27, 0, True)]
>>> io.BufferedReader(RangeStream(open(path, "rb"), 10, 27)).read()
b'{"b": 2}\\n{"c": 3}'
"""

from __future__ import annotations

import codecs
import io
import os
from collections.abc import Iterator
from typing import IO

from dedup.io.files import open_regular

CHUNK = 1 << 20


def byte_ranges(size: int, step: int) -> list[tuple[int, int]]:
    """``[start, end)`` ranges of about ``step`` bytes covering ``size`` bytes (the last one may be shorter).

    >>> byte_ranges(25, 10)
    [(0, 10), (10, 20), (20, 25)]
    """
    return [(start, min(start + step, size)) for start in range(0, size, step)]


def line_start(handle: IO[bytes], pos: int, size: int) -> int:
    """The offset of the first line that starts at or after ``pos`` (``size`` when none does)."""
    if pos <= 0:
        return 0
    if pos >= size:
        return size
    handle.seek(pos - 1)
    while True:  # to the end of the line holding byte pos - 1, a chunk at a time (a line can be huge)
        chunk = handle.readline(CHUNK)
        if not chunk or chunk.endswith(b"\n"):
            return handle.tell()


def survey(path: str, start: int, end: int) -> tuple[int, int, int, bool]:
    """``(first, stop, lines, utf8)`` of the range ``[start, end)`` of ``path``: the bytes of the lines starting
    in it (``[first, stop)``), how many lines those are, and whether they are all UTF-8."""
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        first, stop = line_start(handle, start, size), line_start(handle, end, size)
        handle.seek(first)
        decoder = codecs.getincrementaldecoder("utf-8")()
        lines, left, utf8, last = 0, stop - first, True, b"\n"
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            lines += chunk.count(b"\n")
            last = chunk[-1:]
            if utf8:
                try:
                    decoder.decode(chunk, final=left <= 0)
                except UnicodeDecodeError:
                    utf8 = False
        if last != b"\n":  # the file's last line, without its newline
            lines += 1
    return first, stop, lines, utf8


class RangeStream(io.RawIOBase):
    """The bytes ``[first, stop)`` of an open file, as a stream of their own (wrap it in a buffer to read lines)."""

    def __init__(self, handle: IO[bytes], first: int, stop: int) -> None:
        super().__init__()
        self._handle, self._left = handle, stop - first
        handle.seek(first)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._left <= 0:
            return 0
        view = memoryview(buffer)[: min(len(buffer), self._left)]
        n = self._handle.readinto(view) or 0
        self._left -= n
        return n

    def close(self) -> None:
        self._handle.close()
        super().close()


def cut(path: str, step: int) -> list[tuple[int, int, int]]:
    """``(first, stop, first_line)`` ranges of whole lines of ``path``, about ``step`` bytes each: only the
    newlines are counted (one pass over the bytes), not checked for UTF-8; whoever reads a range says whether its
    lines were all UTF-8 (else the file is read whole). A UTF-16 file (byte-order mark) stays one range.

    >>> import tempfile
    >>> path = tempfile.mktemp(suffix=".jsonl")
    >>> _ = open(path, "wb").write(b'{"a": 1}\\n\\n{"b": 2}\\n{"c": 3}')
    >>> cut(path, 10)
    [(0, 10, 1), (10, 27, 3)]
    >>> cut(path, 100)
    [(0, 27, 1)]
    """
    return [(first, stop, line) for first, stop, line, _ in cuts(path, step)]


def cuts(path: str, step: int, tail: int = 0, tail_step: int = 0) -> Iterator[tuple[int, int, int, bool]]:
    """:func:`cut`'s ranges one at a time as the file is read, each with whether it is the file's last: a worker
    starts on the first range while the rest of the file is still being cut (counting the newlines of a big file
    is a pass over all of its bytes). Ranges that start in the file's last ``tail`` bytes are about
    ``tail_step`` bytes (when set): the workers reading the last ranges then finish at about the same time.

    >>> import tempfile
    >>> path = tempfile.mktemp(suffix=".jsonl")
    >>> _ = open(path, "wb").write(b'{"a": 1}\\n\\n{"b": 2}\\n{"c": 3}')
    >>> list(cuts(path, 10))
    [(0, 10, 1, False), (10, 27, 3, True)]
    >>> list(cuts(path, 10, tail=17, tail_step=5))
    [(0, 10, 1, False), (10, 19, 3, False), (19, 27, 4, True)]
    """
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size <= step or handle.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            yield 0, size, 1, True
            return
        handle.seek(0)
        first, line = 0, 1
        while first < size:
            data = handle.read(min(tail_step if tail_step and size - first <= tail else step, size - first))
            if not data:  # the file shrank while being cut: no more ranges
                return
            stop = first + len(data)
            lines = data.count(b"\n")
            while data and not data.endswith(b"\n") and stop < size:  # to the end of the line crossing the cut
                data = handle.readline(CHUNK)
                stop += len(data)
                lines += data.count(b"\n")
            yield first, stop, line, stop >= size
            first, line = stop, line + lines
