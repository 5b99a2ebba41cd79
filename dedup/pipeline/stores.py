"""On-disk stores of what verification needs, so a million documents' data never sits in memory.

Verification needs the exact shingle sets and normalised texts only of the documents in candidate pairs: both
live in temporary files, with an offset per document in memory; worker processes read them through the file
descriptors they inherit.

>>> import numpy as np
>>> with ShingleStore() as store:
...     store.append(np.array([3, 5, 1], dtype=np.uint32), np.array([2, 1]))
...     store[1].tolist()
[1]
"""

from __future__ import annotations

import os
import tempfile
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from dedup.templates import Analysed

ANALYSED_CACHE = 256  # texts kept prepared for the template test (~100-200 KB each: tokens, facts, sets)


class ShingleStore:
    """Every document's shingle set in a temporary file; ``store[i]`` reads one back (uint32, sorted).

    Verification needs the exact sets only of the documents in candidate pairs, and a million documents' sets
    are gigabytes: so they live on disk, with an offset per document in memory.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="dedup-shingles-")
        self._ends: list[np.ndarray] = [np.zeros(1, dtype=np.int64)]
        self._offsets: np.ndarray | None = None
        self._last: tuple[int, np.ndarray] | None = None

    def append(self, flat: np.ndarray, sizes: np.ndarray) -> None:
        self._file.write(np.ascontiguousarray(flat, dtype=np.uint32).tobytes())
        self._ends.append(self._ends[-1][-1] + np.cumsum(sizes))
        self._offsets = None

    def __len__(self) -> int:
        return sum(e.size for e in self._ends) - 1

    def flush(self) -> None:
        """Write everything out and index it (before worker processes that read the store are forked)."""
        if self._offsets is None:
            self._file.flush()
            self._offsets = np.concatenate(self._ends)
            self._ends = [self._offsets]

    def __getitem__(self, i: int) -> np.ndarray:
        if self._last is not None and self._last[0] == i:  # pairs come sorted by their first document
            return self._last[1]
        if self._offsets is None:
            self.flush()
        start, stop = int(self._offsets[i]), int(self._offsets[i + 1])
        data = os.pread(self._file.fileno(), (stop - start) * 4, start * 4)
        out = np.frombuffer(data, dtype=np.uint32)
        self._last = (i, out)
        return out

    def __enter__(self) -> ShingleStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._file.close()


class TextStore:
    """Normalised texts in a temporary file (utf-8); ``store.words(i)`` gives one document's words back."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._file = tempfile.TemporaryFile(prefix="dedup-texts-") if enabled else None
        self._ends: list[int] = [0]
        self._pos = 0
        # A text is in as many candidate pairs as it has look-alikes: its facts and shingles are read once.
        self._analysed: OrderedDict[int, Analysed] = OrderedDict()

    def extend(self, texts: Sequence[str]) -> None:
        encoded = [t.encode("utf-8") for t in texts]
        self.extend_encoded(b"".join(encoded), np.array([len(b) for b in encoded], dtype=np.int64))

    def extend_encoded(self, data: bytes, sizes: np.ndarray) -> None:
        """Texts already encoded (utf-8) and joined, ``sizes`` bytes each: one write."""
        if self._file is None:
            return
        self._file.write(data)
        self._ends.extend((self._pos + np.cumsum(sizes)).tolist())
        self._pos += len(data)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def words(self, i: int) -> list[str]:
        if self._file is None:
            return []
        self._file.flush()
        start, stop = self._ends[i], self._ends[i + 1]
        return os.pread(self._file.fileno(), stop - start, start).decode("utf-8").split()

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
        if self._file is not None:
            self._file.close()
