"""One mapping between JSON records and :class:`~dedup.document.Document`, used by every reader and writer.

A record is a JSONL line, a dict or a Scrapy item. Its text is its ``text`` field when that holds any text, else
its ``html`` field (extracted by the cleaner), so ``{"text": "", "html": "<article>…"}`` is an article
everywhere: in ``scan``, ``remove``, ``filter`` and :class:`dedup.index.stream.Deduplicator`. Field names are
settings (:class:`FieldNames`). A record with neither field as a string is not a document: :class:`RecordError`.

>>> doc = document_from_record({"id": 7, "text": "", "html": "<p>Body</p>", "url": "https://www.example.com/a"})
>>> doc.id, doc.source, doc.html
('7', 'example.com', '<p>Body</p>')
>>> record_of(Document(id="a", text="Body", title="T"))
{'id': 'a', 'title': 'T', 'text': 'Body'}
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from dedup.document import Document

# A single document larger than this is almost certainly not an article (a dump, a binary, a log): it is
# reported and skipped rather than allowed to take the whole run's memory.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
RECORD_KEY = "_record"  # Document.meta key holding the record exactly as read, to write it back unchanged
LINE_KEY = "_line"  # Document.meta key holding the JSONL line as read (UTF-8), when the reader passes lines through
# Document.meta key naming the encoding a .txt file or JSONL line was decoded from ("utf-8", "windows-1256", ...).
# Keys that start with "_" are never written out as record fields.
ENCODING_KEY = "_encoding"


@dataclass(frozen=True, slots=True)
class FieldNames:
    """Names of the JSONL fields ``dedup`` reads (each can be changed on the command line)."""

    id: str = "id"
    text: str = "text"
    html: str = "html"
    title: str = "title"
    url: str = "url"
    date: str = "date"
    source: str = "source"

    def known(self) -> frozenset[str]:
        return _known(self)


@functools.lru_cache(maxsize=64)  # asked once per record; a process makes a few FieldNames
def _known(fields: FieldNames) -> frozenset[str]:
    return frozenset((fields.id, fields.text, fields.html, fields.title, fields.url, fields.date, fields.source))


class RecordError(ValueError):
    """A record that is not a document (no text or HTML field); the message names the fields looked for."""


def source_of(url: str | None, source: str | None, folder: str | None) -> str | None:
    """The site a document comes from: its ``source``, else the host of its ``url``, else its folder.

    >>> source_of("https://www.sana.sy/ar/?p=1", None, "x")
    'sana.sy'
    """
    if source:
        return str(source)
    if url:
        host = urlsplit(str(url)).hostname or ""
        if host.startswith("www."):
            host = host[4:]
        if host:
            return host
    return folder or None


def opt_str(value: Any) -> str | None:
    """A field's value as a string, ``None`` when missing or empty."""
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def document_from_record(
    record: Mapping[str, Any],
    fields: FieldNames = FieldNames(),
    *,
    fallback_id: str = "",
    origin: str = "",
    path: str | None = None,
    root: str | None = None,
    folder: str | None = None,
    keep_record: bool = True,
) -> Document:
    """The document a record describes; raises :class:`RecordError` when it has no text or HTML string.

    ``fallback_id`` names a record without an id (``file.jsonl:17``); ``keep_record`` keeps the record whole in
    ``meta["_record"]`` so that writing the corpus back loses nothing.
    """
    text, html = record.get(fields.text), record.get(fields.html)
    has_text = isinstance(text, str)
    has_html = isinstance(html, (str, bytes))
    if not has_text and not has_html:
        raise RecordError(f"no {fields.text!r} or {fields.html!r} string field")
    use_html = has_html and not (has_text and text.strip())
    url = opt_str(record.get(fields.url))
    known = fields.known()
    extra = {k: v for k, v in record.items() if k not in known}
    if keep_record:
        extra = {RECORD_KEY: record if isinstance(record, dict) else dict(record), **extra}
    return Document(
        id=opt_str(record.get(fields.id)) or fallback_id,
        text="" if use_html or not has_text else text,
        title=opt_str(record.get(fields.title)) or "",
        url=url,
        source=source_of(url, opt_str(record.get(fields.source)), folder),
        date=opt_str(record.get(fields.date)),
        html=html if use_html else None,
        origin=origin,
        path=path,
        root=root,
        meta=extra,
    )


def record_of(doc: Document) -> dict[str, Any]:
    """The record to write for ``doc``: the record it was read from, unchanged, else :func:`cleaned_record`."""
    record = doc.meta.get(RECORD_KEY)
    if isinstance(record, dict):
        return record
    return cleaned_record(doc)


def cleaned_record(doc: Document) -> dict[str, Any]:
    """The JSONL record of a cleaned document: id, title, text, and its url, source and date when known."""
    out: dict[str, Any] = {"id": doc.id, "title": doc.title, "text": doc.text}
    for key in ("url", "source", "date"):
        if getattr(doc, key):
            out[key] = getattr(doc, key)
    return out
