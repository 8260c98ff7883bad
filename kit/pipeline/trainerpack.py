"""The trainer pack (培训师手册): what a trainer prints for the room, in Chinese and English.

Six documents per language, each a notebook of Markdown cells exported by :func:`kit.pipeline.export_html`
(title header, contents, print CSS, CJK fonts), like the lesson handouts of :mod:`kit.pipeline.handouts`:

* ``agendas``      a half-day (3.5 h) and a full-day (7 h) agenda per module: blocks with start time, minutes,
  activity, method, materials and debrief questions;
* ``scoresheets``  an observer scoresheet per role-play: behaviours anchored 1–5, a score and a notes column, total;
* ``rolecards``    the customer (or colleague) and staff cards of every role-play (situation, goal, what you know,
  what you keep back unless asked);
* ``jobaids``      pocket cards: LEAF, HEAT, LESCANT, the KPI definitions with the course's targets (read from
  ``course/config/targets.yml``), the response deadlines, the closed feedback loop and PDCA;
* ``prepost``      the pre/post test of every module, the trainee's copy;
* ``prepost-key``  its answer key: answer, learning objective and reason per item, objective coverage, and how
  to record the scores so the cohort report shows Kirkpatrick level 2.

The content lives in ``course/trainer/``: a language-neutral file per document (structure, minutes, answers,
ids) and its ``.zh.yml`` / ``.en.yml`` texts with the same keys (docs/trainer-pack.md). Every text is plain
text: the renderer escapes it, so a ``<`` or ``|`` in a text can break neither a table nor the page. Sections
(h2) start on a new printed page, so every card and every scoresheet prints on its own A4 sheet. Layout of
``out_dir``::

    index.html                   links to every document, a section per language
    agendas.zh.html …            one page per document and language (and, with pdf=True, agendas.zh.pdf …)
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kit.errors import KitError

FOLDER = "trainer"
LANGS = ("zh", "en")
DOCUMENTS = ("agendas", "scoresheets", "rolecards", "jobaids", "prepost", "prepost-key")
FORMATS = {"half": 210, "full": 420}
"""The two agenda formats and their teaching minutes: 3.5 h, and 7 h (two sessions around lunch)."""
METHODS = ("input", "exercise", "roleplay", "debrief", "notebook", "test", "break")
SIDES = ("customer", "colleague", "staff")
"""Who a role card is for: the customer, a colleague (the capstone's role-plays are inside the team), the staff
member the trainee plays."""
KPIS = ("nps", "csat_mean", "ces", "fcr", "resp_min", "resolve_h", "complaint_rate")
"""The KPIs on the KPI job aid, in this order; their targets come from ``course/config/targets.yml``."""
OPTION_KEYS = ("a", "b", "c", "d")

STYLE = """<style>
.tp-lead{color:#3b4350}
.kit-page .jp-RenderedHTMLCommon ul.tp-fields{display:flex;flex-wrap:wrap;gap:.9rem 1.6rem;margin:.6rem 0 1rem;padding:0;list-style:none}
.kit-page .jp-RenderedHTMLCommon ul.tp-fields li{flex:0 0 calc((100% - 3.2rem) / 3);margin:0;border-bottom:1px solid #5a6270;padding:0 0 .15rem;color:#5a6270;font-size:.9em}
.kit-page .jp-RenderedHTMLCommon table.tp-table{width:100%;table-layout:fixed;border-collapse:collapse;margin:.4rem 0 1rem}
.kit-page .jp-RenderedHTMLCommon table.tp-table th,.kit-page .jp-RenderedHTMLCommon table.tp-table td{border:1px solid #b9c2cf;padding:.3rem .4rem;vertical-align:top;white-space:normal;word-break:normal;overflow-wrap:anywhere;text-align:left;font-size:.92em;line-height:1.45}
.kit-page .jp-RenderedHTMLCommon table.tp-table thead th{background:#eef2f7;color:#16324f;overflow-wrap:normal;hyphens:none}
.kit-page .jp-RenderedHTMLCommon table.tp-table tr.tp-break td{background:#f5f6f8;color:#5a6270}
.kit-page .jp-RenderedHTMLCommon table.tp-table tr.tp-total td{font-weight:600;background:#f5f6f8}
.kit-page .jp-RenderedHTMLCommon table.tp-sheet td{font-size:.84em}
.tp-what{display:block;color:#5a6270;font-size:.9em;margin-top:.15rem}
.tp-time{white-space:nowrap;font-variant-numeric:tabular-nums}
.tp-method{display:inline-block;padding:0 .35rem;border-radius:3px;background:#e6edf6;color:#16324f;font-size:.85em;white-space:nowrap}
.tp-card{border:2px solid #16324f;border-radius:10px;padding:.9rem 1.1rem;margin:.4rem 0 1rem}
.tp-card.tp-customer{border-color:#8a4b08}
.tp-band{display:inline-block;margin:0 0 .5rem;padding:.1rem .6rem;border-radius:4px;background:#16324f;color:#fff;font-weight:600;font-size:.9em}
.tp-customer .tp-band{background:#8a4b08}
.tp-card.tp-colleague{border-color:#2f6b3a}
.tp-colleague .tp-band{background:#2f6b3a}
.tp-card h4,.tp-aid h4{margin:.7rem 0 .2rem;font-size:1em;font-weight:600;color:#16324f}
.tp-card p,.tp-aid p{margin:.2rem 0}
.tp-card ul,.tp-aid ul{margin:.2rem 0 .4rem 1.2rem;padding:0}
.tp-source{color:#5a6270;font-size:.85em;margin-top:.6rem}
.tp-item{margin:.7rem 0 .9rem}
.tp-item .tp-stem{font-weight:600;margin:0 0 .25rem}
.kit-page .jp-RenderedHTMLCommon .tp-item ol{list-style:none;margin:0 0 0 1.2rem;padding:0;display:grid;grid-template-columns:1fr 1fr;gap:.1rem 1.5rem}
.tp-item li{margin:.1rem 0}
.tp-item li::before{content:"\\2610\\00a0"}
.kit-page .jp-RenderedHTMLCommon .tp-index ul{list-style:none;padding-left:0}
.tp-index li{margin:.45rem 0}
.tp-index .tp-what{display:inline;margin-left:.4rem}
@media print{.tp-item,.tp-card,.tp-fields{break-inside:avoid;page-break-inside:avoid}
.tp-card{margin-top:0}
.kit-page .jp-RenderedHTMLCommon h2{margin-top:0;font-size:1.45em}
.kit-page .jp-RenderedHTMLCommon p.tp-source{margin:.2rem 0;font-size:.8em}
.kit-page .jp-RenderedHTMLCommon table.tp-table th,.kit-page .jp-RenderedHTMLCommon table.tp-table td{padding:.2rem .3rem;line-height:1.35;font-size:.86em}
.kit-page .jp-RenderedHTMLCommon table.tp-sheet td{font-size:.76em;line-height:1.3;hyphens:auto;padding:.15rem .25rem}
.kit-page .jp-RenderedHTMLCommon p.tp-lead{margin:.3rem 0;line-height:1.45;font-size:.92em}
.kit-page .jp-RenderedHTMLCommon ol.tp-debrief{margin:.1rem 0 0;font-size:.9em;line-height:1.4}
.kit-page .jp-RenderedHTMLCommon ol.tp-debrief li{margin:0}
.kit-page .jp-RenderedHTMLCommon ul.tp-fields{margin:.3rem 0 .6rem;gap:.6rem 1.6rem}
.tp-item{margin:.3rem 0 .45rem}
.tp-item .tp-stem{margin:0 0 .1rem;line-height:1.4}
.kit-page .jp-RenderedHTMLCommon .tp-item li{margin:0;line-height:1.4}}
</style>"""
"""The pack's own styles (cards, write-in fields, fixed-width tables), inlined in each page next to kit.css."""


# --- content ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Module:
    """A module of the course: ``m1`` … ``m5`` and ``capstone``, its code, lesson text and ``marks`` code."""

    key: str
    code: str
    lesson: str | None
    notebook: str | None
    marks_module: str


def neutral(doc: str) -> dict:
    """The language-neutral part of a trainer-pack document, ``course/trainer/<doc>.yml``."""
    from kit import text

    return text.data(f"{FOLDER}/{doc}")


def texts(doc: str, lang: str):
    """The texts of a trainer-pack document in ``lang`` (``course/trainer/<doc>.<lang>.yml``)."""
    from kit import text

    return text.load(f"{FOLDER}/{doc}", lang)


def modules() -> dict[str, Module]:
    """Every module by key, in course order."""
    return {key: Module(key, **spec) for key, spec in neutral("pack")["modules"].items()}


def objectives(module: str, lang: str) -> list[str]:
    """The learning objectives of ``module`` in ``lang``, numbered from 1 in this order: the bullets of the
    lesson's ``objectives`` text. Empty when the lesson has no text in ``lang`` (yet).

    >>> parse_objectives("After this lesson you can:\\n- explain the **paradox**;\\n- run LEAF in order\\n  and HEAT.")
    ['explain the paradox', 'run LEAF in order and HEAT']
    """
    from kit import text

    lesson = modules()[module].lesson
    if lesson is None or not text.path_of(lesson, lang).exists():
        return []
    return parse_objectives(text.load(lesson, lang)["objectives"])


def parse_objectives(markdown: str) -> list[str]:
    """The bullet items of an ``objectives`` text, without Markdown emphasis or the closing ``；`` / ``;`` / ``.``;
    an indented line carries on the item above it."""
    items: list[str] = []
    for line in str(markdown).splitlines():
        if line.lstrip().startswith("- "):
            items.append(line.lstrip()[2:].strip())
        elif items and line.startswith("  ") and line.strip():
            items[-1] += " " + line.strip()
    return [re.sub(r"[；;。.]$", "", item.replace("**", "")).strip() for item in items]


def kpi_targets(lang: str) -> dict[str, str]:
    """The course's target(s) of each KPI of :data:`KPIS` as text, every variant with its source tag, e.g.
    ``nps`` → ``≥ 50［000］；≥ 60［001］`` (from ``course/config/targets.yml``)."""
    from kit import text

    labels = texts("labels", lang)
    config = text.data("config/targets")["kpis"]
    shown = {}
    for kpi in KPIS:
        spec = config[kpi]
        parts = []
        for source, target in spec["targets"].items():
            value, name = (target["target"], target.get("name")) if isinstance(target, dict) else (target, None)
            number = f"{value:g}"
            unit = labels["units"][spec["unit"]]
            tag = f"［{source}］" if lang == "zh" else f" [{source}]"
            named = f"{labels['kpi_names'][name]} " if name else ""
            parts.append(f"{named}{spec['direction'].replace('>=', '≥').replace('<=', '≤')} {number}{unit}{tag}")
        shown[kpi] = labels["target_join"].join(parts)
    return shown


# --- small HTML helpers ------------------------------------------------------------------------------------


def esc(value) -> str:
    """``value`` as HTML text on one line (author text is never markup)."""
    return html.escape(" ".join(str(value).split()), quote=True)


def _heading(level: int, title: str) -> str:
    from kit.text import escape_markdown

    return f"{'#' * level} {escape_markdown(title)}"


def _list(items: Sequence, tag: str = "ul", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f"<{tag}{klass}>" + "".join(f"<li>{esc(item)}</li>" for item in items) + f"</{tag}>"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int] | None = None,
           cls: str = "", row_classes: Sequence[str] | None = None) -> str:
    """A table on one line per row (no blank line, so Markdown keeps it one HTML block); cells are HTML."""
    cols = ("<colgroup>" + "".join(f'<col style="width:{w}%">' for w in widths) + "</colgroup>") if widths else ""
    head = "<thead><tr>" + "".join(f"<th>{h}</th>" for h in headers) + "</tr></thead>"
    body = []
    for row, klass in zip(rows, row_classes or [""] * len(rows), strict=True):
        opening = f'<tr class="{klass}">' if klass else "<tr>"
        body.append(opening + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>")
    return f'<table class="tp-table {cls}">{cols}{head}<tbody>' + "\n".join(body) + "</tbody></table>"


def _fields(names: Sequence[str]) -> str:
    return '<ul class="tp-fields">' + "".join(f"<li>{esc(name)}</li>" for name in names) + "</ul>"


def _cell(*parts: str):
    import nbformat.v4 as nbf

    return nbf.new_markdown_cell("\n\n".join(part for part in parts if part))


def _notebook(cells: list):
    import nbformat.v4 as nbf

    return nbf.new_notebook(cells=[_cell(STYLE), *cells],
                            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})


def _minutes_to_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def clock(time: str) -> int:
    """Minutes since midnight of ``"HH:MM"``.

    >>> clock("13:30")
    810
    """
    hours, minutes = str(time).split(":")
    return int(hours) * 60 + int(minutes)


def _module_name(module: str, lang: str) -> str:
    labels = texts("labels", lang)
    return f"{labels['module_codes'][module]} {labels['module_names'][module]}"


# --- the documents ------------------------------------------------------------------------------------------


def agendas(lang: str):
    """The agendas of every module, half day then full day, each starting on a new printed page."""
    labels, words, plan = texts("labels", lang), texts("agendas", lang), neutral("agendas")
    roleplay_titles = texts("scoresheets", lang)
    cells = [_cell(f'<p class="tp-lead">{esc(labels["agendas_intro"])}</p>', _agenda_overview(lang))]
    for module in modules():
        for fmt in FORMATS:
            spec, text = plan[module], words[module]
            rows, classes = [], []
            for number, session in enumerate(spec[fmt]):
                if number:
                    rows.append([f'<span class="tp-time">{esc(_end(spec[fmt][number - 1]))}–{esc(session[0]["start"])}</span>',
                                 "", esc(labels["lunch"]), "", "", ""])
                    classes.append("tp-break")
                for block in session:
                    activity = block["activity"]
                    method = spec["activities"][activity]["method"]
                    words_of = text["activities"][activity]
                    end = _minutes_to_clock(clock(block["start"]) + block["minutes"])
                    materials = [words_of.get("materials", "")]
                    roleplay = spec["activities"][activity].get("roleplay")
                    if roleplay:
                        materials.append(labels["roleplay_materials"].format(title=roleplay_titles[roleplay]["title"]))
                    rows.append([
                        f'<span class="tp-time">{esc(block["start"])}–{esc(end)}</span>',
                        esc(block["minutes"]),
                        f"<strong>{esc(words_of['title'])}</strong>"
                        + (f'<span class="tp-what">{esc(words_of["what"])}</span>' if words_of.get("what") else ""),
                        f'<span class="tp-method">{esc(labels["methods"][method])}</span>',
                        esc(" ".join(m for m in materials if m)),
                        _list(words_of.get("debrief", ())) if words_of.get("debrief") else "",
                    ])
                    classes.append("tp-break" if method == "break" else "")
            head = [esc(labels["agenda_columns"][key]) for key in
                    ("time", "minutes", "activity", "method", "materials", "debrief")]
            total = sum(block["minutes"] for session in spec[fmt] for block in session)
            cells.append(_cell(
                _heading(2, f"{_module_name(module, lang)} · {labels['formats'][fmt]}"),
                f'<p class="tp-lead">{esc(text["focus"])}</p>',
                f'<p class="tp-lead">{esc(text[f"note_{fmt}"])}</p>' if text.get(f"note_{fmt}") else "",
                _table(head, rows, widths=(11, 6, 30, 10, 18, 25), row_classes=classes),
                f'<p class="tp-source">{esc(labels["agenda_total"].format(minutes=total, hours=f"{total / 60:g}"))}</p>'))
    return cells


def _end(session: list) -> str:
    last = session[-1]
    return _minutes_to_clock(clock(last["start"]) + last["minutes"])


def _agenda_overview(lang: str) -> str:
    labels, plan = texts("labels", lang), neutral("agendas")
    rows = []
    for module in modules():
        cells = [esc(_module_name(module, lang))]
        for fmt in FORMATS:
            cells.append(esc(labels["list_join"].join(f"{s[0]['start']}–{_end(s)}" for s in plan[module][fmt])))
        rows.append(cells)
    head = [esc(labels["overview_columns"]["module"]), *(esc(labels["formats"][fmt]) for fmt in FORMATS)]
    return _table(head, rows, widths=(40, 30, 30))


def _roleplay_time(spec: dict, lang: str) -> str:
    return texts("labels", lang)["roleplay_time"].format(minutes=spec["minutes"], debrief=spec["debrief"])


def scoresheets(lang: str):
    """One observer scoresheet per role-play: behaviours with anchors 1–5, score and notes columns, total."""
    labels, words, plays = texts("labels", lang), texts("scoresheets", lang), neutral("roleplays")
    overview = [[esc(_module_name(spec["module"], lang)), esc(words[rid]["title"]),
                 esc(_roleplay_time(spec, lang))] for rid, spec in plays.items()]
    cells = [_cell(f'<p class="tp-lead">{esc(labels["scoresheets_intro"])}</p>',
                   _table([esc(labels["overview_columns"][k]) for k in ("module", "roleplay", "time")], overview,
                          widths=(28, 44, 28)))]
    for rid, spec in plays.items():
        sheet = words[rid]
        head = [esc(labels["sheet_columns"]["behaviour"]), *(str(n) for n in range(1, 6)),
                esc(labels["sheet_columns"]["score"]), esc(labels["sheet_columns"]["notes"])]
        rows = []
        for bid in spec["behaviours"]:
            behaviour = sheet["behaviours"][bid]
            rows.append([f"<strong>{esc(behaviour['name'])}</strong>"
                         f'<span class="tp-what">{esc(behaviour["look_for"])}</span>',
                         *(esc(anchor) for anchor in behaviour["anchors"]), "", ""])
        n = len(spec["behaviours"])
        rows.append([esc(labels["sheet_total"]), "", "", "", "", "", esc(f"/ {5 * n}"), ""])
        cells.append(_cell(
            _heading(2, f"{labels['module_codes'][spec['module']]} · {sheet['title']}"),
            _fields(_sheet_fields(spec, lang)),
            f'<p class="tp-lead">{esc(sheet["setup"])}</p>',
            f'<p class="tp-source">{esc(labels["sheet_scale"])}</p>',
            _table(head, rows, widths=(18.5, 11.5, 11.5, 11.5, 11.5, 11.5, 7.5, 16.5), cls="tp-sheet",
                   row_classes=[""] * n + ["tp-total"]),
            f"<h4>{esc(labels['debrief_heading'])}</h4>" + _list(sheet["debrief"], "ol", "tp-debrief")))
    return cells


def _sheet_fields(spec: dict, lang: str) -> list[str]:
    """The write-in fields of a scoresheet: group, a player per side the role-play has (staff first), observer,
    date, round."""
    labels = texts("labels", lang)
    sides = [side for side in ("staff", *SIDES) if side in spec["cards"].values()]
    players = [labels["sheet_players"][side] for side in dict.fromkeys(sides)]
    return [labels["sheet_fields"]["group"], *players, *(labels["sheet_fields"][k] for k in ("observer", "date", "round"))]


def rolecards(lang: str):
    """The role cards of every role-play, one card per printed page: customer cards, then staff cards."""
    labels, cards, sheets, plays = texts("labels", lang), texts("rolecards", lang), texts("scoresheets", lang), \
        neutral("roleplays")
    overview = [[esc(labels["module_codes"][spec["module"]]), esc(sheets[rid]["title"]),
                 *(esc(labels["list_join"].join(cards[rid][cid]["role_short"] for cid, s in spec["cards"].items()
                                                if s == side)) for side in SIDES)]
                for rid, spec in plays.items()]
    cells = [_cell(f'<p class="tp-lead">{esc(labels["rolecards_intro"])}</p>',
                   _table([esc(labels["overview_columns"][k]) for k in ("module", "roleplay")]
                          + [esc(labels["sides"][side]) for side in SIDES], overview, widths=(9, 33, 20, 18, 20)))]
    for rid, spec in plays.items():
        for side in SIDES:
            for cid, card_side in spec["cards"].items():
                if card_side != side:
                    continue
                card = cards[rid][cid]
                body = (f'<div class="tp-card tp-{side}"><span class="tp-band">{esc(labels["sides"][side])}</span>'
                        f"<p><strong>{esc(labels['card']['roleplay'])}</strong> {esc(sheets[rid]['title'])}"
                        f" · {esc(_roleplay_time(spec, lang))}</p>"
                        f"<h4>{esc(labels['card']['role'])}</h4><p>{esc(card['role'])}</p>"
                        f"<h4>{esc(labels['card']['situation'])}</h4><p>{esc(card['situation'])}</p>"
                        f"<h4>{esc(labels['card']['goal'])}</h4><p>{esc(card['goal'])}</p>"
                        f"<h4>{esc(labels['card']['know'])}</h4>{_list(card['know'])}"
                        f"<h4>{esc(labels['card']['hold_back'])}</h4>{_list(card['hold_back'])}"
                        f'<p class="tp-source">{esc(labels["card"]["footer"])}</p></div>')
                title = labels["card_heading"].format(code=labels["module_codes"][spec["module"]],
                                                      roleplay=sheets[rid]["title"], side=labels["sides"][side],
                                                      role=card["role_short"])
                cells.append(_cell(_heading(2, title), body))
    return cells


def jobaids(lang: str):
    """The job-aid cards: the step models, the KPI card (targets from the targets file) and the loops."""
    labels, aids = texts("labels", lang), texts("jobaids", lang)
    cells = [_cell(f'<p class="tp-lead">{esc(labels["jobaids_intro"])}</p>')]
    for aid in neutral("jobaids")["cards"]:
        card = aids[aid]
        parts = [f'<p class="tp-lead">{esc(card["intro"])}</p>']
        if "steps" in card:
            columns = {**{k: labels["aid_columns"][k] for k in ("do", "say", "avoid")}, **card.get("columns", {})}
            head = [esc(labels["aid_columns"]["step"]), *(esc(columns[k]) for k in ("do", "say", "avoid"))]
            rows = [[f"<strong>{i}. {esc(step['name'])}</strong>", esc(step["do"]), esc(step.get("say", "")),
                     esc(step.get("avoid", ""))] for i, step in enumerate(card["steps"], 1)]
            widths = (20, 32, 28, 20)
            if "score" in columns:  # a sheet to fill in: an empty score box per row
                head, rows, widths = [*head, esc(columns["score"])], [[*row, ""] for row in rows], (18, 28, 26, 18, 10)
            parts.append(_table(head, rows, widths=widths))
        if aid == "kpi":
            targets = kpi_targets(lang)
            head = [esc(labels["aid_columns"][k]) for k in ("kpi", "formula", "target", "note")]
            rows = [[f"<strong>{esc(card['kpis'][kpi]['name'])}</strong>", esc(card["kpis"][kpi]["formula"]),
                     esc(targets[kpi]), esc(card["kpis"][kpi]["note"])] for kpi in KPIS]
            parts.append(_table(head, rows, widths=(18, 34, 22, 26)))
        if "deadlines" in card:
            head = [esc(labels["aid_columns"][k]) for k in ("deadline", "rule", "source")]
            rows = [[esc(d["limit"]), esc(d["rule"]), esc(d["source"])] for d in card["deadlines"]]
            parts.append(_table(head, rows, widths=(22, 58, 20)))
        if "variants" in card:
            head = [esc(labels["aid_columns"][k]) for k in ("variant", "source", "steps")]
            rows = [[esc(v["name"]), esc(v["source"]), esc(v["steps"])] for v in card["variants"]]
            parts.append(f"<h4>{esc(card['variants_heading'])}</h4>" + _table(head, rows, widths=(24, 14, 62)))
        if card.get("remember"):
            parts.append(f"<h4>{esc(labels['remember'])}</h4>" + _list(card["remember"]))
        parts.append(f'<p class="tp-source">{esc(card["sources"])}</p>')
        cells.append(_cell(_heading(2, card["title"]), '<div class="tp-aid">' + "".join(parts) + "</div>"))
    return cells


def prepost(lang: str):
    """The pre/post test of every module, the trainee's copy (no answers)."""
    labels, words, plan = texts("labels", lang), texts("prepost", lang), neutral("prepost")
    cells = [_cell(f'<p class="tp-lead">{esc(labels["prepost_intro"])}</p>')]
    for module in modules():
        items = []
        for n, qid in enumerate(plan[module]["items"], 1):
            item = words[module]["items"][qid]
            options = "".join(f"<li>{key}) {esc(item['options'][key])}</li>" for key in OPTION_KEYS)
            items.append(f'<div class="tp-item"><p class="tp-stem">{n}. {esc(item["stem"])}</p><ol>{options}</ol></div>')
        cells.append(_cell(_heading(2, f"{_module_name(module, lang)} · {labels['prepost_title']}"),
                           _fields(labels["test_fields"]),
                           f'<p class="tp-lead">{esc(labels["test_instructions"].format(n=len(items)))}</p>',
                           "\n".join(items)))
    return cells


def prepost_key(lang: str):
    """The answer key of every pre/post test: answer, objective and reason per item; which items test which
    objective; and how to record the scores for the cohort report (Kirkpatrick level 2)."""
    labels, words, plan, mods = texts("labels", lang), texts("prepost", lang), neutral("prepost"), modules()
    cells = [_cell(f'<p class="tp-lead">{esc(labels["key_intro"])}</p>')]
    for module, spec in mods.items():
        goals = objectives(module, lang)
        rows, covered = [], {}
        for n, (qid, item_spec) in enumerate(plan[module]["items"].items(), 1):
            item = words[module]["items"][qid]
            objective = item_spec["objective"]
            covered.setdefault(objective, []).append(str(n))
            rows.append([esc(f"{n} ({qid})"), f"<strong>{esc(item_spec['answer'])}</strong>",
                         esc(labels["objective_ref"].format(n=objective)), esc(item["why"])])
        key = _table([esc(labels["key_columns"][k]) for k in ("item", "answer", "objective", "why")], rows,
                     widths=(13, 9, 12, 66))
        coverage = [[esc(labels["objective_ref"].format(n=i)), esc(goals[i - 1] if i <= len(goals) else ""),
                     esc(", ".join(covered.get(i, ())))] for i in range(1, max(len(goals), max(covered)) + 1)]
        cover = _table([esc(labels["key_columns"][k]) for k in ("objective", "text", "items")], coverage,
                       widths=(12, 70, 18))
        record = labels["key_record"].format(module=spec.marks_module, test=f"{spec.marks_module}-test",
                                             first="Q01", n=len(rows))
        cells.append(_cell(_heading(2, f"{_module_name(module, lang)} · {labels['key_title']}"), key,
                           f"<h4>{esc(labels['coverage_heading'])}</h4>" + cover,
                           f'<p class="tp-source">{esc(record)}</p>'))
    return cells


BUILDERS = {"agendas": agendas, "scoresheets": scoresheets, "rolecards": rolecards, "jobaids": jobaids,
            "prepost": prepost, "prepost-key": prepost_key}


# --- building -----------------------------------------------------------------------------------------------


def notebook(doc: str, lang: str):
    """The notebook of document ``doc`` in ``lang``: Markdown cells only, ready for :func:`export_html`."""
    if doc not in BUILDERS:
        raise ValueError(f"doc must be one of {', '.join(DOCUMENTS)}; got {doc!r}")
    return _notebook(BUILDERS[doc](lang))


def choose_langs(lang: str | Sequence[str]) -> list[str]:
    """``zh``, ``en`` or ``both`` (or a list of languages) as the list of languages to build.

    >>> choose_langs("both")
    ['zh', 'en']
    """
    chosen = list(LANGS) if lang in ("both", None) else [lang] if isinstance(lang, str) else list(lang)
    for one in chosen:
        if one not in LANGS:
            raise KitError("unknown_lang", value=one)
    return list(dict.fromkeys(chosen))


def build(out_dir: str | Path, langs: str | Sequence[str] = LANGS, *, pdf: bool = False,
          date=None) -> list[Path]:
    """Write every document in each of ``langs`` to ``out_dir`` and an ``index.html`` linking them; with ``pdf``
    also an A4 PDF beside each page (:func:`kit.pipeline.pdf.print_pdf`, needs Chromium). Returns the pages in
    order (per language, per document), then their PDFs, then the index."""
    from kit.pipeline.export import export_html

    langs = choose_langs(langs)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pages: list[tuple[str, str, Path]] = []
    for lang in langs:
        labels = texts("labels", lang)
        for doc in DOCUMENTS:
            page = export_html(notebook(doc, lang), out / f"{doc}.{lang}.html", title=labels["titles"][doc],
                               subtitle=labels["subtitles"][doc], series=labels["series"], lang=lang, date=date,
                               hide_code=True)
            pages.append((lang, doc, page))
    printed = []
    if pdf:
        from kit.pipeline.pdf import print_pdf

        printed = [print_pdf(page) for _, _, page in pages]
    index = write_index(out, pages, langs, pdf=bool(printed), date=date)
    return [page for _, _, page in pages] + printed + [index]


def write_index(out: Path, pages: Sequence[tuple[str, str, Path]], langs: Sequence[str], *, pdf: bool = False,
                date=None) -> Path:
    """``out/index.html``: a section per language linking its documents (and their PDFs), in the kit's look."""
    import nbformat.v4 as nbf

    from kit.pipeline.export import HTML_LANG, export_html

    cells = []
    for lang in langs:
        labels = texts("labels", lang)
        items = []
        for page_lang, doc, page in pages:
            if page_lang != lang:
                continue
            link = f'<a href="{html.escape(page.relative_to(out).as_posix())}">{esc(labels["titles"][doc])}</a>'
            if pdf:
                link += f' · <a href="{html.escape(page.with_suffix(".pdf").relative_to(out).as_posix())}">PDF</a>'
            items.append(f'<li>{link}<span class="tp-what">{esc(labels["descriptions"][doc])}</span></li>')
        cells.append(nbf.new_markdown_cell(
            f'<section class="tp-index" lang="{HTML_LANG[lang]}">\n<h2>{esc(labels["language_heading"])}</h2>\n'
            f'<p>{esc(labels["index_intro"])}</p>\n<ul>\n' + "\n".join(items) + "\n</ul>\n</section>"))
    page_lang = "zh" if "zh" in langs else langs[0]
    title = " · ".join(texts("labels", lang)["index_title"] for lang in langs)
    series = " · ".join(texts("labels", lang)["series"] for lang in langs)
    subtitle = texts("labels", page_lang)["index_subtitle"].format(n=len(pages))
    return export_html(_notebook(cells), out / "index.html", title=title, series=series, subtitle=subtitle,
                       lang=page_lang, page_breaks=False, date=date)
