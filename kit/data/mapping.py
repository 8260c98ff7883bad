"""Mapping files: a user's own headers and answers → kit columns and values.

A mapping file is YAML, one section per table kind (``kit data map FILE`` writes one to edit)::

    survey_responses:
      columns:                      # your header → kit column
        "1、您向朋友或同事推荐我们的可能性有多大？": nps
      values:                       # per kit column: your answer → the value the kit reads
        csat: {非常满意: 5, 满意: 4, 一般: 3, 不满意: 2, 非常不满意: 1}
        channel: {1: 电话, 2: 微信}
      dont_know: [不好说, 99]       # answers that mean "don't know": missing, counted apart

The short forms read too: ``{header: column}`` (flat or under a table kind) and a CSV with two columns (header,
kit column) or three (… , table kind). Value maps are applied to the answers *as the file has them*, before
the kit's own label decoding, and win over it; answers they do not list are read as usual.
:func:`propose` and :func:`to_yaml` write the first draft of one from what the kit recognised in a file.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kit.data.schemas import Schema, normalise_header
from kit.errors import DataError

SECTION_KEYS = ("columns", "values", "dont_know")


class ColumnMap(dict):
    """A user's header → kit column pairs, with the file they came from, the value maps per kit column
    (``value_maps``) and the extra don't-know answers (``dont_know``)."""

    source: Path | None = None
    sectioned: bool = False  # the file has one section per table kind
    value_maps: dict[str, dict] = {}
    dont_know: tuple = ()


def read_mapping(path, kind: str | None = None) -> ColumnMap:
    """Read a mapping file (``kit report cx --map``, ``kit data check --map``).

    ``kind`` picks the file's section (a file without a section for ``kind`` maps nothing for it). Targets are
    checked against the schema of ``kind`` by :func:`kit.data.io.load`; entries that are not text pairs,
    unknown section keys and files that are not YAML or CSV raise a :class:`~kit.errors.DataError` naming the file.

    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "map.yml"
    >>> _ = f.write_text("survey_responses:\\n  Q1 推荐可能性: nps\\ntickets:\\n  单号: ticket_id\\n", encoding="utf-8")
    >>> dict(read_mapping(f, "tickets"))
    {'单号': 'ticket_id'}
    >>> _ = f.write_text("columns: {满意度: csat}\\nvalues:\\n  csat: {很好: 5, 1: 5}\\ndont_know: [不好说]\\n",
    ...                  encoding="utf-8")
    >>> m = read_mapping(f, "survey_responses")
    >>> dict(m), m.value_maps, m.dont_know
    ({'满意度': 'csat'}, {'csat': {'很好': 5, '1': 5}}, ('不好说',))
    """
    from kit.data.schemas import KINDS

    path = Path(path)
    if not path.is_file():
        raise DataError("file_not_found", file=path)
    suffix = path.suffix.lower()
    values, dont_know = {}, ()
    if suffix in (".yml", ".yaml"):
        entries, sectioned, values, dont_know = _mapping_yaml(path, kind, KINDS)
    elif suffix in (".csv", ".tsv", ".txt"):
        entries, sectioned = _mapping_csv(path, kind, KINDS)
    else:
        raise DataError("mapping_format", file=path, suffix=suffix or "∅")
    out = ColumnMap(entries)
    out.source, out.sectioned, out.value_maps, out.dont_know = path, sectioned, values, dont_know
    return out


