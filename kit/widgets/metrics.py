"""Interactions of lesson M4, satisfaction measurement (满意度测量).

Each one moves a number the trainee has just read about and shows what follows from it, computed by the
tested measurement engine (:mod:`kit.metrics`, :mod:`kit.servqual`, :mod:`kit.ninegrid`), never by a
formula of its own:

- :class:`NPSSimulator`: a promoter/detractor mix and a sample size → NPS with its interval, against the
  targets ≥ 50 [000] and ≥ 60 [001]; the interval narrows as n grows.
- :class:`CsatCalculator`: answers per score → top-2-box share (Wilson interval) next to the mean
  (t interval), the two readings of [000]'s CSAT.
- :class:`CesCalculator`: answers per score in either wording → mean effort (lower is easier, ≤ 2 [000]).
- :class:`ServqualExplorer`: a segment of the survey → SERVQUAL gaps P − E and the worst dimension.
- :class:`SampleSizeCalculator`: margin, confidence, population → Cochran's n with and without the
  finite-population correction, and the n per group to detect an NPS change.
- :class:`TrendAlertExplorer`: a team's KPI series → the early-warning periods of [000]'s rule.
- :class:`KpiScorecard`: a team's KPIs → met / near / missed against the [001] or [000] targets.
- :class:`NinegridSelfAssessment`: nine 1–5 self-ratings → the nine-grid radar and the three weakest
  abilities [001].

Labels live in ``kit/locale/lesson_metrics.<lang>.yml``.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from kit import metrics, ninegrid, plots, servqual, tables
from kit.i18n import get_lang, t
from kit.widgets import Interactive, escape

STYLE = {"description_width": "initial"}
WIDE = widgets.Layout(width="34em")
N_OPTIONS = (25, 50, 100, 200, 400, 800, 1600)
"""Sample sizes the NPS simulator compares (each step doubles n)."""
GREEN, RED, GREY, BLUE = "#00798c", "#d1495b", "#888888", "#30638e"


def _t(key: str, lang: str, **params) -> str:
    return t(f"lesson_metrics.{key}", lang, **params)


def _slider(kind, description: str, **options):
    return kind(description=description, style=STYLE, layout=WIDE, continuous_update=False, **options)


def _dropdown(description: str, options, value):
    return widgets.Dropdown(description=description, options=options, value=value, style=STYLE, layout=WIDE)


def _targets(kpi: str) -> dict[str, float]:
    """The seeds' targets of one KPI, by source: e.g. ``{"000": 50.0, "001": 60.0}`` for NPS."""
    rows = metrics.kpi_targets("all").query("kpi == @kpi")
    return dict(zip(rows["source"], rows["target"], strict=True))


def _target(kpi: str) -> float:
    """The target of one KPI from the default source (where the seeds disagree, [001])."""
    rows = metrics.kpi_targets().query("kpi == @kpi")
    return float(rows["target"].iloc[0])


def _lower_is_better() -> set[str]:
    """KPIs whose targets are ceilings (≤): for them a *rise* is the bad direction."""
    table = metrics.kpi_targets("all")
    return set(table.loc[table["direction"] == "≤", "kpi"])


def _error(value: float, interval: tuple[float, float]) -> list[list[float]]:
    """``xerr``/``yerr`` of one point from its interval (never negative, even when the interval is clipped)."""
    return [[max(value - interval[0], 0.0)], [max(interval[1] - value, 0.0)]]


def _scores(counts) -> np.ndarray:
    """Answers 1…k from their counts, e.g. (2, 0, 1) → [1, 1, 3]."""
    return np.repeat(np.arange(1, len(counts) + 1), counts)


# --- NPS ------------------------------------------------------------------------------------------


def _nps_answers(promoters: float, detractors: float, n: int) -> np.ndarray:
    """``n`` answers on 0–10 with (rounded) ``promoters`` % scoring 10, ``detractors`` % scoring 3, the
    rest 8 (passives)."""
    n_promoters = round(n * promoters / 100)
    n_detractors = min(round(n * detractors / 100), n - n_promoters)
    return np.repeat([10, 8, 3], [n_promoters, n - n_promoters - n_detractors, n_detractors])


