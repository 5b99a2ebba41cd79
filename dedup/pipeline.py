"""The whole job as one readable pipeline: read → clean → normalise → fingerprint → index → cluster.

This is the Python API the CLI is a thin layer over.

>>> from dedup.document import Document
>>> story = "The port strike entered its third day on Monday as talks between unions and operators stalled again."
>>> docs = [Document(id="a", text=story), Document(id="b", text=story + " Shipping lines diverted vessels."),
...         Document(id="c", text="Parliament approved the annual budget after a long night of debate.")]
>>> result = scan_documents(docs, Settings(site_boilerplate=False))
>>> [[result.documents[i].id for i, _ in c.members] for c in result.clusters]
[['a', 'b']]
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dedup.clean import Cleaner, LearnedLine, LineRules, Page, SiteBoilerplate
from dedup.cluster import (
    DEFAULT_CONTAINMENT,
    DEFAULT_THRESHOLD,
    DUPLICATE,
    TEMPLATE,
    Cluster,
    Link,
    VerifyOptions,
    attach_strays,
    star_clusters,
    verify,
)
from dedup.document import Document
from dedup.fingerprint import Fingerprinter, jaccard_containment
from dedup.io import FieldNames, InputProblem, Reader
from dedup.lsh import MIN_SHARED_VALUES, candidate_pairs, lsh_params
from dedup.normalize import DEFAULT_OPTIONS, NormalizeOptions, normalize, normalize_lines
from dedup.parallel import batched, default_workers, ordered_map
from dedup.templates import Analysed, relation

KEEP_POLICIES = ("first", "longest", "earliest", "source")
ANALYSED_CACHE = 256  # texts kept prepared for the relation test (~100-200 KB each: tokens, facts, sets)
VERIFY_CHUNK = 2048  # candidate pairs verified per task


@dataclass(frozen=True)
class Settings:
    """Every knob of a run. Defaults were chosen by measurement (see README, "Defaults")."""

    threshold: float = DEFAULT_THRESHOLD
    containment: float = DEFAULT_CONTAINMENT
    ngram: int = 3
    num_perm: int = 128
    seed: int = 1
    # LSH proposes pairs at a lower Jaccard than verification accepts, so that containment pairs and heavy
    # rewrites reach the exact check.
    lsh_threshold: float = 0.1
    # A document its star left out joins the cluster of a member it duplicates at >= attach_strong when it shares
    # >= attach_floor of its text with the kept copy too (cluster.attach_strays).
    attach_strong: float = 0.6
    attach_floor: float = 0.3
    keep: str = "first"
    prefer: tuple[str, ...] = ()
    templates: bool = True  # tell template siblings from copies (never merge them)
    site_boilerplate: bool = True
    site_min_docs: int = 3
    site_min_share: float = 0.01
    rules_file: str | None = None
    normalize: NormalizeOptions = NormalizeOptions()  # noqa: RUF009 - frozen, safe to share
    fields: FieldNames = FieldNames()  # noqa: RUF009 - frozen, safe to share
    strict: bool = False

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        if not 0.0 < self.containment <= 1.0:
            raise ValueError(f"containment must be in (0, 1], got {self.containment}")
        if self.keep not in KEEP_POLICIES:
            raise ValueError(f"keep must be one of {', '.join(KEEP_POLICIES)}, got {self.keep!r}")


@dataclass(slots=True)
class DocInfo:
    """What a scan keeps of each document once its text is fingerprinted."""

    id: str
    title: str
    source: str | None
    date: str | None
    origin: str
    path: str | None
    root: str | None
    words: int
    digest: str  # hash of the normalised text: equal digests are exact copies


@dataclass
class ScanResult:
    """Documents of a run, clusters of duplicates (two or more members) and template-sibling links."""

    documents: list[DocInfo]
    clusters: list[Cluster]
    links: list[Link]
    problems: list[InputProblem] = field(default_factory=list)
    learned: list[LearnedLine] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    # Similarity of every LSH candidate pair, verified or not (for the report's histogram).
    candidate_similarities: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.float32))

    def dropped(self) -> list[tuple[int, int, int, float]]:
        """``(document, cluster number, kept document, similarity)`` for every redundant copy."""
        out = []
        for k, cluster in enumerate(self.clusters, start=1):
            for member, sim in cluster.members[1:]:
                out.append((member, k, cluster.keep, sim))
        return out

    @property
    def template_links(self) -> list[Link]:
        return [link for link in self.links if link.relation == TEMPLATE]


class Pipeline:
    """One configured run. ``documents(inputs)`` yields cleaned documents; ``scan(inputs)`` finds clusters."""

    def __init__(self, settings: Settings = Settings(), on_problem: Callable[[InputProblem], None] | None = None,
                 progress: Callable[[int], None] | None = None, workers: int | None = None,
                 batch_size: int = 64) -> None:
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
        return Reader(fields=self.settings.fields, strict=self.settings.strict, on_problem=self._problem,
                      keep_records=records)

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
        for batch in self._page_batches(inputs, explain=explain):
            yield [self.cleaner.clean_site_keyed(p)[0] for p in _load(batch)]

    def _page_batches(self, inputs: Sequence[str], records: bool = True, explain: bool = True
                      ) -> Iterator[list[Page] | SpooledBatch]:
        """Page-cleaned batches; with site boilerplate on, only once the whole input has been learned from.

        Workers clean the pages and hash their normalised lines; this process only adds each batch's line
        hashes to the sketch (one numpy update per batch) and spools the batch. The second pass gets
        :class:`SpooledBatch` references: whoever processes a batch reads it from the spool (a worker, through
        the descriptor it inherits), so this process never unpickles and re-pickles the corpus.
        ``records=False`` drops each document's raw input record (kept for writing the corpus back), which a
        scan never reads."""
        self._warm_up()
        raw = batched(self._reader(records).read(inputs), self.batch_size)
        work = _clean_pages_for_scan if not records else _clean_pages if explain else _clean_pages_unexplained
        if not self.settings.site_boilerplate:
            yield from ordered_map(work, raw, self.workers, self.cleaner)
            return
        learner = SiteBoilerplate(self.settings.site_min_docs, self.settings.site_min_share)
        spooled: list[tuple[int, int]] = []
        with tempfile.TemporaryFile(prefix="dedup-spool-") as spool:
            pos = 0
            # Workers send each batch already pickled for the spool, with what the sketch counts beside it:
            # this process neither unpickles the pages nor pickles them again (it was a third of its CPU).
            for packed in ordered_map(_clean_and_pack, raw, self.workers, (self.cleaner, work)):
                learner.observe_batch(packed.observations)
                spool.write(packed.pages)
                spooled.append((pos, len(packed.pages)))
                pos += len(packed.pages)
            spool.flush()
            self.cleaner.site = learner
            for offset, size in spooled:
                yield SpooledBatch(spool.fileno(), offset, size)

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

    def scan(self, inputs: Sequence[str]) -> ScanResult:
        state_ = (self.cleaner, self.fingerprinter, self.settings)
        if not self.settings.site_boilerplate:
            # One pass: each worker cleans and fingerprints its batch.
            self._warm_up()
            raw = batched(self._reader(records=False).read(inputs), self.batch_size)
            return self._collect(ordered_map(_clean_and_fingerprint, raw, self.workers, state_))
        # Two passes. Workers of the second are started once the first has learned the site boilerplate, so
        # that they start with it.
        page_batches = self._page_batches(inputs, records=False)
        first = next(page_batches, None)
        batches = [] if first is None else _chain_first(first, page_batches)
        return self._collect(ordered_map(_fingerprint_pages, batches, self.workers, state_))

    def _warm_up(self) -> None:
        if self.workers > 1:  # build the normaliser's lookup tables once, before forking
            normalize("\u0627\u064e", self.settings.normalize)
            normalize_lines(["\u0627"])

    def scan_documents(self, docs: Iterable[Document], cleaned: bool = False) -> ScanResult:
        pages = self._clean_pages_in_memory(docs) if not cleaned else [Page.of(d) for d in docs]
        state_ = (Cleaner(self.cleaner.rules), self.fingerprinter, self.settings)  # already cleaned: no site pass
        return self._collect(ordered_map(_fingerprint_pages, batched(pages, self.batch_size), 1, state_))

    def _collect(self, batches: Iterable[Fingerprints]) -> ScanResult:
        """Index and cluster the fingerprinted documents (in the main process)."""
        s = self.settings
        infos: list[DocInfo] = []
        signatures: list[np.ndarray] = []
        with ShingleStore() as shingles, TextStore(enabled=s.templates) as texts:
            for batch in batches:
                for info in batch.infos:
                    if info.words == 0:
                        self._problem(InputProblem(info.origin or info.id,
                                                   "empty document after cleaning; not compared"))
                infos.extend(batch.infos)
                signatures.append(batch.signatures)
                shingles.append(batch.shingles, batch.sizes)
                texts.extend_encoded(batch.texts, batch.text_sizes)
                if self._progress is not None:
                    self._progress(len(batch.infos))
            sigs = np.concatenate(signatures) if signatures else np.empty((0, s.num_perm), dtype=np.uint32)
            del signatures
            order = keep_order(infos, s.keep, s.prefer)
            groups = exact_groups(infos, order)
            scores: list[np.ndarray] = []
            links = find_links(sorted(groups), shingles, texts, sigs, s, scores, self.workers)
            stars = star_clusters(len(infos), links, order)

            def similarity_to_kept(stray: int, kept: int) -> float:
                if s.templates and relation(texts.analysed(stray), texts.analysed(kept)) != DUPLICATE:
                    return 0.0  # a template sibling of the kept copy never joins its cluster
                return max(jaccard_containment(shingles[stray], shingles[kept]))

            attach_strays(stars, links, similarity_to_kept, order, s.attach_strong, s.attach_floor)
        clusters = expand_exact(stars, groups, order)
        _attach_siblings(clusters, links)
        learned = self.cleaner.site.learned() if self.cleaner.site is not None else []
        return ScanResult(infos, clusters, links, list(self.problems), learned, s,
                          np.concatenate(scores) if scores else np.zeros(0, dtype=np.float32))


def _chain_first(first: list[Document], rest: Iterator[list[Document]]) -> Iterator[list[Document]]:
    yield first
    yield from rest


# -- work done in worker processes (plain data in, plain data out) ---------------------------------------------


def _clean_pages(cleaner: Cleaner, docs: list[Document]) -> list[Page]:
    return [cleaner.clean_page_keyed(d) for d in docs]


def _clean_pages_unexplained(cleaner: Cleaner, docs: list[Document]) -> list[Page]:
    return [cleaner.clean_page_keyed(d, explain=False) for d in docs]


def _clean_pages_for_scan(cleaner: Cleaner, docs: list[Document]) -> list[Page]:
    # A scan reports; it never writes records back: the raw record (as big as the text) need not travel.
    # Nor what HTML extraction removed (only `clean` lists it).
    for d in docs:
        d.meta.pop("_record", None)
    return _clean_pages_unexplained(cleaner, docs)


@dataclass(frozen=True)
class PackedBatch:
    """A page-cleaned batch as the first pass spools it: the pages pickled, and their site observations."""

    observations: list[tuple[str | None, np.ndarray, str]]
    pages: bytes


def _clean_and_pack(state: tuple[Cleaner, Callable[[Cleaner, list[Document]], list[Page]]], docs: list[Document]
                    ) -> PackedBatch:
    cleaner, work = state
    pages = work(cleaner, docs)
    return PackedBatch([p.site_observation() for p in pages], pickle.dumps(pages, protocol=pickle.HIGHEST_PROTOCOL))


@dataclass(frozen=True)
class SpooledBatch:
    """Where a pickled batch of pages lies in the spool file (read with ``os.pread``: no shared offset)."""

    fd: int
    offset: int
    size: int

    def load(self) -> list[Page]:
        return pickle.loads(os.pread(self.fd, self.size, self.offset))


def _load(batch: list[Page] | SpooledBatch) -> list[Page]:
    return batch.load() if isinstance(batch, SpooledBatch) else batch


@dataclass
class Fingerprints:
    """What a batch of documents becomes: report data, signatures, shingle sets and normalised texts."""

    infos: list[DocInfo]
    signatures: np.ndarray  # len(infos) x num_perm uint32
    shingles: np.ndarray  # every document's sorted shingle hashes, concatenated (uint32)
    sizes: np.ndarray  # shingles per document
    texts: bytes  # normalised texts, utf-8, one after the other (for template checks; empty when templates are off)
    text_sizes: np.ndarray  # bytes of each text in ``texts``


def fingerprint(pages: Sequence[Page], cleaner: Cleaner, fingerprinter: Fingerprinter, s: Settings) -> Fingerprints:
    """Strip site boilerplate, normalise and fingerprint a batch of page-cleaned documents."""
    infos, sets, texts = [], [], []
    default_normalize = s.normalize == DEFAULT_OPTIONS
    for page in pages:
        doc, norm = cleaner.clean_site_keyed(page)
        if not default_normalize:  # the page's keys are normalised with the defaults
            norm = normalize(doc.full_text, s.normalize)
        infos.append(DocInfo(
            id=doc.id, title=doc.title, source=doc.source, date=doc.date, origin=doc.origin, path=doc.path,
            root=doc.root, words=norm.count(" ") + 1 if norm else 0,
            digest=hashlib.blake2b(norm.encode(), digest_size=16).hexdigest(),
        ))
        sets.append(fingerprinter.text_shingles(norm))
        texts.append(norm if s.templates else "")
    sizes = np.fromiter((x.size for x in sets), dtype=np.int64, count=len(sets))
    flat = np.concatenate(sets) if sets else np.empty(0, dtype=np.uint32)
    # Encoded here, in the worker, as one block: the main process writes it to the text store in one call.
    encoded = [t.encode("utf-8") for t in texts]
    text_sizes = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
    return Fingerprints(infos, fingerprinter.signatures(sets), flat, sizes, b"".join(encoded), text_sizes)


def _fingerprint_pages(state: tuple[Cleaner, Fingerprinter, Settings], pages: list[Page] | SpooledBatch
                       ) -> Fingerprints:
    cleaner, fingerprinter, settings = state
    return fingerprint(_load(pages), cleaner, fingerprinter, settings)


def _clean_and_fingerprint(state: tuple[Cleaner, Fingerprinter, Settings], docs: list[Document]) -> Fingerprints:
    cleaner, fingerprinter, settings = state
    return fingerprint([cleaner.clean_page_keyed(d) for d in docs], cleaner, fingerprinter, settings)


# -- on-disk stores: what verification needs, without keeping every document's data in memory ---------------


class ShingleStore:
    """Every document's shingle set in a temporary file; ``store[i]`` reads one back (uint32, sorted).

    Verification needs the exact sets only of the documents in candidate pairs, and a million documents' sets
    are gigabytes: so they live on disk, with an offset per document in memory.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="dedup-shingles-")
        self._ends: list[np.ndarray] = [np.zeros(1, dtype=np.int64)]
        self._offsets: np.ndarray | None = None
        self._last: tuple[int, np.ndarray] | None = None

    def append(self, flat: np.ndarray, sizes: np.ndarray) -> None:
        self._file.write(np.ascontiguousarray(flat, dtype=np.uint32).tobytes())
        self._ends.append(self._ends[-1][-1] + np.cumsum(sizes))
        self._offsets = None

    def __len__(self) -> int:
        return sum(e.size for e in self._ends) - 1

    def flush(self) -> None:
        """Write everything out and index it (before worker processes that read the store are forked)."""
        if self._offsets is None:
            self._file.flush()
            self._offsets = np.concatenate(self._ends)
            self._ends = [self._offsets]

    def __getitem__(self, i: int) -> np.ndarray:
        if self._last is not None and self._last[0] == i:  # pairs come sorted by their first document
            return self._last[1]
        if self._offsets is None:
            self.flush()
        start, stop = int(self._offsets[i]), int(self._offsets[i + 1])
        data = os.pread(self._file.fileno(), (stop - start) * 4, start * 4)
        out = np.frombuffer(data, dtype=np.uint32)
        self._last = (i, out)
        return out

    def __enter__(self) -> ShingleStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._file.close()


