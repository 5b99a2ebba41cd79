"""CPU and wall time of one scan on the local engine and on Spark (local[1], local[2]), and whether they agree.

Each run is a fresh process; its CPU is user + system of its whole process tree (the JVM and Spark's Python
workers included, the local engine's worker processes too), read from ``/proc`` when the scan ends. Spark's times include starting its JVM
(reported apart as ``start_s``). Usage:

    python bench/spark_wall.py CORPUS.jsonl [--docs N] [--runs local2,spark1,spark2,spark2p]

A run ``sparkNp`` reads the documents from a folder of Parquet files written first (row groups of 2,000; the
other runs read the JSONL), so the agreement is checked across formats too. Prints
one JSON line per run and whether every run found the same clusters (by document id, similarity included).
Needs the spark extra and Java for the Spark runs.
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


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) of ``root`` and every process under it: the live ones' own time plus the time
    of the children they have waited for (Linux ``/proc``)."""
    parent, times = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(entry)] = int(fields[1])
        times[int(entry)] = sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo.extend(p for p, pp in parent.items() if pp == pid and p not in tree)
    return sum(times.get(p, 0) for p in tree) / os.sysconf("SC_CLK_TCK")


def child(kind: str, path: str, out: str) -> None:
    from dedup.pipeline import Pipeline
    from dedup.settings import Settings

    settings = Settings()
    started = time.perf_counter()
    start_cpu = 0.0
    if kind.startswith("local"):
        result = Pipeline(settings, workers=int(kind[5:] or 0) or None).scan([path])
        ready = started
    else:
        from dedup.spark import scan, session

        spark = session(f"local[{kind[5:].rstrip('p')}]", {"spark.ui.enabled": "false"})
        spark.range(1).count()  # the JVM up and one job run: what every scan pays once
        ready = time.perf_counter()
        start_cpu = tree_cpu(os.getpid())
        result = scan([path], settings, spark=spark)
    done = time.perf_counter()
    cpu = tree_cpu(os.getpid())
    ids = [d.id for d in result.documents]
    clusters = [[(ids[m], round(sim, 4)) for m, sim in c.members] for c in result.clusters]
    with open(out, "w", encoding="utf-8") as f:
        json.dump(
            {
                "run": kind,
                "documents": len(result.documents),
                "clusters": len(clusters),
                "links": len(result.links),
                "candidates": len(result.candidate_similarities),
                "learned": len(result.learned),
                "start_s": round(ready - started, 1),
                "scan_s": round(done - ready, 1),
                "cpu_s": round(cpu, 1),
                "start_cpu_s": round(start_cpu, 1),  # of cpu_s: starting the JVM and running one job
                "members": clusters,
            },
            f,
        )


def to_parquet(src: str, folder: str, rows_per_file: int = 50_000) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    os.makedirs(folder, exist_ok=True)
    opener = gzip.open if src.endswith(".gz") else open
    columns = ("id", "source", "url", "date", "title", "text")
    part, batch = 0, []

    def flush() -> None:
        nonlocal part, batch
        if batch:
            table = pa.Table.from_pylist([{k: r.get(k) for k in columns} for r in batch])
            pq.write_table(table, os.path.join(folder, f"part-{part:05d}.parquet"), row_group_size=2_000)
            part, batch = part + 1, []

    with opener(src, "rt", encoding="utf-8") as f:
        for line in f:
            batch.append(json.loads(line))
            if len(batch) == rows_per_file:
                flush()
    flush()


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
    runs = args.runs.split(",")
    parquet = os.path.join(work, "parquet")
    if any(kind.endswith("p") for kind in runs):
        to_parquet(path, parquet)
    found = {}
    for kind in runs:
        out = os.path.join(work, f"{kind}.json")
        load = os.getloadavg()[0]
        wall = time.perf_counter()
        log = os.path.join(work, f"{kind}.log")  # the child's stderr (Spark's errors), kept for a failed run
        with open(log, "w", encoding="utf-8") as err:
            done = subprocess.run(
                [sys.executable, __file__, "--child", kind, parquet if kind.endswith("p") else path, out],
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        if done.returncode != 0:
            with open(log, encoding="utf-8", errors="replace") as err:
                tail = [line for line in err.read().splitlines() if not line.lstrip().startswith("at ")][-15:]
            print(json.dumps({"run": kind, "failed": done.returncode, "log": log, "tail": tail}), flush=True)
            continue
        wall = time.perf_counter() - wall
        with open(out, encoding="utf-8") as f:
            found[kind] = json.load(f)
        docs = found[kind]["documents"]
        row = {k: v for k, v in found[kind].items() if k != "members"}
        row.update(
            wall_s=round(wall, 1),
            cpu_ms_per_doc=round(1000 * row["cpu_s"] / max(docs, 1), 2),
            load_before=round(load, 1),
        )
        print(json.dumps(row), flush=True)
    if not found:
        return
    first = next(iter(found.values()))["members"]
    print(json.dumps({"same_clusters": all(r["members"] == first for r in found.values())}))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
    else:
        main()
