"""The shared index: the same buckets and fingerprints as :class:`dedup.store.SqliteIndex`, kept in Redis so that
many scraper processes on many machines check against, and add to, one index.

datasketch's own Redis storage for ``MinHashLSH`` unpickles what it reads back (datasketch issue #320): anyone able
to write to that Redis could run code in every worker. This backend replaces it and stores only raw bytes and
plain strings that it decodes itself (little-endian uint32 arrays, UTF-8, decimal numbers); a value that does not
decode is treated as a damaged entry and ignored. Nothing here imports or calls :mod:`pickle`.

Keys, under a prefix (``redis://host:6379/0?prefix=news``, default ``dedup``): ``P:meta`` (hash of settings),
``P:doc:ID`` (hash: digest, ts, added_at, date, source, title, sig, sh, txt), ``P:band:KEY`` (set of ids),
``P:digest:HEX`` (set of ids) and ``P:ts`` (sorted set of ids by time, for expiry and windows).

"Check then add" is one optimistic transaction: the new document's band and digest keys are WATCHed while the
candidates are read and verified, and the insert is ``MULTI``/``EXEC``; if another process wrote any of those
keys meanwhile the transaction is retried and now sees that process's copy. So of two workers offering the same
story at the same moment, exactly one is told it is new.

Example: ``RedisIndex("redis://127.0.0.1:6379/0", IndexSettings())`` (see :func:`dedup.store.open_index`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

from dedup.cluster import VerifyOptions
from dedup.io import InputError
from dedup.store import (
    DEFAULT_VERIFY,
    Entry,
    Index,
    IndexSettings,
    Match,
    _pack,
    _unpack_text,
    band_hashes,
    verify_candidates,
)

_MAX_RETRIES = 100


def _split_url(url: str) -> tuple[str, str]:
    """The connection URL without ``prefix=…`` and the key prefix.

    >>> _split_url("redis://h:1/2?prefix=news")
    ('redis://h:1/2', 'news')
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    prefix = next((v for k, v in query if k == "prefix"), "dedup")
    rest = urlencode([(k, v) for k, v in query if k != "prefix"])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, rest, parts.fragment)), prefix


def _text(value: bytes | None) -> str | None:
    if value is None:
        return None
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return None


