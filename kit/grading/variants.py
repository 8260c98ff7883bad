"""Each trainee's personal data for a graded exercise (个人数据变体).

:func:`variant` builds, from ``kit.personal.personal_seed(trainee_id, seed)``, small samples of the
:mod:`kit.data.synth` tables plus a few per-trainee scenario choices (which complaint categories the team
handles, which authority limit applies, which step model the reply follows …). The same trainee and seed
always get the same data; a neighbour gets other numbers, so copying their answers fails. The grader
rebuilds the variant in its own process to recompute the expected answers.

The pools the choices are drawn from are course data: ``course/exercises/<exercise>.yml`` under ``data``.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

from kit.errors import KitError
from kit.personal import personal_seed

EXERCISES = ("needs", "communication", "recovery", "metrics", "standards", "capstone")
"""The graded exercises, one per course module (the capstone included)."""

_TICKET_COLUMNS = [  # complaint tickets without the customers' contact details
    "ticket_id", "channel", "category", "failure_type", "severity", "received_at", "first_response_at",
    "solution_at", "resolved_at", "verified_at", "status", "root_cause", "recovery_action", "compensation",
    "fcr", "post_csat", "post_nps", "churned_90d", "complaint_text",
]


def variant(exercise: str, trainee_id: str, seed: int = 0) -> dict[str, object]:
    """The data variant of ``exercise`` for one trainee: ``{name: DataFrame or value}``; the notebook binds
    each entry to a variable of the same name.

    >>> a, b = variant("metrics", "T001"), variant("metrics", "T002")
    >>> a["plan"] == variant("metrics", "T001")["plan"], a["survey"]["nps"].equals(b["survey"]["nps"])
    (True, False)
    """
    build = _BUILDERS.get(exercise)
    if build is None:
        raise KitError("grading_unknown_exercise", exercise=exercise)
    import numpy as np

    base = personal_seed(str(trainee_id), int(seed))
    rng = np.random.default_rng([zlib.crc32(exercise.encode()), base])
    return build(base, rng, _pools(exercise))


def _pools(exercise: str) -> dict:
    from kit.text import data

    return data(f"exercises/{exercise}")["data"]


def _between(rng, bounds) -> int:
    """A whole number drawn uniformly from the inclusive range ``bounds``."""
    low, high = bounds
    return int(rng.integers(low, high + 1))


def _pick(rng, pool, k: int) -> list:
    """``k`` distinct entries of ``pool`` in a random order."""
    return [pool[i] for i in rng.choice(len(pool), size=k, replace=False)]


def _rows(frame, rng, k: int):
    """``k`` random rows of ``frame``, kept in their original order, with a fresh index."""
    import numpy as np

    keep = np.sort(rng.choice(len(frame), size=min(k, len(frame)), replace=False))
    return frame.iloc[keep].reset_index(drop=True)


def _texts(rng, pools: dict, k: int, prefix: str, column: str):
    """``k`` texts of each language from ``pools`` (``{zh: [...], en: [...]}``), shuffled, with ids
    ``<prefix>1…`` and their language."""
    import pandas as pd

    rows = [(lang, text) for lang in ("zh", "en") for text in _pick(rng, pools[lang], k)]
    order = rng.permutation(len(rows))
    return pd.DataFrame({
        column: [f"{prefix}{i + 1}" for i in range(len(rows))],
        "lang": [rows[i][0] for i in order],
        "text": [rows[i][1] for i in order],
    })


def _complaint(rng, pool: list) -> dict[str, str]:
    """One complaint of ``pool`` in both languages, its ``{slots}`` filled with the trainee's details."""
    slots = {"order": str(rng.integers(10**9, 10**10)), "days": _between(rng, (3, 9)), "amount": int(rng.choice([38, 66, 128, 199, 260])),
             "minutes": _between(rng, (40, 95)), "items": _between(rng, (2, 5))}
    entry = pool[int(rng.integers(len(pool)))]
    return {lang: entry[lang].format(**slots) for lang in ("zh", "en")}


# --- the six exercises ----------------------------------------------------------------------------


