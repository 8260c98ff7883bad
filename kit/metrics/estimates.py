"""NPS, CSAT and CES of one sample, with n, an interval and the method; the difference of two NPS values.

All three metrics are on whole-number scales, so each is computed from a :class:`Tally` — per group and
scale point, the number of respondents, the sum of their weights and of their squared weights (unweighted:
all three are the counts). The scalar functions build a one-row tally; :mod:`kit.metrics.segments` builds
one row per segment; both call the same ``*_table`` function, which works on whole arrays.

Exact where the answer is exact: a share is computed from counts in one step (100·k/n, 100·(P − D)/n), so
7 promoters, 1 passive and 2 detractors give NPS 50.0, not 49.99999999999999.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kit.results import Result
from kit.scores import clean_scores
from kit.stats import check_confidence, t_crit, wilson, z_crit
from kit.weights import check as check_weights
from kit.weights import design_n, effective_n, linearised_mean

from .arguments import check_whole

NPS_BANDS = ("detractor", "passive", "promoter")
"""0–6 detractors, 7–8 passives, 9–10 promoters (Reichheld 2003, external; the same bands in seed [002])."""

NPS_SCALE = (0, 10)
NPS_INTERVAL = "adjusted Wald (Rocks 2016)"
SHARE_INTERVAL = "Wilson score"
MEAN_INTERVAL = "t"
WEIGHTED = "; weighted: linearised se, interval on its effective n (Korn & Graubard 1998)"


def nps_band(scores):
    """Band of each 0–10 score: ``'detractor'`` (0–6), ``'passive'`` (7–8) or ``'promoter'`` (9–10).

    Vectorised over a Series/array; missing scores stay missing.

    >>> list(nps_band([0, 6, 7, 8, 9, 10]))
    ['detractor', 'detractor', 'passive', 'passive', 'promoter', 'promoter']
    """
    scores = pd.Series(scores, dtype="Float64")
    return pd.cut(scores, bins=[-0.5, 6.5, 8.5, 10.5], labels=list(NPS_BANDS))


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class NPSResult(Result):
    """Net Promoter Score in points (−100…100) with its interval; shares are proportions (0–1).
    ``n_eff`` is Kish's effective n of the weights and ``n_ci`` the effective n the interval is built on (both
    = n unweighted); ``method`` names the interval."""

    value: float
    ci: tuple[float, float]
    se: float
    n: int
    n_missing: int
    promoters: float
    passives: float
    detractors: float
    n_dropped: int = field(default=0, repr=False)
    n_dont_know: int = field(default=0, repr=False)
    n_eff: float = field(default=math.nan, repr=False)
    n_ci: float = field(default=math.nan, repr=False)
    method: str = field(default=NPS_INTERVAL, repr=False)


@dataclass(frozen=True, repr=False)
class NPSDiffResult(Result):
    """Difference of two independent NPS values, a − b, in points, with its interval and z-test p-value."""

    diff: float
    ci: tuple[float, float]
    se: float
    z: float
    p_value: float
    nps_a: float
    nps_b: float
    n_a: int
    n_b: int
    a: NPSResult = field(repr=False)
    b: NPSResult = field(repr=False)
    method: str = field(default=NPS_INTERVAL, repr=False)

    def to_dict(self) -> dict:
        """The scalar fields; the two full NPS results (``a``, ``b``) stay on the object."""
        flat = super().to_dict()
        flat.pop("a", None)
        flat.pop("b", None)
        return flat


@dataclass(frozen=True, repr=False)
class CSATResult(Result):
    """CSAT: ``value`` = % of answers in the top boxes (0–100) with its standard error ``se`` and a Wilson
    ``ci`` in % on the effective n ``n_ci``; ``mean`` with a t interval ``mean_ci`` and standard error
    ``mean_se``."""

    value: float
    ci: tuple[float, float]
    mean: float
    mean_ci: tuple[float, float]
    n: int
    n_missing: int
    n_dropped: int = field(default=0, repr=False)
    n_dont_know: int = field(default=0, repr=False)
    mean_se: float = field(default=math.nan, repr=False)
    se: float = field(default=math.nan, repr=False)
    n_eff: float = field(default=math.nan, repr=False)
    n_ci: float = field(default=math.nan, repr=False)
    method: str = field(default=SHARE_INTERVAL, repr=False)


@dataclass(frozen=True, repr=False)
class CESResult(Result):
    """CES: mean effort (lower = easier [000]) with a t interval and its ``se``; share of low-effort answers
    (0–1) with a Wilson interval."""

    value: float
    ci: tuple[float, float]
    n: int
    n_missing: int
    low_effort_share: float
    low_effort_ci: tuple[float, float]
    n_dropped: int = field(default=0, repr=False)
    n_dont_know: int = field(default=0, repr=False)
    se: float = field(default=math.nan, repr=False)
    n_eff: float = field(default=math.nan, repr=False)
    method: str = field(default=MEAN_INTERVAL, repr=False)


# --- tallies and the formulas on them (one implementation each) ---------------------------------


@dataclass(frozen=True)
class Tally:
    """Per group (rows) and scale point (columns): respondents, Σw and Σw² (unweighted: the counts)."""

    counts: np.ndarray
    weights: np.ndarray
    squares: np.ndarray

    @classmethod
    def of(cls, cells: np.ndarray, size: int, weights: np.ndarray | None = None) -> Tally:
        """Tally of flat cell numbers (group · points + point) into ``size`` cells; reshape afterwards."""
        counts = np.bincount(cells, minlength=size)
        if weights is None:
            return cls(counts, counts.astype(float), counts.astype(float))
        return cls(counts, np.bincount(cells, weights, size), np.bincount(cells, weights * weights, size))

    def reshape(self, groups: int, points: int) -> Tally:
        return Tally(*(a.reshape(groups, points) for a in (self.counts, self.weights, self.squares)))

    def rest(self) -> Tally:
        """For each group, the tally of all the other groups (total − group)."""
        return Tally(*(a.sum(axis=0, keepdims=True) - a for a in (self.counts, self.weights, self.squares)))

    def sizes(self):
        """n (respondents), Σw and Kish's effective n of each group."""
        total = self.weights.sum(axis=1)
        return self.counts.sum(axis=1), total, effective_n(total, self.squares.sum(axis=1))


