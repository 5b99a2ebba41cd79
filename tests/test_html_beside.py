"""Tests for dedup.clean.html by kind of page, round 9: article text beside the container that paragraph scoring
picks (a review's summary that links the products it names, above the body; a CMS text field's lines around
the table that scored as the container; a guide's FAQ section after the body). English, German and Arabic
pages."""

from __future__ import annotations

import pytest
from html_paragraphs import AR_P, DE_P, EN_P

from dedup.clean.html import extract_html


def _page(body: str, lang: str) -> str:
    return f'<html lang="{lang}"><head><title>Test</title></head><body>{body}</body></html>'


# --- a summary of linked paragraphs above the body ---------------------------------------------------------

# Per language: the summary's paragraphs as (before the link, the link's text, after the link), the body,
# and a teaser box above the summary whose paragraphs are mostly links.
_SUMMARIES = {
    "en": (
        [
            (
                "A good toothbrush is essential for oral health. Our testers found that the ",
                "Sonicare ProtectiveClean 4100",
                " cleaned best of the thirteen models we bought and used for weeks.",
            ),
            (
                "If you would rather not charge a brush, the ",
                "Colgate 360 Sensitive",
                " is the manual model we liked most, soft on the gums and cheap to replace every three months.",
            ),
        ],
        EN_P,
        "Other tests: our picks of the best electric toothbrush heads and travel cases for this year",
    ),
    "de": (
        [
            (
                "Der ideale E-Scooter verbindet Tempo, Reichweite und ein geringes Gewicht. Im Test hat uns der ",
                "Niu Kqi3 Max",
                " am meisten überzeugt: große Reichweite, bequemer Stand und kräftige Bremsen.",
            ),
            (
                "Wer mehr ausgeben kann und viele Steigungen fährt, greift zum ",
                "Segway Ninebot Max G3",
                ", der am Berg kaum langsamer wird und auch auf schlechten Radwegen ruhig und sicher bleibt.",
            ),
        ],
        DE_P,
        "Weitere Tests: unsere Empfehlungen für Fahrradhelme, Schlösser und Lastenräder in diesem Jahr",
    ),
    "ar": (
        [
            (
                "بعد تجربة ثلاثة عشر نموذجا لعدة أسابيع، وجد فريق الاختبار أن ",
                "فرشاة سونيكير الكهربائية",
                " هي الأفضل في التنظيف، فهي سهلة الاستخدام ومناسبة لمعظم المستخدمين في البيت والسفر.",
            ),
            (
                "ومن يفضل فرشاة يدوية لا تحتاج إلى شحن فإن ",
                "فرشاة كولجيت الناعمة",
                " هي الخيار الذي أعجبنا أكثر، فهي لطيفة على اللثة ورخيصة ويمكن استبدالها كل ثلاثة أشهر.",
            ),
        ],
        AR_P,
        "اختبارات أخرى: أفضل رؤوس الفرش الكهربائية وحقائب السفر لهذا العام في قائمة واحدة",
    ),
}


@pytest.mark.parametrize("lang", sorted(_SUMMARIES))
def test_a_summary_that_links_the_products_it_names_joins_the_body(lang: str) -> None:
    # A review's summary above the body, in a wrapper of its own next to the byline, its paragraphs too deep to
    # pass their score up to it: plain paragraphs whose links (the products named, 15-25% of the text) kept it
    # out while the bound was 5% of link text.
    summary, body, teaser = _SUMMARIES[lang]
    paras = "".join(f'<p>{a}<a href="/p/{i}">{b}</a>{c}</p>' for i, (a, b, c) in enumerate(summary))
    teasers = "".join(f'<p><a href="/t/{i}">{teaser} {i}</a> ({i} min)</p>' for i in range(2))
    html = _page(
        '<div class="col p-0"><div class="byline">By Jo Example, Senior Review Analyst, '
        f'updated March 5, 2025</div><div class="promo">{teasers}</div><div class="summary_larger pt-2"><div class="mb-3">'
        f'<div class="px-1">{paras}</div></div></div>'
        '<div class="row"><img src="/q.png"></div><div class="col-md-8">'
        + "".join(f"<p>{p}</p>" for p in body)
        + "</div></div>",
        lang,
    )
    lines = extract_html(html).text.splitlines()
    assert lines == ["".join(parts) for parts in summary] + body
    assert not any(teaser in line for line in lines)  # paragraphs that are mostly links stay out


