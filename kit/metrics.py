"""Customer-satisfaction metrics (满意度测量): NPS, CSAT and CES with intervals, by segment, against targets.

Every estimate comes with its n and an interval, and missing answers are counted, never silently lost.
Scores go through :func:`kit.scores.clean_scores`: lists, arrays or Series of numbers or text such as
``"9分"``; missing values are excluded and counted (``n_missing``); values off the scale raise a
:class:`kit.errors.KitError` with the count and examples (``errors="coerce"`` drops them with a warning).

One implementation per formula. All three metrics are on whole-number scales, so each is computed from a
table of counts (one row per group, one column per scale point): the scalar functions (:func:`nps`,
:func:`csat`, :func:`ces`) build a one-row table, :func:`by_segment` builds one row per segment with a single
``np.bincount``, and both then call the same ``_*_table`` function, which works on whole arrays of counts.

Sources: [000] consulting course, [001] frontline service course, [002] strategy course; definitions no seed
gives are labelled *external* with their reference (Reichheld 2003, Wilson 1927, Cochran 1977, Student 1908).
Targets live in ``course/config/targets.yml``, each tagged with its seed.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

from kit.errors import KitError
from kit.results import Result
from kit.scores import clean_scores
from kit.stats import check_confidence, t_crit, wilson, z_crit

NPS_BANDS = ("detractor", "passive", "promoter")
"""0–6 detractors, 7–8 passives, 9–10 promoters (Reichheld 2003, external; the same bands in seed [002])."""

NPS_SCALE = (0, 10)
DIRECTIONS = {">=": "≥", "≥": "≥", "<=": "≤", "≤": "≤"}
STATUSES = ("met", "near", "missed", "no_data")


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
    """Net Promoter Score in points (−100…100) with its interval; shares are proportions (0–1)."""

    value: float
    ci: tuple[float, float]
    se: float
    n: int
    n_missing: int
    promoters: float
    passives: float
    detractors: float
    n_dropped: int = field(default=0, repr=False)


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

    def to_dict(self) -> dict:
        """The scalar fields; the two full NPS results (``a``, ``b``) stay on the object."""
        flat = super().to_dict()
        flat.pop("a", None)
        flat.pop("b", None)
        return flat


@dataclass(frozen=True, repr=False)
class CSATResult(Result):
    """CSAT: ``value`` = % of answers in the top boxes (0–100) with a Wilson ``ci`` in %; ``mean`` with a
    t interval ``mean_ci``."""

    value: float
    ci: tuple[float, float]
    mean: float
    mean_ci: tuple[float, float]
    n: int
    n_missing: int
    n_dropped: int = field(default=0, repr=False)


@dataclass(frozen=True, repr=False)
class CESResult(Result):
    """CES: mean effort (lower = easier [000]) with a t interval; share of low-effort answers (0–1) with a
    Wilson interval."""

    value: float
    ci: tuple[float, float]
    n: int
    n_missing: int
    low_effort_share: float
    low_effort_ci: tuple[float, float]
    n_dropped: int = field(default=0, repr=False)


# --- checks and quantiles -----------------------------------------------------------------------


def _check_whole(param: str, value, low: int, high: float) -> int:
    whole = isinstance(value, (int, np.integer)) or (isinstance(value, (float, np.floating))
                                                      and float(value).is_integer())
    if isinstance(value, bool) or not whole or not low <= value <= high:
        raise KitError("metrics_bad_whole", param=param, value=value, low=low, high=high)
    return int(value)


def _check_positive(param: str, value, minimum: float = 0, *, inclusive: bool = False) -> float:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    ok = ok and math.isfinite(value) and (value >= minimum if inclusive else value > minimum)
    if not ok:
        raise KitError("metrics_bad_number", param=param, value=value, minimum=minimum)
    return float(value)


def _check_share(param: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise KitError("metrics_bad_share", param=param, value=value)
    return float(value)


# --- formulas on arrays of counts (one implementation each) --------------------------------------


def _share(k, n) -> np.ndarray:
    """k / n as float, NaN where n = 0."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)


def _nps_variance(promoters, detractors):
    """Per-response variance of the NPS in proportion units: p_P + p_D − (p_P − p_D)² (multinomial)."""
    return np.maximum(promoters + detractors - (promoters - detractors) ** 2, 0.0)


