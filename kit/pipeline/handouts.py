"""Lesson handouts: each lesson run headlessly on the sample data, exported as a printable HTML page.

For every lesson (``notebooks/lessons/NN-module.ipynb``) and language, papermill executes the lesson with
``lang`` injected (the other parameters keep their defaults, so it runs on the committed sample data), and
:func:`kit.pipeline.export_html` exports it with the kit's template: a title header, a table of contents,
print CSS, widgets in their default state, and code hidden by the cells' tags (``remove-cell``,
``remove-input``/``hide-input``, ``remove-output``), so a worked example tagged to stay visible shows its
code. An ``index.html`` in the same look links every handout, grouped by language.

Lessons run in parallel on :func:`kit.pipeline.executors.executor` (a local process pool, or a Dask
cluster), with a progress bar. Layout of ``out_dir``::

    index.html                  links to every handout (one page, a section per language)
    01-needs.zh.html …          one handout per lesson and language
    executed/01-needs.zh.ipynb  the executed notebooks (kept: a failing lesson stops at its failing cell)
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kit.errors import KitError
from kit.paths import NOTEBOOKS, ROOT

LESSONS = NOTEBOOKS / "lessons"
LANGS = ("zh", "en")


@dataclass(frozen=True)
class Lesson:
    """A lesson notebook: ``01-needs.ipynb`` is lesson 1 of module ``needs`` (course code ``M1``)."""

    path: Path
    number: int
    module: str

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def code(self) -> str:
        return f"M{self.number}"

    def names(self) -> set[str]:
        """Every name the lesson answers to, lower case: ``01-needs``, ``needs``, ``m1``, ``1``, ``01``."""
        return {self.stem.lower(), self.module.lower(), self.code.lower(), str(self.number), f"{self.number:02d}"}

    def title(self, lang: str) -> str:
        """The lesson's title in ``lang``, from its course text (without the Markdown ``#``)."""
        from kit import text

        return str(text.load(f"{self.module}/lesson", lang)["title"]).lstrip("#").strip()


@dataclass(frozen=True)
class Task:
    """One handout to build (picklable: it travels to a worker process or a Dask worker)."""

    notebook: str
    stem: str
    number: int
    module: str
    title: str
    lang: str
    out: str


def lessons() -> list[Lesson]:
    """The lesson notebooks, in course order."""
    found = []
    for path in sorted(LESSONS.glob("[0-9][0-9]-*.ipynb")):
        number, module = path.stem.split("-", 1)
        found.append(Lesson(path, int(number), module))
    return found


def select(modules: Iterable[str] | None = None) -> list[Lesson]:
    """The lessons of ``modules`` (all when None or empty), each given as ``01-needs``, ``needs``, ``M1`` or ``1``;
    an unknown name is a KitError listing the choices."""
    every = lessons()
    if not modules:
        return every
    chosen = []
    for name in modules:
        match = [lesson for lesson in every if str(name).strip().lower() in lesson.names()]
        if not match:
            choices = ", ".join(f"{lesson.module} ({lesson.code}, {lesson.stem})" for lesson in every)
            raise KitError("unknown_module", value=name, modules=choices)
        chosen += [lesson for lesson in match if lesson not in chosen]
    return sorted(chosen, key=lambda lesson: lesson.number)


