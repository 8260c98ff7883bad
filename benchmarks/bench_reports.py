"""Benchmark of the trainer reports (issue 17 for the batch).

1. The cohort report at scale: ``--trainees`` (default 2,000) and ``--survey`` rows (default 1,000,000) written as
   Parquet exports, made as ``kit report cohort --cohort BENCH --lang zh`` makes it, by calling that command's own
   function (``kit.report_cli.cohort``: papermill execution plus HTML export). Target on 2 cores: ≤ 60 s.
2. Per-trainee reports for ``--batch`` trainees (default 100): ``kit report trainee --all --lang en``, by calling
   that command's own function (``kit.report_cli.trainee``: the cohort's data read and checked once, then
   ``kit.report.run_many`` — a process pool with one worker per CPU, each report in a kernel forked warm from
   the batch's factory) against the naive way, a sequential loop of plain papermill runs each reading the CSV
   exports, then nbconvert's HTML export. Target: ≥ 3 × the loop.

Data and outputs go under ``build/bench/reports/`` (written again each run).

    .venv/bin/python benchmarks/bench_reports.py                                    # 2,000 / 1 M / 100
    .venv/bin/python benchmarks/bench_reports.py --trainees 200 --survey 10000 --batch 6   # quick
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from common import BENCH, Targets, print_machine, quiet, timed

from kit.data import io, synth
from kit.pipeline.executors import default_workers
from kit.report import TRAINEE

COHORT_TARGET_S = 60.0
COHORT_TARGET_SIZE = (2000, 1_000_000)
BATCH_TARGET = 3.0


def write_cohort(folder: Path, n_trainees: int, n_survey: int, suffix: str) -> Path:
    """A synthetic cohort of ``n_trainees`` (one cohort id) whose agents served ``n_survey`` survey rows."""
    folder.mkdir(parents=True, exist_ok=True)
    people = synth.cohort(n_trainees, 0, cohorts=("BENCH",))
    roster = people["trainees"]
    agents = pd.Series(roster["trained_on"].to_numpy(), index=roster["trainee_id"].to_numpy())
    tables = {**people, "survey_responses": synth.survey_responses(n_survey, 0, agents=agents)}
    for kind, table in tables.items():
        io.save(table, folder / f"{kind}{suffix}", kind)
    return folder


def command(fn: Callable, **options) -> None:
    """A ``kit report`` command's function called with ``options``, quietly (:func:`common.quiet`)."""
    with quiet():
        fn(**options)


def bench_cohort(n_trainees: int, n_survey: int, work: Path) -> float:
    from kit.report_cli import cohort

    data = write_cohort(work / "cohort-data", n_trainees, n_survey, ".parquet")
    out = work / "cohort-out"
    _, seconds = timed(command, cohort, cohort="BENCH", lang="zh", data=data, out=out)
    html = out / "cohort-BENCH.zh.html"
    size = f"; HTML {html.stat().st_size / 1e6:.1f} MB" if html.exists() else ""
    print(f"cohort report, {n_trainees:,} trainees, {n_survey:,} survey rows: {seconds:.1f} s "
          f"({seconds / COHORT_TARGET_S:.2f} × the {COHORT_TARGET_S:.0f} s target){size}", flush=True)
    return seconds


def papermill_loop(ids: list[str], data: Path, out: Path) -> None:
    """The naive way: one plain papermill run per trainee on the CSV exports, then nbconvert to HTML."""
    import papermill as pm
    from nbconvert import HTMLExporter

    out.mkdir(parents=True, exist_ok=True)
    with quiet():
        for trainee in ids:
            executed = out / f"{trainee}.ipynb"
            nb = pm.execute_notebook(str(TRAINEE), str(executed),
                                     parameters={"trainee_id": trainee, "data_dir": str(data), "lang": "en"},
                                     kernel_name="python3", progress_bar=False)
            body, _ = HTMLExporter(exclude_input=True).from_notebook_node(nb)
            executed.with_suffix(".html").write_text(body, encoding="utf-8")


def bench_batch(n: int, work: Path) -> float:
    from kit.report_cli import trainee

    data = write_cohort(work / "batch-data", n, 5000, ".csv")
    ids = [f"S{i:03d}" for i in range(1, n + 1)]
    _, loop = timed(papermill_loop, ids, data, work / "loop")
    print(f"papermill loop, {n} trainee reports: {loop:.1f} s ({n / loop:.2f} reports/s)", flush=True)
    out = work / "batch"
    _, seconds = timed(command, trainee, all_=True, lang="en", data=data, out=out)
    pages = len(list(out.glob("trainee-*.en.html")))
    ratio = loop / seconds
    warning = "" if pages >= n else f"   WARNING: {pages} pages for {n} trainees"
    print(f"kit report trainee --all, {default_workers()} workers: {seconds:.1f} s ({n / seconds:.2f} reports/s), "
          f"{ratio:.2f} × the loop{warning}", flush=True)
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trainees", type=int, default=2000, help="trainees of the cohort report")
    parser.add_argument("--survey", type=int, default=1_000_000, help="survey rows of the cohort report")
    parser.add_argument("--batch", type=int, default=100, help="trainee reports of the batch")
    args = parser.parse_args(argv)
    print_machine()
    work = BENCH / "reports"
    work.mkdir(parents=True, exist_ok=True)
    cohort_s = bench_cohort(args.trainees, args.survey, work)
    ratio = bench_batch(args.batch, work)
    targets = Targets()
    full = (args.trainees, args.survey) == COHORT_TARGET_SIZE
    targets.check("cohort report, {:,} trainees, {:,} survey rows".format(*COHORT_TARGET_SIZE),
                  cohort_s if full else None, at_most=COHORT_TARGET_S, unit=" s", digits=1,
                  note="" if full else f"run at {args.trainees:,} / {args.survey:,}: {cohort_s:.1f} s")
    targets.check(f"kit report trainee --all / papermill loop, {args.batch} reports", ratio, at_least=BATCH_TARGET)
    targets.print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
