"""Read and write the kit's tables — CSV/TSV/TXT, Excel and Parquet — checked against :mod:`kit.data.schemas`.

:func:`load` detects the text encoding and delimiter, maps Chinese or English headers to canonical
column names, coerces every column to its schema type and checks ranges, allowed values, keys and
order rules. Whatever it changes is listed in the :class:`LoadReport`; whatever it cannot accept
raises a :class:`~kit.errors.DataError` naming the file, the Excel row numbers and the column.
It never drops a row. :func:`save` writes a frame back: Chinese headers and labels with
``lang="zh"`` (the trainer-style export), canonical names and codes with ``lang="en"``.

A UTF-8 text file is parsed by pyarrow straight from its bytes (other encodings are decoded first) with every text
column dictionary-encoded, as are Parquet text columns: a pandas Categorical, so every string operation — reading
the platform layout, finding junk rows, coercing cells — runs once per distinct value and row-level work is integer
``take``. Files with blank lines or ragged rows go to the C parser, to the same result.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as _field
from io import BytesIO, StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from kit.data import sources
from kit.data.mapping import (
    apply_values,
    check_value_columns,
    closest_headers,
    read_mapping,
    resolve,
    yaml_text,
)
from kit.data.schemas import Field, Schema, get_schema, normalise_header
from kit.data.sources.common import distinct, plain
from kit.data.spreadsheet import FORMULA_RE, neutralise_frame
from kit.errors import DataError, DataProblems, Hint
from kit.i18n import check_lang, t
from kit.scores import dont_know_codes, fold_answer, fold_width, parse_numbers

TEXT_SEPARATORS = {".csv": ",", ".tsv": "\t", ".txt": "\t"}  # the separator save() writes
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
SUPPORTED = (*TEXT_SEPARATORS, *EXCEL_SUFFIXES, *PARQUET_SUFFIXES)
DELIMITERS = {",": "comma", "\t": "tab", ";": "semicolon"}
FORMULA_MODES = ("error", "escape")
EXAMPLES = 3  # values quoted in a message
FIRST_ROW = 2  # Excel number of the first data row (the header is row 1)

BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
MISSING_MARKERS = frozenset({"#n/a", "nan", "null", "none", "/", "缺失"})
"""Placeholders a spreadsheet or database writes for an empty cell; explicit non-answers (不知道, N/A, 无 …)
are :data:`kit.scores.DONT_KNOW` and are counted apart."""
TRUE_WORDS = ("true", "是", "对", "y", "yes", "1", "1.0", "√", "✓", "已")
FALSE_WORDS = ("false", "否", "错", "n", "no", "0", "0.0", "×", "✗", "未")
BOOL_WORDS = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)}

BLANK_LINE_RE = r"\n[ \t\r]*\n"
TEXT_CELLS = {"header": None, "dtype": str, "keep_default_na": False, "na_values": [""]}  # pandas.read_csv options
CODED = pa.dictionary(pa.int32(), pa.string())
BLOCK_SIZE = 4 << 20  # bytes pyarrow parses at a time: larger blocks, fewer dictionaries to unify per column
ID_FLOAT_RE = r"^\d+\.0+$"
DATETIME_RE = (
    r"^(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})\s*日?"
    r"(?:[\sT]*(?P<hour>\d{1,2})\s*[:时点]\s*(?P<minute>\d{1,2})\s*"
    r"(?:[:分]\s*(?:(?P<second>\d{1,2})(?:\.(?P<us>\d{1,6})\d*)?\s*秒?)?)?)?$"
)
YEAR_LAST_RE = (r"^(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<year>\d{4})(?:\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})"
                r"(?::(?P<second>\d{2}))?\s*(?P<half>[AaPp][Mm])?)?$")
ISO_RE = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
LOOSE_ISO_RE = r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?)?$"
SEPARATORS_TO_ISO = {"/": "-", "年": "-", "月": "-", "日": "", "时": ":", "点": ":", "分": ":", "秒": ""}
MONTH_RE = r"^(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*月?(?:[-/.]0?1(?:[ T]00:00(?::00)?)?)?$"
QUARTER_RE = r"^(?P<year>\d{4})\s*年?\s*[-/]?\s*(?:Q\s*(?P<q>[1-4])|第?\s*(?P<zh>[1-4一二三四])\s*季度?)$"
PERIOD_RE = r"^\d{4}(?:-\d{2}|Q[1-4])$"
ZH_QUARTERS = {"一": "1", "二": "2", "三": "3", "四": "4"}


@dataclass(frozen=True)
class Coercion:
    """One kind of change :func:`load` made to a column: how many cells, a few ``before → after`` examples."""

    column: str
    count: int
    examples: tuple[str, ...]
    note_code: str


@dataclass(frozen=True)
class LoadReport:
    """What :func:`load` read and everything it changed on the way."""

    path: Path
    kind: str
    encoding: str | None
    sheet: str | None
    n_rows: int
    header_map: dict[str, str]
    extra_columns: tuple[str, ...]
    missing_optional: tuple[str, ...]
    n_missing: dict[str, int]
    coercions: tuple[Coercion, ...]
    delimiter: str | None = None
    mapped: dict[str, str] = _field(default_factory=dict)  # user header → kit column, from ``columns=``
    mapping_file: Path | None = None
    platform: str = "generic"  # the survey platform the file came from (kit.data.sources)
    excluded: tuple = ()  # kit.data.sources.Excluded: rows that are no responses, with the reason
    decoded: dict[str, dict] = _field(default_factory=dict)  # header → {answer: score} for label answers
    matched: dict[str, str] = _field(default_factory=dict)  # question header → kit column, by its wording
    notes: tuple = ()  # (code, params) of what the platform adapter did (header rows, row ids …)

    def lines(self, lang: str | None = None, label=None, title: str | None = None) -> list[str]:
        """A localised summary, one fact per line (printed by ``kit data check``). ``label`` names kit columns
        for a reader (column → display name; the kit names by default) and ``title`` the table (its kind)."""
        label = label or str

        def say(key, **params):
            return t(f"report.load.{key}", lang, **params)

        def listing(items, limit=12):
            more = len(items) - limit
            return say("sep").join(items[:limit]) + (say("more", n=more) if more > 0 else "")

        out = [say("rows", file=self.path.name, n=self.n_rows, kind=title or self.kind)]
        if self.platform != "generic":
            out.append(say("platform", platform=say(f"platforms.{self.platform}")))
        reasons: dict[str, list[int]] = {}
        for row in self.excluded:
            reasons.setdefault(row.reason, []).append(row.row)
        for reason, rows in reasons.items():
            out.append(say("excluded", n=len(rows), reason=say(f"reasons.{reason}"),
                           rows=listing([str(r) for r in rows])))
        out += [say(f"adapter.{code}", **params) for code, params in self.notes]
        if self.matched:
            out.append(say("matched", columns=listing([f"{h} → {label(n)}" for h, n in self.matched.items()])))
        for header, mapping in self.decoded.items():
            pairs = [f"{_show(a)} → {_show(b)}" for a, b in list(mapping.items())[:EXAMPLES]]
            out.append(say("decoded", column=header, n=len(mapping), examples=say("examples_sep").join(pairs)))
        if self.encoding:
            out.append(say("encoding", encoding=self.encoding, delimiter=say(f"delimiters.{DELIMITERS[self.delimiter]}")))
        if self.sheet is not None:
            out.append(say("sheet", sheet=self.sheet))
        if self.mapped:
            pairs = [f"{header} → {label(name)}" for header, name in self.mapped.items()]
            source = self.mapping_file.name if self.mapping_file else "columns="
            out.append(say("mapped", file=source, columns=listing(pairs)))
        renamed = [f"{header} → {label(name)}" for header, name in self.header_map.items()
                   if header != name and header not in self.mapped and header not in self.matched]
        if renamed:
            out.append(say("renamed", columns=listing(renamed)))
        if self.extra_columns:
            out.append(say("extra", columns=listing(self.extra_columns)))
        if self.missing_optional:
            out.append(say("absent", columns=listing([label(c) for c in self.missing_optional])))
        empty = [f"{label(name)} {n}" for name, n in self.n_missing.items() if n]
        if empty:
            out.append(say("empty", cells=listing(empty)))
        for c in self.coercions:
            change = say(f"notes.{c.note_code}", count=c.count)
            out.append(say("coercion", column=label(c.column), change=change, examples=say("examples_sep").join(c.examples)))
        if not self.coercions:
            out.append(say("unchanged"))
        return out

    def _repr_html_(self) -> str:
        """The summary as a bullet list in notebooks; user text (headers, cell values) is escaped."""
        from html import escape

        return "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in self.lines()) + "</ul>"


@dataclass
class _Source:
    """A table as read, before any checks: positional columns, header texts, where it came from; ``rows`` is
    the file's row number (Excel-style, header = 1) of each table row."""

    table: pd.DataFrame
    headers: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    rows: np.ndarray | None = None

    def __post_init__(self):
        if self.rows is None:
            self.rows = np.arange(len(self.table)) + FIRST_ROW


