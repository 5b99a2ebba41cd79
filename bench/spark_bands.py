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

At a million documents the whole scan is hours of CPU here, so the banding can be measured alone, from
fingerprints saved once:

    python bench/spark_bands.py CORPUS.jsonl --save-signatures DIR            # once: DIR/part-*.parquet
    python bench/spark_bands.py DIR --signatures --docs 250000,500000,1000000 [--master local[2]]

``--save-signatures`` reads, page-cleans and fingerprints the corpus with the Spark engine's own batch functions
(:func:`dedup.spark.stages.clean_batch`, :func:`dedup.spark.stages.fingerprint_batch`) in two local processes,
without Spark and without site learning (learned boilerplate is stripped before fingerprinting on a real scan;
the generated corpus's footers stay in here), and keeps what banding reads (number, week, digest, words,
signature, band keys, excerpt windows). ``--signatures`` then runs, on the first N documents of it, without and
with week blocking, the banding (the bucket pairs, kept on disk and counted: ``band_*``) and the rest of the
candidate step on those pairs (signature joins, chance filter: the pairs a scan would verify, ``candidate_*``),
and prints pairs, shuffle bytes and CPU for each; a scan's candidate step is the two together. Verification and
clustering are not run.

``--signatures --count-local`` counts the same bucket pairs and candidates in numpy, without Spark (no shuffle
figures): the same rows, buckets, order, 256-neighbour cap and chance filter, a few CPU seconds where Spark
spends minutes. It equals the Spark counts (checked at 10k and 20k documents, and at every size both ran)::

    python bench/spark_bands.py DIR --signatures --count-local --docs 250000,500000,1000000
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


BAND_COLUMNS = ("idx", "week", "digest", "words", "sig", "bands", "windows")


