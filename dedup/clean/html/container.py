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

# A page of sections (see ``_sections``): the container holds under _SECTIONS_SHARE of the page's paragraph
# mass; the nearest ancestor holding _SECTIONS_COVER of it replaces it, the body only when the body's text is
# at most _SECTIONS_BODY characters. Chosen on the tuning parts (a share of 0.4 also took teasers into two tuning
# pages that 0.3 leaves alone).
_SECTIONS_SHARE = 0.3
_SECTIONS_COVER = 0.8
_SECTIONS_BODY = 10_000

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
    up = parent[best]
    while up > 0 and text[up] == text[best]:
        best = up
        up = parent[best]
    roots = _with_siblings(flat, best, scores, mass, best_final)
    if not plain and sum(mass(r) for r in roots) < _SECTIONS_SHARE * prefix[-1]:
        roots = _sections(flat, best, mass, prefix[-1], roots)
    lead = _lead_before(flat, roots[0])
    return [lead, *roots] if lead >= 0 else roots


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


# Class/id names of an article's lead paragraph (standfirst, intro, teaser text, abstract): CMSs put it in the
# article's header, outside the body container, yet it is the article's first paragraph. Matched as parts of
# names ("article__intro", "c-page-intro__copy", "art-lead"). Not "excerpt", "summary", "subtitle", "dek":
# those also name the one-line SEO blurb under a headline, which the benchmarks' truth leaves out.
_LEAD_NAME_RE = re.compile(
    r"(?:^|[\s_-])(?:lead|leader|leadin|lede|intro|articleintro|articlelead|introtext|intro-text|teaser-text|"
    r"chapo|standfirst|subheadline|sub-headline|abstract|perex|sapo|entradilla|bajada|sommario|article-lead|"
    r"field-abstract|text-lead)(?:$|[\s_-])",
    re.I,
)
# Lead paragraphs are one short paragraph; the climb stops at an ancestor holding this much more than the body.
_LEAD_MIN, _LEAD_MAX = 40, 900
_LEAD_CLIMB = 4


def _lead_before(flat: Flat, first: int) -> int:
    """The lead paragraph just before the container ``first`` (named so, see ``_LEAD_NAME_RE``), or -1.

    Looked for among the elements that precede the container inside its nearest ancestors (up to four
    levels, and not past one that holds much more text than the container: the rest of the page is not the
    article's header). The first element, in document order, with a lead name, 40-900 characters of text and
    under 20% link text wins.
    """
    tags, parent, text, link, cut, last, nodes = (
        flat.tags, flat.parent, flat.text, flat.link, flat.cut, flat.last, flat.nodes,
    )  # fmt: skip
    limit = text[first] + 2 * _LEAD_MAX
    a = first
    for _ in range(_LEAD_CLIMB):
        p = parent[a]
        if p <= 0 or text[p] > limit:
            break
        j = p + 1
        while j < a:  # the elements before the chain, in document order
            n = text[j]
            if cut[j] or not n:
                j = last[j] + 1
                continue
            if _LEAD_MIN <= n <= _LEAD_MAX and link[j] < 0.2 * n and tags[j] not in ("a", "ul", "ol", "li"):
                attrs = nodes[j].attributes
                names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
                if len(names) > 1 and _LEAD_NAME_RE.search(names):
                    return j
            j += 1
        a = p
    return _plain_lead_before(flat, first)


_CAPTION_NAME = re.compile(r"caption|figure|image|photo|date", re.I)
_SENTENCE_END = re.compile(r"[.!?…»\"”“]\s*$")


