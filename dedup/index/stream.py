"""Streaming deduplication against a persistent index: the Python API (:class:`Deduplicator`) and ``dedup filter``.

Each document is cleaned page by page (HTML extraction and line rules; site boilerplate needs a corpus, so it is
not learned here), normalised and fingerprinted as a scan does, then checked against the index and added to it in
one atomic step. The index decides as a scan with the same settings decides (see :mod:`dedup.index.base`): a
stream of documents drops what ``scan --keep first --no-site-boilerplate`` removes from the same documents, up to
which copy is kept: a stream cannot take back a story it let through before the round-up that holds it arrived.
Memory stays bounded however long the stream: nothing is kept per document but the index itself.

>>> import os, tempfile
>>> seen = Deduplicator(os.path.join(tempfile.mkdtemp(), "seen.sqlite"))
>>> story = "The port strike entered its third day on Monday as talks between unions and operators stalled."
>>> seen.seen({"id": "a", "text": story}) is None
True
>>> seen.seen({"id": "b", "title": "", "text": story + " Ships waited."}).id
'a'
"""

from __future__ import annotations

import io
import json
import os
import select
import stat
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from dedup.document import Document
from dedup.index import open_index
from dedup.index.base import DAY, Entry, Index, Match
from dedup.index.meta import IndexSettings
from dedup.index.prepare import Ahead, Preparer, to_document
from dedup.io import LINE_KEY, InputProblem, Passthrough, Reader
from dedup.settings import Settings

_SETTINGS = Settings()

__all__ = ["Deduplicator", "FilterSummary", "Match", "filter_jsonl", "to_document"]


