"""Interactions of lesson 5, service standards and continuous improvement (服务标准与持续改进).

Each one lets the trainee change the input of a check they have just read about and shows what follows, computed
by the tested logic of :mod:`kit.process` and :mod:`kit.improvement`:

- :class:`BlueprintChecker`: an editable service blueprint → the steps without a lane, an owner or a standard
  (:func:`kit.process.check_blueprint`, [004]), drawn as three swimlanes.
- :class:`QcValidator`: reviewers, the project team and the scores → accepted or rejected, with the overall
  score 0.7 × outside reviewers + 0.3 × client worked out (:func:`kit.process.qc_review`, [000]).
- :class:`WasteClassifier`: a situation, picked or typed → which of the eight wastes it shows and the cue words
  behind it (:func:`kit.process.classify_waste`, [000]).
- :class:`CriticalPathCalculator`: a task table → total duration, critical path and slack, as a Gantt chart
  (:func:`kit.process.critical_path`, [004]).
- :class:`LoopFunnel`: the complaint log → how far the tickets got round the closed loop, with intervals, and
  [004]'s 24 h / 48 h feedback deadlines (:func:`kit.improvement.loop_funnel`, :func:`loop_deadlines`).
- :class:`PdcaLog`: a KPI before and after a pilot → the Check of PDCA (difference, interval, p, verdict) and
  what to do in Act (:func:`kit.improvement.pdca_check`).

Labels live in ``course/standards/ui.<lang>.yml``; lane, waste and loop-step names and the checks' verdicts come
from the domain modules' locale files. Every piece of trainee text is escaped (and kept out of mathtext in
figures).
"""

from __future__ import annotations

import functools
import math
import re

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from kit import improvement, plots, process, text
from kit.errors import KitError
from kit.i18n import get_lang, t
from kit.stats import t_crit, wilson, z_crit
from kit.widgets import (
    AMBER,
    BLUE,
    GREEN,
    GREY,
    LIGHT,
    RED,
    Interactive,
    _close,
    _shown_value,
    escape,
    html_table,
    to_html,
)
from kit.widgets import coloured as _p
from kit.widgets import figure_html as _figure_html
from kit.widgets import plain_label as _plain
from kit.widgets import short_number as _number

STYLE = {"description_width": "initial"}
WIDE = widgets.Layout(width="40em")
FULL = widgets.Layout(width="100%")
SPLIT = re.compile(r"[,，、;；\n]+")
"""Separators of names and scores typed in one box: commas (also full-width), 、, semicolons, line breaks."""
CONFIDENCE = 0.95
LANE_ORDER = ("client", "provision", "feedback")
"""Top to bottom in the swimlane figure: the customer's line of sight first."""
LOOP_MAP = {
    "closed_000": {"collect": "collected", "analyse": "classified", "prioritise": None, "plan": "actioned",
                   "verify": "verified"},
    "closed_002": {"record": "collected", "classify": "classified", "assign": None, "resolve": "actioned",
                   "verify": "verified"},
    "feedback_004": {"collect": "collected", "classify": "classified", "analyse": "actioned", "reply": "actioned"},
}
"""Which step of the ticket log (:data:`kit.improvement.FUNNEL_STEPS`) records each step of a closed loop
(:data:`kit.improvement.LOOPS`); None where the log has no field for it. PDCA is left out: it is the cycle of an
improvement project (see :class:`PdcaLog`), not of a ticket."""


def _ui(lang: str) -> text.Text:
    return text.load("standards/ui", lang)


@functools.cache
def _theme() -> None:
    """The kit theme with a CJK font, applied once before the first figure."""
    plots.set_theme()


def _sep(lang: str) -> str:
    return _ui(lang)["common"]["sep"]






def _names(value: str) -> list[str]:
    """Names typed in one box, split at commas, 、, semicolons or line breaks; blanks dropped."""
    return [part.strip() for part in SPLIT.split(value or "") if part.strip()]




def _interval(lang: str, value: float, low: float, high: float, fmt: str = "{:.0%}") -> str:
    if value is None or pd.isna(value):
        return _ui(lang)["common"]["blank"]
    return _ui(lang)["common"]["interval"].format(value=fmt.format(value), low=fmt.format(low), high=fmt.format(high))




class _Table(Interactive):
    """An interaction whose main input is a small table of controls, ``<column>_<row>``; it lays them out as a
    grid and shows them as a table in the static snapshot."""

    columns: tuple[str, ...] = ()
    significant: tuple[str, ...] = ()
    """Columns that make a row count as filled in (a default duration alone does not)."""
    widths: dict[str, str] = {}

    def __init__(self, controls: dict, n_rows: int, headers: dict, intro: str, lang: str):
        self.n_rows, self.headers, self.intro = n_rows, headers, intro
        super().__init__(controls, lang=lang)

    def cell(self, column: str, row: int):
        return self.controls[f"{column}_{row}"]

    def rows(self, values: dict) -> list[tuple[int, dict]]:
        """(1-based row, {column: value}) of the rows that are not wholly blank."""
        out = []
        for i in range(self.n_rows):
            row = {c: values[f"{c}_{i}"] for c in self.columns}
            if any(not _blank_cell(v) for c, v in row.items() if c in self.significant):
                out.append((i + 1, row))
        return out

    def widget(self):
        header = widgets.HBox([widgets.HTML(f"<b>{escape(self.headers[c])}</b>", layout=widgets.Layout(width=self.widths[c]))
                               for c in self.columns])
        grid = [widgets.HBox([self.cell(c, i) for c in self.columns]) for i in range(self.n_rows)]
        others = [c for name, c in self.controls.items() if name.rsplit("_", 1)[0] not in self.columns]
        return widgets.VBox([widgets.HTML(f"<p>{escape(self.intro)}</p>"), header, *grid, *others, self.output])

    def static_html(self) -> str:
        filled = [i - 1 for i, _ in self.rows(self.values)]
        inputs = html_table([self.headers[c] for c in self.columns],
                            [[escape(_shown_value(self.cell(c, i))) for c in self.columns] for i in filled])
        shown = self.draw(self.result)
        body = to_html(shown)
        _close(shown)
        return (f'<div class="kit-interactive"><h4>{escape(self.title)}</h4><p>{escape(self.intro)}</p>'
                f"{inputs}{body}</div>")


