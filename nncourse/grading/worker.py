"""The student side of the batch grader: a launcher process and the worker processes it forks.

The grader starts a *launcher* (``python -I -c <bootstrap>``, see :mod:`nncourse.grading.sandbox`)
per notebook and grading thread. The launcher runs the course's import cells (trusted code from the
course notebook, never from a submission) and then, for each job the grader sends, forks a
*worker*: a fresh copy of that prepared process, which never shares anything back. The launcher
itself never runs student code. The worker

1. leaves the launcher's session (``setsid``), sets its resource limits, moves into the job
   directory and sends its stdout/stderr to ``output.txt`` there;
2. for each exercise: runs its cell, takes the global the exercise names (the function, or the quiz
   answer), calls the function on every case with :func:`nncourse.exercises.runner.call_student`
   (copies of the inputs, in-place changes, exceptions, the type check: the same rules as
   ``nncourse.check``) and writes the raw outputs, as plain data only, to ``out-<i>.json``/``.npz``.

A worker never sees expected values and decides nothing that earns points: whatever it writes is
re-read by the grader as untrusted plain data and judged there, so monkeypatching numpy or nncourse
here, or printing something that looks like a result, changes nothing. ``nncourse.check`` is a no-op
in workers, so a check call left in an exercise cell costs nothing.

Launcher protocol: one JSON object per line. The grader sends ``{"imports": [...]}``, the launcher
answers ``{"ready": true}`` or ``{"imports_error": "..."}``; then per job the grader sends
``{"run": jobdir, "memory": bytes, "cpu": seconds, "fsize": bytes}`` and the launcher answers
``{"pid": n}``, later ``{"exited": n}`` (the worker has exited but is not reaped yet, so its process
group id cannot be reused while the grader kills the group), and after the grader's ``{"reap": n}``,
``{"status": exit code, "cpu": seconds}``.
"""
from __future__ import annotations

import builtins
import json
import linecache
import os
import sys

from nncourse.grading import protocol

#: cell magics whose body is plain Python (the magic line is dropped)
_PASS_THROUGH_MAGICS = ("time", "timeit", "capture", "prun")


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


def run_cell(src: str, filename: str, ns: dict):
    """Compile and run ``src`` in ``ns``; returns None or ``(kind, message)`` for a failure.

    ``kind`` is ``"error"``, ``"not attempted"`` or ``"memory"``.
    """
    from nncourse.exercises.runner import clean, describe_exception

    try:
        code = compile(strip_magics(src), filename, "exec")
    except CellProblem as exc:
        return "error", str(exc)
    except SyntaxError as exc:
        text = f": {clean(exc.text, 120)}" if exc.text and exc.text.strip() else ""
        return "error", f"syntax error in line {exc.lineno} of the cell: {exc.msg}{text}"
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


class _PlainExercise:
    """Stands in for an exercise that this process's registry does not know (plain data only)."""

    def __init__(self, spec: dict):
        self.id, self.kind, self.target = spec["id"], spec["kind"], spec["target"]
        self.arg_names = ()

    def is_unattempted(self, raw) -> bool:
        return self.kind == "quiz" and (raw is None or raw is Ellipsis)

    def sanitize(self, raw):
        return raw


def _exercise(spec: dict):
    from nncourse.exercises import base

    try:
        ex = base.get(spec["id"])
    except (ValueError, TypeError):
        return _PlainExercise(spec)
    return ex if (ex.kind, ex.target) == (spec["kind"], spec["target"]) else _PlainExercise(spec)


def _guard(fn, flags: dict):
    """``fn`` that keeps its raw return value in ``flags["raw"]`` and notes a MemoryError."""
    def guarded(*args, **kwargs):
        try:
            flags["raw"] = fn(*args, **kwargs)
        except MemoryError:
            flags["memory"] = True
            raise
        return flags["raw"]
    return guarded


def run_exercise(spec: dict, exercise, ns: dict, inputs: dict) -> dict:
    """The record written to ``out-<i>.json`` for one exercise (its arrays under ``"_arrays"``)."""
    from nncourse.exercises.base import Case
    from nncourse.exercises.runner import call_student

    failure = run_cell(spec["source"], f"<cell {spec['id']}>", ns)
    if failure is not None:
        return {"cell": failure[0], "message": failure[1]}
    target = spec["target"]
    if target not in ns:
        what = "function" if spec["kind"] == "function" else "variable"
        return {"cell": "error", "message": f"the cell does not define the {what} {target}; "
                                            f"keep the name {target} that the exercise gives"}
    value = ns[target]
    if spec["kind"] == "function" and not callable(value):
        return {"cell": "error", "message": f"expected {target} to be a function, got a {type(value).__name__}"}
    cases, arrays = [], {}
    for c in spec["cases"]:
        case = Case(c["name"], protocol.decode(c["args"], inputs), dict(protocol.decode(c["kwargs"], inputs)),
                    bool(c["public"]))
        flags: dict = {"raw": value}
        fn = _guard(value, flags) if spec["kind"] == "function" else value
        outcome = call_student(exercise, fn, case, time_limit=None)
        record = {"name": case.name, "warnings": [str(w) for w in outcome.warnings]}
        if outcome.result is not None:
            status = "memory" if flags.get("memory") else outcome.result.status
            record.update(status=status, message=outcome.result.message)
        else:
            try:  # the raw value: the grader sanitizes it again, in its own process
                record.update(status="value", value=protocol.encode(flags["raw"], arrays))
            except protocol.Unsupported as exc:
                record.update(status="failed", message=f"wrong type: the result is {exc}; return numpy "
                                                       "arrays, numbers or strings (or tuples of them)")
        cases.append(record)
    return {"cell": "ok", "cases": cases, "_arrays": arrays}


