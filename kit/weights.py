"""Survey weights (调查权重): build them from population margins, check them, and estimate with them.

A quota or convenience sample rarely matches the customer base: too many members of one channel, too few
of another. A weight per respondent (design weight, post-stratification or raking weight) makes the sample
stand for the population. Every metric in :mod:`kit.metrics` and :mod:`kit.servqual` takes ``weights=``;
this module holds what they share:

- :func:`rake` builds weights from population margins by iterative proportional fitting;
- :func:`check` turns a weight column into a clean array (finite, ≥ 0, one per row);
- :func:`effective_n` is Kish's effective sample size, the design effect of the weights alone;
- :func:`linearised_mean` is the weighted mean with its Taylor-linearised standard error;
- :func:`design_n` is the effective n of one weighted share or mean, the n its interval is built on.

Formulas are external (Kish 1965; Deming & Stephan 1940; Woodruff 1971; Korn & Graubard 1998); none of the
course sources covers weighting.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from kit.errors import KitError


def check(weights, n: int, *, name: str = "weights") -> np.ndarray:
    """``weights`` as a float array of length ``n``: every weight finite and ≥ 0, at least one > 0.

    A column name is not resolved here (callers pass ``df[column]``). Missing or negative weights raise a
    KitError with the count, as a silently dropped weight would change every number.

    >>> check([1, 2, 0.5], 3)
    array([1. , 2. , 0.5])
    """
    series = weights.reset_index(drop=True) if isinstance(weights, pd.Series) else pd.Series(np.ravel(weights))
    w = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if len(w) != n:
        raise KitError("weights_length", name=name, got=len(w), n=n)
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise KitError("weights_invalid", name=name, count=int(bad.sum()),
                       examples=", ".join(map(str, series.iloc[np.flatnonzero(bad)[:5]].tolist())))
    if n and not (w > 0).any():
        raise KitError("weights_all_zero", name=name)
    return w


def effective_n(weight_sum, square_sum):
    """Kish's (1965, external) effective sample size n_eff = (Σw)² / Σw², vectorised; NaN where Σw² = 0.

    Equal weights give n; the more unequal the weights, the smaller n_eff, and deff = n / n_eff is the
    design effect due to weighting.

    >>> float(effective_n(4.0, 4.0)), float(effective_n(1 + 1 + 2.0, 1 + 1 + 4.0))
    (4.0, 2.6666666666666665)
    """
    weight_sum, square_sum = np.asarray(weight_sum, dtype=float), np.asarray(square_sum, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(square_sum > 0, weight_sum**2 / np.where(square_sum > 0, square_sum, 1), np.nan)


def _deviations(values, weight_sums):
    """Σw, the weighted mean ȳ = Σw·y / Σw (NaN where Σw = 0) and (y − ȳ)², over the last axis."""
    y, w1 = np.asarray(values, dtype=float), np.asarray(weight_sums, dtype=float)
    total = w1.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(total > 0, (w1 * y).sum(axis=-1) / np.where(total > 0, total, 1), np.nan)
    return total, mean, (y - mean[..., None]) ** 2


def linearised_mean(values, weight_sums, square_sums, n, ddof: int = 1):
    """Weighted mean ȳ = Σw·y / Σw and its Taylor-linearised standard error (Woodruff 1971, external):

        se² = n/(n − ddof) · Σ w²·(y − ȳ)² / (Σw)²

    for a with-replacement single-stage design. ``ddof=1`` is the estimator of R's ``survey::svymean`` and
    samplics' TaylorEstimator (equal weights: s/√n exactly, the se of a t interval); ``ddof=0`` the plug-in
    form (equal weights: √(V/n) with V = Σ(y − ȳ)²/n, the binomial se of a share and the multinomial se of an
    NPS). Vectorised over the leading axes; the last axis holds either the observations (``weight_sums`` = w,
    ``square_sums`` = w²) or the points of a scale (the sums of w and of w² over the respondents at each
    point), and ``n`` counts the respondents. n = 0 gives NaN, n ≤ ddof a NaN se.

    >>> mean, se = linearised_mean([1.0, 0.0, -1.0], [1, 2, 1], [1, 4, 1], 3)
    >>> round(float(mean), 4), round(float(se), 4)
    (0.0, 0.433)
    >>> round(float(linearised_mean([1.0, 0.0, -1.0], [1, 2, 1], [1, 4, 1], 3, ddof=0)[1]), 4)
    0.3536
    """
    total, mean, deviations = _deviations(values, weight_sums)
    n = np.asarray(n, dtype=float)
    spread = (np.asarray(square_sums, dtype=float) * deviations).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.where(n > ddof, np.sqrt(n / np.where(n > ddof, n - ddof, 1) * spread) / total, np.nan)
    return mean, se


def design_n(values, weight_sums, square_sums, n):
    """Effective n of one weighted share or mean: the size of a simple random sample with the same variance
    (Korn & Graubard 1998, external), the n its Wilson or adjusted-Wald interval is built on:

        n* = V / v = Σw · Σw(y − ȳ)² / Σw²(y − ȳ)²

    with V = Σw(y − ȳ)²/Σw the weighted variance of the answers and v = Σw²(y − ȳ)²/(Σw)² the linearised
    variance of their mean (:func:`linearised_mean`, ``ddof=0``). Capped at n (the kit's choice: weighting
    never makes an interval narrower than n answers would); Kish's n_eff (:func:`effective_n`) where V = 0
    (every answer alike, nothing to measure the design effect on). Equal weights give n exactly; weights
    unrelated to the answers give about Kish's n_eff. Axes as in :func:`linearised_mean`.

    >>> y, w = np.array([1.0, 1.0, 0.0, 0.0]), np.array([1.0, 3.0, 1.0, 3.0])
    >>> float(design_n(y, w, w * w, 4)), float(effective_n(w.sum(), (w * w).sum()))
    (3.2, 3.2)
    >>> v = np.array([1.0, 1.0, 3.0, 3.0])  # heavy weights on the answers near the mean: 5.33, capped at n
    >>> float(design_n(y, v, v * v, 4))
    4.0
    """
    total, _, deviations = _deviations(values, weight_sums)
    spread = (np.asarray(weight_sums, dtype=float) * deviations).sum(axis=-1)
    weighted = (np.asarray(square_sums, dtype=float) * deviations).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = spread / np.where(weighted > 0, weighted, 1)  # exactly 1 when w = w² (unweighted tallies)
    kish = effective_n(total, np.asarray(square_sums, dtype=float).sum(axis=-1))
    return np.minimum(np.where(weighted > 0, total * ratio, kish), np.asarray(n, dtype=float))


def rake(df: pd.DataFrame, margins: Mapping[str, Mapping], *, weights=None, max_iter: int = 100,
         tol: float = 1e-10) -> pd.Series:
    """Raking weights (iterative proportional fitting; Deming & Stephan 1940, external).

    ``margins`` gives, for each column, the population share (or count) of every level, e.g.
    ``{"channel": {"门店": 0.5, "APP": 0.3, "电话": 0.2}, "region": {"北": 0.4, "南": 0.6}}``. Starting from
    ``weights`` (design weights; default 1), each pass multiplies the weights of every level of each column
    in turn by target / current weighted total, until every weighted margin is within ``tol`` of its target
    (relative). With one column this is post-stratification, exactly. The weights are returned scaled to sum
    to n when the margins are shares, or to the population total when they are counts.

    Refused with a KitError (never silently): a respondent whose level has no target or is missing, a target
    level no respondent has (it cannot be reached), targets that do not agree on the total, or no convergence
    within ``max_iter`` passes (margins that contradict each other).

    >>> df = pd.DataFrame({"channel": ["门店"] * 6 + ["APP"] * 4})
    >>> rake(df, {"channel": {"门店": 0.3, "APP": 0.7}}).round(3).tolist()
    [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1.75, 1.75, 1.75, 1.75]
    """
    if not margins:
        raise KitError("weights_no_margins")
    n = len(df)
    w = np.ones(n) if weights is None else check(weights, n).copy()
    codes, targets, total = [], [], None
    for column, shares in margins.items():
        if column not in df.columns:
            raise KitError("weights_margin_column", column=str(column), available=", ".join(map(str, df.columns)))
        levels = list(shares)
        target = np.array([float(shares[level]) for level in levels])
        if not np.isfinite(target).all() or (target < 0).any() or target.sum() <= 0:
            raise KitError("weights_bad_targets", column=str(column))
        if total is None:
            total = target.sum()
        elif not np.isclose(target.sum(), total, rtol=1e-6):
            raise KitError("weights_totals_differ", column=str(column), total=f"{target.sum():g}",
                           first=f"{total:g}")
        code = pd.Index(levels).get_indexer(df[column])
        unmatched = code < 0
        if unmatched.any():
            examples = pd.Series(df[column].to_numpy()[unmatched]).astype(str).unique()[:5]
            raise KitError("weights_level_without_target", column=str(column), count=int(unmatched.sum()),
                           examples=", ".join(examples), levels=", ".join(map(str, levels)))
        present = np.bincount(code, weights=w, minlength=len(levels))
        empty = [str(level) for level, p, t in zip(levels, present, target, strict=True) if p == 0 and t > 0]
        if empty:
            raise KitError("weights_empty_level", column=str(column), levels=", ".join(empty))
        codes.append(code)
        targets.append(target)
    scale = n if np.isclose(total, 1, rtol=1e-6) else total
    targets = [t / total * scale for t in targets]
    w = w / w.sum() * scale
    for _ in range(max_iter):
        for code, target in zip(codes, targets, strict=True):
            current = np.bincount(code, weights=w, minlength=len(target))
            factor = np.divide(target, current, out=np.zeros_like(target), where=current > 0)
            w = w * factor[code]
        worst = max(np.abs(np.bincount(c, weights=w, minlength=len(t)) - t).max() / scale
                    for c, t in zip(codes, targets, strict=True))
        if worst <= tol:
            return pd.Series(w, index=df.index, name="weight")
    raise KitError("weights_no_convergence", passes=max_iter, worst=f"{worst:.2g}")
