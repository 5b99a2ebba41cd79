"""Write the corpus without its redundant copies, with a manifest that can undo the removal.

Inputs are never modified, and no output may touch one (:func:`dedup.io.refuse_input_overlap`). Every JSONL input
line ends up in the output or in the manifest, byte for byte:

- JSONL output (``OUT.jsonl``, ``OUT.jsonl.gz``): each kept JSONL record is its input line exactly as read;
  text, HTML and WARC documents become ``{id, title, text, source, ...}`` records of their cleaned text.
- Directory output: kept files are copied, under their path inside the folder named on the command line (a file
  named directly: its path as given, or its name when that path is absolute or climbs out with ``..``); each
  JSONL input is filtered into a file of the same name; the documents of a web archive ``X.warc.gz`` become
  cleaned records in ``X.jsonl``.
- JSONL lines that are not documents (malformed JSON, not an object, no text or HTML field, too large) are not
  dedup's to judge: they pass through byte for byte, at their place, and are counted (``passed_through``).
  Blank lines stay where they are too (not counted). A record of a file in another encoding (windows-1256) is
  written re-encoded as UTF-8, as is every line of a UTF-16 file; a last line without a newline gets one only if
  another line follows it.
- A line too large to hold in memory is copied by streaming; one of a UTF-16 file cannot be, and is counted as
  ``lost`` and listed in the manifest.

Everything is written to a temporary name and renamed into place at the end, so an interrupted run leaves no
half-written output. The manifest lists every dropped document (cluster, kept id, similarity) with what is needed
to put it back exactly: its line and its index in its output file, or its file's bytes. ``restore`` does that: a
JSONL output restored holds exactly the lines the removal read.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from dedup.document import Document
from dedup.errors import OutputError
from dedup.io import (
    JSONL_SUFFIXES,
    LINE_KEY,
    WARC_SUFFIXES,
    LineWriter,
    Passthrough,
    Reader,
    atomic_writer,
    chmod_by_umask,
    line_chunks,
    record_of,
    refuse_input_overlap,
    span_chunks,
)
from dedup.pipeline import Pipeline, ScanResult
from dedup.version import __version__

MANIFEST_VERSION = 2  # 2: dropped JSONL records are kept as their exact "line" (1: re-serialised "record")


@dataclass
class RemoveSummary:
    documents: int
    kept: int
    dropped: int
    output: str
    manifest: str
    result: ScanResult
    problems: list[str] = field(default_factory=list)
    passed_through: int = 0  # JSONL lines that are not documents, written to the output unchanged
    lost: int = 0  # lines too large to hold that could not be copied either (listed in the manifest)


def default_manifest(out: str | Path) -> Path:
    out = Path(out)
    return out.with_name(out.name.rstrip("/") + ".manifest.json")


def is_jsonl_output(out: str | Path) -> bool:
    # .jsonl.gz too: otherwise `-o unique.jsonl.gz` silently became a directory of that name.
    return str(out).endswith((".jsonl", ".ndjson", ".jsonl.gz"))


def _check_paths(out: Path, manifest: Path, inputs: Sequence[str]) -> None:
    refuse_input_overlap(out, inputs, "output")
    refuse_input_overlap(manifest, inputs, "manifest")
    real_out, real_manifest = os.path.realpath(out), os.path.realpath(manifest)
    if real_manifest == real_out or real_manifest.startswith(real_out.rstrip(os.sep) + os.sep):
        raise OutputError(f"{manifest}: manifest would overwrite or sit inside the output {out}; choose another path")
    if out.is_dir() and any(out.iterdir()):
        raise OutputError(f"{out}: output directory exists and is not empty; choose a new or empty directory")
    if out.exists() and not out.is_dir() and not is_jsonl_output(out):
        raise OutputError(f"{out}: exists and is not a directory")
    if "-" in inputs:
        # Standard input can be read once only, and removal needs the documents after the scan.
        raise OutputError("remove needs re-readable inputs; save standard input to a file first")


class _Output:
    """Where the kept lines and files go: one JSONL file, or a staging folder renamed into place at the end."""

    def __init__(self, out: Path, stack: contextlib.ExitStack) -> None:
        self.out, self.stack = out, stack
        self.jsonl = is_jsonl_output(out)
        self.staging: Path | None = None
        self.writers: dict[str, LineWriter] = {}
        self.counts: dict[str, int] = {}  # lines seen so far per output JSONL file: kept, dropped, passed through
        if self.jsonl:
            handle: IO[bytes] = stack.enter_context(atomic_writer(out, "wb"))
            if str(out).endswith(".gz"):
                handle = stack.enter_context(gzip.GzipFile(fileobj=handle, mode="wb"))
            self.writers[""] = LineWriter(handle.write)
        else:
            # Staged next to the output, so that the final rename stays on one file system; a JSONL output's
            # missing parents are created by atomic_writer, a directory output's here.
            out.parent.mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
            chmod_by_umask(self.staging)

    def target(self, path: str | None) -> str:
        """The output JSONL file a line of ``path`` goes to ("" for a JSONL output)."""
        return "" if self.jsonl else _jsonl_name(path)

    def place(self, target: str) -> int:
        """The index of the next line of ``target`` (counted whether it is written or dropped)."""
        index = self.counts.get(target, 0)
        self.counts[target] = index + 1
        return index

    def writer(self, target: str) -> LineWriter:
        if target not in self.writers:
            assert self.staging is not None
            dest = self.staging / target
            dest.parent.mkdir(parents=True, exist_ok=True)
            handle: IO[bytes] = self.stack.enter_context(open(dest, "wb"))
            if target.endswith(".gz"):  # a .jsonl.gz input is filtered into a .jsonl.gz: gzip it, not just name it
                handle = self.stack.enter_context(gzip.GzipFile(fileobj=handle, mode="wb"))
            self.writers[target] = LineWriter(handle.write)
        return self.writers[target]

    def copy_file(self, doc: Document) -> None:
        assert self.staging is not None
        dest = self.staging / _file_dest(doc.path or "", doc.root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(doc.path or "", dest)


def remove(
    inputs: Sequence[str],
    out: str | Path,
    pipeline: Pipeline,
    manifest: str | Path | None = None,
) -> RemoveSummary:
    """Scan ``inputs``, write the kept documents (and the lines that are not documents) to ``out`` and the
    manifest; return a summary."""
    out = Path(out)
    manifest_path = Path(manifest) if manifest else default_manifest(out)
    _check_paths(out, manifest_path, inputs)
    result = pipeline.scan(inputs)
    relation = {m: c.relation(m) for c in result.clusters for m, _ in c.members[1:]}
    dropped = {doc: (cluster, keep, sim, relation[doc]) for doc, cluster, keep, sim in result.dropped()}
    docs = result.documents
    if not is_jsonl_output(out):
        parquet = next((d.path for d in docs if d.path and d.path.lower().endswith(".parquet")), None)
        if parquet is not None:
            # Rows cannot be dropped from a copied Parquet file yet: refuse rather than copy the file whole.
            raise OutputError(f"{parquet}: Parquet input can only be written to a JSONL output (-o OUT.jsonl)")
        _check_destinations(out, docs)
    # Second read of the raw inputs, in the same order as the scan: the i-th document is documents[i]. Silent:
    # the scan reported every problem already.
    reader = Reader(fields=pipeline.settings.fields, keep_records=False, passthrough=True)
    entries: list[dict[str, Any]] = []
    lost: list[dict[str, Any]] = []
    kept = passed = pos = 0
    staging: Path | None = None
    try:
        with contextlib.ExitStack() as stack:
            output = _Output(out, stack)
            staging = output.staging
            for item in reader.read(inputs):
                if isinstance(item, Passthrough):
                    passed += item.reason is not None
                    target = output.target(item.path)
                    if item.line is None and item.span is None:
                        # Not in the output, so it takes no index there: restore's indexes stay right.
                        lost.append(
                            {
                                "origin": item.origin,
                                "jsonl": target,
                                "index": output.counts.get(target, 0),
                                "reason": item.reason,
                            }
                        )
                        continue
                    output.place(target)
                    output.writer(target).write_line(item.line if item.line is not None else span_chunks(item.span))
                    continue
                if pos >= len(docs) or item.id != docs[pos].id:
                    raise OutputError(f"{item.origin}: input changed while dedup was running; nothing written")
                line = item.meta.get(LINE_KEY)
                if line is None and (output.jsonl or _is_warc(item.path)):
                    line = (json.dumps(record_of(pipeline.cleaner.clean(item)), ensure_ascii=False) + "\n").encode()
                target = output.target(item.path) if line is not None else None
                index = output.place(target) if target is not None else 0
                if pos in dropped:
                    entries.append(_entry(item, pos, dropped[pos], docs, target, index, line))
                elif target is not None:
                    kept += 1
                    output.writer(target).write_line(line)
                else:
                    kept += 1
                    output.copy_file(item)
                pos += 1
            if pos != len(docs):
                raise OutputError(f"{out}: inputs changed while dedup was running; nothing written")
            # An old run's manifest must not stay next to the new output, even if this run is killed before
            # writing its own: `restore` would put that run's records into this output.
            manifest_path.unlink(missing_ok=True)
        if staging is not None:
            if out.is_dir():
                out.rmdir()  # empty, checked above
            os.replace(staging, out)
            staging = None
    except OSError as err:
        # A full disk names no file, or the hidden staging copy: name the output the user asked for.
        if err.filename is None or (staging is not None and str(err.filename).startswith(str(staging))):
            raise OSError(err.errno, err.strerror or str(err), str(out)) from err
        raise
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    try:
        write_manifest(manifest_path, inputs, out, pipeline, entries, len(docs), lost)
    except BaseException:
        # Without its manifest the removal cannot be undone: take the output back rather than leave half a result.
        with contextlib.suppress(OSError):
            shutil.rmtree(out) if out.is_dir() else out.unlink()
        raise
    return RemoveSummary(
        len(docs), kept, len(entries), str(out), str(manifest_path), result, passed_through=passed, lost=len(lost)
    )


def _entry(
    doc: Document,
    pos: int,
    drop: tuple[int, int, float, str],
    docs: Sequence[Any],
    target: str | None,
    index: int,
    line: bytes | None,
) -> dict[str, Any]:
    """The manifest entry of a dropped document: why, and what puts it back exactly."""
    cluster, keep, sim, relation = drop
    entry: dict[str, Any] = {
        "id": doc.id,
        "cluster": cluster,
        "kept": docs[keep].id,
        "similarity": round(sim, 4),
        "relation": relation,  # copy, or contained in the kept document
        "origin": doc.origin,
        "position": pos,
    }
    if target is not None and line is not None:
        entry.update(jsonl=target, index=index, line=line.decode("utf-8"))
    else:
        entry.update(
            file=_file_dest(doc.path or "", doc.root),
            content_b64=base64.b64encode(Path(doc.path or "").read_bytes()).decode(),
        )
    return entry


def _is_warc(path: str | None) -> bool:
    return path is not None and path.lower().endswith(WARC_SUFFIXES)


def _jsonl_name(path: str | None) -> str:
    """The JSONL file of a directory output that lines of ``path`` go to: a JSONL input's own name; a web
    archive's name with ``.jsonl`` for its ``.warc``/``.warc.gz`` (its documents become cleaned records)."""
    if not path:
        return "stdin.jsonl"
    name = Path(path).name
    if _is_warc(name):
        return name[: name.lower().rindex(".warc")] + ".jsonl"
    return name


