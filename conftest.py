"""pytest settings shared by the notebooks (under nbval) and the tests.

- **What belongs together runs together.** ``make test`` runs the notebooks and the tests in one
  session under ``--dist loadgroup``: every test goes to whichever worker is free, except that a
  notebook's cells run in order on one worker (one kernel), and so do the tests that share one
  JupyterLab server or one graded class, so it is set up once (:func:`work_unit`).
- **Kernels start one at a time.** Under pytest-xdist, several workers start notebook kernels at
  once. jupyter_client picks a kernel's ports by binding and releasing free ones, so two kernels
  starting together can pick the same port, and one dies before it answers. Starts are therefore
  serialised across workers with a file lock, and a kernel that dies while starting is started
  once more.
- **Each solution notebook is executed once.** With ``NNCOURSE_EXECUTED=DIR`` (as ``make test``
  sets it), every ``solutions/*.ipynb`` that nbval runs uses the slides' figure settings
  (:data:`nncourse.slides.SLIDE_RC`). It is then saved to ``DIR`` with its outputs and the hash of
  its source. The fixture :func:`executed_solution` hands these copies to the deck tests, which
  run on the notebook's worker after its cells. When a copy is missing or stale (``pytest tests``
  run alone, or a notebook edited since), the fixture executes the notebook itself.
- **The student notebooks' figures are drawn, not rendered.** Under nbval, a ``course/`` notebook
  runs every plotting call on matplotlib's ``agg`` backend, and no PNG is made. Rendering is what
  the solution notebook's run does for the very same figures (``tests/test_student_runs.py`` checks
  that the cells are the same), and it is a fifth of a notebook's run time.
"""
from __future__ import annotations

import contextlib
import copy
import hashlib
import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
SOLUTIONS = ROOT / "solutions"
EXECUTED_VARIABLE = "NNCOURSE_EXECUTED"


