"""The warm-kernel factory: one process that has imported the kernels' libraries forks every kernel.

Started by :class:`kit.pipeline.warm.Forkserver`::

    python -m kit.pipeline.forkserver --listen-fd N --parent-fd N [--preload MODULE]...

It imports the ``--preload`` modules (pandas, matplotlib, ipykernel, the kit …) once, then answers requests on the
listening Unix ``SOCK_SEQPACKET`` socket it was handed (bound by its parent, so that clients may connect while it
is still importing; their requests wait in the backlog): a JSON message ``{"module", "args", "env", "cwd", "fds",
"join", "uid"}`` with the descriptors to hand over (stdin, stdout, stderr, a parent pipe …). For each it forks a
*keeper*, which forks the *kernel*: the kernel takes the descriptors at the numbers listed in ``fds``, the
environment and folder given, and runs ``python -m MODULE ARGS`` (:func:`runpy.run_module`) — with every import
already done, so a kernel is ready in a fraction of a cold start. The keeper sends back ``{"pid": …}``, waits for
the kernel and sends ``{"status": …}`` (its exit code) when it ends; if the connection closes first (the kernel's
manager is gone), it kills the kernel.

``join`` puts the kernel into a sandbox that bubblewrap built (:mod:`kit.grading.isolation`): the host pid of the
sandbox's first process, whose namespaces (user, mount, PID, network, IPC, UTS, cgroup) the kernel enters with
``setns(2)`` before it changes its root to the sandbox's and becomes ``uid`` — so the kernel sees exactly what a
kernel started inside that sandbox would, and each sandbox receives one kernel. When the kernel ends, the keeper
kills the sandbox's first process, which ends the sandbox.

The factory itself must stay single-threaded (``fork`` copies only the calling thread) and holds nothing but
imported modules: it never reads a notebook or a submission. It exits when its parent's pipe closes.
Source: fork(2), setns(2) ("a process reassociating itself with a PID namespace … only its children"),
unix(7) for ``SCM_RIGHTS``; the same design as CPython's ``multiprocessing`` forkserver.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import selectors
import signal
import socket
import sys
import traceback

MAX_REQUEST = 1 << 20
MAX_FDS = 16
NAMESPACES = ("user", "cgroup", "ipc", "uts", "net", "mnt")
"""Entered in this order (user first: it grants the rights for the others; mount last, then the root changes)."""
CLONE_NEWPID = 0x20000000


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m kit.pipeline.forkserver")
    parser.add_argument("--listen-fd", type=int, required=True)
    parser.add_argument("--parent-fd", type=int, required=True)
    parser.add_argument("--preload", action="append", default=[])
    args = parser.parse_args(argv)
    for module in args.preload:
        try:
            __import__(module)
        except Exception as error:  # a missing optional module only makes kernels import it themselves
            print(f"kit.pipeline.forkserver: cannot preload {module}: {error!r}", file=sys.stderr)
    serve(socket.socket(fileno=args.listen_fd), args.parent_fd)


def serve(listener: socket.socket, parent_fd: int) -> None:
    """Fork a kernel for each request until the parent's pipe closes; reap the keepers as they end."""
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(parent_fd, selectors.EVENT_READ)
    while True:
        for key, _ in selector.select(timeout=1.0):
            if key.fileobj == parent_fd:
                if not os.read(parent_fd, 1):
                    return
                continue
            connection, _ = listener.accept()
            with connection:
                _fork_keeper(listener, connection)
        _reap()


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _fork_keeper(listener: socket.socket, connection: socket.socket) -> None:
    message, fds, _, _ = socket.recv_fds(connection, MAX_REQUEST, MAX_FDS)
    try:
        request = json.loads(message)
        if os.fork() == 0:
            code = 1
            try:
                listener.close()
                code = _keep(connection, request, fds)
            except BaseException:  # noqa: BLE001 - the keeper reports, whatever happened
                traceback.print_exc()
            finally:
                os._exit(code)
    finally:
        for fd in fds:
            os.close(fd)


