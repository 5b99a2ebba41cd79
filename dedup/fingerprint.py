"""Shingles and MinHash signatures, computed a batch of documents at a time.

A document's fingerprint is the set of its word n-gram shingles (each a 32-bit hash) and a MinHash signature of
that set. Signatures are bit-for-bit those of ``datasketch.MinHash(num_perm, seed, scheme="affine32")`` fed the
same 32-bit shingle hashes (``tests/test_fingerprint.py`` checks it against ``update_batch``), so they can go
into ``datasketch.MinHashLSH`` or ``LeanMinHash`` unchanged, but they are computed for a whole batch of documents
in one numpy expression instead of one datasketch object per document.

>>> fp = Fingerprinter(num_perm=16, ngram=2)
>>> sig, shingles = fp.fingerprint_one(["a", "b", "c"])
>>> sig.shape, len(shingles)
((16,), 2)
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from dedup.kernels import get as get_kernels

if TYPE_CHECKING:
    from datasketch import LeanMinHash

# datasketch is imported only where its objects are needed (LeanMinHash, MinHashLSH): importing it loads scipy
# (~0.7 s of start-up on every run, the pre-commit hook included), while signatures need only the two numpy
# functions below. tests/test_fingerprint_index.py checks both against datasketch's own, bit for bit.

SCHEME = "affine32"
_FMIX_CONSTANTS = {
    32: (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16)),
    64: (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(33), np.uint64(0xC4CEB9FE1A85EC53), np.uint64(33)),
}


def _fmix(hv: np.ndarray, width: int) -> np.ndarray:
    """MurmurHash3's finalizer on uint32 or uint64 arrays (``datasketch.minhash._fmix``)."""
    s1, m1, s2, m2, s3 = _FMIX_CONSTANTS[width]
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    return hv ^ (hv >> s3)