# --- public API ----------------------------------------------------------------------------------


def load(path, kind: str, *, sheet: str | int | None = None, formulas: str = "error",
         columns=None, only=None, platform: str | None = None) -> tuple[pd.DataFrame, LoadReport]:
    """Read a CSV/TSV/TXT, Excel or Parquet file of table ``kind`` and check it against its schema.

    Returns the frame (canonical column names in schema order, then unrecognised columns as read)
    and a :class:`LoadReport`. ``sheet`` picks an Excel sheet by name or position (default: the first).
    ``formulas="escape"`` stores formula-like text cells with a leading ``'`` instead of refusing them.
    ``columns`` maps the file's own headers to kit columns, ``{"Q1 您向朋友推荐我们的可能性": "nps"}``, or
    names a mapping file (:mod:`kit.data.mapping`: headers, value maps, don't-know answers); a mapped header
    wins over automatic header matching. ``only`` (kit column names) keeps just those columns: the others are
    neither converted nor checked, and only the required columns among them must be present — a report needing
    6 of 65 columns loads 10× faster. A survey export is read as its platform wrote it (:mod:`kit.data.sources`;
    ``platform`` forces one): extra header rows, preview/test/unfinished responses, blank, total and
    repeated-header rows are taken out and listed in the report with their row numbers; question-text headers
    and label answers are matched. Raises :class:`~kit.errors.DataError` for anything that does not fit — every
    problem of the file at once (:class:`~kit.errors.DataProblems`), each naming its rows and column and, where a
    mapping file would solve it, the line to add; drops no row without reporting it.
    """
    if formulas not in FORMULA_MODES:
        raise ValueError(f"formulas must be one of {', '.join(FORMULA_MODES)}; got {formulas!r}")
    user_map = read_mapping(columns, kind) if columns is not None and not isinstance(columns, Mapping) else columns
    found = layout(path, kind, sheet=sheet, columns=user_map, platform=platform)
    schema, source, positions, path = found.schema, found.source, found.positions, found.path
    if only is not None:
        schema = schema.subset(only)
        positions = {name: p for name, p in positions.items() if name in schema.by_name}
    problems = _missing_columns(source.headers, positions, schema, path)
    problems += _blank_rows(source.table[list(positions.values())] if only is not None else source.table, path,
                            source.rows)
    decoded, remapped = dict(found.adapted.decoded), set()
    for name, values in getattr(user_map, "value_maps", {}).items():
        if name in positions:
            p = positions[name]
            source.table[p], used = apply_values(plain(found.adapted.originals.get(p, source.table[p])),
                                                 plain(source.table[p]), values)
            decoded[p] = used or decoded.get(p, {})
            remapped.add(source.headers[p])
    dont_know = dont_know_codes(getattr(user_map, "dont_know", ()))

    columns, coercions, n_missing = {}, [], {}
    for field in (f for f in schema.fields if f.name in positions):
        position = positions[field.name]
        column = _Column(source.table[position], field, source.headers[position], path, formulas, source.rows,
                         problems, dont_know, kind)
        columns[field.name] = column.coerce()
        coercions += column.coercions
        n_missing[field.name] = column.n_missing
    extra = [] if only is not None else [p for p in source.table.columns if p not in positions.values()]
    columns.update({source.headers[p]: plain(source.table[p]) for p in extra})
    frame = pd.DataFrame(columns, copy=False)

    headers = {name: source.headers[p] for name, p in positions.items()}
    sound = frame[[name for name in positions if name not in {p.params.get("field") for p in problems}]]
    problems += _duplicate_keys(sound, schema, headers, path, source.rows)
    problems += _order_violations(sound, schema, headers, path, source.rows)
    if problems:
        raise problems[0] if len(problems) == 1 else DataProblems(problems, path)
    report = LoadReport(
        path=path,
        kind=kind,
        encoding=source.encoding,
        sheet=source.sheet,
        n_rows=len(frame),
        header_map={h: name for name, h in headers.items()},
        extra_columns=tuple(source.headers[p] for p in extra),
        missing_optional=tuple(f.name for f in schema.fields if f.name not in positions),
        n_missing=n_missing,
        coercions=tuple(coercions),
        delimiter=source.delimiter,
        mapped={source.headers[p]: name for p, name in found.mapped.items()},
        mapping_file=getattr(user_map, "source", None),
        platform=found.adapted.platform,
        excluded=tuple(found.adapted.excluded),
        decoded={source.headers[p]: m for p, m in decoded.items() if p in positions.values() and m},
        matched={source.headers[p]: name for p, name in found.by_wording.items() if name in positions},
        notes=tuple((code, params) for code, params in found.adapted.notes
                    if not (code == "numbered_scale" and params["column"] in remapped)),
    )
    return frame, report


