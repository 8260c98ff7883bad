"""SERVQUAL gaps (服务质量五维度差距): perception minus expectation, per dimension and overall.

The five dimensions — tangibles 有形性, reliability 可靠性, responsiveness 响应性, assurance 保证性 and
empathy 移情性 — are named in the seeds [000][002]; the 22-item, 7-point instrument and the gap
P − E are external (Parasuraman, Zeithaml & Berry 1988). Survey columns are ``exp_<dimension>_<i>``
and ``perc_<dimension>_<i>`` (see :data:`kit.schemas.SERVQUAL_DIMENSIONS`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kit.errors import KitError
from kit.results import Result
from kit.schemas import SERVQUAL_DIMENSIONS
from kit.scores import clean_frame
from kit.stats import t_crit

DIMENSIONS = tuple(SERVQUAL_DIMENSIONS)
"""The five SERVQUAL dimensions in their usual order [000][002]."""
SCALE = (1, 7)
"""The 7-point agreement scale of the SERVQUAL items (external: Parasuraman, Zeithaml & Berry 1988)."""
ITEM_RE = re.compile(r"^(exp|perc)_(.+)_(\d+)$")


def dimension_name(dimension: str, lang: str | None = None) -> str:
    """Display name of a dimension in ``lang`` (``'reliability'`` → ``'可靠性'`` in Chinese); a dimension
    the kit does not know is returned as given.

    >>> dimension_name("reliability", "zh"), dimension_name("reliability", "en")
    ('可靠性', 'Reliability')
    """
    from kit.i18n import catalogue, get_lang

    return catalogue(lang or get_lang()).get(f"models.servqual.dimensions.{dimension}", dimension)


@dataclass(frozen=True, repr=False)
class Gaps(Result):
    """SERVQUAL gaps.

    ``table``, indexed by dimension: ``n`` respondents with both sides answered, mean ``expectation`` and
    ``perception``, ``gap`` = P − E with its t interval ``ci_low``–``ci_high``, the gap's ``sd`` and the
    ``weight`` used in the overall score. ``overall`` (weighted mean gap) with ``overall_ci`` over the
    ``n_overall`` respondents who answered every dimension; ``worst``: the dimension with the most negative
    gap; ``n``: respondents with at least one SERVQUAL answer; ``n_excluded``: respondents with none;
    ``n_partial``: respondents who skipped some items. ``to_frame()`` returns ``table``;
    ``labelled(lang)`` the same with display names as the index.
    """

    overall: float
    overall_ci: tuple[float, float]
    worst: str | None
    n: int
    n_overall: int
    n_excluded: int
    n_partial: int
    table: pd.DataFrame = field(repr=False)

    def labelled(self, lang: str | None = None) -> pd.DataFrame:
        """``table`` with the dimensions' display names (有形性 …) as its index."""
        table = self.table.copy()
        table.index = pd.Index([dimension_name(d, lang) for d in table.index], name=table.index.name)
        return table


def _t_interval(x: np.ndarray, ci: float) -> tuple[float, float, float, float]:
    """Mean, sd and the t interval of the mean of ``x`` (NaN where undefined)."""
    n = len(x)
    nan = float("nan")
    if n == 0:
        return nan, nan, nan, nan
    mean = float(x.mean())
    if n < 2:
        return mean, nan, nan, nan
    sd = float(x.std(ddof=1))
    half = float(t_crit(n - 1, ci)) * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half


def _discover(columns, wanted: Sequence[str] | None) -> dict[str, tuple[list[str], list[str]]]:
    """dimension → (expectation columns, perception columns) from ``exp_<dim>_<i>``/``perc_<dim>_<i>``."""
    found: dict[str, dict[str, list[tuple[int, str]]]] = {}
    for column in columns:
        match = ITEM_RE.match(str(column))
        if match:
            side, dim, i = match.groups()
            found.setdefault(dim, {"exp": [], "perc": []})[side].append((int(i), column))
    if not found:
        raise KitError("servqual_no_items")
    order = [d for d in DIMENSIONS if d in found] + [d for d in found if d not in SERVQUAL_DIMENSIONS]
    if wanted is not None:
        unknown = [d for d in wanted if d not in found]
        if unknown:
            raise KitError("servqual_unknown_dimensions", dimensions=", ".join(map(str, unknown)),
                           available=", ".join(order))
        order = list(wanted)
    spec = {}
    for dim in order:
        exp, perc = (sorted(found[dim][side]) for side in ("exp", "perc"))
        if not exp or not perc:
            raise KitError("servqual_unpaired", dimension=dim, side="exp" if not exp else "perc")
        spec[dim] = ([c for _, c in exp], [c for _, c in perc])
    return spec


def _spec(df: pd.DataFrame, dimensions) -> dict[str, tuple[list[str], list[str]]]:
    if dimensions is None:
        return _discover(df.columns, None)
    if isinstance(dimensions, str):
        return _discover(df.columns, [dimensions])
    if not isinstance(dimensions, Mapping):
        return _discover(df.columns, list(dimensions))
    spec = {}
    for dim, sides in dimensions.items():
        exp, perc = ([c] if isinstance(c, str) else list(c) for c in sides)
        if not exp or not perc:
            raise KitError("servqual_unpaired", dimension=dim, side="exp" if not exp else "perc")
        spec[dim] = (exp, perc)
    if not spec:
        raise KitError("servqual_no_items")
    missing = [c for exp, perc in spec.values() for c in (*exp, *perc) if c not in df.columns]
    if missing:
        raise KitError("model_columns_missing", columns=", ".join(map(str, missing)),
                       available=", ".join(map(str, df.columns)))
    return spec


