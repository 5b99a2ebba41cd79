"""The ``dedup`` command: a thin typer layer over :mod:`dedup.pipeline`.

Machine-readable output goes to stdout or to files; messages, warnings and progress go to stderr. Errors are one
line (``dedup: error: PATH[:LINE]: what is wrong``), never a traceback; exit codes: 0 done, 1 ``check`` found
duplicates or boilerplate, 2 the run could not continue.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from dedup import __version__
from dedup.clean.lines import RulesError
from dedup.config import ConfigError, load_config
from dedup.io import FieldNames, InputError, InputProblem, atomic_writer
from dedup.pipeline import Pipeline
from dedup.remove import OutputError, remove, restore
from dedup.report import render_csv, render_json, render_table
from dedup.settings import KEEP_POLICIES, Settings

app = typer.Typer(
    name="dedup",
    help="Find and remove near-duplicate news and strip site boilerplate. Arabic first, any language underneath.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
err_console = Console(stderr=True, highlight=False)


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class Keep(str, Enum):
    first = "first"
    longest = "longest"
    earliest = "earliest"
    source = "source"


assert {k.value for k in Keep} == set(KEEP_POLICIES)

from dedup.cli_options import (  # noqa: E402 - after the Keep enum, with the other options
    Containment,
    DateField,
    HtmlField,
    IdField,
    Inputs,
    Ngram,
    NumPerm,
    Rules,
    SiteBp,
    SiteMin,
    SourceField,
    Strict,
    Templates,
    TextField,
    Threshold,
    TitleField,
    UrlField,
)

KeepOpt = Annotated[Keep | None, typer.Option(help="Which copy survives: first, longest, earliest (date) or source (--prefer). [default: first]")]
Prefer = Annotated[str | None, typer.Option(help="With --keep source: sources to keep first, comma-separated, e.g. spa.gov.sa,reuters.com")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or summary on stderr.")]
Workers = Annotated[int | None, typer.Option("--workers", "-j", min=1,
                                             help="Worker processes (default: one per core). Output is the same.")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(f"dedup: error: {message}", markup=False, soft_wrap=True)
    return typer.Exit(code)


def _warn(problem: InputProblem) -> None:
    err_console.print(f"dedup: warning: {problem}", markup=False, soft_wrap=True)


def build_settings(cli: dict[str, Any]) -> Settings:
    """Settings from the config file overridden by the options given on the command line."""
    file_settings, config_path = load_config()
    # --strict is a plain flag: False means "not given", and must not override `strict = true` in the file.
    given = {k: v for k, v in cli.items() if v is not None and not (k == "strict" and v is False)}
    merged = {**file_settings, **given}
    defaults = FieldNames()
    fields = FieldNames(**{name: merged.pop(f"{name}_field", getattr(defaults, name))
                           for name in ("id", "text", "html", "title", "url", "date", "source")})
    prefer = merged.pop("prefer", ())
    if isinstance(prefer, str):
        prefer = tuple(p.strip() for p in prefer.split(",") if p.strip())
    keep = merged.pop("keep", "first")
    rules = merged.pop("rules", None)
    try:
        return Settings(
            keep=keep.value if isinstance(keep, Enum) else keep,
            prefer=tuple(prefer),
            rules_file=str(rules) if rules else None,
            fields=fields,
            **{k: v for k, v in merged.items() if k in Settings.__dataclass_fields__},
        )
    except ValueError as err:
        # Options are range-checked by typer already, so a bad value not given on the command line came from
        # the settings file: name it, or the user has no idea where "keep must be one of ..." comes from.
        from_file = [k for k in file_settings if k not in given and str(err).startswith(k)]
        if config_path is not None and from_file:
            raise ConfigError(f"{config_path}: {err}") from None
        raise


def _pipeline_rules_error(err: RulesError, settings: Settings) -> RulesError:
    """A rules error that names the rules file (the rule loader names only the rule)."""
    where = settings.rules_file
    if where and not str(err).startswith(where):
        return RulesError(f"{where}: {err}")
    return err


@contextmanager
def _errors() -> Iterator[None]:
    """Turn every expected failure into one line on stderr and exit code 2."""
    try:
        yield
    except typer.Exit:
        raise
    except (InputError, RulesError, ConfigError, OutputError, ValueError) as err:
        raise _fail(str(err)) from None
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        raise _fail(f"{where}{(err.strerror or str(err)).lower()}") from None
    except KeyboardInterrupt:
        raise _fail("interrupted; no output written", 130) from None


@contextmanager
def _progress(quiet: bool, label: str) -> Iterator[Callable[[int], None] | None]:
    """A rich progress display on stderr, only when stderr is a terminal and not --quiet."""
    if quiet or not err_console.is_terminal:
        yield None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed} docs"),
                  TimeElapsedColumn(), console=err_console, transient=True) as progress:
        task = progress.add_task(label, total=None)
        yield lambda n: progress.advance(task, n)


def _pipeline(settings: Settings, quiet: bool, progress: Callable[[int], None] | None,
              workers: int | None = None) -> Pipeline:
    try:
        return Pipeline(settings, on_problem=None if quiet else _warn, progress=progress, workers=workers)
    except RulesError as err:
        raise _pipeline_rules_error(err, settings) from None


def _write_output(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        with atomic_writer(output) as handle:
            handle.write(text)


def _write_html(path: Path, result: Any, settings: Settings, inputs: list[str], quiet: bool) -> None:
    """The HTML report; texts are read again for the documents it shows (standard input cannot be re-read)."""
    from dedup.html_report import collect_texts, needed_ids, write_html

    if "-" in inputs:
        if not quiet:
            err_console.print("dedup: warning: standard input cannot be read twice; the HTML report has no texts",
                              markup=False)
        texts = {}
    else:
        texts = collect_texts(settings, inputs, needed_ids(result))
    write_html(path, result, texts)


@app.command()
def scan(
    inputs: Inputs,
    threshold: Threshold = None,
    containment: Containment = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table (for people), json or csv.")] = Format.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here instead of stdout.")] = None,
    explain: Annotated[bool, typer.Option(help="Also show template siblings and the site boilerplate learned.")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="Also write a self-contained HTML report here (clusters, side-by-side diffs, similarity histogram).")] = None,
    keep: KeepOpt = None,
    prefer: Prefer = None,
    ngram: Ngram = None,
    num_perm: NumPerm = None,
    templates: Templates = None,
    site_boilerplate: SiteBp = None,
    site_min_docs: SiteMin = None,
    rules: Rules = None,
    strict: Strict = False,
    quiet: Quiet = False,
    workers: Workers = None,
    id_field: IdField = None,
    text_field: TextField = None,
    html_field: HtmlField = None,
    title_field: TitleField = None,
    url_field: UrlField = None,
    date_field: DateField = None,
    source_field: SourceField = None,
) -> None:
    """Report clusters of near-duplicate documents.

    Example: [bold]dedup scan fixtures/ --format json -o clusters.json[/bold]
    """
    with _errors():
        settings = build_settings({k: v for k, v in locals().items() if k not in ("inputs", "fmt", "output", "explain", "quiet", "html")})
        with _progress(quiet, "scanning") as progress:
            result = _pipeline(settings, quiet, progress, workers).scan(inputs)
        if html is not None:
            _write_html(html, result, settings, inputs, quiet)
        if fmt is Format.json:
            _write_output(render_json(result, explain), output)
        elif fmt is Format.csv:
            _write_output(render_csv(result), output)
        elif output is not None:
            console = Console(record=True, width=160, file=io.StringIO())
            render_table(result, console, explain)
            _write_output(console.export_text(), output)
        else:
            render_table(result, Console(), explain)


@app.command()
def clean(
    inputs: Inputs,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Cleaned documents as JSONL (default: stdout).")] = None,
    explain: Annotated[bool, typer.Option(help="Add the removed lines and the rule that removed each; list learned site boilerplate on stderr.")] = False,
    site_boilerplate: SiteBp = None,
    site_min_docs: SiteMin = None,
    rules: Rules = None,
    strict: Strict = False,
    quiet: Quiet = False,
    id_field: IdField = None,
    text_field: TextField = None,
    html_field: HtmlField = None,
    title_field: TitleField = None,
    url_field: UrlField = None,
    date_field: DateField = None,
    source_field: SourceField = None,
) -> None:
    """Strip ads and site boilerplate; write documents as JSONL (id, title, text and the metadata read).

    Example: [bold]dedup clean scraped/ -o clean.jsonl --explain[/bold]
    """
    with _errors():
        settings = build_settings({k: v for k, v in locals().items() if k not in ("inputs", "output", "explain", "quiet")})
        pipeline = _pipeline(settings, quiet, None)
        lines = []
        with _progress(quiet, "cleaning") as progress:
            for doc in pipeline.documents(inputs, explain=explain):
                record: dict[str, Any] = {"id": doc.id, "title": doc.title, "text": doc.text}
                for key in ("url", "source", "date"):
                    if getattr(doc, key):
                        record[key] = getattr(doc, key)
                record.update({k: v for k, v in doc.meta.items() if not k.startswith("_")})
                if explain:
                    record["removed"] = [{"text": r.text, "rule": r.rule} for r in doc.removed]
                lines.append(json.dumps(record, ensure_ascii=False) + "\n")
                if progress:
                    progress(1)
        _write_output("".join(lines), output)
        if explain and pipeline.cleaner.site is not None and not quiet:
            for x in pipeline.cleaner.site.learned():
                err_console.print(f"learned boilerplate: site {x.site}, {x.documents} pages: {x.line}", markup=False)
        if not quiet:
            err_console.print(f"dedup: cleaned {len(lines)} documents", markup=False)


@app.command(name="remove")
def remove_cmd(
    inputs: Inputs,
    output: Annotated[Path, typer.Option("--output", "-o", help="OUT.jsonl for JSONL output, else a new directory.")],
    manifest: Annotated[Path | None, typer.Option(help="Where to write the manifest of dropped documents. [default: OUT.manifest.json]")] = None,
    threshold: Threshold = None,
    containment: Containment = None,
    keep: KeepOpt = None,
    prefer: Prefer = None,
    ngram: Ngram = None,
    num_perm: NumPerm = None,
    templates: Templates = None,
    site_boilerplate: SiteBp = None,
    site_min_docs: SiteMin = None,
    rules: Rules = None,
    strict: Strict = False,
    quiet: Quiet = False,
    workers: Workers = None,
    id_field: IdField = None,
    text_field: TextField = None,
    html_field: HtmlField = None,
    title_field: TitleField = None,
    url_field: UrlField = None,
    date_field: DateField = None,
    source_field: SourceField = None,
) -> None:
    """Write the corpus without redundant copies, and a manifest that `dedup restore` can undo. Inputs are never modified.

    Example: [bold]dedup remove scraped.jsonl -o unique.jsonl --keep earliest[/bold]
    """
    with _errors():
        settings = build_settings({k: v for k, v in locals().items() if k not in ("inputs", "output", "manifest", "quiet")})
        with _progress(quiet, "scanning") as progress:
            summary = remove(inputs, output, _pipeline(settings, quiet, progress, workers), manifest)
        if not quiet:
            err_console.print(
                f"dedup: kept {summary.kept} of {summary.documents} documents, dropped {summary.dropped} copies "
                f"-> {summary.output} (manifest {summary.manifest})", markup=False, soft_wrap=True)


@app.command(name="restore")
def restore_cmd(
    manifest: Annotated[Path, typer.Argument(help="A manifest written by `dedup remove`.", show_default=False)],
    quiet: Quiet = False,
) -> None:
    """Undo a removal: put every dropped document back into the output the manifest names.

    Example: [bold]dedup restore unique.jsonl.manifest.json[/bold]
    """
    with _errors():
        out, n = restore(manifest)
        if not quiet:
            err_console.print(f"dedup: restored {n} documents into {out}", markup=False)


@app.command()
def check(
    inputs: Inputs,
    boilerplate: Annotated[bool, typer.Option("--boilerplate", help="Also fail when documents still carry boilerplate.")] = False,
    threshold: Threshold = None,
    containment: Containment = None,
    ngram: Ngram = None,
    num_perm: NumPerm = None,
    templates: Templates = None,
    site_boilerplate: SiteBp = None,
    site_min_docs: SiteMin = None,
    rules: Rules = None,
    strict: Strict = False,
    quiet: Quiet = False,
    workers: Workers = None,
    id_field: IdField = None,
    text_field: TextField = None,
    html_field: HtmlField = None,
    title_field: TitleField = None,
    url_field: UrlField = None,
    date_field: DateField = None,
    source_field: SourceField = None,
) -> None:
    """Pre-commit style gate: exit 1 and list them when near-duplicates (or, with --boilerplate, boilerplate) exist.

    Example: [bold]dedup check corpus/ --boilerplate[/bold]
    """
    with _errors():
        settings = build_settings({k: v for k, v in locals().items() if k not in ("inputs", "boilerplate", "quiet")})
        pipeline = _pipeline(settings, quiet, None, workers)
        docs = list(pipeline.documents(inputs, explain=False))  # --boilerplate reports line rules only
        result = pipeline.scan_documents(docs, cleaned=True)
        failed = False
        for k, cluster in enumerate(result.clusters, start=1):
            failed = True
            kept = result.documents[cluster.keep]
            for m, sim in cluster.members[1:]:
                print(f"duplicate: {result.documents[m].id} ~ {kept.id} (similarity {sim:.2f}, cluster {k})")
        if boilerplate:
            for doc in docs:
                rules_hit = [r for r in doc.removed if not r.rule.startswith("html:")]
                if rules_hit:
                    failed = True
                    first = rules_hit[0]
                    print(f"boilerplate: {doc.id}: {len(rules_hit)} lines, e.g. {first.rule}: {first.text[:60]}")
        if failed:
            raise typer.Exit(1)
        if not quiet:
            err_console.print(f"dedup: {len(result.documents)} documents, no near-duplicates", markup=False)


def _version(value: bool) -> None:
    if value:
        print(f"dedup {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = False,
) -> None:
    """Find and remove near-duplicate news and strip site boilerplate."""


from dedup.cli_index import register  # noqa: E402 - index, filter, precommit and scan --index

register(app)


if __name__ == "__main__":  # pragma: no cover
    app()
