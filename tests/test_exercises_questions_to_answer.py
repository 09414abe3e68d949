"""The questions_to_answer notebook's graded answers: right answers pass and explain themselves, every
wrong answer scores 0, malformed answers get a message saying how to write them, and nothing in the
exercise module gives a key or a note away in plain text.

The right answers are written out here by hand, only to test that they pass and to build wrong ones.
"""
from pathlib import Path

import numpy as np
import pytest

from nncourse import exercises
from nncourse.check import check
from nncourse.exercises import questions_to_answer as module
from nncourse.exercises.quiz import MALFORMED

NB = "questions_to_answer"
RIGHT = {"units_two_classes": 1, "units_ten_classes": 10, "equal_weights": "B", "overfitting": "ACEF",
         "logistic_output": "C", "layers_not_to_transfer": "A", "why_freeze": "ACD", "unlike_source": "D",
         "dropout_cost": "B"}
QUIZZES = sorted(RIGHT)


def quiz(name):
    return exercises.get(f"{NB}.{name}")


def test_every_exercise_of_the_notebook_is_tested_here():
    assert {ex.name for ex in exercises.for_notebook(NB)} == set(RIGHT) | {"one_unit_logit"}


# ---- quizzes: right answers -----------------------------------------------------------------------
@pytest.mark.parametrize("name", QUIZZES)
def test_right_answer_gets_full_points_and_an_explanation(name):
    result = check(f"{NB}.{name}", RIGHT[name])
    assert result.passed and result.points == result.max_points == 1
    note = result.cases[0].message
    assert note.startswith("right. ") and len(note) > 80, note
    assert "\ufffd" not in note  # the sealed note opened cleanly


@pytest.mark.parametrize("name, spelling", [
    ("units_two_classes", "1"), ("units_two_classes", 1.0), ("units_ten_classes", " 10 "),
    ("equal_weights", "b"), ("equal_weights", "(B)"), ("overfitting", "a, c, e, f"),
    ("overfitting", ["F", "E", "C", "A"]), ("overfitting", {"A", "C", "E", "F"}), ("why_freeze", "D A C"),
])
def test_other_spellings_of_the_right_answer_pass(name, spelling):
    assert check(f"{NB}.{name}", spelling).passed


# ---- quizzes: wrong answers -----------------------------------------------------------------------
def wrong_answers(name):
    ex = quiz(name)
    right = RIGHT[name]
    if ex.answer_format == "number":
        return [right + 1, right + 2, 2 * right + 7] + ([right - 1] if right > 1 else [])
    if ex.answer_format == "choice":
        return [o for o in ex.options if o != right]
    subsets = [right[:-1], right[1:], right[0]]
    supersets = [right + o for o in ex.options if o not in right]
    return subsets + supersets + ["".join(ex.options)]


WRONG = [(name, answer) for name in QUIZZES for answer in wrong_answers(name)]


@pytest.mark.parametrize("name, answer", WRONG)
def test_wrong_answer_scores_zero_with_a_reason(name, answer):
    result = check(f"{NB}.{name}", answer)
    assert result.points == 0 and result.status == "failed"
    message = result.cases[0].message
    assert message.startswith("that is not the right answer. ") and len(message) > 40, message
    assert result.hint == quiz(name).hints[0]


@pytest.mark.parametrize("name, answer, words", [
    ("units_two_classes", 2, "redundant"),
    ("units_ten_classes", 9, "pin the tenth at 0"),
    ("units_ten_classes", 1, "not ten"),
    ("equal_weights", "A", "same gradient"),
    ("equal_weights", "D", "stay identical"),
    ("logistic_output", "B", "saturates"),
    ("layers_not_to_transfer", "B", "most general"),
    ("unlike_source", "B", "do not fit"),
    ("dropout_cost", "C", "no averaging"),
    ("overfitting", "ACEFG", "G (a lower dropout rate)"),
    ("overfitting", "ABCDEF", "D (more epochs)"),
    ("why_freeze", "ACDF", "F: gradients reach the new head"),
    ("why_freeze", "AC", "at least one good one is missing"),
])
def test_wrong_answers_get_a_note_on_that_choice(name, answer, words):
    message = check(f"{NB}.{name}", answer).cases[0].message
    assert words in message, message
    if "missing" not in words:
        assert "missing" not in message


def test_multiple_select_names_every_wrong_letter_chosen():
    message = check(f"{NB}.overfitting", "ABDG").cases[0].message
    assert all(f"{letter} (" in message for letter in "BDG"), message
    assert "A (" not in message


# ---- quizzes: malformed answers -------------------------------------------------------------------
@pytest.mark.parametrize("name, answer, words", [
    ("units_two_classes", "one", "not a number"),
    ("units_ten_classes", "ten units", "not a number"),
    ("units_two_classes", 0, "whole number of 1 or more"),
    ("units_two_classes", "1.5", "whole number of 1 or more"),
    ("units_ten_classes", -10, "whole number of 1 or more"),
    ("equal_weights", "E", "not one of the options"),
    ("equal_weights", "AB", "A, B, C or D"),
    ("overfitting", "AZ", "not among the options"),
    ("overfitting", "", "selects no option"),
    ("why_freeze", "A, G", "not among the options"),
    ("dropout_cost", "yes", "A, B, C or D"),
])
def test_malformed_answer_says_how_to_write_it(name, answer, words):
    result = check(f"{NB}.{name}", answer)
    assert result.points == 0
    message = result.cases[0].message
    assert message.startswith(MALFORMED) and words in message, message
    assert "not the right answer" not in message


