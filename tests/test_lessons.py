"""Every lesson runs headless in both languages, reads well as a handout, and meets the course's bar:
objectives, a scenario, a closing action plan, at least three interactions and six self-checks."""

import re

import nbformat
import pytest
import yaml

from kit.checks import Quiz
from kit.paths import COURSE, NOTEBOOKS, ROOT
from kit.pipeline import execute, export_html
from kit.widgets import WIDGET_MIME

LESSONS = sorted((NOTEBOOKS / "lessons").glob("[0-9][0-9]-*.ipynb"))
MODULES = {path: path.stem.split("-", 1)[1] for path in LESSONS}
REQUIRED_KEYS = ("title", "objectives", "scenario", "action_plan")
PARAMETERS = {"lang", "trainee_id", "data_path", "seed"}


def test_the_five_modules_and_the_capstone_have_lessons():
    assert sorted(MODULES.values()) == ["capstone", "communication", "metrics", "needs", "recovery", "standards"]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_has_the_parameters_and_the_course_content(path):
    nb = nbformat.read(path, as_version=4)
    parameters = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert set(re.findall(r"^(\w+)\s*=", parameters.source, re.M)) >= PARAMETERS
    module = MODULES[path]
    for lang in ("zh", "en"):
        lesson = yaml.safe_load((COURSE / module / f"lesson.{lang}.yml").read_text(encoding="utf-8"))
        assert all(key in lesson for key in REQUIRED_KEYS), f"{module}/{lang}: needs {REQUIRED_KEYS}"
        assert len(Quiz(module, lang)) >= 6, "at least six self-check questions"
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert len(set(re.findall(rf"widgets\.{module}\.(\w+)\(", source))) >= 3, "at least three interactions"
    assert len(re.findall(r"\.ask\(", source)) >= 6, "at least six self-checks asked"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_runs_headless_and_exports_a_static_handout(tmp_path, path, lang):
    executed = execute(path, tmp_path / f"{path.stem}.{lang}.ipynb", {"lang": lang, "trainee_id": "T042"}, cwd=ROOT)
    nb = nbformat.read(executed, as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    html = export_html(executed, tmp_path / f"{path.stem}.{lang}.html").read_text(encoding="utf-8")
    title = yaml.safe_load((COURSE / MODULES[path] / f"lesson.{lang}.yml").read_text(encoding="utf-8"))["title"]
    assert title.lstrip("# ").strip() in html
    assert WIDGET_MIME not in html, "widgets appear as their static default state"
    assert html.count('class="kit-interactive"') >= 3 and html.count('class="kit-question"') >= 6
    assert "Traceback" not in html
