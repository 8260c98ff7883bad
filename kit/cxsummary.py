"""The CX report's analysis and its first screen: every fact the report states, computed once
(:func:`analyse`), the headline scores with the change since the previous period (:func:`headline`), and the
findings, each with the specific action it calls for, an owner role and a due date (:func:`findings`).

The detail sections of ``notebooks/reports/cx-report.ipynb`` show the same facts, so the summary and the
sections never disagree. Wording lives in ``course/reports/cx-report.<lang>.yml`` (``finding_*``,
``action_*``, ``owner_*``); user values are filled in as text, escaped by :class:`kit.text.Text`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from kit import formats
from kit.cxreport import DRIVERS, SCORES, SEGMENTS, absent
from kit.findings import Finding, worded
from kit.text import Markdown

ALPHA = 0.05
PRIORITY = ("sla", "alerts", "segment", "drivers", "vital", "servqual", "category", "failure", "kano", "paradox")
"""The order findings are ranked in: a broken promise to complaining customers first, then a fresh fall in a
score, then the customers and drivers behind the scores, then the causes of complaints."""
OWNERS = {"sla": ("service_lead", 14), "alerts": ("cx", 7), "segment": ("cx", 14), "drivers": ("product", 30),
          "vital": ("quality", 30), "servqual": ("training", 30), "category": ("quality", 30),
          "failure": ("training", 30), "kano": ("product", 90), "paradox": ("service_lead", 30)}
"""Who owns each kind of action (a role, ``owner_<role>`` in the report text) and in how many days it is due."""


def analyse(survey, tickets, kano_answers, text, *, weight=None, as_of=None, targets=None, lang=None) -> dict:
    """Every fact of the CX report, keyed by section: scores, trends and alerts, segments, SERVQUAL, Kano,
    drivers, complaint SLA, categories, failure types, root causes, recovery paradox, the closed loop and the
    scorecard. A
    section whose columns the export lacks has no key (its section says so)."""
    from kit import cxreport, drivers, improvement, kano, metrics, recovery, servqual
    from kit.plots import column_label, value_label

    found = {"weight": weight, "lang": lang}
    weights = None if weight is None else survey[weight]
    found["scores"] = {s: getattr(metrics, s)(survey[s], weights=weights) for s in SCORES if not absent(survey, [s])}
    found["trends"] = {s: metrics.period_trend(survey, s, weights=weight) for s in found["scores"]}
    found["by_month"], found["alerts"], found["rule_alerts"] = cxreport.periods(survey, text, lang=lang,
                                                                                trends=found["trends"])
    found["segment_columns"] = [c for c in SEGMENTS if not absent(survey, [c])]
    behind = cxreport.worst_segment(survey, found["segment_columns"], weights=weight)
    if behind:
        column, value, score, overall = behind
        found["worst_segment"] = (column_label("survey_responses", column, lang),
                                  value_label("survey_responses", column, value, lang), score, overall)
    if any(survey[c].notna().any() for c in survey.columns if str(c).startswith(("exp_", "perc_"))):
        gaps = found["gaps"] = servqual.gaps(survey, weights=weight)
        worst = gaps.table.loc[gaps.worst]
        found["servqual"] = (servqual.dimension_name(gaps.worst, lang), worst["gap"], worst["ci_high"])
    if kano_answers is not None:
        summary = found["kano"] = kano.summary(kano_answers)
        found["must_be"] = [str(f) for f in summary.table.index[summary.table["category"] == "M"]]
    if not absent(survey, ["csat", *DRIVERS]):
        result = found["drivers"] = drivers.key_drivers(survey, "csat", list(DRIVERS), weights=weight)
        chosen = result.table[result.table["quadrant"] == "concentrate"]
        found["concentrate"] = [column_label("survey_responses", d, lang) for d in chosen.index]
        found["concentrate_share"] = float(chosen["share"].sum())
    if not absent(tickets, ["received_at", "first_response_at"]):
        _complaint_sla(found, tickets, as_of, lang)
    _complaint_causes(found, tickets, text, lang)
    if not (absent(survey, ["nps"]) or absent(tickets, ["first_response_at", "resolved_at", "post_csat",
                                                         "post_nps", "churned_90d"])):
        found["paradox_base"] = recovery.untroubled(survey, tickets)
        found["paradox"] = recovery.paradox_test(tickets, survey)
        found["paradox_groups"] = recovery.recovery_paradox(tickets, survey)
    if tickets is not None:
        found["loop"] = improvement.loop_funnel(tickets, lang=lang)
        if not absent(tickets, ["received_at"]):
            found["loop_deadlines"] = improvement.loop_deadlines(tickets, as_of=as_of, lang=lang)
    found["targets"] = metrics.choose_targets(targets)
    actuals = {**metrics.survey_kpis(survey, weights=weight),
               **(recovery.complaint_kpis(tickets, found["targets"]) if tickets is not None else {})}
    found["scorecard"] = metrics.scorecard(actuals, targets=found["targets"], lang=lang)
    return found


def _complaint_sla(found: dict, tickets, as_of, lang) -> None:
    """The golden-24-hours facts: compliance, the durations behind it, the slowest tickets and their channel."""
    from kit import recovery
    from kit.plots import value_label

    found["as_of"] = recovery._as_of(tickets, as_of)
    found["sla"] = recovery.sla_compliance(tickets, ["reply_24h"], as_of=as_of).loc["reply_24h"]
    hours = recovery.response_hours(tickets)
    found["reply_hours"] = {s: recovery.duration_kpi(hours, s) for s in ("mean", "median", "p90")}
    late = found["late"] = recovery.sla_breaches(tickets, "reply_24h", as_of=as_of)
    if len(late) and not absent(late, ["channel"]):
        top = late["channel"].value_counts()
        found["late_channel"] = (value_label("tickets", "channel", top.index[0], lang), float(top.iloc[0] / len(late)))


def _complaint_causes(found: dict, tickets, text, lang) -> None:
    """Complaint categories, failure types (a guess is never a finding) and the root-cause Pareto."""
    from kit import cxreport, recovery
    from kit.plots import value_label

    found["categories"] = cxreport.categories(tickets)
    if found["categories"] is not None:
        found["category"] = cxreport.most_common(found["categories"], text["tied"])
    found["failures"], found["failure_source"] = cxreport.failure_types(tickets)
    failures = found["failures"]
    if failures is not None and failures.notna().any() and found["failure_source"] != "guessed":
        names = failures.map(lambda code: value_label("tickets", "failure_type", code, lang), na_action="ignore")
        found["failure"] = cxreport.most_common(recovery.pareto(names), text["tied"])
    if not absent(tickets, ["root_cause"]):
        causes = found["causes"] = recovery.pareto(tickets["root_cause"])
        vital = causes[causes["vital"]]
        found["vital"] = (vital["cause"].tolist(), float(vital["share"].sum()))


def headline(found: dict, text, lang=None) -> pd.DataFrame:
    """The first screen's scores: each with its value over the whole export, 95 % interval and n, and the
    latest month against the month before (the difference and whether it is significant, two-sided z-test
    of :func:`kit.metrics.period_trend`)."""
    from kit.cxreport import interval

    rows = []
    for name, result in found["scores"].items():
        sign, digits = (True, 0) if name == "nps" else (False, 1 if name == "csat" else 2)
        rows.append({
            "metric": text[f"summary_metric_{name}"],
            "value": interval(result.value, *result.ci, digits, sign, lang),
            "n": formats.count(result.n),
            "change": _change(found["trends"][name], name, text, digits),
        })
    return pd.DataFrame(rows).rename(columns={c: text[f"summary_col_{c}"] for c in ("metric", "value", "n", "change")})


def _change(trend: pd.DataFrame, name: str, text, digits: int) -> str:
    """"2025-12 vs 2025-11: +5 (p = 0.358, not significant)" for the last two months with an estimate."""
    shown = trend.dropna(subset=["value"])
    if len(shown) < 2:
        return formats.MISSING
    last, before = shown.iloc[-1], shown.iloc[-2]
    diff = last["value"] - before["value"]
    worse = diff > 0 if name == "ces" else diff < 0
    verdict = "not_significant" if not last["p_value"] < ALPHA else "worse" if worse else "better"
    return text[f"summary_change_{verdict}"].format(  # a table cell, not Markdown: nothing to escape
        period=str(last["period"]), previous=str(before["period"]), diff=formats.number(diff, f"+.{digits}f"),
        p=formats.p_value(last["p_value"]))


def findings(found: dict, text, today: dt.date | None = None) -> list[Finding]:
    """The report's findings in :data:`PRIORITY` order, led by the KPIs that missed their targets; each with its
    action, owner role and due date (``today`` + the days of :data:`OWNERS`)."""
    today = today or dt.date.today()
    out = []
    card = found.get("scorecard")
    if card is not None and card["status"].isin(["missed", "near"]).any():
        missed = card[card["status"].isin(["missed", "near"])]
        out.append(Finding("kpis", text.format("finding_kpis", k=len(missed), total=len(card), kpis=Markdown(text["list_separator"].join(
            text.format("finding_kpi", kpi=row.name, actual=formats.number(row.actual, ".3g"),
                        target=f"{row.direction} {row.target:g}") for row in missed.itertuples())))))
    for key in PRIORITY:
        facts = _facts(key, found, text)
        if facts is not None:
            out.append(worded(key, facts, text, OWNERS[key], today))
    return out


def _facts(key: str, found: dict, text) -> dict | None:
    """The values a finding of kind ``key`` states, or None when the data do not support that finding."""
    join = text["list_separator"].join
    if key == "sla":
        sla = found.get("sla")
        if sla is None or not sla["breached"] > 0:
            return None
        channel, share = found.get("late_channel") or ("", 0.0)
        return {"breached": int(sla["breached"]), "n": int(sla["n"]), "share": float(sla["share"]),
                "channel": channel, "channel_share": share, "variant": "_channel" if channel else ""}
    if key == "alerts":
        fell = {m: months for m, months in (found.get("alerts") or {}).items() if months}
        if not fell:
            return None
        metric, months = max(fell.items(), key=lambda item: max(item[1]))  # the most recent alert
        return {"metric": Markdown(text[f"summary_metric_{metric}"]), "periods": Markdown(join(months)),
                "last": Markdown(max(months))}  # months the kit formatted: nothing to escape
    if key == "segment" and found.get("worst_segment"):
        column, segment, score, overall = found["worst_segment"]
        return {"column": column, "segment": segment, "nps": formats.number(score, "+.0f"),
                "overall": formats.number(overall, "+.0f")}
    if key == "drivers" and found.get("concentrate"):
        return {"drivers": join(found["concentrate"]), "share": found["concentrate_share"]}
    if key == "vital" and found.get("vital"):
        causes, share = found["vital"]
        top = found["causes"].iloc[0]
        return {"k": len(causes), "causes": join(causes), "share": share, "top": top["cause"],
                "top_share": float(top["share"])}
    if key == "servqual" and found.get("servqual") and found["servqual"][2] < 0:
        return {"dimension": found["servqual"][0], "gap": formats.number(found["servqual"][1], "+.2f")}
    if key in ("category", "failure") and found.get(key):
        return dict(found[key])
    if key == "kano" and found.get("must_be"):
        return {"features": join(found["must_be"])}
    if key == "paradox" and found.get("paradox") is not None and not np.isnan(found["paradox"].p_value):
        test = found["paradox"]
        variant = "_unclear" if not test.p_value < ALPHA else "_yes" if test.diff > 0 else "_worse"
        return {"diff": formats.number(test.diff, "+.0f"), "variant": variant}
    return None
