"""Run a report notebook headlessly: papermill executes it with the report's parameters, nbconvert exports
the executed copy as HTML (code hidden). Per-trainee reports run in parallel on the same executors as
grading (:mod:`kit.pipeline.executors`), reading one prepared copy of the cohort's data, each in a kernel forked
warm from the batch's factory (:mod:`kit.pipeline.warm`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kit.errors import KitError
from kit.paths import NOTEBOOKS, ROOT

REPORTS = NOTEBOOKS / "reports"
COHORT = REPORTS / "cohort-report.ipynb"
TRAINEE = REPORTS / "trainee-report.ipynb"
CX = REPORTS / "cx-report.ipynb"
USER_ERRORS = ("KitError", "DataError")
"""Exceptions raised in a report kernel whose message is meant for the user (bad data, unknown cohort …)."""


@dataclass(frozen=True)
class Job:
    """One report to make (picklable, so it can travel to a worker process or a Dask worker)."""

    notebook: str
    parameters: dict
    out: str
    stem: str
    title: str
    subtitle: str = ""
    lang: str = "en"


def run(job: Job) -> Path:
    """Execute ``job.notebook`` with its parameters into ``out/<stem>.ipynb`` and export ``out/<stem>.html``;
    returns the HTML path. An error raised in the notebook becomes a :class:`KitError` naming the cell, and
    the executed copy is kept so the trainer can open it at the failing cell."""
    from papermill.exceptions import PapermillExecutionError

    from kit.pipeline import execute, export_html

    out = Path(job.out)
    executed = out / f"{job.stem}.ipynb"
    try:
        execute(job.notebook, executed, job.parameters, cwd=ROOT, timeout=1800)
    except PapermillExecutionError as error:
        if error.ename in USER_ERRORS:
            raise KitError("report_input", message=error.evalue, notebook=executed) from None
        raise KitError("report_failed", name=error.ename, message=error.evalue, cell=error.exec_count,
                       notebook=executed) from None
    return export_html(executed, out / f"{job.stem}.html", title=job.title, subtitle=job.subtitle, lang=job.lang)


def run_many(jobs: Sequence[Job], *, address: str | None = None, workers: int | None = None,
             progress: bool | Callable[[Job, str | None], None] = True) -> tuple[list[Path], list[tuple[Job, str]]]:
    """Run ``jobs`` on an executor (a local process pool by default, or ``dask://HOST:PORT``); returns the HTML
    pages made and the ``(job, message)`` of every report that failed. ``progress`` is True for a tqdm bar, False
    for none, or a function called with each job as it finishes and its error message (None if it succeeded) —
    how ``kit report trainee`` shows its own."""
    from concurrent.futures import as_completed

    from tqdm.auto import tqdm

    from kit.pipeline.executors import executor
    from kit.pipeline.warm import warm_kernels

    report = progress if callable(progress) else None
    pages, failures = [], []
    with warm_kernels(executor=address), executor(address, workers) as pool, \
            tqdm(total=len(jobs), unit="report", disable=report is not None or not progress) as bar:
        futures = {pool.submit(run, job): job for job in jobs}
        for future in as_completed(futures):
            message = None
            try:
                pages.append(future.result())
            except KitError as error:
                message = str(error)
                failures.append((futures[future], message))
            bar.update()
            if report is not None:
                report(futures[future], message)
    return sorted(pages), failures


def prepare_cohort(cohort: str | None, data_dir: str | Path, gradebook: str | None, folder: str | Path):
    """Load and check the cohort's tables once and write them to ``folder`` as Parquet, so that many
    trainee reports read a small, already-validated copy instead of the whole export each; returns the
    loaded :class:`kit.cohort.Cohort`."""
    from kit import cohort as cohorts
    from kit.data import io

    data = cohorts.load(cohort, data_dir, gradebook)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {"trainees": data.trainees, "marks": data.marks, "reaction": data.reaction,
              "observations": data.observations, "ninegrid": data.ninegrid, "survey_responses": data.survey}
    for kind, table in tables.items():
        if table is not None:
            io.save(table, folder / f"{kind}.parquet", kind)
    return data


def trainee_jobs(trainees, parameters: dict, out: str | Path, *, lang: str | None = None) -> list[Job]:
    """One job per roster row of ``trainees``: the report in ``lang``, else in the trainee's own language."""
    from kit.grading.results import safe_name
    from kit.i18n import t

    folder = str(Path(out).resolve())  # workers elsewhere (Dask) write to the same place
    jobs = []
    for trainee_id, own in zip(trainees["trainee_id"], trainees["lang"].fillna("zh"), strict=True):
        report_lang = lang or own
        jobs.append(Job(str(TRAINEE), {**parameters, "trainee_id": trainee_id, "lang": report_lang}, folder,
                        f"trainee-{safe_name(trainee_id)}.{report_lang}",
                        t("cli.report.trainee_title", report_lang, trainee=trainee_id), lang=report_lang))
    return jobs
