"""Draw candidate pairs of SaudiNewsNet articles for hand labelling (issue #17, "More labelled dev pairs").

The pairs are drawn independently of dedup's own decision, across the whole similarity range, so that the labels
measure recall on hard rewrites and precision on look-alikes, not only on easy copies. Deterministic: fixed seed,
stable hashes, sorted candidates; the same data gives the same list.

How pairs are drawn
-------------------
1. Each article (title + text) is folded with a small self-contained normalisation (Arabic letter variants,
   diacritics, tatweel, Arabic-Indic digits, punctuation; kept here so that later changes to ``dedup.normalize``
   do not change the draw) and cut into word 3-gram shingles.
2. Two candidate sources, both restricted to pairs whose publication days (from the ids) are at most
   ``--max-days`` apart and whose id1 (the smaller id) falls in this helper's day range (``--days``):

   * ``lsh``: pairs proposed by a low-threshold datasketch MinHashLSH (``--lsh-threshold``, 128 permutations)
     on the 3-gram shingles, kept when their exact 3-gram Jaccard is at least 0.05;
   * ``rare``: pairs sharing at least ``--min-rare`` rare content words (words of 3+ characters or numbers found
     in at most ``--rare-df`` articles: names, places, figures) with an overlap coefficient of the rare sets of at
     least 0.3, and a 3-gram Jaccard below 0.3 (rewrites, independent reports of one event, template siblings).

3. Candidates are binned by exact 3-gram Jaccard (``BINS``; the bottom bin 0-0.05 only holds ``rare`` pairs),
   pairs already in ``pairs-labelled.jsonl`` (or in any ``--exclude`` file) are dropped, each bin is shuffled with
   ``random.Random(SEED)`` and ``--per-bin`` pairs are taken from it (the two sources taking turns), skipping a
   pair when one of its articles was already taken in this draw (so that one big cluster, e.g. daily weather
   reports, cannot fill a bin). The output interleaves the bins, so a partly labelled list still covers them all.

Day split between the two labelling helpers: the dev month only holds 2015-07-21..27 and 07-31, so helper A
(``bench/data/snn-pairs-a.jsonl``) takes id1 days 2015-07-21..23 (the default ``--days``) and helper B
(``snn-pairs-b.jsonl``) takes 2015-07-24..31: the two files are disjoint by construction.

How ``bench/data/snn-pairs-a.jsonl`` was made (270 pairs, 45 per bin, in this order)::

    python bench/draw_pairs.py draw                     # pairs 1-150, 25 per bin
    python bench/draw_pairs.py draw --per-bin 10 --exclude bench/data/snn-pairs-a.jsonl   # 151-210, on the
    python bench/draw_pairs.py draw --per-bin 10 --exclude bench/data/snn-pairs-a.jsonl   # 211-270  file so far

Each pair was labelled by reading both articles (``show``), by the guide in ../shared/README.md: DUP (same news
item: copy, rewrite, or wholly contained in another paper's round-up), TEMPLATE (same formula, different facts),
SAME_EVENT (independent articles on one event, including separate agency write-ups and follow-ups), UNRELATED.
Close calls say "unsure" in the reason. After labelling, every non-DUP pair whose shorter text shares at least
a quarter of its 3-grams with the other was read again sentence by sentence (a round-up can hold a whole story
past the first screen: ``recheck``); 10 labels changed. Labels per bin::

    bin             DUP    TEMPLATE  SAME_EVENT   UNRELATED
    0.00-0.05         8           0          25          12
    0.05-0.15        17           9           9          10
    0.15-0.30        31           5           7           2
    0.30-0.50        36           8           0           1
    0.50-0.80        45           0           0           0
    0.80-1.00        45           0           0           0

Usage::

    python bench/draw_pairs.py draw > /tmp/cands-a.jsonl                    # candidate list (ids, bin, source)
    python bench/draw_pairs.py show /tmp/cands-a.jsonl 0 10 --diff 20       # print pairs 0..9 for reading
    python bench/draw_pairs.py summary bench/data/snn-pairs-a.jsonl --check # label counts per bin, validated
    python bench/draw_pairs.py recheck bench/data/snn-pairs-a.jsonl         # non-DUP pairs sharing much text

``draw`` takes about 2 minutes (CPU about 30 s) on the 15,042 articles. The labelled output holds ids, labels,
short English reasons and the bin only: the texts stay in ../shared (research-only licence, never copied into the
repository).
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
SEED = 20150721
BINS = [(0.0, 0.05), (0.05, 0.15), (0.15, 0.3), (0.3, 0.5), (0.5, 0.8), (0.8, 1.0001)]

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
    | {chr(0x0660 + i): str(i) for i in range(10)}
    | {chr(0x06F0 + i): str(i) for i in range(10)}
)
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """Normalised word tokens.

    >>> words("أَعلنَ الرئيسُ ـــ يوم ١٤ ديسمبر، في دمشق!")
    ['اعلن', 'الرييس', 'يوم', '14', 'ديسمبر', 'في', 'دمشق']
    """
    return _WORD.findall(_DIACRITICS.sub("", text).translate(_FOLD).lower())


def h64(s: str) -> int:
    """A stable 64-bit hash (Python's own str hash is salted per process)."""
    return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little")


def shingles(ws: list[str], n: int = 3) -> set[int]:
    """Hashed word n-grams; a text shorter than n words is one shingle."""
    if len(ws) < n:
        return {h64(" ".join(ws))} if ws else set()
    return {h64(" ".join(ws[i : i + n])) for i in range(len(ws) - n + 1)}


def day(doc_id: str) -> date:
    """Publication day from an id such as snn-2015-07-21-00666."""
    return date.fromisoformat(doc_id[4:14])


def load(path: Path) -> dict[str, dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return {d["id"]: d for d in map(json.loads, f)}


def jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def bin_of(j: float) -> str:
    for lo, hi in BINS:
        if lo <= j < hi:
            return f"{lo:.2f}-{min(hi, 1.0):.2f}"
    raise ValueError(j)


def draw(args: argparse.Namespace) -> None:
    from datasketch import MinHash, MinHashLSH

    docs = load(args.data / "docs.jsonl.gz")
    ids = sorted(docs)
    d0, d1 = (date.fromisoformat(x) for x in args.days.split(".."))
    toks = {i: words(docs[i].get("title", "") + "\n" + docs[i].get("text", "")) for i in ids}
    sh = {i: shingles(toks[i]) for i in ids}

    def eligible(a: str, b: str) -> bool:
        a, b = min(a, b), max(a, b)
        return d0 <= day(a) <= d1 and abs((day(b) - day(a)).days) <= args.max_days

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

    df: Counter[str] = Counter()
    content = {i: {w for w in toks[i] if len(w) >= 3 or w.isdigit()} for i in ids}
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
    for (a, b), n in shared.items():
        if n >= args.min_rare and n / min(len(rare[a]), len(rare[b])) >= 0.3 and jaccard(sh[a], sh[b]) < 0.3:
            cands.setdefault((a, b), "rare")

    exclude = set()
    for path in [args.data / "pairs-labelled.jsonl", *args.exclude]:
        for line in Path(path).open(encoding="utf-8"):
            p = json.loads(line)
            exclude.add((min(p["id1"], p["id2"]), max(p["id1"], p["id2"])))
    bins: dict[str, list] = defaultdict(list)
    for (a, b), src in sorted(cands.items()):
        j = jaccard(sh[a], sh[b])
        if (a, b) in exclude or (src == "lsh" and j < 0.05):
            continue
        bins[bin_of(j)].append((a, b, src, round(j, 3)))
    rng = random.Random(SEED)
    used: set[str] = set()
    out = []
    for lo, _hi in BINS:
        name = bin_of(lo)
        pool = bins[name]
        # Within a bin the two sources take turns, so the rare-word pairs are not drowned by the LSH ones.
        by_src = {s: [p for p in pool if p[2] == s] for s in ("lsh", "rare")}
        for part in by_src.values():
            rng.shuffle(part)
        turns = [p for k in range(len(pool)) for s in ("lsh", "rare") if k < len(by_src[s]) for p in [by_src[s][k]]]
        taken = 0
        for a, b, src, j in turns:
            if taken == args.per_bin:
                break
            if a in used or b in used:
                continue
            used |= {a, b}
            out.append({"id1": a, "id2": b, "jaccard": name, "j": j, "source": src})
            taken += 1
        print(f"bin {name}: {len(pool)} candidates ({Counter(p[2] for p in pool)}), took {taken}", file=sys.stderr)
    # Interleave the bins so that a partial labelling still covers every bin.
    by_bin = defaultdict(list)
    for p in out:
        by_bin[p["jaccard"]].append(p)
    order = [
        p for k in range(args.per_bin) for name in sorted(by_bin) if k < len(by_bin[name]) for p in [by_bin[name][k]]
    ]
    for p in order:
        print(json.dumps(p, ensure_ascii=False))


def show(args: argparse.Namespace) -> None:
    docs = load(args.data / "docs.jsonl.gz")
    cands = [json.loads(line) for line in Path(args.cands).open(encoding="utf-8")]
    for k in range(args.start, min(args.stop, len(cands))):
        p = cands[k]
        print(f"=== #{k} {p['id1']} {p['id2']} bin={p.get('jaccard')} j={p.get('j')} src={p.get('source')}")
        for side in ("id1", "id2"):
            d = docs[p[side]]
            text = d.get("text", "")
            print(f"--- {side} {d['source']} {d['date']} len={len(text)}\nT: {d.get('title', '')}")
            print(text[: args.chars].replace("\n", " "))
            if args.tail and len(text) > args.chars + args.tail:
                print(" [...] " + text[-args.tail :].replace("\n", " "))
        if args.diff:
            # Words of one side missing from the other: a quick look at the facts that differ.
            w1, w2 = (set(words(docs[p[s]].get("text", ""))) for s in ("id1", "id2"))
            print("only id1:", " ".join(sorted(w1 - w2)[: args.diff]))
            print("only id2:", " ".join(sorted(w2 - w1)[: args.diff]))
        print()


LABELS = ("DUP", "TEMPLATE", "SAME_EVENT", "UNRELATED")


def summary(args: argparse.Namespace) -> None:
    """Label counts per bin; with ``--check``, also validate every line against the data.

    Checked: valid JSON with id1 < id2, both ids in the month, a known label and a reason, no pair twice, no pair
    already in ``pairs-labelled.jsonl``, and the stored bin equal to the one recomputed from the texts. A problem is
    one line naming the file and line; the exit status is 1 if there was any.
    """
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    docs = load(args.data / "docs.jsonl.gz") if args.check else {}
    seen: set[tuple[str, str]] = set()
    if args.check:
        for line in (args.data / "pairs-labelled.jsonl").open(encoding="utf-8"):
            q = json.loads(line)
            seen.add((min(q["id1"], q["id2"]), max(q["id1"], q["id2"])))
    problems = 0

    def problem(n: int, msg: str) -> None:
        nonlocal problems
        problems += 1
        print(f"{args.labels}:{n}: {msg}", file=sys.stderr)

    for n, line in enumerate(Path(args.labels).open(encoding="utf-8"), 1):
        try:
            p = json.loads(line)
            a, b, label = p["id1"], p["id2"], p["label"]
        except (ValueError, KeyError, TypeError) as e:
            problem(n, f"not a labelled pair ({e})")
            continue
        counts[p.get("jaccard", "?")][label] += 1
        if not args.check:
            continue
        if label not in LABELS or not p.get("reason"):
            problem(n, f"label {label!r} unknown or reason missing")
        if not a < b:
            problem(n, "id1 is not the smaller id")
        if (min(a, b), max(a, b)) in seen:
            problem(n, f"pair {a} {b} labelled twice (here or in pairs-labelled.jsonl)")
        seen.add((min(a, b), max(a, b)))
        if a not in docs or b not in docs:
            problem(n, "id not in the month")
            continue
        ta, tb = (words(docs[i].get("title", "") + "\n" + docs[i].get("text", "")) for i in (a, b))
        if p.get("jaccard") != bin_of(jaccard(shingles(ta), shingles(tb))):
            problem(n, f"bin {p.get('jaccard')} differs from the recomputed one")
    print(f"{'bin':<10}" + "".join(f"{x:>12}" for x in [*LABELS, "total"]))
    for name in sorted(counts):
        c = counts[name]
        print(f"{name:<10}" + "".join(f"{c[x]:>12}" for x in LABELS) + f"{sum(c.values()):>12}")
    tot = sum(counts.values(), Counter())
    print(f"{'all':<10}" + "".join(f"{tot[x]:>12}" for x in LABELS) + f"{sum(tot.values()):>12}")
    if problems:
        sys.exit(1)


def recheck(args: argparse.Namespace) -> None:
    """Non-DUP pairs whose shorter text shares at least ``--min`` of its 3-grams with the longer one, each sentence
    of the shorter text with the share of its 3-grams found in the longer: to re-read stories held in round-ups."""
    pairs = [json.loads(line) for line in Path(args.labels).open(encoding="utf-8")]
    docs = load(args.data / "docs.jsonl.gz")
    for n, p in enumerate(pairs, 1):
        if p["label"] == "DUP":
            continue
        short, long_ = sorted((docs[p["id1"]].get("text", ""), docs[p["id2"]].get("text", "")), key=len)
        s_sh, l_sh = shingles(words(short)), shingles(words(long_))
        if not s_sh or len(s_sh & l_sh) / len(s_sh) < args.min:
            continue
        print(f"=== line {n} {p['id1']} {p['id2']} {p['label']} contained {len(s_sh & l_sh) / len(s_sh):.2f}")
        for sentence in re.split(r"(?<=[.!؟])\s+", short):
            sh = shingles(words(sentence))
            if len(sh) >= 3:
                print(f"  {len(sh & l_sh) / len(sh):.2f} {sentence[:100]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("draw", help="print the candidate list (JSONL) to stdout")
    d.add_argument("--days", default="2015-07-21..2015-07-23", help="id1 day range, inclusive")
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
    s.add_argument("--diff", type=int, default=0, help="list up to N words found on one side only")
    m = sub.add_parser("summary", help="label counts per bin of a labelled file")
    m.add_argument("labels")
    m.add_argument("--check", action="store_true", help="validate ids, labels and bins against the data")
    r = sub.add_parser("recheck", help="non-DUP pairs with much shared text, sentence by sentence")
    r.add_argument("labels")
    r.add_argument("--min", type=float, default=0.25)
    args = ap.parse_args()
    {"draw": draw, "show": show, "summary": summary, "recheck": recheck}[args.cmd](args)


if __name__ == "__main__":
    main()
