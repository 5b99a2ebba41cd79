"""Errors and input problems shared by every stage, printable as one line.

Bad input never raises out of a reader: each problem is an :class:`InputProblem` naming the file (and line),
handed to a callback, and the run goes on. :class:`InputError` is raised only when the run cannot continue (a
missing path, strict mode); :class:`OutputError` when an output cannot be written as asked.

>>> str(InputProblem("feed.jsonl:17", "malformed JSON; line skipped"))
'feed.jsonl:17: malformed JSON; line skipped'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InputProblem:
    """One problem with the input: where it is and what is wrong, printable as one line."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


ProblemHandler = Callable[[InputProblem], None]


class InputError(Exception):
    """Raised in strict mode, or when the run cannot continue at all (e.g. a missing path)."""


class OutputError(Exception):
    """The output cannot be written as asked (it would touch an input, or fill a non-empty directory)."""
