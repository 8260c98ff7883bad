"""The grading sandbox: a kernel that runs one trainee submission under limits and a file/process guard.

:func:`kernel_manager` hands out a jupyter kernel manager whose kernel is this module run as a launcher::

    python -m kit.grading.sandbox --home DIR [--memory N] [--file-size N] [--deny PATH]... [--preload MOD]...
                                  -f CONNECTION_FILE

The launcher, in this order: sets resource limits (address space, file size, no core dumps); replaces the
environment by an allowlist (``HOME``/``TMPDIR``/``IPYTHONDIR`` inside DIR, one BLAS/OpenMP thread, matplotlib on
Agg with its existing font cache); changes into DIR; imports numpy, pandas, matplotlib, :mod:`kit` and the
``--preload`` modules, so the kernel is warm and these imports happen before any restriction; applies a Landlock
ruleset when the Linux kernel offers one; initialises ipykernel (IPython history off); removes
``_posixsubprocess.fork_exec`` (it starts processes without an audit event); installs the audit-hook guard;
and starts serving. In a root grader's batch the launcher is not exec'd but forked, imports done, from the batch's
warm-kernel factory into the namespaces of a sandbox bubblewrap built (:func:`warm_kernels`,
:mod:`kit.pipeline.forkserver`); every step after the imports is the same.

What is enforced
----------------
**By the operating system** (cannot be undone from inside the process):

- ``RLIMIT_AS`` (``--memory``): an allocation past it raises MemoryError in the cell; ``RLIMIT_FSIZE``: a file
  grows to at most ``--file-size`` bytes (OSError "File too large"); ``RLIMIT_CORE`` = 0. Soft and hard limits
  are equal, and raising them is refused by the guard below (root could otherwise raise a hard limit).
- **Landlock** (Linux ≥ 5.13, used when available — ``landlock_abi()`` says which ABI): reads only under the
  allowed roots listed below, writes/creates/removes only inside DIR, no ``execve`` at all, no symlinks, fifos or
  device nodes, no outgoing TCP connections and no TCP bind except the kernel's own five ports (ABI ≥ 4), no
  signals to processes outside the sandbox and no abstract unix sockets (ABI ≥ 6). This also covers native
  code that never passes through Python (pyarrow's C++ file system, a C extension calling ``open(2)``, a forked
  child). Landlock cannot express exceptions *inside* an allowed root: ``--deny`` is enforced by the guard only.

**By the audit hook** (``sys.addaudithook``, installed after start-up, cannot be removed from Python):

- reads (``open`` for reading, ``os.listdir``/``os.scandir``) only under an allowlist: DIR; ``sys.prefix``,
  ``base_prefix``, ``exec_prefix`` and the site-packages folders; the installed ``kit`` package,
  ``kit.paths.COURSE`` and ``kit.paths.SAMPLE`` (public course texts and sample data — *not* the repository
  root, whose ``notebooks/exercises`` holds the masters); ``/usr/share``, ``/usr/lib``, ``/lib*`` (fonts,
  zoneinfo, shared libraries); ``/etc`` except its secrets (shadow files, ssh and private TLS keys); ``/sys``;
  ``/proc`` for this process only; ``/dev/null``, ``zero``, ``random``, ``urandom``, ``full``; matplotlib's cache
  and config folders. ``--deny`` paths are refused even under an allowed root. Paths are resolved symlink by
  symlink (``/proc/self/root/...`` tricks resolve to their target) and decisions are cached per resolved path;
- writes (open for write/append/create/truncate, ``os.remove``/``unlink``/``rmdir``/``rename``/``replace``/
  ``mkdir``/``chmod``/``chown``/``utime``/``truncate``, ``shutil.*``, ``tempfile``, ``sqlite3.connect``) only
  inside DIR (and ``/dev/null``), also through file descriptors and ``dir_fd``;
- refused outright: ``subprocess``, ``os.system``/``exec*``/``spawn*``/``posix_spawn*``/``fork``/``forkpty``,
  ``pty.spawn``, links and symlinks, every ``ctypes`` event (``dlopen``, ``dlsym``, raw memory access),
  sockets ``connect``/``bind``/``sendto``/``sendmsg`` and name lookups, ``sys.settrace``/``setprofile``,
  ``sys._current_frames``, ``gc.get_objects``/``get_referrers``/``get_referents`` (so trainee code cannot find the
  hook), assigning a function's ``__code__``, ``resource.setrlimit``,
  signals to other processes, new audit hooks, sub-interpreters, and importing (again) ``_posixsubprocess``,
  ``cffi``, the C-level test modules and the PostgreSQL drivers. A refusal raises PermissionError with a message in the
  trainee's language (``KIT_LANG``).

The hook keeps no mutable state that matters: its configuration is a tuple of frozensets, strings and C
functions passed to module-level functions without globals or closures (a test checks they load no global
name, so patching ``builtins`` or this module changes nothing); its decision cache lives inside a C
``functools`` object; a nested audit event raised while the hook runs in the same thread (a signal handler or
finaliser running inside it) is refused rather than waved through.

What is *not* stopped
---------------------
On its own this is defence in depth inside one process, not a boundary against a determined attacker. Without
Landlock, native code escapes the audit hook entirely: ``ctypes.memmove`` on raw addresses (no audit event),
already-loaded C extensions that open files themselves (pyarrow's C++ I/O), pyzmq sockets, ``os.mkfifo``.
Path-like objects: ``open()`` and the ``os`` functions convert them before the audit and pass the string they
will use; ``io.FileIO`` passes the object itself, so there the guard accepts only ``os.DirEntry`` and unpatched
``pathlib`` paths (reading the string they cached when converted) and refuses other path-likes — a finaliser
changing that cache between FileIO's conversion and its audit could still race the check. ``os.stat``,
``os.path.exists`` and ``os.readlink`` are not audited, so file *names and sizes* outside the roots can be
probed (not their contents). Writing to already-open descriptors (stdout, stderr) is allowed. These are the
inner layers: ``kit grade`` runs this launcher inside bubblewrap (:mod:`kit.grading.isolation`: namespaces, a uid
of its own, only the allowed folders mounted) with the seccomp filter of :mod:`kit.grading.seccomp`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from traitlets import Type, default

from kit.grading import isolation
from kit.pipeline import warm
from kit.pipeline.kernel import SlicedChannel, SlicedKernelClient

GiB, MiB = 2**30, 2**20
KERNEL_NAME = "kit-sandbox"
SOCKETS_PREFIX = "kit-"  # + 8 characters of tempfile.mkdtemp: what sweep() recognises
STALE_SECONDS = 600  # a sockets folder unchanged this long, with no process of its kernel, is swept
PRELOAD = ("numpy", "pandas", "matplotlib", "kit", "kit.i18n", "kit.grading.answers")  # pyplot: on demand
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS")
KEPT_VARS = ("PATH", "LANG", "LANGUAGE", "TZ", "KIT_LANG")
SYSTEM_READ_ROOTS = ("/usr/share", "/usr/local/share", "/usr/lib", "/usr/lib64", "/usr/local/lib", "/lib",
                     "/lib64", "/etc", "/sys", "/proc")
DEVICES_READ = ("/dev/null", "/dev/zero", "/dev/random", "/dev/urandom", "/dev/full")
DEVICES_WRITE = ("/dev/null",)
SECRETS = ("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/ssh", "/etc/ssl/private",
           "/etc/sudoers", "/etc/sudoers.d", "/etc/security/opasswd", "/etc/credstore")
FORBIDDEN_MODULES = frozenset({
    "_posixsubprocess", "_xxsubinterpreters", "_xxinterpchannels", "_testcapi", "_testinternalcapi",
    "_testbuffer", "_testmultiphase", "_testimportmultiple", "_testsinglephase", "_ctypes_test", "_cffi_backend",
    "cffi", "psycopg", "psycopg2", "psycopg_binary", "psycopg_c", "asyncpg",
})

# audit events → what the guard does with them
READ_EVENTS = {"os.listdir": 0, "os.scandir": 0, "os.getxattr": 0, "os.listxattr": 0}  # event → path argument
WRITE_EVENTS = {  # event → (path argument, dir_fd argument or -1)
    "os.remove": (0, 1), "os.rmdir": (0, 1), "os.mkdir": (0, 2), "os.chmod": (0, 2), "os.chown": (0, 3),
    "os.utime": (0, 3), "os.truncate": (0, -1), "os.chflags": (0, -1), "os.lchflags": (0, -1),
    "os.setxattr": (0, -1), "os.removexattr": (0, -1), "shutil.rmtree": (0, 1), "shutil.chown": (0, -1),
    "tempfile.mkstemp": (0, -1), "tempfile.mkdtemp": (0, -1),
}
REFUSED = {  # event → message key
    "subprocess.Popen": "process", "os.system": "process", "os.exec": "process", "os.posix_spawn": "process",
    "os.spawn": "process", "os.fork": "process", "os.forkpty": "process", "pty.spawn": "process",
    "os.startfile": "process", "cpython.PyInterpreterState_New": "process",
    "socket.connect": "network", "socket.bind": "network", "socket.sendto": "network",
    "socket.sendmsg": "network", "socket.getaddrinfo": "network", "socket.gethostbyname": "network",
    "socket.gethostbyaddr": "network", "socket.getnameinfo": "network",
    "os.link": "link", "os.symlink": "link",
    "sys.settrace": "introspection", "sys.setprofile": "introspection", "sys._current_frames": "introspection",
    "gc.get_objects": "introspection", "gc.get_referrers": "introspection", "gc.get_referents": "introspection",
    "sys.addaudithook": "introspection",
    "resource.setrlimit": "limits", "resource.prlimit": "limits", "os.killpg": "signal",
    "sqlite3.load_extension": "native",
}
SPECIAL = ("open", "import", "object.__setattr__", "os.kill", "sqlite3.connect", "sqlite3.enable_load_extension",
           "shutil.copyfile", "shutil.copymode", "shutil.copystat", "shutil.copytree", "shutil.move", "os.rename",
           "shutil.make_archive", "shutil.unpack_archive")
MESSAGE_KEYS = ("read", "write", "read_dir", "path_type", "process", "network", "link", "introspection", "native",
                "module", "signal", "limits", "code", "nested")


@dataclass(frozen=True)
class Limits:
    """Resource limits of one graded run.

    The kernel: seconds per cell and per notebook; bytes of address space (``memory``); bytes per file it
    writes (``file_size``) and in all (``disk``, the size of its only writable folder); processes and threads
    (``processes``, counted for its own uid) and open files; CPU seconds are the notebook timeout plus a
    minute. What the grader keeps: characters of stream/text output per cell (``output_chars``) and for the
    whole notebook (``notebook_chars``); bytes of exported answers in all (``answer_bytes``). Judging the
    answers (decoding, hidden tests): ``judge_memory`` bytes and ``judge_timeout`` seconds.

    The default memory leaves about 3.5 GiB for trainee data: the warm sandbox kernel reserves ≈ 0.5 GiB of
    address space (≈ 0.15 GiB resident) after its imports, with one BLAS/OpenMP thread, two malloc arenas and
    Arrow on the system allocator (pandas builds string columns with pyarrow, whose jemalloc would otherwise
    reserve another GiB on first use).
    """

    cell_timeout: int = 60
    notebook_timeout: int = 900
    memory: int = 4 * GiB
    file_size: int = 64 * MiB
    disk: int = 256 * MiB
    processes: int = 64
    open_files: int = 256
    output_chars: int = 200_000
    notebook_chars: int = 5_000_000
    answer_bytes: int = 20_000_000
    judge_memory: int = 3 * GiB
    judge_timeout: int = 120


def kernel_manager(home: Path, limits: Limits, deny=(), preload=(), *, lang: str | None = None,
                   isolate: bool = True):
    """A kernel manager (:class:`SandboxKernelManager`) whose kernel is the sandbox launcher for ``home``.

    The kernel talks to the grader over IPC sockets in a folder of its own, ``/tmp/kit-XXXXXXXX`` (mode 0700,
    owned by the kernel's uid; with the connection file, mode 0600, which holds the kernel's key; removed by
    :meth:`SandboxKernelManager.remove_sockets`, and by :func:`sweep` if a run was interrupted); stdout and
    stderr go to ``kernel.log`` beside ``home``. With
    ``isolate`` it runs inside bubblewrap (:mod:`kit.grading.isolation`: namespaces, its own unprivileged
    uid, only the Python installation, ``kit`` and the public course texts visible, ``home`` a tmpfs of
    ``limits.disk`` bytes). ``deny`` paths stay unreadable even under an allowed root; ``preload`` modules are
    imported before the guard; ``lang`` sets ``KIT_LANG`` for the refusal messages."""
    import tempfile

    home = Path(home).resolve()
    home.mkdir(parents=True, exist_ok=True)
    sockets = Path(tempfile.mkdtemp(prefix=SOCKETS_PREFIX, dir=sockets_root()))
    uid = isolation.new_uid() if isolate else None
    if uid is not None:
        os.chown(sockets, uid, uid)
    mpl_dirs = _matplotlib_dirs()
    argv = [sys.executable, "-m", "kit.grading.sandbox", "--home", str(home), "--sockets", str(sockets),
            "--parent-fd", PARENT_FD, "--memory", str(int(limits.memory)),
            "--file-size", str(int(limits.file_size)), "--processes", str(int(limits.processes) if isolate else -1),
            "--open-files", str(int(limits.open_files)), "--cpu", str(int(limits.notebook_timeout) + 60)]
    for flag, values in (("--mpl-dir", mpl_dirs), ("--deny", deny), ("--preload", preload)):
        for value in values:
            argv += [flag, str(value)]
    argv += ["-f", "{connection_file}"]
    env = sandbox_environment(str(home), os.environ, str(home / ".matplotlib"))
    if lang:
        env["KIT_LANG"] = lang
    launcher, jail = argv, None
    if isolate:
        jail = isolation.Jail(home=str(home), sockets=str(sockets), read_only=python_roots(mpl_dirs), env=env,
                              disk=limits.disk, uid=uid)
        argv = isolation.command(jail, argv)
    spec = KernelSpec(argv=argv, display_name="Python 3 (kit sandbox)", language="python",
                      interrupt_mode="message", env=env, metadata={})
    km = SandboxKernelManager(kernel_name=KERNEL_NAME, client_class="kit.grading.sandbox.SandboxKernelClient",
                              transport="ipc", ip=str(sockets / "kernel"))
    km._kernel_spec = spec
    km.connection_file = str(sockets / "kernel.json")
    km.kit_uid, km.kit_log, km.kit_sockets = uid, home.parent / "kernel.log", sockets
    if jail is not None and uid is not None and os.environ.get(warm.ENV):
        km.kit_warm = (os.environ[warm.ENV], jail, launcher)
    return km


def warm_kernels(preload=(), *, executor: str | None = None):
    """The warm-kernel factory for a grading batch (:func:`kit.pipeline.warm.warm_kernels`): the kernel libraries,
    :data:`PRELOAD`, the judge's modules and ``preload`` imported in a sandbox kernel's environment. Kernels are forked into their
    sandboxes only when the grader is root (it enters the namespaces and becomes each kernel's uid); otherwise
    nothing is started and each kernel starts cold in its sandbox."""
    if os.geteuid() != 0 or isolation.problem():
        return contextlib.nullcontext()
    import tempfile

    mpl_dirs = _matplotlib_dirs()
    env = sandbox_environment(tempfile.gettempdir(), os.environ, mpl_dirs[1])
    from kit.grading.judge import PRELOAD as JUDGE

    modules = (*warm.KERNEL_LIBRARIES, *PRELOAD, "kit.grading.sandbox", "kit.grading.seccomp", *JUDGE, *preload)
    return warm.warm_kernels(tuple(dict.fromkeys(modules)), executor=executor, env=env)


def sockets_root() -> str:
    """Where sockets folders go: ``/tmp`` (a unix socket's path may not exceed 107 bytes, and TMPDIR can be
    long), else the temporary folder."""
    import tempfile

    return "/tmp" if os.access("/tmp", os.W_OK) else tempfile.gettempdir()


def sweep(root: str | None = None, *, older: float = STALE_SECONDS) -> dict[str, str]:
    """Delete the sockets folders that interrupted runs left in ``root`` (default :func:`sockets_root`), see
    :func:`_stale`; folder → what could not be removed. Without ``/proc`` (not Linux) nothing is swept."""
    if not os.path.isdir("/proc"):
        return {}
    root = root or sockets_root()
    uids, args = _processes()
    left = {}
    for name in os.listdir(root):
        path = os.path.join(root, name)
        if (re.fullmatch(re.escape(SOCKETS_PREFIX) + "[a-z0-9_]{8}", name) and _stale(path, older, uids, args)
                and (problem := remove(path))):
            left[path] = problem
    return left


def _stale(path: str, older: float, uids: set[int], args: set[str]) -> bool:
    """Is ``path`` a sockets folder left behind: a real folder holding only ``kernel.json`` and ``kernel-N``
    sockets, owned by this user (or, for root, by a uid of :data:`kit.grading.isolation.UID_RANGE`),
    unchanged for ``older`` seconds, named on no running process's command line, and (when its owner is a
    kernel's uid) owned by no running process?"""
    from kit.grading.isolation import UID_RANGE

    try:
        info = os.lstat(path)
        entries = os.listdir(path) if stat.S_ISDIR(info.st_mode) else None
    except OSError:
        return False
    me, owner = os.geteuid(), info.st_uid
    return (entries is not None and all(re.fullmatch(r"kernel(-\d+|\.json)", entry) for entry in entries)
            and (owner == me or me == 0 and UID_RANGE[0] <= owner < UID_RANGE[1])
            and time.time() - info.st_mtime >= older and path not in args and (owner == me or owner not in uids))


def _processes() -> tuple[set[int], set[str]]:
    """The real uids and the command-line arguments of every running process (read from ``/proc``)."""
    uids, args = set(), set()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                args.update(fh.read().decode(errors="surrogateescape").split("\0"))
            with open(f"/proc/{pid}/status") as fh:
                uids.update(int(line.split()[1]) for line in fh if line.startswith("Uid:"))
        except (OSError, ValueError, IndexError):
            continue
    return uids, args


def remove(folder: str | Path) -> str:
    """Delete ``folder`` if it exists; "" when it is gone, else what was left (never raises)."""
    import shutil

    left: list[str] = []

    def note(_function, path, error):
        left.append(f"{path}: {error[1] if isinstance(error, tuple) else error}")

    if os.path.lexists(folder):
        shutil.rmtree(folder, **({"onexc": note} if sys.version_info >= (3, 12) else {"onerror": note}))
    return "; ".join(left[:3]) + (f" (+{len(left) - 3})" if len(left) > 3 else "")


PARENT_FD = "{kit_parent_fd}"
MAX_MESSAGE = 64 * MiB  # the largest message the grader takes from a kernel (answers are capped far below)


class SandboxKernelManager(AsyncKernelManager):
    """Launches the sandbox: hands the connection file to the kernel's uid, sends the kernel's output to
    ``kernel.log`` rather than the grader's terminal, and passes the read end of a pipe whose write end only
    this process holds — when the grader dies, however it dies, the kernel reads end-of-file and exits. Its
    control socket, like its clients' sockets (:class:`SandboxKernelClient`), refuses any message over
    :data:`MAX_MESSAGE` bytes before decoding it: ZeroMQ drops the message's connection (``ZMQ_MAXMSGSIZE``)."""

    kit_uid: int | None = None
    kit_log: Path | None = None
    kit_sockets: Path | None = None
    kit_warm: tuple | None = None  # (factory address, Jail, launcher argv): fork the kernel into its sandbox
    _kit_pipe: int | None = None
    _kit_kernel = None

    @default("context")
    def _context_default(self):
        return _bounded(super()._context_default())

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self.kit_uid is not None:
            os.chown(self.connection_file, self.kit_uid, self.kit_uid)
        read_end, self._kit_pipe = os.pipe()
        log = open(self.kit_log, "ab") if self.kit_log else subprocess.DEVNULL  # noqa: SIM115 - closed below
        try:
            if self.kit_warm:
                await self._launch_warm(read_end, log, kw)
            else:
                kernel_cmd = [str(read_end) if arg == PARENT_FD else arg for arg in kernel_cmd]
                await super()._async_launch_kernel(kernel_cmd, **kw, pass_fds=(read_end,),
                                                   stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        finally:
            os.close(read_end)
            if log is not subprocess.DEVNULL:
                log.close()

    async def _launch_warm(self, parent_fd: int, log, kw) -> None:
        """Build the sandbox with bubblewrap around a placeholder process (:data:`HOLDER`, the process the kernel
        manager watches and kills), wait until it runs inside, then have the warm-kernel factory fork the
        launcher into the sandbox's namespaces (:mod:`kit.pipeline.forkserver`)."""
        factory, jail, launcher = self.kit_warm
        info_read, info_write = os.pipe()
        ready_read, ready_write = os.pipe()
        try:
            holder = [sys.executable, "-I", "-S", "-c", HOLDER, str(ready_write), str(parent_fd)]
            try:
                await super()._async_launch_kernel(isolation.command(jail, holder, info_fd=info_write, placeholder=True),
                                                   **kw, pass_fds=(info_write, ready_write, parent_fd),
                                                   stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            finally:
                os.close(info_write)
                os.close(ready_write)
            first = json.loads(_read_until(info_read, b"}"))["child-pid"]
            if _read_until(ready_read, b"ready") != b"ready":
                raise RuntimeError("the sandbox's placeholder process did not start")
        finally:
            os.close(info_read)
            os.close(ready_read)
        fill = {PARENT_FD: str(parent_fd), "{connection_file}": self.connection_file}
        args = [fill.get(arg, arg) for arg in launcher[3:]]
        fds = {parent_fd: parent_fd, **({1: log.fileno(), 2: log.fileno()} if hasattr(log, "fileno") else {})}
        self._kit_kernel = warm.spawn(factory, launcher[2], args, env=jail.env, cwd=jail.home, fds=fds, join=first,
                                      uid=jail.uid)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        self.release()

    def remove_sockets(self) -> str:
        """Delete the sockets folder (the kernel is gone); "" when it is gone, else what was left."""
        return remove(self.kit_sockets) if self.kit_sockets is not None else ""

    def release(self) -> None:
        """Close the parent pipe (and the connection to a forked kernel's keeper): a kernel still running exits."""
        pipe, self._kit_pipe = self._kit_pipe, None
        if pipe is not None:
            with contextlib.suppress(OSError):
                os.close(pipe)
        kernel, self._kit_kernel = self._kit_kernel, None
        if kernel is not None:
            kernel.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                kernel.wait(timeout=10)


HOLDER = ("import os, sys; ready, parent = map(int, sys.argv[1:]); os.write(ready, b'ready'); os.close(ready); "
          "os.read(parent, 1)")
"""The sandbox's placeholder: says it runs (the sandbox is complete), then waits — ending the sandbox when the
grader's pipe closes, as a kernel started in it would, even if no kernel ever joined."""


def _read_until(fd: int, end: bytes, timeout: float = 60.0) -> bytes:
    """Bytes from ``fd`` up to and including ``end`` (or what came before end-of-file or ``timeout``)."""
    import select

    data, deadline = b"", time.monotonic() + timeout
    while end not in data:
        if not select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data


class VerifiedChannel(SlicedChannel):
    """A :class:`kit.pipeline.kernel.SlicedChannel` that drops a message whose signature does not verify, as if
    never sent, and counts it in ``session.unverified``.

    Trainee code can corrupt its kernel's signing (patching a builtin the kernel's I/O thread uses);
    jupyter_client raises ``ValueError`` on such a message and nbclient would abandon the whole run. Dropped, a
    lost reply only times its cell out, and the run goes on."""

    async def _recv(self, **kwargs):
        try:
            return await super()._recv(**kwargs)
        except ValueError:
            self.session.unverified = getattr(self.session, "unverified", 0) + 1
            return {"header": {}, "parent_header": {}, "metadata": {}, "content": {}, "buffers": [],
                    "msg_id": "", "msg_type": ""}


class SandboxKernelClient(SlicedKernelClient):
    """The grader's client of a sandbox kernel: :class:`kit.pipeline.kernel.SlicedKernelClient` whose sockets
    refuse any message over :data:`MAX_MESSAGE` bytes and whose channels drop unverified messages."""

    shell_channel_class = Type(VerifiedChannel)
    iopub_channel_class = Type(VerifiedChannel)

    @default("context")
    def _context_default(self):
        return _bounded(super()._context_default())


def _bounded(context):
    """``context`` with every socket it makes refusing messages over :data:`MAX_MESSAGE` bytes."""
    import zmq

    context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)
    return context


# ---------------------------------------------------------------------------------------------- the launcher


def main(argv: list[str] | None = None) -> None:
    """Set limits and environment, warm up, restrict, then serve as an ipykernel (see the module docstring)."""
    import argparse
    import warnings

    parser = argparse.ArgumentParser(prog="python -m kit.grading.sandbox")
    parser.add_argument("--home", required=True)
    parser.add_argument("--sockets", required=True)
    parser.add_argument("--parent-fd", type=int, default=-1)
    parser.add_argument("--memory", type=int, default=Limits.memory)
    parser.add_argument("--file-size", type=int, default=Limits.file_size)
    parser.add_argument("--processes", type=int, default=Limits.processes)
    parser.add_argument("--open-files", type=int, default=Limits.open_files)
    parser.add_argument("--cpu", type=int, default=Limits.notebook_timeout + 60)
    parser.add_argument("--mpl-dir", action="append", default=[])
    parser.add_argument("--deny", action="append", default=[])
    parser.add_argument("--preload", action="append", default=[])
    parser.add_argument("-f", dest="connection_file", required=True)
    args, rest = parser.parse_known_args(argv)

    if args.parent_fd >= 0:
        _exit_with_parent(args.parent_fd)
    home = os.path.realpath(args.home)
    sockets = os.path.realpath(args.sockets)
    connection_file = os.path.realpath(args.connection_file)
    set_limits(args.memory, args.file_size, args.processes, args.open_files, args.cpu)
    mpl_dirs = tuple(os.path.realpath(d) for d in args.mpl_dir)
    os.makedirs(home, exist_ok=True)
    environment = sandbox_environment(home, dict(os.environ), _matplotlib_home(home, mpl_dirs))
    os.environ.clear()
    os.environ.update(environment)
    for folder in (os.environ["TMPDIR"], os.environ["IPYTHONDIR"]):
        os.makedirs(folder, exist_ok=True)
    os.chdir(home)
    sys.dont_write_bytecode = True

    for module in (*PRELOAD, *args.preload):
        try:
            __import__(module)
        except Exception as error:  # a missing optional module must not stop the kernel
            print(f"kit.grading.sandbox: cannot preload {module}: {error!r}", file=sys.stderr)
    import matplotlib

    matplotlib.use("Agg")
    import ipykernel.kernelapp

    from kit.grading import seccomp

    read_roots = allowed_read_roots(home, mpl_dirs)
    sys.path[:] = [p for p in sys.path if not os.path.isabs(p) or _under(os.path.realpath(p), read_roots)]
    landlock(read_roots, home, sockets)
    seccomp.install()

    warnings.filterwarnings("ignore", message="Couldn't bind IOPub Pipe")  # subprocess output: none here
    app = ipykernel.kernelapp.IPKernelApp.instance()
    app.initialize(["-f", connection_file, "--HistoryManager.enabled=False", "--IPKernelApp.log_level=ERROR",
                    *rest])
    _disarm_posixsubprocess()
    install_guard(home, read_roots, deny=args.deny)
    app.start()


def _exit_with_parent(fd: int) -> None:
    """Exit at once when ``fd`` (the read end of the grader's pipe) reaches end-of-file: the grader is gone."""
    import threading

    def watch():
        while True:
            try:
                if not os.read(fd, 1):
                    break
            except InterruptedError:
                continue
            except OSError:
                break
        os._exit(0)

    os.set_inheritable(fd, False)
    threading.Thread(target=watch, name="kit-parent-watch", daemon=True).start()


def _matplotlib_home(home: str, mpl_dirs) -> str:
    """A writable matplotlib folder in ``home`` holding a copy of the grader's font list: matplotlib wants its
    folder writable (else it makes a temporary one and rebuilds the font list for seconds)."""
    import glob
    import shutil

    folder = os.path.join(home, ".matplotlib")
    os.makedirs(folder, exist_ok=True)
    for source in mpl_dirs:
        for path in glob.glob(os.path.join(source, "fontlist-*.json")):
            shutil.copy(path, folder)
    return folder


def set_limits(memory: int, file_size: int, processes: int, open_files: int, cpu: int) -> None:
    """Address space, file size, processes (threads count; per uid), open files, CPU seconds and core-dump
    limits for this process (soft = hard, so they cannot be raised again); a negative value is left as is."""
    import resource

    for which, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_FSIZE, file_size),
                         (resource.RLIMIT_NPROC, processes), (resource.RLIMIT_NOFILE, open_files),
                         (resource.RLIMIT_CPU, cpu), (resource.RLIMIT_CORE, 0)):
        if value >= 0:
            resource.setrlimit(which, (value, value))