def build(out_dir: str | Path, langs: Sequence[str] = LANGS, modules: Iterable[str] | None = None,
          executor: str | None = None, workers: int | None = None, *, progress: bool = True) -> list[Path]:
    """Build the handouts of ``modules`` (default: every lesson) in each of ``langs`` into ``out_dir`` and
    an ``index.html`` linking them; returns the handout pages in course order, then the index.

    ``executor`` is None / ``"local"`` (a process pool of ``workers``, default one per CPU) or
    ``dask://HOST:PORT``. A lesson that fails raises :class:`KitError` naming the lesson and the executed
    copy to open, after the other lessons have finished."""
    from concurrent.futures import as_completed

    from tqdm.auto import tqdm

    from kit.pipeline.executors import check_address, default_workers
    from kit.pipeline.executors import executor as open_executor
    from kit.pipeline.warm import LESSONS, warm_kernels

    for lang in langs:
        if lang not in LANGS:
            raise KitError("unknown_lang", value=lang)
    langs = list(dict.fromkeys(langs))
    chosen = select(modules)
    check_address(executor)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tasks = [Task(str(lesson.path), lesson.stem, lesson.number, lesson.module, lesson.title(lang), lang, str(out))
             for lang in langs for lesson in chosen]
    if executor in (None, "", "local"):
        workers = min(workers or default_workers(), len(tasks))
    pages: dict[Task, Path] = {}
    failures: list[tuple[Task, KitError]] = []
    with warm_kernels(LESSONS, executor=executor), open_executor(executor, workers) as pool, \
            tqdm(total=len(tasks), unit="handout", disable=not progress) as bar:
        futures = {pool.submit(build_one, task): task for task in tasks}
        for future in as_completed(futures):
            task = futures[future]
            try:
                pages[task] = Path(future.result())
            except KitError as error:
                failures.append((task, error))
                bar.write(str(error))
            bar.set_postfix_str(f"{task.stem}.{task.lang}")
            bar.update()
    if failures:
        raise min(failures, key=lambda failure: tasks.index(failure[0]))[1]
    handouts = [pages[task] for task in tasks]
    return handouts + [write_index(out, [(task, pages[task]) for task in tasks], langs)]


def build_one(task: Task) -> str:
    """Execute one lesson in ``task.lang`` and export its handout; returns the HTML path. Runs in a worker,
    so anything that goes wrong comes back as a (picklable) KitError."""
    from kit.i18n import t
    from kit.pipeline import execute, export_html

    out = Path(task.out)
    executed = out / "executed" / f"{task.stem}.{task.lang}.ipynb"
    try:
        execute(task.notebook, executed, {"lang": task.lang}, cwd=ROOT)
        page = export_html(executed, out / f"{task.stem}.{task.lang}.html", title=task.title,
                           subtitle=t("handouts.subtitle", task.lang, number=task.number, module=f"M{task.number}"),
                           series=t("handouts.series", task.lang), lang=task.lang, hide_code="tags")
    except KitError:
        raise
    except Exception as error:  # papermill's errors do not survive pickling: pass on their text
        raise KitError("handout_failed", lesson=task.stem, language=task.lang, notebook=executed,
                       error=_one_line(error)) from None
    return str(page)


def write_index(out: Path, pages: Sequence[tuple[Task, Path]], langs: Sequence[str]) -> Path:
    """``out/index.html``: one section per language linking its handouts (relative links), in the kit's look."""
    import nbformat.v4 as nbf

    from kit.i18n import t
    from kit.pipeline.export import HTML_LANG, export_html

    cells = []
    for lang in langs:
        items = "\n".join(
            f'<li><a href="{html.escape(page.relative_to(out).as_posix())}">{html.escape(task.title)}</a>'
            f' <span class="kit-module">{html.escape(t("handouts.module", lang, module=f"M{task.number}"))}</span></li>'
            for task, page in pages if task.lang == lang)
        section = (f'<section class="kit-handouts" lang="{HTML_LANG[lang]}">'
                   f'<h2>{html.escape(t("handouts.language_heading", lang))}</h2>'
                   f'<p>{html.escape(t("handouts.index_intro", lang))}</p>\n<ul>\n{items}\n</ul></section>')
        output = nbf.new_output("display_data", data={"text/html": section, "text/plain": ""})
        cells.append(nbf.new_code_cell("", outputs=[output]))
    page_lang = "zh" if "zh" in langs else langs[0]
    title = " · ".join(t("handouts.index_title", lang) for lang in langs)
    series = " · ".join(t("handouts.series", lang) for lang in langs)
    nb = nbf.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    return export_html(nb, out / "index.html", title=title, series=series, lang=page_lang, page_breaks=False,
                       subtitle=t("handouts.index_subtitle", page_lang, n=len(pages)))


def _one_line(error: Exception) -> str:
    """``Name: message`` of an exception on one line, without ANSI colours (papermill's tracebacks have them)."""
    name = getattr(error, "ename", None) or type(error).__name__
    message = getattr(error, "evalue", None) or str(error)
    message = re.sub(r"\x1b\[[0-9;]*m", "", str(message))
    return f"{name}: {' '.join(message.split())}"[:500]
