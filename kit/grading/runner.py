"""Execute one trainee submission in the grading sandbox and hand back its answers as plain data.

:func:`read_submission` turns uploaded bytes into a notebook or a :class:`SubmissionError` saying what is wrong.
:func:`run_submission` inserts an export cell after every answer cell (and one at the end), runs the notebook
with papermill in a sandboxed kernel (:mod:`kit.grading.sandbox`) with ``trainee_id``/``seed``/… injected, and
returns a :class:`Run`: the exported answers (:func:`kit.grading.answers.collect`), the error of each failing
answer cell, the answer cells that are missing, and the notebook-level fault if any (notebook timeout, dead
kernel). Trainee code never runs in this process; nothing it does inside the kernel can reach the grader
except the notebook outputs, which are read as data.

Faults and what happens:

- a cell running past ``cell_timeout`` is interrupted (KeyboardInterrupt in the kernel) and reported as a
  timeout; later cells still run;
- the whole run past ``notebook_timeout`` (kernel start included): a watchdog kills the kernel; answers
  exported before still count, ``Run.fault`` says where it stopped;
- the kernel dying (``os._exit``, a crash): ``Run.fault`` names the cell; earlier answers still count;
- output floods: stream and text outputs are cut to ``output_chars`` per cell as they arrive; answers outputs
  are never cut; widget messages are ignored.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import logging
import os
import signal
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from kit.grading.answers import MIME, admit, decode, encode, exports, gather
from kit.grading.sandbox import KERNEL_NAME, MAX_MESSAGE, Limits, MiB, kernel_manager, remove
from kit.i18n import t

ENGINE = "kit-sandbox"
MAX_SUBMISSION_BYTES = 50_000_000
ERROR_CHARS = 500
IOPUB_TIMEOUT = 30  # seconds to wait for a cell's last outputs after its reply (large outputs take a while)
START_TIMEOUT = 60
START_ATTEMPTS = 2  # a kernel that dies before its first reply (e.g. a port taken meanwhile) is started again


class KernelStartError(RuntimeError):
    """The sandboxed kernel did not start (twice): nothing of the trainee's ran, so nothing is graded."""


class SubmissionError(Exception):
    """A submission that cannot be run at all; ``reason`` says why, in the language it was rendered in.
    ``code`` and ``params`` re-render it in another language with :meth:`render`."""

    def __init__(self, code: str, lang: str | None = None, **params):
        self.code = code
        self.params = params
        self.reason = self.render(lang)
        super().__init__(self.reason)

    def render(self, lang: str | None = None) -> str:
        return t(f"sandbox.submission.{self.code}", lang, **self.params)

    def __reduce__(self):  # crosses process pools intact
        return _rebuild_submission_error, (self.code, self.params, self.reason)


def _rebuild_submission_error(code: str, params: dict, reason: str) -> SubmissionError:
    error = SubmissionError.__new__(SubmissionError)
    error.code, error.params, error.reason = code, params, reason
    Exception.__init__(error, reason)
    return error


@dataclass
class Run:
    """The outcome of executing one submission.

    ``entries``: name → the answer entry exported from the kernel and admitted by the grader
    (:func:`kit.grading.answers.gather`; not decoded — :attr:`answers` decodes them here, for tools and
    tests); ``notes``: exports that were refused or ignored, one line each; ``cell_errors``: qid →
    "ErrorName: message" for answer cells that failed; ``missing_cells``: qids without an answer cell;
    ``fault``: what stopped the notebook ("" if nothing did); ``executed``: the executed notebook with the
    injected cells, outputs capped (None if there is none); ``duration_s``: wall time including kernel start
    and shutdown; ``forms``: the question forms the answers were checked against; ``cleanup``: what of the
    kernels' folders could not be removed ("" when everything was).
    """

    entries: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    cell_errors: dict = field(default_factory=dict)
    missing_cells: list = field(default_factory=list)
    fault: str = ""
    executed: nbformat.NotebookNode | None = None
    duration_s: float = 0.0
    forms: dict = field(default_factory=dict)
    cleanup: str = ""

    @property
    def answers(self) -> dict:
        """The entries decoded in this process (:func:`kit.grading.answers.decode`)."""
        return {name: decode(entry, self.forms.get(name)) for name, entry in self.entries.items()}


