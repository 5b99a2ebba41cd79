"""Tests for dedup.clean.html: main-content extraction on realistic Arabic and English news pages."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dedup.clean.html import HtmlExtraction, extract_html

AR_P1 = (
    "أعلنت وزارة الصحة السعودية، اليوم الأحد، عن إطلاق حملة وطنية للتطعيم ضد الإنفلونزا الموسمية، "
    "تستهدف أكثر من خمسة ملايين مواطن ومقيم في مختلف مناطق المملكة خلال الأشهر الثلاثة المقبلة."
)
AR_P2 = (
    "وأوضح المتحدث الرسمي باسم الوزارة أن اللقاحات متوفرة مجاناً في جميع المراكز الصحية، "
    "داعياً كبار السن والحوامل وأصحاب الأمراض المزمنة إلى المبادرة بأخذ اللقاح في أقرب وقت ممكن."
)
AR_P3 = (
    "وأشار إلى أن الحملة تأتي ضمن جهود الوزارة لتعزيز الصحة العامة، والحد من انتشار الأمراض التنفسية، "
    "وتخفيف الضغط على المستشفيات خلال فصل الشتاء، مؤكداً أن الإقبال في الأيام الأولى كان كبيراً."
)
AR_TITLE = "وزارة الصحة تطلق حملة وطنية للتطعيم ضد الإنفلونزا"

AR_PAGE = f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{AR_TITLE} | صحيفة الوطن</title>
<meta property="og:title" content="{AR_TITLE}">
<script>var x = "لا يظهر هذا النص";</script><style>.a{{color:red}}</style>
</head><body>
<header class="site-header"><a href="/">الرئيسية</a> <a href="/local">محليات</a> <a href="/sport">رياضة</a></header>
<nav class="main-menu"><ul><li><a href="/economy">اقتصاد</a></li><li><a href="/world">دولي</a></li></ul></nav>
<div id="cookie-consent">نستخدم ملفات تعريف الارتباط لتحسين تجربتك. <button>موافق</button></div>
<main>
 <article class="post">
  <h1 class="post-title">{AR_TITLE}</h1>
  <div class="share-bar"><a href="#">فيسبوك</a> <a href="#">تويتر</a> <a href="#">واتساب</a></div>
  <div class="post-content">
   <p>{AR_P1}</p>
   <div class="ad-slot">إعلان</div>
   <p>{AR_P2}</p>
   <div class="read-also"><strong>اقرأ أيضاً:</strong>
     <a href="/n/1">الصحة: ارتفاع حالات الإنفلونزا في الرياض</a></div>
   <p>اقرأ أيضاً: <a href="/n/2">مواعيد عمل المراكز الصحية خلال رمضان</a></p>
   <p>{AR_P3}</p>
  </div>
 </article>
 <section class="comments"><h3>التعليقات</h3>
  <div class="comment">مقال رائع جداً وشكراً للوزارة على هذه الجهود الكبيرة التي تبذلها من أجل صحة المواطنين.</div>
 </section>
</main>
<aside><h3>الأكثر قراءة</h3><a href="/n/3">خبر آخر مهم جداً</a></aside>
<footer>جميع الحقوق محفوظة © 2024 صحيفة الوطن</footer>
</body></html>"""

EN_P1 = (
    "The city council voted on Tuesday to approve a new budget that sets aside $40 million for road repairs, "
    "the largest such allocation in more than a decade, officials said."
)
EN_P2 = (
    "Council member Jane Ortiz, who sponsored the measure, said residents had complained for years about "
    "potholes and crumbling sidewalks, and that the money would be spent over three years."
)
EN_P3 = (
    "Critics argued the plan relied on optimistic revenue forecasts, warning that a downturn could force "
    "the council to revisit the spending later, but the measure passed by a vote of seven to two."
)
EN_SUB = "What happens next"
EN_TITLE = "Council approves record road-repair budget"