def _mapping_yaml(path: Path, kind: str | None, kinds) -> tuple[dict[str, str], bool, dict, tuple]:
    import yaml

    from kit.data.io import decode_text

    text, _ = decode_text(path.read_bytes(), path)
    try:
        tree = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise DataError("mapping_unreadable", file=path, detail=str(exc).splitlines()[0]) from exc
    if not isinstance(tree, dict):
        raise DataError("mapping_unreadable", file=path, detail=type(tree).__name__)
    sections = {k: v for k, v in tree.items() if k in kinds and isinstance(v, dict)}
    if sections:
        stray = [str(k) for k in tree if k not in sections]
        if stray:
            raise DataError("mapping_mixed", file=path, headers=", ".join(stray), kinds=", ".join(sections))
        chosen = [sections.get(kind, {})] if kind else list(sections.values())
    else:
        chosen = [tree]
    columns, values, dont_know = {}, {}, []
    for section in chosen:
        if "columns" in section:  # the full form: columns / values / dont_know
            stray = [str(k) for k in section if k not in SECTION_KEYS]
            if stray:
                raise DataError("mapping_unknown_key", file=path, keys=", ".join(stray), known=", ".join(SECTION_KEYS))
            columns |= _mapping_pairs((section.get("columns") or {}).items(), path)
            values |= _value_maps(section.get("values") or {}, path)
            dont_know += _dont_know(section.get("dont_know") or [], path)
        else:
            columns |= _mapping_pairs(section.items(), path)
    return columns, bool(sections), values, tuple(dont_know)


def _value_maps(tree, path: Path) -> dict[str, dict]:
    """``{kit column: {answer: value}}`` with answers as :func:`value_key` text; values are numbers or text."""
    if not isinstance(tree, dict) or not all(isinstance(v, dict) for v in tree.values()):
        raise DataError("mapping_bad_values", file=path, entry=_brief(tree))
    out = {}
    for column, pairs in tree.items():
        for answer, value in pairs.items():
            readable = value is None or isinstance(value, str | int | float) and not isinstance(value, bool)
            if not readable:
                raise DataError("mapping_bad_values", file=path, entry=f"{column}: {answer}: {_brief(value)}")
        out[str(column).strip()] = {value_key(a): v for a, v in pairs.items()}
    return out


def _dont_know(items, path: Path) -> list:
    if not isinstance(items, list) or not all(isinstance(i, str | int | float) for i in items):
        raise DataError("mapping_bad_values", file=path, entry=f"dont_know: {_brief(items)}")
    return list(items)


