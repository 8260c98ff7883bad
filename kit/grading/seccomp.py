"""A seccomp-BPF filter the sandbox kernel installs on itself: no new processes, no dangerous system calls.

Defence in depth below the audit hook and Landlock of :mod:`kit.grading.sandbox`: once :func:`install` has
run, even native code (a C extension, or an attacker with arbitrary code execution) cannot start a process,
exec a program, trace or read other processes, create namespaces, mount, load kernel code, use io_uring or
inject terminal input. The filter is inherited by every thread and cannot be removed
(kernel docs ``Documentation/userspace-api/seccomp_filter.rst``). It is classic BPF assembled here with
:mod:`struct` and installed with :mod:`ctypes` — no libseccomp.

The program (:func:`program`) runs on ``struct seccomp_data`` (``include/uapi/linux/seccomp.h``: ``nr`` at
offset 0, ``arch`` at 4, ``args[i]`` at 16 + 8·i; the low 32 bits come first on these little-endian
architectures) and, in this order:

1. kills the process (``SECCOMP_RET_KILL_PROCESS``) when ``arch`` is not the native ``AUDIT_ARCH_*``
   (``include/uapi/linux/audit.h``): an x86_64 process can also make i386 calls through ``int 0x80``, whose
   numbers mean different calls, so they must not reach a table written for x86_64;
2. on x86_64, refuses x32 calls (``nr`` ≥ ``__X32_SYSCALL_BIT`` = 0x40000000) with EPERM;
3. ``clone``: allowed only with ``CLONE_THREAD`` and without any ``CLONE_NEW*`` namespace flag
   (``include/uapi/linux/sched.h``), so threads work (ipykernel, pyzmq, pyarrow and OpenBLAS start them) and
   ``fork``-like or namespace-creating clones get EPERM. The kernel reads only the low 32 bits of the flags
   (``kernel/fork.c``: ``lower_32_bits(clone_flags)``), the half the filter checks. ``CLONE_NEWTIME`` exists
   only for ``clone3`` and ``unshare``, both refused;
4. ``clone3``: ENOSYS, because its flags sit in memory the filter cannot read. glibc ≥ 2.34 then falls back
   to ``clone`` (``sysdeps/unix/sysv/linux/clone-internal.c``), so ``pthread_create`` still works;
5. ``ioctl`` with request (low 32 bits of ``args[1]``, the kernel's ``unsigned int cmd``) ``TIOCSTI`` or
   ``TIOCLINUX`` (``include/uapi/asm-generic/ioctls.h``): EPERM, they push input into a terminal;
6. ``socket`` and ``socketpair`` with a family (``args[0]``) outside :data:`SOCKET_FAMILIES`: EAFNOSUPPORT, so
   native code cannot open vsock (a virtual machine's host), packet, crypto (``AF_ALG``) or other kernel socket
   families the sandbox never needs (``include/linux/socket.h``);
7. every call in :data:`DENIED` that exists on the architecture: EPERM;
8. anything else: allowed.

Each check is ``JEQ nr`` over the next instructions followed by its own ``RET``, so every jump offset is small
(they are 8-bit in classic BPF) however long :data:`DENIED` grows. System call numbers: x86_64 from
``arch/x86/entry/syscalls/syscall_64.tbl``, aarch64 from ``include/uapi/asm-generic/unistd.h`` (a test checks
them against the installed ``asm/unistd_64.h`` and ``asm-generic/unistd.h`` when they are present).
"""

from __future__ import annotations

import errno
import platform
import struct
import sys

# process creation and exec, and leaving the process group the grader kills; tracing, comparing and reaching into other processes (memory, descriptors); kernel attack surface; namespaces, mounts;
# loading kernel code; io_uring (bypasses seccomp for the operations it runs); host administration
DENIED = (
    "fork", "vfork", "execve", "execveat", "setsid", "setpgid",
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise",
    "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key", "personality",
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen",
    "fsconfig", "fsmount", "fspick", "open_by_handle_at", "name_to_handle_at",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "mknod", "mknodat", "acct", "reboot", "syslog", "swapon", "swapoff", "quotactl", "lookup_dcookie",
)