EN_PAGE = f"""<html lang="en"><head><title>{EN_TITLE} - The Daily Planet</title></head><body>
<div class="topbar"><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sports">Sports</a> |
 <a href="/opinion">Opinion</a> | <a href="/weather">Weather</a></div>
<div class="wrapper">
 <div class="col-main">
  <h1>{EN_TITLE}</h1>
  <ul class="social-share"><li><a href="#">Facebook</a></li><li><a href="#">Twitter</a></li></ul>
  <p>{EN_P1}</p>
  <p>{EN_P2}</p>
  <div><span>Advertisement</span></div>
  <h2>{EN_SUB}</h2>
  <p>{EN_P3}</p>
  <div class="box"><h4>Related</h4><ul>
   <li><a href="/a">Mayor unveils transit plan</a></li><li><a href="/b">Bridge closure extended</a></li>
   <li><a href="/c">School board race heats up</a></li></ul></div>
  <div class="newsletter-signup">Sign up for our newsletter to get the news first.</div>
  <div id="disqus_thread"><p>Great article, finally someone is doing something about the potholes on Main St.</p>
  </div>
 </div>
 <div class="col-side"><div class="widget"><h3>Most read</h3>
  <a href="/1">Story one about something</a><a href="/2">Story two about something else</a></div></div>
</div>
<footer><p>© 2024 The Daily Planet. All rights reserved.</p></footer>
</body></html>"""


def _lines(ex: HtmlExtraction) -> list[str]:
    return ex.text.split("\n")


def test_arabic_article_keeps_body_in_order_and_drops_chrome() -> None:
    ex = extract_html(AR_PAGE)
    assert ex.title == AR_TITLE
    assert ex.lang == "ar"
    assert _lines(ex) == [AR_P1, AR_P2, AR_P3]


def test_arabic_chrome_is_reported_with_rules() -> None:
    ex = extract_html(AR_PAGE)
    rules = {r.rule for r in ex.removed}
    assert {"html:nav", "html:share", "html:ad", "html:comments", "html:cookie", "html:footer"} <= rules
    removed_text = " ".join(r.text for r in ex.removed)
    assert "اقرأ أيضاً" in removed_text  # both the classed box and the bare inline paragraph
    assert "مواعيد عمل المراكز الصحية" in removed_text
    assert all(len(r.text) <= 200 for r in ex.removed)


def test_english_article_keeps_headings_and_drops_unnamed_chrome() -> None:
    ex = extract_html(EN_PAGE)
    assert ex.title == EN_TITLE
    # The advert has no telltale class (only its text says so); the related box is link-dense.
    assert _lines(ex) == [EN_P1, EN_P2, EN_SUB, EN_P3]
    text = ex.text
    for chrome in ("Advertisement", "Mayor unveils", "newsletter", "Great article", "Most read", "Facebook"):
        assert chrome not in text


def test_headline_not_repeated_in_text() -> None:
    ex = extract_html(EN_PAGE)
    assert EN_TITLE not in ex.text


def test_title_suffix_stripped_without_h1() -> None:
    page = f"<html><head><title>{EN_TITLE} | The Daily Planet</title></head><body><p>{EN_P1}</p></body></html>"
    ex = extract_html(page)
    assert ex.title == EN_TITLE
    assert ex.text == EN_P1


def test_windows_1256_bytes_are_decoded() -> None:
    page = AR_PAGE.replace(
        '<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
    )
    raw = page.encode("windows-1256")
    ex = extract_html(raw)
    assert ex.title == AR_TITLE
    assert ex.text.split("\n")[0] == AR_P1


def test_windows_1256_bytes_without_declaration_fall_back() -> None:
    raw = AR_PAGE.replace('<meta charset="utf-8">', "").encode("windows-1256")
    ex = extract_html(raw)
    assert AR_P2 in ex.text