def _blank_cell(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- service blueprint ------------------------------------------------------------------------------------


class BlueprintChecker(_Table):
    """An editable service blueprint (step, lane, owner, standard) → what :func:`kit.process.check_blueprint`
    finds per step, in the reader's language, and the blueprint drawn as three swimlanes with the gaps marked.
    The default is a home broadband installation with two gaps: a step without a standard, one without an owner.
    ``steps``: rows ``(step, lane code, owner, standard)`` instead of the example; ``n_rows`` table rows."""

    columns = ("step", "lane", "owner", "standard")
    significant = columns
    widths = {"step": "13em", "lane": "10em", "owner": "10em", "standard": "20em"}

    def __init__(self, steps=None, n_rows: int = 6, lang: str | None = None):
        lang = lang or get_lang()
        self.ui = _ui(lang)
        b = self.ui["blueprint"]
        self.title = b["title"]
        rows = [list(r) for r in (b["example"] if steps is None else steps)]
        n_rows = max(n_rows, len(rows))
        rows += [["", "", "", ""]] * (n_rows - len(rows))
        lanes = [(b["no_lane"], ""), *((process.lane_name(code, lang), code) for code in LANE_ORDER)]
        controls = {}
        for i, (step, lane, owner, standard) in enumerate(rows):
            for column, value in (("step", step), ("owner", owner), ("standard", standard)):
                controls[f"{column}_{i}"] = widgets.Text(
                    value=str(value or ""), placeholder=b["placeholders"][column], continuous_update=False,
                    layout=widgets.Layout(width=self.widths[column]))
            controls[f"lane_{i}"] = widgets.Dropdown(options=lanes, value=process.lane_code(lane) or "",
                                                     layout=widgets.Layout(width=self.widths["lane"]))
        controls = {f"{c}_{i}": controls[f"{c}_{i}"] for i in range(n_rows) for c in self.columns}
        super().__init__(controls, n_rows, b["columns"], b["intro"], lang)

    def compute(self, **cells):
        rows = [(i, [row["step"], row["lane"], row["owner"], row["standard"]]) for i, row in self.rows(cells)]
        check = process.check_blueprint([r for _, r in rows]) if rows else None
        return {"rows": [r for _, r in rows], "table_rows": [i for i, _ in rows], "check": check}

    def draw(self, result):
        b, lang, check = self.ui["blueprint"], self.lang, result["check"]
        if check is None:
            return _p(AMBER, b["empty"])
        parts = [_p(GREEN, b["ok"].format(n=check.n_steps), bold=True) if check.ok
                 else _p(RED, b["summary"].format(n=check.n_steps, k=check.n_problems), bold=True)]
        by_row: dict[int, list[str]] = {}
        whole = []
        for problem in check.problems:
            if problem.row is None:
                whole.append(problem.message(lang))
            else:
                by_row.setdefault(problem.row, []).append(problem.message(lang))
        rows = []
        for _, row in check.table.iterrows():
            found = by_row.get(int(row["row"]), [])
            lane = process.lane_name(row["lane"], lang) if isinstance(row["lane"], str) else b["no_lane"]
            cell = ("<br>".join(f"<span style='color:{RED}'>✗ {escape(m)}</span>" for m in found) if found
                    else f"<span style='color:{GREEN}'>{escape(b['no_problem'])}</span>")
            rows.append([str(row["row"]), *(escape(self.ui["common"]["blank"] if pd.isna(v) else v)
                                            for v in (row["step"], lane, row["owner"], row["standard"])), cell])
        rows += [["", escape(b["whole"]), "", "", "", f"<span style='color:{RED}'>✗ {escape(m)}</span>"] for m in whole]
        parts.append(html_table([b["number"], *(b["columns"][c] for c in self.columns), b["problems"]], rows))
        parts.append(_figure_html(self._figure(check)))
        return "".join(parts)

    def _figure(self, check):
        _theme()
        b, lang, table = self.ui["blueprint"], self.lang, check.table
        bands = list(LANE_ORDER) + ([None] if table["lane"].isna().any() else [])
        y_of = {lane: len(bands) - 1 - k for k, lane in enumerate(bands)}
        n = len(table)
        fig, ax = plt.subplots(figsize=(max(6.5, 1.8 * n + 1.5), 1.3 * len(bands) + 1.2), layout="constrained")
        for y in y_of.values():
            ax.axhspan(y - 0.5, y + 0.5, color="#f2f5f8" if y % 2 else "#e6ecf2", zorder=0)
        positions = []
        for k, (_, row) in enumerate(table.iterrows()):
            y = y_of[row["lane"] if isinstance(row["lane"], str) else None]
            positions.append((k, y))
            codes = set(row["problems"])
            lines = [_plain(self.ui["common"]["blank"] if pd.isna(row["step"]) else row["step"], 22)]
            lines.append(b["missing_owner"] if "missing_owner" in codes
                         else b["owner_line"].format(owner=_plain(row["owner"], 18, 1)))
            lines.append(b["missing_standard"] if "missing_standard" in codes
                         else b["standard_line"].format(standard=_plain(row["standard"], 22, 2)))
            gap = bool(codes & {"missing_owner", "missing_standard", "missing_lane", "unknown_lane", "missing_step"})
            ax.text(k, y, "\n".join(lines), ha="center", va="center", fontsize=8.5, zorder=3,
                    color=RED if gap else "black",
                    bbox={"boxstyle": "round,pad=0.4", "facecolor": "#fbe4e7" if gap else "white",
                          "edgecolor": RED if gap else BLUE, "linewidth": 1.8 if gap else 1.0,
                          "linestyle": "--" if gap else "-"})
        for (x0, y0), (x1, y1) in zip(positions, positions[1:], strict=False):
            ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=2,
                        arrowprops={"arrowstyle": "->", "color": GREY, "shrinkA": 28, "shrinkB": 28})
        ax.set_yticks(list(y_of.values()), [process.lane_name(lane, lang) if lane else b["no_lane_band"] for lane in y_of])
        ax.set_xticks(range(n), [str(i + 1) for i in range(n)])
        ax.set(xlim=(-0.6, n - 0.4), ylim=(-0.5, len(bands) - 0.5), xlabel=b["x_label"], ylabel=b["y_label"])
        ax.set_title(b["chart_title"], fontsize=10)
        ax.grid(False)
        return fig


