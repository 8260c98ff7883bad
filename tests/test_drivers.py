"""Key drivers: subset R² against statsmodels OLS/WLS, Shapley against a brute-force permutation average,
the Shapley axioms, Johnson's weights close to Shapley, the importance–performance quadrants, and the
bootstrap intervals against plain resampling with sklearn regressions and numpy percentiles."""

import math
from itertools import combinations, permutations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.linear_model import LinearRegression

import kit.drivers as drivers_module
from kit.cxreport import DRIVERS
from kit.drivers import key_drivers
from kit.errors import KitError
from kit.scores import ScoreWarning

FACTORS = ["f_product", "f_price", "f_channel", "f_competitor"]


def four_factor(n=600, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    common = rng.normal(size=n)
    means = {"f_product": 3.8, "f_price": 2.6, "f_channel": 3.5, "f_competitor": 3.1}
    df = pd.DataFrame({f: np.clip(np.round(m + 0.6 * common + rng.normal(0, 0.8, n)), 1, 5) for f, m in means.items()})
    df["csat"] = np.clip(np.round(0.2 * df.f_product + 0.5 * df.f_price + 0.1 * df.f_channel + rng.normal(0, 0.6, n)
                                  + 1), 1, 5)
    return df


def ols_r2(df, outcome, cols) -> float:
    if not cols:
        return 0.0
    return sm.OLS(df[outcome], sm.add_constant(df[list(cols)])).fit().rsquared


def shapley_by_hand(X, y, w=None) -> np.ndarray:
    """Shapley values of R² from sklearn regressions on every subset: φ_j = Σ_S |S|!(p−|S|−1)!/p! ·
    [R²(S ∪ {j}) − R²(S)], R² weighted by ``w`` when given (WLS)."""
    p = X.shape[1]

    def r2(cols):
        if not cols:
            return 0.0
        return LinearRegression().fit(X[:, cols], y, sample_weight=w).score(X[:, cols], y, sample_weight=w)

    fitted = {cols: r2(list(cols)) for size in range(p + 1) for cols in combinations(range(p), size)}
    phi = np.zeros(p)
    for j in range(p):
        for cols, value in fitted.items():
            if j not in cols:
                joined = tuple(sorted((*cols, j)))
                share = math.factorial(len(cols)) * math.factorial(p - len(cols) - 1) / math.factorial(p)
                phi[j] += share * (fitted[joined] - value)
    return phi


def johnson_by_hand(X, y) -> np.ndarray:
    """Johnson (2000) through the SVD of the standardised data X = U D Vᵀ: Z = U Vᵀ, Λ* = V D Vᵀ,
    β = Zᵀy (Z orthonormal), ε_j = Σ_k λ*²_jk β²_k."""
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    ys = (y - y.mean()) / y.std()
    U, d, Vt = np.linalg.svd(Xs / math.sqrt(len(y)), full_matrices=False)
    lam = Vt.T @ np.diag(d) @ Vt
    beta = (U @ Vt).T @ ys / math.sqrt(len(y))
    return (lam**2) @ (beta**2)


def bootstrap_by_hand(X, y, n_boot, seed, ci, importance, w=None) -> np.ndarray:
    """Percentile interval: replicate b refits on rows rng.integers(0, n, n) of default_rng(seed)."""
    rng = np.random.default_rng(seed)
    replicates = []
    for _ in range(n_boot):
        rows = rng.integers(0, len(y), len(y))
        weighted = () if w is None else (w[rows],)
        replicates.append(importance(X[rows], y[rows], *weighted))
    return np.percentile(replicates, [50 * (1 - ci), 50 * (1 + ci)], axis=0)


def test_subset_r2_matches_statsmodels():
    df = four_factor()
    R = np.corrcoef(df[[*FACTORS, "csat"]].to_numpy(), rowvar=False)
    r2 = drivers_module.subset_r2(R, 4)
    for size in range(5):
        for subset in combinations(range(4), size):
            mask = sum(1 << j for j in subset)
            assert r2[mask] == pytest.approx(ols_r2(df, "csat", [FACTORS[j] for j in subset]), abs=1e-12)
    assert key_drivers(df, "csat", FACTORS).r2 == pytest.approx(ols_r2(df, "csat", FACTORS))


def test_shapley_matches_a_brute_force_permutation_average():
    df = four_factor(seed=1)
    res = key_drivers(df, "csat", FACTORS)
    gains = dict.fromkeys(FACTORS, 0.0)
    orders = list(permutations(FACTORS))
    fitted = {}

    def r2(cols):
        key = frozenset(cols)
        if key not in fitted:
            fitted[key] = ols_r2(df, "csat", sorted(key))
        return fitted[key]

    for order in orders:
        for i, name in enumerate(order):
            gains[name] += r2(order[: i + 1]) - r2(order[:i])
    brute = pd.Series({k: v / len(orders) for k, v in gains.items()})
    assert res.table["importance"].to_numpy() == pytest.approx(brute[FACTORS].to_numpy(), abs=1e-12)


def test_shapley_axioms():
    df = four_factor(seed=2)
    res = key_drivers(df, "csat", FACTORS)
    table = res.table
    assert table["importance"].sum() == pytest.approx(res.r2)  # efficiency
    assert (table["importance"] >= 0).all()
    assert table["share"].sum() == pytest.approx(1.0)
    df["f_price_copy"] = df["f_price"]  # symmetry: identical drivers share equally
    twin = key_drivers(df, "csat", [*FACTORS, "f_price_copy"]).table
    assert twin.loc["f_price", "importance"] == pytest.approx(twin.loc["f_price_copy", "importance"])
    assert twin["importance"].sum() == pytest.approx(res.r2)  # the copy adds nothing to R²
    df["unrelated"] = np.random.default_rng(3).normal(size=len(df))
    assert key_drivers(df, "csat", [*FACTORS, "unrelated"]).table.loc["unrelated", "importance"] < 0.005


def test_two_drivers_closed_form():
    df = four_factor(seed=4)
    res = key_drivers(df, "csat", ["f_price", "f_product"])
    full, price, product = ols_r2(df, "csat", ["f_price", "f_product"]), ols_r2(df, "csat", ["f_price"]), \
        ols_r2(df, "csat", ["f_product"])
    assert res.table.loc["f_price", "importance"] == pytest.approx((price + full - product) / 2)


def test_johnson_is_close_to_shapley_and_sums_to_r2():
    df = four_factor(seed=5)
    shapley = key_drivers(df, "csat", FACTORS)
    johnson = key_drivers(df, "csat", FACTORS, method="johnson")
    assert johnson.method == "johnson" and johnson.r2 == pytest.approx(shapley.r2)
    assert johnson.table["importance"].sum() == pytest.approx(johnson.r2)
    assert johnson.table["importance"].to_numpy() == pytest.approx(shapley.table["importance"].to_numpy(), abs=0.01)
    assert johnson.ranking == shapley.ranking


def test_uncorrelated_drivers_get_their_squared_correlation():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(5000, 3))
    x -= x.mean(axis=0)
    q, _ = np.linalg.qr(x)  # exactly orthogonal, centred columns
    df = pd.DataFrame(q, columns=["a", "b", "c"])
    df["y"] = 3 * df.a + 2 * df.b + df.c + rng.normal(0, 0.05, 5000)
    for method in ("shapley", "johnson"):
        table = key_drivers(df, "y", ["a", "b", "c"], method=method).table
        assert table["importance"].to_numpy() == pytest.approx(table["r"].to_numpy() ** 2, abs=1e-4)


