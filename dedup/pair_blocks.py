"""Candidate pairs filed by block of first rows (:func:`dedup.lsh.candidate_blocks`' answer), spilled to one
temporary file beyond a budget, read back a block at a time as distinct pairs.

>>> blocks = PairBlocks(base=4, block_rows=2, spill_bytes=0)
>>> blocks.add(np.array([1, 2 * 4 + 3], dtype=np.int64))  # pairs (0, 1) and (2, 3)
>>> [b.tolist() for b in blocks]
[[[0, 1]], [[2, 3]]]
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO

import numpy as np


class PairBlocks:
    """Pair codes (``i * base + j``) filed by block of first rows, read back a block at a time as distinct pairs
    (see :func:`candidate_blocks`). Read once; a context manager that removes its spill file.

    Spilled codes go to one temporary file (a block's runs anywhere in it, found again by offset), so that
    ten million documents' thousand blocks do not need a thousand open files."""

    def __init__(self, base: int, block_rows: int, spill_bytes: int) -> None:
        self.base, self.block_rows, self.spill_bytes = base, block_rows, spill_bytes
        self.blocks = -(-base // block_rows)
        # First code of each block after the first: a sorted share's codes are cut there.
        self._bounds = np.arange(1, self.blocks, dtype=np.int64) * block_rows * base
        self._held: list[list[np.ndarray]] = [[] for _ in range(self.blocks)]
        self._runs: list[list[tuple[int, int]]] = [[] for _ in range(self.blocks)]  # (byte offset, bytes)
        self._file: IO[bytes] | None = None
        self._end = 0
        self._held_bytes = 0
        self.filed = 0  # codes filed (pairs found by more than one share count more than once)

    def add(self, codes: np.ndarray) -> None:
        """File sorted distinct ``codes`` (one share's)."""
        if not codes.size:
            return
        self.filed += codes.size
        cuts = np.searchsorted(codes, self._bounds).tolist()
        for block, (lo, hi) in enumerate(zip([0, *cuts], [*cuts, codes.size])):
            if hi > lo:
                self._held[block].append(codes[lo:hi])
        self._held_bytes += codes.nbytes
        if self._held_bytes > self.spill_bytes:
            self._spill()

    def _spill(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="dedup-pairs-")
        for block, parts in enumerate(self._held):
            for part in parts:
                data = part.tobytes()
                self._file.write(data)
                self._runs[block].append((self._end, len(data)))
                self._end += len(data)
            parts.clear()
        self._file.flush()
        self._held_bytes = 0

    def __iter__(self) -> Iterator[np.ndarray]:
        try:
            for block in range(self.blocks):
                parts, self._held[block] = self._held[block], []
                runs, self._runs[block] = self._runs[block], []
                for offset, size in runs:  # runs exist only once the file does
                    assert self._file is not None
                    self._file.seek(offset)
                    parts.append(np.frombuffer(self._file.read(size), dtype=np.int64))
                if parts:
                    # One share's run is sorted and distinct already; several are merged.
                    codes = parts[0] if len(parts) == 1 else sorted_distinct(np.concatenate(parts))
                    del parts
                    pairs = np.stack((codes // self.base, codes % self.base), axis=1)
                    del codes  # not held while the block is verified
                    yield pairs
        finally:
            self.close()

    def close(self) -> None:
        """Drop what is still filed (the spill file is removed on closing)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._held = [[] for _ in range(self.blocks)]
        self._runs = [[] for _ in range(self.blocks)]
        self._held_bytes = 0

    def __enter__(self) -> PairBlocks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sorted_distinct(codes: np.ndarray) -> np.ndarray:
    """``np.unique(codes)`` of integer codes: a sort (numpy's vectorised quicksort) and a comparison with the
    neighbour, where numpy 2's ``unique`` hashes every value and then sorts the distinct ones.

    >>> sorted_distinct(np.array([7, 3, 7, 1], dtype=np.int64)).tolist()
    [1, 3, 7]
    """
    codes = np.sort(codes)
    if codes.size < 2:
        return codes
    first = np.empty(codes.size, dtype=bool)
    first[0] = True
    np.not_equal(codes[1:], codes[:-1], out=first[1:])
    return codes[first]
