"""Forward values against hand computations; backward passes against finite differences (float64)."""
import math

import numpy as np
import pytest

from nncourse import functional as F
from nncourse.gradcheck import numerical_gradient, rel_error

SHAPES = [(1, 1, 1), (1, 5, 3), (4, 3, 7), (9, 6, 2)]  # (N, D, H), batch size 1 included


def rng(seed=0):
    return np.random.default_rng(seed)


# ---- forward values by hand ------------------------------------------------------------------
def test_linear_forward_by_hand():
    x = np.array([[1.0, 2.0], [3.0, -1.0]])
    W = np.array([[1.0, 0.0, 2.0], [-1.0, 1.0, 0.5]])
    b = np.array([0.5, -1.0, 0.0])
    out, _ = F.linear_forward(x, W, b)
    np.testing.assert_allclose(out, [[-0.5, 1.0, 3.0], [4.5, -2.0, 5.5]])


def test_activations_by_hand():
    x = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(F.relu_forward(x)[0], [[0.0, 0.0, 3.0]])
    np.testing.assert_allclose(F.leaky_relu_forward(x, 0.1)[0], [[-0.2, 0.0, 3.0]])
    s, _ = F.sigmoid_forward(np.array([[0.0, math.log(3.0), -math.log(3.0)]]))
    np.testing.assert_allclose(s, [[0.5, 0.75, 0.25]])
    t, _ = F.tanh_forward(np.array([[0.0, math.atanh(0.5)]]))
    np.testing.assert_allclose(t, [[0.0, 0.5]])


def test_sigmoid_is_stable_for_huge_inputs():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s, _ = F.sigmoid_forward(np.array([[-1000.0, 1000.0]]))
    np.testing.assert_array_equal(s, [[0.0, 1.0]])


def test_softmax_cross_entropy_by_hand():
    loss, d = F.softmax_cross_entropy(np.array([[0.0, 0.0], [0.0, math.log(3.0)]]), np.array([0, 1]))
    # example 1: -log(1/2); example 2: -log(3/4)
    assert loss == pytest.approx((math.log(2) - math.log(0.75)) / 2)
    np.testing.assert_allclose(d, [[-0.25, 0.25], [0.125, -0.125]])


def test_softmax_cross_entropy_is_stable_for_large_logits():
    loss, d = F.softmax_cross_entropy(np.array([[1000.0, 0.0], [-1000.0, 1000.0]]), np.array([0, 1]))
    assert loss == pytest.approx(0.0) and np.all(np.isfinite(d))


def test_mse_and_bce_by_hand():
    loss, d = F.mse(np.array([[1.0, 2.0]]), np.array([[0.0, 4.0]]))
    assert loss == pytest.approx((1 + 4) / 2)
    np.testing.assert_allclose(d, [[1.0, -2.0]])
    loss, d = F.bce_with_logits(np.array([0.0, math.log(3.0)]), np.array([1.0, 0.0]))
    assert loss == pytest.approx((math.log(2) - math.log(0.25)) / 2)
    np.testing.assert_allclose(d, [(0.5 - 1) / 2, 0.75 / 2])


def test_dropout_scales_kept_units_and_is_identity_at_eval():
    x = np.ones((2000, 10))
    out, mask = F.dropout_forward(x, 0.25, train=True, rng=0)
    kept = out != 0
    np.testing.assert_allclose(out[kept], 1 / 0.75)
    assert abs(kept.mean() - 0.75) < 0.02
    assert F.dropout_forward(x, 0.25, train=False)[0] is x
    np.testing.assert_array_equal(F.dropout_forward(x, 1.0, rng=0)[0], 0.0)
    np.testing.assert_array_equal(F.dropout_forward(x, 0.0, rng=0)[0], x)


def test_batchnorm_forward_by_hand():
    x = np.array([[1.0, 10.0], [3.0, 10.0]])
    out, _, rm, rv = F.batchnorm_forward(x, np.array([2.0, 1.0]), np.array([0.5, 0.0]),
                                         np.zeros(2), np.ones(2), train=True, momentum=0.9, eps=0.0 + 1e-12)
    # column 0: mean 2, biased var 1 -> xhat = [-1, 1]; column 1: constant -> xhat 0
    np.testing.assert_allclose(out, [[-1.5, 0.0], [2.5, 0.0]], atol=1e-5)
    np.testing.assert_allclose(rm, [0.2, 1.0])
    np.testing.assert_allclose(rv, [0.9 + 0.1 * 1.0, 0.9])
    ev, *_ = F.batchnorm_forward(x, np.ones(2), np.zeros(2), np.array([1.0, 10.0]), np.array([4.0, 1.0]),
                                 train=False, eps=0.0)
    np.testing.assert_allclose(ev, [[0.0, 0.0], [1.0, 0.0]])


# ---- backward against finite differences -----------------------------------------------------
@pytest.mark.parametrize("N,D,H", SHAPES)
def test_linear_backward(N, D, H):
    r = rng(N * 100 + D)
    x, W, b = r.normal(size=(N, D)), r.normal(size=(D, H)), r.normal(size=H)
    dout = r.normal(size=(N, H))
    dx, dW, db = F.linear_backward(dout, F.linear_forward(x, W, b)[1])
    f = lambda: F.linear_forward(x, W, b)[0]  # noqa: E731
    assert rel_error(dx, numerical_gradient(f, x, dout)) < 1e-7
    assert rel_error(dW, numerical_gradient(f, W, dout)) < 1e-7
    assert rel_error(db, numerical_gradient(f, b, dout)) < 1e-7


