"""What every export shares: the :class:`Adapted` table, rows that are no responses, the generic layout."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from kit.scores import fold_width

TOTAL_WORDS = r"^(?:合计|总计|共计|小计|平均值?|均值|汇总|total|totals|sum|average|mean|grand total|subtotal)"
TOTAL_ROW = (re.compile(TOTAL_WORDS), re.compile(TOTAL_WORDS + r"(?:$|[\s:：（(]|\d)"))
"""A first or second cell that starts a totals or averages row: "合计", "平均", "共计：110 条", "Total" (the word
first, searched by pyarrow; then what follows it, by Python's re)."""
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
        if mask.all():
            return self
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


def distinct(column: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Each row's position among the column's distinct values (-1 for an empty cell) and those values in the order
    they first appear; a categorical column gives the values it holds, as the same column read as text would."""
    codes, uniques = pd.factorize(column)
    if isinstance(uniques.dtype, pd.CategoricalDtype):
        uniques = uniques.astype(uniques.categories.dtype)
    return codes, pd.Series(uniques)


def per_value(column: pd.Series, change) -> pd.Series:
    """``change`` (distinct values → a new value each) worked out once per distinct value and spread over the rows;
    empty cells stay empty."""
    codes, values = distinct(column)
    return pd.Series(pd.Series(change(values)).array.take(codes, allow_fill=True), index=column.index)


def plain(column: pd.Series) -> pd.Series:
    """A categorical column as the values it holds, row by row (any other column as it is)."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return column
    values = column.cat.categories.array.take(column.cat.codes.to_numpy(), allow_fill=True)
    return pd.Series(values, index=column.index, name=column.name)


def as_text(values: pd.Series) -> pd.Series:
    """Values as ``string`` dtype: text as it is, numbers and dates (Excel, Parquet) as Python writes them."""
    return values.astype("string") if isinstance(values.dtype, pd.StringDtype) else values.astype(object).astype("string")


def flags(column: pd.Series, test) -> np.ndarray:
    """Whether each cell, folded (:func:`fold`), passes ``test`` — a compiled pattern (searched), a set (member),
    a string (equal) or a tuple of them (all); one bool per row, worked out once per distinct value with vectorised
    string ops (row by row in a text column that is not coded: its values are mostly distinct)."""
    codes, values = (np.arange(len(column)), column) if isinstance(column.dtype, pd.StringDtype) else distinct(column)
    folded = fold_width(as_text(values)).str.strip().str.lower()
    folded = pd.concat([folded, pd.Series([""], dtype="string")], ignore_index=True).fillna("")
    return _passes(folded, test)[codes]


def _passes(folded: pd.Series, test) -> np.ndarray:
    """:func:`flags` on folded values; each test of a tuple is tried only on the values the ones before passed (a
    pattern pyarrow can search first spares Python's re the rest)."""
    if isinstance(test, tuple):
        passed = np.ones(len(folded), dtype=bool)
        for one in test:
            candidates = np.flatnonzero(passed)
            passed[candidates] = _passes(folded.iloc[candidates], one)
        return passed
    if isinstance(test, re.Pattern):
        found = folded.str.contains(test)
    elif isinstance(test, set | frozenset):
        found = folded.isin(test)
    else:
        found = folded.eq(test)
    return found.fillna(False).to_numpy(dtype=bool)


def rows_where_all(table: pd.DataFrame, tests: dict) -> np.ndarray:
    """Rows where ``tests[column]`` holds for every listed column, narrowing the candidate rows column by column,
    coded (categorical) ones first (most files fail on the first column, so the rest is never read)."""
    candidates = np.arange(len(table))
    for position in sorted(tests, key=lambda p: not isinstance(table[p].dtype, pd.CategoricalDtype)):
        if not len(candidates):
            break
        candidates = candidates[flags(table[position].iloc[candidates], tests[position])]
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


TEST_MARKS = (re.compile(r"test|测试|please ignore|请忽略"),
              re.compile(r"^(?:test|testing|测试|测试数据)$|please ignore|请忽略|测试数据|^test\s*[-–:]"))
"""A cell that is only "test"/"测试" or says to ignore the row (its words first, as :data:`TOTAL_ROW`)."""


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
