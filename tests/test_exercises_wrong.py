"""Every exercise's check against wrong implementations: none may earn full points.

The right formulas are written out here by hand (independently of ``nncourse.functional``) only to
build the wrong ones from them.
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


# ---- linear_backward: wrong in every way a student tends to be wrong ------------------------------
def lin_transposed_dW(dout, cache):
    x, W, b = cache
    return dout @ W.T, dout.T @ x, dout.sum(axis=0)


def lin_dW_times_two(dout, cache):
    x, W, b = cache
    return dout @ W.T, 2 * x.T @ dout, dout.sum(axis=0)


def lin_dx_plus_one(dout, cache):
    x, W, b = cache
    return dout @ W.T + 1.0, x.T @ dout, dout.sum(axis=0)


def lin_db_wrong_axis(dout, cache):
    x, W, b = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=1)


def lin_db_mean(dout, cache):  # a forgotten factor N
    x, W, b = cache
    return dout @ W.T, x.T @ dout, dout.mean(axis=0)


def lin_forgot_db(dout, cache):
    x, W, b = cache
    return dout @ W.T, x.T @ dout, np.zeros_like(b)


def lin_dx_without_W(dout, cache):  # forgotten term
    x, W, b = cache
    return dout.sum(axis=1, keepdims=True) * np.ones_like(x), x.T @ dout, dout.sum(axis=0)


def lin_mutates_dout(dout, cache):
    x, W, b = cache
    db = dout.sum(axis=0)
    dout *= 1.0001  # changes the caller's array
    return dout @ W.T, x.T @ dout, db


def lin_mutates_x(dout, cache):
    x, W, b = cache
    x -= x.mean(axis=0)  # "centre the data" in place
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def lin_returns_two(dout, cache):
    x, W, b = cache
    return dout @ W.T, x.T @ dout


def lin_returns_nested_lists(dout, cache):
    x, W, b = cache
    return (dout @ W.T).tolist(), (x.T @ dout).tolist(), dout.sum(axis=0).tolist()


def lin_returns_float32(dout, cache):
    x, W, b = cache
    return tuple(a.astype(np.float32) for a in (dout @ W.T, x.T @ dout, dout.sum(axis=0)))


def lin_returns_nan(dout, cache):
    x, W, b = cache
    return dout @ W.T, x.T @ dout / 0.0 * 0.0, dout.sum(axis=0)


class AlwaysEqual:
    """Claims to equal everything."""

    shape = property(lambda self: (2, 3))

    def __eq__(self, other):
        return True

    def __array__(self, dtype=None, copy=None):
        return np.zeros((1,))


class EqualArray(np.ndarray):
    """An ndarray subclass whose comparisons always say 'equal'."""

    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

    def __ne__(self, other):
        return np.zeros(np.shape(self), dtype=bool)


def lin_always_equal_objects(dout, cache):
    return AlwaysEqual(), AlwaysEqual(), AlwaysEqual()


def lin_always_equal_arrays(dout, cache):
    x, W, b = cache
    return tuple(np.zeros(s.shape).view(EqualArray) for s in (x, W, b))


LINEAR_WRONG = [lin_transposed_dW, lin_dW_times_two, lin_dx_plus_one, lin_db_wrong_axis, lin_db_mean,
                lin_forgot_db, lin_dx_without_W, lin_mutates_dout, lin_mutates_x, lin_returns_two,
                lin_returns_nested_lists, lin_returns_float32, lin_returns_nan,
                lin_always_equal_objects, lin_always_equal_arrays]


# ---- relu_backward -------------------------------------------------------------------------------
def relu_inverted_mask(dout, cache):
    return dout * ~cache


def relu_forgot_dout(dout, cache):
    return cache.astype(np.float64)


def relu_forgot_mask(dout, cache):
    return dout.copy()


def relu_clips_dout(dout, cache):  # applies ReLU to the gradient instead of masking it
    return np.maximum(dout, 0.0)


def relu_in_place(dout, cache):
    dout[~cache] = 0.0
    return dout


def relu_off_by_constant(dout, cache):
    return dout * cache + 1e-3


def relu_transposed(dout, cache):
    return (dout * cache).T


def relu_returns_bool(dout, cache):
    return cache & (dout > 0)


def relu_returns_list(dout, cache):
    return (dout * cache).tolist()


def relu_returns_tuple(dout, cache):
    return (dout * cache,)


def relu_always_equal(dout, cache):
    return np.zeros(dout.shape).view(EqualArray)


RELU_WRONG = [relu_inverted_mask, relu_forgot_dout, relu_forgot_mask, relu_clips_dout, relu_in_place,
              relu_off_by_constant, relu_transposed, relu_returns_bool, relu_returns_list,
              relu_returns_tuple, relu_always_equal]


@pytest.mark.parametrize("fn", LINEAR_WRONG, ids=lambda f: f.__name__)
def test_wrong_linear_backward_never_gets_full_points(fn):
    result = check("backprop.linear_backward", fn, seed=1)
    assert result.points < result.max_points
    assert result.status in ("failed", "partial", "error")
    assert result.message  # says what is wrong


@pytest.mark.parametrize("fn", RELU_WRONG, ids=lambda f: f.__name__)
def test_wrong_relu_backward_never_gets_full_points(fn):
    result = check("backprop.relu_backward", fn, seed=1)
    assert result.points < result.max_points
    assert result.message


@pytest.mark.parametrize("fn, words", [
    (lin_transposed_dW, "your dW has the layout (out, in) = (H, D): PyTorch stores a weight as (out, in)"),
    (lin_db_wrong_axis, "wrong shape for db: got (2,), expected (4,)"),
    (lin_mutates_dout, "changed its input dout in place"),
    (lin_mutates_x, "changed its input x (cache[0]) in place"),
    (lin_returns_nested_lists, "wrong type: expected dx to be a numpy array, got list"),
    (lin_returns_two, "expected a tuple (dx, dW, db) of 3 numpy arrays, got a tuple of 2 items"),
    (lin_returns_float32, "dx has dtype float32, expected float64"),
    (lin_returns_nan, "dW contains NaN at dW[0, 0]"),
    (lin_always_equal_objects, "got AlwaysEqual"),
    (lin_dx_plus_one, "wrong values in dx; every entry is off by the same amount (1)"),
])
def test_linear_feedback_names_the_first_problem(fn, words):
    result = check("backprop.linear_backward", fn, seed=2)
    assert result.cases[0].name == "public 1"
    assert words in result.cases[0].message, result.cases[0].message


def test_a_list_of_three_right_arrays_is_accepted():
    def as_list(dout, cache):
        x, W, b = cache
        return [dout @ W.T, x.T @ dout, dout.sum(axis=0)]

    assert check("backprop.linear_backward", as_list).passed


def test_relu_in_place_change_is_reported_for_the_mask_too():
    def flips_mask(dout, cache):
        cache[:] = ~cache
        return dout * ~cache

    result = check("backprop.relu_backward", flips_mask, seed=0)
    assert result.points == 0
    assert "changed its input cache in place" in result.cases[0].message


def test_gradient_feedback_gives_the_finite_difference_error():
    # dW twice too large: |2a - a| / (|2a| + |a|) = 1/3 for every entry, whatever the inputs
    message = check("backprop.linear_backward", lin_dW_times_two, seed=0).cases[0].message
    assert "relative error against finite differences is 3.3e-01" in message
    assert "(dx and db are right)" in message


def test_wrong_values_in_a_public_case_show_got_expected_and_tolerance():
    ex = exercises.get("backprop.linear_backward")
    case = ex.cases(0)[0]
    dout, (x, W, b) = case.args
    message = check("backprop.linear_backward", lin_dx_plus_one, seed=0).cases[0].message
    right = dout @ W.T  # by hand
    assert f"dx[0, 0] = {right[0, 0] + 1:.6g}, expected {right[0, 0]:.6g}" in message
    assert "<= 1e-09 + 1e-06 * |expected|" in message
    assert f"{right.size} of {right.size} entries" in message


WRONG_ANSWERS = {
    "backprop.quiz_cache": ["A", "c", "D)", "E", "", "B because", 2, ["B"], True],
    "backprop.quiz_dw_shape": ["(N, D)", "(H, D)", "D", ("N", "H"), "(D, H, N)", 3],
    "backprop.quiz_multiplications": [3200, 320000, 32000.5, "many", float("nan"), (100, 10, 32), -32000],
}


@pytest.mark.parametrize("exercise_id, answer",
                         [(k, a) for k, answers in WRONG_ANSWERS.items() for a in answers])
def test_wrong_quiz_answers_get_zero(exercise_id, answer):
    result = check(exercise_id, answer)
    assert result.points == 0
    assert result.status == "failed"


RIGHT_SPELLINGS = {
    "backprop.quiz_cache": ["B", " b ", "B)", "(b)", "B."],
    "backprop.quiz_dw_shape": ["(D, H)", "(d,h)", "D, H", ("D", "H"), ["D", "H"], " ( D , H ) "],
    "backprop.quiz_multiplications": [32000, 32000.0, "32000", "32,000", np.int64(32000), 100 * 10 * 32],
}


@pytest.mark.parametrize("exercise_id, answer",
                         [(k, a) for k, answers in RIGHT_SPELLINGS.items() for a in answers])
def test_quiz_normalises_spelling(exercise_id, answer):
    assert check(exercise_id, answer).points == 1


def test_quiz_feedback_never_reveals_the_key():
    for exercise_id, answers in WRONG_ANSWERS.items():
        for answer in answers:
            result = check(exercise_id, answer)
            text = (str(result) + result._repr_html_()).lower()
            for key in ("(d, h)", "d,h", "32000", "32,000", "'b'", '"b"'):
                assert key not in text, (exercise_id, answer, text)
