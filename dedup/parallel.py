"""Run a function over batches in worker processes, results in input order, with bounded memory.

``ordered_map(fn, batches, workers)`` is ``map(fn, batches)``: with ``workers <= 1`` it is exactly that (no
process, no pickling); otherwise batches go to a pool of forked processes and at most ``2 x workers`` batches are
in flight, so a million-document input is never read ahead into memory (``Pool.imap`` would read it all).
Results come back in input order, so output is the same whatever the number of workers.

``fn(state, batch)`` gets the run's state (cleaner, fingerprinter, settings) with every batch: in worker
processes it is the copy each worker received once when the pool started (inherited without pickling with the
``fork`` start method), so batches never carry it.

>>> list(ordered_map(lambda state, batch: state + len(batch), [[1, 2], [3]], workers=1, state=10))
[12, 11]
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import sys
import types
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

_STATE: Any = None


def default_workers() -> int:
    """One worker per core the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def _set_state(state: Any) -> None:
    global _STATE
    _STATE = state
    gc.enable()  # a pool forked inside paused_gc(): its workers collect as usual
    keep_freed_memory()


@contextmanager
def paused_gc() -> Iterator[None]:
    """No automatic garbage collection in this process inside the block (worker pools forked in it collect).

    For work that builds a few hundred thousand objects holding no reference cycles: the main process's
    clustering (links, neighbour lists, clusters), numba's registries while the kernels load. Each time such
    objects grow by a quarter the interpreter traverses every object it tracks, for nothing; the collections
    resume afterwards.

    >>> with paused_gc():
    ...     gc.isenabled()
    False
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@contextmanager
def small_pages() -> Iterator[None]:
    """numpy arrays made inside the block are not advised to the kernel for huge pages (numpy advises every array
    of 4 MB or more, where the kernel allows it: ``transparent_hugepage`` set to ``madvise``).

    For the site pass's sketch: two 64 MB tables that this process touches here and there while the workers wait
    for it. Each first touch of a huge page can have the kernel compact memory to find 2 MB in one piece, for
    tenths of a second at a time on a machine whose memory the page cache has fragmented, and the workers wait
    meanwhile (their results and next ranges go through this process's threads); ordinary pages fault in at a
    steady cost instead. Nothing changes where numpy or the platform has no such advice.

    >>> import numpy as np
    >>> with small_pages():
    ...     np.zeros(1 << 21).nbytes
    16777216
    """
    import numpy as np  # here: the workers' pools need no numpy

    switch = getattr(getattr(np, "_core", np).multiarray, "_set_madvise_hugepage", None)
    if switch is None:  # pragma: no cover - a numpy without the switch
        yield
        return
    advised = switch(False)
    try:
        yield
    finally:
        switch(advised)


def _call(fn: Callable[[Any, Any], Any], batch: Any) -> Any:
    return fn(_STATE, batch)


def ordered_map(
    fn: Callable[[Any, Any], Any], batches: Iterable[Any], workers: int, state: Any = None
) -> Iterator[Any]:
    """``fn(state, batch)`` for each of ``batches``, in ``workers`` processes (``fn`` must be a module-level
    function when ``workers > 1``)."""
    if workers <= 1:
        for batch in batches:
            yield fn(state, batch)
        return
    with _fork_pool(workers, state) as pool:
        pending: deque = deque()
        for batch in batches:
            pending.append(pool.apply_async(_call, (fn, batch)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def _fork_pool(workers: int, state: Any) -> Any:
    """A pool of ``workers`` processes, each with ``state`` (forked where the platform can)."""
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    release_freed_memory()
    # Forked workers share this process's pages until they write to them; a garbage collection in a worker
    # writes to every object it traverses (a million documents' groups and order), copying their pages.
    # Frozen objects are never traversed: frozen here while the pool forks, so in the workers for good.
    gc.freeze()
    try:
        return ctx.Pool(workers, initializer=_set_state, initargs=(state,))
    finally:
        gc.unfreeze()


class WorkerPool:
    """Worker processes kept for several rounds of work, forked when first needed: ``submit(fn, batch)`` gives a
    function that waits for ``fn(state, batch)``, so that this process can go on meanwhile. With ``workers <= 1``
    the work is done in this process, when submitted.

    >>> with WorkerPool(1, 10) as pool:
    ...     later = pool.submit(lambda state, batch: state + sum(batch), [1, 2])
    ...     later()
    13
    """

    def __init__(self, workers: int, state: Any = None) -> None:
        self.workers, self.state = workers, state
        self._pool: Any = None

    @property
    def started(self) -> bool:
        return self._pool is not None

    def submit(self, fn: Callable[[Any, Any], Any], batch: Any) -> Callable[[], Any]:
        if self.workers <= 1:
            out = fn(self.state, batch)
            return lambda: out
        if self._pool is None:
            self._pool = self._start()
        return self._pool.apply_async(_call, (fn, batch)).get

    def _start(self) -> Any:
        return _fork_pool(self.workers, self.state)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


class FreshPool(WorkerPool):
    """A :class:`WorkerPool` whose workers are started afresh (``spawn``), not forked: each gets ``state``
    pickled (a :class:`~dedup.pipeline.stores.TextStore` reopens its files through ``/proc``) and none of this
    process's memory."""

    def _start(self) -> Any:
        release_freed_memory()  # what the run freed, held by the allocator: the peak is now
        ctx = multiprocessing.get_context("spawn")
        # A spawned worker runs the caller's main script again unless told there is none: a script that scans
        # without an ``if __name__ == "__main__"`` guard would scan again in each worker. The workers need
        # nothing of it (the state and ``fn`` are dedup's), so they are started with an empty one.
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            return ctx.Pool(self.workers, initializer=_set_state, initargs=(self.state,))
        finally:
            sys.modules["__main__"] = main


def release_freed_memory() -> None:
    """Give memory that the C allocator holds freed back to the system (glibc's ``malloc_trim``; nothing
    elsewhere). Reading a large corpus frees many medium-sized buffers that glibc keeps for reuse; a pool
    forked afterwards would be counted with them, and nothing reuses them.

    >>> release_freed_memory()
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


_TRIM: list[Any] = []

# glibc's mallopt parameters (malloc.h), and the values workers run with (keep_freed_memory)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
WORKER_MMAP_THRESHOLD = 32 << 20
WORKER_TRIM_THRESHOLD = 64 << 20


def keep_freed_memory() -> bool:
    """Have glibc's allocator keep what this process frees for its next allocations (whether it could).

    A worker cleans and hashes a range of pages at a time, in buffers of some megabytes (texts, code points,
    hashes) freed at its end. By default glibc gives such buffers to the kernel as they are freed (each its own
    ``mmap`` up to a threshold that only grows as far as the buffers seen so far, and the top of the heap
    trimmed beyond twice that), and the next range faults every page of them in again: system time, in every
    worker. With the thresholds fixed at 32 MB (the most glibc's own sliding threshold reaches) and 64 MB, a
    worker's heap stays as large as its largest range needs. Not for the main process, whose peak is the run's
    (it trims at chosen points: :func:`release_freed_memory`). Nothing happens elsewhere than on glibc.

    >>> keep_freed_memory() in (True, False)
    True
    """
    mallopt = _glibc_function("mallopt")
    if mallopt is None:
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, WORKER_MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, WORKER_TRIM_THRESHOLD)
    )


def _glibc_function(name: str) -> Any:
    """A function of glibc, if this process runs on it, else ``None`` (musl has a ``mallopt`` that does nothing,
    macOS none)."""
    try:
        if not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"):
            return None
        return getattr(ctypes.CDLL(None), name)
    except (OSError, ValueError, AttributeError, TypeError):  # no confstr name, no dlopen(NULL), no symbol
        return None


def _malloc_trim() -> Any:
    if not _TRIM:
        try:  # the symbols the process has loaded (libc's among them): no search for the library
            _TRIM.append(ctypes.CDLL(None).malloc_trim if os.name == "posix" else None)
        except (OSError, AttributeError, TypeError):  # not glibc (musl, macOS), or no dlopen(NULL)
            _TRIM.append(None)
    return _TRIM[0]


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of ``size`` consecutive items (the last one shorter)."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
