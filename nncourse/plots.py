"""Figures for the widgets and notebooks: plain functions that draw on a matplotlib ``Figure``.

Nothing here uses ``pyplot`` or a GUI, so every function works headless (Agg). Each ``draw_*``
function takes what to draw and an optional ``fig`` to draw into; passing the figure it returned
last time updates the existing artists instead of rebuilding them (much faster inside a widget).
``figure_png(fig)`` renders a figure to PNG bytes.
"""
from __future__ import annotations

import io
import textwrap

import matplotlib
import matplotlib.lines
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogFormatter, NullFormatter

POINT_COLORS = ListedColormap(["#d95f02", "#1b9e77"])  # class 0, class 1
BOUNDARY_CMAP = "PuOr"


def new_figure(width: float, height: float, dpi: int = 80) -> Figure:
    """A figure with an Agg canvas attached (no pyplot, no GUI)."""
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def figure_png(fig: Figure) -> bytes:
    """Render ``fig`` and return the PNG file's bytes.

    A figure drawn by a ``draw_*`` function lists its changing artists; when no axis limits
    changed since the last call, only those are redrawn over a cached background (blitting).
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    state = getattr(fig, "_nncourse_state", None) or {}
    dynamic = state.get("dynamic", ())
    if not dynamic:
        canvas.draw()
    else:
        key = (tuple((ax.get_xlim(), ax.get_ylim(), ax.get_position().bounds) for ax in fig.axes),
               fig.bbox.bounds)
        if state.get("background_key") != key:
            for artist in dynamic:
                artist.set_animated(True)
            try:
                canvas.draw()
            finally:
                for artist in dynamic:
                    artist.set_animated(False)
            state["background"] = canvas.copy_from_bbox(fig.bbox)
            state["background_key"] = key
        else:
            canvas.restore_region(state["background"])
        renderer = canvas.get_renderer()
        for artist in dynamic:
            artist.draw(renderer)
    buf = io.BytesIO()
    image = PIL.Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(),
                                 "raw", "RGBA", 0, 1)
    image.save(buf, format="png", compress_level=1)  # fast; the size hardly matters here
    return buf.getvalue()


def _state(fig: Figure | None, kind: str, width: float, height: float):
    """Return ``(fig, state, fresh)``: reuse ``fig`` if it was last drawn as ``kind``."""
    if fig is None:
        fig = new_figure(width, height)
    state = getattr(fig, "_nncourse_state", None)
    if state is not None and state.get("kind") == kind:
        return fig, state, False
    fig.clear()
    state = {"kind": kind}
    fig._nncourse_state = state
    return fig, state, True


def _wrap(text: str, width: int = 110) -> str:
    return "\n".join(textwrap.wrap(text, width)) if text else ""


def _plain_log_labels(axis) -> None:
    """Label a log axis with plain numbers (0.1, 1, 10) and no minor labels (fast to draw)."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


# --- playground ---------------------------------------------------------------------------------

