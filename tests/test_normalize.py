"""Normalisation: each Arabic folding step, its switch, and invariants checked with hypothesis."""

import unicodedata

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.normalize import DEFAULT_OPTIONS, NormalizeOptions, normalize, normalize_lines, normalize_lines_each, tokens

ARABIC = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
MIXED = st.one_of(
    ARABIC,
    st.characters(codec="utf-8"),
    st.sampled_from(["\u200f", "\u200e", "\u202b", "\u200c", "\u0640", "\ufeff", "ـ", " ", "\n", "،", "؟", "😀"]),
)


def test_spelling_variants_of_one_headline_normalise_alike() -> None:
    careful = "الرئيسُ أحمد الشرع يُرسل برقيةً إلى ترامب في 14 ديسمبر"
    careless = "الرئيس احمد الشرع يرسل برقيه الي ترامـــب في ١٤ ديسمبر"
    assert normalize(careful) == normalize(careless)


def test_persian_letter_forms_fold_to_arabic() -> None:
    # Seed 002 has a پ typo for ب ("پايات"); Persian keyboards also type ک and ی.
    assert normalize("پايات کتاب یوم") == normalize("بايات كتاب يوم")


def test_invisible_and_bidi_controls_are_removed_not_turned_into_spaces() -> None:
    assert normalize("سو\u200cريا \u202bدمشق\u202c") == "سوريا دمشق"


def test_punctuation_separates_words_in_every_script() -> None:
    assert tokens("«الحكومة»،الوزارة؛ state-run (AFP)") == ["الحكومه", "الوزاره", "state", "run", "afp"]


def test_latin_is_casefolded_and_digits_unified() -> None:
    assert normalize("Reuters REPORTS ۱۲۳ and ٤٥") == "reuters reports 123 and 45"


def test_each_step_can_be_switched_off() -> None:
    text = "مدرسةٌ أولى ـ ٣"
    assert "ة" in normalize(text, NormalizeOptions(fold_teh_marbuta=False))
    assert "أ" in normalize(text, NormalizeOptions(fold_alef=False))
    assert "٣" in normalize(text, NormalizeOptions(fold_digits=False))
    assert "ٌ" in normalize(text, NormalizeOptions(strip_diacritics=False))
    assert "ـ" in normalize(text, NormalizeOptions(strip_tatweel=False, punctuation_to_space=False))
    assert NormalizeOptions(casefold=False).signature() != NormalizeOptions().signature()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=MIXED, max_size=200))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


def _letters(text: str) -> int:
    # Tatweel (U+0640) is category Lm but is a justification stroke, not a letter: removing it is intended.
    return sum(1 for c in text if unicodedata.category(c).startswith("L") and c != "\u0640")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=MIXED, max_size=200))
def test_normalize_never_drops_letters(text: str) -> None:
    before = _letters(unicodedata.normalize("NFKC", text).replace("\u0640", ""))
    assert _letters(normalize(text)) >= before


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=MIXED, max_size=200))
def test_output_is_single_spaced_words(text: str) -> None:
    out = normalize(text)
    assert out == out.strip()
    assert "  " not in out and "\n" not in out


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=MIXED, max_size=200), st.booleans(), st.booleans(), st.booleans())
def test_fast_path_equals_step_by_step_reference(text: str, punct: bool, casefold: bool, teh: bool) -> None:
    from dedup.normalize import _reference

    options = NormalizeOptions(punctuation_to_space=punct, casefold=casefold, fold_teh_marbuta=teh)
    assert normalize(text, options) == _reference(text, options)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=MIXED, max_size=60).map(lambda s: s.replace("\n", " ")), max_size=8), st.booleans())
def test_normalize_lines_equals_normalize_per_line(lines: list[str], punct: bool) -> None:
    from dedup.normalize import normalize_lines

    lines = ["".join(ln.splitlines()) for ln in lines]
    options = NormalizeOptions(punctuation_to_space=punct)
    assert normalize_lines(lines, options) == [normalize(ln, options) for ln in lines]


def test_unicode_tables_are_cached_on_disk_and_rebuilt_when_unreadable(tmp_path, monkeypatch) -> None:
    from dedup import normalize as n

    monkeypatch.setenv("DEDUP_CACHE_DIR", str(tmp_path))
    built = n._build_lookup_table(n.DEFAULT_OPTIONS)
    stable, inert = n._build_nfkc_classes()
    for attempt in ("first run builds and writes", "second run reads", "corrupt files are rebuilt"):
        n._lookup_table.cache_clear()
        n._nfkc_classes.cache_clear()
        assert np.array_equal(n._lookup_table(n.DEFAULT_OPTIONS), built), attempt
        got_stable, got_inert = n._nfkc_classes()
        assert np.array_equal(got_stable, stable) and np.array_equal(got_inert, inert), attempt
        files = sorted(tmp_path.glob("*.npz"))
        assert len(files) == 2, attempt
        if attempt == "second run reads":
            for f in files:
                f.write_bytes(b"not a table")
    n._lookup_table.cache_clear()
    n._nfkc_classes.cache_clear()
    assert normalize("أَعلنَ الرئيسُ") == "اعلن الرييس"


def test_cache_folder_without_a_home_directory_falls_back_to_the_temp_dir(monkeypatch) -> None:
    # Some containers have no home directory: Path.home() raises, and the cache must still go somewhere.
    import tempfile
    from pathlib import Path

    from dedup import cache as n

    monkeypatch.delenv("DEDUP_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    folder = n.cache_dir()
    assert folder.parent == Path(tempfile.gettempdir()) and folder.name.startswith("dedup-cache-")
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert n.cache_dir() == Path("/somewhere/dedup")


def test_lines_normalised_for_several_options_at_once_match_each_alone() -> None:

    fold = NormalizeOptions(punctuation_to_space=False)
    raw = NormalizeOptions(nfkc=False, casefold=False)
    lines = [
        "أعلنَ الرئيسُ ـــ يوم ١٤ ديسمبر، في دمشق!",
        "",
        "ﻻ تنسَ: Share THIS «الجمهوريّة»",
        "Straße ﬁnance ①",
        "الوسوم: اقتصاد، نفط",
    ]
    each = normalize_lines_each(lines, (fold, DEFAULT_OPTIONS, raw))
    assert each == [normalize_lines(lines, fold), normalize_lines(lines), normalize_lines(lines, raw)]
    assert each[0][4] == "الوسوم: اقتصاد، نفط" and each[1][4] == "الوسوم اقتصاد نفط"
