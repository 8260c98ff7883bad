"""kit.assessment: every statistic against an independent oracle (Moodle's PHP formulas re-done by hand, scipy,
statsmodels, pingouin, sklearn) and the truths built into the synthetic cohort."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kit import assessment as A
from kit.data import synth
from kit.errors import KitError
from kit.i18n import t


@pytest.fixture(scope="module")
def people():
    return synth.cohort(60, 0)


@pytest.fixture(scope="module")
def survey():
    return synth.sample(0, n_survey=5000, n_trainees=60)["survey_responses"]


# --- item analysis: Moodle's calculator.php, step by step ---------------------------------------------------


def moodle_oracle(marks: list[list[float]], maxmarks: list[float]) -> list[dict]:
    """A direct transcription of Moodle's question statistics calculator (initial/secondary walkers), in loops."""
    s = len(marks)
    k = len(maxmarks)
    summarks = [sum(row) for row in marks]
    out = []
    for j in range(k):
        mark = [row[j] for row in marks]
        other = [summarks[i] - mark[i] for i in range(s)]
        markaverage, otheraverage = sum(mark) / s, sum(other) / s
        sorted_mark, sorted_other = sorted(mark), sorted(other)
        markvariancesum = othermarkvariancesum = covariancesum = covariancemaxsum = 0.0
        for i in range(s):
            md, od = mark[i] - markaverage, other[i] - otheraverage
            markvariancesum += md**2
            othermarkvariancesum += od**2
            covariancesum += md * od
            covariancemaxsum += (sorted_mark[i] - markaverage) * (sorted_other[i] - otheraverage)
        markvariance, othermarkvariance = markvariancesum / (s - 1), othermarkvariancesum / (s - 1)
        covariance, covariancemax = covariancesum / (s - 1), covariancemaxsum / (s - 1)
        out.append({
            "facility": markaverage / maxmarks[j],
            "sd": math.sqrt(markvariance) / maxmarks[j],  # Moodle's col_sd: sd / maxmark
            "discriminationindex": 100 * covariance / math.sqrt(markvariance * othermarkvariance) if markvariance * othermarkvariance else None,
            "discriminativeefficiency": 100 * covariance / covariancemax if covariancemax else None,
        })
    return out


def test_item_analysis_matches_moodle_formulas_on_a_hand_example():
    marks = [[1, 2, 0, 3], [1, 1, 1, 2], [0, 1, 1, 3], [0, 0, 0, 1], [1, 2, 1, 0], [1, 2, 0, 2]]
    maxmarks = [1, 2, 1, 3]
    res = A.item_analysis(pd.DataFrame(marks, columns=list("abcd")), dict(zip("abcd", maxmarks, strict=True)))
    for item, oracle in zip("abcd", moodle_oracle(marks, maxmarks), strict=True):
        row = res.loc[item]
        assert row["facility"] == pytest.approx(oracle["facility"])
        assert row["sd"] == pytest.approx(oracle["sd"])
        assert 100 * row["discrimination"] == pytest.approx(oracle["discriminationindex"])
        assert 100 * row["discriminative_efficiency"] == pytest.approx(oracle["discriminativeefficiency"])


def test_item_analysis_hand_numbers():
    # item Q2: marks 2, 1, 1, 0; rest 1, 2, 1, 0 → cov 1/3, both variances 2/3 → r = 0.5; sorted pairs → cov_max 2/3
    X = pd.DataFrame({"Q1": [1, 1, 0, 0], "Q2": [2, 1, 1, 0], "Q3": [0, 1, 1, 0]})
    res = A.item_analysis(X, {"Q1": 1, "Q2": 2, "Q3": 1})
    assert res.loc["Q2", "discrimination"] == pytest.approx(0.5)
    assert res.loc["Q2", "discriminative_efficiency"] == pytest.approx(0.5)
    assert res.loc["Q2", "facility"] == pytest.approx(0.5)
    assert res.loc["Q2", "sd"] == pytest.approx(math.sqrt(2 / 3) / 2)


