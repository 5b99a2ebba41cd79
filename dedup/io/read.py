"""Reading documents from files, directories, JSONL, web archives and stdin.

Inputs can be mixed freely: directories (recursed), ``.txt`` (first line is the title), ``.html``/``.htm``,
``.jsonl``/``.jsonl.gz`` and ``-`` for JSONL on standard input. Bad input never raises out of the reader: each
problem is reported once, as an :class:`InputProblem` naming the file (and line), through the ``on_problem``
callback, and the rest of the input is still read, unless ``strict`` is set.

What is read, and how far:

- Only regular files (:mod:`dedup.io.files`): FIFOs, devices and sockets are skipped with one problem naming them.
- A document is at most :data:`MAX_DOCUMENT_BYTES`: a larger ``.txt``/``.html`` file (or one that grows past it
  while read) is skipped, and so is a longer JSONL line, read only up to the limit and then skipped to its end.
- ``.txt`` files and JSONL lines need not be UTF-8 (:mod:`dedup.io.encoding`): windows-1256, windows-1252 and
  UTF-16 with a byte-order mark are decoded too, and the encoding used is in ``Document.meta["_encoding"]``.
- A file's id is its path from the working directory (:func:`dedup.io.files.file_id`), whatever folder named it.

With ``passthrough=True`` (what ``remove`` reads with), the JSONL lines that are not documents are yielded too,
in order, as :class:`Passthrough` items (their lines exactly as read), and each JSONL document carries its line
in ``meta["_line"]`` (as read, or re-encoded as UTF-8 when its file is in another encoding), so that every line
can be written back; blank lines are passed through as well, silently.

>>> import os, tempfile
>>> d = tempfile.mkdtemp(); _ = open(os.path.join(d, "a.txt"), "w").write("Title\\nBody")
>>> _ = open(os.path.join(d, "n.jsonl"), "w").write('{"id": "n1", "text": "Hi"}\\n[1]\\n')
>>> here = os.getcwd(); os.chdir(d)
>>> [(doc.id, doc.title, doc.text) for doc in Reader().read(["."])]
[('a.txt', 'Title', 'Body'), ('n1', '', 'Hi')]
>>> [type(x).__name__ for x in Reader(passthrough=True, on_problem=print).read(["n.jsonl"])]
n.jsonl:2: expected a JSON object; line skipped
['Document', 'Passthrough']
>>> os.chdir(here)
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import sys
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, NamedTuple

from dedup.document import Document
from dedup.errors import InputError, InputProblem, ProblemHandler
from dedup.io.encoding import LineDecoder, decode_text
from dedup.io.files import NotRegularFile, TooLarge, file_id, open_regular, read_limited, walk_files
from dedup.io.jsonl import LineSource, Passthrough, Span
from dedup.io.parquet import PARQUET_SUFFIXES, read_parquet
from dedup.io.ranges import RangeStream
from dedup.io.records import (
    ENCODING_KEY,
    LINE_KEY,
    MAX_DOCUMENT_BYTES,
    FieldNames,
    RecordError,
    document_from_record,
)
from dedup.io.warc import WARC_SUFFIXES, read_warc

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")

Item = Document | Passthrough


def _is_binary(head: bytes) -> bool:
    # NUL bytes never occur in UTF-8 text or HTML; they do in every common binary format.
    return b"\x00" in head


@dataclass
class Reader:
    """Turns command-line inputs into :class:`Document` objects, one at a time.

    ``on_problem`` receives every skipped input; with ``strict=True`` the first problem raises
    :class:`InputError` instead. ``passthrough=True`` also yields the JSONL lines that are not documents.
    """

    fields: FieldNames = FieldNames()  # noqa: RUF009 - frozen, safe to share
    strict: bool = False
    on_problem: ProblemHandler | None = None
    stdin: IO[bytes] | None = None
    # Display names for spooled inputs: {"/tmp/dedup-stdin-x.jsonl": "<stdin>"}.
    aliases: dict[str, str] = field(default_factory=dict)
    # Keep each JSONL record whole in ``meta["_record"]`` (to write it back unchanged); a scan never does, and
    # the record, as big as the text, would travel to the worker processes for nothing.
    keep_records: bool = True
    passthrough: bool = False

    def _report(self, where: str, message: str) -> None:
        problem = InputProblem(where, message)
        if self.strict:
            # Strict mode stops here, so a "; line skipped" ending would misdescribe what happened.
            raise InputError(str(InputProblem(where, message.split("; ")[0])))
        if self.on_problem is not None:
            self.on_problem(problem)

    def read(self, inputs: Sequence[str]) -> Iterator[Item]:
        """Documents from every input in order (and, with ``passthrough``, the other JSONL lines).

        Missing paths raise :class:`InputError` before anything is read.
        """
        for item in inputs:
            if item != "-" and not os.path.lexists(item):
                raise InputError(f"{item}: no such file or directory")
        cwd = os.getcwd()
        for item in inputs:
            if item == "-":
                stream = self.stdin if self.stdin is not None else sys.stdin.buffer
                yield from self._read_jsonl_stream(stream, "<stdin>", None, None)
            elif os.path.isdir(item):
                yield from self._read_dir(Path(item), cwd)
            else:
                yield from self._read_file(Path(item), None, cwd, explicit=True)

    def read_range(
        self, item: str, first: int, stop: int, first_line: int, watch: Utf8Watch | None = None
    ) -> Iterator[Item]:
        """The items of the lines ``[first, stop)`` of the JSONL file ``item`` (named on the command line, not
        compressed), whose first line is line ``first_line`` of the file: what :meth:`read` gives for those lines
        when all the file's lines are UTF-8 (:mod:`dedup.io.ranges` says how a file is cut; ``watch`` records
        whether this range's were). A worker process reads its own share of a big file so."""
        path = Path(item)
        try:
            handle = open_regular(path)
        except (OSError, NotRegularFile) as err:
            self._report(str(path), f"cannot read ({_os_message(err)})")
            return
        try:
            stream = io.BufferedReader(RangeStream(handle, first, stop), 1 << 16)
            yield from self._read_jsonl_stream(stream, str(path), path, Path("."), first_line, watch)
        except OSError as err:
            self._report(str(path), f"cannot read ({_os_message(err)})")
        finally:
            handle.close()

    def _read_dir(self, root: Path, cwd: str) -> Iterator[Item]:
        for path in walk_files(root, self._walk_error):
            yield from self._read_file(path, root, cwd, explicit=False)

    def _walk_error(self, err: OSError) -> None:
        self._report(str(err.filename), f"cannot read directory ({_os_message(err)})")

    def _read_file(self, path: Path, root: Path | None, cwd: str, explicit: bool) -> Iterator[Item]:
        name = path.name.lower()
        kind = (
            "warc" if name.endswith(WARC_SUFFIXES)
            else "parquet" if name.endswith(PARQUET_SUFFIXES)
            else "jsonl" if name.endswith(JSONL_SUFFIXES)
            else "html" if name.endswith(HTML_SUFFIXES)
            else "text" if name.endswith(TEXT_SUFFIXES)
            else None
        )  # fmt: skip
        if kind is None:
            if explicit:
                self._report(
                    str(path),
                    "unsupported file type (expected .txt, .html, .htm, .jsonl, .jsonl.gz, .warc, .warc.gz, .parquet)",
                )
            return
        try:
            handle = open_regular(path)
        except NotRegularFile as err:
            self._report(str(path), f"{err}; skipped")
            return
        except OSError as err:
            self._report(str(path), f"cannot read ({_os_message(err)})")
            return
        with handle:
            if kind == "warc":
                yield from read_warc(path, self._report, handle)
            elif kind == "parquet":  # opened above only to refuse what is not a regular file: pyarrow reads the path
                root_s = str(root) if root is not None else None
                yield from read_parquet(path, self._report, self.fields, root=root_s, keep_records=self.keep_records)
            elif kind == "jsonl":
                yield from self._read_jsonl_file(handle, path, root)
            else:
                yield from self._read_page(handle, path, root, cwd, kind)

    def _read_jsonl_file(self, handle: IO[bytes], path: Path, root: Path | None) -> Iterator[Item]:
        try:
            stream: IO[bytes] = gzip.GzipFile(fileobj=handle) if path.name.lower().endswith(".gz") else handle
            alias = self.aliases.get(str(path))
            if alias is not None:
                yield from self._read_jsonl_stream(stream, alias, None, None)
            else:
                yield from self._read_jsonl_stream(stream, str(path), path, root or Path("."))
        except (OSError, EOFError, zlib.error) as err:
            self._report(str(path), f"cannot read ({_os_message(err)})")

    def _read_page(self, handle: IO[bytes], path: Path, root: Path | None, cwd: str, kind: str) -> Iterator[Item]:
        try:
            data = read_limited(handle, MAX_DOCUMENT_BYTES)
        except TooLarge as err:
            self._report(str(path), str(err))
            return
        except OSError as err:
            self._report(str(path), f"cannot read ({_os_message(err)})")
            return
        common = {
            "id": file_id(path, cwd), "origin": str(path), "path": str(path), "root": str(root or Path(".")),
            "source": Path(os.path.realpath(path)).parent.name or None,
        }  # fmt: skip
        if _is_binary(data[:8192]) and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self._report(str(path), "binary file, not text; skipped")
            return
        if kind == "html":
            # HTML stays bytes: the cleaner honours the page's declared charset (UTF-8, windows-1256, ...).
            yield Document(text="", html=data, **common)
            return
        text, encoding, replaced = decode_text(data)
        if replaced:
            self._report(str(path), f"not valid UTF-8 in {replaced} places; read with those bytes replaced (U+FFFD)")
        title, _, body = text.partition("\n")
        if not title.strip() and body.strip():
            # Some scrapers leave blank or ad lines first; the title is the first non-empty line.
            lines = [ln for ln in text.splitlines() if ln.strip()]
            title, body = lines[0], "\n".join(lines[1:])
        yield Document(text=body, title=title.strip(), meta={ENCODING_KEY: encoding}, **common)

    def _read_jsonl_stream(
        self,
        stream: IO[bytes],
        where: str,
        path: Path | None,
        root: Path | None,
        first_line: int = 1,
        decoder: LineDecoder | None = None,
    ) -> Iterator[Item]:
        """The items of a JSONL stream; ``first_line`` is the number of its first line in the file (a byte range
        of a big file is read by one Spark task, see :mod:`dedup.spark.read`)."""
        limit = MAX_DOCUMENT_BYTES
        source = LineSource(stream, limit)
        # One string each per file, shared by its documents (a million documents of one file: one copy).
        file = _JsonlFile(
            where, str(path) if path is not None else None, path.name if path is not None else where,
            str(root) if root is not None else None, path.parent.name if path is not None else None, source,
            decoder or LineDecoder(),
        )  # fmt: skip
        for lineno, raw in enumerate(source, start=first_line):
            loc = f"{where}:{lineno}"
            if raw.size > limit:
                reason = f"record too large ({raw.size} bytes > {limit}); line skipped"
                self._report(loc, reason)
                if self.passthrough:
                    span = Span(file.path, raw.offset, raw.size) if file.path and source.copyable else None
                    yield Passthrough(loc, file.path, None, reason, span)
                continue
            if not raw.data.strip():
                if self.passthrough:
                    yield Passthrough(loc, file.path, raw.data)
                continue
            doc, reason, line = self._parse_line(raw.data, lineno, file)
            if doc is not None:
                if self.passthrough:
                    doc.meta[LINE_KEY] = line
                yield doc
                continue
            self._report(loc, reason)
            if self.passthrough:
                yield Passthrough(loc, file.path, line, reason)

    def _parse_line(self, line: bytes, lineno: int, file: _JsonlFile) -> tuple[Document | None, str, bytes]:
        """The document of one line, else why it is not one; and the line to write back.

        A document's line is written back as UTF-8 (re-encoded from windows-1256, say): an output of lines in
        several encodings could not be read. Any other line is written back exactly as read.
        """
        source = file.source
        try:
            text, encoding = (line.decode("utf-8"), source.encoding) if source.encoding else file.decoder.decode(line)
        except UnicodeDecodeError:
            return None, "malformed JSON (not valid UTF-8); line skipped", line
        try:
            record = _loads(text.lstrip("\ufeff") if lineno == 1 else text)
        except json.JSONDecodeError as err:
            return None, f"malformed JSON ({err.msg} at column {err.colno}); line skipped", line
        except RecursionError:
            return None, "malformed JSON (nested too deeply to read); line skipped", line
        except ValueError:  # an integer of more digits than the interpreter converts (sys.get_int_max_str_digits)
            return None, "malformed JSON (a number too long to read); line skipped", line
        if not isinstance(record, dict):
            return None, "expected a JSON object; line skipped", line
        try:
            doc = document_from_record(
                record, self.fields, fallback_id=f"{file.name}:{lineno}", origin=f"{file.where}:{lineno}",
                path=file.path, root=file.root, folder=file.folder, keep_record=self.keep_records,
            )  # fmt: skip
        except RecordError as err:
            return None, f"{err}; line skipped", line
        doc.meta[ENCODING_KEY] = encoding
        return doc, "", line if encoding in ("utf-8", source.encoding) else text.encode("utf-8")


