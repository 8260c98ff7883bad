"""Service standards, quality control and process (服务标准·质量控制·流程, module X1): the checks behind the lesson.

- :func:`check_blueprint`: a service blueprint [004] — every step in one of three lanes (client interaction,
  provision, feedback) with an owner and a standard; lists what is missing per step.
- :func:`qc_review`: the Review and Deliver stages of [000]'s four-stage deliverable QC — at least two reviewers
  not on the project team, and an overall score that weights client feedback 30 %.
- :data:`WASTES` and :func:`classify_waste`: [000]'s eight wastes of lean service (八大浪费) by keyword cues.
- :func:`critical_path`: the critical-path method over tasks with durations and predecessors [004].
- :func:`walkthrough_score`: [001]'s walkthrough (实地走查) scoresheet on five aspects rated 1–5.

Names, problem texts and the waste cue words (zh and en) live in ``kit/locale/process.<lang>.yml``.
"""

from __future__ import annotations

import functools
import math
import numbers
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kit.data.schemas import normalise_header
from kit.errors import KitError
from kit.i18n import catalogue, check_lang, t
from kit.names import name as _name
from kit.names import name_key as _key
from kit.results import Result

_TOL = 1e-9


# --- shared helpers -------------------------------------------------------------------------------




def _blank(value) -> bool:
    """True for None, NaN, NaT, pd.NA and whitespace-only text."""
    if isinstance(value, (list, tuple, set)):
        return all(_blank(v) for v in value)
    return _name(value) is None


def _records(data, columns: Mapping[str, Sequence[str]], what: str) -> list[dict]:
    """Rows of ``data`` (a DataFrame, mappings, or sequences in the order of ``columns``) as dicts keyed by
    the canonical column names; a column may be named by any of its aliases (zh or en)."""
    if isinstance(data, (str, bytes)) or not isinstance(data, (pd.DataFrame, Iterable)):
        raise KitError("process_not_rows", what=what, got=type(data).__name__, columns=", ".join(columns))
    names = {normalise_header(alias): name for name, aliases in columns.items() for alias in (name, *aliases)}
    rows = data.to_dict("records") if isinstance(data, pd.DataFrame) else list(data)
    out = []
    for row in rows:
        if isinstance(row, Mapping):
            out.append({names[normalise_header(k)]: v for k, v in row.items() if normalise_header(k) in names})
        elif isinstance(row, Sequence) and not isinstance(row, (str, bytes)):
            out.append(dict(zip(columns, row, strict=False)))
        else:
            raise KitError("process_not_rows", what=what, got=type(row).__name__, columns=", ".join(columns))
    return out


def _number(value, what: str, name: str, low: float = -math.inf, high: float = math.inf) -> float:
    """A real number in [low, high] (not a bool, not NaN), else a KitError naming ``what`` and ``name``."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    if not ok or math.isnan(float(value)) or not low <= float(value) <= high:
        raise KitError("process_bad_number", what=what, name=name, value=value, low=low, high=high)
    return float(value)


@dataclass(frozen=True)
class Problem:
    """One finding of a check: a stable ``code``, the 1-based ``row`` and ``step`` it concerns (None for a
    finding on the whole input) and the offending ``value``. :meth:`message` words it in zh or en."""

    code: str
    row: int | None = None
    step: str | None = None
    value: str | None = None

    def message(self, lang: str | None = None) -> str:
        value = lane_name(self.value, lang) if self.code == "empty_lane" else self.value
        return t(f"process.problems.{self.code}", lang, row=self.row, step=self.step or "—", value=value)



# --- service blueprint ------------------------------------------------------------------------------


LANES = ("client", "provision", "feedback")
"""[004]'s three blueprint lanes: client interaction (客户互动), provision (服务提供), feedback (反馈)."""
LANE_ALIASES = {
    "client": ("客户互动", "顾客互动", "客户交互", "客户接触", "client interaction", "customer interaction"),
    "provision": ("服务提供", "服务供给", "服务交付", "provision", "service provision", "service delivery"),
    "feedback": ("反馈", "客户反馈", "反馈改进", "feedback", "customer feedback"),
}
"""Lane names accepted besides the codes (compared with case, spaces, ``_-./`` ignored)."""
BLUEPRINT_COLUMNS = {
    "step": ("步骤", "环节", "服务步骤", "名称", "name"),
    "lane": ("泳道", "层", "区域", "layer"),
    "owner": ("负责人", "责任人", "责任部门", "responsible"),
    "standard": ("标准", "服务标准", "时限", "rule", "limit"),
}
BLUEPRINT_PROBLEMS = ("missing_step", "duplicate_step", "missing_lane", "unknown_lane", "missing_owner",
                      "missing_standard", "empty_lane")
