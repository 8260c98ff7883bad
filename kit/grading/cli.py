"""The grading commands: ``kit assign`` and ``kit grade`` (run, manual export/import, export, feedback).

``kit grade --exercise ID DIR`` is short for ``kit grade run --exercise ID DIR``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from kit.errors import KitError
from kit.i18n import get_lang, t


class DefaultRun(TyperGroup):
    """A command group that runs ``run`` when the first argument is not one of its subcommands."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


grade_app = typer.Typer(cls=DefaultRun, help=t("cli.grade.help"), no_args_is_help=True)
manual_app = typer.Typer(help=t("cli.grade.manual_help"), no_args_is_help=True)
grade_app.add_typer(manual_app, name="manual")

ExerciseOpt = Annotated[str, typer.Option("--exercise", "-e", help=t("cli.grade.exercise"))]
GradebookOpt = Annotated[str | None, typer.Option("--gradebook", help=t("cli.grade.gradebook"))]
SpecOpt = Annotated[Path | None, typer.Option("--spec", help=t("cli.grade.spec"))]

SIZE_UNITS = {"": 1, "b": 1, "k": 2**10, "kb": 10**3, "kib": 2**10, "m": 2**20, "mb": 10**6, "mib": 2**20,
              "g": 2**30, "gb": 10**9, "gib": 2**30}


