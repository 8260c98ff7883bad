"""Qualtrics "Download data table" CSV/XLSX: three header rows, and responses that are no answers.

Row 1 holds column ids (StartDate … ResponseId … Q1, Q2_1 …), row 2 the question texts, row 3 the ImportId JSON.
The question text names each Q column; preview and test responses (``Status``: "Survey Preview"/1,
"Survey Test"/2, "Spam"/8) and unfinished ones (``Finished`` False/0) are excluded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit.data.sources.common import Adapted, by_header, flags, fold

NAME = "qualtrics"
FIELDS = {"responseid": "response_id", "enddate": "submitted_at", "duration (in seconds)": "duration_s",
          "externalreference": "customer_id"}
EXCLUDED_STATUS = {"survey preview": "preview", "1": "preview", "survey test": "test", "2": "test",
                   "spam": "test", "8": "test"}


def detect(table: pd.DataFrame, headers: list[str]) -> bool:
    ids = {fold(h) for h in headers}
    third = " ".join(fold(v) for v in table.iloc[1].tolist()) if len(table) > 1 else ""
    return ("responseid" in ids or {"startdate", "finished"} <= ids) and '"importid"' in third


def adapt(table: pd.DataFrame, headers: list[str], rows: np.ndarray) -> Adapted:
    texts = ["" if pd.isna(v) else str(v).strip() for v in table.iloc[0]]
    named = [text if header.upper().startswith("Q") and text else header for header, text in zip(headers, texts, strict=True)]
    adapted = Adapted(NAME, table.iloc[2:].reset_index(drop=True), named, rows[2:],
                      fields=by_header(headers, FIELDS),
                      notes=[("header_rows", {"rows": f"{rows[0]}–{rows[1]}"})])
    ids = [fold(h) for h in headers]
    if "status" in ids:
        for value, reason in EXCLUDED_STATUS.items():
            adapted = adapted.keep(~flags(adapted.table[ids.index("status")], value), reason)
    if "finished" in ids:
        unfinished = flags(adapted.table[ids.index("finished")], {"false", "0", "0.0"})
        adapted = adapted.keep(~unfinished, "unfinished")
    return adapted
