"""The launcher process: a clean Python that forks one sandboxed worker per job.

The grader starts it as ``python -I -S -c <bootstrap>`` (see :mod:`nncourse.grading.sandbox`):
no site-packages processing, a minimal environment, and only numpy plus three files loaded by path
(:mod:`~nncourse.grading.protocol`, :mod:`~nncourse.grading.jail` and :mod:`~nncourse.grading.worker`);
it never imports the ``nncourse`` package and never runs student code, and it never reads a job
either: the grader passes each job as an open memory file, which only the worker reads. Forking
this prepared process costs a few milliseconds, where starting Python and importing numpy for every
submission would cost a quarter of a second.

Messages on the launcher's socket are 4 bytes of length and a JSON object. The grader sends
``{"hello": {"sandbox": bool, "view": {...}, "mountpoint": dir}}``; the launcher makes one empty
sandbox to test the set-up and answers ``{"ready": true}`` or ``{"error": "..."}``. Per job the
grader sends ``{"run": {"memory", "cpu", "fsize", "nproc"}}`` with three file descriptors (the job,
the write ends of the results pipe and the output pipe), and the launcher answers ``{"pid": n}``
(the job's outer process). The grader may send ``{"kill": n}``; only the launcher kills, and only
jobs it has not reaped, so no pid can have been reused. When the job's outer process has exited, the
launcher reaps it and sends ``{"status": exit code, "cpu": seconds, "pid": n}``; meanwhile it
already runs the next job.

A job's processes: the outer process (a fork of the launcher) makes the new namespaces, waits for
the launcher to write its user-id maps, and forks the *worker*, the first process of the new PID
namespace, which sets up the view, drops to the unprivileged identity, sets its resource limits and
runs the job. When the grader kills the outer process, the worker gets SIGKILL (parent-death
signal), and with it every process the student's code started.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys

import _nncourse_jail as jail
import _nncourse_protocol as protocol
import _nncourse_worker as worker


def send(sock, obj) -> None:
    data = json.dumps(obj).encode()
    sock.sendall(struct.pack("<I", len(data)) + data)


def receive(sock):
    """The next message and the file descriptors that came with it; (None, []) at EOF."""
    head, fds = b"", []
    while len(head) < 4:
        chunk, got, _, _ = socket.recv_fds(sock, 4 - len(head), 4)
        if not chunk:
            return None, fds
        head += chunk
        fds += got
    (n,) = struct.unpack("<I", head)
    body = b""
    while len(body) < n:
        chunk = sock.recv(n - len(body))
        if not chunk:
            return None, fds
        body += chunk
    return json.loads(body), fds


def _set_limits(run: dict) -> None:
    import resource

    for name, value in (("RLIMIT_AS", run["memory"]), ("RLIMIT_CPU", run["cpu"]), ("RLIMIT_FSIZE", run["fsize"]),
                        ("RLIMIT_CORE", 0), ("RLIMIT_NPROC", run["nproc"])):
        which = getattr(resource, name, None)
        if which is None:
            continue
        soft, hard = value, value + 1 if name == "RLIMIT_CPU" else value
        _, old = resource.getrlimit(which)
        if old != resource.RLIM_INFINITY:
            soft, hard = min(soft, old), min(hard, old)
        try:
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):
            pass


def _worker(hello: dict, run: dict, fds: list, life_fd: int | None) -> None:
    """The first process of the job's namespaces (without the sandbox: the job's outer process):
    view, identity, limits, then the job. Never returns."""
    code = 1
    try:
        job_fd, results_fd, out_fd = fds
        null = os.open(os.devnull, os.O_RDONLY)
        if hello["sandbox"]:
            nobody = hello["identity"] == "nobody"
            jail.enter_view(hello["view"], hello["mountpoint"])
            jail.drop(nobody)
            jail.die_with_parent(life_fd)
            os.setsid()
        else:
            os.chdir(hello["mountpoint"])
        size = os.fstat(job_fd).st_size
        data = os.pread(job_fd, size, 0)
        job, inputs = protocol.unpack_job(data)
        del data
        _set_limits(run)
        if hasattr(signal, "SIGXFSZ"):  # a file above the size limit gives an OSError, not a kill
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        os.dup2(null, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.dup2(results_fd, 3)
        os.closerange(4, 1 << 16)
        sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)
        sys.stderr = sys.stdout
        worker.run_job(job, inputs, 3)
        code = 0
    except BaseException:
        try:
            traceback = __import__("traceback")
            traceback.print_exc()
        except BaseException:
            pass
    finally:
        try:
            sys.stdout.flush()
        except BaseException:
            pass
        os._exit(code)


def _outer(hello: dict, run: dict, fds: list, sync_w: int, go_r: int, launcher_pid: int) -> None:
    """The job's outer process: new namespaces, then fork the worker and pass on how it ended."""
    code = 71
    try:
        os.setsid()  # a process group of its own, which the grader kills
        jail.die_with_parent(parent=launcher_pid)  # the launcher gone (the grader killed): the job goes too
        if not hello["sandbox"]:  # the outer process runs the job itself
            _worker(hello, run, fds, None)
        if hello["sandbox"]:
            try:
                jail.unshare()
            except OSError as exc:
                os.write(sync_w, b"e" + str(exc).encode()[:500])
                os._exit(72)
            os.write(sync_w, b"u")
            if os.read(go_r, 1) != b"g":
                os._exit(73)
        life_r, life_w = os.pipe()
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
        pid = os.fork()
        if pid == 0:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})
            os.close(life_w)
            _worker(hello, run, fds, life_r)
        # SIGUSR1 (the launcher's "kill"): end the worker and its namespace first, then pass on its end,
        # so that no process of the job is left without a parent to reap it
        signal.signal(signal.SIGUSR1, lambda *args: os.kill(pid, signal.SIGKILL))
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})
        os.close(life_r)
        for fd in set(fds):
            os.close(fd)
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            try:
                signal.signal(sig, signal.SIG_DFL)
            except (OSError, ValueError):  # SIGKILL and SIGSTOP keep their default
                pass
            os.kill(os.getpid(), sig)
        code = os.waitstatus_to_exitcode(status)
    except BaseException:
        __import__("traceback").print_exc()
    finally:
        os._exit(code if code >= 0 else 74)


