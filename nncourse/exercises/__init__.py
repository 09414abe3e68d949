"""Exercises of the course: one module per notebook, all registered under ids ``<notebook>.<name>``.

>>> from nncourse import exercises
>>> exercises.get("backprop.linear_backward").kind
'function'

See :mod:`nncourse.exercises.base` for the contract shared by ``nncourse.check`` and the grader, and
``Exercise.hint_for(message, level=0)`` for the hint that fits a failure (level 0, the gentlest, is
what the grader's feedback shows; it never holds the solution).
"""
from nncourse.exercises.base import (  # noqa: F401
    CASE_STATUSES,
    EXERCISE_STATUSES,
    Case,
    CaseResult,
    Exercise,
    SanitizeError,
    all_exercises,
    for_notebook,
    get,
    is_edge,
    notebook_number,
    notebooks,
    register,
)
from nncourse.exercises.function import Convention, FunctionExercise, relation  # noqa: F401
from nncourse.exercises.quiz import MalformedAnswer, QuizExercise, answer_hash  # noqa: F401
from nncourse.exercises.runner import CallOutcome, call_student, run_cases  # noqa: F401
