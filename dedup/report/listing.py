"""The parts of the HTML report that are not shown in full: what the page holds and how it was chosen (the scope
note at the top), one line per cluster or template pair, and the counts of whatever is left after that.

>>> table = bands([2, 2, 3, 40, 700], [0.99, 0.7, 0.9, 0.6, 0.55])
>>> '<th scope="row">2 copies</th><td>0</td><td>1</td><td>0</td><td>1</td>' in table
True
>>> '<th scope="row">51 or more copies</th><td>1</td><td>0</td><td>0</td><td>0</td>' in table
True
"""

from __future__ import annotations

from collections.abc import Sequence

from dedup.pipeline import ScanResult
from dedup.report.markup import esc, html_dir, megabytes, number
from dedup.report.select import Plan

SIZE_BANDS = ((2, 2), (3, 5), (6, 10), (11, 50), (51, None))
SIMILARITY_BANDS = ((0.0, 0.6), (0.6, 0.8), (0.8, 0.95), (0.95, 1.01))
TITLE_CHARS = 90
REASON_TEXT = {
    "biggest": "among the biggest",
    "similarity": "whose least similar copy is nearest the similarity threshold",
    "coverage": "whose copy least covered by the kept one is nearest the coverage line",
}


CHUNK_ROWS = 250  # rows per table: a browser lays out only the tables in view (content-visibility)


def chunked_table(head: str, rows: Sequence[str], widths: Sequence[int]) -> str:
    """``rows`` (``<tr>`` elements) as tables of :data:`CHUNK_ROWS` rows with the same header and column widths,
    so that they line up as one table while a browser skips laying out the ones out of view.

    >>> chunked_table("<tr><th>n</th></tr>", ["<tr><td>1</td></tr>"] * 300, [100]).count("<table")
    2
    """
    cols = "<colgroup>" + "".join(f'<col style="width:{w}%">' for w in widths) + "</colgroup>"
    return "".join(
        f'<div class="chunk"><table class="rows">{cols}<thead>{head}</thead>'
        f"<tbody>{''.join(rows[i : i + CHUNK_ROWS])}</tbody></table></div>"
        for i in range(0, len(rows), CHUNK_ROWS)
    )


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{number(n)} {one if n == 1 else (many or one + 's')}"


def _title(title: str) -> str:
    cut = title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS] + "…"
    return f"<td {html_dir(cut)}>{esc(cut)}</td>" if cut else "<td></td>"


