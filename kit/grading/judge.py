"""Judge a submission's answers outside the grader: decode them and run the tests in a child under limits.

Decoding answers (Parquet, JSON) and running the hidden tests on them handles data a trainee chose, so the
grader's worker does neither: it sends the admitted answer entries (:func:`kit.grading.answers.gather`) to a
**judge server**, ``python -m kit.grading.judge``, one per worker process, started with :mod:`subprocess` (so it
also works inside Dask's daemonic workers) and importing pandas, pyarrow and the kit once (:data:`PRELOAD`) — or
forked, imports done, from the batch's warm-kernel factory (:mod:`kit.pipeline.warm`). For each request the
server forks a child that sets ``RLIMIT_AS`` to ``limits.judge_memory``, decodes every answer
(:func:`kit.grading.answers.decode`: Parquet metadata checked before reading), grades
(:func:`kit.grading.autograde.grade`) and writes the results back as JSON — never pickle. Past
``limits.judge_timeout`` seconds the child is killed. Requests and replies are length-prefixed JSON on the
server's stdin and stdout.

:func:`judge` returns the :class:`~kit.grading.results.QuestionResult` of every question, or raises
:class:`JudgeError` with a code (``timeout``, ``memory``, ``crashed``, ``error``) that the batch records as the
reason the submission failed.
"""

from __future__ import annotations

import json
import os
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict

from kit.grading.results import QuestionResult

HEADER = struct.Struct(">Q")
MAX_REPLY = 64 * 2**20
SPARE_SECONDS = 30  # the worker's own wait beyond the server's timeout
PRELOAD = ("kit.grading.autograde", "kit.grading.variants", "kit.grading.answers", "pyarrow.parquet", "scipy.stats",
           "kit.data.synth", "kit.metrics", "kit.kano", "kit.needs", "kit.process", "kit.improvement", "kit.ninegrid",
           "kit.text")
"""What the server imports before it forks any child: the grading code and everything the exercises' variants
and answer decoding use (a child's own imports are lost when it ends — over half a second per submission)."""


class JudgeError(RuntimeError):
    """Judging failed: ``code`` is ``timeout``, ``memory``, ``crashed`` or ``error``; ``detail`` says more."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail = code, detail


def judge(spec, entries: Mapping[str, dict], *, trainee_id: str, seed: int, lang: str, memory: int, timeout: float,
          cell_errors: Mapping[str, str] | None = None, missing_cells: Sequence[str] = (),
          fault: str = "") -> tuple[QuestionResult, ...]:
    """The results of every question of ``spec`` for the answer ``entries``, judged in a child process."""
    request = {"spec": spec.to_dict(), "entries": {q: entries[q] for q in spec.answers if q in entries},
               "trainee_id": trainee_id, "seed": seed, "lang": lang, "memory": int(memory),
               "timeout": float(timeout), "cell_errors": dict(cell_errors or {}),
               "missing_cells": list(missing_cells), "fault": fault}
    reply = _Server.call(request, timeout + SPARE_SECONDS)
    if not reply.get("ok"):
        raise JudgeError(str(reply.get("code", "error")), str(reply.get("detail", ""))[:300])
    try:
        return tuple(_question(q) for q in reply["questions"])
    except (KeyError, TypeError, ValueError) as error:
        raise JudgeError("error", f"malformed reply: {error}") from None


def start_judge() -> None:
    """Start this worker's judge server if it is not running (its imports then overlap with other work)."""
    _Server.start()


def _question(data: dict) -> QuestionResult:
    """A QuestionResult from a reply, every field checked for its type."""
    score = data["score"]
    if score is not None:
        score = float(score)
    return QuestionResult(str(data["qid"]), str(data["kind"]), float(data["points"]), score, str(data["reason"]),
                          **{k: str(v) for k, v in data.items()
                             if k not in ("qid", "kind", "points", "score", "reason")})


