"""Backpropagation one node at a time, on a network small enough to follow by hand.

The network: ``x -> z1 = x W1 + b1 -> h = act(z1) -> y_hat = h W2 + b2 -> L = (y_hat - t)^2``
for a single example (a row vector x with D features, H hidden units, one output).
Plain function: `backprop_steps(...) -> list[Step]`, drawn by `nncourse.widgets.figures.draw_backprop`.
The widget `backprop_stepper()` walks through the steps with Previous/Next buttons.
"""
from __future__ import annotations

import html
import numbers
from dataclasses import dataclass

import numpy as np

from nncourse.widgets._common import PictureWidget

ACTIVATIONS = ("sigmoid", "tanh", "relu")
DEFAULT_X = (1.0, 0.5)
DEFAULT_TARGET = 1.0
DEFAULT_PARAMS = {"W1": [[0.4, -0.3], [0.2, 0.5]], "b1": [0.0, -0.2],
                  "W2": [[0.7], [-0.5]], "b2": [0.1]}
LABELS = {"y_hat": "ŷ"}  # how node names are printed


@dataclass(frozen=True, repr=False)
class Step:
    """One computation of the forward or backward pass.

    Attributes
    ----------
    index : int
        Position in the list, from 0.
    phase : str
        "forward" or "backward".
    node : str
        The graph node the result belongs to: x, W1, b1, z1, h, W2, b2, y_hat, t or L.
    name : str
        What is computed: the node's value ("z1") or its gradient ("dL/dz1").
    formula : str
        How, e.g. "dL/dW2 = hᵀ · dL/dŷ".
    value : ndarray
        The result: shape (H,) for z1, h, b1 and their gradients; (D, H) for W1 and dL/dW1;
        (H, 1) for W2 and dL/dW2; (1,) for y_hat, b2 and their gradients; () for L.
    reads : tuple of str
        The nodes whose values the step reads (forward) or the gradient it starts from.
    cached : tuple of str
        Backward steps only: the values saved during the forward pass that this step reuses.
    note : str
        One sentence on what happens.
    """

    index: int
    phase: str
    node: str
    name: str
    formula: str
    value: np.ndarray
    reads: tuple
    cached: tuple
    note: str

    def __repr__(self) -> str:
        return (f"Step({self.index}, {self.phase}: {self.formula} = "
                f"{np.array2string(np.asarray(self.value), precision=4)})")


def _array(value, name: str, shape: tuple) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"expected {name} to be numbers, got {value!r}") from None
    if arr.shape != shape:
        raise ValueError(f"expected {name} of shape {shape}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"expected {name} to be finite, got {value!r}")
    return arr


def _check(x, target, params, activation):
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of "
                         f"{', '.join(ACTIVATIONS)}")
    x = np.asarray(x, dtype=float) if not isinstance(x, np.ndarray) else x.astype(float)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"expected x of shape (D,), a single example, got shape {x.shape}")
    x = _array(x, "x", x.shape)
    if isinstance(target, bool) or not isinstance(target, numbers.Real) or not np.isfinite(target):
        raise ValueError(f"expected target to be a finite number, got {target!r}")
    if not isinstance(params, dict):
        raise TypeError(f"expected params to be a dict with W1, b1, W2, b2, got {params!r}")
    unknown = sorted(set(params) - {"W1", "b1", "W2", "b2"})
    missing = sorted({"W1", "b1", "W2", "b2"} - set(params))
    if unknown or missing:
        raise ValueError(f"expected params with exactly W1, b1, W2, b2; missing {missing}, "
                         f"unknown {unknown}")
    W1 = np.asarray(params["W1"], dtype=float)
    if W1.ndim != 2 or W1.shape[0] != x.size:
        raise ValueError(f"expected W1 of shape ({x.size}, H), got {W1.shape}")
    H = W1.shape[1]
    p = {"W1": _array(W1, "W1", (x.size, H)), "b1": _array(params["b1"], "b1", (H,)),
         "W2": _array(params["W2"], "W2", (H, 1)), "b2": _array(params["b2"], "b2", (1,))}
    return x, float(target), p