def _needs(base: int, rng, pools: dict) -> dict[str, object]:
    """Kano answers, the SERVQUAL block of a survey, a needs backlog with criterion weights, a promise ledger."""
    import pandas as pd

    from kit import needs
    from kit.data import synth

    kano = _drifted(synth.kano_answers(_between(rng, pools["respondents"]), seed=base), rng, pools["drifted"])
    survey = synth.survey_responses(_between(rng, pools["survey_size"]), seed=base)
    items = [c for c in survey.columns if c.startswith(("exp_", "perc_"))]
    servqual = survey.loc[survey[items].notna().all(axis=1), ["response_id", *items]].reset_index(drop=True)

    ids = _pick(rng, pools["backlog"], pools["backlog_size"])
    criteria = list(needs.CRITERIA)
    while True:  # ratings with a clear top 3 (no tie between the 3rd and the 4th score)
        ratings = rng.integers(1, 6, size=(len(ids), 6))
        weights = dict(zip(criteria, rng.integers(1, 6, size=len(criteria)).tolist(), strict=True))
        backlog = pd.DataFrame(ratings, index=pd.Index(ids, name="need"),
                               columns=["importance", "urgency", "value", "difficulty", "roi", "fit"])
        scores = needs.prioritise(backlog, weights)["score"].to_numpy()
        if scores[2] - scores[3] > 1e-9:
            break

    n = _between(rng, pools["promises"])
    rate = rng.uniform(*pools["kept_rate"])
    promises = pd.DataFrame({
        "promise_id": [f"P{i + 1:02d}" for i in range(n)],
        "basic": rng.random(n) < 0.5,
        "kept": rng.random(n) < rate,
    })
    if promises["kept"].all():  # at least one broken promise, so the rate says something
        promises.loc[int(rng.integers(n)), "kept"] = False
    return {"kano": kano, "servqual": servqual, "backlog": backlog, "weights": weights, "promises": promises}


def _drifted(answers, rng, k: int):
    """Kano answers of a branch where ``k`` delight or expected features have drifted one level [002]:
    about three in four of the answers in the old category move to the next one (A → O → M)."""
    from kit import kano
    from kit.data import synth

    answers = answers.copy()
    category = kano.classify(answers["functional"], answers["dysfunctional"])
    movable = [f for f, c in synth.KANO_TRUE_CATEGORIES.items() if c in ("A", "O")]
    for feature in _pick(rng, movable, k):
        old = synth.KANO_TRUE_CATEGORIES[feature]
        moved = (answers["feature"] == feature) & (category == old) & (rng.random(len(answers)) < 0.75)
        # A (like it, would not mind missing it) → O: missing it is now disliked; O (like it) → M: now expected
        answers.loc[moved, "dysfunctional" if old == "A" else "functional"] = 5 if old == "A" else 2
    return answers


def _communication(base: int, rng, pools: dict) -> dict[str, object]:
    """Complaint dialogues, questions to type, reply drafts to check for jargon, and a complaint to answer."""
    from kit.data import synth

    transcripts = synth.transcripts(_between(rng, pools["sessions"]), seed=base)
    return {
        "transcripts": transcripts[["session_id", "turn", "speaker", "text", "gold_step", "emotion"]],
        "questions": _texts(rng, pools["questions"], 3, "Q", "question_id"),
        "drafts": _texts(rng, pools["drafts"], 2, "D", "draft_id"),
        "complaint": _complaint(rng, pools["complaints"]),
    }


