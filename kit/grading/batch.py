"""Grade a folder of submissions: find them, skip the unchanged, run the rest on an executor, record each
result in the gradebook the moment it arrives (so a killed batch resumes where it stopped).

Submission layouts found in ``DIR``: ``DIR/<trainee>.ipynb``, ``DIR/<trainee>/<exercise>.ipynb`` and nbgrader's
``DIR/<trainee>/<exercise>/<exercise>.ipynb``. A trainee with more than one of these is recorded as failed
(the reason names the files) and the batch goes on. Executed notebooks are written as
``<out>/<output_name(trainee)>.ipynb`` (:func:`kit.grading.results.output_name`: never shared by two trainees).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from kit.errors import KitError
from kit.grading.results import AUTO, FAILED, GRADED, QuestionResult, SubmissionResult
from kit.grading.sandbox import Limits, remove, sweep, warm_kernels
from kit.grading.spec import Spec
from kit.i18n import t
from kit.pipeline.warm import ENV

SKIP_DIRS = {".ipynb_checkpoints", "feedback"}


class GradingError(RuntimeError):
    """The grader, not the submission, failed; nothing is recorded, so the next run tries again."""


@dataclass(frozen=True)
class Task:
    """Everything a worker needs to grade one submission (picklable, so it can travel to a Dask worker)."""

    spec: dict
    trainee: str
    content: bytes
    content_hash: str
    seed: int
    lang: str
    limits: Limits
    deny: tuple[str, ...] = ()
    isolate: bool = True


@dataclass(frozen=True)
class Graded:
    """A worker's answer: the result, the executed notebook (JSON text) for the trainer to inspect, and what
    could not be cleaned up afterwards ("" when everything was)."""

    result: SubmissionResult
    executed: str | None = None
    cleanup: str = ""


@dataclass
class Summary:
    """What a batch did: trainees graded, skipped (unchanged since last time) and failed, with reasons;
    ``cleanup``: what could not be removed, by trainee (or by stale sockets folder, see
    :func:`kit.grading.sandbox.sweep`)."""

    graded: list[SubmissionResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[SubmissionResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cleanup: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def faults(self) -> list[SubmissionResult]:
        """Graded submissions in which something went wrong at notebook level (timeout, kernel died …)."""
        return [r for r in self.graded if r.reason]

    def table(self, lang: str):
        """A rich table: one line per outcome kind, with the reasons of the failures. Trainee ids, reasons and
        errors are shown as plain text (:class:`rich.text.Text`), never read as console markup."""
        from rich.table import Table
        from rich.text import Text

        table = Table(title=t("grading.batch.summary", lang, seconds=self.seconds))
        for column in ("outcome", "count", "who"):
            table.add_column(t(f"grading.batch.{column}", lang))
        table.add_row(t("grading.batch.graded", lang), str(len(self.graded)), "")
        table.add_row(t("grading.batch.skipped", lang), str(len(self.skipped)), "")
        for result in self.faults:
            table.add_row(t("grading.batch.fault", lang), "", Text(f"{result.trainee}: {result.reason}"))
        table.add_row(t("grading.batch.failed", lang), str(len(self.failed)), "")
        for result in self.failed:
            table.add_row("", "", Text(f"{result.trainee}: {result.reason}"))
        if self.errors:
            table.add_row(t("grading.batch.errors", lang), str(len(self.errors)), Text("\n".join(self.errors)))
        if self.cleanup:
            table.add_row(t("grading.batch.cleanup", lang), str(len(self.cleanup)),
                          Text("\n".join(f"{who}: {what}" for who, what in self.cleanup.items())))
        return table


class Submissions(NamedTuple):
    """What :func:`find_submissions` found: ``found`` maps a trainee to their one notebook; ``duplicates`` maps a
    trainee with more than one notebook to all of them (in path order), which cannot be graded."""

    found: dict[str, Path]
    duplicates: dict[str, tuple[Path, ...]]


def find_submissions(folder: Path, exercise: str) -> Submissions:
    """The submissions of ``exercise`` under ``folder``: ``(found, duplicates)``, see :class:`Submissions`."""
    folder = Path(folder)
    if not folder.is_dir():
        raise KitError("grading_no_folder", file=folder)
    found: dict[str, list[Path]] = {}
    for path in sorted(folder.rglob("*.ipynb")):
        parts = path.relative_to(folder).parts
        if SKIP_DIRS & set(parts[:-1]):
            continue
        if len(parts) == 1:
            trainee = path.stem
        elif path.stem == exercise and (len(parts) == 2 or (len(parts) == 3 and parts[1] == exercise)):
            trainee = parts[0]
        else:
            continue
        found.setdefault(trainee, []).append(path)
    return Submissions({trainee: paths[0] for trainee, paths in found.items() if len(paths) == 1},
                       {trainee: tuple(paths) for trainee, paths in found.items() if len(paths) > 1})


def content_hash(content: bytes, spec: Spec, seed: int) -> str:
    """SHA-256 of the submission with the spec version and seed: changing any of them regrades."""
    return hashlib.sha256(content + f"\0{spec.version}\0{seed}".encode()).hexdigest()


def grade_submission(task: Task) -> Graded:
    """Grade one submission (runs in a worker): execute it in a sandboxed kernel, then judge the answers in a
    child process (:mod:`kit.grading.judge`). A submission that cannot run, or whose answers cannot be judged
    within the limits, is recorded as failed with the reason; the grader's own trouble raises GradingError."""
    import nbformat

    from kit.grading import isolation
    from kit.grading.judge import JudgeError, judge, start_judge
    from kit.grading.runner import SubmissionError, read_submission, run_submission
    from kit.i18n import set_lang

    start = time.monotonic()
    set_lang(task.lang)
    spec = Spec.from_dict(task.spec)
    if task.isolate and isolation.problem():
        raise GradingError(t("grading.batch.no_isolation", task.lang, trainee=task.trainee,
                             problem=isolation.problem()))
    folder = Path(tempfile.mkdtemp(prefix="kit-grade-"))
    start_judge()
    try:
        nb = read_submission(task.content, lang=task.lang)
        run = run_submission(nb, {q.qid: q.form for q in spec.questions},
                             {"trainee_id": task.trainee, "seed": task.seed}, task.limits, folder, deny=task.deny,
                             preload=preload(spec), lang=task.lang, ahead=ENV not in os.environ,
                             isolate=task.isolate)
    except SubmissionError as error:
        return Graded(failed(spec, task, str(error), time.monotonic() - start), cleanup=remove(folder))
    except Exception as error:  # the grader's own trouble (e.g. a kernel that cannot start): retried next run
        remove(folder)
        raise GradingError(t("grading.batch.internal", task.lang, trainee=task.trainee,
                             error=f"{type(error).__name__}: {error}")) from None
    cleanup = "; ".join(part for part in (run.cleanup, remove(folder)) if part)
    executed = None if run.executed is None else nbformat.writes(run.executed)
    try:
        questions = judge(spec, run.entries, trainee_id=task.trainee, seed=task.seed, lang=task.lang,
                          memory=task.limits.judge_memory, timeout=task.limits.judge_timeout,
                          cell_errors=run.cell_errors, missing_cells=run.missing_cells, fault=run.fault)
    except JudgeError as error:
        reason = t(f"grading.judge.{error.code}", task.lang, detail=error.detail)
        return Graded(failed(spec, task, reason, time.monotonic() - start), executed, cleanup)
    reason = " ".join(part for part in (run.fault, *run.notes) if part)
    result = SubmissionResult(spec.exercise, task.trainee, task.content_hash, GRADED, reason, questions,
                              time.monotonic() - start)
    return Graded(result, executed, cleanup)


