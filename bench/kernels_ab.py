"""A/B of ``dedup scan`` between two source trees, alternating, in the same minutes: CPU per document of the
process tree (user + system of the scan and every worker it waited for), and whether the outputs are identical.

Usage (from any folder but the repo root, so that the trees on PYTHONPATH are what gets imported)::

    git -C /path/to/repo archive main | tar -x -C /tmp/ab-main
    python bench/kernels_ab.py /tmp/c50k.jsonl --tree main=/tmp/ab-main --tree branch=/path/to/repo \\
        --tree off=/path/to/repo:DEDUP_KERNELS=0 --reps 3 -- --workers 2

Each tree is put first on ``PYTHONPATH`` (``NAME=PATH[:VAR=VALUE...]`` adds environment variables) and runs
``python -m dedup.cli scan CORPUS --format json -q -o OUT [extra args]`` under ``nice -n 5``; the rounds
alternate the trees so that a shared machine's load falls on all of them alike. The first round of a tree whose
compiled kernels are not cached yet includes compiling them (~2 s CPU per process): read the later rounds.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--tree", action="append", required=True, help="NAME=PATH[:VAR=VALUE...]")
    parser.add_argument("--reps", type=int, default=3)
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []  # more arguments for dedup scan
    args = parser.parse_args(argv[: len(argv) - len(extra) - (1 if extra else 0)])
    trees: dict[str, dict[str, str]] = {}
    for spec in args.tree:
        name, _, rest = spec.partition("=")
        path, *assignments = rest.split(":")
        trees[name] = {"PYTHONPATH": path, **dict(a.split("=", 1) for a in assignments)}
    with open(args.corpus, "rb") as fh:
        docs = sum(1 for _ in fh)
    cpu: dict[str, list[float]] = {name: [] for name in trees}
    digests: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="kernels-ab-") as tmp:
        for rep in range(args.reps):
            for name, env in trees.items():
                out = os.path.join(tmp, f"{name}.json")
                cmd = ["nice", "-n", "5", sys.executable, "-m", "dedup.cli", "scan", args.corpus]
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run(
                    [*cmd, "--format", "json", "-q", "-o", out, *extra], env={**os.environ, **env}, check=True
                )
                wall = time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
                cpu[name].append(used)
                with open(out, "rb") as fh:
                    digests[name] = hashlib.blake2b(fh.read(), digest_size=8).hexdigest()
                print(f"round {rep} {name:10s} {used / docs * 1e3:6.3f} ms CPU/doc  {wall:7.1f} s wall", flush=True)
    print("| tree | CPU ms/document, each round | median |")
    print("| --- | --- | ---: |")
    for name, values in cpu.items():
        each = ", ".join(f"{v / docs * 1e3:.3f}" for v in values)
        print(f"| {name} | {each} | {sorted(values)[len(values) // 2] / docs * 1e3:.3f} |")
    print(f"{docs} documents; outputs identical: {len(set(digests.values())) == 1}")


if __name__ == "__main__":
    main()
