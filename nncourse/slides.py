"""Offline slide decks: ``nncourse slides`` turns notebooks into self-contained HTML presentations.

Each cell's ``metadata.slideshow.slide_type`` decides where it goes:

- ``slide`` and ``subslide`` start a new slide;
- ``fragment`` is added to the current slide and revealed by the next key press;
- ``-`` (or no slide type) is added to the current slide;
- ``skip`` is left out;
- ``notes`` become the speaker notes of the current slide (shown with the ``n`` key).

The deck is one HTML file with its styles, script and images inline: it opens from a USB stick or an
e-mail attachment with no network. Keys: right arrow, space or page down for the next step; left
arrow or page up for the previous one; home and end; ``n`` toggles the speaker notes; ``p`` shows
every slide one under another (for printing to PDF). Outputs come from the notebook as saved, or
from running it first with ``--execute``; interactive widgets are shown as the static picture they
carry. ``jupyterlab-rise`` (installed with the ``lab`` extra) presents the same notebooks live
inside JupyterLab.
"""
from __future__ import annotations

import argparse
import base64
import html
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")


@dataclass
class Slide:
    """One slide: its steps (each a list of HTML blocks revealed together) and its speaker notes."""
    steps: list[list[str]] = field(default_factory=lambda: [[]])
    notes: list[str] = field(default_factory=list)


def slide_type(cell) -> str:
    """The cell's slide type (``"-"`` when it has none); an unknown one is an error naming the cell."""
    kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")
    if kind not in SLIDE_TYPES:
        raise ValueError(f"cell {cell.get('id', '?')!r} has slide_type {kind!r}; expected one of {', '.join(SLIDE_TYPES)}")
    return kind


def build_slides(nb) -> list[Slide]:
    """Group the cells of a notebook (an nbformat node or dict) into slides."""
    slides: list[Slide] = []
    for cell in nb["cells"]:
        kind = slide_type(cell)
        if kind == "skip":
            continue
        if kind == "notes":
            if not slides:
                slides.append(Slide())
            slides[-1].notes.append(_markdown(_source(cell)) if cell["cell_type"] == "markdown" else _code(cell))
            continue
        block = _cell_html(cell)
        if not block:
            continue
        if kind in ("slide", "subslide") or not slides:
            slides.append(Slide())
        elif kind == "fragment":
            slides[-1].steps.append([])
        slides[-1].steps[-1].append(block)
    return slides


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _markdown(text: str) -> str:
    try:
        import mistune
    except ImportError:  # mistune comes with JupyterLab's nbconvert; plain text without it
        return f"<div class='md'><pre>{html.escape(text)}</pre></div>"
    return f"<div class='md'>{mistune.html(text)}</div>"


def _code(cell) -> str:
    return f"<pre class='code'><code>{html.escape(_source(cell))}</code></pre>"


def _cell_html(cell) -> str:
    if cell["cell_type"] == "markdown":
        return _markdown(_source(cell))
    if cell["cell_type"] != "code":
        return ""
    parts = [_code(cell)] if _source(cell).strip() else []
    parts += [_output_html(out) for out in cell.get("outputs", [])]
    return "\n".join(p for p in parts if p)


def _output_html(out) -> str:
    kind = out.get("output_type")
    if kind == "stream":
        text = out.get("text", "")
        return f"<pre class='out'>{html.escape(''.join(text) if isinstance(text, list) else text)}</pre>"
    if kind == "error":
        return f"<pre class='out error'>{html.escape(out.get('ename', ''))}: {html.escape(out.get('evalue', ''))}</pre>"
    data = out.get("data", {})
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            payload = data[mime]
            payload = "".join(payload) if isinstance(payload, list) else payload
            return f"<img class='out' alt='figure' src='data:{mime};base64,{payload.strip()}'>"
    if "image/svg+xml" in data:
        svg = data["image/svg+xml"]
        svg = "".join(svg) if isinstance(svg, list) else svg
        return f"<img class='out' alt='figure' src='data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}'>"
    if "text/html" in data and "application/vnd.jupyter.widget-view+json" not in data:
        body = data["text/html"]
        return f"<div class='out'>{''.join(body) if isinstance(body, list) else body}</div>"
    if "text/plain" in data and "application/vnd.jupyter.widget-view+json" not in data:
        text = data["text/plain"]
        return f"<pre class='out'>{html.escape(''.join(text) if isinstance(text, list) else text)}</pre>"
    return ""


