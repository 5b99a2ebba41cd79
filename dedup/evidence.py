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
* *facts*: whether each text states a figure or date the other never states (template siblings and follow-ups
  change facts on both sides; a rewrite adds or drops some on one side only), and the template test's own
  fact substitutions.

The decision (:func:`rewrite_evidence`), thresholds in :class:`RewriteOptions` (``rewrite_*`` in the settings):
a candidate pair below the shingle thresholds is a *rewrite* (a duplicate link) when its 3-gram containment
reaches ``containment``, one text covers the other (the coverage rule: no other pair could merge), and words,
title, ordered and facts all agree. The steps run cheapest first and stop at the first that fails, so the word
alignment runs only on the few pairs that pass the others. Chosen on the first half of the labelled dev pairs
(README, "Defaults, and why"): every TEMPLATE and SAME_EVENT pair stays apart.

>>> import numpy as np
>>> from dedup.fingerprint import content_words
>>> from dedup.templates import Analysed
>>> a = "اعلنت الامانه ترسيه عقود سفلته الطرق في مكه بقيمه 197 مليون ريال لتنفيذ المخططات الجديده في الشرايع"
>>> b = "ترسيه عقود سفلته الطرق في مكه المكرمه بقيمه 197 مليون ريال لتنفيذ المخططات في الشرايع حسب الامانه"
>>> texts = lambda: (Analysed(a.split()), Analysed(b.split()))
>>> ev = rewrite_evidence(0.3, content_words(a), content_words(b), "", "", texts, RewriteOptions())
>>> ev.rewrite, ev.reason
(True, 'rewrite')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from dedup.fingerprint import coverage as covers
from dedup.templates import DUPLICATE, Analysed, explain


@dataclass(frozen=True, slots=True)
class RewriteOptions:
    """Thresholds of the rewrite decision (see the module docstring); ``enabled=False`` turns it off."""

    enabled: bool = True
    containment: float = 0.3  # 3-gram containment floor: below it two texts share too little phrasing to judge
    words: float = 0.65  # share of the shorter text's distinct content words found in the other
    title: float = 0.55  # title agreement (0-1), when both documents have a title
    ordered: float = 0.55  # share of the shorter text in same-order stretches of two or more words
    coverage: float = 0.75  # one text must cover the other (the coverage rule's threshold)


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
    coverages: tuple[float, float] | None = None  # (a by b, b by a), for the link

    def describe(self) -> str:
        """One line for ``--explain``.

        >>> Evidence(True, "rewrite", 1.0, 0.8, None, 0.6, (0, 2)).describe()
        'rewrite: coverage 1.00, words 0.80, ordered 0.60, new facts 0/2'
        """
        parts = [f"{name} {value:.2f}" for name, value in self._scores() if value is not None]
        if self.new_facts is not None:
            parts.append("new facts {}/{}".format(*self.new_facts))
        return f"{self.reason}: " + ", ".join(parts)

    def _scores(self) -> list[tuple[str, float | None]]:
        return [("coverage", self.coverage), ("words", self.words), ("title", self.title), ("ordered", self.ordered)]


def word_overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the distinct content words (:func:`dedup.fingerprint.content_words`) of the text with fewer of
    them that the other text has, in any order.

    >>> from dedup.fingerprint import content_words
    >>> round(word_overlap(content_words("port strike enters third day"), content_words("day three of strike")), 2)
    0.67
    """
    ua, ub = np.unique(a), np.unique(b)
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


def _new_facts(x: Analysed, y: Analysed) -> int:
    """Figures and dates of ``x`` that ``y`` states nowhere (names are left out: spellings vary)."""
    return sum(1 for f in dict.fromkeys(x.facts) if f is not None and f.kind != "name" and not y.statements.states(f))


def rewrite_evidence(
    containment: float,
    words_a: np.ndarray,
    words_b: np.ndarray,
    title_a: str,
    title_b: str,
    texts: Callable[[], tuple[Analysed, Analysed]] | None,
    options: RewriteOptions,
) -> Evidence:
    """The rewrite decision for a pair below the shingle thresholds (see the module docstring).

    ``containment``: 3-gram containment; ``words_*``: content words (:func:`dedup.fingerprint.content_words`);
    ``title_*``: normalised titles; ``texts``: gives the two texts prepared for the template test, read only
    when the cheaper tests pass (``None``: templates off, the order and facts tests are left out).
    """
    if containment < options.containment:
        return Evidence(False, "containment")
    cov = (round(covers(words_a, words_b), 4), round(covers(words_b, words_a), 4))
    coverage = max(cov)
    if coverage < options.coverage:
        return Evidence(False, "coverage", coverage, coverages=cov)
    words = word_overlap(words_a, words_b)
    if words < options.words:
        return Evidence(False, "words", coverage, words, coverages=cov)
    title = title_agreement(title_a, title_b)
    if title is not None and title < options.title:
        return Evidence(False, "title", coverage, words, title, coverages=cov)
    if texts is None:
        return Evidence(True, "rewrite", coverage, words, title, coverages=cov)
    text_a, text_b = texts()
    rel = explain(text_a, text_b)
    if rel.kind != DUPLICATE:
        return Evidence(False, rel.kind, coverage, words, title, rel.ordered, coverages=cov)
    if rel.ordered < options.ordered:
        return Evidence(False, "ordered", coverage, words, title, rel.ordered, coverages=cov)
    new = (_new_facts(text_a, text_b), _new_facts(text_b, text_a))
    if new[0] and new[1]:
        return Evidence(False, "facts", coverage, words, title, rel.ordered, new, coverages=cov)
    return Evidence(True, "rewrite", coverage, words, title, rel.ordered, new, coverages=cov)
