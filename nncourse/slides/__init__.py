"""Offline slide decks: ``nncourse slides`` turns notebooks into self-contained reveal.js decks.

Each cell's ``metadata.slideshow.slide_type`` decides where it goes (see :mod:`nncourse.slides.cells`):
``slide`` starts a slide, ``subslide`` a slide below it, ``fragment`` is revealed by the next key
press, ``-`` joins the current slide, ``skip`` is left out and ``notes`` are the speaker notes.
Code is hidden where its output is the point; ``{"nncourse": {"slides": {"show_code": true}}}`` in
a code cell's metadata shows it (exercise cells show their code). Formulas (``$...$``, ``$$...$$``)
are typeset as MathML when the deck is built.

A deck is one HTML file with reveal.js, its styles, scripts and images inline: it opens from a USB
stick or an e-mail attachment with no network. reveal.js's keys work: arrows or space to step,
``s`` for the speaker view (notes, next slide, timer) in a second window, ``o`` or Esc for the
overview, ``f`` for full screen; open the deck with ``?print-pdf`` after its name and print to PDF.
Outputs come from the notebook as saved, or from running it first with ``--execute`` (figures are
then drawn with labels sized for a projector); widgets are shown as the static picture they carry.
Live slides with working widgets: ``jupyterlab-slideshow`` in JupyterLab (see the README).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .cells import SLIDE_TYPES, Slide, build_slides, shows_code, slide_type
from .maths import markdown_to_html, tex_to_mathml
from .reveal import render_html

__all__ = ["SLIDE_TYPES", "Slide", "build_slides", "shows_code", "slide_type", "markdown_to_html",
           "tex_to_mathml", "render_html", "execute", "export", "add_parser", "run"]

# run before a notebook's own cells when a deck is built with --execute: figures for a projector
# (16 pt text is about 22 px on the 1280 x 720 canvas, 33 px on a 1920 x 1080 screen), with titles
# and labels wrapped to the room they have at that size (nncourse.slides.figures)
SLIDE_RC = {
    "font.size": 16, "axes.titlesize": 18, "axes.labelsize": 16, "xtick.labelsize": 14,
    "ytick.labelsize": 14, "legend.fontsize": 14, "figure.titlesize": 18, "lines.linewidth": 2.2,
    "lines.markersize": 7, "figure.dpi": 120,
    # larger labels need the room: constrained layout keeps titles and axis labels apart
    "figure.constrained_layout.use": True,
}
_PREAMBLE = ("import matplotlib.pyplot as _nn_plt\n"
             f"_nn_plt.rcParams.update({SLIDE_RC!r})\n"
             "from nncourse.slides.figures import wrap_when_drawn as _nn_wrap\n"
             "_nn_wrap()\n"
             "del _nn_plt, _nn_wrap")


def _read(notebook: Path):
    try:
        import nbformat
    except ImportError:
        raise ValueError("building slides needs nbformat: pip install -e '.[lab]'") from None
    try:
        return nbformat.read(notebook, as_version=4)
    except FileNotFoundError:
        raise ValueError(f"no notebook at {str(notebook)!r}") from None
    except (json.JSONDecodeError, nbformat.reader.NotJSONError, UnicodeDecodeError) as exc:
        raise ValueError(f"{notebook} is not a notebook: {exc}") from None


def execute(notebook: Path, timeout: int = 600):
    """Run a notebook for its slides and return it (the file itself is not changed).

    The notebook runs in its own folder with a fresh ``python3`` kernel, figures drawn with
    :data:`SLIDE_RC`. A cell that raises does not stop the run: its error is kept as its output
    (and left off the slides), and ``metadata.nncourse_slides_errors`` lists the cells that raised.
    """
    import nbformat
    from nbclient import NotebookClient

    notebook = Path(notebook)
    nb = _read(notebook)
    setup = nbformat.v4.new_code_cell(_PREAMBLE)
    setup.metadata["slideshow"] = {"slide_type": "skip"}
    nb.cells.insert(0, setup)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                   store_widget_state=False,
                   resources={"metadata": {"path": str(notebook.parent.resolve())}}).execute()
    nb.cells.pop(0)
    nb.metadata["nncourse_slides_errors"] = [
        c.get("id", "?") for c in nb.cells
        if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    return nb


def _title(nb, fallback: str) -> str:
    for c in nb.cells:
        text = "".join(c.source) if isinstance(c.source, list) else c.source
        if c.cell_type == "markdown" and text.startswith("# "):
            return text[2:].splitlines()[0].strip()
    return fallback


def write_deck(nb, name: str, out_dir: Path) -> tuple[Path, list[str]]:
    """Write ``out_dir/<name>.slides.html`` for a notebook node; return its path and the problems
    found (formulas that could not be typeset)."""
    problems: list[str] = []
    page = render_html(build_slides(nb, problems), _title(nb, name))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.slides.html"
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    return target, problems


def export(notebook: Path, out_dir: Path, *, execute: bool = False, timeout: int = 600) -> Path:
    """Write ``out_dir/<notebook name>.slides.html`` and return its path.

    ``execute`` runs the notebook first (see :func:`execute`) so the deck shows current outputs.
    """
    notebook = Path(notebook)
    nb = globals()["execute"](notebook, timeout) if execute else _read(notebook)
    return write_deck(nb, notebook.stem, out_dir)[0]


def _build_one(notebook: str, out_dir: str, run_first: bool, timeout: int):
    nb = execute(Path(notebook), timeout) if run_first else _read(Path(notebook))
    path, problems = write_deck(nb, Path(notebook).stem, Path(out_dir))
    return str(path), problems, list(nb.metadata.get("nncourse_slides_errors", []))


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "slides", help="build offline reveal.js slide decks from notebooks",
        description="Build one self-contained reveal.js deck (a single HTML file, no network) per "
                    "notebook. In the deck: arrows or space to step, s for the speaker view (notes, "
                    "next slide, timer), o for the overview, f for full screen; add ?print-pdf to its "
                    "address to print it to PDF.")
    p.add_argument("notebooks", nargs="*", type=Path,
                   help="notebooks to build (default: every notebook in solutions/)")
    p.add_argument("--out", type=Path, default=Path("slides"), help="folder for the decks (default: slides/)")
    p.add_argument("--execute", action="store_true",
                   help="run each notebook first so the deck shows its outputs (figures sized for a projector)")
    p.add_argument("--jobs", type=int, default=1, help="notebooks run at the same time with --execute (default 1)")
    p.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell with --execute (default 600)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    notebooks = args.notebooks or sorted(Path("solutions").glob("*.ipynb"))
    if not notebooks:
        print("no notebooks given and none in solutions/", file=sys.stderr)
        return 2
    if args.jobs < 1:
        print(f"error: --jobs must be at least 1, got {args.jobs}", file=sys.stderr)
        return 2
    jobs = [(str(nb), str(args.out), bool(args.execute), args.timeout) for nb in notebooks]
    status = 0
    if args.jobs == 1 or not args.execute or len(jobs) == 1:
        results = (_try(_build_one, *job) for job in jobs)
    else:
        pool = ProcessPoolExecutor(max_workers=args.jobs)
        results = (f.result() for f in [pool.submit(_try, _build_one, *job) for job in jobs])
    for job, (result, error) in zip(jobs, results):
        if error:
            print(f"error: {error}", file=sys.stderr)
            status = 2
            continue
        path, problems, raised = result
        print(f"wrote {path}")
        for problem in problems:
            print(f"warning: {job[0]}: {problem}", file=sys.stderr)
        if raised:
            print(f"warning: {job[0]}: cells that raised (their errors are not on the slides): "
                  f"{', '.join(raised)}", file=sys.stderr)
    return status


def _try(fn, *args):
    try:
        return fn(*args), None
    except ValueError as exc:
        return None, str(exc)
