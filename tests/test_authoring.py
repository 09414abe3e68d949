"""Student notebooks are generated from solutions: exactly, deterministically, and they work.

- ``course/`` is exactly what ``solutions/`` generates;
- every solution earns full points, every untouched stub is "not attempted";
- the student notebooks themselves run top to bottom under nbval (``make test``), not here;
- marker errors name the notebook and the cell.
"""
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from nncourse import exercises
from nncourse.authoring import AuthoringError, soften_asserts, strip_regions, student_text, sync
from nncourse.check import check, reset_progress
from nncourse.cli import main

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
COURSE = sorted((ROOT / "course").glob("*.ipynb"))
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}


def read(path):
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


def exercise_cells(nb):
    return {c.metadata["nncourse"]["exercise"]: c for c in nb.cells
            if c.metadata.get("nncourse", {}).get("exercise")}


def student_value(nb, exercise_id):
    """What the exercise cell defines, run after the imports cell and the notebook's earlier exercise cells."""
    namespace = {}
    for cell in nb.cells:
        if cell.metadata.get("nncourse", {}).get("imports"):
            exec(compile(cell.source, "<imports>", "exec"), namespace)
    for this_id, cell in exercise_cells(nb).items():  # earlier exercises first: later ones may call them
        exec(compile(cell.source, f"<{this_id}>", "exec"), namespace)
        if this_id == exercise_id:
            break
    return namespace[exercises.get(exercise_id).target]


# ---- course/ is what solutions/ generates ------------------------------------------------------------
def test_there_are_notebooks_on_both_sides():
    assert SOLUTIONS and [p.name for p in SOLUTIONS] == [p.name for p in COURSE]


def test_course_is_in_sync_with_solutions(capsys, monkeypatch):
    assert sync(ROOT / "solutions", ROOT / "course", check=True) == ([], [])
    monkeypatch.chdir(ROOT)
    assert main(["student", "--check"]) == 0
    assert "in sync" in capsys.readouterr().out


def test_generation_is_deterministic_and_check_names_every_difference(tmp_path, capsys):
    out = tmp_path / "course"
    args = ["student", "--solutions", str(ROOT / "solutions"), "--course", str(out)]
    assert main(args) == 0
    first = {p.name: p.read_bytes() for p in out.glob("*.ipynb")}
    assert first == {p.name: p.read_bytes() for p in COURSE}
    assert all(b.endswith(b"}\n") for b in first.values())
    assert main(args) == 0 and "up to date" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in out.glob("*.ipynb")} == first
    assert main(args + ["--check"]) == 0

    name = SOLUTIONS[0].name
    (out / name).write_bytes(first[name].replace(b"your answer here", b"42"))
    (out / "scratch.ipynb").write_text("{}")
    capsys.readouterr()
    assert main(args + ["--check"]) == 1
    text = capsys.readouterr().out
    assert f"{out / name} differs from" in text and f"{out / 'scratch.ipynb'} is extra" in text
    (out / name).unlink()
    assert main(args + ["--check"]) == 1
    assert f"{out / name} is missing" in capsys.readouterr().out
    assert main(args) == 0 and (out / name).read_bytes() == first[name]
    assert (out / "scratch.ipynb").exists()  # reported, never deleted


def test_a_missing_solutions_directory_is_a_clear_error(tmp_path, capsys):
    assert main(["student", "--solutions", str(tmp_path / "nope"), "--course", str(tmp_path)]) == 2
    assert "no solutions directory at" in capsys.readouterr().err


# ---- the rewriting rules ------------------------------------------------------------------------------
def test_strip_regions_keeps_everything_around_the_region():
    source = ('def f(x):\n    """Doc."""\n    y = 1\n    ### BEGIN SOLUTION\n    y = x + 1\n'
              '    ### END SOLUTION\n    return y\n### BEGIN SOLUTION\nz = 3\n### END SOLUTION')
    assert strip_regions(source, "STUB", "nb") == \
        'def f(x):\n    """Doc."""\n    y = 1\n    STUB\n    return y\nSTUB'


