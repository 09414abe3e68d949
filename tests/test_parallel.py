"""How ``make test`` shares its work (the project's conftest.py): what runs together on one worker, and
the solution notebooks that nbval runs, saved once for the slide-deck tests."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _conftest():
    import importlib.util

    spec = importlib.util.spec_from_file_location("project_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("nodeid, unit", [
    ("solutions/01_backprop.ipynb::Cell 0", "solutions/01_backprop.ipynb"),
    ("course/07_dropout.ipynb::Cell 12", "course/07_dropout.ipynb"),
    ("tests/test_slides_browser.py::test_deck_fits_and_presents[solutions/08_transfer.ipynb]",
     "solutions/08_transfer.ipynb"),
    ("tests/test_browser.py::test_playground_sliders_move_with_keyboard", "tests/test_browser.py"),
    ("tests/test_grading.py::test_perfect_submission_gets_full_marks", "tests/test_grading.py"),
    ("tests/test_layers.py::test_layer_gradients[relu-3]", "tests/test_layers.py::test_layer_gradients[relu-3]"),
    ("tests/test_check.py::test_x[solutions]", "tests/test_check.py::test_x[solutions]"),
])
def test_work_units(nodeid, unit):
    assert _conftest().work_unit(nodeid) == unit


@pytest.mark.slow
def test_nbval_saves_each_solution_notebook_it_runs_with_slide_sized_figures(tmp_path):
    """The copy the deck tests use: the notebook's outputs, figures drawn with the slides' settings, and
    the hash of the source it came from (a copy of another version is not used)."""
    conftest = _conftest()
    notebook = ROOT / "solutions" / "02_initialization.ipynb"
    env = {**os.environ, "NNCOURSE_EXECUTED": str(tmp_path), "OPENBLAS_NUM_THREADS": "1"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
                          str(notebook.relative_to(ROOT))], cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-2000:]
    saved = tmp_path / notebook.name
    nb = json.loads(saved.read_text())
    assert nb["metadata"]["nncourse_executed"]["source_sha256"] == conftest.source_hash(notebook)
    images = [o for c in nb["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert images, "the saved copy has no figure"
    # SLIDE_RC draws at 120 dpi: the notebook's first figure is 1213 px wide then, 1011 px without it
    import base64
    import struct

    png = base64.b64decode(images[0]["data"]["image/png"])
    width = struct.unpack(">I", png[16:20])[0]
    assert width > 1100, width
    assert conftest._hash_in(saved) == conftest.source_hash(notebook)
    saved.write_text(saved.read_text().replace(nb["metadata"]["nncourse_executed"]["source_sha256"], "0" * 64))
    assert conftest._hash_in(saved) != conftest.source_hash(notebook)
