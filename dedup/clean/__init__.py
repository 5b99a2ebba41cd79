"""Cleaning: strip site chrome and ads so that only the article is compared.

Three layers, applied in order:

1. :func:`dedup.clean.html.extract_html` for HTML input (selectolax/lexbor main-content extraction);
2. :class:`dedup.clean.lines.LineRules`, the built-in and user line rules (``rules.toml``);
3. :class:`dedup.clean.site.SiteBoilerplate`, lines a site repeats across its stories, learned from the corpus.

>>> cleaner = Cleaner()
>>> from dedup.document import Document
>>> doc = cleaner.clean(Document(id="x", title="Title", text="Body sentence here.\\nShare this article"))
>>> doc.text, [r.rule for r in doc.removed]
('Body sentence here.', ['pattern:share-bar'])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from dedup.clean.fold import fold_and_key_pages, utf32_codes
from dedup.clean.lines import LineRules, collapse_blank_lines, fold_line
from dedup.clean.site import (
    STORY_NGRAM,
    LearnedLine,
    SiteBoilerplate,
    SiteObservation,
    line_hashes,
    story_keys_of,
)
from dedup.document import Document, Removal
from dedup.fingerprint import _MIX_READ_ONLY, _letter_table, content_word_hashes, shingle_hashes, words_of
from dedup.kernels import get as get_kernels
from dedup.normalize import normalize_lines

__all__ = ["Cleaner", "LearnedLine", "LineRules", "Page", "SiteBoilerplate"]


@dataclass(slots=True)
class Page:
    """A page-cleaned document and its lines normalised once, for the stages after it.

    ``keys`` are the normalised title (``""`` when there is none) and then each line of ``doc.text``;
    ``hashes`` are their :func:`dedup.clean.site.line_hashes` (what site boilerplate is counted by).
    ``shingles``, once :meth:`site_observation` has computed them for the story keys, are the word 3-gram
    shingles of the page's normalised text, kept so that fingerprinting a page that site cleaning leaves whole
    does not compute them again (:meth:`shingles_for`); so are the text's word hashes (``tokens``,
    :func:`dedup.fingerprint.words_of`) and its content words (``content``,
    :func:`dedup.fingerprint.content_word_hashes`), read from the text in the same pass (:meth:`words_for`).
    """

    doc: Document
    keys: list[str]
    hashes: np.ndarray
    shingles: np.ndarray | None = None
    tokens: np.ndarray | None = None
    content: np.ndarray | None = None

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # A scan spools every page, once each way: numpy's own pickling of a few small arrays costs more than the
        # rest of the page, and so do a tuple of dtype and bytes per array; a list of keys costs twice their join.
        keys: str | list[str] = "\n".join(self.keys)
        if not self.keys or keys.count("\n") != len(self.keys) - 1:  # no key holds a newline: normalised, it cannot
            keys = self.keys
        hashes, shingles, tokens, content = self.hashes, self.shingles, self.tokens, self.content
        if (
            shingles is not None
            and tokens is not None
            and content is not None
            and hashes.dtype == _U64
            and tokens.dtype == _U64
            and shingles.dtype == _U32
            and content.dtype == _U32
        ):
            # The 64-bit arrays first, so that each array starts aligned in the one block (numba's kernels are
            # compiled for aligned arrays).
            blob = b"".join((hashes.tobytes(), tokens.tobytes(), shingles.tobytes(), content.tobytes()))
            return (_page_block, (self.doc, keys, blob, hashes.size, tokens.size, shingles.size))
        return (_page, (self.doc, keys, *(_packed(a) for a in (hashes, shingles, tokens, content))))

    def normalised_text(self) -> str:
        """``normalize(doc.full_text)``, joined from the keys."""
        return _joined(self.doc, self.keys[0], self.keys[1:])

    def site_observation(self) -> SiteObservation:
        """What :meth:`SiteBoilerplate.observe_batch` counts of this page: its text lines, not its title (a site
        that ran a story under three headlines would otherwise learn a headline as boilerplate), and the story keys
        (:func:`dedup.clean.site.story_keys`) of its normalised title and text."""
        return site_observations([self])[0]

    def shingles_for(self, doc: Document, ngram: int) -> np.ndarray | None:
        """The shingles kept by :meth:`site_observation` when they are those of ``doc``'s normalised text with
        ``ngram``-word shingles (``doc`` is this page's document, which site cleaning left whole); else None."""
        return self.shingles if doc is self.doc and ngram == STORY_NGRAM else None

    def words_for(self, doc: Document) -> tuple[np.ndarray, np.ndarray] | None:
        """The word hashes and content words kept by :meth:`site_observation`, when ``doc`` is this page's
        document (site cleaning left it whole) and they were kept; else None."""
        if doc is not self.doc or self.tokens is None or self.content is None:
            return None
        return self.tokens, self.content

    @classmethod
    def of(cls, doc: Document) -> Page:
        """A document taken as already cleaned: its lines normalised here."""
        keys = normalize_lines([doc.title, *doc.text.splitlines()])
        return cls(doc, keys, line_hashes(doc.source, keys))


def _packed(array: np.ndarray | None) -> tuple[str, bytes] | None:
    return None if array is None else (array.dtype.str, array.tobytes())


def _unpacked(packed: tuple[str, bytes] | None) -> np.ndarray | None:
    # Read-only (np.frombuffer of the pickle's bytes): nothing writes into a page's arrays.
    if packed is None:
        return None
    dtype = _DTYPES.get(packed[0])
    if dtype is None:
        dtype = _DTYPES.setdefault(packed[0], np.dtype(packed[0]))
    return np.frombuffer(packed[1], dtype=dtype)


_DTYPES: dict[str, np.dtype] = {}


_U64, _U32 = np.dtype(np.uint64), np.dtype(np.uint32)


def _page(doc: Document, keys: str | list[str], *arrays: tuple[str, bytes] | None) -> Page:
    """A :class:`Page` from its pickled form (:meth:`Page.__reduce__`; ``keys`` joined by newlines or not)."""
    hashes, shingles, tokens, content = (_unpacked(a) for a in arrays)
    key_list = keys.split("\n") if isinstance(keys, str) else keys
    return Page(doc, key_list, hashes, shingles, tokens, content)  # type: ignore[arg-type]


def _page_block(doc: Document, keys: str | list[str], blob: bytes, hashes: int, tokens: int, shingles: int) -> Page:
    """A :class:`Page` whose four arrays were pickled as one block (:meth:`Page.__reduce__`): line hashes and
    word hashes (uint64), then shingles and content words (uint32). Read-only views of the pickle's bytes.

    >>> page = Page(Document(id="a", text="x"), ["", "x"], np.array([0, 7], np.uint64), np.array([5], np.uint32),
    ...             np.array([9], np.uint64), np.array([], np.uint32))
    >>> import pickle
    >>> back = pickle.loads(pickle.dumps(page))
    >>> back.keys, back.hashes.tolist(), back.shingles.tolist(), back.tokens.tolist(), back.content.tolist()
    (['', 'x'], [0, 7], [5], [9], [])
    """
    key_list = keys.split("\n") if isinstance(keys, str) else keys
    end = 8 * (hashes + tokens)
    return Page(
        doc,
        key_list,
        np.frombuffer(blob, _U64, hashes),
        np.frombuffer(blob, _U32, shingles, end),
        np.frombuffer(blob, _U64, tokens, 8 * hashes),
        np.frombuffer(blob, _U32, (len(blob) - end) // 4 - shingles, end + 4 * shingles),
    )


def site_observations(pages: Sequence[Page], lines: bool = True) -> list[SiteObservation]:
    """:meth:`Page.site_observation` of many pages, their story keys computed together (in the worker processes:
    the process that counts receives a few numbers per page). ``lines=False`` leaves out the lines (``None``),
    for a caller that sends on only the hashes and keys."""
    todo = [page for page in pages if page.shingles is None]
    if todo and get_kernels(0) is not None:
        todo = _read_words(todo)  # all but the few pages with a character beyond the BMP
    for page in todo:
        # The text's words read once, for the story keys here and for the fingerprint later (Page.words_for).
        tokens, lengths, letters = words_of(page.normalised_text(), spaced=True)  # joined normalised keys
        page.shingles = shingle_hashes(tokens, STORY_NGRAM)  # story_shingles of the text
        page.tokens, page.content = tokens, content_word_hashes(tokens, lengths, letters)
    keys = story_keys_of([p.doc.source for p in pages], [p.shingles for p in pages])  # type: ignore[misc]
    return [(p.doc.source, p.hashes[1:], _countable_lines(p) if lines else None, k) for p, k in zip(pages, keys)]


def _read_words(pages: list[Page]) -> list[Page]:
    """What :func:`site_observations` reads of each page's normalised text (its word hashes, content words and
    story shingles), for a batch in one pass of the compiled kernels (a page's own calls cost more than its
    words): the same arrays as page by page. Returns the pages left to read page by page (those holding a
    character beyond the BMP: numpy tells their letters)."""
    kernels = get_kernels(0)
    texts = [page.normalised_text() for page in pages]
    bounds = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(text) for text in texts], out=bounds[1:])
    codes = utf32_codes("".join(texts))
    get_kernels(codes.size)  # counted as words_of counts each text
    tokens, token_ends, content, content_ends, grams, gram_ends, astral = kernels.page_words(
        codes, bounds, _letter_table(), STORY_NGRAM, _MIX_READ_ONLY
    )
    starts = [0, *gram_ends[:-1].tolist()]
    for start, stop in zip(starts, gram_ends.tolist()):
        grams[start:stop].sort()  # numpy's sort, vectorised (as shingle_hashes): twice as fast as numba's
    grams, gram_ends = kernels.distinct_runs(grams, gram_ends)
    left = []
    token_at = content_at = gram_at = 0
    for page, t, c, g, a in zip(pages, token_ends.tolist(), content_ends.tolist(), gram_ends.tolist(), astral):
        if a:
            left.append(page)
        else:
            page.tokens, page.content, page.shingles = tokens[token_at:t], content[content_at:c], grams[gram_at:g]
        token_at, content_at, gram_at = t, c, g
    return left


