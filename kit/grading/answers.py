"""Answers travel from the trainee's kernel to the grader as notebook outputs of one MIME type.

In the kernel, cells injected by :mod:`kit.grading.runner` call :func:`publish`, which displays each answer as
``{MIME: {name: entry}}``. Outputs rather than files: once an answer is displayed it is in the grader's hands, so
a trainee deleting files or the kernel dying later cannot lose it. An entry is one of

- ``{"json": value}`` — JSON-able values: numbers, strings, booleans, None, lists and dicts of them (numpy
  scalars and arrays, tuples and pandas Index become lists, sets become sorted lists, dict keys become strings,
  NaN and ±inf become None);
- ``{"frame": {"parquet_b64": ..., "series": bool, "name": ..., "columns": ...}}`` — a pandas DataFrame, or a
  Series as a one-column frame, index kept, as base64 Parquet (column labels that are not unique strings, e.g.
  years in a pivot table, travel as JSON in ``columns`` and are restored);
- ``{"unsupported": type_name, "repr": text}`` — anything else, with the first 500 characters of its repr.

Everything in the kernel is the trainee's to change — including :func:`publish` itself, IPython's display
hooks and the cells' outputs — so the grader trusts none of it. On the grader side:

1. :func:`admit` checks each entry **as it arrives**, before anything is decoded: only names that the
   injected cell it arrives in was written to export (its ``metadata.kit.exports``) are kept; the entry's
   kind must suit the question's form (a ``frame`` only for a frame question) and its size the form's budget
   (:data:`BUDGET`, characters of JSON); the answers of one submission share ``answer_bytes``. Anything else is
   replaced by ``{"refused": code}`` or dropped, and noted.
2. :func:`gather` reads the admitted entries back from the executed notebook, each name only from the cells
   that export it (a later export wins).
3. :func:`decode` turns an entry into a value — JSON data, a DataFrame, :class:`Unsupported` or
   :class:`Refused` — checking a Parquet file's metadata (rows, columns, column types, uncompressed size)
   before reading it. Only JSON and Parquet are ever decoded, never pickle; the grader does it in a child
   process with limits (:mod:`kit.grading.judge`).
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
SERIES_ATTR = "kit.series"  # decode() marks frames that were a Series: attrs[SERIES_ATTR] = {"name": ...}
TEXT_CHARS = 20_000  # the longest free-text answer accepted
BUDGET = {  # characters of JSON one entry may take, by the question's form (None: no form known)
    "number": 1_000, "choice": 4_000, "items": 64_000, "labels": 256_000, "text": TEXT_CHARS + 1_000,
    "frame": 8_000_000, None: 8_000_000,
}
MAX_ROWS, MAX_COLUMNS, MAX_UNCOMPRESSED = 100_000, 200, 256 * 2**20  # a frame answer, checked before reading
PARQUET_TYPES = ("bool", "int", "uint", "float", "double", "halffloat", "string", "large_string", "date",
                 "timestamp", "decimal", "null", "dictionary<values=string", "dictionary<values=large_string")


@dataclass(frozen=True)
class Unsupported:
    """An answer that could not be exported as data: its type name and the start of its repr."""

    type_name: str
    repr: str


@dataclass(frozen=True)
class Refused:
    """An answer the grader did not accept: ``code`` says why (``too_large``, ``kind``, ``total``,
    ``malformed``, ``rows``, ``columns``, ``dtype``, ``parquet``); ``detail`` gives the figures."""

    code: str
    detail: str = ""


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


def admit(entry, form: str | None, budget: int) -> tuple[dict, int]:
    """``entry`` if it suits a question of ``form`` within ``budget`` characters left for this submission,
    else a ``{"refused": code, "detail": …}`` entry; and the characters it used. Decodes nothing."""
    if not isinstance(entry, dict) or len(entry) == 0 or len(set(entry) & {"json", "frame", "unsupported"}) != 1:
        return {"refused": "malformed"}, 0
    if "frame" in entry and form not in ("frame", None):
        return {"refused": "kind", "detail": form}, 0
    try:
        size = len(json.dumps(entry, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError, RecursionError):
        return {"refused": "malformed"}, 0
    limit = BUDGET.get(form, BUDGET[None])
    if size > limit:
        return {"refused": "too_large", "detail": f"{size} > {limit}"}, 0
    if size > budget:
        return {"refused": "total", "detail": f"{size} > {max(budget, 0)}"}, 0
    return entry, size


def gather(nb) -> dict[str, dict]:
    """The admitted answer entries of an executed notebook: ``{name: entry}``, each name read only from the
    outputs of injected cells (``metadata.kit.injected``) that export it, in order (a later export wins)."""
    found: dict[str, dict] = {}
    for cell in nb.get("cells", []):
        names = exports(cell)
        if cell.get("cell_type") != "code" or not names:
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            payload = (output.get("data") or {}).get(MIME)
            if isinstance(payload, dict):
                found.update({name: entry for name, entry in payload.items() if name in names})
    return found


def exports(cell) -> frozenset[str]:
    """The answer names an injected cell publishes (empty for any other cell)."""
    kit = (cell.get("metadata") or {}).get("kit")
    if not (isinstance(kit, dict) and kit.get("injected") is True and isinstance(kit.get("exports"), list)):
        return frozenset()
    return frozenset(str(name) for name in kit["exports"])


def collect(nb, forms: dict | None = None) -> dict[str, object]:
    """The answers of an executed notebook decoded here: ``{name: value}`` (:func:`gather`, then
    :func:`decode` with each name's form from ``forms``). For tools and tests; grading decodes in the judge."""
    forms = forms or {}
    return {name: decode(entry, forms.get(name)) for name, entry in gather(nb).items()}


def decode(entry, form: dict | None = None):
    """The value of one admitted entry: plain JSON data, a DataFrame (a Series comes back as a one-column
    frame with ``attrs["kit.series"]`` set), :class:`Unsupported` or :class:`Refused`."""
    if not isinstance(entry, dict):
        return Refused("malformed")
    if "refused" in entry:
        return Refused(str(entry.get("refused"))[:40], str(entry.get("detail", ""))[:200])
    try:
        if "json" in entry:
            return _plain(entry["json"], 0)
        if "frame" in entry:
            return _decode_frame(entry["frame"], form or {})
    except _NotJSON as error:
        return Refused("malformed", str(error)[:200])
    if "unsupported" in entry:
        return Unsupported(str(entry.get("unsupported"))[:200], str(entry.get("repr", ""))[:REPR_CHARS])
    return Refused("malformed")


def _plain(value, depth: int):
    """JSON data rebuilt as fresh plain lists, dicts, strings and numbers (nothing else passes)."""
    if depth > MAX_DEPTH:
        raise _NotJSON("nested too deeply")
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, list):
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, dict):  # also nbformat's NotebookNode
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    raise _NotJSON(type(value).__name__)


