"""Feature scaling and gradient descent: pick a scaler per column and watch the loss.

Plain function: `run_scaling(scalings, lr, steps, seed) -> ScalingResult`, drawn by
`nncourse.widgets.figures.draw_scaling`. The widget `scaling_explorer()` adds a control per column.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from nncourse.widgets._common import Choice, ControlledWidget, Number, check_settings, message_html

SCALERS = ("none", "linear", "clip", "log", "zscore")
FEATURES = ("condition", "area_sqft", "income", "distance_km")
SPEC = {
    **{name: Choice(name, SCALERS, what="scaler") for name in FEATURES},
    "lr": Number("learning rate", 1e-5, 1.0, log=True, step=0.25),
    "steps": Number("steps", 10, 500, integer=True, step=10),
    "seed": Number("seed", 0, 10**6, integer=True, text=True),
}
DEFAULTS = {**{name: "none" for name in FEATURES}, "lr": 0.1, "steps": 100, "seed": 0}
N_SAMPLES = 1000


@functools.lru_cache(maxsize=8)
def _data(seed: int):
    from nncourse.datasets import make_scaling_regression

    data = make_scaling_regression(N_SAMPLES, seed=seed)
    return data.X, data.y


@dataclass(repr=False)
class ScalingResult:
    """A gradient-descent run of linear regression on scaled columns.

    Attributes
    ----------
    settings : dict
        Scaler name per feature, ``lr``, ``steps``, ``seed``.
    losses : ndarray, shape (k,)
        Mean squared error before each step (k = steps + 1, or fewer when it diverged).
    diverged_at : int or None
        Step at which the loss stopped being finite.
    optimum : float
        The least-squares loss on the same scaled columns (what gradient descent can reach).
    ranges : ndarray, shape (4, 2)
        Minimum and maximum of each column after scaling.
    verdict : str
    features : tuple of str
        The column names, in order.
    n_samples : int
        Rows of the generated table.
    """

    settings: dict
    losses: np.ndarray
    diverged_at: int | None
    optimum: float
    ranges: np.ndarray
    verdict: str
    features: tuple = field(default=FEATURES)
    n_samples: int = field(default=N_SAMPLES)

    def __repr__(self) -> str:
        return f"ScalingResult({self.verdict})"


def run_scaling(scalings=None, lr: float = 0.1, steps: int = 100, seed: int = 0) -> ScalingResult:
    """Fit ``price ~ X w + b`` by full-batch gradient descent on scaled columns.

    Parameters
    ----------
    scalings : dict or sequence of str, optional
        Scaler per column: ``{"income": "zscore", ...}`` (names or column indices as keys;
        columns not given stay unscaled), or four names in column order. Scalers: none,
        linear (to [-1, 1]), clip (1st..99th percentile), log, zscore.
    lr : float
        Learning rate, 1e-5 .. 1.
    steps : int
        Number of gradient steps, 10 .. 500.
    seed : int
        Seed of the generated data set (1000 rows of `make_scaling_regression`).

    Returns
    -------
    ScalingResult

    Notes
    -----
    The loss is the mean squared error in (thousands)^2, the weights start at zero and the update
    is ``w -= lr * 2 X^T (X w + b - y) / N``. A column of size ~1e5 gives the loss a curvature
    ~1e10 along its weight, so any learning rate above ~1e-10 makes the iterates blow up.
    """
    from nncourse.scaling import ColumnScaler

    chosen = _scalings(scalings)
    s = check_settings(SPEC, DEFAULTS, {**chosen, "lr": lr, "steps": steps, "seed": seed})
    X, y = _data(s["seed"])
    Z = ColumnScaler({j: s[name] for j, name in enumerate(FEATURES)}).fit_transform(X)
    A = np.column_stack([Z, np.ones(len(Z))])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    optimum = float(np.mean((A @ coef - y) ** 2))
    w = np.zeros(A.shape[1])
    losses, diverged_at = [], None
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(s["steps"] + 1):
            r = A @ w - y
            loss = float(np.mean(r * r))
            if not np.isfinite(loss):
                diverged_at = step
                break
            losses.append(loss)
            if step < s["steps"]:
                w = w - s["lr"] * 2.0 * (A.T @ r) / len(y)
    ranges = np.column_stack([Z.min(axis=0), Z.max(axis=0)])
    losses = np.array(losses)
    return ScalingResult(s, losses, diverged_at, optimum, ranges,
                         _verdict(losses, diverged_at, optimum, ranges, s))


def _scalings(scalings) -> dict:
    """``{feature name: scaler name}`` from a dict (names or indices) or a sequence of 4 names."""
    if scalings is None:
        return {}
    if isinstance(scalings, (list, tuple)):
        if len(scalings) != len(FEATURES):
            raise ValueError(f"expected scalings to list {len(FEATURES)} scaler names (one per "
                             f"column: {', '.join(FEATURES)}), got {len(scalings)}")
        return dict(zip(FEATURES, scalings))
    if not isinstance(scalings, dict):
        raise TypeError(f"expected scalings to be a dict or a list of names, got {scalings!r}")
    out = {}
    for key, value in scalings.items():
        if isinstance(key, int) and not isinstance(key, bool) and 0 <= key < len(FEATURES):
            key = FEATURES[key]
        if key not in FEATURES:
            raise ValueError(f"unknown column {key!r} in scalings; choose one of "
                             f"{', '.join(FEATURES)} or 0..{len(FEATURES) - 1}")
        out[key] = value
    return out


def _verdict(losses, diverged_at, optimum, ranges, s) -> str:
    sizes = np.abs(ranges).max(axis=1)
    big = int(np.argmax(sizes))
    if sizes[big] > 10:
        name = FEATURES[big]
        if s[name] == "none":
            where = f"{name} reaches {sizes[big]:.3g} unscaled"
        else:
            where = f"{name} still reaches {sizes[big]:.3g} after {s[name]} scaling"
        hint = (f"{where}, far too large for lr {s['lr']:g}; scale it (zscore or linear) or lower the "
                "learning rate")
    else:
        hint = f"the learning rate {s['lr']:g} is too large even for these columns; lower it"
    if diverged_at is not None:
        return f"diverged: loss became NaN or infinite at step {diverged_at}; {hint}"
    final = losses[-1]
    if final > losses[0]:
        return f"diverging: loss grew from {losses[0]:.3g} to {final:.3g}; {hint}"
    if final <= 1.05 * optimum + 1e-9:
        return (f"converged: loss {final:.4g} after {s['steps']} steps, within 5% of the best "
                f"possible {optimum:.4g}")
    spread = sizes.max() / max(sizes.min(), 1e-12)
    why = (f"the columns' sizes differ by a factor {spread:.0e}, so one learning rate cannot "
           "suit them all" if spread > 100 else "try a larger learning rate or more steps")
    return (f"slow: loss {final:.4g} after {s['steps']} steps, {final / optimum:.1f} times the "
            f"best possible {optimum:.4g}; {why}")


class ScalingExplorer(ControlledWidget):
    """Widget for :func:`run_scaling`; see :func:`scaling_explorer`."""

    SPEC, DEFAULTS = SPEC, DEFAULTS

    def _controls_box(self):
        import ipywidgets as W

        return W.HBox([W.VBox([W.HTML("<b>scaling per column</b>")] +
                              [self.controls[n] for n in FEATURES], layout=W.Layout(margin="0 24px 0 0")),
                       W.VBox([W.HTML("<b>gradient descent</b>")] +
                              [self.controls[n] for n in ("lr", "steps", "seed")])])

    def update(self) -> None:
        """Run gradient descent again with the current scalers and redraw."""
        s = self.settings
        self.result = run_scaling({n: s[n] for n in FEATURES}, s["lr"], s["steps"], s["seed"])
        self._show(message_html(self.result.verdict))

    def _render(self, fig, words: bool):
        from nncourse.widgets.figures.scaling import draw_scaling

        return draw_scaling(self.result, fig, verdict=words)

    def __repr__(self) -> str:
        return f"ScalingExplorer({self.result.verdict})"


def scaling_explorer(scalings=None, lr: float = 0.1, steps: int = 100,
                     seed: int = 0) -> ScalingExplorer:
    """Choose a scaler per column of the house-price table and watch gradient descent converge.

    Parameters are those of :func:`run_scaling` (the starting values of the controls).

    Returns
    -------
    ScalingExplorer
        Display it; every change reruns gradient descent and redraws.
    """
    chosen = _scalings(scalings)
    return ScalingExplorer(check_settings(SPEC, DEFAULTS, {**chosen, "lr": lr, "steps": steps,
                                                           "seed": seed}))
