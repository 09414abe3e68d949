"""Starting, limiting, watching and killing the processes that run student code.

A :class:`Launcher` is ``sys.executable -I -c <bootstrap>``: isolated mode (no ``PYTHON*``
variables, no user site-packages, no current directory on ``sys.path``; the environment's
site-packages stay, so numpy is there), a minimal environment, its own session. It runs the
course's import cells once and then forks one worker per job (see :mod:`nncourse.grading.worker`),
which is far cheaper than starting Python and importing numpy and matplotlib for every submission.
Each worker starts its own session and process group and sets, before any student code runs:

- ``RLIMIT_AS`` (address space, ``--memory-limit``): a large allocation raises ``MemoryError``;
- ``RLIMIT_CPU`` (``--cpu-limit``): past it the kernel stops the process;
- ``RLIMIT_FSIZE`` (no file above 64 MiB) and ``RLIMIT_CORE`` (no core dumps).

The grader also enforces a wall-clock timeout per exercise (``--timeout``). On a timeout, and after
every job, the worker's whole process group is killed with SIGKILL, so processes the student's code
started die too. These are resource limits, not a security boundary: the student's code runs with
the grader's user account. For a class that may attack the grader itself, run it in a container or
under a separate account.
"""
from __future__ import annotations

import json
import math
import os
import re
import select
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from nncourse.grading import protocol

DEFAULT_MEMORY = 2 * 2**30
FILE_SIZE_LIMIT = 64 * 2**20
OUTPUT_CHARS = 4000
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_POLL = 0.05
_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from nncourse.grading.worker import serve; serve()"


class Interrupted(Exception):
    """The run was asked to stop while a worker was running (the worker has been killed)."""


class LauncherError(RuntimeError):
    """The launcher could not start, or its import cells failed (the message says which)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of a worker process.

    Parameters
    ----------
    timeout : float or None
        Wall-clock seconds for one exercise (all its cases); None: the exercise's own time limit.
    cpu : float or None
        CPU seconds for one worker process; None: 30 plus the sum of its exercises' timeouts.
    memory : int
        Bytes of address space (``RLIMIT_AS``); 2 GiB by default.
    startup : float
        Wall-clock seconds for starting the launcher and running the course's import cells.
    """

    timeout: float | None = None
    cpu: float | None = None
    memory: int = DEFAULT_MEMORY
    startup: float = 120.0

    def __post_init__(self):
        if self.timeout is not None and not (isinstance(self.timeout, (int, float)) and self.timeout > 0):
            raise ValueError(f"expected timeout to be a number of seconds > 0, got {self.timeout!r}")
        if self.cpu is not None and not (isinstance(self.cpu, (int, float)) and self.cpu >= 1):
            raise ValueError(f"expected cpu_limit to be a number of seconds >= 1, got {self.cpu!r}")
        if isinstance(self.memory, bool) or not (isinstance(self.memory, int) and self.memory >= 64 * 2**20):
            raise ValueError(f"expected memory_limit to be a number of bytes >= 64 MiB, got {self.memory!r}")

    def exercise_timeout(self, time_limit: float) -> float:
        return float(self.timeout) if self.timeout is not None else float(time_limit)


def parse_size(text) -> int:
    """Bytes in a size such as ``"2G"``, ``"512M"``, ``"1.5GiB"``, ``"64MB"`` or ``"1000000"``.

    Suffixes are powers of 1024 (K, M, G, T, with or without ``B``/``iB``).
    """
    m = re.fullmatch(r"\s*(\d+(?:\.\d*)?)\s*([kmgt]?)(?:i?b)?\s*", str(text), re.IGNORECASE)
    if not m:
        raise ValueError(f"expected a size such as 2G, 512M or 1000000 (bytes), got {text!r}")
    power = " kmgt".index(m.group(2).lower() or " ")
    return int(float(m.group(1)) * 1024 ** power)


def format_size(n: int) -> str:
    for unit, power in (("GiB", 3), ("MiB", 2), ("KiB", 1)):
        if n >= 1024 ** power:
            return f"{n / 1024 ** power:.4g} {unit}"
    return f"{n} bytes"


@dataclass
class WorkerRun:
    """What one worker did.

    ``done``: how many exercises (from the start of its job) have result files. ``failure``: None
    when all are done, else one of ``"timeout"``, ``"cpu"``, ``"memory"``, ``"exit"``, ``"crash"``
    (about the exercise ``done``, which was running).
    """

    done: int
    failure: str | None = None
    message: str = ""
    output: str = ""


def _environment() -> dict:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
           "MPLBACKEND": "Agg"}
    if "HOME" in os.environ:  # matplotlib and friends keep their caches there
        env["HOME"] = os.environ["HOME"]
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS"):
        env[var] = "1"  # one thread: forking is safe, and jobs run side by side
    return env


def _finished(jobdir: str, index: int) -> bool:
    """True when exercise ``index``'s result file is there (a regular file: a link or FIFO is no result)."""
    try:
        return stat.S_ISREG(os.lstat(os.path.join(jobdir, protocol.out_names(index)[0])).st_mode)
    except OSError:
        return False


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _read_output(path: str) -> str:
    try:
        with protocol.open_regular(path, 2**63) as f:
            data = f.read(OUTPUT_CHARS + 1)
    except (OSError, ValueError):
        return ""
    text = data[:OUTPUT_CHARS].decode("utf-8", "replace")
    return text + ("\n[... output cut ...]" if len(data) > OUTPUT_CHARS else "")


