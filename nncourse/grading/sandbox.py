"""Starting, limiting, watching and killing the processes that run student code (the grader's side).

A :class:`Launcher` is a clean ``python -I -S`` process (see :mod:`nncourse.grading.launcher`) that
forks one job per submission. With ``sandbox=True`` (the default) every job runs in new Linux user,
mount, PID, network, IPC and UTS namespaces (:mod:`nncourse.grading.jail`):

- as another identity: host ``nobody`` (uid 65534) when the grader is root; an ordinary user's
  namespaces can only map that user's own uid, which then holds no capability at all;
- with no network (a loopback that is down) and no view of any other process: the grader, the
  launchers and classmates' jobs are in other PID namespaces, so they cannot be signalled, traced
  or read;
- seeing only this Python's standard library, the system's shared libraries and numpy, read-only;
  the ``nncourse`` package, other site-packages, the submissions and ``--out`` are not there;
- with a private, size-limited tmpfs (64 MiB) as the only writable place (``/tmp``, the job's working directory);
- and nothing outlives the job: when its first process ends, the kernel kills the rest.

Each job also gets ``RLIMIT_AS`` (``--memory-limit``), ``RLIMIT_CPU`` (``--cpu-limit``),
``RLIMIT_FSIZE`` (64 MiB), ``RLIMIT_NPROC`` and no core dumps, and the grader enforces a
wall-clock timeout per exercise (``--timeout``). Results come back on a pipe as frames that the
grader parses strictly (:class:`~nncourse.grading.protocol.FrameReader`); what the job prints comes
back on another pipe, of which the first few thousand characters are kept.

Why namespaces made here rather than bubblewrap or ``unshare(1)``: both start a new program for
every sandbox, so every submission would pay Python's start-up and numpy's import (about 0.3 s on a
busy 2-core machine: at most 3 submissions per second per core), while forking a prepared launcher
into fresh namespaces costs milliseconds. Both need nothing beyond the kernel's user namespaces.
"""
from __future__ import annotations

import json
import math
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


DEFAULT_MEMORY = 2 * 2**30
FILE_SIZE_LIMIT = 64 * 2**20
PROCESS_LIMIT = 16
OUTPUT_CHARS = 4000
#: the option that runs student code without the sandbox (the README says what it gives up)
NO_SANDBOX_FLAG = "--no-sandbox-i-trust-this-class"
_HERE = str(Path(__file__).resolve().parent)
_BOOT = """import sys, types
here, site = sys.argv[1], sys.argv[2]
base = [p for p in sys.path if p]
sys.path.append(site)
for name in ("protocol", "jail", "worker", "launcher"):
    module = types.ModuleType("_nncourse_" + name)
    module.__file__ = f"{here}/{name}.py"
    sys.modules[module.__name__] = module
    with open(module.__file__, encoding="utf-8") as f:
        exec(compile(f.read(), module.__file__, "exec"), module.__dict__)
sys.modules["_nncourse_worker"]._LIBRARY[:] = [p + "/" for p in (*base, site, here)]
sys.modules["_nncourse_launcher"].serve(base, site)
"""


class Interrupted(Exception):
    """The run was asked to stop while a job was running (the job has been killed)."""


class LauncherError(RuntimeError):
    """The launcher could not start or stopped answering (the message says why)."""


