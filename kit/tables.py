"""Report tables: results shaped for reading, with localised headers and HTML-escaped cells.

Each function takes a result frame from the analysis modules and returns a pandas ``Styler`` that notebooks
display and nbconvert exports; cell text is always HTML-escaped.
"""

from __future__ import annotations

from kit.i18n import get_lang, t

STATUS_COLOURS = {"met": "#d8efe9", "near": "#fbeccb", "missed": "#f6d5da", "no_data": "#eeeeee"}


def scorecard(card, lang: str | None = None):
    """A :func:`kit.metrics.scorecard` frame as a red/amber/green table: KPI, target, actual, status, and where the
    target comes from (源材料 [001] for a course target, the note of a company's targets file)."""
    lang = lang or get_lang()
    columns = {key: t(f"tables.scorecard.{key}", lang) for key in ("name", "target", "actual", "status", "source")}
    from kit import formats

    view = card.assign(
        target=[f"{d} {v:g}" for d, v in zip(card["direction"], card["target"], strict=True)],
        actual=card["actual"].map(lambda v: formats.number(v, ".3g")),
        status=[t(f"metrics.status.{s}", lang) for s in card["status"]],
        source=card["source"].map(lambda s: t("tables.scorecard.course_source", lang, tag=s)
                                  if str(s).isdigit() else str(s)),
    )[list(columns)].rename(columns=columns)
    colours = [STATUS_COLOURS[s] for s in card["status"]]
    status = columns["status"]
    return (
        view.style.hide(axis="index")
        .format(escape="html")
        .apply(lambda col: [f"background-color: {c}" for c in colours], subset=[status])
    )


def labelled(frame, kind: str, lang: str | None = None):
    """Rows of a ``kind`` table for reading: schema columns under their display names, categorical codes as
    labels (Chinese in zh), timestamps to the minute, no index; every cell HTML-escaped."""
    from kit.data.schemas import get_schema
    from kit.plots import column_label, value_label

    lang = lang or get_lang()
    fields = get_schema(kind).by_name
    view = frame.copy()
    for name in view.columns.intersection(list(fields)):
        if fields[name].choices:
            view[name] = view[name].map(lambda code, name=name: value_label(kind, name, code, lang), na_action="ignore")
        elif fields[name].type == "datetime":
            view[name] = view[name].dt.strftime("%Y-%m-%d %H:%M")
    view = view.rename(columns={c: column_label(kind, c, lang) for c in view.columns if c in fields})
    return view.style.hide(axis="index").format(escape="html", na_rep="")


def headed(frame, headers=None, formats=None, *, precision: int = 2):
    """``frame`` as a report table: the columns named in ``headers`` (a mapping column → header, in display
    order; every column as it is when None) under those headers, formatted by ``formats`` (column → format
    string or callable), other numbers to ``precision`` digits; no index, "—" where missing, cells escaped."""
    headers = {c: c for c in frame.columns} if headers is None else dict(headers)
    formats = {headers[c]: f for c, f in (formats or {}).items() if c in headers}
    view = frame[list(headers)].rename(columns=headers)
    return view.style.hide(axis="index").format(formats, escape="html", na_rep="—", precision=precision)


def collapsible(table, summary: str):
    """A long table folded under a one-line ``summary`` the reader clicks to open (HTML ``<details>``): the
    page stays short and nothing is lost. ``table``: a Styler from this module (or a frame); ``summary`` is
    escaped."""
    import html

    from IPython.display import HTML

    body = table.to_html() if hasattr(table, "to_html") else headed(table).to_html()
    return HTML(f'<details class="kit-more"><summary>{html.escape(summary)}</summary>{body}</details>')
