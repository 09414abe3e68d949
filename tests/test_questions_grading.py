"""``nncourse grade`` on the questions_to_answer notebook: the solution version earns full marks, the
untouched student version nothing, a student copy filled in with the right answers full marks, and one
filled in with wrong or malformed answers nothing, each with a message saying why.

The grader runs as the instructor runs it, through its command line.
"""
from __future__ import annotations

import copy
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from nncourse import exercises

REPO = Path(__file__).resolve().parent.parent
NAME = "09_questions_to_answer.ipynb"
SOLUTION = json.loads((REPO / "solutions" / NAME).read_text())
STUDENT = json.loads((REPO / "course" / NAME).read_text())
IDS = {ex.id for ex in exercises.for_notebook("questions_to_answer")}
MAX = sum(ex.points for ex in exercises.for_notebook("questions_to_answer"))

# what a student writes into each exercise cell of the course copy (hand-written, not the solution cells)
RIGHT = {
    "units_two_classes": "answer_units_two_classes = 1",
    "units_ten_classes": "answer_units_ten_classes = '10'",
    "equal_weights": "answer_equal_weights = 'b'",
    "overfitting": "answer_overfitting = ['A', 'C', 'E', 'F']",
    "logistic_output": "answer_logistic_output = 'C'",
    "layers_not_to_transfer": "answer_layers_not_to_transfer = 'A'",
    "why_freeze": "answer_why_freeze = 'A, C, D'",
    "unlike_source": "answer_unlike_source = 'D'",
    "dropout_cost": "answer_dropout_cost = 'B'",
    "one_unit_logit": "def one_unit_logit(logits):\n    return logits[:, 1] - logits[:, 0]\n",
}
WRONG = {
    "units_two_classes": "answer_units_two_classes = 2",
    "units_ten_classes": "answer_units_ten_classes = 9",
    "equal_weights": "answer_equal_weights = 'A'",
    "overfitting": "answer_overfitting = 'ABCDEFG'",
    "logistic_output": "answer_logistic_output = 'B'",
    "layers_not_to_transfer": "answer_layers_not_to_transfer = 'C'",
    "why_freeze": "answer_why_freeze = 'ACDF'",
    "unlike_source": "answer_unlike_source = 'A'",
    "dropout_cost": "answer_dropout_cost = 'D'",
    "one_unit_logit": "def one_unit_logit(logits):\n    return logits[:, 0] - logits[:, 1]\n",
}
MALFORMED = {
    "units_two_classes": "answer_units_two_classes = 'one'",
    "units_ten_classes": "answer_units_ten_classes = 'ten'",
    "equal_weights": "answer_equal_weights = 'E'",
    "overfitting": "answer_overfitting = 'A, Z'",
    "logistic_output": "answer_logistic_output = 'yes'",
    "layers_not_to_transfer": "answer_layers_not_to_transfer = ''",
    "why_freeze": "answer_why_freeze = 'A, 7'",
    "unlike_source": "answer_unlike_source = 'DD D'",
    "dropout_cost": "answer_dropout_cost = 2",
}


def filled(answers: dict) -> dict:
    """The course copy with the exercise cells named in ``answers`` replaced by the given sources."""
    nb = copy.deepcopy(STUDENT)
    for cell in nb["cells"]:
        ex_id = cell.get("metadata", {}).get("nncourse", {}).get("exercise", "")
        name = ex_id.split(".")[-1]
        if name in answers:
            cell["source"] = answers[name]
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("questions")
    subs = root / "submissions"
    subs.mkdir()
    notebooks = {"solution.ipynb": SOLUTION, "untouched.ipynb": STUDENT, "right.ipynb": filled(RIGHT),
                 "wrong.ipynb": filled(WRONG), "malformed.ipynb": filled(MALFORMED)}
    for name, nb in notebooks.items():
        (subs / name).write_text(json.dumps(nb))
    out = root / "out"
    done = subprocess.run([sys.executable, "-m", "nncourse", "grade", str(subs), "--out", str(out), "--seed", "3",
                           "--jobs", "2", "--quiet"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    with open(out / "results.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    with open(out / "grades.csv", newline="") as f:
        totals = {r["submission"]: r for r in csv.DictReader(f)}
    by_sub = {}
    for r in rows:
        by_sub.setdefault(r["submission"], {})[r["exercise"]] = r
    return by_sub, totals


@pytest.mark.parametrize("submission", ["solution.ipynb", "right.ipynb"])
def test_right_answers_get_full_marks(graded, submission):
    rows, totals = graded
    mine = rows[submission]
    assert set(mine) == IDS
    assert all(r["status"] == "passed" and float(r["points"]) == float(r["max_points"]) for r in mine.values()), mine
    assert float(totals[submission]["total"]) == MAX == float(totals[submission]["max_points"])


def test_untouched_student_version_gets_zero(graded):
    rows, totals = graded
    mine = rows["untouched.ipynb"]
    assert set(mine) == IDS
    assert all(r["status"] == "not attempted" and float(r["points"]) == 0 for r in mine.values()), mine
    assert float(totals["untouched.ipynb"]["total"]) == 0


def test_wrong_answers_get_zero_and_a_reason(graded):
    rows, totals = graded
    mine = rows["wrong.ipynb"]
    assert all(r["status"] == "failed" and float(r["points"]) == 0 for r in mine.values()), mine
    for name in WRONG:
        if name != "one_unit_logit":
            assert "not the right answer" in mine[f"questions_to_answer.{name}"]["message"]
    assert "wrong values in z" in mine["questions_to_answer.one_unit_logit"]["message"]
    assert float(totals["wrong.ipynb"]["total"]) == 0


def test_malformed_answers_get_zero_and_how_to_write_them(graded):
    rows, _ = graded
    mine = rows["malformed.ipynb"]
    for name in MALFORMED:
        row = mine[f"questions_to_answer.{name}"]
        assert float(row["points"]) == 0
        assert "not the right answer" not in row["message"], row
        assert "could not read your answer" in row["message"] or "expected" in row["message"], row
