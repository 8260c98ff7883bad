"""Workbooks: the lesson and exercise notebooks a trainee opens, per language, read as documents before any cell
runs, and stay what the templates and course text make (staleness)."""

import ast
import re

import nbformat
import pytest

from kit import text, workbooks
from kit.errors import KitError
from kit.grading.authoring import HIDDEN, SOLUTION, placeholder
from kit.grading.exercise import Exercise
from kit.grading.runner import written_answers
from kit.i18n import LANGS, set_lang

BUILT = workbooks.build()
PATHS = sorted(BUILT)


def test_every_template_has_a_workbook_in_every_language():
    assert len(PATHS) == len(LANGS) * (len(workbooks.lesson_templates()) + len(workbooks.exercise_masters())) == 24
    for lang in LANGS:
        assert {p.name for p in workbooks.folder(lang, "lessons").glob("*.ipynb")} == \
            {p.name for p in workbooks.lesson_templates()}


def test_committed_workbooks_are_not_stale():
    stale = [path for path, nb in BUILT.items() if workbooks.stale_file(path, nb)]
    assert stale == [], "run `kit notebooks` (make notebooks) and commit the workbooks"


def test_a_changed_course_text_makes_the_workbook_stale(monkeypatch):
    template = workbooks.lesson_templates()[0]
    doc = text.load(f"{template.stem.split('-', 1)[1]}/lesson", "zh")
    changed = text.Text(doc.doc, "zh", {**doc, "title": "# 改过的标题"})
    load = text.load
    monkeypatch.setattr(text, "load", lambda name, lang: changed if (name, lang) == (doc.doc, "zh") else load(name, lang))
    assert workbooks.stale() == [workbooks.folder("zh", "lessons") / template.name]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: "/".join(p.parts[-3:]))
def test_a_workbook_opens_with_its_title_and_text_before_any_code(path):
    cells = BUILT[path].cells
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# ")
    assert cells[1].cell_type == "markdown"
    caption = next(i for i, c in enumerate(cells) if c.source.startswith("▶"))
    assert caption < next(i for i, c in enumerate(cells) if c.cell_type == "code")


@pytest.mark.parametrize("path", PATHS, ids=lambda p: "/".join(p.parts[-3:]))
def test_plumbing_is_hidden_and_no_static_text_is_left_in_code(path):
    nb, lang = BUILT[path], path.parts[-3]
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = set(cell.metadata.get("tags", []))
        if tags & {"parameters", "remove-cell", "remove-input"}:
            assert cell.metadata["jupyter"]["source_hidden"] is True, cell.source
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("show", "ask"):
                keywords = {k.arg for k in node.keywords}
                assert keywords, f"static text left as code: {ast.unparse(node)}"
                if node.func.attr == "ask":
                    assert "prompt" in keywords
        if "parameters" in tags:
            assert re.search(rf'^lang = "{lang}"', cell.source, re.MULTILINE)


@pytest.mark.parametrize("kind", ["lessons", "exercises"])
def test_the_two_languages_have_the_same_cells_and_the_same_code(kind):
    for name in {p.name for p in PATHS if p.parts[-2] == kind}:
        zh, en = (BUILT[workbooks.folder(lang, kind) / name] for lang in ("zh", "en"))
        assert [c.cell_type for c in zh.cells] == [c.cell_type for c in en.cells], name
        for a, b in zip(zh.cells, en.cells, strict=True):
            if a.cell_type == "code":
                same = re.sub(r'^lang = "zh"', 'lang = "en"', a.source, flags=re.MULTILINE)
                assert same.replace("# 在此作答", "# YOUR ANSWER HERE") == b.source


@pytest.mark.parametrize("lang", LANGS)
def test_an_exercise_workbook_is_a_release_with_markdown_questions_and_answer_cells(lang):
    for master in workbooks.exercise_masters():
        nb = BUILT[workbooks.folder(lang, "exercises") / master.name]
        source = nbformat.writes(nb)
        for marker in (*SOLUTION, *HIDDEN):
            assert marker not in source
        prose = [c for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")]
        assert len(prose) == 1 and prose[0].source == placeholder("markdown", lang)
        headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("###")]
        assert len(headings) >= 5, headings  # every question's heading reads cold


def test_a_show_call_with_personal_numbers_keeps_its_heading_in_markdown():
    nb = BUILT[workbooks.folder("en", "exercises") / "needs.ipynb"]
    index = next(i for i, c in enumerate(nb.cells) if 'ex.show("q5"' in c.source)
    assert nb.cells[index - 1].cell_type == "markdown" and nb.cells[index - 1].source.startswith("### Q5")
    assert "heading=False" in nb.cells[index].source


def test_markdown_answers_are_read_from_the_file_and_a_placeholder_is_no_answer():
    def cell(qid, source):
        return nbformat.v4.new_markdown_cell(source, metadata={"nbgrader": {"grade_id": qid, "solution": True}})

    memo = "先保障基础需求。" * 20
    nb = nbformat.v4.new_notebook(cells=[cell("q6", memo), cell("q7", placeholder("markdown", "zh")),
                                         cell("q8", "   "), cell("other", "not asked"),
                                         cell("q9", f"{SOLUTION[0]}\nmodel answer\n{SOLUTION[1]}")])
    forms = {q: {"form": "text"} for q in ("q6", "q7", "q8", "q9")}
    found = written_answers(nb, forms, budget=100_000)
    assert found == {"q6": {"json": memo}, "q9": {"json": "model answer"}}
    refused = written_answers(nb, {"q6": {"form": "text"}}, budget=10)
    assert refused["q6"]["refused"] == "total"


def test_check_skips_an_answer_written_in_markdown_and_says_why_when_asked():
    ex = Exercise("needs", lang="en")  # sets the session language, as in a notebook
    try:
        outcomes = ex.check(namespace={})
        assert len(outcomes) == len(ex.config["questions"]) - 1
        with pytest.raises(KitError, match="Markdown cell"):
            ex.check("q6", namespace={})
    finally:
        set_lang(None)


def test_a_workbook_that_strays_from_the_glossary_is_refused():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 标题\n\n被动者（7–8 分）只计入总数。")])
    with pytest.raises(KitError, match="中立者"):
        workbooks.localise(nb, "zh", texts={}, name="x.ipynb")
