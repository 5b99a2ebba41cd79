"""Turning documents into index entries, here or one batch ahead in a second process.

:class:`Preparer` cleans (HTML extraction and line rules), normalises and fingerprints a batch of documents into
:class:`~dedup.index.entry.Entry` objects, as :class:`~dedup.index.stream.Deduplicator` needs them; it also works
out what the index would otherwise work out while it holds its write transaction: each entry's bucket keys and its
packed columns (:attr:`Entry.prepared`).

:class:`Ahead` runs a :class:`Preparer` in one forked worker process, so that ``dedup filter`` prepares the next
batch while this process decides the current one against the index: on two cores the cleaning and fingerprinting
no longer add to the time of the decisions. The entries are the same wherever they are made.

>>> from dedup.settings import Settings
>>> preparer = Preparer(Settings())
>>> with Ahead(preparer, workers=0) as ahead:
...     entries = ahead.submit([Document(id="a", text="The port strike entered its third day.")])()
>>> entries[0].id, len(entries[0].prepared.keys) > 0
('a', True)
"""

from __future__ import annotations

import dataclasses
import multiprocessing
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from dedup.clean import Cleaner, LineRules
from dedup.document import Document
from dedup.fingerprint import Fingerprinter
from dedup.index.entry import Entry, Prepared, bucket_keys, make_entries, pack_entry
from dedup.index.meta import IndexSettings
from dedup.io import FieldNames, RecordError, document_from_record
from dedup.normalize import normalize
from dedup.settings import Settings

_FIELDS = FieldNames()


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
        raise RecordError(
            f"{err} in the item (fields: {sorted(item)}); name the text field with "
            "Settings(fields=FieldNames(text=...)) or --text-field"
        ) from None


class Preparer:
    """Clean, normalise and fingerprint documents into index entries as ``settings`` say (a scan's way).

    >>> entry = Preparer(Settings()).entries([{"id": "a", "text": "Ships waited outside the port."}])[0]
    >>> entry.id, entry.signature.shape
    ('a', (128,))
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.cleaner = Cleaner(LineRules.load(settings.rules_file))
        self.fingerprinter = Fingerprinter(num_perm=settings.num_perm, ngram=settings.ngram, seed=settings.seed)
        self.bands, self.rows = IndexSettings.from_settings(settings).bands_rows

    def _prepared(self, item: Document | Mapping[str, Any], cleaned: bool) -> tuple[str, str, Any, Any, str] | None:
        """Clean (unless ``cleaned``) and normalise one document: what :func:`make_entries` takes, ``None`` when no
        text is left."""
        doc = to_document(item, self.settings.fields)
        doc = doc if cleaned else self.cleaner.clean_page(doc)
        norm = normalize(doc.full_text, self.settings.normalize)
        return (doc.id, norm, doc.date, doc.source, doc.title) if norm else None

    def entries(self, items: Iterable[Document | Mapping[str, Any]], cleaned: bool = False) -> list[Entry | None]:
        """Clean, normalise and fingerprint documents, the batch's signatures in one call (:func:`make_entries`);
        ``None`` for one with no text left. Each entry comes with its bucket keys and packed columns."""
        prepared = [self._prepared(item, cleaned) for item in items]
        made = iter(make_entries([p for p in prepared if p is not None], self.fingerprinter))
        entries: list[Entry | None] = []
        for p in prepared:
            entry = None if p is None else next(made)
            if entry is not None:
                if not entry.id:
                    entry.id = entry.digest.hex()
                entry.prepared = self.prepare(entry)
            entries.append(entry)
        return entries

    def prepare(self, entry: Entry) -> Prepared:
        """What an index stores of ``entry`` besides its metadata: bucket keys, in the order the index files them
        (:meth:`dedup.index.base.Index.sketch_keys`), and the packed columns (:func:`pack_entry`)."""
        keys = bucket_keys(entry.sketches, self.settings.num_perm, self.bands, self.rows)
        return Prepared(self.bands, self.rows, keys, pack_entry(entry))


_WORKER: Preparer | None = None


def _start_worker(preparer: Preparer) -> None:
    global _WORKER
    _WORKER = preparer


def _entries_in_worker(docs: Sequence[Document]) -> list[Entry | None]:
    assert _WORKER is not None
    return _WORKER.entries(docs)


class Ahead:
    """Batches of documents prepared by ``preparer`` in one forked worker process (``workers=1``), so that the
    caller goes on meanwhile; ``submit(docs)`` gives a function that waits for the entries. With ``workers=0``,
    where processes cannot be forked, or in a daemonic process (a pool's worker), each batch is prepared here
    when it is submitted. The first batch is always prepared here: a run of one batch never starts the worker,
    and the worker, forked at the second, inherits the compiled kernels the first one loaded."""

    def __init__(self, preparer: Preparer, workers: int = 1) -> None:
        self.preparer = preparer
        # A daemonic process (a pool's worker) may not start processes of its own.
        can_fork = "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon
        self.workers = workers if can_fork else 0
        self._pool: Any = None
        self._first = True

    def submit(self, docs: Sequence[Document]) -> Callable[[], list[Entry | None]]:
        if self.workers <= 0 or not docs or self._first:
            self._first = self._first and not docs
            entries = self.preparer.entries(docs)
            return lambda: entries
        if self._pool is None:
            self._pool = multiprocessing.get_context("fork").Pool(1, _start_worker, (self.preparer,))
        # A document travels without the record it was read from (kept here, for the output): half the bytes.
        return self._pool.apply_async(_entries_in_worker, ([dataclasses.replace(d, meta={}) for d in docs],)).get

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
