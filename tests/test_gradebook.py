"""The gradebook on SQLite and on a real PostgreSQL server: recording, skipping, regrading with manual scores,
LMS export, bad URLs, all-or-nothing writes, two graders at once and a grader killed midway."""

import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from kit.errors import KitError
from kit.grading import gradebook
from kit.grading.gradebook import LMS_COLUMNS, QUESTION_COLUMNS, Gradebook, mask, resolve_url
from kit.grading.results import (
    AUTO,
    FAILED,
    GRADED,
    MANUAL,
    QuestionResult,
    SubmissionResult,
    answer_fields,
    digest,
    output_name,
)
from kit.i18n import t

HERE = Path(__file__).parent


def q(qid, score, points=1.0, kind="auto", reason=None, answer=""):
    return QuestionResult(qid, kind, points, score, f"{qid}: why" if reason is None else reason, answer)


def sub(trainee, content_hash, *questions, exercise="ex1", status=GRADED, reason="", duration=1.5):
    return SubmissionResult(exercise, trainee, content_hash, status, reason, tuple(questions), duration)


def reply(answer="您好，非常理解您的心情，我马上为您处理。", score=None):
    return q("reply", score, points=3.0, kind=MANUAL, reason="awaiting a trainer", answer=answer)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gradebook.sqlite'}"
    return request.getfixturevalue("postgres_db_url")


@pytest.fixture
def book(url):
    with Gradebook(url) as gradebook:
        yield gradebook


def by_question(book, trainee, exercise="ex1"):
    return book.grades(exercise, trainee).set_index("question")


# --- recording and reading back ----------------------------------------------------------------------------


def test_record_and_read_back(book):
    book.record(sub("t1", "h1", q("q1", 1.0), q("q2", 0.5, points=2.0, answer="42"), reply()))
    book.record(sub("t2", "h2", q("q1", 0.0), q("q2", 2.0, points=2.0), reply(), exercise="ex1"))
    book.record(sub("t1", "h3", q("q1", 1.0), exercise="ex2"))

    grades = book.grades()
    assert len(grades) == 7 and list(grades.columns)[:3] == ["exercise", "trainee", "question"]
    assert list(book.grades("ex1", "t1")["question"]) == ["q1", "q2", "reply"]  # notebook order
    t1 = by_question(book, "t1")
    assert t1.loc["q2", ["kind", "points", "auto_score", "final_score", "answer", "reason"]].tolist() == \
        ["auto", 2.0, 0.5, 0.5, "42", "q2: why"]
    assert math.isnan(t1.loc["q2", "manual_score"])
    assert t1.loc["reply", "kind"] == "manual" and t1.loc["reply", "answer"].startswith("您好")
    assert math.isnan(t1.loc["reply", "auto_score"]) and math.isnan(t1.loc["reply", "final_score"])  # pending
    assert str(t1["updated_at"].dt.tz) == "UTC"

    subs = book.submissions()
    assert list(subs["trainee"]) == ["t1", "t2", "t1"] and list(subs["exercise"]) == ["ex1", "ex1", "ex2"]
    row = book.submissions("ex2").iloc[0]
    assert (row.content_hash, row.status, row.reason, row.duration_s) == ("h3", GRADED, "", 1.5)
    assert row.grader.endswith(f":{os.getpid()}")
    assert abs(pd.Timestamp.now(tz="UTC") - row.graded_at) < pd.Timedelta(minutes=5)


def test_is_current_skips_only_the_same_content(book):
    assert not book.is_current("ex1", "t1", "h1")
    book.record(sub("t1", "h1", q("q1", 1.0)))
    assert book.is_current("ex1", "t1", "h1")
    assert not book.is_current("ex1", "t1", "h2")
    assert not book.is_current("ex2", "t1", "h1") and not book.is_current("ex1", "t2", "h1")
    book.record(sub("t1", "h2", q("q1", 0.0)))
    assert book.is_current("ex1", "t1", "h2") and not book.is_current("ex1", "t1", "h1")


