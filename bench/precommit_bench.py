"""Time ``dedup precommit`` on a commit of three files into git repositories of 35, 3,000 and 15,000 documents.

Usage (from the repo root; needs git, and the SaudiNewsNet dev month in ``../shared/data``)::

    python bench/precommit_bench.py                       # 35, 3000 and 15000 files
    python bench/precommit_bench.py --files 15000 --repeat 5 --keep /tmp/pc-bench
    python bench/precommit_bench.py --dedup /path/to/other/venv/bin/dedup   # time another build (before/after)

Each corpus is a fresh git repository in a temporary folder: ``corpus/<source>/<id>.txt``, one SaudiNewsNet
article per file (title on the first line), committed; among them a few copies in another source's folder (one
exact copy and one near copy, headline edited and last paragraph dropped, per 1,000 files; at 15,000 files the
month's 14,846 articles with a body are topped up with copies). Then three files are staged: a near copy of a
committed article and two new articles (sharing under 5% of their word 4-grams with any other article).

Timed, end to end (a new ``dedup`` process each time, as the hook runs):

* ``cold``: no ``.dedup-cache/`` (the first commit after cloning): every committed file is fingerprinted.
* ``warm``: the cache as the previous commit left it (every committed file, not the three new ones), what every
  later commit finds: the three files are read and the cache is written again; median of ``--repeat`` runs.
* ``all-files``: ``dedup precommit $(git ls-files)``, warm, what ``pre-commit run --all-files`` passes (in one
  process here; pre-commit splits a long file list into several).

Each row gives wall-clock seconds and CPU seconds (user + system of the process and its workers and git
children): on a loaded machine wall time grows, CPU time much less. Each run's verdict is checked: exactly the
staged copy is reported.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "saudinewsnet-dev" / "docs.jsonl.gz"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def articles(path: Path = DATA) -> list[dict]:
    """The dev month's articles that have a body, in file order."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle]
    return [d for d in docs if d.get("text", "").strip()]


def page(doc: dict) -> str:
    return f"{doc['title'].strip()}\n{doc['text'].strip()}\n"


def near_copy(doc: dict) -> str:
    """Another outlet's version: the headline edited, the last paragraph dropped (when there are several)."""
    paragraphs = [p for p in doc["text"].split("\n") if p.strip()]
    body = paragraphs[:-1] if len(paragraphs) > 2 else paragraphs
    return f"{doc['title'].strip()} (محدث)\n" + "\n".join(body) + "\n"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def grams(doc: dict) -> set[str]:
    words = f"{doc['title']} {doc['text']}".split()
    return {" ".join(words[i : i + 4]) for i in range(len(words) - 3)}


def unshared(docs: list[dict], k: int, tried: int = 40) -> list[dict]:
    """``k`` of the last ``tried`` articles that share under 5% of their word 4-grams with any other article:
    the dev month has real copies and rewrites, and a new article must be new for the verdict to be known."""
    candidates = docs[-tried:]
    owners: dict[str, list[int]] = {}
    for c, doc in enumerate(candidates):
        for g in grams(doc):
            owners.setdefault(g, []).append(c)
    worst = [0.0] * len(candidates)
    for doc in docs:
        hits = Counter(c for g in grams(doc) for c in owners.get(g, ()) if candidates[c] is not doc)
        for c, shared in hits.items():
            worst[c] = max(worst[c], shared / max(1, len(grams(candidates[c]))))
    return [doc for c, doc in enumerate(candidates) if worst[c] < 0.05][-k:]


