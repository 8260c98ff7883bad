"""Scale reliability (信度分析): Cronbach's alpha with its Feldt interval and an item analysis.

Cronbach's alpha is an external definition (Cronbach 1951); none of the seeds gives it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kit.errors import KitError
from kit.results import Result
from kit.scores import clean_frame
from kit.stats import f_quantile

ACCEPTABLE_ALPHA = 0.7
"""Rule of thumb for an acceptable alpha (Nunnally 1978, external)."""


# --- Cronbach's alpha -----------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class CronbachAlpha(Result):
    """Cronbach's alpha of a set of items.

    ``alpha`` and its Feldt interval ``ci``; ``n`` complete respondents used, ``k`` items, ``n_excluded``
    respondents left out for a missing item; ``items``: per item ``mean``, ``sd``, ``r_corrected``
    (correlation with the sum of the other items), ``alpha_if_deleted`` and ``raises_alpha`` (deleting the
    item would raise alpha — a candidate to drop). ``to_frame()`` is the one-row summary; the item table is
    ``.items``.
    """

    alpha: float
    ci: tuple[float, float]
    n: int
    k: int
    n_excluded: int
    items: pd.DataFrame = field(repr=False)


def cronbach_alpha(items, ci: float = 0.95, *, errors: str = "raise") -> CronbachAlpha:
    """Cronbach's alpha (内部一致性信度) of an item matrix (external: Cronbach 1951).

    .. math::

        \\alpha = \\frac{k}{k - 1}\\left(1 - \\frac{\\sum_i \\sigma_i^2}{\\sigma_T^2}\\right)

    with :math:`k` items, item variances :math:`\\sigma_i^2` and the variance :math:`\\sigma_T^2` of the
    respondents' total scores (both with ``ddof=1``; alpha does not depend on the choice).

    The interval is Feldt's (external: Feldt 1965; Feldt, Woodruff & Salih 1987): with
    :math:`d_1 = n - 1`, :math:`d_2 = (n - 1)(k - 1)` and :math:`\\gamma = 1 -` ``ci``,

    .. math::

        \\left[1 - (1 - \\hat\\alpha) F_{1-\\gamma/2}(d_1, d_2),\\;
              1 - (1 - \\hat\\alpha) F_{\\gamma/2}(d_1, d_2)\\right]

    — the interval of ``pingouin.cronbach_alpha`` and of R's ``psych::alpha``.

    Interpretation: alpha ≥ 0.7 is the usual threshold for an acceptable scale (external: Nunnally 1978);
    a very high alpha (≥ 0.95) can mean redundant items. Alpha is not a test of unidimensionality.

    Parameters
    ----------
    items : DataFrame or 2-D array, respondents × items (at least 2 items). Text such as ``"4分"`` is
        parsed; other text raises ``KitError('items_not_numeric')``, or with ``errors="coerce"`` counts as
        missing (with a warning).
    ci : confidence level of the interval.

    Respondents with any missing item are left out (listwise deletion) and counted in ``n_excluded``.
    When all respondents give the same total (zero variance) alpha is undefined and returned as NaN, as is
    an item's ``r_corrected`` when the item or the rest is constant, and ``alpha_if_deleted`` when only one
    item would remain. No complete respondent at all raises ``KitError('reliability_no_complete_rows')``.

    >>> X = [[1, 2, 2], [2, 2, 3], [3, 4, 3], [4, 4, 5], [5, 5, 4]]
    >>> res = cronbach_alpha(X)
    >>> round(res.alpha, 4)      # k = 3, Σσᵢ² = 2.5 + 1.8 + 1.3 = 5.6, σ_T² = 14.7 → 1.5 · (1 − 5.6/14.7)
    0.9286
    >>> res.items.round(3)[["r_corrected", "alpha_if_deleted"]]  # doctest: +NORMALIZE_WHITESPACE
            r_corrected  alpha_if_deleted
    item
    item_1        0.971             0.808
    item_2        0.872             0.882
    item_3        0.776             0.964
    """
    if not 0.0 < ci < 1.0:
        raise ValueError("ci must be between 0 and 1")
    frame = pd.DataFrame(items)
    if not isinstance(items, pd.DataFrame):
        frame.columns = [f"item_{j + 1}" for j in range(frame.shape[1])]
    k = frame.shape[1]
    if k < 2:
        raise KitError("reliability_too_few_items", k=k)
    values, _ = clean_frame(frame, name="items", errors=errors)
    complete = values.notna().all(axis=1).to_numpy()
    n, n_excluded = int(complete.sum()), int((~complete).sum())
    if n == 0:
        raise KitError("reliability_no_complete_rows", n_rows=len(frame), k=k)
    X = values.to_numpy()[complete]

    nan = float("nan")
    constant = np.ptp(X, axis=0) == 0
    if n >= 2:
        C = np.cov(X, rowvar=False)
        C[constant, :] = 0.0  # exact zeros for constant items
        C[:, constant] = 0.0
        item_var = np.diag(C)
        total_var = C.sum()
        total_constant = np.ptp(X.sum(axis=1)) == 0
        alpha = nan if total_constant else k / (k - 1) * (1 - item_var.sum() / total_var)
    else:
        C = np.full((k, k), nan)
        item_var = np.full(k, nan)
        alpha = nan

    # item analysis, vectorised over items: the "rest" score is the total minus the item
    with np.errstate(invalid="ignore", divide="ignore"):
        row_sums = C.sum(axis=1)
        cov_rest = row_sums - item_var
        var_rest = C.sum() - 2 * row_sums + item_var
        rest_constant = np.ptp(X.sum(axis=1, keepdims=True) - X, axis=0) == 0
        r_corrected = np.where(constant | rest_constant, nan, cov_rest / np.sqrt(item_var * var_rest))
        if k >= 3:
            alpha_deleted = (k - 1) / (k - 2) * (1 - (item_var.sum() - item_var) / var_rest)
            alpha_deleted = np.where(rest_constant, nan, alpha_deleted)
        else:
            alpha_deleted = np.full(k, nan)
    table = pd.DataFrame(
        {
            "mean": X.mean(axis=0),
            "sd": np.sqrt(item_var),
            "r_corrected": r_corrected,
            "alpha_if_deleted": alpha_deleted,
        },
        index=pd.Index(frame.columns, name="item"),
    )
    table["raises_alpha"] = table["alpha_if_deleted"] > alpha

    if n >= 2 and math.isfinite(alpha):
        d1, d2 = n - 1, (n - 1) * (k - 1)
        gamma = 1.0 - ci
        interval = (1 - (1 - alpha) * f_quantile(1 - gamma / 2, d1, d2), 1 - (1 - alpha) * f_quantile(gamma / 2, d1, d2))
    else:
        interval = (nan, nan)
    return CronbachAlpha(alpha=float(alpha), ci=interval, n=n, k=k, n_excluded=n_excluded, items=table)
