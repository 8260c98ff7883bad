"""Base class for statistic results: a small frozen dataclass with a readable repr and ``to_frame()``."""

from __future__ import annotations

import dataclasses
import math
import numbers


def _short(value):
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.4g}")
    if isinstance(value, tuple):
        return tuple(_short(v) for v in value)
    return value


def _interval(value) -> bool:
    """A (low, high) pair of numbers (None and NaN allowed), as opposed to a pair of names."""
    return isinstance(value, tuple) and len(value) == 2 and all(
        v is None or (isinstance(v, numbers.Real) and not isinstance(v, bool)) for v in value)


@dataclasses.dataclass(frozen=True, repr=False)
class Result:
    """Subclass with ``@dataclass(frozen=True, repr=False)``; scalar and (low, high) fields become columns."""

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{f.name}={_short(getattr(self, f.name))!r}" for f in dataclasses.fields(self) if f.repr
        )
        return f"{type(self).__name__}({fields})"

    def to_dict(self) -> dict:
        """Flat mapping of the scalar fields: a (low, high) pair of numbers such as ``ci`` becomes ``ci_low`` and
        ``ci_high``; a tuple of names is joined with ", " and a tuple of paths with " | " (each "a → b"); other
        tuples (problems, findings), lists, dicts and tables are left out (see ``table``)."""
        flat = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if _interval(value):
                flat[f"{f.name}_low"], flat[f"{f.name}_high"] = value
            elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
                flat[f.name] = ", ".join(value)
            elif isinstance(value, tuple) and value and all(
                    isinstance(v, tuple) and all(isinstance(x, str) for x in v) for v in value):
                flat[f.name] = " | ".join(" → ".join(path) for path in value)
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