def draw_playground(result, fig: Figure | None = None, title: str | None = None,
                    verdict: bool = True) -> Figure:
    """Loss curves, and the decision boundary (2-D data) or confusion matrix (digits).

    Parameters
    ----------
    result : PlaygroundResult
        From ``nncourse.widgets.run_playground``.
    fig : Figure, optional
        A figure returned by an earlier call, to update in place.
    title : str, optional
        A first title line (e.g. the settings).
    verdict : bool
        Show the verdict as the figure's title (a widget that prints it elsewhere passes False).

    Returns
    -------
    Figure
        The loss axis is logarithmic and spans whole decades (at most 1e-3 .. 1e2), so runs
        can be compared at a glance; a diverging loss leaves through the top.
    """
    kind = "digits" if result.confusion is not None else "2d"
    fig, st, fresh = _state(fig, "playground-" + kind, 10.0, 4.3)
    if fresh:
        ax_loss, ax_right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
        fig.subplots_adjust(left=0.07, right=0.97, bottom=0.12, wspace=0.28)
        st["title"] = fig.suptitle("", fontsize=10, y=0.985, va="top")
        (st["train"],) = ax_loss.plot([], [], color="#1f77b4", label="training")
        (st["val"],) = ax_loss.plot([], [], color="#ff7f0e", label="validation")
        (st["best"],) = ax_loss.plot([], [], "o", color="#ff7f0e", ms=5,
                                     label="lowest validation loss")
        ax_loss.set_yscale("log")
        _plain_log_labels(ax_loss.yaxis)
        ax_loss.set_xlabel("epoch")
        ax_loss.set_ylabel("cross-entropy loss (log scale)")
        ax_loss.set_title("loss per epoch", pad=20)
        ax_loss.grid(True, which="major", alpha=0.3)
        # above the axes, so the curves never hide behind it (and it is drawn only once)
        ax_loss.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8,
                       frameon=False, borderaxespad=0.1)
        st["ax_loss"], st["ax_right"] = ax_loss, ax_right
        (_init_boundary if kind == "2d" else _init_confusion)(ax_right, st)
        lines = [st["train"], st["val"], st["best"], st["title"]]
        st["dynamic"] = lines + st["right_dynamic"]
    hist = result.history
    train = np.asarray(hist["train_loss"], dtype=float)
    val = np.asarray(hist.history.get("val_loss", []), dtype=float)
    epochs = np.arange(1, len(train) + 1)
    st["train"].set_data(epochs, train)
    st["val"].set_data(epochs[:len(val)], val)
    finite = np.isfinite(val)
    if finite.any():
        best = int(np.nanargmin(np.where(finite, val, np.nan)))
        st["best"].set_data([best + 1], [val[best]])
    else:
        st["best"].set_data([], [])
    ax = st["ax_loss"]
    ax.set_xlim(0.5, max(int(result.settings["epochs"]), len(epochs), 1) + 0.5)
    ax.set_ylim(*_decades(np.concatenate([train, val])))
    text = "\n".join(t for t in (title, _wrap(result.verdict, 120) if verdict else "") if t)
    st["title"].set_text(text)
    n_lines = text.count("\n") + 1 if text else 0
    top = 1.0 - (0.55 + 0.19 * n_lines) / fig.get_figheight()  # room for the title lines
    if fig.subplotpars.top != top:
        fig.subplots_adjust(top=top)
    if kind == "2d":
        _update_boundary(result, st)
    else:
        _update_confusion(result, st)
    return fig


def _decades(values: np.ndarray, low: float = 1e-3, high: float = 1e2) -> tuple[float, float]:
    """Whole-decade limits around the finite positive values, within [low, high]."""
    v = values[np.isfinite(values) & (values > 0)]
    if v.size == 0:
        return low, high
    lo = 10.0 ** np.floor(np.log10(max(v.min(), low)))
    hi = 10.0 ** np.ceil(np.log10(min(max(v.max(), lo * 10), high)))
    return float(lo), float(max(hi, lo * 10))


def _init_boundary(ax, st) -> None:
    bg = np.ma.masked_invalid(np.full((2, 2), np.nan))
    cm = matplotlib.colormaps[BOUNDARY_CMAP].with_extremes(bad="#cccccc")  # grey where NaN
    st["image"] = ax.imshow(bg, origin="lower", extent=(-1, 1, -1, 1), cmap=cm, vmin=0, vmax=1,
                            alpha=0.55, interpolation="bilinear", aspect="auto")
    st["pts_train"] = ax.scatter(np.zeros(0), np.zeros(0), c=np.zeros(0), cmap=POINT_COLORS,
                                 vmin=0, vmax=1, s=14, edgecolors="black", linewidths=0.4)
    st["pts_val"] = ax.scatter(np.zeros(0), np.zeros(0), c=np.zeros(0), cmap=POINT_COLORS,
                               vmin=0, vmax=1, s=18, marker="^", edgecolors="black",
                               linewidths=0.4)
    ax.set_xlabel("feature $x_1$")
    ax.set_ylabel("feature $x_2$")
    ax.set_title("decision boundary (shade: P(class 1))\n"
                 "dots: training, triangles: validation", fontsize=10)
    st["right_dynamic"] = [st["image"], st["pts_train"], st["pts_val"]]


