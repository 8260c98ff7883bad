"""Feedback loop and continuous improvement (反馈闭环·持续改进, module X2): the checks behind the lesson.

- :func:`loop_funnel`: how far the complaints of a ticket log got round the closed loop — collected →
  classified → actioned → verified — with Wilson intervals; :func:`loop_deadlines`: [004]'s analyse ≤ 24 h
  and reply ≤ 48 h.
- :func:`pdca_check`: the Check of PDCA — did a KPI change from before to after, beyond chance?
- :func:`dot_vote`: the pain workshop's dot-vote tally [001], with who spent too many dots.
- :func:`check_review`: 每案必复盘 [001] — a case review's four steps, facts → causes → lessons → plan.
- :data:`LOOPS`: the closed loops of [000], [002], [004] and PDCA side by side; :func:`loop_table` names them.

Step names, verdicts and problem texts live in ``kit/locale/improvement.<lang>.yml``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kit.data.schemas import normalise_header
from kit.errors import KitError
from kit.i18n import t
from kit.names import name as _name
from kit.names import name_key as _key
from kit.results import Result
from kit.stats import check_confidence, t_crit, two_proportions, wilson, z_crit

HOUR = pd.Timedelta(hours=1)





# --- the loop funnel --------------------------------------------------------------------------------


FUNNEL_STEPS = ("collected", "classified", "actioned", "verified")
"""The closed loop as a complaint log records it: every ticket is collected; classified when ``category`` or
``failure_type`` is filled; actioned when ``solution_at`` or ``resolved_at`` is set; verified when
``verified_at`` is set (the follow-up check)."""
FUNNEL_COLUMNS = {"classified": ("category", "failure_type"), "actioned": ("solution_at", "resolved_at"),
                  "verified": ("verified_at",)}


def _check_tickets(tickets) -> None:
    if not isinstance(tickets, pd.DataFrame):
        raise KitError("improvement_not_a_table", got=type(tickets).__name__)


def _filled(column: pd.Series) -> np.ndarray:
    """True where a cell holds something: not missing and, for text, not only whitespace."""
    known = column.notna().to_numpy(dtype=bool)
    if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
        text = column.astype("string").str.strip().fillna("")
        known = known & (text != "").to_numpy(dtype=bool)
    return known


def _note(recorded: bool, lang: str | None) -> str:
    """"" for a recorded step, else the words for "not recorded" (not the same as none)."""
    return "" if recorded else t("improvement.not_recorded", lang)


def step_name(step: str, lang: str | None = None) -> str:
    """Display name of a funnel step.

    >>> step_name("verified", "zh"), step_name("verified", "en")
    ('已验证', 'Verified')
    """
    return t(f"improvement.funnel.{step}", lang)


def loop_funnel(tickets: pd.DataFrame, ci: float = 0.95, lang: str | None = None) -> pd.DataFrame:
    """How far the complaints got round the closed loop (闭环管理 [000][002]): collected → classified →
    actioned → verified (:data:`FUNNEL_STEPS`).

    A step counts the tickets that reached it *and every recorded step before it* (``n``), so each share is a
    proportion of the step before; ``reached`` counts the step on its own, and ``reached − n`` tickets
    skipped a step on the way. ``share_prev`` = n / n of the previous recorded step, ``share_all`` = n /
    all tickets, each with a Wilson (1927, external) interval at ``ci``. A step whose columns are all
    missing from the table is *not recorded*: ``recorded`` False, counts <NA> (not 0), and the next step is
    compared with the last recorded one (column ``of``). ``name``: the step in ``lang``; ``note``: "not
    recorded" in ``lang`` where it applies.

    >>> t = pd.DataFrame({"category": ["账单", "物流", None, "账单"],
    ...                   "resolved_at": pd.to_datetime(["2025-01-02", None, "2025-01-03", "2025-01-02"])})
    >>> loop_funnel(t)[["recorded", "n", "reached", "share_prev", "share_all"]]
                recorded     n  reached  share_prev  share_all
    step
    collected       True     4        4         NaN       1.00
    classified      True     3        3    0.750000       0.75
    actioned        True     2        3    0.666667       0.50
    verified       False  <NA>     <NA>         NaN        NaN
    """
    _check_tickets(tickets)
    z = z_crit(check_confidence(ci))
    total = len(tickets)
    passed = np.ones(total, dtype=bool)
    previous = None
    names, recorded, of, k, reached, base = [], [], [], [], [], []
    for step in FUNNEL_STEPS:
        columns = [c for c in FUNNEL_COLUMNS.get(step, ()) if c in tickets.columns]
        names.append(step_name(step, lang))
        recorded.append(step == "collected" or bool(columns))
        of.append(previous)
        if not recorded[-1]:
            for values in (k, reached, base):
                values.append(np.nan)
            continue
        own = np.logical_or.reduce([_filled(tickets[c]) for c in columns]) if columns else np.ones(total, bool)
        base.append(np.nan if previous is None else float(passed.sum()))
        passed = passed & own
        k.append(float(passed.sum()))
        reached.append(float(own.sum()))
        previous = step
    k, base = np.array(k), np.array(base)
    alls = np.where(np.isnan(k), np.nan, float(total))
    with np.errstate(invalid="ignore", divide="ignore"):
        share_prev, share_all = k / base, k / alls
    prev_low, prev_high = wilson(k, base, z)
    all_low, all_high = wilson(k, alls, z)
    return pd.DataFrame({
        "name": names, "recorded": recorded, "note": [_note(r, lang) for r in recorded],
        "of": pd.array(of, dtype="string"),
        "n": pd.array(k, dtype="Float64").astype("Int64"), "reached": pd.array(reached, dtype="Float64").astype("Int64"),
        "share_prev": share_prev, "prev_low": prev_low, "prev_high": prev_high,
        "share_all": share_all, "all_low": all_low, "all_high": all_high,
    }, index=pd.Index(FUNNEL_STEPS, name="step"))


LOOP_DEADLINES = {"analysed_24h": ("solution_at", 24.0), "replied_48h": ("resolved_at", 48.0)}
"""[004]'s feedback deadlines, counted from ``received_at``: analysed within 24 h — the clock stops when a
solution is proposed (``solution_at``); replied within 48 h — it stops when the customer has the outcome
(``resolved_at``; the first acknowledgement, ``first_response_at``, comes before the analysis)."""


def _times(tickets: pd.DataFrame, column: str) -> pd.Series:
    """A column as datetimes; text that is not a time is a KitError naming its rows."""
    values = tickets[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    parsed = pd.to_datetime(values, errors="coerce")
    bad = np.flatnonzero(parsed.isna().to_numpy() & _filled(values))
    if len(bad):
        raise KitError("improvement_bad_time", column=column, rows=[int(i) + 2 for i in bad],
                       value=str(values.iloc[bad[0]]))
    return parsed


def loop_deadlines(tickets: pd.DataFrame, as_of=None, ci: float = 0.95, *, analysed: str = "solution_at",
                   replied: str = "resolved_at", lang: str | None = None) -> pd.DataFrame:
    """Share of tickets within [004]'s feedback deadlines: analysed ≤ 24 h and replied ≤ 48 h after
    ``received_at`` (:data:`LOOP_DEADLINES`; ``analysed`` / ``replied`` name other end columns).

    Per ticket: *met* when the clock stopped within the limit, *breached* when it stopped later or is still
    running past the limit at ``as_of`` (default: the latest time in those columns), *pending* when still
    running within the limit. share = met / (met + breached), pending left out; Wilson (1927, external)
    interval at ``ci``. An end column missing from the table makes its deadline *not recorded* (counts <NA>).
    A clock that stops before the ticket was received is a KitError naming the rows (as numbered in Excel).

    >>> t = pd.DataFrame({"received_at": pd.to_datetime(["2025-01-01 08:00"] * 4),
    ...                   "solution_at": pd.to_datetime(["2025-01-01 20:00", "2025-01-02 10:00", None, None]),
    ...                   "resolved_at": pd.to_datetime(["2025-01-02 08:00", "2025-01-04 08:00", None, None])})
    >>> loop_deadlines(t, as_of="2025-01-01 12:00")[["limit_h", "n", "met", "breached", "pending", "share"]]
                  limit_h  n  met  breached  pending  share
    deadline
    analysed_24h     24.0  2    1         1        2    0.5
    replied_48h      48.0  2    1         1        2    0.5
    """
    _check_tickets(tickets)
    if "received_at" not in tickets.columns:
        raise KitError("improvement_missing_columns", missing="received_at",
                       available=", ".join(map(str, tickets.columns)))
    z = z_crit(check_confidence(ci))
    ends = {"analysed_24h": analysed, "replied_48h": replied}
    received = _times(tickets, "received_at")
    present = {rule: _times(tickets, column) for rule, column in ends.items() if column in tickets.columns}
    if as_of is None:
        stamps = [received.max(), *(s.max() for s in present.values())]
        as_of = max((s for s in stamps if pd.notna(s)), default=pd.NaT)
    as_of = pd.Timestamp(as_of)
    elapsed = ((as_of - received) / HOUR).to_numpy(dtype=float, na_value=np.nan)
    rows = []
    for rule, (_, limit) in LOOP_DEADLINES.items():
        row = {"deadline": rule, "name": t(f"improvement.deadlines.{rule}", lang), "end": ends[rule],
               "limit_h": limit, "recorded": rule in present, "note": _note(rule in present, lang)}
        if rule in present:
            hours = ((present[rule] - received) / HOUR).to_numpy(dtype=float, na_value=np.nan)
            early = np.flatnonzero(hours < 0)
            if len(early):
                raise KitError("improvement_time_order", column=ends[rule], rows=[int(i) + 2 for i in early])
            met = hours <= limit
            breached = (hours > limit) | (np.isnan(hours) & (elapsed > limit))
            pending = np.isnan(hours) & ~(elapsed > limit)
            row.update(n=int(met.sum() + breached.sum()), met=int(met.sum()), breached=int(breached.sum()),
                       pending=int(pending.sum()))
        rows.append(row)
    table = pd.DataFrame(rows).set_index("deadline")
    for column in ("n", "met", "breached", "pending"):
        table[column] = table.get(column, pd.Series(pd.NA, index=table.index)).astype("Int64")
    met = table["met"].astype(float).to_numpy(na_value=np.nan)
    n = table["n"].astype(float).to_numpy(na_value=np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["share"] = np.where(n > 0, met / n, np.nan)
    table["ci_low"], table["ci_high"] = wilson(met, n, z)
    return table


# --- PDCA: check ------------------------------------------------------------------------------------


VERDICTS = ("improved", "worse", "no_significant_change")
MIN_N = 2


@dataclass(frozen=True, repr=False)
class PdcaCheck(Result):
    """The Check of PDCA: ``before`` and ``after`` (means or shares), ``diff`` = after − before with its
    interval ``ci``, the test ``statistic`` (t or z), ``df`` (Welch; NaN for z), ``p_value``, the sample
    sizes and the ``verdict`` (:data:`VERDICTS`), read in the KPI's direction."""

    kind: str
    before: float
    after: float
    diff: float
    ci: tuple[float, float]
    statistic: float
    df: float
    p_value: float
    n_before: int
    n_after: int
    verdict: str
    higher_is_better: bool = field(repr=False)

    def message(self, lang: str | None = None) -> str:
        """The verdict in words."""
        return t(f"improvement.verdicts.{self.verdict}", lang, p=f"{self.p_value:.3f}")


