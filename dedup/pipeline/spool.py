"""The spool's form of a batch of page-cleaned pages: columns, not one pickled object per page.

The first pass of a scan spools every page and the second reads each back (:mod:`dedup.pipeline.shares`,
:mod:`dedup.pipeline.workers`). Pickled one by one, a page costs a :class:`~dedup.document.Document`, a list of
keys and four arrays each way, and the second pass decodes its text and keys only to join the keys again and
encode them. :func:`pack` writes a batch as :class:`PageColumns` instead: the documents' fields as lists, the
texts and the keys as two UTF-8 blocks, the arrays as one block. The second pass reads a page that site cleaning
leaves whole from the columns (:meth:`PageColumns.normalised`: its normalised text as UTF-8, joined from the key
block without decoding it); a :class:`~dedup.clean.Page` is made only for the others (:meth:`PageColumns.page`).

>>> from dedup.clean import Cleaner, site_observations
>>> from dedup.document import Document
>>> cleaner = Cleaner()
>>> pages = [cleaner.clean_page_keyed(Document(id=f"d{i}", text=f"Story {i} of the day.\\nShare", title="Title"))
...          for i in range(2)]
>>> _ = site_observations(pages)
>>> columns = unpack(pack(pages))
>>> [p.doc.text for p in columns.pages()], columns.normalised(1)
(['Story 0 of the day.', 'Story 1 of the day.'], b'title story 1 of the day')
>>> [p.keys for p in columns.pages()] == [p.keys for p in pages]
True
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np

from dedup.clean import Page
from dedup.document import Document

_U64, _U32 = np.dtype(np.uint64), np.dtype(np.uint32)
_UTF8 = ("utf-8", "surrogatepass")  # as pickle encodes a str: any str goes through
_MAGIC = b"dedupPC1"  # a batch of PageColumns (a pickle starts with b"\x80")
_START = 16  # the magic, and the header's length


class PageColumns:
    """A batch of pages as columns (see the module docstring); ``len()`` pages."""

    __slots__ = ("_content", "_data", "_ends", "_hashes", "_keys", "_shingles", "_tokens", "fields", "skip_title")

    def __init__(self, data: bytes, header: int) -> None:
        # What pack_parts wrote: the header (the fields, which pages leave their title's key out, the lengths
        # of the texts' and keys' blocks), the texts, the keys, padding to 8 bytes, then the blob: six arrays
        # of n + 1 offsets (int64: text bytes, key bytes, line hashes, word hashes, shingles, content words),
        # the 64-bit arrays and the 32-bit ones, each starting aligned.
        self.fields, self.skip_title, text_size, key_size = pickle.loads(data[_START : _START + header])
        self._data = data
        self._keys = _START + header + text_size  # where the key block starts in data
        at = _aligned(self._keys + key_size)
        n = len(self.fields[0])
        ends = np.frombuffer(data, np.int64, 6 * (n + 1), at).reshape(6, n + 1).copy()
        at += ends.nbytes
        self._hashes = np.frombuffer(data, _U64, int(ends[2, -1]), at)
        at += self._hashes.nbytes
        self._tokens = np.frombuffer(data, _U64, int(ends[3, -1]), at)
        at += self._tokens.nbytes
        self._shingles = np.frombuffer(data, _U32, int(ends[4, -1]), at)
        at += self._shingles.nbytes
        self._content = np.frombuffer(data, _U32, int(ends[5, -1]), at)
        ends[0] += _START + header  # offsets into data: Python ints, a page's slices are taken one at a time
        ends[1] += self._keys
        self._ends = ends.tolist()

    def __len__(self) -> int:
        return len(self.fields[0])

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        raise TypeError("PageColumns is written by pack() and read by unpack()")

    def hashes(self, k: int) -> np.ndarray:
        """Page ``k``'s line hashes (:attr:`dedup.clean.Page.hashes`), a read-only view."""
        e = self._ends[2]
        return self._hashes[e[k] : e[k + 1]]

    def all_hashes(self) -> tuple[np.ndarray, np.ndarray]:
        """Every page's line hashes, concatenated, and how many each page has."""
        return self._hashes, np.diff(np.asarray(self._ends[2], dtype=np.int64))

    def arrays(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Page ``k``'s word hashes, content words and shingles (:attr:`dedup.clean.Page.tokens`, ``content``,
        ``shingles``), read-only views."""
        t, c, s = self._ends[3], self._ends[5], self._ends[4]
        return (
            self._tokens[t[k] : t[k + 1]],
            self._content[c[k] : c[k + 1]],
            self._shingles[s[k] : s[k + 1]],
        )

    def normalised(self, k: int) -> bytes:
        """``Page.normalised_text()`` of page ``k``, UTF-8 encoded, from the key block (nothing decoded)."""
        e = self._ends[1]
        keys = self._data[e[k] : e[k + 1]].split(b"\n")
        # As dedup.clean._joined: the title's key is left out when there is no title or the text starts with it.
        return b" ".join([key for key in (keys[1:] if self.skip_title[k] else keys) if key])

    def text(self, k: int) -> str:
        """Page ``k``'s text (``page(k).doc.text``), decoded alone."""
        t = self._ends[0]
        return self._data[t[k] : t[k + 1]].decode(*_UTF8)

    def page(self, k: int) -> Page:
        """Page ``k`` as a :class:`~dedup.clean.Page` (its text and keys decoded)."""
        f = self.fields
        t, e = self._ends[0], self._ends[1]
        doc = Document(f[0][k], self._data[t[k] : t[k + 1]].decode(*_UTF8), *(column[k] for column in f[1:]))
        keys = self._data[e[k] : e[k + 1]].decode(*_UTF8).split("\n")
        tokens, content, shingles = self.arrays(k)
        return Page(doc, keys, self.hashes(k), shingles, tokens, content)

    def pages(self) -> list[Page]:
        return [self.page(k) for k in range(len(self))]


