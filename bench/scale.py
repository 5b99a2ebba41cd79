"""How ``dedup scan`` time and memory grow with the corpus: 10k, 100k, 1M documents.

Usage (corpora from ``bench/make_corpus.py``)::

    python bench/scale.py /tmp/c10k.jsonl /tmp/c100k.jsonl /tmp/c1m.jsonl [--repeat 3] [--workers 2]

Each corpus is scanned ``--repeat`` times (``dedup scan CORPUS --format csv -o FILE -q --workers N``, end to end:
start-up, reading, cleaning, normalising, hashing, LSH, verification, report); the best wall time is kept, with
the CPU time and the peak memory (PSS, summed over main process + workers, psutil, every 0.2 s, after 10 s every
0.5 s) of that run and pairwise precision/recall/F1 against the corpus truth.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedup_peers import dedup_clusters, measure, pairwise, truth_of


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpora", nargs="+")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--json", help="append results here (one JSON object per corpus)")
    args = ap.parse_args()
    dedup_bin = shutil.which("dedup") or str(Path(sys.executable).parent / "dedup")
    print(f"{'docs':>9}{'best s':>9}{'docs/s':>9}{'CPU s':>9}{'ms/doc':>8}{'peak MB':>9}{'F1':>7}  (runs: seconds)")
    for corpus in args.corpora:
        truth = truth_of(corpus)
        runs = []
        with tempfile.TemporaryDirectory(prefix="dedup-scale-") as tmp:
            out = os.path.join(tmp, "clusters.csv")
            for _ in range(args.repeat):
                wall, peak, rc, cpu = measure(
                    [dedup_bin, "scan", corpus, "--format", "csv", "-o", out, "-q", "--workers", str(args.workers)]
                )
                if rc:
                    raise SystemExit(f"dedup scan failed on {corpus} (exit {rc})")
                runs.append((wall, peak, cpu))
            p, r, f = pairwise(dedup_clusters(out), truth)
        wall, peak, cpu = min(runs)
        n = len(truth)
        row = {
            "corpus": corpus,
            "docs": n,
            "seconds": round(wall, 1),
            "docs_per_s": round(n / wall),
            "cpu_s": round(cpu, 1),
            "cpu_ms_per_doc": round(cpu / n * 1e3, 3),
            "peak_mb": round(peak / 2**20),
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "runs": [round(w, 1) for w, _, _ in runs],
            "workers": args.workers,
            "date": time.strftime("%Y-%m-%d %H:%M"),
        }
        print(
            f"{n:>9}{wall:>9.1f}{n / wall:>9.0f}{cpu:>9.1f}{cpu / n * 1e3:>8.3f}{peak / 2**20:>9.0f}{f:>7.3f}  "
            f"{row['runs']}",
            flush=True,
        )
        if args.json:
            with open(args.json, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
