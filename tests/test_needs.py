"""Needs analysis (kit.needs): the priority matrix and weighted score, journey means and pain points, the 4D
promise ledger, need drift, persona completeness, SPIN confusion and the four-factor shortfall, checked
against values worked out by hand and against the truths the sample data is built to show."""

import math

import numpy as np
import pandas as pd
import pytest

from kit import needs
from kit.data.synth import FOUR_FACTOR_SHORTFALL, JOURNEY_PAIN_POINT

# --- thresholds ----------------------------------------------------------------------------------------


def test_thresholds_carry_their_seed():
    assert needs.threshold("promise_fulfilment") == 0.95
    assert needs.threshold("basic_need_fulfilment") == 0.98
    assert needs.threshold("priority_cut", "kit") == 3


# --- priority matrix -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("importance", "urgency", "expected"), [
    (5, 5, "do_first"), (4, 4, "do_first"), (5, 1, "plan"), (1, 5, "delegate"), (3, 3, "later"), (3, 4, "delegate"),
])
def test_quadrant_splits_above_the_midpoint(importance, urgency, expected):
    assert needs.quadrant(importance, urgency) == expected


def test_quadrant_is_vectorised_and_takes_a_cut():
    got = needs.quadrant(np.array([5, 4, 2, 2]), np.array([4, 2, 5, 1]))
    assert got.tolist() == ["do_first", "plan", "delegate", "later"]
    assert needs.quadrant(3, 3, cut=2.5) == "do_first"


def test_criterion_scores_reverse_difficulty_into_ease():
    backlog = pd.DataFrame({"importance": [5, 2], "urgency": [2, 2], "value": [3, 1], "difficulty": [1, 5],
                            "roi": [4, 2], "fit": [2, 3]}, index=["a", "b"])
    scores = needs.criterion_scores(backlog)
    assert list(scores.columns) == list(needs.CRITERIA)
    assert scores.loc["a"].tolist() == [3.5, 3, 5, 4, 2]
    assert scores.loc["b"].tolist() == [2.0, 1, 1, 2, 3]
    assert needs.criterion_scores(backlog, low=0, high=10).loc["a", "ease"] == 9


def test_weights_are_shares_and_must_be_usable():
    assert needs.weights_of().tolist() == [0.2] * 5
    assert needs.weights_of({"value": 3, "roi": 1}).tolist() == [0, 0.75, 0, 0.25, 0]
    for bad in ({"value": -1, "roi": 2}, dict.fromkeys(needs.CRITERIA, 0)):
        with pytest.raises(ValueError, match="non-negative"):
            needs.weights_of(bad)


def test_weighted_scores_of_the_example_backlog_by_hand():
    # booking: (4.5 + 5 + 3 + 4 + 5) / 5; display: (3.5 + 4 + 5 + 5 + 3) / 5; counter: (4.5 + 4 + 3 + 3 + 3) / 5 …
    scores = needs.weighted_score(needs.criterion_scores(needs.example_backlog()))
    assert scores.round(10).to_dict() == {"booking": 4.3, "peak_counter": 3.5, "van": 2.8, "wait_display": 4.1,
                                          "lounge": 2.4}


def test_prioritise_ranks_and_marks_the_top_three():
    table = needs.prioritise(needs.example_backlog())
    assert list(table.index) == ["booking", "wait_display", "peak_counter", "van", "lounge"]
    assert table["rank"].tolist() == [1, 2, 3, 4, 5]
    assert table["top"].tolist() == [True, True, True, False, False]
    assert table["quadrant"].to_dict() == {"booking": "do_first", "wait_display": "delegate",
                                           "peak_counter": "do_first", "van": "plan", "lounge": "later"}


def test_weights_change_the_top_three():
    # ease weight 0, fit weight 3 (sum 6): booking 28.5/6, display 21.5/6, van 21/6, counter 20.5/6
    weights = {"importance_urgency": 1, "value": 1, "ease": 0, "roi": 1, "fit": 3}
    table = needs.prioritise(needs.example_backlog(), weights)
    assert list(table.index[:3]) == ["booking", "wait_display", "van"]
    assert table.loc["van", "score"] == pytest.approx(3.5)


def test_prioritise_keeps_backlog_order_on_ties():
    row = {"importance": 3, "urgency": 3, "value": 3, "difficulty": 3, "roi": 3, "fit": 3}
    table = needs.prioritise(pd.DataFrame([row, row, row], index=["z", "a", "m"]), top=1)
    assert list(table.index) == ["z", "a", "m"] and table["top"].tolist() == [True, False, False]


# --- journey ---------------------------------------------------------------------------------------------


