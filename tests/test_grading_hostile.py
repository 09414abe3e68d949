"""A hostile class graded with the sandbox on: every attack of tests/hostile/corpus.py in one run,
with honest classmates alongside. Each attack earns nothing for what it attacks and gets a clear
row; the honest rows are those the classmates get when graded alone; nothing outside --out
changes; no process of the sandbox's identity survives; --jobs 1 and --jobs 2 give the same files."""
from __future__ import annotations

import csv
import hashlib
import json
import os
import resource
import shutil
from pathlib import Path

import pytest

from nncourse import exercises
from nncourse.cli import main as cli_main
from nncourse.grading import grade, run
from nncourse.grading.discover import UsageError
from nncourse.grading.sandbox import NO_SANDBOX_FLAG, SandboxUnavailable
from hostile.corpus import ATTACKED, ATTACKS, KINDS, LIN, QUIZ, RELU, write_attacks, write_special

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
COURSE = REPO / "course"
SOLUTION_PATH = REPO / "solutions" / "01_backprop.ipynb"
SOLUTION = json.loads(SOLUTION_PATH.read_text())
STUDENT = json.loads((COURSE / "01_backprop.ipynb").read_text())
SEED = 918273645546372819
LIMITS = dict(seed=SEED, timeout=120, cpu_limit=5, memory_limit=2**30, course=COURSE, progress=False)
HONEST = ("alice/perfect.ipynb", "bob/student.ipynb", "zed.ipynb")
NUMPY_DIR = Path(__import__("numpy").__file__).parent


def write_honest(folder: Path) -> None:
    (folder / "alice").mkdir(parents=True)
    (folder / "bob").mkdir()
    (folder / "alice" / "perfect.ipynb").write_text(json.dumps(SOLUTION))
    (folder / "bob" / "student.ipynb").write_text(json.dumps(STUDENT))
    (folder / "zed.ipynb").write_text(json.dumps(SOLUTION))


