"""Figure text for slides: titles and axis labels wrapped to the room they have.

A deck draws the notebook's figures with fonts for a projector (:data:`nncourse.slides.SLIDE_RC`,
16-18 pt) on figures sized for the notebook (10 pt). A title written for one line at 10 pt then
runs into its neighbour or into the y-axis label. :func:`wrap_figure_text` breaks such text between
words so that each line fits its axes (or the figure, for a suptitle), and
:func:`wrap_when_drawn` makes every figure of a kernel do that just before it is saved.
"""
from __future__ import annotations

import textwrap

#: the width of an average character, in units of the font size (DejaVu Sans runs about 0.55 em)
CHAR_EM = 0.6


def _wrapped(text: str, inches: float, points: float) -> str:
    chars = max(10, int(inches * 72 / (CHAR_EM * points)))
    lines = []
    for line in text.split("\n"):
        lines.extend(textwrap.wrap(line, chars, break_long_words=False) or [""])
    return "\n".join(lines)


def wrap_figure_text(fig) -> None:
    """Break every title, axis label and suptitle of ``fig`` between words so that it fits."""
    width, height = fig.get_size_inches()
    for ax in fig.axes:
        box = ax.get_position()
        for text, room in ((ax.title, box.width * width), (ax.xaxis.label, box.width * width),
                           (ax.yaxis.label, box.height * height)):
            if text.get_text():
                text.set_text(_wrapped(text.get_text(), room, text.get_fontsize()))
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        suptitle.set_text(_wrapped(suptitle.get_text(), width * 0.95, suptitle.get_fontsize()))


def wrap_when_drawn() -> None:
    """From now on, wrap each figure's text (:func:`wrap_figure_text`) just before it is saved."""
    from matplotlib.backend_bases import FigureCanvasBase

    if getattr(FigureCanvasBase.print_figure, "_nn_wraps", False):
        return
    original = FigureCanvasBase.print_figure

    def print_figure(self, *args, **kwargs):
        wrap_figure_text(self.figure)
        return original(self, *args, **kwargs)

    print_figure._nn_wraps = True
    FigureCanvasBase.print_figure = print_figure
