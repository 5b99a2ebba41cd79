"""The pre-commit decision: which checked documents duplicate the corpus or each other, reading only what changed.

The corpus is every document of a repository's files (:class:`CorpusFile`), in keep order: the committed files
(unchanged since the last commit) first, then the new ones. A *checked* document (one of the files the hook was
given) is a duplicate when a verified duplicate in the corpus *keeps over* it: it covers the checked document
(the coverage rule of :mod:`dedup.cluster`) and either the checked document does not cover it (a brief inside a
round-up: the longer text is kept) or it comes first in keep order (two copies: the committed one, else the
earlier one). So a staged file is reported as a duplicate of a committed file, never the other way round, and a
committed document is never reported when it is not checked. Each duplicate is reported with every document that
keeps over it, best first: committed before new, then by similarity, then in keep order.

What "verified duplicate" means is scan's: MinHash LSH at the candidate threshold proposes pairs, exact shingle
sets, the template test and the coverage rule decide (:func:`dedup.pipeline.verify.verify_chunk`); exact copies
(equal normalised text) are duplicates without a test. Only candidate pairs that involve a checked document are
verified: the checked signatures are banded against the whole corpus's.

Fingerprints of unchanged files come from :class:`~dedup.precommit_cache.FingerprintCache`; only new or changed
files are read. Site boilerplate is learned from the whole corpus as ``scan`` learns it, from each document's
cached line hashes, so every document is compared on the same text ``scan`` would compare; a cached document
whose boilerplate lines changed (the corpus taught the site a new line) is fingerprinted again. A document that
takes part in a candidate pair is read again for its exact shingle set, words and text.

Under ``pre-commit run --all-files`` every file is checked, and pre-commit may split a long list into several
runs: each run sees the same corpus in the same order (git's), so together they decide as one run would. A checked
document is verified against at most :data:`MAX_CANDIDATES` candidates (those whose signatures agree most), as
scan bounds a bucket of hundreds of template siblings.

>>> site = SiteBoilerplate(min_docs=2)
>>> pages = [np.array([0, 5, 9], dtype=np.uint64), np.array([1, 5], dtype=np.uint64)]  # line hashes, title first
>>> site.observe_batch([("example.com", h[1:], None) for h in pages])
>>> site_masks(site, ["example.com", "example.com"], np.concatenate(pages), np.array([3, 2])).tolist()
[False, True, False, False, True]
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, NamedTuple

import numpy as np

from dedup.clean import Cleaner, Page, SiteBoilerplate, site_observations
from dedup.cluster import DUPLICATE, Link
from dedup.document import Document
from dedup.errors import InputProblem
from dedup.io import Reader
from dedup.lsh import MIN_SHARED_VALUES, band_hashes, candidate_pairs, drop_chance_collisions, lsh_params
from dedup.pair_blocks import sorted_distinct  # np.unique's first call imports numpy.ma (~15 ms)
from dedup.parallel import batched, ordered_map, small_pages
from dedup.pipeline import Pipeline, ShingleStore, TextStore
from dedup.pipeline.verify import VERIFY_CHUNK, VerifyState, verify_chunk
from dedup.pipeline.workers import (
    Fingerprints,
    SpooledBatch,
    StageState,
    clean_and_pack,
    fingerprint,
    load_pages,
)
from dedup.precommit_cache import Columns, FingerprintCache
from dedup.settings import Settings

Pair = tuple[str, str, float]
"""A duplicate pair: a document's id, the id of the document it duplicates, their similarity."""

MAX_CANDIDATES = 256  # candidates verified per checked document (the ones with the most signature values shared)
MAX_KEEPERS = 16  # exact copies listed per duplicate (a template page committed 500 times has 500)
_FEW = 64  # checked documents compared one by one with the corpus; more: the corpus is banded, as scan does
_PARALLEL_BYTES = 4 << 20  # less to read than this: read and fingerprint in this process (no pool to start)


class CorpusFile(NamedTuple):
    """A file of the corpus, as the hook sees it (a tuple: a corpus has tens of thousands, made on every commit)."""

    path: str  # as the reader is given it (relative to the working directory)
    content: str  # content key: the git blob id, or a hash of the bytes on disk
    committed: bool = True  # unchanged since the last commit
    checked: bool = False  # given to the hook: its documents are checked


@dataclass
class Findings:
    """What :func:`find_duplicates` found."""

    duplicates: list[list[Pair]]  # per duplicate checked document: every document keeping over it, best first
    checked: int  # documents checked
    corpus: int  # documents they were compared with
    read: int  # files read (the others came from the cache)


