"""Bounded nesting: pages are handed to lexbor with their element depth capped, so parsing stays linear.

lexbor's tree builder walks its stack of open elements for many tags (a ``<div>`` first looks for an open
``<p>`` to close, an ``<li>`` for an open ``<li>``, an end tag for its element): on a page nested 100,000
deep that is 100,000 steps per tag, and the parse alone takes a minute. Browsers cap the depth for the same
reason (Blink at 512). Here, before the parse, a page with many tags is scanned with a simplified copy of
the tree builder's rules for its stack; tags that would open an element deeper than ``MAX_DEPTH`` are taken
out, with their end tags. Their text stays, in the element at the cap: a block-level tag becomes a ``<br>``
(so its text stays a block of its own), an inline one disappears, and a junk element (``<svg>``,
``<select>``, ...) goes whole. Scripts, styles and comments are passed over as lexbor's tokenizer does.

A page with at most ``_FEW_TAGS`` ``<`` is parsed as it is: so few tags cannot nest deep enough to cost much
(about 0.1 s at the worst), and counting them is the only cost most pages pay. The scan costs about 1.5 µs
per tag. It does not follow the tree builder's rebuilding of misnested formatting elements (``<b>``, ``<i>``
... left open across blocks are reopened in each new one), so markup crafted that way can still nest past
the cap.

>>> bounded_nesting(b"<body>" + b"<div>a<span>b</span>" * 5 + b"</div>" * 5, max_depth=3, few_tags=0)
b'<body><div>a<span>b</span><div>a<span>b</span><div>ab<br>ab<br>ab<br></div></div></div>'
>>> page = b"<body>" + b"<div>" * 100_000 + b"<p>deep text</p>" + b"</div>" * 100_000
>>> _simulated_depth(page), _simulated_depth(bounded_nesting(page)), b"deep text" in bounded_nesting(page)
(100001, 512, True)
>>> bounded_nesting(b"<p>few tags</p>") == b"<p>few tags</p>"
True
"""

from __future__ import annotations

import re

import numpy as np

from dedup.clean.html.blocks import BLOCK_TAGS
from dedup.clean.html.tree import JUNK_SET

MAX_DEPTH = 512  # deeper elements are flattened into the one at this depth (Blink's parser cap)
_FEW_TAGS = 10_000  # pages with at most this many '<' are not scanned

# Elements whose content is text up to their end tag (noscript is parsed as markup: lexbor runs with scripting
# off).
_RAW_TEXT = frozenset({b"script", b"style", b"xmp", b"iframe", b"noembed", b"noframes", b"textarea", b"title"})
# One token of the lower-cased page: a start or end tag (groups: "/" of an end tag, name, attributes; quoted
# values may hold '>', while a '<' ends an unquoted one, so that a failed match never scans past the next tag;
# written as runs of plain characters between quoted values, so that a failed match backtracks linearly), the
# start of a comment, or other markup ("<!doctype>", "<?...>", "</ ...>").
_TOKEN = re.compile(
    rb"""<(?:(/?)([a-z][^\t\n\f\r />]*)([^>"'<]*(?:(?:"[^"]*"|'[^']*')[^>"'<]*)*)>|(!--)|[!?/][^>]*>)"""
)
_DELIMITER_BYTES = frozenset(bytes([c]) for c in b"\t\n\f\r />") | {b""}  # what may follow a tag name
_VOID = frozenset(
    b"area base basefont bgsound br col embed frame hr image img input keygen link meta param source track wbr".split()
)
_IGNORED = frozenset({b"html", b"head", b"body", b"frameset"})  # merged into the ones lexbor made, or dropped

