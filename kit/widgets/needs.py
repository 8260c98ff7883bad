"""Lesson M1 (需求分析) interactions: a Kano questionnaire, a needs priority matrix, a persona builder, a
journey emotion curve, a SPIN tag review and a 4D promise ledger.

Texts come from ``course/needs/tools.<lang>.yml`` and data from ``course/needs/tools.yml``; the logic
lives in :mod:`kit.needs` and :mod:`kit.kano`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit import kano, needs
from kit.checks import evaluate
from kit.data.schemas import KANO_ANSWERS
from kit.i18n import get_lang, t
from kit.plots import KANO_COLOURS
from kit.text import data as course_data
from kit.widgets import Interactive, escape, frame_table
from kit.widgets import figure_html as _figure_html

ACCENT, MUTED, ALERT = "#30638e", "#b0b0b0", "#d1495b"
QUADRANT_COLOURS = {"do_first": ALERT, "plan": ACCENT, "delegate": "#edae49", "later": "#888888"}
CARD = "border:1px solid #ccc;border-radius:6px;padding:.6em 1em;max-width:46em"
CELL = "text-align:left;padding:.2em 1em .2em 0"
WIDE = {"description_width": "initial"}


def texts(lang: str):
    """The interactions' texts in ``lang`` (``course/needs/tools.<lang>.yml``)."""
    from kit.text import load

    return load("needs/tools", lang)


def data() -> dict:
    """The interactions' language-neutral data (``course/needs/tools.yml``)."""
    return course_data("needs/tools")


def answer_label(code: int, lang: str) -> str:
    """A Kano answer's label in ``lang`` from :data:`kit.data.schemas.KANO_ANSWERS` (喜欢 … / like …).

    >>> answer_label(2, "zh"), answer_label(2, "en")
    ('理应如此', 'must-be')
    """
    labels = KANO_ANSWERS[code]
    return labels[0] if lang == "zh" else next(label for label in labels if label.isascii())


def _dropdown(options, value, description: str, width: str = "32em"):
    import ipywidgets as widgets

    return widgets.Dropdown(options=options, value=value, description=description, style=WIDE,
                            layout=widgets.Layout(width=width))


def _slider(value, description: str, low: int = 1, high: int = 5):
    import ipywidgets as widgets

    return widgets.IntSlider(value=value, min=low, max=high, description=description, style=WIDE,
                             continuous_update=False, layout=widgets.Layout(width="34em"))


def _text(value: str, description: str):
    import ipywidgets as widgets

    return widgets.Text(value=value, description=description, continuous_update=False, style=WIDE,
                        layout=widgets.Layout(width="46em"))




# --- Kano questionnaire --------------------------------------------------------------------------------


