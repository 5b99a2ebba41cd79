"""Precision and recall of `dedup scan` on the labelled SaudiNewsNet pairs (real wire copies and look-alikes).

A labelled pair counts as merged when both articles sit in one cluster of a scan over all 15,042 articles.
DUP pairs should be merged (recall); TEMPLATE, SAME_EVENT and UNRELATED pairs should not (precision is taken over
the merged labelled pairs). The data is read from ../shared (research-only licence: never copied here); the pairs
are the 132 of ``pairs-labelled.jsonl`` beside it plus every ``bench/data/snn-pairs-*.jsonl`` (ids, label, reason
only), or the files given with ``--pairs``. A pair labelled twice counts once (its first label; conflicts are
printed).

Each pair gets an *evidence class*, the stage that decided it (issue #17's classes):

* ``merged: shingles`` / ``merged: rewrite``: one cluster, linked directly on 3-gram similarity or as a rewrite
  below the thresholds (dedup.evidence); ``merged: via cluster``: one cluster without a direct link;
* ``below thresholds``: 3-gram Jaccard and containment below the verification thresholds (rewrites);
* ``not proposed``: the pair passes them but MinHash LSH never proposed it;
* ``order test``: verified, then dropped as shared fragments out of order (dedup.templates, "different");
* ``template test``: verified, then called template siblings, with the fact substitutions that decided it;
* ``coverage rule``: a duplicate link, but neither text covers the other;
* ``clustering``: a duplicate link that covers, and the two ended in different clusters.

The pairs are split into a *tune* part (two thirds) and a *held* part by a CRC32 of their sorted ids
(:func:`part`): decisions are tuned on the tune part's misses and false merges, and kept only when the held part
does not lose. Recall and precision are printed for both parts side by side, per label, per evidence class and
per pairs file; ``--show-misses`` lists every tune pair on the wrong side with its evidence (held pairs are
never listed); ``--save`` / ``--against`` compare two runs pair by pair. Classes need the pairs' texts: the month is read a second time (cleaned
with the site boilerplate learned on the whole month, as the scan cleans them). CPU per document is the scan's
process time (this process and its workers, user + sys) over the documents; wall time beside it.

    python bench/snn_pairs.py [--pairs FILE ...] [--no-rewrites] [--workers 2] [--repeat 3] [--show-misses]
        [--save run.json] [--against before.json]
    python bench/snn_pairs.py --decision-cost [CORPUS]   # the rewrite decision's own CPU per document
"""

from __future__ import annotations

import argparse
import json
import resource
import time
import zlib
from collections import Counter
from pathlib import Path

from dedup.cluster import TEMPLATE, VerifyOptions
from dedup.fingerprint import Fingerprinter, jaccard_containment
from dedup.normalize import normalize
from dedup.pipeline import Pipeline
from dedup.settings import Settings
from dedup.templates import explain

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "saudinewsnet-dev"
LABELS = ("DUP", "TEMPLATE", "SAME_EVENT", "UNRELATED")
PARTS = ("tune", "held")


