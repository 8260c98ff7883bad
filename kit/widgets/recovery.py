"""Interactions of lesson M3, service recovery and complaint handling (服务补救与投诉处理).

Each one changes one input the trainee has just read about and shows what follows, computed by the tested
logic of :mod:`kit.recovery`:

- :class:`ResponseBuilder`: a written reply → its LEAF [000] / HEAT [002] / LESCANT [002] step coverage,
  the steps to add and the apology check [001].
- :class:`ResponseTimeSimulator`: hours to the first reply → [001]'s claimed satisfaction decay (shown as
  the source's claim ⚑) beside the post-recovery CSAT the sample tickets show per reply band.
- :class:`FailureClassifier`: an incident, picked or typed → its failure type [000] and the keywords behind it.
- :class:`ParetoChart`: the complaint log → the few root causes that cover ≥ 80 %.
- :class:`ParadoxExplorer`: a definition of "recovered well" → promoter shares with intervals of untroubled,
  well-recovered and badly recovered customers (the service-recovery paradox).
- :class:`FiveWhysTree`: a 5-Whys chain [000] → a tree whose every answer is judged; the root should be systemic.

Labels live in ``course/recovery/ui.<lang>.yml``; every piece of user text is escaped.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from kit import recovery, tables, text
from kit.i18n import get_lang
from kit.widgets import Interactive, escape, html_table
from kit.widgets import figure_html as _figure_html

MODELS = ("LEAF", "HEAT", "LESCANT")
STYLE = {"description_width": "initial"}
WIDE = widgets.Layout(width="40em")
GREEN, RED, AMBER, GREY, BLUE = "#00798c", "#d1495b", "#edae49", "#888888", "#30638e"
CHIP = {"ok": ("✓", "#d8efe9"), "missing": ("✗", "#f6d5da"), "order": ("↺", "#fbeccb")}
KIND_COLOURS = {"person": RED, "system": GREEN, "unclear": GREY}


def _ui(lang: str) -> text.Text:
    return text.load("recovery/ui", lang)


def _sep(lang: str) -> str:
    return "、" if lang == "zh" else ", "


def _slider(kind, description: str, **options):
    return kind(description=description, style=STYLE, layout=WIDE, continuous_update=False, **options)




def _interval(value: float, low: float, high: float, fmt: str = "{:.0%}") -> str:
    if pd.isna(value):
        return "—"
    return f"{fmt.format(value)} [{fmt.format(low)}, {fmt.format(high)}]"


def value_label(column: str, value, lang: str) -> str:
    """Display name of a tickets value: failure types by their [000] names, Chinese categories and root
    causes translated in English (``labels`` in the ui file); anything else as it is."""
    ui = _ui(lang)
    if column == "failure_type":
        return ui["classifier"]["types"].get(value, {}).get("name", str(value))
    return ui["labels"].get(column, {}).get(value, str(value))


def labels(column: str, values, lang: str | None = None) -> str:
    """Several tickets values by their display names, joined as a list in ``lang``."""
    lang = lang or get_lang()
    return _sep(lang).join(value_label(column, v, lang) for v in values)


# --- complaint-reply builder --------------------------------------------------------------------------


def _marked(draft: str, coverage: dict, lang: str) -> str:
    """The reply, escaped, with the cue that showed each step highlighted (step names as the tooltip)."""
    steps = _ui(lang)["steps"]
    spans: dict[int, tuple[int, list[str]]] = {}  # start → (end, the steps found there)
    for model, cov in coverage.items():
        for step, (start, cue) in cov.found.items():
            end, names = spans.get(start, (start, []))
            spans[start] = (max(end, start + len(cue)), [*names, f"{model} {steps[model][step]}"])
    out, cursor = [], 0
    for start in sorted(spans):
        end, names = spans[start]
        if start < cursor:
            continue
        out.append(escape(draft[cursor:start]))
        out.append(f"<mark title='{escape('; '.join(names))}' style='background:#d8efe9'>"
                   f"{escape(draft[start:end])}</mark>")
        cursor = end
    out.append(escape(draft[cursor:]))
    return "".join(out)


class ResponseBuilder(Interactive):
    """A written complaint reply → which steps of LEAF, HEAT and LESCANT it shows, what to add, and whether
    the apology names the concrete failure (:func:`kit.recovery.step_coverage`, :func:`apology_check`).
    The default draft is a good reply that forgets one step: empathy."""

    def __init__(self, draft: str | None = None, lang: str | None = None):
        lang = lang or get_lang()
        self.ui = _ui(lang)
        self.title = self.ui["builder"]["title"]
        box = widgets.Textarea(value=self.ui["builder"]["default_draft"] if draft is None else draft,
                               description=self.ui["builder"]["draft"], style=STYLE, continuous_update=False,
                               layout=widgets.Layout(width="100%", height="9em"))
        super().__init__({"draft": box}, lang=lang)

    def compute(self, draft):
        coverage = {model: recovery.step_coverage(draft, model) for model in MODELS}
        missing: dict[str, list[str]] = {}
        for model, cov in coverage.items():
            for step in cov.missing:
                missing.setdefault(step, []).append(model)
        return {"draft": draft, "coverage": coverage, "missing": missing,
                "out_of_order": {m: c.out_of_order for m, c in coverage.items() if c.out_of_order},
                "apology": recovery.apology_check(draft)}

    def draw(self, result):
        ui, lang = self.ui, self.lang
        b, steps = ui["builder"], ui["steps"]
        rows = []
        for model, cov in result["coverage"].items():
            chips = []
            for step in cov.steps:
                state = "missing" if step in cov.missing else "order" if step in cov.out_of_order else "ok"
                mark, colour = CHIP[state]
                chips.append(f"<span style='background:{colour};padding:1px 6px;margin:1px;border-radius:3px'>"
                             f"{mark} {escape(steps[model][step])}</span>")
            rows.append([escape(ui["models"][model]), f"<b>{cov.score:.0%}</b>", " ".join(chips)])
        parts = [html_table([b["model"], b["score"], b["sequence"]], rows), f"<p style='color:{GREY}'>{escape(b['legend'])}</p>"]
        if result["missing"]:
            items = "".join(
                "<li>" + b["to_add_item"].format(step=f"<b>{escape(steps[models[0]][step])}</b>",
                                                 models=escape(_sep(lang).join(models)), tip=escape(ui["tips"][step]))
                + "</li>" for step, models in result["missing"].items())
            parts.append(f"<p><b>{escape(b['to_add'])}</b></p><ul>{items}</ul>")
        else:
            parts.append(f"<p style='color:{GREEN}'>{escape(b['all_present'])}</p>")
        for model, late in result["out_of_order"].items():
            names = _sep(lang).join(steps[model][s] for s in late)
            parts.append(f"<p style='color:{AMBER}'>{escape(b['reorder'].format(model=model, steps=names))}</p>")
        parts.append(self._apology_html(result["apology"]))
        parts.append(f"<p><b>{escape(b['your_reply'])}</b></p><blockquote style='border-left:3px solid {GREY};"
                     f"padding-left:8px'>{_marked(result['draft'], result['coverage'], lang)}</blockquote>")
        return "".join(parts)

    def _apology_html(self, check: recovery.ApologyCheck) -> str:
        b = self.ui["builder"]
        if not check.apology:
            lines = [(RED, b["apology_missing"])]
        elif check.specific:
            lines = [(GREEN, b["apology_specific"].format(sentence=check.sentence))]
        else:
            lines = [(RED, b["apology_vague"].format(sentence=check.sentence))]
        if check.blame:
            lines.append((RED, b["blame"].format(phrases=_sep(self.lang).join(check.blame))))
        return "".join(f"<p style='color:{colour}'>{escape(line)}</p>" for colour, line in lines)


# --- response-time simulator --------------------------------------------------------------------------


class ResponseTimeSimulator(Interactive):
    """Hours to the first reply → the satisfaction [001] *claims* is left (−15 % per 12 h beyond 24 h ⚑,
    :func:`kit.recovery.claimed_satisfaction`) beside the post-recovery CSAT of the sample tickets by reply
    band (:func:`kit.recovery.delay_cost`), both relative to replies within 24 h."""

    def __init__(self, tickets: pd.DataFrame, hours: float = 42, lang: str | None = None):
        lang = lang or get_lang()
        self.ui = _ui(lang)
        self.title = self.ui["simulator"]["title"]
        self.table = recovery.delay_cost(tickets)
        super().__init__({
            "hours": _slider(widgets.FloatSlider, self.ui["simulator"]["hours"], value=hours, min=0, max=96, step=1),
        }, lang=lang)

    def compute(self, hours):
        band = str(recovery.response_band([hours]).iloc[0])
        row = self.table.set_index(self.table["band"].astype(str)).loc[band]
        return {"hours": hours, "claimed": float(recovery.claimed_satisfaction(hours)), "band": band,
                "observed": float(row["observed_rel"]), "n": int(row["n"]), "small": row["flag"] == "small"}

    def draw(self, result):
        s, table = self.ui["simulator"], self.table
        fig, (claim, data) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
        grid = np.linspace(0, 96, 193)
        claim.plot(grid, 100 * recovery.claimed_satisfaction(grid), color=GREY, linestyle="--")
        claim.axvline(24, color=GREEN, linewidth=1)
        claim.text(24.5, 8, s["golden"], color=GREEN, fontsize=9)
        claim.scatter([result["hours"]], [100 * result["claimed"]], color=RED, zorder=3)
        claim.annotate(s["now"].format(hours=result["hours"], claimed=result["claimed"]),
                       (result["hours"], 100 * result["claimed"]), textcoords="offset points", xytext=(6, 6))
        claim.set(xlim=(0, 96), ylim=(0, 110), xlabel=s["x_hours"], ylabel=s["y_share"])
        claim.set_title(s["claim_title"], fontsize=9, wrap=True)

        x = np.arange(len(table))
        observed = 100 * table["observed_rel"].to_numpy(dtype=float)
        low, high = (100 * table[c].to_numpy(dtype=float) for c in ("observed_rel_low", "observed_rel_high"))
        colours = [BLUE if band == result["band"] else "#9fb8cf" for band in table["band"].astype(str)]
        data.bar(x, np.nan_to_num(observed), color=colours, label=s["observed"])
        data.errorbar(x, observed, yerr=[observed - low, high - observed], fmt="none", color="black", capsize=3)
        data.scatter(x, 100 * table["claimed_rel"], marker="D", color=GREY, zorder=3, label=s["claimed"])
        for i in np.flatnonzero(table["flag"].eq("small").to_numpy()):
            data.text(i, 5, s["small"], ha="center", rotation=90, color=GREY)
        data.set_xticks(x, table["band"].astype(str))
        data.set(ylim=(0, 110), xlabel=s["x_band"], ylabel=s["y_share"])
        data.set_title(s["observed_title"], fontsize=9)
        data.legend(loc="lower left", fontsize=8)
        key = "summary_small" if result["small"] else "summary"
        summary = s[key].format(hours=result["hours"], claimed=result["claimed"], band=result["band"],
                                observed=result["observed"], n=result["n"])
        return f"<p>{escape(summary)}</p>{_figure_html(fig)}"


# --- failure-type classifier --------------------------------------------------------------------------


class FailureClassifier(Interactive):
    """An incident, picked from the cards or typed → its failure type [000] by keyword rules
    (:func:`kit.recovery.classify_failure`), with the keywords that decided it and the four definitions."""

    def __init__(self, incident: str = "hotel_room", own: str = "", lang: str | None = None):
        lang = lang or get_lang()
        self.ui = _ui(lang)
        c = self.ui["classifier"]
        self.title = c["title"]
        super().__init__({
            "incident": widgets.Dropdown(options=[(v, k) for k, v in c["incidents"].items()], value=incident,
                                         description=c["incident"], style=STYLE, layout=widgets.Layout(width="100%")),
            "own": widgets.Textarea(value=own, description=c["own"], style=STYLE, continuous_update=False,
                                    layout=widgets.Layout(width="100%", height="4em")),
        }, lang=lang)

    def compute(self, incident, own):
        chosen = own.strip() or self.ui["classifier"]["incidents"][incident]
        return {"text": chosen, "verdict": recovery.classify_failure(chosen)}

    def draw(self, result):
        c, verdict = self.ui["classifier"], result["verdict"]
        parts = [f"<blockquote style='border-left:3px solid {GREY};padding-left:8px'>{escape(result['text'])}</blockquote>"]
        if verdict.type is None:
            parts.append(f"<p style='color:{AMBER}'>{escape(c['none'])}</p>")
        else:
            kind = c["types"][verdict.type]
            parts += [f"<p style='font-size:1.1em;color:{BLUE}'><b>{escape(c['verdict'].format(name=kind['name']))}</b></p>",
                      f"<p>{escape(c['definition'].format(definition=kind['definition']))}</p>",
                      f"<p>{escape(c['reason'].format(words=_sep(self.lang).join(verdict.matched)))}</p>"]
        rows = [[escape(c["types"][f]["name"]), str(verdict.scores[f]), escape(c["types"][f]["definition"])]
                for f in recovery.FAILURE_TYPES]
        parts.append(html_table([c["type_header"], c["hits"], c["meaning"]], rows))
        return "".join(parts)


# --- root-cause Pareto ----------------------------------------------------------------------------------


class ParetoChart(Interactive):
    """Complaints counted by root cause (or category, or failure type) → a Pareto chart and the vital few
    that reach the cumulative line (:func:`kit.recovery.pareto`, 80 % by default)."""

    def __init__(self, tickets: pd.DataFrame, by: str = "root_cause", threshold: int = 80, lang: str | None = None):
        lang = lang or get_lang()
        self.ui = _ui(lang)
        p = self.ui["pareto"]
        self.title, self.tickets = p["title"], tickets
        super().__init__({
            "by": widgets.Dropdown(options=[(v, k) for k, v in p["options"].items()], value=by,
                                   description=p["by"], style=STYLE, layout=WIDE),
            "threshold": _slider(widgets.IntSlider, p["threshold"], value=threshold, min=50, max=95, step=5),
        }, lang=lang)

    def compute(self, by, threshold):
        table = recovery.pareto(self.tickets[by], threshold / 100)
        vital = table[table["vital"]]
        return {"by": by, "threshold": threshold / 100, "table": table, "vital": tuple(vital["cause"]),
                "covered": float(vital["cumulative"].iloc[-1]) if len(vital) else 0.0}

    def draw(self, result):
        p, table, lang = self.ui["pareto"], result["table"], self.lang
        names = [value_label(result["by"], cause, lang) for cause in table["cause"]]
        fig, ax = plt.subplots(figsize=(9, 3.8), layout="constrained")
        x = np.arange(len(table))
        ax.bar(x, table["n"], color=[BLUE if v else "#c7d3df" for v in table["vital"]])
        ax.set_xticks(x, names, rotation=30, ha="right")
        ax.set_ylabel(p["count"])
        line = ax.twinx()
        line.plot(x, 100 * table["cumulative"], color=RED, marker="o")
        line.axhline(100 * result["threshold"], color=GREY, linestyle="--")
        line.set(ylim=(0, 105), ylabel=p["cumulative"])
        line.grid(False)
        verdict = p["verdict"].format(k=len(result["vital"]), share=result["covered"], threshold=result["threshold"],
                                      causes=_sep(lang).join(value_label(result["by"], v, lang) for v in result["vital"]))
        return f"<p>{escape(verdict)}</p>{_figure_html(fig)}"


# --- recovery-paradox explorer --------------------------------------------------------------------------


class ParadoxExplorer(Interactive):
    """A definition of "recovered well" (first reply ≤ N h, resolved ≤ M h, post-recovery CSAT ≥ k) →
    promoter share, NPS and churn of customers without a complaint, recovered well and recovered badly,
    with intervals (:func:`kit.recovery.recovery_paradox`)."""

    min_n = 30

    def __init__(self, tickets: pd.DataFrame, survey: pd.DataFrame, reply_within_h: int = 24,
                 resolve_within_h: int = 72, min_csat: int = 1, lang: str | None = None):
        lang = lang or get_lang()
        self.ui = _ui(lang)
        p = self.ui["paradox"]
        self.title, self.tickets, self.survey = p["title"], tickets, survey
        super().__init__({
            "reply_within_h": _slider(widgets.IntSlider, p["reply"], value=reply_within_h, min=1, max=72),
            "resolve_within_h": _slider(widgets.IntSlider, p["resolve"], value=resolve_within_h, min=4, max=168, step=4),
            "min_csat": _slider(widgets.IntSlider, p["csat"], value=min_csat, min=1, max=5),
        }, lang=lang)

    def compute(self, reply_within_h, resolve_within_h, min_csat):
        table = recovery.recovery_paradox(self.tickets, self.survey, reply_within_h, resolve_within_h, min_csat,
                                          min_n=self.min_n).set_index("group")
        none, well = table.loc["none"], table.loc["well"] if "well" in table.index else None
        if well is None or well["flag"] == "small":
            verdict = "too_small"
        elif well["promoters_low"] > none["promoters_high"]:
            verdict = "shows"
        elif well["promoters_high"] < none["promoters_low"]:
            verdict = "below"
        else:
            verdict = "overlap"
        return {"table": table, "verdict": verdict, "circular": min_csat > 1,
                "well": None if well is None else float(well["promoters"]), "none": float(none["promoters"])}

    def draw(self, result):
        p, table = self.ui["paradox"], result["table"]
        fig, ax = plt.subplots(figsize=(7.5, 3.2), layout="constrained")
        groups = list(table.index)
        share = 100 * table["promoters"].to_numpy(dtype=float)
        low, high = (100 * table[c].to_numpy(dtype=float) for c in ("promoters_low", "promoters_high"))
        colours = {"none": GREY, "well": GREEN, "badly": RED}
        ax.bar(range(len(groups)), np.nan_to_num(share), color=[colours[g] for g in groups])
        ax.errorbar(range(len(groups)), share, yerr=[share - low, high - share], fmt="none", color="black", capsize=4)
        ax.axhline(share[groups.index("none")], color=GREY, linestyle=":", linewidth=1)
        for i, group in enumerate(groups):
            row = table.loc[group]
            label = (p["label_small"].format(n=int(row["n"])) if row["flag"] == "small"
                     else p["label"].format(promoters=row["promoters"], value=row["value"], n=int(row["n"])))
            ax.text(i, max(np.nan_to_num(high[i]), 0) + 2, label, ha="center", va="bottom", fontsize=8)
        ax.set_xticks(range(len(groups)), [p["groups"][g] for g in groups])
        ax.set(ylim=(0, 100), ylabel=p["promoters"])
        rows = [[escape(p["groups"][g]), str(int(table.loc[g, "n"])),
                 _interval(table.loc[g, "promoters"], table.loc[g, "promoters_low"], table.loc[g, "promoters_high"]),
                 _interval(table.loc[g, "value"], table.loc[g, "ci_low"], table.loc[g, "ci_high"], "{:+.0f}"),
                 _interval(table.loc[g, "churn"], table.loc[g, "churn_low"], table.loc[g, "churn_high"])]
                for g in groups]
        verdict = p[result["verdict"]].format(well=result["well"] or 0, none=result["none"], min_n=self.min_n)
        colour = GREEN if result["verdict"] == "shows" else AMBER
        parts = [f"<p style='color:{colour}'><b>{escape(verdict)}</b></p>", _figure_html(fig),
                 html_table([p["group"], p["n"], p["share"], p["nps"], p["churn"]], rows)]
        if result["circular"]:
            parts.append(f"<p style='color:{AMBER}'>{escape(p['circular'])}</p>")
        return "".join(parts)


# --- 5 Whys ---------------------------------------------------------------------------------------------


class FiveWhysTree(Interactive):
    """A problem and up to five answers to "why?" → a 5-Whys tree [000] with each answer judged
    (:func:`kit.recovery.why_chain`): blaming a person is not a root cause; a missing rule or standard is.
    The default is [000]'s report-delay chain, which ends at a missing quality standard."""

    depth = 5

    def __init__(self, problem: str | None = None, answers=None, lang: str | None = None):
        lang = lang or get_lang()
        self.ui = _ui(lang)
        w = self.ui["whys"]
        self.title = w["title"]
        answers = list(w["defaults"] if answers is None else answers) + [""] * self.depth
        controls = {"problem": widgets.Text(value=w["default_problem"] if problem is None else problem,
                                            description=w["problem"], style=STYLE, layout=WIDE, continuous_update=False)}
        for i in range(self.depth):
            controls[f"why{i + 1}"] = widgets.Combobox(
                value=answers[i], options=list(w["options"]), ensure_option=False, description=w["why"].format(i=i + 1),
                style=STYLE, layout=WIDE, continuous_update=False)
        super().__init__(controls, lang=lang)

    def compute(self, problem, **whys):
        return recovery.why_chain(problem, [whys[f"why{i + 1}"] for i in range(self.depth)])

    def draw(self, result):
        w = self.ui["whys"]
        parts = [f"<div style='border:2px solid {BLUE};padding:4px 8px;display:inline-block'>"
                 f"<b>{escape(w['problem'])}:</b> {escape(result.problem)}</div>"]
        for i, (cause, kind) in enumerate(zip(result.causes, result.kinds, strict=True)):
            root = i == len(result.causes) - 1
            border = f"2px solid {KIND_COLOURS[kind]}" if root else f"1px solid {GREY}"
            badge = (f"<span style='background:{KIND_COLOURS[kind]};color:white;padding:0 5px;border-radius:3px;"
                     f"font-size:0.85em'>{escape(w['kinds'][kind])}</span>")
            label = f"<b>{escape(w['root'])}:</b> " if root else ""
            parts.append(f"<div style='margin-left:{1.6 * (i + 1)}em;margin-top:3px'>"
                         f"<span style='color:{GREY}'>└─ {escape(w['ask'])}</span> "
                         f"<span style='border:{border};padding:1px 6px'>{label}{escape(cause)}</span> {badge}</div>")
        if not result.causes:
            notes = [(AMBER, w["empty"])]
        else:
            notes = [(KIND_COLOURS[result.root_kind], w[f"verdict_{result.root_kind}"])]
            if len(result.causes) < self.depth:
                notes.append((AMBER, w["verdict_short"].format(k=len(result.causes))))
        parts += [f"<p style='color:{colour}'>{escape(note)}</p>" for colour, note in notes]
        return "".join(parts)