def _weights(weights, dims: list[str]) -> np.ndarray:
    if weights is None:
        return np.full(len(dims), 1.0 / len(dims))
    missing = [d for d in dims if d not in weights]
    unknown = [str(d) for d in weights if d not in dims]
    if missing or unknown:
        raise KitError("servqual_weights_keys", missing=", ".join(missing) or "–", unknown=", ".join(unknown) or "–")
    w = np.array([weights[d] for d in dims], dtype=float)
    if not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
        raise KitError("servqual_weights_values", weights=", ".join(f"{d}={weights[d]}" for d in dims))
    return w / w.sum()


def gaps(df: pd.DataFrame, dimensions=None, weights: Mapping[str, float] | None = None, ci: float = 0.95, *,
         scale: tuple[float, float] = SCALE, errors: str = "raise") -> Gaps:
    """SERVQUAL gap per dimension, with a paired t interval, and the overall SERVQUAL score.

    A respondent's score on a dimension is the mean of that dimension's items they answered, separately
    for expectation (E) and perception (P); their gap is :math:`g = \\bar P - \\bar E` (external:
    Parasuraman, Zeithaml & Berry 1988; dimensions [000][002]). Per dimension, over the :math:`n`
    respondents with both sides answered,

    .. math::

        \\bar g = \\bar P - \\bar E, \\qquad \\bar g \\pm t_{1-\\gamma/2,\\,n-1}\\, s_g / \\sqrt{n}

    (a paired-difference interval, :math:`\\gamma = 1 -` ``ci``). The overall score is the weighted mean of
    the dimension gaps, :math:`\\sum_d w_d g_d` with :math:`\\sum_d w_d = 1` — equal weights by default,
    or importance weights such as the 100 points customers allocate over the five dimensions
    (Parasuraman, Zeithaml & Berry 1991, external) — averaged with the same t interval over respondents who
    answered every dimension. A negative gap means perceptions fall short of expectations.

    Parameters
    ----------
    df : survey responses.
    dimensions : None to use every ``exp_<dim>_<i>``/``perc_<dim>_<i>`` column present; a list of
        dimension names to use only those; or a mapping dimension → (expectation columns, perception
        columns) for your own item names.
    weights : mapping dimension → weight (normalised to sum to 1), for the overall score.
    ci : confidence level of the intervals.
    scale : the items' scale; values off it raise ``KitError('scores_off_scale')`` or, with
        ``errors="coerce"``, are left out with a warning.

    Respondents with no SERVQUAL answer at all are left out and counted in ``n_excluded``.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"exp_reliability_1": [7, 6, 7, 6], "perc_reliability_1": [5, 5, 4, 6],
    ...                    "exp_empathy_1": [5, 5, 6, 5], "perc_empathy_1": [6, 5, 6, 5]})
    >>> res = gaps(df)
    >>> res.table[["n", "expectation", "perception", "gap"]]  # doctest: +NORMALIZE_WHITESPACE
                 n  expectation  perception   gap
    dimension
    reliability  4         6.50         5.0 -1.50
    empathy      4         5.25         5.5  0.25
    >>> res.worst, res.overall
    ('reliability', -0.625)
    """
    if not 0.0 < ci < 1.0:
        raise ValueError("ci must be between 0 and 1")
    spec = _spec(df, dimensions)
    dims = list(spec)
    w = _weights(weights, dims)
    columns = list(dict.fromkeys(c for exp, perc in spec.values() for c in (*exp, *perc)))
    values, _ = clean_frame(df[columns], name="SERVQUAL", low=scale[0], high=scale[1], whole=True,
                               errors=errors)
    answered = values.notna()
    any_answer = answered.any(axis=1).to_numpy()
    n, n_excluded = int(any_answer.sum()), int((~any_answer).sum())
    if n == 0:
        raise KitError("servqual_no_respondents", n_rows=len(df))
    n_partial = int((any_answer & ~answered.all(axis=1).to_numpy()).sum())
    values = values[any_answer]

    expectation = pd.DataFrame({d: values[spec[d][0]].mean(axis=1) for d in dims})
    perception = pd.DataFrame({d: values[spec[d][1]].mean(axis=1) for d in dims})
    gap = perception - expectation
    rows = {}
    for d, weight in zip(dims, w, strict=True):
        both = gap[d].notna().to_numpy()
        mean, sd, low, high = _t_interval(gap[d].to_numpy()[both], ci)
        rows[d] = {"n": int(both.sum()), "expectation": expectation[d][both].mean(),
                   "perception": perception[d][both].mean(), "gap": mean, "ci_low": low, "ci_high": high,
                   "sd": sd, "weight": weight}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "dimension"
    table["n"] = table["n"].astype(int)

    complete = gap.notna().all(axis=1).to_numpy()
    overall, _, low, high = _t_interval(gap.to_numpy()[complete] @ w, ci)
    worst = None if table["gap"].isna().all() else str(table["gap"].idxmin())
    return Gaps(overall=overall, overall_ci=(low, high), worst=worst, n=n, n_overall=int(complete.sum()),
                n_excluded=n_excluded, n_partial=n_partial, table=table)
