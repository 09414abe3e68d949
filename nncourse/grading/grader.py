"""Grading one submission: its cells go to a sandboxed job, its raw outputs are judged here.

This process never runs student code and never imports a submission's objects: it packs the job
(the course's plain import lines, the exercise cells and the cases' inputs), lets a job forked by
this thread's :class:`~nncourse.grading.sandbox.Launcher` run it, reads back plain data, and
computes the expected values, comparisons and points with the package's own exercise registry
(:mod:`nncourse.grading.judge`).

When a job times out, crashes or exits while running an exercise, that exercise gets the matching
status (``timeout``, ``memory limit``, ``error``) with 0 points and a fresh job grades the
exercises after it.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from nncourse.grading import protocol
from nncourse.grading.discover import (InvalidNotebook, Submission, course_notebooks, parse_submission,
                                       read_bytes, sandbox_preamble)
from nncourse.grading.judge import _ADDRESS, clean, failure_row, judge, row
from nncourse.grading.rows import ResultRow, SubmissionResult, file_row
from nncourse.grading.sandbox import Launcher, LauncherError, Limits, SandboxUnavailable


@dataclass
class Context:
    """What every submission of a run shares: exercises, course notebooks, cases, limits, seed,
    and the launchers (one per grading thread; :meth:`close` stops them)."""

    exercises: dict            # notebook id -> list of Exercise, in the order of the rows
    course_dir: Path
    limits: Limits
    seed: int
    sandbox: bool = True
    stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _course: dict | None = None
    _preambles: dict = field(default_factory=dict)
    _cases: dict = field(default_factory=dict)
    _packed: dict = field(default_factory=dict)
    _local: threading.local = field(default_factory=threading.local)
    _launchers: list = field(default_factory=list)

    def preamble(self, notebook: str) -> str:
        """The import lines that run before the student's cells (InvalidNotebook / FileNotFoundError)."""
        with self._lock:
            if self._course is None:
                self._course = course_notebooks(self.course_dir)
            if notebook not in self._preambles:
                path = self._course.get(notebook)
                try:
                    if path is None:
                        raise FileNotFoundError(f"no course notebook in {self.course_dir} has the notebook id "
                                                f"'{notebook}'; point --course at the folder of the course notebooks")
                    self._preambles[notebook] = sandbox_preamble(path)
                except (FileNotFoundError, InvalidNotebook) as exc:
                    self._preambles[notebook] = exc
        found = self._preambles[notebook]
        if isinstance(found, Exception):
            raise found
        return found

    def cases(self, ex) -> tuple[list, list]:
        """The cases of ``ex`` for this run's seed and their expected values (computed once)."""
        with self._lock:
            if ex.id not in self._cases:
                cases = ex.cases(self.seed)
                self._cases[ex.id] = (cases, [ex.expected(c) for c in cases])
        return self._cases[ex.id]

    def launcher(self) -> Launcher:
        """This thread's launcher (started when needed); LauncherError if it cannot start."""
        launcher = getattr(self._local, "launcher", None)
        if launcher is not None and launcher.alive:
            return launcher
        if launcher is not None:
            launcher.close()
        launcher = Launcher(self.sandbox, self.limits.startup)
        self._local.launcher = launcher
        with self._lock:
            self._launchers.append(launcher)
        return launcher

    def close(self) -> None:
        with self._lock:
            launchers, self._launchers = self._launchers, []
        for launcher in launchers:
            launcher.close()


def helpers(exercises) -> str:
    """The helpers a notebook's exercises give the student's code in the sandbox: each exercise's
    optional ``sandbox_helpers`` attribute, Python source that needs only numpy and the standard
    library (never the package's reference, which is not in the sandbox)."""
    parts = [getattr(ex, "sandbox_helpers", "") for ex in exercises]
    return "".join(p if p.endswith("\n") else p + "\n" for p in dict.fromkeys(parts) if isinstance(p, str) and p)


def invalid(sub: Submission, notebook: str, message: str, status: str = "invalid notebook") -> SubmissionResult:
    return SubmissionResult(sub.name, notebook, [file_row(status, clean(message))])


