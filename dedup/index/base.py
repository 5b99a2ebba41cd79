"""What every persistent index is: its entries, its matches, and the query, written once for all backends.

An index keeps, for each document seen before, its fingerprint (MinHash signature, sorted shingle hashes, content
words, a digest of the normalised text, the normalised text itself) and a little metadata, plus LSH buckets: each
document is filed under the :func:`dedup.lsh.band_hashes` keys of its signature, banded for the candidate
threshold a scan uses (``flat`` keys: one key space for all bands), and so are the excerpt windows of a long
document (:func:`dedup.lsh.excerpt_windows`; their signatures are stored after the document's, in one array), so
that a story is found inside a round-up many times its length, as a scan finds it. A query decides as a scan with the same
settings decides (:class:`dedup.index.meta.IndexSettings` records them):

1. **exact copies**: the documents stored with the new one's digest match with similarity 1.0 (those older than
   the window, ``since``, and those gone or damaged meanwhile are dropped). When they are enough, that is all:
   no bucket is read.
2. **candidates**: the ``max_candidates`` documents filed under the most of the new one's band keys (its
   windows' included) that agree with it on at least :data:`dedup.lsh.MIN_SHARED_VALUES` signature values (the
   scan's candidate rule: document against document or against a window of the other), less the exact copies and
   the same old, gone or damaged ones.
3. **decide** each candidate pair, best first, with :func:`decide`: the scan's own verification
   (:func:`dedup.cluster.verify`: Jaccard and containment thresholds, the rewrite decision of
   :mod:`dedup.evidence` below them, the template test of :mod:`dedup.templates`, coverage both ways) and its
   coverage rule: the new document is a duplicate of an indexed one only when the indexed one covers it
   (:func:`dedup.cluster.covers`). When no kept document matches, the removed copies the index keeps may join it
   to the cluster of the document kept for them, by scan's stray rule (:meth:`Index._through_removed`).

The three steps are :meth:`Index._query`, here, for every backend. A backend provides storage only:
:meth:`Index._exact`, :meth:`Index._ranked`, :meth:`Index._heads`, :meth:`Index._fetch`, :meth:`Index._put`
and :meth:`Index._delete`, plus its own atomic check-then-add (:meth:`Index.seen`: a transaction in SQLite, an
optimistic WATCH in Redis), expiry, statistics and closing.

**An id seen again** (the same on every backend): with the same text (equal digests) it is *already seen*: a
:data:`SEEN` match naming the document itself, and nothing changes; with other text it is *a new version*: the
old version is deleted and the new text is decided like any document (added when new, so that later copies of
it are caught and copies of the old text no longer match it).

What an entry holds and how it is packed: :mod:`dedup.index.entry`.
"""

from __future__ import annotations

import abc
import functools
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from dedup.cluster import CONTAINED, COPY, DUPLICATE, Link, VerifyOptions, covers, verify
from dedup.evidence import RewriteOptions, judge_with_titles
from dedup.fingerprint import coverage, jaccard_containment
from dedup.index.entry import (
    DAY,
    SEEN,
    Entry,
    Head,
    Match,
    Ref,
    Stored,
    bucket_keys,
    make_entry,
    pack_entry,
    parse_time,
    unpack_array,
    unpack_text,
)
from dedup.index.meta import IndexSettings
from dedup.index.urls import display_location
from dedup.lsh import MIN_SHARED_VALUES, band_hashes
from dedup.normalize import NormalizeOptions
from dedup.templates import Analysed, relation

__all__ = [
    "DAY", "SEEN", "Entry", "Head", "Index", "Match", "Ref", "Stored", "decide", "make_entry", "pack_entry",
    "parse_time", "shared_values", "unpack_array", "unpack_text", "window_end",
]  # fmt: skip


def window_end(index: Index, now: float | None = None) -> float:
    """Where a window of days ends for ``index``: at its newest dated document (documents' own dates, not the wall
    clock), dates after tomorrow left out (a mis-dated story must not expire everything); without a date, ``now``.
    """
    now = time.time() if now is None else now
    newest = index.newest_date(now + DAY)
    return now if newest is None else newest


def shared_values(mine: np.ndarray, theirs: np.ndarray) -> int:
    """The most signature values two documents agree on, document against document or against a window of the
    other (``mine``, ``theirs``: a signature, then its windows', one row each). Two windows are not compared: a
    scan does not pair them either (:func:`dedup.lsh.owner_pairs`).

    >>> shared_values(np.array([[1, 2, 3]]), np.array([[1, 9, 9], [1, 2, 3]]))
    3
    """
    mine, theirs = np.atleast_2d(mine), np.atleast_2d(theirs)
    return int(max((mine == theirs[0]).sum(axis=1).max(), (theirs == mine[0]).sum(axis=1).max()))


