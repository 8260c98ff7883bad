"""Names people type into tables (steps, tasks, reviewers, options): one text form for equal names.

A spreadsheet hands the same name back as 1, 1.0 or "1", full-width or with stray spaces; the checks of the
standards and planning lessons compare names in the form :func:`name` gives and :func:`name_key` folds.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata


def name(value) -> str | None:
    """``value`` as a name, or None when blank: 1, 1.0 and "1" are all "1"; True stays "True" (not 1);
    full-width characters are folded (NFKC) and surrounding spaces dropped.

    >>> [name(v) for v in (1, 1.0, " １ ", True, 2.5, float("nan"), "  ", None)]
    ['1', '1', '1', 'True', '2.5', None, None, None]
    """
    if value is None or _missing(value):
        return None
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        value = float(value)
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text or None


def name_key(text: str) -> str:
    """The form two names are compared in: case and inner runs of spaces ignored.

    >>> name_key("Team  Review") == name_key("team review")
    True
    """
    return re.sub(r"\s+", " ", text.casefold())


def _missing(value) -> bool:
    """pandas' NA and NaT, recognised without importing pandas."""
    return type(value).__name__ in ("NAType", "NaTType")
