"""Tests for deeply nested HTML: the depth cap before lexbor parses a page (dedup.clean.html.nesting), and the
extractor on pathologically deep and on moderately deep pages."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from dedup.clean.html import extract_html
from dedup.clean.html.chrome import remove_chrome
from dedup.clean.html.nesting import _simulated_depth, bounded_nesting
from dedup.clean.html.tree import Flat

AR_P1 = (
    "قال المتحدث الرسمي باسم الوزارة إن الاجتماع سيعقد يوم الأحد المقبل في العاصمة الرياض، "
    "بمشاركة وفود من عشر دول عربية لمناقشة ملفات الطاقة والمياه والأمن الغذائي في المنطقة."
)
AR_P2 = (
    "وأضاف أن جدول الأعمال يتضمن توقيع اتفاقيات للتعاون الاقتصادي، وإطلاق صندوق مشترك لدعم المشروعات "
    "الصغيرة والمتوسطة، إلى جانب بحث سبل تسهيل حركة التجارة البينية بين الدول المشاركة."
)
AR_TITLE = "الرياض تستضيف اجتماعاً عربياً لبحث ملفات الطاقة والمياه"


def test_a_hundred_thousand_nested_divs_keep_their_text() -> None:
    # lexbor walks its whole stack of open elements for each <div>: parsing this page as it is took a minute.
    # Past the depth cap the divs are flattened into one element, and all their text stays.
    n = 100_000
    html = (
        "<html><body>"
        + "".join(f"<div>الفقرة {i} " if i % 10_000 == 0 else "<div>" for i in range(n))
        + f"<p>{AR_P1}</p>"
        + "</div>" * n
        + "</body></html>"
    )
    for page in (html, html.encode()):
        ex = extract_html(page)
        assert AR_P1 in ex.text
        assert "الفقرة 50000" in ex.text and "الفقرة 90000" in ex.text  # text along the way, past the cap


def _article_page(depth: int, related: int = 0) -> str:
    """A news page whose article sits ``depth`` wrappers deep, with ``related`` links listed below it."""
    links = "".join(f'<li><a href="/n/{i}">خبر رقم {i}</a></li>' for i in range(related))
    return (
        f'<html lang="ar"><head><title>{AR_TITLE} | صحيفة الوطن</title></head><body>'
        '<header><nav><a href="/">الرئيسية</a> <a href="/sport">رياضة</a></nav></header>'
        + "".join(f'<div class="wrap-{i}">' for i in range(depth))
        + f'<article><h1>{AR_TITLE}</h1><div class="share-bar"><a href="#">فيسبوك</a></div>'
        f"<p>{AR_P1}</p><p>{AR_P2}</p></article>" + "</div>" * depth + f'<ul class="related-list">{links}</ul>'
        "<footer>جميع الحقوق محفوظة</footer></body></html>"
    )


def test_a_page_300_levels_deep_extracts_as_usual() -> None:
    shallow = extract_html(_article_page(0))
    assert shallow.title == AR_TITLE and shallow.text == f"{AR_P1}\n{AR_P2}"
    deep = extract_html(_article_page(300))
    assert (deep.title, deep.text, deep.lang, deep.removed) == (shallow.title, shallow.text, "ar", shallow.removed)
    assert {"html:header", "html:share"} <= {r.rule for r in deep.removed}
    deep = extract_html(_article_page(300, related=5_000))
    assert (deep.title, deep.text) == (shallow.title, shallow.text)
    # With 5,000 related links the page has over 10,000 tags, so it is scanned, and left as it was.
    raw = _article_page(300, related=5_000).encode()
    assert raw.count(b"<") > 10_000 and bounded_nesting(raw) is raw


def test_the_cap_keeps_text_blocks_scripts_and_comments() -> None:
    page = (
        b"<body><div>one<div>two<p>three <b>bold</b> end</p>"
        b"<script>var s = '<div><div><div>';</script><!-- <div><div> -->"
        b"<svg><text>icon</text></svg><ul><li>a<li>b</ul></div></div>after"
    )
    capped = bounded_nesting(page, max_depth=2, few_tags=0)
    assert capped == (
        b"<body><div>one<div>two<br>three bold end<br>"
        b"<script>var s = '<div><div><div>';</script><!-- <div><div> -->"
        b"<br>a<br>b<br></div></div>after"
    )
    assert _simulated_depth(capped) == 2


def test_malformed_pages_are_scanned_without_error() -> None:
    for page in (
        b"<div>" * 20 + b"<!-- never closed <div><div>",
        b"<div>" * 20 + b"<script>never closed <div>",
        b"<div>" * 20 + b'<a title="never closed><div><div>',
        b"<div " * 50 + b"<" * 50 + b"</" * 50 + b"<!" * 50,
        b"<svg>" + b"<div>" * 20 + b"<path/>" * 5,
        b"",
    ):
        assert isinstance(bounded_nesting(page, max_depth=4, few_tags=0), bytes)


# Random trees of common elements, every element closed: how deep the scan thinks they nest, against lexbor.
# (Not <a>, <b>, <em>...: lexbor reopens those left open across a block, which the scan does not follow.)
_TAGS = ["div", "p", "span", "li", "ul", "ol", "section", "h1", "h2", "dl", "dd", "dt", "blockquote", "article",
         "nav", "pre", "center", "label", "figure", "figcaption", "header", "main", "aside", "footer"]  # fmt: skip
_LEAVES = st.sampled_from(["x", "words here", " ", "<br>", "<img src=x>", "<!-- c -->", "<script>'<div>'</script>"])


def _tree(depth: int = 0) -> st.SearchStrategy[str]:
    if depth >= 7:
        return _LEAVES
    element = st.tuples(st.sampled_from(_TAGS), st.lists(st.deferred(lambda: _tree(depth + 1)), max_size=3))
    return st.one_of(_LEAVES, element.map(lambda e: f"<{e[0]}>{''.join(e[1])}</{e[0]}>"))


def _lexbor_depth(page: bytes) -> int:
    """Depth of lexbor's stack at its deepest: the tree's depth below <body> (void and raw-text elements are
    never left open)."""
    body = LexborHTMLParser(page).body
    assert body is not None
    best, stack = 0, [(body, 0)]
    while stack:
        node, depth = stack.pop()
        if node.tag in ("img", "br", "script"):
            continue
        best = max(best, depth)
        stack.extend((child, depth + 1) for child in node.iter(include_text=False))
    return best


@given(st.lists(_tree(), max_size=5))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_the_scan_follows_lexbor_depth(parts: list[str]) -> None:
    # Implied end tags (<p> closed by a block, <li> by the next one, headings) and scopes: the
    # scan's stack stays within 2 levels of lexbor's, and a page well under the cap is left exactly as it was.
    page = ("<html><body>" + "".join(parts) + "</body></html>").encode()
    assert abs(_simulated_depth(page) - _lexbor_depth(page)) <= 2
    assert bounded_nesting(page, max_depth=64, few_tags=0) == page


@given(st.lists(_tree(), min_size=1, max_size=4), st.integers(1, 6))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_capped_pages_keep_their_text_and_stay_under_the_cap(parts: list[str], cap: int) -> None:
    page = ("<html><body>" + "".join(parts) + "</body></html>").encode()
    capped = bounded_nesting(page, max_depth=cap, few_tags=0)
    assert _lexbor_depth(capped) <= cap + 2
    original, kept = LexborHTMLParser(page).body, LexborHTMLParser(capped).body
    assert original is not None and kept is not None
    assert kept.text(separator="").split() == original.text(separator="").split()


def test_many_chrome_elements_deep_down_are_taken_off_their_ancestors() -> None:
    # 3,000 navs under 300 levels: past a budget of steps, the cut lengths come off in one bottom-up pass;
    # the totals must be those of one walk up per cut.
    body = LexborHTMLParser(
        "<html><body>"
        + "<span>" * 300
        + "<nav><a href=/>menu, item</a></nav> text, " * 3_000
        + f"<p>{AR_P1}</p></body></html>"
    ).body
    assert body is not None
    flat, expected = Flat(body), Flat(body)
    remove_chrome(flat, None)
    assert len(flat.cut_roots) == 3_000
    for i in flat.cut_roots:
        expected.cut[i] = True
        p = expected.parent[i]
        while p >= 0:
            expected.text[p] -= expected.text[i]
            expected.link[p] -= expected.link[i]
            expected.commas[p] -= expected.commas[i]
            p = expected.parent[p]
    assert (flat.text, flat.link, flat.commas, flat.cut) == (
        expected.text,
        expected.link,
        expected.commas,
        expected.cut,
    )
