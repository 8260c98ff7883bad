"""The kernel connection used for headless runs: a kernel client whose channels never sleep through a message.

With asyncio ZeroMQ sockets a wakeup is occasionally missed: the reply is already queued, but the wait
for it only ends when its timeout does (nbclient#312, pyzmq#2173). nbclient waits for a cell's reply
with one wait as long as the whole cell timeout, so one missed wakeup stalls a notebook for ten
minutes. Here every wait is cut into short slices; each slice ends by checking the socket again, so a
missed wakeup costs at most :data:`SLICE` seconds.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.manager import AsyncKernelManager
from traitlets import Type

from kit.pipeline import warm

SLICE = 0.5  # seconds


class SlicedChannel(AsyncZMQSocketChannel):
    """A kernel channel whose ``get_msg`` waits in slices of :data:`SLICE` seconds."""

    async def get_msg(self, timeout: float | None = None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = SLICE if deadline is None else max(0.0, min(SLICE, deadline - time.monotonic()))
            try:
                return await super().get_msg(timeout=wait)
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise


class SlicedKernelClient(AsyncKernelClient):
    """An asyncio kernel client with :class:`SlicedChannel` for the shell and IOPub channels."""

    shell_channel_class = Type(SlicedChannel)
    iopub_channel_class = Type(SlicedChannel)


def kernel_manager(kernel_name: str) -> AsyncKernelManager:
    """A kernel manager for one headless run, handing out :class:`SlicedKernelClient` clients.

    The kernel talks over IPC, on Unix sockets under a name of its own in the temporary folder, rather than
    TCP: kernels started at the same moment by parallel workers cannot race for the same free port (or socket
    name) and hear each other's messages, and no port is opened to the network. Inside :func:`kit.pipeline.warm.warm_kernels`
    the kernel is forked from the batch's warm-kernel factory."""
    sockets = Path(tempfile.gettempdir()) / f"kit-kernel-{uuid.uuid4().hex}"
    options = {"kernel_name": kernel_name, "client_class": "kit.pipeline.kernel.SlicedKernelClient",
               "transport": "ipc", "ip": str(sockets)}
    factory = os.environ.get(warm.ENV)
    if factory:
        return warm.WarmKernelManager(kit_address=factory, **options)
    return AsyncKernelManager(**options)
