"""Plots with one seaborn theme and a CJK-capable font, labelled in Chinese or English.

Each plotting function takes ``data=`` and column names, draws on ``ax`` (or a new figure) and returns
the matplotlib Axes, like seaborn. Column and value labels come from :mod:`kit.schemas`.
"""

from __future__ import annotations

from kit.i18n import get_lang, t

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "Arial Unicode MS",
)
BAND_COLOURS = {"detractor": "#d1495b", "passive": "#edae49", "promoter": "#00798c"}
KANO_COLOURS = {"A": "#00798c", "O": "#30638e", "M": "#d1495b", "I": "#888888", "R": "#edae49", "Q": "#5c4d7d"}
QUADRANT_COLOURS = {"concentrate": "#d1495b", "keep_up": "#00798c", "low_priority": "#888888", "overkill": "#edae49"}


def cjk_font() -> str | None:
    """The first installed CJK font family of :data:`CJK_FAMILIES`, or None.

    Rescans the system fonts once if matplotlib's cache predates a newly installed font."""
    from matplotlib import font_manager

    for rescan in (False, True):
        if rescan:
            font_manager.fontManager = font_manager._load_fontmanager(try_read_cache=False)
        installed = {f.name for f in font_manager.fontManager.ttflist}
        for family in CJK_FAMILIES:
            if family in installed:
                return family
    return None


def set_theme() -> str | None:
    """Apply the kit's seaborn theme with a CJK font first in the fallback list; returns that font."""
    import matplotlib as mpl
    import seaborn as sns

    family = cjk_font()
    sns.set_theme(style="whitegrid", context="notebook", palette="deep")
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["font.sans-serif"] = ([family] if family else []) + ["DejaVu Sans"]
    mpl.rcParams["axes.unicode_minus"] = False
    mpl.rcParams["figure.dpi"] = 110
    return family


def column_label(kind: str, column: str, lang: str | None = None) -> str:
    """Display name of a schema column: its Chinese header, or its short English label."""
    from kit.schemas import get_schema

    field = get_schema(kind).by_name[column]
    return field.zh if (lang or get_lang()) == "zh" else field.label_en


def value_label(kind: str, column: str, code, lang: str | None = None) -> str:
    """Display label of a categorical code: the Chinese label in zh, the code itself in en."""
    from kit.schemas import get_schema

    choices = get_schema(kind).by_name[column].choices or {}
    if (lang or get_lang()) == "zh" and code in choices:
        return choices[code][0]
    return str(code)


