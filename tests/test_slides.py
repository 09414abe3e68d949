"""Offline slide decks: grouping by slide type, self-contained HTML, the CLI."""
import re
from pathlib import Path

import nbformat
import pytest

from nncourse.cli import main
from nncourse.slides import build_slides, export

ROOT = Path(__file__).resolve().parents[1]


def cell(kind, text, slide_type=None, outputs=None):
    c = nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
    if slide_type:
        c.metadata["slideshow"] = {"slide_type": slide_type}
    if outputs:
        c.outputs = outputs
    return c


def test_cells_are_grouped_by_slide_type():
    nb = nbformat.v4.new_notebook(cells=[
        cell("md", "# Title", "slide"),
        cell("code", "x = 1", "-"),
        cell("md", "revealed later", "fragment"),
        cell("md", "say this aloud", "notes"),
        cell("code", "secret_setup()", "skip"),
        cell("md", "## Part two", "subslide"),
        cell("code", "print(2)", None, [nbformat.v4.new_output("stream", text="2\n")]),
    ])
    slides = build_slides(nb)
    assert len(slides) == 2
    first, second = slides
    assert len(first.steps) == 2 and "Title" in first.steps[0][0] and "x = 1" in first.steps[0][1]
    assert "revealed later" in first.steps[1][0]
    assert first.notes and "say this aloud" in first.notes[0]
    assert "Part two" in second.steps[0][0] and "<pre class='out'>2\n</pre>" in second.steps[0][1]
    assert not any("secret_setup" in block for s in slides for step in s.steps for block in step)


def test_unknown_slide_type_names_the_cell():
    nb = nbformat.v4.new_notebook(cells=[cell("md", "x", "sliide")])
    with pytest.raises(ValueError, match="slide_type 'sliide'; expected one of slide"):
        build_slides(nb)


def test_images_are_inline_and_widgets_fall_back_to_their_picture(tmp_path):
    png = "iVBORw0KGgo="
    widget = nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/plain": "Playground(...)", "image/png": png})
    nb = nbformat.v4.new_notebook(cells=[cell("code", "playground()", "slide", [widget])])
    nbformat.write(nb, tmp_path / "w.ipynb")
    page = export(tmp_path / "w.ipynb", tmp_path / "out").read_text()
    assert f"src='data:image/png;base64,{png}'" in page
    assert "Playground(...)" not in page


@pytest.mark.parametrize("path", sorted((ROOT / "solutions").glob("*.ipynb")), ids=lambda p: p.name)
def test_course_notebooks_export_to_self_contained_decks(path, tmp_path):
    page = export(path, tmp_path).read_text()
    nb = nbformat.read(path, as_version=4)
    starts = sum(c.metadata.get("slideshow", {}).get("slide_type") in ("slide", "subslide") for c in nb.cells)
    assert page.count("<section") == starts
    # nothing is fetched when the deck opens: no external scripts, styles or images
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=['\"]https?:", page)
    assert "<link" not in page


def test_cli_exports_and_reports_bad_paths(tmp_path, capsys):
    nb = nbformat.v4.new_notebook(cells=[cell("md", "# Hello", "slide")])
    nbformat.write(nb, tmp_path / "hello.ipynb")
    assert main(["slides", str(tmp_path / "hello.ipynb"), "--out", str(tmp_path / "decks")]) == 0
    assert (tmp_path / "decks" / "hello.slides.html").exists()
    assert "<title>Hello</title>" in (tmp_path / "decks" / "hello.slides.html").read_text()
    assert main(["slides", str(tmp_path / "missing.ipynb"), "--out", str(tmp_path)]) == 2
    assert "no notebook at" in capsys.readouterr().err
    (tmp_path / "bad.ipynb").write_text("not json")
    assert main(["slides", str(tmp_path / "bad.ipynb"), "--out", str(tmp_path)]) == 2
    assert "is not a notebook" in capsys.readouterr().err