def parse_size(text: str) -> int:
    """Bytes in a size such as ``4GiB``, ``512MiB``, ``2G`` or ``1000000``.

    >>> parse_size("4GiB"), parse_size("512 MiB"), parse_size("2G")
    (4294967296, 536870912, 2147483648)
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if not match or match.group(2).lower() not in SIZE_UNITS:
        raise KitError("grading_bad_size", value=text)
    return int(float(match.group(1)) * SIZE_UNITS[match.group(2).lower()])


def load_spec(exercise: str, spec: Path | None):
    """The grading spec: from ``spec`` (written by ``kit assign``) or rebuilt from the master notebook."""
    from kit.grading.authoring import build_spec, read_master
    from kit.grading.spec import Spec

    if spec is None:
        return build_spec(exercise, read_master(exercise))
    if not spec.exists():
        raise KitError("file_not_found", file=spec)
    loaded = Spec.load(spec)
    if loaded.exercise != exercise:
        raise KitError("grading_spec_mismatch", file=spec, found=loaded.exercise, exercise=exercise)
    return loaded


def _console():
    from kit.cli import console

    return console


def assign(
    exercises: Annotated[list[str] | None, typer.Argument(help=t("cli.assign.exercises"))] = None,
    all_: Annotated[bool, typer.Option("--all", help=t("cli.assign.all"))] = False,
    out: Annotated[Path, typer.Option("--out", help=t("cli.assign.out"))] = Path("assign"),
    roster: Annotated[Path | None, typer.Option("--roster", help=t("cli.assign.roster"))] = None,
    course_lang: Annotated[str | None, typer.Option("--course-lang", help=t("cli.assign.course_lang"))] = None,
):
    from kit import release
    from kit.grading.authoring import assign as write
    from kit.grading.authoring import masters
    from kit.i18n import check_lang, get_lang

    chosen = list(masters()) if all_ else list(exercises or [])
    if not chosen:
        raise KitError("grading_nothing_to_assign", known=", ".join(masters()))
    written = write(chosen, out)
    console = _console()
    console.print(t("cli.assign.done", n=len(chosen), out=out))
    for path in written:
        console.print(f"  {path}", highlight=False, markup=False)
    if roster is not None:
        trainees = release.roster(roster, check_lang(course_lang or get_lang()))
        copies = release.release_exercises(trainees, Path(out) / "trainees", out, chosen)
        console.print(t("cli.assign.roster_done", n=len(copies), trainees=len(trainees),
                        out=Path(out) / "trainees"), highlight=False, markup=False)
    console.print(t("cli.assign.private", out=Path(out) / "grading"), markup=False)


@grade_app.command("run", help=t("cli.grade.run_help"))
def run(
    folder: Annotated[Path, typer.Argument(help=t("cli.grade.folder"))],
    exercise: ExerciseOpt,
    gradebook: GradebookOpt = None,
    executor: Annotated[str, typer.Option("--executor", help=t("cli.grade.executor"))] = "local",
    workers: Annotated[int | None, typer.Option("--workers", min=1, help=t("cli.grade.workers"))] = None,
    seed: Annotated[int, typer.Option("--seed", help=t("cli.grade.seed"))] = 0,
    cell_timeout: Annotated[float, typer.Option("--cell-timeout", min=1, help=t("cli.grade.cell_timeout"))] = 60,
    timeout: Annotated[float, typer.Option("--timeout", min=1, help=t("cli.grade.timeout"))] = 900,
    memory: Annotated[str, typer.Option("--memory", help=t("cli.grade.memory"))] = "4GiB",
    out: Annotated[Path | None, typer.Option("--out", help=t("cli.grade.out"))] = None,
    spec: SpecOpt = None,
    force: Annotated[bool, typer.Option("--force", help=t("cli.grade.force"))] = False,
    trust: Annotated[bool, typer.Option("--trust-submissions", help=t("cli.grade.trust"))] = False,
):
    from kit.grading.authoring import MASTERS
    from kit.grading.batch import grade_folder
    from kit.grading.feedback import write_feedback
    from kit.grading.gradebook import Gradebook
    from kit.grading.sandbox import Limits
    from kit.pipeline.executors import check_address

    lang = get_lang()
    check_address(executor)
    limits = Limits(cell_timeout=cell_timeout, notebook_timeout=timeout, memory=parse_size(memory))
    loaded = load_spec(exercise, spec)
    out = out or Path("graded") / exercise
    book = Gradebook(gradebook)
    database = book.engine.url.database if book.dialect == "sqlite" else None
    deny = [MASTERS, *([spec] if spec else []), *([database] if database else [])]
    summary = grade_folder(loaded, folder, book, out=out, address=executor, workers=workers, seed=seed, lang=lang,
                           limits=limits, force=force, deny=deny, isolate=not trust)
    pages = write_feedback(book, exercise, out / "feedback", lang,
                           trainees=[r.trainee for r in summary.graded + summary.failed])
    console = _console()
    console.print(summary.table(lang))  # trainee ids and reasons are plain Text in it, never markup
    console.print(t("cli.grade.wrote", book=book.url, out=out, n=len(pages)), highlight=False, markup=False)
    if summary.errors:
        raise typer.Exit(1)


@grade_app.command("feedback", help=t("cli.grade.feedback_help"))
def feedback(
    exercise: ExerciseOpt,
    gradebook: GradebookOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help=t("cli.grade.feedback_out"))] = None,
):
    from kit.grading.feedback import write_feedback
    from kit.grading.gradebook import Gradebook

    out = out or Path("graded") / exercise / "feedback"
    pages = write_feedback(Gradebook(gradebook), exercise, out, get_lang())
    _console().print(t("cli.grade.feedback_done", n=len(pages), out=out), highlight=False, markup=False)


@grade_app.command("export", help=t("cli.grade.export_help"))
def export(
    out: Annotated[Path, typer.Option("--out", help=t("cli.grade.export_out"))],
    fmt: Annotated[str, typer.Option("--format", help=t("cli.grade.format"))] = "csv",
    exercise: Annotated[str | None, typer.Option("--exercise", "-e", help=t("cli.grade.exercise"))] = None,
    by: Annotated[str, typer.Option("--by", help=t("cli.grade.by"))] = "exercise",
    gradebook: GradebookOpt = None,
):
    from kit.grading.gradebook import Gradebook

    if fmt != "csv":
        raise KitError("grading_bad_format", value=fmt)
    path = Gradebook(gradebook).export_csv(out, exercise=exercise, by=by)
    _console().print(t("cli.grade.exported", out=path), highlight=False, markup=False)


@manual_app.command("export", help=t("cli.grade.manual_export_help"))
def manual_export(
    exercise: ExerciseOpt,
    out: Annotated[Path, typer.Option("--out", help=t("cli.grade.manual_out"))],
    gradebook: GradebookOpt = None,
    spec: SpecOpt = None,
):
    from kit.grading.gradebook import Gradebook
    from kit.grading.manual import export_manual

    path = export_manual(Gradebook(gradebook), load_spec(exercise, spec), out, get_lang())
    _console().print(t("cli.grade.manual_exported", out=path), highlight=False, markup=False)


@manual_app.command("import", help=t("cli.grade.manual_import_help"))
def manual_import(
    file: Annotated[Path, typer.Argument(help=t("cli.grade.manual_file"))],
    exercise: ExerciseOpt,
    gradebook: GradebookOpt = None,
    spec: SpecOpt = None,
):
    from kit.grading.gradebook import Gradebook
    from kit.grading.manual import import_manual

    if not file.exists():
        raise KitError("file_not_found", file=file)
    summary = import_manual(Gradebook(gradebook), load_spec(exercise, spec), file)
    _console().print(t("cli.grade.manual_imported", graded=summary.graded, pending=summary.pending,
                       unchanged=summary.unchanged), highlight=False)
