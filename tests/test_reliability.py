"""Cronbach's alpha against pingouin and a hand-computed matrix; the t/F quantiles against scipy."""

import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from kit.errors import KitError
from kit.reliability import cronbach_alpha
from kit.scores import ScoreWarning, clean_frame

HAND = [[1, 2, 2], [2, 2, 3], [3, 4, 3], [4, 4, 5], [5, 5, 4]]


def likert_items(n=200, k=6, seed=1, loading=0.7):
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, 1))
    raw = loading * latent + np.sqrt(1 - loading**2) * rng.normal(size=(n, k))
    return pd.DataFrame(np.clip(np.round(raw * 1.2 + 3), 1, 5), columns=[f"q{j + 1}" for j in range(k)])


# --- alpha ----------------------------------------------------------------------------------------------
def test_hand_computed_matrix():
    res = cronbach_alpha(HAND)
    # item variances 2.5, 1.8, 1.3; total scores 5, 7, 10, 13, 14 with variance 14.7
    assert res.alpha == pytest.approx(1.5 * (1 - 5.6 / 14.7))
    assert (res.n, res.k, res.n_excluded) == (5, 3, 0)
    items = res.items
    assert items.index.tolist() == ["item_1", "item_2", "item_3"]
    assert items["mean"].tolist() == pytest.approx([3.0, 3.4, 3.4])
    assert items["sd"].tolist() == pytest.approx(np.sqrt([2.5, 1.8, 1.3]))
    # item 1 against the rest (4, 5, 7, 9, 9): r = 14 / sqrt(10 · 20.8)
    assert items.loc["item_1", "r_corrected"] == pytest.approx(14 / np.sqrt(208))
    # alpha of items 2 and 3 alone: 2 · (1 − 3.1 / 5.2)
    assert items.loc["item_1", "alpha_if_deleted"] == pytest.approx(2 * (1 - 3.1 / 5.2))


def test_matches_pingouin_and_feldt_with_scipy():
    data = likert_items()
    res = cronbach_alpha(data)
    alpha, ci = pg.cronbach_alpha(data)
    assert res.alpha == pytest.approx(alpha, rel=1e-12)
    assert res.ci == pytest.approx(tuple(ci), abs=5e-4 + 1e-9)  # pingouin rounds its interval to 3 places
    d1, d2 = res.n - 1, (res.n - 1) * (res.k - 1)
    exact = (1 - (1 - alpha) * stats.f.isf(0.025, d1, d2), 1 - (1 - alpha) * stats.f.isf(0.975, d1, d2))
    assert res.ci == pytest.approx(exact, rel=1e-9)
    assert res.ci[0] < res.alpha < res.ci[1]
    narrow = cronbach_alpha(data, ci=0.80)
    assert res.ci[0] < narrow.ci[0] < narrow.ci[1] < res.ci[1]


def test_item_statistics_match_a_direct_computation():
    data = likert_items(k=5, seed=7)
    res = cronbach_alpha(data)
    for item in data:
        rest = data.drop(columns=item)
        assert res.items.loc[item, "r_corrected"] == pytest.approx(np.corrcoef(data[item], rest.sum(axis=1))[0, 1])
        assert res.items.loc[item, "alpha_if_deleted"] == pytest.approx(pg.cronbach_alpha(rest)[0])
        assert res.items.loc[item, "sd"] == pytest.approx(data[item].std())


def test_a_poor_item_is_flagged_for_dropping():
    data = likert_items(k=5, seed=3)
    data["noise"] = np.random.default_rng(9).integers(1, 6, len(data))
    items = cronbach_alpha(data).items
    assert items["raises_alpha"].tolist() == [False] * 5 + [True]
    assert items["r_corrected"].idxmin() == "noise"


def test_listwise_deletion_is_counted_and_matches_pingouin():
    data = likert_items(n=120, seed=4)
    data.iloc[[3, 10, 50], [0, 2, 5]] = np.nan
    data.iloc[70, :] = np.nan
    res = cronbach_alpha(data)
    assert (res.n, res.n_excluded) == (116, 4)
    assert res.alpha == pytest.approx(pg.cronbach_alpha(data, nan_policy="listwise")[0])


