"""``dedup index …``, ``dedup filter``, ``dedup precommit`` and ``dedup scan --index``: commands over a persistent index.

Registered on the main app by :func:`register` (called at the end of :mod:`dedup.cli`). Same conventions as the
rest of the CLI: data on stdout, one-line messages on stderr, exit 1 when a gate finds duplicates, 2 on errors.

Example: ``dedup index add archive/ --index news.sqlite && cat batch.jsonl | dedup filter --index news.sqlite``
"""

from __future__ import annotations

import csv
import functools
import gzip
import inspect
import io
import json
import os
import subprocess
import sys
import time
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from dedup.cli_options import (
    Containment,
    DateField,
    HtmlField,
    IdField,
    Inputs,
    Ngram,
    NumPerm,
    Rules,
    SourceField,
    Strict,
    Templates,
    TextField,
    Threshold,
    TitleField,
    UrlField,
)
from dedup.index import DAY, Match, open_index, parse_time
from dedup.io import InputError, InputProblem

index_app = typer.Typer(name="index", help="Build, query and maintain a persistent index of documents seen before.",
                        no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

IndexOpt = Annotated[str, typer.Option("--index", "-i", envvar="DEDUP_INDEX", show_default=False,
                                       help="Index location: a file (SQLite, created on first use) or redis://host:port/db.")]
MaxAge = Annotated[float | None, typer.Option("--max-age", min=0.0, help="Keep a window of this many days: older entries expire (by their date, else when added).")]
Since = Annotated[str | None, typer.Option("--since", help="Only match indexed documents dated on or after this ISO date.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")]
Json = Annotated[bool, typer.Option("--json", help="JSON (one object per line) instead of text.")]

_NOT_SETTINGS = {"inputs", "index", "max_age", "since", "quiet", "json_out", "rejects", "files", "baseline",
                 "write_baseline", "all_files", "ids"}
SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".jsonl.gz", ".ndjson", ".warc", ".warc.gz")


def _cli() -> Any:
    from dedup import cli  # the main CLI module imports this one at its end: import it lazily, not at the top

    return cli


def _settings(options: dict[str, Any]) -> Any:
    return _cli().build_settings({k: v for k, v in options.items() if k not in _NOT_SETTINGS})


@contextmanager
def _errors() -> Iterator[None]:
    with _cli()._errors():
        yield


def _say(message: str, quiet: bool = False) -> None:
    if not quiet:
        _cli().err_console.print(message, markup=False, soft_wrap=True)


def _warner(quiet: bool) -> Callable[[InputProblem], None] | None:
    return None if quiet else _cli()._warn


def _since(since: str | None, max_age: float | None) -> float | None:
    floor = None
    if since is not None:
        floor = parse_time(since)
        if floor is None:
            raise InputError(f"--since: not an ISO date: {since!r}")
    if max_age is not None:
        floor = max(floor or -1e300, time.time() - max_age * DAY)
    return floor


def _deduplicator(index: str, settings: Any, max_age: float | None) -> Any:
    from dedup.index.stream import Deduplicator

    return Deduplicator(index, settings, max_age_days=max_age)


def _match_json(m: Match) -> dict[str, Any]:
    return {"id": m.id, "similarity": round(m.similarity, 4), "jaccard": m.jaccard, "containment": m.containment}


# -- dedup index … ------------------------------------------------------------------------------------------------


@index_app.command("add")
def index_add(
    inputs: Inputs, index: IndexOpt, max_age: MaxAge = None, threshold: Threshold = None,
    containment: Containment = None, ngram: Ngram = None, num_perm: NumPerm = None, templates: Templates = None,
    rules: Rules = None, strict: Strict = False, quiet: Quiet = False, id_field: IdField = None,
    text_field: TextField = None, html_field: HtmlField = None, title_field: TitleField = None,
    url_field: UrlField = None, date_field: DateField = None, source_field: SourceField = None,
) -> None:
    """Add documents to the index (one transaction per 1000; ids already indexed are kept as they are).

    Example: [bold]dedup index add archive/ --index news.sqlite --max-age 30[/bold]
    """
    from dedup.pipeline import Pipeline

    with _errors():
        settings = _settings(locals())
        pipeline = Pipeline(settings, on_problem=_warner(quiet))
        floor = _since(None, max_age)
        read = added = old = 0
        with _deduplicator(index, settings, max_age) as dedup:
            pending = []
            for doc in pipeline.documents(inputs, explain=False):
                read += 1
                entry = dedup.entry(doc, cleaned=True)
                if entry is None:
                    continue
                if floor is not None and entry.ts < floor:
                    old += 1
                    continue
                pending.append(entry)
                if len(pending) >= 1000:
                    added += dedup.index.add(pending)
                    pending = []
            added += dedup.index.add(pending)
        aged = f", {old} older than --max-age skipped" if old else ""
        _say(f"dedup: read {read} documents, added {added} to {index}{aged}", quiet)