def _countable_lines(page: Page) -> list[str] | None:
    """The page's text lines that site boilerplate may learn (a non-zero hash), ``""`` for the others (a long
    paragraph is never learned): the counting process receives only lines it may have to name, not the text."""
    hashes = page.hashes[1:]
    if not hashes.any():
        return None
    return [line if h else "" for line, h in zip(page.doc.text.splitlines(), hashes.tolist())]


class Cleaner:
    """Per-document cleaning (HTML extraction + line rules), plus optional learned site boilerplate.

    Call :meth:`learn` on the corpus once (first pass) before :meth:`clean` to strip site boilerplate too.
    """

    def __init__(self, rules: LineRules | None = None, site: SiteBoilerplate | None = None) -> None:
        self.rules = rules or LineRules.builtin()
        self.site = site

    def clean_page(self, doc: Document) -> Document:
        """HTML extraction and line rules for one document (no corpus knowledge needed)."""
        return self.clean_page_keyed(doc).doc

    def clean_page_keyed(self, doc: Document, *, explain: bool = True) -> Page:
        """:meth:`clean_page`, keeping the normalised lines that the line rules computed anyway.

        ``explain=False`` leaves out what HTML extraction removed (a scan never reports it; same text).
        """
        title, lines, removed = self._lines(doc, explain)
        return self._keyed(doc, title, lines, removed, self.rules.classify_keyed(lines))

    def clean_pages_keyed(self, docs: Sequence[Document], *, explain: bool = True) -> list[Page]:
        """:meth:`clean_page_keyed` of each document, the line folds of all in one pass
        (:func:`dedup.clean.fold.fold_and_key_pages`)."""
        read = [self._lines(doc, explain) for doc in docs]
        pages = [lines for _, lines, _ in read]
        classified = self.rules.classify_pages(pages, fold_and_key_pages(pages))
        return [self._keyed(doc, *r, c) for doc, r, c in zip(docs, read, classified)]

    def _lines(self, doc: Document, explain: bool) -> tuple[str, list[str], list[Removal]]:
        """A document's title, its lines for the line rules (the title first, when there is one) and what HTML
        extraction removed."""
        removed: list[Removal] = []
        title, text = doc.title, doc.text
        if doc.html is not None and not text:
            from dedup.clean.html import extract_html  # imported lazily: text-only runs never need it

            page = extract_html(doc.html, url=doc.url, explain=explain)
            removed.extend(page.removed)
            title = title or page.title
            text = page.text
        # The title goes through the rules with the body: a scraper that put an ad line first in a .txt file
        # made that line the "title", and the real headline is the first line that survives.
        return title, [title, *text.splitlines()] if title else text.splitlines(), removed

    def _keyed(
        self,
        doc: Document,
        title: str,
        lines: list[str],
        removed: list[Removal],
        classified: tuple[list[str | None], list[str], list[int]],
    ) -> Page:
        """The page of a document's lines (:meth:`_lines`) after the line rules (``classified``: their
        :meth:`LineRules.classify_keyed`)."""
        verdict, keys, words = classified
        # Kept lines, stripped, with their keys and words; the blank ones dropped (as collapse_blank_lines drops
        # them from the text), and so are their keys.
        if verdict.count(None) == len(verdict):  # most pages: the rules remove no line
            kept = [(s, key, n) for ln, key, n in zip(lines, keys, words) if (s := ln.strip())]
        else:
            removed.extend(Removal(ln.strip(), v) for ln, v in zip(lines, verdict) if v is not None)
            kept = [
                (s, key, n) for ln, key, n, v in zip(lines, keys, words, verdict) if v is None and (s := ln.strip())
            ]
        title_key, title_words = "", 0
        if title:
            if verdict[0] is None:
                if title.strip():  # kept[0] is the title itself (a blank title stays blank)
                    (title, title_key, title_words), kept = kept[0], kept[1:]
            elif kept:
                (title, title_key, title_words), kept = kept[0], kept[1:]
            else:
                title = ""
        # The kept lines are stripped and none is blank: their join is collapse_blank_lines of them.
        cleaned = _cleaned(doc, title.strip(), "\n".join([s for s, _, _ in kept]), [*doc.removed, *removed], html=None)
        keys = [title_key, *[key for _, key, _ in kept]]
        return Page(cleaned, keys, line_hashes(doc.source, keys, words=[title_words, *[n for _, _, n in kept]]))

    def learn(self, docs: Iterable[Document]) -> None:
        """First pass: count each site's lines (of page-cleaned documents), once per story, to learn its
        boilerplate (the story keys as a scan computes them: :func:`site_observations`)."""
        if self.site is None:
            self.site = SiteBoilerplate()
        for doc in docs:
            self.site.observe_batch(site_observations([Page.of(doc)]))

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
        return replace(doc, title=title, text=collapse_blank_lines(text.splitlines()), removed=[*doc.removed, *removed])

    def clean_site_keyed(self, page: Page, mask: np.ndarray | None = None) -> tuple[Document, str]:
        """:meth:`clean_site` on a :class:`Page`, and the normalised text of the result (what
        ``normalize(doc.full_text)`` gives) joined from the page's keys: nothing is normalised again.
        ``mask``: the page's :meth:`SiteBoilerplate.boilerplate_mask`, when the caller has it (:meth:`site_masks`)."""
        doc = page.doc
        if mask is None:
            mask = (
                self.site.boilerplate_mask(doc.source, page.hashes)
                if self.site is not None
                else np.zeros(len(page.keys), dtype=bool)
            )
        if not mask[1:].any():  # as clean_site: the title is only checked on pages that lose a line
            return doc, _joined(doc, page.keys[0], page.keys[1:])
        mask = mask.tolist()
        lines = doc.text.splitlines()
        removed = [Removal(ln.strip(), f"site:{doc.source}") for ln, m in zip(lines, mask[1:]) if m]
        kept = [(ln, key) for ln, key, m in zip(lines, page.keys[1:], mask[1:]) if not m and ln.strip()]
        title, title_key = doc.title, page.keys[0]
        if title and mask[0]:
            removed.insert(0, Removal(title, f"site:{doc.source}"))
            (title, title_key), kept = (kept[0], kept[1:]) if kept else (("", ""), [])
        cleaned = _cleaned(doc, title.strip(), collapse_blank_lines([ln for ln, _ in kept]), [*doc.removed, *removed])
        return cleaned, _joined(cleaned, title_key, [key for _, key in kept])

    def site_masks(self, pages: Sequence[Page]) -> list[np.ndarray]:
        """Each page's :meth:`SiteBoilerplate.boilerplate_mask`, for :meth:`clean_site_keyed` (one sketch lookup
        for all)."""
        if self.site is None:
            return [np.zeros(len(p.keys), dtype=bool) for p in pages]
        return self.site.boilerplate_masks([p.doc.source for p in pages], [p.hashes for p in pages])

    def clean(self, doc: Document) -> Document:
        return self.clean_site(self.clean_page(doc))


