"""LSH banding of MinHash signatures: which documents are worth comparing.

A signature of ``bands x rows`` values is cut into ``bands`` bands; two documents whose signatures agree on every
value of some band are candidates. :func:`lsh_params` picks ``(bands, rows)`` for a Jaccard threshold as
``datasketch.MinHashLSH`` does; :func:`band_hashes` turns each band into one integer key (the one banding function,
used by the batch scan and by the persistent indexes of :mod:`dedup.index`); :func:`candidate_pairs` finds every
pair of a batch that shares a band key, with numpy (sort each band's keys, pair the equal ones): exactly the pairs
``MinHashLSH`` with the same ``(bands, rows)`` would find, without a Python object per document and per band;
:func:`candidate_blocks` gives the same pairs a block of first rows at a time (filed as 8-byte codes, spilled to
a temporary file beyond a budget), so that a scan never holds, nor sorts, all of a large corpus's pairs at once.

**Excerpts of long documents.** A 150-word story inside a round-up ten times its length shares a tenth of the
round-up's shingles: under any useful candidate threshold. So a document longer than :data:`EXCERPT_MIN_WORDS`
is also signed by windows (:func:`excerpt_windows`: :data:`EXCERPT_WINDOW` words, every :data:`EXCERPT_STRIDE`
words), which are banded with the documents (:func:`owner_pairs` maps a window's pairs to its document): a story
wholly inside the round-up fills most of some window, whatever the round-up's length.

>>> sigs = np.array([[1, 2, 3, 4], [1, 2, 9, 9], [5, 6, 7, 8]], dtype=np.uint32)
>>> candidate_pairs(sigs, bands=2, rows=2).tolist()
[[0, 1]]
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from dedup.cache import cache_dir, write_cache_file
from dedup.fingerprint import Fingerprinter, _fmix, ngram_hashes, shingle_hashes, token_hashes
from dedup.kernels import get as get_kernels
from dedup.lsh_buckets import by_bucket, first_of_each_group
from dedup.pair_blocks import PairBlocks, sorted_distinct
from dedup.parallel import ordered_map

# Row multipliers and band salt of band_hashes: stored bucket keys depend on them, never change them.
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93], dtype=np.uint64)
_BAND_SALT = np.uint64(0x9E3779B97F4A7C15)


@lru_cache(maxsize=64)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) that ``datasketch.MinHashLSH`` picks for this threshold, equal false-positive and
    false-negative weights.

    Computed by datasketch once per machine and kept in the user's cache directory: datasketch's LSH module
    loads scipy for its integrals, ~0.7 s of start-up that a scan otherwise never needs.
    """
    key = f"{threshold!r} {num_perm}"
    path = _params_cache_path()
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        entries = {}
    if not isinstance(entries, dict):
        entries = {}
    try:
        bands, rows = entries[key]
        return int(bands), int(rows)
    except (KeyError, TypeError, ValueError):
        pass
    from datasketch.lsh import _optimal_param

    params = _optimal_param(threshold, num_perm, 0.5, 0.5)
    entries[key] = list(params)
    write_cache_file(path, json.dumps(entries).encode("utf-8"))
    return params


def datasketch_version() -> str:
    """The installed datasketch's version, read from its metadata without importing it (which loads scipy): the
    ``Version`` of the one ``datasketch-*.dist-info`` beside the package, as ``importlib.metadata`` reads it
    (importing that costs every run more than the rest of this lookup); ``importlib.metadata`` itself otherwise.

    >>> datasketch_version() != ""
    True
    """
    spec = importlib.util.find_spec("datasketch")
    if spec is None or not spec.origin:
        return "?"
    infos = list(Path(spec.origin).parent.parent.glob("datasketch-*.dist-info"))
    if len(infos) == 1:
        try:
            with open(infos[0] / "METADATA", encoding="utf-8") as metadata:
                for line in iter(metadata.readline, "\n"):  # the header ends at the first blank line
                    if line.startswith("Version:"):
                        return line[len("Version:") :].strip()
                    if not line:
                        break
        except OSError:
            pass
    from importlib import metadata  # an egg, an editable install, several copies: its own search

    try:
        return metadata.version("datasketch")
    except metadata.PackageNotFoundError:
        return "?"


