"""Where batch work runs: a local process pool by default, or an existing Dask distributed cluster.

Both are ``concurrent.futures`` executors, so grading (and later report batches) submit the same task
function to either. ``dask://HOST:PORT`` (or ``tcp://HOST:PORT``) connects to a running scheduler;
the workers must have the kit installed.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

from kit.errors import KitError

LOCAL = "local"


def default_workers() -> int:
    """One worker per CPU the process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_address(address: str | None) -> str | None:
    """``address`` if it names an executor this module can open, else a KitError (before any work starts)."""
    if address not in (None, "", LOCAL) and not address.startswith(("dask://", "tcp://")):
        raise KitError("executor_unknown", address=address)
    return address


@contextmanager
def executor(address: str | None = None, workers: int | None = None) -> Iterator[Executor]:
    """An executor for ``address``: None or ``"local"`` → a process pool of ``workers`` (default: one per CPU);
    ``dask://HOST:PORT`` / ``tcp://HOST:PORT`` → the Dask cluster there. Closed on exit."""
    if address in (None, "", LOCAL):
        # spawn: workers start clean, without the parent's threads or open database connections
        with ProcessPoolExecutor(workers or default_workers(), mp_context=multiprocessing.get_context("spawn")) as pool:
            yield pool
        return
    check_address(address)
    try:
        from distributed import Client
    except ImportError:
        raise KitError("executor_no_dask") from None
    target = "tcp://" + address.removeprefix("dask://").removeprefix("tcp://")
    try:
        client = Client(target, timeout="10s", set_as_default=False)
    except OSError as error:
        raise KitError("executor_unreachable", address=address, error=str(error)) from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
