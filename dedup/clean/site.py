"""Site boilerplate learned from the corpus: lines one site repeats across its different stories.

Menus, sign-offs, "اقرأ أيضاً" titles and footers differ from site to site, so no fixed rule list covers them,
but each site repeats its own on story after story. A first pass counts, per site, how many of its stories carry
each (normalised) line; a second pass removes the lines that reach the threshold. Counting is per *site* on
purpose: a line repeated across many sites is usually shared article text of a wire story, and removing it
everywhere (as CCNet-style global line dedup does) would hide the very duplicates ``dedup`` must find.

Counting is per *story*, not per page, because a crawl often holds one story several times (an article updated
and republished under new URLs, a page fetched twice): its paragraphs then recur on many of the site's pages as
chrome does, but within one story only. Each page gets :data:`STORY_BANDS` story keys (:func:`story_keys`): the
bands of a MinHash (:data:`STORY_ROWS` values each) of the word 3-grams of its normalised text, which article
paragraphs dominate (a menu line weighs a few 3-grams, a paragraph dozens). A line of a page counts unless an
earlier page that shares a story key with it carried the line too; the page counts as one more story of its site
unless it shares a key with an earlier page. So a version of a story adds only what it changed, while the lines
two different stories share (chrome) count for each. Two pages sharing a part ``s`` of their 3-grams share a key
with odds ``1 - (1 - s^4)^20``: 0.94 at s = 0.6 and 0.996 at 0.7 (versions of a story), 0.075 at 0.25 and 0.002
at 0.1 (different stories of one site), and a story's version needs to share a key with one earlier version only.
Measured (``bench/site_boilerplate.py --story-keys``): updates of real articles (a paragraph added, a figure
changed, a sentence reworded) share a key in 98-99% of the pairs that share 60-70% of their 3-grams and in all
that share more; random pairs of different articles of one source never did (3,734 pairs), pairs of pages of the
bench fixture (made-up stories that share sentences) in 0.5%. Taking two stories for one can only under-count a line, so remove less.

Memory is bounded. Line counts live in a count-min sketch (a fixed ``depth x width`` numpy array, 64 MiB by
default; it only ever over-counts, and with 4 x 2^22 cells the over-count is negligible below tens of millions of
lines). What pages carried lines under which story keys lives in a table of ``story_slots`` 16-bit tags (2^25,
64 MiB by default): one slot per (line, key) item, 20 items per short line of a page (and 20 for the page
itself), a newer item taking the slot of an older one, so the oldest pages are forgotten first. A version's line
is recognised while one of its items shared with an earlier version survives: for versions sharing 70% of their
3-grams, with odds above 99% while fewer than 16 million items came between them (some 40,000 pages of 20 short
lines, 300,000 pages of long paragraphs). A line of a forgotten story counts once more when the story recurs.

A line is one 64-bit hash of its site and normalised text (:func:`line_hashes`, computed where the page is
cleaned, in the worker processes, as are the story keys); its ``depth`` cells come from that one hash
(``h1 + k * h2``, Kirsch and Mitzenmacher's double hashing), so counting and looking up a whole batch of lines
are single numpy operations.

>>> learner = SiteBoilerplate(min_docs=2)
>>> story = "The port strike entered its third day on Monday as talks between unions and operators stalled."
>>> learner.observe("example.com", f"{story}\\nSubscribe to Example Daily")
>>> learner.observe("example.com", f"{story} Ships were diverted.\\nSubscribe to Example Daily")  # an update
>>> learner.strip("example.com", "Another story.\\nSubscribe to Example Daily")  # one story: nothing learned
('Another story.\\nSubscribe to Example Daily', [])
>>> learner.observe("example.com", "Parliament approved the annual budget after a long night of debate.\\n"
...                 "Subscribe to Example Daily")
>>> learner.strip("example.com", "Another story.\\nSubscribe to Example Daily")[0]
'Another story.'
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xxhash

from dedup.document import Removal
from dedup.fingerprint import Fingerprinter, shingle_hashes, token_hashes
from dedup.kernels import get as get_kernels
from dedup.normalize import normalize, normalize_lines

_SEED = 0x51ED27
MAX_WORDS = 40  # lines longer than this are never learned (see SiteBoilerplate)
STORY_BANDS = 20  # story keys per page
STORY_ROWS = 4  # MinHash values per key
STORY_NGRAM = 3  # words per shingle
_STORY_SEED = 0x5702
_NO_KEYS = np.zeros(0, dtype=np.uint64)
_THE_PAGE = np.zeros(1, dtype=np.uint64)
_ITEM_BITS = 39  # bits of an item's position when items are sorted by (slot, position) in one uint64  # 0, never a line's hash, stands for the page itself

# What the first pass counts of one page: its site, its line hashes (:func:`line_hashes`), its lines (raw, or
# its text; only read to report a learned line) and, optionally, its story keys (:func:`story_keys`).
SiteObservation = (
    tuple[str | None, np.ndarray, Sequence[str] | str | None]
    | tuple[str | None, np.ndarray, Sequence[str] | str | None, np.ndarray | None]
)


def line_hashes(
    site: str | None, keys: Sequence[str], max_words: int = MAX_WORDS, words: Sequence[int] | None = None
) -> np.ndarray:
    """One uint64 per normalised line ``keys`` of a page of ``site``; 0 for a blank line or one too long to be
    boilerplate (and for every line when the site is unknown). ``words``: each key's words, when known.

    >>> h = line_hashes("example.com", ["subscribe to example daily", "", "subscribe to example daily"])
    >>> bool(h[0] == h[2] != 0), int(h[1])
    (True, 0)
    """
    out = np.zeros(len(keys), dtype=np.uint64)
    if not site:
        return out
    prefix = f"{site}\x00".encode()
    if words is None:
        words = [key.count(" ") + 1 for key in keys]
    for i, (key, n) in enumerate(zip(keys, words)):
        if key and n <= max_words:
            # 0 marks "no line": a real hash of 0 (odds 2^-64) is moved to 1.
            out[i] = xxhash.xxh64_intdigest(prefix + key.encode(), _SEED) or 1
    return out


@functools.cache
def _story_fingerprinter() -> Fingerprinter:
    return Fingerprinter(num_perm=STORY_BANDS * STORY_ROWS, ngram=STORY_NGRAM, seed=_STORY_SEED)


def _mix64(x: np.ndarray) -> np.ndarray:
    """A 64-bit finaliser (splitmix64's), elementwise."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def story_shingles(text: str) -> np.ndarray:
    """The word 3-gram shingles story keys are made of, of a normalised text (those of
    :meth:`dedup.fingerprint.Fingerprinter.text_shingles` with ``ngram=3``)."""
    return shingle_hashes(token_hashes(text), STORY_NGRAM)


def story_keys_of(sites: Sequence[str | None], shingle_sets: Sequence[np.ndarray]) -> list[np.ndarray]:
    """:func:`story_keys` of many pages, from their :func:`story_shingles` (one MinHash call for all)."""
    out = [_NO_KEYS] * len(sites)
    todo = [i for i, (site, shingles) in enumerate(zip(sites, shingle_sets)) if site and shingles.size]
    if not todo:
        return out
    signatures = _story_fingerprinter().signatures([shingle_sets[i] for i in todo])
    rows = signatures.reshape(len(todo), STORY_BANDS, STORY_ROWS).astype(np.uint64)
    salts = np.array([xxhash.xxh64_intdigest(str(sites[i]).encode(), _STORY_SEED) for i in todo], dtype=np.uint64)
    acc = salts[:, None] ^ (np.arange(1, STORY_BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    for row in range(STORY_ROWS):
        acc = _mix64(acc ^ rows[:, :, row])
    for i, keys in zip(todo, acc):
        out[i] = keys
    return out


def story_keys(site: str | None, keys: Sequence[str]) -> np.ndarray:
    """The story keys of a page of ``site`` whose normalised lines are ``keys``: :data:`STORY_BANDS` uint64s,
    each a hash of the site, the band and :data:`STORY_ROWS` MinHash values of the page's word 3-grams (none when
    the site is unknown or the page has no words). Versions of one story share some of their keys.

    >>> story = ["the port strike entered its third day on monday", "as talks between unions and operators stalled"]
    >>> first, update = story_keys("example.com", story), story_keys("example.com", [*story, "ships diverted"])
    >>> first.shape, bool(np.intersect1d(first, update).size > 0)
    ((20,), True)
    >>> bool(np.intersect1d(first, story_keys("other.org", story)).size > 0)  # salted with the site
    False
    """
    return story_keys_of([site], [story_shingles(" ".join(key for key in keys if key))])[0]


@dataclass(frozen=True, slots=True)
class LearnedLine:
    """A line learned as boilerplate of one site, for ``--explain`` reports (``documents``: the site's stories
    that carry it)."""

    site: str
    line: str
    documents: int


class SiteBoilerplate:
    """Learns lines each site repeats across its stories, then strips them.

    A line is boilerplate for a site when it appears in at least ``min_docs`` of that site's stories and in at
    least ``min_share`` of them. A page's line counts unless an earlier page that shares a story key with it
    carried the line too (a page without story keys is a story of its own); see the module docstring. Lines
    longer than ``max_words`` words are never learned: article paragraphs are long and boilerplate rarely is.
    """

    def __init__(
        self,
        min_docs: int = 3,
        min_share: float = 0.01,
        max_words: int = MAX_WORDS,
        depth: int = 4,
        width: int = 1 << 22,
        story_slots: int = 1 << 25,
    ) -> None:
        if min_docs < 2:
            raise ValueError("min_docs must be at least 2: a line on one page is not repeated")
        self.min_docs = min_docs
        self.min_share = min_share
        self.max_words = max_words
        self._counts = np.zeros((depth, width), dtype=np.uint32)
        self._width = width
        self._rows = np.arange(depth, dtype=np.uint64)[:, None]
        # The (line, story key) items recorded: one 16-bit tag per slot (0: empty); see the module docstring.
        self._stories = np.zeros(story_slots, dtype=np.uint16)
        self.site_documents: Counter[str] = Counter()  # pages seen per site
        self.site_stories: Counter[str] = Counter()  # of which not a version of a story seen before
        # Lines that reached min_docs, kept with their text for reports (bounded by the boilerplate found).
        self._candidates: dict[int, tuple[str, str]] = {}
        self._unnamed: dict[int, tuple[str, int, int]] = {}  # see observe_placed

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
        """Estimated number of stories carrying each line (never an under-count of the stories counted)."""
        if hashes.size == 0:
            return np.zeros(0, dtype=np.uint32)
        cells = self._cells(hashes)
        return self._counts[np.arange(cells.shape[0])[:, None], cells].min(axis=0)

    def observe_hashes(
        self, site: str | None, hashes: np.ndarray, lines: Sequence[str] | None = None, story: np.ndarray | None = None
    ) -> None:
        """Count one page of ``site`` whose lines hash to ``hashes`` (0 = not a line; repeats count once) and
        whose story keys are ``story``: each line unless an earlier page sharing a story key carried it too.

        ``lines`` (the same lines, raw) are only read to remember the text of a line when it first becomes
        frequent enough to be boilerplate, for :meth:`learned`."""
        self.observe_batch([(site, hashes, lines, story)])

    def _seen_before(self, items: np.ndarray, page_of: np.ndarray) -> np.ndarray:
        """Which ``items`` (uint64; ``page_of``: the index of each one's page, non-decreasing) were recorded by an
        earlier page, and record them all: as if each page looked its items up and then wrote them, one page after
        the other, into the fixed table (see the module docstring)."""
        slots = items % np.uint64(self._stories.size)
        tags = ((items >> np.uint64(48)) | np.uint64(1)).astype(np.uint16)  # 0 marks an empty slot
        if (kernels := get_kernels(0)) is not None:  # loaded for a large input: one pass in page order, no sort
            return kernels.seen_before(self._stories, slots, tags, page_of.astype(np.intp, copy=False))
        # Sorted by slot, then page (then item: a page's items keep their order). An item finds in its slot what
        # the last earlier page of this batch wrote there (the entry just before its page's run), else the table.
        # One sort of (slot, item) packed in a uint64, not a stable argsort: the same order, a fraction of the cost.
        assert items.size < 1 << _ITEM_BITS and self._stories.size <= 1 << (64 - _ITEM_BITS)
        packed = np.sort((slots << np.uint64(_ITEM_BITS)) | np.arange(items.size, dtype=np.uint64))
        order = (packed & np.uint64((1 << _ITEM_BITS) - 1)).astype(np.intp)
        slot = (packed >> np.uint64(_ITEM_BITS)).astype(np.intp)
        page, tag = page_of[order], tags[order]
        new_slot = np.r_[True, slot[1:] != slot[:-1]]
        new_run = new_slot | np.r_[True, page[1:] != page[:-1]]
        run_start = np.maximum.accumulate(np.where(new_run, np.arange(slot.size), 0))
        held = np.where(new_slot[run_start], self._stories[slot], tag[np.maximum(run_start - 1, 0)])
        seen = np.empty(items.size, dtype=bool)
        seen[order] = held == tag
        last = np.r_[slot[1:] != slot[:-1], True]  # the last write to each slot stays
        self._stories[slot[last]] = tag[last]
        return seen

    def _new_to_story(
        self, sites: Sequence[str | None], hashes: np.ndarray, sizes: np.ndarray, keys: np.ndarray, widths: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """What :meth:`observe_columns` counts: whether each page is a new story, and the distinct lines (hashes)
        of every page that no earlier page sharing a story key with it carried, all pages' in one array."""
        n = len(sites)
        # A "unit" is one distinct line of a page, or the page itself (0, first, where its non-lines go too).
        unit_page = np.repeat(np.arange(n), sizes + 1)
        unit = np.zeros(unit_page.size, dtype=np.uint64)
        is_line = np.ones(unit.size, dtype=bool)
        is_line[np.cumsum(sizes + 1) - (sizes + 1)] = False
        unit[is_line] = hashes
        order = np.lexsort((unit, unit_page))
        unit, unit_page = unit[order], unit_page[order]
        keep = np.r_[True, (unit[1:] != unit[:-1]) | (unit_page[1:] != unit_page[:-1])]
        unit, unit_page = unit[keep], unit_page[keep]
        # Each unit of a page with story keys becomes one item per key: a (line, key) pair.
        starts = np.cumsum(widths) - widths
        per_unit = widths[unit_page]
        keyed = per_unit > 0
        width = per_unit[keyed]
        unit_of_item = np.repeat(np.flatnonzero(keyed), width)
        item_start = np.cumsum(width) - width
        offset = np.arange(unit_of_item.size) - np.repeat(item_start, width)
        items = _mix64(unit[unit_of_item] ^ keys[starts[unit_page[unit_of_item]] + offset])
        old = np.zeros(unit.size, dtype=bool)  # a unit whose page shares a key with an earlier one that had it
        if items.size:
            seen = self._seen_before(items, unit_page[unit_of_item])
            old[keyed] = np.logical_or.reduceat(seen, item_start)
        new = ~old
        first = np.searchsorted(unit_page, np.arange(n))  # each page's own unit (0) sorts first among its units
        return new[first], unit[new & (unit != 0)]

    def observe_columns(
        self,
        sites: Sequence[str | None],
        hashes: np.ndarray,
        sizes: np.ndarray,
        keys: np.ndarray | None = None,
        widths: np.ndarray | None = None,
    ) -> None:
        """Count many pages at once, in order, from columns: page ``i`` of ``sites[i]`` has the next ``sizes[i]``
        line hashes of ``hashes`` and the next ``widths[i]`` story keys of ``keys`` (none: a story of its own).
        The pre-commit hook counts a whole cached corpus this way, with no Python step per page.

        >>> learner = SiteBoilerplate(min_docs=2)
        >>> menu = line_hashes("x.org", ["home", "sports"])
        >>> learner.observe_columns(["x.org", "x.org"], np.r_[menu, menu], np.array([2, 2]))
        >>> learner.boilerplate_mask("x.org", menu).tolist()
        [True, True]
        """
        sizes = np.asarray(sizes, dtype=np.intp)
        widths = np.zeros(len(sites), dtype=np.intp) if widths is None else np.asarray(widths, dtype=np.intp)
        keys = _NO_KEYS if keys is None else keys
        with_site = np.fromiter((bool(site) for site in sites), dtype=bool, count=len(sites))
        if not with_site.all():  # pages of no known site are not counted
            hashes = hashes[np.repeat(with_site, sizes)]
            keys = keys[np.repeat(with_site, widths)]
            sites = [site for site, known in zip(sites, with_site.tolist()) if known]
            sizes, widths = sizes[with_site], widths[with_site]
        if not len(sites):
            return
        stories, distinct = self._new_to_story(sites, hashes, sizes, keys, widths)
        self.site_documents.update(sites)  # type: ignore[arg-type]
        self.site_stories.update(site for site, story in zip(sites, stories.tolist()) if story)  # type: ignore[misc]
        if distinct.size == 0:
            return
        cells = self._cells(distinct)
        if (kernels := get_kernels(0)) is not None:  # one pass, no sort of each row's cells
            return kernels.add_counts(self._counts, cells)  # type: ignore[no-any-return]
        for row in range(cells.shape[0]):
            # Cells shared by several lines must all count: unique() (np.add.at, unbuffered, took 7x longer).
            where, times = np.unique(cells[row], return_counts=True)
            self._counts[row, where] += times.astype(np.uint32)

    def observe_batch(self, pages: Sequence[SiteObservation]) -> None:
        """:meth:`observe_hashes` for many pages at once (in order): :meth:`observe_columns` of their columns.

        A page comes as ``(site, hashes, lines)`` or ``(site, hashes, lines, story_keys)``; without story keys
        it is a story of its own. A page's lines may come as its whole text (``str``): it is split only if one of
        its lines is frequent."""
        if not pages:
            return
        story = [page[3] if len(page) > 3 and page[3] is not None else _NO_KEYS for page in pages]  # type: ignore[misc]
        self.observe_columns(
            [page[0] for page in pages],
            np.concatenate([page[1] for page in pages]).astype(np.uint64, copy=False),
            np.fromiter((page[1].size for page in pages), dtype=np.intp, count=len(pages)),
            np.concatenate(story).astype(np.uint64, copy=False),
            np.fromiter((k.size for k in story), dtype=np.intp, count=len(pages)),
        )
        # Remember the text of lines frequent enough to be boilerplate (for reports): one lookup for the batch.
        known = [(page[0], page[1], page[2]) for page in pages if page[0] and page[2] is not None and page[1].size]
        if not known:
            return
        every = np.concatenate([h for _, h, _ in known])
        frequent = (every != 0) & (self.counts(every) >= self.min_docs)
        start = 0
        for site, hashes, lines in known:
            hits = np.flatnonzero(frequent[start : start + hashes.size]).tolist()
            start += hashes.size
            if not hits:
                continue
            if isinstance(lines, str):
                lines = lines.splitlines()
            for i in hits:
                self._candidates.setdefault(int(hashes[i]), (site, lines[i].strip()))  # type: ignore[index]

    def observe_placed(
        self,
        sites: Sequence[str | None],
        hashes: np.ndarray,
        sizes: np.ndarray,
        keys: np.ndarray,
        widths: np.ndarray,
        first_page: int,
    ) -> None:
        """:meth:`observe_batch` of pages given as columns (:meth:`observe_columns`), their lines not read: where a
        line that becomes frequent enough to be boilerplate first appears (page ``first_page + i``, line ``j``) is
        remembered instead, and :meth:`unnamed` says which lines must be read back and given to :meth:`name`.
        Called with the same batches, it learns what :meth:`observe_batch` learns, names included.

        >>> learner = SiteBoilerplate(min_docs=2)
        >>> menu = line_hashes("x.org", ["home", "sports"])
        >>> learner.observe_placed(["x.org", "x.org"], np.r_[menu, menu], np.array([2, 2]), _NO_KEYS,
        ...                        np.zeros(2, dtype=np.intp), 10)
        >>> sorted(learner.unnamed().values())
        [('x.org', 10, 0), ('x.org', 10, 1)]
        """
        sizes = np.asarray(sizes, dtype=np.intp)
        self.observe_columns(sites, hashes, sizes, keys, widths)
        if hashes.size == 0:
            return
        frequent = np.flatnonzero((hashes != 0) & (self.counts(hashes) >= self.min_docs))
        if frequent.size == 0:
            return
        starts = np.cumsum(sizes) - sizes
        pages = np.searchsorted(starts, frequent, side="right") - 1
        for at, page, h in zip(frequent.tolist(), pages.tolist(), hashes[frequent].tolist()):
            site = sites[page]
            if site and h not in self._candidates and h not in self._unnamed:
                self._unnamed[h] = (site, first_page + page, at - int(starts[page]))

    def unnamed(self) -> dict[int, tuple[str, int, int]]:
        """Lines learned by :meth:`observe_placed` whose text is not known yet: ``{hash: (site, page, line)}``."""
        return self._unnamed

    def name(self, line_hash: int, site: str, line: str) -> None:
        """Give a line found by :meth:`observe_placed` its text (as read: it is stripped here)."""
        self._unnamed.pop(line_hash, None)
        self._candidates.setdefault(line_hash, (site, line.strip()))

    def observe(self, site: str | None, text: str) -> None:
        """Count the distinct lines of one page of ``site`` (first pass), once per story: its story keys are
        those of ``text`` (a scan's, :func:`dedup.clean.site_observations`, are those of its title and text)."""
        lines = text.splitlines()
        keys = normalize_lines(lines)
        self.observe_batch([(site, line_hashes(site, keys, self.max_words), lines, story_keys(site, keys))])

    def threshold(self, site: str) -> int:
        return max(self.min_docs, math.ceil(self.min_share * self.site_stories[site]))

    def _limit(self, site: str | None) -> int:
        """The count a line of ``site`` needs to be its boilerplate; 0 while the site has too few stories to tell."""
        if not site or self.site_stories[site] < self.min_docs:
            return 0
        return self.threshold(site)

    def boilerplate_mask(self, site: str | None, hashes: np.ndarray) -> np.ndarray:
        """Which of a page's lines (by :func:`line_hashes`) are learned boilerplate of ``site``."""
        limit = self._limit(site)
        if not limit or hashes.size == 0:
            return np.zeros(hashes.size, dtype=bool)
        return (hashes != 0) & (self.counts(hashes) >= limit)

    def boilerplate_masks(self, sites: Sequence[str | None], hashes: Sequence[np.ndarray]) -> list[np.ndarray]:
        """:meth:`boilerplate_mask` of many pages (their sites and line hashes), the sketch read once for all.

        >>> learner = SiteBoilerplate(min_docs=2)
        >>> learner.observe("a.com", "Story one.\\nSubscribe")
        >>> learner.observe("a.com", "Another story.\\nSubscribe")
        >>> pages = [learner.hashes("a.com", ["News.", "Subscribe"]), learner.hashes("b.com", ["Subscribe"])]
        >>> [m.tolist() for m in learner.boilerplate_masks(["a.com", "b.com"], pages)]
        [[False, True], [False]]
        """
        limits = [self._limit(site) if h.size else 0 for site, h in zip(sites, hashes)]
        asked = [k for k, limit in enumerate(limits) if limit]
        out = [np.zeros(h.size, dtype=bool) for h in hashes]
        if not asked:
            return out
        flat = np.concatenate([hashes[k] for k in asked]).astype(np.uint64, copy=False)
        sizes = [hashes[k].size for k in asked]
        limit = np.repeat(np.array([limits[k] for k in asked], dtype=np.int64), sizes)
        found = (flat != 0) & (self.counts(flat) >= limit)
        for k, part in zip(asked, np.split(found, np.cumsum(sizes)[:-1])):
            out[k] = part
        return out

    def untouched(self, sites: Sequence[str | None], hashes: np.ndarray, sizes: np.ndarray) -> np.ndarray:
        """Which pages lose no text line to :meth:`boilerplate_masks` (``not mask[1:].any()``; the first line,
        the title, is only looked at on a page that loses one), from every page's line hashes concatenated
        (``sizes``: how many each page has).

        >>> learner = SiteBoilerplate(min_docs=2)
        >>> learner.observe("a.com", "Story one.\\nSubscribe")
        >>> learner.observe("a.com", "Another story.\\nSubscribe")
        >>> pages = [learner.hashes("a.com", ["News.", "Subscribe"]), learner.hashes("a.com", ["Subscribe", "x"])]
        >>> learner.untouched(["a.com", "a.com"], np.concatenate(pages), np.array([2, 2])).tolist()
        [False, True]
        """
        out = np.ones(len(sites), dtype=bool)
        limits = np.array([self._limit(site) for site in sites], dtype=np.int64)
        limit = np.repeat(limits, sizes)
        starts = np.cumsum(sizes) - sizes
        limit[starts[sizes > 0]] = 0  # the titles
        asked = np.flatnonzero(limit)
        if asked.size:
            lines = hashes[asked]
            found = (lines != 0) & (self.counts(lines) >= limit[asked])
            out[np.repeat(np.arange(len(sites)), sizes)[asked[found]]] = False
        return out

    def is_boilerplate(self, site: str | None, line: str) -> bool:
        return bool(self.boilerplate_mask(site, self.hashes(site, [line]))[0])

    def strip(self, site: str | None, text: str) -> tuple[str, list[Removal]]:
        """Text without the site's learned boilerplate lines (second pass), and what was removed."""
        lines = text.splitlines()
        if not site or self.site_stories[site] < self.min_docs:
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
