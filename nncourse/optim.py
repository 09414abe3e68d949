"""Optimizers: small classes with one ``step(model)`` that update trainable parameters in place.

The update rules themselves are the pure functions of :mod:`nncourse.updates` (``sgd_step``,
``rmsprop_step``, ``adam_step``); each class applies its rule to every trainable parameter in a loop,
keeping one state dict per parameter in ``optimizer.state[name]`` and the step count in ``optimizer.t``.

Every optimizer takes ``weight_decay`` (the L2 penalty ``weight_decay/2 * ||W||^2``, added to the
gradient as ``weight_decay * W``) and ``l1`` (the L1 penalty ``l1 * |W|``, adding ``l1 * sign(W)``).
Penalties apply to weights only (parameters named ``W``), not to biases or batch-norm parameters.
The learning rate ``lr`` can be changed between steps (schedules do this).
"""
from __future__ import annotations

import numpy as np

from nncourse._validate import check_number
from nncourse.layers import Layer
from nncourse.updates import _adam_update, _rmsprop_update, _sgd_update, adam_step, rmsprop_step, sgd_step  # noqa: F401


def trainable(model) -> list[tuple[str, object, str]]:
    """``(name, layer, key)`` for every parameter of the trainable layers of ``model`` (or of one layer).

    Parameters and gradients are looked up through the layer at each :meth:`Optimizer.update`, so a
    training loop can list them once and reuse the list for many steps.
    """
    if not isinstance(model, Layer) or not model.children():
        # a bare layer (or any object with params, grads and trainable): its parameters keep their names
        return [(k, model, k) for k in model.params] if model.trainable else []
    return [(f"{name}.{k}", layer, k) for name, layer in model.named_layers() if layer.trainable
            for k in layer.params]


def penalty(model, weight_decay: float = 0.0, l1: float = 0.0) -> float:
    """The regularisation term added to the loss: ``weight_decay/2 * sum(W**2) + l1 * sum(|W|)``."""
    total = 0.0
    for _, layer, key in trainable(model):
        if key == "W":
            p = layer.params[key]
            if weight_decay:
                total += 0.5 * weight_decay * float(np.sum(p * p))
            if l1:
                total += l1 * float(np.sum(np.abs(p)))
    return total


def clip_grad_norm(model, max_norm: float) -> float:
    """Scale all trainable gradients so that their global L2 norm is at most ``max_norm``.

    Returns the norm before clipping. The gradients are scaled in place, so the direction is kept.
    """
    max_norm = check_number(max_norm, "max_norm", 0.0, low_open=True)
    grads = [layer.grads[key] for _, layer, key in trainable(model)]
    norm = float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads)))
    if norm > max_norm:
        scale = max_norm / (norm + 1e-12)
        for g in grads:
            g *= scale
    return norm


