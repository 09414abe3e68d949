"""Forward/backward pairs: the pure functions the course teaches and students re-implement.

Every ``*_forward`` returns ``(out, cache)``; the matching ``*_backward(dout, cache)`` returns the
gradient of the loss with respect to each input, using only what the forward pass cached. Nothing
here keeps state between calls, so calling backward twice gives the same gradients.

Shape letters: ``N`` examples in the batch, ``D`` input features, ``H`` output features.
The losses live in :mod:`nncourse.losses` and are re-exported here.
"""
from __future__ import annotations

import numpy as np

from nncourse._validate import check_number, make_rng
from nncourse.losses import bce_with_logits, mse, softmax, softmax_cross_entropy  # noqa: F401


def _as_array(x, name: str) -> np.ndarray:
    if not isinstance(x, np.ndarray):
        x = np.asarray(x)
    if x.dtype.kind not in "fiu" or x.dtype == object:
        raise TypeError(f"expected {name} to be a numeric array, got dtype {x.dtype}")
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def linear_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray):
    """Affine layer ``out = x @ W + b``.

    Parameters
    ----------
    x : ndarray, shape (N, D)
    W : ndarray, shape (D, H)
    b : ndarray, shape (H,)

    Returns
    -------
    out : ndarray, shape (N, H)
    cache : tuple ``(x, W, b)``, what the backward pass needs.
    """
    x, W, b = _as_array(x, "x"), _as_array(W, "W"), _as_array(b, "b")
    if W.ndim != 2:
        raise ValueError(f"expected W of shape (D, H), got {W.shape}")
    if x.ndim != 2 or x.shape[1] != W.shape[0]:
        raise ValueError(f"expected x of shape (N, {W.shape[0]}), got {x.shape}")
    if b.shape != (W.shape[1],):
        raise ValueError(f"expected b of shape ({W.shape[1]},), got {b.shape}")
    return _linear_forward(x, W, b)


def _linear_forward(x, W, b):
    """:func:`linear_forward` without input checks (for layers that checked their input already)."""
    out = x @ W
    out += b
    return out, (x, W, b)


def linear_backward(dout: np.ndarray, cache, input_grad: bool = True):
    """Gradients of the affine layer.

    Parameters
    ----------
    dout : ndarray, shape (N, H), upstream gradient dL/dout.
    cache : ``(x, W, b)`` from :func:`linear_forward`.
    input_grad : False skips ``dx`` (returned as None): the first layer of a network never needs it.

    Returns
    -------
    dx : ndarray, shape (N, D), or None
    dW : ndarray, shape (D, H)
    db : ndarray, shape (H,)

    Notes
    -----
    ``dx = dout @ W.T``, ``dW = x.T @ dout``, ``db = dout.sum(axis=0)``: the cached ``x`` is reused, no
    part of the forward pass is recomputed.
    """
    x, W, _ = cache
    if dout.shape != (x.shape[0], W.shape[1]):
        raise ValueError(f"expected dout of shape {(x.shape[0], W.shape[1])}, got {dout.shape}")
    # W.T copied to a contiguous array first: for small batches OpenBLAS can take a much slower
    # (threaded) path for a transposed right-hand operand than for a plain one
    dx = dout @ np.ascontiguousarray(W.T) if input_grad else None
    return dx, x.T @ dout, dout.sum(axis=0)


def relu_forward(x: np.ndarray):
    """ReLU ``max(0, x)``; the cache is the boolean mask of positive inputs."""
    return _relu_forward(_as_array(x, "x"))


def _relu_forward(x: np.ndarray):
    """:func:`relu_forward` for an input known to be a float array (what layers pass on)."""
    out = np.maximum(x, 0)
    return out, out > 0


def relu_backward(dout: np.ndarray, cache) -> np.ndarray:
    """Gradient of ReLU: ``dout`` where the input was positive, 0 elsewhere (0 at exactly 0)."""
    return dout * cache


def leaky_relu_forward(x: np.ndarray, alpha: float = 0.01):
    """Leaky ReLU ``x if x > 0 else alpha * x``; negative inputs keep a small slope ``alpha``."""
    alpha = check_number(alpha, "alpha", 0.0)
    x = _as_array(x, "x")
    slope = np.where(x > 0, 1.0, alpha).astype(x.dtype, copy=False)
    return x * slope, slope