class SandboxUnavailable(LauncherError):
    """The sandbox cannot be set up on this system (the message says why and what to do)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of a job.

    Parameters
    ----------
    timeout : float or None
        Wall-clock seconds for one exercise (all its cases); None: the exercise's own time limit.
    cpu : float or None
        CPU seconds for one job; None: 30 plus the sum of its exercises' timeouts.
    memory : int
        Bytes of address space (``RLIMIT_AS``); 2 GiB by default.
    startup : float
        Wall-clock seconds for starting the launcher.
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
    """What one job did.

    ``frames``: ``(record, arrays)`` of the exercises done, from the start of the job. ``failure``:
    None when all are done, else one of ``"timeout"``, ``"cpu"``, ``"memory"``, ``"exit"``,
    ``"crash"``, ``"garbled"`` (about the exercise ``len(frames)``, which was running).
    """

    frames: list = field(default_factory=list)
    failure: str | None = None
    message: str = ""
    output: str = ""

    @property
    def done(self) -> int:
        return len(self.frames)


def _environment() -> dict:
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": "/tmp",
           "NNCOURSE_GRADER_PID": str(os.getpid())}  # the launcher dies with the grader (and removes this)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS"):
        env[var] = "1"  # one thread: forking is safe, and jobs run side by side
    return env


def _site_dir() -> str:
    import numpy

    return str(Path(numpy.__file__).resolve().parent.parent)


def _send(sock, obj, fds=()) -> None:
    data = json.dumps(obj).encode()
    data = struct.pack("<I", len(data)) + data
    if fds:
        sent = socket.send_fds(sock, [data], list(fds))
        data = data[sent:]
    if data:
        sock.sendall(data)


class _Channel:
    """Messages from the launcher (4 bytes of length, then JSON), read with a deadline."""

    def __init__(self, sock):
        self.sock, self.buffer = sock, b""

    def receive(self, deadline: float | None):
        """The next message, None at EOF (the launcher died), or ``{}`` when ``deadline`` passed."""
        while True:
            if len(self.buffer) >= 4:
                (n,) = struct.unpack_from("<I", self.buffer)
                if len(self.buffer) >= 4 + n:
                    body, self.buffer = self.buffer[4:4 + n], self.buffer[4 + n:]
                    try:
                        return json.loads(body)
                    except ValueError:
                        return None
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.sock], [], [], wait)
            if not ready:
                return {}
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                return None
            self.buffer += chunk

    def ready(self) -> bool:
        return len(self.buffer) >= 4 or bool(select.select([self.sock], [], [], 0)[0])


class Launcher:
    """A clean process that forks one (sandboxed) job per submission; see the module docstring.

    Raises SandboxUnavailable when ``sandbox`` is True and the sandbox cannot be set up, and
    LauncherError when the launcher cannot start. One launcher runs one job at a time;
    :attr:`alive` is False once it has died (start a new one).
    """

    def __init__(self, sandbox: bool = True, startup: float = 120.0):
        self.sandbox = bool(sandbox)
        self._log = tempfile.TemporaryFile()
        self._home = tempfile.TemporaryDirectory(prefix="nncourse-launcher-", ignore_cleanup_errors=True)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", _BOOT, _HERE, _site_dir()], stdin=theirs,
                                     stdout=self._log, stderr=self._log, cwd=self._home.name,
                                     env=_environment(), start_new_session=True)
        theirs.close()
        self.sock, self.channel, self.alive = ours, _Channel(ours), True
        self._send({"hello": {"sandbox": self.sandbox, "mountpoint": self._home.name}})
        reply = self.channel.receive(time.monotonic() + startup)
        if not reply or not reply.get("ready"):
            self.close()
            if reply and "error" in reply:
                raise SandboxUnavailable(f"the sandbox for student code cannot be set up here: {reply['error']}")
            raise LauncherError(f"the grading process could not start: {self._log_tail()}")

    def __repr__(self) -> str:
        return f"Launcher(pid={self.proc.pid}, sandbox={self.sandbox}, alive={self.alive})"

    def _log_tail(self) -> str:
        try:
            self._log.seek(0)
            return " ".join(self._log.read()[-2000:].decode("utf-8", "replace").split())[-400:] or "(no output)"
        except (OSError, ValueError):
            return "(no output)"

    def _send(self, obj, fds=()) -> None:
        try:
            _send(self.sock, obj, fds)
        except OSError:
            self.alive = False

    def close(self) -> None:
        """Stop the launcher (its current job, if any, is killed by the caller first)."""
        self.alive = False
        try:
            self.sock.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _kill(self.proc.pid)
            self.proc.wait()
        self._log.close()
        self._home.cleanup()

    def run(self, job: bytes, timeouts: list[float], limits: Limits, stop=None) -> WorkerRun:
        """Run one job (bytes of :func:`~nncourse.grading.protocol.pack_job`); how far it got.

        ``timeouts[i]`` is the wall-clock limit of exercise ``i`` of the job. ``stop``: an optional
        ``threading.Event``; when it is set the job is killed and :class:`Interrupted` raised.
        """
        from nncourse.grading.watch import watch

        cpu = math.ceil(limits.cpu if limits.cpu is not None else 30 + sum(timeouts))
        run = {"memory": limits.memory, "cpu": cpu, "fsize": FILE_SIZE_LIMIT, "nproc": PROCESS_LIMIT}
        job_fd = _memory_file(job)
        results_r, results_w = os.pipe()
        out_r, out_w = os.pipe()
        try:
            self._send({"run": run}, (job_fd, results_w, out_w))
        finally:
            for fd in (job_fd, results_w, out_w):
                os.close(fd)
        try:
            reply = self.next_message(lambda m: "status" not in m, time.monotonic() + 30)  # {"pid"} or {"error"}
            if not reply or "pid" not in reply:
                self.alive = False
                raise LauncherError(f"the grading process stopped answering: {reply or self._log_tail()}")
            return watch(self, int(reply["pid"]), results_r, out_r, timeouts, cpu, stop)
        finally:
            os.close(results_r)
            os.close(out_r)

    def next_message(self, wanted, deadline: float):
        """The next message for which ``wanted(message)`` holds, skipping the end reports of earlier
        jobs; None if the launcher died, ``{}`` when ``deadline`` passed."""
        while True:
            reply = self.channel.receive(deadline)
            if reply is None:
                self.alive = False
                return None
            if not reply or wanted(reply):
                return reply

    def kill(self, pid: int) -> None:
        """Ask the launcher to kill job ``pid`` (it kills only a job it has not reaped)."""
        self._send({"kill": pid})

    def end_of(self, pid: int, deadline: float):
        """Exit code (negative: a signal) and CPU seconds of job ``pid``; None if unknown by ``deadline``."""
        reply = self.next_message(lambda m: m.get("pid") == pid and "status" in m, deadline)
        if not reply:
            return None, 0.0
        return int(reply["status"]), float(reply.get("cpu", 0.0))


def _kill(pid: int) -> None:
    """SIGKILL to the job's process group (its outer process leads one), or to the process itself."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
            return
        except (ProcessLookupError, PermissionError):
            pass


def _memory_file(data: bytes) -> int:
    """An unlinked file holding ``data`` (a memfd where there is one), as an open descriptor."""
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("nncourse-job", getattr(os, "MFD_CLOEXEC", 1))
    else:
        fd, path = tempfile.mkstemp(prefix="nncourse-job-")
        os.unlink(path)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    return fd
