"""Plots with one seaborn theme and a CJK-capable font, labelled in Chinese or English.

Each plotting function takes ``data=`` and column names, draws on ``ax`` (or a new figure) and returns
the matplotlib Axes, like seaborn. Column and value labels come from :mod:`kit.data.schemas`.
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
    from kit.data.schemas import get_schema

    field = get_schema(kind).by_name[column]
    return field.zh if (lang or get_lang()) == "zh" else field.label_en


def value_label(kind: str, column: str, code, lang: str | None = None) -> str:
    """Display label of a categorical code: the Chinese label in zh, the code itself in en."""
    from kit.data.schemas import get_schema

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

    from kit.data.schemas import get_schema
    from kit.metrics import nps_band

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
             weights=None, lang: str | None = None):
    """Per segment of ``by``: the detractor / passive / promoter mix as a 100 % bar (left) and the NPS with
    its 95 % interval (right); segments with fewer than ``min_n`` answers are shown greyed and unestimated.
    ``weights``: survey weights (a column name), as in :func:`kit.metrics.by_segment`. Returns the two Axes."""
    import matplotlib.pyplot as plt
    import numpy as np

    from kit.metrics import by_segment

    lang = lang or get_lang()
    table = by_segment(data, "nps", by, min_n=min_n, score_column=score, suppress=False, weights=weights)
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
    for mask, colour in ((~small, "#30638e"), (small, "#b0b0b0")):  # the interval drawn as a line from low to high:
        # an adjusted-Wald interval (Rocks 2016) is centred near, not on, the score, and at very small n can miss it
        value.hlines(y[mask], table["ci_low"][mask], table["ci_high"][mask], color=colour, lw=1.5)
        value.plot(table["value"][mask], y[mask], "o", color=colour)
    for yi, (v, hi) in enumerate(zip(table["value"], table["ci_high"], strict=True)):
        value.annotate(f"{v:+.0f}", (hi, yi), xytext=(6, 0), textcoords="offset points", va="center", fontsize=9)
    value.axvline(0, color="#888", lw=0.8)
    low, high = min(table["ci_low"].min(), 0), max(table["ci_high"].max(), 0)
    pad = max(5.0, 0.15 * (high - low))
    value.set(xlabel=t("plots.nps_ci", lang), xlim=(max(low - pad, -100), min(high + pad, 100)))
    fig.suptitle(t("plots.nps_by", lang, column=column_label(kind, by, lang)))
    return mix, value


def _schema_fields(kind: str):
    from kit.data.schemas import get_schema

    return get_schema(kind).by_name


def trend(data, metric: str = "nps", *, x: str = "submitted_at", freq: str = "M", drop: float = 0.10,
          periods: int = 2, min_n: int = 30, weights=None, kind: str = "survey_responses", lang: str | None = None,
          ax=None, result=None):
    """``metric`` (nps, csat or ces) per period of ``x`` with its 95 % interval as a band; a red triangle where
    the statistical alert fires (a significant change for the worse from the previous period) and an open
    orange marker where [000]'s rule fires (worse by more than ``drop``, 10 %, in ``periods`` consecutive
    periods) (:func:`kit.metrics.period_trend`). Markers and legend name the change's direction: a fall, or a
    rise for CES (effort, lower is better). ``result``: that :func:`~kit.metrics.period_trend` table of ``data``
    when already computed (with the same ``drop`` and ``periods``), drawn as it is."""
    from kit.metrics import metric_name, period_trend

    lang = lang or get_lang()
    if result is None:
        result = period_trend(data, metric, x=x, freq=freq, drop=drop, periods=periods, min_n=min_n,
                              weights=weights)
    table = result.set_index("period")
    ax = _axes(ax, size=(8, 3.6))
    ax.fill_between(table.index, table["ci_low"], table["ci_high"], color="#30638e", alpha=0.18,
                    label=t("plots.ci95", lang))
    ax.plot(table.index, table["value"], marker="o", color="#30638e", label=t(f"plots.metric.{metric}", lang))
    worse = "fall" if metric_name(metric) != "ces" else "rise"
    for column, changed, style in (
        ("alert", "vs_previous", {"s": 140, "color": "#d1495b", "zorder": 3}),
        ("rule_alert", "change", {"s": 260, "marker": "o", "facecolors": "none", "edgecolors": "#edae49",
                                  "linewidths": 2, "zorder": 4}),
    ):
        fired = table[table[column]]
        rising = fired[changed].to_numpy(dtype=float) > 0
        groups = [(d, fired[rising == (d == "rise")]) for d in ("fall", "rise")]
        for direction, rows in [g for g in groups if len(g[1])] or [(worse, fired)]:
            marker = {"marker": "^" if direction == "rise" else "v"} if column == "alert" else {}
            ax.scatter(rows.index, rows["value"], **marker, **style,
                       label=t(f"plots.{column}_{direction}", lang, drop=round(drop * 100), periods=periods))
    ax.tick_params(axis="x", rotation=45)
    ax.set(xlabel=t("plots.period", lang), ylabel=t(f"plots.metric.{metric}", lang))
    ax.set_title(t("plots.trend", lang, metric=t(f"plots.metric.{metric}", lang)))
    ax.legend(frameon=False)
    return ax


def servqual_gaps(data, *, dimensions=None, weights=None, lang: str | None = None, ax=None, result=None):
    """SERVQUAL gap P − E per dimension with its 95 % interval; shortfalls (negative gaps) in red.
    ``weights``: survey weights, as in :func:`kit.servqual.gaps`; ``result``: that :func:`~kit.servqual.gaps`
    result of ``data`` when already computed, drawn as it is."""
    from kit.servqual import dimension_name, gaps

    lang = lang or get_lang()
    table = (gaps(data, dimensions=dimensions, weights=weights) if result is None else result).table
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


def label_points(ax, xs, ys, labels, *, fontsize: float = 9, marker_size: float = 70, avoid=()):
    """Annotate each point (``xs``, ``ys``) with its label at the nearest free spot: greedily, the first offset
    whose box stays inside the axes and overlaps no marker, no label placed before and no artist of ``avoid``
    (e.g. the legend); labels moved away from their point get a leader line. Returns the annotations."""
    import numpy as np
    from matplotlib.transforms import Bbox

    fig = ax.figure
    fig.draw_without_rendering()  # lay the figure out before measuring
    renderer = fig.canvas.get_renderer()
    px_per_pt = fig.dpi / 72
    frame = ax.get_window_extent(renderer)
    points = ax.transData.transform(np.column_stack([xs, ys]).astype(float))
    r = (marker_size ** 0.5 / 2 + 1) * px_per_pt
    taken = [Bbox.from_extents(x - r, y - r, x + r, y + r) for x, y in points]
    taken += [a.get_window_extent(renderer) for a in avoid if a is not None]
    directions = [(1, 0.5), (1, 1), (0, 1), (-1, 1), (-1, 0.5), (-1, -1), (0, -1), (1, -1)]
    near, offsets = 6, [(dx * d, dy * d) for d in (6, 14, 24, 36, 50) for dx, dy in directions]

    def overlap(box):
        outside = box.width * box.height - max(0, min(box.x1, frame.x1) - max(box.x0, frame.x0)) * max(
            0, min(box.y1, frame.y1) - max(box.y0, frame.y0))
        return outside * 10 + sum(max(0, min(box.x1, b.x1) - max(box.x0, b.x0))
                                  * max(0, min(box.y1, b.y1) - max(box.y0, b.y0)) for b in taken)

    placed = []
    items = zip(zip(xs, ys, strict=True), points, map(str, labels), strict=True)
    for (x, y), (px, py), label in sorted(items, key=lambda item: (-item[1][1], item[1][0])):  # top to bottom
        probe = ax.text(0, 0, label, fontsize=fontsize)
        width, height = probe.get_window_extent(renderer).size + 4  # 2 px of air around the text
        probe.remove()
        best = None
        for dx, dy in offsets:
            ha, va = ("left" if dx > 0 else "right" if dx < 0 else "center"), ("bottom" if dy > 0 else "top")
            left = px + dx * px_per_pt - {"left": 0, "center": width / 2, "right": width}[ha]
            bottom = py + dy * px_per_pt - {"bottom": 0, "top": height}[va]
            box = Bbox.from_bounds(left, bottom, width, height)
            cost = overlap(box)
            if max(abs(dx), abs(dy)) <= near:  # no leader line: the label must be nearest its own point
                gaps = np.hypot(np.clip(points[:, 0], box.x0, box.x1) - points[:, 0],
                                np.clip(points[:, 1], box.y0, box.y1) - points[:, 1])
                own = np.hypot(min(max(px, box.x0), box.x1) - px, min(max(py, box.y0), box.y1) - py)
                cost += 500 * int((gaps < own + 2 * r).sum() > 1)
            if best is None or cost < best[0]:
                best = (cost, dx, dy, ha, va, box)
            if cost == 0:
                break
        _, dx, dy, ha, va, box = best
        far = max(abs(dx), abs(dy)) > near
        placed.append(ax.annotate(label, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                                  fontsize=fontsize, arrowprops={"arrowstyle": "-", "color": "#888", "lw": 0.6,
                                                                 "shrinkA": 0, "shrinkB": 4} if far else None))
        taken.append(box)
    return placed


def kano_map(data, *, feature: str = "feature", functional: str = "functional",
             dysfunctional: str = "dysfunctional", lang: str | None = None, ax=None):
    """Kano Better/Worse map: |Worse| (dissatisfaction if absent) against Better (satisfaction if present),
    one point per feature, coloured by its Kano category and labelled clear of the other labels and the legend
    (:func:`label_points`); quadrant lines at 0.5."""
    from kit.kano import category_name, summary

    lang = lang or get_lang()
    table = summary(data, feature=feature, functional=functional, dysfunctional=dysfunctional).table
    ax = _axes(ax, size=(8.2, 5.2))
    for category, rows in table.groupby("category", sort=True):
        ax.scatter(-rows["worse"], rows["better"], s=70, color=KANO_COLOURS.get(category, "#666"),
                   label=category_name(category, lang))
    ax.axvline(0.5, color="#999", lw=0.8, ls="--")
    ax.axhline(0.5, color="#999", lw=0.8, ls="--")
    ax.set(xlim=(-0.04, 1.04), ylim=(-0.04, 1.04), xlabel=t("models.kano.worse", lang), ylabel=t("models.kano.better", lang))
    ax.set_title(t("models.kano.title", lang))
    legend = ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    label_points(ax, -table["worse"], table["better"], [_plain(n) for n in table.index], avoid=[legend])
    return ax


def importance_performance(data, outcome: str, drivers, *, method: str = "shapley", weights=None,
                           kind: str = "survey_responses", lang: str | None = None, ax=None, result=None):
    """Importance–performance map: each driver's mean rating (x) against its share of the outcome's R² (y),
    split at the means into the four quadrants of Martilla & James (1977, external); ``weights`` as in
    :func:`kit.drivers.key_drivers`; ``result``: that :func:`~kit.drivers.key_drivers` result of ``data`` when
    already computed, drawn as it is (its intervals are not shown)."""
    from kit.drivers import key_drivers, quadrant_name

    lang = lang or get_lang()
    if result is None:
        result = key_drivers(data, outcome, list(drivers), method=method, n_boot=0,  # the map shows no intervals
                             weights=weights)
    table = result.table
    ax = _axes(ax, size=(7, 5))
    x_mid, y_mid = table["performance"].mean(), table["share"].mean()
    ax.axvline(x_mid, color="#999", lw=0.8, ls="--")
    ax.axhline(y_mid, color="#999", lw=0.8, ls="--")
    ax.scatter(table["performance"], table["share"], s=80, color=[QUADRANT_COLOURS[q] for q in table["quadrant"]])
    corners = {"concentrate": (0.02, 0.96, "left", "top"), "keep_up": (0.98, 0.96, "right", "top"),
               "low_priority": (0.02, 0.04, "left", "bottom"), "overkill": (0.98, 0.04, "right", "bottom")}
    quadrants = [ax.text(qx, qy, quadrant_name(quadrant, lang), transform=ax.transAxes, ha=ha, va=va, fontsize=9,
                         color=QUADRANT_COLOURS[quadrant]) for quadrant, (qx, qy, ha, va) in corners.items()]
    ax.margins(0.25)
    ax.set(xlabel=t("models.ipa.performance", lang), ylabel=t("models.ipa.importance", lang))
    ax.set_title(t("plots.ipa_title", lang, outcome=column_label(kind, outcome, lang), r2=result.r2, n=result.n))
    fields = _schema_fields(kind)
    labels = [column_label(kind, name, lang) if name in fields else _plain(name) for name in table.index]
    label_points(ax, table["performance"], table["share"], labels, marker_size=80, avoid=quadrants)
    return ax


# --- complaints and recovery


def _plain(text) -> str:
    """User text as a literal matplotlib label: ``$`` would start mathtext."""
    return str(text).replace("$", r"\$")


DURATION_TICKS = (1 / 60, 5 / 60, 0.25, 1, 4, 24, 72, 168, 720, 2160)  # hours: 1 min … 90 days, the deadlines


def duration_label(hours: float, lang: str | None = None) -> str:
    """A duration in hours as people say it: "15 分钟", "1 小时", "24 小时", "7 天" (zh) or "15 min", "1 h" (en)."""
    lang = lang or get_lang()
    if hours < 1:
        return t("plots.duration.minutes", lang, n=f"{hours * 60:.3g}")
    if hours < 100:
        return t("plots.duration.hours", lang, n=f"{hours:.3g}")
    return t("plots.duration.days", lang, n=f"{hours / 24:.3g}")


def duration_axis(ax, axis: str = "x", *, lang: str | None = None):
    """Label a log-scaled axis of hours with :func:`duration_label` at the round durations of
    :data:`DURATION_TICKS` (the 24 h and 72 h deadlines among them) instead of powers of ten; call it once the
    axis limits are final."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullFormatter

    target = ax.xaxis if axis == "x" else ax.yaxis
    low, high = sorted(target.get_view_interval())
    ticks = [h for h in DURATION_TICKS if low <= h <= high]
    target.set_major_locator(FixedLocator(ticks) if len(ticks) >= 2 else LogLocator(subs=(1, 2, 5)))
    target.set_major_formatter(FuncFormatter(lambda v, _: duration_label(v, lang) if v > 0 else ""))
    target.set_minor_formatter(NullFormatter())
    return ax


