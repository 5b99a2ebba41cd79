"""The batch kernels (dedup.kernels_clean) give, for a batch of pages, bit for bit what the per-page code gives:
word hashes, content words and story shingles of each page's normalised text."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import kernels
from dedup.clean import Cleaner, site_observations
from dedup.clean.fold import _LINE_FOLD, fold_and_key, fold_and_key_pages
from dedup.clean.lines import LineRules
from dedup.document import Document
from dedup.fingerprint import _MIX_READ_ONLY, _letter_table, content_word_hashes, shingle_hashes, words_of
from dedup.normalize import DEFAULT_OPTIONS, _lookup_table, _nfkc_expansions, _nfkc_stable, normalize

pytest.importorskip("numba")

# Arabic and Latin letters, digits, punctuation (normalised away), a letter beyond the BMP and an emoji.
ALPHABET = "ابتثجحخدذرسشصضطظعغفقكلمنهويءأإآؤئةىabcdefgxyz0123456789 .,:«»،؟\U00010400\U0001f600"
pages_text = st.lists(st.text(alphabet=ALPHABET, max_size=200), max_size=12)
# Lines as a page splits them, with what sends a page off the one-call fold: ß (a multi-character fold), a no-break
# space and an ellipsis (NFKC forms put in), a combining accent, harakat and tatweel, Persian letters.
LINE_ALPHABET = ALPHABET + "\u064b\u0651\u0640پچß\u00a0\u2026\u0301\tABC"
page_lines = st.lists(st.lists(st.text(alphabet=LINE_ALPHABET, max_size=60), max_size=6), max_size=8)


@pytest.fixture(scope="module")
def k():
    return kernels.load(force=True)


def _per_page(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    tokens, lengths, letters = words_of(text, spaced=True)
    astral = sum(ord(c) > 0xFFFF for c in text)
    return tokens, content_word_hashes(tokens, lengths, letters), shingle_hashes(tokens, 3), astral


@settings(max_examples=200, deadline=None)
@given(pages_text)
def test_page_words_matches_the_per_page_kernels(k, raws: list[str]) -> None:
    texts = [normalize(raw) for raw in raws]  # single spaces, none at either end, "" for a page of punctuation
    bounds = np.concatenate(([0], np.cumsum([len(t) for t in texts]))).astype(np.int64)
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    tokens, token_ends, content, content_ends, grams, gram_ends, astral = k.page_words(
        codes, bounds, _letter_table(), 3, _MIX_READ_ONLY
    )
    starts = [0, *gram_ends[:-1].tolist()]
    for start, stop in zip(starts, gram_ends.tolist()):
        grams[start:stop].sort()
    grams, gram_ends = k.distinct_runs(grams, gram_ends)
    at = [0, 0, 0]
    for t, text in enumerate(texts):
        want_tokens, want_content, want_shingles, want_astral = _per_page(text)
        got_tokens = tokens[at[0] : token_ends[t]]
        got_content = content[at[1] : content_ends[t]]
        got_shingles = grams[at[2] : gram_ends[t]]
        at = [int(token_ends[t]), int(content_ends[t]), int(gram_ends[t])]
        assert astral[t] == want_astral
        assert got_tokens.tolist() == want_tokens.tolist()
        assert got_shingles.tolist() == want_shingles.tolist()
        if not want_astral:  # a page with one is read page by page (numpy tells its letters)
            assert got_content.tolist() == want_content.tolist()


ARTICLES = [
    Document(
        id="a1",
        source="sabq.org",
        title="الأمير يفتتح مشروع الطاقة الشمسية في تبوك",
        text="افتتح الأمير اليوم مشروع الطاقة الشمسية في منطقة تبوك بطاقة إنتاجية تبلغ ثلاثمئة ميغاواط.\nشارك",
    ),
    Document(id="a2", source="okaz.com.sa", title="", text="•••\n،،،"),  # nothing left of it once normalised
    Document(
        id="a3",
        source="example.com",
        title="Port strike enters third day",
        text="The port strike entered its third day on Tuesday as talks stalled 𐐀 again.\nShare this article",
    ),
    Document(id="a4", source=None, title="Markets", text="Oil prices rose on Monday, traders said."),
]


def test_site_observations_same_with_and_without_the_batch_kernels(monkeypatch) -> None:
    cleaner = Cleaner()

    def observed(mode: str) -> list[tuple]:
        monkeypatch.setenv("DEDUP_KERNELS", mode)
        kernels.reset()
        pages = [cleaner.clean_page_keyed(doc) for doc in ARTICLES]
        out = site_observations(pages)
        return [
            (site, hashes.tolist(), lines, None if keys is None else keys.tolist(), p.tokens.tolist(),
             p.content.tolist(), p.shingles.tolist(), p.tokens.dtype, p.content.dtype, p.shingles.dtype)
            for (site, hashes, lines, keys), p in zip(out, pages)
        ]  # fmt: skip

    try:
        batch, numpy_only = observed("1"), observed("0")
    finally:
        kernels.reset()
    assert batch == numpy_only
    assert list(batch[1][4:7]) == [[], [], []]  # the page of punctuation has no words
    assert len(batch[0][6]) > 5  # the Arabic story has its shingles


@settings(max_examples=200, deadline=None)
@given(page_lines)
def test_fold_and_key_pages_is_fold_and_key_page_by_page(k, pages: list[list[str]]) -> None:
    assert fold_and_key_pages(pages) == [fold_and_key(lines) for lines in pages]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=LINE_ALPHABET + "\n\r\u2028\x85", max_size=80), max_size=8))
def test_fold_pages_is_fold_two_page_by_page(k, texts: list[str]) -> None:
    """The batch kernel gives each page what the per-page kernel gives it: both folds, each line's spaces,
    whether it took the page and its statuses (line separators too, which a fold may write as line breaks)."""
    a, b = _LINE_FOLD, DEFAULT_OPTIONS
    needs, expand, flags = _nfkc_expansions(a, b)
    tables = (_lookup_table(a), _lookup_table(b), _nfkc_stable(), needs, expand, flags)
    ends = np.concatenate(([0], np.cumsum([len(t) for t in texts]))).astype(np.int64)
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    out_a, out_b, spaces, line_ends, ok, status = k.fold_pages(codes, ends, *tables)
    want_a, want_b, want_spaces, want_ends = [], [], [], []
    for p, text in enumerate(texts):
        page = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        fa, sa, fb, sb, good, counted = k.fold_two(page, *tables)
        assert bool(ok[p]) == good
        if good:
            assert status[p].tolist() == [sa, sb]
            want_a += [*fa.tolist(), 0x0A]
            want_b += [*fb.tolist(), 0x0A]
            want_spaces += counted.tolist()
        want_ends.append(len(want_spaces))
    assert (out_a.tolist(), out_b.tolist(), spaces.tolist(), line_ends.tolist()) == (
        want_a,
        want_b,
        want_spaces,
        want_ends,
    )


def test_fold_and_key_pages_with_a_page_the_kernel_gives_up_on() -> None:
    kernels.load(force=True)
    pages = [
        ["الأمير يفتتح المعرض", "افتتح الأمير المعرض الدولي للكتاب اليوم."],
        ["Die Straße", "Ein Satz\u0301 mit 𐐀 darin."],  # multi-character fold, a character beyond the BMP
        [],
        [""],
        ["Port strike enters third day", "Talks stalled\u00a0again\u2026"],
    ]
    assert fold_and_key_pages(pages) == [fold_and_key(lines) for lines in pages]
    assert fold_and_key_pages(pages)[0][1] == ["الامير يفتتح المعرض", "افتتح الامير المعرض الدولي للكتاب اليوم"]


def test_clean_pages_keyed_is_clean_page_keyed_page_by_page() -> None:
    kernels.load(force=True)
    cleaner = Cleaner()
    docs = [*ARTICLES, Document(id="a5", title="عاجل\nخبر", text="اقرأ أيضاً\nخبر عن الاقتصاد\nشارك")]
    batch = cleaner.clean_pages_keyed(docs)
    one = [cleaner.clean_page_keyed(doc) for doc in docs]
    assert [(p.doc, p.keys, p.hashes.tolist()) for p in batch] == [(p.doc, p.keys, p.hashes.tolist()) for p in one]
    assert [r.rule for r in batch[0].doc.removed] == ["pattern:share-bar"]


def test_literals_of_many_pages_are_those_of_each_page() -> None:
    kernels.load(force=True)
    rules = LineRules.builtin()
    finder = rules._finder
    pages = [
        "شارك\nاشترك الان واحصل على خصم لفتره محدوده",
        "",
        "we use cookies to improve your experience\nprivacy policy",
        "استمر اضراب عمال الميناء لليوم الثالث",
        "Copyright (c) 2024 All Rights Reserved",  # capitals: a case twin, the literals all the same
        "free shipping\nsubscribe now",
    ]
    found = finder.on_pages(pages)
    assert found == [finder.on(page) for page in pages]
    assert found[1] == [] and "cookie" in found[2] and "خصم" in found[0]
    assert found[3] == []
