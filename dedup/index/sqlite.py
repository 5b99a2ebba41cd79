"""The embedded index backend: one SQLite file (no server, transactions, WAL journal, safe for several processes).

Tables: ``meta`` holds the settings the index was built with, ``docs`` one row per document (id, digest, dates,
source, title, MinHash signature, sorted shingle hashes, content words and the compressed normalised text),
``bands`` the LSH buckets as ``(band key, doc rowid)`` rows with the key first, so that looking up a new
document's 64 band keys is 64 B-tree probes; a removed copy is filed only under the keys its kept document lacks
and found through that document for the others (:meth:`SqliteIndex._with_removed_copies`). Each batch is one
transaction: a process killed mid-write leaves the index as of its last committed batch. The query itself is
:meth:`dedup.index.base.Index._query`.

>>> import os, tempfile
>>> with SqliteIndex(os.path.join(tempfile.mkdtemp(), "i.sqlite"), IndexSettings()) as index:
...     index.stats()["backend"], index.stats()["documents"]
('sqlite', 0)
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from dedup.index.base import SEEN, Entry, Head, Index, Match, Ref, Stored, pack_entry, unpack_array
from dedup.index.checkpoint import Checkpointer
from dedup.index.meta import IndexSettings, upgraded_meta
from dedup.io import InputError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, digest BLOB NOT NULL, ts REAL NOT NULL,
    added_at REAL NOT NULL, dated INTEGER NOT NULL DEFAULT 0, date TEXT, source TEXT, title TEXT,
    signature BLOB NOT NULL, shingles BLOB NOT NULL, words BLOB NOT NULL, text BLOB, copy_of TEXT, relation TEXT);
CREATE INDEX IF NOT EXISTS docs_digest ON docs(digest);
CREATE INDEX IF NOT EXISTS docs_ts ON docs(ts);
CREATE TABLE IF NOT EXISTS bands(key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY(key, doc)) WITHOUT ROWID;
"""
# Format 5: the removed copies of a document, by its id (see SqliteIndex._with_removed_copies).
_COPY_OF_INDEX = "CREATE INDEX IF NOT EXISTS docs_copy_of ON docs(copy_of) WHERE copy_of IS NOT NULL"
_SCHEMA += _COPY_OF_INDEX + ";\n"
_FETCH_CHUNK = 500  # rowids per SELECT … IN (…): under SQLite's bound-parameter limit (999 before 3.32)
_EXPIRE_BATCH = 5000
_MAX_KEYS = 900  # band keys per SELECT … IN (…): a long document's excerpt windows have thousands
_CACHE_KIB = 128 * 1024  # page cache per connection
_MMAP_BYTES = 1 << 31  # memory-mapped reads (SQLite caps this at its compile-time maximum)
_INSERT_DOC = (
    "INSERT INTO docs(id, digest, ts, added_at, dated, date, source, title, signature, shingles, words, text, copy_of,"
    " relation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class SqliteIndex(Index):
    """An index in one SQLite file, WAL mode, one transaction per batch.

    ``settings=None`` opens an existing index with whatever settings it records (for stats and maintenance).
    """

    def __init__(
        self, path: str | os.PathLike[str], settings: IndexSettings | None = None, max_candidates: int = 200
    ) -> None:
        super().__init__(str(path), max_candidates)
        self._checkpoints: Checkpointer | None = None  # started by the first batch written (see _checkpointed)
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
            # The bands B-tree is read and written at random: a page cache that holds its upper levels and many
            # leaves between transactions, and reads through a memory map instead of one read() per page. Both
            # are about this connection only; writes still go through the WAL, as crash-safe as before.
            self.db.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
            self.db.execute(f"PRAGMA mmap_size = {_MMAP_BYTES}")
            self.settings = self._init(settings)
        except sqlite3.DatabaseError as err:
            with contextlib.suppress(Exception):
                self.db.close()
            raise InputError(f"{path}: not a dedup index ({err})") from None
        except InputError:
            with contextlib.suppress(Exception):
                self.db.close()
            raise
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
            meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall()) if tables else {}
            if not meta:
                if wanted is None:
                    raise InputError(f"{self.location}: no such index")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.executemany("INSERT INTO meta VALUES (?, ?)", list(wanted.to_meta().items()))
                return wanted
            upgrade = upgraded_meta(meta)
            if upgrade:  # see dedup.index.meta; its removed copies keep all their bucket rows, which is still right
                if meta.get("format") == "3":  # two columns more
                    self.db.execute("ALTER TABLE docs ADD COLUMN copy_of TEXT")
                    self.db.execute("ALTER TABLE docs ADD COLUMN relation TEXT")
                self.db.execute(_COPY_OF_INDEX)
                self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(upgrade.items()))
                meta.update(upgrade)
        stored = IndexSettings.from_meta(meta, self.location)  # an index of another format is refused here
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
            if self._checkpoints is not None:
                self._checkpoints.committed()
        except sqlite3.Error as err:
            # A full disk (SQLITE_FULL) or I/O error: SQLite may already have rolled the transaction back itself.
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise InputError(
                f"{self.location}: cannot write the index ({err}); batches committed before are kept"
            ) from None
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    # -- storage ---------------------------------------------------------------------------------------------------

    def _exact(self, digest: bytes) -> list[tuple[str, float, str | None, str]]:
        query = "SELECT id, ts, copy_of, COALESCE(relation, '') FROM docs WHERE digest = ? ORDER BY rowid"
        return self.db.execute(query, (digest,)).fetchall()

    def _refs(self, ids: Sequence[str]) -> list[Ref | None]:
        found: dict[str, int] = {}
        for start in range(0, len(ids), _FETCH_CHUNK):
            chunk = ids[start : start + _FETCH_CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(self.db.execute(f"SELECT id, rowid FROM docs WHERE id IN ({marks})", chunk).fetchall())
        return [found.get(doc_id) for doc_id in ids]

    def _ranked(self, band_keys: Sequence[int]) -> list[Ref]:
        return self._with_removed_copies(self._ranked_rows(band_keys), band_keys)

    def _with_removed_copies(self, ranked: list[Ref], band_keys: Sequence[int]) -> list[Ref]:
        """``ranked``, then the removed copies of the kept documents in it that share one of ``band_keys``.

        A removed copy is filed only under the bucket keys its kept document is not filed under (see
        :meth:`_seen`): a new document sharing any other key of it shares that key with the kept one, which is
        then ranked, and its removed copies are found here, by their ``copy_of``. Whether one shares a key with
        the new document is read off its own signature, so the candidates are those of a copy filed under all
        its keys.
        """
        keys, have, extra = set(band_keys), set(ranked), []
        for start in range(0, len(ranked), _FETCH_CHUNK):
            chunk = ranked[start : start + _FETCH_CHUNK]
            marks = ",".join("?" * len(chunk))
            query = (
                "SELECT r.rowid, r.signature FROM docs AS k JOIN docs AS r ON r.copy_of = k.id"
                f" WHERE k.rowid IN ({marks}) AND k.copy_of IS NULL"
            )
            for rowid, sig in self.db.execute(query, chunk):
                sketches = self.stored_sketches(sig)
                if rowid not in have and sketches is not None and not keys.isdisjoint(self.sketch_keys(sketches)):
                    extra.append(rowid)
                    have.add(rowid)
        return ranked + sorted(extra)

    def _ranked_rows(self, band_keys: Sequence[int]) -> list[Ref]:
        """The ``max_candidates`` documents with the most rows under ``band_keys``, most first."""
        if len(band_keys) <= _MAX_KEYS:
            marks = ",".join("?" * len(band_keys))
            query = (
                f"SELECT doc, COUNT(*) AS n FROM bands WHERE key IN ({marks}) GROUP BY doc ORDER BY n DESC, doc LIMIT ?"
            )
            return [r[0] for r in self.db.execute(query, (*band_keys, self.max_candidates))]
        # A very long document (its excerpt windows' keys): more keys than one statement may bind; counted here.
        counts: Counter[Ref] = Counter()
        for start in range(0, len(band_keys), _MAX_KEYS):
            chunk = band_keys[start : start + _MAX_KEYS]
            marks = ",".join("?" * len(chunk))
            counts.update(r[0] for r in self.db.execute(f"SELECT doc FROM bands WHERE key IN ({marks})", chunk))
        return [doc for doc, _ in sorted(counts.items(), key=lambda dn: (-dn[1], dn[0]))[: self.max_candidates]]

    def _rows(self, columns: str, refs: Sequence[Ref]) -> dict[Ref, tuple[Any, ...]]:
        """``columns`` of the documents with these rowids, by rowid."""
        found: dict[Ref, tuple[Any, ...]] = {}
        for start in range(0, len(refs), _FETCH_CHUNK):
            chunk = refs[start : start + _FETCH_CHUNK]
            marks = ",".join("?" * len(chunk))
            for rowid, *row in self.db.execute(f"SELECT rowid, {columns} FROM docs WHERE rowid IN ({marks})", chunk):
                found[rowid] = tuple(row)
        return found

    def _heads(self, refs: Sequence[Ref]) -> list[Head | None]:
        rows = self._rows("id, ts, signature", refs)
        out: list[Head | None] = []
        for ref in refs:
            row = rows.get(ref)
            sig = self.stored_sketches(row[2]) if row is not None else None
            out.append(None if sig is None else Head(ref, row[0], row[1], sig))
        return out

    def _fetch(self, refs: Sequence[Ref]) -> list[Stored | None]:
        rows = self._rows("id, ts, shingles, words, text, copy_of, title", refs)
        out: list[Stored | None] = []
        for ref in refs:
            row = rows.get(ref)
            sh, words = (unpack_array(row[2]), unpack_array(row[3])) if row is not None else (None, None)
            out.append(
                None if sh is None or words is None else Stored(row[0], row[1], sh, words, row[4], row[5], row[6] or "")
            )
        return out

    def _insert(self, entries: Sequence[Entry], replace: bool = True, keys: Sequence[int] | None = None) -> int:
        """Insert inside the caller's transaction: the body of :meth:`_put` and of :meth:`seen`; an id indexed
        already is replaced when its text changed, else left as it is (``replace=False``: the caller made sure
        that the ids are not indexed). The bucket rows of all ``entries`` go in at once, in key order: one pass
        down the B-tree instead of a random walk per document. ``keys``: the bucket keys of a single entry, when
        the caller has them already."""
        added, band_rows = 0, []
        for e in entries:
            if replace and self._replace(e) is not None:
                continue  # the same text under the same id: already indexed
            rowid = self.db.execute(_INSERT_DOC, _doc_row(e)).lastrowid
            added += 1
            band_rows += [(key, rowid) for key in (self.entry_keys(e) if keys is None else keys)]
        band_rows.sort()
        self.db.executemany("INSERT OR IGNORE INTO bands(key, doc) VALUES (?, ?)", band_rows)
        return added

    def bulk_load(self, batches: Iterable[Sequence[Entry]]) -> int:
        """Fill a new, empty index with many documents fast (ids taken as new; a later entry of an id seen in an
        earlier one is left out); return how many were stored. The bucket rows are appended to a scratch table
        and sorted into the bands B-tree once at the end, instead of being inserted at random document by
        document: the way to build a large index (or the million-document one of ``bench/filter_bench.py``).
        One transaction: a run that fails leaves the index empty."""
        with self._write():
            if self.db.execute("SELECT 1 FROM docs LIMIT 1").fetchone() is not None:
                raise InputError(f"{self.location}: bulk loading needs an empty index")
            self.db.execute("CREATE TEMP TABLE bulk_bands(key INTEGER NOT NULL, doc INTEGER NOT NULL)")
            seen: set[str] = set()
            added = 0
            for batch in batches:
                band_rows = []
                for e in batch:
                    if e.id in seen:
                        continue
                    seen.add(e.id)
                    rowid = self.db.execute(_INSERT_DOC, _doc_row(e)).lastrowid
                    keys = np.unique(self.band_keys(np.asarray(e.sketches, dtype=np.uint32)))
                    band_rows.append(np.stack((keys, np.full(keys.size, rowid, dtype=np.int64)), axis=1))
                    added += 1
                if band_rows:
                    self.db.executemany("INSERT INTO bulk_bands VALUES (?, ?)", np.concatenate(band_rows).tolist())
            self.db.execute("INSERT OR IGNORE INTO bands SELECT key, doc FROM bulk_bands ORDER BY key, doc")
            self.db.execute("DROP TABLE bulk_bands")
        return added

    def _replace(self, entry: Entry) -> Match | None:
        """Inside the caller's transaction: a :data:`SEEN` match when ``entry``'s id is indexed with the same
        text; else ``None``, after deleting the id's old version if there is one."""
        old = self.db.execute("SELECT rowid, digest, signature FROM docs WHERE id = ?", (entry.id,)).fetchone()
        if old is None:
            return None
        if old[1] == entry.digest:
            return Match(entry.id, 1.0, relation=SEEN)
        self._delete_rows([(old[0], old[2])])
        return None

    def _checkpointed(self) -> None:
        """From now on, checkpoint the write-ahead log in a background thread (:mod:`dedup.index.checkpoint`):
        batches of bucket rows make nearly every commit cross SQLite's checkpoint limit."""
        if self._checkpoints is None:
            self._checkpoints = Checkpointer(self.location, self.db)

    def _put(self, entries: Sequence[Entry]) -> int:
        self._checkpointed()
        with self._write():
            return self._insert(entries)

    def _delete_rows(self, rows: Sequence[tuple[int, bytes]]) -> None:
        """Delete ``(rowid, signature)`` rows and their bucket entries, inside the caller's transaction. The
        removed copies of a deleted document that stay are filed under all their keys again: they can no longer
        be found through it (see :meth:`_with_removed_copies`)."""
        if not rows:
            return
        gone = {rowid for rowid, _ in rows}
        refile = []
        for start in range(0, len(rows), _FETCH_CHUNK):
            chunk = [rowid for rowid, _ in rows[start : start + _FETCH_CHUNK]]
            marks = ",".join("?" * len(chunk))
            query = (
                "SELECT r.rowid, r.signature FROM docs AS k JOIN docs AS r ON r.copy_of = k.id"
                f" WHERE k.rowid IN ({marks}) AND k.copy_of IS NULL"
            )
            refile += [row for row in self.db.execute(query, chunk) if row[0] not in gone]
        for rowid, sig in refile:
            sketches = self.stored_sketches(sig)
            if sketches is not None:
                keys = sorted(self.sketch_keys(sketches))
                self.db.executemany("INSERT OR IGNORE INTO bands(key, doc) VALUES (?, ?)", [(k, rowid) for k in keys])
        for rowid, sig in rows:
            sketches = self.stored_sketches(sig)
            row_keys = self.sketch_keys(sketches) if sketches is not None else []
            self.db.executemany("DELETE FROM bands WHERE key = ? AND doc = ?", [(k, rowid) for k in row_keys])
        self.db.executemany("DELETE FROM docs WHERE rowid = ?", [(rowid,) for rowid, _ in rows])

    def _delete(self, ids: Sequence[str]) -> int:
        with self._write():
            rows = []
            for doc_id in ids:
                rows += self.db.execute("SELECT rowid, signature FROM docs WHERE id = ?", (doc_id,)).fetchall()
            self._delete_rows(rows)
            return len(rows)

    # -- the rest of the interface ---------------------------------------------------------------------------------

    def seen(self, entry: Entry, since: float | None = None) -> Match | None:
        # One write transaction around query and insert: a second process offering the same story waits for
        # this one to commit, then finds its copy.
        with self._write():
            return self._seen(entry, since)

    def seen_many(self, entries: Sequence[Entry], since: Sequence[float | None]) -> list[Match | None]:
        # One transaction for the batch: the same decisions (each entry is queried after the ones before it were
        # inserted), one commit instead of one per document, which was most of the cost of `dedup filter`.
        self._checkpointed()
        with self._write():
            return [self._seen(entry, floor) for entry, floor in zip(entries, since)]

    def _seen(self, entry: Entry, since: float | None) -> Match | None:
        """:meth:`seen` inside the caller's transaction."""
        same = self._replace(entry)
        if same is not None:
            return same
        keys = self.entry_keys(entry)  # for the query and the insert
        found = self._query(entry, since, 1, keys)
        # A removed copy is indexed too, pointing at what was kept: a later document that duplicates it joins
        # that document's cluster as a scan attaches a stray (Index._through_removed).
        kept = found[0] if found else None
        if kept is None:
            self._insert([entry], False, keys)
        else:  # filed only under the keys the kept document lacks: found through it for the others
            self._insert(
                [replace(entry, copy_of=kept.id, relation=kept.relation)], False, self._keys_not_of(kept.id, keys)
            )
        return kept

    def _keys_not_of(self, doc_id: str, keys: Sequence[int]) -> list[int]:
        """Those of ``keys`` the kept document ``doc_id`` is not filed under (all of them when it is unreadable)."""
        row = self.db.execute("SELECT signature FROM docs WHERE id = ? AND copy_of IS NULL", (doc_id,)).fetchone()
        sketches = self.stored_sketches(row[0]) if row is not None else None
        if sketches is None:
            return list(keys)
        theirs = set(self.sketch_keys(sketches))
        return [key for key in keys if key not in theirs]

    def expire(self, before: float) -> int:
        total = 0
        while True:  # bounded batches: expiring a month of a big index must not hold one huge transaction
            with self._write():
                rows = self.db.execute(
                    "SELECT rowid, signature FROM docs WHERE ts < ? LIMIT ?", (before, _EXPIRE_BATCH)
                ).fetchall()
                self._delete_rows(rows)
            total += len(rows)
            if len(rows) < _EXPIRE_BATCH:
                return total

    def newest_date(self, until: float) -> float | None:
        # Walks the ts index from `until` down to the first dated entry.
        query = "SELECT ts FROM docs WHERE dated = 1 AND ts <= ? ORDER BY ts DESC LIMIT 1"
        row = self.db.execute(query, (until,)).fetchone()
        return None if row is None else float(row[0])

    def stats(self) -> dict[str, Any]:
        query = "SELECT COUNT(*), COUNT(copy_of), MIN(ts), MAX(ts) FROM docs"
        n, removed, oldest, newest = self.db.execute(query).fetchone()
        size = sum(os.path.getsize(p) for p in (self.location, self.location + "-wal") if os.path.exists(p))
        meta = dict(self.db.execute("SELECT key, value FROM meta").fetchall())

        def iso(t: float | None) -> str | None:
            return None if t is None else datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds")

        return {
            "index": self.location,
            "backend": "sqlite",
            "documents": n - removed,
            "removed_copies": removed,
            "oldest": iso(oldest),
            "newest": iso(newest),
            "bytes": size,
            "settings": meta,
        }

    def compact(self) -> None:
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.execute("VACUUM")
        self.db.execute("PRAGMA optimize")

    def close(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.close()
            self._checkpoints = None
        with contextlib.suppress(sqlite3.Error):
            self.db.close()


def _doc_row(e: Entry) -> tuple[Any, ...]:
    """The values of :data:`_INSERT_DOC` for one entry."""
    sig, sh, words, text = pack_entry(e)
    return (e.id, e.digest, e.ts, e.added_at, int(e.dated), e.date, e.source, e.title, sig, sh, words, text,
            e.copy_of, e.relation or None)  # fmt: skip