# --- deliverable QC ---------------------------------------------------------------------------------------


class QcValidator(Interactive):
    """Reviewers, the project team, their scores and the client's → :func:`kit.process.qc_review`: accepted or
    rejected and why, with the overall score 0.7 × outside reviewers' mean + 0.3 × client score [000] worked out
    with the numbers. Scores on 0–100; names are typed separated by commas or 、."""

    def __init__(self, reviewers: str | None = None, team: str | None = None, scores: str | None = None,
                 client_score: int = 78, pass_mark: int = 80, lang: str | None = None):
        lang = lang or get_lang()
        self.ui = _ui(lang)
        q = self.ui["qc"]
        self.title = q["title"]

        def box(name, value):
            return widgets.Text(value=q["defaults"][name] if value is None else value, description=q[name],
                                style=STYLE, layout=WIDE, continuous_update=False)

        super().__init__({
            "reviewers": box("reviewers", reviewers), "team": box("team", team), "scores": box("scores", scores),
            "client_score": widgets.IntSlider(value=client_score, min=0, max=100, description=q["client"], style=STYLE,
                                              layout=WIDE, continuous_update=False),
            "pass_mark": widgets.IntSlider(value=pass_mark, min=0, max=100, description=q["pass_mark"], style=STYLE,
                                           layout=WIDE, continuous_update=False),
        }, lang=lang)

    def compute(self, reviewers, team, scores, client_score, pass_mark):
        q = self.ui["qc"]
        names, members, typed = _names(reviewers), _names(team), _names(scores)
        values = []
        for value in typed:
            try:
                number = float(value)
            except ValueError:
                return {"error": q["bad_score"].format(value=value)}
            if not 0 <= number <= 100 or math.isnan(number):
                return {"error": q["out_of_range"].format(value=value)}
            values.append(number)
        if len(values) != len(names):
            return {"error": q["count_mismatch"].format(n_reviewers=len(names), n_scores=len(values))}
        try:
            review = process.qc_review(names, members, values, client_score, pass_mark=pass_mark)
        except KitError as err:
            return {"error": err.render(self.lang)}
        return {"reviewers": names, "team": members, "scores": values, "pass_mark": pass_mark, "review": review}

    def draw(self, result):
        q, lang = self.ui["qc"], self.lang
        if "error" in result:
            return _p(AMBER, self.ui["common"]["error"].format(message=result["error"]))
        review = result["review"]
        parts = [_p(GREEN if review.accepted else RED, review.message(lang), bold=True)]
        if math.isnan(review.score):
            parts.append(f"<p>{escape(q['no_formula'])}</p>")
        else:
            w = review.client_weight
            formula = q["formula"].format(
                w_reviewers=f"{1 - w:.1f}", w_client=f"{w:.1f}", mean=f"{review.reviewer_mean:.1f}",
                client=f"{review.client_score:g}", part_reviewers=f"{(1 - w) * review.reviewer_mean:.1f}",
                part_client=f"{w * review.client_score:.1f}", score=f"{review.score:.1f}")
            parts.append(f"<p style='font-family:monospace;background:#f4f6f8;padding:4px 8px'>{escape(formula)}</p>")
            parts.append(f"<p>{escape(q['pass_line'].format(pass_mark=result['pass_mark']))}</p>")
        counted = set(review.independent)
        rows = [[escape(name), f"{score:g}",
                 f"<span style='color:{GREEN if name in counted else GREY}'>"
                 f"{escape(q['counted_yes'] if name in counted else q['counted_no'])}</span>"]
                for name, score in zip(result["reviewers"], result["scores"], strict=True)]
        parts.append(html_table([q["reviewer"], q["score"], q["counted"]], rows))
        parts.append(f"<p style='color:{GREY}'>{escape(q['rule'])}</p>")
        return "".join(parts)


