"""Base class for statistic results: a small frozen dataclass with a readable repr and ``to_frame()``."""

from __future__ import annotations

import dataclasses
import math


def _short(value):
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.4g}")
    if isinstance(value, tuple):
        return tuple(_short(v) for v in value)
    return value


@dataclasses.dataclass(frozen=True, repr=False)
class Result:
    """Subclass with ``@dataclass(frozen=True, repr=False)``; scalar and (low, high) fields become columns."""

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{f.name}={_short(getattr(self, f.name))!r}" for f in dataclasses.fields(self) if f.repr
        )
        return f"{type(self).__name__}({fields})"

    def to_dict(self) -> dict:
        """Flat mapping of the scalar fields; a 2-tuple field ``ci`` becomes ``ci_low`` and ``ci_high``."""
        flat = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple) and len(value) == 2:
                flat[f"{f.name}_low"], flat[f"{f.name}_high"] = value
            elif not hasattr(value, "shape") and not isinstance(value, (list, dict, tuple)):
                flat[f.name] = value
        return flat

    def to_frame(self):
        """The result's ``table`` when it carries one (per dimension, per feature …), else a one-row
        DataFrame of :meth:`to_dict` indexed by the result's name."""
        import pandas as pd

        table = getattr(self, "table", None)
        if isinstance(table, pd.DataFrame):
            return table
        return pd.DataFrame([self.to_dict()], index=[type(self).__name__])
