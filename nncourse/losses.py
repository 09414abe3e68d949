"""Losses: each returns ``(loss, dinput)``, the mean loss and its gradient with respect to the input."""
from __future__ import annotations

import numpy as np

from nncourse._validate import as_labels


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of ``logits`` (N, C), stable for any finite logits."""
    z = logits - logits.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray):
    """Mean softmax cross-entropy.

    Parameters
    ----------
    logits : ndarray, shape (N, C), unnormalised class scores.
    y : ndarray of int, shape (N,), labels in ``0..C-1``.

    Returns
    -------
    loss : float, ``-mean(log softmax(logits)[i, y[i]])``.
    dlogits : ndarray, shape (N, C), ``(softmax(logits) - onehot(y)) / N``.
    """
    logits = np.asarray(logits)
    if logits.ndim != 2:
        raise ValueError(f"expected logits of shape (N, C), got {logits.shape}")
    y = as_labels(y, "y", n=logits.shape[0], num_classes=logits.shape[1])
    return _softmax_cross_entropy(logits, y)


def _softmax_cross_entropy(logits: np.ndarray, y: np.ndarray):
    """:func:`softmax_cross_entropy` without input checks, for callers that validated ``y`` once."""
    n = logits.shape[0]
    rows = np.arange(n)
    z = logits - logits.max(axis=1, keepdims=True)  # a new array: the caller's logits are left alone
    picked = z[rows, y].sum()
    np.exp(z, out=z)
    total = z.sum(axis=1)
    loss = float((np.log(total).sum() - picked) / n)
    total *= n
    z /= total[:, None]
    z[rows, y] -= 1.0 / n
    return loss, z


def mse(pred: np.ndarray, target: np.ndarray):
    """Mean squared error over all elements.

    Parameters
    ----------
    pred, target : ndarray, the same shape (a 1-D target is accepted for an (N, 1) prediction).

    Returns
    -------
    loss : float, ``mean((pred - target)**2)``.
    dpred : ndarray, shape of pred, ``2 (pred - target) / pred.size``.
    """
    pred, target = np.asarray(pred), np.asarray(target)
    if target.shape != pred.shape:
        if pred.ndim == 2 and pred.shape[1] == 1 and target.shape == (pred.shape[0],):
            target = target[:, None]
        else:
            raise ValueError(f"expected target of shape {pred.shape} (like pred), got {target.shape}")
    if pred.dtype.kind == "f" and target.dtype != pred.dtype:
        target = target.astype(pred.dtype)  # a float32 prediction keeps a float32 gradient
    diff = pred - target
    return float(np.mean(diff * diff)), (2.0 / diff.size) * diff


def bce_with_logits(logits: np.ndarray, y: np.ndarray):
    """Binary cross-entropy on logits, mean over all elements.

    Parameters
    ----------
    logits : ndarray, shape (N,) or (N, 1)
    y : ndarray, same number of elements, values in [0, 1].

    Returns
    -------
    loss : float, ``mean(max(z, 0) - z*y + log(1 + exp(-|z|)))`` (stable form).
    dlogits : ndarray, shape of logits, ``(sigmoid(z) - y) / size``.
    """
    z = np.asarray(logits)
    y = np.asarray(y, dtype=z.dtype if z.dtype.kind == "f" else np.float64)
    if y.size != z.size or (y.shape != z.shape and y.shape != z.shape[:1]):
        raise ValueError(f"expected y with one target per logit, shape {z.shape}, got {y.shape}")
    y = y.reshape(z.shape)
    if y.size and (y.min() < 0 or y.max() > 1):
        raise ValueError(f"expected y in [0, 1], got values from {y.min()} to {y.max()}")
    loss = float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))
    e = np.exp(-np.abs(z))
    sig = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return loss, (sig - y) / z.size
