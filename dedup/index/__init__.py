"""A persistent near-duplicate index: fingerprints of documents seen before, kept between runs.

* :mod:`dedup.index.base`: what every index is (settings record, entries, matches) and the query, written once;
* :mod:`dedup.index.sqlite`: one SQLite file, the default (no server);
* :mod:`dedup.index.redis`: one Redis shared by many workers (``redis://host:port/db``);
* :mod:`dedup.index.stream`: the streaming API on top, :class:`~dedup.index.stream.Deduplicator`, and
  ``dedup filter``.

>>> import tempfile, os
>>> from dedup.fingerprint import Fingerprinter
>>> fp = Fingerprinter()
>>> story = "the cabinet met on monday to approve the budget for the coming year after long talks".split()
>>> entry = make_entry("a", " ".join(story), fp)
>>> with open_index(os.path.join(tempfile.mkdtemp(), "i.sqlite"), IndexSettings()) as index:
...     index.add([entry])
...     [m.id for m in index.query(make_entry("b", " ".join(story[:-1]), fp))]
1
['a']
"""

from __future__ import annotations

import os

from dedup.cluster import VerifyOptions
from dedup.index.base import (
    DAY,
    DEFAULT_VERIFY,
    Entry,
    Index,
    IndexMismatch,
    IndexSettings,
    Match,
    display_location,
    is_redis,
    make_entry,
    parse_time,
)
from dedup.index.redis import RedisIndex
from dedup.index.sqlite import SqliteIndex

__all__ = [
    "DAY",
    "Entry",
    "Index",
    "IndexMismatch",
    "IndexSettings",
    "Match",
    "RedisIndex",
    "SqliteIndex",
    "display_location",
    "is_redis",
    "make_entry",
    "open_index",
    "parse_time",
]


def open_index(
    location: str | os.PathLike[str],
    settings: IndexSettings | None = None,
    verify_options: VerifyOptions = DEFAULT_VERIFY,
    templates: bool = True,
) -> Index:
    """Open (creating it when ``settings`` are given) the index at a file path or a ``redis://host:port/db`` URL.

    Raises :class:`dedup.io.InputError` (one line) when it cannot be opened or its settings are incompatible.
    """
    if is_redis(location):
        return RedisIndex(str(location), settings, verify_options, templates)
    return SqliteIndex(location, settings, verify_options, templates)
