"""CPU time of each scan stage, in one process: where a document's milliseconds go.

Usage (corpus from ``bench/make_corpus.py``)::

    python bench/stages.py /tmp/c10k.jsonl

Prints a markdown table of CPU milliseconds per document (``time.process_time``) for reading, line rules, site
boilerplate (count, strip), shingles, signatures and LSH + verification + template test. Every document is a
candidate here (no exact-copy grouping), so the last stage is an upper bound of a scan's.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from dedup.clean import SiteBoilerplate
from dedup.io import Reader
from dedup.pipeline import Pipeline, TextStore, find_links
from dedup.settings import Settings

BATCH = 64


def main(corpus: str) -> None:
    timings: dict[str, float] = {}

    def timed(name: str, step: Callable[[], Any]) -> Any:
        start = time.process_time()
        result = step()
        timings[name] = time.process_time() - start
        return result

    pipeline = Pipeline(Settings(), workers=1)
    docs = timed("read JSONL", lambda: list(Reader().read([corpus])))
    pages = timed("line rules (+ normalise lines)", lambda: [pipeline.cleaner.clean_page_keyed(d) for d in docs])
    learner = SiteBoilerplate()

    def count() -> None:
        for i in range(0, len(pages), BATCH):
            learner.observe_batch([p.site_observation() for p in pages[i : i + BATCH]])

    timed("site boilerplate: count", count)
    pipeline.cleaner.site = learner
    cleaned = timed("site boilerplate: strip", lambda: [pipeline.cleaner.clean_site_keyed(p) for p in pages])
    norms = [norm for _, norm in cleaned]
    fp = pipeline.fingerprinter
    sets = timed("shingles", lambda: [fp.text_shingles(n) for n in norms])
    sigs = timed(
        "MinHash signatures",
        lambda: np.concatenate([fp.signatures(sets[i : i + BATCH]) for i in range(0, len(sets), BATCH)]),
    )
    with TextStore() as texts:
        texts.extend(norms)
        links = timed(
            "LSH + verification + template test",
            lambda: find_links(list(range(len(norms))), sets, texts, sigs, Settings()),
        )
    n = len(docs)
    print("| stage | CPU ms per document |\n| --- | --- |")
    for name, seconds in timings.items():
        print(f"| {name} | {seconds / n * 1e3:.3f} |")
    print(f"| total | {sum(timings.values()) / n * 1e3:.3f} |")
    print(f"({n} documents, {len(links)} links)")


if __name__ == "__main__":
    main(sys.argv[1])