def make_repo(repo: Path, docs: list[dict], n: int) -> list[str]:
    """A committed corpus of ``n`` files (copies included), and three new files written beside it (not staged)."""
    new = unshared(docs, 2)  # never committed
    available = [d for d in docs if all(d is not x for x in new)]
    # Two copies per 1,000 files, more when the month has too few articles to fill the corpus.
    copies = max(2, 2 * (n // 1000), n - len(available))
    corpus = available[: n - copies]
    sources = sorted({d["source"] for d in docs})
    files = {f"corpus/{d['source']}/{d['id']}.txt": page(d) for d in corpus}
    for k in range(copies):  # in another outlet's folder, as a site republishing the story
        d = corpus[(2 * k + 1) * len(corpus) // (2 * copies)]
        other = sources[(sources.index(d["source"]) + 1) % len(sources)]
        files[f"corpus/{other}/{d['id']}-copy.txt" if k % 2 == 0 else f"corpus/{other}/{d['id']}-near.txt"] = (
            page(d) if k % 2 == 0 else near_copy(d)
        )
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "corpus")
    victim = corpus[n // 2]
    staged = {
        f"corpus/{sources[(sources.index(victim['source']) + 2) % len(sources)]}/{victim['id']}-staged.txt": near_copy(
            victim
        ),
        **{f"corpus/{d['source']}/{d['id']}.txt": page(d) for d in new},
    }
    for name, text in staged.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    return list(staged)


def timed(cmd: list[str], cwd: Path) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall and CPU seconds (the process and everything it waited for) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), run


def check_verdict(run: subprocess.CompletedProcess[str], staged: list[str]) -> None:
    """Exactly the staged copy is reported (exit 1, one line naming it)."""
    lines = [ln for ln in run.stdout.splitlines() if ln.startswith("duplicate:")]
    if run.returncode != 1 or len(lines) != 1 or not lines[0].startswith(f"duplicate: {staged[0]} ~ "):
        sys.exit(f"unexpected verdict (exit {run.returncode}):\n{run.stdout}{run.stderr}")


def bench(dedup: str, n: int, docs: list[dict], repeat: int, keep: Path | None) -> dict:
    root = Path(tempfile.mkdtemp(prefix=f"dedup-precommit-{n}-")) if keep is None else keep / str(n)
    if root.exists() and keep is not None:
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    try:
        staged = make_repo(root, docs, n)
        tracked = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True)
        # The cache as the last commit left it: every committed file, none of the new ones.
        subprocess.run([dedup, "precommit", "-q", tracked.stdout.split()[0]], cwd=root, capture_output=True)
        cache = root / ".dedup-cache" / "fingerprints.npz"
        primed = cache.read_bytes() if cache.exists() else None
        git(root, "add", *staged)
        shutil.rmtree(root / ".dedup-cache", ignore_errors=True)
        cold_wall, cold_cpu, run = timed([dedup, "precommit", *staged], root)
        check_verdict(run, staged)
        warm = []
        for _ in range(repeat):
            if primed is not None:
                cache.write_bytes(primed)
            wall, cpu, run = timed([dedup, "precommit", *staged], root)
            check_verdict(run, staged)
            warm.append((wall, cpu))
        every = tracked.stdout.split()
        all_wall, all_cpu, run = timed([dedup, "precommit", *every], root)
        if run.returncode == 2:
            sys.exit(run.stderr)
        return {
            "files": len(every),
            "cold": (cold_wall, cold_cpu),
            "warm": (statistics.median(w for w, _ in warm), statistics.median(c for _, c in warm)),
            "all-files": (all_wall, all_cpu),
        }
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, action="append", help="committed files (repeatable)")
    parser.add_argument("--repeat", type=int, default=3, help="warm runs (the median is reported)")
    here = Path(sys.executable).with_name("dedup")  # the venv's, when run with its python
    default = str(here) if here.exists() else shutil.which("dedup") or "dedup"
    parser.add_argument("--dedup", default=default, help="the dedup executable to time")
    parser.add_argument("--keep", type=Path, help="build the repositories here and keep them")
    parser.add_argument("--data", type=Path, default=DATA, help="the SaudiNewsNet docs.jsonl.gz")
    args = parser.parse_args()
    docs = articles(args.data)
    print(f"dedup: {args.dedup}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    print("| committed files | cold (no cache) | warm (cache) | all files, warm |")
    print("| ---: | ---: | ---: | ---: |")
    for n in args.files or [35, 3000, 15000]:
        r = bench(args.dedup, n, docs, args.repeat, args.keep)
        cells = [f"{r[k][0]:.2f} s wall, {r[k][1]:.2f} s CPU" for k in ("cold", "warm", "all-files")]
        print(f"| {r['files']:,} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
