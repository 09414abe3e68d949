"""Optimizer updates as pure functions: what :mod:`nncourse.functional` is to the layers.

Each ``*_step(w, dw, state, ...)`` takes a parameter, its gradient and the optimizer's state for that
parameter, and returns ``(new_w, new_state)``: new arrays, the inputs left unchanged. ``state`` is a
dict of arrays shaped like ``w`` (``None`` or ``{}`` before the first step, which starts every slot at
zero). The optimizer classes of :mod:`nncourse.optim` run the same update rules in place, one
parameter at a time, through the ``_*_update`` kernels below, so each rule is written once.

Shape letters: ``w`` and ``dw`` may have any shape, the same for both (``(D, H)`` for a weight matrix,
``(H,)`` for a bias).
"""
from __future__ import annotations

import numpy as np

from nncourse._validate import check_number, check_positive_int


def _arrays(w, dw, state, slots: tuple[str, ...]):
    """Copies of ``w`` and of the state slots (zeros where missing), and ``dw`` as an array; all checked."""
    w = np.asarray(w)
    if w.dtype == object or w.dtype.kind not in "biuf":
        raise TypeError(f"expected w to be a numeric array, got dtype {w.dtype}")
    w = np.array(w, dtype=w.dtype if w.dtype in (np.float32, np.float64) else np.float64, copy=True)
    dw = np.asarray(dw)
    if dw.dtype == object or dw.dtype.kind not in "biuf":
        raise TypeError(f"expected dw to be a numeric array, got dtype {dw.dtype}")
    if dw.shape != w.shape:
        raise ValueError(f"expected dw of the same shape as w {w.shape}, got {dw.shape}")
    if state is None:
        state = {}
    if not isinstance(state, dict):
        raise TypeError(f"expected state to be a dict of arrays (or None before the first step), got {state!r}")
    new_state = {}
    for key in slots:
        if key in state:
            arr = np.array(state[key], dtype=w.dtype, copy=True)
            if arr.shape != w.shape:
                raise ValueError(f"expected state[{key!r}] of the same shape as w {w.shape}, got {arr.shape}")
        else:
            arr = np.zeros_like(w)
        new_state[key] = arr
    extra = sorted(set(state) - set(slots))
    if extra:
        raise ValueError(f"unexpected state keys {extra}; this update keeps {list(slots)}")
    return w, dw.astype(w.dtype, copy=False), new_state


# -- SGD ------------------------------------------------------------------------------------------
def _sgd_update(w, dw, state, lr, momentum, nesterov) -> None:
    """In place: the rule of :func:`sgd_step` (``state`` holds ``"velocity"`` when momentum > 0)."""
    if momentum == 0.0:
        w -= lr * dw
        return
    v = state["velocity"]
    v *= momentum
    v -= lr * dw
    if nesterov:
        w += momentum * v - lr * dw
    else:
        w += v


def sgd_step(w, dw, state=None, lr: float = 0.1, momentum: float = 0.0, nesterov: bool = False):
    """One step of stochastic gradient descent, optionally with (Nesterov) momentum.

    Parameters
    ----------
    w : ndarray, any shape
        The parameter.
    dw : ndarray, shape of ``w``
        The gradient of the loss with respect to ``w``.
    state : dict or None
        ``{"velocity": v}`` with ``v`` of the shape of ``w`` (missing: zeros). Ignored without momentum.
    lr : float > 0
        The learning rate.
    momentum : float in [0, 1)
        0 gives plain gradient descent.
    nesterov : bool
        Nesterov's look-ahead form (needs momentum > 0).

    Returns
    -------
    new_w : ndarray, shape of ``w``
    new_state : dict, ``{"velocity": new_v}`` (empty without momentum)

    Notes
    -----
    Plain: :math:`w' = w - \\eta\\, g`. Momentum (Polyak): :math:`v' = \\mu v - \\eta g`,
    :math:`w' = w + v'`. Nesterov, in the form of Sutskever et al. (2013):
    :math:`v' = \\mu v - \\eta g`, :math:`w' = w + \\mu v' - \\eta g`.
    """
    lr = check_number(lr, "lr", 0.0, low_open=True)
    momentum = check_number(momentum, "momentum", 0.0, 1.0, high_open=True)
    if nesterov and momentum == 0:
        raise ValueError("nesterov=True needs momentum > 0, got momentum=0")
    w, dw, new_state = _arrays(w, dw, state if momentum else None, ("velocity",) if momentum else ())
    _sgd_update(w, dw, new_state, lr, momentum, bool(nesterov))
    return w, new_state


