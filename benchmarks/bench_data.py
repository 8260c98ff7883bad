"""Benchmark of the data layer: synthetic generation and validated loading of survey exports.

Prints wall times and the ratio against the naive way — reading the CSV with pandas and validating it
row by row with ``DataFrame.apply`` (int() per score, a range check, a date parse per cell).

    .venv/bin/python benchmarks/bench_data.py --rows 1000000 --naive-rows 100000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime
from pathlib import Path

import pandas as pd

from kit.data import io, synth
from kit.data.schemas import get_schema


def timed(label: str, fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - start
    print(f"{label:<46} {seconds:8.2f} s")
    return result, seconds


def naive_load(path: Path, kind: str) -> pd.DataFrame:
    """Read, then check every cell of every row in Python: what a quick script would do."""
    schema = get_schema(kind)
    frame = pd.read_csv(path, dtype=object, keep_default_na=False)
    numeric = [f for f in schema.fields if f.type == "int" and f.name in frame]
    dates = [f.name for f in schema.fields if f.type == "datetime" and f.name in frame]

    def check(row):
        for f in numeric:
            cell = row[f.name]
            if cell != "":
                value = int(float(cell))
                if not f.min <= value <= f.max:
                    raise ValueError(f"{f.name} out of range: {value}")
                row[f.name] = value
        for name in dates:
            row[name] = datetime.fromisoformat(row[name])
        return row

    return frame.apply(check, axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="survey rows for the kit")
    parser.add_argument("--naive-rows", type=int, default=100_000, help="rows for the row-wise baseline")
    args = parser.parse_args()

    survey, synth_s = timed(f"synth.survey_responses({args.rows:,})", synth.survey_responses, args.rows, seed=0)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "survey.csv"
        survey.to_csv(path, index=False)
        small = Path(tmp) / "survey_small.csv"
        survey.head(args.naive_rows).to_csv(small, index=False)
        print(f"CSV size: {path.stat().st_size / 1e6:.0f} MB")
        _, kit_s = timed(f"kit.data.io.load ({args.rows:,} rows)", io.load, path, "survey_responses")
        _, kit_small_s = timed(f"kit.data.io.load ({args.naive_rows:,} rows)", io.load, small, "survey_responses")
        _, naive_s = timed(f"naive row-wise apply ({args.naive_rows:,} rows)", naive_load, small, "survey_responses")
    per_row_kit = kit_s / args.rows
    per_row_naive = naive_s / args.naive_rows
    print(f"synth throughput: {args.rows / synth_s:,.0f} rows/s")
    print(f"load ratio, same {args.naive_rows:,} rows: naive / kit = {naive_s / kit_small_s:.1f}x")
    print(f"load ratio per row at full size: naive / kit = {per_row_naive / per_row_kit:.1f}x")


if __name__ == "__main__":
    main()
