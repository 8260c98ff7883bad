"""kit.metrics against independent implementations (statsmodels, SciPy, textbook values) and its scalars."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from kit import metrics
from kit.errors import KitError
from kit.metrics import (
    by_segment,
    ces,
    csat,
    kpi_targets,
    nps,
    nps_diff,
    nps_sample_size,
    sample_size,
    scorecard,
    trend_alert,
)
from kit.scores import ScoreWarning

# --- NPS ----------------------------------------------------------------------------------------


def adjusted_wald(promoters: int, detractors: int, n: int, z: float = 1.959964):
    """Rocks (2016) / Sauro's recipe written out: n + 3, ¾ added to promoters and detractors."""
    p, d = (promoters + 0.75) / (n + 3), (detractors + 0.75) / (n + 3)
    half = z * math.sqrt((p + d - (p - d) ** 2) / (n + 3))
    return 100 * (p - d - half), 100 * (p - d + half)


def test_nps_textbook_se_and_adjusted_wald_interval():
    # P = 50 %, D = 20 %, n = 100: Var = (0.5 + 0.2 − 0.09)/100, se = 0.0781
    scores = [10] * 50 + [8] * 30 + [3] * 20
    r = nps(scores)
    assert r.value == 30
    assert r.se == pytest.approx(100 * math.sqrt(0.61 / 100))
    assert r.se == pytest.approx(7.81, abs=0.005)
    # adjusted shares 50.75/103 and 20.75/103: 29.13 ± 15.08 points
    assert r.ci == pytest.approx(adjusted_wald(50, 20, 100))
    assert r.ci == pytest.approx((14.05, 44.20), abs=0.01)
    assert r.method == "adjusted Wald (Rocks 2016)"
    assert (r.n, r.n_missing, r.promoters, r.passives, r.detractors) == (100, 0, 0.5, 0.3, 0.2)


def test_nps_se_equals_the_sd_of_per_response_scores():
    # Independent view: NPS is the mean of +100 / 0 / −100 per response; its variance (ddof=0)/n is the
    # multinomial formula.
    rng = np.random.default_rng(1)
    x = rng.integers(0, 11, 537)
    per_response = np.select([x >= 9, x <= 6], [100, -100], 0)
    r = nps(x, ci=0.9)
    assert r.value == pytest.approx(per_response.mean())
    assert r.se == pytest.approx(per_response.std(ddof=0) / math.sqrt(len(x)))
    promoters, detractors = int((x >= 9).sum()), int((x <= 6).sum())
    assert r.ci == pytest.approx(adjusted_wald(promoters, detractors, len(x), stats.norm.ppf(0.95)))


def test_nps_interval_covers_a_bootstrap():
    rng = np.random.default_rng(7)
    x = rng.choice(11, size=400, p=[0.05] * 7 + [0.15, 0.15, 0.2, 0.15])
    r = nps(x)
    boot = rng.choice(x, size=(4000, len(x)), replace=True)
    values = 100 * ((boot >= 9).mean(axis=1) - (boot <= 6).mean(axis=1))
    low, high = np.percentile(values, [2.5, 97.5])
    assert r.ci[0] == pytest.approx(low, abs=1.0) and r.ci[1] == pytest.approx(high, abs=1.0)


def test_nps_edge_cases():
    empty = nps([])
    assert empty.n == 0 and math.isnan(empty.value) and all(math.isnan(v) for v in empty.ci)
    assert nps([np.nan, None]).n_missing == 2
    top = nps([9, 10, 10])
    assert (top.value, top.se, top.ci[1]) == (100.0, 0.0, 100.0)
    assert top.ci[0] == pytest.approx(adjusted_wald(3, 0, 3)[0]) and top.ci[0] < 50  # never zero width
    bottom = nps([0] * 5)
    assert bottom.value == -100 and bottom.ci[0] == -100.0 and bottom.ci[1] == pytest.approx(-17.49, abs=0.01)
    clipped = nps([10] * 9 + [0])
    assert clipped.ci[1] == 100.0 and clipped.ci[0] < clipped.value


