"""Precision and recall of `dedup scan` on the labelled SaudiNewsNet pairs (real wire copies and look-alikes).

A labelled pair counts as merged when both articles sit in one cluster of a scan over all 15,042 articles.
DUP pairs should be merged (recall); TEMPLATE, SAME_EVENT and UNRELATED pairs should not (precision is taken over
the merged labelled pairs). The data is read from ../shared (research-only licence: never copied here).

``--show-misses`` lists every pair on the wrong side with the stage that put it there (issue #17's classes):

* ``below thresholds``: the pair's 3-gram Jaccard and containment are below the verification thresholds (rewrites);
* ``not proposed``: the pair passes them but MinHash LSH never proposed it;
* ``order test``: verified, then dropped as shared fragments out of order (dedup.templates, "different");
* ``template test``: verified, then called template siblings, with the fact substitutions that decided it;
* ``coverage rule``: a duplicate link, but neither text covers the other;
* ``clustering``: a duplicate link that covers, and the two ended in different clusters.

and counts the pairs of each label in each class. It reads the pairs' documents a second time (cleaned with the
site boilerplate learned on the whole month, as the scan cleans them) to get their texts.

    python bench/snn_pairs.py [--threshold 0.5] [--containment 0.8] [--ngram 3] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from dedup.cluster import TEMPLATE, VerifyOptions
from dedup.fingerprint import Fingerprinter, jaccard_containment
from dedup.normalize import normalize
from dedup.pipeline import Pipeline
from dedup.settings import Settings
from dedup.templates import explain

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
        classes = classify(args, settings, result, pairs, cluster_of)
        for m in misses:
            print("  MISS" if m[0] == "DUP" else "  FALSE", *m)
            print("       ", "{}: {}".format(*classes[(m[2], m[3])]))
        print("pairs by label and stage (merged pairs are 'merged'):")
        table = Counter((p["label"], classes[(p["id1"], p["id2"])][0]) for p in pairs)
        for label in sorted(total):
            row = {c: n for (lab, c), n in table.items() if lab == label}
            print(f"  {label:<11}", "  ".join(f"{c} {n}" for c, n in sorted(row.items(), key=lambda x: -x[1])))


def classify(args, settings: Settings, result, pairs: list[dict], cluster_of: dict) -> dict:
    """``(id1, id2) -> (stage, evidence)`` for every labelled pair (see the module docstring for the stages)."""
    needed = {p["id1"] for p in pairs} | {p["id2"] for p in pairs}
    tokens = {
        d.id: normalize(d.full_text, settings.normalize).split()
        for d in Pipeline(settings).documents([str(args.data / "docs.jsonl.gz")], explain=False)
        if d.id in needed
    }
    fp = Fingerprinter(num_perm=settings.num_perm, ngram=settings.ngram, seed=settings.seed)
    options = VerifyOptions(settings.threshold, settings.containment, coverage=settings.coverage)
    index = {d.id: i for i, d in enumerate(result.documents)}
    links = {(min(link.a, link.b), max(link.a, link.b)): link for link in result.links}
    out = {}
    for p in pairs:
        a, b = p["id1"], p["id2"]
        sa, sb = fp.shingles(tokens[a]), fp.shingles(tokens[b])
        jac, con = jaccard_containment(sa, sb)
        evidence = f"jaccard {jac:.2f} containment {con:.2f}"
        link = links.get(tuple(sorted((index[a], index[b]))))
        rel = explain(tokens[a], tokens[b]) if settings.templates else None
        if rel is not None:
            evidence += f", {rel.kind}, in order {rel.ordered:.2f}" + "".join(
                f"; {s.kind}: {s.a} / {s.b}" for s in rel.substitutions
            )
        if cluster_of.get(a) is not None and cluster_of.get(a) == cluster_of.get(b):
            stage = "merged"
        elif link is not None and link.relation == TEMPLATE:
            stage = "template test"
        elif link is not None:
            covered = max(link.a_in_b, link.b_in_a) >= options.coverage
            stage = "clustering" if covered else "coverage rule"
            evidence += f", coverage {link.a_in_b:.2f} / {link.b_in_a:.2f}"
        elif jac < options.threshold and not (
            con >= options.containment and min(sa.size, sb.size) >= options.min_containment_shingles
        ):
            stage = "below thresholds"
        elif rel is not None and rel.kind == "different":
            stage = "order test"
        else:
            stage = "not proposed"
        out[(a, b)] = (stage, evidence)
    return out


if __name__ == "__main__":
    main()
