"""What every persistent index is: its settings record, its entries, and the query, written once for all backends.

An index keeps, for each document seen before, its fingerprint (MinHash signature, sorted shingle hashes, a digest
of the normalised text) and a little metadata, plus LSH buckets: each document is filed under the
:func:`dedup.lsh.band_hashes` keys of its signature (``flat`` keys: one key space for all bands). A query is:

1. **exact copies**: the documents stored with the new one's digest match with similarity 1.0 (those older than
   the window, ``since``, and those gone or damaged meanwhile are dropped). When they are enough, that is all:
   no bucket is read.
2. **candidates**: the ``max_candidates`` documents filed under the most of the new one's band keys, fetched with
   their shingles and text, less the exact copies and the same old, gone or damaged ones.
3. **verify** the candidates on their exact shingle sets as :func:`dedup.cluster.verify` does in a scan, then by
   the relation test of :mod:`dedup.templates` (template siblings and shared fragments are not copies), best
   first.

The three steps are :meth:`Index._query`, here, for every backend. A backend provides storage only:
:meth:`Index._exact`, :meth:`Index._ranked`, :meth:`Index._fetch`, :meth:`Index._put` and :meth:`Index._delete`,
plus its own atomic check-then-add (:meth:`Index.seen`: a transaction in SQLite, an optimistic WATCH in Redis),
expiry, statistics and closing.

>>> fp = Fingerprinter()
>>> entry = make_entry("a", "the cabinet met on monday to approve the budget", fp, date="2024-03-10")
>>> entry.id, len(entry.signature), entry.ts
('a', 128, 1710028800.0)
"""

from __future__ import annotations

import abc
import hashlib
import os
import re
import time
import zlib
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

import numpy as np

from dedup.cluster import DUPLICATE, VerifyOptions, verify
from dedup.fingerprint import SCHEME, Fingerprinter
from dedup.io import InputError
from dedup.lsh import band_hashes, datasketch_version, lsh_params
from dedup.normalize import NormalizeOptions
from dedup.templates import relation
from dedup.version import __version__

FORMAT_VERSION = 1
DAY = 86400.0
# Settings whose values change fingerprints or buckets: an index refuses documents made with other values.
COMPATIBLE_FIELDS = ("format", "scheme", "ngram", "num_perm", "seed", "normalize", "probe")
# Fingerprinted when an index is made and on every open: any change to tokenising, shingling, normalisation or
# permutations between dedup versions changes this text's signature, so an old index is never silently mixed.
PROBE_TEXT = "أعلنَ الرئيسُ يوم ١٤ ديسمبر في دمشق عن خطة جديدة. The port strike entered its third day, 2024."
DEFAULT_VERIFY = VerifyOptions()
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")

Ref = Hashable  # how a backend points at a stored document (SQLite: its rowid; Redis: its id as bytes)


class IndexMismatch(InputError):
    """The index was built with settings that make its fingerprints incomparable with this run's."""


