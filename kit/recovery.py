"""Service recovery and complaint handling (服务补救与投诉处理, lesson M3): the checks behind the lesson.

- :func:`step_coverage`: which steps of LEAF [000], HEAT [002] or LESCANT [002] a written reply shows,
  which are missing and which come out of order; :func:`apology_check`: is the apology specific [001]?
- :func:`sla_compliance`: the share of tickets within each seed's deadline (24 h [001][002], 15 min [002],
  72 h [004], the KPI 10 min / 4 h [001] …) with a Wilson interval; :func:`sla_breaches` lists the misses.
- :func:`claimed_satisfaction`: [001]'s unsourced claim ⚑ that each extra 12 h beyond 24 h costs 15 % of
  satisfaction, next to :func:`delay_cost`, the post-recovery CSAT the tickets actually show.
- :func:`classify_failures`: outcome / process / communication / interpersonal failure [000] by keyword rules.
- :func:`pareto`: the few root causes that cover ≥ 80 % of the complaints.
- :func:`recovery_paradox`: promoter share and NPS of untroubled, well-recovered and badly recovered
  customers (服务补救悖论 [000], alias 服务恢复悖论 [001]), with intervals from :mod:`kit.metrics`.
- :func:`authority_decision`: approve within the frontline limit, else escalate [000][001].
- :func:`why_chain`: a 5-Whys chain [000] and whether its root names a system or blames a person.

Step models, cue words, deadlines and keyword rules are course data in ``course/recovery/*.yml``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kit.errors import KitError
from kit.text import data as text_data

GROUPS = ("none", "well", "badly")
"""Customers of the paradox check: no complaint (survey), complaint recovered well, recovered badly."""
FAILURE_TYPES = ("outcome", "process", "communication", "interpersonal")
"""[000]'s four service-failure types, in its order (also the tie-break order of the classifier)."""
HOUR = pd.Timedelta(hours=1)


def course_data(name: str) -> dict:
    """The course data file ``course/recovery/<name>.yml`` (models, failure_types, deadlines, whys).

    >>> list(course_data("models")["models"])
    ['LEAF', 'HEAT', 'LESCANT']
    """
    return text_data(f"recovery/{name}")


