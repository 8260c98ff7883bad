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


PLANS = {  # what three trainees handed in for the capstone: goal (q5) and the 7-field plan (q6), as typed
    "S001": ("沟通表达：3 个月内把需求识别准确率从 70% 提升到 90%",
             "## SMART 目标\n3 个月内把需求识别准确率从 70% 提升到 90%\n## RACI 责任矩阵\n我 R，主管 A\n## 行动步骤\n每周练习两次\n"
             "## 资源\n每周 2 小时\n## 时间表与里程碑\n第 4 周 75%\n## 风险与对策\n旺季没时间：提前排班\n## 成功衡量标准\n录音抽查准确率"),
    "S002": ("危机应对：提高客户满意度", "## SMART 目标\n提高客户满意度\n## 行动步骤\n多练习\n## 风险\n待定"),
    "S003": ("", ""),
}


def capstone_gradebook(folder) -> str:
    from kit.grading.gradebook import Gradebook
    from kit.grading.results import GRADED, QuestionResult, SubmissionResult

    url = f"sqlite:///{folder / 'gradebook.sqlite'}"
    with Gradebook(url) as book:
        for trainee_id, (goal, plan) in PLANS.items():
            book.record(SubmissionResult("capstone", trainee_id, f"h-{trainee_id}", GRADED, questions=(
                QuestionResult("q1", "auto", 2.0, 2.0, ""),
                QuestionResult("q5", "manual", 2.0, None, "", answer=goal),
                QuestionResult("q6", "manual", 4.0, None, "", answer=plan))))
        book.record(SubmissionResult("metrics", "S004", "h-S004", GRADED,
                                     questions=(QuestionResult("q1", "auto", 2.0, 1.0, ""),)))
    return url


def test_the_capstone_plans_are_read_from_the_gradebook_and_judged_field_by_field(tmp_path):
    plans = cohorts.capstone_plans(capstone_gradebook(tmp_path))
    assert plans["trainee_id"].tolist() == ["S001", "S002", "S003"] and plans.loc[0, "plan"] == PLANS["S001"][1]
    quality = cohortsummary.plan_quality(plans, today="2026-01-05").set_index("trainee_id")
    assert quality["filled"].tolist() == [7, 2, 0]  # S002: "待定" risks count as empty
    assert quality["is_smart"].tolist() == [True, False, False]
    assert quality.loc["S002", "smart_missing"] == ("M", "T") and quality.loc["S003", "smart_missing"] == ("S", "M", "T")
    table = cohortsummary.plans_table(quality.reset_index(), load_text("reports/cohort-report", "zh"), "zh")
    assert table.iloc[:, 0].tolist() == ["S003", "S002", "S001"]  # least complete first
    assert table.iloc[2, 2] == "—" and table.iloc[2, 3] == "是" and "风险" in table.iloc[1, 2]
    again = tmp_path / "again"
    again.mkdir()
    limited = cohorts.load("2025-A", SAMPLE, gradebook=capstone_gradebook(again)).plans
    in_a = set(cohorts.load("2025-A", SAMPLE).trainees["trainee_id"])
    assert set(limited["trainee_id"]) == set(PLANS) & in_a  # only the cohort's own trainees


def test_without_a_capstone_there_are_no_plans(tmp_path):
    assert cohorts.load(None, SAMPLE).plans is None
