"""Quizzes that explain themselves once answered (:class:`ExplainedQuiz`).

A right answer gets the reasoning, a wrong one a note on why that choice does not hold. Stored as
plain text the notes would give the keys away, so each is *sealed* with a keystream derived from the
answer it belongs to (:func:`seal`) and opens only for that answer; :func:`sealed_notes` seals a
table of notes for an exercise's source.
"""
from __future__ import annotations

import base64
import hashlib

from nncourse.exercises.base import Case, CaseResult
from nncourse.exercises.quiz import MALFORMED, QuizExercise, answer_hash


def _keystream(exercise_id: str, normalised: str, n: int) -> bytes:
    blocks, i = [], 0
    while sum(map(len, blocks)) < n:
        blocks.append(hashlib.sha256(f"nncourse-note:{exercise_id}:{normalised}:{i}".encode()).digest())
        i += 1
    return b"".join(blocks)[:n]


def seal(exercise_id: str, normalised: str, text: str) -> str:
    """``text`` encrypted with a keystream derived from one normalised answer (base64).

    Parameters
    ----------
    exercise_id : str
        The exercise, e.g. ``"questions_to_answer.dropout_cost"``.
    normalised : str
        The answer the note belongs to, normalised (``QuizExercise.normalise``), e.g. ``"B"``;
        for a note on one letter of a multiple-select answer, ``"<letter>:in"``.
    text : str
        The note.
    """
    data = text.encode("utf-8")
    return base64.b64encode(bytes(a ^ b for a, b in zip(data, _keystream(exercise_id, normalised, len(data))))).decode()


def unseal(exercise_id: str, normalised: str, sealed: str) -> str:
    """The note :func:`seal` sealed for this answer (garbage, never an error, for another answer)."""
    data = base64.b64decode(sealed)
    raw = bytes(a ^ b for a, b in zip(data, _keystream(exercise_id, normalised, len(data))))
    return raw.decode("utf-8", errors="replace")


def note_key(exercise_id: str, normalised: str) -> str:
    """Where a sealed note is filed: a salted hash of its answer (distinct from the answer keys)."""
    return answer_hash(exercise_id, f"note:{normalised}")


class ExplainedQuiz(QuizExercise):
    """A quiz that explains the answer once it is given.

    Parameters
    ----------
    notes : dict
        ``note_key(id, answer) -> seal(id, answer, text)`` for the right answer and for the wrong
        answers worth a note; for a ``"choices"`` (multiple-select) question also per letter,
        ``note_key(id, "X:in") -> seal(id, "X:in", text)`` for each letter that should not be chosen.
    Other parameters as in :class:`~nncourse.exercises.quiz.QuizExercise`.
    """

    def __init__(self, id: str, *, notes: dict, count: bool = False, **kwargs):
        super().__init__(id, **kwargs)
        self.notes = dict(notes)
        self.count = bool(count)

    def note(self, normalised: str) -> str:
        """The unsealed note for an answer, or "" when it has none."""
        sealed = self.notes.get(note_key(self.id, normalised))
        return unseal(self.id, normalised, sealed) if sealed else ""

    def compare(self, got, expected: tuple, case: Case) -> CaseResult:
        result = super().compare(got, expected, case)
        try:
            norm = self.normalise(got)
        except ValueError:  # malformed: the format's own message says how to write it
            return result
        if self.count and not (float(norm).is_integer() and float(norm) >= 1):
            return CaseResult(case.name, "failed", f"{MALFORMED}: this answer counts units, so it is a whole "
                              f"number of 1 or more, such as 3; got {norm}", case.public)
        whole = self.note(norm)
        if result.passed:
            return CaseResult(case.name, "passed", f"right. {whole}" if whole else "", case.public)
        parts = [whole] if whole else []
        if self.answer_format == "choices":
            parts += [n for n in (self.note(f"{letter}:in") for letter in norm) if n]
            if not parts:
                parts.append("Every letter you chose is a good one, but at least one good one is missing.")
        text = " ".join(parts) if parts else "Think again."
        return CaseResult(case.name, "failed", f"that is not the right answer. {text}", case.public)


def sealed_notes(exercise_id: str, notes: dict[str, str]) -> dict[str, str]:
    """``{normalised answer: text}`` sealed as :class:`ExplainedQuiz` takes them (to paste into a source)."""
    return {note_key(exercise_id, answer): seal(exercise_id, answer, text) for answer, text in notes.items()}
