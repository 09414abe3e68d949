"""The playground's figure: loss curves, and the decision boundary (2-D data) or confusion matrix (digits)."""
from __future__ import annotations

import matplotlib
import matplotlib.lines
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from nncourse.widgets.figures.canvas import plain_log_labels, reuse_figure, wrap

POINT_COLORS = ListedColormap(["#d95f02", "#1b9e77"])  # class 0, class 1
BOUNDARY_CMAP = "PuOr"


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
    fig, st, fresh = reuse_figure(fig, "playground-" + kind, 10.0, 4.3)
    if fresh:
        ax_loss, ax_right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
        fig.subplots_adjust(left=0.07, right=0.97 if kind == "digits" else 0.93, bottom=0.12, wspace=0.28)
        st["title"] = fig.suptitle("", fontsize=10, y=0.985, va="top")
        (st["train"],) = ax_loss.plot([], [], color="#1f77b4", label="training")
        (st["val"],) = ax_loss.plot([], [], color="#ff7f0e", label="validation")
        (st["best"],) = ax_loss.plot([], [], "o", color="#ff7f0e", ms=5,
                                     label="lowest validation loss")
        ax_loss.set_yscale("log")
        plain_log_labels(ax_loss.yaxis)
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
    text = "\n".join(t for t in (title, wrap(result.verdict, 120) if verdict else "") if t)
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
    bar = ax.figure.colorbar(st["image"], ax=ax, fraction=0.06, pad=0.03)
    bar.set_label("network's P(class 1)", fontsize=9)
    bar.solids.set_alpha(0.55)  # the same shades as the picture
    bar.ax.tick_params(labelsize=8)
    key = [matplotlib.lines.Line2D([], [], ls="", marker=m, ms=6, mfc=c, mec="black", mew=0.4, label=t)
           for m, c, t in (("o", POINT_COLORS(0), "class 0"), ("o", POINT_COLORS(1), "class 1"),
                           ("o", "white", "training"), ("^", "white", "validation"))]
    ax.legend(handles=key, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, fontsize=8,
              frameon=False, borderaxespad=0.1, handletextpad=0.2, columnspacing=0.8)
    ax.set_xlabel("feature $x_1$")
    ax.set_ylabel("feature $x_2$")
    ax.set_title("decision boundary", pad=20)
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
