"""Answers travel from the trainee's kernel to the grader as notebook outputs of one MIME type.

In the kernel, cells injected by :mod:`kit.grading.runner` call :func:`publish`, which displays each answer as
``{MIME: {name: entry}}``; on the grader side :func:`collect` reads those outputs back from the executed
notebook. Outputs rather than files: once an answer is displayed it is in the grader's hands, so a trainee
deleting files or the kernel dying later cannot lose it. An entry is one of

- ``{"json": value}`` — JSON-able values: numbers, strings, booleans, None, lists and dicts of them (numpy
  scalars and arrays, tuples and pandas Index become lists, sets become sorted lists, dict keys become strings,
  NaN and ±inf become None);
- ``{"frame": {"parquet_b64": ..., "series": bool, "name": ..., "columns": ...}}`` — a pandas DataFrame, or a
  Series as a one-column frame, index kept, as base64 Parquet (column labels that are not unique strings, e.g.
  years in a pivot table, travel as JSON in ``columns`` and are restored);
- ``{"unsupported": type_name, "repr": text}`` — anything else (or too large), with the first 500 characters
  of its repr.

Only JSON and Parquet are ever decoded on the grader side, never pickle.
"""

from __future__ import annotations

import base64
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

MIME = "application/vnd.kit.answers+json"
MAX_BYTES = 20_000_000
REPR_CHARS = 500
MAX_DEPTH = 64
SERIES_ATTR = "kit.series"  # collect() marks frames that were a Series: attrs[SERIES_ATTR] = {"name": ...}


@dataclass(frozen=True)
class Unsupported:
    """An answer that could not be exported as data: its type name and the start of its repr."""

    type_name: str
    repr: str


class _NotJSON(Exception):
    pass


def publish(namespace: dict, names: Sequence[str], max_bytes: int = MAX_BYTES) -> None:
    """Display each of ``names`` found in ``namespace`` as an answers output (runs in the trainee's kernel).
    Names that are not defined are skipped."""
    from IPython.display import display

    for name in names:
        if name in namespace:
            display({MIME: {name: encode(namespace[name], max_bytes)}}, raw=True)


def encode(value, max_bytes: int = MAX_BYTES) -> dict:
    """The answers entry for one value (see the module docstring)."""
    try:
        if _is_pandas(value, "DataFrame") or _is_pandas(value, "Series"):
            entry = _encode_frame(value)
            size = len(entry["frame"]["parquet_b64"])
        else:
            entry = {"json": _jsonable(value, 0)}
            size = len(json.dumps(entry, ensure_ascii=False, allow_nan=False))
    except Exception:
        return _unsupported(value)
    if size > max_bytes:
        return _unsupported(value, f"<{type(value).__name__} too large to export: {size} bytes>")
    return entry


