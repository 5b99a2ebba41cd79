"""What class and id names say: page chrome (share bars, ads, menus, ...) or the article itself.

``chrome_rule`` maps a class/id string to the removal rule it triggers; ``class_weight`` is readability's
positive/negative name weight, used to choose the article container. Both cache their verdicts per string:
names repeat within a page and across a site's pages.

A class/id value is split into names (at spaces and '_'), each name into parts (at '-' and camelCase humps);
a part equal to a word of a rule, or starting with one of its prefixes, or a whole name (dashes removed)
equal to one of its compounds, marks the element. So "article-share", "c-related__list" and "shareButtons"
match, while "shareholders" would too (prefix), which is why prefixes are only used for words that rarely
start ordinary names.

>>> chrome_rule("post-body c-related__list"), chrome_rule("shareButtons"), chrome_rule("col-md-6 entry")
('html:related', 'html:share', None)
>>> chrome_rule("elementor-widget elementor-widget-text-editor"), chrome_rule("elementor-widget-share-buttons")
(None, 'html:share')
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

# (rule, words, prefixes, compounds), each a space-separated list. When a word or compound appears under two
# rules, the first rule listed wins.
_CHROME_VOCABULARY = [
    (
        "html:ad",
        "ad ads adv advert advertisement advertising adslot adunit adsense dfp gpt banner promo promoted "
        "sponsor sponsored sponsors outbrain taboola mgid cta appstore appstores smartbanner",
        "advert sponsor outbrain taboola adsbygoogle",
        # A box promoting the publisher's app ("Download on the App Store / Google Play").
        "adslot adunit adcontainer adwrapper adbox adblock adzone appstore appbanner appdownload downloadapp "
        "googleplay playstore",
    ),
    ("html:share", "share shares sharing social addthis sharethis shareaholic sharedaddy", "share social", "followus"),
    (
        "html:related",
        "related recommended recommendations trending popular factbox",
        "related recommend",
        "factbox readmore readalso morestories morenews alsoread youmaylike mostread mostviewed mostpopular nextarticle "
        "prevnext readnext whattoreadnext",
    ),
    (
        "html:newsletter",
        "newsletter newsletters subscribe subscription signup optin mailchimp",
        "newsletter subscri",
        "signup optin",
    ),
    ("html:cookie", "cookie cookies consent gdpr", "cookie", ""),
    ("html:breadcrumb", "breadcrumb breadcrumbs crumbs", "breadcrumb", ""),
    ("html:tags", "tag tags taglist tagcloud keywords categories topics", "", "posttags articletags"),
    (
        "html:author",
        "byline author",
        "",
        "authorbox authorbio authorinfo authorcard authorprofile abouttheauthor aboutauthor biobox",
    ),
    ("html:comments", "comment comments disqus respond discussion", "comment disqus", "commentlist"),
    (
        "html:nav",
        "nav navbar navigation menu masthead pagination pager toolbar sidebar widget widgets skiplink",
        "navbar navigation sidebar",
        "skiplink toc tableofcontents",
    ),
    ("html:popup", "popup modal overlay paywall", "popup paywall", "printonly sronly visuallyhidden"),
    # A page footer built as a <div> ("site-footer", "b_footerWrap", WordPress's "entry-footer" of categories
    # and edit links), and the copyright line: the <footer> tag's rule, by name.
    ("html:footer", "footer copyright", "", ""),
    # The Wayback Machine's toolbar (``#wm-ipp-base``) on top of an archived page: capture dates and counts.
    ("html:archive", "", "", "wmippbase wmipp wmippinside wmcapinfo"),
]


def _index_vocabulary() -> tuple[dict[str, str], list[tuple[str, str]], dict[str, str]]:
    """(word -> rule, [(prefix, rule)] in table order, compound -> rule) from ``_CHROME_VOCABULARY``."""
    words: dict[str, str] = {}
    prefixes: list[tuple[str, str]] = []
    compounds: dict[str, str] = {}
    for rule, rule_words, rule_prefixes, rule_compounds in _CHROME_VOCABULARY:
        for w in rule_words.split():
            words.setdefault(w, rule)
        prefixes.extend((p, rule) for p in rule_prefixes.split())
        for c in rule_compounds.split():
            compounds.setdefault(c, rule)
    return words, prefixes, compounds


_CHROME_WORDS, _CHROME_PREFIXES, _CHROME_COMPOUNDS = _index_vocabulary()
_PREFIX_TUPLE = tuple(p for p, _ in _CHROME_PREFIXES)
_NAME_SPLIT = re.compile(r"[\s_]+")
_PART_SPLIT = re.compile(r"-+|(?<=[a-z])(?=[A-Z])")


# Elementor (a WordPress page builder) names every block "elementor-element elementor-widget
# elementor-widget-<type>": the type says what the block is ("text-editor", "heading", "nav-menu",
# "share-buttons"); "widget" and "element" there say nothing, and matched as chrome they cut the article's
# paragraphs one by one.
_BUILDER_PREFIX = re.compile(r"elementor-(?:widget|element)?-?")


# A camelCase name that ends in "Style" names how an element looks, not what it is: CSS-in-JS libraries
# generate "tagStyle_z4kqwb" or "linkStyle_1x2y" for every paragraph of a page ("tag" there is the HTML tag).
_STYLING = ("Style", "Styles")


def token_rule(name: str) -> str | None:
    """The chrome rule one class/id token triggers, or None (uncached)."""
    if name.startswith("elementor"):
        builder = _BUILDER_PREFIX.match(name)
        if builder:
            name = name[builder.end() :]
            if not name:
                return None
    if name.islower() and "_" not in name:  # most tokens: no camelCase humps, one name ("col-md-6", "entry")
        rule = _CHROME_COMPOUNDS.get(name.replace("-", ""))
        if rule:
            return rule
        for part in name.split("-"):
            rule = _part_rule(part)
            if rule:
                return rule
        return None
    for part_name in _NAME_SPLIT.split(name):
        if not part_name or part_name.endswith(_STYLING):
            continue
        compound = part_name.replace("-", "").lower()
        rule = _CHROME_COMPOUNDS.get(compound)
        if rule:
            return rule
        for part in _PART_SPLIT.split(part_name):
            rule = _part_rule(part.lower())
            if rule:
                return rule
    return None


def _part_rule(part: str) -> str | None:
    """The chrome rule of one lower-case word of a class/id name: a whole word ("share") or a prefix ("advert…")."""
    rule = _CHROME_WORDS.get(part)
    if rule:
        return rule
    if part.startswith(_PREFIX_TUPLE):
        for prefix, prefixed_rule in _CHROME_PREFIXES:
            if part.startswith(prefix):
                return prefixed_rule
    return None


def _trie_pattern(words: list[str]) -> str:
    """A regex alternation of ``words`` factored as a prefix tree (sre tries one branch per letter, not one
    per word).

    >>> _trie_pattern(["ad", "ads", "advert"])
    'ad(?:(?:s|vert))?'
    """
    trie: dict[str, dict] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        if list(node) == [""]:
            return ""
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        group = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{group})?" if "" in node else group

    return build(trie)


def _chrome_vocabulary_filter() -> re.Pattern[str]:
    """A necessary condition for any chrome rule: a word, prefix or compound occurs in the lower-cased name
    with dashes removed (a part equal to a word, starting with a prefix, or a name equal to a compound all
    leave one there). Most class names ("col-md-6", "entry-content") fail it in one C-level search, without
    the per-part splitting a name not seen before would cost."""
    vocab = set(_CHROME_WORDS) | set(_PREFIX_TUPLE) | set(_CHROME_COMPOUNDS)
    # An entry that contains another one adds nothing to a substring test.
    minimal = sorted(w for w in vocab if not any(o != w and o in w for o in vocab))
    return re.compile(_trie_pattern(minimal))


_CHROME_ANY = _chrome_vocabulary_filter()
UNKNOWN = "?"  # sentinel: not in the cache yet
NAME_RULES: dict[str, str | None] = {}  # whole class/id strings, a fast path: most repeat within a page
TOKEN_RULES: dict[str, str | None] = {}  # class/id token -> rule; tokens repeat within and across pages


def chrome_rule(names: str) -> str | None:
    """The chrome rule a class/id string triggers (first token that triggers one), or None."""
    # .get, not try/except: most calls here are misses (a site's names, first seen), and raising costs more.
    rule = NAME_RULES.get(names, UNKNOWN)
    if rule is not UNKNOWN:
        return rule
    if len(NAME_RULES) > 100_000:
        NAME_RULES.clear()
    rule = NAME_RULES[names] = _tokens_rule(names) if _CHROME_ANY.search(names.lower().replace("-", "")) else None
    return rule


def _tokens_rule(names: str) -> str | None:
    cache = TOKEN_RULES
    for token in names.split():
        rule = cache.get(token, UNKNOWN)
        if rule is UNKNOWN:
            if len(cache) > 200_000:  # bounded however many sites are seen
                cache.clear()
            lowered = token.lower().replace("-", "")
            rule = cache[token] = token_rule(token) if _CHROME_ANY.search(lowered) else None
        if rule is not None:
            return rule
    return None


# Class/id names that say "this is the article" (readability's positive list, narrowed) or "this is not".
_POSITIVE_RE = re.compile(
    r"article|body|content|entry|hentry|main|post|text|story|news-?detail|detail|blog|prose|rich-?text|"
    r"مقال|خبر",
    re.I,
)
_NEGATIVE_RE = re.compile(
    r"comment|combx|contact|foot|footnote|masthead|meta|outbrain|promo|related|shoutbox|sidebar|sponsor|"
    r"shopping|tags|tool|widget|share|social|banner|nav|menu|teaser|card|list|recirc|newsletter",
    re.I,
)
MAX_CLASS_WEIGHT = 75.0  # +25 for a positive name, +50 for itemprop="articleBody"
NAME_WEIGHTS: dict[str, float] = {}  # class/id string -> its positive/negative weight (names repeat a lot)


def class_weight(node: LexborNode) -> float:
    """readability's class weight: +25 for an article-like class/id, -25 for a chrome-like one, +50 for
    ``itemprop="articleBody"``."""
    attrs = node.attributes
    names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    if not names.strip():
        return 0.0
    w = NAME_WEIGHTS.get(names)
    if w is None:
        if len(NAME_WEIGHTS) > 100_000:
            NAME_WEIGHTS.clear()
        w = NAME_WEIGHTS[names] = (25.0 if _POSITIVE_RE.search(names) else 0.0) - (
            25.0 if _NEGATIVE_RE.search(names) else 0.0
        )
    if attrs.get("itemprop") == "articleBody":
        w += 50.0
    return w