def cpu_seconds() -> float:
    """User + sys time of this process and of its reaped children (the scan's worker processes)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def read_pairs(files: list[Path]) -> list[dict]:
    """The labelled pairs of ``files``, each pair once (its first label), with the file it came from."""
    seen: dict[tuple[str, str], dict] = {}
    for path in files:
        for n, line in enumerate(path.open(encoding="utf-8"), start=1):
            if not line.strip():
                continue
            try:
                p = json.loads(line)
                key = tuple(sorted((p["id1"], p["id2"])))
                label = p["label"]
            except (ValueError, KeyError, TypeError) as err:
                raise SystemExit(f"{path}:{n}: not a labelled pair ({err})") from None
            if label not in LABELS:
                raise SystemExit(f"{path}:{n}: unknown label {label!r}")
            if key in seen:
                if seen[key]["label"] != label:
                    print(
                        f"conflict: {key[0]} {key[1]} {seen[key]['label']} ({seen[key]['file']}) / {label} ({path.name})"
                    )
                continue
            seen[key] = {**p, "file": path.name}
    return list(seen.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument(
        "--pairs", type=Path, nargs="+", help="labelled pairs files (default: the shared ones + bench/data)"
    )
    ap.add_argument("--threshold", type=float, default=Settings.threshold)
    ap.add_argument("--containment", type=float, default=Settings.containment)
    ap.add_argument("--ngram", type=int, default=Settings.ngram)
    ap.add_argument("--num-perm", type=int, default=Settings.num_perm)
    ap.add_argument("--lsh-threshold", type=float, default=Settings.lsh_threshold)
    ap.add_argument("--no-templates", action="store_true")
    ap.add_argument("--no-rewrites", action="store_true", help="no rewrite links below the thresholds")
    ap.add_argument("--attach-strong", type=float, default=Settings.attach_strong)
    ap.add_argument("--attach-floor", type=float, default=Settings.attach_floor)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=1, help="scans to time (the fastest CPU time is printed)")
    ap.add_argument("--show-misses", action="store_true", help="the tune part's pairs on the wrong side")
    ap.add_argument(
        "--setting", action="append", default=[], metavar="NAME=VALUE", help="any other setting, e.g. rewrite_words=0.6"
    )
    ap.add_argument(
        "--decision-cost",
        nargs="?",
        const="",
        metavar="CORPUS",
        help="only time the rewrite decision inside a one-worker scan of CORPUS (default: the dev month)",
    )
    ap.add_argument("--save", type=Path, help="write each pair's part, label, class and evidence (JSON)")
    ap.add_argument("--against", type=Path, help="pairs newly merged or split since a --save run")
    args = ap.parse_args()
    extra = {"rewrites": False} if args.no_rewrites else {}  # a release without rewrites has no such setting
    for item in args.setting:
        name, _, value = item.partition("=")
        if not hasattr(Settings, name):
            raise SystemExit(f"--setting {item}: no setting {name!r}")
        extra[name] = value.lower() == "true" if value.lower() in ("true", "false") else float(value)
    settings = Settings(
        threshold=args.threshold,
        containment=args.containment,
        ngram=args.ngram,
        num_perm=args.num_perm,
        lsh_threshold=args.lsh_threshold,
        templates=not args.no_templates,
        attach_strong=args.attach_strong,
        attach_floor=args.attach_floor,
        **extra,
    )
    if args.decision_cost is not None:
        decision_cost(settings, args.decision_cost or str(args.data / "docs.jsonl.gz"))
        return
    files = args.pairs or [
        args.data / "pairs-labelled.jsonl",
        *sorted((ROOT / "bench" / "data").glob("snn-pairs-*.jsonl")),
    ]
    pairs = read_pairs(files)
    timings = []
    for _ in range(max(1, args.repeat)):
        cpu0, t0 = cpu_seconds(), time.perf_counter()
        result = Pipeline(settings, workers=args.workers).scan([str(args.data / "docs.jsonl.gz")])
        timings.append((cpu_seconds() - cpu0, time.perf_counter() - t0))
    cpu, wall = min(timings)
    docs = len(result.documents)
    cluster_of = {}
    for k, c in enumerate(result.clusters):
        for m, _ in c.members:
            cluster_of[result.documents[m].id] = k
    classes = classify(args, settings, result, pairs, cluster_of)
    print(
        f"documents {docs}  clusters {len(result.clusters)}  redundant {sum(len(c.members) - 1 for c in result.clusters)}"
        f"  template links {len(result.template_links)}  rewrite links {sum(1 for lk in result.links if getattr(lk, 'evidence', None))}"
    )
    print(
        f"scan CPU {1000 * cpu / docs:.2f} ms/document (user+sys, workers included; best of {len(timings)}: "
        + ", ".join(f"{c:.1f}s" for c, _ in timings)
        + f")  wall {wall:.1f}s ({docs / wall:.0f} docs/s)"
    )
    print(
        f"pairs: {len(pairs)} from " + ", ".join(f"{f.name} {sum(p['file'] == f.name for p in pairs)}" for f in files)
    )
    merged = {(p["id1"], p["id2"]): classes[(p["id1"], p["id2"])][0].startswith("merged") for p in pairs}
    parts = {name: [p for p in pairs if part(p) == name] for name in PARTS}
    print("DUP precision and recall (tune: read and tuned on; held: only counted):")
    for name, chosen in [("all pairs", pairs), *[(f"{n} part", parts[n]) for n in PARTS]]:
        report(name, chosen, merged)
    for f in files:
        report(f.name, [p for p in pairs if p["file"] == f.name], merged)
    side_by_side(parts, classes, merged)
    print(
        f"(settings: threshold {args.threshold}, containment {args.containment}, ngram {args.ngram}, num_perm "
        f"{args.num_perm}, lsh_threshold {args.lsh_threshold}, templates {not args.no_templates}, "
        f"rewrites {getattr(settings, 'rewrites', None)})"
    )
    if args.save:
        rows = {f"{p['id1']} {p['id2']}": [part(p), p["label"], *classes[(p["id1"], p["id2"])]] for p in pairs}
        args.save.write_text(json.dumps(rows, ensure_ascii=False, indent=0), encoding="utf-8")
    if args.against:
        changes(args.against, pairs, classes, merged)
    if args.show_misses:  # the tune part only: the held part is read by nobody tuning the decision
        for p in parts["tune"]:
            together = merged[(p["id1"], p["id2"])]
            if (p["label"] == "DUP") != together:
                print(
                    "  MISS" if p["label"] == "DUP" else "  FALSE", p["label"], p["id1"], p["id2"], p.get("reason", "")
                )
                print("       ", "{}: {}".format(*classes[(p["id1"], p["id2"])]))


def decision_cost(settings: Settings, corpus: str) -> None:
    """Process time spent in the rewrite decision (:class:`dedup.evidence.RewriteJudge`) during a one-worker scan
    of ``corpus`` (in this process, so that each call can be timed), per document, and how the calls ended."""
    from dedup import evidence

    plain = evidence.RewriteJudge.__call__
    spent, ends = [0.0], Counter()

    def timed(judge, a: int, b: int, containment: float):
        t = time.process_time()
        found = plain(judge, a, b, containment)
        spent[0] += time.process_time() - t
        ends[found.reason] += 1
        return found

    evidence.RewriteJudge.__call__ = timed  # type: ignore[method-assign]
    t0 = time.process_time()
    n = len(Pipeline(settings, workers=1).scan([corpus]).documents)
    total = time.process_time() - t0
    print(
        f"rewrite decision {1000 * spent[0] / n:.3f} ms/document of a {1000 * total / n:.2f} ms/document scan"
        f" ({n} documents, {sum(ends.values())} calls)"
    )
    print("  calls by outcome:", ", ".join(f"{k} {v}" for k, v in ends.most_common()))


def part(pair: dict) -> str:
    """``"held"`` for a third of the pairs (CRC32 of the sorted ids), ``"tune"`` for the rest: a stable split
    that does not depend on the file a pair came from or on the order of the files.

    >>> part({"id1": "snn-2015-07-26-00888", "id2": "snn-2015-07-27-00306"})
    'tune'
    """
    a, b = sorted((pair["id1"], pair["id2"]))
    return "held" if zlib.crc32(f"{a} {b}".encode()) % 3 == 0 else "tune"


def report(name: str, pairs: list[dict], merged: dict) -> None:
    """Merged pairs per label, and DUP precision and recall, for ``pairs``."""
    total = Counter(p["label"] for p in pairs)
    hits = Counter(p["label"] for p in pairs if merged[(p["id1"], p["id2"])])
    tp, fp = hits["DUP"], sum(v for k, v in hits.items() if k != "DUP")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / total["DUP"] if total["DUP"] else 0.0
    labels = "  ".join(f"{label} {hits[label]}/{total[label]}" for label in LABELS if total[label])
    print(f"  {name:<22} precision {precision:.3f}  recall {recall:.3f}  merged: {labels}")


def side_by_side(parts: dict[str, list[dict]], classes: dict, merged: dict) -> None:
    """Per label (share merged) and per evidence class (pairs of each label in it), tune and held side by side.
    A class's precision is the share of DUP among its merged pairs; its recall share is its DUP pairs over all
    DUP pairs of the part."""
    print(f"{'':<34}" + "".join(f"{n:>24}" for n in PARTS))
    for label in LABELS:
        cells = []
        for n in PARTS:
            chosen = [p for p in parts[n] if p["label"] == label]
            hit = sum(merged[(p["id1"], p["id2"])] for p in chosen)
            cells.append(f"{hit}/{len(chosen)} = {hit / len(chosen) if chosen else 0:.3f}")
        print(f"  merged {label:<25}" + "".join(f"{c:>24}" for c in cells))
    stages = sorted({classes[(p["id1"], p["id2"])][0] for ps in parts.values() for p in ps})
    print("  evidence class (DUP / TEMPLATE / SAME_EVENT / UNRELATED pairs in it):")
    for stage in stages:
        cells = []
        for n in PARTS:
            count = Counter(p["label"] for p in parts[n] if classes[(p["id1"], p["id2"])][0] == stage)
            dups = sum(p["label"] == "DUP" for p in parts[n])
            cell = "/".join(str(count[label]) for label in LABELS)
            if stage.startswith("merged") and count.total():
                cell += f" p {count['DUP'] / count.total():.2f}"
            cell += f" r {count['DUP'] / dups if dups else 0:.2f}"
            cells.append(cell)
        print(f"    {stage:<30}" + "".join(f"{c:>24}" for c in cells))


def changes(path: Path, pairs: list[dict], classes: dict, merged: dict) -> None:
    """Pairs newly merged or newly split against a run saved with ``--save``: counts per part and label, and the
    tune part's pairs by name (the held part's are counted only)."""
    before = json.loads(path.read_text(encoding="utf-8"))
    moved: Counter = Counter()
    for p in pairs:
        old = before.get(f"{p['id1']} {p['id2']}")
        if old is None:
            continue
        was, now = old[2].startswith("merged"), merged[(p["id1"], p["id2"])]
        if was != now:
            change = "newly merged" if now else "newly split"
            moved[(part(p), p["label"], change)] += 1
            if part(p) == "tune":
                print(
                    f"  {change}: {p['label']} {p['id1']} {p['id2']} ({old[2]} -> {classes[(p['id1'], p['id2'])][0]})"
                )
    print(f"against {path.name}:", ", ".join(f"{k[0]} {k[1]} {k[2]} {v}" for k, v in sorted(moved.items())) or "same")


def classify(args, settings: Settings, result, pairs: list[dict], cluster_of: dict) -> dict:
    """``(id1, id2) -> (class, evidence)`` for every labelled pair (see the module docstring for the classes)."""
    needed = {p["id1"] for p in pairs} | {p["id2"] for p in pairs}
    tokens = {
        d.id: normalize(d.full_text, settings.normalize).split()
        for d in Pipeline(settings, workers=args.workers).documents([str(args.data / "docs.jsonl.gz")], explain=False)
        if d.id in needed
    }
    fp = Fingerprinter(num_perm=settings.num_perm, ngram=settings.ngram, seed=settings.seed)
    options = VerifyOptions(settings.threshold, settings.containment, coverage=settings.coverage)
    index = {d.id: i for i, d in enumerate(result.documents)}
    links = {(min(link.a, link.b), max(link.a, link.b)): link for link in result.links}
    out = {}
    for p in pairs:
        a, b = p["id1"], p["id2"]
        if a not in tokens or b not in tokens:
            raise SystemExit(f"{p['file']}: {a} or {b} is not a document of {args.data}")
        sa, sb = fp.shingles(tokens[a]), fp.shingles(tokens[b])
        jac, con = jaccard_containment(sa, sb)
        evidence = f"jaccard {jac:.2f} containment {con:.2f}"
        link = links.get(tuple(sorted((index[a], index[b]))))
        found = getattr(link, "evidence", None)
        if found is not None:
            evidence += f", {found.describe()}"
        elif args.show_misses and settings.templates:
            rel = explain(tokens[a], tokens[b])
            evidence += f", {rel.kind}, in order {rel.ordered:.2f}" + "".join(
                f"; {s.kind}: {s.a} / {s.b}" for s in rel.substitutions
            )
        if cluster_of.get(a) is not None and cluster_of.get(a) == cluster_of.get(b):
            stage = "merged: via cluster" if link is None else ("merged: rewrite" if found else "merged: shingles")
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
        elif settings.templates and explain(tokens[a], tokens[b]).kind == "different":
            stage = "order test"
        else:
            stage = "not proposed"
        out[(a, b)] = (stage, evidence)
    return out


if __name__ == "__main__":
    main()
