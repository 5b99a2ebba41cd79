"""The container's text cut into blocks (paragraphs, headings, list items, ...) and the blocks filtered:
second renderings of the same text, link lists, "Read more / اقرأ أيضاً / Advertisement / Share" lines and
JSON data are dropped, and so is the headline (it goes in the title).

>>> from selectolax.lexbor import LexborHTMLParser
>>> flat = Flat(LexborHTMLParser("<body><h1>Vote</h1><p>The council met, and <a href=/b>voted</a>.</p>"
...                              "<p>Read more: <a href=/x>other story</a></p><ul><li><a href=/y>Home</a></ul>"
...                              "</body>").body)
>>> blocks = cut_blocks(flat, 0, None)
>>> blocks
[('Vote', 0), ('The council met, and voted.', 5), ('Read more: other story', 11), ('Home', 4)]
>>> removed: list[Removal] = []
>>> filter_blocks(blocks, "Vote", removed), [r.rule for r in removed]
(['The council met, and voted.'], ['html:related', 'html:link-dense'])
"""

from __future__ import annotations

import heapq
import json
import re
from bisect import bisect_right

from dedup.clean.html.text import clip, norm
from dedup.clean.html.tree import Flat
from dedup.document import Removal

BLOCK_TAGS = frozenset(
    "p h1 h2 h3 h4 h5 h6 li pre blockquote dd dt tr figcaption caption div section article main ul ol "
    "dl table tbody thead tfoot header footer address center body form details summary figure hr br "
    "fieldset legend".split()
)
# Photo captions: credit lines and picture descriptions, not article text (the benchmarks' ground truth
# leaves nearly all caption text out).
_SKIP_BLOCKS = frozenset({"figcaption"})


def cut_blocks(flat: Flat, root: int, removed: list[Removal] | None) -> list[tuple[str, int]]:
    """Cut the text under element ``root`` into blocks at block-element boundaries, in document order: per
    block its text and how many of its characters sit inside <a>."""
    out: list[tuple[str, int]] = []
    parts: list[str] = []
    links = 0
    in_link = 0
    tags, cut, events = flat.tags, flat.cut, flat.events
    block_set, skip_set = BLOCK_TAGS, _SKIP_BLOCKS
    add = parts.append

    def flush() -> None:
        nonlocal links
        text = " ".join("".join(parts).split())
        if text:
            out.append((text, min(links, len(text))))
        parts.clear()
        links = 0

    start = flat.start(root)
    it = iter(events[start + 1 : flat.end(root, start)])
    for ev in it:
        if ev.__class__ is str:
            add(ev)
            if in_link:
                links += len(ev.strip())
        elif ev >= 0:
            tag = tags[ev]
            if cut[ev] or tag in skip_set:
                if not cut[ev] and removed is not None:
                    removed.append(Removal(clip(flat.subtree_text(ev)), "html:caption"))
                leave = ~ev
                for e in it:  # pass over the subtree (its events up to its leave event)
                    if e == leave:
                        break
            elif tag in block_set:
                if parts:
                    flush()
            elif tag == "a":
                in_link += 1
            elif tag == "td" or tag == "th":
                add(" ")  # a table row is one block, its cells separated by spaces
        else:
            tag = tags[~ev]
            if tag in block_set:
                if parts and tag != "br":
                    flush()
            elif tag == "a":
                in_link -= 1
    if parts:
        flush()
    return out


# A subtree of the container that repeats an earlier one's text exactly, at least this long, is another
# rendering of the same content: responsive page builders (Framer, Webflow) render the article once per
# breakpoint and let CSS hide all but one. Shorter repeats are often pull quotes, which the article does
# show twice.
_REPEAT_MIN = 500