def resolution_hours(data, *, end: str = "resolved_at", start: str = "received_at", limits=(24, 72),
                     lang: str | None = None, ax=None):
    """Distribution of hours from ``start`` to ``end`` per ticket on a log scale, with dashed lines at the
    deadlines ``limits`` (24 h [001][002], 72 h [004]) and the share of tickets within each; tickets
    still open are counted in the title, not drawn."""
    import numpy as np

    from kit.recovery import response_hours

    lang = lang or get_lang()
    hours = response_hours(data, end, start)
    done = hours.dropna().clip(lower=1 / 60)
    ax = _axes(ax, size=(8, 3.6))
    if len(done):
        bins = np.logspace(np.log10(done.min()), np.log10(max(done.max(), done.min() * 1.01)), 40)
        ax.hist(done, bins=bins, color="#30638e")
    ax.set_xscale("log")
    for limit, colour in zip(limits, ("#d1495b", "#edae49", "#888888"), strict=False):
        share = float((done <= limit).mean()) if len(done) else float("nan")
        ax.axvline(limit, color=colour, ls="--", lw=1.2,
                   label=t("cxreport.plots.within", lang, hours=f"{limit:g}", share=share))
    duration_axis(ax, lang=lang)
    ax.set(xlabel=t("plots.duration.axis", lang), ylabel=t("cxreport.plots.tickets", lang))
    ax.set_title(t("cxreport.plots.resolution_title", lang, n=len(done), open=int(hours.isna().sum()),
                   median=float(done.median()) if len(done) else float("nan")))
    ax.legend(frameon=False)
    return ax


