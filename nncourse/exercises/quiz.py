"""Quiz exercises: the student sets a variable to an answer; the key is stored only as a salted hash.

The answer is normalised before hashing, so ``"b"``, ``" B "`` and ``"B)"`` are the same choice;
``"ACD"``, ``"a, c, d"``, ``["D", "A", "C"]`` and ``{"A", "C", "D"}`` the same set of choices
(normalised to ``"ACD"``: sorted unique letters); ``"(D, H)"``, ``"d,h"``, ``"D x H"`` and
``("D", "H")`` the same shape (``"d,h"``); ``32000``, ``32000.0`` and ``"32,000"`` the same number.
An answer that cannot be read in its format (a letter that is not an option, a number written as a
word, a shape without commas) gets a message saying how to write it, never a plain "wrong".

The hash keeps the key out of plain sight in the source; a determined reader can still try every
option of a multiple-choice question, so quizzes check understanding, not secrecy. To make a key,
normalise the right answer and hash it::

    q = QuizExercise("nb.q", target="answer_q", answer_format="choices", options="ABCD", keys=())
    answer_hash("nb.q", q.normalise("A, C"))   # the key of the answer {A, C}
"""
from __future__ import annotations

import hashlib
import math
import numbers
import re

import numpy as np

from nncourse.exercises.base import Case, CaseResult, Exercise, SanitizeError

FORMATS = ("choice", "choices", "text", "shape", "number")

#: the start of every message about an answer that could not be read (it is not judged right or wrong)
MALFORMED = "could not read your answer"


class MalformedAnswer(ValueError):
    """An answer that cannot be read in the question's format; the message says how to write it."""


def answer_hash(exercise_id: str, normalised: str) -> str:
    """The stored form of an answer key: sha256 of ``"nncourse-quiz:<id>:<normalised answer>"``."""
    return hashlib.sha256(f"nncourse-quiz:{exercise_id}:{normalised}".encode()).hexdigest()


def _letters(options) -> str:
    options = list(options)
    return ", ".join(options[:-1]) + f" or {options[-1]}" if len(options) > 1 else "".join(options)


_SEPARATORS = re.compile(r"(?:\s*(?:,|;|/|&|\+|\band\b)\s*|\s+)", re.IGNORECASE)
_SHAPE_ITEM = re.compile(r"[a-z0-9_]+(?:[*+\-/][a-z0-9_]+)*")


