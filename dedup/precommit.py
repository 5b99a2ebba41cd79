"""The gates: ``dedup check`` (a corpus holds no duplicates) and ``dedup precommit`` (checked files add none).

``precommit`` checks the files it is given (pre-commit passes the staged ones, or every file under ``pre-commit
run --all-files``) against each other and against the rest of the repository's corpus (the files git tracks under
the working directory), or against a persistent index instead of the corpus. The decision is
:mod:`dedup.precommit_match`'s: a committed document is kept over a new one that duplicates it, never the other
way round. Fingerprints of unchanged files are cached in ``.dedup-cache/`` at the top of the repository
(:mod:`dedup.precommit_cache`), which git is told to ignore, so a commit reads only the files it changes.

Pairs recorded in a baseline file (``{"pairs": [[id, id, similarity], ...]}``, written by
:func:`write_baseline` with :func:`baseline_pairs`: each duplicate of the tracked corpus and the document it is
kept for) are accepted: an old corpus can adopt the hook without first cleaning up every duplicate it holds.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "baseline.json")
>>> write_baseline(path, [("b.txt", "a.txt", 0.91234)])
>>> new_pairs([[("a.txt", "b.txt", 0.9)], [("c.txt", "a.txt", 0.8)]], load_baseline(path))
[('c.txt', 'a.txt', 0.8)]
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dedup.errors import InputError, InputProblem

if TYPE_CHECKING:
    from dedup.document import Document
    from dedup.pipeline import Pipeline, ScanResult
    from dedup.precommit_cache import FingerprintCache
    from dedup.precommit_match import CorpusFile, Findings, Pair

# The cache and the matching (numpy, the pipeline) are imported by the functions that use them: the hook run
# with nothing to check, and the baseline's reading and writing, start without them.

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".jsonl.gz", ".ndjson", ".warc", ".warc.gz")
# An entry of `git ls-files -s -z` ("mode blob stage<TAB>path<NUL>") whose path dedup reads.
_SUFFIX = "|".join(re.escape(s) for s in SUPPORTED_SUFFIXES)
_INDEX_ENTRY = re.compile(rf"(?:^|(?<=\0))(\d+) ([0-9a-f]+) \d\t([^\0]*(?:{_SUFFIX}))\0", re.IGNORECASE)


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


def _git(*commands: Sequence[str]) -> list[str]:
    """The output of each ``git`` command, run side by side (each one is mostly waiting on the disk)."""
    try:
        procs = [subprocess.Popen(["git", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE) for args in commands]
    except OSError as err:
        raise InputError(f"git: {err.strerror or err}") from None
    outputs = []
    for args, proc in zip(commands, procs):
        out, err = proc.communicate()
        if proc.returncode != 0:
            detail = os.fsdecode(err).strip()
            raise InputError(f"git {' '.join(args)}: {detail.splitlines()[-1] if detail else 'failed'}")
        outputs.append(os.fsdecode(out))
    return outputs


def _paths(out: str) -> list[str]:
    """Paths of a ``git … -z`` listing (never quoted, whatever characters they hold)."""
    return [p for p in out.split("\0") if p]


def documents_of(files: Iterable[str]) -> list[str]:
    """The files ``dedup`` can read that exist (pre-commit also passes deleted and unrelated files).

    >>> documents_of(["README.md", "no/such/file.txt"])
    []
    """
    return [f for f in files if f.lower().endswith(SUPPORTED_SUFFIXES) and os.path.exists(f)]


def tracked_documents() -> list[str]:
    """The documents of the corpus git tracks under the working directory."""
    return documents_of(_paths(_git(["ls-files", "-z"])[0]))


@dataclass(frozen=True)
class Repository:
    """The working directory's git repository, and its files as the hook sees them."""

    top: Path  # the work tree's top folder (the cache lives there)
    prefix: str  # the working directory relative to it ("" at the top)
    exclude: Path  # the repository's info/exclude file
    files: list[CorpusFile]  # see corpus_files


