"""The project's own files: dependency lists agree, notebooks are clean, docs are current, import is light."""

import json
import re
import subprocess
import sys
import tomllib

import nbformat
import pytest
import yaml

from kit.paths import NOTEBOOKS, ROOT


def requirement_name(req: str) -> str:
    name = re.split(r"[<>=!~ \[;#]", req.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {requirement_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = [], []
    for dep in env["dependencies"]:
        (pip.extend(dep["pip"]) if isinstance(dep, dict) else conda.append(dep))
    listed = {requirement_name(d) for d in conda + pip if not d.startswith("-e")} - {"python", "pip"}
    assert listed == wanted
    assert "-e ." in pip, "environment.yml must install the kit itself"
    bounds = {requirement_name(r): r.replace(" ", "") for r in project["dependencies"]}
    for dep in conda:
        if requirement_name(dep) in bounds:
            assert dep.replace(" ", "").lower() == bounds[requirement_name(dep)].lower(), dep


NOTEBOOK_FILES = sorted(NOTEBOOKS.rglob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: str(p.relative_to(NOTEBOOKS)))
def test_committed_notebooks_are_clean_and_parameterised(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "commit notebooks without outputs"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is code[0], "exactly one parameters cell, the first code cell"


def test_data_readme_is_generated_from_the_schemas():
    from kit.data.docs import render

    assert (ROOT / "data" / "README.md").read_text(encoding="utf-8") == render(), "run `kit data docs`"


def test_import_kit_is_light():
    probe = "import sys, kit; heavy = {'pandas', 'numpy', 'matplotlib', 'papermill', 'seaborn', 'yaml'}; print(json.dumps(sorted(heavy & set(sys.modules))))"
    out = subprocess.run([sys.executable, "-c", "import json;" + probe], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_readme_and_ci_use_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_the_test_command_runs_each_expensive_group_on_one_worker(tmp_path):
    """`make test` shares expensive fixtures (a graded hostile cohort, executed reports) through
    ``xdist_group`` and ``--dist loadgroup``; if the installed pytest/xdist pair stops grouping (pytest 9.2 with
    xdist 3.8 did), every group's fixture runs on every worker and the suite doubles its time."""
    (tmp_path / "test_grouped.py").write_text(
        "import os, pytest\n"
        "pytestmark = pytest.mark.xdist_group('shared')\n"
        "@pytest.fixture(scope='module')\n"
        "def shared(tmp_path_factory):\n"
        "    (tmp_path_factory.getbasetemp().parent / os.environ['PYTEST_XDIST_WORKER']).touch()\n"
        "@pytest.mark.parametrize('i', range(12))\n"
        "def test_uses(shared, i):\n"
        "    pass\n", encoding="utf-8")
    (tmp_path / "test_other.py").write_text("import pytest\n@pytest.mark.parametrize('i', range(12))\n"
                                            "def test_free(i):\n    pass\n", encoding="utf-8")
    base = tmp_path / "base"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup", "-p",
                           "no:cacheprovider", f"--basetemp={base}", str(tmp_path)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [p.name for p in base.glob("gw*")] in (["gw0"], ["gw1"]), "the group fixture ran on more than one worker"
