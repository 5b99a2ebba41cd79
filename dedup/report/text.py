"""Every text output of ``dedup``: scan reports (JSON, CSV, a rich table), index matches, gate findings, records.

The JSON shape is fixed: ``{"documents": N, "clusters": [{"id": K, "keep": ID, "members": [{"id", "similarity",
"source", "title", "relation"}, ...]}, ...]}``: clusters of two or more members only, the kept member first
(``relation`` "kept"; the others "copy", or "contained" when the kept copy holds them but not the reverse), similarity
measured against the kept one. ``explain=True`` adds each cluster's template siblings (``"relation": "template"``)
and the site boilerplate learned. A scan against an index (``dedup scan --index``) adds every input document's
matches in the index: JSON an ``index`` and an ``index_matches`` list, CSV rows whose cluster is ``index``, the
table a list after the clusters.

>>> from dedup.document import DocInfo
>>> from dedup.pipeline import ScanResult
>>> from dedup.cluster import Cluster
>>> docs = [DocInfo("a", "T", "s1", None, "a", None, None, 10, "x"), DocInfo("b", "T", "s2", None, "b", None, None, 9, "y")]
>>> to_json(ScanResult(docs, [Cluster(0, [(0, 1.0), (1, 0.8)])], []))["clusters"][0]["members"][1]
{'id': 'b', 'similarity': 0.8, 'source': 's2', 'title': 'T', 'relation': 'copy'}
>>> print(render_csv(ScanResult(docs, [Cluster(0, [(0, 1.0), (1, 0.8)])], [])), end="")
cluster,keep,id,similarity,source,date,title
1,a,a,1.0000,s1,,T
1,a,b,0.8000,s2,,T
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from dedup.document import Document
from dedup.index import Match, display_location
from dedup.io.records import cleaned_record
from dedup.pipeline import ScanResult

if TYPE_CHECKING:
    from rich.console import Console

IndexMatches = Sequence[tuple[Document, Match]]
"""Pairs of a scan with an index: an input document and one of its matches there (a document may have several)."""

# -- scan reports ----------------------------------------------------------------------------------------------


def to_json(result: ScanResult, explain: bool = False) -> dict[str, Any]:
    docs = result.documents
    clusters = []
    for k, cluster in enumerate(result.clusters, start=1):
        entry: dict[str, Any] = {
            "id": k,
            "keep": docs[cluster.keep].id,
            "members": [
                {
                    "id": docs[m].id,
                    "similarity": round(sim, 4),
                    "source": docs[m].source,
                    "title": docs[m].title,
                    "relation": "kept" if pos == 0 else cluster.relation(m),
                }
                for pos, (m, sim) in enumerate(cluster.members)
            ],
        }
        if explain and cluster.siblings:
            entry["siblings"] = [
                {"a": docs[a].id, "b": docs[b].id, "similarity": round(sim, 4), "relation": "template"}
                for a, b, sim in cluster.siblings
            ]
        clusters.append(entry)
    out: dict[str, Any] = {"documents": len(docs), "clusters": clusters}
    if explain:
        out["templates"] = [
            {
                "a": docs[link.a].id,
                "b": docs[link.b].id,
                "similarity": round(link.similarity, 4),
                "jaccard": link.jaccard,
                "containment": link.containment,
                "relation": "template",
            }
            for link in result.template_links
        ]
        out["learned_boilerplate"] = [
            {"site": x.site, "line": x.line, "documents": x.documents} for x in result.learned
        ]
    return out


def render_json(result: ScanResult, explain: bool = False, index: str | None = None, found: IndexMatches = ()) -> str:
    """The JSON report; with ``index``, the matches ``found`` in it too."""
    body = to_json(result, explain)
    if index is not None:
        body["index"] = index
        body["index_matches"] = [
            {"id": doc.id, "duplicate_of": m.id, **match_json(m, with_id=False)} for doc, m in found
        ]
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = ["cluster", "keep", "id", "similarity", "source", "date", "title"]


def render_csv(result: ScanResult, found: IndexMatches = ()) -> str:
    """One row per cluster member (kept member included), for spreadsheets; then one per match in an index."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    docs = result.documents
    rows = [
        (k, cluster.keep, m, sim) for k, cluster in enumerate(result.clusters, start=1) for m, sim in cluster.members
    ]
    members = [m for _, _, m, _ in rows]
    field = getattr(docs, "field", None)
    if field is not None:  # a scan's DocTable: read the four columns, not a record per member
        ids, sources, dates, titles = (field(name, members) for name in ("id", "source", "date", "title"))
        kept_ids = field("id", [keep for _, keep, _, _ in rows])
    else:
        ids, sources, dates, titles = (
            [getattr(docs[m], name) for m in members] for name in ("id", "source", "date", "title")
        )
        kept_ids = [docs[keep].id for _, keep, _, _ in rows]
    for (k, _, _, sim), kept, id_, source, date, title in zip(rows, kept_ids, ids, sources, dates, titles):
        writer.writerow([k, kept, id_, f"{sim:.4f}", source or "", date or "", title])
    for doc, m in found:
        writer.writerow(["index", m.id, doc.id, f"{m.similarity:.4f}", doc.source or "", doc.date or "", doc.title])
    return buf.getvalue()