def sandbox_environment(home: str, original: dict, mpl_dir: str) -> dict:
    """The kernel's whole environment: an allowlist of the grader's, plus the sandbox's own folders.

    ``MPLCONFIGDIR`` is ``mpl_dir`` (in the kernel: a folder in ``home`` with a copy of the grader's font list).
    """
    env = {k: v for k, v in original.items() if k in KEPT_VARS or k.startswith("LC_")}
    env.update({
        "HOME": home, "TMPDIR": os.path.join(home, ".tmp"), "IPYTHONDIR": os.path.join(home, ".ipython"),
        "MPLCONFIGDIR": mpl_dir, "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1", "MALLOC_ARENA_MAX": "2",
        "ARROW_DEFAULT_MEMORY_POOL": "system",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    })
    env.update(dict.fromkeys(THREAD_VARS, "1"))
    env.setdefault("PATH", os.defpath)
    return env


@functools.cache
def _matplotlib_dirs() -> tuple[str, str]:
    """matplotlib's cache and config folders as the grader's environment defines them, the cache built (the
    kernel reads it and cannot write it: without it, every kernel would rebuild the font list for seconds)."""
    import matplotlib.font_manager  # noqa: F401 - builds the font cache if missing

    environ = os.environ
    configured = environ.get("MPLCONFIGDIR")
    if configured:
        return os.path.realpath(configured), os.path.realpath(configured)
    user_home = environ.get("HOME") or os.path.expanduser("~")
    cache = environ.get("XDG_CACHE_HOME") or os.path.join(user_home, ".cache")
    config = environ.get("XDG_CONFIG_HOME") or os.path.join(user_home, ".config")
    return os.path.realpath(os.path.join(cache, "matplotlib")), os.path.realpath(os.path.join(config, "matplotlib"))