class _IdleAwareRaw(io.RawIOBase):
    """A pipe's or terminal's file descriptor that calls ``on_idle`` before each read that would wait."""

    def __init__(self, fd: int, on_idle: Callable[[], object]) -> None:
        self._fd, self._on_idle = fd, on_idle

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not select.select([self._fd], [], [], 0)[0]:
            self._on_idle()
        data = os.read(self._fd, len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _decide_when_idle(stream: IO[bytes], on_idle: Callable[[], object]) -> IO[bytes]:
    """``stream``, read so that ``on_idle`` runs whenever the next read would wait for its writer (a pipe or a
    terminal); a regular file or an in-memory stream never waits, and is returned as it is."""
    try:
        fd = stream.fileno()
        waits = stat.S_ISFIFO(os.fstat(fd).st_mode) or os.isatty(fd) or stat.S_ISSOCK(os.fstat(fd).st_mode)
    except (AttributeError, OSError, ValueError):
        return stream
    if not waits:
        return stream
    # Read from the descriptor itself: nothing has read ``stream`` yet (the reader below is its first), so its
    # own buffer is empty and nothing is skipped.
    return io.BufferedReader(_IdleAwareRaw(fd, on_idle))


class Deduplicator:
    """Answers "have I seen this story before?" against a persistent index, and remembers what it is shown.

    ``index`` is a file path (SQLite, created on first use), a ``redis://host:port/db`` URL, or an open
    :class:`dedup.index.Index`; it decides as ``scan`` does with ``settings`` (and refuses settings other than
    those it was made with).

    ``max_age_days`` keeps a sliding window: entries older than the window expire and never match. The window is
    measured against the documents' own dates, not the wall clock: it ends at the newest date seen so far, in the
    index or in what this deduplicator was shown, so a batch from last year still deduplicates within its own
    window. A date after tomorrow does not move the window (a mis-dated story must not expire everything); an
    undated document's time is when it was added; with no dated document at all, the window ends now. Expiry
    runs on opening and then at most every ``expire_every`` seconds (when the newest date in the index, which
    other processes may have moved, is read again); ``expire_every=None`` never deletes anything (the window
    still limits what matches: ``dedup index query --max-age`` leaves the index as it is).

    An id seen again (the same URL crawled twice): with the same text, :meth:`seen` answers a match naming the
    document itself (``relation`` :data:`dedup.index.SEEN`) and nothing changes; with new text it is a new
    version: the old one is dropped from the index and the new text is decided like any document.
    """

    def __init__(
        self,
        index: str | os.PathLike[str] | Index,
        settings: Settings = _SETTINGS,
        *,
        max_age_days: float | None = None,
        expire_every: float | None = 600.0,
    ) -> None:
        self.settings = settings
        self.preparer = Preparer(settings)
        self.cleaner, self.fingerprinter = self.preparer.cleaner, self.preparer.fingerprinter
        if isinstance(index, Index):
            IndexSettings.from_settings(settings).check(index.settings, index.location)
            self.index = index
        else:
            self.index = open_index(index, IndexSettings.from_settings(settings))
        self.max_age_days = max_age_days
        self._newest: float | None = None  # the newest date seen: where the window ends
        self._expire_every = expire_every
        self._expired_at = -float("inf")
        self._expire()

    def _observe(self, when: float) -> None:
        """Move the window's end to ``when``, a document's date, if it is later (and not after tomorrow)."""
        if when <= time.time() + DAY:
            self._newest = when if self._newest is None else max(self._newest, when)

    def _expire(self) -> None:
        now = time.monotonic()
        every = float("inf") if self._expire_every is None else self._expire_every
        if self.max_age_days is None or now - self._expired_at < every:
            return
        newest = self.index.newest_date(time.time() + DAY)  # other processes may have moved it
        if newest is not None:
            self._observe(newest)
        if self._expire_every is not None:
            self.index.expire(self.since)  # type: ignore[arg-type]
        self._expired_at = now

    @property
    def since(self) -> float | None:
        """Where the window starts (seconds since the epoch): ``max_age_days`` before the newest date seen."""
        if self.max_age_days is None:
            return None
        return (time.time() if self._newest is None else self._newest) - self.max_age_days * DAY

    def _entries(self, items: Iterable[Document | Mapping[str, Any]], cleaned: bool) -> list[Entry | None]:
        """Clean, normalise and fingerprint documents (:meth:`Preparer.entries`); ``None`` for one with no text
        left."""
        return self.preparer.entries(items, cleaned)

    def entry(self, item: Document | Mapping[str, Any], cleaned: bool = False) -> Entry | None:
        """Clean (unless ``cleaned``), normalise and fingerprint one document; ``None`` when no text is left."""
        entry = self._entries([item], cleaned)[0]
        if entry is not None and entry.dated:
            self._observe(entry.ts)
        return entry

    def seen(self, item: Document | Mapping[str, Any], *, cleaned: bool = False) -> Match | None:
        """The indexed document ``item`` duplicates, or ``None`` (and ``item`` is added) when it is new.

        ``item`` is cleaned page by page first, unless ``cleaned``. An item without a text or HTML field raises
        :class:`dedup.io.RecordError`; one with no text left after cleaning is ``None`` (and not added).
        """
        entry = self.entry(item, cleaned)
        self._expire()
        return None if entry is None else self.index.seen(entry, self.since)

    def seen_many(self, items: Iterable[Document | Mapping[str, Any]], *, cleaned: bool = False) -> list[Match | None]:
        """:meth:`seen` for each item in turn, with the same answers, in one index transaction where the backend
        allows it (SQLite): the way to go through a batch. An item without a text field raises before anything
        of the batch is decided.

        >>> import os, tempfile
        >>> seen = Deduplicator(os.path.join(tempfile.mkdtemp(), "batch.sqlite"))
        >>> story = "The port strike entered its third day on Monday as talks between unions and operators stalled."
        >>> [m and m.id for m in seen.seen_many([{"id": "a", "text": story}, {"id": "b", "text": story}])]
        [None, 'a']
        """
        return self.decide(self._entries(items, cleaned))

    def decide(self, entries: Sequence[Entry | None]) -> list[Match | None]:
        """:meth:`seen_many` of documents already made entries (:meth:`Preparer.entries`, here or in another
        process): each decided in turn, the window's end moving with each dated one, in order."""
        since: list[float | None] = []
        for entry in entries:  # each entry's window as when they were decided one at a time
            if entry is not None and entry.dated:
                self._observe(entry.ts)
            self._expire()
            since.append(self.since)
        todo = [k for k, entry in enumerate(entries) if entry is not None]
        found = self.index.seen_many([entries[k] for k in todo], [since[k] for k in todo])  # type: ignore[misc]
        answers: list[Match | None] = [None] * len(entries)
        for k, match in zip(todo, found):
            answers[k] = match
        return answers

    def check(
        self, item: Document | Mapping[str, Any], *, cleaned: bool = False, since: float | None = None
    ) -> list[Match]:
        """Indexed documents ``item`` duplicates, best first, without adding it: those in the ``max_age_days``
        window, and dated ``since`` or later when given (seconds since the epoch). The document indexed under
        ``item``'s own id is never one of them."""
        entry = self.entry(item, cleaned)
        floors = [t for t in (since, self.since) if t is not None]
        return [] if entry is None else self.index.query(entry, max(floors) if floors else None)

    def add(self, items: Iterable[Document | Mapping[str, Any]], batch: int = 1000, *, cleaned: bool = False) -> int:
        """Add documents (one transaction per ``batch``) without checking them; return how many were stored (an
        id seen again: see the class docstring). Documents dated before the ``max_age_days`` window are left
        out: they would expire at once."""
        added, pending = 0, []
        for item in items:
            entry = self.entry(item, cleaned)
            since = self.since
            if entry is not None and (since is None or entry.ts >= since):
                pending.append(entry)
            if len(pending) >= batch:
                added += self.index.add(pending)
                pending = []
        return added + self.index.add(pending)

    def close(self) -> None:
        self.index.close()

    def __enter__(self) -> Deduplicator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class FilterSummary:
    """Counts of one ``dedup filter`` run: records read, new ones passed, duplicates rejected, and records without
    a text field passed through unread."""

    read: int = 0
    passed: int = 0
    rejected: int = 0
    no_text: int = 0
    seconds: float = 0.0


def filter_jsonl(
    dedup: Deduplicator,
    stream: IO[bytes],
    out: IO[str],
    rejects: IO[str] | None = None,
    on_problem: Callable[[InputProblem], None] | None = None,
    where: str = "<stdin>",
    summary: FilterSummary | None = None,
    batch: int = 256,
    prepare_ahead: bool = True,
) -> FilterSummary:
    """Copy to ``out`` the JSONL records of ``stream`` not already in the index (adding them), in input order.

    Duplicates go to ``rejects`` (when given) with ``duplicate_of`` and ``similarity`` added. A record without a
    text or HTML field (see :class:`dedup.io.FieldNames`) is not a document to decide on: its line goes to
    ``out`` unchanged, it is counted (``no_text``) and the first one is reported to ``on_problem`` (once per
    ``summary``: pass the same one to count several streams as one run); with ``strict`` settings it stops the
    run instead. Records are decided ``batch`` at a time (:meth:`Deduplicator.seen_many`: one index transaction,
    the same answers as one at a time), and sooner when the input pauses: on a pipe or terminal, whatever is
    pending is decided and written before waiting for more, so a consumer downstream of a slow producer sees each
    record as soon as it has been decided. Both outputs are flushed after every batch. With ``prepare_ahead``
    (and more than one batch), a second process cleans and fingerprints the next batch while this one decides
    (:class:`dedup.index.prepare.Ahead`): the same answers, sooner on two cores.
    """
    summary = FilterSummary() if summary is None else summary
    start = time.perf_counter()
    fields = dedup.settings.fields

    warned = False

    def report(problem: InputProblem) -> None:
        # A stream of items without a text field would warn on every line: once is enough, the summary counts them.
        nonlocal warned
        if "string field" in problem.message:
            if warned:
                return
            warned = True
            problem = InputProblem(
                problem.where,
                f"no {fields.text!r} or {fields.html!r} string field; passed through unchanged, as will be every "
                "such record (counted in the summary); name the text field with --text-field",
            )
        if on_problem is not None:
            on_problem(problem)

    pending: list[Document | Passthrough] = []
    # Batches read and handed to the preparer, oldest first: each with what waits for its entries.
    submitted: deque[tuple[list[Document | Passthrough], Callable[[], list[Entry | None]]]] = deque()

    def submit() -> None:
        """Hand the pending records' documents to the preparer (the worker starts on them at once)."""
        submitted.append((pending[:], ahead.submit([item for item in pending if isinstance(item, Document)])))
        pending.clear()

    def decide_oldest() -> None:
        """Decide the oldest submitted batch in one index transaction, and write its lines in input order."""
        items, entries = submitted.popleft()
        matches = iter(dedup.decide(entries()))
        for item in items:
            if isinstance(item, Passthrough):
                if item.line is not None:  # a line over the size limit cannot be held, and is reported as skipped
                    out.write(item.line.decode("utf-8", "replace").rstrip("\r\n") + "\n")
                continue
            match = next(matches)
            record = item.meta.get("_record", {})
            if match is None:
                summary.passed += 1
                line = item.meta.get(LINE_KEY)  # the record exactly as read
                out.write(
                    line.decode("utf-8").rstrip("\r\n") + "\n"
                    if line
                    else json.dumps(record, ensure_ascii=False) + "\n"
                )
            else:
                summary.rejected += 1
                if rejects is not None:
                    rejected = {**record, "duplicate_of": match.id, "similarity": round(match.similarity, 4)}
                    rejects.write(json.dumps(rejected, ensure_ascii=False) + "\n")
        out.flush()
        if rejects is not None:
            rejects.flush()

    def decide_all() -> None:
        if pending:
            submit()
        while submitted:
            decide_oldest()

    with Ahead(dedup.preparer, workers=1 if prepare_ahead else 0) as ahead:
        reader = Reader(
            fields=fields,
            strict=dedup.settings.strict,
            on_problem=report,
            stdin=_decide_when_idle(stream, decide_all),
            aliases={},
            passthrough=True,
        )
        for item in reader.read(["-"]):
            if isinstance(item, Passthrough):
                if item.reason is None:  # a blank line
                    continue
                summary.read += 1
                summary.no_text += 1
            else:
                summary.read += 1
                if item.meta.get("_record", {}).get(fields.id) in (None, ""):
                    item.id = ""  # "<stdin>:LINE" would repeat in every batch: key the document on its text instead
            pending.append(item)
            if len(pending) >= batch:
                submit()  # prepared by the worker while the batch before it is decided here
                while len(submitted) > 1:
                    decide_oldest()
        decide_all()
    summary.seconds += time.perf_counter() - start
    return summary
