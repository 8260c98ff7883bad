"""Operating-system isolation of a trainee kernel with bubblewrap (``bwrap``, Debian's ``bubblewrap``).

:func:`command` wraps the kernel launcher's argv so that the kernel runs

- in **new PID, network, IPC, UTS and cgroup namespaces**: it sees only its own processes (``/proc`` is its
  own), has no network interface but an isolated loopback, and when its PID 1 (bwrap's init) ends, the Linux
  kernel kills every process left in the namespace, so nothing outlives grading;
- as an **unprivileged user**: when the grader is root, a uid of its own drawn from :data:`UID_RANGE` (never
  0, not in ``/etc/passwd``, different for every kernel, so per-user limits such as ``RLIMIT_NPROC`` count
  that kernel alone), set by ``setpriv`` inside the namespaces with ``no_new_privs``; otherwise the grader's
  own uid inside a user namespace that forbids nested ones;
- in a **mount namespace built from nothing**: read-only binds of ``/usr`` (and the ``/lib*``, ``/bin``
  links), the handful of ``/etc`` files that the dynamic linker, time zones and fonts need, the Python
  installation, the virtualenv, the ``kit`` package, the public course texts and sample data; a fresh
  ``/proc`` and a minimal ``/dev``; one writable **tmpfs of ``disk`` bytes** at the kernel's home (where
  ``TMPDIR`` points; ``/dev/shm`` is a 1 MiB tmpfs), gone when the namespace ends; and the folder of the
  kernel's IPC sockets and connection file, bound read-write — the only way to the grader;
- with an **environment given whole** (``--clearenv`` and an allow-list), so no grader secret reaches it.

Not ``--die-with-parent``: its parent-death signal follows the *thread* that started bwrap, and kernels are
started ahead in threads that end (:class:`kit.grading.runner.Spare`). Instead every process of the sandbox
stays in the process group the kernel manager kills (seccomp refuses ``setsid``/``setpgid``), and the kernel
exits when the grader's pipe closes (:class:`kit.grading.sandbox.SandboxKernelManager`).

Source: bubblewrap(1) for the options; namespaces(7), pid_namespaces(7) for what they isolate; setpriv(1).
:func:`problem` says whether this host can do all that (None) or why not.
"""

from __future__ import annotations

import functools
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

UID_RANGE = (0xB000_0000, 0xB100_0000)  # 2,952,790,016 …: far above login and container sub-uid ranges
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "fonts", "alternatives")
TOP_LEVEL = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
SHM_BYTES = 2**20
NAMESPACES = ("--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try")


@dataclass(frozen=True)
class Jail:
    """Where one kernel lives: its writable ``home`` (a tmpfs of ``disk`` bytes at that path), the host folder
    ``sockets`` shared with the grader, the host paths it may read (``read_only``, bound at the same place),
    its whole environment, and the uid it runs as (None: the caller's, in a user namespace)."""

    home: str
    sockets: str
    read_only: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    disk: int = 256 * 2**20
    uid: int | None = None


def new_uid() -> int | None:
    """A fresh unprivileged uid for one kernel when the grader is root (it can switch to it), else None."""
    if os.geteuid() != 0:
        return None
    low, high = UID_RANGE
    return low + secrets.randbelow(high - low)


def command(jail: Jail, argv: list[str], *, info_fd: int | None = None, placeholder: bool = False) -> list[str]:
    """``argv`` wrapped in bubblewrap as :class:`Jail` describes (see the module docstring); with ``info_fd``,
    bwrap writes the host pid of the sandbox's first process there (``{"child-pid": …}``). A ``placeholder``
    (the process that holds a sandbox open until a warm kernel joins it, :mod:`kit.pipeline.forkserver`) keeps
    the grader's uid, so the kernel, running as ``jail.uid``, can neither signal it nor read its files."""
    args = [_bwrap(), *NAMESPACES, "--hostname", "sandbox"]
    if info_fd is not None:
        args += ["--info-fd", str(info_fd)]
    if jail.uid is None:
        args += ["--unshare-user", "--disable-userns"]
    else:
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    args += ["--ro-bind", "/usr", "/usr"]
    for name in TOP_LEVEL:
        path = "/" + name
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(SHM_BYTES), "--perms", "1777", "--tmpfs", "/dev/shm"]
    binds = [f"/etc/{name}" for name in ETC if os.path.lexists(f"/etc/{name}")]
    binds += [p for p in _outermost(jail.read_only) if not p.startswith(("/usr/", "/etc/"))]
    made: set[str] = set()
    for path in binds:
        args += _parents(path, made) + ["--ro-bind", path, path]
    args += _parents(jail.sockets, made) + ["--bind", jail.sockets, jail.sockets]
    args += _parents(jail.home, made) + ["--size", str(int(jail.disk)), "--perms", "1777", "--tmpfs", jail.home]
    args += ["--chdir", jail.home, "--clearenv"]
    for key, value in jail.env.items():
        args += ["--setenv", key, value]
    args.append("--")
    if jail.uid is not None and not placeholder:
        args += [_setpriv(), f"--reuid={jail.uid}", f"--regid={jail.uid}", "--clear-groups", "--no-new-privs",
                 "--"]
    return args + list(argv)


def _outermost(paths: Iterable[str]) -> list[str]:
    """The existing real paths among ``paths`` that are not inside another one (binding those covers all).

    >>> _outermost(["/usr/lib", "/", "/nonexistent-kit-path"])
    ['/usr/lib']
    """
    real = sorted({os.path.realpath(p) for p in paths if os.path.exists(p)} - {"/"})
    kept: list[str] = []
    for path in real:
        if not any(path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def _parents(path: str, made: set[str]) -> list[str]:
    """bwrap options creating ``path``'s missing ancestors as world-readable folders (bwrap would copy the
    host's modes, and ``/root`` is 0700): the unprivileged kernel must be able to walk down to its binds."""
    args = []
    parts = path.strip("/").split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        parent = "/" + "/".join(parts[:depth])
        if parent not in made and parent not in ("/usr", "/etc"):
            made.add(parent)
            args += ["--perms", "0755", "--dir", parent]
    return args


def _bwrap() -> str:
    return shutil.which("bwrap") or "bwrap"


def _setpriv() -> str:
    return shutil.which("setpriv") or "/usr/bin/setpriv"


@functools.cache
def problem() -> str | None:
    """None when this host can isolate kernels as described; else why not, in one line (English, technical:
    the caller wraps it in a message in the trainer's language)."""
    if not sys.platform.startswith("linux"):
        return f"namespaces are a Linux feature; this is {sys.platform}"
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return "setpriv (util-linux) is not installed"
    import tempfile

    with tempfile.TemporaryDirectory(prefix="kit-probe-") as folder:
        sockets = os.path.join(folder, "sockets")
        os.mkdir(sockets)
        probe = Jail(home=os.path.join(folder, "home"), sockets=sockets, read_only=(), uid=new_uid())
        try:
            done = subprocess.run(command(probe, ["/bin/true"]), capture_output=True, text=True, timeout=30,
                                  stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"bubblewrap could not run: {error}"
    if done.returncode != 0:
        return "bubblewrap cannot create namespaces here: " + " ".join((done.stderr or "").split())[:300]
    return None


__all__ = ["Jail", "UID_RANGE", "command", "new_uid", "problem"]
