"""Throughput of the batch grader: submissions per second, sandbox on and off, ``--jobs 1`` and ``2``.

Grades ``--copies`` copies of the solution notebook and as many generated student notebooks
(written to a temporary folder) and prints a table. The budget is at least 10 submissions per
second per core with the sandbox on. It also checks that ``--jobs 2`` writes the same files as
``--jobs 1``, and that the sandbox does not change a single byte of them.

    python bench/grading.py [--copies 100]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUDGET = 10.0  # submissions per second per core, sandbox on


def import_seconds(module: str) -> float:
    """Wall-clock seconds of ``python -I -c "import <module>"`` (best of 3), start-up included."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(REPO)!r}); import {module}"],
                       check=True)
        best = min(best, time.perf_counter() - start)
    return best


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children (the launchers, and through them the jobs)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100, help="copies of each notebook (default 100)")
    args = parser.parse_args(argv)
    from nncourse.grading import grade

    cores = os.cpu_count() or 1
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    with tempfile.TemporaryDirectory(prefix="nncourse-bench-") as tmp:
        subs = Path(tmp, "submissions")
        subs.mkdir()
        for i in range(args.copies):
            shutil.copy(REPO / "solutions" / "01_backprop.ipynb", subs / f"solution-{i:03d}.ipynb")
            shutil.copy(REPO / "course" / "01_backprop.ipynb", subs / f"student-{i:03d}.ipynb")
        n = 2 * args.copies
        rows, files = [], {}
        for sandbox in (True, False):
            for jobs in (1, 2):
                out = Path(tmp, f"out-{sandbox}-{jobs}")
                start, cpu_start = time.perf_counter(), cpu_seconds()
                summary = grade([subs], out, jobs=jobs, seed=0, progress=False, regrade=True, sandbox=sandbox)
                seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
                rate = n / seconds
                rows.append((sandbox, jobs, n, seconds, rate, rate / min(jobs, cores), summary, n / cpu))
                files[sandbox, jobs] = [(out / f).read_bytes() for f in ("results.csv", "grades.csv")]
        same = len({tuple(v) for v in files.values()}) == 1
        totals = {p.submission.split("-")[0]: p.total for p in rows[0][6].parts}
    print(f"batch grading of {args.copies} solution + {args.copies} student notebooks, {cores} cores")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average before: {load_before:.1f}, after: {load:.1f} (a busy machine slows the wall-clock figures)")
    print(f"{'sandbox':>7} {'jobs':>4} {'submissions':>11} {'seconds':>8} {'per second':>10} {'per s per core':>14} "
          f"{'per CPU second':>14}")
    for sandbox, jobs, count, seconds, rate, per_core, _, per_cpu in rows:
        print(f"{'on' if sandbox else 'off':>7} {jobs:>4} {count:>11} {seconds:>8.2f} {rate:>10.1f} {per_core:>14.1f} "
              f"{per_cpu:>14.1f}")
    worst = min(r[5] for r in rows if r[0])
    worst_cpu = min(r[7] for r in rows if r[0])
    print(f"budget: >= {BUDGET:g} submissions/s per core with the sandbox on: wall clock {worst:.1f} "
          f"({'met' if worst >= BUDGET else 'NOT met'}), per CPU second of every process involved {worst_cpu:.1f} "
          f"({'met' if worst_cpu >= BUDGET else 'NOT met'}); the same CSV files with the sandbox on and off, "
          f"jobs 1 and 2: {same}")
    print(f"points: a solution copy {totals.get('solution')}, a student copy {totals.get('student')}")
    print(f"python -I start-up: bare {import_seconds('sys'):.2f} s, numpy {import_seconds('numpy'):.2f} s, "
          f"nncourse {import_seconds('nncourse'):.2f} s, matplotlib.pyplot {import_seconds('matplotlib.pyplot'):.2f} s "
          "(a launcher pays the first two once; each submission's sandbox is a fork of it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
