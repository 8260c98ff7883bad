"""A training cohort's records, gathered for the cohort and trainee reports.

The tables come from a folder of exports in the kit's schemas (``trainees``, ``marks``, ``reaction``,
``observations``, ``ninegrid``, ``survey_responses``; CSV, Excel or Parquet, one file per table, named by
its kind — ``data/sample`` holds the synthetic ones of :func:`kit.data.synth.sample`). With a gradebook, the
exercise marks come from the grading database instead of ``marks``: one row per trainee × question,
final score out of the question's points. Only the roster table is required; any other table may be
absent, and the reports say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kit.data.io import SUPPORTED, LoadReport
from kit.errors import KitError

TABLES = ("trainees", "marks", "reaction", "observations", "ninegrid", "survey_responses")
EXERCISE_MODULES = {"needs": "M1", "communication": "M2", "recovery": "M3", "metrics": "M4", "standards": "M5",
                    "capstone": "M6"}
"""Course module of each graded exercise (lessons 01–05 and the capstone, 06)."""
SURVEY_COLUMNS = ("response_id", "customer_id", "submitted_at", "agent_id", "nps", "csat")
"""What the reports need of the survey (the trainees' customers, Kirkpatrick level 4)."""


@dataclass
class Cohort:
    """The records of one cohort; a table is None when the data folder has no file for it."""

    cohort: str | None
    source: str
    trainees: pd.DataFrame
    marks: pd.DataFrame | None = None
    reaction: pd.DataFrame | None = None
    observations: pd.DataFrame | None = None
    ninegrid: pd.DataFrame | None = None
    survey: pd.DataFrame | None = None
    plans: pd.DataFrame | None = None
    reports: list[LoadReport] = field(default_factory=list)
    unknown_trainees: tuple[str, ...] = ()
    """Trainee ids found in the gradebook or the marks but not on the roster (left out of the reports)."""


def find_table(data_dir: str | Path, kind: str) -> Path | None:
    """The file holding table ``kind`` in ``data_dir`` (``<kind>.csv``, ``.xlsx``, ``.parquet`` …), or None."""
    for suffix in SUPPORTED:
        path = Path(data_dir) / f"{kind}{suffix}"
        if path.is_file():
            return path
    return None


def load(cohort: str | None = None, data_dir: str | Path = "data/sample", gradebook: str | None = None) -> Cohort:
    """The tables of ``cohort`` (a value of the roster's ``cohort`` column; None = every trainee) from
    ``data_dir``, every table limited to that cohort's trainees; exercise marks from ``gradebook`` (a
    SQLAlchemy URL) when given. Raises :class:`~kit.errors.KitError` when the folder has no roster or the
    cohort is not in it."""
    tables, reports, source = _read(data_dir, gradebook)
    _check_cohort(tables["trainees"], cohort, reports[0].path)
    return _limit(tables, cohort, reports, source)


def check(cohort: str | None = None, data_dir: str | Path = "data/sample", gradebook: str | None = None) -> None:
    """What :func:`load` would refuse, found by reading only the roster (and opening the gradebook): a missing
    folder or roster, an unknown cohort, a gradebook that cannot be opened. Cheap, for a command to fail fast."""
    from kit.data import io
    from kit.paths import resolve

    folder = _folder(resolve(data_dir))
    roster, report = io.load(_roster_path(folder), "trainees")
    _check_cohort(roster, cohort, report.path)
    if gradebook is not None:
        from kit.grading.gradebook import Gradebook

        Gradebook(gradebook).close()


def _folder(data_dir: Path) -> Path:
    if not data_dir.is_dir():
        raise KitError("cohort_no_folder", file=data_dir)
    return data_dir


def _roster_path(data_dir: Path) -> Path:
    path = find_table(data_dir, "trainees")
    if path is None:
        raise KitError("cohort_no_roster", file=data_dir)
    return path


def _check_cohort(roster: pd.DataFrame, cohort: str | None, path: Path) -> None:
    if cohort is not None and cohort not in set(roster["cohort"].dropna()):
        known = ", ".join(sorted(roster["cohort"].dropna().unique()))
        raise KitError("cohort_unknown", file=path, value=cohort, known=known)


def of_trainee(trainee_id: str, data_dir: str | Path = "data/sample", gradebook: str | None = None) -> Cohort:
    """The tables of the cohort ``trainee_id`` belongs to (everyone when the roster gives no cohort), for
    comparing a trainee with their peers. Raises :class:`~kit.errors.KitError` for an id not on the roster."""
    tables, reports, source = _read(data_dir, gradebook)
    roster = tables["trainees"]
    row = roster[roster["trainee_id"] == trainee_id]
    if row.empty:
        raise KitError("report_unknown_trainee", value=trainee_id, file=reports[0].path)
    cohort = row["cohort"].iloc[0]
    return _limit(tables, None if pd.isna(cohort) else cohort, reports, source)


def _read(data_dir, gradebook: str | None) -> tuple[dict, list[LoadReport], str]:
    """Every table found in ``data_dir`` (the roster first, required), exercise marks from ``gradebook``."""
    from kit.data import io
    from kit.paths import resolve

    data_dir = _folder(resolve(data_dir))
    _roster_path(data_dir)
    tables, reports = {}, []
    for kind in TABLES:
        path = find_table(data_dir, kind)
        if path is not None:
            tables[kind], report = io.load(path, kind, only=SURVEY_COLUMNS if kind == "survey_responses" else None)
            reports.append(report)
    source = str(data_dir)
    if gradebook is not None:
        from kit.grading.gradebook import mask

        tables["marks"], source = _with_gradebook(tables.get("marks"), gradebook), f"{data_dir} + {mask(gradebook)}"
        plans = capstone_plans(gradebook)
        if plans is not None:
            tables["plans"] = plans
    return tables, reports, source


def _limit(tables: dict, cohort: str | None, reports: list[LoadReport], source: str) -> Cohort:
    """A :class:`Cohort` of ``cohort``'s trainees (None = all), every table limited to them."""
    roster = tables["trainees"]
    trainees = roster if cohort is None else roster[roster["cohort"] == cohort].reset_index(drop=True)
    ids, known = set(trainees["trainee_id"]), set(roster["trainee_id"])
    unknown, limited = set(), {}
    for kind in ("marks", "reaction", "observations", "ninegrid", "plans"):
        if kind in tables:
            table = tables[kind]
            unknown |= set(table["trainee_id"]) - known
            limited[kind] = table[table["trainee_id"].isin(ids)].reset_index(drop=True)
    survey = tables.get("survey_responses")
    if survey is not None:
        survey = survey.loc[survey["agent_id"].isin(ids), [c for c in SURVEY_COLUMNS if c in survey]].reset_index(drop=True)
    return Cohort(cohort, source, trainees, survey=survey, reports=reports, unknown_trainees=tuple(sorted(unknown)), **limited)


def gradebook_marks(url: str) -> pd.DataFrame:
    """The gradebook's grades as ``marks`` rows: one per trainee × question, ``phase="exercise"``, the final
    score (NaN while a manual question waits for its grade) out of the question's points."""
    from kit.data.schemas import get_schema
    from kit.grading.gradebook import Gradebook

    with Gradebook(url) as book:
        grades = book.grades()
    marks = pd.DataFrame(
        {
            "trainee_id": grades["trainee"],
            "module": grades["exercise"].map(EXERCISE_MODULES),
            "exercise_id": grades["exercise"],
            "item": grades["question"],
            "attempt": 1,
            "score": grades["final_score"],
            "max_score": grades["points"],
            "graded_by": grades["kind"].map({"auto": "auto", "manual": "trainer"}),
            "phase": "exercise",
        }
    )
    types = {"attempt": "Int64", "score": "Float64", "max_score": "Float64"}
    return marks.astype({f.name: types.get(f.name, "string") for f in get_schema("marks").fields})


def capstone_plans(url: str) -> pd.DataFrame | None:
    """The capstone's action plans in the gradebook, as the trainees wrote them: one row per trainee with their
    SMART goal (question q5) and their 7-field plan (q6, Markdown); None when nobody has handed it in."""
    from kit.grading.gradebook import Gradebook

    with Gradebook(url) as book:
        grades = book.grades(exercise="capstone")
    answers = grades[grades["question"].isin(["q5", "q6"])]
    if answers.empty:
        return None
    wide = answers.set_index(["trainee", "question"])["answer"].unstack().reindex(columns=["q5", "q6"])
    return pd.DataFrame({"trainee_id": wide.index.astype(str), "goal": wide["q5"].fillna("").to_numpy(),
                         "plan": wide["q6"].fillna("").to_numpy()})


def _with_gradebook(marks: pd.DataFrame | None, url: str) -> pd.DataFrame:
    """``marks`` with its exercise rows replaced by the gradebook's (tests stay from the file)."""
    graded = gradebook_marks(url)
    if marks is None:
        return graded
    return pd.concat([marks[marks["phase"] != "exercise"], graded[list(marks.columns)]], ignore_index=True)

