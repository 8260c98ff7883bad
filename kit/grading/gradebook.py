"""The gradebook: one row per submission and one per trainee × question, in any SQLAlchemy database.

An SQLite file by default (``KIT_GRADEBOOK`` or ``gradebook.sqlite`` in the current directory); any SQLAlchemy URL
is accepted (tested: SQLite and ``postgresql+psycopg://``). SQLAlchemy Core, two tables:

- ``submissions`` (exercise, trainee): content_hash, status, reason, duration_s, graded_at (UTC), grader (host:pid),
  file_name (the stem of the trainee's executed notebook and feedback page, :func:`~kit.grading.results.output_name`);
- ``grades`` (exercise, trainee, question): position (notebook order), kind, points, auto_score, manual_score,
  final_score, reason, answer, criteria (JSON text of the rubric scores), updated_at, answer_hash (SHA-256 of the
  whole answer; ``answer`` is clipped for auto-graded questions).
  ``final_score`` is ``manual_score`` when a trainer has scored the question, else ``auto_score``; a manual question
  not scored yet has a NULL final score (pending).

Columns added after the first release are nullable and appended: opening a gradebook created before them adds them
(``ALTER TABLE … ADD COLUMN``, rows written before stay NULL there).

:meth:`Gradebook.record` writes a submission and all its question rows in one transaction, so a batch killed midway
leaves each submission fully recorded or absent, and a rerun skips what :meth:`Gradebook.is_current` says is done.
Two graders may write at once: SQLite runs in WAL mode with a 30 s busy timeout and ``BEGIN IMMEDIATE``
transactions (one writer at a time, readers never blocked); PostgreSQL uses ``INSERT … ON CONFLICT DO UPDATE``
after locking the submission row; other databases a select-then-update/insert in one transaction. Lock and
serialization failures are retried. Passwords never appear in messages: URLs are shown masked.
"""

from __future__ import annotations

import json
import math
import os
import random
import socket
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from kit.data.spreadsheet import neutralise_frame
from kit.errors import KitError
from kit.grading.results import SubmissionResult
from kit.i18n import t

DEFAULT_URL = "sqlite:///gradebook.sqlite"
ENV = "KIT_GRADEBOOK"
BUSY_TIMEOUT_S = 30
RETRIES = 6
LMS_COLUMNS = ["trainee_id", "exercise", "score", "max_points", "percent", "pending_manual", "status", "reason",
               "graded_at"]
QUESTION_COLUMNS = ["trainee_id", "exercise", "question", "kind", "points", "auto_score", "manual_score",
                    "final_score", "pending_manual", "reason", "updated_at"]
DRIVER_PACKAGES = {"psycopg": "psycopg[binary]", "psycopg2": "psycopg2-binary", "pg8000": "pg8000",
                   "asyncpg": "asyncpg", "pymysql": "pymysql", "mysqldb": "mysqlclient", "pyodbc": "pyodbc",
                   "oracledb": "oracledb", "cx_oracle": "cx_Oracle"}
_PG_LOCK_ID = 0x6B69745F6762  # advisory lock serialising CREATE TABLE between graders ("kit_gb")

metadata = sa.MetaData()
ID = sa.String(255)