def _share(k, n) -> np.ndarray:
    """k / n as float, NaN where n = 0."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)


def _percent(k, n) -> np.ndarray:
    """100·k / n in one step (exact when the answer is a whole number); NaN where n = 0."""
    return _share(100 * np.asarray(k, dtype=float), n)


def _nps_variance(promoters, detractors):
    """Per-response variance of the NPS in proportion units: p_P + p_D − (p_P − p_D)² (multinomial)."""
    return np.maximum(promoters + detractors - (promoters - detractors) ** 2, 0.0)


def _adjusted_nps(promoters, detractors, n):
    """Rocks' (2016, external) adjusted shares: ¾ added to promoters and to detractors, 3 to n. Returns the
    adjusted NPS (proportion units) and its variance V*/(n + 3); NaN where n is 0 or missing."""
    n = np.asarray(n, dtype=float)
    valid = n > 0
    p = np.where(valid, (n * np.nan_to_num(promoters) + 0.75) / (n + 3), np.nan)
    d = np.where(valid, (n * np.nan_to_num(detractors) + 0.75) / (n + 3), np.nan)
    return p - d, _nps_variance(p, d) / (n + 3)


def _linearised(tally: Tally, values: np.ndarray, n) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the plug-in linearised se of the weighted mean of ``values`` (one per scale point: 0/1
    for a share, −1/0/+1 for NPS; √(V/n) unweighted) and the effective n of its interval
    (:func:`kit.weights.design_n`; n unweighted)."""
    _, se = linearised_mean(values, tally.weights, tally.squares, n, ddof=0)
    return se, design_n(values, tally.weights, tally.squares, n)


NPS_VALUES = np.repeat([-1.0, 0.0, 1.0], [7, 2, 2])
"""The score of each answer 0…10 as an NPS contribution: detractor −1, passive 0, promoter +1."""


