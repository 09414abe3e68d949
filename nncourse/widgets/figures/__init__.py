"""Each widget's figure, next to its widget, plus the one canvas they share.

- :mod:`~nncourse.widgets.figures.canvas`: a headless matplotlib figure, its PNG, figure reuse;
- ``draw_playground``, ``draw_health``, ``draw_gradient_flow``, ``draw_scaling``, ``draw_backprop``:
  one module per widget. Each takes the widget's result object (which carries every value the
  picture needs) and an optional figure to redraw into.
"""
from nncourse.widgets.figures.backprop import draw_backprop  # noqa: F401
from nncourse.widgets.figures.canvas import figure_png, new_figure  # noqa: F401
from nncourse.widgets.figures.gradflow import draw_gradient_flow  # noqa: F401
from nncourse.widgets.figures.health import draw_health  # noqa: F401
from nncourse.widgets.figures.playground import draw_playground  # noqa: F401
from nncourse.widgets.figures.scaling import draw_scaling  # noqa: F401