submissions_table = sa.Table(
    "submissions", metadata,
    sa.Column("exercise", ID, primary_key=True),
    sa.Column("trainee", ID, primary_key=True),
    sa.Column("content_hash", sa.String(128), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("duration_s", sa.Float, nullable=False),
    sa.Column("graded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("grader", sa.String(255), nullable=False),
    sa.Column("file_name", sa.String(255), nullable=True),  # added later: nullable, see _add_missing_columns
)

grades_table = sa.Table(
    "grades", metadata,
    sa.Column("exercise", ID, primary_key=True),
    sa.Column("trainee", ID, primary_key=True),
    sa.Column("question", ID, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("points", sa.Float, nullable=False),
    sa.Column("auto_score", sa.Float, nullable=True),
    sa.Column("manual_score", sa.Float, nullable=True),
    sa.Column("final_score", sa.Float, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("criteria", sa.Text, nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("answer_hash", sa.String(64), nullable=True),  # added later: nullable, see _add_missing_columns
)

SUBMISSION_KEY = ("exercise", "trainee")
GRADE_KEY = ("exercise", "trainee", "question")


def resolve_url(url: str | None = None) -> str:
    """The gradebook URL: ``url``, else ``KIT_GRADEBOOK``, else ``gradebook.sqlite`` here; a plain path is SQLite.

    >>> resolve_url("books/cohort1.sqlite").startswith("sqlite:///") and resolve_url("books/cohort1.sqlite").endswith("cohort1.sqlite")
    True
    """
    url = url or os.environ.get(ENV) or DEFAULT_URL
    if "://" not in url:
        return "sqlite:///" + str(Path(url).expanduser().resolve())
    return url


def mask(url: str) -> str:
    """``url`` with its password hidden (``***``), for messages and logs.

    >>> mask("postgresql+psycopg://kit:s3cret@db:5432/grades")
    'postgresql+psycopg://kit:***@db:5432/grades'
    """
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return url.split("@")[-1] if "@" in url else url


def now() -> datetime:
    return datetime.now(UTC)


def grader_id() -> str:
    """``host:pid`` of this grading process."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Gradebook:
    """One gradebook database; creates its tables when missing. Use as a context manager or call :meth:`close`."""

    def __init__(self, url: str | None = None):
        raw = resolve_url(url)
        self.url = mask(raw)  # never the password
        try:
            parsed = sa.engine.make_url(raw)
        except sa_exc.ArgumentError as exc:
            raise KitError("gradebook_bad_url", url=self.url, detail=_detail(exc, raw)) from None
        self._password = parsed.password
        try:
            self.engine = sa.create_engine(parsed, **_engine_options(parsed))
        except sa_exc.NoSuchModuleError as exc:
            raise KitError("gradebook_bad_url", url=self.url, detail=_detail(exc, raw)) from None
        except ImportError as exc:
            driver = parsed.get_driver_name()
            package = DRIVER_PACKAGES.get(driver.lower(), exc.name or driver)
            raise KitError("gradebook_driver_missing", url=self.url, driver=driver, package=package) from None
        self.dialect = self.engine.dialect.name
        if self.dialect == "sqlite":
            _sqlite_events(self.engine)
        try:
            self._transact(self._create_tables)
        except sa_exc.DBAPIError as exc:  # refused, bad password, no such database, not an SQLite file …
            self.engine.dispose()
            raise KitError("gradebook_unreachable", url=self.url, detail=self._detail(exc)) from None

    def __repr__(self) -> str:
        return f"Gradebook({self.url!r})"

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # --- writing ----------------------------------------------------------------------------------------

    def is_current(self, exercise: str, trainee: str, content_hash: str) -> bool:
        """True when the stored submission of ``trainee`` has ``content_hash`` (a batch skips it)."""
        s = submissions_table.c
        query = sa.select(s.content_hash).where(s.exercise == exercise, s.trainee == trainee)
        with self._read() as conn:
            return conn.execute(query).scalar_one_or_none() == content_hash

    def record(self, result: SubmissionResult) -> None:
        """Write one graded submission — its row and all its question rows — in one transaction.

        Grade rows of questions the submission no longer has are deleted. A manual score survives a regrade
        when the answer is unchanged — the same ``answer_hash`` (the whole answer), or the same stored ``answer``
        when either side has no hash; when the answer (or the question's points) changed it is cleared and the
        reason says why. ``file_name`` is ``result.file_name``.
        """
        self._transact(lambda conn: self._record(conn, result))

    def set_manual(self, exercise: str, trainee: str, qid: str, score: float | None, *,
                   criteria: dict | None = None, comment: str = "") -> None:
        """A trainer's score for one question (0 ≤ score ≤ points); ``comment`` becomes the reason.
        ``score=None`` clears the manual score (a manual question is pending again)."""
        self.set_manual_many([(exercise, trainee, qid, score, criteria, comment)])

    def set_manual_many(self, entries: Iterable[tuple]) -> None:
        """Several :meth:`set_manual` calls — ``(exercise, trainee, qid, score, criteria, comment)`` tuples —
        in one transaction: all are written or none."""
        entries = list(entries)

        def work(conn):
            for exercise, trainee, qid, score, criteria, comment in entries:
                self._set_manual(conn, exercise, trainee, qid, score, criteria, comment)

        self._transact(work)

    # --- reading ----------------------------------------------------------------------------------------

    def grades(self, exercise: str | None = None, trainee: str | None = None) -> pd.DataFrame:
        """One row per trainee × question (notebook order); scores NaN when NULL, ``updated_at`` in UTC."""
        g = grades_table.c
        query = sa.select(grades_table)
        if exercise is not None:
            query = query.where(g.exercise == exercise)
        if trainee is not None:
            query = query.where(g.trainee == trainee)
        frame = self._frame(query.order_by(g.exercise, g.trainee, g.position, g.question), grades_table)
        for column in ("points", "auto_score", "manual_score", "final_score"):
            frame[column] = frame[column].astype(float)
        frame["position"] = frame["position"].astype(int)
        frame["updated_at"] = pd.to_datetime(frame["updated_at"], utc=True)
        return frame

    def submissions(self, exercise: str | None = None) -> pd.DataFrame:
        """One row per submission: hash, status, reason, duration, when (UTC), by which grader, and the
        ``file_name`` of the trainee's executed notebook and feedback page (None for rows recorded before it was
        kept)."""
        s = submissions_table.c
        query = sa.select(submissions_table)
        if exercise is not None:
            query = query.where(s.exercise == exercise)
        frame = self._frame(query.order_by(s.exercise, s.trainee), submissions_table)
        frame["duration_s"] = frame["duration_s"].astype(float)
        frame["graded_at"] = pd.to_datetime(frame["graded_at"], utc=True)
        return frame

    def lms_table(self, exercise: str | None = None) -> pd.DataFrame:
        """One row per trainee × exercise for an LMS import (columns :data:`LMS_COLUMNS`).

        ``score`` sums the final scores (a pending manual question counts 0 and is counted in ``pending_manual``);
        ``max_points`` sums the points of all recorded questions; ``percent`` = 100 · score / max_points
        (empty when there are no points, e.g. a submission that could not be run).
        """
        subs = self.submissions(exercise)
        grades = self.grades(exercise)
        grades["pending"] = grades["final_score"].isna() & (grades["kind"] == "manual")
        totals = (grades.groupby(["exercise", "trainee"], sort=False)
                  .agg(score=("final_score", "sum"), max_points=("points", "sum"), pending_manual=("pending", "sum"))
                  .reset_index())
        table = subs.merge(totals, on=["exercise", "trainee"], how="left")
        table["score"] = table["score"].fillna(0.0).astype(float).round(4)
        table["max_points"] = table["max_points"].fillna(0.0).astype(float).round(4)
        table["pending_manual"] = table["pending_manual"].fillna(0).astype(int)
        ratio = table["score"] / table["max_points"].where(table["max_points"] > 0)
        table["percent"] = (100 * ratio).round(1)
        table = table.rename(columns={"trainee": "trainee_id"})
        return table[LMS_COLUMNS].reset_index(drop=True)

    def export_csv(self, path: str | Path, exercise: str | None = None, by: str = "exercise") -> Path:
        """Write the LMS table (``by="exercise"``) or one row per trainee × question (``by="question"``) as
        CSV in UTF-8 with a byte-order mark, so Excel shows Chinese correctly. Times are ISO 8601 UTC. Text cells
        that a spreadsheet would run as formulas are quoted (:func:`kit.data.spreadsheet.neutralise`)."""
        if by == "exercise":
            table = self.lms_table(exercise)
        elif by == "question":
            table = self.grades(exercise)
            table["pending_manual"] = table["final_score"].isna() & (table["kind"] == "manual")
            table = table.rename(columns={"trainee": "trainee_id"})[QUESTION_COLUMNS]
        else:
            raise KitError("gradebook_bad_layout", value=by, choices="exercise, question")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        table = neutralise_frame(table, reversible=True)  # ids stay distinct: "'=1+2" → "''=1+2"
        table.to_csv(path, index=False, encoding="utf-8-sig", date_format="%Y-%m-%dT%H:%M:%SZ")
        return path

    # --- internals --------------------------------------------------------------------------------------

    def _create_tables(self, conn) -> None:
        if self.dialect == "postgresql":  # two graders creating the tables at once would collide in pg_type
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
        metadata.create_all(conn)
        _add_missing_columns(conn)

    def _record(self, conn, result: SubmissionResult) -> None:
        stamp, g = now(), grades_table.c
        # The submission row first: on PostgreSQL its row lock serialises writers of the same submission, so the
        # grade rows read below are the latest committed ones.
        self._upsert(conn, submissions_table, SUBMISSION_KEY, [{
            "exercise": result.exercise, "trainee": result.trainee, "content_hash": result.content_hash,
            "status": result.status, "reason": result.reason, "duration_s": float(result.duration_s),
            "graded_at": stamp, "grader": grader_id(), "file_name": result.file_name,
        }])
        mine = (g.exercise == result.exercise) & (g.trainee == result.trainee)
        old = {row.question: row for row in conn.execute(sa.select(grades_table).where(mine))}
        qids = [q.qid for q in result.questions]
        stale = [qid for qid in old if qid not in qids]
        if stale:
            conn.execute(sa.delete(grades_table).where(mine, g.question.in_(stale)))
        rows = []
        for position, q in enumerate(result.questions):
            manual, criteria, reason = None, None, q.reason
            before = old.get(q.qid)
            if before is not None and before.manual_score is not None:
                if _answer_changed(before, q):
                    reason = _join(q.reason, t("gradebook.answer_changed"))
                elif float(before.points) != float(q.points) or before.manual_score > q.points:
                    reason = _join(q.reason, t("gradebook.points_changed"))
                else:
                    manual, criteria, reason = before.manual_score, before.criteria, before.reason
            auto = None if q.score is None else float(q.score)
            rows.append({
                "exercise": result.exercise, "trainee": result.trainee, "question": q.qid, "position": position,
                "kind": q.kind, "points": float(q.points), "auto_score": auto, "manual_score": manual,
                "final_score": manual if manual is not None else auto, "reason": reason, "answer": q.answer,
                "criteria": criteria, "updated_at": stamp, "answer_hash": q.answer_hash or None,
            })
        self._upsert(conn, grades_table, GRADE_KEY, rows)

    def _set_manual(self, conn, exercise, trainee, qid, score, criteria, comment) -> None:
        s, g = submissions_table.c, grades_table.c
        # lock the submission (PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the write lock)
        conn.execute(sa.select(s.content_hash).where(s.exercise == exercise, s.trainee == trainee).with_for_update())
        where = (g.exercise == exercise) & (g.trainee == trainee) & (g.question == qid)
        row = conn.execute(sa.select(g.points, g.auto_score).where(where)).one_or_none()
        if row is None:
            raise KitError("gradebook_unknown_grade", exercise=exercise, trainee=trainee, qid=qid)
        if score is not None:
            try:
                score = float(score)
            except (TypeError, ValueError):
                score = math.nan
            if not 0 <= score <= row.points:  # also refuses NaN
                raise KitError("gradebook_score_out_of_range", exercise=exercise, trainee=trainee, qid=qid,
                               score=score, points=row.points)
        final = score if score is not None else row.auto_score
        conn.execute(sa.update(grades_table).where(where).values(
            manual_score=score, final_score=final, reason=comment or "",
            criteria=None if criteria is None else json.dumps(criteria, ensure_ascii=False, sort_keys=True),
            updated_at=now()))

    def _upsert(self, conn, table: sa.Table, key: tuple[str, ...], rows: list[dict]) -> None:
        """Insert ``rows`` or update them where the primary key exists (one statement where the dialect can)."""
        if not rows:
            return
        if self.dialect in ("postgresql", "sqlite"):
            if self.dialect == "postgresql":
                from sqlalchemy.dialects.postgresql import insert
            else:
                from sqlalchemy.dialects.sqlite import insert
            stmt = insert(table)
            stmt = stmt.on_conflict_do_update(
                index_elements=list(key),
                set_={c.name: stmt.excluded[c.name] for c in table.columns if c.name not in key})
            conn.execute(stmt, rows)
            return
        for row in rows:  # generic: update, else insert (the transaction makes it one change)
            where = sa.and_(*(table.c[k] == row[k] for k in key))
            values = {k: v for k, v in row.items() if k not in key}
            if conn.execute(sa.update(table).where(where).values(**values)).rowcount == 0:
                conn.execute(sa.insert(table).values(**row))

    def _transact(self, work: Callable):
        """Run ``work(conn)`` in one write transaction, retrying on lock, deadlock and serialization errors."""
        for attempt in range(RETRIES):
            try:
                with self.engine.begin() as conn:
                    return work(conn)
            except sa_exc.DBAPIError as exc:
                if not _retryable(exc) or attempt == RETRIES - 1:
                    if _retryable(exc):
                        raise KitError("gradebook_busy", url=self.url, detail=self._detail(exc)) from None
                    raise
                time.sleep(random.uniform(0.05, 0.2) * 2 ** attempt)
        return None  # pragma: no cover

    def _read(self):
        """A connection for reading (SQLite: a deferred transaction, never waiting for a writer)."""
        return self.engine.connect().execution_options(kit_read=True)

    def _frame(self, query, table: sa.Table) -> pd.DataFrame:
        with self._read() as conn:
            rows = conn.execute(query).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=[c.name for c in table.columns])

    def _detail(self, exc: Exception) -> str:
        return _detail(exc, self._password)


def _engine_options(url: sa.engine.URL) -> dict:
    if url.get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": BUSY_TIMEOUT_S}}
    if url.get_backend_name() == "postgresql":
        return {"pool_pre_ping": True}
    return {}


def _sqlite_events(engine: sa.engine.Engine) -> None:
    """WAL, a busy timeout and ``BEGIN IMMEDIATE`` writes (SQLAlchemy's pysqlite recipe for real transactions)."""

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # pysqlite emits no BEGIN of its own; we do, below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")  # in WAL mode: safe when a process is killed
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(conn):
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("kit_read") else "BEGIN IMMEDIATE")


def _retryable(exc: sa_exc.DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if sqlstate in ("40001", "40P01", "55P03"):  # serialization failure, deadlock, lock not available
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database table is locked" in text


def _detail(exc: Exception, password: str | None) -> str:
    """The driver's message on one line, with the password (if it shows up at all) replaced."""
    text = " ".join(str(getattr(exc, "orig", None) or exc).split())
    return text.replace(password, "***") if password else text


def _add_missing_columns(conn) -> None:
    """Bring a gradebook created by an older kit up to :data:`metadata`: add every column it lacks (they are all
    nullable, so existing rows get NULL). Runs in the table-creating transaction (PostgreSQL: under its lock)."""
    inspector = sa.inspect(conn)
    quote = conn.dialect.identifier_preparer.quote
    for table in metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable:  # a programming error: new columns must be nullable
                raise RuntimeError(f"cannot add the NOT NULL column {table.name}.{column.name} to an old gradebook")
            kind = column.type.compile(dialect=conn.dialect)
            conn.execute(sa.text(f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column.name)} {kind}"))


def _answer_changed(before, question) -> bool:
    """Whether ``question``'s answer differs from the stored row ``before``: by the hash of the whole answer when
    both have one, else by the stored (possibly clipped) text."""
    if before.answer_hash and question.answer_hash:
        return before.answer_hash != question.answer_hash
    return before.answer != question.answer


def _join(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


__all__ = ["DEFAULT_URL", "ENV", "LMS_COLUMNS", "QUESTION_COLUMNS", "Gradebook", "mask", "resolve_url"]
