"""The backpropagation stepper's figure: the computation graph with the values known after a step."""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from nncourse.widgets.figures.canvas import clear_figure


_GRAPH = {  # node: (x, y) in the drawing, inputs on the left, the loss on the right
    "x": (0.0, 1.0), "W1": (0.5, -0.1), "b1": (1.6, -0.1), "z1": (1.6, 1.0), "h": (3.2, 1.0),
    "W2": (3.8, -0.1), "b2": (4.8, -0.1), "y_hat": (4.8, 1.0), "t": (6.4, -0.1), "L": (6.4, 1.0),
}
_EDGES = [("x", "z1"), ("W1", "z1"), ("b1", "z1"), ("z1", "h"), ("h", "y_hat"), ("W2", "y_hat"),
          ("b2", "y_hat"), ("y_hat", "L"), ("t", "L")]


def _fmt(value) -> str:
    a = np.asarray(value, dtype=float) + 0.0  # no "-0"
    if a.ndim == 0 or a.size == 1:
        return f"{a.reshape(-1)[0]:.3g}"
    if a.ndim == 1:
        return "[" + ", ".join(f"{v:.3g}" for v in a) + "]"
    return "\n".join("[" + ", ".join(f"{v:.3g}" for v in row) + "]" for row in a)


def draw_backprop(steps: list, index: int, inputs: dict | None = None,
                  fig: Figure | None = None, caption: bool = True) -> Figure:
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
    caption : bool
        Write the step's formula, value and note under the graph (a widget that prints them beside
        the figure passes False).

    Returns
    -------
    Figure
    """
    if not 0 <= index < len(steps):
        raise ValueError(f"expected index between 0 and {len(steps) - 1}, got {index}")
    fig = clear_figure(fig, "backprop", 10.0, 4.4)
    ax = fig.add_axes((0.01, 0.2, 0.98, 0.72))
    ax.set_xlim(-0.75, 7.15)
    ax.set_ylim(-0.75, 1.55)
    ax.axis("off")
    names = {step.node: step.name for step in steps if step.phase == "forward"}  # "y_hat" is "ŷ"
    values = {k: v for k, v in (inputs or {}).items()}
    grads = {}
    for step in steps[:index + 1]:
        (values if step.phase == "forward" else grads)[step.node] = step.value
    current = steps[index]
    boxes = {}
    for node, (x, y) in _GRAPH.items():
        lines = [names.get(node, node) + (" (target)" if node == "t" else "")]
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
    if caption:
        reuse = f"   reuses cached: {', '.join(names.get(c, c) for c in current.cached)}" \
            if current.cached else ""
        fig.text(0.02, 0.11, f"step {index + 1} of {len(steps)} ({current.phase}): "
                 f"{current.formula} = {_fmt(current.value).replace(chr(10), ' ')}{reuse}",
                 fontsize=10, weight="bold")
        fig.text(0.02, 0.04, current.note, fontsize=9)
    fig.suptitle("backpropagation through x -> Linear -> activation -> Linear -> squared error"
                 "  (orange: this step, blue: cached values it reuses)", fontsize=10)
    return fig
