"""The backprop notebook's network exercises: references checked independently, wrong ideas score 0.

The right answers are written out here by hand; the references are checked against finite
differences and hand-computed values, never against themselves.
"""
import numpy as np
import pytest

from nncourse import exercises
from nncourse.check import check
from nncourse.exercises.backprop_network import network_backward_reference, network_forward
from nncourse.exercises.quiz import answer_hash
from nncourse.gradcheck import numerical_gradient, rel_error
from nncourse.losses import softmax_cross_entropy


# ---- the references ------------------------------------------------------------------------------
def test_softmax_ce_reference_by_hand():
    logits = np.array([[0.0, np.log(3.0)], [1000.0, 1000.0]])
    loss, dlogits = softmax_cross_entropy(logits, np.array([1, 0]))
    # p = (1/4, 3/4) for row 0 (label 1) and (1/2, 1/2) for row 1 (label 0)
    assert loss == pytest.approx((-np.log(0.75) - np.log(0.5)) / 2, rel=1e-14)
    np.testing.assert_allclose(dlogits, [[0.125, -0.125], [-0.25, 0.25]], rtol=1e-14)


def test_network_reference_against_finite_differences():
    case = exercises.get("backprop.network_backward").cases(seed=3)[2]
    dlogits, ((x, W1, b1), mask, (h, W2, b2)) = case.args
    params = [p.copy() for p in (W1, b1, W2, b2)]
    grads = network_backward_reference(dlogits, network_forward(x, *params)[1])
    for grad, p in zip(grads, params):
        numerical = numerical_gradient(lambda: network_forward(x, *params)[0], p, dlogits)
        assert rel_error(grad, numerical) < 1e-7
    assert mask.any() and (~mask).any()  # both sides of the ReLU in the case


def test_every_softmax_case_overflows_a_naive_exp_and_has_a_batch():
    for case in exercises.get("backprop.softmax_ce").cases(seed=0):
        logits, y = case.args
        assert logits.shape[0] >= 3 and np.abs(logits).max() > 700


# ---- right answers ------------------------------------------------------------------------------
def right_softmax_ce(logits, y):
    s = logits - logits.max(axis=1, keepdims=True)
    lse = np.log(np.exp(s).sum(axis=1))
    n = len(y)
    loss = np.mean(lse - s[np.arange(n), y])
    p = np.exp(s - lse[:, None])
    p[np.arange(n), y] -= 1.0
    return loss, p / n


def right_softmax_ce_array_loss(logits, y):
    loss, d = right_softmax_ce(logits, y)
    return np.array([loss]), d


def linear_backward(dout, cache):
    x, W, _ = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def right_network(dlogits, caches):
    cache1, mask, cache2 = caches
    dh, dW2, db2 = linear_backward(dlogits, cache2)
    _, dW1, db1 = linear_backward(dh * mask, cache1)
    return dW1, db1, dW2, db2


@pytest.mark.parametrize("exercise_id, fn", [
    ("backprop.softmax_ce", right_softmax_ce),
    ("backprop.softmax_ce", right_softmax_ce_array_loss),
    ("backprop.network_backward", right_network),
])
def test_right_answers_get_full_points(exercise_id, fn):
    for seed in (0, 1, 7):
        result = check(exercise_id, fn, seed=seed)
        assert result.points == result.max_points, str(result)


# ---- wrong softmax_ce ----------------------------------------------------------------------------
def ce_naive_exp(logits, y):  # no shift: exp overflows
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.mean(np.log(p[np.arange(n), y]))
    p[np.arange(n), y] -= 1.0
    return loss, p / n


def ce_log_of_probability(logits, y):  # shifted, but log(p) underflows to -inf
    s = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.mean(np.log(p[np.arange(n), y]))
    d = p.copy()
    d[np.arange(n), y] -= 1.0
    return loss, d / n


def ce_sum_not_mean(logits, y):
    loss, d = right_softmax_ce(logits, y)
    return loss * len(y), d * len(y)


def ce_gradient_not_averaged(logits, y):
    loss, d = right_softmax_ce(logits, y)
    return loss, d * len(y)


def ce_forgets_onehot(logits, y):
    s = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    return right_softmax_ce(logits, y)[0], p / len(y)


def ce_mean_over_classes(logits, y):
    loss, d = right_softmax_ce(logits, y)
    return loss * len(y) / logits.shape[1], d * len(y) / logits.shape[1]


# ---- wrong network_backward ----------------------------------------------------------------------
def net_skips_relu(dlogits, caches):
    cache1, _, cache2 = caches
    dh, dW2, db2 = linear_backward(dlogits, cache2)
    _, dW1, db1 = linear_backward(dh, cache1)
    return dW1, db1, dW2, db2


def net_inverted_mask(dlogits, caches):
    cache1, mask, cache2 = caches
    dh, dW2, db2 = linear_backward(dlogits, cache2)
    _, dW1, db1 = linear_backward(dh * ~mask, cache1)
    return dW1, db1, dW2, db2


def net_bias_mean(dlogits, caches):  # a wrong linear_backward inside: db as a mean over the batch
    dW1, db1, dW2, db2 = right_network(dlogits, caches)
    n = dlogits.shape[0]
    return dW1, db1 / n, dW2, db2 / n