def _mean_interval(counts: np.ndarray, levels: np.ndarray, confidence: float):
    """Mean of each row's scores and its t interval mean ± t_{1−α/2, n−1}·s/√n (Student 1908, external).

    The sample SD is computed exactly from the counts; n = 0 gives NaN, n = 1 a mean with a NaN interval.
    The interval is clipped to the scale (levels[0]…levels[-1]), as a mean cannot leave it."""
    n = counts.sum(axis=1).astype(float)
    mean = _share(counts @ levels, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        squares = (counts * (levels[None, :] - mean[:, None]) ** 2).sum(axis=1)
        sd = np.where(n > 1, np.sqrt(squares / np.where(n > 1, n - 1, 1)), np.nan)
        half = t_crit(n - 1, confidence) * sd / np.sqrt(n)
    return mean, (np.clip(mean - half, levels[0], levels[-1]), np.clip(mean + half, levels[0], levels[-1]))


def _nps_table(counts: np.ndarray, confidence: float) -> dict:
    """NPS fields for each row of a (groups × 11) table of counts of the scores 0…10."""
    z = z_crit(confidence)
    n = counts.sum(axis=1)
    promoters = _share(counts[:, 9:].sum(axis=1), n)
    detractors = _share(counts[:, :7].sum(axis=1), n)
    value = 100 * (promoters - detractors)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = 100 * np.sqrt(_nps_variance(promoters, detractors) / n)
    ci = (np.clip(value - z * se, -100, 100), np.clip(value + z * se, -100, 100))
    passives = _share(counts[:, 7:9].sum(axis=1), n)
    return dict(value=value, ci=ci, se=se, n=n, promoters=promoters, passives=passives, detractors=detractors)


def _csat_table(counts: np.ndarray, confidence: float, scale: int = 5, top_box: int = 2) -> dict:
    """CSAT fields for each row of a (groups × scale) table of counts of the scores 1…scale."""
    n = counts.sum(axis=1)
    top = counts[:, scale - top_box :].sum(axis=1)
    low, high = wilson(top, n, z_crit(confidence))
    mean, mean_ci = _mean_interval(counts, np.arange(1, scale + 1, dtype=float), confidence)
    return dict(value=100 * _share(top, n), ci=(100 * low, 100 * high), mean=mean, mean_ci=mean_ci, n=n)


def _ces_table(counts: np.ndarray, confidence: float, scale: int = 7, low_effort_max: int = 2) -> dict:
    """CES fields for each row of a (groups × scale) table of counts of the scores 1…scale."""
    n = counts.sum(axis=1)
    easy = counts[:, :low_effort_max].sum(axis=1)
    mean, ci = _mean_interval(counts, np.arange(1, scale + 1, dtype=float), confidence)
    return dict(value=mean, ci=ci, n=n, low_effort_share=_share(easy, n),
                low_effort_ci=wilson(easy, n, z_crit(confidence)))


def _nps_scale() -> tuple[int, int]:
    return NPS_SCALE


def _csat_scale(scale: int = 5, top_box: int = 2) -> tuple[int, int]:
    scale = _check_whole("scale", scale, 2, 100)
    _check_whole("top_box", top_box, 1, scale - 1)
    return 1, scale


def _ces_scale(scale: int = 7, low_effort_max: int = 2) -> tuple[int, int]:
    scale = _check_whole("scale", scale, 2, 100)
    _check_whole("low_effort_max", low_effort_max, 1, scale - 1)
    return 1, scale


@dataclass(frozen=True)
class _Metric:
    result: type
    table: Callable[..., dict]
    scale: Callable[..., tuple[int, int]]


_METRICS = {
    "nps": _Metric(NPSResult, _nps_table, _nps_scale),
    "csat": _Metric(CSATResult, _csat_table, _csat_scale),
    "ces": _Metric(CESResult, _ces_table, _ces_scale),
}


def _counts_of(values: np.ndarray, low: int, high: int) -> np.ndarray:
    """One-row table of counts of the whole scores low…high."""
    return np.bincount((values - low).astype(np.intp), minlength=high - low + 1)[None, :]


def _item(value):
    """Row 0 of a table field as a plain Python number (or a pair of them)."""
    if isinstance(value, tuple):
        return tuple(float(v[0]) for v in value)
    return np.asarray(value)[0].item()


def _scalar(name: str, scores, confidence: float, errors: str, **options):
    metric = _METRICS[name]
    low, high = metric.scale(**options)
    check_confidence(confidence)
    label = scores.name if isinstance(scores, pd.Series) and scores.name is not None else name
    clean = clean_scores(scores, low, high, name=str(label), errors=errors)
    table = metric.table(_counts_of(clean.values, low, high), confidence, **options)
    fields = {k: _item(v) for k, v in table.items()}
    fields["n"] = int(fields["n"])
    return metric.result(**fields, n_missing=clean.n_missing, n_dropped=clean.n_dropped)


# --- scalar metrics -----------------------------------------------------------------------------


def nps(scores, ci: float = 0.95, errors: str = "raise") -> NPSResult:
    """Net Promoter Score (净推荐值) of 0–10 "how likely are you to recommend" answers, with its interval.

    NPS = 100 · (p_P − p_D), in points from −100 to +100, where p_P is the share of promoters (9–10) and
    p_D of detractors (0–6); passives (7–8) count only in n (bands: Reichheld 2003, external; formula and
    range as in [002]; [000] and [001] use the same bands).

    The interval treats promoter/passive/detractor as one multinomial draw, so the variance of the
    difference of the two proportions is (external; see the course brief, "External definitions")::

        Var(p_P − p_D) = [p_P + p_D − (p_P − p_D)²] / n,   se = 100 · √Var (points)

    and the interval is NPS ± z_{1−α/2} · se (normal approximation), clipped to ±100. With all answers in
    one band the se is 0; with n = 0 the value and interval are NaN.

    ``scores``: list, array or Series (numbers or text such as ``"9分"``); missing values are left out and
    counted in ``n_missing``; values off 0–10 raise, or with ``errors="coerce"`` are dropped with a warning.

    >>> nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 5])  # doctest: +NORMALIZE_WHITESPACE
    NPSResult(value=20.0, ci=(-34.03, 74.03), se=27.57, n=10, n_missing=0,
              promoters=0.5, passives=0.2, detractors=0.3)
    >>> nps(["9分", "１０", None, 6]).n_missing
    1
    """
    return _scalar("nps", scores, ci, errors)


def nps_diff(a, b, ci: float = 0.95, errors: str = "raise") -> NPSDiffResult:
    """Difference of two NPS values from independent samples, a − b in points, with interval and p-value.

    Var(NPS_a − NPS_b) = Var_a + Var_b (independent samples), each Var the multinomial variance of
    :func:`nps`; the interval is diff ± z_{1−α/2}·se (clipped to ±200) and the two-sided p-value comes from
    z = diff / se, p = 2·(1 − Φ(|z|)) (normal approximation; external, e.g. Rocks 2016 on NPS tests).
    When both samples have se = 0 (every answer in one band) the test is degenerate: z = ±inf and p = 0
    if the NPS differ, z = NaN and p = 1 if they are equal. Both full results are kept as ``a`` and ``b``.

    >>> d = nps_diff([10] * 6 + [8] * 2 + [3] * 2, [10] * 3 + [8] * 3 + [3] * 4)
    >>> d  # doctest: +NORMALIZE_WHITESPACE
    NPSDiffResult(diff=50.0, ci=(-21.48, 121.5), se=36.47, z=1.371, p_value=0.1704,
                  nps_a=40.0, nps_b=-10.0, n_a=10, n_b=10)
    >>> d.b.detractors
    0.4
    """
    result_a = nps(a, ci=ci, errors=errors)
    result_b = nps(b, ci=ci, errors=errors)
    diff = result_a.value - result_b.value
    se = math.hypot(result_a.se, result_b.se)
    z, p_value = _z_test(diff, se)
    half = z_crit(ci) * se
    interval = (max(diff - half, -200.0), min(diff + half, 200.0))
    return NPSDiffResult(diff=diff, ci=interval, se=se, z=z, p_value=p_value, nps_a=result_a.value,
                         nps_b=result_b.value, n_a=result_a.n, n_b=result_b.n, a=result_a, b=result_b)


def _z_test(diff: float, se: float) -> tuple[float, float]:
    """z = diff / se and the two-sided p = 2·(1 − Φ(|z|)) = erfc(|z|/√2); degenerate se = 0 handled."""
    if math.isnan(diff) or math.isnan(se):
        return math.nan, math.nan
    if se == 0:
        return (math.nan, 1.0) if diff == 0 else (math.copysign(math.inf, diff), 0.0)
    z = diff / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def csat(scores, scale: int = 5, top_box: int = 2, ci: float = 0.95, errors: str = "raise") -> CSATResult:
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

    >>> csat([5, 5, 4, 4, 4, 3, 5, 2, 4, 5])
    CSATResult(value=80.0, ci=(49.02, 94.33), mean=4.1, mean_ci=(3.389, 4.811), n=10, n_missing=0)
    """
    return _scalar("csat", scores, ci, errors, scale=scale, top_box=top_box)


def ces(scores, scale: int = 7, ci: float = 0.95, low_effort_max: int = 2,
        errors: str = "raise") -> CESResult:
    """Customer effort score (客户努力度评分): mean effort on 1–``scale``, lower = easier, with its t interval.

    ``value`` = mean rating, ``ci`` = mean ± t_{1−α/2, n−1}·s/√n (Student 1908, external; clipped to the
    scale). Direction and scale follow [000]: a
    7-point scale where a low score means a smooth experience, target ≤ 2. ``low_effort_share`` is the
    share (0–1) of answers ≤ ``low_effort_max`` (default 2, [000]'s target level), with a Wilson interval
    ``low_effort_ci``.

    Careful: the external CES 2.0 wording (Dixon, Toman & DeLisi 2013) is an agreement scale where
    *high* = easy. Recode such answers first (``scale + 1 − x``) so that lower is easier, and state the
    direction on charts.

    >>> ces([1, 2, 2, 3, 1, 4, 2, 5, 1, 2])  # doctest: +NORMALIZE_WHITESPACE
    CESResult(value=2.3, ci=(1.343, 3.257), n=10, n_missing=0,
              low_effort_share=0.7, low_effort_ci=(0.3968, 0.8922))
    """
    return _scalar("ces", scores, ci, errors, scale=scale, low_effort_max=low_effort_max)


# --- sample size --------------------------------------------------------------------------------


def sample_size(margin: float, confidence: float = 0.95, p: float = 0.5,
                population: int | None = None) -> int:
    """Responses needed to estimate a proportion within ± ``margin`` (Cochran 1977, external).

    n₀ = z²·p(1−p)/e², with z = z_{1−α/2} and e = ``margin`` as a proportion (0.05 = ±5 points); p = 0.5
    is the most cautious guess. With a finite ``population`` N, the correction n = n₀ / (1 + (n₀ − 1)/N)
    applies. The result is rounded up.

    >>> sample_size(0.05)
    385
    >>> sample_size(0.05, population=1000)
    278
    """
    e = _check_share("margin", margin)
    p = _check_share("p", p)
    n0 = z_crit(confidence) ** 2 * p * (1 - p) / e**2
    if population is not None:
        population = _check_whole("population", population, 1, math.inf)
        n0 = n0 / (1 + (n0 - 1) / population)
    return math.ceil(n0 - 1e-9)


def nps_sample_size(change: float, confidence: float = 0.95, power: float = 0.8, promoters: float = 0.5,
                    detractors: float = 0.5) -> int:
    """Responses per group to detect an NPS change of ``change`` points between two independent samples.

    n = (z_{1−α/2} + z_{power})² · 2·V / Δ², rounded up, with Δ = change / 100 and
    V = p_P + p_D − (p_P − p_D)², the per-response variance of :func:`nps` (two-sample z test, normal
    approximation, both groups assumed to share the planning values ``promoters`` and ``detractors``;
    external, the usual power formula for a difference of means, e.g. Cohen 1988).

    The defaults p_P = p_D = 0.5 give the largest possible variance (V = 1), the cautious choice, as
    p = 0.5 is in :func:`sample_size`; pass the shares you expect for a smaller n.

    >>> nps_sample_size(10)
    1570
    >>> nps_sample_size(10, promoters=0.35, detractors=0.30)
    1017
    """
    if isinstance(change, (int, float)) and not isinstance(change, bool):
        change = abs(change)
    delta = _check_positive("change", change) / 100
    power = _check_share("power", power)
    if not (isinstance(promoters, (int, float)) and isinstance(detractors, (int, float))
            and 0 <= promoters <= 1 and 0 <= detractors <= 1 and promoters + detractors <= 1):
        raise KitError("metrics_bad_nps_shares", promoters=promoters, detractors=detractors)
    if delta > 2:
        raise KitError("metrics_bad_number", param="change", value=change, minimum=0)
    variance = float(_nps_variance(promoters, detractors))
    z_sum = z_crit(confidence) + NormalDist().inv_cdf(power)
    return max(math.ceil(z_sum**2 * 2 * variance / delta**2 - 1e-9), 1)


# --- by segment (vectorised) --------------------------------------------------------------------


def _metric_name(metric) -> str:
    functions = {nps: "nps", csat: "csat", ces: "ces"}
    if callable(metric) and metric in functions:
        return functions[metric]
    if isinstance(metric, str) and metric.lower() in _METRICS:
        return metric.lower()
    raise KitError("metrics_unknown_metric", metric=getattr(metric, "__name__", metric),
                   choices=", ".join(_METRICS))


def _group_codes(df: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group code of every row (0…G−1, groups in key order) and the G observed key combinations.

    Categorical keys keep their category order; other keys are sorted; a missing key is its own group."""
    codes, levels = [], []
    for key in keys:
        column = df[key]
        if isinstance(column.dtype, pd.CategoricalDtype):
            code = column.cat.codes.to_numpy().astype(np.int64)
            level = column.cat.categories
            if (code < 0).any():
                code = np.where(code < 0, len(level), code)
                level = level.append(pd.Index([np.nan]))
        else:
            code, level = pd.factorize(column, sort=True, use_na_sentinel=False)
            code = code.astype(np.int64)
        codes.append(code)
        levels.append(pd.Index(level))
    sizes = tuple(max(len(level), 1) for level in levels)
    combined = codes[0] if len(codes) == 1 else np.ravel_multi_index(codes, sizes)
    total = math.prod(sizes)
    if len(codes) == 1 and len(df) and np.bincount(combined, minlength=total).all():
        group, present = combined, np.arange(total)  # every level observed: the codes are the groups
    elif total <= max(4 * len(df), 1 << 16):
        present = np.flatnonzero(np.bincount(combined, minlength=total))
        lookup = np.full(total, -1, dtype=np.int64)
        lookup[present] = np.arange(len(present))
        group = lookup[combined]
    else:
        present, group = np.unique(combined, return_inverse=True)
    positions = np.unravel_index(present, sizes)
    keys_frame = pd.DataFrame({key: level.take(pos) for key, level, pos in zip(keys, levels, positions,
                                                                               strict=True)})
    return group.astype(np.int64, copy=False), keys_frame


def _aligned_scores(column: pd.Series, low: int, high: int, name: str, errors: str):
    """Row-aligned score codes (score − low; −1 missing, −2 dropped) and whether every row is valid.

    Validation, the error or warning and the row masks come from :func:`kit.scores.clean_scores`, so the
    scores can be counted per group. A plain integer column already on
    the scale skips the cleaning (nothing can be missing or off the scale)."""
    if pd.api.types.is_integer_dtype(column.dtype) and isinstance(column.dtype, np.dtype):
        raw = column.to_numpy()
        if len(raw) == 0 or (raw.min() >= low and raw.max() <= high):
            codes = raw.astype(np.int64)
            codes -= low
            return codes, True
    clean = clean_scores(column, low, high, name=name, errors=errors)
    codes = np.where(clean.missing, -1, -2)
    codes[clean.valid] = clean.values.astype(np.int64) - low
    return codes, bool(clean.valid.all())


def by_segment(df: pd.DataFrame, metric, by, min_n: int = 30, ci: float = 0.95,
               score_column: str | None = None, *, errors: str = "raise", suppress: bool = True,
               **metric_kwargs) -> pd.DataFrame:
    """NPS, CSAT or CES per segment, vectorised: one row per segment with n, value, interval and a flag.

    ``metric`` is ``"nps"``, ``"csat"``, ``"ces"`` or the function itself; the scores are read from
    ``score_column`` (default: the metric's name, as in the survey table). ``by`` is a column name or a
    list of them; categorical columns keep their category order (unobserved categories are left out),
    other columns are sorted, and a missing segment value forms its own row. ``metric_kwargs`` go to the
    metric (``scale``, ``top_box``, ``low_effort_max``).

    The columns are the segment key(s), ``n``, ``n_missing`` (missing scores in that segment), the metric's
    fields exactly as in its result's ``to_dict()`` (``value``, ``ci_low``, ``ci_high``, …) and ``flag``.
    Formulas: those of :func:`nps`, :func:`csat`, :func:`ces` — the very same functions, applied to a
    segments × scale-points table of counts built with one ``np.bincount``.

    Small segments (honest statistics): when n < ``min_n`` (default 30) the row's ``flag`` is ``"small"``
    and, by default, its estimates (value, interval and the other fields) are suppressed, i.e. set to NaN;
    n and n_missing stay visible so the reader sees why. ``suppress=False`` keeps the estimates and only
    flags the row. Other rows have an empty flag ``""``.

    >>> survey = pd.DataFrame({"segment": ["B2B"] * 40 + ["B2C"] * 5, "nps": [10, 9, 7, 3] * 10 + [9] * 5})
    >>> by_segment(survey, "nps", "segment")[["segment", "flag", "n", "value", "ci_low", "ci_high"]].round(2)
      segment   flag   n  value  ci_low  ci_high
    0     B2B         40   25.0    -0.7     50.7
    1     B2C  small   5    NaN     NaN      NaN
    """
    name = _metric_name(metric)
    spec = _METRICS[name]
    keys = [by] if isinstance(by, str) else list(by)
    column = score_column or name
    min_n = _check_whole("min_n", min_n, 0, math.inf)
    low, high = spec.scale(**metric_kwargs)
    check_confidence(ci)
    missing_columns = [c for c in [*keys, column] if c not in df.columns]
    if missing_columns:
        raise KitError("metrics_missing_columns", missing=", ".join(map(str, missing_columns)),
                       available=", ".join(map(str, df.columns)))
    group, keys_frame = _group_codes(df, keys)
    scores, complete = _aligned_scores(df[column], low, high, name=str(column), errors=errors)
    n_groups, width = len(keys_frame), high - low + 1
    if complete:
        cells = group * width
        cells += scores
        n_missing = n_dropped = np.zeros(n_groups, dtype=np.int64)
    else:
        valid = scores >= 0
        cells = group[valid] * width + scores[valid]
        n_missing = np.bincount(group[scores == -1], minlength=n_groups)
        n_dropped = np.bincount(group[scores == -2], minlength=n_groups)
    counts = np.bincount(cells, minlength=n_groups * width).reshape(n_groups, width)
    table = spec.table(counts, ci, **metric_kwargs)
    table["n_missing"], table["n_dropped"] = n_missing, n_dropped

    columns = {"n": table["n"], "n_missing": table["n_missing"]}
    for f in dataclasses.fields(spec.result):
        value = table[f.name]
        if isinstance(value, tuple):
            columns[f"{f.name}_low"], columns[f"{f.name}_high"] = value
        elif f.name not in columns:
            columns[f.name] = value
    out = pd.concat([keys_frame, pd.DataFrame(columns)], axis=1)
    small = out["n"].to_numpy() < min_n
    if suppress and small.any():
        estimates = [c for c in columns if c not in ("n", "n_missing", "n_dropped")]
        out.loc[small, estimates] = np.nan
    out["flag"] = np.where(small, "small", "")
    return out


# --- early warning ------------------------------------------------------------------------------


def trend_alert(values_by_period, drop: float = 0.10, periods: int = 2, *, relative: bool = True,
                higher_is_better: bool = True, period: str = "period", value: str | None = None,
                by=None) -> pd.DataFrame:
    """Early-warning rule of [000]: satisfaction down by more than 10 % in two consecutive periods.

    For each period, change = (v_t − v_{t−1}) / |v_{t−1}| (``relative=True``) or v_t − v_{t−1} in the
    metric's own units, e.g. NPS points (``relative=False``). A period *falls* when change < −``drop``
    (or, with ``higher_is_better=False`` for CES or complaint rates, rises when change > ``drop``);
    ``run`` counts consecutive falls and ``alert`` is True from the period that completes ``periods``
    consecutive falls onwards, for as long as the run lasts. Defaults = [000]'s rule (预警: "连续两期下降10%以上").

    Negative or zero values: a relative change of a metric that can be ≤ 0 (NPS) is ill-defined. The base
    is |v_{t−1}|, so the sign of the change always follows the direction of movement (−10 → −20 is a
    −100 % change, a fall); a previous value of exactly 0 gives a NaN change and never counts as a fall,
    and a missing value breaks the run. For NPS prefer ``relative=False`` with ``drop`` in points.

    Input: a Series indexed by period (a MultiIndex's outer levels act as ``by``), or a DataFrame with a
    ``period`` column and a ``value`` column (default: the column called "value", else the only numeric
    column besides ``period`` and ``by``); ``by`` names the column(s) of separate series, e.g. ``"team"``.
    Rows are sorted by period (strings like 2025-03 or 2025Q1 sort correctly); a period repeated within a
    series raises a kit error. Output: one row per period with ``by``…, ``period``, ``value``,
    ``previous``, ``change``, ``falling``, ``run`` and ``alert``.

    >>> s = pd.Series([4.6, 4.1, 3.6, 3.5, 3.0], index=["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1"])
    >>> out = trend_alert(s)
    >>> out.loc[out.alert, "period"].tolist()
    ['2025Q3']
    >>> out["change"].round(3).tolist()
    [nan, -0.109, -0.122, -0.028, -0.143]
    """
    drop = _check_positive("drop", drop, 0, inclusive=True)
    periods = _check_whole("periods", periods, 1, math.inf)
    if isinstance(values_by_period, pd.Series):
        series = values_by_period
        levels = [n if n is not None else (period if i == series.index.nlevels - 1 else f"level_{i}")
                  for i, n in enumerate(series.index.names)]
        value = "value" if series.name is None or series.name in levels else series.name
        frame = series.rename(value).rename_axis(levels).reset_index()
        period, keys = levels[-1], levels[:-1]
    else:
        frame = pd.DataFrame(values_by_period)
        keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
        missing = [c for c in [*keys, period] if c not in frame.columns]
        if missing:
            raise KitError("metrics_missing_columns", missing=", ".join(map(str, missing)),
                           available=", ".join(map(str, frame.columns)))
        if value is None:
            others = [c for c in frame.columns if c not in (*keys, period)]
            numeric = [c for c in others if pd.api.types.is_numeric_dtype(frame[c])]
            if "value" in others:
                value = "value"
            elif len(numeric) == 1:
                value = numeric[0]
            else:
                candidates = ", ".join(map(str, numeric or others)) or "—"
                raise KitError("metrics_trend_value", candidates=candidates)
        elif value not in frame.columns:
            raise KitError("metrics_missing_columns", missing=str(value),
                           available=", ".join(map(str, frame.columns)))
    frame = frame[[*keys, period, value]].sort_values([*keys, period], kind="stable").reset_index(drop=True)
    repeated = frame.duplicated([*keys, period], keep=False)
    if repeated.any():
        examples = frame.loc[repeated, [*keys, period]].drop_duplicates().astype(str).agg(" ".join, axis=1)
        raise KitError("metrics_duplicate_periods", count=len(examples), examples=", ".join(examples[:5]))

    values = pd.to_numeric(frame[value]).astype(float)
    previous = values.groupby([frame[k] for k in keys], sort=False).shift(1) if keys else values.shift(1)
    if relative:
        base = previous.abs().where(previous != 0)
        change = (values - previous) / base
    else:
        change = values - previous
    falling = (change < -drop) if higher_is_better else (change > drop)
    falling = falling.fillna(False).astype(bool)
    run = falling.astype(int).groupby((~falling).cumsum()).cumsum()
    out = frame[keys].copy()
    out["period"] = frame[period].to_numpy()
    out["value"] = values.to_numpy()
    out["previous"] = previous.to_numpy()
    out["change"] = change.to_numpy()
    out["falling"] = falling.to_numpy()
    out["run"] = run.to_numpy()
    out["alert"] = run.to_numpy() >= periods
    return out


# --- targets and scorecard ----------------------------------------------------------------------


def _targets_path() -> Path:
    from kit.paths import COURSE

    return COURSE / "config" / "targets.yml"


def _load_targets(path=None) -> tuple[dict, str]:
    import yaml

    with open(path or _targets_path(), encoding="utf-8") as fh:
        config = yaml.safe_load(fh) or {}
    kpis = {}
    for kpi, spec in (config.get("kpis") or {}).items():
        direction = DIRECTIONS.get(str(spec.get("direction", "")).strip())
        if direction is None:
            raise KitError("metrics_bad_direction", kpi=kpi, value=spec.get("direction"))
        variants = {}
        for source, target in (spec.get("targets") or {}).items():
            entry = target if isinstance(target, Mapping) else {"target": target}
            variants[_source_tag(source)] = {"target": float(entry["target"]), "name": entry.get("name", kpi)}
        kpis[kpi] = {"direction": direction, "unit": spec.get("unit", ""), "targets": variants}
    return kpis, _source_tag(config.get("default_source", "000"))


def _source_tag(source) -> str:
    if isinstance(source, (int, np.integer)) and not isinstance(source, bool):
        return f"{int(source):03d}"
    return str(source).strip().strip("[]")


def kpi_targets(source: str | None = None, path=None) -> pd.DataFrame:
    """The KPI targets of the seeds, from ``course/config/targets.yml``: one row per KPI (and source).

    ``source=None``: every KPI once; a KPI that several seeds set takes the file's ``default_source``
    ([001], the frontline KPI table, whose NPS ≥ 60 is the stricter bar), single-seed KPIs keep their own.
    ``source="000"`` / ``"001"``: only the KPIs that seed sets ([000] consulting, [001] frontline).
    ``source="all"``: every variant, each tagged with its seed (the config switch of the course brief).

    >>> kpi_targets("all").query("kpi == 'nps'")[["kpi", "direction", "target", "source"]]
       kpi direction  target source
    0  nps         ≥    50.0    000
    1  nps         ≥    60.0    001
    """
    kpis, default = _load_targets(path)
    sources = sorted({s for spec in kpis.values() for s in spec["targets"]})
    wanted = None if source is None else _source_tag(source)
    if wanted not in (None, "all", *sources):
        raise KitError("metrics_unknown_source", source=source, sources=", ".join([*sources, "all"]))
    rows = []
    for kpi, spec in kpis.items():
        variants = spec["targets"]
        if wanted == "all":
            chosen = sorted(variants)
        elif wanted is not None:
            chosen = [wanted] if wanted in variants else []
        else:
            chosen = [default if default in variants else sorted(variants)[0]]
        for src in chosen:
            rows.append({"kpi": kpi, "direction": spec["direction"], "target": variants[src]["target"],
                         "unit": spec["unit"], "source": src, "name_key": variants[src]["name"]})
    return pd.DataFrame(rows, columns=["kpi", "direction", "target", "unit", "source", "name_key"])


def _user_targets(targets: Mapping) -> pd.DataFrame:
    known, _ = _load_targets()
    rows = []
    for kpi, spec in targets.items():
        if isinstance(spec, Mapping):
            direction, target, source = spec.get("direction"), spec.get("target"), spec.get("source", "user")
        elif isinstance(spec, (tuple, list)):
            (direction, target), source = spec, "user"
        else:
            direction, target, source = None, spec, "user"
        if direction is None:
            if kpi not in known:
                raise KitError("metrics_unknown_kpi", kpi=kpi, kpis=", ".join(known))
            direction = known[kpi]["direction"]
        symbol = DIRECTIONS.get(str(direction).strip())
        if symbol is None:
            raise KitError("metrics_bad_direction", kpi=kpi, value=direction)
        unit = known.get(kpi, {}).get("unit", "")
        rows.append({"kpi": kpi, "direction": symbol, "target": float(target), "unit": unit,
                     "source": _source_tag(source), "name_key": kpi})
    return pd.DataFrame(rows, columns=["kpi", "direction", "target", "unit", "source", "name_key"])


def _kpi_name(key: str, lang: str | None) -> str:
    """Display name of a KPI from the locale files; the key itself when it has none."""
    from kit.i18n import t

    try:
        return t(f"metrics.kpi.{key}", lang)
    except KeyError:
        return str(key)


def _actuals_frame(actuals) -> pd.DataFrame:
    if isinstance(actuals, pd.DataFrame):
        return actuals
    if isinstance(actuals, pd.Series):
        return actuals.to_frame().T
    return pd.DataFrame([dict(actuals)])


def period_trend(df: pd.DataFrame, metric: str = "nps", *, x: str = "submitted_at", freq: str = "M",
                 drop: float = 0.10, periods: int = 2, min_n: int = 30, ci: float = 0.95,
                 score_column: str | None = None) -> pd.DataFrame:
    """``metric`` (nps, csat or ces) per calendar period of the timestamp column ``x`` (``freq`` "M" months,
    "Q" quarters), with n and interval from :func:`by_segment`, and the early-warning flag of
    :func:`trend_alert`: down by more than ``drop`` in ``periods`` consecutive periods [000]. For CES a
    *rise* is the bad direction. Periods with fewer than ``min_n`` answers are suppressed (value NaN),
    which also breaks a run of falls.

    >>> survey = pd.DataFrame({"submitted_at": pd.to_datetime(["2025-01-05", "2025-02-05", "2025-03-05"]),
    ...                        "nps": [10, 9, 3]})
    >>> period_trend(survey, min_n=1)[["period", "value", "alert"]]
        period  value  alert
    0  2025-01  100.0  False
    1  2025-02  100.0  False
    2  2025-03 -100.0  False
    """
    name = getattr(metric, "__name__", metric)
    frame = df.assign(period=pd.Series(df[x]).dt.to_period(freq).astype("string"))
    table = by_segment(frame, metric, "period", min_n=min_n, ci=ci, score_column=score_column or name)
    alerts = trend_alert(table.set_index("period")["value"], drop=drop, periods=periods,
                         higher_is_better=name != "ces")
    return table.assign(change=alerts["change"].to_numpy(), alert=alerts["alert"].to_numpy(dtype=bool))


def survey_kpis(df: pd.DataFrame) -> dict[str, float]:
    """The scorecard KPIs a survey table gives directly, for the score columns it has: ``nps`` (NPS points),
    ``csat_mean`` (mean CSAT, the [001] definition) and ``ces`` (mean effort) — keys as in :func:`scorecard`.

    >>> survey_kpis(pd.DataFrame({"nps": [10, 9, 6, 8], "csat": [5, 4, 4, 3]}))
    {'nps': 25.0, 'csat_mean': 4.0}
    """
    kpis = {}
    if "nps" in df:
        kpis["nps"] = nps(df["nps"]).value
    if "csat" in df:
        kpis["csat_mean"] = csat(df["csat"]).mean
    if "ces" in df:
        kpis["ces"] = ces(df["ces"]).value
    return kpis


def scorecard(actuals, targets=None, source: str | None = None, *, near: float = 0.05,
              lang: str | None = None) -> pd.DataFrame:
    """KPI scorecard (red/amber/green of exercise 4.9): each KPI's actual against its seed target.

    ``actuals``: a KPI snapshot under the ``kpi_snapshots`` column names (nps, csat_mean, ces, fcr,
    resp_min, resolve_h, complaint_rate, retention, churn, promise_kept) — a dict, a Series, a one-row
    frame, or a frame of many rows (then one block per row, led by its ``period``/``team`` columns, or by
    ``row`` = the frame's index when it has neither). Units are those of the table: percents 0–100,
    NPS in points. Columns without a target are ignored; a missing actual gets the status ``no_data``.

    ``targets``: None reads ``course/config/targets.yml`` and picks variants with ``source`` as in
    :func:`kpi_targets` (None = default: [001] where seeds disagree; "000"; "001"; "all"). Or a path to a
    file of the same form, or a mapping ``{kpi: target}`` (direction from the file), ``{kpi: (">=", 80)}``
    or ``{kpi: {"direction": …, "target": …, "source": …}}``, tagged ``user`` unless a source is given.

    Status, for direction ≥ (higher is better; mirrored for ≤):
    ``met`` when actual ≥ target (green); ``near`` when it misses by at most ``near`` (default 5 %) of the
    target, i.e. actual ≥ target − 0.05·|target| (amber); ``missed`` otherwise (red). ``gap`` = actual −
    target. Targets: NPS ≥ 50 [000] / ≥ 60 [001]; CSAT mean ≥ 4.5/5 [000][001]; CES ≤ 2/7 [000];
    first-contact resolution ≥ 75 % [001] / first-time resolution ≥ 80 % [000]; first reply ≤ 10 min,
    resolution ≤ 4 h, complaint rate ≤ 0.5 % [001]; retention ≥ 90 %, churn ≤ 5 %, promises kept ≥ 95 % [000].

    >>> card = scorecard({"nps": 48, "csat_mean": 4.6, "fcr": 70}, source="000", lang="en")
    >>> card[["kpi", "target", "direction", "actual", "status", "source"]]
             kpi  target direction  actual  status source
    0        nps    50.0         ≥    48.0    near    000
    1  csat_mean     4.5         ≥     4.6     met    000
    2        fcr    80.0         ≥    70.0  missed    000
    """
    near = _check_positive("near", near, 0, inclusive=True)
    if targets is None:
        table = kpi_targets(source)
    elif isinstance(targets, (str, Path)):
        table = kpi_targets(source, path=targets)
    else:
        table = _user_targets(targets)
    frame = _actuals_frame(actuals)
    table = table[table["kpi"].isin(frame.columns)]
    if table.empty:
        raise KitError("metrics_no_kpis", kpis=", ".join(kpi_targets("all")["kpi"].unique()))

    ids = [c for c in ("period", "team") if c in frame.columns]
    if not ids and len(frame) > 1:
        frame = frame.rename_axis("row").reset_index()
        ids = ["row"]
    blocks = []
    for position, (kpi, direction, target, unit, src, name_key) in enumerate(table.itertuples(index=False)):
        block = frame[ids].copy()
        block["kpi"] = kpi
        block["name"] = _kpi_name(name_key, lang)
        block["target"] = target
        block["direction"] = direction
        block["actual"] = pd.to_numeric(frame[kpi]).astype(float).to_numpy()
        block["source"] = src
        block["unit"] = unit
        block["_order"] = position
        blocks.append(block)
    out = pd.concat(blocks, ignore_index=True)
    out = out.sort_values([*ids, "_order"], kind="stable").drop(columns="_order").reset_index(drop=True)

    actual, target = out["actual"].to_numpy(), out["target"].to_numpy()
    higher = (out["direction"] == "≥").to_numpy()
    tolerance = near * np.abs(target)
    with np.errstate(invalid="ignore"):
        met = np.where(higher, actual >= target, actual <= target)
        close = np.where(higher, actual >= target - tolerance, actual <= target + tolerance)
    out["gap"] = actual - target
    out["status"] = np.select([np.isnan(actual), met, close], ["no_data", "met", "near"], "missed")
    return out[[*ids, "kpi", "name", "target", "direction", "actual", "gap", "status", "source", "unit"]]
