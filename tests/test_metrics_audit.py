"""The statistics audit (issue 12): each finding against an independent oracle — exact fractions, exact
trinomial enumeration (scipy), samplics' Taylor linearisation, ipfn's raking, statsmodels' Holm, Agresti–Caffo
and separate-variance z tests."""

import math
import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats import proportion
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from kit import metrics, weights
from kit.errors import KitError
from kit.metrics.estimates import _adjusted_nps, _nps_difference

Z95 = stats.norm.ppf(0.975)


# --- 3. whole-number results are exact ----------------------------------------------------------------


def test_whole_number_nps_and_csat_are_exact():
    inexact = []
    for n in range(1, 31):
        for promoters in range(n + 1):
            for detractors in range(n + 1 - promoters):
                exact = Fraction(100 * (promoters - detractors), n)
                if exact.denominator == 1:
                    scores = [10] * promoters + [8] * (n - promoters - detractors) + [0] * detractors
                    if metrics.nps(scores).value != exact:
                        inexact.append((promoters, detractors, n))
    assert inexact == []
    for n in range(1, 61):
        for top in range(n + 1):
            exact = Fraction(100 * top, n)
            if exact.denominator == 1:
                assert metrics.csat([5] * top + [1] * (n - top)).value == exact


def test_scorecard_meets_a_target_the_value_equals():
    score = metrics.nps([10] * 7 + [8] + [3] * 2)
    assert score.value == 50.0
    card = metrics.scorecard({"nps": score.value}, source="000", lang="en")
    assert card["status"].tolist() == ["met"]
    # an actual computed elsewhere with float noise still meets it
    assert metrics.scorecard({"nps": 100 * (0.7 - 0.2)}, source="000")["status"].tolist() == ["met"]


# --- 5. NPS interval and test at small n ---------------------------------------------------------------


def trinomial(n, promoters, detractors):
    """Every outcome (P, D) of n answers and its exact probability (scipy's multinomial pmf)."""
    P, D = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    keep = n >= P + D
    P, D = P[keep], D[keep]
    prob = stats.multinomial.pmf(np.stack([P, D, n - P - D], axis=1), n,
                                 [promoters, detractors, 1 - promoters - detractors])
    return P, D, prob


def coverage(n, promoters, detractors, interval):
    P, D, prob = trinomial(n, promoters, detractors)
    true = 100 * (promoters - detractors)
    low, high = interval(P, D, n)
    return float(prob[(low - 1e-9 <= true) & (true <= high + 1e-9)].sum())


def kit_interval(P, D, n):
    """The kit's interval for every outcome at once: one segment per outcome, n answers each."""
    outcome = np.repeat(np.arange(len(P)), n)
    position = np.tile(np.arange(n), len(P))
    scores = np.where(position < np.repeat(P, n), 10, np.where(position >= n - np.repeat(D, n), 0, 8))
    table = metrics.by_segment(pd.DataFrame({"outcome": outcome, "nps": scores}), "nps", "outcome", min_n=0)
    return table["ci_low"].to_numpy(), table["ci_high"].to_numpy()


def wald(P, D, n):
    value = 100 * (P - D) / n
    se = 100 * np.sqrt(np.maximum(P / n + D / n - ((P - D) / n) ** 2, 0) / n)
    return value - Z95 * se, value + Z95 * se


@pytest.mark.parametrize("n", [30, 50])
def test_nps_interval_keeps_its_coverage_at_small_n_with_a_high_nps(n):
    grid = [(0.7, 0.05), (0.8, 0.05), (0.85, 0.02), (0.6, 0.1), (0.9, 0.02)]
    kit = [coverage(n, p, d, kit_interval) for p, d in grid]
    plain = [coverage(n, p, d, wald) for p, d in grid]
    assert min(plain) < 0.92  # the audit's finding: the plain Wald interval under-covers here
    assert min(kit) >= 0.925 and np.mean(kit) >= 0.94


def test_nps_interval_is_never_zero_width():
    five = metrics.nps([10] * 5)
    assert five.value == 100 and five.ci[1] == 100
    assert five.ci[0] == pytest.approx(17.49, abs=0.01)
    assert five.method.startswith("adjusted Wald")


