"""Benchmark of survey files (issue 17): loading and the CX report against a plain pyarrow read of the same CSV.

At each size (``--sizes``, default 10 k, 100 k, 1 M and 10 M rows) the survey CSV
``kit.data.synth.survey_responses(n, seed=0).to_csv(path, index=False)`` (65 columns; written once under
``build/bench/`` and reused, see ``common.survey_csv``) is

- read plainly, ``pd.read_csv(path, engine="pyarrow")``: the baseline every ratio divides by;
- loaded and checked, ``kit.data.io.load(path, "survey_responses")``;
- loaded with ``only=`` (documented in ``io.load``) the six survey columns the cohort and trainee reports read,
  ``kit.cohort.SURVEY_COLUMNS``. The CX report reads all of the file (scores, segments, 44 SERVQUAL items,
  drivers, comments) and does not pass ``only=``, so this is not a faster CX report: it checks the docstring's
  "a report needing 6 of 65 columns loads 10× faster";
- made into the CX report as ``kit report cx --data FILE --lang en`` makes it, by calling that command's own
  function (``kit.report_cli.cx``): every input loaded once to check it, then ``notebooks/reports/cx-report.ipynb``
  executed by papermill in a new kernel and exported to HTML (under ``build/bench/cx-report/``). One untimed
  run on the smallest file comes first, so that the imports of this process are not counted at the first size.

Plain read, ``io.load`` and ``only=`` are timed ``--repeat`` times, interleaved, and the median is shown; the CX
report ``--cx-repeat`` times. The table gives rows, seconds, rows/s, the ratio to the plain read at that size and
the growth from the previous size (× seconds for the rows' ×10), so how cost grows is visible.

Targets (issue 17), at 1,000,000 rows: ``io.load`` ≤ 2 × the plain read; ``kit report cx`` ≤ 6 × the plain read.

``--naive-rows N`` (default 100,000; 0 skips it) also times what a quick script would do on an N-row file — read
as text, then check every cell in a row-wise ``DataFrame.apply`` — against ``io.load`` on the same file.

    .venv/bin/python benchmarks/bench_data.py                        # all four sizes: minutes, ~2.2 GB of CSV
    .venv/bin/python benchmarks/bench_data.py --sizes 10000 100000   # quick
"""

from __future__ import annotations

import argparse
import statistics
from datetime import datetime
from pathlib import Path

import pandas as pd
from common import BENCH, Targets, print_machine, quiet, rate, sizes_note, survey_csv, timed

from kit.cohort import SURVEY_COLUMNS
from kit.data import io
from kit.data.schemas import get_schema

KIND = "survey_responses"
TARGET_ROWS = 1_000_000
LOAD_TARGET = 2.0
CX_TARGET = 6.0
PLAIN = 'pd.read_csv(engine="pyarrow")'
LOAD = "io.load"
ONLY = f"io.load(only={len(SURVEY_COLUMNS)} columns)"
CX = "kit report cx"


def plain_read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, engine="pyarrow")


def load(path: Path) -> pd.DataFrame:
    return io.load(path, KIND)[0]


def load_only(path: Path) -> pd.DataFrame:
    return io.load(path, KIND, only=SURVEY_COLUMNS)[0]


def cx_report(path: Path, out: Path) -> Path:
    """``kit report cx --data path --lang en --out out``, through the command's own function, quietly
    (:func:`common.quiet`)."""
    from kit.report_cli import cx

    with quiet():
        cx(data=path, lang="en", out=out)
    return out / f"cx-{path.stem}.en.html"


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


def measure(rows: int, repeat: int, cx_repeat: int, out: Path) -> dict[str, float]:
    """Seconds of each operation on the ``rows``-row survey file (median of the runs)."""
    path = survey_csv(rows)
    runs: dict[str, list[float]] = {PLAIN: [], LOAD: [], ONLY: []}
    for _ in range(repeat):  # interleaved, so a busy moment of the machine does not fall on one operation only
        for name, fn in ((PLAIN, plain_read), (LOAD, load), (ONLY, load_only)):
            frame, seconds = timed(fn, path)
            del frame  # not kept while the next operation runs (10 M rows take gigabytes)
            runs[name].append(seconds)
    _, cx_seconds = timed(cx_report, path, out, repeat=cx_repeat)
    seconds = {name: statistics.median(times) for name, times in runs.items()}
    seconds[CX] = cx_seconds
    print(f"  {rows:>12,} rows ({path.stat().st_size / 1e6:,.0f} MB): plain {seconds[PLAIN]:.2f} s, io.load "
          f"{seconds[LOAD]:.2f} s, only= {seconds[ONLY]:.2f} s, kit report cx {seconds[CX]:.2f} s", flush=True)
    return seconds


def print_table(results: dict[int, dict[str, float]], repeat: int, cx_repeat: int) -> None:
    print(f"\nscaling (median of {repeat} run(s) each; kit report cx: {cx_repeat} run(s); ratio = seconds / the "
          f"plain read's at that size; growth = seconds / seconds at the previous size)")
    print(f"  {'operation':<30} {'rows':>12} {'seconds':>9} {'rows/s':>12} {'× plain read':>13}  growth")
    for name in (PLAIN, LOAD, ONLY, CX):
        previous = None
        for rows, seconds in sorted(results.items()):
            s = seconds[name]
            growth = f"{s / previous[1]:.1f}× for {rows / previous[0]:g}× rows" if previous else ""
            label = "" if previous else name
            print(f"  {label:<30} {rows:>12,} {s:>9.2f} {rate(rows, s):>12} {s / seconds[PLAIN]:>12.2f}×  {growth}")
            previous = (rows, s)


def naive_comparison(rows: int, results: dict[int, dict[str, float]]) -> None:
    path = survey_csv(rows)
    kit_s = results[rows][LOAD] if rows in results else timed(load, path)[1]
    _, naive_s = timed(naive_load, path, KIND)
    print(f"row-wise DataFrame.apply check, {rows:,} rows: {naive_s:.2f} s ({rate(rows, naive_s)} rows/s); "
          f"io.load on the same file {kit_s:.2f} s: {naive_s / kit_s:.1f}× faster")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000, 10_000_000],
                        metavar="ROWS", help="survey rows, one file and one table row each (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each load per size, median shown (default: %(default)s)")
    parser.add_argument("--cx-repeat", type=int, default=1, help="runs of the CX report per size, median shown (default: %(default)s)")
    parser.add_argument("--naive-rows", type=int, default=100_000,
                        help="rows for the row-wise DataFrame.apply baseline; 0 skips it (default: %(default)s)")
    args = parser.parse_args()
    print_machine()
    sizes = sorted(set(args.sizes))
    out = BENCH / "cx-report"
    print(f"survey CSVs under {BENCH}; one untimed kit report cx run first", flush=True)
    cx_report(survey_csv(sizes[0]), out)

    results = {rows: measure(rows, args.repeat, args.cx_repeat, out) for rows in sizes}
    print_table(results, args.repeat, args.cx_repeat)
    if args.naive_rows:
        naive_comparison(args.naive_rows, results)

    targets = Targets()
    for name, limit in ((LOAD, LOAD_TARGET), (CX, CX_TARGET)):
        ratios = {rows: r[name] / r[PLAIN] for rows, r in results.items()}
        targets.check(f"{name} / plain read, {TARGET_ROWS:,} rows", ratios.get(TARGET_ROWS), at_most=limit,
                      note="" if TARGET_ROWS in ratios else sizes_note(ratios, TARGET_ROWS, "--sizes"))
    targets.print()


if __name__ == "__main__":
    main()
