"""The logic of the CX report (``notebooks/reports/cx-report.ipynb``): tables shaped for reading, the
"not in this export" checks and the rule-based "what to do next" list.

The statistics themselves live in :mod:`kit.metrics`, :mod:`kit.servqual`, :mod:`kit.kano`,
:mod:`kit.drivers` and :mod:`kit.recovery`; this module only arranges their results for a service
manager. User text (segment names, root causes, comments) is escaped wherever it meets Markdown
(:class:`kit.text.Text` escapes every text it fills in) or HTML (:func:`kit.tables.headed`), so an export can never inject markup into the report.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

SEGMENTS = ("channel", "segment", "tier", "region")
"""Survey columns the report breaks the scores down by, when the export has them."""
SCORES = ("nps", "csat", "ces")
DRIVERS = ("f_product", "f_price", "f_channel", "f_competitor")
def absent(df: pd.DataFrame | None, columns: Sequence[str]) -> list[str]:
    """The ``columns`` a section needs that ``df`` lacks or leaves entirely empty (all of them if no table).

    >>> absent(pd.DataFrame({"nps": [9], "csat": [None]}), ["nps", "csat", "ces"])
    ['csat', 'ces']
    """
    if df is None:
        return list(columns)
    return [c for c in columns if c not in df.columns or not df[c].notna().any()]


def interval(value, low, high, digits: int = 1, sign: bool = False, lang: str | None = None) -> str:
    """``'+12.3（+8.1 至 +16.5）'`` / ``'+12.3 (+8.1 to +16.5)'`` — a value and its interval as people write
    them (:mod:`kit.formats`); ``'—'`` when suppressed.

    >>> interval(12.34, 8.1, 16.5, sign=True, lang="en"), interval(-2.0, -5.5, 1.5, lang="zh")
    ('+12.3 (+8.1 to +16.5)', '−2.0（−5.5 至 1.5）')
    >>> interval(float("nan"), 1, 2)
    '—'
    """
    from kit import formats

    return formats.estimate(value, low, high, f"{'+' if sign else ''}.{digits}f", lang)


def load_table(path, kind: str, mapping_path=None, *, main: str = "survey_responses", checked=None):
    """Load one optional table of the report with :func:`kit.data.io.load` (formula-like text kept, escaped):
    ``(frame, report)``, or ``(None, None)`` when ``path`` is None. A mapping file with one section per
    table applies its ``kind`` section; a flat mapping applies to the ``main`` table only. ``checked`` is a folder
    where ``kit report cx`` kept the tables it loaded to check them before the report started
    (:func:`keep_checked`): the same file's frame and report are taken from there instead of loading it again."""
    from kit.data import io
    from kit.paths import resolve

    if path is None or str(path).strip() == "":
        return None, None
    kept = _checked_file(checked, kind)
    if kept is not None and kept.is_file():
        import pickle

        with open(kept, "rb") as fh:
            source, frame, report = pickle.load(fh)  # noqa: S301 - written by this user's own `kit report cx`
        if source == str(resolve(path)):
            return frame, report
    columns = None
    if mapping_path:
        columns = io.read_mapping(resolve(mapping_path), kind)
        if not columns.sectioned and kind != main:
            columns = None
    return io.load(resolve(path), kind, columns=columns, formulas="escape")


def keep_checked(folder, path, kind: str, loaded) -> None:
    """Keep a table :func:`load_table` loaded — ``(frame, report)`` of file ``path`` — in ``folder`` for the
    report's own :func:`load_table` (a pickle: the folder is the user's own, made for this one run)."""
    import pickle

    from kit.paths import resolve

    if loaded[0] is not None:
        with open(_checked_file(folder, kind), "wb") as fh:
            pickle.dump((str(resolve(path)), *loaded), fh, protocol=pickle.HIGHEST_PROTOCOL)


def _checked_file(folder, kind: str):
    from pathlib import Path

    return None if not folder else Path(folder) / f"{kind}.pickle"


MARKS = {"higher": " ▲", "lower": " ▼"}
"""How a segment that differs significantly from the rest (Holm-corrected) is marked in the tables."""


