"""The CX report's first screen and the definitions behind it: numbers written for people (kit.formats),
duration KPIs by the statistic their target names (numpy as the oracle), a company's targets file, and the
findings → actions rules of kit.cxsummary on hand-built facts."""

import datetime as dt
import math
import re

import numpy as np
import pandas as pd
import pytest

from kit import cxsummary, findings, formats, metrics, recovery
from kit.errors import KitError
from kit.paths import COURSE
from kit.text import load as load_text

TEMPLATE = COURSE / "config" / "targets-template.yml"
TODAY = dt.date(2026, 3, 2)


# --- numbers for people -------------------------------------------------------------------------


@pytest.mark.parametrize(("p", "shown"), [(4.4e-07, "p < 0.001"), (0.000999, "p < 0.001"), (0.001, "p = 0.001"),
                                          (0.0312, "p = 0.031"), (1.0, "p = 1.000"), (float("nan"), "—")])
def test_p_values_as_apa_writes_them(p, shown):
    assert formats.p_value(p) == shown


def test_intervals_counts_and_signs():
    assert formats.interval(-26.2, 4.1, "+.0f", "zh") == "−26 至 +4"
    assert formats.interval(-26.2, 4.1, "+.0f", "en") == "−26 to +4"
    assert formats.interval(float("nan"), 1, ".1f", "en") == "—"
    assert [formats.count(v) for v in (24.0, 12345, np.int64(3), None, float("nan"))] == ["24", "12,345", "3", "—", "—"]
    assert formats.number(-0.004, "+.2f") == "0.00", "a change that rounds to zero has no sign"
    assert formats.number(-3.5, ".1f") == "−3.5" and formats.number(pd.NA) == "—"
    assert (formats.yes_no(True, "zh"), formats.yes_no(np.False_, "en"), formats.yes_no(None, "zh")) == ("是", "no", "—")


# --- duration KPIs ------------------------------------------------------------------------------


def test_duration_statistics_match_numpy():
    rng = np.random.default_rng(7)
    hours = pd.Series(np.r_[rng.lognormal(0, 1.5, 400), [np.nan] * 9])
    known = hours.dropna().to_numpy()
    assert recovery.duration_kpi(hours, "mean") == pytest.approx(np.mean(known))
    assert recovery.duration_kpi(hours, "median") == pytest.approx(np.median(known))
    assert recovery.duration_kpi(hours, "p90") == pytest.approx(np.percentile(known, 90))
    assert recovery.duration_kpi(hours, "share_within", 24) == pytest.approx(100 * np.mean(known <= 24))
    assert recovery.duration_kpi(hours, "share_within", float(np.sort(known)[9])) == pytest.approx(1000 / 400)
    assert math.isnan(recovery.duration_kpi(pd.Series([np.nan, np.nan]), "median"))


def test_complaint_kpis_follow_the_statistic_the_target_names(tickets):
    minutes = recovery.response_hours(tickets).dropna().to_numpy() * 60
    resolved = recovery.response_hours(tickets, "resolved_at").dropna().to_numpy()
    company = metrics.read_targets(TEMPLATE)  # resp_min: share within 60 min; resolve_h: median
    kpis = recovery.complaint_kpis(tickets, company)
    assert kpis["resp_min"] == pytest.approx(100 * np.mean(minutes <= 60))
    assert kpis["resolve_h"] == pytest.approx(np.median(resolved))
    course = recovery.complaint_kpis(tickets, metrics.choose_targets())  # [001]'s KPIs are means
    assert course["resp_min"] == pytest.approx(minutes.mean()) and course["resolve_h"] == pytest.approx(resolved.mean())


# --- targets ------------------------------------------------------------------------------------


