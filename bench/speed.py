"""CPU per document of ``dedup scan`` next to a competent datasketch script and rensa, in one run (issue 15).

Usage (from the repo root; corpus from ``bench/make_corpus.py``; needs ``psutil``, ``datasketch``, ``rensa``)::

    python bench/make_corpus.py 50000 -o /tmp/c50k.jsonl
    python bench/speed.py /tmp/c50k.jsonl --workers 2
    python bench/speed.py /tmp/c50k.jsonl --workers 2 --baseline /tmp/main-src --rounds 2  # A/B against main

Each detector runs as its own process, timed end to end (start-up, reading, hashing, LSH, clustering, writing
its clusters) by ``dedup_peers.measure``: CPU time is user + system of the process and every worker it waited
for, the main figure on a shared machine; wall docs/s is printed beside it (only meaningful on a quiet one).
Clusters are scored pairwise against the corpus truth.

* ``dedup``: ``dedup scan CORPUS --format csv -q --workers N`` (defaults: cleaning, site boilerplate,
  normalisation, word 3-grams, 128 permutations, LSH, exact verification, template test, star clusters).
* ``datasketch``: the competent script: ``text.split()``, word 3-grams (utf-8), ``MinHash.bulk`` per 1,000
  documents (``num_perm=128``), ``MinHashLSH(threshold=0.5, num_perm=128)`` filled in an ``insertion_session``,
  then every document queried, clusters = union-find over the hits. One process.
* ``rensa``: the same shingles, ``RMinHash.from_token_sets`` per 1,000 documents (``num_perm=128``, seed 1),
  ``RMinHashLSH(threshold=0.5, num_perm=128, num_bands=32)`` (4 rows a band: bands must divide 128;
  datasketch picks 25 x 5 for 0.5), ``insert_many``, then ``query_all``, union-find over the hits.
  One process (its Rust code may use threads: CPU time counts them).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedup_peers import _components, dedup_clusters, measure, pairwise, truth_of

HERE = Path(__file__).resolve()
CHUNK = 1000


def _chunks(corpus: str) -> Iterator[tuple[list[str], list[list[bytes]]]]:
    """Ids and word 3-gram shingle sets (utf-8), 1,000 documents at a time."""
    ids: list[str] = []
    sets: list[list[bytes]] = []
    with open(corpus, encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            words = d["text"].split()
            ids.append(d["id"])
            sets.append(list({" ".join(words[i : i + 3]).encode() for i in range(max(1, len(words) - 2))}))
            if len(ids) == CHUNK:
                yield ids, sets
                ids, sets = [], []
    if ids:
        yield ids, sets


def run_datasketch(corpus: str) -> list[list[str]]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    ids: list[str] = []
    minhashes = []
    with lsh.insertion_session() as session:
        for chunk_ids, sets in _chunks(corpus):
            for doc_id, m in zip(chunk_ids, MinHash.bulk(sets, num_perm=128)):
                session.insert(doc_id, m)
                minhashes.append(m)
            ids.extend(chunk_ids)
    edges = [(doc_id, other) for doc_id, m in zip(ids, minhashes) for other in lsh.query(m) if other != doc_id]
    return _components(edges, ids)


def run_rensa(corpus: str) -> list[list[str]]:
    from rensa import RMinHash, RMinHashLSH

    lsh = RMinHashLSH(threshold=0.5, num_perm=128, num_bands=32)
    ids: list[str] = []
    minhashes = []
    for chunk_ids, sets in _chunks(corpus):
        chunk = RMinHash.from_token_sets(sets, num_perm=128, seed=1)
        lsh.insert_many(chunk, start_key=len(ids))
        minhashes.extend(chunk)
        ids.extend(chunk_ids)
    edges = [(ids[k], ids[other]) for k, hits in enumerate(lsh.query_all(minhashes)) for other in hits if other != k]
    return _components(edges, ids)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--run":
        name, corpus, out = sys.argv[2:5]
        clusters = run_datasketch(corpus) if name == "datasketch" else run_rensa(corpus)
        Path(out).write_text(json.dumps(clusters))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", default="dedup,datasketch,rensa")
    ap.add_argument(
        "--baseline",
        metavar="SRC",
        help="also run dedup from this source tree (e.g. main's, from `git archive main`), alternating with this "
        "checkout's for --rounds rounds (A/B in the same minutes: figures drift with the machine's load)",
    )
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    names = args.only.split(",")
    if args.baseline:
        ab = [["baseline", "dedup"] if k % 2 == 0 else ["dedup", "baseline"] for k in range(args.rounds)]
        names = [x for pair in ab for x in pair] + [x for x in names if x != "dedup"]
    truth = truth_of(args.corpus)
    n = len(truth)
    dedup_bin = shutil.which("dedup") or str(Path(sys.executable).parent / "dedup")
    print(f"{n} documents, {args.workers} dedup workers, {os.cpu_count()} cores")
    print(f"{'detector':<12}{'CPU ms/doc':>11}{'wall docs/s':>12}{'peak MB':>9}{'P':>8}{'R':>8}{'F1':>8}")
    with tempfile.TemporaryDirectory(prefix="dedup-speed-") as tmp:
        for name in names:
            out = os.path.join(tmp, f"{name}.out")
            if name in ("dedup", "baseline"):
                # -P: `python -m` would put the current directory (this checkout, when run from its root) before
                # PYTHONPATH, and the "baseline" would be this checkout's code.
                start = [dedup_bin] if name == "dedup" else ["env", f"PYTHONPATH={args.baseline}", sys.executable]
                cmd = [*start, *(["-P", "-m", "dedup.cli"] if name == "baseline" else []), "scan", args.corpus]
                cmd += ["--format", "csv", "-o", out, "-q", "--workers", str(args.workers)]
            else:
                cmd = [sys.executable, str(HERE), "--run", name, args.corpus, out]
            wall, peak, rc, cpu = measure(cmd)
            if rc:
                print(f"{name:<12}failed (exit {rc})", flush=True)
                continue
            clusters = dedup_clusters(out) if name in ("dedup", "baseline") else json.loads(Path(out).read_text())
            p, r, f = pairwise(clusters, truth)
            print(
                f"{name:<12}{cpu / n * 1e3:>11.3f}{n / wall:>12.0f}{peak / 2**20:>9.0f}{p:>8.3f}{r:>8.3f}{f:>8.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
