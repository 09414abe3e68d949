"""Linux namespaces for student code: a new user, mount, PID, network, IPC and UTS namespace per job.

This module uses only the standard library (``ctypes`` for ``unshare``, ``mount`` and
``pivot_root``): the launcher loads it by path, without importing the ``nncourse`` package.

A job's sandbox is made in three steps (:mod:`nncourse.grading.launcher` calls them):

1. :func:`unshare` in a child of the launcher: new namespaces of every kind above.
2. :func:`write_maps`, called by the launcher (outside the new namespaces): the user-id maps. When
   the grader is root, namespace uid 0 is host root (used only while the view is set up) and
   namespace uid 65534 is host ``nobody``, the identity the student's code runs as. An ordinary
   user can only map its own uid.
3. :func:`enter_view`, in the first process of the new PID namespace: a fresh tmpfs (size-limited)
   becomes the root; the directories in ``spec["ro"]`` are bound into it read-only at their own
   paths, the ``spec["masks"]`` (other packages' site-packages) are hidden under empty tmpfs,
   ``/tmp`` (the job's working directory) is the only writable place, and no further namespace can
   be made inside. Then :func:`drop` switches to the unprivileged identity with no capabilities and
   ``no_new_privs``.

Nothing of the host is visible beyond those read-only directories: no ``/proc``, no ``/dev``
(the job gets ``/dev/null`` as an open file), no other process, no network but a loopback that
is down. When the first process of the PID namespace exits, the kernel kills every process left in
it, so nothing outlives its job.
"""
from __future__ import annotations

import ctypes
import os
import sys

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
ALL = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_SECUREBITS, PR_CAPBSET_DROP = 1, 38, 28, 24
NOBODY = 65534
#: NOROOT, NO_SETUID_FIXUP and KEEP_CAPS off, all three locked: uid 0 never regains capabilities
SECURE_BITS = 0x2F
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "arm64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}
SYS_CAPSET = {"x86_64": 126, "aarch64": 91, "arm64": 91, "riscv64": 91, "ppc64le": 184, "s390x": 185}
# statvfs flags -> mount flags that a bind remount inside a user namespace must keep
_KEEP = ((getattr(os, "ST_NOSUID", 2), MS_NOSUID), (getattr(os, "ST_NODEV", 4), MS_NODEV),
         (getattr(os, "ST_NOEXEC", 8), MS_NOEXEC),
         (getattr(os, "ST_NOATIME", 1024), MS_NOATIME), (getattr(os, "ST_NODIRATIME", 2048), MS_NODIRATIME),
         (getattr(os, "ST_RELATIME", 4096), MS_RELATIME))

_libc = None


class JailError(OSError):
    """A step of the sandbox set-up failed (the message names the step and the reason)."""


def _c():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise JailError(err, f"{what}: {os.strerror(err)}")


def _b(path):
    return None if path is None else os.fsencode(path)


def available() -> str:
    """"" when namespaces can be made on this system, else the reason they cannot."""
    if not sys.platform.startswith("linux"):
        return f"the sandbox needs Linux namespaces; this system is {sys.platform}"
    machine = os.uname().machine
    if machine not in SYS_PIVOT_ROOT:
        return f"the sandbox does not know the system calls of this machine ({machine})"
    return ""


def unshare(flags: int = ALL) -> None:
    _check(_c().unshare(ctypes.c_int(flags)), "unshare (new namespaces)")


def write_maps(pid: int) -> None:
    """Write the uid and gid maps of process ``pid``'s new user namespace (from outside it)."""
    uid, gid = os.geteuid(), os.getegid()
    if uid == 0:
        lines = f"0 0 1\n{NOBODY} {NOBODY} 1\n"
        for name, text in (("gid_map", lines), ("uid_map", lines)):
            with open(f"/proc/{pid}/{name}", "w") as f:
                f.write(text)
        return
    with open(f"/proc/{pid}/setgroups", "w") as f:
        f.write("deny")
    for name, own in (("gid_map", gid), ("uid_map", uid)):
        with open(f"/proc/{pid}/{name}", "w") as f:
            f.write(f"0 {own} 1\n")


