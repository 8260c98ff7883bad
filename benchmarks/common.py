"""What the benchmark scripts share: the machine line printed first, wall-clock timing, the cached survey CSVs
under ``build/bench/`` and the "targets" block printed last.

Not a benchmark itself (``make bench`` runs ``benchmarks/bench_*.py`` only); the scripts import it as ``common``,
which works because Python puts a script's own folder first on ``sys.path``.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kit.paths import BUILD

BENCH = BUILD / "bench"
"""Where benchmarks keep what is worth keeping between runs (survey files, nbgrader's venv, report outputs)."""

SURVEY_SEED = 0


# --- the machine -------------------------------------------------------------------------------------------


def _proc_field(path: str, name: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                key, _, value = line.partition(":")
                if key.strip() == name:
                    return value.strip()
    except OSError:
        pass
    return None


def machine_line() -> str:
    """CPU count (and how many this process may use), CPU model, RAM, the 1-minute load average at the start,
    and the Python, pandas and pyarrow versions: what a figure needs beside it to be compared with another."""
    import pandas
    import pyarrow

    cpus = os.cpu_count() or 1
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    model = _proc_field("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU"
    mem_kb = _proc_field("/proc/meminfo", "MemTotal")
    ram = f"{int(mem_kb.split()[0]) / 2**20:.1f} GiB RAM" if mem_kb else "RAM unknown"
    load = f"load {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "load unknown"
    usable_note = "" if usable == cpus else f" ({usable} usable)"
    return (f"machine: {cpus} CPUs{usable_note}, {model}, {ram}, {load}; Python {platform.python_version()}, "
            f"pandas {pandas.__version__}, pyarrow {pyarrow.__version__}")


def print_machine() -> None:
    print(machine_line(), flush=True)


# --- timing ------------------------------------------------------------------------------------------------


def timed(fn: Callable, *args, repeat: int = 1, **kwargs) -> tuple[object, float]:
    """``fn(*args, **kwargs)`` run ``repeat`` times: the last result and the median wall time in seconds.
    Garbage is collected before each run so that one run's leftovers are not paid by the next."""
    times, result = [], None
    for _ in range(repeat):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


@contextlib.contextmanager
def quiet():
    """What a kit command or a kernel prints kept out of the benchmark's output: this process's stdout and stderr,
    and the stderr (file descriptor 2) its child processes inherit — kernels warn about TCP on every start. Printed
    after all if the block raises. Yields the buffer of this process's output."""
    said = io.StringIO()
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as spool:
        os.dup2(spool.fileno(), 2)
        failed = False
        try:
            with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
                yield said
        except BaseException:
            failed = True
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            if failed:
                spool.seek(0)
                print(said.getvalue() + spool.read().decode(errors="replace"), flush=True)


def rate(count: float, seconds: float) -> str:
    """``count / seconds`` with thousands separators, or "–" for no time."""
    return f"{count / seconds:,.0f}" if seconds > 0 else "–"


# --- the survey files --------------------------------------------------------------------------------------


def survey_csv(rows: int, folder: Path = BENCH) -> Path:
    """``folder/survey-<rows>.csv``: ``kit.data.synth.survey_responses(rows, seed=0).to_csv(path, index=False)``
    (65 columns), written once and reused by every later run.

    A file is reused when the stamp beside it (``survey-<rows>.json``) gives the same row count, seed and size in
    bytes; a file without a matching stamp has its rows counted (and is stamped when the count is right). A file
    of that name with another row count is never overwritten nor deleted: the run stops and says so. The CSV is
    written under ``.part`` and renamed when complete, so an interrupted run leaves no half file to reuse."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"survey-{rows}.csv"
    stamp = path.with_suffix(".json")
    if path.exists():
        size = path.stat().st_size
        try:
            known = json.loads(stamp.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
        if known == {"rows": rows, "seed": SURVEY_SEED, "bytes": size}:
            return path
        counted = count_csv_rows(path)
        if counted != rows:
            sys.exit(f"{path} exists with {counted:,} rows, not {rows:,}; it is left as it is: move it away (or "
                     f"delete it) to have it written again.")
        stamp.write_text(json.dumps({"rows": rows, "seed": SURVEY_SEED, "bytes": size}), encoding="utf-8")
        return path

    from kit.data import synth

    print(f"writing {path} ({rows:,} survey rows; reused by later runs) …", flush=True)
    start = time.perf_counter()
    frame = synth.survey_responses(rows, seed=SURVEY_SEED)
    part = path.with_name(path.name + ".part")
    frame.to_csv(part, index=False)
    columns = frame.shape[1]
    del frame
    os.replace(part, path)
    stamp.write_text(json.dumps({"rows": rows, "seed": SURVEY_SEED, "bytes": path.stat().st_size}), encoding="utf-8")
    print(f"  written in {time.perf_counter() - start:.1f} s: {path.stat().st_size / 1e6:,.0f} MB, "
          f"{columns} columns", flush=True)
    return path


def count_csv_rows(path: Path) -> int:
    """Data rows of a CSV (quoted line breaks allowed), read one column at a time with pyarrow."""
    import csv as text_csv

    from pyarrow import csv

    with open(path, encoding="utf-8-sig", newline="") as text:
        first = next(text_csv.reader(text), [""])[0]
    reader = csv.open_csv(path, parse_options=csv.ParseOptions(newlines_in_values=True),
                          convert_options=csv.ConvertOptions(include_columns=[first]))
    return sum(batch.num_rows for batch in reader)


# --- targets -----------------------------------------------------------------------------------------------


@dataclass
class Targets:
    """The block each script prints last: every target, the figure measured for it, met / missed (or not
    measured, with why)."""

    rows: list[tuple[str, str, str, str]] = field(default_factory=list)

    def check(self, what: str, value: float | None, *, at_most: float | None = None, at_least: float | None = None,
              below: float | None = None, unit: str = "×", digits: int = 2, note: str = "") -> bool | None:
        """Record ``what`` = ``value`` against ``≤ at_most``, ``≥ at_least`` or ``< below``; None (not measured)
        when ``value`` is None, with ``note`` saying why. Returns met (True/False) or None."""
        if below is not None:
            limit, sign, met = below, "<", value is not None and value < below
        elif at_most is not None:
            limit, sign, met = at_most, "≤", value is not None and value <= at_most
        else:
            limit, sign, met = at_least, "≥", value is not None and value >= at_least
        target = f"{sign} {limit:g}{unit}"
        if value is None:
            self.rows.append((what, target, "–", f"not measured{': ' + note if note else ''}"))
            return None
        self.rows.append((what, target, f"{value:.{digits}f}{unit}",
                          ("met" if met else "MISSED") + (f" ({note})" if note else "")))
        return met

    def print(self) -> None:
        print("\ntargets")
        if not self.rows:
            print("  (none)")
            return
        width = [max(len(row[i]) for row in self.rows) for i in range(3)]
        for what, target, measured, verdict in self.rows:
            print(f"  {what:<{width[0]}}  {target:<{width[1]}}  {measured:>{width[2]}}  {verdict}")


def sizes_note(measured: dict[int, float], wanted: int, flag: str, fmt: str = "{:.2f}×") -> str:
    """Why a target set at ``wanted`` rows/items was not measured, with the figure at the largest size run."""
    if not measured:
        return f"{wanted:,} not in {flag}"
    largest = max(measured)
    return f"{wanted:,} not in {flag}; at {largest:,}: {fmt.format(measured[largest])}"
