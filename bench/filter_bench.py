"""``dedup filter`` throughput (documents/second) against a persistent index of N documents, SQLite or Redis.

The index is filled with N synthetic entries (random signatures and 200-shingle sets, no text or content words: the
B-tree, bucket and memory sizes of a real index of N stories, built without fingerprinting N texts; a new SQLite
index is bulk-loaded, :meth:`dedup.index.SqliteIndex.bulk_load`: 1M in 25 min on the loaded machine). Its buckets
are banded for the scan's candidate threshold (``--candidate-threshold``: another value, another index). Then a stream of ``--docs``
synthetic 300-word stories, a third of them near-copies of earlier ones in the stream, goes through
:func:`dedup.index.stream.filter_jsonl` exactly as ``cat batch.jsonl | dedup filter --index …`` would, and the time of
that pass alone is reported.

Example: ``python bench/filter_bench.py --size 100000 --backend sqlite --backend redis://127.0.0.1:6379/0``
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import tempfile
import time
from dataclasses import replace

import numpy as np

from dedup.index import Entry, IndexSettings, SqliteIndex, open_index
from dedup.index.stream import Deduplicator, filter_jsonl
from dedup.settings import Settings

SETTINGS = Settings(site_boilerplate=False)


def synthetic(lo: int, hi: int, seed: int = 0) -> list[Entry]:
    """Entries ``bulk-lo`` … ``bulk-(hi-1)``: random signatures and 200-shingle sets (the same for the same range)."""
    rng = np.random.default_rng([seed, lo])
    now = time.time()
    return [
        Entry(
            f"bulk-{i}",
            i.to_bytes(16, "little"),
            rng.integers(0, 2**32, 128, dtype=np.uint32),
            np.unique(rng.integers(0, 2**32, 200, dtype=np.uint32)),
            "",
            added_at=now,
            ts=now,
        )
        for i in range(lo, hi)
    ]


def fill(index, n: int, batch: int = 5000, seed: int = 0) -> float:
    """Add ``n`` synthetic entries; a new SQLite index is bulk-loaded (:meth:`SqliteIndex.bulk_load`)."""
    start = time.perf_counter()
    if isinstance(index, SqliteIndex) and index.stats()["documents"] == 0 and n > batch:
        index.bulk_load(synthetic(lo, min(n, lo + batch), seed) for lo in range(0, n, batch))
    else:
        have = index.stats()["documents"]
        for lo in range(have, have + n, batch):
            index.add(synthetic(lo, min(have + n, lo + batch), seed))
    return time.perf_counter() - start


def stream(n: int, seed: int = 1) -> bytes:
    rng = np.random.default_rng(seed)
    letters = list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي") + list("abcdefghijklmnopqrstuvwxyz")
    # Letter-only words: digits would read as facts to the template test.
    vocab = np.array(["".join(rng.choice(letters[:28] if i % 2 else letters[28:], 3 + i % 6)) for i in range(30000)])
    lines, texts, titles = [], [], []
    for i in range(n):
        if texts and i % 3 == 2:  # a near-copy: an earlier story (and its title) with its last sentence replaced
            k = int(rng.integers(len(texts)))
            words, title = texts[k].split()[:-12] + list(rng.choice(vocab, 12)), titles[k]
        else:
            words, title = list(rng.choice(vocab, 300)), " ".join(rng.choice(vocab, 8))
        text = " ".join(words)
        texts.append(text)
        titles.append(title)
        lines.append(json.dumps({"id": f"new-{i}", "title": title, "text": text}, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode()


def run(
    location: str, size: int, docs: int, settings: Settings = SETTINGS, prepare_ahead: bool = True, batch: int = 256
) -> dict[str, object]:
    with open_index(location, IndexSettings.from_settings(settings)) as index:
        have = index.stats()["documents"]
        built = fill(index, size - have) if have < size else 0.0
    data = stream(docs)
    with Deduplicator(location, settings) as dedup:
        out = io.StringIO()
        # On a shared machine CPU time varies less than wall time: all of it (this process's threads and the
        # worker that prepares batches ahead, counted once it has exited), and the deciding thread's alone, which
        # bounds the wall time on an idle machine with a core for each.
        main_cpu, start = time.thread_time(), os.times()
        summary = filter_jsonl(dedup, io.BytesIO(data), out, None, batch=batch, prepare_ahead=prepare_ahead)
        main_cpu = time.thread_time() - main_cpu
        dedup.index.close()  # the checkpoint thread's last checkpoint counts too
        end = os.times()
        cpu = sum(end[:4]) - sum(start[:4])
        load = os.getloadavg()[0]
    with open_index(location, IndexSettings.from_settings(settings)) as index:
        index.remove([f"new-{i}" for i in range(docs)])  # leave the index at `size` for the next run
    return {
        "backend": "redis" if location.startswith("redis") else "sqlite",
        "index_docs": size,
        "stream_docs": summary.read,
        "passed": summary.passed,
        "rejected": summary.rejected,
        "seconds": round(summary.seconds, 2),
        "docs_per_s": round(summary.read / summary.seconds),
        "cpu_seconds": round(cpu, 2),
        "cpu_ms_per_doc": round(1000 * cpu / summary.read, 2),
        "deciding_cpu_ms_per_doc": round(1000 * main_cpu / summary.read, 2),
        "docs_per_cpu_s": round(summary.read / cpu),
        "fill_seconds": round(built, 1),
        "load_1min": round(load, 1),
        "batch": batch,
    }


def _filter_slice(args: tuple[str, bytes, Settings]) -> tuple[int, int, int]:
    location, data, settings = args
    with Deduplicator(location, settings) as dedup:
        summary = filter_jsonl(dedup, io.BytesIO(data), io.StringIO(), None)
    return summary.read, summary.passed, summary.rejected


def run_workers(location: str, size: int, docs: int, workers: int, settings: Settings = SETTINGS) -> dict[str, object]:
    """``workers`` filter processes at once on one index, each streaming its share of the batch (the many-scrapers
    case); throughput is all documents over the wall time of the slowest."""
    with open_index(location, IndexSettings.from_settings(settings)) as index:
        have = index.stats()["documents"]
        built = fill(index, size - have) if have < size else 0.0
    lines = stream(docs).decode().splitlines(keepends=True)
    slices = [(location, "".join(lines[w::workers]).encode(), settings) for w in range(workers)]
    start = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        counts = pool.map(_filter_slice, slices)
    seconds = time.perf_counter() - start
    with open_index(location, IndexSettings.from_settings(settings)) as index:
        index.remove([f"new-{i}" for i in range(docs)])
    read = sum(c[0] for c in counts)
    return {
        "backend": "redis" if location.startswith("redis") else "sqlite",
        "index_docs": size,
        "workers": workers,
        "stream_docs": read,
        "passed": sum(c[1] for c in counts),
        "rejected": sum(c[2] for c in counts),
        "seconds": round(seconds, 2),
        "docs_per_s": round(read / seconds),
        "fill_seconds": round(built, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, action="append", help="index sizes (repeatable) [100000]")
    parser.add_argument("--backend", action="append", help="sqlite (a temp file) or a redis:// URL (repeatable)")
    parser.add_argument("--docs", type=int, default=3000, help="documents streamed through the filter [3000]")
    parser.add_argument("--dir", default=None, help="where SQLite indexes are kept (reused between runs)")
    parser.add_argument(
        "--candidate-threshold",
        type=float,
        default=SETTINGS.lsh_threshold,
        help=f"the Jaccard the index's buckets are banded for [{SETTINGS.lsh_threshold}: scan's]",
    )
    parser.add_argument(
        "--workers",
        type=int,
        action="append",
        help="also run this many concurrent filter processes (repeatable), e.g. --workers 2 --workers 4",
    )
    parser.add_argument(
        "--no-ahead", action="store_true", help="prepare each batch in the deciding process (no second process)"
    )
    parser.add_argument("--batch", type=int, default=256, help="records decided in one transaction [256]")
    args = parser.parse_args()
    workdir = args.dir or tempfile.mkdtemp(prefix="dedup-filter-bench-")
    settings = replace(SETTINGS, lsh_threshold=args.candidate_threshold)
    for backend in args.backend or ["sqlite"]:
        for size in sorted(args.size or [100000]):
            location = (
                os.path.join(workdir, "bench.sqlite")
                if backend == "sqlite"
                else f"{backend}{'&' if '?' in backend else '?'}prefix=bench"
            )
            if not args.workers:
                print(json.dumps(run(location, size, args.docs, settings, not args.no_ahead, args.batch)), flush=True)
            for workers in args.workers or []:
                print(json.dumps(run_workers(location, size, args.docs, workers, settings)), flush=True)


if __name__ == "__main__":
    main()
