"""The regularization notebook's exercises: references checked by hand, wrong answers never get full points.

The right formulas are written out here by hand (independently of the package) to check the
references and to build the wrong implementations from them.
"""
import numpy as np
import pytest

from nncourse import exercises
from nncourse.check import check, reset_progress
from nncourse.exercises.regularization import l2_reference
from nncourse.gradcheck import numerical_gradient, rel_error


@pytest.fixture(autouse=True)
def _fresh_hints():
    """Every test starts with the gentlest hints (the hint rung counts failed checks per session)."""
    reset_progress()
    yield
    reset_progress()


# ---- the references ------------------------------------------------------------------------------
def test_l2_reference_by_hand_and_by_finite_differences():
    W0 = np.array([[1.0, 2.0], [3.0, 4.0]])
    W1 = np.array([[-1.0, 0.5, 2.0]])
    value, grads = l2_reference([W0, W1], 0.1)
    assert value == pytest.approx(0.05 * (30.0 + 5.25), rel=1e-14)
    np.testing.assert_allclose(grads[0], 0.1 * W0, rtol=1e-14)
    np.testing.assert_allclose(grads[1], 0.1 * W1, rtol=1e-14)
    for W, grad in zip((W0, W1), grads):
        def f():
            return np.array(l2_reference([W0, W1], 0.1)[0])

        assert rel_error(grad, numerical_gradient(f, W)) < 1e-8
    assert np.array_equal(W0, [[1.0, 2.0], [3.0, 4.0]])  # the reference leaves its inputs alone


# ---- right answers ------------------------------------------------------------------------------
def right_l2(weights, weight_decay):
    return 0.5 * weight_decay * sum(float(np.sum(W ** 2)) for W in weights), [weight_decay * W for W in weights]


def right_l2_numpy_scalar_and_tuple(weights, weight_decay):
    total = np.float64(0.0)
    for W in weights:
        total = total + np.sum(W * W)
    return weight_decay / 2 * total, tuple(W * weight_decay for W in weights)


@pytest.mark.parametrize("exercise_id, fn", [
    ("regularization.l2_penalty", right_l2),
    ("regularization.l2_penalty", right_l2_numpy_scalar_and_tuple),
])
def test_right_answers_get_full_points(exercise_id, fn):
    for seed in (0, 1, 7):
        result = check(exercise_id, fn, seed=seed)
        assert result.points == result.max_points, str(result)


# ---- wrong l2_penalty ---------------------------------------------------------------------------------
def l2_forgot_half(weights, weight_decay):
    return weight_decay * sum(np.sum(W ** 2) for W in weights), [weight_decay * W for W in weights]


def l2_grad_twice(weights, weight_decay):
    return 0.5 * weight_decay * sum(np.sum(W ** 2) for W in weights), [2 * weight_decay * W for W in weights]


def l2_grad_without_decay(weights, weight_decay):
    return 0.5 * weight_decay * sum(np.sum(W ** 2) for W in weights), [W.copy() for W in weights]


def l2_first_matrix_only(weights, weight_decay):  # a forgotten term
    return 0.5 * weight_decay * np.sum(weights[0] ** 2), [weight_decay * W for W in weights]


def l2_uses_abs(weights, weight_decay):  # the L1 penalty
    return weight_decay * sum(np.sum(np.abs(W)) for W in weights), [weight_decay * np.sign(W) for W in weights]


def l2_norm_not_squared(weights, weight_decay):
    return 0.5 * weight_decay * sum(np.linalg.norm(W) for W in weights), [weight_decay * W for W in weights]


def l2_mean_not_sum(weights, weight_decay):
    return 0.5 * weight_decay * sum(np.mean(W ** 2) for W in weights), [weight_decay * W for W in weights]


def l2_in_place(weights, weight_decay):
    value = 0.5 * weight_decay * sum(np.sum(W ** 2) for W in weights)
    for W in weights:
        W *= weight_decay
    return value, weights


def l2_penalty_per_matrix(weights, weight_decay):
    return np.array([0.5 * weight_decay * np.sum(W ** 2) for W in weights]), [weight_decay * W for W in weights]