"""Problem codes of :func:`check_blueprint`, in the order they are listed for one step."""


def lane_name(lane: str, lang: str | None = None) -> str:
    """Display name of a blueprint lane code.

    >>> lane_name("provision", "zh"), lane_name("provision", "en")
    ('服务提供', 'Provision')
    """
    return t(f"process.lanes.{lane}", lang)


def lane_code(name) -> str | None:
    """The lane code of a lane name in zh or en (or the code itself), None when it is no known lane.

    >>> lane_code("客户互动"), lane_code(" Client_Interaction "), lane_code("backstage")
    ('client', 'client', None)
    """
    label = _name(name)
    if label is None:
        return None
    folded = normalise_header(label)
    for code in LANES:
        if folded in {normalise_header(a) for a in (code, *LANE_ALIASES[code])}:
            return code
    return None


@dataclass(frozen=True, repr=False)
class BlueprintCheck(Result):
    """A checked blueprint: ``ok`` when there is no problem; ``problems`` in step order, then the empty lanes;
    ``table`` one row per step (row, step, lane code, owner, standard, its problem codes)."""

    ok: bool
    n_steps: int
    n_problems: int
    problems: tuple[Problem, ...] = field(repr=False)
    table: pd.DataFrame = field(repr=False)

    def by_step(self) -> dict[str, tuple[str, ...]]:
        """``{step: problem codes}`` for the steps that have problems (unnamed steps as ``#row``)."""
        out: dict[str, tuple[str, ...]] = {}
        for p in self.problems:
            if p.row is not None:
                name = p.step if p.step is not None else f"#{p.row}"
                out[name] = (*out.get(name, ()), p.code)
        return out


def check_blueprint(steps) -> BlueprintCheck:
    """Check a service blueprint [004]: each step sits in one lane (client interaction, provision or feedback)
    and has an owner and a standard (a time limit or a quality rule); no step appears twice; no lane is empty.

    ``steps``: a DataFrame or rows (mappings, or ``(step, lane, owner, standard)`` sequences); columns may be
    named in zh (步骤, 泳道, 负责人, 标准). Lanes are accepted as codes or zh/en names (:func:`lane_code`).
    Step names are compared as text with case and spacing ignored (1, 1.0 and "1" are one step). A missing
    owner or standard column counts as blank for every step. Problem codes: :data:`BLUEPRINT_PROBLEMS`;
    ``row`` is the step's 1-based position.

    >>> bp = check_blueprint([("受理", "客户互动", "前台", "≤10分钟"), ("派单", "provision", "", "≤1小时"),
    ...                       ("受理", "client", "前台", "≤10分钟")])
    >>> bp
    BlueprintCheck(ok=False, n_steps=3, n_problems=3)
    >>> [(p.code, p.step) for p in bp.problems]
    [('missing_owner', '派单'), ('duplicate_step', '受理'), ('empty_lane', None)]
    >>> bp.problems[0].message("en")
    'Step 2 (派单) has no owner: name the person or team answerable for it.'
    """
    rows = _records(steps, BLUEPRINT_COLUMNS, "blueprint")
    problems, table, seen, used = [], [], {}, set()
    for i, row in enumerate(rows, start=1):
        step, lane_given = _name(row.get("step")), row.get("lane")
        lane = lane_code(lane_given)
        found = []
        if step is None:
            found.append(Problem("missing_step", i))
        elif _key(step) in seen:
            found.append(Problem("duplicate_step", i, step, str(seen[_key(step)])))
        else:
            seen[_key(step)] = i
        if _blank(lane_given):
            found.append(Problem("missing_lane", i, step))
        elif lane is None:
            found.append(Problem("unknown_lane", i, step, _name(lane_given)))
        else:
            used.add(lane)
        for column in ("owner", "standard"):
            if _blank(row.get(column)):
                found.append(Problem(f"missing_{column}", i, step))
        problems += found
        table.append({"row": i, "step": step, "lane": lane, "owner": _name(row.get("owner")),
                      "standard": _name(row.get("standard")), "problems": tuple(p.code for p in found)})
    problems += [Problem("empty_lane", value=lane) for lane in LANES if lane not in used]
    frame = pd.DataFrame(table, columns=["row", "step", "lane", "owner", "standard", "problems"])
    return BlueprintCheck(ok=not problems, n_steps=len(rows), n_problems=len(problems), problems=tuple(problems),
                          table=frame)


