"""Page metadata: og:/twitter:title, ``<title>``, JSON-LD ``articleBody`` and ``headline``, and the choice of
the headline among them and the page's ``<h1>``s.

>>> from selectolax.lexbor import LexborHTMLParser
>>> tree = LexborHTMLParser('<html><head><title>Vote on the budget | The Courier</title>'
...                         '<meta property="og:title" content="Council votes on the budget"></head></html>')
>>> scripts, og, twitter, html_title, found = page_metadata(tree)
>>> og, html_title, found
('Council votes on the budget', 'Vote on the budget | The Courier', True)
>>> choose_title(["The Courier", "Council votes on the budget"], og, html_title, "")
'Council votes on the budget'
>>> choose_title([], "", html_title, "")
'Vote on the budget'
"""

from __future__ import annotations

import json
import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from dedup.clean.html.text import WS, norm

_META_SELECTOR = 'script[type="application/ld+json"],meta[property="og:title"],meta[name="twitter:title"],title'
_TITLE_SPLIT = re.compile(r"\s+(?:[|\-–—:•·»«/]|::)\s+")


def page_metadata(root: LexborHTMLParser | LexborNode) -> tuple[list[LexborNode], str, str, str, bool]:
    """(JSON-LD scripts, og:title, twitter:title, <title>, whether a title of any kind was seen) under root,
    the first of each kind, in one selector walk."""
    scripts: list[LexborNode] = []
    og = twitter = html_title = ""
    seen_title = False
    for node in root.css(_META_SELECTOR):
        tag = node.tag
        if tag == "script":
            scripts.append(node)
        elif tag == "title":
            if not seen_title:
                seen_title = True
                html_title = node.text(deep=True).strip()
        else:
            attrs = node.attributes
            if attrs.get("property") == "og:title":
                og = og or (attrs.get("content") or "").strip()
            else:
                twitter = twitter or (attrs.get("content") or "").strip()
    return scripts, og, twitter, html_title, seen_title or bool(og or twitter)


def json_ld_bodies(scripts: list[LexborNode]) -> tuple[str, str]:
    """(articleBody, headline) from JSON-LD scripts, longest body wins; ('', '') when absent or unparsable."""
    best_body, best_head = "", ""
    for node in scripts:
        raw = node.text(deep=True) or ""
        if "articleBody" not in raw:  # the headline is read only beside an articleBody
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        seen = 0
        while stack and seen < 500:  # bounded: JSON-LD can be huge
            seen += 1
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                body = item.get("articleBody")
                if isinstance(body, str) and len(body) > len(best_body):
                    best_body = body
                    head = item.get("headline")
                    best_head = head if isinstance(head, str) else best_head
                for v in item.values():
                    if isinstance(v, (list, dict)):
                        stack.append(v)
    return best_body, best_head


def _strip_site_suffix(title: str) -> str:
    """'Headline | Site Name' → 'Headline' (keeps the longest part, usually the headline)."""
    parts = _TITLE_SPLIT.split(title)
    if len(parts) == 1:
        return title.strip()
    return max(parts, key=len).strip()


def choose_title(h1s: list[str], og: str, html_title: str, ld_head: str) -> str:
    """Prefer an <h1> that the metadata confirms, then a page's only <h1>, then og:title, JSON-LD headline,
    <title>."""
    meta = [norm(t) for t in (og, ld_head, html_title) if t]
    for h in h1s:
        nh = norm(h)
        # Confirmed when one contains the other and they are of comparable length: a logo <h1> holding the
        # site name is contained in "Headline - Site Name" too, but is much shorter.
        if nh and any((nh in m or m in nh) and 2 * min(len(nh), len(m)) >= max(len(nh), len(m)) for m in meta):
            return WS.sub(" ", h).strip()
    # The only <h1> of a page, if it reads like a headline (4+ words, not a logo or section name), is what the
    # reader sees as the title; og:title and <title> are often an SEO variant of it ("Top 10 Health Trends to
    # Watch" vs "Health Trends For 2026"). Short <h1>s beside it are a logo or a section name ("The Blog"), and
    # a second copy of the same <h1> is a responsive layout's.
    headlines: dict[str, str] = {}
    for h in h1s:
        if len(h.split()) >= 4:
            headlines.setdefault(norm(h), h)
    if len(headlines) == 1:
        return WS.sub(" ", next(iter(headlines.values()))).strip()
    for t in (og, ld_head, html_title):
        if t:
            return _strip_site_suffix(WS.sub(" ", t))
    return WS.sub(" ", h1s[0]).strip() if h1s else ""
