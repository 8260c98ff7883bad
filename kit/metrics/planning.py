"""How many answers a survey needs: for a proportion within ± a margin, for an NPS within ± a margin in
points, and per group to detect an NPS change."""

from __future__ import annotations

import math
from statistics import NormalDist

from kit.errors import KitError
from kit.stats import z_crit

from .arguments import check_positive, check_share, check_whole
from .estimates import _nps_variance


def sample_size(margin: float, confidence: float = 0.95, p: float = 0.5,
                population: int | None = None) -> int:
    """Responses needed to estimate a proportion within ± ``margin`` (Cochran 1977, external).

    n₀ = z²·p(1−p)/e², with z = z_{1−α/2} and e = ``margin`` as a proportion (0.05 = ±5 points); p = 0.5
    is the most cautious guess. With a finite ``population`` N, the correction n = n₀ / (1 + (n₀ − 1)/N)
    applies. The result is rounded up. For an NPS use :func:`nps_sample_size`: its variance is up to four
    times that of a proportion.

    >>> sample_size(0.05)
    385
    >>> sample_size(0.05, population=1000)
    278
    """
    e = check_share("margin", margin)
    p = check_share("p", p)
    return _finite(z_crit(confidence) ** 2 * p * (1 - p) / e**2, population)


def _finite(n0: float, population) -> int:
    """n₀ with the finite-population correction n₀ / (1 + (n₀ − 1)/N) when N is given, rounded up."""
    if population is not None:
        population = check_whole("population", population, 1, math.inf)
        n0 = n0 / (1 + (n0 - 1) / population)
    return max(math.ceil(n0 - 1e-9), 1)


def _nps_planning_variance(promoters, detractors) -> float:
    if not (isinstance(promoters, (int, float)) and isinstance(detractors, (int, float))
            and not isinstance(promoters, bool) and not isinstance(detractors, bool)
            and 0 <= promoters <= 1 and 0 <= detractors <= 1 and promoters + detractors <= 1):
        raise KitError("metrics_bad_nps_shares", promoters=promoters, detractors=detractors)
    return float(_nps_variance(promoters, detractors))


def nps_sample_size(margin: float | None = None, *, change: float | None = None, confidence: float = 0.95,
                    power: float = 0.8, promoters: float = 0.5, detractors: float = 0.5,
                    population: int | None = None) -> int:
    """Responses needed for an NPS within ± ``margin`` points, or per group to detect a ``change`` in points.

    With V = p_P + p_D − (p_P − p_D)², the per-response variance of :func:`kit.metrics.nps` in proportion
    units (multinomial; external):

    - ``margin`` e (points): n = z²_{1−α/2}·V / (e/100)², with the finite-population correction when
      ``population`` is given (as :func:`sample_size`, Cochran 1977, external). A proportion's formula
      (p(1−p) ≤ ¼) understates this n by 1.8–4×, since V can reach 1.
    - ``change`` Δ (points): n per group = (z_{1−α/2} + z_{power})²·2V / (Δ/100)² (two-sample z test, both
      groups at the planning shares; external, the usual power formula, e.g. Cohen 1988).

    The defaults p_P = p_D = 0.5 give the largest possible variance (V = 1), the cautious choice; pass
    the shares you expect for a smaller n. Give exactly one of ``margin`` and ``change``.

    >>> nps_sample_size(5)
    1537
    >>> nps_sample_size(5, promoters=0.35, detractors=0.30)
    995
    >>> nps_sample_size(change=10), nps_sample_size(change=10, promoters=0.35, detractors=0.30)
    (1570, 1017)
    """
    if (margin is None) == (change is None):
        raise KitError("metrics_margin_or_change")
    variance = _nps_planning_variance(promoters, detractors)
    wanted = margin if change is None else change
    if isinstance(wanted, (int, float)) and not isinstance(wanted, bool):
        wanted = abs(wanted)
    delta = check_positive("change" if margin is None else "margin", wanted) / 100
    if delta > 2:
        raise KitError("metrics_bad_number", param="change" if margin is None else "margin", value=wanted,
                       minimum=0)
    if change is None:
        return _finite(z_crit(confidence) ** 2 * variance / delta**2, population)
    z_sum = z_crit(confidence) + NormalDist().inv_cdf(check_share("power", power))
    return max(math.ceil(z_sum**2 * 2 * variance / delta**2 - 1e-9), 1)
