"""Grade a folder of submissions: find them, skip the unchanged, run the rest on an executor, record each
result in the gradebook the moment it arrives (so a killed batch resumes where it stopped).

Submission layouts found in ``DIR``: ``DIR/<trainee>.ipynb``, ``DIR/<trainee>/<exercise>.ipynb`` and nbgrader's
``DIR/<trainee>/<exercise>/<exercise>.ipynb``.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kit.errors import KitError
from kit.grading.results import AUTO, FAILED, GRADED, QuestionResult, SubmissionResult
from kit.grading.sandbox import Limits
from kit.grading.spec import Spec
from kit.i18n import t

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


@dataclass(frozen=True)
class Graded:
    """A worker's answer: the result, and the executed notebook (JSON text) for the trainer to inspect."""

    result: SubmissionResult
    executed: str | None = None


@dataclass
class Summary:
    """What a batch did: trainees graded, skipped (unchanged since last time) and failed, with reasons."""

    graded: list[SubmissionResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[SubmissionResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def faults(self) -> list[SubmissionResult]:
        """Graded submissions in which something went wrong at notebook level (timeout, kernel died …)."""
        return [r for r in self.graded if r.reason]

    def table(self, lang: str):
        """A rich table: one line per outcome kind, with the reasons of the failures."""
        from rich.table import Table

        table = Table(title=t("grading.batch.summary", lang, seconds=self.seconds))
        for column in ("outcome", "count", "who"):
            table.add_column(t(f"grading.batch.{column}", lang))
        table.add_row(t("grading.batch.graded", lang), str(len(self.graded)), "")
        table.add_row(t("grading.batch.skipped", lang), str(len(self.skipped)), "")
        for result in self.faults:
            table.add_row(t("grading.batch.fault", lang), "", f"{result.trainee}: {result.reason}")
        table.add_row(t("grading.batch.failed", lang), str(len(self.failed)), "")
        for result in self.failed:
            table.add_row("", "", f"{result.trainee}: {result.reason}")
        if self.errors:
            table.add_row(t("grading.batch.errors", lang), str(len(self.errors)), "\n".join(self.errors))
        return table


def find_submissions(folder: Path, exercise: str) -> dict[str, Path]:
    """``{trainee_id: notebook}`` for the submissions of ``exercise`` under ``folder``."""
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
    twice = {k: v for k, v in found.items() if len(v) > 1}
    if twice:
        listing = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in twice.items())
        raise KitError("grading_duplicate_submissions", file=folder, listing=listing)
    return {trainee: paths[0] for trainee, paths in found.items()}


def content_hash(content: bytes, spec: Spec, seed: int) -> str:
    """SHA-256 of the submission with the spec version and seed: changing any of them regrades."""
    return hashlib.sha256(content + f"\0{spec.version}\0{seed}".encode()).hexdigest()


def safe_name(trainee: str) -> str:
    """A file name for ``trainee``.

    >>> safe_name("S01/../x")
    'S01_.._x'
    """
    return re.sub(r"[^\w.-]", "_", trainee)


def grade_submission(task: Task) -> Graded:
    """Grade one submission (runs in a worker): execute it in a sandboxed kernel, then run the tests here."""
    import nbformat

    from kit.grading import autograde
    from kit.grading.runner import SubmissionError, read_submission, run_submission
    from kit.i18n import set_lang

    start = time.monotonic()
    set_lang(task.lang)
    spec = Spec.from_dict(task.spec)
    try:
        nb = read_submission(task.content)
        with tempfile.TemporaryDirectory(prefix="kit-grade-") as tmp:
            run = run_submission(nb, spec.answers, {"trainee_id": task.trainee, "seed": task.seed}, task.limits,
                                 Path(tmp), deny=task.deny, preload=preload(spec), lang=task.lang, warm=True)
    except SubmissionError as error:
        return Graded(failed(spec, task, str(error), time.monotonic() - start))
    except Exception as error:  # the grader's own trouble (e.g. a kernel that cannot start): retried next run
        raise GradingError(t("grading.batch.internal", task.lang, trainee=task.trainee,
                             error=f"{type(error).__name__}: {error}")) from None
    questions = autograde.grade(spec, run.answers, trainee_id=task.trainee, seed=task.seed, lang=task.lang,
                                cell_errors=run.cell_errors, missing_cells=run.missing_cells, fault=run.fault)
    result = SubmissionResult(spec.exercise, task.trainee, task.content_hash, GRADED, run.fault, questions,
                              time.monotonic() - start)
    return Graded(result, None if run.executed is None else nbformat.writes(run.executed))


def preload(spec: Spec) -> tuple[str, ...]:
    """Modules the exercise's kernel imports before the trainee's code runs (a warm start)."""
    return ("kit.grading.exercise", "kit.grading.variants", f"kit.{spec.module}")


def failed(spec: Spec, task: Task, reason: str, seconds: float = 0.0) -> SubmissionResult:
    """A submission that could not be run: every question scores 0 (or waits for the trainer) with ``reason``."""
    questions = tuple(QuestionResult(q.qid, q.kind, q.points, 0.0 if q.kind == AUTO else None, reason)
                      for q in spec.questions)
    return SubmissionResult(spec.exercise, task.trainee, task.content_hash, FAILED, reason, questions, seconds)


def grade_folder(spec: Spec, folder: Path, book, *, out: Path, address: str | None = None,
                 workers: int | None = None, seed: int = 0, lang: str = "en", limits: Limits | None = None,
                 force: bool = False, deny: Sequence[str | Path] = (), progress: bool = True) -> Summary:
    """Grade every submission of ``spec.exercise`` in ``folder`` into the gradebook ``book``; executed notebooks
    go to ``out``. Unchanged submissions (same content, spec and seed) are skipped unless ``force``."""
    from concurrent.futures import as_completed

    from tqdm.auto import tqdm

    from kit.pipeline.executors import executor

    start, summary, limits = time.monotonic(), Summary(), limits or Limits()
    tasks = []
    for trainee, path in find_submissions(folder, spec.exercise).items():
        content = path.read_bytes()
        digest = content_hash(content, spec, seed)
        if not force and book.is_current(spec.exercise, trainee, digest):
            summary.skipped.append(trainee)
            continue
        tasks.append(Task(spec.to_dict(), trainee, content, digest, seed, lang, limits,
                          tuple(str(Path(p).resolve()) for p in (*deny, folder, out))))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if tasks:
        with executor(address, workers) as pool, tqdm(total=len(tasks), unit="nb", disable=not progress,
                                                      desc=t("grading.batch.progress", lang)) as bar:
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
                if graded.executed is not None:
                    (out / f"{safe_name(graded.result.trainee)}.ipynb").write_text(graded.executed, encoding="utf-8")
                (summary.failed if graded.result.status == FAILED else summary.graded).append(graded.result)
    summary.seconds = time.monotonic() - start
    return summary
