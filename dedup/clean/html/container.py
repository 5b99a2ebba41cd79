"""The article container: readability-style paragraph scoring over the flat body, widened to the sections
and siblings that hold the rest of the same article.

Every paragraph-like block with enough text scores by its length and its commas (Latin and Arabic), scaled
down by its link density, and passes that score to its parent and, decaying, to two more ancestors. Class/id
names that say "article body" add weight and ones that say "comments/sidebar" subtract (``class_weight``).

>>> from selectolax.lexbor import LexborHTMLParser
>>> para = "<p>" + "The council met on Tuesday, and it voted, again, on the budget. " * 3 + "</p>"
>>> flat = Flat(LexborHTMLParser(f'<body><div class="menu"><a href="/">Home</a></div>'
...                              f'<div class="story">{para}{para}</div></body>').body)
>>> [flat.nodes[i].attributes["class"] for i in best_container(flat)]
['story']
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable

from selectolax.lexbor import LexborNode

from dedup.clean.html.after import HEADINGS, faq_after, next_section
from dedup.clean.html.opening import NOT_PROSE_NAME, lead_before, lead_in_header, lead_paragraphs, prose_before
from dedup.clean.html.tree import Flat
from dedup.clean.html.vocabulary import MAX_CLASS_WEIGHT, class_weight

_PARA_DEEP = frozenset({"p", "pre", "blockquote", "h2", "h3"})  # scored on all their text
_PARA_OWN = frozenset({"div", "li", "td"})  # scored on their direct text only (wrappers hold children's too)
_PARA_TAGS = _PARA_DEEP | _PARA_OWN
# Second look on a page where the first gave almost nothing (see ``best_container``): text that sits straight
# in inline elements (a CMS's <span class="value"> with <br>s, <font>) is scored too.
_PARA_OWN_PLAIN = _PARA_OWN | {"span", "font", "b", "strong", "em", "i", "center"}
_PARA_TAGS_PLAIN = _PARA_DEEP | _PARA_OWN_PLAIN

# Widen the container to an ancestor holding >= this many times its paragraph mass, if that ancestor's text
# is under this share of link text (both chosen on the benchmarks; the ratio is not sensitive). The link share
# is counted without whitespace-only text.
_CLIMB_RATIO = 2.0
_CLIMB_MAX_LD = 0.4

# A sibling layout block of the container joins with this share of its paragraph mass (chosen on the
# benchmarks; 0.05..0.6 all close).
_TWIN_MASS = 0.3

# A block of plain paragraphs before the container (``_paragraphs``) joins it under this share of link text: a
# review's summary that links the products it names. Chosen on the tuning parts: no part loses F1 from 0.1 to
# 0.5 (0.07 loses a held wcxb page); 0.3, the scored siblings' bound, is in the middle. The blocks found a few
# levels up (``_openings_above``) keep 0.05: 0.15 there loses a held aeb page.
_BEFORE_MAX_LD = 0.3

# A page of sections (see ``_sections``): the container holds under _SECTIONS_SHARE of the page's paragraph
# mass; the nearest ancestor holding _SECTIONS_COVER of it replaces it, the body only when the body's text is
# at most _SECTIONS_BODY characters. Chosen on the tuning parts (a share of 0.4 also took teasers into two tuning
# pages that 0.3 leaves alone).
_SECTIONS_SHARE = 0.3
_SECTIONS_COVER = 0.8
_SECTIONS_BODY = 10_000

# A wrapper holding this many characters of text straight in it (not in child elements), under this share of
# link text, is the container (see ``best_container``). Chosen on the tuning parts: from 100 to 2,000
# characters one tuning page changes and no other page of any part; 40 loses a held page; 500 is inside.
_OWN_TEXT_MIN = 500
_OWN_TEXT_MAX_LD = 0.2

# The winner outside the page's one <main> is replaced by the best candidate inside it when <main> holds this
# share of the body's text (after chrome). Chosen on the parts: 0.05 took a smaller <main> over the article on
# one held wcxb page; 0.2 loses nothing.
_MAIN_SHARE = 0.2


def best_container(flat: Flat, plain: bool = False) -> list[int]:
    """Readability-style paragraph scoring; the numbers of the elements most likely to hold the article (the
    best container and the siblings that join it), in document order.

    ``plain`` is the second look for a page where the first gave almost nothing: class/id names weigh
    nothing (a tiny box named "content" then no longer beats the recipe or the text beside it) and text
    straight inside inline elements scores like a paragraph.
    """
    tags, parent = flat.tags, flat.parent
    text, link = flat.text, flat.link
    # readability score: paragraph scores passed to 3 ancestors, decaying (only elements that get some)
    scores: dict[int, float] = {}
    last = flat.last
    own, own_commas, commas_deep = flat.own, flat.own_commas.get, flat.commas
    # Paragraph-like elements outside cut subtrees (cut roots are disjoint and in document order).
    para_tags, own_tags = (_PARA_TAGS_PLAIN, _PARA_OWN_PLAIN) if plain else (_PARA_TAGS, _PARA_OWN)
    spans: list[tuple[int, int]] = []  # the element numbers between cut subtrees
    start = 0
    for r in flat.cut_roots:
        spans.append((start, r))
        start = last[r] + 1
    spans.append((start, len(tags)))
    paras: list[int] = []  # numbers of the scored paragraphs, ascending
    para_scores: list[float] = []
    for i in [i for a, b in spans for i in range(a, b) if tags[i] in para_tags]:
        if tags[i] in own_tags:
            text_len = own[i]
            if text_len < 40:
                continue
            commas = own_commas(i, 0)
            ld = 0.0
        else:
            text_len = text[i]
            if text_len < 25:
                continue
            commas = commas_deep[i]
            ld = min(1.0, link[i] / text_len)
        score = (1.0 + commas + min(text_len / 100.0, 3.0)) * (1.0 - ld)
        paras.append(i)
        para_scores.append(score)
        key = parent[i]
        scores[key] = scores.get(key, 0.0) + score
        key = parent[key]
        if key >= 0:
            scores[key] = scores.get(key, 0.0) + score / 2.0
            key = parent[key]
            if key >= 0:
                scores[key] = scores.get(key, 0.0) + score / 6.0
    # Paragraph mass: all paragraph score below an element, from prefix sums over the paragraphs in document
    # order (an element's descendants are the numbers i < j <= last[i]); asked for a handful of elements only.
    prefix = [0.0]
    acc = 0.0
    for sc in para_scores:
        acc += sc
        prefix.append(acc)

    def mass(k: int) -> float:
        return prefix[bisect_right(paras, last[k])] - prefix[bisect_right(paras, k)]

    # final = (score + class weight) * (1 - link density): the first factor bounds it, so candidates are
    # visited best bound first and only until no remaining one can win.
    # The class weight is at most MAX_CLASS_WEIGHT, so candidates are taken by raw score until even that
    # cannot win.
    nodes = flat.nodes
    best, best_final = -1, 0.0
    max_weight, weight = (0.0, _no_weight) if plain else (MAX_CLASS_WEIGHT, class_weight)
    for s, neg in sorted(((s, -k) for k, s in scores.items() if s > 0), reverse=True):
        if s + max_weight <= best_final:
            break
        k = -neg
        bound = s + weight(nodes[k])
        if bound <= best_final:
            continue
        f = bound * (1.0 - link[k] / max(1, text[k]))
        if f > best_final:
            best, best_final = k, f
    if best < 0:
        return [0]
    if not plain:
        best, best_final = _inside_main(flat, best, best_final, scores, weight)

    # The article is often split over sibling sections (a long guide in several <section>s, paragraphs
    # in separate wrappers): climb while the parent adds a good share of paragraph mass that is not links.
    while True:
        bm = mass(best)
        up = parent[best]
        # The nearest ancestor that adds mass (single-child wrappers add none and are skipped over).
        while up > 0 and mass(up) < bm * _CLIMB_RATIO:
            up = parent[up]
        if up <= 0:  # reached the body
            break
        if link[up] > _CLIMB_MAX_LD * text[up]:
            break
        best = up
    # Wrappers that add no text (a page builder's row > cell > widget chain around the text) are the
    # container too: the siblings that may hold the rest of the article are those of the outermost one.
    # So is a wrapper that holds text of its own, straight in it (a CMS's text field of lines and <br>s
    # around a table or a list that scored as the container): that text is the rest of the article.
    own = flat.own
    up = parent[best]
    while up > 0 and (
        text[up] == text[best]
        or (own[up] >= _OWN_TEXT_MIN and link[up] < _OWN_TEXT_MAX_LD * text[up] and class_weight(nodes[up]) >= 0)
    ):
        best = up
        up = parent[best]
    roots = _with_siblings(flat, best, scores, mass, best_final)
    if not plain:
        roots = faq_after(flat, prose_before(flat, roots))
    if not plain and sum(mass(r) for r in roots) < _SECTIONS_SHARE * prefix[-1]:
        roots = _sections(flat, best, mass, prefix[-1], roots)
    lead = lead_before(flat, roots[0])
    if lead < 0 and not plain:
        lead = lead_in_header(flat, roots[0])
    if lead >= 0:
        roots = [*lead_paragraphs(flat, lead), *roots]
    return roots if plain else _openings_above(flat, roots)


def _sections(flat: Flat, best: int, mass: Callable[[int], float], total: float, roots: list[int]) -> list[int]:
    """The container of a page made of sections, when the one found holds little of the page's paragraphs.

    A landing page, an event or product page, a recipe built of widgets: a handful of sections, each a
    heading and a paragraph or two, none of them the article. Paragraph scoring picks one section and the
    climb stops below the page (it adds too little, or too many links). Then the nearest ancestor holding
    most of the page's paragraph mass is the text, if under 40% of it is link text; the body only on a small
    page (a big body around a short container is a news page with chrome nobody named: teaser lists, a
    consent manager's vendor list).
    """
    text, link, parent = flat.text, flat.link, flat.parent
    up = best
    while up > 0 and mass(up) < _SECTIONS_COVER * total:
        up = parent[up]
    if up <= 0 and text[0] > _SECTIONS_BODY:
        return roots
    if link[up] > _CLIMB_MAX_LD * text[up]:
        return roots
    return [max(up, 0)]


def _inside_main(
    flat: Flat, best: int, best_final: float, scores: dict[int, float], weight: Callable[[LexborNode], float]
) -> tuple[int, float]:
    """The best candidate inside the page's one <main>, when the winner sits outside it (a slideshow, a
    teaser box, a widget above the content) and <main> holds 20%+ of the body's text after chrome.

    <main> is the page's own word for where its content is; paragraph scoring can still prefer a box of
    captions or reviews outside it. Pages with several <main>s (invalid, but common in templates) or none,
    and a winner that holds <main> or sits in it, are left as they are.
    """
    tags, last, text, link, cut = flat.tags, flat.last, flat.text, flat.link, flat.cut
    if "main" not in tags:  # (a scan in C: most pages have no <main>, or the article inside it)
        return best, best_final
    m = tags.index("main")
    if (
        "main" in tags[m + 1 :]
        or cut[m]
        or m <= best <= last[m]
        or best <= m <= last[best]
        or text[m] < _MAIN_SHARE * text[0]
    ):
        return best, best_final
    nodes = flat.nodes
    inside, inside_final = -1, 0.0
    for k, sc in scores.items():
        if m <= k <= last[m] and sc > 0:
            f = (sc + weight(nodes[k])) * (1.0 - link[k] / max(1, text[k]))
            if f > inside_final:
                inside, inside_final = k, f
    return (inside, inside_final) if inside >= 0 else (best, best_final)


def _no_weight(node: LexborNode) -> float:
    return 0.0


def _with_siblings(
    flat: Flat, best: int, scores: dict[int, float], mass: Callable[[int], float], best_final: float
) -> list[int]:
    """``best`` plus the siblings that look like more of the same article (readability's sibling merge).

    A sibling joins when its own paragraph score is a fifth of the winner's (and it is not link-heavy), or
    when it is a plain paragraph of 80+ characters with little link text: the text after an inline ad or a
    photo wrapper often sits next to the container, not inside it. Before the container, a block of plain
    paragraphs also joins (``_paragraphs``, under 30% links): an abstract or introduction in a wrapper of its
    own, its paragraphs too deep to pass their score up. After it such a block is as often an author's bio.

    A sibling also joins when it is another copy of the same layout block (same tag, same first class
    name: a page builder's rows, a multi-column article's columns) holding at least 30% of the winner's
    paragraph mass, under 20% links and not named like chrome. Its paragraphs sit too deep to reach its own
    readability score, so its mass is compared. A copy before the container joins on less mass when it is
    plain prose (``_opening_twin``): a page builder puts the article's first heading and paragraph in a row
    of their own; a copy after it with little mass is more often an author box or a company blurb, and joins
    only when it opens with a heading styled like the container's own (``after.next_section``). Any layout block (without the same-tag-and-class test) would
    also pull in the cookie dialogs and sidebars next to the article.
    """
    p = flat.parent[best]
    if p < 0:
        return [best]
    tags, text, link, last, cut = flat.tags, flat.text, flat.link, flat.last, flat.cut
    threshold = max(10.0, best_final * 0.2)
    nodes = flat.nodes
    best_mass, best_tag, best_class = mass(best), tags[best], _first_class(nodes[best])
    out: list[int] = []
    j = p + 1
    end = last[p]
    while j <= end:
        if j == best:
            out.append(j)
        elif not cut[j] and text[j]:
            ld = link[j] / text[j]
            if scores.get(j, 0.0) >= threshold and ld < 0.3:
                out.append(j)
            elif tags[j] == "p" and ld < 0.25 and text[j] > 80:
                out.append(j)
            elif (
                ld < 0.2
                and tags[j] == best_tag
                and _first_class(nodes[j]) == best_class
                and class_weight(nodes[j]) >= 0
            ):
                if mass(j) >= _TWIN_MASS * best_mass:
                    out.append(j)
                elif j < best:
                    k = _opening_part(flat, j, mass)
                    if k >= 0:
                        out.append(k)
                elif next_section(flat, best, j):
                    out.append(j)
            elif j < best and ld < _BEFORE_MAX_LD and class_weight(nodes[j]) >= 0 and _paragraphs(flat, j):
                out.append(j)
        j = last[j] + 1
    return out


# How many levels above the container's parent ``_openings_above`` looks for the article's opening paragraphs
# (chosen on the tuning parts: 1 to 3 change one tuning page's text and no F1, 4 adds a scientific article's
# abstract; none of 1 to 4 loses F1 on any part).
_OPENING_LEVELS = 4


def _openings_above(flat: Flat, roots: list[int]) -> list[int]:
    """``roots`` plus the blocks of plain paragraphs before them a few levels up (``_paragraphs`` or
    ``_one_paragraph``, under 5% links, not named like chrome): an abstract or an introduction that a
    template puts in a section of its own, the article's first paragraph in a box of its own, further up
    than the container's siblings, its paragraphs too deep to pass their score up.

    The search stops at the page's <main> or <article> holding the container: outside it, plain paragraphs
    before the article are a landing page's hero text ("Start your business without the hassle").
    Only before the container: after it, such blocks are as often an author's bio or a company blurb.
    """
    tags, parent, text, link, cut, last, nodes = (
        flat.tags, flat.parent, flat.text, flat.link, flat.cut, flat.last, flat.nodes,
    )  # fmt: skip
    first = roots[0]
    a = parent[first]
    found: list[int] = []
    for _ in range(_OPENING_LEVELS):
        if a <= 0 or tags[a] in ("main", "article"):
            break
        p = parent[a]
        if p <= 0:
            break
        j = p + 1
        while j < a:  # the blocks before the chain, in document order
            if not cut[j] and text[j] and link[j] < 0.05 * text[j] and class_weight(nodes[j]) >= 0:
                if _paragraphs(flat, j) or _one_paragraph(flat, j):
                    found.append(j)
            j = last[j] + 1
        a = p
    if not found:
        return roots
    # Each found block is before every root and holds none (it ends before the chain it was found beside).
    return [*sorted(found), *roots]


# A block of one paragraph joins as an opening (``_one_paragraph``) from this many characters. Chosen on the
# tuning parts: no part changes F1 from 80 to 170 (at 60 a one-line dek comes in; at 180 a news item's
# 175-character lead is left out); 120 is the middle.
_ONE_PARAGRAPH_MIN = 120
_PROSE_END = re.compile(r"[.!?…»\"”“]\s*$")


def _one_paragraph(flat: Flat, k: int) -> bool:
    """``k`` is one paragraph (<p>) of 120+ characters ending a sentence, 80% of its text: the article's
    first paragraph or a lexicon entry in a box of its own. Not inside a heading: a paragraph set in an
    <h2> is the highlighted one-line dek under a headline."""
    tags, text, cut, parent = flat.tags, flat.text, flat.cut, flat.parent
    paras = [c for c in range(k, flat.last[k] + 1) if tags[c] == "p" and text[c] >= _ONE_PARAGRAPH_MIN and not cut[c]]
    if len(paras) != 1 or text[paras[0]] < _OPENING_PART_PROSE * text[k]:
        return False
    a = parent[paras[0]]
    while a >= k:
        if tags[a] in HEADINGS:
            return False
        a = parent[a]
    return bool(_PROSE_END.search(flat.subtree_text(paras[0])))


# An opening twin (see ``_with_siblings``) holds none of these: a photo and its caption, a date line, a byline
# or author list, a page's own headline, the one-line SEO blurb (by name: ``opening.NOT_PROSE_NAME``).
_NOT_PROSE_TAGS = frozenset({"figure", "figcaption", "time", "address", "h1"})
_OPENING_TWIN_MIN = 200


def _opening_twin(flat: Flat, j: int, mass: Callable[[int], float]) -> bool:
    """A copy of the container's layout block before it that opens the article: 200+ characters holding a
    scored paragraph, and no caption, date, byline or blurb (by tag or class/id name) anywhere inside."""
    if flat.text[j] < _OPENING_TWIN_MIN or mass(j) <= 0:
        return False
    tags, nodes = flat.tags, flat.nodes
    for k in range(j, flat.last[j] + 1):
        if tags[k] in _NOT_PROSE_TAGS:
            return False
        attrs = nodes[k].attributes
        names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        if len(names) > 1 and NOT_PROSE_NAME.search(names):
            return False
    return True


# The prose part of an opening twin that also holds a photo credit or a byline: the block holding this share of
# the twin's text, down a chain of largest children.
_OPENING_PART_SHARE = 0.6
# ... and made of paragraphs (a dek, a "Written by:" line and a date are not the article's opening).
_OPENING_PART_PROSE = 0.8


def _opening_part(flat: Flat, j: int, mass: Callable[[int], float]) -> int:
    """The part of an opening twin ``j`` (see ``_opening_twin``) that joins the article: ``j`` itself when it
    is plain prose, else its block holding 60%+ of its text when that is (a row whose first column holds the
    photo credit, the byline and the share buttons, and whose second the article's first paragraphs); or -1."""
    if _opening_twin(flat, j, mass):
        return j
    text, cut, last = flat.text, flat.cut, flat.last
    need = _OPENING_PART_SHARE * text[j]
    k = j
    for _ in range(6):
        child, c = -1, k + 1
        while c <= last[k]:
            if not cut[c] and (child < 0 or text[c] > text[child]):
                child = c
            c = last[c] + 1
        if child < 0 or text[child] < need:
            return -1
        if _opening_twin(flat, child, mass) and _paragraphs(flat, child):
            return child
        k = child
    return -1


def _paragraphs(flat: Flat, k: int) -> bool:
    """Two or more paragraphs (<p>) of 80+ characters making 80% of ``k``'s text: not a standfirst alone."""
    tags, text, cut = flat.tags, flat.text, flat.cut
    paras = [text[c] for c in range(k, flat.last[k] + 1) if tags[c] == "p" and text[c] >= 80 and not cut[c]]
    return len(paras) >= 2 and sum(paras) >= _OPENING_PART_PROSE * text[k]


def _first_class(node: LexborNode) -> str:
    cls = node.attributes.get("class")
    return cls.split(maxsplit=1)[0] if cls and cls.strip() else ""