def read_submission(data: bytes, *, lang: str | None = None,
                    max_bytes: int = MAX_SUBMISSION_BYTES) -> nbformat.NotebookNode:
    """The notebook in ``data``, or :class:`SubmissionError`: too large, not UTF-8, not JSON, not a JSON object,
    not nbformat 4, or not valid against the nbformat schema."""
    if len(data) > max_bytes:
        raise SubmissionError("too_large", lang, size=len(data), limit=max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SubmissionError("not_utf8", lang, position=error.start) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise SubmissionError("not_json", lang, line=error.lineno, column=error.colno, error=error.msg) from None
    except RecursionError:
        raise SubmissionError("not_json", lang, line=1, column=1, error="nested too deeply") from None
    if not isinstance(raw, dict):
        raise SubmissionError("not_object", lang, kind=type(raw).__name__)
    version = raw.get("nbformat")
    if version != 4 or isinstance(version, bool):
        raise SubmissionError("version", lang, version=json.dumps(version))
    import warnings

    from nbformat.v4.rwbase import rejoin_lines, strip_transient

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            nb = strip_transient(rejoin_lines(nbformat.from_dict(raw)))  # what nbformat.reads does
            nbformat.validate(nb)
        except Exception as error:
            message = getattr(error, "message", None) or str(error)
            raise SubmissionError("invalid", lang, error=_clip(message.splitlines()[0] if message else "", 300)) \
                from None
    return nb


def run_submission(nb, answers: Mapping[str, dict] | Sequence[str], parameters: dict, limits: Limits,
                   workdir: Path, *, deny=(), preload=(), lang: str | None = None, ahead: bool = False,
                   isolate: bool = True) -> Run:
    """Execute a copy of ``nb`` in a sandbox rooted at ``workdir/home`` and collect its answers.

    ``answers`` are the question ids — which are also the answer variables' names — each with its public
    form (``{"form": "number", …}``; a plain sequence of ids admits any form): an answer cell is the code cell
    whose ``metadata.nbgrader.grade_id`` is its qid, and each answer is admitted against its form as it
    arrives (:func:`kit.grading.answers.admit`). ``parameters`` (``trainee_id``, ``seed``, ``lang`` …) are
    injected by papermill after the cell tagged ``parameters``. ``deny`` paths stay unreadable to the trainee
    code even under an allowed root (pass the master notebook, hidden tests, spec and gradebook); ``preload``
    modules are imported before the guard. With ``isolate`` (the default) the kernel runs inside bubblewrap
    (:mod:`kit.grading.isolation`); without it, only the in-process guards hold. Messages are in ``lang``.
    With ``ahead``, the run uses the kernel started ahead by the previous such run with the same settings (if
    any) and starts the next one while this notebook executes (:class:`Spare`), so a cold kernel's start-up
    overlaps with work (a kernel forked warm, :mod:`kit.pipeline.warm`, starts too quickly to need it).
    """
    from nbclient.exceptions import DeadKernelError

    _register_engine()
    started = time.monotonic()
    forms = {str(q): dict(f or {}) for q, f in answers.items()} if isinstance(answers, Mapping) \
        else {str(q): {} for q in answers}
    workdir = Path(workdir)
    home = workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    prepared = prepare(nb, list(forms))
    settings = (limits, tuple(map(str, deny)), tuple(preload), lang, isolate)
    spare = Spare.claim(settings) if ahead else None
    if ahead:
        Spare.prepare(settings)
    left = []
    for attempt in range(1, START_ATTEMPTS + 1):
        started_km = spare.take() if spare is not None and attempt == 1 else None
        state, failure = _execute(prepared, parameters, limits, spare.home if started_km else home, deny=deny,
                                  preload=preload, lang=lang, km=started_km, forms=forms, isolate=isolate)
        left.append(state.left)
        if failure is None or state.current is not None or state.notebook_timed_out:
            break
        if attempt == START_ATTEMPTS:  # the kernel never ran a cell: the grader's trouble, not the trainee's
            raise KernelStartError(_fault(failure, state, limits, lang, dead=False))
    if spare is not None:
        left.append(spare.remove())
    executed = _executed(state)
    fault = "" if failure is None else _fault(failure, state, limits, lang,
                                              dead=isinstance(failure, DeadKernelError))
    run = Run(fault=fault, executed=executed, forms=forms, notes=list(dict.fromkeys(state.notes)),
              cleanup="; ".join(part for part in left if part))
    if executed is not None:
        run.entries = gather(executed)
        run.cell_errors = _cell_errors(executed, list(forms), state, limits, lang, fault)
    run.entries |= written_answers(nb, forms, limits.answer_bytes)
    present = {_grade_id(cell) for cell in nb.get("cells", [])}
    run.missing_cells = [qid for qid in forms if qid not in present]
    run.duration_s = time.monotonic() - started
    return run


def _execute(prepared, parameters: dict, limits: Limits, home: Path, *, deny, preload, lang, forms, isolate,
             km=None):
    """One papermill run of ``prepared`` in a sandboxed kernel — ``km`` if already started, else a fresh one:
    (what happened, the error that ended it)."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    state = _State(forms, limits.answer_bytes, limits.notebook_chars)
    km = km or kernel_manager(home, limits, deny=deny, preload=preload, lang=lang, isolate=isolate)
    watchdog = threading.Thread(target=_watchdog, args=(km, state, limits.notebook_timeout), daemon=True)
    failure: Exception | None = None
    watchdog.start()
    try:
        pm.execute_notebook(
            prepared, None, parameters=dict(parameters), engine_name=ENGINE, request_save_on_cell_execute=False,
            kernel_name=KERNEL_NAME, language="python", km=km, progress_bar=False, log_output=False,
            start_timeout=START_TIMEOUT, execution_timeout=limits.cell_timeout, allow_errors=True,
            interrupt_on_timeout=True, iopub_timeout=IOPUB_TIMEOUT, resources={"metadata": {"path": str(home)}},
            kit_state=state, output_chars=limits.output_chars, lang=lang,
        )
    except PapermillExecutionError:
        pass  # some cell raised: normal for graded work, the errors are in the outputs
    except Exception as error:  # DeadKernelError, a kernel that never started, a timeout waiting for output …
        failure = error
    finally:
        state.done.set()
        _shutdown(km, state)
        watchdog.join(timeout=5)
    return state, failure


class Spare:
    """A sandboxed kernel started ahead of time, in a folder of its own, while the previous submission runs.

    One per process (a lock guards it, for executors that run tasks in threads); it is used only by a run with
    the same settings, and shut down when the process exits. A spare that died meanwhile fails like any kernel
    that cannot start, and the run retries with a fresh one.
    """

    _lock = threading.Lock()
    _current: Spare | None = None

    def __init__(self, settings: tuple):
        limits, deny, preload, lang, isolate = settings
        self.settings = settings
        self.folder = Path(tempfile.mkdtemp(prefix="kit-spare-"))
        self.home = self.folder / "home"
        self.home.mkdir()
        self.km = kernel_manager(self.home, limits, deny=deny, preload=preload, lang=lang, isolate=isolate)
        self.error: Exception | None = None
        self.thread = threading.Thread(target=self._start, daemon=True)
        self.thread.start()

    def _start(self) -> None:
        from jupyter_core.utils import run_sync

        try:
            run_sync(self.km.start_kernel)(cwd=str(self.home))
        except Exception as error:  # reported as a start failure when the spare is used
            self.error = error

    @classmethod
    def claim(cls, settings: tuple) -> Spare | None:
        """The waiting spare if it was started with ``settings`` (a mismatched one is discarded)."""
        with cls._lock:
            spare, cls._current = cls._current, None
        if spare is not None and spare.settings != settings:
            spare.remove()
            return None
        return spare

    @classmethod
    def prepare(cls, settings: tuple) -> None:
        """Start the next spare in the background, unless one is already waiting."""
        with cls._lock:
            if cls._current is None:
                cls._current = Spare(settings)
                _discard_at_exit()

    def take(self):
        """The started kernel manager (None if it could not start)."""
        self.thread.join()
        return None if self.error else self.km

    def remove(self) -> str:
        """Shut the kernel down (if still running) and delete its folders; "" or what could not be removed."""
        self.thread.join()
        state = _State()
        _shutdown(self.km, state)
        return "; ".join(part for part in (state.left, remove(self.folder)) if part)


def _discard_spare() -> None:
    spare = Spare.claim(None)
    if spare is not None:
        spare.remove()


@functools.cache
def _discard_at_exit() -> None:
    """Remove the last spare when the process ends (pool workers end through multiprocessing, not atexit)."""
    import atexit
    from multiprocessing import util

    atexit.register(_discard_spare)
    util.Finalize(None, _discard_spare, exitpriority=10)


def prepare(nb, answers: Sequence[str]) -> nbformat.NotebookNode:
    """A copy of ``nb`` with an export cell after each answer code cell and one at the end exporting all
    ``answers``, and no outputs. Every submitted cell gets ``metadata.kit = {"cell": n}`` (its 1-based position
    in the submission, replacing whatever the trainee put there, so no submitted cell can pass for an injected
    one); injected cells get ``metadata.kit = {"injected": true, "exports": [names]}`` — the only names the
    grader accepts from their outputs."""
    nb = nbformat.from_dict(copy.deepcopy(dict(nb)))
    wanted = set(answers)
    cells = []
    for number, cell in enumerate(nb.cells, start=1):
        if not isinstance(cell.get("metadata"), dict):
            cell["metadata"] = nbformat.NotebookNode()
        cell.metadata["kit"] = nbformat.NotebookNode(cell=number)
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cells.append(cell)
        qid = _grade_id(cell)
        if cell.get("cell_type") == "code" and qid in wanted:
            cells.append(export_cell([qid]))
    cells.append(export_cell(list(answers)))
    nb.cells = cells
    return nb


def written_answers(nb, forms: Mapping[str, dict], budget: int) -> dict[str, dict]:
    """The answers written in Markdown answer cells (nbgrader's manually graded Markdown cells) whose grade_id
    is in ``forms``, as admitted entries: the grader reads them from the submitted file, no kernel involved.
    A blank cell or the untouched placeholder is no answer."""
    from kit.grading.authoring import SOLUTION, placeholder
    from kit.i18n import LANGS

    untouched = {"", *(placeholder("markdown", code) for code in (*LANGS, None))}
    found = {}
    for cell in nb.get("cells", []):
        qid = _grade_id(cell)
        if cell.get("cell_type") != "markdown" or qid not in forms:
            continue
        written = "\n".join(line for line in str(cell.get("source", "")).splitlines()
                            if line.strip() not in SOLUTION).strip()  # a master's markers are no answer
        if written not in untouched:
            found[qid], used = admit(encode(written), forms[qid].get("form"), budget)
            budget -= used
    return found


def export_cell(names: Sequence[str]) -> nbformat.NotebookNode:
    """The injected code cell that publishes ``names`` from the kernel's globals."""
    names = [str(n) for n in names]
    source = f"import kit.grading.answers as __kit_answers; __kit_answers.publish(globals(), {names!r})"
    return nbformat.v4.new_code_cell(source, metadata={"kit": {"injected": True, "exports": names}})


def _grade_id(cell):
    nbgrader = (cell.get("metadata") or {}).get("nbgrader")
    return nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None


def _clip(text: str, limit: int = ERROR_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------- execution


class _State:
    """What the engine and the watchdog learn during one run (shared with them, not with the kernel), and the
    budgets the client spends: characters of answers (``answer_budget``) and of other output."""

    def __init__(self, forms: Mapping[str, dict] | None = None, answer_budget: int = 0, output_budget: int = 0):
        self.forms = dict(forms or {})
        self.answer_budget = answer_budget
        self.output_budget = output_budget
        self.notes: list[str] = []
        self.nb_man = None
        self.client = None
        self.current: int | None = None  # index of the cell being executed, in the executed notebook
        self.timed_out_cells: set[int] = set()
        self.notebook_timed_out = False
        self.done = threading.Event()
        self.left = ""  # what of the kernel's sockets folder could not be removed (set by _shutdown)


def _watchdog(km, state: _State, seconds: float) -> None:
    """After ``seconds``, kill the kernel's process group (again and again until the run is over)."""
    if state.done.wait(seconds):
        return
    state.notebook_timed_out = True
    while not state.done.is_set():
        provisioner = getattr(km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        if process is not None:
            try:
                os.killpg(provisioner.pgid or process.pid, signal.SIGKILL)
            except (OSError, TypeError):
                with contextlib.suppress(OSError):
                    process.kill()
        state.done.wait(0.2)


def _shutdown(km, state: _State) -> None:
    """Stop the client's channels and the kernel, whatever state they are in (nbclient does neither for a
    kernel manager it did not create), and delete the kernel's sockets folder (``state.left``: what was not)."""
    from jupyter_core.utils import run_sync

    client = getattr(state.client, "kc", None)
    if client is not None:
        with contextlib.suppress(Exception):
            client.stop_channels()
    try:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    except Exception:
        provisioner = getattr(km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        if process is not None:
            with contextlib.suppress(OSError):
                process.kill()
    with contextlib.suppress(Exception):
        km.cleanup_connection_file()
    state.left = km.remove_sockets()


_registered = False


def _register_engine() -> None:
    global _registered
    if _registered:
        return
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class SandboxEngine(NBClientEngine):
        """papermill's nbclient engine with :class:`_SandboxClient`, keeping the notebook for the runner."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, *,
                                     kit_state, output_chars, lang=None, **kwargs):
            kit_state.nb_man = nb_man
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
                                 kernel_name=kernel_name, log=_Log(logger, {}), log_output=log_output,
                                 stdout_file=stdout_file, stderr_file=stderr_file, raise_on_iopub_timeout=False)
            client = _client_class()(nb_man, **final)
            client.kit_state, client.output_chars, client.kit_lang = kit_state, output_chars, lang
            kit_state.client = client
            return client.execute()

    papermill_engines.register(ENGINE, SandboxEngine)
    _registered = True


class OutputsLost(RuntimeError):
    """A cell's outputs stopped arriving: one message was over the size the grader takes (ZeroMQ dropped it
    with its connection) — the run stops there, answers exported before still count."""


class _Log(logging.LoggerAdapter):
    """papermill's logger, stopping the run when a cell's outputs stop arriving (nbclient only logs that)."""

    def warning(self, msg, *args, **kwargs):
        super().warning(msg, *args, **kwargs)
        if "IOPub output" in str(msg):
            raise OutputsLost(msg)


_client = None


def _client_class():
    """papermill's notebook client with per-cell output caps, no widgets, and bookkeeping for faults."""
    global _client
    if _client is not None:
        return _client
    from nbclient.util import run_sync
    from papermill.clientwrap import PapermillNotebookClient

    class SandboxClient(PapermillNotebookClient):
        kit_state: _State
        output_chars: int = 200_000
        kit_lang: str | None = None

        async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
            self.kit_state.current = cell_index
            self._used = 0
            self._truncated = False
            try:
                return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
            finally:
                if self.kc is not None and getattr(self.kc.session, "unverified", 0):
                    self.kit_state.notes.append(t("sandbox.messages.unverified", self.kit_lang))

        execute_cell = run_sync(async_execute_cell)

        async def _async_handle_timeout(self, timeout, cell=None):
            if self.kit_state.current is not None:
                self.kit_state.timed_out_cells.add(self.kit_state.current)
            return await super()._async_handle_timeout(timeout, cell)

        def output(self, outs, msg, display_id, cell_index):
            out = super().output(outs, msg, display_id, cell_index)
            if out is not None and outs and outs[-1] is out:
                kept = self._cap(out, cell_index)
                if kept is None:
                    outs.pop()
                elif kept is not out:
                    outs[-1] = kept
                return kept
            return out

        def _update_display_id(self, display_id, msg):
            data = msg.get("content", {}).get("data")
            if not isinstance(data, dict) or MIME in data or _size(data) > self.output_chars:
                return  # answers arrive only as new outputs of injected cells, never as updates
            if self.kit_state.output_budget < _size(data):
                return
            self.kit_state.output_budget -= _size(data)
            with contextlib.suppress(IndexError, KeyError, TypeError):  # its output may have been capped away
                super()._update_display_id(display_id, msg)

        def handle_comm_msg(self, outs, msg, cell_index):
            return None  # widgets are not graded; their state could be arbitrarily large

        def _cap(self, out, cell_index=None):
            """``out`` cut to what is left of this cell's and the notebook's budgets (None: drop it); answers
            are admitted separately (:meth:`_admit`)."""
            state = self.kit_state
            budget = min(self.output_chars - getattr(self, "_used", 0), state.output_budget)
            kind = out.get("output_type")
            if kind == "stream":
                text = out.get("text", "")
                if len(text) <= budget:
                    self._spend(len(text))
                    return out
                out["text"] = text[: max(budget, 0)] + self._marker()
                self._spend(max(budget, 0))
                self._used = self.output_chars
                return out if budget > 0 or out["text"] else None
            if kind in ("display_data", "execute_result"):
                data = out.get("data")
                if not isinstance(data, dict):
                    return None
                answers = self._admit(data[MIME], cell_index) if MIME in data else None
                if answers is not None:
                    out["data"], out["metadata"] = {MIME: answers}, {}
                    return out
                other = {k: v for k, v in data.items() if k != MIME}
                size = _size(other)
                if not other:
                    return None
                if size <= budget:
                    out["data"] = other
                    self._spend(size)
                    return out
                self._used = self.output_chars
                marker = self._marker()
                return nbformat.v4.new_output("stream", name="stdout", text=marker) if marker else None
            if kind == "error":
                out["evalue"] = _clip(str(out.get("evalue", "")), 2000)
                lines, total = [], 0
                for line in reversed(out.get("traceback", [])):
                    line = _clip(str(line), self.output_chars)
                    total += len(line)
                    if total > self.output_chars and lines:
                        break
                    lines.append(line)
                out["traceback"] = lines[::-1]
                self._spend(total)
                return out
            return out

        def _spend(self, chars: int) -> None:
            self._used = getattr(self, "_used", 0) + chars
            self.kit_state.output_budget -= chars

        def _admit(self, payload, cell_index):
            """The answers in ``payload`` that this cell was injected to export, each admitted against its
            question's form and the submission's answer budget (None when nothing is left)."""
            state = self.kit_state
            cell = self.nb.cells[cell_index] if cell_index is not None and cell_index < len(self.nb.cells) else {}
            names = exports(cell)
            if not isinstance(payload, dict) or not names:
                state.notes.append(t("sandbox.answers.outside", self.kit_lang))
                return None
            kept = {}
            for name, entry in payload.items():
                if name not in names:
                    key = "misplaced" if name in state.forms else "ignored"
                    state.notes.append(t(f"sandbox.answers.{key}", self.kit_lang, name=_clip(str(name), 40)))
                    continue
                form = state.forms.get(name, {}).get("form") if state.forms else None
                entry, used = admit(entry, form, state.answer_budget)
                state.answer_budget -= used
                if "refused" in entry:
                    why = ": ".join(part for part in (entry["refused"], entry.get("detail", "")) if part)
                    state.notes.append(t("sandbox.answers.refused", self.kit_lang, name=name, why=why))
                kept[name] = entry
            return kept or None

        def _marker(self) -> str:
            if self._truncated:
                return ""
            self._truncated = True
            return "\n" + t("sandbox.output_truncated", self.kit_lang, limit=self.output_chars) + "\n"

    _client = SandboxClient
    return _client


def _size(data) -> int:
    if not data:
        return 0
    if isinstance(data, str):
        return len(data)
    if isinstance(data, dict):
        return sum(len(str(k)) + _size(v) for k, v in data.items())
    if isinstance(data, list):
        return sum(_size(v) for v in data)
    return len(str(data))


# ------------------------------------------------------------------------------------------------- results


def _executed(state: _State):
    nb = getattr(state.nb_man, "nb", None)
    if nb is None:
        return None
    nb.cells = [c for c in nb.cells if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
    papermill = nb.metadata.get("papermill")
    if isinstance(papermill, dict):
        papermill["input_path"] = None  # papermill stores the whole input notebook here
    return nb


def _cell_number(state: _State) -> int:
    """The submitted cell (1-based) that was running when the run stopped (or the last one before it)."""
    nb = getattr(state.nb_man, "nb", None)
    if nb is None or state.current is None:
        return 0
    index = min(state.current, len(nb.cells) - 1)
    for cell in nb.cells[index::-1]:
        number = (cell.get("metadata", {}).get("kit") or {}).get("cell")
        if isinstance(number, int):
            return number
    return 0


def _fault(error: Exception, state: _State, limits: Limits, lang, *, dead: bool) -> str:
    cell = _cell_number(state)
    if state.notebook_timed_out:
        if cell == 0:
            return t("sandbox.fault.notebook_timeout_start", lang, seconds=limits.notebook_timeout)
        return t("sandbox.fault.notebook_timeout", lang, seconds=limits.notebook_timeout, cell=cell)
    if dead and state.current is not None:
        return t("sandbox.fault.kernel_died", lang, cell=cell)
    if isinstance(error, OutputsLost):
        return t("sandbox.fault.output_lost", lang, cell=cell, limit=f"{MAX_MESSAGE // MiB} MiB")
    message = _clip(f"{type(error).__name__}: {error}".strip(), 300)
    if state.current is None:
        return t("sandbox.fault.kernel_start", lang, error=message)
    return t("sandbox.fault.execution", lang, error=message)


def _cell_errors(executed, answers: Sequence[str], state: _State, limits: Limits, lang, fault: str) -> dict:
    wanted = set(answers)
    errors: dict[str, str] = {}
    for index, cell in enumerate(executed.cells):
        qid = _grade_id(cell)
        if qid not in wanted or qid in errors or cell.get("cell_type") != "code":
            continue
        if index in state.timed_out_cells:
            errors[qid] = t("sandbox.cell_timeout", lang, seconds=limits.cell_timeout)
            continue
        if fault and index == state.current:  # the run stopped in this answer cell
            errors[qid] = fault
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors[qid] = _clip(f"{output.get('ename', 'Error')}: {output.get('evalue', '')}")
                break
    return errors
