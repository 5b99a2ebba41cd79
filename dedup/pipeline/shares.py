"""The first pass of a scan with worker processes that read their own share of the input.

A worker is given a *share*: a byte range of whole lines of a big JSONL file (:mod:`dedup.io.ranges`), or a batch
of documents this process read (standard input, compressed files, folders, web archives). It reads the range,
cleans the pages, spools them (:func:`dedup.pipeline.spool.pack`) to a file of its own in the run's spool folder, and sends back only what
site boilerplate learning counts: each page's site, line hashes and story keys, as columns (:class:`Share`). So
this process neither parses JSON nor packs a page, and the second pass reads the pages back from the spool in
the workers.

Site boilerplate is learned from the shares in input order, 64 pages at a time from the first page, whatever
the shares' sizes (:class:`Learning`): the batches of the process that read everything itself, so the same
lines are learned and named by the same page (:meth:`dedup.clean.SiteBoilerplate.observe_placed`).

>>> import json, os, tempfile
>>> from dedup.clean import Cleaner
>>> from dedup.fingerprint import Fingerprinter
>>> from dedup.pipeline.workers import StageState, load_pages
>>> from dedup.settings import Settings
>>> path = tempfile.mktemp(suffix=".jsonl")
>>> with open(path, "w") as out:
...     for i in range(3):
...         _ = out.write(json.dumps({"id": f"d{i}", "text": f"Story {i} of the day.", "source": "x.org"}) + "\\n")
>>> spool = tempfile.mkdtemp()
>>> state = ShareState(StageState(Cleaner(), Fingerprinter(), Settings(), keep_records=False), spool)
>>> share = read_clean_spool(state, RangeTask(path, 0, os.path.getsize(path), 1))
>>> share.count, share.sites, [p.doc.id for p in load_pages(share.spooled)]
(3, ['x.org', 'x.org', 'x.org'], ['d0', 'd1', 'd2'])
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dedup.clean import SiteBoilerplate, site_observations
from dedup.document import Document
from dedup.errors import InputError, InputProblem
from dedup.io import JSONL_SUFFIXES, Reader
from dedup.io.ranges import cuts
from dedup.io.read import Utf8Watch
from dedup.parallel import paused_gc
from dedup.pipeline.spool import pack_parts, unpack
from dedup.pipeline.workers import FileSpooledBatch, StageState, clean_pages

RANGE_BYTES = 2 << 20  # bytes of JSONL a worker reads at a time (some 250 news articles)
TAIL_RANGES = 16  # ranges of a quarter of RANGE_BYTES that end a file (several per worker)
_WRITE_BUFFER = 1 << 20


@dataclass(frozen=True)
class RangeTask:
    """Lines ``[first, stop)`` of a JSONL file, the first of them line ``first_line``; ``whole``: the file's only
    range; ``last``: its last one."""

    path: str
    first: int
    stop: int
    first_line: int
    whole: bool = True
    last: bool = True


@dataclass(frozen=True)
class ReadBatch:
    """Documents this process read, and the problems it met reading them."""

    docs: list[Document]
    problems: list[InputProblem]


@dataclass(frozen=True)
class ShareState:
    """What every share is processed with: the run's stage state and the spool folder."""

    stage: StageState
    spool: str


@dataclass
class Share:
    """What a worker sends back of one share: the problems met, and what site learning counts of its pages
    (columns as :meth:`dedup.clean.SiteBoilerplate.observe_columns` takes them); the pages are in the spool."""

    problems: list[InputProblem]
    count: int
    sites: list[str | None]
    hashes: np.ndarray  # uint64, every page's line hashes
    sizes: np.ndarray  # line hashes per page
    keys: np.ndarray  # uint64, every page's story keys
    widths: np.ndarray  # story keys per page
    spooled: FileSpooledBatch | None
    utf8: bool = True  # every line of the range was UTF-8 (else its file is read again, whole)


