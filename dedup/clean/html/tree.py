"""The page body walked once into flat arrays (``Flat``), which every later step reads instead of the DOM.

Elements are numbered in document order, so a subtree is a range of numbers and its text, link-text and
comma counts are array lookups; chrome is cut out of these arrays, not out of the DOM.

>>> from selectolax.lexbor import LexborHTMLParser
>>> flat = Flat(LexborHTMLParser("<body><div><p>Hi, <a href=/x>you</a></p><script>x()</script></div>").body)
>>> flat.tags, flat.parent, flat.text, flat.link, flat.commas
(['body', 'div', 'p', 'a'], [-1, 0, 1, 2], [6, 6, 6, 3], [3, 3, 3, 3], [1, 1, 1, 0])
>>> flat.subtree_text(1)  # text nodes joined by spaces, the script left out
'Hi,  you'
"""

from __future__ import annotations

from bisect import bisect_left

from selectolax.lexbor import LexborHTMLParser, LexborNode

# Never content: removed silently (their text is code or controls, not worth listing in --explain). <rt>/<rp>
# are ruby annotations, the reading printed small above a word (Japanese furigana): the text is the word.
JUNK_TAGS = [
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
    "video", "audio", "select", "button", "input", "textarea", "link", "meta", "map", "dialog", "rt", "rp",
]  # fmt: skip

JUNK_SET = frozenset(JUNK_TAGS)
JUNK = "!junk"  # their tag name in TAG_NAMES: the body walk passes over their subtrees