class QuizExercise(Exercise):
    """A question answered by a value: a letter, a set of letters, a short text, a shape or a number.

    Parameters
    ----------
    id, target, points, hints, title
        As in :class:`~nncourse.exercises.base.Exercise`.
    answer_format : {"choice", "choices", "text", "shape", "number"}
        How an answer is normalised before it is hashed. ``"choice"``: one letter; ``"choices"``
        (multiple select): one or more letters, given as ``"ACD"``, ``"A, C, D"``, ``["A", "C"]`` or
        ``{"A", "C"}``, normalised to the sorted unique letters (``"ACD"``).
    keys : tuple of str
        :func:`answer_hash` of every accepted normalised answer.
    options : tuple of str (or a string of letters)
        The letters of a ``"choice"`` or ``"choices"`` question (``("A", "B", "C", "D")`` or ``"ABCD"``).
    digits : int
        Significant digits a ``"number"`` answer is rounded to (6 by default).
    """

    kind = "quiz"

    def __init__(self, id: str, *, target: str, answer_format: str, keys: tuple, options=(),
                 digits: int = 6, points: float = 1.0, time_limit: float = 5.0, hints: tuple = (),
                 title: str = ""):
        super().__init__(id, target=target, points=points, time_limit=time_limit, hints=hints, title=title)
        if answer_format not in FORMATS:
            raise ValueError(f"unknown answer_format {answer_format!r}; choose one of {', '.join(FORMATS)}")
        if answer_format in ("choice", "choices") and not options:
            raise ValueError(f"a {answer_format!r} question needs options, e.g. options=('A', 'B', 'C')")
        self.answer_format = answer_format
        self.keys = tuple(keys)
        self.options = tuple(str(o).strip().upper() for o in options)
        if any(len(o) != 1 or not o.isalpha() for o in self.options):
            raise ValueError(f"expected options to be single letters such as ('A', 'B', 'C'), got {options!r}")
        self.digits = int(digits)

    def cases(self, seed: int) -> list[Case]:
        return [Case("answer", (), {}, False)]

    def hint_ladder(self, message: str) -> list[str]:
        """No hint for an answer that could not be read (its message says how to write one)."""
        return [] if MALFORMED in message else list(self.hints)

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
        if self.answer_format == "choices" and type(raw) in (tuple, list, set, frozenset):
            items = list(raw)
            if all(type(i) is str for i in items):
                return tuple(sorted(str(i) for i in items))
            bad = next(i for i in items if type(i) is not str)
            raise SanitizeError(f"wrong type: expected {self._want()}, got a {type(raw).__name__} holding "
                                f"the {type(bad).__name__} {bad!r}")
        if self.answer_format in ("number", "choice", "text") and type(raw) in (tuple, list) and len(raw) == 1 \
                and type(raw[0]) in (int, float, str):
            example = '"X" rather than ["X"]' if type(raw[0]) is str else "3 rather than [3]"
            raise SanitizeError(f"{MALFORMED}: your answer is a {type(raw).__name__} holding one value; write the "
                                f"value itself, without the brackets ({example})")
        raise SanitizeError(f"wrong type: expected {self._want()}, got {type(raw).__name__}")

    def _want(self) -> str:
        f = self.answer_format
        if f == "choice":
            return f"one letter, one of {', '.join(self.options)}, as a string"
        if f == "choices":
            return (f"one or more of the letters {', '.join(self.options)}, as a string such as "
                    "\"XY\" (for options X and Y) or a list of letters")
        return {"text": "a string", "shape": "a shape such as \"(N, D)\"", "number": "a number"}[f]

    # -- normalising ------------------------------------------------------------------------------
    def normalise(self, value) -> str:
        """The canonical text of an answer; a :class:`MalformedAnswer` (a ValueError) saying how to write it."""
        f = self.answer_format
        if f == "number":
            return self._number(value)
        if f == "shape":
            return self._shape(value)
        if f == "choices":
            return self._choices(value)
        if not isinstance(value, str):
            raise MalformedAnswer(f"expected {self._want()}, got the {type(value).__name__} {value!r}")
        text = " ".join(value.split()).lower()
        if f == "choice":
            return self._choice(value)
        return text

    def _choice(self, value: str) -> str:
        text = value.strip().strip("().: ").upper()
        if text in self.options:
            return text
        allowed = _letters(self.options)
        tokens = [t.strip("().: ") for t in re.split(r"[\s,;/&+]+", text) if t.strip("().: ")]
        if not text:
            raise MalformedAnswer(f"your answer {value!r} is empty: write one letter, {allowed}")
        several = (len(tokens) > 1 and all(t in self.options for t in tokens)) or \
            (len(tokens) == 1 and 1 < len(text) <= len(self.options) and all(c in self.options for c in text))
        if several:
            raise MalformedAnswer(f"your answer {value!r} names more than one option; this question has "
                                  f"one right answer: write one letter, {allowed}")
        if len(text) == 1 and text.isalpha():
            raise MalformedAnswer(f"{text!r} is not one of the options; write one letter, {allowed}")
        raise MalformedAnswer(f"your answer {value!r} is not one letter; write only the letter of the "
                              f"option you choose, {allowed}")

    def _choices(self, value) -> str:
        allowed = _letters(self.options)
        if not isinstance(value, (str, tuple, list, set, frozenset)):
            raise MalformedAnswer(f"expected {self._want()}, got the {type(value).__name__} {value!r}")
        items = [value] if isinstance(value, str) else list(value)
        found = []
        for item in items:
            for token in _SEPARATORS.split(str(item).strip()):
                raw = token.strip("().:[]{}'\" ")
                token = raw.upper()
                letters = token.isalpha() and (set(token) <= set(self.options)
                                               or len(set(token)) == len(token) <= len(self.options))
                if len(token) > 1 and not letters:
                    raise MalformedAnswer(f"{raw!r} in your answer {value!r} is not a letter among the "
                                          f"options; write the letters of every option you choose in one "
                                          f"string (\"XY\" for options X and Y), from {allowed}")
                found.extend(token)
        unknown = sorted({c for c in found if c not in self.options})
        if unknown:
            names = ", ".join(repr(c) for c in unknown)
            raise MalformedAnswer(f"{names} in your answer {value!r} {'is' if len(unknown) == 1 else 'are'} "
                                  f"not among the options; choose from {allowed}")
        if not found:
            raise MalformedAnswer(f"your answer {value!r} selects no option; give the letters of every "
                                  f"option you choose (at least one) in one string (\"XY\" for "
                                  f"options X and Y), from {allowed}")
        return "".join(sorted(set(found)))

    def _number(self, value) -> str:
        if isinstance(value, str):
            text = re.sub(r"(?<=\d)[,_](?=\d)", "", value.strip()).replace(" ", "")
            try:
                value = float(text)
            except ValueError:
                raise MalformedAnswer(f"{value!r} is not a number: write it with digits, e.g. 1500, "
                                      f"0.25 or 1e-3 (as a number or a string)") from None
        if not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise MalformedAnswer(f"expected a finite number, got {value!r}")
        return f"{float(value):.{self.digits}g}"

    def _shape(self, value) -> str:
        how = "write a shape as sizes separated by commas, e.g. \"(N, D)\" or (2, 3)"
        if isinstance(value, tuple):
            parts = [str(v).lower().strip() for v in value]
        else:
            if not isinstance(value, str):
                raise MalformedAnswer(f"expected {self._want()}, got the {type(value).__name__} {value!r}")
            text = value.strip().lower()
            if text[:1] in "([" and text[-1:] in ")]":
                text = text[1:-1]
            if "," not in text:  # "D x H", "DxH", "D × H": the usual way to write a matrix's size
                pieces = re.split(r"\s*[x×]\s*", text) if re.fullmatch(r"\s*\w+(\s*[x×]\s*\w+)+\s*", text) \
                    else [text]
                pieces = [p for p in pieces if p] if len(pieces) > 1 else pieces
                text = ",".join(pieces)
            parts = [p.strip() for p in text.rstrip().rstrip(",").split(",")]
            if parts == [""]:
                if value.strip() in ("()", "[]"):
                    return ""
                raise MalformedAnswer(f"your answer {value!r} is empty: {how}")
        spaced = next((p for p in parts if re.search(r"\w\s+\w", p)), None)
        if spaced is not None:
            raise MalformedAnswer(f"could not read the size {spaced.strip()!r} in {value!r}: {how}")
        parts = [re.sub(r"\s+", "", p) for p in parts]
        bad = next((p for p in parts if not _SHAPE_ITEM.fullmatch(p)), None)
        if bad is not None:
            what = "an empty size" if bad == "" else f"the size {bad!r}"
            raise MalformedAnswer(f"could not read {what} in {value!r}: {how}")
        return ",".join(parts)

    def compare(self, got, expected: tuple, case: Case) -> CaseResult:
        try:
            norm = self.normalise(got)
        except ValueError as exc:
            return CaseResult(case.name, "failed", f"{MALFORMED}: {exc}", case.public)
        if answer_hash(self.id, norm) in expected:
            return CaseResult(case.name, "passed", "", case.public)
        return CaseResult(case.name, "failed", "that is not the right answer; think again", case.public)
