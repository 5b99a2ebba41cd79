"""The shared index backend: the same buckets and fingerprints as :mod:`dedup.index.sqlite`, kept in Redis so that
many scraper processes on many machines check against, and add to, one index.

datasketch's own Redis storage for ``MinHashLSH`` unpickles what it reads back (datasketch issue #320): anyone able
to write to that Redis could run code in every worker. This backend replaces it and stores only raw bytes and
plain strings that it decodes itself (little-endian uint32 arrays, UTF-8, decimal numbers); a value that does not
decode is treated as a damaged entry and ignored. Nothing here imports or calls :mod:`pickle`.

Keys, under a prefix (``redis://host:6379/0?prefix=news``, default ``dedup``): ``P:meta`` (hash of settings),
``P:doc:ID`` (hash: digest, ts, added_at, date, source, title, sig, sh, words, txt, copy_of, relation), ``P:band:KEY`` (set of ids),
``P:digest:HEX`` (set of ids), ``P:ts`` (sorted set of ids by time, for expiry and windows), ``P:removed`` (set of the ids of removed copies) and ``P:dated`` (the
same for dated documents only: the clock of a window, see :meth:`RedisIndex.newest_date`).

"Check then add" is one optimistic transaction: the new document's band, digest and own document keys are
WATCHed while the candidates are read and decided, and the insert (with the deletion of the id's old version,
when its text changed) is ``MULTI``/``EXEC``; if another process wrote any of those keys meanwhile the
transaction is retried and now sees that process's copy. So of two workers offering the same story at the same
moment, exactly one is told it is new.

URL parameters other than ``prefix`` go to redis-py (``socket_timeout=5``, ``password=…``, ``client_name=…``); one
it does not know, or a value it cannot read, is a one-line error. Messages never show the password (see
:func:`dedup.index.base.display_location`).

>>> split_url("redis://h:1/2?prefix=news&socket_timeout=5")
('redis://h:1/2?socket_timeout=5', 'news')

Example: ``RedisIndex("redis://127.0.0.1:6379/0", IndexSettings())`` (see :func:`dedup.index.open_index`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from dedup.index.base import SEEN, Entry, Head, Index, Match, Ref, Stored, pack_entry, unpack_array
from dedup.index.meta import IndexSettings, upgraded_meta
from dedup.index.urls import url_passwords
from dedup.io import InputError

_MAX_RETRIES = 100
_EXPIRE_BATCH = 2000


def split_url(url: str) -> tuple[str, str]:
    """The connection URL without ``prefix=…``, and the key prefix (``dedup`` when not given)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    prefix = next((v for k, v in query if k == "prefix"), "dedup")
    rest = urlencode([(k, v) for k, v in query if k != "prefix"])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, rest, parts.fragment)), prefix


def _number(value: bytes | None) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _text(value: bytes | None) -> str | None:
    if value is None:
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return None