def test_utf8_bom_and_bad_bytes_never_raise() -> None:
    raw = b"\xef\xbb\xbf" + EN_PAGE.encode("utf-8")
    assert extract_html(raw).title == EN_TITLE
    ex = extract_html(b"<html><body><p>caf\xe9 \xff\xfe broken " + b"x" * 50 + b"</p></body></html>")
    assert isinstance(ex.text, str)


def test_json_ld_article_body_used_when_dom_is_thin() -> None:
    body = " ".join([EN_P1, EN_P2, EN_P3])
    page = (
        '<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
        f'"headline":"{EN_TITLE}","articleBody":"{body}"}}</script></head>'
        f"<body><h1>{EN_TITLE}</h1><p>{EN_P1[:60]}</p><div id='app'></div></body></html>"
    )
    ex = extract_html(page)
    assert EN_P3 in ex.text


@pytest.mark.parametrize(
    "html",
    [
        "",
        b"",
        "   ",
        "<html>",
        "<p>unclosed <b>bold <i>italic <div>",
        "<html><body>" + "<div>" * 10_000 + "deep text" + "</div>" * 10_000 + "</body></html>",
        "<html><body>" + "<span><p>" * 5_000 + "deep" + "</body></html>",
        b"\x00\x01\x02\xff<html>\x00",
        "<!-- just a comment -->",
        "<html><body><script>unclosed",
    ],
)
def test_malformed_input_never_raises(html: str | bytes) -> None:
    ex = extract_html(html)
    assert isinstance(ex, HtmlExtraction)
    assert isinstance(ex.text, str)
    assert "unclosed" not in ex.text or "<b>" not in ex.text


def test_empty_input_gives_empty_text() -> None:
    ex = extract_html("")
    assert ex.text == "" and ex.title == "" and ex.removed == [] and ex.lang is None


def test_deep_nesting_keeps_text() -> None:
    html = "<html><body>" + "<div>" * 10_000 + f"<p>{EN_P1}</p>" + "</div>" * 10_000 + "</body></html>"
    assert extract_html(html).text == EN_P1


def test_nested_junk_and_nested_chrome() -> None:
    # Junk inside junk (an <svg>'s <style>, an <object>'s <embed>) and chrome inside chrome: the outer share
    # bar is reported once, none of it reaches the text, and the article around it is kept in order.
    html = (
        "<html><body><article><h1>Headline</h1>"
        f"<p>{EN_P1}</p>"
        "<svg><style>.x{fill:red}</style><text>svg text</text></svg>"
        "<object><embed src='x.swf'>object text</object>"
        "<div class='share-bar'><div class='social-icons'><a href='/fb'>Facebook</a></div>"
        "<span class='sharing'>Tweet this</span></div>"
        f"<p>{EN_P2}</p></article></body></html>"
    )
    ex = extract_html(html)
    assert ex.text == f"{EN_P1}\n{EN_P2}"
    assert [r.rule for r in ex.removed] == ["html:share"]
    assert "Facebook" in ex.removed[0].text and "Tweet this" in ex.removed[0].text


def test_inline_elements_keep_word_boundaries() -> None:
    html = f"<html><body><article><p>{EN_P1} <b>Bold</b> <i>italic</i> <a href='/x'>link</a> end.</p></article></body></html>"
    assert extract_html(html).text == f"{EN_P1} Bold italic link end."


def test_photo_captions_are_dropped_and_reported() -> None:
    # A <figcaption> is a picture credit or description, not article text (the benchmarks' ground truth leaves
    # them out); it is listed in --explain as html:caption.
    html = (
        f"<html><body><article><h1>Headline</h1><p>{EN_P1}</p>"
        "<figure><img src='a.jpg'><figcaption><p>The minister at the press conference. Photo: Agency</p>"
        f"</figcaption></figure><p>{EN_P2}</p></article></body></html>"
    )
    ex = extract_html(html)
    assert ex.text == f"{EN_P1}\n{EN_P2}"
    assert [(r.rule, r.text) for r in ex.removed] == [
        ("html:caption", "The minister at the press conference. Photo: Agency")
    ]