def drop_repeats(flat: Flat, roots: list[int], removed: list[Removal] | None) -> None:
    """Mark subtrees under ``roots`` that repeat an earlier, disjoint subtree's blocks as cut.

    Blocks are compared only for elements of 500+ characters whose shape (text, link-text and comma counts)
    some earlier, disjoint element shares: most pages have none, and then this is a pass over integers. (The
    number of elements is not part of the shape: copies of one text are not always marked up alike.)
    """
    text, link, commas, last, cut, cut_roots = flat.text, flat.link, flat.commas, flat.last, flat.cut, flat.cut_roots
    # Elements of _REPEAT_MIN+ characters outside cut subtrees, in document order (cut roots are disjoint and
    # in document order: the one at or before j is the only one that can hold j).
    big = [j for r in roots for j, n in enumerate(text[r : last[r] + 1], r) if n >= _REPEAT_MIN]
    if cut_roots:
        big = [j for j in big if (k := bisect_right(cut_roots, j) - 1) < 0 or last[cut_roots[k]] < j]
    shapes = [(text[j], link[j], commas[j]) for j in big]
    first_end: dict[tuple[int, int, int], int] = {}  # shape -> last descendant of its first element
    shared: set[tuple[int, int, int]] = set()
    for j, shape in zip(big, shapes):
        end = first_end.get(shape)
        if end is None:
            first_end[shape] = last[j]
        elif end < j:  # an earlier element of the same shape, closed before j: not j's ancestor
            shared.add(shape)
    if not shared:
        return
    seen: set[tuple[str, ...]] = set()
    open_: list[tuple[int, tuple[str, ...]]] = []  # heap of (last descendant, blocks) of compared, unclosed ones
    skip_to = -1
    for j, shape in zip(big, shapes):
        if j <= skip_to or shape not in shared:
            continue
        while open_ and open_[0][0] < j:  # closed before j: neither j nor an ancestor of j
            seen.add(heapq.heappop(open_)[1])
        blocks = tuple(t for t, _ in cut_blocks(flat, j, None))
        if blocks in seen:
            cut[j] = True
            skip_to = last[j]
            if removed is not None:
                removed.append(Removal(clip(flat.subtree_text(j)), "html:repeated"))
            continue
        heapq.heappush(open_, (last[j], blocks))


# Short blocks whose text alone says "chrome" (English and Arabic). Anchored at the start; only applied to
# short blocks so an article paragraph that merely mentions "related" survives.
_BOILER_TEXT_RE = re.compile(
    r"^\W*(?:"
    r"read (?:more|also|next|the full)|related(?: articles?| stories| posts| news| content| topics)?\b|"
    r"more (?:from|on|stories|news|articles)|see also|also read|you (?:may|might) (?:also )?like|"
    r"recommended(?: for you)?|trending|most (?:read|popular|viewed)|"
    r"advertisement|sponsored|story continues below|article continues below|continue reading|"
    r"share (?:this|on|via)|share\b|follow us|sign up|subscribe|newsletter|"
    r"click here|tags?:|topics?:|filed under|posted in|categories:|"
    r"all rights reserved|copyright|©|"
    r"leave a (?:comment|reply)|\d+ comments?|comments?\b|"
    r"اقرأ أيضا|اقرأ أيضاً|اقرأ ايضا|اقرأ المزيد|إقرأ أيضا|إقرأ أيضاً|اقرا ايضا|شاهد أيضا|شاهد أيضاً|"
    r"مواضيع ذات صلة|أخبار ذات صلة|اخبار ذات صلة|ذات صلة|المزيد من|الأكثر قراءة|الاكثر قراءة|"
    r"إعلان|اعلان|شارك|تابعونا|تابعنا|اشترك|جميع الحقوق محفوظة|الوسوم|كلمات مفتاحية|الكلمات الدالة|"
    r"التعليقات|أضف تعليق|اضف تعليق"
    r")",
    re.I,
)

# "Read also / related" lead-ins (a block starting with one is a link to another story, not this one).
_RELATED_TEXT_RE = re.compile(
    r"^\W*(?:read (?:more|also|next)|related(?: articles?| stories| posts| news| content)?\b|see also|also read|"
    r"more (?:from|on|stories)|you (?:may|might) (?:also )?like|"
    r"اقرأ أيضا|اقرأ أيضاً|اقرأ ايضا|إقرأ أيضا|إقرأ أيضاً|اقرا ايضا|شاهد أيضا|شاهد أيضاً|اقرأ المزيد|"
    r"مواضيع ذات صلة|أخبار ذات صلة|اخبار ذات صلة|ذات صلة|المزيد من)",
    re.I,
)