def _verdict(ci: tuple[float, float], target: float) -> str:
    """``met`` when the whole interval clears the target, ``missed`` when it lies below, else ``unclear``."""
    low, high = ci
    return "met" if low >= target else "missed" if high < target else "unclear"


class NPSSimulator(Interactive):
    """NPS from a promoter/detractor mix at several sample sizes, with the interval of :func:`kit.metrics.nps`
    and the seed targets as reference lines. Detractors are capped so that the shares add up to ≤ 100 %."""

    def __init__(self, promoters: int = 55, detractors: int = 10, n: int = 100, lang: str | None = None):
        lang = lang or get_lang()
        self.title = _t("nps.title", lang)
        super().__init__({
            "promoters": _slider(widgets.IntSlider, _t("nps.promoters", lang), value=promoters, min=0, max=100),
            "detractors": _slider(widgets.IntSlider, _t("nps.detractors", lang), value=detractors, min=0,
                                  max=100),
            "n": _slider(widgets.SelectionSlider, _t("nps.n", lang), options=N_OPTIONS, value=n),
        }, lang=lang)

    def compute(self, promoters, detractors, n):
        ladder = {size: metrics.nps(_nps_answers(promoters, detractors, size)) for size in N_OPTIONS}
        result = ladder[n]
        targets = _targets("nps")
        return {"nps": result, "n": n, "ladder": ladder, "targets": targets,
                "capped": promoters + detractors > 100,
                "verdicts": {src: _verdict(result.ci, target) for src, target in targets.items()}}

    def draw(self, result):
        lang, res = self.lang, result["nps"]
        fig, (mix, ladder) = plt.subplots(2, 1, figsize=(8.4, 4.6), height_ratios=(1, 3.2), layout="constrained")
        left = 0.0
        for band, share in (("detractor", res.detractors), ("passive", res.passives), ("promoter", res.promoters)):
            mix.barh(0, 100 * share, left=left, color=plots.BAND_COLOURS[band], label=t(f"plots.bands.{band}", lang))
            if share >= 0.06:
                mix.text(left + 50 * share, 0, f"{100 * share:.0f}%", ha="center", va="center", color="white")
            left += 100 * share
        mix.set(xlim=(0, 100), yticks=[], xlabel=t("plots.share_pct", lang))
        mix.legend(frameon=False, ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize=8)
        for y, (size, r) in enumerate(result["ladder"].items()):
            chosen = size == result["n"]
            ladder.errorbar(r.value, y, xerr=_error(r.value, r.ci), fmt="o", capsize=4,
                            color=BLUE if chosen else GREY, lw=2.5 if chosen else 1.2, ms=8 if chosen else 5)
            ladder.annotate(f"{r.ci[0]:.0f} … {r.ci[1]:.0f}", (r.ci[1], y), xytext=(6, 0), textcoords="offset points",
                            va="center", fontsize=8, color=BLUE if chosen else GREY)
        for (src, target), colour in zip(result["targets"].items(), ("#edae49", RED), strict=False):
            ladder.axvline(target, color=colour, ls="--", lw=1.2, label=_t("nps.target", lang, target=target, source=src))
        ladder.set_yticks(range(len(N_OPTIONS)), [f"n = {s}" for s in N_OPTIONS])
        ladder.invert_yaxis()
        low = min(r.ci[0] for r in result["ladder"].values())
        high = max(max(r.ci[1] for r in result["ladder"].values()), *result["targets"].values())
        ladder.set(xlim=(max(low - 8, -100), min(high + 14, 100)), xlabel=t("plots.nps_ci", lang))
        ladder.legend(frameon=False, loc="lower right", fontsize=8)
        verdicts = "; ".join(_t(f"nps.verdict_{v}", lang, source=s, target=result["targets"][s])
                             for s, v in result["verdicts"].items())
        fig.suptitle(_t("nps.headline", lang, value=res.value, low=res.ci[0], high=res.ci[1], n=res.n)
                     + "\n" + verdicts, fontsize=10)
        return fig


