"""The first screens of the cohort and trainee reports (kit.cohortsummary, kit.trainee.overview/next_steps):
headline cells written for people, findings ranked and worded from the rules of kit.assessment, one finding
for however many flagged items, actions with an owner role and a due date; checked on hand-built rules and on
the sample cohort against kit.assessment computed directly."""

import datetime as dt
import re

import pandas as pd
import pytest

from kit import assessment as A
from kit import cohort as cohorts
from kit import cohortsummary, findings, trainee
from kit.paths import SAMPLE
from kit.text import load as load_text

TODAY = dt.date(2026, 1, 5)


def shown(markdown: str) -> str:
    """Markdown as the reader sees it: backslash-escaped punctuation unescaped, bold marks gone."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("**", ""))


@pytest.fixture(scope="module")
def sample():
    return cohortsummary.analyse(cohorts.load("2025-A", SAMPLE), 0.6)


def _items(n: int) -> pd.DataFrame:
    return pd.DataFrame({"exercise_id": [f"M{i}-test" for i in range(n)], "phase": "post", "item": "Q07",
                         "facility": 0.5, "discrimination": 0.1, "flags": ["low_discrimination,dubious"] + ["easy"] * (n - 1)})


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_headline_gives_each_level_its_interval_basis_and_verdict(sample, lang):
    text = load_text("reports/cohort-report", lang)
    table = cohortsummary.headline(sample, text, lang)
    rows = dict(zip(table[text["summary_col_metric"]], table.itertuples(index=False), strict=True))
    levels = sample["levels"]
    g = levels.learning.loc["all"]
    learning = rows[text["summary_metric_learning"]]
    assert learning[1].startswith(f"{g['diff']:+.1f}") and f"{g['ci_low']:+.1f}" in learning[1]
    assert learning[2] == A.basis(int(g["n"]), lang=lang) and "p < 0.001" in learning[3]
    behaviour = rows[text["summary_metric_behaviour"]]
    people = sample["trainees"]["trainee_id"].nunique()
    assert behaviour[2] == A.basis(people, observations=4 * people, lang=lang)  # four items per trainee at 90 days
    risk = rows[text["summary_metric_risk"]]
    assert risk[1] == f"{len(sample['risk'])} / {people}"
    cells = " ".join(str(v) for v in table.to_numpy().ravel())
    assert "\\" not in cells and not re.search(r"\bnan\b|-\d", cells)  # no escapes, no nan, a true minus sign


def test_findings_are_ranked_owned_and_due():
    text = load_text("reports/cohort-report", "zh")
    risk = pd.DataFrame({"post_below_pass": [True, False], "no_post_test": [False, True]})
    found = {"risk": risk, "trainees": pd.DataFrame({"trainee_id": list("abcde")}),
             "recommendations": [("item_review", {"items": _items(6), "total": 40}), ("pace_fast", {"share": 0.45}),
                                 ("at_risk", {"n": 2}),
                                 ("l4_improved", {"diff": 3.0, "ci_low": 1.0, "ci_high": 5.0, "p": 0.01})]}
    items = cohortsummary.findings(found, text, TODAY, "zh")
    assert [f.key for f in items] == ["at_risk", "item_review", "pace_fast", "l4_improved"]
    first = items[0]
    assert shown(first.text) == "5 名学员中有 2 名需要跟进：1 名后测均分低于及格线，1 名缺少至少一项后测。"
    assert first.owner == text["owner_trainer"] and first.due == TODAY + dt.timedelta(days=14)
    review = shown(items[1].text)
    assert review.startswith("40 道题中有 6 道需要复核（5 道过易、1 道区分度低、1 道区分效率低）")
    assert review.count("Q07") == 4 and "另有 2 道" in review  # four named, the rest counted
    assert items[3].action is None and "+3.0（+1.0 至 +5.0）（p = 0.010）" in shown(items[3].text)
    actions = findings.action_lines(items, text, 3).splitlines()
    assert len(actions) == 3 and actions[0].startswith("1. 与这 2 名学员逐一约谈") and "2026-01-19" in shown(actions[0])


def test_user_text_in_a_finding_is_escaped_once():
    text = load_text("reports/cohort-report", "en")
    items = _items(1).assign(exercise_id="**Quiz_1**")
    (finding,) = cohortsummary.findings({"recommendations": [("item_review", {"items": items, "total": 3})]}, text, TODAY, "en")
    assert r"\*\*Quiz\_1\*\*" in finding.text and r"\\" not in finding.text


def test_no_rule_fired_says_so():
    text = load_text("reports/cohort-report", "en")
    assert cohortsummary.findings({"recommendations": []}, text, TODAY) == []
    assert findings.action_lines([], text) == text["action_none"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_trainee_overview_and_next_steps(lang):
    data = cohorts.of_trainee("S025", SAMPLE)
    text = load_text("reports/trainee-report", lang)
    table = trainee.overview(data, "S025", text, 0.6, lang)
    rows = dict(zip(table[text["overview_col_part"]], table[text["overview_col_you"]], strict=True))
    passed = trainee.scores(data, "S025", 0.6)
    assert rows[text["overview_part_scores"]] == text["overview_passed"].format(passed=int(passed["passed"].sum()), taken=len(passed))
    risk = A.at_risk(data.trainees, data.marks, data.observations, data.ninegrid).set_index("trainee_id").loc["S025"]
    modules = risk["missing_post"]
    assert modules and A.reason_names("no_post_test", modules, lang)[0] in rows[text["overview_part_followup"]]
    gain = trainee.gains(data, "S025").loc["all", "diff"]
    assert f"−{abs(gain):.0f}" in rows[text["overview_part_gain"]] if gain < 0 else f"+{gain:.0f}" in rows[text["overview_part_gain"]]
    steps = [shown(step) for step in trainee.next_steps(data, "S025", text, TODAY, 0.6, lang)]
    assert modules in steps[0] and "2026-01-19" in steps[0]  # the missing post-test first, in 14 days
    assert len(steps) >= 3
