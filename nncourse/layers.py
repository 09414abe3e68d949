"""Layers: small classes over :mod:`nncourse.functional`, all with one protocol.

- ``forward(x, train=True) -> out`` keeps what backward needs on the layer (and the output as
  ``last_output``, which the training diagnostics read);
- ``backward(dout) -> dx`` fills ``grads`` (overwriting, never accumulating);
- ``params`` and ``grads``: dicts of arrays with the same keys;
- ``trainable``: False freezes the layer (optimizers skip it); it never changes train/eval behaviour.

Every layer, leaf or container, also answers the same walking questions: :meth:`Layer.children` (its
direct sub-layers, empty for a leaf), :meth:`Layer.named_layers` (the leaf layers under it, a leaf
being its own only leaf), :meth:`Layer.state_dict` / :meth:`Layer.load_state_dict` and
:attr:`Layer.dtype`. Layers that hold parameters take ``dtype=np.float64`` (default) or ``np.float32``
and cast their input to it, so a float32 model stays float32 from input to gradient.
"""
from __future__ import annotations

import numpy as np

from nncourse import functional as F
from nncourse import init as initialisers
from nncourse._validate import check_dtype, check_number, check_positive_int, make_rng


class Layer:
    """Base class: a layer without parameters."""

    in_features: int | None = None  # the input width a layer requires, where it has one (Linear)

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

    def backward_params(self, dout: np.ndarray):
        """Backward pass for the parameter gradients only: what training needs from a model's first layer.

        Layers that can skip the gradient with respect to their input (:class:`Linear`, containers)
        do so and may return None; every other layer runs its ordinary :meth:`backward`.
        """
        return self.backward(dout)

    def __call__(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        return self.forward(x, train)

    def unit_health(self, out: np.ndarray) -> dict[str, float]:
        """Statistics of this layer's units on a batch of its outputs ``out``, shape (N, D), that the
        training diagnostics report: ``dead_frac`` (ReLU family), ``saturated_frac`` (sigmoid, tanh)."""
        return {}

    # walking ----------------------------------------------------------------------------------
    def children(self) -> list["Layer"]:
        """The direct sub-layers (empty for a leaf layer such as :class:`Linear`)."""
        return []

    def named_layers(self, prefix: str = ""):
        """Yield ``(name, layer)`` for every leaf layer under this one, in forward order.

        A leaf yields itself, named after its class (``"Linear"``); inside a container the name is
        ``"<index>:<Class>"`` with indices joined by dots for nested containers (``"1.0:Linear"``).
        """
        kids = self.children()
        if not kids:
            yield (f"{prefix}:{type(self).__name__}" if prefix else type(self).__name__), self
            return
        for i, kid in enumerate(kids):
            yield from kid.named_layers(f"{prefix}.{i}" if prefix else str(i))

    @property
    def dtype(self) -> np.dtype | None:
        """The dtype of the first parameter found (None for a model without parameters)."""
        for _, layer in self.named_layers():
            for p in layer.params.values():
                return p.dtype
        return None

    # state ------------------------------------------------------------------------------------
    def _state_arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        """The live parameter and buffer arrays, keyed ``"<index path>.<name>"`` (a leaf: ``"<name>"``)."""
        kids = self.children()
        if not kids:
            return {f"{prefix}{k}": v for k, v in {**self.params, **self.buffers}.items()}
        out = {}
        for i, kid in enumerate(kids):
            out.update(kid._state_arrays(f"{prefix}{i}."))
        return out

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter and buffer (keys like ``"0.W"`` in a Sequential, ``"W"`` on a leaf)."""
        return {k: np.array(v, copy=True) for k, v in self._state_arrays().items()}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Copy values from ``state`` into this layer's arrays (in place); keys and shapes must match exactly."""
        own = self._state_arrays()
        missing, extra = sorted(set(own) - set(state)), sorted(set(state) - set(own))
        if missing or extra:
            raise ValueError(f"state does not fit this model: missing keys {missing}, unexpected keys {extra}")
        for k, arr in own.items():
            value = np.asarray(state[k])
            if value.shape != arr.shape:
                raise ValueError(f"state[{k!r}] has shape {value.shape}, this model expects {arr.shape}")
            arr[...] = value

    def _need_cache(self, what: str = "backward"):
        if self._cache is None:
            raise RuntimeError(f"{self!r}: call forward(x, train=True) before {what}")
        return self._cache

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _input(x, dtype: np.dtype) -> np.ndarray:
    """``x`` as an array of the layer's dtype (no copy when it already is one)."""
    if type(x) is not np.ndarray or x.dtype != dtype:
        x = F._as_array(x, "x").astype(dtype, copy=False)
    return x


class Linear(Layer):
    """Affine layer ``out = x @ W + b`` with ``W`` of shape (in_features, out_features).

    Parameters
    ----------
    in_features, out_features : int
    init : str or callable, see :mod:`nncourse.init` (default ``"he"``); ``b`` starts at zero.
    seed : int or numpy Generator for the initial weights.
    dtype : ``np.float64`` (default; what gradient checks need) or ``np.float32`` (faster training).
        The input is cast to it, so the output and every gradient have this dtype.
    """

    def __init__(self, in_features: int, out_features: int, init="he", seed=None, dtype=np.float64) -> None:
        super().__init__()
        self.in_features = check_positive_int(in_features, "in_features")
        self.out_features = check_positive_int(out_features, "out_features")
        dtype = check_dtype(dtype)
        self.init_name, fn = initialisers.get(init)
        W = np.asarray(fn((self.in_features, self.out_features), make_rng(seed)), dtype=np.float64).astype(dtype)
        self.params = {"W": W, "b": np.zeros(self.out_features, dtype=dtype)}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros(self.out_features, dtype=dtype)}

    def forward(self, x, train=True):
        W = self.params["W"]
        x = _input(x, W.dtype)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"{self!r} expected x of shape (N, {self.in_features}), got {x.shape}")
        out, self._cache = F._linear_forward(x, W, self.params["b"])
        self.last_output = out
        return out

    def backward(self, dout, input_grad: bool = True):
        dx, dW, db = F.linear_backward(dout, self._need_cache(), input_grad)
        self.grads["W"], self.grads["b"] = dW, db
        return dx

    def backward_params(self, dout):
        return self.backward(dout, input_grad=False)

    def __repr__(self) -> str:
        frozen = ", frozen" if not self.trainable else ""
        dt = ", dtype=float32" if self.params["W"].dtype == np.float32 else ""
        return f"Linear({self.in_features} -> {self.out_features}, init={self.init_name}{dt}{frozen})"


