"""Notebooks executed headless with papermill, as trainers run them, and exported to HTML."""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from kit.paths import NOTEBOOKS, ROOT, SAMPLE
from kit.pipeline import execute, export_html

SNAPSHOT = NOTEBOOKS / "reports" / "cx-snapshot.ipynb"
PAPERMILL = Path(sys.executable).with_name("papermill")


def errors_in(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [o.get("ename", "") for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]


def markdown_outputs(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(o["data"].get("text/markdown", "") for c in nb.cells for o in c.get("outputs", []) if "data" in o)


def test_snapshot_runs_with_no_parameters_from_the_papermill_command(tmp_path):
    out = tmp_path / "snapshot.ipynb"
    subprocess.run([str(PAPERMILL), str(SNAPSHOT), str(out), "--no-progress-bar"], check=True, cwd=tmp_path,
                   capture_output=True, timeout=600)
    assert errors_in(out) == []
    shown = markdown_outputs(out)
    assert "# Customer experience snapshot" in shown and "5,000 survey responses" in shown


def test_snapshot_on_a_chinese_trainer_export_gives_a_chinese_html_report(tmp_path):
    from kit import io

    survey, _ = io.load(SAMPLE / "survey_responses.csv", "survey_responses")
    export = io.save(survey.head(800), tmp_path / "满意度导出.csv", "survey_responses", lang="zh", encoding="gb18030")
    executed = execute(SNAPSHOT, tmp_path / "out.ipynb", {"lang": "zh", "data_path": str(export)})
    assert errors_in(executed) == []
    html = export_html(executed, tmp_path / "out.html", title="客户体验快照").read_text(encoding="utf-8")
    headings = re.findall(r"<h[12][^>]*>(.*?)<", html)
    assert headings[:2] == ["客户体验快照", "一、数据检查"]
    assert "800 份问卷" in html and "满意度导出.csv" in html
    assert html.count("<img") >= 4, "volume plot and three score distributions"
    assert "text.show(" not in html and "import kit" not in html, "code is hidden"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_snapshot_shows_every_heading_in_its_language(tmp_path, lang):
    from kit.text import load

    executed = execute(SNAPSHOT, tmp_path / f"{lang}.ipynb", {"lang": lang}, cwd=ROOT)
    shown = markdown_outputs(executed)
    for key, value in load("reports/cx-snapshot", lang).items():
        if key.endswith("heading") or key == "title":
            assert value in shown, key
