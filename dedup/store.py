"""A persistent near-duplicate index: fingerprints of documents seen before, kept on disk between runs.

The default backend is one SQLite file (no server, transactions, WAL journal): ``meta`` holds the settings the
index was built with, ``docs`` one row per document (id, digest, dates, source, title, MinHash signature, sorted
shingle hashes and the compressed normalised text), ``bands`` the LSH buckets as ``(band key, doc)`` rows with the
key first, so that looking up a new document's 37 band keys is 37 B-tree probes. Candidates are verified on their
exact shingle sets exactly as :func:`dedup.cluster.verify` does in a scan. Each batch is one transaction: a process
killed mid-write leaves the index as of its last committed batch. ``redis://`` locations are served by
:mod:`dedup.store_redis` with the same interface.

>>> import tempfile, os
>>> from dedup.fingerprint import Fingerprinter
>>> fp = Fingerprinter()
>>> story = "the cabinet met on monday to approve the budget for the coming year after long talks".split()
>>> entry = make_entry("a", " ".join(story), fp)
>>> with open_index(os.path.join(tempfile.mkdtemp(), "i.sqlite"), IndexSettings()) as index:
...     index.add([entry])
...     [m.id for m in index.query(make_entry("b", " ".join(story[:-1]), fp))]
1
['a']
"""

from __future__ import annotations

import abc
import contextlib
import hashlib
import os
import sqlite3
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from dedup import __version__
from dedup.cluster import DUPLICATE, VerifyOptions, verify
from dedup.fingerprint import SCHEME, Fingerprinter, _fmix
from dedup.index import datasketch_version, lsh_params
from dedup.io import InputError
from dedup.normalize import NormalizeOptions
from dedup.relation import relation

FORMAT_VERSION = 1
DAY = 86400.0
# Settings whose values change fingerprints or buckets: an index refuses documents made with other values.
COMPATIBLE_FIELDS = ("format", "scheme", "ngram", "num_perm", "seed", "normalize", "probe")
# Fingerprinted when an index is made and on every open: any change to tokenising, shingling, normalisation or
# permutations between dedup versions changes this text's signature, so an old index is never silently mixed.
PROBE_TEXT = "أعلنَ الرئيسُ يوم ١٤ ديسمبر في دمشق عن خطة جديدة. The port strike entered its third day, 2024."
_BAND_SALT = np.uint64(0x9E3779B97F4A7C15)
# Row multipliers of the band hash. Fixed here (not shared with dedup.index): stored bucket keys depend on them.
_ROW_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93],
                    dtype=np.uint64)
DEFAULT_VERIFY = VerifyOptions()


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
        return cls(ngram=settings.ngram, num_perm=settings.num_perm, seed=settings.seed,
                   normalize=settings.normalize.signature())

    @property
    def bands_rows(self) -> tuple[int, int]:
        return lsh_params(self.lsh_threshold, self.num_perm)

    def to_meta(self) -> dict[str, str]:
        bands, rows = self.bands_rows
        return {**{k: str(v) for k, v in asdict(self).items()}, "bands": str(bands), "rows": str(rows),
                "dedup_version": __version__, "datasketch_version": datasketch_version()}

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
        return [f"{name}: index {getattr(index, name)}, this run {getattr(self, name)}"
                for name in COMPATIBLE_FIELDS if getattr(self, name) != getattr(index, name)]

    def check(self, index: IndexSettings, where: str) -> None:
        """Raise :class:`IndexMismatch` (one line) when the index cannot take this run's fingerprints."""
        problems = self.problems(index)
        if problems:
            hint = " (datasketch 1.x legacy hash values differ from 2.x affine32)" if any(
                p.startswith("scheme") for p in problems) else ""
            if problems == [p for p in problems if p.startswith("probe")]:
                hint = " (this dedup version tokenises or normalises differently from the one that built it)"
            raise IndexMismatch(f"{where}: index built with incompatible settings ({'; '.join(problems)}){hint}; "
                                "use the index's settings or build a new index")


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


