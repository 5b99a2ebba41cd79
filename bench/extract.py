"""Benchmark dedup's HTML main-content extractor against peers on real article pages.

Usage (from the repo root, bench peers installed: ``pip install -e '.[bench]'``)::

    python bench/extract.py                           # dedup, trafilatura, readability, resiliparse; 3 sets
    python bench/extract.py --dataset wcxb --only dedup --part tune --worst 20
    python bench/extract.py --dataset tfeval --only dedup --only trafilatura --repeat 1

Datasets live in ``../shared/data/<name>/``; ``--data`` points elsewhere. ``aeb`` is the Article Extraction
Benchmark (ground truth = article body only), ``wcxb`` the article pages of the WCXB dev set (ground truth =
title + body): both ``html/<id>.html.gz`` and ``ground-truth.json`` = ``{id: {"articleBody", "url"}}``. For
wcxb dedup is scored on ``title + "\n" + text`` (its ``Document.full_text``, what dedup fingerprints), for aeb
on ``text`` alone. ``tfeval`` is trafilatura's own evaluation set (``truth.json``: snippets that must and must
not appear), dedup scored on ``text`` alone like trafilatura's default output; its metric is trafilatura's
(``score.snippet_counts``). Peers are scored on their plain output everywhere.

Every set is split once by page id (``part_of``: CRC-32 of the id, even = ``tune``, odd = ``held``): rules are
tuned on the tuning part; the held-out part is only ever measured as a whole (``--worst`` lists tuning pages
only), so the bench shows the drop on unseen pages.

Every extractor gets the same ``str`` (the page bytes decoded once, see ``decode``) and is timed on its own
call only, after one untimed warm-up call on the first page (imports and library set-up are not a per-page
cost). ``ms/page`` is wall time, ``cpu ms`` the process CPU time of the same calls (the figure that survives a
loaded machine), each the fastest of ``--repeat`` passes (default 3); within a pass the extractors take each
page in turn.
A peer that raises on a page is scored as empty output for that page, never a crash.
Scores: see ``bench/score.py``. ``justext``, ``raw`` and ``dedup-explain`` run only when named with ``--only``.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import re
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent))

from score import PageScore, SnippetCounts, Summary, page_scores, snippet_counts, summarise, summarise_snippets

from dedup.clean.html import extract_html, vocabulary

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
DATASETS = {"aeb": "article-extraction-benchmark", "wcxb": "wcxb-articles-dev", "tfeval": "trafilatura-eval"}

_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.I)
_HTML_LANG = re.compile(r"""<html[^>]*?\slang=["']?([A-Za-z]{2,3})""", re.I)