@contextlib.contextmanager
def _one_kernel_start_at_a_time():
    import fcntl

    with open(Path(tempfile.gettempdir()) / "nncourse-kernel-start.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def pytest_configure(config):
    try:
        from nbval import kernel as nbval_kernel
    except ImportError:  # nbval is not installed: no notebooks to run
        return
    start = nbval_kernel.start_new_kernel
    if getattr(start, "_one_at_a_time", False):
        return

    def start_new_kernel(*args, **kwargs):
        with _one_kernel_start_at_a_time():
            try:
                return start(*args, **kwargs)
            except RuntimeError:  # "Kernel died before replying": a port taken meanwhile
                return start(*args, **kwargs)

    start_new_kernel._one_at_a_time = True
    nbval_kernel.start_new_kernel = start_new_kernel


# ---- which notebooks run --------------------------------------------------------------------------

def pytest_ignore_collect(collection_path, config):
    """Notebooks run from ``solutions/`` and ``course/`` only: any other notebook under the project
    (the attack notebooks in ``tests/hostile/`` among them) is data for a test, never run by nbval."""
    if collection_path.suffix == ".ipynb" and collection_path.resolve().parent not in (SOLUTIONS, ROOT / "course"):
        return True
    return None


# ---- what runs together on one worker (make test: -n auto --dist loadgroup) -------------------------

#: modules whose tests share one JupyterLab server or one graded class: set up once, on one worker
SHARED_MODULES = ("tests/test_browser.py", "tests/test_grading.py", "tests/test_grading_hostile.py",
                  "tests/test_questions_grading.py")


def work_unit(nodeid: str) -> str:
    """What must run on the same worker as ``nodeid``, in collection order.

    - a notebook's cells: the notebook (one kernel runs them in order);
    - a test whose parameter is a solution notebook (``...[solutions/<name>.ipynb]``): that notebook,
      so it runs after the notebook's cells, on the worker where its executed copy was just saved;
    - a test of :data:`SHARED_MODULES`: its module;
    - any other test: itself, on whichever worker is free.
    """
    path = nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        return path
    if nodeid.endswith(".ipynb]") and "[solutions/" in nodeid:
        return nodeid[nodeid.rindex("[solutions/") + 1:-1]
    if path in SHARED_MODULES:
        return path
    return nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` with the work units of :func:`work_unit`.

    xdist's own ``loadgroup`` finds its groups by appending them to each test's node id, which
    pytest 9 no longer lets a plugin change: every cell of a notebook would then go to any worker.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class WorkUnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return WorkUnitScheduling(config, log)


# ---- solution notebooks executed once: saved by the nbval run, used by the deck tests -------------

def source_hash(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _executed_dir() -> Path | None:
    value = os.environ.get(EXECUTED_VARIABLE, "").strip()
    return Path(value).resolve() if value else None


def _folder(item) -> Path | None:
    """The folder of the notebook whose cell ``item`` is (None for a test that is not a cell)."""
    if type(item).__name__ != "IPyNbCell":
        return None
    return Path(str(item.parent.fspath)).resolve().parent


def _is_solution_cell(item) -> bool:  # a solution notebook's cell, saved for the decks
    return _executed_dir() is not None and _folder(item) == SOLUTIONS


def _is_course_cell(item) -> bool:
    return _folder(item) == ROOT / "course"


# run before a student notebook's first cell: figures are drawn (every plotting call runs) but not
# rendered to PNG, which the solution notebook's run does for the very same figures
_NO_PNG = """\
import warnings as _nn_w, matplotlib as _nn_mpl
_nn_mpl.use("agg")
_nn_w.filterwarnings("ignore", message=".*non-interactive, and thus cannot be shown")
import matplotlib.pyplot as _nn_plt
get_ipython().events.register("post_execute", lambda plt=_nn_plt: plt.close("all"))
del _nn_w, _nn_mpl, _nn_plt
"""
_runs: dict[str, object] = {}  # solution notebook path -> its copy being filled with outputs
_failed: set[str] = set()  # solution notebooks with a cell that failed (not saved: nbval reports why)
_nbval_ran: set[str] = set()  # solution notebooks this process ran under nbval (and must have saved)
_no_png: set[str] = set()  # student notebooks whose kernel has run _NO_PNG


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    if _is_course_cell(item) and str(item.parent.fspath) not in _no_png:
        _no_png.add(str(item.parent.fspath))
        _run_in_kernel(item, _NO_PNG)
    if not _is_solution_cell(item):
        yield
        return
    key = str(item.parent.fspath)
    if key not in _runs:  # the notebook's first cell: figures for a projector from here on
        from nncourse.slides import _PREAMBLE

        _run_in_kernel(item, _PREAMBLE)
        _nbval_ran.add(Path(key).name)
        _runs[key] = copy.deepcopy(item.parent.nb)
        _runs[key].metadata["nncourse_executed"] = {"source_sha256": source_hash(Path(key))}
    yield
    cell = _runs[key].cells[_cell_index(item)]
    cell.outputs = copy.deepcopy(item.test_outputs or [])


def _run_in_kernel(item, source: str) -> None:
    kernel = item.parent.kernel
    kernel.await_reply(kernel.execute_cell_input(source, allow_stdin=False), timeout=60)


def _cell_index(item) -> int:
    return next(i for i, c in enumerate(item.parent.nb.cells) if c is item.cell)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if outcome.get_result().failed and _is_solution_cell(item):
        _failed.add(str(item.parent.fspath))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if not _is_solution_cell(item) or (nextitem is not None and nextitem.parent is item.parent):
        return
    nb = _runs.pop(str(item.parent.fspath), None)
    if nb is None or str(item.parent.fspath) in _failed:
        return
    import nbformat

    from nncourse._files import write_atomic

    target = _executed_dir() / Path(str(item.parent.fspath)).name
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, nbformat.writes(nb))


@pytest.fixture(scope="session")
def executed_solution(tmp_path_factory):
    """A function giving the path of ``solutions/<name>`` run with slide-sized figures.

    It is the copy the nbval run saved when that copy is there and current; otherwise the notebook
    is run now (once per test process). A test that uses it with a parameter ``nb_path`` goes in that notebook's xdist group
    (:func:`pytest_collection_modifyitems`): under ``make test`` it runs after the notebook, on its worker.
    """
    saved, ran = _executed_dir(), {}

    def executed(name: str) -> Path:
        source = SOLUTIONS / name
        if saved is not None and _hash_in(saved / name) == source_hash(source):
            return saved / name
        if saved is not None and name in _nbval_ran:
            raise RuntimeError(f"nbval ran {source} in this session but did not save it to {saved} "
                               f"({EXECUTED_VARIABLE}): the deck tests would run it a second time")
        if name not in ran:
            ran[name] = Path(_execute(str(source), str(tmp_path_factory.mktemp("executed"))))
        return ran[name]

    return executed


def _hash_in(path: Path) -> str | None:
    import json

    try:  # a copy that is missing, half written or from another version of the notebook is not used
        return json.loads(path.read_text())["metadata"]["nncourse_executed"]["source_sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _execute(path: str, out: str) -> str:
    """Run one notebook for its slides (twice at most: a kernel that dies while starting is restarted)."""
    import nbformat

    from nncourse.slides import execute

    for attempt in range(2):
        try:
            nb = execute(Path(path))
            break
        except Exception:
            if attempt:
                raise
    target = Path(out) / Path(path).name
    nbformat.write(nb, target)
    return str(target)
