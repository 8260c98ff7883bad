"""SERVQUAL gaps against direct pandas computations, plain loops over the paired statements, scipy's t
interval and samplics' Taylor-linearised weighted mean."""

import math
import statistics
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import kit.servqual as servqual
from kit.data.schemas import SERVQUAL_DIMENSIONS
from kit.errors import KitError
from kit.scores import ScoreWarning
from kit.servqual import gaps

with warnings.catch_warnings():  # "samplics is archived": the oracle still computes what it always did
    warnings.simplefilter("ignore", FutureWarning)
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam

TRUE_GAPS = {"tangibles": -0.1, "reliability": -1.0, "responsiveness": -0.8, "assurance": -0.4, "empathy": -0.5}


def survey(n=300, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    columns = {}
    for dim, (_, k) in SERVQUAL_DIMENSIONS.items():
        expect = rng.normal(5.8, 0.6, size=(n, 1))
        for i in range(1, k + 1):
            columns[f"exp_{dim}_{i}"] = np.clip(np.round(expect + rng.normal(0, 0.7, n)[:, None]), 1, 7)[:, 0]
            perceive = expect + TRUE_GAPS[dim] + rng.normal(0, 0.9, (n, 1))
            columns[f"perc_{dim}_{i}"] = np.clip(np.round(perceive), 1, 7)[:, 0]
    return pd.DataFrame(columns).astype("Int64")


def dimension_gaps(df: pd.DataFrame) -> pd.DataFrame:
    """Per-respondent gaps, computed independently with column filters."""
    return pd.DataFrame({
        dim: df.filter(regex=f"^perc_{dim}_").mean(axis=1) - df.filter(regex=f"^exp_{dim}_").mean(axis=1)
        for dim in SERVQUAL_DIMENSIONS
    }).astype(float)


def skipped(df: pd.DataFrame, share=0.2, seed=0) -> pd.DataFrame:
    """``df`` with about ``share`` of its answers blanked at random."""
    return df.mask(np.random.default_rng(seed).random(df.shape) < share)


def paired_by_hand(df: pd.DataFrame, dims=SERVQUAL_DIMENSIONS) -> dict:
    """Plain loops: per dimension, {row: (mean E, mean P)} over the statements i whose exp_<dim>_i and
    perc_<dim>_i are both answered; respondents without such a statement are absent."""
    out = {}
    for dim in dims:
        k = sum(1 for c in df.columns if c.startswith(f"exp_{dim}_"))
        out[dim] = {}
        for row in range(len(df)):
            e_sum = p_sum = 0.0
            count = 0
            for i in range(1, k + 1):
                e, p = df[f"exp_{dim}_{i}"].iloc[row], df[f"perc_{dim}_{i}"].iloc[row]
                if not pd.isna(e) and not pd.isna(p):
                    e_sum, p_sum, count = e_sum + float(e), p_sum + float(p), count + 1
            if count:
                out[dim][row] = (e_sum / count, p_sum / count)
    return out


def t_interval(values, ci=0.95) -> tuple[float, float]:
    """mean ± t_{n-1} · s/√n with scipy.stats.t."""
    mean, half = statistics.fmean(values), stats.t.ppf(0.5 + ci / 2, len(values) - 1)
    half *= statistics.stdev(values) / math.sqrt(len(values))
    return mean - half, mean + half


def samplics_mean(y, w) -> tuple[float, float]:
    """Weighted mean and its Taylor-linearised se from samplics."""
    estimator = TaylorEstimator(PopParam.mean)
    estimator.estimate(y=np.asarray(y, dtype=float), samp_weight=np.asarray(w, dtype=float))
    return float(estimator.point_est), float(estimator.stderror)


def test_a_skipped_statement_leaves_out_its_pair():
    # issue 12: E = (7, 4), P = (6, –): only statement 1 is paired, so the gap is 6 − 7, not mean(P) − mean(E)
    df = pd.DataFrame({"exp_reliability_1": [7], "exp_reliability_2": [4],
                       "perc_reliability_1": [6], "perc_reliability_2": [None]})
    res = gaps(df)
    row = res.table.loc["reliability"]
    assert (row["n"], row["expectation"], row["perception"], row["gap"]) == (1, 7.0, 6.0, -1.0)
    assert res.overall == -1.0 and (res.n, res.n_partial, res.n_overall) == (1, 1, 1)
    unpaired = gaps(df.assign(perc_reliability_1=None))  # answered, but no statement on both sides
    assert unpaired.table.loc["reliability", "n"] == 0 and np.isnan(unpaired.table.loc["reliability", "gap"])
    assert (unpaired.n, unpaired.n_partial, unpaired.n_overall, unpaired.worst) == (1, 1, 0, None)


def test_skipped_answers_match_plain_loops_and_scipy_t():
    df = skipped(survey(n=120, seed=11), 0.2, seed=12)
    df.loc[7, df.filter(regex="^perc_empathy_").columns] = pd.NA  # answered E only: no empathy pair
    df.loc[9] = pd.NA  # nothing answered at all
    points = {"tangibles": 10, "reliability": 30, "responsiveness": 25, "assurance": 20, "empathy": 15}
    res = gaps(df, importance=points, ci=0.90)
    by_hand = paired_by_hand(df)
    for dim, respondents in by_hand.items():
        row = res.table.loc[dim]
        e = [ep[0] for ep in respondents.values()]
        p = [ep[1] for ep in respondents.values()]
        g = [pi - ei for ei, pi in zip(e, p, strict=True)]
        assert row["n"] == len(g)
        assert row["expectation"] == pytest.approx(statistics.fmean(e), abs=1e-12)
        assert row["perception"] == pytest.approx(statistics.fmean(p), abs=1e-12)
        assert row["gap"] == pytest.approx(statistics.fmean(g), abs=1e-12)
        assert row["gap"] == row["perception"] - row["expectation"]  # exactly, on the table
        assert row["se"] == pytest.approx(statistics.stdev(g) / math.sqrt(len(g)), abs=1e-12)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(t_interval(g, 0.90), abs=1e-12)
    assert 7 not in by_hand["empathy"] and 7 in by_hand["reliability"]
    complete = set.intersection(*(set(r) for r in by_hand.values()))
    overall = [sum(points[d] / 100 * (by_hand[d][r][1] - by_hand[d][r][0]) for d in by_hand)
               for r in complete]
    assert res.n_overall == len(overall) < 119
    assert res.overall == pytest.approx(statistics.fmean(overall), abs=1e-12)
    assert res.overall_ci == pytest.approx(t_interval(overall, 0.90), abs=1e-12)
    answered = [r for r in range(len(df)) if df.iloc[r].notna().any()]
    unpaired = [r for r in answered if any(
        pd.isna(df[f"exp_{d}_{i}"].iloc[r]) or pd.isna(df[f"perc_{d}_{i}"].iloc[r])
        for d, (_, k) in SERVQUAL_DIMENSIONS.items() for i in range(1, k + 1))]
    assert (res.n, res.n_excluded, res.n_partial) == (len(answered), 1, len(unpaired))
    assert "n_eff" not in res.table


def test_survey_weights_match_samplics():
    df = skipped(survey(n=150, seed=13), 0.2, seed=14)
    w = np.random.default_rng(15).uniform(0.2, 3.0, len(df))
    res = gaps(df.assign(wt=w), weights="wt")
    pd.testing.assert_frame_equal(gaps(df, weights=w).table, res.table)  # a column name or an array
    by_hand = paired_by_hand(df)
    for dim, respondents in by_hand.items():
        rows = list(respondents)
        row = res.table.loc[dim]
        e, p = (np.array([respondents[r][side] for r in rows]) for side in (0, 1))
        mean, se = samplics_mean(p - e, w[rows])
        assert row["n"] == len(rows)
        assert row["gap"] == pytest.approx(mean, abs=1e-10) and row["se"] == pytest.approx(se, abs=1e-10)
        assert row["expectation"] == pytest.approx(samplics_mean(e, w[rows])[0], abs=1e-10)
        assert row["perception"] == pytest.approx(samplics_mean(p, w[rows])[0], abs=1e-10)
        half = stats.t.ppf(0.975, len(rows) - 1) * se
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((mean - half, mean + half), abs=1e-10)
        assert row["n_eff"] == pytest.approx(w[rows].sum() ** 2 / (w[rows] ** 2).sum(), rel=1e-12)
    complete = sorted(set.intersection(*(set(r) for r in by_hand.values())))
    overall = [statistics.fmean(by_hand[d][r][1] - by_hand[d][r][0] for d in by_hand) for r in complete]
    mean, se = samplics_mean(overall, w[complete])
    assert res.overall == pytest.approx(mean, abs=1e-10)
    half = stats.t.ppf(0.975, len(complete) - 1) * se
    assert res.overall_ci == pytest.approx((mean - half, mean + half), abs=1e-10)


def test_equal_weights_reproduce_the_unweighted_result():
    df = skipped(survey(n=60, seed=16), 0.1, seed=17)
    plain = gaps(df)
    ones = gaps(df, weights=np.ones(len(df)))
    pd.testing.assert_frame_equal(ones.table.drop(columns="n_eff"), plain.table, check_exact=True)
    assert ones.overall == plain.overall and ones.overall_ci == plain.overall_ci
    assert ones.table["n_eff"].tolist() == plain.table["n"].astype(float).tolist()
    scaled = gaps(df, weights=np.full(len(df), 2.5))
    pd.testing.assert_frame_equal(scaled.table.drop(columns="n_eff"), plain.table, rtol=1e-12, atol=1e-12)
    assert scaled.overall_ci == pytest.approx(plain.overall_ci, abs=1e-12)


def test_weight_input_errors():
    df = survey(n=20, seed=18)
    with pytest.raises(KitError) as info:
        gaps(df, weights="wt")
    assert info.value.code == "model_columns_missing" and "wt" in str(info.value)
    with pytest.raises(KitError) as info:
        gaps(df, weights=[1.0] * 19)
    assert info.value.code == "weights_length"
    with pytest.raises(KitError) as info:
        gaps(df.assign(wt=[1.0] * 19 + [-1.0]), weights="wt")
    assert info.value.code == "weights_invalid" and "wt" in str(info.value)
    one = gaps(pd.DataFrame({"exp_empathy_1": [6, 5], "perc_empathy_1": [5, 5]}), weights=[0.0, 2.0])
    assert one.overall == 0 and one.table.loc["empathy", "n_eff"] == 1.0  # a zero weight counts for nothing


def test_gaps_and_intervals_match_a_direct_computation():
    df = survey()
    res = gaps(df)
    table = res.table
    assert table.index.tolist() == list(SERVQUAL_DIMENSIONS)
    g = dimension_gaps(df)
    for dim in SERVQUAL_DIMENSIONS:
        row = table.loc[dim]
        assert row["n"] == len(df)
        assert row["expectation"] == pytest.approx(df.filter(regex=f"^exp_{dim}_").to_numpy(float).mean())
        assert row["perception"] == pytest.approx(df.filter(regex=f"^perc_{dim}_").to_numpy(float).mean())
        assert row["gap"] == row["perception"] - row["expectation"]
        interval = stats.ttest_1samp(g[dim], 0).confidence_interval(0.95)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((interval.low, interval.high), rel=1e-9)
        # the same as scipy's paired test of perception vs expectation scores
        paired = stats.ttest_rel(df.filter(regex=f"^perc_{dim}_").mean(axis=1),
                                 df.filter(regex=f"^exp_{dim}_").mean(axis=1)).confidence_interval()
        assert row["ci_low"] == pytest.approx(paired.low)
        assert row["gap"] == pytest.approx(TRUE_GAPS[dim], abs=0.2)
    assert res.worst == "reliability" == table["gap"].idxmin()
    assert res.overall == pytest.approx(table["gap"].mean())
    overall = stats.ttest_1samp(g.mean(axis=1), 0).confidence_interval(0.90)
    assert gaps(df, ci=0.90).overall_ci == pytest.approx((overall.low, overall.high))
    assert (res.n, res.n_overall, res.n_excluded, res.n_partial) == (300, 300, 0, 0)


def test_importance_weights_are_normalised():
    df = survey(n=80, seed=2)
    points = {"tangibles": 10, "reliability": 30, "responsiveness": 25, "assurance": 20, "empathy": 15}
    res = gaps(df, importance=points)
    w = np.array(list(points.values())) / 100
    assert res.table["weight"].tolist() == pytest.approx(w.tolist())
    assert res.overall == pytest.approx(float(res.table["gap"] @ w))
    per_respondent = dimension_gaps(df).to_numpy() @ w
    interval = stats.ttest_1samp(per_respondent, 0).confidence_interval()
    assert res.overall_ci == pytest.approx((interval.low, interval.high))
    assert gaps(df, importance={k: v / 100 for k, v in points.items()}).overall == pytest.approx(res.overall)


def test_respondents_without_answers_are_excluded_and_counted():
    df = survey(n=50, seed=3)
    items = df.columns
    df.loc[[0, 1, 2], items] = pd.NA  # no SERVQUAL answer at all
    df.loc[5, "exp_reliability_1"] = pd.NA  # a skipped statement: the other four pairs count
    df.loc[6, df.filter(regex="^perc_empathy_").columns] = pd.NA  # a whole side of a dimension
    df["nps"] = 7
    res = gaps(df)
    assert (res.n, res.n_excluded, res.n_partial, res.n_overall) == (47, 3, 2, 46)
    assert res.table.loc["empathy", "n"] == 46 and res.table.loc["reliability", "n"] == 47
    answered = df.drop(index=[0, 1, 2, 6])
    assert res.table.loc["empathy", "expectation"] == pytest.approx(
        answered.filter(regex="^exp_empathy_").mean(axis=1).mean())
    pairs = [f"_reliability_{i}" for i in range(2, 6)]
    g = dimension_gaps(df.drop(index=[0, 1, 2, 5]))
    g5 = (df.loc[5, [f"perc{c}" for c in pairs]].to_numpy(float)
          - df.loc[5, [f"exp{c}" for c in pairs]].to_numpy(float)).mean()
    assert res.table.loc["reliability", "gap"] == pytest.approx((g["reliability"].sum() + g5) / 47)
    by_hand = paired_by_hand(df)
    complete = set.intersection(*(set(r) for r in by_hand.values()))
    assert res.overall == pytest.approx(statistics.fmean(
        statistics.fmean(by_hand[d][r][1] - by_hand[d][r][0] for d in by_hand) for r in complete))


def test_own_item_names_through_a_mapping():
    df = survey(n=60, seed=4)
    renamed = df.rename(columns=lambda c: c.replace("exp_", "E.").replace("perc_", "P."))
    mapping = {dim: ([f"E.{dim}_{i}" for i in range(1, k + 1)], [f"P.{dim}_{i}" for i in range(1, k + 1)])
               for dim, (_, k) in SERVQUAL_DIMENSIONS.items()}
    pd.testing.assert_frame_equal(gaps(renamed, dimensions=mapping).table, gaps(df).table)
    one = gaps(renamed, dimensions={"speed": ("E.responsiveness_1", "P.responsiveness_1")})
    assert one.table.index.tolist() == ["speed"] and one.worst == "speed"


def test_a_subset_of_dimensions_and_unknown_ones():
    df = survey(n=40, seed=5)
    res = gaps(df, dimensions=["empathy", "reliability"])
    assert res.table.index.tolist() == ["empathy", "reliability"]
    assert res.table.loc["empathy", "gap"] == pytest.approx(gaps(df).table.loc["empathy", "gap"])
    assert gaps(df, dimensions="empathy").table.index.tolist() == ["empathy"]
    with pytest.raises(KitError) as info:
        gaps(df, dimensions=["courtesy"])
    assert info.value.code == "servqual_unknown_dimensions" and "tangibles" in str(info.value)


def test_custom_dimensions_are_discovered_after_the_five():
    df = survey(n=30, seed=6)
    df["exp_price_fair_1"], df["perc_price_fair_1"] = 6, 4
    res = gaps(df)
    assert res.table.index.tolist() == [*SERVQUAL_DIMENSIONS, "price_fair"]
    assert res.table.loc["price_fair", "gap"] == -2 and res.worst == "price_fair"
    assert res.table.loc["price_fair", "ci_low"] == res.table.loc["price_fair", "ci_high"] == -2


def test_input_errors():
    df = survey(n=20, seed=7)
    with pytest.raises(KitError) as info:
        gaps(pd.DataFrame({"nps": [1, 2], "exp_note": ["a", "b"]}))
    assert info.value.code == "servqual_no_items"
    with pytest.raises(KitError) as info:
        gaps(df.drop(columns=df.filter(regex="^perc_empathy").columns))
    assert info.value.code == "servqual_unpaired" and "empathy" in info.value.render("zh")
    with pytest.raises(KitError) as info:
        gaps(df, dimensions={"x": (["nope"], ["exp_empathy_1"])})
    assert info.value.code == "model_columns_missing" and "nope" in str(info.value)
    with pytest.raises(KitError) as info:
        gaps(df, importance={"tangibles": 1})
    assert info.value.code == "servqual_importance_keys"
    with pytest.raises(KitError) as info:
        gaps(df, importance=dict.fromkeys(SERVQUAL_DIMENSIONS, 0))
    assert info.value.code == "servqual_importance_values"
    with pytest.raises(KitError) as info:
        gaps(df.drop(columns="perc_empathy_2"))
    assert info.value.code == "servqual_unmatched_items" and "exp_empathy_2" in info.value.render("zh")
    with pytest.raises(KitError) as info:
        gaps(df, dimensions={"x": (["exp_empathy_1", "exp_empathy_2"], ["perc_empathy_1"])})
    assert info.value.code == "servqual_unmatched_items" and "exp_empathy_2" in str(info.value)
    with pytest.raises(KitError) as info:
        gaps(df.iloc[:0])
    assert info.value.code == "servqual_no_respondents"
    with pytest.raises(KitError) as info:
        gaps(pd.DataFrame({"exp_empathy_1": [None, None], "perc_empathy_1": [None, None]}))
    assert info.value.code == "servqual_no_respondents" and "2" in info.value.render("zh")
    with pytest.raises(ValueError):
        gaps(df, ci=1.5)


def test_off_scale_and_text_answers():
    df = survey(n=20, seed=8).astype(object)
    df.loc[3, "perc_empathy_2"] = 9
    df.loc[4, "exp_tangibles_1"] = "很好"
    with pytest.raises(KitError) as info:
        gaps(df)
    assert info.value.code == "scores_off_scale" and "2 value(s)" in str(info.value)
    with pytest.warns(ScoreWarning):
        coerced = gaps(df, errors="coerce")
    assert coerced.n == 20 and coerced.n_partial == 2
    text = survey(n=20, seed=8).astype(str).map(lambda v: f"{v}分")
    pd.testing.assert_frame_equal(gaps(text).table, gaps(survey(n=20, seed=8)).table)
    five_point = gaps(pd.DataFrame({"exp_a_1": [5, 4], "perc_a_1": [4, 4]}), scale=(1, 5))
    assert five_point.overall == -0.5


def test_integer_answers_give_the_gaps_of_the_same_answers_as_text():
    """Integer columns on the scale are only converted, not cleaned: the result is that of the same answers
    read through the cleaning (here as text), blanks included, weighted or not."""
    df = skipped(survey(n=200, seed=10), share=0.3, seed=11)
    text = df.astype(object).map(lambda v: None if pd.isna(v) else f"{v}分")
    w = np.random.default_rng(12).uniform(0.5, 2.0, len(df))
    for weights in (None, w):
        fast, cleaned = gaps(df, weights=weights), gaps(text, weights=weights)
        pd.testing.assert_frame_equal(fast.table, cleaned.table, check_exact=True)
        assert fast.to_dict() == cleaned.to_dict()
    mixed = df.assign(perc_empathy_1=text["perc_empathy_1"])
    pd.testing.assert_frame_equal(gaps(mixed).table, gaps(df).table, check_exact=True)
    with pytest.raises(KitError) as info:
        gaps(df.assign(exp_empathy_2=df["exp_empathy_2"].replace(7, 8)))
    assert info.value.code == "scores_off_scale"


def test_single_respondent_has_no_interval():
    res = gaps(pd.DataFrame({"exp_empathy_1": [6], "perc_empathy_1": [5]}))
    assert res.overall == -1 and np.isnan(res.overall_ci[0]) and np.isnan(res.table.loc["empathy", "ci_low"])


def test_display_names_and_result_shape():
    res = gaps(survey(n=30, seed=9))
    assert res.labelled("zh").index.tolist() == [name for name, _ in SERVQUAL_DIMENSIONS.values()]
    assert res.labelled("en").index[1] == "Reliability"
    assert servqual.dimension_name("price_fair", "zh") == "price_fair"
    assert res.to_frame() is res.table
    flat = res.to_dict()
    assert {"overall", "overall_ci_low", "overall_ci_high", "worst", "n", "n_excluded"} <= set(flat)
    assert repr(res).startswith("Gaps(overall=")
