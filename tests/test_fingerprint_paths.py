"""The one-pass fingerprint of a scan (word hashes read once per text) gives what the separate functions give:
content words, shingles and excerpt-window signatures, bit for bit, on real Arabic and English news."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import snn_records

from dedup.fingerprint import (
    Fingerprinter,
    content_word_hashes,
    content_words,
    shingle_hashes,
    token_hashes,
    words_of,
)
from dedup.lsh import candidate_pairs, excerpt_signatures, excerpt_windows
from dedup.normalize import normalize

ENGLISH = (
    "The port strike entered its third day on Monday as talks between unions and operators stalled again. "
    "Shipping lines diverted 14 vessels to Jeddah, and the ministry said 2.5 million tonnes of cargo waited. "
)


def _texts() -> list[str]:
    texts = [normalize(ENGLISH * k) for k in (1, 9, 20, 250)]  # 250: windows in more than one block
    texts += ["", "a", "ab 12 c٣ ق", normalize("ﻻ إله ـ الا ١٤ 𝐀𝐁𝐂 word𝐀 x")]
    for record in itertools.islice(snn_records(), 400):
        texts.append(normalize(f"{record.get('title') or ''}\n{record.get('text') or ''}"))
    return texts


@pytest.mark.parametrize("ngram", [1, 3, 5])
def test_one_pass_matches_the_separate_functions(ngram: int) -> None:
    fp = Fingerprinter(num_perm=64, ngram=ngram)
    long_ones = 0
    for text in _texts():
        tokens, lengths, letters = words_of(text)
        assert np.array_equal(tokens, token_hashes(text))
        assert np.array_equal(content_word_hashes(tokens, lengths, letters), content_words(text))
        assert np.array_equal(shingle_hashes(tokens, ngram), fp.text_shingles(text))
        windows = excerpt_windows(text, ngram)
        expected = fp.signatures(windows) if windows else np.empty((0, 64), dtype=np.uint32)
        assert np.array_equal(excerpt_signatures(tokens, fp), expected)
        long_ones += bool(windows)
    assert long_ones >= 10  # the dev month has long articles: windows were compared


def test_letters_follow_str_isalpha_outside_the_basic_plane() -> None:
    _, lengths, letters = words_of("𝐀𝐁𝐂 𝟏𝟐 ab")
    assert lengths.tolist() == [3, 2, 2]
    assert letters.tolist() == [w.isalpha() for w in "𝐀𝐁𝐂 𝟏𝟐 ab".split()] == [True, False, True]


def test_grouped_banding_pairs_the_first_row_of_each_group_in_a_bucket() -> None:
    # Few distinct values, so that buckets are shared, and groups of one to four rows (a document and its
    # windows): the pairs are those of a plain reading of the rule, band by band.
    rng = np.random.default_rng(7)
    sigs = rng.integers(0, 3, size=(120, 8), dtype=np.uint32)
    groups = np.sort(rng.integers(0, 50, size=120))
    expected = set()
    for band in range(4):
        buckets: dict[tuple[int, int], dict[int, int]] = {}
        for row in range(120):
            key = (int(sigs[row, 2 * band]), int(sigs[row, 2 * band + 1]))
            buckets.setdefault(key, {}).setdefault(int(groups[row]), row)  # first row of the group
        for members in buckets.values():
            rows = sorted(members.values())
            expected |= {(a, b) for i, a in enumerate(rows) for b in rows[i + 1 :]}
    got = candidate_pairs(sigs, 4, 2, groups=groups)
    assert {tuple(p) for p in got.tolist()} == expected and len(expected) > 100