def backprop_steps(x=DEFAULT_X, target: float = DEFAULT_TARGET, params: dict | None = None,
                   activation: str = "sigmoid") -> list[Step]:
    """Every forward and backward computation of the tiny network, in order.

    Parameters
    ----------
    x : array_like, shape (D,)
        One example.
    target : float
        The desired output t.
    params : dict, optional
        ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, 1), ``b2`` (1,); default: a fixed 2-2-1 network.
    activation : str
        "sigmoid", "tanh" or "relu".

    Returns
    -------
    list of Step
        4 forward steps (z1, h, y_hat, L) then 7 backward steps (dL/dy_hat, dL/dW2, dL/db2,
        dL/dh, dL/dz1, dL/dW1, dL/db1).

    Notes
    -----
    ``L = (y_hat - t)^2`` (the mean squared error of a single output). The backward pass
    reuses forward values instead of recomputing them: ``y_hat`` for dL/dy_hat, ``h`` for
    dL/dW2 and for the local derivative of sigmoid ``h (1 - h)`` or tanh ``1 - h^2``, ``z1``
    for ReLU's ``[z1 > 0]``, and ``x`` for dL/dW1.
    """
    x, t, p = _check(x, target, DEFAULT_PARAMS if params is None else params, activation)
    W1, b1, W2, b2 = p["W1"], p["b1"], p["W2"], p["b2"]
    z1 = x @ W1 + b1
    h = {"sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)), "tanh": np.tanh,
         "relu": lambda z: np.maximum(z, 0.0)}[activation](z1)
    y_hat = h @ W2 + b2
    loss = np.array((y_hat[0] - t) ** 2)
    d_yhat = 2.0 * (y_hat - t)
    dW2 = np.outer(h, d_yhat)
    db2 = d_yhat.copy()
    dh = W2 @ d_yhat
    if activation == "sigmoid":
        local, local_txt, local_cache = h * (1.0 - h), "h ⊙ (1 - h)", ("h",)
    elif activation == "tanh":
        local, local_txt, local_cache = 1.0 - h * h, "(1 - h²)", ("h",)
    else:
        local, local_txt, local_cache = (z1 > 0).astype(float), "[z1 > 0]", ("z1",)
    dz1 = dh * local
    dW1 = np.outer(x, dz1)
    db1 = dz1.copy()
    rows = [
        ("forward", "z1", "z1", "z1 = x · W1 + b1", z1, ("x", "W1", "b1"), (),
         "the first layer mixes the inputs with its weights and adds the bias"),
        ("forward", "h", "h", f"h = {activation}(z1)", h, ("z1",), (),
         f"the {activation} is applied to each hidden unit; h is kept for the backward pass"),
        ("forward", "y_hat", "ŷ", "ŷ = h · W2 + b2", y_hat, ("h", "W2", "b2"), (),
         "the output layer combines the hidden units into the prediction"),
        ("forward", "L", "L", "L = (ŷ - t)²", loss, ("y_hat", "t"), (),
         "the loss measures how far the prediction is from the target"),
        ("backward", "y_hat", "dL/dŷ", "dL/dŷ = 2 (ŷ - t)", d_yhat, ("L",), ("y_hat", "t"),
         "the backward pass starts at the loss: how much L changes per unit of ŷ"),
        ("backward", "W2", "dL/dW2", "dL/dW2 = hᵀ · dL/dŷ", dW2, ("y_hat",), ("h",),
         "each output weight's gradient is its input h times the gradient arriving at ŷ"),
        ("backward", "b2", "dL/db2", "dL/db2 = dL/dŷ", db2, ("y_hat",), (),
         "a bias gets the incoming gradient unchanged"),
        ("backward", "h", "dL/dh", "dL/dh = dL/dŷ · W2ᵀ", dh, ("y_hat",), ("W2",),
         "the gradient flows back to h through the same weights W2"),
        ("backward", "z1", "dL/dz1", f"dL/dz1 = dL/dh ⊙ {local_txt}", dz1, ("h",), local_cache,
         f"the local derivative of {activation} uses the cached {' and '.join(local_cache)}: "
         "nothing is recomputed"),
        ("backward", "W1", "dL/dW1", "dL/dW1 = xᵀ · dL/dz1", dW1, ("z1",), ("x",),
         "the first layer's weight gradient reuses the input x saved in the forward pass"),
        ("backward", "b1", "dL/db1", "dL/db1 = dL/dz1", db1, ("z1",), (),
         "and its bias gets dL/dz1 unchanged: every gradient is now known"),
    ]
    return [Step(i, *row) for i, row in enumerate(rows)]


class BackpropStepper(PictureWidget):
    """Widget walking through :func:`backprop_steps`; see :func:`backprop_stepper`."""

    def __init__(self, steps: list[Step], inputs: dict) -> None:
        import ipywidgets as W

        super().__init__()
        self.steps, self.inputs, self.index = steps, inputs, 0
        self.prev_button = W.Button(description="Previous", icon="arrow-left")
        self.next_button = W.Button(description="Next", icon="arrow-right")
        self.position = W.Label()
        self.prev_button.on_click(lambda _: self.go(self.index - 1))
        self.next_button.on_click(lambda _: self.go(self.index + 1))
        self.children = [W.HBox([self.prev_button, self.next_button, self.position]),
                         self.message, self.image]
        self.go(0)

    def go(self, index: int) -> None:
        """Show step ``index`` (clipped to the valid range)."""
        from nncourse.widgets.figures.backprop import _fmt

        self.index = int(min(max(index, 0), len(self.steps) - 1))
        step = self.steps[self.index]
        value = _fmt(step.value).replace("\n", " ")
        reuse = f" Reuses the cached {', '.join(LABELS.get(c, c) for c in step.cached)}." if step.cached else ""
        self._show(f"<b>{html.escape(step.formula)} = {html.escape(value)}</b>: "
                   f"{html.escape(step.note)}.{html.escape(reuse)}")
        self.position.value = f"step {self.index + 1} of {len(self.steps)} ({step.phase})"
        self.prev_button.disabled = self.index == 0
        self.next_button.disabled = self.index == len(self.steps) - 1

    def _render(self, fig, words: bool):
        from nncourse.widgets.figures.backprop import draw_backprop

        # the static copy (with words) shows the finished graph: every value and gradient
        index = len(self.steps) - 1 if words else self.index
        return draw_backprop(self.steps, index, self.inputs, fig, caption=words)

    def __repr__(self) -> str:
        return f"BackpropStepper(step {self.index + 1} of {len(self.steps)})"


def backprop_stepper(x=DEFAULT_X, target: float = DEFAULT_TARGET, params: dict | None = None,
                     activation: str = "sigmoid") -> BackpropStepper:
    """Step through the forward and then the backward pass of a 2-2-1 network.

    Parameters are those of :func:`backprop_steps`.

    Returns
    -------
    BackpropStepper
        Previous/Next buttons, the computation graph with every value and gradient known so far,
        the current node highlighted (orange) and the cached forward values it reuses (blue).
    """
    steps = backprop_steps(x, target, params, activation)
    x_arr, t, p = _check(x, target, DEFAULT_PARAMS if params is None else params, activation)
    return BackpropStepper(steps, {"x": x_arr, "t": np.array(t), **p})
