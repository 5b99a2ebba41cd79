"""Tests for dedup.clean.html by kind of page, rounds 6 and 7: how an article opens before its body container
(the lead in the article's header above a byline row, an introduction a few levels above the body)."""

from __future__ import annotations

from html_paragraphs import DE_P, EN_P

from dedup.clean.html import extract_html


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


def _news_page(subheadline: str) -> str:
    return _page(
        '<header class="site-header"><a href="/">The Daily</a><nav><a href="/local">Local</a></nav></header>'
        '<article><header class="entry-header"><h1 class="entry-title">Council backs tram extension</h1>'
        f'<h2 class="subheadline">{subheadline}</h2><div class="byline">By Jane Doe</div><div class="stamps">'
        "Published: January 16, 2023 at 5:00 a.m. | Updated: January 16, 2023 at 5:52 a.m. | St Paul</div></header>"
        '<div class="body-wrapper"><div class="article-body">'
        + "".join(f"<p>{p}</p>" for p in EN_P)
        + '</div></div><div class="col-right"><h3>Most Popular</h3><ul>'
        + "".join(
            f'<li><a href="/t{i}">Storm brings snow and ice to the region, schools closed {i}</a></li>'
            for i in range(8)
        )
        + "</ul></div></article>",
        "en",
    )


def test_a_long_lead_named_block_in_the_article_header_is_kept_a_one_line_dek_is_not() -> None:
    # The article's <header> (cut as page chrome) holds the headline, a block named as a lead and the byline.
    # Of 195 characters or more it is the article's opening paragraph; a shorter one is the one-line dek under
    # the headline, which the benchmarks' truth leaves out.
    lead = (
        "The vote ends a dispute of more than ten years over the northern districts. Residents there have "
        "waited since the nineties for a tram, and the council says the first trains could run by the end of 2029."
    )
    dek = "The vote ends a dispute of more than ten years over how to serve the northern districts of the city."
    lines = extract_html(_news_page(lead)).text.splitlines()
    assert lines[: len(EN_P) + 1] == [lead, *EN_P]
    lines = extract_html(_news_page(dek)).text.splitlines()
    assert lines[: len(EN_P)] == EN_P and dek not in lines


ES_P = [
    "Hasta la sede del Congreso en Valparaíso llegó este martes la ministra del Interior para presentar ante "
    "los senadores el plan de seguridad que el gobierno prepara desde hace semanas.",
    "La estrategia contempla, entre otras acciones, más fiscales dedicados al crimen organizado, un registro de "
    "armas actualizado y el refuerzo de las policías en las regiones del norte del país.",
    "En el oficialismo, sin embargo, el plan abrió un debate sobre las facultades de las Fuerzas Armadas, que "
    "algunos parlamentarios quieren ampliar y otros consideran un riesgo para las libertades.",
]


def test_a_long_excerpt_in_the_article_header_far_above_the_body_is_kept() -> None:
    # A news template's <header> (headline, byline, photo, then the lead, named "excerpt") sits several
    # wrappers above the body column. A one-line excerpt is the SEO blurb truth leaves out; one of 300+
    # characters, several sentences, is the article's opening paragraph.
    lead = (
        "Una batería de medidas de corto y largo plazo presentó ayer la ministra ante el Senado para contener la "
        "crisis de seguridad. El plan incluye cambios legales, más recursos para las policías y una nueva unidad "
        "contra el crimen organizado. En el oficialismo, en tanto, persisten las dudas sobre el papel de los "
        "militares."
    )
    html = _page(
        '<article><header class="single-header"><div class="titulares"><nav><ul><li><a href="/p">Política</a>'
        "</li></ul></nav><h1>La agenda con que Interior busca contener la crisis de seguridad</h1>"
        '<div class="author"><a href="/a">Isabel Caro</a> <time>Hace 13 horas</time></div><figure><img src="m.jpg">'
        f'<figcaption>La ministra en el Congreso</figcaption></figure><p class="excerpt">{lead}</p></div></header>'
        '<div class="mod"><div class="grid"><div class="col"><div class="abody">'
        + "".join(f"<p>{p}</p>" for p in ES_P)
        + '</div><div class="card"><a href="/v">Así la NASA holotransportó a un médico</a></div></div>'
        '<aside><a href="/x">Lo más leído hoy</a></aside></div></div></article>',
        "es",
    )
    lines = extract_html(html).text.splitlines()
    assert lines[: len(ES_P) + 1] == [lead, *ES_P]
    assert not any("Isabel Caro" in line or "NASA" in line for line in lines)


