"""The cohort report's analysis and its first screen: every fact the report states, computed once
(:func:`analyse`), the four Kirkpatrick levels and the follow-up count with n and interval (:func:`headline`),
and the findings of :func:`kit.assessment.recommendations` worded, ranked and given an owner role and a due
date (:func:`findings`).

Wording lives in ``course/reports/cohort-report.<lang>.yml`` (``summary_*``, ``finding_*``, ``action_*``,
``owner_*``); the detail sections of ``notebooks/reports/cohort-report.ipynb`` show the same facts.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kit import assessment as A
from kit import formats
from kit.findings import Finding, worded
from kit.i18n import t
from kit.text import Markdown

ALPHA = 0.05
PRIORITY = ("at_risk", "gain_not_significant", "behaviour_lowest", "weak_ability", "item_review", "low_alpha",
            "low_kappa", "pace_fast", "low_completion", "l4_not_significant", "l4_improved")
"""The order findings are ranked in: people who need help now, then what the training did not teach, then
the tests that measured it, then how the course ran, then the customers' results (due at six months)."""
OWNERS = {"at_risk": ("trainer", 14), "gain_not_significant": ("trainer", 30), "behaviour_lowest": ("supervisor", 30),
          "weak_ability": ("trainer", 30), "item_review": ("designer", 30), "low_alpha": ("designer", 30),
          "low_kappa": ("manager", 14), "pace_fast": ("trainer", 30), "low_completion": ("manager", 14),
          "l4_not_significant": ("manager", 180), "l4_improved": ("manager", 180)}
"""Who owns each kind of action (a role, ``owner_<role>`` in the report text) and in how many days it is due."""


def analyse(cohort, pass_mark: float = A.PASS_MARK) -> dict:
    """Every fact of the cohort report from a loaded :class:`kit.cohort.Cohort`: the completion funnel, item
    analysis, reliability, pass rates, learning gains, the Kirkpatrick levels, the nine-grid, the trainees at
    risk and the rule-based recommendations. A part whose table is absent is None."""
    c = cohort
    has_marks = c.marks is not None and not c.marks.empty
    found = {"trainees": c.trainees, "pass_mark": pass_mark,
             "steps": A.funnel(c.trainees, c.marks, c.reaction, c.observations),
             "items": A.item_table(c.marks) if has_marks else None,
             "alphas": A.reliability(c.marks) if has_marks else None,
             "rates": A.pass_rates(c.marks, pass_mark) if has_marks else None,
             "levels": A.kirkpatrick(c.trainees, c.marks, c.reaction, c.observations, c.survey),
             "grid": A.ninegrid_summary(c.ninegrid) if c.ninegrid is not None and not c.ninegrid.empty else None,
             "risk": A.at_risk(c.trainees, c.marks, c.observations, c.ninegrid, pass_mark=pass_mark)}
    gains = found["levels"].learning
    found["gains"] = gains if gains is not None and gains["n"].max() > 0 else None
    levels = found["levels"]
    found["recommendations"] = A.recommendations(
        items=found["items"], alphas=found["alphas"], gains=found["gains"], ninegrid=found["grid"],
        behaviour=levels.behaviour, reaction=levels.reaction, results=levels.results, funnel=found["steps"],
        agreement=levels.agreement, risk=found["risk"])
    return found


def headline(found: dict, text, lang: str | None = None) -> pd.DataFrame:
    """The first screen's table (plain cells; the caller escapes them): one row per Kirkpatrick level that has
    data (its headline value with the 95 % interval, what it is based on, and the verdict) and the trainees who
    need a follow-up."""
    levels = found["levels"]
    rows = []
    rea = levels.reaction
    if rea is not None:
        rows.append(("reaction", formats.estimate(rea.overall, *rea.overall_ci, ".2f", lang),
                     A.basis(rea.n, lang=lang), text["summary_nps"].format(nps=formats.number(rea.nps, "+.0f"))))
    gains = found["gains"]
    if gains is not None:
        g = gains.loc["all"]
        rows.append(("learning", formats.estimate(g["diff"], g["ci_low"], g["ci_high"], "+.1f", lang),
                     A.basis(g["n"], lang=lang), _verdict(g["p_value"], text)))
    beh = levels.behaviour
    if beh is not None:
        overall = beh[beh["item"] == "all"].set_index("wave")
        last = overall.iloc[-1]
        earlier = text["summary_earlier"].format(wave=int(overall.index[0]), share=formats.number(overall["share"].iloc[0], ".0%")) \
            if len(overall) > 1 else formats.MISSING
        rows.append(("behaviour", formats.estimate(last["share"], last["ci_low"], last["ci_high"], ".0%", lang),
                     A.basis(last["trainees"], observations=last["n"], lang=lang),
                     earlier))
    res = levels.results
    if res is not None and res.n_before and res.n_after:
        rows.append(("results", formats.estimate(res.nps_diff, *res.nps_diff_ci, "+.1f", lang),
                     A.basis(res.n_before + res.n_after, "responses", lang=lang),
                     _verdict(res.nps_p, text)))
    rows.append(("risk", f"{len(found['risk']):,} / {len(found['trainees']):,}", A.basis(len(found["trainees"]), lang=lang),
                 formats.MISSING))
    frame = pd.DataFrame(rows, columns=["metric", "value", "basis", "verdict"])
    frame["metric"] = [text[f"summary_metric_{key}"] for key in frame["metric"]]
    return frame.rename(columns={c: text[f"summary_col_{c}"] for c in frame.columns})


def _verdict(p, text) -> str:
    """"significant (p < 0.001)" or "not significant (p = 0.214)" at :data:`ALPHA`."""
    key = "summary_significant" if p < ALPHA else "summary_not_significant"
    return text[key].format(p=formats.p_value(p))  # a table cell, not Markdown: nothing to escape