def render_table(
    result: ScanResult, console: Console, explain: bool = False, index: str | None = None, found: IndexMatches = ()
) -> None:
    """A table a person can read: one block per cluster, the kept copy marked; with ``index``, its matches after."""
    from rich.table import Table  # rich is loaded by the tables only: JSON and CSV reports start without it
    from rich.text import Text

    docs = result.documents
    dropped = sum(len(c.members) - 1 for c in result.clusters)
    title = f"{len(result.clusters)} clusters of near-duplicates in {len(docs)} documents ({dropped} redundant copies)"
    table = Table(title=title, show_lines=False, header_style="bold", expand=False)
    table.add_column("#", justify="right", no_wrap=True, min_width=2)
    table.add_column("", no_wrap=True, min_width=4)
    table.add_column("sim", justify="right", no_wrap=True, min_width=4)
    table.add_column("source", overflow="fold", max_width=20)
    table.add_column("id / title", overflow="fold")
    for k, cluster in enumerate(result.clusters, start=1):
        for pos, (m, sim) in enumerate(cluster.members):
            d = docs[m]
            table.add_row(
                str(k) if pos == 0 else "",
                Text("keep", style="green") if pos == 0 else Text("dup", style="yellow"),
                f"{sim:.2f}",
                d.source or "",
                Text.assemble((d.id, "bold"), "\n", (d.title, "dim")) if d.title else Text(d.id, style="bold"),
                end_section=pos == len(cluster.members) - 1,
            )
    console.print(table)
    if explain:
        templates = result.template_links
        if templates:
            t = Table(title=f"{len(templates)} template siblings (same formula, different facts; not merged)")
            for col in ("a", "b", "similarity"):
                t.add_column(col)
            for link in templates:
                t.add_row(docs[link.a].id, docs[link.b].id, f"{link.similarity:.2f}")
            console.print(t)
        if result.learned:
            t = Table(title="site boilerplate learned from the corpus")
            for col in ("site", "documents", "line"):
                t.add_column(col)
            for x in result.learned:
                t.add_row(x.site, str(x.documents), x.line)
            console.print(t)
    if index is not None:
        console.print(f"\nAlready in index {display_location(index)}: {len(found)}", markup=False, highlight=False)
        for doc, m in found:
            console.print(
                f"{doc.id} ~ {m.id} (similarity {m.similarity:.2f})", markup=False, highlight=False, soft_wrap=True
            )


def render_text_table(
    result: ScanResult, explain: bool = False, index: str | None = None, found: IndexMatches = ()
) -> str:
    """The table as plain text 160 columns wide, for a file."""
    from rich.console import Console

    console = Console(record=True, width=160, file=io.StringIO())
    render_table(result, console, explain, index, found)
    return console.export_text()


