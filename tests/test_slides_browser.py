"""Offline reveal.js decks in headless Chromium: every deck built from ``solutions/*.ipynb`` with its
figures, opened from ``file://`` with every other request blocked and counted.

For each deck, at 1920x1080 and at 1280x720: every slide (with all its fragments shown) fits the
screen (nothing taller or wider than the slide, nothing outside the window), every formula is a
rendered MathML element, zero requests leave the file, and the speaker notes are in the page. On
one deck the speaker view is opened in a second window at 1280x720 (notes, current and next
slide, timer). The decks need every notebook executed: ``make test`` saves the solution notebooks
that nbval runs, and each deck is tested on that notebook's worker right after it (see the
project's conftest.py). A screenshot of a slide with maths and a figure is saved under
``tests/artifacts/``.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from nncourse.slides import slide_type
from test_browser import _screenshot

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "solutions").glob("*.ipynb"))
SIZES = [(1920, 1080), (1280, 720)]
LOCAL = ("file:", "data:", "blob:", "about:")
# text shrunk below this share of its size (30 px on the 1280x720 canvas) is too small for a hall
MIN_FIT = 0.6
# the speaker view is reveal.js's notes plugin, the same in every deck: it is opened on one deck
# (each deck's notes are checked in its page, and test_slides.py checks how notes cells become notes)
SPEAKER_VIEW = ("01_backprop.ipynb",)

# every slide, fragments all shown: what does not fit, formulas that did not render, shrink factors
MEASURE = """() => {
  const problems = [], fits = [];
  const vw = window.innerWidth, vh = window.innerHeight;
  let mathCount = 0;
  for (const section of Reveal.getSlides()) {
    const {h, v} = Reveal.getIndices(section);
    Reveal.slide(h, v);
    while (Reveal.nextFragment()) {}
    const box = section.querySelector('.nn-slide');
    const where = `slide ${h}/${v} (${(section.querySelector('h1,h2,h3') || {}).textContent || 'untitled'})`;
    if (!box) { problems.push(`${where}: no content`); continue; }
    fits.push(parseFloat(box.dataset.fit));
    if (box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1)
      problems.push(`${where}: content ${box.scrollWidth}x${box.scrollHeight} in a ${box.clientWidth}x${box.clientHeight} slide`);
    const r = box.getBoundingClientRect();
    if (r.left < -1 || r.top < -1 || r.right > vw + 1 || r.bottom > vh + 1)
      problems.push(`${where}: slide at ${r.left},${r.top},${r.right},${r.bottom} outside the ${vw}x${vh} window`);
    for (const el of box.querySelectorAll('*')) {
      if (el.closest('math') && el.tagName.toLowerCase() !== 'math') continue;
      const e = el.getBoundingClientRect();
      if (e.width === 0 && e.height === 0) continue;
      if (e.left < r.left - 2 || e.right > r.right + 2 || e.top < r.top - 2 || e.bottom > r.bottom + 2) {
        problems.push(`${where}: <${el.tagName.toLowerCase()}> sticks out of the slide`); break;
      }
    }
    for (const m of box.querySelectorAll('math')) {
      mathCount += 1;
      const e = m.getBoundingClientRect();
      if (!(m instanceof MathMLElement) || e.width <= 0 || e.height <= 0)
        problems.push(`${where}: a formula is not rendered: ${m.textContent.slice(0, 40)}`);
    }
    for (const bad of box.querySelectorAll('.nn-tex-error'))
      problems.push(`${where}: formula left as LaTeX: ${bad.textContent.slice(0, 40)}`);
  }
  Reveal.slide(0, 0);
  return {problems, fits, mathCount};
}"""


def _open(browser, deck: Path, size):
    """A page showing ``deck`` at ``size``; returns (context, page, outside requests, page errors)."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    outside, errors = [], []

    def route(r):
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)  # the context's route also covers the speaker view's window
    context.on("weberror", lambda e: errors.append(str(e.error)))
    page = context.new_page()
    page.goto(deck.as_uri())
    page.wait_for_function("document.body.dataset.fitted === 'yes'", timeout=60_000)
    return context, page, outside, errors