def observe_cached(site: SiteBoilerplate, docs: Columns) -> None:
    """Count cached pages for the site learner as :meth:`SiteBoilerplate.observe_batch` counts a scan's pages:
    their distinct text-line hashes, once per story (by the story keys the cache kept), straight from the
    cache's columns."""
    seen_ends, story_ends = np.asarray(docs.seen_ends), np.asarray(docs.story_ends)
    site.observe_columns(
        list(docs.sources),
        docs.seen[seen_ends[0] : seen_ends[-1]],
        np.diff(seen_ends),
        docs.stories[story_ends[0] : story_ends[-1]],
        np.diff(story_ends),
    )


def site_masks(
    site: SiteBoilerplate | None, sources: Sequence[str | None], lines: np.ndarray, sizes: np.ndarray
) -> np.ndarray:
    """Every page's :meth:`SiteBoilerplate.boilerplate_mask`, concatenated, in one numpy pass (``lines`` holds
    the pages' line hashes one page after the other, ``sizes[i]`` of page ``i``)."""
    if site is None or lines.size == 0:
        return np.zeros(lines.size, dtype=bool)
    never = np.iinfo(np.int64).max
    per_site: dict[str | None, int] = {}
    for src in set(sources):
        known = bool(src) and site.site_documents[src] >= site.min_docs  # type: ignore[index]
        per_site[src] = site.threshold(src) if known else never  # type: ignore[arg-type]
    thresholds = np.fromiter((per_site[src] for src in sources), dtype=np.int64, count=len(sources))
    return (lines != 0) & (site.counts(lines).astype(np.int64) >= np.repeat(thresholds, sizes))


def _fingerprint_batch(
    state: StageState, batch: list[Page] | SpooledBatch
) -> tuple[Fingerprints, list[np.ndarray], list[np.ndarray]]:
    """Fingerprint a page-cleaned batch with the site boilerplate learned (a worker stage), and return each
    page's line hashes and story keys with it (the cache keeps them)."""
    pages = load_pages(batch)
    stories = [obs[3] for obs in site_observations(pages)]
    return fingerprint(pages, state.cleaner, state.fingerprinter, state.settings), [p.hashes for p in pages], stories


def _distinct_text_lines(hashes: np.ndarray) -> np.ndarray:
    body = hashes[1:]
    return sorted_distinct(body[body != 0])


@dataclass
class _Fresh:
    """Documents fingerprinted in this run."""

    docs: Columns
    where: list[tuple[int, int]]  # (file, ordinal in the file) per document
    positions: np.ndarray  # in the run's shingle/word/text stores


