"""Critical values for confidence intervals (normal, Student t and F quantiles; scipy, loaded on first use)
and the Wilson interval for proportions."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from kit.errors import KitError


def check_confidence(confidence) -> float:
    """``confidence`` as a float strictly between 0 and 1, else a KitError.

    >>> check_confidence(0.9)
    0.9
    """
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise KitError("metrics_bad_confidence", value=confidence)
    return float(confidence)


def z_crit(confidence: float) -> float:
    """Two-sided normal critical value z₍₁₋α/₂₎.

    >>> round(z_crit(0.95), 4)
    1.96
    """
    return NormalDist().inv_cdf(0.5 + check_confidence(confidence) / 2)


def t_crit(df, confidence: float):
    """Two-sided Student t critical value t₍₁₋α/₂, df₎, vectorised over ``df``; NaN where df < 1.

    >>> round(float(t_crit(10, 0.95)), 4)   # textbook table value 2.228
    2.2281
    """
    from scipy.special import stdtrit

    df = np.asarray(df, dtype=float)
    return stdtrit(np.where(df >= 1, df, np.nan), 0.5 + check_confidence(confidence) / 2)


def f_quantile(q: float, d1: float, d2: float) -> float:
    """Quantile ``q`` of the F distribution with ``d1`` and ``d2`` degrees of freedom.

    >>> round(f_quantile(0.95, 3, 10), 4)   # textbook table value 3.71
    3.7083
    """
    from scipy.special import fdtri

    return float(fdtri(d1, d2, q))


def wilson(k, n, z: float):
    """Wilson (1927, external) score interval for k successes in n trials, as proportions, vectorised;
    NaN where n = 0: centre (p + z²/2n)/(1 + z²/n) ± z·√(p(1−p)/n + z²/4n²)/(1 + z²/n).

    >>> [round(float(x), 4) for x in wilson(8, 10, z_crit(0.95))]
    [0.4902, 0.9433]
    """
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.asarray(k, dtype=float) / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def holm(p_values) -> np.ndarray:
    """Holm's (1979, external) step-down adjusted p-values, vectorised; NaN entries are left out of the
    family and stay NaN. Controls the family-wise error rate: reject where adjusted p < α.

    p₍ᵢ₎ sorted ascending among m tests: adjusted p₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎).

    >>> holm([0.01, 0.04, 0.03, float("nan")]).round(2).tolist()
    [0.03, 0.06, 0.06, nan]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    order = tested[np.argsort(p[tested], kind="stable")]
    m = len(order)
    if m:
        out[order] = np.minimum(1, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    return out


def two_proportions(x_a, n_a, x_b, n_b, z: float):
    """p_a, p_b, p_a − p_b, its Newcombe (1998, method 10, external) interval, and the pooled z test's z and
    two-sided p, vectorised; NaN where n_a or n_b is 0, p = 1 where both groups are all 0 % or all 100 %.

    >>> [round(float(v), 4) for v in two_proportions(40, 50, 30, 50, z_crit(0.95))]
    [0.8, 0.6, 0.2, 0.0201, 0.3636, 2.1822, 0.0291]
    >>> float(two_proportions(3, 10, 0, 0, 1.96)[2])  # an empty group: no difference, no error
    nan
    """
    from scipy.special import ndtr

    x_a, n_a, x_b, n_b = (np.asarray(v, dtype=float) for v in (x_a, n_a, x_b, n_b))
    low_a, high_a = wilson(x_a, n_a, z)
    low_b, high_b = wilson(x_b, n_b, z)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_a, p_b = x_a / n_a, x_b / n_b
        diff = p_a - p_b
        pooled = (x_a + x_b) / (n_a + n_b)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
        stat = diff / se
    p_value = np.where(se == 0, 1.0, 2 * ndtr(-np.abs(stat)))
    return (p_a, p_b, diff, diff - np.hypot(p_a - low_a, high_b - p_b), diff + np.hypot(high_a - p_a, p_b - low_b),
            np.where(se == 0, np.nan, stat), p_value)