def failure_bars(data, column: str = "failure_type", *, kind: str = "tickets", lang: str | None = None, ax=None):
    """Complaints per service-failure type [000] (or any category column), largest first, with counts."""
    import pandas as pd

    lang = lang or get_lang()
    counts = pd.Series(data[column]).dropna().astype(str).value_counts()
    fields = _schema_fields(kind)
    names = [_plain(value_label(kind, column, v, lang) if column in fields else v) for v in counts.index]
    ax = _axes(ax, size=(7, 0.45 * len(counts) + 1.4))
    ax.barh(names, counts.to_numpy(), color="#30638e")
    for y, n in enumerate(counts.to_numpy()):
        ax.annotate(f"{n:,} ({n / counts.sum():.0%})", (n, y), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize=9)
    ax.invert_yaxis()
    ax.margins(x=0.18)
    label = column_label(kind, column, lang) if column in fields else _plain(column)
    ax.set(xlabel=t("cxreport.plots.tickets", lang), ylabel="")
    ax.set_title(t("cxreport.plots.failure_title", lang, column=label, n=int(counts.sum())))
    return ax


def pareto_chart(data, column: str = "root_cause", *, threshold: float = 0.8, top: int = 15,
                 kind: str = "tickets", lang: str | None = None, ax=None):
    """Root-cause Pareto (:func:`kit.recovery.pareto`): complaints per cause as bars, the vital few that reach
    ``threshold`` of all complaints in red, the cumulative share as a line; at most ``top`` causes drawn."""
    import numpy as np

    from kit.recovery import pareto

    lang = lang or get_lang()
    table = pareto(data[column], threshold=threshold).head(top)
    ax = _axes(ax, size=(9, 4.2))
    x = np.arange(len(table))
    ax.bar(x, table["n"], color=["#d1495b" if v else "#9aa9b8" for v in table["vital"]])
    ax.set_xticks(x, [_plain(c) for c in table["cause"]], rotation=40, ha="right")
    ax.set(ylabel=t("cxreport.plots.tickets", lang), xlabel="")
    line = ax.twinx()
    line.plot(x, table["cumulative"] * 100, color="#30638e", marker="o")
    line.axhline(threshold * 100, color="#888", ls="--", lw=0.8)
    line.set(ylim=(0, 105), ylabel=t("cxreport.plots.cumulative", lang))
    line.grid(False)
    ax.set_title(t("cxreport.plots.pareto_title", lang, k=int(table["vital"].sum()), share=round(threshold * 100)))
    return ax