def _update_boundary(result, st) -> None:
    x0, x1, y0, y1 = result.grid_extent
    st["image"].set_data(np.ma.masked_invalid(result.grid_probs))
    st["image"].set_extent((x0, x1, y0, y1))
    for key, X, y in (("pts_train", result.X_train, result.y_train),
                      ("pts_val", result.X_val, result.y_val)):
        st[key].set_offsets(X)
        st[key].set_array(y.astype(float))
    ax = st["ax_right"]
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def _init_confusion(ax, st) -> None:
    st["image"] = ax.imshow(np.zeros((10, 10)), cmap="Blues", vmin=0, vmax=1)
    st["texts"] = [[ax.text(j, i, "", ha="center", va="center", fontsize=7)
                    for j in range(10)] for i in range(10)]
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.tick_params(labelsize=8)
    st["right_title"] = ax.set_title("", fontsize=10)
    st["right_dynamic"] = [st["image"], st["right_title"]] + [t for row in st["texts"] for t in row]


def _update_confusion(result, st) -> None:
    cm = np.asarray(result.confusion, dtype=float)
    rows = cm.sum(axis=1, keepdims=True)
    frac = np.divide(cm, rows, out=np.zeros_like(cm), where=rows > 0)
    st["image"].set_data(frac)
    for i in range(10):
        for j in range(10):
            n = int(cm[i, j])
            t = st["texts"][i][j]
            t.set_text(str(n) if n else "")  # empty cells stay blank (and cost nothing to draw)
            t.set_color("white" if frac[i, j] > 0.6 else "black")
    acc = np.trace(cm) / max(cm.sum(), 1)
    st["right_title"].set_text(f"validation confusion matrix (accuracy {acc:.0%})")


# --- health panel -------------------------------------------------------------------------------

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
    fig, st, _ = _state(fig, "health", 10.0, 6.6)
    fig.clear()
    fig._nncourse_state = st
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
    fig.suptitle(_wrap(title, 120) or "training health per layer", fontsize=10)
    return fig


# --- gradient flow ------------------------------------------------------------------------------

def draw_gradient_flow(flow, fig: Figure | None = None) -> Figure:
    """Gradient norm per Linear layer (at initialisation and after training) and activation spread.

    Parameters
    ----------
    flow : GradientFlow
        From ``nncourse.widgets.gradient_flow``.
    fig : Figure, optional

    Returns
    -------
    Figure
        Left: ``||dL/dW||`` per layer on a log scale, bars at initialisation, dots after the
        training steps. Right: the standard deviation of each hidden activation at initialisation.
    """
    fig, st, _ = _state(fig, "gradflow", 10.0, 4.0)
    fig.clear()
    fig._nncourse_state = st
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
        _plain_log_labels(ax.yaxis) if np.nanmax(init) / np.nanmin(init) < 1e3 else None
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
    fig.suptitle(f"{s['depth']} hidden layers of 32 {s['activation']} units, {s['init']} init"
                 f"{', batch norm' if s['batchnorm'] else ''}\n{_wrap(flow.verdict, 130)}",
                 fontsize=10)
    return fig


# --- feature scaling ----------------------------------------------------------------------------

def draw_scaling(result, fig: Figure | None = None) -> Figure:
    """Loss of gradient descent per step, and the size of each column after scaling.

    Parameters
    ----------
    result : ScalingResult
        From ``nncourse.widgets.run_scaling``.
    fig : Figure, optional

    Returns
    -------
    Figure
    """
    fig, st, _ = _state(fig, "scaling", 10.0, 4.1)
    fig.clear()
    fig._nncourse_state = st
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
    names = [f"{f}\n({result.settings[f]})" for f in ("condition", "area_sqft", "income",
                                                      "distance_km")]
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
    fig.suptitle(f"linear regression on 1000 synthetic houses, lr {result.settings['lr']:.2g}"
                 f"\n{_wrap(result.verdict, 130)}", fontsize=10)
    return fig


# --- backpropagation stepper --------------------------------------------------------------------

