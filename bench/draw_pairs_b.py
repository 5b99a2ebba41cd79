"""Draw candidate SaudiNewsNet pairs for hand labelling, helper B's half (issue #17, "More labelled dev pairs").

Same recipe as ``bench/draw_pairs.py`` (helper A), written separately so both could run at once; the lead unifies
them at merge. B's half: pairs whose id1 (the smaller id) was published 2015-07-24..2015-07-31 (the dev month
only holds 07-21..07-31; A draws id1 in 07-21..07-23), so the two labelled files are disjoint by construction.

The draw never asks dedup: pairs come from the whole similarity range, not from dedup's decision, so the labels
measure recall on hard rewrites and precision on look-alikes. Deterministic: fixed seed, stable hashes (blake2b,
not Python's salted ``hash``), candidates sorted before shuffling.

How pairs are drawn
-------------------
1. Each article (title + text) is folded by a small normalisation kept in this file (Arabic letter variants,
   diacritics, tatweel, Arabic-Indic and Persian digits, punctuation, case), so that later changes to
   ``dedup.normalize`` do not change the draw; then cut into word 3-gram shingles.
2. Two candidate sources, both only for pairs published at most ``--max-days`` days apart (days from the ids):

   * ``lsh``: pairs proposed by a low-threshold datasketch MinHashLSH (``--lsh-threshold`` 0.1, 128
     permutations) on the 3-gram shingles, kept when their exact 3-gram Jaccard is at least 0.05;
   * ``rare``: pairs sharing at least ``--min-rare`` rare content words (words of 3+ letters or numbers found in
     at most ``--rare-df`` articles: names, places, figures), whose rare sets overlap by at least 0.3 of the
     smaller one, and whose 3-gram Jaccard is below 0.3: rewrites, independent reports, template siblings.

3. Candidates are binned by exact 3-gram Jaccard: 0.05-0.15, 0.15-0.30, 0.30-0.50, 0.50-0.80, 0.80-1.00, plus
   0.00-0.05 (only ``rare`` pairs fall there: the independent reports and heavy rewrites). Pairs already in
   ``pairs-labelled.jsonl`` (or an ``--exclude`` file) are dropped; each bin is shuffled with
   ``random.Random(SEED)`` and ``--per-bin`` pairs are taken, skipping a pair when one of its articles was taken
   already, so that one big family (weather, market closes) cannot fill a bin. Bins are interleaved in the output
   so that a partly labelled list still covers every bin.

Usage::

    python bench/draw_pairs_b.py draw > /tmp/cands-b.jsonl                  # candidates: ids, bin, j, source
    python bench/draw_pairs_b.py show /tmp/cands-b.jsonl 0 10               # print pairs 0..9 to read them
    python bench/draw_pairs_b.py summary bench/data/snn-pairs-b.jsonl       # label counts per bin

``bench/data/snn-pairs-b.jsonl`` was made in two rounds, each pair read in full and labelled by hand:

* round 1: ``draw`` as above (25 per bin, 150 pairs);
* round 2: ``draw --per-bin 10 --exclude r1.jsonl``, where r1.jsonl is the file's first 150 lines (round 1): the
  same seed and recipe with round 1's pairs left out, 60 pairs; an article may recur across rounds, never within
  one. Both rounds were re-run and give the same lists.

One JSON object a line: ``id1, id2, label, reason, jaccard`` (exact 3-gram Jaccard of this file's normalisation),
``bin`` and ``source`` (``lsh`` or ``rare``). Reasons say "unsure" where the label is the closest class only. The
file holds ids, labels and short English reasons only: the texts stay in ../shared (research-only licence, never
copied into the repository).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "saudinewsnet-dev"
SEED = 20150724
BINS = [(0.0, 0.05), (0.05, 0.15), (0.15, 0.3), (0.3, 0.5), (0.5, 0.8), (0.8, 1.0001)]
LABELS = ["DUP", "TEMPLATE", "SAME_EVENT", "UNRELATED"]

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
    | {chr(0x0660 + i): str(i) for i in range(10)}
    | {chr(0x06F0 + i): str(i) for i in range(10)}
)
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """Normalised word tokens.

    >>> words("أَعلنَ الرئيسُ ـــ يوم ١٤ يوليو، في الرياض!")
    ['اعلن', 'الرييس', 'يوم', '14', 'يوليو', 'في', 'الرياض']
    """
    return _WORD.findall(_DIACRITICS.sub("", text).translate(_FOLD).lower())


def h64(s: str) -> int:
    """A stable 64-bit hash of a string."""
    return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little")


def shingles(ws: list[str], n: int = 3) -> set[int]:
    """Hashed word n-grams; a text shorter than n words is one shingle.

    >>> len(shingles(["a", "b", "c", "d"])), len(shingles(["a"])), len(shingles([]))
    (2, 1, 0)
    """
    if len(ws) < n:
        return {h64(" ".join(ws))} if ws else set()
    return {h64(" ".join(ws[i : i + n])) for i in range(len(ws) - n + 1)}


def day(doc_id: str) -> date:
    """Publication day from an id such as snn-2015-07-24-01321."""
    return date.fromisoformat(doc_id[4:14])


def jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def bin_of(j: float) -> str:
    """The stratum of a 3-gram Jaccard.

    >>> bin_of(0.0), bin_of(0.15), bin_of(1.0)
    ('0.00-0.05', '0.15-0.30', '0.80-1.00')
    """
    for lo, hi in BINS:
        if lo <= j < hi:
            return f"{lo:.2f}-{min(hi, 1.0):.2f}"
    raise ValueError(j)


def load(path: Path) -> dict[str, dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return {d["id"]: d for d in map(json.loads, f)}


def candidates(docs: dict[str, dict], args: argparse.Namespace) -> dict[tuple[str, str], str]:
    """Candidate pairs (id1 < id2) with their source, ``lsh`` first when both sources propose a pair."""
    from datasketch import MinHash, MinHashLSH

    ids = sorted(docs)
    d0, d1 = (date.fromisoformat(x) for x in args.days.split(".."))
    toks = {i: words(docs[i].get("title", "") + "\n" + docs[i].get("text", "")) for i in ids}
    sh = {i: shingles(toks[i]) for i in ids}

    def eligible(a: str, b: str) -> bool:
        a, b = min(a, b), max(a, b)
        return d0 <= day(a) <= d1 and (day(b) - day(a)).days <= args.max_days

    cands: dict[tuple[str, str], str] = {}
    lsh = MinHashLSH(threshold=args.lsh_threshold, num_perm=128)
    for i in ids:
        if not sh[i]:
            continue
        m = MinHash(num_perm=128, seed=1, hashfunc=lambda x: x & 0xFFFFFFFF)
        m.update_batch(list(sh[i]))
        for j in lsh.query(m):
            if eligible(i, j):
                cands.setdefault((min(i, j), max(i, j)), "lsh")
        lsh.insert(i, m)

    content = {i: {w for w in toks[i] if len(w) >= 3 or w.isdigit()} for i in ids}
    df: Counter[str] = Counter()
    for i in ids:
        df.update(content[i])
    rare = {i: {w for w in content[i] if df[w] <= args.rare_df} for i in ids}
    post: dict[str, list[str]] = defaultdict(list)
    for i in ids:
        for w in rare[i]:
            post[w].append(i)
    shared: Counter[tuple[str, str]] = Counter()
    for plist in post.values():
        for x in range(len(plist)):
            for y in range(x + 1, len(plist)):
                if eligible(plist[x], plist[y]):
                    shared[(plist[x], plist[y])] += 1
    for (a, b), n in sorted(shared.items()):
        if n >= args.min_rare and n / min(len(rare[a]), len(rare[b])) >= 0.3 and jaccard(sh[a], sh[b]) < 0.3:
            cands.setdefault((a, b), "rare")
    return {p: (src, jaccard(sh[p[0]], sh[p[1]])) for p, src in cands.items()}


def draw(args: argparse.Namespace) -> None:
    docs = load(args.data / "docs.jsonl.gz")
    cands = candidates(docs, args)
    exclude = set()
    for path in [args.data / "pairs-labelled.jsonl", *args.exclude]:
        for line in Path(path).open(encoding="utf-8"):
            p = json.loads(line)
            exclude.add((min(p["id1"], p["id2"]), max(p["id1"], p["id2"])))
    bins: dict[str, list] = defaultdict(list)
    for (a, b), (src, j) in sorted(cands.items()):
        if (a, b) in exclude or (src == "lsh" and j < 0.05):
            continue
        bins[bin_of(j)].append((a, b, src, round(j, 3)))
    rng = random.Random(SEED)
    used: set[str] = set()
    by_bin: dict[str, list] = defaultdict(list)
    for lo, _ in BINS:
        name = bin_of(lo)
        pool = bins[name]
        rng.shuffle(pool)
        for a, b, src, j in pool:
            if len(by_bin[name]) == args.per_bin:
                break
            if a in used or b in used:
                continue
            used |= {a, b}
            by_bin[name].append({"id1": a, "id2": b, "bin": name, "jaccard": j, "source": src})
        print(
            f"bin {name}: {len(pool)} candidates {dict(Counter(p[2] for p in pool))}, took {len(by_bin[name])}",
            file=sys.stderr,
        )
    for k in range(args.per_bin):
        for name in sorted(by_bin):
            if k < len(by_bin[name]):
                print(json.dumps(by_bin[name][k], ensure_ascii=False))


def show(args: argparse.Namespace) -> None:
    docs = load(args.data / "docs.jsonl.gz")
    cands = read_pairs(Path(args.cands))
    for k in range(args.start, min(args.stop, len(cands))):
        p = cands[k]
        if p["id1"] not in docs or p["id2"] not in docs:
            sys.exit(f"{args.cands}:{k + 1}: id not in {args.data / 'docs.jsonl.gz'}")
        print(f"=== #{k} {p['id1']} {p['id2']} bin={p.get('bin')} j={p.get('jaccard')} src={p.get('source')}")
        for side in ("id1", "id2"):
            d = docs[p[side]]
            text = d.get("text", "")
            print(f"--- {side} {d['source']} {d['date']} len={len(text)}\nT: {d.get('title', '')}")
            print(text[: args.chars].replace("\n", " "))
            if args.tail and len(text) > args.chars:
                print(" [...] " + text[max(args.chars, len(text) - args.tail) :].replace("\n", " "))
        print()


def read_pairs(path: Path) -> list[dict]:
    """Pairs from a JSONL file; a bad line exits with one line naming the file and line."""
    pairs = []
    try:
        with path.open(encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                try:
                    p = json.loads(line)
                    if not (isinstance(p, dict) and isinstance(p.get("id1"), str) and isinstance(p.get("id2"), str)):
                        raise ValueError("no id1/id2")
                except ValueError as e:
                    sys.exit(f"{path}:{n}: not a pair ({e})")
                pairs.append(p)
    except OSError as e:
        sys.exit(f"{path}: {e.strerror}")
    return pairs


def summary(args: argparse.Namespace) -> None:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for n, p in enumerate(read_pairs(Path(args.labels)), 1):
        try:
            counts[p.get("bin") or bin_of(float(p["jaccard"]))][p["label"]] += 1
        except (ValueError, KeyError, TypeError) as e:
            sys.exit(f"{args.labels}:{n}: not a labelled pair ({e})")
    print(f"{'bin':<10}" + "".join(f"{x:>11}" for x in [*LABELS, "total"]))
    for name in sorted(counts):
        c = counts[name]
        print(f"{name:<10}" + "".join(f"{c[x]:>11}" for x in LABELS) + f"{sum(c.values()):>11}")
    tot = sum(counts.values(), Counter())
    print(f"{'all':<10}" + "".join(f"{tot[x]:>11}" for x in LABELS) + f"{sum(tot.values()):>11}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("draw", help="print the candidate list (JSONL) to stdout")
    d.add_argument("--days", default="2015-07-24..2015-07-31", help="id1 day range, inclusive")
    d.add_argument("--max-days", type=int, default=3)
    d.add_argument("--lsh-threshold", type=float, default=0.1)
    d.add_argument("--rare-df", type=int, default=20)
    d.add_argument("--min-rare", type=int, default=4)
    d.add_argument("--per-bin", type=int, default=25)
    d.add_argument("--exclude", nargs="*", default=[], help="more labelled pair files to stay disjoint from")
    s = sub.add_parser("show", help="print pairs start..stop-1 of a candidate list for reading")
    s.add_argument("cands")
    s.add_argument("start", type=int)
    s.add_argument("stop", type=int)
    s.add_argument("--chars", type=int, default=1500)
    s.add_argument("--tail", type=int, default=0)
    m = sub.add_parser("summary", help="label counts per bin of a labelled file")
    m.add_argument("labels")
    args = ap.parse_args()
    {"draw": draw, "show": show, "summary": summary}[args.cmd](args)


if __name__ == "__main__":
    main()