def read_clean_spool(state: ShareState, task: RangeTask | ReadBatch) -> Share:
    """Read (a range), clean and spool one share; see the module docstring."""
    # A share makes some fifty objects a page and keeps none of them in a cycle: a collection would find nothing.
    with paused_gc():
        return _read_clean_spool(state, task)


def _read_clean_spool(state: ShareState, task: RangeTask | ReadBatch) -> Share:
    s = state.stage.settings
    watch = Utf8Watch()
    if isinstance(task, RangeTask):
        problems: list[InputProblem] = []
        reader = Reader(
            fields=s.fields, strict=s.strict, on_problem=problems.append, keep_records=state.stage.keep_records
        )
        docs = [
            d
            for d in reader.read_range(task.path, task.first, task.stop, task.first_line, watch)
            if isinstance(d, Document)
        ]
    else:
        problems, docs = task.problems, task.docs
    pages = clean_pages(state.stage, docs)
    observed = site_observations(pages, lines=False)  # a Share carries no lines (Learning.finish reads them)
    spooled = None
    if pages:
        parts = pack_parts(pages)
        # One spool file per process: appended to by it alone, read back by any (by path, offset and size).
        name = os.path.join(state.spool, f"{os.getpid()}.pages")
        with open(name, "ab", buffering=_WRITE_BUFFER) as out:
            offset = out.tell()
            out.writelines(parts)  # a few large writes of the parts, not one joined copy of the batch
        spooled = FileSpooledBatch(name, offset, sum(len(part) for part in parts))
    keys = [o[3] if o[3] is not None else np.zeros(0, np.uint64) for o in observed]
    return Share(
        problems,
        len(pages),
        [o[0] for o in observed],
        _concat([o[1] for o in observed]),
        np.fromiter((o[1].size for o in observed), dtype=np.intp, count=len(observed)),
        _concat(keys),
        np.fromiter((k.size for k in keys), dtype=np.intp, count=len(keys)),
        spooled,
        watch.utf8,
    )