def test_article_split_over_page_builder_rows_is_kept_whole() -> None:
    # A page builder puts each part of the article in its own row > cell > widget chain: the best-scoring
    # widget is one row only, the rows beside it (same layout block, paragraph text, few links) are the rest.
    def row(*paras: str) -> str:
        inner = "".join(f"<p>{p}</p>" for p in paras)
        return f"<div class='panel-grid'><div class='cell'><div class='textblock'>{inner}</div></div></div>"

    html = (
        "<html><body><main><article><h1>Headline</h1><div class='layout'>"
        f"{row(EN_P1, EN_P2, EN_P1 + ' Again.')}{row(EN_P2 + ' More.')}"
        "</div></article></main><footer><p>Copyright notice of the site.</p></footer></body></html>"
    )
    text = extract_html(html).text
    assert text.split("\n") == [EN_P1, EN_P2, EN_P1 + " Again.", EN_P2 + " More."]


def test_only_h1_is_the_headline_even_when_metadata_differs() -> None:
    # og:title is often an SEO variant of the on-page headline; a page's only <h1> of 4+ words wins. A short
    # one (a logo, a section name) does not.
    def page(h1: str) -> str:
        return (
            "<html><head><title>Health And Nutrition Trends For 2026 | Site</title>"
            "<meta property='og:title' content='Health And Nutrition Trends For 2026'></head>"
            f"<body><h1>{h1}</h1><article><p>{EN_P1}</p><p>{EN_P2}</p></article></body></html>"
        )

    ex = extract_html(page("Top 10 Health and Nutrition Trends to Watch"))
    assert ex.title == "Top 10 Health and Nutrition Trends to Watch"
    assert extract_html(page("Our Blog")).title == "Health And Nutrition Trends For 2026"


def test_junk_inside_chrome_and_headline_stays_out_of_report_and_title() -> None:
    # Junk tags are passed over by the body walk rather than deleted from the DOM: their text must still not
    # leak into the removal report or into the headline.
    html = (
        "<html><body><article><h1><svg><title>icon</title></svg>Council approves the new road budget</h1>"
        f"<p>{EN_P1}</p><div class='share-bar'><script>var share = 1;</script><a href='/fb'>Facebook</a></div>"
        f"<p>{EN_P2}</p></article></body></html>"
    )
    ex = extract_html(html)
    assert ex.title == "Council approves the new road budget"
    assert ex.text == f"{EN_P1}\n{EN_P2}"
    assert [(r.rule, r.text) for r in ex.removed] == [("html:share", "Facebook")]


def test_blocks_citing_sources_in_links_are_kept_menus_are_not() -> None:
    # A list item that is mostly its links (a product or a source named in a link) is article text; a block
    # that is nearly all links is a menu or a teaser list.
    html = (
        f"<html><body><article><h1>Headline</h1><p>{EN_P1}</p><ul>"
        "<li><a href='/a'>The city budget report for 2025</a> (PDF, 40 pages)</li>"
        "<li><a href='/b'>Council minutes</a> <a href='/c'>Road plan</a> <a href='/d'>Budget archive</a></li>"
        f"</ul><p>{EN_P2}</p></article></body></html>"
    )
    ex = extract_html(html)
    assert ex.text == f"{EN_P1}\nThe city budget report for 2025 (PDF, 40 pages)\n{EN_P2}"
    assert ("html:link-dense", "Council minutes Road plan Budget archive") in [(r.rule, r.text) for r in ex.removed]


def test_metadata_in_the_body_is_still_read() -> None:
    # Metadata is read from <head>; JSON-LD in the body comes from the body walk, and a page rendered by
    # script with its <title>/<meta> in the body (nothing in the head) is searched whole.
    body_text = " ".join([EN_P1, EN_P2, EN_P1])
    ld = json.dumps({"@type": "NewsArticle", "headline": "Budget approved", "articleBody": body_text})
    html = (
        "<html><head></head><body><title>Budget approved | City News</title>"
        f"<div><p>Short teaser.</p></div><script type='application/ld+json'>{ld}</script></body></html>"
    )
    ex = extract_html(html)
    assert ex.title == "Budget approved"
    assert ex.text == body_text