def _brief(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _mapping_csv(path: Path, kind: str | None, kinds) -> tuple[dict[str, str], bool]:
    from kit.data.io import decode_text, parse_csv, sniff_delimiter
    from kit.data.schemas import SCHEMAS

    text, _ = decode_text(path.read_bytes(), path)
    table = parse_csv(text, sniff_delimiter(text), path).dropna(how="all")
    if table.shape[1] not in (2, 3):
        raise DataError("mapping_unreadable", file=path, detail=f"{table.shape[1]} columns")
    names = {f.name for s in SCHEMAS.values() for f in s.fields}
    rows = [[None if pd.isna(v) else str(v).strip() for v in row] for row in table.itertuples(index=False)]
    if rows and rows[0][1] not in names:
        rows = rows[1:]  # a title row such as "header,column"
    sectioned = table.shape[1] == 3
    if sectioned and kind:
        rows = [r for r in rows if not r[2] or r[2] == kind]
    return _mapping_pairs([(r[0], r[1]) for r in rows], path), sectioned


def _mapping_pairs(pairs, path: Path) -> dict[str, str]:
    from kit.data.io import _show

    out = {}
    for header, column in pairs:
        if not isinstance(header, str | int | float) or not isinstance(column, str) or not str(header).strip() \
                or not column.strip():
            raise DataError("mapping_bad_entry", file=path, header=_show(header), target=_show(column))
        out[str(header).strip()] = column.strip()
    return out


def resolve(columns: Mapping, headers: list[str], schema: Schema, path: Path) -> dict[int, str]:
    """Source column position → kit column for every mapped header; a target the schema does not know or a
    header the file does not have raises a DataError naming the mapping file, the header and the fix."""
    where = getattr(columns, "source", None) or path
    index = schema.header_index()
    exact = {h: p for p, h in enumerate(headers)}
    folded = {}
    for p, h in enumerate(headers):
        folded.setdefault(normalise_header(h), p)
    out, taken = {}, {}
    for header, target in columns.items():
        name = target if target in schema.by_name else index.get(normalise_header(target))
        if name is None:
            close = difflib.get_close_matches(str(target), list(schema.by_name), n=3)
            raise DataError("mapping_unknown_column", file=where, header=header, target=target, kind=schema.kind,
                            closest=", ".join(close) or "—", columns=", ".join(schema.by_name))
        position = exact.get(header, folded.get(normalise_header(header)))
        if position is None:
            close = difflib.get_close_matches(str(header), headers, n=3, cutoff=0.4)
            raise DataError("mapping_header_not_found", file=where, data=path, header=header, target=name,
                            closest=", ".join(close) or "—", found=", ".join(map(str, headers)))
        if name in taken:
            raise DataError("duplicate_column", file=where, column=header, first=taken[name], second=header,
                            field=name)
        taken[name] = header
        out[position] = name
    return out


def check_value_columns(columns: ColumnMap | Mapping, positions: Mapping[str, int], schema: Schema,
                        path: Path) -> None:
    """Every kit column a value map names must be a column of ``schema`` that the file has."""
    for name in getattr(columns, "value_maps", {}):
        if name not in schema.by_name or name not in positions:
            raise DataError("mapping_values_column", file=getattr(columns, "source", None) or path, target=name,
                            data=path, present=", ".join(positions))


def closest_headers(schema: Schema, headers: list[str], positions: Mapping[str, int]) -> dict[str, str | None]:
    """For each required kit column no header was matched to, the unmatched header of the file that reads most
    like its Chinese or English name (difflib ratio ≥ 0.3), or None."""
    free = {normalise_header(h): h for p, h in enumerate(headers) if p not in positions.values()}
    out = {}
    for name in (n for n in schema.required if n not in positions):
        field = schema.by_name[name]
        close = [c for wanted in (field.zh, name) for c in difflib.get_close_matches(
            normalise_header(wanted), list(free), n=1, cutoff=0.3)]
        out[name] = free[close[0]] if close else None
    return out


def value_key(value) -> str:
    """An answer as a value map compares it: whole numbers without decimals (1, 1.0 and "1" alike), other
    text NFKC-folded, trimmed and in lower case.

    >>> value_key(1.0), value_key(" 非常满意 "), value_key("Extremely Satisfied")
    ('1', '非常满意', 'extremely satisfied')
    """
    from kit.data.sources.common import fold

    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return str(int(value))
    text = fold(value)
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else text


def apply_values(original: pd.Series, current: pd.Series, values: Mapping[str, object]) -> tuple[pd.Series, dict]:
    """``current`` with every answer of ``original`` that ``values`` lists (by :func:`value_key`; a multi-select
    answer by its first option) replaced by its value; and ``{answer: value}`` of the answers replaced. ``original`` is the column as the file has it,
    ``current`` as the platform adapter decoded it (the same rows)."""
    from kit.data.sources.questions import first_choice

    used = {}
    for answer in original.dropna().unique():
        key = value_key(answer)
        key = key if key in values else value_key(first_choice(answer))  # "1,3": the first option chosen
        if key in values:
            used[answer] = values[key]
    if not used:
        return current, {}
    hit = original.isin(list(used)).to_numpy()
    replaced = original.map(used)
    return current.astype(object).where(~hit, replaced), used


@dataclass(frozen=True)
class Proposal:
    """How one column of a file would be read (``kit data map``): its ``header``, the kit column it becomes
    (``field``, None if unused), ``how`` that was decided (``mapping``, ``layout``, ``wording``, ``header``,
    ``guessed`` for a required column found by the nearest header, ``unused``, or ``generated``: response ids made
    from row numbers), a few ``examples`` and the answers decoded to values (``decoded``)."""

    header: str
    field: str | None
    how: str
    examples: tuple[str, ...]
    decoded: dict


def propose(found) -> list[Proposal]:
    """One :class:`Proposal` per column of a :class:`kit.data.io.Layout`, in file order."""
    from kit.data.sources import PLATFORMS
    from kit.data.sources.common import fold
    from kit.data.sources.questions import question_field

    layout = getattr(PLATFORMS.get(found.adapted.platform), "FIELDS", {})  # the platform's own column names
    field_at = {p: name for name, p in found.positions.items()}
    guessed = {h: name for name, h in closest_headers(found.schema, found.source.headers, found.positions).items() if h}
    generated = len(found.source.headers) - 1 if ("row_ids", {}) in found.adapted.notes else None
    proposals = []
    for p, header in enumerate(found.source.headers):
        name = field_at.get(p)
        if p == generated:
            how = "generated"
        elif header in guessed and name is None:
            name, how = guessed[header], "guessed"
        elif name is None:
            how = "unused"
        elif p in found.mapped:
            how = "mapping"
        elif p in found.by_wording:
            how = "layout" if fold(header) in layout or question_field(header) != name else "wording"
        else:
            how = "header"
        column = found.adapted.originals.get(p, found.source.table[p])
        shown = column.dropna().map(lambda v: _number(v) if isinstance(v, float) else str(v).strip())
        examples = tuple(v if len(v) <= 24 else v[:23] + "…" for v in shown[shown != ""].unique()[:3])
        proposals.append(Proposal(header, name, how, examples, found.adapted.decoded.get(p, {})))
    return proposals


def to_yaml(found, proposals: list[Proposal], lang: str | None = None) -> str:
    """A mapping file for the user to edit: every column the kit reads, the answers of score columns it decoded
    as value maps (option numbers whose direction the file does not say, as an identity map to check), the
    columns left unused as comments, and an empty ``dont_know`` list."""
    from kit.i18n import t

    def say(key, **params):
        return t(f"mapping.file.{key}", lang, **params)

    checked = {params["column"] for code, params in found.adapted.notes if code == "numbered_scale"}
    unread = {params["column"]: {"channel_codes": "channel", "ease_unknown": "ces"}[code]
              for code, params in found.adapted.notes if code in ("channel_codes", "ease_unknown")}
    lines = [f"# {say('title', file=found.path.name)}", f"# {say('use', file=found.path.name, kind=found.schema.kind)}",
             f"{found.schema.kind}:", "  columns:"]
    for p in proposals:
        if p.field and p.how != "generated":
            lines.append(f"    {yaml_text(p.header)}: {p.field}  # {say('how.' + p.how)}")
    for p in proposals:
        if not p.field:
            hint = unread.get(p.header, "?")
            lines.append(f"    # {yaml_text(p.header)}: {hint}  # {say('unused', examples=', '.join(p.examples))}")
    values = []
    scores = {f.name for f in found.schema.fields if f.type == "int" and f.max is not None and f.max <= 10}
    for position, p in enumerate(proposals):
        if p.field not in scores:
            continue
        column = found.source.table[position]
        entries = [f"      {yaml_text(a)}: {yaml_text(v) if isinstance(v, str) else _number(v)}" for a, v in p.decoded.items()]
        if p.header in checked:
            entries += [f"      {_number(v)}: {_number(v)}"
                        for v in sorted(pd.to_numeric(column, errors="coerce").dropna().unique())]
        scale = f"<{found.schema.by_name[p.field].range_text()}>"
        entries += [f"      # {yaml_text(a)}: {scale}  # {say('unread')}" for a in _unread(column)]
        if entries:
            values += [f"    {p.field}:  # {say('direction' if p.header in checked else 'decoded')}", *entries]
    lines += (["  values:", *values] if values else [f"  values: {{}}  # {say('no_values')}"])
    lines.append(f"  dont_know: []  # {say('dont_know')}")
    return "\n".join(lines) + "\n"


def yaml_text(value) -> str:
    """A header or answer as YAML that reads back as the same text (double-quoted, JSON-escaped)."""
    return json.dumps(str(value), ensure_ascii=False)


def _unread(column: pd.Series) -> list[str]:
    """The answers of a score column that are neither numbers nor "don't know" nor a blank placeholder: labels
    only the user can score."""
    from kit.data.sources.common import BLANK, fold
    from kit.scores import DONT_KNOW, fold_answer, parse_numbers

    text = pd.Series(column.dropna().unique()).astype("string").str.strip()
    unread = parse_numbers(text).isna() & ~fold_answer(text).isin(DONT_KNOW) & ~text.map(fold).isin(BLANK)
    return text[unread.to_numpy(dtype=bool)].tolist()


def _number(value) -> str:
    """A number as YAML writes it: 5 not 5.0; None as null."""
    return "null" if value is None else str(int(value)) if float(value).is_integer() else str(value)