# --- the eight wastes -------------------------------------------------------------------------------------


def _marked(situation: str, cues) -> str:
    """The situation, escaped, with each matched cue highlighted (case ignored; the longest cue first)."""
    spans: list[tuple[int, int]] = []
    for cue in sorted(set(cues), key=len, reverse=True):
        for match in re.finditer(re.escape(cue), situation, re.IGNORECASE):
            if all(match.end() <= s or match.start() >= e for s, e in spans):
                spans.append(match.span())
    out, cursor = [], 0
    for start, end in sorted(spans):
        out += [escape(situation[cursor:start]), f"<mark style='background:#fbeccb'>{escape(situation[start:end])}</mark>"]
        cursor = end
    out.append(escape(situation[cursor:]))
    return "".join(out)


class WasteClassifier(Interactive):
    """A situation, picked from the examples or typed → which of [000]'s eight wastes it shows
    (:func:`kit.process.classify_waste`, cue words of both languages), the cues that decided it, what the waste
    looks like and a remedy, and the hits of all eight."""

    def __init__(self, example: str = "refund", own: str = "", lang: str | None = None):
        lang = lang or get_lang()
        self.ui = _ui(lang)
        w = self.ui["waste"]
        self.title = w["title"]
        super().__init__({
            "example": widgets.Dropdown(options=[(v, k) for k, v in w["examples"].items()], value=example,
                                        description=w["example"], style=STYLE, layout=FULL),
            "own": widgets.Textarea(value=own, description=w["own"], style=STYLE, continuous_update=False,
                                    layout=widgets.Layout(width="100%", height="4em")),
        }, lang=lang)

    def compute(self, example, own):
        situation = own.strip() or self.ui["waste"]["examples"][example]
        return {"text": situation, "verdict": process.classify_waste(situation)}

    def draw(self, result):
        w, lang, verdict = self.ui["waste"], self.lang, result["verdict"]
        parts = [f"<blockquote style='border-left:3px solid {GREY};padding-left:8px'>"
                 f"{_marked(result['text'], verdict.matched)}</blockquote>"]
        if verdict.waste is None:
            parts.append(_p(AMBER, w["none"]))
        else:
            parts += [f"<p style='font-size:1.1em;color:{BLUE}'><b>"
                      f"{escape(w['verdict'].format(name=process.waste_name(verdict.waste, lang)))}</b></p>",
                      f"<p>{escape(w['cues'].format(cues=_sep(lang).join(dict.fromkeys(verdict.matched))))}</p>",
                      f"<p>{escape(w['explain'][verdict.waste])}</p>"]
        rows = []
        for waste in process.WASTES:
            name = escape(process.waste_name(waste, lang))
            rows.append([f"<b>{name}</b>" if waste == verdict.waste else name, str(verdict.scores[waste]),
                         escape(w["explain"][waste])])
        parts.append(html_table([w["header"]["waste"], w["header"]["hits"], w["header"]["meaning"]], rows))
        parts.append(f"<p style='color:{GREY}'>{escape(w['caution'])}</p>")
        return "".join(parts)


# --- critical path ----------------------------------------------------------------------------------------