def _measures(values, side: str) -> np.ndarray:
    """Numbers of one side of a mean comparison: None/NaN left out; a bool or text is a KitError."""
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise KitError("improvement_bad_value", side=side, value=type(values).__name__)
    out = []
    for v in values:
        if v is None or v is pd.NA or v is pd.NaT:
            continue
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            raise KitError("improvement_bad_value", side=side, value=repr(v))
        if not math.isnan(float(v)):
            out.append(float(v))
    return np.array(out)


def _outcomes(values, side: str) -> tuple[int, int]:
    """(successes, n) of one side of a share comparison: from ``{"k": …, "n": …}`` or from outcomes
    1/0, 1.0/0.0 or True/False (None/NaN left out); anything else is a KitError."""
    if isinstance(values, Mapping):
        k, n = values.get("k"), values.get("n")
        whole = all(isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_)) for v in (k, n))
        if not whole or not 0 <= k <= n:
            raise KitError("improvement_bad_counts", side=side, k=k, n=n)
        return int(k), int(n)
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise KitError("improvement_bad_outcome", side=side, value=type(values).__name__)
    k = n = 0
    for v in values:
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            continue
        if isinstance(v, np.bool_):
            v = bool(v)
        if not isinstance(v, numbers.Real) or float(v) not in (0.0, 1.0):
            raise KitError("improvement_bad_outcome", side=side, value=repr(v))
        k, n = k + int(v), n + 1
    return k, n