@pytest.mark.parametrize("source, words", [
    ("a\n### BEGIN SOLUTION\nb", "'### BEGIN SOLUTION' on line 2 has no matching '### END SOLUTION'"),
    ("a\n### END SOLUTION", "'### END SOLUTION' on line 2 has no '### BEGIN SOLUTION' before it"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
     "'### BEGIN SOLUTION' on line 2 comes before the '### END SOLUTION' of the region opened on line 1"),
])
def test_unbalanced_markers_are_named(source, words):
    with pytest.raises(AuthoringError, match=words):
        strip_regions(source, "STUB", "x.ipynb, cell index 3")


def _meta(slide="skip", **nncourse):
    meta = {"slideshow": {"slide_type": slide}, "tags": ["keep-me"]}
    if nncourse:
        meta["nncourse"] = nncourse
    return meta


def make_solution(path, cells):
    nb = new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "nncourse": {"notebook": "backprop"}}
    nbformat.write(nb, path)
    return path


def test_rewriting_rules_on_a_small_notebook(tmp_path):
    ran = new_code_cell("print(1)", id="ran", metadata=_meta("slide"), execution_count=3,
                        outputs=[nbformat.v4.new_output("stream", text="1\n")])
    cells = [
        new_markdown_cell("# Title\n\nText *kept*.", id="title", metadata=_meta("slide")),
        new_code_cell("import numpy as np", id="imports", metadata=_meta(imports=True)),
        new_code_cell("def linear_backward(dout, cache):\n    x, W, b = cache\n    ### BEGIN SOLUTION\n"
                      "    return dout @ W.T, x.T @ dout, dout.sum(0)\n    ### END SOLUTION",
                      id="ex", metadata=_meta(exercise="backprop.linear_backward")),
        new_code_cell("### BEGIN SOLUTION\nanswer_cache = 'B'\n### END SOLUTION", id="quiz",
                      metadata=_meta(exercise="backprop.quiz_cache")),
        new_code_cell("secret = 1", id="only", metadata=_meta(solution_only=True)),
        new_code_cell("assert True", id="claim", metadata=_meta(claim=True)),
        new_markdown_cell("Ask the room what happens next.", id="notes", metadata=_meta("notes")),
        ran,
        new_markdown_cell("Answer:\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION", id="md",
                          metadata=_meta("fragment")),
    ]
    src = make_solution(tmp_path / "backprop.ipynb", cells)
    text = student_text(src)
    assert text == student_text(src) and text.endswith("}\n")
    raw = json.loads(text)
    by_id = {c["id"]: c for c in raw["cells"]}
    assert list(by_id) == ["title", "imports", "ex", "quiz", "ran", "md"]
    assert "".join(by_id["ex"]["source"]) == ("def linear_backward(dout, cache):\n    x, W, b = cache\n"
                                              '    raise NotImplementedError("write your code here (and '
                                              'delete this line)")')
    assert "".join(by_id["quiz"]["source"]) == "answer_cache = None  # your answer here"
    assert "".join(by_id["md"]["source"]) == "Answer:\n*Write your answer here.*"
    assert by_id["ran"]["outputs"] == [] and by_id["ran"]["execution_count"] is None
    original = json.loads(src.read_text())
    for cell in original["cells"]:
        if cell["id"] in ("title", "imports"):
            assert by_id[cell["id"]] == cell  # untouched cells are kept exactly
        if cell["id"] in by_id:
            assert by_id[cell["id"]]["metadata"] == cell["metadata"]
    assert raw["metadata"] == original["metadata"]

    # the stubs behave as the checks expect
    ns = {}
    exec("".join(by_id["ex"]["source"]) + "\n" + "".join(by_id["quiz"]["source"]), ns)
    assert check("backprop.linear_backward", ns["linear_backward"]).status == "not attempted"
    assert check("backprop.quiz_cache", ns["answer_cache"]).status == "not attempted"


