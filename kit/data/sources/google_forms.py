"""Google Forms responses (CSV download or the linked Sheet): "Timestamp" / "时间戳记" first, then the questions;
a checkbox question joined with ", "; no response id (the row number stands in)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kit.data.sources.common import Adapted, fold, per_value

NAME = "google_forms"
TIMESTAMPS = {"timestamp", "时间戳记", "時間戳記"}


def detect(table: pd.DataFrame, headers: list[str]) -> bool:
    return bool(headers) and fold(headers[0]) in TIMESTAMPS


def adapt(table: pd.DataFrame, headers: list[str], rows: np.ndarray) -> Adapted:
    table = table.copy()
    table[0] = per_value(table[0], _timestamps)
    return Adapted(NAME, table, headers, rows, fields={0: "submitted_at"})


def _timestamps(values: pd.Series) -> pd.Series:
    """Timestamps as "2025-03-01 20:05:00" (from "2025/03/01 8:05:00 PM GMT+8"); what is none stays as it was."""
    stamps = values.astype("string").str.replace(r"\s*GMT[+-]\d{1,2}(?::?\d{2})?$", "", regex=True)
    return pd.to_datetime(stamps, format="mixed", errors="coerce").dt.strftime("%Y-%m-%d %H:%M:%S") \
        .where(lambda s: s.notna(), values)