class _Server:
    """The worker's judge server (started on first use, restarted if it died)."""

    _lock = threading.Lock()
    _process: subprocess.Popen | None = None

    @classmethod
    def call(cls, request: dict, timeout: float) -> dict:
        with cls._lock:
            for attempt in range(2):
                process = cls._started()
                try:
                    _write(process.stdin, request)
                    return _read(process.stdout, timeout)
                except (OSError, EOFError, ValueError) as error:
                    cls._stop()
                    if attempt == 1 or isinstance(error, TimeoutError):
                        raise JudgeError("crashed", f"judge server: {error}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    @classmethod
    def _started(cls):
        """The running server: forked from the batch's warm-kernel factory when there is one (its imports are
        done), else a new Python."""
        from kit.pipeline import warm

        if cls._process is None or cls._process.poll() is not None:
            env, factory = {**os.environ, "MALLOC_ARENA_MAX": "2"}, os.environ.get(warm.ENV)
            if factory:
                cls._process = warm.spawn_piped(factory, __name__, [], env=env, cwd=os.getcwd())
            else:
                cls._process = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        return cls._process

    @classmethod
    def start(cls) -> None:
        """Start the server now, so that its imports overlap with the notebook's run."""
        with cls._lock:
            cls._started()

    @classmethod
    def _stop(cls) -> None:
        process, cls._process = cls._process, None
        if process is not None:
            process.kill()
            process.wait()


def _write(stream, message: dict) -> None:
    data = json.dumps(message, ensure_ascii=False, allow_nan=False).encode()
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def _read(stream, timeout: float | None = None, limit: int = MAX_REPLY) -> dict:
    """One length-prefixed JSON message from ``stream`` (EOFError at end, TimeoutError past ``timeout``)."""
    if timeout is not None:
        ready, _, _ = select.select([stream], [], [], timeout)
        if not ready:
            raise TimeoutError(f"no reply within {timeout:.0f} s")
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        raise EOFError("closed")
    (size,) = HEADER.unpack(header)
    if size > limit:
        raise ValueError(f"message of {size} bytes")
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("closed mid-message")
    return json.loads(data)


# ------------------------------------------------------------------------------------------------ the server


def serve() -> None:
    """Answer requests from stdin until it closes, each in a forked child (see the module docstring)."""
    for module in PRELOAD:  # imported once, shared by every child
        __import__(module)

    stdin, stdout = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # what tests or libraries print must not reach the protocol
    while True:
        try:
            request = _read(stdin, limit=2**31)
        except EOFError:
            return
        _write(stdout, _in_child(request))


def _in_child(request: dict) -> dict:
    """Fork, judge in the child under the request's memory limit, wait at most its timeout."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(request, write_end)
    os.close(write_end)
    chunks, size, deadline = [], 0, request["timeout"]
    end = time.monotonic() + deadline
    timed_out = False
    while True:
        left = end - time.monotonic()
        ready, _, _ = select.select([read_end], [], [], max(left, 0))
        if not ready:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
            break
        chunk = os.read(read_end, 1 << 16)
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_REPLY:
            os.kill(pid, signal.SIGKILL)
            break
        chunks.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        return {"ok": False, "code": "timeout", "detail": f"{deadline:.0f} s"}
    try:
        return json.loads(b"".join(chunks))
    except ValueError:
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status)
        return {"ok": False, "code": "crashed", "detail": f"signal {killed}" if killed else f"status {status}"}


def _child(request: dict, fd: int) -> None:
    import resource

    code = 0
    try:
        resource.setrlimit(resource.RLIMIT_AS, (request["memory"], request["memory"]))
        reply = {"ok": True, "questions": [asdict(q) for q in _grade(request)]}
    except MemoryError:
        reply = {"ok": False, "code": "memory", "detail": f"{request['memory'] / 2**30:.1f} GiB"}
    except BaseException as error:  # noqa: BLE001 - every failure becomes a reply
        reply = {"ok": False, "code": "error", "detail": f"{type(error).__name__}: {error}"[:300]}
        code = 1
    try:
        data = json.dumps(reply, ensure_ascii=False, allow_nan=False).encode()
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os._exit(code)


def _grade(request: dict) -> tuple[QuestionResult, ...]:
    from kit.grading import autograde
    from kit.grading.answers import decode
    from kit.grading.spec import Spec
    from kit.i18n import set_lang

    set_lang(request["lang"])
    spec = Spec.from_dict(request["spec"])
    answers = {q.qid: decode(request["entries"][q.qid], q.form) for q in spec.questions
               if q.qid in request["entries"]}
    return autograde.grade(spec, answers, trainee_id=request["trainee_id"], seed=request["seed"],
                           lang=request["lang"], cell_errors=request["cell_errors"],
                           missing_cells=request["missing_cells"], fault=request["fault"])


if __name__ == "__main__":
    serve()