def _margin(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def scope(result: ScanResult, plan: Plan) -> str:
    """The note at the top: how much of the result the page shows in full, how it was chosen, how to see it all."""
    clusters, templates = len(result.clusters), len(result.template_links)
    if plan.complete:
        return (
            f'<p id="scope" class="scope">Everything is shown in full: {_plural(clusters, "cluster")} and '
            f"{_plural(templates, 'template-sibling pair')}.</p>"
        )
    primary: dict[str, int] = {}
    for k in plan.full:
        primary[plan.why[k][0]] = primary.get(plan.why[k][0], 0) + 1
    chosen = "; ".join(f"{number(n)} {REASON_TEXT[r]}" for r, n in primary.items()) or "none"
    parts = [
        f"<strong>Shown in full: {number(len(plan.full))} of {_plural(clusters, 'cluster')}</strong>, the ones to "
        f"review first, taken in turn from three rankings while this page's budget lasted: {chosen} "
        f'(<a href="#clusters">each says why</a>); and {number(len(plan.templates_full))} of '
        f"{_plural(templates, 'template-sibling pair')}, the most similar first."
    ]
    listed = len(plan.rows) + len(plan.templates_rows)
    if listed:
        parts.append(
            f'Listed one line each: <a href="#cluster-list">{_plural(len(plan.rows), "more cluster")}</a> and '
            f'<a href="#template-list">{_plural(len(plan.templates_rows), "more pair")}</a>.'
        )
    if plan.rest or plan.templates_rest:
        parts.append(
            f'Only counted: <a href="#cluster-counts">{_plural(len(plan.rest), "cluster")}</a> and '
            f"{_plural(plan.templates_rest, 'pair')}."
        )
    if plan.capped:
        parts.append(
            "In the biggest clusters, the side-by-side view is given for the least similar copies only, and "
            "very long member lists are cut; each cluster says so."
        )
    parts.append(
        f"To see everything in full, run the scan again with <code>--html-full</code> (a page of about "
        f"{megabytes(plan.estimate_all)}, slow to open); <code>--format json</code> lists every cluster and "
        f"member whatever this page shows."
    )
    return f'<div id="scope" class="scope"><p>{" ".join(parts)}</p></div>'


def cluster_rows(result: ScanResult, plan: Plan) -> str:
    """The clusters not shown in full, one line each (biggest first), then the counts of the rest."""
    if not plan.rows and not plan.rest:
        return ""
    docs, clusters = result.documents, result.clusters
    out = []
    if plan.rows:
        head = (
            '<tr><th scope="col">cluster</th><th scope="col">copies</th><th scope="col">weakest similarity</th>'
            '<th scope="col" title="weakest copy\'s similarity over its threshold">margin</th>'
            '<th scope="col" title="least covered copy\'s coverage over the coverage line">coverage margin</th>'
            '<th scope="col">kept copy</th><th scope="col">id</th><th scope="col">sources</th></tr>'
        )
        rows = []
        for k in sorted(plan.rows, key=lambda k: (-len(clusters[k].members), k)):
            c, m = clusters[k], plan.margins[k]
            kept = docs[c.keep]
            sources = len({docs[i].source for i, _ in c.members})
            rows.append(
                f'<tr id="cluster-{k + 1}"><td>{k + 1}</td><td>{len(c.members)}</td><td>{m.weakest:.2f}</td>'
                f"<td>{_margin(m.similarity)}</td><td>{_margin(m.coverage)}</td>{_title(kept.title)}"
                f'<td><code dir="ltr">{esc(kept.id)}</code></td><td>{sources}</td></tr>'
            )
        out.append(
            '<section id="cluster-list"><h3>More clusters, one line each</h3>'
            f"{chunked_table(head, rows, (7, 6, 9, 7, 9, 39, 16, 7))}</section>"
        )
    if plan.rest:
        out.append(
            f'<section id="cluster-counts"><h3>{_plural(len(plan.rest), "more cluster")}, counted by size and '
            f"weakest similarity</h3>"
            f"{bands([len(clusters[k].members) for k in plan.rest], [plan.margins[k].weakest for k in plan.rest])}"
            f'<p class="more">Their members are in the JSON report (<code>--format json</code>).</p></section>'
        )
    return "".join(out)


def bands(sizes: Sequence[int], weakest: Sequence[float]) -> str:
    """A table counting clusters by size band (rows) and weakest similarity band (columns)."""
    counts = [[0] * len(SIMILARITY_BANDS) for _ in SIZE_BANDS]
    for size, sim in zip(sizes, weakest, strict=True):
        row = next(n for n, (lo, hi) in enumerate(SIZE_BANDS) if size >= lo and (hi is None or size <= hi))
        col = next((n for n, (lo, hi) in enumerate(SIMILARITY_BANDS) if lo <= sim < hi), 0)
        counts[row][col] += 1
    head = "".join(f'<th scope="col">{lo:.2f}–{min(hi, 1.0):.2f}</th>' for lo, hi in SIMILARITY_BANDS)
    body = []
    for (lo, hi), row in zip(SIZE_BANDS, counts, strict=True):
        label = f"{lo}" if lo == hi else (f"{lo}–{hi}" if hi else f"{lo} or more")
        cells = "".join(f"<td>{number(n)}</td>" for n in row)
        body.append(f'<tr><th scope="row">{label} copies</th>{cells}</tr>')
    return (
        f'<table class="bands"><thead><tr><th scope="col">size \\ weakest similarity</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def template_rows(result: ScanResult, plan: Plan) -> str:
    """Template-sibling pairs not shown in full, one line each (most similar first), then their count."""
    docs, links = result.documents, result.template_links
    out = []
    if plan.templates_rows:
        head = (
            '<tr><th scope="col">similarity</th><th scope="col">title</th><th scope="col">one</th>'
            '<th scope="col">the other</th></tr>'
        )
        rows = []
        for t in plan.templates_rows:
            link = links[t]
            a, b = docs[link.a], docs[link.b]
            rows.append(
                f'<tr><td>{link.similarity:.2f}</td>{_title(a.title)}<td><code dir="ltr">{esc(a.id)}</code></td>'
                f'<td><code dir="ltr">{esc(b.id)}</code></td></tr>'
            )
        out.append(
            '<section id="template-list"><h3>More template-sibling pairs, one line each</h3>'
            f"{chunked_table(head, rows, (10, 50, 20, 20))}</section>"
        )
    if plan.templates_rest:
        out.append(
            f'<p class="more">{_plural(plan.templates_rest, "more pair")} not listed; '
            f"<code>--format json --explain</code> lists them all.</p>"
        )
    return "".join(out)
