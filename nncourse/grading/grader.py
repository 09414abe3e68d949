"""Grading one submission: its cells go to worker processes, their raw outputs are judged here.

This process never runs student code and never imports a submission's objects: it writes the
job (exercise cells and inputs), lets a worker forked by this thread's
:class:`~nncourse.grading.sandbox.Launcher` (which ran the trusted course notebook's import cells)
run it, reads back plain data, and computes the expected values, comparisons and points with the
package's own exercise registry.

When a worker times out, crashes or exits while running an exercise, that exercise gets the
matching status (``timeout``, ``memory limit``, ``error``) with 0 points and a fresh worker grades
the exercises after it. An exercise whose case ran out of memory also gets 0 points (``memory limit``).
"""
from __future__ import annotations

import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from nncourse.grading import protocol
from nncourse.grading.discover import (InvalidNotebook, Submission, course_imports,
                                       load_notebook, parse_submission, read_bytes)
from nncourse.grading.sandbox import Launcher, LauncherError, Limits, format_size

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
MESSAGE_CHARS = 600
_WORKER_STATUSES = {"not attempted": "not attempted", "error": "error", "failed": "failed", "memory": "error"}
_FAILURE_STATUS = {"timeout": "timeout", "cpu": "timeout", "memory": "memory limit", "exit": "error",
                   "crash": "error"}


