"""Lesson M4's interactions: controls drive results computed by kit.metrics & co., in both languages; and the
fixed answers of the lesson's self-checks agree with the engine."""

import math

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402

from kit import metrics, ninegrid  # noqa: E402
from kit.data import io  # noqa: E402
from kit.data.synth import KPI_DIP_PERIODS, KPI_DIP_TEAM, NINEGRID_WEAK, SERVQUAL_TRUE_GAPS  # noqa: E402
from kit.paths import COURSE, SAMPLE  # noqa: E402
from kit.widgets import metrics as lesson  # noqa: E402

LANGS = ("zh", "en")
SNAPSHOT = {"nps": 58.0, "csat_mean": 4.6, "ces": 2.4, "fcr": 70.0, "resp_min": 9.5, "resolve_h": 4.1,
            "complaint_rate": 0.6, "retention": 91.0, "churn": 6.0, "promise_kept": 96.0}


pytestmark = pytest.mark.usefixtures("figures_closed")


def build(name, lang, survey, snapshots):
    """Each interaction with the arguments the lesson gives it."""
    makers = {
        "NPSSimulator": lambda: lesson.NPSSimulator(lang=lang),
        "CsatCalculator": lambda: lesson.CsatCalculator(lang=lang),
        "CesCalculator": lambda: lesson.CesCalculator(lang=lang),
        "ServqualExplorer": lambda: lesson.ServqualExplorer(survey, lang=lang),
        "SampleSizeCalculator": lambda: lesson.SampleSizeCalculator(lang=lang),
        "TrendAlertExplorer": lambda: lesson.TrendAlertExplorer(snapshots, team=KPI_DIP_TEAM, lang=lang),
        "KpiScorecard": lambda: lesson.KpiScorecard(SNAPSHOT, lang=lang),
        "NinegridSelfAssessment": lambda: lesson.NinegridSelfAssessment(lang=lang),
    }
    return makers[name]()


NAMES = ("NPSSimulator", "CsatCalculator", "CesCalculator", "ServqualExplorer", "SampleSizeCalculator",
         "TrendAlertExplorer", "KpiScorecard", "NinegridSelfAssessment")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_every_interaction_builds_and_shows_a_static_state(name, lang, survey, snapshots):
    tool = build(name, lang, survey, snapshots)
    html = tool.static_html()
    assert html.startswith('<div class="kit-interactive">') and tool.title in html
    assert ('<img src="data:image/png' in html) or ("<table" in html)
    has_chinese = any("\u4e00" <= ch <= "\u9fff" for ch in tool.title)
    assert has_chinese == (lang == "zh")


# --- NPS ----------------------------------------------------------------------------------------


def test_nps_simulator_default_and_the_interval_formula():
    tool = lesson.NPSSimulator(lang="en")
    res = tool.result["nps"]
    assert (res.value, res.n, res.promoters, res.detractors) == (pytest.approx(45), 100, 0.55, 0.10)
    # external formula, Rocks' adjusted Wald: ¾ added to promoters and detractors, 3 to n
    p, d = 55.75 / 103, 10.75 / 103
    half = 1.959964 * 100 * math.sqrt((p + d - (p - d) ** 2) / 103)
    assert res.ci == pytest.approx((100 * (p - d) - half, 100 * (p - d) + half), abs=1e-3)
    assert tool.result["targets"] == {"000": 50.0, "001": 60.0}
    assert tool.result["verdicts"] == {"000": "unclear", "001": "missed"}


def test_nps_interval_narrows_as_n_grows_and_the_verdict_firms_up():
    tool = lesson.NPSSimulator(lang="zh")
    widths = [r.ci[1] - r.ci[0] for r in tool.result["ladder"].values()]
    assert all(a > b for a, b in zip(widths, widths[1:], strict=False))
    before = tool.result["nps"].ci
    tool.controls["n"].value = 1600
    after = tool.result["nps"].ci
    assert after[1] - after[0] < (before[1] - before[0]) / 3
    tool.controls["promoters"].value = 60
    assert tool.result["nps"].value == pytest.approx(50)
    tool.controls["promoters"].value = 62
    assert tool.result["verdicts"] == {"000": "unclear", "001": "missed"}
    tool.controls["promoters"].value = 75  # NPS 65 ± 3.2 at n = 1600
    assert tool.result["verdicts"] == {"000": "met", "001": "met"}


