"""What a scan keeps of each document, as columns: a few hundred bytes a document instead of a :class:`DocInfo`
and its eight strings (some 750 bytes), so that ten million documents' report data fit in memory.

Workers turn their batch's :class:`DocInfo` records into :class:`DocColumns` (utf-8 blobs with offsets, numbers
in numpy arrays, 16-byte digests); :class:`DocTable` is a sequence of :class:`DocInfo` over those columns, made on
each access, so every report and clustering function reads it as it read the list.

>>> from dedup.document import DocInfo
>>> a = DocInfo("a", "عنوان", "sabq.org", None, "x.jsonl:1", "x.jsonl", ".", 3, "00" * 16)
>>> b = DocInfo("b", "", None, "2015-07-01", "x.jsonl:2", "x.jsonl", ".", 0, "ff" * 16)
>>> table = DocTable()
>>> table.extend(DocColumns.of([a, b]))
>>> len(table), table[0] == a, table[-1] == b, list(table) == [a, b], table.titles[0]
(2, True, True, True, 'عنوان')
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

from dedup.document import DocInfo

_TEXT = ("id", "title", "date", "origin")  # per-document strings, kept as utf-8 blobs
_CODED = ("source", "path", "root")  # strings a corpus repeats, kept as codes into a vocabulary
RECENT = 4096  # records a table keeps once made (forgotten all at once when full)


@dataclass
class DocColumns:
    """A batch's :class:`DocInfo` records as columns (what a worker sends back instead of the records)."""

    blobs: dict[str, bytes]  # field -> its values, utf-8, one after the other
    sizes: dict[str, np.ndarray]  # field -> bytes of each value (-1: None)
    coded: dict[str, list[str | None]]  # field -> its values (repeated strings: pickled once per batch)
    words: np.ndarray
    digests: bytes  # 16 bytes each

    @classmethod
    def of(cls, infos: Sequence[DocInfo]) -> DocColumns:
        blobs, sizes = {}, {}
        for name in _TEXT:
            values = [getattr(info, name) for info in infos]
            encoded = [b"" if v is None else v.encode("utf-8", "surrogatepass") for v in values]
            blobs[name] = b"".join(encoded)
            sizes[name] = np.array([-1 if v is None else len(e) for v, e in zip(values, encoded)], dtype=np.int64)
        coded = {name: [getattr(info, name) for info in infos] for name in _CODED}
        words = np.fromiter((info.words for info in infos), dtype=np.int64, count=len(infos))
        return cls(blobs, sizes, coded, words, b"".join(bytes.fromhex(info.digest) for info in infos))

    def __len__(self) -> int:
        return int(self.words.size)