def clean(text, limit: int = MESSAGE_CHARS) -> str:
    """One line, no memory addresses, at most ``limit`` characters."""
    text = " ".join(_ADDRESS.sub("", str(text)).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class Context:
    """What every submission of a run shares: exercises, course import cells, cases, limits, seed,
    and the launchers (one per grading thread and notebook; :meth:`close` stops them)."""

    exercises: dict            # slug -> list of Exercise, in the order of the rows
    course_dir: Path
    limits: Limits
    seed: int
    stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _imports: dict = field(default_factory=dict)
    _cases: dict = field(default_factory=dict)
    _local: threading.local = field(default_factory=threading.local)
    _launchers: list = field(default_factory=list)
    _launch_errors: dict = field(default_factory=dict)

    def imports(self, slug: str) -> list[str]:
        with self._lock:
            if slug not in self._imports:
                try:
                    self._imports[slug] = course_imports(self.course_dir, slug)
                except (FileNotFoundError, InvalidNotebook) as exc:
                    self._imports[slug] = exc
        found = self._imports[slug]
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

    def launcher(self, slug: str) -> Launcher:
        """This thread's launcher for notebook ``slug`` (started when needed); LauncherError if it cannot."""
        mine = self._local.__dict__.setdefault("launchers", {})
        launcher = mine.get(slug)
        if launcher is not None and launcher.alive:
            return launcher
        if launcher is not None:
            launcher.close()
        with self._lock:
            error = self._launch_errors.get(slug)
        if error is not None:
            raise LauncherError(error)
        try:
            launcher = Launcher(self.imports(slug), self.limits.startup)
        except LauncherError as exc:
            with self._lock:
                self._launch_errors[slug] = str(exc)
            raise
        mine[slug] = launcher
        with self._lock:
            self._launchers.append(launcher)
        return launcher

    def close(self) -> None:
        with self._lock:
            launchers, self._launchers = self._launchers, []
        for launcher in launchers:
            launcher.close()


def _row(ex, status: str, message: str, points: float = 0.0, cases=()) -> dict:
    return {"exercise": ex.id, "points": float(points), "max_points": float(ex.points), "status": status,
            "message": clean(message), "title": getattr(ex, "title", ""),
            "hint": ex.hints[0] if ex.hints and status not in ("passed",) else "",
            "cases": list(cases)}


def invalid_part(sub: Submission, slug: str, message: str, max_points: float) -> dict:
    row = {"exercise": "", "points": 0.0, "max_points": float(max_points), "status": "invalid notebook",
           "message": clean(message), "title": "", "hint": "", "cases": []}
    return {"submission": sub.name, "notebook": slug, "rows": [row], "notes": [], "output": ""}


def grade_submission(sub: Submission, ctx: Context, data: bytes | None = None) -> dict:
    """The result of one submission: ``{"submission", "notebook", "rows", "notes", "output"}``."""
    try:
        data = read_bytes(sub.path) if data is None else data
        parsed = parse_submission(load_notebook(data))
    except InvalidNotebook as exc:
        return invalid_part(sub, "", str(exc), 0.0)
    exercises = ctx.exercises.get(parsed.slug, [])
    if not exercises:
        known = ", ".join(sorted(ctx.exercises)) or "none"
        return invalid_part(sub, parsed.slug, f"unknown notebook '{parsed.slug}'; the course's notebooks "
                            f"with exercises are: {known}", 0.0)
    notes = list(parsed.notes)
    rows: dict[str, dict] = {}
    todo = []
    for ex in exercises:
        sources = parsed.cells.get(ex.id)
        if not sources:
            rows[ex.id] = _row(ex, "missing cell", f"no cell of this exercise was found (a code cell with "
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
            ctx.imports(parsed.slug)
        except (FileNotFoundError, InvalidNotebook) as exc:
            for ex, _ in todo:
                rows[ex.id] = _row(ex, "error", f"the grader cannot run this notebook: {exc}")
            todo = []
        if todo:
            output = _run(todo, parsed.slug, ctx, rows)
    known = {ex.id for ex in exercises}
    unknown = sorted(set(parsed.cells) - known)
    if unknown:
        notes.append(f"cells for unknown exercises were ignored: {', '.join(unknown)}")
    return {"submission": sub.name, "notebook": parsed.slug, "rows": [rows[ex.id] for ex in exercises],
            "notes": notes, "output": output}


def _run(todo: list, slug: str, ctx: Context, rows: dict) -> str:
    """Grade the exercises in ``todo`` (a fresh worker after each timeout or crash); returns the output."""
    outputs, retried = [], False
    with tempfile.TemporaryDirectory(prefix="nncourse-grade-", ignore_cleanup_errors=True) as root:
        attempt = 0
        while todo:
            jobdir = os.path.join(root, f"w{attempt}")
            attempt += 1
            os.mkdir(jobdir, 0o700)
            cases = [ctx.cases(ex) for ex, _ in todo]
            _write_job(jobdir, todo, [c for c, _ in cases])
            timeouts = [ctx.limits.exercise_timeout(ex.time_limit) for ex, _ in todo]
            try:
                run = ctx.launcher(slug).run(jobdir, timeouts, ctx.limits, ctx.stop)
            except LauncherError as exc:
                if retried:
                    for ex, _ in todo:
                        rows[ex.id] = _row(ex, "error", f"the grader cannot run this notebook: {exc}")
                    break
                retried = True
                continue
            outputs.append(run.output.replace(jobdir, "."))
            for i in range(run.done):
                ex = todo[i][0]
                rows[ex.id] = _judge(ex, *cases[i], _read_record(jobdir, i), ctx.limits, jobdir)
            if run.failure is None:
                break
            ex = todo[run.done][0]
            rows[ex.id] = _row(ex, _FAILURE_STATUS[run.failure], run.message)
            todo = todo[run.done + 1:]
    return clean_output("".join(outputs))


def clean_output(text: str) -> str:
    """What the student's code printed, without memory addresses (each worker's is already cut short)."""
    return _ADDRESS.sub("", text)


def _write_job(jobdir: str, todo: list, cases: list) -> None:
    arrays: dict = {}
    specs = []
    for i, ((ex, source), ex_cases) in enumerate(zip(todo, cases)):
        specs.append({"index": i, "id": ex.id, "kind": ex.kind, "target": ex.target, "source": source,
                      "cases": [{"name": c.name, "public": bool(c.public),
                                 "args": protocol.encode(tuple(c.args), arrays),
                                 "kwargs": protocol.encode(list(c.kwargs.items()), arrays)}
                                for c in ex_cases]})
    protocol.write_npz(os.path.join(jobdir, protocol.INPUTS), arrays)
    protocol.write_json(os.path.join(jobdir, protocol.JOB), {"exercises": specs})


def _read_record(jobdir: str, i: int):
    json_name, npz_name = protocol.out_names(i)
    try:
        record = protocol.read_json(os.path.join(jobdir, json_name))
        arrays = protocol.read_npz(os.path.join(jobdir, npz_name))
    except Exception as exc:  # whatever the student's code made of the files
        return {"cell": "unreadable", "message": f"the grader could not read the results ({clean(exc, 200)})"}
    if not isinstance(record, dict):
        return {"cell": "unreadable", "message": "the grader could not read the results"}
    record["_arrays"] = arrays
    return record


def _judge(ex, cases: list, expected: list, record: dict, limits: Limits, jobdir: str) -> dict:
    """The row of one exercise from the worker's record (plain data) and the grader's expected values."""
    cell = record.get("cell")
    message = str(record.get("message", "")).replace(jobdir, ".")
    if cell == "memory":
        return _row(ex, "memory limit", f"out of memory (the limit is {format_size(limits.memory)}): {message}")
    if cell == "not attempted":  # the cell itself failed: no case ran
        return _row(ex, "not attempted", message)
    if cell != "ok" or not isinstance(record.get("cases"), list):
        return _row(ex, "error", message if cell in ("error", "unreadable") else "the grader could not read the results")
    results, memory, got = [], False, record["cases"]
    for j, case in enumerate(cases):
        item = got[j] if j < len(got) and isinstance(got[j], dict) and got[j].get("name") == case.name else None
        results.append(_judge_case(ex, case, expected[j], item, record["_arrays"], jobdir))
        memory = memory or (item is not None and item.get("status") == "memory")
    points, status, summary = ex.grade(results)
    case_rows = [{"name": r.name, "status": r.status, "message": clean(r.message, 400),
                  "warnings": [clean(w, 200) for w in (r.warnings or ())][:5]} for r in results]
    if memory:
        first = next((r for r in results if "MemoryError" in r.message), results[0] if results else None)
        detail = f"{first.name}: {first.message}" if first is not None and first.message else summary
        return _row(ex, "memory limit", f"out of memory (the limit is {format_size(limits.memory)}): {detail}",
                    0.0, case_rows)
    return _row(ex, status, summary, points, case_rows)


def _judge_case(ex, case, expected, item, arrays: dict, jobdir: str):
    from nncourse.exercises.base import CaseResult, SanitizeError

    if item is None:
        return CaseResult(case.name, "error", "the grader could not read the result of this case", case.public)
    listed = item.get("warnings")
    warnings = tuple(w for w in listed if isinstance(w, str))[:5] if isinstance(listed, list) else ()
    status = item.get("status")
    if status in _WORKER_STATUSES:
        message = str(item.get("message", "")).replace(jobdir, ".")
        return CaseResult(case.name, _WORKER_STATUSES[status], message, case.public, warnings)
    if status != "value":
        return CaseResult(case.name, "error", "the grader could not read the result of this case", case.public)
    try:
        value = protocol.decode(item.get("value"), arrays)
    except (ValueError, RecursionError):
        return CaseResult(case.name, "error", "the grader could not read the result of this case", case.public)
    if ex.is_unattempted(value):
        return CaseResult(case.name, "not attempted", "not attempted: the answer is still None", case.public)
    try:
        got = ex.sanitize(value)
    except SanitizeError as exc:
        return CaseResult(case.name, "failed", str(exc), case.public, warnings)
    except Exception as exc:  # a value sanitize did not foresee: still plain data, still the wrong type
        return CaseResult(case.name, "failed", f"wrong type: {type(exc).__name__}: {exc}", case.public, warnings)
    try:
        result = ex.compare(got, expected, case)
    except Exception as exc:  # a fault of the exercise's comparison, reported instead of stopping the run
        return CaseResult(case.name, "error", f"the grader could not compare this case "
                          f"({type(exc).__name__}: {exc})", case.public, warnings)
    result.warnings = warnings
    return result
