"""Experiments of the ``failures`` notebook: the gradient that reaches each layer, and training step by step.

- :func:`grad_norms` is the chain rule through ``Linear -> activation -> ... -> Linear`` reduced to
  what a diagnosis needs: the size of the gradient at the output of every Linear layer.
- :func:`backward_inputs` runs a network forward on a batch and hands back what :func:`grad_norms`
  takes (the loss gradient, the weight matrices and the activations' local slopes), so a student's own
  ``grad_norms`` can measure any plain MLP of the package.
- :func:`train_steps` is one loop of mini-batch SGD that records the gradient's length before every
  step and lets any clipping function (a student's, say) rescale the gradients first.

Nothing here touches numpy's global random state; every draw comes from a seed argument.
"""
from __future__ import annotations

import numpy as np

from nncourse._validate import check_number, check_positive_int
from nncourse.layers import LeakyReLU, Linear, ReLU, Sigmoid, Tanh
from nncourse.losses import softmax_cross_entropy
from nncourse.optim import SGD, trainable


def grad_norms(dout: np.ndarray, weights, slopes) -> np.ndarray:
    """The L2 (Frobenius) norm of the loss gradient at the output of every Linear layer, input side first.

    The network is ``z_1 = x W_1 + b_1``, ``h_1 = f(z_1)``, ..., ``z_L = h_(L-1) W_L + b_L`` (the logits).

    Parameters
    ----------
    dout : ndarray, shape (N, D_L)
        The gradient of the loss with respect to the logits ``z_L``.
    weights : sequence of L ndarrays, shapes (D_0, D_1), ..., (D_(L-1), D_L)
        The weight matrices, input side first.
    slopes : sequence of L - 1 ndarrays, shapes (N, D_1), ..., (N, D_(L-1))
        ``f'(z_l)``, the local slope of the activation after each hidden Linear layer, on this batch.

    Returns
    -------
    ndarray, shape (L,)
        ``||dL/dz_l||`` for l = 1 .. L; the last entry is ``||dout||``.

    Notes
    -----
    Backwards, ``dL/dh_(l-1) = dL/dz_l W_l^T`` and ``dL/dz_(l-1) = dL/dh_(l-1) * f'(z_(l-1))``.
    """
    weights, slopes = list(weights), list(slopes)
    if len(slopes) != len(weights) - 1:
        raise ValueError(f"expected one slope array per hidden layer ({len(weights) - 1} for {len(weights)} "
                         f"weight matrices), got {len(slopes)}")
    delta = np.asarray(dout, dtype=np.float64)
    norms = [np.linalg.norm(delta)]
    for W, S in zip(weights[:0:-1], slopes[::-1]):
        delta = (delta @ W.T) * S
        norms.append(np.linalg.norm(delta))
    return np.array(norms[::-1])


def _slope(layer, out: np.ndarray) -> np.ndarray:
    if isinstance(layer, ReLU):
        return (out > 0).astype(np.float64)
    if isinstance(layer, LeakyReLU):
        return np.where(out > 0, 1.0, layer.alpha)
    if isinstance(layer, Sigmoid):
        return out * (1.0 - out)
    if isinstance(layer, Tanh):
        return 1.0 - out * out
    raise ValueError(f"backward_inputs handles Linear layers and ReLU, LeakyReLU, sigmoid and tanh "
                     f"activations; got {layer!r} (build the network without batch norm or dropout)")


def backward_inputs(net, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, list, list]:
    """``(dout, weights, slopes)`` of a plain MLP on one batch, as :func:`grad_norms` takes them.

    Parameters
    ----------
    net : Sequential of Linear layers and activations (no batch norm, no dropout)
    X : ndarray, shape (N, D_0); y : ndarray, shape (N,), integer labels.
    """
    logits = net.forward(X, train=True)
    _, dout = softmax_cross_entropy(logits, y)
    weights, slopes = [], []
    for _, layer in net.named_layers():
        if isinstance(layer, Linear):
            weights.append(np.asarray(layer.params["W"], dtype=np.float64))
        else:
            slopes.append(_slope(layer, np.asarray(layer.last_output, dtype=np.float64)))
    return np.asarray(dout, dtype=np.float64), weights, slopes


def train_steps(net, X: np.ndarray, y: np.ndarray, *, lr: float, steps: int, seed: int, batch_size: int = 32,
                clip=None, max_norm: float | None = None) -> dict[str, np.ndarray]:
    """Mini-batch SGD, one step at a time, recording the gradient's global length before each step.

    Parameters
    ----------
    net : Sequential, trained in place.
    X : ndarray, shape (N, D); y : ndarray, shape (N,).
    lr : float; steps : int, the number of updates; seed : int, the order of the mini-batches.
    clip : callable ``clip(grads, max_norm) -> list of arrays``, optional
        Applied to the list of every trainable gradient before each step (with ``max_norm``).

    Returns
    -------
    dict with ``"grad_norm"`` and ``"loss"``, arrays of shape (steps_done,); the loop stops early at the
    first non-finite loss or gradient (``steps_done < steps`` then).
    """
    lr = check_number(lr, "lr", 0.0, low_open=True)
    steps = check_positive_int(steps, "steps")
    batch_size = check_positive_int(batch_size, "batch_size")
    if clip is not None and not callable(clip):
        raise TypeError(f"expected clip to be a function clip(grads, max_norm), got {type(clip).__name__}")
    if clip is not None:
        max_norm = check_number(max_norm, "max_norm", 0.0, low_open=True) if max_norm is not None else None
        if max_norm is None:
            raise ValueError("clip was given without max_norm; pass max_norm=1.0, say")
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(len(X)) for _ in range(-(-steps * batch_size // len(X)))])
    optimizer = SGD(lr=lr)
    entries = trainable(net)
    norms, losses = [], []
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is what these runs are here to show
        for k in range(steps):
            idx = order[k * batch_size:(k + 1) * batch_size]
            loss, dout = softmax_cross_entropy(net.forward(X[idx], train=True), y[idx])
            if not np.isfinite(loss):
                break
            net.backward(dout)
            grads = [layer.grads[key] for _, layer, key in entries]
            norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads)))
            if not np.isfinite(norm):
                break
            norms.append(norm)
            losses.append(float(loss))
            if clip is not None:
                for (_, layer, key), g in zip(entries, clip(grads, max_norm)):
                    layer.grads[key] = np.asarray(g, dtype=layer.grads[key].dtype)
            optimizer.step(net)
    return {"grad_norm": np.array(norms), "loss": np.array(losses)}