def test_table_columns_ranks_and_quadrants():
    df = four_factor(seed=7)
    res = key_drivers(df, "csat", FACTORS)
    table = res.table
    assert list(table.columns) == ["r", "importance", "ci_low", "ci_high", "share", "rank", "performance",
                                   "quadrant"]
    assert table.index.tolist() == FACTORS and table.index.name == "driver"
    assert table["r"].to_numpy() == pytest.approx(df[FACTORS].corrwith(df["csat"]).to_numpy())
    assert table["performance"].to_numpy() == pytest.approx(df[FACTORS].mean().to_numpy())
    assert res.ranking[0] == "f_price" and table.loc["f_price", "rank"] == 1
    assert sorted(table["rank"]) == [1, 2, 3, 4]
    # price: most important and lowest rated → concentrate here [003]'s shortfall
    assert table.loc["f_price", "quadrant"] == "concentrate"
    high_i = table["importance"] >= table["importance"].mean()
    high_p = table["performance"] >= table["performance"].mean()
    expected = np.where(high_i, np.where(high_p, "keep_up", "concentrate"), np.where(high_p, "overkill", "low_priority"))
    assert table["quadrant"].tolist() == expected.tolist()
    assert drivers_module.quadrant_name("overkill", "zh") == "可能过度投入"


