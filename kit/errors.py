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

    def render(self, lang: str | None = None) -> str:
        """The one-paragraph message: what, where, fix."""
        lang = lang or get_lang()
        params = {**self.params, "file": self.file, "column": self.column}
        parts = [t(f"errors.{self.code}.what", lang, **params)]
        where = self.where(lang)
        if where:
            parts.append(where)
        parts.append(t(f"errors.{self.code}.fix", lang, **params))
        return " ".join(parts)

    def where(self, lang: str) -> str:
        """'File x, rows 2, 5 (…), column 'nps'.' — only the parts that are known."""
        bits = []
        if self.file:
            bits.append(t("where.file", lang, file=self.file))
        if self.rows:
            bits.append(t("where.rows", lang, rows=format_rows(self.rows, lang)))
        if self.column:
            bits.append(t("where.column", lang, column=self.column))
        return t("where.join", lang).join(bits) + t("where.end", lang) if bits else ""

    def __str__(self) -> str:
        return self.render()


class DataError(KitError):
    """Bad user data: a file that cannot be read or does not fit its table's schema."""


def format_rows(rows: Sequence[int], lang: str) -> str:
    """'2, 5, 9' or '2, 5, 9, … (+12 more)' for long lists of spreadsheet row numbers."""
    shown = ", ".join(str(r) for r in rows[:ROWS_SHOWN])
    extra = len(rows) - ROWS_SHOWN
    return shown + (t("where.more", lang, n=extra) if extra > 0 else "")
