import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest

from kit.errors import KitError
from kit.periods import period_key

# Labels in time order, as survey platforms (问卷星, 腾讯问卷, Qualtrics, SurveyMonkey, Google Forms), Excel
# and people write them; most of them sort wrongly as text.
IN_ORDER = {
    "zh_month": ["2025年9月", "2025年10月", "2025年11月", "2025年12月", "2026年1月"],
    "zh_month_padded_spaced": ["2025年09月", "2025 年 10 月", "2025年11月份", "2026年1月"],
    "zh_month_numerals": ["2025年九月", "2025年十月", "2025年十二月"],
    "iso_month": ["2025-9", "2025-10", "2025-12", "2026-01"],
    "slash_month": ["2025/9", "2025/10", "2026/1"],
    "dotted_month": ["2025.09", "2025.10", "2026.01"],
    "dotted_month_unpadded": ["2025.9", "2025.10", "2025.11", "2026.2"],
    "compact_month": ["202509", "202510", "202601"],
    "month_only": ["9月", "10月", "11月", "12月"],
    "month_only_numerals": ["九月", "十月", "十一月", "十二月"],
    "english_month": ["Sep", "Oct.", "November", "DEC"],
    "english_month_year": ["Sept. 2025", "Oct-25", "November 2025", "2025 Dec", "Jan 2026", "Feb, 2026"],
    "quarter": ["2024Q4", "2025 Q1", "Q2 2025", "Q3-2025", "2025年第4季度", "2026年一季度", "2026 年 Q2"],
    "quarter_only": ["第一季度", "第二季度", "第三季度", "四季度"],
    "half": ["2024H2", "H1 2025", "2025年下半年", "2026H1"],
    "iso_week": ["2025-W9", "2025-W10", "2025年第11周", "2025W12"],
    "year": ["2024", "2025年", "2026年度"],
    "day": ["2025-9-30", "2025/10/1", "2025年10月2日", "2025.10.3", "2025-10-04 00:00:00"],
    "day_compact": ["20250930", "20251001"],
    "day_first": ["30/9/2025", "1/10/2025", "2/10/2025"],
    "month_first": ["9/30/2025", "10/1/2025", "10/2/2025"],
    "numbers": [1, 2, 9, 10, 11],
    "number_text": ["1", "2", "9", "10"],
    "ordinals": ["第1期", "第2期", "第10期", "第11期"],
    "waves": ["Wave 2", "Wave 10", "W11", "week 12"],
    "full_width": ["２０２５年９月", " 2025年10月 ", "２０２５－１１", "2025–12"],
}


@pytest.mark.parametrize("labels", IN_ORDER.values(), ids=IN_ORDER.keys())
def test_labels_sort_as_time_in_any_input_order(labels):
    keys = period_key(labels).to_numpy()
    assert (np.diff(keys) > 0).all()
    assert period_key(labels[::-1]).tolist() == keys[::-1].tolist()
    shuffled = random.Random(7).sample(labels, len(labels))
    key = period_key(pd.Series(shuffled))
    assert [shuffled[i] for i in np.argsort(key.to_numpy(), kind="stable")] == labels


def test_trend_months_that_text_order_gets_wrong():
    labels = pd.Series(["2025年9月", "2025年10月", "2025年11月", "2025年12月"])
    assert sorted(labels)[-1] == "2025年9月"  # the bug: as text, September comes last
    assert labels.sort_values(key=period_key).tolist() == labels.tolist()


def test_consecutive_periods_get_consecutive_keys_and_spellings_agree():
    assert np.diff(period_key(["2025年11月", "2025-12", "Jan 2026", "202602", "2026.03"])).tolist() == [1] * 4
    assert np.diff(period_key(["2025Q4", "2026年一季度", "Q2 2026"])).tolist() == [1, 1]
    assert np.diff(period_key(["2025-W52", "2026-W01"])).tolist() == [1]  # 2025 has 52 ISO weeks
    assert np.diff(period_key(["2020-W53", "2021-W01"])).tolist() == [1]
    assert np.diff(period_key(["2025年9月", "2025年12月"])).tolist() == [3]  # a gap shows
    assert period_key(["2025年9月", "2025-09", "Sep 2025", "２０２５／９"]).nunique() == 1


@pytest.mark.parametrize("freq", ["M", "Q", "Y", "D", "W"])
def test_pandas_periods_and_their_text_give_the_same_keys(freq):
    periods = pd.period_range("2024-11-25", periods=5, freq=freq)
    assert period_key(periods).tolist() == periods.asi8.tolist()
    assert period_key(periods.astype(str)).tolist() == periods.asi8.tolist()


