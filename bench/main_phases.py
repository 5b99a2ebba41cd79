"""CPU of the main process and of the workers of a scan, by phase (issue 15: the main process's serial work).

Usage (from the repo root; a corpus from ``bench/make_corpus.py``)::

    python bench/main_phases.py /tmp/speed-10k.jsonl 2

Runs ``Pipeline(workers=N).scan(corpus)`` as ``dedup scan`` does (the template test only on the links clustering
reads) and reads, at the end of each phase, the process CPU time of this process (all its threads: the pool's
result threads unpickle there) and of the workers it has waited for. Phases: pass 1 (read, clean, learn site
boilerplate), pass 2 (fingerprint and collect), LSH and verification, clustering. Prints ms per document.
"""

from __future__ import annotations

import itertools
import resource
import sys
import time

import dedup.pipeline.run as run
from dedup.pipeline.run import Pipeline
from dedup.settings import Settings

marks: list[tuple[str, float, float, float]] = []


def mark(name: str) -> None:
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    marks.append((name, time.process_time(), ch.ru_utime + ch.ru_stime, time.time()))


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


def main() -> None:
    corpus, workers = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2
    wrap(run, "find_links", before="pass 2 (fingerprint, collect)", after="LSH + verification")
    wrap(run, "expand_exact", before="clustering")
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
    mark("start")
    pipeline.scan([corpus], every_link=False)
    mark("end")
    print(f"{n} documents, {workers} workers; CPU ms per document")
    for prev, cur in itertools.pairwise(marks):
        main_ms, workers_ms = 1e3 * (cur[1] - prev[1]) / n, 1e3 * (cur[2] - prev[2]) / n
        print(f"{cur[0]:32s} main {main_ms:6.3f}   workers {workers_ms:6.3f}   wall {cur[3] - prev[3]:6.1f} s")
    total = 1e3 * (marks[-1][1] - marks[0][1]) / n
    print(f"{'total':32s} main {total:6.3f}   workers {1e3 * (marks[-1][2] - marks[0][2]) / n:6.3f}")


if __name__ == "__main__":
    main()