class _Text:
    """One per-document string field: its values' bytes in chunks, and where each value starts (-1: None)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._blob = b""
        self._starts: list[np.ndarray] = []
        self._ends: list[np.ndarray] = []
        self._flat: tuple[np.ndarray, np.ndarray] | None = None
        self._pos = 0

    def extend(self, blob: bytes, sizes: np.ndarray) -> None:
        ends = self._pos + np.cumsum(np.maximum(sizes, 0))
        starts = ends - np.maximum(sizes, 0)
        self._starts.append(np.where(sizes < 0, -1, starts))
        self._ends.append(ends)
        self._chunks.append(blob)
        self._pos += len(blob)
        self._flat = None

    def _index(self) -> tuple[np.ndarray, np.ndarray]:
        if self._flat is None:
            self._blob = b"".join([self._blob, *self._chunks])
            self._chunks = []
            self._flat = (np.concatenate(self._starts), np.concatenate(self._ends))
            self._starts, self._ends = [self._flat[0]], [self._flat[1]]
        return self._flat

    def __getitem__(self, i: int) -> str | None:
        starts, ends = self._flat if self._flat is not None else self._index()
        start = starts.item(i)
        if start < 0:
            return None
        return self._blob[start : ends.item(i)].decode("utf-8", "surrogatepass")


class DocTable(Sequence[DocInfo]):
    """The documents of a scan, in input order: ``table[i]`` is document ``i``'s :class:`DocInfo`."""

    def __init__(self) -> None:
        self._text = {name: _Text() for name in _TEXT}
        self._vocab: list[str | None] = [None]
        self._code_of: dict[str | None, int] = {None: 0}
        self._codes: dict[str, list[np.ndarray]] = {name: [] for name in _CODED}
        self._words: list[np.ndarray] = []
        self._digests: list[bytes] = []
        self._flat: dict[str, Any] | None = None
        self._n = 0
        # The records made last, handed out again: reports read a cluster's kept document once per member.
        self._recent: dict[int, DocInfo] = {}
        self.titles = _Titles(self._text["title"])

    def extend(self, columns: DocColumns) -> None:
        for name in _TEXT:
            self._text[name].extend(columns.blobs[name], columns.sizes[name])
        for name in _CODED:
            codes = np.empty(len(columns), dtype=np.uint32)
            for k, value in enumerate(columns.coded[name]):
                code = self._code_of.get(value)
                if code is None:
                    code = self._code_of[value] = len(self._vocab)
                    self._vocab.append(value)
                codes[k] = code
            self._codes[name].append(codes)
        self._words.append(columns.words)
        self._digests.append(columns.digests)
        self._n += len(columns)
        self._flat = None
        self._recent.clear()

    def extend_infos(self, infos: Sequence[DocInfo]) -> None:
        self.extend(DocColumns.of(infos))

    def compact(self) -> None:
        """Join every column's batches now (each is otherwise joined when first read): read by forked workers
        afterwards, they share this process's copy instead of each joining its own."""
        if self._n:
            self._columns()
            for text in self._text.values():
                text._index()

    def words(self) -> np.ndarray:
        """Every document's word count."""
        return self._columns()["words"]

    def field(self, name: str, indices: Sequence[int]) -> list[str | None]:
        """Field ``name`` (``id``, ``title``, ``date``, ``origin``, ``source``, ``path`` or ``root``) of the
        documents at ``indices``, without making their records (what a CSV report reads of every member)."""
        at = np.asarray(indices, dtype=np.int64)
        if name in self._text:
            text = self._text[name]
            starts, ends = text._index()
            blob = text._blob
            return [
                None if a < 0 else blob[a:b].decode("utf-8", "surrogatepass")
                for a, b in zip(starts[at].tolist(), ends[at].tolist())
            ]
        vocab = self._vocab
        return [vocab[c] for c in self._columns()[name][at].tolist()]

    def rows(self) -> Sequence[_Row]:
        """The documents as rows that read only the fields asked for (what ranking and exact-copy grouping
        read: words, digest, date, source), without making a :class:`DocInfo` of each."""
        return _Rows(self)

    def _columns(self) -> dict[str, Any]:
        if self._flat is None:
            flat: dict[str, Any] = {
                name: np.concatenate(self._codes[name] or [np.zeros(0, np.uint32)]) for name in _CODED
            }
            flat["words"] = np.concatenate(self._words or [np.zeros(0, np.int64)])
            flat["digests"] = b"".join(self._digests)
            self._codes = {name: [flat[name]] for name in _CODED}
            self._words, self._digests = [flat["words"]], [flat["digests"]]
            self._flat = flat
        return self._flat

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> DocInfo: ...
    @overload
    def __getitem__(self, i: slice) -> list[DocInfo]: ...
    def __getitem__(self, i: int | slice) -> DocInfo | list[DocInfo]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        found = self._recent.get(i)
        if found is not None:
            return found
        if len(self._recent) >= RECENT:
            self._recent.clear()
        flat, text, vocab = self._columns(), self._text, self._vocab
        found = self._recent[i] = DocInfo(
            id=text["id"][i],  # type: ignore[arg-type]
            title=text["title"][i],  # type: ignore[arg-type]
            source=vocab[flat["source"][i]],
            date=text["date"][i],
            origin=text["origin"][i],  # type: ignore[arg-type]
            path=vocab[flat["path"][i]],
            root=vocab[flat["root"][i]],
            words=int(flat["words"][i]),
            digest=flat["digests"][16 * i : 16 * i + 16].hex(),
        )
        return found

    def __iter__(self) -> Iterator[DocInfo]:
        for i in range(self._n):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (DocTable, list)):
            return len(other) == self._n and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class _Titles(Sequence[str]):
    """The documents' titles (what rewrite decisions read), without making their records."""

    def __init__(self, text: _Text) -> None:
        self._text = text

    def __len__(self) -> int:
        return len(self._text._index()[0])

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        return self._text[i]


class _Row:
    """One document of a :class:`DocTable`, its fields read when asked for."""

    __slots__ = ("_i", "_t")

    def __init__(self, table: DocTable, i: int) -> None:
        self._t, self._i = table, i

    @property
    def words(self) -> int:
        return int(self._t._columns()["words"][self._i])

    @property
    def digest(self) -> str:
        return self._t._columns()["digests"][16 * self._i : 16 * self._i + 16].hex()

    @property
    def date(self) -> str | None:
        return self._t._text["date"][self._i]

    @property
    def source(self) -> str | None:
        return self._t._vocab[self._t._columns()["source"][self._i]]

    @property
    def title(self) -> str:
        return self._t._text["title"][self._i]  # type: ignore[return-value]


class _Rows(Sequence[_Row]):
    def __init__(self, table: DocTable) -> None:
        self._table = table

    def __len__(self) -> int:
        return len(self._table)

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        return _Row(self._table, i)