def test_stage_means_follow_the_journey_order():
    df = pd.DataFrame({"journey_stage": ["loyalty", "use", "use", "awareness", "service"],
                       "csat": pd.array([5, 4, 2, 3, pd.NA], dtype="Int64")})
    means = needs.stage_means(df)
    assert list(means.index) == list(needs.STAGES)
    assert means["awareness"] == 3.0 and means["use"] == 3.0 and means["loyalty"] == 5.0
    assert math.isnan(means["purchase"]) and math.isnan(means["service"])
    assert needs.pain_point(means) == "awareness", "ties go to the earlier stage"


def test_touchpoint_means_count_and_order():
    df = pd.DataFrame({"journey_stage": ["service", "service", "service", "purchase", "purchase"],
                       "touchpoint": ["维修网点", "维修网点", "在线客服", "官网", "门店"],
                       "csat": [2, 3, 5, 4, 5]})
    table = needs.touchpoint_means(df)
    assert list(table.index) == [("purchase", "门店"), ("purchase", "官网"), ("service", "在线客服"),
                                 ("service", "维修网点")]
    assert table.loc[("service", "维修网点")].tolist() == [2.5, 2]
    assert needs.pain_point(table["mean"]) == ("service", "维修网点")


def test_the_sample_pain_point_and_shortfall_are_the_built_in_ones(survey):
    stages = needs.stage_means(survey)
    assert needs.pain_point(stages) == JOURNEY_PAIN_POINT[0]
    assert needs.pain_point(needs.touchpoint_means(survey)["mean"]) == JOURNEY_PAIN_POINT
    assert stages[JOURNEY_PAIN_POINT[0]] == pytest.approx(survey.loc[survey["journey_stage"] == "service", "csat"].mean())
    assert needs.shortfall(needs.factor_means(survey)) == FOUR_FACTOR_SHORTFALL


# --- promise ledger ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "target", "expected"), [(8, 0.95, 0), (19, 0.95, 0), (20, 0.95, 1), (40, 0.95, 2),
                                                       (100, 0.98, 2), (49, 0.98, 0), (50, 0.98, 1)])
def test_allowed_misses(n, target, expected):
    assert needs.allowed_misses(n, target) == expected


def test_ledger_against_the_95_percent_target():
    seven_of_eight = needs.ledger([True] * 7 + [False])
    assert (seven_of_eight.n, seven_of_eight.kept, seven_of_eight.rate) == (8, 7, 0.875)
    assert not seven_of_eight.met and seven_of_eight.target == 0.95 and seven_of_eight.allowed_misses == 0
    assert needs.ledger([True] * 19 + [False]).met
    assert not needs.ledger([True] * 18 + [False, None]).met, "a missing flag counts as not kept"


def test_ledger_with_the_basic_need_target_and_no_promises():
    basic = needs.ledger([True] * 49 + [False], target=needs.threshold("basic_need_fulfilment"))
    assert basic.rate == 0.98 and basic.met
    empty = needs.ledger([])
    assert empty.n == 0 and math.isnan(empty.rate) and not empty.met


# --- levels, persona, tagging, factors ------------------------------------------------------------------


def test_drift_runs_from_delight_to_basic():
    assert [needs.drift("A", steps) for steps in range(4)] == ["A", "O", "M", "M"]
    assert needs.drift("O") == "M" and needs.drift("R") == "R" and needs.drift("Q", 2) == "Q"


def test_missing_persona_elements():
    full = {"basics": "x", "challenges": "y", "decision": "z", "value": "w"}
    assert needs.missing_elements(full) == ()
    assert needs.missing_elements({**full, "challenges": "  ", "value": None}) == ("challenges", "value")
    assert needs.missing_elements({}) == needs.PERSONA_ELEMENTS


def test_confusion_counts_key_against_given():
    key = {"q1": "S", "q2": "P", "q3": "I", "q4": "N", "q5": "I"}
    given = {"q1": "S", "q2": "P", "q3": "P", "q4": "I", "q5": "I"}
    table = needs.confusion(given, key)
    assert table.loc["I"].tolist() == [0, 1, 1, 0]
    assert table.loc["N"].tolist() == [0, 0, 1, 0]
    assert int(np.trace(table.to_numpy())) == 3 and int(table.to_numpy().sum()) == 5
    assert needs.confusion({"q1": "S"}, key).to_numpy().sum() == 1, "untagged items are left out"


def test_factor_means_and_shortfall_by_hand():
    df = pd.DataFrame({"f_product": [4, 4, 5], "f_price": [2, 3, pd.NA], "f_channel": [3, 4, 5],
                       "f_competitor": [1, 5, 3]}, dtype="Int64")
    means = needs.factor_means(df)
    assert means.to_dict() == {"product": pytest.approx(13 / 3), "price": 2.5, "channel": 4.0, "competitor": 3.0}
    assert needs.shortfall(means) == "price"