def _plain_lead_before(flat: Flat, first: int) -> int:
    """An unnamed lead: the <p> right before the container or its parent (the nearest element with text
    before it, past a picture, caption or date line, or the last block of the article's <header> there), a
    sentence of 80-600 characters with under 10% links; or -1."""
    tags, parent, text, link, cut, last = flat.tags, flat.parent, flat.text, flat.link, flat.cut, flat.last
    a = first
    for _ in range(2):
        p = parent[a]
        if p <= 0:
            break
        before, j = [], p + 1
        while j < a:
            # A cut <header> too: the article's own header (kicker, headline, byline, then the lead) is cut as
            # page chrome, and its last block may be the lead.
            if text[j] and (not cut[j] or tags[j] == "header"):
                before.append(j)
            j = last[j] + 1
        # Passed over: a picture with its caption, a date line (short, not a sentence) between lead and body.
        while len(before) > 1 and _passed_over(flat, before[-1]):
            before.pop()
        prev = before[-1] if before else -1
        if prev >= 0:
            prev = _last_block(flat, prev)
            n = text[prev]
            # A lead may be set as a heading (a long <h2>/<h3> of sentences), never a short one (a headline).
            lead_tag = tags[prev] == "p" or (tags[prev] in ("h2", "h3") and n >= 150)
            if lead_tag and 80 <= n <= 600 and link[prev] < 0.1 * n:
                if _SENTENCE_END.search(flat.subtree_text(prev)):
                    return prev
            return -1
        a = p
    return -1


def _passed_over(flat: Flat, j: int) -> bool:
    """A picture with its caption or a date line: passed over between a lead and what follows it."""
    return (
        flat.tags[j] in ("figure", "figcaption", "time")
        or (flat.text[j] < 80 and not _SENTENCE_END.search(flat.subtree_text(j)))
        or bool(_CAPTION_NAME.search(flat.nodes[j].attributes.get("class") or ""))
    )


_LEAF_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "table", "a"})


def _last_block(flat: Flat, j: int) -> int:
    """The last block inside wrapper ``j`` (down at most four wrappers, past a trailing picture or date line):
    a page's hero or header box ends with its lead (breadcrumbs, headline, date, then the lead)."""
    tags, text, cut, last = flat.tags, flat.text, flat.cut, flat.last
    for _ in range(4):
        if tags[j] in _LEAF_BLOCKS:
            break
        kids, k = [], j + 1
        while k <= last[j]:
            if text[k] and not cut[k]:
                kids.append(k)
            k = last[k] + 1
        while len(kids) > 1 and _passed_over(flat, kids[-1]):
            kids.pop()
        if not kids:
            break
        j = kids[-1]
    return j


def _with_siblings(
    flat: Flat, best: int, scores: dict[int, float], mass: Callable[[int], float], best_final: float
) -> list[int]:
    """``best`` plus the siblings that look like more of the same article (readability's sibling merge).

    A sibling joins when its own paragraph score is a fifth of the winner's (and it is not link-heavy), or
    when it is a plain paragraph of 80+ characters with little link text: the text after an inline ad or a
    photo wrapper often sits next to the container, not inside it.

    A sibling also joins when it is another copy of the same layout block (same tag, same first class
    name: a page builder's rows, a multi-column article's columns) holding at least 30% of the winner's
    paragraph mass, under 20% links and not named like chrome. Its paragraphs sit too deep to reach its own
    readability score, so its mass is compared. A copy before the container joins on less mass when it is
    plain prose (``_opening_twin``): a page builder puts the article's first heading and paragraph in a row
    of their own; a copy after it with little mass is more often an author box or a company blurb. Any layout block (without the same-tag-and-class test) would
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
                (mass(j) >= _TWIN_MASS * best_mass or (j < best and _opening_twin(flat, j, mass)))
                and ld < 0.2
                and tags[j] == best_tag
                and _first_class(nodes[j]) == best_class
                and class_weight(nodes[j]) >= 0
            ):
                out.append(j)
        j = last[j] + 1
    return out


# An opening twin (see ``_with_siblings``) holds none of these: a photo and its caption, a date line, a byline
# or author list, a page's own headline, the one-line SEO blurb (dek, summary, excerpt, description).
_NOT_PROSE_TAGS = frozenset({"figure", "figcaption", "time", "address", "h1"})
_NOT_PROSE_NAME = re.compile(r"caption|credit|author|byline|meta|date|dek|summary|excerpt|contrib|descr", re.I)
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
        if len(names) > 1 and _NOT_PROSE_NAME.search(names):
            return False
    return True


def _first_class(node: LexborNode) -> str:
    cls = node.attributes.get("class")
    return cls.split(maxsplit=1)[0] if cls and cls.strip() else ""