class RedisIndex(Index):
    """An index in Redis (``redis://host:port/db``); requires the ``redis`` package (``pip install dedup[redis]``)."""

    def __init__(self, url: str, settings: IndexSettings | None = None, max_candidates: int = 200) -> None:
        super().__init__(url, max_candidates)  # self.location: the URL, password masked
        try:
            import redis
        except ImportError:
            raise InputError(
                f"{self.location}: Redis support needs the redis package (pip install 'dedup[redis]')"
            ) from None
        self._redis = redis
        self._secrets = url_passwords(url)
        try:
            conn_url, self.prefix = split_url(url)
        except ValueError as err:  # e.g. an unclosed "[" of an IPv6 host
            raise InputError(f"{self.location}: not a Redis URL ({self._scrub(err)})") from None
        try:
            self.r = self._connect(conn_url)
            self.settings = self._init(settings)
        except redis.RedisError as err:
            raise InputError(f"{self.location}: cannot use Redis ({self._scrub(err)})") from None
        self.bands, self.rows = self.settings.bands_rows

    def _scrub(self, err: Exception) -> str:
        """An error's text without the URL's password, should a library ever quote it."""
        text = str(err)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _connect(self, url: str) -> Any:
        """A client for ``url``, its connection tried once; URL problems become one-line :class:`InputError`."""
        parts = urlsplit(url)
        if parts.scheme != "unix" and not re.fullmatch(r"/?(\d+)?", parts.path):
            raise InputError(
                f"{self.location}: not a Redis URL (the database after the host must be a number, "
                f"not {parts.path.lstrip('/')!r})"
            )
        try:
            client = self._redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)
            client.ping()
        except ValueError as err:  # a malformed port, host or parameter value
            raise InputError(f"{self.location}: not a Redis URL ({self._scrub(err)})") from None
        except TypeError as err:
            # redis-py hands the URL parameters it does not parse itself to its connection class as arguments.
            name = re.search(r"argument '(\w+)'", str(err))
            if name is None:
                raise
            raise InputError(f"{self.location}: unknown URL parameter {name.group(1)!r}") from None
        return client

    # -- keys ------------------------------------------------------------------------------------------------------

    def _k(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def _doc_key(self, doc_id: str | bytes) -> bytes:
        """Key of a document's hash; ids read back from Redis stay bytes, so even an undecodable one is found."""
        raw = doc_id if isinstance(doc_id, bytes) else doc_id.encode("utf-8")
        return self.prefix.encode("utf-8") + b":doc:" + raw

    def _bucket_names(self, band_keys: Sequence[int]) -> list[str]:
        return [self._k("band", str(key)) for key in band_keys]

    def _init(self, wanted: IndexSettings | None) -> IndexSettings:
        meta_key = self._k("meta")
        if wanted is not None:
            with self.r.pipeline() as pipe:
                for _ in range(_MAX_RETRIES):
                    try:
                        pipe.watch(meta_key)
                        if not pipe.exists(meta_key):
                            pipe.multi()
                            pipe.hset(meta_key, mapping=wanted.to_meta())
                            pipe.execute()
                        break
                    except self._redis.WatchError:
                        continue
        raw = self.r.hgetall(meta_key)
        if not raw:
            raise InputError(f"{self.location}: no such index")
        meta = {(_text(k) or ""): (_text(v) or "") for k, v in raw.items()}
        upgrade = upgraded_meta(meta)
        if upgrade:  # formats 3 and 4 (see dedup.index.meta): removed copies here keep all their bucket keys
            self.r.hset(meta_key, mapping=upgrade)
            meta.update(upgrade)
        stored = IndexSettings.from_meta(meta, self.location)
        if wanted is not None:
            wanted.check(stored, self.location)
        return stored

    # -- storage ---------------------------------------------------------------------------------------------------

    def _exact(self, digest: bytes) -> list[tuple[str, float, str | None, str]]:
        ids = sorted(self.r.smembers(self._k("digest", digest.hex())))
        reads = self.r.pipeline(transaction=False)
        for doc_id in ids:
            reads.hmget(self._doc_key(doc_id), "ts", "copy_of", "relation")
        found = []
        for doc_id, (ts, copy_of, kind) in zip(ids, reads.execute() if ids else []):
            name, when = _text(doc_id), _number(ts)
            if name is not None and when is not None:
                found.append((name, when, _text(copy_of) or None, _text(kind) or ""))
        return found

    def _refs(self, ids: Sequence[str]) -> list[Ref | None]:
        return [doc_id.encode("utf-8") for doc_id in ids]  # a missing one is None when fetched

    def _ranked(self, band_keys: Sequence[int]) -> list[Ref]:
        reads = self.r.pipeline(transaction=False)  # one round trip for every bucket
        for name in self._bucket_names(band_keys):
            reads.smembers(name)
        counts = Counter(i for bucket in reads.execute() for i in bucket)
        return [i for i, _ in counts.most_common(self.max_candidates)]

    def _heads(self, refs: Sequence[Ref]) -> list[Head | None]:
        reads = self.r.pipeline(transaction=False)
        for doc_id in refs:
            reads.hmget(self._doc_key(doc_id), "ts", "sig")
        out: list[Head | None] = []
        for doc_id, (ts, sig) in zip(refs, reads.execute() if refs else []):
            name, when, signature = _text(doc_id), _number(ts), self.stored_sketches(sig)
            if name is None or when is None or signature is None:
                out.append(None)  # missing (expired meanwhile) or damaged: never decoded further
            else:
                out.append(Head(doc_id, name, when, signature))
        return out

    def _fetch(self, refs: Sequence[Ref]) -> list[Stored | None]:
        reads = self.r.pipeline(transaction=False)
        for doc_id in refs:
            reads.hmget(self._doc_key(doc_id), "ts", "sh", "words", "txt", "copy_of", "title")
        out: list[Stored | None] = []
        for doc_id, (ts, sh, words, txt, copy_of, title) in zip(refs, reads.execute() if refs else []):
            name, when, shingles, content = _text(doc_id), _number(ts), unpack_array(sh), unpack_array(words)
            if name is None or when is None or shingles is None or content is None:
                out.append(None)  # missing (expired meanwhile) or damaged: never decoded further
            else:
                out.append(Stored(name, when, shingles, content, txt, _text(copy_of) or None, _text(title) or ""))
        return out

    def _queue_insert(self, pipe: Any, entry: Entry, band_keys: Sequence[int]) -> None:
        sig, sh, words, txt = pack_entry(entry)
        fields = {
            "digest": entry.digest,
            "ts": repr(entry.ts),
            "added_at": repr(entry.added_at),
            "date": entry.date or "",
            "source": entry.source or "",
            "title": entry.title,
            "sig": sig,
            "sh": sh,
            "words": words,
            "txt": txt,
            "copy_of": entry.copy_of or "",
            "relation": entry.relation,
        }
        pipe.hset(self._k("doc", entry.id), mapping=fields)
        pipe.sadd(self._k("digest", entry.digest.hex()), entry.id)
        pipe.zadd(self._k("ts"), {entry.id: entry.ts})
        if entry.dated:
            pipe.zadd(self._k("dated"), {entry.id: entry.ts})
        if entry.copy_of:
            pipe.sadd(self._k("removed"), entry.id)
        for name in self._bucket_names(band_keys):
            pipe.sadd(name, entry.id)

    def _queue_delete(self, pipe: Any, doc_id: str | bytes, sig: bytes | None, digest: bytes | None) -> bool:
        """Queue the deletion of a document whose ``sig`` and ``digest`` fields were read; whether it existed."""
        pipe.zrem(self._k("ts"), doc_id)
        pipe.zrem(self._k("dated"), doc_id)
        pipe.srem(self._k("removed"), doc_id)
        if sig is None:
            return False
        pipe.delete(self._doc_key(doc_id))
        if isinstance(digest, bytes) and len(digest) == 16:
            pipe.srem(self._k("digest", digest.hex()), doc_id)
        sketches = self.stored_sketches(sig)
        if sketches is not None:
            for name in self._bucket_names(self.sketch_keys(sketches)):
                pipe.srem(name, doc_id)
        return True

    def _put(self, entries: Sequence[Entry]) -> int:
        with self.r.pipeline(transaction=False) as reads:
            for e in entries:
                reads.hmget(self._doc_key(e.id), "sig", "digest")
            present = reads.execute()
        stored = 0
        with self.r.pipeline(transaction=True) as pipe:
            for e, (sig, digest) in zip(entries, present):
                if digest == e.digest:
                    continue  # the same text under the same id: already indexed
                self._queue_delete(pipe, e.id, sig, digest)  # the old version, when there is one
                self._queue_insert(pipe, e, self.entry_keys(e))
                stored += 1
            pipe.execute()
        return stored

    def _delete(self, ids: Sequence[str | bytes]) -> int:
        reads = self.r.pipeline(transaction=False)
        for doc_id in ids:
            reads.hmget(self._doc_key(doc_id), "sig", "digest")
        gone = 0
        with self.r.pipeline(transaction=True) as pipe:
            for doc_id, (sig, digest) in zip(ids, reads.execute()):
                gone += self._queue_delete(pipe, doc_id, sig, digest)
            pipe.execute()
        return gone

    # -- the rest of the interface ---------------------------------------------------------------------------------

    def seen(self, entry: Entry, since: float | None = None) -> Match | None:
        band_keys = self.entry_keys(entry)
        doc_key = self._doc_key(entry.id)
        watched = [self._k("digest", entry.digest.hex()), doc_key, *self._bucket_names(band_keys)]
        with self.r.pipeline() as pipe:
            for _ in range(_MAX_RETRIES):
                try:
                    pipe.watch(*watched)
                    sig, digest = pipe.hmget(doc_key, "sig", "digest")
                    if digest == entry.digest:  # the same text under the same id: already indexed
                        pipe.unwatch()
                        return Match(entry.id, 1.0, relation=SEEN)
                    # An old version (other text) is not a candidate: it is replaced, whatever the answer.
                    found = self._query(entry, since, 1, band_keys, exclude=entry.id)
                    kept = found[0] if found else None
                    pipe.multi()
                    self._queue_delete(pipe, entry.id, sig, digest)
                    # A removed copy is indexed too, pointing at what was kept (see SqliteIndex.seen).
                    stored = entry if kept is None else replace(entry, copy_of=kept.id, relation=kept.relation)
                    self._queue_insert(pipe, stored, band_keys)
                    pipe.execute()
                    return kept
                except self._redis.WatchError:
                    continue
        raise InputError(f"{self.location}: too much contention on one story's keys; try again")

    def newest_date(self, until: float) -> float | None:
        last = self.r.zrevrangebyscore(self._k("dated"), repr(until), "-inf", start=0, num=1, withscores=True)
        return float(last[0][1]) if last else None

    def expire(self, before: float) -> int:
        total = 0
        while True:
            ids = self.r.zrangebyscore(self._k("ts"), "-inf", f"({before!r}", start=0, num=_EXPIRE_BATCH)
            if not ids:
                return total
            total += self._delete(ids)

    def stats(self) -> dict[str, Any]:
        ts_key = self._k("ts")
        n, removed = self.r.zcard(ts_key), self.r.scard(self._k("removed"))
        first = self.r.zrange(ts_key, 0, 0, withscores=True)
        last = self.r.zrange(ts_key, -1, -1, withscores=True)

        def iso(pairs: list[Any]) -> str | None:
            return datetime.fromtimestamp(pairs[0][1], timezone.utc).isoformat(timespec="seconds") if pairs else None

        meta = {(_text(k) or ""): (_text(v) or "") for k, v in self.r.hgetall(self._k("meta")).items()}
        memory = self.r.info("memory").get("used_memory")
        return {
            "index": self.location,
            "backend": "redis",
            "documents": n - removed,
            "removed_copies": removed,
            "oldest": iso(first),
            "newest": iso(last),
            "bytes": memory,
            "settings": meta,
        }

    def close(self) -> None:
        self.r.close()