# --- CSAT and CES -----------------------------------------------------------------------------------


class CsatCalculator(Interactive):
    """CSAT two ways from answers per score (1–5): the top-2-box share with its Wilson interval and the mean
    with its t interval (:func:`kit.metrics.csat`), the mean against the ≥ 4.5 target [000][001]."""

    def __init__(self, counts=(3, 5, 12, 42, 38), lang: str | None = None):
        lang = lang or get_lang()
        self.title = _t("csat.title", lang)
        super().__init__({f"count_{s}": _slider(widgets.IntSlider, _t("csat.count", lang, score=s), value=c,
                                                min=0, max=200)
                          for s, c in enumerate(counts, start=1)}, lang=lang)

    def compute(self, **counts):
        answers = _scores([counts[f"count_{s}"] for s in range(1, 6)])
        target = _target("csat_mean")
        res = metrics.csat(answers)
        return {"csat": res, "counts": [counts[f"count_{s}"] for s in range(1, 6)], "target": target,
                "mean_met": bool(res.n and res.mean >= target)}

    def draw(self, result):
        lang, res = self.lang, result["csat"]
        if res.n == 0:
            return f"<p>{escape(_t('empty', lang))}</p>"
        fig, (bars, share, mean) = plt.subplots(1, 3, figsize=(9.6, 3.2), width_ratios=(2.2, 1, 1), layout="constrained")
        bars.bar([str(s) for s in range(1, 6)], result["counts"], color=[GREY] * 3 + [GREEN] * 2)
        bars.set(xlabel=_t("csat.score", lang), ylabel=t("plots.responses", lang))
        bars.set_title(_t("csat.top_box", lang), fontsize=9)
        share.errorbar(0, res.value, yerr=_error(res.value, res.ci), fmt="o",
                       capsize=5, color=GREEN)
        share.set(xticks=[], ylim=(0, 100), ylabel=_t("csat.t2b_axis", lang))
        share.set_title(f"{res.value:.1f}%", fontsize=10)
        mean.errorbar(0, res.mean, yerr=_error(res.mean, res.mean_ci), fmt="o",
                      capsize=5, color=GREEN if result["mean_met"] else RED)
        mean.axhline(result["target"], color=RED, ls="--", lw=1.2)
        mean.annotate(_t("csat.target", lang, target=result["target"]), (0.02, result["target"]),
                      xycoords=("axes fraction", "data"), xytext=(0, 4), textcoords="offset points", fontsize=8, color=RED)
        mean.set(xticks=[], ylim=(1, 5), ylabel=_t("csat.mean_axis", lang))
        mean.set_title(f"{res.mean:.2f}", fontsize=10)
        fig.suptitle(_t("csat.headline", lang, t2b=res.value, t2b_low=res.ci[0], t2b_high=res.ci[1], mean=res.mean,
                        mean_low=res.mean_ci[0], mean_high=res.mean_ci[1], n=res.n), fontsize=10)
        return fig