def test_nps_diff_keeps_its_size_at_small_n():
    # exact type-I error of the two-sample test under H0 (both groups from the same trinomial)
    for n, promoters, detractors in [(10, 0.3, 0.3), (20, 0.6, 0.1), (20, 0.8, 0.05), (40, 0.5, 0.2)]:
        P, D, prob = trinomial(n, promoters, detractors)
        one = dict(promoters=P / n, detractors=D / n, n_ci=np.full(len(P), float(n)))
        a = {k: np.repeat(v, len(P)) for k, v in one.items()}
        b = {k: np.tile(v, len(P)) for k, v in one.items()}
        _, p_value = metrics.z_test(*_nps_difference(a, b))
        size = np.outer(prob, prob).ravel()[p_value < 0.05].sum()
        assert size <= 0.05, (n, promoters, detractors, size)
    apart = metrics.nps_diff([10] * 3, [0] * 3)
    assert 0 < apart.p_value < 0.05


def test_adjusted_shares_follow_the_published_recipe():
    centre, variance = _adjusted_nps(np.array([0.5]), np.array([0.2]), np.array([100.0]))
    p, d = 50.75 / 103, 20.75 / 103
    assert centre[0] == pytest.approx(p - d) and variance[0] == pytest.approx((p + d - (p - d) ** 2) / 103)
    assert np.isnan(_adjusted_nps(np.array([np.nan]), np.array([np.nan]), np.array([0.0]))[0][0])


# --- 6. NPS margin planner --------------------------------------------------------------------------------


def test_nps_margin_planner_against_the_formula_and_the_proportion_planner():
    z = stats.norm.ppf(0.975)
    variance = 0.35 + 0.30 - 0.05**2
    assert metrics.nps_sample_size(5, promoters=0.35, detractors=0.30) == math.ceil(z**2 * variance / 0.05**2)
    ratios = [metrics.nps_sample_size(m, promoters=p, detractors=d) / metrics.sample_size(m / 100)
              for m in (3, 5, 10) for p, d in ((0.35, 0.30), (0.5, 0.5), (0.6, 0.2))]
    assert min(ratios) >= 1.8 and max(ratios) <= 4.01
    # the planned n delivers the margin: the interval's half-width at that n is about 5 points
    n = metrics.nps_sample_size(5, promoters=0.35, detractors=0.30)
    result = metrics.nps([10] * round(0.35 * n) + [8] * (n - round(0.35 * n) - round(0.30 * n)) + [0] * round(0.30 * n))
    assert (result.ci[1] - result.ci[0]) / 2 == pytest.approx(5, abs=0.05)
    assert metrics.nps_sample_size(5, population=1000) < metrics.nps_sample_size(5)


# --- 7. trend alerts ----------------------------------------------------------------------------------------


def monthly(values_per_month: list[list[int]]) -> pd.DataFrame:
    months = pd.date_range("2024-01-01", periods=len(values_per_month), freq="MS")
    return pd.DataFrame({"submitted_at": np.repeat(months, [len(v) for v in values_per_month]),
                         "nps": np.concatenate(values_per_month)})


def test_the_relative_rule_misses_a_fall_through_zero_that_points_and_statistics_catch():
    # NPS +10 → 0 → −10 on 400 answers a month: relative change is undefined at 0, so [000]'s relative rule
    # cannot fire; the points rule and the statistical alert do
    def month(nps_points):
        promoters = 140 + nps_points * 2
        return [10] * promoters + [8] * 120 + [0] * (400 - 120 - promoters)

    frame = monthly([month(10), month(0), month(-10)])
    values = metrics.period_trend(frame, "nps")["value"].tolist()
    assert values == [10.0, 0.0, -10.0]
    relative = metrics.trend_alert(pd.Series(values, index=["2024-01", "2024-02", "2024-03"]))
    assert not relative["alert"].any()
    points = metrics.period_trend(frame, "nps", drop=5, relative=False)
    assert points["rule_alert"].tolist() == [False, False, True]


def test_statistical_alert_rarely_fires_on_a_steady_score():
    rng = np.random.default_rng(12)
    months = [rng.choice([10, 8, 0], size=200, p=[0.45, 0.35, 0.20]).tolist() for _ in range(400)]
    frame = monthly(months)
    trend = metrics.period_trend(frame, "nps")
    assert trend["alert"].mean() < 0.05  # about 2.5 % expected (one tail)
    naive = metrics.trend_alert(trend.set_index("period")["value"])  # [000]'s relative rule on NPS
    assert naive["alert"].mean() > trend["alert"].mean()


