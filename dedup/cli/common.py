"""What every ``dedup`` command shares: options, one-line errors, progress on stderr, writing output.

Machine-readable output goes to stdout or to files; messages, warnings and progress go to stderr. Errors are one
line (``dedup: error: PATH[:LINE]: what is wrong``), never a traceback; exit codes: 0 done, 1 a gate (``check``,
``precommit``) found duplicates or boilerplate, 2 the run could not continue, 130 interrupted. A reader of stdout
that goes away (``dedup index stats | head -1``) ends any command at once, without a message, with 1 (its output
was cut short), as rich's console does for the tables and as Python's documentation advises.

The options that make :class:`~dedup.settings.Settings` are declared in :data:`dedup.settings.OPTIONS`; a command
takes the ones it offers with :func:`with_settings`, and its own options as plain typer parameters.

>>> from typer.testing import CliRunner
>>> demo = typer.Typer()
>>> @demo.command()
... @with_settings("threshold", "id_field")
... def show(settings: Settings, loud: bool = False) -> None:
...     print(settings.threshold, settings.fields.id, loud)
>>> CliRunner().invoke(demo, ["--threshold", "0.8", "--id-field", "key"]).stdout
'0.8 key False\\n'
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dedup.errors import InputError, InputProblem, OutputError
from dedup.settings import OPTIONS, ConfigError, Option, Settings, load_settings

if TYPE_CHECKING:
    from rich.console import Console

    from dedup.pipeline import Pipeline

# What a command needs only once it has work (the pipeline, the cleaner's rules, the index, rich) is imported
# where it is used: a command with nothing to do (``dedup precommit`` with nothing staged) starts without them.


@functools.cache
def err_console() -> Console:
    """The console of messages, warnings and progress (stderr), made when first needed."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


# -- options ----------------------------------------------------------------------------------------------------

