"""Calling a student's function on a case: copies in, in-place changes, warnings, exceptions, time limit.

:func:`call_student` runs ONE case and returns either the sanitized output or a decided
:class:`~nncourse.exercises.base.CaseResult` (not attempted, error, timeout, wrong type, input
changed in place). :func:`run_cases` adds the comparison with the reference; ``nncourse.check``
uses it in the notebook's own process, while the batch grader calls :func:`call_student` in a
separate worker process and compares in a process that never ran student code.

The time limit
--------------
Python cannot stop a thread from outside, and a student's endless loop cannot be killed safely in
the process that runs it. On the main thread of a Unix process (a Jupyter kernel on Linux or macOS,
a plain script, pytest) an interval timer (``signal.setitimer``) raises :class:`CaseTimeout` inside the
student's code when the time is up; :class:`CaseTimeout` derives from ``BaseException`` so a bare
``except Exception`` in the student's code does not swallow it. A loop inside one long numpy call is
interrupted when that call returns. Elsewhere (Windows, other threads) the case runs to the end and
is marked ``timeout`` afterwards if it took too long. The batch grader never relies on this: it runs
each submission in a worker process that it kills at its own timeout.
"""
from __future__ import annotations

import copy
import re
import signal
import sysconfig
import threading
import time
import traceback
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nncourse.exercises.base import Case, CaseResult, Exercise, SanitizeError
from nncourse.exercises.function import flat_inputs

_PACKAGE_DIR = str(Path(__file__).resolve().parents[1])
_LIBRARY_DIRS = tuple(sorted({str(Path(p).resolve()) for k, p in sysconfig.get_paths().items()
                              if k in ("stdlib", "platstdlib", "purelib", "platlib")}))
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
def changed_input_message(label: str) -> str:
    """What a case says when the student's function changed its input ``label`` in place."""
    return (f"your function changed its input {label} in place; leave the inputs alone and build new "
            "arrays (e.g. dx = dout * mask, not dout *= mask)")


NOT_ATTEMPTED = ("not attempted: the function still raises NotImplementedError; "
                 "replace the raise line with your code")


class CaseTimeout(BaseException):
    """Raised inside the student's code when the time limit is up."""


@dataclass
class CallOutcome:
    """What one call of the student's code gave: ``value`` (sanitized) or a decided ``result``."""

    value: object = None
    result: CaseResult | None = None
    warnings: tuple = ()
    seconds: float = 0.0


def _is_library(filename: str) -> bool:
    if filename.startswith("<frozen") or filename.startswith("<built-in"):
        return True
    try:
        path = str(Path(filename).resolve())
    except (OSError, ValueError):
        return False
    return path.startswith(_PACKAGE_DIR) or any(path.startswith(d) for d in _LIBRARY_DIRS)


