"""Shingle-overlap scoring of extracted article text against a ground truth.

The metric follows the one used by the Article Extraction Benchmark (our own code):

* tokens are ``\\w+`` matches (Python ``re``, Unicode-aware, so Arabic words are tokens too), lower-cased so a
  title-cased headline still matches; punctuation and whitespace are ignored entirely, which makes the score
  independent of how blocks are joined (``"\\n"`` vs ``"\\n\\n"``);
* a text becomes the multiset (``Counter``) of its 4-token shingles; a text of 1..3 tokens is one shingle of
  all its tokens, so very short texts still count;
* per page tp = |pred ∩ truth| (multiset intersection), fp = |pred - truth|, fn = |truth - pred|, normalised to
  sum to 1 (so every page weighs the same, whatever its length);
* precision = mean over pages of tp/(tp+fp), recall = mean of tp/(tp+fn), F1 = harmonic mean of the two means.

Empty cases: pred and truth both empty → precision = recall = 1 (nothing to find, nothing found);
empty pred, non-empty truth → precision = 0 and recall = 0 (an extractor must not gain precision by
returning nothing); non-empty pred, empty truth → precision = 0, recall = 1.

>>> s = page_scores("the cat sat on the mat today", "The cat sat on the mat")
>>> round(s.precision, 2), s.recall
(0.75, 1.0)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+")
SHINGLE = 4


def shingles(text: str, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """Multiset of ``n``-token shingles of ``text`` (one shingle of all tokens if fewer than ``n``)."""
    tokens = _TOKEN.findall(text.lower())
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@dataclass(slots=True)
class PageScore:
    precision: float
    recall: float


def page_scores(pred: str, truth: str) -> PageScore:
    """Precision and recall of one page (see the module docstring for the empty cases)."""
    p, t = shingles(pred or ""), shingles(truth or "")
    if not p and not t:
        return PageScore(1.0, 1.0)
    if not p:
        return PageScore(0.0, 0.0)
    if not t:
        return PageScore(0.0, 1.0)
    tp = sum((p & t).values())
    fp = sum(p.values()) - tp
    fn = sum(t.values()) - tp
    total = tp + fp + fn  # normalising to 1 changes nothing in the ratios below, but keeps pages comparable
    tp_n, fp_n, fn_n = tp / total, fp / total, fn / total
    return PageScore(tp_n / (tp_n + fp_n), tp_n / (tp_n + fn_n))


@dataclass(slots=True)
class Summary:
    precision: float
    recall: float
    f1: float
    pages: int


def summarise(scores: Iterable[PageScore]) -> Summary:
    """Mean precision and recall over pages, and their harmonic mean."""
    scores = list(scores)
    if not scores:
        return Summary(0.0, 0.0, 0.0, 0)
    prec = sum(s.precision for s in scores) / len(scores)
    rec = sum(s.recall for s in scores) / len(scores)
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return Summary(prec, rec, f1, len(scores))


# --- trafilatura's snippet metric (its evaluation set: snippets that must and must not appear) ------------


@dataclass(slots=True)
class SnippetCounts:
    """Per page: ``with`` snippets found (tp) and missing (fn), ``without`` snippets found (fp), absent (tn)."""

    tp: int
    fn: int
    fp: int
    tn: int

    @property
    def f1(self) -> float:
        """This page's F1 (for listing the worst pages; the set's figure sums the counts first)."""
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0


def snippet_counts(pred: str, with_: list[str], without: list[str]) -> SnippetCounts:
    """Trafilatura's evaluation of one page: whitespace-normalised, case-sensitive substring tests.

    >>> snippet_counts("The  council\\nmet on Tuesday. Share this", ["council met on", "budget"], ["Share this"])
    SnippetCounts(tp=1, fn=1, fp=1, tn=0)
    """
    text = " ".join((pred or "").split())
    found = [" ".join(s.split()) in text for s in with_]
    leaked = [" ".join(s.split()) in text for s in without]
    return SnippetCounts(sum(found), len(found) - sum(found), sum(leaked), len(leaked) - sum(leaked))


def summarise_snippets(counts: Iterable[SnippetCounts]) -> Summary:
    """Precision tp/(tp+fp), recall tp/(tp+fn) and F1 over the counts summed over pages (as trafilatura's
    own evaluation does; tn does not enter)."""
    counts = list(counts)
    tp = sum(c.tp for c in counts)
    fp = sum(c.fp for c in counts)
    fn = sum(c.fn for c in counts)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return Summary(prec, rec, f1, len(counts))