def test_discrimination_is_pearson_r_with_the_rest(people):
    X, top = A.wide(people["marks"], "M1-test", "pre")
    res = A.item_analysis(X, top)
    X = X.fillna(0)
    for item in X.columns:
        rest = X.drop(columns=item).sum(axis=1)
        assert res.loc[item, "discrimination"] == pytest.approx(stats.pearsonr(X[item], rest)[0])
        assert res.loc[item, "sd"] == pytest.approx((X[item] / top[item]).std(ddof=1))


def test_missing_marks_and_constant_items():
    X = pd.DataFrame({"a": [1, 0, np.nan, 1, np.nan], "b": [2, 2, 2, 2, np.nan], "c": [1, 0, 1, 1, np.nan]})
    res = A.item_analysis(X, 2)
    assert res["n"].eq(4).all()  # the trainee with no mark at all did not sit the test
    assert res.loc["a", "facility"] == pytest.approx((0.5 + 0 + 0 + 0.5) / 4)  # skipped = 0, as Moodle scores it
    assert np.isnan(res.loc["b", "discrimination"]) and np.isnan(res.loc["b", "discriminative_efficiency"])
    listwise = A.item_analysis(X, 2, missing="listwise")
    assert listwise["n"].eq(3).all()
    one = A.item_analysis(pd.DataFrame({"a": [1.0], "b": [0.0]}), 1)
    assert one["discrimination"].isna().all() and one["facility"].tolist() == [1.0, 0.0]
    with pytest.raises(KitError):
        A.item_analysis(X, {"a": 1, "b": 1})


def test_poor_item_has_the_lowest_discrimination(people):
    items = A.item_table(people["marks"])
    exercise, item = synth.POOR_TEST_ITEM
    for phase in ("pre", "post"):
        tests = items[(items["phase"] == phase)]
        worst = tests.sort_values("discrimination").iloc[0]
        assert (worst["exercise_id"], worst["item"]) == (exercise, item)
        assert "low_discrimination" in worst["flags"]


# --- long → wide, attempts, totals --------------------------------------------------------------------------


def test_attempt_choice(people):
    marks = people["marks"]
    retried = marks[marks["attempt"] == 2]["trainee_id"].iloc[0]
    ex = marks[(marks["trainee_id"] == retried) & (marks["phase"] == "exercise")]
    exercise = ex[ex["attempt"] == 2]["exercise_id"].iloc[0]
    rows = ex[ex["exercise_id"] == exercise]
    sums = rows.groupby("attempt")["score"].sum()
    best = A.select_attempt(rows, "best")
    assert best["attempt"].nunique() == 1 and best["score"].sum() == sums.max()
    assert A.select_attempt(rows, "first")["attempt"].eq(1).all()
    assert A.select_attempt(rows, "last")["attempt"].eq(2).all()
    X, top = A.wide(marks, exercise, "exercise")
    assert X.shape == (60, len(top))
    with pytest.raises(ValueError):
        A.select_attempt(rows, "median")


def test_totals_count_a_skipped_item_as_zero():
    m = pd.DataFrame({"trainee_id": ["S1", "S1", "S2"], "exercise_id": "T", "item": ["Q1", "Q2", "Q1"],
                      "score": [1.0, 2, 1], "max_score": [1.0, 3, 1], "phase": "post"})
    tot = A.totals(m).set_index("trainee_id")
    assert tot.loc["S2", "pct"] == pytest.approx(25.0) and tot.loc["S1", "pct"] == pytest.approx(75.0)


def test_pass_rates_with_wilson(people):
    rates = A.pass_rates(people["marks"], 0.6)
    tot = A.totals(people["marks"], "best")
    row = rates[(rates["exercise_id"] == "M2-test") & (rates["phase"] == "post")].iloc[0]
    pct = tot[(tot["exercise_id"] == "M2-test") & (tot["phase"] == "post")]["pct"]
    assert row["n"] == len(pct) and row["passed"] == (pct >= 60).sum()
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(row["passed"], row["n"], method="wilson")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
    assert (A.pass_rates(people["marks"], 0.9)["rate"] <= rates["rate"]).all()