def _params_cache_path() -> Path:
    version = datasketch_version()
    return cache_dir() / f"lsh-params-datasketch{version if version != '?' else 'unknown'}.json"


def band_hashes(signatures: np.ndarray, bands: int, rows: int, *, flat: bool = True) -> np.ndarray:
    """One integer key per band of each signature (``n x bands``): equal keys, equal band (up to hash collisions).

    Two kinds of keys, because one of them is stored on disk:

    * ``flat=True`` (the persistent indexes): every band's values are hashed, then the band number is mixed in so
      that one key names (band, bucket) in a single key space (one SQLite table, one Redis key per bucket). Signed
      ``int64``, as SQLite stores integers. Existing index files and Redis keys hold these values: they must never
      change (``tests/test_store.py`` pins some).
    * ``flat=False`` (the batch scan, nothing stored): keys compare only within their band. A band of one or two
      values is packed into the 64-bit key as it is (exact: no collisions at all); longer bands are hashed as
      above, without the band number. ``uint64``.

    >>> sig = np.array([[7, 9, 7, 9]], dtype=np.uint32)
    >>> keys = band_hashes(sig, 2, 2)
    >>> keys.dtype.name, bool(keys[0, 0] != keys[0, 1])  # equal values in two bands: two buckets
    ('int64', True)
    >>> band_hashes(sig, 2, 2, flat=False).tolist() == [[9 << 32 | 7, 9 << 32 | 7]]  # packed as they are
    True
    """
    signatures = np.atleast_2d(np.asarray(signatures, dtype=np.uint32))
    cells = signatures[:, : bands * rows].reshape(signatures.shape[0], bands, rows)
    if not flat and rows <= 2:  # two 32-bit values fit one 64-bit key exactly: no hashing, no collisions
        if rows == 1:
            return cells[:, :, 0].astype(np.uint64)
        return np.ascontiguousarray(cells).view(np.uint64)[:, :, 0]
    acc = np.zeros((signatures.shape[0], bands), dtype=np.uint64)
    for k in range(rows):  # every band at once, one row of each per step
        acc = _fmix(acc ^ (cells[:, :, k].astype(np.uint64) * _MIX[k % 4]), 64)
    if not flat:
        return acc
    acc ^= np.arange(1, bands + 1, dtype=np.uint64) * _BAND_SALT
    return _fmix(acc, 64).view(np.int64)


def candidate_pairs(
    signatures: np.ndarray,
    bands: int,
    rows: int,
    max_bucket: int = 256,
    rows_of: np.ndarray | None = None,
    min_shared: int = 0,
    groups: np.ndarray | None = None,
    workers: int = 1,
) -> np.ndarray:
    """Distinct pairs ``(i, j)``, ``i < j``, of rows of ``signatures`` that share at least one LSH band.

    A bucket larger than ``max_bucket`` (hundreds of formula items sharing a band) pairs each member only with
    its ``max_bucket`` neighbours in the bucket, so one template cannot make the pair count quadratic.
    ``rows_of`` bands only those rows of ``signatures`` (pairs are then positions in ``rows_of``), without
    copying the whole signature matrix; ``min_shared`` applies :func:`drop_chance_collisions` band by band,
    so chance pairs never pile up (tens of millions of them among a million documents). ``groups`` (one per
    banded row): rows of one group that fall in the same bucket of a band are banded once, the first of them
    (a document and its excerpt windows: a repetitive text's windows would otherwise fill its buckets).
    ``workers``: processes that band (the same pairs for any number). All the pairs at once: a large batch
    reads them a block at a time instead (:func:`candidate_blocks`).

    >>> sigs = np.array([[1, 2], [1, 2], [1, 2]], dtype=np.uint32)
    >>> candidate_pairs(sigs, 1, 2, groups=np.array([0, 0, 1])).tolist()
    [[0, 2]]
    """
    with candidate_blocks(signatures, bands, rows, max_bucket, rows_of, min_shared, groups, workers) as blocks:
        parts = list(blocks)
    return np.concatenate(parts) if parts else np.empty((0, 2), dtype=np.int64)


