"""``nncourse grade PATH... --out DIR``: grade submitted notebooks (see :mod:`nncourse.grading.run`)."""
from __future__ import annotations

import argparse
import sys

_DESCRIPTION = """\
Grade every .ipynb under the given paths (one submission each) into DIR/results.csv (one row per
submission and exercise), DIR/grades.csv (one row per submission) and DIR/feedback/<name>.md.
Only the exercise cells run (after the course notebook's plain import lines, such as numpy), each
submission in its own sandbox: Linux namespaces, another user, no network, no other process, a
read-only view of Python and numpy only, a private scratch space, and time, CPU and memory limits.
The results are judged in this process, which never runs student code.
Re-running into the same DIR reuses the submissions already graded (an interrupted run continues).
Exit code 0 when the run completed (whatever the grades), 2 for a usage error."""


def _positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {kind.__name__} > 0, got {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"expected a {kind.__name__} > 0, got {text!r}")
        return value
    return parse


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative int, got {text!r}")
    return value


def _size(text: str) -> int:
    from nncourse.grading.sandbox import parse_size

    try:
        value = parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value < 64 * 2**20:
        raise argparse.ArgumentTypeError(f"expected at least 64M, got {text!r}")
    return value


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("grade", help="grade submitted notebooks into results.csv, grades.csv and feedback files",
                       description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH", help="notebooks, or folders searched recursively")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the results (created if missing)")
    p.add_argument("--jobs", type=_positive(int), default=1, metavar="N",
                   help="submissions graded at the same time (default 1)")
    p.add_argument("--timeout", type=_positive(float), default=None, metavar="SECONDS",
                   help="wall-clock limit per exercise (default: the exercise's own limit, 5 to 10 s)")
    p.add_argument("--cpu-limit", type=_positive(float), default=None, metavar="SECONDS",
                   help="CPU-time limit per worker process (default: 30 + the sum of the exercise limits)")
    p.add_argument("--memory-limit", type=_size, default="2G", metavar="SIZE",
                   help="address-space limit per worker process, e.g. 512M, 2G (default 2G)")
    p.add_argument("--seed", type=_seed, default=None,
                   help="seed of the randomized cases (default: a secret seed kept in DIR/.grader-seed)")
    p.add_argument("--course", default=None, metavar="DIR",
                   help="folder of the course notebooks (default: course/ next to the package)")
    p.add_argument("--regrade", action="store_true", help="grade everything again, ignoring saved results")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary")
    p.add_argument("--no-sandbox-i-trust-this-class", dest="no_sandbox", action="store_true",
                   help="where the sandbox cannot be set up (not Linux, no user namespaces): run student "
                        "code as your own user with only resource limits; it could then read and change "
                        "your files, the results and other submissions")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nncourse.grading.discover import UsageError
    from nncourse.grading.run import GradingInterrupted, grade

    try:
        summary = grade(args.paths, args.out, jobs=args.jobs, timeout=args.timeout, cpu_limit=args.cpu_limit,
                        memory_limit=args.memory_limit, seed=args.seed, course=args.course,
                        progress=False if args.quiet else None, regrade=args.regrade,
                        sandbox=not args.no_sandbox)
    except UsageError as exc:
        print(f"nncourse grade: error: {exc}", file=sys.stderr)
        return 2
    except GradingInterrupted as exc:
        print(exc.summary, file=sys.stderr)
        return 130
    if not args.quiet:
        print(summary)
    return 0