def test_nps_parses_text_and_counts_missing():
    r = nps(pd.Series(["9分", "１０", "", None, "7", 3, np.nan], dtype=object))
    assert (r.n, r.n_missing) == (4, 3)
    assert r.value == pytest.approx(100 * (2 - 1) / 4)


def test_nps_off_scale_raises_or_is_dropped():
    with pytest.raises(KitError) as info:
        nps([10, 11, 12, 5, -1])
    assert info.value.code == "scores_off_scale" and info.value.params["count"] == 3
    assert "11" in info.value.render("en")
    with pytest.warns(ScoreWarning):
        r = nps([10, 11, 9.5, 5], errors="coerce")
    assert (r.n, r.n_dropped, r.value) == (2, 2, 0.0)


def test_nps_diff_against_scipy():
    a = [10] * 45 + [7] * 30 + [2] * 25
    b = [9] * 30 + [8] * 40 + [4] * 30
    d = nps_diff(a, b, ci=0.9)
    ra, rb = nps(a, ci=0.9), nps(b, ci=0.9)
    assert d.diff == ra.value - rb.value == 20
    # adjusted Wald for two samples, written out: ¾ added to promoters and detractors, 3 to each n
    pa, da = 45.75 / 103, 25.75 / 103
    pb, db = 30.75 / 103, 30.75 / 103
    centre = 100 * ((pa - da) - (pb - db))
    se = 100 * math.sqrt((pa + da - (pa - da) ** 2) / 103 + (pb + db - (pb - db) ** 2) / 103)
    assert d.se == pytest.approx(se) and d.z == pytest.approx(centre / se)
    assert d.p_value == pytest.approx(2 * stats.norm.sf(abs(centre / se)))
    half = stats.norm.ppf(0.95) * se
    assert d.ci == pytest.approx((centre - half, centre + half))
    assert d.a == ra and d.b.n == 100
    frame = d.to_frame()
    assert {"diff", "ci_low", "ci_high", "p_value", "nps_a", "nps_b"} <= set(frame.columns)
    assert "a" not in frame.columns and "b" not in frame.columns


def test_nps_diff_degenerate_cases():
    same = nps_diff([10] * 5, [9] * 5)
    assert same.diff == 0 and same.p_value == 1.0
    apart = nps_diff([10] * 3, [0] * 3)  # every answer in one band: still a finite test, p > 0
    assert apart.diff == 200 and 0.01 < apart.p_value < 0.02 and math.isfinite(apart.z)
    assert math.isnan(nps_diff([], [10]).p_value)


# --- CSAT and CES ---------------------------------------------------------------------------------


