"""A student who writes every exercise right gets the solution notebook's results.

Each student notebook runs top to bottom with the solution's exercise cells pasted in: every later
cell then uses the student's code (``nncourse.use`` says so), every claim holds strictly, and the
notebook earns full points. The untouched student notebooks themselves run under nbval (``make test``).
"""
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
PAIRS = [(ROOT / "solutions" / p.name, p) for p in sorted((ROOT / "course").glob("*.ipynb"))]


def _exercise_cells(nb):
    return {c.metadata["nncourse"]["exercise"]: c for c in nb.cells
            if c.metadata.get("nncourse", {}).get("exercise")}


def _texts(nb):
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            yield out.get("text", "") + out.get("data", {}).get("text/plain", "")


@pytest.mark.slow
@pytest.mark.parametrize("solution, student", PAIRS, ids=lambda p: p.name)
def test_student_notebook_with_the_solutions_pasted_in_runs_on_the_students_code(solution, student,
                                                                                   monkeypatch):
    from nbclient import NotebookClient

    answers = _exercise_cells(nbformat.read(solution, as_version=4))
    nb = nbformat.read(student, as_version=4)
    for exercise_id, cell in _exercise_cells(nb).items():
        cell.source = answers[exercise_id].source
    monkeypatch.setenv("NNCOURSE_STRICT_CLAIMS", "1")
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(student.parent)}}).execute()
    texts = list(_texts(nb))
    assert not any("instead of yours" in t for t in texts), [t for t in texts if "instead of yours" in t]
    if answers:
        assert not any("(not attempted)" in t or "(failed)" in t or "(partial)" in t for t in texts)
    uses = sum(c.source.count("nncourse.use(") for c in nb.cells if c.cell_type == "code")
    assert sum(t.count("Using your ") for t in texts) >= min(uses, 1)
