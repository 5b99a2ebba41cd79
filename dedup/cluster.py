"""Verify candidate pairs, group duplicates into clusters and choose the copy that survives.

LSH only proposes pairs; every pair is verified on the exact shingle sets: a *duplicate* when their Jaccard
similarity reaches ``threshold`` or when the smaller one is contained in the larger at ``containment`` or more
(a trimmed republication of a longer article). Pairs whose differing words are facts in the same formula
(numbers, dates, names: "relief plane number 4" and "number 5") are *template siblings*: reported, never merged.

Clusters are stars around the copy that survives, never chains: documents are visited in keep-priority order
and each unassigned one becomes a centre that takes its unassigned verified duplicates. Every member is therefore
a verified duplicate of the kept copy itself, so a chain A~B~C of weak links cannot put unrelated A and C together.

>>> links = [Link(0, 1, 0.9, 0.95), Link(1, 2, 0.6, 0.7)]
>>> [(c.keep, [m for m, _ in c.members]) for c in star_clusters(3, links, order=[0, 1, 2])]
[(0, [0, 1])]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from dedup.document import DocInfo
from dedup.fingerprint import jaccard_containment

DUPLICATE = "duplicate"
TEMPLATE = "template"
# The verification defaults, shared by batch scans (settings.Settings) and persistent indexes (store): chosen on
# the labelled SaudiNewsNet pairs (README, "Defaults, and why").
DEFAULT_THRESHOLD = 0.5
DEFAULT_CONTAINMENT = 0.55


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """Thresholds applied to every candidate pair on its exact shingle sets."""

    threshold: float = DEFAULT_THRESHOLD  # Jaccard
    containment: float = DEFAULT_CONTAINMENT  # overlap over the smaller set
    # Containment on tiny sets is noise (a 10-shingle brief is "contained" in many articles).
    min_containment_shingles: int = 40


@dataclass(frozen=True, slots=True)
class Link:
    """A verified pair: indexes into the run's documents, exact similarities, and what the pair is."""

    a: int
    b: int
    jaccard: float
    containment: float
    relation: str = DUPLICATE

    @property
    def similarity(self) -> float:
        """The larger of Jaccard and containment: the score the pair qualified on."""
        return max(self.jaccard, self.containment)


@dataclass(slots=True)
class Cluster:
    """A kept document and its duplicates; ``members`` includes the kept one (similarity 1.0) first."""

    keep: int
    members: list[tuple[int, float]] = field(default_factory=list)
    siblings: list[tuple[int, int, float]] = field(default_factory=list)  # template siblings (a, b, similarity)


def verify(
    pairs: np.ndarray,
    shingles: Sequence[np.ndarray],
    options: VerifyOptions = VerifyOptions(),
    relation_of=None,
    scores: list[float] | None = None,
) -> list[Link]:
    """Links for the candidate ``pairs`` that pass verification.

    ``scores``, when given, receives the similarity (the larger of Jaccard and containment) of every candidate
    pair, passed or not: the distribution a report needs to show whether the threshold sits in a valley.

    ``relation_of(a, b)`` (optional) tells a duplicate from a template sibling; pairs that reach the thresholds
    are kept either way so that siblings can be reported. Any other answer (``"different"``: the texts share
    fragments, such as quotes, but not one text in order; see :mod:`dedup.relation`) drops the pair.
    """
    links = []
    for a, b in pairs.tolist():
        sa, sb = shingles[a], shingles[b]
        jac, con = jaccard_containment(sa, sb)
        if scores is not None:
            scores.append(max(jac, con))
        small = min(sa.size, sb.size)
        if jac < options.threshold and not (con >= options.containment and small >= options.min_containment_shingles):
            continue
        relation = relation_of(a, b) if relation_of is not None else DUPLICATE
        if relation not in (DUPLICATE, TEMPLATE):
            # The relation test found the shared text to be fragments (quotes in another order), not one text.
            continue
        links.append(Link(a, b, round(jac, 4), round(con, 4), relation))
    return links