def test_nps_simulator_caps_detractors_so_shares_add_up():
    tool = lesson.NPSSimulator(promoters=80, detractors=40, lang="en")
    res = tool.result["nps"]
    assert tool.result["capped"] and res.passives == 0
    assert res.promoters + res.detractors == pytest.approx(1)


# --- CSAT and CES -------------------------------------------------------------------------------


def test_csat_calculator_reports_top_box_and_mean_separately():
    tool = lesson.CsatCalculator(lang="en")
    res = tool.result["csat"]
    assert (res.value, res.mean, res.n) == (80.0, pytest.approx(4.07), 100)
    assert tool.result["target"] == 4.5 and not tool.result["mean_met"]
    for score, count in zip(range(1, 6), (0, 0, 0, 10, 30), strict=True):
        tool.controls[f"count_{score}"].value = count
    assert tool.result["csat"].mean == pytest.approx(4.75) and tool.result["mean_met"]


def test_csat_calculator_without_answers_says_so():
    tool = lesson.CsatCalculator(counts=(0, 0, 0, 0, 0), lang="zh")
    assert tool.result["csat"].n == 0 and not tool.result["mean_met"]
    assert "请至少输入一个回答" in tool.static_html()


def test_ces_calculator_recodes_agreement_answers():
    tool = lesson.CesCalculator(lang="en")
    agreement = tool.result
    assert agreement["wording"] == "agreement"
    assert agreement["ces"].value == pytest.approx(8 - agreement["answered_mean"])
    tool.controls["wording"].value = "effort"
    assert tool.result["ces"].value == pytest.approx(agreement["answered_mean"])
    assert not tool.result["met"] and tool.result["target"] == 2


def test_ces_calculator_on_the_quiz_batch_meets_the_target_exactly():
    answers = [7, 6, 6, 5, 7, 6, 4, 7, 6, 6]
    tool = lesson.CesCalculator(counts=np.bincount(answers, minlength=8)[1:].tolist(), lang="zh")
    assert tool.result["ces"].value == pytest.approx(2.0) and tool.result["met"]


# --- SERVQUAL, sample size, trend ---------------------------------------------------------------


def test_servqual_explorer_finds_the_sample_shortfall_and_filters_segments(survey):
    tool = lesson.ServqualExplorer(survey, lang="en")
    assert tool.result["worst"] == min(SERVQUAL_TRUE_GAPS, key=SERVQUAL_TRUE_GAPS.get)
    assert tool.result["gap"] < 0
    everyone = tool.result["gaps"].n
    tool.controls["group"].value = "segment=B2B"
    b2b = survey[survey["segment"] == "B2B"].filter(like="perc_").notna().any(axis=1).sum()
    assert tool.result["gaps"].n == b2b < everyone


def nps_margin_n(margin: float, population: int | None, promoters=0.35, detractors=0.30, confidence=0.95):
    """n = z²·V/e² with the trinomial V = p_P + p_D − (p_P − p_D)², finite-population corrected, by hand."""
    from scipy import stats

    variance = promoters + detractors - (promoters - detractors) ** 2
    n0 = stats.norm.ppf(0.5 + confidence / 2) ** 2 * variance / (margin / 100) ** 2
    return math.ceil(n0 / (1 + (n0 - 1) / population) if population else n0)


def test_sample_size_calculator_385_and_278():
    tool = lesson.SampleSizeCalculator(lang="en")
    assert (tool.result["n0"], tool.result["n"]) == (385, 278)
    assert tool.result["n_nps"] == nps_margin_n(5, 1000) == 499  # ±5 NPS points: about 1.8× the n of a share
    tool.controls["population"].value = 0
    assert tool.result["n"] == 385
    assert tool.result["n_nps"] == nps_margin_n(5, None) == 995
    tool.controls["margin"].value = 2.5
    assert tool.result["n0"] == 1537  # 1.96² · 0.25 / 0.025² = 1536.6
    assert tool.result["n_nps"] == nps_margin_n(2.5, None) == 3980
    assert tool.result["n_change"] == metrics.nps_sample_size(change=8, promoters=0.35, detractors=0.30)
    tool.controls["change"].value = 16
    assert tool.result["n_change"] < metrics.nps_sample_size(change=8, promoters=0.35, detractors=0.30) / 3
    tool.controls["confidence"].value = 0.90
    assert tool.result["n_nps"] == nps_margin_n(2.5, None, confidence=0.90)


