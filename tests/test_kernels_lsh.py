"""The kernels of candidate checks and verification (dedup.kernels_lsh) and the batched paths that call them give
what the pair-by-pair numpy code gives: the same similarities, the same candidates, the same links."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedup.lsh
from dedup import kernels
from dedup.cluster import DUPLICATE, TEMPLATE, Link, VerifyOptions, _second_story, judged_below, verify
from dedup.evidence import RewriteOptions, judge_with_titles
from dedup.fingerprint import Fingerprinter, content_words, coverage, jaccard_containment
from dedup.lsh import drop_chance_collisions
from dedup.lsh_buckets import _SCRAMBLE, by_bucket
from dedup.normalize import DEFAULT_OPTIONS, normalize
from dedup.pairwise import pair_coverages, pair_similarities
from dedup.pipeline.stores import ShingleStore, SignatureFile
from dedup.templates import Analysed, relation

pytest.importorskip("numba")


@pytest.fixture(scope="module")
def k():
    return kernels.load(force=True)


def _with(k, fn):  # type: ignore[no-untyped-def]
    kernels._state.update(kernels=k, tried=True)
    try:
        return fn()
    finally:
        kernels.reset()


sets_strategy = st.lists(st.lists(st.integers(0, 40), max_size=30), min_size=2, max_size=8)


@settings(max_examples=200, deadline=None)
@given(sets_strategy, st.booleans(), st.data())
def test_pair_similarities_are_jaccard_containment_of_each_pair(
    k, values: list[list[int]], distinct: bool, data
) -> None:
    # Shingle sets are sorted and distinct; a set that is not is counted by numpy, as jaccard_containment does.
    sets = [np.unique(np.array(v, dtype=np.uint32)) if distinct else np.array(v, dtype=np.uint32) for v in values]
    if not distinct:
        sets = [v[np.sort(np.unique(v, return_index=True)[1])] for v in sets]  # distinct, in the order given
    index = st.integers(0, len(sets) - 1)
    pairs = np.array(data.draw(st.lists(st.tuples(index, index), min_size=1, max_size=12)), dtype=np.int64)
    expected = [jaccard_containment(sets[a], sets[b]) for a, b in pairs.tolist()]
    for jac, con, small in (pair_similarities(pairs, sets), _with(k, lambda: pair_similarities(pairs, sets))):
        assert list(zip(jac.tolist(), con.tolist())) == expected
        assert small.tolist() == [min(sets[a].size, sets[b].size) for a, b in pairs.tolist()]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 30), max_size=50), min_size=2, max_size=6), st.integers(1, 20), st.data())
def test_pair_coverages_are_coverage_both_ways(k, values: list[list[int]], window: int, data) -> None:
    words = [np.array(v, dtype=np.uint32) for v in values]  # text order, repeats allowed
    index = st.integers(0, len(words) - 1)
    pairs = np.array(data.draw(st.lists(st.tuples(index, index), min_size=1, max_size=12)), dtype=np.int64)
    expected = [(coverage(words[a], words[b], window), coverage(words[b], words[a], window)) for a, b in pairs.tolist()]
    for a_by_b, b_by_a, read in (
        pair_coverages(pairs, words, window),
        _with(k, lambda: pair_coverages(pairs, words, window)),
    ):
        assert list(zip(a_by_b.tolist(), b_by_a.tolist())) == expected
        assert all(np.array_equal(read[i], words[i]) for i in pairs.ravel().tolist())


def test_shingle_sets_from_a_store_give_the_same_similarities(k) -> None:
    fp = Fingerprinter()
    texts = [
        "وقعت امانة العاصمة المقدسة عقود تنفيذ مشاريع سفلتة وإنارة الطرق في مخططات المنح بقيمة 197 مليون ريال",
        "أبرمت أمانة العاصمة المقدسة عقودا بقيمة 197 مليون ريال لسفلتة وإنارة طرق مخططات المنح",
        "the port authority said on monday that talks with the unions had stalled again over night shifts",
        "talks between the unions and the port authority stalled again on monday over night shifts, it said",
    ]
    sets = [fp.text_shingles(normalize(t)) for t in texts]
    pairs = np.array([[0, 1], [0, 2], [2, 3], [1, 3]])
    with ShingleStore() as store:
        store.append(np.concatenate(sets), np.array([s.size for s in sets]))
        store.flush()
        jac, con, _ = _with(k, lambda: pair_similarities(pairs, store))
    assert list(zip(jac.tolist(), con.tolist())) == [jaccard_containment(sets[a], sets[b]) for a, b in pairs.tolist()]
    assert jac[2] > 0.05 and jac[1] == 0.0  # the two port stories share phrases; Arabic and English nothing


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 8), st.integers(1, 40))
def test_the_compiled_chance_collision_check_keeps_the_same_pairs(k, seed: int, min_shared: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, 3, size=(n + 3, 16), dtype=np.uint32)  # three values: rows agree on ~a third
    rows_of = rng.permutation(n + 3)[:n]
    pairs = rng.integers(0, n, size=(rng.integers(0, 30), 2))
    expected = drop_chance_collisions(sigs, pairs, min_shared, rows_of=rows_of)
    assert np.array_equal(_with(k, lambda: drop_chance_collisions(sigs, pairs, min_shared, rows_of=rows_of)), expected)
    with SignatureFile(16) as mapped:
        mapped.append(sigs)
        mapped.seal()
        got = _with(k, lambda: drop_chance_collisions(mapped, pairs, min_shared, rows_of=rows_of))
    assert np.array_equal(got, expected)
    assert len(k.rows_agree.signatures) == 1  # arrays and mappings alike: one version compiled, cached, loaded


def test_a_mapped_signature_file_is_checked_a_few_pairs_at_a_time(k, monkeypatch) -> None:
    monkeypatch.setattr(dedup.lsh, "MAPPED_PAIRS", 3)
    sigs = np.tile(np.arange(8, dtype=np.uint32), (10, 1))
    sigs[::2, :6] += 100  # even rows agree with even rows on all 8, with odd rows on 2
    pairs = np.array([[a, b] for a in range(10) for b in range(a + 1, 10)])
    with SignatureFile(8) as mapped:
        mapped.append(sigs)
        mapped.seal()
        got = _with(k, lambda: drop_chance_collisions(mapped, pairs, 3))
    assert got.tolist() == [[a, b] for a, b in pairs.tolist() if a % 2 == b % 2]


def test_buckets_come_in_position_order_even_when_two_keys_scramble_alike() -> None:
    inverse = pow(int(_SCRAMBLE), -1, 1 << 64)  # key + inverse scrambles to the key's value plus one: a collision
    rng = np.random.default_rng(5)
    keys = rng.integers(0, 1 << 63, size=50, dtype=np.uint64)
    keys[[3, 17, 30]] = keys[9]
    keys[[4, 40]] = np.uint64((int(keys[9]) + inverse) % (1 << 64))
    for h in (keys, keys[:3]):
        order, hs = by_bucket(h)
        assert np.array_equal(hs, h[order]) and sorted(order.tolist()) == list(range(h.size))
        stable = np.argsort(h, kind="stable")
        buckets = {int(v): order[hs == v].tolist() for v in np.unique(h)}
        assert buckets == {int(v): stable[h[stable] == v].tolist() for v in np.unique(h)}


RELEASE = (
    "وقعت امانة العاصمة المقدسة عقود تنفيذ مشاريع سفلتة وإنارة الطرق في مخططات المنح بحي الشرائع والعوالي بقيمة 197"
    " مليون ريال. وأوضح أمين العاصمة المقدسة الدكتور أسامة البار أن المشاريع تشمل سفلتة أكثر من 420 كيلومترا من"
    " الشوارع الداخلية وتركيب 3500 عمود إنارة. وأشار إلى أن مدة تنفيذ المشاريع تبلغ ثمانية عشر شهرا وأن الأمانة"
    " ستتابع أعمال المقاولين ميدانيا لضمان الجودة والالتزام بالمواعيد."
)
REWRITE = (
    "أبرمت أمانة العاصمة المقدسة عقودا بقيمة 197 مليون ريال لسفلتة وإنارة طرق مخططات المنح في الشرائع والعوالي."
    " وقال أمين العاصمة المقدسة الدكتور أسامة البار إن المشاريع تشمل سفلتة أكثر من 420 كيلومترا من الشوارع"
    " الداخلية وتركيب 3500 عمود إنارة. وتبلغ مدة تنفيذ المشاريع ثمانية عشر شهرا على أن تتابع الأمانة عمل المقاولين"
    " في الميدان للتأكد من الجودة واحترام المواعيد."
)
PORT = (
    "The port authority said on Monday that talks with the dockers' unions had stalled again over night shifts and"
    " overtime pay, and that ships would keep waiting outside the harbour until an agreement was reached by both"
    " sides of the dispute."
)


def _pair_by_pair(pairs, shingles, options, relation_of, scores, words, rewrite_of) -> list[Link]:  # type: ignore[no-untyped-def]
    """verify() as it was before it was batched: every pair's sets read and compared one at a time."""
    links = []
    for a, b in pairs.tolist():
        sa, sb = shingles[a], shingles[b]
        jac, con = jaccard_containment(sa, sb)
        scores.append(max(jac, con))
        small = min(sa.size, sb.size)
        if jac < options.threshold and not (con >= options.containment and small >= options.min_containment_shingles):
            if not judged_below(small, con, options):
                continue
            evidence = rewrite_of(a, b, con)
            if evidence.rewrite and (small >= options.min_containment_shingles or evidence.on_order_route()):
                cov = _second_story(words[a], words[b], evidence.coverages or (1.0, 1.0), options.coverage)
                links.append(Link(a, b, round(jac, 4), round(con, 4), DUPLICATE, *cov, evidence=evidence))
            continue
        rel = relation_of(a, b)
        if rel not in (DUPLICATE, TEMPLATE):
            continue
        cov = (round(coverage(words[a], words[b]), 4), round(coverage(words[b], words[a]), 4))
        a_in_b, b_in_a = _second_story(words[a], words[b], cov, options.coverage) if rel != TEMPLATE else (1.0, 1.0)
        links.append(Link(a, b, round(jac, 4), round(con, 4), rel, a_in_b, b_in_a))
    return links