class CriticalPathCalculator(_Table):
    """A task table (task, duration in days, predecessors by name) → :func:`kit.process.critical_path`: the
    total duration, the critical path(s) and every task's slack, drawn as a Gantt chart with the critical tasks
    in red. The default is a store's service-standards project of seven tasks. ``tasks``: rows
    ``(task, duration, predecessors)`` instead of the example; ``n_rows`` table rows."""

    columns = ("task", "duration", "predecessors")
    significant = ("task", "predecessors")
    widths = {"task": "14em", "duration": "8em", "predecessors": "24em"}

    def __init__(self, tasks=None, n_rows: int = 8, lang: str | None = None):
        lang = lang or get_lang()
        self.ui = _ui(lang)
        c = self.ui["cpm"]
        self.title = c["title"]
        rows = [list(r) for r in (c["example"] if tasks is None else tasks)]
        n_rows = max(n_rows, len(rows))
        rows += [["", 0, ""]] * (n_rows - len(rows))
        controls = {}
        for i, (task, duration, predecessors) in enumerate(rows):
            controls[f"task_{i}"] = widgets.Text(value=str(task or ""), placeholder=c["placeholders"]["task"],
                                                 continuous_update=False, layout=widgets.Layout(width=self.widths["task"]))
            controls[f"duration_{i}"] = widgets.BoundedFloatText(value=float(duration or 0), min=0, max=999, step=0.5,
                                                                 layout=widgets.Layout(width=self.widths["duration"]))
            controls[f"predecessors_{i}"] = widgets.Text(
                value=str(predecessors or ""), placeholder=c["placeholders"]["predecessors"], continuous_update=False,
                layout=widgets.Layout(width=self.widths["predecessors"]))
        super().__init__(controls, n_rows, c["columns"], c["intro"], lang)

    def compute(self, **cells):
        c = self.ui["cpm"]
        rows = self.rows(cells)
        unnamed = [i for i, row in rows if _blank_cell(row["task"])]
        if unnamed:
            return {"error": c["unnamed"].format(row=unnamed[0])}
        if not rows:
            return {"empty": True}
        tasks = [(row["task"].strip(), row["duration"], _names(row["predecessors"])) for _, row in rows]
        try:
            plan = process.critical_path(tasks)
        except KitError as err:
            return {"error": err.render(self.lang)}
        return {"tasks": tasks, "plan": plan}

    def draw(self, result):
        c, lang = self.ui["cpm"], self.lang
        if "error" in result:
            return _p(AMBER, self.ui["common"]["error"].format(message=result["error"]))
        if "empty" in result:
            return _p(AMBER, c["empty"])
        plan, sep = result["plan"], " → "
        parts = [f"<p style='font-size:1.1em'><b>{escape(c['total'].format(days=_number(plan.duration)))}</b></p>"]
        if len(plan.paths) == 1:
            parts.append(_p(RED, c["path"].format(path=sep.join(plan.paths[0])), bold=True))
        else:
            items = "".join(f"<li>{escape(sep.join(path))}</li>" for path in plan.paths)
            parts.append(f"{_p(RED, c['paths_tied'].format(k=len(plan.paths)), bold=True)}<ul style='color:{RED}'>{items}</ul>")
        parts.append(f"<p>{escape(c['slack_note'])}</p>")
        parts.append(_figure_html(self._figure(plan)))
        h = c["table"]
        rows = []
        for task, row in plan.table.iterrows():
            style = f"color:{RED};font-weight:bold" if row["critical"] else ""
            rows.append([f"<span style='{style}'>{escape(task)}</span>", _number(row["duration"]),
                         escape(_sep(lang).join(row["predecessors"]) or self.ui["common"]["blank"]),
                         *(_number(row[k]) for k in ("es", "ef", "ls", "lf", "slack")),
                         escape(c["critical_yes"] if row["critical"] else c["critical_no"])])
        parts.append(html_table([h[k] for k in ("task", "duration", "predecessors", "es", "ef", "ls", "lf", "slack",
                                                "critical")], rows))
        return "".join(parts)

    def _figure(self, plan):
        _theme()
        c, table = self.ui["cpm"], plan.table
        n = len(table)
        fig, ax = plt.subplots(figsize=(9, 0.5 * n + 1.8), layout="constrained")
        y = np.arange(n)
        critical = table["critical"].to_numpy(dtype=bool)
        ax.barh(y, table["duration"], left=table["es"], color=np.where(critical, RED, BLUE), height=0.6, zorder=2)
        ax.barh(y, table["slack"], left=table["ef"], color=LIGHT, height=0.6, hatch="//", edgecolor="white", zorder=2)
        for k, (_, row) in enumerate(table.iterrows()):
            if row["duration"] == 0:
                ax.scatter([row["es"]], [k], marker="D", color=RED if row["critical"] else BLUE, zorder=3)
            else:
                ax.text(row["es"] + row["duration"] / 2, k, _number(row["duration"]), ha="center", va="center",
                        color="white", fontsize=8, zorder=3)
        ax.axvline(plan.duration, color=GREY, linestyle="--", linewidth=1)
        ax.set_yticks(y, [_plain(task, 22, 1) for task in table.index])
        ax.invert_yaxis()
        ax.set(xlim=(0, max(plan.duration, 1) * 1.04), xlabel=c["x_label"], ylabel=c["y_label"])
        ax.set_title(c["chart_title"], fontsize=10)
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(color=RED, label=c["legend_critical"]), Patch(color=BLUE, label=c["legend_other"]),
                           Patch(facecolor=LIGHT, hatch="//", edgecolor="white", label=c["legend_slack"])],
                  loc="upper right", fontsize=8)
        return fig


# --- closed-loop funnel -----------------------------------------------------------------------------------


def _month(column: pd.Series) -> pd.Series:
    """Year and month of a time column as ``2025-03`` text (missing where the time is)."""
    times = column if pd.api.types.is_datetime64_any_dtype(column) else pd.to_datetime(column, errors="coerce")
    return times.dt.strftime("%Y-%m")


