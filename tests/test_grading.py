"""The batch grader on an honest class: a perfect and an untouched notebook, broken and wrong
submissions graded in one run, every registered exercise, determinism (re-run, --jobs 2 vs 1),
resuming after an interruption, the CLI and the small pieces. Attacks are in test_grading_hostile.py.

Time limits here never depend on the machine's load: the wall-clock timeout is far away, and the
one endless loop is stopped by the CPU-time limit (CPU seconds, not wall-clock seconds)."""
from __future__ import annotations

import copy
import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from nncourse import exercises
from nncourse.cli import main as cli_main
from nncourse.exercises.base import Case, CaseResult, Exercise, SanitizeError
from nncourse.grading import grade, protocol
from nncourse.grading.discover import UsageError, find_submissions, sandbox_preamble
from nncourse.grading.report import feedback_names
from nncourse.grading.sandbox import parse_size
from nncourse.grading.worker import strip_magics

REPO = Path(__file__).resolve().parent.parent
COURSE = REPO / "course"
SOLUTION = json.loads((REPO / "solutions" / "01_backprop.ipynb").read_text())
STUDENT = json.loads((COURSE / "01_backprop.ipynb").read_text())
LIMITS = dict(seed=7, timeout=120, cpu_limit=20, memory_limit=2**30, course=COURSE, progress=False)
MAX = sum(ex.points for ex in exercises.for_notebook("backprop"))
LIN, RELU = "backprop.linear_backward", "backprop.relu_backward"
QUIZ = "backprop.quiz_cache"


def variant(changes: dict | None = None, delete=(), duplicate=(), notebook="backprop") -> dict:
    """The solution notebook with some exercise cells replaced, deleted or duplicated."""
    nb = copy.deepcopy(SOLUTION)
    nb["metadata"]["nncourse"]["notebook"] = notebook
    cells = []
    for cell in nb["cells"]:
        ex_id = cell.get("metadata", {}).get("nncourse", {}).get("exercise")
        if ex_id in delete:
            continue
        if ex_id in (changes or {}):
            cell["source"] = changes[ex_id]
        cells.append(cell)
        if ex_id in duplicate:
            cells.append(copy.deepcopy(cell))
    nb["cells"] = cells
    return nb


BROKEN = {
    "syntax": {LIN: "def linear_backward(dout, cache):\n    x, W, b = cache\n    dx = dout @ W.T +\n    return dx\n"},
    "exception": {LIN: "def linear_backward(dout, cache):\n    raise ValueError('shapes do not fit')\n"},
    "loop": {LIN: "def linear_backward(dout, cache):\n    while True:\n        pass\n"},
    "exits": {LIN: "import sys\ndef linear_backward(dout, cache):\n    sys.exit(0)\n",
              RELU: "import os\ndef relu_backward(dout, cache):\n    os._exit(0)\n"},
    # RELU: 3.2 GB of address space (never touched) is only refused because of the 1 GiB limit
    "memory": {RELU: "import numpy as np\ndef relu_backward(dout, cache):\n    big = np.empty(4 * 10**8)\n"
                     "    return dout * cache\n",
               QUIZ: "import numpy as np\nanswer_cache = np.ones(10**11)\n"},
    "in_place": {RELU: "def relu_backward(dout, cache):\n    dout *= cache\n    return dout\n"},
    "wrong_type": {LIN: "def linear_backward(dout, cache):\n    x, W, b = cache\n    return [1, 2], W, b\n"},
}
#: the exercises each broken submission breaks
ATTACKED = {"syntax": {LIN}, "exception": {LIN}, "loop": {LIN}, "exits": {LIN, RELU}, "memory": {RELU, QUIZ},
            "in_place": {RELU}, "wrong_type": {LIN}}


