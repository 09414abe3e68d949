"""The transfer notebook's checks against wrong implementations: none may earn full points.

The right answers are written out here by hand (independently of ``nncourse.mlp`` and ``nncourse.mse``)
only to build the wrong ones from them and to confirm that they pass.
"""
import numpy as np
import pytest

from nncourse import exercises
from nncourse.check import check, reset_progress


@pytest.fixture(autouse=True)
def _fresh_hints():
    """Every test starts with the gentlest hints (the hint rung counts failed checks per session)."""
    reset_progress()
    yield
    reset_progress()


# ---- count_params --------------------------------------------------------------------------------
def count_right(sizes):
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def count_numpy_int(sizes):
    return np.int64(count_right(sizes))


def count_forgot_biases(sizes):
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


def count_bias_on_input_side(sizes):
    return sum(a * b + a for a, b in zip(sizes[:-1], sizes[1:]))


def count_bias_for_every_width(sizes):  # the inputs have no bias
    return count_forgot_biases(sizes) + sum(sizes)


def count_plus_one(sizes):
    return count_right(sizes) + 1


def count_twice(sizes):
    return 2 * count_right(sizes)


def count_first_layer_only(sizes):
    return sizes[0] * sizes[1] + sizes[1]


def count_as_float(sizes):
    return float(count_right(sizes))


def count_per_layer_list(sizes):
    return [a * b + b for a, b in zip(sizes[:-1], sizes[1:])]


def count_as_array(sizes):
    return np.array([count_right(sizes)])


def count_as_bool(sizes):
    return True


class AlwaysEqual(int):
    """An int that claims to equal everything."""

    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


def count_always_equal(sizes):
    return AlwaysEqual(0)


COUNT_WRONG = [count_forgot_biases, count_bias_on_input_side, count_bias_for_every_width, count_plus_one,
               count_twice, count_first_layer_only, count_as_float, count_per_layer_list, count_as_array,
               count_as_bool, count_always_equal]


@pytest.mark.parametrize("fn", COUNT_WRONG, ids=lambda f: f.__name__)
def test_wrong_count_params_never_gets_full_points(fn):
    result = check("transfer.count_params", fn, seed=1)
    assert result.points < result.max_points
    assert result.status in ("failed", "partial", "error")
    assert result.message


@pytest.mark.parametrize("fn", [count_right, count_numpy_int], ids=lambda f: f.__name__)
def test_right_count_params_gets_full_points(fn):
    result = check("transfer.count_params", fn, seed=3)
    assert result.passed and result.points == result.max_points == 2


def test_count_public_cases_are_hand_checked():
    # 64*32 + 32 + 32*10 + 10 = 2410;  20*50 + 50 + 50*30 + 30 + 30*5 + 5 = 2735;  64*10 + 10 = 650
    ex = exercises.get("transfer.count_params")
    cases = ex.cases(0)
    assert [c.args for c in cases if c.public] == [((64, 32, 10),), ((20, 50, 30, 5),), ((64, 10),)]
    assert [ex.expected(c) for c in cases if c.public] == [2410, 2735, 650]
    assert [c.name for c in cases if c.public] == ["public 1", "public 2", "edge 1"]
    # randomized cases change with the seed, their lengths do not
    assert [len(c.args[0]) for c in cases if not c.public] == [3, 4, 6]
    assert [c.args for c in ex.cases(1)] != [c.args for c in ex.cases(2)]


@pytest.mark.parametrize("fn, words", [
    (count_forgot_biases, "wrong count for sizes [64, 32, 10]: got 2368, expected 2410"),
    (count_as_float, "expected the count as an int, got the float 2410"),
    (count_per_layer_list, "expected the count as an int, got list (add the numbers up into one int)"),
    (count_as_bool, "expected the count as an int, got a bool"),
])
def test_count_feedback_names_the_problem(fn, words):
    result = check("transfer.count_params", fn, seed=0)
    assert words in result.cases[0].message, result.cases[0].message


def test_a_wrong_count_gets_the_hint_about_biases():
    assert "bias" in check("transfer.count_params", count_forgot_biases, seed=0).hint


# ---- reconstruction_errors -----------------------------------------------------------------------
def errors_right(X, X_hat):
    return ((X_hat - X) ** 2).sum(axis=1) / X.shape[1]


