"""Wall time of one scan on the local engine and on Spark (local[1], local[2]), and whether the clusters agree.

Each run is a fresh process, so Spark's times include starting its JVM (reported apart). Usage:

    python bench/spark_wall.py /work/shared/data/saudinewsnet-dev/docs.jsonl.gz [--docs N] [--runs local,spark1,spark2]

Prints one JSON line per run and a summary; needs the spark extra and Java for the Spark runs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time


def child(kind: str, path: str, out: str) -> None:
    from dedup.pipeline import Pipeline
    from dedup.settings import Settings

    settings = Settings()
    started = time.perf_counter()
    if kind.startswith("local"):
        result = Pipeline(settings, workers=int(kind[5:] or 0) or None).scan([path])
        ready = started
    else:
        from dedup.spark import scan, session

        spark = session(f"local[{kind[5:]}]", {"spark.ui.enabled": "false"})
        ready = time.perf_counter()
        result = scan([path], settings, spark=spark)
    done = time.perf_counter()
    clusters = [[m for m, _ in c.members] for c in result.clusters]
    with open(out, "w", encoding="utf-8") as f:
        json.dump(
            {
                "run": kind,
                "documents": len(result.documents),
                "clusters": len(clusters),
                "links": len(result.links),
                "start_s": round(ready - started, 1),
                "scan_s": round(done - ready, 1),
                "members": clusters,
            },
            f,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--docs", type=int, default=0, help="first N documents only (0: all)")
    parser.add_argument("--runs", default="local2,spark1,spark2")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="spark-wall-")
    path = args.path
    if args.docs:
        path = os.path.join(work, "docs.jsonl")
        opener = gzip.open if args.path.endswith(".gz") else open
        with opener(args.path, "rt", encoding="utf-8") as src, open(path, "w", encoding="utf-8") as dst:
            for k, line in enumerate(src):
                if k == args.docs:
                    break
                dst.write(line)
    found = {}
    for kind in args.runs.split(","):
        out = os.path.join(work, f"{kind}.json")
        load = os.getloadavg()[0]
        subprocess.run(
            [sys.executable, __file__, "--child", kind, path, out],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with open(out, encoding="utf-8") as f:
            found[kind] = json.load(f)
        row = {k: v for k, v in found[kind].items() if k != "members"}
        print(json.dumps({**row, "load_before": round(load, 1)}), flush=True)
    first = next(iter(found.values()))["members"]
    print(json.dumps({"same_clusters": all(r["members"] == first for r in found.values())}))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
    else:
        main()
