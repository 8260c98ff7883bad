"""Clean score inputs for the statistics: lists, arrays or Series of numbers or text like ``"9分"``.

Missing values (blanks) and explicit non-answers ("don't know", 不知道, N/A …, see :data:`DONT_KNOW`) are
excluded and counted apart; values off the scale raise a :class:`kit.errors.KitError` with the count and a
few examples, or with ``errors="coerce"`` are dropped with a warning.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from numbers import Number

import numpy as np
import pandas as pd

from kit.errors import KitError

UNIT_RE = r"(?i)^[¥$]\s*|\s*(?:分钟|小时|分|元|块|秒|天|次|个|min|h|s)$"
THOUSANDS_RE = r"(?<=\d),(?=\d{3}(?:\D|$))"
EXAMPLES = 5
LOWER_ONLY_RE = r"[!-_a-~]+(?: [!-_a-~]+)*"
"""Text that :func:`fold_answer` only lower-cases: printable ASCII but the backtick, single spaces between words."""
DONT_KNOW = frozenset({
    "不知道", "不清楚", "说不清", "说不清楚", "说不好", "不好说", "不确定", "无法回答", "无法评价", "不适用",
    "拒答", "拒绝回答", "跳过", "(跳过)", "(空)", "空", "无",
    "n/a", "na", "don't know", "do not know", "dont know", "dk", "not sure", "not applicable",
    "prefer not to say", "prefer not to answer", "refused",
    "-", "--", "—", "——",
})
"""Whole answers that mean "no answer given" (don't know, not applicable, refused, skipped), as matched
after :func:`fold_answer`. Numeric codes such as 99 or -99 are never in here: pass them as ``dont_know=``."""


class ScoreWarning(UserWarning):
    """Values were dropped from a statistic's input (``errors="coerce"``)."""


def fold_width(text: pd.Series) -> pd.Series:
    """NFKC-normalise text (full-width ``９`` → ``9``), touching only the values that are not plain ASCII.

    >>> fold_width(pd.Series(["９分", "10", None], dtype="string")).tolist()
    ['9分', '10', <NA>]
    """
    wide = ~text.str.isascii().fillna(True)
    return text.mask(wide, text[wide].str.normalize("NFKC")) if wide.any() else text


def fold_answer(text: pd.Series) -> pd.Series:
    """Answers folded for matching whole words: NFKC, case-folded, curly apostrophes straightened, spaces
    trimmed and collapsed.

    >>> fold_answer(pd.Series(["  Don’t   Know ", "Ｎ／Ａ", "（跳过）"])).tolist()
    ["don't know", 'n/a', '(跳过)']
    """
    text = text.astype("string")
    lower = text.str.fullmatch(LOWER_ONLY_RE).fillna(True)  # most answers: only lower-cased, by pyarrow
    folded = text.str.lower()
    if lower.all():
        return folded
    rest = (fold_width(text[~lower]).str.casefold().str.replace(r"[‘’`´]", "'", regex=True)
            .str.replace(r"\s+", " ", regex=True).str.strip())
    return folded.mask(~lower, rest)


def parse_numbers(text: pd.Series, *, percent: bool = False) -> pd.Series:
    """Numbers from text, vectorised: full-width digits folded, units (分, 元, 分钟, h …), currency signs
    and thousands separators stripped (and a trailing ``%`` when ``percent``); anything else becomes NA.

    >>> parse_numbers(pd.Series(["９分", "1,200元", "很好", "85%"])).tolist()
    [9.0, 1200.0, <NA>, <NA>]
    >>> parse_numbers(pd.Series(["85%"]), percent=True).tolist()
    [85.0]
    """
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
    """Valid scores as float64 (no NaN), with how many inputs were blank (``n_missing``), dropped as not on
    the scale (``n_dropped``) or explicit non-answers (``n_dont_know``), and per input row whether it was
    kept (``valid``), blank (``missing``) or a non-answer (``dont_know``), so row-aligned callers can group
    them. The counts never overlap: ``n + n_missing + n_dont_know + n_dropped`` = number of inputs."""

    values: np.ndarray
    n_missing: int
    n_dropped: int
    n_dont_know: int
    valid: np.ndarray = field(repr=False)
    missing: np.ndarray = field(repr=False)
    dont_know: np.ndarray = field(repr=False)

    @property
    def n(self) -> int:
        return len(self.values)


def dont_know_codes(dont_know) -> tuple[np.ndarray, frozenset]:
    """``dont_know`` (one code or several) split into numbers and folded text, always with :data:`DONT_KNOW`.

    >>> numbers, words = dont_know_codes([99, "不好说"])
    >>> numbers.tolist(), "不好说" in words, "不知道" in words
    ([99.0], True, True)
    """
    codes = [dont_know] if isinstance(dont_know, str | Number) else list(dont_know)
    text = [c for c in codes if isinstance(c, str)]
    numbers = np.array([c for c in codes if not isinstance(c, str)], dtype=float)
    return numbers, DONT_KNOW | frozenset(fold_answer(pd.Series(text, dtype="string")))


def _read(column: pd.Series, codes: tuple[np.ndarray, frozenset]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A column as float64 (NaN where not a number) with its blank and don't-know row masks. Text is parsed
    once per distinct value and spread back (position -1 = blank)."""
    numbers, text_codes = codes
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = column.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        return values, np.isnan(values), np.isin(values, numbers)
    position, distinct = pd.factorize(column, use_na_sentinel=True)
    text = pd.Series(distinct, dtype=object).astype("string").str.strip()
    values = parse_numbers(text).to_numpy(dtype=float, na_value=np.nan)
    blank = (text == "").to_numpy(dtype=bool, na_value=True)
    dont_know = fold_answer(text).isin(text_codes).to_numpy(dtype=bool) | np.isin(values, numbers)
    return (np.append(values, np.nan)[position], np.append(blank, True)[position],
            np.append(dont_know, False)[position])


def clean_scores(values, low: float, high: float, *, name: str = "scores", errors: str = "raise",
                 whole: bool = True, dont_know: Iterable | float | str = ()) -> Scores:
    """The valid scores among ``values`` on the scale ``low``–``high`` (whole numbers when ``whole``).

    Missing values (None, NaN, empty text) are excluded and counted in ``n_missing``; explicit non-answers
    (whole answers in :data:`DONT_KNOW` such as 不知道, N/A, "Don't know", plus the ``dont_know`` codes, e.g.
    ``dont_know=(99, -99)`` for SPSS/Qualtrics codes — numbers are never non-answers by default) are
    excluded and counted in ``n_dont_know``. Anything else that is not a number on the scale raises
    ``KitError('scores_off_scale')`` with the count and examples, or, with ``errors="coerce"``, is dropped,
    counted in ``n_dropped`` and warned about (:class:`ScoreWarning`).

    >>> s = clean_scores([9, "不知道", "", None, "10分", "N/A", 99], 0, 10, dont_know=99)
    >>> s.values.tolist(), s.n_missing, s.n_dont_know, s.n_dropped
    ([9.0, 10.0], 2, 3, 0)
    """
    if errors not in ("raise", "coerce"):
        raise ValueError("errors must be 'raise' or 'coerce'")
    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    array, missing, unknown = _read(series, dont_know_codes(dont_know))
    answered = ~(missing | unknown)
    invalid = answered & ~((array >= low) & (array <= high))
    if whole:
        invalid |= answered & (np.mod(array, 1) != 0)
    if invalid.any():
        examples = ", ".join(str(v) for v in pd.unique(series[invalid].astype(str))[:EXAMPLES])
        if errors == "raise":
            raise KitError("scores_off_scale", name=name, count=int(invalid.sum()), low=low, high=high,
                           examples=examples)
        warnings.warn(f"{name}: dropped {int(invalid.sum())} value(s) off the {low}–{high} scale "
                      f"(e.g. {examples})", ScoreWarning, stacklevel=2)
    valid = answered & ~invalid
    return Scores(array[valid], n_missing=int(missing.sum()), n_dropped=int(invalid.sum()),
                  n_dont_know=int(unknown.sum()), valid=valid, missing=missing, dont_know=unknown)


def clean_frame(data, *, name: str, low: float | None = None, high: float | None = None,
                whole: bool = False, errors: str = "raise",
                dont_know: Iterable | float | str = ()) -> tuple[pd.DataFrame, int]:
    """Every column of ``data`` as float64 (NaN = missing, rows kept in place), and how many values were dropped.

    Text is parsed with :func:`parse_numbers` (``"5分"`` → 5). Blanks and explicit non-answers (as in
    :func:`clean_scores`, with the same ``dont_know`` codes) become NaN and are not counted as dropped.
    Values that are not numbers (or, with ``low``/``high``, not on the scale) raise a KitError with the
    count and examples, or with ``errors="coerce"`` become NaN with a :class:`ScoreWarning`; off-scale
    values are reported by :func:`clean_scores`, so the message is the same as for a single score column.

    >>> values, dropped = clean_frame({"q1": ["5分", "不清楚"], "q2": [4, None]}, name="items")
    >>> values.to_numpy().tolist(), dropped
    ([[5.0, 4.0], [nan, nan]], 0)
    """
    if errors not in ("raise", "coerce"):
        raise ValueError("errors must be 'raise' or 'coerce'")
    frame = pd.DataFrame(data)
    codes = dont_know_codes(dont_know)
    values = np.empty(frame.shape, dtype=float)
    skipped = np.zeros(frame.shape, dtype=bool)
    for j in range(frame.shape[1]):
        values[:, j], missing, unknown = _read(frame.iloc[:, j], codes)
        skipped[:, j] = missing | unknown
    with np.errstate(invalid="ignore"):
        invalid = ~skipped & ~np.isfinite(values)
        if low is not None:
            invalid |= ~skipped & ~((values >= low) & (values <= high))
        if whole:
            invalid |= ~skipped & (np.mod(values, 1) != 0)
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
    values[invalid | skipped] = np.nan
    return pd.DataFrame(values, index=frame.index, columns=frame.columns), n_invalid