def _file_dest(path: str, root: str | None) -> str:
    """Where a kept file goes inside the output directory: its path inside the folder named on the command line.

    A file named on the command line itself keeps its path as given, unless that is absolute or climbs out with
    ``..``: joined to the output directory, that would write outside it (or onto the input itself), so such
    files go to the top of the output by name.
    """
    rel = Path(path)
    if root not in (None, "."):
        with contextlib.suppress(ValueError):
            rel = rel.relative_to(root)
    if rel.is_absolute() or ".." in rel.parts:
        return rel.name
    return rel.as_posix()


def _check_destinations(out: Path, docs: Sequence[Any]) -> None:
    """Refuse before writing anything when two different input files would land on one output path."""
    claimed: dict[str, str] = {}
    for d in docs:
        if d.path is None:
            continue
        jsonl = d.path.lower().endswith(JSONL_SUFFIXES) or _is_warc(d.path)
        name = _jsonl_name(d.path) if jsonl else _file_dest(d.path, d.root)
        first = claimed.setdefault(name, d.path)
        if first != d.path:
            raise OutputError(
                f"{out}: inputs {first} and {d.path} would both be written as {out / name}; "
                "rename one or give them under one directory"
            )


def write_manifest(
    path: Path,
    inputs: Sequence[str],
    out: Path,
    pipeline: Pipeline,
    entries: list[dict[str, Any]],
    documents: int,
    lost: list[dict[str, Any]] | None = None,
) -> None:
    s = pipeline.settings
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "dedup_version": __version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "inputs": list(inputs),
        # Absolute, so that `dedup restore` finds the output from any working directory.
        "output": str(out.resolve()),
        "output_kind": "jsonl" if is_jsonl_output(out) else "directory",
        "documents": documents,
        "settings": {
            "threshold": s.threshold,
            "containment": s.containment,
            "ngram": s.ngram,
            "num_perm": s.num_perm,
            "keep": s.keep,
            "prefer": list(s.prefer),
        },
        "dropped": entries,
        # Lines too large to hold that could not be copied to the output either: restore cannot bring them back.
        "lost": lost or [],
    }
    with atomic_writer(path) as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=1)
        handle.write("\n")


