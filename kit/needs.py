"""Needs analysis (需求分析, lesson M1): priority matrix, journey pain points, promise ledger, need drift,
persona completeness, SPIN tagging and the four satisfaction factors.

Each function is small and pure; the seed that states a rule is named in its docstring ([000]–[004],
see ``shared/COURSE_BRIEF.md``), and thresholds are read from ``course/needs/thresholds.yml`` where
every value carries its seed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kit.data.schemas import DRIVER_FACTORS, JOURNEY_STAGES
from kit.kano import DRIFT
from kit.results import Result
from kit.text import data as course_data

QUADRANTS = ("do_first", "plan", "delegate", "later")
"""Importance × urgency quadrants: both high, important only, urgent only, neither (the 2 × 2 matrix of
[000][002]; the action per quadrant follows the Eisenhower matrix, external: Covey 1989)."""
CRITERIA = ("importance_urgency", "value", "ease", "roi", "fit")
"""The five priority criteria of [002]: importance–urgency, perceived value, implementation difficulty
(scored as ease: lower difficulty scores higher), return on investment, strategic fit."""
ROLES = ("decision_maker", "user", "influencer")
"""The three client roles of [000]: 决策者, 使用者, 影响者."""
STYLES = ("analytical", "amiable", "directive", "expressive")
"""The four client styles of [000]: 分析型, 友好型, 指导型 (driver), 表现型."""
PERSONA_ELEMENTS = ("basics", "challenges", "decision", "value")
"""The persona's four element groups [000]: basics (industry, size, region), challenges (pains, growth
bottlenecks), decision process (approvals, criteria), value orientation (cost, efficiency, innovation)."""
SPIN = ("S", "P", "I", "N")
"""SPIN question types [000]: Situation 情境, Problem 问题, Implication 影响, Need-payoff 需求."""
CHURN_SIGNS = ("unstable", "no_innovation", "weak_service", "staff_leaving")
"""The four churn signs of [003]: unstable product/service, no innovation, weak service attitude, departing
staff taking clients."""
FACTORS = tuple(f"f_{name}" for name in DRIVER_FACTORS)
"""The four satisfaction factors of [003] as survey columns: product, price, channel, competitor."""
STAGES = tuple(JOURNEY_STAGES)
"""The five journey stages of [001]: awareness, purchase, use, service, loyalty."""


def thresholds() -> dict:
    """The lesson's thresholds by name, each ``{seed: value}`` (``course/needs/thresholds.yml``).

    >>> thresholds()["promise_fulfilment"]
    {'000': 0.95}
    """
    return course_data("needs/thresholds")


def threshold(name: str, source: str = "000"):
    """One threshold as the seed ``source`` states it.

    >>> threshold("basic_need_fulfilment")
    0.98
    """
    return thresholds()[name][source]


# --- priority matrix ---------------------------------------------------------------------------------


def example_backlog() -> pd.DataFrame:
    """The lesson's example backlog (a bank branch [001]) from ``course/needs/tools.yml``: one row per need,
    rated 1–5 on importance, urgency, value, difficulty, roi and fit.

    >>> example_backlog().loc["booking"].tolist()
    [5.0, 4.0, 5.0, 3.0, 4.0, 5.0]
    """
    items = course_data("needs/tools")["backlog"]
    return pd.DataFrame(items).T.astype(float)[["importance", "urgency", "value", "difficulty", "roi", "fit"]]


def quadrant(importance, urgency, *, cut: float | None = None):
    """Quadrant of each need on the importance × urgency matrix [000][002].

    A rating above ``cut`` (default: ``priority_cut`` of the thresholds, the midpoint 3 of a 1–5 scale —
    the kit's choice) is high. Both high → ``do_first``; important only → ``plan``; urgent only →
    ``delegate``; neither → ``later`` (Eisenhower reading, external: Covey 1989). Vectorised; scalars give
    a string.

    >>> quadrant(5, 4), quadrant(4, 2), quadrant(2, 5), quadrant(3, 3)
    ('do_first', 'plan', 'delegate', 'later')
    >>> quadrant([5, 1], [5, 1]).tolist()
    ['do_first', 'later']
    """
    cut = thresholds()["priority_cut"]["kit"] if cut is None else cut
    important, urgent = np.asarray(importance, dtype=float) > cut, np.asarray(urgency, dtype=float) > cut
    codes = np.select([important & urgent, important, urgent], QUADRANTS[:3], QUADRANTS[3])
    return str(codes) if codes.ndim == 0 else codes


def criterion_scores(backlog: pd.DataFrame, *, low: float = 1, high: float = 5) -> pd.DataFrame:
    """The five [002] criteria of each backlog item on the ``low``–``high`` rating scale.

    ``backlog`` has the ratings ``importance``, ``urgency``, ``value``, ``difficulty``, ``roi`` and ``fit``.
    ``importance_urgency`` is the mean of importance and urgency; ``ease`` = low + high − difficulty, so
    the easiest item scores highest ("lower difficulty first" [002]).

    >>> backlog = pd.DataFrame({"importance": [5], "urgency": [4], "value": [5], "difficulty": [2],
    ...                         "roi": [4], "fit": [3]}, index=["booking"])
    >>> criterion_scores(backlog)  # doctest: +NORMALIZE_WHITESPACE
             importance_urgency  value  ease  roi  fit
    booking                 4.5      5     4    4    3
    """
    return pd.DataFrame({
        "importance_urgency": (backlog["importance"] + backlog["urgency"]) / 2,
        "value": backlog["value"],
        "ease": low + high - backlog["difficulty"],
        "roi": backlog["roi"],
        "fit": backlog["fit"],
    }, index=backlog.index)


def weights_of(weights: Mapping[str, float] | None = None) -> pd.Series:
    """The criterion weights as shares summing to 1; equal weights when ``weights`` is None.

    Weights are parameters, any non-negative numbers with a positive sum (e.g. points out of 10); [002]
    names the criteria but gives no weights.

    >>> weights_of({"importance_urgency": 2, "value": 1, "ease": 1, "roi": 0, "fit": 0}).tolist()
    [0.5, 0.25, 0.25, 0.0, 0.0]
    """
    raw = pd.Series(1.0, index=list(CRITERIA)) if weights is None else \
        pd.Series({c: float(weights.get(c, 0.0)) for c in CRITERIA})
    if (raw < 0).any() or raw.sum() <= 0:
        raise ValueError(f"weights must be non-negative with a positive sum; got {dict(raw)}")
    return raw / raw.sum()


def weighted_score(criteria: pd.DataFrame, weights: Mapping[str, float] | None = None) -> pd.Series:
    """Weighted priority score per item: Σ wᵢ · criterionᵢ with the shares of :func:`weights_of` [002].

    >>> criteria = pd.DataFrame({"importance_urgency": [4.5, 3.0], "value": [5, 4], "ease": [3, 1],
    ...                          "roi": [4, 2], "fit": [5, 4]}, index=["booking", "van"])
    >>> weighted_score(criteria).round(2).tolist()
    [4.3, 2.8]
    """
    return (criteria[list(CRITERIA)] * weights_of(weights)).sum(axis=1).rename("score")


def prioritise(backlog: pd.DataFrame, weights: Mapping[str, float] | None = None, *, top: int = 3,
               cut: float | None = None) -> pd.DataFrame:
    """The backlog ranked by weighted score, with its criteria, quadrant, ``rank`` (1 = first) and ``top``
    (the first ``top`` items). Ties keep the backlog's order.

    >>> backlog = pd.DataFrame({"importance": [5, 4, 3], "urgency": [4, 2, 4], "value": [5, 4, 4],
    ...                         "difficulty": [3, 5, 1], "roi": [4, 2, 5], "fit": [5, 4, 3]},
    ...                        index=["booking", "van", "display"])
    >>> prioritise(backlog, top=2)[["quadrant", "score", "rank", "top"]]  # doctest: +NORMALIZE_WHITESPACE
            quadrant  score  rank    top
    booking do_first    4.3     1   True
    display delegate    4.1     2   True
    van         plan    2.8     3  False
    """
    table = criterion_scores(backlog)
    table["quadrant"] = quadrant(backlog["importance"], backlog["urgency"], cut=cut)
    table["score"] = weighted_score(table, weights).round(10)
    table = table.sort_values("score", ascending=False, kind="stable")
    table["rank"] = np.arange(1, len(table) + 1)
    table["top"] = table["rank"] <= top
    return table


# --- journey ---------------------------------------------------------------------------------------


def stage_means(df: pd.DataFrame, *, score: str = "csat", stage: str = "journey_stage",
                order: Sequence[str] = STAGES) -> pd.Series:
    """Mean ``score`` per journey stage, in journey order [001]; a stage without answers is NaN.

    >>> df = pd.DataFrame({"journey_stage": ["use", "service", "service", "purchase"], "csat": [4, 3, 2, 5]})
    >>> stage_means(df).tolist()
    [nan, 5.0, 4.0, 2.5, nan]
    """
    return df.groupby(stage, observed=True)[score].mean().astype(float).reindex(list(order)).rename(score)


def touchpoint_means(df: pd.DataFrame, *, score: str = "csat", stage: str = "journey_stage",
                     touchpoint: str = "touchpoint", order: Sequence[str] = STAGES) -> pd.DataFrame:
    """Mean ``score`` and answer count ``n`` per (stage, touchpoint), stages in journey order [001].

    >>> df = pd.DataFrame({"journey_stage": ["service"] * 3 + ["use"], "touchpoint": ["维修网点", "维修网点", "客服中心", "说明书"],
    ...                    "csat": [3, 2, 4, 4]})
    >>> touchpoint_means(df)  # doctest: +NORMALIZE_WHITESPACE
                          mean  n
    journey_stage touchpoint
    use           说明书       4.0  1
    service       客服中心      4.0  1
                  维修网点      2.5  2
    """
    table = df.groupby([stage, touchpoint], observed=True)[score].agg(mean="mean", n="count")
    table["mean"] = table["mean"].astype(float)
    table["n"] = table["n"].astype(int)
    rank = pd.Series(range(len(order)), index=list(order))
    position = rank.reindex(table.index.get_level_values(stage)).to_numpy()
    return table.iloc[np.lexsort((table["mean"].to_numpy() * -1, position))]


def pain_point(means: pd.Series):
    """The label of the lowest mean: the journey's pain point, the low of the emotion curve [000].

    Works on :func:`stage_means` (a stage) and on ``touchpoint_means(...)["mean"]`` (a (stage,
    touchpoint) pair). Missing means are skipped; on a tie the first in journey order wins.

    >>> pain_point(pd.Series({"purchase": 4.2, "service": 3.9, "loyalty": 4.2}))
    'service'
    """
    return means.idxmin(skipna=True)


# --- expectation management ---------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Ledger(Result):
    """A 4D promise ledger's Track step [000]: ``n`` promises, ``kept``, the fulfilment ``rate``, its
    ``target``, whether it is ``met`` and how many broken promises the target allows at this volume."""

    n: int
    kept: int
    rate: float
    target: float
    met: bool
    allowed_misses: int


def allowed_misses(n: int, target: float) -> int:
    """How many of ``n`` promises may be broken while the fulfilment rate stays ≥ ``target``:
    ⌊n · (1 − target)⌋.

    >>> allowed_misses(8, 0.95), allowed_misses(20, 0.95), allowed_misses(100, 0.98)
    (0, 1, 2)
    """
    return math.floor(n * (1 - target) + 1e-9)


def ledger(kept: Sequence[bool], *, target: float | None = None) -> Ledger:
    """Fulfilment of a list of promises (True = kept as promised) against ``target`` (default: the
    promise fulfilment rate ≥ 95 % of [000]). Missing flags count as not kept.

    >>> ledger([True] * 19 + [False])
    Ledger(n=20, kept=19, rate=0.95, target=0.95, met=True, allowed_misses=1)
    """
    target = threshold("promise_fulfilment") if target is None else target
    flags = pd.Series(list(kept), dtype="boolean").fillna(False)
    n, done = len(flags), int(flags.sum())
    rate = done / n if n else math.nan
    return Ledger(n=n, kept=done, rate=rate, target=target, met=bool(n and rate >= target - 1e-12),
                  allowed_misses=allowed_misses(n, target))


# --- need levels, persona, tagging ---------------------------------------------------------------------


def drift(category: str, steps: int = 1) -> str:
    """Kano category after ``steps`` stages of need drift, delight → expected → basic [002]
    (A → O → M; a basic need stays basic). Indifferent, reverse and questionable do not drift.

    >>> drift("A"), drift("A", 2), drift("M"), drift("I")
    ('O', 'M', 'M', 'I')
    """
    if category not in DRIFT:
        return category
    return DRIFT[min(DRIFT.index(category) + steps, len(DRIFT) - 1)]


def missing_elements(card: Mapping[str, str]) -> tuple[str, ...]:
    """The persona element groups [000] that ``card`` leaves empty (blank text counts as empty).

    >>> missing_elements({"basics": "汽车零部件, 800 人, 苏州", "challenges": "交期不稳", "decision": " "})
    ('decision', 'value')
    """
    return tuple(e for e in PERSONA_ELEMENTS if not str(card.get(e) or "").strip())


def confusion(given: Mapping[str, str], key: Mapping[str, str], labels: Sequence[str] = SPIN) -> pd.DataFrame:
    """Counts of key label (rows) × given label (columns) over the items of ``key``; the diagonal holds
    the right tags. Items without a given tag are left out.

    >>> confusion({"q1": "S", "q2": "P", "q3": "P"}, {"q1": "S", "q2": "P", "q3": "I"}).loc["I"].tolist()
    [0, 1, 0, 0]
    """
    pairs = pd.DataFrame({"key": pd.Series(key), "given": pd.Series(given).reindex(list(key))}).dropna()
    table = pd.crosstab(pairs["key"], pairs["given"])
    return table.reindex(index=list(labels), columns=list(labels), fill_value=0).rename_axis(
        index="key", columns="given")


# --- satisfaction factors --------------------------------------------------------------------------------


def factor_means(df: pd.DataFrame, factors: Sequence[str] = FACTORS) -> pd.Series:
    """Mean rating of each of the four satisfaction factors [003], indexed by factor name (product …).

    >>> df = pd.DataFrame({"f_product": [4, 5], "f_price": [2, 3], "f_channel": [4, 4], "f_competitor": [3, 4]})
    >>> factor_means(df).tolist()
    [4.5, 2.5, 4.0, 3.5]
    """
    means = df[list(factors)].mean().astype(float)
    means.index = [f.removeprefix("f_") for f in factors]
    return means


def shortfall(means: pd.Series) -> str:
    """The factor with the lowest mean: the service shortfall (服务短板) to work on first [003].

    >>> shortfall(pd.Series({"product": 3.8, "price": 3.0, "channel": 3.6}))
    'price'
    """
    return str(means.idxmin())
