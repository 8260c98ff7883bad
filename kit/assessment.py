"""Training evaluation (培训评估): item analysis, learning gain, pass rates, Kirkpatrick's four levels, the
nine-grid of a cohort, trainees at risk and rule-based recommendations.

Inputs are the kit's training tables (see ``data/README.md``): ``trainees``, long ``marks`` (trainee × item ×
attempt, ``phase`` pre/post/exercise), ``reaction`` (level 1), ``observations`` (level 3, 30 and 90 days),
``ninegrid`` and ``survey_responses`` (level 4: the customers a trainee served, ``agent_id``).

Sources: the Kirkpatrick levels and their timing (course end, 30 days, 90 days, 6 months) are seed [000]'s;
the nine-grid is [001]'s. Everything else is external and cited where it is used: Moodle's quiz statistics
(item analysis), Hake 1998 (normalised gain), Cohen 1960 and 1968 (κ, weighted κ) with Fleiss, Cohen & Everitt
1969 (its standard error), Cohen 1988 (d), Wilson 1927, Newcombe 1998,
Welch 1947, Cronbach 1951 with Feldt's interval (via :mod:`kit.reliability`).

Percentages of a test (``pct``) are 0–100; shares and item statistics are 0–1.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kit.errors import KitError
from kit.i18n import get_lang, t
from kit.results import Result
from kit.scores import EXAMPLES, parse_numbers
from kit.stats import check_confidence, t_crit, two_proportions, wilson, z_crit

PASS_MARK = 0.6
"""Default pass mark, a share of the maximum (kit decision: no seed gives one; 60 % is the usual 及格 line
of Chinese grading and of most LMS defaults). Every function that uses it takes ``pass_mark=``."""
FACILITY_RANGE = (0.2, 0.9)
"""Items easier than 0.9 or harder than 0.2 facility are worth a review (external rule of thumb, e.g. Moodle's
quiz statistics help: facility 5–95 % is usable, 20–80 % ideal for discrimination)."""
MIN_DISCRIMINATION = 0.2
"""Item–rest correlation below 0.2 marks an item that does not separate strong from weak trainees
(external rule of thumb, Ebel & Frisbie 1991)."""
MIN_EFFICIENCY = 0.15
"""Moodle flags an item as dubious when its discriminative efficiency is below 15 % (``is_dubious_question``)."""
MIN_KAPPA = 0.6
"""κ below 0.6 is less than "substantial" agreement (external: Landis & Koch 1977)."""
DUE = {"reaction": pd.DateOffset(days=0), "learning": pd.DateOffset(days=0), "application": pd.DateOffset(days=30),
       "behaviour": pd.DateOffset(days=90), "results": pd.DateOffset(months=6)}
"""Kirkpatrick timing of seed [000]: reaction and learning at course end, application at 30 days, behaviour change
at 90 days, business results at 6 months after ``trained_on``."""
LEVELS = {"L1": "reaction", "L2": "learning", "L3": "behaviour", "L4": "results"}
FUNNEL_STAGES = ("enrolled", "pre_test", "post_test", "exercises", "reaction", "observed_30", "observed_90")
REACTION_SCORES = ("overall", "relevance", "trainer")
KEYS = ["module", "exercise_id", "phase"]
_PHASE_ORDER = {"pre": 0, "post": 1, "exercise": 2}


# --- long marks → per assessment -------------------------------------------------------------------------


def _prepare(marks: pd.DataFrame) -> pd.DataFrame:
    """Marks with the optional columns filled: ``attempt`` 1, ``module`` = the exercise id."""
    missing = [c for c in ("trainee_id", "exercise_id", "item", "score", "max_score", "phase") if c not in marks]
    if missing:
        raise KitError("model_columns_missing", columns=", ".join(missing), available=", ".join(map(str, marks.columns)))
    out = marks.copy()
    out["attempt"] = pd.to_numeric(out["attempt"], errors="coerce").fillna(1).astype(int) if "attempt" in out else 1
    if "module" not in out:
        out["module"] = out["exercise_id"]
    out["module"] = out["module"].fillna(out["exercise_id"])
    for column in ("trainee_id", "module", "exercise_id", "item", "phase"):
        out[column] = out[column].astype(str)
    for column in ("score", "max_score"):
        out[column] = pd.to_numeric(out[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return out


def select_attempt(marks: pd.DataFrame, attempt: str = "first") -> pd.DataFrame:
    """The rows of one attempt per trainee and assessment (``exercise_id`` × ``phase``).

    ``attempt``: ``"first"`` (the measurement before any feedback — used for item analysis, reliability and
    score distributions, since a resubmission is taken only by the weakest trainees and after feedback),
    ``"best"`` (the highest total, ties to the earlier attempt — the grade that counts, used for pass rates),
    ``"last"`` or ``"all"``.

    >>> m = pd.DataFrame({"trainee_id": ["S1"] * 4, "exercise_id": "E", "item": ["a", "b"] * 2,
    ...                   "attempt": [1, 1, 2, 2], "score": [1.0, 0, 2, 2], "max_score": 2.0, "phase": "exercise"})
    >>> select_attempt(m, "best")["attempt"].tolist(), select_attempt(m)["attempt"].tolist()
    ([2, 2], [1, 1])
    """
    marks = _prepare(marks)
    keys = ["trainee_id", "exercise_id", "phase"]
    if attempt == "all":
        return marks
    if attempt in ("first", "last"):
        chosen = marks.groupby(keys, sort=False)["attempt"].transform("min" if attempt == "first" else "max")
        return marks[marks["attempt"] == chosen]
    if attempt != "best":
        raise ValueError("attempt must be 'first', 'best', 'last' or 'all'")
    sums = marks.groupby([*keys, "attempt"], sort=False)["score"].sum().reset_index()
    best = sums.sort_values([*keys, "score", "attempt"], ascending=[True] * len(keys) + [False, True])
    best = best.drop_duplicates(keys)[[*keys, "attempt"]]
    return marks.merge(best, on=[*keys, "attempt"], how="inner")


def assessments(marks: pd.DataFrame) -> pd.DataFrame:
    """One row per assessment (``module``, ``exercise_id``, ``phase``): ``k`` items, ``max_score`` (the sum of
    the items' maximum marks) and ``n`` trainees, ordered by module then pre, post, exercise."""
    marks = _prepare(marks)
    items = marks.groupby([*KEYS, "item"], sort=False)["max_score"].max().reset_index()
    table = items.groupby(KEYS, sort=False).agg(k=("item", "size"), max_score=("max_score", "sum")).reset_index()
    table["n"] = marks.groupby(KEYS, sort=False)["trainee_id"].nunique().to_numpy()
    order = table["phase"].map(_PHASE_ORDER).fillna(9)
    return table.assign(_o=order).sort_values(["module", "_o", "exercise_id"]).drop(columns="_o").reset_index(drop=True)


def wide(marks: pd.DataFrame, exercise_id: str, phase: str, attempt: str = "first") -> tuple[pd.DataFrame, pd.Series]:
    """Trainee × item marks of one assessment and the items' maximum marks, for :func:`item_analysis`.

    A skipped item (no row or no score) is NaN; ``attempt`` as in :func:`select_attempt` (default the first).

    >>> m = pd.DataFrame({"trainee_id": ["S1", "S1", "S2"], "exercise_id": "T", "item": ["Q1", "Q2", "Q1"],
    ...                   "score": [1.0, 2, 0], "max_score": [1.0, 2, 1], "phase": "pre"})
    >>> X, top = wide(m, "T", "pre")
    >>> X.to_dict("index"), top.to_dict()
    ({'S1': {'Q1': 1.0, 'Q2': 2.0}, 'S2': {'Q1': 0.0, 'Q2': nan}}, {'Q1': 1.0, 'Q2': 2.0})
    """
    marks = _prepare(marks)
    rows = select_attempt(marks[(marks["exercise_id"] == str(exercise_id)) & (marks["phase"] == str(phase))], attempt)
    X = rows.groupby(["trainee_id", "item"], sort=True)["score"].first().unstack("item")
    top = rows.groupby("item")["max_score"].max().reindex(X.columns)
    X.columns.name = top.index.name = "item"
    X.index.name = "trainee_id"
    return X, top


def totals(marks: pd.DataFrame, attempt: str = "best") -> pd.DataFrame:
    """Per trainee and assessment: ``score``, ``max_score`` (the full assessment's maximum, so a skipped item
    counts 0), ``pct`` = 100 · score / max_score, and ``n_items`` answered."""
    marks = _prepare(marks)
    full = assessments(marks).set_index(["exercise_id", "phase"])["max_score"]
    rows = select_attempt(marks, attempt)
    out = rows.groupby(["trainee_id", *KEYS], sort=False).agg(score=("score", "sum"), n_items=("score", "count")).reset_index()
    out["max_score"] = full.reindex(pd.MultiIndex.from_frame(out[["exercise_id", "phase"]])).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["pct"] = 100 * out["score"] / out["max_score"]
    return out


# --- item analysis (Moodle's quiz statistics) -------------------------------------------------------------


def item_analysis(marks, max_marks, *, missing: str = "zero") -> pd.DataFrame:
    """Item statistics of one test as Moodle's quiz statistics report computes them (external: Moodle,
    ``question/classes/statistics/questions/calculator.php``, verified against its source).

    With item marks :math:`x`, the rest-of-test total :math:`r` = total − :math:`x` (raw marks) and s trainees:

    - ``facility`` = mean(x) / max — Moodle's facility index (Moodle shows it ×100 as %);
    - ``sd`` = SD(x) / max with ddof = 1 — Moodle's "standard deviation" column (×100 there);
    - ``discrimination`` = cov(x, r) / √(var x · var r), the Pearson r of item and rest — Moodle's
      discrimination index divided by 100 (Moodle: 35.2 % ↔ here 0.352);
    - ``discriminative_efficiency`` = cov(x, r) / cov_max, where cov_max = Σ (x₍ᵢ₎ − x̄)(r₍ᵢ₎ − r̄)/(s − 1)
      pairs the *sorted* item marks with the *sorted* rest totals (the largest covariance those marks could
      have) — Moodle's value divided by 100. Moodle flags an item "dubious" below 15 %, here 0.15.

    All four are on 0–1 (discrimination −1…1) so they compare directly with the usual thresholds
    (:data:`FACILITY_RANGE`, :data:`MIN_DISCRIMINATION`, :data:`MIN_EFFICIENCY`); ``flags`` lists the
    thresholds an item misses (``hard``, ``easy``, ``low_discrimination``, ``dubious``).

    ``marks``: trainee × item DataFrame (or 2-D array) of raw marks; ``max_marks``: a Series or mapping by item,
    or one number for all. Trainees with no mark at all are left out (they did not sit the test). A skipped item
    (NaN) scores 0 with ``missing="zero"`` — as Moodle scores an unanswered question — or
    ``missing="listwise"`` drops trainees with any skipped item. A constant item (or constant rest) gives NaN
    discrimination and efficiency; fewer than two trainees give NaN for every spread statistic.

    >>> X = pd.DataFrame({"Q1": [1, 1, 0, 0], "Q2": [2, 1, 1, 0], "Q3": [0, 1, 1, 0]})
    >>> res = item_analysis(X, {"Q1": 1, "Q2": 2, "Q3": 1})   # totals 3, 3, 2, 0
    >>> res[["facility", "discrimination", "discriminative_efficiency"]].round(3).to_dict("index")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'Q1': {'facility': 0.5, 'discrimination': 0.577, 'discriminative_efficiency': 1.0},
     'Q2': {'facility': 0.5, 'discrimination': 0.5, 'discriminative_efficiency': 0.5},
     'Q3': {'facility': 0.5, 'discrimination': 0.0, 'discriminative_efficiency': 0.0}}
    >>> res.loc["Q3", "flags"]
    'low_discrimination,dubious'
    """
    frame = pd.DataFrame(marks)
    if not isinstance(marks, pd.DataFrame):
        frame.columns = [f"item_{j + 1}" for j in range(frame.shape[1])]
    frame = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    if isinstance(max_marks, Mapping | pd.Series):
        top = pd.Series(max_marks, dtype=float).reindex(frame.columns)
    else:
        top = pd.Series(float(max_marks), index=frame.columns)
    if top.isna().any() or (top <= 0).any():
        bad = top[top.isna() | (top <= 0)].index
        raise KitError("assessment_bad_max", items=", ".join(map(str, bad)))
    if missing not in ("zero", "listwise"):
        raise ValueError("missing must be 'zero' or 'listwise'")
    frame = frame[frame.notna().any(axis=1)]
    frame = frame.fillna(0.0) if missing == "zero" else frame.dropna()
    A = frame.to_numpy(dtype=float)
    s, maxv = A.shape[0], top.to_numpy()
    nan = np.full(A.shape[1], np.nan)
    facility = A.mean(axis=0) / maxv if s else nan
    if s >= 2:
        rest = A.sum(axis=1, keepdims=True) - A
        dA, dR = A - A.mean(axis=0), rest - rest.mean(axis=0)
        var_a, var_r = (dA**2).sum(axis=0) / (s - 1), (dR**2).sum(axis=0) / (s - 1)
        cov = (dA * dR).sum(axis=0) / (s - 1)
        cov_max = ((np.sort(A, axis=0) - A.mean(axis=0)) * (np.sort(rest, axis=0) - rest.mean(axis=0))).sum(axis=0) / (s - 1)
        flat = (np.ptp(A, axis=0) == 0) | (np.ptp(rest, axis=0) == 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            sd = np.sqrt(var_a) / maxv
            discrimination = np.where(flat, np.nan, cov / np.sqrt(var_a * var_r))
            efficiency = np.where(flat, np.nan, cov / cov_max)
    else:
        sd = discrimination = efficiency = nan
    table = pd.DataFrame(
        {"n": s, "max_mark": maxv, "mean": A.mean(axis=0) if s else nan, "facility": facility, "sd": sd,
         "discrimination": discrimination, "discriminative_efficiency": efficiency},
        index=pd.Index(frame.columns, name="item"),
    )
    table["flags"] = _item_flags(table)
    return table


def _item_flags(table: pd.DataFrame) -> pd.Series:
    """Comma-separated threshold codes per item ('' when the item looks fine), vectorised."""
    rules = {
        "hard": table["facility"] < FACILITY_RANGE[0],
        "easy": table["facility"] > FACILITY_RANGE[1],
        "low_discrimination": table["discrimination"] < MIN_DISCRIMINATION,
        "dubious": table["discriminative_efficiency"] < MIN_EFFICIENCY,
    }
    flags = pd.Series("", index=table.index, dtype=object)
    for code, hit in rules.items():
        flags = flags.where(~hit.to_numpy(), flags + np.where(flags == "", "", ",") + code)
    return flags


def item_table(marks: pd.DataFrame, *, attempt: str = "first", missing: str = "zero") -> pd.DataFrame:
    """:func:`item_analysis` of every assessment, stacked: one row per module × exercise_id × phase × item."""
    parts = []
    for a in assessments(marks).itertuples(index=False):  # one loop step per assessment, not per trainee
        X, top = wide(marks, a.exercise_id, a.phase, attempt)
        stats = item_analysis(X, top, missing=missing).reset_index()
        parts.append(stats.assign(module=a.module, exercise_id=a.exercise_id, phase=a.phase))
    columns = [*KEYS, "item", "n", "max_mark", "mean", "facility", "sd", "discrimination", "discriminative_efficiency", "flags"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


# --- per-assessment summaries ------------------------------------------------------------------------------


def score_summary(marks: pd.DataFrame, *, attempt: str = "first") -> pd.DataFrame:
    """Distribution of the trainees' percentages per assessment (for box plots): ``n``, ``mean``, ``sd``,
    ``min``, ``q1``, ``median``, ``q3``, ``max`` (pct, 0–100)."""
    tot = totals(marks, attempt)
    g = tot.groupby(KEYS, sort=False)["pct"]
    out = g.agg(n="count", mean="mean", sd="std", min="min", max="max")
    quart = g.quantile([0.25, 0.5, 0.75]).unstack()
    out["q1"], out["median"], out["q3"] = quart[0.25], quart[0.5], quart[0.75]
    out = out.reset_index()[[*KEYS, "n", "mean", "sd", "min", "q1", "median", "q3", "max"]]
    order = assessments(marks)[KEYS]
    return order.merge(out, on=KEYS, how="inner")


def pass_rates(marks: pd.DataFrame, pass_mark: float = PASS_MARK, *, attempt: str = "best", ci: float = 0.95) -> pd.DataFrame:
    """Share of trainees at or above ``pass_mark`` (a share of the maximum, default :data:`PASS_MARK`) per
    assessment, with its Wilson (1927, external) interval. ``attempt="best"``: a resubmission counts, as in a
    gradebook that keeps the highest grade; use ``"first"`` for first-time pass rates.

    >>> m = pd.DataFrame({"trainee_id": ["S1", "S2", "S3"], "exercise_id": "T", "item": "Q1",
    ...                   "score": [3.0, 1, 2], "max_score": 3.0, "phase": "post"})
    >>> pass_rates(m)[["n", "passed", "rate"]].to_dict("records")
    [{'n': 3, 'passed': 2, 'rate': 0.6666666666666666}]
    """
    z = z_crit(check_confidence(ci))
    tot = totals(marks, attempt).assign(passed=lambda d: d["pct"] >= 100 * pass_mark - 1e-9)
    out = tot.groupby(KEYS, sort=False).agg(n=("pct", "count"), passed=("passed", "sum")).reset_index()
    out["rate"] = out["passed"] / out["n"]
    out["ci_low"], out["ci_high"] = wilson(out["passed"], out["n"], z)
    out["pass_mark"] = pass_mark
    return assessments(marks)[KEYS].merge(out, on=KEYS, how="inner")


def reliability(marks: pd.DataFrame, *, attempt: str = "first", ci: float = 0.95) -> pd.DataFrame:
    """Cronbach's alpha with the Feldt interval (via :func:`kit.reliability.cronbach_alpha`) of each assessment,
    skipped items scored 0 as in :func:`item_analysis`; ``acceptable`` = alpha ≥ 0.7 (Nunnally 1978). An
    assessment with fewer than two items or no spread gets NaN."""
    from kit.reliability import ACCEPTABLE_ALPHA, cronbach_alpha

    rows = []
    for a in assessments(marks).itertuples(index=False):
        X, _ = wide(marks, a.exercise_id, a.phase, attempt)
        X = X[X.notna().any(axis=1)].fillna(0.0)
        res = None
        if X.shape[1] >= 2 and len(X) >= 2:
            res = cronbach_alpha(X, ci=ci)
        rows.append({"module": a.module, "exercise_id": a.exercise_id, "phase": a.phase,
                     "alpha": res.alpha if res else np.nan, "ci_low": res.ci[0] if res else np.nan,
                     "ci_high": res.ci[1] if res else np.nan, "n": res.n if res else len(X), "k": X.shape[1]})
    out = pd.DataFrame(rows, columns=[*KEYS, "alpha", "ci_low", "ci_high", "n", "k"])
    out["acceptable"] = out["alpha"] >= ACCEPTABLE_ALPHA
    return out


# --- learning gain (Kirkpatrick level 2) --------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class LearningGain(Result):
    """Pre → post change of paired percentages: means, mean ``diff`` (points) with its t interval ``ci``,
    paired t test (``t``, ``p_value``), Cohen's ``d_z`` with ``d_z_ci``, Hake's class gain ``g_class`` and
    the mean individual gain ``g_mean`` over ``n_g`` trainees (``n_ceiling`` left out at 100 % pre)."""

    n: int
    pre_mean: float
    post_mean: float
    diff: float
    ci: tuple[float, float]
    t: float
    p_value: float
    d_z: float
    d_z_ci: tuple[float, float]
    g_class: float
    g_mean: float
    n_g: int
    n_ceiling: int
    n_unpaired: int = 0


def learning_gain(pre, post, ci: float = 0.95) -> LearningGain:
    """Learning gain of paired pre/post test percentages (0–100) — Kirkpatrick level 2 [000].

    ``pre``/``post``: Series indexed by trainee (paired by index; trainees with only one are counted in
    ``n_unpaired``) or equal-length arrays. With differences dᵢ = postᵢ − preᵢ (Student 1908, external):

    - ``diff`` = d̄ ± t₍₁₋α/₂, n−1₎ · s_d/√n, and the paired t test t = d̄/(s_d/√n) (= ``scipy.stats.ttest_rel``);
    - ``d_z`` = d̄ / s_d (Cohen 1988, external), interval d_z ± z·√(1/n + d_z²/2n) (normal approximation,
      Borenstein et al. 2009);
    - ``g_class`` = (post̄ − prē)/(100 − prē), Hake's (1998, external) class-average normalised gain ⟨g⟩;
    - ``g_mean`` = mean of gᵢ = (postᵢ − preᵢ)/(100 − preᵢ) over trainees below 100 % before (``n_ceiling``
      at 100 % are left out, as their gain is undefined).

    >>> res = learning_gain([40, 50, 60, 70], [60, 65, 70, 90])
    >>> res.diff, round(res.p_value, 4), round(res.d_z, 3), round(res.g_class, 3)
    (16.25, 0.0065, 3.395, 0.361)
    """
    check_confidence(ci)
    if isinstance(pre, pd.Series) and isinstance(post, pd.Series):
        both = pd.concat({"pre": pd.to_numeric(pre, errors="coerce"), "post": pd.to_numeric(post, errors="coerce")}, axis=1)
    else:
        both = pd.DataFrame({"pre": np.asarray(pre, dtype=float), "post": np.asarray(post, dtype=float)})
    paired = both.notna().all(axis=1)
    n_unpaired = int((~paired & both.notna().any(axis=1)).sum())
    x, y = both.loc[paired, "pre"].to_numpy(float), both.loc[paired, "post"].to_numpy(float)
    n = len(x)
    d = y - x
    nan = math.nan
    diff = float(d.mean()) if n else nan
    sd = float(d.std(ddof=1)) if n >= 2 else nan
    if n >= 2 and sd > 0:
        from scipy.special import stdtr

        se = sd / math.sqrt(n)
        half = float(t_crit(n - 1, ci)) * se
        t_stat = diff / se
        p_value = float(2 * stdtr(n - 1, -abs(t_stat)))
        d_z = diff / sd
        se_d = math.sqrt(1 / n + d_z**2 / (2 * n))
        d_ci = (d_z - z_crit(ci) * se_d, d_z + z_crit(ci) * se_d)
        interval = (diff - half, diff + half)
    else:
        t_stat = nan if not n or diff == 0 else math.copysign(math.inf, diff)
        p_value = nan if n < 2 else (1.0 if diff == 0 else 0.0)
        d_z, d_ci, interval = nan, (nan, nan), ((diff, diff) if n >= 2 else (nan, nan))
    pre_mean, post_mean = (float(x.mean()), float(y.mean())) if n else (nan, nan)
    g_class = (post_mean - pre_mean) / (100 - pre_mean) if n and pre_mean < 100 else nan
    below = x < 100
    with np.errstate(divide="ignore", invalid="ignore"):
        g = (y[below] - x[below]) / (100 - x[below])
    return LearningGain(n=n, pre_mean=pre_mean, post_mean=post_mean, diff=diff, ci=interval, t=t_stat, p_value=p_value,
                        d_z=d_z, d_z_ci=d_ci, g_class=g_class, g_mean=float(g.mean()) if len(g) else nan,
                        n_g=int(below.sum()), n_ceiling=int((~below).sum()), n_unpaired=n_unpaired)


def test_scores(marks: pd.DataFrame, *, attempt: str = "first") -> dict[str, pd.DataFrame]:
    """Trainee × module test percentages, ``{"pre": …, "post": …}``, plus an ``"all"`` column: the mean over the
    modules the trainee sat both before and after (so that both phases cover the same modules)."""
    tot = totals(marks, attempt)
    tests = tot[tot["phase"].isin(["pre", "post"])]
    out = {p: tests[tests["phase"] == p].pivot_table(index="trainee_id", columns="module", values="pct", aggfunc="mean")
           for p in ("pre", "post")}
    pre, post = out["pre"].align(out["post"], join="outer")
    both = pre.notna() & post.notna()
    pre["all"], post["all"] = pre.where(both).mean(axis=1), post.where(both).mean(axis=1)
    return {"pre": pre, "post": post}


def gain_table(marks: pd.DataFrame, ci: float = 0.95) -> pd.DataFrame:
    """:func:`learning_gain` per module's pre/post test and over ``all`` modules, one row each."""
    scores = test_scores(marks)
    rows = {m: learning_gain(scores["pre"][m], scores["post"][m], ci).to_dict() for m in scores["pre"].columns}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("module")


# --- completion funnel -----------------------------------------------------------------------------------------


def funnel(trainees: pd.DataFrame, marks=None, reaction=None, observations=None, ci: float = 0.95) -> pd.DataFrame:
    """Completion funnel of a cohort: enrolled → pre-test → post-test → all exercises submitted → reaction survey →
    30-day observation → 90-day observation.

    ``n`` trainees who did each step, ``share`` of the enrolled with a Wilson interval, and ``n_cumulative`` who
    did this step *and* every earlier one. A table that is absent (None) gives NaN for its steps, which then
    drop out of the cumulative count. "All exercises" means every exercise anyone in the cohort submitted."""
    z = z_crit(check_confidence(ci))
    ids = pd.Index(trainees["trainee_id"].astype(str).unique())
    done: dict[str, np.ndarray | None] = {"enrolled": np.ones(len(ids), bool)}
    if marks is not None:
        m = _prepare(marks)
        m = m[m["score"].notna()]
        done["pre_test"] = ids.isin(m.loc[m["phase"] == "pre", "trainee_id"].unique())
        done["post_test"] = ids.isin(m.loc[m["phase"] == "post", "trainee_id"].unique())
        ex = m.loc[m["phase"] == "exercise", ["trainee_id", "exercise_id"]].drop_duplicates()
        need = ex["exercise_id"].nunique()
        count = ex.groupby("trainee_id").size()
        done["exercises"] = (count.reindex(ids).fillna(0).to_numpy() >= need) if need else None
    if reaction is not None:
        done["reaction"] = ids.isin(reaction["trainee_id"].astype(str).unique())
    if observations is not None:
        wave = pd.to_numeric(observations["wave"], errors="coerce")
        for w in (30, 90):
            done[f"observed_{w}"] = ids.isin(observations.loc[wave == w, "trainee_id"].astype(str).unique())
    rows, cumulative = [], np.ones(len(ids), bool)
    for stage in FUNNEL_STAGES:
        hit = done.get(stage)
        if hit is None:
            rows.append({"stage": stage, "n": np.nan, "n_cumulative": np.nan})
            continue
        cumulative = cumulative & hit
        rows.append({"stage": stage, "n": int(hit.sum()), "n_cumulative": int(cumulative.sum())})
    out = pd.DataFrame(rows)
    total = len(ids)
    out["share"] = out["n"] / total if total else np.nan
    out["ci_low"], out["ci_high"] = wilson(out["n"], np.where(out["n"].notna(), total, np.nan), z)
    out["share_cumulative"] = out["n_cumulative"] / total if total else np.nan
    return out[["stage", "n", "share", "ci_low", "ci_high", "n_cumulative", "share_cumulative"]]


# --- Kirkpatrick level 1: reaction ------------------------------------------------------------------------------


def _means(frame: pd.DataFrame, ci: float) -> pd.DataFrame:
    """Per column: n, mean and the t interval mean ± t₍₁₋α/₂, n−1₎·s/√n (Student 1908, external)."""
    values = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    n = values.count()
    mean, sd = values.mean(), values.std(ddof=1)
    half = t_crit(n - 1, ci) * sd / np.sqrt(n)
    return pd.DataFrame({"n": n, "mean": mean, "ci_low": mean - half, "ci_high": mean + half})


@dataclass(frozen=True, repr=False)
class Reaction(Result):
    """Level 1: ``scores`` (overall, relevance, trainer: n, mean, t interval), ``recommend`` (an NPSResult of the
    0–10 recommend question), ``pace`` (share slow/right/fast with Wilson intervals)."""

    n: int
    overall: float
    overall_ci: tuple[float, float]
    nps: float
    nps_ci: tuple[float, float]
    fast_share: float
    scores: pd.DataFrame = field(repr=False)
    recommend: object = field(repr=False)
    pace: pd.DataFrame = field(repr=False)


def reaction_summary(reaction: pd.DataFrame, ci: float = 0.95) -> Reaction:
    """Kirkpatrick level 1 [000] at course end: mean ratings (1–5) with t intervals, the recommend question as an
    NPS (:func:`kit.metrics.nps`, Reichheld 2003) and the pace answers as shares with Wilson intervals."""
    from kit.metrics import nps

    check_confidence(ci)
    scores = _means(reaction[[c for c in REACTION_SCORES if c in reaction]], ci)
    rec = nps(reaction["recommend"]) if "recommend" in reaction and reaction["recommend"].notna().any() else None
    counts = reaction["pace"].value_counts().reindex(["slow", "right", "fast"], fill_value=0) if "pace" in reaction else pd.Series(0, index=["slow", "right", "fast"])
    total = int(counts.sum())
    low, high = wilson(counts.to_numpy(), total, z_crit(ci))
    pace = pd.DataFrame({"n": counts.to_numpy(), "share": counts.to_numpy() / total if total else np.nan, "ci_low": low, "ci_high": high},
                        index=pd.Index(counts.index, name="pace"))
    o = scores.loc["overall"] if "overall" in scores.index else pd.Series({"mean": np.nan, "ci_low": np.nan, "ci_high": np.nan})
    return Reaction(n=len(reaction), overall=float(o["mean"]), overall_ci=(float(o["ci_low"]), float(o["ci_high"])),
                    nps=rec.value if rec else np.nan, nps_ci=rec.ci if rec else (np.nan, np.nan),
                    fast_share=float(pace.loc["fast", "share"]), scores=scores, recommend=rec, pace=pace)


# --- Kirkpatrick level 3: behaviour ---------------------------------------------------------------------------


def _primary(observations: pd.DataFrame) -> pd.DataFrame:
    """One coding per trainee × wave × item: the first record (a double-coded visit's second observer is only
    used for :func:`observer_agreement`)."""
    obs = observations.assign(wave=pd.to_numeric(observations["wave"], errors="coerce"),
                              met=observations["met"].astype("boolean"))
    return obs.drop_duplicates(["trainee_id", "wave", "item"], keep="first")


def behaviour(observations: pd.DataFrame, ci: float = 0.95) -> pd.DataFrame:
    """Kirkpatrick level 3 [000]: share of observed behaviour items met at 30 days (application) and 90 days
    (behaviour change), per item and over ``all`` items, with Wilson intervals. Rows: wave × item; ``n`` counts
    observations, ``trainees`` the people observed."""
    z = z_crit(check_confidence(ci))
    obs = _primary(observations).dropna(subset=["met"])
    obs = obs.assign(item=obs["item"].astype(str), met=obs["met"].astype(bool))
    obs = obs.assign(trainee_id=obs["trainee_id"].astype(str))
    per_item = obs.groupby(["wave", "item"], sort=True).agg(n=("met", "count"), met=("met", "sum"),
                                                            trainees=("trainee_id", "nunique"))
    overall = obs.groupby("wave").agg(n=("met", "count"), met=("met", "sum"), trainees=("trainee_id", "nunique"))
    overall.index = pd.MultiIndex.from_arrays([overall.index, ["all"] * len(overall)], names=["wave", "item"])
    out = pd.concat([per_item, overall]).sort_index(level="wave", sort_remaining=False).reset_index()
    out["share"] = out["met"] / out["n"]
    out["ci_low"], out["ci_high"] = wilson(out["met"], out["n"], z)
    out["wave"] = out["wave"].astype(int)
    return out


@dataclass(frozen=True, repr=False)
class Kappa(Result):
    """Cohen's kappa of two codings: ``kappa`` with its interval, ``se``, ``n`` pairs, observed and chance
    agreement (weighted agreement for a weighted κ) and the ``weights`` used (None, "linear", "quadratic")."""

    kappa: float
    ci: tuple[float, float]
    se: float
    n: int
    p_observed: float
    p_expected: float
    weights: str | None = None


KAPPA_WEIGHTS = (None, "linear", "quadratic")
"""Weights of :func:`cohen_kappa`: none (exact agreement only), linear or quadratic in the distance."""


def _label_keys(values) -> pd.Series:
    """Codes made comparable, by position: numbers as floats by value (bool as 0/1, numpy and pandas
    nullable types, numeric text read by :func:`kit.scores.parse_numbers`), other text stripped; missing and
    blank as NA. Each distinct value is converted once."""
    position, distinct = pd.factorize(pd.Series(np.asarray(values, dtype=object), dtype=object))
    distinct = pd.Series(distinct, dtype=object)
    is_text = distinct.map(lambda v: isinstance(v, str)).astype(bool)
    text = distinct.astype(str).str.strip()
    numbers = pd.to_numeric(distinct.mask(is_text), errors="coerce").astype("Float64")
    numbers = numbers.fillna(parse_numbers(text.where(is_text)))
    keys = numbers.astype(object).where(numbers.notna(), text.where(text != ""))
    return pd.Series(np.append(keys.to_numpy(dtype=object), None)[position], dtype=object)  # -1 → the NA slot


def _kappa_order(labels: pd.Series, weights: str | None, categories) -> list:
    """The table's labels in scale order: ``categories`` (as keys) when given, else the labels seen, sorted
    by value when a weighted κ needs an order."""
    seen = pd.unique(labels)
    if categories is not None:
        order = _label_keys(categories)
        if order.isna().any() or order.duplicated().any():
            raise KitError("kappa_bad_categories", categories=", ".join(map(str, categories)))
        known = set(order)
        unknown = [x for x in seen if x not in known]
        if unknown:
            raise KitError("kappa_unknown_labels", labels=", ".join(map(str, unknown[:EXAMPLES])),
                           categories=", ".join(map(str, order)))
        return order.tolist()
    if weights is not None:
        if not all(isinstance(x, float) for x in seen):
            text = [x for x in seen if isinstance(x, str)]
            raise KitError("kappa_needs_categories", labels=", ".join(text[:EXAMPLES]))
        return sorted(seen)
    return list(seen)


def cohen_kappa(a, b, ci: float = 0.95, *, weights: str | None = None, categories=None) -> Kappa:
    """Cohen's kappa (Cohen 1960; weighted, Cohen 1968; external) of two raters' codes of the same cases.

    With p_ij the share of cases rater ``a`` coded i and rater ``b`` coded j, margins p_i· and p_·j and
    agreement weights w_ij (1 on the diagonal):

    p_o = Σ w_ij·p_ij, p_e = Σ w_ij·p_i·p_·j, κ = (p_o − p_e)/(1 − p_e).

    Unweighted κ has w = 1 when i = j, else 0; ``weights="linear"`` w_ij = 1 − |i − j|/(k − 1) (Cicchetti &
    Allison 1971) and ``"quadratic"`` w_ij = 1 − (i − j)²/(k − 1)² (Fleiss & Cohen 1973), i, j the positions
    on the k-label scale (external; κ equals sklearn's ``cohen_kappa_score(weights=...)``). ``se`` is the
    large-sample standard error of Fleiss, Cohen & Everitt (1969, external; statsmodels' ``std_kappa``):

    se² = [Σ p_ij (w_ij − (w̄_i· + w̄_·j)(1 − κ))² − (κ − p_e(1 − κ))²] / (n(1 − p_e)²),
    w̄_i· = Σ_j p_·j w_ij, w̄_·j = Σ_i p_i· w_ij,

    and the interval is κ ± z·se, clipped to [−1, 1].

    Codes are compared as values, not as text: numbers by numeric value (1 = 1.0 = True, numpy and pandas
    nullable types alike), text by its stripped text. Numeric text counts as the number ("1" = 1, "１" = 1,
    read by :func:`kit.scores.parse_numbers`) because CSV and Excel exports turn codes into text (kit's
    decision); other text ("一", "True") stays text. Pairs with a missing or blank code are left out.

    The scale order of a weighted κ is ``categories`` (e.g. ``["非常不满意", "不满意", "一般", "满意",
    "非常满意"]``); labels listed there but used by neither rater still count in the distances. Without
    ``categories`` numbers are ordered by value and text raises ``KitError('kappa_needs_categories')`` (text
    sorts wrongly). A code outside ``categories`` raises ``KitError('kappa_unknown_labels')``. Undefined
    (n = 0, or p_e = 1 when both raters use one label only) gives NaN.

    >>> k = cohen_kappa([1, 1, 0, 0, 1, 0], [1.0, True, 0, 1, "1", 0])
    >>> round(k.kappa, 3), round(k.se, 3), k.n
    (0.667, 0.287, 6)
    >>> a, b = ["满意", "一般", "不满意", "满意", "一般"], ["满意", "满意", "不满意", "一般", "一般"]
    >>> [round(cohen_kappa(a, b, weights=w, categories=["不满意", "一般", "满意"]).kappa, 3)
    ...  for w in (None, "linear", "quadratic")]
    [0.375, 0.5, 0.643]
    """
    if weights not in KAPPA_WEIGHTS:
        raise ValueError(f"weights must be one of {KAPPA_WEIGHTS}; got {weights!r}")
    z = z_crit(check_confidence(ci))
    key_a, key_b = _label_keys(a), _label_keys(b)
    if len(key_a) != len(key_b):
        raise KitError("kappa_length_mismatch", n_a=len(key_a), n_b=len(key_b))
    both = (key_a.notna() & key_b.notna()).to_numpy()
    key_a, key_b = key_a[both], key_b[both]
    order = _kappa_order(pd.concat([key_a, key_b]), weights, categories)
    n, k = len(key_a), len(order)
    if n == 0:
        return Kappa(math.nan, (math.nan, math.nan), math.nan, 0, math.nan, math.nan, weights)
    index = pd.Index(order)
    cells = index.get_indexer(key_a) * k + index.get_indexer(key_b)
    p = np.bincount(cells, minlength=k * k).reshape(k, k) / n
    row, col = p.sum(axis=1), p.sum(axis=0)
    step = np.abs(np.subtract.outer(np.arange(k), np.arange(k))) / max(k - 1, 1)
    w = {None: np.eye(k), "linear": 1 - step, "quadratic": 1 - step**2}[weights]
    po, pe = float((w * p).sum()), float(row @ w @ col)
    if pe >= 1:
        return Kappa(math.nan, (math.nan, math.nan), math.nan, n, po, pe, weights)
    kappa = (po - pe) / (1 - pe)
    spread = (p * (w - np.add.outer(w @ col, row @ w) * (1 - kappa)) ** 2).sum()
    se = math.sqrt(max(spread - (kappa - pe * (1 - kappa)) ** 2, 0) / (n * (1 - pe) ** 2))
    return Kappa(kappa, (max(kappa - z * se, -1.0), min(kappa + z * se, 1.0)), se, n, po, pe, weights)


def observer_agreement(observations: pd.DataFrame, ci: float = 0.95) -> Kappa:
    """Cohen's κ of the ``met`` codes of double-coded visits: the first and second record of each trainee ×
    wave × item with two observers (:func:`cohen_kappa`)."""
    obs = observations.assign(wave=pd.to_numeric(observations["wave"], errors="coerce"))
    order = obs.groupby(["trainee_id", "wave", "item"], sort=False).cumcount()
    first = obs[order == 0].set_index(["trainee_id", "wave", "item"])["met"]
    second = obs[order == 1].set_index(["trainee_id", "wave", "item"])["met"]
    first = first.reindex(second.index)
    return cohen_kappa(first.astype(object).to_numpy(), second.astype(object).to_numpy(), ci)


# --- Kirkpatrick level 4: results ------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Results(Result):
    """Level 4: the trainees' customers before vs after each trainee's training date. NPS (points) and CSAT
    top-2-box (%) in each period, the differences after − before with intervals and p-values, and the mean CSAT
    difference (Welch). ``before``/``after`` hold the full metric results."""

    n_before: int
    n_after: int
    nps_before: float
    nps_after: float
    nps_diff: float
    nps_diff_ci: tuple[float, float]
    nps_p: float
    csat_before: float
    csat_after: float
    csat_diff: float
    csat_diff_ci: tuple[float, float]
    csat_p: float
    csat_mean_diff: float
    csat_mean_diff_ci: tuple[float, float]
    csat_mean_p: float
    n_agents: int
    detail: dict = field(repr=False, default_factory=dict)


def results(survey: pd.DataFrame, trainees: pd.DataFrame, ci: float = 0.95) -> Results:
    """Kirkpatrick level 4 [000]: the customers a trainee served (``agent_id``) before vs on/after the trainee's
    ``trained_on`` date. Responses without a trained agent are left out.

    - NPS in each period with :func:`kit.metrics.nps` and the difference after − before with
      :func:`kit.metrics.nps_diff` (independent samples, z test);
    - CSAT top-2-box with :func:`kit.metrics.csat` and its difference in points with Newcombe's (1998, method
      10, external) hybrid score interval from the two Wilson intervals, p from the pooled two-proportion z test;
    - mean CSAT difference with Welch's (1947, external) t interval and test (= ``scipy.stats.ttest_ind(...,
      equal_var=False)``).

    This is a before/after comparison, not an experiment: seasonality and other changes share the credit.
    """
    from scipy.special import stdtr

    from kit.metrics import csat, nps, nps_diff

    check_confidence(ci)
    dates = pd.to_datetime(trainees.drop_duplicates("trainee_id").set_index(trainees.drop_duplicates("trainee_id")["trainee_id"].astype(str))["trained_on"])
    agent = survey["agent_id"].astype(str)
    when = agent.map(dates)
    known = when.notna().to_numpy()
    after = (pd.to_datetime(survey["submitted_at"]).to_numpy() >= when.to_numpy(dtype="datetime64[ns]")) & known
    before = known & ~after
    d = nps_diff(survey.loc[after, "nps"], survey.loc[before, "nps"], ci=ci)
    c_a, c_b = csat(survey.loc[after, "csat"], ci=ci), csat(survey.loc[before, "csat"], ci=ci)
    satisfied = [round(c.value * c.n / 100) if c.n else 0 for c in (c_a, c_b)]
    _, _, diff, low, high, _, csat_p = (float(v) for v in two_proportions(satisfied[0], c_a.n, satisfied[1], c_b.n,
                                                                           z_crit(ci)))
    diff_ci = (100 * low, 100 * high)
    xa = pd.to_numeric(survey.loc[after, "csat"], errors="coerce").dropna().to_numpy(float)
    xb = pd.to_numeric(survey.loc[before, "csat"], errors="coerce").dropna().to_numpy(float)
    mean_diff, mean_ci, mean_p = math.nan, (math.nan, math.nan), math.nan
    if len(xa) >= 2 and len(xb) >= 2:
        va, vb = xa.var(ddof=1) / len(xa), xb.var(ddof=1) / len(xb)
        mean_diff = float(xa.mean() - xb.mean())
        if va + vb > 0:
            df = (va + vb) ** 2 / (va**2 / (len(xa) - 1) + vb**2 / (len(xb) - 1))
            half = float(t_crit(df, ci)) * math.sqrt(va + vb)
            mean_ci = (mean_diff - half, mean_diff + half)
            mean_p = float(2 * stdtr(df, -abs(mean_diff) / math.sqrt(va + vb)))
    return Results(n_before=d.n_b, n_after=d.n_a, nps_before=d.nps_b, nps_after=d.nps_a, nps_diff=d.diff, nps_diff_ci=d.ci,
                   nps_p=d.p_value, csat_before=c_b.value, csat_after=c_a.value, csat_diff=100 * diff, csat_diff_ci=diff_ci,
                   csat_p=csat_p, csat_mean_diff=mean_diff, csat_mean_diff_ci=mean_ci, csat_mean_p=mean_p,
                   n_agents=int(agent[known].nunique()),
                   detail={"nps": d, "csat_before": c_b, "csat_after": c_a, "nps_before": nps(survey.loc[before, "nps"]) if before.any() else None})


# --- Kirkpatrick: the four levels together -------------------------------------------------------------------


def due_dates(trainees: pd.DataFrame) -> pd.DataFrame:
    """When each level is due, per training date and cohort (seed [000]'s timing, :data:`DUE`): reaction and
    learning at course end, application 30 days and behaviour 90 days after, results 6 months after.

    >>> due_dates(pd.DataFrame({"trainee_id": ["S1"], "cohort": ["A"], "trained_on": ["2025-03-01"]})).iloc[0, 3:].astype(str).tolist()
    ['2025-03-01', '2025-03-01', '2025-03-31', '2025-05-30', '2025-09-01']
    """
    keys = [c for c in ("cohort", "trained_on") if c in trainees]
    groups = trainees.assign(trained_on=pd.to_datetime(trainees["trained_on"])).groupby(keys, sort=True)
    out = groups.size().rename("n").reset_index()
    for level, offset in DUE.items():
        out[level] = out["trained_on"] + offset
    return out


@dataclass(frozen=True, repr=False)
class Kirkpatrick(Result):
    """The four levels of a cohort: ``summary`` (one headline row per level and time point) and the parts it
    came from; a part is None when its table was absent."""

    summary: pd.DataFrame = field(repr=False)
    reaction: Reaction | None = field(repr=False, default=None)
    learning: pd.DataFrame | None = field(repr=False, default=None)
    behaviour: pd.DataFrame | None = field(repr=False, default=None)
    agreement: Kappa | None = field(repr=False, default=None)
    results: Results | None = field(repr=False, default=None)
    due: pd.DataFrame | None = field(repr=False, default=None)

    def to_frame(self) -> pd.DataFrame:
        """The per-level summary."""
        return self.summary


MEASURE_FORMATS = {"overall": ".2f", "recommend_nps": "+.0f", "gain": "+.1f", "met_30": ".0%", "met_90": ".0%",
                   "nps_diff": "+.1f", "csat_diff": "+.1f"}
"""How each Kirkpatrick headline is written (format spec of :func:`kit.formats.number`)."""


def kirkpatrick(trainees, marks=None, reaction=None, observations=None, survey=None, ci: float = 0.95) -> Kirkpatrick:
    """Kirkpatrick's four levels [000] for a cohort: L1 reaction (mean overall rating, 1–5), L2 learning (mean
    pre → post gain in points, :func:`gain_table` ``all``), L3 behaviour (share of items met at 30 and 90 days),
    L4 results (NPS and CSAT top-2-box of the trainees' customers, after − before). Each headline has its
    interval and its ``n`` in ``unit`` (trainees, or customer ``responses`` for L4; L3 also counts its
    ``observations``); ``due`` gives the dates each level is due."""
    rows = []
    rea = reaction_summary(reaction, ci) if reaction is not None and len(reaction) else None
    if rea is not None:
        n = int(rea.scores.loc["overall", "n"]) if "overall" in rea.scores.index else 0
        rows.append(("L1", "overall", rea.overall, *rea.overall_ci, n, "trainees", np.nan))
        if rea.recommend is not None:
            rows.append(("L1", "recommend_nps", rea.nps, *rea.nps_ci, rea.recommend.n, "trainees", np.nan))
    gains = gain_table(marks, ci) if marks is not None and len(marks) else None
    if gains is not None and "all" in gains.index:
        g = gains.loc["all"]
        rows.append(("L2", "gain", g["diff"], g["ci_low"], g["ci_high"], int(g["n"]), "trainees", np.nan))
    beh = behaviour(observations, ci) if observations is not None and len(observations) else None
    agreement = observer_agreement(observations, ci) if beh is not None else None
    if beh is not None:
        for r in beh[beh["item"] == "all"].itertuples(index=False):
            rows.append(("L3", f"met_{r.wave}", r.share, r.ci_low, r.ci_high, int(r.trainees), "trainees", int(r.n)))
    res = None
    if survey is not None and len(survey) and "agent_id" in survey:
        res = results(survey, trainees, ci)
        n = res.n_before + res.n_after
        rows.append(("L4", "nps_diff", res.nps_diff, *res.nps_diff_ci, n, "responses", np.nan))
        rows.append(("L4", "csat_diff", res.csat_diff, *res.csat_diff_ci, n, "responses", np.nan))
    summary = pd.DataFrame(rows, columns=["level", "measure", "value", "ci_low", "ci_high", "n", "unit", "observations"])
    return Kirkpatrick(summary=summary, reaction=rea, learning=gains, behaviour=beh, agreement=agreement, results=res,
                       due=due_dates(trainees) if "trained_on" in trainees else None)


# --- nine-grid --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class NinegridSummary(Result):
    """Cohort nine-grid: ``table`` (per ability: dimension, pre, post, change, n), the ``weakest`` abilities after
    training (lowest first) and before (``weakest_pre``), ``mean_pre``/``mean_post``."""

    n: int
    mean_pre: float
    mean_post: float
    weakest: tuple[str, ...]
    weakest_pre: tuple[str, ...]
    table: pd.DataFrame = field(repr=False)


def ninegrid_summary(ninegrid: pd.DataFrame, weakest: int = 3) -> NinegridSummary:
    """Cohort mean self-rating per ability before and after ([001]; :func:`kit.ninegrid.change`) and the
    ``weakest`` (bottom 3) abilities (:func:`kit.ninegrid.assess` on the cohort means)."""
    from kit.ninegrid import assess, change

    table = change(ninegrid)
    post, pre = assess(table["post"], weakest), assess(table["pre"], weakest)
    return NinegridSummary(n=int(table["n"].iloc[0]), mean_pre=pre.mean, mean_post=post.mean, weakest=post.weakest,
                           weakest_pre=pre.weakest, table=table)


def _phase_means(ninegrid: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    from kit.ninegrid import ABILITIES, PREFIX

    cols = [PREFIX + a for a in ABILITIES]
    grid = ninegrid.assign(trainee_id=ninegrid["trainee_id"].astype(str), phase=ninegrid["phase"].astype(str))
    values = grid[cols].apply(pd.to_numeric, errors="coerce").astype(float)
    means = values.groupby([grid["trainee_id"], grid["phase"]]).mean()
    ids = means.index.get_level_values(0).unique()
    pick = {p: means.xs(p, level="phase").reindex(ids) if p in means.index.get_level_values(1) else pd.DataFrame(np.nan, index=ids, columns=cols)
            for p in ("pre", "post")}
    return pick["pre"], pick["post"]


def ninegrid_radars(ninegrid: pd.DataFrame, labels: Mapping | None = None, order=None, size: int = 72) -> str:
    """Small-multiples nine-grid radars of every trainee as one HTML string of tiny inline SVGs (no matplotlib):
    post-training polygon filled blue, pre-training dashed grey, the nine spokes in [001]'s order from the top,
    clockwise. Coordinates are computed for all trainees at once with numpy; a shared ``<symbol>`` draws the
    background, so each radar is ~0.4 kB and 2,000 trainees stay under 1 MB.

    ``labels`` maps trainee id → caption (default the id); captions are HTML-escaped. ``order``: ids in
    display order (default sorted)."""
    from kit.ninegrid import ABILITIES, SCALE

    pre, post = _phase_means(ninegrid)
    ids = pd.Index(order if order is not None else sorted(pre.index)).astype(str)
    ids = ids[ids.isin(pre.index)]
    pre, post = pre.reindex(ids), post.reindex(ids)
    c, radius = size / 2, size / 2 - 4
    angles = np.linspace(0, 2 * np.pi, len(ABILITIES), endpoint=False)
    sin, cos = np.sin(angles), np.cos(angles)

    def polygons(values: pd.DataFrame) -> np.ndarray:
        r = values.to_numpy(float) / SCALE[1] * radius
        xs, ys = np.round(c + r * sin, 1), np.round(c - r * cos, 1)
        points = np.full(len(values), "", dtype=object)
        for j in range(len(ABILITIES)):  # nine vectorised string steps, whatever the number of trainees
            points = points + np.char.mod("%.1f,", xs[:, j]).astype(object) + np.char.mod("%.1f ", ys[:, j]).astype(object)
        return np.where(np.isnan(r).any(axis=1), "", points)

    pre_pts, post_pts = polygons(pre), polygons(post)
    spokes = "".join(f'<line x1="{c}" y1="{c}" x2="{c + radius * s:.1f}" y2="{c - radius * k:.1f}"/>' for s, k in zip(sin, cos, strict=True))
    symbol = (f'<svg width="0" height="0" style="position:absolute" aria-hidden="true"><symbol id="ng-bg" viewBox="0 0 {size} {size}">'
              f'<g stroke="#ccc" stroke-width="0.6" fill="none"><circle cx="{c}" cy="{c}" r="{radius}"/>'
              f'<circle cx="{c}" cy="{c}" r="{radius * 0.6:.1f}"/>{spokes}</g></symbol></svg>')
    names = [html.escape(str((labels or {}).get(i, i))) for i in ids]
    pre_tag = np.where(pre_pts == "", "", '<polygon fill="none" stroke="#888" stroke-dasharray="2,1.5" points="' + pre_pts.astype(str) + '"/>')
    post_tag = np.where(post_pts == "", "", '<polygon fill="#30638e" fill-opacity="0.25" stroke="#30638e" points="' + post_pts.astype(str) + '"/>')
    cells = [f'<figure style="margin:2px;width:{size}px;text-align:center"><svg width="{size}" height="{size}" viewBox="0 0 {size} {size}" role="img">'
             f'<title>{n}</title><use href="#ng-bg"/>{a}{b}</svg><figcaption style="font-size:9px">{n}</figcaption></figure>'
             for n, a, b in zip(names, pre_tag, post_tag, strict=True)]
    return symbol + '<div style="display:flex;flex-wrap:wrap">' + "".join(cells) + "</div>"


# --- trainees at risk --------------------------------------------------------------------------------------------

RISK_REASONS = ("no_post_test", "post_below_pass", "missing_exercises", "no_gain", "behaviour_low", "ninegrid_drop")


def at_risk(trainees: pd.DataFrame, marks=None, observations=None, ninegrid=None, *, pass_mark: float = PASS_MARK,
            min_gain: float = 0.0, behaviour_min: float = 0.5, ninegrid_drop: float = 0.5) -> pd.DataFrame:
    """Trainees who need follow-up, one row each with the rules they trip (columns of :data:`RISK_REASONS`),
    ``reasons`` (the codes, comma-separated) and the numbers behind them. Rules and defaults:

    - ``no_post_test``: sat a module's pre-test but not its post-test (those modules in ``missing_post``);
    - ``post_below_pass``: mean post-test percentage (over modules) below ``pass_mark`` (default 0.6);
    - ``missing_exercises``: submitted fewer exercises than the cohort's set;
    - ``no_gain``: mean post − pre over the modules sat twice ≤ ``min_gain`` points (default 0);
    - ``behaviour_low``: share of behaviour items met at 90 days below ``behaviour_min`` (default 0.5, half);
    - ``ninegrid_drop``: mean nine-grid self-rating fell by ``ninegrid_drop`` points or more (default 0.5 on 1–5).

    A rule whose table is absent is not applied. Sorted by the number of reasons, then id."""
    ids = pd.Index(trainees["trainee_id"].astype(str).unique(), name="trainee_id")
    out = pd.DataFrame(index=ids)
    flags = {}
    if marks is not None and len(marks):
        scores = test_scores(marks)
        pre_all, post_all = scores["pre"].drop(columns="all"), scores["post"].drop(columns="all")
        lacking = pre_all.notna() & post_all.isna()
        missing_post = lacking.any(axis=1).reindex(ids, fill_value=False)
        out["missing_post"] = pd.Series([",".join(lacking.columns[row]) for row in lacking.to_numpy()],
                                        index=lacking.index, dtype=object).reindex(ids).fillna("")
        out["post_pct"] = post_all.mean(axis=1).reindex(ids)
        out["gain"] = (scores["post"]["all"] - scores["pre"]["all"]).reindex(ids)
        flags["no_post_test"] = missing_post
        flags["post_below_pass"] = out["post_pct"] < 100 * pass_mark
        flags["no_gain"] = out["gain"] <= min_gain
        m = _prepare(marks)
        ex = m.loc[(m["phase"] == "exercise") & m["score"].notna(), ["trainee_id", "exercise_id"]].drop_duplicates()
        need = ex["exercise_id"].nunique()
        out["exercises"] = ex.groupby("trainee_id").size().reindex(ids).fillna(0).astype(int)
        flags["missing_exercises"] = out["exercises"] < need
    if observations is not None and len(observations):
        obs = _primary(observations).dropna(subset=["met"])
        obs = obs[obs["wave"] == 90]
        out["met_90"] = obs["met"].astype(float).groupby(obs["trainee_id"].astype(str)).mean().reindex(ids)
        flags["behaviour_low"] = out["met_90"] < behaviour_min
    if ninegrid is not None and len(ninegrid):
        pre, post = _phase_means(ninegrid)
        out["ninegrid_change"] = (post.mean(axis=1) - pre.mean(axis=1)).reindex(ids)
        flags["ninegrid_drop"] = out["ninegrid_change"] <= -ninegrid_drop
    for reason in RISK_REASONS:
        out[reason] = flags[reason].reindex(ids).fillna(False).astype(bool) if reason in flags else False
    hits = out[list(RISK_REASONS)].to_numpy()
    out["n_reasons"] = hits.sum(axis=1)
    names = np.array(RISK_REASONS, dtype=object)
    out["reasons"] = [",".join(names[row]) for row in hits]  # join of ≤ 6 codes per trainee with a risk
    out = out[out["n_reasons"] > 0].reset_index()
    return out.sort_values(["n_reasons", "trainee_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


# --- recommendations --------------------------------------------------------------------------------------------


def recommendations(*, items=None, alphas=None, gains=None, ninegrid=None, behaviour=None, reaction=None,
                    results=None, funnel=None, agreement=None, risk=None, min_completion: float = 0.8,
                    fast_pace: float = 0.4, alpha_min: float = 0.7, p_max: float = 0.05) -> list[tuple[str, dict]]:
    """Rule-based findings from the results of this module, as ``(code, params)`` pairs in a fixed order;
    :mod:`kit.cohortsummary` words, ranks and assigns them. Rules:

    - ``item_review``: the flagged items of :func:`item_table` (facility outside 0.2–0.9, discrimination < 0.2
      or Moodle-dubious efficiency < 0.15), all in one finding (``items``, out of ``total``);
    - ``low_alpha``: the assessments with alpha < ``alpha_min`` (0.7, Nunnally 1978), lowest first;
    - ``gain_not_significant`` per module whose paired test has p ≥ ``p_max``;
    - ``weak_ability``: the weakest nine-grid ability after training;
    - ``behaviour_lowest``: the behaviour item met least often at 90 days;
    - ``low_kappa``: observer κ < 0.6 (Landis & Koch 1977);
    - ``pace_fast``: ≥ ``fast_pace`` (0.4) of the reactions call the pace fast;
    - ``l4_not_significant`` / ``l4_improved``: NPS difference after − before p ≥ / < ``p_max``;
    - ``low_completion`` per funnel step reached by fewer than ``min_completion`` (0.8) of the enrolled;
    - ``at_risk``: how many trainees need a follow-up.

    >>> [(code, len(params["assessments"])) for code, params in recommendations(alphas=pd.DataFrame(
    ...     {"exercise_id": ["T", "U"], "phase": ["pre", "post"], "alpha": [0.5, 0.8], "ci_low": [0.3, 0.7],
    ...      "ci_high": [0.6, 0.9]}))]
    [('low_alpha', 1)]
    """
    recs: list[tuple[str, dict]] = []
    if items is not None and (items["flags"] != "").any():
        flagged = items[items["flags"] != ""]
        recs.append(("item_review", {"items": flagged[["exercise_id", "phase", "item", "facility", "discrimination", "flags"]]
                                     .reset_index(drop=True), "total": len(items)}))
    if alphas is not None and (alphas["alpha"] < alpha_min).any():
        low = alphas[alphas["alpha"] < alpha_min].sort_values("alpha", kind="stable")
        recs.append(("low_alpha", {"assessments": low[["exercise_id", "phase", "alpha", "ci_low", "ci_high"]].reset_index(drop=True)}))
    if gains is not None and len(gains):
        for module, r in gains.iterrows():
            if module != "all" and not r["p_value"] < p_max:
                recs.append(("gain_not_significant", {"module": module, "diff": float(r["diff"]), "p": float(r["p_value"]), "n": int(r["n"])}))
    if ninegrid is not None:
        ability = ninegrid.weakest[0]
        recs.append(("weak_ability", {"ability": ability, "post": float(ninegrid.table.loc[ability, "post"])}))
    if behaviour is not None and len(behaviour):
        late = behaviour[(behaviour["wave"] == behaviour["wave"].max()) & (behaviour["item"] != "all")]
        if len(late):
            low = late.sort_values(["share", "item"]).iloc[0]
            recs.append(("behaviour_lowest", {"behaviour": low["item"], "wave": int(low["wave"]), "share": float(low["share"]),
                                              "ci_low": float(low["ci_low"]), "ci_high": float(low["ci_high"])}))
    if agreement is not None and agreement.n and agreement.kappa < MIN_KAPPA:
        recs.append(("low_kappa", {"kappa": agreement.kappa, "n": agreement.n}))
    if reaction is not None and reaction.fast_share >= fast_pace:
        recs.append(("pace_fast", {"share": reaction.fast_share}))
    if results is not None and not math.isnan(results.nps_diff):
        code = "l4_improved" if results.nps_p < p_max and results.nps_diff > 0 else "l4_not_significant"
        recs.append((code, {"diff": results.nps_diff, "ci_low": results.nps_diff_ci[0], "ci_high": results.nps_diff_ci[1], "p": results.nps_p}))
    if funnel is not None and len(funnel):
        for r in funnel[funnel["share"] < min_completion].itertuples(index=False):
            recs.append(("low_completion", {"stage": r.stage, "share": float(r.share), "n": int(r.n)}))
    if risk is not None and len(risk):
        recs.append(("at_risk", {"n": len(risk)}))
    return recs


def stage_name(stage: str, lang: str | None = None) -> str:
    """Display name of a funnel step."""
    return t(f"assessment.stage.{stage}", lang)


def reason_names(codes: str, missing_post: str = "", lang: str | None = None) -> list[str]:
    """The comma-separated rule codes of one :func:`at_risk` row in words, naming the modules of
    ``missing_post`` whose post-test is missing.

    >>> reason_names("no_post_test,no_gain", "M3", "en")
    ['no M3 post-test', 'no gain from pre- to post-test']
    """
    sep = t("assessment.list_sep", lang)
    return [t("assessment.reason.no_post_test_in", lang, modules=missing_post.replace(",", sep))
            if code == "no_post_test" and missing_post else t(f"assessment.reason.{code}", lang)
            for code in codes.split(",")]


def risk_reasons(risk: pd.DataFrame, lang: str | None = None) -> list[str]:
    """Each row of :func:`at_risk` as its reasons in words (:func:`reason_names`), joined as a list."""
    modules = risk["missing_post"] if "missing_post" in risk else pd.Series("", index=risk.index)
    return [t("assessment.list_sep", lang).join(reason_names(codes, missing, lang))
            for codes, missing in zip(risk["reasons"], modules, strict=True)]


def basis(n, unit: str = "trainees", observations=None, lang: str | None = None) -> str:
    """What a headline is based on, in words: "48 名学员", "2,129 份客户问卷", "48 名学员（192 项观察）".

    >>> basis(48, observations=192, lang="en")
    '48 trainees (192 observations)'
    """
    from kit.formats import count, is_missing

    if unit == "trainees" and not is_missing(observations):
        return t("assessment.unit.observed", lang, n=count(n), k=count(observations))
    return t(f"assessment.unit.{unit}", lang, n=count(n))


def behaviour_name(item: str, lang: str | None = None) -> str:
    """Display name of an observed behaviour item (``all`` for every item)."""
    return t(f"assessment.behaviour.{item}", lang)


# --- roster and presentation ------------------------------------------------------------------------------------


def hours(trainees: pd.DataFrame, target: float = 80, ci: float = 0.95) -> dict:
    """Learning hours this year against [000]'s PDP target of ≥ 80 h a year: ``n`` trainees with hours, the
    ``median`` and the ``share`` at or above ``target`` with its Wilson interval (``ci_low``, ``ci_high``).

    >>> hours(pd.DataFrame({"hours_ytd": [90, 40, 80, None]}))["share"]
    0.6666666666666666
    """
    h = pd.to_numeric(trainees["hours_ytd"], errors="coerce").dropna() if "hours_ytd" in trainees else pd.Series(dtype=float)
    k, n = int((h >= target).sum()), len(h)
    low, high = wilson(k, n, z_crit(check_confidence(ci)))
    return {"n": n, "median": float(h.median()) if n else math.nan, "target": target, "met": k,
            "share": k / n if n else math.nan, "ci_low": float(low), "ci_high": float(high)}


def roster(trainees: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """Trainees per department (rows) and role (columns, display names in ``lang``), with totals; the
    department column is headed in ``lang`` too. Departments are the roster's own text (escape when shown)."""
    from kit.plots import column_label, value_label

    lang = lang or get_lang()
    total = t("assessment.column.total", lang)
    dept = trainees["dept"].fillna("—") if "dept" in trainees else pd.Series("—", index=trainees.index)
    role = trainees["role"].map(lambda r: value_label("trainees", "role", r, lang), na_action="ignore").fillna("—")
    counts = pd.crosstab(dept, role, margins=True, margins_name=total)
    return counts.rename_axis(index=column_label("trainees", "dept", lang), columns=None).reset_index()


def styled(frame: pd.DataFrame, columns: Mapping[str, str], lang: str | None = None, formats: Mapping | None = None):
    """``frame``'s ``columns`` (name → header key under ``assessment.column``) as a report table: localised
    headers, no index, numbers formatted by ``formats`` (column → format string or callable) and every cell
    HTML-escaped, so user text (ids, names, comments) never becomes markup."""
    from kit.tables import headed

    lang = lang or get_lang()
    return headed(frame, {c: t(f"assessment.column.{k}", lang) for c, k in columns.items()}, formats)
