"""Benchmark of grading: N submissions of one exercise graded by ``kit grade`` against the naive way, a
sequential loop of plain papermill executions of the same notebooks (no sandbox, no tests, no gradebook), and
against nbgrader's autograde when ``--nbgrader`` is given and nbgrader installs into a throwaway venv.

Prints throughput and ratios, and the per-notebook overhead of ``kit grade`` (one worker, sequential) against
a bare kernel start plus the imports the notebook needs:

    overhead = one submission at a time through the grading path (isolated kernel, no overlap, answers exported,
               judged in a child process), per notebook − the notebook's own cell time (papermill's per-cell timings)

It also grades the same batch with ``--trust-submissions`` (no bubblewrap) to show what OS isolation costs.

Targets on 2 cores: kit grade (all CPUs) ≥ 1.8 × the papermill loop; overhead ≤ 1.5 × (kernel start + imports).

    .venv/bin/python benchmarks/bench_grading.py --submissions 40 --exercise metrics [--nbgrader]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from kit.grading.authoring import master_path, read_master, release
from kit.grading.batch import grade_folder
from kit.grading.gradebook import Gradebook
from kit.pipeline.executors import default_workers

IMPORTS = "import numpy, pandas, matplotlib.pyplot\nimport kit\nfrom kit.grading.exercise import Exercise"


def submissions(exercise: str, n: int, folder: Path) -> list[Path]:
    """``n`` fully answered submissions: the master notebook saved under trainee ids T001…"""
    master = read_master(exercise)
    paths = []
    for i in range(1, n + 1):
        path = folder / f"T{i:03d}.ipynb"
        nbformat.write(master, path)
        paths.append(path)
    return paths


def papermill_loop(paths: list[Path], out: Path) -> tuple[float, float]:
    """Execute each notebook with plain papermill, one after the other; returns (wall s, summed cell s)."""
    import papermill as pm

    cell_seconds = 0.0
    start = time.perf_counter()
    for path in paths:
        nb = pm.execute_notebook(str(path), str(out / path.name), parameters={"trainee_id": path.stem},
                                 kernel_name="python3", progress_bar=False, cwd=str(out))
        cell_seconds += sum(c.metadata.get("papermill", {}).get("duration") or 0 for c in nb.cells)
    return time.perf_counter() - start, cell_seconds


def kernel_start_with_imports(runs: int = 5) -> float:
    """Median seconds to start a python3 kernel, run the notebook's imports and get the reply."""
    from jupyter_client.manager import start_new_kernel

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        km, kc = start_new_kernel(kernel_name="python3")
        kc.execute_interactive(IMPORTS, timeout=120)
        times.append(time.perf_counter() - start)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return statistics.median(times)


def kit_grade(exercise: str, folder: Path, out: Path, workers: int, isolate: bool = True) -> float:
    spec = build_spec(exercise)
    out.mkdir(parents=True, exist_ok=True)
    book = Gradebook(f"sqlite:///{out / 'gradebook.sqlite'}")
    start = time.perf_counter()
    summary = grade_folder(spec, folder, book, out=out, workers=workers, lang="en", force=True, progress=False,
                           isolate=isolate)
    seconds = time.perf_counter() - start
    full = sum(1 for r in summary.graded if not r.reason)
    print(f"    graded {len(summary.graded)}, without fault {full}, failed {len(summary.failed)}, "
          f"errors {len(summary.errors)}")
    book.close()
    return seconds


def sequential(exercise: str, paths: list[Path], work: Path) -> float:
    """Seconds for the grading path one submission after another, with no kernel started ahead: an isolated
    kernel, then the answers judged in a child process."""
    from kit.grading.batch import preload
    from kit.grading.judge import judge
    from kit.grading.runner import read_submission, run_submission
    from kit.grading.sandbox import Limits

    spec, limits = build_spec(exercise), Limits()
    start = time.perf_counter()
    for path in paths:
        folder = work / path.stem
        run = run_submission(read_submission(path.read_bytes()), {q.qid: q.form for q in spec.questions},
                             {"trainee_id": path.stem, "seed": 0}, limits, folder, preload=preload(spec), lang="en")
        judge(spec, run.entries, trainee_id=path.stem, seed=0, lang="en", memory=limits.judge_memory,
              timeout=limits.judge_timeout)
    return time.perf_counter() - start