def test_statistical_alert_matches_the_two_sample_test():
    frame = monthly([[10] * 30 + [8] * 10 + [0] * 10, [10] * 15 + [8] * 10 + [0] * 25])
    trend = metrics.period_trend(frame, "nps")
    direct = metrics.nps_diff(frame["nps"][50:], frame["nps"][:50])
    assert trend["p_value"].iloc[1] == pytest.approx(direct.p_value)
    assert trend["alert"].tolist() == [False, True]


# --- 8. survey weights ----------------------------------------------------------------------------------------


def taylor_mean(y, w):
    """samplics' Taylor-linearised weighted mean and its standard error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # samplics warns that it is archived
        from samplics.estimation import TaylorEstimator
        from samplics.utils.types import PopParam

        estimator = TaylorEstimator(PopParam.mean)
        estimator.estimate(y=np.asarray(y, dtype=float), samp_weight=np.asarray(w, dtype=float))
    return float(estimator.point_est), float(estimator.stderror)


def plug_in(y, w):
    """samplics' mean and se without its n/(n − 1) factor: the form whose equal-weight case is √(V/n)."""
    mean, se = taylor_mean(y, w)
    return mean, se * math.sqrt((len(y) - 1) / len(y))


def korn_graubard_n(y, w):
    """Effective n of a weighted mean: the weighted variance over samplics' (plug-in) variance, capped at n;
    Kish's (Σw)²/Σw² when every answer is alike."""
    y, w = np.asarray(y, dtype=float), np.asarray(w, dtype=float)
    if np.ptp(y) == 0:
        return w.sum() ** 2 / (w**2).sum()
    mean, se = plug_in(y, w)
    return min(len(y), np.average((y - mean) ** 2, weights=w) / se**2)


def rocks(promoters, detractors, n, z=Z95):
    """Rocks' adjusted Wald NPS on n answers (¾ added to promoters and detractors, 3 to n): centre, se and
    interval, in points."""
    p, d = (n * promoters + 0.75) / (n + 3), (n * detractors + 0.75) / (n + 3)
    se = math.sqrt((p + d - (p - d) ** 2) / (n + 3))
    return 100 * (p - d), 100 * se, (100 * (p - d - z * se), 100 * (p - d + z * se))


def nps_points(scores):
    """+1 promoter, 0 passive, −1 detractor."""
    scores = np.asarray(scores)
    return np.select([scores >= 9, scores <= 6], [1.0, -1.0], 0.0)


@pytest.fixture(scope="module")
def skewed():
    """A quota-skewed sample: the app channel is 60 % of answers but 20 % of customers, and happier."""
    rng = np.random.default_rng(5)
    channel = np.repeat(["app", "store", "phone"], [600, 250, 150])
    happy = {"app": [0.70, 0.20, 0.10], "store": [0.30, 0.35, 0.35], "phone": [0.25, 0.30, 0.45]}
    nps_scores = np.concatenate([rng.choice([10, 8, 3], size=(channel == c).sum(), p=happy[c])
                                 for c in ("app", "store", "phone")])
    csat_scores = rng.integers(1, 6, len(channel))
    return pd.DataFrame({"channel": channel, "nps": nps_scores, "csat": csat_scores,
                         "ces": rng.integers(1, 8, len(channel))})


MARGINS = {"channel": {"app": 0.2, "store": 0.5, "phone": 0.3}}


def test_weighted_nps_against_samplics_and_the_published_interval(skewed):
    w = weights.rake(skewed, MARGINS).to_numpy() * np.linspace(0.5, 1.5, len(skewed))
    unweighted, weighted = metrics.nps(skewed["nps"]), metrics.nps(skewed["nps"], weights=w)
    y = nps_points(skewed["nps"])
    mean, se = plug_in(100 * y, w)
    assert weighted.value == pytest.approx(mean, rel=1e-12)
    assert unweighted.value - weighted.value > 15
    assert weighted.se == pytest.approx(se, rel=1e-10)  # Taylor-linearised, not Kish's approximation
    assert weighted.n == unweighted.n == 1000
    assert weighted.n_eff == pytest.approx(w.sum() ** 2 / (w**2).sum()) and weighted.n_eff < 1000
    n_ci = korn_graubard_n(y, w)
    assert weighted.n_ci == pytest.approx(n_ci, rel=1e-10) and n_ci != pytest.approx(weighted.n_eff, rel=0.01)
    assert weighted.ci == pytest.approx(rocks(weighted.promoters, weighted.detractors, n_ci)[2], rel=1e-10)
    assert "weighted" in weighted.method