# -- RMSProp --------------------------------------------------------------------------------------
def _rmsprop_update(w, dw, state, lr, rho, eps) -> None:
    """In place: the rule of :func:`rmsprop_step`."""
    s = state["square_avg"]
    s *= rho
    s += (1.0 - rho) * dw * dw
    w -= lr * dw / (np.sqrt(s) + eps)


def rmsprop_step(w, dw, state=None, lr: float = 1e-3, rho: float = 0.9, eps: float = 1e-8):
    """One RMSProp step (Tieleman & Hinton, 2012).

    Parameters
    ----------
    w, dw : ndarray, the same shape
    state : dict or None, ``{"square_avg": s}`` (missing: zeros)
    lr : float > 0
    rho : float in [0, 1), the decay of the running average of squared gradients.
    eps : float > 0, added to the root to avoid dividing by zero.

    Returns
    -------
    new_w : ndarray, shape of ``w``
    new_state : dict, ``{"square_avg": new_s}``

    Notes
    -----
    :math:`s' = \\rho s + (1 - \\rho) g^2`, :math:`w' = w - \\eta\\, g / (\\sqrt{s'} + \\epsilon)`.
    """
    lr = check_number(lr, "lr", 0.0, low_open=True)
    rho = check_number(rho, "rho", 0.0, 1.0, high_open=True)
    eps = check_number(eps, "eps", 0.0, low_open=True)
    w, dw, new_state = _arrays(w, dw, state, ("square_avg",))
    _rmsprop_update(w, dw, new_state, lr, rho, eps)
    return w, new_state


# -- Adam -----------------------------------------------------------------------------------------
def _adam_update(w, dw, state, lr, beta1, beta2, eps, t) -> None:
    """In place: the rule of :func:`adam_step`."""
    m, v = state["m"], state["v"]
    m *= beta1
    m += (1.0 - beta1) * dw
    v *= beta2
    v += (1.0 - beta2) * dw * dw
    m_hat = m / (1.0 - beta1 ** t)
    v_hat = v / (1.0 - beta2 ** t)
    w -= lr * m_hat / (np.sqrt(v_hat) + eps)


def adam_step(w, dw, state=None, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
              eps: float = 1e-8, t: int = 1):
    """One Adam step (Kingma & Ba, 2015), with bias correction.

    Parameters
    ----------
    w, dw : ndarray, the same shape
    state : dict or None, ``{"m": m, "v": v}``, the running first and second moments (missing: zeros).
    lr : float > 0
    beta1, beta2 : floats in [0, 1), the decay rates of the two moments.
    eps : float > 0
    t : int >= 1, the number of this step (1 for the first), for the bias correction.

    Returns
    -------
    new_w : ndarray, shape of ``w``
    new_state : dict, ``{"m": new_m, "v": new_v}``

    Notes
    -----
    :math:`m' = \\beta_1 m + (1-\\beta_1) g`, :math:`v' = \\beta_2 v + (1-\\beta_2) g^2`,
    :math:`\\hat m = m' / (1 - \\beta_1^t)`, :math:`\\hat v = v' / (1 - \\beta_2^t)`,
    :math:`w' = w - \\eta\\, \\hat m / (\\sqrt{\\hat v} + \\epsilon)`. Without the correction the first
    steps would be far too small, because both moments start at zero.
    """
    lr = check_number(lr, "lr", 0.0, low_open=True)
    beta1 = check_number(beta1, "beta1", 0.0, 1.0, high_open=True)
    beta2 = check_number(beta2, "beta2", 0.0, 1.0, high_open=True)
    eps = check_number(eps, "eps", 0.0, low_open=True)
    t = check_positive_int(t, "t")
    w, dw, new_state = _arrays(w, dw, state, ("m", "v"))
    _adam_update(w, dw, new_state, lr, beta1, beta2, eps, t)
    return w, new_state