class KanoQuestionnaire(Interactive):
    """Answer the functional and dysfunctional question for a few features: the evaluation table classifies
    each pair (:func:`kit.kano.classify`), and the Better/Worse map sets your answers (each a corner of the
    map) beside the sample customers' coefficients (:func:`kit.kano.summary`)."""

    def __init__(self, answers: pd.DataFrame | None = None, lang: str | None = None):
        lang = lang or get_lang()
        tx = texts(lang)
        self.title = tx["kano"]["title"]
        defaults = data()["kano"]["answers"]
        self.features = list(defaults)
        self.names = {f: tx["features"].get(f, f) for f in self.features}
        self.crowd = None if answers is None else kano.summary(answers[answers["feature"].isin(self.features)])
        options = [(answer_label(code, lang), code) for code in KANO_ANSWERS]
        controls = {}
        for i, feature in enumerate(self.features):
            functional, dysfunctional = defaults[feature]
            name = self.names[feature]
            controls[f"functional_{i}"] = _dropdown(options, functional, tx["kano"]["present"].format(feature=name))
            controls[f"dysfunctional_{i}"] = _dropdown(options, dysfunctional,
                                                       tx["kano"]["absent"].format(feature=name))
        super().__init__(controls, lang)

    def compute(self, **values) -> pd.DataFrame:
        """Per feature: your answers, your category and your Better/Worse (one respondent), and the sample's
        category, share, Better and Worse when sample answers were given."""
        mine = pd.DataFrame({
            "feature": self.features,
            "functional": [values[f"functional_{i}"] for i in range(len(self.features))],
            "dysfunctional": [values[f"dysfunctional_{i}"] for i in range(len(self.features))],
        })
        own = kano.summary(mine).table[["category", "better", "worse"]]
        table = mine.set_index("feature").join(own)
        if self.crowd is not None:
            crowd = self.crowd.table[["category", "share", "better", "worse", "n"]]
            table = table.join(crowd.add_prefix("crowd_"))
        return table

    def draw(self, result: pd.DataFrame) -> str:
        import matplotlib.pyplot as plt

        tx = texts(self.lang)["kano"]
        fig, (grid, bw) = plt.subplots(1, 2, figsize=(11.5, 5), width_ratios=(1, 1.15), layout="constrained")
        self._grid(grid, result, tx)
        self._map(bw, result, tx)
        return _figure_html(fig) + frame_table(self._rows(result, tx))

    def _grid(self, ax, result: pd.DataFrame, tx) -> None:
        """The 5 × 5 evaluation table, each cell tinted by its category, your answer pairs numbered in it."""
        from matplotlib.colors import to_rgba

        colours = np.array([[to_rgba(KANO_COLOURS[c], 0.22) for c in row] for row in kano.TABLE])
        ax.imshow(colours, aspect="auto")
        for (row, col), category in np.ndenumerate(kano.TABLE):
            ax.text(col, row - 0.28, category, ha="center", va="center", fontsize=10, color=KANO_COLOURS[category])
        for cell, group in result.groupby(["functional", "dysfunctional"], sort=False):
            numbers = [self.features.index(f) + 1 for f in group.index]
            for k, number in enumerate(numbers):
                x = cell[1] - 1 + (k - (len(numbers) - 1) / 2) * 0.3
                ax.scatter(x, cell[0] - 1 + 0.12, s=260, color="white", edgecolors=ACCENT, linewidths=1.5, zorder=3)
                ax.text(x, cell[0] - 1 + 0.12, str(number), ha="center", va="center", fontsize=9, zorder=4)
        labels = [answer_label(code, self.lang) for code in KANO_ANSWERS]
        ax.set_xticks(range(5), labels, fontsize=8)
        ax.set_yticks(range(5), labels, fontsize=8)
        ax.set(xlabel=tx["grid_columns"], ylabel=tx["grid_rows"])
        ax.xaxis.set_label_position("top")
        ax.xaxis.tick_top()
        ax.grid(False)
        ax.set_title(tx["grid_title"], fontsize=10)

    def _map(self, ax, result: pd.DataFrame, tx) -> None:
        """Better against |Worse|: your answers (hollow, at a corner) and the sample's coefficients (filled)."""
        for number, (feature, row) in enumerate(result.iterrows(), start=1):
            colour = KANO_COLOURS.get(row["category"], "#666")
            ax.scatter(-row["worse"], row["better"], s=150, facecolors="white", edgecolors=colour, linewidths=2,
                       label=tx["you"] if number == 1 else None, zorder=3)
            ax.annotate(str(number), (-row["worse"], row["better"]), ha="center", va="center", fontsize=8, zorder=4)
            if "crowd_better" in result:
                crowd = (-row["crowd_worse"], row["crowd_better"])
                ax.plot([-row["worse"], crowd[0]], [row["better"], crowd[1]], color=MUTED, lw=0.8, ls=":")
                ax.scatter(*crowd, s=70, color=KANO_COLOURS.get(row["crowd_category"], "#666"), zorder=3,
                           label=tx["crowd"].format(n=int(row["crowd_n"])) if number == 1 else None)
                ax.annotate(f"{number} {self.names[feature]}", crowd, xytext=(6, 4), textcoords="offset points",
                            fontsize=9)
        for category, (x, y) in {"A": (0.25, 1.05), "O": (0.75, 1.05), "M": (0.75, -0.05), "I": (0.25, -0.05)}.items():
            ax.text(x, y, kano.category_name(category, self.lang), ha="center", va="center", fontsize=8,
                    color=KANO_COLOURS[category])
        ax.axvline(0.5, color="#999", lw=0.8, ls="--")
        ax.axhline(0.5, color="#999", lw=0.8, ls="--")
        ax.set(xlim=(-0.08, 1.08), ylim=(-0.08, 1.08), xlabel=t("models.kano.worse", self.lang),
               ylabel=t("models.kano.better", self.lang))
        ax.set_title(tx["map_title"], fontsize=10)
        ax.legend(frameon=False, fontsize=8, loc="center", bbox_to_anchor=(0.5, -0.2), ncols=2)

    def _rows(self, result: pd.DataFrame, tx) -> pd.DataFrame:
        rows = pd.DataFrame({
            tx["feature"]: [f"{n} {self.names[f]}" for n, f in enumerate(result.index, start=1)],
            tx["answers"]: [f"{answer_label(a, self.lang)} / {answer_label(b, self.lang)}"
                            for a, b in zip(result["functional"], result["dysfunctional"], strict=True)],
            tx["category"]: [kano.category_name(c, self.lang) for c in result["category"]],
        })
        if "crowd_category" in result:
            rows[tx["crowd_category"]] = [f"{kano.category_name(c, self.lang)} ({s:.0%})"
                                          for c, s in zip(result["crowd_category"], result["crowd_share"], strict=True)]
            rows[tx["better"]] = result["crowd_better"].round(2).to_numpy()
            rows[tx["worse"]] = result["crowd_worse"].round(2).to_numpy()
        return rows