def test_batched_verification_links_what_the_pair_by_pair_check_links(k) -> None:
    fp = Fingerprinter()
    texts = [
        RELEASE,
        REWRITE,  # a rewrite: below the shingle thresholds, linked on its evidence
        RELEASE.replace("197", "143").replace("الشرائع والعوالي", "النوارية والعمرة"),  # a template sibling
        RELEASE + " " + PORT,  # a round-up containing the release
        PORT,
        PORT.replace("Monday", "Tuesday"),
        "The council approved the annual budget late on Tuesday after a long debate about school repairs.",
    ]
    normalised = [normalize(t) for t in texts]
    titles = ["أمانة العاصمة المقدسة توقع عقود سفلتة", "197 مليون ريال لسفلتة مخططات المنح بمكة", None, None,
              "Port talks stall", "Port talks stall again", "Budget approved"]  # fmt: skip
    shingles = [fp.text_shingles(t) for t in normalised]
    words = [content_words(t) for t in normalised]
    analysed = [Analysed(t.split()) for t in normalised]
    pairs = np.array([[a, b] for a in range(len(texts)) for b in range(a + 1, len(texts))])
    options = VerifyOptions()

    def relation_of(a: int, b: int) -> str:
        return relation(analysed[a], analysed[b])

    def judge():  # type: ignore[no-untyped-def]
        return judge_with_titles(RewriteOptions(), words.__getitem__, titles, DEFAULT_OPTIONS, analysed.__getitem__)

    expected_scores: list[float] = []
    expected = _pair_by_pair(pairs, shingles, options, relation_of, expected_scores, words, judge())
    for run in (lambda f: f(), lambda f: _with(k, f)):
        scores: list[float] = []
        links = run(lambda: verify(pairs, shingles, options, relation_of, scores, words, judge()))  # noqa: B023
        assert links == expected and scores == expected_scores
    assert len(k.pair_overlaps.signatures) == len(k.pair_coverages.signatures) == 1
    kinds = {(link.a, link.b): link.relation for link in expected}
    assert kinds[0, 1] == DUPLICATE and expected[0].evidence is not None  # the rewrite
    assert kinds[0, 2] == TEMPLATE and (4, 5) in kinds and (0, 6) not in kinds