def test_csat_against_statsmodels_and_scipy():
    rng = np.random.default_rng(3)
    x = rng.integers(1, 6, 250)
    r = csat(x, ci=0.9)
    k = int((x >= 4).sum())
    assert r.value == pytest.approx(100 * k / len(x))
    low, high = proportion_confint(k, len(x), alpha=0.1, method="wilson")
    assert r.ci == pytest.approx((100 * low, 100 * high))
    assert r.mean == pytest.approx(x.mean())
    expected = stats.t.interval(0.9, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert r.mean_ci == pytest.approx(expected)


def test_csat_top_box_and_scale():
    x = [10, 9, 8, 3, 10, 7]
    r = csat(x, scale=10, top_box=3)
    assert r.value == pytest.approx(100 * 4 / 6)
    one = csat([5, 5, 5, 4, 3], top_box=1)
    assert one.value == pytest.approx(60)
    with pytest.raises(KitError) as info:
        csat([1, 2], top_box=5)
    assert info.value.code == "metrics_bad_whole"
    with pytest.raises(KitError):
        csat([6, 1])


def test_csat_edge_cases():
    same = csat([4, 4, 4])
    assert same.mean == 4 and same.mean_ci == (4.0, 4.0) and same.value == 100
    low, high = proportion_confint(3, 3, method="wilson")
    assert same.ci == pytest.approx((100 * low, 100 * high))
    assert ces([1, 2, 3]).ci[0] == 1.0  # the t interval (−0.48, 4.48) is clipped to the 1–7 scale
    single = csat([5])
    assert single.mean == 5 and all(math.isnan(v) for v in single.mean_ci)
    empty = csat([None, None])
    assert empty.n == 0 and empty.n_missing == 2 and math.isnan(empty.mean) and math.isnan(empty.ci[0])


def test_ces_against_scipy_and_statsmodels():
    rng = np.random.default_rng(4)
    x = rng.integers(1, 8, 90).astype(float)
    x[:5] = np.nan
    r = ces(x)
    kept = x[~np.isnan(x)]
    assert (r.n, r.n_missing) == (85, 5)
    assert r.value == pytest.approx(kept.mean())
    expected = stats.t.interval(0.95, len(kept) - 1, loc=kept.mean(), scale=stats.sem(kept))
    assert r.ci == pytest.approx(expected)
    k = int((kept <= 2).sum())
    assert r.low_effort_share == pytest.approx(k / 85)
    assert r.low_effort_ci == pytest.approx(proportion_confint(k, 85, method="wilson"))
    assert ces(kept, low_effort_max=3).low_effort_share == pytest.approx((kept <= 3).mean())


def test_result_frames_have_interval_columns():
    frame = csat([5, 4, 3, 5]).to_frame()
    wanted = {"value", "ci_low", "ci_high", "mean", "mean_ci_low", "mean_ci_high", "n", "n_missing"}
    assert wanted <= set(frame)
    assert "CSATResult(value=75.0" in repr(csat([5, 4, 3, 5]))


def test_bad_confidence_is_a_kit_error_in_both_languages():
    with pytest.raises(KitError) as info:
        nps([9, 10], ci=95)
    assert "ci=0.95" in info.value.render("en") and "0.95" in info.value.render("zh")
    assert "置信水平" in info.value.render("zh")


# --- sample size ----------------------------------------------------------------------------------


def test_sample_size_cochran():
    assert sample_size(0.05) == 385
    assert sample_size(0.05, population=1000) == 278 == sample_size(0.05, population=1000.0)
    z = stats.norm.ppf(0.995)
    assert sample_size(0.03, confidence=0.99, p=0.3) == math.ceil(z**2 * 0.3 * 0.7 / 0.03**2)
    assert sample_size(0.05, population=50) <= 50
    for bad in (0, 5, -0.1):
        with pytest.raises(KitError):
            sample_size(bad)
    with pytest.raises(KitError):
        sample_size(0.05, population=0)


def test_nps_sample_size_formula():
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    variance = 0.35 + 0.30 - 0.05**2
    expected = math.ceil(z**2 * 2 * variance / 0.10**2)
    assert nps_sample_size(change=10, promoters=0.35, detractors=0.30) == expected
    assert nps_sample_size(change=-10, promoters=0.35, detractors=0.30) == expected
    assert nps_sample_size(change=10) == math.ceil(z**2 * 2 / 0.01)
    assert nps_sample_size(change=5) > nps_sample_size(change=10)
    with pytest.raises(KitError) as info:
        nps_sample_size(change=10, promoters=0.7, detractors=0.5)
    assert info.value.code == "metrics_bad_nps_shares"
    with pytest.raises(KitError):
        nps_sample_size(change=0)
    with pytest.raises(KitError) as info:
        nps_sample_size(5, change=10)
    assert info.value.code == "metrics_margin_or_change"


# --- by segment -----------------------------------------------------------------------------------


def survey(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "segment": rng.choice(["B2B", "B2C", "gov"], n, p=[0.5, 0.49, 0.01]),
        "channel": pd.Categorical(rng.choice(["phone", "email", "online"], n),
                                  categories=["phone", "online", "email", "social"]),
        "nps": rng.integers(0, 11, n).astype(float),
        "csat": rng.integers(1, 6, n).astype(float),
        "ces": rng.integers(1, 8, n).astype(float),
    })
    for column in ("nps", "csat", "ces"):
        frame.loc[rng.random(n) < 0.05, column] = np.nan
    return frame