@pytest.mark.parametrize("name, answer, words", [
    ("units_two_classes", [1], "without the brackets"),
    ("units_two_classes", [1, 2], "expected a number"),
    ("equal_weights", 2, "one letter"),
    ("overfitting", True, "bool"),
])
def test_answer_of_the_wrong_type_says_what_was_expected(name, answer, words):
    result = check(f"{NB}.{name}", answer)
    assert result.points == 0 and words in result.cases[0].message, result.cases[0].message


@pytest.mark.parametrize("name", QUIZZES)
def test_untouched_answer_is_not_attempted(name):
    assert check(f"{NB}.{name}", None).status == "not attempted"


# ---- nothing readable in the source -----------------------------------------------------------------
def test_notes_are_sealed_and_open_only_for_their_answer():
    sealed = module.seal("x.y", "B", "because of symmetry")
    assert "symmetry" not in sealed
    assert module.unseal("x.y", "B", sealed) == "because of symmetry"
    assert module.unseal("x.y", "C", sealed) != "because of symmetry"
    assert module.unseal("x.z", "B", sealed) != "because of symmetry"


def test_module_source_gives_no_key_or_note_away():
    source = Path(module.__file__).read_text()
    for words in ("redundant", "symmetry", "thinned", "switched off", "Yosinski", "P(cat) is"):
        assert words not in source, words
    for name in QUIZZES:  # every note comes out of the module only through its answer
        assert quiz(name).note(str(RIGHT[name])) or quiz(name).note(f"{float(RIGHT[name]):g}")


def test_every_quiz_hint_keeps_the_answer_to_itself():
    for name in QUIZZES:
        ex = quiz(name)
        assert ex.hints, name
        right_note = ex.note(quiz(name).normalise(RIGHT[name]))
        assert ex.hints[0] not in right_note
        assert not any(f"answer is {o}" in ex.hints[0] for o in ex.options)


# ---- the function exercise: one_unit_logit ---------------------------------------------------------
def logit_right(logits):
    return logits[:, 1] - logits[:, 0]


def logit_via_probability(logits):  # a roundabout but right way: log-odds of the softmax probability
    p1 = np.exp(logits[:, 1]) / np.exp(logits).sum(axis=1)
    return np.log(p1) - np.log1p(-p1)


def logit_sign_flipped(logits):
    return logits[:, 0] - logits[:, 1]


def logit_second_only(logits):
    return logits[:, 1]


def logit_sum(logits):
    return logits[:, 0] + logits[:, 1]


def logit_probability(logits):  # the probability, not the score
    return np.exp(logits[:, 1]) / np.exp(logits).sum(axis=1)


def logit_log_softmax(logits):
    return logits[:, 1] - np.log(np.exp(logits).sum(axis=1))


def logit_ratio(logits):
    return logits[:, 1] / logits[:, 0]


def logit_keepdims(logits):
    return (logits[:, 1] - logits[:, 0])[:, None]


def logit_batch_mean(logits):
    return logit_right(logits) - logit_right(logits).mean()


def logit_in_place(logits):
    logits[:, 1] -= logits[:, 0]
    return logits[:, 1]


def logit_float32(logits):
    return logit_right(logits).astype(np.float32)


def logit_list(logits):
    return logit_right(logits).tolist()


LOGIT_WRONG = [logit_sign_flipped, logit_second_only, logit_sum, logit_probability, logit_log_softmax,
               logit_ratio, logit_keepdims, logit_batch_mean, logit_in_place, logit_float32, logit_list]


@pytest.mark.parametrize("fn", LOGIT_WRONG, ids=lambda f: f.__name__)
def test_wrong_one_unit_logit_never_gets_full_points(fn):
    result = check(f"{NB}.one_unit_logit", fn, seed=1)
    assert result.points < result.max_points
    assert result.status in ("failed", "partial", "error")
    assert result.message


@pytest.mark.parametrize("fn", [logit_right, logit_via_probability], ids=lambda f: f.__name__)
def test_right_one_unit_logit_gets_full_points(fn):
    result = check(f"{NB}.one_unit_logit", fn, seed=2)
    assert result.passed and result.points == result.max_points == 2


def test_reference_matches_the_softmax_by_hand():
    ex = exercises.get(f"{NB}.one_unit_logit")
    logits = np.array([[0.0, 2.0], [1.0, -1.0], [3.0, 3.0]])
    (z,) = ex.expected(exercises.Case("hand", (logits,)))
    np.testing.assert_allclose(z, [2.0, -2.0, 0.0], rtol=0, atol=1e-15)
    # sigmoid(z) is the softmax probability of class 1, computed here from its definition
    p1 = np.exp(logits[:, 1]) / (np.exp(logits[:, 0]) + np.exp(logits[:, 1]))
    np.testing.assert_allclose(1 / (1 + np.exp(-z)), p1, rtol=1e-12)


def test_every_case_has_both_orders_of_the_two_scores():
    for case in exercises.get(f"{NB}.one_unit_logit").cases(5):
        (logits,) = case.args
        z = logits[:, 1] - logits[:, 0]
        assert (z > 0).any() and (z < 0).any() and len(z) > 1


def test_first_hint_holds_no_reference_code_and_wrong_values_do_not_jump_to_the_formula():
    ex = exercises.get(f"{NB}.one_unit_logit")
    assert "logits[" not in ex.hints[0] and " - " not in ex.hints[0]
    message = check(f"{NB}.one_unit_logit", logit_sign_flipped, seed=0).message
    assert "wrong values in z" in message
    for level in (0, 1):  # the first two rungs of hints for a wrong value hold no code
        assert "logits[" not in ex.hint_for(message, level), level
