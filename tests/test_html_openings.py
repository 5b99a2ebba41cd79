"""Tests for dedup.clean.html by kind of page, round 6: how an article opens before its body container (the
lead in the article's header above a byline row)."""

from __future__ import annotations

from dedup.clean.html import extract_html

DE_P = [
    "Der Stadtrat hat am Dienstag beschlossen, das Straßenbahnnetz um zwölf Kilometer zu erweitern, nachdem "
    "die Debatte fast den ganzen Nachmittag gedauert hatte und Hunderte Bürger auf der Tribüne saßen.",
    "Die Bauarbeiten sollen im nächsten Frühjahr beginnen, und die ersten neuen Haltestellen sollen innerhalb "
    "von drei Jahren eröffnet werden, teilte das Verkehrsamt mit, die Kosten teile man mit dem Land.",
    "Gegner hatten argumentiert, das Geld sei besser in Busse investiert, die die äußeren Bezirke bereits "
    "bedienen, doch der Antrag wurde mit einer deutlichen Mehrheit von einundzwanzig zu neun Stimmen angenommen.",
]


def _page(body: str, lang: str = "de") -> str:
    return f'<html lang="{lang}"><head><title>Straßenbahn</title></head><body>{body}</body></html>'


def test_lead_above_the_byline_and_share_row_in_the_article_header_is_kept() -> None:
    # Magazine templates end the article's <header> with a row of author and share buttons under the lead:
    # the lead is still the last prose block there, the row is passed over like a caption or date line.
    lead = (
        "Schon länger ist bekannt: Der Darm beeinflusst unsere Psyche. Forschende fanden nun heraus, dass "
        "bestimmte Lebensmittel die Symptome sozialer Ängste lindern können."
    )
    html = _page(
        '<header><a href="/">Magazin</a><nav><a href="/news">News</a></nav></header><main>'
        '<article><header class="intro"><h1>Zwei Lebensmittel gegen soziale Ängste</h1>'
        f'<p class="heading">{lead}</p><div class="author-sharing-line"><span class="author">Von Anna '
        'Beispiel, Redakteurin für Gesundheit und Ernährung</span><time>02.01.2023, 09:51 Uhr, aktualisiert 10:20</time><a href="#share">Teilen</a> <a href="#pin">'
        'Merken</a></div></header><div class="article-wrapper">'
        + "".join(f"<p>{p}</p>" for p in DE_P)
        + '</div><div class="sources"><h3>Quellen</h3><ul>'
        + "".join(
            f'<li><a href="/q{i}">Studie {i} zur Darmflora und Psyche, Fachzeitschrift</a></li>' for i in range(6)
        )
        + '</ul></div></article><article class="teaser"><h2><a href="/other">Mehr zum Thema</a></h2></article></main>'
    )
    lines = extract_html(html).text.splitlines()
    assert lines[: len(DE_P) + 1] == [lead, *DE_P]
    assert not any("Beispiel" in line or "Teilen" in line for line in lines)


def test_lead_heading_above_the_photo_row_and_a_link_list_is_kept() -> None:
    # Bootstrap news templates: a title row (date, headline, share icons, the lead set as a long <h3>), a photo
    # row with its short caption, a "read also" column of links, then the body column. The photo row and the
    # link column are passed over between the lead and the body.
    lead = (
        "Das mobile Reisen boomt, gerade in Pandemiezeiten. Das hat die Ausgabe des Salons eindrücklich "
        "bewiesen: An fünf Messetagen strömten über 50 000 Besucher auf das Gelände, mittendrin die Camper."
    )
    links = "".join(
        f'<a href="/news/{i}">Branchenevent Nummer {i}: die Vorfreude wächst bei allen Händlern</a>' for i in range(5)
    )
    html = _page(
        '<div class="container"><div class="col-md-12"><div class="row"><span class="date2">04. November 2021'
        '</span><h1>Campinglösungen am Caravan Salon</h1><ul class="share"><a href="/fb"><li><img src="fb.png">'
        f'</li></a></ul><h3>{lead}</h3></div></div><div class="col-md-12"><div class="row"><img src="van.jpg">'
        '<p>Ein Kastenwagen mit Aufstelldach.</p></div></div><div class="col-md-4 news_links"><h2>Lesen Sie auch'
        f'</h2>{links}</div><div class="col-md-8 news_detail">' + "".join(f"<p>{p}</p>" for p in DE_P) + "</div></div>"
    )
    lines = extract_html(html).text.splitlines()
    assert lines[: len(DE_P) + 1] == [lead, *DE_P]
    assert not any("Branchenevent" in line or "Kastenwagen" in line for line in lines)