# --- tables for the lesson text -------------------------------------------------------------------------


def sla_table(table: pd.DataFrame, lang: str | None = None):
    """A :func:`kit.recovery.sla_compliance` frame for reading: rule, source, tickets, share met with its
    interval, tickets not yet due and the mean hours on the clock; cells HTML-escaped."""
    lang = lang or get_lang()
    s = _ui(lang)["sla"]
    view = pd.DataFrame({
        s["rule"]: [s["rules"].get(rule, rule) for rule in table.index],
        s["source"]: ["".join(s["tag"].format(source=src.strip()) for src in sources.split(",")) for sources in table["sources"]],
        s["n"]: table["n"].to_numpy(),
        s["met"]: table["met"].to_numpy(),
        s["share"]: [_interval(v, lo, hi, "{:.1%}") for v, lo, hi in zip(table["share"], table["ci_low"],
                                                                          table["ci_high"], strict=True)],
        s["pending"]: table["pending"].to_numpy(),
        s["mean"]: table["mean_h"].round(1).to_numpy(),
    })
    return (view.style.hide(axis="index").format(escape="html", precision=1)
            .set_properties(**{"text-align": "left"})
            .set_table_styles([{"selector": "th", "props": [("text-align", "left")]}]))


def breach_table(tickets: pd.DataFrame, rule: str = "reply_24h", k: int = 5, lang: str | None = None):
    """The ``k`` slowest tickets that breach deadline ``rule`` (:func:`kit.recovery.sla_breaches`) for reading:
    id, channel, category, severity, the two timestamps and the hours on the clock; cells HTML-escaped."""
    lang = lang or get_lang()
    late = recovery.sla_breaches(tickets, rule).head(k)
    end = recovery.deadline_rules([rule])[rule]["end"]
    view = late[["ticket_id", "channel", "category", "severity", "received_at", end]].assign(
        **{_ui(lang)["sla"]["hours"]: late["hours"].map("{:.1f}".format)})
    return tables.labelled(view, "tickets", lang)
