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

MAX_SHAPLEY_DRIVERS = 15
"""Exact Shapley needs all 2^p subsets: 32,768 small regressions at p = 15 (well under a second)."""
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
    ``importance`` (sums to ``r2``), its ``share`` of ``r2``, ``rank`` (1 = most important), ``performance``
    (the driver's mean) and the importance–performance ``quadrant``. ``r2``: R² of the full linear model;
    ``n`` complete respondents; ``n_excluded`` left out for a missing value. ``ranking`` lists the drivers
    from most to least important; ``to_frame()`` returns ``table``.
    """

    outcome: str
    method: str
    r2: float
    n: int
    n_excluded: int
    table: pd.DataFrame = field(repr=False)

    @property
    def ranking(self) -> list[str]:
        return self.table.sort_values("rank").index.tolist()


def subset_r2(R: np.ndarray, p: int) -> np.ndarray:
    """R² of the regression of the outcome on every subset of the ``p`` predictors, from the correlation
    matrix ``R`` of (predictors…, outcome): :math:`R^2(S) = r_S^\\top R_{SS}^{+} r_S`.

    Entry ``m`` belongs to the subset whose members are the set bits of ``m``. Vectorised per subset size
    (a stack of pseudo-inverses), so collinear predictors give the R² of their span instead of failing.

    >>> R = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])
    >>> subset_r2(R, 2).round(2).tolist()     # {}, {x1}, {x2}, {x1, x2}
    [0.0, 0.36, 0.09, 0.45]
    """
    Rxx, rxy = R[:p, :p], R[:p, p]
    r2 = np.zeros(2**p)
    for size in range(1, p + 1):
        idx = np.array(list(combinations(range(p), size)))
        Rss = Rxx[idx[:, :, None], idx[:, None, :]]
        rs = rxy[idx]
        solution = np.linalg.pinv(Rss, hermitian=True) @ rs[..., None]
        r2[(1 << idx).sum(axis=1)] = np.einsum("cs,cs->c", rs, solution[..., 0])
    return r2


def shapley_importance(R: np.ndarray, p: int) -> np.ndarray:
    """Shapley (LMG) decomposition of R²: each predictor's average gain in R² when it joins a subset.

    .. math::

        \\phi_j = \\sum_{S \\subseteq P \\setminus \\{j\\}} \\frac{|S|!\\,(p - |S| - 1)!}{p!}
        \\left[R^2(S \\cup \\{j\\}) - R^2(S)\\right]

    (external: Lindeman, Merenda & Gold 1980; Grömping 2007). The :math:`\\phi_j` are non-negative and sum
    to the full model's R² (efficiency); interchangeable predictors get equal shares (symmetry).

    >>> R = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])
    >>> shapley_importance(R, 2).round(2).tolist()   # uncorrelated drivers: r² each
    [0.36, 0.09]
    """
    r2 = subset_r2(R, p)
    masks = np.arange(2**p)
    sizes = sum((masks >> b) & 1 for b in range(p)) if p else np.zeros(1, dtype=int)
    weight = np.array([math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p) if s < p else 0.0
                       for s in range(p + 1)])
    phi = np.empty(p)
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        phi[j] = np.sum(weight[sizes[without]] * (r2[without | (1 << j)] - r2[without]))
    return phi


def johnson_weights(R: np.ndarray, p: int) -> np.ndarray:
    """Johnson's relative weights: R² split over the predictors through their best orthogonal approximation.

    With :math:`R_{xx} = V \\Lambda V^\\top`, :math:`\\Lambda^* = V \\Lambda^{1/2} V^\\top` (correlations of
    the predictors with orthogonal variables Z), :math:`\\beta = \\Lambda^{*+} r_{xy}` (regression of the
    outcome on Z) and :math:`\\varepsilon_j = \\sum_k \\lambda^{*2}_{jk} \\beta_k^2` (external: Johnson 2000).
    The weights sum to R²; they approximate the Shapley values and scale to many predictors.

    >>> R = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.3], [0.6, 0.3, 1.0]])
    >>> johnson_weights(R, 2).round(2).tolist()
    [0.36, 0.09]
    """
    evals, evecs = np.linalg.eigh(R[:p, :p])
    lam = evecs @ np.diag(np.sqrt(np.clip(evals, 0.0, None))) @ evecs.T
    beta = np.linalg.pinv(lam, hermitian=True) @ R[:p, p]
    return (lam**2) @ (beta**2)


def key_drivers(df: pd.DataFrame, outcome: str, drivers, method: str = "shapley", *,
                errors: str = "raise") -> KeyDrivers:
    """Relative importance of each driver for the outcome, and its importance–performance quadrant.

    The importances split the R² of the linear regression of ``outcome`` on all ``drivers``, computed from
    the correlation matrix: ``method="shapley"`` (default) is the exact Shapley/LMG decomposition over all
    :math:`2^p` subsets, :math:`R^2(S) = r_S^\\top R_{SS}^{-1} r_S` (external: Lindeman, Merenda & Gold
    1980; see :func:`shapley_importance`), up to :data:`MAX_SHAPLEY_DRIVERS` drivers;
    ``method="johnson"`` uses Johnson's relative weights (external: Johnson 2000; see
    :func:`johnson_weights`). Unlike regression coefficients, both stay meaningful when the drivers are
    correlated, as satisfaction ratings usually are. ``share`` = importance / R².

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
    ``n_excluded``; text like ``"4分"`` is parsed.

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.integers(1, 6, size=(500, 3)), columns=["f_product", "f_price", "f_channel"])
    >>> df["csat"] = 0.6 * df.f_price + 0.3 * df.f_product + rng.normal(0, 0.5, 500)
    >>> res = key_drivers(df, "csat", ["f_product", "f_price", "f_channel"])
    >>> res.ranking, round(res.r2, 2), round(float(res.table["importance"].sum()), 2)
    (['f_price', 'f_product', 'f_channel'], 0.81, 0.81)
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    drivers = [drivers] if isinstance(drivers, str) else list(drivers)
    if outcome in drivers:
        raise KitError("drivers_outcome_is_driver", outcome=outcome)
    missing = [c for c in [outcome, *drivers] if c not in df.columns]
    if missing:
        raise KitError("model_columns_missing", columns=", ".join(map(str, missing)),
                       available=", ".join(map(str, df.columns)))
    p = len(drivers)
    if p == 0:
        raise KitError("drivers_too_few", p=p)
    if method == "shapley" and p > MAX_SHAPLEY_DRIVERS:
        raise KitError("drivers_too_many", p=p, max_drivers=MAX_SHAPLEY_DRIVERS)

    values, _ = clean_frame(df[[*drivers, outcome]], name="key drivers", errors=errors)
    complete = values.notna().all(axis=1).to_numpy()
    n, n_excluded = int(complete.sum()), int((~complete).sum())
    if n < p + 2:
        raise KitError("drivers_too_few_rows", n=n, p=p, needed=p + 2)
    data = values.to_numpy()[complete]
    constant = [c for c, flat in zip([*drivers, outcome], np.ptp(data, axis=0) == 0, strict=True) if flat]
    if constant:
        raise KitError("drivers_constant", columns=", ".join(map(str, constant)), n=n)

    R = np.corrcoef(data, rowvar=False)
    importance = shapley_importance(R, p) if method == "shapley" else johnson_weights(R, p)
    r2 = float(R[:p, p] @ np.linalg.pinv(R[:p, :p], hermitian=True) @ R[:p, p])
    performance = data[:, :p].mean(axis=0)
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
            "share": importance / r2 if r2 > 0 else np.nan,
            "rank": pd.Series(importance).rank(ascending=False, method="min").astype(int).to_numpy(),
            "performance": performance,
            "quadrant": quadrant,
        },
        index=pd.Index(drivers, name="driver"),
    )
    return KeyDrivers(outcome=outcome, method=method, r2=r2, n=n, n_excluded=n_excluded, table=table)