def _recovery(base: int, rng, pools: dict) -> dict[str, object]:
    """The complaint tickets of the categories the trainee's team handles, untroubled customers' survey
    answers, compensation cases with an authority limit, and a complaint to answer with a step model."""
    import pandas as pd

    from kit.data import synth

    everything = synth.tickets(pools["tickets"], seed=base)
    mine = _pick(rng, sorted(everything["category"].dropna().unique()), pools["categories"])
    tickets = everything.loc[everything["category"].isin(mine), _TICKET_COLUMNS].reset_index(drop=True)

    k = _between(rng, pools["survey"])
    survey = _rows(synth.survey_responses(3 * k, seed=base)[["response_id", "nps"]], rng, k)

    limit = int(rng.choice(pools["limits"]))
    paid = tickets.loc[tickets["compensation"] > 0, ["category", "severity", "compensation"]]
    over = paid["compensation"] > limit
    above = min(_between(rng, (3, pools["cases"] - 3)), int(over.sum()))  # some beyond the limit, so the rule matters
    cases = pd.concat([_rows(paid[over], rng, above), _rows(paid[~over], rng, pools["cases"] - above)])
    cases = cases.iloc[rng.permutation(len(cases))].rename(columns={"compensation": "amount"})
    cases.insert(0, "case_id", [f"C{i + 1}" for i in range(len(cases))])
    return {
        "tickets": tickets,
        "survey": survey,
        "cases": cases.reset_index(drop=True),
        "limit": limit,
        "model": str(rng.choice(pools["models"])),
        "complaint": _complaint(rng, pools["complaints"]),
    }


def _metrics(base: int, rng, pools: dict) -> dict[str, object]:
    """A survey sample (one quarter asked CES in the CES 2.0 agreement wording), KPI snapshots of four
    teams, and the trainee's survey plan for the sample-size question."""
    import numpy as np

    from kit.data import synth

    k = _between(rng, pools["survey"])
    survey = synth.survey_responses(3 * k, seed=base)[["response_id", "submitted_at", "segment", "channel", "nps", "csat", "ces"]]
    survey = _rows(survey, rng, k)
    quarter = int(rng.integers(1, 5))
    agreement = (survey["submitted_at"].dt.quarter == quarter).to_numpy()
    survey["ces"] = survey["ces"].where(~agreement, 8 - survey["ces"])
    survey["ces_wording"] = np.where(agreement, "agreement", "effort")

    teams = _pick(rng, pools["teams"], pools["n_teams"])
    start = f"2024-{int(rng.integers(1, 13)):02d}"
    kpi = synth.kpi_snapshots(seed=base, start=start, teams=teams)
    plan = {"population": _between(rng, pools["populations"]), "margin": float(rng.choice(pools["margins"])),
            "confidence": float(rng.choice(pools["confidences"]))}
    return {"survey": survey, "kpi": kpi, "plan": plan}


_LOG_COLUMNS = [  # the complaint log of the standards exercise: the loop's timestamps, no contact details
    "ticket_id", "channel", "category", "failure_type", "severity", "received_at", "first_response_at",
    "solution_at", "resolved_at", "verified_at", "root_cause", "recovery_action", "fcr", "complaint_text",
]
_LANGS = ("zh", "en")


def _standards(base: int, rng, pools: dict) -> dict[str, object]:
    """The trainee's complaint log (some tickets never classified, some follow-up checks skipped), a pilot's
    before/after numbers, and per language (``scenario[lang]``): a service blueprint with gaps, a task plan,
    a deliverable review, the pilot's KPI and the ticket to review."""
    import pandas as pd

    from kit.data import synth

    everything = synth.tickets(pools["tickets"], seed=base)
    tickets = _rows(everything[_LOG_COLUMNS], rng, _between(rng, pools["log"]))
    n = len(tickets)
    blank = rng.random(n) < rng.uniform(*pools["unclassified"])  # never classified: no category, type or cause
    tickets.loc[blank, ["category", "failure_type", "root_cause"]] = None
    verified = tickets["verified_at"].notna().to_numpy()
    skipped = verified & (rng.random(n) < rng.uniform(*pools["unverified"]))  # the follow-up check never happened
    tickets.loc[skipped, "verified_at"] = pd.NaT

    blueprint = _blueprint(rng, pools)
    plan = _plan(rng, pools)
    review = _review(rng, pools)
    pilot, kpi = _pilot(rng, pools)
    case = _case(rng, tickets)
    scenario = {lang: {"service": blueprint["service"][lang], "blueprint": blueprint["steps"][lang],
                       "project": plan["project"][lang], "plan": plan["tasks"][lang],
                       "review": review[lang], "kpi": {**kpi, "name": kpi["name"][lang]}, "case": case[lang]}
                for lang in _LANGS}
    return {"tickets": tickets, "pilot": pilot, "scenario": scenario}


