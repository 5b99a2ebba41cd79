"""Site boilerplate learned from the corpus: lines one site repeats on many of its pages.

Menus, sign-offs, "اقرأ أيضاً" titles and footers differ from site to site, so no fixed rule list covers them,
but each site repeats its own on page after page. A first pass counts, per site, how many documents carry each
(normalised) line; a second pass removes the lines that reach the threshold. Counting is per *site* on purpose:
a line repeated across many sites is usually shared article text of a wire story, and removing it everywhere
(as CCNet-style global line dedup does) would hide the very duplicates ``dedup`` must find.

Counts live in a count-min sketch (a fixed ``depth x width`` numpy array), so memory stays bounded however many
pages are seen; a count-min sketch only ever over-counts, and with the default 4 x 2^22 cells the over-count is
negligible below tens of millions of lines.

A line is one 64-bit hash of its site and normalised text (:func:`line_hashes`, computed where the page is
cleaned, in the worker processes); its ``depth`` cells come from that one hash (``h1 + k * h2``, Kirsch and
Mitzenmacher's double hashing), so counting and looking up a whole batch of lines are single numpy operations.

>>> learner = SiteBoilerplate(min_docs=2)
>>> for t in ["Story one.\\nSubscribe to Example Daily", "Story two.\\nSubscribe to Example Daily"]:
...     learner.observe("example.com", t)
>>> learner.strip("example.com", "Story three.\\nSubscribe to Example Daily")[0]
'Story three.'
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xxhash

from dedup.document import Removal
from dedup.normalize import normalize, normalize_lines

_SEED = 0x51ED27
MAX_WORDS = 40  # lines longer than this are never learned (see SiteBoilerplate)


def line_hashes(site: str | None, keys: Sequence[str], max_words: int = MAX_WORDS) -> np.ndarray:
    """One uint64 per normalised line ``keys`` of a page of ``site``; 0 for a blank line or one too long to be
    boilerplate (and for every line when the site is unknown).

    >>> h = line_hashes("example.com", ["subscribe to example daily", "", "subscribe to example daily"])
    >>> bool(h[0] == h[2] != 0), int(h[1])
    (True, 0)
    """
    out = np.zeros(len(keys), dtype=np.uint64)
    if not site:
        return out
    prefix = f"{site}\x00".encode()
    for i, key in enumerate(keys):
        if key and key.count(" ") < max_words:
            # 0 marks "no line": a real hash of 0 (odds 2^-64) is moved to 1.
            out[i] = xxhash.xxh64_intdigest(prefix + key.encode(), _SEED) or 1
    return out


@dataclass(frozen=True, slots=True)
class LearnedLine:
    """A line learned as boilerplate of one site, for ``--explain`` reports."""

    site: str
    line: str
    documents: int


class SiteBoilerplate:
    """Learns lines each site repeats, then strips them.

    A line is boilerplate for a site when it appears in at least ``min_docs`` of that site's documents and in
    at least ``min_share`` of them. Lines longer than ``max_words`` words are never learned: article paragraphs
    are long and boilerplate rarely is, and this keeps a site that republished one story three times from
    losing that story's paragraphs.
    """

    def __init__(
        self, min_docs: int = 3, min_share: float = 0.01, max_words: int = MAX_WORDS, depth: int = 4,
        width: int = 1 << 22,
    ) -> None:
        if min_docs < 2:
            raise ValueError("min_docs must be at least 2: a line on one page is not repeated")
        self.min_docs = min_docs
        self.min_share = min_share
        self.max_words = max_words
        self._counts = np.zeros((depth, width), dtype=np.uint32)
        self._width = width
        self._rows = np.arange(depth, dtype=np.uint64)[:, None]
        self.site_documents: Counter[str] = Counter()
        # Lines that reached min_docs, kept with their text for reports (bounded by the boilerplate found).
        self._candidates: dict[int, tuple[str, str]] = {}

    @staticmethod
    def _key(line: str) -> str:
        return normalize(line)

    def hashes(self, site: str | None, lines: Sequence[str]) -> np.ndarray:
        """:func:`line_hashes` of raw ``lines`` (normalised here)."""
        return line_hashes(site, normalize_lines(list(lines)), self.max_words)

    def _cells(self, hashes: np.ndarray) -> np.ndarray:
        """``depth x len(hashes)`` column indexes of the lines' counters."""
        h1 = hashes & np.uint64(0xFFFFFFFF)
        h2 = (hashes >> np.uint64(32)) | np.uint64(1)
        return ((h1 + self._rows * h2) % np.uint64(self._width)).astype(np.intp)

    def counts(self, hashes: np.ndarray) -> np.ndarray:
        """Estimated number of documents carrying each line (never an under-count)."""
        if hashes.size == 0:
            return np.zeros(0, dtype=np.uint32)
        cells = self._cells(hashes)
        return self._counts[np.arange(cells.shape[0])[:, None], cells].min(axis=0)

    def observe_hashes(self, site: str | None, hashes: np.ndarray, lines: Sequence[str] | None = None) -> None:
        """Count one document of ``site`` whose lines hash to ``hashes`` (0 = not a line; repeats count once).

        ``lines`` (the same lines, raw) are only read to remember the text of a line when it first becomes
        frequent enough to be boilerplate, for :meth:`learned`."""
        self.observe_batch([(site, hashes, lines)])

    def observe_batch(self, pages: Sequence[tuple[str | None, np.ndarray, Sequence[str] | str | None]]) -> None:
        """:meth:`observe_hashes` for many documents at once: one counter update per sketch row.

        A page's lines may come as its whole text (``str``): it is split only if one of its lines is
        frequent."""
        counted = []
        for site, hashes, _lines in pages:
            if site:
                self.site_documents[site] += 1
                counted.append(np.unique(hashes[hashes != 0]))
        distinct = np.concatenate(counted) if counted else np.zeros(0, dtype=np.uint64)
        if distinct.size == 0:
            return
        cells = self._cells(distinct)
        for row in range(cells.shape[0]):
            # Cells shared by several lines must all count: counted with unique() (np.add.at, unbuffered, took
            # ~1 ms per row of a batch, 7x longer, in the process that feeds the workers).
            where, times = np.unique(cells[row], return_counts=True)
            self._counts[row, where] += times.astype(np.uint32)
        # Remember the text of lines frequent enough to be boilerplate (for reports): one lookup for the batch.
        known = [(site, hashes, lines) for site, hashes, lines in pages if site and lines is not None and hashes.size]
        if not known:
            return
        every = np.concatenate([h for _, h, _ in known])
        frequent = (every != 0) & (self.counts(every) >= self.min_docs)
        start = 0
        for site, hashes, lines in known:
            hits = np.flatnonzero(frequent[start:start + hashes.size]).tolist()
            start += hashes.size
            if not hits:
                continue
            if isinstance(lines, str):
                lines = lines.splitlines()
            for i in hits:
                self._candidates.setdefault(int(hashes[i]), (site, lines[i].strip()))  # type: ignore[index]

    def observe(self, site: str | None, text: str) -> None:
        """Count the distinct lines of one document of ``site`` (first pass)."""
        lines = text.splitlines()
        self.observe_hashes(site, self.hashes(site, lines), lines)

    def threshold(self, site: str) -> int:
        return max(self.min_docs, math.ceil(self.min_share * self.site_documents[site]))

    def boilerplate_mask(self, site: str | None, hashes: np.ndarray) -> np.ndarray:
        """Which of a page's lines (by :func:`line_hashes`) are learned boilerplate of ``site``."""
        if not site or self.site_documents[site] < self.min_docs or hashes.size == 0:
            return np.zeros(hashes.size, dtype=bool)
        return (hashes != 0) & (self.counts(hashes) >= self.threshold(site))

    def is_boilerplate(self, site: str | None, line: str) -> bool:
        return bool(self.boilerplate_mask(site, self.hashes(site, [line]))[0])

    def strip(self, site: str | None, text: str) -> tuple[str, list[Removal]]:
        """Text without the site's learned boilerplate lines (second pass), and what was removed."""
        lines = text.splitlines()
        if not site or self.site_documents[site] < self.min_docs:
            return text, []
        mask = self.boilerplate_mask(site, self.hashes(site, lines)).tolist()
        removed = [Removal(line.strip(), f"site:{site}") for line, m in zip(lines, mask) if m]
        return "\n".join(line for line, m in zip(lines, mask) if not m), removed

    def learned(self) -> list[LearnedLine]:
        """Every line learned as boilerplate, most widespread first."""
        out = []
        hashes = np.fromiter(self._candidates, dtype=np.uint64, count=len(self._candidates))
        for h, count in zip(hashes.tolist(), self.counts(hashes).tolist()):
            site, line = self._candidates[h]
            if count >= self.threshold(site):
                out.append(LearnedLine(site, line, count))
        return sorted(out, key=lambda x: (-x.documents, x.site, x.line))
