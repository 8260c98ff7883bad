"""Every report notebook runs headless from the papermill command with no parameters at all, as a trainer
first tries it: its `parameters` cell defaults run on the committed sample data."""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from kit.paths import NOTEBOOKS

PAPERMILL = Path(sys.executable).with_name("papermill")
REPORTS = sorted((NOTEBOOKS / "reports").glob("*.ipynb"))


def test_the_three_reports_are_there():
    assert [p.stem for p in REPORTS] == ["cohort-report", "cx-report", "trainee-report"]


@pytest.mark.parametrize("notebook", REPORTS, ids=lambda p: p.stem)
def test_runs_with_no_parameters_from_the_papermill_command(tmp_path, notebook):
    out = tmp_path / notebook.name
    subprocess.run([str(PAPERMILL), str(notebook), str(out), "--no-progress-bar"], check=True, cwd=tmp_path,
                   capture_output=True, timeout=600)
    nb = nbformat.read(out, as_version=4)
    assert [o.get("ename") for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"] == []
    shown = "\n".join(o["data"].get("text/markdown", "") for c in nb.cells for o in c.get("outputs", []) if "data" in o)
    headings = [line for line in shown.splitlines() if line.startswith("#")]
    assert headings and not any(h.startswith("# ") for h in headings), "titled once, by the exported page's header"
    assert any(word in headings[0] for word in ("摘要", "Summary", "一览", "At a glance")), "the summary comes first"
