"""Gradient flow: how large is each layer's gradient, at initialisation and after a few steps?

Plain function: `gradient_flow(hidden_layers, activation, init, batchnorm, steps, seed) -> GradientFlow`,
drawn by `nncourse.widgets.figures.draw_gradient_flow`. The widget `gradient_flow_explorer()` adds
controls.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

import nncourse as nc
from nncourse.widgets._common import Choice, ControlledWidget, Flag, Number, check_settings, message_html

SPEC = {
    "hidden_layers": Number("hidden layers", 1, 30, integer=True),
    "activation": Choice("activation", ("sigmoid", "tanh", "relu", "leaky_relu")),
    "init": Choice("initialisation", ("xavier", "he", "normal", "large"),
                   names=(("normal", "normal (std 0.01)"), ("large", "large (std 1)"))),
    "batchnorm": Flag("batch norm"),
    "steps": Number("training steps", 0, 200, integer=True, step=5),
    "seed": Number("seed", 0, 10**6, integer=True, text=True),
}
RENAMED = {"depth": "hidden_layers"}  # old setting names, accepted with a DeprecationWarning
DEFAULTS = {"hidden_layers": 10, "activation": "sigmoid", "init": "xavier", "batchnorm": False,
            "steps": 20, "seed": 0}
WIDTH = 32          # units per hidden layer
N_EXAMPLES = 256    # digits used as one full batch
LR = 0.1            # plain SGD for the training steps


def _init_fn(name: str):
    """Engine initialiser for a name; "large" is a normal distribution with std 1.0."""
    return nc.init.normal(1.0) if name == "large" else name


@functools.lru_cache(maxsize=8)
def _batch(seed: int):
    from nncourse.datasets import load_digits

    X, y = load_digits()
    idx = np.random.default_rng(seed).permutation(len(y))[:N_EXAMPLES]
    return X[idx], y[idx]


@dataclass(repr=False)
class GradientFlow:
    """Gradient norms of every Linear layer's weights, first layer first.

    Attributes
    ----------
    settings : dict
    layers : list of str
        Names of the Linear layers ("0:Linear", ...), input side first.
    grad_norm_init : ndarray, shape (L,)
        ``||dL/dW||`` of each Linear layer at initialisation.
    grad_norm_after : ndarray, shape (L,)
        The same after ``steps`` SGD steps (equal to ``grad_norm_init`` when steps is 0; NaN
        once training diverged).
    act_std_init : ndarray, shape (hidden_layers,)
        Standard deviation of each hidden activation's output at initialisation.
    losses : ndarray, shape (steps + 1,)
        Loss before each step and after the last.
    verdict : str
    width : int
        Units per hidden layer.
    """

    settings: dict
    layers: list
    grad_norm_init: np.ndarray
    grad_norm_after: np.ndarray
    act_std_init: np.ndarray
    losses: np.ndarray
    verdict: str
    width: int = field(default=WIDTH)

    @property
    def ratio_init(self) -> float:
        """First-layer over last-layer gradient norm at initialisation."""
        return float(self.grad_norm_init[0] / self.grad_norm_init[-1])

    def __repr__(self) -> str:
        return f"GradientFlow({len(self.layers)} Linear layers; {self.verdict})"


def _forward_backward(model, linears, acts, X, y):
    out = model.forward(X, True)
    loss, dout = nc.softmax_cross_entropy(out, y)
    model.backward(dout)
    grads = np.array([np.linalg.norm(layer.grads["W"]) for layer in linears])
    stds = np.array([float(np.std(layer.last_output)) for layer in acts])
    return loss, grads, stds


def gradient_flow(hidden_layers: int | None = None, activation: str = "sigmoid", init: str = "xavier",
                  batchnorm: bool = False, steps: int = 20, seed: int = 0, **renamed) -> GradientFlow:
    """Measure the gradient norm of every layer of a deep MLP on a batch of digits.

    Parameters
    ----------
    hidden_layers : int
        Number of hidden layers (1..30, default 10), each with 32 units. (``depth=``, its old name, is still
        accepted for one release, with a DeprecationWarning.)
    activation : str
        "sigmoid", "tanh", "relu" or "leaky_relu".
    init : str
        "xavier", "he", "normal" (std 0.01) or "large" (std 1.0).
    batchnorm : bool
        Batch norm after every hidden Linear layer.
    steps : int
        Full-batch SGD steps (lr 0.1) before the second measurement (0..200).
    seed : int
        Seed of the weights and of the 256 digits used as the batch.

    Returns
    -------
    GradientFlow

    Notes
    -----
    Backpropagation multiplies the gradient by each layer's weights and local derivative on the
    way down. A sigmoid's derivative is at most 0.25, so in a deep sigmoid network the first
    layer's gradient is many orders of magnitude smaller than the last layer's.
    """
    unknown = sorted(set(renamed) - set(RENAMED))
    if unknown:
        raise TypeError(f"gradient_flow() got an unexpected keyword argument {unknown[0]!r}")
    given = dict(activation=activation, init=init, batchnorm=batchnorm, steps=steps, seed=seed)
    if hidden_layers is not None:
        given["hidden_layers"] = hidden_layers
    s = check_settings(SPEC, DEFAULTS, given, renamed=RENAMED, **renamed)
    X, y = _batch(s["seed"])
    model = nc.mlp([64] + [WIDTH] * s["hidden_layers"] + [10], activation=s["activation"],
                   init=_init_fn(s["init"]), batchnorm=s["batchnorm"], seed=s["seed"])
    named = list(model.named_layers())
    linears = [layer for _, layer in named if isinstance(layer, nc.Linear)]
    names = [name for name, layer in named if isinstance(layer, nc.Linear)]
    acts = [layer for _, layer in named
            if isinstance(layer, (nc.ReLU, nc.LeakyReLU, nc.Sigmoid, nc.Tanh))]
    opt = nc.SGD(lr=LR)
    losses = []
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        loss, grads0, stds0 = _forward_backward(model, linears, acts, X, y)
        losses.append(loss)
        grads = grads0
        for _ in range(s["steps"]):
            opt.step(model)
            loss, grads, _ = _forward_backward(model, linears, acts, X, y)
            losses.append(loss)
            if not np.isfinite(loss) or not np.all(np.isfinite(grads)):
                grads = np.full_like(grads0, np.nan)
                break
    return GradientFlow(s, names, grads0, grads, stds0, np.array(losses, dtype=float),
                        _verdict(grads0, grads, s["steps"]))


def _verdict(grads0: np.ndarray, grads: np.ndarray, steps: int) -> str:
    """Words for the measurement: vanishing, exploding or healthy, then what training did."""
    ratio = grads0[0] / grads0[-1] if grads0[-1] > 0 else np.inf
    at_init = "at initialisation the first layer's gradient is"
    if not np.isfinite(grads0).all():
        text = "exploding: the gradients are not finite at initialisation"
    elif grads0.max() > 1e3:
        text = f"exploding: gradient norms reach {grads0.max():.1e} at initialisation"
    elif grads0.max() < 1e-6:
        text = (f"vanishing: every gradient norm is below 1e-6 at initialisation "
                f"(the largest is {grads0.max():.1e}); the signal dies out layer by layer")
    elif ratio < 1e-2:
        text = f"vanishing: {at_init} {ratio:.1e} times the last layer's"
    elif ratio > 1e2:
        text = f"exploding: {at_init} {ratio:.1e} times the last layer's"
    else:
        text = f"healthy: {at_init} {ratio:.2g} times the last layer's"
    if not steps:
        return text
    if not np.isfinite(grads).all():
        return text + f"; training diverged within {steps} steps"
    if grads.max() == 0:
        return text + f"; after {steps} steps every gradient is 0 (the units died)"
    if grads[-1] > 0:
        return text + f"; after {steps} steps the ratio is {grads[0] / grads[-1]:.1e}"
    return text


class GradientFlowExplorer(ControlledWidget):
    """Widget for :func:`gradient_flow`; see :func:`gradient_flow_explorer`."""

    SPEC, DEFAULTS = SPEC, DEFAULTS

    def _controls_box(self):
        import ipywidgets as W

        names = list(SPEC)
        return W.HBox([W.VBox([self.controls[n] for n in names[:3]]),
                       W.VBox([self.controls[n] for n in names[3:]])])

    def update(self) -> None:
        """Measure again with the current settings and redraw."""
        self.flow = gradient_flow(**self.settings)
        self._show(message_html(self.flow.verdict))

    def _render(self, fig, words: bool):
        from nncourse.widgets.figures.gradflow import draw_gradient_flow

        return draw_gradient_flow(self.flow, fig, verdict=words)

    def __repr__(self) -> str:
        return f"GradientFlowExplorer({self.flow.verdict})"


def gradient_flow_explorer(**settings) -> GradientFlowExplorer:
    """Controls for the number of hidden layers, activation, initialisation and batch norm, and the gradient per layer.

    Parameters
    ----------
    **settings
        Starting values: ``hidden_layers``, ``activation``, ``init``, ``batchnorm``, ``steps``,
        ``seed`` (see :func:`gradient_flow`; ``depth`` is the deprecated name of ``hidden_layers``).

    Returns
    -------
    GradientFlowExplorer
        Display it; every change re-measures and redraws.
    """
    return GradientFlowExplorer(check_settings(SPEC, DEFAULTS, settings, renamed=RENAMED))