def test_explain_off_gives_the_same_text_and_lists_nothing() -> None:
    for page in (AR_PAGE, EN_PAGE):
        full, lean = extract_html(page), extract_html(page, explain=False)
        assert (lean.title, lean.text, lean.lang) == (full.title, full.text, full.lang)
        assert full.removed and lean.removed == []


_NAME_PIECES = ["share", "Share", "ad", "ads", "header", "padding", "related", "entry", "content", "col", "md",
                "post", "tags", "sidebar", "navbar", "read", "more", "social", "cookie", "subscribe", "x", "9"]  # fmt: skip


_TOKENS = st.lists(st.tuples(st.sampled_from(_NAME_PIECES), st.sampled_from(["-", "_", "__", "", "--"])),
                   min_size=1, max_size=4).map(lambda parts: "".join(p + sep for p, sep in parts).strip("-_"))  # fmt: skip


@given(st.lists(_TOKENS, min_size=1, max_size=3))
def test_vocabulary_prefilter_never_changes_a_verdict(tokens: list[str]) -> None:
    # The one-regex filter only skips names that no word, prefix or compound can match: with and without it
    # every class/id string gets the same rule.
    from dedup.clean.html import vocabulary as v

    names = " ".join(tokens)
    v.NAME_RULES.clear()
    v.TOKEN_RULES.clear()
    expected = next((r for r in (v.token_rule(t) for t in names.split()) if r is not None), None)
    assert v.chrome_rule(names) == expected


# Random page bodies: nested elements (block, inline, links, junk, void), text with commas (Latin and Arabic)
# and whitespace-only text, and comments.
_TEXTS = st.sampled_from(["قال المتحدث، إن", "word, word", "  ", "\n", "plain text", "a,b,c", "، ، "])
_TAGS = ["div", "p", "span", "a", "li", "section", "b", "script", "svg", "img", "br", "h1", "table"]


def _html_tree(depth: int = 0) -> st.SearchStrategy[str]:
    leaf = st.one_of(_TEXTS, st.just("<!-- note -->"), st.just("<img src=x>"))
    if depth >= 4:
        return leaf
    element = st.tuples(st.sampled_from(_TAGS), st.lists(st.deferred(lambda: _html_tree(depth + 1)), max_size=4))
    return st.one_of(leaf, element.map(lambda e: f"<{e[0]}>{''.join(e[1])}</{e[0]}>"))


def _reference_arrays(body) -> dict[str, list]:
    """Flat's arrays computed the slow, obvious way: a recursive walk over lexbor's children."""
    from dedup.clean.html import tree as h

    out: dict[str, list] = {"ids": [], "parent": [], "last": [], "text": [], "link": [], "own": [], "commas": []}

    def visit(node, parent: int) -> tuple[int, int, int]:
        number = len(out["ids"])
        for key, value in (("ids", node.mem_id), ("parent", parent), ("last", 0), ("text", 0), ("link", 0),
                           ("own", 0), ("commas", 0)):  # fmt: skip
            out[key].append(value)
        text = link = commas = 0
        for child in node.iter(include_text=True):
            if child.is_text_node:
                t = child.text_content or ""
                if not t.strip(" \t\n\r\f"):
                    continue
                out["own"][number] += len(t.strip())
                text += len(t.strip())
                commas += t.count(",") + t.count("،")
                continue
            tag = h.TAG_NAMES.get(child.tag_id, child.tag)
            if tag is None or tag == "" or tag is h.JUNK or tag in h.JUNK_SET or tag[0] in "-!":
                continue
            t2, l2, c2 = visit(child, number)
            text, link, commas = text + t2, link + l2, commas + c2
        out["last"][number] = len(out["ids"]) - 1
        out["text"][number], out["commas"][number] = text, commas
        out["link"][number] = text if node.tag == "a" else link  # link text: the text of <a>s below
        return text, out["link"][number], commas

    visit(body, -1)
    return out


