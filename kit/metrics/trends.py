"""Early warning over time: [000]'s rule (down more than 10 % in two consecutive periods) and a statistical
alert (a significant fall from the previous period, given both periods' sampling error)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kit.errors import KitError
from kit.periods import period_key
from kit.stats import check_confidence

from .arguments import check_positive, check_share, check_whole
from .estimates import METRICS, WEIGHTED, z_test
from .segments import _result_columns, _tally_by, metric_name

ALPHA = 0.05
"""Two-sided level of the statistical alert: a fall with p < 0.05 from one period to the next."""


def trend_alert(values_by_period, drop: float = 0.10, periods: int = 2, *, relative: bool = True,
                higher_is_better: bool = True, period: str = "period", value: str | None = None,
                by=None) -> pd.DataFrame:
    """Early-warning rule of [000]: satisfaction down by more than 10 % in two consecutive periods.

    For each period, change = (v_t − v_{t−1}) / |v_{t−1}| (``relative=True``) or v_t − v_{t−1} in the
    metric's own units, e.g. NPS points (``relative=False``). A period *falls* when change < −``drop``
    (or, with ``higher_is_better=False`` for CES or complaint rates, rises when change > ``drop``);
    ``run`` counts consecutive falls and ``alert`` is True from the period that completes ``periods``
    consecutive falls onwards, for as long as the run lasts. Defaults = [000]'s rule (预警: "连续两期下降10%以上").

    Negative or zero values: a relative change of a metric that can be ≤ 0 (NPS) is ill-defined. The base
    is |v_{t−1}|, so the sign of the change always follows the direction of movement (−10 → −20 is a
    −100 % change, a fall); a previous value of exactly 0 gives a NaN change and never counts as a fall,
    and a missing value breaks the run. For NPS prefer ``relative=False`` with ``drop`` in points.

    Input: a Series indexed by period (a MultiIndex's outer levels act as ``by``), or a DataFrame with a
    ``period`` column and a ``value`` column (default: the column called "value", else the only numeric
    column besides ``period`` and ``by``); ``by`` names the column(s) of separate series, e.g. ``"team"``.
    Rows are sorted by period as time, not as text (:func:`kit.periods.period_key`: 2025年9月 before
    2025年12月, Sep before Dec, Q3 2024 before Q1 2025; labels it cannot order raise a kit error, never a
    silent text sort); a period repeated within a series, in any spelling, raises a kit error. Output: one row per period with ``by``…, ``period``, ``value``,
    ``previous``, ``change``, ``falling``, ``run`` and ``alert``.

    >>> s = pd.Series([4.6, 4.1, 3.6, 3.5, 3.0], index=["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1"])
    >>> out = trend_alert(s)
    >>> out.loc[out.alert, "period"].tolist()
    ['2025Q3']
    >>> out["change"].round(3).tolist()
    [nan, -0.109, -0.122, -0.028, -0.143]
    """
    drop = check_positive("drop", drop, 0, inclusive=True)
    periods = check_whole("periods", periods, 1, math.inf)
    if isinstance(values_by_period, pd.Series):
        series = values_by_period
        levels = [n if n is not None else (period if i == series.index.nlevels - 1 else f"level_{i}")
                  for i, n in enumerate(series.index.names)]
        value = "value" if series.name is None or series.name in levels else series.name
        frame = series.rename(value).rename_axis(levels).reset_index()
        period, keys = levels[-1], levels[:-1]
    else:
        frame = pd.DataFrame(values_by_period)
        keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
        missing = [c for c in [*keys, period] if c not in frame.columns]
        if missing:
            raise KitError("metrics_missing_columns", missing=", ".join(map(str, missing)),
                           available=", ".join(map(str, frame.columns)))
        if value is None:
            others = [c for c in frame.columns if c not in (*keys, period)]
            numeric = [c for c in others if pd.api.types.is_numeric_dtype(frame[c])]
            if "value" in others:
                value = "value"
            elif len(numeric) == 1:
                value = numeric[0]
            else:
                candidates = ", ".join(map(str, numeric or others)) or "—"
                raise KitError("metrics_trend_value", candidates=candidates)
        elif value not in frame.columns:
            raise KitError("metrics_missing_columns", missing=str(value),
                           available=", ".join(map(str, frame.columns)))
    frame = frame[[*keys, period, value]]
    when = frame.groupby(keys, sort=False)[period].transform(period_key) if keys else period_key(frame[period])
    frame = (frame.assign(_when=when.to_numpy()).sort_values([*keys, "_when"], kind="stable")
             .reset_index(drop=True))
    repeated = frame.duplicated([*keys, "_when"], keep=False)
    if repeated.any():
        examples = frame.loc[repeated, [*keys, period]].drop_duplicates().astype(str).agg(" ".join, axis=1)
        raise KitError("metrics_duplicate_periods", count=len(examples), examples=", ".join(examples[:5]))

    values = pd.to_numeric(frame[value]).astype(float)
    previous = values.groupby([frame[k] for k in keys], sort=False).shift(1) if keys else values.shift(1)
    if relative:
        base = previous.abs().where(previous != 0)
        change = (values - previous) / base
    else:
        change = values - previous
    falling = (change < -drop) if higher_is_better else (change > drop)
    falling = falling.fillna(False).astype(bool)
    run = falling.astype(int).groupby((~falling).cumsum()).cumsum()
    out = frame[keys].copy()
    out["period"] = frame[period].to_numpy()
    out["value"] = values.to_numpy()
    out["previous"] = previous.to_numpy()
    out["change"] = change.to_numpy()
    out["falling"] = falling.to_numpy()
    out["run"] = run.to_numpy()
    out["alert"] = run.to_numpy() >= periods
    return out


def _rows(table: dict, index) -> dict:
    """The rows ``index`` of every field of a metric table (pairs stay pairs)."""
    return {k: tuple(np.asarray(x)[index] for x in v) if isinstance(v, tuple) else np.asarray(v)[index]
            for k, v in table.items()}


def period_trend(df: pd.DataFrame, metric: str = "nps", *, x: str = "submitted_at", freq: str = "M",
                 drop: float = 0.10, relative: bool = True, periods: int = 2, min_n: int = 30,
                 ci: float = 0.95, score_column: str | None = None, weights=None, dont_know=(),
                 alpha: float = ALPHA) -> pd.DataFrame:
    """``metric`` (nps, csat or ces) per calendar period of the timestamp column ``x`` (``freq`` "M" months,
    "Q" quarters, "W" weeks), with n and interval as in :func:`kit.metrics.by_segment`, and two alerts.

    ``alert`` — the statistical alert the reports use: the period's value moved in the bad direction from
    the previous period's (a fall; for CES a rise) with a two-sided z-test p < ``alpha``, the difference
    and its se from both periods' sampling error (``vs_previous``, ``p_value``; the same comparison as
    :func:`kit.metrics.nps_diff` for NPS, Agresti–Caffo for the CSAT share, Welch's normal approximation
    for a mean). With a steady true score it fires in about 2.5 % of periods (one tail of 5 %).

    ``rule_alert`` — [000]'s early-warning rule as taught, from :func:`trend_alert`: a fall of more than
    ``drop`` (10 %) in ``periods`` (2) consecutive periods (``change`` is the rule's change). An NPS's
    relative change is undefined near 0 and flips sign below it: ``relative=False`` with ``drop`` in
    points applies the rule to NPS points instead. Periods with fewer than ``min_n`` answers are suppressed
    (value NaN), which breaks a run and is never compared. Rows without a timestamp are left out and counted
    in ``attrs["n_undated"]``. ``weights``: survey weights (a column name or one value per row);
    ``dont_know``: numeric "don't know" codes (e.g. 99), counted per period in ``n_dont_know``, as in
    :func:`kit.metrics.by_segment`.

    >>> survey = pd.DataFrame({"submitted_at": pd.to_datetime(["2025-01-05"] * 40 + ["2025-02-05"] * 40),
    ...                        "nps": [10, 9, 8, 7] * 10 + [10, 6, 3, 2] * 10})
    >>> period_trend(survey)[["period", "value", "vs_previous", "alert", "rule_alert"]].round(1)
        period  value  vs_previous  alert  rule_alert
    0  2025-01   50.0          NaN  False       False
    1  2025-02  -50.0        -93.0   True       False
    """
    name = metric_name(metric)
    spec = METRICS[name]
    check_confidence(ci)
    min_n = check_whole("min_n", min_n, 0, math.inf)
    if x not in df.columns:
        raise KitError("metrics_missing_columns", missing=str(x), available=", ".join(map(str, df.columns)))
    stamps = pd.Series(df[x])
    if not pd.api.types.is_datetime64_any_dtype(stamps):
        stamps = pd.to_datetime(stamps, errors="coerce")
    codes, distinct = pd.factorize(stamps.dt.to_period(freq))  # each period spelt once, not once per row
    labels = pd.Series(distinct.astype("string").take(codes, allow_fill=True), index=stamps.index)
    dated = labels.notna().to_numpy()
    if weights is not None and not isinstance(weights, str):
        weights = np.asarray(weights)[dated]
    grouped = _tally_by(df.loc[dated].assign(period=labels[dated]), name, ["period"], score_column or name,
                       weights, dont_know=dont_know)
    table = spec.table(grouped.tally, ci)
    shown = table["n"] >= min_n
    now, before = np.arange(1, len(shown)), np.arange(len(shown) - 1)
    change, se = spec.difference(_rows(table, now), _rows(table, before))
    compared = shown[now] & shown[before]
    vs_previous = np.concatenate([[np.nan], np.where(compared, change, np.nan)])
    _, p_value = z_test(vs_previous, np.concatenate([[np.nan], se]))
    higher_is_better = name != "ces"
    worse = vs_previous < 0 if higher_is_better else vs_previous > 0
    out = pd.concat([grouped.keys, pd.DataFrame(_result_columns(spec, table, grouped))],
                    axis=1)
    estimates = [c for c in out.columns if c not in ("period", "n", "n_missing", "n_dropped", "n_dont_know")]
    out.loc[~shown, estimates] = np.nan
    out["flag"] = np.where(shown, "", "small")
    rule = trend_alert(out.set_index("period")["value"], drop=drop, periods=periods, relative=relative,
                       higher_is_better=higher_is_better)
    out["vs_previous"], out["p_value"] = vs_previous, p_value
    out["alert"] = worse & (p_value < check_share("alpha", alpha))
    out["change"], out["rule_alert"] = rule["change"].to_numpy(), rule["alert"].to_numpy(dtype=bool)
    out.attrs.update(method=spec.method + ("" if weights is None else WEIGHTED), n_undated=int((~dated).sum()))
    return out
