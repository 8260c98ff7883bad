"""kit.cohort: a cohort's tables from a data folder, with exercise marks from a gradebook when given."""

import shutil

import pandas as pd
import pytest

from kit import cohort
from kit.data import io
from kit.errors import KitError
from kit.grading.gradebook import Gradebook
from kit.grading.results import GRADED, QuestionResult, SubmissionResult
from kit.paths import SAMPLE


@pytest.fixture(scope="module")
def sample_a():
    return cohort.load("2025-A", SAMPLE)


def test_a_cohort_keeps_only_its_trainees_in_every_table(sample_a):
    roster = io.load(SAMPLE / "trainees.csv", "trainees")[0]
    ids = set(roster.loc[roster["cohort"] == "2025-A", "trainee_id"])
    assert set(sample_a.trainees["trainee_id"]) == ids and len(ids) == 24
    for table in (sample_a.marks, sample_a.reaction, sample_a.observations, sample_a.ninegrid):
        assert set(table["trainee_id"]) <= ids and len(table)
    assert set(sample_a.survey["agent_id"]) <= ids and len(sample_a.survey) > 100
    assert list(sample_a.survey.columns) == list(cohort.SURVEY_COLUMNS)
    assert sample_a.unknown_trainees == () and str(SAMPLE) in sample_a.source


def test_everyone_when_no_cohort_is_given():
    everyone = cohort.load(None, SAMPLE)
    assert len(everyone.trainees) == 48 and everyone.marks["trainee_id"].nunique() == 48


def test_missing_tables_are_none_and_the_roster_is_required(tmp_path):
    shutil.copy(SAMPLE / "trainees.csv", tmp_path / "trainees.csv")
    only = cohort.load(None, tmp_path)
    assert only.marks is None and only.survey is None and len(only.trainees) == 48
    (tmp_path / "trainees.csv").unlink()
    with pytest.raises(KitError) as error:
        cohort.load(None, tmp_path)
    assert error.value.code == "cohort_no_roster" and str(tmp_path) in str(error.value)
    with pytest.raises(KitError, match="nowhere"):
        cohort.load(None, tmp_path / "nowhere")


def test_an_unknown_cohort_names_the_known_ones():
    with pytest.raises(KitError) as error:
        cohort.load("2024-Z", SAMPLE)
    assert "2024-Z" in str(error.value) and "2025-A, 2025-B" in str(error.value)


def test_find_table_accepts_excel_and_parquet(tmp_path):
    roster = io.load(SAMPLE / "trainees.csv", "trainees")[0]
    io.save(roster, tmp_path / "trainees.xlsx", "trainees", lang="zh")
    assert cohort.find_table(tmp_path, "trainees") == tmp_path / "trainees.xlsx"
    assert cohort.find_table(tmp_path, "marks") is None
    assert len(cohort.load(None, tmp_path).trainees) == 48


def _record(book, exercise, trainee, scores):
    questions = tuple(
        QuestionResult(f"q{i + 1}", "manual" if score is None else "auto", points, score, "")
        for i, (score, points) in enumerate(scores)
    )
    book.record(SubmissionResult(exercise, trainee, f"hash-{trainee}", GRADED, questions=questions))


def test_exercise_marks_come_from_the_gradebook(tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.sqlite'}"
    with Gradebook(url) as book:
        _record(book, "metrics", "S001", [(2.0, 2.0), (1.0, 3.0), (None, 4.0)])
        _record(book, "needs", "S002", [(5.0, 5.0)])
        _record(book, "standards", "S002", [(1.0, 1.0)])
        _record(book, "capstone", "S002", [(2.0, 2.0)])
        _record(book, "metrics", "X999", [(1.0, 2.0)])  # not on the roster
    data = cohort.load("2025-A", SAMPLE, gradebook=url)
    exercises = data.marks[data.marks["phase"] == "exercise"]
    assert set(exercises["exercise_id"]) == {"metrics", "needs", "standards", "capstone"}, \
        "the file's exercise rows are replaced"
    assert set(exercises.loc[exercises["exercise_id"] == "standards", "module"]) == {"M5"}
    assert set(exercises.loc[exercises["exercise_id"] == "capstone", "module"]) == {"M6"}
    s001 = exercises[exercises["trainee_id"] == "S001"].sort_values("item")
    assert s001["score"].tolist()[:2] == [2.0, 1.0] and pd.isna(s001["score"].iloc[2])
    assert s001["max_score"].tolist() == [2.0, 3.0, 4.0] and set(s001["module"]) == {"M4"}
    assert s001["graded_by"].tolist() == ["auto", "auto", "trainer"]
    assert (data.marks["phase"] != "exercise").sum() > 0, "pre and post tests stay from marks.csv"
    assert data.unknown_trainees == ("X999",) and "gradebook.sqlite" in data.source
    assert data.marks.dtypes.equals(cohort.load("2025-A", SAMPLE).marks.dtypes)


def test_a_trainee_comes_with_their_own_cohort():
    data = cohort.of_trainee("S030", SAMPLE)
    assert data.cohort == "2025-B" and "S030" in set(data.trainees["trainee_id"]) and len(data.trainees) == 24
    with pytest.raises(KitError) as error:
        cohort.of_trainee("S999", SAMPLE)
    assert error.value.code == "report_unknown_trainee" and "S999" in str(error.value)


def test_check_reads_only_the_roster_and_fails_like_load(tmp_path):
    cohort.check("2025-A", SAMPLE)
    with pytest.raises(KitError, match="2030-Z"):
        cohort.check("2030-Z", SAMPLE)
    with pytest.raises(KitError) as error:
        cohort.check(None, tmp_path)
    assert error.value.code == "cohort_no_roster"
    with pytest.raises(KitError):
        cohort.check(None, SAMPLE, gradebook="nosuchdb://x")


def test_every_graded_exercise_has_its_module():
    from kit.grading.variants import EXERCISES

    assert set(cohort.EXERCISE_MODULES) == set(EXERCISES)
    assert sorted(cohort.EXERCISE_MODULES.values()) == ["M1", "M2", "M3", "M4", "M5", "M6"]
