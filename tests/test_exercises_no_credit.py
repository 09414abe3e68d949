"""No credit for wrong ideas: for every function exercise, conceptually wrong implementations score 0.

Each implementation below is a plausible misunderstanding (not a typo), wrong on every output; it
must earn 0 points for several seeds, and the first (gentlest) hint it gets must not give the
solution away. Implementations right on some outputs only keep the share of those outputs. The
right formulas are written out here by hand, independently of the package.
"""
import re

import numpy as np
import pytest

from nncourse import exercises
from nncourse.check import check, reset_progress


@pytest.fixture(autouse=True)
def _fresh_hints():
    reset_progress()
    yield
    reset_progress()


# ---- backprop.linear_backward ---------------------------------------------------------------------
def lin_averaged_over_the_batch(dout, cache):  # every gradient divided by N
    x, W, b = cache
    n = len(dout)
    return dout @ W.T / n, x.T @ dout / n, dout.mean(axis=0)


def lin_ascent(dout, cache):  # the sign of every gradient flipped
    x, W, b = cache
    return -(dout @ W.T), -(x.T @ dout), -dout.sum(axis=0)


def lin_forgets_the_chain_rule(dout, cache):  # local derivatives only, as if dout were all ones
    x, W, b = cache
    ones = np.ones_like(dout)
    return ones @ W.T, x.T @ ones, ones.sum(axis=0)


# ---- backprop.relu_backward -----------------------------------------------------------------------
def relu_of_the_gradient(dout, cache):
    return np.maximum(dout, 0.0)


def relu_inverted_mask(dout, cache):
    return dout * ~cache


def relu_slope_only(dout, cache):
    return cache.astype(np.float64)


# ---- optimizers.momentum_update -------------------------------------------------------------------
def momentum_without_lr(w, dw, v, lr, momentum):
    v = momentum * v - dw
    return w + v, v


def momentum_uphill(w, dw, v, lr, momentum):
    v = momentum * v + lr * dw
    return w + v, v


def momentum_ignores_velocity(w, dw, v, lr, momentum):  # plain SGD
    return w - lr * dw, -lr * dw


def momentum_pytorch(w, dw, v, lr, momentum):  # correct, in the other convention: explained, no points
    v = momentum * v + dw
    return w - lr * v, v


# ---- optimizers.adam_update -----------------------------------------------------------------------
def _adam_step(w, m, v, t, lr, beta1, beta2, eps):
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps)


