"""Models: :class:`Sequential`, the :func:`mlp` builder, saving/loading and :func:`transfer`."""
from __future__ import annotations

import copy as _copy
import os
from pathlib import Path

import numpy as np

from nncourse._validate import check_choice, check_dtype, check_number, check_positive_int, make_rng
from nncourse.layers import BatchNorm, Dropout, LeakyReLU, Layer, Linear, ReLU, Sigmoid, Tanh

ACTIVATIONS = {"relu": ReLU, "leaky_relu": LeakyReLU, "sigmoid": Sigmoid, "tanh": Tanh}


class Sequential(Layer):
    """Layers applied in order; itself a layer (so models nest).

    ``params``/``grads`` are flat views keyed ``"<index>.<name>"`` (e.g. ``"0.W"``) of the same arrays the
    layers hold, so an optimizer that updates them in place updates the layers.
    """

    def __init__(self, *layers: Layer) -> None:
        super().__init__()
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"Sequential expects layers, got {type(layer).__name__} at position {i}")
        self.layers = list(layers)

    # the protocol -----------------------------------------------------------------------------
    def forward(self, x, train=True):
        for layer in self.layers:
            x = layer.forward(x, train)
        self.last_output = x
        return x

    def backward(self, dout, input_grad: bool = True):
        """Backpropagate ``dout`` through every layer; ``input_grad=False`` skips the gradient with
        respect to the model's input where the first layer can (training never needs it)."""
        for layer in self.layers[:0:-1]:
            dout = layer.backward(dout)
        if not self.layers:
            return dout
        first = self.layers[0]
        return first.backward(dout) if input_grad else first.backward_params(dout)

    def backward_params(self, dout):
        return self.backward(dout, input_grad=False)

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.params.items()}

    @params.setter
    def params(self, value) -> None:  # the base class assigns {} in __init__
        pass

    @property
    def grads(self) -> dict[str, np.ndarray]:
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.grads.items()}

    @grads.setter
    def grads(self, value) -> None:
        pass

    @property
    def trainable(self) -> bool:
        return any(layer.trainable for layer in self.layers if layer.params) if self.layers else True

    @trainable.setter
    def trainable(self, value: bool) -> None:
        for layer in getattr(self, "layers", []):
            layer.trainable = bool(value)

    # walking the model ------------------------------------------------------------------------
    def children(self) -> list[Layer]:
        """The layers in order (nested containers included as they are)."""
        return self.layers

    def trainable_params(self):
        """Yield ``(name, param, grad)`` for the parameters of every trainable layer (frozen ones are skipped)."""
        from nncourse.optim import trainable

        for name, layer, k in trainable(self):
            yield name, layer.params[k], layer.grads[k]

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(*self.layers[index])
        return self.layers[index]

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self) -> str:
        inner = "\n".join(f"  ({i}) {layer!r}".replace("\n", "\n  ") for i, layer in enumerate(self.layers))
        n = sum(p.size for p in self.params.values())
        return f"Sequential(\n{inner}\n)  # {n} parameters"

    # state (state_dict / load_state_dict come from Layer) ---------------------------------------
    def save(self, path) -> Path:
        """Save the parameters and buffers to an ``.npz`` file (written atomically); returns the path."""
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_suffix(path.suffix + ".npz")
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, **self.state_dict())
        os.replace(tmp, path)
        return path

    def copy(self) -> "Sequential":
        """An independent deep copy (parameters, buffers, random generators)."""
        return _copy.deepcopy(self)


def load(path, model: Sequential) -> Sequential:
    """Load parameters saved by :meth:`Sequential.save` into ``model`` (same architecture) and return it."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no saved model at {str(path)!r}")
    with np.load(path, allow_pickle=False) as data:
        model.load_state_dict({k: data[k] for k in data.files})
    return model


def mlp(sizes, activation: str = "relu", init: str | None = None, batchnorm: bool = False,
        drop_prob: float = 0.0, seed=0, dtype=np.float64) -> Sequential:
    """A multi-layer perceptron ``Linear -> [BatchNorm] -> act -> [Dropout] -> ... -> Linear``.

    Parameters
    ----------
    sizes : list of int, e.g. ``[64, 128, 10]``: input features, hidden widths, outputs.
    activation : ``"relu"``, ``"leaky_relu"``, ``"sigmoid"`` or ``"tanh"``.
    init : initialiser name; default ``"he"`` for the ReLU family, ``"xavier"`` otherwise.
    batchnorm : insert :class:`BatchNorm` after each hidden Linear.
    drop_prob : dropout after each hidden activation (0 = none).
    seed : int or Generator; every layer's weights and dropout masks derive from it.
    dtype : ``np.float64`` (default, for gradient checks and exercises) or ``np.float32``: the
        parameters, activations, gradients, optimizer state and losses of the model all keep this
        dtype (float32 trains about twice as fast; the same seed gives the same weights, rounded).
    """
    sizes = list(sizes) if not isinstance(sizes, (str, bytes)) else None
    if not sizes or len(sizes) < 2:
        raise ValueError(f"expected sizes to list at least inputs and outputs, e.g. [64, 128, 10], got {sizes!r}")
    sizes = [check_positive_int(s, "each entry of sizes") for s in sizes]
    check_choice(activation, "activation", ACTIVATIONS)
    drop_prob = check_number(drop_prob, "drop_prob", 0.0, 1.0)
    dtype = check_dtype(dtype)
    if init is None:
        init = "he" if activation in ("relu", "leaky_relu") else "xavier"
    rng = make_rng(seed)
    layers: list[Layer] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(a, b, init=init, seed=rng, dtype=dtype))
        if i < len(sizes) - 2:
            if batchnorm:
                layers.append(BatchNorm(b, dtype=dtype))
            layers.append(ACTIVATIONS[activation]())
            if drop_prob > 0:
                layers.append(Dropout(drop_prob, seed=rng.integers(2**63)))
    return Sequential(*layers)


def transfer(source: Sequential, n_layers: int, head=(), *, share: bool = False, freeze: bool = True) -> Sequential:
    """A new model that reuses the lower ``n_layers`` layers of a trained ``source``.

    Parameters
    ----------
    source : the trained Sequential.
    n_layers : how many of its first layers to reuse (``1 .. len(source)``).
    head : layers stacked on top (e.g. ``[Linear(128, 5)]``).
    share : True reuses the very same layer objects (training one changes the other); False (default)
        copies them.
    freeze : mark the reused layers as not trainable (default True); unfreeze later with
        ``layer.trainable = True`` to fine-tune.
    """
    if not isinstance(source, Sequential):
        raise TypeError(f"expected source to be a Sequential, got {type(source).__name__}")
    if isinstance(n_layers, bool) or not isinstance(n_layers, int) or not 1 <= n_layers <= len(source):
        raise ValueError(f"expected n_layers between 1 and {len(source)}, got {n_layers!r}")
    lower = source.layers[:n_layers] if share else [_copy.deepcopy(layer) for layer in source.layers[:n_layers]]
    if freeze:
        for layer in lower:
            layer.trainable = False
    return Sequential(*lower, *head)