# --- deliverable QC ---------------------------------------------------------------------------------


MIN_REVIEWERS = 2
"""[000]'s Review stage: at least two reviewers who are not on the project team."""
CLIENT_WEIGHT = 0.30
"""[000]'s Deliver stage: client feedback weighs 30 % of the overall score."""
QC_REASONS = ("accepted", "too_few_independent", "below_pass_mark")


@dataclass(frozen=True, repr=False)
class QcReview(Result):
    """A deliverable's review: ``accepted`` and the ``reason`` code (:data:`QC_REASONS`); the ``independent``
    reviewers and those ``on_team``; ``reviewer_mean`` (independent reviewers only), ``client_score`` and the
    overall ``score`` on the same scale (NaN without an independent reviewer)."""

    accepted: bool
    reason: str
    independent: tuple[str, ...]
    on_team: tuple[str, ...]
    reviewer_mean: float
    client_score: float
    score: float
    client_weight: float

    def message(self, lang: str | None = None) -> str:
        """The verdict in words."""
        return t(f"process.qc.{self.reason}", lang, n=len(self.independent), needed=MIN_REVIEWERS,
                 score=f"{self.score:.1f}", on_team=", ".join(self.on_team) or "—")


def qc_review(reviewers: Sequence, team: Iterable, reviewer_scores, client_score, client_weight: float = CLIENT_WEIGHT,
              *, scale: tuple[float, float] = (0, 100), pass_mark: float | None = None) -> QcReview:
    """The Review and Deliver stages of [000]'s four-stage deliverable QC (Plan → Create → Review → Deliver).

    Review: only reviewers not on the project ``team`` count (names compared as text, case ignored); with
    fewer than :data:`MIN_REVIEWERS` (2) the deliverable is rejected (``too_few_independent``). Deliver::

        score = (1 − client_weight) × mean(independent reviewers' scores) + client_weight × client_score

    with ``client_weight`` 0.30 [000]. Every score uses one ``scale``: (0, 100) by default, (1, 5) for a
    five-point form — never mixed. Team members' own scores are left out of the mean (their check is the
    Create stage's self-check). ``reviewer_scores``: one score per reviewer in ``reviewers``' order, or a
    mapping reviewer → score. ``pass_mark`` (optional, same scale): below it, ``below_pass_mark``.

    >>> r = qc_review(["王敏", "李强", "张伟"], team=["张伟", "赵丽"], reviewer_scores=[80, 90, 70], client_score=60)
    >>> r    # 0.7 × (80 + 90)/2 + 0.3 × 60 = 59.5 + 18
    QcReview(accepted=True, reason='accepted', independent=('王敏', '李强'), on_team=('张伟',), reviewer_mean=85.0, client_score=60.0, score=77.5, client_weight=0.3)
    >>> qc_review(["Ann", "Bo"], ["bo"], [4, 5], 4, scale=(1, 5)).reason
    'too_few_independent'
    """
    client_weight = _number(client_weight, "client_weight", "client_weight", 0, 1)
    low, high = (_number(v, "scale", "scale") for v in scale)
    if not low < high:
        raise KitError("process_bad_number", what="scale", name="scale", value=scale, low=low, high=high)
    reviewers = [reviewers] if isinstance(reviewers, str) else list(reviewers)
    team = [team] if isinstance(team, str) else list(team)
    names = [_name(r) for r in reviewers]
    if any(n is None for n in names):
        raise KitError("process_blank_name", what="reviewers", position=names.index(None) + 1)
    keys = [_key(n) for n in names]
    twice = sorted({n for n, k in zip(names, keys, strict=True) if keys.count(k) > 1})
    if twice:
        raise KitError("process_duplicate_reviewer", names=", ".join(twice))
    if isinstance(reviewer_scores, Mapping):
        given = {_key(_name(k) or ""): v for k, v in reviewer_scores.items()}
        strangers = sorted(str(k) for k in reviewer_scores if _key(_name(k) or "") not in keys)
        if strangers:
            raise KitError("process_score_without_reviewer", names=", ".join(strangers))
        scores = [given.get(k) for k in keys]
    else:
        one = isinstance(reviewer_scores, (str, numbers.Real)) or not isinstance(reviewer_scores, Iterable)
        scores = [reviewer_scores] if one else list(reviewer_scores)
        if len(scores) != len(names):
            raise KitError("process_scores_mismatch", n_reviewers=len(names), n_scores=len(scores))
    team_keys = {_key(n) for n in map(_name, team) if n is not None}
    independent = [i for i, k in enumerate(keys) if k not in team_keys]
    values = [_number(scores[i], "reviewer_scores", names[i], low, high) for i in independent]
    client = _number(client_score, "client_score", "client", low, high)
    mean = float(np.mean(values)) if values else math.nan
    score = (1 - client_weight) * mean + client_weight * client
    if len(independent) < MIN_REVIEWERS:
        reason = "too_few_independent"
    elif pass_mark is not None and score < _number(pass_mark, "pass_mark", "pass_mark", low, high):
        reason = "below_pass_mark"
    else:
        reason = "accepted"
    return QcReview(accepted=reason == "accepted", reason=reason, independent=tuple(names[i] for i in independent),
                    on_team=tuple(n for n, k in zip(names, keys, strict=True) if k in team_keys),
                    reviewer_mean=mean, client_score=client, score=score, client_weight=client_weight)


