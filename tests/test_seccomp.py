"""The seccomp filter: its BPF program, checked by a small interpreter for both architectures, and its effect
in a child process that installs it (never in the pytest process: a filter cannot be removed)."""

from __future__ import annotations

import errno
import json
import platform
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from kit.grading import seccomp

ROOT = Path(__file__).resolve().parents[1]
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7, "i386": 0x40000003}  # include/uapi/linux/audit.h
ALLOW, KILL_PROCESS = 0x7FFF0000, 0x80000000  # include/uapi/linux/seccomp.h
EPERM, ENOSYS = 0x50000 | errno.EPERM, 0x50000 | errno.ENOSYS  # SECCOMP_RET_ERRNO | errno
EAFNOSUPPORT = 0x50000 | errno.EAFNOSUPPORT
CLONE_VM, CLONE_VFORK, CLONE_THREAD = 0x100, 0x4000, 0x10000  # include/uapi/linux/sched.h
NAMESPACE_FLAGS = (0x20000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)
THREAD_FLAGS = 0x3D0F00  # what glibc 2.36 passes for pthread_create (strace): VM|FS|FILES|SIGHAND|THREAD|…
TIOCSTI, TIOCLINUX, TCGETS = 0x5412, 0x541C, 0x5401
HEADERS = {"x86_64": ("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "/usr/include/asm/unistd_64.h"),
           "aarch64": ("/usr/include/asm-generic/unistd.h",)}


def evaluate(code: bytes, arch: str, nr: int, args=(0, 0, 0, 0, 0, 0)) -> int:
    """Run a classic BPF seccomp program on one ``struct seccomp_data``; returns the SECCOMP_RET_* value."""
    data = struct.pack("<iIQ6Q", nr, AUDIT_ARCH[arch], 0, *args)
    insns = list(struct.iter_unpack("<HBBI", code))
    pc, acc = 0, 0
    while True:
        op, jt, jf, k = insns[pc]
        if op == 0x06:  # BPF_RET | BPF_K
            return k
        if op == 0x20:  # BPF_LD | BPF_W | BPF_ABS
            acc, pc = struct.unpack_from("<I", data, k)[0], pc + 1
            continue
        taken = {0x15: acc == k, 0x35: acc >= k, 0x45: bool(acc & k)}[op]  # BPF_JMP | JEQ, JGE, JSET | BPF_K
        pc += 1 + (jt if taken else jf)


# --------------------------------------------------------------------------------------------- the program


@pytest.mark.parametrize("arch", sorted(seccomp.SYSCALLS))
def test_program_shape(arch):
    code = seccomp.program(arch)
    assert len(code) % 8 == 0
    insns = list(struct.iter_unpack("<HBBI", code))
    assert len(insns) <= 4096  # BPF_MAXINSNS
    assert insns[:4] == [(0x20, 0, 0, 4), (0x15, 1, 0, AUDIT_ARCH[arch]), (0x06, 0, 0, KILL_PROCESS),
                         (0x20, 0, 0, 0)]  # arch check first, then load nr
    assert insns[-1] == (0x06, 0, 0, ALLOW)
    assert {op for op, *_ in insns} <= {0x20, 0x15, 0x35, 0x45, 0x06}
    for pc, (op, jt, jf, k) in enumerate(insns):
        if op == 0x20:
            assert k in (0, 4, 16, 24)  # nr, arch, low halves of args[0] and args[1]
        if op in (0x15, 0x35, 0x45):
            assert pc + 1 + max(jt, jf) < len(insns)
        else:
            assert jt == jf == 0


@pytest.mark.parametrize("arch", sorted(seccomp.SYSCALLS))
def test_program_decisions(arch):
    code, nrs = seccomp.program(arch), seccomp.SYSCALLS[arch]
    denied = [name for name in seccomp.DENIED if name in nrs]
    assert {name: evaluate(code, arch, nrs[name]) for name in denied} == dict.fromkeys(denied, EPERM)
    for nr in set(range(460)) - {nrs[name] for name in (*denied, "clone", "clone3", "ioctl", "socket", "socketpair")}:
        assert evaluate(code, arch, nr) == ALLOW, nr
    for name in ("socket", "socketpair"):  # AF_UNIX, AF_INET, AF_INET6, AF_NETLINK only
        for family in range(64):
            wanted = ALLOW if family in (1, 2, 10, 16) else EAFNOSUPPORT
            assert evaluate(code, arch, nrs[name], (family | 7 << 32, 1, 0, 0, 0, 0)) == wanted, (name, family)
    assert evaluate(code, arch, nrs["clone3"]) == ENOSYS
    clone = nrs["clone"]
    assert evaluate(code, arch, clone, (THREAD_FLAGS, 0, 0, 0, 0, 0)) == ALLOW
    assert evaluate(code, arch, clone, (CLONE_THREAD | 1 << 40, 0, 0, 0, 0, 0)) == ALLOW  # high half ignored
    assert evaluate(code, arch, clone, (17, 0, 0, 0, 0, 0)) == EPERM  # SIGCHLD: fork
    assert evaluate(code, arch, clone, (CLONE_VM | CLONE_VFORK | 17, 0, 0, 0, 0, 0)) == EPERM  # a vfork
    for flag in NAMESPACE_FLAGS:
        assert evaluate(code, arch, clone, (THREAD_FLAGS | flag, 0, 0, 0, 0, 0)) == EPERM, hex(flag)
    ioctl = nrs["ioctl"]
    assert evaluate(code, arch, ioctl, (0, TIOCSTI, 0, 0, 0, 0)) == EPERM
    assert evaluate(code, arch, ioctl, (0, TIOCLINUX | 1 << 32, 0, 0, 0, 0)) == EPERM  # cmd is a u32
    assert evaluate(code, arch, ioctl, (0, TCGETS, 0, 0, 0, 0)) == ALLOW
    assert evaluate(code, "i386", 2) == KILL_PROCESS  # fork through int 0x80
    assert evaluate(code, "i386", 39) == KILL_PROCESS
    other = "aarch64" if arch == "x86_64" else "x86_64"
    assert evaluate(code, other, 39) == KILL_PROCESS
    x32 = evaluate(code, arch, 0x40000000 | 39)  # getpid with __X32_SYSCALL_BIT
    assert x32 == (EPERM if arch == "x86_64" else ALLOW)


def test_tables():
    checked = {"clone", "clone3", "ioctl", "seccomp", "socket", "socketpair"}
    assert seccomp.SYSCALLS["x86_64"].keys() - seccomp.DENIED == checked
    assert seccomp.SYSCALLS["aarch64"].keys() - seccomp.DENIED == checked
    assert set(seccomp.DENIED) - seccomp.SYSCALLS["aarch64"].keys() == {"fork", "vfork", "mknod"}
    assert set(seccomp.DENIED) <= seccomp.SYSCALLS["x86_64"].keys()
    assert len(set(seccomp.DENIED)) == len(seccomp.DENIED)
    with pytest.raises(ValueError, match="riscv64"):
        seccomp.program("riscv64")


def test_install_does_nothing_on_an_unknown_machine(monkeypatch):
    monkeypatch.setattr(platform, "machine", lambda: "riscv64")
    assert not seccomp.supported()
    assert seccomp.install() is False


@pytest.mark.parametrize("arch", sorted(seccomp.SYSCALLS))
def test_numbers_match_the_installed_headers(arch):
    header = next((Path(p) for p in HEADERS[arch] if Path(p).is_file()), None)
    if header is None:
        pytest.skip(f"no kernel header for {arch} on this machine")
    defined = {name: int(nr) for name, nr in re.findall(r"#define __NR_(\w+)\s+(\d+)\b", header.read_text())}
    assert {name: defined.get(name) for name in seccomp.SYSCALLS[arch]} == seccomp.SYSCALLS[arch]
    if arch == "aarch64":  # the generic table has none of the calls aarch64 lacks
        assert not {"fork", "vfork", "mknod"} & defined.keys()


# ------------------------------------------------------------------------------------- in a child process

# Raw numbers the child needs, written out here so the behaviour does not rest on the module's own table.
RAW = {"x86_64": {"fork": 57, "vfork": 58, "clone": 56, "clone3": 435, "bpf": 321, "perf_event_open": 298,
                  "keyctl": 250, "io_uring_setup": 425},
       "aarch64": {"clone": 220, "clone3": 435, "bpf": 280, "perf_event_open": 241, "keyctl": 219,
                   "io_uring_setup": 425}}

CHILD = r"""
import concurrent.futures, ctypes, errno, json, os, socket, subprocess, sys, tempfile, threading, time
import numpy as np, pandas as pd, pyarrow as pa, pyarrow.parquet as pq  # imported first, as in the sandbox
from kit.grading import seccomp

RAW = json.loads(sys.argv[1])
PID = os.getpid()
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
L = ctypes.c_long


def raw(nr, *args):
    return lambda: libc.syscall(L(nr), *[L(a) if isinstance(a, int) else a for a in args])


def native(name, call):  # prints the errno of a failed C call
    ctypes.set_errno(0)
    result = call()
    if os.getpid() != PID:  # a new process: the filter let it through; leave quietly
        os._exit(0)
    print(name, ctypes.get_errno() if result == -1 else f"returned {result}", flush=True)


def python(name, call):  # prints the exception class and errno of a failed Python call
    try:
        call()
    except OSError as exc:
        print(name, type(exc).__name__, exc.errno, flush=True)
    else:
        if os.getpid() != PID:
            os._exit(0)
        print(name, "no error", flush=True)


def works(name, call):
    try:
        print(name, "ok" if call() else "wrong result", flush=True)
    except Exception as exc:
        print(name, "failed", repr(exc).replace("\n", " "), flush=True)


def seccomp_mode(task="self"):
    status = open(f"/proc/self/task/{task}/status" if task != "self" else "/proc/self/status").read()
    return dict(line.split(":\t") for line in status.splitlines())["Seccomp"].strip()


started, stop = threading.Event(), threading.Event()
before = threading.Thread(target=lambda: (started.set(), stop.wait()))
before.start()
started.wait()
print("install", seccomp.install(), flush=True)
print("tsync", seccomp_mode(), seccomp_mode(before.native_id), flush=True)  # the older thread is filtered too
stop.set()
before.join()

if "fork" in RAW:
    native("fork_raw", raw(RAW["fork"]))
    native("vfork_raw", raw(RAW["vfork"]))
native("fork_libc", libc.fork)
native("clone_process", raw(RAW["clone"], 17, 0, 0, 0, 0))  # SIGCHLD only: a fork
native("clone_thread_newuser", raw(RAW["clone"], 0x10000000 | 0x10000 | 0x800 | 0x100, 0, 0, 0, 0))
native("clone3", raw(RAW["clone3"], None, 0))
native("unshare", lambda: libc.unshare(0x10000000))
native("ptrace", lambda: libc.ptrace(L(0), L(0), None, None))  # PTRACE_TRACEME
native("process_vm_readv", lambda: libc.process_vm_readv(PID, None, L(0), None, L(0), L(0)))
native("bpf", raw(RAW["bpf"], 0, None, 0))
native("perf_event_open", raw(RAW["perf_event_open"], None, 0, -1, -1, 0))
native("keyctl", raw(RAW["keyctl"], 0, -3, 0))  # KEYCTL_GET_KEYRING_ID of the session keyring
native("mount", lambda: libc.mount(b"none", b"/nonexistent", b"tmpfs", L(0), None))
native("io_uring_setup", raw(RAW["io_uring_setup"], 1, None))
native("personality", lambda: libc.personality(ctypes.c_ulong(0xFFFFFFFF)))  # a query
native("tiocsti", lambda: libc.ioctl(0, ctypes.c_ulong(0x5412), ctypes.byref(ctypes.c_char(b"x"))))
native("tioclinux", lambda: libc.ioctl(0, ctypes.c_ulong(0x541C), ctypes.byref(ctypes.c_char(b"\x06"))))
native("tcgets", lambda: libc.ioctl(0, ctypes.c_ulong(0x5401), ctypes.create_string_buffer(64)))
if "fork" in RAW:
    native("x32_getpid", raw(0x40000000 | 39))
python("execve", lambda: os.execv("/bin/true", ["true"]))
python("os_fork", os.fork)
python("subprocess", lambda: subprocess.run(["true"]))

results = [None] * 8


def job(i):
    results[i] = (threading.get_native_id(), sum(range(i * 1000)))


threads = [threading.Thread(target=job, args=(i,)) for i in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
works("threads", lambda: [r[1] for r in results] == [sum(range(i * 1000)) for i in range(8)]
      and len({r[0] for r in results} | {PID}) == 9)
with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
    works("thread_pool", lambda: list(pool.map(lambda x: x * x, range(32))) == [x * x for x in range(32)])
a = np.arange(40000.0).reshape(200, 200)
works("numpy", lambda: np.isclose((a @ a)[3, 5], (a[3] * a[:, 5]).sum()))
table = pa.table({"x": list(range(10000)), "y": [str(i % 7) for i in range(10000)]})


def parquet():
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return pq.read_table(pa.BufferReader(sink.getvalue()), use_threads=True).equals(table)


works("parquet", parquet)
frame = pd.DataFrame({"g": [i % 3 for i in range(30)], "v": range(30)})
works("pandas", lambda: frame.groupby("g")["v"].sum().tolist() == [135, 145, 155])


def temp_file():
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "f.txt")
        with open(path, "w") as fh:
            fh.write("hello")
        with open(path) as fh:
            return fh.read() == "hello"


works("temp_file", temp_file)
works("sleep", lambda: time.sleep(0.01) is None)


def pair():
    left, right = socket.socketpair()
    with left, right:
        left.sendall(b"ping")
        return right.recv(4) == b"ping"


works("socketpair", pair)
works("inet", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close() is None)


def refused(family):
    try:
        socket.socket(family, socket.SOCK_STREAM if family != socket.AF_PACKET else socket.SOCK_RAW)
    except OSError as error:
        return error.errno == errno.EAFNOSUPPORT
    return False


works("vsock", lambda: refused(socket.AF_VSOCK))
works("alg", lambda: refused(socket.AF_ALG))
works("packet", lambda: refused(socket.AF_PACKET))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or not seccomp.supported(),
                    reason="the filter is written for Linux on x86_64 and aarch64")
def test_filter_in_a_child_process():
    arch = platform.machine()
    run = subprocess.run([sys.executable, "-c", CHILD, json.dumps(RAW[arch])], cwd=ROOT,
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    results = dict(line.split(" ", 1) for line in run.stdout.splitlines())
    eperm, permission_error = str(errno.EPERM), f"PermissionError {errno.EPERM}"
    expected = {
        "install": "True", "tsync": "2 2",
        "fork_libc": eperm, "clone_process": eperm, "clone_thread_newuser": eperm,
        "clone3": str(errno.ENOSYS),
        "unshare": eperm, "ptrace": eperm, "process_vm_readv": eperm, "bpf": eperm, "perf_event_open": eperm,
        "keyctl": eperm, "mount": eperm, "io_uring_setup": eperm, "personality": eperm, "tiocsti": eperm,
        "tioclinux": eperm, "tcgets": str(errno.ENOTTY),  # other ioctls pass: stdin is /dev/null
        "execve": permission_error, "os_fork": permission_error, "subprocess": permission_error,
        **dict.fromkeys(("threads", "thread_pool", "numpy", "parquet", "pandas", "temp_file", "sleep",
                         "socketpair", "inet", "vsock", "alg", "packet"), "ok"),
    }
    if arch == "x86_64":
        expected |= {"fork_raw": eperm, "vfork_raw": eperm, "x32_getpid": eperm}
    assert results == expected, run.stderr
