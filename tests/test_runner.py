"""Running one submission in the grading sandbox: answers come out as data, every fault is contained.

Four notebooks are executed (each once per test session, shared between xdist workers): one with the answers
and every fault a kernel survives, one trying every way out of the sandbox, one whose kernel dies, one that
outlives its notebook timeout. Each fault is asserted by its own test.
"""

import dis
import fcntl
import json
import os
import pickle
import time
import uuid

import nbformat
import numpy as np
import pandas as pd
import psutil
import pytest

from kit.grading import sandbox
from kit.grading.answers import MIME, Refused, Unsupported, admit, collect, encode, gather, publish
from kit.grading.runner import Run, SubmissionError, prepare, read_submission, run_submission
from kit.grading.sandbox import Limits
from kit.paths import COURSE, NOTEBOOKS, ROOT

v4 = nbformat.v4
PARAMETERS = {"trainee_id": "S042", "seed": 7, "lang": "en"}
REPO_LESSON = NOTEBOOKS / "lessons" / "01-needs.ipynb"
COURSE_FILE = next(p for p in sorted(COURSE.rglob("*.yml")))


def notebook(*cells):
    return v4.new_notebook(cells=[
        v4.new_code_cell('trainee_id = "x"\nseed = 0\nlang = "en"', metadata={"tags": ["parameters"]}), *cells,
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def answer(qid, source):
    return v4.new_code_cell(source, metadata={"nbgrader": {
        "grade_id": qid, "solution": True, "grade": False, "locked": False, "schema_version": 3}})


def sandbox_kernels(wait: float = 5.0) -> list[int]:
    """This process's sandbox kernels still running after ``wait`` seconds: started ones, and forked ones (with
    their keepers: they keep the warm-kernel factory's command line), the factory itself aside."""
    deadline = time.monotonic() + wait
    while True:
        left = []
        for process in psutil.Process().children(recursive=True):
            try:
                cmdline = " ".join(process.cmdline())
                forked = "-m kit.pipeline.forkserver" in cmdline and process.ppid() != os.getpid()
                if process.status() != psutil.STATUS_ZOMBIE and ("-m kit.grading.sandbox" in cmdline or forked):
                    left.append(process.pid)
            except psutil.NoSuchProcess:
                continue
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


def warm(build):
    """``build`` run with a grading batch's warm-kernel factory: kernels forked into their sandboxes (when the
    grader is root), and the processes left checked before the factory closes."""
    def run(workdir):
        with sandbox.warm_kernels():
            result, context = build(workdir)
            return result, {**context, "leftover": sandbox_kernels()}
    return run


STARTS = {"cold": lambda build: build, "warm": warm}


@pytest.fixture(scope="session")
def shared(tmp_path_factory):
    """Run a notebook once per session, even across xdist workers (the first one runs it, the others wait)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent

    def get(name, build):
        path = root / f"runner-{name}.pickle"
        with open(root / f"runner-{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not path.exists():
                workdir = root / f"runner-{name}"
                run, context = build(workdir)
                run_dict = {"run": run, "context": context, "leftover_kernels": sandbox_kernels()}
                path.write_bytes(pickle.dumps(run_dict))
            return pickle.loads(path.read_bytes())

    return get


# --------------------------------------------------------------------- answers and faults a kernel survives

SURVIVABLE_LIMITS = Limits(cell_timeout=3, memory=2**30, output_chars=50_000)  # the warm kernel takes ~0.5 GiB
LEGIT_WORK = """
import json, pathlib, shutil, sqlite3, tempfile
import matplotlib.pyplot as plt
from kit import text
from kit.paths import SAMPLE
from kit.personal import personal_rng
frame = pd.DataFrame({"x": personal_rng(trainee_id, seed).integers(0, 9, 5)})
frame.to_csv("frame.csv", index=False)
pathlib.Path("sub").mkdir()
shutil.copy("frame.csv", "sub/copy.csv")
with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
    fh.write("temp")
con = sqlite3.connect("local.db"); con.execute("create table t (x int)"); con.close()
plt.plot([1, 2]); plt.savefig("figure.png"); plt.close("all")
legit = {
    "csv_rows": len(pd.read_csv("sub/copy.csv")),
    "course_text": bool(text.load("reports/cx-report", "zh")["summary_heading"]),
    "sample_rows": len(pd.read_csv(SAMPLE / "kpi_snapshots.csv")) > 0,
    "files": sorted(p.name for p in pathlib.Path(".").iterdir() if not p.name.startswith(".")),
    "pathlib_text": pathlib.Path("sub/copy.csv").read_text().splitlines()[0],
}
"""

FORGED_SIGNATURE = """
import sys
session = get_ipython().kernel.session
key, session.key = session.key, b"not the grader's key"
print("signed with another key"); sys.stdout.flush()
session.key = key
forged = "after"
"""


def build_survivable(workdir):
    nb = notebook(
        answer("q1", "q1 = 2 * 21"),
        answer("q2", "import numpy as np, pandas as pd\n"
                     "q2 = pd.DataFrame({'score': [1.5, np.nan], 'n': [3, 4]}, index=pd.Index(['a', 'b'], name='k'))"),
        answer("vmsize", "vmsize = [int(line.split()[1]) * 1024 for line in open('/proc/self/status')\n"
                         "          if line.startswith('VmSize')][0]"),
        answer("q3", "q3 = f'{trainee_id}:{seed}'"),
        answer("q4", "q4 = pd.Series([1, 2, 3], index=['x', 'y', 'z'], name='count')"),
        answer("legit", LEGIT_WORK),
        answer("loop", "loop = 'started'\nwhile True:\n    pass"),
        answer("after_loop", "after_loop = 'ran'"),
        answer("exc", "exc = 'before'\n{}['missing']"),
        answer("forged", FORGED_SIGNATURE),
        answer("exit", "import sys\nexit = 'before'\nsys.exit(3)"),
        answer("huge", "huge = 'before'\nblob = bytearray(50 * 2**30)"),
        answer("grow", "grow = 'before'\nhog = [bytearray(10**8) for _ in range(10**6)]"),
        answer("after_memory", "after_memory = len(bytearray(10**7))"),
        answer("flood", "flood = 'before'\nprint('x' * 20_000_000)"),
        answer("lines", "lines = 'before'\nfor i in range(100_000):\n    print(i)"),
        answer("wipe", "import os, shutil\nfor name in os.listdir('.'):\n"
                       "    shutil.rmtree(name) if os.path.isdir(name) else os.remove(name)\n"
                       "wipe = sorted(os.listdir('.'))"),
        answer("after_wipe", "after_wipe = 'alive'"),
        v4.new_code_cell("defined_elsewhere = 'in a plain cell'"),
    )
    qids = ["q1", "q2", "vmsize", "q3", "q4", "legit", "loop", "after_loop", "exc", "forged", "exit", "huge", "grow", "after_memory",
            "flood", "lines", "wipe", "after_wipe", "defined_elsewhere"]
    return run_submission(nb, qids, PARAMETERS, SURVIVABLE_LIMITS, workdir), {}


@pytest.fixture(scope="module", params=list(STARTS))
def survivable(shared, request) -> Run:
    name = "survivable" if request.param == "cold" else f"survivable-{request.param}"
    return shared(name, STARTS[request.param](build_survivable))["run"]


@pytest.mark.slow
def test_answers_are_exported_with_the_injected_parameters(survivable):
    assert survivable.answers["q1"] == 42
    assert survivable.answers["q3"] == "S042:7"
    assert survivable.fault == ""
    assert "q1" not in survivable.cell_errors and "q3" not in survivable.cell_errors


@pytest.mark.slow
def test_a_dataframe_answer_round_trips(survivable):
    expected = pd.DataFrame({"score": [1.5, np.nan], "n": [3, 4]}, index=pd.Index(["a", "b"], name="k"))
    pd.testing.assert_frame_equal(survivable.answers["q2"], expected)


@pytest.mark.slow
def test_a_series_answer_comes_back_as_a_marked_one_column_frame(survivable):
    frame = survivable.answers["q4"]
    assert list(frame.columns) == ["count"] and frame.attrs["kit.series"] == {"name": "count"}
    pd.testing.assert_series_equal(frame["count"], pd.Series([1, 2, 3], index=["x", "y", "z"], name="count"))


@pytest.mark.slow
def test_ordinary_work_is_not_hindered_by_the_guard(survivable):
    legit = survivable.answers["legit"]
    assert "legit" not in survivable.cell_errors
    assert legit == {"csv_rows": 5, "course_text": True, "sample_rows": True,
                     "files": ["figure.png", "frame.csv", "local.db", "sub"], "pathlib_text": "x"}


@pytest.mark.slow
def test_the_default_memory_limit_leaves_room_after_the_warm_kernel(survivable):
    reserved = survivable.answers["vmsize"]  # address space after start-up, pre-imports and a pandas frame
    assert reserved < 0.75 * 2**30
    assert Limits().memory - reserved > 3.25 * 2**30


@pytest.mark.slow
def test_an_infinite_loop_is_interrupted_and_later_cells_run(survivable):
    assert survivable.cell_errors["loop"] == "TimeoutError: the cell ran longer than 3 s and was interrupted."
    assert survivable.answers["loop"] == "started"  # exported by the cell injected after it
    assert survivable.answers["after_loop"] == "ran"


@pytest.mark.slow
def test_an_exception_is_recorded_for_its_question(survivable):
    assert survivable.cell_errors["exc"] == "KeyError: 'missing'"
    assert survivable.answers["exc"] == "before"


@pytest.mark.slow
def test_a_message_the_kernel_signed_wrongly_is_dropped_and_the_run_goes_on(survivable):
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in survivable.executed.cells}
    assert "signed with another key" not in json.dumps(cells["forged"].outputs)
    assert survivable.answers["forged"] == "after" and "forged" not in survivable.cell_errors
    assert any("signature did not verify" in note for note in survivable.notes)
    assert survivable.fault == "" and survivable.answers["after_wipe"] == "alive"


@pytest.mark.slow
def test_sys_exit_does_not_end_the_kernel(survivable):
    assert survivable.cell_errors["exit"] == "SystemExit: 3"
    assert survivable.answers["after_loop"] == "ran" and survivable.answers["after_wipe"] == "alive"


@pytest.mark.slow
def test_a_huge_allocation_is_a_memory_error(survivable):
    assert survivable.cell_errors["huge"].startswith("MemoryError")


@pytest.mark.slow
def test_a_growing_list_hits_the_memory_limit_and_the_kernel_survives(survivable):
    assert survivable.cell_errors["grow"].startswith("MemoryError")
    assert survivable.answers["after_memory"] == 10**7


@pytest.mark.slow
def test_megabytes_of_output_are_capped_per_cell(survivable):
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in survivable.executed.cells}
    for qid in ("flood", "lines"):
        text = "".join(o.get("text", "") for o in cells[qid].outputs if o.output_type == "stream")
        assert SURVIVABLE_LIMITS.output_chars <= len(text) < SURVIVABLE_LIMITS.output_chars + 200, qid
        assert "output truncated" in text
        assert survivable.answers[qid] == "before"
    assert len(nbformat.writes(survivable.executed)) < 1_000_000


@pytest.mark.slow
def test_deleting_its_working_directory_loses_no_exported_answer(survivable):
    assert survivable.answers["wipe"] == []
    assert survivable.answers["legit"]["files"]  # exported before the wipe, still there
    assert survivable.answers["after_wipe"] == "alive"


@pytest.mark.slow
def test_a_missing_answer_cell_is_listed_and_the_variable_still_exported(survivable):
    assert survivable.missing_cells == ["defined_elsewhere"]
    assert survivable.answers["defined_elsewhere"] == "in a plain cell"


@pytest.mark.slow
def test_the_executed_notebook_keeps_the_injected_cells(survivable):
    injected = [c for c in survivable.executed.cells if c.metadata.get("kit", {}).get("injected")]
    assert len(injected) == 19  # one per answer cell, one at the end
    assert "S042" in "".join(c.source for c in survivable.executed.cells)  # papermill's parameters cell
    assert survivable.duration_s > 3


@pytest.mark.slow
def test_no_kernel_is_left_running(shared):
    for name, build in (("survivable", build_survivable), ("escape", build_escape), ("death", build_death),
                        ("timeout", build_timeout)):
        assert shared(name, build)["leftover_kernels"] == [], name
        warm_run = shared(f"{name}-warm", warm(build))
        assert warm_run["leftover_kernels"] == warm_run["context"]["leftover"] == [], name


# ------------------------------------------------------------------------------------- ways out of the sandbox

ESCAPES = {
    "read_master": "open(MASTER).read()",
    "read_denied_in_home": "open('hidden_tests.py').read()",
    "read_repo_notebook": f"open({str(REPO_LESSON)!r}).read()",
    "read_repo_root": f"os.listdir({str(ROOT)!r})",
    "read_via_proc_root": "open('/proc/self/root' + MASTER).read()",
    "read_grader_memory": "open(f'/proc/{os.getppid()}/environ').read()",
    "read_via_dir_fd": "fd = os.open('/proc', os.O_RDONLY)\nos.open('self/root' + MASTER, os.O_RDONLY, dir_fd=fd)",
    "read_with_patched_helpers": (
        "import builtins, kit.grading.sandbox as guard\n"
        "saved = builtins.isinstance, os.path.realpath, guard._decide\n"
        "builtins.isinstance = lambda *a: True\nos.path.realpath = lambda p, **k: 'harmless'\n"
        "guard._decide = lambda *a: True\n"
        "try:\n    open(MASTER).read()\nfinally:\n"
        "    builtins.isinstance, os.path.realpath, guard._decide = saved"),
    "read_with_patched_pathlib": (
        "import pathlib\nsaved = pathlib.PurePath.__fspath__\n"
        "pathlib.PurePath.__fspath__ = lambda self: MASTER\n"
        "try:\n    open(pathlib.Path('harmless.txt'), 'w')\nfinally:\n    pathlib.PurePath.__fspath__ = saved"),
    "write_tmp": "open(TMP_TARGET, 'w').write('x')",
    "write_repo": "open(REPO_TARGET, 'w').write('x')",
    "write_pathlib": "import pathlib\npathlib.Path(TMP_TARGET + '.2').write_text('x')",
    "chmod_via_descriptor": "fd = os.open(COURSE_FILE, os.O_RDONLY)\nos.chmod(fd, os.stat(fd).st_mode & 0o7777)",
    "symlink": "os.symlink(MASTER, 'link')",
    "subprocess": "import subprocess\nsubprocess.run(['true'])",
    "os_system": "os.system('true')",
    "fork": "pid = os.fork()\nif pid == 0:\n    os._exit(0)",
    "socket": "import socket\nsocket.socket().connect(('127.0.0.1', 9))",
    "gc_objects": "import gc\ngc.get_objects()",
    "other_threads_frames": "import sys\nsys._current_frames()",
    "replace_code": "def f(): pass\nf.__code__ = (lambda: 1).__code__",
    "signal_grader": "os.kill(os.getppid(), 0)",
    "raise_limits": "import resource\nresource.setrlimit(resource.RLIMIT_AS, (-1, -1))",
    "ctypes": "import ctypes\nctypes.CDLL(None)",
    "native_read": "import pyarrow.fs\npyarrow.fs.LocalFileSystem().open_input_stream(MASTER).read()",
}


def build_escape(workdir):
    master = workdir.parent / f"{workdir.name}-master.ipynb"
    master.write_text("hidden tests: assert q1 == 42", encoding="utf-8")
    home = workdir / "home"
    home.mkdir(parents=True)
    (home / "hidden_tests.py").write_text("assert q1 == 42", encoding="utf-8")
    context = {"master": str(master), "tmp_target": f"/tmp/kit-escape-{uuid.uuid4().hex}",
               "repo_target": str(ROOT / f"kit-escape-{uuid.uuid4().hex}.txt")}
    setup = (f"import os\nMASTER = {context['master']!r}\nTMP_TARGET = {context['tmp_target']!r}\n"
             f"REPO_TARGET = {context['repo_target']!r}\nCOURSE_FILE = {str(COURSE_FILE)!r}")
    cells = [v4.new_code_cell(setup)]
    cells += [answer(f"try_{qid}", f"{source}\ntry_{qid} = 'escaped'") for qid, source in ESCAPES.items()]
    run = run_submission(notebook(*cells), [f"try_{qid}" for qid in ESCAPES], PARAMETERS, Limits(cell_timeout=10, memory=2 * 2**30),
                         workdir, deny=[master, home / "hidden_tests.py"])
    return run, context


@pytest.fixture(scope="module", params=list(STARTS))
def escape(shared, request):
    result = shared("escape" if request.param == "cold" else f"escape-{request.param}",
                    STARTS[request.param](build_escape))
    yield result["run"], result["context"]
    for key in ("tmp_target", "repo_target"):  # only there if the guard failed
        for path in (result["context"][key], result["context"][key] + ".2"):
            if os.path.exists(path):
                os.remove(path)


@pytest.mark.slow
@pytest.mark.parametrize("qid", list(ESCAPES))
def test_each_way_out_is_refused(escape, qid):
    run, _ = escape
    if qid == "native_read" and sandbox.landlock_abi() == 0:
        pytest.skip("no Landlock in this Linux kernel: native code is not contained (documented)")
    assert f"try_{qid}" not in run.answers, f"{qid} got through"
    # refused by a guard, or not there at all: the kernel's mount namespace holds none of the grader's files
    refused = ("PermissionError", "FileNotFoundError")
    if qid == "read_with_patched_helpers":
        # a patched builtins.isinstance also reaches the kernel's own I/O threads; on a loaded machine one of them
        # can spin until the cell is interrupted (seen in CI). The read is still refused either way.
        refused += ("TimeoutError",)
    assert run.cell_errors[f"try_{qid}"].startswith(refused), run.cell_errors[f"try_{qid}"]


@pytest.mark.slow
def test_refused_writes_leave_no_file(escape):
    run, context = escape
    for path in (context["tmp_target"], context["tmp_target"] + ".2", context["repo_target"]):
        assert not os.path.exists(path), path
    message = run.cell_errors["try_write_tmp"]
    assert "Writing to" in message and "may write only inside" in message


@pytest.mark.slow
def test_escape_attempts_do_not_stop_the_notebook(escape):
    run, _ = escape
    assert run.fault == "" and run.missing_cells == []
    expected = set(ESCAPES) - ({"native_read"} if sandbox.landlock_abi() == 0 else set())
    assert set(run.cell_errors) == {f"try_{qid}" for qid in expected}


# ------------------------------------------------------------------------------------ kernel death, timeouts


def build_death(workdir):
    nb = notebook(answer("q1", "q1 = 'kept'"), answer("q2", "import os\nq2 = 'lost'\nos._exit(1)"),
                  answer("q3", "q3 = 'never'"))
    return run_submission(nb, ["q1", "q2", "q3"], PARAMETERS, Limits(cell_timeout=10, memory=2 * 2**30), workdir,
                          lang="zh"), {}


@pytest.mark.slow
@pytest.mark.parametrize("start", list(STARTS))
def test_os_exit_is_a_dead_kernel_at_its_cell_and_earlier_answers_count(shared, start):
    run = shared("death" if start == "cold" else f"death-{start}", STARTS[start](build_death))["run"]
    assert run.answers == {"q1": "kept"}
    assert run.fault.startswith("内核在第 3 个单元格处终止")
    assert run.cell_errors == {"q2": run.fault}
    assert run.executed is not None


def build_timeout(workdir):
    stubborn = "import time\nq2 = 'started'\nwhile True:\n    try:\n        time.sleep(1)\n" \
               "    except KeyboardInterrupt:\n        pass"
    nb = notebook(answer("q1", "q1 = 'kept'"), answer("q2", stubborn), answer("q3", "q3 = 'never'"))
    limits = Limits(cell_timeout=2, notebook_timeout=12, memory=2 * 2**30)
    return run_submission(nb, ["q1", "q2", "q3"], PARAMETERS, limits, workdir), {}


@pytest.mark.slow
@pytest.mark.parametrize("start", list(STARTS))
def test_the_notebook_timeout_kills_the_kernel_and_earlier_answers_count(shared, start):
    run = shared("timeout" if start == "cold" else f"timeout-{start}", STARTS[start](build_timeout))["run"]
    assert run.fault == ("The notebook ran longer than 12 s and was stopped at cell 3; "
                         "answers exported before that still count.")
    assert run.answers == {"q1": "kept"}
    assert 12 <= run.duration_s < 25


# ---------------------------------------------------------------------------------------- malformed notebooks


@pytest.mark.parametrize("data, reason", [
    (b"\xff\xfe not utf-8", "not a notebook: the file is not UTF-8 text (byte 0 is invalid)"),
    (b'{"cells": [\n  {"cell_type": "code",\n  oops}', "not a notebook: JSON error at line 3 column 3"),
    (b"[1, 2, 3]", "not a notebook: the JSON holds a list, not an object with cells"),
    (json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}}).encode(),
     "not a notebook in format 4: it declares nbformat 3"),
    (json.dumps({"metadata": {}, "cells": []}).encode(), "not a notebook in format 4: it declares nbformat null"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]}).encode(),
     "not a valid notebook: "),
])
def test_malformed_submissions_are_refused_with_a_reason(data, reason):
    with pytest.raises(SubmissionError) as caught:
        read_submission(data, lang="en")
    assert caught.value.reason.startswith(reason), caught.value.reason


def test_submission_reasons_render_in_chinese():
    with pytest.raises(SubmissionError) as caught:
        read_submission(b"{", lang="zh")
    assert caught.value.reason.startswith("不是有效的笔记本：第 1 行第 2 列有 JSON 错误")
    assert caught.value.render("en").startswith("not a notebook: JSON error at line 1 column 2")


def test_a_valid_submission_reads_back():
    nb = notebook(answer("q1", "q1 = 1"))
    assert read_submission(nbformat.writes(nb).encode("utf-8")).cells[1].source == "q1 = 1"


# ------------------------------------------------------------------------------------- preparing and answers


def test_prepare_injects_exports_and_strips_forged_markers():
    forged = v4.new_code_cell("x = 1", metadata={"kit": {"injected": True}})
    forged.outputs = [v4.new_output("display_data", data={MIME: {"q1": {"json": 100}}})]
    nb = notebook(answer("q1", "q1 = 1"), v4.new_markdown_cell("text"), forged)
    prepared = prepare(nb, ["q1", "q2"])
    sources = [c.source for c in prepared.cells]
    assert sources[2].endswith("publish(globals(), ['q1'])")
    assert sources[-1].endswith("publish(globals(), ['q1', 'q2'])")
    assert [c.metadata["kit"] for c in prepared.cells] == [
        {"cell": 1}, {"cell": 2}, {"injected": True, "exports": ["q1"]}, {"cell": 3}, {"cell": 4},
        {"injected": True, "exports": ["q1", "q2"]}]
    assert collect(prepared) == {}  # the forged cell's output no longer counts
    assert prepared.cells[4].outputs == []  # submitted outputs are cleared before the run
    assert nb.cells[3].metadata["kit"] == {"injected": True}  # the submission itself is untouched


def injected(*entries, exports=None):
    """An injected export cell with ``entries`` as its outputs, exporting their names (or ``exports``)."""
    names = exports if exports is not None else sorted({name for entry in entries for name in entry})
    cell = v4.new_code_cell("", metadata={"kit": {"injected": True, "exports": names}})
    cell.outputs = [v4.new_output("display_data", data={MIME: entry}) for entry in entries]
    return cell


def test_values_are_exported_as_plain_json():
    values = {
        "i": np.int64(3), "f": np.float32(0.5), "b": np.bool_(True), "arr": np.arange(3), "t": (1, "a"),
        "s": {3, 1, 2}, "mixed": {1, "a"}, "nan": float("nan"), "inf": np.inf, "d": {1: [np.nan], (1, 2): "t"},
        "idx": pd.Index(["x", "y"]), "none": None, "text": "中文",
    }
    entries = {name: encode(value) for name, value in values.items()}
    got = collect(v4.new_notebook(cells=[injected(*({k: v} for k, v in entries.items()))]))
    assert got == {"i": 3, "f": 0.5, "b": True, "arr": [0, 1, 2], "t": [1, "a"], "s": [1, 2, 3],
                   "mixed": ["a", 1], "nan": None, "inf": None, "d": {"1": [None], "(1, 2)": "t"},
                   "idx": ["x", "y"], "none": None, "text": "中文"}
    assert type(got["d"]) is dict  # plain dicts, not NotebookNodes


def test_other_values_are_unsupported_with_their_repr():
    class Odd:
        def __repr__(self):
            return "Odd!" * 200

    entry = encode(Odd())
    assert entry == {"unsupported": "Odd", "repr": ("Odd!" * 200)[:500]}
    assert collect(v4.new_notebook(cells=[injected({"o": entry})])) == {"o": Unsupported("Odd", ("Odd!" * 200)[:500])}
    assert encode([pd.Timestamp("2025-01-01")])["unsupported"] == "list"
    assert encode(list(range(100)), max_bytes=50)["repr"].startswith("<list too large to export")


def test_gather_reads_each_name_from_its_own_export_cells_in_order():
    nb = v4.new_notebook(cells=[
        injected({"a": {"json": 1}}, {"b": {"json": 1}}),
        v4.new_code_cell("", outputs=[v4.new_output("display_data", data={MIME: {"a": {"json": 666}}})]),
        injected({"a": {"json": 2}, "survey": {"json": 0}}, {"b": {"json": 99}}, exports=["a"]),
        injected({"d": {"pickle": "gASV"}}, {"e": {"frame": {"parquet_b64": "!"}}}),
    ])
    assert gather(nb) == {"a": {"json": 2}, "b": {"json": 1}, "d": {"pickle": "gASV"},
                          "e": {"frame": {"parquet_b64": "!"}}}
    got = collect(nb)
    assert (got["a"], got["b"], got["d"], got["e"].code) == (2, 1, Refused("malformed"), "parquet")


@pytest.mark.parametrize("entry, form, budget, refused", [
    ({"json": 3.5}, "number", 10_000, None),
    ({"json": "x" * 2_000}, "number", 10_000, "too_large"),
    ({"json": "好" * 20_000}, "text", 100_000, None),
    ({"json": "好" * 20_001 + "x" * 1_000}, "text", 100_000, "too_large"),
    ({"json": [1, 2]}, "items", 5, "total"),
    ({"frame": {"parquet_b64": "AAAA"}}, "number", 10_000, "kind"),
    ({"json": 1, "frame": {}}, "number", 10_000, "malformed"),
    ({"pickle": "gASV"}, None, 10_000, "malformed"),
    ("not a dict", None, 10_000, "malformed"),
    ({"json": float("nan")}, "number", 10_000, "malformed"),
])
def test_admission_checks_kind_and_size_before_any_decoding(entry, form, budget, refused):
    kept, used = admit(entry, form, budget)
    assert kept.get("refused") == refused
    assert (used > 0) == (refused is None)


def test_parquet_is_checked_from_its_metadata_before_it_is_read():
    import base64
    import io as stdio

    import pyarrow as pa
    import pyarrow.parquet as pq

    def frame_entry(table):
        buffer = stdio.BytesIO()
        pq.write_table(table, buffer, compression="zstd")
        return {"frame": {"parquet_b64": base64.b64encode(buffer.getvalue()).decode(), "series": False}}

    bomb = frame_entry(pa.table({"x": pa.array(np.zeros(2_000_000, dtype=np.int8))}))  # small on the wire
    assert len(bomb["frame"]["parquet_b64"]) < 100_000
    assert collect(v4.new_notebook(cells=[injected({"q": bomb})]))["q"] == Refused("rows", "2000000 > 100000")
    wide = frame_entry(pa.table({f"c{i}": [1] for i in range(300)}))
    assert collect(v4.new_notebook(cells=[injected({"q": wide})]))["q"].code == "columns"
    odd = frame_entry(pa.table({"x": pa.array([[1, 2]], type=pa.list_(pa.int64()))}))
    assert collect(v4.new_notebook(cells=[injected({"q": odd})]))["q"] == Refused("dtype", "list<element: int64>")
    fine = frame_entry(pa.table({"x": [1.5], "when": pa.array([0], type=pa.timestamp("s")), "t": ["好"]}))
    assert collect(v4.new_notebook(cells=[injected({"q": fine})]))["q"]["t"].tolist() == ["好"]


def test_frames_with_non_string_column_labels_round_trip():
    pivot = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], index=pd.Index(["north", "south"], name="region"),
                         columns=pd.Index([2024, 2025], name="year"))
    duplicated = pd.DataFrame([[1, 2]], columns=["a", "a"])
    got = collect(v4.new_notebook(cells=[injected({"p": encode(pivot)}, {"d": encode(duplicated)})]))
    pd.testing.assert_frame_equal(got["p"], pivot)
    pd.testing.assert_frame_equal(got["d"], duplicated)
    multi = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", 1), ("a", 2)]))
    assert encode(multi)["unsupported"] == "DataFrame"


def test_a_submission_error_survives_pickling():
    with pytest.raises(SubmissionError) as caught:
        read_submission(b"[]", lang="zh")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.code, copy.reason, str(copy)) == ("not_object", caught.value.reason, caught.value.reason)
    assert copy.render("en") == "not a notebook: the JSON holds a list, not an object with cells"


def test_publish_displays_one_output_per_defined_name(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append((obj, raw)))
    publish({"q1": 1, "q2": pd.DataFrame({"a": [1]})}, ["q1", "q2", "q3"])
    assert [(list(obj[MIME]), raw) for obj, raw in shown] == [(["q1"], True), (["q2"], True)]
    frame = collect(v4.new_notebook(cells=[injected(shown[1][0][MIME])]))["q2"]
    pd.testing.assert_frame_equal(frame, pd.DataFrame({"a": [1]}))


# ---------------------------------------------------------------------------------------------- the guard


GUARD_FUNCTIONS = [sandbox._hook, sandbox._check, sandbox._read, sandbox._write, sandbox._text, sandbox._resolve,
                   sandbox._decide]


@pytest.mark.parametrize("function", GUARD_FUNCTIONS, ids=lambda f: f.__name__)
def test_guard_functions_read_no_global_name(function):
    """Patching builtins or this module from a notebook cannot change what the audit hook does."""
    loads = [i.argval for i in dis.get_instructions(function) if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")]
    assert loads == [], f"{function.__name__} reads globals {loads}"


@pytest.mark.parametrize("function", GUARD_FUNCTIONS[:-1], ids=lambda f: f.__name__)
def test_guard_functions_unpack_the_configuration_in_its_order(function):
    instructions = list(dis.get_instructions(function))
    start = next(i for i, ins in enumerate(instructions)
                 if ins.opname == "UNPACK_SEQUENCE" and ins.arg == len(sandbox.CFG_FIELDS))
    names = tuple(ins.argval for ins in instructions[start + 1: start + 1 + len(sandbox.CFG_FIELDS)])
    assert names == sandbox.CFG_FIELDS


def test_decisions():
    cfg = ("/s/home", "/s/home/", frozenset({"/dev/null"}),
           frozenset({"/s/home", "/usr/share", "/proc", "/dev/null"}), ("/s/home/", "/usr/share/", "/proc/"), frozenset({"/usr/share/secret"}), ("/usr/share/secret/",), "77", str.isdigit)
    allowed = [("r", "/s/home/x"), ("w", "/s/home/a/b"), ("r", "/usr/share/zoneinfo/UTC"), ("r", "/proc/77/status"),
               ("r", "/proc/cpuinfo"), ("w", "/dev/null"), ("r", "/dev/null")]
    refused = [("w", "/s/homework"), ("r", "/s"), ("w", "/usr/share/x"), ("r", "/usr/share/secret"),
               ("r", "/usr/share/secret/a"), ("r", "/proc/1/environ"), ("r", "/dev/sda"), ("r", "/work/x")]
    assert [sandbox._decide(cfg, k, p) for k, p in allowed] == [True] * len(allowed)
    assert [sandbox._decide(cfg, k, p) for k, p in refused] == [False] * len(refused)




GUARD_SCRIPT = r"""
import io, json, os, pathlib, shutil, sqlite3, sys, tempfile
from kit.grading.sandbox import allowed_read_roots, install_guard

home, master, outside, course_file = sys.argv[1:5]
os.chdir(home)
install_guard(home, allowed_read_roots(home), deny=[master])
results = {}


def attempt(name, action):
    try:
        action()
        results[name] = "ok"
    except PermissionError:
        results[name] = "refused"
    except Exception as error:
        results[name] = type(error).__name__


class Sub(str):
    pass


class FakePath:
    def __fspath__(self):
        return "inside.txt"


def rmtree_nested():
    os.makedirs("tree/a/b")
    open("tree/a/b/f.txt", "w").close()
    shutil.rmtree("tree")


def copytree():
    os.makedirs("src/d")
    open("src/d/f.txt", "w").close()
    shutil.copytree("src", "dst")


def mkdir_via_dir_fd():
    fd = os.open(home, os.O_RDONLY)
    os.mkdir("../escape", dir_fd=fd)


def relative_after_chdir():
    os.chdir("/")
    try:
        open(master.lstrip("/")).read()
    finally:
        os.chdir(home)


def patched_pathlib():
    saved = pathlib.PurePath.__str__
    pathlib.PurePath.__str__ = lambda self: "inside.txt"
    try:
        io.FileIO(pathlib.Path(master))
    finally:
        pathlib.PurePath.__str__ = saved


attempt("read_home", lambda: open("inside.txt").read())
attempt("write_home", lambda: open("new.txt", "w").write("x"))
attempt("pathlib_home", lambda: pathlib.Path("p.txt").write_text("x"))
attempt("rename_in_home", lambda: os.rename("new.txt", "renamed.txt"))
attempt("rmtree_nested_home", rmtree_nested)
attempt("copytree_home", copytree)
attempt("pathlib_fileio_home", lambda: io.FileIO(pathlib.Path("inside.txt")).close())
attempt("direntry_home", lambda: open(next(e for e in os.scandir(".") if e.name == "inside.txt")).read())
attempt("tempfile_home", lambda: os.close(tempfile.mkstemp(dir=home)[0]))
attempt("sqlite_home", lambda: sqlite3.connect("local.db").close())
attempt("sqlite_memory", lambda: sqlite3.connect(":memory:").close())
attempt("devnull", lambda: open(os.devnull, "w").write("x"))
attempt("stdlib", lambda: open(json.__file__).read())
attempt("course", lambda: open(course_file).read())
attempt("proc_self", lambda: open("/proc/self/status").read())
attempt("etc_passwd", lambda: open("/etc/passwd").read())
attempt("listdir_home", lambda: os.listdir("."))
attempt("read_master", lambda: open(master).read())
attempt("read_master_bytes", lambda: open(master.encode()).read())
attempt("read_master_pathlib", lambda: pathlib.Path(master).read_text())
attempt("read_master_str_subclass", lambda: open(Sub(master)).read())
attempt("read_master_relative", lambda: open(os.path.relpath(master)).read())
attempt("read_relative_after_chdir", relative_after_chdir)
attempt("read_outside", lambda: open(outside + "/other.txt").read())
attempt("listdir_outside", lambda: os.listdir(outside))
attempt("pathlike_converted_by_open", lambda: open(FakePath()).read())
attempt("custom_pathlike_in_fileio", lambda: io.FileIO(FakePath()))
attempt("patched_pathlib", patched_pathlib)
attempt("os_open_dotdot", lambda: os.open("../" + os.path.basename(master), os.O_RDONLY))
attempt("open_dir_outside", lambda: os.open("/usr", os.O_RDONLY))
attempt("mkdir_via_dir_fd", mkdir_via_dir_fd)
attempt("write_outside", lambda: open(outside + "/w.txt", "w"))
attempt("rename_out", lambda: os.rename("inside.txt", outside + "/moved.txt"))
attempt("copy_master_in", lambda: shutil.copy(master, "stolen.txt"))
attempt("sqlite_uri", lambda: sqlite3.connect("file:" + master + "?mode=ro", uri=True))
attempt("sqlite_outside", lambda: sqlite3.connect(outside + "/db.sqlite"))
attempt("symlink", lambda: os.symlink(master, "link"))
attempt("hard_link", lambda: os.link("inside.txt", "hard"))
attempt("proc_parent", lambda: open(f"/proc/{os.getppid()}/cmdline").read())
attempt("proc_root_trick", lambda: open("/proc/self/root" + master).read())
attempt("dev_tty", lambda: open("/dev/tty"))
attempt("etc_shadow", lambda: open("/etc/shadow").read())
attempt("import_posixsubprocess", lambda: __import__("_testcapi"))
print(json.dumps(results))
"""

GUARD_ALLOWED = ["read_home", "write_home", "pathlib_home", "rename_in_home", "rmtree_nested_home", "copytree_home",
                 "direntry_home", "tempfile_home", "sqlite_home", "sqlite_memory", "devnull", "stdlib", "course",
                 "proc_self", "etc_passwd", "listdir_home", "pathlike_converted_by_open",
                 "pathlib_fileio_home"]


def test_the_guard_allows_the_sandbox_and_refuses_path_tricks(tmp_path):
    import subprocess
    import sys

    home, outside = tmp_path / "home", tmp_path / "outside"
    home.mkdir()
    outside.mkdir()
    (home / "inside.txt").write_text("mine")
    (outside / "other.txt").write_text("not mine")
    master = tmp_path / "master.ipynb"
    master.write_text("hidden tests")
    done = subprocess.run([sys.executable, "-c", GUARD_SCRIPT, str(home), str(master), str(outside),
                           str(COURSE_FILE)], capture_output=True, text=True, timeout=120, cwd=home)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert {k: v for k, v in results.items() if k in GUARD_ALLOWED} == dict.fromkeys(GUARD_ALLOWED, "ok")
    refused = {k: v for k, v in results.items() if k not in GUARD_ALLOWED}
    assert refused == dict.fromkeys(refused, "refused") and len(refused) == 25
    assert not (tmp_path / "escape").exists() and not (home / "stolen.txt").exists()
    assert (home / "inside.txt").exists()  # the refused rename left it in place