# --- needs priority matrix ---------------------------------------------------------------------------


class PriorityMatrix(Interactive):
    """Rate a branch backlog's importance and urgency and weight the five criteria of [002]: the items move
    on the importance × urgency matrix (:func:`kit.needs.quadrant`) and the weighted top three change
    (:func:`kit.needs.prioritise`)."""

    top = 3

    def __init__(self, lang: str | None = None):
        lang = lang or get_lang()
        tx = texts(lang)
        self.title = tx["priority"]["title"]
        self.backlog = needs.example_backlog()
        self.names = dict(tx["priority"]["items"])
        controls = {}
        for key, row in self.backlog.iterrows():
            for rating in ("importance", "urgency"):
                controls[f"{rating}_{key}"] = _slider(int(row[rating]),
                                                      tx["priority"][rating].format(item=self.names[key]))
        for criterion in needs.CRITERIA:
            controls[f"weight_{criterion}"] = _slider(1, tx["priority"]["weight"].format(
                criterion=tx["criteria"][criterion]), low=0)
        super().__init__(controls, lang)

    def compute(self, **values) -> pd.DataFrame:
        """The backlog ranked by weighted score, with quadrants (see :func:`kit.needs.prioritise`)."""
        backlog = self.backlog.copy()
        for rating in ("importance", "urgency"):
            backlog[rating] = [values[f"{rating}_{key}"] for key in backlog.index]
        weights = {c: values[f"weight_{c}"] for c in needs.CRITERIA}
        if not any(weights.values()):
            weights = None  # all weights at zero: fall back to equal weights
        table = needs.prioritise(backlog, weights, top=self.top)
        return table.join(backlog[["importance", "urgency"]])

    def draw(self, result: pd.DataFrame) -> str:
        import matplotlib.pyplot as plt

        tx = texts(self.lang)
        fig, (matrix, bars) = plt.subplots(1, 2, figsize=(11.5, 4.6), width_ratios=(1, 1.1), layout="constrained")
        self._matrix(matrix, result, tx)
        self._bars(bars, result, tx)
        label = tx["priority"]
        rows = pd.DataFrame({
            label["rank"]: result["rank"].to_numpy(),
            label["item"]: [self.names[k] for k in result.index],
            label["quadrant"]: [tx["quadrants"][q] for q in result["quadrant"]],
            label["score"]: result["score"].round(2).to_numpy(),
        })
        return _figure_html(fig) + frame_table(rows)

    def _matrix(self, ax, result: pd.DataFrame, tx) -> None:
        """Urgency (x) × importance (y); quadrant lines between 3 and 4, items numbered by backlog order."""
        split = needs.thresholds()["priority_cut"]["kit"] + 0.5
        order = list(self.backlog.index)
        spot = result[["urgency", "importance"]].astype(float)
        duplicates = spot.groupby(["urgency", "importance"]).cumcount().to_numpy()
        for (key, row), shift in zip(result.iterrows(), duplicates, strict=True):
            x, y = row["urgency"] + 0.18 * shift, row["importance"]
            ax.scatter(x, y, s=240, color=QUADRANT_COLOURS[row["quadrant"]], zorder=3)
            ax.text(x, y, str(order.index(key) + 1), ha="center", va="center", color="white", fontsize=9, zorder=4)
        corners = {"do_first": (0.98, 0.98, "right", "top"), "plan": (0.02, 0.98, "left", "top"),
                   "delegate": (0.98, 0.02, "right", "bottom"), "later": (0.02, 0.02, "left", "bottom")}
        for quadrant, (x, y, ha, va) in corners.items():
            ax.text(x, y, tx["quadrants"][quadrant], transform=ax.transAxes, ha=ha, va=va, fontsize=9,
                    color=QUADRANT_COLOURS[quadrant])
        ax.axvline(split, color="#999", lw=0.8, ls="--")
        ax.axhline(split, color="#999", lw=0.8, ls="--")
        ax.set(xlim=(0.4, 5.9), ylim=(0.4, 5.6), xticks=range(1, 6), yticks=range(1, 6),
               xlabel=tx["priority"]["axis_urgency"], ylabel=tx["priority"]["axis_importance"])
        ax.set_title(tx["priority"]["matrix_title"], fontsize=10)

    def _bars(self, ax, result: pd.DataFrame, tx) -> None:
        """Weighted scores, best first; the top items coloured by quadrant, the rest grey."""
        order = list(self.backlog.index)
        labels = [f"{order.index(k) + 1} {self.names[k]}" for k in result.index]
        colours = [QUADRANT_COLOURS[q] if top else MUTED for q, top in zip(result["quadrant"], result["top"], strict=True)]
        ax.barh(labels, result["score"], color=colours)
        for y, score in enumerate(result["score"]):
            ax.text(score + 0.05, y, f"{score:.2f}", va="center", fontsize=9)
        ax.invert_yaxis()
        ax.set(xlim=(1, 5.5), xlabel=tx["priority"]["score_axis"])
        ax.set_title(tx["priority"]["score_title"].format(top=self.top), fontsize=10)