def test_score_summary(people):
    summary = A.score_summary(people["marks"]).set_index(["exercise_id", "phase"])
    tot = A.totals(people["marks"], "first")
    pct = tot[(tot["exercise_id"] == "M3-test") & (tot["phase"] == "pre")]["pct"]
    row = summary.loc[("M3-test", "pre")]
    assert row["mean"] == pytest.approx(pct.mean()) and row["median"] == pytest.approx(pct.median())
    assert row["n"] == len(pct)


def test_reliability_matches_pingouin(people):
    import pingouin as pg

    alphas = A.reliability(people["marks"]).set_index(["exercise_id", "phase"])
    X, _ = A.wide(people["marks"], "M1-test", "post")
    alpha, ci = pg.cronbach_alpha(X.dropna(how="all").fillna(0))
    row = alphas.loc[("M1-test", "post")]
    assert row["alpha"] == pytest.approx(alpha)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(tuple(ci), abs=1e-3)


# --- learning gain ------------------------------------------------------------------------------------------


def test_learning_gain_matches_scipy():
    rng = np.random.default_rng(1)
    pre = pd.Series(rng.uniform(20, 80, 30), index=[f"S{i}" for i in range(30)])
    post = pd.Series(np.clip(pre + rng.normal(10, 8, 30), 0, 100), index=pre.index)
    post.iloc[0] = np.nan  # unpaired
    res = A.learning_gain(pre, post)
    paired = post.notna()
    oracle = stats.ttest_rel(post[paired], pre[paired])
    assert res.n == 29 and res.n_unpaired == 1
    assert res.t == pytest.approx(oracle.statistic) and res.p_value == pytest.approx(oracle.pvalue)
    ci = oracle.confidence_interval()
    assert res.ci == pytest.approx((ci.low, ci.high))
    d = post[paired] - pre[paired]
    assert res.d_z == pytest.approx(d.mean() / d.std(ddof=1))
    se = math.sqrt(1 / 29 + res.d_z**2 / 58)
    assert res.d_z_ci == pytest.approx((res.d_z - 1.959964 * se, res.d_z + 1.959964 * se), rel=1e-5)
    assert res.g_class == pytest.approx((post[paired].mean() - pre[paired].mean()) / (100 - pre[paired].mean()))


def test_hake_gain_leaves_out_the_ceiling():
    res = A.learning_gain([100, 50, 80], [100, 75, 90])
    assert res.n_ceiling == 1 and res.n_g == 2
    assert res.g_mean == pytest.approx((0.5 + 0.5) / 2)
    flat = A.learning_gain([50, 60], [55, 65])  # every trainee gains the same: no spread
    assert flat.p_value == 0.0 and math.isnan(flat.d_z)


def test_gain_table_per_module(people):
    gains = A.gain_table(people["marks"])
    assert list(gains.index) == ["M1", "M2", "M3", "M4", "all"]
    assert (gains["diff"] > 0).all() and (gains["p_value"] < 0.05).all()


# --- funnel, Kirkpatrick -------------------------------------------------------------------------------------


def test_funnel(people):
    f = A.funnel(people["trainees"], people["marks"], people["reaction"], people["observations"]).set_index("stage")
    assert list(f.index) == list(A.FUNNEL_STAGES)
    assert f.loc["enrolled", "n"] == 60 and f.loc["reaction", "n"] == people["reaction"]["trainee_id"].nunique()
    assert (np.diff(f["n_cumulative"].to_numpy()) <= 0).all()
    partial = A.funnel(people["trainees"]).set_index("stage")
    assert partial.loc["enrolled", "n"] == 60 and partial["n"].isna().sum() == 6


def test_reaction_summary(people):
    from kit.metrics import nps

    rea = A.reaction_summary(people["reaction"])
    x = people["reaction"]["overall"].astype(float)
    ci = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert rea.overall == pytest.approx(x.mean()) and rea.overall_ci == pytest.approx(ci)
    assert rea.nps == pytest.approx(nps(people["reaction"]["recommend"]).value)
    assert rea.pace["share"].sum() == pytest.approx(1.0)


