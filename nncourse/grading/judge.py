"""Judging what a job sent back: plain data in, a :class:`~nncourse.grading.rows.ResultRow` out.

This runs in the grader's process, which never runs student code: the values are decoded from
plain data, sanitized, compared with the expected values and scored with the exercise's own
``sanitize``, ``compare`` and ``grade`` (the same steps as ``nncourse.check``). Messages for a
case the student's code decided (not attempted, an exception, an input changed in place) use the
same words as ``nncourse.check``.
"""
from __future__ import annotations

import re

from nncourse.grading import protocol
from nncourse.grading.rows import CaseRow, ResultRow
from nncourse.grading.sandbox import Limits, format_size

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MESSAGE_CHARS = 600
_FAILURE_STATUS = {"timeout": "timeout", "cpu": "timeout", "memory": "memory limit", "exit": "error",
                   "crash": "error", "garbled": "error"}


def clean(text, limit: int = MESSAGE_CHARS) -> str:
    """One line: no memory addresses, no control characters, no lone surrogates, at most ``limit`` characters."""
    text = str(text).encode("utf-8", "backslashreplace").decode("utf-8")
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", " ".join(_ADDRESS.sub("", text).split()))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def first_hint(ex, message: str = "") -> str:
    """The gentlest hint for this failure (``Exercise.hint_for`` at level 0): never the formula."""
    return ex.hint_for(str(message), 0)


def row(ex, status: str, message: str, points: float = 0.0, cases=()) -> ResultRow:
    """The row of exercise ``ex``; the gentlest hint for its failure comes with every status but ``passed``."""
    return ResultRow(ex.id, float(points), float(ex.points), status, clean(message), getattr(ex, "title", ""),
                     first_hint(ex, message) if status != "passed" else "", tuple(cases))


def failure_row(ex, failure: str, message: str) -> ResultRow:
    """The row of the exercise that was running when its job failed (timeout, crash, ...)."""
    return row(ex, _FAILURE_STATUS[failure], message)


def _label(ex, path) -> str:
    """The name of the input at ``path`` (``[0, i]`` or ``[0, i, j]`` into the positional arguments)."""
    names = tuple(getattr(ex, "arg_names", ()) or ())
    if len(path) >= 2 and path[0] == 0 and isinstance(path[1], int):
        i = path[1]
        if i < len(names):
            name = names[i]
            if isinstance(name, dict):
                (parent, inner), = name.items()
                if len(path) >= 3 and isinstance(path[2], int) and path[2] < len(inner):
                    return f"{inner[path[2]]} ({parent}[{path[2]}])"
                return str(parent)
            return str(name)
        return f"argument {i + 1}"
    return "a keyword argument"


def _case(ex, case, expected, item, arrays: dict):
    from nncourse.exercises.base import CaseResult, SanitizeError
    from nncourse.exercises.runner import NOT_ATTEMPTED, changed_input_message

    name, public = case.name, case.public
    if not isinstance(item, dict) or item.get("name") != name:
        return CaseResult(name, "error", "the grader could not read the result of this case", public)
    listed = item.get("warnings")
    warnings = tuple(w for w in listed if isinstance(w, str))[:5] if isinstance(listed, list) else ()
    status, message = item.get("status"), str(item.get("message", ""))
    if status == "not attempted":
        return CaseResult(name, "not attempted", NOT_ATTEMPTED, public, warnings)
    if status in ("error", "failed", "memory"):
        return CaseResult(name, "error" if status == "memory" else status, message, public, warnings)
    if status == "changed":
        path = item.get("path") if isinstance(item.get("path"), list) else []
        return CaseResult(name, "failed", changed_input_message(_label(ex, path)), public, warnings)
    if status != "value":
        return CaseResult(name, "error", "the grader could not read the result of this case", public)
    try:
        value = protocol.decode(item.get("value"), arrays)
    except (ValueError, RecursionError):
        return CaseResult(name, "error", "the grader could not read the result of this case", public)
    if ex.is_unattempted(value):
        return CaseResult(name, "not attempted", "not attempted: the answer is still None", public)
    try:
        got = ex.sanitize(value)
    except SanitizeError as exc:
        return CaseResult(name, "failed", str(exc), public, warnings)
    except Exception as exc:  # a value sanitize did not foresee: still plain data, still the wrong type
        return CaseResult(name, "failed", f"wrong type: {type(exc).__name__}: {exc}", public, warnings)
    try:
        result = ex.compare(got, expected, case)
    except Exception as exc:  # a fault of the exercise's comparison, reported instead of stopping the run
        return CaseResult(name, "error", f"the grader could not compare this case ({type(exc).__name__}: {exc})",
                          public, warnings)
    result.warnings = warnings
    return result


def judge(ex, cases: list, expected: list, record: dict, arrays: dict, limits: Limits) -> ResultRow:
    """The row of one exercise from the job's record (plain data) and the grader's expected values."""
    cell = record.get("cell")
    message = str(record.get("message", ""))
    memory_note = f"out of memory (the limit is {format_size(limits.memory)})"
    if cell == "memory":
        return row(ex, "memory limit", f"{memory_note}: {message}")
    if cell == "not attempted":  # the cell itself failed: no case ran
        return row(ex, "not attempted", message)
    got = record.get("cases")
    if cell != "ok" or not isinstance(got, list):
        return row(ex, "error", message if cell == "error" else "the grader could not read the results")
    results = [_case(ex, c, expected[j], got[j] if j < len(got) else None, arrays) for j, c in enumerate(cases)]
    memory = any(isinstance(g, dict) and g.get("status") == "memory" for g in got)
    points, status, summary = ex.grade(results)
    case_rows = [CaseRow(r.name, r.status, clean(r.message, 400), tuple(clean(w, 200) for w in (r.warnings or ()))[:5])
                 for r in results]
    if memory:
        first = next((r for r in results if "MemoryError" in r.message), results[0] if results else None)
        detail = f"{first.name}: {first.message}" if first is not None and first.message else summary
        return row(ex, "memory limit", f"{memory_note}: {detail}", 0.0, case_rows)
    return row(ex, status, summary, points, case_rows)