def _verified(
    entry: Entry,
    candidates: Sequence[Stored],
    options: VerifyOptions,
    templates: bool,
    rewrites: RewriteOptions | None = None,
    normalized: NormalizeOptions | None = None,
) -> Iterator[tuple[int, Link]]:
    """Each candidate's verified pair with ``entry`` (the candidate first, as the earlier document of a scan's
    pair), best candidate first: :func:`dedup.cluster.verify` on the exact shingle sets and, with ``templates``,
    the relation test (template siblings and shared fragments are not copies); with ``rewrites``, a pair below
    the shingle thresholds is decided as a scan decides it (:class:`dedup.evidence.RewriteJudge`, titles
    normalised as ``normalized`` says)."""
    if not candidates:
        return
    shingles = [entry.shingles, *(c.shingles for c in candidates)]
    words = [entry.words, *(c.words for c in candidates)]
    sims = [max(jaccard_containment(entry.shingles, c.shingles)) for c in candidates]
    # Below every threshold verify cannot pass the pair (the rewrite floor is on containment, which sims bounds).
    floors = [
        options.threshold,
        options.containment,
        *([rewrites.containment] if rewrites and rewrites.enabled else []),
    ]
    order = sorted((k for k, s in enumerate(sims) if s >= min(floors)), key=lambda k: (-sims[k], candidates[k].id))
    analysed: dict[int, Analysed] = {}

    def text_of(i: int) -> Analysed:
        if i not in analysed:
            analysed[i] = Analysed((entry.text if i == 0 else unpack_text(candidates[i - 1].text)).split())
        return analysed[i]

    def relation_of(a: int, b: int) -> str:
        if not templates or not text_of(a).tokens:
            return DUPLICATE  # no text kept (or damaged): shingles alone decide, as before the template test
        return relation(text_of(a), text_of(0))

    judge = None
    if rewrites is not None and rewrites.enabled:
        titles = [entry.title, *(c.title for c in candidates)]
        normalized = normalized if normalized is not None else NormalizeOptions()
        judge = judge_with_titles(rewrites, words.__getitem__, titles, normalized, text_of if templates else None)
    for k in order:
        pair = np.array([[k + 1, 0]], dtype=np.int64)
        for link in verify(pair, shingles, options, relation_of, words=words, rewrite_of=judge):
            yield k, link


def decide(
    entry: Entry,
    candidates: Sequence[Stored],
    options: VerifyOptions,
    templates: bool = True,
    limit: int | None = None,
    rewrites: RewriteOptions | None = None,
    normalized: NormalizeOptions | None = None,
) -> list[Match]:
    """The candidates ``entry`` is a duplicate of, best first, at most ``limit``: each pair decided as a scan
    decides it.

    A pair is verified by :func:`dedup.cluster.verify` (Jaccard or containment on the exact shingle sets, then,
    with ``templates``, the relation test: template siblings and shared fragments are not copies; coverage both
    ways), with the indexed document first, as the earlier document of a scan's pair is. It is a match only when
    the indexed document covers ``entry`` (:func:`dedup.cluster.covers`, the coverage rule): a story is a
    duplicate of the round-up that holds it, never the other way round. Candidates are decided best first, and
    only until ``limit`` matches are found: the relation test is the costly part.
    """
    matches: list[Match] = []
    for k, link in _verified(entry, candidates, options, templates, rewrites, normalized):
        if covers(link, link.a, options.coverage):
            kind = COPY if covers(link, link.b, options.coverage) else CONTAINED
            matches.append(Match(candidates[k].id, link.similarity, link.jaccard, link.containment, kind))
            if limit is not None and len(matches) >= limit:
                break
    return matches


def similarity_to_kept(
    entry: Entry, kept: Stored, options: VerifyOptions, templates: bool
) -> tuple[float, float, float, str | None]:
    """How a document left out of every cluster relates to a cluster's kept copy, as a scan's
    :func:`dedup.cluster.attach_strays` asks it: (similarity, Jaccard, containment, relation), the relation
    ``None`` when the kept copy does not cover the document or is a template sibling of it."""
    if templates:
        text = unpack_text(kept.text)
        if text and relation(Analysed(entry.text.split()), Analysed(text.split())) != DUPLICATE:
            return 0.0, 0.0, 0.0, None
    assert entry.words is not None
    if coverage(entry.words, kept.words) < options.coverage:
        return 0.0, 0.0, 0.0, None
    kind = COPY if coverage(kept.words, entry.words) >= options.coverage else CONTAINED
    jaccard, contained = jaccard_containment(entry.shingles, kept.shingles)
    return max(jaccard, contained), jaccard, contained, kind