def adam_betas_swapped(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta2 * m + (1 - beta2) * dw
    v = beta1 * v + (1 - beta1) * dw * dw
    return _adam_step(w, m, v, t, lr, beta1, beta2, eps), m, v


def adam_weights_on_the_wrong_side(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = (1 - beta1) * m + beta1 * dw
    v = (1 - beta2) * v + beta2 * dw * dw
    return _adam_step(w, m, v, t, lr, beta1, beta2, eps), m, v


def adam_without_averages(w, dw, m, v, t, lr, beta1, beta2, eps):  # this step's gradient only
    return w - lr * dw / (np.abs(dw) + eps), dw.copy(), dw * dw


# ---- regularization.l2_penalty --------------------------------------------------------------------
def l2_is_l1(weights, weight_decay):
    return weight_decay * sum(np.abs(W).sum() for W in weights), [weight_decay * np.sign(W) for W in weights]


def l2_without_strength(weights, weight_decay):
    return 0.5 * sum((W ** 2).sum() for W in weights), [W.copy() for W in weights]


def l2_as_means(weights, weight_decay):
    return (0.5 * weight_decay * sum((W ** 2).mean() for W in weights),
            [weight_decay * W / W.size for W in weights])


# ---- scaling.zscore -------------------------------------------------------------------------------
def zs_statistics_of_X(X_train, X):
    std = X.std(axis=0)
    return np.where(std > 0, (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0), 0.0)


def zs_one_mean_for_the_table(X_train, X):
    return (X - X_train.mean()) / X_train.std()


def zs_min_max(X_train, X):
    low, high = X_train.min(axis=0), X_train.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    return (X - low) / span


# ---- scaling.linear_scale -------------------------------------------------------------------------
def lin_range_of_X(X_train, X, low, high):
    a, b = X.min(axis=0), X.max(axis=0)
    return low + (X - a) / (b - a) * (high - low)


def lin_ignores_the_range(X_train, X, low, high):  # always [0, 1]
    a, b = X_train.min(axis=0), X_train.max(axis=0)
    span = np.where(b > a, b - a, 1.0)
    return np.where(b > a, (X - a) / span, 0.5)


def lin_one_range_for_the_table(X_train, X, low, high):
    a, b = X_train.min(), X_train.max()
    return low + (X - a) / (b - a) * (high - low)


# ---- transfer.count_params ------------------------------------------------------------------------
def count_neurons(sizes):
    return int(sum(sizes))


def count_weights_only(sizes):
    return int(sum(a * b for a, b in zip(sizes[:-1], sizes[1:])))


def count_first_layer_only(sizes):
    return int(sizes[0] * sizes[1] + sizes[1])


# ---- transfer.reconstruction_errors ---------------------------------------------------------------
def errors_summed(X, X_hat):
    return ((X_hat - X) ** 2).sum(axis=1)


def errors_root(X, X_hat):
    return np.sqrt(((X_hat - X) ** 2).mean(axis=1))


def errors_absolute(X, X_hat):
    return np.abs(X_hat - X).mean(axis=1)


WRONG_IDEAS = {
    "backprop.linear_backward": [lin_averaged_over_the_batch, lin_ascent, lin_forgets_the_chain_rule],
    "backprop.relu_backward": [relu_of_the_gradient, relu_inverted_mask, relu_slope_only],
    "optimizers.momentum_update": [momentum_without_lr, momentum_uphill, momentum_ignores_velocity,
                                   momentum_pytorch],
    "optimizers.adam_update": [adam_betas_swapped, adam_weights_on_the_wrong_side, adam_without_averages],
    "regularization.l2_penalty": [l2_is_l1, l2_without_strength, l2_as_means],
    "scaling.zscore": [zs_statistics_of_X, zs_one_mean_for_the_table, zs_min_max],
    "scaling.linear_scale": [lin_range_of_X, lin_ignores_the_range, lin_one_range_for_the_table],
    "transfer.count_params": [count_neurons, count_weights_only, count_first_layer_only],
    "transfer.reconstruction_errors": [errors_summed, errors_root, errors_absolute],
}

# the reference code of each exercise, written without spaces: no first hint may contain any of it
SOLUTION_CODE = {
    "backprop.linear_backward": ["dout@W.T", "x.T@dout", "dout.sum(axis=0)"],
    "backprop.relu_backward": ["dout*mask", "dout*cache"],
    "optimizers.momentum_update": ["momentum*v-lr*dw", "w+next_v"],
    "optimizers.adam_update": ["beta1*m+(1-beta1)*dw", "(1-beta2)*dw**2", "np.sqrt(v_hat)+eps", "1-beta1**t"],
    "regularization.l2_penalty": ["weight_decay*W", "weight_decay/2*sum", "W**2)"],
    "scaling.zscore": ["X_train.mean(axis=0)", "X_train.std(axis=0)", "(X-mean)/std"],
    "scaling.linear_scale": ["(X-min)/(max-min)", "*(high-low)"],
    "transfer.count_params": ["n_in*n_out+n_out", "zip(sizes[:-1],sizes[1:])"],
    "transfer.reconstruction_errors": ["mean(axis=1)", "**2).mean"],
    "dropout.dropout_forward": ["(u>=drop_prob)", "/(1-drop_prob)"],
}

CASES = [(ex_id, fn) for ex_id, fns in WRONG_IDEAS.items() for fn in fns]


def test_every_function_exercise_of_these_notebooks_has_three_wrong_ideas():
    mine = {"backprop", "optimizers", "regularization", "scaling", "transfer"}
    originals = {"backprop.linear_backward", "backprop.relu_backward"}
    ids = {ex.id for ex in exercises.all_exercises().values() if ex.kind == "function"
           and ex.notebook in mine and (ex.notebook != "backprop" or ex.id in originals)}
    assert ids <= set(WRONG_IDEAS)
    assert all(len(fns) >= 3 for fns in WRONG_IDEAS.values())


@pytest.mark.parametrize("exercise_id, fn", CASES, ids=lambda v: getattr(v, "__name__", v))
def test_a_wrong_idea_scores_zero(exercise_id, fn):
    for seed in range(5):
        result = check(exercise_id, fn, seed=seed)
        assert result.points == 0, str(result)
        assert result.status in ("failed", "error"), str(result)


def _code(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("exercise_id, fn", CASES, ids=lambda v: getattr(v, "__name__", v))
def test_the_first_hint_of_a_wrong_idea_gives_no_solution(exercise_id, fn):
    result = check(exercise_id, fn, seed=0)
    ex = exercises.get(exercise_id)
    assert result.hint and result.hint == ex.hint_for(result.message)  # what the grader shows too
    for code in SOLUTION_CODE[exercise_id]:
        assert code not in _code(result.hint), (code, result.hint)
    strongest = check(exercise_id, fn, seed=0, hint=True).hint
    assert strongest != result.hint  # the formula is there, on request


@pytest.mark.parametrize("exercise_id", sorted(SOLUTION_CODE))
def test_no_first_hint_of_any_output_gives_the_solution(exercise_id):
    ex = exercises.get(exercise_id)
    messages = ["public 1: your code raised ValueError: x"] + \
        [f"public 1: wrong values in {name}: first mismatch" for name in ex.outputs]
    for message in messages:
        hint = ex.hint_for(message)
        assert hint, message
        for code in SOLUTION_CODE[exercise_id]:
            assert code not in _code(hint), (message, hint)


# ---- partial credit stays for outputs that are right ------------------------------------------------
def lin_db_mean(dout, cache):  # dx and dW right, db averaged
    x, W, b = cache
    return dout @ W.T, x.T @ dout, dout.mean(axis=0)


def lin_dW_without_x(dout, cache):  # dx and db right
    x, W, b = cache
    return dout @ W.T, np.ones_like(W) * dout.sum(axis=0), dout.sum(axis=0)


@pytest.mark.parametrize("fn", [lin_db_mean, lin_dW_without_x])
def test_right_outputs_keep_their_share_and_the_wrong_one_earns_nothing(fn):
    for seed in range(3):
        result = check("backprop.linear_backward", fn, seed=seed)
        assert (result.points, result.status) == (2, "partial"), str(result)


def test_db_as_a_mean_is_named_as_a_batch_size_problem():
    message = check("backprop.linear_backward", lin_db_mean, seed=0).cases[1].message
    assert "every entry is 1/4 of the expected value, and 4 is the batch size N" in message


def adam_eps_inside_the_root(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return w - lr * m_hat / np.sqrt(v_hat + eps), m, v


def test_eps_inside_the_root_fails_every_case_on_next_w():
    for seed in range(5):
        result = check("optimizers.adam_update", adam_eps_inside_the_root, seed=seed)
        assert all(not c.passed and "wrong values in next_w" in c.message for c in result.cases), str(result)
        assert result.points == 0  # next_m and next_v are right, but the update rule is a wrong idea


# ---- conventions ------------------------------------------------------------------------------------
def test_pytorch_momentum_is_recognised_and_the_course_convention_explained():
    message = check("optimizers.momentum_update", momentum_pytorch, seed=0).cases[0].message
    assert message.startswith("your update is PyTorch's form of momentum (v = momentum * v + dw; w = w - lr * v)")
    assert "The course keeps lr inside the velocity (v = momentum * v - lr * dw; w = w + v)" in message


def test_a_weight_stored_as_out_in_is_recognised():
    def out_in(dout, cache):
        x, W, b = cache
        return dout @ W.T, dout.T @ x, dout.sum(axis=0)

    result = check("backprop.linear_backward", out_in, seed=0)
    assert result.points == 0
    assert "your dW has the layout (out, in) = (H, D): PyTorch stores a weight as (out, in)" in result.message
    assert "The course stores W as (in, out) = (D, H)" in result.message


def test_the_sample_standard_deviation_is_recognised():
    def ddof_one(X_train, X):
        std = X_train.std(axis=0, ddof=1)
        return np.where(std > 0, (X - X_train.mean(axis=0)) / np.where(std > 0, std, 1.0), 0.0)

    result = check("scaling.zscore", ddof_one, seed=0)
    assert result.points == 0
    assert result.message.startswith("public 1: your standard deviation divides by N - 1: that is the sample")
    assert "divides by N (ddof=0)" in result.message