# -- matches in an index ---------------------------------------------------------------------------------------


def match_json(m: Match, with_id: bool = True) -> dict[str, Any]:
    """A match as JSON: ``{"id", "similarity", "jaccard", "containment"}``."""
    out = {"id": m.id} if with_id else {}
    return {**out, "similarity": round(m.similarity, 4), "jaccard": m.jaccard, "containment": m.containment}


def render_query(doc_id: str, matches: Iterable[Match], as_json: bool = False) -> str:
    """``dedup index query``: one ``ID<TAB>INDEXED_ID<TAB>SIMILARITY`` line per match, or (``as_json``) one JSON
    line per input document with its matches in a list, maybe empty.

    >>> render_query("new", [Match("old", 0.91234)])
    'new\\told\\t0.9123\\n'
    >>> render_query("new", [], as_json=True)
    '{"id": "new", "matches": []}\\n'
    """
    if as_json:
        return json.dumps({"id": doc_id, "matches": [match_json(m) for m in matches]}, ensure_ascii=False) + "\n"
    return "".join(f"{doc_id}\t{m.id}\t{m.similarity:.4f}\n" for m in matches)


def render_stats(stats: dict[str, Any], as_json: bool = False) -> str:
    """``dedup index stats``: ``key: value`` lines, the settings the index was built with on one line; or JSON."""
    if as_json:
        return json.dumps(stats, ensure_ascii=False) + "\n"
    lines = [f"{key}: {value}" for key, value in stats.items() if key != "settings"]
    lines.append("settings: " + ", ".join(f"{k}={v}" for k, v in stats["settings"].items()))
    return "".join(line + "\n" for line in lines)


# -- gates: check and precommit --------------------------------------------------------------------------------


def duplicate_lines(result: ScanResult) -> str:
    """``dedup check``: one line per redundant copy, naming the kept copy and the cluster."""
    docs = result.documents
    return "".join(
        f"duplicate: {docs[m].id} ~ {docs[keep].id} (similarity {sim:.2f}, cluster {k})\n"
        for m, k, keep, sim in result.dropped()
    )


def boilerplate_lines(docs: Iterable[Document]) -> str:
    """``dedup check --boilerplate``: one line per document that still carries lines the line rules remove.

    >>> from dedup.document import Removal
    >>> boilerplate_lines([Document(id="a", text="", removed=[Removal("Follow us on X", "social")])])
    'boilerplate: a: 1 lines, e.g. social: Follow us on X\\n'
    """
    out = []
    for doc in docs:
        hits = [r for r in doc.removed if not r.rule.startswith("html:")]
        if hits:
            out.append(f"boilerplate: {doc.id}: {len(hits)} lines, e.g. {hits[0].rule}: {hits[0].text[:60]}\n")
    return "".join(out)


def pair_lines(pairs: Iterable[tuple[str, str, float]]) -> str:
    """``dedup precommit``: one line per duplicate pair (a document, the one it duplicates, similarity)."""
    return "".join(f"duplicate: {a} ~ {b} (similarity {sim:.2f})\n" for a, b, sim in pairs)


# -- records -----------------------------------------------------------------------------------------------------


def clean_jsonl(doc: Document, explain: bool = False) -> str:
    """``dedup clean``: the cleaned document as a JSONL line, with the metadata read and (``explain``) what was
    removed and by which rule.

    >>> clean_jsonl(Document(id="a", text="Body", title="T", meta={"author": "X", "_record": {}}))
    '{"id": "a", "title": "T", "text": "Body", "author": "X"}\\n'
    """
    record = cleaned_record(doc)
    record.update({k: v for k, v in doc.meta.items() if not k.startswith("_")})
    if explain:
        record["removed"] = [{"text": r.text, "rule": r.rule} for r in doc.removed]
    return json.dumps(record, ensure_ascii=False) + "\n"
