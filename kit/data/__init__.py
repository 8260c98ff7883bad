"""The data layer: reading users' files into validated tables, and the tables' definitions.

- :mod:`kit.data.schemas`: every kind of table (columns, types, ranges, header aliases);
- :mod:`kit.data.io`: ``load`` a CSV/XLSX/Parquet file as one kind of table (checked, coerced, reported) and
  ``save`` it back;
- :mod:`kit.data.spreadsheet`: neutralising spreadsheet formulas in text written out;
- :mod:`kit.data.synth`: the synthetic sample data (``data/sample``);
- :mod:`kit.data.docs`: ``data/README.md`` rendered from the schemas.

``kit.data.load`` and ``kit.data.save`` are :func:`kit.data.io.load` and :func:`kit.data.io.save`. Submodules
load on first use, so ``import kit.data`` stays light.
"""

import importlib

_SUBMODULES = {"docs", "io", "schemas", "spreadsheet", "synth"}


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"kit.data.{name}")
    if name in ("load", "save"):
        return getattr(importlib.import_module("kit.data.io"), name)
    raise AttributeError(f"module 'kit.data' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_SUBMODULES, "load", "save"])
