"""Reading documents from files, directories, JSONL, web archives and stdin.

Inputs can be mixed freely: directories (recursed), ``.txt`` (first line is the title), ``.html``/``.htm``,
``.jsonl``/``.jsonl.gz`` and ``-`` for JSONL on standard input. Bad input never raises out of the reader: each
problem is reported once, as an :class:`InputProblem` naming the file (and line), through the ``on_problem``
callback, and the rest of the input is still read, unless ``strict`` is set.

>>> import os, tempfile
>>> d = tempfile.mkdtemp(); _ = open(os.path.join(d, "a.txt"), "w").write("Title\\nBody")
>>> [(doc.id, doc.title, doc.text) for doc in Reader().read([d])]
[('a.txt', 'Title', 'Body')]
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from dedup.document import Document
from dedup.errors import InputError, InputProblem, ProblemHandler
from dedup.io.records import MAX_DOCUMENT_BYTES, FieldNames, RecordError, document_from_record
from dedup.io.warc import WARC_SUFFIXES, read_warc

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")


def _is_binary(head: bytes) -> bool:
    # NUL bytes never occur in UTF-8 text or HTML; they do in every common binary format.
    return b"\x00" in head


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{where}: not valid UTF-8 (byte {err.start}); re-encode the file as UTF-8") from None


@dataclass
class Reader:
    """Turns command-line inputs into :class:`Document` objects, one at a time.

    ``on_problem`` receives every skipped input; with ``strict=True`` the first problem raises
    :class:`InputError` instead.
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

    def _report(self, where: str, message: str) -> None:
        problem = InputProblem(where, message)
        if self.strict:
            # Strict mode stops here, so a "; line skipped" ending would misdescribe what happened.
            raise InputError(str(InputProblem(where, message.split("; ")[0])))
        if self.on_problem is not None:
            self.on_problem(problem)

    def read(self, inputs: Sequence[str]) -> Iterator[Document]:
        """Documents from every input in order; missing paths raise :class:`InputError` before anything is read."""
        for item in inputs:
            if item != "-" and not os.path.lexists(item):
                raise InputError(f"{item}: no such file or directory")
        for item in inputs:
            if item == "-":
                stream = self.stdin if self.stdin is not None else sys.stdin.buffer
                yield from self._read_jsonl_stream(stream, "<stdin>", None, None)
            elif os.path.isdir(item):
                yield from self._read_dir(Path(item))
            else:
                path = Path(item)
                yield from self._read_file(path, Path("."), explicit=True)

    def _read_dir(self, root: Path) -> Iterator[Document]:
        seen: set[tuple[int, int]] = set()
        for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=self._walk_error):
            try:
                st = os.stat(dirpath)
            except OSError:
                continue
            if (st.st_dev, st.st_ino) in seen:  # a symlink loop: each directory is read once
                dirnames[:] = []
                continue
            seen.add((st.st_dev, st.st_ino))
            dirnames.sort()
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                yield from self._read_file(Path(dirpath) / name, root, explicit=False)

    def _walk_error(self, err: OSError) -> None:
        self._report(str(err.filename), f"cannot read directory ({_os_message(err)})")

    def _read_file(self, path: Path, root: Path, explicit: bool) -> Iterator[Document]:
        name = path.name.lower()
        if name.endswith(WARC_SUFFIXES):
            yield from read_warc(path, self._report)
            return
        kind = (
            "jsonl" if name.endswith(JSONL_SUFFIXES)
            else "html" if name.endswith(HTML_SUFFIXES)
            else "text" if name.endswith(TEXT_SUFFIXES)
            else None
        )
        if kind is None:
            if explicit:
                self._report(str(path), "unsupported file type (expected .txt, .html, .htm, .jsonl, .jsonl.gz)")
            return
        if kind == "jsonl":
            try:
                opener = gzip.open if name.endswith(".gz") else open
                alias = self.aliases.get(str(path))
                with opener(path, "rb") as stream:
                    if alias is not None:
                        yield from self._read_jsonl_stream(stream, alias, None, None)
                    else:
                        yield from self._read_jsonl_stream(stream, str(path), path, root)
            except (OSError, EOFError, gzip.BadGzipFile) as err:
                self._report(str(path), f"cannot read ({_os_message(err)})")
            return
        try:
            size = path.stat().st_size
            if size > MAX_DOCUMENT_BYTES:
                self._report(str(path), f"document too large ({size} bytes > {MAX_DOCUMENT_BYTES}); skipped")
                return
            data = path.read_bytes()
        except OSError as err:
            self._report(str(path), f"cannot read ({_os_message(err)})")
            return
        if _is_binary(data[:8192]):
            self._report(str(path), "binary file, not text; skipped")
            return
        rel = _relative(path, root)
        folder = path.resolve().parent.name or None
        if kind == "html":
            # HTML stays bytes: the cleaner honours the page's declared charset (UTF-8, windows-1256, ...).
            yield Document(id=rel, text="", html=data, origin=str(path), path=str(path), root=str(root),
                           source=folder)
            return
        try:
            text = _decode(data, str(path))
        except InputError as err:
            self._report(str(path), str(err).split(": ", 1)[1])
            return
        title, _, body = text.lstrip("\ufeff").partition("\n")
        if not title.strip() and body.strip():
            # Some scrapers leave blank or ad lines first; the title is the first non-empty line.
            lines = [ln for ln in text.splitlines() if ln.strip()]
            title, body = lines[0], "\n".join(lines[1:])
        yield Document(
            id=rel, text=body, title=title.strip(), origin=str(path), path=str(path), root=str(root),
            source=folder,
        )

    def _read_jsonl_stream(
        self, stream: IO[bytes], where: str, path: Path | None, root: Path | None
    ) -> Iterator[Document]:
        f = self.fields
        # One string each per file, shared by its documents (a million documents of one file: one copy).
        path_s = str(path) if path is not None else None
        root_s = str(root) if root is not None else None
        folder = path.parent.name if path is not None else None
        for lineno, raw in enumerate(stream, start=1):
            loc = f"{where}:{lineno}"
            if not raw.strip():
                continue
            if len(raw) > MAX_DOCUMENT_BYTES:
                self._report(loc, f"record too large ({len(raw)} bytes > {MAX_DOCUMENT_BYTES}); skipped")
                continue
            try:
                record = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as err:
                self._report(loc, f"malformed JSON ({_json_message(err)}); line skipped")
                continue
            if not isinstance(record, dict):
                self._report(loc, "expected a JSON object; line skipped")
                continue
            try:
                yield document_from_record(
                    record, f, fallback_id=f"{_display(path, where)}:{lineno}", origin=loc, path=path_s,
                    root=root_s, folder=folder, keep_record=self.keep_records,
                )
            except RecordError as err:
                self._report(loc, f"{err}; line skipped")


def _display(path: Path | None, where: str) -> str:
    return path.name if path is not None else where


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _os_message(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror.lower()
    return str(err) or type(err).__name__


def _json_message(err: Exception) -> str:
    if isinstance(err, json.JSONDecodeError):
        return f"{err.msg} at column {err.colno}"
    return "not valid UTF-8"