def _speaker_view(context, page, nb_path: Path):
    """Open the speaker view with ``s`` on a slide that has notes (if any); check what it shows."""
    with_notes = page.evaluate("""() => {
        const s = Reveal.getSlides().find(s => s.querySelector('aside.notes'));
        if (!s) return null;
        const {h, v} = Reveal.getIndices(s); Reveal.slide(h, v);
        return s.querySelector('aside.notes').textContent.trim().slice(0, 30);
    }""")
    with context.expect_page(timeout=20_000) as popup_info:
        page.keyboard.press("s")
    popup = popup_info.value
    popup.wait_for_selector(".speaker-controls-time", timeout=20_000)
    for which in ("current", "upcoming"):  # both frames run the deck from the same file
        popup.frame_locator(f"#{which}-slide iframe").locator("body[data-fitted='yes']").wait_for(
            state="attached", timeout=60_000)
    assert popup.locator("#current-slide iframe").count() == 1
    assert popup.locator("#upcoming-slide iframe").count() == 1
    popup.wait_for_function("document.querySelector('.speaker-controls-time .timer').textContent.includes(':')",
                            timeout=10_000)
    if with_notes:
        notes = popup.locator(".speaker-controls-notes .value")
        notes.wait_for(timeout=10_000)
        assert with_notes.split()[0] in notes.inner_text(), (with_notes, notes.inner_text()[:80])
    popup.close()


def _check(browser, deck: Path, nb_path: Path, sizes=SIZES, speaker: bool = True):
    """Measure every slide at each size (the window resized in between, as a presenter's would be),
    then open the speaker view at the last size."""
    context, page, outside, errors = _open(browser, deck, sizes[0])
    try:
        for size in sizes:
            if size != sizes[0]:  # reveal.js lays the slides out again for the new window
                scale = page.evaluate("Reveal.getScale()")
                page.set_viewport_size({"width": size[0], "height": size[1]})
                page.wait_for_function(f"window.innerWidth === {size[0]} && Reveal.getScale() !== {scale}",
                                       timeout=10_000)
            result = page.evaluate(MEASURE)
            assert not result["problems"], f"{nb_path.name} at {size}: " + "; ".join(result["problems"][:6])
            assert min(result["fits"]) >= MIN_FIT, (nb_path.name, size, result["fits"])
        if speaker:
            _speaker_view(context, page, nb_path)
        assert not errors, f"{nb_path.name}: errors in the page: {errors[:3]}"
        assert outside == [], f"{nb_path.name}: requests outside the file: {outside[:5]}"
        return result
    finally:
        context.close()


def _notebook_id(path: Path) -> str:
    """``solutions/<name>.ipynb``: under make test the test then runs after that notebook, on its
    worker, where the notebook's executed copy was just saved (see ``work_unit`` in conftest.py)."""
    return path.relative_to(ROOT).as_posix()


@pytest.fixture(scope="session")
def figure_deck(executed_solution, tmp_path_factory):
    """A function: the deck of ``solutions/<name>`` built from its executed copy (see conftest.py)."""
    from nncourse.slides import export

    out, built = tmp_path_factory.mktemp("figure_decks"), {}

    def deck(name: str) -> Path:
        if name not in built:
            built[name] = export(executed_solution(name), out)
        return built[name]

    return deck


@pytest.mark.slow
@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=_notebook_id)
def test_deck_fits_and_presents(browser, figure_deck, nb_path):
    deck = figure_deck(nb_path.name)
    html = deck.read_text()
    assert "nn-figure" in html, f"{nb_path.name}: the executed deck shows no figure"
    notes = [c for c in json.loads(nb_path.read_text())["cells"] if slide_type(c) == "notes"]
    assert (html.count("<aside class='notes'>") > 0) == bool(notes), f"{nb_path.name}: speaker notes lost"
    result = _check(browser, deck, nb_path, SIZES, speaker=nb_path.name in SPEAKER_VIEW)
    if "$" in nb_path.read_text():
        assert result["mathCount"] > 0, f"{nb_path.name} has formulas but its deck shows none"


