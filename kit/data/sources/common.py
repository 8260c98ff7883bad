"""What every export shares: the :class:`Adapted` table, rows that are no responses, the generic layout."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

TOTAL_ROW = re.compile(r"^(?:合计|总计|共计|小计|平均值?|均值|汇总|total|totals|sum|average|mean|grand total|subtotal)"
                       r"(?:$|[\s:：（(]|\d)")
"""A first or second cell that starts a totals or averages row: "合计", "平均", "共计：110 条", "Total"."""
PLACEHOLDERS = frozenset({"(空)", "（空）", "(跳过)", "（跳过）", "-3", "(skipped)", "n/a"})
"""What platforms write in a cell nobody answered (问卷星 (空) for an empty text, (跳过) for a skipped question)."""


@dataclass(frozen=True)
class Excluded:
    """A row of the file that is not a response: its file row number and why (a code of ``io.excluded``)."""

    row: int
    reason: str


@dataclass
class Adapted:
    """A table ready for the schema checks: one header per column, data rows only.

    ``rows``: the file row number of each table row; ``excluded``: the rows taken out; ``fields``: column
    position → kit column decided from the header's wording or the platform's layout; ``decoded``: position →
    ``{answer: score}`` used to turn label answers into scores; ``dropped``: platform columns left out."""

    platform: str
    table: pd.DataFrame
    headers: list[str]
    rows: np.ndarray
    excluded: list[Excluded] = field(default_factory=list)
    fields: dict[int, str] = field(default_factory=dict)
    decoded: dict[int, dict] = field(default_factory=dict)
    notes: list[tuple[str, dict]] = field(default_factory=list)

    def keep(self, mask, reason: str) -> Adapted:
        """Only the rows where ``mask`` holds; the others are excluded for ``reason``."""
        mask = np.asarray(mask, dtype=bool)
        gone = [Excluded(int(r), reason) for r in self.rows[~mask]]
        return replace(self, table=self.table[mask].reset_index(drop=True), rows=self.rows[mask],
                       excluded=[*self.excluded, *gone])

    def matched(self) -> Adapted:
        """Question-text headers matched to kit columns, label answers decoded, durations in seconds."""
        from kit.data.sources.questions import match

        return match(self)


def generic(table: pd.DataFrame, headers: list[str], rows: np.ndarray, notes=()) -> Adapted:
    """A plain spreadsheet or CRM export: the first row holds the headers."""
    return Adapted("generic", table, headers, rows, notes=list(notes))


def fold(value) -> str:
    """A cell as comparable text: NFKC, trimmed, lower case; empty for a missing cell."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip().lower()


def junk_rows(adapted: Adapted) -> Adapted:
    """Take out rows that are no responses: blank ones (empty or only placeholders), totals and averages
    (合计/总计/平均/Total … in one of the first two cells), and the header repeated inside the data (a file pasted
    together from several pages)."""
    table = adapted.table
    if table.empty:
        return adapted
    text = table.map(fold) if hasattr(table, "map") else table.applymap(fold)
    blank = (text.eq("") | text.isin(PLACEHOLDERS)).all(axis=1).to_numpy()
    adapted = adapted.keep(~blank, "blank")
    text = text[~blank].reset_index(drop=True)
    first = text.iloc[:, : min(2, text.shape[1])]
    total = first.apply(lambda column: column.str.contains(TOTAL_ROW)).any(axis=1)
    adapted = adapted.keep(~total.to_numpy(), "total_row")
    text = text[~total.to_numpy()].reset_index(drop=True)
    headers = [fold(h) for h in adapted.headers]
    same = np.column_stack([text.iloc[:, p].eq(h).to_numpy() for p, h in enumerate(headers) if h]) \
        if any(headers) else np.zeros((len(text), 1), bool)
    repeated = same.mean(axis=1) >= 0.5
    return adapted.keep(~repeated, "repeated_header")


TEST_MARKS = re.compile(r"^(?:test|testing|测试|测试数据)$|please ignore|请忽略|测试数据|^test\s*[-–:]")


def test_rows(adapted: Adapted) -> Adapted:
    """Take out test submissions: a row with a text cell that is only "test"/"测试" or says to ignore it
    ("test - please ignore", "测试数据，请忽略")."""
    text = adapted.table.map(fold) if hasattr(adapted.table, "map") else adapted.table.applymap(fold)
    marked = text.apply(lambda column: column.str.contains(TEST_MARKS)).any(axis=1).to_numpy()
    return adapted.keep(~marked, "test")


def numbered(header: str) -> str:
    """A question header without its platform numbering: "1、您…" / "Q3. …" / "3.您…" → "您…"."""
    return re.sub(r"^\s*(?:Q\s*)?\d+\s*[、.．:：)）]\s*", "", str(header)).strip()
