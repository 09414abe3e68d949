"""Gradient checking by finite differences.

Expected magnitudes of :func:`rel_error` in float64 with ``h=1e-5``: about 1e-10 or smaller for a linear
layer, below 1e-7 for a whole small network. Larger values almost always mean a bug in a backward pass
(or a kink of ReLU hit by the finite difference; re-draw the inputs if so).
"""
from __future__ import annotations

from typing import Callable

import numpy as np


def rel_error(a, b) -> float:
    """``max |a - b| / max(1e-8, |a| + |b|)``, elementwise, then the maximum: a scale-free distance."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error needs arrays of one shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numerical_gradient(f: Callable, x: np.ndarray, dout: np.ndarray | None = None, h: float = 1e-5,
                       order: int = 2) -> np.ndarray:
    """Central-difference gradient of ``f`` at ``x``.

    Parameters
    ----------
    f : callable taking no arguments (it reads ``x``, which is perturbed in place and restored) or one
        argument ``x``. It returns a scalar, or an array when ``dout`` is given.
    x : float ndarray, any shape; modified during the call and restored exactly afterwards.
    dout : ndarray shaped like ``f``'s output; then the result is the gradient of ``sum(f(x) * dout)``,
        which is what a backward pass computes for the upstream gradient ``dout``.
    h : step of the central difference.
    order : 2 (default) for ``(f(x+h) - f(x-h)) / 2h``; 4 for the five-point stencil
        ``(-f(x+2h) + 8 f(x+h) - 8 f(x-h) + f(x-2h)) / 12h``, whose error shrinks like ``h**4``: with
        ``h=1e-3`` it is far more accurate than order 2, because rounding matters less at a larger step.

    Returns
    -------
    grad : ndarray, shape of x.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(f"expected x to be a float ndarray (it is perturbed in place), got {type(x).__name__}"
                        f"{' of dtype ' + str(x.dtype) if isinstance(x, np.ndarray) else ''}")
    takes_arg = _takes_argument(f)

    def value():
        out = f(x) if takes_arg else f()
        if dout is None:
            out = np.asarray(out, dtype=np.float64)
            if out.size != 1:
                raise ValueError(f"f returned an array of shape {out.shape}; pass dout for array-valued f")
            return float(out.reshape(()))
        return float(np.sum(np.asarray(out, dtype=np.float64) * dout))

    if order not in (2, 4):
        raise ValueError(f"expected order 2 or 4, got {order!r}")
    grad = np.zeros(x.shape, dtype=np.float64)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("expected x to be contiguous so that it can be perturbed in place")
    def at(i, old, delta):
        flat[i] = old + delta
        return value()

    for i in range(flat.size):
        old = flat[i]
        if order == 2:
            gflat[i] = (at(i, old, h) - at(i, old, -h)) / (2.0 * h)
        else:
            # differences first, so that a value that does not change gives exactly 0
            near = at(i, old, h) - at(i, old, -h)
            far = at(i, old, 2 * h) - at(i, old, -2 * h)
            gflat[i] = (8.0 * near - far) / (12.0 * h)
        flat[i] = old
    return grad


def _takes_argument(f) -> bool:
    import inspect

    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):
        return True
    params = [p for p in sig.parameters.values() if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(params) >= 1 or any(p.kind == p.VAR_POSITIONAL for p in sig.parameters.values())


def check_layer(layer, x: np.ndarray, *, seed=1234, h: float = 1e-5, order: int = 2,
                train: bool = True) -> dict[str, float]:
    """Gradient-check every parameter of ``layer`` and its input.

    Uses the loss ``sum(forward(x) * dout)`` for a fixed random ``dout``. Layers with randomness
    (dropout) must repeat their randomness between calls; pass a ``Dropout`` whose generator you
    re-seed, or check with ``train=False``.

    Returns
    -------
    dict mapping ``"x"`` and each parameter name to the relative error between the analytic and the
    numerical gradient.
    """
    import copy

    x = np.array(x, dtype=np.float64)
    rng = np.random.default_rng(seed)
    state0 = copy.deepcopy(layer)

    def run(xx):
        fresh = copy.deepcopy(state0)  # same random state and statistics for every evaluation
        for k in layer.params:
            _param(fresh, k)[...] = _param(layer, k)
        return fresh.forward(xx, train)

    out = run(x)
    dout = rng.normal(size=out.shape)
    probe = copy.deepcopy(state0)
    for k in layer.params:
        _param(probe, k)[...] = _param(layer, k)
    probe.forward(x, train)
    dx = probe.backward(dout)
    errors = {"x": rel_error(dx, numerical_gradient(lambda xx: run(xx), x, dout, h, order))}
    for k in layer.params:
        p = _param(layer, k)
        errors[k] = rel_error(probe.grads[k], numerical_gradient(lambda _p: run(x), p, dout, h, order))
    return errors


def _param(layer, key):
    return layer.params[key]