def grade_submission(sub: Submission, ctx: Context, data: bytes | None = None) -> SubmissionResult:
    """The result of one submission (``data``: its bytes, read once by the caller)."""
    if sub.outside:
        return invalid(sub, "", "a link to a file outside the submissions folder; not graded", "not graded")
    try:
        data = read_bytes(sub.path) if data is None else data
        parsed = parse_submission(data)
    except InvalidNotebook as exc:
        return invalid(sub, "", str(exc))
    exercises = ctx.exercises.get(parsed.notebook, [])
    if not exercises:
        known = ", ".join(sorted(ctx.exercises)) or "none"
        return invalid(sub, clean(parsed.notebook, 200), f"unknown notebook '{parsed.notebook}'; the course's "
                       f"notebooks with exercises are: {known}")
    notes = list(parsed.notes)
    rows: dict[str, ResultRow] = {}
    todo = []
    for ex in exercises:
        sources = parsed.cells.get(ex.id)
        if not sources:
            rows[ex.id] = row(ex, "missing cell", f"no cell of this exercise was found (a code cell with "
                              f"metadata nncourse.exercise = '{ex.id}'); was it deleted? Copy it back from "
                              "the course notebook")
            continue
        if len(sources) > 1:
            notes.append(f"{ex.id}: the notebook has {len(sources)} cells for this exercise; "
                         "the last one was graded")
        todo.append((ex, sources[-1]))
    output = ""
    if todo:
        try:
            preamble = ctx.preamble(parsed.notebook) + helpers(exercises)
        except (FileNotFoundError, InvalidNotebook) as exc:
            for ex, _ in todo:
                rows[ex.id] = row(ex, "error", f"the grader cannot run this notebook: {exc}")
        else:
            output = _run(todo, preamble, ctx, rows)
    unknown = sorted(set(parsed.cells) - {ex.id for ex in exercises})
    if unknown:
        notes.append(f"cells for unknown exercises were ignored: {', '.join(unknown)}")
    return SubmissionResult(sub.name, parsed.notebook, [rows[ex.id] for ex in exercises],
                            [clean(n) for n in notes], output)


def _pack(todo: list, preamble: str, ctx: Context) -> bytes:
    """The job's bytes; the cases' part is encoded once per set of exercises and reused."""
    ids = tuple(ex.id for ex, _ in todo)
    with ctx._lock:
        packed = ctx._packed.get(ids)
    if packed is None:
        arrays: dict = {}
        encoded = [[{"name": c.name, "args": protocol.encode(tuple(c.args), arrays),
                     "kwargs": protocol.encode(list(c.kwargs.items()), arrays)} for c in ctx.cases(ex)[0]]
                   for ex, _ in todo]
        packed = (encoded, protocol.pack_arrays(arrays))
        with ctx._lock:
            ctx._packed[ids] = packed
    encoded, arrays = packed
    specs = [{"index": i, "id": ex.id, "kind": ex.kind, "target": ex.target, "source": source, "cases": cases}
             for i, ((ex, source), cases) in enumerate(zip(todo, encoded))]
    return protocol.pack_job({"preamble": preamble, "exercises": specs}, arrays)


def _run(todo: list, preamble: str, ctx: Context, rows: dict) -> str:
    """Grade the exercises in ``todo`` (a fresh job after each timeout or crash); returns the output."""
    outputs, retried = [], False
    while todo:
        cases = [ctx.cases(ex) for ex, _ in todo]
        timeouts = [ctx.limits.exercise_timeout(ex.time_limit) for ex, _ in todo]
        try:
            run = ctx.launcher().run(_pack(todo, preamble, ctx), timeouts, ctx.limits, ctx.stop)
        except SandboxUnavailable:
            raise
        except LauncherError as exc:
            if retried:
                for ex, _ in todo:
                    rows[ex.id] = row(ex, "error", f"the grader cannot run this notebook: {exc}")
                break
            retried = True
            continue
        outputs.append(run.output)
        for i, (record, arrays) in enumerate(run.frames):
            ex = todo[i][0]
            rows[ex.id] = judge(ex, *cases[i], record, arrays, ctx.limits)
        if run.failure is None:
            break
        ex = todo[run.done][0]
        rows[ex.id] = failure_row(ex, run.failure, run.message)
        todo = todo[run.done + 1:]
    return _ADDRESS.sub("", "".join(outputs))