def l2_one_stacked_gradient(weights, weight_decay):
    value = 0.5 * weight_decay * sum(np.sum(W ** 2) for W in weights)
    return value, np.concatenate([weight_decay * W.ravel() for W in weights])


def l2_grads_transposed(weights, weight_decay):
    return 0.5 * weight_decay * sum(np.sum(W ** 2) for W in weights), [weight_decay * W.T for W in weights]


def l2_last_gradient_missing(weights, weight_decay):
    return 0.5 * weight_decay * sum(np.sum(W ** 2) for W in weights), [weight_decay * W for W in weights[:-1]]


def l2_returns_penalty_only(weights, weight_decay):
    return 0.5 * weight_decay * sum(np.sum(W ** 2) for W in weights)


L2_WRONG = [l2_forgot_half, l2_grad_twice, l2_grad_without_decay, l2_first_matrix_only, l2_uses_abs,
            l2_norm_not_squared, l2_mean_not_sum, l2_in_place, l2_penalty_per_matrix, l2_one_stacked_gradient,
            l2_grads_transposed, l2_last_gradient_missing, l2_returns_penalty_only]


@pytest.mark.parametrize("fn", L2_WRONG, ids=lambda f: f.__name__)
def test_wrong_l2_penalty_never_gets_full_points(fn):
    result = check("regularization.l2_penalty", fn, seed=3)
    assert result.points < result.max_points
    assert result.message


@pytest.mark.parametrize("fn, words", [
    (l2_forgot_half, "wrong values in penalty; it is 2 times the expected value: a scale factor is missing or "
                     "extra; first mismatch penalty = "),
    (l2_grad_twice, "wrong values in grads[0]; every entry is 2 times the expected value: a scale factor is "
                    "missing or extra; first mismatch grads[0][0, 0]"),
    (l2_in_place, "changed its input W0 (weights[0]) in place"),
    (l2_penalty_per_matrix, "expected penalty to be one number, got an array of shape (2,)"),
    (l2_one_stacked_gradient, "expected grads to be a list with one array per weight matrix, got a single array"),
    (l2_grads_transposed, "wrong shape for grads[0]: got (3, 2), expected (2, 3) (the shape of W0)"),
    (l2_last_gradient_missing, "grads has 1 arrays, expected 2"),
    (l2_returns_penalty_only, "expected a tuple (penalty, grads)"),
])
def test_l2_feedback_names_the_problem(fn, words):
    message = check("regularization.l2_penalty", fn, seed=0).cases[0].message
    assert words in message, message


def test_l2_feedback_says_which_half_is_right():
    assert "(grads are right)" in check("regularization.l2_penalty", l2_forgot_half, seed=0).message
    assert "(also wrong: grads[1]; penalty is right)" in check("regularization.l2_penalty", l2_grad_twice,
                                                                seed=0).message


# ---- the quiz ------------------------------------------------------------------------------------------
WRONG_ANSWERS = ["A", "b", "D)", "E", "", "C because", 3, 2.5, ["C"], True]


@pytest.mark.parametrize("answer", WRONG_ANSWERS, ids=repr)
def test_wrong_quiz_answers_get_zero_and_never_see_the_key(answer):
    result = check("regularization.quiz_eval_dropout", answer)
    assert result.points == 0 and result.status == "failed"
    text = (str(result) + result._repr_html_()).lower()
    for key in ("'c'", '"c"', "answer is c", "identity", "unchanged"):
        assert key not in text, text


@pytest.mark.parametrize("answer", ["C", " c ", "C)", "(c)", "C."])
def test_quiz_accepts_every_spelling_of_the_key(answer):
    assert check("regularization.quiz_eval_dropout", answer).points == 1


def test_the_notebook_has_a_function_exercise_and_a_quiz():
    kinds = {ex.id: ex.kind for ex in exercises.for_notebook("regularization")}
    assert kinds == {"regularization.l2_penalty": "function", "regularization.quiz_eval_dropout": "quiz"}