def loop_funnel(tickets, *, lang: str | None = None, ax=None):
    """The closed loop of a complaint log (:func:`kit.improvement.loop_funnel`) as a funnel: one bar per
    recorded step (collected → classified → actioned → verified) with its count and its share of all
    complaints; steps the log does not record are named but not drawn."""
    from kit.improvement import loop_funnel as funnel

    lang = lang or get_lang()
    table = funnel(tickets, lang=lang)
    ax = _axes(ax, size=(8, 2.8))
    y = range(len(table))[::-1]
    counts = table["n"].astype("Float64").fillna(0).to_numpy(dtype=float)
    ax.barh(list(y), counts, color=["#30638e" if r else "#d9d9d9" for r in table["recorded"]])
    for yi, (_, row) in zip(y, table.iterrows(), strict=True):
        label = (t("plots.loop_bar", lang, n=int(row["n"]), share=float(row["share_all"])) if row["recorded"]
                 else row["note"])
        ax.text(max(counts) * 0.01, yi, label, va="center", ha="left", color="white" if row["recorded"] else "#555",
                fontsize=9)
    ax.set_yticks(list(y), [_plain(n) for n in table["name"]])
    ax.set(xlabel=t("cxreport.plots.tickets", lang))
    ax.set_title(t("plots.loop_title", lang, n=len(tickets)))
    return ax