def make_entry(doc_id: str, normalized: str, fingerprinter: Fingerprinter, *, date: str | None = None,
               source: str | None = None, title: str = "", now: float | None = None) -> Entry:
    """Fingerprint one normalised text (see :func:`dedup.normalize.normalize`) into an :class:`Entry`."""
    now = time.time() if now is None else now
    text_shingles = getattr(fingerprinter, "text_shingles", None)  # one numpy pass over the text, when available
    shingles = text_shingles(normalized) if text_shingles else fingerprinter.shingles(normalized.split())
    signature = fingerprinter.signatures([shingles])[0]
    digest = hashlib.blake2b(normalized.encode(), digest_size=16).digest()
    when = parse_time(date)
    return Entry(doc_id, digest, signature, shingles, normalized, date, source, title, now,
                 when if when is not None else now)


def band_hashes(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """LSH band keys (``n x bands`` int64) of a signature matrix: the same banding as :mod:`dedup.index`, with the
    band number mixed in so that one flat key identifies (band, bucket).

    >>> band_hashes(np.zeros((2, 8), dtype=np.uint32), 4, 2).shape
    (2, 4)
    """
    signatures = np.atleast_2d(np.asarray(signatures, dtype=np.uint32))
    cells = signatures[:, : bands * rows].reshape(signatures.shape[0], bands, rows).astype(np.uint64)
    acc = np.zeros((signatures.shape[0], bands), dtype=np.uint64)
    for k in range(rows):  # every band at once, one row of each per step
        acc = _fmix(acc ^ (cells[:, :, k] * _ROW_MIX[k % 4]), 64)
    acc ^= np.arange(1, bands + 1, dtype=np.uint64) * _BAND_SALT
    return _fmix(acc, 64).view(np.int64)


def verify_candidates(entry: Entry, candidates: Sequence[tuple[str, np.ndarray, str]], options: VerifyOptions,
                      templates: bool = True, limit: int | None = None) -> list[Match]:
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
    """What every index backend offers. Open one with :func:`open_index`; use it as a context manager."""

    location: str
    settings: IndexSettings
    verify_options: VerifyOptions
    templates: bool

    @abc.abstractmethod
    def add(self, entries: Sequence[Entry]) -> int:
        """Store ``entries`` in one transaction (ids already present are left as they are); return how many were new."""

    @abc.abstractmethod
    def query(self, entry: Entry, since: float | None = None, limit: int = 10) -> list[Match]:
        """Indexed documents ``entry`` duplicates (dated ``since`` or later), best first."""

    @abc.abstractmethod
    def seen(self, entry: Entry, since: float | None = None) -> Match | None:
        """Atomically: the best match of ``entry``, or ``None`` after adding it (so of two processes offering
        the same story at once exactly one gets ``None``)."""

    @abc.abstractmethod
    def remove(self, ids: Iterable[str]) -> int:
        """Delete documents by id; return how many existed."""

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


def _pack(entry: Entry) -> tuple[bytes, bytes, bytes]:
    return (np.ascontiguousarray(entry.signature, dtype="<u4").tobytes(),
            np.ascontiguousarray(entry.shingles, dtype="<u4").tobytes(),
            zlib.compress(entry.text.encode("utf-8"), 6) if entry.text else b"")


def _unpack_text(blob: bytes | None) -> str:
    if not blob:
        return ""
    try:
        return zlib.decompress(blob).decode("utf-8")
    except (zlib.error, UnicodeDecodeError):
        return ""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, digest BLOB NOT NULL, ts REAL NOT NULL,
    added_at REAL NOT NULL, date TEXT, source TEXT, title TEXT, signature BLOB NOT NULL, shingles BLOB NOT NULL,
    text BLOB);
