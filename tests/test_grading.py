"""Grading end to end: a batch of submissions — good, blank, copied and hostile — graded in sandboxed kernels
into a gradebook, with every fault contained and recorded; resuming; Dask; the CLI round trip; feedback pages."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from kit.grading.authoring import build_spec, read_master, release
from kit.grading.batch import find_submissions, grade_folder
from kit.grading.gradebook import Gradebook
from kit.grading.results import output_name
from kit.grading.sandbox import Limits
from kit.paths import NOTEBOOKS, ROOT

pytestmark = pytest.mark.slow
in_batch = pytest.mark.xdist_group("grading-batch")  # one worker grades the shared batch once
EXERCISE = "metrics"
KIT = str(Path(sys.executable).with_name("kit"))
ESCAPE = Path("/tmp") / f"kit-escape-{uuid.uuid4().hex}.txt"
MASTER = NOTEBOOKS / "exercises" / f"{EXERCISE}.ipynb"
LIMITS = Limits(cell_timeout=8, notebook_timeout=240, memory=3 * 2**30)


def master():
    return read_master(EXERCISE)


def cell_index(nb, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def insert_after(nb, grade_id: str, source: str):
    nb.cells.insert(cell_index(nb, grade_id) + 1, nbformat.v4.new_code_cell(source))
    return nb


def answered(nb, grade_id: str, source: str):
    nb.cells[cell_index(nb, grade_id)].source = source
    return nb


HOSTILE_REPLY = ('q7 = """<script>alert(1)</script><img src=x onerror=alert(1)> **NPS** 很低，'
                 '我们会在本周内给出具体的改进计划，并由各团队负责人跟进，每周复盘一次，确保客户满意度回升到目标以上。'
                 'We will act this week and review progress weekly with every team lead."""')


def submissions() -> dict[str, object]:
    """Trainee id → notebook (or raw bytes for the broken ones)."""
    released, _ = release(EXERCISE, master())
    subs = {
        "good": master(),
        "blank": released,
        "exception": answered(master(), "q1", "q1 = 1 / 0"),
        "loop": insert_after(master(), "q2", "while True:\n    pass"),
        "memory": insert_after(master(), "q2", "hog = [0] * 10**10"),
        "memory2": insert_after(master(), "q2", "hog = []\nwhile True:\n    hog.append(bytes(2**28))"),
        "sysexit": insert_after(master(), "q2", "import sys\nsys.exit(3)"),
        "osexit": insert_after(master(), "q3", "import os\nos._exit(1)"),
        "rmtree": insert_after(master(), "q1", "import os, shutil\nfor p in os.listdir('.'):\n"
                                               "    shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)"),
        "escape": insert_after(master(), "q1", f"open({str(ESCAPE)!r}, 'w').write('out')"),
        "master": insert_after(master(), "q1", f"leak = open({str(MASTER)!r}).read()"),
        "patch": insert_after(answered(master(), "q1", "q1 = 0.0"), "q1",
                              "import kit.grading.autograde as a, kit.grading.expect as e\n"
                              "e.number = lambda *args, **kw: e.Outcome(1.0, 'ok')\n"
                              "a.score_question = lambda *args: (99.0, 'hacked')\n"
                              "check = lambda qid: print('all tests passed')"),
        "fakepass": insert_after(answered(master(), "q1", "q1 = 0.0"), "q1",
                                 "print('All tests passed! Score: 12/12')"),
        "noisy": insert_after(master(), "q1", "print('x' * 20_000_000)"),
        "nocell": master(),
        "hostile": answered(master(), "q7", HOSTILE_REPLY),
        "notjson": b"this is not a notebook",
        "notnb": b'{"cells": 3}',
    }
    nocell = subs["nocell"]
    del nocell.cells[cell_index(nocell, "q2")]
    return subs


