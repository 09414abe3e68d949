"""Experiments of the ``initialization`` notebook: symmetric starts, the size of the signal through a
deep network, and batch norm built from given forward/backward functions.

Every function takes its seed explicitly and returns plain numbers or models.
"""
from __future__ import annotations

import warnings
from typing import Callable

import numpy as np

from nncourse.init import get as get_init
from nncourse.layers import BatchNorm, Layer, Linear, ReLU, Tanh
from nncourse.model import Sequential
from nncourse.optim import SGD
from nncourse.train import fit


class FunctionBatchNorm(BatchNorm):
    """A :class:`~nncourse.layers.BatchNorm` layer whose passes are given functions.

    Parameters
    ----------
    num_features : int
    forward_fn : ``(x, gamma, beta, running_mean, running_var, train, momentum, eps) ->
        (out, new_running_mean, new_running_var)``
    backward_fn : ``(dout, x, gamma, eps) -> (dx, dgamma, dbeta)`` in training mode.
    momentum, eps : as in BatchNorm.
    """

    def __init__(self, num_features: int, forward_fn: Callable, backward_fn: Callable, momentum: float = 0.9,
                 eps: float = 1e-5) -> None:
        super().__init__(num_features, momentum=momentum, eps=eps)
        self.forward_fn, self.backward_fn = forward_fn, backward_fn

    def forward(self, x, train=True):
        if np.ndim(x) != 2 or np.shape(x)[1] != self.num_features:
            raise ValueError(f"{self!r} expected x of shape (N, {self.num_features}), got {np.shape(x)}")
        if train and np.shape(x)[0] < 2:
            raise ValueError(f"{self!r} needs at least 2 examples per batch in training, got {np.shape(x)[0]}")
        out, mean, var = self.forward_fn(x, self.params["gamma"], self.params["beta"], self.running_mean.copy(),
                                         self.running_var.copy(), bool(train), self.momentum, self.eps)
        if train:
            self._cache = x
            self.buffers["running_mean"][...] = mean
            self.buffers["running_var"][...] = var
        self.last_output = out
        return out

    def backward(self, dout):
        dx, dgamma, dbeta = self.backward_fn(dout, self._need_cache(), self.params["gamma"], self.eps)
        self.grads["gamma"], self.grads["beta"] = dgamma, dbeta
        return dx


def _hidden_layers(hidden_layers: int, renamed: dict, where: str) -> int:
    """``hidden_layers``, or the value passed under its deprecated name ``depth`` (with a DeprecationWarning)."""
    if "depth" in renamed:
        warnings.warn(f"{where}(depth=...) is deprecated: the number of hidden layers is now called hidden_layers",
                      DeprecationWarning, stacklevel=3)
        hidden_layers = renamed.pop("depth")
    if renamed:
        raise TypeError(f"{where}() got unexpected keyword arguments {sorted(renamed)}; expected hidden_layers, ...")
    if isinstance(hidden_layers, bool) or not isinstance(hidden_layers, (int, np.integer)) or hidden_layers < 1:
        raise ValueError(f"{where}: expected hidden_layers to be an integer >= 1, got {hidden_layers!r}")
    return int(hidden_layers)


def deep_net(sizes, init, *, activation: str = "relu", batchnorm: Callable | None = None, seed=0) -> Sequential:
    """``Linear -> [batch norm] -> activation -> ... -> Linear`` with the given initialiser.

    Parameters
    ----------
    sizes : list of int, e.g. ``[64, 64, 64, 10]``.
    init : initialiser name or callable ``f(shape, rng)`` (see :mod:`nncourse.init`).
    activation : ``"relu"`` or ``"tanh"``.
    batchnorm : None, or a callable ``num_features -> layer`` placed just before each hidden activation.
    seed : int; every layer's weights derive from it.
    """
    acts = {"relu": ReLU, "tanh": Tanh}
    if activation not in acts:
        raise ValueError(f"expected activation 'relu' or 'tanh', got {activation!r}")
    rng = np.random.default_rng(seed)
    layers: list[Layer] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(a, b, init=init, seed=rng))
        if i < len(sizes) - 2:
            if batchnorm is not None:
                layers.append(batchnorm(b))
            layers.append(acts[activation]())
    return Sequential(*layers)


def equal_weights(init: Callable) -> Callable:
    """An initialiser that draws ONE number with ``init`` and gives every weight of the layer that value."""
    def fill(shape, rng):
        return np.full(shape, float(np.asarray(init(shape, rng)).flat[0]))

    fill.__name__ = f"equal({getattr(init, '__name__', 'init')})"
    return fill


def symmetry_run(init: Callable, splits, *, seed: int, hidden: int = 32, epochs: int = 5, lr: float = 0.2) -> dict:
    """Train ``64 -> hidden (ReLU) -> 10`` on the digits from ``init``.

    Returns
    -------
    dict with ``val_acc`` (after training), ``unit_spread`` (largest difference between two hidden units'
    incoming weights, after training) and ``activation_spread`` (largest difference between two hidden
    units' outputs on the validation images).
    """
    net = deep_net([splits.X_train.shape[1], hidden, 10], init, seed=seed)
    hist = fit(net, splits.X_train, splits.y_train, optimizer=SGD(lr=lr), epochs=epochs, batch_size=32, seed=seed,
               val_data=(splits.X_val, splits.y_val), progress=False, diagnostics=False)
    W1 = net[0].params["W"]
    h = np.maximum(splits.X_val @ W1 + net[0].params["b"], 0.0)
    return {"val_acc": hist["val_acc"][-1], "unit_spread": float(np.ptp(W1, axis=1).max()),
            "activation_spread": float(np.ptp(h, axis=1).max())}