def pack(pages: list[Page]) -> bytes:
    """A batch of pages for the spool (:func:`pack_parts`, joined)."""
    return b"".join(pack_parts(pages))


def pack_parts(pages: list[Page]) -> list[bytes]:
    """A batch of pages for the spool, in parts to write one after the other: :class:`PageColumns` when every
    page has its shingles, word hashes and content words (:func:`dedup.clean.site_observations` computed them)
    and no key holds a newline; else the pages pickled one by one. :func:`unpack` reads either."""
    keys = [("\n".join(p.keys)).encode(*_UTF8) for p in pages]
    if not all(_columnar(p, block) for p, block in zip(pages, keys)):
        return [pickle.dumps(pages, protocol=pickle.HIGHEST_PROTOCOL)]
    # Document's constructor arguments (dedup.document.Document.__reduce__), a column each.
    columns = list(zip(*(p.doc.__reduce__()[1] for p in pages))) or [()] * 12
    texts = [text.encode(*_UTF8) for text in columns[1]]
    fields = [list(column) for k, column in enumerate(columns) if k != 1]
    skip = bytes(not d.title or d.text.startswith(d.title) for d in (p.doc for p in pages))
    arrays = [
        [p.hashes for p in pages],
        [p.tokens for p in pages],
        [p.shingles for p in pages],
        [p.content for p in pages],
    ]
    ends = np.zeros((6, len(pages) + 1), dtype=np.int64)
    for row, sizes in enumerate(
        ([len(b) for b in texts], [len(b) for b in keys], *([a.size for a in column] for column in arrays))
    ):
        np.cumsum(sizes, out=ends[row, 1:])
    header = pickle.dumps((fields, skip, int(ends[0, -1]), int(ends[1, -1])), protocol=pickle.HIGHEST_PROTOCOL)
    used = _START + len(header) + int(ends[0, -1]) + int(ends[1, -1])
    return [
        _MAGIC,
        len(header).to_bytes(8, "little"),
        header,
        *texts,
        *keys,
        bytes(_aligned(used) - used),
        ends.tobytes(),
        *(np.concatenate(column).tobytes() if column else b"" for column in arrays),
    ]


def _columnar(page: Page, keys: bytes) -> bool:
    return (
        page.shingles is not None
        and page.tokens is not None
        and page.content is not None
        and page.hashes.dtype == _U64
        and page.tokens.dtype == _U64
        and page.shingles.dtype == _U32
        and page.content.dtype == _U32
        and keys.count(b"\n") == len(page.keys) - 1
    )


def unpack(data: bytes) -> list[Page] | PageColumns:
    """A spooled batch: the pages, or their :class:`PageColumns`."""
    if data[:8] == _MAGIC:
        return PageColumns(data, int.from_bytes(data[8:_START], "little"))
    return pickle.loads(data)  # type: ignore[no-any-return]


def _aligned(at: int) -> int:
    return (at + 7) & ~7


def unpack_pages(data: bytes) -> list[Page]:
    """A spooled batch's pages."""
    loaded = unpack(data)
    return loaded if isinstance(loaded, list) else loaded.pages()