class _Activation(Layer):
    _forward = staticmethod(F.relu_forward)
    _backward = staticmethod(F.relu_backward)

    def forward(self, x, train=True):
        out, self._cache = self._forward(x)
        self.last_output = out
        return out

    def backward(self, dout):
        return self._backward(dout, self._need_cache())


def _dead(out: np.ndarray) -> dict[str, float]:
    """Fraction of units that output 0 (or less) for EVERY example of the batch."""
    return {"dead_frac": np.count_nonzero(out.max(axis=0) <= 0) / out.shape[-1]}


class ReLU(_Activation):
    """Rectified linear unit ``max(0, x)``."""

    unit_health = staticmethod(_dead)

    def forward(self, x, train=True):
        if type(x) is not np.ndarray or x.dtype.kind != "f":
            x = F._as_array(x, "x")
        out, self._cache = F._relu_forward(x)
        self.last_output = out
        return out


class Sigmoid(_Activation):
    """Logistic sigmoid; saturates (gradient near 0) for large ``|x|``."""

    @staticmethod
    def unit_health(out):  # the flat tails, where the slope is below about 0.08 of its maximum
        return {"saturated_frac": float(np.mean((out < 0.02) | (out > 0.98)))}

    _forward = staticmethod(F.sigmoid_forward)
    _backward = staticmethod(F.sigmoid_backward)