def test_regrade_keeps_manual_score_of_an_unchanged_answer(book):
    book.record(sub("t1", "h1", q("q1", 1.0), reply()))
    book.set_manual("ex1", "t1", "reply", 2.5, criteria={"empathy": 1, "solution": 1.5}, comment="共情到位")
    row = by_question(book, "t1").loc["reply"]
    assert (row.manual_score, row.final_score, row.reason) == (2.5, 2.5, "共情到位")
    assert json.loads(row.criteria) == {"empathy": 1, "solution": 1.5}

    book.record(sub("t1", "h2", q("q1", 0.0), reply()))  # another cell changed, the reply did not
    rows = by_question(book, "t1")
    assert (rows.loc["reply", "manual_score"], rows.loc["reply", "final_score"]) == (2.5, 2.5)
    assert rows.loc["reply", "reason"] == "共情到位" and json.loads(rows.loc["reply", "criteria"])["solution"] == 1.5
    assert rows.loc["q1", "final_score"] == 0.0  # the auto part is regraded


def test_regrade_clears_manual_score_when_the_answer_changed(book):
    book.record(sub("t1", "h1", reply()))
    book.set_manual("ex1", "t1", "reply", 3.0, criteria={"all": 3}, comment="good")
    book.record(sub("t1", "h2", reply(answer="A new answer, written after grading.")))
    row = by_question(book, "t1").loc["reply"]
    assert math.isnan(row.manual_score) and math.isnan(row.final_score) and row.criteria is None
    assert row.reason.startswith("awaiting a trainer") and t("gradebook.answer_changed") in row.reason


def test_regrade_clears_manual_score_when_the_points_changed(book):
    book.record(sub("t1", "h1", reply()))
    book.set_manual("ex1", "t1", "reply", 3.0, comment="good")
    book.record(sub("t1", "h2", q("reply", None, points=2.0, kind=MANUAL, reason="", answer=reply().answer)))
    row = by_question(book, "t1").loc["reply"]
    assert math.isnan(row.manual_score) and row.reason == t("gradebook.points_changed")


def test_questions_no_longer_present_are_removed(book):
    book.record(sub("t1", "h1", q("q1", 1), q("q2", 1), q("q3", 1), reply()))
    book.record(sub("t2", "h1", q("q1", 1), q("q2", 1)))
    book.record(sub("t1", "h2", q("q3", 0), q("q1", 1)))
    assert list(book.grades("ex1", "t1")["question"]) == ["q3", "q1"]
    assert list(book.grades("ex1", "t2")["question"]) == ["q1", "q2"]  # another trainee untouched
    book.record(sub("t1", "h3", status=FAILED, reason="not a notebook"))
    assert book.grades("ex1", "t1").empty
    assert book.submissions().set_index("trainee").loc["t1", "reason"] == "not a notebook"


def test_final_score_rules(book):
    book.record(sub("t1", "h1", q("q1", 0.5), q("q2", None, reason="crashed"), reply()))
    rows = by_question(book, "t1")
    assert rows.loc["q1", "final_score"] == 0.5
    assert math.isnan(rows.loc["q2", "final_score"]) and math.isnan(rows.loc["reply", "final_score"])
    book.set_manual("ex1", "t1", "q1", 1.0, comment="override: accepted the rounding")  # a trainer's override
    book.set_manual("ex1", "t1", "reply", 0, comment="no empathy")  # zero is a score, not pending
    rows = by_question(book, "t1")
    assert (rows.loc["q1", "auto_score"], rows.loc["q1", "final_score"]) == (0.5, 1.0)
    assert rows.loc["reply", "final_score"] == 0.0 and rows.loc["reply", "reason"] == "no empathy"
    book.set_manual("ex1", "t1", "q1", None)  # cleared: back to the automatic score
    assert by_question(book, "t1").loc["q1", "final_score"] == 0.5


def test_set_manual_validates(book):
    book.record(sub("t1", "h1", reply()))
    for bad in (-0.5, 3.5, float("nan"), "lots"):
        with pytest.raises(KitError) as err:
            book.set_manual("ex1", "t1", "reply", bad, comment="x")
        assert err.value.code == "gradebook_score_out_of_range" and "3" in str(err.value)
    with pytest.raises(KitError) as err:
        book.set_manual("ex1", "t9", "reply", 1.0)
    assert err.value.code == "gradebook_unknown_grade" and "t9" in err.value.render("zh")
    with pytest.raises(KitError):  # all-or-nothing: the valid first entry is not written either
        book.set_manual_many([("ex1", "t1", "reply", 1.0, None, "ok"), ("ex1", "t1", "nope", 1.0, None, "")])
    assert math.isnan(by_question(book, "t1").loc["reply", "manual_score"])


