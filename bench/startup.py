"""CPU of a ``dedup`` command's start: the fixed cost every run pays before its work (issue 15: the pre-commit
hook runs one per commit).

Usage (from the repo root)::

    python bench/startup.py --rounds 9
    python bench/startup.py --baseline /tmp/main-tree --rounds 9   # A/B: another source tree, alternated

Each command runs in a new process (``python -P``: the current directory must not shadow the tree measured),
this checkout's and, with ``--baseline``, one whose ``PYTHONPATH`` is the given path (a ``git archive`` of
another commit; ``A:B`` puts several entries first, e.g. another typer installed with ``pip --target``),
alternated; medians of the process's user + system CPU time are printed:

* ``precommit (no files)``: ``dedup precommit -q`` with nothing staged, the hook's fixed cost;
* ``precommit (10 files)``: ``dedup precommit -q`` on 10 staged files (the records of ``fixtures/scraped.jsonl``
  as ``.txt`` files: Arabic and English news, 5 of them copies) in a git repository whose corpus is the 5
  committed ``fixtures/seeds``, warm (the fingerprint cache made by an untimed first run); it exits 1;
* ``scan fixtures``: ``dedup scan fixtures/ -q --format json``, a small run (numba is not loaded);
* ``import dedup.cli``.

A checkout run with ``PYTHONDONTWRITEBYTECODE=1`` compiles its modules in every process: compile them first
(``python -m compileall -q dedup``) to measure what an installed package costs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
FIXTURES = HERE / "fixtures"
STAGED = [f"news/{json.loads(line)['id']}.txt" for line in (FIXTURES / "scraped.jsonl").read_text("utf-8").splitlines()]
PRECOMMIT = ["-P", "-m", "dedup.cli", "precommit", "-q"]
# Each command: its arguments, and whether it runs in the tree's pre-commit repository (else in /).
COMMANDS = {
    "precommit (no files)": (PRECOMMIT, False),
    "precommit (10 files)": ([*PRECOMMIT, *STAGED], True),
    "scan fixtures": (["-P", "-m", "dedup.cli", "scan", str(FIXTURES), "-q", "--format", "json"], False),
    "import dedup.cli": (["-P", "-c", "import dedup.cli"], False),
}
GIT_ENV = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com", "GIT_COMMITTER_NAME": "b"}


def cpu_of(argv: list[str], env: dict[str, str], cwd: str = "/") -> float:
    """User + system CPU seconds of one run of ``python argv`` (with its children; in ``cwd``, never the
    checkout). Exit code 1 is a gate's "found duplicates", an answer."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run([sys.executable, *argv], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({run.returncode}): {run.stderr.decode(errors='replace')}")
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def staged_repository(folder: Path) -> Path:
    """A corpus repository in ``folder``: the fixtures' seeds committed, the scraped records staged as files."""
    repo = folder / "corpus"
    (repo / "news").mkdir(parents=True)
    for seed in sorted((FIXTURES / "seeds").glob("*.txt")):
        shutil.copy(seed, repo / "news" / seed.name)
    env = {**os.environ, **GIT_ENV, "GIT_COMMITTER_EMAIL": "b@example.com"}
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "corpus"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    for line, path in zip((FIXTURES / "scraped.jsonl").read_text("utf-8").splitlines(), STAGED):
        record = json.loads(line)
        (repo / path).write_text(f"{record['title']}\n{record['text']}\n", encoding="utf-8")
    subprocess.run(["git", "add", "news"], cwd=repo, env=env, check=True, capture_output=True)
    return repo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", help="PYTHONPATH of another source tree, alternated with this checkout")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    own = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    trees = {"this checkout": {**own, "PYTHONPATH": str(HERE)}}
    if args.baseline:
        trees = {"baseline": {**own, "PYTHONPATH": args.baseline}, **trees}
    cpu: dict[tuple[str, str], list[float]] = {(t, c): [] for t in trees for c in COMMANDS}
    with tempfile.TemporaryDirectory(prefix="dedup-startup-") as folder:
        repos = {tree: str(staged_repository(Path(folder) / str(k))) for k, tree in enumerate(trees)}
        for tree, env in trees.items():  # the fingerprint cache of the committed corpus, as a later commit finds it
            cpu_of(COMMANDS["precommit (10 files)"][0], env, repos[tree])
        for _ in range(args.rounds):
            for command, (argv, in_repo) in COMMANDS.items():
                for tree, env in trees.items():
                    cpu[tree, command].append(cpu_of(argv, env, repos[tree] if in_repo else "/"))
    print(f"load {os.getloadavg()[0]:.1f}; CPU s (user + system), median of {args.rounds}")
    print("| command | " + " | ".join(trees) + " |")
    print("| --- |" + " --- |" * len(trees))
    for command in COMMANDS:
        print(f"| {command} | " + " | ".join(f"{statistics.median(cpu[t, command]):.3f}" for t in trees) + " |")


if __name__ == "__main__":
    main()
