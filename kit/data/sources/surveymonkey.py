"""SurveyMonkey CSV/XLSX export: two header rows, a multi-choice question spread over one column per option.

Row 1 holds the question texts (blank over the second and later options of a question), row 2 "Response",
"Open-Ended Response" or the option names (a chosen option's cell holds its name, so row 2 is not needed). A question spread over several option columns becomes one column
holding the first option chosen; the other columns are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit.data.sources.common import Adapted, fold, plain

NAME = "surveymonkey"
FIELDS = {"respondent id": "response_id", "end date": "submitted_at"}
SUBHEADERS = {"response", "open-ended response"}


def detect(table: pd.DataFrame, headers: list[str]) -> bool:
    ids = {fold(h) for h in headers}
    second = {fold(v) for v in table.iloc[0].tolist()} if len(table) else set()
    return "respondent id" in ids and bool(second & SUBHEADERS)


def adapt(table: pd.DataFrame, headers: list[str], rows: np.ndarray) -> Adapted:
    body = table.iloc[1:].reset_index(drop=True)
    groups: list[list[int]] = []
    for position, header in enumerate(headers):
        if header.startswith("Unnamed: ") or not header.strip():
            groups[-1].append(position)
        else:
            groups.append([position])
    columns, named, fields = {}, [], {}
    for group in groups:
        first = group[0]
        if len(group) > 1:  # one column per option: the first option chosen
            chosen = body[group].apply(plain).bfill(axis=1).iloc[:, 0]
            columns[len(named)] = chosen
        else:
            columns[len(named)] = body[first]
        if fold(headers[first]) in FIELDS:
            fields[len(named)] = FIELDS[fold(headers[first])]
        named.append(headers[first])
    return Adapted(NAME, pd.DataFrame(columns), named, rows[1:], fields=fields,
                   notes=[("header_rows", {"rows": str(rows[0])})])