class LoopFunnel(Interactive):
    """The complaint log → how far the tickets got round the closed loop (:func:`kit.improvement.loop_funnel`:
    collected → classified → actioned → verified, each share with a Wilson interval) drawn as a funnel whose
    steps are named after a chosen loop of :data:`kit.improvement.LOOPS` ([000], [002] or [004]), and [004]'s
    deadlines — analysed ≤ 24 h, replied ≤ 48 h (:func:`kit.improvement.loop_deadlines`, counted as of the
    log's latest time). Filters: channel and month received."""

    def __init__(self, tickets: pd.DataFrame, loop: str = "closed_002", channel: str = "all", month: str = "all",
                 lang: str | None = None):
        lang = lang or get_lang()
        self.ui = _ui(lang)
        f = self.ui["funnel"]
        self.title, self.tickets = f["title"], tickets
        self.loops = improvement.loop_table(lang)
        self.as_of = self._as_of(tickets)
        channels = [(f["all_channels"], "all")]
        if "channel" in tickets.columns:
            present = set(tickets["channel"].dropna().astype(str))
            channels += [(f["channels"].get(code, code), code) for code in [*f["channels"], *sorted(present)]
                         if code in present and code not in {v for _, v in channels}]
        months = [(f["all_months"], "all")]
        if "received_at" in tickets.columns:
            months += [(m, m) for m in sorted(_month(tickets["received_at"]).dropna().unique())]
        super().__init__({
            "loop": widgets.Dropdown(options=[(self.loops.loc[k, "name"], k) for k in LOOP_MAP], value=loop,
                                     description=f["loop"], style=STYLE, layout=WIDE),
            "channel": widgets.Dropdown(options=channels, value=channel, description=f["channel"], style=STYLE,
                                        layout=WIDE),
            "month": widgets.Dropdown(options=months, value=month, description=f["month"], style=STYLE, layout=WIDE),
        }, lang=lang)

    @staticmethod
    def _as_of(tickets: pd.DataFrame):
        """The log's "now": its latest received, analysed or replied time (None without ``received_at``)."""
        if "received_at" not in tickets.columns:
            return None
        stamps = [pd.to_datetime(tickets[c], errors="coerce").max() for c in ("received_at", "solution_at", "resolved_at")
                  if c in tickets.columns]
        stamps = [s for s in stamps if pd.notna(s)]
        return max(stamps) if stamps else None

    def subset(self, channel: str, month: str) -> pd.DataFrame:
        """The tickets of one channel and one month received (``"all"``: no filter)."""
        keep = np.ones(len(self.tickets), dtype=bool)
        if channel != "all":
            keep &= (self.tickets["channel"].astype("string") == channel).fillna(False).to_numpy(dtype=bool)
        if month != "all":
            keep &= (_month(self.tickets["received_at"]) == month).fillna(False).to_numpy(dtype=bool)
        return self.tickets[keep]

    def compute(self, loop, channel, month):
        tickets = self.subset(channel, month)
        funnel = improvement.loop_funnel(tickets, ci=CONFIDENCE, lang=self.lang)
        try:
            deadlines = improvement.loop_deadlines(tickets, as_of=self.as_of, ci=CONFIDENCE, lang=self.lang)
            deadline_error = None
        except KitError as err:
            deadlines, deadline_error = None, err.render(self.lang)
        steps = list(improvement.LOOPS[loop]["steps"])
        names = {step: t(f"improvement.loops.{loop}.steps.{step}", self.lang) for step in steps}
        labels = {s: [names[step] for step in steps if LOOP_MAP[loop][step] == s] for s in improvement.FUNNEL_STEPS}
        return {"n": len(tickets), "loop": loop, "funnel": funnel, "deadlines": deadlines,
                "deadline_error": deadline_error, "labels": labels,
                "unmapped": [names[step] for step in steps if LOOP_MAP[loop][step] is None]}

    def draw(self, result):
        f, lang = self.ui["funnel"], self.lang
        if result["n"] == 0:
            return _p(AMBER, f["empty"])
        funnel = result["funnel"]
        verified = funnel.loc["verified"]
        if bool(funnel["recorded"].all()):
            summary = f["summary"].format(n=result["n"], verified=int(verified["n"]), share=f"{verified['share_all']:.0%}")
        else:
            summary = f["summary_not_recorded"].format(n=result["n"])
        parts = [f"<p><b>{escape(summary)}</b></p>", _figure_html(self._figure(result))]
        sep, blank = " / ", self.ui["common"]["blank"]
        rows = []
        for step, row in funnel.iterrows():
            loop_steps = sep.join(result["labels"][step]) or f["outside"]
            if not row["recorded"]:
                rows.append([escape(row["name"]), escape(loop_steps), escape(row["note"]), blank, blank, blank])
                continue
            skipped = int(row["reached"]) - int(row["n"])
            rows.append([escape(row["name"]), escape(loop_steps), str(int(row["n"])),
                         escape(_interval(lang, row["share_prev"], row["prev_low"], row["prev_high"], "{:.1%}")),
                         escape(_interval(lang, row["share_all"], row["all_low"], row["all_high"], "{:.1%}")),
                         str(skipped) if step != "collected" else blank])
        h = f["header"]
        parts.append(html_table([h["step"], h["loop_steps"], h["n"], h["prev"], h["all"], h["skipped"]], rows))
        if result["unmapped"]:
            parts.append(_p(GREY, f["unmapped"].format(steps=_sep(lang).join(result["unmapped"]))))
        parts.append(f"<h5>{escape(f['deadlines'])}</h5>")
        if result["deadlines"] is None:
            parts.append(_p(AMBER, self.ui["common"]["error"].format(message=result["deadline_error"])))
        else:
            parts.append(self._deadlines_html(result["deadlines"]))
        return "".join(parts)

    def _deadlines_html(self, table: pd.DataFrame) -> str:
        f, lang, blank = self.ui["funnel"], self.lang, self.ui["common"]["blank"]
        rows = []
        for _, row in table.iterrows():
            if not row["recorded"]:
                rows.append([escape(row["name"]), escape(row["note"]), blank, blank, blank])
                continue
            rows.append([escape(row["name"]), f"{int(row['met'])} / {int(row['n'])}",
                         escape(_interval(lang, row["share"], row["ci_low"], row["ci_high"], "{:.1%}")),
                         str(int(row["breached"])), str(int(row["pending"]))])
        h = f["deadline_header"]
        note = f["as_of"].format(as_of=pd.Timestamp(self.as_of).strftime("%Y-%m-%d %H:%M")) if self.as_of is not None else ""
        return (html_table([h["deadline"], h["met"], h["share"], h["breached"], h["pending"]], rows)
                + (_p(GREY, note) if note else ""))

    def _figure(self, result):
        _theme()
        f, funnel = self.ui["funnel"], result["funnel"]
        total = result["n"]
        fig, ax = plt.subplots(figsize=(9, 3.6), layout="constrained")
        steps = list(funnel.index)
        colours = [BLUE, "#4a7fb0", "#6f9cc4", GREEN]
        for k, step in enumerate(steps):
            row = funnel.loc[step]
            if not row["recorded"]:
                ax.barh(k, total, left=-total / 2, color="none", edgecolor=GREY, linestyle="--", height=0.7)
                ax.text(0, k, f["not_recorded"], ha="center", va="center", color=GREY, fontsize=9)
                continue
            n = int(row["n"])
            ax.barh(k, n, left=-n / 2, color=colours[k % len(colours)], height=0.7)
            ax.text(0, k, f["bar"].format(n=n, share=f"{row['share_all']:.0%}"), ha="center", va="center",
                    color="white", fontsize=9, fontweight="bold")
            if step != "collected" and not pd.isna(row["share_prev"]):
                share = _interval(self.lang, row["share_prev"], row["prev_low"], row["prev_high"], "{:.1%}")
                ax.text(total / 2 + total * 0.03, k, f["prev"].format(share=share), ha="left", va="center",
                        fontsize=8, color=GREY)
        labels = []
        for step in steps:
            loop_steps = " / ".join(result["labels"][step]) or f["outside"]
            labels.append(f"{funnel.loc[step, 'name']}\n({loop_steps})" if self.lang == "en"
                          else f"{funnel.loc[step, 'name']}\n（{loop_steps}）")
        ax.set_yticks(range(len(steps)), labels, fontsize=8.5, multialignment="right")
        ax.invert_yaxis()
        ax.set(xlim=(-total * 0.55, total * 1.05), xlabel=f["x_label"], ylabel=f["y_label"])
        ax.set_xticks([])  # a bar's width is its count, written on it
        ax.set_title(f["chart_title"].format(loop=self.loops.loc[result["loop"], "name"]), fontsize=10)
        ax.grid(axis="y", visible=False)
        return fig