def _nps_table(tally: Tally, confidence: float) -> dict:
    """NPS fields for each row of a (groups × 11) tally of the scores 0…10."""
    n, total, n_eff = tally.sizes()
    promoted, detracted = tally.weights[:, 9:].sum(axis=1), tally.weights[:, :7].sum(axis=1)
    promoters, detractors = _share(promoted, total), _share(detracted, total)
    se, n_ci = _linearised(tally, NPS_VALUES, n)
    centre, variance = _adjusted_nps(promoters, detractors, n_ci)
    half = z_crit(confidence) * np.sqrt(variance)
    ci = (np.clip(100 * (centre - half), -100, 100), np.clip(100 * (centre + half), -100, 100))
    return dict(value=_percent(promoted - detracted, total), ci=ci, se=100 * se, n=n, promoters=promoters,
                passives=_share(tally.weights[:, 7:9].sum(axis=1), total), detractors=detractors, n_eff=n_eff,
                n_ci=n_ci)


def _nps_difference(a: dict, b: dict) -> tuple[np.ndarray, np.ndarray]:
    """NPS_a − NPS_b on Rocks' adjusted shares and its se, in points (independent samples)."""
    centre_a, var_a = _adjusted_nps(a["promoters"], a["detractors"], a["n_ci"])
    centre_b, var_b = _adjusted_nps(b["promoters"], b["detractors"], b["n_ci"])
    return 100 * (centre_a - centre_b), 100 * np.sqrt(var_a + var_b)


def _mean_interval(tally: Tally, levels: np.ndarray, confidence: float):
    """Mean of each row's scores, its linearised se (s/√n unweighted) and the t interval
    mean ± t_{1−α/2, n−1}·se (Student 1908, external), clipped to the scale. n = 0: NaN; n = 1: NaN interval."""
    n = tally.counts.sum(axis=1)
    mean, se = linearised_mean(np.broadcast_to(levels, tally.weights.shape), tally.weights, tally.squares, n)
    half = t_crit(n - 1, confidence) * se
    return mean, se, (np.clip(mean - half, levels[0], levels[-1]), np.clip(mean + half, levels[0], levels[-1]))


def _share_interval(part, total, n_ci, confidence: float):
    """Wilson interval of the share part/total on its effective n (= the count, unweighted)."""
    return wilson(_share(part, total) * n_ci, n_ci, z_crit(confidence))


def _share_difference(a: dict, b: dict, share: str, scale: float = 100):
    """Difference of two shares with Agresti & Caffo's (2000, external) adjustment (one success and one
    failure added to each sample) and its se, in ``scale`` units."""
    def adjusted(t):
        n = np.asarray(t["n_ci"], dtype=float)
        p = np.where(n > 0, (n * np.nan_to_num(np.asarray(t[share], dtype=float) / scale) + 1) / (n + 2), np.nan)
        return p, p * (1 - p) / (n + 2)

    (pa, va), (pb, vb) = adjusted(a), adjusted(b)
    return scale * (pa - pb), scale * np.sqrt(va + vb)


def _mean_difference(a: dict, b: dict):
    """Difference of two means and its se √(se_a² + se_b²) (independent samples, normal approximation)."""
    return np.asarray(a["value"]) - np.asarray(b["value"]), np.hypot(a["se"], b["se"])


def _csat_table(tally: Tally, confidence: float, scale: int = 5, top_box: int = 2) -> dict:
    """CSAT fields for each row of a (groups × scale) tally of the scores 1…scale."""
    n, total, n_eff = tally.sizes()
    top = tally.weights[:, scale - top_box :].sum(axis=1)
    se, n_ci = _linearised(tally, np.arange(scale) >= scale - top_box, n)
    low, high = _share_interval(top, total, n_ci, confidence)
    mean, mean_se, mean_ci = _mean_interval(tally, np.arange(1, scale + 1, dtype=float), confidence)
    return dict(value=_percent(top, total), ci=(100 * low, 100 * high), mean=mean, mean_ci=mean_ci, n=n,
                mean_se=mean_se, se=100 * se, n_eff=n_eff, n_ci=n_ci)


