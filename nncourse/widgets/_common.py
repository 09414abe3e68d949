"""Shared pieces of the widgets: setting specs and checks, controls, and the picture frame.

Every widget is an ``ipywidgets.VBox`` whose main output is a PNG picture (an ``ipywidgets.Image``)
drawn by its figure function in :mod:`nncourse.widgets.figures`. The widget's words (a verdict, a
report, a caption) are shown once: as text beside the live picture, and inside the picture only
in the static copy, where no text is shown beside it. When the widget is displayed, its output also
carries that picture as ``image/png``: a live JupyterLab shows the interactive widget, while a
notebook run without a front end (nbval, an exported HTML page, slides) keeps the static picture.
"""
from __future__ import annotations

import base64
import html
import math
import numbers
import warnings
from dataclasses import dataclass

import ipywidgets as W

from nncourse.widgets.figures.canvas import figure_png

LABEL_STYLE = {"description_width": "initial"}
# one readout format for every slider of real numbers, linear or logarithmic: three significant
# digits without trailing zeros (in d3-format, a precision without a type is "g" with trailing
# zeros trimmed), so 0.1, 0.5, 0.001 and 10 read alike
FLOAT_READOUT = ".3"


@dataclass(frozen=True)
class Number:
    """A numeric setting in ``[low, high]``; ``integer`` for whole numbers, ``log`` for a log slider."""

    label: str
    low: float
    high: float
    integer: bool = False
    log: bool = False
    step: float | None = None
    text: bool = False  # a number box instead of a slider (e.g. a seed)

    def check(self, name: str, value):
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if self.integer:
            ok = ok and float(value).is_integer()
        if not ok or not math.isfinite(value) or not self.low <= value <= self.high:
            kind = "an integer" if self.integer else "a number"
            raise ValueError(f"expected {name} to be {kind} between {self.low:g} and "
                             f"{self.high:g}, got {value!r}")
        return int(value) if self.integer else float(value)

    def control(self, value):
        common = dict(description=self.label, style=LABEL_STYLE, continuous_update=False)
        if self.text:
            return W.BoundedIntText(value=value, min=int(self.low), max=int(self.high),
                                    description=self.label, style=LABEL_STYLE)
        if self.log:
            return W.FloatLogSlider(value=value, base=10, min=math.log10(self.low),
                                    max=math.log10(self.high), step=self.step or 0.1,
                                    readout_format=FLOAT_READOUT, **common)
        if self.integer:
            return W.IntSlider(value=value, min=int(self.low), max=int(self.high),
                               step=int(self.step or 1), **common)
        return W.FloatSlider(value=value, min=self.low, max=self.high, step=self.step or 0.01,
                             readout_format=FLOAT_READOUT, **common)


@dataclass(frozen=True)
class Choice:
    """A setting that takes one of a few strings."""

    label: str
    options: tuple
    what: str = ""  # what a value is, when the setting's name does not say it ("scaler")
    names: tuple = ()  # (value, text shown in the menu) pairs where the value alone is unclear

    def check(self, name: str, value):
        if not isinstance(value, str) or value not in self.options:
            what = f"{self.what} {value!r} for {name}" if self.what else f"{name} {value!r}"
            raise ValueError(f"unknown {what}; choose one of {', '.join(self.options)}")
        return value

    def control(self, value):
        shown = dict(self.names)
        return W.Dropdown(options=[(shown.get(o, o), o) for o in self.options], value=value,
                          description=self.label, style=LABEL_STYLE)


@dataclass(frozen=True)
class Flag:
    """An on/off setting."""

    label: str

    def check(self, name: str, value):
        if not isinstance(value, bool):
            raise ValueError(f"expected {name} to be True or False, got {value!r}")
        return value

    def control(self, value):
        return W.Checkbox(value=value, description=self.label, style=LABEL_STYLE, indent=False)


