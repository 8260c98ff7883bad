"""Render ``data/README.md`` from :mod:`kit.data.schemas`, so the documentation of every table and column
is the schema itself (``kit data docs``; a test fails when the committed file is stale)."""

from __future__ import annotations

from kit.data.schemas import SCHEMAS, Schema

INTRO = """\
# Data tables

Every table the kit reads is described below: its columns, their types and allowed values, and the
headers a trainer's export may use for them (Chinese or English; matching ignores case, spaces,
full-width characters and a trailing unit in brackets, so `推荐值（0-10）` and `NPS` both map to `nps`).
`kit.data.load(path, kind=...)` and `kit data check FILE --kind KIND` validate a file against these
rules and report every value they adjusted; categorical values may be given as the code or any
listed label.

This page is generated from `kit/data/schemas.py` by `kit data docs`; edit the schema, not this file.

## Sample data

`data/sample/` holds one small, linked, synthetic data set, one CSV per table (UTF-8, canonical
headers). It is reproducible: `kit data synth --seed 0` writes it again byte for byte. The story
of the data (the NPS dip, the SERVQUAL gaps, the Kano features' true categories, the recovery
paradox, the trainee cohort) is described in `kit/data/synth.py`.

## Types

| type | meaning |
|---|---|
| id | identifier, kept as text (`1001.0` from Excel becomes `1001`) |
| text | free text; a cell starting with `=`, `+`, `-` or `@` is refused as a possible formula injection |
| label | short category text |
| int, float | numbers; units such as `分`, `元`, `分钟` and full-width digits are accepted |
| percent | 0–100; `85%` is accepted, and a column of fractions (all ≤ 1) is rescaled ×100 |
| datetime, date | ISO dates, `2025/3/1 14:05`, `2025年3月1日`, Excel dates |
| period | a month `2025-03` or a quarter `2025Q1` (`2025年3月`, `2025年第1季度` accepted) |
| bool | 是/否, yes/no, true/false, 1/0, Y/N |
"""


def render() -> str:
    """The whole ``data/README.md`` text."""
    return INTRO + "".join(_table(schema) for schema in SCHEMAS.values())


def _table(schema: Schema) -> str:
    lines = [
        f"\n## `{schema.kind}` — {schema.zh}\n",
        f"{schema.doc}",
        f"Key (unique together): {', '.join(f'`{k}`' for k in schema.key)}.",
    ]
    if schema.order:
        lines.append("Order rules: " + "; ".join(f"`{a}` ≤ `{b}`" for a, b in schema.order) + ".")
    lines += ["", "| column | type | required | allowed | meaning | 中文表头 | other headers accepted |", "|---|---|---|---|---|---|---|"]
    for f in schema.fields:
        other = ", ".join(f.aliases) + (" · pseudonymised in reports" if f.pii else "")
        lines.append(
            f"| `{f.name}` | {f.type} | {'yes' if f.required else ''} | {f.range_text()} | {f.doc} | {f.zh} | {other} |"
        )
    return "\n".join(lines) + "\n"