def _blueprint(rng, pools: dict) -> dict:
    """One blueprint of the pool in both languages (steps S1…, lanes named in the language), with
    ``gaps`` steps missing their owner or their standard (at most one gap per step)."""
    import pandas as pd

    from kit.process import lane_name

    chosen = pools["blueprints"][int(rng.integers(len(pools["blueprints"])))]
    steps = chosen["steps"]
    holes = {int(i): str(rng.choice(["owner", "standard"]))
             for i in rng.choice(len(steps), size=_between(rng, pools["gaps"]), replace=False)}
    frames = {}
    for lang in _LANGS:
        rows = []
        for i, step in enumerate(steps):
            name, owner, standard = step[lang]
            rows.append({"step_id": f"S{i + 1}", "step": name, "lane": lane_name(step["lane"], lang),
                         "owner": "" if holes.get(i) == "owner" else owner,
                         "standard": "" if holes.get(i) == "standard" else standard})
        frames[lang] = pd.DataFrame(rows)
    return {"service": chosen["service"], "steps": frames}


def _plan(rng, pools: dict) -> dict:
    """One task plan of the pool in both languages, each task's duration (days) drawn from its range."""
    import pandas as pd

    chosen = pools["plans"][int(rng.integers(len(pools["plans"])))]
    days = [_between(rng, (low, high)) for _, _, low, high, _, _ in chosen["tasks"]]
    sep = {"zh": "、", "en": ", "}
    frames = {}
    for lang in _LANGS:
        frames[lang] = pd.DataFrame({
            "task": [t[0] for t in chosen["tasks"]],
            "description": [t[4] if lang == "zh" else t[5] for t in chosen["tasks"]],
            "duration": days,
            "predecessors": [sep[lang].join(p.strip() for p in t[1].split(",") if p.strip()) for t in chosen["tasks"]],
        })
    return {"project": chosen["project"], "tasks": frames}


def _review(rng, pools: dict) -> dict[str, dict]:
    """A deliverable's review in both languages: reviewers, the project team (some reviewers may be on it),
    each reviewer's score, the client's score and the team's pass mark (all 0–100). The overall score is
    kept at least one point away from the pass mark, so no rounding decides the verdict."""
    from kit.process import qc_review

    deliverable = pools["deliverables"][int(rng.integers(len(pools["deliverables"])))]
    k = pools["reviewers"]
    while True:
        size, inside = _between(rng, pools["team"]), int(rng.choice(pools["on_team"]))
        people = _pick(rng, pools["people"], k + size - inside)
        reviewers = people[:k]
        team = _pick(rng, reviewers, inside) + people[k:]
        team = [team[i] for i in rng.permutation(len(team))]
        scores = [_between(rng, pools["scores"]) for _ in reviewers]
        client = _between(rng, pools["client"])
        mark = int(rng.choice(pools["pass_marks"]))
        names = [p["zh"] for p in reviewers]
        result = qc_review(names, [p["zh"] for p in team], scores, client, pass_mark=mark)
        if len(result.independent) < 2 or abs(result.score - mark) >= 1:
            break
    return {lang: {"deliverable": deliverable[lang], "reviewers": [p[lang] for p in reviewers],
                   "team": [p[lang] for p in team], "scores": scores, "client_score": client, "pass_mark": mark}
            for lang in _LANGS}