class CesCalculator(Interactive):
    """CES from answers per score (1–7) in either wording: [000]'s effort scale (1 = very easy) or the external
    CES 2.0 agreement scale (7 = very easy), recoded as 8 − x so that lower is always easier; mean effort
    with its t interval (:func:`kit.metrics.ces`) against the ≤ 2 target [000]."""

    WORDINGS = ("agreement", "effort")

    def __init__(self, counts=(2, 3, 5, 10, 20, 35, 25), wording: str = "agreement", lang: str | None = None):
        lang = lang or get_lang()
        self.title = _t("ces.title", lang)
        controls = {"wording": _dropdown(_t("ces.wording", lang),
                                         [(_t(f"ces.wordings.{w}", lang), w) for w in self.WORDINGS], wording)}
        controls.update({f"count_{s}": _slider(widgets.IntSlider, _t("ces.count", lang, score=s), value=c,
                                               min=0, max=200) for s, c in enumerate(counts, start=1)})
        super().__init__(controls, lang=lang)

    def compute(self, wording, **counts):
        answers = _scores([counts[f"count_{s}"] for s in range(1, 8)])
        effort = 8 - answers if wording == "agreement" else answers
        target = _target("ces")
        res = metrics.ces(effort)
        return {"ces": res, "wording": wording, "answered_mean": float(answers.mean()) if len(answers) else np.nan,
                "effort_counts": np.bincount(effort, minlength=8)[1:].tolist(), "target": target,
                "met": bool(res.n and res.value <= target)}

    def draw(self, result):
        lang, res = self.lang, result["ces"]
        if res.n == 0:
            return f"<p>{escape(_t('empty', lang))}</p>"
        fig, ax = plt.subplots(figsize=(8.4, 3.4), layout="constrained")
        colours = [GREEN if s <= 2 else GREY for s in range(1, 8)]
        ax.bar([str(s) for s in range(1, 8)], result["effort_counts"], color=colours)
        ax.set(xlabel=_t("ces.effort_axis", lang), ylabel=t("plots.responses", lang))
        top = max(result["effort_counts"])
        ax.errorbar(res.value - 1, top * 1.08, xerr=_error(res.value, res.ci), fmt="v",
                    capsize=4, ms=9, color=GREEN if result["met"] else RED, label=_t("ces.mean", lang, value=res.value))
        ax.axvline(result["target"] - 1, color=RED, ls="--", lw=1.2, label=_t("ces.target", lang, target=result["target"]))
        ax.set_ylim(0, top * 1.2)
        ax.legend(frameon=False, fontsize=8, loc="upper right")
        headline = _t(f"ces.headline_{result['wording']}", lang, answered=result["answered_mean"], value=res.value,
                      low=res.ci[0], high=res.ci[1], share=100 * res.low_effort_share, n=res.n)
        fig.suptitle(headline + "\n" + _t("ces.direction", lang), fontsize=10)
        return fig


# --- SERVQUAL ---------------------------------------------------------------------------------------


class ServqualExplorer(Interactive):
    """SERVQUAL gaps P − E (:func:`kit.servqual.gaps`) of the whole survey or of one segment, as a radar of
    expectation and perception and as gap bars with intervals; the worst dimension in the title."""

    GROUPS = ("segment", "channel", "tier")

    def __init__(self, survey: pd.DataFrame, group: str = "all", lang: str | None = None):
        lang = lang or get_lang()
        self.title = _t("servqual.title", lang)
        self.survey = survey
        options = [(_t("servqual.all", lang, n=len(survey)), "all")]
        for column in (c for c in self.GROUPS if c in survey):
            for value in survey[column].dropna().unique():
                label = f"{plots.column_label('survey_responses', column, lang)}: " \
                        f"{plots.value_label('survey_responses', column, value, lang)}"
                options.append((label, f"{column}={value}"))
        super().__init__({"group": _dropdown(_t("servqual.group", lang), options, group)}, lang=lang)

    def _subset(self, group: str) -> pd.DataFrame:
        if group == "all":
            return self.survey
        column, value = group.split("=", 1)
        return self.survey[self.survey[column].astype(str) == value]

    def compute(self, group):
        result = servqual.gaps(self._subset(group))
        return {"group": group, "gaps": result, "worst": result.worst,
                "gap": float(result.table.loc[result.worst, "gap"])}

    def draw(self, result):
        lang, data = self.lang, self._subset(result["group"])
        fig = plt.figure(figsize=(10.5, 4.2), layout="constrained")
        radar = plots.servqual_radar(data, lang=lang, ax=fig.add_subplot(1, 2, 1, projection="polar"))
        radar.set_title("")
        radar.legend(frameon=False, loc="upper left", bbox_to_anchor=(-0.35, 1.12))
        plots.servqual_gaps(data, lang=lang, ax=fig.add_subplot(1, 2, 2))
        res = result["gaps"]
        fig.suptitle(_t("servqual.headline", lang, n=res.n, worst=servqual.dimension_name(result["worst"], lang),
                        gap=result["gap"], overall=res.overall), fontsize=10)
        return fig


# --- sample size ------------------------------------------------------------------------------------


