"""Offline slide decks: grouping by slide type, hidden code, MathML, self-contained reveal.js HTML, the CLI."""
import re
from pathlib import Path

import nbformat
import pytest

from nncourse.cli import main
from nncourse.slides import build_slides, export, markdown_to_html, shows_code, tex_to_mathml

ROOT = Path(__file__).resolve().parents[1]


def cell(kind, text, slide_type=None, outputs=None, meta=None):
    c = nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
    if slide_type:
        c.metadata["slideshow"] = {"slide_type": slide_type}
    if meta:
        c.metadata["nncourse"] = meta
    if outputs:
        c.outputs = outputs
    return c


def test_cells_are_grouped_by_slide_type():
    nb = nbformat.v4.new_notebook(cells=[
        cell("md", "# Title", "slide"),
        cell("code", "print(1)", "-", [nbformat.v4.new_output("stream", text="1\n")]),
        cell("md", "revealed later", "fragment"),
        cell("md", "say this aloud", "notes"),
        cell("code", "secret_setup()", "skip"),
        cell("md", "## Part two", "subslide"),
        cell("code", "print(2)", None, [nbformat.v4.new_output("stream", text="2\n")]),
    ])
    slides = build_slides(nb)
    assert len(slides) == 2
    first, second = slides
    assert len(first.steps) == 2 and "Title" in first.steps[0][0] and "1" in first.steps[0][1]
    assert "revealed later" in first.steps[1][0]
    assert first.notes and "say this aloud" in first.notes[0]
    assert not first.vertical and second.vertical
    assert "Part two" in second.steps[0][0] and "<pre class='nn-out'>2</pre>" in second.steps[0][1]
    assert not any("secret_setup" in block for s in slides for step in s.steps for block in step)


def test_unknown_slide_type_names_the_cell():
    nb = nbformat.v4.new_notebook(cells=[cell("md", "x", "sliide")])
    with pytest.raises(ValueError, match="slide_type 'sliide'; expected one of slide"):
        build_slides(nb)


def test_code_is_hidden_unless_metadata_or_an_exercise_shows_it():
    out = [nbformat.v4.new_output("stream", text="out\n")]
    hidden = cell("code", "plot_code()", "slide", out)
    shown = cell("code", "shown_code()", "slide", out, {"slides": {"show_code": True}})
    exercise = cell("code", "def relu(x): ...", "slide", None, {"exercise": "nb.relu"})
    forced_off = cell("code", "def relu2(x): ...", "slide", None, {"exercise": "nb.relu2", "slides": {"show_code": False}})
    assert [shows_code(c) for c in (hidden, shown, exercise, forced_off)] == [False, True, True, False]
    text = "".join(b for s in build_slides(nbformat.v4.new_notebook(cells=[hidden, shown, exercise, forced_off]))
                   for st in s.steps for b in st)
    assert "plot_code" not in text and "out" in text
    assert "shown_code()" in text and "def relu(x)" in text and "relu2" not in text
    with pytest.raises(TypeError, match="show_code must be true or false, got 'yes'"):
        shows_code(cell("code", "x", "slide", None, {"slides": {"show_code": "yes"}}))


def test_errors_warnings_and_bare_widgets_stay_off_the_slides():
    outputs = [nbformat.v4.new_output("stream", name="stderr", text="UserWarning: noise\n"),
               nbformat.v4.new_output("error", ename="ValueError", evalue="boom", traceback=[]),
               nbformat.v4.new_output("display_data", data={
                   "application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/plain": "VBox(...)"})]
    slides = build_slides(nbformat.v4.new_notebook(cells=[cell("md", "# T", "slide"), cell("code", "f()", "-", outputs)]))
    text = "".join(b for st in slides[0].steps for b in st)
    assert "noise" not in text and "boom" not in text and "VBox" not in text


def test_maths_becomes_mathml_and_code_keeps_its_dollars():
    page = markdown_to_html("Loss $L_i = -\\log p_{i,y_i}$ and `$not_maths$`\n\n$$\\frac{a_1}{b_2}$$\n\nPrice \\$5.")
    assert page.count("<math") == 2 and 'display="block"' in page
    assert "<mfrac>" in page and "<msub>" in page
    assert "<code>$not_maths$</code>" in page
    assert "$5" in page and "<em>" not in page  # `_` inside maths is not emphasis
    # a formula may run over a line break inside its paragraph, not over a blank line
    assert markdown_to_html("a $x +\ny$ b").count("<math") == 1
    assert markdown_to_html("a $x\n\ny$ b").count("<math") == 0


