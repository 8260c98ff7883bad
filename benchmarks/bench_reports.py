"""Benchmark of the trainer reports.

1. The cohort report at scale: 2,000 trainees and 1,000,000 survey rows (Parquet exports), papermill execution
   plus HTML export, as ``kit report cohort`` runs it. Target on 2 cores: at most 60 s.
2. Per-trainee reports for 100 trainees: ``kit report trainee --all`` (the cohort's data read and checked once,
   reports on a process pool with one worker per CPU) against the naive way, a sequential loop of plain
   papermill runs each reading the CSV exports, then nbconvert's HTML export. Target: at least 1.8 × the loop.

    .venv/bin/python benchmarks/bench_reports.py [--trainees 2000] [--survey 1000000] [--batch 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from kit.data import io, synth
from kit.paths import BUILD
from kit.pipeline.executors import default_workers
from kit.report import COHORT, TRAINEE, Job, prepare_cohort, run, run_many, trainee_jobs

COHORT_TARGET_S = 60.0
BATCH_TARGET = 1.8


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


def bench_cohort(n_trainees: int, n_survey: int, work: Path) -> float:
    data = write_cohort(work / "cohort-data", n_trainees, n_survey, ".parquet")
    job = Job(str(COHORT), {"cohort": "BENCH", "lang": "zh", "data_dir": str(data), "gradebook": None,
                            "anonymize": True, "pass_mark": 0.6}, str(work / "cohort-out"), "cohort", "Benchmark", lang="zh")
    start = time.perf_counter()
    html = run(job)
    seconds = time.perf_counter() - start
    print(f"cohort report, {n_trainees:,} trainees, {n_survey:,} survey rows: {seconds:.1f} s "
          f"(target ≤ {COHORT_TARGET_S:.0f} s; {seconds / COHORT_TARGET_S:.2f} × the target); "
          f"HTML {html.stat().st_size / 1e6:.1f} MB")
    return seconds


def papermill_loop(ids: list[str], data: Path, out: Path) -> float:
    """The naive way: one plain papermill run per trainee on the CSV exports, then nbconvert to HTML."""
    import papermill as pm
    from nbconvert import HTMLExporter

    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for trainee in ids:
        executed = out / f"{trainee}.ipynb"
        nb = pm.execute_notebook(str(TRAINEE), str(executed), parameters={"trainee_id": trainee, "data_dir": str(data)},
                                 kernel_name="python3", progress_bar=False)
        body, _ = HTMLExporter(exclude_input=True).from_notebook_node(nb)
        executed.with_suffix(".html").write_text(body, encoding="utf-8")
    return time.perf_counter() - start


def bench_batch(n: int, work: Path) -> float:
    data = write_cohort(work / "batch-data", n, 5000, ".csv")
    ids = [f"S{i:03d}" for i in range(1, n + 1)]
    loop = papermill_loop(ids, data, work / "loop")
    print(f"papermill loop, {n} trainee reports: {loop:.1f} s ({n / loop:.2f} reports/s)")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        roster = prepare_cohort(None, data, None, folder).trainees
        jobs = trainee_jobs(roster, {"data_dir": folder, "gradebook": None}, work / "batch", lang="en")
        pages, failures = run_many(jobs, progress=False)
    seconds = time.perf_counter() - start
    assert not failures and len(pages) == n, failures[:3]
    ratio = loop / seconds
    print(f"kit report trainee --all, {default_workers()} workers: {seconds:.1f} s ({n / seconds:.2f} reports/s), "
          f"{ratio:.2f} × the loop (target ≥ {BATCH_TARGET})")
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=2000)
    parser.add_argument("--survey", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args(argv)
    work = BUILD / "bench" / "reports"
    work.mkdir(parents=True, exist_ok=True)
    cohort_s = bench_cohort(args.trainees, args.survey, work)
    ratio = bench_batch(args.batch, work)
    met = cohort_s <= COHORT_TARGET_S and ratio >= BATCH_TARGET
    print("targets met" if met else "a target was missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
