"""A self-contained HTML report of a scan (``dedup scan --html report.html``).

One page, inline CSS and SVG only (no scripts, no fonts, nothing fetched): the clusters biggest first, each with
its kept copy and every member's source, date and similarity, and a side-by-side view of a member against the
kept copy with the words that differ marked (``<del>`` only in the kept copy, ``<ins>`` only in the member) and
the boilerplate the cleaner stripped struck through; template siblings in a section of their own; and a
histogram of pair similarities with the thresholds marked.

A scan does not keep document texts, so the texts shown are read again (:func:`collect_texts`) for the
documents the page shows only. Words are compared as the matcher compares them (normalised: أ/ا, ة/ه, digits and
the like count as equal), but shown as written. Arabic text blocks get ``dir="rtl" lang="ar"``, others
``dir="auto"``.

>>> from dedup.document import DocInfo
>>> from dedup.pipeline import ScanResult
>>> from dedup.cluster import Cluster, Link
>>> docs = [DocInfo("a", "عنوان", "s1", None, "a", None, None, 3, "x"),
...         DocInfo("b", "عنوان", "s2", None, "b", None, None, 4, "y")]
>>> result = ScanResult(docs, [Cluster(0, [(0, 1.0), (1, 0.8)])], [Link(0, 1, 0.8, 0.9)])
>>> page = render_html(result, {"a": ShownText("وصلت الطائرة اليوم"), "b": ShownText("وصلت الطائرة أمس مساء")})
>>> '<article class="cluster" id="cluster-1" data-size="2"' in page, '<ins>أمس مساء</ins>' in page
(True, True)
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from dedup.document import DocInfo, Document
from dedup.io import atomic_writer
from dedup.normalize import normalize_lines
from dedup.pipeline import Pipeline, ScanResult
from dedup.settings import Settings

# A page of a million-document corpus must still open in a browser: the biggest clusters and the first template
# pairs are shown in full, the rest are counted.
MAX_CLUSTERS = 500
MAX_TEMPLATES = 200
MAX_DIFF_WORDS = 4000  # longer texts are cut before diffing (difflib is quadratic in the worst case)
MAX_REMOVAL_CHARS = 400
HISTOGRAM_BINS = 20

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")
_TOKENS = re.compile(r"\n|[^\S\n]*\S+")  # words (keeping no spacing) and line breaks


@dataclass(slots=True)
class ShownText:
    """What the page shows of one document: its cleaned text (title included) and what cleaning removed."""

    text: str
    removed: list[tuple[str, str]] = field(default_factory=list)  # (text, rule)

    @classmethod
    def of(cls, doc: Document) -> ShownText:
        return cls(doc.full_text, [(r.text, r.rule) for r in doc.removed])


def shown_clusters(result: ScanResult, limit: int = MAX_CLUSTERS) -> list[tuple[int, int]]:
    """``(cluster number, index in result.clusters)`` of the clusters shown, biggest first (ties: scan order)."""
    order = sorted(range(len(result.clusters)), key=lambda k: (-len(result.clusters[k].members), k))
    return [(k + 1, k) for k in order[:limit]]


def needed_ids(result: ScanResult) -> set[str]:
    """Ids of the documents whose texts the page shows (members of the shown clusters, shown template pairs)."""
    docs = result.documents
    ids = {docs[m].id for _, k in shown_clusters(result) for m, _ in result.clusters[k].members}
    for link in result.template_links[:MAX_TEMPLATES]:
        ids.update((docs[link.a].id, docs[link.b].id))
    return ids


def collect_texts(
    settings: Settings, inputs: Sequence[str], ids: Collection[str], workers: int | None = 1
) -> dict[str, ShownText]:
    """Read and clean ``inputs`` again, keeping the texts of ``ids`` only (memory bounded by what is shown)."""
    wanted = set(ids)
    out: dict[str, ShownText] = {}
    if not wanted:
        return out
    for doc in Pipeline(settings, workers=workers).documents(inputs):
        if doc.id in wanted and doc.id not in out:
            out[doc.id] = ShownText.of(doc)
    return out


def write_html(
    path: str | os.PathLike[str],
    result: ScanResult,
    texts: Mapping[str, ShownText] | None = None,
    title: str = "dedup report",
) -> None:
    """Render the page and write it atomically (the old file stays if anything fails)."""
    page = render_html(result, texts, title)
    with atomic_writer(path) as handle:
        handle.write(page)


# -- helpers ----------------------------------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def is_arabic(text: str) -> bool:
    """True when Arabic-script letters outnumber Latin ones (sampled from the start of ``text``).

    >>> is_arabic("مقتل 20 عنصرا in Palmyra"), is_arabic("The port strike"), is_arabic("")
    (True, False, False)
    """
    sample = text[:2000]
    arabic = len(_ARABIC.findall(sample))
    return arabic > 0 and arabic >= len(_LATIN.findall(sample))


def _dir(text: str) -> str:
    """The direction attributes of a block holding ``text``."""
    return 'dir="rtl" lang="ar"' if is_arabic(text) else 'dir="auto"'


def _tokens(text: str) -> list[str]:
    return [t.strip(" \t\r\f\v") if t != "\n" else t for t in _TOKENS.findall(text)][:MAX_DIFF_WORDS]


def _keys(tokens: Sequence[str]) -> list[str]:
    words = [t for t in tokens if t != "\n"]
    normal = iter(normalize_lines(words)) if words else iter(())
    return ["\n" if t == "\n" else (next(normal) or t) for t in tokens]


def _run(tokens: Sequence[str], tag: str | None) -> str:
    """Tokens as HTML: words space-separated, line breaks as <br>, wrapped in ``tag`` when given."""
    parts: list[str] = []
    words: list[str] = []

    def flush() -> None:
        if words:
            body = " ".join(_e(w) for w in words)
            parts.append(f"<{tag}>{body}</{tag}>" if tag else body)
            words.clear()

    for t in tokens:
        if t == "\n":
            flush()
            parts.append("<br>")
        else:
            words.append(t)
    flush()
    return " ".join(parts).replace(" <br> ", "<br>")


def diff_words(kept: str, member: str) -> tuple[str, str, float]:
    """Both texts as HTML, words only in ``kept`` in <del>, words only in ``member`` in <ins>; and word overlap.

    >>> diff_words("one two three", "one 2 three four")[1]
    'one <ins>2</ins> three <ins>four</ins>'
    """
    a, b = _tokens(kept), _tokens(member)
    matcher = SequenceMatcher(None, _keys(a), _keys(b), autojunk=False)
    left: list[str] = []
    right: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(_run(a[i1:i2], None))
            right.append(_run(b[j1:j2], None))
        else:
            if i2 > i1:
                left.append(_run(a[i1:i2], "del"))
            if j2 > j1:
                right.append(_run(b[j1:j2], "ins"))
    join = lambda parts: " ".join(p for p in parts if p).replace(" <br>", "<br>").replace("<br> ", "<br>")  # noqa: E731
    return join(left), join(right), matcher.ratio()


def _removed(shown: ShownText | None) -> str:
    if shown is None or not shown.removed:
        return ""
    items = []
    for text, rule in shown.removed:
        cut = text if len(text) <= MAX_REMOVAL_CHARS else text[:MAX_REMOVAL_CHARS] + "…"
        items.append(f'<li><s {_dir(cut)}>{_e(cut)}</s> <code class="rule">{_e(rule)}</code></li>')
    n = len(shown.removed)
    return (
        f'<details class="removed" dir="ltr"><summary>{n} boilerplate piece{"s" if n != 1 else ""} stripped</summary>'
        f"<ul>{''.join(items)}</ul></details>"
    )


def _meta(doc: DocInfo, similarity: float | None = None) -> str:
    bits = []
    if similarity is not None:
        bits.append(f'<span class="sim" title="similarity to the kept copy">{similarity:.2f}</span>')
    bits.append(f'<span class="source">{_e(doc.source or "—")}</span>')
    bits.append(f'<span class="date">{_e(doc.date or "undated")}</span>')
    bits.append(f'<code class="id" dir="ltr">{_e(doc.id)}</code>')
    bits.append(f'<span class="words">{doc.words} words</span>')
    title = f'<div class="title" {_dir(doc.title)}>{_e(doc.title)}</div>' if doc.title else ""
    return f'<div class="meta">{" ".join(bits)}</div>{title}'


def _side_by_side(a: DocInfo, b: DocInfo, texts: Mapping[str, ShownText], labels: tuple[str, str], open_: bool) -> str:
    ta, tb = texts.get(a.id), texts.get(b.id)
    if ta is None or tb is None:
        return '<p class="diff missing">Texts not available for this pair.</p>'
    left, right, _ = diff_words(ta.text, tb.text)
    rtl = is_arabic(ta.text)
    grid_dir = 'dir="rtl"' if rtl else 'dir="ltr"'
    return (
        f'<details class="diff"{" open" if open_ else ""}><summary>side by side: what differs</summary>'
        f'<div class="sxs" {grid_dir}>'
        f'<div class="col"><h4>{_e(labels[0])}</h4><div class="text" {_dir(ta.text)}>{left}</div>{_removed(ta)}</div>'
        f'<div class="col"><h4>{_e(labels[1])}</h4><div class="text" {_dir(tb.text)}>{right}</div>{_removed(tb)}</div>'
        f"</div></details>"
    )


# -- sections ---------------------------------------------------------------------------------------------------


def _clusters(result: ScanResult, texts: Mapping[str, ShownText]) -> str:
    docs = result.documents
    shown = shown_clusters(result)
    out = ['<section id="clusters"><h2>Clusters of near-duplicates, biggest first</h2>']
    if not shown:
        out.append('<p class="empty">No near-duplicates found.</p>')
    for number, k in shown:
        cluster = result.clusters[k]
        kept = docs[cluster.keep]
        size = len(cluster.members)
        out.append(f'<article class="cluster" id="cluster-{number}" data-size="{size}" data-cluster="{number}">')
        out.append(f'<h3>Cluster {number} <span class="count">{size} copies</span></h3>')
        out.append(
            f'<div class="kept" data-similarity="1.0000"><span class="badge keep">kept</span>{_meta(kept)}</div>'
        )
        # The least similar copy's diff is open: it is the one that shows whether the cluster is right.
        least = min(range(1, size), key=lambda i: (cluster.members[i][1], i)) if size > 1 else -1
        for pos, (m, sim) in enumerate(cluster.members[1:], start=1):
            doc = docs[m]
            out.append(
                f'<div class="member" data-similarity="{sim:.4f}"><span class="badge dup">{cluster.relation(m)}</span>'
                f"{_meta(doc, sim)}"
                f"{_side_by_side(kept, doc, texts, ('kept: ' + kept.id, 'copy: ' + doc.id), pos == least)}</div>"
            )
        if cluster.siblings:
            n = len(cluster.siblings)
            out.append(
                f'<p class="siblings">{n} template sibling pair{"s" if n != 1 else ""} involve this cluster; '
                f'see <a href="#templates">template siblings</a>.</p>'
            )
        out.append("</article>")
    hidden = len(result.clusters) - len(shown)
    if hidden > 0:
        out.append(f'<p class="more">{hidden} smaller clusters not shown; use <code>--format json</code>.</p>')
    out.append("</section>")
    return "".join(out)


def _templates(result: ScanResult, texts: Mapping[str, ShownText]) -> str:
    docs = result.documents
    links = result.template_links
    out = [
        '<section id="templates"><h2>Template siblings</h2>'
        '<p class="note">Same formula, different facts (numbers, dates, names): reported, never merged.</p>'
    ]
    if not links:
        out.append('<p class="empty">None found.</p>')
    for n, link in enumerate(links[:MAX_TEMPLATES], start=1):
        a, b = docs[link.a], docs[link.b]
        out.append(
            f'<article class="template" id="template-{n}" data-similarity="{link.similarity:.4f}">'
            f'<div class="pair-a">{_meta(a, None)}</div><div class="pair-b">{_meta(b, link.similarity)}</div>'
            f"{_side_by_side(a, b, texts, (a.id, b.id), False)}</article>"
        )
    if len(links) > MAX_TEMPLATES:
        out.append(f'<p class="more">{len(links) - MAX_TEMPLATES} more pairs not shown.</p>')
    out.append("</section>")
    return "".join(out)


def histogram_svg(values: Iterable[float], marks: Sequence[tuple[str, float]], bins: int = HISTOGRAM_BINS) -> str:
    """An inline SVG histogram of ``values`` in [0, 1], with a vertical line per ``(label, value)`` mark."""
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, max(0, int(v * bins)))] += 1
    width, height, left, right, bottom, top = 640, 220, 40, 20, 30, 20
    plot_w, plot_h = width - left - right, height - bottom - top
    peak = max(counts) or 1
    bar_w = plot_w / bins
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="histogram of pair similarities" dir="ltr">'
    ]
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" class="axis"/>')
    for i, c in enumerate(counts):
        h = plot_h * c / peak
        x = left + i * bar_w
        lo = i / bins
        parts.append(
            f'<rect class="bar" x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" '
            f'height="{h:.1f}" data-count="{c}" data-from="{lo:.2f}"><title>{lo:.2f}–{lo + 1 / bins:.2f}: '
            f"{c} pairs</title></rect>"
        )
    for t in range(0, 11, 2):
        x = left + plot_w * t / 10
        parts.append(f'<text x="{x:.1f}" y="{height - 10}" class="tick" text-anchor="middle">{t / 10:.1f}</text>')
    parts.append(f'<text x="4" y="{top + 4}" class="tick">{peak}</text>')
    for n, (label, value) in enumerate(marks):
        x = left + plot_w * value
        cls = "threshold" if n == 0 else "containment"
        parts.append(
            f'<line class="mark {cls}" data-value="{value:.2f}" x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" '
            f'y2="{top + plot_h}"/>'
        )
        parts.append(
            f'<text class="mark-label {cls}" x="{x + 3:.1f}" y="{top + 6 + 14 * n}">{_e(label)} {value:.2f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _histogram(result: ScanResult) -> str:
    s = result.settings
    scores = result.candidate_similarities
    marks = [("threshold", s.threshold), ("containment", s.containment)]
    if scores.size:
        svg = histogram_svg(scores.tolist(), marks)
        what = (
            f"{scores.size} candidate pairs LSH proposed, passed or not: a threshold that sits in a valley "
            f"between the look-alikes (left) and the copies (right) is robust, one inside a dense run of bars "
            f"is not."
        )
    else:
        svg = histogram_svg((link.similarity for link in result.links), marks)
        what = f"{len(result.links)} verified pairs (this result kept no candidate scores)."
    return (
        f'<figure id="histogram">{svg}<figcaption>Similarity (the larger of Jaccard and containment) of the '
        f"{what}</figcaption></figure>"
    )


CSS = """
body{font:15px/1.6 system-ui,"Noto Naskh Arabic","Noto Sans Arabic","DejaVu Sans",sans-serif;margin:0;
background:#f6f7f9;color:#1d2330}
header,main{max-width:1200px;margin:0 auto;padding:0 16px}
header{padding-top:16px}h1{margin:.2em 0}.summary{color:#4a5160}
section{margin:24px 0}h2{border-bottom:2px solid #d5d9e0;padding-bottom:4px}
article{background:#fff;border:1px solid #d5d9e0;border-radius:8px;padding:12px 16px;margin:14px 0}
h3{margin:0 0 8px}h3 .count{font-weight:normal;color:#4a5160;font-size:.85em}
.kept,.member,.pair-a,.pair-b{border-inline-start:4px solid #2e7d32;padding:4px 10px;margin:6px 0;background:#f3faf3}
.member,.pair-b{border-color:#c77700;background:#fffaf2}
.meta{display:flex;flex-wrap:wrap;gap:12px;align-items:baseline;font-size:.9em;color:#4a5160}
.meta .sim{font-weight:bold;color:#1d2330}.title{font-weight:600}
.badge{font-size:.75em;font-weight:bold;text-transform:uppercase;padding:1px 6px;border-radius:4px;margin-inline-end:8px;
float:inline-start}.badge.keep{background:#2e7d32;color:#fff}.badge.dup{background:#c77700;color:#fff}
details.diff{margin:6px 0}summary{cursor:pointer;color:#2450a4}
.sxs{display:grid;grid-template-columns:1fr 1fr;gap:12px}.col{min-width:0}
.col h4{margin:4px 0;font-size:.85em;color:#4a5160;direction:ltr;text-align:start;unicode-bidi:plaintext}
.text{background:#fff;border:1px solid #e2e5ea;border-radius:6px;padding:8px 10px;max-height:420px;overflow:auto}
.text[dir=rtl]{font-size:1.05em;line-height:1.9}
del{background:#fde2e1;color:#8a1c14;text-decoration:line-through}
ins{background:#dcf5dd;color:#13591b;text-decoration:none}
details.removed{font-size:.85em;color:#6a7080;margin-top:4px}details.removed ul{margin:4px 0;padding-inline-start:18px}
s{color:#8d93a0}code.rule{font-size:.85em;color:#4a5160}
figure{background:#fff;border:1px solid #d5d9e0;border-radius:8px;padding:12px;margin:0}
figcaption{font-size:.85em;color:#4a5160;max-width:640px}
svg .bar{fill:#5c7cba}svg .axis{stroke:#4a5160}svg .tick{font-size:11px;fill:#4a5160}
svg .mark{stroke-width:2;stroke-dasharray:4 3}svg .threshold{stroke:#c62828;fill:#c62828}
svg .containment{stroke:#6a1b9a;fill:#6a1b9a}svg .mark-label{font-size:11px;stroke:none}
.legend ins,.legend del,.legend s{padding:0 4px}
"""


def render_html(result: ScanResult, texts: Mapping[str, ShownText] | None = None, title: str = "dedup report") -> str:
    """The whole page as a string (see the module docstring)."""
    texts = texts or {}
    docs = result.documents
    dropped = sum(len(c.members) - 1 for c in result.clusters)
    s = result.settings
    summary = (
        f"{len(docs)} documents, {len(result.clusters)} clusters of near-duplicates ({dropped} redundant "
        f"copies), {len(result.template_links)} template sibling pairs. Threshold {s.threshold:.2f} "
        f"(Jaccard), containment {s.containment:.2f}, keep {s.keep}."
    )
    legend = (
        '<p class="legend">In the side-by-side views: <del>only in the kept copy</del> <ins>only in the '
        "copy</ins> <s>boilerplate stripped before matching</s>. Spelling variants the matcher folds "
        "(أ/ا, ة/ه, Arabic-Indic digits, tatweel) count as equal.</p>"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en" dir="ltr"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        f'<header><h1>{_e(title)}</h1><p class="summary">{_e(summary)}</p>{legend}</header><main>'
        f"{_histogram(result)}{_clusters(result, texts)}{_templates(result, texts)}</main></body></html>\n"
    )