class SampleSizeCalculator(Interactive):
    """Responses needed for a margin of error — for a share (Cochran 1977, external; :func:`kit.metrics.sample_size`)
    and for an NPS in points (:func:`kit.metrics.nps_sample_size`, up to 4× more) — with the finite-population
    correction, and per group to detect an NPS change (80 % power), at the planning shares ``promoters`` and
    ``detractors``."""

    POPULATIONS = (0, 500, 1000, 5000, 20000)
    MARGINS = np.arange(2.0, 10.5, 0.5)
    CHANGES = np.arange(3, 21)

    def __init__(self, promoters: float = 0.35, detractors: float = 0.30, lang: str | None = None):
        lang = lang or get_lang()
        self.title = _t("sample.title", lang)
        self.promoters, self.detractors = promoters, detractors
        populations = [(_t("sample.infinite", lang) if p == 0 else f"{p:,}", p) for p in self.POPULATIONS]
        super().__init__({
            "margin": _slider(widgets.FloatSlider, _t("sample.margin", lang), value=5.0, min=2.0, max=10.0, step=0.5),
            "confidence": _dropdown(_t("sample.confidence", lang), [("90%", 0.90), ("95%", 0.95), ("99%", 0.99)], 0.95),
            "population": _dropdown(_t("sample.population", lang), populations, 1000),
            "change": _slider(widgets.IntSlider, _t("sample.change", lang), value=8, min=3, max=20),
        }, lang=lang)

    def _n(self, margin: float, confidence: float, population: int) -> int:
        return metrics.sample_size(margin / 100, confidence, population=population or None)

    def _n_nps(self, margin: float, confidence: float, population: int) -> int:
        return metrics.nps_sample_size(margin, confidence=confidence, promoters=self.promoters,
                                       detractors=self.detractors, population=population or None)

    def _n_change(self, change: int, confidence: float) -> int:
        return metrics.nps_sample_size(change=change, confidence=confidence, promoters=self.promoters,
                                       detractors=self.detractors)

    def compute(self, margin, confidence, population, change):
        return {"n0": self._n(margin, confidence, 0), "n": self._n(margin, confidence, population),
                "n_nps": self._n_nps(margin, confidence, population),
                "n_change": self._n_change(change, confidence), "margin": margin, "confidence": confidence,
                "population": population, "change": change}

    def draw(self, result):
        lang, conf = self.lang, result["confidence"]
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
        left.plot(self.MARGINS, [self._n(m, conf, 0) for m in self.MARGINS], color=GREY,
                  label=_t("sample.infinite", lang))
        if result["population"]:
            left.plot(self.MARGINS, [self._n(m, conf, result["population"]) for m in self.MARGINS], color=BLUE,
                      label=_t("sample.finite", lang, population=result["population"]))
        left.plot(self.MARGINS, [self._n_nps(m, conf, result["population"]) for m in self.MARGINS], color=RED,
                  label=_t("sample.nps", lang))
        left.scatter([result["margin"]] * 3, [result["n0"], result["n"], result["n_nps"]], color=RED, zorder=3)
        left.annotate(f"NPS: n = {result['n_nps']:,}", (result["margin"], result["n_nps"]), xytext=(8, 8),
                      textcoords="offset points")
        left.annotate(f"n = {result['n']:,}", (result["margin"], result["n"]), xytext=(8, 8), textcoords="offset points")
        left.set(yscale="log", xlabel=_t("sample.margin", lang), ylabel=_t("sample.responses", lang))
        left.legend(frameon=False, fontsize=8)
        right.plot(self.CHANGES, [self._n_change(c, conf) for c in self.CHANGES], color=BLUE)
        right.scatter([result["change"]], [result["n_change"]], color=RED, zorder=3)
        right.annotate(f"n = {result['n_change']:,}", (result["change"], result["n_change"]), xytext=(8, 8),
                       textcoords="offset points")
        right.set(yscale="log", xlabel=_t("sample.change", lang), ylabel=_t("sample.per_group", lang))
        fig.suptitle(_t("sample.headline", lang, margin=result["margin"], confidence=100 * conf, n0=result["n0"],
                        n=result["n"], n_nps=result["n_nps"], change=result["change"], n_change=result["n_change"],
                        promoters=100 * self.promoters, detractors=100 * self.detractors), fontsize=10)
        return fig


