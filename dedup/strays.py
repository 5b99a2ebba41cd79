"""Documents a star left out, joined after the stars: strays, left-out containers and whole stars.

:func:`dedup.cluster.star_clusters` gives each document to the first centre that covers it, so a verified copy
can end in no cluster (its partner was taken first) or in a star of its own beside another star of its story.
These rules join them afterwards, each as a stream would join a stray: through a removed copy it duplicates
strongly, to a kept copy that covers it (:meth:`dedup.index.base.Index._through_removed`), so that a stream fed
the kept documents first drops what a scan removes. Re-exported by :mod:`dedup.cluster`.

>>> clusters = [Cluster(0, [(0, 1.0), (1, 0.9)]), Cluster(2, [(2, 1.0), (3, 0.9)])]
>>> links = [Link(0, 1, 0.9, 0.9), Link(2, 3, 0.9, 0.9), Link(1, 2, 0.7, 0.7), Link(1, 3, 0.8, 0.8)]
>>> attach_strays(clusters, links, lambda a, b: (0.45, COPY), order=[0, 1, 2, 3])
>>> [(c.keep, [m for m, _ in c.members]) for c in clusters]
[(0, [0, 1, 2, 3])]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from dedup.links import CONTAINED, COPY, DUPLICATE, Cluster, Link


def _pair(x: int, y: int) -> tuple[int, int]:
    return (x, y) if x < y else (y, x)


def attach_strays(
    clusters: list[Cluster],
    links: Sequence[Link],
    similarity_to: Callable[[int, int], tuple[float, str | None]],
    order: Sequence[int],
    strong: float = 0.6,
    floor: float = 0.3,
    reads: set[tuple[int, int]] | None = None,
) -> None:
    """Put a document left out of every cluster into the cluster of a member it duplicates.

    A star leaves C out when C duplicates member B but was not linked to the kept copy A, and B was taken first.
    C joins B's cluster when its link to B reaches ``strong``, C shares at least ``floor`` of its text with A, and A
    covers it: ``similarity_to(C, A)`` gives that similarity and C's relation to A (:data:`COPY`,
    :data:`CONTAINED`, or ``None`` when A does not cover C), so weak chains never join unrelated stories. Then a
    left-out text that contains a star's members may keep it (:func:`_left_out_containers`), and a star whose
    documents another star's kept copy covers may join it (:func:`_stars_join`). ``reads``: as in
    :func:`dedup.cluster.star_clusters`.

    >>> clusters = [Cluster(0, [(0, 1.0), (1, 0.9)])]
    >>> attach_strays(clusters, [Link(1, 2, 0.85, 0.9)], lambda a, b: (0.45, COPY), order=[0, 1, 2])
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
                if reads is not None:
                    reads.add(_pair(stray, member))
    for stray in (d for d in order if d in best):
        # The strongest link whose cluster's kept copy the stray also resembles.
        for _, member in sorted(best[stray], key=lambda sm: (-sm[0], sm[1])):
            k = where[member]
            sim, relation = similarity_to(stray, clusters[k].keep)
            if sim >= floor and relation is not None:
                clusters[k].members.append((stray, sim))
                if relation == CONTAINED:
                    clusters[k].contained.add(stray)
                where[stray] = k
                break
    _left_out_containers(clusters, links, similarity_to, order, strong, floor, where, reads)
    _stars_join(clusters, links, similarity_to, order, strong, floor, reads)