def test_listwise_deletion_and_text():
    df = four_factor(n=200, seed=8)
    df.loc[4, "f_channel"] = 4
    clean = key_drivers(df, "csat", FACTORS)
    messy = df.astype(object)
    messy.loc[[1, 2], "f_price"] = None
    messy.loc[3, "csat"] = ""
    messy.loc[4, "f_channel"] = "4分"
    res = key_drivers(messy, "csat", FACTORS)
    assert (res.n, res.n_excluded) == (197, 3)
    expected = key_drivers(df.drop(index=[1, 2, 3]), "csat", FACTORS)
    assert res.r2 == pytest.approx(expected.r2)
    assert clean.n == 200 and clean.n_excluded == 0
    messy.loc[5, "f_price"] = "贵"
    with pytest.raises(KitError) as info:
        key_drivers(messy, "csat", FACTORS)
    assert info.value.code == "items_not_numeric" and "贵" in info.value.render("zh")
    with pytest.warns(ScoreWarning):
        assert key_drivers(messy, "csat", FACTORS, errors="coerce").n == 196


def test_errors():
    df = four_factor(n=50, seed=9)
    with pytest.raises(KitError) as info:
        key_drivers(df, "csat", ["f_price", "f_quality"])
    assert info.value.code == "model_columns_missing" and "f_quality" in str(info.value)
    with pytest.raises(KitError) as info:
        key_drivers(df, "csat", ["csat", "f_price"])
    assert info.value.code == "drivers_outcome_is_driver"
    with pytest.raises(KitError) as info:
        key_drivers(df, "csat", [])
    assert info.value.code == "drivers_too_few"
    df["flat"] = 3
    with pytest.raises(KitError) as info:
        key_drivers(df, "csat", ["f_price", "flat"])
    assert info.value.code == "drivers_constant" and "flat" in info.value.render("zh")
    with pytest.raises(KitError) as info:
        key_drivers(df.head(4), "csat", FACTORS)
    assert info.value.code == "drivers_too_few_rows" and "6" in str(info.value)
    with pytest.raises(KitError) as info:
        key_drivers(df.iloc[:0], "csat", FACTORS)
    assert info.value.code == "drivers_too_few_rows"
    with pytest.raises(ValueError):
        key_drivers(df, "csat", FACTORS, method="lmg")
    with pytest.raises(ValueError):
        key_drivers(df, "csat", FACTORS, n_boot=-1)
    with pytest.raises(KitError) as info:
        key_drivers(df, "csat", FACTORS, weights="wt")
    assert info.value.code == "model_columns_missing" and "wt" in str(info.value)
    with pytest.raises(KitError) as info:
        key_drivers(df, "csat", FACTORS, weights=[1.0] * 49 + [np.nan])
    assert info.value.code == "weights_invalid"


def test_many_drivers():
    rng = np.random.default_rng(10)
    X = pd.DataFrame(rng.normal(size=(400, 16)), columns=[f"x{i}" for i in range(16)])
    X["y"] = X.to_numpy() @ np.linspace(1, 0.1, 16) + rng.normal(size=400)
    with pytest.raises(KitError) as info:
        key_drivers(X, "y", [f"x{i}" for i in range(16)])
    assert info.value.code == "drivers_too_many" and "johnson" in info.value.render("zh")
    johnson = key_drivers(X, "y", [f"x{i}" for i in range(16)], method="johnson")
    assert johnson.r2 == pytest.approx(ols_r2(X, "y", [f"x{i}" for i in range(16)]))
    assert johnson.table["importance"].sum() == pytest.approx(johnson.r2)
    assert johnson.n_boot == 1000 and johnson.table["ci_low"].notna().all()
    eleven = key_drivers(X.head(60), "y", [f"x{i}" for i in range(11)])  # Shapley on many drivers: fewer replicates
    assert eleven.n_boot == 100 and (eleven.table["ci_low"] <= eleven.table["ci_high"]).all()
    fifteen = key_drivers(X, "y", [f"x{i}" for i in range(15)], n_boot=0)  # the largest exact case: quick
    assert fifteen.table["importance"].sum() == pytest.approx(fifteen.r2)