@given(st.lists(_html_tree(), max_size=5))
@example(["<a><div>قال المتحدث، إن</div></a>"])  # a block inside a link: link text is that of the <a>s below
@settings(max_examples=300)
def test_flat_walk_matches_a_plain_recursive_walk(parts: list[str]) -> None:
    # The walk follows lexbor's child iterators, derives each element's last descendant from the totals loop
    # and keeps commas only where there are some: every array must equal the obvious recursive computation.
    from selectolax.lexbor import LexborHTMLParser

    from dedup.clean.html.tree import Flat

    body = LexborHTMLParser("<html><body>" + "".join(parts) + "</body></html>").body
    flat = Flat(body)
    ref = _reference_arrays(body)
    assert [n.mem_id for n in flat.nodes] == ref["ids"]
    assert flat.parent == ref["parent"]
    assert flat.last == ref["last"]
    assert flat.text == ref["text"]
    assert flat.link == ref["link"]
    assert flat.own == ref["own"]
    assert flat.commas == ref["commas"]
    assert all(flat.own_commas.get(i, 0) <= flat.commas[i] for i in range(len(flat.tags)))


def test_article_rendered_once_per_breakpoint_is_kept_once() -> None:
    # Responsive page builders put the article in the page once per breakpoint and hide all but one with CSS.
    # The copy is dropped (and reported); a short paragraph the article itself repeats is kept twice.
    body = f"<h2>الخلاصة</h2><p>{AR_P1}</p><p>{AR_P2}</p><p>{AR_P3}</p><p>{AR_P1[:60]}</p>"
    page = (
        f"<html><head><title>{AR_TITLE}</title></head><body><main><div class='rich-text'>"
        f"<div class='framer-desktop'>{body}</div><div class='framer-tablet'>{body}</div>"
        f"<p>{AR_P1[:60]}</p></div></main></body></html>"
    )
    ex = extract_html(page)
    assert ex.text.count(AR_P2) == 1 and ex.text.count(AR_P3) == 1
    assert ex.text.count(AR_P1[:60]) == 3  # in AR_P1, in the short repeat inside the copy kept, and after it
    assert [r.rule for r in ex.removed].count("html:repeated") == 1
    # Different texts of the same length are not copies.
    other = body.replace("الخلاصة", "الملخّص")
    page2 = page.replace(f"<div class='framer-tablet'>{body}</div>", f"<div class='framer-tablet'>{other}</div>")
    assert extract_html(page2).text.count(AR_P2) == 2


def test_elementor_blocks_are_not_chrome_by_their_builder_names() -> None:
    # Elementor wraps every block in "elementor-widget elementor-widget-<type>": short paragraphs in text-editor
    # widgets are article text, while its nav-menu and share-buttons widgets are still chrome.
    def widget(kind: str, inner: str) -> str:
        return (
            f'<div class="elementor-element elementor-element-7e8c3baa elementor-widget elementor-widget-{kind}">'
            f'<div class="elementor-widget-container">{inner}</div></div>'
        )

    short = ["The council met on Tuesday.", "It approved the budget, 7 votes to 2.", "Work starts in May."]
    page = (
        "<html><body><div class='elementor-widget-wrap'>"
        + widget("nav-menu", "<a href='/'>Home</a> <a href='/news'>News</a> <a href='/about'>About</a>")
        + widget("heading", "<h2>Council approves road budget</h2>")
        + "".join(widget("text-editor", f"<p>{s}</p>") for s in short)
        + widget("text-editor", f"<p>{EN_P1}</p>")
        + widget("share-buttons", "<a href='#'>Share on Facebook</a> <a href='#'>Share on X</a>")
        + "</div></body></html>"
    )
    ex = extract_html(page)
    for s in short:
        assert s in ex.text
    assert "Council approves road budget" in ex.text and "Home" not in ex.text and "Facebook" not in ex.text
    assert {"html:nav", "html:share"} <= {r.rule for r in ex.removed}


