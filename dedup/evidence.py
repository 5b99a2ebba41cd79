"""Evidence beyond whole-document shingles: tell a rewrite of a story from a look-alike.

A press release re-run by another paper (the intro rewritten, paragraphs moved, a paragraph added, the agency's
version condensed) shares only 15-35% of its word 3-grams with the original, below the shingle thresholds that
make a duplicate (:class:`dedup.cluster.VerifyOptions`). So do two reports written independently about one event,
and two template siblings (same formula, other facts). Whole-document similarity cannot tell them apart; these
do, on the pairs LSH proposes:

* *words*: the share of the shorter text's distinct content words that the other text uses, in any order (a
  rewrite keeps the vocabulary of the story: its names, places and figures);
* *title*: agreement of the two titles (token-set ratio of the normalised titles), when both have one;
* *ordered*: the share of the shorter text lying in stretches of two or more words that the word alignment of the
  template test (:mod:`dedup.templates`) finds in the same order in the other: independent reports share names and
  quotes, not their order;
* *passages*: the share of the shorter text in passages of ten content words half of which the other text has
  side by side (:func:`passage_alignment`): a rewrite rewords each sentence in place, wherever the paragraph
  went; independent reports share names and figures scattered over the text;
* *facts*: whether each text states a figure or date the other never states (template siblings and follow-ups
  change facts on both sides; a rewrite adds or drops some on one side only), and the template test's own
  fact substitutions; on the passage route also names after a title ("اللواء ...", "محافظه ...").

The decision (:func:`rewrite_evidence`), thresholds in :class:`RewriteOptions` (``rewrite_*`` in the settings):
a candidate pair below the shingle thresholds is a *rewrite* (a duplicate link) when its 3-gram containment
reaches ``containment``, the titles agree, the words agree, one text covers the other (the coverage rule: no
other pair could merge), the template test finds no changed fact, and either

* the titles agree (``title``) and the text runs in the same order (``ordered``): the *order route*, or
* the passages align (``local``), neither text is over :data:`LOCAL_RATIO` times the other, neither names
  someone after a title that the other never writes, and the titles share something (``local_title``: two
  unrelated Arabic headlines agree at 0.35-0.40, so this stops only headlines with nothing in common): the
  *passage route*, for a release re-run with its paragraphs moved or under another paper's headline;

and not both texts state figures the other lacks. The steps run cheapest first and stop at the first that
fails, so the word alignment runs only on the few pairs that pass the others. The order route was chosen on the
132 labelled dev pairs of shared/ and a reading of links it adds on the dev month; the passage route, the
containment floor 0.25 and the approximate figures of :mod:`dedup.facts` on the tune part (two thirds, by CRC32
of the ids) of the 612 labelled pairs, kept because the held part did not lose (BENCHMARKS.md, issue #17).

>>> import numpy as np
>>> from dedup.fingerprint import content_words
>>> from dedup.templates import Analysed
>>> a = "اعلنت الامانه ترسيه عقود سفلته الطرق في مكه بقيمه 197 مليون ريال لتنفيذ المخططات الجديده في الشرايع"
>>> b = "ترسيه عقود سفلته الطرق في مكه المكرمه بقيمه 197 مليون ريال لتنفيذ المخططات في الشرايع حسب الامانه"
>>> texts = (Analysed(a.split()), Analysed(b.split()))
>>> ev = rewrite_evidence(0.3, content_words(a), content_words(b), "", "", texts, RewriteOptions())
>>> ev.rewrite, ev.reason
(True, 'rewrite')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from rapidfuzz import fuzz

from dedup.facts import RELATIVE_DAYS
from dedup.fingerprint import coverage as covers
from dedup.normalize import NormalizeOptions, normalize
from dedup.stage_options import RewriteOptions
from dedup.templates import DUPLICATE, TEMPLATE, Analysed, explain

# Passages of this many content words for :func:`passage_alignment` (about a sentence of news prose), looked for
# in stretches one and a half times as long (a rewrite pads or trims a sentence; longer stretches let scattered
# words of a short text pass by chance).
PASSAGE = 10
# The passage route is not taken when one text has more than this many times the other's content words: in a
# long text, some stretch shares half of almost any passage's words by chance.
LOCAL_RATIO = 8


class RewriteSettings(Protocol):
    """The ``rewrite_*`` knobs, as :class:`dedup.settings.Settings` and the index's recorded settings name them."""

    @property
    def rewrite_containment(self) -> float: ...
    @property
    def rewrite_words(self) -> float: ...
    @property
    def rewrite_title(self) -> float: ...
    @property
    def rewrite_ordered(self) -> float: ...
    @property
    def coverage(self) -> float: ...
    @property
    def rewrite_passages(self) -> float: ...
    @property
    def rewrite_passage_title(self) -> float: ...


