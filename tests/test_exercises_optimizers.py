"""The optimizers notebook's checks: right answers get full points, wrong ones never do.

The right update rules are written out here by hand (independently of ``nncourse.optim``) to build
the wrong ones from them, and to check the references against numbers computed by hand.
"""
import numpy as np
import pytest

from nncourse import exercises
from nncourse.check import check, reset_progress
from nncourse.exercises.optimizers import adam_reference, momentum_reference


@pytest.fixture(autouse=True)
def _fresh_hints():
    """Every test starts with the gentlest hints (the hint rung counts failed checks per session)."""
    reset_progress()
    yield
    reset_progress()


# ---- momentum_update ----------------------------------------------------------------------------
def momentum_right(w, dw, v, lr, momentum):
    next_v = momentum * v - lr * dw
    return w + next_v, next_v


def momentum_sign_flipped(w, dw, v, lr, momentum):  # the other sign convention for the velocity
    next_v = momentum * v + lr * dw
    return w - next_v, next_v


def momentum_forgot_lr(w, dw, v, lr, momentum):
    next_v = momentum * v - dw
    return w + next_v, next_v


def momentum_old_velocity(w, dw, v, lr, momentum):  # moves w by the velocity of the previous step
    return w + v, momentum * v - lr * dw


def momentum_dampened(w, dw, v, lr, momentum):  # off by a factor (1 - momentum) on the gradient
    next_v = momentum * v - (1 - momentum) * lr * dw
    return w + next_v, next_v


def momentum_nesterov(w, dw, v, lr, momentum):
    next_v = momentum * v - lr * dw
    return w + momentum * next_v - lr * dw, next_v


def momentum_in_place(w, dw, v, lr, momentum):
    v *= momentum
    v -= lr * dw
    w += v
    return w, v


def momentum_transposed(w, dw, v, lr, momentum):
    next_w, next_v = momentum_right(w, dw, v, lr, momentum)
    return next_w.T, next_v.T


def momentum_returns_w_only(w, dw, v, lr, momentum):
    return momentum_right(w, dw, v, lr, momentum)[0]


def momentum_returns_lists(w, dw, v, lr, momentum):
    return tuple(a.tolist() for a in momentum_right(w, dw, v, lr, momentum))


MOMENTUM_WRONG = [momentum_sign_flipped, momentum_forgot_lr, momentum_old_velocity, momentum_dampened,
                  momentum_nesterov, momentum_in_place, momentum_transposed, momentum_returns_w_only,
                  momentum_returns_lists]


# ---- adam_update --------------------------------------------------------------------------------
def adam_right(w, dw, m, v, t, lr, beta1, beta2, eps):
    next_m = beta1 * m + (1 - beta1) * dw
    next_v = beta2 * v + (1 - beta2) * dw * dw
    m_hat = next_m / (1 - beta1 ** t)
    v_hat = next_v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), next_m, next_v


def adam_no_bias_correction(w, dw, m, v, t, lr, beta1, beta2, eps):
    next_m = beta1 * m + (1 - beta1) * dw
    next_v = beta2 * v + (1 - beta2) * dw * dw
    return w - lr * next_m / (np.sqrt(next_v) + eps), next_m, next_v


def adam_t_plus_one(w, dw, m, v, t, lr, beta1, beta2, eps):  # counts one step too many
    return adam_right(w, dw, m, v, t + 1, lr, beta1, beta2, eps)


def adam_t_minus_one(w, dw, m, v, t, lr, beta1, beta2, eps):  # counts from 0: divides by 0 at t = 1
    with np.errstate(divide="ignore", invalid="ignore"):
        return adam_right(w, dw, m, v, t - 1, lr, beta1, beta2, eps)


def adam_betas_swapped(w, dw, m, v, t, lr, beta1, beta2, eps):
    return adam_right(w, dw, m, v, t, lr, beta2, beta1, eps)


def adam_no_sqrt(w, dw, m, v, t, lr, beta1, beta2, eps):
    next_m = beta1 * m + (1 - beta1) * dw
    next_v = beta2 * v + (1 - beta2) * dw * dw
    m_hat, v_hat = next_m / (1 - beta1 ** t), next_v / (1 - beta2 ** t)
    return w - lr * m_hat / (v_hat + eps), next_m, next_v


