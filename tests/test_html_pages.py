"""Tests for dedup.clean.html by kind of page (round 2 of issue 18): archived copies, CSS-in-JS class names,
text in divs and spans without <p>, and the lead paragraph kept outside the body container."""

from __future__ import annotations

from test_html_kinds import DE_P, EN_P, _page

from dedup.clean.html import extract_html
from dedup.clean.html.vocabulary import chrome_rule


def test_the_wayback_toolbar_of_an_archived_page_is_chrome() -> None:
    toolbar = (
        '<div id="wm-ipp-base"><div id="wm-ipp"><div id="wm-ipp-inside"><div id="wm-capinfo">'
        '<div id="wm-collected-by">Collected by Archive Team: this crawl of the web, started in 2014, captured '
        "the pages linked from news sites, blogs and forums, 1,204 captures between 12 March 2016 and 4 May "
        "2021, saved at the request of users, archivists and researchers, for the public record.</div>"
        "</div></div></div></div>"
    )
    html = _page(toolbar + '<div id="main"><div class="post">' + "".join(f"<p>{p}</p>" for p in DE_P) + "</div></div>")
    assert extract_html(html).text.splitlines() == DE_P
    assert chrome_rule("wm-ipp-base") == "html:archive"


def test_css_in_js_style_names_are_not_chrome_words() -> None:
    # "tagStyle" is the style of an HTML tag, not a tag list; every paragraph of the page carries it.
    cls = "tagStyle_z4kqwb-o_O-style_1tcxgp3-o_O-style_48hmcm"
    html = _page(
        '<article><main><div><h1 class="tagStyle_mxz06e">Tram network</h1>'
        + "".join(f'<p class="{cls}">{p}</p>' for p in EN_P)
        + '</div></main></article><div class="tagList"><a href="/t/tram">Tram</a> <a href="/t/city">City</a></div>'
    )
    assert extract_html(html).text.splitlines() == EN_P
    assert chrome_rule(cls) is None and chrome_rule("tagList") == "html:tags"


def test_an_unnamed_lead_paragraph_right_before_the_body_is_kept() -> None:
    lead = "Zwölf Kilometer mehr Straßenbahn: Der Stadtrat hat den größten Ausbau seit Jahrzehnten beschlossen."
    body = "".join(f"<p>{p}</p>" for p in DE_P)
    html = _page(
        f'<article><h1>Straßenbahn</h1><div class="head-wrap"><p>{lead}</p></div>'
        f'<div class="entry-content">{body}</div></article>',
        "de",
    )
    assert extract_html(html).text.splitlines() == [lead, *DE_P]
    # Not a link list, not a fragment without a sentence end, not a heading.
    for before in (
        f'<p><a href="/a">{lead}</a></p>',
        "<p>Zwölf Kilometer mehr Straßenbahn und der größte Ausbau seit Jahrzehnten im ganzen Stadtgebiet</p>",
        f"<h2>{lead}</h2>",
    ):
        html = _page(
            f'<article><h1>Straßenbahn</h1><div class="head-wrap">{before}</div><div class="entry-content">{body}</div>'
            "</article>",
            "de",
        )
        assert extract_html(html).text.splitlines() == DE_P, before


def test_json_ld_article_body_with_named_entities_is_unescaped() -> None:
    pt = (
        "Uma das lideran&ccedil;as da organiza&ccedil;&atilde;o foi localizada durante a a&ccedil;&atilde;o da "
        "Coordena&ccedil;&atilde;o de Repress&atilde;o, em conjunto com equipes das Rondas Especiais do "
        "Atl&acirc;ntico, segundo a pol&iacute;cia, que investiga o caso h&aacute; dois anos."
    )
    ld = '{"@type": "NewsArticle", "articleBody": "' + pt + '"}'
    html = (
        f'<html><head><script type="application/ld+json">{ld}</script></head>'
        '<body><div class="teaser"><p>Polícia faz operação.</p></div></body></html>'
    )
    text = extract_html(html).text
    assert "lideranças da organização" in text and "Atlântico" in text and "&" not in text


def test_a_credit_line_naming_a_picture_agency_is_dropped() -> None:
    body = "".join(f"<p>{p}</p>" for p in EN_P[:2]) + "<p>Augusta National/Getty Images</p><p>iStock.com</p>"
    html = _page(f'<article><div class="entry-content">{body}<p>{EN_P[2]}</p></div></article>')
    assert extract_html(html).text.splitlines() == EN_P
    # A sentence that names an agency stays.
    line = "The photograph of the new tram, taken at dawn, was sold to Getty Images."
    html = _page(f'<article><div class="entry-content">{body}<p>{line}</p></div></article>')
    assert extract_html(html).text.splitlines() == [*EN_P[:2], line]


def test_an_unnamed_lead_is_found_past_a_photo_and_a_date_line() -> None:
    lead = "Zwölf Kilometer mehr Straßenbahn: Der Stadtrat hat den größten Ausbau seit Jahrzehnten beschlossen."
    body = "".join(f"<p>{p}</p>" for p in DE_P)
    between = (
        '<div class="entry-date"><time>11.01.2022, 09:50 Uhr</time></div>'
        '<div class="wp-caption"><p class="credit">Bild: Stadtwerke</p><p>Eine Straßenbahn am Hauptbahnhof, '
        "im Hintergrund die neue Haltestelle.</p></div>"
    )
    html = _page(
        f'<article><h1>Straßenbahn</h1><div class="head-wrap"><p>{lead}</p></div>{between}'
        f'<div class="entry-content">{body}</div></article>',
        "de",
    )
    assert extract_html(html).text.splitlines() == [lead, *DE_P]
