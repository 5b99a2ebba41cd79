"""CPU seconds of one ``dedup`` command: its main process and the workers it waited for, apart (issue 15).

Usage (from the repo root)::

    python bench/scan_cpu.py scan /tmp/c50k-short.jsonl --format csv -q --workers 2 > /dev/null
    python bench/scan_cpu.py scan /tmp/c50k-short.jsonl --format csv -q --workers 2 --no-templates > /dev/null

Runs the command in this process and prints to stderr, at exit, ``getrusage`` user + system time of this
process (``main``) and of its waited-for children (``workers``), and the wall time. ``DEDUP_SRC=/path/to/tree``
puts another source tree first on the path (A/B against main's ``git archive``).
"""

from __future__ import annotations

import atexit
import os
import resource
import sys
import time

START = time.perf_counter()


def _report() -> None:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"CPU main {own.ru_utime + own.ru_stime:.2f}s workers {children.ru_utime + children.ru_stime:.2f}s "
        f"wall {time.perf_counter() - START:.2f}s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    if os.environ.get("DEDUP_SRC"):
        sys.path.insert(0, os.environ["DEDUP_SRC"])
    from dedup.cli import app

    atexit.register(_report)
    sys.argv[0] = "dedup"
    app()  # exits through SystemExit: the report runs at exit, the command's exit status is kept
