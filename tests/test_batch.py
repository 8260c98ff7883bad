"""A batch around its submissions: what could not be cleaned up is reported, sockets folders that interrupted
runs left are swept (and only those), and a judge that runs out of time fails one submission, not the batch."""

from __future__ import annotations

import errno
import io
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import nbformat
import pytest

import kit.pipeline.executors as executors
from kit.grading import isolation, runner
from kit.grading.authoring import build_spec, read_master
from kit.grading.batch import grade_folder
from kit.grading.gradebook import Gradebook
from kit.grading.sandbox import Limits, sweep
from kit.grading.spec import Question, Spec

SOCKETS = re.compile(r"/tmp/kit-[a-z0-9_]{8}")
ROOT = os.geteuid() == 0


# ------------------------------------------------------------------------------------------ cleanup reported


@contextmanager
def inline(address, workers):
    """An executor running grade_submission in a thread of this process (so that patches reach it)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool


def refusing(pattern: str, rmdir):
    """``rmdir`` failing with EPERM for folders whose path ends in ``pattern``."""

    def refused(path, *args, **kwargs):
        if re.search(f"(^|/)(?:{pattern})$", str(path)):
            raise PermissionError(errno.EPERM, "Operation not permitted", str(path))
        return rmdir(path, *args, **kwargs)

    return refused


@pytest.mark.slow
def test_a_sockets_folder_that_cannot_be_removed_is_reported_for_its_trainee(tmp_path, monkeypatch):
    """The real grade_submission, in a thread of this process so that the sockets folder's removal can fail."""
    from rich.console import Console

    folder = tmp_path / "submitted"
    folder.mkdir()
    nbformat.write(read_master("metrics"), folder / "[red]bob.ipynb")
    monkeypatch.setattr(executors, "executor", inline)
    monkeypatch.setattr(os, "rmdir", refusing(SOCKETS.pattern, os.rmdir))
    try:
        with Gradebook(f"sqlite:///{tmp_path / 'gb.sqlite'}") as book:
            summary = grade_folder(build_spec("metrics", read_master("metrics")), folder, book,
                                   out=tmp_path / "graded", lang="en", progress=False,
                                   limits=Limits(cell_timeout=30, notebook_timeout=120, memory=3 * 2**30),
                                   isolate=isolation.problem() is None)
            status = book.submissions("metrics").set_index("trainee").loc["[red]bob", "status"]
    finally:
        monkeypatch.undo()
        runner._discard_spare()  # the warm kernel started for a next submission, in this process
    left = summary.cleanup.get("[red]bob", "")
    for path in set(SOCKETS.findall(left)):
        shutil.rmtree(path)
    assert status == "graded" and summary.errors == []
    assert SOCKETS.match(left) and "Operation not permitted" in left  # the sockets folder, and why
    console = Console(file=io.StringIO(), width=300)
    console.print(summary.table("en"))
    assert "Not removed (delete by hand)" in console.file.getvalue()
    assert "[red]bob: /tmp/kit-" in console.file.getvalue()  # the trainee id printed, not read as markup


def test_a_grading_folder_that_cannot_be_removed_is_reported_and_the_batch_goes_on(tmp_path, monkeypatch):
    """No kernel needed: a file that is not a notebook fails before one starts, and its folder stays."""
    monkeypatch.setattr(executors, "executor", inline)
    monkeypatch.setattr(os, "rmdir", refusing(r"kit-grade-\w+", os.rmdir))
    folder = tmp_path / "submitted"
    folder.mkdir()
    (folder / "ann.ipynb").write_text("not a notebook")
    (folder / "ben.ipynb").write_text("[]")
    spec = Spec("metrics", "metrics", (Question("q1", "auto", 1.0, "", form={"form": "number"}),))
    with Gradebook(f"sqlite:///{tmp_path / 'gb.sqlite'}") as book:
        summary = grade_folder(spec, folder, book, out=tmp_path / "graded", progress=False, isolate=False)
    monkeypatch.undo()
    for left in summary.cleanup.values():
        shutil.rmtree(left.split(": ")[0])
    assert sorted(r.trainee for r in summary.failed) == ["ann", "ben"] and summary.errors == []
    assert set(summary.cleanup) == {"ann", "ben"}
    assert all(re.fullmatch(r"\S+/kit-grade-\w+: \[Errno 1\] Operation not permitted: .*", left)
               for left in summary.cleanup.values())


# ------------------------------------------------------------------------------------ stale sockets folders