# --- persona builder --------------------------------------------------------------------------------


class PersonaBuilder(Interactive):
    """Fill in a client's four persona element groups and pick the contact's role and style [000] and the
    segment [001]: the card shows what this contact cares about, how to approach them, and which element
    groups are still missing (:func:`kit.needs.missing_elements`)."""

    def __init__(self, lang: str | None = None):
        lang = lang or get_lang()
        tx = texts(lang)
        label, example, preset = tx["persona"], tx["persona"]["example"], data()["persona"]
        self.title = label["title"]
        controls = {"name": _text(example["name"], label["name"])}
        controls |= {element: _text(example[element], tx["elements"][element]) for element in needs.PERSONA_ELEMENTS}
        controls["segment"] = _dropdown([(v["name"], k) for k, v in tx["segments"].items()], preset["segment"],
                                        label["segment"], width="24em")
        controls["role"] = _dropdown([(tx["roles"][r]["name"], r) for r in needs.ROLES], preset["role"], label["role"],
                                     width="24em")
        controls["style"] = _dropdown([(tx["styles"][s]["name"], s) for s in needs.STYLES], preset["style"],
                                      label["style"], width="24em")
        super().__init__(controls, lang)

    def compute(self, **values) -> dict:
        """The card's fields (text stripped) and the element groups still missing."""
        card = {key: str(value).strip() for key, value in values.items()}
        return {**card, "missing": needs.missing_elements(card)}

    def draw(self, result: dict) -> str:
        tx = texts(self.lang)
        label, role, style = tx["persona"], tx["roles"][result["role"]], tx["styles"][result["style"]]
        segment = tx["segments"][result["segment"]]
        elements = "".join(f"<li><b>{escape(tx['elements'][e])}</b>{escape(label['colon'])}{escape(result[e]) or '—'}</li>"
                           for e in needs.PERSONA_ELEMENTS)
        if result["missing"]:
            missing = label["list_sep"].join(tx["elements"][e] for e in result["missing"])
            status = f'<p style="color:{ALERT}">{escape(label["missing"].format(elements=missing))}</p>'
        else:
            status = f'<p style="color:#00798c">{escape(label["complete"])}</p>'
        facts = [(label["role"], f"{role['name']}{label['colon']}{role['note']}"), (label["cares"], segment["focus"]),
                 (label["style"], style["name"]), (label["focus"], style["focus"]), (label["approach"], style["approach"])]
        rows = "".join(f'<tr><th style="{CELL}">{escape(k)}</th><td style="{CELL}">{escape(v)}</td></tr>'
                       for k, v in facts)
        return (f'<div style="{CARD}"><h4 style="margin:.2em 0">{escape(result["name"]) or "—"} · '
                f'{escape(segment["name"])}</h4><ul>{elements}</ul><table>{rows}</table>{status}</div>')