def preload(spec: Spec) -> tuple[str, ...]:
    """Modules the exercise's kernel imports before the trainee's code runs (a warm start)."""
    return ("kit.grading.exercise", "kit.grading.variants", f"kit.{spec.module}")


def failed(spec: Spec, task: Task, reason: str, seconds: float = 0.0) -> SubmissionResult:
    """A submission that could not be run: every question scores 0 (or waits for the trainer) with ``reason``."""
    return failure(spec, task.trainee, task.content_hash, reason, seconds)


def failure(spec: Spec, trainee: str, digest: str, reason: str, seconds: float = 0.0) -> SubmissionResult:
    """:func:`failed` without a task: the FAILED result of ``trainee`` whose submission hashes to ``digest``."""
    questions = tuple(QuestionResult(q.qid, q.kind, q.points, 0.0 if q.kind == AUTO else None, reason)
                      for q in spec.questions)
    return SubmissionResult(spec.exercise, trainee, digest, FAILED, reason, questions, seconds)


def duplicate(spec: Spec, folder: Path, trainee: str, paths: Sequence[Path], seed: int,
              lang: str) -> SubmissionResult:
    """The FAILED result of a trainee who handed in several notebooks: the reason names them (relative to
    ``folder``), and the content hash covers every copy with its path, so fixing the folder regrades."""
    folder = Path(folder)
    names = [Path(p).relative_to(folder).as_posix() for p in paths]
    copies = hashlib.sha256()
    for name, path in zip(names, paths, strict=True):
        copies.update(name.encode("utf-8") + b"\0" + hashlib.sha256(Path(path).read_bytes()).digest())
    digest = content_hash(b"kit:duplicates\0" + copies.digest(), spec, seed)
    return failure(spec, trainee, digest, t("grading.batch.duplicates", lang, n=len(names), files=", ".join(names)))