def test_opening_paragraphs_in_a_wrapper_of_their_own_before_the_body_join_it() -> None:
    # An abstract or a guide's introduction set in its own wrapper before the body (another class, so not a
    # copy of the body's layout block), its paragraphs too deep to pass their score up to it: plain
    # paragraphs without links join the article.
    intro = [
        "Background: College students report high levels of stress, and a mindfulness app delivered on the "
        "phone may reduce it at a low cost, but its effects in this group have rarely been tested over time.",
        "Objective: We tested the initial efficacy and the sustained effects of an eight-week mindfulness "
        "meditation app on stress, mindfulness and self-compassion among college students.",
        "Methods: This study was a randomized, wait-list, controlled trial with assessments at baseline, after "
        "the intervention at eight weeks, and at a follow-up four weeks later. Students at a large public "
        "university in the south-west were recruited by email and flyers, screened for eligibility, and then "
        "assigned at random to use the app for ten minutes a day or to wait. The outcomes were perceived "
        "stress, mindfulness, self-compassion and health behaviours, measured with validated scales, and the "
        "analysis followed the intention-to-treat principle with mixed models for repeated measures.",
    ]
    body = [
        *EN_P,
        "The results showed that students who used the app reported less stress after eight weeks than those "
        "on the waiting list, and the difference was still there at the follow-up a month later.",
        "Mindfulness and self-compassion rose in the app group as well, while health behaviours such as sleep "
        "and exercise changed little in either group over the period of the study.",
        "The authors note that the sample came from one university and that most participants were women, so "
        "the findings should be confirmed in larger and more varied groups of students.",
    ]
    html = _page(
        '<main><div class="paper"><div class="preface-wrap"><div class="row"><div class="col"><div class="inner">'
        + "".join(f"<p>{p}</p>" for p in intro)
        + '</div></div></div></div><div class="history">Received on 3 May 2023, accepted on 2 June 2023 '
        'and published online on 1 July 2023 in the journal.</div><div class="article-body">'
        + "".join(f"<p>{p}</p>" for p in body)
        + '</div><div class="tools"><a href="/share">Share</a></div></div></main>',
        "en",
    )
    lines = extract_html(html).text.splitlines()
    assert lines == [*intro, *body]


def test_lead_in_a_header_inside_the_container_is_kept() -> None:
    # The whole article sits in one element that opens with its <header> (headline and a lead named so),
    # cut as page chrome with everything in it; the body follows in two sections.
    lead = (
        "Besonders für Haushalte mit geringem Einkommen stellen steigende Energiekosten ein großes Problem dar. "
        "Günstige und regionale Brennstoffe können helfen."
    )
    html = _page(
        '<nav><a href="/">Start</a> <a href="/verein">Verein</a></nav><div class="page"><div>'
        f'<header><div class="container"><h1 class="main">Soziale Energie</h1><p class="lead">{lead}</p></div>'
        '</header><div class="section">'
        + "".join(f"<p>{p}</p>" for p in DE_P)
        + '</div><div class="section-b">'
        + "".join(f"<p>{p}</p>" for p in reversed(DE_P))
        + '</div></div></div><footer><a href="/impressum">Impressum</a></footer>'
    )
    lines = extract_html(html).text.splitlines()
    assert lines == [lead, *DE_P, *reversed(DE_P)]


INTRO = [
    "Die Potenziale der Digitalisierung werden in deutschen Unternehmen noch viel zu selten für die Entlastung "
    "der Beschäftigten genutzt. Stattdessen bedeutet der Wandel für viele von ihnen stärkere Belastungen.",
    "Vierzig Prozent der Beschäftigten fühlen sich durch die Digitalisierung ihrer Tätigkeit stärker belastet, "
    "fast die Hälfte gibt an, dass die Anforderungen durch Multitasking gewachsen sind, und mehr als ein Drittel "
    "sieht sich bei der Arbeit stärker überwacht als früher. Zugleich steigen für zwei Drittel der Befragten die "
    "Erwartungen an ihre Erreichbarkeit nach Feierabend. Wo Beschäftigte aber bei der Einführung neuer Technik "
    "mitreden dürfen und ihren Vorgesetzten vertrauen, fällt die Belastung deutlich geringer aus, wie die "
    "Befragung von mehr als achttausend Beschäftigten aus allen Branchen zeigt, die im Herbst stattfand.",
]
BODY = [
    *DE_P,
    "Für die Studie wurden Beschäftigte aus allen Branchen befragt, vom Handwerk über die Industrie bis zu den "
    "Dienstleistungen, und zwar sowohl in kleinen Betrieben als auch in großen Konzernen mit vielen Standorten.",
    "Besonders belastet fühlen sich demnach Menschen, die ständig zwischen verschiedenen Programmen wechseln "
    "müssen, deren Arbeit von Software überwacht wird oder die keine festen Zeiten ohne Nachrichten haben.",
    "Die Autorinnen empfehlen den Unternehmen deshalb, ihre Beschäftigten früh einzubeziehen, klare Regeln zur "
    "Erreichbarkeit zu vereinbaren und die Einführung neuer Programme mit Schulungen zu begleiten.",
]
TEASERS = [
    "Studie zum Stellenmarkt: Wo die Fachkräfte im nächsten Jahr fehlen werden",
    "Arbeiten im Homeoffice: Was Beschäftigte und Unternehmen dazu sagen",
    "Vier-Tage-Woche: Erste Ergebnisse aus dem Pilotprojekt liegen jetzt vor",
    "Weiterbildung: Warum kleine Betriebe seltener in ihre Leute investieren",
]