# --- PDCA: check and act ----------------------------------------------------------------------------------


def _parse(typed: str, kind: str, side: str, ui) -> tuple[object, str | None]:
    """What one side of the before/after log holds for :func:`kit.improvement.pdca_check`: numbers for
    ``kind="mean"``; ``{"k": …, "n": …}`` from ``k/n``, or 1/0 outcomes, for ``"proportion"``. Returns
    (values, None) or (None, the problem in words)."""
    p, name = ui["pdca"], ui["pdca"]["sides"][side]
    tokens = [token for token in re.split(r"[\s,，、;；]+", typed or "") if token]
    if kind == "proportion" and len(tokens) == 1 and "/" in tokens[0]:
        k, _, n = tokens[0].partition("/")
        try:
            counts = {"k": int(k), "n": int(n)}
        except ValueError:
            return None, p["bad_share"].format(side=name, value=tokens[0])
        if not 0 <= counts["k"] <= counts["n"]:
            return None, p["bad_counts"].format(side=name, value=tokens[0])
        size = counts["n"]
        values: object = counts
    else:
        values = []
        for token in tokens:
            try:
                number = float(token)
            except ValueError:
                number = math.nan
            if kind == "proportion" and number not in (0.0, 1.0):
                return None, p["bad_share"].format(side=name, value=token)
            if math.isnan(number):
                return None, p["bad_value"].format(side=name, value=token)
            values.append(int(number) if kind == "proportion" else number)
        size = len(values)
    if size < improvement.MIN_N:
        return None, p["too_few"].format(side=name, n=size)
    return values, None


def _side_interval(values, kind: str) -> tuple[float, float, float, int]:
    """One side's value, its 95 % interval and n: a t interval of the mean, or a Wilson interval of the share."""
    if kind == "proportion":
        k, n = (values["k"], values["n"]) if isinstance(values, dict) else (int(sum(values)), len(values))
        low, high = wilson(k, n, z_crit(CONFIDENCE))
        return k / n, float(low), float(high), n
    x = np.asarray(values, dtype=float)
    half = float(t_crit(len(x) - 1, CONFIDENCE)) * x.std(ddof=1) / math.sqrt(len(x))
    return float(x.mean()), float(x.mean() - half), float(x.mean() + half), len(x)


