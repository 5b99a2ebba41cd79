"""What an index stores of a document: its :class:`Entry` (fingerprint and metadata), as :func:`make_entry` makes
it from a normalised text and :func:`pack_entry` packs it, and what reading it back gives (:class:`Head`,
:class:`Stored`), and the :class:`Match` a query answers.

>>> fp = Fingerprinter()
>>> entry = make_entry("a", "the cabinet met on monday to approve the budget", fp, date="2024-03-10")
>>> entry.id, len(entry.signature), entry.ts, entry.dated, entry.words.size, entry.windows.shape
('a', 128, 1710028800.0, True, 7, (0, 128))
"""

from __future__ import annotations

import hashlib
import time
import zlib
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

from dedup.cluster import COPY
from dedup.fingerprint import Fingerprinter, content_word_hashes, content_words, shingle_hashes, words_of
from dedup.lsh import band_hashes, excerpt_signatures

DAY = 86400.0
SEEN = "seen"  # Match.relation of a document indexed already under the same id with the same text
Ref = Hashable  # how a backend points at a stored document (SQLite: its rowid; Redis: its id as bytes)


@dataclass(slots=True)
class Entry:
    """One document's fingerprint and metadata as an index stores it."""

    id: str
    digest: bytes  # 16-byte hash of the normalised text: equal digests are exact copies
    signature: np.ndarray  # uint32 x num_perm
    shingles: np.ndarray  # sorted distinct uint32
    text: str = ""  # normalised text, kept (compressed) to tell template siblings from copies
    date: str | None = None
    source: str | None = None
    title: str = ""
    added_at: float = 0.0
    ts: float = 0.0  # the time that ages the entry: its date when parseable, else when it was added
    words: np.ndarray | None = None  # content words (dedup.fingerprint.content_words), for the coverage rule
    dated: bool = False  # whether ts is the document's own date
    windows: np.ndarray | None = None  # signatures of its excerpt windows (dedup.lsh.excerpt_windows), k x num_perm
    copy_of: str | None = None  # a removed copy: the id of the kept document it duplicates (see Index.seen)
    relation: str = ""  # a removed copy's relation to that document: COPY or CONTAINED
    prepared: Prepared | None = None  # worked out ahead of the index's transaction (dedup.index.prepare)

    def __post_init__(self) -> None:
        if self.words is None:
            self.words = content_words(self.text)
        if self.windows is None:
            self.windows = np.empty((0, len(self.signature)), dtype=np.uint32)

    @property
    def sketches(self) -> np.ndarray:
        """The signature, then the windows' (``1 + k`` rows): what the index files the entry under."""
        assert self.windows is not None
        return np.vstack((np.atleast_2d(self.signature), self.windows)) if len(self.windows) else self.signature[None]


def bucket_keys(sketches: np.ndarray, num_perm: int, bands: int, rows: int) -> list[int]:
    """The distinct bucket keys a document is filed under for ``bands`` x ``rows`` banding: its signature's and
    its excerpt windows' (``sketches``: :attr:`Entry.sketches`, or a stored signature array), first seen first.

    >>> sketches = np.arange(8, dtype=np.uint32).reshape(2, 4)
    >>> len(bucket_keys(sketches, 4, 2, 2)), len(bucket_keys(np.vstack((sketches[0], sketches[0])), 4, 2, 2))
    (4, 2)
    """
    signatures = np.asarray(sketches, dtype=np.uint32).reshape(-1, num_perm)
    return list(dict.fromkeys(band_hashes(signatures, bands, rows).ravel().tolist()))


@dataclass(frozen=True, slots=True)
class Prepared:
    """What an index would work out from an :class:`Entry` inside its write transaction, worked out before it:
    the bucket keys for ``bands`` x ``rows`` banding (:meth:`dedup.index.base.Index.sketch_keys`) and the packed
    columns (:func:`pack_entry`). An index banded otherwise works the keys out again."""

    bands: int
    rows: int
    keys: list[int]
    packed: tuple[bytes, bytes, bytes, bytes]


@dataclass(frozen=True, slots=True)
class Match:
    """An indexed document a new one duplicates.

    ``relation``: :data:`~dedup.cluster.COPY` (each covers the other), :data:`~dedup.cluster.CONTAINED` (the
    indexed document covers the new one, not the reverse: a story inside a round-up), or :data:`SEEN` (the new
    document is the indexed one: same id, same text).
    """

    id: str
    similarity: float
    jaccard: float = 1.0
    containment: float = 1.0
    relation: str = COPY


@dataclass(frozen=True, slots=True)
class Head:
    """A candidate as :meth:`Index._heads` reads it: enough to apply the candidate rule and the window."""

    ref: Ref
    id: str
    ts: float
    signature: np.ndarray  # uint32, (1 + windows) x num_perm: the document's, then its excerpt windows'