class RedisIndex(Index):
    """An index in Redis (``redis://host:port/db``); requires the ``redis`` package (``pip install dedup[redis]``)."""

    def __init__(self, url: str, settings: IndexSettings | None = None,
                 verify_options: VerifyOptions = DEFAULT_VERIFY, templates: bool = True,
                 max_candidates: int = 200) -> None:
        try:
            import redis
        except ImportError:
            raise InputError(f"{url}: Redis support needs the redis package (pip install 'dedup[redis]')") from None
        self._redis = redis
        conn_url, self.prefix = _split_url(url)
        # Shown in messages and stats: never the password of a managed Redis URL.
        self.location = re.sub(r"//([^/@:]*):[^/@]*@", r"//\1:***@", url)
        self.verify_options = verify_options
        self.templates = templates
        self.max_candidates = max_candidates
        try:
            self.r = redis.Redis.from_url(conn_url, socket_timeout=30, socket_connect_timeout=10)
            self.r.ping()
            self.settings = self._init(settings)
        except redis.RedisError as err:
            raise InputError(f"{url}: cannot use Redis ({err})") from None
        except ValueError as err:
            raise InputError(f"{url}: not a Redis URL ({err})") from None
        self.bands, self.rows = self.settings.bands_rows

    # -- keys ------------------------------------------------------------------------------------------------------

    def _k(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def _doc_key(self, doc_id: str | bytes) -> bytes:
        """Key of a document's hash; ids read back from Redis stay bytes, so even an undecodable one is found."""
        raw = doc_id if isinstance(doc_id, bytes) else doc_id.encode("utf-8")
        return self.prefix.encode("utf-8") + b":doc:" + raw

    def _band_keys(self, signature: np.ndarray) -> list[str]:
        return [self._k("band", str(k)) for k in band_hashes(signature, self.bands, self.rows)[0].tolist()]

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
        stored = IndexSettings.from_meta(meta, self.location)
        if wanted is not None:
            wanted.check(stored, self.location)
        return stored

    # -- reading ---------------------------------------------------------------------------------------------------

    def _query(self, entry: Entry, since: float | None, limit: int, band_keys: list[str]) -> list[Match]:
        floor = -1e300 if since is None else since
        reads = self.r.pipeline(transaction=False)
        reads.smembers(self._k("digest", entry.digest.hex()))
        for key in band_keys:
            reads.smembers(key)
        exact_ids, *buckets = reads.execute()
        counts = Counter(i for bucket in buckets for i in bucket)
        exact = sorted(i for i in exact_ids)
        ranked = exact + [i for i, _ in counts.most_common(self.max_candidates) if i not in exact_ids]
        if not ranked:
            return []
        reads = self.r.pipeline(transaction=False)
        for doc_id in ranked:
            reads.hmget(self._doc_key(doc_id), "ts", "sh", "txt")
        matches: list[Match] = []
        candidates: list[tuple[str, np.ndarray, str]] = []
        for doc_id, (ts, sh, txt) in zip(ranked, reads.execute()):
            name = _text(doc_id)
            try:
                when = float(ts)
            except (TypeError, ValueError):
                continue  # missing (expired meanwhile) or damaged: never decoded further
            if name is None or when < floor or sh is None or len(sh) % 4:
                continue
            if doc_id in exact_ids:
                matches.append(Match(name, 1.0))
            else:
                candidates.append((name, np.frombuffer(sh, dtype="<u4"), _unpack_text(txt) if self.templates else ""))
        matches += verify_candidates(entry, candidates, self.verify_options, self.templates, limit - len(matches))
        return matches[:limit]

    def query(self, entry: Entry, since: float | None = None, limit: int = 10) -> list[Match]:
        return self._query(entry, since, limit, self._band_keys(entry.signature))

    # -- writing ---------------------------------------------------------------------------------------------------

    def _queue_insert(self, pipe: Any, entry: Entry, band_keys: list[str]) -> None:
        sig, sh, txt = _pack(entry)
        fields = {"digest": entry.digest, "ts": repr(entry.ts), "added_at": repr(entry.added_at),
                  "date": entry.date or "", "source": entry.source or "", "title": entry.title,
                  "sig": sig, "sh": sh, "txt": txt}
        pipe.hset(self._k("doc", entry.id), mapping=fields)
        pipe.sadd(self._k("digest", entry.digest.hex()), entry.id)
        pipe.zadd(self._k("ts"), {entry.id: entry.ts})
        for key in band_keys:
            pipe.sadd(key, entry.id)

    def add(self, entries: Sequence[Entry]) -> int:
        if not entries:
            return 0
        with self.r.pipeline(transaction=False) as reads:
            for e in entries:
                reads.exists(self._k("doc", e.id))
            present = reads.execute()
        new = [e for e, there in zip(entries, present) if not there]
        with self.r.pipeline(transaction=True) as pipe:
            for e in new:
                self._queue_insert(pipe, e, self._band_keys(e.signature))
            pipe.execute()
        return len(new)

    def seen(self, entry: Entry, since: float | None = None) -> Match | None:
        band_keys = self._band_keys(entry.signature)
        watched = [self._k("digest", entry.digest.hex()), self._k("doc", entry.id), *band_keys]
        with self.r.pipeline() as pipe:
            for _ in range(_MAX_RETRIES):
                try:
                    pipe.watch(*watched)
                    found = self._query(entry, since, 1, band_keys)
                    if found:
                        pipe.unwatch()
                        return found[0]
                    if pipe.exists(self._k("doc", entry.id)):
                        # Another worker indexed this id after our query ran: look again instead of letting the
                        # same story through twice. An id indexed with other text counts as seen (by its id).
                        pipe.unwatch()
                        found = self._query(entry, since, 1, band_keys)
                        return found[0] if found else Match(entry.id, 0.0)
                    pipe.multi()
                    self._queue_insert(pipe, entry, band_keys)
                    pipe.execute()
                    return None
                except self._redis.WatchError:
                    continue
        raise InputError(f"{self.location}: too much contention on one story's keys; try again")

    def _delete(self, ids: Sequence[str | bytes]) -> int:
        reads = self.r.pipeline(transaction=False)
        for doc_id in ids:
            reads.hmget(self._doc_key(doc_id), "sig", "digest")
        gone = 0
        with self.r.pipeline(transaction=True) as pipe:
            for doc_id, (sig, digest) in zip(ids, reads.execute()):
                pipe.zrem(self._k("ts"), doc_id)
                if sig is None:
                    continue
                gone += 1
                pipe.delete(self._doc_key(doc_id))
                if isinstance(digest, bytes) and len(digest) == 16:
                    pipe.srem(self._k("digest", digest.hex()), doc_id)
                if len(sig) == 4 * self.settings.num_perm:
                    for key in self._band_keys(np.frombuffer(sig, dtype="<u4")):
                        pipe.srem(key, doc_id)
            pipe.execute()
        return gone

    def remove(self, ids: Iterable[str]) -> int:
        return self._delete(list(ids))

    def expire(self, before: float) -> int:
        total = 0
        while True:
            ids = self.r.zrangebyscore(self._k("ts"), "-inf", f"({before!r}", start=0, num=2000)
            if not ids:
                return total
            total += self._delete(ids)

    def stats(self) -> dict[str, Any]:
        ts_key = self._k("ts")
        n = self.r.zcard(ts_key)
        first = self.r.zrange(ts_key, 0, 0, withscores=True)
        last = self.r.zrange(ts_key, -1, -1, withscores=True)

        def iso(pairs: list[Any]) -> str | None:
            return datetime.fromtimestamp(pairs[0][1], timezone.utc).isoformat(timespec="seconds") if pairs else None

        meta = {(_text(k) or ""): (_text(v) or "") for k, v in self.r.hgetall(self._k("meta")).items()}
        memory = self.r.info("memory").get("used_memory")
        return {"index": self.location, "backend": "redis", "documents": n, "oldest": iso(first),
                "newest": iso(last), "bytes": memory, "settings": meta}

    def close(self) -> None:
        self.r.close()