def pdca_check(before, after, kind: str = "mean", higher_is_better: bool = True, ci: float = 0.95) -> PdcaCheck:
    """The Check step of PDCA (Plan → Do → Check → Act [001][002][004]): did a KPI change after the
    improvement, beyond chance?

    ``kind="mean"`` (e.g. CSAT scores, handling minutes): Welch's (1947, external) t test, no equal-variance
    assumption: diff = x̄_after − x̄_before, se = √(s²_a/n_a + s²_b/n_b), t = diff/se, Welch–Satterthwaite
    df = se⁴ / ((s²_a/n_a)²/(n_a−1) + (s²_b/n_b)²/(n_b−1)), interval diff ± t₍₁₋α/₂, df₎·se. When both sides
    are constant (se = 0): p = 1 if diff = 0 else 0.

    ``kind="proportion"`` (e.g. first-contact resolution): outcomes 1/0 (True/False) per case, or
    ``{"k": successes, "n": cases}``; pooled two-proportion z test, with Newcombe's (1998, external) interval
    for the difference (:func:`kit.stats.two_proportions`).

    Verdict at α = 1 − ``ci``: ``improved`` when p < α and the change goes the KPI's good way
    (``higher_is_better``; False for times and complaint counts), ``worse`` when p < α the other way, else
    ``no_significant_change``. Each side needs at least 2 values.

    >>> r = pdca_check([3, 4, 3, 4], [4, 5, 5, 4])   # diff 1, s² = 1/3 each, se = √(1/6), t = 2.449, df = 6
    >>> round(r.diff, 3), round(r.statistic, 3), round(r.df, 1), round(r.p_value, 4), r.verdict
    (1.0, 2.449, 6.0, 0.0498, 'improved')
    >>> pdca_check({"k": 30, "n": 50}, {"k": 40, "n": 50}, kind="proportion").verdict
    'improved'
    """
    alpha = 1 - check_confidence(ci)
    if kind == "mean":
        a, b = _measures(after, "after"), _measures(before, "before")
    elif kind == "proportion":
        (ka, na), (kb, nb) = _outcomes(after, "after"), _outcomes(before, "before")
    else:
        raise KitError("improvement_bad_kind", kind=kind)
    sizes = {"before": len(b) if kind == "mean" else nb, "after": len(a) if kind == "mean" else na}
    for side, size in sizes.items():
        if size < MIN_N:
            raise KitError("improvement_too_few", side=side, n=size, needed=MIN_N)
    if kind == "mean":
        va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
        diff, se = float(a.mean() - b.mean()), math.sqrt(va + vb)
        if se == 0:
            stat, df, p, low, high = math.nan, math.nan, 1.0 if diff == 0 else 0.0, diff, diff
        else:
            from scipy.special import stdtr

            df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
            stat = diff / se
            p = float(2 * stdtr(df, -abs(stat)))
            half = float(t_crit(df, ci)) * se
            low, high = diff - half, diff + half
        after_value, before_value = float(a.mean()), float(b.mean())
    else:
        pa, pb, d, low, high, stat, p = (float(v) for v in two_proportions(ka, na, kb, nb, z_crit(ci)))
        diff, df, after_value, before_value = d, math.nan, pa, pb
    if p < alpha and diff != 0:
        verdict = "improved" if (diff > 0) == bool(higher_is_better) else "worse"
    else:
        verdict = "no_significant_change"
    return PdcaCheck(kind=kind, before=before_value, after=after_value, diff=diff, ci=(float(low), float(high)),
                     statistic=float(stat), df=float(df), p_value=float(p), n_before=sizes["before"],
                     n_after=sizes["after"], verdict=verdict, higher_is_better=bool(higher_is_better))


