"""CPU time of each scan stage, in one process: where a document's milliseconds go.

Usage (corpus from ``bench/make_corpus.py``)::

    python bench/stages.py /tmp/c10k.jsonl

Prints a markdown table of CPU milliseconds per document (``time.process_time``) for the stages a scan runs,
each as the scan calls it: reading, page cleaning (line rules and both line folds), site boilerplate counting
(story keys and sketch), fingerprinting (site strip, shingles, content words, excerpt windows, MinHash: what a
worker does in the second pass), LSH banding (the main process's share), verification, then star clustering
with the template test on the links it reads (:mod:`dedup.pipeline.lazy`; stray attachment left out). Every
document is a candidate here (no exact-copy grouping), so the last stages are an upper bound of a scan's. The stages run in one process: what moving batches between processes costs is not in this table (see
``bench/speed.py`` for whole runs). The compiled kernels (:mod:`dedup.kernels`) are loaded before the first stage
and their load is printed on its own line: a scan pays it once per run (before forking its workers), and inside a
stage's row it would stand for per-document work it is not.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from dedup.clean import SiteBoilerplate, site_observations
from dedup.cluster import star_clusters
from dedup.io import Reader
from dedup.kernels import load as load_kernels
from dedup.lsh import MIN_SHARED_VALUES, candidate_pairs, lsh_params
from dedup.pipeline import Pipeline, ShingleStore, TextStore, find_links
from dedup.pipeline.lazy import settle_links
from dedup.pipeline.verify import decide_relations
from dedup.pipeline.workers import fingerprint
from dedup.settings import Settings

BATCH = 64  # Pipeline's batch_size


def main(corpus: str) -> None:
    timings: dict[str, float] = {}

    def timed(name: str, step: Callable[[], Any]) -> Any:
        start = time.process_time()
        result = step()
        timings[name] = time.process_time() - start
        return result

    start = time.process_time()
    loaded = load_kernels() is not None  # None: numba missing or DEDUP_KERNELS=0, every stage on numpy
    kernel_load = time.process_time() - start
    s = Settings()
    pipeline = Pipeline(s, workers=1)
    docs = timed("read JSONL", lambda: list(Reader(keep_records=False).read([corpus])))
    cleaner = pipeline.cleaner
    pages = timed(
        "line rules (+ both line folds)",
        lambda: [
            p for i in range(0, len(docs), BATCH) for p in cleaner.clean_pages_keyed(docs[i : i + BATCH], explain=False)
        ],
    )
    learner = SiteBoilerplate(s.site_min_docs, s.site_min_share)

    def count() -> None:
        for i in range(0, len(pages), BATCH):
            learner.observe_batch(site_observations(pages[i : i + BATCH]))

    timed("site boilerplate: story keys + count", count)
    cleaner.site = learner
    batches = timed(
        "fingerprint: site strip, shingles, content words, windows, MinHash",
        lambda: [
            fingerprint(pages[i : i + BATCH], cleaner, pipeline.fingerprinter, s) for i in range(0, len(pages), BATCH)
        ],
    )
    n = len(docs)
    sigs = np.concatenate([b.signatures for b in batches] + [b.window_signatures for b in batches])
    owners = np.concatenate([b.window_owners + i * BATCH for i, b in enumerate(batches)])
    reps = np.arange(n)
    banded = np.concatenate((reps, n + np.arange(owners.size)))
    groups = np.concatenate((reps, owners))
    bands, rows = lsh_params(s.lsh_threshold, s.num_perm)
    timed(
        "LSH candidates (main process)",
        lambda: candidate_pairs(sigs, bands, rows, rows_of=banded, min_shared=MIN_SHARED_VALUES, groups=groups),
    )
    with ShingleStore() as shingles, ShingleStore() as words, TextStore() as texts:
        for b in batches:
            shingles.append(b.shingles, b.sizes)
            words.append(b.words, b.word_sizes)
            texts.extend_encoded(b.texts, b.text_sizes)
        start = time.process_time()
        links = find_links(list(range(n)), shingles, texts, sigs, s, None, 1, words, owners, every_link=False)
        # find_links bands again: what is left is verification.
        timings["verification (template test left for later)"] = (
            time.process_time() - start - timings["LSH candidates (main process)"]
        )
        order = list(range(n))
        _, links = timed(
            "star clusters + template test on the links they read",
            lambda: settle_links(
                links,
                lambda view, reads: star_clusters(n, view, order, s.coverage, reads),
                lambda pairs: decide_relations(pairs, texts, s),
            ),
        )
    print("| stage | CPU ms per document |\n| --- | --- |")
    for name, seconds in timings.items():
        print(f"| {name} | {seconds / n * 1e3:.3f} |")
    print(f"| total | {sum(timings.values()) / n * 1e3:.3f} |")
    print(f"({n} documents, {len(links)} links)")
    kernels = f"compiled kernels loaded first: {kernel_load:.2f} s CPU" if loaded else "compiled kernels not used"
    print(f"({kernels}, not in the table)")


if __name__ == "__main__":
    main(sys.argv[1])