CREATE INDEX IF NOT EXISTS docs_digest ON docs(digest);
CREATE INDEX IF NOT EXISTS docs_ts ON docs(ts);
CREATE TABLE IF NOT EXISTS bands(key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY(key, doc)) WITHOUT ROWID;
"""


class SqliteIndex(Index):
    """The embedded backend: one SQLite file in WAL mode, one transaction per batch, safe for several processes.

    ``settings=None`` opens an existing index with whatever settings it records (for stats and maintenance).
    """

    def __init__(self, path: str | os.PathLike[str], settings: IndexSettings | None = None,
                 verify_options: VerifyOptions = DEFAULT_VERIFY, templates: bool = True,
                 max_candidates: int = 200) -> None:
        self.location = str(path)
        self.verify_options = verify_options
        self.templates = templates
        self.max_candidates = max_candidates
        exists = Path(path).exists() and Path(path).stat().st_size > 0
        if not exists and settings is None:
            raise InputError(f"{path}: no such index")
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.location, timeout=60, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA busy_timeout = 60000")
            mode = self._journal_mode_wal()
            if mode.lower() != "wal":
                raise InputError(f"{path}: cannot use a write-ahead log here ({mode}); put the index on a local disk")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.settings = self._init(settings)
        except sqlite3.DatabaseError as err:
            with contextlib.suppress(Exception):
                self.db.close()
            raise InputError(f"{path}: not a dedup index ({err})") from None
        self.bands, self.rows = self.settings.bands_rows

    def _journal_mode_wal(self, wait: float = 60.0) -> str:
        """Switch the file to WAL and return the journal mode now in force.

        Switching needs an exclusive lock, and when another process is creating the same index at that moment
        SQLite answers "database is locked" at once instead of calling the busy handler: wait here as the busy
        timeout would (two `dedup filter` runs started together on a new index failed about one time in ten).
        """
        deadline = time.monotonic() + wait
        while True:
            try:
                return str(self.db.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _init(self, wanted: IndexSettings | None) -> IndexSettings:
        with self._write():
            tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables and "meta" not in tables:
                raise InputError(f"{self.location}: not a dedup index (an SQLite file with other tables)")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
            if not meta:
                if wanted is None:
                    raise InputError(f"{self.location}: no such index")
                self.db.executemany("INSERT INTO meta VALUES (?, ?)", list(wanted.to_meta().items()))
                return wanted
        stored = IndexSettings.from_meta(meta, self.location)
        if wanted is not None:
            wanted.check(stored, self.location)
        return stored

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction, taken up front so concurrent writers queue instead of failing mid-way."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.db.execute("COMMIT")
        except sqlite3.Error as err:
            # A full disk (SQLITE_FULL) or I/O error: SQLite may already have rolled the transaction back itself.
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise InputError(f"{self.location}: cannot write the index ({err}); "
                             "batches committed before are kept") from None
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def _insert(self, entries: Sequence[Entry]) -> int:
        added = 0
        keys = band_hashes(np.stack([e.signature for e in entries]), self.bands, self.rows) if entries else None
        for k, e in enumerate(entries):
            sig, sh, text = _pack(e)
            cur = self.db.execute(
                "INSERT OR IGNORE INTO docs(id, digest, ts, added_at, date, source, title, signature, shingles, text)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (e.id, e.digest, e.ts, e.added_at, e.date, e.source, e.title, sig, sh, text))
            if cur.rowcount != 1:
                continue
            added += 1
            rowid = cur.lastrowid
            assert keys is not None
            self.db.executemany("INSERT OR IGNORE INTO bands(key, doc) VALUES (?, ?)",
                                [(int(key), rowid) for key in keys[k]])
        return added

    def add(self, entries: Sequence[Entry]) -> int:
        if not entries:
            return 0
        with self._write():
            return self._insert(entries)

    def _query(self, entry: Entry, since: float | None, limit: int) -> list[Match]:
        floor = -1e300 if since is None else since
        exact = self.db.execute("SELECT id FROM docs WHERE digest = ? AND ts >= ? ORDER BY rowid LIMIT ?",
                                (entry.digest, floor, limit)).fetchall()
        matches = [Match(r[0], 1.0) for r in exact]
        if len(matches) >= limit or entry.shingles.size == 0:
            return matches[:limit]
        keys = band_hashes(entry.signature, self.bands, self.rows)[0].tolist()
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(
            f"SELECT d.id, d.shingles, d.text FROM (SELECT doc, COUNT(*) AS n FROM bands WHERE key IN ({marks})"
            f" GROUP BY doc ORDER BY n DESC LIMIT ?) AS c JOIN docs AS d ON d.rowid = c.doc WHERE d.ts >= ?",
            (*keys, self.max_candidates, floor)).fetchall()
        known = {m.id for m in matches}
        candidates = [(r[0], np.frombuffer(r[1], dtype="<u4"), _unpack_text(r[2]) if self.templates else "")
                      for r in rows if r[0] not in known]
        matches += verify_candidates(entry, candidates, self.verify_options, self.templates, limit - len(matches))
        return matches[:limit]

    def query(self, entry: Entry, since: float | None = None, limit: int = 10) -> list[Match]:
        return self._query(entry, since, limit)

    def seen(self, entry: Entry, since: float | None = None) -> Match | None:
        with self._write():
            found = self._query(entry, since, 1)
            if found:
                return found[0]
            self._insert([entry])
            return None

    def _delete_rows(self, rows: Sequence[tuple[int, bytes]]) -> None:
        if not rows:
            return
        sigs = np.stack([np.frombuffer(sig, dtype="<u4") for _, sig in rows])
        keys = band_hashes(sigs, self.bands, self.rows)
        for (rowid, _), row_keys in zip(rows, keys):
            self.db.executemany("DELETE FROM bands WHERE key = ? AND doc = ?", [(int(k), rowid) for k in row_keys])
        self.db.executemany("DELETE FROM docs WHERE rowid = ?", [(rowid,) for rowid, _ in rows])

    def remove(self, ids: Iterable[str]) -> int:
        with self._write():
            rows = []
            for doc_id in ids:
                rows += self.db.execute("SELECT rowid, signature FROM docs WHERE id = ?", (doc_id,)).fetchall()
            self._delete_rows(rows)
            return len(rows)

    def expire(self, before: float) -> int:
        total = 0
        while True:  # bounded batches: expiring a month of a big index must not hold one huge transaction
            with self._write():
                rows = self.db.execute("SELECT rowid, signature FROM docs WHERE ts < ? LIMIT 5000", (before,)).fetchall()
                self._delete_rows(rows)
            total += len(rows)
            if len(rows) < 5000:
                return total

    def stats(self) -> dict[str, Any]:
        n, oldest, newest = self.db.execute("SELECT COUNT(*), MIN(ts), MAX(ts) FROM docs").fetchone()
        size = sum(os.path.getsize(p) for p in (self.location, self.location + "-wal") if os.path.exists(p))
        meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())

        def iso(t: float | None) -> str | None:
            return None if t is None else datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds")

        return {"index": self.location, "backend": "sqlite", "documents": n, "oldest": iso(oldest),
                "newest": iso(newest), "bytes": size, "settings": meta}

    def compact(self) -> None:
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.execute("VACUUM")
        self.db.execute("PRAGMA optimize")

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()


def is_redis(location: str | os.PathLike[str]) -> bool:
    return str(location).startswith(("redis://", "rediss://", "unix://"))


def open_index(location: str | os.PathLike[str], settings: IndexSettings | None = None,
               verify_options: VerifyOptions = DEFAULT_VERIFY, templates: bool = True) -> Index:
    """Open (creating it when ``settings`` are given) the index at a file path or a ``redis://host:port/db`` URL.

    Raises :class:`dedup.io.InputError` (one line) when it cannot be opened or its settings are incompatible.
    """
    if is_redis(location):
        from dedup.store_redis import RedisIndex

        return RedisIndex(str(location), settings, verify_options, templates)
    return SqliteIndex(location, settings, verify_options, templates)