# --- dot vote ---------------------------------------------------------------------------------------


DOTS_PER_PERSON = 3
VOTE_COLUMNS = {"person": ("参与者", "投票人", "姓名", "人", "voter", "name"),
                "option": ("选项", "痛点", "想法", "idea", "pain", "choice")}


@dataclass(frozen=True, repr=False)
class DotVote(Result):
    """A dot-vote tally: ``n_dots`` spent by ``n_people``; ``top`` the option(s) ranked 1; ``ok`` when nobody
    spent more than ``dots_per_person``; ``table`` per option (votes, share, rank), most votes first;
    ``violations`` per person over the limit (dots, allowed, over)."""

    n_dots: int
    n_people: int
    ok: bool
    top: tuple[str, ...]
    dots_per_person: int = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    violations: pd.DataFrame = field(repr=False)


def _votes(votes) -> list[tuple[str, str]]:
    """(person, option) pairs from rows, a DataFrame or a mapping person → option(s)."""
    if isinstance(votes, Mapping):
        pairs = []
        for person, chosen in votes.items():
            many = isinstance(chosen, Iterable) and not isinstance(chosen, (str, bytes))
            pairs += [(person, option) for option in (chosen if many else [chosen])]
    elif isinstance(votes, pd.DataFrame):
        names = {normalise_header(a): c for c, aliases in VOTE_COLUMNS.items() for a in (c, *aliases)}
        found = {names[normalise_header(c)]: c for c in votes.columns if normalise_header(c) in names}
        if set(found) != set(VOTE_COLUMNS):
            raise KitError("improvement_missing_columns", missing=", ".join(sorted(set(VOTE_COLUMNS) - set(found))),
                           available=", ".join(map(str, votes.columns)))
        pairs = list(zip(votes[found["person"]], votes[found["option"]], strict=True))
    elif isinstance(votes, Iterable) and not isinstance(votes, (str, bytes)):
        pairs = []
        for row in votes:
            if isinstance(row, (str, bytes)) or not isinstance(row, Sequence) or len(row) != 2:
                raise KitError("improvement_bad_vote", value=repr(row))
            pairs.append((row[0], row[1]))
    else:
        raise KitError("improvement_bad_vote", value=type(votes).__name__)
    out = []
    for i, (person, option) in enumerate(pairs, start=1):
        who, what = _name(person), _name(option)
        if who is None or what is None:
            raise KitError("improvement_blank_vote", position=i, person=who or "—", option=what or "—")
        out.append((who, what))
    return out