@dataclass(frozen=True, slots=True)
class IndexSettings:
    """What an index's fingerprints depend on; stored in the index and compared on every open.

    ``scheme`` is datasketch's hash scheme: 2.x ``affine32`` values differ from the 1.x ``legacy`` ones.

    >>> [p.split(":")[0] for p in IndexSettings(ngram=5).problems(IndexSettings())]
    ['ngram', 'probe']
    """

    ngram: int = 3
    num_perm: int = 128
    seed: int = 1
    scheme: str = SCHEME
    normalize: str = NormalizeOptions().signature()
    lsh_threshold: float = 0.3  # the index's own banding (recall of the bucket lookup), read back from the index
    format: int = FORMAT_VERSION
    probe: str = ""  # see PROBE_TEXT; computed when empty

    def __post_init__(self) -> None:
        if not self.probe:
            object.__setattr__(self, "probe", fingerprint_probe(self))

    @classmethod
    def from_settings(cls, settings: Any) -> IndexSettings:
        """From a :class:`dedup.pipeline.Settings`."""
        return cls(
            ngram=settings.ngram,
            num_perm=settings.num_perm,
            seed=settings.seed,
            normalize=settings.normalize.signature(),
        )

    @property
    def bands_rows(self) -> tuple[int, int]:
        return lsh_params(self.lsh_threshold, self.num_perm)

    def to_meta(self) -> dict[str, str]:
        bands, rows = self.bands_rows
        return {
            **{k: str(v) for k, v in asdict(self).items()},
            "bands": str(bands),
            "rows": str(rows),
            "dedup_version": __version__,
            "datasketch_version": datasketch_version(),
        }

    @classmethod
    def from_meta(cls, meta: dict[str, str], where: str) -> IndexSettings:
        try:
            values: dict[str, Any] = {}
            for f in fields(cls):
                raw = meta[f.name]
                values[f.name] = float(raw) if f.name == "lsh_threshold" else int(raw) if f.type == "int" else raw
            return cls(**values)
        except (KeyError, ValueError):
            raise InputError(f"{where}: not a dedup index, or its settings record is damaged") from None

    def problems(self, index: IndexSettings) -> list[str]:
        """How this run's settings (``self``) differ from the index's, one string per setting."""
        return [
            f"{name}: index {getattr(index, name)}, this run {getattr(self, name)}"
            for name in COMPATIBLE_FIELDS
            if getattr(self, name) != getattr(index, name)
        ]

    def check(self, index: IndexSettings, where: str) -> None:
        """Raise :class:`IndexMismatch` (one line) when the index cannot take this run's fingerprints."""
        problems = self.problems(index)
        if problems:
            hint = (
                " (datasketch 1.x legacy hash values differ from 2.x affine32)"
                if any(p.startswith("scheme") for p in problems)
                else ""
            )
            if problems == [p for p in problems if p.startswith("probe")]:
                hint = " (this dedup version tokenises or normalises differently from the one that built it)"
            raise IndexMismatch(
                f"{where}: index built with incompatible settings ({'; '.join(problems)}){hint}; "
                "use the index's settings or build a new index"
            )


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


@dataclass(frozen=True, slots=True)
class Match:
    """An indexed document a new one duplicates."""

    id: str
    similarity: float
    jaccard: float = 1.0
    containment: float = 1.0
    relation: str = DUPLICATE


@dataclass(frozen=True, slots=True)
class Stored:
    """A stored document as :meth:`Index._fetch` reads it back for verification."""

    id: str
    ts: float
    shingles: np.ndarray  # sorted distinct uint32
    text: bytes | None  # the normalised text as packed by pack_entry (zlib); None or b"" when absent


def fingerprint_probe(settings: IndexSettings) -> str:
    """A short digest of :data:`PROBE_TEXT`'s fingerprint under ``settings`` with this version of dedup."""
    from dedup.normalize import normalize

    names = set(settings.normalize.split(",")) if settings.normalize else set()
    options = NormalizeOptions(**{f.name: f.name in names for f in fields(NormalizeOptions)})
    try:
        fp = Fingerprinter(num_perm=settings.num_perm, ngram=settings.ngram, seed=settings.seed)
    except ValueError as err:
        raise InputError(f"index settings: {err}") from None
    signature, _ = fp.fingerprint_one(normalize(PROBE_TEXT, options).split())
    return hashlib.blake2b(signature.astype("<u4").tobytes(), digest_size=6).hexdigest()


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
    """Fingerprint one normalised text (see :func:`dedup.normalize.normalize`) into an :class:`Entry`."""
    now = time.time() if now is None else now
    text_shingles = getattr(fingerprinter, "text_shingles", None)  # one numpy pass over the text, when available
    shingles = text_shingles(normalized) if text_shingles else fingerprinter.shingles(normalized.split())
    signature = fingerprinter.signatures([shingles])[0]
    digest = hashlib.blake2b(normalized.encode(), digest_size=16).digest()
    when = parse_time(date)
    return Entry(
        doc_id, digest, signature, shingles, normalized, date, source, title, now, when if when is not None else now
    )


def pack_entry(entry: Entry) -> tuple[bytes, bytes, bytes]:
    """Signature, shingles and text as stored: little-endian uint32 arrays and zlib-compressed UTF-8.

    >>> e = Entry("a", b"", np.array([1, 2], np.uint32), np.array([3], np.uint32), "x y")
    >>> sig, sh, text = pack_entry(e)
    >>> sig, sh, unpack_text(text)
    (b'\\x01\\x00\\x00\\x00\\x02\\x00\\x00\\x00', b'\\x03\\x00\\x00\\x00', 'x y')
    """
    return (
        np.ascontiguousarray(entry.signature, dtype="<u4").tobytes(),
        np.ascontiguousarray(entry.shingles, dtype="<u4").tobytes(),
        zlib.compress(entry.text.encode("utf-8"), 6) if entry.text else b"",
    )


