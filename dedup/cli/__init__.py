"""The ``dedup`` command: a thin typer layer over the Python API, one module per command group.

:mod:`~dedup.cli.scan` (scan), :mod:`~dedup.cli.clean` (clean), :mod:`~dedup.cli.remove` (remove, restore),
:mod:`~dedup.cli.check` (check, precommit) and :mod:`~dedup.cli.index` (index …, filter); what they share
(options, errors, progress, output) is in :mod:`~dedup.cli.common`. Commands parse options, call the API and
write what it returns: the work is done in :mod:`dedup.pipeline`, :mod:`dedup.remove`, :mod:`dedup.precommit`
and :mod:`dedup.index.stream`, the formats are :mod:`dedup.report`'s.

Machine-readable output goes to stdout or to files; messages, warnings and progress go to stderr. Errors are one
line (``dedup: error: PATH[:LINE]: what is wrong``), never a traceback; exit codes: 0 done, 1 ``check`` or
``precommit`` found duplicates or boilerplate, 2 the run could not continue.
"""

from __future__ import annotations

from typing import Annotated

import typer

from dedup.cli.check import check, precommit
from dedup.cli.clean import clean
from dedup.cli.index import filter_command, index_app
from dedup.cli.remove import remove_command, restore_command
from dedup.cli.scan import scan
from dedup.version import __version__

app = typer.Typer(
    name="dedup",
    help="Find and remove near-duplicate news and strip site boilerplate. Arabic first, any language underneath.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
app.command()(scan)
app.command()(clean)
app.command(name="remove")(remove_command)
app.command(name="restore")(restore_command)
app.command()(check)
app.command(name="filter")(filter_command)
app.command()(precommit)
app.add_typer(index_app, name="index")


def _version(value: bool) -> None:
    if value:
        print(f"dedup {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Find and remove near-duplicate news and strip site boilerplate."""


__all__ = ["app", "main"]