# --- early warning ----------------------------------------------------------------------------------


class TrendAlertExplorer(Interactive):
    """One team's KPI series from ``kpi_snapshots`` with the early-warning rule of [000]
    (:func:`kit.metrics.trend_alert`): a relative drop of more than ``drop`` % in ``periods`` consecutive
    periods; for KPIs where lower is better (CES, times, complaint rate, churn) a rise counts."""

    KPIS = ("nps", "csat_mean", "csat_t2b", "ces", "fcr", "resp_min", "resolve_h", "complaint_rate", "retention")

    def __init__(self, snapshots: pd.DataFrame, team: str | None = None, kpi: str = "csat_t2b",
                 lang: str | None = None):
        lang = lang or get_lang()
        self.title = _t("trend.title", lang)
        self.snapshots = snapshots
        self.lower_is_better = _lower_is_better()
        teams = list(snapshots["team"].dropna().unique())
        kpis = [(t(f"metrics.kpi.{k}", lang), k) for k in self.KPIS if k in snapshots]
        super().__init__({
            "team": _dropdown(_t("trend.team", lang), teams, team or teams[0]),
            "kpi": _dropdown(_t("trend.kpi", lang), kpis, kpi),
            "drop": _slider(widgets.IntSlider, _t("trend.drop", lang), value=10, min=2, max=30),
            "periods": _slider(widgets.IntSlider, _t("trend.periods", lang), value=2, min=1, max=4),
        }, lang=lang)

    def compute(self, team, kpi, drop, periods):
        series = self.snapshots.loc[self.snapshots["team"] == team].set_index("period")[kpi]
        higher = kpi not in self.lower_is_better
        table = metrics.trend_alert(series, drop=drop / 100, periods=periods, higher_is_better=higher)
        return {"team": team, "kpi": kpi, "table": table, "higher_is_better": higher,
                "alerts": table.loc[table["alert"], "period"].astype(str).tolist()}

    def draw(self, result):
        lang, table = self.lang, result["table"]
        fig, ax = plt.subplots(figsize=(8.6, 3.6), layout="constrained")
        x = table["period"].astype(str)
        ax.plot(x, table["value"], marker="o", color=BLUE)
        falling = table["falling"].to_numpy()
        ax.scatter(x[falling], table["value"][falling], s=60, facecolor="none", edgecolor="#edae49", lw=2, zorder=3,
                   label=_t("trend.falling", lang))
        alert = table["alert"].to_numpy()
        ax.scatter(x[alert], table["value"][alert], s=160, marker="v", color=RED, zorder=4,
                   label=_t("trend.alert", lang))
        for xi, value, change in zip(x[falling], table["value"][falling], table["change"][falling], strict=True):
            ax.annotate(f"{100 * change:+.0f}%", (xi, value), xytext=(0, -16), textcoords="offset points",
                        ha="center", fontsize=8, color=RED)
        direction = t(f"metrics.direction.{'higher' if result['higher_is_better'] else 'lower'}", lang)
        ax.set(xlabel=t("plots.period", lang), ylabel=_t("trend.axis", lang, kpi=t("metrics.kpi." + result["kpi"], lang),
                                                         direction=direction))
        ax.tick_params(axis="x", rotation=45)
        ax.legend(frameon=False, fontsize=8, loc="lower left")
        alerts = ", ".join(result["alerts"]) or _t("trend.none", lang)
        ax.set_title(_t("trend.headline", lang, team=result["team"], alerts=alerts), fontsize=10)
        return fig


# --- scorecard --------------------------------------------------------------------------------------