def dot_vote(votes, dots_per_person: int = DOTS_PER_PERSON, options: Sequence | None = None) -> DotVote:
    """Tally the pain workshop's dot vote [001] (after the five whys and Crazy 8s, each person places dots on
    the pains or ideas that matter most).

    ``votes``: (person, option) rows, a DataFrame with those columns (zh 参与者, 选项), or a mapping person →
    option(s); one row = one dot, so a person may stack dots on one option. Names are compared as text (1,
    1.0 and "1" are one option; case and spacing ignored). Every dot is counted; people who spent more than
    ``dots_per_person`` (default 3) are listed in ``violations`` for the facilitator to settle. ``options``
    (optional) adds options with no dot, in its order. Ranks are competition ranks (1, 2, 2, 4): rank =
    1 + the number of options with more votes; ties keep first-mention order, never alphabetical.

    >>> v = dot_vote([("王", "等待久"), ("王", "流程乱"), ("李", "等待久"), ("李", "系统慢"), ("张", "流程乱"),
    ...               ("张", "等待久"), ("张", "系统慢"), ("张", "系统慢")])
    >>> v
    DotVote(n_dots=8, n_people=3, ok=False, top=('等待久', '系统慢'))
    >>> v.table[["votes", "rank"]].to_dict("index")
    {'等待久': {'votes': 3, 'rank': 1}, '系统慢': {'votes': 3, 'rank': 1}, '流程乱': {'votes': 2, 'rank': 3}}
    """
    if isinstance(dots_per_person, (bool, np.bool_)) or not isinstance(dots_per_person, numbers.Integral) \
            or dots_per_person < 1:
        raise KitError("improvement_bad_dots", value=dots_per_person)
    pairs = _votes(votes)
    names: dict[str, str] = {}  # comparison key → first spelling
    for label in [*map(_name, options or ()), *(o for _, o in pairs)]:
        if label is not None:  # a blank in ``options`` adds nothing
            names.setdefault(_key(label), label)
    counts = dict.fromkeys(names, 0)
    spent: dict[str, int] = {}
    people: dict[str, str] = {}
    for person, option in pairs:
        counts[_key(option)] += 1
        people.setdefault(_key(person), person)
        spent[_key(person)] = spent.get(_key(person), 0) + 1
    order = sorted(counts, key=lambda k: -counts[k])  # stable: first mention breaks ties
    votes_arr = np.array([counts[k] for k in order], dtype=int)
    ranks = np.array([1 + int((votes_arr > v).sum()) for v in votes_arr], dtype=int)
    total = int(votes_arr.sum())
    table = pd.DataFrame({"votes": votes_arr, "share": votes_arr / total if total else np.full(len(order), np.nan),
                          "rank": ranks}, index=pd.Index([names[k] for k in order], name="option"))
    over = [(people[k], n) for k, n in spent.items() if n > dots_per_person]
    violations = pd.DataFrame({"dots": [n for _, n in over], "allowed": [int(dots_per_person)] * len(over),
                               "over": [n - dots_per_person for _, n in over]},
                              index=pd.Index([p for p, _ in over], name="person"), dtype=int)
    top = tuple(table.index[table["rank"] == 1]) if total else ()
    return DotVote(n_dots=total, n_people=len(people), ok=not over, top=top, dots_per_person=int(dots_per_person),
                   table=table, violations=violations)


