"""Precision and recall of `dedup scan` on the labelled SaudiNewsNet pairs (real wire copies and look-alikes).

A labelled pair counts as merged when both articles sit in one cluster of a scan over all 15,042 articles.
DUP pairs should be merged (recall); TEMPLATE, SAME_EVENT and UNRELATED pairs should not (precision is taken over
the merged labelled pairs). The data is read from ../shared (research-only licence: never copied here).

    python bench/snn_pairs.py [--threshold 0.5] [--containment 0.8] [--ngram 3] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from dedup.pipeline import Pipeline
from dedup.settings import Settings

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "saudinewsnet-dev"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--threshold", type=float, default=Settings.threshold)
    ap.add_argument("--containment", type=float, default=Settings.containment)
    ap.add_argument("--ngram", type=int, default=Settings.ngram)
    ap.add_argument("--num-perm", type=int, default=Settings.num_perm)
    ap.add_argument("--lsh-threshold", type=float, default=Settings.lsh_threshold)
    ap.add_argument("--no-templates", action="store_true")
    ap.add_argument("--attach-strong", type=float, default=Settings.attach_strong)
    ap.add_argument("--attach-floor", type=float, default=Settings.attach_floor)
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    settings = Settings(
        threshold=args.threshold,
        containment=args.containment,
        ngram=args.ngram,
        num_perm=args.num_perm,
        lsh_threshold=args.lsh_threshold,
        templates=not args.no_templates,
        attach_strong=args.attach_strong,
        attach_floor=args.attach_floor,
    )
    t0 = time.perf_counter()
    result = Pipeline(settings).scan([str(args.data / "docs.jsonl.gz")])
    elapsed = time.perf_counter() - t0
    cluster_of = {}
    for k, c in enumerate(result.clusters):
        for m, _ in c.members:
            cluster_of[result.documents[m].id] = k
    pairs = [json.loads(line) for line in (args.data / "pairs-labelled.jsonl").open(encoding="utf-8")]
    merged = Counter()
    total = Counter()
    misses = []
    for p in pairs:
        a, b = cluster_of.get(p["id1"]), cluster_of.get(p["id2"])
        together = a is not None and a == b
        total[p["label"]] += 1
        merged[p["label"]] += together
        if (p["label"] == "DUP") != together:
            misses.append((p["label"], together, p["id1"], p["id2"], p.get("reason", "")))
    # Star clustering keeps every member a verified copy of the kept one, so a verified pair can still end up
    # in two clusters (each member taken by another centre first): count the pairs verified directly, too.
    index = {d.id: i for i, d in enumerate(result.documents)}
    linked = {(min(link.a, link.b), max(link.a, link.b)) for link in result.links if link.relation == "duplicate"}
    verified = sum(
        1
        for p in pairs
        if p["label"] == "DUP"
        and (
            tuple(sorted((index[p["id1"]], index[p["id2"]]))) in linked
            or (cluster_of.get(p["id1"]) is not None and cluster_of.get(p["id1"]) == cluster_of.get(p["id2"]))
        )
    )
    tp = merged["DUP"]
    fp = sum(v for k, v in merged.items() if k != "DUP")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / total["DUP"] if total["DUP"] else 0.0
    docs = len(result.documents)
    print(
        f"documents {docs}  clusters {len(result.clusters)}  redundant {sum(len(c.members) - 1 for c in result.clusters)}"
        f"  template links {len(result.template_links)}  time {elapsed:.1f}s ({docs / elapsed:.0f} docs/s)"
    )
    for label in sorted(total):
        print(f"  {label:<11} merged {merged[label]:>3} / {total[label]}")
    print(
        f"DUP pairs: precision {precision:.3f}  recall {recall:.3f}  "
        f"(settings: threshold {args.threshold}, containment {args.containment}, ngram {args.ngram}, "
        f"num_perm {args.num_perm}, lsh_threshold {args.lsh_threshold}, templates {not args.no_templates})"
    )
    print(f"DUP pairs verified as duplicates (a direct link, or one cluster): {verified} / {total['DUP']}")
    if args.show_misses:
        for m in misses:
            print("  MISS" if m[0] == "DUP" else "  FALSE", *m)


if __name__ == "__main__":
    main()