class Flat:
    """The body, walked once (depth first over lexbor's child iterators) into flat arrays.

    Elements are numbered in document order (0 = the root). ``events`` replays the walk: ``i >= 0`` enters
    element i, ``~i`` leaves it, a ``str`` is a text node. Per element: parent number, tag, deep text length
    (whitespace-only text nodes count 0), deep link-text length (text inside <a>), comma count, and the
    length and commas of its own (direct) text (``own_commas``: only elements that have any). ``last[i]`` is
    the number of i's last descendant; ``cut[i]`` marks a removed subtree (see ``chrome.remove_chrome``). Void
    elements that hold no text (img, wbr, ...) and junk subtrees (script, svg, ...) are left out.
    """

    __slots__ = (
        "commas",
        "cut",
        "cut_roots",
        "events",
        "junk_after",
        "last",
        "link",
        "nodes",
        "own",
        "own_commas",
        "parent",
        "scripts",
        "tags",
        "text",
    )

    def __init__(self, root: LexborNode) -> None:
        nodes: list[LexborNode] = [root]
        tags: list[str] = [root.tag or "div"]
        parent: list[int] = [-1]
        events: list[int | str] = [0]
        # Per element, appended as elements are entered: lists indexed by number beat dicts in this loop,
        # which runs once per node of the page and is the largest cost of the extractor.
        own: list[int] = [0]  # length of the element's direct text
        own_commas: dict[int, int] = {}  # commas of the element's direct text (few elements have any)
        top = 0  # the innermost open element
        tag_names, junk_mark, junk_set, script_id = TAG_NAMES, JUNK, JUNK_SET, _SCRIPT_ID
        add_event, add_node, add_tag, add_parent = events.append, nodes.append, tags.append, parent.append
        # Per junk element, the number of the last element entered before it (ascending): which subtrees may
        # hold junk, for subtree_text.
        junk_after: list[int] = []
        add_junk = junk_after.append
        scripts: list[LexborNode] = []  # <script> elements, for JSON-LD
        add_script = scripts.append
        # Depth first with a stack of lexbor's child iterators (whitespace-only text left out in C): the
        # structure comes from the stack, so no node is asked for its parent, and junk subtrees (script,
        # svg, ...) are never entered.
        it = root.iter(True, False)
        stack = [it]
        push, pop = stack.append, stack.pop
        while True:
            for node in it:
                tid = node.tag_id
                if tid == 2:  # text
                    t = node.text_content
                    n = len(t.strip())
                    if not n:  # whitespace between inline elements: a word break, nothing more
                        add_event(" ")
                        continue
                    add_event(t)
                    own[top] += n
                    if "," in t or "،" in t:
                        own_commas[top] = own_commas.get(top, 0) + t.count(",") + t.count("،")
                    continue
                tag = tag_names.get(tid)
                if tag is None:
                    tag = node.tag
                    if tag is None or tag[0] in "-!":  # comments, doctype
                        continue
                    if tag in junk_set:
                        add_junk(len(nodes) - 1)
                        continue
                elif not tag:  # void elements without text (img, wbr, ...): never a parent, never content
                    continue
                elif tag is junk_mark:
                    add_junk(len(nodes) - 1)
                    if tid == script_id:
                        add_script(node)
                    continue
                add_parent(top)
                top = len(nodes)
                add_node(node)
                add_tag(tag)
                add_event(top)
                own.append(0)
                it = node.iter(True, False)
                push(it)
                break  # into the element's children
            else:  # the element's children are done: leave it
                add_event(~top)
                top = parent[top]
                pop()
                if not stack:
                    break
                it = stack[-1]
        n_el = len(nodes)
        # Totals and last descendants bottom-up: a child's number is higher than its parent's, and the
        # highest-numbered child, met first, holds its parent's last descendant.
        text = own[:]
        commas = [0] * n_el
        for k, c in own_commas.items():
            commas[k] = c
        link = [0] * n_el
        last = list(range(n_el))
        for i in range(n_el - 1, 0, -1):
            if tags[i] == "a":
                link[i] = text[i]
            p = parent[i]
            text[p] += text[i]
            link[p] += link[i]
            commas[p] += commas[i]
            if last[p] == p:
                last[p] = last[i]
        self.nodes, self.tags, self.parent = nodes, tags, parent
        self.text, self.link, self.commas, self.own, self.own_commas = text, link, commas, own, own_commas
        self.events, self.last, self.junk_after, self.scripts = events, last, junk_after, scripts
        self.cut = [False] * n_el
        self.cut_roots: list[int] = []  # cut elements, in document order (disjoint subtrees)

    def unlink_copies(self) -> bool:
        """Read the copies of an unclosed ``<a>`` as plain text; whether there were any.

        A page that leaves a link open (``<a href="/"><img>Logo</div>``) has it re-opened by the HTML parser
        inside every block that follows (the HTML standard's "reconstruct the active formatting elements"),
        so the whole article reads as link text and is dropped. Such copies are ``<a>`` elements holding the
        whole text (25+ characters) of their parent, three or more of them with the same href; they become
        ``<span>``s and their text leaves the link counts.

        >>> p = "<p>The council met on Tuesday and voted on the budget.</p>"
        >>> flat = Flat(LexborHTMLParser(f'<body><div><a href="/">Logo</div>{p * 3}').body)
        >>> flat.link[0], flat.unlink_copies(), flat.link[0], flat.tags.count("a")
        (157, True, 4, 1)
        """
        tags, text, link, parent, nodes = self.tags, self.text, self.link, self.parent, self.nodes
        groups: dict[str, list[int]] = {}
        for i, tag in enumerate(tags):
            if tag == "a" and text[i] >= 25 and text[parent[i]] == text[i]:
                groups.setdefault(nodes[i].attributes.get("href") or "", []).append(i)
        changed = False
        for members in groups.values():
            if len(members) < 3:
                continue
            changed = True
            for i in members:
                tags[i] = "span"
                n = link[i]
                p = i
                while p >= 0:
                    link[p] -= n
                    p = parent[p]
        return changed

    def start(self, i: int) -> int:
        """Index in ``events`` of element i's enter event."""
        return self.events.index(i)

    def end(self, i: int, start: int = 0) -> int:
        """Index in ``events`` of element i's leave event."""
        return self.events.index(~i, start)

    def subtree_text(self, i: int, separator: str = " ") -> str:
        """The text under element i without junk elements' text (for reports and headlines, not hot paths).

        lexbor's own text() when no junk element may sit below i; else the walk's text nodes, joined with
        spaces (whitespace-only nodes are not in the walk).
        """
        junk = self.junk_after
        k = bisect_left(junk, i)
        if k == len(junk) or junk[k] > self.last[i]:
            return self.nodes[i].text(deep=True, separator=separator)
        start = self.start(i)
        return " ".join([e for e in self.events[start : self.end(i, start)] if e.__class__ is str and e != " "])


def _tag_names() -> dict[int, str]:
    """lexbor tag id -> tag name for the standard HTML tags ('' for void elements that hold no text)."""
    names = (
        "a abbr address article aside b bdi bdo blockquote body caption center cite code dd del details dfn div "
        "dl dt em figcaption figure font footer form h1 h2 h3 h4 h5 h6 header i ins kbd label legend li main mark "
        "nav ol p picture pre q s samp section small span strong sub summary sup table time u ul br hr fieldset menu"
    ).split()
    void = "img wbr area col param track source".split()
    out: dict[int, str] = {}
    table = "caption col colgroup tbody td tfoot th thead tr".split()  # only parsed inside a <table>
    for name in names + void + JUNK_TAGS + table:
        node = LexborHTMLParser(f"<table><{name}>" if name in table else f"<body><{name}>").css_first(name)
        if node is not None and node.tag == name and node.tag_id not in out:
            out[node.tag_id] = "" if name in void else JUNK if name in JUNK_SET else name
    return out


TAG_NAMES = _tag_names()
_SCRIPT_ID: int = LexborHTMLParser("<body><script>").css_first("script").tag_id  # type: ignore[union-attr]