def by_segments(survey: pd.DataFrame, by: str, text, min_n: int = 30, lang: str | None = None,
                weights=None) -> pd.DataFrame:
    """NPS, CSAT (top-2-box %) and CES per value of ``by`` with n and 95 % intervals, for the score columns
    the survey has, each marked ▲/▼ where the segment differs from the rest of the sample (Holm-corrected,
    :func:`kit.metrics.by_segment`); segments with fewer than ``min_n`` answers show n and "—" (suppressed)."""
    from kit.metrics import by_segment
    from kit.plots import value_label

    out = None
    for score in (s for s in SCORES if s in survey and survey[s].notna().any()):
        result = by_segment(survey, score, by, min_n=min_n, weights=weights)
        sign, digits = (True, 0) if score == "nps" else (False, 1 if score == "csat" else 2)
        column = pd.DataFrame({
            by: [value_label("survey_responses", by, v, lang) if pd.notna(v) else "?" for v in result[by]],
            "n": result["n"],
            text[f"col_{score}"]: [interval(v, lo, hi, digits, sign, lang) + MARKS.get(d, "") for v, lo, hi, d in
                                   zip(result["value"], result["ci_low"], result["ci_high"], result["differs"],
                                       strict=True)],
        })
        out = column if out is None else out.merge(column.drop(columns="n"), on=by, how="outer")
    if out is None:
        return pd.DataFrame()
    return out.rename(columns={by: text["col_segment"], "n": "n"})


def periods(survey: pd.DataFrame, text, min_n: int = 30, weights=None, lang: str | None = None, *,
            trends=None):
    """Per month: each score with its interval, ⚠ where the statistical alert fires (a significant move the
    wrong way from the month before) and △ where [000]'s rule fires (more than 10 % worse in two consecutive
    months; :func:`kit.metrics.period_trend`). Returns the table and, per score, the months of each alert:
    ``(table, alerts, rule_alerts)``. ``trends``: score → its period_trend table, when already computed."""
    from kit.metrics import period_trend

    if trends is None:
        trends = {s: period_trend(survey, s, min_n=min_n, weights=weights)
                  for s in SCORES if s in survey and survey[s].notna().any()}
    frames, alerts, rules = [], {}, {}
    for score, trend in trends.items():
        sign, digits = (True, 0) if score == "nps" else (False, 1 if score == "csat" else 2)
        shown = [interval(v, lo, hi, digits, sign, lang) + (" ⚠" if a else "") + (" △" if r else "")
                 for v, lo, hi, a, r in zip(trend["value"], trend["ci_low"], trend["ci_high"], trend["alert"],
                                            trend["rule_alert"], strict=True)]
        frames.append(pd.DataFrame({"period": trend["period"], "n": trend["n"], text[f"col_{score}"]: shown}))
        alerts[score] = trend.loc[trend["alert"], "period"].astype(str).tolist()
        rules[score] = trend.loc[trend["rule_alert"], "period"].astype(str).tolist()
    if not frames:
        return pd.DataFrame(), alerts, rules
    out = frames[0]
    for frame in frames[1:]:
        out = out.merge(frame.drop(columns="n"), on="period", how="outer")
    return out.rename(columns={"period": text["col_period"]}), alerts, rules


def worst_segment(survey: pd.DataFrame, columns: Sequence[str], min_n: int = 30, weights=None):
    """The segment whose NPS is significantly below the rest of the sample (Holm-corrected test of
    :func:`kit.metrics.by_segment`), the lowest first: ``(column, value, nps, overall)``, or None when no
    segment is clearly behind (honest: a lower estimate alone is not a gap)."""
    from kit.metrics import by_segment, nps

    if "nps" not in survey or not survey["nps"].notna().any():
        return None
    overall = nps(survey["nps"], weights=None if weights is None else survey[weights]).value
    best = None
    for column in columns:
        table = by_segment(survey, "nps", column, min_n=min_n, weights=weights)
        behind = table[table["differs"] == "lower"]
        if len(behind):
            row = behind.loc[behind["value"].idxmin()]
            if best is None or row["value"] < best[2]:
                best = (column, str(row[column]), float(row["value"]), float(overall))
    return best


def weighting(survey: pd.DataFrame, column: str | None) -> dict | None:
    """Kish's effective n and the design effect n / n_eff of the weight ``column`` (Kish 1965, external), or
    None when the report is unweighted.

    >>> weighting(pd.DataFrame({"weight": [1.0, 1.0, 2.0, 4.0]}), "weight")
    {'n_eff': 2.909090909090909, 'deff': 1.375}
    """
    from kit.weights import check, effective_n

    if column is None:
        return None
    w = check(survey[column], len(survey), name=column)
    n_eff = float(effective_n(w.sum(), (w * w).sum()))
    return {"n_eff": n_eff, "deff": len(w) / n_eff}