@pytest.mark.parametrize("cell, words", [
    (new_code_cell("x = 1\n### END SOLUTION", id="c"), "cell index 1 (id c): '### END SOLUTION' on line 2"),
    (new_code_cell("def f():\n    ### BEGIN SOLUTION\n    pass", id="c"),
     "cell index 1 (id c): '### BEGIN SOLUTION' on line 2 has no matching"),
    (new_code_cell("def relu_backward(dout, cache):\n    return dout", id="c",
                   metadata={"nncourse": {"exercise": "backprop.relu_backward"}}),
     "exercise cell 'backprop.relu_backward' has no '### BEGIN SOLUTION' region"),
    (new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", id="c",
                   metadata={"nncourse": {"exercise": "backprop.no_such_thing"}}),
     "unknown exercise id 'backprop.no_such_thing'"),
    (new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", id="c",
                   metadata={"nncourse": {"exercise": "other.linear_backward"}}),
     "does not belong to notebook 'backprop'"),
])
def test_bad_solution_notebooks_name_the_notebook_and_cell(tmp_path, cell, words):
    src = make_solution(tmp_path / "bad.ipynb", [new_markdown_cell("# T", id="t"), cell])
    with pytest.raises(AuthoringError, match=r"bad\.ipynb") as info:
        student_text(src)
    assert words in str(info.value)
    out = tmp_path / "out"
    assert main(["student", "--solutions", str(tmp_path), "--course", str(out)]) == 2
    assert not (out / "bad.ipynb").exists()


def test_missing_cell_ids_and_notebook_slug_are_errors(tmp_path):
    src = make_solution(tmp_path / "a.ipynb", [new_markdown_cell("# T", id="t")])
    raw = json.loads(src.read_text())
    del raw["cells"][0]["id"]
    src.write_text(json.dumps(raw))
    with pytest.raises(AuthoringError, match="cell index 0: the cell has no id"):
        student_text(src)
    raw["cells"][0]["id"], raw["metadata"] = "t", {}
    src.write_text(json.dumps(raw))
    with pytest.raises(AuthoringError, match="the notebook metadata has no"):
        student_text(src)


# ---- the notebooks themselves ------------------------------------------------------------------------
@pytest.mark.parametrize("path", SOLUTIONS + COURSE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_conventions(path):
    nb = read(path)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    slug = nb.metadata["nncourse"]["notebook"]
    for cell in nb.cells:
        assert cell.metadata["slideshow"]["slide_type"] in SLIDE_TYPES, cell.id
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path}: {cell.id} has outputs"
        if cell.metadata.get("nncourse", {}).get("exercise"):
            assert cell.metadata["slideshow"]["slide_type"] == "skip"
    assert any(c.metadata.get("nncourse", {}).get("imports") for c in nb.cells)
    assert sorted(exercise_cells(nb)) == sorted(ex.id for ex in exercises.for_notebook(slug))
    if path.parent.name == "solutions":
        assert any(c.cell_type == "markdown" and c.metadata["slideshow"]["slide_type"] == "notes"
                   for c in nb.cells)
    else:
        assert "### BEGIN SOLUTION" not in json.dumps(nb)


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_every_solution_earns_full_points(path):
    nb = read(path)
    for exercise_id in exercise_cells(nb):
        result = check(exercise_id, student_value(nb, exercise_id))
        assert result.points == result.max_points, str(result)


@pytest.mark.parametrize("path", COURSE, ids=lambda p: p.name)
def test_every_untouched_stub_is_not_attempted(path):
    nb = read(path)
    for exercise_id in exercise_cells(nb):
        result = check(exercise_id, student_value(nb, exercise_id))
        assert (result.points, result.status) == (0, "not attempted"), str(result)


