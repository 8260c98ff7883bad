"""Workbooks: the lesson and exercise notebooks a trainee opens, one per language, made from one template.

A lesson template (``notebooks/lessons/NN-<module>.ipynb``) or exercise master (``notebooks/exercises/<id>.ipynb``)
takes its words from course YAML through ``text.show("key")``, ``ex.show("key")`` and ``quiz.ask("id")``: opened
cold it is a wall of code. Its workbook in one language reads as a document before anything runs:

- a show-call without placeholders becomes a Markdown cell holding its text in that language;
- ``quiz.ask("id", …)`` becomes the question in a Markdown cell, and the call with ``prompt=False`` (the answer
  input and its Check button) in a hidden code cell;
- code that only sets up (tag ``remove-cell``) or renders (``remove-input``) is hidden
  (``metadata.jupyter.source_hidden``); the set-up cells move below the preface (title, introduction,
  objectives: the Markdown before the first section), after a one-line caption saying to run all cells;
- ``lang`` defaults to the workbook's language.

A show-call that fills in the trainee's own numbers stays code (hidden if long) printing the text when run; its
heading is Markdown, so the workbook's outline reads cold. Exercise workbooks are releases
(solutions and hidden tests removed by :func:`kit.grading.authoring.release`). ``kit notebooks`` writes them to
``notebooks/<lang>/lessons`` and ``notebooks/<lang>/exercises``; ``tests/test_workbooks.py`` fails when a
committed workbook is stale.
"""

from __future__ import annotations

import ast
import copy
import re
from pathlib import Path

import nbformat

from kit import glossary, text
from kit.errors import KitError
from kit.i18n import LANGS, t
from kit.paths import NOTEBOOKS

LESSONS = NOTEBOOKS / "lessons"
EXERCISES = NOTEBOOKS / "exercises"
HIDDEN_TAGS = {"remove-cell", "remove-input"}
_LANG_DEFAULT = re.compile(r'^lang = "\w+"', re.MULTILINE)


def lesson_templates() -> list[Path]:
    return sorted(LESSONS.glob("[0-9][0-9]-*.ipynb"))


def exercise_masters() -> list[Path]:
    return sorted(EXERCISES.glob("*.ipynb"))


def folder(lang: str, kind: str) -> Path:
    """Where the workbooks of ``kind`` ("lessons" or "exercises") in ``lang`` live."""
    return NOTEBOOKS / lang / kind


def lesson(template: Path, lang: str) -> nbformat.NotebookNode:
    """The workbook of lesson ``template`` (``NN-<module>.ipynb``) in ``lang``."""
    module = template.stem.split("-", 1)[1]
    nb = nbformat.read(template, as_version=4)
    return localise(nb, lang, texts={"text": text.load(f"{module}/lesson", lang)}, quiz=module, name=template.name)


def exercise(master: Path, lang: str) -> nbformat.NotebookNode:
    """The release of exercise ``master`` in ``lang``: localised, then solutions and hidden tests removed."""
    from kit.grading.authoring import release

    nb = localise(nbformat.read(master, as_version=4), lang,
                  texts={"ex": text.load(f"exercises/{master.stem}", lang)}, name=master.name)
    return release(master.stem, nb, lang)[0]


def localise(nb, lang: str, texts: dict, quiz: str | None = None, name: str = "") -> nbformat.NotebookNode:
    """``nb`` as a workbook in ``lang`` (see the module docstring). ``texts`` maps the variable a template
    calls ``.show`` on to its :class:`kit.text.Text`; ``quiz`` is the module whose question bank ``quiz.ask``
    reads; ``name`` names the notebook in errors."""
    from kit.checks import Quiz

    bank = Quiz(quiz, lang) if quiz else None
    setup, body = [], []
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "code" and not body and (tags & {"parameters", "remove-cell"}):
            setup.append(_hidden(_with_lang(cell, lang)))
            continue
        body += _cells(cell, texts, bank) if cell.cell_type == "code" else [copy.deepcopy(cell)]
    caption = nbformat.v4.new_markdown_cell(t("workbook.run_all", lang))
    out = copy.deepcopy(nb)
    opening = _opening(body, lang)
    out.cells = body[:opening] + [caption, *setup] + body[opening:]
    _check_terms(out, lang, name)
    for index, cell in enumerate(out.cells):
        cell["id"] = f"{lang}-{index:03d}"
    out.metadata["language_info"] = {"name": "python"}
    out.metadata["kit"] = {**out.metadata.get("kit", {}), "lang": lang}
    return out


def _opening(cells, lang: str) -> int:
    """How many cells the preface takes: the title and the Markdown after it (introduction, objectives), up to
    the first section (``## …``), question or code."""
    question = t("workbook.question", lang)
    for index, cell in enumerate(cells):
        source = cell.source.lstrip()
        if index and (cell.cell_type != "markdown" or source.startswith(("## ", question))):
            return index
    return len(cells)