def build_spec(exercise: str):
    return release(exercise, read_master(exercise))[1]


def nbgrader_autograde(exercise: str, n: int, work: Path) -> float | None:
    """Time ``nbgrader autograde`` on the same master for n students, in a venv of its own; None if nbgrader
    does not install."""
    work = work.resolve()
    venv = work / "nbgrader-venv"
    py = venv / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        installed = subprocess.run([str(py), "-m", "pip", "install", "-q", "nbgrader", "-e", str(Path(__file__).parents[1])],
                                   capture_output=True, text=True)
        if installed.returncode:
            print("    nbgrader did not install:", installed.stderr.strip().splitlines()[-1:])
            return None
    course = work / "course"
    source = course / "source" / exercise
    source.mkdir(parents=True, exist_ok=True)
    nbformat.write(read_master(exercise), source / f"{exercise}.ipynb")
    (course / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\n"
                                               "c.ExecutePreprocessor.timeout = 300\n")
    run = lambda *args: subprocess.run([str(venv / "bin" / "nbgrader"), *args], cwd=course,  # noqa: E731
                                       capture_output=True, text=True)
    generated = run("generate_assignment", exercise, "--force")
    if generated.returncode:
        print("    nbgrader generate_assignment failed:", generated.stderr.strip().splitlines()[-3:])
        return None
    for i in range(1, n + 1):
        folder = course / "submitted" / f"T{i:03d}" / exercise
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(read_master(exercise), folder / f"{exercise}.ipynb")
    start = time.perf_counter()
    graded = run("autograde", exercise, "--force", "--create")
    seconds = time.perf_counter() - start
    if graded.returncode:
        print("    nbgrader autograde failed:", graded.stderr.strip().splitlines()[-3:])
        return None
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--exercise", default="metrics")
    parser.add_argument("--nbgrader", action="store_true", help="also time nbgrader autograde (installs it in a venv)")
    args = parser.parse_args()
    master_path(args.exercise)
    n, workers = args.submissions, default_workers()
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        tmp = Path(tmp)
        folder = tmp / "submitted"
        folder.mkdir()
        paths = submissions(args.exercise, n, folder)
        print(f"{n} submissions of '{args.exercise}', {workers} CPU(s)")

        bare = kernel_start_with_imports()
        print(f"bare kernel start + imports (median of 5)   {bare:8.2f} s")

        (tmp / "pm").mkdir()
        loop, cells = papermill_loop(paths, tmp / "pm")
        print(f"papermill loop, sequential                  {loop:8.2f} s  {n / loop:6.2f} nb/s")

        kit_all = kit_grade(args.exercise, folder, tmp / "kit", workers)
        print(f"kit grade, {workers} workers                       {kit_all:8.2f} s  {n / kit_all:6.2f} nb/s")

        trusted = kit_grade(args.exercise, folder, tmp / "trusted", workers, isolate=False)
        print(f"kit grade --trust-submissions (no bwrap)    {trusted:8.2f} s  {n / trusted:6.2f} nb/s"
              f"   isolation costs {100 * (kit_all / trusted - 1):+.0f} %")

        kit_one = kit_grade(args.exercise, folder, tmp / "kit1", 1)
        print(f"kit grade, 1 worker                         {kit_one:8.2f} s  {n / kit_one:6.2f} nb/s")

        alone = sequential(args.exercise, paths[:10], tmp / "seq")
        print(f"grading path, one at a time (10 notebooks)  {alone:8.2f} s  {10 / alone:6.2f} nb/s")

        overhead = alone / 10 - cells / n
        print(f"\nthroughput: kit grade / papermill loop     {loop / kit_all:8.2f} ×   (target ≥ 1.8)")
        print(f"per-notebook cell time                      {cells / n:8.2f} s")
        print(f"per-notebook overhead of kit grade          {overhead:8.2f} s = {overhead / bare:.2f} × kernel start"
              f" + imports   (target ≤ 1.5)")
        if args.nbgrader:
            nbg = nbgrader_autograde(args.exercise, n, Path("build/bench"))
            if nbg is not None:
                print(f"nbgrader autograde                          {nbg:8.2f} s  {n / nbg:6.2f} nb/s"
                      f"   kit grade is {nbg / kit_all:.2f} × faster")


if __name__ == "__main__":
    main()