SOCKET_FAMILIES = (1, 2, 10, 16)
"""AF_UNIX (the kernel's channel to the grader), AF_INET and AF_INET6 (refused by the network namespace and the
guard, but libraries create them), AF_NETLINK (glibc asks its own namespace for interfaces)."""

# arch → system call name → number (sources in the module docstring); aarch64 has no fork, vfork or mknod
SYSCALLS = {
    "x86_64": {
        "ioctl": 16, "clone": 56, "fork": 57, "vfork": 58, "execve": 59, "ptrace": 101, "syslog": 103,
        "mknod": 133, "personality": 135, "pivot_root": 155, "chroot": 161, "acct": 163, "mount": 165,
        "umount2": 166, "swapon": 167, "swapoff": 168, "reboot": 169, "init_module": 175,
        "delete_module": 176, "quotactl": 179, "lookup_dcookie": 212, "kexec_load": 246, "add_key": 248,
        "request_key": 249, "keyctl": 250, "mknodat": 259, "unshare": 272, "perf_event_open": 298,
        "name_to_handle_at": 303, "open_by_handle_at": 304, "setns": 308, "process_vm_readv": 310,
        "process_vm_writev": 311, "finit_module": 313, "seccomp": 317, "kexec_file_load": 320, "bpf": 321,
        "execveat": 322, "userfaultfd": 323, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431,
        "fsmount": 432, "fspick": 433, "clone3": 435, "kcmp": 312, "pidfd_getfd": 438, "process_madvise": 440,
        "setpgid": 109, "setsid": 112, "socket": 41, "socketpair": 53,
    },
    "aarch64": {
        "lookup_dcookie": 18, "ioctl": 29, "mknodat": 33, "umount2": 39, "mount": 40, "pivot_root": 41,
        "chroot": 51, "quotactl": 60, "acct": 89, "personality": 92, "unshare": 97, "kexec_load": 104,
        "init_module": 105, "delete_module": 106, "syslog": 116, "ptrace": 117, "reboot": 142, "add_key": 217,
        "request_key": 218, "keyctl": 219, "clone": 220, "execve": 221, "swapon": 224, "swapoff": 225,
        "perf_event_open": 241, "name_to_handle_at": 264, "open_by_handle_at": 265, "setns": 268,
        "process_vm_readv": 270, "process_vm_writev": 271, "finit_module": 273, "seccomp": 277, "bpf": 280,
        "execveat": 281, "userfaultfd": 282, "kexec_file_load": 294, "io_uring_setup": 425,
        "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428, "move_mount": 429, "fsopen": 430,
        "fsconfig": 431, "fsmount": 432, "fspick": 433, "clone3": 435, "kcmp": 272, "pidfd_getfd": 438,
        "process_madvise": 440, "setpgid": 154, "setsid": 157, "socket": 198, "socketpair": 199,
    },
}
_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}  # EM_* | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE
_X32_SYSCALL_BIT = 0x40000000  # arch/x86/include/uapi/asm/unistd.h

# classic BPF opcodes (include/uapi/linux/bpf_common.h): BPF_LD|W|ABS, BPF_JMP|{JEQ,JGE,JSET}|K, BPF_RET|K;
# seccomp return values (include/uapi/linux/seccomp.h)
_LD_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_RET_KILL_PROCESS, _RET_ERRNO, _RET_ALLOW = 0x80000000, 0x00050000, 0x7FFF0000
_NR, _ARCH, _ARG0, _ARG1 = 0, 4, 16, 24  # offsets in struct seccomp_data (low halves of args[0], args[1])

_CLONE_THREAD = 0x00010000
_CLONE_NAMESPACES = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000
_TIOCSTI, _TIOCLINUX = 0x5412, 0x541C