def _news_sections_page(hero: str = "") -> str:
    # A news page whose opening (a short paragraph and a long one, too long to be a lead) sits in a text
    # wrapper of its own beside the block that holds
    # the body in sections (the body's section, then one of teaser links): the opening is a sibling of the
    # container's parent, not of the container. ``hero``: a landing page's hero before the page's <main>.
    intro = "".join(f"<p>{p}</p>" for p in INTRO)
    body = "".join(f"<p>{p}</p>" for p in BODY)
    return _page(
        f'<nav><a href="/">Start</a> <a href="/themen">Themen</a></nav><div class="page">{hero}<main>'
        '<div class="grid"><div class="cell"><h1>Vertrauen hilft gegen digitalen Stress</h1>'
        f'<div class="rte-wrapper">{intro}</div><div class="news-sections"><div class="section" id="c1">{body}'
        '</div><div class="section" id="c2"><h3>Weitere Themen</h3><ul>'
        + "".join(f'<li><a href="/t{k}">{t}</a></li>' for k, t in enumerate(TEASERS))
        + "</ul></div></div></div></div></main></div>"
        '<footer><a href="/impressum">Impressum</a></footer>'
    )


def test_opening_paragraphs_beside_the_containers_parent_join_it() -> None:
    assert extract_html(_news_sections_page()).text.splitlines() == [*INTRO, *BODY]


def test_plain_paragraphs_in_a_hero_outside_main_do_not_join() -> None:
    # A landing page's hero before <main>: two paragraphs of promotion, plain prose without links, a few
    # levels above the body like the opening above, but outside the page's own word for its content.
    promo = [
        "Gründen Sie Ihr Unternehmen in Berlin mit starkem rechtlichem Schutz, mehr Glaubwürdigkeit und der "
        "Struktur, die Sie für einen professionellen Betrieb brauchen, egal wie groß.",
        "Starten Sie ohne Aufwand. Wir begleiten Sie durch jeden Schritt, damit Sie Ihr Geschäft sorgenfrei "
        "eröffnen und sich wieder dem widmen können, was Ihnen wichtig ist.",
    ]
    hero = '<div class="cover"><div class="inner">' + "".join(f"<p>{p}</p>" for p in promo) + "</div></div>"
    assert extract_html(_news_sections_page(hero)).text.splitlines() == [*INTRO, *BODY]


LEAD = (
    "Bei den Junior Masters im französischen Tarbes konnte der Rollstuhltennisspieler aus Vorarlberg erneut sein "
    "ganzes Können unter Beweis stellen."
)


def _news_item(lead_html: str) -> str:
    # A news item whose lead sits in a box of its own at the top of the <article>, and whose body sits two
    # wrappers down in a row and column of the grid, after a photo with a long caption (so the lead is not
    # the paragraph right before the body's column).
    body = "".join(f"<p>{p}</p>" for p in DE_P)
    return _page(
        '<nav><a href="/">Start</a> <a href="/news">News</a></nav><div class="news-single"><article class="detail">'
        f'<h1>Erfolg in Tarbes</h1><div class="news-block">{lead_html}</div><div class="row"><div class="col-md-8">'
        '<div class="news-img"><img src="/bild.jpg" alt=""><p>Nur die beiden Engländer waren im Finale zu stark, der '
        "Vorarlberger ist in der Weltspitze der Junioren angekommen. (Foto: Privat)</p></div>"
        f'<div class="news-text-wrap">{body}</div></div><div class="col-md-4"><a href="/kontakt">Kontakt</a>'
        "</div></div></article></div><footer>Impressum</footer>"
    )


def test_a_lead_in_a_box_of_its_own_at_the_top_of_the_article_is_kept() -> None:
    html = _news_item(f'<p class="news-description">{LEAD}</p>')
    assert extract_html(html).text.splitlines() == [LEAD, *DE_P]


def test_a_paragraph_set_in_a_heading_above_the_body_is_not_a_lead() -> None:
    # The highlighted one-line summary under a headline, set in an <h2>: a dek, which the truth leaves out.
    html = _news_item(f"<h2><p>{LEAD}</p></h2>")
    assert extract_html(html).text.splitlines() == DE_P