def _check_terms(nb, lang: str, name: str) -> None:
    """Refuse a workbook whose Markdown strays from the course glossary (:func:`kit.glossary.stray`)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line, found, term in glossary.stray(cell.source, lang):
                raise KitError("workbook_off_glossary", language=lang, notebook=name, found=found, term=term,
                               line=line[:80])


def _cells(cell, texts: dict, bank) -> list:
    """The workbook cells that stand for template code cell ``cell``: runs of static text as Markdown, the
    rest as code keeping the cell's metadata."""
    try:
        statements = ast.parse(cell.source).body
    except SyntaxError:
        return [_code(cell, cell.source)]
    lines = cell.source.splitlines()
    out, code, markdown, start = [], [], [], 0

    def flush_code():
        if code:
            out.append(_code(cell, "\n".join(code).strip("\n")))
            code.clear()

    def flush_markdown():
        if markdown:
            out.append(nbformat.v4.new_markdown_cell("\n\n".join(markdown)))
            markdown.clear()

    for statement in statements:
        segment = lines[start:statement.end_lineno]
        start = statement.end_lineno
        static = _static_show(statement, texts)
        if static is not None:
            flush_code()
            markdown.append(static.strip())
            continue
        personal = _personal_show(statement, texts)
        if personal is not None:  # the heading now, the text with the trainee's numbers when run
            heading, call = personal
            flush_code()
            markdown.append(heading)
            flush_markdown()
            source = ast.get_source_segment(cell.source, statement)
            out.append(_code(cell, source[:-1].rstrip().rstrip(",") + ", heading=False)", tag=len(source) > 80))
            continue
        question = _question(statement, bank)
        if question is not None:
            flush_code()
            markdown.append(question)
            flush_markdown()
            call = ast.get_source_segment(cell.source, statement)
            out.append(_hidden(_code(cell, call[:-1].rstrip().rstrip(",") + ", prompt=False)", tag=True)))
            continue
        flush_markdown()
        code += segment
    flush_markdown()
    if "".join(lines[start:]).strip():  # comments after the last statement (e.g. "### END SOLUTION")
        code += lines[start:]
    flush_code()
    return out


def _call(statement, name: str, method: str):
    """The call ``name.method("literal", …)`` that ``statement`` is, else None."""
    call = getattr(statement, "value", None) if isinstance(statement, ast.Expr) else None
    if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == method
            and isinstance(call.func.value, ast.Name) and call.func.value.id == name and call.args
            and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)):
        return call
    return None


def _static_show(statement, texts: dict) -> str | None:
    for name, doc in texts.items():
        call = _call(statement, name, "show")
        if call is not None and not call.keywords and len(call.args) == 1:
            return doc[call.args[0].value]
    return None


def _personal_show(statement, texts: dict):
    """(heading, call) for a show-call with placeholders whose text opens with a heading, else None."""
    for name, doc in texts.items():
        call = _call(statement, name, "show")
        if call is not None and call.keywords and doc.heading(call.args[0].value):
            return doc.heading(call.args[0].value), call
    return None


def _question(statement, bank) -> str | None:
    call = _call(statement, "quiz", "ask") if bank is not None else None
    if call is None:
        return None
    prompt = bank.question(call.args[0].value).text["prompt"]
    return f"{t('workbook.question', bank.lang)} {text.escape_markdown(prompt)}"


def _code(cell, source: str, tag: bool = False):
    new = nbformat.v4.new_code_cell(source, metadata=copy.deepcopy(cell.metadata))
    if tag:
        new.metadata["tags"] = sorted(set(new.metadata.get("tags", [])) | {"remove-input"})
    return _hidden(new) if HIDDEN_TAGS & set(new.metadata.get("tags", [])) else new


def _hidden(cell):
    cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    return cell


def _with_lang(cell, lang: str):
    cell = copy.deepcopy(cell)
    cell.source = _LANG_DEFAULT.sub(f'lang = "{lang}"', cell.source)
    return cell


def build() -> dict[Path, nbformat.NotebookNode]:
    """Every workbook, by the path it is committed at."""
    out = {}
    for lang in LANGS:
        out |= {folder(lang, "lessons") / p.name: lesson(p, lang) for p in lesson_templates()}
        out |= {folder(lang, "exercises") / p.name: exercise(p, lang) for p in exercise_masters()}
    return out


def write() -> list[Path]:
    """Write every workbook (``kit notebooks``); returns the paths written."""
    written = []
    for path, nb in build().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        written.append(path)
    return written


def stale() -> list[Path]:
    """The committed workbooks that differ from what :func:`build` makes now (or are missing)."""
    return [path for path, nb in build().items() if stale_file(path, nb)]


def stale_file(path: Path, nb) -> bool:
    """Whether the file at ``path`` is missing or differs from workbook ``nb``."""
    return not path.exists() or path.read_text(encoding="utf-8") != nbformat.writes(nb) + "\n"