def test_dates_and_timestamps():
    days = pd.Series(pd.to_datetime(["2025-10-01", "2025-09-30", "2025-12-01"]))
    assert period_key(days).tolist() == [20362, 20361, 20423]
    assert period_key([dt.date(2025, 10, 1), pd.Timestamp("2025-09-30"), "2025-12-01"]).tolist() == [
        20362, 20361, 20423]
    moments = pd.Series(pd.to_datetime(["2025-09-30 23:59", "2025-09-30 08:00"]))
    assert period_key(moments).diff().iloc[1] < 0
    aware = pd.Series(pd.to_datetime(["2025-10-01", "2025-09-30"]).tz_localize("Asia/Shanghai"))
    assert period_key(aware).tolist() == [20362, 20361]


def test_result_is_aligned_with_the_input_and_repeats_share_a_key():
    labels = pd.Series(["2025年10月", "2025年9月", "2025年10月"], index=[10, 20, 30], name="月份")
    key = period_key(labels)
    assert key.index.tolist() == [10, 20, 30] and key.name == "月份" and key.dtype == np.int64
    assert key.iloc[0] == key.iloc[2] > key.iloc[1]
    assert period_key(pd.Index(["2025-10", "2025-9"])).tolist() == [669, 668]


def test_empty_one_value_and_mixed_python_types():
    assert period_key([]).tolist() == [] and period_key(pd.Series([], dtype=object)).dtype == np.int64
    assert period_key(["2025Q3"]).tolist() == [222]
    assert period_key(["12月"]).tolist() == [12]
    assert period_key([1, "2", 3.0, np.int64(10)]).tolist() == [1, 2, 3, 10]
    assert period_key(["2025-10", pd.Period("2025-09", "M")]).tolist() == [669, 668]
    assert period_key(pd.Series([202509.0, 202510.0])).tolist() == [668, 669]  # Excel numbers as floats
    assert period_key(pd.array([2024, 2025], dtype="Int64")).tolist() == [54, 55]


@pytest.mark.parametrize("labels, code", [
    (["12月", "1月"], "periods_no_year"),
    (["10月", "11月", "12月", "2月"], "periods_no_year"),  # no 1月, still crosses New Year
    (["Nov", "Dec", "Jan"], "periods_no_year"),
    (["Q4", "Q1"], "periods_no_year"),
    (["2025-09", "2025Q4"], "periods_mixed"),
    (["9月", "2025年10月"], "periods_mixed"),
    (["2025", "1"], "periods_mixed"),
    ([202509, 2025], "periods_mixed"),
    (["13/9/2025", "9/13/2025"], "periods_mixed"),  # day-first and month-first in one column
    (["2025-W07", "W8"], "periods_mixed"),
    (["3/9/2025", "4/9/2025"], "periods_day_ambiguous"),
    (["31/2/2025", "1/2/2025"], "periods_unknown"),
    (["2025年13月"], "periods_unknown"),
    (["2025-W53"], "periods_unknown"),  # 2025 has 52 ISO weeks
    (["2025 9", "2025 10"], "periods_unknown"),  # never read as the numbers 20259, 202510
    (["上半年", "下半年"], "periods_unknown"),
    (["2025-09-03 14:05:22"], "periods_unknown"),  # 问卷星/Google Forms submit times: convert first
    (["不知道", "2025-09"], "periods_unknown"),
    ([True, False], "periods_unknown"),
    ([1.5, 2.5], "periods_unknown"),
    (["2025.09", "2025.1", "2025.11"], "periods_decimal"),  # Excel's 2025.10 as a number
    ([2025.09, 2025.1, 2025.11], "periods_decimal"),
    (["2025-09", None], "periods_missing"),
    (["2025-09", "  "], "periods_missing"),
    (pd.Series(["2025-09", np.nan, pd.NA]), "periods_missing"),
])
def test_labels_that_cannot_be_ordered_raise(labels, code):
    with pytest.raises(KitError) as error:
        period_key(labels)
    assert error.value.code == code
    assert error.value.render("zh") and error.value.render("en")


def test_errors_name_the_labels_and_the_column():
    with pytest.raises(KitError) as error:
        period_key(pd.Series(["2025-09", "2025Q4", "2025-10"], name="期间"))
    message = error.value.render("zh")
    assert "2025-09, 2025Q4" in message and "列“期间”" in message
    with pytest.raises(KitError) as error:
        period_key(["1月", "2月", "12月"])
    assert "1月, 2月, 12月" in error.value.render("en") and "year" in error.value.render("en")
    with pytest.raises(KitError) as error:
        period_key(["2025-09", None, None])
    assert "2 row(s)" in error.value.render("en")