def _axes(ax, size=(7, 3.6)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def score_distribution(data, x: str, *, kind: str = "survey_responses", lang: str | None = None, ax=None):
    """Bar chart of how many answers gave each score of ``x``, every point of the scale shown;
    NPS bars are coloured by band (detractor / passive / promoter)."""
    import pandas as pd

    from kit.metrics import nps_band
    from kit.schemas import get_schema

    lang = lang or get_lang()
    field = get_schema(kind).by_name[x]
    scale = range(int(field.min), int(field.max) + 1)
    counts = pd.Series(data[x]).value_counts().reindex(scale, fill_value=0)
    ax = _axes(ax)
    if x == "nps":
        import matplotlib.patches as mpatches

        ax.bar([str(s) for s in scale], counts.to_numpy(), color=[BAND_COLOURS[b] for b in nps_band(list(scale))])
        ax.legend(
            handles=[mpatches.Patch(color=c, label=t(f"plots.bands.{b}", lang)) for b, c in BAND_COLOURS.items()],
            frameon=False,
        )
    else:
        ax.bar([str(s) for s in scale], counts.to_numpy(), color="#30638e")
    ax.set(xlabel=column_label(kind, x, lang), ylabel=t("plots.responses", lang))
    ax.set_title(t("plots.score_distribution", lang, column=column_label(kind, x, lang), n=int(counts.sum())))
    return ax


def volume_by_month(data, x: str = "submitted_at", hue: str = "channel", *, kind: str = "survey_responses",
                    lang: str | None = None, ax=None):
    """Stacked bars of rows per calendar month of ``x``, split by ``hue``."""
    import pandas as pd

    lang = lang or get_lang()
    months = pd.Series(data[x]).dt.strftime("%Y-%m")
    table = pd.crosstab(months, pd.Series(data[hue]).fillna("?"))
    table.columns = [value_label(kind, hue, c, lang) for c in table.columns]
    ax = _axes(ax, size=(8, 3.8))
    table.plot.bar(stacked=True, ax=ax, width=0.8, rot=45)
    ax.legend(title=column_label(kind, hue, lang), frameon=False, bbox_to_anchor=(1, 1), loc="upper left")
    ax.set(xlabel=t("plots.month", lang), ylabel=t("plots.responses", lang))
    ax.set_title(t("plots.volume_by_month", lang))
    return ax


def nps_bars(data, by: str, *, score: str = "nps", min_n: int = 30, kind: str = "survey_responses",
             lang: str | None = None):
    """Per segment of ``by``: the detractor / passive / promoter mix as a 100 % bar (left) and the NPS with
    its 95 % interval (right); segments with fewer than ``min_n`` answers are shown greyed and unestimated.
    Returns the two Axes."""
    import matplotlib.pyplot as plt
    import numpy as np

    from kit.metrics import by_segment

    lang = lang or get_lang()
    table = by_segment(data, "nps", by, min_n=min_n, score_column=score, suppress=False)
    names = [value_label(kind, by, v, lang) if by in _schema_fields(kind) else str(v) for v in table[by]]
    fig, (mix, value) = plt.subplots(1, 2, sharey=True, figsize=(9, 0.5 * len(table) + 1.6),
                                     width_ratios=(3, 2), layout="constrained")
    y = np.arange(len(table))
    left = np.zeros(len(table))
    for band in ("detractor", "passive", "promoter"):
        share = table[f"{band}s"].to_numpy(dtype=float) * 100
        mix.barh(y, share, left=left, color=BAND_COLOURS[band], label=t(f"plots.bands.{band}", lang))
        left += share
    mix.set(yticks=y, yticklabels=[f"{n} (n={c})" for n, c in zip(names, table["n"], strict=True)],
            xlim=(0, 100), xlabel=t("plots.share_pct", lang))
    mix.invert_yaxis()
    mix.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3)
    small = table["flag"].eq("small").to_numpy()
    err = np.vstack([table["value"] - table["ci_low"], table["ci_high"] - table["value"]])
    for mask, colour in ((~small, "#30638e"), (small, "#b0b0b0")):
        value.errorbar(table["value"][mask], y[mask], xerr=err[:, mask], fmt="o", color=colour, capsize=3)
    for yi, (v, hi) in enumerate(zip(table["value"], table["ci_high"], strict=True)):
        value.annotate(f"{v:+.0f}", (hi, yi), xytext=(6, 0), textcoords="offset points", va="center", fontsize=9)
    value.axvline(0, color="#888", lw=0.8)
    low, high = min(table["ci_low"].min(), 0), max(table["ci_high"].max(), 0)
    pad = max(5.0, 0.15 * (high - low))
    value.set(xlabel=t("plots.nps_ci", lang), xlim=(max(low - pad, -100), min(high + pad, 100)))
    fig.suptitle(t("plots.nps_by", lang, column=column_label(kind, by, lang)))
    return mix, value


def _schema_fields(kind: str):
    from kit.schemas import get_schema

    return get_schema(kind).by_name


def trend(data, metric: str = "nps", *, x: str = "submitted_at", freq: str = "M", drop: float = 0.10,
          periods: int = 2, min_n: int = 30, kind: str = "survey_responses", lang: str | None = None, ax=None):
    """``metric`` (nps, csat or ces) per period of ``x`` with its 95 % interval as a band, and a red marker on
    every period where the early-warning rule fires: a fall of more than ``drop`` in ``periods``
    consecutive periods [000] (:func:`kit.metrics.period_trend`)."""
    from kit.metrics import period_trend

    lang = lang or get_lang()
    table = period_trend(data, metric, x=x, freq=freq, drop=drop, periods=periods, min_n=min_n).set_index("period")
    ax = _axes(ax, size=(8, 3.6))
    ax.fill_between(table.index, table["ci_low"], table["ci_high"], color="#30638e", alpha=0.18,
                    label=t("plots.ci95", lang))
    ax.plot(table.index, table["value"], marker="o", color="#30638e", label=t(f"plots.metric.{metric}", lang))
    fired = table[table["alert"]]
    ax.scatter(fired.index, fired["value"], s=140, marker="v", color="#d1495b", zorder=3,
               label=t("plots.alert", lang, drop=round(drop * 100), periods=periods))
    ax.tick_params(axis="x", rotation=45)
    ax.set(xlabel=t("plots.period", lang), ylabel=t(f"plots.metric.{metric}", lang))
    ax.set_title(t("plots.trend", lang, metric=t(f"plots.metric.{metric}", lang)))
    ax.legend(frameon=False)
    return ax


def servqual_gaps(data, *, dimensions=None, lang: str | None = None, ax=None):
    """SERVQUAL gap P − E per dimension with its 95 % interval; shortfalls (negative gaps) in red."""
    from kit.servqual import dimension_name, gaps

    lang = lang or get_lang()
    table = gaps(data, dimensions=dimensions).table
    ax = _axes(ax, size=(7, 3.2))
    names = [dimension_name(d, lang) for d in table.index]
    colours = ["#d1495b" if g < 0 else "#00798c" for g in table["gap"]]
    err = [table["gap"] - table["ci_low"], table["ci_high"] - table["gap"]]
    ax.barh(names, table["gap"], xerr=err, color=colours, capsize=3)
    ax.axvline(0, color="#444", lw=0.8)
    ax.invert_yaxis()
    ax.set(xlabel=t("models.servqual.gap", lang))
    ax.set_title(t("models.servqual.title", lang))
    return ax