def collect(nb, max_bytes: int = MAX_BYTES) -> dict[str, object]:
    """The answers exported in an executed notebook: ``{name: value}``, reading cells in order so that a later
    export of a name wins. Values are plain JSON data, pandas DataFrames (a Series comes back as a one-column
    frame with ``attrs["kit.series"]`` set) or :class:`Unsupported`. Only outputs of cells that the runner
    injected (``metadata.kit.injected``) count; payloads over ``max_bytes`` and malformed ones are ignored."""
    answers: dict[str, object] = {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code" or not _injected(cell):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            payload = (output.get("data") or {}).get(MIME)
            if isinstance(payload, str):
                if len(payload) > max_bytes:
                    continue
                try:
                    payload = json.loads(payload)
                except ValueError:
                    continue
            if not isinstance(payload, dict):
                continue
            for name, entry in payload.items():
                value = _decode(entry, max_bytes)
                if value is not _INVALID:
                    answers[str(name)] = value
    return answers


def _injected(cell) -> bool:
    kit = (cell.get("metadata") or {}).get("kit")
    return isinstance(kit, dict) and kit.get("injected") is True


_INVALID = object()


def _decode(entry, max_bytes: int):
    if not isinstance(entry, dict) or len(entry) == 0:
        return _INVALID
    if "json" in entry:
        try:
            text = json.dumps(entry["json"], ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            return _INVALID
        return _INVALID if len(text) > max_bytes else json.loads(text)  # plain dicts and lists again
    if "frame" in entry:
        frame = entry["frame"]
        data = frame.get("parquet_b64") if isinstance(frame, dict) else None
        if not isinstance(data, str) or len(data) > max_bytes:
            return _INVALID
        try:
            import pandas as pd
            import pyarrow.parquet as pq

            table = pq.read_table(io.BytesIO(base64.b64decode(data, validate=True)))
            df = table.to_pandas()
        except Exception:
            return _INVALID
        columns = frame.get("columns")
        if isinstance(columns, dict) and isinstance(columns.get("labels"), list):
            if len(columns["labels"]) != len(df.columns):
                return _INVALID
            df.columns = pd.Index(columns["labels"], name=columns.get("name"))
        if frame.get("series") is True:
            df.attrs[SERIES_ATTR] = {"name": frame.get("name")}
        return df
    if "unsupported" in entry:
        return Unsupported(str(entry.get("unsupported"))[:200], str(entry.get("repr", ""))[:REPR_CHARS])
    return _INVALID


def _is_pandas(value, name: str) -> bool:
    module = type(value).__module__ or ""
    if not module.startswith("pandas"):
        return False
    import pandas as pd

    return isinstance(value, getattr(pd, name))


def _encode_frame(value) -> dict:
    series = _is_pandas(value, "Series")
    if series:
        frame = value.to_frame(name="value" if value.name is None else str(value.name))
    else:
        frame = value.copy(deep=False)
    frame.attrs = {}
    labels = None
    if not (all(isinstance(c, str) for c in frame.columns) and frame.columns.is_unique):
        if _is_pandas(frame.columns, "MultiIndex"):
            raise _NotJSON("MultiIndex columns")
        labels = {"labels": [_jsonable(c, 1) for c in frame.columns], "name": _jsonable(frame.columns.name, 1)}
        frame.columns = [f"c{i}" for i in range(len(frame.columns))]  # Parquet wants unique string names
    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow", index=True)
    encoded = {"parquet_b64": base64.b64encode(buffer.getvalue()).decode("ascii"), "series": series}
    if labels is not None:
        encoded["columns"] = labels
    if series:
        try:
            encoded["name"] = _jsonable(value.name, 0)
        except _NotJSON:
            encoded["name"] = str(value.name)
    return {"frame": encoded}


def _unsupported(value, text: str | None = None) -> dict:
    if text is None:
        try:
            text = repr(value)[:REPR_CHARS]
        except Exception:
            text = "<repr failed>"
    return {"unsupported": type(value).__name__, "repr": str(text)[:REPR_CHARS]}


def _jsonable(value, depth: int):
    """``value`` as plain JSON data, or _NotJSON."""
    if depth > MAX_DEPTH:
        raise _NotJSON("too deep")
    if value is None or isinstance(value, bool):
        return value if value is None else bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return str(value)
    module = type(value).__module__ or ""
    if module.startswith("numpy"):
        import numpy as np

        if isinstance(value, np.ndarray):
            return _jsonable(value.tolist(), depth + 1)
        if isinstance(value, np.generic):
            item = value.item()
            if isinstance(item, bool | int | float | str) or item is None:
                return _jsonable(item, depth + 1)
        raise _NotJSON(module)
    if _is_pandas(value, "Index") and not _is_pandas(value, "MultiIndex"):
        return _jsonable(value.tolist(), depth + 1)
    if isinstance(value, list | tuple):
        return [_jsonable(v, depth + 1) for v in value]
    if isinstance(value, set | frozenset):
        items = [_jsonable(v, depth + 1) for v in value]
        try:
            return sorted(items)
        except TypeError:  # mixed types: a stable order all the same
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, dict):
        return {str(k): _jsonable(v, depth + 1) for k, v in value.items()}
    raise _NotJSON(type(value).__name__)