def _silence_check(ns: dict) -> None:
    """Make ``nncourse.check`` (and any name the import cells bound to it) a no-op."""
    def check(*args, **kwargs):
        return None

    originals = []
    for name in ("nncourse", "nncourse.check"):
        module = sys.modules.get(name)
        fn = getattr(module, "check", None) if module is not None else None
        if callable(fn) and not isinstance(fn, type(sys)):
            originals.append(fn)
            setattr(module, "check", check)
    for key, value in list(ns.items()):
        if any(value is o for o in originals):
            ns[key] = check


def prepare(imports: list[str]) -> dict:
    """A fresh notebook namespace after the course's import cells; CellProblem if one fails."""
    ns = {"__name__": "__main__", "__builtins__": builtins, "display": lambda *a, **k: None}
    for i, src in enumerate(imports):
        failure = run_cell(src, f"<course import cell {i + 1}>", ns)
        if failure is not None:
            raise CellProblem(failure[1])
    import nncourse.exercises.runner  # noqa: F401  (loaded once here, not in every worker)

    _silence_check(ns)
    return ns


def run_job(ns: dict) -> None:
    """Run the job of the current directory (see :mod:`nncourse.grading.protocol`) in ``ns``."""
    job = protocol.read_json(protocol.JOB)
    inputs = protocol.read_npz(protocol.INPUTS)
    exercises = [_exercise(spec) for spec in job["exercises"]]  # looked up before any student code
    for spec, exercise in zip(job["exercises"], exercises):
        record = run_exercise(spec, exercise, ns, inputs)
        json_name, npz_name = protocol.out_names(spec["index"])
        arrays = record.pop("_arrays", {})
        if arrays:
            protocol.write_npz(npz_name, arrays)
        protocol.write_json(json_name, record)


# -- the launcher ---------------------------------------------------------------------------------
def _set_limits(memory: int, cpu: int, fsize: int) -> None:
    try:
        import resource
    except ImportError:  # not a POSIX system: only the wall-clock timeout applies
        return
    for name, soft, hard in (("RLIMIT_AS", memory, memory), ("RLIMIT_CPU", cpu, cpu + 1),
                             ("RLIMIT_FSIZE", fsize, fsize), ("RLIMIT_CORE", 0, 0)):
        which = getattr(resource, name, None)
        if which is None:
            continue
        _, old = resource.getrlimit(which)
        if old != resource.RLIM_INFINITY:
            soft, hard = min(soft, old), min(hard, old)
        try:
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):
            pass


def _worker(ns: dict, job: dict, ready_fd: int) -> None:
    """The forked child: isolate, limit, run the job, exit without running any cleanup handlers."""
    code = 1
    try:
        os.setsid()
        _set_limits(int(job["memory"]), int(job["cpu"]), int(job["fsize"]))
        import signal

        if hasattr(signal, "SIGXFSZ"):  # a file above the size limit gives an OSError, not a kill
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        os.chdir(job["run"])
        out = os.open("output.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.write(ready_fd, b"1")
        os.closerange(3, 1 << 16)  # the launcher's pipes included
        run_job(ns)
        code = 0
    except BaseException:
        try:
            import traceback

            traceback.print_exc()
        except BaseException:
            pass
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        os._exit(code)


def serve() -> None:
    """The launcher's loop (see the module docstring). Never runs student code itself."""
    cmd = os.fdopen(os.dup(0), "rb")
    msg_fd = os.dup(1)
    os.dup2(2, 1)  # anything the import cells print goes to the log, not into the protocol
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    lines = iter(cmd.readline, b"")

    def send(obj) -> None:
        os.write(msg_fd, (json.dumps(obj) + "\n").encode())

    def receive():
        line = next(lines, b"")
        return json.loads(line) if line.strip() else None

    hello = receive()
    if hello is None:
        return
    try:
        ns = prepare(hello["imports"])
    except CellProblem as exc:
        send({"imports_error": str(exc)})
        return
    send({"ready": True})
    while True:
        job = receive()
        if job is None or "run" not in job:
            return
        sys.stdout.flush()
        sys.stderr.flush()
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            _worker(ns, job, ready_w)
        os.close(ready_w)
        os.read(ready_r, 1)  # the child is in its own session now (or already gone)
        os.close(ready_r)
        send({"pid": pid})
        reaped = None
        if hasattr(os, "waitid") and hasattr(os, "WNOWAIT"):
            os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # exited, but its pid stays reserved
        else:
            reaped = os.wait4(pid, 0)
        send({"exited": pid})
        while True:
            msg = receive()
            if msg is None or msg.get("reap") == pid:
                break
        _, status, usage = reaped or os.wait4(pid, 0)
        send({"status": os.waitstatus_to_exitcode(status), "cpu": usage.ru_utime + usage.ru_stime})
        if msg is None:
            return
