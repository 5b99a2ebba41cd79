"""Cleaning: strip site chrome and ads so that only the article is compared.

Three layers, applied in order:

1. :func:`dedup.clean.html.extract_html` for HTML input (selectolax/lexbor main-content extraction);
2. :class:`dedup.clean.lines.LineRules`, the built-in and user line rules (``rules.toml``);
3. :class:`dedup.clean.site.SiteBoilerplate`, lines a site repeats across its pages, learned from the corpus.

>>> cleaner = Cleaner()
>>> from dedup.document import Document
>>> doc = cleaner.clean(Document(id="x", title="Title", text="Body sentence here.\\nShare this article"))
>>> doc.text, [r.rule for r in doc.removed]
('Body sentence here.', ['pattern:share-bar'])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from dedup.clean.lines import LineRules, collapse_blank_lines, fold_line
from dedup.clean.site import LearnedLine, SiteBoilerplate
from dedup.document import Document, Removal

__all__ = ["Cleaner", "LearnedLine", "LineRules", "SiteBoilerplate"]


class Cleaner:
    """Per-document cleaning (HTML extraction + line rules), plus optional learned site boilerplate.

    Call :meth:`learn` on the corpus once (first pass) before :meth:`clean` to strip site boilerplate too.
    """

    def __init__(self, rules: LineRules | None = None, site: SiteBoilerplate | None = None) -> None:
        self.rules = rules or LineRules.builtin()
        self.site = site

    def clean_page(self, doc: Document) -> Document:
        """HTML extraction and line rules for one document (no corpus knowledge needed)."""
        removed: list[Removal] = []
        title, text = doc.title, doc.text
        if doc.html is not None and not text:
            from dedup.clean.html import extract_html  # imported lazily: text-only runs never need it

            page = extract_html(doc.html, url=doc.url)
            removed.extend(page.removed)
            title = title or page.title
            text = page.text
        # The title goes through the rules with the body: a scraper that put an ad line first in a .txt file
        # made that line the "title", and the real headline is the first line that survives.
        lines = [title, *text.splitlines()] if title else text.splitlines()
        verdict = self.rules.classify(lines)
        removed.extend(Removal(ln.strip(), v) for ln, v in zip(lines, verdict) if v is not None)
        kept = [ln for ln, v in zip(lines, verdict) if v is None]
        if title:
            if verdict[0] is None:
                kept = kept[1:]
            else:
                nonblank = [ln for ln in kept if ln.strip()]
                title = nonblank[0].strip() if nonblank else ""
                kept = kept[kept.index(nonblank[0]) + 1 :] if nonblank else []
        return replace(doc, title=title.strip(), text=collapse_blank_lines(kept), html=None,
                       removed=[*doc.removed, *removed])

    def learn(self, docs: Iterable[Document]) -> None:
        """First pass: count each site's lines (of page-cleaned documents) to learn its boilerplate."""
        if self.site is None:
            self.site = SiteBoilerplate()
        for doc in docs:
            self.site.observe(doc.source, doc.text)

    def clean_site(self, doc: Document) -> Document:
        """Strip learned site boilerplate from a page-cleaned document."""
        if self.site is None:
            return doc
        text, removed = self.site.strip(doc.source, doc.text)
        if not removed:
            return doc
        title = doc.title
        if title and self.site.is_boilerplate(doc.source, title):
            removed.insert(0, Removal(title, f"site:{doc.source}"))
            lines = text.splitlines()
            title, text = (lines[0], "\n".join(lines[1:])) if lines else ("", "")
        return replace(doc, title=title, text=collapse_blank_lines(text.splitlines()),
                       removed=[*doc.removed, *removed])

    def clean(self, doc: Document) -> Document:
        return self.clean_site(self.clean_page(doc))

    def clean_all(self, docs: Iterable[Document]) -> Iterator[Document]:
        for doc in docs:
            yield self.clean(doc)


def has_boilerplate(doc: Document, cleaner: Cleaner) -> list[Removal]:
    """What cleaning would still remove from an already-cleaned document (empty when it is clean)."""
    return cleaner.clean(replace(doc, removed=[])).removed


__all__ += ["fold_line", "has_boilerplate"]