# Categories of open elements, as bits: the standard's "special" elements (an end tag for another element
# does not close past them), those of them that stop an <li>'s or <dd>'s search for an open one (all but
# address, div, p), the boundaries of an element's "scope" (lexbor counts <select> among them, as the newer
# standard does), and SVG/MathML (where "<x/>" closes itself).
_SPECIAL, _BLOCKER, _SCOPE, _FOREIGN = 1, 2, 4, 8
_CATEGORY: dict[bytes, int] = {}
for _names, _bits in (
    (b"address div p", _SPECIAL),
    (b"article aside blockquote body button center colgroup dd details dir dl dt fieldset figcaption figure "
     b"footer form h1 h2 h3 h4 h5 h6 head header hgroup html iframe li listing main menu nav noembed noframes "
     b"noscript ol plaintext pre script search section style summary tbody textarea tfoot thead title "
     b"tr ul xmp", _SPECIAL | _BLOCKER),
    (b"applet caption marquee object select table td template th mi mo mn ms mtext annotation-xml foreignobject "
     b"desc", _SPECIAL | _BLOCKER | _SCOPE),
    (b"svg math", _FOREIGN),
):  # fmt: skip
    _CATEGORY.update(dict.fromkeys(_names.split(), _bits))

# What a start tag does before it opens its element, by name: close an open <p> (bit 1), then one rule.
_CLOSE_P = 1
(_HEADING, _LIST_ITEM, _OPTION, _TABLE_PART, _FORMATTING, _BUTTON, _SELECT, _FORM, _FOREIGN_ROOT, _NO_ELEMENT, _RAW,
 _TEXT_TO_END) = range(2, 26, 2)  # fmt: skip
_START: dict[bytes, int] = dict.fromkeys(
    b"address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer "
    b"header hgroup hr listing main menu nav ol p pre search section summary ul xmp".split(),
    _CLOSE_P,
)
for _names, _rule in (
    (b"h1 h2 h3 h4 h5 h6", _CLOSE_P | _HEADING),
    (b"li dd dt", _CLOSE_P | _LIST_ITEM),
    (b"option optgroup", _OPTION),
    (b"tbody thead tfoot tr td th caption colgroup", _TABLE_PART),
    (b"table", _CLOSE_P | _TABLE_PART),
    (b"a nobr", _FORMATTING),
    (b"button", _BUTTON),
    (b"select", _SELECT),
    (b"form", _CLOSE_P | _FORM),
    (b"svg math", _FOREIGN_ROOT),
    (b" ".join(_VOID | _IGNORED), _NO_ELEMENT),
    (b" ".join(_RAW_TEXT), _RAW),
    (b"plaintext", _TEXT_TO_END),
):
    _START.update(dict.fromkeys(_names.split(), _rule))
_HEADINGS = (b"h1", b"h2", b"h3", b"h4", b"h5", b"h6")
# Which element an end tag closes, by name: the last open one of its name within scope (special elements),
# unless a special element was opened after it (others), or by its own rule.
_SCOPED, _ANY_OTHER, _P = 1, 3, 5
_END: dict[bytes, int] = {n: _SCOPED for n, bits in _CATEGORY.items() if bits & _SPECIAL}
_END.update(dict.fromkeys(_HEADINGS, _HEADING))
_END.update(dict.fromkeys(b"table tbody thead tfoot tr td th caption colgroup".split(), _TABLE_PART))
_END.update({b"p": _P, b"li": _LIST_ITEM, b"form": _FORM})
_LINE = frozenset(n.encode() for n in BLOCK_TAGS) - {b"br", b"hr"}  # taken out as a <br>
_JUNK = frozenset(n.encode() for n in JUNK_SET) - _VOID - _RAW_TEXT  # taken out whole


def bounded_nesting(page: bytes, max_depth: int = MAX_DEPTH, few_tags: int = _FEW_TAGS) -> bytes:
    """``page`` (UTF-8) with no element nested deeper than ``max_depth``; the same bytes when it has none, or
    has at most ``few_tags`` '<'."""
    if np.count_nonzero(np.frombuffer(page, np.uint8) == 60) <= few_tags:  # '<': one vectorised pass
        return page
    return _Scan(page, max_depth).run()