class TextStore:
    """Normalised texts in a temporary file (utf-8); ``store.words(i)`` gives one document's words back."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._file = tempfile.TemporaryFile(prefix="dedup-texts-") if enabled else None
        self._ends: list[int] = [0]
        self._pos = 0
        # A text is in as many candidate pairs as it has look-alikes: its facts and shingles are read once.
        self._analysed: OrderedDict[int, Analysed] = OrderedDict()

    def extend(self, texts: Sequence[str]) -> None:
        encoded = [t.encode("utf-8") for t in texts]
        self.extend_encoded(b"".join(encoded), np.array([len(b) for b in encoded], dtype=np.int64))

    def extend_encoded(self, data: bytes, sizes: np.ndarray) -> None:
        """Texts already encoded (utf-8) and joined, ``sizes`` bytes each: one write."""
        if self._file is None:
            return
        self._file.write(data)
        self._ends.extend((self._pos + np.cumsum(sizes)).tolist())
        self._pos += len(data)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def words(self, i: int) -> list[str]:
        if self._file is None:
            return []
        self._file.flush()
        start, stop = self._ends[i], self._ends[i + 1]
        return os.pread(self._file.fileno(), stop - start, start).decode("utf-8").split()

    def analysed(self, i: int) -> Analysed:
        """Document ``i`` prepared for :func:`dedup.relation.relation` (the last few thousand are kept)."""
        found = self._analysed.get(i)
        if found is not None:
            self._analysed.move_to_end(i)
            return found
        found = self._analysed[i] = Analysed(self.words(i))
        if len(self._analysed) > ANALYSED_CACHE:
            self._analysed.popitem(last=False)
        return found

    def __enter__(self) -> TextStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._file is not None:
            self._file.close()


def exact_groups(infos: Sequence[DocInfo], order: Sequence[int]) -> dict[int, list[int]]:
    """Exact copies (equal normalised-text digests): the best-ranked of each group maps to the other members."""
    representative: dict[str, int] = {}
    groups: dict[int, list[int]] = {}
    for i in order:
        if infos[i].words == 0:
            continue
        rep = representative.setdefault(infos[i].digest, i)
        groups.setdefault(rep, [])
        if rep != i:
            groups[rep].append(i)
    return groups


def find_links(
    reps: Sequence[int],
    shingles: ShingleStore | Sequence[np.ndarray],
    texts: TextStore,
    signatures: np.ndarray,
    s: Settings,
    scores: list[np.ndarray] | None = None,
    workers: int = 1,
) -> list[Link]:
    """MinHash LSH candidates among distinct texts ``reps``, verified on their exact shingle sets (``scores``
    receives every candidate pair's similarity, a float32 array per chunk: a million-document corpus has
    millions of candidates, too many for a Python float each).

    Verification (exact sets, then the template test on the pairs that pass) is most of the work on a corpus
    full of copies, so the candidate pairs are verified in chunks by ``workers`` processes, which read the
    shingle and text stores through the file descriptors they inherit; links come back in pair order.
    """
    if len(reps) < 2:
        return []
    reps_arr = np.asarray(reps, dtype=np.int64)
    bands, rows = lsh_params(s.lsh_threshold, s.num_perm)
    # Banded in place (no copy of the reps' signatures: 512 MB at a million documents), chance collisions
    # dropped band by band.
    pairs = candidate_pairs(signatures, bands, rows, rows_of=reps_arr, min_shared=MIN_SHARED_VALUES)
    pairs = reps_arr[pairs] if pairs.size else pairs
    if isinstance(shingles, ShingleStore):
        shingles.flush()
    texts.flush()
    chunks = [pairs[i:i + VERIFY_CHUNK] for i in range(0, len(pairs), VERIFY_CHUNK)]
    workers = workers if len(chunks) > 1 else 1
    links: list[Link] = []
    for chunk_links, chunk_scores in ordered_map(_verify_chunk, chunks, workers, (shingles, texts, s)):
        links.extend(chunk_links)
        if scores is not None:
            scores.append(chunk_scores)
    return links


def _verify_chunk(state: tuple[Sequence[np.ndarray], TextStore, Settings], pairs: np.ndarray
                  ) -> tuple[list[Link], np.ndarray]:
    shingles, texts, s = state

    def relation_of(a: int, b: int) -> str:
        return relation(texts.analysed(a), texts.analysed(b)) if s.templates else DUPLICATE

    scores: list[float] = []
    links = verify(pairs, shingles, VerifyOptions(s.threshold, s.containment), relation_of, scores)
    return links, np.asarray(scores, dtype=np.float32)


def expand_exact(clusters: list[Cluster], groups: dict[int, list[int]], order: Sequence[int]) -> list[Cluster]:
    """Put exact copies where their representative is (a new cluster when it is in none)."""
    where = {m: (k, sim) for k, c in enumerate(clusters) for m, sim in c.members}
    for rep, copies in groups.items():
        if not copies:
            continue
        if rep in where:
            k, sim = where[rep]
            clusters[k].members.extend((c, sim) for c in copies)
        else:
            clusters.append(Cluster(keep=rep, members=[(rep, 1.0), *((c, 1.0) for c in copies)]))
    rank = {d: r for r, d in enumerate(order)}
    clusters.sort(key=lambda c: rank[c.keep])
    return clusters


def _attach_siblings(clusters: list[Cluster], links: Sequence[Link]) -> None:
    where = {m: k for k, c in enumerate(clusters) for m, _ in c.members}
    for link in links:
        if link.relation == TEMPLATE:
            k = where.get(link.a, where.get(link.b))
            if k is not None:
                clusters[k].siblings.append((link.a, link.b, link.similarity))


def keep_order(infos: Sequence[DocInfo], keep: str, prefer: Sequence[str] = ()) -> list[int]:
    """Document indexes, best candidate to survive first.

    ``first``: input order. ``longest``: most words. ``earliest``: oldest ``date`` (undated last).
    ``source``: documents from the ``prefer`` sources, in that order, before the rest.
    Ties always fall back to input order, so results are deterministic.
    """
    n = len(infos)
    if keep == "longest":
        return sorted(range(n), key=lambda i: (-infos[i].words, i))
    if keep == "earliest":
        return sorted(range(n), key=lambda i: (infos[i].date is None, infos[i].date or "", i))
    if keep == "source":
        pos = {src.lower(): k for k, src in enumerate(prefer)}
        return sorted(range(n), key=lambda i: (pos.get((infos[i].source or "").lower(), len(pos)), i))
    return list(range(n))


def scan_documents(docs: Iterable[Document], settings: Settings = Settings()) -> ScanResult:
    """Scan in-memory documents (cleaned here) and return their clusters."""
    return Pipeline(settings).scan_documents(docs)


def scan(inputs: Sequence[str], settings: Settings = Settings()) -> ScanResult:
    """Scan files, directories, JSONL and ``-`` (stdin) and return the clusters."""
    return Pipeline(settings).scan(inputs)
