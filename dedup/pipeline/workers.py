"""The stage functions a scan runs on each batch of documents, in this process or in worker processes.

Each takes the run's :class:`StageState` (the same for every batch: a worker receives it once, when the pool
starts) and one batch, and returns plain data: page-cleaned :class:`~dedup.clean.Page` lists,
:class:`PackedBatch` for the spool, :class:`Fingerprints`. Any executor (:func:`dedup.parallel.ordered_map`
in-process or over a process pool) calls them the same way.

>>> from dedup.clean import Cleaner
>>> from dedup.document import Document
>>> from dedup.fingerprint import Fingerprinter, content_word_hashes, shingle_hashes, words_of
>>> from dedup.settings import Settings
>>> state = StageState(Cleaner(), Fingerprinter(), Settings())
>>> fp = clean_and_fingerprint(state, [Document(id="a", text="The port strike entered its third day.")])
>>> fp.infos[0].words, fp.signatures.shape
(7, (1, 128))
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dedup.clean import Cleaner, Page, site_observations
from dedup.clean.site import STORY_NGRAM, SiteObservation
from dedup.document import DocInfo, Document
from dedup.fingerprint import Fingerprinter, content_word_hashes, ngram_hashes, shingle_hashes, words_of
from dedup.io.records import RECORD_KEY
from dedup.lsh import EXCERPT_MIN_WORDS, excerpt_starts, window_ngrams
from dedup.normalize import DEFAULT_OPTIONS, normalize
from dedup.pipeline.spool import PageColumns, pack, unpack, unpack_pages
from dedup.pipeline.table import DocColumns
from dedup.settings import Settings


@dataclass(frozen=True)
class StageState:
    """What every batch of a run shares: the cleaner (with the site boilerplate learned, once it is), the
    fingerprinter and the settings."""

    cleaner: Cleaner
    fingerprinter: Fingerprinter
    settings: Settings
    explain: bool = True  # list what HTML extraction removed (only `clean` reports it)
    keep_records: bool = True  # keep each raw record, to write the corpus back (a scan never does)


def clean_pages(state: StageState, docs: list[Document]) -> list[Page]:
    """HTML extraction and line rules for a batch (no corpus knowledge needed)."""
    if not state.keep_records:
        # A scan reports; it never writes records back: the raw record (as big as the text) need not travel.
        for d in docs:
            d.meta.pop(RECORD_KEY, None)
    return state.cleaner.clean_pages_keyed(docs, explain=state.explain)


@dataclass(frozen=True)
class PackedBatch:
    """A page-cleaned batch as the first pass spools it: the pages packed (:func:`dedup.pipeline.spool.pack`),
    and their site observations."""

    observations: list[SiteObservation]
    pages: bytes


def clean_and_pack(state: StageState, docs: list[Document]) -> PackedBatch:
    """:func:`clean_pages`, pickled here for the spool, with what the site sketch counts beside it: the main
    process neither unpickles the pages nor pickles them again."""
    pages = clean_pages(state, docs)
    observations = site_observations(pages)
    return PackedBatch(observations, pack(pages))


@dataclass(frozen=True)
class SpooledBatch:
    """Where a pickled batch of pages lies in the spool file (read with ``os.pread``: no shared offset)."""

    fd: int
    offset: int
    size: int

    def load(self) -> list[Page]:
        return unpack_pages(self.read())

    def read(self) -> bytes:
        return os.pread(self.fd, self.size, self.offset)


@dataclass(frozen=True)
class FileSpooledBatch:
    """Where a pickled batch of pages lies in a spool file of a worker process (:mod:`dedup.pipeline.shares`)."""

    path: str
    offset: int
    size: int

    def load(self) -> list[Page]:
        return unpack_pages(self.read())

    def read(self) -> bytes:
        with open(self.path, "rb") as spool:
            return os.pread(spool.fileno(), self.size, self.offset)


def load_pages(batch: list[Page] | SpooledBatch | FileSpooledBatch) -> list[Page]:
    """The pages of a batch, read from the spool when it was spooled."""
    return batch if isinstance(batch, list) else batch.load()


@dataclass
class Fingerprints:
    """What a batch of documents becomes: report data, signatures, shingle sets and normalised texts."""

    infos: list[DocInfo]
    signatures: np.ndarray  # len(infos) x num_perm uint32
    shingles: np.ndarray  # every document's sorted shingle hashes, concatenated (uint32)
    sizes: np.ndarray  # shingles per document
    texts: bytes  # normalised texts, utf-8, one after the other (for template checks; empty when templates are off)
    text_sizes: np.ndarray  # bytes of each text in ``texts``
    words: np.ndarray  # every document's content words (dedup.fingerprint.content_words), concatenated
    word_sizes: np.ndarray  # content words per document
    # Signatures of the excerpt windows of the long documents (dedup.lsh.excerpt_windows), and the position in
    # this batch of the document each window belongs to.
    window_signatures: np.ndarray  # windows x num_perm uint32
    window_owners: np.ndarray  # int64
    stored: Stored | None = None  # shingles, words and texts are in files instead (fingerprint_and_store)
    columns: DocColumns | None = None  # the documents' records as columns instead of infos (the same)

    def records(self) -> DocColumns:
        """The documents' records as columns."""
        return self.columns if self.columns is not None else DocColumns.of(self.infos)