def decode(raw: bytes) -> str:
    """Bytes → str once for every extractor: BOM / <meta charset>, else utf-8, else cp1252 (lossless)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    m = _META_CHARSET.search(raw[:4096])
    if m:
        try:
            return raw.decode(m.group(1).decode("ascii").lower(), "replace")
        except LookupError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


# --- extractors: each takes (html, dataset) and returns plain text ---------------------------------------


def run_dedup(html: str, dataset: str) -> str:
    # explain=False: title and text only, like every peer here (and like a scan); "dedup-explain" also lists
    # what was removed and why (``dedup clean --explain``), same text.
    ex = extract_html(html, explain=False)
    if dataset == "wcxb" and ex.title:
        return f"{ex.title}\n{ex.text}"
    return ex.text


def run_dedup_explain(html: str, dataset: str) -> str:
    ex = extract_html(html)
    if dataset == "wcxb" and ex.title:
        return f"{ex.title}\n{ex.text}"
    return ex.text


def forget_dedup_caches() -> None:
    """Empty dedup's per-process caches of class/id verdicts, so that every timed pass starts cold on these
    sites (they fill within a site's first pages in real use; here each page is another site)."""
    vocabulary.NAME_RULES.clear()
    vocabulary.TOKEN_RULES.clear()
    vocabulary.NAME_WEIGHTS.clear()


def run_trafilatura(html: str, dataset: str) -> str:
    import trafilatura

    # Default settings: trafilatura.extract(html) (favor_precision/recall off, comments and tables included,
    # txt output, no URL, no title/metadata in the output).
    return trafilatura.extract(html) or ""


def run_readability(html: str, dataset: str) -> str:
    from lxml import html as lxml_html
    from readability import Document

    # readability-lxml defaults: Document(html).summary() (HTML of the best candidate node), then its text via
    # lxml's text_content(); the title (Document.title()) is not added.
    summary = Document(html).summary()
    return lxml_html.fromstring(summary).text_content() if summary.strip() else ""


def run_resiliparse(html: str, dataset: str) -> str:
    from resiliparse.extract.html2text import extract_plain_text

    # resiliparse: extract_plain_text(html, main_content=True), other options default
    # (alt_texts=True, links=True, form_fields=False, noscript=False, list_bullets=True).
    return extract_plain_text(html, main_content=True)


_JUSTEXT_LANGS = {
    "en": "English", "ar": "Arabic", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "ru": "Russian", "pl": "Polish", "sv": "Swedish", "tr": "Turkish",
    "fa": "Persian", "ur": "Urdu", "id": "Indonesian", "da": "Danish", "no": "Norwegian_Bokmal",
    "nb": "Norwegian_Bokmal", "fi": "Finnish", "cs": "Czech", "el": "Greek", "hu": "Hungarian",
    "ro": "Romanian", "uk": "Ukrainian", "ja": "Japanese", "vi": "Vietnamese",
}  # fmt: skip


def run_justext(html: str, dataset: str) -> str:
    import justext

    # jusText defaults (length_low=70, length_high=200, stopwords_low=0.30, stopwords_high=0.32,
    # max_link_density=0.2, no_headings=False) with the stoplist of the page's <html lang>, English when the
    # language is missing or has no jusText stoplist; only non-boilerplate paragraphs are kept.
    m = _HTML_LANG.search(html[:5000])
    name = _JUSTEXT_LANGS.get(m.group(1).lower() if m else "en", "English")
    if name not in justext.get_stoplists():
        name = "English"
    paragraphs = justext.justext(html.encode("utf-8"), justext.get_stoplist(name), encoding="utf-8")
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def run_raw(html: str, dataset: str) -> str:
    from selectolax.lexbor import LexborHTMLParser

    # Raw page text: everything a reader could see — <body> text with script/style/noscript/template dropped.
    tree = LexborHTMLParser(html)
    tree.strip_tags(["script", "style", "noscript", "template"])
    return tree.body.text(separator="\n") if tree.body else ""


EXTRACTORS: dict[str, Callable[[str, str], str]] = {
    "dedup": run_dedup,
    "dedup-explain": run_dedup_explain,
    "trafilatura": run_trafilatura,
    "readability": run_readability,
    "resiliparse": run_resiliparse,
    "justext": run_justext,
    "raw": run_raw,
}


# The fixed split of every set (decided before any tuning of this round, by page id only): a page whose
# id's CRC-32 is even is in the tuning part, odd in the held-out part. (These are the old halves "a" and "b"
# of aeb and wcxb; half b of those two was looked at page by page in earlier rounds, see BENCHMARKS.md.)
PARTS = ("tune", "held")


def part_of(page_id: str) -> str:
    """The part ("tune" or "held") a page belongs to, from its id alone.

    >>> part_of("100noticias.com-millones-2c1f41b0"), part_of("blog.python.org-255c494e")
    ('held', 'tune')
    """
    return PARTS[zlib.crc32(page_id.encode()) % 2]


Truth = str | tuple[list[str], list[str]]  # an article body, or trafilatura-eval's (with, without) snippets


def load(dataset: str, root: Path, limit: int | None, parts: tuple[str, ...]) -> list[tuple[str, str, Truth, str]]:
    """(id, decoded html, truth, part) for the pages of a dataset in ``parts``, sorted by id."""
    folder = root / DATASETS[dataset]
    if dataset == "tfeval":
        raw = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
        truth: dict[str, Truth] = {k: (v["with"], v["without"]) for k, v in raw.items()}
    else:
        raw = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
        truth = {k: v["articleBody"] for k, v in raw.items()}
    pages = []
    for page_id in sorted(truth):
        part = part_of(page_id)
        if part not in parts:
            continue
        path = folder / "html" / f"{page_id}.html.gz"
        if not path.exists():
            continue
        pages.append((page_id, decode(gzip.decompress(path.read_bytes())), truth[page_id], part))
    return pages[:limit] if limit else pages


def score(pred: str, truth: Truth) -> PageScore | SnippetCounts:
    """One page's score: shingle overlap against an article body, snippet counts against snippets."""
    if isinstance(truth, str):
        return page_scores(pred, truth)
    return snippet_counts(pred, *truth)


def summary(scores: list[PageScore | SnippetCounts]) -> Summary:
    if scores and isinstance(scores[0], SnippetCounts):
        return summarise_snippets(scores)  # type: ignore[arg-type]
    return summarise(scores)  # type: ignore[arg-type]


def page_f1(sc: PageScore | SnippetCounts) -> float:
    if isinstance(sc, SnippetCounts):
        return sc.f1
    return 2 * sc.precision * sc.recall / (sc.precision + sc.recall) if sc.precision + sc.recall else 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", choices=[*DATASETS, "both", "all"], default="all", help="both = aeb + wcxb")
    ap.add_argument("--limit", type=int, default=None, help="first N pages (by id) of each dataset")
    ap.add_argument("--only", action="append", choices=sorted(EXTRACTORS), help="run only these (repeatable)")
    ap.add_argument("--part", choices=[*PARTS, "both"], default="both", help="tuning part, held-out part, or both")
    ap.add_argument("--half", choices=["a", "b"], default=None, help="old name of the parts: a = tune, b = held")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--worst", type=int, default=0, help="list the N worst dedup pages of the TUNING part by F1")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes per extractor; the fastest is reported")
    ap.add_argument("--digits", type=int, default=3, help="decimals of F1/precision/recall (4 to compare changes)")
    args = ap.parse_args(argv)

    names = args.only or [n for n in EXTRACTORS if n not in ("dedup-explain", "justext", "raw")]
    datasets = {"both": ["aeb", "wcxb"], "all": list(DATASETS)}.get(args.dataset, [args.dataset])
    parts = (
        PARTS
        if args.part == "both" and not args.half
        else (args.part,)
        if not args.half
        else ("tune" if args.half == "a" else "held",)
    )
    print(
        f"{'dataset':8} {'part':5} {'extractor':12} {'F1':>6} {'prec':>6} {'recall':>6} {'ms/page':>8} {'cpu ms':>7}"
        f" {'pages':>6}"
    )
    d = args.digits
    for ds in datasets:
        pages = load(ds, args.data, args.limit, parts)
        for name in list(names):  # one untimed call each first (see the module docstring)
            try:
                EXTRACTORS[name](pages[0][1], ds) if pages else None
            except ImportError as err:  # a peer not installed is left out, not scored as empty output
                print(f"extract.py: {name} left out ({err}; pip install -e '.[bench]')", file=sys.stderr)
                names.remove(name)
            except Exception:
                pass
        # Page by page, every extractor in turn (the order rotating from page to page): a slow stretch of a
        # shared machine (minutes long on this one) then hits all extractors alike, where whole passes one
        # after the other measured the same code 10-20% apart. Each extractor's time is its fastest of
        # --repeat passes, per part; scores come from the first pass (output is deterministic).
        best: dict[tuple[str, str], tuple[float, float]] = {}
        scores: dict[str, list[PageScore | SnippetCounts]] = {name: [] for name in names}
        fns = [EXTRACTORS[name] for name in names]
        for rep in range(args.repeat):
            forget_dedup_caches()
            gc.collect()
            elapsed = {(k, part): 0.0 for k in range(len(names)) for part in parts}
            cpu = dict(elapsed)
            for p, (_page_id, html, truth, part) in enumerate(pages):
                for turn in range(len(names)):
                    k = (p + turn + rep) % len(names)
                    t0, c0 = time.perf_counter(), time.process_time()
                    try:
                        pred = fns[k](html, ds)
                    except Exception:  # a peer's failure on one page scores as empty output
                        pred = ""
                    elapsed[k, part] += time.perf_counter() - t0
                    cpu[k, part] += time.process_time() - c0
                    if rep == 0:
                        scores[names[k]].append(score(pred, truth))
            for (k, part), e in elapsed.items():
                old = best.get((names[k], part))
                c = cpu[k, part]
                best[names[k], part] = (e, c) if old is None else (min(old[0], e), min(old[1], c))
        for part in parts:
            n_pages = sum(1 for pg in pages if pg[3] == part)
            for name in names:
                summ = summary([sc for pg, sc in zip(pages, scores[name], strict=True) if pg[3] == part])
                elapsed_s, cpu_s = best[name, part]
                ms = 1000 * elapsed_s / max(1, n_pages)
                cpu_ms = 1000 * cpu_s / max(1, n_pages)
                print(
                    f"{ds:8} {part:5} {name:12} {summ.f1:6.{d}f} {summ.precision:6.{d}f} {summ.recall:6.{d}f}"
                    f" {ms:8.2f} {cpu_ms:7.2f} {summ.pages:6d}",
                    flush=True,
                )
        if args.worst and "dedup" in scores:
            per_page = [
                (page_f1(sc), pg[0], sc) for pg, sc in zip(pages, scores["dedup"], strict=True) if pg[3] == "tune"
            ]
            for f, page_id, sc in sorted(per_page, key=lambda t: t[0])[: args.worst]:
                print(f"    {f:.3f} {sc} {page_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