def tree(path: Path) -> dict:
    """Every entry under ``path``: a file's hash, a link's target, a folder's mark."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            if os.path.islink(p):
                state[p] = "link:" + os.readlink(p)
            elif os.path.isdir(p):
                state[p] = "dir"
            else:
                state[p] = hashlib.sha256(Path(p).read_bytes()).hexdigest()
    return state


def _status(pid) -> dict:
    try:
        lines = Path("/proc", str(pid), "status").read_text().splitlines()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in lines if ":" in line)


def stray_nobody_processes() -> list:
    """Processes of uid 65534 that no running launcher watches over (a job's daemon that survived).
    Processes of other grading runs on the same machine, still under their launchers, are left out."""
    stray = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        if _status(entry).get("Uid", "").split()[:1] != ["65534"]:
            continue
        pid, watched = _status(entry).get("PPid", "0").strip(), False
        while pid not in ("0", "1", "") and not watched:
            try:
                watched = b"_nncourse_launcher" in Path("/proc", pid, "cmdline").read_bytes()
            except OSError:
                break
            pid = _status(pid).get("PPid", "0").strip()
        if not watched:
            stray.append(entry)
    return stray


def host_targets() -> dict:
    """The host files the backdoor attack tries to change (and what must stay absent)."""
    site = NUMPY_DIR.parent
    files = [NUMPY_DIR / "__init__.py", REPO / "nncourse" / "functional.py", Path(os.__file__)]
    absent = [site / "zz-backdoor.pth", NUMPY_DIR / "__pycache__" / "evil.pyc", REPO / "nncourse" / "zz_backdoor.py"]
    return {**{str(f): f.read_bytes().count(b"# backdoor") for f in files}, **{str(f): f.exists() for f in absent}}


def read_rows(out: Path) -> dict:
    with open(out / "results.csv", newline="", encoding="utf-8") as f:
        return {(r["submission"], r["exercise"]): r for r in csv.DictReader(f)}


def rows_of(rows: dict, submission: str) -> dict:
    return {ex: r for (sub, ex), r in rows.items() if sub == submission}


def snapshot(out: Path) -> dict:
    files = [out / "results.csv", out / "grades.csv", *sorted((out / "feedback").glob("*.md"))]
    return {f.relative_to(out).as_posix(): f.read_bytes() for f in files}


def feedback(out: Path, name: str) -> str:
    return (out / "feedback" / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    subs, out, canary = root / "subs", root / "out", root / "canary"
    canary.mkdir()
    write_honest(subs)
    places = {"SUBS": subs, "OUT": out, "REPO": REPO, "CANARY": canary}
    write_attacks(subs, SOLUTION, places)
    special = write_special(subs, SOLUTION, SOLUTION_PATH)
    (canary / "feedback-target").mkdir()
    out.mkdir()
    os.symlink(canary / "feedback-target", out / "feedback")  # a symlinked feedback/ in --out
    before = {"subs": tree(subs), "canary": tree(canary), "host": host_targets()}
    memory_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    summary = grade([subs], out, jobs=2, **LIMITS)
    memory_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - memory_before) * 1024
    after = {"subs": tree(subs), "canary": tree(canary), "host": host_targets(), "nobody": stray_nobody_processes()}
    alone = root / "alone"
    write_honest(alone)
    grade([alone], root / "alone-out", jobs=1, **LIMITS)
    return dict(root=root, subs=subs, out=out, canary=canary, special=special, summary=summary, before=before,
                after=after, rows=read_rows(out), alone=read_rows(root / "alone-out"), memory_growth=memory_growth)


def test_every_kind_of_attack_is_in_the_corpus(hostile):
    kinds = {kind for kind, _ in ATTACKS.values()} | set(hostile["special"])
    assert kinds == set(KINDS)


def test_the_run_completes_with_a_row_for_every_submission(hostile):
    summary, rows = hostile["summary"], hostile["rows"]
    submissions = {sub for sub, _ in rows}
    assert summary.graded == summary.submissions == len(submissions)
    for name in ATTACKS:
        assert f"{name}.ipynb" in submissions
    for names in hostile["special"].values():
        assert set(names) <= submissions


def test_honest_classmates_keep_their_rows(hostile):
    rows, alone = hostile["rows"], hostile["alone"]
    for name in HONEST:
        assert rows_of(rows, name) == rows_of(alone, name), name
    perfect = rows_of(rows, "alice/perfect.ipynb")
    assert len(perfect) == len(exercises.for_notebook("backprop"))
    assert all(r["status"] == "passed" for r in perfect.values())
    assert all(r["status"] == "not attempted" for r in rows_of(rows, "bob/student.ipynb").values())


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_earns_nothing_for_what_it_attacks(hostile, name):
    mine = rows_of(hostile["rows"], f"{name}.ipynb")
    assert len(mine) == len(exercises.for_notebook("backprop")), mine
    for ex in ATTACKED[name]:
        assert mine[ex]["status"] != "passed" and float(mine[ex]["points"]) == 0, (name, mine[ex])
    for ex in {LIN, RELU, QUIZ} - ATTACKED[name]:
        assert mine[ex]["status"] == "passed", (name, mine[ex])


def test_nothing_outside_out_changed(hostile):
    before, after = hostile["before"], hostile["after"]
    assert after["subs"] == before["subs"]
    assert after["canary"] == before["canary"]  # no late files, no feedback through the link
    assert after["host"] == before["host"]      # no backdoor in numpy, the package or the stdlib
    assert after["nobody"] == []                # no daemon survived its job
    assert (hostile["out"] / "feedback").is_dir() and not (hostile["out"] / "feedback").is_symlink()


def test_reference_out_of_reach(hostile):
    rows, out = hostile["rows"], hostile["out"]
    assert rows[("link_to_solution.ipynb", "")]["status"] == "not graded"
    assert "outside the submissions folder" in rows[("link_to_solution.ipynb", "")]["message"]
    for name in ("ref_import_cell", "ref_from_functional", "ref_importlib", "ref_dunder_import", "ref_sys_path"):
        assert rows[(f"{name}.ipynb", LIN)]["status"] == "error", name
    assert "NameError: name 'reference_linear_backward' is not defined" in rows[("ref_import_cell.ipynb", LIN)]["message"]
    assert "modules with linear_backward: []" in feedback(out, "ref_sys_modules.md")
    assert "reference globals found: []" in feedback(out, "ref_subclasses.md")
    assert "quiz keys found: 0" in feedback(out, "ref_gc_and_quiz_keys.md")


def test_crash_attempts_get_rows_of_their_own(hostile):
    rows, out = hostile["rows"], hostile["out"]
    assert "bad \\udcff\\ud800 text" in rows[("surrogates.ipynb", LIN)]["message"]
    assert rows_of(rows, "signals_everyone.ipynb")[LIN]["status"] == "failed"
    for name in hostile["special"]["crash"]:
        assert all(r["status"] == "passed" for r in rows_of(rows, name).values()), name
    assert (out / "feedback" / "x.md").is_file() and (out / "feedback" / "x.md--inner.md").is_file()


def test_classmates_and_environment_untouched(hostile):
    out = hostile["out"]
    assert "process memories opened: [] processes traced: []" in feedback(out, "proc_memory.md")
    assert "backdoors written: 0" in feedback(out, "backdoor_environment.md")
    assert "files rewritten: 0" in feedback(out, "rewrite_results_and_classmates.md")
    assert hostile["rows"][("forged_messages.ipynb", LIN)]["status"] == "error"


def test_nothing_leaks(hostile):
    out = hostile["out"]
    assert "classmates seen: [] solutions in memory: 0" in feedback(out, "read_classmates.md")
    assert "answers from a classmate: []" in feedback(out, "tmp_share_2_read.md")
    secrets = feedback(out, "secrets.md")
    assert str(SEED) not in secrets and "network: no" in secrets and secrets.count("unreadable") == 3
    if os.geteuid() == 0:
        assert "uid 65534 gid 65534 pid 1 ppid 0" in secrets


def test_host_and_output_files(hostile):
    rows, out = hostile["rows"], hostile["out"]
    assert "MiB written to /tmp: 6" in feedback(out, "daemons_and_files.md")  # 64 MiB of scratch space
    formula = rows[("formula.ipynb", "")]
    assert formula["notebook"].startswith("'=") and formula["status"] == "invalid notebook"
    with open(out / "grades.csv", encoding="utf-8") as f:
        assert all(not line.split(",")[1].startswith("=") for line in f)
    html = feedback(out, "html_and_controls.md")
    assert "<script" not in html and "<img" not in html and "\x1b" not in html and "\x07" not in html
    assert "&lt;script&gt;" in html
    twins = sorted((out / "feedback").glob("twin*.md"))
    assert len(twins) == 2 and twins[0].read_text() != twins[1].read_text()
    assert rows_of(rows, "aaa_link.ipynb") and rows_of(rows, "zed.ipynb") == rows_of(hostile["alone"], "zed.ipynb")
    nested = rows[("nested.ipynb", "")]
    assert nested["status"] == "invalid notebook" and "nested more than" in nested["message"]
    assert hostile["memory_growth"] < 600 * 2**20
    forged = rows[("forged_frame.ipynb", LIN)]
    assert forged["status"] == "error" and "could not be read" in forged["message"]


def test_jobs_1_gives_the_same_files_as_jobs_2(hostile, tmp_path):
    fresh = tmp_path / "out"
    grade([hostile["subs"]], fresh, jobs=1, **LIMITS)
    assert snapshot(fresh) == snapshot(hostile["out"])


def test_grading_refuses_without_a_sandbox_unless_told(tmp_path, monkeypatch, capsys):
    def unavailable(*args, **kwargs):
        raise SandboxUnavailable("the sandbox for student code cannot be set up here: no user namespaces")

    monkeypatch.setattr(run, "Launcher", unavailable)
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "a.ipynb").write_text(json.dumps(SOLUTION))
    with pytest.raises(UsageError, match=NO_SANDBOX_FLAG):
        grade([tmp_path / "subs"], tmp_path / "out", **LIMITS)
    assert not (tmp_path / "out").exists()
    command = ["grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--course", str(COURSE), "-q"]
    assert cli_main(command) == 2
    assert NO_SANDBOX_FLAG in capsys.readouterr().err
    monkeypatch.undo()
    assert cli_main(command + [NO_SANDBOX_FLAG]) == 0
    shutil.rmtree(tmp_path / "out")
    summary = grade([tmp_path / "subs"], tmp_path / "out", sandbox=False, **LIMITS)
    assert summary.parts[0].total == summary.parts[0].max_points > 0
    shutil.rmtree(tmp_path / "out")


def _ordinary_user_python():
    """A command that runs this Python version as an ordinary user (uid 4242), or None."""
    import shutil as sh
    import subprocess
    import sys

    python = f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}"
    if os.geteuid() != 0 or not sh.which("setpriv") or not os.path.exists(python):
        return None
    command = ["setpriv", "--reuid=4242", "--regid=4242", "--clear-groups", python, "-I", "-c"]
    probe = f"import sys; sys.path[:0] = [{str(REPO)!r}, {str(NUMPY_DIR.parent)!r}]; import numpy, nncourse"
    done = subprocess.run(command + [probe], capture_output=True, timeout=120)
    return command if done.returncode == 0 else None


def test_the_sandbox_as_an_ordinary_user(tmp_path):
    """Graded by an ordinary user: the job's uid is that user's, mapped to a namespace root without
    any capability; it still sees neither the package, the results nor other processes."""
    import subprocess
    import tempfile

    command = _ordinary_user_python()
    if command is None:
        pytest.skip("needs root, setpriv and a system Python of this version that can import numpy")
    home = Path(tempfile.mkdtemp(prefix="nncourse-user-"))
    try:
        os.chown(home, 4242, 4242)
        subs, out = home / "subs", home / "out"
        subs.mkdir()
        probe = ("import os, ctypes\nimport numpy as np\n"
                 "libc = ctypes.CDLL(None, use_errno=True)\n"
                 "print('mount', libc.mount(b'none', b'/tmp', b'tmpfs', 0, None), 'unshare', libc.unshare(0x10000000))\n"
                 f"print('seen', [p for p in ({str(out)!r}, {str(REPO / 'nncourse')!r}, '/proc') if os.path.exists(p)])\n"
                 "def linear_backward(dout, cache):\n    x, W, b = cache\n"
                 "    return dout @ W.T, x.T @ dout, dout.sum(axis=0)\n")
        nb = json.loads(json.dumps(SOLUTION))
        for cell in nb["cells"]:
            if cell.get("metadata", {}).get("nncourse", {}).get("exercise") == LIN:
                cell["source"] = probe
        (subs / "probe.ipynb").write_text(json.dumps(nb))
        for p in (subs, subs / "probe.ipynb"):
            os.chown(p, 4242, 4242)
        script = (f"import sys; sys.path[:0] = [{str(REPO)!r}, {str(NUMPY_DIR.parent)!r}]\n"
                  "from nncourse.grading import grade\n"
                  f"s = grade([{str(subs)!r}], {str(out)!r}, seed=1, course={str(COURSE)!r}, progress=False)\n"
                  "print(s.parts[0].total, s.parts[0].max_points)\n")
        done = subprocess.run(command + [script], capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        total, max_points = done.stdout.split()[-2:]
        assert float(total) == float(max_points) > 0
        text = (out / "feedback" / "probe.md").read_text()
        assert "mount -1 unshare -1" in text and "seen []" in text
    finally:
        shutil.rmtree(home, ignore_errors=True)
