"""Throughput of the batch grader: submissions per second with ``--jobs 1`` and ``--jobs 2``.

Grades ``--copies`` copies of the solution notebook and as many generated student notebooks
(written to a temporary folder) and prints a table. The budget is at least 3 submissions per second
per core. It also checks that ``--jobs 2`` writes the same files as ``--jobs 1``.

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
BUDGET = 3.0  # submissions per second per core


def import_seconds(module: str) -> float:
    """Wall-clock seconds of ``python -I -c "import <module>"`` (best of 3), start-up included."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(REPO)!r}); import {module}"],
                       check=True)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100, help="copies of each notebook (default 100)")
    args = parser.parse_args(argv)
    from nncourse.grading import grade

    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="nncourse-bench-") as tmp:
        subs = Path(tmp, "submissions")
        subs.mkdir()
        for i in range(args.copies):
            shutil.copy(REPO / "solutions" / "01_backprop.ipynb", subs / f"solution-{i:03d}.ipynb")
            shutil.copy(REPO / "course" / "01_backprop.ipynb", subs / f"student-{i:03d}.ipynb")
        n = 2 * args.copies
        rows = []
        for jobs in (1, 2):
            out = Path(tmp, f"out-{jobs}")
            start = time.perf_counter()
            summary = grade([subs], out, jobs=jobs, seed=0, progress=False, regrade=True)
            seconds = time.perf_counter() - start
            rate = n / seconds
            rows.append((jobs, n, seconds, rate, rate / min(jobs, cores), summary))
        same = all((Path(tmp, "out-1", f).read_bytes() == Path(tmp, "out-2", f).read_bytes())
                   for f in ("results.csv", "grades.csv"))
        totals = {p["submission"].split("-")[0]: sum(r["points"] for r in p["rows"]) for p in rows[0][5].parts}
    print(f"batch grading of {args.copies} solution + {args.copies} student notebooks, {cores} cores")
    print(f"{'jobs':>4} {'submissions':>11} {'seconds':>8} {'per second':>10} {'per s per core':>14}")
    for jobs, count, seconds, rate, per_core, _ in rows:
        print(f"{jobs:>4} {count:>11} {seconds:>8.2f} {rate:>10.1f} {per_core:>14.1f}")
    worst = min(r[4] for r in rows)
    print(f"budget: >= {BUDGET:g} submissions/s per core: {'met' if worst >= BUDGET else 'NOT met'} "
          f"(worst {worst:.1f}); jobs 2 gives the same CSV files as jobs 1: {same}")
    print(f"points: a solution copy {totals.get('solution')}, a student copy {totals.get('student')}")
    print(f"python -I start-up: bare {import_seconds('sys'):.2f} s, numpy {import_seconds('numpy'):.2f} s, "
          f"nncourse {import_seconds('nncourse'):.2f} s, matplotlib.pyplot {import_seconds('matplotlib.pyplot'):.2f} s "
          "(a launcher pays these once; each submission's worker is a fork of it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