def fingerprint(
    pages: Sequence[Page] | PageColumns, cleaner: Cleaner, fingerprinter: Fingerprinter, s: Settings
) -> Fingerprints:
    """Strip site boilerplate, normalise and fingerprint a batch of page-cleaned documents.

    Each normalised text is read once (:func:`dedup.fingerprint.words_of`): its word hashes give its shingles
    (unless the site pass kept them), its content words and its excerpt windows' signatures, and those give a
    long document's own signature."""
    infos, sets, words = [], [], []
    texts: list[bytes] = []
    long_docs: list[tuple[int, np.ndarray]] = []  # the documents with excerpt windows, and their word hashes
    ngram = fingerprinter.settings.ngram
    for info, encoded, tokens, content, kept in _read(pages, cleaner, s, ngram):
        infos.append(
            DocInfo(
                *info,
                tokens.size,  # words: words_of splits at single spaces, norm.count(" ") + 1, 0 for ""
                hashlib.blake2b(encoded, digest_size=16).hexdigest(),  # digest
            )
        )
        sets.append(shingle_hashes(tokens, ngram) if kept is None else kept)
        words.append(content)
        texts.append(encoded if s.templates else b"")
        if tokens.size > EXCERPT_MIN_WORDS:  # else no excerpt windows (dedup.lsh.excerpt_starts)
            long_docs.append((len(infos) - 1, tokens))
    windows, owners, whole = batch_excerpt_signatures(long_docs, fingerprinter)
    signatures = np.empty((len(sets), fingerprinter.settings.num_perm), dtype=np.uint32)
    if whole.size:
        signatures[[i for i, _ in long_docs]] = whole
    rest = sorted(set(range(len(sets))) - {i for i, _ in long_docs})
    if rest:
        signatures[rest] = fingerprinter.signatures([sets[i] for i in rest])
    sizes = np.fromiter((x.size for x in sets), dtype=np.int64, count=len(sets))
    flat = np.concatenate(sets) if sets else np.empty(0, dtype=np.uint32)
    # Encoded here, in the worker, as one block: the main process writes it to the text store in one call.
    encoded = texts
    text_sizes = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
    word_sizes = np.fromiter((x.size for x in words), dtype=np.int64, count=len(words))
    return Fingerprints(
        infos,
        signatures,
        flat,
        sizes,
        b"".join(encoded),
        text_sizes,
        np.concatenate(words) if words else np.empty(0, dtype=np.uint32),
        word_sizes,
        windows,
        owners,
    )


