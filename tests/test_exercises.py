"""Every exercise, in both languages: the workbook a trainee gets, filled in with the master's model solutions as a
trainee would (code answers in their cells, the memo typed into its Markdown cell), earns full marks through the
real grading path (sandboxed kernel → exported answers → hidden tests in this process), and the untouched
workbook runs cleanly with check() explaining what to do."""

import json

import nbformat
import pytest

from kit import workbooks
from kit.grading.authoring import SOLUTION, masters, read_master, release, strip_block
from kit.grading.autograde import grade
from kit.grading.batch import preload
from kit.grading.results import AUTO
from kit.grading.runner import run_submission
from kit.grading.sandbox import Limits
from kit.paths import ROOT

pytestmark = pytest.mark.slow
CASES = [(exercise, lang) for exercise in sorted(masters()) for lang in ("zh", "en")]
NOT_ANSWERED = {"zh": "尚未作答", "en": "Not answered yet"}


def errors(nb) -> list[str]:
    return [f"{o.get('ename')}: {o.get('evalue')}" for c in nb.cells for o in c.get("outputs", [])
            if o.get("output_type") == "error"]


def solutions(exercise: str) -> dict[str, str]:
    """The model answer of every answer cell of the master, without the markers, by grade_id."""
    found = {}
    for cell in read_master(exercise).cells:
        qid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            inside = cell.source.split(SOLUTION[0], 1)[1].split(SOLUTION[1], 1)[0]
            found[qid] = (strip_block(cell.source, SOLUTION, inside.strip("\n"), where=qid)
                          if cell.cell_type == "code" else inside.strip())
    return found


@pytest.mark.parametrize(("exercise", "lang"), CASES)
def test_a_workbook_filled_in_with_the_model_solutions_earns_full_marks(exercise, lang, tmp_path):
    """The real grading path — sandboxed kernel → exported answers → hidden tests in this process — on the
    workbook a trainee gets, with the master's model answers typed in (the memo into its Markdown cell)."""
    nb = nbformat.read(workbooks.folder(lang, "exercises") / f"{exercise}.ipynb", as_version=4)
    spec = release(exercise, read_master(exercise))[1]
    answers = solutions(exercise)
    for cell in nb.cells:
        qid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = answers[qid]  # typed into the code cell, or into the Markdown cell
    trainee, seed = f"W-{exercise}", 5
    run = run_submission(nb, spec.answers, {"trainee_id": trainee, "seed": seed, "lang": lang}, Limits(), tmp_path,
                         preload=preload(spec), lang=lang)
    assert not run.fault and not errors(run.executed)
    results = grade(spec, run.answers, trainee_id=trainee, seed=seed, lang=lang)
    assert {r.qid: r.reason for r in results if r.kind == AUTO and r.score != r.points} == {}
    [memo] = [r for r in results if r.kind != AUTO]
    assert memo.reason.startswith("✓") and memo.answer == answers[memo.qid]


@pytest.mark.parametrize(("exercise", "lang"), CASES)
def test_untouched_release_runs_and_check_explains(exercise, lang, tmp_path):
    import papermill as pm

    spec = release(exercise, read_master(exercise))[1]
    path = tmp_path / f"{exercise}.ipynb"
    nbformat.write(nbformat.read(workbooks.folder(lang, "exercises") / f"{exercise}.ipynb", as_version=4), path)
    out = pm.execute_notebook(str(path), str(tmp_path / "out.ipynb"), parameters={"lang": lang, "trainee_id": "R1"},
                              kernel_name="python3", progress_bar=False, cwd=str(ROOT))
    assert not errors(out)
    shown = json.dumps([c.get("outputs", []) for c in out.cells], ensure_ascii=False)
    assert shown.count(NOT_ANSWERED[lang]) >= len(spec.questions) - 1


def test_the_standards_model_review_has_the_four_steps_in_order():
    """The model case review (each language under its own #### headings) passes kit.improvement.check_review."""
    import re

    from kit.improvement import check_review

    zh, en = solutions("standards")["q7"].split("*Model answer (English")
    for part in (zh, en):
        sections = re.findall(r"^#### ([^\n]+)\n(.*?)(?=^#### |\Z)", part, re.MULTILINE | re.DOTALL)
        review = check_review(sections)
        assert review.ok and review.present == ("facts", "causes", "lessons", "plan"), review.problems
