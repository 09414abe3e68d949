"""Batch grading: ``nncourse grade PATH... --out DIR`` grades a class's notebooks in isolated processes.

>>> from nncourse.grading import grade
>>> summary = grade(["submissions/"], "graded/", jobs=2)   # doctest: +SKIP

Modules: :mod:`~nncourse.grading.discover` (finding and reading submissions),
:mod:`~nncourse.grading.sandbox` (the launcher process, the sandbox and its limits, from the
grader's side), :mod:`~nncourse.grading.jail` (the Linux namespaces), :mod:`~nncourse.grading.launcher`
and :mod:`~nncourse.grading.worker` (what runs outside and inside the sandbox, without the package),
:mod:`~nncourse.grading.protocol` (what they exchange), :mod:`~nncourse.grading.watch` (following a
running job), :mod:`~nncourse.grading.judge` (points from plain data), :mod:`~nncourse.grading.rows`
(statuses and records), :mod:`~nncourse.grading.grader` (one submission),
:mod:`~nncourse.grading.report` (CSV and feedback files), :mod:`~nncourse.grading.run` (a whole run)
and :mod:`~nncourse.grading.cli` (the command). This module imports them lazily, so that
``nncourse --help`` stays light.
"""
from __future__ import annotations

__all__ = ["grade", "GradeSummary", "GradingInterrupted", "UsageError"]


def __getattr__(name: str):
    if name in ("grade", "GradeSummary", "GradingInterrupted"):
        from nncourse.grading import run

        return getattr(run, name)
    if name == "UsageError":
        from nncourse.grading.discover import UsageError

        return UsageError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
