"""Experiments of the ``backprop`` notebook: a two-layer network trained by given gradient functions,
counting paths through a layered graph, the cost of backprop against finite differences, and a
sigmoid output trained with cross-entropy or with the squared error from a confidently wrong start.

Every function takes its seed explicitly and returns plain numbers (dicts of floats, lists, arrays).
"""
from __future__ import annotations

import itertools
import time
from typing import Callable

import numpy as np

from nncourse.functional import linear_forward, relu_forward, sigmoid_forward
from nncourse.gradcheck import numerical_gradient
from nncourse.losses import bce_with_logits, mse


# -- a two-layer network from given functions -------------------------------------------------------
def two_layer_forward(x: np.ndarray, params: dict) -> tuple:
    """``logits = relu(x @ W1 + b1) @ W2 + b2``; returns ``(logits, (cache1, mask, cache2))``.

    Parameters
    ----------
    x : ndarray, shape (N, D)
    params : dict with ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,).
    """
    z, cache1 = linear_forward(x, params["W1"], params["b1"])
    h, mask = relu_forward(z)
    logits, cache2 = linear_forward(h, params["W2"], params["b2"])
    return logits, (cache1, mask, cache2)


def init_two_layer(sizes, seed) -> dict:
    """He-initialised ``W1``, ``W2`` (normal, variance 2 / fan_in) and zero biases for ``sizes = (D, H, C)``."""
    D, H, C = sizes
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(0.0, np.sqrt(2.0 / D), (D, H)), "b1": np.zeros(H),
            "W2": rng.normal(0.0, np.sqrt(2.0 / H), (H, C)), "b2": np.zeros(C)}


def train_two_layer(softmax_ce: Callable, network_backward: Callable, X, y, X_val, y_val, *, hidden: int = 64,
                    epochs: int = 10, lr: float = 0.5, batch_size: int = 32, seed: int = 0) -> dict:
    """Train ``relu(x @ W1 + b1) @ W2 + b2`` with plain mini-batch SGD, using the given gradient functions.

    Parameters
    ----------
    softmax_ce : ``(logits (N, C), y (N,)) -> (loss, dlogits)``
    network_backward : ``(dlogits, caches) -> (dW1, db1, dW2, db2)``, caches as from :func:`two_layer_forward`.
    X, y : training images (N, D) and integer labels (N,); X_val, y_val : validation data.

    Returns
    -------
    dict with ``train_loss`` (mean loss of each epoch), ``val_acc`` (after each epoch) and ``params``.
    """
    C = int(max(y.max(), y_val.max())) + 1
    params = init_two_layer((X.shape[1], hidden, C), seed)
    rng = np.random.default_rng([seed, 1])
    train_loss, val_acc = [], []
    for _ in range(epochs):
        order, total = rng.permutation(len(y)), 0.0
        for start in range(0, len(y), batch_size):
            idx = order[start:start + batch_size]
            logits, caches = two_layer_forward(X[idx], params)
            loss, dlogits = softmax_ce(logits, y[idx])
            total += float(loss) * len(idx)
            for key, grad in zip(("W1", "b1", "W2", "b2"), network_backward(dlogits, caches)):
                params[key] -= lr * grad
        train_loss.append(total / len(y))
        val_acc.append(float(np.mean(two_layer_forward(X_val, params)[0].argmax(axis=1) == y_val)))
    return {"train_loss": train_loss, "val_acc": val_acc, "params": params}


# -- paths through a layered graph ----------------------------------------------------------------
def count_paths(widths) -> int:
    """Paths from the first layer to the last of a fully connected layered graph, by dynamic programming.

    ``widths[0]`` and ``widths[-1]`` are the input and output layers. The count reaching each unit is
    the sum of the counts of the units below it: one pass over the layers, one addition per edge.
    """
    counts = np.ones(int(widths[0]), dtype=object)           # Python ints: no overflow
    for w in widths[1:]:
        counts = np.array([counts.sum()] * int(w), dtype=object)
    return int(counts.sum())


def enumerate_paths(widths) -> int:
    """The same count by listing every path (one unit per layer) one by one: exponential work."""
    return sum(1 for _ in itertools.product(*(range(int(w)) for w in widths)))


def path_sum_jacobian(weights) -> np.ndarray:
    """d out / d x of the deep linear map ``out = x @ W1 @ ... @ WL``, as a sum over every path.

    Entry (i, j) adds, over every path i -> k1 -> ... -> j through the layers, the product of the
    weights on the path's edges (the chain rule written out path by path).
    """
    n_in, n_out = weights[0].shape[0], weights[-1].shape[1]
    hidden = [range(W.shape[1]) for W in weights[:-1]]
    J = np.zeros((n_in, n_out))
    for i in range(n_in):
        for j in range(n_out):
            total = 0.0
            for path in itertools.product(*hidden):
                units = (i, *path, j)
                prod = 1.0
                for W, a, b in zip(weights, units[:-1], units[1:]):
                    prod *= W[a, b]
                total += prod
            J[i, j] = total
    return J


def backprop_jacobian(weights) -> np.ndarray:
    """The same d out / d x by the backward pass: the identity sent down through each layer once."""
    g = np.eye(weights[-1].shape[1])
    for W in reversed(weights):
        g = W @ g          # dL/d(input of the layer) from dL/d(output): one matrix product per layer
    return g