def test_presets_are_named_for_people_and_keep_the_course_aliases():
    assert metrics.choose_targets().attrs["preset"] == "course"
    for name, tag in (("consulting", "000"), ("frontline", "001")):
        by_name, by_tag = metrics.choose_targets(name), metrics.choose_targets(tag)
        pd.testing.assert_frame_equal(by_name, metrics.kpi_targets(tag))
        assert by_name.attrs["preset"] == by_tag.attrs["preset"] == name
    with pytest.raises(KitError) as info:
        metrics.choose_targets("acme")
    assert info.value.code == "metrics_unknown_targets" and "consulting" in str(info.value)


def test_a_company_targets_file_scores_the_scorecard(tmp_path):
    path = tmp_path / "targets.yml"
    path.write_text('name: 华东区 2026\nkpis:\n  nps: {target: 5, direction: ">=", note: 年度计划}\n'
                    '  resp_min: {target: 80, direction: ">=", statistic: share_within, within: 60}\n'
                    '  resolve_h: {target: 2, direction: "<=", statistic: p90}\n', encoding="utf-8")
    chosen = metrics.choose_targets(str(path))
    assert chosen.attrs == {"name": "华东区 2026"}
    card = metrics.scorecard({"nps": 7, "resp_min": 77.0, "resolve_h": 2.5}, targets=chosen, lang="zh").set_index("kpi")
    assert card["status"].to_dict() == {"nps": "met", "resp_min": "near", "resolve_h": "missed"}  # 77 ≥ 80 − 4
    assert card.loc["nps", "source"] == "年度计划" and card.loc["resp_min", "source"] == "targets.yml"
    assert card.loc["resp_min", "name"] == "首次回复用时：60 分钟内的占比（%）"
    assert card.loc["resolve_h", "name"] == "解决用时：第 90 百分位（小时）"


@pytest.mark.parametrize(("body", "code"), [
    ("kpis:\n  nps: {target: '30%'}\n", "metrics_targets_bad_value"),
    ("kpis:\n  loyalty: {target: 3}\n", "metrics_targets_unknown_kpi"),
    ("kpis:\n  resp_min: {target: 80, statistic: share_within}\n", "metrics_targets_bad_statistic"),
    ("kpis:\n  resolve_h: {target: 4, statistic: max}\n", "metrics_targets_bad_statistic"),
    ("kpis:\n  resolve_h: {target: 4, within: 24}\n", "metrics_targets_bad_statistic"),
    ("kpis:\n  nps: {target: 30, direction: up}\n", "metrics_bad_direction"),
    ("name: empty\n", "metrics_targets_file"),
])
def test_a_bad_targets_file_fails_in_one_paragraph(tmp_path, body, code):
    path = tmp_path / "targets.yml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(KitError) as info:
        metrics.read_targets(path)
    assert info.value.code == code


def test_the_template_covers_every_kpi_a_report_measures():
    assert set(metrics.read_targets(TEMPLATE)["kpi"]) == {"nps", "csat_mean", "ces", "fcr", "resp_min", "resolve_h"}


# --- headline and findings ----------------------------------------------------------------------


def _month(day: str, scores: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"submitted_at": pd.Timestamp(day), "nps": scores, "ces": [3] * len(scores)})


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_headline_change_since_the_month_before(lang):
    text = load_text("reports/cx-report", lang)
    before, after = [10] * 60 + [3] * 40, [10] * 30 + [3] * 70  # NPS +20 then −40 on 100 answers each
    survey = pd.concat([_month("2025-01-10", before), _month("2025-02-10", after)], ignore_index=True)
    found = {"scores": {"nps": metrics.nps(survey["nps"])}, "trends": {"nps": metrics.period_trend(survey, "nps")}}
    row = cxsummary.headline(found, text, lang).iloc[0]
    p = metrics.period_trend(survey, "nps")["p_value"].iloc[-1]
    assert p < 0.001 and "p < 0.001" in row.iloc[3] and "−60" in row.iloc[3]
    assert ("显著变差" if lang == "zh" else "significantly worse") in row.iloc[3]
    assert row.iloc[2] == "200" and row.iloc[1].startswith("−10")
    steady = pd.concat([_month("2025-01-10", before), _month("2025-02-10", before)], ignore_index=True)
    found["trends"]["nps"] = metrics.period_trend(steady, "nps")
    assert ("不显著" if lang == "zh" else "no significant change") in cxsummary.headline(found, text, lang).iloc[0, 3]


