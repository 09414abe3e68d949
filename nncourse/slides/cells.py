"""Notebook cells to slides: grouping by slide type, and each cell's HTML.

- ``slide`` starts a new slide (a column in reveal.js); ``subslide`` starts a slide below it;
- ``fragment`` is added to the current slide and revealed by the next key press;
- ``-`` (or no slide type) is added to the current slide; ``skip`` is left out;
- ``notes`` become the speaker notes of the current slide (reveal.js's speaker view, key ``s``).

Code is hidden where its output is the point: a code cell shows only its outputs, unless its
metadata says ``{"nncourse": {"slides": {"show_code": true}}}`` or it is an exercise cell
(``{"nncourse": {"exercise": ...}}``), whose code is the lesson. Error tracebacks and warnings
(``stderr``) are left out; a widget is shown as the static picture it carries.
"""
from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field

from .maths import markdown_to_html

SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")


@dataclass
class Slide:
    """One slide: its steps (each a list of HTML blocks revealed together) and its speaker notes.

    ``vertical`` is True for a ``subslide`` (shown below the slide before it in reveal.js).
    """
    steps: list[list[str]] = field(default_factory=lambda: [[]])
    notes: list[str] = field(default_factory=list)
    vertical: bool = False


def slide_type(cell) -> str:
    """The cell's slide type (``"-"`` when it has none); an unknown one is an error naming the cell."""
    kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")
    if kind not in SLIDE_TYPES:
        raise ValueError(f"cell {cell.get('id', '?')!r} has slide_type {kind!r}; "
                         f"expected one of {', '.join(SLIDE_TYPES)}")
    return kind


def shows_code(cell) -> bool:
    """Whether a code cell's source appears on its slide (see the module's docstring)."""
    meta = cell.get("metadata", {}).get("nncourse", {})
    if not isinstance(meta, dict):
        return False
    slides = meta.get("slides", {})
    if isinstance(slides, dict) and "show_code" in slides:
        flag = slides["show_code"]
        if not isinstance(flag, bool):
            raise TypeError(f"cell {cell.get('id', '?')!r}: nncourse.slides.show_code must be true or "
                            f"false, got {flag!r}")
        return flag
    return "exercise" in meta


def build_slides(nb, problems: list[str] | None = None) -> list[Slide]:
    """Group the cells of a notebook (an nbformat node or dict) into slides.

    Formulas that cannot be typeset are reported in ``problems`` (when given).
    """
    slides: list[Slide] = []
    for cell in nb["cells"]:
        kind = slide_type(cell)
        if kind == "skip":
            continue
        if kind == "notes":
            if not slides:
                slides.append(Slide())
            slides[-1].notes.append(markdown_to_html(source(cell), problems) if cell["cell_type"] == "markdown"
                                    else _code(cell))
            continue
        block = cell_html(cell, problems)
        if not block:
            continue
        if kind in ("slide", "subslide") or not slides:
            slides.append(Slide(vertical=kind == "subslide" and bool(slides)))
        elif kind == "fragment":
            slides[-1].steps.append([])
        slides[-1].steps[-1].append(block)
    return slides


def source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else (value or "")


def _code(cell) -> str:
    return f"<pre class='nn-code'><code>{html.escape(source(cell).rstrip())}</code></pre>"


def cell_html(cell, problems: list[str] | None = None) -> str:
    """One cell's HTML on a slide ("" when nothing of it is shown)."""
    if cell["cell_type"] == "markdown":
        return f"<div class='nn-md'>{markdown_to_html(source(cell), problems)}</div>"
    if cell["cell_type"] != "code":
        return ""
    parts = [_code(cell)] if shows_code(cell) and source(cell).strip() else []
    parts += [output_html(out) for out in cell.get("outputs", [])]
    parts = [p for p in parts if p]
    if not parts:
        return ""
    figure = " nn-has-figure" if any("nn-figure" in p for p in parts) else ""
    return f"<div class='nn-cell{figure}'>" + "\n".join(parts) + "</div>"


def output_html(out) -> str:
    """One output of a code cell: a figure, HTML, or text ("" for errors, warnings and bare widgets)."""
    kind = out.get("output_type")
    if kind == "stream":
        if out.get("name") == "stderr":
            return ""
        return f"<pre class='nn-out'>{html.escape(_text(out.get('text')).rstrip())}</pre>"
    if kind not in ("display_data", "execute_result"):
        return ""
    data = out.get("data", {})
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            payload = _text(data[mime]).strip()
            return f"<div class='nn-figure'><img alt='figure' src='data:{mime};base64,{payload}'></div>"
    if "image/svg+xml" in data:
        svg = base64.b64encode(_text(data["image/svg+xml"]).encode()).decode()
        return f"<div class='nn-figure'><img alt='figure' src='data:image/svg+xml;base64,{svg}'></div>"
    if "application/vnd.jupyter.widget-view+json" in data:
        return ""
    if "text/html" in data:
        return f"<div class='nn-html'>{_text(data['text/html'])}</div>"
    if "text/markdown" in data:
        return f"<div class='nn-md'>{markdown_to_html(_text(data['text/markdown']))}</div>"
    if "text/plain" in data:
        return f"<pre class='nn-out'>{html.escape(_text(data['text/plain']))}</pre>"
    return ""
