"""User-facing errors: what went wrong, where, and how to fix it — in the user's language.

A :class:`KitError` carries a message code and its parameters, and renders itself at ``str()`` time
from ``kit/locale/<lang>.yml`` (``errors.<code>.what`` / ``.fix``), so the same error reads in
Chinese or English. The CLI prints it as one paragraph without a traceback and exits with status 2.
"""

from __future__ import annotations

from collections.abc import Sequence

from kit.i18n import get_lang, t

ROWS_SHOWN = 10


class KitError(Exception):
    """An error the user can fix: bad input, a wrong option, a missing file."""

    def __init__(self, code: str, *, file=None, rows: Sequence[int] = (), column: str | None = None, **params):
        self.code = code
        self.file = None if file is None else str(file)
        self.rows = list(rows)
        self.column = column
        self.params = params
        super().__init__(code)

    def render(self, lang: str | None = None, brief: bool = False) -> str:
        """The one-paragraph message: what, where, fix — and, when the error carries one, the line of a mapping
        file that would fix it (``hint``, a :class:`Hint`). ``brief`` leaves out the file and column (said above it)."""
        lang = lang or get_lang()
        params = {**self.params, "file": self.file, "column": self.column}
        parts = [t(f"errors.{self.code}.what", lang, **params)]
        where = self.where(lang, brief)
        if where:
            parts.append(where)
        parts.append(t(f"errors.{self.code}.fix", lang, **params))
        hint = self.params.get("hint")
        if hint is not None:
            parts.append(hint.render(lang))
        return " ".join(parts)

    def where(self, lang: str, brief: bool = False) -> str:
        """'File x, rows 2, 5 (…), column 'nps'.' — only the parts that are known (``brief``: the rows only)."""
        bits = []
        if self.file and not brief:
            bits.append(t("where.file", lang, file=self.file))
        if self.rows:
            bits.append(t("where.rows", lang, rows=format_rows(self.rows, lang)))
        if self.column and not brief:
            bits.append(t("where.column", lang, column=self.column))
        return t("where.join", lang).join(bits) + t("where.end", lang) if bits else ""

    def __str__(self) -> str:
        return self.render()


class DataError(KitError):
    """Bad user data: a file that cannot be read or does not fit its table's schema."""


class DataProblems(DataError):
    """Every problem found in one file, grouped by column: a user fixes them all in one pass, not one per run."""

    def __init__(self, problems: Sequence[DataError], file):
        super().__init__("data_problems", file=file, count=len(problems))
        self.problems = list(problems)

    def render(self, lang: str | None = None, brief: bool = False) -> str:
        lang = lang or get_lang()
        lines = [t("errors.data_problems.what", lang, file=self.file, count=len(self.problems))]
        by_column: dict[str, list[DataError]] = {}
        for problem in self.problems:
            by_column.setdefault(problem.column or "", []).append(problem)
        for column, problems in by_column.items():
            lines.append(t("errors.data_problems.column", lang, column=column) if column
                         else t("errors.data_problems.file", lang))
            lines += [f"  • {p.render(lang, brief=True)}" for p in problems]
        lines.append(t("errors.data_problems.fix", lang))
        return "\n".join(lines)


class Hint:
    """The lines to add to a mapping file (``kit data map`` writes one) that would solve an error:
    ``section`` ("columns", "values: csat", "dont_know") and the YAML ``lines`` to put under it."""

    def __init__(self, kind: str, section: str, lines: Sequence[str]):
        self.kind, self.section, self.lines = kind, section, list(lines)

    def render(self, lang: str) -> str:
        return t("errors.map_hint", lang, kind=self.kind, section=self.section, lines="; ".join(self.lines))

    def __repr__(self) -> str:
        return f"Hint({self.kind!r}, {self.section!r}, {self.lines!r})"


def format_rows(rows: Sequence[int], lang: str) -> str:
    """'2, 5, 9' or '2, 5, 9, … (+12 more)' for long lists of spreadsheet row numbers."""
    shown = ", ".join(str(r) for r in rows[:ROWS_SHOWN])
    extra = len(rows) - ROWS_SHOWN
    return shown + (t("where.more", lang, n=extra) if extra > 0 else "")
