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