def sockets_folder(root, name: str, *, entries=("kernel.json", "kernel-1"), age: float = 3600,
                   owner: int | None = None):
    """A folder like a kernel's sockets folder, last changed ``age`` seconds ago."""
    path = root / name
    path.mkdir()
    for entry in entries:
        (path / entry).write_text("{}")
    if owner is not None:
        os.chown(path, owner, owner)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def test_the_sweep_removes_only_old_unused_sockets_folders_of_the_kit(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "kernel.json").write_text("{}")
    kept = [sockets_folder(tmp_path, "kit-young123", age=10),  # a kernel may be starting
            sockets_folder(tmp_path, "kit-other123", entries=("kernel.json", "notes.txt")),  # not only sockets
            sockets_folder(tmp_path, "kit-grade-abcdefgh"), sockets_folder(tmp_path, "kit-abc"),  # not the kit's naming
            sockets_folder(tmp_path, "kit-running1")]  # a running process names it
    (tmp_path / "kit-symlink1").symlink_to(outside)
    old = os.path.getmtime(outside) - 3600
    os.utime(tmp_path / "kit-symlink1", (old, old), follow_symlinks=False)
    swept = [sockets_folder(tmp_path, "kit-stale123"), sockets_folder(tmp_path, "kit-empty123", entries=())]
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", str(kept[-1])]) as process:
        try:
            assert sweep(str(tmp_path)) == {}
        finally:
            process.kill()
    assert all(path.exists() for path in kept) and not any(path.exists() for path in swept)
    assert (tmp_path / "kit-symlink1").is_symlink() and (outside / "kernel.json").exists()
    assert sweep(str(tmp_path)) == {} and not kept[-1].exists()  # its process has ended


@pytest.mark.skipif(not ROOT, reason="only root runs kernels under uids of their own")
def test_for_root_the_sweep_takes_kernel_uids_whose_kernel_is_gone(tmp_path):
    low = isolation.UID_RANGE[0]
    gone = sockets_folder(tmp_path, "kit-gone1234", owner=low + 7)
    stranger = sockets_folder(tmp_path, "kit-strange1", owner=12345)  # a uid outside the kernels' range
    alive = sockets_folder(tmp_path, "kit-alive123", owner=low + 9)
    with subprocess.Popen(["sleep", "60"], user=low + 9, group=low + 9, cwd="/") as process:
        try:
            assert sweep(str(tmp_path)) == {}
        finally:
            process.kill()
    assert not gone.exists() and stranger.exists() and alive.exists()
    assert sweep(str(tmp_path)) == {} and not alive.exists() and stranger.exists()  # its process has ended


def test_what_the_sweep_cannot_remove_is_returned(tmp_path, monkeypatch):
    stuck = sockets_folder(tmp_path, "kit-stuck123")
    monkeypatch.setattr(os, "rmdir", refusing("kit-stuck123", os.rmdir))
    left = sweep(str(tmp_path))
    assert list(left) == [str(stuck)] and "Operation not permitted" in left[str(stuck)]
    assert sweep(str(tmp_path), older=7200) == {}  # younger than that: not touched


# ------------------------------------------------------------------------------------------ a judge timeout


@pytest.mark.slow
def test_a_judge_timeout_fails_that_submission_with_its_reason_and_the_batch_goes_on(tmp_path):
    """One worker: the submission whose hidden test never ends is judged first, the next one after it."""
    spec = Spec("metrics", "metrics", (Question("q1", "auto", 1.0, "while q1 == 666:\n    pass\n"
                                                                    "expect.number(q1, 5.0, tolerance=0.5)",
                                                form={"form": "number"}),))
    folder = tmp_path / "submitted"
    folder.mkdir()
    for trainee, answer in (("a_slow", 666), ("b_fine", 5.0)):
        nb = nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_code_cell('trainee_id = ""\nseed = 0', metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(f"q1 = {answer}", metadata={"nbgrader": {"grade_id": "q1", "solution": True}})])
        nbformat.write(nb, folder / f"{trainee}.ipynb")
    limits = Limits(cell_timeout=30, notebook_timeout=120, memory=3 * 2**30, judge_timeout=3)
    with Gradebook(f"sqlite:///{tmp_path / 'gb.sqlite'}") as book:
        summary = grade_folder(spec, folder, book, out=tmp_path / "graded", lang="en", limits=limits, workers=1,
                               progress=False, isolate=isolation.problem() is None)
        subs = book.submissions("metrics").set_index("trainee")
        grades = book.grades("metrics").set_index("trainee")
    reason = "Grading the answers took longer than 3 s and was stopped; the submission was not graded."
    assert summary.errors == [] and [r.trainee for r in summary.graded] == ["b_fine"]
    assert [(r.trainee, r.reason) for r in summary.failed] == [("a_slow", reason)]
    assert (subs.loc["a_slow", "status"], subs.loc["a_slow", "reason"]) == ("failed", reason)
    assert (grades.loc["a_slow", "auto_score"], grades.loc["a_slow", "reason"]) == (0.0, reason)
    assert (subs.loc["b_fine", "status"], grades.loc["b_fine", "auto_score"]) == ("graded", 1.0)