def test_formula_that_cannot_be_typeset_is_reported_and_shown_as_latex():
    with pytest.raises(ValueError, match=r"cannot typeset the formula 'x\^': MissingSuperScript"):
        tex_to_mathml("x^")
    with pytest.raises(ValueError, match=r"unknown command \\foo"):
        tex_to_mathml("\\foo x")
    problems = []
    page = markdown_to_html("bad $\\foo x$ here", problems)
    assert "nn-tex-error" in page and problems and "foo" in problems[0]


def test_images_are_inline_and_widgets_fall_back_to_their_picture(tmp_path):
    png = "iVBORw0KGgo="
    widget = nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/plain": "Playground(...)", "image/png": png})
    nb = nbformat.v4.new_notebook(cells=[cell("code", "playground()", "slide", [widget])])
    nbformat.write(nb, tmp_path / "w.ipynb")
    page = export(tmp_path / "w.ipynb", tmp_path / "out").read_text()
    assert f"src='data:image/png;base64,{png}'" in page
    assert "Playground(...)" not in page and "playground()" not in page


@pytest.mark.parametrize("path", sorted((ROOT / "solutions").glob("*.ipynb")), ids=lambda p: p.name)
def test_course_notebooks_export_to_self_contained_reveal_decks(path, tmp_path):
    page = export(path, tmp_path).read_text()
    nb = nbformat.read(path, as_version=4)
    starts = sum(c.metadata.get("slideshow", {}).get("slide_type") in ("slide", "subslide") for c in nb.cells)
    slide_divs = page.count("<div class='nn-slide'>")
    assert 0 < slide_divs <= starts
    # reveal.js and its speaker-notes plugin are in the page, not fetched
    assert "Reveal.initialize" in page and "RevealNotes" in page and "speaker-controls-notes" in page
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=['\"]?(https?:)?//", page)
    assert "<link" not in page and "@import" not in page
    assert not re.search(r"url\((['\"]?)(https?:)?//", page)
    # every formula of the notebook's slides is typeset
    if any("$" in c.source for c in nb.cells if c.cell_type == "markdown"
           and c.metadata.get("slideshow", {}).get("slide_type") not in ("skip",)):
        assert "<math" in page
    assert "class='nn-tex-error'" not in page


def test_cli_exports_and_reports_bad_paths(tmp_path, capsys):
    nb = nbformat.v4.new_notebook(cells=[cell("md", "# Hello $x$", "slide")])
    nbformat.write(nb, tmp_path / "hello.ipynb")
    assert main(["slides", str(tmp_path / "hello.ipynb"), "--out", str(tmp_path / "decks")]) == 0
    assert (tmp_path / "decks" / "hello.slides.html").exists()
    assert "<title>Hello $x$</title>" in (tmp_path / "decks" / "hello.slides.html").read_text()
    assert main(["slides", str(tmp_path / "missing.ipynb"), "--out", str(tmp_path)]) == 2
    assert "no notebook at" in capsys.readouterr().err
    (tmp_path / "bad.ipynb").write_text("not json")
    assert main(["slides", str(tmp_path / "bad.ipynb"), "--out", str(tmp_path)]) == 2
    assert "is not a notebook" in capsys.readouterr().err
    assert main(["slides", str(tmp_path / "hello.ipynb"), "--jobs", "0"]) == 2
    assert "--jobs must be at least 1, got 0" in capsys.readouterr().err


def test_execute_runs_the_notebook_with_slide_sized_figures(tmp_path, capsys):
    nb = nbformat.v4.new_notebook(cells=[
        cell("md", "# Run", "slide"),
        cell("code", "import matplotlib.pyplot as plt\nprint(plt.rcParams['font.size'], plt.rcParams['axes.labelsize'])", "-"),
        cell("code", "raise RuntimeError('a claim failed')", "skip")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "run.ipynb")
    assert main(["slides", str(tmp_path / "run.ipynb"), "--out", str(tmp_path), "--execute"]) == 0
    page = (tmp_path / "run.slides.html").read_text()
    assert "16.0 16.0" in page and "a claim failed" not in page
    assert "cells that raised" in capsys.readouterr().err
    assert "print(plt.rcParams" not in page  # the code is hidden, its output shown


def _run(coroutine):
    """Run a coroutine in a thread of its own: a browser test may keep an event loop running in this one."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_live_contents_manager_hides_continue_marks_and_writes_them_back(tmp_path):
    from nncourse.slides.live import SlideshowContentsManager

    nb = nbformat.v4.new_notebook(cells=[cell("md", "# T", "slide"), cell("code", "x", "-"),
                                         cell("code", "y", "skip")])
    nb.cells[1].metadata["slideshow"]["keep"] = 1
    nbformat.write(nb, tmp_path / "n.ipynb")
    manager = SlideshowContentsManager(root_dir=str(tmp_path))
    model = _run(manager.get("n.ipynb"))
    kinds = [c["metadata"].get("slideshow", {}).get("slide_type") for c in model["content"]["cells"]]
    assert kinds == ["slide", None, "skip"]  # what jupyterlab-slideshow reads as "continue"
    assert model["content"]["cells"][1]["metadata"]["slideshow"] == {"keep": 1}
    model["content"]["cells"].append(nbformat.v4.new_code_cell("new"))
    _run(manager.save({"type": "notebook", "format": "json", "content": model["content"]}, "n.ipynb"))
    saved = nbformat.read(tmp_path / "n.ipynb", as_version=4)
    assert [c.metadata["slideshow"]["slide_type"] for c in saved.cells] == ["slide", "-", "skip", "-"]


def test_slide_figures_wrap_titles_and_labels_to_the_room_they_have():
    """At slide font sizes a title written for one line at 10 pt runs into its neighbour: wrapped
    between words, every title and label stays inside its figure and clear of the others."""
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from nncourse.slides import SLIDE_RC
    from nncourse.slides.figures import wrap_figure_text

    def draw(wrap):
        with plt.rc_context(SLIDE_RC):
            fig, (a, b) = plt.subplots(1, 2, figsize=(6, 3))
            a.set_title("The training loss keeps falling, the validation loss turns up")
            b.set_title("Memorising wrong labels costs validation accuracy")
            a.set_ylabel("cross-entropy loss (nats per image)")
            b.set_xlabel("x")
            fig.suptitle("A figure title that is far too long to fit on one line of this small figure")
            if wrap:
                wrap_figure_text(fig)
            fig.canvas.draw()
            r = fig.canvas.get_renderer()
            boxes = [t.get_window_extent(r) for t in (a.title, b.title, a.yaxis.label, fig._suptitle)]
            texts = [t.get_text() for t in (a.title, b.title, a.yaxis.label, b.xaxis.label)]
            plt.close(fig)
            inside = all(fig.bbox.x0 - 1 <= bb.x0 and bb.x1 <= fig.bbox.x1 + 1 for bb in boxes)
            clear = not any(boxes[i].overlaps(boxes[j]) for i in range(4) for j in range(i + 1, 4))
            return inside and clear, texts

    assert draw(wrap=False)[0] is False  # the check can fail: unwrapped, these collide
    ok, texts = draw(wrap=True)
    assert ok, texts
    assert "\n" in texts[0] and " ".join(texts[0].split()) == "The training loss keeps falling, the validation loss turns up"
    assert texts[3] == "x"  # short text is left alone


def test_the_slide_preamble_wraps_every_figure_it_saves():
    from nncourse.slides import _PREAMBLE

    assert "wrap_when_drawn" in _PREAMBLE
    from matplotlib.backend_bases import FigureCanvasBase

    from nncourse.slides.figures import wrap_when_drawn

    before = FigureCanvasBase.print_figure
    try:
        wrap_when_drawn()
        wrap_when_drawn()  # once only
        assert FigureCanvasBase.print_figure._nn_wraps and FigureCanvasBase.print_figure is not before
        import io

        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(3, 2))
        ax.set_title("a title much too long for a figure only three inches wide at all")
        fig.savefig(io.BytesIO(), format="png")
        assert "\n" in ax.get_title()
        plt.close(fig)
    finally:
        FigureCanvasBase.print_figure = before
