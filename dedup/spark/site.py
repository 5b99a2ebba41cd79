"""Site boilerplate on Spark: the local engine's learner, fed on the driver with what the executors computed.

The local engine counts each site's lines once per *story* (:class:`dedup.clean.site.SiteBoilerplate`): a page's
line counts unless an earlier page sharing a story key carried it. "Earlier" is input order, so the count is
sequential by definition. The executors do the costly part (cleaning, line hashes, story keys: a MinHash of each
page); the driver receives, for each page with a site, in input order, only its line hashes and its 20 story
keys (a few hundred bytes a page), and runs the very same :meth:`~SiteBoilerplate.observe_batch` on them in the
local engine's batches of :data:`LOCAL_BATCH` documents. The counts, the learned lines and the lines stripped
are therefore the local engine's by construction, sketch collisions and forgotten stories included.

What the executors then need to strip is small: the set of line hashes (titles' included) that the learner
marks as boilerplate, among those the corpus has (:class:`LearnedBoilerplate`). The text a report shows for a
learned line is the line of the page the local learner took it from: the driver asks for those lines only
(:class:`LineRef` stands for a page's lines while it learns).

>>> from dedup.clean.site import line_hashes
>>> menu = line_hashes("x.com", ["subscribe to x daily"])
>>> site = LearnedBoilerplate(menu)
>>> site.strip("x.com", "Story.\\nSubscribe to X Daily")[0]
'Story.'
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from dedup.clean import LearnedLine
from dedup.clean.site import SiteBoilerplate

# dedup.pipeline.Pipeline's batch_size (tests/test_spark_stages.py checks it): the learner remembers a line's text
# from the first page of the batch in which the line became frequent, so batches must fall where the local ones do.
LOCAL_BATCH = 64
_REF = "\x00line\x00"  # never the start of a stripped line: NUL is not text (io readers refuse binary input)


class LineRef(Sequence[str]):
    """The lines of one page, by reference: ``ref[i]`` names page ``idx``'s line ``i`` instead of holding it.

    >>> LineRef(7)[3], parse_ref(LineRef(7)[3])
    ('\\x00line\\x007:3', (7, 3))
    """

    def __init__(self, idx: int) -> None:
        self.idx = idx

    def __getitem__(self, i):  # type: ignore[override]
        return f"{_REF}{self.idx}:{i}"

    def __len__(self) -> int:  # pragma: no cover - the learner only indexes
        raise TypeError("a LineRef has no length")


def parse_ref(line: str) -> tuple[int, int] | None:
    """``(page, line number)`` of a :class:`LineRef` item; None for a real line."""
    if not line.startswith(_REF):
        return None
    idx, i = line[len(_REF) :].split(":")
    return int(idx), int(i)


class LearnedBoilerplate(SiteBoilerplate):
    """Site boilerplate known in advance: the hashes (site included, :func:`dedup.clean.site.line_hashes`) of
    every line that the learner marks as boilerplate."""

    def __init__(self, hashes: np.ndarray) -> None:
        super().__init__(depth=1, width=1, story_slots=1)  # no sketch: the driver's learner decided
        self._hashes = np.unique(np.asarray(hashes, dtype=np.uint64))

    def boilerplate_mask(self, site: str | None, hashes: np.ndarray) -> np.ndarray:
        if not site or hashes.size == 0:
            return np.zeros(hashes.size, dtype=bool)
        return (hashes != 0) & np.isin(hashes, self._hashes)

    def boilerplate_masks(self, sites: Sequence[str | None], hashes: Sequence[np.ndarray]) -> list[np.ndarray]:
        # The base class reads its sketch in one batch; here there is no sketch, only the decided hashes.
        return [self.boilerplate_mask(site, h) for site, h in zip(sites, hashes)]

    def strip(self, site: str | None, text: str):  # type: ignore[override]
        # SiteBoilerplate.strip first asks whether the site has enough stories; here the hashes already say so.
        lines = text.splitlines()
        mask = self.boilerplate_mask(site, self.hashes(site, lines)).tolist()
        if not any(mask):
            return text, []
        from dedup.document import Removal

        removed = [Removal(line.strip(), f"site:{site}") for line, m in zip(lines, mask) if m]
        return "\n".join(line for line, m in zip(lines, mask) if not m), removed


Page = tuple[
    int, str, np.ndarray, np.ndarray
]  # (document number, site, line hashes with the title's first, story keys)


def learn(pages: Iterator[Page], min_docs: int, min_share: float) -> tuple[SiteBoilerplate, np.ndarray]:
    """The local learner fed with ``pages`` (those with a site, in input order), in the local engine's batches;
    and the hashes, among every line and title of those pages, that it marks as boilerplate."""
    learner = SiteBoilerplate(min_docs, min_share)
    batch: list[tuple] = []
    current = -1
    seen: list[tuple[str, np.ndarray]] = []
    for idx, site, hashes, story in pages:
        if idx // LOCAL_BATCH != current and batch:
            learner.observe_batch(batch)
            batch = []
        current = idx // LOCAL_BATCH
        batch.append((site, hashes[1:], LineRef(idx), story if story.size else None))
        seen.append((site, hashes))
    if batch:
        learner.observe_batch(batch)
    marked: list[np.ndarray] = []
    by_site: dict[str, list[np.ndarray]] = {}
    for site, hashes in seen:
        by_site.setdefault(site, []).append(hashes)
    for site, arrays in by_site.items():
        distinct = np.unique(np.concatenate(arrays))
        marked.append(distinct[learner.boilerplate_mask(site, distinct)])
    return learner, np.concatenate(marked) if marked else np.empty(0, dtype=np.uint64)


def learned_refs(learned: Sequence[LearnedLine]) -> set[tuple[int, int]]:
    """The ``(page, line number)`` of each learned line's text, to fetch."""
    return {ref for x in learned if (ref := parse_ref(x.line)) is not None}


def with_texts(learned: Sequence[LearnedLine], lines: dict[tuple[int, int], str]) -> list[LearnedLine]:
    """The learned lines with their texts (``lines``: stripped text by reference), sorted as the learner sorts."""
    out = []
    for x in learned:
        ref = parse_ref(x.line)
        out.append(LearnedLine(x.site, lines[ref] if ref is not None else x.line, x.documents))
    return sorted(out, key=lambda x: (-x.documents, x.site, x.line))
