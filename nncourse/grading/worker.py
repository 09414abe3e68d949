"""The student side of the batch grader: what runs inside a job's sandbox.

This module needs only numpy and the standard library. The launcher (see
:mod:`nncourse.grading.launcher`) loads it by path, with :mod:`~nncourse.grading.protocol` and
:mod:`~nncourse.grading.jail`, and never imports the ``nncourse`` package: the package's reference
implementations, its exercise registry and the quiz keys are not in the launcher's memory, so they
are not in the memory of any process forked from it either, and the sandbox's view of the file
system does not contain them.

For each exercise of a job, :func:`run_exercise` runs the student's cell in the notebook
namespace (after the course's plain import lines, such as ``import numpy as np``), takes the global
the exercise names (the function, or the quiz answer), calls the function on every case with deep
copies of the inputs, and records per case the raw return value (plain data only), or what went
wrong: an exception (with the student's own line), ``NotImplementedError`` (not attempted), a
``MemoryError``, or an input changed in place. It judges nothing: the grader compares the values
with expected values it computes in its own process.

Inside the sandbox ``import nncourse`` gives a stand-in whose ``check``, ``use``, ``claim``,
``seed`` and ``progress`` do nothing (``use`` returns the student's function), so a check call left
in an exercise cell costs nothing; the real package is not there.
"""
from __future__ import annotations

import builtins
import copy
import linecache
import os
import sys
import traceback
import types
import warnings

try:  # in the launcher, loaded by path under a private name (never the nncourse package)
    import _nncourse_protocol as protocol
except ImportError:
    from nncourse.grading import protocol

#: cell magics whose body is plain Python (the magic line is dropped)
_PASS_THROUGH_MAGICS = ("time", "timeit", "capture", "prun")
_LIBRARY: list = []   # path prefixes of code that is not the student's (set by the launcher)


class CellProblem(Exception):
    """A cell cannot be run as plain Python (the message says why)."""


def strip_magics(src: str) -> str:
    """The cell as plain Python: IPython line magics and ``!shell`` lines become ``pass``."""
    lines = src.splitlines(True)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        name = lines[first].strip()[2:].split(" ")[0]
        if name not in _PASS_THROUGH_MAGICS:
            raise CellProblem(f"the cell starts with the cell magic %%{name}, which the grader cannot "
                              "run; remove it")
        lines[first] = "\n"
    out = []
    for line in lines:
        body = line.lstrip()
        if body.startswith(("%", "!")):
            nl = "\n" if line.endswith("\n") else ""
            line = line[: len(line) - len(body)] + "pass" + nl
        out.append(line)
    return "".join(out)


def clean(text, limit: int = 300) -> str:
    """One line, cut to ``limit`` characters, surrogates escaped (the grader removes addresses)."""
    try:
        text = " ".join(str(text).split())
    except BaseException:  # a __str__ that raises
        text = "(the message could not be read)"
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_library(filename: str) -> bool:
    if filename.startswith(("<frozen", "<built-in", "<string>")):
        return True
    return any(filename.startswith(p) for p in _LIBRARY)


def describe_exception(exc: BaseException) -> str:
    """``"ValueError: message (line 7 in linear_backward: dW = x @ dout)"``, pointing at the student's line."""
    try:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _is_library(f.filename)]
    except BaseException:
        frames = []
    name = clean(type(exc).__name__, 80)
    message = clean(exc)
    text = f"{name}: {message}" if message else name
    if frames:
        f = frames[-1]
        line = f": {clean(f.line, 120)}" if f.line else ""
        text += f" (line {f.lineno} in {clean(f.name, 80)}{line})"
    return text


def run_cell(src: str, filename: str, ns: dict):
    """Compile and run ``src`` in ``ns``; returns None or ``(kind, message)`` for a failure.

    ``kind`` is ``"error"``, ``"not attempted"`` or ``"memory"``.
    """
    try:
        code = compile(strip_magics(src), filename, "exec")
    except CellProblem as exc:
        return "error", str(exc)
    except SyntaxError as exc:
        text = f": {clean(exc.text, 120)}" if exc.text and exc.text.strip() else ""
        return "error", f"syntax error in line {exc.lineno} of the cell: {clean(exc.msg, 200)}{text}"
    except (ValueError, OverflowError, MemoryError, RecursionError) as exc:
        return "error", f"the cell cannot be compiled ({type(exc).__name__}: {clean(exc)})"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    try:
        exec(code, ns)
    except NotImplementedError:
        return "not attempted", "not attempted: the cell still raises NotImplementedError"
    except MemoryError as exc:
        return "memory", f"running the cell raised {describe_exception(exc)}"
    except BaseException as exc:  # SystemExit, KeyboardInterrupt and anything a student may raise
        return "error", f"running the cell raised {describe_exception(exc)}"
    return None


def _array_paths(value, path=()) -> list:
    """``[(path, ndarray)]`` for every array in nested tuples and lists of arguments."""
    import numpy as np

    if isinstance(value, np.ndarray):
        return [(path, value)]
    if type(value) in (tuple, list):
        return [p for i, v in enumerate(value) for p in _array_paths(v, path + (i,))]
    return []