def test_a_python3_kernel_is_available():
    from jupyter_client.kernelspec import KernelSpecManager

    assert "python3" in KernelSpecManager().find_kernel_specs()


# ---- claims become notes in the student notebook ------------------------------------------------------
def test_top_level_asserts_become_claims_and_nested_ones_stay():
    source = ("acc = 0.5\n"
              "assert acc > 0.9, f\"accuracy {acc}\"\n"
              "for s in range(2):\n"
              "    assert s < 5\n"
              "def helper(x):\n"
              "    assert x, 'inside a function'\n"
              "assert (acc\n"
              "        < 1)  # two lines\n")
    out = soften_asserts(source)
    assert out == ("acc = 0.5\n"
                   "nncourse.claim(acc > 0.9, f\"accuracy {acc}\", expected='acc > 0.9')\n"
                   "for s in range(2):\n"
                   "    nncourse.claim(s < 5, None, expected='s < 5')\n"
                   "def helper(x):\n"
                   "    assert x, 'inside a function'\n"
                   "nncourse.claim(acc\n"
                   "        < 1, None, expected='acc < 1')  # two lines\n")
    compile(out, "<cell>", "exec")


def test_a_claim_note_quotes_the_cells_claim_sentence():
    source = ("# Claim: a learning rate of 10 diverges,\n"
              "# while 0.1 fits.\n"
              "x = 2\n"
              "assert x > 3, x\n")
    out = soften_asserts(source)
    assert ("nncourse.claim(x > 3, x, expected='a learning rate of 10 diverges, while 0.1 fits. "
            "(checked as: x > 3)')") in out


@pytest.mark.parametrize("source", ["%time x = 1\nassert x", "x = 1", "assert ("])
def test_cells_that_are_not_plain_python_or_have_no_assert_are_kept(source):
    assert soften_asserts(source) == source


def test_a_changed_setting_gives_a_note_and_the_student_notebook_runs_on(tmp_path, monkeypatch):
    """A student lowers the learning rate so far that the lesson's claim fails: a note, not a traceback."""
    from nbclient import NotebookClient

    experiment = ("lr = 0.1\n"
                  "model = nncourse.mlp([64, 32, 10], seed=nncourse.seed(0))\n"
                  "splits = nncourse.digits_splits(seed=nncourse.seed(1))\n"
                  "nncourse.fit(model, splits.X_train, splits.y_train, epochs=5,\n"
                  "             optimizer=nncourse.SGD(lr=lr), progress=False)\n"
                  "acc = nncourse.accuracy(model, splits.X_val, splits.y_val)\n"
                  "assert acc > 0.8, f'validation accuracy {acc:.2f}'")
    cells = [new_markdown_cell("# T", id="t", metadata=_meta("slide")),
             new_code_cell("import nncourse", id="imports", metadata=_meta(imports=True)),
             new_code_cell(experiment, id="experiment", metadata=_meta("-")),
             new_code_cell("print('the notebook went on')", id="after", metadata=_meta("-"))]
    src = make_solution(tmp_path / "lesson.ipynb", cells)
    student = nbformat.reads(student_text(src), as_version=4)
    assert "nncourse.claim(acc > 0.8" in student.cells[2].source
    monkeypatch.delenv("NNCOURSE_STRICT_CLAIMS", raising=False)

    def run(nb):
        NotebookClient(nb, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path)}}).execute()
        return [o.get("text", "") + o.get("data", {}).get("text/plain", "") for c in nb.cells
                if c.cell_type == "code" for o in c.outputs]

    assert not any("does not show" in t for t in run(nbformat.reads(nbformat.writes(student), as_version=4)))
    student.cells[2].source = student.cells[2].source.replace("lr = 0.1", "lr = 1e-6")
    texts = run(student)
    note = next(t for t in texts if "does not show what the lesson expected" in t)
    assert "acc > 0.8" in note and "What your run shows: validation accuracy 0." in note, note
    assert any("the notebook went on" in t for t in texts)