def test_zero_variance_gives_nan_not_a_crash():
    res = cronbach_alpha([[3, 3, 3]] * 6)
    assert np.isnan(res.alpha) and np.isnan(res.ci[0]) and np.isnan(res.ci[1])
    assert res.items["r_corrected"].isna().all()
    assert res.n == 6


def test_a_constant_item_keeps_alpha_defined():
    data = likert_items(k=4, seed=5)
    data["constant"] = 4.0
    res = cronbach_alpha(data)
    assert np.isfinite(res.alpha)
    assert res.alpha == pytest.approx(pg.cronbach_alpha(data)[0])
    assert np.isnan(res.items.loc["constant", "r_corrected"])
    assert res.items.loc["constant", "sd"] == 0


def test_two_items_and_one_respondent():
    two = cronbach_alpha(likert_items(k=2))
    assert two.items["alpha_if_deleted"].isna().all() and np.isfinite(two.alpha)
    one = cronbach_alpha([[1, 2, 3]])
    assert one.n == 1 and np.isnan(one.alpha) and np.isnan(one.ci[0])


def test_no_complete_respondent_and_too_few_items_are_errors():
    with pytest.raises(KitError) as info:
        cronbach_alpha(pd.DataFrame({"a": [1, 2, np.nan], "b": [np.nan, np.nan, np.nan]}))
    assert info.value.code == "reliability_no_complete_rows"
    assert "3" in info.value.render("en") and "2" in info.value.render("zh")
    with pytest.raises(KitError) as info:
        cronbach_alpha(pd.DataFrame({"a": [1, 2, 3]}))
    assert info.value.code == "reliability_too_few_items"
    with pytest.raises(KitError):
        cronbach_alpha(pd.DataFrame(columns=["a", "b"]))


def test_text_values_are_parsed_or_reported():
    numbers = cronbach_alpha(HAND)
    text = cronbach_alpha(pd.DataFrame(HAND).astype(str).map(lambda v: f"{v}分"))
    assert text.alpha == pytest.approx(numbers.alpha)
    bad = pd.DataFrame(HAND, columns=["a", "b", "c"]).astype(object)
    bad.loc[1, "b"] = "很好"
    with pytest.raises(KitError) as info:
        cronbach_alpha(bad)
    assert info.value.code == "items_not_numeric" and "很好" in str(info.value)
    assert "很好" in info.value.render("zh")
    with pytest.warns(ScoreWarning):
        coerced = cronbach_alpha(bad, errors="coerce")
    assert (coerced.n, coerced.n_excluded) == (4, 1)


def test_clean_frame_coerces_with_a_warning():
    frame = pd.DataFrame({"a": ["1", "x", ""], "b": [1.0, 9.0, None]})
    with pytest.warns(ScoreWarning):
        values, dropped = clean_frame(frame, name="t", errors="coerce")
    assert dropped == 1 and values["a"].isna().tolist() == [False, True, True]
    with pytest.warns(ScoreWarning, match="dropped 2"):
        values, dropped = clean_frame(frame, name="t", low=1, high=7, errors="coerce")
    assert dropped == 2 and values.notna().sum().tolist() == [1, 1]
    with warnings.catch_warnings(), pytest.raises(KitError) as info:
        clean_frame(frame, name="t", low=1, high=7)
    assert info.value.code == "scores_off_scale"


def test_result_reads_well():
    res = cronbach_alpha(HAND)
    assert repr(res).startswith("CronbachAlpha(alpha=0.9286, ci=(0.6391, 0.992), n=5, k=3")
    flat = res.to_dict()
    assert set(flat) == {"alpha", "ci_low", "ci_high", "n", "k", "n_excluded"}
    assert res.to_frame().shape == (1, 6)
    with pytest.raises(ValueError):
        cronbach_alpha(HAND, ci=95)