ACTS = {
    "relu": (F.relu_forward, F.relu_backward),
    "leaky_relu": (lambda x: F.leaky_relu_forward(x, 0.05), F.leaky_relu_backward),
    "sigmoid": (F.sigmoid_forward, F.sigmoid_backward),
    "tanh": (F.tanh_forward, F.tanh_backward),
}


@pytest.mark.parametrize("name", ACTS)
@pytest.mark.parametrize("shape", [(1, 1), (1, 6), (5, 4)])
def test_activation_backward(name, shape):
    fwd, bwd = ACTS[name]
    r = rng(len(name))
    x = r.normal(size=shape)
    x[np.abs(x) < 1e-3] = 0.5  # keep finite differences away from the ReLU kink
    dout = r.normal(size=shape)
    dx = bwd(dout, fwd(x)[1])
    assert rel_error(dx, numerical_gradient(lambda: fwd(x)[0], x, dout)) < 1e-7


@pytest.mark.parametrize("drop_prob", [0.0, 0.3, 0.9, 1.0])
def test_dropout_backward(drop_prob):
    x = rng(3).normal(size=(6, 5))
    dout = rng(4).normal(size=(6, 5))
    f = lambda: F.dropout_forward(x, drop_prob, rng=7)[0]  # the same mask on every call  # noqa: E731
    dx = F.dropout_backward(dout, F.dropout_forward(x, drop_prob, rng=7)[1])
    assert rel_error(dx, numerical_gradient(f, x, dout)) < 1e-7


@pytest.mark.parametrize("N,D", [(1, 3), (3, 1), (5, 4), (16, 7)])
def test_batchnorm_backward(N, D):
    r = rng(N + D)
    x = r.normal(2.0, 3.0, size=(N, D))
    gamma, beta = r.normal(size=D), r.normal(size=D)
    dout = r.normal(size=(N, D))
    rm, rv = np.zeros(D), np.ones(D)
    # h=1e-4: a normalised output's gradient is a small difference of large terms, and at h=1e-5 the
    # rounding of that difference (not the backward pass) dominates the error
    h = 1e-4
    f = lambda: F.batchnorm_forward(x, gamma, beta, rm, rv, train=True)[0]  # noqa: E731
    dx, dgamma, dbeta = F.batchnorm_backward(dout, F.batchnorm_forward(x, gamma, beta, rm, rv)[1])
    num_dx = numerical_gradient(f, x, dout, h)
    if N == 1:  # a single example normalises to 0 whatever x is: the gradient is exactly 0
        assert np.abs(dx).max() < 1e-12 and np.abs(num_dx).max() < 1e-6
    else:
        assert rel_error(dx, num_dx) < 1e-7
    assert rel_error(dgamma, numerical_gradient(f, gamma, dout, h)) < 1e-7
    assert rel_error(dbeta, numerical_gradient(f, beta, dout, h)) < 1e-7


@pytest.mark.parametrize("N,C", [(1, 2), (4, 3), (10, 10)])
def test_loss_gradients(N, C):
    r = rng(N * C)
    logits, y = r.normal(size=(N, C)), r.integers(0, C, N)
    loss_d = F.softmax_cross_entropy(logits, y)[1]
    assert rel_error(loss_d, numerical_gradient(lambda: F.softmax_cross_entropy(logits, y)[0], logits)) < 1e-7
    pred, target = r.normal(size=(N, C)), r.normal(size=(N, C))
    assert rel_error(F.mse(pred, target)[1], numerical_gradient(lambda: F.mse(pred, target)[0], pred)) < 1e-7
    z, t = r.normal(size=N), r.integers(0, 2, N).astype(float)
    assert rel_error(F.bce_with_logits(z, t)[1], numerical_gradient(lambda: F.bce_with_logits(z, t)[0], z)) < 1e-7


def test_rel_error_definition():
    assert rel_error(np.array([1.0]), np.array([3.0])) == pytest.approx(2 / 4)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
        rel_error(np.zeros(2), np.zeros(3))


def test_numerical_gradient_of_a_known_function():
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v ** 3), x), 3 * x ** 2, rtol=1e-8)
    np.testing.assert_array_equal(x, [1.0, -2.0, 0.5])  # restored exactly
    with pytest.raises(TypeError, match="float ndarray"):
        numerical_gradient(lambda v: 0.0, np.array([1, 2]))


# ---- bad input -------------------------------------------------------------------------------
def test_functional_bad_input_messages():
    W, b = np.zeros((64, 3)), np.zeros(3)
    with pytest.raises(ValueError, match=r"expected x of shape \(N, 64\), got \(32, 63\)"):
        F.linear_forward(np.zeros((32, 63)), W, b)
    with pytest.raises(ValueError, match=r"expected b of shape \(3,\), got \(4,\)"):
        F.linear_forward(np.zeros((2, 64)), W, np.zeros(4))
    with pytest.raises(TypeError, match="dtype object"):
        F.linear_forward(np.array([[object()] * 64]), W, b)
    with pytest.raises(ValueError, match=r"drop_prob <= 1.0, got 1.5"):
        F.dropout_forward(np.zeros((2, 2)), 1.5)
    with pytest.raises(ValueError, match=r"drop_prob >= 0.0, got -0.1"):
        F.dropout_forward(np.zeros((2, 2)), -0.1)
    with pytest.raises(ValueError, match=r"one label per example \(2\), got 3"):
        F.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"label 5 but there are only 3 classes"):
        F.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 5]))
    with pytest.raises(TypeError, match="integer class labels"):
        F.softmax_cross_entropy(np.zeros((2, 3)), np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match=r"target of shape \(2, 3\).*got \(3, 2\)"):
        F.mse(np.zeros((2, 3)), np.zeros((3, 2)))