# -- cost: backprop against finite differences ----------------------------------------------------
def _best_time(fn: Callable, repeats: int, budget: float = 0.05, max_runs: int = 50) -> tuple:
    """``(fastest run in seconds, the result of the last run)``.

    Runs ``fn`` at least ``repeats`` times, and more (up to ``max_runs``) while the runs so far took less
    than ``budget`` seconds in all: a quick function is timed often enough that a busy machine's pauses
    do not decide its best time.
    """
    best, result, total, runs = np.inf, None, 0.0, 0
    while runs < repeats or (total < budget and runs < max_runs):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best, total, runs = min(best, elapsed), total + elapsed, runs + 1
    return best, result


def gradient_costs(softmax_ce: Callable, network_backward: Callable, hidden_sizes, *, n: int = 16,
                   d: int = 8, c: int = 3, seed: int = 0, repeats: int = 5) -> dict:
    """Seconds for every gradient of a two-layer network by backprop and by finite differences.

    Both use the same forward pass on the same batch; each time is the best of at least ``repeats`` runs
    (finite differences: at least 2), and of more runs while they take under 0.05 s in all. Returns ``params`` (parameter counts), ``backprop`` and ``finite_diff``
    (seconds), ``ratio`` (finite_diff / backprop) and ``max_rel_error`` (of the two gradients).
    """
    from nncourse.gradcheck import rel_error

    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((n, d)), rng.integers(0, c, n)
    out = {"params": [], "backprop": [], "finite_diff": [], "ratio": [], "max_rel_error": []}
    for h in hidden_sizes:
        params = init_two_layer((d, int(h), c), [seed, int(h)])
        keys = ("W1", "b1", "W2", "b2")

        def by_backprop():
            logits, caches = two_layer_forward(X, params)
            return network_backward(softmax_ce(logits, y)[1], caches)

        def by_finite_differences():
            loss = lambda: np.array(softmax_ce(two_layer_forward(X, params)[0], y)[0])  # noqa: E731
            return [numerical_gradient(loss, params[k]) for k in keys]

        t_bp, bp_grads = _best_time(by_backprop, repeats)
        t_fd, fd_grads = _best_time(by_finite_differences, 2)
        err = max(rel_error(a, b) for a, b in zip(bp_grads, fd_grads))
        out["params"].append(sum(p.size for p in params.values()))
        out["backprop"].append(t_bp)
        out["finite_diff"].append(t_fd)
        out["ratio"].append(t_fd / t_bp)
        out["max_rel_error"].append(err)
    return out


# -- the output unit: cross-entropy against squared error -----------------------------------------
def logit_gradients(z: np.ndarray, y: float = 1.0) -> dict:
    """d loss / d z of one sigmoid unit with logit ``z``: cross-entropy ``p - y`` and squared error."""
    z = np.asarray(z, dtype=np.float64)
    p = sigmoid_forward(z)[0]
    return {"p": p, "cross_entropy": p - y, "squared_error": 2.0 * (p - y) * p * (1.0 - p)}


def binary_digits(classes=(3, 8), n_train: int = 200, seed: int = 0) -> tuple:
    """Two digit classes as a binary task (label 1 for ``classes[1]``): ``(X_train, y_train, X_val, y_val)``."""
    from nncourse.datasets import load_digits

    X, y = load_digits()
    keep = np.isin(y, classes)
    X, t = X[keep], (y[keep] == classes[1]).astype(np.float64)
    idx = np.random.default_rng(seed).permutation(len(t))
    return X[idx[:n_train]], t[idx[:n_train]], X[idx[n_train:]], t[idx[n_train:]]


def logistic_from_start(loss: str, data: tuple, *, start: str, steps: int = 100, lr: float = 2.0,
                        seed: int = 0) -> dict:
    """Train one sigmoid unit ``p = sigmoid(x @ w + b)`` by full-batch gradient descent.

    Parameters
    ----------
    loss : ``"cross_entropy"`` (:func:`nncourse.bce_with_logits`) or ``"squared_error"`` (:func:`nncourse.mse`
        on ``p``).
    data : ``(X_train, y_train, X_val, y_val)`` with 0/1 labels.
    start : ``"zero"`` (w = 0: p = 0.5 everywhere) or ``"wrong"`` (large weights pointing the wrong way,
        so the unit is saturated and confidently wrong on almost every training example).

    Returns
    -------
    dict with ``start_acc`` and ``val_acc`` (fractions) and ``loss`` (per step).
    """
    X, t, X_val, t_val = data
    rng = np.random.default_rng(seed)
    if start == "zero":
        w, b = np.zeros(X.shape[1]), 0.0
    elif start == "wrong":
        direction = X[t == 1].mean(axis=0) - X[t == 0].mean(axis=0)
        w = -6.0 * direction / np.linalg.norm(direction) + rng.normal(0.0, 0.1, X.shape[1])
        b = -float(X.mean(axis=0) @ w)
    else:
        raise ValueError(f"expected start 'zero' or 'wrong', got {start!r}")
    start_acc = float(np.mean(((X @ w + b) > 0) == t))
    losses = []
    for _ in range(steps):
        z = X @ w + b
        if loss == "cross_entropy":
            value, dz = bce_with_logits(z, t)
        elif loss == "squared_error":
            p = sigmoid_forward(z)[0]
            value, dp = mse(p, t)
            dz = dp * p * (1.0 - p)
        else:
            raise ValueError(f"expected loss 'cross_entropy' or 'squared_error', got {loss!r}")
        losses.append(value)
        w = w - lr * (X.T @ dz)
        b = b - lr * float(dz.sum())
    return {"start_acc": start_acc, "val_acc": float(np.mean(((X_val @ w + b) > 0) == t_val)), "loss": losses}
