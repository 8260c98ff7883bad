"""Personal data variants of the graded exercises: stable per trainee and seed, different between trainees."""

import json

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
}


def same(a, b) -> bool:
    """Equal values, DataFrames compared cell by cell."""
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


def test_metrics_variant_mixes_both_ces_wordings():
    survey = variant("metrics", "T001")["survey"]
    assert set(survey["ces_wording"]) == {"effort", "agreement"}
    assert survey["ces"].dropna().between(1, 7).all()