def servqual_radar(data, *, dimensions=None, lang: str | None = None, ax=None):
    """Mean expectation and perception per SERVQUAL dimension on a radar (polar) chart."""
    import matplotlib.pyplot as plt
    import numpy as np

    from kit.servqual import dimension_name, gaps

    lang = lang or get_lang()
    table = gaps(data, dimensions=dimensions).table
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5), subplot_kw={"projection": "polar"}, layout="constrained")
    angles = np.linspace(0, 2 * np.pi, len(table), endpoint=False)
    closed = np.append(angles, angles[0])
    for column, colour in (("expectation", "#888888"), ("perception", "#30638e")):
        values = np.append(table[column].to_numpy(), table[column].iloc[0])
        ax.plot(closed, values, color=colour, marker="o", label=t(f"models.servqual.{column}", lang))
        ax.fill(closed, values, color=colour, alpha=0.12)
    ax.set_xticks(angles, [dimension_name(d, lang) for d in table.index])
    ax.set_ylim(1, 7)
    ax.legend(frameon=False, loc="upper right", bbox_to_anchor=(1.25, 1.1))
    ax.set_title(t("models.servqual.title", lang), pad=18)
    return ax


def kano_map(data, *, feature: str = "feature", functional: str = "functional",
             dysfunctional: str = "dysfunctional", lang: str | None = None, ax=None):
    """Kano Better/Worse map: |Worse| (dissatisfaction if absent) against Better (satisfaction if present),
    one labelled point per feature, coloured by its Kano category; quadrant lines at 0.5."""
    from kit.kano import category_name, summary

    lang = lang or get_lang()
    table = summary(data, feature=feature, functional=functional, dysfunctional=dysfunctional).table
    ax = _axes(ax, size=(8.2, 5.2))
    for category, rows in table.groupby("category", sort=True):
        ax.scatter(-rows["worse"], rows["better"], s=70, color=KANO_COLOURS.get(category, "#666"),
                   label=category_name(category, lang))
    for name, row in table.iterrows():
        ax.annotate(str(name), (-row["worse"], row["better"]), xytext=(5, 4), textcoords="offset points", fontsize=9)
    ax.axvline(0.5, color="#999", lw=0.8, ls="--")
    ax.axhline(0.5, color="#999", lw=0.8, ls="--")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel=t("models.kano.worse", lang), ylabel=t("models.kano.better", lang))
    ax.set_title(t("models.kano.title", lang))
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def importance_performance(data, outcome: str, drivers, *, method: str = "shapley",
                           kind: str = "survey_responses", lang: str | None = None, ax=None):
    """Importance–performance map: each driver's mean rating (x) against its share of the outcome's R² (y),
    split at the means into the four quadrants of Martilla & James (1977, external)."""
    from kit.drivers import key_drivers, quadrant_name

    lang = lang or get_lang()
    result = key_drivers(data, outcome, list(drivers), method=method)
    table = result.table
    ax = _axes(ax, size=(7, 5))
    x_mid, y_mid = table["performance"].mean(), table["share"].mean()
    ax.axvline(x_mid, color="#999", lw=0.8, ls="--")
    ax.axhline(y_mid, color="#999", lw=0.8, ls="--")
    ax.scatter(table["performance"], table["share"], s=80, color=[QUADRANT_COLOURS[q] for q in table["quadrant"]])
    fields = _schema_fields(kind)
    for name, row in table.iterrows():
        label = column_label(kind, name, lang) if name in fields else str(name)
        ax.annotate(label, (row["performance"], row["share"]), xytext=(6, 4), textcoords="offset points", fontsize=9)
    corners = {"concentrate": (0.02, 0.96, "left", "top"), "keep_up": (0.98, 0.96, "right", "top"),
               "low_priority": (0.02, 0.04, "left", "bottom"), "overkill": (0.98, 0.04, "right", "bottom")}
    for quadrant, (qx, qy, ha, va) in corners.items():
        ax.text(qx, qy, quadrant_name(quadrant, lang), transform=ax.transAxes, ha=ha, va=va, fontsize=9,
                color=QUADRANT_COLOURS[quadrant])
    ax.margins(0.25)
    ax.set(xlabel=t("models.ipa.performance", lang), ylabel=t("models.ipa.importance", lang))
    ax.set_title(t("plots.ipa_title", lang, outcome=column_label(kind, outcome, lang), r2=result.r2, n=result.n))
    return ax