class Optimizer:
    """Base class. Subclasses name their state ``slots`` and implement ``_update(param, grad, state)``
    (in place, with one of the kernels of :mod:`nncourse.updates`)."""

    slots: tuple[str, ...] = ()

    def __init__(self, lr: float, weight_decay: float = 0.0, l1: float = 0.0) -> None:
        self.lr = check_number(lr, "lr", 0.0, low_open=True)
        self.weight_decay = check_number(weight_decay, "weight_decay", 0.0)
        self.l1 = check_number(l1, "l1", 0.0)
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.t = 0  # steps taken

    def step(self, model) -> None:
        """Apply one update to every trainable parameter of ``model`` using its current ``grads``."""
        self.update(trainable(model))

    def update(self, entries) -> None:
        """One update of the parameters listed by :func:`trainable` (what :meth:`step` does for a model)."""
        self.t += 1
        decay = self.weight_decay or self.l1
        state, slots = self.state, self.slots
        for name, layer, key in entries:
            p, g = layer.params[key], layer.grads[key]
            if decay and key == "W":
                g = g + self.weight_decay * p + self.l1 * np.sign(p)
            st = state.get(name)
            if st is None:
                st = state[name] = {k: np.zeros_like(p) for k in slots}
            self._update(p, g, st)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        raise NotImplementedError

    def _extra(self) -> str:
        return ""

    def __repr__(self) -> str:
        reg = (f", weight_decay={self.weight_decay:g}" if self.weight_decay else "") + (f", l1={self.l1:g}" if self.l1 else "")
        return f"{type(self).__name__}(lr={self.lr:g}{self._extra()}{reg})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum or Nesterov momentum (rule: :func:`sgd_step`).

    Notes
    -----
    Plain: ``w -= lr * g``. Momentum (Polyak): ``v = momentum * v - lr * g; w += v``.
    Nesterov (in the form of Sutskever et al., 2013): ``v = momentum * v - lr * g;
    w += momentum * v - lr * g`` (the gradient is taken at the current point and the look-ahead folded in).
    """

    def __init__(self, lr: float = 0.1, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0, l1: float = 0.0) -> None:
        super().__init__(lr, weight_decay, l1)
        self.momentum = check_number(momentum, "momentum", 0.0, 1.0, high_open=True)
        if nesterov and self.momentum == 0:
            raise ValueError("nesterov=True needs momentum > 0, got momentum=0")
        self.nesterov = bool(nesterov)
        self.slots = ("velocity",) if self.momentum else ()

    def _update(self, p, g, state):
        _sgd_update(p, g, state, self.lr, self.momentum, self.nesterov)

    def _extra(self) -> str:
        return (f", momentum={self.momentum:g}" if self.momentum else "") + (", nesterov=True" if self.nesterov else "")


class RMSProp(Optimizer):
    """RMSProp (Tieleman & Hinton, 2012): ``s = rho*s + (1-rho)*g**2; w -= lr * g / (sqrt(s) + eps)``
    (rule: :func:`rmsprop_step`)."""

    slots = ("square_avg",)

    def __init__(self, lr: float = 1e-3, rho: float = 0.9, eps: float = 1e-8,
                 weight_decay: float = 0.0, l1: float = 0.0) -> None:
        super().__init__(lr, weight_decay, l1)
        self.rho = check_number(rho, "rho", 0.0, 1.0, high_open=True)
        self.eps = check_number(eps, "eps", 0.0, low_open=True)

    def _update(self, p, g, state):
        _rmsprop_update(p, g, state, self.lr, self.rho, self.eps)

    def _extra(self) -> str:
        return f", rho={self.rho:g}"


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), bias-corrected (rule: :func:`adam_step`).

    Notes
    -----
    ``m = b1*m + (1-b1)*g``, ``v = b2*v + (1-b2)*g**2``, ``m_hat = m / (1 - b1**t)``,
    ``v_hat = v / (1 - b2**t)``, ``w -= lr * m_hat / (sqrt(v_hat) + eps)``.
    """

    slots = ("m", "v")

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
                 weight_decay: float = 0.0, l1: float = 0.0) -> None:
        super().__init__(lr, weight_decay, l1)
        self.beta1 = check_number(beta1, "beta1", 0.0, 1.0, high_open=True)
        self.beta2 = check_number(beta2, "beta2", 0.0, 1.0, high_open=True)
        self.eps = check_number(eps, "eps", 0.0, low_open=True)

    def _update(self, p, g, state):
        _adam_update(p, g, state, self.lr, self.beta1, self.beta2, self.eps, self.t)

    def _extra(self) -> str:
        return f", beta1={self.beta1:g}, beta2={self.beta2:g}"


OPTIMIZERS = {"sgd": SGD, "momentum": SGD, "nesterov": SGD, "rmsprop": RMSProp, "adam": Adam}


def make_optimizer(name: str, lr: float, **kwargs) -> Optimizer:
    """Build an optimizer by name: ``sgd``, ``momentum`` (0.9), ``nesterov`` (0.9), ``rmsprop``, ``adam``."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(sorted(OPTIMIZERS))}")
    if name in ("momentum", "nesterov"):
        kwargs.setdefault("momentum", 0.9)
        kwargs["nesterov"] = name == "nesterov"
    return OPTIMIZERS[name](lr=lr, **kwargs)