def _pilot(rng, pools: dict):
    """A pilot's KPI values before and after (``phase``, ``value``: one row per case) and the KPI
    (``name`` per language, ``kind``, ``higher_is_better``). Its true effect is drawn from ``effects``; the
    sample is drawn again while the test's p value lies between 0.01 and 0.2, so the verdict is clear."""
    import numpy as np
    import pandas as pd

    from kit.improvement import pdca_check

    spec = pools["pilots"][int(rng.integers(len(pools["pilots"])))]
    effect = str(rng.choice(pools["effects"]))
    good = 1 if spec["higher_is_better"] else -1
    shift = {"improved": good, "worse": -good, "none": 0}[effect] * spec["change"]
    for _ in range(200):
        sizes = [_between(rng, spec["n"]) for _ in range(2)]
        if spec["kind"] == "mean":
            mean, sd = spec["before"]
            before, after = (np.clip(np.rint(rng.normal(m, sd, size)), *spec["bounds"])  # whole minutes, 1–5 points
                             for m, size in zip((mean, mean + shift), sizes, strict=True))
        else:
            before, after = ((rng.random(size) < p).astype(int)
                             for p, size in zip((spec["before"], spec["before"] + shift), sizes, strict=True))
        check = pdca_check(before, after, kind=spec["kind"], higher_is_better=spec["higher_is_better"])
        if not 0.01 <= check.p_value <= 0.2:
            break
    pilot = pd.DataFrame({"phase": ["before"] * len(before) + ["after"] * len(after),
                          "value": np.concatenate([before, after])})
    kpi = {"name": spec["kpi"], "kind": spec["kind"], "higher_is_better": bool(spec["higher_is_better"])}
    return pilot, kpi


def _case(rng, tickets) -> dict[str, str]:
    """The ticket each language's trainee reviews: a resolved complaint written in that language, preferably
    one that went wrong somewhere: analysed after 24 h, else never checked back."""
    import numpy as np

    text = tickets["complaint_text"].fillna("")
    chinese = text.str.contains("[\u4e00-\u9fff]", regex=True).to_numpy()
    resolved = tickets["resolved_at"].notna().to_numpy()
    late = ((tickets["solution_at"] - tickets["received_at"]).dt.total_seconds() > 24 * 3600).to_numpy()
    unchecked = tickets["verified_at"].isna().to_numpy()
    out = {}
    for lang, mine in (("zh", chinese), ("en", ~chinese & (text != "").to_numpy())):
        for pool in (mine & resolved & late, mine & resolved & unchecked, mine & resolved, mine):
            found = np.flatnonzero(pool)
            if len(found):
                out[lang] = str(tickets["ticket_id"].iloc[int(rng.choice(found))])
                break
    return out


def _capstone(base: int, rng, pools: dict) -> dict[str, object]:
    """The trainee's nine-grid self-rating (exactly three lowest abilities), the horizon scheme of their team
    (``"000"`` or ``"002"``) and, per language (``scenario[lang]``): goal sentences each missing a SMART part
    or none, a RACI matrix with planted faults (``raci``: tasks T1… × people; ``tasks``: what each task is) and
    actions with their due days."""
    from kit.ninegrid import ABILITIES, DIMENSION_OF

    ninegrid = _ninegrid(rng, pools, ABILITIES, DIMENSION_OF)
    scheme = str(rng.choice(pools["schemes"]))
    goals = _goals(rng, pools)
    raci = _raci(rng, pools)
    actions = _actions(rng, pools, scheme)
    scenario = {lang: {"goals": goals[lang], "raci": raci["matrix"][lang], "tasks": raci["tasks"][lang],
                       "actions": actions[lang]} for lang in _LANGS}
    return {"ninegrid": ninegrid, "scheme": scheme, "scenario": scenario}


def _ninegrid(rng, pools: dict, abilities, dimension_of):
    """Nine self-ratings 1–5 (``ability``, ``dimension``, ``rating``), drawn again until the third-lowest
    rating is below the fourth-lowest, so that exactly three abilities are the lowest."""
    import numpy as np
    import pandas as pd

    weights = np.asarray(pools["rating_weights"], dtype=float)
    while True:
        ratings = rng.choice(np.arange(1, 6), size=len(abilities), p=weights / weights.sum())
        ordered = np.sort(ratings)
        if ordered[2] < ordered[3]:
            break
    return pd.DataFrame({"ability": list(abilities), "dimension": [dimension_of[a] for a in abilities],
                         "rating": ratings.astype(int)})


