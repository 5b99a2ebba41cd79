"""Shingles, MinHash signatures and LSH candidates: equal to datasketch's own, batch for batch."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.fingerprint import Fingerprinter, jaccard_containment, shingle_hashes
from dedup.lsh import band_hashes, candidate_pairs, drop_chance_collisions, lsh_params
from dedup.normalize import tokens

STORY = (
    "وصلت إلى مطار عدن الدولي اليوم الطائرة الإغاثية الرابعة ضمن الجسر الجوي الذي يسيّره مركز الملك سلمان "
    "للإغاثة والأعمال الإنسانية، وتحمل على متنها أدوية ومستلزمات طبية وأغذية للمتضررين في المدينة"
)


def _datasketch_signature(shingles: np.ndarray, num_perm: int) -> np.ndarray:
    m = MinHash(num_perm=num_perm, seed=1, scheme="affine32", hashfunc=lambda x: x)
    m.update_batch([int(x) for x in shingles])
    return m.hashvalues


def test_signatures_equal_datasketch_update_batch() -> None:
    fp = Fingerprinter(num_perm=64, ngram=3)
    docs = [tokens(STORY), tokens(STORY)[:7], [], tokens("A short English brief about the port strike.")]
    shingle_sets = [fp.shingles(d) for d in docs]
    sigs = fp.signatures(shingle_sets, chunk=16)  # a small chunk forces several slices
    for shingles, sig in zip(shingle_sets, sigs):
        if shingles.size:
            assert np.array_equal(sig, _datasketch_signature(shingles, 64))
        else:
            assert (sig == np.iinfo(np.uint32).max).all()


def test_signature_estimates_jaccard_of_shingle_sets() -> None:
    fp = Fingerprinter(num_perm=256, ngram=2)
    a = tokens(STORY)
    b = [*a[:-6], "وقال", "مسؤول", "في", "المركز", "ان", "الشحنه", "تكفي", "شهرا"]
    sa, sb = fp.shingles(a), fp.shingles(b)
    ja, _ = jaccard_containment(sa, sb)
    sig = fp.signatures([sa, sb])
    estimate = float((sig[0] == sig[1]).mean())
    assert abs(estimate - ja) < 0.12


def test_shingles_depend_on_word_order_and_short_texts_still_have_one() -> None:
    fp = Fingerprinter(ngram=3)
    assert not np.array_equal(fp.shingles(["a", "b", "c"]), fp.shingles(["c", "b", "a"]))
    assert fp.shingles(["وحيد"]).size == 1
    assert shingle_hashes(np.empty(0, dtype=np.uint64), 3).size == 0


def test_containment_sees_a_trimmed_copy() -> None:
    fp = Fingerprinter(ngram=3)
    second = "وأوضح المتحدث باسم المركز أن الجسر الجوي سيستمر حتى تلبية احتياجات السكان كافة في المحافظات الجنوبية"
    full = tokens(STORY + " " + second)
    trimmed = tokens(STORY)
    jac, con = jaccard_containment(fp.shingles(full), fp.shingles(trimmed))
    assert con == 1.0 and jac < 0.7


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.sampled_from([0.3, 0.5, 0.7]))
def test_banding_finds_exactly_the_pairs_minhashlsh_finds(seed: int, threshold: float) -> None:
    rng = np.random.default_rng(seed)
    fp = Fingerprinter(num_perm=64, ngram=2)
    base = [f"w{i}" for i in rng.integers(0, 400, size=60)]
    docs = []
    for _ in range(30):
        doc = list(base)
        for _ in range(int(rng.integers(0, 40))):
            doc[int(rng.integers(0, len(doc)))] = f"x{int(rng.integers(0, 10_000))}"
        docs.append(doc)
    sigs = fp.signatures([fp.shingles(d) for d in docs])
    bands, rows = lsh_params(threshold, 64)
    ours = {tuple(p) for p in candidate_pairs(sigs, bands, rows).tolist()}
    lsh = MinHashLSH(threshold=threshold, num_perm=64, params=(bands, rows))
    for i, sig in enumerate(sigs):
        lsh.insert(i, fp.lean_minhash(sig))
    theirs = {(min(i, j), max(i, j)) for i, sig in enumerate(sigs) for j in lsh.query(fp.lean_minhash(sig)) if i != j}
    assert ours == theirs


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=8))
def test_banding_a_subset_in_place_with_band_by_band_filter_equals_copy_then_filter(seed: int, min_shared: int) -> None:
    # find_links bands the representatives' rows without copying them and drops chance pairs per band; that
    # must give exactly the pairs of banding a copy and filtering once at the end.
    rng = np.random.default_rng(seed)
    # Few distinct values per column, so bands collide and pairs agree on varying numbers of values.
    sigs = rng.integers(0, 4, size=(40, 32)).astype(np.uint32)
    rows_of = np.sort(rng.choice(40, size=25, replace=False)).astype(np.int64)
    copy = sigs[rows_of]
    for bands, rows in ((16, 2), (8, 4)):  # two-row bands are raw 64-bit keys, longer ones are hashed
        expected = drop_chance_collisions(copy, candidate_pairs(copy, bands, rows), min_shared)
        got = candidate_pairs(sigs, bands, rows, rows_of=rows_of, min_shared=min_shared)
        assert got.tolist() == expected.tolist()
        if rows == 2:
            assert len(expected) > 0


def test_banding_pairs_a_copy_and_not_a_distinct_story() -> None:
    fp = Fingerprinter(num_perm=128)
    docs = [
        STORY,
        STORY.replace("الرابعة", "الرابعه"),
        "أعلنت وزارة المالية اليوم عن ميزانية العام المقبل بعجز أقل من المتوقع",
    ]
    sigs = fp.signatures([fp.shingles(tokens(d)) for d in docs])
    assert candidate_pairs(sigs, *lsh_params(0.5, 128)).tolist() == [[0, 1]]


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.sampled_from([(16, 2), (32, 1), (8, 4), (4, 8)]))
def test_batch_and_stored_band_keys_file_documents_in_the_same_buckets(seed: int, shape: tuple[int, int]) -> None:
    # band_hashes has two kinds of keys (flat ones for the persistent indexes, per-band ones for a scan): both
    # must put two documents in one bucket exactly when the band's values are equal.
    bands, rows = shape
    sigs = np.random.default_rng(seed).integers(0, 3, size=(30, bands * rows)).astype(np.uint32)
    flat, batch = band_hashes(sigs, bands, rows), band_hashes(sigs, bands, rows, flat=False)
    assert flat.dtype == np.int64 and batch.dtype == np.uint64 and flat.shape == batch.shape == (30, bands)
    cells = sigs.reshape(30, bands, rows)
    same_values = (cells[:, None] == cells[None, :]).all(axis=3)
    assert ((flat[:, None] == flat[None, :]) == same_values).all()
    assert ((batch[:, None] == batch[None, :]) == same_values).all()
    assert len(np.unique(flat)) == len({(b, tuple(c)) for row in cells for b, c in enumerate(row)})  # bands apart


def test_own_fmix_and_permutations_are_datasketchs_bit_for_bit() -> None:
    # Signatures are computed without importing datasketch (it loads scipy): the two pieces taken from it
    # must stay exactly its own.
    from datasketch.minhash import _fmix as their_fmix

    from dedup.fingerprint import _fmix, affine32_permutations

    rng = np.random.default_rng(7)
    for width, dtype in ((32, np.uint32), (64, np.uint64)):
        values = rng.integers(0, np.iinfo(dtype).max, size=1000, dtype=dtype, endpoint=True)
        assert (_fmix(values, width) == their_fmix(values, width)).all()
    for num_perm, seed in ((128, 1), (64, 7), (256, 12345), (1, 0)):
        a, b = affine32_permutations(num_perm, seed)
        theirs = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
        assert (a == theirs[0]).all() and (b == theirs[1]).all()


def test_lsh_params_are_datasketchs_and_cached_on_disk(tmp_path, monkeypatch) -> None:
    from datasketch.lsh import _optimal_param

    monkeypatch.setenv("DEDUP_CACHE_DIR", str(tmp_path))
    grid = [(t, n) for t in (0.1, 0.3, 0.5, 0.85) for n in (64, 128)]
    try:
        lsh_params.cache_clear()
        assert [lsh_params(t, n) for t, n in grid] == [_optimal_param(t, n, 0.5, 0.5) for t, n in grid]
        (cache,) = tmp_path.glob("lsh-params-*.json")
        assert len(json.loads(cache.read_text(encoding="utf-8"))) == len(grid)
        lsh_params.cache_clear()
        cache.write_text("{not json", encoding="utf-8")  # an unreadable cache is rebuilt, never fatal
        assert lsh_params(0.5, 128) == _optimal_param(0.5, 128, 0.5, 0.5)
        assert json.loads(cache.read_text(encoding="utf-8")) == {"0.5 128": list(_optimal_param(0.5, 128, 0.5, 0.5))}
    finally:
        lsh_params.cache_clear()


def test_cli_start_up_and_a_scan_do_not_import_datasketch(tmp_path) -> None:
    # datasketch pulls in scipy (~0.7 s); the CLI, and a scan once the LSH parameters are cached, never need it.
    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "scraped.jsonl"
    code = (
        "import sys; import dedup.cli; from dedup.pipeline import Pipeline; "
        f"r = Pipeline(workers=1).scan([{str(fixtures)!r}]); "
        "print(len(r.clusters), 'datasketch' in sys.modules, 'scipy' in sys.modules)"
    )
    env = {**os.environ, "DEDUP_CACHE_DIR": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    clusters = first.stdout.split()[0]
    assert int(clusters) >= 1
    assert again.stdout.split() == [clusters, "False", "False"]
    bare = subprocess.run(
        [sys.executable, "-c", "import sys, dedup.cli; print('scipy' in sys.modules)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert bare.stdout.strip() == "False"