def test_behaviour_improves_from_30_to_90_days(people):
    beh = A.behaviour(people["observations"])
    overall = beh[beh["item"] == "all"].set_index("wave")
    assert overall.loc[90, "share"] > overall.loc[30, "share"]
    assert overall.loc[30, "n"] == 60 * 4  # one coding per trainee × item: the second observer is not counted twice


def sm_kappa(a, b, labels, wt=None):
    """statsmodels' κ on the rater-1 × rater-2 table over ``labels`` (every label a row, used or not)."""
    from statsmodels.stats.inter_rater import cohens_kappa

    table = pd.crosstab(pd.Categorical(a, categories=labels), pd.Categorical(b, categories=labels), dropna=False)
    return cohens_kappa(table.to_numpy(), wt=wt, return_results=True)


def test_kappa_matches_sklearn_and_statsmodels(people):
    from sklearn.metrics import cohen_kappa_score

    a = [1, 1, 0, 0, 1, 0, 1, 1, 0, 1]
    b = [1, 0, 0, 0, 1, 0, 1, 1, 1, 1]
    k = A.cohen_kappa(a, b)
    assert k.kappa == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    oracle = sm_kappa(a, b, [0, 1])
    assert k.se == pytest.approx(oracle.std_kappa, abs=1e-10)  # Fleiss, Cohen & Everitt 1969: 0.26238, not Cohen's 0.26352
    assert k.ci == pytest.approx((oracle.kappa_low, min(oracle.kappa_upp, 1.0)), abs=1e-10)  # upper end clipped at 1
    assert (k.n, k.p_observed, k.p_expected) == (10, 0.8, pytest.approx(0.52))
    agree = A.observer_agreement(people["observations"])
    assert 0.5 < agree.kappa < 1 and agree.n > 0