class _Run:
    """One hook run over the corpus: reading, site learning, fingerprinting, the stores verification reads."""

    def __init__(
        self, pipeline: Pipeline, files: Sequence[CorpusFile], on_problem: Callable[[InputProblem], None] | None
    ) -> None:
        self.s = pipeline.settings
        self.files = files
        self.pipeline = pipeline
        self.on_problem = on_problem
        self.troubled: set[int] = set()  # files with a reading problem: not cached (warned about every time)
        with small_pages():  # as the scan's: a 0.1-0.5 s compaction stall on a first touch costs a hook most
            self.site = (
                SiteBoilerplate(self.s.site_min_docs, self.s.site_min_share) if self.s.site_boilerplate else None
            )
        self.page_state = StageState(Cleaner(pipeline.cleaner.rules), pipeline.fingerprinter, self.s,
                                     explain=False, keep_records=False)  # fmt: skip
        self.shingles, self.words = ShingleStore(), ShingleStore()
        self.texts = TextStore(enabled=self.s.templates)
        self.stored = 0

    def close(self) -> None:
        for store in (self.shingles, self.words, self.texts):
            store.__exit__(None, None, None)

    def _workers(self, indexes: Sequence[int]) -> int:
        size = 0
        for i in indexes:
            try:
                size += os.path.getsize(self.files[i].path)
            except OSError:
                pass
            if size > _PARALLEL_BYTES:
                return self.pipeline.workers
        return 1

    def _documents(
        self, indexes: Sequence[int], where: list[tuple[int, int]], wanted: set[tuple[int, int]] | None
    ) -> Iterator[Document]:
        """The documents of these files, in order (``where`` receives each one's file and ordinal)."""
        current = -1

        def problem(p: InputProblem) -> None:
            self.troubled.add(current)
            if self.on_problem is not None:
                self.on_problem(p)

        reader = Reader(fields=self.s.fields, strict=self.s.strict, on_problem=problem, keep_records=False)
        for i in indexes:
            current = i
            for n, doc in enumerate(reader.read([self.files[i].path])):
                if wanted is None or (i, n) in wanted:
                    where.append((i, n))
                    yield doc

    def read(
        self, indexes: Sequence[int], spool: IO[bytes], observe: bool, wanted: set[tuple[int, int]] | None = None
    ) -> tuple[list[SpooledBatch], list[tuple[int, int]]]:
        """Read and page-clean files into ``spool``; with ``observe``, count their lines for the site learner."""
        where: list[tuple[int, int]] = []
        batches = []
        docs = batched(self._documents(indexes, where, wanted), self.pipeline.batch_size)
        for packed in ordered_map(clean_and_pack, docs, self._workers(indexes), self.page_state):
            if observe and self.site is not None:
                self.site.observe_batch(packed.observations)
            offset = spool.seek(0, os.SEEK_END)
            spool.write(packed.pages)
            batches.append(SpooledBatch(spool.fileno(), offset, len(packed.pages)))
        spool.flush()
        return batches, where

    def fingerprint(self, batches: list[SpooledBatch], where: list[tuple[int, int]]) -> _Fresh:
        """Fingerprint spooled pages with the learned site boilerplate; keep their sets for verification."""
        state = StageState(Cleaner(self.pipeline.cleaner.rules, self.site), self.pipeline.fingerprinter, self.s)
        workers = self.pipeline.workers if len(batches) > 2 else 1
        parts = []
        first = self.stored
        for found, lines, stories in ordered_map(_fingerprint_batch, batches, workers, state):
            infos = found.infos
            sizes = np.fromiter((h.size for h in lines), dtype=np.int64, count=len(lines))
            flat = np.concatenate(lines) if lines else np.zeros(0, dtype=np.uint64)
            masks = site_masks(self.site, [i.source for i in infos], flat, sizes)
            cuts = np.cumsum(sizes)[:-1]
            parts.append(Columns.of_rows([
                (i.id, i.source, i.date, i.words, i.digest, found.signatures[j], h, m, _distinct_text_lines(h), k)
                for j, (i, h, m, k) in enumerate(zip(infos, lines, np.split(masks, cuts), stories))
            ], self.s.num_perm))  # fmt: skip
            self.shingles.append(found.shingles, found.sizes)
            self.words.append(found.words, found.word_sizes)
            self.texts.extend_encoded(found.texts, found.text_sizes)
            self.stored += len(infos)
        positions = np.arange(first, self.stored, dtype=np.int64)
        return _Fresh(Columns.concat(parts, self.s.num_perm), where, positions)


def find_duplicates(
    pipeline: Pipeline,
    files: Sequence[CorpusFile],
    cache: FingerprintCache | None = None,
    on_problem: Callable[[InputProblem], None] | None = None,
) -> Findings:
    """The checked documents of ``files`` (in keep order) that duplicate another document of ``files``."""
    run = _Run(pipeline, files, on_problem)
    try:
        table, read = _corpus(run, cache)
        return table.decide(read)
    finally:
        run.close()


def _corpus(run: _Run, cache: FingerprintCache | None) -> tuple[_Table, int]:
    """Every document of the corpus, in keep order: cached when its file is unchanged, else read now."""
    files, num_perm = run.files, run.s.num_perm
    known, cached = cache.load(num_perm) if cache is not None else ({}, Columns.of_rows([], num_perm))
    ranges = np.zeros((len(files), 2), dtype=np.int64)
    hit = np.zeros(len(files), dtype=bool)
    for i, f in enumerate(files):
        entry = known.get(f.path)
        if entry is not None and entry[0] == f.content:
            hit[i], ranges[i] = True, entry[1:]
    hit_sizes = np.where(hit, ranges[:, 1] - ranges[:, 0], 0)
    hits = cached.take(_ranges(np.stack((ranges[:, 0], ranges[:, 0] + hit_sizes), axis=1)))
    hit_file = np.repeat(np.arange(len(files)), hit_sizes)
    with tempfile.TemporaryFile(prefix="dedup-precommit-") as spool:
        # Read what changed, and learn each site's boilerplate from every document (cached ones by their hashes).
        batches, where = run.read(np.flatnonzero(~hit).tolist(), spool, observe=True)
        if run.site is not None and len(hits):
            observe_cached(run.site, hits)
            # A cached document whose boilerplate lines changed is fingerprinted again.
            now = site_masks(run.site, hits.sources, hits.lines, hits.line_sizes())
            changed = np.concatenate(([0], np.cumsum(now != hits.masks)))
            stale = sorted_distinct(hit_file[changed[hits.line_ends[1:]] != changed[hits.line_ends[:-1]]])
            if stale.size:
                hit[stale] = False
                more, more_where = run.read(stale.tolist(), spool, observe=False)
                batches, where = batches + more, where + more_where
        fresh = run.fingerprint(batches, where)
    # Each file's documents: its cached ones, or its fresh ones (a file's documents are read one after the other).
    fresh_file = np.asarray([i for i, _ in fresh.where], dtype=np.int64)
    fresh_sizes = np.bincount(fresh_file, minlength=len(files))
    fresh_start = np.zeros(len(files), dtype=np.int64)
    firsts = np.flatnonzero(np.concatenate(([True], fresh_file[1:] != fresh_file[:-1]))) if fresh_file.size else []
    fresh_start[fresh_file[firsts]] = firsts
    hit_start = np.concatenate(([0], np.cumsum(hit_sizes)))[:-1]
    sizes = np.where(hit, hit_sizes, fresh_sizes)
    starts = np.where(hit, hit_start, len(hits) + fresh_start)
    order = _ranges(np.stack((starts, starts + sizes), axis=1))
    table = Columns.concat([hits, fresh.docs], num_perm).take(order)
    position = np.concatenate((np.full(len(hits), -1, dtype=np.int64), fresh.positions))[order]
    file_of = np.repeat(np.arange(len(files)), sizes)
    read = int((~hit).sum())
    if cache is not None and (read or set(known) != {f.path for f in files}):
        keep = np.array([i not in run.troubled for i in range(len(files))], dtype=bool)
        cache.save([(f.path, f.content) for f, k in zip(files, keep) if k], sizes[keep].tolist(),
                   table.take(np.flatnonzero(keep[file_of])))  # fmt: skip
    return _Table(run, table, position, file_of), read