_SCAN = json.JSONDecoder().scan_once


def _loads(line: str) -> object:
    """``json.loads`` of a JSONL line: its value read directly when the line is that value and its line break
    (most lines; ``json.loads`` skips whitespace with two regex calls and three more Python calls), else
    ``json.loads`` itself (its value, or its error and message).

    >>> _loads('{"id": 1}\\n'), _loads(' [1] ')
    ({'id': 1}, [1])
    """
    try:
        value, end = _SCAN(line, 0)
    except (StopIteration, ValueError):
        return json.loads(line)
    if end == len(line) or line[end:] in ("\n", "\r\n"):
        return value
    return json.loads(line)


class Utf8Watch(LineDecoder):
    """A :class:`LineDecoder` that records whether every line it was given was UTF-8.

    >>> watch = Utf8Watch(); _ = watch.decode(b"ok"); watch.utf8
    True
    >>> _ = watch.decode("عدن".encode("windows-1256")); watch.utf8
    False
    """

    def __init__(self) -> None:
        super().__init__()
        self.utf8 = True

    def decode(self, line: bytes) -> tuple[str, str]:
        try:
            text, encoding = super().decode(line)
        except UnicodeDecodeError:
            self.utf8 = False
            raise
        if encoding != "utf-8":
            self.utf8 = False
        return text, encoding


class _JsonlFile(NamedTuple):
    """What the lines of one JSONL stream share."""

    where: str  # its name in messages and origins
    path: str | None  # None for standard input
    name: str  # ids of records without one are name:line
    root: str | None
    folder: str | None
    source: LineSource
    decoder: LineDecoder


def _os_message(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror.lower()
    return str(err) or type(err).__name__
