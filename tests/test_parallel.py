"""How ``make test`` shares its work (the project's conftest.py): what runs together on one worker, and
the solution notebooks that nbval runs, saved once for the slide-deck tests (under make test a deck
test fails if the copy of a notebook that nbval ran in the session is missing)."""
import json
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


def test_a_saved_copy_is_used_only_for_the_source_it_came_from(tmp_path):
    conftest = _conftest()
    source = tmp_path / "n.ipynb"
    source.write_text('{"cells": [], "metadata": {}}')
    copy = tmp_path / "copy.ipynb"
    copy.write_text(json.dumps({"metadata": {"nncourse_executed": {"source_sha256": conftest.source_hash(source)}}}))
    assert conftest._hash_in(copy) == conftest.source_hash(source)
    source.write_text('{"cells": [1], "metadata": {}}')  # the notebook edited since
    assert conftest._hash_in(copy) != conftest.source_hash(source)
    copy.write_text('{"metadata": {')  # half written
    assert conftest._hash_in(copy) is None and conftest._hash_in(tmp_path / "missing.ipynb") is None