def errors_wrong_axis(X, X_hat):
    return np.mean((X_hat - X) ** 2, axis=0)


def errors_sum(X, X_hat):  # forgot to divide by the number of pixels
    return np.sum((X_hat - X) ** 2, axis=1)


def errors_root(X, X_hat):
    return np.sqrt(np.mean((X_hat - X) ** 2, axis=1))


def errors_absolute(X, X_hat):  # forgot the square
    return np.mean(np.abs(X_hat - X), axis=1)


def errors_not_squared(X, X_hat):
    return np.mean(X_hat - X, axis=1)


def errors_one_number(X, X_hat):
    return np.mean((X_hat - X) ** 2)


def errors_keepdims(X, X_hat):
    return np.mean((X_hat - X) ** 2, axis=1, keepdims=True)


def errors_in_place(X, X_hat):
    X_hat -= X
    return np.mean(X_hat ** 2, axis=1)


def errors_off_by_constant(X, X_hat):
    return np.mean((X_hat - X) ** 2, axis=1) + 1e-3


def errors_list(X, X_hat):
    return np.mean((X_hat - X) ** 2, axis=1).tolist()


def errors_float32(X, X_hat):
    return np.mean((X_hat - X) ** 2, axis=1).astype(np.float32)


ERRORS_WRONG = [errors_wrong_axis, errors_sum, errors_root, errors_absolute, errors_not_squared,
                errors_one_number, errors_keepdims, errors_in_place, errors_off_by_constant, errors_list,
                errors_float32]


@pytest.mark.parametrize("fn", ERRORS_WRONG, ids=lambda f: f.__name__)
def test_wrong_reconstruction_errors_never_get_full_points(fn):
    result = check("transfer.reconstruction_errors", fn, seed=1)
    assert result.points < result.max_points
    assert result.status in ("failed", "partial", "error")
    assert result.message


def test_right_reconstruction_errors_get_full_points():
    result = check("transfer.reconstruction_errors", errors_right, seed=4)
    assert result.passed and result.points == result.max_points == 2


def test_reference_errors_match_a_hand_computation():
    ex = exercises.get("transfer.reconstruction_errors")
    X = np.array([[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]])
    X_hat = np.array([[1.0, 1.0], [0.5, 0.0], [1.0, 0.0]])
    # row 0: (1 + 0) / 2;  row 1: (0 + 0.25) / 2;  row 2: 0
    got = ex.expected(exercises.Case("hand", (X, X_hat)))
    np.testing.assert_allclose(got[0], [0.5, 0.125, 0.0], rtol=0, atol=1e-15)


@pytest.mark.parametrize("fn, words", [
    (errors_wrong_axis, "wrong shape for errors: got (4,), expected (3,)"),
    (errors_in_place, "changed its input X_hat in place"),
    (errors_list, "expected errors as a numpy array, got a list of 3 items"),
    (errors_float32, "errors has dtype float32, expected float64"),
    (errors_sum, "wrong values in errors; every entry is 4 times the expected value, and 4 is the size of axis 1 of X"),
])
def test_errors_feedback_names_the_problem(fn, words):
    result = check("transfer.reconstruction_errors", fn, seed=0)
    assert words in result.cases[0].message, result.cases[0].message


# ---- quiz ----------------------------------------------------------------------------------------
WRONG_ANSWERS = ["A", "b", "D)", "E", "", "C because", 3, ["C"], True, None]


@pytest.mark.parametrize("answer", WRONG_ANSWERS[:-1], ids=repr)
def test_wrong_quiz_answers_get_zero(answer):
    result = check("transfer.quiz_freeze", answer)
    assert (result.points, result.status) == (0, "failed")


def test_unanswered_quiz_is_not_attempted():
    assert check("transfer.quiz_freeze", None).status == "not attempted"


@pytest.mark.parametrize("answer", ["C", " c ", "C)", "(c)", "C."])
def test_quiz_accepts_the_right_letter_however_spelt(answer):
    assert check("transfer.quiz_freeze", answer).points == 1


def test_quiz_feedback_never_reveals_the_key():
    for answer in WRONG_ANSWERS[:-1]:
        result = check("transfer.quiz_freeze", answer)
        text = (str(result) + result._repr_html_()).lower()
        for key in ("'c'", '"c"', "answer is c", "answer: c"):
            assert key not in text, (answer, text)
