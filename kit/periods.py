"""Period labels that sort as time, not as text.

As text, "2025年12月" sorts before "2025年9月" and "第10周" before "第2周". :func:`period_key` gives each label
an integer key that sorts in time order, for the spellings survey platforms and Excel produce. A label the
kit cannot place in time, or a series that mixes units, raises a :class:`kit.errors.KitError`: it never
falls back to text order.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from numbers import Number

import numpy as np
import pandas as pd

from kit.errors import KitError
from kit.scores import EXAMPLES, fold_answer

EPOCH = date(1970, 1, 1)
"""Keys count periods from here (as :attr:`pandas.Period.ordinal` does), so pandas Periods and text agree."""
YEARS = (1900, 2100)
"""Plain numbers are read as years (2024), months (202509) or days (20250903) only within these years."""
MONTHS = {name: i for i, full in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"), 1) for name in (full, full[:3])} | {"sept": 9}
CHINESE = {c: i for i, c in enumerate("一二三四五六七八九十", 1)} | {"十一": 11, "十二": 12, "上": 1, "下": 2}
"""Chinese numerals of months and quarters, and 上/下半年 (first/second half)."""
FREQS = {"M": "month", "Q-DEC": "quarter", "Y-DEC": "year", "A-DEC": "year", "D": "day", "W-SUN": "week"}
CYCLES = {"month_of_year": 12, "quarter_of_year": 4}

_CN = "[一二三四五六七八九十]{1,2}"
_MON = r"(?P<mon>[a-z]{3,9})\.?"
_MIDNIGHT = r"(?:[ t]00:00(?::00)?)?"
PATTERNS = [(kind, re.compile(regex)) for kind, regex in (
    ("digits", r"(?P<digits>\d+)"),
    ("day", rf"(?P<y>\d{{4}}) ?(?P<s>[-/.]) ?(?P<m>\d{{1,2}}) ?(?P=s) ?(?P<d>\d{{1,2}}){_MIDNIGHT}"),
    ("day", r"(?P<y>\d{4}) ?年 ?(?P<m>\d{1,2}) ?月 ?(?P<d>\d{1,2}) ?[日号]?"),
    ("dmy", rf"(?P<a>\d{{1,2}}) ?(?P<s>[-/.]) ?(?P<b>\d{{1,2}}) ?(?P=s) ?(?P<y>\d{{4}}){_MIDNIGHT}"),
    ("dotted", r"(?P<y>\d{4}) ?\. ?(?P<mm>\d{1,2})"),
    ("month", r"(?P<y>\d{4}) ?[-/] ?(?P<m>\d{1,2})"),
    ("month", r"(?P<m>\d{1,2}) ?[-/.] ?(?P<y>\d{4})"),
    ("month", rf"(?P<y>\d{{4}}) ?年 ?(?P<m>\d{{1,2}}|{_CN}) ?月份?"),
    ("month", rf"{_MON} ?[-/,]? ?(?P<y>\d{{4}})"),
    ("month", rf"{_MON} ?[-'/] ?(?P<yy>\d{{2}})"),
    ("month", rf"(?P<y>\d{{4}}) ?[-/,]? ?{_MON}"),
    ("month_of_year", rf"(?P<m>\d{{1,2}}|{_CN}) ?月份?"),
    ("month_of_year", _MON),
    ("quarter", r"(?P<y>\d{4}) ?(?:年 ?)?[-/]? ?q(?P<q>[1-4])"),
    ("quarter", r"q(?P<q>[1-4]) ?[-/]? ?(?P<y>\d{4})"),
    ("quarter", r"(?P<y>\d{4}) ?年 ?(?:第 ?)?(?P<q>[1-4一二三四]) ?季度?"),
    ("quarter_of_year", r"q(?P<q>[1-4])"),
    ("quarter_of_year", r"(?:第 ?)?(?P<q>[1-4一二三四]) ?季度?"),
    ("half", r"(?P<y>\d{4}) ?(?:年 ?)?[-/]? ?h(?P<h>[12])"),
    ("half", r"h(?P<h>[12]) ?[-/]? ?(?P<y>\d{4})"),
    ("half", r"(?P<y>\d{4}) ?年 ?(?P<h>[上下]) ?半年度?"),
    ("week", r"(?P<y>\d{4}) ?-? ?w(?P<w>\d{1,2})"),
    ("week", r"(?P<y>\d{4}) ?年 ?第 ?(?P<w>\d{1,2}) ?[周週]"),
    ("week_span", r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2}) ?/ ?(?P<y2>\d{4})-(?P<m2>\d{2})-(?P<d2>\d{2})"),
    ("year", r"(?P<y>\d{4}) ?年度?"),
    ("number", r"第 ?(?P<n>\d+) ?[期轮次波周週]"),
    ("number", r"(?:wave|round|week|wk|w) ?(?P<n>\d+)"),
)]
"""(kind, pattern) tried in order on the folded label; the first full match whose fields are valid wins."""


def period_key(labels) -> pd.Series:
    """Integer keys that sort ``labels`` (a Series, Index or list) in time order, aligned with the input.

    Recognised, after folding full-width characters, case and spaces:

    - pandas Periods (key = :attr:`~pandas.Period.ordinal`), Timestamps, datetimes and dates (days when all
      are at midnight, else instants);
    - days: 2025-09-03, 2025/9/3, 2025.9.3, 2025年9月3日, 20250903, and 3/9/2025 or 9/3/2025 only when the
      data show which number is the day (some value above 12), else ``periods_day_ambiguous``;
    - months: 2025-09, 2025-9, 2025/9, 2025.09, 202509, 2025年9月, 2025年09月, 2025年九月, Sep 2025, Sept. 2025,
      September 2025, Sep-25 (years 20xx), 2025 Sep;
    - quarters: 2025Q3, 2025 Q3, 2025-Q3, Q3 2024, Q3-2024, 2024年第3季度, 2024年三季度, 2024 年 Q3;
    - half-years: 2024H1, H1 2024, 2024年上半年, 2024年下半年; years: 2024, 2024年, 2024年度;
    - ISO weeks (Monday–Sunday): 2025-W07, 2025年第7周, 2025-02-10/2025-02-16 (a pandas weekly Period as text);
    - without a year: 9月, 九月, Sep, September, Q3, 第三季度 — read as one calendar year, so they raise
      ``periods_no_year`` when the largest gap between them falls inside the year rather than across New
      Year (12月 with 1月, or 11月, 12月, 2月: they may span two years);
    - numbers: 1, 2, 10 (sorted as numbers), 第3期, 第3周, Wave 3, Week 3, W3.

    Spellings may differ within a series but the unit may not (2025-09 with 2025年10月 is fine, 2025-09 with
    2025Q3 raises ``periods_mixed``). Consecutive periods of a calendar unit get consecutive keys, so a
    difference above 1 is a gap, and two spellings of one period get the same key. Empty labels raise
    ``periods_missing``, unrecognised ones ``periods_unknown``, and year.month labels that look like
    decimals read from Excel (2025.1 beside 2025.11, or the numbers 2025.09) ``periods_decimal``.

    >>> labels = pd.Series(["2025年12月", "2025年9月", "2026年1月", "2025年10月"])
    >>> labels.iloc[period_key(labels).argsort()].tolist()
    ['2025年9月', '2025年10月', '2025年12月', '2026年1月']
    >>> period_key(["2025Q4", "Q1 2026", "2026年第二季度"]).tolist()
    [223, 224, 225]
    """
    series = labels if isinstance(labels, pd.Series) else pd.Series(labels)
    column = None if series.name is None else str(series.name)
    position, distinct = pd.factorize(series, use_na_sentinel=True)
    distinct = pd.Series(distinct, dtype=object)
    text = fold_answer(distinct.where(distinct.map(lambda v: isinstance(v, str)))).str.replace(
        r"[–−]", "-", regex=True)
    blank = text.eq("").to_numpy(dtype=bool, na_value=False)
    n_blank = int((position == -1).sum() + np.isin(position, np.flatnonzero(blank)).sum())
    if n_blank:
        raise KitError("periods_missing", column=column, count=n_blank)
    shown = distinct.astype(str).tolist()
    parsed = [_parse(value, folded) for value, folded in zip(distinct, text, strict=True)]
    unknown = [label for label, p in zip(shown, parsed, strict=True) if p is None]
    if unknown:
        raise KitError("periods_unknown", column=column, count=len(unknown), examples=_examples(unknown))
    kinds: dict[str, list[int]] = {}
    for i, (kind, _) in enumerate(parsed):
        kinds.setdefault(kind, []).append(i)
    keys = np.zeros(len(parsed), dtype=np.int64)
    units: dict[str, list[int]] = {}
    for kind, rows in kinds.items():
        fields, resolve = [parsed[i][1] for i in rows], RESOLVE.get(kind)
        unit, keys[rows] = resolve(fields, [shown[i] for i in rows], column) if resolve else (kind, fields)
        units.setdefault(unit, []).extend(rows)
    if len(units) > 1:
        raise KitError("periods_mixed", column=column, examples=_examples([shown[r[0]] for r in units.values()]))
    cycle = CYCLES.get(next(iter(units), ""))
    if cycle:
        _check_one_year(keys, cycle, _examples(shown), column)
    return pd.Series(keys[position], index=series.index, name=series.name)


def _examples(labels: list[str]) -> str:
    return ", ".join(labels[:EXAMPLES])


def _parse(value, text) -> tuple[str, object] | None:
    """(kind, key) for one distinct label, or (kind, fields) for the kinds resolved over the whole series;
    None when it is not a period."""
    if isinstance(value, str):
        return next((found for kind, pattern in PATTERNS
                     if (match := pattern.fullmatch(text)) and (found := _fields(kind, match.groupdict()))),
                    None)
    if isinstance(value, pd.Period):
        return FREQS.get(value.freqstr, f"period[{value.freqstr}]"), value.ordinal
    if isinstance(value, datetime | date | np.datetime64):
        return "datetime", pd.Timestamp(value)
    if isinstance(value, Number) and not isinstance(value, bool) and math.isfinite(value) and value >= 0:
        if value == int(value):
            return "digits", str(int(value))
        return ("decimal", value) if YEARS[0] <= value < YEARS[1] + 1 else None
    return None


def _number(text: str) -> int:
    return int(text) if text.isdigit() else CHINESE.get(text, 0)


def _fields(kind: str, groups: dict) -> tuple[str, object] | None:
    """The key (or, for series-level kinds, the fields) of a matched label; None when a field is invalid."""
    if kind == "digits":
        return kind, groups["digits"]
    if kind == "dmy":
        return kind, (int(groups["a"]), int(groups["b"]), int(groups["y"]))
    if kind == "dotted":
        return (kind, (int(groups["y"]), groups["mm"])) if 1 <= int(groups["mm"]) <= 12 else None
    f = {k: _number(v) for k, v in groups.items() if v is not None and k not in ("mon", "s", "yy")}
    if groups.get("mon"):
        f["m"] = MONTHS.get(groups["mon"], 0)
    if groups.get("yy"):
        f["y"] = 2000 + int(groups["yy"])
    year = f.get("y", EPOCH.year) - EPOCH.year
    if "m" in f and not 1 <= f["m"] <= 12:
        return None
    if kind == "week_span":  # a pandas weekly Period as text: Monday/Sunday
        start, end = _day(f["y"], f["m"], f["d"]), _day(f["y2"], f["m2"], f["d2"])
        if start is None or end != start + 6 or (EPOCH.weekday() + start) % 7:
            return None
        return "week", _week(*date(f["y"], f["m"], f["d"]).isocalendar()[:2])
    key = {
        "day": lambda: _day(f["y"], f["m"], f["d"]),
        "month": lambda: year * 12 + f["m"] - 1,
        "month_of_year": lambda: f["m"],
        "quarter": lambda: year * 4 + f["q"] - 1,
        "quarter_of_year": lambda: f["q"],
        "half": lambda: year * 2 + f["h"] - 1,
        "week": lambda: _week(f["y"], f["w"]),
        "year": lambda: year,
        "number": lambda: f["n"],
    }[kind]()
    return None if key is None else (kind, key)


def _day(year: int, month: int, day: int) -> int | None:
    """Days since 1970-01-01 (the pandas daily ordinal), or None for a date that does not exist."""
    try:
        return (date(year, month, day) - EPOCH).days
    except ValueError:
        return None


def _week(year: int, week: int) -> int | None:
    """The pandas weekly ordinal (weeks Monday–Sunday) of ISO week ``week`` of ``year``, or None."""
    try:
        return pd.Period(date.fromisocalendar(year, week, 1), freq="W-SUN").ordinal
    except ValueError:
        return None


def _digits(texts: list[str], labels: list[str], column) -> tuple[str, list[int]]:
    """Plain numbers: all years (2024), all months (202509), all days (20250903), or all small numbers."""
    values = [int(t) for t in texts]

    def dated(length: int) -> bool:
        return all(len(t) == length and YEARS[0] <= int(t[:4]) <= YEARS[1] for t in texts)

    if dated(4):
        return "year", [v - EPOCH.year for v in values]
    if dated(6) and all(1 <= v % 100 <= 12 for v in values):
        return "month", [(v // 100 - EPOCH.year) * 12 + v % 100 - 1 for v in values]
    days = [_day(v // 10000, v // 100 % 100, v % 100) for v in values] if dated(8) else [None]
    if None not in days:
        return "day", days
    if max(values) < YEARS[0]:
        return "number", values
    if len({len(t) for t in texts}) > 1:
        raise KitError("periods_mixed", column=column, examples=_examples(labels))
    raise KitError("periods_unknown", column=column, count=len(labels), examples=_examples(labels))


def _dmy(fields: list[tuple[int, int, int]], labels: list[str], column) -> tuple[str, list[int]]:
    """Year-last dates: day/month or month/day, whichever fits every label; if both fit (and differ), it is
    ambiguous; if neither does, some labels are not dates or the series mixes the two orders."""
    day_first = [_day(y, b, a) for a, b, y in fields]
    month_first = [_day(y, a, b) for a, b, y in fields]
    if None not in day_first and (None in month_first or day_first == month_first):
        return "day", day_first
    if None not in month_first and None in day_first:
        return "day", month_first
    if None not in day_first:
        raise KitError("periods_day_ambiguous", column=column, examples=_examples(labels))
    wrong = [label for label, d, m in zip(labels, day_first, month_first, strict=True) if d is None and m is None]
    if wrong:
        raise KitError("periods_unknown", column=column, count=len(wrong), examples=_examples(wrong))
    raise KitError("periods_mixed", column=column, examples=_examples(labels))


def _dotted(fields: list[tuple[int, str]], labels: list[str], column) -> tuple[str, list[int]]:
    """2025.09-style months; 2025.1 beside two-digit months is what Excel makes of the number 2025.10."""
    if {m for _, m in fields if len(m) == 1} == {"1"} and any(len(m) == 2 for _, m in fields):
        raise KitError("periods_decimal", column=column, examples=_examples(labels))
    return "month", [(y - EPOCH.year) * 12 + int(m) - 1 for y, m in fields]


def _datetimes(stamps: list[pd.Timestamp], labels: list[str], column) -> tuple[str, list[int]]:
    """Dates and times: days when every one is at midnight (wall clock), else instants in nanoseconds."""
    local = [s.tz_localize(None) if s.tz else s for s in stamps]
    if all(s == s.normalize() for s in local):
        return "day", [s.to_period("D").ordinal for s in local]
    return "instant", [s.value for s in stamps]


def _decimals(values: list[float], labels: list[str], column):
    """Numbers like 2025.09: year.month read as a decimal, where 2025.1 may have been 2025.10."""
    raise KitError("periods_decimal", column=column, examples=_examples(labels))


RESOLVE = {"digits": _digits, "dmy": _dmy, "dotted": _dotted, "datetime": _datetimes, "decimal": _decimals}
"""Kinds whose reading depends on the whole series: (fields, labels, column) → (unit, keys)."""


def _check_one_year(keys: np.ndarray, cycle: int, examples: str, column) -> None:
    """Months or quarters without a year sort within one calendar year, unless they may cross New Year:
    the largest gap between them (going round the year) must be the one from the last back to the first."""
    present = np.unique(keys)
    if len(present) > 1 and np.diff(present).max() > cycle - present[-1] + present[0]:
        raise KitError("periods_no_year", column=column, examples=examples)
