"""The gradient-flow explorer's figure: gradient norm per layer and the spread of activations."""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from nncourse.widgets.figures.canvas import clear_figure, plain_log_labels, wrap


def draw_gradient_flow(flow, fig: Figure | None = None, verdict: bool = True) -> Figure:
    """Gradient norm per Linear layer (at initialisation and after training) and activation spread.

    Parameters
    ----------
    flow : GradientFlow
        From ``nncourse.widgets.gradient_flow``.
    fig : Figure, optional
    verdict : bool
        Put the verdict under the title (a widget that prints it beside the figure passes False).

    Returns
    -------
    Figure
        Left: ``||dL/dW||`` per layer on a log scale, bars at initialisation, dots after the
        training steps. Right: the standard deviation of each hidden activation at initialisation.
    """
    fig = clear_figure(fig, "gradflow", 10.0, 4.0)
    ax, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.4, 1]})
    fig.subplots_adjust(left=0.08, right=0.97, bottom=0.14, top=0.76, wspace=0.3)
    s = flow.settings
    layers = np.arange(1, len(flow.layers) + 1)
    init = np.where(flow.grad_norm_init > 0, flow.grad_norm_init, np.nan)
    ax.bar(layers, init, color="#4c72b0", alpha=0.8, label="at initialisation")
    if s["steps"]:
        after = np.where(flow.grad_norm_after > 0, flow.grad_norm_after, np.nan)
        ax.plot(layers, after, "o-", color="#dd8452", ms=4, label=f"after {s['steps']} steps")
    if np.isfinite(init).any():
        ax.set_yscale("log")
        plain_log_labels(ax.yaxis) if np.nanmax(init) / np.nanmin(init) < 1e3 else None
    ax.set(title="gradient norm per layer", xlabel="Linear layer (1 = input side)",
           ylabel="||dL/dW|| (log scale)")
    ax.set_xticks(layers if len(layers) <= 16 else layers[::2])
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(True, axis="y", alpha=0.3)
    hidden = np.arange(1, len(flow.act_std_init) + 1)
    stds = flow.act_std_init
    ax2.plot(hidden, stds, "o-", color="#55a868", ms=4)
    log = bool((stds > 0).all() and stds.max() / stds.min() > 10)
    if log:
        ax2.set_yscale("log")
    else:
        ax2.set_ylim(0, max(float(np.nanmax(stds)) * 1.15, 1e-12) if stds.size else 1)
    ax2.set(title="spread of activations at initialisation", xlabel="hidden layer",
            ylabel="std of the layer's output" + (" (log)" if log else ""))
    ax2.grid(True, alpha=0.3)
    words = f"\n{wrap(flow.verdict, 130)}" if verdict else ""
    fig.suptitle(f"{s['hidden_layers']} hidden layers of {flow.width} {s['activation']} units, {s['init']} init"
                 f"{', batch norm' if s['batchnorm'] else ''}{words}", fontsize=10)
    return fig