@pytest.mark.parametrize("metric, options", [
    ("nps", {}), ("csat", {}), ("csat", {"scale": 5, "top_box": 1}), ("ces", {"low_effort_max": 3}),
])
def test_by_segment_equals_the_scalar_per_segment(metric, options):
    df = survey()
    out = by_segment(df, metric, ["segment", "channel"], min_n=0, ci=0.9, **options)
    function = getattr(metrics, metric)
    assert len(out) == df.groupby(["segment", "channel"], observed=True).ngroups
    for row in out.itertuples(index=False):
        part = df.loc[(df.segment == row.segment) & (df.channel == row.channel), metric]
        expected = function(part, ci=0.9, **options).to_dict()
        expected.pop("method")  # by_segment names the method once, in attrs
        got = {k: getattr(row, k) for k in expected}
        assert got == pytest.approx(expected, nan_ok=True), (row.segment, row.channel)
    assert (out["flag"] == "").all()


def test_by_segment_order_and_missing_keys():
    df = survey(600)
    df.loc[:9, "segment"] = None
    out = by_segment(df, "nps", "channel", min_n=0)
    assert out["channel"].tolist() == ["phone", "online", "email"]  # category order, unobserved left out
    out = by_segment(df, "nps", "segment", min_n=0)
    assert out["segment"].iloc[:2].tolist() == ["B2B", "B2C"] and out["segment"].isna().iloc[-1]
    assert out["n"].sum() + out["n_missing"].sum() == len(df)
    assert out.loc[out.segment.isna(), "n"].iloc[0] + out.loc[out.segment.isna(), "n_missing"].iloc[0] == 10


def test_by_segment_suppresses_small_segments():
    df = survey()
    out = by_segment(df, "csat", "segment", min_n=100)
    small = out[out.segment == "gov"].iloc[0]
    assert small.flag == "small" and small.n < 100 and small.n > 0
    assert pd.isna([small.value, small.ci_low, small.ci_high, small["mean"], small.mean_ci_low]).all()
    assert out["value"].dtype == float and out["n"].dtype.kind == "i"
    big = out[out.segment == "B2B"].iloc[0]
    assert big.flag == "" and not np.isnan(big.value)
    flagged = by_segment(df, "csat", "segment", min_n=100, suppress=False)
    row = flagged[flagged.segment == "gov"].iloc[0]
    assert row.flag == "small" and not np.isnan(row.value)


def test_by_segment_accepts_functions_text_and_other_columns():
    df = pd.DataFrame({"team": ["a", "a", "b", "b", "b"], "推荐值": ["9分", "10", "3", None, "８"]})
    out = by_segment(df, nps, "team", min_n=0, score_column="推荐值")
    assert out["n"].tolist() == [2, 2] and out["n_missing"].tolist() == [0, 1]
    assert out["value"].tolist() == [100.0, -50.0]
    with pytest.raises(KitError) as info:
        by_segment(df, "nps", "team")
    assert info.value.code == "metrics_missing_columns" and "推荐值" in info.value.params["available"]
    with pytest.raises(KitError) as info:
        by_segment(df, "kano", "team")
    assert info.value.code == "metrics_unknown_metric"


def test_by_segment_off_scale_raise_and_coerce():
    df = pd.DataFrame({"segment": ["x", "x", "y", "y"], "nps": [10, 12, 9, -3]})
    with pytest.raises(KitError):
        by_segment(df, "nps", "segment")
    with pytest.warns(ScoreWarning):
        out = by_segment(df, "nps", "segment", min_n=0, errors="coerce")
    assert out["n"].tolist() == [1, 1] and out["n_dropped"].tolist() == [1, 1]


def test_by_segment_int8_fast_path_matches():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"seg": rng.integers(0, 4, 2000), "nps": rng.integers(0, 11, 2000).astype(np.int8)})
    fast = by_segment(df, "nps", "seg")
    slow = by_segment(df.assign(nps=df.nps.astype(float)), "nps", "seg")
    pd.testing.assert_frame_equal(fast, slow)