def _raw_text_end(low: bytes, name: bytes, pos: int) -> int:
    """Where the text of a raw-text element that starts at ``pos`` ends: at its end tag, or at the end of the
    page (as in lexbor)."""
    close = b"</" + name
    while True:
        pos = low.find(close, pos)
        if pos < 0:
            return len(low)
        if low[pos + len(close) : pos + len(close) + 1] in _DELIMITER_BYTES:
            return pos
        pos += len(close)


def _simulated_depth(page: bytes) -> int:
    """The deepest stack of open elements the scan sees (for tests)."""
    scan = _Scan(page, 1 << 30)
    scan.run()
    return scan.deepest


class _Scan:
    """One pass over the page's tokens with the tree builder's stack of open elements.

    The stack follows the tree builder's rules for the elements that shape depth on real pages (implied end
    tags of p, li, dd/dt, option, table parts and headings; scope checks; ignored stray end tags) and errs on
    the deep side elsewhere. It goes on past ``max_depth``: elements there are marked taken out, so that an
    end tag is taken out with its element's start tag. Each name's open positions, and those of each
    category, are kept at hand, so that a scope check costs a few lookups, not a walk down the stack.
    """

    __slots__ = ("at_br", "blocker", "copied", "deepest", "foreign", "max_depth", "names", "out", "page",
                 "removed", "scope", "special", "taken", "where")  # fmt: skip

    def __init__(self, page: bytes, max_depth: int) -> None:
        self.page = page
        self.max_depth = max_depth
        self.names: list[bytes | None] = []  # the stack; None: taken off from the middle (see remove)
        self.taken: list[bool] = []  # per position: too deep, taken out of the page
        self.removed = 0  # Nones in names
        self.deepest = 0
        self.where: dict[bytes, list[int]] = {}  # name -> its positions on the stack, ascending
        self.special: list[int] = []  # positions of elements of each category
        self.blocker: list[int] = []
        self.scope: list[int] = []
        self.foreign = 0  # open <svg>/<math>
        self.out: list[bytes] = []
        self.copied = 0  # page[:copied] is in out
        self.at_br = False  # out ends with a <br> put in place of taken-out tags

    def run(self) -> bytes:
        page = self.page
        low = page.lower()  # tag names are matched lower-cased; positions are the same
        search, start_rules = _TOKEN.search, _START
        pos = 0
        while m := search(low, pos):
            pos = m.end()
            slash, name = m.group(1, 2)
            if name is None:
                if m.group(4):  # a comment: to its end, or to the end of the page (as in lexbor)
                    end = low.find(b"-->", pos)
                    pos = end + 3 if end >= 0 else len(low)
                continue
            if slash:
                self.end_tag(name, m)
                continue
            rule = start_rules.get(name)
            if rule is not None:
                if rule == _NO_ELEMENT:
                    continue
                if rule == _TEXT_TO_END:
                    break
                if rule == _RAW:
                    pos = _raw_text_end(low, name, pos)
                    continue
                if not self.start_rule(name, rule, m):
                    continue
            elif self.foreign and m.group(3).endswith(b"/"):
                continue  # <path/>: closes itself in SVG and MathML
            if len(self.names) - self.removed >= self.max_depth and name in _JUNK:
                pos = self.cut_element(name, m, low)
            elif self.push(name):
                self.cut(m.start(), m.end(), name)
        if not self.out:
            return page
        self.out.append(page[self.copied :])
        return b"".join(self.out)

    # --- the stack ---------------------------------------------------------------------------------------

    def last(self, name: bytes) -> int:
        at = self.where.get(name)
        return at[-1] if at else -1

    def push(self, name: bytes) -> bool:
        """Open ``name``; whether it is too deep (taken out)."""
        names = self.names
        k = len(names)
        depth = k - self.removed
        taken = depth >= self.max_depth
        names.append(name)
        self.taken.append(taken)
        if depth >= self.deepest:
            self.deepest = depth + 1
        at = self.where.get(name)
        if at is None:
            self.where[name] = [k]
        else:
            at.append(k)
        bits = _CATEGORY.get(name)
        if bits:
            if bits & _SPECIAL:
                self.special.append(k)
            if bits & _BLOCKER:
                self.blocker.append(k)
            if bits & _SCOPE:
                self.scope.append(k)
            if bits & _FOREIGN:
                self.foreign += 1
        return taken

    def pop_to(self, k: int) -> None:
        """Close the element at position ``k`` and everything opened after it."""
        names, where, category = self.names, self.where, _CATEGORY
        while len(names) > k:
            i = len(names) - 1
            name = names.pop()
            if name is None:  # taken off by remove(): maybe still in the category lists
                self.removed -= 1
                bits = _SPECIAL | _BLOCKER | _SCOPE
            else:
                where[name].pop()
                bits = category.get(name)
            if bits:
                special, blocker, scope = self.special, self.blocker, self.scope
                if bits & _SPECIAL and special and special[-1] == i:
                    special.pop()
                if bits & _BLOCKER and blocker and blocker[-1] == i:
                    blocker.pop()
                if bits & _SCOPE and scope and scope[-1] == i:
                    scope.pop()
                if bits & _FOREIGN:
                    self.foreign -= 1
        del self.taken[k:]

    def remove(self, k: int) -> None:
        """Take the element at position ``k`` off the stack without closing what was opened after it (it stays
        in the category lists until popped: scope checks then stop early, which errs on the deep side)."""
        name = self.names[k]
        assert name is not None
        self.names[k] = None
        self.where[name].remove(k)
        self.removed += 1

    def in_scope(self, name: bytes, *extra: bytes) -> int:
        """Position of the last open ``name`` if no scope boundary (or ``extra`` element) was opened after it,
        else -1."""
        k = self.last(name)
        if k < 0 or (self.scope and self.scope[-1] > k):
            return -1
        for e in extra:
            if self.last(e) > k:
                return -1
        return k

    def in_table_scope(self, *names: bytes) -> int:
        """Position of the last open element of ``names`` if no table or template was opened after it, else -1."""
        k = max(self.last(n) for n in names)
        return k if k >= max(self.last(b"table"), self.last(b"template")) else -1  # (a table bounds itself)

    # --- tags ----------------------------------------------------------------------------------------------

    def cut(self, start: int, end: int, name: bytes) -> None:
        """Take ``page[start:end]``, a tag of element ``name``, out of the page (tags taken out next to each
        other leave one <br>)."""
        if start > self.copied:
            self.out.append(self.page[self.copied : start])
            self.at_br = False
        if not self.at_br and name in _LINE:
            self.out.append(b"<br>")
            self.at_br = True
        self.copied = end

    def start_rule(self, name: bytes, rule: int, m: re.Match[bytes]) -> bool:
        """The implied end tags of a start tag; whether it opens an element."""
        if rule & _CLOSE_P and self.where.get(b"p"):
            k = self.in_scope(b"p", b"button")
            if k >= 0:
                self.pop_to(k)
        rule &= ~_CLOSE_P
        names = self.names
        top = names[-1] if names else None
        if not rule:
            pass
        elif rule == _HEADING:
            if top in _HEADINGS:
                self.pop_to(len(names) - 1)
        elif rule == _LIST_ITEM:
            k = self.last(b"li") if name == b"li" else max(self.last(b"dd"), self.last(b"dt"))
            if k >= 0 and k >= (self.blocker[-1] if self.blocker else -1):
                self.pop_to(k)
        elif rule == _OPTION:
            if top == b"option":
                self.pop_to(len(names) - 1)
            if name == b"optgroup" and names and names[-1] == b"optgroup":
                self.pop_to(len(names) - 1)
        elif rule == _TABLE_PART:
            if not self.table_start(name, top):
                return False
        elif rule == _FORMATTING:  # a second <a> ends the first (the adoption agency, roughly)
            k = self.last(name)
            if k > (self.scope[-1] if self.scope else -1):  # (not across a table cell)
                if k > (self.special[-1] if self.special else -1):
                    self.pop_to(k)
                else:  # a block was opened inside it: the first <a> leaves the stack, the block stays
                    self.remove(k)
        elif rule == _BUTTON:
            k = self.in_scope(b"button")
            if k >= 0:
                self.pop_to(k)
        elif rule == _SELECT:
            k = self.in_scope(b"select")
            if k >= 0:  # a <select> inside a <select> closes it
                self.pop_to(k)
                return False
        elif rule == _FORM:
            return self.last(b"form") < 0  # a form inside a form is ignored
        if self.foreign or rule == _FOREIGN_ROOT:
            return not m.group(3).endswith(b"/")  # <path/>: closes itself in SVG and MathML
        return True

    def table_start(self, name: bytes, top: bytes | None) -> bool:
        """The implied end tags, rows and bodies of a table part's start tag; whether it opens an element."""
        if name != b"table" and self.last(b"table") < 0 and self.last(b"template") < 0:
            return False  # a table part outside a table is ignored
        if name == b"table":
            if top in (b"table", b"tbody", b"thead", b"tfoot", b"tr"):  # a table directly in a table ends it
                k = self.in_table_scope(b"table")
                if k >= 0:
                    self.pop_to(k)
        elif name in (b"td", b"th", b"tr"):
            k = self.in_table_scope(b"td", b"th", b"tr") if name == b"tr" else self.in_table_scope(b"td", b"th")
            if k >= 0:
                self.pop_to(k)
            top = self.names[-1] if self.names else None
            if top == b"table":
                self.push(b"tbody")
                top = b"tbody"
            if name != b"tr" and top in (b"tbody", b"thead", b"tfoot"):
                self.push(b"tr")
        else:  # tbody, thead, tfoot, caption, colgroup
            k = self.in_table_scope(b"tbody", b"thead", b"tfoot", b"caption", b"tr")
            if k >= 0:
                self.pop_to(k)
        return True

    def cut_element(self, name: bytes, m: re.Match[bytes], low: bytes) -> int:
        """Take out a junk element with its content (to its matching end tag, or to the end of the page); the
        position after it."""
        open_, end = 1, len(low)
        for t in _TOKEN.finditer(low, m.end()):
            if t.group(2) == name:
                open_ += -1 if t.group(1) else 0 if t.group(3).endswith(b"/") else 1
                if not open_:
                    end = t.end()
                    break
        self.cut(m.start(), end, name)
        return end

    def end_tag(self, name: bytes, m: re.Match[bytes]) -> None:
        at = self.where.get(name)
        rule = _END.get(name, _ANY_OTHER)
        if not at and rule != _HEADING:
            return  # nothing to close (</br>, </body>, </html> and stray end tags)
        if rule == _SCOPED:
            k = self.in_scope(name)
        elif rule == _ANY_OTHER:  # closes its element unless a special element was opened after it
            k = at[-1]
            if self.special and self.special[-1] > k:
                return
        elif rule == _P:
            k = self.in_scope(b"p", b"button")
        elif rule == _LIST_ITEM:
            k = self.in_scope(b"li", b"ol", b"ul")
        elif rule == _HEADING:
            k = max(self.in_scope(h) for h in _HEADINGS)
        elif rule == _TABLE_PART:
            k = self.in_table_scope(name)
        else:  # _FORM
            k = self.in_scope(name)
            if 0 <= k < len(self.names) - 1:
                # </form> takes the form off the stack, not what is open inside it (the form stays among
                # the special positions: scope checks then stop early, which errs on the deep side).
                if self.taken[k]:
                    self.cut(m.start(), m.end(), name)
                self.remove(k)
                return
        if k >= 0:
            if self.taken[k]:
                self.cut(m.start(), m.end(), name)
            self.pop_to(k)
