"""Streaming deduplication against a persistent index: the Python API (:class:`Deduplicator`) and ``dedup filter``.

Each document is cleaned page by page (HTML extraction and line rules; site boilerplate needs a corpus, so it is
not learned here), normalised and fingerprinted, then checked against the index and added to it in one atomic step.
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

import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from dedup.clean import Cleaner, LineRules
from dedup.cluster import VerifyOptions
from dedup.document import Document
from dedup.fingerprint import Fingerprinter
from dedup.index import open_index
from dedup.index.base import DAY, Entry, Index, IndexSettings, Match, make_entry
from dedup.io import FieldNames, InputProblem, Reader, RecordError, document_from_record
from dedup.normalize import normalize
from dedup.settings import Settings

_FIELDS = FieldNames()
_SETTINGS = Settings()

__all__ = ["Deduplicator", "FilterSummary", "Match", "filter_jsonl", "to_document"]


def to_document(item: Document | Mapping[str, Any], fields: FieldNames = _FIELDS) -> Document:
    """A :class:`Document` from a document or any mapping with the JSONL field names (a Scrapy item, a dict),
    read exactly as ``scan`` reads a JSONL record (:func:`dedup.io.records.document_from_record`).

    Raises :class:`dedup.io.RecordError` naming the fields it looked for when the item has neither a text nor an
    HTML string: a pipeline whose items carry ``body`` must say so (``Settings(fields=FieldNames(text="body"))``)
    rather than have every item pass unseen.

    >>> to_document({"id": 7, "text": "Body", "url": "https://www.example.com/a"}).source
    'example.com'
    """
    if isinstance(item, Document):
        return item
    try:
        return document_from_record(item, fields)
    except RecordError as err:
        raise RecordError(f"{err} in the item (fields: {sorted(item)}); name the text field with "
                          "Settings(fields=FieldNames(text=...)) or --text-field") from None


class Deduplicator:
    """Answers "have I seen this story before?" against a persistent index, and remembers what it is shown.

    ``index`` is a file path (SQLite, created on first use), a ``redis://host:port/db`` URL, or an open
    :class:`dedup.index.Index`. ``max_age_days`` keeps a sliding window: older entries expire and never match.
    """

    def __init__(
        self,
        index: str | os.PathLike[str] | Index,
        settings: Settings = _SETTINGS,
        *,
        max_age_days: float | None = None,
        expire_every: float = 600.0,
    ) -> None:
        self.settings = settings
        self.cleaner = Cleaner(LineRules.load(settings.rules_file))
        self.fingerprinter = Fingerprinter(num_perm=settings.num_perm, ngram=settings.ngram, seed=settings.seed)
        if isinstance(index, Index):
            IndexSettings.from_settings(settings).check(index.settings, index.location)
            self.index = index
        else:
            self.index = open_index(
                index,
                IndexSettings.from_settings(settings),
                VerifyOptions(settings.threshold, settings.containment),
                settings.templates,
            )
        self.max_age_days = max_age_days
        self._expire_every = expire_every
        self._expired_at = 0.0
        self._expire()

    def _expire(self) -> None:
        now = time.time()
        if self.max_age_days is not None and now - self._expired_at >= self._expire_every:
            self.index.expire(now - self.max_age_days * DAY)
            self._expired_at = now

    @property
    def since(self) -> float | None:
        return None if self.max_age_days is None else time.time() - self.max_age_days * DAY

    def entry(self, item: Document | Mapping[str, Any], cleaned: bool = False) -> Entry | None:
        """Clean (unless ``cleaned``), normalise and fingerprint one document; ``None`` when no text is left."""
        doc = to_document(item, self.settings.fields)
        doc = doc if cleaned else self.cleaner.clean_page(doc)
        norm = normalize(doc.full_text, self.settings.normalize)
        if not norm:
            return None
        entry = make_entry(doc.id, norm, self.fingerprinter, date=doc.date, source=doc.source, title=doc.title)
        if not entry.id:
            entry.id = entry.digest.hex()
        return entry

    def seen(self, item: Document | Mapping[str, Any]) -> Match | None:
        """The indexed document ``item`` duplicates, or ``None`` (and ``item`` is added) when it is new."""
        self._expire()
        entry = self.entry(item)
        return None if entry is None else self.index.seen(entry, self.since)

    def check(self, item: Document | Mapping[str, Any], *, cleaned: bool = False, since: float | None = None
              ) -> list[Match]:
        """Indexed documents ``item`` duplicates, best first, without adding it; only those dated ``since`` or
        later when given (seconds since the epoch), else those in the ``max_age_days`` window."""
        entry = self.entry(item, cleaned)
        return [] if entry is None else self.index.query(entry, self.since if since is None else since)

    def add(self, items: Iterable[Document | Mapping[str, Any]], batch: int = 1000, *, cleaned: bool = False) -> int:
        """Add documents (one transaction per ``batch``); return how many were new ids. Documents dated before
        the ``max_age_days`` window are left out: they would expire at once."""
        added, pending = 0, []
        since = self.since
        for item in items:
            entry = self.entry(item, cleaned)
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
    """Counts of one ``dedup filter`` run."""

    read: int = 0
    passed: int = 0
    rejected: int = 0
    seconds: float = 0.0


def filter_jsonl(
    dedup: Deduplicator,
    stream: IO[bytes],
    out: IO[str],
    rejects: IO[str] | None = None,
    on_problem: Callable[[InputProblem], None] | None = None,
    where: str = "<stdin>",
) -> FilterSummary:
    """Copy to ``out`` the JSONL records of ``stream`` not already in the index (adding them), one line at a time.

    Duplicates go to ``rejects`` (when given) with ``duplicate_of`` and ``similarity`` added. Both outputs are
    flushed after every line, so a consumer downstream sees each record as soon as it is decided.
    """
    summary, start = FilterSummary(), time.perf_counter()
    reader = Reader(
        fields=dedup.settings.fields, strict=dedup.settings.strict, on_problem=on_problem, stdin=stream, aliases={}
    )
    for doc in reader.read(["-"]):
        summary.read += 1
        record = doc.meta.get("_record", {})
        if record.get(dedup.settings.fields.id) in (None, ""):
            doc.id = ""  # "<stdin>:LINE" would repeat in every batch: key the document on its text instead
        match = dedup.seen(doc)
        if match is None:
            summary.passed += 1
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
        else:
            summary.rejected += 1
            if rejects is not None:
                rejected = {**record, "duplicate_of": match.id, "similarity": round(match.similarity, 4)}
                rejects.write(json.dumps(rejected, ensure_ascii=False) + "\n")
                rejects.flush()
    summary.seconds = time.perf_counter() - start
    return summary
