"""CPU of the main process and of the workers of a scan, by phase, and when only one process could run
(issue 15: the main process's serial work, and wall time lost with a core idle).

Usage (from the repo root; a corpus from ``bench/make_corpus.py``)::

    python bench/main_phases.py /tmp/speed-10k.jsonl 2

Runs ``Pipeline(workers=N).scan(corpus)`` as ``dedup scan`` does (the template test only on the links clustering
reads) and reads, at the end of each phase, the process CPU time of this process (all its threads: the pool's
result threads unpickle there) and of the workers it has waited for. Phases: warm-up (kernels, tables), pass 1 (read, clean, learn site
boilerplate), pass 2 (fingerprint and collect), LSH and verification, then the lazy template test: clustering
runs (this process; the first in parts, the workers testing the pairs each part read meanwhile) and waits for
the template tests (workers), then the rest. Prints ms per document (the workers' CPU is counted when their pool
ends: the kept pool of the template tests, after the last wait).

A sampler process reads the state of this process and of its children every 5 ms (``/proc``, Linux): ``alone``
is the time when no more than one of them was runnable, i.e. when one of two cores idled on a quiet machine
(on a loaded one, where every process runs slower, it is the same moments, stretched). Without ``/proc`` the
column is left empty. ``faults k``: thousands of minor page faults of this process and of the workers, ``sys s``:
their system CPU seconds (memory handed back to the kernel and faulted in again is paid there).
"""

from __future__ import annotations

import itertools
import os
import resource
import subprocess
import sys
import tempfile
import time

import dedup.pipeline.lazy as lazy
import dedup.pipeline.run as run
import dedup.pipeline.verify as verify
from dedup.pipeline.run import Pipeline
from dedup.settings import Settings

marks: list[tuple[str, float, float, float, int, int, float, float]] = []


def mark(name: str) -> None:
    me, ch = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    marks.append(
        (
            name, time.process_time(), ch.ru_utime + ch.ru_stime, time.time(), me.ru_minflt, ch.ru_minflt,
            me.ru_stime, ch.ru_stime,
        )
    )  # fmt: skip


def wrap(module, name: str, before: str | None = None, after: str | None = None) -> None:  # type: ignore[no-untyped-def]
    original = getattr(module, name)

    def wrapped(*a, **k):  # type: ignore[no-untyped-def]
        if before:
            mark(before)
        out = original(*a, **k)
        if after:
            mark(after)
        return out

    setattr(module, name, wrapped)


def _runnable(pid: int) -> tuple[int, int]:
    """How many of ``pid`` (0 or 1) and of its descendants (any) are runnable now."""
    tree, k, states = [pid], 0, []
    while k < len(tree):
        try:
            for task in os.listdir(f"/proc/{tree[k]}/task"):
                with open(f"/proc/{tree[k]}/task/{task}/children") as fh:
                    tree += [int(x) for x in fh.read().split() if int(x) != os.getpid()]  # not this sampler
            with open(f"/proc/{tree[k]}/stat") as fh:
                stat = fh.read()
            states.append(stat[stat.rindex(")") + 2] == "R")
        except (OSError, ValueError):
            states.append(False)
        k += 1
    return int(states[0]), sum(states[1:])


def sample(pid: int, out: str) -> None:
    """Write ``time main workers`` lines while ``pid`` lives (the sampler process)."""
    with open(out, "w") as fh:
        while os.path.exists(f"/proc/{pid}"):
            main, workers = _runnable(pid)
            fh.write(f"{time.time():.4f} {main} {workers}\n")
            time.sleep(0.005)


def alone(samples: list[tuple[float, int, int]], start: float, end: float) -> float:
    """Seconds between ``start`` and ``end`` when at most one process of the scan was runnable."""
    total = 0.0
    for (t, main, workers), (t2, _, _) in itertools.pairwise(samples):
        if start <= t < end and main + workers <= 1:
            total += min(t2, end) - t
    return total