# --- the eight wastes -------------------------------------------------------------------------------


WASTES = ("waiting", "over_processing", "knowledge_gap", "skill_mismatch", "useless_meetings", "rework",
          "information_overload", "idle_resources")
"""[000]'s eight wastes of lean service (八大浪费), in its order (also the classifier's tie-break order):
waiting, over-processing, knowledge gaps, skill mismatch, useless meetings, rework, information overload,
idle resources."""


def waste_name(waste: str, lang: str | None = None) -> str:
    """Display name of a waste code.

    >>> waste_name("rework", "zh"), waste_name("idle_resources", "en")
    ('返工', 'Idle resources')
    """
    return t(f"process.wastes.{waste}", lang)


def waste_cues(waste: str, lang: str) -> tuple[str, ...]:
    """The cue phrases of one waste in one language (``process.waste_keywords`` in the locale files).

    >>> "排队" in waste_cues("waiting", "zh"), "on hold" in waste_cues("waiting", "en")
    (True, True)
    """
    return tuple(str(c) for c in catalogue(check_lang(lang))[f"process.waste_keywords.{waste}"])


@functools.cache
def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern:
    """One case-insensitive regex, longest cue first; a cue that starts or ends with a Latin letter or digit
    must start or end at a word boundary ("idle" does not fire inside "bridle")."""
    parts = []
    for cue in sorted(set(cues), key=len, reverse=True):
        head = r"\b" if cue[:1].isascii() and cue[:1].isalnum() else ""
        tail = r"\b" if cue[-1:].isascii() and cue[-1:].isalnum() else ""
        parts.append(head + re.escape(cue) + tail)
    return re.compile("|".join(parts), re.IGNORECASE)


@dataclass(frozen=True, repr=False)
class WasteVerdict(Result):
    """The waste a description points to (None when no cue matched), the cues that matched it, and the
    number of cue matches per waste (``scores``, in :data:`WASTES` order)."""

    waste: str | None
    matched: tuple[str, ...]
    scores: Mapping[str, int] = field(repr=False)