def check_settings(spec: dict, defaults: dict, settings: dict | None = None, *,
                   renamed: dict | None = None, **overrides) -> dict:
    """Merge ``defaults``, ``settings`` and keyword overrides, and check every value.

    Unknown names and out-of-range values raise a ValueError naming the setting, the value and
    the valid choices or range. ``renamed`` maps old setting names to their new names: an old
    name is still accepted for one release, with a DeprecationWarning.
    """
    if settings is not None and not isinstance(settings, dict):
        raise TypeError(f"expected settings to be a dict, got {type(settings).__name__}")
    merged, given = dict(defaults), set()
    for source in (settings or {}, overrides):
        for name, value in source.items():
            if renamed and name in renamed:
                new = renamed[name]
                warnings.warn(f"the setting {name!r} is now called {new!r}; {name!r} will be removed "
                              "in the next release", DeprecationWarning, stacklevel=3)
                if new in source or new in given:
                    raise ValueError(f"got both {name!r} and its new name {new!r}; pass only {new!r}")
                name = new
            if name not in spec:
                raise ValueError(f"unknown setting {name!r}; choose from {', '.join(spec)}")
            merged[name] = value
            given.add(name)
    return {name: spec[name].check(name, merged[name]) for name in spec}


def png_bundle(png: bytes) -> dict:
    """The ``image/png`` entry of a display bundle."""
    return {"image/png": base64.b64encode(png).decode("ascii")}


class PictureWidget(W.VBox):
    """Base class: a VBox whose display also carries its current picture as ``image/png``.

    Subclasses implement :meth:`_render`; :meth:`_show` puts the live picture (without the words,
    which the widget prints as text) in place, and :meth:`static_png` draws the words into the picture.
    """

    def __init__(self, children=(), **kwargs):
        self.image = W.Image(format="png", layout=W.Layout(max_width="100%"))
        self.image.add_class("nncourse-figure")
        self.message = W.HTML()
        self.message.add_class("nncourse-verdict")
        self.figure = None
        super().__init__(children=list(children), **kwargs)

    def _render(self, fig, words: bool):
        """Draw the current state into ``fig`` (None: a new figure) and return the figure; with
        ``words`` the verdict or caption goes into the picture too."""
        raise NotImplementedError

    def _show(self, message_html: str = "") -> None:
        """Redraw the live picture and put ``message_html`` (already escaped) beside it."""
        self.figure = self._render(self.figure, words=False)
        self.image.value = figure_png(self.figure)
        self.message.value = message_html

    def static_png(self) -> bytes:
        """The PNG shown when no front end draws the widget: the picture with its words in it."""
        if not self.image.value:
            return b""
        return figure_png(self._render(None, words=True))

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        png = self.static_png()
        if png:
            data.update(png_bundle(png))
        data["text/plain"] = repr(self)
        return data


def message_html(text: str, color: str | None = None) -> str:
    """A verdict as HTML: escaped, bold, wrapped at spaces by the browser like any paragraph."""
    style = f" style='color:{color}'" if color else ""
    return f"<span{style}><b>{html.escape(text)}</b></span>" if text else ""


class ControlledWidget(PictureWidget):
    """A picture widget driven by controls built from a setting spec.

    Subclasses set ``SPEC`` and ``DEFAULTS``, lay the controls out in :meth:`_controls_box` and redraw
    in :meth:`update`, which runs once at the start and again after every change of a control.
    """

    SPEC: dict = {}
    DEFAULTS: dict = {}

    def __init__(self, settings: dict) -> None:
        super().__init__()
        self.controls = {name: spec.control(settings[name]) for name, spec in self.SPEC.items()}
        self.children = [self._controls_box(), self.message, self.image]
        self.update()
        for control in self.controls.values():
            control.observe(lambda change: self.update(), names="value")

    @property
    def settings(self) -> dict:
        """The current settings, checked (pass them back to the widget's function to restore the view)."""
        return check_settings(self.SPEC, self.DEFAULTS, {n: c.value for n, c in self.controls.items()})

    def _controls_box(self) -> W.Widget:
        raise NotImplementedError

    def update(self) -> None:
        raise NotImplementedError