def test_weighted_means_and_shares_against_samplics(skewed):
    w = weights.rake(skewed, MARGINS).to_numpy() * np.linspace(0.5, 1.5, len(skewed))
    result = metrics.csat(skewed["csat"], weights=w, ci=0.9)
    mean, se = taylor_mean(skewed["csat"], w)
    assert result.mean == pytest.approx(mean, rel=1e-12) and result.mean_se == pytest.approx(se, rel=1e-10)
    t = stats.t.ppf(0.95, len(skewed) - 1)
    assert result.mean_ci == pytest.approx((mean - t * se, mean + t * se))
    effort = metrics.ces(skewed["ces"], weights=w)
    assert (effort.value, effort.se) == pytest.approx(taylor_mean(skewed["ces"], w), rel=1e-10)
    for share, se_share, n_ci, ci, alpha in [
        (result.value / 100, result.se / 100, result.n_ci, np.divide(result.ci, 100), 0.1),
        (effort.low_effort_share, None, None, effort.low_effort_ci, 0.05),
    ]:
        y = (skewed["csat"] >= 4) if se_share is not None else (skewed["ces"] <= 2)
        expected_share, expected_se = plug_in(y, w)
        expected_n = korn_graubard_n(y, w)
        assert share == pytest.approx(expected_share, rel=1e-12)
        if se_share is not None:
            assert (se_share, n_ci) == pytest.approx((expected_se, expected_n), rel=1e-10)
        low, high = proportion.proportion_confint(expected_share * expected_n, expected_n, alpha=alpha,
                                                  method="wilson")
        assert tuple(ci) == pytest.approx((low, high), rel=1e-9)


def test_effective_n_is_capped_at_n_and_falls_back_to_kish_without_variance():
    # heavy weights on the answers nearest the mean: the linearised variance is below V/n, n_ci stays n
    scores, w = [10] * 10 + [0] * 10, [1.0] * 10 + [3.0] * 10
    y = nps_points(scores)
    mean = np.average(y, weights=w)
    assert np.average((y - mean) ** 2, weights=w) / plug_in(y, w)[1] ** 2 > 20
    capped = metrics.nps(scores, weights=w)
    assert capped.n_ci == 20 and capped.ci == pytest.approx(rocks(0.25, 0.75, 20)[2])
    # every answer a promoter: no variance to compare, Kish's n_eff
    alike = metrics.nps([10] * 6, weights=[1, 1, 1, 1, 2, 6])
    assert alike.se == 0 and alike.n_ci == pytest.approx(12**2 / 44) == alike.n_eff
    assert alike.ci == pytest.approx((rocks(1.0, 0.0, 144 / 44)[2][0], 100))


def test_weighted_nps_diff_against_an_independent_computation(skewed):
    w = weights.rake(skewed, MARGINS).to_numpy() * np.linspace(0.5, 1.5, len(skewed))
    app, store = (skewed["channel"] == "app").to_numpy(), (skewed["channel"] == "store").to_numpy()
    for weights_b in (w[store], None):
        result = metrics.nps_diff(skewed["nps"][app], skewed["nps"][store], ci=0.9, weights_a=w[app],
                                  weights_b=weights_b)
        parts = []
        for scores, ws in ((skewed["nps"][app], w[app]), (skewed["nps"][store], weights_b)):
            ws = np.ones(len(scores)) if ws is None else ws
            y = nps_points(scores)
            parts.append((100 * np.average(y, weights=ws), np.average(y == 1, weights=ws),
                          np.average(y == -1, weights=ws), korn_graubard_n(y, ws)))
        (value_a, p_a, d_a, n_a), (value_b, p_b, d_b, n_b) = parts
        assert (result.a.n_ci, result.b.n_ci) == pytest.approx((n_a, n_b), rel=1e-10)
        centre_a, se_a, _ = rocks(p_a, d_a, n_a)
        centre_b, se_b, _ = rocks(p_b, d_b, n_b)
        se = math.hypot(se_a, se_b)
        z = (centre_a - centre_b) / se
        z90 = stats.norm.ppf(0.95)
        assert result.diff == pytest.approx(value_a - value_b, rel=1e-12)
        p_value = 2 * stats.norm.sf(abs(z))
        assert (result.se, result.z, result.p_value) == pytest.approx((se, z, p_value), rel=1e-9)
        centre = centre_a - centre_b
        assert result.ci == pytest.approx((centre - z90 * se, centre + z90 * se), rel=1e-9)
        assert (result.n_a, result.n_b) == (app.sum(), store.sum())
    assert result.p_value < 0.001 and result.a.n_ci < app.sum()