class PdcaLog(Interactive):
    """A KPI before and after an improvement → the Check of PDCA (:func:`kit.improvement.pdca_check`): the
    difference with its interval, the test and p, the verdict in the KPI's direction, a before/after plot with
    intervals, and what to do in Act — standardise when it improved, adjust and plan again when it did not.
    Means take one number per case; shares take ``k/n`` or 1/0 outcomes. Three pilots load as examples."""

    def __init__(self, example: str = "first_reply", lang: str | None = None):
        lang = lang or get_lang()
        self.ui = _ui(lang)
        p = self.ui["pdca"]
        self.title = p["title"]
        preset = p["presets"][example]
        self._loading = False
        controls = {
            "example": widgets.Dropdown(options=[(v, k) for k, v in p["examples"].items()], value=example,
                                        description=p["example"], style=STYLE, layout=WIDE),
            "kpi": widgets.Text(value=preset["kpi"], description=p["kpi"], style=STYLE, layout=WIDE,
                                continuous_update=False),
            "kind": widgets.Dropdown(options=[(v, k) for k, v in p["kinds"].items()], value=preset["kind"],
                                     description=p["kind"], style=STYLE, layout=WIDE),
            "direction": widgets.Dropdown(options=[(v, k) for k, v in p["directions"].items()],
                                          value=preset["direction"], description=p["direction"], style=STYLE,
                                          layout=WIDE),
            "before": widgets.Textarea(value=preset["before"], description=p["before"], style=STYLE,
                                       continuous_update=False, layout=widgets.Layout(width="100%", height="3.5em")),
            "after": widgets.Textarea(value=preset["after"], description=p["after"], style=STYLE,
                                      continuous_update=False, layout=widgets.Layout(width="100%", height="3.5em")),
        }
        controls["example"].observe(self._load, names="value")
        super().__init__(controls, lang=lang)

    def _load(self, change) -> None:
        """Fill the other controls with the chosen example, then recompute once."""
        preset = self.ui["pdca"]["presets"][change["new"]]
        self._loading = True
        try:
            for name in ("kpi", "kind", "direction", "before", "after"):
                self.controls[name].value = preset[name]
        finally:
            self._loading = False
        self.refresh()

    def refresh(self, change=None) -> None:
        if not getattr(self, "_loading", False):
            super().refresh(change)

    def widget(self):
        help_text = widgets.HTML(f"<p style='color:{GREY}'>{escape(self.ui['pdca']['help'])}</p>")
        return widgets.VBox([*self.controls.values(), help_text, self.output])

    def compute(self, example, kpi, kind, direction, before, after):
        parsed = {}
        for side, typed in (("before", before), ("after", after)):
            parsed[side], problem = _parse(typed, kind, side, self.ui)
            if problem:
                return {"error": problem}
        try:
            check = improvement.pdca_check(parsed["before"], parsed["after"], kind=kind,
                                           higher_is_better=direction == "higher", ci=CONFIDENCE)
        except KitError as err:
            return {"error": err.render(self.lang)}
        sides = {side: _side_interval(parsed[side], kind) for side in ("before", "after")}
        return {"kpi": kpi.strip(), "kind": kind, "check": check, "sides": sides, "act": check.verdict}

    def draw(self, result):
        p, lang = self.ui["pdca"], self.lang
        if "error" in result:
            return _p(AMBER, self.ui["common"]["error"].format(message=result["error"]))
        check, share = result["check"], result["kind"] == "proportion"
        value = "{:.1%}".format if share else "{:.2f}".format
        if share:
            diff, low, high = (p["points"].format(value=100 * v) for v in (check.diff, *check.ci))
        else:
            diff, low, high = (f"{v:+.2f}" for v in (check.diff, *check.ci))
        colour = {"improved": GREEN, "worse": RED}.get(check.verdict, AMBER)
        test = p["test_proportion" if share else "test_mean"]
        lines = [p["line"].format(kpi=result["kpi"], before=value(check.before), after=value(check.after),
                                  n_before=check.n_before, n_after=check.n_after),
                 p["diff"].format(diff=diff, low=low, high=high),
                 p["constant"] if math.isnan(check.statistic) else
                 test.format(stat=check.statistic, df=check.df,
                             p="< 0.001" if check.p_value < 0.001 else f"= {check.p_value:.3f}")]
        parts = [_p(colour, check.message(lang), bold=True), *(f"<p>{escape(line)}</p>" for line in lines),
                 _figure_html(self._figure(result)),
                 f"<p style='border-left:4px solid {colour};padding-left:8px'><b>{escape(p['act_title'])}</b> "
                 f"{escape(p['act'][check.verdict])}</p>"]
        return "".join(parts)

    def _figure(self, result):
        _theme()
        p, check, share = self.ui["pdca"], result["check"], result["kind"] == "proportion"
        scale = 100 if share else 1
        kpi = _plain(result["kpi"] or p["kpi"], 40, 1)
        fig, (sides, gap) = plt.subplots(1, 2, figsize=(10, 3.6), width_ratios=(1.6, 1), layout="constrained")
        colour = {"improved": GREEN, "worse": RED}.get(check.verdict, AMBER)
        for x, side in enumerate(("before", "after")):
            value, low, high, n = result["sides"][side]
            sides.errorbar([x], [scale * value], yerr=[[scale * max(value - low, 0)], [scale * max(high - value, 0)]],
                           fmt="o", color=GREY if side == "before" else colour, capsize=6, markersize=8, lw=2)
            sides.annotate(f"{scale * value:.1f}\nn = {n}", (x, scale * value), xytext=(10, 0),
                           textcoords="offset points", va="center", fontsize=8)
        sides.plot([0, 1], [scale * check.before, scale * check.after], color=GREY, linestyle=":", linewidth=1)
        sides.set_xticks([0, 1], [p["sides"]["before"], p["sides"]["after"]])
        sides.set(xlim=(-0.5, 1.7), xlabel=p["x_side"], ylabel=(p["y_share"] if share else p["y_mean"]).format(kpi=kpi))
        sides.set_title(p["chart_title"], fontsize=9)
        low, high = check.ci
        gap.errorbar([scale * check.diff], [0], xerr=[[scale * max(check.diff - low, 0)], [scale * max(high - check.diff, 0)]],
                     fmt="D", color=colour, capsize=6, markersize=8, lw=2)
        gap.axvline(0, color="black", linewidth=1)
        gap.set_yticks([])
        gap.set(xlabel=p["y_diff_points"] if share else p["y_diff"])
        gap.set_title(p["diff_title"], fontsize=9)
        return fig