# The same lead-ins and widget labels in the other languages of the web's news and blogs (German, French,
# Spanish, Portuguese, Italian, Polish, Dutch): a short block that starts with one is a teaser heading, a
# widget label or a link to another story. Anchored at the start, and only for blocks under 80 characters.
_EURO_BOILER_RE = re.compile(
    r"^\W*(?:"
    r"mehr (?:zum thema|zu[mr]?\b|dazu|artikel|beiträge|news|kolumnen|aus)|auch interessant|das (?:könnte|dürfte) "
    r"(?:dich|sie|euch)|(?:sie|du) (?:könnte|möchte)|schon gelesen|lesen sie (?:auch|mehr|hier)|lies auch|"
    r"weiterlesen|zum weiterlesen|weitere (?:artikel|beiträge|informationen|infos|themen|nachrichten|news|links)|"
    r"neueste (?:artikel|beiträge)|ähnliche (?:artikel|beiträge)|verwandte|passend dazu|"
    r"lust auf mehr|anzeige\b|- ?anzeige|werbung\b|bild anzeigen|(?:rezept )?drucken\b|teilen\b|pinnen\b|"
    r"kommentare?\b|kommentieren|über den autor|zur person|zum rezept\b|externer inhalt|"
    r"quellen (?:ausblenden|anzeigen|einblenden)|"
    r"à lire aussi|a lire aussi|lire aussi|lire la suite|sur le même sujet|voir aussi|publicité|partager|"
    r"vous aimerez|plus d'articles|"
    r"le puede interesar|te puede interesar|también te puede|lea (?:también|además|más)|lee también|"
    r"ver (?:más|también)|noticias relacionadas|más noticias|publicidad|compartir|"
    r"veja (?:também|mais)|leia (?:também|mais)|saiba mais|"
    r"leggi anche|potrebbe interessarti|"
    r"czytaj (?:też|także|więcej|również)|zobacz (?:też|także|również)|przeczytaj (?:też|także)|"
    r"dowiedz się więcej|polecamy|reklama\b|udostępnij|drukuj\b|"
    r"lees (?:ook|meer)|meer (?:nieuws|over)|"
    r"explore further|sorted by|permalink|permalien|"
    r"(?:zuletzt )?aktualisiert am|veröffentlicht am|erstellt am|last updated|release date:|"
    r"publié le|mis à jour le|actualizado el|publicado el"
    r")",
    re.I,
)

# Photo credits and caption lead-ins: a short block that starts with one names who took a picture, not what
# happened ("Foto: dpa", "Bild: Jahr Media", "Crédits photos : Bestimage", "(crédito: ...").
_CREDIT_RE = re.compile(
    r"^\W*(?:(?:photo|foto|fotos|bild|bilder|image|picture|titelbild|beitragsbild|headerbild|symbolbild|"
    r"vorschaubild|credits?|crédits?(?: photos?)?|crédito|crédit photo|fotografía|zdjęcie|źródło zdjęcia|"
    r"photo credit|image credit|bildquelle|quelle bild|copyright|©)\s*:|"
    r"(?:photo|foto|bild|image|titelbild|beitragsbild)\s*(?:©|\(c\))|©|\(c\)\s)",
    re.I,
)
_CREDIT_MAX = 80
# A credit line without a lead-in: a few words naming the photographer and a picture agency ("Augusta
# National/Getty Images", "iStock.com", "Foto-Agentur | picture alliance"), no sentence end.
_AGENCY_CREDIT_RE = re.compile(
    r"(?:getty\s*images|istock(?:photo)?|shutterstock|picture[\s-]?alliance|imago(?:\s*images)?|adobe\s*stock|"
    r"unsplash|pixabay|fotolia)(?:\.com)?\s*$",
    re.I,
)

# A block under _CAPTION_MAX characters that ends in a picture agency's name (in brackets too) or in a ©
# credit (after a "|" or in brackets) is a photo caption.
_CAPTION_CREDIT_RE = re.compile(
    r"(?:(?:getty\s*images|istock(?:photo)?|shutterstock|picture[\s-]?alliance|imago(?:\s*images)?|adobe\s*stock|"
    r"unsplash|pixabay|fotolia)(?:\.com)?\s*\)?|[|(]\s*(?:foto|photo|bild)?\s*(?:©|\(c\))[^|()©]{2,60}\)?)\s*$",
    re.I,
)
_CAPTION_MAX = 300
# What the end of such a caption holds (searched first: the expression is slow on every block's tail).
_CAPTION_HINTS = ("©", "(c)", "images", "stock", "alliance", "imago", "unsplash", "pixabay", "fotolia")


def _caption_credit(text: str, n: int) -> bool:
    """``text`` (``n`` characters) ends in a photo credit (``_CAPTION_CREDIT_RE``)."""
    tail = text[-90:].lower()
    return any(h in tail for h in _CAPTION_HINTS) and bool(_CAPTION_CREDIT_RE.search(text, max(0, n - 90)))


# Only blocks that are nearly all links are dropped: menus and teaser lists inside the container are that,
# while list items and paragraphs that cite sources or name products in links are article text (the
# benchmarks' ground truth keeps them).
_LINK_DENSE = 0.8


_KICKER_MAX = 60
# A last line under _TAIL_MAX characters right after one of _TAIL_AFTER or more is a label (``filter_blocks``).
_TAIL_MAX = 40
_TAIL_AFTER = 150
_SENTENCE_END = re.compile(r"[.!?…:]\s*$")