def _goals(rng, pools: dict) -> dict:
    """Goal sentences in both languages (``goal_id`` G1…, ``goal``): one of each kind of the pool (missing S,
    M, T first, or none) and ``extra_goals`` more, in a random order."""
    import pandas as pd

    kinds = list(pools["goals"])
    chosen = {kind: _pick(rng, pools["goals"][kind], len(pools["goals"][kind])) for kind in kinds}
    drawn = [chosen[kind].pop() for kind in kinds]
    rest = [goal for kind in kinds for goal in chosen[kind]]
    drawn += _pick(rng, rest, pools["extra_goals"])
    drawn = [drawn[i] for i in rng.permutation(len(drawn))]
    ids = [f"G{i + 1}" for i in range(len(drawn))]
    return {lang: pd.DataFrame({"goal_id": ids, "goal": [g[lang] for g in drawn]}) for lang in _LANGS}


_RACI_FAULTS = {  # how a planted fault changes a cell: (cells it may hit, new value by old value)
    "no_a": (lambda cell: "A" in cell, {"A/R": "R", "A": "C"}),
    "two_a": (lambda cell: "A" not in cell and "R" not in cell, None),
    "no_r": (lambda cell: "R" in cell, {"A/R": "A", "R": "C"}),
}


def _raci(rng, pools: dict) -> dict:
    """A RACI matrix of ``n_tasks`` tasks (T1…) × four people of the pool, in both languages, each row right
    by the pool's roles but ``faults`` rows with one planted fault each: no A, a second A, or no R."""
    import pandas as pd

    chosen = _pick(rng, pools["tasks"], pools["n_tasks"])
    people = _pick(rng, pools["people"], len(chosen[0]["roles"]))
    cells = [list(task["roles"]) for task in chosen]
    kinds = pools["fault_kinds"]
    faulty = rng.choice(len(chosen), size=_between(rng, pools["faults"]), replace=False)
    for n, row in enumerate(faulty):
        kind = kinds[n] if n < len(kinds) else str(rng.choice(kinds))  # every kind once, then any
        hits, change = _RACI_FAULTS[kind]
        where = [i for i, cell in enumerate(cells[row]) if hits(cell)]
        if kind == "two_a":
            cells[row][int(rng.choice(where))] = "A"
        else:
            for i in where:
                cells[row][i] = change[cells[row][i]]
    ids = [f"T{i + 1}" for i in range(len(chosen))]
    matrix = {lang: pd.DataFrame(cells, index=pd.Index(ids, name="task"), columns=[p[lang] for p in people])
              for lang in _LANGS}
    tasks = {lang: dict(zip(ids, (task[lang] for task in chosen), strict=True)) for lang in _LANGS}
    return {"matrix": matrix, "tasks": tasks}


def _actions(rng, pools: dict, scheme: str) -> dict:
    """``n_actions`` actions in both languages (``action_id`` A1…, ``action``, ``due_days``) on the horizons
    of ``scheme``: every horizon used, one action due on the last day of its horizon and one on the first day of
    the next; the earlier an action's stage, the earlier it is due."""
    import pandas as pd

    spans = list(pools["due"][scheme].values())
    n = pools["n_actions"]
    horizon = list(range(len(spans))) + [int(h) for h in rng.integers(len(spans), size=n - len(spans))]
    days = [_between(rng, spans[h]) for h in horizon]
    last = int(rng.choice([i for i in range(n) if horizon[i] < len(spans) - 1]))
    days[last] = spans[horizon[last]][1]  # due on its horizon's last day: still in it
    first = int(rng.choice([i for i in range(n) if horizon[i] > 0 and i != last]))
    days[first] = spans[horizon[first]][0]  # due on the day after the previous horizon ends
    chosen = sorted(_pick(rng, pools["actions"], n), key=lambda a: a["stage"])  # ties stay in the drawn order
    days = sorted(days)
    order = rng.permutation(n)
    ids = [f"A{i + 1}" for i in range(n)]
    return {lang: pd.DataFrame({"action_id": ids, "action": [chosen[i][lang] for i in order],
                                "due_days": [days[i] for i in order]}) for lang in _LANGS}


_BUILDERS: dict[str, Callable] = {"needs": _needs, "communication": _communication, "recovery": _recovery,
                                  "metrics": _metrics, "standards": _standards, "capstone": _capstone}
