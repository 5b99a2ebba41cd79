"""Numbers and dates compared by value (:mod:`dedup.numbers`), and what that does to the template test.

The figures are read from normalised text, as the template test reads them: every test goes through
:func:`dedup.normalize.normalize` first, so separators, Arabic-Indic and Persian digits are as a scan sees them.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dedup.cluster import DUPLICATE, TEMPLATE
from dedup.facts import Fact, token_facts
from dedup.normalize import normalize
from dedup.numbers import Day, Quantity, read_expression
from dedup.templates import relation

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def reading(text: str) -> Fact:
    """The fact stated by the figure or date at the start of ``text`` (after normalisation)."""
    tokens = normalize(text).split()
    facts = token_facts([*tokens, "خبر"])
    assert facts[0] is not None, f"no figure read in {text!r}"
    return facts[0].whole or facts[0]


def same(a: str, b: str) -> bool:
    fa, fb = reading(a), reading(b)
    return fa.matches(fb) and fb.matches(fa)


# -- figures as outlets write them ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1,059,593,121 ريالا", "مليار وتسعة وخمسين مليون ريال"),
        ("7,726,135 ريالا", "7 ملايين ريال"),
        ("7,726,135 ريالا", "7.7 مليون ريال"),
        ("1.059.593", "1,059,593"),
        ("١٬٠٥٩٬٥٩٣", "1,059,593"),
        ("۱۰۵۹۵۹۳", "1059593"),
        ("15,5 مليون", "15.5 مليون"),
        ("15.5 مليون", "15,500,000"),
        ("25 ألفاً و823 ناخبا", "25,823 ناخبا"),
        ("ثلاثمائة وخمسة وعشرون ألفا", "325,000"),
        ("مليون وتسعمائة ألف", "1,900,000"),
        ("11 ألفا", "11,000"),
        ("ألفين", "2000"),
        ("أربعة", "4"),
        ("الحادي والثمانين", "81"),
        ("8ر15", "15.8"),
        ("000ر22", "22 ألف"),
        ("197مليون", "197 مليون"),
        ("1.2 billion", "1,200,000,000"),
        ("two million", "2,000,000"),
        ("one hundred and fifty five", "155"),
        ("53,715,000", "54 مليون"),
        ("9372.74 نقطة", "9373 نقطة"),
    ],
)
def test_one_figure_written_two_ways(a: str, b: str) -> None:
    assert same(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("7,726,135", "7,726,136"),
        ("7 ملايين", "8.2 مليون"),
        ("7 ملايين", "9 ملايين"),
        ("6.1 مليار", "5.3 مليار"),
        ("360 ألفا", "363 ألف"),
        ("5500", "5600"),
        ("20 طنا", "200 طن"),
        ("15-35 كم", "10-30 كم"),
        ("10:30", "10:45"),
        ("الرابعة", "الخامسة"),
    ],
)
def test_different_figures_stay_different(a: str, b: str) -> None:
    assert not same(a, b)


def test_per_cent_and_vague_scale_words_are_no_figures() -> None:
    assert read_expression(normalize("بالمائة").split(), 0) is None
    assert read_expression(normalize("آلاف").split(), 0) is None  # "آلاف المتظاهرين": thousands of, no figure
    assert read_expression(normalize("المليار").split(), 0) is None
    assert token_facts(normalize("ارتفع 5 بالمائة").split())[2] is None


# -- dates -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("07/09", "7/9"),
        ("14 ديسمبر 2025", "14/12/2025"),
        ("14 ديسمبر 2025", "2025-12-14"),
        ("14 كانون الأول 2025", "14 ديسمبر 2025"),
        ("الرابع عشر من ديسمبر", "14 ديسمبر"),
        ("December 14, 2025", "14 ديسمبر 2025"),
        ("27 رمضان 1436هـ", "14 يوليو 2015"),
        ("15 أغسطس آب المقبل", "30/10/1436هـ"),
        ("14 ذي القعدة 1436", "29 أغسطس 2015"),
    ],
)
def test_one_date_written_two_ways(a: str, b: str) -> None:
    assert same(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("14 ديسمبر 2025", "15 ديسمبر 2025"),
        ("14 ديسمبر 2025", "14 ديسمبر 2024"),
        ("14/12/2025", "14/11/2025"),
        ("27 رمضان 1436هـ", "20 يوليو 2015"),
    ],
)
def test_different_dates_stay_different(a: str, b: str) -> None:
    assert not same(a, b)


def test_hijri_and_gregorian_calendars_agree_within_two_days() -> None:
    # 1 Ramadan 1436 was 18 June 2015 (Umm al-Qura); 1 Muharram 1437 was 14 October 2015.
    assert Day(1, 9, 1436, hijri=True).same(Day(18, 6, 2015))
    assert Day(1, 1, 1437, hijri=True).same(Day(14, 10, 2015))
    assert not Day(1, 9, 1436, hijri=True).same(Day(22, 6, 2015))


# -- properties ------------------------------------------------------------------------------------------------------


def _formats(n: int) -> list[str]:
    """``n`` as outlets write it: plain, with comma or dot thousands, in Arabic-Indic and Persian digits."""
    comma = f"{n:,}"
    return [str(n), comma, comma.replace(",", "."), comma.translate(ARABIC_INDIC).replace(",", "٬"),
            str(n).translate(PERSIAN)]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_a_number_and_its_formatted_variants_compare_equal(n: int) -> None:
    forms = _formats(n)
    for a in forms:
        for b in forms:
            assert same(a, b), (a, b)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10**12))
def test_two_different_numbers_never_compare_equal(a: int, b: int) -> None:
    assume(a != b)
    for x, y in zip(_formats(a), _formats(b)):
        assert not same(x, y), (x, y)


_SCALES = [(10**3, "ألف"), (10**6, "مليون"), (10**9, "مليار"), (10**6, "million"), (10**9, "billion")]


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1000, max_value=10**12), st.sampled_from(_SCALES))
def test_a_figure_rounded_or_truncated_with_a_scale_word_is_the_same_fact(n: int, scale: tuple[int, str]) -> None:
    size, word = scale
    assume(n >= size)
    assert same(f"{n:,}", f"{n // size} {word}")  # truncated: "7 مليون" for 7,726,135
    assert same(f"{n:,}", f"{round(n / size)} {word}")  # rounded
    assert same(f"{n:,}", f"{n / size:.1f} {word}")  # one decimal


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1000, max_value=10**12), st.integers(min_value=1, max_value=999), st.sampled_from(_SCALES))
def test_a_figure_beyond_the_rounding_tolerance_is_another_fact(n: int, k: int, scale: tuple[int, str]) -> None:
    size, word = scale
    assume(n >= size)
    written = (n + size // 2) // size + k  # a unit or more above the figure rounded half up
    assert not same(f"{n:,}", f"{written} {word}")
    below = n // size - k  # one unit or more below the truncated figure
    assume(below >= 1)
    assert not same(f"{n:,}", f"{below} {word}")


def _spelled(n: int) -> str:
    """``n`` (1-999) spelled in Arabic, units before tens, "و" between the parts."""
    units = ["", "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة"]
    tens = ["", "عشرة", "عشرون", "ثلاثون", "أربعون", "خمسون", "ستون", "سبعون", "ثمانون", "تسعون"]
    hundreds = ["", "مائة", "مائتان", "ثلاثمائة", "أربعمائة", "خمسمائة", "ستمائة", "سبعمائة", "ثمانمائة", "تسعمائة"]
    h, rest = divmod(n, 100)
    t, u = divmod(rest, 10)
    if 11 <= rest <= 19:
        below = f"{units[u]} عشر" if u > 1 else "أحد عشر"
    else:
        below = " و".join(w for w in (units[u], tens[t]) if w)
    return " و".join(w for w in (hundreds[h], below) if w)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=999))
def test_spelled_numbers_read_as_their_digits(n: int) -> None:
    assert same(_spelled(n), str(n)), _spelled(n)
    assert same(f"{_spelled(n)} ألفا", f"{n * 1000:,}"), _spelled(n)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, max_value=1e9), st.floats(min_value=0.001, max_value=1e6))
def test_quantities_compare_symmetrically(value: float, unit: float) -> None:
    a, b = Quantity(value, unit), Quantity(round(value), 1.0)
    assert a.same(b) == b.same(a)


# -- the template test with real-looking sentences -------------------------------------------------------------

RELEASE = (
    "أعلنت وزارة الشؤون البلدية والقروية توقيع عقود بقيمة {value} لتنفيذ مشروعات سفلتة وإنارة الطرق في أحياء "
    "مكة المكرمة، وأوضح المتحدث الرسمي باسم الوزارة أن المشروعات تشمل {n} حيا وتستغرق مدة تنفيذها {months} شهرا"
)


def words(text: str) -> list[str]:
    return normalize(text).split()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"value": "1,059,593,121 ريالا", "n": "12", "months": "18"},
         {"value": "مليار وتسعة وخمسين مليون ريال", "n": "12", "months": "18"}),
        ({"value": "7,726,135 ريالا", "n": "١٢", "months": "١٨"},
         {"value": "7 ملايين ريال", "n": "12", "months": "18"}),
        ({"value": "7.7 مليون ريال", "n": "اثني عشر", "months": "ثمانية عشر"},
         {"value": "7,726,135 ريالا", "n": "12", "months": "18"}),
    ],
)  # fmt: skip
def test_copies_with_figures_written_another_way_are_duplicates(a: dict, b: dict) -> None:
    assert relation(words(RELEASE.format(**a)), words(RELEASE.format(**b))) == DUPLICATE


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"value": "1,059,593,121 ريالا", "n": "12", "months": "18"},
         {"value": "1,159,593,121 ريالا", "n": "12", "months": "18"}),
        ({"value": "7 ملايين ريال", "n": "12", "months": "18"}, {"value": "9 ملايين ريال", "n": "12", "months": "18"}),
        ({"value": "7,726,135 ريالا", "n": "12", "months": "18"},
         {"value": "7,726,135 ريالا", "n": "14", "months": "18"}),
    ],
)  # fmt: skip
def test_siblings_with_other_figures_stay_templates(a: dict, b: dict) -> None:
    assert relation(words(RELEASE.format(**a)), words(RELEASE.format(**b))) == TEMPLATE


def test_dates_written_another_way_are_the_same_fact() -> None:
    text = (
        "The ministry said the new terminal at King Abdulaziz International Airport would open on {date} and "
        "handle 30 million passengers a year once all of its gates are in service, officials told reporters"
    )
    english = [words(text.format(date=d)) for d in ("14 December 2025", "14/12/2025", "December 14, 2025")]
    assert all(relation(english[0], other) == DUPLICATE for other in english[1:])
    assert relation(english[0], words(text.format(date="15 December 2025"))) == TEMPLATE
    notice = "تبدأ المديرية العامة للجوازات استقبال طلبات التمديد اعتبارا من {date} وحتى نهاية الشهر في جميع فروعها"
    assert relation(words(notice.format(date="07/09")), words(notice.format(date="7/9"))) == DUPLICATE
    assert relation(words(notice.format(date="15 أغسطس المقبل")), words(notice.format(date="30/10/1436هـ"))) == (
        DUPLICATE
    )
    assert relation(words(notice.format(date="07/09")), words(notice.format(date="08/09"))) == TEMPLATE


def test_figures_written_in_another_shape_are_not_one_formula_slot() -> None:
    # One outlet's typo ("21" twice) against the release's "الثاني والعشرون": the figures differ, but a formula
    # fills its slot the same way each time; so do "5500" against "60 الف" in a sentence the other text adds.
    a = (
        "ويغطي العقد العشرون تنفيذ الخطوط الناقلة والعقد الحادي والعشرون تشغيل وصيانة المياه بمدينة الخفجي "
        "والعقد الثاني والعشرون الإشراف على مشروع تنفيذ شبكة الصرف الصحي بمدينة الباحة المرحلة الثانية"
    )
    b = (
        "ويغطي العقد 20 تنفيذ الخطوط الناقلة والعقد 21 تشغيل وصيانة المياه بمدينة الخفجي "
        "والعقد 21 الإشراف على مشروع تنفيذ شبكة الصرف الصحي بمدينة الباحة المرحلة الثانية"
    )
    assert relation(words(a), words(b)) == DUPLICATE
    # The same slot filled the same way with another figure is a sibling, even when both figures occur elsewhere.
    c = b.replace("والعقد 21 الإشراف", "والعقد 20 الإشراف")
    assert relation(words(b), words(c)) == TEMPLATE


def test_a_year_with_a_digit_dropped_is_the_year_it_clips() -> None:
    # The chamber's annual report as two papers ran it: one wrote "201م" for "2012م" (issue 17, class 1).
    report = (
        "وأفاد التقرير السنوي لغرفة الشرقية أن عدد المشتركين بلغ 46.4 ألف مشترك متراجعا عما كان عليه في العام "
        "2013م الذي بلغ 54.3 ألف مشترك وبزيادة عما كان عليه في العام {year} والذي بلغ 42.2 ألف مشترك"
    )
    assert relation(words(report.format(year="2012م")), words(report.format(year="201م"))) == DUPLICATE
    assert relation(words(report.format(year="2012")), words(report.format(year="201م"))) == DUPLICATE
    # Another decade, or a figure without the era mark, is still another fact.
    assert relation(words(report.format(year="2009م")), words(report.format(year="201م"))) == TEMPLATE
    assert relation(words(report.format(year="2012")), words(report.format(year="201"))) == TEMPLATE
    assert not same("201م", "2021م")