# --- text straight in the wrapper of a table ---------------------------------------------------------------

_TABLES = {
    "de": (
        [
            "Werkliste Guido Balsamo Stella",
            "Die folgende Liste verzeichnet alle bekannten Exlibris des Künstlers mit Eigner, Motiv, Technik und "
            "Maßen, soweit sie in den Sammlungen der Gesellschaft und in der Literatur belegt sind.",
            "Quelle: PALMIRANI, Remo: Guido Balsamo Stella, Opera grafica, Mailand 1990, ergänzt um die Blätter, "
            "die seitdem in Auktionen und Nachlässen aufgetaucht sind.",
            "Die Nummern folgen dem Werkverzeichnis; Blätter ohne Jahr sind nach dem Stil eingeordnet.",
            "Hinweise auf fehlende Blätter, Zustände und Abzüge nimmt die Redaktion gerne entgegen; sie werden in "
            "der nächsten Ausgabe der Mitteilungen nachgetragen.",
        ],
        "Radierung mit Plattenton, signiert und nummeriert, Motiv",
    ),
    "en": (
        [
            "List of works by Guido Balsamo Stella",
            "The following list records every known bookplate by the artist with its owner, subject, technique "
            "and size, as far as they are held in the society's collections or described in the literature.",
            "Source: PALMIRANI, Remo: Guido Balsamo Stella, Opera grafica, Milan 1990, with the prints that have "
            "turned up at auctions and in estates since then added to it.",
            "Numbers follow the catalogue raisonné; prints without a year are placed by their style.",
            "Notes on missing prints, states and proofs are welcome; the editors add them to the list in the next "
            "issue of the society's newsletter.",
        ],
        "Etching with plate tone, signed and numbered, subject",
    ),
    "ar": (
        [
            "قائمة أعمال الفنان",
            "تضم القائمة التالية جميع ملصقات الكتب المعروفة للفنان مع اسم المالك والموضوع والتقنية والمقاس، كما "
            "وردت في مجموعات الجمعية وفي الدراسات المنشورة عنه حتى اليوم.",
            "المصدر: الفهرس الكامل لأعمال الفنان المطبوعة، ميلانو 1990، مع إضافة الأعمال التي ظهرت منذ ذلك الحين "
            "في المزادات والتركات الخاصة.",
            "الأرقام تتبع الفهرس الكامل، والأعمال التي لا تحمل تاريخا رتبت حسب أسلوبها الفني.",
            "ترحب هيئة التحرير بأي معلومات عن أعمال مفقودة أو طبعات مختلفة أو نسخ تجريبية، وستضاف إلى القائمة في "
            "العدد القادم من نشرة الجمعية الدورية التي تصدر مرتين في السنة.",
        ],
        "حفر على المعدن بلون خفيف، موقع ومرقم، موضوع رقم",
    ),
}


@pytest.mark.parametrize("lang", sorted(_TABLES))
def test_lines_written_straight_in_the_wrapper_of_a_table_are_kept(lang: str) -> None:
    # A CMS text field holding lines separated by <br>s (no <p>) and a long table: the table's cells score as
    # the container, and the lines before it, straight in the wrapper, are the rest of the article.
    lines_before, cell = _TABLES[lang]
    rows = "".join(
        f"<tr><td>{i}</td><td>Eigner {i}</td><td>{cell} {i}, Blatt aus der Sammlung</td></tr>" for i in range(1, 13)
    )
    html = _page(
        '<nav><a href="/">Start</a> <a href="/archiv">Archiv</a></nav><div class="elementor-widget-container">'
        '<div class="elementor-text-editor">' + "<br>".join(lines_before) + f"<table><tbody>{rows}</tbody></table>"
        '</div></div><footer><a href="/impressum">Impressum</a></footer>',
        lang,
    )
    lines = extract_html(html).text.splitlines()
    assert lines[: len(lines_before)] == lines_before
    assert lines[-1] == f"12 Eigner 12 {cell} 12, Blatt aus der Sammlung"
    assert not any("Impressum" in line for line in lines)