def _left_out_containers(
    clusters: list[Cluster],
    links: Sequence[Link],
    similarity_to: Callable[[int, int], tuple[float, str | None]],
    order: Sequence[int],
    strong: float,
    floor: float,
    where: dict[int, int],
    reads: set[tuple[int, int]] | None,
) -> None:
    """Let a kept or left-out text take the star whose removed copies it contains, and that star's kept copy.

    A longer text x (a round-up, a release re-run with a paragraph added) contains the members of a star whose
    kept copy c it was never linked to: c took them first, and x keeps a star of its own or none. When x is
    linked to every member, covers each and contains one, and c joins x as a stray would (``similarity_to(c, x)``:
    x covers c, at ``floor`` or more; c duplicates a member at ``strong`` or more that is a copy of it), x takes
    them all: x stays kept and c is removed (a stream fed x first drops c through that member, as it drops strays).
    """
    near: dict[int, dict[int, Link]] = defaultdict(dict)
    for link in links:
        if link.relation == DUPLICATE:
            near[link.a][link.b] = near[link.b][link.a] = link
    gone: set[int] = set()
    for x in order:
        own = where.get(x)
        if x not in near or (own is not None and clusters[own].keep != x):
            continue
        for k in sorted({where[y] for y in near[x] if y in where and clusters[where[y]].keep != y}):
            if k == own or k in gone:
                continue
            c, members = clusters[k].keep, [y for y, _ in clusters[k].members[1:]]
            strongly = [y for y in members if y in near[c] and near[c][y].similarity >= strong]
            if reads is not None:
                reads.update([*(_pair(x, y) for y in near[x]), *(_pair(c, y) for y in strongly)])
            if not all(y in near[x] for y in members):
                continue
            kinds = [similarity_to(y, x)[1] for y in members]
            # Through a copy of c: x covering it says c's text, not only its formula (an audience list).
            if None in kinds or CONTAINED not in kinds or not any(similarity_to(y, c)[1] == COPY for y in strongly):
                continue
            sim, kind = similarity_to(c, x)
            if kind is None or sim < floor:
                continue
            taken = [*((y, near[x][y].similarity) for y in members), (c, sim)]
            if own is None:
                clusters[k].keep, clusters[k].members, clusters[k].contained = x, [(x, 1.0)], set()
                own = where[x] = k
            else:
                gone.add(k)
            star = clusters[own]
            star.members = [star.members[0], *sorted([*star.members[1:], *taken], key=lambda ys: -ys[1])]
            star.contained |= {y for y, kd in zip([*members, c], [*kinds, kind]) if kd == CONTAINED}
            where.update((y, own) for y, _ in taken)
    clusters[:] = [c for j, c in enumerate(clusters) if j not in gone]


def _stars_join(
    clusters: list[Cluster],
    links: Sequence[Link],
    similarity_to: Callable[[int, int], tuple[float, str | None]],
    order: Sequence[int],
    strong: float,
    floor: float,
    reads: set[tuple[int, int]] | None,
) -> None:
    """Let a star join another whose kept copy covers all of it, each of its documents joining as a stray would.

    Two stars of one story (a wire item's copies, and the round-ups that hold it) stay two when LSH never proposed
    their kept copies as a pair. Star k joins star j when every document y of k (its kept copy too) duplicates at
    ``strong`` or more a document m of j that is j's kept copy c or linked to it, and c covers y, at ``floor`` or
    more (``similarity_to(y, c)``). Copies both ways join the star whose kept copy ranks first. A stream fed c and
    its linked copies first drops each y through m, as it drops strays; a star that took another is not taken.
    """
    rank = {d: r for r, d in enumerate(order)}
    where = {m: k for k, c in enumerate(clusters) for m, _ in c.members}
    pairs = {_pair(lk.a, lk.b) for lk in links if lk.relation == DUPLICATE}
    bridges: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for lk in links:
        if lk.relation == DUPLICATE and lk.similarity >= strong and lk.a in where and lk.b in where:
            if where[lk.a] != where[lk.b]:
                bridges[lk.a].append((lk.similarity, lk.b))
                bridges[lk.b].append((lk.similarity, lk.a))
    gone: set[int] = set()
    grown: set[int] = set()
    for k in sorted(range(len(clusters)), key=lambda k: -rank[clusters[k].keep]):
        members = [y for y, _ in clusters[k].members]
        if k in grown or any(y not in bridges for y in members):
            continue
        through: dict[int, dict[int, tuple[float, int]]] = defaultdict(dict)  # star j -> y -> best bridge
        for y in members:
            for sim, m in bridges[y]:
                j = where[m]
                c = clusters[j].keep
                if j in gone or (m != c and _pair(m, c) not in pairs):
                    continue
                if sim > through[j].get(y, (0.0, -1))[0]:
                    through[j][y] = (sim, m)
        for j in sorted(through, key=lambda j: (-max(s for s, _ in through[j].values()), rank[clusters[j].keep])):
            if len(through[j]) < len(members):
                continue
            c = clusters[j].keep
            if reads is not None:
                reads.update(_pair(y, m) for y, (_, m) in through[j].items())
                reads.update(_pair(m, c) for _, m in through[j].values() if m != c)
            kinds = [similarity_to(y, c) for y in members]
            if any(kind is None or sim < floor for sim, kind in kinds):
                continue
            keep = clusters[k].keep
            if kinds[0][1] == COPY and similarity_to(c, keep)[1] == COPY and rank[keep] < rank[c]:
                continue
            clusters[j].members += [(y, sim) for y, (sim, _) in zip(members, kinds)]
            clusters[j].contained |= {y for y, (_, kind) in zip(members, kinds) if kind == CONTAINED}
            where.update((y, j) for y in members)
            gone.add(k)
            grown.add(j)
            break
    clusters[:] = [c for j, c in enumerate(clusters) if j not in gone]
