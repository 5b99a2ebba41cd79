"""On-disk stores of what verification needs, so a million documents' data never sits in memory.

Verification needs the exact shingle sets and normalised texts only of the documents in candidate pairs: both
live in files, with a few numbers per document in memory; worker processes read them through the file
descriptors they inherit. A store's data is either written by this process (``append``), or was written by a
worker process to a file of its own (``append_stored``: this process only learns where), so that it never
travels between processes.

>>> import numpy as np
>>> with ShingleStore() as store:
...     store.append(np.array([3, 5, 1], dtype=np.uint32), np.array([2, 1]))
...     store[1].tolist()
[1]
"""

from __future__ import annotations

import bisect
import os
import tempfile
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from dedup.templates import Analysed

ANALYSED_CACHE = 256  # texts kept prepared for the template test (~100-200 KB each: tokens, facts, sets)


class _Segments:
    """Where each document's data lies: runs of consecutive documents ("segments"), each in one file from one
    byte offset on; per document only its end (cumulative, in items of ``itemsize`` bytes) is kept.

    Memory per document: 8 bytes (its end), plus 4 numbers per segment (one per batch of documents)."""

    def __init__(self, itemsize: int, enabled: bool = True) -> None:
        self.itemsize = itemsize
        self._file = tempfile.TemporaryFile(prefix="dedup-store-") if enabled else None
        self._pos = 0  # bytes written to this process's own file
        self._fds: list[int] = [self._file.fileno()] if self._file is not None else []
        self._opened: dict[str, int] = {}  # worker files, by path: index in _fds
        self._ends: list[np.ndarray] = [np.zeros(1, dtype=np.int64)]
        self._all: np.ndarray | None = None
        self._count = 0
        # Per segment: first document, file (index in _fds), byte offset of its first document, its first item.
        self._first: list[int] = []
        self._where: list[tuple[int, int, int]] = []

    def _add(self, fd_index: int, offset: int, sizes: np.ndarray) -> None:
        start = int(self._ends[-1][-1])
        self._first.append(self._count)
        self._where.append((fd_index, offset, start))
        self._ends.append(start + np.cumsum(np.asarray(sizes, dtype=np.int64)))
        self._count += len(sizes)
        self._all = None

    def write(self, data: bytes, sizes: np.ndarray) -> None:
        assert self._file is not None
        self._file.write(data)
        self._add(0, self._pos, sizes)
        self._pos += len(data)

    def stored(self, path: str, offset: int, sizes: np.ndarray) -> None:
        """Documents of ``sizes`` items written by another process to ``path`` from byte ``offset`` on."""
        if path not in self._opened:
            self._opened[path] = len(self._fds)
            self._fds.append(os.open(path, os.O_RDONLY))
        self._add(self._opened[path], offset, sizes)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()
        if self._all is None:
            self._all = np.concatenate(self._ends)
            self._ends = [self._all]

    def __len__(self) -> int:
        return self._count

    def read(self, i: int) -> bytes:
        if self._all is None:
            self.flush()
        k = bisect.bisect_right(self._first, i) - 1
        fd, offset, start = self._where[k]
        lo, hi = int(self._all[i]), int(self._all[i + 1])  # type: ignore[index]
        return os.pread(self._fds[fd], (hi - lo) * self.itemsize, offset + (lo - start) * self.itemsize)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        for k in self._opened.values():
            os.close(self._fds[k])
        self._opened.clear()


class ShingleStore:
    """Every document's shingle set in files; ``store[i]`` reads one back (uint32, sorted).

    Verification needs the exact sets only of the documents in candidate pairs, and a million documents' sets
    are gigabytes: so they live on disk, with an offset per document in memory.
    """

    def __init__(self) -> None:
        self._data = _Segments(4)
        self._last: tuple[int, np.ndarray] | None = None

    def append(self, flat: np.ndarray, sizes: np.ndarray) -> None:
        self._data.write(np.ascontiguousarray(flat, dtype=np.uint32).tobytes(), sizes)

    def append_stored(self, path: str, offset: int, sizes: np.ndarray) -> None:
        """Sets another process wrote to ``path`` from byte ``offset`` on (uint32), ``sizes`` hashes each."""
        self._data.stored(path, offset, sizes)

    def __len__(self) -> int:
        return len(self._data)

    def flush(self) -> None:
        """Write everything out and index it (before worker processes that read the store are forked)."""
        self._data.flush()

    def __getitem__(self, i: int) -> np.ndarray:
        if self._last is not None and self._last[0] == i:  # pairs come sorted by their first document
            return self._last[1]
        out = np.frombuffer(self._data.read(i), dtype=np.uint32)
        self._last = (i, out)
        return out

    def __enter__(self) -> ShingleStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._data.close()


class TextStore:
    """Normalised texts in files (utf-8); ``store.words(i)`` gives one document's words back."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._data = _Segments(1, enabled)
        # A text is in as many candidate pairs as it has look-alikes: its facts and shingles are read once.
        self._analysed: OrderedDict[int, Analysed] = OrderedDict()

    def extend(self, texts: Sequence[str]) -> None:
        encoded = [t.encode("utf-8") for t in texts]
        self.extend_encoded(b"".join(encoded), np.array([len(b) for b in encoded], dtype=np.int64))

    def extend_encoded(self, data: bytes, sizes: np.ndarray) -> None:
        """Texts already encoded (utf-8) and joined, ``sizes`` bytes each: one write."""
        if self.enabled:
            self._data.write(data, sizes)

    def append_stored(self, path: str, offset: int, sizes: np.ndarray) -> None:
        """Texts another process wrote to ``path`` from byte ``offset`` on (utf-8), ``sizes`` bytes each."""
        if self.enabled:
            self._data.stored(path, offset, sizes)

    def flush(self) -> None:
        if self.enabled:
            self._data.flush()

    def words(self, i: int) -> list[str]:
        if not self.enabled:
            return []
        return self._data.read(i).decode("utf-8").split()

    def analysed(self, i: int) -> Analysed:
        """Document ``i`` prepared for :func:`dedup.templates.relation` (the last few thousand are kept)."""
        found = self._analysed.get(i)
        if found is not None:
            self._analysed.move_to_end(i)
            return found
        found = self._analysed[i] = Analysed(self.words(i))
        if len(self._analysed) > ANALYSED_CACHE:
            self._analysed.popitem(last=False)
        return found

    def __enter__(self) -> TextStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._data.close()
