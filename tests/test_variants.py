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
    "capstone": {"ninegrid", "scheme", "scenario"},
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
    capstone, asked = variant("capstone", trainee), questions["capstone"]
    assert set(capstone["ninegrid"]["ability"]) == set(asked["q1"]["options"])
    for lang in ("zh", "en"):
        scenario = capstone["scenario"][lang]
        assert asked["q2"]["items"] == scenario["goals"]["goal_id"].tolist()
        assert asked["q3"]["items"] == scenario["raci"].index.tolist() == list(scenario["tasks"])
        assert asked["q4"]["items"] == scenario["actions"]["action_id"].tolist()
    from kit.actionplan import HORIZONS, TEMPLATE_FIELDS

    assert set(asked["q4"]["options"]) == {code for bounds in HORIZONS.values() for code in bounds}
    assert asked["q6_fields"]["options"] == list(TEMPLATE_FIELDS)


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


def _first_missing(goal: str) -> str:
    from kit.actionplan import parse_smart

    missing = parse_smart(goal).missing
    return missing[0] if missing else "none"


def test_capstone_goal_pool_parses_alike_in_both_languages_and_as_filed():
    """Every goal of the pool lacks first the SMART part it is filed under, in Chinese and in English, and
    depends on no date (durations only), so the grading day changes nothing."""
    from kit.actionplan import parse_smart

    pools = data("exercises/capstone")["data"]["goals"]
    assert set(pools) == {"S", "M", "T", "none"}
    for kind, goals in pools.items():
        assert len(goals) >= 5, kind
        for goal in goals:
            assert re.search("[\u4e00-\u9fff]", goal["zh"]) and not re.search("[\u4e00-\u9fff]", goal["en"])
            assert _first_missing(goal["zh"]) == _first_missing(goal["en"]) == kind, goal
            for text in (goal["zh"], goal["en"]):
                assert parse_smart(text, today="2026-01-01").missing == parse_smart(text, today="2031-07-01").missing


@pytest.mark.parametrize("trainee", ["T001", "T002", "demo", "W-capstone"])
def test_capstone_variant_says_the_same_in_both_languages(trainee):
    """The grader computes from the Chinese scenario; the English one must give every answer the same, and each
    answer must be unambiguous: three lowest abilities, one fault per faulty RACI row, every horizon used."""
    from kit.actionplan import HORIZONS, check_raci, horizon, ninegrid_focus

    v = variant("capstone", trainee)
    zh, en = v["scenario"]["zh"], v["scenario"]["en"]
    ratings = v["ninegrid"]["rating"]
    assert ratings.between(1, 5).all() and sorted(ratings)[2] < sorted(ratings)[3], "exactly three lowest"
    assert len(ninegrid_focus(dict(zip(v["ninegrid"]["ability"], ratings, strict=True))).abilities) == 3
    labels = [[_first_missing(g) for g in s["goals"]["goal"]] for s in (zh, en)]
    assert labels[0] == labels[1] and {"S", "M", "T", "none"} <= set(labels[0])
    checks = [check_raci(s["raci"]) for s in (zh, en)]
    codes = [{task: [p.code for p in found] for task, found in c.problems.items()} for c in checks]
    assert codes[0] == codes[1]
    faulty = [found for found in codes[0].values() if found]
    low, high = data("exercises/capstone")["data"]["faults"]
    assert low <= len(faulty) <= high and all(len(found) == 1 for found in faulty)
    assert {"no_accountable", "many_accountable", "no_responsible"} <= {f[0] for f in faulty} or len(faulty) < 3
    assert (zh["actions"]["due_days"] == en["actions"]["due_days"]).all()
    days = zh["actions"]["due_days"]
    placed = [horizon(d, v["scheme"]) for d in days]
    assert set(placed) == set(HORIZONS[v["scheme"]]), "every horizon of the scheme is used"
    ends = {last for last in HORIZONS[v["scheme"]].values() if last}
    assert ends & set(days) and {end + 1 for end in ends} & set(days), "a last day and a first day of a horizon"


def test_capstone_scenarios_differ_between_trainees_and_both_schemes_occur():
    a, b = variant("capstone", "T001"), variant("capstone", "T002")
    assert not a["ninegrid"].equals(b["ninegrid"])
    assert any(not a["scenario"]["zh"][k].equals(b["scenario"]["zh"][k]) for k in ("goals", "raci", "actions"))
    assert {variant("capstone", f"S{i:03d}")["scheme"] for i in range(12)} == {"000", "002"}
