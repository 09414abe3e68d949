"""The health panel's figure: per-layer gradient norms, activations, dead units and update ratios."""
from __future__ import annotations

import matplotlib
import matplotlib.lines
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import LogFormatter

from nncourse.widgets.figures.canvas import clear_figure, wrap


def _series(diagnostics: list, key: str) -> dict[str, np.ndarray]:
    """``{layer: values per epoch}`` for the layers that report ``key`` (NaN where missing)."""
    layers: list[str] = []
    for epoch in diagnostics:
        for name, stats in epoch.items():
            if key in stats and name not in layers:
                layers.append(name)
    return {name: np.array([e.get(name, {}).get(key, np.nan) for e in diagnostics], dtype=float)
            for name in layers}


def _layer_colors(diagnostics: list) -> dict:
    """One colour per layer, by position: dark on the input side, light on the output side."""
    names: list[str] = []
    for epoch in diagnostics:
        names += [n for n in epoch if n not in names]
    cmap = matplotlib.colormaps["viridis"]
    return {n: cmap(0.9 * i / max(len(names) - 1, 1)) for i, n in enumerate(names)}


def _lines(ax, data: dict, epochs, colors: dict, style: str = "-", log: bool = False) -> None:
    marker = "o" if len(epochs) == 1 else None
    for name, values in data.items():
        if log:
            values = np.where(values > 0, values, np.nan)
        ax.plot(epochs, values, style, color=colors[name], marker=marker, ms=4, label=name)
    if log and data:
        ax.set_yscale("log")
        # plain numbers (0.6, 1e-05) instead of 6x10^-1, also on the minor ticks of short ranges
        for which in ("major", "minor"):
            getattr(ax.yaxis, f"set_{which}_formatter")(
                LogFormatter(labelOnlyBase=False, minor_thresholds=(1, 0.4)))


def draw_health(diagnostics: list, fig: Figure | None = None, title: str = "") -> Figure:
    """Four panels of per-layer training health over epochs.

    Parameters
    ----------
    diagnostics : list of dict
        One dict per epoch mapping a layer name ("0:Linear") to its statistics, as in
        ``History.diagnostics``: ``grad_norm``, ``act_mean``, ``act_std``, ``dead_frac``,
        ``saturated_frac``, ``update_ratio``.
    fig : Figure, optional
    title : str
        Shown above the panels (e.g. the health warnings).

    Returns
    -------
    Figure
        Gradient norm per layer (log scale), activation mean +- std, dead/saturated fractions,
        update-to-weight ratio (log scale). One colour per layer, from dark (input side) to
        light (output side), named in the legend on the right.
    """
    fig = clear_figure(fig, "health", 10.0, 6.6)
    axes = fig.subplots(2, 2)
    fig.subplots_adjust(left=0.08, right=0.80, bottom=0.08, top=0.86, hspace=0.45, wspace=0.32)
    colors = _layer_colors(diagnostics)
    epochs = np.arange(1, len(diagnostics) + 1)
    ax = axes[0, 0]
    _lines(ax, _series(diagnostics, "grad_norm"), epochs, colors, log=True)
    ax.set(title="gradient norm per layer", xlabel="epoch", ylabel="||dL/dparams|| (log)")
    ax = axes[0, 1]
    means, stds = _series(diagnostics, "act_mean"), _series(diagnostics, "act_std")
    acts = [n for n in means if not n.endswith(("Linear", "BatchNorm", "Dropout"))] or list(means)
    for name in acts:
        m, sd = means[name], stds.get(name, np.zeros_like(means[name]))
        ax.plot(epochs, m, color=colors[name], marker="o" if len(epochs) == 1 else None, ms=4)
        ax.fill_between(epochs, m - sd, m + sd, color=colors[name], alpha=0.15)
    ax.set(title="activations: mean (line) +- std (band)", xlabel="epoch",
           ylabel="activation value")
    ax = axes[1, 0]
    _lines(ax, _series(diagnostics, "dead_frac"), epochs, colors)
    _lines(ax, _series(diagnostics, "saturated_frac"), epochs, colors, style="--")
    ax.set(title="dead ReLUs (solid), saturated units (dashed)", xlabel="epoch",
           ylabel="fraction of units", ylim=(-0.03, 1.03))
    ax = axes[1, 1]
    _lines(ax, _series(diagnostics, "update_ratio"), epochs, colors, log=True)
    ax.axhline(1e-3, color="grey", ls=":", lw=1)
    ax.set(title="update / weight ratio (dotted: 1e-3)", xlabel="epoch",
           ylabel="||update|| / ||W|| (log)")
    for ax in axes.flat:
        ax.grid(True, alpha=0.3)
    handles = [matplotlib.lines.Line2D([], [], color=c, lw=2, label=n) for n, c in colors.items()]
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(0.81, 0.5), fontsize=7,
               title="layer", title_fontsize=8, ncol=1 if len(handles) <= 26 else 2,
               frameon=False)
    fig.suptitle(wrap(title, 120) or "training health per layer", fontsize=10)
    return fig