@dataclass
class Layout:
    """How a file's columns are read, before any cell is checked: the table as its platform adapter left it
    (``source``, ``adapted``), and which column position becomes which kit column — from the user's mapping
    (``mapped``), from the question wording or the platform's layout (``by_wording``), or from the header
    (all of them: ``positions``, kit column → position)."""

    path: Path
    schema: Schema
    source: _Source
    adapted: sources.Adapted
    mapped: dict[int, str]
    by_wording: dict[int, str]
    positions: dict[str, int]


def layout(path, kind: str, *, sheet: str | int | None = None, columns=None, platform: str | None = None) -> Layout:
    """Read ``path`` as :func:`load` does up to matching its headers (``kit data map`` shows this).

    Raises a :class:`~kit.errors.DataError` for a file that cannot be read, a mapping that does not fit it or
    two columns for one kit column."""
    schema = get_schema(kind)
    path = Path(path)
    if not path.is_file():
        raise DataError("file_not_found", file=path)
    source = _read(path, schema, sheet)
    adapted = sources.adapt(sources.Raw(source.table, source.headers, source.rows), kind, platform)
    source = _Source(adapted.table, adapted.headers, source.encoding, source.delimiter, source.sheet, adapted.rows)
    if source.table.empty:
        raise DataError("empty_file", file=path)
    mapped = resolve(columns or {}, source.headers, schema, path)
    if kind in sources.SURVEY_KINDS and "response_id" not in {*mapped.values(), *adapted.fields.values(),
                                                               *_match_headers(source.headers, schema, path, mapped)}:
        adapted = sources.with_row_ids(adapted)
        source = _Source(adapted.table, adapted.headers, source.encoding, source.delimiter, source.sheet, adapted.rows)
    by_wording = {p: name for p, name in adapted.fields.items()
                  if p not in mapped and name not in mapped.values() and name in schema.by_name}
    positions = _match_headers(source.headers, schema, path, {**by_wording, **mapped})
    if columns is not None:
        check_value_columns(columns, positions, schema, path)
    return Layout(path, schema, source, adapted, mapped, by_wording, positions)


