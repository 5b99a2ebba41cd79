"""The scan, top to bottom: read → clean → learn site boilerplate → fingerprint → index → verify → cluster.

:class:`Pipeline` only orchestrates: each stage is a function of its own module (:mod:`dedup.pipeline.workers`
for the per-batch stages, :mod:`dedup.pipeline.verify` for LSH and verification, :mod:`dedup.cluster` for
grouping), run over batches by :func:`dedup.parallel.ordered_map`, in this process or in worker processes.

>>> from dedup.document import Document
>>> story = "The port strike entered its third day on Monday as talks between unions and operators stalled again."
>>> docs = [Document(id="a", text=story), Document(id="b", text=story + " Shipping lines diverted vessels."),
...         Document(id="c", text="Parliament approved the annual budget after a long night of debate.")]
>>> result = scan_documents(docs, Settings(site_boilerplate=False))
>>> [[result.documents[i].id for i, _ in c.members] for c in result.clusters]
[['a', 'b']]
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from dedup import kernels
from dedup.clean import Cleaner, LineRules, Page, SiteBoilerplate
from dedup.cluster import (
    CONTAINED,
    COPY,
    DUPLICATE,
    Cluster,
    Link,
    attach_siblings,
    attach_strays,
    expand_exact,
    keep_order,
    star_clusters,
)
from dedup.document import Document
from dedup.errors import InputProblem
from dedup.fingerprint import Fingerprinter, coverage, jaccard_containment, words_of
from dedup.io import Reader
from dedup.normalize import normalize
from dedup.parallel import batched, default_workers, ordered_map, paused_gc, release_freed_memory, small_pages
from dedup.pipeline.lazy import settle_links, template_pool
from dedup.pipeline.result import ScanResult
from dedup.pipeline.shares import Learning, RangeTask, ReadBatch, ShareState, read_clean_spool, shares
from dedup.pipeline.stores import ShingleStore, SignatureFile, TextStore
from dedup.pipeline.table import DocTable
from dedup.pipeline.verify import find_links, relations_later
from dedup.pipeline.workers import (
    Fingerprints,
    SpooledBatch,
    StageState,
    StoreState,
    clean_and_fingerprint,
    clean_and_pack,
    clean_pages,
    fingerprint_and_store,
    fingerprint_pages,
    load_pages,
)
from dedup.settings import Settings
from dedup.templates import relation

DEFAULTS = Settings()
# Parts of the first clustering run of the lazy template test (dedup.pipeline.lazy.settle_links), tested by the
# workers while the next part is clustered. The pool then forks before this process has clustered (and prepared
# texts for the stray test): what it makes afterwards is its own, not shared with the workers, so the peak grows
# with the corpus (figures in BENCHMARKS.md, "Session 12: wall time"). Up to GROUPED_UP_TO documents only:
# beyond, memory is the constraint (issue 15: 1M documents under 2 GB).
GROUPS = 4
GROUPED_UP_TO = 100_000


class Pipeline:
    """One configured run. ``documents(inputs)`` yields cleaned documents; ``scan(inputs)`` finds clusters."""

    def __init__(
        self,
        settings: Settings = DEFAULTS,
        on_problem: Callable[[InputProblem], None] | None = None,
        progress: Callable[[int], None] | None = None,
        workers: int | None = None,
        batch_size: int = 64,
    ) -> None:
        self.settings = settings
        # Worker processes for cleaning and fingerprinting (one per core by default); results are the same for
        # any number of workers.
        self.workers = default_workers() if workers is None else max(1, workers)
        self.batch_size = batch_size
        self.problems: list[InputProblem] = []
        self._on_problem = on_problem
        self._progress = progress
        self.cleaner = Cleaner(LineRules.load(settings.rules_file))
        self.fingerprinter = Fingerprinter(num_perm=settings.num_perm, ngram=settings.ngram, seed=settings.seed)

    def _problem(self, problem: InputProblem) -> None:
        self.problems.append(problem)
        if self._on_problem is not None:
            self._on_problem(problem)

    def _reader(self, records: bool = True) -> Reader:
        return Reader(
            fields=self.settings.fields, strict=self.settings.strict, on_problem=self._problem, keep_records=records
        )

    def _state(self, *, explain: bool = False, records: bool = False) -> StageState:
        return StageState(self.cleaner, self.fingerprinter, self.settings, explain=explain, keep_records=records)

    # -- read + clean -----------------------------------------------------------------------------------------

    def documents(self, inputs: Sequence[str], *, explain: bool = True) -> Iterator[Document]:
        """Cleaned documents of ``inputs``, in input order (see :meth:`cleaned_batches`)."""
        for batch in self.cleaned_batches(inputs, explain=explain):
            yield from batch

    def cleaned_batches(self, inputs: Sequence[str], *, explain: bool = True) -> Iterator[list[Document]]:
        """Cleaned documents of ``inputs`` in input order, a batch at a time.

        Page cleaning (HTML extraction, line rules) runs in the worker processes. With site boilerplate on, the
        first pass page-cleans every document, counts its lines here, and spools it (pickled, a batch at a time)
        to a temporary file; the second pass strips the learned lines from the spool. So inputs (standard input
        included) are read once and each page is cleaned once. ``explain=False`` leaves out of
        ``Document.removed`` what HTML extraction removed (about a tenth of its time; the text is the same).
        """
        for batch in self._page_batches(inputs, self._state(explain=explain, records=True)):
            yield [self.cleaner.clean_site_keyed(p)[0] for p in load_pages(batch)]

    def _page_batches(self, inputs: Sequence[str], state: StageState) -> Iterator[list[Page] | SpooledBatch]:
        """Page-cleaned batches; with site boilerplate on, only once the whole input has been learned from.

        Workers clean the pages and hash their normalised lines; this process only adds each batch's line
        hashes to the sketch (one numpy update per batch) and spools the batch. The second pass gets
        :class:`SpooledBatch` references: whoever processes a batch reads it from the spool (a worker, through
        the descriptor it inherits), so this process never unpickles and re-pickles the corpus."""
        self._warm_up(inputs)
        if self.settings.site_boilerplate and self.workers > 1 and not self.settings.strict:
            yield from self._shared_page_batches(inputs, state)
            return
        raw = batched(self._reader(state.keep_records).read(inputs), self.batch_size)
        if not self.settings.site_boilerplate:
            yield from ordered_map(clean_pages, raw, self.workers, state)
            return
        learner = SiteBoilerplate(self.settings.site_min_docs, self.settings.site_min_share)
        spooled: list[tuple[int, int]] = []
        with tempfile.TemporaryFile(prefix="dedup-spool-") as spool:
            pos = 0
            for packed in ordered_map(clean_and_pack, raw, self.workers, state):
                learner.observe_batch(packed.observations)
                spool.write(packed.pages)
                spooled.append((pos, len(packed.pages)))
                pos += len(packed.pages)
            spool.flush()
            self.cleaner.site = learner
            for offset, size in spooled:
                yield SpooledBatch(spool.fileno(), offset, size)

    def _shared_page_batches(self, inputs: Sequence[str], state: StageState) -> Iterator[SpooledBatch]:
        """:meth:`_page_batches` with workers that read their own share of the input and spool its pages
        themselves (:mod:`dedup.pipeline.shares`): this process counts line hashes and story keys only."""
        folder, owner = tempfile.mkdtemp(prefix="dedup-spool-"), os.getpid()
        spools: dict[str, int] = {}
        try:
            said: list[InputProblem] = []
            learning = self._learn(inputs, state, folder, said, optimistic=True)
            if learning is None:  # a range of a file was not UTF-8: learned again, the file read whole
                shutil.rmtree(folder, ignore_errors=True)
                folder = tempfile.mkdtemp(prefix="dedup-spool-")
                learning = self._learn(inputs, state, folder, said, optimistic=False)
            assert learning is not None
            learning.finish()
            self.cleaner.site = learning.learner
            # The spool files are opened here and unlinked: the second pass's workers (forked once this
            # generator has yielded its first batch) read them through the descriptors they inherit, however
            # long after this generator has ended.
            for _, batch in learning.spooled:
                if batch.path not in spools:
                    spools[batch.path] = os.open(batch.path, os.O_RDONLY)
            shutil.rmtree(folder, ignore_errors=True)
            for _, batch in learning.spooled:
                yield SpooledBatch(spools[batch.path], batch.offset, batch.size)
        finally:
            if os.getpid() == owner:  # not in a forked worker that drops its copy of this generator
                shutil.rmtree(folder, ignore_errors=True)
                for fd in spools.values():
                    os.close(fd)

    def _learn(
        self, inputs: Sequence[str], state: StageState, folder: str, said: list[InputProblem], optimistic: bool
    ) -> Learning | None:
        """The first pass of :meth:`_shared_page_batches`: site boilerplate learned from the workers' shares.

        ``optimistic``: the ranges of a file are counted as they come, while the workers read the next ones (a
        :class:`~dedup.pipeline.shares.Learning` holds them until the file's last, in case one is not UTF-8 and
        the file must be read whole: then all of this process's counting came after the workers' last share,
        with both of them waiting). ``None`` if a range was not UTF-8 after all: learn again, not optimistic.
        Problems are reported once the file they are in is read (as the holding does); ``said``: those reported
        already (a second run reports them once)."""
        s = self.settings
        found: list[InputProblem] = []
        reader = Reader(fields=s.fields, strict=s.strict, on_problem=found.append, keep_records=state.keep_records)
        held: list[InputProblem] = []
        with small_pages():
            learner = SiteBoilerplate(s.site_min_docs, s.site_min_share)
        learning = Learning(learner, self.batch_size, held.append)
        tasks: deque[RangeTask | ReadBatch] = deque()
        share_state = ShareState(state, folder)
        again = len(said)  # problems said by the run before this one (the same, in the same order)

        def feed() -> Iterator[RangeTask | ReadBatch]:
            for task in shares(inputs, reader, found, self.batch_size):
                tasks.append(task)
                yield task

        def say_held() -> None:
            nonlocal again
            for problem in held:
                if again:
                    again -= 1
                    continue
                said.append(problem)
                self._problem(problem)
            held.clear()

        results = ordered_map(read_clean_spool, feed(), self.workers, share_state)
        try:
            for share in results:
                task = tasks.popleft()
                if optimistic and isinstance(task, RangeTask) and not task.whole:
                    if not share.utf8:
                        return None
                    learning.add(replace(task, whole=True), share, _no_redo)
                    if not task.last:
                        continue
                else:
                    learning.add(task, share, lambda whole: read_clean_spool(share_state, whole))
                say_held()
            say_held()  # a file whose last range never came (it shrank while being cut)
        finally:
            results.close()  # the workers stop (they may be reading the ranges after a failed one)
        return learning

    def clean_documents(self, docs: Iterable[Document]) -> list[Document]:
        """Clean in-memory documents (two passes over the list when site boilerplate is on)."""
        return [p.doc for p in self._clean_pages_in_memory(docs)]

    def _clean_pages_in_memory(self, docs: Iterable[Document]) -> list[Page]:
        pages = [self.cleaner.clean_page_keyed(d) for d in docs]
        if not self.settings.site_boilerplate:
            return pages
        self.cleaner.site = SiteBoilerplate(self.settings.site_min_docs, self.settings.site_min_share)
        self.cleaner.site.observe_batch([p.site_observation() for p in pages])
        out = []
        for p in pages:
            doc, _ = self.cleaner.clean_site_keyed(p)
            out.append(p if doc is p.doc else Page.of(doc))
        return out

    # -- normalise + fingerprint + index + cluster -----------------------------------------------------------

    def scan(self, inputs: Sequence[str], *, every_link: bool = True) -> ScanResult:
        """Clusters of near-duplicates among ``inputs`` (files, folders, JSONL, WARC, ``-``).

        ``every_link=False``: the template test runs only on the links the clustering reads
        (:mod:`dedup.pipeline.lazy`): the same clusters, but ``links`` and the clusters' ``siblings`` hold only
        the template siblings found on the way (for a report that does not show them)."""
        state = self._state()
        if not self.settings.site_boilerplate:
            # One pass: each worker cleans and fingerprints its batch.
            self._warm_up(inputs)
            raw = batched(self._reader(records=False).read(inputs), self.batch_size)
            return self._collect(self._fingerprinted(clean_and_fingerprint, raw, state), every_link)
        # Two passes. Workers of the second are started once the first has learned the site boilerplate, so
        # that they start with it.
        page_batches = self._page_batches(inputs, state)
        first = next(page_batches, None)
        batches = [] if first is None else _chain_first(first, page_batches)
        return self._collect(self._fingerprinted(fingerprint_pages, batches, state), every_link)

    def _fingerprinted(
        self, stage: Callable[[StageState, Any], Fingerprints], batches: Iterable[Any], state: StageState
    ) -> Iterator[Fingerprints]:
        """``stage`` over ``batches``; with workers, each writes the shingles, content words and texts to files
        of its own (:func:`~dedup.pipeline.workers.fingerprint_and_store`), which the stores read from."""
        if self.workers <= 1:
            yield from ordered_map(stage, batches, 1, state)
            return
        folder, owner = tempfile.mkdtemp(prefix="dedup-stores-"), os.getpid()
        try:
            yield from ordered_map(fingerprint_and_store, batches, self.workers, StoreState(state, stage, folder))
        finally:
            if os.getpid() == owner:  # the stores have opened the files they read: unlinked, they stay readable
                shutil.rmtree(folder, ignore_errors=True)

    def _warm_up(self, inputs: Sequence[str]) -> None:
        if self.workers > 1:  # build the normaliser's lookup tables once, before forking
            # Load the compiled kernels here when the named files are large, so that the workers inherit them
            # instead of each loading them.
            kernels.warm(_characters_expected(inputs))
            normalize("\u0627\u064e", self.settings.normalize)
            self.cleaner.rules.classify_keyed(["\u0627\u064e"])
            words_of("\u0627")  # and the letter table of content words

    def scan_documents(self, docs: Iterable[Document], cleaned: bool = False) -> ScanResult:
        """Clusters among in-memory documents (cleaned here unless ``cleaned``)."""
        pages = self._clean_pages_in_memory(docs) if not cleaned else [Page.of(d) for d in docs]
        # Already cleaned: no site pass.
        state = StageState(Cleaner(self.cleaner.rules), self.fingerprinter, self.settings)
        return self._collect(ordered_map(fingerprint_pages, batched(pages, self.batch_size), 1, state))

    @paused_gc()  # the clustering's links, neighbour lists and clusters: a few hundred thousand objects, no cycles
    def _collect(self, batches: Iterable[Fingerprints], every_link: bool = True) -> ScanResult:
        """Index and cluster the fingerprinted documents (in the main process)."""
        s = self.settings
        infos = DocTable()  # columns, not a DocInfo per document (dedup.pipeline.table)
        # Signatures go to a temporary file as they come (dedup.pipeline.stores.SignatureFile): the matrix, the
        # corpus's largest structure, is then held by the page cache, not by this process nor the banding workers.
        owners: list[np.ndarray] = []
        digests: list[np.ndarray] = []  # each batch's digests as (n, 2) uint64, for the exact groups
        with (
            ShingleStore() as shingles,
            ShingleStore() as words,
            TextStore(enabled=s.templates) as texts,
            SignatureFile(s.num_perm) as signatures,
            SignatureFile(s.num_perm) as windows,  # excerpt windows' signatures, banded with the documents'
        ):
            for batch in batches:
                records, first = batch.records(), len(infos)
                owners.append(batch.window_owners + first)
                windows.append(batch.window_signatures)
                infos.extend(records)
                digests.append(np.frombuffer(records.digests, dtype=np.uint64).reshape(-1, 2))
                for k in np.flatnonzero(records.words == 0).tolist():
                    info = infos[first + k]
                    self._problem(InputProblem(info.origin or info.id, "empty document after cleaning; not compared"))
                signatures.append(batch.signatures)
                if batch.stored is not None:
                    shingles.append_stored(*batch.stored.shingles, batch.sizes)
                    words.append_stored(*batch.stored.words, batch.word_sizes)
                    texts.append_stored(*batch.stored.texts, batch.text_sizes)
                else:
                    shingles.append(batch.shingles, batch.sizes)
                    words.append(batch.words, batch.word_sizes)
                    texts.extend_encoded(batch.texts, batch.text_sizes)
                if self._progress is not None:
                    self._progress(len(records))
            # The report columns joined before the matrix is stacked and the workers fork (each would join its own).
            # The site pass's sketch (128 MB) stays: callers clean with it after the scan (dedup remove).
            infos.compact()
            # Documents' rows first, then windows'.
            signatures.extend(windows)
            signatures.seal()
            release_freed_memory()
            window_owners = np.concatenate(owners) if owners else np.empty(0, dtype=np.int64)
            rows = infos.rows()  # cheap views of the fields ranking and grouping read
            order = keep_order(rows, s.keep, s.prefer)  # type: ignore[arg-type]
            groups = exact_copies(
                order, infos.words(), np.concatenate(digests) if digests else np.zeros((0, 2), np.uint64)
            )
            del digests
            scores: list[np.ndarray] = []
            handed = [signatures]  # find_links lets go of the matrix once banded
            links = find_links(
                sorted(groups), shingles, texts, handed, s, scores, self.workers, words, window_owners, infos.titles,
                every_link,
            )  # fmt: skip
            asked: dict[tuple[int, int], tuple[float, str | None]] = {}  # clustering may run more than once

            def similarity_to_kept(stray: int, kept: int) -> tuple[float, str | None]:
                if (stray, kept) not in asked:
                    asked[stray, kept] = _similarity_to_kept(stray, kept)
                return asked[stray, kept]

            def _similarity_to_kept(stray: int, kept: int) -> tuple[float, str | None]:
                # Both refusals give the same answer, so the cheap one is asked first: the template test is
                # serial work here while the workers wait (the first clustering run), coverage a kernel call.
                if coverage(words[stray], words[kept]) < s.coverage:
                    return 0.0, None  # the kept copy does not say what the stray says
                if s.templates and relation(texts.analysed(stray), texts.analysed(kept)) != DUPLICATE:
                    return 0.0, None  # a template sibling of the kept copy never joins its cluster
                kind = COPY if coverage(words[kept], words[stray]) >= s.coverage else CONTAINED
                return max(jaccard_containment(shingles[stray], shingles[kept])), kind

            def cluster(view: list[Link], reads: set[tuple[int, int]] | None) -> list[Cluster]:
                stars = star_clusters(len(infos), view, order, s.coverage, reads)
                attach_strays(stars, view, similarity_to_kept, order, s.attach_strong, s.attach_floor, reads)
                return stars

            if every_link:
                stars = cluster(links, None)
            else:
                # One pool for every round of template tests, testing a part's pairs while the next part is
                # clustered; clusters are sorted by kept document below (expand_exact), whatever the parts' order.
                with template_pool(self.workers, texts, len(infos)) as pool:
                    stars, links = settle_links(
                        links,
                        cluster,
                        lambda pairs: relations_later(pairs, texts, pool),
                        lambda c: c.keep,
                        GROUPS if len(infos) <= GROUPED_UP_TO else 1,
                    )
        clusters = expand_exact(stars, groups, order)
        attach_siblings(clusters, links)
        learned = self.cleaner.site.learned() if self.cleaner.site is not None else []
        return ScanResult(
            infos,
            clusters,
            links,
            list(self.problems),
            learned,
            s,
            np.concatenate(scores) if scores else np.zeros(0, dtype=np.float32),
        )


def exact_copies(order: Sequence[int], words: np.ndarray, digests: np.ndarray) -> dict[int, list[int]]:
    """:func:`dedup.cluster.exact_groups` from the columns (word counts, 16-byte digests as two uint64 each):
    the same groups, in the same order, without a digest string and a Python step per document (serial work of
    this process while the workers wait).

    >>> words = np.array([3, 9, 3, 0, 3])
    >>> digests = np.array([[1, 1], [2, 2], [1, 1], [1, 1], [1, 2]], dtype=np.uint64)
    >>> exact_copies([1, 0, 2, 3, 4], words, digests)
    {1: [], 0: [2], 4: []}
    """
    ranked = np.asarray(order, dtype=np.int64)
    ranked = ranked[words[ranked] != 0]  # empty documents are in no group
    if not ranked.size:
        return {}
    keys = digests[ranked]
    # Equal digests side by side, each run in keep order: its first member is the group's representative.
    by_key = np.lexsort((np.arange(ranked.size), keys[:, 1], keys[:, 0]))
    in_order = keys[by_key]
    first = np.ones(ranked.size, dtype=bool)
    first[1:] = (in_order[1:] != in_order[:-1]).any(axis=1)
    run_start = np.maximum.accumulate(np.where(first, np.arange(ranked.size), 0))
    rep_at = np.empty(ranked.size, dtype=np.int64)
    rep_at[by_key] = by_key[run_start]  # the keep-order position of each document's representative
    is_rep = rep_at == np.arange(ranked.size)
    groups: dict[int, list[int]] = {rep: [] for rep in ranked[is_rep].tolist()}
    for copy, rep in zip(ranked[~is_rep].tolist(), ranked[rep_at[~is_rep]].tolist()):
        groups[rep].append(copy)
    return groups


def _no_redo(task: RangeTask) -> Any:
    raise AssertionError(f"{task.path}: a range counted as a whole file")  # pragma: no cover - never called


def _chain_first(
    first: list[Page] | SpooledBatch, rest: Iterator[list[Page] | SpooledBatch]
) -> Iterator[list[Page] | SpooledBatch]:
    yield first
    yield from rest


def scan_documents(docs: Iterable[Document], settings: Settings = DEFAULTS) -> ScanResult:
    """Scan in-memory documents (cleaned here) and return their clusters."""
    return Pipeline(settings).scan_documents(docs)


def scan(inputs: Sequence[str], settings: Settings = DEFAULTS) -> ScanResult:
    """Scan files, directories, JSONL and ``-`` (stdin) and return the clusters."""
    return Pipeline(settings).scan(inputs)


def clean(inputs: Sequence[str], settings: Settings = DEFAULTS, *, explain: bool = True) -> Iterator[Document]:
    """The cleaned documents of ``inputs``, in input order, each with the list of what was removed and why."""
    yield from Pipeline(settings).documents(inputs, explain=explain)


def _characters_expected(inputs: Sequence[str]) -> int:
    """A rough count of the characters a scan of ``inputs`` will fold and hash: the size of the named files
    (folders and standard input count nothing; a gzip file four times its size; Arabic UTF-8 is two bytes a
    letter, markup and JSON add some, so half the bytes)."""
    total = 0
    for name in inputs:
        try:
            if os.path.isfile(name):
                total += os.path.getsize(name) * (4 if name.endswith(".gz") else 1)
        except OSError:
            continue
    return total // 2