def recovery_paradox(tickets, survey, *, min_n: int = 30, lang: str | None = None, ax=None, result=None):
    """Promoter share with its 95 % Wilson interval for customers without a complaint, complaints recovered
    well and recovered badly (:func:`kit.recovery.recovery_paradox`); small groups are greyed and unestimated.
    ``result``: that table of ``tickets`` and ``survey`` when already computed, drawn as it is."""
    from kit.recovery import recovery_paradox as paradox

    lang = lang or get_lang()
    table = paradox(tickets, survey, min_n=min_n) if result is None else result
    ax = _axes(ax, size=(7, 3))
    names = [t(f"cxreport.groups.{g}", lang) + f" (n={n:,})" for g, n in zip(table["group"], table["n"], strict=True)]
    share = table["promoters"] * 100
    small = table["flag"].eq("small").to_numpy()
    ax.barh(names, share.fillna(0), color=["#b0b0b0" if s else "#00798c" for s in small])
    err = [(share - table["promoters_low"] * 100).fillna(0), (table["promoters_high"] * 100 - share).fillna(0)]
    ax.errorbar(share.fillna(0), names, xerr=err, fmt="none", color="#333", capsize=3)
    ax.invert_yaxis()
    ax.set(xlim=(0, 100), xlabel=t("cxreport.plots.promoters_pct", lang))
    ax.set_title(t("cxreport.plots.paradox_title", lang))
    return ax


# --- training evaluation


def training_scores(data, *, highlight: str | None = None, lang: str | None = None, ax=None):
    """Box plots of test and exercise percentages per module and phase; ``data`` is
    :func:`kit.assessment.totals` (columns ``module``, ``phase``, ``pct``). ``highlight`` (a trainee id)
    draws that trainee's own scores as red dots over the boxes. Returns the Axes."""
    import seaborn as sns

    lang = lang or get_lang()
    ax = _axes(ax, size=(8, 3.8))
    phases = [p for p in ("pre", "post", "exercise") if p in set(data["phase"])]
    view = data.assign(phase=data["phase"].map(lambda p: t(f"assessment.phase.{p}", lang)))
    order, hue_order = sorted(set(view["module"])), [t(f"assessment.phase.{p}", lang) for p in phases]
    sns.boxplot(data=view, x="module", y="pct", hue="phase", order=order, hue_order=hue_order,
                ax=ax, fliersize=2, linewidth=0.8)
    if highlight is not None:
        mine = view[view["trainee_id"] == highlight]
        sns.stripplot(data=mine, x="module", y="pct", hue="phase", order=order, hue_order=hue_order, dodge=True,
                      palette=["#d1495b"] * len(hue_order), size=8, jitter=False, legend=False, ax=ax, zorder=5)
        ax.scatter([], [], color="#d1495b", s=40, label=t("trainee.you", lang))
    ax.set(ylim=(0, 100), xlabel=t("assessment.plot.module", lang), ylabel=t("assessment.plot.score_pct", lang))
    ax.set_title(t("assessment.plot.scores_title", lang))
    ax.legend(frameon=False, fontsize=8, title=None, loc="upper left", bbox_to_anchor=(1.01, 1))  # off the boxes
    return ax


