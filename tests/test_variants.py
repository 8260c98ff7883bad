"""Personal data variants of the graded exercises: stable per trainee and seed, different between trainees."""

import json
import re

import pandas as pd
import pytest

from kit.errors import KitError
from kit.grading.variants import EXERCISES, variant
from kit.paths import NOTEBOOKS
from kit.text import data

KEYS = {
    "needs": {"kano", "servqual", "backlog", "weights", "promises"},
    "communication": {"transcripts", "questions", "drafts", "complaint"},
    "recovery": {"tickets", "survey", "cases", "limit", "model", "complaint"},
    "metrics": {"survey", "kpi", "plan"},
    "standards": {"tickets", "pilot", "scenario"},
}


def same(a, b) -> bool:
    """Equal values, DataFrames compared cell by cell (also inside dicts)."""
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
        return isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame) and a.equals(b)
    return a == b


def frames(v: dict) -> dict:
    return {k: x for k, x in v.items() if isinstance(x, pd.DataFrame)}


@pytest.mark.parametrize("exercise", EXERCISES)
def test_variant_has_the_exercise_keys(exercise):
    assert set(variant(exercise, "T001")) == KEYS[exercise]


@pytest.mark.parametrize("exercise", EXERCISES)
def test_same_trainee_and_seed_give_the_same_data(exercise):
    first, again = variant(exercise, "T001", 3), variant(exercise, "T001", 3)
    assert all(same(first[k], again[k]) for k in first)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_trainees_get_different_data(exercise):
    a, b = variant(exercise, "T001"), variant(exercise, "T002")
    assert all(not same(a[k], b[k]) for k in frames(a)), "every table differs between neighbours"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_seeds_give_different_data(exercise):
    a, b = variant(exercise, "T001", 0), variant(exercise, "T001", 1)
    assert all(not same(a[k], b[k]) for k in frames(a))


def test_unknown_exercise_is_a_kit_error():
    with pytest.raises(KitError) as err:
        variant("kano", "T001")
    assert err.value.code == "grading_unknown_exercise" and err.value.params == {"exercise": "kano"}


@pytest.mark.parametrize("exercise", EXERCISES)
def test_master_notebook_binds_every_variant_key(exercise):
    """The setup cell binds each variant entry to a variable of the same name (the grader does the same)."""
    nb = json.loads((NOTEBOOKS / "exercises" / f"{exercise}.ipynb").read_text(encoding="utf-8"))
    setup = "".join(next(c["source"] for c in nb["cells"] if c.get("id") == "setup"))
    assert {line.split(" = ")[0] for line in setup.splitlines() if 'ex.data["' in line} == KEYS[exercise]


@pytest.mark.parametrize("trainee", ["T001", "T002", "demo"])
def test_public_checks_fit_the_variant(trainee):
    """Labelled items and the options of list answers match what each trainee's data can hold."""
    questions = {ex: data(f"exercises/{ex}")["questions"] for ex in EXERCISES}
    needs, communication = variant("needs", trainee), variant("communication", trainee)
    recovery, metrics = variant("recovery", trainee), variant("metrics", trainee)
    assert set(questions["needs"]["q1"]["items"]) == set(needs["kano"]["feature"])
    assert set(needs["backlog"].index) <= set(questions["needs"]["q5"]["options"])
    assert set(communication["transcripts"]["session_id"]) <= set(questions["communication"]["q2"]["options"])
    assert questions["communication"]["q3"]["items"] == communication["questions"]["question_id"].tolist()
    assert set(recovery["tickets"]["root_cause"].dropna()) <= set(questions["recovery"]["q3"]["options"])
    assert questions["recovery"]["q4"]["items"] == recovery["cases"]["case_id"].tolist()
    assert set(metrics["kpi"]["team"]) <= set(questions["metrics"]["q6"]["options"])
    standards = variant("standards", trainee)["scenario"]
    for lang in ("zh", "en"):
        assert questions["standards"]["q3"]["items"] == standards[lang]["blueprint"]["step_id"].tolist()


def test_metrics_variant_mixes_both_ces_wordings():
    survey = variant("metrics", "T001")["survey"]
    assert set(survey["ces_wording"]) == {"effort", "agreement"}
    assert survey["ces"].dropna().between(1, 7).all()


@pytest.mark.parametrize("trainee", ["T001", "T002", "demo"])
def test_standards_variant_says_the_same_in_both_languages(trainee):
    """The grader computes from the Chinese scenario; the English one must give every answer the same."""
    from kit.improvement import pdca_check
    from kit.process import check_blueprint, critical_path, qc_review

    v = variant("standards", trainee)
    zh, en = v["scenario"]["zh"], v["scenario"]["en"]
    gaps = [check_blueprint(s["blueprint"]).table["problems"].tolist() for s in (zh, en)]
    assert gaps[0] == gaps[1] and all(len(g) <= 1 for g in gaps[0])
    low, high = data("exercises/standards")["data"]["gaps"]
    assert low <= sum(bool(g) for g in gaps[0]) <= high
    assert check_blueprint(zh["blueprint"]).ok is False and check_blueprint(zh["blueprint"].assign(
        owner="x", standard="y")).ok, "every lane is used; the only problems are the gaps"
    assert critical_path(zh["plan"]).duration == critical_path(en["plan"]).duration
    verdicts = [qc_review(r["reviewers"], r["team"], r["scores"], r["client_score"], pass_mark=r["pass_mark"])
                for r in (zh["review"], en["review"])]
    assert verdicts[0].reason == verdicts[1].reason and verdicts[0].score == verdicts[1].score
    assert {k: zh["kpi"][k] for k in ("kind", "higher_is_better")} == {k: en["kpi"][k] for k in ("kind", "higher_is_better")}
    pilot = v["pilot"]
    check = pdca_check(pilot.loc[pilot["phase"] == "before", "value"], pilot.loc[pilot["phase"] == "after", "value"],
                       kind=zh["kpi"]["kind"], higher_is_better=zh["kpi"]["higher_is_better"])
    assert not 0.01 <= check.p_value <= 0.2, "no borderline verdict"
    tickets = v["tickets"].set_index("ticket_id")
    assert re.search("[\u4e00-\u9fff]", tickets.loc[zh["case"], "complaint_text"])
    assert not re.search("[\u4e00-\u9fff]", tickets.loc[en["case"], "complaint_text"])


def test_standards_log_leaks_from_the_loop_and_scenarios_differ():
    from kit.improvement import loop_funnel

    a, b = variant("standards", "T001"), variant("standards", "T002")
    for v in (a, b):
        verified = loop_funnel(v["tickets"]).loc["verified"]
        assert verified["n"] < verified["reached"], "some tickets were verified without being classified"
        assert verified["reached"] < v["tickets"]["resolved_at"].notna().sum(), "some follow-up checks were skipped"
    assert any(not a["scenario"]["zh"][k].equals(b["scenario"]["zh"][k]) for k in ("blueprint", "plan"))
    assert a["scenario"]["zh"]["review"] != b["scenario"]["zh"]["review"]