def mount(source, target, fstype, flags: int, data=None, what: str = "mount") -> None:
    _check(_c().mount(_b(source), _b(target), _b(fstype), ctypes.c_ulong(flags), _b(data)),
           f"{what} {target}")


def _makedirs(path: str) -> None:
    os.makedirs(path, mode=0o755, exist_ok=True)


def _bind_readonly(src: str, dst: str) -> None:
    _makedirs(dst)
    mount(src, dst, None, MS_BIND, what="bind")
    flags = MS_REMOUNT | MS_BIND | MS_RDONLY
    kept = os.statvfs(src).f_flag
    flags |= sum(ms for st, ms in _KEEP if kept & st)
    mount(None, dst, None, flags, what="read-only remount of")


def enter_view(spec: dict, mountpoint: str) -> None:
    """Make the job's file system view (see the module docstring) and move into it.

    ``spec``: ``{"ro": [dirs], "masks": [dirs], "late": [dirs], "tmp_bytes": int}``; ``late``
    directories are bound after the masks (numpy inside a masked site-packages, for example).
    """
    mount(None, "/", None, MS_REC | MS_PRIVATE, what="private remount of")
    for name in ("max_user_namespaces", "max_mnt_namespaces"):  # no nested namespaces for the student
        try:
            with open(f"/proc/sys/user/{name}", "w") as f:
                f.write("0")
        except OSError:
            pass
    size = int(spec.get("tmp_bytes", 64 * 2**20))
    mount("tmpfs", mountpoint, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},nr_inodes=4096,mode=755",
          what="tmpfs on")
    root = mountpoint.rstrip("/")
    for src in spec.get("ro", ()):
        if os.path.isdir(src):
            _bind_readonly(src, root + src)
    for masked in spec.get("masks", ()):
        if os.path.isdir(root + masked):
            mount("tmpfs", root + masked, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=65536,nr_inodes=64,mode=755",
                  what="mask on")
    for src in spec.get("late", ()):
        if os.path.isdir(src):
            _bind_readonly(src, root + src)
    os.makedirs(f"{root}/tmp", exist_ok=True)
    os.chmod(f"{root}/tmp", 0o1777)
    os.chdir(root)
    nr = SYS_PIVOT_ROOT[os.uname().machine]
    _check(_c().syscall(ctypes.c_long(nr), b".", b"."), "pivot_root")
    _check(_c().umount2(b".", ctypes.c_int(MNT_DETACH)), "detach of the old root")
    os.chdir("/tmp")


def drop(nobody: bool) -> None:
    """Become the unprivileged identity: ``nobody`` when mapped, else keep uid 0 of the namespace
    without any capability; ``no_new_privs`` either way."""
    libc = _c()
    if nobody:
        os.setgroups([])
        os.setresgid(NOBODY, NOBODY, NOBODY)
        os.setresuid(NOBODY, NOBODY, NOBODY)  # all uids non-zero: the kernel clears every capability
    else:
        _check(libc.prctl(PR_SET_SECUREBITS, ctypes.c_ulong(SECURE_BITS), 0, 0, 0), "securebits")
        for cap in range(64):
            libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), 0, 0, 0)
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        data = (ctypes.c_uint32 * 6)()
        nr = SYS_CAPSET[os.uname().machine]
        _check(libc.syscall(ctypes.c_long(nr), header, data), "dropping capabilities")
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), 0, 0, 0), "no_new_privs")


def die_with_parent(life_fd: int | None = None, parent: int | None = None) -> None:
    """Get SIGKILL when the parent dies, and exit now if it already has: ``life_fd`` then reads EOF
    (inside a new PID namespace, where the parent's pid is not visible), or ``getppid()`` is no longer
    ``parent``. Nothing happens on a system without ``prctl``."""
    import select
    import signal

    if not sys.platform.startswith("linux"):
        return
    _check(_c().prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(signal.SIGKILL), 0, 0, 0), "parent-death signal")
    gone = bool(select.select([life_fd], [], [], 0)[0]) if life_fd is not None else os.getppid() != parent
    if gone:
        os._exit(70)