def test_result_reads_well():
    res = key_drivers(four_factor(n=100), "csat", FACTORS)
    assert repr(res).startswith("KeyDrivers(outcome='csat', method='shapley', r2=")
    assert res.to_frame() is res.table
    assert set(res.to_dict()) == {"outcome", "method", "r2", "n", "n_excluded", "n_boot"}


# --- bootstrap intervals and survey weights -----------------------------------------------------


@pytest.mark.parametrize("method, by_hand", [("shapley", shapley_by_hand), ("johnson", johnson_by_hand)])
def test_bootstrap_interval_matches_plain_resampling(method, by_hand):
    df = four_factor(n=150, seed=20)
    res = key_drivers(df, "csat", FACTORS, method=method, n_boot=30, seed=7, ci=0.90)
    X, y = df[FACTORS].to_numpy(float), df["csat"].to_numpy(float)
    low, high = bootstrap_by_hand(X, y, 30, 7, 0.90, by_hand)
    assert res.table["ci_low"].to_numpy() == pytest.approx(low, abs=1e-10)
    assert res.table["ci_high"].to_numpy() == pytest.approx(high, abs=1e-10)
    assert res.n_boot == 30
    again = key_drivers(df, "csat", FACTORS, method=method, n_boot=30, seed=7, ci=0.90)
    pd.testing.assert_frame_equal(again.table, res.table, check_exact=True)  # the seed reproduces
    other = key_drivers(df, "csat", FACTORS, method=method, n_boot=30, seed=8, ci=0.90)
    assert not np.array_equal(other.table["ci_low"], res.table["ci_low"])


def test_a_driver_constant_in_a_resample_explains_nothing_there():
    rng = np.random.default_rng(21)
    df = pd.DataFrame({"a": rng.normal(size=12), "b": rng.normal(size=12), "rare": [1.0] + [0.0] * 11})
    df["y"] = df.a + 0.5 * df.b + df.rare + rng.normal(0, 0.3, 12)
    X, y = df[["a", "b", "rare"]].to_numpy(), df["y"].to_numpy()
    rng_check = np.random.default_rng(3)
    assert any(X[rng_check.integers(0, 12, 12), 2].max() == 0 for _ in range(40))  # some resamples lose it
    res = key_drivers(df, "y", ["a", "b", "rare"], n_boot=40, seed=3)
    low, high = bootstrap_by_hand(X, y, 40, 3, 0.95, shapley_by_hand)
    assert res.table["ci_low"].to_numpy() == pytest.approx(low, abs=1e-10)
    assert res.table["ci_high"].to_numpy() == pytest.approx(high, abs=1e-10)
    assert res.table.loc["rare", "ci_low"] == 0.0


def test_bootstrap_of_repeated_weighted_answers_matches_plain_resampling():
    """Ratings repeat (a few hundred distinct rows among many respondents), as on a 1–5 scale: the bootstrap
    counts draws per distinct answer row and weight, and must give the intervals of refitting every resample."""
    rng = np.random.default_rng(30)
    df = pd.DataFrame(rng.integers(1, 4, size=(400, 3)), columns=["a", "b", "c"]).astype(float)
    df["y"] = np.clip(np.round(df.a + 0.5 * df.b + rng.normal(0, 0.8, 400)), 1, 5)
    w = rng.choice([0.5, 1.0, 2.0], 400)
    X, y = df[["a", "b", "c"]].to_numpy(), df["y"].to_numpy()
    assert len(np.unique(np.column_stack([X, y, w]), axis=0)) < len(df) / 2
    res = key_drivers(df, "y", ["a", "b", "c"], weights=w, n_boot=25, seed=4)
    low, high = bootstrap_by_hand(X, y, 25, 4, 0.95, shapley_by_hand, w)
    assert res.table["importance"].to_numpy() == pytest.approx(shapley_by_hand(X, y, w), abs=1e-10)
    assert res.table["ci_low"].to_numpy() == pytest.approx(low, abs=1e-10)
    assert res.table["ci_high"].to_numpy() == pytest.approx(high, abs=1e-10)