def test_equal_weights_reproduce_the_unweighted_results(skewed):
    for name in ("nps", "csat", "ces"):
        plain = getattr(metrics, name)(skewed[name]).to_dict()
        equal = getattr(metrics, name)(skewed[name], weights=np.full(len(skewed), 2.5)).to_dict()
        plain.pop("method"), equal.pop("method")
        assert equal == pytest.approx(plain, rel=1e-12, nan_ok=True), name


def test_weights_by_segment_and_period_equal_the_weighted_scalar(skewed):
    w = weights.rake(skewed, MARGINS)
    frame = skewed.assign(w=w, region=np.tile(["north", "south"], 500))
    table = metrics.by_segment(frame, "nps", "region", weights="w")
    for row in table.itertuples():
        part = frame[frame.region == row.region]
        direct = metrics.nps(part["nps"], weights=part["w"])
        assert (row.value, row.ci_low, row.ci_high, row.n_eff) == pytest.approx(
            (direct.value, *direct.ci, direct.n_eff))
    assert "weighted" in table.attrs["method"]
    frame["submitted_at"] = pd.Timestamp("2025-01-01") + pd.to_timedelta(np.arange(1000) % 60, unit="D")
    trend = metrics.period_trend(frame, "csat", weights="w", min_n=1)
    january = frame[frame.submitted_at.dt.month == 1]
    assert trend["value"].iloc[0] == pytest.approx(metrics.csat(january["csat"], weights=january["w"]).value)


def test_bad_weights_are_refused_with_the_count():
    with pytest.raises(KitError) as info:
        metrics.nps([10, 9, 3], weights=[1, None, -2])
    assert info.value.code == "weights_invalid" and info.value.params["count"] == 2
    with pytest.raises(KitError) as info:
        metrics.nps([10, 9, 3], weights=[1, 2])
    assert info.value.code == "weights_length"
    with pytest.raises(KitError) as info:
        metrics.by_segment(pd.DataFrame({"s": ["a"], "nps": [9]}), "nps", "s", weights="w")
    assert info.value.code == "metrics_missing_columns"