@index_app.command("query")
def index_query(
    inputs: Inputs, index: IndexOpt, since: Since = None, max_age: MaxAge = None, json_out: Json = False,
    threshold: Threshold = None, containment: Containment = None, ngram: Ngram = None, num_perm: NumPerm = None,
    templates: Templates = None, rules: Rules = None, strict: Strict = False, quiet: Quiet = False,
    id_field: IdField = None, text_field: TextField = None, html_field: HtmlField = None,
    title_field: TitleField = None, url_field: UrlField = None, date_field: DateField = None,
    source_field: SourceField = None,
) -> None:
    """List, for each input document, the indexed documents it duplicates (the index is not changed).

    Example: [bold]dedup index query today.jsonl --index news.sqlite --since 2024-03-01[/bold]
    """
    from dedup.pipeline import Pipeline

    with _errors():
        settings = _settings(locals())
        floor = _since(since, max_age)
        pipeline = Pipeline(settings, on_problem=_warner(quiet))
        found = total = 0
        with _deduplicator(index, settings, None) as dedup:
            for doc in pipeline.documents(inputs, explain=False):
                total += 1
                entry = dedup.entry(doc, cleaned=True)
                matches = [] if entry is None else dedup.index.query(entry, floor)
                found += bool(matches)
                if json_out:
                    print(json.dumps({"id": doc.id, "matches": [_match_json(m) for m in matches]}, ensure_ascii=False))
                for m in [] if json_out else matches:
                    print(f"{doc.id}\t{m.id}\t{m.similarity:.4f}")
        _say(f"dedup: {found} of {total} documents already in {index}", quiet)


@index_app.command("stats")
def index_stats(index: IndexOpt, json_out: Json = False) -> None:
    """Documents, time range, size and the settings the index was built with.

    Example: [bold]dedup index stats --index news.sqlite[/bold]
    """
    with _errors(), open_index(index) as store:
        stats = store.stats()
        if json_out:
            print(json.dumps(stats, ensure_ascii=False))
            return
        for key, value in stats.items():
            if key != "settings":
                print(f"{key}: {value}")
        print("settings: " + ", ".join(f"{k}={v}" for k, v in stats["settings"].items()))


@index_app.command("remove")
def index_remove(ids: Annotated[list[str], typer.Argument(help="Document ids to delete.", show_default=False)],
                 index: IndexOpt, quiet: Quiet = False) -> None:
    """Delete documents from the index by id.

    Example: [bold]dedup index remove ar-123 ar-124 --index news.sqlite[/bold]
    """
    with _errors(), open_index(index) as store:
        n = store.remove(ids)
        _say(f"dedup: removed {n} of {len(ids)} ids from {index}", quiet)


@index_app.command("compact")
def index_compact(index: IndexOpt, max_age: MaxAge = None, quiet: Quiet = False) -> None:
    """Expire entries older than --max-age days, then reclaim the space of everything deleted.

    Example: [bold]dedup index compact --index news.sqlite --max-age 30[/bold]
    """
    with _errors(), open_index(index) as store:
        expired = store.expire(time.time() - max_age * DAY) if max_age is not None else 0
        store.compact()
        _say(f"dedup: expired {expired} documents; {store.stats()['documents']} left in {index}", quiet)


# -- dedup filter ---------------------------------------------------------------------------------------------------


def _open_jsonl(item: str) -> IO[bytes]:
    if item == "-":
        return sys.stdin.buffer
    if not os.path.exists(item):
        raise InputError(f"{item}: no such file or directory")
    return gzip.open(item, "rb") if item.endswith(".gz") else open(item, "rb")