def batch_excerpt_signatures(
    long_docs: list[tuple[int, np.ndarray]], fingerprinter: Fingerprinter
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The excerpt windows' signatures (:func:`dedup.lsh.excerpt_signatures`) of the documents ``long_docs``
    (each its place in the batch and its word hashes, more than :data:`dedup.lsh.EXCERPT_MIN_WORDS`), in their
    order; each window's document; and each document's own signature, the minimum of its windows' (they cover
    every n-gram of the text: its shingles are not permuted again). The documents' words are read as one text:
    no window reaches the n-grams that span two documents, so each gets what its own text gives it, and the
    batch costs two compiled calls, not two per document.

    >>> from dedup.fingerprint import token_hashes
    >>> from dedup.lsh import excerpt_signatures
    >>> fp = Fingerprinter(num_perm=16)
    >>> texts = [" ".join(f"w{i % 300}" for i in range(700)), " ".join(["a", "b"] * 260)]
    >>> docs = [(0, token_hashes(texts[0])), (2, token_hashes(texts[1]))]
    >>> windows, owners, whole = batch_excerpt_signatures(docs, fp)
    >>> alone = [excerpt_signatures(tokens, fp) for _, tokens in docs]
    >>> bool((windows == np.concatenate(alone)).all()), owners.tolist(), bool((whole[1] == alone[1].min(axis=0)).all())
    (True, [0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2], True)
    """
    num_perm = fingerprinter.settings.num_perm
    if not long_docs:
        return np.empty((0, num_perm), np.uint32), np.empty(0, np.int64), np.empty((0, num_perm), np.uint32)
    ngram = fingerprinter.settings.ngram
    span = window_ngrams(ngram)
    starts: list[int] = []
    counts: list[int] = []
    offset = 0
    for _, tokens in long_docs:
        first = excerpt_starts(tokens.size)
        starts.extend([offset + start for start in first])
        counts.append(len(first))
        offset += tokens.size
    hashes = ngram_hashes(np.concatenate([tokens for _, tokens in long_docs]), ngram)
    at = np.asarray(starts, dtype=np.int64)
    windows = fingerprinter.span_signatures(hashes, at, at + span)
    firsts = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=firsts[1:])
    owners = np.repeat(np.array([i for i, _ in long_docs], dtype=np.int64), counts)
    return windows, owners, np.minimum.reduceat(windows, firsts, axis=0)


_Read = tuple[tuple[Any, ...], bytes, np.ndarray, np.ndarray, np.ndarray | None]


def _read(pages: Sequence[Page] | PageColumns, cleaner: Cleaner, s: Settings, ngram: int) -> Iterator[_Read]:
    """Each page after site cleaning: its report fields (``DocInfo``'s first seven), its normalised text (UTF-8),
    word hashes and content words, and its shingles when the site pass kept them (else ``None``)."""
    default_normalize = s.normalize == DEFAULT_OPTIONS
    if isinstance(pages, PageColumns):
        if not default_normalize:
            yield from _read(pages.pages(), cleaner, s, ngram)
            return
        # A page that site cleaning leaves whole (most) is read from the columns: no Document, no decoding.
        f = pages.fields
        flat, sizes = pages.all_hashes()
        whole = cleaner.site.untouched(f[3], flat, sizes) if cleaner.site is not None else None
        story = ngram == STORY_NGRAM
        for k in range(len(pages)):
            if whole is not None and not whole[k]:
                yield from _read([pages.page(k)], cleaner, s, ngram)
                continue
            tokens, content, shingles = pages.arrays(k)
            info = (f[0][k], f[1][k], f[3][k], f[4][k], f[6][k], f[7][k], f[8][k])
            yield info, pages.normalised(k), tokens, content, shingles if story else None
        return
    for page, mask in zip(pages, cleaner.site_masks(pages)):
        doc, norm = cleaner.clean_site_keyed(page, mask)
        if not default_normalize:  # the page's keys are normalised with the defaults
            norm = normalize(doc.full_text, s.normalize)
        read = page.words_for(doc) if default_normalize else None  # the site pass's, if still valid
        if read is None:
            tokens, lengths, letters = words_of(norm)
            content = content_word_hashes(tokens, lengths, letters)
        else:
            tokens, content = read
        info = (doc.id, doc.title, doc.source, doc.date, doc.origin, doc.path, doc.root)
        yield info, norm.encode(), tokens, content, page.shingles_for(doc, ngram) if default_normalize else None


def fingerprint_pages(state: StageState, pages: list[Page] | SpooledBatch | FileSpooledBatch) -> Fingerprints:
    """:func:`fingerprint` of a page-cleaned (possibly spooled) batch."""
    batch = pages if isinstance(pages, list) else unpack(pages.read())
    return fingerprint(batch, state.cleaner, state.fingerprinter, state.settings)


@dataclass(frozen=True)
class Stored:
    """Where a worker process wrote a batch's shingles, content words and texts (files of its own, from these
    byte offsets on): the process that collects them never receives them (:meth:`ShingleStore.append_stored`)."""

    shingles: tuple[str, int]
    words: tuple[str, int]
    texts: tuple[str, int]


@dataclass(frozen=True)
class StoreState:
    """:func:`fingerprint_and_store`'s state: the run's, the stage to run and the folder to write in."""

    stage: StageState
    fingerprint: Callable[[StageState, Any], Fingerprints]  # a module-level stage function of this module
    folder: str


def fingerprint_and_store(state: StoreState, batch: Any) -> Fingerprints:
    """``state.fingerprint`` of ``batch``, its shingles, content words and texts written to this process's files
    in ``state.folder``: what comes back holds only the documents' report data and signatures, and ``stored``."""
    fp = state.fingerprint(state.stage, batch)
    fp.stored = Stored(
        _append(state.folder, "shingles", np.ascontiguousarray(fp.shingles, dtype=np.uint32).tobytes()),
        _append(state.folder, "words", np.ascontiguousarray(fp.words, dtype=np.uint32).tobytes()),
        _append(state.folder, "texts", fp.texts),
    )
    fp.shingles = fp.words = _NOTHING
    fp.texts = b""
    fp.columns, fp.infos = DocColumns.of(fp.infos), []
    return fp


_NOTHING = np.zeros(0, dtype=np.uint32)


def _append(folder: str, kind: str, data: bytes) -> tuple[str, int]:
    path = os.path.join(folder, f"{os.getpid()}.{kind}")
    with open(path, "ab") as out:
        offset = out.tell()
        out.write(data)
    return path, offset


def clean_and_fingerprint(state: StageState, docs: list[Document]) -> Fingerprints:
    """Clean and fingerprint a batch in one step (no site boilerplate to learn first)."""
    return fingerprint(clean_pages(state, docs), state.cleaner, state.fingerprinter, state.settings)
