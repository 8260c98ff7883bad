"""Headless execution: kernels are shut down, and a missed socket wakeup costs a slice, not a timeout."""

import asyncio
import time
from queue import Empty

import nbformat
import psutil
import pytest
from papermill.exceptions import PapermillExecutionError

from kit.pipeline import execute
from kit.pipeline import kernel as kernel_module
from kit.pipeline.kernel import SlicedChannel


def kernels() -> set[int]:
    me = psutil.Process()
    return {p.pid for p in me.children(recursive=True) if "ipykernel" in " ".join(p.cmdline())}


def notebook(tmp_path, source: str):
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell(source)]
    path = tmp_path / "in.ipynb"
    nbformat.write(nb, path)
    return path


def test_kernels_are_shut_down_after_success_and_failure(tmp_path):
    before = kernels()
    out = execute(notebook(tmp_path, "print(x * 2)"), tmp_path / "ok.ipynb", {"x": 21})
    assert nbformat.read(out, as_version=4).cells[-1].outputs[0]["text"] == "42\n"
    with pytest.raises(PapermillExecutionError):
        execute(notebook(tmp_path, "1 / 0"), tmp_path / "bad.ipynb")
    time.sleep(0.5)
    assert kernels() == before


class QueuedButSilent(SlicedChannel):
    """A channel whose message is queued but whose first wait is never woken (the upstream bug)."""

    def __init__(self):  # no socket: get_msg is faked below
        self.waits = []

    async def _raw_get_msg(self, timeout):
        self.waits.append(timeout)
        await asyncio.sleep(timeout)
        if len(self.waits) == 1:
            raise Empty  # the wakeup was missed and the wait ran out
        return {"msg_type": "execute_reply"}


@pytest.fixture
def silent(monkeypatch):
    channel = QueuedButSilent()
    monkeypatch.setattr(kernel_module.AsyncZMQSocketChannel, "get_msg",
                        lambda self, timeout=None: self._raw_get_msg(timeout))
    monkeypatch.setattr(kernel_module, "SLICE", 0.05)
    return channel


def test_a_missed_wakeup_costs_one_slice_not_the_whole_timeout(silent):
    start = time.monotonic()
    message = run_in_thread(silent.get_msg(timeout=600))
    assert message == {"msg_type": "execute_reply"}
    assert time.monotonic() - start < 1 and silent.waits == [0.05, 0.05]



def run_in_thread(coroutine):
    """``asyncio.run`` in a thread of its own: the session's Playwright browser keeps a loop running in this one."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_a_real_timeout_still_raises_empty(monkeypatch):
    monkeypatch.setattr(kernel_module, "SLICE", 0.05)

    async def never(self, timeout=None):
        await asyncio.sleep(timeout)
        raise Empty

    monkeypatch.setattr(kernel_module.AsyncZMQSocketChannel, "get_msg", never)
    start = time.monotonic()
    with pytest.raises(Empty):
        run_in_thread(SlicedChannel.__new__(SlicedChannel).get_msg(timeout=0.2))
    assert 0.19 < time.monotonic() - start < 0.6
