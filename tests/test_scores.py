import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from kit.errors import KitError
from kit.results import Result
from kit.scores import DONT_KNOW, ScoreWarning, clean_frame, clean_scores, fold_answer, parse_numbers


def test_parse_numbers_strips_units_widths_and_separators():
    text = pd.Series(["９分", "1,200元", "¥35", "12 分钟", "85%", "abc", None, "−3", "4.5h"])
    got = parse_numbers(text).tolist()
    assert got[:5] == [9.0, 1200.0, 35.0, 12.0, pd.NA] and got[5] is pd.NA and got[6] is pd.NA
    assert got[7:] == [-3.0, 4.5]
    assert parse_numbers(pd.Series(["85%", "85 %"]), percent=True).tolist() == [85.0, 85.0]


def test_clean_scores_counts_missing_and_keeps_row_masks():
    scores = clean_scores(["9分", "１０", None, "", 7, np.nan], 0, 10)
    assert scores.values.tolist() == [9.0, 10.0, 7.0]
    assert (scores.n, scores.n_missing, scores.n_dropped, scores.n_dont_know) == (3, 3, 0, 0)
    assert scores.valid.tolist() == [True, True, False, False, True, False]
    assert scores.missing.tolist() == [False, False, True, True, False, True]
    assert not scores.dont_know.any()


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


# Non-answers as exported: 问卷星 "(跳过)"/"(空)", SurveyMonkey "N/A" columns, Qualtrics/SPSS codes, and
# what people type into Excel (full-width, curly apostrophes, stray spaces, capitals).
TYPED = ["（跳过）", "Ｎ／Ａ", " n/a ", "Don’t know", "DON'T  KNOW", "Prefer not to say", "ＤＫ", "－", "——", "说不清"]


@pytest.mark.parametrize("answer", sorted(DONT_KNOW) + TYPED)
def test_each_dont_know_answer_is_excluded_and_counted_apart(answer):
    scores = clean_scores(pd.Series([8, answer, None], dtype=object), 0, 10)
    assert scores.values.tolist() == [8.0]
    assert (scores.n_missing, scores.n_dont_know, scores.n_dropped) == (1, 1, 0)
    assert scores.dont_know.tolist() == [False, True, False]
    assert scores.missing.tolist() == [False, False, True]


def test_mixed_column_counts_blanks_and_dont_knows_separately():
    scores = clean_scores([9, "不知道", "", None, "10分", "N/A", "Don't know"], 0, 10)
    assert scores.values.tolist() == [9.0, 10.0]
    assert (scores.n_missing, scores.n_dont_know, scores.n_dropped) == (2, 3, 0)
    assert scores.valid.tolist() == [True, False, False, False, True, False, False]
    rows = np.vstack([scores.valid, scores.missing, scores.dont_know]).astype(int)
    assert (rows.sum(axis=0) == 1).all()  # every row is exactly one of kept, blank, don't know


def test_only_whole_answers_match_never_substrings():
    with pytest.raises(KitError) as error:
        clean_scores(["9", "不知道怎么说但很满意", "NA 9", "无意见"], 0, 10)
    assert "3 value(s)" in error.value.render("en")
    assert fold_answer(pd.Series(["  Don’t   Know "])).tolist() == ["don't know"]


def test_numbers_are_dont_know_only_when_declared():
    qualtrics = pd.Series([7, 99, -99, 10, 98])
    with pytest.raises(KitError):
        clean_scores(qualtrics, 0, 10)
    scores = clean_scores(qualtrics, 0, 10, dont_know=(99, 98, -99))
    assert scores.values.tolist() == [7.0, 10.0] and scores.n_dont_know == 3
    assert clean_scores(qualtrics, 0, 10, dont_know=[99, 98, -99.0]).n_dont_know == 3
    as_text = clean_scores(["7", "99", "９９分", "-99", "不知道"], 0, 10, dont_know=(99, -99))
    assert as_text.values.tolist() == [7.0] and as_text.n_dont_know == 4
    assert clean_scores([5, "不好评价"], 0, 10, dont_know="不好评价").n_dont_know == 1
    assert clean_scores([5, 99], 0, 10, dont_know=np.int64(99)).n_dont_know == 1


def test_numeric_columns_are_untouched():
    column = pd.Series([0, 5, 10, np.nan])
    scores = clean_scores(column, 0, 10)
    assert scores.values.tolist() == [0.0, 5.0, 10.0]
    assert (scores.n_missing, scores.n_dont_know) == (1, 0)
    nullable = clean_scores(pd.array([3, None, 4], dtype="Int64"), 1, 5)
    assert nullable.values.tolist() == [3.0, 4.0] and nullable.n_missing == 1


def test_typos_still_raise_without_the_dont_know_answers():
    answers = ["9", "十分", "不知道", "N/A", "十分", "8分", "(跳过)", "abc"]
    with pytest.raises(KitError) as error:
        clean_scores(answers, 0, 10, name="nps")
    message = error.value.render("en")
    assert "3 value(s) of nps" in message and "e.g. 十分, abc." in message
    assert "不知道" not in message and "N/A" not in message and "跳过" not in message
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = clean_scores(answers, 0, 10, name="nps", errors="coerce")
    assert (scores.n, scores.n_dropped, scores.n_dont_know, scores.n_missing) == (2, 3, 3, 0)
    assert [w.category for w in caught] == [ScoreWarning]


def test_empty_one_value_and_other_dtypes():
    empty = clean_scores([], 0, 10)
    assert (empty.n, empty.n_missing, empty.n_dont_know, empty.n_dropped) == (0, 0, 0, 0)
    assert clean_scores(["不知道"], 0, 10).n_dont_know == 1
    category = pd.Series(["9", "不清楚", "9", None], dtype="category")
    scores = clean_scores(category, 0, 10)
    assert scores.values.tolist() == [9.0, 9.0] and (scores.n_missing, scores.n_dont_know) == (1, 1)
    strings = pd.Series(["4", "N/A", pd.NA], dtype="string")
    assert clean_scores(strings, 1, 5).dont_know.tolist() == [False, True, False]


def test_clean_frame_treats_dont_know_like_blanks():
    sheet = pd.DataFrame({"q1": ["5分", "不清楚", "", 4], "q2": [3, 99, None, 2], "q3": ["N/A", "2", "—", "1"]})
    values, dropped = clean_frame(sheet, name="items", dont_know=99)
    assert dropped == 0
    assert values.isna().to_numpy().tolist() == [[False, False, True], [True, True, False],
                                                  [True, True, True], [False, False, False]]
    assert values.loc[0, "q1"] == 5.0 and values.loc[3, "q1"] == 4.0
    assert clean_frame(sheet, name="items")[0].loc[1, "q2"] == 99.0  # undeclared: a number like any other
    with pytest.raises(KitError) as error:
        clean_frame(sheet, name="items", low=1, high=5)
    assert error.value.code == "scores_off_scale" and "1 value(s) of items" in error.value.render("en")
    typo = sheet.assign(q3=["N/A", "十分", "—", "1"])
    with pytest.raises(KitError) as error:
        clean_frame(typo, name="items", dont_know=99)
    message = error.value.render("en")
    assert error.value.code == "items_not_numeric" and "十分" in message and "N/A" not in message


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