def test_trend_explorer_flags_the_incident_team(snapshots):
    tool = lesson.TrendAlertExplorer(snapshots, team=KPI_DIP_TEAM, lang="zh")
    assert tool.result["alerts"] == [KPI_DIP_PERIODS[-1]]
    tool.controls["drop"].value = 30
    assert tool.result["alerts"] == []
    tool.controls["kpi"].value = "ces"
    assert tool.result["higher_is_better"] is False
    others = [team for team in snapshots["team"].unique() if team != KPI_DIP_TEAM]
    tool.controls["kpi"].value = "csat_t2b"
    tool.controls["drop"].value = 10
    tool.controls["team"].value = others[0]
    assert tool.result["alerts"] == []


# --- scorecard and nine-grid --------------------------------------------------------------------


def test_scorecard_status_flips_when_an_actual_crosses_the_target():
    tool = lesson.KpiScorecard(SNAPSHOT, lang="en")
    assert tool.result["status"]["nps@001"] == "near"
    tool.controls["nps"].value = 61.0
    assert tool.result["status"]["nps@001"] == "met"
    tool.controls["nps"].value = 55.0
    assert tool.result["status"]["nps@001"] == "missed"
    tool.controls["source"].value = "000"
    assert tool.result["status"]["nps@000"] == "met" and "resp_min@001" not in tool.result["status"]
    tool.controls["source"].value = "all"
    assert {"nps@000", "nps@001", "fcr@000", "fcr@001"} <= set(tool.result["status"])
    assert sum(tool.result["counts"].values()) == len(tool.result["card"])


def test_scorecard_sliders_keep_the_actual_values(snapshots):
    row = snapshots.iloc[-1]
    tool = lesson.KpiScorecard(row, lang="zh")
    expected = metrics.scorecard(row.to_frame().T.drop(columns=["period", "team"]).astype(float), lang="zh")
    assert tool.result["card"]["status"].tolist() == expected["status"].tolist()


def test_ninegrid_self_assessment_finds_the_weakest_abilities():
    tool = lesson.NinegridSelfAssessment(lang="en")
    assert tool.result.mean == 3 and tool.result.weakest == ("knowledge", "analysis", "innovation")
    tool.controls[NINEGRID_WEAK].value = 1
    tool.controls["teamwork"].value = 2
    assert tool.result.weakest[:2] == (NINEGRID_WEAK, "teamwork")
    assert tool.result.dimensions["behavioural"] == pytest.approx(7 / 3)


def test_ninegrid_self_assessment_starts_from_a_table_row():
    grid = io.load(SAMPLE / "ninegrid.csv", "ninegrid")[0]
    row = grid.iloc[0]
    tool = lesson.NinegridSelfAssessment(row, reference=ninegrid.change(grid)["post"], lang="zh")
    assert tool.result.scores.tolist() == [row[f"ng_{a}"] for a in ninegrid.ABILITIES]


# --- the lesson's fixed answers agree with the engine -------------------------------------------


@pytest.fixture(scope="module")
def answers():
    return yaml.safe_load((COURSE / "metrics" / "quiz.yml").read_text(encoding="utf-8"))


def test_quiz_numeric_answers_match_the_engine(answers):
    counts = {1: 4, 2: 6, 3: 20, 4: 50, 5: 40}
    assert metrics.csat(np.repeat(list(counts), list(counts.values()))).value == answers["csat_top_box"]["answer"]
    recoded = 8 - np.array([7, 6, 6, 5, 7, 6, 4, 7, 6, 6])
    assert metrics.ces(recoded).value == pytest.approx(answers["ces_recode"]["answer"])
    assert metrics.sample_size(0.05, population=1000) == answers["sample_size"]["answer"]


def test_quiz_scorecard_key_matches_the_engine(answers):
    card = metrics.scorecard({k: SNAPSHOT[k] for k in answers["scorecard_status"]["answer"]}, source="001")
    assert dict(zip(card["kpi"], card["status"], strict=True)) == answers["scorecard_status"]["answer"]


def test_quiz_warning_key_matches_the_engine(answers):
    # month names are ordered as time, not as text (Apr would sort first)
    series = pd.Series([63, 82, 65, 71, 80], index=["apr", "jan", "may", "mar", "feb"])
    out = metrics.trend_alert(series)
    assert out["period"].tolist() == ["jan", "feb", "mar", "apr", "may"]
    assert out.loc[out["alert"], "period"].iloc[0] == answers["warning_period"]["answer"]
