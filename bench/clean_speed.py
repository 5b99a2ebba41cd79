"""End-to-end speed of ``dedup clean`` on a folder of real HTML pages: reading, extracting, writing.

Usage (from the repo root)::

    python bench/clean_speed.py                      # the pages of the three dev sets in ../shared/data
    python bench/clean_speed.py --pages /some/folder # a folder of .html files of your own
    python bench/clean_speed.py --baseline /tmp/main # and another checkout, run by turns with this one

Without ``--pages`` the dev sets' pages (``<set>/html/<id>.html.gz``) are decompressed once into a temporary
folder (1,871 pages, 291 MB: these are whole pages, 155 kB on average). Then ``dedup clean <folder> -o
<file> -q`` runs as a subprocess, ``--runs`` times, with its default settings (site boilerplate on, one
worker process per core). Reported per run: wall time, pages/s, and the CPU time (user + sys) of the command
and its worker processes per page, the figure that survives a machine shared with other jobs. A second
figure is the CPU time of ``extract_html`` alone on the same pages, in this process (the HTML extractor's
share of the total).

With ``--baseline <checkout>`` (e.g. ``git archive main | tar -x -C /tmp/main``) each run runs that
checkout's ``dedup clean`` and then this one's on the same folder, so that both meet the same stretch of a
shared machine; then the documents whose output differs are counted.
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
SETS = ("article-extraction-benchmark", "wcxb-articles-dev", "trafilatura-eval")


def unpack(data: Path, into: Path) -> int:
    """The dev sets' pages as plain .html files in ``into``; how many."""
    n = 0
    for name in SETS:
        for path in sorted((data / name / "html").glob("*.html.gz")):
            (into / f"{name[:4]}-{path.name[:-3]}").write_bytes(gzip.decompress(path.read_bytes()))
            n += 1
    return n


def children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def extract_only(folder: Path) -> float:
    """CPU ms per page of ``extract_html`` on the folder's pages (bytes in, as ``dedup clean`` passes them)."""
    from dedup.clean.html import extract_html

    pages = [p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in (".html", ".htm")]
    extract_html(pages[0], explain=False)  # warm-up: imports and the tag table
    c0 = time.process_time()
    for raw in pages:
        extract_html(raw, explain=False)
    return 1000 * (time.process_time() - c0) / max(1, len(pages))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=Path, default=None, help="a folder of .html pages (default: the dev sets)")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--baseline", type=Path, default=None, help="another checkout to run by turns with this one")
    args = ap.parse_args(argv)
    dedup = [sys.executable, "-m", "dedup.cli"]
    # ``python -m`` imports dedup from the working directory first: each checkout runs its own code.
    checkouts = [("this", Path(__file__).resolve().parent.parent)]
    if args.baseline is not None:
        checkouts.insert(0, ("baseline", args.baseline.resolve()))
    with tempfile.TemporaryDirectory(prefix="dedup-clean-speed-") as tmp:
        folder = args.pages
        if folder is None:
            folder = Path(tmp) / "pages"
            folder.mkdir()
            unpack(args.data, folder)
        n = sum(1 for p in folder.iterdir() if p.suffix in (".html", ".htm"))
        print(f"{n} pages in {folder}, {os.cpu_count()} cores")
        print(f"{'run':>3} {'checkout':>8} {'wall s':>7} {'pages/s':>8} {'cpu ms/page':>12} {'load':>5}")
        for run in range(1, args.runs + 1):
            for name, root in checkouts:
                out = Path(tmp) / f"clean-{name}.jsonl"
                c0, t0 = children_cpu(), time.perf_counter()
                subprocess.run([*dedup, "clean", str(folder), "-o", str(out), "-q"], check=True, cwd=root)
                wall, cpu = time.perf_counter() - t0, children_cpu() - c0
                load = os.getloadavg()[0]
                print(f"{run:3d} {name:>8} {wall:7.2f} {n / wall:8.1f} {1000 * cpu / n:12.2f} {load:5.1f}", flush=True)
        if args.baseline is not None:
            a, b = (
                (Path(tmp) / f"clean-{k}.jsonl").read_text(encoding="utf-8").splitlines() for k in ("baseline", "this")
            )
            differ = sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))
            print(f"documents whose output differs from the baseline's: {differ} of {max(len(a), len(b))}")
        print(f"extract_html alone: {extract_only(folder):.2f} cpu ms/page")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