def test_a_short_note_straight_in_the_wrapper_of_a_table_is_left_out() -> None:
    # A one-line note beside a table (a "last updated" stamp) is not the rest of an article: under 500 characters
    # of text straight in the wrapper, the table stays the container on its own.
    rows = "".join(
        f"<tr><td>{i}</td><td>Radierung mit Plattenton, signiert und nummeriert, Blatt {i} der Sammlung</td></tr>"
        for i in range(1, 13)
    )
    html = _page(
        f'<div class="text-field">Stand der Liste: 3. Mai 2023, ohne Gewähr<table><tbody>{rows}</tbody></table></div>',
        "de",
    )
    lines = extract_html(html).text.splitlines()
    assert lines[0].startswith("1 Radierung")
    assert len(lines) == 12


# --- a questions-and-answers section after the body --------------------------------------------------------

_FAQS = {
    "en": (
        EN_P,
        "Frequently Asked Questions",
        [
            (
                "When will the first new tram stops open?",
                "The transport department expects the first stops to open within three years of the start of work.",
            ),
            (
                "Who pays for the extension?",
                "The city and the regional government share the cost, according to the motion passed on Tuesday.",
            ),
        ],
    ),
    "de": (
        DE_P,
        "Häufige Fragen zur Straßenbahn",
        [
            (
                "Wann eröffnen die ersten neuen Haltestellen?",
                "Das Verkehrsamt rechnet damit, dass die ersten Haltestellen drei Jahre nach Baubeginn eröffnet werden.",
            ),
            (
                "Wer bezahlt die Erweiterung?",
                "Stadt und Land teilen sich die Kosten, so steht es in dem Antrag, der am Dienstag beschlossen wurde.",
            ),
        ],
    ),
    "ar": (
        AR_P,
        "الأسئلة الشائعة",
        [
            (
                "متى تفتتح المحطات الجديدة الأولى؟",
                "تتوقع وزارة النقل أن تفتتح المحطات الأولى خلال ثلاث سنوات من بدء أعمال التوسعة في الربيع المقبل.",
            ),
            (
                "من يتحمل تكاليف التوسعة؟",
                "تتقاسم البلدية والحكومة الإقليمية التكاليف بحسب المقترح الذي أقره المجلس البلدي يوم الثلاثاء.",
            ),
        ],
    ),
}


def _faq_page(lang: str, faq: str, site_faq: str) -> str:
    body = _FAQS[lang][0]
    return _page(
        '<div class="page"><div class="layout-row"><div class="col-md-8">'
        + "".join(f"<p>{p}</p>" for p in body)
        + f'</div>{faq}<div class="share"><a href="/s">Share</a></div></div></div>{site_faq}',
        lang,
    )


@pytest.mark.parametrize("lang", sorted(_FAQS))
def test_a_faq_section_right_after_the_body_is_kept(lang: str) -> None:
    # Guides and reviews end with their questions and answers in a section of their own beside the body:
    # the article's last part. The site's own FAQ, outside the body's wrapper, stays out.
    body, heading, qas = _FAQS[lang]
    faq = (
        f'<section class="faq-section"><h2>{heading}</h2>'
        + "".join(f'<div class="qa"><h3>{q}</h3><div class="answer">{a}</div></div>' for q, a in qas)
        + "</section>"
    )
    site_faq = (
        f'<div class="site-help"><h2>{heading}</h2>'
        + "".join(f"<div><h4>{q} (Kundendienst)</h4><div>{a}</div></div>" for q, a in qas)
        + "</div>"
    )
    lines = extract_html(_faq_page(lang, faq, site_faq)).text.splitlines()
    assert lines == [*body, heading, *[x for qa in qas for x in qa]]


def test_a_faq_of_links_to_other_pages_is_left_out() -> None:
    # A "FAQ" box that only links to the help pages is navigation, not answers (30%+ link text).
    body, heading, qas = _FAQS["en"]
    faq = (
        f'<section class="faq-section"><h2>{heading}</h2><ul>'
        + "".join(f'<li><a href="/help/{i}">{q}</a> Answered by our team.</li>' for i, (q, _a) in enumerate(qas * 2))
        + "</ul></section>"
    )
    lines = extract_html(_faq_page("en", faq, "")).text.splitlines()
    assert lines == body