def _concat(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(arrays).astype(np.uint64, copy=False) if arrays else np.zeros(0, dtype=np.uint64)


def shares(inputs: Sequence[str], reader: Reader, problems: list[InputProblem], batch: int) -> Iterator:
    """The shares of ``inputs`` in input order: :class:`RangeTask` for each range of an uncompressed JSONL file
    named on the command line, :class:`ReadBatch` of ``batch`` documents for the rest (read here by ``reader``,
    whose problems go to ``problems``: each batch takes those met while it was read)."""
    for item in inputs:
        if item != "-" and not os.path.lexists(item):
            raise InputError(f"{item}: no such file or directory")
    for item in inputs:
        ranges = _ranges(item, reader)
        if ranges is not None:
            yield from ranges
            continue
        docs: list[Document] = []
        for doc in reader.read([item]):
            docs.append(doc)  # type: ignore[arg-type]  # no passthrough items: the reader has none
            if len(docs) == batch:
                yield ReadBatch(docs, problems[:])
                docs = []
                problems.clear()
        if docs or problems:
            yield ReadBatch(docs, problems[:])
            problems.clear()


def _ranges(item: str, reader: Reader) -> Iterator[RangeTask] | None:
    """The ranges a worker reads of ``item``, as the file is cut (the first goes out before the rest of the file
    is read), or ``None`` when this process reads it."""
    if item == "-" or reader.passthrough or reader.strict or item in reader.aliases:
        return None
    path = Path(item)
    if not path.name.lower().endswith(JSONL_SUFFIXES) or path.name.lower().endswith(".gz"):
        return None
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        found = file_cuts(str(path))
        head = next(found)  # the file opened and its first range found here: else it is read (and reported) here
    except OSError:
        return None
    return _range_tasks(item, head, found)


def file_cuts(path: str) -> Iterator[tuple[int, int, int, bool]]:
    """The ranges the workers read of a JSONL file (:func:`dedup.io.ranges.cuts`), as it is cut: of
    :data:`RANGE_BYTES`, the last :data:`TAIL_RANGES` a quarter of that, so that the workers reading the end of
    the file finish at about the same time (the next pass starts when the last one does)."""
    return cuts(path, RANGE_BYTES, TAIL_RANGES * RANGE_BYTES // 4, RANGE_BYTES // 4)


def _range_tasks(
    item: str, head: tuple[int, int, int, bool], rest: Iterator[tuple[int, int, int, bool]]
) -> Iterator[RangeTask]:
    first, stop, line, last = head
    yield RangeTask(item, first, stop, line, last, last)  # a file's only range is its first and its last
    try:
        for first, stop, line, last in rest:
            yield RangeTask(item, first, stop, line, False, last)
    except OSError as exc:
        raise InputError(f"{item}: {exc.strerror or exc}") from exc


@dataclass
class Learning:
    """Site boilerplate learned from shares in input order, :attr:`batch` pages at a time (see the module
    docstring); :meth:`add` takes each share, :meth:`finish` the end of the input and names the learned lines."""

    learner: SiteBoilerplate
    batch: int
    report: Callable[[InputProblem], None]
    spooled: list[tuple[int, FileSpooledBatch]] = field(default_factory=list)  # (first page, batch)
    pages: int = 0
    _held: list[tuple[RangeTask, Share]] = field(default_factory=list)  # ranges of a file not all seen yet
    _columns: list[Share] = field(default_factory=list)
    _waiting: int = 0  # pages in _columns

    def add(self, task: RangeTask | ReadBatch, share: Share, redo: Callable[[RangeTask], Share]) -> None:
        """Count one share (``redo`` reads a file whole, should one of its ranges not be UTF-8)."""
        if isinstance(task, RangeTask) and not task.whole:
            # A file's ranges are counted once all have been read and found UTF-8.
            self._held.append((task, share))
            if not task.last:
                return
            held, self._held = self._held, []
            if all(s.utf8 for _, s in held):
                for _, s in held:
                    self._take(s)
            else:
                self._take(redo(RangeTask(task.path, 0, task.stop, 1)))
            return
        self._take(share)

    def _take(self, share: Share) -> None:
        for problem in share.problems:
            self.report(problem)
        if share.spooled is not None:
            self.spooled.append((self.pages, share.spooled))
        self.pages += share.count
        self._columns.append(share)
        self._waiting += share.count
        while self._waiting >= self.batch:
            self._observe(self.batch)

    def _observe(self, n: int) -> None:
        """Count the next ``n`` waiting pages."""
        parts = self._columns
        sites = [site for p in parts for site in p.sites]
        sizes = np.concatenate([p.sizes for p in parts])
        widths = np.concatenate([p.widths for p in parts])
        hashes, keys = _concat([p.hashes for p in parts]), _concat([p.keys for p in parts])
        lines, width = int(sizes[:n].sum()), int(widths[:n].sum())
        first = self.pages - self._waiting
        self.learner.observe_placed(sites[:n], hashes[:lines], sizes[:n], keys[:width], widths[:n], first)
        rest = Share([], len(sites) - n, sites[n:], hashes[lines:], sizes[n:], keys[width:], widths[n:], None)
        self._columns = [rest] if rest.count else []
        self._waiting -= n

    def finish(self) -> None:
        # A file whose last range never came (it shrank while being cut): what its ranges read is counted still.
        held, self._held = self._held, []
        for _, share in held:
            self._take(share)
        if self._waiting:
            self._observe(self._waiting)
        unnamed = self.learner.unnamed()
        wanted: dict[int, list[tuple[int, str, int, int]]] = {}  # spooled batch -> its lines to read
        firsts = [first for first, _ in self.spooled]
        for h, (site, page, line) in list(unnamed.items()):
            k = int(np.searchsorted(firsts, page, side="right")) - 1
            wanted.setdefault(k, []).append((h, site, page - firsts[k], line))
        for k, lines in wanted.items():
            batch = unpack(self.spooled[k][1].read())  # only the texts asked for are decoded
            for h, site, page, line in lines:
                text = batch[page].doc.text if isinstance(batch, list) else batch.text(page)
                self.learner.name(h, site, text.splitlines()[line])
