"""The scaling explorer's figure: the loss of gradient descent and the size of each scaled column."""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from nncourse.widgets.figures.canvas import clear_figure, wrap


def draw_scaling(result, fig: Figure | None = None, verdict: bool = True) -> Figure:
    """Loss of gradient descent per step, and the size of each column after scaling.

    Parameters
    ----------
    result : ScalingResult
        From ``nncourse.widgets.run_scaling``.
    fig : Figure, optional
    verdict : bool
        Put the verdict under the title (a widget that prints it beside the figure passes False).

    Returns
    -------
    Figure
    """
    fig = clear_figure(fig, "scaling", 10.0, 4.1)
    ax, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.4, 1]})
    fig.subplots_adjust(left=0.08, right=0.97, bottom=0.13, top=0.74, wspace=0.45)
    losses = result.losses
    ax.plot(np.arange(len(losses)), np.minimum(losses, 1e31), color="#1f77b4", label="gradient descent")
    ax.axhline(result.optimum, color="grey", ls="--", lw=1, label="best possible (least squares)")
    if result.diverged_at is not None:
        ax.axvline(result.diverged_at, color="#d62728", lw=1.5,
                   label=f"NaN / inf at step {result.diverged_at}")
    ax.set_yscale("log")
    low = min(result.optimum, losses.min() if losses.size else result.optimum)
    high = losses.max() if losses.size else low * 10
    ax.set_ylim(low / 2, min(max(high * 3, low * 10), 1e30))  # a blow-up leaves through the top
    ax.set_xlim(0, result.settings["steps"])
    ax.set(title="training loss per step", xlabel="gradient descent step",
           ylabel="mean squared error (k$^2$, log)")
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(True, alpha=0.3)
    names = [f"{f}\n({result.settings[f]})" for f in result.features]
    sizes = np.maximum(np.abs(result.ranges).max(axis=1), 1e-3)
    colors = ["#d62728" if v > 100 else "#2ca02c" if v <= 10 else "#ff7f0e" for v in sizes]
    ax2.barh(np.arange(len(sizes)), sizes, color=colors)
    ax2.set_xscale("log")
    ax2.set_yticks(np.arange(len(sizes)), names, fontsize=8)
    ax2.invert_yaxis()
    ax2.set_xlim(1e-1, 1e6)
    ax2.set(title="largest |value| per column after scaling", xlabel="size (log scale)",
            ylabel="column (scaler)")
    ax2.grid(True, axis="x", alpha=0.3)
    words = f"\n{wrap(result.verdict, 130)}" if verdict else ""
    fig.suptitle(f"linear regression on {result.n_samples} synthetic houses, lr {result.settings['lr']:.2g}"
                 f"{words}", fontsize=10)
    return fig