def _ranges(bounds: np.ndarray) -> np.ndarray:
    """The indexes ``start, start + 1, ..., stop - 1`` of each ``(start, stop)`` row of ``bounds``, in order."""
    sizes = bounds[:, 1] - bounds[:, 0]
    total = int(sizes.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    return np.arange(total, dtype=np.int64) + np.repeat(bounds[:, 0] - (np.cumsum(sizes) - sizes), sizes)


class _Table:
    """The corpus's documents in keep order, and the decision."""

    def __init__(self, run: _Run, docs: Columns, position: np.ndarray, file_of: np.ndarray) -> None:
        self.run, self.docs, self.position, self.file_of = run, docs, position, file_of
        self.committed = np.array([f.committed for f in run.files], dtype=bool)[file_of]
        self.checked = np.array([f.checked for f in run.files], dtype=bool)[file_of]

    def decide(self, read: int) -> Findings:
        s, docs = self.run.s, self.docs
        groups: dict[str, list[int]] = {}  # exact copies by digest, in keep order
        asked: set[str] = set()  # digests of checked documents
        checked = self.checked.tolist()
        for i, (digest, words) in enumerate(zip(docs.digests, docs.words.tolist())):
            if words == 0:
                if checked[i] and self.run.on_problem is not None:
                    self.run.on_problem(InputProblem(docs.ids[i], "empty document after cleaning; not compared"))
                continue
            groups.setdefault(digest, []).append(i)
            if checked[i]:
                asked.add(digest)
        reps = np.fromiter((g[0] for g in groups.values()), dtype=np.int64, count=len(groups))
        group_of = {g[0]: g for g in groups.values()}
        query = np.fromiter((d in asked for d in groups), dtype=bool, count=len(groups))
        keepers: dict[int, dict[int, float]] = defaultdict(dict)
        for digest in asked:  # exact copies: the earlier ones keep over the later
            g = groups[digest]
            for k, m in enumerate(g[1:], start=1):
                if checked[m]:
                    keepers[m].update((d, 1.0) for d in g[: min(k, MAX_KEEPERS)])
        pairs = reps[_candidates(docs.signatures, reps, query, s)] if query.any() else np.zeros((0, 2), np.int64)
        for link in self._verify(pairs):
            for a, b, a_in_b, b_in_a in ((link.a, link.b, link.a_in_b, link.b_in_a),
                                         (link.b, link.a, link.b_in_a, link.a_in_b)):  # fmt: skip
                if a_in_b < s.coverage:
                    continue  # b does not say what a says: a is never removed for it
                copies = b_in_a >= s.coverage  # else a is contained in b, which is kept whatever the order
                for m in group_of[a]:
                    if checked[m]:
                        for d in [d for d in group_of[b] if not copies or d < m][:MAX_KEEPERS]:
                            keepers[m][d] = max(keepers[m].get(d, 0.0), link.similarity)
        duplicates = []
        for m in sorted(keepers):
            best = sorted(keepers[m].items(), key=lambda ds: (not self.committed[ds[0]], -ds[1], ds[0]))
            duplicates.append([(docs.ids[m], docs.ids[d], sim) for d, sim in best])
        n = int(self.checked.sum())
        return Findings(duplicates, n, len(docs) - n, read)

    def _verify(self, pairs: np.ndarray) -> list[Link]:
        """Scan's verification of candidate document pairs (links between document indexes)."""
        if pairs.size == 0:
            return []
        self._materialise(sorted_distinct(pairs.ravel()))
        run = self.run
        positions = self.position[pairs]
        doc_at = np.empty(run.stored, dtype=np.int64)
        doc_at[self.position[self.position >= 0]] = np.flatnonzero(self.position >= 0)
        run.shingles.flush()
        run.words.flush()
        run.texts.flush()
        chunks = [positions[i : i + VERIFY_CHUNK] for i in range(0, len(positions), VERIFY_CHUNK)]
        workers = run.pipeline.workers if len(chunks) > 1 else 1
        state = VerifyState(run.shingles, run.texts, run.s, run.words)
        links = []
        for chunk_links, _ in ordered_map(verify_chunk, chunks, workers, state):
            links.extend(Link(int(doc_at[x.a]), int(doc_at[x.b]), x.jaccard, x.containment, x.relation, x.a_in_b,
                              x.b_in_a) for x in chunk_links if x.relation == DUPLICATE)  # fmt: skip
        return links

    def _materialise(self, needed: np.ndarray) -> None:
        """Read again the cached documents that verification needs (their sets are not cached)."""
        missing = needed[self.position[needed] < 0]
        if missing.size == 0:
            return
        first = np.searchsorted(self.file_of, self.file_of)  # each document's file's first document
        wanted = {(int(self.file_of[i]), int(i - first[i])) for i in missing.tolist()}
        with tempfile.TemporaryFile(prefix="dedup-precommit-") as spool:
            batches, where = self.run.read(sorted({f for f, _ in wanted}), spool, observe=False, wanted=wanted)
            fresh = self.run.fingerprint(batches, where)
        index = {(int(self.file_of[i]), int(i - first[i])): i for i in missing.tolist()}
        for (f, n), pos, digest in zip(fresh.where, fresh.positions.tolist(), fresh.docs.digests):
            i = index[(f, n)]
            if digest == self.docs.digests[i]:  # else the file changed on disk since git listed it
                self.position[i] = pos


def _candidates(signatures: np.ndarray, reps: np.ndarray, query: np.ndarray, s: Settings) -> np.ndarray:
    """LSH candidate pairs (positions in ``reps``) that involve a ``query`` position, as scan proposes them."""
    bands, rows = lsh_params(s.lsh_threshold, s.num_perm)
    asked = np.flatnonzero(query)
    if asked.size > _FEW:  # band the whole corpus, as scan does, and keep the pairs that involve a checked one
        pairs = candidate_pairs(signatures, bands, rows, rows_of=reps, min_shared=MIN_SHARED_VALUES)
        return pairs[query[pairs[:, 0]] | query[pairs[:, 1]]] if pairs.size else pairs
    # A few checked documents: each one's band keys against the whole corpus's, in one comparison.
    keys = band_hashes(signatures[reps], bands, rows, flat=False)
    found = []
    for q in asked.tolist():
        same = np.flatnonzero((keys == keys[q]).any(axis=1))
        same = same[same != q]
        found.append(np.stack((np.minimum(same, q), np.maximum(same, q)), axis=1))
    n, every = len(reps), np.concatenate(found)
    codes = sorted_distinct(every[:, 0] * n + every[:, 1])
    pairs = drop_chance_collisions(signatures, np.stack((codes // n, codes % n), axis=1), rows_of=reps)
    return _at_most(signatures, reps, query, pairs)


def _at_most(signatures: np.ndarray, reps: np.ndarray, query: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """At most :data:`MAX_CANDIDATES` pairs per checked document: those whose signatures agree most (a
    template item whose bucket holds hundreds of siblings is verified against the closest of them)."""
    if len(pairs) <= MAX_CANDIDATES:
        return pairs
    owner = np.where(query[pairs[:, 0]], pairs[:, 0], pairs[:, 1])
    shared = (signatures[reps[pairs[:, 0]]] == signatures[reps[pairs[:, 1]]]).sum(axis=1)
    order = np.lexsort((-shared, owner))
    owner_sorted = owner[order]
    starts = np.flatnonzero(np.concatenate(([True], owner_sorted[1:] != owner_sorted[:-1])))
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.concatenate((starts, [len(order)]))))
    return pairs[np.sort(order[rank < MAX_CANDIDATES])]
