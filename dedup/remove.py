"""Write the corpus without its redundant copies, with a manifest that can undo the removal.

Inputs are never modified. JSONL output (``OUT.jsonl``) gets one record per kept document: JSONL records exactly
as read, text and HTML files as ``{id, title, text, source}`` records of their cleaned text. Directory output gets
the kept files copied under their ids, and each JSONL input filtered into a file of the same name. Everything is
written to a temporary name and renamed into place at the end, so an interrupted run leaves no half-written output.

The manifest lists every dropped document (cluster, kept id, similarity) together with what is needed to put it
back exactly: its position in the output order and its original record or file bytes. ``restore`` does that.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import io
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from dedup.document import Document
from dedup.errors import OutputError
from dedup.io import JSONL_SUFFIXES, Reader, atomic_writer, record_of
from dedup.pipeline import Pipeline, ScanResult
from dedup.version import __version__

MANIFEST_VERSION = 1


@dataclass
class RemoveSummary:
    documents: int
    kept: int
    dropped: int
    output: str
    manifest: str
    result: ScanResult
    problems: list[str] = field(default_factory=list)


def default_manifest(out: str | Path) -> Path:
    out = Path(out)
    return out.with_name(out.name.rstrip("/") + ".manifest.json")


def is_jsonl_output(out: str | Path) -> bool:
    # .jsonl.gz too: otherwise `-o unique.jsonl.gz` silently became a directory of that name.
    return str(out).endswith((".jsonl", ".ndjson", ".jsonl.gz"))


def _real(path: str | Path) -> Path:
    # Not Path.resolve(): on a symlink loop (an input that is one) it raises RuntimeError on Python < 3.13.
    return Path(os.path.realpath(path))


def _check_output(out: Path, inputs: Sequence[str]) -> None:
    resolved = _real(out)
    for item in inputs:
        if item == "-":
            continue
        p = _real(item)
        if resolved == p or (p.is_dir() and p in resolved.parents) or (resolved.is_dir() and resolved in p.parents):
            raise OutputError(f"{out}: output would overwrite or sit inside input {item}; choose another path")
    if out.is_dir() and any(out.iterdir()):
        raise OutputError(f"{out}: output directory exists and is not empty; choose a new or empty directory")
    if out.exists() and not out.is_dir() and not is_jsonl_output(out):
        raise OutputError(f"{out}: exists and is not a directory")


def _check_manifest(manifest: Path, out: Path, inputs: Sequence[str]) -> None:
    resolved, target = _real(manifest), _real(out)
    if resolved == target or target in resolved.parents:
        raise OutputError(f"{manifest}: manifest would overwrite or sit inside the output {out}; choose another path")
    for item in inputs:
        p = _real(item) if item != "-" else None
        if p is not None and (resolved == p or p in resolved.parents):
            raise OutputError(f"{manifest}: manifest would overwrite or sit inside input {item}; choose another path")


def remove(inputs: Sequence[str], out: str | Path, pipeline: Pipeline, manifest: str | Path | None = None,
           ) -> RemoveSummary:
    """Scan ``inputs``, write the kept documents to ``out`` and the manifest; return a summary."""
    out = Path(out)
    manifest_path = Path(manifest) if manifest else default_manifest(out)
    _check_output(out, inputs)
    _check_manifest(manifest_path, out, inputs)
    if "-" in inputs:
        # Standard input can be read once only, and removal needs the documents after the scan.
        raise OutputError("remove needs re-readable inputs; save standard input to a file first")
    result = pipeline.scan(inputs)
    dropped = {doc: (cluster, keep, sim) for doc, cluster, keep, sim in result.dropped()}
    docs = result.documents
    if not is_jsonl_output(out):
        _check_destinations(out, docs)
    # Second read of the raw inputs, in the same order as the scan: position i is documents[i].
    reader = Reader(fields=pipeline.settings.fields, strict=pipeline.settings.strict)
    manifest_entries: list[dict[str, Any]] = []
    kept = 0
    jsonl = is_jsonl_output(out)
    if not jsonl:
        # Staged next to the output, so that the final rename stays on one file system; a JSONL output's
        # missing parents are created by atomic_writer, a directory output's here.
        out.parent.mkdir(parents=True, exist_ok=True)
    staging = None if jsonl else Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    writers: dict[str, Any] = {}
    file_index: dict[str, int] = {}  # records seen so far per output JSONL file, kept and dropped
    try:
        with contextlib.ExitStack() as stack:
            single = None
            if jsonl and str(out).endswith(".gz"):
                raw_out = stack.enter_context(atomic_writer(out, "wb"))
                single = stack.enter_context(io.TextIOWrapper(gzip.GzipFile(fileobj=raw_out, mode="wb"),
                                                              encoding="utf-8"))
            elif jsonl:
                single = stack.enter_context(atomic_writer(out))
            for pos, raw in enumerate(reader.read(inputs)):
                if pos >= len(docs) or raw.id != docs[pos].id:
                    raise OutputError(f"{raw.origin}: input changed while dedup was running; nothing written")
                target = _jsonl_target(raw, jsonl) if (jsonl or "_record" in raw.meta) else None
                index = file_index.get(target, 0) if target is not None else 0
                if target is not None:
                    file_index[target] = index + 1
                if pos in dropped:
                    cluster, keep, sim = dropped[pos]
                    entry: dict[str, Any] = {"id": raw.id, "cluster": cluster, "kept": docs[keep].id,
                                             "similarity": round(sim, 4), "origin": raw.origin, "position": pos}
                    if raw.meta.get("_record") is not None or jsonl:
                        entry["record"] = record_of(cleaned(pipeline, raw) if jsonl and "_record" not in raw.meta
                                                     else raw)
                        entry["jsonl"] = target
                        entry["index"] = index
                    else:
                        entry["file"] = _file_dest(raw.id, raw.path)
                        entry["content_b64"] = base64.b64encode(Path(raw.path or "").read_bytes()).decode()
                    manifest_entries.append(entry)
                    continue
                kept += 1
                if jsonl:
                    record = record_of(raw if "_record" in raw.meta else cleaned(pipeline, raw))
                    single.write(json.dumps(record, ensure_ascii=False) + "\n")
                elif target is not None:
                    if target not in writers:
                        (staging / target).parent.mkdir(parents=True, exist_ok=True)
                        # A .jsonl.gz input is filtered into a .jsonl.gz of the same name: gzip it, not just name it.
                        opener = gzip.open if target.endswith(".gz") else open
                        writers[target] = stack.enter_context(opener(staging / target, "wt", encoding="utf-8"))
                    writers[target].write(json.dumps(raw.meta["_record"], ensure_ascii=False) + "\n")
                else:
                    dest = staging / _file_dest(raw.id, raw.path)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(raw.path or "", dest)
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
        write_manifest(manifest_path, inputs, out, pipeline, manifest_entries, len(docs))
    except BaseException:
        # Without its manifest the removal cannot be undone: take the output back rather than leave half a result.
        with contextlib.suppress(OSError):
            shutil.rmtree(out) if out.is_dir() else out.unlink()
        raise
    return RemoveSummary(len(docs), kept, len(manifest_entries), str(out), str(manifest_path), result)


def _file_dest(doc_id: str, path: str | None) -> str:
    """Where a kept file goes inside the output directory.

    A file found in a directory has an id relative to it (``saba/aden.txt``); a file named on the command line
    has its path as given, which can be absolute or climb out with ``..``: joined to the output directory, that
    would write outside it (or onto the input itself), so such files go to the top of the output by name.
    """
    rel = Path(doc_id)
    if rel.is_absolute() or ".." in rel.parts:
        return Path(path or doc_id).name
    return rel.as_posix()


def _check_destinations(out: Path, docs: Sequence[Any]) -> None:
    """Refuse before writing anything when two different input files would land on one output path."""
    claimed: dict[str, str] = {}
    for d in docs:
        if d.path is None:
            continue
        name = Path(d.path).name if d.path.lower().endswith(JSONL_SUFFIXES) else _file_dest(d.id, d.path)
        first = claimed.setdefault(name, d.path)
        if first != d.path:
            raise OutputError(f"{out}: inputs {first} and {d.path} would both be written as {out / name}; "
                              "rename one or give them under one directory")


def cleaned(pipeline: Pipeline, raw: Document) -> Document:
    return pipeline.cleaner.clean(raw)


def _jsonl_target(raw: Document, jsonl: bool) -> str:
    if jsonl:
        return ""
    return Path(raw.path).name if raw.path else "stdin.jsonl"


def write_manifest(path: Path, inputs: Sequence[str], out: Path, pipeline: Pipeline,
                   entries: list[dict[str, Any]], documents: int) -> None:
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
        "settings": {"threshold": s.threshold, "containment": s.containment, "ngram": s.ngram,
                     "num_perm": s.num_perm, "keep": s.keep, "prefer": list(s.prefer)},
        "dropped": entries,
    }
    with atomic_writer(path) as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=1)
        handle.write("\n")


def restore(manifest_path: str | Path) -> tuple[str, int]:
    """Put every dropped document back into the output named by the manifest; returns (output, restored).

    JSONL records return to their original index in their output file; files come back byte for byte.
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
        # Each record returns to its index in its JSONL file: kept lines fill the other indexes in order.
        path = out if kind == "jsonl" else out / target
        gz = path.name.endswith(".gz")
        if path.exists():
            data = gzip.decompress(path.read_bytes()) if gz else path.read_bytes()
            # Split on "\n" only: str.splitlines() also breaks at U+2028, U+0085, \x1c..., which JSON strings
            # written with ensure_ascii=False hold raw, and would cut records in half.
            kept_lines = [line for line in data.decode("utf-8").split("\n") if line]
        else:
            kept_lines = []
        by_index = {e["index"]: json.dumps(e["record"], ensure_ascii=False) for e in group}
        merged, k = [], 0
        for index in range(len(kept_lines) + len(by_index)):
            if index in by_index:
                merged.append(by_index[index])
            else:
                merged.append(kept_lines[k])
                k += 1
        text = "".join(line + "\n" for line in merged)
        with atomic_writer(path, "wb") as handle:
            handle.write(gzip.compress(text.encode("utf-8")) if gz else text.encode("utf-8"))
    # Mark the manifest as used: a second restore is refused instead of duplicating records.
    manifest["restored"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with atomic_writer(manifest_path) as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    return str(out), len(entries)