_GRAPH = {  # node: (x, y) in the drawing, inputs on the left, the loss on the right
    "x": (0.0, 1.0), "W1": (0.5, -0.1), "b1": (1.6, -0.1), "z1": (1.6, 1.0), "h": (3.2, 1.0),
    "W2": (3.8, -0.1), "b2": (4.8, -0.1), "y_hat": (4.8, 1.0), "t": (6.4, -0.1), "L": (6.4, 1.0),
}
_EDGES = [("x", "z1"), ("W1", "z1"), ("b1", "z1"), ("z1", "h"), ("h", "y_hat"), ("W2", "y_hat"),
          ("b2", "y_hat"), ("y_hat", "L"), ("t", "L")]
_NAMES = {"y_hat": "ŷ"}


def _fmt(value) -> str:
    a = np.asarray(value, dtype=float) + 0.0  # no "-0"
    if a.ndim == 0 or a.size == 1:
        return f"{a.reshape(-1)[0]:.3g}"
    if a.ndim == 1:
        return "[" + ", ".join(f"{v:.3g}" for v in a) + "]"
    return "\n".join("[" + ", ".join(f"{v:.3g}" for v in row) + "]" for row in a)


def draw_backprop(steps: list, index: int, inputs: dict | None = None,
                  fig: Figure | None = None) -> Figure:
    """The computation graph of the tiny network with everything known after step ``index``.

    Parameters
    ----------
    steps : list of Step
        From ``nncourse.widgets.backprop_steps``.
    index : int
        The current step (0-based); its node is outlined in orange, and the cached forward
        values a backward step reuses are outlined in blue.
    inputs : dict, optional
        Values of the leaves (x, t, W1, b1, W2, b2) to print in their boxes.
    fig : Figure, optional

    Returns
    -------
    Figure
    """
    if not 0 <= index < len(steps):
        raise ValueError(f"expected index between 0 and {len(steps) - 1}, got {index}")
    fig, st, _ = _state(fig, "backprop", 10.0, 4.4)
    fig.clear()
    fig._nncourse_state = st
    ax = fig.add_axes((0.01, 0.2, 0.98, 0.72))
    ax.set_xlim(-0.75, 7.15)
    ax.set_ylim(-0.75, 1.55)
    ax.axis("off")
    values = {k: v for k, v in (inputs or {}).items()}
    grads = {}
    for step in steps[:index + 1]:
        (values if step.phase == "forward" else grads)[step.node] = step.value
    current = steps[index]
    boxes = {}
    for node, (x, y) in _GRAPH.items():
        lines = [_NAMES.get(node, node) + (" (target)" if node == "t" else "")]
        if node in values:
            lines.append(_fmt(values[node]))
        if node in grads:
            g = _fmt(grads[node])
            lines += ["grad", g] if "\n" in g else [f"grad {g}"]
        edge, face, width = "#444444", "white", 1.0
        if node in current.cached:
            edge, face, width = "#1f77b4", "#dbe9f6", 2.0
        if node == current.node:
            edge, face, width = "#e6550d", "#fde0c5", 2.5
        boxes[node] = ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=8,
                              family="monospace", zorder=3,
                              bbox=dict(boxstyle="round,pad=0.4", fc=face, ec=edge, lw=width))
    for a, b in _EDGES:
        # drawn after the boxes (higher zorder), so the arrows end at the boxes' edges
        ax.annotate("", xy=_GRAPH[b], xytext=_GRAPH[a], zorder=4,
                    arrowprops=dict(arrowstyle="-|>", color="#888888", lw=1, shrinkA=2,
                                    shrinkB=2, patchA=boxes[a].get_bbox_patch(),
                                    patchB=boxes[b].get_bbox_patch()))
    reuse = f"   reuses cached: {', '.join(_NAMES.get(c, c) for c in current.cached)}" \
        if current.cached else ""
    fig.text(0.02, 0.11, f"step {index + 1} of {len(steps)} ({current.phase}): "
             f"{current.formula} = {_fmt(current.value).replace(chr(10), ' ')}{reuse}",
             fontsize=10, weight="bold")
    fig.text(0.02, 0.04, current.note, fontsize=9)
    fig.suptitle("backpropagation through x -> Linear -> activation -> Linear -> squared error"
                 "  (orange: this step, blue: cached values it reuses)", fontsize=10)
    return fig