def main() -> None:
    if sys.argv[1] == "--sample":
        sample(int(sys.argv[2]), sys.argv[3])
        return
    corpus, workers = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2
    wrap(run.Pipeline, "_warm_up", after="warm-up (kernels, tables)")
    wrap(run, "keep_order", before="pass 2 (fingerprint, collect)")
    wrap(run, "find_links", before="keep order, exact groups", after="verification")
    wrap(verify, "candidate_blocks", after="LSH banding")
    wrap(run, "expand_exact", before="after the last run")
    settle = lazy.settle_links

    def settle_marked(links, cluster, decide, *rest):  # type: ignore[no-untyped-def]
        def cluster_marked(view, reads):  # type: ignore[no-untyped-def]
            out = cluster(view, reads)
            mark(f"clustering run ({len(view)} links)")
            return out

        def decide_marked(pairs):  # type: ignore[no-untyped-def]
            out = decide(pairs)
            if not callable(out):
                mark(f"template test ({len(pairs)} pairs)")
                return out

            def waited():  # type: ignore[no-untyped-def]
                answers = out()
                mark(f"waited for tests ({len(pairs)} pairs)")
                return answers

            return waited

        return settle(links, cluster_marked, decide_marked, *rest)

    run.settle_links = settle_marked
    shared = Pipeline._shared_page_batches

    def first_marked(self, *a, **k):  # type: ignore[no-untyped-def]
        for k_, batch in enumerate(shared(self, *a, **k)):
            if k_ == 0:
                mark("pass 1 (read, clean, site)")
            yield batch

    Pipeline._shared_page_batches = first_marked  # type: ignore[method-assign]
    with open(corpus, "rb") as fh:
        n = sum(1 for _ in fh)
    pipeline = Pipeline(Settings(), workers=workers)
    samples_file = tempfile.mktemp(prefix="dedup-phases-")
    sampler = None
    if os.path.exists(f"/proc/{os.getpid()}/stat"):
        sampler = subprocess.Popen([sys.executable, __file__, "--sample", str(os.getpid()), samples_file])
    mark("start")
    pipeline.scan([corpus], every_link=False)
    mark("end")
    samples: list[tuple[float, int, int]] = []
    if sampler is not None:
        sampler.terminate()
        sampler.wait()
        with open(samples_file) as fh:
            samples = [(float(t), int(m), int(w)) for t, m, w in (line.split() for line in fh if line.count(" ") == 2)]
        os.unlink(samples_file)
    print(f"{n} documents, {workers} workers; CPU ms per document; alone: s with at most one process runnable")
    for prev, cur in itertools.pairwise(marks):
        main_ms, workers_ms = 1e3 * (cur[1] - prev[1]) / n, 1e3 * (cur[2] - prev[2]) / n
        lone = f"{alone(samples, prev[3], cur[3]):6.2f} s" if samples else ""
        print(
            f"{cur[0]:32s} main {main_ms:6.3f}   workers {workers_ms:6.3f}   wall {cur[3] - prev[3]:6.2f} s"
            f"   alone {lone}   faults k {(cur[4] - prev[4]) / 1e3:6.1f} {(cur[5] - prev[5]) / 1e3:6.1f}"
            f"   sys s {cur[6] - prev[6]:5.2f} {cur[7] - prev[7]:5.2f}"
        )
    total = 1e3 * (marks[-1][1] - marks[0][1]) / n
    lone = f"{alone(samples, marks[0][3], marks[-1][3]):6.2f} s" if samples else ""
    print(
        f"{'total':32s} main {total:6.3f}   workers {1e3 * (marks[-1][2] - marks[0][2]) / n:6.3f}"
        f"   wall {marks[-1][3] - marks[0][3]:6.2f} s   alone {lone}"
        f"   faults k {(marks[-1][4] - marks[0][4]) / 1e3:6.1f} {(marks[-1][5] - marks[0][5]) / 1e3:6.1f}"
        f"   sys s {marks[-1][6] - marks[0][6]:5.2f} {marks[-1][7] - marks[0][7]:5.2f}"
    )


if __name__ == "__main__":
    main()
