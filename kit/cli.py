"""The ``kit`` command line: demo, synthetic data, data checks.

Messages follow ``--lang`` or the ``KIT_LANG`` environment variable (zh / en). A user error
(:class:`kit.errors.KitError`) prints one paragraph — what, where, how to fix — and exits with status 2.
Commands write under ``kit-out/<command>/`` of the folder they run in unless ``--out`` says otherwise
(:data:`kit.paths.OUT`; docs/cli.md).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from kit import cli_frame as frame
from kit import i18n
from kit.errors import KitError
from kit.i18n import t
from kit.paths import BUILD, NOTEBOOKS, OUT, ROOT, SAMPLE, output_folder

frame.install(i18n.get_lang())  # typer's own words, in KIT_LANG's language
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

app = typer.Typer(help=t("cli.help"), no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
data_app = typer.Typer(help=t("cli.data.help"), no_args_is_help=True)
app.add_typer(data_app, name="data")
release_app = typer.Typer(help=t("cli.release.group_help"), no_args_is_help=True)
app.add_typer(release_app, name="release")

DEMO_COHORT = "2025-A"


def _check_lang(lang: str) -> str:
    if lang not in i18n.LANGS:
        raise KitError("unknown_lang", value=lang)
    return lang


def _set_lang(lang: str | None) -> str | None:
    if lang is not None:
        i18n.set_lang(_check_lang(lang))
        frame.install(lang)
    return lang


@app.callback()
def main_options(
    lang: Annotated[str | None, typer.Option("--lang", help=t("cli.lang"), callback=_set_lang, is_eager=True)] = None,
):
    """Options shared by every command."""


@app.command(help=t("cli.demo.help"))
def demo(
    out: Annotated[Path, typer.Option(help=t("cli.demo.out"))] = OUT / "demo",
    langs: Annotated[list[str], typer.Option("--report-lang", help=t("cli.demo.report_lang"))] = ["en", "zh"],  # noqa: B006
):
    from kit.report import COHORT, CX, Job, run

    for lang in langs:
        _check_lang(lang)  # before doing any work
    out = output_folder(out)
    if not (SAMPLE / "survey_responses.csv").exists():
        with console.status(t("cli.demo.synth")):
            _write_sample(SAMPLE, seed=0)
    jobs = []
    for lang in langs:
        cx = {"lang": lang, "data_path": str(SAMPLE / "survey_responses.csv"),
              "complaints_path": str(SAMPLE / "tickets.csv"), "kano_path": str(SAMPLE / "kano_answers.csv")}
        cohort = {"lang": lang, "cohort": DEMO_COHORT, "data_dir": str(SAMPLE)}
        jobs += [Job(str(CX), cx, str(out), f"cx-report.{lang}", t("cli.report.cx_title", lang), lang=lang),
                 Job(str(COHORT), cohort, str(out), f"cohort-report.{lang}",
                     t("cli.report.cohort_title", lang, cohort=DEMO_COHORT), lang=lang)]
    written = []
    for job in jobs:
        with console.status(t("cli.report.running", title=job.title)):
            html = run(job)
        written += [html.with_suffix(".ipynb"), html]
        console.print(t("cli.demo.done", title=job.title))
    console.print(t("cli.demo.wrote"))
    for path in written:
        console.print(f"  {path}", highlight=False)


def _write_sample(out: Path, seed: int, **sizes) -> list[Path]:
    from kit.data import synth

    return synth.write_sample(out, seed=seed, **sizes)


@data_app.command("synth", help=t("cli.synth.help"))
def data_synth(
    out: Annotated[Path, typer.Option(help=t("cli.synth.out"))] = SAMPLE,
    seed: Annotated[int, typer.Option(help=t("cli.synth.seed"))] = 0,
    survey: Annotated[int, typer.Option(help=t("cli.synth.survey"))] = 5000,
    tickets: Annotated[int, typer.Option(help=t("cli.synth.tickets"))] = 1500,
    trainees: Annotated[int, typer.Option(help=t("cli.synth.trainees"))] = 48,
):
    with console.status(t("cli.synth.running")):
        paths = _write_sample(out, seed, n_survey=survey, n_tickets=tickets, n_trainees=trainees)
    console.print(t("cli.synth.done", n=len(paths), out=out))
    for path in paths:
        console.print(f"  {path}", highlight=False)


@data_app.command("check", help=t("cli.check.help"))
def data_check(
    file: Annotated[Path, typer.Argument(help=t("cli.check.file"))],
    kind: Annotated[str, typer.Option(help=t("cli.check.kind"))],
    sheet: Annotated[str | None, typer.Option(help=t("cli.check.sheet"))] = None,
    escape_formulas: Annotated[bool, typer.Option("--escape-formulas", help=t("cli.check.escape"))] = False,
    mapping: Annotated[Path | None, typer.Option("--map", help=t("cli.check.map"))] = None,
    platform: Annotated[str | None, typer.Option("--platform", help=t("cli.check.platform"))] = None,
):
    from kit.data import io

    _, report = io.load(file, kind, sheet=sheet, formulas="escape" if escape_formulas else "error", columns=mapping,
                        platform=platform)
    for line in report.lines():  # quotes cells of the file: never read as console markup
        console.print(f"• {line}", highlight=False, markup=False)
    console.print(Text(t("cli.check.ok", file=file, n=report.n_rows, kind=kind), style="green"))


@data_app.command("map", help=t("cli.map.help"))
def data_map(
    file: Annotated[Path, typer.Argument(help=t("cli.check.file"))],
    kind: Annotated[str, typer.Option(help=t("cli.check.kind"))] = "survey_responses",
    out: Annotated[Path | None, typer.Option("--out", help=t("cli.map.out"))] = None,
    sheet: Annotated[str | None, typer.Option(help=t("cli.check.sheet"))] = None,
    mapping: Annotated[Path | None, typer.Option("--map", help=t("cli.map.map"))] = None,
    platform: Annotated[str | None, typer.Option("--platform", help=t("cli.check.platform"))] = None,
):
    from rich.table import Table

    from kit.data import io
    from kit.data.mapping import propose, read_mapping, to_yaml

    found = io.layout(file, kind, sheet=sheet, platform=platform,
                      columns=read_mapping(mapping, kind) if mapping else None)
    proposals = propose(found)
    table = Table(title=t("mapping.table.title", file=file.name), show_lines=False)
    for key in ("header", "field", "how", "examples", "decoded"):
        table.add_column(t(f"mapping.table.{key}"), overflow="fold")
    for p in proposals:  # cells of the file: Text, never read as console markup
        decoded = "; ".join(f"{a} → {v}" for a, v in list(p.decoded.items())[:3])
        table.add_row(Text(p.header), Text(p.field or "—"), Text(t(f"mapping.file.how.{p.how}")),
                      Text(", ".join(p.examples)), Text(decoded))
    console.print(table)
    out = out or file.with_name(f"{file.stem}.map.yml")
    out.write_text(to_yaml(found, proposals), encoding="utf-8")
    console.print(t("mapping.table.wrote", out=out), highlight=False, markup=False)


@data_app.command("docs", help=t("cli.docs.help"))
def data_docs(
    out: Annotated[Path, typer.Option(help=t("cli.docs.out"))] = ROOT / "data" / "README.md",
    check: Annotated[bool, typer.Option("--check", help=t("cli.docs.check"))] = False,
):
    from kit.data.docs import render

    text = render()
    if check:
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            raise KitError("docs_stale", file=out)
        console.print(t("cli.docs.current", file=out))
        return
    out.write_text(text, encoding="utf-8")
    console.print(t("cli.docs.wrote", file=out))


@app.command("handouts", help=t("cli.handouts.help"))
def handouts(
    langs: Annotated[list[str], typer.Option("--lang", help=t("cli.handouts.handout_lang"))] = ["zh", "en"],  # noqa: B006
    modules: Annotated[list[str] | None, typer.Option("--module", help=t("cli.handouts.module"))] = None,
    out: Annotated[Path, typer.Option(help=t("cli.handouts.out"))] = OUT / "handouts",
    executor: Annotated[str | None, typer.Option(help=t("cli.handouts.executor"))] = None,
    workers: Annotated[int | None, typer.Option(min=1, help=t("cli.handouts.workers"))] = None,
):
    from kit.pipeline import handouts as handout_pipeline

    for lang in langs:
        _check_lang(lang)  # before doing any work
    lessons = handout_pipeline.select(modules)
    out = output_folder(out)
    console.print(t("cli.handouts.running", n=len(lessons) * len(set(langs))))
    *pages, index = handout_pipeline.build(out, langs, modules, executor=executor, workers=workers)
    console.print(t("cli.handouts.wrote", n=len(pages)))
    for path in pages:
        console.print(f"  {path}", highlight=False)
    console.print(t("cli.handouts.index", file=index), highlight=False)


@app.command("trainer-pack", help=t("cli.trainer_pack.help"))
def trainer_pack(
    lang: Annotated[str, typer.Option("--lang", help=t("cli.trainer_pack.pack_lang"))] = "both",
    pdf: Annotated[bool, typer.Option("--pdf", help=t("cli.trainer_pack.pdf"))] = False,
    out: Annotated[Path, typer.Option("--out", help=t("cli.trainer_pack.out"))] = OUT / "trainer-pack",
):
    from kit.pipeline import trainerpack

    langs = trainerpack.choose_langs(lang)  # before doing any work
    out = output_folder(out)
    n = len(langs) * len(trainerpack.DOCUMENTS)
    with console.status(t("cli.trainer_pack.printing" if pdf else "cli.trainer_pack.running", n=n)):
        *pages, index = trainerpack.build(out, langs, pdf=pdf)
    console.print(t("cli.trainer_pack.wrote", n=len(pages)))
    for path in pages:
        console.print(f"  {path}", highlight=False)
    console.print(t("cli.trainer_pack.index", file=index), highlight=False)


@app.command("notebooks", help=t("cli.notebooks.help"))
def notebooks():
    from kit import workbooks

    written = workbooks.write()
    console.print(t("cli.notebooks.done", n=len(written), folder=NOTEBOOKS), highlight=False)


@app.command("lab", help=t("cli.lab.help"))
def lab(
    course_lang: Annotated[str | None, typer.Option("--course-lang", help=t("cli.lab.course_lang"))] = None,
    notebooks: Annotated[Path | None, typer.Option(help=t("cli.lab.notebooks"))] = None,
):
    import subprocess

    from kit import lab as jupyterlab

    lang = _check_lang(course_lang or i18n.get_lang())
    notebooks = notebooks or NOTEBOOKS / lang  # the trainee's workbooks, lessons/ and exercises/
    # the launcher's own state, not an output: kept in the checkout's build/, wherever the command runs
    settings = jupyterlab.write_settings(BUILD / "lab" / lang / "settings", lang)
    argv, env = jupyterlab.command(notebooks, settings)
    console.print(t("cli.lab.starting", lang_name=t(f"cli.lab.lang_{lang}"), folder=notebooks), highlight=False)
    raise typer.Exit(subprocess.call(argv, env=env))


@app.command("app", help=t("cli.app.help"))
def lesson_app(
    lesson: Annotated[str, typer.Argument(help=t("cli.app.lesson"))],
    course_lang: Annotated[str | None, typer.Option("--course-lang", help=t("cli.app.course_lang"))] = None,
    trainee_id: Annotated[str, typer.Option(help=t("cli.app.trainee"))] = "demo",
    port: Annotated[int, typer.Option(help=t("cli.app.port"))] = 8866,
):
    import subprocess

    from kit import app as lesson_apps
    from kit import workbooks
    from kit.pipeline.handouts import select
    from kit.release import personalise

    lang = _check_lang(course_lang or i18n.get_lang())
    chosen = select([lesson])[0]
    # the copy Voilà serves is the launcher's own state, not an output: in the checkout's build/ (next to ROOT,
    # where Voilà runs)
    notebook = personalise(workbooks.folder(lang, "lessons") / chosen.path.name,
                           BUILD / "app" / f"{chosen.stem}.{lang}.ipynb", lang=lang,
                           trainee_id=trainee_id)
    console.print(t("cli.app.starting", lesson=chosen.stem, url=f"http://localhost:{port}/"), highlight=False)
    raise typer.Exit(subprocess.call(lesson_apps.command(notebook, port), cwd=ROOT))


@release_app.command("lessons", help=t("cli.release.help"))
def release_lessons(
    roster: Annotated[Path, typer.Option("--roster", help=t("cli.release.roster"))],
    out: Annotated[Path, typer.Option("--out", help=t("cli.release.out"))] = OUT / "release",
    modules: Annotated[list[str] | None, typer.Option("--module", help=t("cli.release.module"))] = None,
    course_lang: Annotated[str | None, typer.Option("--course-lang", help=t("cli.release.course_lang"))] = None,
):
    from kit import release

    trainees = release.roster(roster, _check_lang(course_lang or i18n.get_lang()))
    out = output_folder(out)
    written = release.release_lessons(trainees, out, modules)
    console.print(t("cli.release.done", n=len(written), trainees=len(trainees), out=out), highlight=False)


def _grading_commands() -> None:
    from kit.grading.cli import assign, grade_app

    app.command("assign", help=t("cli.assign.help"))(assign)
    app.add_typer(grade_app, name="grade")


_grading_commands()


def _report_commands() -> None:
    from kit.report_cli import report_app

    app.add_typer(report_app, name="report")


_report_commands()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``kit`` command: user errors become one paragraph and exit status 2."""
    try:
        app(args=argv, prog_name="kit", standalone_mode=True)
    except KitError as error:
        err_console.print(Text.assemble((t("cli.error"), "bold red"), " ", str(error)))
        sys.exit(2)


if __name__ == "__main__":
    main()