def filter_cmd(
    inputs: Annotated[list[str] | None, typer.Argument(help="JSONL files (.jsonl/.jsonl.gz) or - for stdin. [default: -]", show_default=False)] = None,
    index: IndexOpt = "", rejects: Annotated[Path | None, typer.Option(help="Write duplicates here as JSONL, with duplicate_of and similarity.")] = None,
    max_age: MaxAge = None, threshold: Threshold = None, containment: Containment = None, ngram: Ngram = None,
    num_perm: NumPerm = None, templates: Templates = None, rules: Rules = None, strict: Strict = False,
    quiet: Quiet = False, id_field: IdField = None, text_field: TextField = None, html_field: HtmlField = None,
    title_field: TitleField = None, url_field: UrlField = None, date_field: DateField = None,
    source_field: SourceField = None,
) -> None:
    """Pass through only JSONL records not seen before, adding them to the index, line by line.

    Example: [bold]cat batch.jsonl | dedup filter --index news.sqlite --rejects dups.jsonl > unique.jsonl[/bold]
    """
    from dedup.index.stream import FilterSummary, filter_jsonl

    with _errors():
        if not index:
            raise InputError("--index is required (or set DEDUP_INDEX)")
        settings = _settings(locals())
        total = FilterSummary()
        rejects_file = open(rejects, "a", encoding="utf-8") if rejects is not None else None
        try:
            with _deduplicator(index, settings, max_age) as dedup:
                for item in inputs or ["-"]:
                    stream = _open_jsonl(item)
                    try:
                        s = filter_jsonl(dedup, stream, sys.stdout, rejects_file, _warner(quiet),
                                         "<stdin>" if item == "-" else item)
                    finally:
                        if item != "-":
                            stream.close()
                    total.read, total.passed, total.rejected = (total.read + s.read, total.passed + s.passed,
                                                                total.rejected + s.rejected)
                    total.seconds += s.seconds
        except BrokenPipeError:
            sys.stderr.close()  # the reader downstream went away: stop quietly, like head(1) expects
            raise typer.Exit(0) from None
        finally:
            if rejects_file is not None:
                rejects_file.close()
        rate = total.read / total.seconds if total.seconds else 0.0
        _say(f"dedup: read {total.read}, passed {total.passed}, rejected {total.rejected} ({rate:.0f} docs/s)", quiet)


# -- dedup precommit ------------------------------------------------------------------------------------------------


def _git(*args: str) -> list[str]:
    try:
        out = subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as err:
        detail = getattr(err, "stderr", "") or str(err)
        raise InputError(f"git {' '.join(args)}: {detail.strip().splitlines()[-1] if detail.strip() else 'failed'}") from None
    return [line for line in out.splitlines() if line]


def load_baseline(path: Path | None) -> set[frozenset[str]]:
    """Known duplicate pairs: ``{"pairs": [[id_a, id_b, similarity], ...]}`` as written by ``--write-baseline``."""
    if path is None or not path.exists():
        return set()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        pairs = data["pairs"] if isinstance(data, dict) else data
        return {frozenset(map(str, p[:2])) for p in pairs}
    except (ValueError, KeyError, TypeError, IndexError):
        raise InputError(f"{path}: not a dedup baseline (expected {{\"pairs\": [[id, id, similarity], ...]}})") from None


def precommit(
    files: Annotated[list[str] | None, typer.Argument(help="Staged files (pre-commit passes them).", show_default=False)] = None,
    index: Annotated[str | None, typer.Option("--index", "-i", help="Compare against this index instead of the committed corpus.")] = None,
    baseline: Annotated[Path | None, typer.Option(help="JSON file of known duplicate pairs to accept.")] = None,
    write_baseline: Annotated[Path | None, typer.Option(help="Record every duplicate pair of the whole tracked corpus here and pass (adoption).")] = None,
    threshold: Threshold = None, containment: Containment = None, ngram: Ngram = None, num_perm: NumPerm = None,
    templates: Templates = None, rules: Rules = None, strict: Strict = False, quiet: Quiet = False,
    id_field: IdField = None, text_field: TextField = None, html_field: HtmlField = None,
    title_field: TitleField = None, url_field: UrlField = None, date_field: DateField = None,
    source_field: SourceField = None,
) -> None:
    """Pre-commit gate: fail when staged documents duplicate each other or the committed corpus (or an index).

    Example: [bold]dedup precommit corpus/new.txt --baseline .dedup-baseline.json[/bold]
    """
    from dedup.pipeline import Pipeline

    with _errors():
        settings = _settings(locals())
        staged = [f for f in files or [] if f.lower().endswith(SUPPORTED_SUFFIXES) and os.path.exists(f)]
        if write_baseline is not None:
            staged = [f for f in _git("ls-files") if f.lower().endswith(SUPPORTED_SUFFIXES) and os.path.exists(f)]
        if not staged:
            return
        pipeline = Pipeline(settings, on_problem=_warner(quiet))
        pairs: list[tuple[str, str, float]] = []
        if index is not None and write_baseline is None:
            docs = list(pipeline.documents(staged, explain=False))
            with _deduplicator(index, settings, None) as dedup:
                for doc in docs:
                    entry = dedup.entry(doc, cleaned=True)
                    pairs += [(doc.id, m.id, m.similarity) for m in ([] if entry is None else dedup.index.query(entry))]
            corpus: list[str] = []
        else:
            mine = {os.path.normpath(f) for f in staged}
            corpus = [] if write_baseline is not None else [
                f for f in _git("ls-files") if f.lower().endswith(SUPPORTED_SUFFIXES)
                and os.path.normpath(f) not in mine and os.path.exists(f)]
            docs = list(pipeline.documents(corpus + staged, explain=False))  # corpus first: the committed copy is the one kept
        result = pipeline.scan_documents(docs, cleaned=True)
        staged_ids = {d.id for d in result.documents if d.path is not None and os.path.normpath(d.path) in
                      {os.path.normpath(f) for f in staged}} if write_baseline is None else None
        for kept, member, _k, sim in ((result.documents[c].id, result.documents[m].id, k, s)
                                      for m, k, c, s in result.dropped()):
            if staged_ids is None or member in staged_ids or kept in staged_ids:
                pairs.append((member, kept, sim))
        if write_baseline is not None:
            body = {"version": 1, "pairs": sorted([[*sorted([a, b]), round(s, 4)] for a, b, s in pairs])}
            write_baseline.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            _say(f"dedup: recorded {len(pairs)} known duplicate pairs in {write_baseline}", quiet)
            return
        known = load_baseline(baseline)
        new = [p for p in pairs if frozenset(p[:2]) not in known]
        for a, b, sim in new:
            print(f"duplicate: {a} ~ {b} (similarity {sim:.2f})")
        if new:
            _say(f"dedup: {len(new)} duplicate(s) staged; remove them or accept them with --baseline", quiet)
            raise typer.Exit(1)