def clean(text: str, limit: int = 300) -> str:
    """One line without memory addresses, cut to ``limit`` characters (deterministic feedback)."""
    text = " ".join(_ADDRESS.sub("", str(text)).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_exception(exc: BaseException) -> str:
    """``"ValueError: message (line 7 in linear_backward: dW = x @ dout)"``, pointing at the student's line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _is_library(f.filename)]
    text = f"{type(exc).__name__}: {clean(exc)}" if str(exc) else type(exc).__name__
    if frames:
        f = frames[-1]
        line = f" : {clean(f.line, 120)}" if f.line else ""
        text += f" (line {f.lineno} in {f.name}{line})".replace(" : ", ": ")
    return text


def _describe_warning(w: warnings.WarningMessage) -> str:
    where = "" if _is_library(w.filename) else f" (line {w.lineno})"
    return f"{w.category.__name__}: {clean(w.message)}{where}"


@contextmanager
def _alarm(seconds: float | None):
    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def _raise(signum, frame):
        raise CaseTimeout()

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, max(float(seconds), 1e-3))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)


def _changed_inputs(original: tuple, given: tuple, names: tuple) -> list[str]:
    changed = []
    for (label, before), (_, after) in zip(flat_inputs(original, names), flat_inputs(given, names)):
        if isinstance(before, np.ndarray):
            same = (isinstance(after, np.ndarray) and after.shape == before.shape
                    and np.array_equal(after, before, equal_nan=before.dtype.kind == "f"))
            if not same:
                changed.append(label)
    return changed


def _raising_function(exc: BaseException) -> str | None:
    """The name of the function whose frame raised ``exc`` (the innermost frame), if any."""
    tb = exc.__traceback__
    if tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_name


def call_student(exercise: Exercise, fn, case: Case, *, time_limit: float | None = None) -> CallOutcome:
    """Run the student's ``fn`` (or, for a quiz, take the answer ``fn``) on ``case``.

    The student gets deep copies of the inputs; a change to them is reported as a failure. Warnings
    are recorded (they never cost points). ``time_limit`` in seconds, None for no limit.
    """
    name, public = case.name, case.public
    if exercise.kind == "quiz":
        if exercise.is_unattempted(fn):
            return CallOutcome(result=CaseResult(name, "not attempted",
                                                 "not attempted: the answer is still None", public))
        try:
            return CallOutcome(value=exercise.sanitize(fn))
        except SanitizeError as exc:
            return CallOutcome(result=CaseResult(name, "failed", str(exc), public))
    if not callable(fn):
        return CallOutcome(result=CaseResult(
            name, "error", f"expected the function {exercise.target}, got {type(fn).__name__}", public))
    args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
    start = time.perf_counter()
    result, raw = None, None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with _alarm(time_limit):
                raw = fn(*args, **kwargs)
        except CaseTimeout:
            result = CaseResult(name, "timeout", f"stopped after the time limit of {time_limit:.3g} s "
                                "(an endless loop? a Python loop over every entry instead of one "
                                "matrix operation?)", public)
        except NotImplementedError as exc:
            stub = _raising_function(exc)
            if stub is None or stub == getattr(getattr(fn, "__code__", None), "co_name", stub):
                result = CaseResult(name, "not attempted", NOT_ATTEMPTED, public)
            else:  # the student's function is written, but it calls another exercise's untouched stub
                result = CaseResult(name, "error", f"your {exercise.target} calls {stub}, which still raises "
                                    f"NotImplementedError; write {stub} first (its exercise comes earlier), "
                                    "then check this one again", public)
        except (Exception, SystemExit) as exc:
            result = CaseResult(name, "error", f"your code raised {describe_exception(exc)}", public)
    seconds = time.perf_counter() - start
    notes = tuple(dict.fromkeys(_describe_warning(w) for w in caught))
    if result is None and time_limit is not None and seconds > time_limit:
        result = CaseResult(name, "timeout", f"took {seconds:.3g} s, longer than the time limit of "
                            f"{time_limit:.3g} s", public)
    if result is None:
        changed = _changed_inputs(case.args, args, getattr(exercise, "arg_names", ()))
        if changed:
            result = CaseResult(name, "failed", changed_input_message(changed[0]), public)
    if result is None:
        try:
            return CallOutcome(value=exercise.sanitize(raw), warnings=notes, seconds=seconds)
        except SanitizeError as exc:
            result = CaseResult(name, "failed", str(exc), public)
    return CallOutcome(result=result, warnings=notes, seconds=seconds)


def run_cases(exercise: Exercise, fn, cases: list[Case], *, time_limit: float | None = None) -> list[CaseResult]:
    """Run every case in this process and compare with the reference.

    ``time_limit`` (default ``exercise.time_limit``) is shared by all cases: once the student's code
    has used it up, the remaining cases are ``timeout`` without being run.
    """
    limit = exercise.time_limit if time_limit is None else float(time_limit)
    used, results = 0.0, []
    for case in cases:
        if used >= limit:
            results.append(CaseResult(case.name, "timeout", f"not run: the time limit of {limit:g} s "
                                      "for all cases was used up", case.public))
            continue
        out = call_student(exercise, fn, case, time_limit=limit - used)
        used += out.seconds
        result = out.result or exercise.compare(out.value, exercise.expected(case), case)
        result.warnings = out.warnings
        results.append(result)
    return results