def rewrite_options_of(settings: RewriteSettings, enabled: bool) -> RewriteOptions:
    """The rewrite decision's thresholds from settings that name them ``rewrite_*``: the one mapping, so that a
    run and an index built with the same settings decide alike.

    >>> from types import SimpleNamespace as S
    >>> knobs = S(rewrite_containment=0.3, rewrite_words=0.6, rewrite_title=0.5, rewrite_ordered=0.5,
    ...           coverage=0.75, rewrite_passages=0.7, rewrite_passage_title=0.3)
    >>> rewrite_options_of(knobs, True).containment, rewrite_options_of(knobs, False).enabled
    (0.3, False)
    """
    return RewriteOptions(
        enabled,
        settings.rewrite_containment,
        settings.rewrite_words,
        settings.rewrite_title,
        settings.rewrite_ordered,
        settings.coverage,
        local=settings.rewrite_passages,
        local_title=settings.rewrite_passage_title,
    )


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the rewrite decision saw for one pair (``None``: not computed, an earlier step decided)."""

    rewrite: bool
    reason: str  # "rewrite", or the first test that failed
    coverage: float | None = None
    words: float | None = None
    title: float | None = None
    ordered: float | None = None
    new_facts: tuple[int, int] | None = None  # figures/dates each text states that the other never does
    coverages: tuple[float, float] | None = None  # (a by b, b by a), for the link (a rewrite's only)
    # Left out of repr (describe() shows them), so that reprs written before the passage route still read the same.
    local: float | None = field(default=None, repr=False)  # passage alignment (when order or title alone fails)
    new_names: tuple[int, int] | None = field(default=None, repr=False)  # names after a title only one text has

    def on_order_route(self) -> bool:
        """Whether a rewrite was linked on the order route with both titles measured (not on the passage route,
        nor without titles): the only route a brief under :attr:`dedup.cluster.VerifyOptions.min_containment_shingles`
        is linked on, since a few shared words place a short text anywhere in a long one.

        >>> Evidence(True, "rewrite", 1.0, 0.95, 1.0, 0.85, (1, 0)).on_order_route()
        True
        """
        return self.rewrite and self.title is not None and self.ordered is not None and self.local is None

    def describe(self) -> str:
        """One line for ``--explain``.

        >>> Evidence(True, "rewrite", 1.0, 0.8, None, 0.6, (0, 2)).describe()
        'rewrite: coverage 1.00, words 0.80, ordered 0.60, new facts 0/2'
        """
        parts = [f"{name} {value:.2f}" for name, value in self._scores() if value is not None]
        if self.new_facts is not None:
            parts.append("new facts {}/{}".format(*self.new_facts))
        if self.new_names is not None:
            parts.append("new names {}/{}".format(*self.new_names))
        return f"{self.reason}: " + ", ".join(parts)

    def _scores(self) -> list[tuple[str, float | None]]:
        return [
            ("coverage", self.coverage),
            ("words", self.words),
            ("title", self.title),
            ("ordered", self.ordered),
            ("passages", self.local),
        ]


def word_overlap(a: np.ndarray, b: np.ndarray, distinct: bool = False) -> float:
    """Share of the distinct content words (:func:`dedup.fingerprint.content_words`) of the text with fewer of
    them that the other text has, in any order (``distinct``: each array holds its words once, sorted).

    >>> from dedup.fingerprint import content_words
    >>> round(word_overlap(content_words("port strike enters third day"), content_words("day three of strike")), 2)
    0.67
    """
    ua, ub = (a, b) if distinct else (np.unique(a), np.unique(b))
    small, large = (ua, ub) if ua.size <= ub.size else (ub, ua)
    if small.size == 0:
        return 0.0
    return float(np.isin(small, large, assume_unique=True).sum() / small.size)


def title_agreement(a: str, b: str) -> float | None:
    """Token-set agreement (0-1) of two normalised titles; ``None`` when either is missing.

    >>> title_agreement("امير مكه يفتتح معرض الفيصل", "امير مكه يرعي افتتاح معرض الفيصل بالطايف")
    0.8696
    """
    if not a or not b:
        return None
    return round(fuzz.token_set_ratio(a, b) / 100, 4)


def passage_alignment(
    a: np.ndarray, b: np.ndarray, passage: int = PASSAGE, need: float = 0.5, span: int | None = None
) -> float:
    """Share of the content words (:func:`dedup.fingerprint.content_words`, in text order) of the text with fewer
    of them lying in passages of ``passage`` words at least ``need`` of which the other text has *together*,
    within some stretch of ``span`` of its content words (default one and a half passages; stretches start every
    ``passage // 2`` words).

    A rewrite rewords each sentence of its source in place: a passage keeps most of its words side by side in
    the other text, wherever the paragraph was moved to. Two reports written independently share names and
    figures scattered over the text: their passages find their words in the other text, but not together.

    >>> from dedup.fingerprint import content_words
    >>> src = content_words("the port strike entered its third day on monday as unions rejected the offer")
    >>> moved = content_words("unions rejected the latest offer and the port strike entered a third day monday")
    >>> passage_alignment(src, moved, passage=4)
    1.0
    >>> scattered = content_words("strike talk on monday then weather news then unions elsewhere and the offer")
    >>> passage_alignment(src, scattered, passage=4) < 0.5
    True
    """
    small, large = (a, b) if a.size <= b.size else (b, a)
    if small.size == 0 or large.size == 0:
        return 0.0
    span, step = span or passage * 3 // 2, max(1, passage // 2)
    # hits[i, k]: word i of the smaller text occurs in stretch k of the larger one (prefix sums of the matches)
    matches = small[:, None] == large[None, :]
    sums = np.zeros((small.size, large.size + 1), dtype=np.int32)
    np.cumsum(matches, axis=1, out=sums[:, 1:])
    starts = np.arange(0, max(1, large.size - span + 1), step)
    hits = (sums[:, np.minimum(starts + span, large.size)] - sums[:, starts]) > 0
    aligned = 0
    for i in range(0, small.size, passage):
        block = hits[i : i + passage]
        if block.sum(axis=0).max() >= need * block.shape[0]:
            aligned += block.shape[0]
    return aligned / small.size


def _new_facts(x: Analysed, y: Analysed) -> int:
    """Figures and dates of ``x`` that ``y`` states nowhere (names are left out: spellings vary). Dates are left
    out too when ``y`` tells days relatively ("امس", "اليوم", "yesterday"): a rewrite turns "on 26 July" and
    "Sunday 10 Shawwal" into "yesterday" as the day of its own publication requires."""
    relative: bool | None = None  # read only for a date that y does not state: most pairs have none
    count = 0
    for f in dict.fromkeys(x.facts):
        if f is None or f.kind == "name" or y.statements.states(f):
            continue
        if f.kind == "date":
            if relative is None:
                # The bare words first: the adjacent pairs of spellings.bare cost twice as much to build.
                spellings = y.spellings
                relative = not RELATIVE_DAYS.isdisjoint(spellings.words) or not RELATIVE_DAYS.isdisjoint(spellings.bare)
            if relative:
                continue
        count += 1
    return count


def _new_names(x: Analysed, y: Analysed) -> int:
    """Names after a title in ``x`` that ``y`` writes nowhere, in any spelling close enough
    (:class:`dedup.templates.Analysed`'s spellings)."""
    return sum(
        1
        for f in dict.fromkeys(x.facts)
        if f is not None and f.kind == "name" and not all(y.spellings.has(v) for v in f.values)
    )


class RewriteJudge:
    """The rewrite decision over a run's documents, for pairs below the shingle thresholds (see the module
    docstring): ``judge(a, b, containment)`` gives the pair's :class:`Evidence`.

    ``words(i)``: content words (:func:`dedup.fingerprint.content_words`); ``title(i)``: the normalised title
    ("" when none); ``texts(i)``: the text prepared for the template test (``None``: templates off, the order and
    facts tests are left out). A document is in as many pairs as it has look-alikes: its distinct words and title
    are kept for the next pair (the last :data:`CACHE` documents).
    """

    CACHE = 4096

    def __init__(
        self,
        options: RewriteOptions,
        words: Callable[[int], np.ndarray],
        title: Callable[[int], str],
        texts: Callable[[int], Analysed] | None,
    ) -> None:
        self.options = options
        self._words, self._title, self._texts = words, title, texts
        self._distinct: dict[int, np.ndarray] = {}
        self._titles: dict[int, str] = {}

    @property
    def least_containment(self) -> float:
        """Pairs contained less than this are refused whatever else they share (the first test of a call): a
        caller with many candidates (:func:`dedup.cluster.verify`) need not ask about those."""
        return self.options.containment

    def _cached(self, cache: dict, i: int, make: Callable[[], object]) -> object:
        found = cache.get(i)
        if found is None:
            if len(cache) >= self.CACHE:
                cache.clear()
            found = cache[i] = make()
        return found

    def __call__(self, a: int, b: int, containment: float) -> Evidence:
        o = self.options
        if containment < o.containment:
            return Evidence(False, "containment")
        # Cheapest first: titles and distinct words are kept per document, coverage and alignment are not.
        ta = self._cached(self._titles, a, lambda: self._title(a))
        tb = self._cached(self._titles, b, lambda: self._title(b))
        title = title_agreement(ta, tb)  # type: ignore[arg-type]
        if title is not None and title < min(o.title, o.local_title):
            return Evidence(False, "title", title=title)
        wa, wb = self._words(a), self._words(b)
        da = self._cached(self._distinct, a, lambda: np.unique(wa))
        db = self._cached(self._distinct, b, lambda: np.unique(wb))
        words = word_overlap(da, db, distinct=True)  # type: ignore[arg-type]
        if words < o.words:
            return Evidence(False, "words", None, words, title)
        # The text with fewer words is the one likely covered: the other direction only when needed.
        coverage = covers(wa, wb) if wa.size <= wb.size else covers(wb, wa)
        if coverage < o.coverage:
            coverage = max(coverage, covers(wb, wa) if wa.size <= wb.size else covers(wa, wb))
            if coverage < o.coverage:
                return Evidence(False, "coverage", round(coverage, 4), words, title)
        coverage = round(coverage, 4)
        titled = title is None or title >= o.title
        ordered, new, local, names = None, None, None, None
        if not titled:
            # Only the passage route is open, and its alignment costs less than the template test's.
            local = self._local(wa, wb)
            if local < o.local or self._texts is None:
                return Evidence(False, "title", coverage, words, title, local=local)
        if self._texts is not None:
            text_a, text_b = self._texts(a), self._texts(b)
            rel = explain(text_a, text_b)
            ordered = rel.ordered
            if rel.kind == TEMPLATE:
                return Evidence(False, rel.kind, coverage, words, title, ordered, local=local)
            if not (titled and rel.kind == DUPLICATE and ordered >= o.ordered):
                # The passage route: a reworded copy with its paragraphs moved, or under another headline.
                if local is None:
                    local = self._local(wa, wb)
                    if local < o.local:
                        reason = "ordered" if rel.kind == DUPLICATE else rel.kind
                        return Evidence(False, reason, coverage, words, title, ordered, local=local)
                names = (_new_names(text_a, text_b), _new_names(text_b, text_a))
                if names[0] and names[1]:
                    return Evidence(False, "names", coverage, words, title, ordered, local=local, new_names=names)
            new = (_new_facts(text_a, text_b), _new_facts(text_b, text_a))
            if new[0] and new[1]:
                return Evidence(False, "facts", coverage, words, title, ordered, new, local=local, new_names=names)
        cov = (round(covers(wa, wb), 4), round(covers(wb, wa), 4))
        return Evidence(True, "rewrite", max(cov), words, title, ordered, new, cov, local, names)

    def _local(self, wa: np.ndarray, wb: np.ndarray) -> float:
        """:func:`passage_alignment`, 0 when one text has over :data:`LOCAL_RATIO` times the other's words."""
        if max(wa.size, wb.size) > LOCAL_RATIO * max(1, min(wa.size, wb.size)):
            return 0.0
        return round(passage_alignment(wa, wb), 4)


def judge_with_titles(
    options: RewriteOptions,
    words: Callable[[int], np.ndarray],
    titles: Sequence[str | None] | None,
    normalized: NormalizeOptions,
    texts: Callable[[int], Analysed] | None,
) -> RewriteJudge:
    """A :class:`RewriteJudge` over documents whose ``titles`` are as read: each normalised as the texts were
    (``normalized``), ``""`` when there is none (or no titles at all). Scan, index and Spark build it alike."""

    def title(i: int) -> str:
        return normalize(titles[i] or "", normalized) if titles is not None else ""

    return RewriteJudge(options, words, title, texts)


def rewrite_evidence(
    containment: float,
    words_a: np.ndarray,
    words_b: np.ndarray,
    title_a: str,
    title_b: str,
    texts: tuple[Analysed, Analysed] | None,
    options: RewriteOptions,
) -> Evidence:
    """The rewrite decision for one pair (:class:`RewriteJudge` over two documents)."""
    words, titles = (words_a, words_b), (title_a, title_b)
    judge = RewriteJudge(options, words.__getitem__, titles.__getitem__, texts.__getitem__ if texts else None)
    return judge(0, 1, containment)
