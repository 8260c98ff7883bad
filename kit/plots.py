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
    """Display name of a schema column: its Chinese header, or its English description."""
    from kit.schemas import get_schema

    field = get_schema(kind).by_name[column]
    return field.zh if (lang or get_lang()) == "zh" else field.doc


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