def write_class(root: Path) -> None:
    (root / "alice").mkdir(parents=True)
    (root / "bob" / ".ipynb_checkpoints").mkdir(parents=True)
    nbformat.write(nbformat.from_dict(SOLUTION), root / "alice" / "perfect.ipynb")
    nbformat.write(nbformat.from_dict(SOLUTION), root / "bob" / ".ipynb_checkpoints" / "perfect-checkpoint.ipynb")
    (root / "bob" / "student.ipynb").write_text(json.dumps(STUDENT))
    for name, changes in BROKEN.items():
        (root / f"{name}.ipynb").write_text(json.dumps(variant(changes)))
    (root / "deleted.ipynb").write_text(json.dumps(variant(delete={LIN})))
    (root / "duplicated.ipynb").write_text(json.dumps(variant(duplicate={LIN, QUIZ})))
    (root / "unknown_notebook.ipynb").write_text(json.dumps(variant(notebook="no_such_notebook")))
    (root / "not_json.ipynb").write_text("this is not a notebook {")
    (root / "empty.ipynb").write_bytes(b"")
    v3 = nbformat.v3.new_notebook(metadata={"nncourse": {"notebook": "backprop"}})
    v3.worksheets.append(nbformat.v3.new_worksheet(cells=[
        nbformat.v3.new_code_cell(input=c["source"] if isinstance(c["source"], str) else "".join(c["source"]),
                                  metadata=c["metadata"])
        for c in SOLUTION["cells"] if c["cell_type"] == "code"]))
    (root / "nbformat3.ipynb").write_text(nbformat.writes(v3, version=3))


def read_rows(out: Path) -> dict:
    with open(out / "results.csv", newline="") as f:
        return {(r["submission"], r["exercise"]): r for r in csv.DictReader(f)}


def snapshot(out: Path) -> dict:
    """Every file a run leaves for its users (the CSVs and the feedback), by relative path."""
    files = [out / "results.csv", out / "grades.csv", *sorted((out / "feedback").rglob("*.md"))]
    return {f.relative_to(out).as_posix(): f.read_bytes() for f in files}


@pytest.fixture(scope="module", autouse=True)
def steady_fingerprint():
    """The key of saved results covers the package's source, which may change while the tests run
    (an editable install being worked on): here it covers the seed and limits only."""
    from nncourse.grading import run

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(run, "_fingerprint", lambda ctx: repr((ctx.seed, ctx.limits, ctx.sandbox)))
        yield


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    write_class(root / "submissions")
    out = root / "out"
    summary = grade([root / "submissions"], out, jobs=2, **{**LIMITS, "cpu_limit": 3})
    return root, out, summary, read_rows(out)


def rows_of(rows: dict, submission: str) -> dict:
    return {ex: r for (sub, ex), r in rows.items() if sub == submission}


@pytest.mark.slow
def test_perfect_submission_gets_full_marks(graded):
    _, out, _, rows = graded
    mine = rows_of(rows, "alice/perfect.ipynb")
    assert set(mine) == {ex.id for ex in exercises.for_notebook("backprop")}
    assert all(r["status"] == "passed" and r["points"] == r["max_points"] for r in mine.values())
    with open(out / "grades.csv", newline="") as f:
        grades = {r["submission"]: r for r in csv.DictReader(f)}
    assert float(grades["alice/perfect.ipynb"]["total"]) == MAX == float(grades["alice/perfect.ipynb"]["max_points"])
    assert (out / "feedback" / "alice--perfect.md").read_text().count("passed") >= len(mine)
    assert not any("checkpoint" in sub for sub, _ in rows)  # .ipynb_checkpoints is skipped


@pytest.mark.slow
def test_every_solution_notebook_gets_full_marks_and_every_student_notebook_zero(tmp_path):
    """Every notebook with registered exercises, as the course ships it: the reference never runs
    in the sandbox, so full marks come from the solutions' own code."""
    from nncourse._files import nncourse_meta, read_notebook

    registered = set(exercises.notebooks())
    subs = tmp_path / "subs"
    subs.mkdir()
    expected = {}
    for folder in ("solutions", "course"):
        for path in sorted((REPO / folder).glob("*.ipynb")):
            if nncourse_meta(read_notebook(path)).get("notebook") in registered:
                name = f"{folder}-{path.name}"
                shutil.copy(path, subs / name)
                expected[name] = folder
    assert len(expected) >= 2 * len(registered) - 2
    summary = grade([subs], tmp_path / "out", jobs=2, **LIMITS)
    for part in summary.parts:
        assert part.rows and part.max_points > 0, part.submission
        if expected[part.submission] == "solutions":
            assert all(r.status == "passed" for r in part.rows), (part.submission, part.rows)
        else:
            assert part.total == 0 and all(r.status == "not attempted" for r in part.rows), part.submission


