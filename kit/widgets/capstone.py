"""Interactions of the capstone workshop, team capability and action planning (团队能力与行动计划).

The trainee builds a personal action plan step by step; each tool shows what the tested logic of
:mod:`kit.actionplan` makes of the trainee's input:

- :class:`NinegridFocus`: the nine-grid self-ratings as a 3 × 3 heat grid → the three lowest as focus areas
  (:func:`kit.actionplan.ninegrid_focus`, ties shown, [001]), which the trainee may swap with evidence.
- :class:`SmartGoalChecker`: a goal sentence → the metric, baseline, target and deadline read from it and the
  SMART parts it lacks (:func:`kit.actionplan.parse_smart`, [002]); the sources' examples load from a dropdown.
- :class:`RaciEditor`: tasks × people, R/A/C/I in each cell → the tasks without exactly one A or without an R
  (:func:`kit.actionplan.check_raci`, [002]), marked in the grid.
- :class:`HorizonSorter`: actions and when they are due → the horizons of [000] or [002]
  (:func:`kit.actionplan.place`) on a timeline, beside what the sources put in each horizon.
- :class:`TemplateMeter`: [002]'s seven-field action-plan template → how complete it is
  (:func:`kit.actionplan.completeness`) and how SMART its goal is (:func:`kit.actionplan.smart_quality`).
- :class:`PrintablePlan`: all of it on one A4-friendly page to print and take to the supervisor [001];
  :meth:`PrintablePlan.from_widgets` wires it to the other tools so it follows their changes.

Labels live in ``course/capstone/ui.<lang>.yml``; ability, field, horizon and role names and the checks'
explanations come from the domain's locale files. Every piece of trainee text is escaped (and kept out of
mathtext in figures).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import re
from collections.abc import Mapping

import ipywidgets as widgets
import matplotlib.pyplot as plt

from kit import plots, text
from kit.actionplan import (
    ABILITIES,
    BEYOND,
    HORIZON_CONTENT,
    HORIZONS,
    RACI_ROLES,
    SMART_CHECKED,
    SMART_PARTS,
    TEMPLATE_FIELDS,
    check_raci,
    completeness,
    horizon,
    label,
    ninegrid_focus,
    parse_smart,
    place,
    smart_quality,
)
from kit.actionplan.horizons import _due_days
from kit.actionplan.smart import _today
from kit.actionplan.template import _plan_fields
from kit.errors import KitError
from kit.i18n import get_lang
from kit.ninegrid import DIMENSION_OF, DIMENSIONS, LAYOUT, ability_name, dimension_name
from kit.personal import personal_seed
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
FULL = widgets.Layout(width="100%")
HEAT = {1: "#f4b6b1", 2: "#f9d3b9", 3: "#fcedc0", 4: "#d6ecd5", 5: "#a9dbb6"}
"""Background of a nine-grid cell by rounded rating: red (1) to green (5)."""
K = 3
"""Focus areas per plan: [001] picks three."""
ROLE_OPTIONS = ("", "R", "A", "C", "I", "A/R")
"""What a RACI cell offers: blank, the four letters, and the common combination A/R (does it and answers for it)."""
EXACT = "-webkit-print-color-adjust:exact;print-color-adjust:exact"
CELL = "border:1px solid #aaa;padding:.25em .5em;text-align:left;vertical-align:top"
HEAD = CELL + ";background:#f0f0f0;font-weight:bold"
PAGE = ("<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title>"
        "<style>@page{{size:A4;margin:14mm}}body{{margin:0}}</style></head><body>{body}</body></html>")
"""The standalone page of :meth:`PrintablePlan.document`: A4 with 14 mm margins."""


def _ui(lang: str) -> text.Text:
    return text.load("capstone/ui", lang)


@functools.cache
def _theme() -> None:
    """The kit theme with a CJK font, applied once before the first figure."""
    plots.set_theme()


def _sep(lang: str) -> str:
    return _ui(lang)["common"]["sep"]




def _lines(value) -> str:
    """Trainee text as HTML: escaped, line breaks kept."""
    return "<br>".join(escape(line) for line in str(value).splitlines())








def _bar(share: float, caption: str) -> str:
    """A progress bar (red below half, amber below full, green when full) with its caption."""
    colour = GREEN if share >= 1 else AMBER if share >= 0.5 else RED
    return (f"<div style='display:flex;align-items:center;gap:.7em;margin:.4em 0'>"
            f"<div style='width:16em;height:.9em;background:#e6e6e6;border-radius:.45em;overflow:hidden;{EXACT}'>"
            f"<div style='width:{100 * max(0.0, min(share, 1.0)):.0f}%;height:100%;background:{colour};{EXACT}'></div>"
            f"</div><b>{escape(caption)}</b></div>")


def _snapshot(tool: Interactive, intro: str, settings: list[tuple[str, str]]) -> str:
    """The static snapshot of a tool: its title, intro, the given settings (label, value) and its output."""
    items = "".join(f"<li>{escape(name)} {escape(value)}</li>" for name, value in settings)
    shown = tool.draw(tool.result)
    body = to_html(shown)
    _close(shown)
    return (f'<div class="kit-interactive"><h4>{escape(tool.title)}</h4><p>{escape(intro)}</p>'
            f"{f'<ul>{items}</ul>' if items else ''}{body}</div>")


def _due_text(value) -> str:
    """When an action is due, as the text box shows it: 30 for 30.0, a date as 2026-06-30."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _table(header_cells: list[str], rows: list[list[str]], widths: list[str] | None = None) -> str:
    """A print-friendly table with ruled cells: header plain text (escaped here), rows safe HTML."""
    widths = widths or [""] * len(header_cells)
    head = "".join(f"<th style='{HEAD}{';width:' + w if w else ''}'>{escape(h)}</th>"
                   for h, w in zip(header_cells, widths, strict=True))
    body = "".join("<tr>" + "".join(f"<td style='{CELL}'>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (f"<table style='border-collapse:collapse;width:100%;margin:.2em 0 .6em'><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


# --- the nine-grid --------------------------------------------------------------------------------------------


@functools.cache
def _sample_ninegrid():
    """The committed sample ``ninegrid`` table, loaded and checked as the lessons load it."""
    from kit.data import load
    from kit.paths import SAMPLE

    return load(SAMPLE / "ninegrid.csv", "ninegrid")[0]


def trainee_ratings(ratings=None, trainee_id=None, ninegrid=None, phase: str | None = None) -> tuple[dict, dict]:
    """The nine self-ratings a plan starts from, ``{ability: rating}`` in grid order, and where they come from.

    ``ratings`` (a mapping or a table row, by code, ``ng_`` column or name) wins; otherwise the row of
    ``trainee_id`` in the ``ninegrid`` table (default: the sample table), in ``phase`` (default the latest:
    after training when there is such a row). A trainee missing from the table sees a sample trainee picked by
    their id (the same one every time); without an id, the table's first trainee. The second value says which:
    ``{"kind": "given" | "table" | "other" | "sample", "trainee", "shown", "phase"}``."""
    if ratings is not None:
        focus = ninegrid_focus(ratings, k=len(ABILITIES))
        scores = dict(zip(focus.abilities, focus.scores, strict=True))
        return {a: scores[a] for a in ABILITIES}, {"kind": "given"}
    table = _sample_ninegrid() if ninegrid is None else ninegrid
    ids = list(dict.fromkeys(table["trainee_id"].astype(str)))
    if not ids:
        raise ValueError("the nine-grid table has no rows")
    wanted = None if trainee_id is None else str(trainee_id)
    if wanted in ids:
        shown, kind = wanted, "table"
    elif wanted is not None:
        shown, kind = ids[personal_seed(wanted) % len(ids)], "other"
    else:
        shown, kind = ids[0], "sample"
    rows = table[table["trainee_id"].astype(str) == shown]
    phases = list(rows["phase"].astype(str))
    use = phase if phase is not None else ("post" if "post" in phases else phases[-1])
    if use not in phases:
        raise ValueError(f"trainee {shown} has no {use!r} row in the nine-grid table (phases: {', '.join(phases)})")
    row = rows[rows["phase"].astype(str) == use].iloc[0]
    focus = ninegrid_focus({a: row[f"ng_{a}"] for a in ABILITIES}, k=len(ABILITIES))
    scores = dict(zip(focus.abilities, focus.scores, strict=True))
    return {a: scores[a] for a in ABILITIES}, {"kind": kind, "trainee": wanted, "shown": shown, "phase": use}


def _grid_html(ratings: Mapping, focus, tied, lang: str, ui) -> str:
    """The nine-grid as a 3 × 3 heat grid (rows: cognitive, behavioural, emotional): each cell the ability and
    its rating, the focus areas framed red with their order, abilities tied with the third framed dashed."""
    f = ui["focus"]
    rows = []
    for dim in DIMENSIONS:
        cells = [f"<th style='{CELL};background:#f0f0f0;{EXACT};width:6em'>{escape(dimension_name(dim, lang))}</th>"]
        for ability in LAYOUT[dim]:
            score = ratings[ability]
            border = "1px solid #aaa"
            badge = ""
            if ability in focus:
                border = f"3px solid {RED}"
                badge = (f"<span style='display:inline-block;min-width:1.3em;border-radius:.65em;background:{RED};"
                         f"color:white;font-size:.8em;text-align:center;margin-right:.3em;{EXACT}'>"
                         f"{focus.index(ability) + 1}</span>")
            elif ability in tied:
                border = f"2px dashed {AMBER}"
            colour = HEAT[min(5, max(1, round(score)))]
            cells.append(f"<td style='border:{border};background:{colour};{EXACT};padding:.35em .6em;"
                         f"text-align:center;vertical-align:middle;width:9em'>{badge}<b>"
                         f"{escape(ability_name(ability, lang))}</b><br>"
                         f"{escape(f['score'].format(score=_number(score)))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table style='border-collapse:collapse;margin:.3em 0'>{''.join(rows)}</table>"


class NinegridFocus(Interactive):
    """The trainee's nine-grid self-ratings [001] as sliders and a 3 × 3 heat grid → the three lowest as the
    focus areas (:func:`kit.actionplan.ninegrid_focus`; ties with the third named), which three dropdowns may
    swap for abilities the evidence points to (with a note giving the evidence). ``result["abilities"]`` are the
    three focus areas. Ratings: ``ratings`` if given, else ``trainee_id``'s row of the ``ninegrid`` table (default
    the sample table; see :func:`trainee_ratings`)."""

    def __init__(self, ratings=None, trainee_id=None, ninegrid=None, phase: str | None = None,
                 lang: str | None = None):
        lang = lang or get_lang()
        self.ui = _ui(lang)
        f = self.ui["focus"]
        self.title = f["title"]
        self.start, self.source = trainee_ratings(ratings, trainee_id, ninegrid, phase)
        whole = all(float(v).is_integer() for v in self.start.values())
        controls = {}
        for ability in ABILITIES:
            common = {"min": 1, "max": 5, "description": ability_name(ability, lang), "continuous_update": False,
                      "style": {"description_width": "7.5em"}, "layout": widgets.Layout(width="21em")}
            controls[f"rating_{ability}"] = (
                widgets.IntSlider(value=int(self.start[ability]), **common) if whole else
                widgets.FloatSlider(value=self.start[ability], step=0.01, readout_format=".2f", **common))
        options = [(f["auto"], ""), *((ability_name(a, lang), a) for a in ABILITIES)]
        for k in range(1, K + 1):
            controls[f"pick_{k}"] = widgets.Dropdown(options=options, value="", description=f["pick"].format(k=k),
                                                     style=STYLE, layout=widgets.Layout(width="18em"))
        controls["note"] = widgets.Text(value="", description=f["note"], placeholder=f["note_placeholder"],
                                        continuous_update=False, style=STYLE, layout=FULL)
        super().__init__(controls, lang=lang)

    def compute(self, note, **values):
        ratings = {a: float(values[f"rating_{a}"]) for a in ABILITIES}
        auto = ninegrid_focus(ratings, k=K)
        picks = [values[f"pick_{k}"] or auto.abilities[k - 1] for k in range(1, K + 1)]
        abilities = tuple(dict.fromkeys(picks))
        return {"ratings": ratings, "auto": auto, "abilities": abilities,
                "scores": tuple(ratings[a] for a in abilities),
                "manual": tuple(a for a in abilities if a not in auto.abilities),
                "dropped": tuple(a for a in auto.abilities if a not in abilities),
                "duplicates": tuple(a for a in abilities if picks.count(a) > 1), "note": note.strip()}

    def _source(self) -> str:
        f, s = self.ui["focus"], self.source
        if s["kind"] == "given":
            return f["source_given"]
        phase = f["phases"].get(s["phase"], s["phase"])
        key = {"table": "source_table", "other": "source_other", "sample": "source_sample"}[s["kind"]]
        return f[key].format(trainee=s["trainee"], shown=s["shown"], phase=phase)

    def draw(self, result):
        f, lang = self.ui["focus"], self.lang
        sep = _sep(lang)
        auto = result["auto"]

        def names(codes):
            return sep.join(ability_name(a, lang) for a in codes)

        parts = [_p(GREY, self._source()), f"<h5>{escape(f['grid_title'])}</h5>",
                 _grid_html(result["ratings"], list(result["abilities"]), auto.tied, lang, self.ui),
                 f"<p style='color:{GREY};font-size:.9em'>{escape(f['legend'])}</p>",
                 f"<p>{escape(f['lowest'].format(names=names(auto.abilities)))}</p>"]
        if auto.tied:
            parts.append(_p(AMBER, f["tied"].format(names=names(auto.tied))))
        for ability in result["duplicates"]:
            parts.append(_p(RED, f["duplicate"].format(name=ability_name(ability, lang)), bold=True))
        if result["manual"]:
            parts.append(f"<p>{escape(f['manual'].format(names=names(result['manual'])))}</p>")
            parts.append(f"<p>{escape(f['note_given'].format(note=result['note']))}</p>" if result["note"]
                         else _p(AMBER, f["note_missing"]))
        elif result["note"]:
            parts.append(f"<p>{escape(f['note_given'].format(note=result['note']))}</p>")
        h = f["header"]
        rows = [[str(k), f"<b>{escape(ability_name(a, lang))}</b>", escape(dimension_name(DIMENSION_OF[a], lang)),
                 escape(_number(result["ratings"][a])),
                 escape(f["how"]["manual" if a in result["manual"] else "auto"])]
                for k, a in enumerate(result["abilities"], 1)]
        parts += [f"<h5>{escape(f['chosen'])}</h5>",
                  html_table([h["rank"], h["ability"], h["dimension"], h["score"], h["how"]], rows),
                  f"<p>{escape(f['next'])}</p>"]
        return "".join(parts)

    def widget(self):
        grid = [widgets.HBox([widgets.HTML(f"<b>{escape(dimension_name(dim, self.lang))}</b>",
                                           layout=widgets.Layout(width="4.5em")),
                              *(self.controls[f"rating_{a}"] for a in LAYOUT[dim])]) for dim in DIMENSIONS]
        picks = widgets.HBox([self.controls[f"pick_{k}"] for k in range(1, K + 1)])
        return widgets.VBox([widgets.HTML(f"<p>{escape(self.ui['focus']['intro'])}</p>"), *grid, picks,
                             self.controls["note"], self.output])

    def static_html(self) -> str:
        settings = [(c.description, _shown_value(c)) for name, c in self.controls.items()
                    if name.startswith("pick_") or (name == "note" and c.value.strip())]
        return _snapshot(self, self.ui["focus"]["intro"], settings)


# --- SMART goal -----------------------------------------------------------------------------------------------


def _amount(value, unit, lang: str, signed: bool = False) -> str:
    """A value read from a goal with its unit: 70%, +8 分, 30 minutes."""
    number = f"{value:+g}" if signed else f"{value:g}"
    if unit is None:
        return number
    if unit == "percent":
        return number + "%"
    return f"{number} {label('unit', unit, lang)}"


def goal_cells(goal, ui, lang: str) -> dict[str, str]:
    """What :func:`parse_smart` read from a goal, as display text per field (metric, direction, baseline,
    target, change, deadline); ``not_read`` where nothing was found."""
    s = ui["smart"]
    blank = s["not_read"]
    cells = {"metric": goal.metric or blank,
             "direction": s["directions"].get(goal.direction, blank) if goal.direction else blank,
             "baseline": blank if goal.baseline is None else _amount(goal.baseline, goal.unit, lang)}
    cells["target"] = (blank if goal.target is None
                       else _amount(goal.target, goal.unit, lang, signed=goal.target_is_change))
    if goal.change is None:
        cells["change"] = blank
    else:
        unit = "pp" if goal.unit == "percent" and goal.baseline is not None else goal.unit
        cells["change"] = _amount(goal.change, unit, lang, signed=True)
    if goal.deadline_days is None:
        cells["deadline"] = blank
    else:
        days = goal.deadline_days
        key = "deadline_past" if days < 0 else "deadline"
        cells["deadline"] = s[key].format(text=goal.deadline_text or "", days=abs(days),
                                          date=goal.deadline_date.isoformat() if goal.deadline_date else "")
    return cells


class SmartGoalChecker(Interactive):
    """A goal sentence → what :func:`kit.actionplan.parse_smart` reads from it (metric, direction, baseline,
    target, change, deadline), which of the checkable parts S, M, T it lacks and why (:meth:`SmartGoal.explain`),
    and a meter of the share present. The sources' goals load from a dropdown ([001] 70 % → 90 % in 3 months,
    [002] NPS +8 in 6 months, [004] market share +5 % in 6 months, [002]'s vague counter-example); the default is
    a goal without a deadline. ``goal``: the sentence instead of the example; ``today``: the date deadlines
    count from (default the current date)."""

    def __init__(self, goal: str | None = None, example: str = "no_deadline", today=None, lang: str | None = None):
        lang = lang or get_lang()
        self.ui = _ui(lang)
        s = self.ui["smart"]
        self.title = s["title"]
        self.today = _today(today)
        controls = {
            "example": widgets.Dropdown(options=[(v, k) for k, v in s["examples"].items()], value=example,
                                        description=s["example"], style=STYLE, layout=FULL),
            "goal": widgets.Textarea(value=s["goals"][example] if goal is None else goal, description=s["goal"],
                                     placeholder=s["placeholder"], continuous_update=False, style=STYLE,
                                     layout=widgets.Layout(width="100%", height="4em")),
        }
        controls["example"].observe(self._load, names="value")
        super().__init__(controls, lang=lang)

    def _load(self, change) -> None:
        """Put the chosen example in the goal box (which recomputes)."""
        self.controls["goal"].value = self.ui["smart"]["goals"][change["new"]]

    def compute(self, example, goal):
        if not goal.strip():
            return {"text": goal, "goal": None}
        try:
            return {"text": goal, "goal": parse_smart(goal, today=self.today)}
        except KitError as err:
            return {"text": goal, "goal": None, "error": err.render(self.lang)}

    def draw(self, result):
        s, lang = self.ui["smart"], self.lang
        if "error" in result:
            return _p(AMBER, self.ui["common"]["error"].format(message=result["error"]))
        goal = result["goal"]
        if goal is None:
            return _p(AMBER, s["empty"])
        present = len(SMART_CHECKED) - len(goal.missing)
        parts = [f"<blockquote style='border-left:3px solid {GREY};padding-left:8px'>{_lines(result['text'])}"
                 f"</blockquote>",
                 _bar(goal.score, s["meter"].format(n=present, total=len(SMART_CHECKED)))]
        if goal.is_smart:
            parts.append(_p(GREEN, s["all_present"], bold=True))
        else:
            parts.append("<ul>" + "".join(f"<li style='color:{RED}'>{escape(m)}</li>" for m in goal.explain(lang))
                         + "</ul>")
        cells = goal_cells(goal, self.ui, lang)
        parts += [f"<h5>{escape(s['read_title'])}</h5>",
                  html_table(["", ""], [[escape(s["fields"][k]), escape(v)] for k, v in cells.items()])]
        if goal.target_is_change and goal.baseline is None:
            parts.append(_p(AMBER, s["change_only"]))
        rows = []
        for part in SMART_PARTS:
            if part not in SMART_CHECKED:
                status = f"<span style='color:{GREY}'>{escape(s['judge'])}</span>"
            elif part in goal.missing:
                status = f"<span style='color:{RED}'>{escape(s['absent'])}</span>"
            else:
                status = f"<span style='color:{GREEN}'>{escape(s['present'])}</span>"
            rows.append([f"<b>{part}</b>", escape(label("smart", part, lang)), status])
        parts += [f"<h5>{escape(s['parts_title'])}</h5>",
                  html_table([s["header"]["part"], "", s["header"]["status"]], rows),
                  _p(GREY, s["caution"])]
        return "".join(parts)

    def widget(self):
        return widgets.VBox([widgets.HTML(f"<p>{escape(self.ui['smart']['intro'])}</p>"), *self.controls.values(),
                             self.output])

    def static_html(self) -> str:
        return _snapshot(self, self.ui["smart"]["intro"], [])


# --- RACI -----------------------------------------------------------------------------------------------------


def _raci_rows(tasks, people) -> tuple[list[tuple[str, dict]], list[str]]:
    """``([(task, {person: role}), …], [people])`` from a mapping ``{task: {person: role}}`` or a list of task
    names; the people default to those named in the tasks, in order of appearance."""
    if isinstance(tasks, Mapping):
        rows = [(str(task), {str(p): r for p, r in dict(roles or {}).items()}) for task, roles in tasks.items()]
    else:
        rows = [(str(task), {}) for task in tasks]
    if people is None:
        people = list(dict.fromkeys(p for _, roles in rows for p in roles))
    return rows, [str(p) for p in people]


class RaciEditor(Interactive):
    """A RACI matrix (责任矩阵 [002]) as a grid of dropdowns, tasks × people, each cell R, A, C, I, A/R or blank →
    :func:`kit.actionplan.check_raci`: the tasks without exactly one A or without an R, explained and marked red
    in the grid. The default is a personal plan with one task approved by two people and one that nobody does.
    ``tasks``: ``{task: {person: role}}`` or task names instead of the example; ``people``: the column names;
    ``n_tasks`` × ``n_people`` cells at least (one spare row and column are always there)."""

    def __init__(self, tasks=None, people=None, n_tasks: int = 5, n_people: int = 5, lang: str | None = None):
        lang = lang or get_lang()
        self.ui = _ui(lang)
        r = self.ui["raci"]
        self.title = r["title"]
        if tasks is None:  # the example; people given instead of the example's take its columns in order
            names = list(r["people"]) if people is None else [str(p) for p in people]
            rows = [(row[0], dict(zip(names, row[1:], strict=False))) for row in r["example"]]
        else:
            rows, names = _raci_rows(tasks, people)
        self.n_tasks, self.n_people = max(n_tasks, len(rows) + 1), max(n_people, len(names) + 1)
        rows += [("", {})] * (self.n_tasks - len(rows))
        names += [""] * (self.n_people - len(names))
        controls = {}
        for j, person in enumerate(names):
            controls[f"person_{j}"] = widgets.Text(value=person, placeholder=r["placeholders"]["person"],
                                                   continuous_update=False, layout=widgets.Layout(width="8em"))
        for i, (task, roles) in enumerate(rows):
            controls[f"task_{i}"] = widgets.Text(value=task, placeholder=r["placeholders"]["task"],
                                                 continuous_update=False, layout=widgets.Layout(width="20em"))
            for j, person in enumerate(names):
                role = str(roles.get(person, "") or "").strip() if person else ""
                options = [(r["blank_role"] if o == "" else o, o) for o in ROLE_OPTIONS]
                if role not in ROLE_OPTIONS:
                    options.append((role, role))
                controls[f"cell_{i}_{j}"] = widgets.Dropdown(options=options, value=role,
                                                             layout=widgets.Layout(width="8em"))
        super().__init__(controls, lang=lang)

    def compute(self, **values):
        r = self.ui["raci"]
        tasks = [values[f"task_{i}"].strip() for i in range(self.n_tasks)]
        people = [values[f"person_{j}"].strip() for j in range(self.n_people)]
        for i in range(self.n_tasks):
            for j in range(self.n_people):
                if values[f"cell_{i}_{j}"]:
                    if not tasks[i]:
                        return {"matrix": None, "check": None, "error": r["unnamed_task"].format(row=i + 1)}
                    if not people[j]:
                        return {"matrix": None, "check": None, "error": r["unnamed_person"].format(col=j + 1)}
        rows = [i for i in range(self.n_tasks) if tasks[i]]
        cols = [j for j in range(self.n_people) if people[j]]
        if not rows:
            return {"matrix": {}, "check": None}
        for code, names in (("actionplan_raci_duplicate_task", [tasks[i] for i in rows]),
                            ("actionplan_raci_duplicate_person", [people[j] for j in cols])):
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                return {"matrix": None, "check": None,
                        "error": KitError(code, names=", ".join(dupes)).render(self.lang)}
        matrix = {tasks[i]: {people[j]: values[f"cell_{i}_{j}"] for j in cols} for i in rows}
        return {"matrix": matrix, "check": check_raci(matrix), "row_of": {tasks[i]: i for i in rows},
                "col_of": {people[j]: j for j in cols}}

    def marks(self, result) -> dict[tuple[str, str | None], str]:
        """Where the problems are: ``{(task, person): colour}`` for the cells at fault (the A cells of a task
        with several, unreadable cells) and ``{(task, None): colour}`` for a task with no A or no R."""
        out: dict[tuple[str, str | None], str] = {}
        if not result.get("check"):
            return out
        for task, problems in result["check"].problems.items():
            for problem in problems:
                if problem.code == "many_accountable":
                    out.update({(task, person): RED for person in problem.people})
                elif problem.code == "unknown_role":
                    out.update({(task, person): AMBER for person in problem.people})
                else:
                    out[(task, None)] = RED
        return out

    def refresh(self, change=None) -> None:
        super().refresh(change)
        self._highlight()

    def _highlight(self) -> None:
        """Frame the controls of the cells and tasks at fault in the live grid."""
        marks = self.marks(self.result)
        row_of, col_of = self.result.get("row_of", {}), self.result.get("col_of", {})
        framed = {}
        for (task, person), colour in marks.items():
            name = f"task_{row_of[task]}" if person is None else f"cell_{row_of[task]}_{col_of[person]}"
            framed[name] = colour
        for name, control in self.controls.items():
            if name.startswith(("task_", "cell_")):
                colour = framed.get(name)
                control.layout.border = f"2px solid {colour}" if colour else ""

    def draw(self, result):
        r, lang = self.ui["raci"], self.lang
        if "error" in result:
            return _p(AMBER, self.ui["common"]["error"].format(message=result["error"]))
        check = result["check"]
        if check is None:
            return _p(AMBER, r["empty"])
        if check.ok:
            parts = [_p(GREEN, r["ok"].format(n=check.tasks), bold=True)]
        else:
            parts = [_p(RED, r["summary"].format(n=check.tasks, k=len(check.failing)), bold=True)]
        parts.append(raci_table(result["matrix"], check, self.ui, lang, marks=self.marks(result)))
        if not check.ok:
            parts.append("<ul>" + "".join(f"<li style='color:{RED}'>{escape(m)}</li>" for m in check.messages(lang))
                         + "</ul>")
        legend = "".join(f"<li><b>{role}</b> "
                         f"{escape(r['legend_item'].format(name=label('role', role, lang), meaning=r['meanings'][role]))}"
                         "</li>" for role in RACI_ROLES)
        parts += [f"<h5>{escape(r['legend_title'])}</h5><ul>{legend}</ul>", f"<p>{escape(r['combined'])}</p>",
                  _p(GREY, r["rule"])]
        return "".join(parts)

    def widget(self):
        r = self.ui["raci"]
        header = widgets.HBox([widgets.HTML(f"<b>{escape(r['task_header'])}</b>", layout=widgets.Layout(width="20em")),
                               *(self.controls[f"person_{j}"] for j in range(self.n_people))])
        grid = [widgets.HBox([self.controls[f"task_{i}"], *(self.controls[f"cell_{i}_{j}"]
                                                            for j in range(self.n_people))])
                for i in range(self.n_tasks)]
        return widgets.VBox([widgets.HTML(f"<p>{escape(r['intro'])}</p>"), header, *grid, self.output])

    def static_html(self) -> str:
        return _snapshot(self, self.ui["raci"]["intro"], [])


def raci_table(matrix: Mapping, check, ui, lang: str, marks: Mapping | None = None, printable: bool = False) -> str:
    """The RACI matrix as an HTML table, tasks × people plus a problems column; rows of failing tasks tinted,
    cells at fault (``marks``, see :meth:`RaciEditor.marks`) framed."""
    r = ui["raci"]
    marks = marks or {}
    people = list(dict.fromkeys(p for roles in matrix.values() for p in roles))
    rows = []
    for task, roles in matrix.items():
        problems = check.problems.get(task, ()) if check is not None else ()
        tint = "background:#fbe3e6;" if problems else ""
        task_cell = escape(task)
        if (task, None) in marks:
            task_cell = f"<span style='color:{RED};font-weight:bold'>{task_cell}</span>"
        cells = [task_cell]
        for person in people:
            role = escape(roles.get(person, "") or "")
            colour = marks.get((task, person))
            cells.append(f"<span style='color:{colour};font-weight:bold;border:2px solid {colour};padding:0 .3em'>"
                         f"{role}</span>" if colour else role)
        found = "; ".join(p.text(lang) for p in problems)
        cells.append(f"<span style='color:{RED}'>{escape(found)}</span>" if problems else escape(r["no_problem"]))
        rows.append((tint, cells))
    header = [r["task_header"], *people, r["problems"]]
    style = CELL if printable else "text-align:left;vertical-align:top;padding:.2em .8em"
    head_style = HEAD if printable else style
    head = "".join(f"<th style='{head_style}'>{escape(h)}</th>" for h in header)
    body = "".join(f"<tr style='{tint}{EXACT}'>" + "".join(f"<td style='{style}'>{c}</td>" for c in cells) + "</tr>"
                   for tint, cells in rows)
    table_style = "border-collapse:collapse;width:100%;margin:.2em 0 .6em" if printable else ""
    return f"<table class='dataframe' style='{table_style}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# --- horizons -------------------------------------------------------------------------------------------------


def _horizon_codes(scheme: str) -> list[str]:
    """The horizons of ``scheme`` in order, with ``beyond`` when its last one is not open-ended ([002])."""
    bounds = HORIZONS[scheme]
    return list(bounds) + ([] if None in bounds.values() else [BEYOND])


def sort_actions(rows, scheme: str, today) -> dict:
    """Rows ``(action, due)`` → the actions placed by :func:`kit.actionplan.place` and each one's days until due
    (``unscheduled``: actions without a due time). Raises :class:`KitError` for a due time it cannot read."""
    pairs = [(a, d) for a, d in rows if str(d).strip()]
    today = _today(today)
    placed = place(pairs, scheme, today=today)
    return {"pairs": pairs, "placed": placed, "days": {a: _due_days(d, today, a) for a, d in pairs},
            "unscheduled": [a for a, d in rows if not str(d).strip()]}


def _due_label(due, days: float, ui) -> str:
    h = ui["horizons"]
    text_ = _due_text(due).strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text_):
        return h["due"].format(days=_number(days))
    return h["due_text"].format(text=text_, days=_number(days))


class HorizonSorter(Interactive):
    """Actions and when they are due (days, a date, or "3 个月内" / "within 90 days") → the horizons of [000]
    (30 d, 90 d, 180 d, long term) or [002] (90 d, 1 y, 3 y, then beyond) by :func:`kit.actionplan.place`, drawn
    as a timeline, beside what each source puts in each horizon (:data:`kit.actionplan.HORIZON_CONTENT`).
    ``actions``: ``{action: due}`` or ``(action, due)`` pairs instead of the example; ``today``: the date days
    count from (default the current date); ``n_rows`` table rows."""

    def __init__(self, actions=None, scheme: str = "000", today=None, n_rows: int = 10, lang: str | None = None):
        lang = lang or get_lang()
        self.ui = _ui(lang)
        h = self.ui["horizons"]
        self.title = h["title"]
        self.today = _today(today)
        if actions is None:
            rows = [list(r) for r in h["example"]]
        else:
            rows = [list(pair) for pair in (actions.items() if isinstance(actions, Mapping) else actions)]
        self.n_rows = max(n_rows, len(rows) + 1)
        rows += [["", ""]] * (self.n_rows - len(rows))
        controls = {"scheme": widgets.Dropdown(options=[(v, k) for k, v in h["schemes"].items()],
                                               value=str(scheme).strip("[] "), description=h["scheme"], style=STYLE,
                                               layout=widgets.Layout(width="32em"))}
        for i, (action, due) in enumerate(rows):
            controls[f"action_{i}"] = widgets.Text(value=str(action or ""), placeholder=h["placeholders"]["action"],
                                                   continuous_update=False, layout=widgets.Layout(width="26em"))
            controls[f"due_{i}"] = widgets.Text(value=_due_text(due), placeholder=h["placeholders"]["due"],
                                                continuous_update=False, layout=widgets.Layout(width="16em"))
        super().__init__(controls, lang=lang)

    def compute(self, scheme, **cells):
        h = self.ui["horizons"]
        rows = []
        for i in range(self.n_rows):
            action, due = cells[f"action_{i}"].strip(), cells[f"due_{i}"].strip()
            if due and not action:
                return {"scheme": scheme, "rows": rows, "error": h["unnamed"].format(row=i + 1)}
            if action:
                rows.append((action, due))
        if not rows:
            return {"scheme": scheme, "rows": [], "empty": True}
        try:
            return {"scheme": scheme, "rows": rows, **sort_actions(rows, scheme, self.today)}
        except KitError as err:
            return {"scheme": scheme, "rows": rows, "error": err.render(self.lang)}

    def draw(self, result):
        h, lang = self.ui["horizons"], self.lang
        if "error" in result:
            return _p(AMBER, self.ui["common"]["error"].format(message=result["error"]))
        if "empty" in result:
            return _p(AMBER, h["empty"])
        placed, scheme = result["placed"], result["scheme"]
        counts = _sep(lang).join(h["count"].format(horizon=label("horizon", code, lang), n=len(actions))
                                 for code, actions in placed.items())
        parts = [_p(GREY, h["today"].format(today=self.today.isoformat())),
                 f"<p><b>{escape(h['summary'].format(n=len(result['pairs']), counts=counts))}</b></p>"]
        if result["unscheduled"]:
            parts.append(_p(AMBER, h["unscheduled"].format(actions=_sep(lang).join(result["unscheduled"]))))
        if result["pairs"]:
            parts.append(_figure_html(self._figure(result)))
        parts.append(horizon_table(result, self.ui, lang))
        if scheme == "002":
            parts.append(_p(GREY, h["beyond_note"]))
        parts.append(f"<p>{escape(h['choose'])}</p>")
        return "".join(parts)

    def _figure(self, result):
        _theme()
        h, scheme = self.ui["horizons"], result["scheme"]
        codes = _horizon_codes(scheme)
        bounds = HORIZONS[scheme]
        edges, low = [], 0
        for code in codes:
            high = bounds.get(code)
            edges.append((low, high))
            low = high if high is not None else low

        def x_of(days: float) -> float:
            k = codes.index(horizon(days, scheme))
            lo, hi = edges[k]
            if hi is None:  # open-ended: the band's first 80 % holds twice as many days as came before it
                return k + 0.8 * min((days - lo) / max(2 * lo, 1), 1.2)
            return k + (days - lo) / (hi - lo)

        due = dict(result["pairs"])
        items = sorted(result["days"].items(), key=lambda kv: kv[1])
        n = len(items)
        fig, ax = plt.subplots(figsize=(9.5, 0.5 * n + 1.9), layout="constrained")
        for k in range(len(codes)):
            ax.axvspan(k, k + 1, color=LIGHT if k % 2 == 0 else "#e8eef4", zorder=0)
            if k:
                ax.axvline(k, color=GREY, linestyle="--", linewidth=0.8, zorder=1)
        for y, (action, days) in enumerate(items):
            x = x_of(days)
            ax.scatter([x], [y], color=BLUE, zorder=3, s=40)
            right = x > len(codes) - 0.6  # near the right edge the label goes to the left of its dot
            ax.annotate(_plain(_due_label(due[action], days, self.ui), 40, 1), (x, y), xytext=(-6 if right else 6, 0),
                        textcoords="offset points", va="center", ha="right" if right else "left", fontsize=8,
                        color=GREY)
        ax.set_yticks(range(n), [_plain(action, 34, 2) for action, _ in items], fontsize=8.5)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xticks([k + 0.5 for k in range(len(codes))], [label("horizon", c, self.lang) for c in codes])
        ax.set_xlim(0, len(codes))
        ax.set(xlabel=h["x_label"], ylabel=h["y_label"])
        ax.set_title(h["chart_title"], fontsize=10)
        ax.grid(False)
        return fig

    def widget(self):
        h = self.ui["horizons"]
        header = widgets.HBox([widgets.HTML(f"<b>{escape(h['columns']['action'])}</b>", layout=widgets.Layout(width="26em")),
                               widgets.HTML(f"<b>{escape(h['columns']['due'])}</b>", layout=widgets.Layout(width="16em"))])
        grid = [widgets.HBox([self.controls[f"action_{i}"], self.controls[f"due_{i}"]]) for i in range(self.n_rows)]
        return widgets.VBox([widgets.HTML(f"<p>{escape(h['intro'])}</p>"), self.controls["scheme"], header, *grid,
                             self.output])

    def static_html(self) -> str:
        scheme = self.controls["scheme"]
        return _snapshot(self, self.ui["horizons"]["intro"], [(scheme.description, _shown_value(scheme))])


def horizon_table(result, ui, lang: str, printable: bool = False) -> str:
    """The horizons as columns: the trainee's actions (with when they are due) and what the scheme's source
    puts in each (:data:`kit.actionplan.HORIZON_CONTENT`)."""
    h, scheme = ui["horizons"], result["scheme"]
    codes = _horizon_codes(scheme)
    due = dict(result["pairs"])
    yours, content = [escape(h["yours"])], [escape(h["content"].format(source=_source_tag(scheme, lang)))]
    for code in codes:
        actions = sorted(result["placed"].get(code, []), key=lambda a: result["days"][a])
        items = "".join(f"<li>{escape(a)} <span style='color:{GREY}'>"
                        f"· {escape(_due_label(due[a], result['days'][a], ui))}</span></li>" for a in actions)
        yours.append(f"<ul style='margin:0;padding-left:1.1em'>{items}</ul>" if items
                     else f"<span style='color:{GREY}'>{escape(h['none'])}</span>")
        codes_here = HORIZON_CONTENT[scheme].get(code, ())
        content.append(escape(_sep(lang).join(label("content", c, lang) for c in codes_here)) or ui["common"]["blank"])
    header = ["", *(label("horizon", c, lang) for c in codes)]
    if printable:
        return _table(header, [yours, content])
    return html_table(header, [yours, content])


def _source_tag(scheme: str, lang: str) -> str:
    return f"［{scheme}］" if lang == "zh" else f"[{scheme}]"


# --- the seven-field template ---------------------------------------------------------------------------------


def _field_text(value) -> str:
    """A template field as the text area shows it: a list one entry a line, a mapping ``key: value`` a line."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return "\n".join(f"{k}: {_field_text(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "\n".join(_field_text(v) for v in value)
    return str(value)


class TemplateMeter(Interactive):
    """[002]'s seven-field action-plan template as text areas (SMART goal, RACI, steps, resources, milestones,
    risks, success measures) → how complete it is (:func:`kit.actionplan.completeness`, placeholders such as
    待定 / TBD count as empty) as a bar naming the empty fields, and how SMART its goal is
    (:func:`kit.actionplan.smart_quality`). The default follows [001]'s goal with two fields still to fill.
    ``plan``: ``{field: text}`` (codes or zh/en labels) instead of the example."""

    def __init__(self, plan=None, today=None, lang: str | None = None):
        lang = lang or get_lang()
        self.ui = _ui(lang)
        m = self.ui["template"]
        self.title = m["title"]
        self.today = _today(today)
        values = dict(m["example"]) if plan is None else _plan_fields(plan)[0]
        controls = {code: widgets.Textarea(value=_field_text(values.get(code)), placeholder=m["placeholders"][code],
                                           continuous_update=False, layout=widgets.Layout(width="100%", height="3.4em"))
                    for code in TEMPLATE_FIELDS}
        super().__init__(controls, lang=lang)

    def compute(self, **fields):
        plan = {code: fields[code] for code in TEMPLATE_FIELDS}
        done = completeness(plan)
        try:
            quality, error = smart_quality(plan, today=self.today), None
        except KitError as err:
            quality, error = None, err.render(self.lang)
        return {"plan": plan, "completeness": done, "quality": quality, "quality_error": error,
                "placeholders": tuple(code for code in done.missing if plan[code].strip())}

    def draw(self, result):
        m, lang = self.ui["template"], self.lang
        done, total = result["completeness"], len(TEMPLATE_FIELDS)
        parts = [_bar(done.share, m["meter"].format(n=len(done.filled), total=total, share=f"{done.share:.0%}"))]
        if done.missing:
            names = _sep(lang).join(label("field", code, lang) for code in done.missing)
            parts.append(_p(RED, m["missing"].format(fields=names), bold=True))
        else:
            parts.append(_p(GREEN, m["complete"], bold=True))
        for code in result["placeholders"]:
            parts.append(_p(AMBER, m["placeholder_used"].format(value=result["plan"][code].strip())))
        rows = []
        for code in TEMPLATE_FIELDS:
            filled = code in done.filled
            status = (f"<span style='color:{GREEN}'>{escape(m['filled'])}</span>" if filled
                      else f"<span style='color:{RED}'>{escape(m['not_filled'])}</span>")
            rows.append([f"<b>{escape(label('field', code, lang))}</b>", status, _lines(result["plan"][code])])
        parts.append(html_table([m["header"]["field"], m["header"]["status"], m["header"]["content"]], rows))
        parts.append(f"<h5>{escape(m['quality_title'])}</h5>")
        quality = result["quality"]
        if result["quality_error"]:
            parts.append(_p(AMBER, self.ui["common"]["error"].format(message=result["quality_error"])))
        elif "smart_goal" in done.missing:
            parts.append(_p(AMBER, m["no_goal"]))
        else:
            present = len(SMART_CHECKED) - len(quality.missing)
            parts.append(_bar(quality.score, m["quality"].format(n=present, total=len(SMART_CHECKED))))
            if quality.is_smart:
                parts.append(_p(GREEN, self.ui["smart"]["all_present"]))
            else:
                parts.append("<ul>" + "".join(f"<li style='color:{RED}'>{escape(x)}</li>"
                                              for x in quality.explain(lang)) + "</ul>")
        parts.append(_p(GREY, m["caution"]))
        return "".join(parts)

    def widget(self):
        boxes = []
        for code in TEMPLATE_FIELDS:
            boxes += [widgets.HTML(f"<b>{escape(label('field', code, self.lang))}</b>"), self.controls[code]]
        return widgets.VBox([widgets.HTML(f"<p>{escape(self.ui['template']['intro'])}</p>"), *boxes, self.output])

    def static_html(self) -> str:
        return _snapshot(self, self.ui["template"]["intro"], [])


# --- the printable plan ---------------------------------------------------------------------------------------


def _iso(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


class PrintablePlan(Interactive):
    """The trainee's plan on one printable page [001][002]: header (name, date, supervisor, mentor), the
    nine-grid with the focus areas, the SMART goals with what the checker read, the template's fields with the
    RACI matrix, the actions by horizon, the follow-up schedule and a progress log to fill in by hand, in a
    clean ruled layout for A4 without widget chrome; unfinished parts are marked. Above it: the three checks
    before printing (template complete, no failing RACI row, S/M/T in every goal) and a link to download the
    page (:meth:`document`) to print from the browser.

    Inputs (each defaults to the default state of the matching tool): ``ratings`` (or ``trainee_id`` and the
    ``ninegrid`` table), ``focus`` (ability codes), ``goals`` (a sentence or a list), ``raci``
    (``{task: {person: role}}``), ``actions`` (``(action, due)`` pairs) and ``scheme``, ``plan`` (the template's
    ``{field: text}``), ``note`` (the evidence for a swapped focus area). :meth:`from_widgets` takes them from the
    other tools and keeps following them."""

    def __init__(self, ratings=None, focus=None, goals=None, raci=None, actions=None, scheme: str = "000",
                 plan=None, note: str = "", today=None, name: str = "", supervisor: str = "", mentor: str = "",
                 trainee_id=None, ninegrid=None, lang: str | None = None):
        lang = lang or get_lang()
        self.ui = _ui(lang)
        p = self.ui["printable"]
        self.title = p["title"]
        self.today = _today(today)
        self.inputs = self._defaults(lang, ratings=ratings, focus=focus, goals=goals, raci=raci, actions=actions,
                                     scheme=scheme, plan=plan, note=note, trainee_id=trainee_id, ninegrid=ninegrid)
        controls = {key: widgets.Text(value=value, description=p[key], continuous_update=False, style=STYLE,
                                      layout=widgets.Layout(width="24em"))
                    for key, value in (("name", name), ("date", self.today.isoformat()), ("supervisor", supervisor),
                                       ("mentor", mentor))}
        self._sources: tuple = ()
        super().__init__(controls, lang=lang)

    def _defaults(self, lang, *, ratings, focus, goals, raci, actions, scheme, plan, note, trainee_id,
                  ninegrid) -> dict:
        """The inputs, each missing one from the default state of its tool."""
        ui = self.ui
        if ratings is None or not isinstance(ratings, Mapping) or set(ratings) != set(ABILITIES):
            ratings = trainee_ratings(ratings, trainee_id, ninegrid)[0]
        if focus is None:
            focus = ninegrid_focus(ratings, k=K).abilities
        if goals is None:
            goals = [ui["smart"]["goals"]["no_deadline"]]
        elif isinstance(goals, str):
            goals = [goals]
        if raci is None:
            r = ui["raci"]
            raci = {row[0]: dict(zip(r["people"], row[1:], strict=True)) for row in r["example"]}
        if actions is None:
            actions = [tuple(row) for row in ui["horizons"]["example"]]
        elif isinstance(actions, Mapping):
            actions = list(actions.items())
        plan = dict(ui["template"]["example"]) if plan is None else {
            code: _field_text(value) for code, value in _plan_fields(plan)[0].items()}
        return {"ratings": dict(ratings), "focus": tuple(focus), "goals": [str(g) for g in goals],
                "raci": raci, "actions": [(str(a), _due_text(d)) for a, d in actions],
                "scheme": str(scheme).strip("[] "), "plan": plan, "note": str(note or "").strip()}

    @classmethod
    def from_widgets(cls, focus: NinegridFocus | None = None, goal=None, raci: RaciEditor | None = None,
                     horizons: HorizonSorter | None = None, template: TemplateMeter | None = None, *,
                     name: str = "", supervisor: str = "", mentor: str = "", lang: str | None = None):
        """A printable plan made of the other tools' current states — ``goal`` is a :class:`SmartGoalChecker`
        or a list of them, one per focus area — that follows them: changing any of their controls updates it.
        A tool left out contributes its default state."""
        tools = (focus, goal, raci, horizons, template)
        first = next((t for t in tools if isinstance(t, Interactive)), None)
        lang = lang or (first.lang if first is not None else None)
        today = next((t.today for t in (horizons, goal, template) if hasattr(t, "today")), None)
        plan = cls(**cls._inputs_of(*tools), today=today, name=name, supervisor=supervisor, mentor=mentor, lang=lang)
        plan._sources = tools
        checkers = list(goal) if isinstance(goal, (list, tuple)) else [goal]
        for tool in (focus, *checkers, raci, horizons, template):
            if tool is not None:
                for control in tool.controls.values():
                    control.observe(plan._follow, names="value")
        return plan

    @staticmethod
    def _inputs_of(focus, goal, raci, horizons, template) -> dict:
        """The plan's inputs from the tools' current results (None where a tool is left out)."""
        inputs: dict = {}
        if focus is not None:
            inputs.update(ratings=focus.result["ratings"], focus=focus.result["abilities"], note=focus.result["note"])
        if goal is not None:
            checkers = goal if isinstance(goal, (list, tuple)) else [goal]
            inputs["goals"] = [c.controls["goal"].value for c in checkers if c.controls["goal"].value.strip()]
        if raci is not None:
            inputs["raci"] = raci.result.get("matrix") or {}
        if horizons is not None:
            inputs.update(actions=list(horizons.result["rows"]), scheme=horizons.result["scheme"])
        if template is not None:
            inputs["plan"] = dict(template.result["plan"])
        return inputs

    def _follow(self, change=None) -> None:
        """Take the linked tools' new state and redraw."""
        given = self._inputs_of(*self._sources)
        self.inputs = self._defaults(self.lang, **{
            "ratings": None, "focus": None, "goals": None, "raci": None, "actions": None, "scheme": "000",
            "plan": None, "note": "", "trainee_id": None, "ninegrid": None, **given})
        self.refresh()

    def compute(self, name, date, supervisor, mentor):
        return assemble(self.inputs, {"name": name, "date": date, "supervisor": supervisor, "mentor": mentor},
                        today=self.today, lang=self.lang)

    def draw(self, result):
        p = self.ui["printable"]
        total = len(TEMPLATE_FIELDS)
        checks = result["checks"]
        labels = {"complete": p["checks"]["complete"].format(n=len(result["completeness"].filled), total=total),
                  "raci": p["checks"]["raci"], "smart": p["checks"]["smart"]}
        items = "".join(f"<li style='color:{GREEN if checks[k] else RED}'>"
                        f"{escape(self.ui['common']['done' if checks[k] else 'todo'])} {escape(labels[k])}</li>"
                        for k in ("complete", "raci", "smart"))
        page = base64.b64encode(self.document(result).encode("utf-8")).decode("ascii")
        link = (f"<p><a download='action-plan.html' href='data:text/html;charset=utf-8;base64,{page}'>"
                f"&#128438; {escape(p['download'])}</a></p>")
        return (f"<p>{escape(p['hint'])}</p><h5>{escape(p['checks_title'])}</h5><ul>{items}</ul>{link}"
                f"<hr>{self.plan_html(result)}")

    def plan_html(self, result=None) -> str:
        """The printable block alone: ruled tables, inline styles (no stylesheet to lose), trainee text escaped."""
        result = self.result if result is None else result
        return plan_html(result, self.ui, self.lang)

    def document(self, result=None) -> str:
        """The plan as a standalone HTML page (A4, 14 mm margins) to open in a browser and print or save as PDF."""
        return PAGE.format(lang="zh-CN" if self.lang == "zh" else "en", title=escape(self.ui["printable"]["heading"]),
                           body=self.plan_html(result))

    def save(self, path) -> str:
        """Write :meth:`document` to ``path`` (UTF-8); returns the path."""
        from pathlib import Path

        Path(path).write_text(self.document(), encoding="utf-8")
        return str(path)

    def widget(self):
        p = self.ui["printable"]
        fields = widgets.HBox([widgets.VBox([self.controls["name"], self.controls["date"]]),
                               widgets.VBox([self.controls["supervisor"], self.controls["mentor"]])])
        return widgets.VBox([widgets.HTML(f"<p>{escape(p['intro'])}</p>"), fields, self.output])

    def static_html(self) -> str:
        settings = [(c.description, c.value) for c in self.controls.values() if c.value.strip()]
        return _snapshot(self, self.ui["printable"]["intro"], settings)


def assemble(inputs: Mapping, header: Mapping, today=None, lang: str | None = None) -> dict:
    """Everything the printable plan shows, from its inputs (see :class:`PrintablePlan`) and header fields: the
    parsed goals, the RACI check, the actions by horizon and the completeness of the plan as printed — the
    template's fields, with the SMART goal field taken from ``goals`` and the RACI field from the ``raci``
    matrix when those are given — and the three checks before printing."""
    lang = lang or get_lang()
    today = _today(today)
    goals = []
    for sentence in inputs["goals"]:
        try:
            goals.append((sentence, parse_smart(sentence, today=today), None))
        except KitError as err:
            goals.append((sentence, None, err.render(lang)))
    raci_check, raci_error = None, None
    if inputs["raci"]:
        try:
            raci_check = check_raci(inputs["raci"])
        except KitError as err:
            raci_error = err.render(lang)
    try:
        horizons = {"scheme": inputs["scheme"], **sort_actions(inputs["actions"], inputs["scheme"], today)}
        horizon_error = None
    except KitError as err:
        horizons, horizon_error = None, err.render(lang)
    printed = dict(inputs["plan"])
    if inputs["goals"]:
        printed["smart_goal"] = "\n".join(inputs["goals"])
    if inputs["raci"]:
        printed["raci"] = inputs["raci"]
    done = completeness(printed)
    checks = {"complete": not done.missing, "raci": raci_check is not None and raci_check.ok,
              "smart": bool(goals) and all(g is not None and g.is_smart for _, g, _ in goals)}
    return {"header": dict(header), "start": _iso(header.get("date", "")), "ratings": inputs["ratings"],
            "focus": tuple(inputs["focus"]), "note": inputs.get("note", ""), "goals": goals,
            "raci": inputs["raci"], "raci_check": raci_check, "raci_error": raci_error, "scheme": inputs["scheme"],
            "horizons": horizons, "horizon_error": horizon_error, "plan": printed, "completeness": done,
            "checks": checks}


def plan_html(result: Mapping, ui, lang: str) -> str:
    """The printable plan of :func:`assemble`'s result as one HTML block with inline styles."""
    p, common = ui["printable"], ui["common"]
    todo = f"<span style='color:{RED};font-weight:bold'>{escape(p['todo'])}</span>"
    sep = _sep(lang)

    def section(key: str, body: str) -> str:
        return (f"<section style='break-inside:avoid;page-break-inside:avoid'><p role='heading' aria-level='3' "
                f"style='font-size:11.5pt;font-weight:bold;margin:.9em 0 .3em;border-bottom:1px solid #999'>"
                f"{escape(p['sections'][key])}</p>{body}</section>")

    head = result["header"]

    def filled(key: str) -> str:
        return escape(head.get(key, "")) if str(head.get(key, "")).strip() else escape(p["blank_line"])

    header = (f"<table style='border-collapse:collapse;width:100%'><tr>"
              f"<th style='{HEAD}'>{escape(p['name'])}</th><td style='{CELL}'>{filled('name')}</td>"
              f"<th style='{HEAD}'>{escape(p['date'])}</th><td style='{CELL}'>{filled('date')}</td></tr><tr>"
              f"<th style='{HEAD}'>{escape(p['supervisor'])}</th><td style='{CELL}'>{filled('supervisor')}</td>"
              f"<th style='{HEAD}'>{escape(p['mentor'])}</th><td style='{CELL}'>{filled('mentor')}</td></tr></table>")
    # headings by role, not <h2>/<h3>: the plan sits inside a lesson page whose contents list it must not join
    parts = [f"<p role='heading' aria-level='2' style='font-size:15pt;font-weight:bold;margin:.2em 0 .4em'>"
             f"{escape(p['heading'])}</p>", header]

    # 1 nine-grid and focus areas
    focus, ratings = list(result["focus"]), result["ratings"]
    score = ui["focus"]["score"]
    areas = sep.join(f"{ability_name(a, lang)}（{score.format(score=_number(ratings[a]))}）" if lang == "zh"
                     else f"{ability_name(a, lang)} ({score.format(score=_number(ratings[a]))})" for a in focus)
    evidence = (f"<p>{escape(ui['focus']['note_given'].format(note=result['note']))}</p>" if result["note"] else "")
    parts.append(section("grid", _grid_html(ratings, focus, (), lang, ui)
                         + f"<p><b>{escape(p['focus_line'].format(areas=areas))}</b></p>{evidence}"))

    # 2 goals
    g = p["goal_header"]
    rows = []
    for sentence, goal, error in result["goals"]:
        if goal is None:
            rows.append([_lines(sentence), escape(error or ""), "", "", "", todo])
            continue
        cells = goal_cells(goal, ui, lang)
        marks = " ".join(f"{part}{common['todo'] if part in goal.missing else common['done']}"
                         for part in SMART_CHECKED)
        marks = escape(marks) if goal.is_smart else f"{escape(marks)}<br>{todo}"
        rows.append([_lines(sentence), escape(cells["metric"]), escape(cells["baseline"]), escape(cells["target"]),
                     escape(cells["deadline"]), marks])
    body = (_table([g["goal"], g["metric"], g["baseline"], g["target"], g["deadline"], g["check"]], rows,
                   ["30%", "", "", "", "", "5.5em"]) if rows else f"<p>{todo} {escape(p['no_goal'])}</p>")
    short = len(focus) - len(result["goals"])
    if short > 0:
        body += f"<p>{todo} {escape(p['goals_short'].format(n=short))}</p>"
    parts.append(section("goals", body))

    # 3 template and RACI
    plan, done = result["plan"], result["completeness"]
    shown = [code for code in TEMPLATE_FIELDS if code not in ("smart_goal", "raci")]
    if not result["raci"]:
        shown.insert(0, "raci")
    rows = [[f"<b>{escape(label('field', code, lang))}</b>",
             _lines(_field_text(plan.get(code))) if code in done.filled else todo] for code in shown]
    body = _table([ui["template"]["header"]["field"], ui["template"]["header"]["content"]], rows, ["11em", ""])
    if not result["raci"]:
        body += f"<p style='color:{GREY}'>{escape(p['raci_text'])}</p>"
    parts.append(section("template", body))
    if result["raci"]:
        if result["raci_error"]:
            body = f"<p>{todo} {escape(result['raci_error'])}</p>"
        else:
            body = raci_table(result["raci"], result["raci_check"], ui, lang, printable=True)
        parts.append(section("raci", body))

    # 4 horizons
    if result["horizon_error"]:
        body = f"<p>{todo} {escape(result['horizon_error'])}</p>"
    else:
        body = horizon_table(result["horizons"], ui, lang, printable=True)
        if result["horizons"]["unscheduled"]:
            body += (f"<p>{todo} {escape(ui['horizons']['unscheduled'].format(actions=sep.join(result['horizons']['unscheduled'])))}"
                     "</p>")
    parts.append(section("horizons", body))

    # 5 schedule
    start = result["start"]
    rows = []
    for when, what, who, day in p["schedule"]:
        if day and start is not None:
            when = p["on_day"].format(when=when, date=(start + dt.timedelta(days=day)).isoformat())
        rows.append([escape(when), escape(what), escape(who)])
    s = p["schedule_header"]
    parts.append(section("schedule", _table([s["when"], s["what"], s["who"]], rows, ["11em", "", "9em"])))

    # 6 progress log
    h = p["log_header"]
    cells = [h[k] for k in ("date", "value", "done", "blockers", "next", "sign")]
    empty = [["&nbsp;<br>&nbsp;"] * len(cells) for _ in range(int(p["log_rows"]))]
    parts.append(section("log", _table(cells, empty) + f"<p style='margin-top:1.2em'>{escape(p['signature'])}</p>"))
    return (f"<div class='kit-plan' style='font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",\"PingFang SC\","
            f"Arial,sans-serif;color:#111;background:white;max-width:182mm;font-size:10.5pt;line-height:1.45;"
            f"{EXACT}'>{''.join(parts)}</div>")
