"""Verify candidate pairs, group duplicates into clusters and choose the copy that survives.

LSH only proposes pairs; every pair is verified on the exact shingle sets: a *duplicate* when their Jaccard
similarity reaches ``threshold`` or when the smaller one is contained in the larger at ``containment`` or more
(a trimmed republication of a longer article). Pairs whose differing words are facts in the same formula
(numbers, dates, names: "relief plane number 4" and "number 5") are *template siblings*: reported, never merged.

Nothing is removed that the kept copy does not already say (the *coverage rule*): a document joins a cluster only
when the kept copy *covers* it, i.e. at least ``coverage`` of its content words lie in passages the kept copy has
(:func:`dedup.fingerprint.coverage`). Two documents that cover each other are *copies*, and ``--keep`` chooses
between them; a document covered by a longer one that it does not cover (a story inside a round-up, a brief inside
the feature) is *contained*, and the longer one is kept whatever ``--keep`` says. A pair where neither covers the
other (a follow-up that repeats its predecessor's background paragraph) is never merged.

Clusters are stars around the copy that survives, never chains: in keep-priority order each unassigned document
becomes a centre taking its unassigned verified duplicates, so a chain A~B~C of weak links never joins A and C.

>>> links = [Link(0, 1, 0.9, 0.95), Link(1, 2, 0.6, 0.7)]
>>> [(c.keep, [m for m, _ in c.members]) for c in star_clusters(3, links, order=[0, 1, 2])]
[(0, [0, 1])]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from dedup.fingerprint import COVERAGE_WINDOW, coverage
from dedup.links import (  # noqa: F401 (re-exported: callers import them from here)
    CONTAINED,
    COPY,
    DEFAULT_CONTAINMENT,
    DEFAULT_COVERAGE,
    DEFAULT_THRESHOLD,
    DUPLICATE,
    TEMPLATE,
    UNCHECKED,
    Cluster,
    Link,
    VerifyOptions,
)
from dedup.pairwise import pair_coverages, pair_similarities
from dedup.ranking import exact_groups, keep_order  # noqa: F401 (re-exported)
from dedup.strays import attach_strays  # noqa: F401 (re-exported)

if TYPE_CHECKING:
    from dedup.evidence import Evidence


def verify(
    pairs: np.ndarray,
    shingles: Sequence[np.ndarray],
    options: VerifyOptions = VerifyOptions(),  # noqa: B008 (frozen: never changed)
    relation_of=None,
    scores: list[float] | None = None,
    words: Sequence[np.ndarray] | None = None,
    rewrite_of: Callable[[int, int, float], Evidence] | None = None,
) -> list[Link]:
    """Links for the candidate ``pairs`` that pass verification.

    ``scores``, when given, receives the similarity (the larger of Jaccard and containment) of every candidate
    pair, passed or not: the distribution a report needs to show whether the threshold sits in a valley.
    ``relation_of(a, b)`` (optional) tells a duplicate from a template sibling (both kept, siblings for reports);
    :data:`UNCHECKED` keeps the pair undecided (with its coverages); any other answer (``"different"``: shared
    fragments, such as quotes, not one text in order; see :mod:`dedup.templates`) drops the pair. ``words``
    (each document's :func:`dedup.fingerprint.content_words`) gives each duplicate link its coverage both ways,
    which the clustering reads (the coverage rule); without it both are 1.0.

    ``rewrite_of(a, b, containment)`` (optional) decides the pairs below the thresholds whose smaller set has
    ``min_containment_shingles`` or more (:func:`dedup.evidence.rewrite_evidence`): a rewrite becomes a duplicate
    link carrying its :class:`~dedup.evidence.Evidence` (and the coverages it measured). A *brief* (from
    ``min_short_shingles`` up to ``min_containment_shingles``: a release's lead sentence run alone) contained at
    ``containment`` is judged too, and linked only on the order route (titles agree, text in the same order).
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    # Similarities of the whole chunk at once (each set read once); then only the pairs that can become links
    # are looked at one by one: most candidates are chance collisions, under every threshold.
    jac_all, con_all, small_all = pair_similarities(pairs, shingles)
    if scores is not None:
        scores.extend(np.maximum(jac_all, con_all).tolist())
    passed = (jac_all >= options.threshold) | (
        (con_all >= options.containment) & (small_all >= options.min_containment_shingles)
    )
    look = passed
    if rewrite_of is not None:
        below = (small_all >= options.min_containment_shingles) | (
            (small_all >= options.min_short_shingles) & (con_all >= options.containment)
        )  # judged_below
        # A judge that refuses every pair contained less than its floor (dedup.evidence.RewriteJudge) is not asked.
        below &= con_all >= getattr(rewrite_of, "least_containment", 0.0)
        look = passed | below
    links = []
    chosen = np.flatnonzero(look)
    word_sets: Mapping[int, np.ndarray] | None = None
    covered: dict[int, tuple[float, float]] = {}
    if words is not None and chosen.size:  # read once for the chunk, both coverages of every pair in one call
        a_by_b, b_by_a, word_sets = pair_coverages(pairs[chosen], words)
        covered = dict(zip(chosen.tolist(), zip(a_by_b.tolist(), b_by_a.tolist())))
    for k in chosen.tolist():
        a, b = int(pairs[k, 0]), int(pairs[k, 1])
        jac, con, small = float(jac_all[k]), float(con_all[k]), int(small_all[k])
        if not passed[k]:
            assert rewrite_of is not None
            evidence = rewrite_of(a, b, con)
            if evidence.rewrite and (small >= options.min_containment_shingles or evidence.on_order_route()):
                cov = evidence.coverages or (1.0, 1.0)
                if word_sets is not None:
                    cov = _second_story(word_sets[a], word_sets[b], cov, options.coverage)
                links.append(Link(a, b, round(jac, 4), round(con, 4), DUPLICATE, *cov, evidence=evidence))
            continue
        relation = relation_of(a, b) if relation_of is not None else DUPLICATE
        if relation not in (DUPLICATE, TEMPLATE, UNCHECKED):
            # The relation test found the shared text to be fragments (quotes in another order), not one text.
            continue
        a_in_b = b_in_a = 1.0
        if word_sets is not None and relation != TEMPLATE:
            cov = (round(covered[k][0], 4), round(covered[k][1], 4))
            a_in_b, b_in_a = _second_story(word_sets[a], word_sets[b], cov, options.coverage)
        links.append(Link(a, b, round(jac, 4), round(con, 4), relation, a_in_b, b_in_a))
    return links


def _second_story(wa: np.ndarray, wb: np.ndarray, cov: tuple[float, float], least: float) -> tuple[float, float]:
    """The coverages ``(a by b, b by a)`` with a text's second story told apart from a copy: a text with over
    ``1 / least`` times the other's content words, whose opening passage (title and lead) the other does not say,
    is a container (the Egypt cable that ends "on another note" with the Oman cable), not a copy, however much of
    its formula the shorter one writes too: its coverage is at most the share the other's words could fill once.

    >>> egypt, oman = np.arange(40, dtype=np.uint32), np.arange(20, 45, dtype=np.uint32)
    >>> _second_story(egypt, oman, (0.8, 1.0), 0.75), _second_story(egypt[20:], oman, (0.8, 1.0), 0.75)
    ((0.625, 1.0), (0.8, 1.0))
    """
    out = list(cov)
    for k, (x, y) in enumerate(((wa, wb), (wb, wa))):
        if out[k] >= least and x.size * least > y.size and coverage(x[:COVERAGE_WINDOW], y) < 1.0:
            out[k] = min(out[k], round(y.size / x.size, 4))
    return out[0], out[1]


def judged_below(small: int, containment: float, options: VerifyOptions) -> bool:
    """Whether a pair below the shingle thresholds, the smaller of whose sets has ``small`` shingles, goes to the
    rewrite decision (:func:`verify`): a text of ``min_containment_shingles`` or more always; a brief (from
    ``min_short_shingles``) only when contained at ``containment``, as a longer text must be to be a duplicate.

    >>> judged_below(21, 0.67, VerifyOptions()), judged_below(21, 0.4, VerifyOptions()), judged_below(10, 1.0, VerifyOptions())
    (True, False, False)
    """
    if small >= options.min_containment_shingles:
        return True
    return small >= options.min_short_shingles and containment >= options.containment


def covers(link: Link, keeper: int, coverage: float = DEFAULT_COVERAGE) -> bool:
    """Whether document ``keeper`` (``link.a`` or ``link.b``) of a verified pair may absorb the other one: the
    pair is a duplicate (not a template sibling) and ``keeper`` covers the other (the coverage rule, as
    :func:`star_clusters` applies it). The streaming index decides with it: a new document is a duplicate of an
    indexed one only when the indexed one covers it.

    >>> brief_in_roundup = Link(0, 1, 0.2, 0.95, a_in_b=1.0, b_in_a=0.4)
    >>> covers(brief_in_roundup, keeper=1), covers(brief_in_roundup, keeper=0)
    (True, False)
    """
    if link.relation != DUPLICATE:
        return False
    return (link.a_in_b if keeper == link.b else link.b_in_a) >= coverage


def star_clusters(
    n: int,
    links: Sequence[Link],
    order: Sequence[int],
    coverage: float = DEFAULT_COVERAGE,
    reads: set[tuple[int, int]] | None = None,
) -> list[Cluster]:
    """Group ``n`` documents into star clusters around the best-ranked copy (``order`` = keep priority).

    Only duplicate links merge, and only in the direction of coverage: a centre takes the neighbours it covers.
    Documents contained in a neighbour that they do not cover are centres after it (outermost first: a story
    after the report that contains it, the report after the round-up that contains the report), so that the
    longer text is kept and takes them. Then removed copies move to their closest kept copy
    (:func:`_copies_to_closest_original`), and a removed copy that contains what its star left out is kept
    instead (:func:`_containers_take_over`). Template links are attached to clusters as siblings, for reports.

    >>> brief_in_roundup = Link(0, 1, 0.2, 0.95, a_in_b=1.0, b_in_a=0.4)
    >>> [(c.keep, [m for m, _ in c.members], c.relation(0)) for c in star_clusters(2, [brief_in_roundup], [0, 1])]
    [(1, [1, 0], 'contained')]
    """
    rank = np.empty(n, dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(n)
    neighbours = _neighbours(links, coverage)
    depth = _containment_depth(neighbours)
    if reads is not None:  # the depths read every one-way containment
        reads.update(_pair(x, y) for x, near in neighbours.items() for y, _, cv, cd in near if cd and not cv)
    centres = sorted((d for d in order if d in neighbours), key=lambda d: (depth.get(d, 0), rank[d]))
    assigned: dict[int, int] = {}
    clusters: list[Cluster] = []
    for centre in centres:
        if centre in assigned:
            continue
        taken = sorted(
            ((m, s, covered) for m, s, covers, covered in neighbours[centre] if covers and m not in assigned),
            key=lambda msc: (-msc[1], rank[msc[0]]),
        )
        if reads is not None:
            reads.update(_pair(centre, m) for m, _, _ in taken)
        if not taken:
            continue
        cluster = Cluster(
            keep=centre,
            members=[(centre, 1.0), *((m, s) for m, s, _ in taken)],
            contained={m for m, _, covered in taken if not covered},
        )
        for m, _ in cluster.members:
            assigned[m] = len(clusters)
        clusters.append(cluster)
    clusters = _copies_to_closest_original(clusters, neighbours, rank, reads)
    return _containers_take_over(clusters, neighbours, rank, reads)


def _pair(x: int, y: int) -> tuple[int, int]:
    return (x, y) if x < y else (y, x)


def containment_depths(links: Sequence[Link], coverage: float = DEFAULT_COVERAGE) -> dict[int, int]:
    """How deep each document sits in others through duplicate ``links`` (see :func:`_containment_depth`): the
    order :func:`star_clusters` visits centres in, for a caller that must follow it (a stream fed as scan decides).

    >>> containment_depths([Link(0, 1, 0.2, 0.95, a_in_b=1.0, b_in_a=0.4)])
    {0: 1}
    """
    return _containment_depth(_neighbours(links, coverage))


def _neighbours(links: Sequence[Link], coverage: float) -> dict[int, list[tuple[int, float, bool, bool]]]:
    """``neighbours[x]``: ``(y, similarity, x covers y, y covers x)`` for each duplicate link of ``x`` in which one
    side covers the other (the only links that merge)."""
    neighbours: dict[int, list[tuple[int, float, bool, bool]]] = defaultdict(list)
    for link in links:
        if link.relation != DUPLICATE:
            continue
        a_covers_b, b_covers_a = link.b_in_a >= coverage, link.a_in_b >= coverage
        if a_covers_b or b_covers_a:
            neighbours[link.a].append((link.b, link.similarity, a_covers_b, b_covers_a))
            neighbours[link.b].append((link.a, link.similarity, b_covers_a, a_covers_b))
    return neighbours


def _containment_depth(neighbours: dict[int, list[tuple[int, float, bool, bool]]], rounds: int = 8) -> dict[int, int]:
    """How deep each document sits in others (a story in a round-up: 1; the round-up in a digest: the story 2).

    Centres are visited by depth, then keep order, so that the outermost text takes what it contains before an
    inner one takes its own copies away from it. Documents contained in nothing are left out (depth 0).
    """
    containers = {x: [y for y, _, covers, covered in near if covered and not covers] for x, near in neighbours.items()}
    depth = {x: 1 for x, outer in containers.items() if outer}
    for _ in range(rounds):  # containment chains are short; a cycle (possible near the threshold) stops here
        changed = False
        for x in depth:
            d = 1 + max(depth.get(y, 0) for y in containers[x])
            if d != depth[x]:
                depth[x], changed = d, True
        if not changed:
            break
    return depth


def _copies_to_closest_original(
    clusters: list[Cluster],
    neighbours: dict[int, list[tuple[int, float, bool, bool]]],
    rank: np.ndarray,
    reads: set[tuple[int, int]] | None = None,
) -> list[Cluster]:
    """Give each removed copy to the kept copy it is closest to, among the kept copies it is a copy of.

    A star takes every unassigned neighbour of its centre, so a copy can land beside a loose relative (0.53) while
    its close copy (0.92) is kept by the next star. It moves only to a kept copy it is a copy of (each covers the
    other), for a stronger link: the same documents are kept and removed, each covered by its kept copy, and no
    kept document is a covered copy of another (so a stream fed the kept ones first drops what a scan removes).
    """
    centre_of = {c.keep: k for k, c in enumerate(clusters)}
    moved: dict[int, tuple[int, float]] = {}
    for k, cluster in enumerate(clusters):
        for m, sim in cluster.members[1:]:
            best, best_sim = k, sim
            for other, s, covers_other, covered_by_other in neighbours[m]:
                j = centre_of.get(other)
                if j is not None and reads is not None:  # a link to a kept copy is read
                    reads.add(_pair(m, other))
                if j is None or j == k or not (covers_other and covered_by_other):
                    continue
                if s > best_sim or (s == best_sim and j != best and rank[other] < rank[clusters[best].keep]):
                    best, best_sim = j, s
            if best != k:
                moved[m] = (best, best_sim)
    if not moved:
        return clusters
    for cluster in clusters:
        cluster.members = [cluster.members[0], *((m, s) for m, s in cluster.members[1:] if m not in moved)]
        cluster.contained -= set(moved)
    for m, (j, sim) in sorted(moved.items()):
        clusters[j].members.append((m, sim))
    for j in {j for j, _ in moved.values()}:
        head, rest = clusters[j].members[0], clusters[j].members[1:]
        clusters[j].members = [head, *sorted(rest, key=lambda ms: (-ms[1], rank[ms[0]]))]
    return [c for c in clusters if len(c.members) > 1]


def _containers_take_over(
    clusters: list[Cluster],
    neighbours: dict[int, list[tuple[int, float, bool, bool]]],
    rank: np.ndarray,
    reads: set[tuple[int, int]] | None = None,
) -> list[Cluster]:
    """Let a removed member that contains what its star left out become that star's kept copy.

    A star can take a copy ``m`` of its centre while a text that only ``m`` covers is left out of every cluster
    (a story whose other container ``m`` is), or keeps a star of its own (its copies taken by ``m``'s centre
    first). When ``m`` covers every member of its cluster, and some document ``m`` contains (covers, without
    being covered by it) is unassigned or the kept copy of a star whose every member ``m`` covers, ``m`` becomes
    the kept copy of them all: the longer text is kept, as it is for a story inside a round-up, whatever
    ``--keep`` says. Every member is still directly linked to its kept copy and covered by it. ``m`` does not
    take over when it is linked (covering either way) to a document that stays kept: no kept document is then a
    covered copy of another. ``reads``: as in :func:`star_clusters` (every link of ``m`` is read).
    """
    where = {m: k for k, c in enumerate(clusters) for m, _ in c.members}
    gone: set[int] = set()
    for k, cluster in enumerate(clusters):
        if k in gone:
            continue
        for m, _ in sorted(cluster.members[1:], key=lambda ms: rank[ms[0]]):
            near = {y: (s, covers, covered) for y, s, covers, covered in neighbours[m]}
            if not all(y == m or (y in near and near[y][1]) for y, _ in cluster.members):
                continue
            # Only a document m contains and that is kept now can be gained. Undecided links read as duplicates
            # can only add neighbours: a member passed over here is passed over whatever they turn out to be,
            # so only the links of a member that may take over are read.
            if not any(
                c and not cd and (where.get(y) is None or clusters[where[y]].keep == y)
                for y, (_, c, cd) in near.items()
            ):
                continue
            if reads is not None:
                reads.update(_pair(m, y) for y in near)
            taken, stars = _taken_by(m, near, clusters, where, k)
            if taken is None:
                continue
            members = {y for y, _ in cluster.members if y != m} | set(taken)
            cluster.keep = m
            cluster.members = [
                (m, 1.0),
                *sorted(((y, near[y][0]) for y in members), key=lambda ys: (-ys[1], rank[ys[0]])),
            ]
            cluster.contained = {y for y in members if not near[y][2]}
            for y in members | {m}:
                where[y] = k
            gone |= stars
            break
    return [c for j, c in enumerate(clusters) if j not in gone]


def _taken_by(
    m: int,
    near: dict[int, tuple[float, bool, bool]],
    clusters: list[Cluster],
    where: dict[int, int],
    k: int,
) -> tuple[list[int] | None, set[int]]:
    """What ``m`` (a member of cluster ``k`` covering all of it) takes over besides cluster ``k``: its unassigned
    neighbours and the stars whose kept copy it links to, all covered, with one contained; ``None`` when it
    gains nothing or a neighbour that would stay kept blocks it (see :func:`_containers_take_over`)."""
    taken: list[int] = []
    stars: set[int] = set()
    gains = False
    for y, (_, covers, covered) in near.items():
        j = where.get(y)
        if j == k:
            continue
        if j is None or clusters[j].keep == y:
            members = [y] if j is None else [z for z, _ in clusters[j].members]
            if not (covers and all(z in near and near[z][1] for z in members)):
                return None, set()  # a document that stays kept and is linked to m
            taken.extend(members)
            gains |= not covered
            if j is not None:
                stars.add(j)
    return (taken, stars) if gains else (None, set())


def expand_exact(clusters: list[Cluster], groups: dict[int, list[int]], order: Sequence[int]) -> list[Cluster]:
    """Put exact copies where their representative is (a new cluster when it is in none)."""
    where = {m: (k, sim) for k, c in enumerate(clusters) for m, sim in c.members}
    for rep, copies in groups.items():
        if not copies:
            continue
        if rep in where:
            k, sim = where[rep]
            clusters[k].members.extend((c, sim) for c in copies)
            if rep in clusters[k].contained:  # an exact copy relates to the kept one as its original does
                clusters[k].contained.update(copies)
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