def supported() -> bool:
    """Whether this machine has a system call table here (Linux on x86_64 or aarch64)."""
    return sys.platform.startswith("linux") and platform.machine() in SYSCALLS


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("<HBBI", code, jt, jf, k)  # struct sock_filter (include/uapi/linux/filter.h)


def program(arch: str) -> bytes:
    """The filter for ``arch`` as ``struct sock_filter`` records (8 bytes each), described in the module
    docstring.

    >>> len(program("x86_64")) // 8, len(program("aarch64")) // 8
    (138, 130)
    """
    if arch not in SYSCALLS:
        raise ValueError(f"no system call table for {arch!r}; known: {', '.join(SYSCALLS)}")
    nrs = SYSCALLS[arch]
    eperm, allow = _insn(_RET, _RET_ERRNO | errno.EPERM), _insn(_RET, _RET_ALLOW)
    code = [_insn(_LD_ABS, _ARCH), _insn(_JEQ, _AUDIT_ARCH[arch], jt=1), _insn(_RET, _RET_KILL_PROCESS),
            _insn(_LD_ABS, _NR)]
    if arch == "x86_64":
        code += [_insn(_JGE, _X32_SYSCALL_BIT, jf=1), eperm]
    code += [_insn(_JEQ, nrs["clone"], jf=6), _insn(_LD_ABS, _ARG0),
             _insn(_JSET, _CLONE_NAMESPACES, jf=1), eperm,
             _insn(_JSET, _CLONE_THREAD, jf=1), allow, eperm]
    code += [_insn(_JEQ, nrs["clone3"], jf=1), _insn(_RET, _RET_ERRNO | errno.ENOSYS)]
    code += [_insn(_JEQ, nrs["ioctl"], jf=5), _insn(_LD_ABS, _ARG1),
             _insn(_JEQ, _TIOCSTI, jt=2), _insn(_JEQ, _TIOCLINUX, jt=1), allow, eperm]
    families = [_insn(_JEQ, family, jt=len(SOCKET_FAMILIES) - i) for i, family in enumerate(SOCKET_FAMILIES)]
    for name in ("socket", "socketpair"):
        code += [_insn(_JEQ, nrs[name], jf=len(families) + 3), _insn(_LD_ABS, _ARG0), *families,
                 _insn(_RET, _RET_ERRNO | errno.EAFNOSUPPORT), allow]
    for name in DENIED:
        if name in nrs:
            code += [_insn(_JEQ, nrs[name], jf=1), eperm]
    return b"".join([*code, allow])


def install() -> bool:
    """Set ``PR_SET_NO_NEW_PRIVS`` and install :func:`program` on every thread of this process, for good.

    Uses ``seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog)``; where that call is missing
    (Linux < 3.17) ``prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)``, which covers only the calling thread
    and the threads it starts later. Returns False on an unsupported machine (nothing changed) or when the
    kernel refuses the filter (``NO_NEW_PRIVS`` may then be set: it only stops set-uid programs granting
    privileges).
    """
    if not supported():
        return False
    import ctypes

    arch = platform.machine()
    code = program(arch)
    buffer = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):  # include/uapi/linux/filter.h
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = SockFprog(len(code) // 8, ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    ulong = ctypes.c_ulong
    if libc.prctl(38, ulong(1), ulong(0), ulong(0), ulong(0)) != 0:  # PR_SET_NO_NEW_PRIVS
        return False
    # SECCOMP_SET_MODE_FILTER = 1, SECCOMP_FILTER_FLAG_TSYNC = 1; with TSYNC a thread that cannot be
    # synchronised makes the call return its id instead of 0
    if libc.syscall(ctypes.c_long(SYSCALLS[arch]["seccomp"]), ulong(1), ulong(1), ctypes.byref(prog)) == 0:
        return True
    if ctypes.get_errno() != errno.ENOSYS:
        return False
    # PR_SET_SECCOMP = 22, SECCOMP_MODE_FILTER = 2
    return libc.prctl(22, ulong(2), ctypes.byref(prog), ulong(0), ulong(0)) == 0
