"""Tests for dedup.clean.html by kind of page, round 8: boxes whose names mislead. Text folded behind a "read
more" toggle (named "readmore" like the toggle) and text blocks rendered as <header> are the article's own; a
fact box beside the article (another story, a spec sheet) and a box promoting the publisher's app are not."""

from __future__ import annotations

from html_paragraphs import DE_P, EN_P

from dedup.clean.html import extract_html

HOUSE = (
    "Das idyllische Dorf liegt eingebettet in Wiesen, Felder und Wälder am Rande der Südeifel. Das Ferienhaus "
    "bietet Platz für bis zu acht Gäste, einen großen Garten mit Grillplatz und einen Hobbyraum mit Tischtennis."
)
HOUSE_MORE = (
    "Heizung, Strom, Wasser, Kinderbett und Geschirrtücher sowie die Nutzung des Hobbyraums sind im Preis "
    "inbegriffen. Parkplätze und ein abschließbarer Unterstand für Fahrräder sind direkt am Haus vorhanden."
)
AR_P = [
    "قالت وزارة السياحة إن عدد الزوار الذين وصلوا إلى المدينة القديمة خلال الصيف تضاعف مقارنة بالعام الماضي، "
    "وإن الفنادق الصغيرة في الأحياء التاريخية كانت محجوزة بالكامل طوال شهري يوليو وأغسطس.",
    "وأضافت الوزارة أن خطة ترميم الأسواق المسقوفة ستنتهي قبل نهاية العام المقبل، وأن المحلات ستبقى مفتوحة "
    "خلال الأشغال التي تجري على مراحل حتى لا يتأثر التجار ولا الزوار.",
]
AR_MORE = (
    "ويشمل المشروع أيضا إعادة تأهيل الساحات العامة وتوسيع الممرات المخصصة للمشاة، إلى جانب تركيب إنارة جديدة "
    "في الأزقة الضيقة التي كانت تشكو منذ سنوات من ضعف الإضاءة ليلا، وفتح موقف للسيارات عند مدخل المدينة."
)


def _page(body: str, lang: str, title: str) -> str:
    return f'<html lang="{lang}"><head><title>{title}</title></head><body>{body}</body></html>'


def test_text_folded_behind_a_read_more_toggle_is_kept_and_the_toggle_is_not() -> None:
    html = _page(
        '<nav><a href="/">Start</a> <a href="/eifel">Eifel</a></nav><main><div class="listing">'
        "<h1>Ferienhaus am Feldrand</h1>"
        f'<p class="box-txt">{HOUSE}</p><div class="box-txt js_readmore">{HOUSE_MORE}</div>'
        '<div class="btn-box readmore_container"><a href="#">Weiterlesen</a></div>'
        + "".join(f"<p>{p}</p>" for p in DE_P)
        + '<div class="read-more"><a href="/ferienhaus/eifel-blick">Lesen Sie auch: Ferienhaus mit Blick auf '
        "die Vulkaneifel, ideal für Familien mit Kindern und Hund</a></div></div></main>",
        "de",
        "Ferienhaus am Feldrand",
    )
    ex = extract_html(html)
    assert ex.text.splitlines() == [HOUSE, HOUSE_MORE, *DE_P]
    cut = [r.text for r in ex.removed if r.rule == "html:related"]
    assert "Weiterlesen" in cut
    assert any(t.startswith("Lesen Sie auch") for t in cut)


def test_arabic_text_folded_under_a_read_more_name_is_kept() -> None:
    html = _page(
        '<article><h1>السياحة في المدينة القديمة</h1><div class="article-body">'
        + "".join(f"<p>{p}</p>" for p in AR_P)
        + f'<div class="read-more collapsed">{AR_MORE}</div>'
        '<a class="read-more-btn" href="#">اقرأ المزيد</a></div></article>',
        "ar",
        "السياحة في المدينة القديمة",
    )
    assert extract_html(html).text.splitlines() == [*AR_P, AR_MORE]


def test_a_fact_box_beside_the_article_is_cut() -> None:
    other = [
        "Prince Charles: one million young people need urgent help",
        "As many as a million young people need urgent help to protect their futures from the impact of the "
        "pandemic, the Prince of Wales has warned in a newspaper article published on Saturday.",
        "His charity was set up in 1976 to give vulnerable young people opportunities and life skills, and he "
        "said it was humbling to see them go on to support younger generations in their communities.",
    ]
    html = _page(
        '<div class="article-text"><h1>Tram network to grow</h1>'
        + f"<p>{EN_P[0]}</p><p>{EN_P[1]}</p>"
        + '<div class="art-ins mol-factbox floatRHS"><div class="ins">'
        + "".join(f"<p>{p}</p>" for p in other)
        + f"</div></div><p>{EN_P[2]}</p></div>",
        "en",
        "Tram network to grow",
    )
    ex = extract_html(html)
    assert ex.text.splitlines() == EN_P
    assert [r.text[:20] for r in ex.removed if r.rule == "html:related"] == ["Prince Charles: one "]


def test_a_box_promoting_the_publishers_app_is_cut() -> None:
    promo = (
        "Lesen Sie das Magazin jetzt auch digital in unserer App für iPhone, iPad und Android, mit allen "
        "Ausgaben seit 2015 und jeden Monat vor dem Erscheinen am Kiosk."
    )
    html = _page(
        '<article class="detail"><h1>Straßenbahnnetz wächst</h1><main>'
        + "".join(f"<p>{p}</p>" for p in DE_P)
        + f'<div class="appstores"><h3>{promo}</h3><a href="https://apps.apple.com/x"><img src="/as.svg"></a>'
        '<a href="https://play.google.com/y"><img src="/gp.svg"></a></div></main></article>',
        "de",
        "Straßenbahnnetz wächst",
    )
    ex = extract_html(html)
    assert ex.text.splitlines() == DE_P
    assert [r.text for r in ex.removed if r.rule == "html:ad"] == [promo]


def test_text_blocks_rendered_as_header_elements_are_kept() -> None:
    # A component library's "image and text" block puts the text in a <header> beside the photo: paragraphs
    # only, no heading, no links. The article's own <header> (headline and a one-line dek) stays cut.
    dek = "Der Stadtrat stimmt für zwölf Kilometer neue Gleise."
    sections = "".join(
        '<section class="PageSection_Section"><article class="ImageText_Container"><figure><img src="/t.jpg">'
        f'</figure><header class="ImageText_Description"><div class="Richtext_Block"><p>{a}</p><p>{b}</p></div>'
        "</header></article></section>"
        for a, b in ((DE_P[0], DE_P[1]), (DE_P[2], HOUSE))
    )
    html = _page(
        '<nav><a href="/">Start</a> <a href="/stadt">Stadt</a></nav><main class="BasePage">'
        f'<header class="PageHeader"><h1>Straßenbahnnetz wächst</h1><p>{dek}</p></header>{sections}</main>',
        "de",
        "Straßenbahnnetz wächst",
    )
    ex = extract_html(html)
    assert ex.text.splitlines() == [*DE_P, HOUSE]
    assert [r.text for r in ex.removed if r.rule == "html:header"] == [f"Straßenbahnnetz wächst {dek}"]