# -- dedup scan --index -------------------------------------------------------------------------------------------


def _scan_with_index(original: Callable[..., None]) -> Callable[..., None]:
    """``scan`` plus ``--index PATH``: the in-batch report, plus every input document's matches in the index
    (JSON: an ``index_matches`` list; CSV: rows whose cluster is ``index``; table: a list after the clusters)."""

    @functools.wraps(original)
    def scan(*args: Any, index: str | None = None, since: str | None = None, **kwargs: Any) -> None:
        if index is None:
            return original(*args, **kwargs)
        from dedup.pipeline import Pipeline
        from dedup.report import render_csv, to_json

        cli = _cli()
        with cli._errors():
            quiet = kwargs.get("quiet", False)
            settings = cli.build_settings({k: v for k, v in kwargs.items()
                                           if k not in ("inputs", "fmt", "output", "explain", "quiet")})
            floor = _since(since, None)
            pipeline = Pipeline(settings, on_problem=_warner(quiet))
            docs = list(pipeline.documents(kwargs["inputs"]))
            result = pipeline.scan_documents(docs, cleaned=True)
            found: list[tuple[Any, Match]] = []
            with _deduplicator(index, settings, None) as dedup:
                for doc in docs:
                    entry = dedup.entry(doc, cleaned=True)
                    found += [(doc, m) for m in ([] if entry is None else dedup.index.query(entry, floor))]
            fmt = kwargs["fmt"].value
            if fmt == "json":
                body = to_json(result, kwargs.get("explain", False))
                body["index"] = index
                body["index_matches"] = [{"id": d.id, "duplicate_of": m.id, **{k: v for k, v in _match_json(m).items() if k != "id"}}
                                         for d, m in found]
                text = json.dumps(body, ensure_ascii=False, indent=2) + "\n"
            elif fmt == "csv":
                buf = io.StringIO()
                writer = csv.writer(buf, lineterminator="\n")
                for d, m in found:
                    writer.writerow(["index", m.id, d.id, f"{m.similarity:.4f}", d.source or "", d.date or "", d.title])
                text = render_csv(result) + buf.getvalue()
            else:
                console = cli.Console(record=True, width=160, file=io.StringIO())
                cli.render_table(result, console, kwargs.get("explain", False))
                lines = [f"{d.id} ~ {m.id} (similarity {m.similarity:.2f})" for d, m in found]
                text = console.export_text() + f"\nAlready in index {index}: {len(found)}\n" + "".join(
                    line + "\n" for line in lines)
            cli._write_output(text, kwargs.get("output"))

    hints = typing.get_type_hints(original, include_extras=True)
    params = [p.replace(annotation=hints.get(p.name, p.annotation))
              for p in inspect.signature(original).parameters.values()]
    extra = [
        inspect.Parameter("index", inspect.Parameter.KEYWORD_ONLY, default=None,
                          annotation=Annotated[str | None, typer.Option("--index", "-i", help="Also compare every document with this index (file or redis://).")]),
        inspect.Parameter("since", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Since),
    ]
    scan.__signature__ = inspect.Signature([*params, *extra])  # type: ignore[attr-defined]
    scan.__annotations__ = {**hints, "index": extra[0].annotation,
                            "since": Since}
    del scan.__wrapped__  # typer must read the new signature, not the original's
    return scan


def register(app: typer.Typer) -> None:
    """Add ``index``, ``filter`` and ``precommit`` to the main app and the ``--index`` option to ``scan``."""
    app.add_typer(index_app, name="index")
    app.command(name="filter")(filter_cmd)
    app.command(name="precommit")(precommit)
    for info in app.registered_commands:
        callback = info.callback
        if callback is not None and (info.name or callback.__name__) == "scan":
            info.callback = _scan_with_index(callback)
