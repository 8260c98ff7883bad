"""The report commands: ``kit report cohort``, ``kit report trainee`` and ``kit report cx``.

Each executes a notebook of ``notebooks/reports/`` with papermill and exports it with nbconvert; ``--lang``
chooses the report's language (and the command's messages).
"""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import ProgressColumn
from rich.text import Text

from kit import i18n
from kit.errors import KitError
from kit.i18n import get_lang, t
from kit.paths import OUT, SAMPLE, output_folder

report_app = typer.Typer(help=t("cli.report.help"), no_args_is_help=True)

LangOpt = Annotated[str | None, typer.Option("--lang", help=t("cli.report.lang"))]
OutOpt = Annotated[Path, typer.Option("--out", help=t("cli.report.out"))]
DataDirOpt = Annotated[Path, typer.Option("--data", help=t("cli.report.data_dir"))]
GradebookOpt = Annotated[str | None, typer.Option("--gradebook", help=t("cli.report.gradebook"))]
CohortOpt = Annotated[str | None, typer.Option("--cohort", help=t("cli.report.cohort"))]
AnonymizeOpt = Annotated[bool, typer.Option("--anonymize/--no-anonymize", help=t("cli.report.anonymize"))]
PdfOpt = Annotated[bool, typer.Option("--pdf", help=t("cli.report.pdf"))]


def _report_lang(lang: str | None) -> str:
    if lang is None:
        return get_lang()
    if lang not in i18n.LANGS:
        raise KitError("unknown_lang", value=lang)
    i18n.set_lang(lang)
    return lang


def _console():
    from kit.cli import console

    return console


def _existing(path: Path | None) -> str | None:
    if path is None:
        return None
    if not path.exists():
        raise KitError("file_not_found", file=path)
    return str(path.resolve())


def _targets(choice: str | None) -> str | None:
    """``--targets``: a course preset by name, or a company's targets file (as an absolute path, since the report
    runs in another folder), checked now so a bad file fails before the report starts."""
    from kit.metrics import PRESETS, choose_targets

    if choice is None or choice in PRESETS or choice in PRESETS.values():
        return choice
    chosen = _existing(Path(choice)) if Path(choice).suffix.lower() in (".yml", ".yaml") else choice
    choose_targets(chosen)
    return chosen


def _check_cx_inputs(parameters: dict, folder: str) -> None:
    """Load every table the CX report reads, as the report reads it, before a kernel starts: a bad file fails in
    about a second with all its problems listed, not after a notebook run. The tables loaded are kept in
    ``folder`` for the report (``checked_dir``), which does not load them again."""
    from kit.cxreport import keep_checked, load_table

    with _console().status(t("cli.report.checking")):
        for key, kind in (("data_path", "survey_responses"), ("complaints_path", "tickets"),
                          ("kano_path", "kano_answers")):
            keep_checked(folder, parameters[key], kind, load_table(parameters[key], kind, parameters["mapping_path"]))
    parameters["checked_dir"] = folder


def _run_one(job, pdf: bool = False) -> Path:
    from kit.report import run

    with _console().status(t("cli.report.running", title=job.title)):
        html = run(job)
    written = [html, html.with_suffix(".ipynb"), *_print([html], pdf)]
    _console().print(t("cli.report.wrote"))
    _console().print("\n".join(f"  {path}" for path in written), highlight=False)
    return html