def adam_eps_inside_sqrt(w, dw, m, v, t, lr, beta1, beta2, eps):
    next_m = beta1 * m + (1 - beta1) * dw
    next_v = beta2 * v + (1 - beta2) * dw * dw
    m_hat, v_hat = next_m / (1 - beta1 ** t), next_v / (1 - beta2 ** t)
    return w - lr * m_hat / np.sqrt(v_hat + eps), next_m, next_v


def adam_forgot_square(w, dw, m, v, t, lr, beta1, beta2, eps):
    next_m = beta1 * m + (1 - beta1) * dw
    next_v = beta2 * v + (1 - beta2) * np.abs(dw)
    m_hat, v_hat = next_m / (1 - beta1 ** t), next_v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), next_m, next_v


def adam_returns_corrected_moments(w, dw, m, v, t, lr, beta1, beta2, eps):
    next_w, next_m, next_v = adam_right(w, dw, m, v, t, lr, beta1, beta2, eps)
    return next_w, next_m / (1 - beta1 ** t), next_v / (1 - beta2 ** t)


def adam_wrong_order(w, dw, m, v, t, lr, beta1, beta2, eps):
    next_w, next_m, next_v = adam_right(w, dw, m, v, t, lr, beta1, beta2, eps)
    return next_w, next_v, next_m


def adam_mutates_m(w, dw, m, v, t, lr, beta1, beta2, eps):
    m *= beta1
    m += (1 - beta1) * dw
    next_v = beta2 * v + (1 - beta2) * dw * dw
    return w - lr * (m / (1 - beta1 ** t)) / (np.sqrt(next_v / (1 - beta2 ** t)) + eps), m, next_v


def adam_returns_two(w, dw, m, v, t, lr, beta1, beta2, eps):
    return adam_right(w, dw, m, v, t, lr, beta1, beta2, eps)[:2]


ADAM_WRONG = [adam_no_bias_correction, adam_t_plus_one, adam_t_minus_one, adam_betas_swapped, adam_no_sqrt,
              adam_eps_inside_sqrt, adam_forgot_square, adam_returns_corrected_moments, adam_wrong_order,
              adam_mutates_m, adam_returns_two]


# ---- the references, against numbers computed by hand --------------------------------------------
def test_momentum_reference_by_hand():
    # v = 0.9 * 0.2 - 0.1 * 0.5 = 0.13; w = 1 + 0.13
    next_w, next_v = momentum_reference(np.array([1.0]), np.array([0.5]), np.array([0.2]), 0.1, 0.9)
    np.testing.assert_allclose(next_v, [0.13])
    np.testing.assert_allclose(next_w, [1.13])


def test_adam_reference_by_hand():
    # first step: m = 0.1 g, v = 0.001 g^2; corrected, the step is lr * sign(g)
    next_w, next_m, next_v = adam_reference(np.array([1.0, 1.0]), np.array([0.5, -2.0]), np.zeros(2),
                                            np.zeros(2), 1, 0.01, 0.9, 0.999, 1e-8)
    np.testing.assert_allclose(next_m, [0.05, -0.2])
    np.testing.assert_allclose(next_v, [0.00025, 0.004])
    np.testing.assert_allclose(next_w, [0.99, 1.01], rtol=1e-9)
    # second step with the same gradient 0.5: m = 0.095, v = 0.00049975
    next_w, next_m, next_v = adam_reference(np.array([0.99]), np.array([0.5]), np.array([0.05]),
                                            np.array([0.00025]), 2, 0.01, 0.9, 0.999, 1e-8)
    m_hat, v_hat = 0.095 / 0.19, 0.00049975 / (1 - 0.999 ** 2)
    np.testing.assert_allclose(next_w, [0.99 - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)], rtol=1e-12)


def test_references_leave_their_inputs_alone():
    w, dw, m, v = np.ones(3), np.full(3, 0.5), np.full(3, 0.1), np.full(3, 0.01)
    momentum_reference(w, dw, m, 0.1, 0.9)
    adam_reference(w, dw, m, v, 3, 0.01, 0.9, 0.999, 1e-8)
    assert (w == 1).all() and (dw == 0.5).all() and (m == 0.1).all() and (v == 0.01).all()


# ---- the checks ---------------------------------------------------------------------------------
@pytest.mark.parametrize("exercise_id, fn", [("optimizers.momentum_update", momentum_right),
                                             ("optimizers.adam_update", adam_right)])
def test_the_right_function_gets_full_points(exercise_id, fn):
    for seed in (0, 1, 2):
        result = check(exercise_id, fn, seed=seed)
        assert result.points == result.max_points, str(result)


