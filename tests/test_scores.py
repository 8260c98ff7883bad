import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from kit.errors import KitError
from kit.results import Result
from kit.scores import ScoreWarning, clean_scores, parse_numbers


def test_parse_numbers_strips_units_widths_and_separators():
    text = pd.Series(["９分", "1,200元", "¥35", "12 分钟", "85%", "abc", None, "−3", "4.5h"])
    got = parse_numbers(text).tolist()
    assert got[:5] == [9.0, 1200.0, 35.0, 12.0, pd.NA] and got[5] is pd.NA and got[6] is pd.NA
    assert got[7:] == [-3.0, 4.5]
    assert parse_numbers(pd.Series(["85%", "85 %"]), percent=True).tolist() == [85.0, 85.0]


def test_clean_scores_counts_missing_and_keeps_row_masks():
    scores = clean_scores(["9分", "１０", None, "", 7, np.nan], 0, 10)
    assert scores.values.tolist() == [9.0, 10.0, 7.0]
    assert (scores.n, scores.n_missing, scores.n_dropped) == (3, 3, 0)
    assert scores.valid.tolist() == [True, True, False, False, True, False]
    assert scores.missing.tolist() == [False, False, True, True, False, True]


def test_off_scale_values_raise_with_count_and_examples():
    with pytest.raises(KitError) as error:
        clean_scores(pd.Series([9, 15, 11, 3.5, 2]), 0, 10, name="nps")
    message = error.value.render("en")
    assert "3 value(s) of nps" in message and "15" in message and "3.5" in message
    assert "errors=\"coerce\"" in message
    assert "nps 中有 3 个值" in error.value.render("zh")


def test_coerce_drops_off_scale_values_with_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = clean_scores(["9", "ten", 11, 4], 0, 10, name="nps", errors="coerce")
    assert scores.values.tolist() == [9.0, 4.0] and scores.n_dropped == 2
    assert [w.category for w in caught] == [ScoreWarning]
    with pytest.raises(ValueError):
        clean_scores([1], 0, 10, errors="ignore")


def test_whole_numbers_can_be_relaxed_for_means():
    assert clean_scores([2.5, 3], 1, 7, whole=False).values.tolist() == [2.5, 3.0]


@dataclass(frozen=True, repr=False)
class Demo(Result):
    value: float
    ci: tuple
    n: int
    detail: object = None


def test_result_repr_and_frame():
    result = Demo(value=12.345678, ci=(8.0, 16.5), n=40, detail=pd.DataFrame({"a": [1]}))
    assert repr(result).startswith("Demo(value=12.35, ci=(8.0, 16.5), n=40")
    frame = result.to_frame()
    assert frame.columns.tolist() == ["value", "ci_low", "ci_high", "n"]
    assert frame.index.tolist() == ["Demo"] and frame.loc["Demo", "ci_high"] == 16.5


def test_stats_critical_values_match_scipy():
    from scipy import stats as sps

    from kit.stats import f_quantile, t_crit, z_crit

    assert z_crit(0.9) == pytest.approx(sps.norm.ppf(0.95))
    assert t_crit([5, 30], 0.99) == pytest.approx(sps.t.ppf(0.995, [5, 30]))
    assert np.isnan(t_crit(0, 0.95))
    assert f_quantile(0.025, 4, 120) == pytest.approx(sps.f.ppf(0.025, 4, 120))
    with pytest.raises(KitError):
        z_crit(95)


def test_result_with_a_table_returns_it_as_its_frame():
    @dataclass(frozen=True, repr=False)
    class Tabled(Result):
        n: int
        table: pd.DataFrame

    table = pd.DataFrame({"gap": [-0.5]}, index=["empathy"])
    assert Tabled(n=3, table=table).to_frame() is table
