"""Warm kernels: kernels forked from a process that has already imported their libraries.

A cold kernel start is a new Python that imports ipykernel, pandas, matplotlib and the kit — about 1.8 s of CPU
on the course machine, paid again for every notebook of a batch. :class:`Forkserver` starts
:mod:`kit.pipeline.forkserver` once; :class:`WarmKernelManager` then launches each kernel by asking it for a
fork, which is ready in a fraction of that. Every kernel is still a process of its own, used for one notebook and
shut down after it; only the imported modules are shared (copy-on-write).

:func:`warm_kernels` starts a factory for a batch and names it in ``KIT_WARM_KERNELS``, so that the batch's
worker processes (started after it) find it and :func:`kit.pipeline.kernel.kernel_manager` hands out warm kernel
managers. Grading forks into bubblewrap sandboxes instead (``join``, see :mod:`kit.pipeline.forkserver`).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence

from jupyter_client.manager import AsyncKernelManager
from traitlets import Unicode

ENV = "KIT_WARM_KERNELS"
"""The socket of the factory a process's kernels are forked from (set by :func:`warm_kernels`)."""
KERNEL_LIBRARIES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel_launcher",
                    "matplotlib_inline.backend_inline", "IPython.display", "numpy", "pandas", "pyarrow.parquet",
                    "scipy.stats", "pandas.io.formats.style",
                    "matplotlib.pyplot", "kit")
"""What every warm kernel has imported: the kernel itself, the data and plotting stack, the kit."""
REPORTS = (*KERNEL_LIBRARIES, "seaborn", "kit.assessment", "kit.cohort", "kit.cohortsummary", "kit.cxreport",
           "kit.cxsummary", "kit.data.sources.questions", "kit.drivers", "kit.formats", "kit.kano", "kit.metrics",
           "kit.ninegrid", "kit.periods", "kit.plots", "kit.privacy", "kit.recovery", "kit.servqual", "kit.tables",
           "kit.text", "kit.trainee", "kit.i18n")
"""The modules the report notebooks import, and those the kit imports for them on first use (``notebooks/reports``)."""
LESSONS = (*KERNEL_LIBRARIES, "ipywidgets", "seaborn", "kit.actionplan", "kit.checks", "kit.communication",
           "kit.data", "kit.improvement", "kit.metrics", "kit.needs", "kit.ninegrid", "kit.personal", "kit.plots",
           "kit.recovery", "kit.text", "kit.widgets")
"""The modules the lessons import (``notebooks/lessons``)."""


class Forkserver:
    """A :mod:`kit.pipeline.forkserver` importing ``preload``, listening in a private folder (``address``); it ends
    with :meth:`close`, or when this process ends (it watches a pipe only this process holds). Clients may connect
    at once: their first requests are answered when the imports are done. If the factory fails to start, their
    connections close unanswered."""

    def __init__(self, preload: Sequence[str] = REPORTS, env: Mapping[str, str] | None = None):
        from kit.grading.sandbox import sockets_root

        self.folder = tempfile.mkdtemp(prefix="kit-warm-", dir=sockets_root())
        self.address = os.path.join(self.folder, "fork.sock")
        read_end, self._pipe = os.pipe()
        with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as listener:
            listener.bind(self.address)
            listener.listen(64)
            argv = [sys.executable, "-m", "kit.pipeline.forkserver", "--listen-fd", str(listener.fileno()),
                    "--parent-fd", str(read_end)]
            for module in preload:
                argv += ["--preload", module]
            try:
                self.process = subprocess.Popen(argv, pass_fds=(read_end, listener.fileno()),
                                                stdin=subprocess.DEVNULL, env=dict(env if env is not None else os.environ),
                                                start_new_session=True)
            finally:
                os.close(read_end)

    def close(self) -> None:
        """Stop the factory: it holds nothing to save, so it is killed (kernels it forked, and their keepers, keep
        running until their managers shut them down)."""
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def spawn(address: str, module: str, args: Sequence[str], *, env: Mapping[str, str], cwd: str,
          fds: Mapping[int, int] | None = None, join: int | None = None, uid: int | None = None) -> ForkedProcess:
    """Ask the factory at ``address`` for a kernel running ``python -m module args`` in ``cwd`` with ``env``;
    ``fds`` maps the kernel's descriptor numbers to this process's descriptors (stdin, stdout, stderr default to
    /dev/null). ``join``/``uid``: the sandbox to enter and the uid to become (:mod:`kit.pipeline.forkserver`)."""
    fds = dict(fds or {})
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for target in (0, 1, 2):
            fds.setdefault(target, null)
        request = {"module": module, "args": list(args), "env": dict(env), "cwd": str(cwd), "fds": list(fds),
                   "join": join, "uid": uid}
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            connection.connect(address)
            socket.send_fds(connection, [json.dumps(request).encode()], list(fds.values()))
            reply = json.loads(connection.recv(4096) or b"{}")
        except BaseException:
            connection.close()
            raise
    finally:
        os.close(null)
    if "pid" not in reply:
        connection.close()
        raise RuntimeError("the warm-kernel factory could not fork a kernel")
    return ForkedProcess(reply["pid"], connection)


