"""Cells a spreadsheet will not run: the one rule for every CSV the kit writes, and its inverse for sheets it reads back.

Excel, WPS and LibreOffice treat a CSV cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula: a trainee
answer ``=HYPERLINK("http://x","click")`` becomes a live link in the trainer's gradebook, and DDE payloads can
start programs. A leading tab or carriage return is stripped by some spreadsheets before they look, so it counts
too. OWASP "CSV Injection" (https://owasp.org/www-community/attacks/CSV_Injection) recommends prefixing such a cell
with a single quote, which every spreadsheet shows as text. The rule, applied by :func:`neutralise`:

- only **text** cells: numbers (numeric columns, ``int``/``float`` values), dates and missing values are never
  touched, and a text cell that is entirely a plain number (``"-5"``, ``"+3.2"``, ``"-1e3"``) stays as it is — a
  spreadsheet reads it as that number, not as a formula;
- a text cell whose first character is one of :data:`FORMULA_START` (``=`` ``+`` ``-`` ``@`` tab CR) gets a
  leading ``'``.

``reversible=True`` is for sheets whose ids come back to the kit (the manual-grading sheet) or go on to another
system (the LMS export): there a text cell that already is quotes followed by such a character gets one more quote
(``'=1+2`` → ``''=1+2``), so two ids never look alike on the sheet and :func:`restore` takes exactly one quote
off again. :func:`kit.data.io.save` uses the plain rule, because :func:`kit.data.io.load` itself stores an escaped cell as
``'=…`` and must read back what it saved.

:data:`FORMULA_RE` is also what :mod:`kit.data.io` uses to refuse or escape formula-like cells on input.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_RE = r"^[=+\-@\t\r]"  # a cell starting with one of FORMULA_START (kit.data.io matches trimmed input with it)
QUOTE = "'"
_FORMULA = re.compile(FORMULA_RE)
_ESCAPED = re.compile(r"'*[=+\-@\t\r]")  # what gets a quote in reversible mode (matched at the start)
_QUOTED = re.compile(r"'+[=+\-@\t\r]")  # what loses one on the way back
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(value, *, reversible: bool = False):
    """``value`` as a spreadsheet may safely open it: formula-like text quoted, anything else unchanged.

    >>> neutralise('=HYPERLINK("http://x","click")'), neutralise("@SUM(A1)"), neutralise("\\t=1")
    ('\\'=HYPERLINK("http://x","click")', "'@SUM(A1)", "'\\t=1")
    >>> neutralise("-5"), neutralise("+3.2"), neutralise("-1e3"), neutralise(-5), neutralise("bob")
    ('-5', '+3.2', '-1e3', -5, 'bob')
    >>> neutralise("-"), neutralise("'=1+2"), neutralise("'=1+2", reversible=True), neutralise("'x", reversible=True)
    ("'-", "'=1+2", "''=1+2", "'x")
    """
    if (isinstance(value, str) and (_ESCAPED if reversible else _FORMULA).match(value)
            and not _PLAIN_NUMBER.fullmatch(value)):
        return QUOTE + value
    return value


def restore(value):
    """The inverse of ``neutralise(value, reversible=True)``: the cell's text as it was before quoting.

    >>> restore("'=1+2"), restore("''=1+2"), restore("'quoted"), restore("-5"), restore(3)
    ('=1+2', "'=1+2", "'quoted", '-5', 3)
    """
    if isinstance(value, str) and _QUOTED.match(value):
        return value[1:]
    return value


def neutralise_frame(frame: pd.DataFrame, *, reversible: bool = False) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell passed through :func:`neutralise` (numeric, boolean and date
    columns are left as they are). Works on the distinct values, so a million-row table costs little.

    >>> frame = pd.DataFrame({"id": ["=1+2", "bob", "@x"], "score": [-5, 3, 1], "note": ["-1e3", "-x", "+"]})
    >>> neutralise_frame(frame).to_dict("list")
    {'id': ["'=1+2", 'bob', "'@x"], 'score': [-5, 3, 1], 'note': ['-1e3', "'-x", "'+"]}
    """
    def fix(value):
        return neutralise(value, reversible=reversible)

    out = frame.copy()
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if isinstance(column.dtype, pd.CategoricalDtype):
            renamed = [fix(c) for c in column.cat.categories]
            if len(set(renamed)) < len(renamed):  # "=x" next to "'=x" in plain mode: no longer categories
                out.isetitem(position, column.astype(object).map(fix))
            elif renamed != list(column.cat.categories):
                out.isetitem(position, column.cat.rename_categories(renamed))
        elif column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            try:
                uniques = pd.unique(column.dropna())
            except TypeError:  # unhashable cells (lists …): one by one
                out.isetitem(position, column.map(fix))
                continue
            changed = {u: fix(u) for u in uniques if fix(u) is not u}
            if changed:
                values = column.to_numpy(dtype=object, copy=True)
                hit = column.isin(list(changed)).to_numpy(dtype=bool)
                values[hit] = [changed[v] for v in values[hit]]
                out.isetitem(position, pd.Series(values, index=column.index, name=column.name).astype(column.dtype))
    return out


__all__ = ["FORMULA_RE", "FORMULA_START", "neutralise", "neutralise_frame", "restore"]