def _changed(before, after) -> list | None:
    """The path of the first argument array that the call changed, or None."""
    import numpy as np

    got = dict(_array_paths(after))
    for path, old in _array_paths(before):
        new = got.get(path)
        same = (isinstance(new, np.ndarray) and new.shape == old.shape
                and np.array_equal(new, old, equal_nan=old.dtype.kind in "fc"))
        if not same:
            return list(path)
    return None


def call_case(fn, args: tuple, kwargs: dict, arrays: dict) -> dict:
    """Call the student's function on one case; the record of what happened (value or problem)."""
    given_args, given_kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    record: dict = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            raw = fn(*given_args, **given_kwargs)
        except NotImplementedError:
            record["status"] = "not attempted"
        except MemoryError as exc:
            record.update(status="memory", message=f"your code raised {describe_exception(exc)}")
        except BaseException as exc:  # SystemExit and anything a student may raise
            record.update(status="error", message=f"your code raised {describe_exception(exc)}")
    notes = []
    for w in caught:
        where = "" if _is_library(str(w.filename)) else f" (line {w.lineno})"
        notes.append(f"{clean(w.category.__name__, 80)}: {clean(w.message)}{where}")
    record["warnings"] = list(dict.fromkeys(notes))[:5]
    if "status" in record:
        return record
    path = _changed((args, kwargs), (given_args, given_kwargs))
    if path is not None:
        record.update(status="changed", path=path)
        return record
    try:
        record.update(status="value", value=protocol.encode(raw, arrays))
    except protocol.Unsupported as exc:
        record.update(status="failed", message=f"wrong type: the result is {clean(exc)}; return numpy "
                                               "arrays, numbers or strings (or tuples of them)")
    except MemoryError:
        record.update(status="memory", message="MemoryError while reading the result")
    return record


def run_exercise(spec: dict, ns: dict, inputs: dict) -> tuple[dict, dict]:
    """The record and arrays of one exercise (see the module docstring)."""
    failure = run_cell(spec["source"], f"<cell {spec['id']}>", ns)
    if failure is not None:
        return {"cell": failure[0], "message": failure[1]}, {}
    target, kind = spec["target"], spec["kind"]
    if target not in ns:
        what = "function" if kind == "function" else "variable"
        return {"cell": "error", "message": f"the cell does not define the {what} {target}; "
                                            f"keep the name {target} that the exercise gives"}, {}
    value = ns[target]
    if kind == "function" and not callable(value):
        return {"cell": "error", "message": f"expected {target} to be a function, "
                                            f"got a {clean(type(value).__name__, 80)}"}, {}
    cases, arrays = [], {}
    for c in spec["cases"]:
        args = protocol.decode(c["args"], inputs)
        kwargs = dict(protocol.decode(c["kwargs"], inputs))
        if kind == "function":
            record = call_case(value, args, kwargs, arrays)
        else:
            try:
                record = {"status": "value", "value": protocol.encode(value, arrays), "warnings": []}
            except protocol.Unsupported as exc:
                record = {"status": "failed", "message": f"wrong type: the answer is {clean(exc)}",
                          "warnings": []}
        record["name"] = c["name"]
        cases.append(record)
    return {"cell": "ok", "cases": cases}, arrays


def stand_in_module() -> types.ModuleType:
    """What ``import nncourse`` gives inside the sandbox: calls that do nothing."""
    mod = types.ModuleType("nncourse", "A stand-in: the grader's sandbox does not contain the course package.")
    mod.check = lambda *args, **kwargs: None
    mod.use = lambda exercise_id, answer, *args, **kwargs: answer
    mod.claim = lambda *args, **kwargs: True
    mod.seed = lambda k=0: int(k)
    mod.progress = lambda *args, **kwargs: None
    return mod


def run_job(job: dict, inputs: dict, results_fd: int) -> None:
    """Run every exercise of ``job``, writing one frame per exercise to ``results_fd``.

    In the sandbox this process is the first of its PID namespace: after each exercise it kills
    every other process there, so what the student's code started cannot reach the next exercise.
    """
    sys.modules["nncourse"] = stand_in_module()
    sys.argv[:] = [""]
    if hasattr(sys, "orig_argv"):
        sys.orig_argv = [""]
    ns = {"__name__": "__main__", "__builtins__": builtins, "display": lambda *a, **k: None,
          "nncourse": sys.modules["nncourse"]}
    failure = run_cell(job["preamble"], "<course imports>", ns)
    for spec in job["exercises"]:
        if failure is not None:
            record, arrays = {"cell": "error", "message": f"the course's import lines failed: {failure[1]}"}, {}
        else:
            record, arrays = run_exercise(spec, ns, inputs)
        if os.getpid() == 1:  # the first process of the sandbox's PID namespace: end every other one
            try:
                os.kill(-1, 9)
            except OSError:
                pass
        data = protocol.frame(spec["index"], record, arrays)
        while data:
            data = data[os.write(results_fd, data):]