@pytest.mark.parametrize("wt", [None, "linear", "quadratic"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kappa_and_se_match_statsmodels_on_random_codings(seed, wt):
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, 150)
    b = np.where(rng.random(150) < 0.6, a, rng.integers(0, 4, 150))
    k = A.cohen_kappa(a, b, 0.9, weights=wt)
    oracle = sm_kappa(a, b, [0, 1, 2, 3], wt=wt)
    assert k.kappa == pytest.approx(cohen_kappa_score(a, b, weights=wt), abs=1e-12)
    assert k.kappa == pytest.approx(oracle.kappa, abs=1e-12)
    assert k.se == pytest.approx(oracle.std_kappa, abs=1e-10)
    z = stats.norm.ppf(0.95)
    assert k.ci == pytest.approx((k.kappa - z * oracle.std_kappa, k.kappa + z * oracle.std_kappa), abs=1e-10)
    assert k.weights == wt


@pytest.mark.parametrize("a, b, clean_a, clean_b", [
    ([1, 0, 1, 1, 0], [1., 0., 1., 0., 0.], [1, 0, 1, 1, 0], [1, 0, 1, 0, 0]),  # int vs float: today κ = 0
    ([True, False, True, True, False], [1, 0, 1, 0, 0], [1, 0, 1, 1, 0], [1, 0, 1, 0, 0]),
    (pd.Series([1, 0, None, 1, 0, 1]), pd.Series([1, 0, 1, 1, 0, 0], dtype="Int64"),  # float because of one NaN
     [1, 0, 1, 0, 1], [1, 0, 1, 0, 0]),
    (["1", " 0", "１", "1.0", "0"], [1, 0, 1, 0, 0], [1, 0, 1, 1, 0], [1, 0, 1, 0, 0]),  # CSV/Excel text
    (np.array([2, 1, 2, 2], dtype=np.int8), np.array([2.0, 1.0, 1.0, 2.0], dtype=np.float32), [2, 1, 2, 2], [2, 1, 1, 2]),
    (pd.Series([True, False, pd.NA, True], dtype="boolean"), np.array([1, 0, 1, 0], dtype=object),
     [1, 0, 1], [1, 0, 0]),
    ([" 是", "否 ", "是", "否", ""], ["是", "否", "否", "否", "是"], ["是", "否", "是", "否"], ["是", "否", "否", "否"]),
])
def test_kappa_compares_values_not_their_text(a, b, clean_a, clean_b):
    from sklearn.metrics import cohen_kappa_score

    k = A.cohen_kappa(a, b)
    assert k.kappa == pytest.approx(cohen_kappa_score(clean_a, clean_b), abs=1e-12)
    assert k.n == len(clean_a)


def test_kappa_text_labels_stay_apart_from_numbers():
    k = A.cohen_kappa(["1", "一", "1", "一"], [1, "一", "一", 1.0])  # "一" is text, not the number 1
    assert (k.p_observed, k.n) == (0.5, 4) and k.kappa == pytest.approx(0.0)


SATISFACTION = ["非常不满意", "不满意", "一般", "满意", "非常满意"]


@pytest.mark.parametrize("wt", ["linear", "quadratic"])
def test_weighted_kappa_on_an_ordinal_scale_with_an_unused_label(wt):
    from sklearn.metrics import cohen_kappa_score

    a = ["满意", "不满意", "非常满意", "不满意", "满意", "满意", "非常不满意", "非常满意", "满意", "不满意"]
    b = ["满意", "满意", "满意", "非常不满意", "满意", "非常满意", "不满意", "非常满意", "不满意", "不满意"]
    assert "一般" not in a + b  # listed in categories, used by neither rater: still a step on the scale
    k = A.cohen_kappa(a, b, weights=wt, categories=SATISFACTION)
    assert k.kappa == pytest.approx(cohen_kappa_score(a, b, labels=SATISFACTION, weights=wt), abs=1e-12)
    oracle = sm_kappa(a, b, SATISFACTION, wt=wt)
    assert k.kappa == pytest.approx(oracle.kappa, abs=1e-12) and k.se == pytest.approx(oracle.std_kappa, abs=1e-10)
    without = [c for c in SATISFACTION if c != "一般"]
    shorter = A.cohen_kappa(a, b, weights=wt, categories=without)
    assert shorter.kappa == pytest.approx(cohen_kappa_score(a, b, labels=without, weights=wt), abs=1e-12)
    assert abs(shorter.kappa - k.kappa) > 0.01  # the unused middle label changes the distances
    # categories are compared as values too: codes 1–5 given as text
    codes = {label: i + 1 for i, label in enumerate(SATISFACTION)}
    numeric = A.cohen_kappa([codes[x] for x in a], [str(codes[x]) for x in b], weights=wt, categories=[1, 2, 3, 4, 5])
    assert numeric.kappa == pytest.approx(k.kappa, abs=1e-12)


def test_weighted_kappa_orders_numbers_by_value_and_refuses_unordered_text():
    from sklearn.metrics import cohen_kappa_score

    a, b = [1, 2, 10, 10, 2, 1], [2, 2, 10, 2, 1, 1]
    k = A.cohen_kappa([str(x) for x in a], b, weights="linear")  # as text "10" < "2"; as numbers 2 < 10
    assert k.kappa == pytest.approx(cohen_kappa_score(a, b, weights="linear"), abs=1e-12)
    with pytest.raises(KitError) as info:
        A.cohen_kappa(["满意", "一般"], ["满意", "满意"], weights="linear")
    assert info.value.code == "kappa_needs_categories" and "categories" in info.value.render("zh")
    with pytest.raises(KitError) as info:
        A.cohen_kappa(["满意", "很好"], ["满意", "一般"], categories=SATISFACTION)
    assert info.value.code == "kappa_unknown_labels" and "很好" in info.value.render("en")
    with pytest.raises(KitError) as info:
        A.cohen_kappa([1, 2], [1, 2], weights="linear", categories=[1, 2, 1.0])
    assert info.value.code == "kappa_bad_categories"
    with pytest.raises(ValueError):
        A.cohen_kappa([1, 2], [1, 2], weights="squared")
    unweighted = A.cohen_kappa(["满意", "一般"], ["满意", "满意"])  # order does not matter without weights
    assert unweighted.n == 2


def test_kappa_edge_cases():
    empty = A.cohen_kappa([None, np.nan], [1, None])
    assert empty.n == 0 and math.isnan(empty.kappa) and math.isnan(empty.se)
    assert A.cohen_kappa([], []).n == 0
    one = A.cohen_kappa([1], [1.0])
    assert one.n == 1 and one.p_observed == 1 and math.isnan(one.kappa)  # p_e = 1: κ undefined
    same = A.cohen_kappa(["是"] * 4, ["是 "] * 4, weights=None)
    assert math.isnan(same.kappa) and same.p_expected == 1
    perfect = A.cohen_kappa([1, 0, 1, 0], [True, False, True, False])
    assert perfect.kappa == 1 and perfect.se == 0 and perfect.ci == (1, 1)
    with pytest.raises(KitError) as info:
        A.cohen_kappa([1, 0, 1], [1, 0])
    assert info.value.code == "kappa_length_mismatch" and "3" in info.value.render("zh")
    with pytest.raises(KitError):
        A.cohen_kappa([1, 0], [1, 0], ci=95)


def test_results_use_kit_metrics(people, survey):
    from kit.metrics import csat, nps_diff

    res = A.results(survey, people["trainees"])
    when = survey["agent_id"].map(people["trainees"].set_index("trainee_id")["trained_on"])
    after = survey["submitted_at"] >= when
    before = when.notna() & ~after
    d = nps_diff(survey.loc[after, "nps"], survey.loc[before, "nps"])
    assert (res.nps_diff, res.n_after, res.n_before) == (pytest.approx(d.diff), d.n_a, d.n_b)
    assert res.csat_after == pytest.approx(csat(survey.loc[after, "csat"]).value)
    xa, xb = survey.loc[after, "csat"].dropna().astype(float), survey.loc[before, "csat"].dropna().astype(float)
    welch = stats.ttest_ind(xa, xb, equal_var=False)
    assert res.csat_mean_p == pytest.approx(welch.pvalue)
    assert res.csat_mean_diff_ci == pytest.approx(tuple(welch.confidence_interval()))
    assert res.nps_diff > 0  # the synthetic training effect
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    top = [int((survey.loc[rows, "csat"] >= 4).sum()) for rows in (after, before)]
    size = [int(survey.loc[rows, "csat"].notna().sum()) for rows in (after, before)]
    low, high = confint_proportions_2indep(top[0], size[0], top[1], size[1], method="newcomb")
    assert res.csat_diff_ci == pytest.approx((100 * low, 100 * high))
    assert res.csat_p == pytest.approx(proportions_ztest(top, size)[1])


def test_results_for_an_agent_with_customers_only_after_training(people, survey):
    trainee = people["trainees"].iloc[0]
    served = survey[survey["agent_id"] == trainee["trainee_id"]]
    later = served[served["submitted_at"] >= pd.Timestamp(trainee["trained_on"])]
    res = A.results(later, people["trainees"][people["trainees"]["trainee_id"] == trainee["trainee_id"]])
    assert res.n_before == 0 and res.n_after == len(later)
    assert math.isnan(res.csat_diff) and math.isnan(res.csat_p) and math.isnan(res.nps_p)


def test_kirkpatrick_summary_and_due_dates(people, survey):
    k = A.kirkpatrick(people["trainees"], people["marks"], people["reaction"], people["observations"], survey)
    assert set(k.summary["level"]) == {"L1", "L2", "L3", "L4"}
    due = k.due.set_index("cohort")
    assert due.loc["2025-A", "behaviour"] == pd.Timestamp("2025-05-30")
    assert due.loc["2025-A", "results"] == pd.Timestamp("2025-09-01")
    only = A.kirkpatrick(people["trainees"])
    assert only.summary.empty and only.reaction is None


# --- nine-grid, at risk, recommendations --------------------------------------------------------------------------


def test_ninegrid_summary_bottom_three(people):
    from kit import ninegrid

    grid = A.ninegrid_summary(people["ninegrid"])
    assert grid.weakest[0] == synth.NINEGRID_WEAK and len(grid.weakest) == 3
    assert grid.table.equals(ninegrid.change(people["ninegrid"]))
    assert grid.mean_post > grid.mean_pre


def test_ninegrid_radars_escape_labels(people):
    ids = sorted(people["ninegrid"]["trainee_id"].unique())
    out = A.ninegrid_radars(people["ninegrid"], labels={ids[0]: "<script>alert(1)</script>"})
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert out.count("<figure") == len(ids)


def test_at_risk_rules(people):
    marks = people["marks"]
    victim = "S001"
    marks = marks[~((marks["trainee_id"] == victim) & (marks["phase"] == "post") & (marks["module"] == "M1"))]
    risk = A.at_risk(people["trainees"], marks, people["observations"], people["ninegrid"]).set_index("trainee_id")
    assert risk.loc[victim, "no_post_test"] and risk.loc[victim, "missing_post"] == "M1"
    assert A.reason_names(risk.loc[victim, "reasons"], "M1", "zh")[0] == "缺少 M1 后测"
    below = risk[risk["post_below_pass"]]
    assert (below["post_pct"] < 60).all()
    assert (risk["n_reasons"] >= 1).all()
    strict = A.at_risk(people["trainees"], marks, pass_mark=0.95)
    assert len(strict) >= len(A.at_risk(people["trainees"], marks))


def test_recommendations_group_flagged_items_and_low_alphas(people, survey):
    items = A.item_table(people["marks"])
    k = A.kirkpatrick(people["trainees"], people["marks"], people["reaction"], people["observations"], survey)
    recs = A.recommendations(items=items, alphas=A.reliability(people["marks"]), gains=k.learning,
                             ninegrid=A.ninegrid_summary(people["ninegrid"]), behaviour=k.behaviour, reaction=k.reaction,
                             results=k.results, funnel=A.funnel(people["trainees"], people["marks"]), agreement=k.agreement,
                             risk=A.at_risk(people["trainees"], people["marks"]))
    codes = [c for c, _ in recs]
    assert codes.count("item_review") == 1 and codes.count("low_alpha") <= 1  # one finding, however many items
    review = dict(recs)["item_review"]
    assert synth.POOR_TEST_ITEM in set(zip(review["items"]["exercise_id"], review["items"]["item"], strict=True))
    assert len(review["items"]) == int((items["flags"] != "").sum()) and review["total"] == len(items)
    assert "weak_ability" in codes and "behaviour_lowest" in codes
    assert A.recommendations(reaction=A.reaction_summary(people["reaction"]), fast_pace=0.0)[0][0] == "pace_fast"


def test_hours_and_styled_escape(people):
    h = A.hours(people["trainees"])
    assert h["met"] == (people["trainees"]["hours_ytd"] >= 80).sum()
    frame = pd.DataFrame({"trainee_id": ["<b>x</b>"]})
    html = A.styled(frame, {"trainee_id": "trainee"}, "zh").to_html()
    assert "&lt;b&gt;" in html and t("assessment.column.trainee", "zh") in html


def test_plots_return_axes(people, figures_closed):
    import matplotlib.pyplot as plt

    from kit import plots

    for ax in (plots.training_scores(A.totals(people["marks"]), lang="zh"),
               plots.training_funnel(A.funnel(people["trainees"], people["marks"]), lang="en"),
               plots.training_gain(A.gain_table(people["marks"]).drop(index="all"), lang="zh"),
               plots.training_behaviour(A.behaviour(people["observations"]), lang="en")):
        assert ax.get_title()
        plt.close(ax.figure)


def test_roster_counts_trainees_by_department_and_role_in_the_report_language():
    roster = pd.DataFrame({"trainee_id": ["S1", "S2", "S3"], "dept": ["A", "A", None], "role": ["agent", "manager", "agent"]})
    zh = A.roster(roster, "zh").set_index("部门")
    assert zh.loc["A", "客服"] == 1 and zh.loc["A", "管理层"] == 1 and zh.loc["—", "客服"] == 1
    assert zh.loc["合计", "合计"] == 3
    assert list(A.roster(roster, "en").columns) == ["Department", "agent", "manager", "Total"]