def findings(found: dict, text, today: dt.date | None = None, lang: str | None = None) -> list[Finding]:
    """The recommendations of ``found`` as findings in :data:`PRIORITY` order, each with its action, owner role
    and due date (``today`` + the days of :data:`OWNERS`)."""
    today = today or dt.date.today()
    ranked = sorted(found["recommendations"], key=lambda rec: PRIORITY.index(rec[0]))
    return [worded(code, _facts(code, params, found, text, lang), text, OWNERS[code], today) for code, params in ranked]


def _first(rows: pd.DataFrame, name, text, shown: int = 4) -> Markdown:
    """The first ``shown`` rows named by ``name`` as a list, "… and k more" after them."""
    names = Markdown(text["list_separator"].join(name(r) for r in rows.head(shown).itertuples()))
    return names if len(rows) <= shown else Markdown(text.format("item_more", items=names, n=len(rows) - shown))


def _facts(code: str, params: dict, found: dict, text, lang) -> dict:
    """The values a finding states, formatted for people and named in the reader's language."""
    from kit.ninegrid import ability_name

    join = text["list_separator"].join
    phase = lambda p: t(f"assessment.phase.{p}", lang)  # noqa: E731
    if code == "item_review":
        items = params["items"]
        kinds = items["flags"].str.split(",").explode().value_counts()
        return {"k": len(items), "total": params["total"],
                "kinds": Markdown(join(text.format("item_kind", n=n, flag=t(f"assessment.flag_short.{flag}", lang))
                                       for flag, n in kinds.items())),
                "items": _first(items, lambda r: text.format("item_name", exercise=r.exercise_id, phase=phase(r.phase), item=r.item), text)}
    if code == "low_alpha":
        low = params["assessments"]
        return {"k": len(low), "first": low["exercise_id"].iloc[0],
                "assessments": Markdown(join(text.format("alpha_item", exercise=r.exercise_id, phase=phase(r.phase),
                                                alpha=formats.number(r.alpha, ".2f")) for r in low.itertuples()))}
    if code == "at_risk":
        risk = found["risk"]
        return {"n": params["n"], "total": len(found["trainees"]), "below": int(risk["post_below_pass"].sum()),
                "missing": int(risk["no_post_test"].sum())}
    if code == "gain_not_significant":
        return {"module": params["module"], "diff": formats.number(params["diff"], "+.1f"),
                "p": formats.p_value(params["p"]), "n": params["n"]}
    if code == "weak_ability":
        return {"ability": ability_name(params["ability"], lang), "post": formats.number(params["post"], ".2f")}
    if code == "behaviour_lowest":
        return {"behaviour": A.behaviour_name(params["behaviour"], lang), "wave": params["wave"],
                "share": formats.estimate(params["share"], params["ci_low"], params["ci_high"], ".0%", lang)}
    if code == "low_kappa":
        return {"kappa": formats.number(params["kappa"], ".2f"), "n": params["n"]}
    if code == "pace_fast":
        return {"share": formats.number(params["share"], ".0%")}
    if code == "low_completion":
        return {"stage": A.stage_name(params["stage"], lang), "share": formats.number(params["share"], ".0%"),
                "n": params["n"]}
    return {"diff": formats.estimate(params["diff"], params["ci_low"], params["ci_high"], "+.1f", lang),  # l4_*
            "p": formats.p_value(params["p"])}


def plan_quality(plans: pd.DataFrame, today=None) -> pd.DataFrame:
    """Per trainee, how complete the capstone plan is and whether its goal is SMART: ``filled`` of the 7 template
    fields [002] (:func:`kit.actionplan.completeness` of :func:`kit.actionplan.plan_sections`), their ``share``,
    the ``missing`` field codes; ``smart`` the goal's share of S, M and T found (:func:`kit.actionplan.parse_smart`),
    ``is_smart`` and the ``smart_missing`` letters. An empty goal is not SMART and misses all three."""
    from kit.actionplan import TEMPLATE_FIELDS, completeness, parse_smart, plan_sections

    rows = []
    for row in plans.itertuples():
        done = completeness(plan_sections(row.plan or ""))
        goal = parse_smart(row.goal, today=today) if str(row.goal or "").strip() else None
        rows.append({"trainee_id": row.trainee_id, "filled": len(TEMPLATE_FIELDS) - len(done.missing),
                     "share": done.share, "missing": tuple(done.missing),
                     "smart": goal.score if goal else 0.0, "is_smart": bool(goal and goal.is_smart),
                     "smart_missing": tuple(goal.missing) if goal else ("S", "M", "T")})
    return pd.DataFrame(rows)


def plans_table(quality: pd.DataFrame, text, lang: str | None = None) -> pd.DataFrame:
    """:func:`plan_quality` for reading: trainee, fields filled of 7, the missing fields by name, whether the goal
    is SMART (是/否) and what it lacks; the least complete plans first."""
    from kit.actionplan import TEMPLATE_FIELDS, label

    shown = quality.sort_values(["share", "smart", "trainee_id"])
    none = text["plans_nothing"]
    return pd.DataFrame({
        text["plans_col_trainee"]: shown["trainee_id"],
        text["plans_col_filled"]: [f"{n} / {len(TEMPLATE_FIELDS)}" for n in shown["filled"]],
        text["plans_col_missing"]: [text["list_separator"].join(label("field", f, lang) for f in m) or none
                                    for m in shown["missing"]],
        text["plans_col_smart"]: shown["is_smart"].map(lambda v: formats.yes_no(v, lang)),
        text["plans_col_smart_missing"]: [text["list_separator"].join(label("smart", x, lang) for x in m) or none
                                          for m in shown["smart_missing"]],
    })