def failure_labels(values) -> pd.Series | None:
    """``values`` as [000] failure-type codes when every non-empty one names a failure type by its code or
    label (:data:`kit.data.schemas.FAILURE_TYPES`: 结果 / 结果失误, 流程, 沟通, 人际 …), else None.

    >>> failure_labels(pd.Series(["流程失误", " 人际 ", None, "Outcome"])).tolist()
    ['process', 'interpersonal', <NA>, 'outcome']
    >>> failure_labels(pd.Series(["物流延误", "流程"])) is None
    True
    """
    from kit.data.schemas import FAILURE_TYPES
    from kit.scores import fold_answer

    table = {label: code for code, labels in FAILURE_TYPES.items() for label in (code, *labels)}
    values = pd.Series(values, dtype="string")
    codes = fold_answer(values).map(table).astype("string")
    return codes if (codes.notna() | values.isna()).all() else None


def failure_types(tickets: pd.DataFrame | None) -> tuple[pd.Series | None, str]:
    """Each complaint's [000] failure type and where it comes from: ``"given"`` (the export's ``failure_type``),
    ``"category"`` (the company's own categories are failure types, :func:`failure_labels`), ``"guessed"``
    (from ``complaint_text`` by the keyword rules of :func:`kit.recovery.classify_failures`, missing where no
    rule matched), or ``(None, "absent")``."""
    from kit.recovery import classify_failures

    if not absent(tickets, ["failure_type"]):
        return tickets["failure_type"], "given"
    labels = None if absent(tickets, ["category"]) else failure_labels(tickets["category"])
    if labels is not None:
        return labels, "category"
    if not absent(tickets, ["complaint_text"]):
        return classify_failures(tickets["complaint_text"])["type"], "guessed"
    return None, "absent"


def categories(tickets: pd.DataFrame | None) -> pd.DataFrame | None:
    """The company's own complaint categories (``category``) as a Pareto table (:func:`kit.recovery.pareto`:
    cause, n, share, cumulative, vital), most common first; None when the export has none, or when they are
    failure types (:func:`failure_types` counts them as such)."""
    from kit.recovery import pareto

    if absent(tickets, ["category"]) or failure_labels(tickets["category"]) is not None:
        return None
    return pareto(tickets["category"])


def most_common(table: pd.DataFrame, tie: str = "{values}") -> dict:
    """The top of a :func:`kit.recovery.pareto` table as the facts of a "most common" sentence: its ``value``,
    its count ``n``, the ``total`` it is counted among and its ``share``. Values tied for the top are all named,
    through ``tie`` (a text with ``{values}``, e.g. ``"{values} (tied)"``).

    >>> from kit.recovery import pareto
    >>> most_common(pareto(["物流"] * 3 + ["质量"]))
    {'value': '物流', 'n': 3, 'total': 4, 'share': 0.75}
    >>> most_common(pareto(["物流", "质量", "物流", "质量", "安装"]), "{values} (tied)")["value"]
    '物流, 质量 (tied)'
    """
    top = table[table["n"] == table["n"].iloc[0]]
    values = ", ".join(top["cause"])
    return {"value": values if len(top) == 1 else tie.format(values=values), "n": int(top["n"].iloc[0]),
            "total": int(table["n"].sum()), "share": float(top["share"].iloc[0])}


def _headed(frame: pd.DataFrame, text) -> pd.DataFrame:
    """``frame`` with each column ``c`` renamed to the report text ``col_<c>``."""
    return frame.rename(columns={c: text[f"col_{c}"] for c in frame.columns})


def servqual_table(gaps, text, lang: str | None = None) -> pd.DataFrame:
    """A :func:`kit.servqual.gaps` result for reading: dimension, n, expectation, perception and the gap with its
    interval, largest shortfall first."""
    from kit import formats
    from kit.servqual import dimension_name

    table = gaps.table.sort_values("gap")
    return _headed(pd.DataFrame({
        "dimension": [dimension_name(d, lang) for d in table.index],
        "n": table["n"].map(formats.count),
        "expectation": table["expectation"].map(lambda v: formats.number(v, ".2f")),
        "perception": table["perception"].map(lambda v: formats.number(v, ".2f")),
        "gap": [interval(g, lo, hi, 2, True, lang) for g, lo, hi in
                zip(table["gap"], table["ci_low"], table["ci_high"], strict=True)],
    }), text)


