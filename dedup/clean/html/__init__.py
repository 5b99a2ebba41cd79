"""Main-content extraction from news HTML (selectolax / lexbor), Arabic and English alike.

``extract_html`` turns a scraped page into its headline and article body, and lists what it dropped and why
(for ``dedup clean --explain``). It never raises: malformed or empty HTML gives empty text, and HTML nested
absurdly deep is flattened past 512 levels before lexbor parses it (its text kept).

How it decides (ideas from readability, trafilatura and jusText, re-implemented on lexbor), step by module:

1. ``decode``: bytes are decoded by BOM / ``<meta charset>``, else utf-8, else windows-1256 (the usual Arabic
   legacy code page); undecodable bytes are replaced, never fatal.
2. ``nesting``: on a page with many tags, elements nested deeper than 512 are flattened into their ancestor
   at that depth (their text stays): lexbor's tree builder walks its stack of open elements for most tags.
3. ``metadata``: og:/twitter:title, ``<title>`` and JSON-LD are read from the head (the whole page when the
   head has none).
4. ``tree``: the body is walked once into flat arrays (``Flat``); non-content tags (script, style, iframes,
   forms, ...) are passed over, and text, link-text and comma counts are summed bottom-up once.
5. ``chrome``: page chrome (nav, header, footer, aside) and elements whose class/id name them as chrome
   (``vocabulary``: share bars, related links, ads, newsletter boxes, cookie banners, breadcrumbs, tags,
   author boxes, comments) are cut out of those arrays — unless such an element holds most of the page's
   paragraph text, which means the name was a false alarm (``<body class="... has-sidebar">``).
6. ``container``: the article container is found by paragraph scoring: every paragraph-like block with
   enough text scores by its length and its commas, scaled down by its link density, and passes that score
   to its ancestors; class/id names that say "article body" add weight and ones that say "comments/sidebar"
   subtract. The best container is widened to an ancestor that holds at least twice its paragraph mass
   without being link-heavy (long guides are split over sibling ``<section>``s), or to the wrapper that holds
   text of its own around it (lines and ``<br>``s around a table), and siblings that score well themselves,
   or are plain paragraphs with few links, join it (readability's sibling merge), and so do blocks
   of plain paragraphs before it up to four levels higher, inside its <main> or <article> (an abstract or an
   introduction in a section of its own), and after it the article's next sections in wrappers of their own
   (opening with a heading styled like the container's) and a questions-and-answers section (``after``). ``opening``
   adds what opens the article before it: the lead in the article's header, the opening paragraphs set
   apart from the body inside the page's one ``<article>``.
7. ``blocks``: inside the container, text is cut into blocks (paragraphs, headings, list items, ...) in
   document order; blocks that are mostly links (but not a sentence citing its sources between paragraphs),
   say "Read more / اقرأ أيضاً / Advertisement / Share" and the like, or are JSON data, are dropped, and so
   is a second rendering of the same text (responsive page builders put the article in the page once per
   breakpoint).
8. Fallbacks when that gave too little: under 200 characters from a body of more, a second container search
   without class/id weights, then a reading with an unclosed ``<a>``'s copies as plain text
   (``Flat.unlink_copies``), then the largest ``<noscript>``; under a tenth of the page's visible text after
   the chrome step cut most of it, another pass that trusts only the chrome tags and the names that never
   name a content wrapper (``_overcut_text``). (A page of sections, where the container holds little of the
   page's paragraphs, is widened in ``container``.)
9. A JSON-LD ``articleBody`` replaces the DOM text when it is clearly the fuller version of the same article.

>>> ex = extract_html('<html lang="ar"><body><nav><a href="/">الرئيسية</a></nav><article><h1>عنوان الخبر</h1>'
...                   '<p>قال المتحدث الرسمي إن الاجتماع سيعقد يوم الأحد المقبل في العاصمة الرياض.</p>'
...                   '</article></body></html>')
>>> ex.title, ex.text, ex.lang
('عنوان الخبر', 'قال المتحدث الرسمي إن الاجتماع سيعقد يوم الأحد المقبل في العاصمة الرياض.', 'ar')
>>> [r.rule for r in ex.removed]
['html:nav']
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from dedup.clean.html.blocks import cut_blocks, drop_repeats, filter_blocks
from dedup.clean.html.chrome import remove_chrome
from dedup.clean.html.container import best_container
from dedup.clean.html.decode import decode_page
from dedup.clean.html.metadata import choose_title, json_ld_bodies, page_metadata
from dedup.clean.html.nesting import bounded_nesting
from dedup.clean.html.text import WS
from dedup.clean.html.tree import Flat
from dedup.document import Removal

_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});")

__all__ = ["HtmlExtraction", "extract_html"]


@dataclass(slots=True)
class HtmlExtraction:
    """What ``extract_html`` found on a page."""

    title: str
    text: str
    removed: list[Removal] = field(default_factory=list)
    lang: str | None = None


def extract_html(html: str | bytes, url: str | None = None, *, explain: bool = True) -> HtmlExtraction:
    """Headline and article text of an HTML page, plus what was removed and why.

    With ``explain=False`` nothing is listed in ``removed`` (same title and text): a scan that only
    fingerprints the text skips building the removed pieces' text, a tenth of the extraction's time.
    ``url`` is accepted for future per-site rules and currently unused. Never raises.
    """
    try:
        return _extract(html, explain)
    except Exception:  # malformed input must never take the pipeline down
        return HtmlExtraction(title="", text="", removed=[], lang=None)


def _parse(html: str, utf8: bytes | None = None) -> LexborHTMLParser:
    """lexbor's tree of ``html`` (whose UTF-8 encoding ``utf8`` is, when given), nested at most
    ``nesting.MAX_DEPTH`` deep."""
    # Encoded here as LexborHTMLParser would encode a str, so that the tags can be counted on the bytes.
    return LexborHTMLParser(bounded_nesting(utf8 if utf8 is not None else html.encode("utf-8", "ignore")))


# A page whose article text is under _WEAK_TEXT characters while its body holds over _WEAK_BODY gets a
# second look (``_extract``).
_WEAK_TEXT = 200
_WEAK_BODY = 1000
_NOSCRIPT_MIN = 500  # characters of a <noscript> worth a look (not "Please enable JavaScript")
# A page whose article text is under _OVERCUT_SHARE of its body's text, after the chrome step cut over
# _OVERCUT_CUT of that text, gets another pass trusting fewer class/id names (``_overcut_text``). Chosen on the
# tuning parts: 0.2 took a league table into a tfeval tuning page's short news item.
_OVERCUT_SHARE = 0.1
_OVERCUT_CUT = 0.5


def _container_text(flat: Flat, title: str, listed: list[Removal] | None, plain: bool) -> str:
    """The text of the article container ``best_container`` finds (``plain``: its second look)."""
    roots = best_container(flat, plain)
    drop_repeats(flat, roots, listed)
    blocks = [b for root in roots for b in cut_blocks(flat, root, listed)]
    return "\n".join(filter_blocks(blocks, title, listed))


def _noscript_text(tree: LexborHTMLParser, text: str, title: str, listed: list[Removal] | None) -> str:
    """The article from the page's largest <noscript> when that gives clearly more than ``text``, else ``text``.

    Blogger's dynamic templates (and other script-rendered pages) put the post in a <script type=text/template>
    for the script and once more in a <noscript> for readers without it; the body outside holds only chrome.
    """
    best, best_len = None, _NOSCRIPT_MIN
    for node in tree.css("noscript"):
        n = len(node.text(deep=True))
        if n > best_len:
            best, best_len = node, n
    if best is None:
        return text
    flat = Flat(best)
    again: list[Removal] | None = [] if listed is not None else None
    remove_chrome(flat, again)
    found = _container_text(flat, title, again, False)
    if len(found) <= 2 * len(text) + 100:
        return text
    if listed is not None and again is not None:
        listed.extend(again)
    return found


def _overcut_text(body: LexborNode, text: str, title: str, listed: list[Removal] | None) -> str:
    """The article from a pass that trusts only the chrome tags and the class/id names that never name a
    content wrapper (``chrome.WRAPPER_NAMES`` are not trusted), when that gives clearly more than ``text``.

    For a page whose article the chrome step cut: a short post inside a box named like an ad, a promo, a
    widget or a newsletter ("main-banner", "promo-text") is not long enough for those rules' prose guards,
    and what is left of the page is a caption or a contact box. Comment threads, cookie banners, related
    links and footers stay cut: they are what makes a page's body many times its article on most pages.
    """
    flat = Flat(body)
    again: list[Removal] | None = [] if listed is not None else None
    remove_chrome(flat, again, trust_all_names=False)
    found = _container_text(flat, title, again, False)
    if len(found) <= 2 * len(text) + 100:
        return text
    if listed is not None and again is not None:
        listed[:] = again  # what this pass removed, not the first pass's cuts
    return found


def _unlinked_text(body: LexborNode, text: str, title: str, listed: list[Removal] | None) -> str:
    """The article read again with the copies of an unclosed ``<a>`` as plain text (``Flat.unlink_copies``),
    when the page has such copies and that gives clearly more than ``text``."""
    flat = Flat(body)
    if not flat.unlink_copies():
        return text
    again: list[Removal] | None = [] if listed is not None else None
    remove_chrome(flat, again)
    found = _container_text(flat, title, again, False)
    if len(found) <= 2 * len(text) + 100:
        return text
    if listed is not None and again is not None:
        listed[:] = again
    return found


def _extract(html: str | bytes, explain: bool = True) -> HtmlExtraction:
    utf8 = None
    if isinstance(html, bytes):
        raw = html
        html, plain = decode_page(raw)
        utf8 = raw if plain else None  # already what lexbor parses: no need to encode the text again
    if not html or html.isspace():  # not strip(): that copies the whole page
        return HtmlExtraction(title="", text="", removed=[], lang=None)
    tree = _parse(html, utf8)
    root = tree.root
    lang = None
    if root is not None and root.tag == "html":
        lang = (root.attributes.get("lang") or root.attributes.get("xml:lang") or "").strip() or None

    # Metadata in one selector walk over <head>: JSON-LD scripts, og:/twitter:title, <title> (first of each
    # kind). JSON-LD scripts in the body are collected by the body walk, which passes over every script anyway.
    # Pages rendered by script can have their <title> and <meta>s in the body: the whole page is searched when
    # the head has neither.
    body = tree.body
    head = tree.head
    scripts, og, twitter, html_title, found = page_metadata(head if body is not None and head is not None else tree)
    if not found and head is not None and body is not None:
        # Not its scripts: the head's are in hand and the body walk has the rest.
        og, twitter, html_title = page_metadata(tree)[1:4]
    og = og or twitter
    removed: list[Removal] = []
    if body is None:
        ld_head = json_ld_bodies(scripts)[1]
        return HtmlExtraction(title=choose_title([], og, html_title, ld_head), text="", removed=removed, lang=lang)
    # Junk tags are not removed from the DOM: the body walk passes over them (a selector walk for 20 tag names
    # would cost about as much as the whole chrome step).
    flat = Flat(body)
    scripts.extend(n for n in flat.scripts if n.attributes.get("type") == "application/ld+json")
    ld_body, ld_head = json_ld_bodies(scripts)
    h1s: list[str] = []
    k = -1
    while len(h1s) < 5:
        try:
            k = flat.tags.index("h1", k + 1)
        except ValueError:
            break
        h1s.append(flat.subtree_text(k, ""))
    title = choose_title(h1s, og, html_title, ld_head)
    listed = removed if explain else None
    raw_body = flat.text[0]  # before chrome: the page's visible text
    remove_chrome(flat, listed)
    text = _container_text(flat, title, listed, False)
    if len(text) < _WEAK_TEXT and flat.text[0] > _WEAK_BODY:
        # Almost nothing from a page with plenty of text: a tiny box won on its name ("content"), or the text
        # sits in inline elements the scoring does not count. A second look without names, inline text
        # scored; taken when it gives clearly more.
        again: list[Removal] | None = [] if explain else None
        plain = _container_text(flat, title, again, True)
        if len(plain) > 2 * len(text) + 100:
            text = plain
            if listed is not None and again is not None:
                listed.extend(again)
    if len(text) < _OVERCUT_SHARE * raw_body and raw_body > _WEAK_BODY and flat.text[0] < _OVERCUT_CUT * raw_body:
        text = _overcut_text(body, text, title, listed)
    if len(text) < _WEAK_TEXT and raw_body > _WEAK_BODY:
        text = _unlinked_text(body, text, title, listed)
    if len(text) < _WEAK_TEXT:
        text = _noscript_text(tree, text, title, listed)

    # JSON-LD articleBody: trust it when it is the same article and clearly fuller than what the DOM gave.
    if ld_body:
        ld_text = WS.sub(" ", ld_body).strip()
        # CMSs write it HTML-escaped: markup (&lt;p&gt;) or only accented letters (lideran&ccedil;as).
        if "&" in ld_text and _ENTITY.search(ld_text):
            ld_text = html_lib.unescape(ld_text)
        if "<" in ld_text and ">" in ld_text:
            ld_text = _parse(ld_text).text(separator="\n").strip()
        if len(ld_text) > 1.3 * len(text) and len(ld_text) > 200:
            text = ld_text
    # Composed Unicode (NFC), as typed: pages written on some systems or by some CMSs spell "ä" as "a" plus a
    # combining diaeresis, Bengali's "য়" as "য" plus a nukta; the same words must give the same text.
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if not title.isascii() and not unicodedata.is_normalized("NFC", title):
        title = unicodedata.normalize("NFC", title)
    return HtmlExtraction(title=title, text=text, removed=removed, lang=lang)
