"""dedup: find and remove near-duplicate news, and strip the site chrome around it.

The Python API, the same one the command line is a thin layer over:

- :func:`scan` (files, folders, JSONL, WARC) and :func:`scan_documents` (in-memory documents) return a
  :class:`ScanResult`: its documents and clusters of near-duplicates;
- :func:`clean` yields cleaned :class:`Document` objects, each listing what was removed and by which rule;
- :class:`Deduplicator` answers "seen this story before?" against a persistent index (SQLite or Redis);
- :class:`Settings` holds every knob, with the measured defaults.

>>> import dedup
>>> story = "The port strike entered its third day on Monday as talks between unions and operators stalled."
>>> docs = [dedup.Document(id="a", text=story), dedup.Document(id="b", text=story + " Ships waited.")]
>>> [c.keep for c in dedup.scan_documents(docs).clusters]
[0]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dedup.document import Document, Removal
from dedup.io import FieldNames
from dedup.pipeline import Pipeline, ScanResult, clean, scan, scan_documents
from dedup.settings import Settings
from dedup.version import __version__

if TYPE_CHECKING:
    from dedup.index.stream import Deduplicator


def __getattr__(name: str) -> Any:
    # The index (SQLite, Redis, its stream) is imported when first asked for: a scan or a pre-commit run that
    # uses none pays nothing for it at start-up.
    if name == "Deduplicator":
        from dedup.index.stream import Deduplicator

        return Deduplicator
    raise AttributeError(f"module 'dedup' has no attribute {name!r}")


__all__ = [
    "Deduplicator",
    "Document",
    "FieldNames",
    "Pipeline",
    "Removal",
    "ScanResult",
    "Settings",
    "__version__",
    "clean",
    "scan",
    "scan_documents",
]
