"""Releasing lessons and exercises to a roster as a trainer exports it: one clean, personalised copy per trainee
and notebook, the workbook in the trainee's language, in a folder whose name the trainee id cannot subvert."""

import subprocess
import sys
from pathlib import Path

import nbformat

from kit import text
from kit.grading.authoring import placeholder
from kit.grading.results import output_name

WORKBOOK_TITLES = {lang: text.load("needs/lesson", lang)["title"].strip() for lang in ("zh", "en")}

KIT = Path(sys.executable).with_name("kit")
ROSTER = "学员编号,姓名,授课语言,培训批次\nT001,张三,中文,2025-A\nT002,Li Si,英文,2025-A\n../bob smith,王五,,2025-A\n"


def parameters(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    return injected[0].source


def test_every_trainee_gets_each_lesson_in_their_language(tmp_path):
    (tmp_path / "名册.csv").write_text(ROSTER, encoding="utf-8-sig")
    done = subprocess.run([str(KIT), "--lang", "zh", "release", "lessons", "--roster", "名册.csv", "--out", "发布",
                           "--module", "needs", "--module", "M4", "--course-lang", "en"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "已为 3 位学员写出 6 份课程副本" in done.stdout
    expected = {("T001", "zh"), ("T002", "en"), ("../bob smith", "en")}  # no language in the roster: --course-lang
    for trainee, lang in expected:
        folder = tmp_path / "发布" / output_name(trainee)
        assert sorted(p.name for p in folder.iterdir()) == [f"01-needs.{lang}.ipynb", f"04-metrics.{lang}.ipynb"]
        source = parameters(folder / f"04-metrics.{lang}.ipynb")
        assert f'lang = "{lang}"' in source and f'trainee_id = "{trainee}"' in source
        first = nbformat.read(folder / f"01-needs.{lang}.ipynb", as_version=4).cells[0]
        assert first.cell_type == "markdown" and first.source.startswith(WORKBOOK_TITLES[lang])  # the workbook
    assert sorted(p.name for p in (tmp_path / "发布").iterdir()) == sorted(output_name(t) for t, _ in expected)


def test_assign_with_a_roster_writes_each_trainee_the_exercise_workbook_in_their_language(tmp_path):
    (tmp_path / "名册.csv").write_text(ROSTER, encoding="utf-8-sig")
    done = subprocess.run([str(KIT), "--lang", "zh", "assign", "needs", "--out", "练习", "--roster", "名册.csv",
                           "--course-lang", "en"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "已为 3 位学员写出 3 份个人练习笔记本" in done.stdout
    for trainee, lang in {("T001", "zh"), ("T002", "en"), ("../bob smith", "en")}:
        path = tmp_path / "练习" / "trainees" / output_name(trainee) / f"needs.{lang}.ipynb"
        assert f'trainee_id = "{trainee}"' in parameters(path)
        nb = nbformat.read(path, as_version=4)
        assert nb.cells[0].source.startswith("# ") and nb.metadata["kit"]["exercise"] == "needs"
        prose = [c for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader")]
        assert [c.source for c in prose] == [placeholder("markdown", lang)]
    assert sorted(p.name for p in (tmp_path / "练习" / "release").iterdir()) == ["en", "zh"]


def test_a_roster_without_ids_is_refused_with_a_clear_message(tmp_path):
    (tmp_path / "r.csv").write_text("姓名\n张三\n", encoding="utf-8")
    done = subprocess.run([str(KIT), "--lang", "en", "release", "lessons", "--roster", "r.csv"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "trainee_id" in done.stderr + done.stdout and "Traceback" not in done.stderr
    assert not (tmp_path / "kit-out").exists() and not (tmp_path / "release").exists()
