"""A grading run: every submission under some paths into ``results.csv``, ``grades.csv`` and feedback.

Nothing finished is lost: each submission's result is saved as ``DIR/.parts/<key>.json`` (and its
feedback file written) the moment it is done, and the CSV files are assembled from those parts at
the end of the run, also when it is interrupted. A re-run reuses every part whose key still
matches, so an interrupted run continues where it stopped. The key covers the submission's name
and content, the seed, the limits, the sandbox setting, the package's source code and the course
notebooks' import lines; ``regrade=True`` ignores saved parts. Student code never sees ``DIR``
(see :mod:`nncourse.grading.sandbox`), and a part is used only when every field checks out
(:meth:`~nncourse.grading.rows.SubmissionResult.from_dict`); anything else is graded again.

The seed: randomized test cases are drawn from ``seed`` when it is given. Otherwise a random seed
is made with :mod:`secrets` on the first run into ``DIR`` and kept in ``DIR/.grader-seed``, so a
submission cannot know its cases, and re-running into the same ``DIR`` gives the same cases and the
same files. Every submission of a run is graded on the same cases.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from nncourse._files import write_atomic
from nncourse.grading import report
from nncourse.grading.discover import (InvalidNotebook, Submission, UsageError, content_hash, find_submissions,
                                       read_bytes)
from nncourse.grading.grader import Context, grade_submission, invalid
from nncourse.grading.rows import PROBLEM_STATUSES, BadRecord, SubmissionResult
from nncourse.grading.sandbox import (DEFAULT_MEMORY, NO_SANDBOX_FLAG, Interrupted, Launcher, LauncherError, Limits,
                                      SandboxUnavailable)

PARTS_DIR = ".parts"
SEED_FILE = ".grader-seed"
_FORMAT = 2


class GradingInterrupted(KeyboardInterrupt):
    """The run was interrupted; ``summary`` says what was finished (and saved)."""

    def __init__(self, summary):
        super().__init__("interrupted")
        self.summary = summary


@dataclass
class GradeSummary:
    """What a run did; ``str()`` gives the lines printed at the end of ``nncourse grade``."""

    out: Path
    submissions: int
    graded: int = 0
    reused: int = 0
    with_errors: int = 0
    invalid: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    parts: list = field(default_factory=list, repr=False)

    def __str__(self) -> str:
        done = self.graded + self.reused
        noun = "submission" if self.submissions == 1 else "submissions"
        head = (f"interrupted: {done} of {self.submissions} {noun} finished"
                if self.interrupted else f"graded {done} {noun}")
        extra = f" ({self.reused} unchanged since the last run)" if self.reused else ""
        lines = [f"{head}{extra} in {self.seconds:.1f} s; {self.with_errors} with errors "
                 f"(error, timeout, memory limit, missing cell, invalid notebook or not graded), {self.invalid} invalid "
                 f"notebook{'' if self.invalid == 1 else 's'}",
                 f"results: {self.out / 'results.csv'}, {self.out / 'grades.csv'}, {self.out / 'feedback'}/"]
        if self.interrupted:
            lines.append("re-run the same command to grade the rest; finished submissions are kept")
        return "\n".join(lines)


def default_course_dir() -> Path:
    import nncourse

    return Path(nncourse.__file__).resolve().parent.parent / "course"


def registry_exercises() -> dict:
    """``{notebook: [Exercise, ...]}`` from the package's exercise registry."""
    from nncourse import exercises

    return {notebook: exercises.for_notebook(notebook) for notebook in exercises.notebooks()}


def _seed(out: Path, seed) -> int:
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"expected seed to be a non-negative int, got {seed!r}")
        return seed
    path = out / SEED_FILE
    if path.exists():
        text = path.read_text().strip()
        if text.isdigit():
            return int(text)
    value = secrets.randbits(63)
    write_atomic(path, f"{value}\n", root=out)
    return value


