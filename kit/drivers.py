"""Key-driver analysis (满意度驱动因素): which ratings move satisfaction, and where to act.

[002] lists correlation/driver analysis among its six techniques and [003] the four-factor drivers
(product, price, channel, competitor); the relative-importance measures (Shapley R² decomposition,
Johnson's relative weights) and the importance–performance quadrants are external (Lindeman, Merenda &
Gold 1980; Johnson 2000; Martilla & James 1977).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from kit.errors import KitError
from kit.results import Result
from kit.scores import clean_frame
from kit.stats import check_confidence
from kit.weights import check as check_weights

MAX_SHAPLEY_DRIVERS = 15
"""Exact Shapley needs all 2^p subsets: 32,768 small regressions at p = 15 (well under a second, but each
bootstrap replicate costs as much again)."""
BATCH_CELLS = 2**22
"""Bootstrap replicates are computed in batches of about this many array cells (≈ 32 MB of float64)."""
METHODS = ("shapley", "johnson")
QUADRANTS = ("concentrate", "keep_up", "low_priority", "overkill")
"""Importance–performance quadrants (external: Martilla & James 1977): concentrate here (high importance,
low performance), keep up the good work (high, high), low priority (low, low), possible overkill (low, high)."""


def quadrant_name(quadrant: str, lang: str | None = None) -> str:
    """Display name of an importance–performance quadrant.

    >>> quadrant_name("concentrate", "en"), quadrant_name("concentrate", "zh")
    ('Concentrate here', '重点改进')
    """
    from kit.i18n import t

    return t(f"models.ipa.quadrants.{quadrant}", lang)


@dataclass(frozen=True, repr=False)
class KeyDrivers(Result):
    """Key drivers of ``outcome``.

    ``table``, indexed by driver in the order given: Pearson ``r`` with the outcome, relative
    ``importance`` (sums to ``r2``) with its percentile bootstrap interval ``ci_low``–``ci_high`` (NaN when
    ``n_boot`` = 0), its ``share`` of ``r2``, ``rank`` (1 = most important), ``performance`` (the driver's
    mean) and the importance–performance ``quadrant``. ``r2``: R² of the full linear model; ``n`` complete
    respondents; ``n_excluded`` left out for a missing value; ``n_boot`` bootstrap replicates. ``ranking``
    lists the drivers from most to least important; ``to_frame()`` returns ``table``.
    """

    outcome: str
    method: str
    r2: float
    n: int
    n_excluded: int
    n_boot: int
    table: pd.DataFrame = field(repr=False)

    @property
    def ranking(self) -> list[str]:
        return self.table.sort_values("rank").index.tolist()


def subset_r2(R: np.ndarray, p: int) -> np.ndarray:
    """R² of the regression of the outcome on every subset of the ``p`` predictors, from the correlation
    matrix ``R`` of (predictors…, outcome): :math:`R^2(S) = r_S^\\top R_{SS}^{+} r_S`.

    Entry ``m`` of the last axis belongs to the subset whose members are the set bits of ``m``. Vectorised
    per subset size (a stack of pseudo-inverses), so collinear predictors give the R² of their span instead
    of failing, and over any leading axes of ``R`` (a stack of correlation matrices gives a stack of rows).

    >>> R = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])
    >>> subset_r2(R, 2).round(2).tolist()     # {}, {x1}, {x2}, {x1, x2}
    [0.0, 0.36, 0.09, 0.45]
    """
    Rxx, rxy = R[..., :p, :p], R[..., :p, p]
    r2 = np.zeros((*R.shape[:-2], 2**p))
    for size in range(1, p + 1):
        idx = np.array(list(combinations(range(p), size)))
        Rss = Rxx[..., idx[:, :, None], idx[:, None, :]]
        rs = rxy[..., idx]
        solution = np.linalg.pinv(Rss, hermitian=True) @ rs[..., None]
        r2[..., (1 << idx).sum(axis=1)] = np.einsum("...cs,...cs->...c", rs, solution[..., 0])
    return r2


def shapley_importance(R: np.ndarray, p: int) -> np.ndarray:
    """Shapley (LMG) decomposition of R²: each predictor's average gain in R² when it joins a subset.

    .. math::

        \\phi_j = \\sum_{S \\subseteq P \\setminus \\{j\\}} \\frac{|S|!\\,(p - |S| - 1)!}{p!}
        \\left[R^2(S \\cup \\{j\\}) - R^2(S)\\right]

    (external: Lindeman, Merenda & Gold 1980; Grömping 2007). The :math:`\\phi_j` are non-negative and sum
    to the full model's R² (efficiency); interchangeable predictors get equal shares (symmetry). Vectorised
    over leading axes of ``R``, as :func:`subset_r2`.

    >>> R = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])
    >>> shapley_importance(R, 2).round(2).tolist()   # uncorrelated drivers: r² each
    [0.36, 0.09]
    """
    r2 = subset_r2(R, p)
    masks = np.arange(2**p)
    sizes = sum((masks >> b) & 1 for b in range(p)) if p else np.zeros(1, dtype=int)
    weight = np.array([math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p) if s < p else 0.0
                       for s in range(p + 1)])
    phi = np.empty((*R.shape[:-2], p))
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        phi[..., j] = (r2[..., without | (1 << j)] - r2[..., without]) @ weight[sizes[without]]
    return phi


def johnson_weights(R: np.ndarray, p: int) -> np.ndarray:
    """Johnson's relative weights: R² split over the predictors through their best orthogonal approximation.

    With :math:`R_{xx} = V \\Lambda V^\\top`, :math:`\\Lambda^* = V \\Lambda^{1/2} V^\\top` (correlations of
    the predictors with orthogonal variables Z), :math:`\\beta = \\Lambda^{*+} r_{xy}` (regression of the
    outcome on Z) and :math:`\\varepsilon_j = \\sum_k \\lambda^{*2}_{jk} \\beta_k^2` (external: Johnson 2000).
    The weights sum to R²; they approximate the Shapley values and scale to many predictors. Vectorised over
    leading axes of ``R``.

    >>> R = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])
    >>> johnson_weights(R, 2).round(2).tolist()
    [0.36, 0.09]
    """
    evals, evecs = np.linalg.eigh(R[..., :p, :p])
    lam = (evecs * np.sqrt(np.clip(evals, 0.0, None))[..., None, :]) @ np.swapaxes(evecs, -1, -2)
    beta = np.linalg.pinv(lam, hermitian=True) @ R[..., :p, p, None]
    return ((lam**2) @ (beta**2))[..., 0]


def _correlations(data: np.ndarray, weights: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """Weighted correlation matrices of the columns of ``data`` (n × k), one per row of ``weights`` (B × n),
    from weighted moments: r_jl = cov_w(x_j, x_l) / √(var_w(x_j) · var_w(x_l)). A column constant among the
    rows a replicate weights (a resample that missed its other values) gets correlation 0 with the others.
    ``rows``: how many respondents each row of ``data`` stands for (one each by default), for that test."""
    centred = data - np.average(data, axis=0, weights=rows)
    k = data.shape[1]
    upper = np.triu_indices(k)
    total = weights.sum(axis=1)[:, None]
    mean = weights @ centred / total
    products = centred[:, upper[0]] * centred[:, upper[1]]
    moments = weights @ products / total - mean[:, upper[0]] * mean[:, upper[1]]
    cov = np.empty((len(weights), k, k))
    cov[:, upper[0], upper[1]] = cov[:, upper[1], upper[0]] = moments
    var = np.diagonal(cov, axis1=1, axis2=2)
    flat = var <= 1e-12 * np.average(centred**2, axis=0, weights=rows)  # a constant column's rounding error
    sd = np.sqrt(np.where(flat, np.inf, var))
    R = cov / (sd[:, :, None] * sd[:, None, :])
    R[:, np.arange(k), np.arange(k)] = 1.0
    return R


def _distinct(data: np.ndarray, w: np.ndarray):
    """Respondents with the same answers and weight are interchangeable: the distinct rows of ``data`` with
    their weights (G × k, G), how many respondents each stands for (G), and which one each respondent is (n,
    in the smallest integer type that holds G: the table a bootstrap looks every draw up in stays small)."""
    frame = pd.DataFrame(np.column_stack([data, w]))
    row_of = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
    first = np.empty(row_of.max() + 1, dtype=np.int64)
    first[row_of[::-1]] = np.arange(len(row_of))[::-1]
    size = np.bincount(row_of, minlength=len(first)).astype(float)
    return data[first], w[first], size, row_of.astype(np.min_scalar_type(len(first)))


def _bootstrap(distinct, p: int, importance, n_boot: int, seed, ci: float):
    """Percentile interval of ``importance`` over ``n_boot`` resamples of the respondents, in batches.

    ``distinct`` is :func:`_distinct` of the respondents: a replicate only counts how often it drew each
    distinct row, so beyond the n draws its cost is that of G rows (a few thousand for ratings on a 1–5
    scale), not n."""
    values, weight, size, row_of = distinct
    n, g = len(row_of), len(values)
    rng = np.random.default_rng(seed)
    subsets = p * 2**p if importance is shapley_importance else p * p  # cells of a replicate's own arrays
    batch = min(n_boot, max(1, BATCH_CELLS // max(g, subsets)))
    replicates = []
    for start in range(0, n_boot, batch):
        resample = np.empty((min(batch, n_boot - start), g))  # each distinct row's weight in each replicate
        for row in resample:
            row[:] = np.bincount(np.take(row_of, rng.integers(0, n, n)), minlength=g)
        resample *= weight
        replicates.append(importance(_correlations(values, resample, size), p))
    return np.percentile(np.concatenate(replicates), [50 * (1 - ci), 50 * (1 + ci)], axis=0)


def key_drivers(df: pd.DataFrame, outcome: str, drivers, method: str = "shapley", *, weights=None,
                n_boot: int | None = None, seed=0, ci: float = 0.95, errors: str = "raise") -> KeyDrivers:
    """Relative importance of each driver for the outcome, its bootstrap interval, and its
    importance–performance quadrant.

    The importances split the R² of the linear regression of ``outcome`` on all ``drivers``, computed from
    the correlation matrix: ``method="shapley"`` (default) is the exact Shapley/LMG decomposition over all
    :math:`2^p` subsets, :math:`R^2(S) = r_S^\\top R_{SS}^{-1} r_S` (external: Lindeman, Merenda & Gold
    1980; see :func:`shapley_importance`), up to :data:`MAX_SHAPLEY_DRIVERS` drivers;
    ``method="johnson"`` uses Johnson's relative weights (external: Johnson 2000; see
    :func:`johnson_weights`). Unlike regression coefficients, both stay meaningful when the drivers are
    correlated, as satisfaction ratings usually are. ``share`` = importance / R².

    ``ci_low``–``ci_high`` is the percentile bootstrap interval (external: Efron & Tibshirani 1993, ch. 13):
    the n complete respondents (with a positive weight) are resampled with replacement ``n_boot`` times —
    replicate b takes rows ``rng.integers(0, n, n)`` of ``rng = np.random.default_rng(seed)``, in order —
    the importances are recomputed from each resample's correlation matrix, and the interval runs between
    their (1 − ``ci``)/2 and (1 + ``ci``)/2 percentiles (numpy's linear interpolation). A driver constant in
    a resample explains nothing there (importance 0). ``n_boot=0`` skips it (NaN intervals). The time grows
    as ``n_boot`` · 2^p for Shapley: 1,000 replicates take about 0.2 s for 4 drivers on 2,000 respondents,
    8 s for 10 drivers and 7 minutes for 15. So the default ``n_boot=None`` is 1,000 replicates, except for
    Shapley with more than 10 drivers: 100 (rougher intervals, under a minute; ``method="johnson"`` gives
    1,000 replicates in under a second there). Respondents with the same answers and weight are counted
    together, so a replicate costs its n draws plus its distinct answer rows: 1,000 replicates on a million
    respondents rating 1–5 take a few seconds.

    ``weights``: survey (respondent) weights, a column name or one value per row; correlations, R² (that of
    weighted least squares) and performances are then weighted, and each bootstrap replicate keeps the
    resampled respondents' weights.

    Importance–performance analysis (external: Martilla & James 1977): each driver's importance is plotted
    against its performance (mean rating) and the plane is split at the mean importance (R²/p) and the
    mean of the drivers' performances (a value on the line counts as high):

    * ``concentrate`` — high importance, low performance: concentrate here (the shortfall 服务短板 [003]);
    * ``keep_up`` — high, high: keep up the good work;
    * ``low_priority`` — low, low;
    * ``overkill`` — low importance, high performance: possible overkill.

    The split at the means compares drivers with each other, so the drivers should share one scale
    (e.g. the four-factor items ``f_product`` … ``f_competitor``, 1–5 [003]). Relative importance is
    association, not proof of cause.

    Respondents with a missing outcome or driver are left out (listwise deletion) and counted in
    ``n_excluded``; text like ``"4分"`` is parsed. Fewer than p + 2 complete respondents (with a positive
    weight) raise ``KitError('drivers_too_few_rows')``, with or without the bootstrap.

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.integers(1, 6, size=(500, 3)), columns=["f_product", "f_price", "f_channel"])
    >>> df["csat"] = 0.6 * df.f_price + 0.3 * df.f_product + rng.normal(0, 0.5, 500)
    >>> res = key_drivers(df, "csat", ["f_product", "f_price", "f_channel"])
    >>> res.ranking, round(res.r2, 2), round(float(res.table["importance"].sum()), 2)
    (['f_price', 'f_product', 'f_channel'], 0.81, 0.81)
    >>> res.table.loc["f_price", ["ci_low", "importance", "ci_high"]].astype(float).round(2).tolist()
    [0.58, 0.63, 0.67]
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if n_boot is not None and (isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0):
        raise ValueError(f"n_boot must be a whole number ≥ 0; got {n_boot!r}")
    ci = check_confidence(ci)
    drivers = [drivers] if isinstance(drivers, str) else list(drivers)
    if outcome in drivers:
        raise KitError("drivers_outcome_is_driver", outcome=outcome)
    named_weights = [weights] if isinstance(weights, str) else []
    missing = [c for c in [outcome, *drivers, *named_weights] if c not in df.columns]
    if missing:
        raise KitError("model_columns_missing", columns=", ".join(map(str, missing)),
                       available=", ".join(map(str, df.columns)))
    p = len(drivers)
    if p == 0:
        raise KitError("drivers_too_few", p=p)
    if method == "shapley" and p > MAX_SHAPLEY_DRIVERS:
        raise KitError("drivers_too_many", p=p, max_drivers=MAX_SHAPLEY_DRIVERS)
    if n_boot is None:
        n_boot = 100 if method == "shapley" and p > 10 else 1000
    w = np.ones(len(df)) if weights is None else check_weights(
        df[weights] if named_weights else weights, len(df), name=weights if named_weights else "weights")

    values, _ = clean_frame(df[[*drivers, outcome]], name="key drivers", errors=errors)
    complete = values.notna().all(axis=1).to_numpy()
    n, n_excluded = int(complete.sum()), int((~complete).sum())
    counted = complete & (w > 0)  # a respondent with weight 0 takes no part, in the bootstrap either
    data, w = values.to_numpy()[counted], w[counted]
    if len(data) < p + 2:
        raise KitError("drivers_too_few_rows", n=len(data), p=p, needed=p + 2)
    constant = [c for c, flat in zip([*drivers, outcome], np.ptp(data, axis=0) == 0, strict=True) if flat]
    if constant:
        raise KitError("drivers_constant", columns=", ".join(map(str, constant)), n=len(data))

    estimate = shapley_importance if method == "shapley" else johnson_weights
    distinct = _distinct(data, w)
    values, weight, size, _ = distinct
    R = _correlations(values, (size * weight)[None, :], size)[0]
    importance = estimate(R, p)
    r2 = float(R[:p, p] @ np.linalg.pinv(R[:p, :p], hermitian=True) @ R[:p, p])
    low, high = _bootstrap(distinct, p, estimate, n_boot, seed, ci) if n_boot else np.full((2, p), np.nan)
    performance = w @ data[:, :p] / w.sum()
    high_importance = importance >= importance.mean()
    high_performance = performance >= performance.mean()
    quadrant = np.select(
        [high_importance & ~high_performance, high_importance & high_performance, ~high_importance & ~high_performance],
        ["concentrate", "keep_up", "low_priority"],
        "overkill",
    )
    table = pd.DataFrame(
        {
            "r": R[:p, p],
            "importance": importance,
            "ci_low": low,
            "ci_high": high,
            "share": importance / r2 if r2 > 0 else np.nan,
            "rank": pd.Series(importance).rank(ascending=False, method="min").astype(int).to_numpy(),
            "performance": performance,
            "quadrant": quadrant,
        },
        index=pd.Index(drivers, name="driver"),
    )
    return KeyDrivers(outcome=outcome, method=method, r2=r2, n=n, n_excluded=n_excluded, n_boot=n_boot,
                      table=table)