@functools.cache
def _pattern(phrases: tuple[str, ...]) -> re.Pattern:
    """One case-insensitive regex for ``phrases``, longest first; a phrase that starts with a Latin letter
    or digit must start at a word start."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    parts = [(r"\b" if p[:1].isascii() and p[:1].isalnum() else "") + re.escape(p) for p in ordered]
    return re.compile("|".join(parts), re.IGNORECASE)


def _phrases(lists: Mapping) -> tuple[str, ...]:
    """The zh and en phrases of a ``{zh: […], en: […]}`` entry as one tuple."""
    return tuple(str(p) for lang in ("zh", "en") for p in lists.get(lang, ()))


def _check_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KitError("recovery_missing_columns", missing=", ".join(missing), available=", ".join(map(str, frame.columns)))


# --- step models ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepCoverage:
    """How a reply covers one step model: steps in the model's order, those present, missing and out of
    order, where each present step was found (``{step: (position, cue)}``) and ``score`` = present / all."""

    model: str
    source: str
    steps: tuple[str, ...]
    present: tuple[str, ...]
    missing: tuple[str, ...]
    out_of_order: tuple[str, ...]
    found: Mapping[str, tuple[int, str]]
    score: float


def model_steps(model: str) -> tuple[str, ...]:
    """The steps of a step model in order.

    >>> model_steps("LESCANT")
    ('listen', 'empathize', 'sorry', 'correct', 'act', 'notify', 'thank')
    """
    return tuple(step["step"] for step in _model(model)["steps"])


def _model(model: str) -> dict:
    models = course_data("models")["models"]
    if model not in models:
        raise KitError("recovery_unknown_model", model=model, known=", ".join(models))
    return models[model]


def _longest_in_order(positions: Sequence[int]) -> set[int]:
    """Indices of one longest non-decreasing subsequence of ``positions`` (O(n²); a model has ≤ 7 steps)."""
    if not positions:
        return set()
    length, previous = [1] * len(positions), [-1] * len(positions)
    for i in range(len(positions)):
        for j in range(i):
            if positions[j] <= positions[i] and length[j] + 1 > length[i]:
                length[i], previous[i] = length[j] + 1, j
    i, keep = int(np.argmax(length)), set()
    while i >= 0:
        keep.add(i)
        i = previous[i]
    return keep


def step_coverage(text: str, model: str = "LESCANT") -> StepCoverage:
    """Which steps of ``model`` (LEAF [000], HEAT [002], LESCANT [002]) the reply ``text`` shows.

    Steps: a step is present when one of its cue phrases (``course/recovery/models.yml``, zh and en) occurs;
    its position is the first such occurrence. Present steps outside a longest in-order run of positions
    are ``out_of_order`` (the fewest steps that would have to move). ``score`` = present steps / all steps.

    >>> c = step_coverage("您反映的订单延迟，我们非常抱歉。我现在就为您加急补发。", "HEAT")
    >>> c.present, c.missing, c.score
    (('hear', 'apologize', 'take_action'), ('empathize',), 0.75)
    >>> step_coverage("Thank you. You told us the parcel was late; sorry.", "LESCANT").out_of_order
    ('thank',)
    """
    spec, cues = _model(model), course_data("models")["cues"]
    found = {}
    for step in spec["steps"]:
        match = _pattern(sum((_phrases(cues[c]) for c in step["cues"]), ())).search(text or "")
        if match:
            found[step["step"]] = (match.start(), match.group())
    steps = model_steps(model)
    present = tuple(s for s in steps if s in found)
    keep = _longest_in_order([found[s][0] for s in present])
    return StepCoverage(
        model=model, source=str(spec["source"]), steps=steps, present=present,
        missing=tuple(s for s in steps if s not in found),
        out_of_order=tuple(s for i, s in enumerate(present) if i not in keep),
        found=found, score=len(present) / len(steps),
    )


@dataclass(frozen=True)
class ApologyCheck:
    """An apology's check [001]: is there one, does it name the concrete failure (an object, or a number
    with a time or money unit), and which blame-shifting phrases the reply contains."""

    apology: bool
    specific: bool
    blame: tuple[str, ...]
    sentence: str | None


def apology_check(text: str) -> ApologyCheck:
    """Check the apology of a reply: [001] wants it to name the concrete failure (e.g. "您等待了30分钟"),
    not a general "sorry", and no blame-shifting (exercise 3.3: 但是 / 您应该).

    The apology sentence is the first sentence with an apology cue; it is ``specific`` when it names an
    object from the list in ``models.yml`` or a number followed by a unit (分钟, 小时, 元, hours …).

    >>> apology_check("非常抱歉让您等了40分钟。").specific
    True
    >>> apology_check("Sorry for any inconvenience, but you should have called earlier.")
    ApologyCheck(apology=True, specific=False, blame=('but you',), sentence='Sorry for any inconvenience, but you should have called earlier.')
    """
    spec, cues = course_data("models")["apology"], course_data("models")["cues"]
    text = text or ""
    sentences = [s.strip() for s in re.split(r"(?<=[。！？!?.\n])", text) if s.strip()]
    sorry = _pattern(_phrases(cues["apologize"]))
    sentence = next((s for s in sentences if sorry.search(s)), None)
    units = "|".join(re.escape(u) for u in sorted(_phrases(spec["units"]), key=len, reverse=True))
    specific = sentence is not None and bool(
        _pattern(_phrases(spec["objects"])).search(sentence) or re.search(rf"\d+\s*(?:{units})\b", sentence, re.I)
    )
    blame = tuple(m.group() for m in _pattern(_phrases(spec["blame"])).finditer(text))
    return ApologyCheck(apology=sentence is not None, specific=specific, blame=blame, sentence=sentence)


# --- deadlines --------------------------------------------------------------------------------------


def response_hours(tickets: pd.DataFrame, end: str = "first_response_at", start: str = "received_at") -> pd.Series:
    """Hours from ``start`` to ``end`` per ticket, NaN where ``end`` has not happened (yet).

    >>> t = pd.DataFrame({"received_at": pd.to_datetime(["2025-01-01 08:00", "2025-01-01 09:00"]),
    ...                   "first_response_at": pd.to_datetime(["2025-01-01 08:30", None])})
    >>> response_hours(t).tolist()
    [0.5, nan]
    """
    _check_columns(tickets, [start, end])
    return ((tickets[end] - tickets[start]) / HOUR).astype(float)


def deadline_rules(rules=None) -> dict[str, dict]:
    """The deadline rules by id: all of ``deadlines.yml`` (None), the named ones, or a given mapping.

    >>> deadline_rules(["reply_24h"])
    {'reply_24h': {'end': 'first_response_at', 'limit': '24h', 'sources': ['001', '002']}}
    """
    known = course_data("deadlines")["rules"]
    if rules is None:
        return dict(known)
    if isinstance(rules, Mapping):
        return dict(rules)
    unknown = [r for r in rules if r not in known]
    if unknown:
        raise KitError("recovery_unknown_rule", rule=", ".join(unknown), known=", ".join(known))
    return {r: known[r] for r in rules}


def _as_of(tickets: pd.DataFrame, as_of) -> pd.Timestamp:
    """The moment the open tickets are judged at: ``as_of``, else the latest timestamp in the tickets."""
    if as_of is not None:
        return pd.Timestamp(as_of)
    stamps = tickets.select_dtypes("datetime")
    return stamps.max().max()


def sla_status(tickets: pd.DataFrame, rule: Mapping, as_of=None) -> pd.Series:
    """Per ticket, for one deadline ``rule`` (a mapping as in ``deadlines.yml``): ``"met"`` (the clock stopped
    within the limit), ``"breached"`` (it stopped later, or is still running past the limit at ``as_of``),
    ``"pending"`` (still running, within the limit) or missing (the rule's severity filter excludes it).

    ``as_of`` defaults to the latest timestamp in the table. Vectorised.

    >>> t = pd.DataFrame({"received_at": pd.to_datetime(["2025-01-01 08:00"] * 3),
    ...                   "first_response_at": pd.to_datetime(["2025-01-01 08:10", "2025-01-02 10:00", None])})
    >>> sla_status(t, {"end": "first_response_at", "limit": "24h"}, as_of="2025-01-01 12:00").tolist()
    ['met', 'breached', 'pending']
    """
    hours = response_hours(tickets, rule["end"])
    limit = pd.Timedelta(rule["limit"]) / HOUR
    elapsed = (_as_of(tickets, as_of) - tickets["received_at"]) / HOUR
    status = np.select([hours <= limit, hours > limit, elapsed > limit], ["met", "breached", "breached"], "pending")
    status = pd.Series(status, index=tickets.index, dtype="string")
    if rule.get("severity"):
        _check_columns(tickets, ["severity"])
        status = status.where(tickets["severity"].isin(rule["severity"]))
    return status


def sla_compliance(tickets: pd.DataFrame, rules=None, as_of=None, ci: float = 0.95) -> pd.DataFrame:
    """Share of tickets within each deadline rule, with n, a Wilson interval and the breach count.

    For each rule (``deadlines.yml``; ``rules``: ids or a mapping, default all): share = met / (met +
    breached) among the tickets in the rule's scope; ``pending`` tickets (still within the limit) are left
    out and counted. ``ci_low``/``ci_high``: Wilson (1927, external) score interval of the share, from
    :mod:`kit.metrics`. ``mean_h``/``median_h``: the clock's mean and median hours where it has stopped —
    [001]'s KPIs (response ≤ 10 min, resolution ≤ 4 h) are means, so read those next to the share.

    >>> t = pd.DataFrame({"received_at": pd.to_datetime(["2025-01-01 08:00"] * 4),
    ...                   "first_response_at": pd.to_datetime(["2025-01-01 08:10", "2025-01-01 09:00",
    ...                                                        "2025-01-02 12:00", "2025-01-01 08:05"])})
    >>> sla_compliance(t, ["reply_24h", "negative_reply_15min"])[["n", "met", "share", "ci_low", "ci_high"]].round(3)
                          n  met  share  ci_low  ci_high
    reply_24h             4    3   0.75   0.301    0.954
    negative_reply_15min  4    2   0.50   0.150    0.850
    """
    from kit.stats import wilson, z_crit

    rows = {}
    for rule_id, rule in deadline_rules(rules).items():
        status = sla_status(tickets, rule, as_of)
        hours = response_hours(tickets, rule["end"])[status.notna()]
        counts = status.value_counts()
        met, breached = int(counts.get("met", 0)), int(counts.get("breached", 0))
        rows[rule_id] = {
            "sources": ", ".join(rule.get("sources", ())), "end": rule["end"], "limit": rule["limit"],
            "limit_h": pd.Timedelta(rule["limit"]) / HOUR, "severity": ", ".join(rule.get("severity", ())),
            "n": met + breached, "met": met, "breached": breached, "pending": int(counts.get("pending", 0)),
            "mean_h": hours.mean(), "median_h": hours.median(),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    low, high = wilson(table["met"].to_numpy(), table["n"].to_numpy(), z_crit(ci))
    return table.assign(share=table["met"] / table["n"].where(table["n"] > 0), ci_low=low, ci_high=high)


def sla_breaches(tickets: pd.DataFrame, rule: str, as_of=None) -> pd.DataFrame:
    """The tickets that breach deadline ``rule`` (an id of ``deadlines.yml``), slowest first, with their
    ``hours`` on the clock (NaN: still open past the limit).

    >>> t = pd.DataFrame({"ticket_id": ["T1", "T2"], "received_at": pd.to_datetime(["2025-01-01 08:00"] * 2),
    ...                   "first_response_at": pd.to_datetime(["2025-01-01 08:10", "2025-01-02 10:00"])})
    >>> sla_breaches(t, "reply_24h")[["ticket_id", "hours"]]
      ticket_id  hours
    1        T2   26.0
    """
    spec = deadline_rules([rule])[rule]
    breached = sla_status(tickets, spec, as_of).eq("breached").fillna(False).to_numpy(dtype=bool)
    out = tickets.loc[breached].assign(hours=response_hours(tickets, spec["end"])[breached])
    return out.sort_values("hours", ascending=False, na_position="first")


# --- the delay-cost claim next to the data -----------------------------------------------------------


def claimed_satisfaction(hours, grace_h: float | None = None, step_h: float | None = None,
                         cut: float | None = None):
    """**The source's claim, not a finding** [001] ⚑: "each extra 12 h of response time cuts satisfaction
    by 15 %", counted beyond the golden 24 h. No study is named; the lesson shows it as a claim.

    Returns satisfaction as a share of the level at a reply within 24 h::

        claimed(h) = (1 − cut) ^ (max(h − grace_h, 0) / step_h)      # grace 24 h, step 12 h, cut 0.15

    The source does not say whether the cut compounds or how it runs between whole steps; this reads it as
    a steady compounding rate, so at 36 h, 48 h, 60 h … it equals the step-by-step reading (85 %, 72.25 % …).
    Defaults come from ``deadlines.yml`` (``delay_claim``). Vectorised over ``hours``.

    >>> claimed_satisfaction([12, 24, 36, 48]).round(4).tolist()
    [1.0, 1.0, 0.85, 0.7225]
    """
    claim = course_data("deadlines")["delay_claim"]
    grace_h = claim["grace_h"] if grace_h is None else grace_h
    step_h = claim["step_h"] if step_h is None else step_h
    cut = claim["cut"] if cut is None else cut
    extra = np.clip(np.asarray(hours, dtype=float) - grace_h, 0, None)
    return (1 - cut) ** (extra / step_h)


def response_band(hours, edges: Sequence[float] | None = None) -> pd.Series:
    """The first-reply band of each number of hours: ``"0–1 h"`` … ``"> 36 h"`` (ordered categories).

    Bands are right-closed, (a, b]; the first includes 0. ``edges`` default to ``deadlines.yml``.

    >>> response_band([0.5, 3, 30, 50]).tolist()
    ['0–1 h', '1–4 h', '24–36 h', '> 36 h']
    """
    edges = [float(e) for e in (course_data("deadlines")["response_bands_h"] if edges is None else edges)]
    labels = [f"> {lo:g} h" if np.isinf(hi) else f"{lo:g}–{hi:g} h" for lo, hi in zip(edges, edges[1:], strict=False)]
    return pd.cut(pd.Series(hours, dtype=float), edges, labels=labels, include_lowest=True)


def delay_cost(tickets: pd.DataFrame, edges: Sequence[float] | None = None, min_n: int = 30,
               ci: float = 0.95) -> pd.DataFrame:
    """Post-recovery CSAT by first-reply band, observed, next to what [001]'s claim ⚑ would predict.

    Per band: n, mean ``post_csat`` (1–5) with its t interval and top-2-box share, from
    :func:`kit.metrics.by_segment` (bands with n < ``min_n`` are flagged "small" and their estimates
    suppressed); ``median_h`` = median reply hours; ``observed_rel`` = band mean ÷ mean of all tickets
    answered within 24 h (``observed_rel_low``/``_high``: its t interval, scaled alike); ``claimed_rel`` = :func:`claimed_satisfaction` at ``median_h``.

    >>> t = pd.DataFrame({"received_at": pd.to_datetime(["2025-01-01"] * 4),
    ...                   "first_response_at": pd.to_datetime(["2025-01-01 00:30"] * 2 + ["2025-01-02 12:00"] * 2),
    ...                   "post_csat": [5, 4, 3, 2]})
    >>> delay_cost(t, edges=[0, 24, 48], min_n=1)[["band", "n", "mean", "observed_rel", "claimed_rel"]]
          band  n  mean  observed_rel  claimed_rel
    0   0–24 h  2   4.5      1.000000         1.00
    1  24–48 h  2   2.5      0.555556         0.85
    """
    from kit.metrics import by_segment, csat

    _check_columns(tickets, ["post_csat"])
    hours = response_hours(tickets)
    frame = pd.DataFrame({"band": response_band(hours, edges).array, "post_csat": tickets["post_csat"].to_numpy(),
                          "hours": hours.to_numpy()}).dropna(subset=["band"])
    table = by_segment(frame, "csat", "band", min_n=min_n, ci=ci, score_column="post_csat")
    median = frame.groupby("band", observed=True)["hours"].median()
    base = csat(tickets["post_csat"][hours <= course_data("deadlines")["delay_claim"]["grace_h"]]).mean
    table["median_h"] = table["band"].map(median).astype(float)
    table["observed_rel"] = table["mean"] / base
    table["observed_rel_low"], table["observed_rel_high"] = table["mean_ci_low"] / base, table["mean_ci_high"] / base
    table["claimed_rel"] = claimed_satisfaction(table["median_h"])
    return table


# --- failure types and root causes --------------------------------------------------------------------


@dataclass(frozen=True)
class FailureVerdict:
    """The failure type [000] of one incident (None when no keyword matched), the keywords that decided it
    and the hit count of every type."""

    type: str | None
    matched: tuple[str, ...]
    scores: Mapping[str, int]


def classify_failures(texts) -> pd.DataFrame:
    """Failure type of each incident text by the keyword rules of ``failure_types.yml`` [000].

    Steps: count each type's keyword hits; the type with most hits wins, a tie goes to the type listed
    first (outcome → process → communication → interpersonal, [000]'s order); no hit leaves ``type``
    missing. Columns: ``type``, ``matched`` (the winning type's keywords, "; "-joined) and one hit count per
    type. Vectorised over a Series with pandas string methods.

    >>> classify_failures(["客服说话很冲，还挂了我电话。", "The parcel arrived damaged.", "你好"])[["type", "matched"]]
                type    matched
    0  interpersonal  说话很冲; 挂了
    1        outcome    damaged
    2           <NA>
    """
    rules = course_data("failure_types")["types"]
    texts = pd.Series([texts] if isinstance(texts, str) else texts, dtype="string").fillna("")
    hits = {ftype: texts.str.findall(_pattern(_phrases(rules[ftype]))) for ftype in FAILURE_TYPES}
    counts = pd.DataFrame({ftype: found.str.len() for ftype, found in hits.items()}).astype(int)
    best = counts.to_numpy().argmax(axis=1)  # the first maximum: ties go to the earlier type
    none = counts.to_numpy().max(axis=1) == 0
    kind = pd.array(np.where(none, None, np.array(FAILURE_TYPES, dtype=object)[best]), dtype="string")
    stacked = np.column_stack([hits[f].to_numpy() for f in FAILURE_TYPES])
    matched = ["; ".join(row[b]) for row, b in zip(stacked, best, strict=True)]
    return pd.concat([pd.DataFrame({"type": kind, "matched": matched}, index=texts.index), counts], axis=1)


def classify_failure(text: str) -> FailureVerdict:
    """The failure type of one incident, with its reason (see :func:`classify_failures`).

    >>> classify_failure("酒店客人入住后发现房型与预订的不符。")
    FailureVerdict(type='outcome', matched=('不符',), scores={'outcome': 1, 'process': 0, 'communication': 0, 'interpersonal': 0})
    """
    row = classify_failures([text]).iloc[0]
    kind = None if pd.isna(row["type"]) else str(row["type"])
    return FailureVerdict(type=kind, matched=tuple(row["matched"].split("; ")) if kind else (),
                          scores={f: int(row[f]) for f in FAILURE_TYPES})


def pareto(values, threshold: float = 0.8) -> pd.DataFrame:
    """Root-cause Pareto: causes by frequency with share and cumulative share; ``vital`` marks the fewest
    top causes whose cumulative share reaches ``threshold`` (80 % by default).

    Causes with equal counts are ordered by name, so the result is stable; missing values are left out.

    >>> pareto(["流程"] * 5 + ["培训"] * 3 + ["系统"] * 1 + ["客户"] * 1)
      cause  n  share  cumulative  vital
    0    流程  5    0.5         0.5   True
    1    培训  3    0.3         0.8   True
    2    客户  1    0.1         0.9  False
    3    系统  1    0.1         1.0  False
    """
    if isinstance(threshold, bool) or not 0 < threshold <= 1:
        raise KitError("recovery_bad_share", param="threshold", value=threshold)
    counts = pd.Series(values, dtype="string").dropna().value_counts().sort_index()
    counts = counts.sort_values(ascending=False, kind="stable")
    share = (counts / counts.sum()).to_numpy(dtype=float)
    cumulative = share.cumsum()
    before = np.concatenate([[0.0], cumulative[:-1]])
    return pd.DataFrame({"cause": counts.index.astype(str), "n": counts.to_numpy(dtype=int), "share": share,
                         "cumulative": cumulative.round(12), "vital": before < threshold - 1e-12})


# --- the recovery paradox -----------------------------------------------------------------------------


def recovery_group(tickets: pd.DataFrame, reply_within_h: float = 24, resolve_within_h: float = 72,
                   min_csat: int = 1) -> pd.Series:
    """``"well"`` or ``"badly"`` per complaint: recovered well = first reply within ``reply_within_h`` hours
    [001], resolved within ``resolve_within_h`` hours [004] and ``post_csat`` ≥ ``min_csat`` (1 = no
    condition). Missing when only the post-recovery CSAT could decide and it is unknown.

    >>> t = pd.DataFrame({"received_at": pd.to_datetime(["2025-01-01"] * 3),
    ...                   "first_response_at": pd.to_datetime(["2025-01-01 01:00", "2025-01-03 00:00", "2025-01-01 01:00"]),
    ...                   "resolved_at": pd.to_datetime(["2025-01-01 05:00", "2025-01-04 00:00", "2025-01-01 02:00"]),
    ...                   "post_csat": pd.array([5, 5, None], dtype="Int64")})
    >>> recovery_group(t, min_csat=4).tolist()
    ['well', 'badly', <NA>]
    """
    _check_columns(tickets, ["resolved_at", "post_csat"])
    fast = pd.array(response_hours(tickets) <= reply_within_h, dtype="boolean")
    fixed = pd.array(response_hours(tickets, "resolved_at") <= resolve_within_h, dtype="boolean")
    rated = pd.array(tickets["post_csat"] >= min_csat, dtype="boolean") if min_csat > 1 else True
    well = fast & fixed & rated
    return pd.Series(pd.array(np.where(well.fillna(False), "well", "badly"), dtype="string"),
                     index=tickets.index).mask(well.isna())


def untroubled(survey: pd.DataFrame, tickets: pd.DataFrame) -> tuple[pd.DataFrame, int | None]:
    """The survey's respondents who made no complaint, the base of the recovery paradox: rows whose
    ``customer_id`` is also in the complaint log are left out; and how many were. When either table has no
    customer id to match, the whole survey and None.

    >>> survey = pd.DataFrame({"customer_id": ["C1", "C2", "C3", None], "nps": [9, 3, 10, 7]})
    >>> base, left_out = untroubled(survey, pd.DataFrame({"customer_id": ["C2", "C9"]}))
    >>> base["nps"].tolist(), left_out
    ([9, 10, 7], 1)
    >>> untroubled(survey, pd.DataFrame({"ticket_id": ["T1"]}))[1] is None
    True
    """
    if "customer_id" not in survey or "customer_id" not in tickets or not tickets["customer_id"].notna().any():
        return survey, None
    complained = survey["customer_id"].isin(tickets["customer_id"].dropna()).to_numpy(dtype=bool)
    return survey[~complained], int(complained.sum())


def recovery_paradox(tickets: pd.DataFrame, survey: pd.DataFrame, reply_within_h: float = 24,
                     resolve_within_h: float = 72, min_csat: int = 1, min_n: int = 30,
                     ci: float = 0.95) -> pd.DataFrame:
    """The service-recovery paradox in data (服务补救悖论 [000]; 服务恢复悖论 [001]): customers without a
    complaint (``survey.nps`` of :func:`untroubled`) vs complaints recovered well or badly (``tickets.post_nps``,
    groups of :func:`recovery_group`).

    One row per group (``none``, ``well``, ``badly``): NPS with its interval and the promoter share, from
    :func:`kit.metrics.by_segment` (groups with n < ``min_n`` flagged "small", estimates suppressed); a
    Wilson interval (external) for the promoter share; for complaints, the 90-day churn share with its
    Wilson interval. The paradox shows when ``well`` has more promoters than ``none``.

    >>> survey = pd.DataFrame({"nps": [9, 7, 3, 10] * 10})
    >>> t = pd.DataFrame({"received_at": pd.to_datetime(["2025-01-01"] * 60),
    ...     "first_response_at": pd.to_datetime(["2025-01-01 01:00"] * 30 + ["2025-01-03 00:00"] * 30),
    ...     "resolved_at": pd.to_datetime(["2025-01-01 05:00"] * 30 + ["2025-01-05 00:00"] * 30),
    ...     "post_csat": [5] * 60, "post_nps": [10, 9, 8] * 10 + [2, 9, 5] * 10, "churned_90d": [False] * 60})
    >>> recovery_paradox(t, survey)[["group", "n", "promoters", "promoters_low", "value"]].round(3)
       group   n  promoters  promoters_low   value
    0   none  40      0.500          0.352  25.000
    1   well  30      0.667          0.488  66.667
    2  badly  30      0.333          0.192 -33.333
    """
    from kit.metrics import by_segment
    from kit.stats import wilson, z_crit

    _check_columns(survey, ["nps"])
    _check_columns(tickets, ["post_nps", "churned_90d"])
    group = recovery_group(tickets, reply_within_h, resolve_within_h, min_csat)
    survey, _ = untroubled(survey, tickets)
    complaints = pd.Categorical(group.to_numpy(dtype=object, na_value=None), categories=GROUPS).codes
    none = np.full(len(survey), GROUPS.index("none"), complaints.dtype)
    frame = pd.DataFrame({
        "group": pd.Categorical.from_codes(np.concatenate([none, complaints]), categories=GROUPS),
        "score": pd.concat([survey["nps"], tickets["post_nps"]], ignore_index=True).astype("Int64"),
    })
    frame = frame[frame["group"].notna()]  # complaints whose group could not be decided
    table = by_segment(frame, "nps", "group", min_n=min_n, ci=ci, score_column="score")
    z = z_crit(ci)
    table["promoters_low"], table["promoters_high"] = wilson(table["promoters"] * table["n"], table["n"], z)
    table["group"] = table["group"].astype(str)
    churn = tickets["churned_90d"].groupby(group.to_numpy(dtype=object, na_value=None)).agg(["sum", "count"])
    churn = churn.reindex(table["group"]).fillna(0)
    churned, known = churn["sum"].to_numpy(dtype=float), churn["count"].to_numpy(dtype=float)
    table["churn_n"] = known.astype(int)
    table["churn"] = churned / np.where(known > 0, known, np.nan)
    table["churn_low"], table["churn_high"] = wilson(churned, known, z)
    return table


# --- authority and root causes ------------------------------------------------------------------------


def authority_decision(amount, limit: float, severity=None) -> np.ndarray:
    """``"approve"`` or ``"escalate"`` per case: the frontline may grant extra service or a discount up to a
    set ``limit`` without asking [000] (cf. [001]'s Ritz-Carlton and Haidilao examples ⚑); above it, or
    in a crisis (seniors take part in crisis handling [000]), escalate. A missing amount counts as 0.

    >>> authority_decision([50, 480, 800, 300], limit=500, severity=["minor", "major", "minor", "crisis"]).tolist()
    ['approve', 'approve', 'escalate', 'escalate']
    """
    amount = pd.Series(amount, dtype=float).fillna(0).to_numpy()
    crisis = np.zeros(len(amount), bool) if severity is None else pd.Series(severity).eq("crisis").to_numpy(dtype=bool)
    return np.where((amount > limit) | crisis, "escalate", "approve")


@dataclass(frozen=True)
class WhyChain:
    """A 5-Whys chain [000]: the problem, the answers in order (each the cause of the one before), the kind of
    each answer (``"person"``, ``"system"`` or ``"unclear"``) and the root = the last answer."""

    problem: str
    causes: tuple[str, ...]
    kinds: tuple[str, ...]

    @property
    def root(self) -> str | None:
        return self.causes[-1] if self.causes else None

    @property
    def root_kind(self) -> str | None:
        return self.kinds[-1] if self.kinds else None


def why_chain(problem: str, answers: Sequence[str]) -> WhyChain:
    """Build a 5-Whys chain (五个为什么 [000]): ask "why?" of the problem, then of each answer; the chain
    ends at the first blank answer, and its last answer is the root cause.

    Each answer is judged by the cue words of ``whys.yml``: ``"person"`` when it blames someone (checked
    first), ``"system"`` when it names a rule, standard or mechanism that can be fixed, else ``"unclear"``.
    [000]'s example ends at a missing quality standard, not at the busy approver.

    >>> c = why_chain("报告交付延迟", ["审批时间长", "审批人太忙", "所有报告都需要高层审批", "缺乏分级审批机制", "未建立明确的质量标准"])
    >>> c.kinds, c.root_kind
    (('unclear', 'person', 'unclear', 'system', 'system'), 'system')
    """
    cues = course_data("whys")
    person, system = _pattern(_phrases(cues["person"])), _pattern(_phrases(cues["system"]))
    causes = []
    for answer in answers:
        if not str(answer or "").strip():
            break
        causes.append(str(answer).strip())
    kinds = tuple("person" if person.search(c) else "system" if system.search(c) else "unclear" for c in causes)
    return WhyChain(problem=str(problem).strip(), causes=tuple(causes), kinds=kinds)


# --- report helpers -----------------------------------------------------------------------------------


def paradox_test(tickets: pd.DataFrame, survey: pd.DataFrame, reply_within_h: float = 24,
                 resolve_within_h: float = 72, min_csat: int = 1, ci: float = 0.95):
    """Is the recovery paradox significant? NPS of the well-recovered complainers (``post_nps``) minus the
    NPS of the untroubled survey base (``survey.nps`` of :func:`untroubled`), with its interval and two-sided p-value from
    :func:`kit.metrics.nps_diff` (external: z-test on the multinomial difference). A positive difference
    whose interval excludes 0 supports the paradox [000]; an interval spanning 0 means the data cannot tell.

    >>> survey = pd.DataFrame({"nps": [9, 7, 3, 10] * 10})
    >>> t = pd.DataFrame({"received_at": pd.to_datetime(["2025-01-01"] * 30),
    ...     "first_response_at": pd.to_datetime(["2025-01-01 01:00"] * 30),
    ...     "resolved_at": pd.to_datetime(["2025-01-01 05:00"] * 30), "post_csat": [5] * 30,
    ...     "post_nps": [10, 9, 8] * 10})
    >>> r = paradox_test(t, survey)
    >>> round(r.diff, 3), r.p_value < 0.05
    (41.667, True)
    """
    from kit.metrics import nps_diff

    _check_columns(survey, ["nps"])
    _check_columns(tickets, ["post_nps"])
    well = recovery_group(tickets, reply_within_h, resolve_within_h, min_csat).eq("well").fillna(False)
    return nps_diff(tickets.loc[well.to_numpy(dtype=bool), "post_nps"], untroubled(survey, tickets)[0]["nps"], ci=ci)


def complaint_kpis(tickets: pd.DataFrame, targets: pd.DataFrame | None = None) -> dict[str, float]:
    """The scorecard KPIs a complaint log gives directly, for the columns it has (keys as in
    :func:`kit.metrics.scorecard`): ``fcr`` (% resolved at first contact), ``resp_min`` (minutes to the first
    reply) and ``resolve_h`` (hours to resolution), each duration by the statistic its row of ``targets``
    names (:func:`duration_kpi`; [001]'s KPIs are means, the default). Unanswered tickets are left out.

    >>> t = pd.DataFrame({"received_at": pd.to_datetime(["2025-01-01 08:00"] * 2),
    ...                   "first_response_at": pd.to_datetime(["2025-01-01 08:10", "2025-01-01 08:20"]),
    ...                   "fcr": pd.array([True, False], dtype="boolean")})
    >>> complaint_kpis(t)
    {'fcr': 50.0, 'resp_min': 15.0}
    """
    chosen = {} if targets is None else targets.set_index("kpi")[["statistic", "within"]].to_dict("index")
    kpis = {}
    if "fcr" in tickets and tickets["fcr"].notna().any():
        kpis["fcr"] = float(pd.Series(tickets["fcr"], dtype="boolean").mean() * 100)
    for kpi, end, scale in (("resp_min", "first_response_at", 60), ("resolve_h", "resolved_at", 1)):
        if {"received_at", end} <= set(tickets.columns):
            rule = chosen.get(kpi) or {}
            kpis[kpi] = duration_kpi(response_hours(tickets, end) * scale, rule.get("statistic") or "mean",
                                     rule.get("within"))
    return kpis


def duration_kpi(durations: pd.Series, statistic: str = "mean", within: float | None = None) -> float:
    """One statistic of skewed durations (missing ones left out): ``mean``, ``median``, ``p90`` (the 90th
    percentile, linear interpolation as numpy's default) or ``share_within`` (% of durations ≤ ``within``).

    >>> hours = pd.Series([0.5, 1.0, 2.0, 40.0, None])
    >>> [round(duration_kpi(hours, s, 24), 3) for s in ("mean", "median", "p90", "share_within")]
    [10.875, 1.5, 28.6, 75.0]
    """
    known = durations.dropna().astype(float)
    if known.empty:
        return float("nan")
    if statistic == "share_within":
        return float((known <= within).mean() * 100)
    return float({"mean": known.mean, "median": known.median, "p90": lambda: known.quantile(0.9)}[statistic]())
