"""CPU of the serial moments of a scan's main process that do not depend on the corpus's content: loading the
compiled kernels before the workers fork, finding the first range a worker reads, and the interpreter's exit
(issue 15: while the main process does these, one of two cores idles).

Usage (from the repo root)::

    python bench/serial_costs.py /tmp/c50k-short.jsonl --baseline /tmp/wall-main --rounds 5

Each figure is measured in a fresh process (``python -P -c``), this checkout's and, with ``--baseline``, another
source tree's (e.g. main's ``git archive``), alternated for ``--rounds`` rounds; medians are printed. CPU is the
process's user + system time, the figure that a loaded machine stretches least:

* ``kernels``: ``import numba`` and ``dedup.kernels.load()`` (the kernels cached on disk: a first run compiles
  them, discarded);
* ``first range``: ``next(dedup.pipeline.shares.shares([CORPUS], ...))``, what the main process does before the
  first range of a big JSONL file goes to a worker;
* ``exit``: the CPU a process that imported ``dedup.cli`` and loaded the kernels spends from its last statement
  to its end (its rusage seen by the parent, minus its own reading at the last statement).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

KERNELS = """
import time
import dedup.cli
t = time.process_time()
from dedup import kernels
assert kernels.load(force=True) is not None
print(time.process_time() - t)
"""

FIRST_RANGE = """
import sys, time
from dedup.io import Reader
from dedup.pipeline import shares
t = time.process_time()
next(shares.shares([sys.argv[1]], Reader(), [], 64))
print(time.process_time() - t)
"""

EXIT = """
import resource
import dedup.cli
from dedup import kernels
assert kernels.load(force=True) is not None
own = resource.getrusage(resource.RUSAGE_SELF)
print(own.ru_utime + own.ru_stime)
"""


def run(tree: Path, code: str, corpus: str, whole_process: bool = False) -> float:
    """Seconds of CPU ``code`` prints (with ``whole_process``: the process's CPU at its end minus what it
    printed)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    proc = subprocess.Popen([sys.executable, "-P", "-c", code, corpus], env=env, stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    if whole_process:
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            raise SystemExit(f"{tree}: exit {proc.returncode}")
        return usage.ru_utime + usage.ru_stime - float(out)
    if proc.wait():
        raise SystemExit(f"{tree}: exit {proc.returncode}")
    return float(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--baseline", metavar="SRC")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    trees = {"this": HERE} | ({"baseline": Path(args.baseline)} if args.baseline else {})
    figures: dict[tuple[str, str], list[float]] = {}
    for k in range(args.rounds):
        for name in list(trees) if k % 2 == 0 else list(trees)[::-1]:
            tree = trees[name]
            figures.setdefault((name, "kernels"), []).append(run(tree, KERNELS, args.corpus))
            figures.setdefault((name, "first range"), []).append(run(tree, FIRST_RANGE, args.corpus))
            figures.setdefault((name, "exit"), []).append(run(tree, EXIT, args.corpus, whole_process=True))
    print(f"CPU seconds, median of {args.rounds} (min-max)")
    print(f"{'tree':<10}{'kernels':>20}{'first range':>20}{'exit':>20}")
    for name in trees:
        cells = []
        for what in ("kernels", "first range", "exit"):
            values = figures[name, what]
            cells.append(f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})")
        print(f"{name:<10}" + "".join(f"{c:>20}" for c in cells))


if __name__ == "__main__":
    main()
