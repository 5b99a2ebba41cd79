"""Verification, star clustering and keep policies: chains never merge unrelated stories."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.cluster import DUPLICATE, TEMPLATE, Link, VerifyOptions, keep_order, star_clusters, verify
from dedup.document import DocInfo


def test_chain_of_weak_links_does_not_merge_the_ends() -> None:
    # A~B and B~C are duplicates, A and C are not: C must not be put with A.
    links = [Link(0, 1, 0.6, 0.7), Link(1, 2, 0.6, 0.7)]
    clusters = star_clusters(3, links, order=[0, 1, 2])
    assert [[m for m, _ in c.members] for c in clusters] == [[0, 1]]


def test_template_links_never_merge() -> None:
    clusters = star_clusters(2, [Link(0, 1, 0.8, 0.85, TEMPLATE)], order=[0, 1])
    assert clusters == []


def test_kept_copy_is_the_best_ranked() -> None:
    links = [Link(0, 1, 0.9, 0.9), Link(1, 2, 0.9, 0.9), Link(0, 2, 0.8, 0.8)]
    clusters = star_clusters(3, links, order=[2, 0, 1])
    assert clusters[0].keep == 2
    assert sorted(m for m, _ in clusters[0].members) == [0, 1, 2]


def test_verify_accepts_jaccard_or_containment_only() -> None:
    big = np.arange(0, 200, dtype=np.uint32)
    half = np.arange(0, 100, dtype=np.uint32)  # wholly contained, Jaccard 0.5
    tiny = np.arange(0, 10, dtype=np.uint32)  # contained but too small to trust containment
    far = np.arange(150, 400, dtype=np.uint32)
    shingles = [big, half, tiny, far]
    pairs = np.array([[0, 1], [0, 2], [0, 3]])
    links = verify(pairs, shingles, VerifyOptions(threshold=0.6, containment=0.8, min_containment_shingles=40))
    assert [(link.a, link.b) for link in links] == [(0, 1)]
    assert links[0].relation == DUPLICATE and links[0].containment == 1.0


def _info(i: int, words: int, date: str | None, source: str) -> DocInfo:
    return DocInfo(f"d{i}", "", source, date, "", None, None, words, str(i))


def test_keep_policies() -> None:
    infos = [_info(0, 100, "2025-12-15", "a.com"), _info(1, 300, "2025-12-14", "b.com"), _info(2, 200, None, "spa")]
    assert keep_order(infos, "first") == [0, 1, 2]
    assert keep_order(infos, "longest") == [1, 2, 0]
    assert keep_order(infos, "earliest") == [1, 0, 2]
    assert keep_order(infos, "source", ["spa", "a.com"]) == [2, 0, 1]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=25).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.floats(0.5, 1.0)), max_size=60),
            st.permutations(list(range(n))),
        )
    )
)
def test_star_cluster_invariants(case: tuple) -> None:
    n, raw, order = case
    links = [Link(min(a, b), max(a, b), s, s) for a, b, s in raw if a != b]
    linked = {(link.a, link.b) for link in links}
    clusters = star_clusters(n, links, order)
    removed = {m for c in clusters for m, _ in c.members[1:]}
    seen: set[int] = set()
    rank = {d: r for r, d in enumerate(order)}
    for c in clusters:
        members = [m for m, _ in c.members]
        assert len(members) >= 2 and members[0] == c.keep
        # No document in two clusters.
        assert not seen.intersection(members)
        seen.update(members)
        for m in members[1:]:
            # Every member is directly linked to the kept copy, which outranks it, or else it left a kept copy
            # that outranks it for a closer one.
            assert (min(m, c.keep), max(m, c.keep)) in linked
            assert rank[c.keep] < rank[m] or any(
                rank[k] < rank[m] and (min(m, k), max(m, k)) in linked for k in range(n) if k not in removed
            )
    # No kept document is a copy of another kept document (these links cover both ways): a stream that indexes
    # the kept documents first lets each of them through.
    kept = set(range(n)) - removed
    assert not any(link.a in kept and link.b in kept for link in links)


def test_a_stray_copy_joins_the_cluster_of_the_member_it_duplicates_only_if_it_resembles_the_kept_copy() -> None:
    from dedup.cluster import attach_strays

    # 0 keeps 1; 2 duplicates 1 strongly but was never linked to 0; 3 duplicates 1 but shares little with 0.
    links = [Link(0, 1, 0.7, 0.8), Link(1, 2, 0.8, 0.9), Link(1, 3, 0.65, 0.7)]
    clusters = star_clusters(4, links, order=[0, 1, 2, 3])
    assert [m for m, _ in clusters[0].members] == [0, 1]
    shared_with_kept = {2: 0.45, 3: 0.1}
    attach_strays(clusters, links, lambda stray, kept: (shared_with_kept[stray], "copy"), order=[0, 1, 2, 3])
    assert clusters[0].members == [(0, 1.0), (1, 0.8), (2, 0.45)]


def test_a_weak_link_never_attaches_a_stray() -> None:
    from dedup.cluster import attach_strays

    links = [Link(0, 1, 0.7, 0.8), Link(1, 2, 0.3, 0.55)]
    clusters = star_clusters(3, links, order=[0, 1, 2])
    attach_strays(clusters, links, lambda stray, kept: (0.9, "copy"), order=[0, 1, 2], strong=0.6)
    assert [m for m, _ in clusters[0].members] == [0, 1]


def test_a_stray_the_kept_copy_does_not_cover_is_never_attached() -> None:
    from dedup.cluster import attach_strays

    links = [Link(0, 1, 0.7, 0.8), Link(1, 2, 0.8, 0.9)]
    clusters = star_clusters(3, links, order=[0, 1, 2])
    attach_strays(clusters, links, lambda stray, kept: (0.9, None), order=[0, 1, 2])
    assert [m for m, _ in clusters[0].members] == [0, 1]


def test_the_longer_text_is_kept_when_the_first_is_contained_in_it() -> None:
    # 0 is a brief wholly inside round-up 1 (1 covers 0; 0 covers only 40% of 1): 1 is kept whatever the order.
    link = Link(0, 1, 0.2, 0.95, a_in_b=1.0, b_in_a=0.4)
    [cluster] = star_clusters(2, [link], order=[0, 1])
    assert cluster.keep == 1
    assert [m for m, _ in cluster.members] == [1, 0]
    assert cluster.relation(0) == "contained"


def test_copies_that_cover_each_other_follow_the_keep_order() -> None:
    link = Link(0, 1, 0.8, 0.9, a_in_b=0.9, b_in_a=0.85)
    for order in ([0, 1], [1, 0]):
        [cluster] = star_clusters(2, [link], order=order)
        assert cluster.keep == order[0]
        assert cluster.relation(order[1]) == "copy"


def test_a_pair_where_neither_covers_the_other_is_never_merged() -> None:
    # A follow-up that repeats its predecessor's background paragraph: linked by containment, covered neither way.
    link = Link(0, 1, 0.3, 0.7, a_in_b=0.5, b_in_a=0.3)
    assert star_clusters(2, [link], order=[0, 1]) == []


def test_a_roundup_is_never_removed_for_a_story_it_contains() -> None:
    # Brief 0 and its copy 2 are both inside round-up 1; keep order puts the brief first.
    links = [
        Link(0, 1, 0.3, 0.95, a_in_b=1.0, b_in_a=0.45),
        Link(0, 2, 0.9, 0.95, a_in_b=0.95, b_in_a=0.95),
        Link(1, 2, 0.3, 0.9, a_in_b=0.45, b_in_a=0.95),
    ]
    [cluster] = star_clusters(3, links, order=[0, 2, 1])
    assert cluster.keep == 1
    assert sorted(m for m, _ in cluster.members) == [0, 1, 2]
    assert cluster.contained == {0, 2}


def test_a_copy_goes_to_the_original_it_is_closest_to_not_the_first_loose_relative() -> None:
    # 0 is a loose relative of 2 (0.6); 1 is 2's close original (0.95) but ranks after 0: the star around 0 takes 2
    # first; 2 then moves to 1, which outranks it and which it copies. Nothing else changes: 0 and 1 are kept.
    links = [Link(0, 2, 0.4, 0.6), Link(1, 2, 0.9, 0.95), Link(1, 3, 0.9, 0.95)]
    clusters = star_clusters(4, links, order=[0, 1, 2, 3])
    assert [(c.keep, sorted(m for m, _ in c.members)) for c in clusters] == [(1, [1, 2, 3])]
    # A story contained in a round-up is not moved between round-ups, and a later kept copy never takes an earlier one.
    contained = [Link(0, 2, 0.3, 0.9, a_in_b=0.5, b_in_a=1.0), Link(1, 2, 0.3, 0.95, a_in_b=0.5, b_in_a=1.0)]
    [cluster] = star_clusters(3, contained, order=[0, 1, 2])
    assert (cluster.keep, [m for m, _ in cluster.members], cluster.contained) == (0, [0, 2], {2})


def test_a_story_under_a_later_round_up_moves_beside_its_close_copies() -> None:
    # 0 is a story, 1 a round-up that contains it (visited as a centre first: 0 is "inside" it), 2 a close copy of
    # 0 published later, 3 a copy of 2. The round-up takes 0 at 0.6; 0 then moves to 2 (0.9), although 2 ranks
    # after it, because 0 was already removed in favour of a later document: the pair 0-2 is kept together.
    links = [
        Link(0, 1, 0.3, 0.6, a_in_b=1.0, b_in_a=0.4),
        Link(0, 2, 0.85, 0.9),
        Link(2, 3, 0.85, 0.9),
    ]
    clusters = star_clusters(4, links, order=[0, 1, 2, 3])
    assert [(c.keep, sorted(m for m, _ in c.members)) for c in clusters] == [(2, [0, 2, 3])]
    # Without the round-up, the earlier story is kept (a later copy never takes an earlier one).
    clusters = star_clusters(4, links[1:], order=[0, 1, 2, 3])
    assert [(c.keep, sorted(m for m, _ in c.members)) for c in clusters] == [(0, [0, 2])]


def test_a_copy_taken_by_a_loose_relative_moves_to_the_later_star_of_its_close_copy() -> None:
    # 0 takes 1 at 0.53 (a loose relative); 2 is 1's close copy (0.92) but ranks after it, and 3 copies 2. The star
    # around 2 cannot take 1 (already taken): 1 moves to it, below 2, although it ranks first. 0 stays kept and
    # covers 1; keeping 1 instead of 2 would keep two copies of one text.
    links = [Link(0, 1, 0.4, 0.53), Link(1, 2, 0.9, 0.92), Link(2, 3, 0.85, 0.9)]
    clusters = star_clusters(4, links, order=[0, 1, 2, 3])
    assert [(c.keep, [m for m, _ in c.members]) for c in clusters] == [(2, [2, 1, 3])]
    # Not for a weaker link than the one it has.
    clusters = star_clusters(4, [Link(0, 1, 0.9, 0.95), *links[1:]], order=[0, 1, 2, 3])
    assert [(c.keep, [m for m, _ in c.members]) for c in clusters] == [(0, [0, 1]), (2, [2, 3])]


def test_the_outermost_text_takes_what_it_contains_first() -> None:
    # 0 and 1 are copies of a story; 2 is a report that contains both; 3 a round-up containing 2; 4 a digest
    # containing 3. The report is visited before the story, so the story stays with the report that contains it.
    def inside(a: int, b: int) -> Link:  # a is contained in b
        return Link(a, b, 0.3, 0.6, a_in_b=1.0, b_in_a=0.4)

    links = [Link(0, 1, 0.9, 0.95), inside(0, 2), inside(1, 2), inside(2, 3), inside(3, 4)]
    clusters = star_clusters(5, links, order=[0, 1, 2, 3, 4])
    assert [(c.keep, sorted(m for m, _ in c.members)) for c in clusters] == [(4, [3, 4]), (2, [0, 1, 2])]
    assert clusters[1].contained == {0, 1}


def inside(a: int, b: int, sim: float = 0.6) -> Link:
    """A link where ``a`` is contained in ``b`` (``b`` covers ``a``, not the other way round)."""
    return Link(a, b, 0.3, sim, a_in_b=1.0, b_in_a=0.4)


def test_a_removed_copy_that_contains_a_story_left_out_takes_its_star_over() -> None:
    # 0 and 1 are copies of one report (each covers the other); 1 also carries a club's donation item, 2, that 0
    # does not have (the labelled pair snn-2015-07-21-01010 / -02253). 0 ranks first and takes 1; 2, contained in
    # 1 only, was left out of every cluster. 1 covers all of 0's star and contains 2: it is kept instead.
    links = [Link(0, 1, 0.6, 0.65, a_in_b=0.82, b_in_a=1.0), inside(2, 1, 0.81)]
    [cluster] = star_clusters(3, links, order=[0, 1, 2])
    assert (cluster.keep, [m for m, _ in cluster.members], cluster.contained) == (1, [1, 2, 0], {2})
    # Without the story, --keep order decides between the two copies.
    [cluster] = star_clusters(3, links[:1], order=[0, 1, 2])
    assert (cluster.keep, [m for m, _ in cluster.members]) == (0, [0, 1])


def test_a_removed_container_takes_over_the_star_of_the_story_it_contains() -> None:
    # 0 and 1 copies of a longer report; 2 a shorter story 1 contains, with its brief 3 (snn-2015-07-22-00401 in
    # -01758). 0 takes 1, 2 keeps a star of its own with 3: two clusters for one story. 1 covers 0, 2 and 3.
    links = [Link(0, 1, 0.6, 0.69, a_in_b=0.8, b_in_a=0.89), inside(2, 1, 0.98), inside(3, 1, 0.85), inside(3, 2, 0.85)]
    [cluster] = star_clusters(4, links, order=[0, 1, 2, 3])
    assert cluster.keep == 1 and [m for m, _ in cluster.members] == [1, 2, 3, 0] and cluster.contained == {2, 3}
    # 1 also contains 4, kept with a story 5 it contains and 1 does not cover: 4 stays kept, so 1 may not be kept
    # beside it (a kept copy covered by another).
    blocked = [*links, inside(4, 1), inside(5, 4)]
    clusters = star_clusters(6, blocked, order=[0, 1, 2, 3, 4, 5])
    assert sorted((c.keep, sorted(m for m, _ in c.members)) for c in clusters) == [
        (0, [0, 1]),
        (2, [2, 3]),
        (4, [4, 5]),
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=2, max_value=12).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.tuples(
                    st.integers(0, n - 1),
                    st.integers(0, n - 1),
                    st.floats(0.5, 1.0),
                    st.sampled_from([(1.0, 1.0), (1.0, 0.4), (0.4, 1.0), (0.4, 0.4)]),
                ),
                max_size=30,
            ),
            st.permutations(list(range(n))),
        )
    )
)
def test_star_clusters_with_containments_keep_the_coverage_rule(case: tuple) -> None:
    # Links covering one way (a story in a round-up) as well as both (copies) or neither: whatever takes over
    # a star, every member is linked to its kept copy, which covers it, and marked contained exactly when it
    # does not cover the kept copy; no two kept documents are copies of each other.
    n, raw, order = case
    links = {(min(a, b), max(a, b)): (s, cov) for a, b, s, cov in raw if a != b}
    by = {pair: Link(*pair, s, s, a_in_b=cov[0], b_in_a=cov[1]) for pair, (s, cov) in links.items()}
    clusters = star_clusters(n, list(by.values()), order)
    seen: set[int] = set()
    for c in clusters:
        members = [m for m, _ in c.members]
        assert members[0] == c.keep and len(members) >= 2 and not seen.intersection(members)
        seen.update(members)
        for m in members[1:]:
            link = by[min(m, c.keep), max(m, c.keep)]
            kept_covers_m, m_covers_kept = (link.a_in_b, link.b_in_a) if m == link.a else (link.b_in_a, link.a_in_b)
            assert kept_covers_m >= 0.75 and (m in c.contained) == (m_covers_kept < 0.75)
    kept = set(range(n)) - {m for c in clusters for m, _ in c.members[1:]}
    assert not [k for k in by.values() if {k.a, k.b} <= kept and min(k.a_in_b, k.b_in_a) >= 0.75]


def _left_out_case(c_covers_its_copy: str | None) -> list:
    """0 keeps 1 and 2; 3, a longer text (a release re-run with a paragraph added), contains 1 and 2 but was never
    linked to 0, and was visited after 0 took them."""
    from dedup.cluster import CONTAINED, attach_strays

    links = [
        Link(0, 1, 0.8, 0.9, a_in_b=1.0, b_in_a=1.0),
        Link(0, 2, 0.7, 0.8, a_in_b=1.0, b_in_a=1.0),
        Link(1, 3, 0.4, 0.7, a_in_b=1.0, b_in_a=0.6),
        Link(2, 3, 0.4, 0.7, a_in_b=1.0, b_in_a=0.6),
    ]
    # What similarity_to says: 3 contains 0, 1 and 2; 1 and 2 are copies of 0, or only share its formula.
    relation = {
        (1, 3): CONTAINED,
        (2, 3): CONTAINED,
        (0, 3): CONTAINED,
        (1, 0): c_covers_its_copy,
        (2, 0): c_covers_its_copy,
    }
    clusters = star_clusters(4, links, order=[0, 1, 2, 3])
    assert [m for m, _ in clusters[0].members] == [0, 1, 2]
    attach_strays(clusters, links, lambda d, kept: (0.55, relation.get((d, kept))), order=[0, 1, 2, 3])
    return [(c.keep, sorted(m for m, _ in c.members), sorted(c.contained)) for c in clusters]


def test_a_left_out_text_that_contains_a_stars_copies_keeps_them_and_the_old_kept_copy() -> None:
    assert _left_out_case("copy") == [(3, [0, 1, 2, 3], [0, 1, 2])]


def test_a_left_out_text_keeps_nothing_when_the_kept_copy_shares_only_a_formula_with_the_members() -> None:
    # The kept copy's members cover it without being covered (an audience list around another visitor's talks).
    assert _left_out_case("contained") == [(0, [0, 1, 2], [])]


def test_a_kept_text_that_contains_another_stars_copies_takes_that_star_into_its_own() -> None:
    from dedup.cluster import CONTAINED, COPY, attach_strays

    # 0 keeps copies 1 and 2 of a release; 3, the release with a press conference added, keeps 4 (its own copy)
    # and contains 1 and 2, but was never linked to 0 (its intro is rewritten).
    links = [
        Link(0, 1, 0.8, 0.9),
        Link(0, 2, 0.7, 0.8),
        Link(3, 4, 0.9, 0.95),
        Link(1, 3, 0.2, 0.62, a_in_b=1.0, b_in_a=0.47),
        Link(2, 3, 0.2, 0.61, a_in_b=1.0, b_in_a=0.47),
    ]
    relation = {(1, 3): CONTAINED, (2, 3): CONTAINED, (0, 3): CONTAINED, (1, 0): COPY, (2, 0): COPY}
    clusters = star_clusters(5, links, order=[0, 1, 2, 3, 4])
    assert [(c.keep, [m for m, _ in c.members]) for c in clusters] == [(0, [0, 1, 2]), (3, [3, 4])]
    attach_strays(clusters, links, lambda d, kept: (0.55, relation.get((d, kept))), order=[0, 1, 2, 3, 4])
    assert [(c.keep, sorted(m for m, _ in c.members), sorted(c.contained)) for c in clusters] == [
        (3, [0, 1, 2, 3, 4], [0, 1, 2])
    ]


def _two_stars_of_one_story(relation: dict, order: list[int]) -> list:
    """0 keeps 1 and 2, two round-ups' other versions (Revolutionary Guard item inside a Gulf round-up); 3 keeps 4,
    the item alone and its copy. 3 and 4 duplicate 1 strongly, but LSH never proposed 0 with 3 or 4."""
    from dedup.strays import attach_strays

    links = [
        Link(0, 1, 0.59, 0.6, a_in_b=0.54, b_in_a=1.0),  # 0 contains 1 (and 2): its round-up is longer
        Link(0, 2, 0.66, 0.7, a_in_b=0.54, b_in_a=1.0),
        Link(3, 4, 0.94, 0.95),
        Link(1, 3, 0.78, 0.9, a_in_b=0.69, b_in_a=1.0),
        Link(1, 4, 0.85, 0.9, a_in_b=0.69, b_in_a=1.0),
    ]
    clusters = star_clusters(5, links, order=order)
    assert sorted((c.keep, sorted(m for m, _ in c.members)) for c in clusters) == [(0, [0, 1, 2]), (3, [3, 4])]
    attach_strays(clusters, links, lambda d, kept: (0.45, relation.get((d, kept))), order=order)
    return [(c.keep, sorted(m for m, _ in c.members), sorted(c.contained)) for c in clusters]


def test_a_star_whose_copies_another_stars_kept_copy_contains_joins_that_star() -> None:
    from dedup.cluster import CONTAINED

    contained = {(3, 0): CONTAINED, (4, 0): CONTAINED}
    assert _two_stars_of_one_story(contained, [0, 1, 2, 3, 4]) == [(0, [0, 1, 2, 3, 4], [1, 2, 3, 4])]


def test_a_star_stays_apart_when_the_other_kept_copy_does_not_cover_all_of_it() -> None:
    from dedup.cluster import CONTAINED

    # 4 adds a paragraph that 0 does not say (or 0 is its template sibling: similarity_to says None).
    assert _two_stars_of_one_story({(3, 0): CONTAINED}, [0, 1, 2, 3, 4]) == [
        (0, [0, 1, 2], [1, 2]),
        (3, [3, 4], []),
    ]


def test_stars_whose_kept_copies_are_copies_join_the_one_that_ranks_first() -> None:
    from dedup.cluster import COPY

    copies = {(3, 0): COPY, (4, 0): COPY, (0, 3): COPY, (1, 3): COPY, (2, 3): COPY}
    # With 3 ranked first, 0's star would have to join 3's, but 0 and 2 are linked to nothing strong in 3's star.
    assert _two_stars_of_one_story(copies, [3, 0, 1, 2, 4]) == [(0, [0, 1, 2], [1, 2]), (3, [3, 4], [])]
    assert _two_stars_of_one_story(copies, [0, 1, 2, 3, 4]) == [(0, [0, 1, 2, 3, 4], [1, 2])]
