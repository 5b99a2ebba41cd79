"""Optional compiled kernels (numba) for the per-document loops: word hashes, MinHash, the line folds, site counts.

Each kernel computes bit for bit what the numpy code in :mod:`dedup.fingerprint` and :mod:`dedup.normalize`
computes (``tests/test_kernels.py`` compares them on random Arabic and English text), in one pass over the data
instead of a dozen numpy calls of a few microseconds each: on news documents that is most of their cost.

numba is an extra (``pip install 'news-dedup[fast]'``): without it, or with ``DEDUP_KERNELS=0``, everything runs
on numpy, with the same results. It is imported, and the kernels loaded, only once a process has seen
:data:`THRESHOLD` characters: loading them costs ~0.4 s of CPU per process (numba's import and its code
generator's start-up; compiling them the first time ~2 s more, then they are cached on disk in dedup's cache
folder), which a small run such as the pre-commit hook must not pay. ``DEDUP_KERNELS=1`` uses them from the
first text (tests, benchmarks). A caller that knows its input is large calls :func:`warm` before forking
workers: they then inherit the loaded kernels instead of each loading them.

>>> THRESHOLD > 1_000_000  # characters a process handles before numba is loaded: a small run never pays
True
"""

from __future__ import annotations

import atexit
import gc
import importlib.util
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import numpy as np

from dedup.cache import cache_dir
from dedup.parallel import paused_gc

# Characters a process folds or hashes before it loads the kernels (a scan folds a page and hashes its words in
# the first pass, hashes them again in the second). What the kernels save grows with the text, while loading
# them is a fixed cost per process (BENCHMARKS.md, "Compiled kernels"): a process that has seen this much most
# likely sees enough more to gain, and a run of a few hundred short documents (tests, the hook) never loads
# them. Counting texts instead either paid the load in small runs or lost the gain on a 10k-document scan.
THRESHOLD = 5_000_000

_state: dict[str, object] = {"count": 0, "kernels": None, "tried": False}


def _mode() -> str:
    """``DEDUP_KERNELS``: "0" (never), "1" (from the first text), anything else: past :data:`THRESHOLD`."""
    return os.environ.get("DEDUP_KERNELS", "auto").strip()


def get(size: int = 1) -> SimpleNamespace | None:
    """The kernels if this process should use them now (``size`` more characters are about to be folded or
    hashed), else ``None``: numba missing or switched off, or too little text seen yet for loading them to pay."""
    kernels = _state["kernels"]
    if kernels is not None:
        return kernels  # type: ignore[return-value]
    if _state["tried"]:
        return None
    mode = _mode()
    if mode == "0":
        return None
    count = int(_state["count"]) + size  # type: ignore[call-overload]
    _state["count"] = count
    if mode != "1" and count < THRESHOLD:
        return None
    return load()


def warm(expected_size: int) -> bool:
    """Load the kernels now if ``expected_size`` characters are about to be folded and hashed (a caller that knows its input is
    large calls this before forking workers, so that they inherit the loaded kernels instead of each loading
    them); whether they are loaded."""
    if _state["kernels"] is None and not _state["tried"] and _mode() != "0":
        # The estimate is not added to this process's count: workers forked without the kernels start from the
        # characters really seen.
        if _mode() == "1" or int(_state["count"]) + expected_size >= THRESHOLD:  # type: ignore[call-overload]
            load()
    return _state["kernels"] is not None


def load(force: bool = False) -> SimpleNamespace | None:
    """Import numba and the compiled kernels (once per process); ``None`` if numba is not installed or
    ``DEDUP_KERNELS=0`` (unless ``force``)."""
    if _state["kernels"] is not None or (_state["tried"] and not force):
        return _state["kernels"]  # type: ignore[return-value]
    _state["tried"] = True
    if _mode() == "0" and not force:
        return None
    # Compiled kernels are cached with dedup's other derived files (numba's default, beside this module, may
    # not be writable in a system install). NUMBA_CACHE_DIR is read when numba is first imported.
    os.environ.setdefault("NUMBA_CACHE_DIR", str(cache_dir() / "numba"))
    # numba builds its typing registries from some hundred thousand objects: a full garbage collection that
    # falls while it does traverses them all, and they hold no cycles to free.
    try:
        with paused_gc(), _no_blas_probe():
            kernels = _load()
    except Exception:  # numba missing, or unusable here (no cache location, no compiler target): numpy it is
        return None
    _state["kernels"] = kernels
    # numba's typing and lowering registries are some hundred thousand objects: the interpreter's last garbage
    # collections at exit tear them down for ~0.15 s of CPU after the run's output is written. Frozen at exit
    # (atexit runs before the teardown), they are left to the process's end, as is whatever else a reference
    # cycle holds then (Python does not promise to finalise those at exit anyway).
    atexit.register(gc.freeze)
    return _state["kernels"]  # type: ignore[return-value]


def _load() -> SimpleNamespace:
    from dedup import kernels_clean, kernels_lsh, kernels_numba

    kernels = SimpleNamespace(
        page_words=kernels_clean.page_words,
        distinct_runs=kernels_clean.distinct_runs,
        fold_pages=kernels_clean.fold_pages,
        find_literals_pages=kernels_clean.find_literals_pages,
        word_hashes=kernels_numba.word_hashes,
        minhash_sets=kernels_numba.minhash_sets,
        minhash_spans=kernels_numba.minhash_spans,
        fold_lines=kernels_numba.fold_lines,
        fold_two=kernels_clean.fold_two,
        covered_words=kernels_numba.covered_words,
        ngram_hashes=kernels_numba.ngram_hashes,
        distinct_sorted=kernels_numba.distinct_sorted,
        sorted_overlap=kernels_numba.sorted_overlap,
        content_words=kernels_numba.content_words,
        find_literals=kernels_numba.find_literals,
        seen_before=kernels_numba.seen_before,
        add_counts=kernels_numba.add_counts,
        pair_overlaps=kernels_lsh.pair_overlaps,
        rows_agree=kernels_lsh.rows_agree,
        pair_coverages=kernels_lsh.pair_coverages,
    )
    _try(kernels)
    return kernels