def classify_waste(text: str, lang: str | None = None) -> WasteVerdict:
    """Which of [000]'s eight wastes (:data:`WASTES`) a description of a service situation shows, by cue words.

    Rule: count the non-overlapping matches of each waste's cues (``lang``'s list, or both languages' when
    ``lang`` is None; case ignored, Latin cues match whole words); the waste with most matches wins, ties go to
    the earlier waste in :data:`WASTES`; no match → ``waste=None``. A keyword rule, not understanding: it
    shows trainees what each waste sounds like, and a trainer judges the borderline cases.

    >>> classify_waste("客户资料要在三个系统里重复录入，还要层层审批签字。", "zh")
    WasteVerdict(waste='over_processing', matched=('重复录入', '层层审批', '签字'))
    >>> classify_waste("The customer was on hold for 20 minutes while we waited for approval.", "en").waste
    'waiting'
    >>> classify_waste("今天天气很好。").waste is None
    True
    """
    langs = ("zh", "en") if lang is None else (check_lang(lang),)
    text = unicodedata.normalize("NFKC", str(text or "")).replace("’", "'")
    found = {w: [m.group() for m in _cue_pattern(sum((waste_cues(w, g) for g in langs), ())).finditer(text)]
             for w in WASTES}
    scores = {w: len(found[w]) for w in WASTES}
    best = max(WASTES, key=lambda w: scores[w])  # max keeps the first of equal scores
    if scores[best] == 0:
        return WasteVerdict(waste=None, matched=(), scores=scores)
    return WasteVerdict(waste=best, matched=tuple(found[best]), scores=scores)


# --- critical path ----------------------------------------------------------------------------------


TASK_COLUMNS = {
    "task": ("任务", "活动", "工作", "工序", "activity", "name", "id"),
    "duration": ("工期", "时长", "持续时间", "耗时", "days", "hours", "time"),
    "predecessors": ("紧前任务", "前置任务", "前置", "依赖", "predecessor", "depends_on", "after"),
}
_SPLIT = re.compile(r"[,，、;；]")


def _predecessors(value) -> list[str]:
    """Predecessor names from a list, or from text separated by , ， 、 ; ；."""
    if isinstance(value, str):
        items = _SPLIT.split(value)
    elif isinstance(value, (list, tuple, set, frozenset, np.ndarray, pd.Series)):
        items = list(value)
    else:
        items = [value]  # one name (a number), or a blank
    out = []
    for item in items:
        name = _name(item)
        if name is not None and name not in out:
            out.append(name)
    return out


def _find_cycle(left: Sequence[str], preds: Mapping[str, list[str]]) -> list[str]:
    """One cycle among the tasks ``left`` that a topological sort could not place, as [a, b, …, a]."""
    pending = set(left)
    node, path = left[0], []
    while node not in path:  # every task left has a predecessor left (else it would have been placed)
        path.append(node)
        node = next(p for p in preds[node] if p in pending)
    cycle = path[path.index(node):] + [node]
    return cycle[::-1]  # predecessor → successor


@dataclass(frozen=True, repr=False)
class CriticalPath(Result):
    """The critical-path method's answer: total ``duration``; the critical ``paths`` (every chain of zero-slack
    tasks from start to end, several when tied); ``critical`` tasks in topological order; ``table`` per task
    (input order): duration, predecessors, earliest/latest start and finish (es, ef, ls, lf), slack, critical."""

    duration: float
    paths: tuple[tuple[str, ...], ...]
    critical: tuple[str, ...] = field(repr=False)
    order: tuple[str, ...] = field(repr=False)
    table: pd.DataFrame = field(repr=False)