def unpack_text(blob: bytes | None) -> str:
    """The text :func:`pack_entry` stored; "" when absent or damaged (never an exception)."""
    if not blob:
        return ""
    try:
        return zlib.decompress(blob).decode("utf-8")
    except (zlib.error, UnicodeDecodeError):
        return ""


def is_redis(location: str | os.PathLike[str]) -> bool:
    """Whether ``location`` names a Redis index (a URL) rather than an SQLite file."""
    return str(location).startswith(REDIS_SCHEMES)


def _user_part(text: str) -> tuple[int, int] | None:
    """Where a URL's ``user:password`` part starts and ends (the ``@`` after it), or ``None`` without one."""
    start = text.find("//") + 2
    if start < 2:
        return None
    end = min((i for i in (text.find(c, start) for c in "?#") if i >= 0), default=len(text))
    at = text.rfind("@", start, end)  # the last @ ends the user part: a password may hold "@" or "/"
    return (start, at) if at >= 0 else None


def display_location(location: str | os.PathLike[str]) -> str:
    """``location`` as it may be shown in messages and summaries: a Redis URL's password becomes ``***``.

    >>> display_location("redis://app:s3cr/t@db.example:6379/0?prefix=news")
    'redis://app:***@db.example:6379/0?prefix=news'
    >>> display_location("rediss://:s3cret@db.example/0?password=s3cret")
    'rediss://:***@db.example/0?password=***'
    >>> display_location("news.sqlite")
    'news.sqlite'
    """
    text = str(location)
    if not is_redis(text):
        return text
    span = _user_part(text)
    if span is not None:
        start, at = span
        user, colon, _ = text[start:at].partition(":")
        text = text[:start] + (f"{user}:***" if colon else user) + text[at:]
    # redis-py also takes the password as a URL parameter.
    return re.sub(r"([?&]password=)[^&#]*", r"\1***", text, flags=re.IGNORECASE)


def url_passwords(url: str) -> list[str]:
    """The passwords a Redis URL carries (user part, ``password=``), as written and percent-decoded: what must be
    kept out of any message.

    >>> url_passwords("redis://app:s3cr%40t@h/0"), url_passwords("redis://h/0?password=pw"), url_passwords("redis://h")
    (['s3cr%40t', 's3cr@t'], ['pw'], [])
    """
    found = []
    span = _user_part(url)
    if span is not None:
        _, colon, password = url[span[0] : span[1]].partition(":")
        found += [password] if colon else []
    found += re.findall(r"[?&]password=([^&#]*)", url, flags=re.IGNORECASE)
    found += [unquote(p) for p in found]
    return list(dict.fromkeys(p for p in found if p))


def verify_candidates(
    entry: Entry,
    candidates: Sequence[tuple[str, np.ndarray, str]],
    options: VerifyOptions,
    templates: bool = True,
    limit: int | None = None,
) -> list[Match]:
    """Matches among ``(id, shingles, normalised text)`` candidates, best first, at most ``limit``.

    Pairs are verified on their shingle sets as :func:`dedup.cluster.verify` does; with ``templates``, the
    relation test (template siblings and other non-copies are dropped) runs on the best pairs only, until
    ``limit`` copies are found.
    """
    if not candidates:
        return []
    shingles = [entry.shingles, *(c[1] for c in candidates)]
    pairs = np.array([[0, i] for i in range(1, len(shingles))], dtype=np.int64)
    links = sorted(verify(pairs, shingles, options), key=lambda link: (-link.similarity, candidates[link.b - 1][0]))
    words = entry.text.split() if templates else []
    matches: list[Match] = []
    for link in links:
        name, _, text = candidates[link.b - 1]
        kind = relation(words, text.split()) if templates and text else DUPLICATE
        if kind != DUPLICATE:  # a template sibling, or shared fragments rather than one text
            continue
        matches.append(Match(name, link.similarity, link.jaccard, link.containment, kind))
        if limit is not None and len(matches) >= limit:
            break
    return matches


