"""Key drivers: subset R² against statsmodels OLS, Shapley against a brute-force permutation average,
the Shapley axioms, Johnson's weights close to Shapley, and the importance–performance quadrants."""

from itertools import combinations, permutations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import kit.drivers as drivers_module
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
    assert list(table.columns) == ["r", "importance", "share", "rank", "performance", "quadrant"]
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
    fifteen = key_drivers(X, "y", [f"x{i}" for i in range(15)])  # the largest exact case stays quick
    assert fifteen.table["importance"].sum() == pytest.approx(fifteen.r2)


def test_result_reads_well():
    res = key_drivers(four_factor(n=100), "csat", FACTORS)
    assert repr(res).startswith("KeyDrivers(outcome='csat', method='shapley', r2=")
    assert res.to_frame() is res.table
    assert set(res.to_dict()) == {"outcome", "method", "r2", "n", "n_excluded"}