def critical_path(tasks) -> CriticalPath:
    """The critical path of a plan [004] by the critical-path method (CPM; Kelley & Walker 1959, external).

    ``tasks``: a DataFrame or rows (mappings, or ``(task, duration, predecessors)`` sequences; zh columns 任务,
    工期, 紧前任务), or a mapping task → ``(duration, predecessors)``. Predecessors are a list or text separated
    by , 、 ; (full-width too). Names are compared as text: 1, 1.0 and "1" are one task. Durations ≥ 0, any
    one unit. Forward pass ES = max EF of the predecessors (0 at the start), EF = ES + duration; total =
    max EF; backward pass LF = min LS of the successors (total at the end), LS = LF − duration;
    slack = LS − ES; critical ⇔ slack = 0. A cycle, an unknown predecessor, a duplicate task or a negative
    or missing duration is a KitError.

    >>> cp = critical_path([("A", 3, ""), ("B", 2, "A"), ("C", 4, "A"), ("D", 1, "B, C")])
    >>> cp
    CriticalPath(duration=8.0, paths=(('A', 'C', 'D'),))
    >>> cp.table.loc["B", ["es", "ef", "ls", "lf", "slack"]].tolist()
    [3.0, 5.0, 5.0, 7.0, 2.0]
    """
    if isinstance(tasks, Mapping):
        rows = []
        for name, spec in tasks.items():
            spec = spec if isinstance(spec, Mapping) else dict(zip(("duration", "predecessors"), spec, strict=False))
            rows.append({"task": name, **spec})
        tasks = rows
    rows = _records(tasks, TASK_COLUMNS, "tasks")
    if not rows:
        raise KitError("process_no_tasks")
    names, duration, preds = [], {}, {}
    for i, row in enumerate(rows, start=1):
        name = _name(row.get("task"))
        if name is None:
            raise KitError("process_blank_name", what="tasks", position=i)
        if name in duration:
            raise KitError("process_duplicate_task", task=name)
        value = row.get("duration")
        if isinstance(value, str):
            raise KitError("process_bad_duration", task=name, value=value)
        try:
            duration[name] = _number(value, "duration", name, 0)
        except KitError:
            raise KitError("process_bad_duration", task=name, value=value) from None
        names.append(name)
        preds[name] = _predecessors(row.get("predecessors"))
    for name in names:
        unknown = [p for p in preds[name] if p not in duration]
        if unknown:
            raise KitError("process_unknown_predecessor", task=name, predecessor=", ".join(unknown),
                           known=", ".join(names))
    succs: dict[str, list[str]] = {n: [] for n in names}
    for name in names:
        for p in preds[name]:
            succs[p].append(name)
    # Kahn's topological sort; ready tasks leave in input order, so equal plans give equal answers
    waiting = {n: len(preds[n]) for n in names}
    ready, order = [n for n in names if waiting[n] == 0], []
    while ready:
        node = ready.pop(0)
        order.append(node)
        for s in succs[node]:
            waiting[s] -= 1
            if waiting[s] == 0:
                ready.append(s)
    if len(order) < len(names):
        cycle = _find_cycle([n for n in names if n not in order], preds)
        raise KitError("process_cycle", cycle=" → ".join(cycle))
    es, ef = {}, {}
    for n in order:
        es[n] = max((ef[p] for p in preds[n]), default=0.0)
        ef[n] = es[n] + duration[n]
    total = max(ef.values())
    ls, lf = {}, {}
    for n in reversed(order):
        lf[n] = min((ls[s] for s in succs[n]), default=total)
        ls[n] = lf[n] - duration[n]
    tol = _TOL * max(1.0, abs(total))
    slack = {n: ls[n] - es[n] for n in names}
    critical = {n: abs(slack[n]) <= tol for n in names}
    tight = {n: [s for s in succs[n] if critical[s] and abs(es[s] - ef[n]) <= tol] for n in names}
    has_tight_pred = {s for n in names if critical[n] for s in tight[n]}
    paths: list[tuple[str, ...]] = []

    def walk(path: tuple[str, ...]) -> None:
        nxt = tight[path[-1]]
        if not nxt:
            paths.append(path)
        for s in nxt:
            walk((*path, s))

    for n in order:
        if critical[n] and n not in has_tight_pred:
            walk((n,))
    table = pd.DataFrame({
        "duration": [duration[n] for n in names], "predecessors": [tuple(preds[n]) for n in names],
        "es": [es[n] for n in names], "ef": [ef[n] for n in names], "ls": [ls[n] for n in names],
        "lf": [lf[n] for n in names], "slack": [0.0 if critical[n] else slack[n] for n in names],
        "critical": [critical[n] for n in names],
    }, index=pd.Index(names, name="task"))
    return CriticalPath(duration=float(total), paths=tuple(paths), critical=tuple(n for n in order if critical[n]),
                        order=tuple(order), table=table)