@pytest.mark.parametrize("fn", MOMENTUM_WRONG, ids=lambda f: f.__name__)
def test_wrong_momentum_update_never_gets_full_points(fn):
    result = check("optimizers.momentum_update", fn, seed=1)
    assert result.points < result.max_points
    assert result.status in ("failed", "partial", "error")
    assert result.message


@pytest.mark.parametrize("fn", ADAM_WRONG, ids=lambda f: f.__name__)
def test_wrong_adam_update_never_gets_full_points(fn):
    result = check("optimizers.adam_update", fn, seed=1)
    assert result.points < result.max_points
    assert result.status in ("failed", "partial", "error")
    assert result.message


@pytest.mark.parametrize("exercise_id, fn, words", [
    ("optimizers.momentum_update", momentum_sign_flipped, "wrong values in next_w: first mismatch"),
    ("optimizers.momentum_update", momentum_in_place, "changed its input"),
    ("optimizers.momentum_update", momentum_transposed, "wrong shape for next_w: got (4, 2), expected (2, 4) (the shape of w); its numbers are right but transposed"),
    ("optimizers.momentum_update", momentum_returns_w_only, "got a single array of shape (2, 4)"),
    ("optimizers.adam_update", adam_returns_corrected_moments, "wrong values in next_m"),
    ("optimizers.adam_update", adam_mutates_m, "changed its input m in place"),
])
def test_feedback_names_the_first_problem(exercise_id, fn, words):
    result = check(exercise_id, fn, seed=0)
    assert result.cases[0].name == "public 1"
    assert words in result.cases[0].message, result.cases[0].message


def test_the_hint_points_at_the_wrong_output():
    assert "next_v = momentum * v - lr * dw" in check("optimizers.momentum_update", momentum_forgot_lr,
                                                       hint=True).hint
    assert "next_w = w + next_v" in check("optimizers.momentum_update", momentum_old_velocity, hint=True).hint
    assert "bias-corrected" in check("optimizers.adam_update", adam_returns_corrected_moments).hint
    assert "eps goes outside" in check("optimizers.adam_update", adam_no_sqrt, hint=True).hint


def test_counting_steps_from_zero_divides_by_zero_at_the_first():
    result = check("optimizers.adam_update", adam_t_minus_one, seed=0)
    assert "next_w contains" in next(c.message for c in result.cases if c.name == "edge 1")


def test_cases_cover_a_first_step_and_a_later_one():
    cases = exercises.get("optimizers.adam_update").cases(0)
    first = [c for c in cases if c.args[4] == 1]
    assert [c.name for c in first] == ["edge 1"]  # with m = v = 0 swapped betas give the right step
    w, dw, m, v, t = first[0].args[:5]
    assert not m.any() and not v.any()
    assert {c.args[4] for c in cases} == {1, 2, 3, 4, 5, 10, 30}
    assert all((c.args[3] >= 0).all() for c in cases)  # a second moment is never negative
    momentum = exercises.get("optimizers.momentum_update").cases(0)
    assert [c.name for c in momentum if not c.args[2].any()] == ["edge 1"]  # the first step, v = 0


# ---- quiz ---------------------------------------------------------------------------------------
QUIZ = "optimizers.quiz_warmup_cosine"
WRONG_ANSWERS = [0.1, 0.2, 0.02, 0.0822, 0.055, 0.12, "0.1", "about a tenth", -0.11, (0.11,), True]


@pytest.mark.parametrize("answer", WRONG_ANSWERS, ids=repr)
def test_wrong_quiz_answers_get_zero(answer):
    result = check(QUIZ, answer)
    assert (result.points, result.status) == (0, "failed")
    text = (str(result) + result._repr_html_()).lower()
    assert "0.11" not in text.replace(str(answer).lower(), "")


@pytest.mark.parametrize("answer", [0.11, "0.11", 0.11000000000000001, 0.02 + 0.18 / 2, " 0.110 ", np.float64(0.11)],
                         ids=repr)
def test_right_quiz_answers_get_the_point(answer):
    assert check(QUIZ, answer).points == 1


def test_the_quiz_key_is_the_package_schedule():
    from nncourse import schedules

    schedule = schedules.warmup(schedules.cosine(0.2, total_steps=1000, min_lr=0.02), warmup_steps=100)
    assert check(QUIZ, schedule(600)).points == 1
