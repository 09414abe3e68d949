"""The regularization notebook's exercises: references checked by hand, wrong answers never get full points.

The right formulas are written out here by hand (independently of the package) to check the
references and to build the wrong implementations from them.
"""
import numpy as np
import pytest

from nncourse import exercises
from nncourse.check import check
from nncourse.exercises.regularization import dropout_reference, l2_reference
from nncourse.functional import dropout_forward as package_dropout_forward
from nncourse.gradcheck import numerical_gradient, rel_error


# ---- the references ------------------------------------------------------------------------------
def test_dropout_reference_by_hand():
    x = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])
    u = np.array([[0.1, 0.6, 0.49], [0.5, 0.95, 0.0]])
    np.testing.assert_allclose(dropout_reference(x, 0.5, u), [[0.0, -4.0, 0.0], [8.0, 10.0, 0.0]], rtol=1e-15)
    np.testing.assert_allclose(dropout_reference(x, 0.25, u), [[0.0, -8 / 3, 4.0], [16 / 3, 20 / 3, 0.0]],
                               rtol=1e-15)
    assert np.array_equal(dropout_reference(x, 0.0, u), x)
    assert np.array_equal(dropout_reference(x, 1.0, u), np.zeros_like(x))


@pytest.mark.parametrize("drop_prob", [0.1, 0.5, 0.8])
def test_dropout_reference_is_the_package_with_the_same_draw(drop_prob):
    # the package drops where rng.random(x.shape) < drop_prob: the same seed gives the same u
    x = np.random.default_rng(0).standard_normal((6, 7))
    u = np.random.default_rng(42).random(x.shape)
    out, _ = package_dropout_forward(x, drop_prob, train=True, rng=np.random.default_rng(42))
    assert np.array_equal(dropout_reference(x, drop_prob, u), out)


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
def right_dropout(x, drop_prob, u):
    if drop_prob == 1.0:
        return np.zeros_like(x)
    return np.where(u < drop_prob, 0.0, x / (1.0 - drop_prob))


def right_l2(weights, weight_decay):
    return 0.5 * weight_decay * sum(float(np.sum(W ** 2)) for W in weights), [weight_decay * W for W in weights]


def right_l2_numpy_scalar_and_tuple(weights, weight_decay):
    total = np.float64(0.0)
    for W in weights:
        total = total + np.sum(W * W)
    return weight_decay / 2 * total, tuple(W * weight_decay for W in weights)


@pytest.mark.parametrize("exercise_id, fn", [
    ("regularization.dropout_forward", right_dropout),
    ("regularization.l2_penalty", right_l2),
    ("regularization.l2_penalty", right_l2_numpy_scalar_and_tuple),
])
def test_right_answers_get_full_points(exercise_id, fn):
    for seed in (0, 1, 7):
        result = check(exercise_id, fn, seed=seed)
        assert result.points == result.max_points, str(result)


# ---- wrong dropout_forward ---------------------------------------------------------------------------
def drop_no_scaling(x, drop_prob, u):
    return x * (u >= drop_prob)


def drop_scaled_by_drop_prob(x, drop_prob, u):
    return x * (u >= drop_prob) / max(drop_prob, 1e-12)


def drop_times_keep_prob(x, drop_prob, u):  # the test-time scaling of the original dropout
    return x * (u >= drop_prob) * (1.0 - drop_prob)


def drop_inverted_mask(x, drop_prob, u):
    if drop_prob == 1.0:
        return np.zeros_like(x)
    return x * (u < drop_prob) / (1.0 - drop_prob)


def drop_keep_prob_mask(x, drop_prob, u):  # keeps where u < 1 - drop_prob: right rate, wrong units
    if drop_prob == 1.0:
        return np.zeros_like(x)
    return x * (u < 1.0 - drop_prob) / (1.0 - drop_prob)


def drop_in_place(x, drop_prob, u):
    if drop_prob == 1.0:
        return np.zeros_like(x)
    x *= (u >= drop_prob) / (1.0 - drop_prob)
    return x


def drop_forgets_drop_prob_one(x, drop_prob, u):
    with np.errstate(divide="ignore", invalid="ignore"):
        return x * (u >= drop_prob) / (1.0 - drop_prob)


def drop_returns_mask_too(x, drop_prob, u):
    mask = (u >= drop_prob) / (1.0 - drop_prob) if drop_prob < 1 else np.zeros_like(x)
    return x * mask, mask


def drop_returns_float32(x, drop_prob, u):
    return right_dropout(x, drop_prob, u).astype(np.float32)


def drop_transposed(x, drop_prob, u):
    return right_dropout(x, drop_prob, u).T


DROPOUT_WRONG = [drop_no_scaling, drop_scaled_by_drop_prob, drop_times_keep_prob, drop_inverted_mask,
                 drop_keep_prob_mask, drop_in_place, drop_forgets_drop_prob_one, drop_returns_mask_too,
                 drop_returns_float32, drop_transposed]


@pytest.mark.parametrize("fn", DROPOUT_WRONG, ids=lambda f: f.__name__)
def test_wrong_dropout_never_gets_full_points(fn):
    result = check("regularization.dropout_forward", fn, seed=3)
    assert result.points < result.max_points
    assert result.message


@pytest.mark.parametrize("fn, words", [
    (drop_no_scaling, "wrong values in out: first mismatch out[0, 1]"),
    (drop_in_place, "changed its input x in place"),
    (drop_returns_mask_too, "expected out as a numpy array, got a tuple of 2 items"),
    (drop_returns_float32, "out has dtype float32, expected float64"),
    (drop_transposed, "wrong shape for out: got (5, 2), expected (2, 5) (the shape of x)"),
])
def test_dropout_feedback_names_the_problem(fn, words):
    message = check("regularization.dropout_forward", fn, seed=0).cases[0].message
    assert words in message, message


def test_forgetting_drop_prob_one_fails_that_case_only_and_the_hint_says_why():
    result = check("regularization.dropout_forward", drop_forgets_drop_prob_one, seed=0)
    failed = [c.name for c in result.cases if not c.passed]
    assert failed == ["public 3"] and result.status == "partial"
    assert "out contains NaN" in result.cases[2].message
    assert "drop_prob = 1" in result.hint


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
    (l2_forgot_half, "wrong values in penalty: first mismatch penalty = "),
    (l2_grad_twice, "wrong values in grads[0]: first mismatch grads[0][0, 0]"),
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


def test_the_notebook_has_two_function_exercises_and_a_quiz():
    kinds = {ex.id: ex.kind for ex in exercises.for_notebook("regularization")}
    assert kinds == {"regularization.dropout_forward": "function", "regularization.l2_penalty": "function",
                     "regularization.quiz_eval_dropout": "quiz"}