def test_lms_table_against_a_hand_computation(book, tmp_path):
    book.record(sub("t1", "h1", q("q1", 1.0), q("q2", 1.5, points=2.0), reply()))
    book.record(sub("t2", "h2", q("q1", 0.0), q("q2", 2.0, points=2.0), reply()))
    book.record(sub("t3", "h3", status=FAILED, reason="不是有效的 notebook"))
    book.record(sub("t1", "h4", q("q1", 1.0), exercise="ex2"))
    book.set_manual("ex1", "t2", "reply", 2.0, comment="ok")

    table = book.lms_table("ex1")
    assert list(table.columns) == LMS_COLUMNS
    rows = table.set_index("trainee_id")
    # t1: 1 + 1.5 of 1 + 2 + 3 = 6 points, the reply pending → 2.5 / 6 = 41.7 %
    assert rows.loc["t1", ["score", "max_points", "percent", "pending_manual"]].tolist() == [2.5, 6.0, 41.7, 1]
    # t2: 0 + 2 + 2 (manual) = 4 of 6 = 66.7 %, nothing pending
    assert rows.loc["t2", ["score", "max_points", "percent", "pending_manual"]].tolist() == [4.0, 6.0, 66.7, 0]
    assert rows.loc["t3", "status"] == FAILED and rows.loc["t3", "score"] == 0 and pd.isna(rows.loc["t3", "percent"])
    assert rows.loc["t3", "reason"] == "不是有效的 notebook"
    assert len(book.lms_table()) == 4 and set(book.lms_table()["exercise"]) == {"ex1", "ex2"}

    path = book.export_csv(tmp_path / "out" / "lms.csv", "ex1")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "不是有效的 notebook".encode() in raw
    back = pd.read_csv(path, encoding="utf-8-sig", dtype={"trainee_id": str})
    assert list(back.columns) == LMS_COLUMNS and len(back) == 3
    assert back.set_index("trainee_id").loc["t2", "percent"] == 66.7
    assert back["graded_at"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()

    long = pd.read_csv(book.export_csv(tmp_path / "long.csv", by="question"), encoding="utf-8-sig")
    assert list(long.columns) == QUESTION_COLUMNS and len(long) == 7
    assert long["pending_manual"].sum() == 1
    with pytest.raises(KitError) as err:
        book.export_csv(tmp_path / "x.csv", by="trainee")
    assert err.value.code == "gradebook_bad_layout"


# --- file names, whole-answer hashes, gradebooks from before them ------------------------------------------


def test_the_output_file_name_is_recorded_and_shown(book):
    book.record(sub("bob smith", "h1", q("q1", 1.0)))
    book.record(sub("bob_smith", "h2", status=FAILED, reason="not a notebook"))
    subs = book.submissions().set_index("trainee")
    assert subs.loc["bob smith", "file_name"] == output_name("bob smith") == "bob_smith-7e50351d7a"
    assert subs.loc["bob_smith", "file_name"] == output_name("bob_smith") == "bob_smith-56318ccd29"
    assert list(subs.columns)[-1] == "file_name"


def test_a_change_after_the_clip_clears_the_manual_score(book):
    """An auto-graded answer is stored clipped to 2,000 characters; a trainer's override must still not survive
    a change at character 2,500."""
    before, after = "x" * 2500, "x" * 2499 + "y"

    def answer(text):
        return QuestionResult("q1", AUTO, 1.0, 0.0, "q1: why", **answer_fields(AUTO, text))

    book.record(sub("t1", "h1", answer(before)))
    book.set_manual("ex1", "t1", "q1", 1.0, comment="accepted")
    row = by_question(book, "t1").loc["q1"]
    assert len(row.answer) == 2000 and row.answer_hash == digest(before)
    book.record(sub("t1", "h2", answer(before)))  # same answer: the override stays
    assert by_question(book, "t1").loc["q1", "manual_score"] == 1.0
    book.record(sub("t1", "h3", answer(after)))
    row = by_question(book, "t1").loc["q1"]
    assert row.answer == "x" * 1999 + "…"  # the stored (clipped) answer did not change
    assert math.isnan(row.manual_score) and row.final_score == 0.0
    assert row.reason == f"q1: why {t('gradebook.answer_changed')}" and row.answer_hash == digest(after)


def test_a_manual_answer_is_stored_whole(book):
    long = "您好，" + "非常理解您的心情。" * 400  # 3,603 characters
    book.record(sub("t1", "h1", QuestionResult("reply", MANUAL, 3.0, None, "", **answer_fields(MANUAL, long))))
    row = by_question(book, "t1").loc["reply"]
    assert row.answer == long and row.answer_hash == digest(long)


OLD_SQLITE = """
CREATE TABLE submissions (exercise VARCHAR(255) NOT NULL, trainee VARCHAR(255) NOT NULL,
    content_hash VARCHAR(128) NOT NULL, status VARCHAR(16) NOT NULL, reason TEXT NOT NULL, duration_s FLOAT NOT NULL,
    graded_at DATETIME NOT NULL, grader VARCHAR(255) NOT NULL, PRIMARY KEY (exercise, trainee));
CREATE TABLE grades (exercise VARCHAR(255) NOT NULL, trainee VARCHAR(255) NOT NULL, question VARCHAR(255) NOT NULL,
    position INTEGER NOT NULL, kind VARCHAR(16) NOT NULL, points FLOAT NOT NULL, auto_score FLOAT, manual_score FLOAT,
    final_score FLOAT, reason TEXT NOT NULL, answer TEXT NOT NULL, criteria TEXT, updated_at DATETIME NOT NULL,
    PRIMARY KEY (exercise, trainee, question));
INSERT INTO submissions VALUES ('ex1', 't1', 'h1', 'graded', '', 1.5, '2025-03-01 09:00:00.000000', 'old:1');
INSERT INTO grades VALUES ('ex1', 't1', 'reply', 0, 'manual', 3.0, NULL, 2.5, 2.5, '共情到位',
    '您好，非常理解您的心情，我马上为您处理。', '{"empathy": 1}', '2025-03-01 09:00:00.000000');
"""


def test_a_gradebook_from_before_the_new_columns_is_migrated(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:  # as the kit created it before file_name and answer_hash
        conn.executescript(OLD_SQLITE)
    with Gradebook(str(path)) as book:
        assert book.submissions().loc[0, "file_name"] is None  # the old row: NULL
        old = by_question(book, "t1").loc["reply"]
        assert old.manual_score == 2.5 and pd.isna(old.answer_hash)
        book.record(sub("t1", "h2", QuestionResult("reply", MANUAL, 3.0, None, "awaiting a trainer",
                                                   **answer_fields(MANUAL, old.answer))))
        row = by_question(book, "t1").loc["reply"]  # no hash before: the stored answers are compared, equal
        assert (row.manual_score, row.reason, row.answer_hash) == (2.5, "共情到位", digest(old.answer))
        assert book.submissions().loc[0, "file_name"] == output_name("t1")
    with Gradebook(str(path)) as book:  # opening again changes nothing
        assert by_question(book, "t1").loc["reply", "manual_score"] == 2.5
    with sqlite3.connect(path) as conn:
        columns = {table: [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
                   for table in ("submissions", "grades")}
    assert columns["submissions"][-1] == "file_name" and columns["grades"][-1] == "answer_hash"
    assert len(columns["submissions"]) == 9 and len(columns["grades"]) == 14


def test_old_schema_migration_on_both_databases(url):
    new = {"file_name", "answer_hash"}
    old = sa.MetaData()
    for table in gradebook.metadata.sorted_tables:
        sa.Table(table.name, old, *(sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
                                    for c in table.columns if c.name not in new))
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        old.create_all(conn)
    engine.dispose()
    with Gradebook(url) as book:
        book.record(sub("t1", "h1", reply()))
        assert book.submissions().loc[0, "file_name"] == output_name("t1")
        assert by_question(book, "t1").loc["reply", "answer"] == reply().answer
        with book.engine.connect() as conn:
            inspector = sa.inspect(conn)
            assert new <= {c["name"] for n in ("submissions", "grades") for c in inspector.get_columns(n)}


# --- addresses and errors ----------------------------------------------------------------------------------


def test_url_defaults_env_and_plain_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KIT_GRADEBOOK", raising=False)
    with Gradebook() as book:
        book.record(sub("t1", "h1", q("q1", 1)))
    assert (tmp_path / "gradebook.sqlite").exists()
    monkeypatch.setenv("KIT_GRADEBOOK", str(tmp_path / "env.sqlite"))
    with Gradebook() as book:
        assert book.url.endswith("env.sqlite") and book.grades().empty
    with Gradebook("plain.sqlite") as book:
        book.record(sub("t1", "h1", q("q1", 1)))
    assert (tmp_path / "plain.sqlite").exists() and resolve_url("x.db") == f"sqlite:///{tmp_path / 'x.db'}"


def test_bad_urls_explain_and_never_show_the_password(tmp_path):
    (tmp_path / "scores.csv").write_text("trainee,score\n" * 200)
    cases = {
        str(tmp_path / "scores.csv"): "gradebook_unreachable",  # not an SQLite file
        "postgresql+psycopg://kit:Topsecret9@127.0.0.1:1/grades": "gradebook_unreachable",
        "nosuchdb://kit:Topsecret9@host/grades": "gradebook_bad_url",
        "sqlite:///" + str(tmp_path / "missing" / "dir" / "gb.sqlite"): "gradebook_unreachable",
    }
    try:
        import pymysql  # noqa: F401
    except ImportError:
        cases["mysql+pymysql://kit:Topsecret9@127.0.0.1/grades"] = "gradebook_driver_missing"
    for url, code in cases.items():
        with pytest.raises(KitError) as err:
            Gradebook(url)
        assert err.value.code == code, url
        for lang in ("en", "zh"):
            text = err.value.render(lang)
            assert "Topsecret9" not in text and "Topsecret9" not in repr(err.value.params)
    assert mask("postgresql+psycopg://kit:Topsecret9@h/db") == "postgresql+psycopg://kit:***@h/db"


def test_a_missing_driver_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if psycopg were not installed
    with pytest.raises(KitError) as err:
        Gradebook("postgresql+psycopg://kit:Topsecret9@127.0.0.1/grades")
    assert err.value.code == "gradebook_driver_missing"
    assert "pip install 'psycopg[binary]'" in str(err.value) and "Topsecret9" not in str(err.value)


def test_the_password_is_not_kept(postgres_db_url):
    with Gradebook(postgres_db_url) as book:
        password = sa.engine.make_url(postgres_db_url).password
        assert password not in book.url and password not in repr(book) and "***" in book.url


# --- transactions ------------------------------------------------------------------------------------------


def test_a_failed_write_leaves_the_previous_submission_whole(tmp_path):
    path = tmp_path / "gb.sqlite"
    with Gradebook(str(path)) as book:
        book.record(sub("t1", "old", q("q1", 1), q("q2", 1), q("q3", 1)))
        with book.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TRIGGER boom BEFORE INSERT ON grades WHEN NEW.question = 'boom' "
                                 "BEGIN SELECT RAISE(ABORT, 'boom'); END")
        with pytest.raises(sa.exc.IntegrityError):
            book.record(sub("t1", "new", q("q1", 0), q("boom", 0)))  # fails after deleting q2, q3, writing q1
        with pytest.raises(sa.exc.IntegrityError):
            book.record(sub("t2", "new", q("q1", 0), q("boom", 0)))
        assert book.submissions()["content_hash"].tolist() == ["old"]
        rows = book.grades()
        assert rows["question"].tolist() == ["q1", "q2", "q3"] and rows["final_score"].tolist() == [1, 1, 1]


def test_generic_dialect_path(tmp_path):
    with Gradebook(str(tmp_path / "gb.sqlite")) as book:
        book.dialect = "generic"  # select + update/insert instead of ON CONFLICT
        book.record(sub("t1", "h1", q("q1", 1), reply()))
        book.set_manual("ex1", "t1", "reply", 2.0, comment="ok")
        book.record(sub("t1", "h2", q("q1", 0), reply()))
        rows = by_question(book, "t1")
        assert rows["final_score"].tolist() == [0.0, 2.0] and len(book.submissions()) == 1


# --- two graders at once, a grader killed midway ----------------------------------------------------------

WRITER_QUESTIONS = {"A": ("q1", "q2", "q3", "q4", "q5"), "B": ("q1", "q2", "q3", "q4", "q6")}
WRITER_SCORES = {"A": 0.25, "B": 0.75}


def writer_submission(writer: str, i: int, exercise="race") -> SubmissionResult:
    """What grader ``writer`` records for trainee ``i``: its own questions, scores, reasons and hash."""
    return sub(f"t{i:03d}", f"{writer}-{i}",
               *(q(qid, WRITER_SCORES[writer], reason=f"{writer}{i}", answer=f"{writer} {qid} " * 20)
                 for qid in WRITER_QUESTIONS[writer]), exercise=exercise)


def kill_submission(i: int) -> SubmissionResult:
    return sub(f"t{i:04d}", f"K-{i}", *(q(f"q{k}", k / 10, reason=f"K{i}", answer="答" * 500) for k in range(10)),
               exercise="kill")


def run_writer(argv: list[str]) -> None:
    """Entry point of the writer subprocesses (``python -c``): see the two tests below."""
    mode, url, writer, n = argv[0], argv[1], argv[2], int(argv[3])
    book = Gradebook(url)
    if mode == "race":
        ready, go = Path(argv[4]), Path(argv[5])
        ready.touch()
        while not go.exists():
            time.sleep(0.005)
        start = time.time()
        for i in range(n):  # the same order: both graders keep colliding on the same submission
            book.record(writer_submission(writer, i))
        print(json.dumps({"start": start, "end": time.time()}))
    else:  # kill: record everything not recorded yet, say how many were new
        done = 0
        for i in range(n):
            result = kill_submission(i)
            if not book.is_current(result.exercise, result.trainee, result.content_hash):
                book.record(result)
                done += 1
        print(json.dumps({"recorded": done}))


def writer(*args) -> subprocess.Popen:
    code = f"import sys; sys.path.insert(0, {str(HERE)!r}); import test_gradebook; test_gradebook.run_writer(sys.argv[1:])"
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def check_whole(book, exercise, expected) -> int:
    """Every submission of ``exercise`` has exactly the question rows of the one writer its hash names."""
    grades = book.grades(exercise)
    subs = book.submissions(exercise).set_index("trainee")
    assert not grades.duplicated(["trainee", "question"]).any()
    assert set(grades["trainee"]) <= set(subs.index), "grade rows without their submission"
    for trainee, rows in grades.groupby("trainee"):
        want = expected(subs.loc[trainee, "content_hash"])
        got = {r.question: (r.final_score, r.reason) for r in rows.itertuples()}
        assert got == want, (trainee, subs.loc[trainee, "content_hash"])
    assert set(subs.index) == set(grades["trainee"]), "a submission without its question rows"
    return len(subs)


@pytest.mark.slow
def test_two_graders_writing_at_once(url, tmp_path):
    n = 200
    Gradebook(url).close()  # tables exist (creating them concurrently is covered by the writers as well)
    procs = [writer("race", url, name, n, tmp_path / f"{name}.ready", tmp_path / "go") for name in "AB"]
    deadline = time.time() + 60
    while not all((tmp_path / f"{name}.ready").exists() for name in "AB") and time.time() < deadline:
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        time.sleep(0.01)
    (tmp_path / "go").touch()
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outs]
    spans = [json.loads(out.strip().splitlines()[-1]) for out, _ in outs]
    assert max(s["start"] for s in spans) < min(s["end"] for s in spans), "the writers did not overlap"

    def expected(content_hash):
        name, i = content_hash.split("-")
        return {qid: (WRITER_SCORES[name], f"{name}{i}") for qid in WRITER_QUESTIONS[name]}

    with Gradebook(url) as book:
        assert check_whole(book, "race", expected) == n
        winners = book.submissions("race")["content_hash"].str[0].value_counts()
        assert len(book.grades("race")) == 5 * n and winners.sum() == n
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.slow
def test_a_grader_killed_midway_leaves_whole_submissions_and_resumes(url):
    n = 300

    def expected(content_hash):
        i = content_hash.split("-")[1]
        return {f"q{k}": (k / 10, f"K{i}") for k in range(10)}

    with Gradebook(url) as book:
        before = 0
        for _ in range(3):  # killed three times, at a random point of its loop
            proc = writer("kill", url, "K", n)
            deadline = time.time() + 60
            while len(book.submissions("kill")) < before + 30:
                assert proc.poll() is None and time.time() < deadline, proc.communicate()
                time.sleep(0.005)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            assert proc.returncode == -signal.SIGKILL
            before = check_whole(book, "kill", expected)
        assert 90 <= before < n

        rerun = writer("kill", url, "K", n)
        out, err = rerun.communicate(timeout=180)
        assert rerun.returncode == 0, err
        assert json.loads(out.strip().splitlines()[-1])["recorded"] == n - before  # nothing recorded twice
        assert check_whole(book, "kill", expected) == n and len(book.grades("kill")) == 10 * n
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
