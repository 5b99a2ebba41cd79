"""Pairwise precision and recall of `dedup scan` on the bundled fixtures against fixtures/expected_clusters.json.

Also sweeps the main settings so the defaults can be chosen by measurement:

    python bench/fixtures_eval.py            # the defaults
    python bench/fixtures_eval.py --sweep    # threshold x ngram x num_perm grid
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

from dedup.pipeline import Pipeline, ScanResult
from dedup.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


def true_pairs(truth: dict) -> set[frozenset[str]]:
    return {frozenset(p) for group in truth["clusters"] for p in itertools.combinations(group, 2)}


def predicted_pairs(result: ScanResult) -> set[frozenset[str]]:
    docs = result.documents
    return {
        frozenset((docs[a].id, docs[b].id))
        for c in result.clusters
        for (a, _), (b, _) in itertools.combinations(c.members, 2)
    }


def score(settings: Settings, inputs: list[str], truth: dict) -> tuple[float, float, int, int]:
    result = Pipeline(settings).scan(inputs)
    # Other fixture sets (formula news, site-boilerplate pages) live beside the demo corpus: score only the
    # documents the truth file covers.
    universe = {i for group in truth["clusters"] for i in group} | set(truth["singletons"])
    pred = {p for p in predicted_pairs(result) if p <= universe}
    gold = true_pairs(truth)
    tp = len(pred & gold)
    precision = tp / len(pred) if pred else 1.0
    recall = tp / len(gold) if gold else 1.0
    return precision, recall, len(pred), len(gold)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sweep", action="store_true")
    args = ap.parse_args()
    truth = json.loads((FIXTURES / "expected_clusters.json").read_text(encoding="utf-8"))
    inputs = [str(FIXTURES)]
    grid = (
        [
            Settings(threshold=t, ngram=n, num_perm=p)
            for t in (0.3, 0.4, 0.5, 0.6, 0.7)
            for n in (2, 3, 4, 5)
            for p in (64, 128)
        ]
        if args.sweep
        else [Settings()]
    )
    print(f"{'threshold':>9} {'ngram':>5} {'perm':>4} {'precision':>9} {'recall':>6} {'pairs':>5} {'true':>4}")
    for s in grid:
        p, r, n_pred, n_true = score(s, inputs, truth)
        print(f"{s.threshold:>9} {s.ngram:>5} {s.num_perm:>4} {p:>9.3f} {r:>6.3f} {n_pred:>5} {n_true:>4}")


if __name__ == "__main__":
    main()