def corpus_files(checked: Sequence[str]) -> Repository:
    """Every document file of the repository (under the working directory) and the untracked ``checked`` ones,
    in keep order: committed files first, then the new ones (staged, changed or untracked), each in git's file
    order (the order pre-commit passes them in, split or not); untracked files last, in the order given.

    A tracked file's content key is its blob id in git's index, read without opening the file; a file whose
    working copy differs from the index (an unstaged change: pre-commit stashes them, a manual run may not), a
    symlink (git stores where it points, not what it reads) and a file git does not track are keyed by a hash of
    their bytes.
    """
    from dedup.precommit_match import CorpusFile

    where, index, unstaged, staged = _git(
        ["rev-parse", "--show-toplevel", "--show-prefix", "--git-path", "info/exclude"],
        ["ls-files", "-s", "-z"],
        ["diff-files", "--name-only", "-z", "--relative"],
        ["diff", "--cached", "--name-only", "-z", "--relative", "--no-renames", "--no-ext-diff"],
    )
    top, prefix, exclude = where.split("\n")[:3]
    changed = set(_paths(unstaged))  # modified or deleted in the working tree
    new = set(_paths(staged)) | changed
    asked = {os.path.normpath(f) for f in checked}
    first, then = [], []
    for mode, blob, path in _INDEX_ENTRY.findall(index):  # the documents only: one regex pass over the listing
        if path in changed and not os.path.exists(path):
            continue  # deleted
        content = _file_key(path) if path in changed or mode == "120000" else blob
        (then if path in new else first).append(CorpusFile(path, content, path not in new, path in asked))
    tracked = {f.path for f in first} | {f.path for f in then} | changed
    untracked = [CorpusFile(p, _file_key(p), False, True) for p in documents_of(dict.fromkeys(
        os.path.normpath(f) for f in checked)) if p not in tracked]  # fmt: skip
    return Repository(Path(top), prefix, Path(exclude), first + then + untracked)


def _file_key(path: str) -> str:
    digest = hashlib.blake2b(digest_size=20)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return "bytes:" + digest.hexdigest()


def open_cache(pipeline: Pipeline, repo: Repository) -> FingerprintCache:
    """The repository's fingerprint cache (git told to ignore it)."""
    from dedup.precommit_cache import FingerprintCache, cache_key, cache_path, exclude_from_git

    exclude_from_git(repo.exclude)
    key = cache_key(pipeline.settings, pipeline.cleaner, pipeline.fingerprinter, repo.prefix)
    return FingerprintCache(cache_path(repo.top), key)


def check_staged(
    pipeline: Pipeline,
    files: Sequence[str],
    *,
    cache: bool = True,
    on_problem: Callable[[InputProblem], None] | None = None,
) -> Findings:
    """Duplicates among ``files`` (staged, or every file under ``pre-commit run --all-files``) and between them
    and the rest of the repository's corpus (see :mod:`dedup.precommit_match`)."""
    from dedup.precommit_match import find_duplicates

    repo = corpus_files(files)
    return find_duplicates(pipeline, repo.files, open_cache(pipeline, repo) if cache else None, on_problem)


def check_against_index(pipeline: Pipeline, files: Sequence[str], index: str) -> Findings:
    """Duplicates among ``files`` and between them and the documents of ``index`` (not changed)."""
    from dedup.index.stream import Deduplicator  # the index's stores: loaded only by a hook that uses one
    from dedup.precommit_match import Findings

    docs = list(pipeline.documents(files, explain=False))
    found: dict[str, list[Pair]] = {}
    with Deduplicator(index, pipeline.settings) as seen:
        for doc in docs:
            found[doc.id] = [(doc.id, m.id, m.similarity) for m in seen.check(doc, cleaned=True)]
    result = pipeline.scan_documents(docs, cleaned=True)
    infos = result.documents
    for member, _, kept, sim in result.dropped():
        found[infos[member].id].append((infos[member].id, infos[kept].id, sim))
    return Findings([pairs for pairs in found.values() if pairs], len(docs), 0, len(files))


def baseline_pairs(
    pipeline: Pipeline, *, cache: bool = True, on_problem: Callable[[InputProblem], None] | None = None
) -> list[Pair]:
    """Every duplicate of the tracked corpus with the document it is kept for (one pair each): what the hook
    would report if every file were checked, for a baseline."""
    found = check_staged(pipeline, tracked_documents(), cache=cache, on_problem=on_problem)
    return [pairs[0] for pairs in found.duplicates]


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


def new_pairs(found: Iterable[Sequence[Pair]], known: set[frozenset[str]]) -> list[Pair]:
    """The best pair of each duplicate none of whose pairs is in the baseline ``known`` (in either order).

    ``found`` holds each duplicate's pairs, best first (:attr:`Findings.duplicates`): a document the baseline
    knows as a duplicate of one of them stays accepted when another copy ranks first now.
    """
    return [pairs[0] for pairs in found if pairs and not any(frozenset(p[:2]) in known for p in pairs)]
