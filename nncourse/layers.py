"""Layers: small classes over :mod:`nncourse.functional`, all with one protocol.

- ``forward(x, train=True) -> out`` keeps what backward needs on the layer (and the output as
  ``last_output``, which the training diagnostics read);
- ``backward(dout) -> dx`` fills ``grads`` (overwriting, never accumulating);
- ``params`` and ``grads``: dicts of arrays with the same keys;
- ``trainable``: False freezes the layer (optimizers skip it); it never changes train/eval behaviour.
"""
from __future__ import annotations

import numpy as np

from nncourse import functional as F
from nncourse import init as initialisers
from nncourse._validate import check_number, check_positive_int, make_rng


class Layer:
    """Base class: a layer without parameters."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}  # state that is saved but not trained (batch-norm statistics)
        self.trainable = True
        self.last_output: np.ndarray | None = None
        self._cache = None

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        return self.forward(x, train)

    def _need_cache(self, what: str = "backward"):
        if self._cache is None:
            raise RuntimeError(f"{self!r}: call forward(x, train=True) before {what}")
        return self._cache

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Linear(Layer):
    """Affine layer ``out = x @ W + b`` with ``W`` of shape (in_features, out_features).

    Parameters
    ----------
    in_features, out_features : int
    init : str or callable, see :mod:`nncourse.init` (default ``"he"``); ``b`` starts at zero.
    seed : int or numpy Generator for the initial weights.
    """

    def __init__(self, in_features: int, out_features: int, init="he", seed=None) -> None:
        super().__init__()
        self.in_features = check_positive_int(in_features, "in_features")
        self.out_features = check_positive_int(out_features, "out_features")
        self.init_name, fn = initialisers.get(init)
        W = np.asarray(fn((self.in_features, self.out_features), make_rng(seed)), dtype=np.float64)
        self.params = {"W": W, "b": np.zeros(self.out_features)}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros(self.out_features)}

    def forward(self, x, train=True):
        if type(x) is not np.ndarray or x.dtype.kind != "f":
            return self.forward(F._as_array(x, "x"), train)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"{self!r} expected x of shape (N, {self.in_features}), got {x.shape}")
        out, self._cache = F._linear_forward(x, self.params["W"], self.params["b"])
        self.last_output = out
        return out

    def backward(self, dout, input_grad: bool = True):
        dx, dW, db = F.linear_backward(dout, self._need_cache(), input_grad)
        self.grads["W"], self.grads["b"] = dW, db
        return dx

    def __repr__(self) -> str:
        frozen = ", frozen" if not self.trainable else ""
        return f"Linear({self.in_features} -> {self.out_features}, init={self.init_name}{frozen})"


class _Activation(Layer):
    _forward = staticmethod(F.relu_forward)
    _backward = staticmethod(F.relu_backward)

    def forward(self, x, train=True):
        out, self._cache = self._forward(x)
        self.last_output = out
        return out

    def backward(self, dout):
        return self._backward(dout, self._need_cache())


class ReLU(_Activation):
    """Rectified linear unit ``max(0, x)``."""


class Sigmoid(_Activation):
    """Logistic sigmoid; saturates (gradient near 0) for large ``|x|``."""
    _forward = staticmethod(F.sigmoid_forward)
    _backward = staticmethod(F.sigmoid_backward)


class Tanh(_Activation):
    """Hyperbolic tangent; zero-centred, saturates for large ``|x|``."""
    _forward = staticmethod(F.tanh_forward)
    _backward = staticmethod(F.tanh_backward)


class LeakyReLU(_Activation):
    """Leaky ReLU: slope ``alpha`` for negative inputs, so units cannot die completely."""

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        self.alpha = check_number(alpha, "alpha", 0.0)

    def forward(self, x, train=True):
        out, self._cache = F.leaky_relu_forward(x, self.alpha)
        self.last_output = out
        return out

    def backward(self, dout):
        return F.leaky_relu_backward(dout, self._need_cache())

    def __repr__(self) -> str:
        return f"LeakyReLU(alpha={self.alpha:g})"


class Dropout(Layer):
    """Inverted dropout; ``drop_prob`` is the probability of DROPPING a unit; identity at ``train=False``."""

    def __init__(self, drop_prob: float, seed=None) -> None:
        super().__init__()
        self.drop_prob = check_number(drop_prob, "drop_prob", 0.0, 1.0)
        self.rng = make_rng(seed)

    def forward(self, x, train=True):
        out, self._cache = F.dropout_forward(x, self.drop_prob, train=train, rng=self.rng)
        self._forward_done = True
        self.last_output = out
        return out

    def backward(self, dout):
        if not getattr(self, "_forward_done", False):
            raise RuntimeError(f"{self!r}: call forward(x, train=True) before backward")
        return F.dropout_backward(dout, self._cache)

    def __repr__(self) -> str:
        return f"Dropout(drop_prob={self.drop_prob:g})"


class BatchNorm(Layer):
    """Batch normalisation of (N, D) activations (Ioffe & Szegedy, 2015).

    Training normalises with the batch mean and biased variance and updates
    ``running = momentum * running + (1 - momentum) * batch``; ``train=False`` uses the running statistics.
    """

    def __init__(self, num_features: int, momentum: float = 0.9, eps: float = 1e-5) -> None:
        super().__init__()
        self.num_features = check_positive_int(num_features, "num_features")
        self.momentum = check_number(momentum, "momentum", 0.0, 1.0)
        self.eps = check_number(eps, "eps", 0.0, low_open=True)
        self.params = {"gamma": np.ones(self.num_features), "beta": np.zeros(self.num_features)}
        self.grads = {"gamma": np.zeros(self.num_features), "beta": np.zeros(self.num_features)}
        self.buffers = {"running_mean": np.zeros(self.num_features), "running_var": np.ones(self.num_features)}

    @property
    def running_mean(self) -> np.ndarray:
        return self.buffers["running_mean"]

    @property
    def running_var(self) -> np.ndarray:
        return self.buffers["running_var"]

    def forward(self, x, train=True):
        if np.ndim(x) != 2 or np.shape(x)[1] != self.num_features:
            raise ValueError(f"{self!r} expected x of shape (N, {self.num_features}), got {np.shape(x)}")
        if train and np.shape(x)[0] < 2:
            raise ValueError(f"{self!r} needs at least 2 examples per batch in training, got {np.shape(x)[0]}")
        out, cache, mean, var = F.batchnorm_forward(
            x, self.params["gamma"], self.params["beta"], self.running_mean, self.running_var,
            train=train, momentum=self.momentum, eps=self.eps)
        if train:
            self._cache = cache
            self.buffers["running_mean"][...] = mean
            self.buffers["running_var"][...] = var
        self.last_output = out
        return out

    def backward(self, dout):
        dx, dgamma, dbeta = F.batchnorm_backward(dout, self._need_cache())
        self.grads["gamma"], self.grads["beta"] = dgamma, dbeta
        return dx

    def __repr__(self) -> str:
        return f"BatchNorm({self.num_features}, momentum={self.momentum:g})"
