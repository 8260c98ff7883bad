"""SERVQUAL gaps (服务质量五维度差距): perception minus expectation, per dimension and overall.

The five dimensions — tangibles 有形性, reliability 可靠性, responsiveness 响应性, assurance 保证性 and
empathy 移情性 — are named in the seeds [000][002]; the 22-item, 7-point instrument and the gap
P − E are external (Parasuraman, Zeithaml & Berry 1988). Survey columns are ``exp_<dimension>_<i>``
and ``perc_<dimension>_<i>`` (see :data:`kit.data.schemas.SERVQUAL_DIMENSIONS`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kit.data.schemas import SERVQUAL_DIMENSIONS
from kit.errors import KitError
from kit.results import Result
from kit.scores import clean_frame
from kit.stats import t_crit
from kit.weights import check as check_weights
from kit.weights import effective_n, linearised_mean

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

    ``table``, indexed by dimension: ``n`` respondents with at least one statement answered on both sides,
    mean ``expectation`` and ``perception`` over those paired answers, ``gap`` = perception − expectation
    with its standard error ``se`` and t interval ``ci_low``–``ci_high``, the importance ``weight`` used in
    the overall score, and with survey weights Kish's effective n ``n_eff``. ``overall`` (importance-weighted
    mean gap) with ``overall_ci`` over the ``n_overall`` respondents with a paired statement in every
    dimension; ``worst``: the dimension with the most negative gap; ``n``: respondents with at least one
    SERVQUAL answer; ``n_excluded``: respondents with none; ``n_partial``: respondents with some statement
    not answered on both sides (it is left out for them). ``to_frame()`` returns ``table``;
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


def _means(y: np.ndarray, w: np.ndarray, ci: float):
    """Weighted means over the last axis of ``y``, their Taylor-linearised se, and t_{n−1}·se."""
    n = y.shape[-1]
    mean, se = linearised_mean(y, w, w * w, n)
    return mean, se, t_crit(n - 1, ci) * se


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
        exp, perc = (dict(found[dim][side]) for side in ("exp", "perc"))  # statement number → column
        if not exp or not perc:
            raise KitError("servqual_unpaired", dimension=dim, side="exp" if not exp else "perc")
        lonely = sorted(exp.keys() ^ perc.keys())
        if lonely:
            raise KitError("servqual_unmatched_items", dimension=dim,
                           columns=", ".join(str(exp.get(i, perc.get(i))) for i in lonely))
        spec[dim] = ([exp[i] for i in sorted(exp)], [perc[i] for i in sorted(exp)])
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
        if len(exp) != len(perc):
            longer = exp if len(exp) > len(perc) else perc
            raise KitError("servqual_unmatched_items", dimension=dim,
                           columns=", ".join(map(str, longer[min(len(exp), len(perc)):])))
        spec[dim] = (exp, perc)
    if not spec:
        raise KitError("servqual_no_items")
    missing = [c for exp, perc in spec.values() for c in (*exp, *perc) if c not in df.columns]
    if missing:
        raise KitError("model_columns_missing", columns=", ".join(map(str, missing)),
                       available=", ".join(map(str, df.columns)))
    return spec


def _importance(importance, dims: list[str]) -> np.ndarray:
    if importance is None:
        return np.full(len(dims), 1.0 / len(dims))
    missing = [d for d in dims if d not in importance]
    unknown = [str(d) for d in importance if d not in dims]
    if missing or unknown:
        raise KitError("servqual_importance_keys", missing=", ".join(missing) or "–",
                       unknown=", ".join(unknown) or "–")
    w = np.array([importance[d] for d in dims], dtype=float)
    if not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
        raise KitError("servqual_importance_values", weights=", ".join(f"{d}={importance[d]}" for d in dims))
    return w / w.sum()


def _answers(items: pd.DataFrame, scale: tuple[float, float], errors: str):
    """How to read the answers to item j of ``items`` as floats (NaN = blank), and whether each respondent
    answered any item. Integer columns already on ``scale`` are only converted, each time they are read (so
    44 items × 1 M answers never sit in memory at once); the others are read once, by
    :func:`kit.scores.clean_frame`, which raises or warns about what is off the scale."""
    def convert(j: int) -> np.ndarray:
        return items.iloc[:, j].to_numpy(dtype=float, na_value=np.nan)

    any_answer = np.zeros(len(items), dtype=bool)
    others = []
    for j in range(items.shape[1]):
        if pd.api.types.is_integer_dtype(items.iloc[:, j].dtype):
            values = convert(j)
            if not ((values < scale[0]) | (values > scale[1])).any():
                any_answer |= ~np.isnan(values)
                continue
        others.append(j)
    cleaned = {}
    if others:
        frame, _ = clean_frame(items.iloc[:, others], name="SERVQUAL", low=scale[0], high=scale[1], whole=True,
                               errors=errors)
        cleaned = {j: frame.iloc[:, i].to_numpy() for i, j in enumerate(others)}
        for values in cleaned.values():
            any_answer |= ~np.isnan(values)
    return (lambda j: cleaned[j] if j in cleaned else convert(j)), any_answer


def gaps(df: pd.DataFrame, dimensions=None, importance: Mapping[str, float] | None = None,
         ci: float = 0.95, *, weights=None, scale: tuple[float, float] = SCALE,
         errors: str = "raise") -> Gaps:
    """SERVQUAL gap per dimension, with a paired t interval, and the overall SERVQUAL score.

    Each statement i of a dimension is asked twice, as an expectation :math:`E_i` and a perception
    :math:`P_i`; it counts for a respondent only when both are answered. A respondent's gap on a dimension
    is the mean of their paired statement gaps, :math:`g = \\frac{1}{k}\\sum_{i \\text{ paired}} (P_i - E_i)`
    over their :math:`k \\ge 1` paired statements (external: Parasuraman, Zeithaml & Berry 1988;
    dimensions [000][002]). Per dimension, over the :math:`n` respondents with at least one pair,

    .. math::

        \\bar g = \\bar P - \\bar E, \\qquad \\bar g \\pm t_{1-\\gamma/2,\\,n-1}\\, s_g / \\sqrt{n}

    (a paired-difference interval, :math:`\\gamma = 1 -` ``ci``), where :math:`\\bar E` and :math:`\\bar P`
    average the same paired answers, so gap = perception − expectation on the table. The overall score is
    the importance-weighted mean of the dimension gaps, :math:`\\sum_d w_d g_d` with :math:`\\sum_d w_d = 1`
    — equal by default, or importance weights such as the 100 points customers allocate over the five
    dimensions (Parasuraman, Zeithaml & Berry 1991, external) — averaged with the same t interval over
    respondents with a pair in every dimension. A negative gap means perceptions fall short of expectations.

    With survey ``weights`` every mean over respondents is weighted, :math:`\\bar g = \\sum w g / \\sum w`;
    its se is Taylor-linearised (:func:`kit.weights.linearised_mean`; Woodruff 1971, external; s/√n with
    equal weights), the interval is :math:`\\bar g \\pm t_{n-1}\\,\\mathrm{se}`, and ``n_eff`` is Kish's
    effective n (Kish 1965, external).

    Parameters
    ----------
    df : survey responses.
    dimensions : None to use every ``exp_<dim>_<i>``/``perc_<dim>_<i>`` column present (paired by ``i``); a
        list of dimension names to use only those; or a mapping dimension → (expectation columns,
        perception columns), paired in order, for your own item names.
    importance : mapping dimension → importance weight (normalised to sum to 1), for the overall score.
    ci : confidence level of the intervals.
    weights : survey (respondent) weights: a column name of ``df`` or one value per row.
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
    >>> float(gaps(df, weights=[1, 1, 2, 0]).table.loc["reliability", "gap"])  # survey weights
    -2.25
    """
    if not 0.0 < ci < 1.0:
        raise ValueError("ci must be between 0 and 1")
    spec = _spec(df, dimensions)
    dims = list(spec)
    imp = _importance(importance, dims)
    if isinstance(weights, str) and weights not in df.columns:
        raise KitError("model_columns_missing", columns=weights, available=", ".join(map(str, df.columns)))
    named = isinstance(weights, str)
    w = None if weights is None else check_weights(df[weights] if named else weights, len(df),
                                                   name=weights if named else "weights")
    columns = list(dict.fromkeys(c for exp, perc in spec.values() for c in (*exp, *perc)))
    read, any_answer = _answers(df[columns], scale, errors)
    n, n_excluded = int(any_answer.sum()), int((~any_answer).sum())
    if n == 0:
        raise KitError("servqual_no_respondents", n_rows=len(df))
    w = np.ones(len(df)) if w is None else w

    position = {c: j for j, c in enumerate(columns)}
    unpaired = np.zeros(len(df), dtype=bool)
    respondent_gaps = np.full((len(df), len(dims)), np.nan)  # rows without any answer stay NaN
    rows = {}
    for j, (d, weight) in enumerate(zip(dims, imp, strict=True)):
        k, e_sum, p_sum = np.zeros(len(df), dtype=np.int64), np.zeros(len(df)), np.zeros(len(df))
        for exp, perc in zip(*spec[d], strict=True):  # one statement at a time: answers are whole, sums exact
            e_i, p_i = read(position[exp]), read(position[perc])
            paired = ~np.isnan(e_i) & ~np.isnan(p_i)
            unpaired |= ~paired
            k += paired
            e_sum += np.where(paired, e_i, 0.0)
            p_sum += np.where(paired, p_i, 0.0)
        has = k > 0
        e, p = e_sum[has] / k[has], p_sum[has] / k[has]  # mean over the respondent's pairs
        respondent_gaps[has, j] = p - e
        wd = w[has]
        (expectation, perception, _), se, half = _means(np.stack([e, p, p - e]), wd, ci)
        gap = perception - expectation
        rows[d] = {"n": int(has.sum()), "expectation": expectation, "perception": perception, "gap": gap,
                   "se": se[2], "ci_low": gap - half[2], "ci_high": gap + half[2], "weight": weight}
        if weights is not None:
            rows[d]["n_eff"] = float(effective_n(wd.sum(), wd @ wd))
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "dimension"
    table["n"] = table["n"].astype(int)

    complete = ~np.isnan(respondent_gaps).any(axis=1)
    overall, _, half = (float(x) for x in _means(respondent_gaps[complete] @ imp, w[complete], ci))
    worst = None if table["gap"].isna().all() else str(table["gap"].idxmin())
    return Gaps(overall=overall, overall_ci=(overall - half, overall + half), worst=worst, n=n,
                n_overall=int(complete.sum()), n_excluded=n_excluded,
                n_partial=int((unpaired & any_answer).sum()), table=table)
