"""Benchmark of kit.metrics.by_segment: NPS, CSAT and CES with intervals by 50 segments.

Synthetic rows (numpy: int8 scores, a 50-level categorical segment) are scored with the kit's vectorised
``by_segment`` and, on a smaller subset, with the naive way: classify each row with
``DataFrame.apply(..., axis=1)``, then group and compute the intervals. Prints wall times and the per-row
speed ratio (the naive time is scaled per row, since a full naive run at millions of rows takes minutes).

    .venv/bin/python benchmarks/bench_metrics.py --rows 1000000 10000000 --naive-rows 200000
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from common import Targets, print_machine, sizes_note, timed

from kit.metrics import by_segment

METRICS = ("nps", "csat", "ces")
TARGET_ROWS = 1_000_000


def synthetic(rows: int, segments: int, seed: int) -> pd.DataFrame:
    """int8 scores on each metric's scale and a categorical segment with ``segments`` levels."""
    rng = np.random.default_rng(seed)
    names = [f"seg{i:02d}" for i in range(segments)]
    return pd.DataFrame({
        "segment": pd.Categorical.from_codes(rng.integers(0, segments, rows).astype(np.int16), names),
        "nps": rng.choice(11, rows, p=[0.03] * 7 + [0.17, 0.18, 0.2, 0.24]).astype(np.int8),
        "csat": rng.choice(np.arange(1, 6), rows, p=[0.05, 0.08, 0.17, 0.35, 0.35]).astype(np.int8),
        "ces": rng.integers(1, 8, rows, dtype=np.int8),
    })


def naive(df: pd.DataFrame, metric: str) -> pd.DataFrame:
    """What a quick script does: a Python function per row, then a groupby and the intervals."""
    z = 1.959964
    if metric == "nps":
        flags = df.apply(lambda r: 100 if r["nps"] >= 9 else (-100 if r["nps"] <= 6 else 0), axis=1)
    elif metric == "csat":
        flags = df.apply(lambda r: 1.0 if r["csat"] >= 4 else 0.0, axis=1)
    else:
        flags = df.apply(lambda r: float(r["ces"]), axis=1)
    stats = flags.groupby(df["segment"], observed=True).agg(["mean", "count", "var", "std"])
    if metric == "nps":
        se = np.sqrt(stats["var"] * (stats["count"] - 1) / stats["count"] / stats["count"])
        return stats.assign(ci_low=stats["mean"] - z * se, ci_high=stats["mean"] + z * se)
    if metric == "csat":
        n, p = stats["count"], stats["mean"]
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
        return stats.assign(ci_low=centre - half, ci_high=centre + half)
    se = stats["std"] / np.sqrt(stats["count"])
    return stats.assign(ci_low=stats["mean"] - z * se, ci_high=stats["mean"] + z * se)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000],
                        help="rows for the kit (one run per value)")
    parser.add_argument("--naive-rows", type=int, default=200_000, help="rows for the row-wise baseline")
    parser.add_argument("--segments", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3, help="kit runs per measurement (median reported)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print_machine()

    warm = synthetic(1_000, args.segments, args.seed)
    for metric in METRICS:  # first-call costs (lazy SciPy import for the t quantile) stay out of the timings
        by_segment(warm, metric, "segment")

    base = synthetic(args.naive_rows, args.segments, args.seed)
    print(f"naive baseline: DataFrame.apply(axis=1) on {args.naive_rows:,} rows, {args.segments} segments")
    naive_per_row = {}
    for metric in METRICS:
        expected, seconds = timed(naive, base, metric)
        naive_per_row[metric] = seconds / args.naive_rows
        kit = by_segment(base, metric, "segment", min_n=0).set_index("segment")
        scale = 100 if metric == "csat" else 1  # the kit reports the CSAT top-box share in %
        # intervals compared where both use the same method (Wilson for CSAT); the kit's NPS and CES intervals are
        # not the quick script's Wald interval (docs/measurement.md)
        agree = np.allclose(kit["value"], scale * expected["mean"]) and (
            metric != "csat" or np.allclose(kit["ci_low"], scale * expected["ci_low"], atol=1e-6))
        print(f"  {metric:<5} {seconds:8.2f} s   {1e6 * naive_per_row[metric]:8.2f} µs/row   "
              f"same values as the kit: {agree}")

    totals = {}
    for rows in args.rows:
        df = synthetic(rows, args.segments, args.seed)
        print(f"\nkit by_segment on {rows:,} rows ({df.memory_usage(deep=True).sum() / 2**20:.1f} MiB), "
              f"{args.segments} segments, median of {args.repeat}:")
        total = 0.0
        for metric in METRICS:
            out, seconds = timed(by_segment, df, metric, "segment", repeat=args.repeat)
            total += seconds
            ratio = naive_per_row[metric] * rows / seconds
            print(f"  {metric:<5} {seconds:8.3f} s   {1e9 * seconds / rows:8.1f} ns/row   "
                  f"{ratio:10,.0f}× faster per row   ({len(out)} rows, ci columns: "
                  f"{'ci_low' in out and 'ci_high' in out})")
        naive_total = sum(naive_per_row.values()) * rows
        print(f"  total {total:8.3f} s   naive estimate {naive_total:8.1f} s "
              f"({naive_total / 60:.1f} min)   {naive_total / total:10,.0f}× faster")
        totals[rows] = total

    targets = Targets()
    targets.check(f"by_segment, NPS + CSAT + CES, {TARGET_ROWS:,} rows", totals.get(TARGET_ROWS), below=1.0,
                  unit=" s", digits=3,
                  note="" if TARGET_ROWS in totals else sizes_note(totals, TARGET_ROWS, "--rows", "{:.3f} s"))
    targets.print()


if __name__ == "__main__":
    main()
