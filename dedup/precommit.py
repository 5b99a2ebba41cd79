"""The gates: ``dedup check`` (a corpus holds no duplicates) and ``dedup precommit`` (staged files add none).

``precommit`` compares the staged files with each other and with the committed corpus (the files git tracks), or
with a persistent index instead of the corpus. Pairs recorded in a baseline file (``{"pairs": [[id, id,
similarity], ...]}``, written by :func:`write_baseline` for every pair of the tracked corpus) are accepted: an
old corpus can adopt the hook without first cleaning up every duplicate it already holds.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "baseline.json")
>>> write_baseline(path, [("b.txt", "a.txt", 0.91234)])
>>> new_pairs([("a.txt", "b.txt", 0.9), ("c.txt", "a.txt", 0.8)], load_baseline(path))
[('c.txt', 'a.txt', 0.8)]
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dedup.document import Document
from dedup.index.stream import Deduplicator
from dedup.io import InputError
from dedup.pipeline import Pipeline, ScanResult

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".jsonl.gz", ".ndjson", ".warc", ".warc.gz")

Pair = tuple[str, str, float]
"""A duplicate pair: a document's id, the id of the document it duplicates, their similarity."""


# -- check ----------------------------------------------------------------------------------------------------------


@dataclass
class CheckResult:
    """What ``dedup check`` found: the scan (its clusters are the duplicates) and, when boilerplate is checked,
    the cleaned documents, whose ``removed`` lines show the boilerplate left in them."""

    scan: ScanResult
    documents: list[Document]


def check_corpus(pipeline: Pipeline, inputs: Sequence[str], boilerplate: bool = False) -> CheckResult:
    """Scan ``inputs`` as ``dedup scan`` does; with ``boilerplate``, keep the cleaned documents too (held in
    memory: the boilerplate gate reads each one's removals)."""
    if not boilerplate:
        return CheckResult(pipeline.scan(inputs), [])
    docs = list(pipeline.documents(inputs, explain=False))  # --boilerplate reports line rules only
    return CheckResult(pipeline.scan_documents(docs, cleaned=True), docs)


# -- precommit ------------------------------------------------------------------------------------------------------


def _git(*args: str) -> list[str]:
    try:
        out = subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as err:
        detail = (getattr(err, "stderr", "") or str(err)).strip()
        raise InputError(f"git {' '.join(args)}: {detail.splitlines()[-1] if detail else 'failed'}") from None
    return [line for line in out.splitlines() if line]


def documents_of(files: Iterable[str]) -> list[str]:
    """The files ``dedup`` can read that exist (pre-commit also passes deleted and unrelated files).

    >>> documents_of(["README.md", "no/such/file.txt"])
    []
    """
    return [f for f in files if f.lower().endswith(SUPPORTED_SUFFIXES) and os.path.exists(f)]


def tracked_documents() -> list[str]:
    """The documents of the corpus git tracks in the working directory's repository."""
    return documents_of(_git("ls-files"))


def staged_pairs(pipeline: Pipeline, staged: Sequence[str], index: str | None = None) -> list[Pair]:
    """Duplicate pairs that involve a staged file: among the staged files, and with the committed corpus or, when
    given, with the documents of ``index`` (not changed)."""
    mine = {os.path.normpath(f) for f in staged}
    if index is not None:
        docs = list(pipeline.documents(staged, explain=False))
        with Deduplicator(index, pipeline.settings) as seen:
            pairs = [(doc.id, m.id, m.similarity) for doc in docs for m in seen.check(doc, cleaned=True)]
        result = pipeline.scan_documents(docs, cleaned=True)
    else:
        corpus = [f for f in tracked_documents() if os.path.normpath(f) not in mine]
        pairs = []
        result = pipeline.scan(corpus + staged)  # corpus first: its copy is the one kept
    staged_ids = {d.id for d in result.documents if d.path is not None and os.path.normpath(d.path) in mine}
    for member, kept, sim in _dropped(result):
        if member in staged_ids or kept in staged_ids:
            pairs.append((member, kept, sim))
    return pairs


def corpus_pairs(pipeline: Pipeline, files: Sequence[str]) -> list[Pair]:
    """Every duplicate pair among ``files`` (for a baseline of the whole tracked corpus)."""
    return _dropped(pipeline.scan(files))


def _dropped(result: ScanResult) -> list[Pair]:
    docs = result.documents
    return [(docs[member].id, docs[kept].id, sim) for member, _, kept, sim in result.dropped()]


# -- baseline -------------------------------------------------------------------------------------------------------


def load_baseline(path: str | os.PathLike[str] | None) -> set[frozenset[str]]:
    """Known duplicate pairs, as sets of two ids; none when ``path`` is not given or does not exist."""
    if path is None or not os.path.exists(path):
        return set()
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        pairs = data["pairs"] if isinstance(data, dict) else data
        return {frozenset(map(str, p[:2])) for p in pairs}
    except (ValueError, KeyError, TypeError, IndexError):
        raise InputError(f'{path}: not a dedup baseline (expected {{"pairs": [[id, id, similarity], ...]}})') from None


def write_baseline(path: str | os.PathLike[str], pairs: Iterable[Pair]) -> None:
    """Record ``pairs`` as known: each pair's ids sorted, the pairs sorted, similarities to 4 decimals."""
    body = {"version": 1, "pairs": sorted([[*sorted([a, b]), round(s, 4)] for a, b, s in pairs])}
    Path(path).write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def new_pairs(pairs: Iterable[Pair], known: set[frozenset[str]]) -> list[Pair]:
    """The pairs not in the baseline ``known`` (in either order)."""
    return [p for p in pairs if frozenset(p[:2]) not in known]