def _ces_table(tally: Tally, confidence: float, scale: int = 7, low_effort_max: int = 2) -> dict:
    """CES fields for each row of a (groups × scale) tally of the scores 1…scale."""
    n, total, n_eff = tally.sizes()
    easy = tally.weights[:, :low_effort_max].sum(axis=1)
    mean, se, ci = _mean_interval(tally, np.arange(1, scale + 1, dtype=float), confidence)
    n_easy = design_n(np.arange(scale) < low_effort_max, tally.weights, tally.squares, n)
    return dict(value=mean, ci=ci, n=n, low_effort_share=_share(easy, total),
                low_effort_ci=_share_interval(easy, total, n_easy, confidence), se=se, n_eff=n_eff)


def _nps_scale() -> tuple[int, int]:
    return NPS_SCALE


def _csat_scale(scale: int = 5, top_box: int = 2) -> tuple[int, int]:
    scale = check_whole("scale", scale, 2, 100)
    check_whole("top_box", top_box, 1, scale - 1)
    return 1, scale


def _ces_scale(scale: int = 7, low_effort_max: int = 2) -> tuple[int, int]:
    scale = check_whole("scale", scale, 2, 100)
    check_whole("low_effort_max", low_effort_max, 1, scale - 1)
    return 1, scale


@dataclass(frozen=True)
class Metric:
    """One metric: its result type, the formulas on a tally, its scale, how two groups are compared (the
    ``value`` difference and its se) and the name of its interval method."""

    result: type
    table: Callable[..., dict]
    scale: Callable[..., tuple[int, int]]
    difference: Callable[[dict, dict], tuple]
    method: str


METRICS = {
    "nps": Metric(NPSResult, _nps_table, _nps_scale, _nps_difference, NPS_INTERVAL),
    "csat": Metric(CSATResult, _csat_table, _csat_scale, lambda a, b: _share_difference(a, b, "value"),
                   SHARE_INTERVAL),
    "ces": Metric(CESResult, _ces_table, _ces_scale, _mean_difference, MEAN_INTERVAL),
}


def _item(value):
    """Row 0 of a table field as a plain Python number (or a pair of them)."""
    if isinstance(value, tuple):
        return tuple(float(v[0]) for v in value)
    return np.asarray(value)[0].item()


def _scalar(name: str, scores, confidence: float, errors: str, weights=None, dont_know=(), **options):
    metric = METRICS[name]
    low, high = metric.scale(**options)
    check_confidence(confidence)
    label = scores.name if isinstance(scores, pd.Series) and scores.name is not None else name
    clean = clean_scores(scores, low, high, name=str(label), errors=errors, dont_know=dont_know)
    codes = (clean.values - low).astype(np.intp)
    w = None if weights is None else check_weights(weights, len(clean.valid))[clean.valid]
    table = metric.table(Tally.of(codes, high - low + 1, w).reshape(1, high - low + 1), confidence, **options)
    fields = {k: _item(v) for k, v in table.items()}
    fields["n"] = int(fields["n"])
    method = metric.method + ("" if weights is None else WEIGHTED)
    return metric.result(**fields, n_missing=clean.n_missing, n_dropped=clean.n_dropped,
                         n_dont_know=clean.n_dont_know, method=method)


# --- scalar metrics -----------------------------------------------------------------------------


