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
"""What platforms write in a cell nobody answered (问卷星 (空) for an empty text, (跳过) or -3 for a skipped
question)."""
BLANK = PLACEHOLDERS | {""}


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
    ``{answer: value}`` used to turn label answers into scores (durations into seconds …), ``originals``:
    position → that column as the file had it; ``notes``: (code, params) of what the adapter did, reported by
    :class:`kit.data.io.LoadReport`."""

    platform: str
    table: pd.DataFrame
    headers: list[str]
    rows: np.ndarray
    excluded: list[Excluded] = field(default_factory=list)
    fields: dict[int, str] = field(default_factory=dict)
    decoded: dict[int, dict] = field(default_factory=dict)
    originals: dict[int, pd.Series] = field(default_factory=dict)
    notes: list[tuple[str, dict]] = field(default_factory=list)

    def keep(self, mask, reason: str) -> Adapted:
        """Only the rows where ``mask`` holds; the others are excluded for ``reason``."""
        mask = np.asarray(mask, dtype=bool)
        gone = [Excluded(int(r), reason) for r in self.rows[~mask]]
        originals = {p: column[mask].reset_index(drop=True) for p, column in self.originals.items()}
        return replace(self, table=self.table[mask].reset_index(drop=True), rows=self.rows[mask],
                       excluded=[*self.excluded, *gone], originals=originals)

    def matched(self) -> Adapted:
        """Question-text headers matched to kit columns, label answers decoded, durations in seconds."""
        from kit.data.sources.questions import match

        return match(self)


def generic(table: pd.DataFrame, headers: list[str], rows: np.ndarray, notes=()) -> Adapted:
    """A plain spreadsheet or CRM export: the first row holds the headers."""
    return Adapted("generic", table, headers, rows, notes=list(notes))


def by_header(headers: list[str], names: dict[str, str]) -> dict[int, str]:
    """Column position → kit column for every header that ``names`` (folded platform header → kit column) knows."""
    return {p: names[fold(h)] for p, h in enumerate(headers) if fold(h) in names}


def fold(value) -> str:
    """A cell as comparable text: NFKC, trimmed, lower case; empty for a missing cell."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip().lower()


def flags(column: pd.Series, test) -> np.ndarray:
    """Whether each cell, folded (:func:`fold`), passes ``test`` — a compiled pattern (searched), a set (member)
    or a string (equal); one bool per row, worked out once per distinct value with vectorised string ops."""
    codes, uniques = pd.factorize(column)
    folded = pd.Series(uniques, dtype=object).astype("string").str.normalize("NFKC").str.strip().str.lower()
    folded = pd.concat([folded, pd.Series([""], dtype="string")], ignore_index=True).fillna("")
    if isinstance(test, re.Pattern):
        per_value = folded.str.contains(test)
    elif isinstance(test, set | frozenset):
        per_value = folded.isin(test)
    else:
        per_value = folded.eq(test)
    return per_value.fillna(False).to_numpy(dtype=bool)[codes]


def rows_where_all(table: pd.DataFrame, tests: dict) -> np.ndarray:
    """Rows where ``tests[column]`` holds for every listed column, narrowing the candidate rows column by column
    (most files fail on the first column, so the rest is never read)."""
    candidates = np.arange(len(table))
    for position, test in tests.items():
        if not len(candidates):
            break
        candidates = candidates[flags(table[position].iloc[candidates], test)]
    found = np.zeros(len(table), dtype=bool)
    found[candidates] = True
    return found


def junk_rows(adapted: Adapted) -> Adapted:
    """Take out rows that are no responses: blank ones (empty or only placeholders), totals and averages
    (合计/总计/平均/Total … in one of the first two cells), and the header repeated inside the data (a file pasted
    together from several pages: every cell of the first two named columns equals its header)."""
    table = adapted.table
    if table.empty:
        return adapted
    adapted = adapted.keep(~rows_where_all(table, dict.fromkeys(table.columns, BLANK)), "blank")
    first = list(adapted.table.columns[:2])
    total = np.logical_or.reduce([flags(adapted.table[p], TOTAL_ROW) for p in first])
    adapted = adapted.keep(~total, "total_row")
    named = {p: fold(h) for p, h in enumerate(adapted.headers) if fold(h) and not h.startswith("Unnamed: ")}
    repeated = rows_where_all(adapted.table, dict(list(named.items())[:2])) if named else ()
    return adapted.keep(~np.asarray(repeated, dtype=bool), "repeated_header")


TEST_MARKS = re.compile(r"^(?:test|testing|测试|测试数据)$|please ignore|请忽略|测试数据|^test\s*[-–:]")


def test_rows(adapted: Adapted, skip=()) -> Adapted:
    """Take out test submissions: a row with a text cell that is only "test"/"测试" or says to ignore it
    ("test - please ignore", "测试数据，请忽略"). Only text columns are read, never those in ``skip`` (columns known
    to hold ids, dates or numbers)."""
    text = [p for p in adapted.table.columns if p not in skip and not pd.api.types.is_numeric_dtype(adapted.table[p])
            and not pd.to_numeric(adapted.table[p].dropna().head(50), errors="coerce").notna().all()]
    if adapted.table.empty or not text:
        return adapted
    marked = np.logical_or.reduce([flags(adapted.table[p], TEST_MARKS) for p in text])
    return adapted.keep(~marked, "test")


def numbered(header: str) -> str:
    """A question header without its platform numbering: "1、您…" / "Q3. …" / "3.您…" → "您…"."""
    return re.sub(r"^\s*(?:Q\s*)?\d+\s*[、.．:：)）]\s*", "", str(header)).strip()
