"""SERVQUAL gaps against direct pandas computations and scipy's paired t interval."""


import numpy as np
import pandas as pd
import pytest
from scipy import stats

import kit.servqual as servqual
from kit.errors import KitError
from kit.schemas import SERVQUAL_DIMENSIONS
from kit.scores import ScoreWarning
from kit.servqual import gaps

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
        assert row["gap"] == pytest.approx(row["perception"] - row["expectation"])
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


def test_weights_are_normalised():
    df = survey(n=80, seed=2)
    points = {"tangibles": 10, "reliability": 30, "responsiveness": 25, "assurance": 20, "empathy": 15}
    res = gaps(df, weights=points)
    w = np.array(list(points.values())) / 100
    assert res.table["weight"].tolist() == pytest.approx(w.tolist())
    assert res.overall == pytest.approx(float(res.table["gap"] @ w))
    per_respondent = dimension_gaps(df).to_numpy() @ w
    interval = stats.ttest_1samp(per_respondent, 0).confidence_interval()
    assert res.overall_ci == pytest.approx((interval.low, interval.high))
    assert gaps(df, weights={k: v / 100 for k, v in points.items()}).overall == pytest.approx(res.overall)


def test_respondents_without_answers_are_excluded_and_counted():
    df = survey(n=50, seed=3)
    items = df.columns
    df.loc[[0, 1, 2], items] = pd.NA  # no SERVQUAL answer at all
    df.loc[5, "exp_reliability_1"] = pd.NA  # a skipped item: mean of the others
    df.loc[6, df.filter(regex="^perc_empathy_").columns] = pd.NA  # a whole side of a dimension
    df["nps"] = 7
    res = gaps(df)
    assert (res.n, res.n_excluded, res.n_partial, res.n_overall) == (47, 3, 2, 46)
    assert res.table.loc["empathy", "n"] == 46 and res.table.loc["reliability", "n"] == 47
    answered = df.drop(index=[0, 1, 2, 6])
    assert res.table.loc["empathy", "expectation"] == pytest.approx(
        answered.filter(regex="^exp_empathy_").mean(axis=1).mean())
    r5 = df.loc[5].filter(regex="^exp_reliability_").astype(float)
    assert r5.isna().sum() == 1
    g = dimension_gaps(df.drop(index=[0, 1, 2]))
    assert res.table.loc["reliability", "gap"] == pytest.approx(g["reliability"].mean())
    assert res.overall == pytest.approx(g.dropna().mean(axis=1).mean())


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
        gaps(df, weights={"tangibles": 1})
    assert info.value.code == "servqual_weights_keys"
    with pytest.raises(KitError) as info:
        gaps(df, weights=dict.fromkeys(SERVQUAL_DIMENSIONS, 0))
    assert info.value.code == "servqual_weights_values"
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
