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
ALWAYS_SET = {"capstone": {"q6_fields"}}  # a fixed answer cell that sets a value even when nothing is answered


def errors(nb) -> list[str]:
    return [f"{o.get('ename')}: {o.get('evalue')}" for c in nb.cells for o in c.get("outputs", [])
            if o.get("output_type") == "error"]


def solutions(exercise: str) -> dict[str, str]:
    """The model answer of every answer cell of the master, without the markers, by grade_id (a fixed answer cell,
    without a solution block, as it is)."""
    found = {}
    for cell in read_master(exercise).cells:
        qid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            if SOLUTION[0] not in cell.source:
                found[qid] = cell.source
                continue
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
    memos = [r for r in results if r.kind != AUTO]
    assert memos and all(memo.reason.startswith("✓") for memo in memos)
    for memo in memos:  # kept whole: the memo as typed into its Markdown cell, a code answer as the text it sets
        written = spec.question(memo.qid).form.get("cell") == "markdown"
        assert memo.answer == (answers[memo.qid] if written else run.answers[memo.qid])


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
    checked = [q for q in spec.answers if spec.question(q).kind == AUTO and q not in ALWAYS_SET.get(exercise, ())]
    assert shown.count(NOT_ANSWERED[lang]) >= len(checked)


def test_the_standards_model_review_has_the_four_steps_in_order():
    """The model case review (each language under its own #### headings) passes kit.improvement.check_review."""
    import re

    from kit.improvement import check_review

    zh, en = solutions("standards")["q7"].split("*Model answer (English")
    for part in (zh, en):
        sections = re.findall(r"^#### ([^\n]+)\n(.*?)(?=^#### |\Z)", part, re.MULTILINE | re.DOTALL)
        review = check_review(sections)
        assert review.ok and review.present == ("facts", "causes", "lessons", "plan"), review.problems


def test_the_capstone_model_plan_fills_all_seven_fields_in_each_language():
    from kit.actionplan import completeness, smart_quality
    from kit.actionplan.template import plan_sections

    zh, en = solutions("capstone")["q6"].split("*Model answer (English")
    for part in (zh, en):
        sections = plan_sections(part)
        assert completeness(sections).share == 1 and completeness(sections).extra == ()
        assert smart_quality(sections).is_smart


def test_the_capstone_model_goal_is_smart_for_every_focus_ability():
    """The model q5 builds its goal from the trainee's lowest-rated ability: SMART whichever it is."""
    import pandas as pd

    import kit
    from kit.actionplan import ABILITIES, parse_smart
    from kit.ninegrid import ability_name

    source = solutions("capstone")["q5"]
    for ability in ABILITIES:
        ninegrid = pd.DataFrame({"ability": ABILITIES, "rating": [1 if a == ability else 4 for a in ABILITIES]})
        for lang in ("zh", "en"):
            ns = {"kit": kit, "ninegrid": ninegrid, "lang": lang}
            exec(source, ns)  # noqa: S102 - the master's own model answer
            assert ns["q5"].startswith(ability_name(ability, lang)) and parse_smart(ns["q5"]).is_smart, ns["q5"]


def test_capstone_goal_and_plan_earn_their_automatic_points_and_are_kept_whole(tmp_path):
    """q5_smart scores q5 by the SMART checker and q6_fields scores q6's headings (6 or 7 fields: full; fewer:
    the share); a blank submission scores 0; q5 and q6 stay whole in the gradebook, so the cohort report can
    compute template completeness and SMART quality from them."""
    from kit.actionplan import TEMPLATE_FIELDS, completeness, parse_smart
    from kit.actionplan.template import plan_sections
    from kit.grading.authoring import build_spec
    from kit.grading.gradebook import Gradebook
    from kit.grading.results import GRADED, SubmissionResult
    from kit.i18n import set_lang

    spec = build_spec("capstone", read_master("capstone"))
    plan = solutions("capstone")["q6"]
    fields = list(TEMPLATE_FIELDS)

    def graded(answers, lang="en"):
        set_lang(lang)  # as the judge does before grading
        try:
            return {r.qid: r for r in grade(spec, answers, trainee_id="T001", seed=0, lang=lang)}
        finally:
            set_lang(None)

    goal = "Crisis response: raise the pass rate in crisis drills from 60% to 80% within 3 months"
    long_plan = plan + "\n\n" + "x" * 3000  # beyond what an automatic answer keeps
    full = graded({"q5": goal, "q5_smart": goal, "q6": long_plan, "q6_fields": fields})
    assert (full["q5_smart"].score, full["q6_fields"].score) == (1, 2)
    assert full["q5"].score is None and full["q6"].score is None and full["q6"].reason.startswith("✓")

    sections = plan.split("*Model answer (English")[0].strip().split("\n#### ")  # the Chinese plan's seven
    six, five = "\n#### ".join(sections[:-1]), "\n#### ".join(sections[:-2])
    assert completeness(plan_sections(six)).share == round(6 / 7, 4)
    assert graded({"q5": goal, "q5_smart": goal, "q6": six, "q6_fields": fields})["q6_fields"].score == 2
    partly = graded({"q5": "Be more friendly", "q5_smart": "Be more friendly", "q6": five, "q6_fields": fields}, "zh")
    assert partly["q6_fields"].score == pytest.approx(2 * 5 / 7, abs=1e-6)
    assert partly["q5_smart"].score == 0 and "S（具体）" in partly["q5_smart"].reason

    blank = graded({"q6_fields": fields})  # the untouched workbook: only the fixed cell's value arrives
    assert sum(r.score or 0 for r in blank.values()) == 0
    assert blank["q5"].score is None and blank["q6"].score is None

    url = f"sqlite:///{tmp_path / 'gradebook.sqlite'}"
    with Gradebook(url) as book:
        book.record(SubmissionResult("capstone", "T001", "hash", GRADED, questions=tuple(full.values())))
        kept = book.grades("capstone").set_index("question")["answer"]
    assert kept["q6"] == long_plan and kept["q5"] == goal
    assert completeness(plan_sections(kept["q6"])).share == 1 and parse_smart(kept["q5"]).is_smart
