"""Quiz exercises: the student sets a variable to an answer; the key is stored only as a salted hash.

The answer is normalised before hashing, so ``"b"``, ``" B "`` and ``"B)"`` are the same choice,
``"(D, H)"``, ``"d,h"`` and ``("D", "H")`` the same shape, and ``32000``, ``32000.0`` and ``"32,000"``
the same number. The hash keeps the key out of plain sight in the source; a determined reader can
still try every option of a multiple-choice question, so quizzes check understanding, not secrecy.
"""
from __future__ import annotations

import hashlib
import math
import numbers
import re

import numpy as np

from nncourse.exercises.base import Case, CaseResult, Exercise, SanitizeError

FORMATS = ("choice", "text", "shape", "number")


def answer_hash(exercise_id: str, normalised: str) -> str:
    """The stored form of an answer key: sha256 of ``"nncourse-quiz:<id>:<normalised answer>"``."""
    return hashlib.sha256(f"nncourse-quiz:{exercise_id}:{normalised}".encode()).hexdigest()


class QuizExercise(Exercise):
    """A question answered by a value: a letter, a short text, a shape or a number.

    Parameters
    ----------
    id, target, points, hints, title
        As in :class:`~nncourse.exercises.base.Exercise`.
    answer_format : {"choice", "text", "shape", "number"}
        How an answer is normalised before it is hashed.
    keys : tuple of str
        :func:`answer_hash` of every accepted normalised answer.
    options : tuple of str
        The letters of a ``"choice"`` question (``("A", "B", "C", "D")``).
    digits : int
        Significant digits a ``"number"`` answer is rounded to (6 by default).
    """

    kind = "quiz"

    def __init__(self, id: str, *, target: str, answer_format: str, keys: tuple, options: tuple = (),
                 digits: int = 6, points: float = 1.0, time_limit: float = 5.0, hints: tuple = (),
                 title: str = ""):
        super().__init__(id, target=target, points=points, time_limit=time_limit, hints=hints, title=title)
        if answer_format not in FORMATS:
            raise ValueError(f"unknown answer_format {answer_format!r}; choose one of {', '.join(FORMATS)}")
        if answer_format == "choice" and not options:
            raise ValueError("a 'choice' question needs options, e.g. options=('A', 'B', 'C')")
        self.answer_format = answer_format
        self.keys = tuple(keys)
        self.options = tuple(o.upper() for o in options)
        self.digits = int(digits)

    def cases(self, seed: int) -> list[Case]:
        return [Case("answer", (), {}, False)]

    def expected(self, case: Case) -> tuple:
        return self.keys

    def is_unattempted(self, raw) -> bool:
        return raw is None or raw is Ellipsis

    def sanitize(self, raw):
        """Plain str / int / float / tuple of those; anything else is the wrong type."""
        if isinstance(raw, (bool, np.bool_)):
            raise SanitizeError(f"wrong type: expected {self._want()}, got a bool")
        if type(raw) is str:
            return str(raw)
        if isinstance(raw, (np.integer, np.floating)) or type(raw) in (int, float):
            return raw.item() if isinstance(raw, np.generic) else raw
        if self.answer_format == "shape" and type(raw) in (tuple, list):
            items = list(raw)
            if all(type(i) in (str, int) or isinstance(i, np.integer) for i in items):
                return tuple(i if type(i) is str else int(i) for i in items)
        raise SanitizeError(f"wrong type: expected {self._want()}, got {type(raw).__name__}")

    def _want(self) -> str:
        return {"choice": f"one letter, one of {', '.join(self.options)}, as a string",
                "text": "a string",
                "shape": "a shape such as \"(N, D)\"",
                "number": "a number"}[self.answer_format]

    def normalise(self, value) -> str:
        """The canonical text of an answer; a ValueError (with a student-facing message) if it has none."""
        f = self.answer_format
        if f == "number":
            if isinstance(value, str):
                text = re.sub(r"[\s,_]", "", value)
                try:
                    value = float(text)
                except ValueError:
                    raise ValueError(f"expected a number, got the text {value!r}") from None
            if not isinstance(value, numbers.Real) or not math.isfinite(value):
                raise ValueError(f"expected a finite number, got {value!r}")
            return f"{float(value):.{self.digits}g}"
        if f == "shape":
            if isinstance(value, tuple):
                value = ",".join(str(v) for v in value)
            text = re.sub(r"\s+", "", str(value).lower()).strip("()[]").rstrip(",")
            return text
        if not isinstance(value, str):
            raise ValueError(f"expected {self._want()}, got the {type(value).__name__} {value!r}")
        text = " ".join(value.split()).lower()
        if f == "choice":
            text = text.strip("().: ").upper()
            if text not in self.options:
                raise ValueError(f"{value!r} is not one of the options {', '.join(self.options)}")
        return text

    def compare(self, got, expected: tuple, case: Case) -> CaseResult:
        try:
            norm = self.normalise(got)
        except ValueError as exc:
            return CaseResult(case.name, "failed", str(exc), case.public)
        if answer_hash(self.id, norm) in expected:
            return CaseResult(case.name, "passed", "", case.public)
        return CaseResult(case.name, "failed", "that is not the right answer; think again", case.public)