SCREENSHOT_NOTEBOOK = ROOT / "solutions" / "02_initialization.ipynb"


@pytest.mark.slow
@pytest.mark.parametrize("nb_path", [SCREENSHOT_NOTEBOOK], ids=_notebook_id)
def test_screenshot_of_a_slide_with_maths_and_a_figure(browser, figure_deck, nb_path):
    context, page, outside, _ = _open(browser, figure_deck(nb_path.name), (1920, 1080))
    try:
        found = page.evaluate("""() => {
            const s = Reveal.getSlides().find(s => s.querySelector('math') && s.querySelector('.nn-figure img'));
            if (!s) return false;
            const {h, v} = Reveal.getIndices(s); Reveal.slide(h, v);
            while (Reveal.nextFragment()) {}
            return true;
        }""")
        assert found, f"no slide of {nb_path.name} has both a formula and a figure"
        time.sleep(0.3)
        _screenshot(page, "deck_slide.png")
        assert outside == []
    finally:
        context.close()


def _small_deck(tmp_path: Path) -> Path:
    import nbformat

    from nncourse.slides import export

    def cell(text, slide_type):
        c = nbformat.v4.new_markdown_cell(text)
        c.metadata["slideshow"] = {"slide_type": slide_type}
        return c

    nb = nbformat.v4.new_notebook(cells=[
        cell("# First", "slide"), cell("a fragment", "fragment"), cell("my notes", "notes"),
        cell("## Second", "subslide"), cell("## Third $x^2$", "slide")])
    nbformat.write(nb, tmp_path / "deck.ipynb")
    return export(tmp_path / "deck.ipynb", tmp_path)


def test_keys_step_through_fragments_and_slides(browser, tmp_path):
    context, page, outside, errors = _open(browser, _small_deck(tmp_path), (1280, 720))
    try:
        fragment = page.locator(".fragment", has_text="a fragment")
        assert page.evaluate("Reveal.getIndices().h") == 0 and not fragment.is_visible()
        page.keyboard.press("ArrowRight")
        assert page.evaluate("Reveal.getIndices().h") == 0
        page.wait_for_function("document.querySelector('.fragment').classList.contains('visible')")
        page.keyboard.press("ArrowRight")  # linear navigation: the subslide below comes next
        assert page.evaluate("[Reveal.getIndices().h, Reveal.getIndices().v]") == [0, 1]
        page.keyboard.press("ArrowRight")
        assert page.evaluate("Reveal.getIndices().h") == 1
        page.keyboard.press("o")
        assert page.evaluate("Reveal.isOverview()")
        page.keyboard.press("Escape")
        page.keyboard.press("ArrowLeft")
        assert page.evaluate("[Reveal.getIndices().h, Reveal.getIndices().v]") == [0, 1]
        assert outside == [] and errors == []
    finally:
        context.close()


def test_print_view_gives_one_page_per_slide(browser, tmp_path):
    import re

    deck = _small_deck(tmp_path)
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    outside = []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(LOCAL)
                  else (outside.append(r.request.url), r.abort()))
    page = context.new_page()
    try:
        page.goto(deck.as_uri() + "?print-pdf")
        page.wait_for_function("document.body.dataset.fitted === 'yes'", timeout=60_000)
        # reveal.js lays the print view out after it is ready: wait for its pages, not just the fit
        page.wait_for_function("document.querySelectorAll('.pdf-page').length >= 3", timeout=60_000)
        pdf = page.pdf(width="1280px", height="720px", print_background=True)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert pages == 3, pages
        assert outside == []
    finally:
        context.close()
