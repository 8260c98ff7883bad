"""Clean score inputs for the statistics: lists, arrays or Series of numbers or text like ``"9分"``.

Missing values are excluded and counted; values off the scale raise a :class:`kit.errors.KitError`
with the count and a few examples, or with ``errors="coerce"`` are dropped with a warning.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kit.errors import KitError

UNIT_RE = r"(?i)^[¥$]\s*|\s*(?:分钟|小时|分|元|块|秒|天|次|个|min|h|s)$"
THOUSANDS_RE = r"(?<=\d),(?=\d{3}(?:\D|$))"
EXAMPLES = 5


class ScoreWarning(UserWarning):
    """Values were dropped from a statistic's input (``errors="coerce"``)."""


def fold_width(text: pd.Series) -> pd.Series:
    """NFKC-normalise text (full-width ``９`` → ``9``), touching only the values that are not plain ASCII."""
    wide = ~text.str.isascii().fillna(True)
    return text.mask(wide, text[wide].str.normalize("NFKC")) if wide.any() else text


def parse_numbers(text: pd.Series, *, percent: bool = False) -> pd.Series:
    """Numbers from text, vectorised: full-width digits folded, units (分, 元, 分钟, h …), currency signs
    and thousands separators stripped (and a trailing ``%`` when ``percent``); anything else becomes NA.
    ``"９分"`` → 9.0, ``"1,200元"`` → 1200.0."""
    cleaned = (
        fold_width(text.astype("string"))
        .str.strip()
        .str.replace("−", "-", regex=False)
        .str.replace(UNIT_RE, "", regex=True)
        .str.replace(THOUSANDS_RE, "", regex=True)
        .str.strip()
    )
    if percent:
        cleaned = cleaned.str.replace(r"\s*%$", "", regex=True)
    numbers = pd.to_numeric(cleaned, errors="coerce").astype("Float64")
    return numbers.mask(~np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan)))


@dataclass(frozen=True)
class Scores:
    """Valid scores as float64 (no NaN), with how many inputs were missing or dropped, and per input row
    whether it was kept (``valid``) or missing (``missing``), so row-aligned callers can group them."""

    values: np.ndarray
    n_missing: int
    n_dropped: int
    valid: np.ndarray = field(repr=False)
    missing: np.ndarray = field(repr=False)

    @property
    def n(self) -> int:
        return len(self.values)


def clean_scores(values, low: float, high: float, *, name: str = "scores", errors: str = "raise",
                 whole: bool = True) -> Scores:
    """The valid scores among ``values`` on the scale ``low``–``high`` (whole numbers when ``whole``).

    Missing values (None, NaN, empty text) are excluded and counted in ``n_missing``. Anything else that is
    not a number on the scale raises ``KitError('scores_off_scale')`` with the count and examples, or, with
    ``errors="coerce"``, is dropped, counted in ``n_dropped`` and warned about (:class:`ScoreWarning`).
    """
    if errors not in ("raise", "coerce"):
        raise ValueError("errors must be 'raise' or 'coerce'")
    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        numbers = series.astype("Float64")
        missing = numbers.isna().to_numpy()
    else:
        text = series.astype("string").str.strip()
        missing = (text.isna() | (text == "")).to_numpy()
        numbers = parse_numbers(text)
    array = numbers.to_numpy(dtype=float, na_value=np.nan)
    invalid = ~missing & ~((array >= low) & (array <= high))
    if whole:
        invalid |= ~missing & (np.mod(array, 1) != 0)
    if invalid.any():
        examples = ", ".join(str(v) for v in pd.unique(series[invalid].astype(str))[:EXAMPLES])
        if errors == "raise":
            raise KitError("scores_off_scale", name=name, count=int(invalid.sum()), low=low, high=high,
                           examples=examples)
        warnings.warn(f"{name}: dropped {int(invalid.sum())} value(s) off the {low}–{high} scale "
                      f"(e.g. {examples})", ScoreWarning, stacklevel=2)
    valid = ~missing & ~invalid
    return Scores(array[valid], int(missing.sum()), int(invalid.sum()), valid=valid, missing=missing)


def clean_frame(data, *, name: str, low: float | None = None, high: float | None = None,
                   whole: bool = False, errors: str = "raise") -> tuple[pd.DataFrame, int]:
    """Every column of ``data`` as float64 (NaN = missing, rows kept in place), and how many values were dropped.

    Text is parsed with :func:`parse_numbers` (``"5分"`` → 5). Values that are not numbers (or,
    with ``low``/``high``, not on the scale) raise a KitError with the count and examples, or with
    ``errors="coerce"`` become NaN with a :class:`ScoreWarning`; off-scale values are reported
    by :func:`clean_scores`, so the message is the same as for a single score column.
    """
    if errors not in ("raise", "coerce"):
        raise ValueError("errors must be 'raise' or 'coerce'")
    frame = pd.DataFrame(data)
    values = np.empty(frame.shape, dtype=float)
    missing = np.zeros(frame.shape, dtype=bool)
    for j in range(frame.shape[1]):
        column = frame.iloc[:, j]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            values[:, j] = column.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            missing[:, j] = np.isnan(values[:, j])
        else:  # text: parse each distinct value once, then spread back (position -1 = missing)
            position, distinct = pd.factorize(column, use_na_sentinel=True)
            text = pd.Series(distinct, dtype=object).astype("string").str.strip()
            parsed = parse_numbers(text).to_numpy(dtype=float, na_value=np.nan)
            values[:, j] = np.append(parsed, np.nan)[position]
            missing[:, j] = np.append((text == "").to_numpy(dtype=bool, na_value=True), True)[position]
    with np.errstate(invalid="ignore"):
        invalid = ~missing & ~np.isfinite(values)
        if low is not None:
            invalid |= ~missing & ~((values >= low) & (values <= high))
        if whole:
            invalid |= ~missing & (np.mod(values, 1) != 0)
    n_invalid = int(invalid.sum())
    if n_invalid:
        bad = pd.Series(frame.to_numpy(dtype=object)[invalid], dtype=object)
        if low is not None:
            clean_scores(bad, low, high, name=name, errors=errors, whole=whole)  # raises or warns
        else:
            examples = ", ".join(str(v) for v in pd.unique(bad.astype(str))[:EXAMPLES])
            if errors == "raise":
                raise KitError("items_not_numeric", name=name, count=n_invalid, examples=examples)
            warnings.warn(f"{name}: dropped {n_invalid} value(s) that are not numbers (e.g. {examples})",
                          ScoreWarning, stacklevel=3)
        values[invalid] = np.nan
    return pd.DataFrame(values, index=frame.index, columns=frame.columns), n_invalid
