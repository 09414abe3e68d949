"""Watching one running job: its results pipe, its output pipe, its time limits, and how it ended."""
from __future__ import annotations

import os
import select
import signal
import time

from nncourse.grading import protocol
from nncourse.grading.sandbox import OUTPUT_CHARS, Interrupted, WorkerRun

_POLL = 0.05
_DRAIN = 5.0   # seconds to wait for the pipes to close once the job is over


class _Pipes:
    """The two pipes of a job: frames are parsed as they come, output past the limit is dropped."""

    def __init__(self, results_fd: int, out_fd: int):
        self.open = {results_fd: "results", out_fd: "output"}
        self.reader = protocol.FrameReader()
        self.frames: list = []
        self.output = b""
        self.garbled = ""
        for fd in self.open:
            os.set_blocking(fd, False)

    def read(self, timeout: float, wake=None) -> bool:
        """Read what is there, waiting at most ``timeout`` seconds (less if ``wake`` becomes
        readable); True if anything was read."""
        watched = list(self.open) + ([wake] if wake is not None else [])
        if not watched:
            time.sleep(timeout)
            return False
        ready, _, _ = select.select(watched, [], [], timeout)
        got = False
        for fd in ready:
            if fd not in self.open:
                continue
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            got = True
            if not chunk:
                del self.open[fd]
            elif self.open[fd] == "output":
                if len(self.output) <= OUTPUT_CHARS:
                    self.output += chunk[: OUTPUT_CHARS + 1 - len(self.output)]
            elif not self.garbled:
                try:
                    self.frames += self.reader.feed(chunk)
                except (ValueError, RecursionError) as exc:
                    self.garbled = f"the results of this exercise could not be read ({exc})"
        return got

    def drain(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while self.open and time.monotonic() < end:
            self.read(max(0.0, min(_POLL, end - time.monotonic())))

    def text(self) -> str:
        out = self.output[:OUTPUT_CHARS].decode("utf-8", "replace")
        return out + ("\n[... output cut ...]" if len(self.output) > OUTPUT_CHARS else "")


def watch(launcher, pid: int, results_fd: int, out_fd: int, timeouts: list, cpu: int, stop) -> WorkerRun:
    """Follow the job ``pid`` until it is done, fails or runs out of time; say how it ended.

    When every exercise has sent its results the job is killed and the grader moves on at once (the
    launcher reaps it, while the sandbox is torn down); otherwise the job's end is awaited, to tell a
    crash from the CPU-time limit or an out-of-memory kill.
    """
    pipes = _Pipes(results_fd, out_fd)
    n = len(timeouts)
    # the first exercise also pays for the sandbox and the course's import lines
    deadline = time.monotonic() + (timeouts[0] + 2.0 if n else 5.0)
    counted, status, end = 0, None, None
    while True:
        now = time.monotonic()
        if len(pipes.frames) > counted:
            counted = len(pipes.frames)
            deadline = now + (timeouts[counted] if counted < n else 5.0)
        if pipes.garbled or counted > n:
            status = "garbled"
            break
        if counted == n:
            break
        if stop is not None and stop.is_set():
            launcher.kill(pid)
            raise Interrupted()
        if now >= deadline:
            status = "timeout"
            break
        if launcher.channel.ready():
            reply = launcher.next_message(lambda m: m.get("pid") == pid and "status" in m, now)
            if reply is None:
                end = (None, 0.0)
                break
            if reply:
                end = (int(reply["status"]), float(reply.get("cpu", 0.0)))
                break
        pipes.read(max(0.0, min(deadline - now, _POLL)), launcher.sock.fileno())
    if status is None and counted == n and end is None:
        launcher.kill(pid)
        while pipes.read(0.0):  # what it printed before its last results is in the pipe already
            pass
        return WorkerRun(pipes.frames[:n], None, "", pipes.text())
    if end is None:
        launcher.kill(pid)
        end = launcher.end_of(pid, time.monotonic() + 10)
    code, used = end
    pipes.drain(_DRAIN)
    frames = pipes.frames[:n]
    output = pipes.text()
    done = len(frames)
    if pipes.garbled or status == "garbled":  # stopped at once: how much it printed depends on timing
        return WorkerRun(frames, "garbled", pipes.garbled or "the job sent more results than it had exercises",
                         "[output left out: the job was stopped when its results could not be read]")
    if done == n:
        return WorkerRun(frames, None, "", output)
    if status == "timeout":
        return WorkerRun(frames, "timeout", f"stopped after {timeouts[done]:g} s (the wall-clock time limit "
                         "for this exercise); is there an endless loop, or a Python loop over every "
                         "entry instead of one array operation?", output)
    if code is None:
        return WorkerRun(frames, "crash", "the process running this exercise was stopped from outside "
                         "(its launcher died)", output)
    if code == -getattr(signal, "SIGXCPU", -1000) or (code == -signal.SIGKILL and used >= cpu):
        return WorkerRun(frames, "cpu", f"stopped after using {cpu} s of CPU time (the CPU-time limit); "
                         "is there an endless loop?", output)
    if code == -signal.SIGKILL:
        return WorkerRun(frames, "memory", "the process was killed while running this exercise, most "
                         "likely because it used too much memory", output)
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else f"signal {-code}"
        return WorkerRun(frames, "crash", f"the process running this exercise crashed ({name}); deep "
                         "recursion or an allocation beyond the memory limit can cause this", output)
    return WorkerRun(frames, "exit", f"the process running this exercise stopped (exit code {code}); "
                     "remove calls such as sys.exit(), exit() or os._exit() from your code", output)
