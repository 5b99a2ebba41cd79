"""A self-contained HTML report of a scan (``dedup scan --html report.html``).

One page, inline CSS and SVG only (no scripts, no fonts, nothing fetched): clusters, each with its kept copy and
every member's source, date and similarity, and a side-by-side view of a member against the kept copy with the
words that differ marked (``<del>`` only in the kept copy, ``<ins>`` only in the member) and the boilerplate the
cleaner stripped struck through; template siblings in a section of their own; and a histogram of pair
similarities with the thresholds marked.

A page that would be too big to open (a big corpus) shows in full only the clusters to review first (the
biggest, and the closest calls on similarity and on coverage) and the most similar template pairs, lists the
rest one line each and counts what is left, and says so at the top (:mod:`dedup.report.select` chooses,
:mod:`dedup.report.listing` writes the lists). When everything fits, everything is in full, biggest first.

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

import os
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from dedup.document import DocInfo, Document
from dedup.io import atomic_writer
from dedup.normalize import normalize_lines
from dedup.pipeline import Pipeline, ScanResult
from dedup.report.listing import cluster_rows, scope, template_rows
from dedup.report.markup import esc as _e
from dedup.report.markup import html_dir as _dir
from dedup.report.markup import is_arabic
from dedup.report.select import Plan, full_ids, plan_report
from dedup.settings import Settings

__all__ = ["ShownText", "collect_texts", "diff_words", "histogram_svg", "is_arabic", "needed_ids", "render_html"]

MAX_DIFF_WORDS = 4000  # longer texts are cut before diffing (difflib is quadratic in the worst case)
MAX_REMOVAL_CHARS = 400
HISTOGRAM_BINS = 20

_TOKENS = re.compile(r"\n|[^\S\n]*\S+")  # words (keeping no spacing) and line breaks


@dataclass(slots=True)
class ShownText:
    """What the page shows of one document: its cleaned text (title included) and what cleaning removed."""

    text: str
    removed: list[tuple[str, str]] = field(default_factory=list)  # (text, rule)

    @classmethod
    def of(cls, doc: Document) -> ShownText:
        return cls(doc.full_text, [(r.text, r.rule) for r in doc.removed])


def needed_ids(result: ScanResult, plan: Plan | None = None) -> set[str]:
    """Ids of the documents whose texts the page shows side by side (see :mod:`dedup.report.select`)."""
    return full_ids(result, plan if plan is not None else plan_report(result))


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
    plan: Plan | None = None,
) -> None:
    """Render the page and write it atomically (the old file stays if anything fails)."""
    page = render_html(result, texts, title, plan)
    with atomic_writer(path) as handle:
        handle.write(page)


# -- helpers ----------------------------------------------------------------------------------------------------


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
        f'<div class="col"><h5>{_e(labels[0])}</h5><div class="text" {_dir(ta.text)}>{left}</div>{_removed(ta)}</div>'
        f'<div class="col"><h5>{_e(labels[1])}</h5><div class="text" {_dir(tb.text)}>{right}</div>{_removed(tb)}</div>'
        f"</div></details>"
    )


# -- sections ---------------------------------------------------------------------------------------------------


TIERS = {
    "biggest": ("Biggest clusters", "most copies removed: one wrong link there costs most"),
    "similarity": (
        "Nearest the similarity threshold",
        "the least similar copy is closest above the line (below it: joined through another member)",
    ),
    "coverage": (
        "Nearest the coverage line",
        "the kept copy says least of one of the copies: the closest calls of the rule that nothing is removed "
        "that the kept copy does not say",
    ),
}


WHY = {
    "biggest": "among the biggest",
    "similarity": "a close call on similarity",
    "coverage": "a close call on coverage",
}


def _why(plan: Plan, k: int) -> str:
    """Why the cluster is shown (when the page chose), and its closest calls: how far above each line."""
    m = plan.margins[k]
    calls = []
    if m.similarity is not None and m.similarity >= 0:
        calls.append(f"similarity {m.similarity:.2f} above its threshold")
    elif m.similarity is not None:
        calls.append(f"similarity {-m.similarity:.2f} below the threshold (joined through another member)")
    if m.coverage is not None:
        calls.append(f"coverage {m.coverage:.2f} above the line")
    reasons = "" if plan.complete else ", ".join(WHY[r] for r in plan.why.get(k, []))
    shown = f'<span class="reasons">Shown as {_e(reasons)}.</span> ' if reasons else ""
    return f'<p class="why">{shown}Closest calls: {_e(", ".join(calls))}.</p>' if calls else ""


def _cluster(result: ScanResult, texts: Mapping[str, ShownText], plan: Plan, k: int) -> str:
    docs = result.documents
    cluster = result.clusters[k]
    number = k + 1
    kept = docs[cluster.keep]
    size = len(cluster.members)
    out = [f'<article class="cluster" id="cluster-{number}" data-size="{size}" data-cluster="{number}">']
    out.append(f'<h4>Cluster {number} <span class="count">{size} copies</span></h4>{_why(plan, k)}')
    out.append(f'<div class="kept" data-similarity="1.0000"><span class="badge keep">kept</span>{_meta(kept)}</div>')
    listed, diffs = plan.shown_members(cluster)
    # The least similar copy's diff is open: it is the one that shows whether the cluster is right.
    least = min(range(1, size), key=lambda i: (cluster.members[i][1], i)) if size > 1 else -1
    for pos in listed:
        m, sim = cluster.members[pos]
        doc = docs[m]
        view = (
            _side_by_side(kept, doc, texts, ("kept: " + kept.id, "copy: " + doc.id), pos == least)
            if pos in diffs
            else ""
        )
        out.append(
            f'<div class="member" data-similarity="{sim:.4f}"><span class="badge dup">{cluster.relation(m)}</span>'
            f"{_meta(doc, sim)}{view}</div>"
        )
    if len(diffs) < size - 1:
        out.append(
            f'<p class="more">Side by side for the {len(diffs)} least similar copies only'
            + (f"; {len(listed)} of {size - 1} copies listed" if len(listed) < size - 1 else "")
            + " (<code>--html-full</code> shows all, <code>--format json</code> lists all).</p>"
        )
    if cluster.siblings:
        n = len(cluster.siblings)
        out.append(
            f'<p class="siblings">{n} template sibling pair{"s" if n != 1 else ""} involve this cluster; '
            f'see <a href="#templates">template siblings</a>.</p>'
        )
    out.append("</article>")
    return "".join(out)


def _clusters(result: ScanResult, texts: Mapping[str, ShownText], plan: Plan) -> str:
    clusters = result.clusters
    out = ['<section id="clusters"><h2>Clusters of near-duplicates</h2>']
    if not clusters:
        out.append('<p class="empty">No near-duplicates found.</p>')
    if plan.complete and clusters:
        out.append('<section class="tier" id="tier-all"><h3>All clusters, biggest first</h3>')
        out.extend(_cluster(result, texts, plan, k) for k in plan.full)
        out.append("</section>")
    else:
        for reason, (heading, why) in TIERS.items():
            tier = [k for k in plan.full if plan.why[k][0] == reason]
            if not tier:
                continue
            if reason == "biggest":
                tier.sort(key=lambda k: (-len(clusters[k].members), k))
            else:
                tier.sort(key=lambda k: (getattr(plan.margins[k], reason), k))
            out.append(
                f'<section class="tier" id="tier-{reason}"><h3>{_e(heading)} '
                f'<span class="count">{len(tier)}</span></h3><p class="note">{_e(why)}.</p>'
            )
            out.extend(_cluster(result, texts, plan, k) for k in tier)
            out.append("</section>")
    out.append(cluster_rows(result, plan))
    out.append("</section>")
    return "".join(out)


def _templates(result: ScanResult, texts: Mapping[str, ShownText], plan: Plan) -> str:
    docs = result.documents
    links = result.template_links
    out = [
        '<section id="templates"><h2>Template siblings</h2>'
        '<p class="note">Same formula, different facts (numbers, dates, names): reported, never merged. '
        "The most similar pairs first: they came closest to being merged.</p>"
    ]
    if not links:
        out.append('<p class="empty">None found.</p>')
    for n, t in enumerate(plan.templates_full, start=1):
        link = links[t]
        a, b = docs[link.a], docs[link.b]
        out.append(
            f'<article class="template" id="template-{n}" data-similarity="{link.similarity:.4f}">'
            f'<div class="pair-a">{_meta(a, None)}</div><div class="pair-b">{_meta(b, link.similarity)}</div>'
            f"{_side_by_side(a, b, texts, (a.id, b.id), False)}</article>"
        )
    out.append(template_rows(result, plan))
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
            f"{scores.size:,} candidate pairs LSH proposed, passed or not: a threshold that sits in a valley "
            f"between the look-alikes (left) and the copies (right) is robust, one inside a dense run of bars "
            f"is not."
        )
    else:
        svg = histogram_svg((link.similarity for link in result.links), marks)
        what = f"{len(result.links):,} verified pairs (this result kept no candidate scores)."
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
h3{margin:16px 0 4px}h4{margin:0 0 8px;font-size:1.1em}.count{font-weight:normal;color:#4a5160;font-size:.85em}
.scope{background:#fff8e1;border:1px solid #e6c65c;border-radius:8px;padding:4px 14px;margin:8px 0}
.why{margin:0 0 6px;font-size:.85em;color:#8a4b00}.note,.more{color:#4a5160}
table{border-collapse:collapse;background:#fff;font-size:.85em;margin:8px 0}
th,td{border:1px solid #d5d9e0;padding:2px 8px;text-align:start}td code{font-size:.95em;white-space:nowrap}
table.rows{width:100%;table-layout:fixed;margin:0}td{overflow:hidden;text-overflow:ellipsis}
.chunk{content-visibility:auto;contain-intrinsic-size:auto 8000px}
article{content-visibility:auto;contain-intrinsic-size:auto 600px}table.bands td{text-align:end}
.kept,.member,.pair-a,.pair-b{border-inline-start:4px solid #2e7d32;padding:4px 10px;margin:6px 0;background:#f3faf3}
.member,.pair-b{border-color:#c77700;background:#fffaf2}
.meta{display:flex;flex-wrap:wrap;gap:12px;align-items:baseline;font-size:.9em;color:#4a5160}
.meta .sim{font-weight:bold;color:#1d2330}.title{font-weight:600}
.badge{font-size:.75em;font-weight:bold;text-transform:uppercase;padding:1px 6px;border-radius:4px;margin-inline-end:8px;
float:inline-start}.badge.keep{background:#2e7d32;color:#fff}.badge.dup{background:#c77700;color:#fff}
details.diff{margin:6px 0}summary{cursor:pointer;color:#2450a4}
.sxs{display:grid;grid-template-columns:1fr 1fr;gap:12px}.col{min-width:0}
.col h5{margin:4px 0;font-size:.85em;color:#4a5160;direction:ltr;text-align:start;unicode-bidi:plaintext}
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


def render_html(
    result: ScanResult,
    texts: Mapping[str, ShownText] | None = None,
    title: str = "dedup report",
    plan: Plan | None = None,
) -> str:
    """The whole page as a string (see the module docstring); ``plan`` (default :func:`plan_report`) says what
    is shown in full."""
    texts = texts or {}
    plan = plan if plan is not None else plan_report(result)
    docs = result.documents
    dropped = sum(len(c.members) - 1 for c in result.clusters)
    s = result.settings
    summary = (
        f"{len(docs):,} documents, {len(result.clusters):,} clusters of near-duplicates ({dropped:,} redundant "
        f"copies), {len(result.template_links):,} template sibling pairs. Threshold {s.threshold:.2f} "
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
        f'<header><h1>{_e(title)}</h1><p class="summary">{_e(summary)}</p>{scope(result, plan)}{legend}</header>'
        f"<main>{_histogram(result)}{_clusters(result, texts, plan)}{_templates(result, texts, plan)}</main>"
        f"</body></html>\n"
    )
