"""The dropout notebook's exercise: the reference checked by hand, wrong ideas score 0, conventions named.

The right formula is written out here by hand (independently of the package) to check the reference
and to build the wrong implementations from it.
"""
import numpy as np
import pytest

from nncourse import exercises
from nncourse.check import check, reset_progress
from nncourse.exercises.dropout import dropout_reference
from nncourse.functional import dropout_forward as package_dropout_forward

ID = "dropout.dropout_forward"


@pytest.fixture(autouse=True)
def _fresh_hints():
    """Every test starts with the gentlest hints (the hint rung counts failed checks per session)."""
    reset_progress()
    yield
    reset_progress()


# ---- the reference -------------------------------------------------------------------------------
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


def test_the_old_id_is_gone_and_the_new_one_is_in_the_dropout_notebook():
    assert [ex.id for ex in exercises.for_notebook("dropout")][:1] == [ID]
    with pytest.raises(ValueError, match="unknown exercise id 'regularization.dropout_forward'"):
        exercises.get("regularization.dropout_forward")


def test_every_case_that_earns_points_has_a_rate_strictly_between_0_and_1():
    for case in exercises.get(ID).cases(5):
        x, p, u = case.args
        if case.name.startswith("edge"):
            assert p in (0.0, 1.0)
        else:
            assert 0 < p < 1 and (u < p).any() and (u >= p).any() and x.shape[0] > 1
            assert abs(p - 0.5) > 0.05  # at 0.5, 1 / drop_prob = 1 / (1 - drop_prob)


# ---- right answers ------------------------------------------------------------------------------
def right_dropout(x, drop_prob, u):
    if drop_prob == 1.0:
        return np.zeros_like(x)
    return np.where(u < drop_prob, 0.0, x / (1.0 - drop_prob))


def right_dropout_mask_times(x, drop_prob, u):
    keep = 1.0 - drop_prob
    return x * (u >= drop_prob) / keep if keep > 0 else 0.0 * x


@pytest.mark.parametrize("fn", [right_dropout, right_dropout_mask_times])
def test_right_answers_get_full_points(fn):
    for seed in (0, 1, 7):
        result = check(ID, fn, seed=seed)
        assert result.points == result.max_points, str(result)


# ---- wrong ideas: 0 points ------------------------------------------------------------------------
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


def drop_identity(x, drop_prob, u):  # dropout as at evaluation time
    return x.copy()


def drop_keep_probability(x, drop_prob, u):  # reads drop_prob as keep_prob
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(u < drop_prob, x / drop_prob, 0.0)


DROPOUT_ZERO = [drop_no_scaling, drop_scaled_by_drop_prob, drop_times_keep_prob, drop_inverted_mask,
                drop_keep_prob_mask, drop_identity, drop_keep_probability]


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("fn", DROPOUT_ZERO, ids=lambda f: f.__name__)
def test_wrong_ideas_score_zero(fn, seed):
    result = check(ID, fn, seed=seed)
    assert result.points == 0, str(result)
    assert result.message


@pytest.mark.parametrize("fn", DROPOUT_ZERO, ids=lambda f: f.__name__)
def test_the_first_hint_holds_no_solution(fn):
    from nncourse.check import reset_progress

    reset_progress()
    hint = check(ID, fn, seed=0).hint
    for code in ("1 - drop_prob", "1.0 - drop_prob", "(u >= drop_prob)", "x *", "/ (1"):
        assert code not in hint, hint
    assert exercises.get(ID).hint_for(check(ID, fn, seed=0).message) == exercises.get(ID).hints[0]
    reset_progress()


# ---- feedback -------------------------------------------------------------------------------------
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


@pytest.mark.parametrize("fn, words", [
    (drop_no_scaling, "wrong values in out; every entry is 0.6 times the expected value: a scale factor is missing"),
    (drop_in_place, "changed its input x in place"),
    (drop_returns_mask_too, "expected out as a numpy array, got a tuple of 2 items"),
    (drop_returns_float32, "out has dtype float32, expected float64"),
    (drop_transposed, "wrong shape for out: got (5, 2), expected (2, 5) (the shape of x); its numbers are right "
                      "but transposed"),
    (drop_keep_probability, "reads drop_prob as the probability of keeping a unit: the course's drop_prob is "
                            "the probability of DROPPING a unit, as in PyTorch"),
    (drop_keep_prob_mask, "your mask drops the units whose draw is u >= 1 - drop_prob"),
])
def test_dropout_feedback_names_the_problem(fn, words):
    message = check(ID, fn, seed=0).cases[0].message
    assert words in message, message


def test_forgetting_drop_prob_one_fails_that_edge_case_only():
    result = check(ID, drop_forgets_drop_prob_one, seed=0)
    failed = [c.name for c in result.cases if not c.passed]
    assert failed == ["edge 1"] and result.status == "partial"
    assert "out contains NaN" in result.cases[failed and 6].message
    assert 0 < result.points < result.max_points


def test_passing_only_the_edge_cases_earns_nothing():
    def zero_for_one(x, drop_prob, u):  # right at drop_prob 0 and 1 only
        return np.zeros_like(x) if drop_prob == 1.0 else x.copy()

    result = check(ID, zero_for_one, seed=0)
    assert [c.name for c in result.cases if c.passed] == ["edge 1", "edge 2"]
    assert (result.points, result.status) == (0, "failed")