def nps(scores, ci: float = 0.95, errors: str = "raise", *, weights=None, dont_know=()) -> NPSResult:
    """Net Promoter Score (净推荐值) of 0–10 "how likely are you to recommend" answers, with its interval.

    NPS = 100 · (P − D) / n, in points from −100 to +100, where P counts promoters (9–10) and D detractors
    (0–6); passives (7–8) count only in n (bands: Reichheld 2003, external; formula and range as in
    [002]; [000] and [001] use the same bands). Computed from the counts in one step, so whole numbers
    stay exact.

    ``se`` treats promoter/passive/detractor as one multinomial draw (external; see the course brief,
    "External definitions")::

        se = 100 · √([p_P + p_D − (p_P − p_D)²] / n)

    The interval is Rocks' (2016, external) *adjusted Wald*: add ¾ to the promoters and to the detractors
    and 3 to n, then centre ± z_{1−α/2}·√(V*/(n + 3)) on the adjusted shares, clipped to ±100. Unlike the
    plain Wald interval it keeps close to its nominal coverage at n = 30–50 with a high NPS and never has
    zero width (all promoters in 5 answers: about +18 to +100). ``method`` names the interval.

    ``weights``: one survey weight per input value (design or :func:`kit.weights.rake` weights). Shares are
    then weighted and ``se`` is the Taylor-linearised se of the weighted mean of the ±100 scores y
    (Woodruff 1971, external; plug-in form, so equal weights give the formula above exactly)::

        se = 100 · √(Σw²(y − ȳ)²) / Σw

    The interval replaces n by ``n_ci`` = V/(se/100)², the n of a simple random sample with that variance
    (Korn & Graubard 1998, external; capped at n, see :func:`kit.weights.design_n`). ``n_eff`` is Kish's
    effective n of the weights (Kish 1965, external), the design effect a report quotes.

    ``scores``: list, array or Series (numbers or text such as ``"9分"``); blanks are left out and counted
    in ``n_missing``; explicit non-answers (不知道, 说不清, N/A, Don't know …, and the numeric codes given as
    ``dont_know``, e.g. 99) are left out and counted in ``n_dont_know``; values off 0–10 raise, or with
    ``errors="coerce"`` are dropped with a warning.

    >>> nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 5])  # doctest: +NORMALIZE_WHITESPACE
    NPSResult(value=20.0, ci=(-30.33, 61.1), se=27.57, n=10, n_missing=0,
              promoters=0.5, passives=0.2, detractors=0.3)
    >>> nps([10] * 7 + [8] + [3] * 2).value
    50.0
    >>> r = nps(["9分", "１０", None, 6, "不知道"])
    >>> r.n, r.n_missing, r.n_dont_know
    (3, 1, 1)
    """
    return _scalar("nps", scores, ci, errors, weights, dont_know)


def nps_diff(a, b, ci: float = 0.95, errors: str = "raise", *, weights_a=None, weights_b=None) -> NPSDiffResult:
    """Difference of two NPS values from independent samples, a − b in points, with interval and p-value.

    ``diff`` = NPS_a − NPS_b. Interval and test use Rocks' (2016, external) adjusted Wald shares of each
    sample (¾ added to promoters and detractors, 3 to n, as in :func:`nps`): d* = NPS*_a − NPS*_b,
    se* = √(V*_a/(n_a + 3) + V*_b/(n_b + 3)), interval d* ± z_{1−α/2}·se* (clipped to ±200), z = d*/se*,
    two-sided p = 2·(1 − Φ(|z|)). The adjustment keeps p above 0 when every answer is in one band
    (3 promoters against 3 detractors: p ≈ 0.014, not 0). ``weights_a``/``weights_b``: survey weights; each
    sample's n is then its effective n ``n_ci`` (linearised, as in :func:`nps`). Both full results are kept as
    ``a`` and ``b``.

    >>> d = nps_diff([10] * 6 + [8] * 2 + [3] * 2, [10] * 3 + [8] * 3 + [3] * 4)
    >>> d  # doctest: +NORMALIZE_WHITESPACE
    NPSDiffResult(diff=50.0, ci=(-23.14, 100.1), se=31.43, z=1.224, p_value=0.221,
                  nps_a=40.0, nps_b=-10.0, n_a=10, n_b=10)
    >>> d.b.detractors
    0.4
    """
    result_a = nps(a, ci=ci, errors=errors, weights=weights_a)
    result_b = nps(b, ci=ci, errors=errors, weights=weights_b)
    centre, se = (float(x) for x in _nps_difference(result_a.to_dict(), result_b.to_dict()))
    z, p_value = z_test(centre, se)
    half = z_crit(ci) * se
    interval = (max(centre - half, -200.0), min(centre + half, 200.0))
    return NPSDiffResult(diff=result_a.value - result_b.value, ci=interval, se=se, z=z, p_value=p_value,
                         nps_a=result_a.value, nps_b=result_b.value, n_a=result_a.n, n_b=result_b.n,
                         a=result_a, b=result_b)