def kano_table(kano, text, lang: str | None = None) -> pd.DataFrame:
    """A :func:`kit.kano.summary` result for reading: feature, category, its share, Better and Worse with their
    intervals, and n."""
    from kit import formats
    from kit.kano import category_name

    table = kano.table
    return _headed(pd.DataFrame({
        "feature": table.index.astype(str),
        "kano_category": [category_name(c, lang) for c in table["category"]],
        "kano_share": table["share"].map(lambda v: formats.number(v, ".0%")),
        "better": [interval(v, lo, hi, 2, False, lang) for v, lo, hi in
                   zip(table["better"], table["better_ci_low"], table["better_ci_high"], strict=True)],
        "worse": [interval(v, lo, hi, 2, False, lang) for v, lo, hi in
                  zip(table["worse"], table["worse_ci_low"], table["worse_ci_high"], strict=True)],
        "n": table["n"].map(formats.count),
    }), text)


def drivers_table(result, text, lang: str | None = None) -> pd.DataFrame:
    """A :func:`kit.drivers.key_drivers` result for reading: driver, importance (share of R², interval), mean
    rating and what to do (the IPA quadrant), most important first."""
    from kit import formats
    from kit.i18n import t
    from kit.plots import column_label

    table = result.table.sort_values("rank")
    return _headed(pd.DataFrame({
        "driver": [column_label("survey_responses", d, lang) for d in table.index],
        "importance": [interval(v, lo, hi, 3, False, lang) for v, lo, hi in
                       zip(table["importance"], table["ci_low"], table["ci_high"], strict=True)],
        "driver_share": table["share"].map(lambda v: formats.number(v, ".0%")),
        "performance": table["performance"].map(lambda v: formats.number(v, ".2f")),
        "quadrant": [t(f"models.ipa.quadrants.{q}", lang) for q in table["quadrant"]],
    }), text)


def pareto_table(causes: pd.DataFrame, text, lang: str | None = None) -> pd.DataFrame:
    """A :func:`kit.recovery.pareto` table for reading: cause, complaints, share and cumulative share (%), and
    whether the cause is one of the vital few (是/否)."""
    from kit import formats

    return _headed(pd.DataFrame({
        "cause": causes["cause"],
        "complaints": causes["n"].map(formats.count),
        "share": causes["share"].map(lambda v: formats.number(v, ".1%")),
        "cumulative": causes["cumulative"].map(lambda v: formats.number(v, ".1%")),
        "vital": causes["vital"].map(lambda v: formats.yes_no(v, lang)),
    }), text)


def paradox_table(groups: pd.DataFrame, text, lang: str | None = None) -> pd.DataFrame:
    """A :func:`kit.recovery.recovery_paradox` table for reading: group, n, NPS and promoter share with their
    intervals, and the 90-day churn of complainers (— for customers without a complaint)."""
    from kit import formats
    from kit.i18n import t

    return _headed(pd.DataFrame({
        "paradox_group": [t(f"cxreport.groups.{g}", lang) for g in groups["group"]],
        "n": groups["n"].map(formats.count),
        "nps": [interval(v, lo, hi, 0, True, lang) for v, lo, hi in
                zip(groups["value"], groups["ci_low"], groups["ci_high"], strict=True)],
        "promoters": [interval(p * 100, lo * 100, hi * 100, 1, False, lang) for p, lo, hi in
                      zip(groups["promoters"], groups["promoters_low"], groups["promoters_high"], strict=True)],
        "churn": [interval(c * 100, lo * 100, hi * 100, 1, False, lang) for c, lo, hi in
                  zip(groups["churn"], groups["churn_low"], groups["churn_high"], strict=True)],
        "churn_n": [formats.count(k) if pd.notna(c) else formats.MISSING
                    for c, k in zip(groups["churn"], groups["churn_n"], strict=True)],
    }), text)