def _keep(connection: socket.socket, request: dict, fds: list[int]) -> int:
    """The keeper: fork the kernel (into the sandbox's PID namespace when joining one), report its pid, wait for
    it, report its exit code, end the sandbox."""
    join = request.get("join")
    entry = _namespace_fds(join) if join else {}
    if join:
        _setns(entry.pop("pid"), CLONE_NEWPID)
    kernel = os.fork()
    if kernel == 0:
        code = 1
        try:
            connection.close()
            code = _kernel(request, fds, entry)
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        except BaseException:  # noqa: BLE001 - shown in the kernel's log
            traceback.print_exc()
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):  # a closed stream: nothing more to say
                    stream.flush()
            os._exit(code)
    for fd in (*fds, *entry.values()):
        os.close(fd)
    connection.send(json.dumps({"pid": kernel}).encode())
    _, status = _wait(kernel, connection)
    if join:
        with contextlib.suppress(ProcessLookupError):
            os.kill(join, signal.SIGKILL)
    with contextlib.suppress(OSError):  # the manager is gone (which is why the kernel was killed)
        connection.send(json.dumps({"status": os.waitstatus_to_exitcode(status)}).encode())
    return 0


def _wait(kernel: int, connection: socket.socket) -> tuple[int, int]:
    """Wait for the kernel to end; kill it first if the connection closes (its manager is gone)."""
    pidfd = os.pidfd_open(kernel)
    try:
        ready, _, _ = select.select([pidfd, connection], [], [])
        if connection in ready:
            os.kill(kernel, signal.SIGKILL)
    finally:
        os.close(pidfd)
    return os.waitpid(kernel, 0)


def _kernel(request: dict, fds: list[int], entry: dict[str, int]) -> int:
    """Become the kernel: descriptors, sandbox (if joining), session, environment, folder; then run the module."""
    import runpy

    if entry:
        _enter(entry, int(request["uid"]) if request.get("uid") is not None else None)
    else:
        os.setsid()  # its own process group, which the kernel manager signals
    _place(fds, request["fds"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    _reseed()
    sys.argv = [request["module"], *request["args"]]
    runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
    return 0


def _place(fds: list[int], targets: list[int]) -> None:
    """Each received descriptor at its target number, every other descriptor closed."""
    moved = [os.dup(fd) if fd in targets else fd for fd in fds]  # free the target numbers first
    for fd, target in zip(moved, targets, strict=True):
        if fd != target:
            os.dup2(fd, target)
    keep = set(targets)
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd not in keep:
            with contextlib.suppress(OSError):  # the listing's own descriptor, already gone
                os.close(fd)


def _namespace_fds(pid: int) -> dict[str, int]:
    """Descriptors of the namespaces and root of process ``pid`` (the sandbox's first process), opened before
    any is entered."""
    opened = {"pid": os.open(f"/proc/{pid}/ns/pid", os.O_RDONLY | os.O_CLOEXEC)}
    for name in NAMESPACES:
        mine, theirs = os.readlink(f"/proc/self/ns/{name}"), os.readlink(f"/proc/{pid}/ns/{name}")
        if mine != theirs:  # entering one's own user namespace is refused (EINVAL)
            opened[name] = os.open(f"/proc/{pid}/ns/{name}", os.O_RDONLY | os.O_CLOEXEC)
    opened["root"] = os.open(f"/proc/{pid}/root", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    return opened


def _enter(entry: dict[str, int], uid: int | None) -> None:
    """Enter the sandbox's namespaces and root, then drop to ``uid`` with no capabilities and no new privileges
    (a uid change from root clears every capability; in a user namespace, the capabilities ``setns`` granted are
    cleared explicitly)."""
    for name in NAMESPACES:
        if name in entry:
            _setns(entry[name], 0)
    os.fchdir(entry["root"])
    os.chroot(".")
    os.chdir("/")
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    else:
        _drop_capabilities()
    _no_new_privileges()
    for fd in entry.values():
        os.close(fd)


def _libc():
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def _setns(fd: int, kind: int) -> None:
    import ctypes

    if _libc().setns(fd, kind) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"setns: {os.strerror(error)}")


def _drop_capabilities() -> None:
    """Empty effective, permitted and inheritable sets (capset(2), ``_LINUX_CAPABILITY_VERSION_3``)."""
    import ctypes

    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    number = {"x86_64": 126, "aarch64": 91}[os.uname().machine]
    if _libc().syscall(number, header, data) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"capset: {os.strerror(error)}")


def _no_new_privileges() -> None:
    import ctypes

    if _libc().prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        error = ctypes.get_errno()
        raise OSError(error, f"prctl: {os.strerror(error)}")


def _reseed() -> None:
    """Fresh random state: every kernel forked from this process would otherwise draw numpy's legacy global
    random numbers in the same order (``random`` reseeds itself after a fork)."""
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


if __name__ == "__main__":
    main()