_STYLE = """
body{margin:0;font:22px/1.45 system-ui,sans-serif;background:#f4f4f0;color:#1d1d1d}
section{display:none;box-sizing:border-box;width:100%;min-height:100vh;padding:4vh 6vw}
section.current{display:block}
.step{display:none}.step.shown{display:block}
h1{font-size:1.9em;margin:.2em 0}h2{font-size:1.5em;margin:.2em 0}
pre{font:15px/1.35 ui-monospace,monospace;white-space:pre-wrap;margin:.4em 0}
pre.code{background:#fff;border-left:4px solid #3b6ea5;padding:.5em .8em}
pre.out{color:#333;padding:0 .8em}pre.error{color:#a12}
img.out{max-width:88vw;max-height:62vh;display:block;margin:.5em 0}
table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2em .5em}
aside{display:none;position:fixed;bottom:0;left:0;right:0;max-height:35vh;overflow:auto;
background:#222;color:#eee;font-size:17px;padding:.6em 2em}
body.notes section.current aside{display:block}
#counter{position:fixed;right:1.2em;bottom:.6em;font-size:14px;color:#666}
body.print section{display:block;min-height:auto;page-break-after:always;border-bottom:1px solid #ccc}
body.print .step{display:block}body.print #counter{display:none}
@media print{section{display:block!important;min-height:auto;page-break-after:always}
.step{display:block!important}#counter,aside{display:none!important}}
"""

_SCRIPT = """
(function(){
  var slides=[].slice.call(document.querySelectorAll('section')),s=0,f=0;
  function steps(i){return slides[i].querySelectorAll('.step')}
  function show(){
    slides.forEach(function(el,i){el.classList.toggle('current',i===s)});
    [].forEach.call(steps(s),function(el,j){el.classList.toggle('shown',j<=f)});
    document.getElementById('counter').textContent=(s+1)+' / '+slides.length;
    if(location.hash!=='#'+(s+1))history.replaceState(null,'','#'+(s+1));
  }
  function next(){if(f<steps(s).length-1){f++}else if(s<slides.length-1){s++;f=0}show()}
  function prev(){if(f>0){f--}else if(s>0){s--;f=steps(s).length-1}show()}
  document.addEventListener('keydown',function(e){
    var k=e.key;
    if(k==='ArrowRight'||k===' '||k==='PageDown'){next();e.preventDefault()}
    else if(k==='ArrowLeft'||k==='PageUp'){prev();e.preventDefault()}
    else if(k==='Home'){s=0;f=0;show()}
    else if(k==='End'){s=slides.length-1;f=steps(s).length-1;show()}
    else if(k==='n'){document.body.classList.toggle('notes')}
    else if(k==='p'){document.body.classList.toggle('print')}
  });
  document.addEventListener('click',function(e){if(e.target.tagName!=='A')next()});
  var h=parseInt(location.hash.slice(1),10);if(h>=1&&h<=slides.length){s=h-1}
  show();
})();
"""


def render_html(slides: list[Slide], title: str) -> str:
    """The whole deck as one self-contained HTML page."""
    sections = []
    for i, slide in enumerate(slides, start=1):
        steps = "\n".join(f"<div class='step'>{''.join(step)}</div>" for step in slide.steps)
        notes = f"<aside>{''.join(slide.notes)}</aside>" if slide.notes else ""
        sections.append(f"<section id='s{i}'>\n{steps}\n{notes}\n</section>")
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>\n<body>\n"
            + "\n".join(sections)
            + f"\n<div id='counter'></div>\n<script>{_SCRIPT}</script>\n</body></html>\n")


def export(notebook: Path, out_dir: Path, *, execute: bool = False, timeout: int = 300) -> Path:
    """Write ``out_dir/<notebook name>.slides.html`` and return its path.

    ``execute`` runs the notebook first (in its own folder, with a fresh ``python3`` kernel) so the
    deck shows current outputs; the notebook file itself is not changed.
    """
    try:
        import nbformat
    except ImportError:
        raise ValueError("exporting slides needs nbformat: pip install 'nncourse[lab]'") from None

    notebook = Path(notebook)
    try:
        nb = nbformat.read(notebook, as_version=4)
    except FileNotFoundError:
        raise ValueError(f"no notebook at {str(notebook)!r}") from None
    except (json.JSONDecodeError, nbformat.reader.NotJSONError) as exc:
        raise ValueError(f"{notebook} is not a notebook: {exc}") from None
    if execute:
        from nbclient import NotebookClient

        NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=False,
                       resources={"metadata": {"path": str(notebook.parent.resolve())}}).execute()
    title = next((_source(c).lstrip("# ").splitlines()[0] for c in nb.cells
                  if c.cell_type == "markdown" and _source(c).startswith("# ")), notebook.stem)
    page = render_html(build_slides(nb), title)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{notebook.stem}.slides.html"
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    return target


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("slides", help="export notebooks as offline HTML slide decks",
                       description="Export notebooks as self-contained HTML slide decks (no network needed "
                                   "to present them). Keys: arrows/space to step, n for speaker notes, "
                                   "p for a printable view.")
    p.add_argument("notebooks", nargs="*", type=Path,
                   help="notebooks to export (default: every notebook in solutions/)")
    p.add_argument("--out", type=Path, default=Path("slides"), help="folder for the decks (default: slides/)")
    p.add_argument("--execute", action="store_true", help="run each notebook first so the deck shows its outputs")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    notebooks = args.notebooks or sorted(Path("solutions").glob("*.ipynb"))
    if not notebooks:
        print("no notebooks given and none in solutions/", file=sys.stderr)
        return 2
    for nb in notebooks:
        try:
            path = export(nb, args.out, execute=args.execute)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"wrote {path}")
    return 0
