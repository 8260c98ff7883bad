"""Manual grading round trip: export the sheet, fill it in as a trainer would, import it into the gradebook."""

import csv
import json
import math

import pandas as pd
import pytest

from kit.errors import KitError
from kit.grading.gradebook import Gradebook
from kit.grading.manual import (
    ImportSummary,
    SheetError,
    _linter,
    answer_hash,
    answer_lang,
    criterion_columns,
    export_manual,
    fingerprint,
    import_manual,
)
from kit.grading.results import GRADED, MANUAL, QuestionResult, SubmissionResult, answer_fields, digest
from kit.grading.spec import Criterion, Question, Spec

RUBRIC = (
    Criterion("empathy", 1.0, {"zh": "先回应客户的情绪", "en": "Acknowledges the customer's feeling first"}),
    Criterion("solution", 2.0, {"zh": "给出具体的解决方案和时间", "en": "Offers a concrete fix with a time"}),
)
SPEC = Spec("m2-reply", "communication", (
    Question("q1", "auto", 1.0, "assert q1 == 1"),
    Question("reply", "manual", 3.0, rubric=RUBRIC),
))
ANSWERS = {
    "t1": "这不归我管，您可能要等几天。",  # banned phrase, hedge, no empathy
    "t2": "Unfortunately that's the policy. Maybe next week.",
    "t3": "非常理解您的着急。我今天下午五点前给您回电话。",
}


def record(book, trainee, answer, content_hash="h1"):
    book.record(SubmissionResult(SPEC.exercise, trainee, content_hash, GRADED, "", (
        QuestionResult("q1", "auto", 1.0, 1.0, "right"),
        QuestionResult("reply", "manual", 3.0, None, "awaiting a trainer", answer),
    )))


@pytest.fixture
def book(tmp_path):
    with Gradebook(str(tmp_path / "gradebook.sqlite")) as gradebook:
        for trainee, answer in ANSWERS.items():
            record(gradebook, trainee, answer)
        yield gradebook