def spawn_piped(address: str, module: str, args: Sequence[str], *, env: Mapping[str, str], cwd: str) -> ForkedProcess:
    """:func:`spawn` with the process's stdin and stdout as pipes to this one (``.stdin``, ``.stdout``, binary
    files), its stderr discarded: a forked server spoken to over its standard streams."""
    child_in, stdin = os.pipe()
    stdout, child_out = os.pipe()
    try:
        process = spawn(address, module, args, env=env, cwd=cwd, fds={0: child_in, 1: child_out})
    except BaseException:
        os.close(stdin)
        os.close(stdout)
        raise
    finally:
        os.close(child_in)
        os.close(child_out)
    process.stdin, process.stdout = os.fdopen(stdin, "wb"), os.fdopen(stdout, "rb")
    return process


class ForkedProcess:
    """A kernel forked by the factory, handled like :class:`subprocess.Popen`: its exit code arrives on the
    connection to its keeper; signals go through a pidfd, so they never reach a process that reused the pid."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, connection: socket.socket):
        self.pid, self.returncode, self._connection = pid, None, connection
        try:
            self._pidfd = os.pidfd_open(pid)
        except ProcessLookupError:  # already gone: its status is on the way
            self._pidfd = None

    def poll(self) -> int | None:
        return self.wait(0) if self.returncode is None and self._ready(0) else self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not self._ready(timeout):
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            try:
                message = json.loads(self._connection.recv(4096) or b"{}")
            except OSError:
                message = {}
            self.returncode = int(message.get("status", -signal.SIGKILL))
            self._close()
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is None and self._pidfd is not None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def _ready(self, timeout: float | None) -> bool:
        return bool(select.select([self._connection], [], [], timeout)[0])

    def _close(self) -> None:
        for stream in (self.stdin, self.stdout):
            if stream is not None:
                stream.close()
        self._connection.close()
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None


class WarmKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels (``python -m MODULE …`` kernel specs) are forked by the factory at
    ``kit_address``; any other kernel command starts the usual way."""

    kit_address = Unicode("")

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if kernel_cmd[1:2] != ["-m"] or len(kernel_cmd) < 3:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        # ipykernel read JPY_PARENT_PID when the factory imported it: the manager is named on the command line
        args = [*kernel_cmd[3:], f"--IPKernelApp.parent_handle={os.getpid()}"]
        process = spawn(self.kit_address, kernel_cmd[2], args, env=kw.get("env") or os.environ,
                        cwd=kw.get("cwd") or os.getcwd(), fds=_streams(kw))
        provisioner = self.provisioner
        provisioner.process, provisioner.pid, provisioner.pgid = process, process.pid, process.pid
        provisioner.cwd = kw.get("cwd") or os.getcwd()
        self._reconcile_connection_info(provisioner.connection_info)
        return None


def _streams(kw: Mapping) -> dict[int, int]:
    """The kernel's stdin/stdout/stderr as the launch arguments give them (a descriptor or a file); by default no
    input, and this process's own output and error streams, as a kernel started the usual way inherits them."""
    fds = {1: 1, 2: 2}
    for target, name in enumerate(("stdin", "stdout", "stderr")):
        stream = kw.get(name)
        if isinstance(stream, int) and stream >= 0:
            fds[target] = stream
        elif hasattr(stream, "fileno"):
            fds[target] = stream.fileno()
    return fds


@contextlib.contextmanager
def warm_kernels(preload: Sequence[str] = REPORTS, *, executor: str | None = None,
                 env: Mapping[str, str] | None = None) -> Iterator[Forkserver | None]:
    """A factory for the kernels of a batch (importing ``preload`` in ``env``, default this process's), named in
    ``KIT_WARM_KERNELS`` while the batch runs: worker processes started inside the block inherit it. Nothing for
    an ``executor`` elsewhere (a Dask cluster's workers start their kernels themselves)."""
    if executor not in (None, "", "local"):
        yield None
        return
    server = Forkserver(preload, env)
    previous = os.environ.get(ENV)
    os.environ[ENV] = server.address
    try:
        yield server
    finally:
        if previous is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = previous
        server.close()