def save(df: pd.DataFrame, path, kind: str, *, lang: str = "en", encoding: str | None = None) -> Path:
    """Write ``df`` (canonical columns) to .csv/.tsv/.txt, .xlsx or .parquet, chosen by the extension.

    ``lang="zh"`` writes the trainer-style export: Chinese headers, Chinese labels for coded values
    and 是/否 for yes/no; ``lang="en"`` keeps canonical names and codes. ``encoding`` applies to text
    files (default ``utf-8-sig`` for zh so Excel opens it, ``utf-8`` for en). Text and Excel files have
    formula-like text cells quoted (:func:`kit.data.spreadsheet.neutralise`). Returns the path.
    """
    check_lang(lang)
    schema = get_schema(kind)
    path = Path(path)
    suffix = _suffix(path)
    out = _export_frame(df, schema, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix in TEXT_SEPARATORS:
        default = "utf-8-sig" if lang == "zh" else "utf-8"
        neutralise_frame(out).to_csv(path, index=False, sep=TEXT_SEPARATORS[suffix],
                                     encoding=encoding or default)
    elif suffix in EXCEL_SUFFIXES:
        # openpyxl would store text starting with "=" as a live formula
        neutralise_frame(out).to_excel(path, index=False, sheet_name=schema.zh if lang == "zh" else kind)
    else:
        out.to_parquet(path, index=False)
    return path


# --- reading -------------------------------------------------------------------------------------


def _suffix(path: Path) -> str:
    """The file's lower-case extension, if it is one the kit reads and writes."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise DataError("unsupported_format", file=path, suffix=suffix or "∅", supported=", ".join(SUPPORTED))
    return suffix


def _read(path: Path, schema: Schema, sheet) -> _Source:
    """Read any supported file into a :class:`_Source` with at least one data row."""
    suffix = _suffix(path)
    if suffix in TEXT_SEPARATORS:
        source = _read_text(path)
    elif suffix in EXCEL_SUFFIXES:
        source = _read_excel(path, schema, sheet)
    else:
        source = _read_parquet(path)
    if source.table.empty:
        raise DataError("empty_file", file=path)
    return source


def _read_text(path: Path) -> _Source:
    """Read a delimited text file: every cell as text, empty cells as missing, blank lines kept, text columns coded
    (:func:`_from_arrow`). UTF-8 is parsed by pyarrow straight from the bytes; other encodings are decoded first
    (:func:`decode_text`); what pyarrow cannot read as the C parser would goes to the C parser."""
    raw = path.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(BOMS[0][0]) else None if _sniff_utf16(raw) else "utf-8"
    table = None
    if encoding:  # when pyarrow finds bytes that are no UTF-8, decode_text tells the encoding
        delimiter = sniff_delimiter(raw[:16384].decode("utf-8", "ignore").removeprefix("\ufeff"))
        table = _parse(raw, delimiter)
    if table is None:
        text, encoding = decode_text(raw, path)
        if not text.strip():
            raise DataError("empty_file", file=path)
        delimiter = sniff_delimiter(text)
        if not encoding.startswith("utf-8"):
            table = _parse(text.encode("utf-8"), delimiter)
        if table is None:
            body = text.rstrip("\r\n")  # empty lines at the end are no rows, as in _parse
            table = _from_arrow(pa.Table.from_pandas(_parse_c(body, delimiter, path), preserve_index=False))
    return _split_header(table, encoding=encoding, delimiter=delimiter)


def parse_csv(text: str, delimiter: str, path: Path) -> pd.DataFrame:
    """Every cell as text, empty cells missing. The fast pyarrow parser skips blank lines and does not
    say where a line is ragged, so files with blank lines or parse errors go to the C parser."""
    if not re.search(BLANK_LINE_RE, text.rstrip()):
        try:
            return pd.read_csv(BytesIO(text.encode("utf-8")), engine="pyarrow", sep=delimiter, **TEXT_CELLS)
        except pd.errors.ParserError:
            pass
    return _parse_c(text, delimiter, path)


def _parse_c(text: str, delimiter: str, path: Path) -> pd.DataFrame:
    """The C parser: every cell as text, empty cells missing, blank lines kept as rows, a ragged line named."""
    try:
        return pd.read_csv(StringIO(text), sep=delimiter, skip_blank_lines=False, **TEXT_CELLS)
    except pd.errors.ParserError as exc:
        raise _parser_error(exc, path) from exc


def _parse(data: bytes, delimiter: str) -> pd.DataFrame | None:
    """UTF-8 text (a BOM is skipped) parsed by pyarrow, every cell as text, text columns coded (:func:`_from_arrow`).
    None when pyarrow refuses it — bytes that are no UTF-8, ragged rows (the C parser names their line) — or it has
    blank lines, which the C parser keeps as rows."""
    end = len(data)
    while end and data[end - 1] in b"\r\n":  # empty lines at the end are no rows
        end -= 1
    body = memoryview(data)[:end]
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(body), read_options=pa_csv.ReadOptions(autogenerate_column_names=True, block_size=BLOCK_SIZE),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(default_column_type=CODED, null_values=[""], strings_can_be_null=True),
        )
    except pa.ArrowInvalid:
        return None
    # an empty line is a row of nulls: only when every column has some is the file searched for one
    if all(column.null_count for column in table.columns) and re.search(BLANK_LINE_RE.encode(), body):
        return None
    return _from_arrow(table)


def _from_arrow(table: pa.Table) -> pd.DataFrame:
    """``table`` in pandas with each text column coded: a Categorical — its strings once per distinct value — unless
    most of its values are distinct (ids, timestamps), then plain text."""
    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = column.dictionary_encode()
        entries = sum(len(chunk.dictionary) for chunk in column.chunks) if pa.types.is_dictionary(column.type) else 0
        if entries > len(column) / 2:  # dictionary entries: at least the distinct values
            column = column.cast(column.type.value_type)
        columns.append(column)
    return pa.table(columns, schema=pa.schema([f.with_type(c.type) for f, c in zip(table.schema, columns, strict=True)],
                                              table.schema.metadata)).to_pandas()


def decode_text(raw: bytes, path: Path) -> tuple[str, str]:
    """Decode text: byte-order marks, BOM-less UTF-16, UTF-8, then GB18030 (refusing mixed files)."""
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            return _decode_as(raw[len(bom) :], encoding, path), encoding
    utf16 = _sniff_utf16(raw)
    if utf16:
        return _decode_as(raw, utf16, path), utf16
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        _check_single_encoding(raw, path)
    return _decode_as(raw, "gb18030", path), "gb18030"


def _decode_as(raw: bytes, encoding: str, path: Path) -> str:
    try:
        return raw.decode(encoding.removesuffix("-sig"))
    except UnicodeDecodeError as exc:
        raise DataError("undecodable", file=path, encoding=encoding) from exc


def _sniff_utf16(raw: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII characters (delimiters, digits) leave a NUL byte after (LE) or
    before (BE) them, so NULs pile up at odd or at even positions; UTF-8 and GB18030 text has none."""
    sample = raw[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    threshold = len(sample) // 16
    if odd > max(threshold, 4 * even):
        return "utf-16-le"
    if even > max(threshold, 4 * odd):
        return "utf-16-be"
    return None


def _check_single_encoding(raw: bytes, path: Path) -> None:
    """In a file that is not all UTF-8, every non-ASCII line must be GB18030: else name the odd lines."""
    utf8, gb, neither = [], [], []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if line.isascii():
            continue
        if "\ufffd" not in line.decode("utf-8", "replace"):  # faster than catching an error per line
            utf8.append(number)
        elif _is_gb18030(line):
            gb.append(number)
        else:
            neither.append(number)
    if neither:
        raise DataError("undecodable", file=path, rows=neither, encoding="UTF-8 / GB18030")
    if utf8:
        minority, name = (gb, "GB18030/GBK") if len(gb) <= len(utf8) else (utf8, "UTF-8")
        raise DataError("mixed_encoding", file=path, rows=minority, n_utf8=len(utf8), n_gb=len(gb), minority=name)


def _is_gb18030(line: bytes) -> bool:
    try:
        line.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


def sniff_delimiter(text: str) -> str:
    """The most frequent of comma, tab and semicolon in the header line (comma if none)."""
    header = text[:4096].split("\n", 1)[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _parser_error(exc: pd.errors.ParserError, path: Path) -> DataError:
    """A ragged line ('Expected 5 fields in line 7, saw 6') as a DataError naming the line."""
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
    if found is None:
        return DataError("unreadable_file", file=path, detail=str(exc).strip())
    expected, line, saw = found.groups()
    return DataError("ragged_row", file=path, rows=[int(line)], expected=expected, saw=saw)


def _read_excel(path: Path, schema: Schema, sheet) -> _Source:
    """Read one sheet; with ``sheet=None`` the first, pointing to another if only that one fits."""
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for damaged or mislabelled files
        raise DataError("unreadable_file", file=path, detail=f"{type(exc).__name__}: {exc}") from exc
    with book:
        name = _pick_sheet(book.sheet_names, sheet, path)
        source = _split_header(pd.read_excel(book, sheet_name=name, header=None, dtype=object), sheet=name)
        if sheet is None and _missing_required(source.headers, schema):
            _suggest_sheet(book, book.sheet_names[1:], schema, source, path)
    source.table = source.table.infer_objects()
    return source


def _pick_sheet(names: list[str], sheet, path: Path) -> str:
    """The sheet name for ``sheet``: None → first, an int or digit string → position, else the name."""
    if sheet is None:
        return names[0]
    if sheet in names:
        return sheet
    position = int(sheet) if str(sheet).isdigit() else None
    if position is not None and position < len(names):
        return names[position]
    raise DataError("sheet_not_found", file=path, sheet=sheet, sheets=", ".join(names))


def _suggest_sheet(book: pd.ExcelFile, others: list[str], schema: Schema, first: _Source, path: Path) -> None:
    """Raise ``wrong_sheet`` naming the first other sheet that has every required column, if any."""
    for name in others:
        headers = _split_header(pd.read_excel(book, sheet_name=name, header=None, nrows=1, dtype=object)).headers
        if headers and not _missing_required(headers, schema):
            missing = ", ".join(_missing_required(first.headers, schema))
            raise DataError("wrong_sheet", file=path, first=first.sheet, suggested=name, missing=missing)


def _read_parquet(path: Path) -> _Source:
    """Read a Parquet file with pyarrow, text columns coded as in a text file (:func:`_from_arrow`); a pandas index
    saved with the table is dropped (rows are numbered in file order)."""
    try:
        table = _from_arrow(pq.read_table(path))
    except Exception as exc:  # pyarrow raises several kinds for damaged or mislabelled files
        raise DataError("unreadable_file", file=path, detail=f"{type(exc).__name__}: {exc}") from exc
    headers = [str(h).strip() for h in table.columns]
    return _Source(table.reset_index(drop=True).set_axis(range(table.shape[1]), axis=1), headers)


def _split_header(table: pd.DataFrame, **where) -> _Source:
    """First row → header texts; drop unnamed empty columns (blank rows are taken out, and reported, by
    :func:`kit.data.sources.adapt`)."""
    if table.empty:
        return _Source(table, [], **where)
    headers = ["" if pd.isna(h) else str(h).strip() for h in table.iloc[0]]
    body = table.iloc[1:].reset_index(drop=True).set_axis(range(table.shape[1]), axis=1)
    keep = [p for p, h in enumerate(headers) if h or body[p].notna().any()]
    headers = [headers[p] or f"Unnamed: {p}" for p in keep]
    body = body[keep].set_axis(range(len(keep)), axis=1)
    return _Source(body, headers, **where)


# --- structure -----------------------------------------------------------------------------------


def _match_headers(headers: list[str], schema: Schema, path: Path, mapping: dict[int, str] | None = None) -> dict[str, int]:
    """Canonical name → source column position; two columns for one name raise ``duplicate_column``.
    ``mapping`` (position → name, from the user) wins: a column it maps is never matched by header, and
    a column whose header would match a mapped name is kept as an extra column."""
    mapping = mapping or {}
    index = schema.header_index()
    positions, seen = {}, {}
    for position, name in mapping.items():
        positions[name] = seen[name] = position
    for position, header in enumerate(headers):
        if position in mapping:
            continue
        name = index.get(normalise_header(header))
        if name in mapping.values():
            name = None
        key = name or header
        if key in seen:
            first = headers[seen[key]]
            raise DataError("duplicate_column", file=path, column=header, first=first, second=header, field=key)
        seen[key] = position
        if name:
            positions[name] = position
    return positions


def _missing_required(headers: list[str], schema: Schema) -> list[str]:
    index = schema.header_index()
    found = {index.get(normalise_header(h)) for h in headers}
    return [name for name in schema.required if name not in found]


def _missing_columns(headers: list[str], positions: dict, schema: Schema, path: Path) -> list[DataError]:
    """``missing_column`` for the required columns no header was matched to, with the mapping lines that would
    name them (the closest unmatched header of the file for each)."""
    missing = closest_headers(schema, headers, positions)
    if not missing:
        return []
    accepted = "; ".join(f"{name}: {' / '.join(schema.by_name[name].headers)}" for name in missing)
    lines = [f"{yaml_text(header or t('report.load.your_header'))}: {name}" for name, header in missing.items()]
    return [DataError("missing_column", file=path, missing=", ".join(missing), accepted=accepted,
                      found=", ".join(headers), hint=Hint(schema.kind, "columns", lines))]


def _blank_rows(table: pd.DataFrame, path: Path, rows: np.ndarray) -> list[DataError]:
    blank = np.flatnonzero(table.isna().all(axis=1).to_numpy())
    return [DataError("blank_rows", file=path, rows=rows[blank].tolist(), count=len(blank))] if len(blank) else []


def _duplicate_keys(frame: pd.DataFrame, schema: Schema, headers: dict, path: Path, rows: np.ndarray) -> list[DataError]:
    """``duplicate_key`` with the rows of every copy, when rows share the schema key."""
    key = [name for name in schema.key if name in frame]
    if not key:
        return []
    copies = frame.duplicated(subset=key, keep=False).to_numpy()
    if not copies.any():
        return []
    values = frame.loc[copies, key].drop_duplicates().head(EXAMPLES)
    shown = ", ".join(" / ".join(_show(v) for v in row) for row in values.itertuples(index=False))
    return [DataError("duplicate_key", file=path, rows=rows[np.flatnonzero(copies)].tolist(),
                      column=" / ".join(headers[k] for k in key), key_columns=" + ".join(key), values=shown,
                      count=int(copies.sum()))]


def _order_violations(frame: pd.DataFrame, schema: Schema, headers: dict, path: Path, rows: np.ndarray) -> list[DataError]:
    """``order_violation`` for each (a, b) order rule broken in rows where both are present (a > b)."""
    out = []
    for a, b in schema.order:
        if a not in frame or b not in frame:
            continue
        wrong = (frame[a] > frame[b]).fillna(False).to_numpy(dtype=bool)
        if wrong.any():
            first = np.argmax(wrong)
            out.append(DataError(
                "order_violation", file=path, rows=rows[np.flatnonzero(wrong)].tolist(),
                column=f"{headers[a]} / {headers[b]}", first=a, second=b, count=int(wrong.sum()),
                a_value=_show(frame[a].iloc[first]), b_value=_show(frame[b].iloc[first]),
            ))
    return out


# --- cells ---------------------------------------------------------------------------------------


class _Column:
    """One source column being coerced to its field's type; what does not fit is added to ``problems``, each
    cell to one problem at most.

    Work is done on the column's distinct values (``values``, ``text``); ``codes`` maps each row to
    its distinct value (-1 for an empty cell) so rows, counts and the result come back per row.
    """

    def __init__(self, raw: pd.Series, field: Field, header: str, path: Path, formulas: str, row_numbers: np.ndarray,
                 problems: list[DataError], dont_know_codes: tuple[np.ndarray, frozenset], kind: str):
        self.field, self.header, self.path, self.formulas, self.kind = field, header, path, formulas, kind
        self.row_numbers, self.problems = row_numbers, problems
        self.codes, self.values = distinct(raw)
        self.flagged = np.zeros(len(self.values), dtype=bool)  # distinct values already in a problem
        self.counts = np.bincount(self.codes + 1, minlength=len(self.values) + 1)[1:]
        text = self.values.astype("string").str.strip()
        marker, dont_know = self.non_answers(text, dont_know_codes)
        self.missing = text.eq("").to_numpy(dtype=bool) | marker | dont_know
        self.text = text.mask(self.missing)
        self.coercions: list[Coercion] = []
        self.note("missing_marker", marker, ["∅"] * len(text))
        self.note("dont_know", dont_know, ["∅"] * len(text))

    def non_answers(self, text: pd.Series, dont_know_codes: tuple[np.ndarray, frozenset]) -> tuple[np.ndarray, ...]:
        """Which distinct values are missing markers (#N/A, null …) and which explicit non-answers ("don't know"
        words or codes); ids and free text have neither."""
        none = np.zeros(len(text), dtype=bool)
        if self.field.type in ("id", "label", "text"):
            return none, none
        numbers, words = dont_know_codes
        dont_know = fold_answer(text).isin(words).to_numpy(dtype=bool)
        if len(numbers):
            dont_know = dont_know | np.isin(pd.to_numeric(self.values, errors="coerce").to_numpy(dtype=float), numbers)
        return text.str.lower().isin(MISSING_MARKERS).to_numpy(dtype=bool) & ~dont_know, dont_know

    @property
    def n_missing(self) -> int:
        return int(len(self.codes) - self.counts.sum() + self.counts[self.missing].sum())

    def coerce(self) -> pd.Series:
        """The column as its schema type, one value per row; raises for any cell that does not fit."""
        values = COERCERS[self.field.type](self)
        if self.field.required:
            self.fail("required_empty", self.missing, empty_cells=True)
        return pd.Series(values.array.take(self.codes, allow_fill=True), name=self.field.name)

    def rows(self, mask, empty_cells: bool = False) -> np.ndarray:
        """Excel row numbers of the rows whose value is flagged in ``mask`` (per distinct value)."""
        per_code = np.append(np.asarray(mask, dtype=bool), empty_cells)
        return self.row_numbers[np.flatnonzero(per_code[self.codes])] if per_code.any() else self.row_numbers[:0]

    def fail(self, code: str, mask, empty_cells: bool = False, **params) -> None:
        """Record the problem ``code`` for the rows flagged in ``mask``, if any, quoting a few of their values
        (with the mapping-file lines that would solve it, when answers could be mapped)."""
        mask = np.asarray(mask, dtype=bool) & ~self.flagged
        rows = self.rows(mask, empty_cells)
        self.flagged |= mask
        if len(rows):
            flagged = self.values[mask]
            hint = self.hint(code, flagged)
            self.problems.append(DataError(
                code, file=self.path, rows=rows.tolist(), column=self.header, field=self.field.name,
                count=len(rows), examples=", ".join(flagged.head(EXAMPLES).map(_show)),
                **params, **({"hint": hint} if hint else {}),
            ))

    def hint(self, code: str, flagged: pd.Series) -> Hint | None:
        """The mapping-file lines for answers a mapping could read: a choice's own label (``"态度差": <codes>``),
        a label in a score column (``"很好": <1–5>``), or "don't know" codes such as 99 (``dont_know: [99]``)."""
        shown = flagged.head(EXAMPLES)
        if code == "unknown_choice":
            codes = " | ".join(map(str, self.field.choices))
            return Hint(self.kind, f"values → {self.field.name}", [f"{yaml_text(_show(v))}: <{codes}>" for v in shown])
        if self.field.max is None or code not in ("not_a_number", "out_of_range"):
            return None
        numbers = pd.to_numeric(shown, errors="coerce")
        if code == "out_of_range":  # a typo is no mapping; 99, -99, 999 are "don't know" codes
            coded = shown[numbers.abs().ge(90)]
            return Hint(self.kind, "dont_know", [f"[{', '.join(map(_show, coded))}]"]) if len(coded) else None
        scale = f"<{self.field.range_text()}>"
        return Hint(self.kind, f"values → {self.field.name}", [f"{yaml_text(_show(v))}: {scale}" for v in shown])

    def note(self, note_code: str, mask, after) -> None:
        """Record a coercion of the values flagged in ``mask`` (to ``after``, aligned with ``values``)."""
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            pairs = [f"{_show(self.values[i])} → {_show(after[i])}" for i in np.flatnonzero(mask)[:EXAMPLES]]
            self.coercions.append(Coercion(self.field.name, int(self.counts[mask].sum()), tuple(pairs), note_code))

    def check_range(self, numbers: pd.Series, low=None, high=None) -> None:
        low = self.field.min if low is None else low
        high = self.field.max if high is None else high
        outside = pd.Series(False, index=numbers.index)
        if low is not None:
            outside |= (numbers < low).fillna(False)
        if high is not None:
            outside |= (numbers > high).fillna(False)
        self.fail("out_of_range", outside, range=self.field.range_text())

    def choice(self) -> pd.Series:
        """Each value's choice code, matching codes and labels after NFKC, case folding and trimming."""
        table = {_fold(v): code for code, labels in self.field.choices.items() for v in (code, *labels)}
        return _fold_series(self.text).map(table).astype(object)


def _coerce_text(col: _Column) -> pd.Series:
    """id/label/text: trimmed strings; ids like 1001.0 → 1001; formula-like cells refused or escaped."""
    text = col.text
    col.note("trimmed", (col.values.astype("string") != text).fillna(False), text)
    if col.field.type == "id":
        floaty = text.str.fullmatch(ID_FLOAT_RE).fillna(False)
        fixed = text.mask(floaty, text[floaty].str.replace(r"\.0+$", "", regex=True))
        col.note("id_float", floaty, fixed)
        text = fixed
    starts = text.str.contains(FORMULA_RE).fillna(False)
    formula = pd.to_numeric(text[starts], errors="coerce").isna().reindex(text.index, fill_value=False)
    if col.formulas == "error":
        col.fail("formula_cells", formula)
    escaped = text.mask(formula, "'" + text[formula])
    col.note("formula_escaped", formula, escaped)
    return escaped


def _coerce_label(col: _Column) -> pd.Series:
    """label: trimmed text; with choices, the canonical code for a code or any of its labels."""
    text = _coerce_text(col)
    if not col.field.choices:
        return text
    codes = col.choice()
    unknown = codes.isna() & ~col.missing
    if col.field.open:  # kept as its own category
        col.note("own_category", unknown, text)
        codes = codes.mask(unknown, text)
    else:
        col.fail("unknown_choice", unknown, allowed=col.field.range_text())
    col.note("choice_label", (codes != text).fillna(False), codes)
    return codes.astype("string")


def _parse_numbers(col: _Column, percent: bool = False) -> pd.Series:
    """Numbers from the distinct values (NA where not a number); units and separators stripped."""
    if pd.api.types.is_numeric_dtype(col.values) and not pd.api.types.is_bool_dtype(col.values):
        return col.values.astype("Float64")
    numbers = parse_numbers(col.text, percent=percent)
    plain = pd.to_numeric(col.text, errors="coerce")
    col.note("number_text", (numbers.notna() & plain.isna()).to_numpy(dtype=bool), numbers)
    return numbers


def _coerce_float(col: _Column) -> pd.Series:
    numbers = _parse_numbers(col)
    col.fail("not_a_number", numbers.isna() & ~col.missing)
    col.check_range(numbers)
    return numbers


def _coerce_int(col: _Column) -> pd.Series:
    """int: whole numbers in range; with choices, a listed number or its label (Kano 1–5, wave 30/90)."""
    if col.field.choices:
        codes = col.choice()
        numbers = _parse_numbers(col).astype(object).where(codes.isna(), codes)
        allowed = numbers.isin(list(col.field.choices))
        col.fail("unknown_choice", ~allowed & ~col.missing, allowed=col.field.range_text())
        col.note("choice_label", (codes.notna() & (codes.astype(str) != col.text)).fillna(False), numbers)
        numbers = numbers.astype("Float64")
    else:
        numbers = _parse_numbers(col)
        col.fail("not_a_number", numbers.isna() & ~col.missing)
    fractional = (numbers % 1 != 0).fillna(False)
    col.fail("not_whole_number", fractional)
    col.check_range(numbers)
    return numbers.mask(fractional).astype("Int64")


def _coerce_percent(col: _Column) -> pd.Series:
    """percent: 0–100; '85%' → 85; a column of fractions only (no % sign) is multiplied by 100, unless
    the field's values are naturally below 1 % (``Field.fractions`` is False, e.g. complaint rate)."""
    numbers = _parse_numbers(col, percent=True)
    col.fail("not_a_number", numbers.isna() & ~col.missing)
    present = numbers.dropna()
    signed = col.text.str.contains("%", regex=False).fillna(False).any()
    if col.field.fractions and not signed and present.between(0, 1).all() and (present > 0).any():
        scaled = (numbers * 100).round(10)
        col.note("percent_fraction", numbers.notna(), scaled)
        numbers = scaled
    col.check_range(numbers, 0, 100)
    return numbers


def _coerce_bool(col: _Column) -> pd.Series:
    """bool: 是/否, 对/错, Y/N, yes/no, true/false, 1/0, √/×, 已/未."""
    folded = _fold_series(col.text)
    values = folded.map(BOOL_WORDS).astype(object)
    col.fail("not_a_bool", values.isna() & ~col.missing)
    col.note("bool_text", (values.notna() & ~folded.isin(["true", "false"])).to_numpy(dtype=bool), values)
    return values.astype("boolean")


def _coerce_datetime(col: _Column) -> pd.Series:
    """datetime: ISO, 2025/3/1 14:05, 2025.3.1, 2025年3月1日 14时05分, Excel date cells."""
    if pd.api.types.is_datetime64_any_dtype(col.values):
        return col.values.astype("datetime64[us]")
    text = fold_width(col.text)
    stamps = _parse_iso(text)
    rest = stamps.isna() & text.notna()
    if rest.any():
        stamps[rest] = _parse_any(text[rest])
    rest = stamps.isna() & text.notna()
    if rest.any():
        stamps[rest] = _parse_year_last(text[rest])
    col.fail("not_a_date", stamps.isna() & ~col.missing)
    col.note("date_format", (~text.str.contains(ISO_RE) & stamps.notna()).fillna(False), stamps)
    return stamps


def _parse_iso(text: pd.Series) -> pd.Series:
    """Fast path: ISO 8601, after swapping Chinese and slash separators where needed
    (2025年3月1日 14时05分 → 2025-3-1 14:05)."""
    other = ~text.str.contains(LOOSE_ISO_RE).fillna(True)
    swapped = text[other]
    for old, new in SEPARATORS_TO_ISO.items():
        swapped = swapped.str.replace(old, new, regex=False)
    swapped = swapped.str.rstrip(":")
    text = text.mask(other, swapped.where(swapped.str.contains(LOOSE_ISO_RE)))
    return pd.to_datetime(text, format="ISO8601", errors="coerce").astype("datetime64[us]")


def _parse_any(text: pd.Series) -> pd.Series:
    """Slow path for the rest: date and time parts picked out by :data:`DATETIME_RE`."""
    digits = text.str.extract(DATETIME_RE)
    parts = digits.astype("float64")
    parts["us"] *= 10.0 ** (6 - digits["us"].str.len().astype("float64"))
    parts = parts.fillna({"hour": 0, "minute": 0, "second": 0, "us": 0})
    return pd.to_datetime(parts, errors="coerce").astype("datetime64[us]")


def _parse_year_last(text: pd.Series) -> pd.Series:
    """Dates written year last, as SurveyMonkey and US spreadsheets do: 03/04/2025 08:12:47 PM. Read as
    month/day, unless a first number above 12 shows the column writes day/month."""
    parts = text.str.extract(YEAR_LAST_RE)
    first, second = parts["a"].astype("float64"), parts["b"].astype("float64")
    day_first = bool((first > 12).any())
    hour = parts["hour"].astype("float64").fillna(0)
    pm, am = parts["half"].str.upper().eq("PM"), parts["half"].str.upper().eq("AM")
    hour = hour.mask(pm.fillna(False) & (hour < 12), hour + 12).mask(am.fillna(False) & (hour == 12), 0)
    frame = pd.DataFrame({"year": parts["year"].astype("float64"), "month": second if day_first else first,
                          "day": first if day_first else second, "hour": hour,
                          "minute": parts["minute"].astype("float64").fillna(0),
                          "second": parts["second"].astype("float64").fillna(0)})
    return pd.to_datetime(frame, errors="coerce").astype("datetime64[us]")


def _coerce_date(col: _Column) -> pd.Series:
    """date: as datetime, with any time of day dropped (and reported)."""
    stamps = _coerce_datetime(col)
    days = stamps.dt.normalize()
    col.note("time_dropped", (stamps != days).fillna(False), days)
    return days


def _coerce_period(col: _Column) -> pd.Series:
    """period: months → '2025-03' (2025/3, 2025年3月), quarters → '2025Q1' (2025 Q1, 2025年第1季度)."""
    text = fold_width(col.text).str.upper()
    month = text.str.extract(MONTH_RE)
    valid = pd.to_numeric(month["month"]).between(1, 12)
    months = (month["year"] + "-" + month["month"].str.zfill(2)).where(valid)
    quarter = text.str.extract(QUARTER_RE)
    number = quarter["q"].fillna(quarter["zh"].replace(ZH_QUARTERS))
    periods = months.fillna(quarter["year"] + "Q" + number).astype("string")
    col.fail("not_a_period", periods.isna() & ~col.missing)
    col.note("period_format", (~text.str.contains(PERIOD_RE) & periods.notna()).fillna(False), periods)
    return periods


COERCERS = {
    "id": _coerce_text,
    "text": _coerce_text,
    "label": _coerce_label,
    "int": _coerce_int,
    "float": _coerce_float,
    "percent": _coerce_percent,
    "datetime": _coerce_datetime,
    "date": _coerce_date,
    "period": _coerce_period,
    "bool": _coerce_bool,
}


def _fold(value) -> str:
    return unicodedata.normalize("NFKC", str(value)).casefold().strip()


def _fold_series(text: pd.Series) -> pd.Series:
    return fold_width(text).str.casefold().str.strip()


def _show(value) -> str:
    """A value as a user would write it in a message: 9 not 9.0, ∅ for missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "∅"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- writing -------------------------------------------------------------------------------------


def _export_frame(df: pd.DataFrame, schema: Schema, lang: str) -> pd.DataFrame:
    """The frame as written: dates as dates; for zh, Chinese labels, 是/否 and Chinese headers."""
    out = df.copy()
    for name in out.columns.intersection(list(schema.by_name)):
        field = schema.by_name[name]
        if field.type == "date":
            out[name] = out[name].dt.date
        if lang == "zh" and field.choices:
            labels = out[name].map({code: labels[0] for code, labels in field.choices.items()})
            out[name] = labels.where(labels.notna(), out[name])
        if lang == "zh" and field.type == "bool":
            out[name] = out[name].map({True: "是", False: "否"})
    if lang == "zh":
        out = out.rename(columns={f.name: f.zh for f in schema.fields})
    return out