def read(path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def fill(sheet: pd.DataFrame, trainee: str, empathy, solution, comment="") -> None:
    row = sheet["trainee_id"] == trainee
    sheet.loc[row, ["empathy (max 1)", "solution (max 2)", "comment"]] = [empathy, solution, comment]


def reply_row(book, trainee):
    return book.grades(SPEC.exercise, trainee).set_index("question").loc["reply"]


def test_export_has_the_answers_rubric_and_linter(book, tmp_path):
    path = export_manual(book, SPEC, tmp_path / "sheet.csv", "zh")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    sheet = read(path)
    assert list(sheet.columns) == ["exercise", "trainee_id", "question", "points", "answer", "answer_hash", "linter",
                                   "rubric", "empathy (max 1)", "solution (max 2)", "comment"]
    assert sheet["trainee_id"].tolist() == ["t1", "t2", "t3"] and set(sheet["question"]) == {"reply"}
    rows = sheet.set_index("trainee_id")
    assert rows.loc["t1", "answer"] == ANSWERS["t1"] and rows.loc["t1", "points"] == "3"
    assert rows.loc["t1", "answer_hash"] == answer_hash(ANSWERS["t1"])
    assert "这不归我管" in rows.loc["t1", "linter"] and "禁用语" in rows.loc["t1", "linter"]  # Chinese answer
    assert "banned list" in rows.loc["t2", "linter"] and "→" in rows.loc["t2", "linter"]  # English answer
    assert rows.loc["t1", "linter"].count("\n") == 2  # one line per finding: banned, no empathy, hedge
    assert rows.loc["t1", "rubric"].splitlines() == ["empathy (max 1): 先回应客户的情绪",
                                                     "solution (max 2): 给出具体的解决方案和时间"]
    assert (rows[["empathy (max 1)", "solution (max 2)", "comment"]] == "").all().all()
    english = read(export_manual(book, SPEC, tmp_path / "en.csv", "en"))
    assert english["rubric"][0].startswith("empathy (max 1): Acknowledges")


def test_round_trip_sets_manual_and_final_scores(book, tmp_path):
    path = export_manual(book, SPEC, tmp_path / "sheet.csv", "zh")
    sheet = read(path)
    fill(sheet, "t1", "0", "0.5", "推责，没有共情")
    fill(sheet, "t2", "1", "２", "Good fix; drop “Unfortunately”.")  # a full-width digit typed in Chinese input
    sheet.to_csv(path, index=False, encoding="utf-8-sig")

    assert import_manual(book, SPEC, path) == ImportSummary(graded=2, pending=1, unchanged=0)
    t1, t2, t3 = (reply_row(book, t) for t in ("t1", "t2", "t3"))
    assert (t1.manual_score, t1.final_score, t1.reason) == (0.5, 0.5, "推责，没有共情")
    assert json.loads(t1.criteria) == {"empathy": 0.0, "solution": 0.5}
    assert (t2.manual_score, t2.final_score, t2.reason) == (3.0, 3.0, "Good fix; drop “Unfortunately”.")
    assert math.isnan(t3.final_score) and t3.reason == "awaiting a trainer"  # blank = still pending
    lms = book.lms_table(SPEC.exercise).set_index("trainee_id")
    assert lms.loc["t2", "score"] == 4.0 and lms.loc["t3", "pending_manual"] == 1

    again = read(export_manual(book, SPEC, tmp_path / "again.csv", "en")).set_index("trainee_id")
    assert again.loc["t2", ["empathy (max 1)", "solution (max 2)", "comment"]].tolist() == \
        ["1", "2", "Good fix; drop “Unfortunately”."]
    assert import_manual(book, SPEC, tmp_path / "again.csv") == ImportSummary(graded=0, pending=1, unchanged=2)


def test_a_sheet_saved_as_gb18030_by_excel_imports(book, tmp_path):
    path = export_manual(book, SPEC, tmp_path / "sheet.csv", "zh")
    sheet = read(path)
    fill(sheet, "t3", "1", "2", "先共情，再给出时间，很好")
    sheet.to_csv(path, index=False, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    assert import_manual(book, SPEC, path).graded == 1
    assert reply_row(book, "t3").reason == "先共情，再给出时间，很好"


def test_bad_rows_are_all_reported_with_their_row_numbers_and_nothing_is_written(book, tmp_path):
    path = export_manual(book, SPEC, tmp_path / "sheet.csv", "en")
    sheet = read(path)
    fill(sheet, "t1", "1", "2.5")  # row 2: above the maximum 2
    fill(sheet, "t2", "good", "1")  # row 3: text in a number cell
    fill(sheet, "t3", "1", "1", "fine")  # row 4: valid, but nothing may be written
    extra = sheet.iloc[[0]].assign(trainee_id="t9")  # row 5: unknown trainee
    pd.concat([sheet, extra]).to_csv(path, index=False, encoding="utf-8-sig")

    with pytest.raises(SheetError) as err:
        import_manual(book, SPEC, path)
    assert isinstance(err.value, KitError) and err.value.rows == [2, 3, 5]
    text = err.value.render("en")
    assert "row 2: 2.5 in 'solution (max 2)' is above the criterion's maximum 2" in text
    assert "row 3: 'good' in 'empathy (max 1)' is not a number" in text
    assert "row 5: trainee 't9' has no recorded answer to reply" in text
    assert "2, 3, 5" in text and "nothing was imported" in text
    assert "第 3 行" in err.value.render("zh")
    assert all(math.isnan(reply_row(book, t).manual_score) for t in ANSWERS)


@pytest.mark.parametrize("change, problem", [
    (lambda s: s.assign(**{"empathy (max 1)": ["-1", "", ""], "solution (max 2)": ["1", "", ""]}), "negative"),
    (lambda s: s.assign(**{"empathy (max 1)": ["1", "", ""]}), "incomplete"),
    (lambda s: pd.concat([s.assign(**{"empathy (max 1)": "1", "solution (max 2)": "1"}), s.iloc[[1]]]), "duplicate"),
    (lambda s: s.assign(question=["q1", "reply", "reply"]), "unknown_question"),
    (lambda s: s.assign(exercise=["m3", "m2-reply", "m2-reply"]), "wrong_exercise"),
])
def test_other_bad_rows(book, tmp_path, change, problem):
    path = export_manual(book, SPEC, tmp_path / "sheet.csv", "en")
    change(read(path)).to_csv(path, index=False, encoding="utf-8-sig")
    with pytest.raises(SheetError) as err:
        import_manual(book, SPEC, path)
    assert problem in {p.key for p in err.value.problems}
    assert err.value.rows[0] in (2, 3, 5)


def test_a_stale_sheet_is_refused_after_the_trainee_resubmitted(book, tmp_path):
    path = export_manual(book, SPEC, tmp_path / "sheet.csv", "en")
    sheet = read(path)
    fill(sheet, "t1", "1", "2", "great")
    sheet.to_csv(path, index=False, encoding="utf-8-sig")
    record(book, "t1", "A different answer, submitted after the export.", content_hash="h2")
    with pytest.raises(SheetError) as err:
        import_manual(book, SPEC, path)
    assert err.value.rows == [2] and [p.key for p in err.value.problems] == ["answer_changed"]
    sheet.drop(columns="answer_hash").to_csv(path, index=False, encoding="utf-8-sig")  # the trainer's choice
    assert import_manual(book, SPEC, path).graded == 1


def test_missing_columns_empty_and_semicolon_sheets(book, tmp_path):
    path = export_manual(book, SPEC, tmp_path / "sheet.csv", "en")
    read(path).drop(columns="solution (max 2)").to_csv(path, index=False, encoding="utf-8-sig")
    with pytest.raises(KitError) as err:
        import_manual(book, SPEC, path)
    assert err.value.code == "manual_missing_column" and "solution (max 2)" in str(err.value)

    (tmp_path / "empty.csv").write_bytes(b"\xef\xbb\xbf")
    with pytest.raises(KitError) as err:
        import_manual(book, SPEC, tmp_path / "empty.csv")
    assert err.value.code == "manual_empty"

    sheet = read(export_manual(book, SPEC, path, "en"))
    fill(sheet, "t2", "1", "1", "ok")
    sheet.to_csv(path, index=False, sep=";", encoding="utf-8-sig")  # Excel in a comma-decimal locale
    assert import_manual(book, SPEC, path).graded == 1


def test_two_manual_questions_sharing_a_criterion_id(tmp_path):
    spec = Spec("two", "communication", (Question("a", "manual", 1.0, rubric=(Criterion("tone", 1.0, {}),)),
                                         Question("b", "manual", 2.0, rubric=(Criterion("tone", 2.0, {}),))))
    assert criterion_columns(spec) == {("a", "tone"): "a.tone (max 1)", ("b", "tone"): "b.tone (max 2)"}
    with Gradebook(str(tmp_path / "gb.sqlite")) as book:
        book.record(SubmissionResult("two", "t1", "h", GRADED, "", (
            QuestionResult("a", "manual", 1.0, None, "", "Sorry about that."),
            QuestionResult("b", "manual", 2.0, None, "", "I will call you at 5."))))
        path = export_manual(book, spec, tmp_path / "sheet.csv", "en")
        sheet = read(path)
        sheet.loc[0, "a.tone (max 1)"], sheet.loc[1, "b.tone (max 2)"] = "1", "1.5"
        sheet.loc[1, "a.tone (max 1)"] = "1"  # not a criterion of question b
        sheet.to_csv(path, index=False, encoding="utf-8-sig")
        with pytest.raises(SheetError) as err:
            import_manual(book, spec, path)
        assert [(p.row, p.key) for p in err.value.problems] == [(3, "foreign")]
        sheet.loc[1, "a.tone (max 1)"] = ""
        sheet.to_csv(path, index=False, encoding="utf-8-sig")
        assert import_manual(book, spec, path).graded == 2
        assert book.grades("two")["final_score"].tolist() == [1.0, 1.5]


def test_each_question_gets_the_checker_its_exercise_file_names(tmp_path):
    """A case review is checked as a review (its four steps), a plan by nobody, a customer reply by the reply
    linter: the trainer's sheet shows only what applies to the answer in front of them."""
    from kit.grading.authoring import build_spec, read_master

    review = "## 事实\n客户 3 月 2 日投诉包裹破损。\n## 原因\n打包标准没有写明易碎品。\n## 计划\n仓库组长 3 月 10 日前修订标准。"
    plan = "## SMART 目标\n这不归我管。"  # words the reply linter would flag in a reply to a customer
    with Gradebook(str(tmp_path / "gb.sqlite")) as book:
        for exercise, qid, answer in (("standards", "q7", review), ("capstone", "q6", plan)):
            spec = build_spec(exercise, read_master(exercise))
            question = next(q for q in spec.questions if q.qid == qid)
            book.record(SubmissionResult(exercise, "t1", f"h-{exercise}", GRADED, "", (
                QuestionResult(qid, "manual", question.points, None, "", answer),)))
            rows = [r for r in sheet_rows(export_manual(book, spec, tmp_path / f"{exercise}.csv", "zh"))
                    if r["question"] == qid]
            assert len(rows) == 1
            if exercise == "standards":
                assert rows[0]["linter"] == "缺少教训：每次复盘都要有事实、原因、教训和计划。"
            else:
                assert rows[0]["linter"] == ""
    assert _linter("这不归我管。", "reply"), "a reply still goes through the reply linter"


def test_answer_language_and_csv_quoting(book, tmp_path):
    assert answer_lang(ANSWERS["t1"]) == "zh" and answer_lang(ANSWERS["t2"]) == "en" and answer_lang("") == "en"
    record(book, "t4", 'Line one, with a comma\nand "quotes"')
    path = export_manual(book, SPEC, tmp_path / "sheet.csv", "en")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[-1]["answer"] == 'Line one, with a comma\nand "quotes"'


# --- a hostile trainee: formulas in ids and answers, long answers ------------------------------------------

HYPERLINK = '=HYPERLINK("http://x","click")'


def sheet_rows(path) -> list[dict]:
    """The sheet as Excel reads its cells: the csv module, no type guessing."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_formulas_in_ids_and_answers_are_neutralised_and_the_trainee_is_still_found(book, tmp_path):
    record(book, "=1+2", HYPERLINK)
    record(book, "'=1+2", "@SUM(A1:A9)")  # an id that already looks neutralised stays distinct from =1+2
    record(book, "-5", "-5")  # a plain number stays as it is
    path = export_manual(book, SPEC, tmp_path / "sheet.csv", "en")
    rows = {r["trainee_id"]: r for r in sheet_rows(path)}
    assert set(rows) == {"t1", "t2", "t3", "'=1+2", "''=1+2", "-5"}
    assert rows["'=1+2"]["answer"] == "'" + HYPERLINK and rows["''=1+2"]["answer"] == "'@SUM(A1:A9)"
    assert rows["-5"]["answer"] == "-5"
    assert rows["'=1+2"]["answer_hash"] == answer_hash(HYPERLINK)  # of the answer, not of the cell
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for row in rows.values() for cell in row.values())

    rows["'=1+2"].update({"empathy (max 1)": "1", "solution (max 2)": "2", "comment": "-fine, but no link"})
    rows["''=1+2"].update({"empathy (max 1)": "0", "solution (max 2)": "1", "comment": "=not a formula"})
    write_rows(path, list(rows.values()))
    assert import_manual(book, SPEC, path) == ImportSummary(graded=2, pending=4, unchanged=0)
    assert (reply_row(book, "=1+2").manual_score, reply_row(book, "=1+2").reason) == (3.0, "-fine, but no link")
    assert (reply_row(book, "'=1+2").manual_score, reply_row(book, "'=1+2").reason) == (1.0, "=not a formula")

    again = export_manual(book, SPEC, tmp_path / "again.csv", "en")  # the comments go out neutralised too …
    assert {r["trainee_id"]: r["comment"] for r in sheet_rows(again)}["'=1+2"] == "'-fine, but no link"
    assert import_manual(book, SPEC, again).unchanged == 2  # … and come back as they were


def test_the_sheet_fingerprint_is_of_the_whole_answer(book, tmp_path):
    long = "非常理解您的着急。" * 300  # 2,700 characters: more than an auto answer keeps
    book.record(SubmissionResult(SPEC.exercise, "t1", "h2", GRADED, "", (
        QuestionResult("q1", "auto", 1.0, 1.0, "right"),
        QuestionResult("reply", "manual", 3.0, None, "", **answer_fields(MANUAL, long)))))
    path = export_manual(book, SPEC, tmp_path / "sheet.csv", "en")
    row = next(r for r in sheet_rows(path) if r["trainee_id"] == "t1")
    assert row["answer"] == long
    assert row["answer_hash"] == fingerprint(reply_row(book, "t1").answer_hash) == "sha256:" + digest(long)[:12]
    row.update({"empathy (max 1)": "1", "solution (max 2)": "2"})
    write_rows(path, [row])
    changed = long[:2500] + "我明天再回复您。" + long[2508:]  # a change at character 2,500
    book.record(SubmissionResult(SPEC.exercise, "t1", "h3", GRADED, "", (
        QuestionResult("q1", "auto", 1.0, 1.0, "right"),
        QuestionResult("reply", "manual", 3.0, None, "", **answer_fields(MANUAL, changed)))))
    with pytest.raises(SheetError) as err:
        import_manual(book, SPEC, path)
    assert [p.key for p in err.value.problems] == ["answer_changed"]


def test_rows_recorded_before_hashes_were_kept_fingerprint_their_answer(book, tmp_path):
    with book.engine.begin() as conn:  # as a gradebook from before the answer_hash column
        conn.exec_driver_sql("UPDATE grades SET answer_hash = NULL")
    path = export_manual(book, SPEC, tmp_path / "sheet.csv", "en")
    assert [r["answer_hash"] for r in sheet_rows(path)] == [answer_hash(ANSWERS[t]) for t in ("t1", "t2", "t3")]
    rows = sheet_rows(path)
    rows[0].update({"empathy (max 1)": "1", "solution (max 2)": "1"})
    write_rows(path, rows)
    assert import_manual(book, SPEC, path).graded == 1