class Index(abc.ABC):
    """What every index backend offers. Open one with :func:`dedup.index.open_index`; use it as a context manager.

    A backend sets ``settings``, ``bands`` and ``rows`` when it opens, and implements the storage methods
    (``_exact``, ``_ranked``, ``_fetch``, ``_put``, ``_delete``) and ``seen``, ``expire``, ``stats`` and ``close``.
    """

    location: str  # for messages: never holds a password (see display_location)
    settings: IndexSettings
    bands: int
    rows: int

    def __init__(self, location: str, verify_options: VerifyOptions, templates: bool, max_candidates: int) -> None:
        self.location = display_location(location)
        self.verify_options = verify_options
        self.templates = templates
        self.max_candidates = max_candidates

    # -- the storage a backend provides ----------------------------------------------------------------------------

    @abc.abstractmethod
    def _exact(self, digest: bytes) -> list[tuple[str, float]]:
        """``(id, time)`` of the documents stored with ``digest`` (exact copies), in the backend's stable order;
        damaged ones left out."""

    @abc.abstractmethod
    def _ranked(self, band_keys: Sequence[int]) -> list[Ref]:
        """The ``max_candidates`` documents filed under the most of ``band_keys``, most first."""

    @abc.abstractmethod
    def _fetch(self, refs: Sequence[Ref]) -> list[Stored | None]:
        """The documents ``refs`` point to, in that order: ``None`` for one gone (expired meanwhile) or damaged."""

    @abc.abstractmethod
    def _put(self, entries: Sequence[Entry]) -> int:
        """Store ``entries`` whose ids are not indexed yet, in one transaction; return how many were new."""

    @abc.abstractmethod
    def _delete(self, ids: Sequence[str]) -> int:
        """Delete documents and their bucket entries by id, in one transaction; return how many existed."""

    # -- the query, for every backend ------------------------------------------------------------------------------

    def band_keys(self, signatures: np.ndarray) -> np.ndarray:
        """The bucket keys (``n x bands`` int64) that documents with these signatures are filed under."""
        return band_hashes(signatures, self.bands, self.rows)

    def _query(
        self, entry: Entry, since: float | None, limit: int, band_keys: Sequence[int] | None = None
    ) -> list[Match]:
        """Indexed documents ``entry`` duplicates, dated ``since`` or later, best first, at most ``limit``."""
        floor = -np.inf if since is None else since
        exact = self._exact(entry.digest)
        matches = [Match(doc_id, 1.0) for doc_id, ts in exact if not ts < floor]
        if len(matches) >= limit or entry.shingles.size == 0:
            return matches[:limit]
        keys = self.band_keys(entry.signature)[0].tolist() if band_keys is None else band_keys
        copies = {doc_id for doc_id, _ in exact}  # answered above, in the window or not
        candidates = [
            (doc.id, doc.shingles, unpack_text(doc.text) if self.templates else "")
            for doc in self._fetch(self._ranked(keys))
            if doc is not None and doc.id not in copies and not doc.ts < floor
        ]
        matches += verify_candidates(entry, candidates, self.verify_options, self.templates, limit - len(matches))
        return matches[:limit]

    # -- what callers use ------------------------------------------------------------------------------------------

    def query(self, entry: Entry, since: float | None = None, limit: int = 10) -> list[Match]:
        """Indexed documents ``entry`` duplicates (dated ``since`` or later), best first."""
        return self._query(entry, since, limit)

    def add(self, entries: Sequence[Entry]) -> int:
        """Store ``entries`` in one transaction (ids already present are left as they are); return how many were new."""
        return self._put(entries) if entries else 0

    def remove(self, ids: Iterable[str]) -> int:
        """Delete documents by id; return how many existed."""
        return self._delete(list(ids))

    @abc.abstractmethod
    def seen(self, entry: Entry, since: float | None = None) -> Match | None:
        """Atomically: the best match of ``entry``, or ``None`` after adding it (so of two processes offering
        the same story at once exactly one gets ``None``)."""

    @abc.abstractmethod
    def expire(self, before: float) -> int:
        """Delete documents whose time is older than ``before`` (seconds since the epoch); return how many."""

    @abc.abstractmethod
    def stats(self) -> dict[str, Any]:
        """Counts, time range and settings, as plain JSON-ready values."""

    def compact(self) -> None:  # noqa: B027 - optional for backends with nothing to compact
        """Reclaim space freed by removals and expiry."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
