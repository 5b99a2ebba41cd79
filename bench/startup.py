"""CPU of a ``dedup`` command's start: the fixed cost every run pays before its work (issue 15: the pre-commit
hook runs one per commit).

Usage (from the repo root)::

    python bench/startup.py --rounds 9
    python bench/startup.py --baseline /tmp/main-tree --rounds 9   # A/B: another source tree, alternated

Each command runs in a new process (``python -P``: the current directory must not shadow the tree measured),
this checkout's and, with ``--baseline``, one whose ``PYTHONPATH`` is the given path (a ``git archive`` of
another commit; ``A:B`` puts several entries first, e.g. another typer installed with ``pip --target``),
alternated; medians of the process's user + system CPU time are printed:

* ``precommit (no files)``: ``dedup precommit -q`` with nothing staged, the hook's fixed cost;
* ``scan fixtures``: ``dedup scan fixtures/ -q --format json``, a small run (numba is not loaded);
* ``import dedup.cli``.

A checkout run with ``PYTHONDONTWRITEBYTECODE=1`` compiles its modules in every process: compile them first
(``python -m compileall -q dedup``) to measure what an installed package costs.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
COMMANDS = {
    "precommit (no files)": ["-P", "-m", "dedup.cli", "precommit", "-q"],
    "scan fixtures": ["-P", "-m", "dedup.cli", "scan", str(HERE / "fixtures"), "-q", "--format", "json"],
    "import dedup.cli": ["-P", "-c", "import dedup.cli"],
}


def cpu_of(argv: list[str], env: dict[str, str]) -> float:
    """User + system CPU seconds of one run of ``python argv`` (run outside the checkout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, *argv], env=env, cwd="/", check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", help="PYTHONPATH of another source tree, alternated with this checkout")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    own = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    trees = {"this checkout": {**own, "PYTHONPATH": str(HERE)}}
    if args.baseline:
        trees = {"baseline": {**own, "PYTHONPATH": args.baseline}, **trees}
    cpu: dict[tuple[str, str], list[float]] = {(t, c): [] for t in trees for c in COMMANDS}
    for _ in range(args.rounds):
        for command, argv in COMMANDS.items():
            for tree, env in trees.items():
                cpu[tree, command].append(cpu_of(argv, env))
    print(f"load {os.getloadavg()[0]:.1f}; CPU s (user + system), median of {args.rounds}")
    print("| command | " + " | ".join(trees) + " |")
    print("| --- |" + " --- |" * len(trees))
    for command in COMMANDS:
        print(f"| {command} | " + " | ".join(f"{statistics.median(cpu[t, command]):.3f}" for t in trees) + " |")


if __name__ == "__main__":
    main()
