"""The grader's vocabulary: its statuses, and the typed records of a result row and a submission.

The statuses of an exercise are those of ``nncourse.check``
(:data:`nncourse.exercises.base.EXERCISE_STATUSES`) plus a few only the batch grader gives
(:data:`GRADER_STATUSES`). Results are saved between runs (``.parts``) as plain JSON and read back
with :meth:`SubmissionResult.from_dict`, which checks every field, so a damaged file is graded
again instead of trusted.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from nncourse.exercises.base import CASE_STATUSES, EXERCISE_STATUSES

#: statuses only the batch grader gives, and what each means
GRADER_STATUSES = {
    "memory limit": "the code needed more memory than --memory-limit",
    "missing cell": "the exercise's cell is not in the notebook",
    "invalid notebook": "the file is not a notebook of the course",
    "not graded": "the file was left out on purpose (a link leaving the submissions folder)",
}
#: every status a result row can have
STATUSES = tuple(EXERCISE_STATUSES) + tuple(GRADER_STATUSES)
#: statuses that mean something stopped the grading of an exercise (counted as "with errors")
PROBLEM_STATUSES = ("error", "timeout", "memory limit", "missing cell", "invalid notebook", "not graded")
_CASE = tuple(CASE_STATUSES)


class BadRecord(ValueError):
    """A saved record does not have the expected fields and types."""


def _text(value, name: str) -> str:
    if not isinstance(value, str):
        raise BadRecord(f"{name} is not text")
    return value


def _number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BadRecord(f"{name} is not a finite number")
    return float(value)


@dataclass(frozen=True)
class CaseRow:
    """One case of an exercise as the feedback shows it."""

    name: str
    status: str
    message: str = ""
    warnings: tuple = ()

    @classmethod
    def from_dict(cls, d) -> "CaseRow":
        if not isinstance(d, dict) or d.get("status") not in _CASE:
            raise BadRecord("a case has no known status")
        warnings = d.get("warnings", [])
        if not isinstance(warnings, list):
            raise BadRecord("warnings is not a list")
        return cls(_text(d.get("name"), "name"), d["status"], _text(d.get("message", ""), "message"),
                   tuple(_text(w, "warning") for w in warnings))


@dataclass(frozen=True)
class ResultRow:
    """One row of ``results.csv``: an exercise of a submission (``exercise`` "" for the whole file)."""

    exercise: str
    points: float
    max_points: float
    status: str
    message: str = ""
    title: str = ""
    hint: str = ""
    cases: tuple = ()

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"expected status to be one of {', '.join(STATUSES)}, got {self.status!r}")

    @classmethod
    def from_dict(cls, d) -> "ResultRow":
        if not isinstance(d, dict) or d.get("status") not in STATUSES:
            raise BadRecord("a row has no known status")
        cases = d.get("cases", [])
        if not isinstance(cases, list):
            raise BadRecord("cases is not a list")
        return cls(_text(d.get("exercise"), "exercise"), _number(d.get("points"), "points"),
                   _number(d.get("max_points"), "max_points"), d["status"], _text(d.get("message", ""), "message"),
                   _text(d.get("title", ""), "title"), _text(d.get("hint", ""), "hint"),
                   tuple(CaseRow.from_dict(c) for c in cases))


@dataclass
class SubmissionResult:
    """Everything a run knows about one submission: its rows, notes and what its code printed."""

    submission: str
    notebook: str
    rows: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    output: str = ""
    key: str = ""

    @property
    def total(self) -> float:
        return round(sum(r.points for r in self.rows), 2)

    @property
    def max_points(self) -> float:
        return round(sum(r.max_points for r in self.rows), 2)

    def has(self, statuses) -> bool:
        return any(r.status in statuses for r in self.rows)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d) -> "SubmissionResult":
        """The record saved by :meth:`to_dict`; BadRecord if any field is missing or of the wrong type."""
        if not isinstance(d, dict) or not isinstance(d.get("rows"), list) or not isinstance(d.get("notes", []), list):
            raise BadRecord("not a saved submission")
        return cls(_text(d.get("submission"), "submission"), _text(d.get("notebook"), "notebook"),
                   [ResultRow.from_dict(r) for r in d["rows"]], [_text(n, "note") for n in d.get("notes", [])],
                   _text(d.get("output", ""), "output"), _text(d.get("key", ""), "key"))


def file_row(status: str, message: str, max_points: float = 0.0) -> ResultRow:
    """The single row of a submission that could not be graded exercise by exercise."""
    return ResultRow("", 0.0, float(max_points), status, message)
