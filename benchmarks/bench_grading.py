"""Benchmark of grading (issue 17): ``kit grade`` against a sequential loop of plain papermill runs.

Every submission is the exercise's master notebook, fully answered, saved as ``T001.ipynb``, ``T002.ipynb`` …

- **The loop** (the naive way): each notebook executed with plain papermill, one after the other, each in a new
  kernel — no sandbox, no tests, no gradebook. It is measured once, on ``--loop-max`` notebooks at most (default
  40); a size it was not measured at gets the measured loop's time per notebook × its size, and the table says so
  (``*``). Each notebook of the loop is independent, so its time grows in proportion to the count.
- **kit grade**: the ``kit grade`` command's own function (``kit.grading.cli.run``, the real ``grade_folder``
  path: warm kernels forked into bubblewrap sandboxes when run as root, answers judged in a child process, the
  gradebook and feedback pages written) with all CPUs and isolation on, at each size of ``--submissions``
  (default 10, 40, 160): seconds, notebooks/s and the ratio loop / kit grade. Target: ≥ 3 × at the largest size.
- **Isolation cost**: the same command with ``--trust-submissions`` (no sandbox, hence cold kernels) at
  ``--isolation-cost`` submissions (default: the largest size up to 40; 0 skips it).
- **Per-notebook overhead** of the grading path, against a bare kernel start (``start_new_kernel`` until the
  kernel answers, median of 5; shown also with the notebook's imports, for reference):

      overhead = (T(k) − T(1)) / (k − 1) − C

  where T(n) is the wall time of ``kit grade --workers 1`` on n submissions, one submission at a time, and C is
  the notebook's own cell time (the papermill per-cell durations recorded in the k notebooks that run executed,
  averaged). Differencing T(k) and T(1) leaves out what a batch pays once (the pool, the warm-kernel factory's
  imports); what is left is what each further notebook costs beyond its cells: its kernel (forked or started),
  sandbox, answer export, judge, gradebook and feedback. The overhead runs and the bare kernel starts are pinned
  to one CPU, so that work done ahead (the next kernel while a notebook runs) cannot hide on another core.
  ``--overhead-notebooks`` sets k (default 10). Target: overhead < 0.5 × a bare kernel start.
- ``--nbgrader`` also times ``nbgrader autograde`` of the largest size, installed in a venv of its own under
  ``build/bench/nbgrader-venv`` (once; ``pip install nbgrader`` needs the network).

    .venv/bin/python benchmarks/bench_grading.py                                    # 10, 40, 160: many minutes
    .venv/bin/python benchmarks/bench_grading.py --submissions 6 --overhead-notebooks 4   # quick
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from common import BENCH, Targets, print_machine, quiet, timed

from kit.grading.authoring import master_path, read_master
from kit.grading.results import GRADED
from kit.pipeline.executors import default_workers

THROUGHPUT_TARGET = 3.0
OVERHEAD_TARGET = 0.5
IMPORTS = "import numpy, pandas, matplotlib.pyplot\nimport kit\nfrom kit.grading.exercise import Exercise"


def figure(label: str, seconds: float, note: str = "") -> None:
    print(f"{label:<56}{seconds:8.2f} s  {note}".rstrip(), flush=True)


def submissions(exercise: str, n: int, folder: Path) -> list[Path]:
    """``n`` fully answered submissions in ``folder``: the master notebook saved under trainee ids T001…"""
    folder.mkdir(parents=True, exist_ok=True)
    master = read_master(exercise)
    paths = []
    for i in range(1, n + 1):
        path = folder / f"T{i:03d}.ipynb"
        nbformat.write(master, path)
        paths.append(path)
    return paths


def cell_seconds(nb) -> float:
    """The notebook's own cell time: the sum of papermill's per-cell durations."""
    return sum(c.metadata.get("papermill", {}).get("duration") or 0 for c in nb.cells)


def papermill_loop(paths: list[Path], out: Path) -> None:
    """Execute each notebook with plain papermill, one after the other."""
    import papermill as pm

    out.mkdir(parents=True, exist_ok=True)
    with quiet():
        for path in paths:
            pm.execute_notebook(str(path), str(out / path.name), parameters={"trainee_id": path.stem},
                                kernel_name="python3", progress_bar=False, cwd=str(out))


def kernel_start(code: str | None = None, runs: int = 5) -> float:
    """Median seconds to start a python3 kernel until it answers (and, with ``code``, has run it)."""
    from jupyter_client.manager import start_new_kernel

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        km, kc = start_new_kernel(kernel_name="python3")
        if code:
            kc.execute_interactive(code, timeout=120)
        times.append(time.perf_counter() - start)
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return statistics.median(times)


@contextlib.contextmanager
def one_cpu():
    """This process (and every process it starts meanwhile) on one CPU."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {max(before)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