def grade_folder(spec: Spec, folder: Path, book, *, out: Path, address: str | None = None,
                 workers: int | None = None, seed: int = 0, lang: str = "en", limits: Limits | None = None,
                 force: bool = False, deny: Sequence[str | Path] = (), progress: bool = True,
                 isolate: bool = True) -> Summary:
    """Grade every submission of ``spec.exercise`` in ``folder`` into the gradebook ``book``; executed notebooks
    go to ``out``. Unchanged submissions (same content, spec and seed) are skipped unless ``force``. Each kernel
    runs isolated by bubblewrap; a host that cannot do that is refused (KitError) unless ``isolate`` is False.
    Sockets folders left by interrupted runs are swept first (:func:`kit.grading.sandbox.sweep`); what could
    not be removed, then or after a submission, is in ``Summary.cleanup`` and never stops the batch."""
    from concurrent.futures import as_completed

    from tqdm.auto import tqdm

    from kit.grading import isolation
    from kit.pipeline.executors import executor

    if isolate and address in (None, "", "local") and isolation.problem():
        raise KitError("grading_no_isolation", problem=isolation.problem())
    start, summary, limits = time.monotonic(), Summary(), limits or Limits()
    summary.cleanup.update(sweep())  # sockets folders of interrupted runs
    tasks = []
    found, duplicates = find_submissions(folder, spec.exercise)
    for trainee, paths in duplicates.items():  # recorded as failed; everyone else is still graded
        result = duplicate(spec, folder, trainee, paths, seed, lang)
        if not force and book.is_current(spec.exercise, trainee, result.content_hash):
            summary.skipped.append(trainee)
            continue
        book.record(result)
        summary.failed.append(result)
    for trainee, path in found.items():
        content = path.read_bytes()
        digest = content_hash(content, spec, seed)
        if not force and book.is_current(spec.exercise, trainee, digest):
            summary.skipped.append(trainee)
            continue
        tasks.append(Task(spec.to_dict(), trainee, content, digest, seed, lang, limits,
                          tuple(str(Path(p).resolve()) for p in (*deny, folder, out)), isolate))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if tasks:
        factory = warm_kernels(preload(spec), executor=address) if isolate else contextlib.nullcontext()
        with factory, executor(address, workers) as pool, \
                tqdm(total=len(tasks), unit="nb", disable=not progress, desc=t("grading.batch.progress", lang)) as bar:
            futures = {pool.submit(grade_submission, task): task for task in tasks}
            for future in as_completed(futures):
                bar.update()
                try:
                    graded = future.result()
                except Exception as error:  # a worker died or the grader failed: not recorded, retried next run
                    summary.errors.append(str(error) if isinstance(error, GradingError) else t(
                        "grading.batch.internal", lang, trainee=futures[future].trainee,
                        error=f"{type(error).__name__}: {error}"))
                    continue
                book.record(graded.result)
                if graded.cleanup:
                    summary.cleanup[graded.result.trainee] = graded.cleanup
                if graded.executed is not None:
                    (out / f"{graded.result.file_name}.ipynb").write_text(graded.executed, encoding="utf-8")
                (summary.failed if graded.result.status == FAILED else summary.graded).append(graded.result)
    summary.seconds = time.monotonic() - start
    return summary