# --- journey emotion curve ---------------------------------------------------------------------------


class JourneyMap(Interactive):
    """Satisfaction per journey stage [001] as an emotion curve whose low is the pain point [000]
    (:func:`kit.needs.pain_point`); the sliders start at the survey's stage means (:func:`kit.needs.stage_means`)."""

    def __init__(self, survey: pd.DataFrame, lang: str | None = None, score: str = "csat"):
        import ipywidgets as widgets

        lang = lang or get_lang()
        tx = texts(lang)
        self.title = tx["journey"]["title"]
        means = needs.stage_means(survey, score=score).round(2)
        controls = {stage: widgets.FloatSlider(value=float(means[stage]), min=1, max=5, step=0.01,
                                               description=tx["stages"][stage], continuous_update=False, style=WIDE,
                                               layout=widgets.Layout(width="34em"))
                    for stage in needs.STAGES}
        super().__init__(controls, lang)

    def compute(self, **values) -> dict:
        """The stage means in journey order, the pain point (lowest stage), the best stage and the gap."""
        means = pd.Series(values, dtype=float).reindex(list(needs.STAGES))
        pain, best = needs.pain_point(means), means.idxmax()
        return {"means": means, "pain": pain, "best": best, "gap": float(means[best] - means[pain])}

    def draw(self, result: dict) -> str:
        import matplotlib.pyplot as plt

        tx = texts(self.lang)
        label, means = tx["journey"], result["means"]
        names = [tx["stages"][s] for s in means.index]
        fig, ax = plt.subplots(figsize=(8.5, 3.8), layout="constrained")
        ax.plot(names, means.to_numpy(), marker="o", color=ACCENT, lw=2)
        ax.axhline(means.mean(), color=MUTED, ls="--", lw=0.8, label=label["mean"].format(value=means.mean()))
        pain = list(means.index).index(result["pain"])
        ax.scatter([pain], [means.iloc[pain]], s=220, color=ALERT, zorder=3,
                   label=label["pain"].format(stage=names[pain], value=means.iloc[pain]))
        for x, value in enumerate(means):
            ax.annotate(f"{value:.2f}", (x, value), xytext=(0, 9), textcoords="offset points", ha="center", fontsize=9)
        low, high = max(1.0, means.min() - 0.5), min(5.0, means.max() + 0.5)
        ticks = np.arange(np.ceil(low * 4) / 4, high + 1e-9, 0.25)
        ax.set(ylim=(low, high), ylabel=label["axis"])
        ax.set_yticks(ticks, [f"{v:g} {label['emotions'][int(v)]}" if v.is_integer() else f"{v:g}" for v in ticks])
        ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=9)
        summary = label["summary"].format(stage=names[pain], value=means.iloc[pain], best=tx["stages"][result["best"]],
                                          gap=result["gap"])
        return _figure_html(fig) + f"<p>{escape(summary)}</p>"


# --- SPIN tag review ---------------------------------------------------------------------------------