_BLAS = "scipy.linalg.cython_blas"


@contextmanager
def _no_blas_probe() -> Iterator[None]:
    """Kernels loaded without numba's BLAS probe: setting up its CPU target (on the first kernel loaded)
    imports ``numba.np.arraymath``, which imports ``scipy.linalg`` only to learn whether ``np.dot`` on floats may
    call BLAS. scipy is installed with datasketch, and importing ``scipy.linalg`` is most of the kernels' load
    time (BENCHMARKS.md, "Session 13: wall time"); no kernel here calls BLAS. The import is made to fail for
    the time of the load, then numba's answer is set to what the probe would have found (scipy installed), so
    that other numba code in this process sees no difference.

    >>> with _no_blas_probe():
    ...     pass
    >>> sys.modules.get(_BLAS, "importable") is not None  # blocked for the load only
    True
    """
    if _BLAS in sys.modules or "numba.np.arraymath" in sys.modules:  # probed already, or no probe to come
        yield
        return
    sys.modules[_BLAS] = None  # type: ignore[assignment]  # an import of a None entry raises ImportError
    try:
        yield
    finally:
        if _BLAS in sys.modules and sys.modules[_BLAS] is None:
            del sys.modules[_BLAS]
        arraymath = sys.modules.get("numba.np.arraymath")
        if arraymath is not None and hasattr(arraymath, "_HAVE_BLAS"):
            arraymath._HAVE_BLAS = importlib.util.find_spec("scipy") is not None  # type: ignore[attr-defined]


def _try(kernels: SimpleNamespace) -> None:
    """Run every kernel once on a tiny input: compiled (or loaded from the cache) here, so that a kernel that
    cannot be raises in :func:`load`, not in the middle of a run."""
    # The argument types the callers pass (numba compiles, caches and loads one version per type): code points
    # read-only (np.frombuffer of a str's encoding), everything else writable and contiguous.
    codes = np.frombuffer(b"a\0\0\0", dtype=np.uint32)
    one = np.ones(1, dtype=np.uint32)
    kernels.word_hashes(codes, np.ones(0x10000, dtype=bool))
    kernels.minhash_sets(one, np.array([0, 1], dtype=np.int64), one, one)
    kernels.minhash_spans(one, np.zeros(1, dtype=np.int64), np.ones(1, dtype=np.int64), one, one)
    kernels.fold_lines(codes, np.ones(0x10000, dtype=np.uint32), np.ones(0x110000, dtype=bool))
    table = np.ones(0x10000, dtype=np.uint32)
    expand = np.zeros((0x10000, 4), dtype=np.uint32)
    flags = np.zeros(0x10000, dtype=np.uint8)
    kernels.fold_two(codes, table, table, np.ones(0x110000, dtype=bool), np.zeros(0x110000, dtype=bool), expand, flags)
    read_only = np.frombuffer(b"\1\0\0\0", dtype=np.uint32)
    kernels.covered_words(read_only, read_only, 20)
    tokens = np.frombuffer(bytes(8), dtype=np.uint64)
    kernels.ngram_hashes(tokens, 3, tokens)
    kernels.distinct_sorted(np.ones(2, dtype=np.uint32))
    kernels.sorted_overlap(read_only, read_only)
    kernels.content_words(tokens.copy(), np.ones(1, dtype=np.int64), np.ones(1, dtype=bool))
    bounds = np.zeros(0x10000, dtype=np.int32)
    kernels.find_literals(codes, one.copy(), np.array([0, 1], dtype=np.int64), bounds, bounds)
    kernels.find_literals_pages(
        codes, np.array([0, 1], dtype=np.int64), one.copy(), np.array([0, 1], dtype=np.int64), bounds, bounds
    )
    table = np.zeros(4, dtype=np.uint16)
    kernels.seen_before(table, np.ones(1, dtype=np.uint64), np.ones(1, dtype=np.uint16), np.zeros(1, dtype=np.intp))
    kernels.add_counts(np.zeros((2, 4), dtype=np.uint32), np.ones((2, 1), dtype=np.intp))
    index = np.zeros(1, dtype=np.int64)
    kernels.pair_overlaps(read_only, index, index + 1, index, index)
    kernels.pair_coverages(read_only, index, index + 1, index, index, 20)
    kernels.rows_agree(np.frombuffer(bytes(8), dtype=np.uint32).reshape(1, 2), index, index, 1)
    ends = np.ones(1, dtype=np.int64)
    kernels.page_words(codes, np.array([0, 1], dtype=np.int64), np.ones(0x10000, dtype=bool), 3, tokens)
    kernels.distinct_runs(np.ones(1, dtype=np.uint32), ends)
    table = np.ones(0x10000, dtype=np.uint32)
    kernels.fold_pages(
        codes, np.array([0, 1], dtype=np.int64), table, table, np.ones(0x110000, dtype=bool),
        np.zeros(0x110000, dtype=bool), expand, flags,
    )  # fmt: skip


def reset() -> None:
    """Forget what :func:`get` decided (tests switch ``DEDUP_KERNELS`` between cases)."""
    _state.update(count=0, kernels=None, tried=False)
