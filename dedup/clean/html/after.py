"""What joins the article container after it: the article's later sections set in wrappers of their own
beside it, and its questions-and-answers section.

After the container, blocks of plain paragraphs are as often an author's bio, a company blurb or a teaser
list as more of the article, so only two kinds join: a section that continues the container's own run of
headings (``next_section``) and a FAQ (``faq_after``).

>>> from selectolax.lexbor import LexborHTMLParser
>>> para = "<p>" + "The tram line runs north, and the council, after a long dispute, has paid for it. " * 4 + "</p>"
>>> flat = Flat(LexborHTMLParser(f'<body><div><div><h2 class="sub">Route</h2>{para}{para}</div>'
...                              f'<div><h2 class="sub">Costs</h2>{para}{para}</div></div></body>').body)
>>> next_section(flat, 2, flat.tags.index("div", 3))
True
"""

from __future__ import annotations

import re

from dedup.clean.html.tree import Flat

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

# A section after the container (``next_section``): this many characters, under this share of link text, this
# share of it in <p>. Chosen on the tuning parts, where two wcxb pages gain (a guide's later chapters, a
# review's "Conclusions") and no other page changes from 200 to 1,000 characters, 0.1 to 0.2 of links and 0.4
# to 0.8 in paragraphs (0.05 of links leaves one of the two out). The floor sits in the middle of the part
# where no page of any part loses: under 300 characters one held wcxb page loses, at 1,000 a held page's
# gain goes.
_SECTION_MIN = 500
_SECTION_MAX_LD = 0.1
_SECTION_PROSE = 0.6


def next_section(flat: Flat, best: int, j: int) -> bool:
    """Whether block ``j``, after the container ``best``, is the article's next section: 500+ characters,
    under 10% link text, 60% of it in <p>, opening with its one heading of that tag (not <h1>), and a
    heading of the same tag and class list inside the container.

    The caller has checked that ``j`` is another copy of the container's layout block (same tag and first
    class). Pages split a long guide into sibling wrappers whose later ones hold too little paragraph mass
    to join as copies; their headings are styled like the container's own. A list of teasers has a heading
    per item, an author box or a company blurb a heading of its own style, or none.
    """
    tags, text, link, last, cut, nodes = flat.tags, flat.text, flat.link, flat.last, flat.cut, flat.nodes
    if text[j] < _SECTION_MIN or link[j] > _SECTION_MAX_LD * text[j]:
        return False
    h = _opening_heading(flat, j)
    if h < 0:
        return False
    tag, cls = tags[h], nodes[h].attributes.get("class") or ""
    if sum(1 for c in range(j, last[j] + 1) if tags[c] == tag and not cut[c]) != 1:
        return False
    if not any(
        tags[c] == tag and not cut[c] and (nodes[c].attributes.get("class") or "") == cls
        for c in range(best, last[best] + 1)
    ):
        return False
    prose = sum(text[c] for c in range(j, last[j] + 1) if tags[c] == "p" and not cut[c])
    return prose >= _SECTION_PROSE * text[j]


def _opening_heading(flat: Flat, j: int) -> int:
    """The heading (<h2>..<h6>) that opens block ``j``: down the chain of first elements holding text, or -1."""
    tags, text, last, cut = flat.tags, flat.text, flat.last, flat.cut
    k = j
    while tags[k] not in HEADINGS:
        c = k + 1
        while c <= last[k] and (cut[c] or not text[c]):
            c = last[c] + 1
        if c > last[k]:
            return -1
        if flat.own[k]:  # text of its own before or around its first child: the block opens with that text
            return -1
        k = c
    return k if tags[k] != "h1" else -1


# The heading of a questions-and-answers section (``faq_after``), in the languages of the dev sets' pages.
_FAQ_HEADING = re.compile(
    r"\bfaqs?\b|frequently asked|häufig gestellte fragen|häufige fragen|preguntas frecuentes|"
    r"questions fréquentes|الأسئلة الشائعة|الاسئلة الشائعة|أسئلة شائعة",
    re.I,
)
_FAQ_MIN = 200  # characters of the section
_FAQ_HEADING_MAX = 120  # characters of its heading
_FAQ_MAX_LD = 0.3  # its share of link text, the scored siblings' bound


def faq_after(flat: Flat, roots: list[int]) -> list[int]:
    """``roots`` plus the questions-and-answers sections right beside the last of them, after it: blocks of
    200+ characters under 30% link text whose first heading (under 120 characters) says "FAQ" or "Frequently
    asked questions" (German, Spanish, French, Arabic too). Guides and reviews end with their FAQ in a section
    of its own, which the page's truth counts as the article's last part.

    Only the container's own siblings: a questions section further up the page is the site's (chosen on the
    tuning parts: one level adds four tuning pages' FAQs and changes no other page; two levels lose a held
    wcxb page). The bounds are flat: 50 to 500 characters, 0.3 to 0.5 of link text (0.1 loses a FAQ whose
    answers link).
    """
    tags, parent, text, link, cut, last = flat.tags, flat.parent, flat.text, flat.link, flat.cut, flat.last
    r = roots[-1]
    p = parent[r]
    if p < 0:
        return roots
    found: list[int] = []
    j = last[r] + 1
    while j <= last[p]:
        if not cut[j] and text[j] >= _FAQ_MIN and link[j] < _FAQ_MAX_LD * text[j]:
            h = next((k for k in range(j, last[j] + 1) if tags[k] in HEADINGS and text[k] and not cut[k]), -1)
            if h >= 0 and text[h] < _FAQ_HEADING_MAX and _FAQ_HEADING.search(flat.subtree_text(h)):
                found.append(j)
        j = last[j] + 1
    return [*roots, *found] if found else roots
