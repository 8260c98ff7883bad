"""Exports read as they come: the survey platform a file came from, its layout, and the rows that are no answers.

:func:`adapt` runs between reading a file and checking it against a schema (:func:`kit.data.io.load`). It finds
the platform from the file itself — 问卷星 (:mod:`.wjx`), 腾讯问卷 (:mod:`.tencent`), Qualtrics (:mod:`.qualtrics`),
SurveyMonkey (:mod:`.surveymonkey`), Google Forms (:mod:`.google_forms`), else the generic spreadsheet/CRM case —
and hands back an :class:`Adapted` table: one header per column, the platform's extra header rows gone, the rows
that are not responses taken out with their reason (preview, test, unfinished, blank, total, repeated header),
question-text headers matched to kit columns by their wording, and label answers decoded to scores
(:mod:`.questions`). Everything it took out or decoded is reported, with the file's row numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from kit.data.sources import google_forms, qualtrics, surveymonkey, tencent, wjx
from kit.data.sources.common import Adapted, Excluded, generic, junk_rows, test_rows
from kit.errors import KitError

PLATFORMS = {module.NAME: module for module in (qualtrics, surveymonkey, wjx, tencent, google_forms)}
"""Detected in this order: the platforms with extra header rows first."""
SURVEY_KINDS = ("survey_responses",)

__all__ = ["PLATFORMS", "Adapted", "Excluded", "Raw", "adapt", "with_row_ids"]


@dataclass
class Raw:
    """A file as read: positional columns, the header texts of its first row, each row's file row number."""

    table: pd.DataFrame
    headers: list[str]
    rows: np.ndarray
    notes: list[tuple[str, dict]] = field(default_factory=list)


def adapt(raw: Raw, kind: str, platform: str | None = None) -> Adapted:
    """``raw`` as the platform it came from (``platform`` forces one of :data:`PLATFORMS` or ``"generic"``).

    Survey tables get the platform's layout, exclusions and question matching; every kind loses its blank,
    total and repeated-header rows."""
    if platform is not None and platform not in (*PLATFORMS, "generic"):
        raise KitError("unknown_platform", platform=platform, known=", ".join((*PLATFORMS, "generic")))
    raw = title_row(raw)
    if kind not in SURVEY_KINDS:
        return junk_rows(generic(raw.table, raw.headers, raw.rows, raw.notes))
    if platform is None:
        platform = next((name for name, module in PLATFORMS.items() if module.detect(raw.table, raw.headers)),
                        "generic")
    module = PLATFORMS.get(platform)
    adapted = module.adapt(raw.table, raw.headers, raw.rows) if module else generic(raw.table, raw.headers, raw.rows)
    adapted.notes[:0] = raw.notes
    adapted = junk_rows(adapted)
    return test_rows(adapted, skip=_not_text(adapted.headers, kind)).matched()


def _not_text(headers: list[str], kind: str) -> set[int]:
    """Positions of the columns whose header names a schema field that holds no free text (ids, dates, numbers)."""
    from kit.data.schemas import get_schema, normalise_header

    schema = get_schema(kind)
    index = schema.header_index()
    return {p for p, h in enumerate(headers) if normalise_header(h) in index
            and schema.by_name[index[normalise_header(h)]].type not in ("text", "label")}


def title_row(raw: Raw) -> Raw:
    """A report title above the headers ("客户回访记录（导出时间：…）" alone in the first row, the headers below)
    is skipped: the second row becomes the header row."""
    named = [h for h in raw.headers if h and not h.startswith("Unnamed: ")]
    if len(named) > 1 or raw.table.empty or raw.table.iloc[0].notna().sum() < 3:
        return raw
    headers = ["" if pd.isna(v) else str(v).strip() for v in raw.table.iloc[0]]
    headers = [h or f"Unnamed: {p}" for p, h in enumerate(headers)]
    return Raw(raw.table.iloc[1:].reset_index(drop=True), headers, raw.rows[1:],
               [*raw.notes, ("title_row", {"title": named[0] if named else "", "row": int(raw.rows[0]) - 1})])


def with_row_ids(adapted: Adapted) -> Adapted:
    """``adapted`` with a ``response_id`` column naming each response by its file row number ("R2", "R3" …), for an
    export that has no response id (Google Forms, most CRM exports)."""
    table = adapted.table.copy()
    position = table.shape[1]
    table[position] = [f"R{row}" for row in adapted.rows]
    return replace(adapted, table=table, headers=[*adapted.headers, "response_id"],
                   fields={**adapted.fields, position: "response_id"}, notes=[*adapted.notes, ("row_ids", {})])
