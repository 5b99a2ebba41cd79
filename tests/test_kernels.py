"""The compiled kernels (dedup.kernels, numba) give bit for bit what the numpy code gives, and small runs never
load them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import kernels
from dedup.clean.guards import LiteralFinder
from dedup.clean.lines import LineRules
from dedup.fingerprint import (
    Fingerprinter,
    _letter_table,
    _words_of_numpy,
    content_word_hashes,
    coverage,
    jaccard_containment,
    ngram_hashes,
    shingle_hashes,
    words_of,
)
from dedup.normalize import DEFAULT_OPTIONS, NormalizeOptions, normalize, normalize_lines_each, normalize_lines_two

pytest.importorskip("numba")

ROOT = Path(__file__).resolve().parent.parent

# Arabic letters, harakat, tatweel, hamza forms, Arabic-Indic digits, Persian letters, Latin, digits,
# punctuation, a combining accent, an emoji and a character beyond the BMP that is a letter.
ALPHABET = (
    "ابتثجحخدذرسشصضطظعغفقكلمنهويءأإآؤئةى"
    "\u064b\u064e\u064f\u0650\u0651\u0652\u0640"
    "٠١٢٣٤٥٦٧٨٩پچگک"
    "abcdefgxyzABCXYZ0123456789ßİ"
    " \n\t.,:;!?«»،؛؟-"
    "\u0301\U0001f600\U00010400"
)
texts = st.text(alphabet=ALPHABET, max_size=400)


@pytest.fixture(scope="module")
def k():
    return kernels.load(force=True)


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_word_kernel_matches_numpy_on_normalised_text(k, raw: str) -> None:
    text = normalize(raw)
    if not text:
        return
    hashes, lengths, letters, astral = k.word_hashes(_codes(text), _letter_table())
    want = _words_of_numpy(_codes(text), True)
    assert (hashes == want[0]).all()
    assert (lengths == want[1]).all()
    if not astral:
        assert (letters == want[2]).all()


@settings(max_examples=200, deadline=None)
@given(texts)
def test_words_of_is_the_same_with_and_without_kernels(k, raw: str) -> None:
    # Raw text too: leading, trailing and double spaces, newlines, astral letters (those go to numpy).
    for text in (raw, normalize(raw), " ".join(raw.split())):
        if not text or text.endswith(" "):  # numpy's words_of cannot take a trailing space (reduceat)
            continue
        kernels._state.update(kernels=k, tried=True)
        try:
            fast = words_of(text)
        finally:
            kernels.reset()
        slow = _words_of_numpy(_codes(text), True)
        for got, want in zip(fast, slow):
            assert got.dtype == want.dtype and (got == want).all()


@settings(max_examples=200, deadline=None)
@given(texts)
def test_content_words_are_the_same_with_and_without_kernels(k, raw: str) -> None:
    # Short words, digits and astral letters (numpy's words_of) decide which words are content words.
    text = normalize(raw)
    if not text:
        return
    read = words_of(text)
    kernels._state.update(kernels=k, tried=True)
    try:
        fast = content_word_hashes(*read)
    finally:
        kernels.reset()
    slow = content_word_hashes(*read)
    assert fast.dtype == slow.dtype == np.uint32 and fast.tolist() == slow.tolist()


def test_content_words_of_an_arabic_sentence_through_the_kernel(k) -> None:
    text = normalize("أعلنت الوزارة في ٣ مايو عن خطة من 12 بندا")
    kernels._state.update(kernels=k, tried=True)
    try:
        fast = content_word_hashes(*words_of(text))
    finally:
        kernels.reset()
    # "في", "عن" and "من" (two letters) are left out; the digits stay (not all letters).
    assert fast.size == len(text.split()) - 3
    assert fast.tolist() == content_word_hashes(*_words_of_numpy(_codes(text), True)).tolist()


@settings(max_examples=150, deadline=None)
@given(st.lists(texts, min_size=1, max_size=8), st.sampled_from([16, 128]), st.integers(1, 5))
def test_minhash_kernels_match_numpy(k, raws: list[str], num_perm: int, ngram: int) -> None:
    fp = Fingerprinter(num_perm=num_perm, ngram=ngram, seed=7)
    sets = [
        shingle_hashes(_words_of_numpy(_codes(t), False)[0], ngram) if t else np.empty(0, np.uint32)
        for t in map(normalize, raws)
    ]
    slow = fp.signatures(sets)
    flat = np.concatenate(sets)
    offsets = np.concatenate(([0], np.cumsum([s.size for s in sets]))).astype(np.int64)
    assert (k.minhash_sets(flat, offsets, fp._a, fp._b) == slow).all()
    # Spans of one document's n-grams (repeats kept), as the excerpt windows use them.
    text = " ".join(["w1 w2 w3 w4 w5 w6", *filter(None, map(normalize, raws)), "z"])
    grams = ngram_hashes(_words_of_numpy(_codes(text), False)[0], ngram)
    starts = np.arange(0, grams.size - 4, 3, dtype=np.int64)  # spans of 5, overlapping, increasing
    stops = starts + 5
    assert (k.minhash_spans(grams, starts, stops, fp._a, fp._b) == fp.span_signatures(grams, starts, stops)).all()


def test_arabic_news_fingerprints_are_identical_through_the_kernels(k) -> None:
    seeds = sorted((ROOT.parent / "shared" / "seeds").glob("*"))
    docs = [p.read_text(encoding="utf-8") for p in seeds] or ["أعلن الرئيس يوم ١٤ ديسمبر في دمشق عن خطة جديدة"]
    fp = Fingerprinter()
    norms = [normalize(d) for d in docs]
    slow_words = [words_of(n) for n in norms]
    slow_sets = [shingle_hashes(w[0], 3) for w in slow_words]
    slow = fp.signatures(slow_sets)
    kernels._state.update(kernels=k, tried=True)
    try:
        fast_words = [words_of(n) for n in norms]
        fast = fp.signatures([shingle_hashes(w[0], 3) for w in fast_words])
    finally:
        kernels.reset()
    assert (fast == slow).all()
    for a, b in zip(fast_words, slow_words):
        assert (content_word_hashes(*a) == content_word_hashes(*b)).all()


def test_kernels_load_only_past_the_threshold(monkeypatch) -> None:
    monkeypatch.setenv("DEDUP_KERNELS", "auto")
    kernels.reset()
    try:
        assert kernels.get(kernels.THRESHOLD - 1) is None
        assert kernels.get(1) is not None
    finally:
        kernels.reset()
    monkeypatch.setenv("DEDUP_KERNELS", "0")
    assert kernels.get(10 * kernels.THRESHOLD) is None
    kernels.reset()


def test_warm_loads_for_a_large_input_without_counting_the_estimate(monkeypatch) -> None:
    monkeypatch.setenv("DEDUP_KERNELS", "auto")
    kernels.reset()
    try:
        # A small input: nothing loaded, and the estimate is not left in the count for forked workers.
        assert kernels.warm(kernels.THRESHOLD // 2) is False
        assert kernels.get(kernels.THRESHOLD // 2 + 1) is None
        assert kernels.warm(kernels.THRESHOLD) is True
    finally:
        kernels.reset()


def test_a_small_scan_never_imports_numba(tmp_path) -> None:
    # The pre-commit case: a few files must not pay numba's import (~0.25 s) or a compile.
    code = (
        "import sys; from dedup.pipeline import Pipeline; "
        f"r = Pipeline(workers=1).scan([{str(ROOT / 'fixtures' / 'scraped.jsonl')!r}]); "
        "print(len(r.clusters) > 0, 'numba' in sys.modules)"
    )
    env = {**os.environ, "DEDUP_CACHE_DIR": str(tmp_path)}
    env.pop("DEDUP_KERNELS", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]


def test_a_process_that_loaded_the_kernels_freezes_its_objects_at_exit() -> None:
    # The teardown of numba's registries is skipped at exit: frozen by the time the interpreter's last
    # collections run (the check registered first runs last).
    code = (
        "import atexit, gc; atexit.register(lambda: print(gc.get_freeze_count() > 0)); "
        "from dedup import kernels; assert kernels.load(force=True) is not None; print(gc.get_freeze_count() > 0)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_loading_the_kernels_skips_scipy_linalg_and_leaves_numba_as_it_would_be() -> None:
    # numba's CPU target probes BLAS by importing scipy.linalg (most of the kernels' load time): blocked for the
    # load only, with numba's answer set to what the probe finds; scipy.linalg imports normally afterwards.
    code = (
        "import sys, importlib.util; from dedup import kernels; assert kernels.load(force=True) is not None; "
        "skipped = 'scipy.linalg' not in sys.modules; from numba.np import arraymath; "
        "import scipy.linalg.cython_blas; "
        "print(skipped, arraymath._HAVE_BLAS == (importlib.util.find_spec('scipy') is not None))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet=ALPHABET.replace("\n", "") + "\u00a0\u2028ﻻ\ufb50", max_size=60), min_size=1, max_size=6)
)
def test_line_folds_are_the_same_with_and_without_kernels(k, lines: list[str]) -> None:
    # Both folds of the line rules (punctuation kept, and the hashing keys), as fold_and_key asks for them.
    options = (NormalizeOptions(punctuation_to_space=False), DEFAULT_OPTIONS)
    lines = [ln.replace("\u2028", " ") for ln in lines]  # a line holds no line break (str.splitlines)
    slow = normalize_lines_each(lines, options)
    kernels._state.update(kernels=k, tried=True)
    try:
        fast = normalize_lines_each(lines, options)
    finally:
        kernels.reset()
    assert fast == slow
    assert slow[1] == [normalize(ln) for ln in lines]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(alphabet=ALPHABET.replace("\n", "") + "\u00a0\u2011\u2026\ufe8d\ufefbﻻ\ufb50\u0323e", max_size=60),
        min_size=1,
        max_size=6,
    )
)
def test_both_line_folds_in_one_kernel_pass_are_those_of_numpy(k, lines: list[str]) -> None:
    # No-break space and presentation forms (one-character NFKC forms) go through the kernel in place; an
    # ellipsis, a lam-alef ligature or a character beyond the BMP send the page to the general path (None).
    options = (NormalizeOptions(punctuation_to_space=False), DEFAULT_OPTIONS)
    slow = normalize_lines_each(lines, options)
    kernels._state.update(kernels=k, tried=True)
    spaces: list[int] = []
    try:
        fast = normalize_lines_two(lines, *options, spaces)
    finally:
        kernels.reset()
    assert fast is None or fast == slow
    # The words of each hashing key, counted by the kernel on the way (dedup.clean.lines.fold_and_key).
    assert fast is None or spaces == [key.count(" ") for key in slow[1]]


def test_pages_of_arabic_news_take_the_one_pass_kernel(k) -> None:
    options = (NormalizeOptions(punctuation_to_space=False), DEFAULT_OPTIONS)
    lines = ["أعلنت\u00a0الوزارة اليوم عن خطة جديدة.", "\ufe8dلاقتصاد ينمو بنسبة ٣٪ هذا العام", "Share this"]
    kernels._state.update(kernels=k, tried=True)
    try:
        fast = normalize_lines_two(lines, *options)
    finally:
        kernels.reset()
    assert fast == normalize_lines_each(lines, options)
    assert fast[1] == ["اعلنت الوزاره اليوم عن خطه جديده", "الاقتصاد ينمو بنسبه 3 هذا العام", "share this"]
    kernels._state.update(kernels=k, tried=True)
    spaces: list[int] = []
    try:
        normalize_lines_two(["  أعلنت\u00a0 الوزارة ، اليوم  ", "", "Share this!"], *options, spaces)
    finally:
        kernels.reset()
    assert spaces == [2, 0, 1]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 40), max_size=120),
    st.lists(st.integers(0, 40), max_size=120),
    st.integers(1, 25),
)
def test_coverage_is_the_same_with_and_without_kernels(k, words: list[int], other: list[int], window: int) -> None:
    a, b = np.array(words, dtype=np.uint32), np.array(other, dtype=np.uint32)
    slow = coverage(a, b, window)
    kernels._state.update(kernels=k, tried=True)
    try:
        fast = coverage(a, b, window)
        read_only = coverage(np.frombuffer(a.tobytes(), dtype=np.uint32), b, window)
        unaligned = coverage(np.frombuffer(b"x" + a.tobytes(), dtype=np.uint32, offset=1), b[::-1], window)
    finally:
        kernels.reset()
    assert fast == slow == read_only == unaligned
    # One compiled version for every kind of array (another would be compiled, and loaded in each process).
    assert len(k.covered_words.signatures) == 1


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), max_size=60), st.integers(1, 8), st.booleans())
def test_shingle_kernels_match_numpy(k, values: list[int], ngram: int, repeats: bool) -> None:
    tokens = np.array(values + (values[:5] if repeats else []), dtype=np.uint64)
    slow = (ngram_hashes(tokens, ngram), shingle_hashes(tokens, ngram))
    kernels._state.update(kernels=k, tried=True)
    try:
        fast = (ngram_hashes(tokens, ngram), shingle_hashes(tokens, ngram))
        spooled = shingle_hashes(np.frombuffer(b"x" + tokens.tobytes(), dtype=np.uint64, offset=1), ngram)
    finally:
        kernels.reset()
    assert all(f.dtype == s.dtype and np.array_equal(f, s) for f, s in zip(fast, slow))
    assert np.array_equal(spooled, slow[1])
    assert len(k.distinct_sorted.signatures) == len(k.ngram_hashes.signatures) == 1


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 60), max_size=80), st.lists(st.integers(0, 60), max_size=80), st.booleans())
def test_jaccard_is_the_same_with_and_without_kernels(k, a: list[int], b: list[int], sets: bool) -> None:
    # Shingle sets are sorted and distinct; anything else is counted by numpy, as before.
    x, y = (np.unique(np.array(v, dtype=np.uint32)) if sets else np.array(v, dtype=np.uint32) for v in (a, b))
    if not sets:
        # Distinct values in the order given (the first of each), not sorted.
        x, y = (v[np.sort(np.unique(v, return_index=True)[1])] for v in (x, y))
    slow = jaccard_containment(x, y)
    kernels._state.update(kernels=k, tried=True)
    try:
        fast = jaccard_containment(x, y)
        spooled = jaccard_containment(np.frombuffer(b"x" + x.tobytes(), dtype=np.uint32, offset=1), y)
    finally:
        kernels.reset()
    assert fast == slow == spooled
    assert len(k.sorted_overlap.signatures) == 1


def _found_with_kernels(k, finder: LiteralFinder, page: str) -> list[str]:
    kernels._state.update(kernels=k, tried=True)
    try:
        return finder.on(page)
    finally:
        kernels.reset()


def test_the_literal_kernel_finds_what_substring_search_finds_on_real_guards(k) -> None:
    rules = LineRules.builtin()
    finder = LiteralFinder(rules.guard_literals[False])
    pages = [
        "اشترك الآن في النشرة البريدية\nعروض وخصومات لفترة محدودة",
        "عدد القراءات: 1200\nجميع الحقوق محفوظة ©",
        "we use cookies to improve your experience\nread our privacy policy\nsubscribe now",
        "استمر إضراب عمال الميناء لليوم الثالث على التوالي",  # none
        "خصم",  # a literal that is the whole page
        "free 𝐟𝐫𝐞𝐞 \ud83d sale",  # characters beyond the BMP and a lone surrogate around literals
    ]
    for page in pages:
        assert _found_with_kernels(k, finder, page) == [lit for lit in finder.literals if lit in page]
    assert _found_with_kernels(k, finder, pages[3]) == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet="abcب ت", min_size=1, max_size=4), max_size=8), st.text(alphabet="abcب ت\n", max_size=80)
)
def test_the_literal_kernel_finds_overlapping_and_nested_literals(k, literals: list[str], page: str) -> None:
    finder = LiteralFinder(tuple(dict.fromkeys(literals)))
    assert _found_with_kernels(k, finder, page) == [lit for lit in finder.literals if lit in page]


_LINE_POOL = [0, *(int.from_bytes(bytes([b]) * 8, "little") for b in range(1, 12))]  # 0: not a line


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["akhbar.example", "sabq.example", None]),
            st.lists(st.sampled_from(_LINE_POOL), max_size=8),
            st.lists(st.integers(1, 2**64 - 1), max_size=3),
        ),
        max_size=12,
    ),
    st.integers(1, 3),
)
def test_site_counting_is_the_same_with_and_without_kernels(k, pages: list, batches: int) -> None:
    # Tiny tables: slots and cells collide, as they do rarely in the real 32M-slot table and 4M-wide sketch.
    from dedup.clean import site

    learners = {}
    for name, found in (("kernels", k), ("numpy", None)):
        learner = site.SiteBoilerplate(min_docs=2, width=8, story_slots=16)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(site, "get_kernels", lambda size, found=found: found)
            for part in range(batches):
                chosen = pages[part::batches]
                learner.observe_columns(
                    [p[0] for p in chosen],
                    np.array([h for p in chosen for h in p[1]], dtype=np.uint64),
                    np.array([len(p[1]) for p in chosen], dtype=np.intp),
                    np.array([key for p in chosen for key in p[2]], dtype=np.uint64),
                    np.array([len(p[2]) for p in chosen], dtype=np.intp),
                )
        learners[name] = learner
    with_kernels, plain = learners["kernels"], learners["numpy"]
    assert np.array_equal(with_kernels._stories, plain._stories)
    assert np.array_equal(with_kernels._counts, plain._counts)
    assert with_kernels.site_stories == plain.site_stories


def test_site_boilerplate_of_arabic_pages_is_learned_the_same_through_the_kernels(k, monkeypatch) -> None:
    from dedup.clean import site

    menu = "الرئيسية | أخبار | رياضة | اقتصاد"
    stories = [
        "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في مدينة جدة بسعة ثلاثمائة سرير.",
        "ارتفعت أسعار النفط في التعاملات الآسيوية مع تراجع المخزونات الأمريكية للأسبوع الثالث.",
        "The port strike entered its third day on Monday as talks between unions and operators stalled.",
        "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في مدينة جدة بسعة ثلاثمائة سرير.",  # a version of the first
    ]
    learned = []
    for found in (k, None):
        monkeypatch.setattr(site, "get_kernels", lambda size, found=found: found)
        learner = site.SiteBoilerplate(min_docs=2)
        for text in stories:
            learner.observe("sabq.example", f"{menu}\n{text}\nتابعونا على تويتر")
        learned.append((learner.learned(), learner.site_stories, learner._counts.sum()))
    assert learned[0] == learned[1]
    assert {line.line for line in learned[0][0]} == {menu, "تابعونا على تويتر"}