class Tanh(_Activation):
    """Hyperbolic tangent; zero-centred, saturates for large ``|x|``."""

    @staticmethod
    def unit_health(out):  # the flat tails, where the slope is below about 0.08 of its maximum
        return {"saturated_frac": float(np.mean(np.abs(out) > 0.96))}

    _forward = staticmethod(F.tanh_forward)
    _backward = staticmethod(F.tanh_backward)


class LeakyReLU(_Activation):
    """Leaky ReLU: slope ``alpha`` for negative inputs, so units cannot die completely."""

    unit_health = staticmethod(_dead)

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
        self._forward_done = False

    def forward(self, x, train=True):
        out, self._cache = F.dropout_forward(x, self.drop_prob, train=train, rng=self.rng)
        self._forward_done = True
        self.last_output = out
        return out

    def backward(self, dout):
        if not self._forward_done:
            raise RuntimeError(f"{self!r}: call forward(x, train=True) before backward")
        return F.dropout_backward(dout, self._cache)

    def __repr__(self) -> str:
        return f"Dropout(drop_prob={self.drop_prob:g})"


class BatchNorm(Layer):
    """Batch normalisation of (N, D) activations (Ioffe & Szegedy, 2015).

    Training normalises with the batch mean and biased variance and updates
    ``running = momentum * running + (1 - momentum) * batch``; ``train=False`` uses the running statistics.
    ``running_mean`` and ``running_var`` (shape (D,)) can be read, assigned and loaded with
    :meth:`load_state_dict`. ``dtype`` as for :class:`Linear`.
    """

    def __init__(self, num_features: int, momentum: float = 0.9, eps: float = 1e-5, dtype=np.float64) -> None:
        super().__init__()
        self.num_features = check_positive_int(num_features, "num_features")
        self.momentum = check_number(momentum, "momentum", 0.0, 1.0)
        self.eps = check_number(eps, "eps", 0.0, low_open=True)
        dt, d = check_dtype(dtype), self.num_features
        self.params = {"gamma": np.ones(d, dtype=dt), "beta": np.zeros(d, dtype=dt)}
        self.grads = {"gamma": np.zeros(d, dtype=dt), "beta": np.zeros(d, dtype=dt)}
        self.buffers = {"running_mean": np.zeros(d, dtype=dt), "running_var": np.ones(d, dtype=dt)}

    def _set_buffer(self, name: str, value) -> None:
        arr = np.asarray(value)
        if arr.dtype == object or arr.dtype.kind not in "biuf":
            raise TypeError(f"expected {name} to be a numeric array, got dtype {arr.dtype}")
        if arr.shape != (self.num_features,):
            raise ValueError(f"expected {name} of shape ({self.num_features},), got shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"expected {name} to be finite, got {arr!r}")
        if name == "running_var" and arr.min() < 0:
            raise ValueError(f"expected running_var >= 0 (a variance), got minimum {arr.min():g}")
        self.buffers[name][...] = arr

    @property
    def running_mean(self) -> np.ndarray:
        return self.buffers["running_mean"]

    @running_mean.setter
    def running_mean(self, value) -> None:
        self._set_buffer("running_mean", value)

    @property
    def running_var(self) -> np.ndarray:
        return self.buffers["running_var"]

    @running_var.setter
    def running_var(self, value) -> None:
        self._set_buffer("running_var", value)

    def forward(self, x, train=True):
        x = _input(x, self.params["gamma"].dtype)
        if x.ndim != 2 or x.shape[1] != self.num_features:
            raise ValueError(f"{self!r} expected x of shape (N, {self.num_features}), got {x.shape}")
        if train and x.shape[0] < 2:
            raise ValueError(f"{self!r} needs at least 2 examples per batch in training, got {x.shape[0]}")
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