def training_funnel(data, *, lang: str | None = None, ax=None):
    """Horizontal bars of :func:`kit.assessment.funnel`: trainees per step, the cumulative count darker."""
    lang = lang or get_lang()
    ax = _axes(ax, size=(7, 3.4))
    rows = data[data["n"].notna()]
    names = [t(f"assessment.stage.{s}", lang) for s in rows["stage"]]
    ax.barh(names, rows["n"], color="#9bbbd4")
    ax.barh(names, rows["n_cumulative"], color="#30638e", height=0.4)
    for y, (n, share) in enumerate(zip(rows["n"], rows["share"], strict=True)):
        ax.text(n, y, f" {int(n)} ({share:.0%})", va="center", fontsize=8)
    ax.invert_yaxis()
    total = int(rows["n"].iloc[0]) if len(rows) else 0
    ax.set(xlim=(0, max(total, 1) * 1.2), xlabel=t("assessment.plot.trainees", lang))
    ax.set_title(t("assessment.plot.funnel_title", lang, n=total))
    return ax


def training_gain(data, *, lang: str | None = None, ax=None):
    """Mean pre- and post-test percentage per module (:func:`kit.assessment.gain_table`) joined by a line,
    with the 95 % t interval of the gain drawn on the post point."""
    lang = lang or get_lang()
    ax = _axes(ax, size=(7, 3.6))
    x = list(range(len(data)))
    ax.scatter(x, data["pre_mean"], color="#888888", label=t("assessment.phase.pre", lang), zorder=3)
    ax.scatter(x, data["post_mean"], color="#30638e", label=t("assessment.phase.post", lang), zorder=3)
    ax.vlines(x, data["pre_mean"], data["post_mean"], color="#30638e", lw=1.2)
    err = [data["diff"] - data["ci_low"], data["ci_high"] - data["diff"]]
    ax.errorbar(x, data["post_mean"], yerr=err, fmt="none", color="#333", capsize=3)
    ax.set_xticks(x, [str(m) for m in data.index])
    ax.set(ylim=(0, 100), xlabel=t("assessment.plot.module", lang), ylabel=t("assessment.plot.score_pct", lang))
    ax.set_title(t("assessment.plot.gain_title", lang))
    ax.legend(frameon=False, fontsize=8)
    return ax


def training_behaviour(data, *, lang: str | None = None, ax=None):
    """Share of behaviour items met per item at each wave (:func:`kit.assessment.behaviour`), Wilson intervals."""
    import numpy as np

    lang = lang or get_lang()
    ax = _axes(ax, size=(7, 3.6))
    items = list(dict.fromkeys(data["item"]))
    waves = sorted(set(data["wave"]))
    width = 0.8 / max(len(waves), 1)
    colours = ("#9bbbd4", "#30638e", "#00798c")
    for i, wave in enumerate(waves):
        rows = data[data["wave"] == wave].set_index("item").reindex(items)
        x = np.arange(len(items)) + (i - (len(waves) - 1) / 2) * width
        ax.bar(x, rows["share"], width=width, color=colours[i % len(colours)], label=t("assessment.plot.days", lang, wave=wave))
        ax.errorbar(x, rows["share"], yerr=[rows["share"] - rows["ci_low"], rows["ci_high"] - rows["share"]], fmt="none", color="#333", capsize=2)
    ax.set_xticks(np.arange(len(items)), [t(f"assessment.behaviour.{i}", lang) for i in items], rotation=15)
    ax.set(ylim=(0, 1), ylabel=t("assessment.plot.share_met", lang))
    ax.set_title(t("assessment.plot.behaviour_title", lang))
    ax.legend(frameon=False, fontsize=8)
    return ax