def python_roots(mpl_dirs=()) -> tuple[str, ...]:
    """The folders of the Python installation, the virtualenv, the ``kit`` package, the public course texts
    and sample data, and matplotlib's cache: what a kernel must read besides the system (resolved, existing)."""
    import site
    import sysconfig

    import kit
    from kit.paths import COURSE, SAMPLE

    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *site.getsitepackages(),
                  sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
                  os.path.dirname(os.path.realpath(kit.__file__)), str(COURSE), str(SAMPLE), *mpl_dirs]
    user_site = site.getusersitepackages()
    if user_site in sys.path:
        candidates.append(user_site)
    return _existing(candidates)


def allowed_read_roots(home: str, mpl_dirs=()) -> tuple[str, ...]:
    """Folders whose contents the trainee's code may read (resolved; see the module docstring)."""
    return _existing([home, *python_roots(mpl_dirs), *SYSTEM_READ_ROOTS])


def _existing(candidates) -> tuple[str, ...]:
    roots = []
    for candidate in candidates:
        real = os.path.realpath(candidate)
        if os.path.exists(real) and real != "/" and real not in roots:
            roots.append(real)
    return tuple(roots)


def _under(path: str, roots) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _disarm_posixsubprocess() -> None:
    """``_posixsubprocess.fork_exec`` starts processes without an audit event: take it away (and its import)."""
    module = sys.modules.get("_posixsubprocess")
    if module is not None and hasattr(module, "fork_exec"):
        del module.fork_exec
    subprocess = sys.modules.get("subprocess")
    if subprocess is not None and hasattr(subprocess, "_fork_exec"):
        subprocess._fork_exec = None


