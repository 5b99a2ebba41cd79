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
import mmap
import os
import shutil
import tempfile
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from dedup.templates import Analysed

# Bytes between two documents' data below which one read takes both (and what lies between): a read costs about
# what copying this much does.
READ_GAP = 16 << 10
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

    def read_many(self, ids: np.ndarray) -> tuple[bytes, np.ndarray, np.ndarray]:
        """The data of documents ``ids`` (increasing) in one buffer, and where each one's starts and ends in it
        (in items). Documents of one segment less than :data:`READ_GAP` bytes apart are read with one pread: a
        chunk of candidate pairs names many neighbours."""
        if self._all is None:
            self.flush()
        assert self._all is not None
        ids = np.asarray(ids, dtype=np.int64)
        lo, hi = self._all[ids], self._all[ids + 1]
        segment = np.searchsorted(np.asarray(self._first, dtype=np.int64), ids, side="right") - 1
        new = np.ones(ids.size, dtype=bool)
        new[1:] = (segment[1:] != segment[:-1]) | ((lo[1:] - hi[:-1]) * self.itemsize > READ_GAP)
        firsts = np.flatnonzero(new)
        lasts = np.append(firsts[1:], ids.size) - 1
        # Each document's place in the buffer: where its run's read lands, plus its offset in the run.
        run_lo = lo[firsts]
        lengths = hi[lasts] - run_lo
        landing = np.cumsum(lengths) - lengths
        shift = np.repeat(landing - run_lo, lasts - firsts + 1)
        parts = []
        for k, first in enumerate(firsts.tolist()):
            fd, offset, start = self._where[int(segment[first])]
            size, at = int(lengths[k]) * self.itemsize, offset + (int(run_lo[k]) - start) * self.itemsize
            parts.append(os.pread(self._fds[fd], size, at))
        return b"".join(parts) if len(parts) != 1 else parts[0], lo + shift, hi + shift

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        for k in self._opened.values():
            os.close(self._fds[k])
        self._opened.clear()

    def __getstate__(self) -> dict[str, Any]:
        """What a process started afresh (not forked) needs to read the data: the files are named by this
        process's descriptors (``/proc/PID/fd/N`` opens even a file already unlinked), read-only there."""
        self.flush()
        return {
            "itemsize": self.itemsize,
            "paths": [f"/proc/{os.getpid()}/fd/{fd}" for fd in self._fds],
            "ends": self._all,
            "first": self._first,
            "where": self._where,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.itemsize, self._file, self._pos = state["itemsize"], None, 0
        self._fds = [os.open(path, os.O_RDONLY) for path in state["paths"]]
        self._opened = {path: k for k, path in enumerate(state["paths"])}  # all closed by close()
        self._all = state["ends"]
        self._ends = [self._all]
        self._count = len(self._all) - 1
        self._first, self._where = state["first"], state["where"]


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

    def gather(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The sets of documents ``ids`` (increasing) as one read-only array and each one's start and end in it,
        read with a pread per run of neighbours instead of one per document.

        >>> with ShingleStore() as store:
        ...     store.append(np.array([3, 5, 1, 8], dtype=np.uint32), np.array([2, 1, 1]))
        ...     flat, starts, ends = store.gather(np.array([0, 2]))
        ...     flat[starts[1] : ends[1]].tolist(), flat[starts[0] : ends[0]].tolist()
        ([8], [3, 5])
        """
        data, starts, ends = self._data.read_many(ids)
        return np.frombuffer(data, dtype=np.uint32), starts, ends

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

    def __getstate__(self) -> dict[str, Any]:
        """Pickled for worker processes started afresh (Linux: the files are reopened through ``/proc``), without
        the prepared texts; forked workers inherit the store instead."""
        return {"enabled": self.enabled, "data": self._data}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.enabled, self._data = state["enabled"], state["data"]
        self._analysed = OrderedDict()

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


class SignatureFile:
    """Rows of ``width`` uint32 (MinHash signatures) appended to a temporary file, read back through a
    read-only mapping whose pages are dropped from the process once copied (:meth:`__getitem__`).

    The matrix (1.1 GB at a million documents and their windows) then sits in the OS page cache, not in the
    memory of the process or of the banding workers it forks: each reads its bands' columns a block of rows at
    a time. Indexing takes ``[rows]`` or ``[rows, cols]`` (rows: an index array or ``:``) and gives an array.

    >>> with SignatureFile(2) as m:
    ...     m.append(np.array([[1, 2], [3, 4]], np.uint32)); m.append(np.array([[5, 6]], np.uint32))
    ...     m.seal()
    ...     m[np.array([2, 0])].tolist(), m[:, slice(1, 2)].tolist(), m.shape
    ([[5, 6], [1, 2]], [[2], [4], [6]], (3, 2))
    """

    BLOCK_ROWS = 1 << 14  # rows copied (and their pages dropped) at a time: a multiple of the page size's bytes

    def __init__(self, width: int) -> None:
        self.width, self.rows = width, 0
        self._file: Any = tempfile.TemporaryFile(prefix="dedup-sigs-")
        self._map: mmap.mmap | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows, self.width

    def append(self, rows: np.ndarray) -> None:
        """Write ``rows`` (``(k, width)``) after those already written (before :meth:`seal`)."""
        self._file.write(np.ascontiguousarray(rows, dtype=np.uint32).data)
        self.rows += rows.shape[0]

    def extend(self, other: SignatureFile) -> None:
        """Append ``other``'s rows (copied through the file, a few MB at a time), then close ``other``."""
        other._file.flush()
        other._file.seek(0)
        shutil.copyfileobj(other._file, self._file, 8 << 20)
        self.rows += other.rows
        other.close()

    def seal(self) -> None:
        """Done appending: the rows are mapped for reading."""
        self._file.flush()
        if self.rows:
            self._map = mmap.mmap(self._file.fileno(), 0, prot=mmap.PROT_READ)

    def __getitem__(self, key: Any) -> np.ndarray:
        rows, cols = key if isinstance(key, tuple) else (key, slice(None))
        width = len(range(self.width)[cols])
        if isinstance(rows, slice):
            rows = np.arange(self.rows)[rows]
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty((rows.size, width), dtype=np.uint32)
        if not rows.size:
            return out
        assert self._map is not None
        ascending = bool((rows[1:] >= rows[:-1]).all())
        order = None if ascending else np.argsort(rows, kind="stable")
        wanted = rows if order is None else rows[order]
        step = self.BLOCK_ROWS * self.width * 4
        edges = np.searchsorted(wanted, np.arange(0, self.rows + self.BLOCK_ROWS, self.BLOCK_ROWS))
        for b in np.flatnonzero(np.diff(edges)).tolist():  # the blocks that hold wanted rows
            lo, hi = edges[b], edges[b + 1]
            start = b * self.BLOCK_ROWS
            count = min(self.BLOCK_ROWS, self.rows - start)
            block = np.frombuffer(self._map, dtype=np.uint32, count=count * self.width, offset=b * step)
            got = block.reshape(count, self.width)[wanted[lo:hi] - start, cols]
            del block
            if order is None:
                out[lo:hi] = got
            else:
                out[order[lo:hi]] = got
            # The pages stay in the page cache; unmapped here, they are not this process's memory (nor PSS).
            self._map.madvise(mmap.MADV_DONTNEED, b * step, min(step, len(self._map) - b * step))
        return out

    def mapped(self) -> np.ndarray:
        """The whole matrix as a read-only array over the mapping, not copied (for a kernel that reads a few
        rows here and there); :meth:`release` drops the pages it read from this process."""
        assert self._map is not None
        return np.frombuffer(self._map, dtype=np.uint32).reshape(self.rows, self.width)

    def release(self) -> None:
        """Drop the pages this process has read from the mapping (they stay in the OS page cache)."""
        if self._map is not None:
            self._map.madvise(mmap.MADV_DONTNEED)

    def close(self) -> None:
        """Unmap and remove the file."""
        if self._map is not None:
            self._map.close()
            self._map = None
        self._file.close()

    def __enter__(self) -> SignatureFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