def test_bootstrap_interval_covers_the_estimate_on_the_sample_survey(survey):
    res = key_drivers(survey, "csat", list(DRIVERS))  # n_boot=1000, as in the CX report
    table = res.table
    assert res.n > 1000 and res.n_boot == 1000
    assert ((table["ci_low"] <= table["importance"]) & (table["importance"] <= table["ci_high"])).all()
    assert (table["ci_high"] - table["ci_low"] > 0).all()


def test_no_bootstrap_gives_no_interval():
    res = key_drivers(four_factor(n=80, seed=22), "csat", FACTORS, n_boot=0)
    assert res.n_boot == 0 and res.table[["ci_low", "ci_high"]].isna().all().all()
    smallest = key_drivers(four_factor(n=6, seed=23), "csat", FACTORS, n_boot=50)  # n = p + 2 still resamples
    assert smallest.table[["ci_low", "ci_high"]].notna().all().all()


def test_survey_weights_match_weighted_least_squares():
    df = four_factor(n=300, seed=24)
    w = np.random.default_rng(25).uniform(0.2, 3.0, len(df))
    res = key_drivers(df.assign(wt=w), "csat", FACTORS, weights="wt", n_boot=20, seed=1)
    same = key_drivers(df, "csat", FACTORS, weights=w, n_boot=20, seed=1)
    pd.testing.assert_frame_equal(same.table, res.table)
    X, y = df[FACTORS].to_numpy(float), df["csat"].to_numpy(float)
    wls = sm.WLS(y, sm.add_constant(X), weights=w).fit()
    assert res.r2 == pytest.approx(wls.rsquared, abs=1e-10)
    assert res.table["importance"].to_numpy() == pytest.approx(shapley_by_hand(X, y, w), abs=1e-10)
    r = [np.cov(X[:, j], y, aweights=w)[0, 1] / np.sqrt(np.cov(X[:, j], aweights=w) * np.cov(y, aweights=w))
         for j in range(len(FACTORS))]
    assert res.table["r"].to_numpy() == pytest.approx(r, abs=1e-12)
    assert res.table["performance"].to_numpy() == pytest.approx(np.average(X, axis=0, weights=w), abs=1e-12)
    low, high = bootstrap_by_hand(X, y, 20, 1, 0.95, shapley_by_hand, w)
    assert res.table["ci_low"].to_numpy() == pytest.approx(low, abs=1e-10)
    assert res.table["ci_high"].to_numpy() == pytest.approx(high, abs=1e-10)
    plain = key_drivers(df, "csat", FACTORS, n_boot=20, seed=1)
    equal = key_drivers(df, "csat", FACTORS, weights=np.full(len(df), 2.5), n_boot=20, seed=1)
    pd.testing.assert_frame_equal(equal.table, plain.table, rtol=1e-12, atol=1e-12)
    zero = np.r_[np.zeros(10), np.ones(len(df) - 10)]  # weight 0: not in the estimate nor in any resample
    pd.testing.assert_frame_equal(key_drivers(df, "csat", FACTORS, weights=zero, n_boot=20, seed=1).table,
                                  key_drivers(df.iloc[10:], "csat", FACTORS, n_boot=20, seed=1).table)
    with pytest.raises(KitError) as info:
        key_drivers(df, "csat", FACTORS, weights=np.r_[np.ones(5), np.zeros(len(df) - 5)])
    assert info.value.code == "drivers_too_few_rows" and "5" in str(info.value)
    messy = df.assign(wt=w).astype({"f_price": object})
    messy.loc[[3, 4], "f_price"] = None  # listwise deletion drops their weights too
    dropped = key_drivers(messy, "csat", FACTORS, weights="wt", n_boot=0)
    kept = df.drop(index=[3, 4])
    assert dropped.r2 == pytest.approx(
        sm.WLS(kept["csat"], sm.add_constant(kept[FACTORS]), weights=w[kept.index]).fit().rsquared, abs=1e-10)

