"""Run dedup and peer near-duplicate detectors on one corpus, in one run, and score them against the truth.

Usage (from the repo root; corpus from ``bench/make_corpus.py``; peers: ``pip install datatrove text-dedup rensa
psutil``)::

    python bench/dedup_peers.py /tmp/c100k.jsonl                 # every peer
    python bench/dedup_peers.py /tmp/c10k.jsonl --only dedup,rensa

Each detector runs as its own process (``python bench/dedup_peers.py --run NAME CORPUS OUT``, or the ``dedup``
command itself), timed end to end (start-up, reading, hashing, LSH, clustering, writing its result) with the peak
memory of its whole process tree (PSS, psutil, sampled every 0.2 s for 10 s then every 0.5 s, summed over the
workers). It writes its
clusters (lists of document ids); they are scored pairwise against ``CORPUS.truth.tsv``: a predicted pair is two
documents in one predicted cluster, a true pair two documents in one true group.

Peers run with their documented defaults; every setting is stated next to its call below:

* ``dedup``: ``dedup scan CORPUS --format csv -q`` (defaults: word 3-grams, 128 permutations, LSH candidates at 0.1,
  exact verification at Jaccard 0.5 or containment 0.55, normalisation, cleaning, site boilerplate, template check),
  ``--workers`` = cores.
* ``datasketch``: the straightforward script: ``text.split()``, word 5-gram shingles, ``MinHash(num_perm=128)``
  with ``update`` per shingle (utf-8), ``MinHashLSH(threshold=0.5, num_perm=128)``, each document queried then
  inserted, clusters = connected components of the query hits. One process.
* ``rensa``: its README's example: ``RMinHashDeduplicator(threshold=0.8, num_perm=128, use_lsh=True)``,
  ``add_pairs((id, text.split()))``, clusters from ``get_duplicate_sets()``. One process (its Rust code may use
  threads).
* ``datatrove`` (needs ``orjson``, ``spacy``, ``tokenizers``; its str-hashing call is shimmed for xxhash 4, see
  ``run_datatrove``): ``MinhashDedupSignature`` → ``MinhashDedupBuckets`` → ``MinhashDedupCluster(save_cluster_id=
  True)`` → ``MinhashDedupFilter(load_cluster_ids=True)`` with the default ``MinhashConfig`` (word 5-grams, 14
  buckets x 8 hashes, 64-bit hashes, its default text normalisation), ``JsonlReader`` on the corpus,
  ``LocalPipelineExecutor(tasks=1)`` per stage (the documented local example), 14 bucket workers.
* ``text-dedup``: ``python -m text_dedup.minhash`` with its defaults (word 5-grams, 250 permutations,
  threshold 0.7, sha1 hashes, 64 bits, min_length 5, num_proc = cores), ``--path json --data_files CORPUS
  --split train --column text --debug`` (``--debug`` writes the union-find we read the clusters from).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

PEERS = ["dedup", "datasketch", "rensa", "datatrove", "text-dedup"]
HERE = Path(__file__).resolve()


# -- runners (each in its own process) ------------------------------------------------------------------------


def read_corpus(path: str):
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            yield d["id"], d["text"]


def run_datasketch(corpus: str) -> list[list[str]]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for doc_id, text in read_corpus(corpus):
        words = text.split()
        m = MinHash(num_perm=128)
        for i in range(max(1, len(words) - 4)):
            m.update(" ".join(words[i : i + 5]).encode("utf-8"))
        parent[doc_id] = doc_id
        for other in lsh.query(m):
            a, b = find(doc_id), find(other)
            if a != b:
                parent[a] = b
        lsh.insert(doc_id, m)
    groups: dict[str, list[str]] = {}
    for x in parent:
        groups.setdefault(find(x), []).append(x)
    return [g for g in groups.values() if len(g) > 1]


def _components(edges, nodes) -> list[list[str]]:
    parent = {x: x for x in nodes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    groups: dict[str, list[str]] = {}
    for x in parent:
        groups.setdefault(find(x), []).append(x)
    return [g for g in groups.values() if len(g) > 1]


def run_rensa(corpus: str) -> list[list[str]]:
    from rensa import RMinHashDeduplicator

    dedup = RMinHashDeduplicator(threshold=0.8, num_perm=128, use_lsh=True)
    ids = [doc_id for doc_id, _ in read_corpus(corpus)]
    dedup.add_pairs((doc_id, text.split()) for doc_id, text in read_corpus(corpus))
    # The README example stops at keep flags; to score clusters, ask the index for every document's duplicates
    # (it holds the kept documents) and join each document to them.
    edges = []
    for doc_id, found in zip(ids, dedup.get_duplicate_sets(text.split() for _, text in read_corpus(corpus))):
        edges.extend((doc_id, other) for other in found if other != doc_id)
    return _components(edges, ids)


def run_datatrove(corpus: str, work: str) -> list[list[str]]:
    import xxhash
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.hashes import xxhash as dt_xxhash

    # Compatibility shim, not a setting: datatrove 0.10.1 passes str to xxhash, which xxhash 4 (the version
    # dedup needs) rejects; xxhash 3 hashed a str as its utf-8 bytes, so encoding first gives the same hashes.
    dt_xxhash.xxhash32 = lambda data: xxhash.xxh32_intdigest(data.encode() if isinstance(data, str) else data)
    dt_xxhash.xxhash64 = lambda data: xxhash.xxh64_intdigest(data.encode() if isinstance(data, str) else data)

    config = MinhashConfig()  # defaults: 5-grams, 14 buckets x 8 hashes
    folder, name = os.path.dirname(os.path.abspath(corpus)), os.path.basename(corpus)

    def reader():
        return JsonlReader(folder, glob_pattern=name, id_key="id", text_key="text")

    w = Path(work)
    LocalPipelineExecutor(
        pipeline=[reader(), MinhashDedupSignature(output_folder=str(w / "sigs"), config=config)],
        tasks=1,
        logging_dir=str(w / "logs1"),
    ).run()
    LocalPipelineExecutor(
        pipeline=[MinhashDedupBuckets(input_folder=str(w / "sigs"), output_folder=str(w / "buckets"), config=config)],
        tasks=config.num_buckets,
        logging_dir=str(w / "logs2"),
    ).run()
    LocalPipelineExecutor(
        pipeline=[
            MinhashDedupCluster(
                input_folder=str(w / "buckets"), output_folder=str(w / "remove"), config=config, save_cluster_id=True
            )
        ],
        tasks=1,
        logging_dir=str(w / "logs3"),
    ).run()
    LocalPipelineExecutor(
        pipeline=[
            reader(),
            MinhashDedupFilter(
                input_folder=str(w / "remove"), load_cluster_ids=True, exclusion_writer=JsonlWriter(str(w / "removed"))
            ),
            JsonlWriter(str(w / "kept")),
        ],
        tasks=1,
        logging_dir=str(w / "logs4"),
    ).run()
    import gzip

    clusters: dict[int, list[str]] = {}
    for sub in ("kept", "removed"):
        for f in sorted((w / sub).glob("*.jsonl.gz")):
            with gzip.open(f, "rt", encoding="utf-8") as fh:
                for line in fh:
                    d = json.loads(line)
                    cid = d.get("metadata", {}).get("minhash_cluster_id", -1)
                    if cid != -1:
                        clusters.setdefault(cid, []).append(d["id"])
    return [c for c in clusters.values() if len(c) > 1]


def run_text_dedup(corpus: str, work: str) -> list[list[str]]:
    out = Path(work) / "out"
    cmd = [
        sys.executable,
        "-m",
        "text_dedup.minhash",
        "--path",
        "json",
        "--data_files",
        os.path.abspath(corpus),
        "--split",
        "train",
        "--cache_dir",
        str(Path(work) / "cache"),
        "--output",
        str(out),
        "--column",
        "text",
        "--debug",
    ]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(out / "uf.pkl", "rb") as fh:
        uf = pickle.load(fh)
    # uf.pkl: the union-find ({"parent": {index: parent}} or the object) and id2id; text-dedup indexes are row
    # numbers of the corpus, in file order.
    parent = uf["parent"] if isinstance(uf, dict) and "parent" in uf else getattr(uf, "parent", uf)
    ids = [doc_id for doc_id, _ in read_corpus(corpus)]

    def find(x):
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    groups: dict[int, list[str]] = {}
    for k in parent:
        groups.setdefault(find(k), []).append(ids[k])
    return [g for g in groups.values() if len(g) > 1]


def run_one(name: str, corpus: str, out: str) -> None:
    with tempfile.TemporaryDirectory(prefix=f"peer-{name}-", dir=os.path.dirname(out) or ".") as work:
        if name == "datasketch":
            clusters = run_datasketch(corpus)
        elif name == "rensa":
            clusters = run_rensa(corpus)
        elif name == "datatrove":
            clusters = run_datatrove(corpus, work)
        elif name == "text-dedup":
            clusters = run_text_dedup(corpus, work)
        else:
            raise SystemExit(f"unknown peer {name}")
    Path(out).write_text(json.dumps(clusters))


# -- measuring and scoring ------------------------------------------------------------------------------------


def measure(cmd: list[str]) -> tuple[float, int, int, float]:
    """Wall seconds, peak memory (bytes, summed over the process tree), exit code and CPU seconds (user + system,
    the process and every worker it waited for) of ``cmd``. CPU time is the figure that survives a loaded
    machine: wall time there measures the other jobs too.

    Memory is PSS (proportional set size: a page shared by n processes counts 1/n in each) where the OS
    reports it, else RSS. Summing RSS over forked workers would count the copy-on-write pages they share
    with their parent once per process, overstating every multi-process detector."""
    import resource

    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    # stderr to a file, not a pipe: a chatty peer (progress bars) would fill the pipe and block.
    err = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            procs = [root, *root.children(recursive=True)]
            rss = 0
            for p in procs:
                try:
                    rss += _memory(p)
                except psutil.Error:
                    pass
            peak = max(peak, rss)
        except psutil.Error:
            pass
        # PSS reads /proc/PID/smaps_rollup (~4 ms a sample of three processes): every 50 ms that took ~0.7 s of
        # CPU in a 10 s run and slowed a detector using both cores by ~0.45 s; every 0.2 s finds the same peak.
        # Waiting on the process (not sleeping) between samples ends the wall time when the detector exits, not at
        # the sampler's next tick.
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.2 if time.perf_counter() - t0 < 10 else 0.5)
    wall = time.perf_counter() - t0
    if proc.returncode:
        err.seek(0)
        sys.stderr.write(err.read().decode("utf-8", "replace")[-3000:])
    err.close()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, peak, proc.returncode, cpu


def _memory(p) -> int:
    try:
        return p.memory_full_info().pss  # Linux: /proc/PID/smaps_rollup
    except (AttributeError, NotImplementedError):
        return p.memory_info().rss


def truth_of(corpus: str) -> dict[str, str]:
    name = corpus[: -len(".jsonl")] if corpus.endswith(".jsonl") else corpus
    with open(name + ".truth.tsv", encoding="utf-8") as fh:
        return dict(line.rstrip("\n").split("\t") for line in fh)


def pairwise(clusters: list[list[str]], truth: dict[str, str]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of predicted clusters against the true groups."""

    def pairs(n: int) -> int:
        return n * (n - 1) // 2

    predicted = sum(pairs(len(c)) for c in clusters)
    correct = sum(pairs(k) for c in clusters for k in Counter(truth[i] for i in c).values())
    actual = sum(pairs(k) for k in Counter(truth.values()).values())
    p = correct / predicted if predicted else 1.0
    r = correct / actual if actual else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def dedup_clusters(csv_path: str) -> list[list[str]]:
    clusters: dict[str, list[str]] = {}
    with open(csv_path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            clusters.setdefault(row["cluster"], []).append(row["id"])
    return list(clusters.values())


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--run":
        run_one(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--only", default=",".join(PEERS))
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--json", help="append the results (one JSON object per detector) to this file")
    args = ap.parse_args()
    truth = truth_of(args.corpus)
    n = len(truth)
    dedup_bin = shutil.which("dedup") or str(Path(sys.executable).parent / "dedup")
    rows = []
    with tempfile.TemporaryDirectory(prefix="dedup-peers-") as tmp:
        for name in args.only.split(","):
            out = os.path.join(tmp, f"{name}.out")
            if name == "dedup":
                cmd = [
                    dedup_bin,
                    "scan",
                    args.corpus,
                    "--format",
                    "csv",
                    "-o",
                    out,
                    "-q",
                    "--workers",
                    str(args.workers),
                ]
            else:
                cmd = [sys.executable, str(HERE), "--run", name, args.corpus, out]
            wall, peak, rc, cpu = measure(cmd)
            if rc:
                print(f"{name}: failed (exit {rc})", file=sys.stderr)
                rows.append({"name": name, "failed": rc})
                continue
            clusters = dedup_clusters(out) if name == "dedup" else json.loads(Path(out).read_text())
            p, r, f = pairwise(clusters, truth)
            row = {
                "name": name,
                "docs": n,
                "seconds": round(wall, 2),
                "docs_per_s": round(n / wall, 1),
                "cpu_s": round(cpu, 1),
                "cpu_ms_per_doc": round(cpu / n * 1e3, 3),
                "peak_mb": round(peak / 2**20),
                "precision": round(p, 4),
                "recall": round(r, 4),
                "f1": round(f, 4),
                "clusters": len(clusters),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    if args.json:
        with open(args.json, "a", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps({**row, "corpus": args.corpus, "date": time.strftime("%Y-%m-%d %H:%M")}) + "\n")
    base = next((r for r in rows if r.get("name") == "dedup" and "seconds" in r), None)
    print(f"\n{'detector':<12}{'docs/s':>10}{'x dedup':>9}{'CPU ms/doc':>11}{'peak MB':>9}{'P':>8}{'R':>8}{'F1':>8}")
    for r in rows:
        if "seconds" not in r:
            print(f"{r['name']:<12}  failed")
            continue
        ratio = f"{r['docs_per_s'] / base['docs_per_s']:.2f}" if base else "-"
        print(
            f"{r['name']:<12}{r['docs_per_s']:>10.0f}{ratio:>9}{r['cpu_ms_per_doc']:>11.3f}{r['peak_mb']:>9}"
            f"{r['precision']:>8.3f}"
            f"{r['recall']:>8.3f}{r['f1']:>8.3f}"
        )


if __name__ == "__main__":
    main()
