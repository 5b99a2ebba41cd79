"""Tests for dedup.clean.html by kind of page, round 10: a guide whose later chapters sit in wrappers of their
own after the container, each opening with a heading styled like the container's own (English, German,
Arabic); teaser lists and boxes with headings of their own style after the body stay out."""

from __future__ import annotations

import pytest
from html_paragraphs import AR_P, DE_P, EN_P

from dedup.clean.html import extract_html

# Per language: the first chapter's heading and paragraphs, the last chapter's heading and its two paragraphs
# (few commas: too little paragraph score to join the container as a scored sibling).
_GUIDES = {
    "en": (
        "Why the tram line is being extended",
        EN_P * 3,
        "What happens next",
        [
            "The transport department will publish the detailed route in the autumn and invite residents to two "
            "public meetings in the northern districts before the final plans go to the council for approval "
            "early next year. The first contracts for the track work would then be signed in the summer.",
            "Work on the depot is expected to start first because the new trams need somewhere to be tested "
            "before the line opens and the supplier has asked for at least six months of trial runs on the site. "
            "The old bus depot on the ring road will close when the new one is ready.",
        ],
    ),
    "de": (
        "Warum die Straßenbahn wächst",
        DE_P * 3,
        "Wie es weitergeht",
        [
            "Das Verkehrsamt will die genaue Strecke im Herbst vorstellen und die Anwohner zu zwei öffentlichen "
            "Versammlungen in den nördlichen Stadtteilen einladen bevor die endgültigen Pläne Anfang des "
            "nächsten Jahres dem Stadtrat vorgelegt werden. Die ersten Aufträge sollen im Sommer vergeben werden.",
            "Zuerst soll der Betriebshof gebaut werden weil die neuen Bahnen vor der Eröffnung der Strecke "
            "getestet werden müssen und der Hersteller mindestens sechs Monate Probefahrten auf dem Gelände "
            "verlangt hat. Der alte Busbahnhof am Ring wird geschlossen sobald der neue fertig ist.",
        ],
    ),
    "ar": (
        "لماذا تتوسع شبكة القطارات",
        AR_P * 3,
        "ما الذي سيحدث بعد ذلك",
        [
            "ستنشر وزارة النقل المسار التفصيلي في الخريف وتدعو السكان إلى اجتماعين عامين في الأحياء الشمالية "
            "قبل أن تعرض الخطط النهائية على المجلس البلدي للموافقة عليها في مطلع العام المقبل بعد استكمال "
            "الدراسات الفنية. وستوقع العقود الأولى لأعمال السكك في الصيف المقبل.",
            "ومن المتوقع أن يبدأ العمل في المستودع أولا لأن القطارات الجديدة تحتاج إلى مكان لاختبارها قبل "
            "افتتاح الخط وقد طلب المورد ستة أشهر على الأقل من التجارب على الموقع قبل التشغيل التجاري. "
            "وسيغلق مستودع الحافلات القديم على الطريق الدائري عندما يصبح الجديد جاهزا.",
        ],
    ),
}


def _guide_page(lang: str, after: str) -> str:
    heading, paragraphs, _, _ = _GUIDES[lang]
    first = f'<div class="chapter"><h2 class="chapter-title">{heading}</h2>' + "".join(
        f"<p>{p}</p>" for p in paragraphs
    )
    return (
        f'<html lang="{lang}"><head><title>Test</title></head><body><nav><a href="/">Home</a></nav>'
        f'<article><div class="guide">{first}</div>{after}</div></article></body></html>'
    )


@pytest.mark.parametrize("lang", sorted(_GUIDES))
def test_a_later_chapter_in_a_wrapper_of_its_own_is_kept(lang: str) -> None:
    # The guide's last chapter holds too little paragraph score to join as a scored sibling or as another
    # copy of the container's layout block; its heading, styled like the first chapter's, says it is the
    # next section of the same article.
    heading, paragraphs, last_heading, last = _GUIDES[lang]
    after = f'<div class="chapter"><h2 class="chapter-title">{last_heading}</h2>' + "".join(f"<p>{p}</p>" for p in last)
    lines = extract_html(_guide_page(lang, after)).text.splitlines()
    assert lines == [heading, *paragraphs, last_heading, *last]


def test_a_box_with_a_heading_of_its_own_style_after_the_body_is_left_out() -> None:
    # A company blurb or a newsletter pitch after the article: the same wrapper, but its heading is styled
    # as the box's own, not as one of the article's chapters.
    heading, paragraphs, _, last = _GUIDES["en"]
    after = '<div class="chapter"><h2 class="box-title">About the transport department</h2>' + "".join(
        f"<p>{p}</p>" for p in last
    )
    lines = extract_html(_guide_page("en", after)).text.splitlines()
    assert lines == [heading, *paragraphs]


def test_a_teaser_list_after_the_body_is_left_out() -> None:
    # More guides of the site: a heading per teaser, styled like the chapters', each with its excerpt.
    heading, paragraphs, _, last = _GUIDES["de"]
    teasers = "".join(
        f'<h2 class="chapter-title">{title}</h2><p>{excerpt}</p>'
        for title, excerpt in zip(("Radwege im Norden", "Neue Buslinien"), last, strict=True)
    )
    lines = extract_html(_guide_page("de", f'<div class="chapter">{teasers}')).text.splitlines()
    assert lines == [heading, *paragraphs]