def _fingerprint(ctx: Context) -> str:
    """A hash of everything besides the submission that decides its results."""
    import nncourse

    h = hashlib.sha256()
    package = Path(nncourse.__file__).resolve().parent
    for f in sorted(package.rglob("*.py")):
        h.update(f.relative_to(package).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    for notebook, exercises in sorted(ctx.exercises.items()):
        h.update(repr((notebook, [(type(e).__name__, e.id, e.kind, e.target, e.points,
                                   getattr(e, "sandbox_helpers", "")) for e in exercises])).encode())
        try:
            h.update(ctx.preamble(notebook).encode())
        except Exception as exc:  # the error message is part of the results too
            h.update(str(exc).encode())
    h.update(repr((ctx.seed, ctx.limits, ctx.sandbox, _FORMAT)).encode())
    return h.hexdigest()


def _load_part(path: Path, key: str, name: str):
    """The saved result of a submission, or None when it is missing, stale, a link or damaged."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 2**24:
            return None
        part = SubmissionResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, RecursionError, BadRecord):
        return None
    return part if part.key == key and part.submission == name else None


def grade(paths, out, *, jobs: int = 1, timeout: float | None = None, cpu_limit: float | None = None,
          memory_limit: int = DEFAULT_MEMORY, seed: int | None = None, course=None, progress=None,
          regrade: bool = False, exercises: dict | None = None, sandbox: bool = True) -> GradeSummary:
    """Grade every notebook under ``paths`` into the folder ``out``.

    Parameters
    ----------
    paths : list of str or Path
        Notebooks and folders of notebooks (searched recursively).
    out : str or Path
        Folder for ``results.csv``, ``grades.csv``, ``feedback/`` and the saved parts.
    jobs : int
        Submissions graded at the same time (each in its own worker process).
    timeout : float or None
        Wall-clock seconds per exercise; None: each exercise's own time limit.
    cpu_limit : float or None
        CPU seconds per worker process; None: 30 plus the sum of its exercises' timeouts.
    memory_limit : int
        Bytes of address space per worker process (2 GiB by default).
    seed : int or None
        Seed of the randomized cases; None: a secret seed kept in ``out/.grader-seed``.
    course : str or Path or None
        Folder of the course notebooks whose import cells are used; None: ``course/`` next to the package.
    progress : bool or None
        Show a progress bar on stderr; None: only when stderr is a terminal.
    regrade : bool
        Grade every submission again instead of reusing saved results.
    exercises : dict or None
        ``{notebook: [Exercise, ...]}``; None: the package's exercise registry.
    sandbox : bool
        Run student code in the sandbox (:mod:`nncourse.grading.sandbox`). False runs it as the
        grader's own user with only resource limits (``--no-sandbox-i-trust-this-class``).

    Returns
    -------
    GradeSummary

    Raises
    ------
    UsageError
        A path does not exist or holds no notebook, ``out`` is a file, the course folder is missing,
        or the sandbox cannot be set up (and ``sandbox`` is True).
    GradingInterrupted
        On Ctrl-C, after the CSV files were written from the finished submissions.
    """
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"expected jobs to be an int >= 1, got {jobs!r}")
    if not hasattr(os, "fork"):
        raise UsageError("batch grading needs a POSIX system (Linux or macOS): it forks limited worker processes")
    root, subs = find_submissions(paths)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; expected a folder (it is created if missing)")
    course = Path(course) if course is not None else default_course_dir()
    if not course.is_dir():
        raise UsageError(f"the course notebooks were not found in {course}; pass --course DIR")
    limits = Limits(timeout=timeout, cpu=cpu_limit, memory=memory_limit)
    _check_sandbox(sandbox, limits)
    out.mkdir(parents=True, exist_ok=True)
    ctx = Context(exercises=registry_exercises() if exercises is None else dict(exercises),
                  course_dir=course, limits=limits, seed=_seed(out, seed), sandbox=bool(sandbox))
    fingerprint = _fingerprint(ctx)
    summary = GradeSummary(out=out, submissions=len(subs))
    start = time.monotonic()
    names = report.feedback_names([s.name for s in subs])
    parts: dict[str, SubmissionResult] = {}
    pending = []
    for sub in subs:
        try:
            data = None if sub.outside else read_bytes(sub.path)
        except InvalidNotebook:  # unreadable or too large: becomes an invalid-notebook row
            data = None
        key = hashlib.sha256(f"{fingerprint}:{sub.outside}:{sub.name}:{content_hash(data or b'')}"
                             .encode("utf-8", "surrogateescape")).hexdigest()
        part = None if regrade else _load_part(out / PARTS_DIR / f"{key}.json", key, sub.name)
        if part is not None:
            parts[sub.name] = part
            summary.reused += 1
        else:
            pending.append((sub, key, data))
    bar = _bar(len(subs), summary.reused, progress)
    try:
        _grade_all(pending, ctx, out, names, jobs, parts, summary, bar)
    except (KeyboardInterrupt, Interrupted):
        ctx.stop.set()
        summary.interrupted = True
    finally:
        ctx.close()
        if bar is not None:
            bar.close()
        ordered = [parts[s.name] for s in subs if s.name in parts]
        _assemble(out, ordered, names)
        summary.parts = ordered
        summary.with_errors = sum(p.has(PROBLEM_STATUSES) for p in ordered)
        summary.invalid = sum(p.has(("invalid notebook",)) for p in ordered)
        summary.seconds = time.monotonic() - start
    if summary.interrupted:
        raise GradingInterrupted(summary)
    return summary


def _bar(total: int, initial: int, progress):
    show = sys.stderr.isatty() if progress is None else bool(progress)
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="submission", file=sys.stderr, dynamic_ncols=True)


def _check_sandbox(sandbox: bool, limits: Limits) -> None:
    """UsageError, naming the risk and the flag, when the sandbox cannot be set up here."""
    if not sandbox:
        return
    try:
        Launcher(True, limits.startup).close()
    except SandboxUnavailable as exc:
        raise UsageError(f"{exc}. Grading refuses to run student code without it. Pass {NO_SANDBOX_FLAG} "
                         "only for a class whose code you trust: student code would then run as your own "
                         "user, able to read and change your files, the results and the other submissions "
                         "(the README's grading guide says what the sandbox guarantees)") from None
    except LauncherError as exc:
        raise UsageError(str(exc)) from None


def _grade_one(sub: Submission, key: str, data, ctx: Context, out: Path, names: dict) -> SubmissionResult:
    if data is None:
        part = grade_submission(sub, ctx)  # reports why the file cannot be read
    else:
        try:
            part = grade_submission(sub, ctx, data)
        except (Interrupted, SandboxUnavailable):
            raise
        except Exception as exc:  # a fault of the grader must not stop the run
            part = invalid(sub, "", f"the grader failed on this submission ({type(exc).__name__}: {exc})", "error")
    part.key = key
    write_atomic(out / "feedback" / names[sub.name], report.feedback_markdown(part), root=out)
    write_atomic(out / PARTS_DIR / f"{key}.json", json.dumps(part.to_dict(), indent=1, sort_keys=True), root=out)
    return part


def _grade_all(pending, ctx: Context, out: Path, names: dict, jobs: int, parts: dict, summary: GradeSummary,
               bar) -> None:
    def finished(part):
        parts[part.submission] = part
        summary.graded += 1
        if bar is not None:
            bar.update(1)

    if jobs == 1:
        for sub, key, data in pending:
            finished(_grade_one(sub, key, data, ctx, out, names))
        return
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="nncourse-grade") as pool:
        futures = {pool.submit(_grade_one, sub, key, data, ctx, out, names) for sub, key, data in pending}
        try:
            while futures:
                done, futures = wait(futures, return_when=FIRST_COMPLETED)
                for f in done:
                    finished(f.result())
        except BaseException:
            ctx.stop.set()
            for f in futures:
                f.cancel()
            for f in futures:  # keep what the running ones finish before they see the stop
                try:
                    finished(f.result())
                except BaseException:
                    pass
            raise


def _assemble(out: Path, parts: list[SubmissionResult], names: dict) -> None:
    """Write the CSV files from the parts, and any feedback file that is missing or stale."""
    for part in parts:
        path = out / "feedback" / names[part.submission]
        text = report.feedback_markdown(part)
        try:
            same = not path.is_symlink() and path.read_text(encoding="utf-8") == text
        except (OSError, ValueError):
            same = False
        if not same:
            write_atomic(path, text, root=out)
    write_atomic(out / "results.csv", report.results_csv(parts), root=out)
    write_atomic(out / "grades.csv", report.grades_csv(parts), root=out)