class Graded:
    """One ``kit grade`` run: wall seconds, and what the gradebook says of it."""

    def __init__(self, seconds: float, n: int, book_url: str, out: Path, exercise: str, exit_code: int):
        from kit.grading.gradebook import Gradebook

        book = Gradebook(book_url)
        rows = book.submissions(exercise)
        book.close()
        self.seconds, self.n, self.out, self.exit_code = seconds, n, out, exit_code
        self.clean = int(((rows["status"] == GRADED) & (rows["reason"] == "")).sum())
        self.recorded = len(rows)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.recorded == self.n and self.clean == self.n

    def check(self) -> str:
        return "" if self.ok else (f"   WARNING: {self.clean} of {self.n} graded without fault ({self.recorded} "
                                   f"recorded, exit {self.exit_code}): this figure is not a fair one")

    def cells(self) -> float:
        """Summed cell seconds of the executed notebooks this run wrote."""
        return sum(cell_seconds(nbformat.read(p, as_version=4)) for p in self.out.glob("*.ipynb"))


def kit_grade(exercise: str, paths: list[Path], work: Path, *, workers: int | None = None,
              trust: bool = False) -> Graded:
    """``kit grade run FOLDER --exercise E --gradebook … --out … --force [--workers N] [--trust-submissions]``
    on ``paths`` (copied into a folder of their own), through the command's own function; what it prints is
    kept out of the table (:func:`common.quiet`), and shown if a submission was not graded cleanly."""
    import click

    from kit.grading.cli import run

    work.mkdir(parents=True)
    folder = work / "submitted"
    folder.mkdir()
    for path in paths:
        shutil.copyfile(path, folder / path.name)
    url, out = f"sqlite:///{work / 'gradebook.sqlite'}", work / "graded"
    code = 0
    start = time.perf_counter()
    try:
        with quiet() as said:  # a failed run (exit 1) prints what the command said
            run(folder, exercise, gradebook=url, workers=workers, out=out, force=True, trust=trust)
    except click.exceptions.Exit as stop:
        code = stop.exit_code
    seconds = time.perf_counter() - start
    graded = Graded(seconds, len(paths), url, out, exercise, code)
    if not graded.ok and code == 0:
        print(said.getvalue())
    return graded