def test_nullable_integer_scores_match_the_cleaned_scores():
    """An Int64 column on the scale skips the cleaning: blanks count as missing, the tally is that of the same
    scores read as floats (the cleaning path), and the column itself is left as it was."""
    rng = np.random.default_rng(6)
    scores = pd.array(rng.integers(1, 6, 3000), dtype="Int64")
    scores[rng.random(3000) < 0.1] = pd.NA
    df = pd.DataFrame({"seg": rng.choice(["a", "b", "c"], 3000),
                       "submitted_at": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 300, 3000), "D"),
                       "csat": scores})
    as_float = df.assign(csat=df["csat"].astype(float))
    pd.testing.assert_frame_equal(by_segment(df, "csat", "seg"), by_segment(as_float, "csat", "seg"))
    pd.testing.assert_frame_equal(metrics.period_trend(df, "csat"), metrics.period_trend(as_float, "csat"))
    plain = df.dropna().assign(csat=lambda d: d["csat"].astype(np.int64))
    kept = plain["csat"].copy()
    pd.testing.assert_frame_equal(by_segment(plain, "csat", "seg"),
                                  by_segment(plain.assign(csat=kept.astype(float)), "csat", "seg"))
    pd.testing.assert_series_equal(plain["csat"], kept)
    with pytest.raises(KitError) as info:
        by_segment(df.assign(csat=df["csat"].replace(5, 6)), "csat", "seg")
    assert info.value.code == "scores_off_scale"