def start_job(hello: dict, run: dict, fds: list) -> int:
    """Fork the outer process of a job (and write its user-id maps); its pid, or raise OSError."""
    sync_r, sync_w = os.pipe()
    go_r, go_w = os.pipe()
    launcher_pid = os.getpid()
    pid = os.fork()
    if pid == 0:
        os.close(sync_r)
        os.close(go_w)
        _outer(hello, run, fds, sync_w, go_r, launcher_pid)
    os.close(sync_w)
    os.close(go_r)
    try:
        if hello["sandbox"]:
            answer = os.read(sync_r, 512)
            if answer != b"u":
                raise OSError(answer[1:].decode("utf-8", "replace") or "the job's process did not start")
            jail.write_maps(pid)
            os.write(go_w, b"g")
    except OSError:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    finally:
        os.close(sync_r)
        os.close(go_w)
    return pid


def _probe(hello: dict) -> str:
    """"" when an empty job runs in the sandbox, else why not."""
    import tempfile

    with tempfile.TemporaryFile() as job:
        job.write(protocol.pack_job({"preamble": "", "exercises": []}, {}))
        job.flush()
        results_r, results_w = os.pipe()
        run = {"memory": 2**30, "cpu": 10, "fsize": 2**20, "nproc": 16}
        try:
            pid = start_job(hello, run, [job.fileno(), results_w, results_w])
        except OSError as exc:
            return str(exc)
        finally:
            os.close(results_w)
        _, status = os.waitpid(pid, 0)
        os.close(results_r)
    code = os.waitstatus_to_exitcode(status)
    return "" if code == 0 else f"a test job in the sandbox ended with exit code {code}"


