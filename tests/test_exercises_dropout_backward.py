"""The dropout notebook's backward exercise: the reference checked by hand and by finite differences,
wrong ideas score 0, the first hint gives nothing away.

The right formula is written out here by hand (independently of the package) to check the reference
and to build the wrong implementations from it.
"""
import numpy as np
import pytest

from nncourse import exercises
from nncourse.check import check, reset_progress
from nncourse.exercises.dropout_backward import dropout_backward_reference
from nncourse.functional import dropout_forward
from nncourse.gradcheck import numerical_gradient, rel_error

ID = "dropout.dropout_backward"


@pytest.fixture(autouse=True)
def _fresh_hints():
    """Every test starts with the gentlest hints (the hint rung counts failed checks per session)."""
    reset_progress()
    yield
    reset_progress()


# ---- the reference -------------------------------------------------------------------------------
def test_reference_by_hand():
    dout = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])
    u = np.array([[0.1, 0.6, 0.49], [0.5, 0.95, 0.0]])
    np.testing.assert_allclose(dropout_backward_reference(dout, 0.5, u), [[0.0, -4.0, 0.0], [8.0, 10.0, 0.0]],
                               rtol=1e-15)
    np.testing.assert_allclose(dropout_backward_reference(dout, 0.25, u),
                               [[0.0, -8 / 3, 4.0], [16 / 3, 20 / 3, 0.0]], rtol=1e-15)
    np.testing.assert_array_equal(dropout_backward_reference(dout, 0.0, u), dout)
    np.testing.assert_array_equal(dropout_backward_reference(dout, 1.0, u), np.zeros_like(dout))


@pytest.mark.parametrize("drop_prob", [0.2, 0.7])
def test_reference_agrees_with_finite_differences_of_the_forward_pass(drop_prob):
    x = np.random.default_rng(0).standard_normal((4, 6))
    dout = np.random.default_rng(1).standard_normal((4, 6))
    u = np.random.default_rng(2).random((4, 6))
    numerical = numerical_gradient(
        lambda: dropout_forward(x, drop_prob, train=True, rng=np.random.default_rng(2))[0], x, dout)
    assert rel_error(dropout_backward_reference(dout, drop_prob, u), numerical) < 1e-8


# ---- right answers ------------------------------------------------------------------------------
def right(dout, drop_prob, u):
    if drop_prob == 1.0:
        return np.zeros_like(dout)
    return np.where(u < drop_prob, 0.0, dout / (1.0 - drop_prob))


def right_with_mask_first(dout, drop_prob, u):
    mask = (u >= drop_prob).astype(float)
    return dout * mask / (1.0 - drop_prob) if drop_prob < 1 else dout * mask


@pytest.mark.parametrize("fn", [right, right_with_mask_first])
def test_right_answers_get_full_points(fn):
    for seed in (0, 1, 7):
        result = check(ID, fn, seed=seed)
        assert result.points == result.max_points, str(result)


# ---- wrong ideas ----------------------------------------------------------------------------------
def back_no_scaling(dout, drop_prob, u):
    return dout * (u >= drop_prob)


def back_passes_everything(dout, drop_prob, u):  # as if dropout were the identity
    return dout.copy()


def back_flipped_mask(dout, drop_prob, u):
    if drop_prob == 1.0:
        return np.zeros_like(dout)
    return dout * (u < drop_prob) / (1.0 - drop_prob)


def back_times_keep_prob(dout, drop_prob, u):  # the test-time scaling of the original paper
    return dout * (u >= drop_prob) * (1.0 - drop_prob)


def back_divides_by_drop_prob(dout, drop_prob, u):
    return dout * (u >= drop_prob) / max(drop_prob, 1e-12)


def back_keep_probability(dout, drop_prob, u):  # reads drop_prob as keep_prob
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(u < drop_prob, dout / drop_prob, 0.0)


def back_scale_only(dout, drop_prob, u):  # rescales every unit, forgets that dropped ones pass nothing
    return dout / (1.0 - drop_prob) if drop_prob < 1 else np.zeros_like(dout)


WRONG = [back_no_scaling, back_passes_everything, back_flipped_mask, back_times_keep_prob,
         back_divides_by_drop_prob, back_keep_probability, back_scale_only]


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("fn", WRONG, ids=lambda f: f.__name__)
def test_wrong_ideas_score_zero(fn, seed):
    result = check(ID, fn, seed=seed)
    assert result.points == 0, str(result)
    assert result.message


@pytest.mark.parametrize("fn", WRONG, ids=lambda f: f.__name__)
def test_the_first_hint_holds_no_solution(fn):
    hint = check(ID, fn, seed=0).hint
    for code in ("1 - drop_prob", "(u >= drop_prob)", "dout *", "/ (1", "dx ="):
        assert code not in hint, hint
    assert hint.startswith(exercises.get(ID).hints[0][:40]) or exercises.get(ID).hints[0] in hint, hint


def test_hints_escalate_to_the_formula():
    hints = [check(ID, back_no_scaling, seed=0).hint for _ in range(4)]
    assert exercises.get(ID).hints[0] in hints[0]
    assert "dx = dout * (u >= drop_prob)" in hints[-1]
    assert "dx = dout" not in hints[0]


def test_keep_probability_is_named_as_a_convention():
    message = check(ID, back_keep_probability, seed=0).cases[0].message
    assert "probability of keeping a unit" in message and "DROPPING" in message, message


def test_forgetting_drop_prob_one_fails_that_edge_case_only():
    def forgets(dout, drop_prob, u):
        with np.errstate(divide="ignore", invalid="ignore"):
            return dout * (u >= drop_prob) / (1.0 - drop_prob)

    result = check(ID, forgets, seed=0)
    failed = [c.name for c in result.cases if not c.passed]
    assert failed == ["edge 1"] and 0 < result.points < result.max_points, str(result)