def loop_table(funnel: pd.DataFrame, text, lang: str | None = None) -> pd.DataFrame:
    """A :func:`kit.improvement.loop_funnel` table for reading: step, complaints that reached it, their share of
    the step before and of all complaints (%, with intervals); "not recorded" where the log has no column for
    the step, "—" where there is no step before."""
    from kit import formats

    def shares(value: str, prefix: str) -> list[str]:
        return [row["note"] if not row["recorded"] else
                interval(row[value] * 100, row[f"{prefix}_low"] * 100, row[f"{prefix}_high"] * 100, 1, False, lang)
                for _, row in funnel.iterrows()]

    return _headed(pd.DataFrame({
        "loop_step": funnel["name"],
        "complaints": [formats.count(n) if r else formats.MISSING
                       for n, r in zip(funnel["n"], funnel["recorded"], strict=True)],
        "loop_of_previous": shares("share_prev", "prev"),
        "loop_of_all": shares("share_all", "all"),
    }), text)


def weakest_step(funnel: pd.DataFrame) -> tuple[str, int, int] | None:
    """Where the loop loses most complaints: the recorded step with the lowest share of the step before, as
    (its name, complaints lost, complaints at the step before); None when no step loses any.

    >>> f = pd.DataFrame({"name": ["collected", "classified", "actioned"], "recorded": [True, True, True],
    ...                   "n": [10, 9, 6], "share_prev": [float("nan"), 0.9, 6 / 9]})
    >>> weakest_step(f)
    ('actioned', 3, 9)
    """
    steps = funnel[funnel["recorded"] & funnel["share_prev"].notna()]
    if steps.empty or steps["share_prev"].min() >= 1:
        return None
    position = funnel.index.get_loc(steps["share_prev"].astype(float).idxmin())
    before = funnel.iloc[:position][funnel["recorded"].iloc[:position]].iloc[-1]
    row = funnel.iloc[position]
    return str(row["name"]), int(before["n"]) - int(row["n"]), int(before["n"])


def loop_results(funnel: pd.DataFrame, deadlines: pd.DataFrame | None, lang: str | None = None) -> list[tuple]:
    """The sentences under the loop's table, as (report text key, its values): how many complaints were
    verified (when the log records verification), where the loop loses most (:func:`weakest_step`), and the
    shares within [004]'s 24 h / 48 h deadlines (when the log has their times)."""
    from kit import formats

    lines = []
    if funnel.loc["verified", "recorded"]:
        closed = int(funnel.loc["verified", "n"])
        lines.append(("loop_closed", {"n": int(funnel.loc["collected", "n"]), "closed": closed,
                                      "share": formats.number(funnel.loc["verified", "share_all"], ".1%")}))
    weakest = weakest_step(funnel)
    lines.append(("loop_weakest", dict(zip(("step", "lost", "before"), weakest, strict=True))) if weakest
                 else ("loop_no_loss", {}))
    if deadlines is not None and deadlines["recorded"].all():
        shown = {key: formats.estimate(row["share"], row["ci_low"], row["ci_high"], ".1%", lang)
                 for key, row in zip(("analysed", "replied"), (deadlines.iloc[0], deadlines.iloc[1]), strict=True)}
        lines.append(("loop_deadlines", {**shown, "pending": int(deadlines["pending"].max())}))
    return lines


def data_check(report, guard, text, lang: str | None = None):
    """A table's :class:`kit.data.io.LoadReport` for the report's appendix: kit columns under their display
    names, answers read as booleans shown as 是/否 (yes/no), identifiers in quoted examples pseudonymised
    (:func:`kit.privacy.safe_report`), text escaped."""
    from dataclasses import replace
    from html import escape

    from IPython.display import HTML

    from kit.plots import column_label
    from kit.privacy import safe_report

    shown = safe_report(report, guard)
    shown = replace(shown, coercions=tuple(replace(c, examples=tuple(_yes_no(e, lang) for e in c.examples))
                                           for c in shown.coercions))
    title = text[f"table_{report.kind}"]
    lines = shown.lines(lang, label=lambda column: column_label(report.kind, column, lang), title=title)
    return HTML("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>")


def _yes_no(example: str, lang: str | None) -> str:
    """``"否 → False"`` as ``"否 → 否"`` (``"no"`` in en): a converted boolean in the reader's words."""
    from kit.formats import yes_no

    before, arrow, after = example.rpartition(" → ")
    return f"{before}{arrow}{yes_no(after == 'True', lang)}" if arrow and after in ("True", "False") else example


def missing(kind: str, columns, text, lang: str | None = None) -> str:
    """The columns a section lacks, by their display names (a whole table by its title), for the "not in this
    export" note."""
    from kit.plots import column_label

    if kind is None:
        return text[f"table_{columns}"]
    return text["list_separator"].join(column_label(kind, c, lang) for c in columns)