# Candidate pairs are kept (and deduplicated) in blocks of this many first rows: the pairs of one block are all
# that is ever sorted at once. Pairs beyond SPILL_BYTES (8 bytes each) wait in one temporary file.
BLOCK_ROWS = 1 << 14
SPILL_BYTES = 64 << 20
SHARE_ROWS = 1 << 16  # banded rows per share of the bands (more rows: more shares, fewer bands each)


def candidate_blocks(
    signatures: np.ndarray,
    bands: int,
    rows: int,
    max_bucket: int = 256,
    rows_of: np.ndarray | None = None,
    min_shared: int = 0,
    groups: np.ndarray | None = None,
    workers: int = 1,
    owners: np.ndarray | None = None,
    is_window: np.ndarray | None = None,
    block_rows: int | None = None,
    spill_bytes: int | None = None,
    share_rows: int | None = None,
) -> PairBlocks:
    """The pairs of :func:`candidate_pairs` (same arguments), banded now and read a block at a time: iterating
    the result gives ``(k, 2)`` arrays of distinct pairs, all pairs of ``block_rows`` first rows at a time, in
    ``(i, j)`` order overall (their concatenation is :func:`candidate_pairs`' answer), whatever ``block_rows``,
    ``spill_bytes`` and ``share_rows`` (bands are banded in shares of about ``bands * share_rows / n``; unset:
    :data:`BLOCK_ROWS`, :data:`SPILL_BYTES`, :data:`SHARE_ROWS`). With ``owners`` and
    ``is_window`` (one per banded row), the pairs are :func:`owner_pairs` of them (pairs of owners).

    Memory: a share's signature columns (at most ``share_rows`` rows' worth of whole signatures) and up to
    :data:`PENDING_CODES` of its bucket pairs (in the process that bands it), then 8 bytes a pair,
    deduplicated within the share; beyond ``spill_bytes`` they are written to a temporary file. A
    block's pairs are sorted and deduplicated when it is read. So a million documents' tens of millions of
    candidates are never held, nor sorted, all at once.

    >>> sigs = np.array([[1, 2], [1, 2], [3, 4], [3, 4]], dtype=np.uint32)
    >>> with candidate_blocks(sigs, 1, 2, block_rows=2) as blocks:
    ...     [b.tolist() for b in blocks]
    [[[0, 1]], [[2, 3]]]
    """
    block_rows = BLOCK_ROWS if block_rows is None else block_rows
    spill_bytes = SPILL_BYTES if spill_bytes is None else spill_bytes
    share_rows = SHARE_ROWS if share_rows is None else share_rows
    n = signatures.shape[0] if rows_of is None else len(rows_of)
    base = n if owners is None else (int(owners.max()) + 1 if owners.size else 1)
    out = PairBlocks(base, max(1, block_rows), spill_bytes)
    if n < 2:
        return out
    job = _BandJob(signatures, rows, max_bucket, rows_of, min_shared, groups, owners, is_window, base)
    # Bands are independent: with workers, each process bands a share of them (the matrix is inherited when
    # the pool forks, not copied) and the process that waits only files the pairs found. A share for every
    # share_rows rows at least, so that a share's bucket pairs stay a bounded amount.
    count = max(1 if workers <= 1 else 4 * workers, -(-n // max(1, share_rows)))
    shares = np.array_split(np.arange(bands), min(bands, count)) if bands > 1 else [np.arange(bands)]
    # The job goes in a list emptied once banded: a pool can outlive its use (until a garbage collection),
    # and with it its state, which must not keep the signature matrix alive during verification.
    held = [job]
    del job
    try:
        for codes in ordered_map(_band_codes, shares, workers if len(shares) > 1 else 1, held):
            out.add(codes)
    except BaseException:
        out.close()
        raise
    finally:
        held.clear()
    return out


@dataclass(frozen=True)
class _BandJob:
    """What :func:`candidate_blocks` bands (see its arguments); ``base``: pair codes are ``i * base + j``."""

    signatures: np.ndarray
    rows: int
    max_bucket: int
    rows_of: np.ndarray | None
    min_shared: int
    groups: np.ndarray | None
    owners: np.ndarray | None = None
    is_window: np.ndarray | None = None
    base: int = 0


def _band_codes(held: list[_BandJob], bands: np.ndarray) -> np.ndarray:
    """Sorted distinct codes of the candidate pairs that the ``bands`` find (of owners, with ``job.owners``)."""
    job = held[0]
    signatures, rows, rows_of, groups, max_bucket = job.signatures, job.rows, job.rows_of, job.groups, job.max_bucket
    n = signatures.shape[0] if rows_of is None else len(rows_of)
    # A copy shares most bands with its original: the same pair is found in band after band. Found pairs wait
    # as codes of banded rows (i * n + j), deduplicated a few million at a time, and only those not yet kept
    # are checked for chance collisions: each pair once, not once per band it is found in.
    pending: list[np.ndarray] = []
    waiting = 0
    kept = np.empty(0, dtype=np.int64)
    # The share's columns read at once (a signature file gathers rows, whatever their width, a block at a time):
    # at most share_rows rows' worth of the whole signature (candidate_blocks sizes the shares so).
    first = int(bands.min()) * rows if bands.size else 0
    cols = slice(first, int(bands.max()) * rows + rows if bands.size else 0)
    share = signatures[:, cols] if rows_of is None else signatures[rows_of, cols]
    for band in bands.tolist():
        h = band_hashes(share[:, band * rows - first : band * rows - first + rows], 1, rows, flat=False)[:, 0]
        order, hs = by_bucket(h)
        if groups is not None:
            order, hs = first_of_each_group(order, hs, groups)
        m = order.size
        # Sorted, each bucket is a run of equal hashes: a member pairs with the members d places after it for
        # every d up to the end of its run (at most max_bucket). One vector step per d, over the runs that
        # are still longer than d, instead of a Python loop over buckets.
        pos = np.flatnonzero(hs[1:] == hs[:-1])  # positions whose next neighbour is in the same bucket
        d = 1
        while pos.size and d <= max_bucket:
            a, b = order[pos], order[pos + d]
            pending.append(np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b))
            waiting += pos.size
            if waiting >= PENDING_CODES:
                kept = _keep_checked(job, n, pending, kept)
                waiting = 0
            nxt = pos + d + 1
            pos = pos[(nxt < m)]
            nxt = nxt[: pos.size]
            pos = pos[hs[nxt] == hs[pos]]
            d += 1
    del share
    if pending:
        kept = _keep_checked(job, n, pending, kept)
    if job.owners is None:
        return kept  # base == n: codes of banded rows are the answer's codes
    found = _to_owners(np.stack((kept // n, kept % n), axis=1), job.owners, job.is_window)
    return sorted_distinct(found[:, 0] * job.base + found[:, 1])  # fewer to send back


# Found pair codes a share of the bands holds before deduplicating and checking them (8 bytes each).
PENDING_CODES = 1 << 21


def _keep_checked(job: _BandJob, n: int, pending: list[np.ndarray], kept: np.ndarray) -> np.ndarray:
    """``kept`` (sorted distinct codes of banded pairs that passed the chance-collision check) with the codes
    of ``pending`` that pass it too (those already kept are not checked again); ``pending`` is emptied."""
    codes = sorted_distinct(np.concatenate(pending))
    pending.clear()
    if kept.size:
        at = np.minimum(np.searchsorted(kept, codes), kept.size - 1)
        codes = codes[kept[at] != codes]
    if job.min_shared and codes.size:
        pairs = np.stack((codes // n, codes % n), axis=1)
        pairs = drop_chance_collisions(job.signatures, pairs, job.min_shared, chunk=1 << 14, rows_of=job.rows_of)
        codes = pairs[:, 0] * n + pairs[:, 1]
    # Two sorted runs: the stable sort (a merge sort) merges them in one pass.
    return np.sort(np.concatenate((kept, codes)), kind="stable") if kept.size else codes


def _to_owners(pairs: np.ndarray, owners: np.ndarray, is_window: np.ndarray | None) -> np.ndarray:
    """Pairs of banded rows as pairs of their owners, ``lo < hi``, as :func:`owner_pairs` maps them (repeats
    kept)."""
    if is_window is not None:
        pairs = pairs[~(is_window[pairs[:, 0]] & is_window[pairs[:, 1]])]
    a, b = owners[pairs[:, 0]], owners[pairs[:, 1]]
    keep = a != b
    a, b = a[keep], b[keep]
    return np.stack((np.minimum(a, b), np.maximum(a, b)), axis=1)


# Excerpt windows (see the module docstring). A story of any length lies for at least half a window (or wholly)
# inside some window; at 200 words a window is about the length of the shortest stories worth reporting.
EXCERPT_WINDOW = 200  # words per window
EXCERPT_STRIDE = EXCERPT_WINDOW // 2  # words between window starts
EXCERPT_MIN_WORDS = 2 * EXCERPT_WINDOW  # shorter documents get no windows: their own signature is enough


def excerpt_windows(text: str, ngram: int) -> list[np.ndarray]:
    """Shingle sets (as :func:`dedup.fingerprint.shingle_hashes` makes them) of the overlapping word windows of a
    normalised text longer than :data:`EXCERPT_MIN_WORDS` words; none for a shorter one. The last window ends
    with the text.

    >>> [w.size for w in excerpt_windows(" ".join(f"w{i}" for i in range(450)), 3)]
    [198, 198, 198, 198]
    >>> excerpt_windows("a short text", 3)
    []
    """
    if text.count(" ") + 1 <= EXCERPT_MIN_WORDS:
        return []
    tokens = token_hashes(text)
    return [shingle_hashes(tokens[i : i + EXCERPT_WINDOW], ngram) for i in excerpt_starts(tokens.size)]


def excerpt_starts(words: int) -> list[int]:
    """The first word of each excerpt window of a text of ``words`` words (none up to :data:`EXCERPT_MIN_WORDS`).

    >>> excerpt_starts(450), excerpt_starts(400)
    ([0, 100, 200, 250], [])
    """
    if words <= EXCERPT_MIN_WORDS:
        return []
    starts = list(range(0, words - EXCERPT_WINDOW + 1, EXCERPT_STRIDE))
    if starts[-1] + EXCERPT_WINDOW < words:
        starts.append(words - EXCERPT_WINDOW)
    return starts


def excerpt_signatures(tokens: np.ndarray, fingerprinter: Fingerprinter) -> np.ndarray:
    """``fingerprinter.signatures(excerpt_windows(text, ngram))`` from the text's :func:`token_hashes`: the
    n-grams are hashed and permuted once for the whole text, not once per window that holds them.

    >>> fp = Fingerprinter(num_perm=16)
    >>> text = " ".join(f"w{i % 300}" for i in range(700))
    >>> bool((excerpt_signatures(token_hashes(text), fp) == fp.signatures(excerpt_windows(text, 3))).all())
    True
    """
    starts = np.asarray(excerpt_starts(tokens.size), dtype=np.int64)
    if starts.size == 0:
        return np.empty((0, fingerprinter.settings.num_perm), dtype=np.uint32)
    ngram = fingerprinter.settings.ngram
    return fingerprinter.span_signatures(ngram_hashes(tokens, ngram), starts, starts + window_ngrams(ngram))


def window_ngrams(ngram: int) -> int:
    """How many ``ngram``-word shingles an excerpt window holds.

    >>> window_ngrams(3)
    198
    """
    return EXCERPT_WINDOW - min(ngram, EXCERPT_WINDOW) + 1


def owner_pairs(pairs: np.ndarray, owners: np.ndarray, is_window: np.ndarray) -> np.ndarray:
    """Candidate ``pairs`` of banded rows (documents and windows) as distinct pairs of documents, ``i < j``:
    a window stands for the document that ``owners`` names; pairs of two windows (two long documents sharing a
    passage, not a story inside a round-up) and of a window with its own document are dropped.

    >>> owner_pairs(np.array([[0, 1], [0, 2], [1, 2], [2, 3]]), np.array([5, 3, 3, 5]),
    ...             np.array([False, False, True, True])).tolist()
    [[3, 5]]
    """
    if pairs.size == 0:
        return pairs
    pairs = _to_owners(pairs, owners, is_window)
    if pairs.size == 0:
        return np.empty((0, 2), dtype=np.int64)
    n = int(pairs[:, 1].max()) + 1
    codes = sorted_distinct(pairs[:, 0] * n + pairs[:, 1])
    return np.stack((codes // n, codes % n), axis=1)


# Signature values two candidates must share to be verified (see drop_chance_collisions), in a scan and in an index.
MIN_SHARED_VALUES = 4


def drop_chance_collisions(
    signatures: np.ndarray,
    pairs: np.ndarray,
    min_shared: int = MIN_SHARED_VALUES,
    chunk: int = 1 << 16,
    rows_of: np.ndarray | None = None,
) -> np.ndarray:
    """The candidate ``pairs`` whose signatures agree on at least ``min_shared`` values.

    With the low candidate threshold (two-row bands), two unrelated articles that share a few stock phrases
    collide in some band by chance, and such pairs grow with the square of the corpus: a few thousand among
    10k documents, tens of millions among a million, each one read from disk to be verified. Every candidate
    agrees on one band (two values); a real copy, even a short story wholly contained in a long round-up
    (Jaccard ~0.1), agrees on ~13 of 128 values, and on fewer than 4 with probability ~0.0005.

    >>> sigs = np.array([[1, 2, 3, 4, 5], [1, 2, 3, 4, 9], [1, 2, 7, 8, 9]], dtype=np.uint32)
    >>> drop_chance_collisions(sigs, np.array([[0, 1], [0, 2]]), min_shared=3).tolist()
    [[0, 1]]
    """
    if pairs.size == 0:
        return pairs
    kernels = get_kernels(0)
    if kernels is not None:
        return pairs[_agree_compiled(kernels, signatures, pairs, min_shared, rows_of)]
    keep = np.empty(len(pairs), dtype=bool)
    for start in range(0, len(pairs), chunk):
        p = pairs[start : start + chunk]
        if rows_of is not None:
            p = rows_of[p]
        keep[start : start + chunk] = (signatures[p[:, 0]] == signatures[p[:, 1]]).sum(axis=1) >= min_shared
    return pairs[keep]


# Pairs a kernel checks in a mapped signature file before the pages it read are dropped: two rows a pair, at most
# a page each, so at most 32 MB of the matrix in the process at a time.
MAPPED_PAIRS = 1 << 12


def _agree_compiled(
    kernels: Any, signatures: Any, pairs: np.ndarray, min_shared: int, rows_of: np.ndarray | None
) -> np.ndarray:
    """:func:`drop_chance_collisions`' mask, from the kernel ``rows_agree``: rows compared where they lie (an
    array, or a :class:`~dedup.pipeline.stores.SignatureFile`'s mapping), counting stopped at ``min_shared``."""
    first = pairs[:, 0] if rows_of is None else rows_of[pairs[:, 0]]
    second = pairs[:, 1] if rows_of is None else rows_of[pairs[:, 1]]
    first, second = (np.ascontiguousarray(x, dtype=np.int64) for x in (first, second))  # one compiled version
    mapped = getattr(signatures, "mapped", None)
    if mapped is None:
        matrix = np.ascontiguousarray(signatures, dtype=np.uint32).view()
        matrix.flags.writeable = False  # one compiled version: the mapping's arrays are read-only
        return kernels.rows_agree(matrix, first, second, min_shared)
    keep = np.empty(len(pairs), dtype=bool)
    matrix = mapped()
    try:
        for start in range(0, len(pairs), MAPPED_PAIRS):
            part = slice(start, start + MAPPED_PAIRS)
            keep[part] = kernels.rows_agree(matrix, first[part], second[part], min_shared)
            signatures.release()
    finally:
        del matrix  # the mapping cannot be closed while an array exports it
    return keep
