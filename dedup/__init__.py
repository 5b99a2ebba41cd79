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

import sys
import types
from typing import TYPE_CHECKING, Any

from dedup.exports import lazy_attributes
from dedup.version import __version__

if TYPE_CHECKING:
    from dedup.document import Document, Removal
    from dedup.index.stream import Deduplicator
    from dedup.io import FieldNames
    from dedup.pipeline import Pipeline, ScanResult, clean, scan, scan_documents
    from dedup.settings import Settings

# Every public name is imported when first asked for: ``import dedup.cli`` (or any submodule) runs this file, and
# a command that has no work (``dedup precommit`` with nothing staged, ``dedup --help``) must not load the
# pipeline, numpy and the cleaner's rules for it.
_LAZY = {
    "Deduplicator": "dedup.index.stream",
    "Document": "dedup.document",
    "FieldNames": "dedup.io",
    "Pipeline": "dedup.pipeline",
    "Removal": "dedup.document",
    "ScanResult": "dedup.pipeline",
    "Settings": "dedup.settings",
    "scan": "dedup.pipeline",
    "scan_documents": "dedup.pipeline",
}


__getattr__ = lazy_attributes(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """This package, whose ``clean`` is the function :func:`dedup.pipeline.clean`, not the subpackage.

    Importing a submodule binds it on its parent: the first ``import dedup.clean.lines`` would make
    ``dedup.clean`` the subpackage :mod:`dedup.clean` (the eager imports used to rebind it to the function after).
    """

    @property
    def clean(self) -> Any:
        replaced = self.__dict__.get("_clean")
        if replaced is not None:
            return replaced
        from dedup.pipeline import clean

        return clean

    @clean.setter
    def clean(self, value: Any) -> None:
        # The import system binding the subpackage is ignored (it stays reachable as sys.modules["dedup.clean"]);
        # anything else (a test's monkeypatch) replaces the function until it is deleted.
        if not isinstance(value, types.ModuleType):
            self.__dict__["_clean"] = value

    @clean.deleter
    def clean(self) -> None:
        self.__dict__.pop("_clean", None)


sys.modules[__name__].__class__ = _Package


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
