"""The CX report's tables and findings (kit.cxreport.by_segments, periods, worst_segment) on small hand-built
surveys: every figure, ▲/▼, ⚠ and △ checked against a computation written out here — Rocks' adjusted Wald
NPS by hand, statsmodels' Wilson interval, Agresti–Caffo test and Holm correction."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats import proportion
from statsmodels.stats.multitest import multipletests

from kit import cxreport
from kit.text import load as load_text

Z95 = stats.norm.ppf(0.975)
TEXT = {"col_nps": "NPS", "col_csat": "CSAT", "col_ces": "CES", "col_segment": "Segment",
        "col_period": "Month"}


def signed(x: float) -> str:
    """A whole number as a report writes it: a sign, a true minus (U+2212), and no sign on zero."""
    shown = f"{x:+.0f}"
    return "0" if shown in ("+0", "-0") else shown.replace("-", "\u2212")


def answers(promoters: int, passives: int, detractors: int) -> list[int]:
    return [10] * promoters + [8] * passives + [3] * detractors


def adjusted_nps(scores, w=None):
    """One sample by hand: the NPS (weighted mean of ±100), and Rocks' (2016) adjusted centre, variance and
    95 % interval in points, on n answers or, weighted, on the effective n Σw·Σw(y − ȳ)²/Σw²(y − ȳ)² ≤ n
    (Kish's (Σw)²/Σw² when every answer is alike)."""
    scores = np.asarray(scores)
    y = np.select([scores >= 9, scores <= 6], [1.0, -1.0], 0.0)
    w = np.ones(len(y)) if w is None else np.asarray(w, dtype=float)
    mean = np.average(y, weights=w)
    spread = (w**2 * (y - mean) ** 2).sum()
    n = min(len(y), w.sum() * (w * (y - mean) ** 2).sum() / spread) if spread else w.sum() ** 2 / (w**2).sum()
    p = (n * np.average(y == 1, weights=w) + 0.75) / (n + 3)
    d = (n * np.average(y == -1, weights=w) + 0.75) / (n + 3)
    variance = (p + d - (p - d) ** 2) / (n + 3)
    half = Z95 * math.sqrt(variance)
    return 100 * mean, p - d, variance, (100 * max(p - d - half, -1), 100 * min(p - d + half, 1))


def nps_p_value(a, b, wa=None, wb=None):
    _, centre_a, var_a, _ = adjusted_nps(a, wa)
    _, centre_b, var_b, _ = adjusted_nps(b, wb)
    return 2 * stats.norm.sf(abs(centre_a - centre_b) / math.sqrt(var_a + var_b))


def holm_marks(p_values: dict, signs: dict) -> dict:
    """▲/▼ where statsmodels' Holm-adjusted p < 0.05, by the sign of the difference."""
    adjusted = multipletests(list(p_values.values()), method="holm")[1]
    return {k: "" if p >= 0.05 else " ▲" if signs[k] > 0 else " ▼"
            for k, p in zip(p_values, adjusted, strict=True)}


SEGMENTS = {  # NPS +66.7, 0, −53.3 on 60 answers each, and −100 on 5 (too few to show)
    "a": answers(45, 10, 5), "b": answers(24, 12, 24), "c": answers(8, 12, 40), "d": answers(0, 0, 5),
}
CSAT = {"a": [5, 4, 3, 2, 1] * 12, "b": [5, 4, 3, 2, 1] * 12, "c": [2, 1, 3, 1, 2, 4] * 10, "d": [5] * 5}


@pytest.fixture
def built():
    """The segments above as one survey, with a tier column and survey weights."""
    segment = np.repeat(list(SEGMENTS), [len(v) for v in SEGMENTS.values()])
    return pd.DataFrame({"segment": segment, "nps": np.concatenate(list(SEGMENTS.values())),
                         "csat": np.concatenate(list(CSAT.values())),
                         "tier": np.where(np.isin(segment, ["a", "b"]), "gold", "basic"),
                         "w": np.tile([0.5, 1.0, 2.0], len(segment) // 3 + 1)[: len(segment)]})


def expected_nps_column(survey, weights=None):
    """The NPS cells by hand: value (interval), "—" below 30 answers, ▲/▼ from the Holm-corrected tests."""
    w = None if weights is None else survey[weights]
    p_values, signs, shown = {}, {}, {}
    for segment in SEGMENTS:
        inside = survey["segment"] == segment
        part = (survey["nps"][inside], None if w is None else w[inside])
        rest = (survey["nps"][~inside], None if w is None else w[~inside])
        value, _, _, (low, high) = adjusted_nps(*part)
        tested = inside.sum() >= 30
        shown[segment] = f"{signed(value)} ({signed(low)} to {signed(high)})" if tested else "—"
        if tested:
            p_values[segment] = nps_p_value(part[0], rest[0], part[1], rest[1])
            signs[segment] = adjusted_nps(*part)[1] - adjusted_nps(*rest)[1]
    marks = holm_marks(p_values, signs)
    return [shown[s] + marks.get(s, "") for s in SEGMENTS]


def test_by_segments_marks_only_the_segments_the_holm_corrected_test_separates(built):
    table = cxreport.by_segments(built, "segment", TEXT, lang="en")
    assert table.columns.tolist() == ["Segment", "n", "NPS", "CSAT"]
    assert table["Segment"].tolist() == ["a", "b", "c", "d"] and table["n"].tolist() == [60, 60, 60, 5]
    assert table["NPS"].tolist() == expected_nps_column(built)
    # CSAT: top-2-box % with statsmodels' Wilson interval, Agresti–Caffo test against the rest, Holm
    p_values, signs, shown = {}, {}, {}
    for segment in ("a", "b", "c"):
        inside = built["segment"] == segment
        top, n = int((built["csat"][inside] >= 4).sum()), int(inside.sum())
        top_rest, n_rest = int((built["csat"][~inside] >= 4).sum()), int((~inside).sum())
        low, high = proportion.proportion_confint(top, n, method="wilson")
        shown[segment] = f"{100 * top / n:.1f} ({100 * low:.1f} to {100 * high:.1f})"
        test = proportion.test_proportions_2indep(top, n, top_rest, n_rest, method="agresti-caffo")
        p_values[segment] = test.pvalue
        signs[segment] = top / n - top_rest / n_rest
    marks = holm_marks(p_values, signs)
    assert table["CSAT"].tolist() == [shown[s] + marks[s] for s in ("a", "b", "c")] + ["—"]
    # what the figures say: NPS a above and c below the rest, b not; CSAT only c below; d too small to mark
    assert [cell[-1] for cell in table["NPS"]] == ["▲", ")", "▼", "—"]
    assert [cell[-1] for cell in table["CSAT"]] == [")", ")", "▼", "—"]


def test_by_segments_weighted(built):
    table = cxreport.by_segments(built[["segment", "nps", "w"]], "segment", TEXT, lang="en", weights="w")
    assert table.columns.tolist() == ["Segment", "n", "NPS"]
    assert table["NPS"].tolist() == expected_nps_column(built, weights="w")
    assert table["NPS"].tolist() != cxreport.by_segments(built[["segment", "nps"]], "segment", TEXT,
                                                          lang="en")["NPS"].tolist()


def test_worst_segment_names_only_a_significantly_lower_segment(built):
    # c is significantly below the rest; d (−100) is lower but has 5 answers, too few to test or name
    column, value, score, total = cxreport.worst_segment(built, ["segment"])
    assert (column, value) == ("segment", "c")
    assert (score, total) == (pytest.approx(100 * (8 - 40) / 60), pytest.approx(100 * (77 - 74) / 185))
    assert nps_p_value(SEGMENTS["d"], built["nps"][built["segment"] != "d"]) * 4 < 0.05  # Bonferroni ≥ Holm
    assert cxreport.worst_segment(built, ["segment"], min_n=5)[1] == "d"  # tested now, and behind
    # across columns the lowest of the segments behind: tier "basic" (c and d, −56.9) is below c (−53.3)
    column, value, score, _ = cxreport.worst_segment(built, ["segment", "tier"])
    assert (column, value, score) == ("tier", "basic", pytest.approx(100 * (8 - 45) / 65))
    # a lower estimate alone is not a gap: halves of one mix, one of them slightly lower
    mixed = built.assign(half=np.tile(["x", "y"], len(built) // 2 + 1)[: len(built)])
    values = {h: adjusted_nps(mixed["nps"][mixed["half"] == h])[0] for h in ("x", "y")}
    assert values["x"] != values["y"]
    assert nps_p_value(mixed["nps"][mixed["half"] == "x"], mixed["nps"][mixed["half"] == "y"]) > 0.05
    assert cxreport.worst_segment(mixed, ["half"]) is None
    assert cxreport.worst_segment(built.drop(columns="nps"), ["segment"]) is None


def test_worst_segment_weighted(built):
    column, value, score, total = cxreport.worst_segment(built, ["segment"], weights="w")
    inside = built["segment"] == "c"
    assert (column, value) == ("segment", "c")
    assert score == pytest.approx(adjusted_nps(built["nps"][inside], built["w"][inside])[0])
    points = np.select([built["nps"] >= 9, built["nps"] <= 6], [100, -100], 0)
    assert total == pytest.approx(np.average(points, weights=built["w"]))
    assert total != pytest.approx(points.mean())


MONTHS = {  # NPS per month: 60, 50, 40 (two falls of more than 10 %), a month too small, −40, −60, −80
    "2024-01": answers(60, 40, 0), "2024-02": answers(50, 50, 0), "2024-03": answers(40, 60, 0),
    "2024-04": answers(5, 10, 5), "2024-05": answers(10, 40, 50), "2024-06": answers(0, 40, 60),
    "2024-07": answers(0, 20, 80),
}


def test_periods_show_the_statistical_alert_and_the_rule_beside_it():
    stamps = pd.PeriodIndex(list(MONTHS), freq="M").to_timestamp() + pd.Timedelta(days=3)
    survey = pd.DataFrame({"submitted_at": np.repeat(stamps, [len(v) for v in MONTHS.values()]),
                           "nps": np.concatenate(list(MONTHS.values()))})
    table, alerts, rules = cxreport.periods(survey, TEXT)
    labels, shown = list(MONTHS), [len(v) >= 30 for v in MONTHS.values()]
    values = [adjusted_nps(v)[0] if ok else math.nan for v, ok in zip(MONTHS.values(), shown, strict=True)]
    # ⚠: a fall from the month before with p < 0.05 (both months shown); △: [000]'s rule, a relative fall of
    # more than 10 % in two consecutive months, a hidden month breaking the run
    warn, rule, run = [False], [False], 0
    for i in range(1, len(labels)):
        before, now = MONTHS[labels[i - 1]], MONTHS[labels[i]]
        compared = shown[i] and shown[i - 1]
        warn.append(compared and values[i] < values[i - 1] and nps_p_value(now, before) < 0.05)
        falling = compared and (values[i] - values[i - 1]) / abs(values[i - 1]) < -0.10
        run = run + 1 if falling else 0
        rule.append(run >= 2)
    expected = []
    for month, ok, w, r in zip(MONTHS.values(), shown, warn, rule, strict=True):
        value, _, _, (low, high) = adjusted_nps(month)
        cell = f"{signed(value)} ({signed(low)} to {signed(high)})" if ok else "—"
        expected.append(cell + (" ⚠" if w else "") + (" △" if r else ""))
    assert table.columns.tolist() == ["Month", "n", "NPS"]
    assert table["Month"].tolist() == labels and table["n"].tolist() == [len(v) for v in MONTHS.values()]
    assert table["NPS"].tolist() == expected
    assert alerts == {"nps": [m for m, w in zip(labels, warn, strict=True) if w]}
    assert rules == {"nps": [m for m, r in zip(labels, rule, strict=True) if r]}
    assert (alerts["nps"], rules["nps"]) == (["2024-06", "2024-07"], ["2024-03", "2024-07"])
    assert table["NPS"].iloc[3] == "—"


def test_periods_of_given_trends_are_the_periods_it_would_compute():
    from kit.metrics import period_trend

    stamps = pd.PeriodIndex(list(MONTHS), freq="M").to_timestamp() + pd.Timedelta(days=3)
    survey = pd.DataFrame({"submitted_at": np.repeat(stamps, [len(v) for v in MONTHS.values()]),
                           "nps": np.concatenate(list(MONTHS.values()))})
    table, alerts, rules = cxreport.periods(survey, TEXT, trends={"nps": period_trend(survey, "nps")})
    expected, expected_alerts, expected_rules = cxreport.periods(survey, TEXT)
    pd.testing.assert_frame_equal(table, expected)
    assert (alerts, rules) == (expected_alerts, expected_rules)


def test_periods_without_scores_is_empty():
    no_scores = pd.DataFrame({"submitted_at": [pd.Timestamp("2024-01-01")]})
    table, alerts, rules = cxreport.periods(no_scores, TEXT)
    assert table.empty and alerts == {} and rules == {}


def test_the_loop_of_a_log_without_verification_says_so_and_finds_where_complaints_drop_out():
    """A CRM export with categories and resolution times but no follow-up column: verification is "not recorded"
    (never 0 %), nothing claims the loop was closed, and the step that loses most is named with its counts."""
    from kit import improvement

    log = pd.DataFrame({
        "ticket_id": [f"T{i}" for i in range(8)],
        "received_at": pd.to_datetime(["2025-03-01 09:00"] * 8),
        "category": ["账单", "物流", "账单", None, "物流", "账单", "  ", "账单"],
        "resolved_at": pd.to_datetime(["2025-03-01 12:00", "2025-03-04 09:00", None, "2025-03-01 10:00",
                                       "2025-03-02 08:00", None, None, "2025-03-01 20:00"]),
    })
    funnel = improvement.loop_funnel(log, lang="zh")
    table = cxreport.loop_table(funnel, load_text("reports/cx-report", "zh"), "zh")
    assert table.iloc[:, 1].tolist() == ["8", "6", "4", "—"]  # blank and whitespace categories are not classified
    assert table.iloc[3, 2] == table.iloc[3, 3] == funnel.loc["verified", "note"] != "0"
    results = cxreport.loop_results(funnel, improvement.loop_deadlines(log, as_of="2025-03-10", lang="zh"), "zh")
    keys = [key for key, _ in results]
    assert "loop_closed" not in keys and keys[0] == "loop_weakest"
    assert results[0][1] == {"step": "已处理", "lost": 2, "before": 6}
    assert cxreport.weakest_step(funnel.assign(share_prev=[float("nan"), 1.0, 1.0, float("nan")])) is None


def test_a_table_checked_by_the_cli_is_not_loaded_again_by_the_report(tmp_path):
    from kit.paths import SAMPLE

    source = tmp_path / "survey.csv"
    source.write_bytes((SAMPLE / "survey_responses.csv").read_bytes())
    loaded = cxreport.load_table(source, "survey_responses")
    cxreport.keep_checked(tmp_path, source, "survey_responses", loaded)
    source.write_text("not, the, file\n", encoding="utf-8")  # a second load would fail
    frame, report = cxreport.load_table(source, "survey_responses", checked=tmp_path)
    pd.testing.assert_frame_equal(frame, loaded[0])
    assert report.lines("en") == loaded[1].lines("en")
    other = tmp_path / "other.csv"
    other.write_bytes((SAMPLE / "survey_responses.csv").read_bytes())
    assert cxreport.load_table(other, "survey_responses", checked=tmp_path)[1].path == other  # another file: read
    assert cxreport.load_table(None, "tickets", checked=tmp_path) == (None, None)
