"""Warm kernels: forked by a factory that has done the imports, yet each a fresh process used once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import nbformat
import psutil
import pytest

from kit.pipeline import execute, warm

v4 = nbformat.v4
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def factory():
    with warm.warm_kernels(warm.KERNEL_LIBRARIES) as server:
        yield server


def notebook(*sources):
    return v4.new_notebook(cells=[v4.new_code_cell("answer = 1", metadata={"tags": ["parameters"]}),
                                  *(v4.new_code_cell(s) for s in sources)],
                           metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def run(tmp_path, name, *sources, parameters=None):
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(notebook(*sources), path)
    out = execute(path, tmp_path / f"{name}.out.ipynb", parameters or {})
    return [o for cell in nbformat.read(out, as_version=4).cells for o in cell.get("outputs", [])]


def printed(outputs) -> dict:
    return json.loads("".join(o.get("text", "") for o in outputs if o.get("name") == "stdout"))


STATE = """
import json, os, sys, numpy as np, kit
leaked = getattr(kit, "_leaked_from_another_kernel", None)
kit._leaked_from_another_kernel = answer
print(json.dumps({"pid": os.getpid(), "leaked": leaked, "draw": float(np.random.rand()),
                  "preloaded": "pandas" in sys.modules, "answer": answer}))
"""


def test_each_warm_kernel_is_a_new_process_with_its_imports_done_and_nothing_else(tmp_path, factory):
    first = printed(run(tmp_path, "first", STATE, parameters={"answer": 41}))
    second = printed(run(tmp_path, "second", STATE, parameters={"answer": 42}))
    assert first["preloaded"] and second["preloaded"]  # pandas was imported by the factory, not the notebook
    assert first["pid"] != second["pid"] and second["leaked"] is None  # nothing of the first reaches the second
    assert first["draw"] != second["draw"]  # numpy's global random state is reseeded in every kernel
    assert (first["answer"], second["answer"]) == (41, 42)


def test_a_warm_kernel_gives_the_outputs_a_cold_one_gives(tmp_path, factory):
    source = "import pandas as pd\npd.DataFrame({'x': [1, 2, 3]}).describe().loc[['mean', 'max']]"
    warm_outputs = run(tmp_path, "warm", source)
    os.environ.pop(warm.ENV)
    try:
        cold_outputs = run(tmp_path, "cold", source)
    finally:
        os.environ[warm.ENV] = factory.address
    assert warm_outputs[0]["data"] == cold_outputs[0]["data"]


def test_a_failing_cell_fails_the_run_as_in_a_cold_kernel(tmp_path, factory):
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as raised:
        run(tmp_path, "fails", "{}['missing']")
    assert raised.value.ename == "KeyError"


def spawn_json_tool(factory, text: bytes) -> warm.ForkedProcess:
    """``python -m json.tool`` forked by the factory, reading ``text``: exit code 0 for JSON, 1 otherwise."""
    read_end, write_end = os.pipe()
    os.write(write_end, text)
    os.close(write_end)
    try:
        return warm.spawn(factory.address, "json.tool", [], env=dict(os.environ), cwd=os.getcwd(),
                          fds={0: read_end})
    finally:
        os.close(read_end)


def test_the_exit_code_comes_back_from_the_keeper(factory):
    assert spawn_json_tool(factory, b"{}").wait(timeout=30) == 0
    assert spawn_json_tool(factory, b"{").wait(timeout=30) == 1


def test_a_kernel_whose_manager_is_gone_is_killed(factory):
    sleeper = warm.spawn(factory.address, "timeit", ["-n", "1", "-r", "1", "import time; time.sleep(120)"],
                         env=dict(os.environ), cwd=os.getcwd())
    process = psutil.Process(sleeper.pid)
    assert process.is_running()
    sleeper._close()  # the manager drops its connection to the keeper, as when the grader dies
    process.wait(timeout=10)
    assert not psutil.pid_exists(sleeper.pid) or process.status() == psutil.STATUS_ZOMBIE


def test_signals_reach_the_kernel(factory):
    sleeper = warm.spawn(factory.address, "timeit", ["-n", "1", "-r", "1", "import time; time.sleep(120)"],
                         env=dict(os.environ), cwd=os.getcwd())
    assert sleeper.poll() is None
    sleeper.terminate()
    assert sleeper.wait(timeout=10) == -15


def test_the_factory_ends_with_the_process_that_started_it(tmp_path):
    script = ("import os\nfrom kit.pipeline import warm\nserver = warm.Forkserver(('json',))\n"
              "print(server.process.pid, flush=True)\nos._exit(0)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    pid = int(done.stdout.split()[0])
    deadline = time.monotonic() + 30
    while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the factory outlived its parent"
        time.sleep(0.2)


def test_a_factory_that_died_refuses_kernels_with_an_error(tmp_path):
    server = warm.Forkserver(("json",))
    server.process.kill()
    server.process.wait()
    try:
        with pytest.raises((RuntimeError, OSError)):
            spawn_json_tool(server, b"{}")
    finally:
        server.close()


def test_a_remote_executor_gets_no_factory():
    before = os.environ.get(warm.ENV)
    with warm.warm_kernels(executor="dask://scheduler:8786") as server:
        assert server is None and os.environ.get(warm.ENV) == before
