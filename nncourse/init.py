"""Weight initialisers. Each is ``f(shape, rng) -> ndarray`` for a weight of shape (fan_in, fan_out).

Names accepted by ``Linear(init=...)``: ``zeros``, ``constant`` (value 0.01 unless a callable from
:func:`constant` is given), ``normal`` (std 0.01; see :func:`normal`), ``xavier`` / ``xavier_uniform``,
``xavier_normal``, ``he`` / ``he_uniform``, ``he_normal``.

Notes
-----
Xavier/Glorot (Glorot & Bengio, 2010) keeps the variance of activations and gradients roughly equal
across layers for tanh/sigmoid nets: ``Var(W) = 2 / (fan_in + fan_out)``. He/Kaiming (He et al., 2015)
compensates for ReLU zeroing half its inputs: ``Var(W) = 2 / fan_in``. A uniform distribution on
``[-a, a]`` has variance ``a**2 / 3``, which gives the limits used below.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from nncourse._validate import check_number

Initialiser = Callable[[tuple, np.random.Generator], np.ndarray]


def zeros(shape, rng=None) -> np.ndarray:
    """All zeros (every unit computes the same thing: symmetry is never broken)."""
    return np.zeros(shape)


def constant(value: float = 0.01) -> Initialiser:
    """An initialiser that fills every weight with ``value``."""
    value = check_number(value, "value")

    def init(shape, rng=None):
        return np.full(shape, value)

    init.__name__ = f"constant({value:g})"
    return init


def normal(scale: float = 0.01) -> Initialiser:
    """An initialiser drawing from a normal distribution with standard deviation ``scale``."""
    scale = check_number(scale, "scale", 0.0)

    def init(shape, rng):
        return rng.normal(0.0, scale, size=shape)

    init.__name__ = f"normal({scale:g})"
    return init


def xavier_uniform(shape, rng) -> np.ndarray:
    """Uniform on ``[-a, a]`` with ``a = sqrt(6 / (fan_in + fan_out))`` (variance 2/(fan_in+fan_out))."""
    a = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-a, a, size=shape)


def xavier_normal(shape, rng) -> np.ndarray:
    """Normal with variance ``2 / (fan_in + fan_out)``."""
    return rng.normal(0.0, np.sqrt(2.0 / (shape[0] + shape[1])), size=shape)


def he_uniform(shape, rng) -> np.ndarray:
    """Uniform on ``[-a, a]`` with ``a = sqrt(6 / fan_in)`` (variance 2/fan_in)."""
    a = np.sqrt(6.0 / shape[0])
    return rng.uniform(-a, a, size=shape)


def he_normal(shape, rng) -> np.ndarray:
    """Normal with variance ``2 / fan_in``."""
    return rng.normal(0.0, np.sqrt(2.0 / shape[0]), size=shape)


INITIALISERS: dict[str, Initialiser] = {
    "zeros": zeros,
    "constant": constant(),
    "normal": normal(),
    "xavier": xavier_uniform,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "he": he_uniform,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
}


def get(init) -> tuple[str, Initialiser]:
    """Resolve ``init`` (a name or a callable) to ``(name, function)``; unknown names list the choices."""
    if callable(init):
        return getattr(init, "__name__", "custom"), init
    if isinstance(init, str) and init in INITIALISERS:
        return init, INITIALISERS[init]
    raise ValueError(f"unknown init {init!r}; choose one of {', '.join(sorted(INITIALISERS))} or pass a callable")
