"""What the action-planning steps share: :func:`label`, the zh/en name of any code of the subpackage; the
flat result record of the checks; and how they read input — keys folded for matching, blank cells, the ``lang``
argument.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata

from kit.errors import KitError
from kit.i18n import LANGS, catalogue, get_lang, t
from kit.results import Result


class _Record(Result):
    """A Result whose tuple fields flatten to one comma-joined text column (not ``_low``/``_high``)."""

    def to_dict(self) -> dict:
        """Flat mapping of the scalar fields; tuples become ``"a, b"``, mappings are left out.

        >>> from kit.actionplan.focus import Focus
        >>> Focus(abilities=("crisis", "empathy"), scores=(1.0, 2.0), tied=()).to_dict()["abilities"]
        'crisis, empathy'
        """
        flat = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                flat[f.name] = ", ".join(str(v) for v in value)
            elif not isinstance(value, (list, dict)) and not hasattr(value, "shape"):
                flat[f.name] = value
        return flat


def _fold(text) -> str:
    """A key folded for matching: NFKC, case, and spaces, ``_ - / ( )`` dropped (``"SMART 目标"`` → ``smart目标``)."""
    return re.sub(r"[\s_\-/()·.:]+", "", unicodedata.normalize("NFKC", str(text)).casefold())


def _is_blank(value) -> bool:
    """None, NaN/NaT, an empty or whitespace-only text, or an empty container."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    try:  # pandas NA/NaT and numpy NaN without importing pandas
        return bool(value != value)
    except (TypeError, ValueError):  # pd.NA has no truth value; an array is not one cell
        return type(value).__name__ == "NAType"


def _check_lang(lang) -> str | None:
    if lang is not None and lang not in LANGS:
        raise KitError("unknown_lang", value=lang)
    return lang


def label(group: str, code: str, lang: str | None = None) -> str:
    """The display name of a code of :mod:`kit.actionplan` in ``lang``: ``group`` is ``field`` (template fields),
    ``horizon``, ``content`` (horizon content), ``smart`` (SMART letters), ``unit`` or ``role`` (RACI).

    >>> label("field", "raci", "zh"), label("horizon", "long", "en"), label("role", "A", "zh")
    ('责任矩阵（RACI）', 'Long term', '批准（问责）')
    """
    groups = {"field": "fields", "horizon": "horizons", "content": "content", "smart": "smart.parts",
              "unit": "units", "role": "raci.roles"}
    if group not in groups:
        raise KitError("actionplan_unknown_group", value=group, groups=", ".join(groups))
    key = f"actionplan.{groups[group]}.{code}"
    if key not in catalogue(lang or get_lang()):
        names = sorted(k.rsplit(".", 1)[1] for k in catalogue("en") if k.startswith(f"actionplan.{groups[group]}."))
        raise KitError("actionplan_unknown_code", value=code, group=group, codes=", ".join(names))
    return t(key, lang)