def test_highlighted_code_keeps_its_comments() -> None:
    # Syntax highlighters name the parts of code ("hljs-comment", "token comment"): code, not a comment section.
    code = (
        '<pre><code class="language-bash"><span class="hljs-comment"># stage every modified file for commit</span>\n'
        'git add -A\n<span class="token comment"># reapply the stashed changes</span>\ngit stash pop</code></pre>'
    )
    page = (
        f"<html><body><article><h1>Git basics</h1><p>{EN_P1}</p>{code}<p>{EN_P1[:80]} again.</p></article>"
        "<section class='comments'><div class='comment'>Great post, thanks for sharing this with us!</div>"
        "</section></body></html>"
    )
    ex = extract_html(page)
    assert "# stage every modified file for commit" in ex.text and "# reapply the stashed changes" in ex.text
    assert "Great post" not in ex.text


def test_heading_anchor_ids_are_not_chrome_names() -> None:
    # Many CMSs give headings an id made from their text; words like "share" or "social" in it are the heading's
    # words, not a component's name. A component id of the same length whose words are not its text still is.
    page = (
        f"<html><body><article><h1>Guide</h1><p>{EN_P1}</p>"
        "<h2 id='h-how-to-share-a-large-file-safely'>How to share a large file safely</h2>"
        f"<p>{EN_P1[:120]} and more.</p>"
        "<div id='related-posts-widget-area-box'><a href='/a'>Ten tips for faster uploads</a> "
        "<a href='/b'>Cloud storage compared</a></div></article></body></html>"
    )
    ex = extract_html(page)
    assert "How to share a large file safely" in ex.text
    assert "Cloud storage compared" not in ex.text


def test_widget_settings_left_as_text_are_dropped() -> None:
    # Shop widgets leave their JSON settings in the page as text (a hidden <span>): data, never article text.
    settings = json.dumps({"layoutMobile": 2, "buttonText": "Buy now", "productTitle": {"heading": "Scooter"}})
    page = (
        f"<html><body><article><h1>{AR_TITLE}</h1><p>{AR_P1}</p>"
        f"<div class='dynamic-product'><span hidden>{settings}</span></div><p>{AR_P2}</p>"
        "<p>[1] المصدر: وكالة الأنباء السعودية</p></article></body></html>"
    )
    ex = extract_html(page)
    assert AR_P1 in ex.text and AR_P2 in ex.text
    assert "layoutMobile" not in ex.text
    # The short source line ending the text goes too, as a label (``html:tail-label``), not as data.
    assert {r.rule: r.text for r in ex.removed}["html:tail-label"] == "[1] المصدر: وكالة الأنباء السعودية"
    assert "html:data" in {r.rule for r in ex.removed}


def test_headline_is_the_one_long_h1_beside_a_logo_and_a_responsive_copy() -> None:
    # A blog's name in an <h1> beside the headline's <h1>, and the headline's <h1> twice (desktop and mobile
    # layouts): the reader's headline is the one long <h1>, not og:title's SEO wording.
    page = (
        "<html><head><meta property='og:title' content='Catering Tips for a Successful Event'></head><body>"
        "<div class='logo'><h1>The Blog</h1></div>"
        "<div class='d-none d-md-block'><h1>Catering 101: Catering Tips to Make Your Next Event a Success</h1></div>"
        "<div class='d-md-none'><h1>Catering 101: catering tips to make your next event a success</h1></div>"
        f"<article><p>{EN_P1}</p></article></body></html>"
    )
    assert extract_html(page).title == "Catering 101: Catering Tips to Make Your Next Event a Success"
