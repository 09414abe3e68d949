"""Every single-choice quiz of the course explains every option once it is chosen: the right one
with its reasoning, each wrong one with why it does not hold (never just "think again")."""
import pytest

import nncourse
from nncourse.exercises.base import all_exercises
from nncourse.exercises.explained import ExplainedQuiz, seal, sealed_notes, unseal
from nncourse.exercises.quiz import answer_hash

CHOICE_QUIZZES = sorted(i for i, ex in all_exercises().items() if ex.kind == "quiz" and ex.answer_format == "choice")


def test_there_are_choice_quizzes_in_several_notebooks():
    assert len({i.split(".")[0] for i in CHOICE_QUIZZES}) >= 5, CHOICE_QUIZZES


@pytest.mark.parametrize("exercise_id", CHOICE_QUIZZES)
def test_every_option_has_its_own_note(exercise_id):
    ex = all_exercises()[exercise_id]
    assert isinstance(ex, ExplainedQuiz), f"{exercise_id} gives no note on its options"
    notes = {option: ex.note(option) for option in ex.options}
    for option, note in notes.items():
        assert len(note) > 40 and note.isprintable(), (exercise_id, option, note)
    assert len(set(notes.values())) == len(notes), f"{exercise_id}: two options share a note"


@pytest.mark.parametrize("exercise_id", CHOICE_QUIZZES)
def test_feedback_gives_the_note_of_the_option_chosen(exercise_id):
    ex = all_exercises()[exercise_id]
    right = next(o for o in ex.options if answer_hash(exercise_id, o) in ex.keys)
    for option in ex.options:
        result = nncourse.check(exercise_id, option)
        text = str(result)
        assert ex.note(option)[:40] in " ".join(text.split()), (exercise_id, option, text)
        assert result.passed == (option == right)
        assert "Think again" not in text


def test_a_note_opens_only_for_its_own_answer():
    sealed = sealed_notes("x.y", {"A": "because of the chain rule"})
    (key, value), = sealed.items()
    assert unseal("x.y", "A", value) == "because of the chain rule"
    assert unseal("x.y", "B", value) != "because of the chain rule"
    assert value == seal("x.y", "A", "because of the chain rule") and "chain" not in value