class SpinSorter(Interactive):
    """Review a colleague's S/P/I/N tags on a client interview [000]: fix the tags and see which are right,
    the cue of each wrong one and the confusion table (:func:`kit.needs.confusion`)."""

    def __init__(self, lang: str | None = None):
        lang = lang or get_lang()
        tx = texts(lang)["spin"]
        self.title = tx["title"]
        self.key = data()["spin"]["key"]
        options = [(tx["names"][code], code) for code in needs.SPIN]
        controls = {qid: _dropdown(options, tag, f"{tx['tag'].format(n=n)}  {tx['questions'][qid]}", width="100%")
                    for n, (qid, tag) in enumerate(data()["spin"]["colleague"].items(), start=1)}
        super().__init__(controls, lang)

    def compute(self, **tags) -> dict:
        """The tags, the verdict against the key (score, wrong items) and the confusion table."""
        verdict = evaluate("classify", self.key, tags)
        return {"tags": tags, "score": verdict.score, "wrong": verdict.wrong,
                "confusion": needs.confusion(tags, self.key)}

    def draw(self, result: dict) -> str:
        tx = texts(self.lang)["spin"]
        rows = []
        for n, (qid, tag) in enumerate(result["tags"].items(), start=1):
            key = self.key[qid]
            check = "✓" if qid not in result["wrong"] else "✗ " + tx["fix"].format(key=tx["names"][key],
                                                                                 cue=tx["cues"][key])
            rows.append({tx["number"]: n, tx["question"]: tx["questions"][qid], tx["given"]: tx["names"][tag],
                         tx["check"]: check})
        confusion = result["confusion"].rename(index=tx["names"], columns=tx["names"]).rename_axis(
            index="", columns=None).reset_index()
        right = len(self.key) - len(result["wrong"])
        return (f"<p><b>{escape(tx['summary'].format(right=right, n=len(self.key)))}</b></p>{frame_table(pd.DataFrame(rows))}"
                f"<p>{escape(tx['confusion'])}</p>{frame_table(confusion)}")


# --- 4D promise ledger -------------------------------------------------------------------------------


class PromiseLedger(Interactive):
    """Mark each promise kept or broken: the fulfilment rate against the 95 % promise target and, for the promises on
    basic needs, against the 98 % basic-need target [000] (:func:`kit.needs.ledger`)."""

    def __init__(self, lang: str | None = None):
        lang = lang or get_lang()
        tx = texts(lang)["ledger"]
        self.title = tx["title"]
        self.promises = data()["promises"]
        status = [(tx["kept"], True), (tx["broken"], False)]
        controls = {key: _dropdown(status, spec["kept"], tx["promises"][key], width="40em")
                    for key, spec in self.promises.items()}
        super().__init__(controls, lang)

    def compute(self, **kept) -> dict:
        """The ledger of all promises and of those on basic needs."""
        basic = [kept[k] for k, spec in self.promises.items() if spec["basic"]]
        return {"kept": kept, "all": needs.ledger(list(kept.values())),
                "basic": needs.ledger(basic, target=needs.threshold("basic_need_fulfilment"))}

    def draw(self, result: dict) -> str:
        import matplotlib.pyplot as plt

        tx = texts(self.lang)["ledger"]
        fig, ax = plt.subplots(figsize=(8, 2.6), layout="constrained")
        for y, part in enumerate(("all", "basic")):
            ledger = result[part]
            ax.barh(y, ledger.rate, color=ACCENT if ledger.met else ALERT, height=0.5)
            ax.plot([ledger.target] * 2, [y - 0.32, y + 0.32], color="#222", lw=2)
            ax.text(ledger.target - 0.01, y - 0.36, tx["target"].format(target=ledger.target), ha="right",
                    va="bottom", fontsize=8)
            ax.text(0.01, y, f"{ledger.rate:.1%}", va="center", color="white", fontsize=9)
        ax.set_yticks([0, 1], [tx["all"], tx["basic"]])
        ax.invert_yaxis()
        ax.set(xlim=(0, 1.02), xlabel=tx["axis"])
        ax.xaxis.set_major_formatter("{x:.0%}")
        lines = "".join(f"<li><b>{escape(tx[part])}</b>{escape(tx['colon'])}{escape(self._summary(result[part], tx))}</li>"
                        for part in ("all", "basic"))
        rows = pd.DataFrame({
            tx["promise"]: [tx["promises"][k] for k in self.promises],
            tx["type"]: [tx["basic_type"] if spec["basic"] else tx["other_type"] for spec in self.promises.values()],
            tx["status"]: ["✓ " + tx["kept"] if result["kept"][k] else "✗ " + tx["broken"] for k in self.promises],
        })
        return f"{_figure_html(fig)}<ul>{lines}</ul>{frame_table(rows)}"

    @staticmethod
    def _summary(ledger: needs.Ledger, tx) -> str:
        return tx["summary"].format(kept=ledger.kept, n=ledger.n, rate=ledger.rate, target=ledger.target,
                                    verdict=tx["met"] if ledger.met else tx["missed"], allowed=ledger.allowed_misses)