@contextmanager
def _progress(total: int):
    """What a batch of reports shows as each one finishes, on stderr (the pages written go to stdout): on a
    terminal, a bar with the count done, the time per report, the time taken and the time left; elsewhere (a pipe,
    a CI log), one plain line per report. Yields the function :func:`kit.report.run_many` calls per report."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    counts = {"done": 0, "failed": 0}
    label = t("cli.report.batch_progress")
    if not console.is_terminal:
        def line(job, error):
            counts["done"] += 1
            key = "cli.report.batch_line_failed" if error else "cli.report.batch_line"
            console.print(t(key, done=counts["done"], total=total, title=job.title), highlight=False, markup=False,
                          soft_wrap=True)

        yield line
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _Pace(),
                  TimeElapsedColumn(), _TimeLeft(), console=console) as bar:
        task = bar.add_task(label, total=total)

        def advance(job, error):
            counts["failed"] += error is not None
            failed = t("cli.report.batch_failed", n=counts["failed"]) if counts["failed"] else ""
            bar.update(task, advance=1, description=label + failed)

        yield advance


class _Pace(ProgressColumn):
    """Seconds per finished report, over the whole batch so far (the workers finish reports in bursts, so a
    recent window, as rich's own speed uses, would swing)."""

    def render(self, task) -> Text:
        each = _seconds_each(task)
        return Text(t("cli.report.batch_pace", seconds="–" if each is None else f"{each:.1f}"),
                    style="progress.data.speed")


class _TimeLeft(ProgressColumn):
    """The time left at that pace."""

    def render(self, task) -> Text:
        each = _seconds_each(task)
        left = "-:--:--" if each is None else _clock(each * (task.total - task.completed))
        return Text(t("cli.report.batch_left", time=left), style="progress.remaining")


def _seconds_each(task) -> float | None:
    elapsed = task.finished_time if task.finished else task.elapsed  # a finished batch's pace stays put
    return elapsed / task.completed if task.completed and elapsed else None


def _clock(seconds: float) -> str:
    """``seconds`` as H:MM:SS, as rich's own time columns write it.

    >>> _clock(75.4), _clock(3725)
    ('0:01:15', '1:02:05')
    """
    seconds = round(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _print(pages: list[Path], pdf: bool) -> list[Path]:
    """The A4 PDFs of ``pages`` (``--pdf``), printed one after the other; none without the option."""
    from kit.pipeline.pdf import print_pdf

    if not pdf:
        return []
    with _console().status(t("cli.report.printing", n=len(pages))):
        return [print_pdf(page) for page in pages]


@report_app.command("cohort", help=t("cli.report.cohort_help"))
def cohort(
    cohort: CohortOpt = None,
    lang: LangOpt = None,
    data: DataDirOpt = SAMPLE,
    gradebook: GradebookOpt = None,
    anonymize: AnonymizeOpt = True,
    pdf: PdfOpt = False,
    pass_mark: Annotated[float, typer.Option("--pass-mark", min=0, max=1, help=t("cli.report.pass_mark"))] = 0.6,
    out: OutOpt = OUT / "reports",
):
    from kit import cohort as cohorts
    from kit.grading.results import safe_name
    from kit.report import COHORT, Job

    lang = _report_lang(lang)
    cohorts.check(cohort, data, gradebook)  # a bad folder, cohort or gradebook fails here, in one paragraph
    name = cohort or t("cli.report.everyone", lang)
    parameters = {"cohort": cohort, "lang": lang, "data_dir": str(Path(data).resolve()), "gradebook": gradebook,
                  "anonymize": anonymize, "pass_mark": pass_mark}
    _run_one(Job(str(COHORT), parameters, str(output_folder(out)), f"cohort-{safe_name(cohort or 'all')}.{lang}",
                 t("cli.report.cohort_title", lang, cohort=name), lang=lang), pdf)


@report_app.command("trainee", help=t("cli.report.trainee_help"))
def trainee(
    trainee_ids: Annotated[list[str] | None, typer.Option("--trainee", "-t", help=t("cli.report.trainee"))] = None,
    all_: Annotated[bool, typer.Option("--all", help=t("cli.report.all"))] = False,
    cohort: CohortOpt = None,
    lang: LangOpt = None,
    data: DataDirOpt = SAMPLE,
    gradebook: GradebookOpt = None,
    out: OutOpt = OUT / "reports" / "trainees",
    pdf: PdfOpt = False,
    executor: Annotated[str, typer.Option("--executor", help=t("cli.grade.executor"))] = "local",
    workers: Annotated[int | None, typer.Option("--workers", min=1, help=t("cli.grade.workers"))] = None,
):
    from kit.pipeline.executors import check_address
    from kit.report import prepare_cohort, run_many, trainee_jobs

    report_lang = lang and _report_lang(lang)
    if not trainee_ids and not all_:
        raise KitError("report_no_trainee")
    check_address(executor)
    out = output_folder(out)
    with tempfile.TemporaryDirectory(prefix="kit-report-") as folder:
        with _console().status(t("cli.report.preparing")):
            roster = prepare_cohort(cohort, data, gradebook, folder).trainees
        if not all_:
            missing = sorted(set(trainee_ids) - set(roster["trainee_id"]))
            if missing:
                raise KitError("report_unknown_trainee", value=", ".join(missing), file=data)
            roster = roster[roster["trainee_id"].isin(trainee_ids)]
        parameters = {"data_dir": folder, "gradebook": None}
        jobs = trainee_jobs(roster, parameters, out, lang=report_lang)
        if len(jobs) == 1:
            _run_one(jobs[0], pdf)
            return
        with _progress(len(jobs)) as done:
            pages, failures = run_many(jobs, address=executor, workers=workers, progress=done)
    _print(pages, pdf)
    _console().print(t("cli.report.batch_done", n=len(pages), out=out))
    for job, message in failures:
        _console().print(Text.assemble((str(job.parameters["trainee_id"]), "red"), f": {message}"), highlight=False)
    if failures:
        raise typer.Exit(1)


@report_app.command("cx", help=t("cli.report.cx_help"))
def cx(
    data: Annotated[Path, typer.Option("--data", help=t("cli.report.survey"))],
    complaints: Annotated[Path | None, typer.Option("--complaints", help=t("cli.report.complaints"))] = None,
    kano: Annotated[Path | None, typer.Option("--kano", help=t("cli.report.kano"))] = None,
    mapping: Annotated[Path | None, typer.Option("--map", help=t("cli.report.map"))] = None,
    lang: LangOpt = None,
    anonymize: AnonymizeOpt = True,
    pdf: PdfOpt = False,
    targets: Annotated[str | None, typer.Option("--targets", help=t("cli.report.targets"))] = None,
    out: OutOpt = OUT / "reports",
):
    from kit.grading.results import safe_name
    from kit.report import CX, Job

    lang = _report_lang(lang)
    parameters = {"lang": lang, "data_path": _existing(data), "complaints_path": _existing(complaints),
                  "kano_path": _existing(kano), "mapping_path": _existing(mapping), "anonymize": anonymize,
                  "targets": _targets(targets)}
    with tempfile.TemporaryDirectory(prefix="kit-checked-") as checked:
        _check_cx_inputs(parameters, checked)
        _run_one(Job(str(CX), parameters, str(output_folder(out)), f"cx-{safe_name(data.stem)}.{lang}",
                     t("cli.report.cx_title", lang), subtitle=data.name, lang=lang), pdf)