def write_submissions(folder: Path, subs: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for trainee, nb in subs.items():
        path = folder / f"{trainee}.ipynb"
        path.write_bytes(nb) if isinstance(nb, bytes) else nbformat.write(nb, path)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The whole hostile batch graded once; yields the folders, the gradebook and the summary."""
    root = tmp_path_factory.mktemp("batch")
    folder = root / "submitted"
    write_submissions(folder, submissions())
    book = Gradebook(f"sqlite:///{root / 'gb.sqlite'}")
    spec = build_spec(EXERCISE, master())
    summary = grade_folder(spec, folder, book, out=root / "graded", lang="en", limits=LIMITS, progress=False,
                           deny=[MASTER.parent])
    yield {"root": root, "folder": folder, "book": book, "spec": spec, "summary": summary,
           "grades": book.grades(EXERCISE).set_index(["trainee", "question"])}
    book.close()


def auto_scores(batch, trainee: str) -> dict[str, float]:
    rows = batch["grades"].loc[trainee]
    return rows.loc[rows["kind"] == "auto", "auto_score"].to_dict()


def full_marks(batch) -> dict[str, float]:
    return {q.qid: q.points for q in batch["spec"].questions if q.kind == "auto"}


def reason(batch, trainee: str, qid: str) -> str:
    return batch["grades"].loc[(trainee, qid), "reason"]


def executed(batch, trainee: str) -> str:
    return (batch["root"] / "graded" / f"{output_name(trainee)}.ipynb").read_text(encoding="utf-8")


@in_batch
def test_every_submission_is_recorded_and_none_lost(batch):
    summary, spec = batch["summary"], batch["spec"]
    assert not summary.errors
    assert {r.trainee for r in summary.failed} == {"notjson", "notnb"}
    assert len(summary.graded) == len(submissions()) - 2
    grades = batch["grades"].reset_index()
    assert len(grades) == len(submissions()) * len(spec.questions)
    assert not grades.duplicated(["trainee", "question"]).any()


@in_batch
def test_model_solutions_get_full_marks_and_a_blank_release_none(batch):
    assert auto_scores(batch, "good") == full_marks(batch)
    assert set(auto_scores(batch, "blank").values()) == {0.0}
    assert "never set" in reason(batch, "blank", "q1")
    manual = batch["grades"].loc[("good", "q7")]
    assert manual["kind"] == "manual" and manual["final_score"] != manual["final_score"]  # pending: NaN


@in_batch
def test_exception_costs_only_its_question(batch):
    scores = auto_scores(batch, "exception")
    assert scores["q1"] == 0 and "ZeroDivisionError" in reason(batch, "exception", "q1")
    assert {k: v for k, v in scores.items() if k != "q1"} == {k: v for k, v in full_marks(batch).items() if k != "q1"}


@in_batch
@pytest.mark.parametrize("trainee", ["loop", "memory", "memory2", "sysexit", "rmtree", "escape", "master", "noisy"])
def test_contained_faults_leave_every_answer_graded(batch, trainee):
    assert auto_scores(batch, trainee) == full_marks(batch)


@in_batch
def test_infinite_loop_is_interrupted_and_recorded(batch):
    assert "KeyboardInterrupt" in executed(batch, "loop") or "timeout" in executed(batch, "loop").lower()


@in_batch
def test_memory_bomb_raises_memory_error_in_its_cell(batch):
    assert "MemoryError" in executed(batch, "memory") and "MemoryError" in executed(batch, "memory2")


@in_batch
def test_os_exit_keeps_the_answers_given_before_it(batch):
    scores, marks = auto_scores(batch, "osexit"), full_marks(batch)
    assert all(scores[q] == marks[q] for q in ("q1", "q2", "q3"))
    assert all(scores[q] == 0 for q in ("q4", "q5", "q6"))
    assert "stopped" in reason(batch, "osexit", "q4")
    submission = batch["book"].submissions(EXERCISE).set_index("trainee").loc["osexit"]
    assert submission["reason"]  # the notebook-level fault is on the submission row


@in_batch
def test_writing_outside_the_sandbox_is_refused(batch):
    assert not ESCAPE.exists()
    assert "PermissionError" in executed(batch, "escape")


@in_batch
def test_the_master_cannot_be_read(batch):
    assert "PermissionError" in executed(batch, "master")


@in_batch
def test_monkeypatching_and_fake_success_change_nothing(batch):
    for trainee in ("patch", "fakepass"):
        scores = auto_scores(batch, trainee)
        assert scores["q1"] == 0, trainee
        assert scores["q2"] == full_marks(batch)["q2"]


@in_batch
def test_megabytes_of_output_are_capped(batch):
    assert len(executed(batch, "noisy")) < 5_000_000


@in_batch
def test_malformed_notebooks_fail_with_a_reason(batch):
    assert "JSON" in reason(batch, "notjson", "q1")
    assert reason(batch, "notnb", "q1")
    assert (batch["grades"].loc["notjson"]["auto_score"].dropna() == 0).all()


@in_batch
def test_missing_answer_cell_is_named(batch):
    assert auto_scores(batch, "nocell")["q2"] == 0
    assert "missing" in reason(batch, "nocell", "q2")
    assert auto_scores(batch, "nocell")["q1"] == full_marks(batch)["q1"]


@in_batch
def test_copying_a_neighbours_numbers_fails(batch, tmp_path):
    """T2 hard-codes the numeric answers the model solution gives for 'good'."""
    book = batch["book"]
    good = batch["grades"].loc["good"]
    copied = master()
    for qid in ("q1", "q2", "q3", "q5"):
        value = float(good.loc[qid, "answer"])
        answered(copied, qid, f"{qid} = {value!r}")
    write_submissions(tmp_path, {"neighbour": copied})
    grade_folder(batch["spec"], tmp_path, book, out=tmp_path / "graded", lang="en", limits=LIMITS, progress=False)
    scores = book.grades(EXERCISE, "neighbour").set_index("question")["auto_score"]
    assert sum(scores[q] for q in ("q1", "q2", "q3", "q5")) < 2, "copied numbers should not pass on other data"


@in_batch
def test_rerun_skips_unchanged_and_regrades_changed(batch, tmp_path):
    folder = tmp_path / "subs"
    write_submissions(folder, {"a": master(), "b": master()})
    book = Gradebook(f"sqlite:///{tmp_path / 'gb.sqlite'}")
    run = lambda: grade_folder(batch["spec"], folder, book, out=tmp_path / "out", lang="en",  # noqa: E731
                               limits=LIMITS, progress=False)
    first = run()
    assert len(first.graded) == 2 and not first.skipped
    again = run()
    assert not again.graded and sorted(again.skipped) == ["a", "b"]
    write_submissions(folder, {"b": answered(master(), "q1", "q1 = 0.0")})
    third = run()
    assert [r.trainee for r in third.graded] == ["b"] and third.skipped == ["a"]
    assert book.grades(EXERCISE, "b").set_index("question").loc["q1", "auto_score"] == 0
    book.close()


def left_behind(folder: Path) -> list[str]:
    """Processes whose command line names ``folder`` (the kernels of a batch whose TMPDIR it was)."""
    import psutil

    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if str(folder) in cmdline:
            found.append(cmdline[:120])
    return found


def test_a_killed_batch_resumes_without_losing_or_duplicating(tmp_path):
    folder = tmp_path / "subs"
    write_submissions(folder, {f"T{i}": master() for i in range(5)})
    url = f"sqlite:///{tmp_path / 'gb.sqlite'}"
    command = [KIT, "grade", "--exercise", EXERCISE, str(folder), "--gradebook", url, "--workers", "1",
               "--out", str(tmp_path / "out")]
    (tmp_path / "tmp").mkdir()
    process = subprocess.Popen(command, cwd=tmp_path, start_new_session=True, env={**os.environ, "TMPDIR": str(tmp_path / "tmp")},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        if (tmp_path / "gb.sqlite").exists() and len(Gradebook(url).submissions(EXERCISE)) >= 1:
            break
        time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    # the kernels were started in sessions of their own: they exit because the killed worker's pipe closed
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and left_behind(tmp_path / "tmp"):
        time.sleep(0.5)
    assert left_behind(tmp_path / "tmp") == []
    book = Gradebook(url)
    done = set(book.submissions(EXERCISE)["trainee"])
    assert 1 <= len(done) < 5, "killed midway"
    assert len(book.grades(EXERCISE)) == 7 * len(done)  # every recorded submission is complete
    finished = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    grades = book.grades(EXERCISE)
    assert len(grades) == 7 * 5 and not grades.duplicated(["trainee", "question"]).any()
    assert set(grades.loc[grades["kind"] == "auto", "auto_score"].groupby(grades["trainee"]).sum()) == {9.0}
    book.close()


def test_dask_executor_grades_the_same(tmp_path):
    from distributed import LocalCluster

    folder = tmp_path / "subs"
    write_submissions(folder, {"d1": master(), "d2": answered(master(), "q1", "q1 = 1 / 0")})
    book = Gradebook(f"sqlite:///{tmp_path / 'gb.sqlite'}")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        address = "dask://" + cluster.scheduler_address.removeprefix("tcp://")
        summary = grade_folder(build_spec(EXERCISE, master()), folder, book, out=tmp_path / "out",
                               address=address, lang="en", limits=LIMITS, progress=False)
    assert len(summary.graded) == 2 and not summary.errors
    scores = book.grades(EXERCISE).groupby("trainee")["auto_score"].sum()
    assert scores["d1"] == 9.0 and scores["d2"] == 8.0
    book.close()


def test_find_submissions_layouts(tmp_path):
    nb = master()
    for path in ("flat.ipynb", f"nested/{EXERCISE}.ipynb", f"nbg/{EXERCISE}/{EXERCISE}.ipynb",
                 "other/unrelated.ipynb", ".ipynb_checkpoints/x-checkpoint.ipynb"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, tmp_path / path)
    found, duplicates = find_submissions(tmp_path, EXERCISE)
    assert sorted(found) == ["flat", "nbg", "nested"] and duplicates == {}


def cli(*args, cwd, lang="en"):
    env = {**os.environ, "KIT_LANG": lang}
    return subprocess.run([KIT, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


def test_cli_round_trip_on_postgresql_with_feedback_in_the_browser(tmp_path, postgres_db_url, browser):
    """assign → grade (PostgreSQL) → manual export/import → feedback → LMS export, as a trainer would."""
    assert cli("assign", EXERCISE, "--out", "cohort", cwd=tmp_path).returncode == 0
    folder = tmp_path / "submitted"
    write_submissions(folder, {"S01": master(), "S02": answered(master(), "q7", HOSTILE_REPLY)})
    graded = cli("grade", "--exercise", EXERCISE, "submitted", "--gradebook", postgres_db_url,
                 "--spec", "cohort/grading/metrics.json", cwd=tmp_path, lang="zh")
    assert graded.returncode == 0, graded.stderr
    assert "评分汇总" in graded.stdout and "2" in graded.stdout
    assert postgres_db_url.split("@")[0].split(":")[-1] not in graded.stdout + graded.stderr  # no password shown

    sheet = tmp_path / "manual.csv"
    assert cli("grade", "manual", "export", "--exercise", EXERCISE, "--out", str(sheet),
               "--gradebook", postgres_db_url, cwd=tmp_path).returncode == 0
    with open(sheet, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["trainee_id"] for r in rows] == ["S01", "S02"]
    criteria = [h for h in rows[0] if "(max" in h]
    for row in rows:
        for header in criteria:
            row[header] = "1"
        row["comment"] = "<b>Clear</b> memo"
    with open(sheet, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    imported = cli("grade", "manual", "import", str(sheet), "--exercise", EXERCISE, "--gradebook", postgres_db_url,
                   cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr

    assert cli("grade", "feedback", "--exercise", EXERCISE, "--gradebook", postgres_db_url, cwd=tmp_path).returncode == 0
    lms = tmp_path / "lms.csv"
    assert cli("grade", "export", "--format", "csv", "--out", str(lms), "--gradebook", postgres_db_url,
               cwd=tmp_path).returncode == 0
    with open(lms, encoding="utf-8-sig", newline="") as fh:
        table = {r["trainee_id"]: r for r in csv.DictReader(fh)}
    assert float(table["S01"]["score"]) == 12.0 and table["S01"]["pending_manual"] == "0"

    page = browser.new_page()
    errors, dialogs = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((tmp_path / "graded" / EXERCISE / "feedback" / f"{output_name('S02')}.html").as_uri())
    page.wait_for_load_state("load")
    body = page.inner_text("body")
    assert "<script>alert(1)</script>" in body and "onerror" in body  # shown as text
    assert "<b>Clear</b> memo" in body
    assert "12 / 12" in body
    assert not dialogs and page.locator("img[src=x]").count() == 0
    page.screenshot(path=str(tmp_path / "feedback.png"), full_page=True)
    page.close()
    assert not [e for e in errors if "require" not in e.lower()]


def test_cli_errors_are_one_paragraph(tmp_path):
    missing = cli("grade", "--exercise", EXERCISE, "nowhere", cwd=tmp_path)
    assert missing.returncode == 2 and "nowhere" in missing.stderr and "Traceback" not in missing.stderr
    unknown = cli("grade", "--exercise", "nope", ".", cwd=tmp_path)
    assert unknown.returncode == 2 and "nope" in unknown.stderr
    bad = cli("grade", "--exercise", EXERCISE, ".", "--memory", "lots", cwd=tmp_path)
    assert bad.returncode == 2 and "lots" in bad.stderr
    dask = cli("grade", "--exercise", EXERCISE, ".", "--executor", "carrier-pigeon://x", cwd=tmp_path)
    assert dask.returncode == 2 and "carrier-pigeon" in dask.stderr


def test_release_runs_and_check_explains_in_both_languages(tmp_path):
    """A trainee runs the untouched release: no errors, and check() says what to do in their language."""
    import papermill as pm

    released, _ = release(EXERCISE, master())
    path = tmp_path / "release.ipynb"
    nbformat.write(released, path)
    for lang, phrase in (("zh", "尚未作答"), ("en", "Not answered yet")):
        out = pm.execute_notebook(str(path), str(tmp_path / f"{lang}.ipynb"), parameters={"lang": lang},
                                  kernel_name="python3", progress_bar=False, cwd=str(ROOT))
        text = json.dumps(out.dict(), ensure_ascii=False)
        assert phrase in text


def test_a_kernel_that_cannot_start_is_retried_then_left_ungraded(tmp_path, monkeypatch):
    """A kernel that dies before running a cell is the grader's trouble: retried once, then an error that the
    batch reports without recording a grade (so the next run tries again)."""
    from kit.grading import runner

    started = []

    def broken(home, limits, **kwargs):
        km = real(home, limits, **kwargs)
        km._kernel_spec.argv = [sys.executable, "-c", "raise SystemExit(1)"]
        started.append(km)
        return km

    real = runner.kernel_manager
    monkeypatch.setattr(runner, "kernel_manager", broken)
    with pytest.raises(runner.KernelStartError):
        runner.run_submission(master(), ["q1"], {"trainee_id": "x"}, LIMITS, tmp_path)
    assert len(started) == 2
    assert not any(km.kit_sockets.exists() for km in started)  # never started, still removed
