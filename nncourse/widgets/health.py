"""The training health panel: per-layer gradients, activations and dead units over epochs.

Plain function: `health_report(diagnostics) -> list[str]` (the warnings in words) and
`nncourse.widgets.figures.draw_health(diagnostics)`. The widget `health_panel(source)` shows both.
"""
from __future__ import annotations

import numpy as np

from nncourse.history import History
from nncourse.layers import Layer
from nncourse.widgets._common import PictureWidget, message_html

VANISHING, EXPLODING = 1e-2, 1e2      # first/last layer gradient-norm ratios
DEAD, SATURATED = 0.3, 0.3            # unit fractions worth a warning
RATIO_HIGH, RATIO_LOW = 1e-1, 1e-5    # update/weight ratios


def diagnostics_of(source) -> list:
    """The per-epoch diagnostics list of a History, PlaygroundResult, Playground or model.

    Parameters
    ----------
    source : History, PlaygroundResult, Playground, list of dict, or a model
        A model (e.g. a Sequential right after ``forward`` and ``backward``) gives a single
        snapshot of its current state.

    Returns
    -------
    list of dict
        One dict per epoch: layer name -> statistics.
    """
    from nncourse.diagnostics import layer_stats
    from nncourse.widgets.playground import Playground, PlaygroundResult

    if isinstance(source, Playground):
        source = source.result
    if isinstance(source, PlaygroundResult):
        source = source.history
    if isinstance(source, list):
        diags = source
    elif isinstance(source, History):
        diags = source.diagnostics
    elif isinstance(source, Layer):
        layers = list(source.named_layers())
        if all(layer.last_output is None for _, layer in layers):
            raise ValueError(f"the model {source!r} has not run forward yet; run forward and "
                             "backward on a batch first, or pass the History from fit()")
        diags = [layer_stats(source)]
    else:
        raise TypeError("expected a History (from fit), a PlaygroundResult, a Playground, a list "
                        f"of per-epoch diagnostics or a model, got {type(source).__name__}")
    if not diags:
        raise ValueError("no diagnostics recorded; train with fit(..., diagnostics=True)")
    return diags


def health_report(diagnostics: list) -> list[str]:
    """Warnings about the last epoch of a run, in words (or a single "healthy" line).

    Parameters
    ----------
    diagnostics : list of dict
        Per-epoch statistics as in ``History.diagnostics``.

    Returns
    -------
    list of str
        Lines starting with "vanishing gradients", "exploding gradients", "dying ReLUs",
        "saturated units", "large updates", "tiny updates" or "healthy".

    Notes
    -----
    Thresholds: first/last layer gradient-norm ratio below 1e-2 (vanishing) or above 1e2
    (exploding); more than 30% dead or saturated units in a layer; a median update/weight
    ratio above 1e-1 or below 1e-5 (the rule of thumb is about 1e-3).
    """
    last = diagnostics[-1]
    lines = []
    grads = [(name, st["grad_norm"]) for name, st in last.items()
             if "grad_norm" in st and name.endswith("Linear")]
    if len(grads) >= 2:
        (first_name, first), (last_name, final) = grads[0], grads[-1]
        ratio = first / final if final > 0 else np.inf
        if not np.isfinite(first) or not np.isfinite(final):
            lines.append("exploding gradients: a gradient norm is not finite (NaN or inf)")
        elif ratio < VANISHING:
            lines.append(f"vanishing gradients: the first layer ({first_name}) gets a gradient "
                         f"{ratio:.1e} times that of the last ({last_name})")
        elif ratio > EXPLODING:
            lines.append(f"exploding gradients: the first layer ({first_name}) gets a gradient "
                         f"{ratio:.1e} times that of the last ({last_name})")
    for name, st in last.items():
        if st.get("dead_frac", 0.0) > DEAD:
            lines.append(f"dying ReLUs: {st['dead_frac']:.0%} of the units of {name} output 0 "
                         "for every example")
        if st.get("saturated_frac", 0.0) > SATURATED:
            lines.append(f"saturated units: {st['saturated_frac']:.0%} of the outputs of {name} "
                         "sit in the flat tails, where the gradient is almost 0")
    ratios = [st["update_ratio"] for st in last.values() if "update_ratio" in st]
    if ratios:
        median = float(np.median(ratios))
        if median > RATIO_HIGH:
            lines.append(f"large updates: the median update/weight ratio is {median:.1e} "
                         "(about 1e-3 is healthy); lower the learning rate")
        elif median < RATIO_LOW:
            lines.append(f"tiny updates: the median update/weight ratio is {median:.1e} "
                         "(about 1e-3 is healthy); learning has nearly stopped")
    return lines or ["healthy: no vanishing or exploding gradients, no dead or saturated units"]


class HealthPanel(PictureWidget):
    """Widget showing `draw_health` and `health_report` for one run; see :func:`health_panel`."""

    def __init__(self, diagnostics: list) -> None:
        super().__init__()
        self.diagnostics = diagnostics
        self.report = health_report(diagnostics)
        self._show("<br>".join(message_html(line) for line in self.report))
        self.children = [self.message, self.image]

    def _render(self, fig, words: bool):
        from nncourse.widgets.figures.health import draw_health

        return draw_health(self.diagnostics, fig, title="; ".join(self.report) if words else "")

    def __repr__(self) -> str:
        return f"HealthPanel({len(self.diagnostics)} epochs; {'; '.join(self.report)})"


def health_panel(source) -> HealthPanel:
    """Per-layer training health at a glance.

    Parameters
    ----------
    source : History, PlaygroundResult, Playground, list of dict, or a model
        Where to read the diagnostics from: a History of ``fit(..., diagnostics=True)``, a
        playground or its result, or a model right after forward/backward (one snapshot).

    Returns
    -------
    HealthPanel
        Four panels (gradient norm per layer on a log scale, activation mean +- std, dead and
        saturated fractions, update-to-weight ratio) and the warnings of `health_report`.
    """
    return HealthPanel(diagnostics_of(source))