# ---------------------------------------------------------------------------------------------------- Landlock

_LL_CREATE, _LL_ADD_RULE, _LL_RESTRICT = 444, 445, 446  # the same numbers on every architecture
_FS_EXECUTE, _FS_WRITE_FILE, _FS_READ_FILE, _FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_FS_REMOVE_DIR, _FS_REMOVE_FILE, _FS_MAKE_DIR, _FS_MAKE_REG, _FS_MAKE_SOCK = 1 << 4, 1 << 5, 1 << 7, 1 << 8, 1 << 9
_FS_REFER, _FS_TRUNCATE = 1 << 13, 1 << 14
_FS_FILE_RIGHTS = _FS_EXECUTE | _FS_WRITE_FILE | _FS_READ_FILE | _FS_TRUNCATE


def landlock_abi() -> int:
    """The Landlock ABI version this Linux kernel offers (0 when it offers none)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        return max(0, int(libc.syscall(_LL_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(1))))
    except Exception:
        return 0


def landlock(read_roots, home: str, sockets: str) -> int:
    """Restrict this process (and every thread and child it creates later) with Landlock: read-only roots,
    read-write ``home``, in ``sockets`` only reading (the connection file) and creating unix sockets (the
    kernel's own channels), no exec, no TCP at all, no signals or abstract sockets outside. Returns the ABI
    used, 0 if Landlock is unavailable (the audit hook still applies)."""
    import ctypes

    abi = landlock_abi()
    if abi < 1:
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    syscall = libc.syscall
    syscall.restype = ctypes.c_long
    handled = (1 << 13) - 1 | (_FS_REFER if abi >= 2 else 0) | (_FS_TRUNCATE if abi >= 3 else 0)
    net = 0b11 if abi >= 4 else 0  # bind and connect TCP: no rule allows either
    scoped = 0b11 if abi >= 6 else 0  # abstract unix sockets and signals

    class RulesetAttr(ctypes.Structure):
        _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]

    class PathBeneath(ctypes.Structure):
        _pack_ = 1
        _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]

    attr = RulesetAttr(handled, net, scoped)
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    ruleset = syscall(_LL_CREATE, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return 0
    home_rights = (_FS_WRITE_FILE | _FS_READ_FILE | _FS_READ_DIR | _FS_REMOVE_DIR | _FS_REMOVE_FILE
                   | _FS_MAKE_DIR | _FS_MAKE_REG | _FS_REFER | _FS_TRUNCATE) & handled
    rules = [(root, _FS_READ_FILE | _FS_READ_DIR) for root in read_roots if root != "/dev"]
    rules += [(home, home_rights), (sockets, _FS_READ_FILE | _FS_MAKE_SOCK | _FS_REMOVE_FILE)]
    rules += [(device, _FS_READ_FILE | (_FS_WRITE_FILE | _FS_TRUNCATE if device in DEVICES_WRITE else 0))
              for device in DEVICES_READ]
    try:
        for path, rights in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                if not os.path.isdir(path):
                    rights &= _FS_FILE_RIGHTS
                rule = PathBeneath(rights & handled, fd)
                if syscall(_LL_ADD_RULE, ruleset, 1, ctypes.byref(rule), ctypes.c_uint32(0)) < 0:
                    return 0
            finally:
                os.close(fd)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            return 0
        if syscall(_LL_RESTRICT, ruleset, ctypes.c_uint32(0)) < 0:
            return 0
    finally:
        os.close(ruleset)
    os.environ["KIT_SANDBOX_LANDLOCK"] = str(abi)
    return abi


# ------------------------------------------------------------------------------------------------ the guard
#
# The functions below run inside the audit hook. They read no global name (tests/test_runner.py checks their
# bytecode): every builtin, type and C function they use comes in the configuration tuple, so patching
# builtins, pathlib or this module from trainee code cannot change what they do.


# The configuration tuple every guard function receives; they unpack it by position (CFG_FIELDS documents the
# order; tests/test_runner.py checks that each function unpacks exactly these names).
CFG_FIELDS = (
    "type_", "str_", "bytes_", "int_", "isinstance_", "PermissionError_", "OSError_", "AttributeError_",
    "get_ident", "lstat", "readlink", "getcwd", "S_ISLNK", "S_ISDIR", "str_str", "bytes_decode", "fs_encoding",
    "DirEntry", "mro_of", "dict_of", "builtins_dict", "pathlib_dict", "PosixPath", "PurePosixPath",
    "pathlib_originals", "str_get", "str_set", "orig_str", "messages", "decide", "home", "home_prefix",
    "read_events", "read_arg", "write_events", "refused", "forbidden_modules", "code_attributes", "pid",
    "write_flags", "o_directory", "check", "read", "write", "text", "resolve", "active",
)


def install_guard(home: str, read_roots, deny=(), lang: str | None = None) -> None:
    """Install the audit hook (see the module docstring): reads under ``read_roots`` except ``deny`` (and the
    system's secrets), writes inside ``home``. Nothing that refers to the hook is kept anywhere."""
    import _stat
    import _thread
    import builtins
    import functools
    import pathlib
    import posix
    import types

    from kit.i18n import get_lang, t

    lang = lang or get_lang()
    home = os.path.realpath(home)
    deny_paths = set()
    for path in (*deny, *SECRETS):
        deny_paths.add(os.path.abspath(path))
        deny_paths.add(os.path.realpath(path))
    messages = types.MappingProxyType({key: t(f"sandbox.refused.{key}", lang) for key in MESSAGE_KEYS})
    decide_cfg = (
        home, home + "/", frozenset(DEVICES_WRITE),
        frozenset(read_roots) | frozenset(DEVICES_READ), tuple(r + "/" for r in read_roots if r != "/dev"),
        frozenset(deny_paths), tuple(d.rstrip("/") + "/" for d in deny_paths), str(os.getpid()), str.isdigit,
    )
    # a C object: its cache and the function it wraps cannot be reached from Python
    decide = functools._lru_cache_wrapper(functools.partial(_decide, decide_cfg), 4096, False,
                                          functools._CacheInfo)
    pure = pathlib.PurePath
    values = {
        "type_": type, "str_": str, "bytes_": bytes, "int_": int, "isinstance_": isinstance,
        "PermissionError_": PermissionError, "OSError_": OSError, "AttributeError_": AttributeError,
        "get_ident": _thread.get_ident, "lstat": posix.lstat, "readlink": posix.readlink, "getcwd": posix.getcwd,
        "S_ISLNK": _stat.S_ISLNK, "S_ISDIR": _stat.S_ISDIR, "str_str": str.__str__, "bytes_decode": bytes.decode,
        "fs_encoding": sys.getfilesystemencoding(), "DirEntry": os.DirEntry,
        "mro_of": type.__dict__["__mro__"].__get__, "dict_of": type.__dict__["__dict__"].__get__,
        "builtins_dict": builtins.__dict__, "pathlib_dict": vars(pathlib), "PosixPath": pathlib.PosixPath,
        "PurePosixPath": pathlib.PurePosixPath,
        "pathlib_originals": tuple((name, pure.__dict__[name]) for name in ("__fspath__", "__str__", "_str")),
        "str_get": pure.__dict__["_str"].__get__, "str_set": pure.__dict__["_str"].__set__,
        "orig_str": pure.__dict__["__str__"], "messages": messages, "decide": decide, "home": home,
        "home_prefix": home + "/", "read_events": frozenset(READ_EVENTS),
        "read_arg": types.MappingProxyType(dict(READ_EVENTS)), "write_events": types.MappingProxyType(dict(WRITE_EVENTS)),
        "refused": types.MappingProxyType(dict(REFUSED)), "forbidden_modules": FORBIDDEN_MODULES,
        "code_attributes": frozenset({"__code__"}), "pid": os.getpid(),
        "write_flags": os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND,
        "o_directory": os.O_DIRECTORY, "check": _check, "read": _read, "write": _write, "text": _text,
        "resolve": _resolve,
        "active": set(),  # the threads inside the hook right now (for the recursion backstop)
    }
    cfg = tuple(values[name] for name in CFG_FIELDS)
    watched = frozenset({*READ_EVENTS, *WRITE_EVENTS, *REFUSED, *SPECIAL})
    sys.addaudithook(functools.partial(_hook, watched, cfg))


def _hook(watched, cfg, event, args):
    if event not in watched and not event.startswith("ctypes."):
        return  # most events (id(), frames, compile, exec …): as fast as possible
    (type_, str_, bytes_, int_, isinstance_, PermissionError_, OSError_, AttributeError_, get_ident,
     lstat, readlink, getcwd, S_ISLNK, S_ISDIR, str_str, bytes_decode, fs_encoding, DirEntry, mro_of, dict_of,
     builtins_dict, pathlib_dict, PosixPath, PurePosixPath, pathlib_originals, str_get, str_set, orig_str,
     messages, decide, home, home_prefix, read_events, read_arg, write_events, refused, forbidden_modules,
     code_attributes, pid, write_flags, o_directory, check, read, write, text, resolve, active) = cfg
    if event not in watched:  # ctypes: dlopen, dlsym, raw memory …
        raise PermissionError_(messages["native"].format(event=event))
    thread = get_ident()
    if thread in active:  # an event raised while the hook runs (signal handler, finaliser): refuse
        raise PermissionError_(messages["nested"].format(event=event))
    active.add(thread)
    try:
        check(cfg, event, args)
    finally:
        active.discard(thread)


def _check(cfg, event, args):
    (type_, str_, bytes_, int_, isinstance_, PermissionError_, OSError_, AttributeError_, get_ident,
     lstat, readlink, getcwd, S_ISLNK, S_ISDIR, str_str, bytes_decode, fs_encoding, DirEntry, mro_of, dict_of,
     builtins_dict, pathlib_dict, PosixPath, PurePosixPath, pathlib_originals, str_get, str_set, orig_str,
     messages, decide, home, home_prefix, read_events, read_arg, write_events, refused, forbidden_modules,
     code_attributes, pid, write_flags, o_directory, check, read, write, text, resolve, active) = cfg

    if event == "open":
        path, mode, flags = args
        if type_(path) is int_:
            return
        path_text = text(cfg, path)
        writing = flags & write_flags
        resolved = resolve(cfg, path_text, None)
        if mode is None:  # os.open: a dir_fd, if any, is invisible here
            if path_text[:1] != "/" and ".." in path_text.split("/"):
                raise PermissionError_(messages["read"].format(path=path_text))
            if not writing and not (resolved == home or resolved.startswith(home_prefix)):
                is_dir = flags & o_directory
                if not is_dir:
                    try:
                        is_dir = S_ISDIR(lstat(resolved).st_mode)
                    except OSError_:
                        is_dir = False
                if is_dir:  # directory descriptors (later usable as dir_fd) only inside the sandbox
                    raise PermissionError_(messages["read_dir"].format(path=path_text))
        if not decide("w" if writing else "r", resolved):
            raise PermissionError_(messages["write" if writing else "read"].format(path=path_text))
        return
    if event in read_events:
        path = args[read_arg[event]]
        if path is not None and type_(path) is not int_:
            read(cfg, path)
        return
    spec = write_events.get(event)
    if spec is not None:
        path_index, fd_index = spec
        write(cfg, args[path_index], args[fd_index] if fd_index >= 0 else None)
        return
    key = refused.get(event)
    if key is not None:
        raise PermissionError_(messages[key].format(event=event))
    if event == "os.rename":
        write(cfg, args[0], args[2])
        write(cfg, args[1], args[3])
    elif event == "shutil.move":
        write(cfg, args[0], None)
        write(cfg, args[1], None)
    elif event in ("shutil.copyfile", "shutil.copymode", "shutil.copystat", "shutil.copytree"):
        read(cfg, args[0])
        write(cfg, args[1], None)
    elif event == "shutil.make_archive":
        write(cfg, args[0], None)
        if args[2] is not None:
            read(cfg, args[2])
    elif event == "shutil.unpack_archive":
        read(cfg, args[0])
        write(cfg, "." if args[1] is None else args[1], None)
    elif event == "import":
        name = args[0]
        if type_(name) is str_:
            for part in name.split("."):  # also "harmless._posixsubprocess", which loads the same extension
                if part in forbidden_modules:
                    raise PermissionError_(messages["module"].format(module=name))
    elif event == "object.__setattr__":
        if args[1] in code_attributes:
            raise PermissionError_(messages["code"].format(event=event))
    elif event == "os.kill":
        if args[0] != pid:
            raise PermissionError_(messages["signal"].format(event=event))
    elif event == "sqlite3.enable_load_extension":
        if args[1]:
            raise PermissionError_(messages["native"].format(event=event))
    elif event == "sqlite3.connect":
        database = args[0]
        if type_(database) is int_:
            return
        database = text(cfg, database)
        if database == ":memory:" or database == "":
            return
        if database[:5] == "file:":
            raise PermissionError_(messages["write"].format(path=database))
        write(cfg, database, None)


def _read(cfg, path):
    (type_, str_, bytes_, int_, isinstance_, PermissionError_, OSError_, AttributeError_, get_ident,
     lstat, readlink, getcwd, S_ISLNK, S_ISDIR, str_str, bytes_decode, fs_encoding, DirEntry, mro_of, dict_of,
     builtins_dict, pathlib_dict, PosixPath, PurePosixPath, pathlib_originals, str_get, str_set, orig_str,
     messages, decide, home, home_prefix, read_events, read_arg, write_events, refused, forbidden_modules,
     code_attributes, pid, write_flags, o_directory, check, read, write, text, resolve, active) = cfg
    if path is None or type_(path) is int_:
        return
    path_text = text(cfg, path)
    if not decide("r", resolve(cfg, path_text, None)):
        raise PermissionError_(messages["read"].format(path=path_text))


def _write(cfg, path, dir_fd):
    (type_, str_, bytes_, int_, isinstance_, PermissionError_, OSError_, AttributeError_, get_ident,
     lstat, readlink, getcwd, S_ISLNK, S_ISDIR, str_str, bytes_decode, fs_encoding, DirEntry, mro_of, dict_of,
     builtins_dict, pathlib_dict, PosixPath, PurePosixPath, pathlib_originals, str_get, str_set, orig_str,
     messages, decide, home, home_prefix, read_events, read_arg, write_events, refused, forbidden_modules,
     code_attributes, pid, write_flags, o_directory, check, read, write, text, resolve, active) = cfg
    if type_(path) is int_:  # a descriptor (fchmod, futimes …): check the file it is open on
        path_text = resolved = resolve(cfg, f"/proc/self/fd/{path}", None)
    else:
        path_text = text(cfg, path)
        base = None
        if path_text[:1] != "/" and type_(dir_fd) is int_ and dir_fd >= 0:
            base = resolve(cfg, f"/proc/self/fd/{dir_fd}", None)
        resolved = resolve(cfg, path_text, base)
    if not decide("w", resolved):
        raise PermissionError_(messages["write"].format(path=path_text))


def _text(cfg, path):
    """The path a system call will use, as an exact str; refuse anything whose value could change."""
    (type_, str_, bytes_, int_, isinstance_, PermissionError_, OSError_, AttributeError_, get_ident,
     lstat, readlink, getcwd, S_ISLNK, S_ISDIR, str_str, bytes_decode, fs_encoding, DirEntry, mro_of, dict_of,
     builtins_dict, pathlib_dict, PosixPath, PurePosixPath, pathlib_originals, str_get, str_set, orig_str,
     messages, decide, home, home_prefix, read_events, read_arg, write_events, refused, forbidden_modules,
     code_attributes, pid, write_flags, o_directory, check, read, write, text, resolve, active) = cfg
    kind = type_(path)
    if kind is str_:
        return path
    if kind is bytes_:
        return bytes_decode(path, fs_encoding, "surrogateescape")
    if kind is DirEntry:
        return text(cfg, path.path)
    if kind is PosixPath or kind is PurePosixPath:
        # os.fspath(p) → PurePath.__fspath__ → str(p) → PurePath.__str__ → p._str: check that this chain is the
        # original one, then pin p._str to an exact str, so the system call sees the value checked here.
        if "str" in pathlib_dict or builtins_dict.get("str") is not str_:
            raise PermissionError_(messages["path_type"].format(kind="pathlib (patched)"))
        for name, original in pathlib_originals:
            for klass in mro_of(kind):
                found = dict_of(klass).get(name)
                if found is not None:
                    if found is not original:
                        raise PermissionError_(messages["path_type"].format(kind="pathlib (patched)"))
                    break
        try:
            value = str_get(path)
        except AttributeError_:
            value = orig_str(path)
        value = str_str(value)
        str_set(path, value)
        return value
    if isinstance_(path, str_):
        return str_str(path)
    if isinstance_(path, bytes_):
        return bytes_decode(path, fs_encoding, "surrogateescape")
    raise PermissionError_(messages["path_type"].format(kind=kind.__name__ if isinstance_(kind, type_) else "?"))


def _resolve(cfg, path_text, base):
    """``path_text`` made absolute (against ``base`` or the working directory) with every symlink resolved; the
    part from the first missing component on is normalised lexically (like ``os.path.realpath``)."""
    (type_, str_, bytes_, int_, isinstance_, PermissionError_, OSError_, AttributeError_, get_ident,
     lstat, readlink, getcwd, S_ISLNK, S_ISDIR, str_str, bytes_decode, fs_encoding, DirEntry, mro_of, dict_of,
     builtins_dict, pathlib_dict, PosixPath, PurePosixPath, pathlib_originals, str_get, str_set, orig_str,
     messages, decide, home, home_prefix, read_events, read_arg, write_events, refused, forbidden_modules,
     code_attributes, pid, write_flags, o_directory, check, read, write, text, resolve, active) = cfg
    if path_text[:1] != "/":
        if base is None:
            try:
                base = getcwd()
            except OSError_:
                raise PermissionError_(messages["read"].format(path=path_text)) from None
        path_text = base + "/" + path_text
    pending = path_text.split("/")[::-1]
    parts = []
    links = 0
    missing = False
    while pending:
        name = pending.pop()
        if name == "" or name == ".":
            continue
        if name == "..":
            if parts:
                parts.pop()
            continue
        parts.append(name)
        if missing:
            continue
        current = "/" + "/".join(parts)
        try:
            mode = lstat(current).st_mode
        except OSError_:
            missing = True
            continue
        if S_ISLNK(mode):
            links += 1
            if links > 64:
                raise PermissionError_(messages["read"].format(path=path_text))
            target = readlink(current)
            parts.pop()
            if target[:1] == "/":
                parts.clear()
            pending.extend(target.split("/")[::-1])
    return "/" + "/".join(parts)


def _decide(cfg, kind, resolved):
    """May ``resolved`` be read (``kind`` "r") or written ("w")? Pure, so its answers are cached."""
    (home, home_prefix, write_exact, read_exact, read_prefixes, deny_exact, deny_prefixes, pid, isdigit) = cfg
    if resolved in deny_exact or resolved.startswith(deny_prefixes):
        return False
    if kind == "w":
        return resolved == home or resolved.startswith(home_prefix) or resolved in write_exact
    if resolved in read_exact:
        return True
    if resolved[:6] == "/proc/":
        first = resolved[6:].split("/")[0]
        return not (isdigit(first) and first != pid)  # not other processes (the grader, other kernels)
    if resolved[:5] == "/dev/":
        return False
    return resolved.startswith(read_prefixes)


if __name__ == "__main__":
    main()