class KpiScorecard(Interactive):
    """A team's KPIs on sliders against the seed targets (:func:`kit.metrics.scorecard`), shown as the
    red/amber/green table of :func:`kit.tables.scorecard`; ``source`` picks the [001] or [000] targets. The
    result holds the ``card``, each row's ``status`` keyed ``"<kpi>@<source>"`` and the ``counts`` per status."""

    RANGES = {"nps": (-20.0, 80.0, 0.1), "csat_mean": (3.0, 5.0, 0.01), "ces": (1.0, 5.0, 0.01),
              "fcr": (50.0, 95.0, 0.1), "resp_min": (0.0, 60.0, 0.1), "resolve_h": (0.0, 48.0, 0.1),
              "complaint_rate": (0.0, 2.0, 0.01), "retention": (70.0, 100.0, 0.1), "churn": (0.0, 20.0, 0.1),
              "promise_kept": (70.0, 100.0, 0.1)}
    """Slider range and step of each KPI, in the units of ``kpi_snapshots`` (steps match its precision)."""
    SOURCES = ("default", "001", "000", "all")

    def __init__(self, actuals, source: str = "default", lang: str | None = None):
        lang = lang or get_lang()
        self.title = _t("scorecard.title", lang)
        actuals = dict(actuals)
        controls = {}
        for kpi, (low, high, step) in self.RANGES.items():
            if kpi in actuals and pd.notna(actuals[kpi]):
                controls[kpi] = _slider(widgets.FloatSlider, t(f"metrics.kpi.{kpi}", lang), min=low, max=high,
                                        step=step, value=float(np.clip(actuals[kpi], low, high)),
                                        readout_format=".2f" if step < 0.1 else ".1f")
        controls["source"] = _dropdown(_t("scorecard.source", lang),
                                       [(_t(f"scorecard.sources.{s}", lang), s) for s in self.SOURCES], source)
        super().__init__(controls, lang=lang)

    def compute(self, source, **actuals):
        card = metrics.scorecard(actuals, source=None if source == "default" else source, lang=self.lang)
        return {"card": card, "status": dict(zip(card["kpi"] + "@" + card["source"], card["status"], strict=True)),
                "counts": card["status"].value_counts().to_dict()}

    def draw(self, result):
        counts = {s: result["counts"].get(s, 0) for s in ("met", "near", "missed")}
        summary = _t("scorecard.headline", self.lang, **counts)
        return f"<p>{escape(summary)}</p>" + tables.scorecard(result["card"], self.lang).to_html()


# --- nine-grid --------------------------------------------------------------------------------------


class NinegridSelfAssessment(Interactive):
    """The service nine-grid of [001]: nine 1–5 self-ratings → the radar (:func:`kit.ninegrid.radar`), the
    dimension means and the three weakest abilities; ``reference`` (e.g. the cohort's mean) is drawn grey."""

    def __init__(self, ratings=None, reference=None, lang: str | None = None):
        lang = lang or get_lang()
        self.title = _t("ninegrid.title", lang)
        self.reference = reference
        start = {a: 3 for a in ninegrid.ABILITIES} if ratings is None else ninegrid.assess(ratings).scores.round()
        super().__init__({a: _slider(widgets.IntSlider, f"{ninegrid.dimension_name(ninegrid.DIMENSION_OF[a], lang)} · "
                                     f"{ninegrid.ability_name(a, lang)}", value=int(start[a]), min=1, max=5)
                          for a in ninegrid.ABILITIES}, lang=lang)

    def compute(self, **ratings):
        return ninegrid.assess(ratings)

    def draw(self, result):
        lang = self.lang
        fig, ax = plt.subplots(figsize=(7.6, 5.4), subplot_kw={"projection": "polar"}, layout="constrained")
        labels = (_t("ninegrid.you", lang), _t("ninegrid.reference", lang))
        ninegrid.radar(result.scores, compare=self.reference, labels=labels, lang=lang, ax=ax)
        weakest = _t("sep", lang).join(ninegrid.ability_name(a, lang) for a in result.weakest)
        dims = " · ".join(f"{ninegrid.dimension_name(d, lang)} {v:.1f}" for d, v in result.dimensions.items())
        ax.set_title(_t("ninegrid.headline", lang, weakest=weakest, dimensions=dims), fontsize=10, pad=18)
        return fig