def test_by_segment_never_calls_the_scalar_per_group(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("by_segment must be vectorised")

    from kit.metrics import estimates, segments

    for module in (metrics, estimates, segments):
        for name in ("nps", "csat", "ces", "_scalar"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, forbidden)
    out = by_segment(survey(500), "ces", "segment", min_n=0)
    assert len(out) == 3


# --- early warning --------------------------------------------------------------------------------


def test_trend_alert_two_consecutive_falls():
    s = pd.Series([80, 70, 62, 61, 50, 40, 30], index=[f"2025-0{i}" for i in range(1, 8)])
    out = trend_alert(s)
    assert out["alert"].tolist() == [False, False, True, False, False, True, True]
    assert out["run"].tolist() == [0, 1, 2, 0, 1, 2, 3]
    assert out["change"].iloc[1] == pytest.approx(-0.125)
    assert trend_alert(s, periods=3)["alert"].tolist() == [False] * 6 + [True]
    exactly = trend_alert(pd.Series([100.0, 90.0, 81.0]))  # −10 % is not "more than 10 %"
    assert not exactly["alert"].any()


def test_trend_alert_sorts_periods_and_handles_groups():
    df = pd.DataFrame({
        "team": ["a"] * 4 + ["b"] * 4,
        "period": ["2025Q4", "2025Q1", "2025Q2", "2025Q3"] * 2,
        "csat_mean": [3.0, 4.8, 4.2, 3.7, 4.5, 4.6, 4.4, 4.5],
    })
    out = trend_alert(df, by="team", value="csat_mean")
    assert out["period"].tolist()[:4] == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert out.loc[out.alert, ["team", "period"]].values.tolist() == [["a", "2025Q3"], ["a", "2025Q4"]]
    assert np.isnan(out.loc[out.team == "b", "change"].iloc[0])  # a series never continues another
    only = trend_alert(df[df.team == "a"].drop(columns="team"))  # the only numeric column is the value
    assert only["alert"].sum() == 2
    with pytest.raises(KitError) as info:
        trend_alert(df.assign(extra=1.0), by="team")
    assert info.value.code == "metrics_trend_value"
    with pytest.raises(KitError) as info:
        trend_alert(df, value="csat_mean")  # periods repeat across teams without by=
    assert info.value.code == "metrics_duplicate_periods"


def test_trend_alert_with_negative_and_zero_nps():
    s = pd.Series([20.0, -5.0, -10.0, 0.0, -3.0, -4.0])
    out = trend_alert(s)
    # |previous| as base: 20 → −5 is −125 %, −5 → −10 is −100 % (both falls), 0 → −3 is undefined
    assert out["change"].tolist()[1:3] == pytest.approx([-1.25, -1.0])
    assert np.isnan(out["change"].iloc[4])
    assert out["alert"].tolist() == [False, False, True, False, False, False]
    points = trend_alert(s, drop=5, relative=False)
    assert points["change"].tolist()[1:] == pytest.approx([-25, -5, 10, -3, -1])
    assert points["alert"].tolist() == [False] * 6  # −5 points is not more than 5


def test_trend_alert_lower_is_better_and_multiindex():
    idx = pd.MultiIndex.from_product([["x"], ["2025-01", "2025-02", "2025-03"]], names=["team", "period"])
    out = trend_alert(pd.Series([2.0, 2.5, 3.0], index=idx, name="ces"), higher_is_better=False)
    assert list(out.columns[:2]) == ["team", "period"] and out["alert"].tolist() == [False, False, True]


# --- scorecard ------------------------------------------------------------------------------------


def test_kpi_targets_variants():
    default = kpi_targets().set_index("kpi")
    assert default.loc["nps", "target"] == 60 and default.loc["nps", "source"] == "001"
    assert default.loc["retention", "source"] == "000" and default.loc["ces", "direction"] == "≤"
    consulting = kpi_targets("000").set_index("kpi")
    assert consulting.loc["nps", "target"] == 50 and consulting.loc["fcr", "target"] == 80
    assert "resp_min" not in consulting.index
    frontline = {"nps", "csat_mean", "fcr", "resp_min", "resolve_h", "complaint_rate"}
    assert set(kpi_targets(1)["kpi"]) == frontline
    everything = kpi_targets("all")
    assert len(everything) == 13 and set(everything["source"]) == {"000", "001"}
    with pytest.raises(KitError) as info:
        kpi_targets("002")
    assert info.value.code == "metrics_unknown_source"


def test_scorecard_status_bands():
    card = scorecard({"nps": 57.5, "ces": 2.1, "resp_min": 12, "complaint_rate": 0.5, "csat_mean": np.nan},
                     lang="en").set_index("kpi")
    assert card.loc["nps", "status"] == "near" and card.loc["nps", "target"] == 60  # 60 − 5 % = 57
    assert card.loc["ces", "status"] == "near"  # 2 + 5 % = 2.1
    assert card.loc["resp_min", "status"] == "missed" and card.loc["resp_min", "gap"] == 2
    assert card.loc["complaint_rate", "status"] == "met"
    assert card.loc["csat_mean", "status"] == "no_data"
    assert card.loc["ces", "direction"] == "≤" and card.loc["ces", "source"] == "000"
    assert card.loc["resp_min", "name"] == "Time to first reply: mean (minutes)"  # [001] defines the KPIs as means
    strict = scorecard({"nps": 57.5}, near=0)
    assert strict["status"].tolist() == ["missed"]


def test_scorecard_accepts_series_rows_and_frames():
    snapshots = pd.DataFrame({
        "period": ["2025-01", "2025-01", "2025-02"], "team": ["a", "b", "a"],
        "nps": [62.0, 40.0, 51.0], "fcr": [80.0, 74.0, 60.0], "renewal": [70.0, 60.0, 65.0],
    })
    card = scorecard(snapshots, source="000", lang="zh")
    assert len(card) == 6 and list(card.columns[:3]) == ["period", "team", "kpi"]
    assert card["status"].tolist() == ["met", "met", "missed", "missed", "met", "missed"]
    assert card["name"].iloc[1] == "一次性解决率"
    one = scorecard(snapshots.iloc[0], source="001")
    assert one["status"].tolist() == ["met", "met"]
    assert scorecard(snapshots.iloc[[2]])["target"].tolist() == [60.0, 75.0]
    no_ids = scorecard(pd.DataFrame({"nps": [70, 10]}))
    assert no_ids["row"].tolist() == [0, 1] and no_ids["status"].tolist() == ["met", "missed"]


def test_scorecard_with_user_targets():
    card = scorecard({"nps": 30, "sla24": 96, "fcr": 70},
                     targets={"nps": 25, "sla24": (">=", 95), "fcr": {"direction": "<=", "target": 80,
                                                                      "source": "002"}})
    assert card["status"].tolist() == ["met", "met", "met"]
    assert card["source"].tolist() == ["user", "user", "002"]
    assert card["name"].tolist()[1] in ("24-hour reply rate", "24小时达标率")
    assert scorecard({"x1": 3}, targets={"x1": (">=", 1)})["name"].tolist() == ["x1"]
    with pytest.raises(KitError) as info:
        scorecard({"sla24": 96}, targets={"sla24": 95})
    assert info.value.code == "metrics_unknown_kpi" and "{'sla24'" in info.value.render("en")
    with pytest.raises(KitError) as info:
        scorecard({"nps": 1}, targets={"nps": ("=", 5)})
    assert info.value.code == "metrics_bad_direction"
    with pytest.raises(KitError) as info:
        scorecard({"renewal": 80})
    assert info.value.code == "metrics_no_kpis"


def test_every_error_code_renders_in_both_languages():
    params = dict(value=1, param="p", minimum=0, low=1, high=2, promoters=1, detractors=1, metric="m",
                  choices="c", missing="m", available="a", candidates="c", count=1, examples="e", kpi="k",
                  kpis="k", source="s", sources="s")
    codes = ["metrics_bad_confidence", "metrics_bad_share", "metrics_bad_number", "metrics_bad_whole",
             "metrics_bad_nps_shares", "metrics_unknown_metric", "metrics_missing_columns",
             "metrics_trend_value",
             "metrics_duplicate_periods", "metrics_unknown_kpi", "metrics_bad_direction",
             "metrics_unknown_source", "metrics_no_kpis"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for code in codes:
            en, zh = KitError(code, **params).render("en"), KitError(code, **params).render("zh")
            assert en and zh and en != zh


def test_period_trend_matches_by_segment_per_month_and_flags_the_dip():
    from kit.data import synth

    survey = synth.survey_responses(4000, seed=1)
    table = metrics.period_trend(survey, "nps")
    months = survey["submitted_at"].dt.strftime("%Y-%m")
    for _, row in table.iterrows():
        direct = metrics.nps(survey.loc[months == row["period"], "nps"])
        assert row["value"] == pytest.approx(direct.value) and row["n"] == direct.n
    flagged = set(table.loc[table["alert"], "period"])
    assert f"2025-{synth.DIP_MONTHS[-1]:02d}" in flagged, "the second month of the dip completes the run"
    effort = metrics.period_trend(survey, "ces", freq="Q")
    assert effort["period"].tolist() == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert not effort["alert"].any() or (effort["change"] > 0).any(), "for CES a rise is the bad direction"


def test_period_trend_leaves_out_undated_rows_and_labels_each_period():
    stamps = pd.to_datetime(["2025-01-05", None, "2025-03-01", "2025-01-20", None] * 20)
    survey = pd.DataFrame({"submitted_at": stamps, "nps": [10, 3, 9, 6, 8] * 20})
    table = metrics.period_trend(survey, "nps", min_n=1)
    assert table["period"].tolist() == ["2025-01", "2025-03"] and table["n"].tolist() == [40, 20]
    assert table.attrs["n_undated"] == 40
    weekly = metrics.period_trend(survey, "nps", freq="W", min_n=1)
    assert weekly["period"].tolist() == [str(p) for p in sorted(set(stamps.dropna().to_period("W")))]


def test_survey_kpis_feed_the_scorecard():
    survey = pd.DataFrame({"nps": [10, 9, 6, 8, 10], "csat": [5, 4, 4, 3, 5], "ces": [1, 2, 2, 3, 7]})
    kpis = metrics.survey_kpis(survey)
    assert kpis == pytest.approx({"nps": 40.0, "csat_mean": 4.2, "ces": 3.0})
    card = metrics.scorecard(kpis, source="001")
    assert set(card["kpi"]) >= {"nps", "csat_mean"}
    assert metrics.survey_kpis(survey[["nps"]]) == {"nps": 40.0}
