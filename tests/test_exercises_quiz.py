"""Quiz answer formats: multiple select, and a clear message (not "wrong") for an answer that cannot be read."""
import numpy as np
import pytest

from nncourse.exercises.base import Case
from nncourse.exercises.quiz import MALFORMED, QuizExercise, answer_hash


def quiz(answer_format, right, options=()):
    """A quiz whose key is ``right`` (an already normalised answer)."""
    return QuizExercise("test.q", target="answer_q", answer_format=answer_format, options=options,
                        keys=(answer_hash("test.q", right),))


def judge(ex, answer):
    """The case result of ``answer``, as check and the grader compute it."""
    return ex.compare(ex.sanitize(answer), ex.expected(Case("answer")), Case("answer", public=False))


# ---- multiple select ------------------------------------------------------------------------------
@pytest.mark.parametrize("answer", ["ACD", "A, C, D", "a c d", "D, A, C", "A and C and D", "ACDA", "(A) (C) (D)",
                                    ["A", "C", "D"], ("D", "C", "A"), {"A", "C", "D"}, frozenset("ACD"),
                                    ["a", "c", "d"], "A;C;D", "A/C/D"])
def test_choices_accepts_every_spelling_of_a_set_of_letters(answer):
    ex = quiz("choices", "ACD", options="ABCD")
    assert ex.normalise(ex.sanitize(answer)) == "ACD"
    assert judge(ex, answer).passed


@pytest.mark.parametrize("answer", ["AC", "ABCD", "A", "CD", ["A", "C"], "B"])
def test_choices_a_subset_or_superset_is_wrong(answer):
    result = judge(quiz("choices", "ACD", options="ABCD"), answer)
    assert result.status == "failed" and result.message == "that is not the right answer; think again"


@pytest.mark.parametrize("answer, words", [
    ("", "selects no option"),
    ([], "selects no option"),
    ("  ", "selects no option"),
    ("AE", "'E' in your answer 'AE' is not among the options; choose from A, B, C or D"),
    (["A", "F", "G"], "'F', 'G' in your answer ('A', 'F', 'G') are not among the options"),
    ("none", "'none' in your answer 'none' is not a letter among the options"),
    ("A2", "'A2' in your answer 'A2' is not a letter among the options"),
])
def test_choices_malformed_answers_say_what_is_allowed(answer, words):
    result = judge(quiz("choices", "ACD", options="ABCD"), answer)
    assert result.status == "failed"
    assert result.message.startswith(MALFORMED) and words in result.message, result.message
    assert "A, B, C or D" in result.message


@pytest.mark.parametrize("answer, words", [([1, 2], "holding the int 1"), (True, "got a bool")])
def test_choices_wrong_types(answer, words):
    ex = quiz("choices", "ACD", options="ABCD")
    with pytest.raises(Exception, match=words):
        ex.sanitize(answer)


def test_choices_a_number_is_malformed():
    result = judge(quiz("choices", "ACD", options="ABCD"), 3)
    assert result.message.startswith(MALFORMED) and "got the int 3" in result.message


def test_choices_needs_options_and_single_letters():
    with pytest.raises(ValueError, match="needs options"):
        QuizExercise("test.q", target="a", answer_format="choices", keys=())
    with pytest.raises(ValueError, match="single letters"):
        QuizExercise("test.q", target="a", answer_format="choices", options=("A", "BC"), keys=())


def test_the_options_may_be_given_as_one_string():
    assert quiz("choices", "B", options="abc").options == ("A", "B", "C")


# ---- one choice -----------------------------------------------------------------------------------
@pytest.mark.parametrize("answer, words", [
    ("E", "'E' is not one of the options; write one letter, A, B, C or D"),
    ("e)", "'E' is not one of the options"),
    ("AB", "names more than one option; this question has one right answer"),
    ("A, C", "names more than one option"),
    ("B because", "is not one letter"),
    ("2", "is not one letter"),
    ("", "is empty"),
])
def test_choice_malformed_answers_are_not_just_wrong(answer, words):
    result = judge(quiz("choice", "B", options="ABCD"), answer)
    assert result.status == "failed"
    assert result.message.startswith(MALFORMED) and words in result.message, result.message


def test_choice_a_wrong_letter_is_wrong_not_malformed():
    result = judge(quiz("choice", "B", options="ABCD"), "c")
    assert result.message == "that is not the right answer; think again"


# ---- shapes ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("answer", ["(D, H)", "D x H", "DxH", "d x h", "D × H", "[D, H]", ("D", "H"), "D,H,"])
def test_shape_accepts_commas_and_the_times_sign(answer):
    assert judge(quiz("shape", "d,h"), answer).passed


@pytest.mark.parametrize("answer", ["(H, D)", "H x D", ("D", "H", "N"), "D"])
def test_shape_wrong_shapes_are_wrong(answer):
    assert judge(quiz("shape", "d,h"), answer).message == "that is not the right answer; think again"


@pytest.mark.parametrize("answer, words", [
    ("D H", "could not read the size 'd h' in 'D H'"),
    ("(N, D H)", "could not read the size 'd h'"),
    ("(D,,H)", "could not read an empty size in '(D,,H)'"),
    ("", "is empty"),
    ("(D; H)", "could not read the size 'd;h'"),
])
def test_shape_malformed_answers_say_how_to_write_a_shape(answer, words):
    result = judge(quiz("shape", "d,h"), answer)
    assert result.message.startswith(MALFORMED) and words in result.message, result.message
    assert 'sizes separated by commas, e.g. "(N, D)"' in result.message


def test_shape_products_and_numbers_stay_readable():
    ex = quiz("shape", "n,d*h")
    assert judge(ex, "(N, D*H)").passed and judge(ex, "(n, d * h)").passed
    assert ex.normalise((2, 3)) == "2,3" and ex.normalise("()") == ""


# ---- numbers --------------------------------------------------------------------------------------
@pytest.mark.parametrize("answer", [1500, 1500.0, "1500", "1,500", "1_500", np.int64(1500), "1.5e3"])
def test_number_spellings(answer):
    assert judge(quiz("number", "1500"), answer).passed


@pytest.mark.parametrize("answer, words", [
    ("many", "'many' is not a number: write it with digits"),
    ("1500 units", "is not a number"),
    ("", "is not a number"),
    (float("nan"), "expected a finite number, got nan"),
    (float("inf"), "expected a finite number"),
])
def test_number_malformed_answers(answer, words):
    result = judge(quiz("number", "1500"), answer)
    assert result.message.startswith(MALFORMED) and words in result.message, result.message


def test_a_wrong_number_is_wrong_not_malformed():
    assert judge(quiz("number", "1500"), 1501).message == "that is not the right answer; think again"