# --- walkthrough ------------------------------------------------------------------------------------


ASPECTS = ("time", "flow", "communication", "environment", "resolution")
"""[001]'s five walkthrough aspects (实地走查): time, flow, communication, environment, resolution."""
ASPECT_ALIASES = {
    "time": ("时间", "时效", "等候时间"),
    "flow": ("流程", "服务流程", "process"),
    "communication": ("沟通", "服务沟通"),
    "environment": ("环境", "服务环境"),
    "resolution": ("解决", "问题解决", "解决结果", "结果", "outcome"),
}
WALKTHROUGH_SCALE = (1, 5)


def aspect_name(aspect: str, lang: str | None = None) -> str:
    """Display name of a walkthrough aspect.

    >>> aspect_name("flow", "zh"), aspect_name("flow", "en")
    ('流程', 'Flow')
    """
    return t(f"process.aspects.{aspect}", lang)


@dataclass(frozen=True, repr=False)
class Walkthrough(Result):
    """A walkthrough scoresheet: ``n`` rating sheets, ``mean`` (the mean of the aspect means), the ``weakest``
    aspect(s) — every aspect tied at the lowest mean, in :data:`ASPECTS` order — and ``table`` per aspect
    (mean, n ratings, weakest)."""

    n: int
    mean: float
    weakest: tuple[str, ...]
    table: pd.DataFrame = field(repr=False)


def walkthrough_score(ratings) -> Walkthrough:
    """Score a walkthrough (实地走查) [001]: each sheet rates :data:`ASPECTS` — time, flow, communication,
    environment, resolution — from 1 to 5.

    ``ratings``: one sheet (a mapping aspect → rating), or several (a DataFrame or a list of mappings; other
    columns such as the walker or branch are ignored). Aspects may be named in zh (时间, 流程, 沟通, 环境, 解决).
    A blank rating is left out of its aspect's mean; a rating outside 1–5, a bool or text is a KitError.
    Per aspect: mean and n. ``weakest``: all aspects at the lowest mean (ties kept, so two aspects can be the
    weakest); ``mean``: the mean of the five aspect means.

    >>> w = walkthrough_score([{"时间": 2, "流程": 3, "沟通": 4, "环境": 5, "解决": 3},
    ...                        {"时间": 3, "流程": 2, "沟通": 4, "环境": 4, "解决": 4}])
    >>> w
    Walkthrough(n=2, mean=3.4, weakest=('time', 'flow'))
    >>> w.table["mean"].tolist()
    [2.5, 2.5, 4.0, 4.5, 3.5]
    """
    if isinstance(ratings, Mapping):
        ratings = [ratings]
    rows = _records(ratings, ASPECT_ALIASES, "walkthrough")
    if not rows:
        raise KitError("process_no_ratings")
    values: dict[str, list[float]] = {a: [] for a in ASPECTS}
    sheets = 0
    for i, row in enumerate(rows, start=1):
        rated = [a for a in ASPECTS if not _blank(row.get(a))]
        for a in rated:
            values[a].append(_number(row[a], "walkthrough", f"{a} #{i}", *WALKTHROUGH_SCALE))
        sheets += bool(rated)
    unrated = [a for a in ASPECTS if not values[a]]
    if unrated:
        raise KitError("process_missing_aspects", missing=", ".join(unrated), aspects=", ".join(ASPECTS))
    means = np.array([np.mean(values[a]) for a in ASPECTS])
    weakest = np.isclose(means, means.min(), rtol=0, atol=_TOL)
    table = pd.DataFrame({"mean": means, "n": [len(values[a]) for a in ASPECTS], "weakest": weakest},
                         index=pd.Index(ASPECTS, name="aspect"))
    return Walkthrough(n=sheets, mean=float(means.mean()),
                       weakest=tuple(a for a, w in zip(ASPECTS, weakest, strict=True) if w), table=table)
