"""NPS, CSAT or CES per segment, vectorised, with a test of each segment against the rest of the sample."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kit.errors import KitError
from kit.scores import clean_scores
from kit.stats import check_confidence, holm
from kit.weights import check as check_weights

from .arguments import check_whole
from .estimates import METRICS, WEIGHTED, Tally, ces, csat, nps, z_test

ALPHA = 0.05
"""Significance level of the segment tests, after Holm's correction."""


def metric_name(metric) -> str:
    """``"nps"``, ``"csat"`` or ``"ces"`` from a name (any case) or the metric function itself.

    >>> metric_name(nps), metric_name("CES")
    ('nps', 'ces')
    """
    functions = {nps: "nps", csat: "csat", ces: "ces"}
    if callable(metric) and metric in functions:
        return functions[metric]
    if isinstance(metric, str) and metric.lower() in METRICS:
        return metric.lower()
    raise KitError("metrics_unknown_metric", metric=getattr(metric, "__name__", metric),
                   choices=", ".join(METRICS))


def _group_codes(df: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group code of every row (0…G−1, groups in key order) and the G observed key combinations.

    Categorical keys keep their category order; other keys are sorted; a missing key is its own group."""
    codes, levels = [], []
    for key in keys:
        column = df[key]
        if isinstance(column.dtype, pd.CategoricalDtype):
            code = column.cat.codes.to_numpy().astype(np.int64)
            level = column.cat.categories
            if (code < 0).any():
                code = np.where(code < 0, len(level), code)
                level = level.append(pd.Index([np.nan]))
        else:
            code, level = pd.factorize(column, sort=True, use_na_sentinel=False)
            code = code.astype(np.int64)
        codes.append(code)
        levels.append(pd.Index(level))
    sizes = tuple(max(len(level), 1) for level in levels)
    combined = codes[0] if len(codes) == 1 else np.ravel_multi_index(codes, sizes)
    total = math.prod(sizes)
    if len(codes) == 1 and len(df) and np.bincount(combined, minlength=total).all():
        group, present = combined, np.arange(total)  # every level observed: the codes are the groups
    elif total <= max(4 * len(df), 1 << 16):
        present = np.flatnonzero(np.bincount(combined, minlength=total))
        lookup = np.full(total, -1, dtype=np.int64)
        lookup[present] = np.arange(len(present))
        group = lookup[combined]
    else:
        present, group = np.unique(combined, return_inverse=True)
    positions = np.unravel_index(present, sizes)
    keys_frame = pd.DataFrame({key: level.take(pos) for key, level, pos in zip(keys, levels, positions,
                                                                               strict=True)})
    return group.astype(np.int64, copy=False), keys_frame


MISSING, DROPPED, DONT_KNOW = -1, -2, -3
"""Row codes of the answers that are not scores: blank, off the scale (dropped), or an explicit "don't know"."""


def _aligned_scores(column: pd.Series, low: int, high: int, name: str, errors: str, dont_know=()):
    """Row-aligned score codes (score − low, or :data:`MISSING`, :data:`DROPPED`, :data:`DONT_KNOW`) and
    whether every row is valid.

    Validation, the error or warning and the row masks come from :func:`kit.scores.clean_scores`, so the
    scores can be counted per group. An integer column (nullable or not) already on the scale skips the
    cleaning (only blanks can be missing, nothing is off the scale), unless numeric don't-know codes are
    declared."""
    declared = not (np.ndim(dont_know) > 0 and len(dont_know) == 0)
    if pd.api.types.is_integer_dtype(column.dtype) and not declared:
        raw = column.to_numpy(dtype=np.int64, na_value=low)
        if len(raw) == 0 or (raw.min() >= low and raw.max() <= high):
            missing = column.isna().to_numpy()
            codes = raw - low  # a new array: raw may be the column's own memory
            codes[missing] = MISSING
            return codes, not missing.any()
    clean = clean_scores(column, low, high, name=name, errors=errors, dont_know=dont_know)
    codes = np.select([clean.missing, clean.dont_know], [MISSING, DONT_KNOW], DROPPED)
    codes[clean.valid] = clean.values.astype(np.int64) - low
    return codes, bool(clean.valid.all())


@dataclass(frozen=True)
class Grouped:
    """A metric's scores tallied per group: the groups' keys, the tally, and per group the missing and
    dropped answers."""

    keys: pd.DataFrame
    tally: Tally
    n_missing: np.ndarray
    n_dropped: np.ndarray
    n_dont_know: np.ndarray


def _tally_by(df: pd.DataFrame, name: str, keys: list[str], column, weights=None, *, errors: str = "raise",
              dont_know=(), **options) -> Grouped:
    """Tally the scores in ``column`` per combination of ``keys`` (one ``np.bincount`` per sum), with
    survey ``weights`` (a column name or one value per row) when given."""
    low, high = METRICS[name].scale(**options)
    missing_columns = [c for c in [*keys, column] if c not in df.columns]
    if isinstance(weights, str) and weights not in df.columns:
        missing_columns.append(weights)
    if missing_columns:
        raise KitError("metrics_missing_columns", missing=", ".join(map(str, missing_columns)),
                       available=", ".join(map(str, df.columns)))
    w = None
    if weights is not None:
        w = check_weights(df[weights] if isinstance(weights, str) else weights, len(df),
                          name=weights if isinstance(weights, str) else "weights")
    group, keys_frame = _group_codes(df, keys)
    scores, complete = _aligned_scores(df[column], low, high, name=str(column), errors=errors, dont_know=dont_know)
    n_groups, width = len(keys_frame), high - low + 1
    if complete:
        cells = group * width
        cells += scores
        n_missing = n_dropped = n_dont_know = np.zeros(n_groups, dtype=np.int64)
    else:
        valid = scores >= 0
        cells = group[valid] * width + scores[valid]
        w = None if w is None else w[valid]
        n_missing, n_dropped, n_dont_know = (np.bincount(group[scores == code], minlength=n_groups)
                                             for code in (MISSING, DROPPED, DONT_KNOW))
    tally = Tally.of(cells, n_groups * width, w).reshape(n_groups, width)
    return Grouped(keys_frame, tally, n_missing, n_dropped, n_dont_know)


def _result_columns(spec, table: dict, grouped: Grouped) -> dict:
    """The columns of a per-group table: ``n``, ``n_missing``, then the metric's result fields in order (a
    pair ``ci`` as ``ci_low``/``ci_high``; the interval's method goes to the frame's ``attrs``)."""
    columns = {"n": table["n"], "n_missing": grouped.n_missing}
    for f in dataclasses.fields(spec.result):
        value = table.get(f.name)
        if isinstance(value, tuple):
            columns[f"{f.name}_low"], columns[f"{f.name}_high"] = value
        elif f.name in ("n_dropped", "n_dont_know"):
            columns[f.name] = getattr(grouped, f.name)
        elif value is not None and f.name not in columns:
            columns[f.name] = value
    return columns


def by_segment(df: pd.DataFrame, metric, by, min_n: int = 30, ci: float = 0.95,
               score_column: str | None = None, *, errors: str = "raise", suppress: bool = True,
               weights=None, dont_know=(), **metric_kwargs) -> pd.DataFrame:
    """NPS, CSAT or CES per segment, vectorised: one row per segment with n, value, interval, a test
    against the rest of the sample and a flag.

    ``metric`` is ``"nps"``, ``"csat"``, ``"ces"`` or the function itself; the scores are read from
    ``score_column`` (default: the metric's name, as in the survey table). ``by`` is a column name or a
    list of them; categorical columns keep their category order (unobserved categories are left out),
    other columns are sorted, and a missing segment value forms its own row. ``metric_kwargs`` go to the
    metric (``scale``, ``top_box``, ``low_effort_max``). ``weights``: survey weights, a column name or one
    value per row (then every estimate is weighted as in :func:`kit.metrics.nps`: ``n_eff`` is Kish's
    effective n, ``n_ci`` the effective n of the interval and of the test). ``dont_know``: numeric codes
    that mean "don't know" (e.g. 99), as in :func:`kit.scores.clean_scores`; text such as 不知道 or N/A
    always does.

    The columns are the segment key(s), ``n``, ``n_missing`` (missing scores in that segment), the metric's
    fields as in its result's ``to_dict()`` (``value``, ``ci_low``, ``ci_high``, …), then the test of the
    segment against all the other answers: ``vs_rest`` (value − value of the rest, on the adjusted
    estimates of :func:`kit.metrics.nps_diff` for NPS, Agresti–Caffo for the CSAT share, Welch's normal
    approximation for means), ``p_value`` (two-sided z test), ``p_adjusted`` (Holm 1979, external, over the
    segments tested) and ``differs``: ``"higher"`` or ``"lower"`` where p_adjusted < 0.05, else ``""``.
    Overlapping intervals are not a test; this is.

    Small segments (honest statistics): when n < ``min_n`` (default 30) the row's ``flag`` is ``"small"``
    and, by default, its estimates and test are suppressed, i.e. set to NaN, and it is left out of the
    Holm family (as is a segment whose rest has fewer than ``min_n`` answers); n and n_missing stay
    visible so the reader sees why. ``suppress=False`` keeps the estimates (and tests) and only flags the
    row. Other rows have an empty flag ``""``.

    >>> survey = pd.DataFrame({"segment": ["B2B"] * 40 + ["B2C"] * 5, "nps": [10, 9, 7, 3] * 10 + [9] * 5})
    >>> by_segment(survey, "nps", "segment")[["segment", "flag", "n", "value", "ci_low", "ci_high"]].round(2)
      segment   flag   n  value  ci_low  ci_high
    0     B2B         40   25.0   -1.36    47.88
    1     B2C  small   5    NaN     NaN      NaN
    """
    name = metric_name(metric)
    spec = METRICS[name]
    keys = [by] if isinstance(by, str) else list(by)
    min_n = check_whole("min_n", min_n, 0, math.inf)
    check_confidence(ci)
    grouped = _tally_by(df, name, keys, score_column or name, weights, errors=errors, dont_know=dont_know,
                        **metric_kwargs)
    table = spec.table(grouped.tally, ci, **metric_kwargs)
    rest = spec.table(grouped.tally.rest(), ci, **metric_kwargs)
    small = table["n"] < min_n
    vs_rest, se = spec.difference(table, rest)
    tested = ~small if suppress else np.ones(len(small), dtype=bool)
    tested &= rest["n"] >= max(min_n, 1)
    z, p_value = z_test(vs_rest, se)
    p_value = np.where(tested, p_value, np.nan)
    p_adjusted = holm(p_value)

    columns = _result_columns(spec, table, grouped)
    columns.update(vs_rest=np.where(tested, vs_rest, np.nan), p_value=p_value, p_adjusted=p_adjusted)
    out = pd.concat([grouped.keys, pd.DataFrame(columns)], axis=1)
    if suppress and small.any():
        estimates = [c for c in columns if c not in ("n", "n_missing", "n_dropped", "n_dont_know")]
        out.loc[small, estimates] = np.nan
    significant = p_adjusted < ALPHA
    out["differs"] = np.select([significant & (vs_rest > 0), significant & (vs_rest < 0)], ["higher", "lower"], "")
    out["flag"] = np.where(small, "small", "")
    out.attrs["method"] = spec.method + ("" if weights is None else WEIGHTED)
    return out