def nbgrader_autograde(exercise: str, n: int, work: Path) -> float | None:
    """Time ``nbgrader autograde`` on the same master for n students, in a venv of its own; None if nbgrader
    does not install or fails."""
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
    course = work / f"nbgrader-course-{n}"  # one course per size: autograde grades every student folder it finds
    source = course / "source" / exercise
    source.mkdir(parents=True, exist_ok=True)
    nbformat.write(read_master(exercise), source / f"{exercise}.ipynb")
    (course / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\n"
                                               "c.ExecutePreprocessor.timeout = 300\n")
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}  # it runs `alembic`
    run = lambda *args: subprocess.run([str(venv / "bin" / "nbgrader"), *args], cwd=course, env=env,  # noqa: E731
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, nargs="+", default=[10, 40, 160], metavar="N",
                        help="batch sizes graded by kit grade, one table row each (default: %(default)s)")
    parser.add_argument("--exercise", default="metrics", help="the exercise graded (default: %(default)s)")
    parser.add_argument("--loop-max", type=int, default=40,
                        help="notebooks the papermill loop is measured on, at most (default: %(default)s)")
    parser.add_argument("--isolation-cost", type=int, default=None, metavar="N",
                        help="submissions graded with and without isolation (default: the largest size up to 40; "
                             "0 skips it)")
    parser.add_argument("--overhead-notebooks", type=int, default=10, metavar="K",
                        help="k of the per-notebook overhead, at least 2 (default: %(default)s)")
    parser.add_argument("--nbgrader", action="store_true", help="also time nbgrader autograde (installs it in a venv)")
    args = parser.parse_args()
    print_machine()
    master_path(args.exercise)
    from kit.grading import isolation

    if isolation.problem():
        sys.exit(f"kit grade cannot isolate submissions on this machine, so it cannot be measured: "
                 f"{isolation.problem()}")
    sizes = sorted(set(args.submissions))
    loop_n = min(args.loop_max, sizes[-1])
    isolation_n = args.isolation_cost if args.isolation_cost is not None else max(
        [n for n in sizes if n <= 40] or sizes[:1])
    k = max(2, args.overhead_notebooks)
    workers = default_workers()
    targets = Targets()
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        tmp = Path(tmp)
        paths = submissions(args.exercise, max(sizes[-1], loop_n, isolation_n, k), tmp / "all")
        warm = "forked warm into their sandboxes (root)" if os.geteuid() == 0 else "started cold (not root)"
        print(f"exercise '{args.exercise}', {workers} CPU(s) for kit grade, kernels {warm}; sizes "
              f"{', '.join(map(str, sizes))}", flush=True)

        with one_cpu(), quiet():
            bare = kernel_start()
            bare_imports = kernel_start(IMPORTS)
        figure("bare kernel start, one CPU (median of 5)", bare)
        figure("  … with the notebook's imports, for reference", bare_imports)

        _, loop = timed(papermill_loop, paths[:loop_n], tmp / "loop")
        per_loop = loop / loop_n
        figure(f"papermill loop, sequential, {loop_n} notebooks", loop,
               f"{loop_n / loop:.2f} nb/s, {per_loop:.2f} s per notebook")

        print(f"\nkit grade, {workers} workers, isolation on (ratio = papermill loop / kit grade; * = the loop's time "
              f"per notebook × N, measured on {loop_n})")
        print(f"  {'N':>5} {'seconds':>9} {'nb/s':>7} {'loop s':>9} {'× loop':>7}")
        ratios, graded = {}, {}
        for n in sizes:
            graded[n] = kit_grade(args.exercise, paths[:n], tmp / f"kit-{n}")
            s = graded[n].seconds
            loop_s = loop if n == loop_n else per_loop * n
            ratios[n] = loop_s / s
            print(f"  {n:>5} {s:>9.2f} {n / s:>7.2f} {loop_s:>9.2f}{' ' if n == loop_n else '*'}"
                  f"{ratios[n]:>6.2f}×{graded[n].check()}", flush=True)

        if isolation_n:
            isolated = graded.get(isolation_n) or kit_grade(args.exercise, paths[:isolation_n], tmp / "kit-isolated")
            trusted = kit_grade(args.exercise, paths[:isolation_n], tmp / "trusted", trust=True)
            print()
            figure(f"kit grade, {isolation_n} submissions, isolation on", isolated.seconds)
            figure("  --trust-submissions (no sandbox, cold kernels)", trusted.seconds,
                   f"isolation costs {100 * (isolated.seconds / trusted.seconds - 1):+.0f} %{trusted.check()}")

        with one_cpu():
            first = kit_grade(args.exercise, paths[:1], tmp / "one-1", workers=1)
            batch = kit_grade(args.exercise, paths[:k], tmp / "one-k", workers=1)
        cells = batch.cells() / k
        marginal = (batch.seconds - first.seconds) / (k - 1)
        overhead = marginal - cells
        print("\nper-notebook overhead: kit grade --workers 1, one CPU")
        figure("  T(1), one notebook", first.seconds, first.check())
        figure(f"  T({k}), {k} notebooks", batch.seconds, batch.check())
        figure(f"  each further notebook, (T({k}) − T(1)) / {k - 1}", marginal)
        figure(f"  its own cell time (papermill durations, mean of {k})", cells)
        figure("  overhead per notebook", overhead, f"= {overhead / bare:.2f} × a bare kernel start")

        largest = sizes[-1]
        if args.nbgrader:
            nbg = nbgrader_autograde(args.exercise, largest, BENCH)
            if nbg is not None:
                print()
                figure(f"nbgrader autograde, {largest} notebooks", nbg,
                       f"{largest / nbg:.2f} nb/s; kit grade is {nbg / graded[largest].seconds:.2f} × faster")

    fair = all(g.ok for g in graded.values())
    targets.check(f"kit grade / papermill loop, {largest} submissions", ratios[largest], at_least=THROUGHPUT_TARGET,
                  note="" if fair else "some submissions were not graded cleanly")
    targets.check("overhead per notebook / bare kernel start", overhead / bare, below=OVERHEAD_TARGET,
                  note="" if first.ok and batch.ok else "some submissions were not graded cleanly")
    targets.print()


if __name__ == "__main__":
    main()
