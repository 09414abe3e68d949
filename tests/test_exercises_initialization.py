"""The initialization notebook's exercises: references checked independently, wrong ideas score 0.

Right answers are written here by hand; the references are checked against hand-computed values,
finite differences and the package's own initialisers, never against themselves.
"""
import numpy as np
import pytest

from nncourse import exercises, init
from nncourse.check import check
from nncourse.exercises.initialization import (
    batchnorm_backward_reference, batchnorm_forward_reference, he_reference,
)
from nncourse.gradcheck import numerical_gradient, rel_error


# ---- the references ------------------------------------------------------------------------------
def test_he_target_variance_matches_the_package_initialisers():
    ex = exercises.get("initialization.he_init")
    for case in ex.cases(seed=0):
        (fan_in, fan_out), seed = case.args
        for fn in (init.he_normal, init.he_uniform):
            W = fn((fan_in, fan_out), np.random.default_rng(seed))
            assert abs(W.var() / (2.0 / fan_in) - 1) < 0.03
        assert ex.compare(ex.sanitize(he_reference((fan_in, fan_out), seed)), ex.expected(case), case).passed


def test_batchnorm_forward_reference_by_hand():
    x = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 16.0]])   # means (3, 12), biased variances (8/3, 8)
    gamma, beta = np.array([2.0, 1.0]), np.array([0.5, -1.0])
    rm, rv = np.array([1.0, 0.0]), np.array([1.0, 2.0])
    out, m, v = batchnorm_forward_reference(x, gamma, beta, rm, rv, True, momentum=0.75, eps=0.0)
    np.testing.assert_allclose(out[:, 0], 2.0 * (x[:, 0] - 3) / np.sqrt(8 / 3) + 0.5, rtol=1e-12)
    np.testing.assert_allclose(out[:, 1], (x[:, 1] - 12) / np.sqrt(8.0) - 1.0, rtol=1e-12)
    np.testing.assert_allclose(m, [0.75 * 1 + 0.25 * 3, 0.25 * 12], rtol=1e-12)
    np.testing.assert_allclose(v, [0.75 + 0.25 * 8 / 3, 0.75 * 2 + 0.25 * 8], rtol=1e-12)
    out, m, v = batchnorm_forward_reference(x, gamma, beta, rm, rv, False, eps=0.0)
    np.testing.assert_allclose(out, (x - rm) / np.sqrt(rv) * gamma + beta, rtol=1e-12)
    assert np.array_equal(m, rm) and np.array_equal(v, rv)


def test_batchnorm_backward_reference_against_finite_differences():
    rng = np.random.default_rng(5)
    x, gamma, dout = rng.standard_normal((6, 3)), rng.uniform(0.5, 2, 3), rng.standard_normal((6, 3))
    beta = np.zeros(3)
    dx, dgamma, dbeta = batchnorm_backward_reference(dout, x, gamma, 1e-5)

    def f():
        return batchnorm_forward_reference(x, gamma, beta, np.zeros(3), np.ones(3), True)[0]

    for grad, p in ((dx, x), (dgamma, gamma), (dbeta, beta)):
        assert rel_error(grad, numerical_gradient(f, p, dout)) < 1e-7


def test_cases_separate_the_ideas():
    for case in exercises.get("initialization.he_init").cases(seed=0):
        (fan_in, fan_out), _ = case.args
        assert max(fan_in, fan_out) >= 3 * min(fan_in, fan_out) and fan_in * fan_out >= 20000
    modes = [case.args[5] for case in exercises.get("initialization.batchnorm_forward").cases(seed=0)]
    assert True in modes and False in modes
    for case in exercises.get("initialization.batchnorm_forward").cases(seed=0):
        assert case.args[0].shape[0] >= 2


# ---- right answers ------------------------------------------------------------------------------
def he_normal_by_hand(shape, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, np.sqrt(2.0 / shape[0]), size=shape)


def he_uniform_by_hand(shape, seed):
    rng = np.random.default_rng(seed)
    a = np.sqrt(6.0 / shape[0])
    return rng.uniform(-a, a, size=shape)


