"""The canvas every widget figure is drawn on: a headless matplotlib ``Figure`` and its PNG.

Nothing here uses ``pyplot`` or a GUI, so every figure works headless (Agg). A ``draw_*`` function
takes what to draw and an optional ``fig`` to draw into; passing the figure it returned last time
updates the existing artists instead of rebuilding them (much faster inside a widget).
"""
from __future__ import annotations

import io
import textwrap

import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter


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


def reuse_figure(fig: Figure | None, kind: str, width: float, height: float):
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


def wrap(text: str, width: int = 110) -> str:
    """``text`` broken into lines of at most ``width`` characters, at spaces (never inside a word)."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) \
        if text else ""


def plain_log_labels(axis) -> None:
    """Label a log axis with plain numbers (0.1, 1, 10) and no minor labels (fast to draw)."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def clear_figure(fig: Figure | None, kind: str, width: float, height: float) -> Figure:
    """A figure to redraw from scratch as ``kind``: ``fig`` cleared, or a new one of the given size."""
    fig, state, _ = reuse_figure(fig, kind, width, height)
    fig.clear()
    fig._nncourse_state = state
    return fig