def leaky_relu_backward(dout: np.ndarray, cache) -> np.ndarray:
    """Gradient of leaky ReLU: the cached slope (1 or alpha) times ``dout``."""
    return dout * cache


def sigmoid_forward(x: np.ndarray):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, computed without overflow; the cache is the output."""
    x = _as_array(x, "x")
    e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)
    return out, out


def sigmoid_backward(dout: np.ndarray, cache) -> np.ndarray:
    """Gradient of the sigmoid: ``dout * s * (1 - s)`` with the cached output ``s``."""
    return dout * cache * (1.0 - cache)


def tanh_forward(x: np.ndarray):
    """Hyperbolic tangent; the cache is the output."""
    out = np.tanh(_as_array(x, "x"))
    return out, out


def tanh_backward(dout: np.ndarray, cache) -> np.ndarray:
    """Gradient of tanh: ``dout * (1 - t**2)`` with the cached output ``t``."""
    return dout * (1.0 - cache * cache)


def dropout_forward(x: np.ndarray, drop_prob: float, train: bool = True, rng=None):
    """Inverted dropout.

    Parameters
    ----------
    x : ndarray, any shape
    drop_prob : float in [0, 1], the probability of DROPPING each unit (0 keeps everything).
    train : bool; at ``train=False`` dropout is the identity.
    rng : int seed or numpy Generator for the mask.

    Returns
    -------
    out : ndarray, same shape as x. Kept units are scaled by ``1 / (1 - drop_prob)`` so that the
        expected activation is the same in training and evaluation; with ``drop_prob=1`` every unit
        is dropped and ``out`` is all zeros.
    cache : the scaled mask (or None when nothing was dropped).
    """
    drop_prob = check_number(drop_prob, "drop_prob", 0.0, 1.0)
    x = _as_array(x, "x")
    if not train or drop_prob == 0.0:
        return x, None
    if drop_prob == 1.0:
        mask = np.zeros_like(x)
    else:
        uniform = np.float32 if x.dtype == np.float32 else np.float64  # float32 draws for a float32 model
        keep = make_rng(rng).random(x.shape, dtype=uniform) >= drop_prob
        mask = keep.astype(x.dtype) / (1.0 - drop_prob)
    return x * mask, mask


def dropout_backward(dout: np.ndarray, cache) -> np.ndarray:
    """Gradient of inverted dropout: the same scaled mask applied to ``dout``."""
    return dout if cache is None else dout * cache


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train: bool = True,
                      momentum: float = 0.9, eps: float = 1e-5):
    """Batch normalisation over the batch axis.

    Parameters
    ----------
    x : ndarray, shape (N, D)
    gamma, beta : ndarray, shape (D,), learned scale and shift.
    running_mean, running_var : ndarray, shape (D,), the statistics used at ``train=False``.
    train : bool; training normalises with the batch mean and the biased batch variance.
    momentum : float; ``running = momentum * running + (1 - momentum) * batch``.

    Returns
    -------
    out : ndarray, shape (N, D)
    cache : what :func:`batchnorm_backward` needs (None at ``train=False``).
    new_running_mean, new_running_var : ndarray, shape (D,), new arrays (inputs are not modified).
    """
    x = _as_array(x, "x")
    if x.ndim != 2 or x.shape[1] != np.shape(gamma)[0]:
        raise ValueError(f"expected x of shape (N, {np.shape(gamma)[0]}), got {x.shape}")
    if not train:
        out = (x - running_mean) / np.sqrt(running_var + eps) * gamma + beta
        return out, None, running_mean, running_var
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc * xc).mean(axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = xc * inv_std
    out = xhat * gamma + beta
    new_mean = momentum * running_mean + (1.0 - momentum) * mu
    new_var = momentum * running_var + (1.0 - momentum) * var
    return out, (xhat, gamma, inv_std), new_mean, new_var


def batchnorm_backward(dout: np.ndarray, cache):
    """Gradients of batch normalisation in training mode.

    Returns
    -------
    dx : ndarray, shape (N, D)
    dgamma, dbeta : ndarray, shape (D,)

    Notes
    -----
    With ``xhat = (x - mu) / sigma``: ``dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / sigma``,
    where ``dxhat = dout * gamma`` and the means are over the batch.
    """
    if cache is None:
        raise ValueError("batchnorm_backward needs the cache of a forward pass with train=True")
    xhat, gamma, inv_std = cache
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dx = (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0)) * inv_std
    return dx, dgamma, dbeta