def z_test(diff, se):
    """Wald's z test (Wald 1943, external): z = diff / se and the two-sided p = 2·(1 − Φ(|z|)) = erfc(|z|/√2),
    vectorised; NaN where se is 0 or missing (no test without variance).

    >>> z, p = z_test(1.96, 1.0)
    >>> round(float(z), 2), round(float(p), 3)
    (1.96, 0.05)
    """
    from scipy.special import erfc

    diff, se = np.asarray(diff, dtype=float), np.asarray(se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, diff / np.where(se > 0, se, 1), np.nan)
    p = erfc(np.abs(z) / math.sqrt(2))
    return (float(z), float(p)) if z.ndim == 0 else (z, p)


def csat(scores, scale: int = 5, top_box: int = 2, ci: float = 0.95, errors: str = "raise", *,
         weights=None, dont_know=()) -> CSATResult:
    """Customer satisfaction (客户满意度评分) on a 1–``scale`` rating: top-box share and mean, each with an interval.

    ``value`` = 100 · (answers in the top ``top_box`` boxes) / n, i.e. the % of 4–5 ratings on a 5-point
    scale — [000]'s formula ("满意客户数（通常评分4-5分）÷总客户数×100%"); external name "top-2-box".
    ``ci`` is the Wilson (1927, external) score interval of that share, in %::

        (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)

    ``mean`` is the mean rating with the t interval ``mean_ci`` = mean ± t_{1−α/2, n−1}·s/√n (Student
    1908, external), clipped to the scale.

    Why both: [000]'s target "≥ 4.5 on the 5-point scale" is a *mean*, yet its formula is the top-2-box %,
    which is internally inconsistent; [001]'s target (≥ 4.5/5) is the mean score. So compare ``mean`` with
    4.5 (as :func:`scorecard` does with ``csat_mean``) and report ``value`` as the share of satisfied
    customers. [002] also allows a 1–10 scale: ``csat(x, scale=10)``.

    ``weights``: survey weights; the share's ``se`` is then Taylor-linearised (plug-in, as NPS's in
    :func:`nps`; equal weights give √(p̂(1−p̂)/n) exactly) and its Wilson interval uses the effective n
    ``n_ci`` = p̂(1−p̂)/se² (Korn & Graubard 1998, external; :func:`kit.weights.design_n`); the mean's se is
    Taylor-linearised too (:func:`kit.weights.linearised_mean`; equal weights give s/√n exactly).
    Blanks, explicit non-answers and ``dont_know`` codes are left out and counted as in :func:`nps`.

    >>> csat([5, 5, 4, 4, 4, 3, 5, 2, 4, 5])
    CSATResult(value=80.0, ci=(49.02, 94.33), mean=4.1, mean_ci=(3.389, 4.811), n=10, n_missing=0)
    """
    return _scalar("csat", scores, ci, errors, weights, dont_know, scale=scale, top_box=top_box)


def ces(scores, scale: int = 7, ci: float = 0.95, low_effort_max: int = 2, errors: str = "raise", *,
        weights=None, dont_know=()) -> CESResult:
    """Customer effort score (客户努力度评分): mean effort on 1–``scale``, lower = easier, with its t interval.

    ``value`` = mean rating, ``ci`` = mean ± t_{1−α/2, n−1}·s/√n (Student 1908, external; clipped to the
    scale). Direction and scale follow [000]: a 7-point scale where a low score means a smooth experience,
    target ≤ 2. ``low_effort_share`` is the share (0–1) of answers ≤ ``low_effort_max`` (default 2,
    [000]'s target level), with a Wilson interval ``low_effort_ci``. ``weights`` and ``dont_know``: as in
    :func:`csat` and :func:`nps`.

    Careful: the external CES 2.0 wording (Dixon, Toman & DeLisi 2013) is an agreement scale where
    *high* = easy. Recode such answers first (``scale + 1 − x``) so that lower is easier, and state the
    direction on charts.

    >>> ces([1, 2, 2, 3, 1, 4, 2, 5, 1, 2])  # doctest: +NORMALIZE_WHITESPACE
    CESResult(value=2.3, ci=(1.343, 3.257), n=10, n_missing=0,
              low_effort_share=0.7, low_effort_ci=(0.3968, 0.8922))
    """
    return _scalar("ces", scores, ci, errors, weights, dont_know, scale=scale, low_effort_max=low_effort_max)