def _fingerprint_unit(job: tuple) -> int:
    """One unit of the corpus cleaned and fingerprinted into ``DIR/part-UNIT.parquet``; its documents."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dedup.io import FieldNames
    from dedup.settings import Settings
    from dedup.spark.read import read_unit
    from dedup.spark.stages import clean_batch, fingerprint_batch, stage_state

    unit, folder = job
    state = stage_state(Settings(site_boilerplate=False))
    offsets = {unit.number: unit.first_line - 1}  # every line of the generated corpus is a document
    batches = [
        fingerprint_batch(state, clean_batch(state, docs), offsets, {}).select(list(BAND_COLUMNS))
        for docs in read_unit(unit, FieldNames())
    ]
    table = pa.Table.from_batches(batches)
    pq.write_table(table, os.path.join(folder, f"part-{unit.number:05d}.parquet"))
    return table.num_rows


def save_signatures(path: str, folder: str, workers: int = 2) -> None:
    from multiprocessing import Pool

    from dedup.io.ranges import survey
    from dedup.spark.read import list_units, split_units

    os.makedirs(folder, exist_ok=True)
    units = split_units(list_units([path], [], os.getcwd()), 16 << 20, lambda rs: [survey(*r) for r in rs])
    t0, c0 = time.perf_counter(), _cpu()
    with Pool(workers) as pool:
        docs = sum(pool.imap_unordered(_fingerprint_unit, [(u, folder) for u in units]))
    cpu = _cpu() - c0
    print(
        json.dumps(
            {
                "step": "save_signatures",
                "documents": docs,
                "units": len(units),
                "wall_s": round(time.perf_counter() - t0, 1),
                "cpu_s": round(cpu, 1),
                "cpu_ms_per_doc": round(1000 * cpu / max(docs, 1), 2),
                "load": round(os.getloadavg()[0], 1),
            }
        ),
        flush=True,
    )


def band_only(
    folder: str, sizes: list[int], master: str, partitions: int, modes: tuple[bool, ...] = (False, True)
) -> None:
    """Banding and candidate pairs, without and with week blocking, on the first N documents of ``folder``."""
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from dedup.settings import Settings
    from dedup.spark import session
    from dedup.spark.match import banded_rows, likely_pairs, row_pairs

    spark = session(master, {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": str(partitions)})
    num_perm = Settings().num_perm
    saved = spark.read.parquet(folder)
    for n in sizes:
        n = n or 1 << 62  # 0: all
        t0, c0, b0 = time.perf_counter(), _cpu(), _shuffle_written(spark)
        live = saved.where((F.col("idx") < n) & (F.col("words") > 0))
        # One row per distinct text (the first of its exact copies), as a scan bands its representatives.
        first = F.min("idx").over(Window.partitionBy("digest"))
        reps = live.withColumn("rep", first).where(F.col("idx") == F.col("rep")).drop("rep")
        reps = reps.repartition(partitions, "idx").persist(StorageLevel.MEMORY_AND_DISK)
        distinct = reps.count()
        weeks = reps.select(F.countDistinct("week")).first()[0]
        print(
            json.dumps(
                {
                    "step": "reps",
                    "documents": n if n < 1 << 62 else "all",
                    "distinct_texts": distinct,
                    "weeks": weeks,
                    "shuffle_write_mb": round((_shuffle_written(spark) - b0) / 2**20, 1),
                    "wall_s": round(time.perf_counter() - t0, 1),
                    "cpu_s": round(_cpu() - c0, 1),
                    "load": round(os.getloadavg()[0], 1),
                }
            ),
            flush=True,
        )
        for blocking in modes:
            # The row pairs are banded once and kept (on disk: tens of millions of pairs at 1M without blocking),
            # counted, then taken through the signature joins and the chance filter: the candidate step of a
            # scan is the two together (band + candidate columns below).
            t0, c0, b0 = time.perf_counter(), _cpu(), _shuffle_written(spark)
            rows = banded_rows(reps)
            pairs = row_pairs(rows, blocking).persist(StorageLevel.DISK_ONLY)
            bucket_pairs = pairs.count()
            t1, c1, b1 = time.perf_counter(), _cpu(), _shuffle_written(spark)
            candidates = likely_pairs(rows, pairs, num_perm).count()
            t2, c2, b2 = time.perf_counter(), _cpu(), _shuffle_written(spark)
            pairs.unpersist()
            print(
                json.dumps(
                    {
                        "step": "band",
                        "documents": n if n < 1 << 62 else "all",
                        "week_blocking": blocking,
                        "bucket_pairs": bucket_pairs,
                        "candidates": candidates,
                        "band_shuffle_mb": round((b1 - b0) / 2**20, 1),
                        "candidate_shuffle_mb": round((b2 - b1) / 2**20, 1),
                        "band_wall_s": round(t1 - t0, 1),
                        "band_cpu_s": round(c1 - c0, 1),
                        "candidate_wall_s": round(t2 - t1, 1),
                        "candidate_cpu_s": round(c2 - c1, 1),
                        "load": round(os.getloadavg()[0], 1),
                    }
                ),
                flush=True,
            )
        reps.unpersist()
    spark.stop()


def _band_table(folder: str, n: int):
    """The banded rows of the first ``n`` documents of a ``--save-signatures`` folder, as Spark bands them: one row
    per distinct text (its first document), then their excerpt windows (by document, then window), as numpy
    arrays ``(owner, is_window, week, keys, sigs)``; ``keys`` is rows x bands, ``sigs`` rows x num_perm."""
    import numpy as np
    import pandas as pd
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    t = pq.read_table(folder, columns=list(BAND_COLUMNS), filters=[("idx", "<", n), ("words", ">", 0)])
    t = t.sort_by("idx")
    t = t.filter(~pd.Series(t.column("digest").to_numpy(zero_copy_only=False)).duplicated().to_numpy())
    idx = t.column("idx").to_numpy()
    week = t.column("week").to_numpy(zero_copy_only=False)
    week = np.where(pd.isna(week), -2, week).astype(np.int64)  # -2: undated (its block is -1 alone)
    n_bands = len(t.column("bands")[0])

    def sig_matrix(column) -> np.ndarray:
        return np.frombuffer(b"".join(column.to_pylist()), dtype=np.uint32).reshape(len(column), -1)

    windows = pc.list_flatten(t.column("windows"))
    counts = pc.list_value_length(t.column("windows")).fill_null(0).to_numpy()
    win_sig = sig_matrix(windows.combine_chunks().field("sig")) if len(windows) else None
    keys = [pc.list_flatten(t.column("bands")).to_numpy().reshape(-1, n_bands)]
    sigs = [sig_matrix(t.column("sig"))]
    if win_sig is not None:
        keys.append(pc.list_flatten(windows.combine_chunks().field("bands")).to_numpy().reshape(-1, n_bands))
        sigs.append(win_sig)
    owner = np.concatenate((idx, np.repeat(idx, counts)))
    is_window = np.concatenate((np.zeros(idx.size, bool), np.ones(int(counts.sum()), bool)))
    return owner, is_window, np.concatenate((week, np.repeat(week, counts))), np.concatenate(keys), np.concatenate(sigs)


def count_pairs(owner, is_window, week, keys, sigs, blocking: bool, num_perm: int) -> tuple[int, int]:
    """``(bucket_pairs, candidates)`` of the banded rows as :func:`dedup.spark.match.row_pairs` and
    :func:`dedup.spark.match.likely_pairs` find them, in numpy: per band, rows sorted by (key, block, position),
    the first row of each owner in a bucket kept, each paired with its next 256."""
    import numpy as np

    from dedup.lsh import MIN_SHARED_VALUES, drop_chance_collisions
    from dedup.spark.match import MAX_BUCKET

    rows = np.arange(owner.size)
    if blocking:  # a dated row in its week's block and the next's; an undated one in block -1 only
        dated = week >= -1
        rows = np.concatenate((rows, rows[dated & (week >= 0)]))
        blk = np.concatenate((np.where(week >= 0, week, -1), week[dated & (week >= 0)] + 1))
    else:
        blk = np.zeros(rows.size, np.int64)
    found = []
    for band in range(keys.shape[1]):
        k = keys[rows, band]
        order = np.lexsort((rows, blk, k))
        r, kk, bb = rows[order], k[order], blk[order]
        new = np.ones(r.size, bool)
        new[1:] = (kk[1:] != kk[:-1]) | (bb[1:] != bb[:-1])
        bucket = np.cumsum(new) - 1
        _, first = np.unique(bucket * (int(owner.max()) + 1) + owner[r], return_index=True)
        first.sort()
        r, bucket = r[first], bucket[first]
        m = r.size
        pos = np.flatnonzero(bucket[1:] == bucket[:-1])
        d = 1
        while pos.size and d <= MAX_BUCKET:
            found.append(r[pos] * owner.size + r[pos + d])
            nxt = pos + d + 1
            pos = pos[nxt < m]
            pos = pos[bucket[nxt[: pos.size]] == bucket[pos]]
            d += 1
    codes = np.unique(np.concatenate(found)) if found else np.empty(0, np.int64)
    a, b = codes // owner.size, codes % owner.size
    keep = ~(is_window[a] & is_window[b]) & (owner[a] != owner[b])
    pairs = np.stack((a[keep], b[keep]), axis=1)
    likely = drop_chance_collisions(sigs, pairs, MIN_SHARED_VALUES)
    lo, hi = np.minimum(owner[likely[:, 0]], owner[likely[:, 1]]), np.maximum(owner[likely[:, 0]], owner[likely[:, 1]])
    return int(pairs.shape[0]), int(np.unique(lo * (int(owner.max()) + 1) + hi).size)


def count_local(folder: str, sizes: list[int]) -> None:
    """Bucket pairs and candidates without and with week blocking on the first N documents, in numpy (no
    shuffle figures): the counts Spark's banding gives, at a fraction of its CPU."""
    from dedup.settings import Settings

    num_perm = Settings().num_perm
    for n in sizes:
        t0, c0 = time.perf_counter(), _cpu()
        table = _band_table(folder, n)
        for blocking in (False, True):
            bucket_pairs, candidates = count_pairs(*table, blocking, num_perm)
            print(
                json.dumps(
                    {
                        "step": "count_local",
                        "documents": n,
                        "distinct_texts": int((~table[1]).sum()),
                        "banded_rows": int(table[0].size),
                        "week_blocking": blocking,
                        "bucket_pairs": bucket_pairs,
                        "candidates": candidates,
                        "wall_s": round(time.perf_counter() - t0, 1),
                        "cpu_s": round(_cpu() - c0, 1),
                        "load": round(os.getloadavg()[0], 1),
                    }
                ),
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--docs", default="0", help="first N documents only (0: all); with --signatures, N,M,...")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--save-signatures", metavar="DIR", help="fingerprint the corpus into DIR and stop")
    parser.add_argument("--signatures", action="store_true", help="PATH is a --save-signatures folder: band it")
    parser.add_argument("--count-local", action="store_true", help="with --signatures: count pairs in numpy")
    parser.add_argument(
        "--blocking", choices=("both", "no", "yes"), default="both", help="with --signatures: which modes to band"
    )
    args = parser.parse_args()
    if args.save_signatures:
        save_signatures(args.path, args.save_signatures)
        return
    if args.signatures and args.count_local:
        count_local(args.path, [int(x) for x in args.docs.split(",")])
        return
    if args.signatures:
        modes = {"both": (False, True), "no": (False,), "yes": (True,)}[args.blocking]
        band_only(args.path, [int(x) for x in args.docs.split(",")], args.master, args.partitions, modes)
        return
    args.docs = int(args.docs)
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