def filter_blocks(blocks: list[tuple[str, int]], title: str, removed: list[Removal] | None) -> list[str]:
    """Drop link-dense and boilerplate-worded blocks; drop the headline itself."""
    kept: list[str] = []
    ntitle = norm(title)
    title_seen = False
    for i, (text, links) in enumerate(blocks):
        n = len(text)
        if not title_seen and ntitle and abs(n - len(title)) < 8 and norm(text) == ntitle:
            title_seen = True  # the headline goes in .title, not repeated in .text
            if len(kept) == 1 and len(kept[0]) < _KICKER_MAX and not _SENTENCE_END.search(kept[0]):
                # A kicker (the topic line over the headline: "Corte Suprema", "Nahost-Konflikt").
                if removed is not None:
                    removed.append(Removal(clip(kept[0]), "html:kicker"))
                kept.clear()
            continue
        if n < 120 and _RELATED_TEXT_RE.match(text):
            if removed is not None:
                removed.append(Removal(clip(text), "html:related"))
            continue
        if links > _LINK_DENSE * n and not _citing_sentence(blocks, i):
            if removed is not None:
                removed.append(Removal(clip(text), "html:link-dense"))
            continue
        if n < 120 and _BOILER_TEXT_RE.match(text):
            if removed is not None:
                removed.append(Removal(clip(text), "html:boilerplate-text"))
            continue
        if n < _CREDIT_MAX and (
            _EURO_BOILER_RE.match(text) or _CREDIT_RE.match(text) or _AGENCY_CREDIT_RE.search(text)
        ):
            if removed is not None:
                removed.append(Removal(clip(text), "html:boilerplate-text"))
            continue
        if n < _CAPTION_MAX and _caption_credit(text, n):
            # A photo caption that ends in its credit ("... (mlharing / iStock.com)", "... | © Augusta
            # National/Getty Images"): the caption of a picture the page shows inline, not the article's text.
            if removed is not None:
                removed.append(Removal(clip(text), "html:caption"))
            continue
        if text[0] in "{[" and n >= 40 and _is_json(text):
            # A widget's settings left in the page as text (often in a hidden <span>): data, never prose.
            if removed is not None:
                removed.append(Removal(clip(text), "html:data"))
            continue
        kept.append(text)
    if len(kept) > 1 and len(kept[-1]) < _TAIL_MAX and len(kept[-2]) >= _TAIL_AFTER:
        last = kept[-1]
        if not _SENTENCE_END.search(last):
            # One short label line right after the article's last paragraph, ending the text: a source or
            # agency credit ("Quelle: kathpress", "(SID)"), a date, a view count, a "See also" heading whose
            # list was cut. Sentences, and several short lines (a list closing the article), stay.
            if removed is not None:
                removed.append(Removal(clip(last), "html:tail-label"))
            kept.pop()
    return kept


# A link-dense block kept as prose (``_citing_sentence``): this long, with this share of its text outside links,
# between blocks under _CITING_NEIGHBOUR link text. Chosen on the tuning parts: no part loses F1 with the
# share at 0.05 to 0.15 (at 0, a sentence that is one link: "Contact us and ...", "Learn how to ...").
_CITING_MIN = 50
_CITING_WORDS = 0.1
_CITING_NEIGHBOUR = 0.5
_SENTENCE_STOP = re.compile(r"[.!?…]\s*$")
_LABEL_MARKS = frozenset(":»|›")


def _citing_sentence(blocks: list[tuple[str, int]], i: int) -> bool:
    """Block ``i``, mostly link text, is a sentence of the article that cites its sources in links ("Learn more
    in <Strategies and Tools for ...> and <A Positive Approach to ...>."), not a menu or a teaser.

    It reads like prose around its links: 50+ characters ending a sentence (. ! ? …), a tenth or more of
    its text outside links, no label mark (":", "»", "|": "Read also: <title>", "Sport | <title>"), and the
    blocks on both sides are prose too (under half links): menus and teaser lists are runs of link blocks.

    >>> cite = ("Learn more in Strategies and Tools for Academic Integrity in Online Environments and A Positive "
    ...         "Approach to Academic Integrity.", 107)
    >>> _citing_sentence([("Set clear rules for online exams.", 0), cite, ("Explain them early.", 0)], 1)
    True
    >>> _citing_sentence([("Home", 4), cite, ("About", 5)], 1)
    False
    """
    text, links = blocks[i]
    n = len(text)
    if n < _CITING_MIN or links > (1.0 - _CITING_WORDS) * n or not _SENTENCE_STOP.search(text):
        return False
    if not _LABEL_MARKS.isdisjoint(text):
        return False
    if i == 0 or i + 1 == len(blocks):
        return False
    return all(b[1] <= _CITING_NEIGHBOUR * len(b[0]) for b in (blocks[i - 1], blocks[i + 1]))


def _is_json(text: str) -> bool:
    """Whether ``text`` is a JSON object or array."""
    try:
        return isinstance(json.loads(text), (dict, list))
    except (ValueError, RecursionError):
        return False
