"""Every quiz of the course explains itself once answered: a single-choice quiz every option (the
right one with its reasoning, each wrong one with why it does not hold, never just "think again"),
a quiz answered with a number or a shape its right answer and the wrong answers students give most."""
import pytest

import nncourse
from nncourse.exercises.base import all_exercises
from nncourse.exercises.explained import ExplainedQuiz, sealed_notes, unseal
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


QUIZZES = sorted(i for i, ex in all_exercises().items() if ex.kind == "quiz")


@pytest.mark.parametrize("exercise_id", QUIZZES)
def test_every_quiz_explains_itself(exercise_id):
    # the notes themselves: above for single choice, below for numbers and shapes, and in
    # test_exercises_questions_to_answer.py for the review questions
    assert isinstance(all_exercises()[exercise_id], ExplainedQuiz), f"{exercise_id} gives no notes"


@pytest.mark.parametrize("exercise_id, answer, words", [
    ("backprop.quiz_dw_shape", "(D, H)", "one entry per weight"),
    ("backprop.quiz_dw_shape", "H x D", "transposed"),
    ("backprop.quiz_dw_shape", "(N, H)", "shape of dout"),
    ("backprop.quiz_dw_shape", "(n, d)", "shape of x"),
    ("backprop.quiz_multiplications", 32000, "32 products"),
    ("backprop.quiz_multiplications", "1,000", "count the products"),
    ("backprop.quiz_multiplications", 3200, "entries of x"),
    ("backprop.quiz_multiplications", 320, "entries of dout"),
    ("optimizers.quiz_warmup_cosine", 0.11, "halfway down"),
    ("optimizers.quiz_warmup_cosine", 0.0822, "step 600 of its 1000"),
    ("optimizers.quiz_warmup_cosine", 0.08218847050625475, "step 600 of its 1000"),
    ("optimizers.quiz_warmup_cosine", "0.082", "step 600 of its 1000"),
    ("optimizers.quiz_warmup_cosine", 0.1, "leaves out the floor"),
])
def test_numbers_and_shapes_get_a_note_on_the_usual_answers(exercise_id, answer, words):
    result = nncourse.check(exercise_id, answer)
    text = " ".join(str(result).split())
    assert words in text
    if not result.passed:  # a note on a wrong answer says what went wrong, not what the answer is
        right = {"backprop.quiz_dw_shape": "(D, H)", "backprop.quiz_multiplications": "32,000",
                 "optimizers.quiz_warmup_cosine": "0.11"}[exercise_id]
        assert right not in text and right.replace(",", "") not in text, text


def test_a_wrong_number_without_a_note_still_says_it_is_wrong():
    text = str(nncourse.check("backprop.quiz_multiplications", 12345))
    assert "not the right answer" in text


def test_sealed_notes_are_filed_as_the_quiz_looks_them_up():
    # seal and unseal themselves: test_exercises_questions_to_answer.py
    from nncourse.exercises.explained import note_key

    sealed = sealed_notes("x.y", {"A": "because of the chain rule"})
    assert list(sealed) == [note_key("x.y", "A")]
    assert unseal("x.y", "A", sealed[note_key("x.y", "A")]) == "because of the chain rule"
    assert "chain" not in sealed[note_key("x.y", "A")]