class Index(abc.ABC):
    """What every index backend offers. Open one with :func:`dedup.index.open_index`; use it as a context manager.

    A backend sets ``settings``, ``bands`` and ``rows`` when it opens, and implements the storage methods
    (``_exact``, ``_ranked``, ``_heads``, ``_fetch``, ``_put``, ``_delete``) and ``seen``, ``expire``,
    ``newest_date``, ``stats`` and ``close``. It decides as ``settings`` say (see :func:`decide`).
    """

    location: str  # for messages: never holds a password (see display_location)
    settings: IndexSettings
    bands: int
    rows: int

    def __init__(self, location: str, max_candidates: int) -> None:
        self.location = display_location(location)
        self.max_candidates = max_candidates

    # -- the storage a backend provides ----------------------------------------------------------------------------

    @abc.abstractmethod
    def _exact(self, digest: bytes) -> list[tuple[str, float, str | None, str]]:
        """``(id, time, copy_of, relation)`` of the documents stored with ``digest`` (exact copies), in the
        backend's stable order; damaged ones left out (``copy_of``, ``relation``: see :class:`Entry`)."""

    @abc.abstractmethod
    def _refs(self, ids: Sequence[str]) -> list[Ref | None]:
        """Where the documents with these ids are stored (``None`` for an id not indexed), in that order."""

    @abc.abstractmethod
    def _ranked(self, band_keys: Sequence[int]) -> list[Ref]:
        """The ``max_candidates`` documents filed under the most of ``band_keys``, most first: every document
        that shares one of them, up to that number (SQLite adds removed copies it files under fewer keys)."""

    @abc.abstractmethod
    def _heads(self, refs: Sequence[Ref]) -> list[Head | None]:
        """Id, time and signature of the documents ``refs`` point to, in that order: ``None`` for one gone
        (expired meanwhile) or damaged."""

    @abc.abstractmethod
    def _fetch(self, refs: Sequence[Ref]) -> list[Stored | None]:
        """The documents ``refs`` point to, in that order: ``None`` for one gone (expired meanwhile) or damaged."""

    @abc.abstractmethod
    def _put(self, entries: Sequence[Entry]) -> int:
        """Store ``entries`` in one transaction, an id seen again as :meth:`add` says; return how many were
        stored."""

    @abc.abstractmethod
    def _delete(self, ids: Sequence[str]) -> int:
        """Delete documents and their bucket entries by id, in one transaction; return how many existed."""

    # -- the query, for every backend ------------------------------------------------------------------------------

    @functools.cached_property
    def _decision_options(self) -> tuple[VerifyOptions, RewriteOptions, NormalizeOptions]:
        """The settings' verification, rewrite and normalisation options, made once (not once per query)."""
        s = self.settings
        return s.verify_options, s.rewrite_options, s.normalize_options

    def band_keys(self, signatures: np.ndarray) -> np.ndarray:
        """The bucket keys (``n x bands`` int64) that documents with these signatures are filed under."""
        return band_hashes(signatures, self.bands, self.rows)

    def sketch_keys(self, sketches: np.ndarray) -> list[int]:
        """The distinct bucket keys a document is filed under: its signature's and its excerpt windows'
        (``sketches``: :attr:`Entry.sketches`, or a stored signature array, one row or several)."""
        return bucket_keys(sketches, self.settings.num_perm, self.bands, self.rows)

    def entry_keys(self, entry: Entry) -> list[int]:
        """:meth:`sketch_keys` of ``entry``, taken from what was worked out ahead (:attr:`Entry.prepared`) when
        that was for this index's banding."""
        ahead = entry.prepared
        if ahead is not None and (ahead.bands, ahead.rows) == (self.bands, self.rows):
            return ahead.keys
        return self.sketch_keys(entry.sketches)

    def stored_sketches(self, blob: bytes | None) -> np.ndarray | None:
        """The signature rows (``1 + windows`` x num_perm) of a stored signature; ``None`` when damaged."""
        sig = unpack_array(blob)
        if sig is None or sig.size == 0 or sig.size % self.settings.num_perm:
            return None
        return sig.reshape(-1, self.settings.num_perm)

    def _query(
        self,
        entry: Entry,
        since: float | None,
        limit: int,
        band_keys: Sequence[int] | None = None,
        exclude: str | None = None,
    ) -> list[Match]:
        """Indexed documents ``entry`` duplicates, dated ``since`` or later, best first, at most ``limit``;
        the document ``exclude`` (the old version of ``entry``, about to be replaced) is not one of them."""
        floor = -np.inf if since is None else since
        exact = [row for row in self._exact(entry.digest) if row[0] != exclude]
        removed_of = {copy_of for _, ts, copy_of, _ in exact if copy_of is not None and not ts < floor}
        alive = self._kept(sorted(removed_of), floor) if removed_of else {}
        matches: dict[str, Match] = {}
        for doc_id, ts, copy_of, kind in exact:  # an exact copy of a removed copy duplicates what was kept for it
            if ts < floor or (copy_of is not None and copy_of not in alive):
                continue
            name = doc_id if copy_of is None else copy_of
            matches.setdefault(name, Match(name, 1.0, relation=kind or COPY))
        if len(matches) >= limit or entry.shingles.size == 0:
            return list(matches.values())[:limit]
        keys = self.entry_keys(entry) if band_keys is None else band_keys
        skip = {row[0] for row in exact} | {exclude}  # exact copies were answered above, in the window or not
        heads = [h for h in self._heads(self._ranked(keys)) if h is not None and h.id not in skip and not h.ts < floor]
        if heads:  # the scan's candidate rule (dedup.lsh.drop_chance_collisions), windows as the scan bands them
            mine = entry.sketches
            heads = [h for h in heads if shared_values(mine, h.signature) >= MIN_SHARED_VALUES]
        candidates = [doc for doc in self._fetch([h.ref for h in heads]) if doc is not None]
        kept = [c for c in candidates if c.copy_of is None and c.id not in matches]
        found = [*matches.values()]
        verify_options, rewrite_options, normalize_options = self._decision_options
        found += decide(
            entry, kept, verify_options, self.settings.templates, limit - len(found), rewrite_options, normalize_options
        )
        if not found:
            found = self._through_removed(entry, [c for c in candidates if c.copy_of is not None], floor)
        return found[:limit]

    def _kept(self, ids: Sequence[str], floor: float) -> dict[str, Stored]:
        """The documents with these ids that are indexed, dated ``floor`` or later, and kept (not removed copies)."""
        refs = [ref for ref in self._refs(ids) if ref is not None]
        return {d.id: d for d in self._fetch(refs) if d is not None and d.copy_of is None and not d.ts < floor}

    def _through_removed(self, entry: Entry, removed: Sequence[Stored], floor: float) -> list[Match]:
        """The kept document ``entry`` joins through a removed copy of it, as a scan attaches a stray
        (:func:`dedup.cluster.attach_strays`): ``entry`` duplicates a removed copy at ``attach_strong`` or more,
        and shares at least ``attach_floor`` of its text with the kept document, which covers it and is not a
        template sibling of it. A stream that drops a copy still indexes it for this (see :meth:`seen`)."""
        s = self.settings
        options, rewrite_options, normalize_options = self._decision_options
        for k, link in _verified(entry, removed, options, s.templates, rewrite_options, normalize_options):
            if link.similarity < s.attach_strong:
                continue
            kept_id = removed[k].copy_of
            assert kept_id is not None
            kept = self._kept([kept_id], floor).get(kept_id)
            if kept is None:
                continue
            similarity, jaccard, contained, kind = similarity_to_kept(entry, kept, options, s.templates)
            if kind is not None and similarity >= s.attach_floor:
                return [Match(kept_id, similarity, jaccard, contained, kind)]
        return []

    # -- what callers use ------------------------------------------------------------------------------------------

    def query(self, entry: Entry, since: float | None = None, limit: int = 10) -> list[Match]:
        """Indexed documents ``entry`` duplicates (dated ``since`` or later), best first. The document indexed
        under ``entry``'s own id is never one of them (it is ``entry`` itself, or its old version)."""
        return self._query(entry, since, limit, exclude=entry.id)

    def add(self, entries: Sequence[Entry]) -> int:
        """Store ``entries`` in one transaction; return how many were stored. An id not indexed yet is added;
        an id indexed with the same text is left as it is; an id indexed with other text is replaced by its new
        version (a later entry of the same id in ``entries`` replaces an earlier one)."""
        return self._put(list({e.id: e for e in entries}.values())) if entries else 0

    def remove(self, ids: Iterable[str]) -> int:
        """Delete documents by id; return how many existed."""
        return self._delete(list(ids))

    @abc.abstractmethod
    def seen(self, entry: Entry, since: float | None = None) -> Match | None:
        """Atomically: the best match of ``entry``, or ``None`` after adding it (so of two processes offering
        the same story at once exactly one gets ``None``). An id seen again: see the module docstring."""

    def seen_many(self, entries: Sequence[Entry], since: Sequence[float | None]) -> list[Match | None]:
        """:meth:`seen` for each entry in turn (``since[i]`` for ``entries[i]``): each decided against the index
        and the entries before it, exactly as one call at a time. A backend may do it in fewer transactions."""
        return [self.seen(entry, floor) for entry, floor in zip(entries, since)]

    @abc.abstractmethod
    def expire(self, before: float) -> int:
        """Delete documents whose time is older than ``before`` (seconds since the epoch); return how many."""

    @abc.abstractmethod
    def newest_date(self, until: float) -> float | None:
        """The time of the newest *dated* document dated ``until`` or before (seconds since the epoch), ``None``
        when there is none."""

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
