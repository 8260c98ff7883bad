"""What the trainer reads, when a trainee is hostile: the trainee controls their file name (hence their id), every
answer and any text that ends up in a reason. Each test writes the attack first. Fast: no notebook is executed —
results are built by hand (or by a stand-in grader) into a temporary SQLite gradebook."""

import csv
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from kit.data import io
from kit.data.spreadsheet import FORMULA_START, neutralise, neutralise_frame, restore
from kit.grading import batch
from kit.grading.batch import Summary, duplicate, find_submissions, grade_folder
from kit.grading.gradebook import LMS_COLUMNS, Gradebook
from kit.grading.results import (
    AUTO,
    FAILED,
    GRADED,
    MANUAL,
    QuestionResult,
    SubmissionResult,
    answer_fields,
    output_name,
)
from kit.grading.spec import Question, Spec

HYPERLINK = '=HYPERLINK("http://x","click")'
MARKUP = "nbformat: 'execution_count' must be an integer, not '[/bold]'"
SPEC = Spec("metrics", "metrics", (Question("q1", AUTO, 1.0, "assert q1 == 1"), Question("reply", MANUAL, 2.0)))


def cells(path) -> list[dict]:
    """A CSV as Excel reads its cells (the csv module: text, no type guessing)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def result(trainee, *, reason="", status=GRADED, answer="42", content_hash="h1"):
    return SubmissionResult(SPEC.exercise, trainee, content_hash, status, reason, (
        QuestionResult("q1", AUTO, 1.0, 1.0, reason or "right", **answer_fields(AUTO, answer)),
        QuestionResult("reply", MANUAL, 2.0, None, reason or "awaiting a trainer", **answer_fields(MANUAL, answer))))


@pytest.fixture
def book(tmp_path):
    with Gradebook(str(tmp_path / "gradebook.sqlite")) as gradebook:
        yield gradebook


# --- 1. formula injection -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text, shown", [
    (HYPERLINK, "'" + HYPERLINK), ("=1+2", "'=1+2"), ("+1+2", "'+1+2"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+2", "'\t=1+2"), ("\r=1+2", "'\r=1+2"), ("-", "'-"), ("+", "'+"),
    ("-5", "-5"), ("+3.2", "+3.2"), ("-1e3", "-1e3"), ("-.5", "-.5"), ("3", "3"),  # plain numbers
    ("bob", "bob"), ("a=1", "a=1"), ("\n=1", "\n=1"), ("", ""), (" =1", " =1"),  # only the listed six lead
])
def test_the_neutralising_rule(text, shown):
    assert neutralise(text) == shown
    assert restore(neutralise(text, reversible=True)) == text


def test_numbers_are_never_touched_and_the_reversible_mode_keeps_ids_apart():
    assert [neutralise(v) for v in (-5, -1.5, float("-inf"), None, True)] == [-5, -1.5, float("-inf"), None, True]
    assert FORMULA_START == ("=", "+", "-", "@", "\t", "\r")
    tricky = ["=1+2", "'=1+2", "''=1+2", "'quoted", "'", "-5", "'-5", "'\t=x"]
    written = [neutralise(v, reversible=True) for v in tricky]
    assert written == ["'=1+2", "''=1+2", "'''=1+2", "'quoted", "'", "-5", "''-5", "''\t=x"]
    assert len(set(written)) == len(tricky) and [restore(w) for w in written] == tricky
    frame = pd.DataFrame({"id": ["=1+2", "-5"], "score": [-5.0, 2.0], "n": pd.array([-1, 2], dtype="Int64")})
    out = neutralise_frame(frame)
    assert out["id"].tolist() == ["'=1+2", "-5"] and out["score"].tolist() == [-5.0, 2.0]
    assert out.dtypes.tolist() == frame.dtypes.tolist() and frame["id"].tolist() == ["=1+2", "-5"]  # a copy


def test_the_lms_export_neutralises_trainee_ids_and_reasons(book, tmp_path):
    book.record(result("=1+2"))
    book.record(result("'=1+2"))
    book.record(result("-5", status=FAILED, reason=f"{HYPERLINK} is not a notebook"))
    path = book.export_csv(tmp_path / "lms.csv", SPEC.exercise)
    rows = {r["trainee_id"]: r for r in cells(path)}
    assert list(rows) == ["''=1+2", "-5", "'=1+2"] and list(cells(path)[0]) == LMS_COLUMNS  # ordered by the id
    assert rows["-5"]["reason"] == f"'{HYPERLINK} is not a notebook"
    assert (rows["'=1+2"]["score"], rows["'=1+2"]["max_points"], rows["'=1+2"]["pending_manual"]) == ("1.0", "3.0", "1")
    assert rows["'=1+2"]["graded_at"].endswith("Z")

    by_question = cells(book.export_csv(tmp_path / "questions.csv", SPEC.exercise, by="question"))
    assert [(r["trainee_id"], r["question"]) for r in by_question] == [
        ("''=1+2", "q1"), ("''=1+2", "reply"), ("-5", "q1"), ("-5", "reply"), ("'=1+2", "q1"), ("'=1+2", "reply")]
    assert by_question[2]["reason"] == by_question[3]["reason"] == f"'{HYPERLINK} is not a notebook"


def test_kit_io_save_neutralises_text_files_and_loads_them_back(tmp_path):
    frame = pd.DataFrame({"period": pd.array(["2025-01", "2025-02"], dtype="string"),
                          "team": pd.array(["=cmd|' /C calc'!A0", "@热线"], dtype="string"),
                          "nps": pd.array([-12.5, 30.0], dtype="Float64"),
                          "fcr": pd.array([72.5, None], dtype="Float64")})
    for suffix, separator in ((".csv", ","), (".tsv", "\t")):
        path = io.save(frame, tmp_path / f"kpi{suffix}", "kpi_snapshots")
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter=separator))
        assert [(r["team"], r["nps"]) for r in rows] == [("'=cmd|' /C calc'!A0", "-12.5"), ("'@热线", "30.0")]
        loaded, _ = io.load(path, "kpi_snapshots")  # nothing formula-like is left to refuse
        assert loaded["team"].tolist() == ["'=cmd|' /C calc'!A0", "'@热线"]
    import openpyxl

    path = io.save(frame, tmp_path / "kpi.xlsx", "kpi_snapshots")
    cells = [c for row in openpyxl.load_workbook(path).active.iter_rows() for c in row]
    assert not [c.value for c in cells if c.data_type == "f"]  # openpyxl would store "=…" text as a formula
    assert io.load(path, "kpi_snapshots")[0]["team"].tolist() == ["'=cmd|' /C calc'!A0", "'@热线"]


# --- 2. console markup --------------------------------------------------------------------------------------


def test_the_batch_summary_shows_markup_as_text():
    summary = Summary(graded=[result("[bold]eve", reason=MARKUP)], failed=[result("[/red]", reason="[/]")],
                      errors=["Could not grade [link=x]y: [/link] boom"])
    console = Console(record=True, width=250, color_system=None)
    console.print(summary.table("en"))
    text = console.export_text()
    assert f"[bold]eve: {MARKUP}" in text and "[/red]: [/]" in text and "[link=x]y: [/link] boom" in text


def test_kit_data_check_prints_hostile_headers_as_text(tmp_path):
    path = tmp_path / "kpi.csv"
    path.write_text("period,team,nps,fcr,[/bold]\n2025-01,热线,-12.5,72.5,x\n", encoding="utf-8")
    kit = Path(sys.executable).with_name("kit")
    done = subprocess.run([str(kit), "data", "check", str(path), "--kind", "kpi_snapshots"], capture_output=True,
                          text=True, env={**os.environ, "KIT_LANG": "en"}, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "[/bold]" in done.stdout and "Traceback" not in done.stderr


# --- 3. unique file names -----------------------------------------------------------------------------------


def test_output_names_never_collide_and_stay_readable():
    names = {trainee: output_name(trainee) for trainee in
             ("bob smith", "bob_smith", "Bob", "bob", "张三", "../../etc/passwd", "-rf", ".bashrc", "", "x" * 300)}
    assert names["bob smith"] == "bob_smith-7e50351d7a" and names["bob_smith"] == "bob_smith-56318ccd29"
    assert names["张三"] == "张三-1d841bc0ee"
    assert names["../../etc/passwd"].startswith("_.._etc_passwd-") and names["-rf"].startswith("rf-")
    assert names[".bashrc"].startswith("bashrc-") and names[""].startswith("_-") and len(names["x" * 300]) == 71
    assert len({n.casefold() for n in names.values()}) == len(names)  # also on a case-insensitive file system
    assert all("/" not in n and not n.startswith((".", "-")) for n in names.values())
    assert output_name("bob_smith-7e50351d7a") != "bob_smith-7e50351d7a"  # always suffixed: no id takes another's


def test_feedback_pages_are_named_by_output_name(book, tmp_path):
    from kit.grading.feedback import write_feedback

    book.record(result("bob smith", answer="mine"))
    book.record(result("bob_smith", answer="not mine"))
    pages = write_feedback(book, SPEC.exercise, tmp_path / "feedback", "en")
    assert sorted(p.name for p in pages) == ["bob_smith-56318ccd29.html", "bob_smith-7e50351d7a.html"]
    assert ">mine<" in (tmp_path / "feedback" / "bob_smith-7e50351d7a.html").read_text(encoding="utf-8")


# --- 3 + 4. a batch: unique executed notebooks, duplicates recorded as failed ------------------------------


@pytest.fixture
def stand_in_grader(monkeypatch):
    """grade_folder with the sandboxed execution replaced: a thread pool, and a grader that echoes the trainee."""
    import kit.pipeline.executors as executors

    @contextmanager
    def inline(address, workers):
        with ThreadPoolExecutor(max_workers=1) as pool:
            yield pool

    def grade(task):
        graded = result(task.trainee, content_hash=task.content_hash, answer=task.content.decode())
        return batch.Graded(graded, json.dumps({"trainee": task.trainee}))

    monkeypatch.setattr(executors, "executor", inline)
    monkeypatch.setattr(batch, "grade_submission", grade)


def submit(folder: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content, encoding="utf-8")


REASON_EN = ("Not graded: 2 notebooks were handed in for this exercise (alice/metrics.ipynb, alice.ipynb). "
             "Keep exactly one and grade again.")
REASON_ZH = "未评分：本练习交了 2 个笔记本（alice/metrics.ipynb, alice.ipynb）。只保留一个，然后重新评分。"


def test_a_batch_records_duplicates_as_failed_and_grades_everyone_else(book, tmp_path, stand_in_grader):
    folder, out = tmp_path / "submitted", tmp_path / "graded"
    submit(folder, {"alice.ipynb": "a1", "alice/metrics.ipynb": "a2", "bob smith.ipynb": "b1",
                    "bob_smith.ipynb": "b2", "Bob.ipynb": "b3", "bob/metrics/metrics.ipynb": "b4"})
    found, duplicates = find_submissions(folder, SPEC.exercise)
    assert sorted(found) == ["Bob", "bob", "bob smith", "bob_smith"]
    assert duplicates == {"alice": (folder / "alice" / "metrics.ipynb", folder / "alice.ipynb")}  # path order

    summary = grade_folder(SPEC, folder, book, out=out, address="inline://", lang="zh", progress=False)
    assert [r.trainee for r in summary.failed] == ["alice"] and not summary.errors
    assert sorted(r.trainee for r in summary.graded) == ["Bob", "bob", "bob smith", "bob_smith"]
    subs = book.submissions(SPEC.exercise).set_index("trainee")
    assert (subs.loc["alice", "status"], subs.loc["alice", "reason"]) == (FAILED, REASON_ZH)
    alice = book.grades(SPEC.exercise, "alice").set_index("question")
    assert alice.loc["q1", "final_score"] == 0.0 and pd.isna(alice.loc["reply", "final_score"])
    assert (alice["reason"] == REASON_ZH).all()
    assert book.grades(SPEC.exercise, "bob smith").set_index("question").loc["q1", "answer"] == "b1"

    written = sorted(p.name for p in out.glob("*.ipynb"))  # one executed notebook each, none overwritten
    assert written == sorted(f"{output_name(t)}.ipynb" for t in ("Bob", "bob", "bob smith", "bob_smith"))
    for trainee in ("Bob", "bob", "bob smith", "bob_smith"):
        assert json.loads((out / f"{output_name(trainee)}.ipynb").read_text())["trainee"] == trainee
        assert subs.loc[trainee, "file_name"] == output_name(trainee)
    console = Console(record=True, width=250, color_system=None)
    console.print(summary.table("zh"))
    assert f"alice: {REASON_ZH}" in console.export_text()

    again = grade_folder(SPEC, folder, book, out=out, address="inline://", lang="en", progress=False)
    assert sorted(again.skipped) == ["Bob", "alice", "bob", "bob smith", "bob_smith"]  # nothing changed
    (folder / "alice" / "metrics.ipynb").write_text("a3", encoding="utf-8")  # a copy changed: still two
    third = grade_folder(SPEC, folder, book, out=out, address="inline://", lang="en", progress=False)
    assert [r.reason for r in third.failed] == [REASON_EN] and len(third.skipped) == 4
    (folder / "alice" / "metrics.ipynb").unlink()  # the folder is fixed: alice is graded
    fixed = grade_folder(SPEC, folder, book, out=out, address="inline://", lang="en", progress=False)
    assert [r.trainee for r in fixed.graded] == ["alice"] and not fixed.failed
    assert book.submissions(SPEC.exercise).set_index("trainee").loc["alice", "status"] == GRADED


def test_the_duplicate_reason_and_hash(tmp_path):
    folder = tmp_path / "submitted"
    submit(folder, {"alice.ipynb": "a1", "alice/metrics.ipynb": "a2"})
    paths = find_submissions(folder, SPEC.exercise).duplicates["alice"]
    en, zh = (duplicate(SPEC, folder, "alice", paths, 0, lang) for lang in ("en", "zh"))
    assert (en.status, en.reason, zh.reason) == (FAILED, REASON_EN, REASON_ZH)
    assert en.content_hash == zh.content_hash != duplicate(SPEC, folder, "alice", paths, 1, "en").content_hash
    (folder / "alice.ipynb").write_text("a1, edited", encoding="utf-8")
    assert duplicate(SPEC, folder, "alice", paths, 0, "en").content_hash != en.content_hash