def _cleaned(
    doc: Document, title: str, text: str, removed: list[Removal], html: str | bytes | bool | None = False
) -> Document:
    """``dataclasses.replace(doc, title=title, text=text, removed=removed)`` (and ``html`` unless False), built
    directly: ``replace`` costs several times a constructor call, once per page in each pass.

    >>> d = _cleaned(Document(id="a", text="x", html="<p>x</p>", meta={"k": 1}), "T", "y", [], html=None)
    >>> (d.id, d.title, d.text, d.html, d.meta)
    ('a', 'T', 'y', None, {'k': 1})
    """
    return Document(
        doc.id,
        text,
        title,
        doc.url,
        doc.source,
        doc.date,
        doc.html if html is False else html,  # type: ignore[arg-type]
        doc.origin,
        doc.path,
        doc.root,
        doc.meta,
        removed,
    )


def _joined(doc: Document, title_key: str, line_keys: list[str]) -> str:
    # Document.full_text leaves the title out when the text already starts with it.
    keys = line_keys if not doc.title or doc.text.startswith(doc.title) else [title_key, *line_keys]
    return " ".join(filter(None, keys))


def has_boilerplate(doc: Document, cleaner: Cleaner) -> list[Removal]:
    """What cleaning would still remove from an already-cleaned document (empty when it is clean)."""
    return cleaner.clean(replace(doc, removed=[])).removed


__all__ += ["fold_line", "has_boilerplate", "site_observations"]