def net_forgets_the_weights_on_the_way_down(dlogits, caches):  # dh taken as dlogits summed over classes
    cache1, mask, cache2 = caches
    _, dW2, db2 = linear_backward(dlogits, cache2)
    dh = np.repeat(dlogits.sum(axis=1, keepdims=True), mask.shape[1], axis=1)
    _, dW1, db1 = linear_backward(dh * mask, cache1)
    return dW1, db1, dW2, db2


def net_wrong_activation_for_dW2(dlogits, caches):  # uses the pre-activation instead of relu's output
    cache1, mask, cache2 = caches
    x, W1, b1 = cache1
    z = x @ W1 + b1
    _, W2, b2 = cache2
    return right_network(dlogits, (cache1, mask, (z, W2, b2)))


WRONG = [
    ("backprop.softmax_ce", ce_naive_exp),
    ("backprop.softmax_ce", ce_log_of_probability),
    ("backprop.softmax_ce", ce_sum_not_mean),
    ("backprop.softmax_ce", ce_gradient_not_averaged),
    ("backprop.softmax_ce", ce_forgets_onehot),
    ("backprop.softmax_ce", ce_mean_over_classes),
    ("backprop.network_backward", net_skips_relu),
    ("backprop.network_backward", net_inverted_mask),
    ("backprop.network_backward", net_bias_mean),
    ("backprop.network_backward", net_forgets_the_weights_on_the_way_down),
    ("backprop.network_backward", net_wrong_activation_for_dW2),
]


@pytest.mark.parametrize("exercise_id, fn", WRONG, ids=[fn.__name__ for _, fn in WRONG])
def test_wrong_ideas_score_zero(exercise_id, fn):
    for seed in (0, 1, 7):
        result = check(exercise_id, fn, seed=seed)
        assert result.points == 0, str(result)
        assert result.hint


@pytest.mark.parametrize("exercise_id, code", [
    ("backprop.softmax_ce", ("max(", "onehot", "/ N", "log(sum")),
    ("backprop.network_backward", ("linear_backward(dlogits", "relu_backward(dh", "dz")),
])
def test_first_hint_holds_no_reference_code(exercise_id, code):
    first = exercises.get(exercise_id).hints[0]
    assert not any(c in first for c in code), first
    assert exercises.get(exercise_id).hints[-1] != first


def test_quiz_logistic_key():
    quiz = exercises.get("backprop.quiz_logistic")
    assert quiz.keys == (answer_hash("backprop.quiz_logistic", "B"),)
    assert check("backprop.quiz_logistic", "b").points == 1
    for wrong in ("A", "C", "D"):
        assert check("backprop.quiz_logistic", wrong).points == 0
    assert "not one of the options" in check("backprop.quiz_logistic", "E").message


# ---- the notebook's experiment helpers ------------------------------------------------------------
def test_paths_counted_three_ways():
    from nncourse.experiments.backprop import count_paths, enumerate_paths

    for widths in ([1, 3, 1], [2, 4, 4, 1], [1, 3, 5, 2, 1], [3, 2, 2, 2, 2, 3]):
        expected = int(np.prod(widths))   # one unit chosen in every layer
        assert count_paths(widths) == enumerate_paths(widths) == expected
    assert count_paths([1] + [100] * 20 + [1]) == 100 ** 20   # no overflow


def test_sum_over_paths_is_the_product_of_the_matrices():
    from nncourse.experiments.backprop import backprop_jacobian, path_sum_jacobian

    rng = np.random.default_rng(2)
    weights = [rng.standard_normal(s) for s in ((2, 3), (3, 4), (4, 2))]
    expected = weights[0] @ weights[1] @ weights[2]   # d(x @ W1 @ W2 @ W3)/dx
    np.testing.assert_allclose(path_sum_jacobian(weights), expected, rtol=1e-12)
    np.testing.assert_allclose(backprop_jacobian(weights), expected, rtol=1e-12)


def test_logit_gradients_match_finite_differences():
    from nncourse.experiments.backprop import logit_gradients

    z = np.array([-8.0, -1.0, 0.5, 3.0])
    g = logit_gradients(z, y=1.0)

    def ce(v):
        return -np.log(1.0 / (1.0 + np.exp(-v)))

    def se(v):
        return (1.0 / (1.0 + np.exp(-v)) - 1.0) ** 2

    h = 1e-6
    np.testing.assert_allclose(g["cross_entropy"], (ce(z + h) - ce(z - h)) / (2 * h), rtol=1e-6)
    np.testing.assert_allclose(g["squared_error"], (se(z + h) - se(z - h)) / (2 * h), rtol=1e-5)


def test_train_two_layer_with_the_references_learns():
    from nncourse.datasets import digits_splits
    from nncourse.experiments.backprop import train_two_layer

    s = digits_splits(seed=0)
    run = train_two_layer(softmax_cross_entropy, network_backward_reference, s.X_train[:400], s.y_train[:400],
                          s.X_val, s.y_val, hidden=32, epochs=5, seed=0)
    assert run["train_loss"][-1] < run["train_loss"][0] / 3 and run["val_acc"][-1] > 0.8


def test_best_time_runs_at_least_repeats_and_at_most_max_runs():
    from nncourse.experiments.backprop import _best_time

    calls = []
    best, result = _best_time(lambda: calls.append(1) or len(calls), 3, budget=0.0)
    assert len(calls) == 3 and result == 3 and best >= 0
    calls.clear()
    _best_time(lambda: calls.append(1), 3, budget=float("inf"), max_runs=7)
    assert len(calls) == 7