@dataclass(frozen=True, slots=True)
class Stored:
    """A stored document as :meth:`Index._fetch` reads it back to be decided on."""

    id: str
    ts: float
    shingles: np.ndarray  # sorted distinct uint32
    words: np.ndarray  # content words
    text: bytes | None  # the normalised text as packed by pack_entry (zlib); None or b"" when absent
    copy_of: str | None = None  # a removed copy: the id of the kept document it duplicates
    title: str = ""  # the title as read (the rewrite decision compares titles)


def parse_time(value: str | float | None) -> float | None:
    """Seconds since the epoch of an ISO date or datetime (UTC when no zone is given); ``None`` if unparseable.

    >>> parse_time("2024-03-10")
    1710028800.0
    """
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text[:10])
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def make_entry(
    doc_id: str,
    normalized: str,
    fingerprinter: Fingerprinter,
    *,
    date: str | None = None,
    source: str | None = None,
    title: str = "",
    now: float | None = None,
) -> Entry:
    """Fingerprint one normalised text (see :func:`dedup.normalize.normalize`) into an :class:`Entry`, as a scan
    fingerprints it (same shingles, signature, digest and content words)."""
    return make_entries([(doc_id, normalized, date, source, title)], fingerprinter, now=now)[0]


def make_entries(
    docs: Sequence[tuple[str, str, str | None, str | None, str]],
    fingerprinter: Fingerprinter,
    *,
    now: float | None = None,
) -> list[Entry]:
    """:func:`make_entry` of each ``(id, normalised text, date, source, title)``, the same entries, with the
    MinHash signatures of the whole batch computed in one call (the permutations run over all its shingles at once)
    and each text's words hashed once for its shingles, content words and excerpt windows.

    >>> fp = Fingerprinter()
    >>> texts = ["the cabinet met on monday to approve the budget", "ships waited outside the port"]
    >>> batch = make_entries([(str(k), t, None, None, "") for k, t in enumerate(texts)], fp, now=0.0)
    >>> [bool((e.signature == make_entry(e.id, e.text, fp, now=0.0).signature).all()) for e in batch]
    [True, True]
    """
    now = time.time() if now is None else now
    settings = getattr(fingerprinter, "settings", None)
    ngram = getattr(settings, "ngram", None)
    if ngram is None:  # a fingerprinter of another kind: its own shingles, no excerpt windows
        shingle_sets = [fingerprinter.shingles(text.split()) for _, text, *_ in docs]
        words = [content_words(text) for _, text, *_ in docs]
        windows: list[np.ndarray | None] = [None] * len(docs)
    else:
        shingle_sets, words, windows = [], [], []
        for _, text, *_ in docs:
            hashes, lengths, letters = words_of(text)  # one pass over the text serves all three
            shingle_sets.append(shingle_hashes(hashes, ngram))
            words.append(content_word_hashes(hashes, lengths, letters))
            sigs = excerpt_signatures(hashes, fingerprinter)
            windows.append(sigs if len(sigs) else None)
    signatures = fingerprinter.signatures(shingle_sets)
    entries = []
    for (doc_id, text, date, source, title), shingles, signature, content, sketches in zip(
        docs, shingle_sets, signatures, words, windows
    ):
        digest = hashlib.blake2b(text.encode(), digest_size=16).digest()
        when = parse_time(date)
        entries.append(
            Entry(
                doc_id,
                digest,
                signature,
                shingles,
                text,
                date,
                source,
                title,
                now,
                when if when is not None else now,
                content,
                when is not None,
                sketches,
            )
        )
    return entries


def pack_entry(entry: Entry) -> tuple[bytes, bytes, bytes, bytes]:
    """Signature (the excerpt windows' after the document's), shingles, content words and text as stored:
    little-endian uint32 arrays and zlib-compressed UTF-8.

    >>> e = Entry("a", b"", np.array([1, 2], np.uint32), np.array([3], np.uint32), "x y")
    >>> sig, sh, words, text = pack_entry(e)
    >>> sig, sh, words, unpack_text(text)
    (b'\\x01\\x00\\x00\\x00\\x02\\x00\\x00\\x00', b'\\x03\\x00\\x00\\x00', b'', 'x y')
    """
    if entry.prepared is not None:
        return entry.prepared.packed
    return (
        np.ascontiguousarray(entry.sketches, dtype="<u4").tobytes(),
        np.ascontiguousarray(entry.shingles, dtype="<u4").tobytes(),
        np.ascontiguousarray(entry.words, dtype="<u4").tobytes(),
        zlib.compress(entry.text.encode("utf-8"), 1) if entry.text else b"",
    )


def unpack_array(blob: bytes | None) -> np.ndarray | None:
    """A uint32 array :func:`pack_entry` stored; ``None`` when absent or damaged (never an exception)."""
    if blob is None or len(blob) % 4:
        return None
    return np.frombuffer(blob, dtype="<u4")


def unpack_text(blob: bytes | None) -> str:
    """The text :func:`pack_entry` stored; "" when absent or damaged (never an exception)."""
    if not blob:
        return ""
    try:
        return zlib.decompress(blob).decode("utf-8")
    except (zlib.error, UnicodeDecodeError):
        return ""