@pytest.mark.slow
def test_generated_student_notebook_gets_zero_not_attempted(graded):
    mine = rows_of(graded[3], "bob/student.ipynb")
    assert len(mine) == len(exercises.for_notebook("backprop"))
    assert all(r["status"] == "not attempted" and float(r["points"]) == 0 for r in mine.values())


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_submission_earns_nothing_for_what_it_breaks(graded, name):
    mine = rows_of(graded[3], f"{name}.ipynb")
    assert len(mine) == len(exercises.for_notebook("backprop"))
    for ex, r in mine.items():
        if ex in ATTACKED[name]:
            assert float(r["points"]) == 0, (name, r)
            assert r["status"] != "passed"
        elif ex in (LIN, RELU, QUIZ):  # the other exercises of the same submission are still graded
            assert r["status"] == "passed" and r["points"] == r["max_points"], (name, r)


@pytest.mark.slow
def test_broken_statuses_and_messages(graded):
    rows = graded[3]
    syntax = rows[("syntax.ipynb", LIN)]
    assert syntax["status"] == "error" and "syntax error in line 3" in syntax["message"]
    exc = rows[("exception.ipynb", LIN)]
    assert exc["status"] == "error" and "ValueError: shapes do not fit" in exc["message"]
    assert "line 2 in linear_backward" in exc["message"]
    loop = rows[("loop.ipynb", LIN)]
    assert loop["status"] == "timeout" and "CPU time" in loop["message"]
    assert rows[("exits.ipynb", LIN)]["status"] == "error" and "SystemExit" in rows[("exits.ipynb", LIN)]["message"]
    died = rows[("exits.ipynb", RELU)]
    assert died["status"] == "error" and "exit code 0" in died["message"]
    for ex in (RELU, QUIZ):
        mem = rows[("memory.ipynb", ex)]
        assert mem["status"] == "memory limit" and "MemoryError" in mem["message"], mem
    changed = rows[("in_place.ipynb", RELU)]
    assert changed["status"] == "failed" and "changed its input dout in place" in changed["message"]
    assert "wrong type" in rows[("wrong_type.ipynb", LIN)]["message"]


@pytest.mark.slow
def test_feedback_shows_only_the_first_hint(graded):
    """Hints escalate to the formula; a feedback file gives the gentlest one only."""
    from nncourse.grading.report import _md

    hints = [_md(h) for h in exercises.get(LIN).hints]
    text = (graded[1] / "feedback" / "wrong_type.md").read_text()
    assert f"Hint: {hints[0]}" in text
    assert all(later not in text for later in hints[1:])


@pytest.mark.slow
def test_broken_notebooks_become_clear_rows(graded):
    rows = graded[3]
    assert rows[("not_json.ipynb", "")]["status"] == "invalid notebook"
    assert "not JSON" in rows[("not_json.ipynb", "")]["message"]
    assert rows[("empty.ipynb", "")]["message"] == "the file is empty"
    unknown = rows[("unknown_notebook.ipynb", "")]
    assert unknown["status"] == "invalid notebook" and "no_such_notebook" in unknown["message"]
    # nbformat 3 is converted and graded like any other notebook
    assert all(r["status"] == "passed" for r in rows_of(rows, "nbformat3.ipynb").values())
    deleted = rows_of(rows, "deleted.ipynb")
    assert deleted[LIN]["status"] == "missing cell" and float(deleted[LIN]["points"]) == 0
    assert deleted[RELU]["status"] == "passed"


@pytest.mark.slow
def test_duplicated_cell_is_graded_once(graded):
    _, out, summary, rows = graded
    mine = rows_of(rows, "duplicated.ipynb")
    assert len(mine) == len(exercises.for_notebook("backprop"))
    assert sum(float(r["points"]) for r in mine.values()) == MAX
    assert "2 cells for this exercise" in (out / "feedback" / "duplicated.md").read_text()