def test_rake_against_ipfn(skewed):
    from ipfn import ipfn

    frame = skewed.assign(region=np.where(np.arange(1000) % 3 == 0, "north", "south"))
    margins = {"channel": {"app": 0.2, "store": 0.5, "phone": 0.3}, "region": {"north": 0.55, "south": 0.45}}
    w = weights.rake(frame, margins)
    for column, shares in margins.items():
        got = w.groupby(frame[column]).sum() / w.sum()
        assert got.to_dict() == pytest.approx(shares, abs=1e-9)
    cells = frame.assign(total=1.0).groupby(["channel", "region"], as_index=False)["total"].sum()
    aggregates = [pd.Series({k: v * 1000 for k, v in shares.items()}).rename_axis(column)
                  for column, shares in margins.items()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = ipfn.ipfn(cells.copy(), aggregates, [["channel"], ["region"]], weight_col="total",
                           convergence_rate=1e-12, max_iteration=1000).iteration()
    expected = frame.merge(fitted.rename(columns={"total": "cell"}), on=["channel", "region"], how="left")
    size = frame.groupby(["channel", "region"])["channel"].transform("size").to_numpy()
    assert w.to_numpy() == pytest.approx(expected["cell"].to_numpy() / size, rel=1e-6)


def test_rake_with_one_margin_is_post_stratification_and_refuses_what_it_cannot_reach():
    df = pd.DataFrame({"tier": ["gold"] * 2 + ["basic"] * 8})
    w = weights.rake(df, {"tier": {"gold": 300, "basic": 700}})
    assert w.tolist() == pytest.approx([150] * 2 + [87.5] * 8) and w.sum() == pytest.approx(1000)
    with pytest.raises(KitError) as info:
        weights.rake(df, {"tier": {"gold": 0.5, "basic": 0.4, "vip": 0.1}})
    assert info.value.code == "weights_empty_level"
    with pytest.raises(KitError) as info:
        weights.rake(df.assign(tier=["gold", "Gold"] + ["basic"] * 8), {"tier": {"gold": 0.3, "basic": 0.7}})
    assert info.value.code == "weights_level_without_target" and "Gold" in info.value.render("en")
    with pytest.raises(KitError) as info:
        weights.rake(df, {"tier": {"gold": 0.3, "basic": 0.7}, "x": {"a": 1}})
    assert info.value.code == "weights_margin_column"


def test_effective_n_and_linearised_mean_edge_cases():
    assert float(weights.effective_n(10.0, 10.0)) == 10.0
    assert math.isnan(float(weights.effective_n(0.0, 0.0)))
    mean, se = weights.linearised_mean([4.0], [2.0], [4.0], 1)
    assert float(mean) == 4.0 and math.isnan(float(se))
    y = np.array([1.0, 2, 2, 5, 7])
    mean, se = weights.linearised_mean(y, np.ones(5), np.ones(5), 5)
    assert float(se) == pytest.approx(stats.sem(y))


# --- segments that differ from the rest -------------------------------------------------------------------


def test_segment_tests_match_the_two_sample_test_and_holm():
    rng = np.random.default_rng(3)
    segment = np.repeat(["a", "b", "c", "d"], [300, 300, 300, 300])
    p = {"a": [0.4, 0.3, 0.3], "b": [0.4, 0.3, 0.3], "c": [0.4, 0.3, 0.3], "d": [0.15, 0.3, 0.55]}
    scores = np.concatenate([rng.choice([10, 8, 2], size=300, p=p[s]) for s in "abcd"])
    frame = pd.DataFrame({"segment": segment, "nps": scores})
    table = metrics.by_segment(frame, "nps", "segment")
    for row in table.itertuples():
        inside, rest = frame[frame.segment == row.segment], frame[frame.segment != row.segment]
        direct = metrics.nps_diff(inside["nps"], rest["nps"])
        assert row.p_value == pytest.approx(direct.p_value)
    assert table["p_adjusted"].to_numpy() == pytest.approx(multipletests(table["p_value"], method="holm")[1])
    assert table.set_index("segment")["differs"]["d"] == "lower"
    # the rest of a, b and c includes d, so they may read "higher", never "lower"
    assert set(table["differs"][:3]) <= {"", "higher"}


def test_segments_from_one_population_are_not_flagged():
    rng = np.random.default_rng(8)
    frame = pd.DataFrame({"segment": rng.choice(list("abcdefgh"), 4000),
                          "nps": rng.choice([10, 8, 2], size=4000, p=[0.4, 0.3, 0.3])})
    table = metrics.by_segment(frame, "nps", "segment")
    assert (table["differs"] == "").all() and table["p_value"].notna().all()


def test_small_segments_are_not_tested_and_leave_the_holm_family():
    frame = pd.DataFrame({"segment": ["big"] * 60 + ["tiny"] * 3, "csat": [5, 4, 2] * 20 + [1, 1, 1]})
    table = metrics.by_segment(frame, "csat", "segment")
    assert table["p_value"].isna().all()  # "tiny" is too small, and so is the rest of "big"
    frame = pd.concat([frame, pd.DataFrame({"segment": ["mid"] * 40, "csat": [5, 4] * 20})])
    table = metrics.by_segment(frame, "csat", "segment")
    assert table["p_value"].isna().tolist() == [False, False, True]
    assert table["p_adjusted"].to_numpy()[:2] == pytest.approx(multipletests(table["p_value"][:2], method="holm")[1])


def agresti_caffo(top_a, n_a, top_b, n_b):
    """statsmodels' Agresti–Caffo difference of two shares, in points: centre, se and the two-sided p."""
    low, high = proportion.confint_proportions_2indep(top_a, n_a, top_b, n_b, method="agresti-caffo")
    with np.errstate(divide="ignore"):  # statsmodels also computes an odds ratio, infinite for a share of 1
        test = proportion.test_proportions_2indep(top_a, n_a, top_b, n_b, method="agresti-caffo")
    return 100 * (low + high) / 2, 100 * (high - low) / (2 * Z95), test.pvalue


def share_counts(top, w=None):
    """A share as (count, n) for the two-sample formulas: the counts unweighted; weighted, the weighted share
    times its effective n (samplics' linearised variance, Korn & Graubard)."""
    top = np.asarray(top, dtype=float)
    if w is None:
        return top.sum(), len(top)
    n = korn_graubard_n(top, w)
    return np.average(top, weights=w) * n, n


def welch_z(a, b, wa=None, wb=None):
    """Difference of two means, its two-sided p: statsmodels' z test with separate variances unweighted,
    samplics' linearised se of each mean weighted."""
    if wa is None:
        _, p_value = CompareMeans(DescrStatsW(a), DescrStatsW(b)).ztest_ind(usevar="unequal")
        return np.mean(a) - np.mean(b), p_value
    (mean_a, se_a), (mean_b, se_b) = taylor_mean(a, wa), taylor_mean(b, wb)
    return mean_a - mean_b, 2 * stats.norm.sf(abs(mean_a - mean_b) / math.hypot(se_a, se_b))


def expected_flags(p_values, differences):
    """Holm over the tested segments (statsmodels) and the ▲/▼ reading of each."""
    p_values = np.asarray(p_values, dtype=float)
    tested = ~np.isnan(p_values)
    adjusted = np.full(len(p_values), np.nan)
    adjusted[tested] = multipletests(p_values[tested], method="holm")[1]
    signs = np.sign(differences)
    return adjusted, ["" if not p < 0.05 else "higher" if d > 0 else "lower"
                      for p, d in zip(adjusted, signs, strict=True)]


SEGMENT_ANSWERS = {
    "csat": {"one": [5], "two": [5, 1], "tie_a": [4, 5, 2, 1, 3], "tie_b": [4, 5, 2, 1, 3],
             "low": [1, 2, 2, 3, 1, 2, 4] * 6, "high": [5, 4, 5, 5, 3] * 8},
    "ces": {"one": [7], "two": [1, 3], "same": [2, 2, 2, 2], "tie_a": [3, 4, 2, 5], "tie_b": [3, 4, 2, 5],
            "hard": [6, 7, 5, 6, 7, 4] * 6, "easy": [1, 2, 1, 3, 2] * 8},
}


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("metric", ["csat", "ces"])
def test_csat_and_ces_segment_tests_against_statsmodels(metric, weighted):
    answers = SEGMENT_ANSWERS[metric]
    frame = pd.DataFrame({"segment": np.repeat(list(answers), [len(v) for v in answers.values()]),
                          metric: np.concatenate(list(answers.values()))})
    frame["w"] = np.linspace(0.4, 2.5, len(frame)) if weighted else 1.0
    table = metrics.by_segment(frame, metric, "segment", min_n=0, weights="w" if weighted else None)
    differences, p_values = [], []
    for segment in table["segment"]:
        inside, rest = frame[frame.segment == segment], frame[frame.segment != segment]
        wa, wb = (inside["w"], rest["w"]) if weighted else (None, None)
        if metric == "csat":
            difference, _, p_value = agresti_caffo(*share_counts(inside["csat"] >= 4, wa),
                                                   *share_counts(rest["csat"] >= 4, wb))
        elif len(inside) == 1:  # one answer: a difference, but no variance and no test
            difference, p_value = inside["ces"].iloc[0] - np.average(rest["ces"], weights=wb), np.nan
        else:
            difference, p_value = welch_z(inside["ces"], rest["ces"], wa, wb)
        differences.append(difference)
        p_values.append(p_value)
    assert table["vs_rest"].to_numpy() == pytest.approx(differences, rel=1e-9, nan_ok=True)
    assert table["p_value"].to_numpy() == pytest.approx(p_values, rel=1e-8, nan_ok=True)
    adjusted, flags = expected_flags(p_values, differences)
    assert table["p_adjusted"].to_numpy() == pytest.approx(adjusted, rel=1e-8, nan_ok=True)
    assert table["differs"].tolist() == flags
    by = table.set_index("segment")
    assert by.loc["tie_a", "p_adjusted"] == by.loc["tie_b", "p_adjusted"]  # tied p-values, one Holm step
    low, high = ("low", "high") if metric == "csat" else ("easy", "hard")
    assert (by.loc[low, "differs"], by.loc[high, "differs"]) == ("lower", "higher")


def test_csat_and_ces_trend_alerts_against_statsmodels():
    months = pd.date_range("2024-01-01", periods=4, freq="MS")
    answers = {"csat": [[5, 4, 4, 5, 3] * 8, [5, 4, 3, 2, 4] * 8, [2, 1, 4, 3, 2] * 8, [5, 4, 4, 3, 5] * 8],
               "ces": [[1, 2, 2, 3] * 10, [4, 5, 3, 6] * 10, [4, 5, 4, 6] * 10, [2, 1, 2, 3] * 10]}
    alerts = {}
    for metric, per_month in answers.items():
        frame = pd.DataFrame({"submitted_at": np.repeat(months, [len(v) for v in per_month]),
                              metric: np.concatenate(per_month)})
        trend = metrics.period_trend(frame, metric)
        expected = [(np.nan, np.nan)]
        for before, now in zip(per_month, per_month[1:], strict=False):
            now, before = np.asarray(now), np.asarray(before)
            if metric == "csat":
                top_now, top_before = (now >= 4).sum(), (before >= 4).sum()
                difference, _, p_value = agresti_caffo(top_now, len(now), top_before, len(before))
            else:
                difference, p_value = welch_z(now, before)
            expected.append((difference, p_value))
        differences, p_values = np.array(expected).T
        assert trend["vs_previous"].to_numpy() == pytest.approx(differences, rel=1e-9, nan_ok=True)
        assert trend["p_value"].to_numpy() == pytest.approx(p_values, rel=1e-8, nan_ok=True)
        worse = differences < 0 if metric == "csat" else differences > 0  # CES: a rise is the bad direction
        assert trend["alert"].tolist() == (worse & (p_values < 0.05)).tolist()
        alerts[metric] = trend["alert"].tolist()
    # CSAT: 80 → 60 % is not significant (p = 0.054), 60 → 20 % is; effort: the rise in February; the
    # improvements never alert
    assert alerts == {"csat": [False, False, True, False], "ces": [False, True, False, False]}


def test_period_trend_counts_declared_dont_know_codes():
    frame = monthly([[10, 9, 99, 3], [99, 99, 8, 10, 0]])
    with pytest.raises(KitError):
        metrics.period_trend(frame, "nps", min_n=0)  # 99 is off the scale unless declared
    trend = metrics.period_trend(frame, "nps", min_n=0, dont_know=99)
    assert trend["n"].tolist() == [3, 3] and trend["n_dont_know"].tolist() == [1, 2]
    assert trend["value"].tolist() == [pytest.approx(100 / 3), 0.0]


# --- 2. trend periods sort as time ---------------------------------------------------------------------------


@pytest.mark.parametrize("labels", [
    ["2025年9月", "2025年10月", "2025年11月", "2025年12月"],
    ["7月", "8月", "9月", "10月"],
    ["Sep", "Oct", "Nov", "Dec"],
    ["2025-9", "2025-10", "2025-11", "2025-12"],
    ["Q3 2024", "Q4 2024", "Q1 2025", "Q2 2025"],
    ["Sep 2025", "Oct 2025", "Nov 2025", "Dec 2025"],
    ["9/2025", "10/2025", "11/2025", "12/2025"],
])
def test_trend_alert_orders_periods_as_time(labels):
    # satisfaction falls 12 % in the last two periods: the alert belongs to the last one, whatever the spelling
    values = [4.5, 4.5, 3.96, 3.48]
    shuffled = [3, 0, 2, 1]
    series = pd.Series([values[i] for i in shuffled], index=[labels[i] for i in shuffled])
    out = metrics.trend_alert(series)
    assert out["period"].tolist() == labels
    assert out.loc[out["alert"], "period"].tolist() == [labels[-1]]


def test_trend_alert_refuses_periods_it_cannot_order():
    with pytest.raises(KitError):
        metrics.trend_alert(pd.Series([4.0, 3.0, 2.0], index=["12月", "1月", "2月"]))  # which year?
    with pytest.raises(KitError) as info:
        metrics.trend_alert(pd.Series([4.0, 3.0], index=["2025-09", "2025年9月"]))  # one month spelt twice
    assert info.value.code == "metrics_duplicate_periods"


# --- "don't know" answers ------------------------------------------------------------------------------------


def test_dont_know_answers_are_counted_apart_not_errors():
    answers = pd.Series([10, 9, "不知道", "", None, "说不清", "N/A", "Don't know", 6, 99], dtype=object)
    result = metrics.nps(answers, dont_know=99)
    assert (result.n, result.n_missing, result.n_dont_know) == (3, 2, 5)
    assert result.value == pytest.approx(100 * (2 - 1) / 3)
    frame = pd.DataFrame({"segment": ["a"] * 5 + ["b"] * 5, "nps": answers})
    table = metrics.by_segment(frame, "nps", "segment", min_n=0, dont_know=[99])
    assert table["n_dont_know"].tolist() == [1, 4] and table["n_dropped"].tolist() == [0, 0]
    assert table["n"].tolist() == [2, 1]
    with pytest.raises(KitError) as info:
        metrics.nps(answers)  # 99 is off the scale unless declared a don't-know code
    assert info.value.params["count"] == 1