# --- case review ------------------------------------------------------------------------------------


REVIEW_STEPS = ("facts", "causes", "lessons", "plan")
"""每案必复盘 [001]: a case review's four steps in order — facts → causes → lessons → plan."""
REVIEW_ALIASES = {
    "facts": ("事实", "事实经过", "经过", "情况", "事件经过", "fact", "what happened"),
    "causes": ("原因", "根因", "原因分析", "根本原因", "cause", "root cause", "root causes", "why"),
    "lessons": ("教训", "经验教训", "启示", "收获", "lesson", "lessons learned", "learnings"),
    "plan": ("计划", "改进计划", "行动计划", "措施", "改进措施", "action plan", "next steps", "actions"),
}
REVIEW_PROBLEMS = ("unknown_step", "duplicate_step", "empty_step", "out_of_order", "missing_step")


def review_step(name) -> str | None:
    """The review step code of a heading in zh or en (or the code), None when it is none of the four.

    >>> review_step("经验教训"), review_step("Root cause"), review_step("总结")
    ('lessons', 'causes', None)
    """
    label = _name(name)
    if label is None:
        return None
    folded = normalise_header(label)
    return next((s for s in REVIEW_STEPS if folded in {normalise_header(a) for a in (s, *REVIEW_ALIASES[s])}), None)


@dataclass(frozen=True)
class ReviewProblem:
    """One problem of a case review: its ``code`` (:data:`REVIEW_PROBLEMS`), the ``step`` code (or the
    heading as given, for an unknown step) and its 1-based ``position`` in the review (None when missing)."""

    code: str
    step: str
    position: int | None = None

    def message(self, lang: str | None = None) -> str:
        name = t(f"improvement.review_steps.{self.step}", lang) if self.step in REVIEW_STEPS else self.step
        return t(f"improvement.review_problems.{self.code}", lang, step=name, position=self.position)


@dataclass(frozen=True, repr=False)
class ReviewCheck(Result):
    """A checked case review: ``ok`` when all four steps are there, filled in and in order; ``present`` the
    recognised steps in the order written; ``problems`` (:class:`ReviewProblem`)."""

    ok: bool
    present: tuple[str, ...]
    problems: tuple[ReviewProblem, ...]


def _longest_in_order(positions: Sequence[int]) -> set[int]:
    """Indices of one longest increasing run (subsequence) of ``positions``; earlier items win ties."""
    if not positions:
        return set()
    length, previous = [1] * len(positions), [-1] * len(positions)
    for i in range(len(positions)):
        for j in range(i):
            if positions[j] < positions[i] and length[j] + 1 > length[i]:
                length[i], previous[i] = length[j] + 1, j
    i, keep = int(np.argmax(length)), set()
    while i >= 0:
        keep.add(i)
        i = previous[i]
    return keep


def _text(value) -> str:
    if isinstance(value, (list, tuple)):
        return "\n".join(_text(v) for v in value)
    label = _name(value)
    return "" if label is None else label


