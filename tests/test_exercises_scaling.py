"""The scaling notebook's exercises: right answers get every point, wrong ones never do.

The right formulas are written out here by hand (independently of ``nncourse.scaling``) to build the
wrong ones from them, and to check the references against something that is not the package.
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


# ---- zscore ----------------------------------------------------------------------------------------
def zs_right(X_train, X):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    safe = np.where(std == 0, 1.0, std)
    return np.where(std == 0, 0.0, (X - mean) / safe)


def zs_own_statistics(X_train, X):  # the leak: statistics of the data being transformed
    mean, std = X.mean(axis=0), X.std(axis=0)
    return np.where(std == 0, 0.0, (X - mean) / np.where(std == 0, 1.0, std))


def zs_ddof_one(X_train, X):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0, ddof=1)
    return np.where(std == 0, 0.0, (X - mean) / np.where(std == 0, 1.0, std))


def zs_wrong_axis(X_train, X):
    mean, std = X_train.mean(axis=1, keepdims=True), X_train.std(axis=1, keepdims=True)
    return (X - mean[: len(X)]) / std[: len(X)]


def zs_transposed(X_train, X):
    return zs_right(X_train, X).T


def zs_forgot_std(X_train, X):
    return X - X_train.mean(axis=0)


def zs_variance_not_std(X_train, X):
    var = X_train.var(axis=0)
    return np.where(var == 0, 0.0, (X - X_train.mean(axis=0)) / np.where(var == 0, 1.0, var))


def zs_off_by_constant(X_train, X):
    return zs_right(X_train, X) + 1e-3


def zs_constant_column_nan(X_train, X):
    with np.errstate(divide="ignore", invalid="ignore"):
        return (X - X_train.mean(axis=0)) / X_train.std(axis=0)


def zs_constant_column_unscaled(X_train, X):  # std 0 replaced by 1: X - mean instead of 0
    std = X_train.std(axis=0)
    return (X - X_train.mean(axis=0)) / np.where(std == 0, 1.0, std)


def zs_in_place(X_train, X):
    X -= X_train.mean(axis=0)
    std = X_train.std(axis=0)
    X /= np.where(std == 0, 1.0, std)
    X[:, std == 0] = 0.0
    return X


def zs_returns_list(X_train, X):
    return zs_right(X_train, X).tolist()


def zs_returns_float32(X_train, X):
    return zs_right(X_train, X).astype(np.float32)


ZSCORE_WRONG = [zs_own_statistics, zs_ddof_one, zs_wrong_axis, zs_transposed, zs_forgot_std,
                zs_variance_not_std, zs_off_by_constant, zs_constant_column_nan,
                zs_constant_column_unscaled, zs_in_place, zs_returns_list, zs_returns_float32]


# ---- linear_scale ----------------------------------------------------------------------------------
def lin_right(X_train, X, low, high):
    lo, hi = X_train.min(axis=0), X_train.max(axis=0)
    span = hi - lo
    z = low + (X - lo) / np.where(span == 0, 1.0, span) * (high - low)
    return np.where(span == 0, (low + high) / 2, z)


def lin_own_range(X_train, X, low, high):
    return lin_right(X, X, low, high)


def lin_zero_one(X_train, X, low, high):  # ignores low and high
    return lin_right(X_train, X, 0.0, 1.0)


def lin_forgot_low(X_train, X, low, high):
    return lin_right(X_train, X, low, high) - low


def lin_swapped(X_train, X, low, high):
    return lin_right(X_train, X, high, low)


def lin_wrong_axis(X_train, X, low, high):
    lo, hi = X_train.min(axis=1, keepdims=True), X_train.max(axis=1, keepdims=True)
    return low + (X - lo[: len(X)]) / (hi - lo)[: len(X)] * (high - low)


def lin_factor_two(X_train, X, low, high):  # maps the training range to a range twice as wide
    return 2.0 * lin_right(X_train, X, low, high) - (low + high) / 2


def lin_constant_column_low(X_train, X, low, high):
    lo, hi = X_train.min(axis=0), X_train.max(axis=0)
    span = hi - lo
    return low + (X - lo) / np.where(span == 0, np.inf, span) * (high - low)


def lin_constant_column_nan(X_train, X, low, high):
    lo, hi = X_train.min(axis=0), X_train.max(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return low + (X - lo) / (hi - lo) * (high - low)


def lin_in_place(X_train, X, low, high):
    out = lin_right(X_train, X, low, high)
    X[...] = out
    return X


def lin_returns_list(X_train, X, low, high):
    return lin_right(X_train, X, low, high).tolist()


LINEAR_WRONG = [lin_own_range, lin_zero_one, lin_forgot_low, lin_swapped, lin_wrong_axis,
                lin_factor_two, lin_constant_column_low, lin_constant_column_nan, lin_in_place,
                lin_returns_list]


def test_the_references_agree_with_hand_written_formulas():
    for exercise_id, right in [("scaling.zscore", zs_right), ("scaling.linear_scale", lin_right)]:
        ex = exercises.get(exercise_id)
        for case in ex.cases(seed=3):
            (expected,) = ex.expected(case)
            np.testing.assert_allclose(expected, right(*case.args), rtol=1e-12, atol=1e-12)


def test_cases_hold_constant_training_columns_and_shifted_data():
    for exercise_id in ("scaling.zscore", "scaling.linear_scale"):
        cases = exercises.get(exercise_id).cases(seed=0)
        constant = [c for c in cases if np.any(np.ptp(c.args[0], axis=0) == 0)]
        assert len(constant) >= 3 and any(c.public for c in constant)
        for case in cases:
            X_train, X = case.args[:2]
            assert X_train.shape[0] != X.shape[0] and X.shape[0] != X.shape[1]


def test_right_zscore_gets_full_points():
    for seed in (0, 1, 7):
        result = check("scaling.zscore", zs_right, seed=seed)
        assert result.points == result.max_points, str(result)


def test_right_linear_scale_gets_full_points():
    for seed in (0, 1, 7):
        result = check("scaling.linear_scale", lin_right, seed=seed)
        assert result.points == result.max_points, str(result)


@pytest.mark.parametrize("fn", ZSCORE_WRONG, ids=lambda f: f.__name__)
def test_wrong_zscore_never_gets_full_points(fn):
    result = check("scaling.zscore", fn, seed=1)
    assert result.points < result.max_points
    assert result.status in ("failed", "partial", "error")
    assert result.message


@pytest.mark.parametrize("fn", LINEAR_WRONG, ids=lambda f: f.__name__)
def test_wrong_linear_scale_never_gets_full_points(fn):
    result = check("scaling.linear_scale", fn, seed=1)
    assert result.points < result.max_points
    assert result.message


@pytest.mark.parametrize("exercise_id, fn, words", [
    ("scaling.zscore", zs_constant_column_nan, "Z contains inf at Z[0, 2]"),
    ("scaling.zscore", zs_in_place, "changed its input X in place"),
    ("scaling.zscore", zs_transposed, "wrong shape for Z: got (3, 4), expected (4, 3) (the shape of X)"),
    ("scaling.zscore", zs_returns_float32, "Z has dtype float32, expected float64"),
    ("scaling.linear_scale", lin_in_place, "changed its input X in place"),
    ("scaling.linear_scale", lin_own_range, "wrong values in Z: first mismatch Z[0, 0]"),
])
def test_feedback_names_the_problem(exercise_id, fn, words):
    result = check(exercise_id, fn, seed=0)
    messages = " | ".join(c.message for c in result.cases)
    assert words in messages, messages


def test_wrong_values_feedback_hints_at_training_statistics():
    result = check("scaling.zscore", zs_own_statistics, seed=0)
    assert "X_train" in result.hint and "X_train.std(axis=0)" not in result.hint
    assert "X_train.std(axis=0)" in check("scaling.zscore", zs_own_statistics, seed=0, hint=True).hint


WRONG_ANSWERS = ["A", "c", "D)", "E", "", "B because", 2, ["B"], True]


@pytest.mark.parametrize("answer", WRONG_ANSWERS)
def test_wrong_quiz_answers_get_zero_and_never_see_the_key(answer):
    result = check("scaling.quiz_leakage", answer)
    assert result.points == 0 and result.status == "failed"
    text = (str(result) + result._repr_html_()).lower()
    assert "'b'" not in text and '"b"' not in text and "answer is b" not in text


@pytest.mark.parametrize("answer", ["B", " b ", "B)", "(b)", "B."])
def test_quiz_normalises_spelling(answer):
    assert check("scaling.quiz_leakage", answer).points == 1
