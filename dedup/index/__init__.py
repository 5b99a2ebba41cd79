"""A persistent near-duplicate index: fingerprints of documents seen before, kept between runs.

* :mod:`dedup.index.base`: what every index is (entries, matches) and the query, written once: it decides as
  ``scan`` decides;
* :mod:`dedup.index.meta`: the settings record an index keeps and checks on every open;
* :mod:`dedup.index.sqlite`: one SQLite file, the default (no server);
* :mod:`dedup.index.redis`: one Redis shared by many workers (``redis://host:port/db``);
* :mod:`dedup.index.urls`: index locations, and Redis URLs shown without their password;
* :mod:`dedup.index.stream`: the streaming API on top, :class:`~dedup.index.stream.Deduplicator`, and
  ``dedup filter``.

>>> import tempfile, os
>>> from dedup.fingerprint import Fingerprinter
>>> from dedup.index import IndexSettings, make_entry
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
from typing import TYPE_CHECKING

from dedup.exports import lazy_attributes
from dedup.index.urls import display_location, is_redis

if TYPE_CHECKING:
    from dedup.index.base import Index
    from dedup.index.entry import DAY, SEEN, Entry, Match, make_entry, parse_time
    from dedup.index.meta import IndexMismatch, IndexSettings
    from dedup.index.redis import RedisIndex
    from dedup.index.sqlite import SqliteIndex

# The stores, the query and the entries (numpy, the fingerprints) are imported when first asked for: a command
# that only names an index location does not load them at start-up, nor one that parses a date (scan's reports,
# --max-age) SQLite, Redis and the index's query.
_LAZY = {
    "DAY": "dedup.index.entry",
    "SEEN": "dedup.index.entry",
    "Entry": "dedup.index.entry",
    "Match": "dedup.index.entry",
    "make_entry": "dedup.index.entry",
    "parse_time": "dedup.index.entry",
    "Index": "dedup.index.base",
    "IndexMismatch": "dedup.index.meta",
    "IndexSettings": "dedup.index.meta",
    "RedisIndex": "dedup.index.redis",
    "SqliteIndex": "dedup.index.sqlite",
}


__getattr__ = lazy_attributes(__name__, _LAZY, keep=False)


__all__ = [
    "DAY",
    "SEEN",
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


def open_index(location: str | os.PathLike[str], settings: IndexSettings | None = None) -> Index:
    """Open (creating it when ``settings`` are given) the index at a file path or a ``redis://host:port/db`` URL.

    With ``settings``, an existing index must have been made with the same ones (it decides with them); without,
    it is opened with the settings it records (for statistics and maintenance). Raises
    :class:`dedup.io.InputError` (one line) when it cannot be opened or its settings are incompatible.
    """
    if is_redis(location):
        from dedup.index.redis import RedisIndex

        return RedisIndex(str(location), settings)
    from dedup.index.sqlite import SqliteIndex

    return SqliteIndex(location, settings)