def affine32_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` of ``datasketch.MinHash(num_perm, seed, scheme="affine32").permutations``: odd
    multipliers and offsets drawn from ``numpy.random.RandomState(seed)``, as datasketch draws them."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


_U64 = np.uint64
# Odd multipliers that make a shingle hash depend on token order ("a b" differs from "b a").
_MIX = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x94D049BB133111EB,
        0xBF58476D1CE4E5B9,
    ],
    dtype=_U64,
)
MAX_NGRAM = len(_MIX)
_MIX_READ_ONLY = _MIX.copy()
_MIX_READ_ONLY.flags.writeable = False  # as the kernels take their arrays (one compiled version: _read_only)


@dataclass(frozen=True, slots=True)
class FingerprintSettings:
    """What a signature depends on; persisted with any index so that incompatible ones are never mixed."""

    ngram: int = 3
    num_perm: int = 128
    seed: int = 1
    scheme: str = SCHEME


_K_CHAR = _U64(0x9E3779B97F4A7C15)
_K_POS = _U64(0xC2B2AE3D27D4EB4F)
_K_LEN = _U64(0x165667B19E3779F9)


def token_hashes(text: str) -> np.ndarray:
    """Deterministic 64-bit hashes of the words of ``text`` (words separated by single spaces), all at once.

    Each character is mixed with its position in its word, the mixes are summed per word (``np.add.reduceat``)
    and the sum is mixed with the word's length: one numpy pass over the code points instead of a Python call
    or dictionary lookup per word (measured: 5x faster than a cached xxhash per word on news text). Python's
    ``hash`` is salted per process, so it cannot be used for anything compared across runs or workers.

    >>> h = token_hashes("the cat the")
    >>> h.size, bool(h[0] == h[2]), bool(h[0] == h[1])
    (3, True, False)
    """
    return words_of(text, letters=False)[0]


def words_of(text: str, letters: bool = True, spaced: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`token_hashes` of ``text``, each word's length in characters, and (``letters``) whether it is all
    letters (``str.isalpha``): what :func:`content_word_hashes` picks content words by, from one pass.
    ``spaced``: the caller knows that single spaces separate the words, none at either end (a text joined from
    normalised lines): not checked again.

    >>> h, lengths, alpha = words_of("port 4 of")
    >>> lengths.tolist(), alpha.tolist()
    ([4, 1, 2], [True, False, True])
    """
    if not text:
        return np.empty(0, dtype=_U64), np.empty(0, dtype=np.int64), np.empty(0, dtype=bool)
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    # The compiled kernel takes words separated by single spaces (a normalised text); numpy's reduceat gives an
    # empty word its neighbour's character, which the kernel does not copy.
    kernels = get_kernels(codes.size)
    if kernels is not None and (spaced or (text[0] != " " and text[-1] != " " and "  " not in text)):
        hashes, lengths, alpha, astral = kernels.word_hashes(codes, _letter_table())
        if not (letters and astral):  # a word with a character beyond the BMP: its letters are numpy's to say
            return hashes, lengths, alpha if letters else np.empty(0, dtype=bool)
    return _words_of_numpy(codes, letters)


def _words_of_numpy(codes: np.ndarray, letters: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`words_of` of a non-empty text's code points, in numpy (no compiled kernel)."""
    space = codes == 0x20
    breaks = np.flatnonzero(space)
    starts = np.concatenate(([0], breaks + 1))  # word k starts at starts[k] in the text
    ends = np.concatenate((breaks, [codes.size]))
    lengths = ends - starts
    kept = codes[~space]
    chars = kept.astype(_U64)
    # Start of word k among the non-space characters (k spaces precede it).
    packed_starts = starts - np.arange(starts.size)
    pos = np.arange(chars.size, dtype=_U64) - np.repeat(packed_starts, lengths).astype(_U64)
    mixed = _fmix(chars * _K_CHAR + pos * _K_POS, 64)
    sums = np.add.reduceat(mixed, packed_starts) if chars.size else np.zeros(starts.size, dtype=_U64)
    hashes = _fmix(sums ^ (lengths.astype(_U64) * _K_LEN), 64)
    if not letters:
        return hashes, lengths, np.empty(0, dtype=bool)
    # A word is all letters when none of its characters is not one (an empty word is not: "".isalpha()).
    not_letter = ~_is_letter(kept)
    bad = np.add.reduceat(not_letter.astype(np.int64), packed_starts) if kept.size else np.zeros(starts.size)
    # reduceat gives an empty word (at the end, or before another word) the next character: mask those.
    return hashes, lengths, (bad == 0) & (lengths > 0)


def _is_letter(codes: np.ndarray) -> np.ndarray:
    """``chr(c).isalpha()`` for each code point (a table for the BMP, Python for the rare others)."""
    table = _letter_table()
    astral = codes > 0xFFFF
    if not astral.any():
        return table[codes]
    out = table[np.where(astral, 0, codes)]
    out[astral] = [chr(c).isalpha() for c in codes[astral].tolist()]
    return out


@functools.lru_cache(maxsize=1)
def _letter_table() -> np.ndarray:
    return np.fromiter((chr(c).isalpha() for c in range(0x10000)), dtype=bool, count=0x10000)


def content_word_hashes(hashes: np.ndarray, lengths: np.ndarray, letters: np.ndarray) -> np.ndarray:
    """:func:`content_words` of a normalised text from its :func:`words_of` (no second pass over the text).

    >>> bool((content_word_hashes(*words_of("the 4 ships of in port")) == content_words("the 4 ships of in port")).all())
    True
    """
    kernels = get_kernels(0)
    if (
        kernels is not None
        and hashes.dtype == _U64
        and lengths.dtype == np.int64
        and letters.dtype == np.bool_
        and hashes.ndim == lengths.ndim == letters.ndim == 1
        and hashes.size == lengths.size == letters.size
    ):
        return kernels.content_words(hashes, lengths, letters)
    h = hashes[(lengths >= 3) | ~letters]
    return (h ^ (h >> _U64(32))).astype(np.uint32)


def ngram_hashes(token_hashes: np.ndarray, ngram: int) -> np.ndarray:
    """The 32-bit hash of the word n-gram at each position (a document shorter than ``ngram`` words is one
    n-gram of all its words), in text order with repeats: :func:`shingle_hashes` sorts and dedupes them.

    >>> ngram_hashes(np.array([1, 2, 3, 1, 2, 3], dtype=np.uint64), 3).size
    4
    """
    n = token_hashes.size
    if n == 0:
        return np.empty(0, dtype=np.uint32)
    kernels = get_kernels(0)
    if kernels is not None and token_hashes.dtype == _U64 and token_hashes.ndim == 1:
        return kernels.ngram_hashes(_read_only(token_hashes), ngram, _MIX_READ_ONLY)
    k = min(ngram, n)
    count = n - k + 1
    acc = np.zeros(count, dtype=_U64)
    for j in range(k):
        acc += token_hashes[j : j + count] * _MIX[j]
    mixed = _fmix(acc, 64)
    return (mixed ^ (mixed >> _U64(32))).astype(np.uint32)


def shingle_hashes(token_hashes: np.ndarray, ngram: int) -> np.ndarray:
    """32-bit hashes of the distinct word n-grams of one document, sorted.

    A document shorter than ``ngram`` words is one shingle of all its words, so short texts still compare.

    >>> shingle_hashes(np.array([1, 2, 3, 1, 2, 3], dtype=np.uint64), 3).size
    3
    """
    kernels = get_kernels(0)
    if kernels is not None and token_hashes.size and token_hashes.dtype == _U64 and token_hashes.ndim == 1:
        hashes = kernels.ngram_hashes(_read_only(token_hashes), ngram, _MIX_READ_ONLY)
        hashes.sort()  # numpy's sort, vectorised
        return kernels.distinct_sorted(hashes)  # type: ignore[no-any-return]
    out = ngram_hashes(token_hashes, ngram)
    if out.size == 0:
        return out
    # Sort and drop repeats: np.unique (hash-based in numpy 2) is 4x slower on a few hundred values.
    out = np.sort(out)
    return out[np.concatenate(([True], out[1:] != out[:-1]))]


class Fingerprinter:
    """Turns token lists into (signature, shingle set) pairs with datasketch's affine32 permutations."""

    def __init__(self, num_perm: int = 128, ngram: int = 3, seed: int = 1) -> None:
        if not 1 <= ngram <= MAX_NGRAM:
            raise ValueError(f"ngram must be between 1 and {MAX_NGRAM}, got {ngram}")
        self.settings = FingerprintSettings(ngram=ngram, num_perm=num_perm, seed=seed)
        a, b = affine32_permutations(num_perm, seed)
        self._a = np.asarray(a, dtype=np.uint32)
        self._b = np.asarray(b, dtype=np.uint32)
        self._empty = np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)

    def shingles(self, words: Sequence[str]) -> np.ndarray:
        """Sorted distinct 32-bit shingle hashes of a token list."""
        return self.text_shingles(" ".join(words))

    def text_shingles(self, text: str) -> np.ndarray:
        """Sorted distinct 32-bit shingle hashes of a normalised text (words separated by single spaces),
        the same as ``shingles(text.split())`` without making a Python string per word."""
        return shingle_hashes(token_hashes(text), self.settings.ngram)

    def signatures(self, shingle_sets: Sequence[np.ndarray], chunk: int = 4096) -> np.ndarray:
        """MinHash signatures (``len(shingle_sets)`` x ``num_perm`` uint32) of many shingle sets at once.

        The shingles of a few documents are concatenated, permuted as one (num_perm x shingles) matrix and reduced
        per document with ``np.minimum.reduceat`` along the contiguous axis. ``chunk`` (shingles per slice) keeps
        that matrix in cache: measured here, 4k shingles per slice is 4x faster than 256k.
        """
        sizes = np.fromiter((s.size for s in shingle_sets), dtype=np.int64, count=len(shingle_sets))
        kernels = get_kernels(0)
        if kernels is not None and len(shingle_sets):
            # Arguments as kernels.load compiled them for: a new, writable, contiguous uint32 array.
            flat = np.concatenate(shingle_sets, dtype=np.uint32)
            offsets = np.zeros(len(shingle_sets) + 1, dtype=np.int64)
            np.cumsum(sizes, out=offsets[1:])
            return kernels.minhash_sets(flat, offsets, self._a, self._b)
        out = np.tile(self._empty, (len(shingle_sets), 1))
        a, b = self._a[:, None], self._b[:, None]
        start = 0
        while start < len(shingle_sets):
            # Take documents until the slice holds about `chunk` shingles (at least one document).
            stop, total = start, 0
            while stop < len(shingle_sets) and (total == 0 or total + sizes[stop] <= chunk):
                total += sizes[stop]
                stop += 1
            nonempty = [i for i in range(start, stop) if sizes[i]]
            if nonempty:
                flat = (
                    shingle_sets[nonempty[0]]
                    if len(nonempty) == 1
                    else np.concatenate([shingle_sets[i] for i in nonempty])
                )
                permuted = a * _fmix(flat, 32)[None, :]
                permuted += b
                offsets = np.concatenate(([0], np.cumsum(sizes[nonempty])[:-1]))
                out[nonempty] = np.minimum.reduceat(permuted, offsets, axis=1).T
            start = stop
        return out

    def span_signatures(
        self, hashes: np.ndarray, starts: np.ndarray, stops: np.ndarray, spans_per_block: int = 32
    ) -> np.ndarray:
        """MinHash signatures (``len(starts)`` x ``num_perm``) of the spans ``hashes[starts[i]:stops[i]]`` of
        one document's :func:`ngram_hashes`: the same as :meth:`signatures` of each span's distinct sorted
        values (a minimum ignores order and repeats), each value permuted once however many spans hold it.
        Spans are non-empty, in strictly increasing order of start and of stop.

        >>> fp = Fingerprinter(num_perm=16)
        >>> h = ngram_hashes(token_hashes("a b c d e f g a b c"), 3)
        >>> spans = fp.span_signatures(h, np.array([0, 3, 4]), np.array([5, 7, 8]), spans_per_block=2)
        >>> bool((spans == fp.signatures([np.unique(h[0:5]), np.unique(h[3:7]), np.unique(h[4:8])])).all())
        True
        """
        kernels = get_kernels(0)
        if kernels is not None and len(starts):
            return kernels.minhash_spans(
                np.array(hashes, dtype=np.uint32),  # a writable contiguous copy, as kernels.load compiled for
                np.array(starts, dtype=np.int64),
                np.array(stops, dtype=np.int64),
                self._a,
                self._b,
            )
        out = np.empty((len(starts), self.settings.num_perm), dtype=np.uint32)
        # A few spans at a time, so that the permuted block (num_perm x its positions) stays small whatever the
        # document's length (a 10 MB one-line page has millions of positions).
        for first in range(0, len(starts), spans_per_block):
            last = min(first + spans_per_block, len(starts))
            lo, hi = int(starts[first]), int(stops[last - 1])
            permuted = self._a[:, None] * _fmix(hashes[lo:hi], 32)[None, :]
            permuted += self._b[:, None]
            # reduceat over (start, stop) pairs, interleaved: every other result is a span's minimum (a pair
            # (stop_i, start_i+1) that runs backwards gives one element, dropped). The last runs to the end.
            bounds = np.empty(2 * (last - first), dtype=np.int64)
            bounds[0::2], bounds[1::2] = starts[first:last] - lo, stops[first:last] - lo
            out[first:last] = np.minimum.reduceat(permuted, bounds[:-1], axis=1)[:, 0::2].T
        return out

    def fingerprint_one(self, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Signature and shingle set of a single token list."""
        shingles = self.shingles(words)
        return self.signatures([shingles])[0], shingles

    def lean_minhash(self, signature: np.ndarray) -> LeanMinHash:
        """Wrap a signature as a datasketch ``LeanMinHash`` (for ``MinHashLSH`` and friends)."""
        from datasketch import LeanMinHash, MinHash

        m = MinHash(num_perm=self.settings.num_perm, seed=self.settings.seed, hashvalues=signature, scheme=SCHEME)
        return LeanMinHash(m)


def jaccard_containment(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Exact Jaccard similarity and containment (overlap over the smaller set) of two sorted shingle sets.

    >>> jaccard_containment(np.array([1, 2, 3, 4]), np.array([3, 4]))
    (0.5, 1.0)
    """
    if a.size == 0 or b.size == 0:
        return 0.0, 0.0
    inter = -1
    kernels = get_kernels(0)
    if kernels is not None and a.dtype == b.dtype == np.uint32 and a.ndim == b.ndim == 1:
        inter = kernels.sorted_overlap(_read_only(a), _read_only(b))  # -1: not sorted sets after all
    if inter < 0:
        inter = np.intersect1d(a, b, assume_unique=True).size
    union = a.size + b.size - inter
    return inter / union, inter / min(a.size, b.size)


# Passages of this many content words are what coverage counts: short enough that a second story appended to a
# copy (a round-up) fills passages of its own, long enough that a reworded sentence does not.
COVERAGE_WINDOW = 20


def content_words(text: str) -> np.ndarray:
    """32-bit hashes of the content words of a normalised text, in text order: words of three or more
    characters, and any word holding a digit (figures are facts, however short).

    >>> content_words("the 4 ships of in port").size
    4
    """
    words = [w for w in text.split() if len(w) >= 3 or not w.isalpha()]
    if not words:
        return np.empty(0, dtype=np.uint32)
    h = token_hashes(" ".join(words))
    return (h ^ (h >> _U64(32))).astype(np.uint32)


def coverage(words: np.ndarray, other: np.ndarray, window: int = COVERAGE_WINDOW) -> float:
    """How much of a text the ``other`` text already says: the share of its content words (``words``, from
    :func:`content_words`) that lie in passages of ``window`` words at least half of whose words ``other`` has.

    A reworded copy scores near 1 (its passages share most words with the original); a round-up scores about
    the share of its text that is the contained story; a long feature against the brief announcing it, low.

    >>> story = content_words("talks between unions and port operators stalled again on monday")
    >>> roundup = np.concatenate([story, content_words("parliament approved the annual budget late")])
    >>> coverage(story, roundup), round(coverage(roundup, story, window=4), 2)
    (1.0, 0.53)
    """
    if words.size == 0:
        return 1.0
    if other.size == 0:
        return 0.0
    kernels = get_kernels(0)
    if kernels is not None and words.dtype == other.dtype == np.uint32 and words.ndim == other.ndim == 1:
        # One compiled version: aligned read-only arrays (the stores' are read-only, and unaligned when np.frombuffer
        # reads them from a bytes object: numba would compile, and load in every process, a version for those).
        return float(kernels.covered_words(_read_only(words), _read_only(other), window) / words.size)
    # Sorted, not deduplicated: a lookup needs only order (np.unique, hash-based in numpy 2, costs 3x a sort).
    known = np.sort(other)
    pos = np.searchsorted(known, words)
    hits = known[np.minimum(pos, known.size - 1)] == words
    starts = np.arange(0, words.size, window)
    lengths = np.diff(np.append(starts, words.size))
    found = np.add.reduceat(hits.astype(np.int64), starts)
    return float(lengths[2 * found >= lengths].sum() / words.size)


def _read_only(array: np.ndarray) -> np.ndarray:
    flags = array.flags
    if flags.aligned and flags.c_contiguous and not flags.writeable:
        return array
    view = (array if flags.aligned and flags.c_contiguous else np.array(array)).view()
    view.flags.writeable = False
    return view