def signal_through_depth(x: np.ndarray, init, *, activation: str = "relu", hidden_layers: int = 20, seed: int = 0,
                         **renamed) -> dict:
    """Send ``x`` (N, W) through ``hidden_layers`` square layers ``W x W`` and measure the signal at each layer.

    ``depth=``, the old name of ``hidden_layers``, is still accepted with a DeprecationWarning.

    Returns
    -------
    dict with ``rms`` (root mean square of each layer's pre-activations ``z``, shape (hidden_layers,)) and
    ``act_second_moment`` / ``act_variance`` (of each layer's activations, shape (hidden_layers,)).
    """
    hidden_layers = _hidden_layers(hidden_layers, renamed, "signal_through_depth")
    _, fn = get_init(init)
    rng = np.random.default_rng(seed)
    width = x.shape[1]
    a = np.asarray(x, dtype=np.float64)
    rms, second, var = [], [], []
    for _ in range(hidden_layers):
        z = a @ np.asarray(fn((width, width), rng), dtype=np.float64)
        a = np.maximum(z, 0.0) if activation == "relu" else np.tanh(z)
        rms.append(float(np.sqrt(np.mean(z * z))))
        second.append(float(np.mean(a * a)))
        var.append(float(a.var()))
    return {"rms": np.array(rms), "act_second_moment": np.array(second), "act_variance": np.array(var)}


def explosion_run(batchnorm: Callable | None, splits, *, seed: int, hidden_layers: int = 6, width: int = 64,
                  scale: float = 0.5, epochs: int = 2, lr: float = 0.1, **renamed) -> dict:
    """Train a deep ReLU net whose weights start ``scale / (He's std)`` times too large, with or without batch norm.

    The net has ``hidden_layers`` hidden layers of ``width`` units (``depth=``, the old name, is still accepted
    with a DeprecationWarning).

    Returns
    -------
    dict with ``diverged`` (bool: the loss became inf or NaN), ``epochs`` (finished), ``val_acc`` (last
    epoch, 0.0 if none finished), ``first_grad_norm`` (norm of the first layer's weight gradient on the
    first batch, before any update), ``layer_rms`` (root mean square of each Linear layer's output on that
    batch, before any update) and ``model``.
    """
    from nncourse.init import normal
    from nncourse.losses import softmax_cross_entropy

    hidden_layers = _hidden_layers(hidden_layers, renamed, "explosion_run")
    sizes = [splits.X_train.shape[1]] + [width] * hidden_layers + [10]
    net = deep_net(sizes, normal(scale), batchnorm=batchnorm, seed=seed)
    xb, yb = splits.X_train[:32], splits.y_train[:32]
    with np.errstate(over="ignore", invalid="ignore"):
        _, dlogits = softmax_cross_entropy(net.forward(xb, True), yb)
        net.backward(dlogits)
    first = float(np.linalg.norm(net[0].grads["W"]))
    with np.errstate(over="ignore", invalid="ignore"):
        layer_rms = [float(np.sqrt(np.mean(layer.last_output ** 2))) for layer in net if isinstance(layer, Linear)]
    for layer in net:  # the probe updated batch norm's running statistics: start them afresh
        if isinstance(layer, BatchNorm):
            layer.buffers["running_mean"][...] = 0.0
            layer.buffers["running_var"][...] = 1.0
    hist = fit(net, splits.X_train, splits.y_train, optimizer=SGD(lr=lr), epochs=epochs, batch_size=32, seed=seed,
               val_data=(splits.X_val, splits.y_val), progress=False, diagnostics=False, on_nan="stop")
    return {"diverged": bool(hist.diverged), "epochs": hist.epochs,
            "val_acc": hist["val_acc"][-1] if hist["val_acc"] else 0.0,
            "first_grad_norm": first if np.isfinite(first) else float("inf"), "layer_rms": layer_rms, "model": net}


def predict_with_batch_stats(model: Sequential, X: np.ndarray, batch_size: int) -> np.ndarray:
    """Class predictions when every batch-norm layer normalises with the statistics of the batch itself.

    That is what a network does at evaluation time if batch norm is left in training mode. The running
    statistics are not changed. Batch-norm layers must be :class:`FunctionBatchNorm` (their forward
    function is called directly, so a batch of one is allowed here).

    Returns
    -------
    ndarray of int, shape (N,)
    """
    preds = []
    for start in range(0, len(X), batch_size):
        a = X[start:start + batch_size]
        for layer in model:
            if isinstance(layer, FunctionBatchNorm):
                a = layer.forward_fn(a, layer.params["gamma"], layer.params["beta"], layer.running_mean.copy(),
                                     layer.running_var.copy(), True, layer.momentum, layer.eps)[0]
            else:
                a = layer.forward(a, False)
        preds.append(a.argmax(axis=1))
    return np.concatenate(preds)
