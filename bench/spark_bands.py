"""Candidate pairs, shuffle bytes and clusters of the Spark engine with and without publication-week blocking.

The documents are read, cleaned and fingerprinted once (``SparkScan.prepare``); then banding, verification and
clustering run twice on them (``SparkScan.match``), without and with ``week_blocking``. For each it prints:

* ``bucket_pairs``: distinct pairs of banded rows (documents and excerpt windows) sharing a band key, before
  the chance filter (one extra job counts them);
* ``candidates``: document pairs verified (after the chance filter), ``links`` and ``clusters``;
* ``shuffle_write_mb``: bytes written to shuffle files by the stages of that step (Spark's status store), and
  ``band_shuffle_mb``: by the bucket-pair count job alone, the banding shuffle;
* wall and CPU seconds (this process tree: the JVM and Spark's Python workers included).

Usage::

    python bench/spark_bands.py CORPUS.jsonl [--docs N] [--master local[2]] [--partitions 16]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

from spark_wall import tree_cpu  # bench/ is the script's folder, so on sys.path


def _cpu() -> float:
    """CPU seconds of this process tree so far: the JVM and Spark's Python workers included."""
    return tree_cpu(os.getpid())


def _shuffle_written(spark) -> int:
    """Shuffle bytes written by every stage of the application so far (Spark's status store; stage ids count up
    from 0, and a stage that never ran, skipped because its output was cached, is not there)."""
    store = spark.sparkContext._jsc.sc().statusStore()
    total, missing, stage = 0, 0, 0
    while missing < 200:
        try:
            total += store.lastStageAttempt(stage).shuffleWriteBytes()
            missing = 0
        except Exception:  # py4j error: no such stage
            missing += 1
        stage += 1
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--docs", type=int, default=0, help="first N documents only (0: all)")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--partitions", type=int, default=16)
    args = parser.parse_args()
    path = args.path
    if args.docs:
        path = os.path.join(tempfile.mkdtemp(prefix="spark-bands-"), "docs.jsonl")
        with open(args.path, encoding="utf-8") as src, open(path, "w", encoding="utf-8") as dst:
            for k, line in enumerate(src):
                if k == args.docs:
                    break
                dst.write(line)

    from dedup.settings import Settings
    from dedup.spark import session
    from dedup.spark.match import banded_rows, row_pairs
    from dedup.spark.run import SparkScan

    spark = session(args.master, {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": str(args.partitions)})
    settings = Settings()
    t0, c0 = time.perf_counter(), _cpu()
    run = SparkScan(spark, settings)
    prepared = run.prepare([path])
    print(
        json.dumps(
            {
                "step": "prepare",
                "documents": len(prepared.infos),
                "shuffle_write_mb": round(_shuffle_written(spark) / 2**20, 1),
                "wall_s": round(time.perf_counter() - t0, 1),
                "cpu_s": round(_cpu() - c0, 1),
                "master": args.master,
            }
        ),
        flush=True,
    )
    for blocking in (False, True):
        run.week_blocking = blocking
        t0, c0, b0 = time.perf_counter(), _cpu(), _shuffle_written(spark)
        bucket_pairs = row_pairs(banded_rows(prepared.reps), blocking).count()
        b1 = _shuffle_written(spark)
        links, scores, clusters = run.match(prepared)
        b2 = _shuffle_written(spark)
        print(
            json.dumps(
                {
                    "step": "match",
                    "week_blocking": blocking,
                    "bucket_pairs": bucket_pairs,
                    "candidates": len(scores),
                    "links": len(links),
                    "clusters": len(clusters),
                    "redundant": sum(len(c.members) - 1 for c in clusters),
                    "band_shuffle_mb": round((b1 - b0) / 2**20, 1),
                    "shuffle_write_mb": round((b2 - b1) / 2**20, 1),
                    "wall_s": round(time.perf_counter() - t0, 1),
                    "cpu_s": round(_cpu() - c0, 1),
                }
            ),
            flush=True,
        )
    run.release()
    spark.stop()


if __name__ == "__main__":
    main()