def check_review(review) -> ReviewCheck:
    """Check a case review (每案必复盘 [001]): four steps in order — facts → causes → lessons → plan — each
    filled in (whitespace-only counts as empty).

    ``review``: a mapping heading → text (in the order written), or (heading, text) pairs; headings in zh or
    en (事实, 原因, 教训, 计划 …; :func:`review_step`); a text may be a list of bullet points. Problems, in
    this order: ``unknown_step`` (a heading that is none of the four), ``duplicate_step``, ``empty_step``,
    ``out_of_order`` (the fewest steps that would have to move to restore the order) and ``missing_step``.

    >>> r = check_review({"事实": "客户等了40分钟", "教训": "高峰要加人", "原因": "排班未按来电预测", "计划": "  "})
    >>> r.ok, r.present, [(p.code, p.step) for p in r.problems]
    (False, ('facts', 'lessons', 'causes', 'plan'), [('empty_step', 'plan'), ('out_of_order', 'causes')])
    >>> r.problems[1].message("en")
    'Causes (item 3) is out of order: a review runs facts → causes → lessons → plan.'
    """
    if isinstance(review, Mapping):
        items = list(review.items())
    elif isinstance(review, Iterable) and not isinstance(review, (str, bytes)):
        items = []
        for row in review:
            if isinstance(row, (str, bytes)) or not isinstance(row, Sequence) or len(row) != 2:
                raise KitError("improvement_bad_review", value=repr(row))
            items.append((row[0], row[1]))
    else:
        raise KitError("improvement_bad_review", value=type(review).__name__)
    unknown, duplicate, empty, seen = [], [], [], {}
    for position, (heading, body) in enumerate(items, start=1):
        step = review_step(heading)
        if step is None:
            unknown.append(ReviewProblem("unknown_step", _name(heading) or "—", position))
        elif step in seen:
            duplicate.append(ReviewProblem("duplicate_step", step, position))
        else:
            seen[step] = position
            if not _text(body).strip():
                empty.append(ReviewProblem("empty_step", step, position))
    present = tuple(seen)
    keep = _longest_in_order([REVIEW_STEPS.index(s) for s in present])
    out_of_order = [ReviewProblem("out_of_order", s, seen[s]) for i, s in enumerate(present) if i not in keep]
    missing = [ReviewProblem("missing_step", s) for s in REVIEW_STEPS if s not in seen]
    problems = (*unknown, *duplicate, *empty, *out_of_order, *missing)
    return ReviewCheck(ok=not problems, present=present, problems=problems)


# --- the loops side by side -------------------------------------------------------------------------


LOOPS = {
    "closed_000": {"sources": ("000",), "steps": ("collect", "analyse", "prioritise", "plan", "verify")},
    "closed_002": {"sources": ("002",), "steps": ("record", "classify", "assign", "resolve", "verify")},
    "feedback_004": {"sources": ("004",), "steps": ("collect", "classify", "analyse", "reply"),
                     "limits_h": {"analyse": 24, "reply": 48}},
    "pdca": {"sources": ("001", "002", "004"), "steps": ("plan", "do", "check", "act")},
}
"""The closed loops side by side: [000] collect → analyse/classify → prioritise → action plan → track/verify;
[002] record → classify → assign → resolve → verify; [004] collect → classify → analyse (≤ 24 h) → reply
(≤ 48 h); PDCA [001][002][004] plan → do → check → act. Names: ``improvement.loops.<loop>`` in the locale."""


def loop_table(lang: str | None = None) -> pd.DataFrame:
    """The loops of :data:`LOOPS` side by side in ``lang``: one row per loop (its name and sources), one
    column per step position (empty where a loop has fewer steps), deadlines in the step names.

    >>> loop_table("en").loc["feedback_004", ["sources", 1, 3, 4]].tolist()
    ['[004]', 'Collect', 'Analyse (≤ 24 h)', 'Reply (≤ 48 h)']
    """
    width = max(len(spec["steps"]) for spec in LOOPS.values())
    rows = {}
    for loop, spec in LOOPS.items():
        steps = []
        for step in spec["steps"]:
            name = t(f"improvement.loops.{loop}.steps.{step}", lang)
            limit = spec.get("limits_h", {}).get(step)
            steps.append(name if limit is None else t("improvement.loops.within", lang, step=name, hours=limit))
        rows[loop] = {"name": t(f"improvement.loops.{loop}.name", lang),
                      "sources": "".join(f"[{s}]" for s in spec["sources"]),
                      **{i + 1: steps[i] if i < len(steps) else "" for i in range(width)}}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("loop")
