"""Page chrome cut out of the flat body: nav, header, footer, aside, forms, and elements whose class/id names
them as chrome (share bars, related links, ads, newsletter boxes, cookie banners, breadcrumbs, tags, author
boxes, comments).

Nothing is removed from the DOM: a cut element is marked in ``Flat.cut`` and its text, link-text and comma
counts are taken off its ancestors' totals, so the later steps see the page without it.

>>> from selectolax.lexbor import LexborHTMLParser
>>> flat = Flat(LexborHTMLParser('<body><nav><a href="/">Home</a></nav><div class="share-bar">Share</div>'
...                              '<p>The council met on Tuesday.</p></body>').body)
>>> removed: list[Removal] = []
>>> remove_chrome(flat, removed)
>>> [(r.rule, r.text) for r in removed], flat.text[0]
([('html:nav', 'Home'), ('html:share', 'Share')], 27)
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from dedup.clean.html.text import clip
from dedup.clean.html.tree import Flat
from dedup.clean.html.vocabulary import NAME_RULES, UNKNOWN, chrome_rule
from dedup.document import Removal

# Page chrome by element name; removed and listed.
_CHROME_TAGS = {"nav": "html:nav", "footer": "html:footer", "aside": "html:aside", "header": "html:header",
                "form": "html:form", "menu": "html:nav"}  # fmt: skip
# Code: its parts are named by syntax highlighters ("hljs-comment"), never as chrome (see remove_chrome).
_CODE_TAGS = frozenset({"pre", "code"})
# Elements whose class/id is not worth a look: they hold no text (img, source, ...).
_NO_CLASS_CHECK = frozenset({"img", "picture", "source", "br", "hr", "path", "use", "g"})
# Rules whose class names are also used for content wrappers: applied only to short or link-heavy blocks.
_WEAK_RULES = frozenset({"html:nav", "html:tags", "html:author", "html:popup", "html:share"})
# Rules whose names an ad slot or promo box carries, but so do layout wrappers around a whole article.
_PROSE_GUARDED = frozenset({"html:ad", "html:newsletter", "html:breadcrumb"})
# The name rules known to also name content wrappers (the two sets above): a second pass over a page whose
# article the first pass cut (see ``extract_html``) trusts only the other names (comments, cookie banners,
# related links, footers) and the chrome tags.
WRAPPER_NAMES = _WEAK_RULES | _PROSE_GUARDED
# A <header> of paragraphs only (see remove_chrome) is text from this many characters.
_PROSE_HEADER_MIN = 200
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# A block named for a "read more" toggle (see remove_chrome) is folded text from this many characters.
_FOLDED_MIN = 200
_READ_MORE_NAME = re.compile(r"read[-_]?more", re.I)
_CONTENT_NAME_RE = re.compile(r"(?:^|[\s_-])(?:article|story|post|entry|main|content|body)(?:$|[\s_-])", re.I)
# The class lists WordPress (post_class: "post-12 post type-post status-publish hentry tag-x") and Drupal
# ("node node-article node-promoted") give a post; see remove_chrome.
_CMS_POST = re.compile(r"(?:^|\s)(?:hentry|type-post|node-(?:article|story|blog|news))(?:\s|$)")
# Hidden elements (display:none, [hidden]) are not chrome: collapsed accordions and tabs hold real article
# text, which the benchmarks' ground truth includes.


def remove_chrome(flat: Flat, removed: list[Removal] | None, trust_all_names: bool = True) -> None:
    """Cut chrome elements (by tag or class/id vocabulary) out of ``flat``, recording their text.

    Nothing is removed from the DOM: a cut element's subtree is skipped by the later steps, and its lengths
    are taken off its ancestors' totals. With ``trust_all_names=False`` the name rules in ``WRAPPER_NAMES``
    cut nothing (the chrome tags still do).
    """
    total = flat.text[0]
    # Chrome that holds most of the page text is a wrapper that merely carries a misleading name
    # (e.g. an ASP.NET <form> around the whole page, <div class="has-sidebar">); keep those.
    guard = max(2000, int(total * 0.45))
    text, link, last, tags, nodes = flat.text, flat.link, flat.last, flat.tags, flat.nodes
    cut: list[int] = []
    name_rules = NAME_RULES
    # A walk over the flat arrays in document order, not a CSS selection: subtrees without text, and those
    # inside a cut element, are skipped whole before any class/id is read (reading attributes of the few
    # elements left costs less than lexbor's selector walk plus a mem_id lookup per match).
    i = 0
    n_el = len(tags)
    while i < n_el - 1:
        i += 1
        n = text[i]
        if not n:
            i = last[i]  # no text anywhere below
            continue
        if n > guard:
            continue
        tag = tags[i]
        rule = _CHROME_TAGS.get(tag)
        if rule is None:
            if tag in _NO_CLASS_CHECK:
                continue
            if tag in _CODE_TAGS:
                # Syntax highlighters name code's parts ("hljs-comment", "token comment", "hljs-meta"): they
                # are the code, not page chrome, and nothing inside code is.
                i = last[i]
                continue
            attrs = nodes[i].attributes
            if not attrs:
                continue
            cls, ident = attrs.get("class"), attrs.get("id")
            if not cls and not ident:
                continue
            names = f"{cls} {ident}" if cls and ident else cls or ident
            rule = name_rules.get(names, UNKNOWN)
            if rule is UNKNOWN:
                rule = chrome_rule(names)
            # <blockquote class="twitter-tweet"> is an embedded quote the article cites, not a share bar.
            if rule is None or tag in ("main", "article", "blockquote"):
                continue
            if not trust_all_names and rule in WRAPPER_NAMES:
                continue
            if cls and _CMS_POST.search(cls):
                # A CMS's own class list for a post: its words come from the post's tags and flags
                # ("tag-glatteis", "node-promoted"), not from what the element is.
                continue
            if ident and _is_text_anchor(ident, flat, i):
                # The id is the element's own text made into an anchor ("h-how-to-share-a-file"): a heading or
                # section, named by its words, not a component. Only the class can call it chrome.
                rule = chrome_rule(cls) if cls else None
                if rule is None:
                    continue
        if rule in _WEAK_RULES and n > 300 and _looks_like_content(flat, i, n):
            # Generic layout names (widget, sidebar, menu, modal...) also wrap real articles on many
            # CMSs (Blogger's class="widget Blog", "article modal-enabled"); keep blocks that read like prose.
            continue
        if (rule == "html:header" or (rule == "html:aside" and _few_anchors(flat, i))) and (
            n > 600 and _has_paragraphs(flat, i, n)
        ):
            # A page header holds a logo, a menu, a headline and a dek; one with several long paragraphs is a
            # section of the article that a component library renders as <header> (a text-and-image block).
            # An <aside> likewise holds a sidebar's links and teasers, or a box of the article's own prose (a
            # background section, an interview beside the report), not a teaser list (a link in every item).
            continue
        if rule == "html:header" and n >= _PROSE_HEADER_MIN and _prose_header(flat, i, n):
            # A component library's text block rendered as <header> ("ImageText_Description" beside a photo):
            # nothing but paragraphs, no heading, no links. A page's or an article's header has a headline, a
            # logo or a menu.
            continue
        if rule == "html:related" and n >= _FOLDED_MIN and link[i] <= 0.05 * n and _folded_text(names):
            # A "read more" toggle folds the article's own text: jQuery's Readmore.js and its kin put the name
            # ("js_readmore", "readmore-text") on the folded block itself. A "Read more" link is short and all
            # link; a block of plain text under that name is the text, not a pointer to another story.
            continue
        if rule in _PROSE_GUARDED and n > 1500 and _is_prose(flat, i, n):
            # An ad slot or promo box is short; several long, link-free paragraphs under an "ad" name are the
            # article inside a layout wrapper (Drupal's "body-ad-wrapper" that interleaves ads with the text).
            continue
        if removed is not None:
            removed.append(Removal(clip(flat.subtree_text(i)), rule))
        cut.append(i)
        i = last[i]
    flat.cut_roots = cut
    commas, parent, is_cut = flat.commas, flat.parent, flat.cut
    # Each cut's lengths come off its ancestors, one walk up per cut: a few dozen steps on a page. Many cuts
    # deep down a deeply nested page would make that cuts x depth steps, so past a budget the rest are taken
    # off in one bottom-up pass instead.
    steps, budget = 0, 4 * n_el
    for k, i in enumerate(cut):
        is_cut[i] = True
        dt, dl, dc = text[i], link[i], commas[i]
        p = parent[i]
        while p >= 0:
            text[p] -= dt
            link[p] -= dl
            commas[p] -= dc
            p = parent[p]
            steps += 1
        if steps > budget:
            _subtract_bottom_up(flat, cut[k + 1 :])
            break


def _subtract_bottom_up(flat: Flat, cut: list[int]) -> None:
    """Mark ``cut`` as cut and take their lengths off their ancestors in one pass over the elements."""
    text, link, commas, parent, is_cut = flat.text, flat.link, flat.commas, flat.parent, flat.cut
    n_el = len(text)
    dt, dl, dc = [0] * n_el, [0] * n_el, [0] * n_el  # per element: what comes off it
    for i in cut:
        is_cut[i] = True
        p = parent[i]
        dt[p] += text[i]
        dl[p] += link[i]
        dc[p] += commas[i]
    for i in range(n_el - 1, -1, -1):  # children before parents: a parent's number is lower
        if dt[i]:  # (a cut element has text, so whatever comes off an element includes some text)
            text[i] -= dt[i]
            link[i] -= dl[i]
            commas[i] -= dc[i]
            p = parent[i]
            if p >= 0:
                dt[p] += dt[i]
                dl[p] += dl[i]
                dc[p] += dc[i]


def _prose_header(flat: Flat, i: int, text_len: int) -> bool:
    """No heading below ``i``, at most 5% link text, and 80% of the text in <p> elements.

    >>> from selectolax.lexbor import LexborHTMLParser
    >>> f = Flat(LexborHTMLParser("<header><p>One.</p><p>Two.</p></header><header><h1>Title</h1><p>Dek.</p>"
    ...                           "</header>").body)
    >>> _prose_header(f, 1, 8), _prose_header(f, 4, 9)
    (True, False)
    """
    if flat.link[i] > 0.05 * text_len:
        return False
    tags, text = flat.tags, flat.text
    in_paragraphs = 0
    for j in range(i + 1, flat.last[i] + 1):
        tag = tags[j]
        if tag in _HEADINGS:
            return False
        if tag == "p":
            in_paragraphs += text[j]
    return in_paragraphs >= 0.8 * text_len


def _folded_text(names: str) -> bool:
    """Class/id names for a "read more" toggle (html:related names come only from class/id, never a tag).

    >>> _folded_text("presentation-box-txt js_readmore"), _folded_text("read-more"), _folded_text("related-posts")
    (True, True, False)
    """
    return _READ_MORE_NAME.search(names) is not None


def _looks_like_content(flat: Flat, i: int, text_len: int) -> bool:
    """Prose-like: few links, or several real paragraphs, or named like an article body."""
    if flat.link[i] < 0.4 * text_len:
        return True
    if _CONTENT_NAME_RE.search(_attr_names(flat.nodes[i])):
        return True
    tags, text = flat.tags, flat.text
    long_paras = 0
    for j in range(i + 1, flat.last[i] + 1):
        if tags[j] == "p" and text[j] >= 100:
            long_paras += 1
            if long_paras >= 3:
                return True
    return False


def _is_prose(flat: Flat, i: int, text_len: int) -> bool:
    """At least four paragraphs of 150+ characters making most of the text, and under 15% link text."""
    if flat.link[i] > 0.15 * text_len:
        return False
    tags, text = flat.tags, flat.text
    long_paras = [text[j] for j in range(i, flat.last[i] + 1) if tags[j] == "p" and text[j] >= 150]
    return len(long_paras) >= 4 and sum(long_paras) >= 0.5 * text_len


def _has_paragraphs(flat: Flat, i: int, text_len: int) -> bool:
    """At least two paragraphs of 150+ characters making most of the text, and under 15% link text."""
    if flat.link[i] > 0.15 * text_len:
        return False
    tags, text = flat.tags, flat.text
    long_paras = [text[j] for j in range(i, flat.last[i] + 1) if tags[j] == "p" and text[j] >= 150]
    return len(long_paras) >= 2 and sum(long_paras) >= 0.5 * text_len


def _few_anchors(flat: Flat, i: int) -> bool:
    """Fewer links (<a>) than paragraphs (<p>) below ``i``: not a list of teasers (a link in every item)."""
    tags = flat.tags[i : flat.last[i] + 1]
    return tags.count("a") < tags.count("p")


def _attr_names(node: LexborNode) -> str:
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}"


_SLUG_PARTS = re.compile(r"[a-z]{2,}")
_NOT_ALNUM = re.compile(r"[\W_]+")


def _is_text_anchor(ident: str, flat: Flat, i: int) -> bool:
    """An id spelled from the element's own text: 4+ words, 80% of them in its first 400 characters.

    >>> from selectolax.lexbor import LexborHTMLParser
    >>> f = Flat(LexborHTMLParser('<h2 id="h-how-to-share-a-large-file">How to share a large file</h2>').body)
    >>> _is_text_anchor("h-how-to-share-a-large-file", f, 1)
    True
    """
    if ident.count("-") + ident.count("_") < 3:  # component names are short: "related-posts", "share_bar"
        return False
    words = _SLUG_PARTS.findall(ident.lower())
    if len(words) < 4:
        return False
    text = _NOT_ALNUM.sub("", flat.subtree_text(i)[:400].lower())
    return sum(w in text for w in words) >= 0.8 * len(words)