def bn_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    if not train:
        return (x - running_mean) / np.sqrt(running_var + eps) * gamma + beta, running_mean, running_var
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    out = (x - mu) / np.sqrt(var + eps) * gamma + beta
    return out, momentum * running_mean + (1 - momentum) * mu, momentum * running_var + (1 - momentum) * var


def bn_backward(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    std = np.sqrt(var + eps)
    xhat = (x - mu) / std
    dxhat = dout * gamma
    dvar = np.sum(dxhat * (x - mu) * -0.5 / std ** 3, axis=0)   # the long way, path by path
    dmu = np.sum(-dxhat / std, axis=0) + dvar * np.mean(-2 * (x - mu), axis=0)
    dx = dxhat / std + dvar * 2 * (x - mu) / n + dmu / n
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


@pytest.mark.parametrize("exercise_id, fn", [
    ("initialization.he_init", he_normal_by_hand),
    ("initialization.he_init", he_uniform_by_hand),
    ("initialization.batchnorm_forward", bn_forward),
    ("initialization.batchnorm_backward", bn_backward),
])
def test_right_answers_get_full_points(exercise_id, fn):
    for seed in range(6):
        result = check(exercise_id, fn, seed=seed)
        assert result.points == result.max_points, str(result)


# ---- wrong he_init --------------------------------------------------------------------------------
def he_fan_out(shape, seed):
    return np.random.default_rng(seed).normal(0.0, np.sqrt(2.0 / shape[1]), size=shape)


def he_std_is_the_variance(shape, seed):
    return np.random.default_rng(seed).normal(0.0, 2.0 / shape[0], size=shape)


def he_uniform_wrong_limit(shape, seed):
    a = np.sqrt(2.0 / shape[0])
    return np.random.default_rng(seed).uniform(-a, a, size=shape)


def he_xavier_instead(shape, seed):
    return np.random.default_rng(seed).normal(0.0, np.sqrt(2.0 / (shape[0] + shape[1])), size=shape)


def he_one_value_for_all(shape, seed):  # the symmetry trap: one He draw copied everywhere
    return np.full(shape, np.random.default_rng(seed).normal(0.0, np.sqrt(2.0 / shape[0])))


def he_positive_only(shape, seed):
    return np.abs(np.random.default_rng(seed).normal(0.0, np.sqrt(2.0 / shape[0]), size=shape))


def he_transposed(shape, seed):
    return np.random.default_rng(seed).normal(0.0, np.sqrt(2.0 / shape[0]), size=shape[::-1])


def he_float32(shape, seed):
    return he_normal_by_hand(shape, seed).astype(np.float32)


# ---- wrong batchnorm_forward ----------------------------------------------------------------------
def bn_unbiased_variance(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    if not train:
        return bn_forward(x, gamma, beta, running_mean, running_var, False, momentum, eps)
    mu, var = x.mean(axis=0), x.var(axis=0, ddof=1)
    out = (x - mu) / np.sqrt(var + eps) * gamma + beta
    return out, momentum * running_mean + (1 - momentum) * mu, momentum * running_var + (1 - momentum) * var


def bn_forgets_running_averages(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    out = bn_forward(x, gamma, beta, running_mean, running_var, train, momentum, eps)[0]
    return out, running_mean, running_var


def bn_batch_stats_at_eval(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    out, m, v = bn_forward(x, gamma, beta, running_mean, running_var, True, momentum, eps)
    return (out, m, v) if train else (out, running_mean, running_var)


def bn_eps_outside_sqrt(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    mu, var = (x.mean(axis=0), x.var(axis=0)) if train else (running_mean, running_var)
    out = (x - mu) / (np.sqrt(var) + eps) * gamma + beta
    if not train:
        return out, running_mean, running_var
    return out, momentum * running_mean + (1 - momentum) * mu, momentum * running_var + (1 - momentum) * var


def bn_pytorch_momentum(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    return bn_forward(x, gamma, beta, running_mean, running_var, train, 1 - momentum, eps)


def bn_no_scale_shift(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    return bn_forward(x, np.ones_like(gamma), np.zeros_like(beta), running_mean, running_var, train, momentum, eps)


# ---- wrong batchnorm_backward ---------------------------------------------------------------------
def bnb_ignores_the_batch_statistics(dout, x, gamma, eps=1e-5):  # treats mu and var as constants
    mu, var = x.mean(axis=0), x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
    return dout * gamma / np.sqrt(var + eps), (dout * xhat).sum(axis=0), dout.sum(axis=0)


def bnb_unbiased_variance(dout, x, gamma, eps=1e-5):
    n = x.shape[0]
    dx, dgamma, dbeta = bn_backward(dout, x * np.sqrt(n / (n - 1)), gamma, eps)
    return dx * np.sqrt(n / (n - 1)), dgamma, dbeta


def bnb_means_instead_of_sums(dout, x, gamma, eps=1e-5):
    dx, dgamma, dbeta = bn_backward(dout, x, gamma, eps)
    return dx, dgamma / x.shape[0], dbeta / x.shape[0]


def bnb_only_the_mean_path(dout, x, gamma, eps=1e-5):  # forgets the path through the variance
    mu, var = x.mean(axis=0), x.var(axis=0)
    std = np.sqrt(var + eps)
    dxhat = dout * gamma
    xhat = (x - mu) / std
    return (dxhat - dxhat.mean(axis=0)) / std, (dout * xhat).sum(axis=0), dout.sum(axis=0)


WRONG = [
    ("initialization.he_init", he_fan_out),
    ("initialization.he_init", he_std_is_the_variance),
    ("initialization.he_init", he_uniform_wrong_limit),
    ("initialization.he_init", he_xavier_instead),
    ("initialization.he_init", he_one_value_for_all),
    ("initialization.he_init", he_positive_only),
    ("initialization.he_init", he_transposed),
    ("initialization.he_init", he_float32),
    ("initialization.batchnorm_forward", bn_unbiased_variance),
    ("initialization.batchnorm_forward", bn_forgets_running_averages),
    ("initialization.batchnorm_forward", bn_batch_stats_at_eval),
    ("initialization.batchnorm_forward", bn_eps_outside_sqrt),
    ("initialization.batchnorm_forward", bn_pytorch_momentum),
    ("initialization.batchnorm_forward", bn_no_scale_shift),
    ("initialization.batchnorm_backward", bnb_ignores_the_batch_statistics),
    ("initialization.batchnorm_backward", bnb_unbiased_variance),
    ("initialization.batchnorm_backward", bnb_means_instead_of_sums),
    ("initialization.batchnorm_backward", bnb_only_the_mean_path),
]


@pytest.mark.parametrize("exercise_id, fn", WRONG, ids=[fn.__name__ for _, fn in WRONG])
def test_wrong_ideas_score_zero(exercise_id, fn):
    for seed in (0, 1, 7):
        result = check(exercise_id, fn, seed=seed)
        assert result.points == 0, str(result)
        assert result.hint


def test_pytorch_momentum_is_recognised_and_explained():
    result = check("initialization.batchnorm_forward", bn_pytorch_momentum)
    assert "PyTorch's convention" in str(result) and "Keras" in str(result)


def test_symmetric_init_is_named():
    assert "same value" in str(check("initialization.he_init", he_one_value_for_all))


@pytest.mark.parametrize("exercise_id, code", [
    ("initialization.he_init", ("np.sqrt", "2.0 / fan_in", "2 / fan_in", "normal(")),
    ("initialization.batchnorm_forward", ("x.mean", "np.sqrt", "momentum *", "var + eps")),
    ("initialization.batchnorm_backward", ("mean(dxhat", "dout * xhat", "dout.sum")),
])
def test_first_hint_holds_no_reference_code(exercise_id, code):
    first = exercises.get(exercise_id).hints[0]
    assert not any(c in first for c in code), first


# ---- the notebook's experiment helpers ------------------------------------------------------------
def test_function_batchnorm_with_the_references_is_the_package_layer():
    from nncourse.experiments.initialization import FunctionBatchNorm
    from nncourse.layers import BatchNorm

    rng = np.random.default_rng(3)
    ours = FunctionBatchNorm(4, batchnorm_forward_reference, batchnorm_backward_reference)
    package = BatchNorm(4)
    for _ in range(3):  # the running statistics follow the same path
        x, dout = rng.standard_normal((6, 4)) * 3 + 1, rng.standard_normal((6, 4))
        np.testing.assert_allclose(ours.forward(x, True), package.forward(x, True), rtol=1e-12)
        np.testing.assert_allclose(ours.backward(dout), package.backward(dout), rtol=1e-10, atol=1e-12)
        for key in ("gamma", "beta"):
            np.testing.assert_allclose(ours.grads[key], package.grads[key], rtol=1e-12)
    np.testing.assert_allclose(ours.running_var, package.running_var, rtol=1e-12)
    x = rng.standard_normal((5, 4))
    np.testing.assert_allclose(ours.forward(x, False), package.forward(x, False), rtol=1e-12)
    with pytest.raises(ValueError, match="at least 2 examples"):
        ours.forward(x[:1], True)


def test_equal_weights_copies_one_draw_and_symmetry_holds_exactly():
    from nncourse.experiments.initialization import deep_net, equal_weights

    net = deep_net([6, 5, 3], equal_weights(init.he_normal), seed=0)
    for layer in (net[0], net[2]):
        W = layer.params["W"]
        assert np.ptp(W) == 0 and W[0, 0] != 0
    x = np.random.default_rng(1).random((8, 6))
    from nncourse.losses import softmax_cross_entropy
    _, d = softmax_cross_entropy(net.forward(x, True), np.arange(8) % 3)
    net.backward(d)
    assert np.ptp(net[0].grads["W"], axis=1).max() == 0   # every hidden unit gets the same gradient


def test_signal_through_depth_follows_the_variance_argument():
    from nncourse.experiments.initialization import signal_through_depth

    x = np.random.default_rng(0).standard_normal((400, 200))
    he = signal_through_depth(x, "he_normal", hidden_layers=6, seed=1)
    xavier = signal_through_depth(x, "xavier_normal", hidden_layers=6, seed=1)
    assert 0.6 < he["rms"][-1] / he["rms"][0] < 1.6
    # Xavier with fan_in = fan_out: each ReLU layer halves the second moment, 5 steps ~ 2**-2.5 in RMS
    assert 0.1 < xavier["rms"][-1] / xavier["rms"][0] < 0.3
    # after the first layer the pre-activations are only roughly symmetric: about half the second moment
    np.testing.assert_allclose(he["act_second_moment"] / he["rms"] ** 2, 0.5, atol=0.1)


def test_signal_through_depth_takes_hidden_layers_and_the_old_name_with_a_warning():
    from nncourse.experiments.initialization import signal_through_depth

    x = np.random.default_rng(0).standard_normal((50, 20))
    new = signal_through_depth(x, "he_normal", hidden_layers=4, seed=1)
    assert new["rms"].shape == (4,)
    with pytest.warns(DeprecationWarning, match="hidden_layers"):
        old = signal_through_depth(x, "he_normal", depth=4, seed=1)
    np.testing.assert_array_equal(old["rms"], new["rms"])
    with pytest.raises(ValueError, match="hidden_layers"):
        signal_through_depth(x, "he_normal", hidden_layers=0)
    with pytest.raises(TypeError, match="widht"):
        signal_through_depth(x, "he_normal", widht=3)


@pytest.mark.parametrize("fn, words", [
    (he_fan_out, "2 / fan_out"), (he_xavier_instead, "Xavier"), (he_std_is_the_variance, "standard deviation"),
    (he_uniform_wrong_limit, "a**2 / 3"),
])
def test_a_wrong_scale_names_the_mistake_it_matches(fn, words):
    result = check("initialization.he_init", fn)
    assert result.points == 0 and words in str(result), str(result)
    # the right idea gets no such note
    assert words not in str(check("initialization.he_init", he_normal_by_hand))


def test_unbiased_variance_in_batchnorm_is_named():
    text = str(check("initialization.batchnorm_forward", bn_unbiased_variance))
    assert "N - 1" in text and "ddof=1" in text, text
    assert "N - 1" not in str(check("initialization.batchnorm_forward", bn_eps_outside_sqrt))


def test_batchnorm_forward_failures_name_the_mode():
    text = str(check("initialization.batchnorm_forward", bn_batch_stats_at_eval))
    assert "evaluation mode (train=False)" in text and "training mode" not in text, text
    assert "training mode (train=True)" in str(check("initialization.batchnorm_forward", bn_unbiased_variance))
