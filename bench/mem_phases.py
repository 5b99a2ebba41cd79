"""Where a ``dedup scan``'s memory is, phase by phase: PSS, private and shared memory of every process of the tree.

Usage::

    python bench/mem_phases.py [--every 0.5] [--log FILE] -- dedup scan CORPUS --format csv -o OUT -q --workers 2

Every ``--every`` seconds, each process of the command's tree is read from ``/proc/PID/smaps_rollup`` (PSS, and
its private pages: those no other process maps). A scan forks one pool of workers per stage (pass 1, pass 2,
banding, verification, the template test), so a phase is named by the pool alive: ``pool 3`` is the third set of
workers forked, ``main`` the time between pools. Printed at the end: per phase, the tree's largest PSS and, at that
sample, the main process's PSS and private MB and each worker's; then the run's peak and CPU seconds. ``--log``
keeps every sample (one line each: seconds, phase, then pid:pss:private per process, MB).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time


def rollup(pid: int) -> tuple[int, int] | None:
    """PSS and private memory (bytes) of ``pid``, or None once it has gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            fields = {line.split(":")[0]: line.split()[1] for line in fh if ":" in line and line.split()[1].isdigit()}
    except (OSError, IndexError):
        return None
    private = int(fields.get("Private_Clean", 0)) + int(fields.get("Private_Dirty", 0))
    return int(fields.get("Pss", 0)) * 1024, private * 1024


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (through /proc/PID/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            try:
                with open(f"/proc/{p}/task/{t}/children", encoding="ascii") as fh:
                    kids = [int(k) for k in fh.read().split()]
            except OSError:
                continue
            out.extend(kids)
            todo.extend(kids)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--every", type=float, default=0.5)
    ap.add_argument("--log")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    log = open(args.log, "w", encoding="utf-8") if args.log else None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    seen: set[int] = set()
    pools, phase = 0, "main"
    best: dict[str, tuple[int, float, list[tuple[int, int, int]]]] = {}  # phase -> tree PSS, seconds, processes
    order: list[str] = []
    while proc.poll() is None:
        kids = [k for k in children(proc.pid) if k not in (proc.pid,)]
        # Kids of kids (a worker's own helpers) are counted but do not name a phase.
        fresh = [k for k in kids if k not in seen]
        if fresh:
            pools += 1
            seen.update(fresh)
        phase = f"pool {pools}" if kids else "main"
        rows = []
        for pid in [proc.pid, *kids]:
            got = rollup(pid)
            if got is not None:
                rows.append((pid, *got))
        total = sum(r[1] for r in rows)
        now = time.perf_counter() - t0
        if phase not in best:
            order.append(phase)
        if phase not in best or total > best[phase][0]:
            best[phase] = (total, now, rows)
        if log is not None:
            cells = " ".join(f"{p}:{pss >> 20}:{priv >> 20}" for p, pss, priv in rows)
            log.write(f"{now:.1f} {phase} {total >> 20} {cells}\n")
            log.flush()
        time.sleep(args.every)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"{'phase':<8}{'at s':>8}{'tree MB':>9}{'main MB':>9}{'private':>9}  workers (PSS/private MB)")
    for name in order:
        total, when, rows = best[name]
        main_row = rows[0] if rows and rows[0][0] == proc.pid else (proc.pid, 0, 0)
        workers = ", ".join(f"{pss >> 20}/{priv >> 20}" for pid, pss, priv in rows if pid != proc.pid)
        print(f"{name:<8}{when:>8.1f}{total >> 20:>9}{main_row[1] >> 20:>9}{main_row[2] >> 20:>9}  {workers}")
    peak = max((v[0] for v in best.values()), default=0)
    print(f"peak {peak >> 20} MB, CPU {cpu:.1f} s, wall {time.perf_counter() - t0:.1f} s, exit {proc.returncode}")
    if log is not None:
        log.close()
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