def star_clusters(n: int, links: Sequence[Link], order: Sequence[int]) -> list[Cluster]:
    """Group ``n`` documents into star clusters around the best-ranked copy (``order`` = keep priority).

    Only duplicate links merge; template links are attached to the cluster of their first document (or a
    cluster of their own) as siblings, for reports.
    """
    rank = np.empty(n, dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(n)
    neighbours: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for link in links:
        if link.relation == DUPLICATE:
            neighbours[link.a].append((link.b, link.similarity))
            neighbours[link.b].append((link.a, link.similarity))
    assigned: dict[int, int] = {}
    clusters: list[Cluster] = []
    for centre in order:
        if centre in assigned or centre not in neighbours:
            continue
        members = sorted(
            ((m, s) for m, s in neighbours[centre] if m not in assigned),
            key=lambda ms: (-ms[1], rank[ms[0]]),
        )
        if not members:
            continue
        cluster = Cluster(keep=centre, members=[(centre, 1.0), *members])
        for m, _ in cluster.members:
            assigned[m] = len(clusters)
        clusters.append(cluster)
    return clusters



def attach_strays(
    clusters: list[Cluster],
    links: Sequence[Link],
    similarity_to: Callable[[int, int], float],
    order: Sequence[int],
    strong: float = 0.6,
    floor: float = 0.3,
) -> None:
    """Put a document left out of every cluster into the cluster of a member it duplicates.

    A star leaves a document C out when C duplicates member B but was not linked to the kept copy A (B kept its
    own wording of sentences C changed, or C is a trimmed copy of B), and B was taken before C could become a
    centre. C joins B's cluster when its link to B reaches ``strong`` and C still shares at least ``floor`` of
    its text with A itself (``similarity_to(C, A)``, which is also the similarity reported), so a chain of weak
    links still never joins unrelated stories.

    >>> clusters = [Cluster(0, [(0, 1.0), (1, 0.9)])]
    >>> attach_strays(clusters, [Link(1, 2, 0.85, 0.9)], lambda a, b: 0.45, order=[0, 1, 2])
    >>> clusters[0].members
    [(0, 1.0), (1, 0.9), (2, 0.45)]
    """
    where = {m: k for k, c in enumerate(clusters) for m, _ in c.members}
    best: dict[int, list[tuple[float, int]]] = {}
    for link in links:
        if link.relation != DUPLICATE or link.similarity < strong:
            continue
        for stray, member in ((link.a, link.b), (link.b, link.a)):
            if stray not in where and member in where:
                best.setdefault(stray, []).append((link.similarity, member))
    for stray in (d for d in order if d in best):
        # The strongest link whose cluster's kept copy the stray also resembles.
        for _, member in sorted(best[stray], key=lambda sm: (-sm[0], sm[1])):
            k = where[member]
            sim = similarity_to(stray, clusters[k].keep)
            if sim >= floor:
                clusters[k].members.append((stray, sim))
                where[stray] = k
                break


def exact_groups(infos: Sequence[DocInfo], order: Sequence[int]) -> dict[int, list[int]]:
    """Exact copies (equal normalised-text digests): the best-ranked of each group maps to the other members."""
    representative: dict[str, int] = {}
    groups: dict[int, list[int]] = {}
    for i in order:
        if infos[i].words == 0:
            continue
        rep = representative.setdefault(infos[i].digest, i)
        groups.setdefault(rep, [])
        if rep != i:
            groups[rep].append(i)
    return groups


def expand_exact(clusters: list[Cluster], groups: dict[int, list[int]], order: Sequence[int]) -> list[Cluster]:
    """Put exact copies where their representative is (a new cluster when it is in none)."""
    where = {m: (k, sim) for k, c in enumerate(clusters) for m, sim in c.members}
    for rep, copies in groups.items():
        if not copies:
            continue
        if rep in where:
            k, sim = where[rep]
            clusters[k].members.extend((c, sim) for c in copies)
        else:
            clusters.append(Cluster(keep=rep, members=[(rep, 1.0), *((c, 1.0) for c in copies)]))
    rank = {d: r for r, d in enumerate(order)}
    clusters.sort(key=lambda c: rank[c.keep])
    return clusters


def attach_siblings(clusters: list[Cluster], links: Sequence[Link]) -> None:
    """Attach each template-sibling link to the cluster of one of its documents (for reports)."""
    where = {m: k for k, c in enumerate(clusters) for m, _ in c.members}
    for link in links:
        if link.relation == TEMPLATE:
            k = where.get(link.a, where.get(link.b))
            if k is not None:
                clusters[k].siblings.append((link.a, link.b, link.similarity))


def keep_order(infos: Sequence[DocInfo], keep: str, prefer: Sequence[str] = ()) -> list[int]:
    """Document indexes, best candidate to survive first.

    ``first``: input order. ``longest``: most words. ``earliest``: oldest ``date`` (undated last).
    ``source``: documents from the ``prefer`` sources, in that order, before the rest.
    Ties always fall back to input order, so results are deterministic.
    """
    n = len(infos)
    if keep == "longest":
        return sorted(range(n), key=lambda i: (-infos[i].words, i))
    if keep == "earliest":
        return sorted(range(n), key=lambda i: (infos[i].date is None, infos[i].date or "", i))
    if keep == "source":
        pos = {src.lower(): k for k, src in enumerate(prefer)}
        return sorted(range(n), key=lambda i: (pos.get((infos[i].source or "").lower(), len(pos)), i))
    return list(range(n))
