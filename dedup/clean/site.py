"""Site boilerplate learned from the corpus: lines one site repeats on many of its pages.

Menus, sign-offs, "اقرأ أيضاً" titles and footers differ from site to site, so no fixed rule list covers them,
but each site repeats its own on page after page. A first pass counts, per site, how many documents carry each
(normalised) line; a second pass removes the lines that reach the threshold. Counting is per *site* on purpose:
a line repeated across many sites is usually shared article text of a wire story, and removing it everywhere
(as CCNet-style global line dedup does) would hide the very duplicates ``dedup`` must find.

Counts live in a count-min sketch (a fixed ``depth x width`` numpy array), so memory stays bounded however many
pages are seen; a count-min sketch only ever over-counts, and with the default 4 x 2^22 cells the over-count is
negligible below tens of millions of lines.

>>> learner = SiteBoilerplate(min_docs=2)
>>> for t in ["Story one.\\nSubscribe to Example Daily", "Story two.\\nSubscribe to Example Daily"]:
...     learner.observe("example.com", t)
>>> learner.strip("example.com", "Story three.\\nSubscribe to Example Daily")[0]
'Story three.'
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
import xxhash

from dedup.document import Removal
from dedup.normalize import normalize, normalize_lines

_SEEDS = (0x51ED27, 0xA5A5A5, 0xC0FFEE, 0xB16B00B5, 0x1CEB00DA, 0xFACADE)


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
        self, min_docs: int = 3, min_share: float = 0.01, max_words: int = 40, depth: int = 4, width: int = 1 << 22
    ) -> None:
        if min_docs < 2:
            raise ValueError("min_docs must be at least 2: a line on one page is not repeated")
        self.min_docs = min_docs
        self.min_share = min_share
        self.max_words = max_words
        self._counts = np.zeros((depth, width), dtype=np.uint32)
        self._width = width
        self._seeds = _SEEDS[:depth]
        self.site_documents: Counter[str] = Counter()
        # Lines that reached min_docs, kept with their text for reports (bounded by the boilerplate found).
        self._candidates: dict[tuple[str, str], str] = {}

    @staticmethod
    def _key(line: str) -> str:
        return normalize(line)

    def _cells(self, site: str, key: str) -> list[int]:
        data = f"{site}\x00{key}".encode()
        return [xxhash.xxh64_intdigest(data, seed) % self._width for seed in self._seeds]

    def _estimate(self, cells: list[int]) -> int:
        return int(min(self._counts[row, col] for row, col in enumerate(cells)))

    def observe(self, site: str | None, text: str) -> None:
        """Count the distinct lines of one document of ``site`` (first pass)."""
        if not site:
            return
        self.site_documents[site] += 1
        seen: set[str] = set()
        lines = text.splitlines()
        for line, key in zip(lines, normalize_lines(lines)):
            if not key or key in seen or key.count(" ") + 1 > self.max_words:
                continue
            seen.add(key)
            cells = self._cells(site, key)
            for row, col in enumerate(cells):
                self._counts[row, col] += 1
            if self._estimate(cells) == self.min_docs and (site, key) not in self._candidates:
                self._candidates[(site, key)] = line.strip()

    def threshold(self, site: str) -> int:
        return max(self.min_docs, math.ceil(self.min_share * self.site_documents[site]))

    def is_boilerplate(self, site: str | None, line: str) -> bool:
        if not site or self.site_documents[site] < self.min_docs:
            return False
        return self._is_boilerplate_key(site, self._key(line))

    def _is_boilerplate_key(self, site: str, key: str) -> bool:
        if not key or key.count(" ") + 1 > self.max_words:
            return False
        return self._estimate(self._cells(site, key)) >= self.threshold(site)

    def strip(self, site: str | None, text: str) -> tuple[str, list[Removal]]:
        """Text without the site's learned boilerplate lines (second pass), and what was removed."""
        kept, removed = [], []
        lines = text.splitlines()
        if not site or self.site_documents[site] < self.min_docs:
            return text, removed
        for line, key in zip(lines, normalize_lines(lines)):
            if key and self._is_boilerplate_key(site, key):
                removed.append(Removal(line.strip(), f"site:{site}"))
            else:
                kept.append(line)
        return "\n".join(kept), removed

    def learned(self) -> list[LearnedLine]:
        """Every line learned as boilerplate, most widespread first."""
        out = []
        for (site, key), line in self._candidates.items():
            count = self._estimate(self._cells(site, key))
            if count >= self.threshold(site):
                out.append(LearnedLine(site, line, count))
        return sorted(out, key=lambda x: (-x.documents, x.site, x.line))
