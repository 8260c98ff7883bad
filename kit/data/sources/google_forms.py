"""Google Forms responses (CSV download or the linked Sheet): "Timestamp" / "时间戳记" first, then the questions;
a checkbox question joined with ", "; no response id (the row number stands in)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit.data.sources.common import Adapted, fold

NAME = "google_forms"
TIMESTAMPS = {"timestamp", "时间戳记", "時間戳記"}


def detect(table: pd.DataFrame, headers: list[str]) -> bool:
    return bool(headers) and fold(headers[0]) in TIMESTAMPS


def adapt(table: pd.DataFrame, headers: list[str], rows: np.ndarray) -> Adapted:
    table = table.copy()
    stamps = table[0].astype("string").str.replace(r"\s*GMT[+-]\d{1,2}(?::?\d{2})?$", "", regex=True)
    table[0] = pd.to_datetime(stamps, format="mixed", errors="coerce").dt.strftime("%Y-%m-%d %H:%M:%S") \
        .where(lambda s: s.notna(), table[0])
    return Adapted(NAME, table, headers, rows, fields={0: "submitted_at"})