def _decode_frame(frame, form: dict):
    data = frame.get("parquet_b64") if isinstance(frame, dict) else None
    if not isinstance(data, str):
        return Refused("malformed")
    import pandas as pd
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(io.BytesIO(base64.b64decode(data, validate=True)))
        meta = source.metadata
        uncompressed = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        types = [str(field.type) for field in source.schema_arrow]
    except Exception as error:
        return Refused("parquet", f"{type(error).__name__}: {error}"[:200])
    max_rows = int(form.get("max_rows", MAX_ROWS))
    if meta.num_rows > max_rows:
        return Refused("rows", f"{meta.num_rows} > {max_rows}")
    if meta.num_columns > MAX_COLUMNS + 8 or len(types) > MAX_COLUMNS + 8:  # + index columns
        return Refused("columns", f"{meta.num_columns} > {MAX_COLUMNS}")
    if uncompressed > MAX_UNCOMPRESSED:
        return Refused("too_large", f"{uncompressed} > {MAX_UNCOMPRESSED}")
    odd = sorted({t for t in types if not t.startswith(PARQUET_TYPES)})
    if odd:
        return Refused("dtype", ", ".join(odd)[:200])
    try:
        df = source.read().to_pandas()
    except Exception as error:
        return Refused("parquet", f"{type(error).__name__}: {error}"[:200])
    columns = frame.get("columns")
    if isinstance(columns, dict) and isinstance(columns.get("labels"), list):
        if len(columns["labels"]) != len(df.columns):
            return Refused("malformed", "column labels")
        df.columns = pd.Index(_plain(columns["labels"], 1), name=_plain(columns.get("name"), 1))
    if frame.get("series") is True:
        df.attrs[SERIES_ATTR] = {"name": _plain(frame.get("name"), 1)}
    return df


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
