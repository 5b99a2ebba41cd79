"""What the scan's main process holds when each pool of workers forks (tracemalloc, main process only).

Usage::

    python bench/mem_trace.py CORPUS [--workers 2] [--top 25]

Runs ``Pipeline(workers=N).scan(CORPUS, every_link=False)`` (what ``dedup scan --format csv`` runs) in this
process with tracemalloc on from the start of the index-and-cluster stage (``Pipeline._collect``); workers stop
tracing as they start, so only this process pays for it. At each pool's fork from then on it prints the traced
total and the ``--top`` allocation sites (file:line, MB, blocks), with the process's RSS.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import dedup.parallel as parallel
from dedup.pipeline.run import Pipeline


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    t0 = time.perf_counter()
    set_state, fork_pool, collect = parallel._set_state, parallel._fork_pool, Pipeline._collect
    forks = [0]

    def quiet_state(state):  # a worker: no tracing there
        if tracemalloc.is_tracing():
            tracemalloc.stop()
        set_state(state)

    def traced_fork(workers, state):
        forks[0] += 1
        if tracemalloc.is_tracing():
            snap = tracemalloc.take_snapshot()
            stats = snap.statistics("lineno")
            total = sum(s.size for s in stats)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
            print(
                f"\n== fork {forks[0]} ({type(state).__name__}) at {time.perf_counter() - t0:.0f} s: traced "
                f"{total / 2**20:.0f} MB, {sum(s.count for s in stats):,} blocks; max RSS so far {rss} MB"
            )
            for s in stats[: args.top]:
                frame = s.traceback[0]
                print(f"{s.size / 2**20:9.1f} MB {s.count:>10,}  {frame.filename.split('/dedup/')[-1]}:{frame.lineno}")
        return fork_pool(workers, state)

    def traced_collect(self, batches, every_link=True):
        tracemalloc.start()
        return collect(self, batches, every_link)

    parallel._set_state = quiet_state
    parallel._fork_pool = traced_fork
    Pipeline._collect = traced_collect
    result = Pipeline(workers=args.workers).scan([args.corpus], every_link=False)
    print(f"\n{len(result.documents):,} documents, {len(result.clusters):,} clusters, {len(result.links):,} links")


if __name__ == "__main__":
    main()