def _facts() -> dict:
    card = metrics.scorecard({"nps": 7, "resp_min": 280.0, "fcr": 90.0}, lang="zh")
    causes = recovery.pareto(["流程设计缺陷"] * 6 + ["人员培训不足"] * 3 + ["客户操作失误"])
    return {
        "lang": "zh", "scorecard": card,
        "sla": pd.Series({"breached": 134, "n": 1498, "share": 0.911}), "late_channel": ("电话", 0.49),
        "alerts": {"nps": [], "csat": ["2025-08", "2025-09"]},
        "worst_segment": ("价值等级", "低价值", -3.0, 7.0),
        "concentrate": ["价格因素"], "concentrate_share": 0.54,
        "causes": causes, "vital": (["流程设计缺陷", "人员培训不足"], 0.9),
        "servqual": ("可靠性", -0.97, -0.93),
        "category": {"value": "配送延迟", "n": 295, "total": 1500, "share": 0.197},
        "must_be": ["进度短信提醒"],
    }


def test_findings_are_ranked_specific_and_owned():
    text = load_text("reports/cx-report", "zh")
    items = cxsummary.findings(_facts(), text, TODAY)
    assert [f.key for f in items] == ["kpis", "sla", "alerts", "segment", "drivers", "vital", "servqual",
                                      "category", "kano"]
    kpis, sla, alerts = items[:3]
    assert kpis.action is None and "3 项 KPI 中有 2 项" in kpis.text  # nps and resp_min, not fcr
    assert "电话" in sla.action and sla.owner == "客服主管" and sla.due == TODAY + dt.timedelta(days=14)
    assert "2025-09" in alerts.action and alerts.due == TODAY + dt.timedelta(days=7)
    assert "流程设计缺陷" in items[5].action and "60%" in items[5].action  # the top cause and its share
    actions = [f.action for f in items if f.action]
    assert len(actions) == len(set(actions)) == 8, "one action per finding, no template repeated"
    assert not [a for a in actions if re.search(r"\[\d{3}\]", a)], "no source tags on the manager's page"


def test_no_finding_without_its_evidence():
    text = load_text("reports/cx-report", "en")
    facts = _facts()
    facts["servqual"] = ("Reliability", -0.05, 0.02)  # the interval reaches 0: not a shortfall
    facts["sla"] = pd.Series({"breached": 0, "n": 10, "share": 1.0})
    keys = [f.key for f in cxsummary.findings(facts, text, TODAY)]
    assert "servqual" not in keys and "sla" not in keys
    assert findings.action_lines([], text) == text["action_none"]


@pytest.mark.parametrize(("diff", "p", "variant"), [(12.0, 0.01, "_yes"), (-9.0, 0.02, "_worse"), (3.0, 0.4, "_unclear")])
def test_the_paradox_finding_follows_its_test(diff, p, variant):
    text = load_text("reports/cx-report", "en")
    result = type("Test", (), {"diff": diff, "p_value": p})()  # only the difference and its p are read
    (finding,) = cxsummary.findings({"paradox": result}, text, TODAY)
    assert finding.action == text.format(f"action_paradox{variant}", diff=formats.number(diff, "+.0f"))


def test_action_lines_number_owner_and_date():
    text = load_text("reports/cx-report", "en")
    lines = findings.action_lines(cxsummary.findings(_facts(), text, TODAY), text, 3).splitlines()
    assert len(lines) == 3 and lines[0].startswith("1. ") and lines[2].startswith("3. ")
    assert "Owner: customer-service lead; due 2026-03-16." in lines[0]