Inputs = Annotated[
    list[str],
    typer.Argument(
        help="Files, directories (recursed), .jsonl/.jsonl.gz, .warc/.warc.gz, or - for JSONL on stdin.",
        show_default=False,
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress, warnings or summary on stderr.")]
Workers = Annotated[
    int | None,
    typer.Option("--workers", "-j", min=1, help="Worker processes (default: one per core). Output is the same."),
]
Output = Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here instead of stdout.")]
IndexOption = Annotated[
    str,
    typer.Option(
        "--index",
        "-i",
        envvar="DEDUP_INDEX",
        show_default=False,
        help="Index location: a file (SQLite, created on first use) or redis://host:port/db.",
    ),
]
MaxAge = Annotated[
    float | None,
    typer.Option(
        "--max-age",
        min=0.0,
        help="Keep a window of this many days before the newest date seen (not today): older entries expire.",
    ),
]
Since = Annotated[
    str | None, typer.Option("--since", help="Only match indexed documents dated on or after this ISO date.")
]
Json = Annotated[bool, typer.Option("--json", help="JSON (one object per line) instead of text.")]


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


# The setting options each command offers, by what they tune.
MATCHING = ("threshold", "containment", "ngram", "num_perm", "templates")
KEEPING = ("keep", "prefer")
# Rewrites below the shingle thresholds (dedup.evidence): commands that cluster a corpus; a persistent index
# decides on shingles alone.
REWRITES = ("rewrites",)
SITE = ("site_boilerplate", "site_min_docs")
READING = ("rules", "strict", *(key for key in OPTIONS if key.endswith("_field")))


def _help(option: Option) -> str:
    """The option's help with its default from :class:`Settings` (typer's own would show ``None``, "not given")."""
    if option.type is bool:
        shown = option.flag[2:] if option.default else f"no-{option.flag[2:]}"
    elif option.default in (None, ()):
        return option.help
    else:
        shown = str(option.default)
    return f"{option.help} \\[default: {shown}]"  # escaped: rich markup would take [default: ...] for a style


def setting_option(option: Option) -> Any:
    """The typer type of a setting's option. Its value is ``None`` when not given, so that it does not override the
    settings file; the help shows the default from :class:`Settings`."""
    decls = [f"{option.flag}/--no-{option.flag[2:]}" if option.type is bool else option.flag]
    if option.short:
        decls.append(option.short)
    kind: Any = Path if option.path else str if option.type is tuple else option.type
    if option.choices:  # typer offers an Enum's values as the choices
        kind = Enum(option.key.title(), {choice: choice for choice in option.choices}, type=str)
    return Annotated[
        kind | None,
        typer.Option(
            *decls, min=option.min, max=option.max, help=_help(option), show_default=False, rich_help_panel=option.group
        ),
    ]


def with_settings(*keys: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command the options of the settings ``keys``, and call it with the :class:`Settings` they make.

    The command takes a ``settings: Settings`` parameter. Typer sees instead, after the command's own parameters,
    one option per key as declared in :data:`dedup.settings.OPTIONS`. Their values are merged over the settings
    file (:func:`dedup.settings.load_settings`) before the command runs; a bad file is a one-line error.
    """
    options = [OPTIONS[key] for key in keys]
    assert all(o.command_line for o in options), keys

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        own = [p for p in inspect.signature(command, eval_str=True).parameters.values() if p.name != "settings"]
        added = [
            inspect.Parameter(o.key, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=setting_option(o))
            for o in options
        ]

        @functools.wraps(command)
        def run(**values: Any) -> None:
            given = {o.key: values.pop(o.key) for o in options}
            with errors():
                settings = load_settings({k: v.value if isinstance(v, Enum) else v for k, v in given.items()})
            command(settings=settings, **values)

        run.__signature__ = inspect.Signature([*own, *added])  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in (*own, *added)}
        return run

    return decorate


def since_floor(since: str | None) -> float | None:
    """The oldest time (seconds since the epoch) a match may have, from ``--since``.

    (``--max-age`` is a window before the newest date seen: :class:`dedup.index.stream.Deduplicator` keeps it.)
    """
    if since is None:
        return None
    from dedup.index.entry import parse_time

    floor = parse_time(since)
    if floor is None:
        raise InputError(f"--since: not an ISO date: {since!r}")
    return floor


# -- messages and errors ----------------------------------------------------------------------------------------


def say(message: str, quiet: bool = False) -> None:
    """A message on stderr, unless ``quiet``."""
    if not quiet:
        err_console().print(message, markup=False, soft_wrap=True)


def warn(problem: InputProblem) -> None:
    err_console().print(f"dedup: warning: {problem}", markup=False, soft_wrap=True)


def warner(quiet: bool) -> Callable[[InputProblem], None] | None:
    """What to do with a bad input that is skipped: warn, unless ``quiet``."""
    return None if quiet else warn


def fail(message: str, code: int = 2) -> typer.Exit:
    err_console().print(f"dedup: error: {message}", markup=False, soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def errors() -> Iterator[None]:
    """Turn every expected failure into one line on stderr and exit code 2."""
    try:
        yield
    except typer.Exit:
        raise
    except BrokenPipeError:
        raise _reader_gone() from None
    except (InputError, ConfigError, OutputError, ValueError) as err:  # the rules' RulesError is a ValueError
        raise fail(str(err)) from None
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        raise fail(f"{where}{(err.strerror or str(err)).lower()}") from None
    except KeyboardInterrupt:
        raise fail("interrupted; no output written", 130) from None


def _reader_gone() -> typer.Exit:
    """Stdout's reader went away (``| head -1``): stop without a message, exit code 1. Python would try to flush
    stdout again on the way out and report that failure too, so stdout is pointed at /dev/null first."""
    with suppress(OSError, ValueError):  # ValueError: a stdout without a file descriptor (tests)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return typer.Exit(1)


@contextmanager
def progress(quiet: bool, label: str) -> Iterator[Callable[[int], None] | None]:
    """A rich progress display on stderr, only when stderr is a terminal and not --quiet."""
    if quiet or not err_console().is_terminal:
        yield None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} docs"),
        TimeElapsedColumn(),
        console=err_console(),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda n: bar.advance(task, n)


# Inputs smaller than this are read, cleaned and fingerprinted in the command's own process unless --workers
# says otherwise: starting worker processes costs more than they save (figures in BENCHMARKS.md, session 16).
IN_PROCESS_BYTES = 1 << 20
_LOOKED_AT = 10_000  # directory entries looked at before a folder is taken for large


def small_input(inputs: Sequence[str], limit: int = IN_PROCESS_BYTES) -> bool:
    """Whether the named files and folders hold fewer than ``limit`` bytes (a gzip file counts four times its
    size; standard input is never small). Stops as soon as it knows: a large folder is not walked whole.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp()); _ = (folder / "a.txt").write_text("Aden airport: relief plane lands")
    >>> small_input([str(folder)]), small_input([str(folder)], limit=10), small_input(["-"])
    (True, False, False)
    """
    total, looked, folders, seen = 0, 0, [], set()
    for name in inputs:
        if name == "-":
            return False
        try:
            if os.path.isdir(name):
                folders.append(name)
            else:
                total += os.path.getsize(name) * (4 if name.endswith(".gz") else 1)
        except OSError:
            continue  # the reader reports it
    while folders and total < limit:
        folder = folders.pop()
        try:
            key = (st := os.stat(folder)).st_dev, st.st_ino
            if key in seen:  # a symlink loop
                continue
            seen.add(key)
            with os.scandir(folder) as entries:
                for entry in entries:
                    looked += 1
                    if looked > _LOOKED_AT or total >= limit:
                        return False
                    if entry.is_dir():
                        folders.append(entry.path)
                    elif entry.is_file():
                        total += entry.stat().st_size * (4 if entry.name.endswith(".gz") else 1)
        except OSError:
            continue
    return total < limit


def make_pipeline(
    settings: Settings,
    quiet: bool,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    inputs: Sequence[str] = (),
) -> Pipeline:
    """The run's pipeline; a bad rules file is named in the error (the rule loader names only the rule). With
    ``workers`` not given, a :func:`small_input` is processed in this process (the same output)."""
    from dedup.clean.lines import RulesError
    from dedup.pipeline import Pipeline

    if workers is None and inputs and small_input(inputs):
        workers = 1
    try:
        return Pipeline(settings, on_problem=warner(quiet), progress=progress, workers=workers)
    except RulesError as err:
        where = settings.rules_file
        if where and not str(err).startswith(where):
            raise RulesError(f"{where}: {err}") from None
        raise


# -- output -----------------------------------------------------------------------------------------------------


def write_output(text: str, output: Path | None) -> None:
    """``text`` to stdout, or atomically to the file ``output`` (the old file stays if anything fails)."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        from dedup.io import atomic_writer

        with atomic_writer(output) as handle:
            handle.write(text)