def view(base: list, site: str) -> dict:
    """What a job sees: this Python's standard library and the system's shared libraries read-only,
    every site-packages or dist-packages in them hidden, and numpy alone from ``site``."""
    import glob

    ro = []
    for d in [*base, "/usr/lib", "/usr/lib64", "/lib", "/lib64"]:
        d = os.path.abspath(d)  # not resolved: /lib may be a link to usr/lib, and both paths are used
        if os.path.isdir(d) and d not in ro and not any(d.startswith(r + "/") for r in ro):
            ro = [r for r in ro if not r.startswith(d + "/")] + [d]
    masks = sorted({m for r in ro for pattern in ("site-packages", "dist-packages", "python3*/site-packages",
                                                      "python3*/dist-packages", "python*/lib/python3*/site-packages")
                    for m in glob.glob(os.path.join(r, pattern)) if os.path.isdir(m)})
    late = [p for p in (os.path.join(site, "numpy"), os.path.join(site, "numpy.libs")) if os.path.isdir(p)]
    return {"ro": ro, "masks": masks, "late": late, "tmp_bytes": 64 * 2**20}


def serve(base: list, site: str) -> None:
    """The launcher's loop on the socket that is its standard input (see the module docstring);
    ``base``: this Python's own ``sys.path``."""
    jail.die_with_parent(parent=int(os.environ.pop("NNCOURSE_GRADER_PID", "0")) or os.getppid())
    sock = socket.socket(fileno=os.dup(0))
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    sys.argv[:] = ["nncourse-launcher"]
    hello, _ = receive(sock)
    if hello is None:
        return
    hello = hello["hello"]
    hello["identity"] = "nobody" if os.geteuid() == 0 else "self"
    hello["view"] = view(base, site)
    if hello["sandbox"]:
        reason = jail.available() or _probe(hello)
        if reason:
            send(sock, {"error": reason})
            return
    send(sock, {"ready": True})
    running: dict = {}   # pid of a job's outer process -> its pidfd (or None where there are none)
    try:
        _loop(sock, hello, running)
    finally:
        for pid in running:  # the grader has gone: so do its jobs
            _kill_job(pid, hello["sandbox"])
            os.waitpid(pid, 0)


def _kill_job(pid: int, sandbox: bool = False) -> None:
    """End a job (not reaped, so the pid is still its own): in the sandbox, SIGUSR1 asks its outer
    process (trusted code) to kill the worker and exit; without it, SIGKILL to its process group."""
    if sandbox:
        try:
            os.kill(pid, signal.SIGUSR1)
            return
        except OSError:
            pass
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
            return
        except OSError:
            pass


def _loop(sock, hello: dict, running: dict) -> None:
    """Start jobs, kill them when asked, and report each one's end as soon as it has exited, while
    the next job already runs (a sandbox's namespaces take a while to tear down)."""
    import select

    pidfd_open = getattr(os, "pidfd_open", None)
    while True:
        watched = [fd for fd in running.values() if fd is not None]
        polling = any(fd is None for fd in running.values())
        ready, _, _ = select.select([sock, *watched], [], [], 0.05 if polling else None)
        for pid, fd in list(running.items()):
            if fd is not None and fd not in ready:
                continue
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done == 0:
                continue
            if fd is not None:
                os.close(fd)
            del running[pid]
            send(sock, {"status": os.waitstatus_to_exitcode(status), "cpu": usage.ru_utime + usage.ru_stime,
                        "pid": pid})
        if sock not in ready:
            continue
        msg, fds = receive(sock)
        if msg is None:
            return
        if "kill" in msg:
            if msg["kill"] in running:
                _kill_job(msg["kill"], hello["sandbox"])
            continue
        if "run" not in msg or len(fds) != 3:
            for f in fds:
                os.close(f)
            continue
        try:
            pid = start_job(hello, msg["run"], fds)
        except OSError as exc:
            send(sock, {"error": str(exc)})
            continue
        finally:
            for f in set(fds):
                os.close(f)
        try:
            running[pid] = pidfd_open(pid) if pidfd_open else None
        except OSError:
            running[pid] = None
        send(sock, {"pid": pid})