class Launcher:
    """A prepared process (the course's import cells already run) that forks one worker per job.

    Raises LauncherError when it cannot start or an import cell fails. One launcher runs one job
    at a time; :attr:`alive` is False once it has died (start a new one).
    """

    def __init__(self, imports: list[str], startup: float = 120.0):
        self._log = tempfile.TemporaryFile()
        self._home = tempfile.TemporaryDirectory(prefix="nncourse-launcher-", ignore_cleanup_errors=True)
        self.proc = subprocess.Popen([sys.executable, "-I", "-c", _BOOT, _PACKAGE_ROOT], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self._log, cwd=self._home.name,
                                     env=_environment(), start_new_session=True)
        self._buffer = b""
        self.alive = True
        self._send({"imports": imports})
        reply = self._receive(time.monotonic() + startup)
        if reply is None or not reply.get("ready"):
            self.close()
            if reply is not None and "imports_error" in reply:
                raise LauncherError(f"the course's import cell failed in the grader: {reply['imports_error']}")
            raise LauncherError(f"the grading process could not start: {self._log_tail()}")

    def __repr__(self) -> str:
        return f"Launcher(pid={self.proc.pid}, alive={self.alive})"

    def _log_tail(self) -> str:
        try:
            self._log.seek(0)
            return " ".join(self._log.read()[-2000:].decode("utf-8", "replace").split())[-400:] or "(no output)"
        except (OSError, ValueError):
            return "(no output)"

    def _send(self, obj) -> None:
        try:
            self.proc.stdin.write((json.dumps(obj) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            self.alive = False

    def _receive(self, deadline: float | None):
        """The next message, None at EOF (the launcher died), or ``{}`` when ``deadline`` passed."""
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            if not self.alive:
                return None
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                return {}
            chunk = os.read(fd, 65536)
            if not chunk:
                self.alive = False
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            self.alive = False
            return None

    def close(self) -> None:
        """Stop the launcher (its current worker, if any, is killed by the caller first)."""
        self.alive = False
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _kill_group(self.proc.pid)
            self.proc.wait()
        self._log.close()
        self._home.cleanup()

    def run(self, jobdir: str, timeouts: list[float], limits: Limits, stop=None) -> WorkerRun:
        """Fork a worker for the job in ``jobdir`` (written beforehand); returns how far it got.

        ``timeouts[i]`` is the wall-clock limit of exercise ``i`` of the job. ``stop``: an optional
        ``threading.Event``; when it is set the worker is killed and :class:`Interrupted` raised.
        """
        cpu = math.ceil(limits.cpu if limits.cpu is not None else 30 + sum(timeouts))
        self._send({"run": jobdir, "memory": limits.memory, "cpu": cpu, "fsize": FILE_SIZE_LIMIT})
        reply = self._receive(time.monotonic() + 30)
        if not reply or "pid" not in reply:
            self.alive = False
            raise LauncherError(f"the grading process stopped answering: {self._log_tail()}")
        pid = int(reply["pid"])
        n, done, status = len(timeouts), 0, None
        deadline = time.monotonic() + (timeouts[0] if n else 2.0)
        exited = False
        try:
            while True:
                now = time.monotonic()
                while done < n and _finished(jobdir, done):
                    done += 1
                    deadline = now + (timeouts[done] if done < n else 2.0)  # after the last: time to exit
                if stop is not None and stop.is_set():
                    raise Interrupted()
                if now >= deadline:
                    status = "timeout" if done < n else None
                    break
                reply = self._receive(min(deadline, now + _POLL))
                if reply is None or "exited" in reply:
                    exited = reply is not None
                    break
        finally:
            _kill_group(pid)  # the worker is not reaped yet: its group id still belongs to it
            code, used = self._reap(pid, exited)
        output = _read_output(os.path.join(jobdir, "output.txt"))
        while done < n and _finished(jobdir, done):
            done += 1
        if done == n:
            return WorkerRun(done, None, "", output)
        if status == "timeout":
            return WorkerRun(done, "timeout", f"stopped after {timeouts[done]:g} s (the wall-clock time limit "
                             "for this exercise); is there an endless loop, or a Python loop over every "
                             "entry instead of one array operation?", output)
        if code is None:
            return WorkerRun(done, "crash", "the process running this exercise was stopped from outside "
                             "(its launcher died)", output)
        if code == -getattr(signal, "SIGXCPU", -1000) or (code == -signal.SIGKILL and used >= cpu):
            return WorkerRun(done, "cpu", f"stopped after using {cpu} s of CPU time (the CPU-time limit); "
                             "is there an endless loop?", output)
        if code == -signal.SIGKILL:
            return WorkerRun(done, "memory", "the process was killed while running this exercise, most "
                             "likely because it used too much memory", output)
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else f"signal {-code}"
            return WorkerRun(done, "crash", f"the process running this exercise crashed ({name}); deep "
                             "recursion or an allocation beyond the memory limit can cause this", output)
        return WorkerRun(done, "exit", f"the process running this exercise stopped (exit code {code}); "
                         "remove calls such as sys.exit(), exit() or os._exit() from your code", output)

    def _reap(self, pid: int, exited: bool):
        """Exit code (negative: signal) and CPU seconds of the killed worker; None if the launcher died."""
        if not exited:
            reply = {}
            end = time.monotonic() + 10
            while reply is not None and "exited" not in reply and time.monotonic() < end:
                reply = self._receive(end)
            if not reply or "exited" not in reply:
                self.alive = False
                return None, 0.0
        self._send({"reap": pid})
        reply = self._receive(time.monotonic() + 10)
        if not reply or "status" not in reply:
            self.alive = False
            return None, 0.0
        return int(reply["status"]), float(reply.get("cpu", 0.0))