def _entry_line(entry: dict[str, Any]) -> bytes:
    if "line" in entry:
        return str(entry["line"]).encode("utf-8")
    return (json.dumps(entry["record"], ensure_ascii=False) + "\n").encode("utf-8")  # a version 1 manifest


def restore(manifest_path: str | Path) -> tuple[str, int]:
    """Put every dropped document back into the output named by the manifest; returns (output, restored).

    JSONL records return to their original index in their output file, as the lines they were read as; files
    come back byte for byte. Outputs are read and rewritten a line at a time, whatever a line's length.
    """
    manifest_path = Path(manifest_path)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        entries = manifest["dropped"]
        out = Path(manifest["output"])
        kind = manifest["output_kind"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise OutputError(f"{manifest_path}: not a dedup manifest ({err})") from None
    if manifest.get("restored"):
        # Records are re-inserted by index, so a second restore would insert every dropped record again.
        raise OutputError(f"{manifest_path}: already restored on {manifest['restored']}; nothing to do")
    if not out.exists():
        raise OutputError(f"{out}: the output named by {manifest_path} does not exist")
    records: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        if "file" in e:
            # Directory output: files come back byte for byte.
            dest = out / e["file"]
            dest.parent.mkdir(parents=True, exist_ok=True)
            with atomic_writer(dest, "wb") as handle:
                handle.write(base64.b64decode(e["content_b64"]))
        else:
            records.setdefault(e["jsonl"], []).append(e)
    for target, group in records.items():
        _restore_lines(out if kind == "jsonl" else out / target, group)
    # Mark the manifest as used: a second restore is refused instead of duplicating records.
    manifest["restored"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with atomic_writer(manifest_path) as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    return str(out), len(entries)


def _restore_lines(path: Path, group: list[dict[str, Any]]) -> None:
    """Rewrite one JSONL output with each dropped line back at its index; kept lines fill the other indexes."""
    pending = sorted(group, key=lambda e: e["index"])
    gz = path.name.endswith(".gz")
    with contextlib.ExitStack() as stack:
        source: IO[bytes] | None = None
        if path.exists():
            source = stack.enter_context(gzip.open(path, "rb") if gz else open(path, "rb"))
        handle: IO[bytes] = stack.enter_context(atomic_writer(path, "wb"))
        if gz:
            handle = stack.enter_context(gzip.GzipFile(fileobj=handle, mode="wb"))
        writer = LineWriter(handle.write)
        index = k = 0
        for line in line_chunks(source) if source is not None else ():
            while k < len(pending) and pending[k]["index"] <= index:
                writer.write_line(_entry_line(pending[k]))
                k, index = k + 1, index + 1
            writer.write_line(line)
            index += 1
        for e in pending[k:]:
            writer.write_line(_entry_line(e))