@pytest.mark.slow
def test_other_submissions_are_unaffected(graded, tmp_path):
    """The perfect and the student notebook graded alone (through the CLI) give the same rows."""
    root, _, summary, rows = graded
    alone = tmp_path / "alone"
    (alone / "alice").mkdir(parents=True)
    (alone / "bob").mkdir()
    shutil.copy(root / "submissions" / "alice" / "perfect.ipynb", alone / "alice")
    shutil.copy(root / "submissions" / "bob" / "student.ipynb", alone / "bob")
    cmd = [sys.executable, "-m", "nncourse", "grade", str(alone), "--out", str(tmp_path / "out"), "--seed", "7",
           "--timeout", "120", "--cpu-limit", "20", "--memory-limit", "1G", "--course", str(COURSE)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "graded 2 submissions" in done.stdout
    alone_rows = read_rows(tmp_path / "out")
    assert alone_rows == {k: v for k, v in rows.items() if k[0] in ("alice/perfect.ipynb", "bob/student.ipynb")}
    assert summary.submissions == len(BROKEN) + 8 and summary.graded == summary.submissions


@pytest.mark.slow
def test_jobs_1_gives_the_same_files_as_jobs_2(graded, tmp_path):
    root, out, _, _ = graded
    grade([root / "submissions"], tmp_path / "out", jobs=1, **{**LIMITS, "cpu_limit": 3})
    assert snapshot(tmp_path / "out") == snapshot(out)


@pytest.mark.slow
def test_rerun_and_interrupted_run_lose_nothing(graded, tmp_path):
    root, out, summary, _ = graded
    copy_out = tmp_path / "out"
    shutil.copytree(out, copy_out)
    before = snapshot(copy_out)
    again = grade([root / "submissions"], copy_out, jobs=1, **{**LIMITS, "cpu_limit": 3})
    assert (again.reused, again.graded) == (summary.submissions, 0)
    assert snapshot(copy_out) == before
    # an interrupted run: the CSVs, a feedback file and one submission's part are gone
    (copy_out / "results.csv").unlink()
    (copy_out / "grades.csv").unlink()
    (copy_out / "feedback" / "syntax.md").unlink()
    part = next(p for p in (copy_out / ".parts").glob("*.json") if '"alice/perfect.ipynb"' in p.read_text())
    part.unlink()
    # a damaged part (a field of the wrong type) is graded again, not trusted
    damaged = next(p for p in (copy_out / ".parts").glob("*.json") if '"bob/student.ipynb"' in p.read_text())
    saved = json.loads(damaged.read_text())
    saved["rows"][0]["points"] = "3"
    damaged.write_text(json.dumps(saved))
    resumed = grade([root / "submissions"], copy_out, jobs=1, **{**LIMITS, "cpu_limit": 3})
    assert (resumed.reused, resumed.graded) == (summary.submissions - 2, 2)
    assert snapshot(copy_out) == before


# -- a tiny exercise of our own, unknown to the worker's registry ---------------------------------
class Negate(Exercise):
    kind = "function"

    def cases(self, seed):
        rng = np.random.default_rng(seed)
        return [Case("public 1", (np.arange(3.0),)), Case("random 1", (rng.standard_normal(4),), public=False)]

    def expected(self, case):
        return -case.args[0]

    def sanitize(self, raw):
        if type(raw) is not np.ndarray:
            raise SanitizeError(f"wrong type: expected an array, got {type(raw).__name__}")
        return raw

    def compare(self, got, expected, case):
        if got.shape == expected.shape and np.array_equal(got, expected):
            return CaseResult(case.name, "passed", "", case.public)
        return CaseResult(case.name, "failed", "wrong values", case.public)


@pytest.mark.slow
def test_fake_exercise_with_own_course_folder(tmp_path):
    course, subs = tmp_path / "course", tmp_path / "subs"
    course.mkdir()
    subs.mkdir()

    def notebook(source, imports="import numpy as np\n"):
        nb = nbformat.v4.new_notebook(metadata={"nncourse": {"notebook": "fake"}})
        nb.cells = [nbformat.v4.new_code_cell(imports, metadata={"nncourse": {"imports": True}}),
                    nbformat.v4.new_code_cell(source, metadata={"nncourse": {"exercise": "fake.negate"}})]
        return nb

    nbformat.write(notebook("pass"), course / "07_fake.ipynb")
    # the submission's own import cell is ignored: the course's import lines (numpy as np) are used
    nbformat.write(notebook("%time x = 1\ndef negate(x):\n    return np.negative(x)\n", imports="np = None\n"),
                   subs / "good.ipynb")
    nbformat.write(notebook("class E:\n    def __eq__(self, o):\n        return True\ndef negate(x):\n    return E()\n"),
                   subs / "always_equal.ipynb")
    nbformat.write(notebook("def negate(x):\n    return -x + 1\n"), subs / "wrong.ipynb")
    nbformat.write(notebook("def negate(x):\n    while True:\n        pass\n"), subs / "busy.ipynb")
    ex = Negate("fake.negate", target="negate", points=2, hints=("multiply by -1",))
    ex.sandbox_helpers = "def flip(x):\n    return -x\n"  # a helper the exercise gives the student's code
    nbformat.write(notebook("def negate(x):\n    return flip(x)\n"), subs / "helper.ipynb")
    # the wall-clock timeout is far away: the CPU-time limit (RLIMIT_CPU) stops the busy loop
    summary = grade([subs], tmp_path / "out", exercises={"fake": [ex]}, course=course, progress=False, seed=1,
                    timeout=120, cpu_limit=1)
    rows = read_rows(tmp_path / "out")
    assert summary.graded == 5
    assert rows[("helper.ipynb", "fake.negate")]["status"] == "passed"
    busy = rows[("busy.ipynb", "fake.negate")]
    assert (busy["status"], busy["points"]) == ("timeout", "0") and "CPU time" in busy["message"]
    assert (rows[("good.ipynb", "fake.negate")]["status"], rows[("good.ipynb", "fake.negate")]["points"]) == ("passed", "2")
    assert rows[("always_equal.ipynb", "fake.negate")]["status"] == "failed"
    assert "wrong type" in rows[("always_equal.ipynb", "fake.negate")]["message"]
    assert rows[("wrong.ipynb", "fake.negate")]["status"] == "failed"
    assert "Hint: multiply by -1" in (tmp_path / "out" / "feedback" / "wrong.md").read_text()
    assert (tmp_path / "out" / ".grader-seed").exists() is False  # --seed given: no secret seed kept


@pytest.mark.slow
def test_wall_clock_timeout_stops_a_sleeping_exercise(tmp_path):
    """A cell that sleeps uses no CPU time: the wall-clock limit stops it, and the next exercise of the
    same submission is graded by a fresh job."""
    subs = tmp_path / "subs"
    subs.mkdir()
    sleeper = variant({LIN: "import time\ndef linear_backward(dout, cache):\n    time.sleep(10**6)\n"})
    (subs / "sleeper.ipynb").write_text(json.dumps(sleeper))
    grade([subs], tmp_path / "out", **{**LIMITS, "timeout": 2})
    rows = read_rows(tmp_path / "out")
    assert rows[("sleeper.ipynb", LIN)]["status"] == "timeout" and "2 s" in rows[("sleeper.ipynb", LIN)]["message"]
    assert rows[("sleeper.ipynb", RELU)]["status"] == "passed"


@pytest.mark.slow
def test_secret_seed_is_kept_for_reruns(tmp_path):
    sub = tmp_path / "subs"
    sub.mkdir()
    (sub / "s.ipynb").write_text("{}")
    first = grade([sub], tmp_path / "out", course=COURSE, progress=False)
    seed = (tmp_path / "out" / ".grader-seed").read_text()
    grade([sub], tmp_path / "out", course=COURSE, progress=False)
    assert (tmp_path / "out" / ".grader-seed").read_text() == seed and int(seed) >= 0
    assert first.invalid == 1


# -- the CLI and the small pieces ------------------------------------------------------------------
def test_cli_usage_errors_name_the_path(tmp_path, capsys):
    missing = tmp_path / "no_such_folder"
    assert cli_main(["grade", str(missing), "--out", str(tmp_path / "out")]) == 2
    assert str(missing) in capsys.readouterr().err
    text = tmp_path / "notes.txt"
    text.write_text("x")
    assert cli_main(["grade", str(text), "--out", str(tmp_path / "out")]) == 2
    assert "notes.txt" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        cli_main(["grade", str(tmp_path), "--out", str(tmp_path / "out"), "--jobs", "0"])
    assert info.value.code == 2
    with pytest.raises(SystemExit):
        cli_main(["grade", str(tmp_path), "--out", str(tmp_path / "out"), "--memory-limit", "lots"])


def test_find_submissions_names_relative_to_common_root(tmp_path):
    (tmp_path / "a" / "x").mkdir(parents=True)
    (tmp_path / "b").mkdir()
    for p in ("a/x/one.ipynb", "b/two.ipynb", "b/readme.md"):
        (tmp_path / p).write_text("{}")
    root, subs = find_submissions([tmp_path / "a", tmp_path / "b" / "two.ipynb"])
    assert root == tmp_path and [s.name for s in subs] == ["a/x/one.ipynb", "b/two.ipynb"]
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(UsageError, match="no notebooks"):
        find_submissions([tmp_path / "empty_dir"])
    with pytest.raises(UsageError, match="readme.md"):
        find_submissions([tmp_path / "b" / "readme.md"])


def test_protocol_keeps_only_plain_data():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    class Float(float):
        def __eq__(self, other):
            return True

    arrays: dict = {}
    with pytest.raises(protocol.Unsupported, match="AlwaysEqual"):
        protocol.encode((np.ones(2), AlwaysEqual()), arrays)
    with pytest.raises(protocol.Unsupported, match="dtype object"):
        protocol.encode(np.array([AlwaysEqual()], dtype=object), arrays)
    tree = protocol.encode((Float(1.5), [np.int64(2), "s"], None), arrays)
    value = protocol.decode(json.loads(json.dumps(tree)), arrays)
    assert value == (1.5, [2, "s"], None) and type(value[0]) is float and type(value[1][0]) is np.int64
    with pytest.raises(ValueError):
        protocol.decode({"t": "pickle", "v": "..."}, arrays)


def test_a_set_answer_travels_as_a_sorted_frozenset():
    class Letters(set):
        def __iter__(self):  # never called: the encoder reads the set itself
            raise RuntimeError("student code")

    arrays: dict = {}
    tree = protocol.encode(Letters({"C", "A"}), arrays)
    assert tree == protocol.encode(frozenset({"A", "C"}), arrays)  # the same bytes whatever the order
    assert protocol.decode(json.loads(json.dumps(tree)), arrays) == frozenset({"A", "C"})
    with pytest.raises(ValueError, match="unhashable"):
        protocol.decode({"t": "set", "v": [{"t": "array", "k": "a0"}]}, {"a0": np.zeros(2)})


def test_object_arrays_and_forged_frames_are_refused():
    arrays = {"a0": np.arange(3.0), "a1": np.float64(2.5), "a2": np.arange(6).reshape(2, 3).T}
    meta, blob = protocol.pack_arrays(arrays)
    back = protocol.unpack_arrays(meta, blob)
    assert all(back[k].shape == np.shape(v) and np.array_equal(back[k], v) for k, v in arrays.items())
    for forged in ({"a0": ["|O", [1], 0, 8]}, {"a0": ["<f8", [4], 0, 24]}, {"a0": ["<f8", [3], len(blob) - 16, 24]},
                   {"a0": ["<f8", [-1], 0, 24]}, {"a0": "x"}):
        with pytest.raises(ValueError):
            protocol.unpack_arrays(forged, blob)
    reader = protocol.FrameReader()
    good = protocol.frame(0, {"cell": "ok", "cases": []}, {"a0": np.ones(2)})
    assert reader.feed(good[:10]) == [] and len(reader.feed(good[10:])) == 1
    with pytest.raises(ValueError, match="malformed"):
        reader.feed(protocol.frame(5, {}, {}))  # out of order
    with pytest.raises(ValueError, match="at most"):  # a huge frame is refused from its header alone
        protocol.FrameReader().feed(protocol.MAGIC + (0).to_bytes(4, "little") + (2**31).to_bytes(4, "little")
                                    + (0).to_bytes(8, "little"))


def test_feedback_names_are_flat_safe_and_unique():
    names = feedback_names(["x.ipynb", "x.IPYNB", "a/b.ipynb", "a--b.ipynb", "x.md/y.ipynb", "../e\\vil\x1b.ipynb"])
    assert len(set(n.casefold() for n in names.values())) == 6
    assert all("/" not in n and n.endswith(".md") and not n.startswith(".") for n in names.values())
    assert names["x.md/y.ipynb"] == "x.md--y.md"


def test_sandbox_preamble_keeps_plain_imports_only(tmp_path):
    text = sandbox_preamble(COURSE / "01_backprop.ipynb")
    assert "import numpy as np" in text and "nncourse" not in text and "matplotlib" not in text


def test_parse_size_and_magics():
    assert parse_size("2G") == 2 * 2**30 and parse_size("512M") == 512 * 2**20 and parse_size("1.5GiB") == 3 * 2**29
    assert parse_size("1000") == 1000
    with pytest.raises(ValueError, match="lots"):
        parse_size("lots")
    assert strip_magics("%matplotlib inline\nx = 1\n    !ls\n") == "pass\nx = 1\n    pass\n"
    assert strip_magics("%%time\nx = 1\n") == "\nx = 1\n"
