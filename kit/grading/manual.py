"""Manual grading as a CSV round trip: export the free-text answers with their rubric, let a trainer fill in
the criteria in Excel or WPS, import the scores into the gradebook.

The sheet has one row per trainee × manually graded question and **stable English column ids** (whatever the
trainer's language, so a sheet exported in one language imports anywhere):

=====================  ==========================================================================================
``exercise``           the exercise id (checked on import)
``trainee_id``         the trainee
``question``           the question id
``points``             the question's maximum
``answer``             the trainee's text
``answer_hash``        ``sha256:`` + the first 12 hex digits of the gradebook's ``answer_hash`` (SHA-256 of the
                       whole answer); on import a different current answer (the trainee resubmitted) refuses the
                       row — re-export. Delete the column to skip the check.
``linter``             the reply linter's findings (:func:`kit.communication.lint_reply`, in the answer's
                       language: Chinese when it has CJK characters), one per line: message → suggestion
``rubric``             the criteria in the export language, one per line: ``cid (max n): wording``
``<cid> (max <n>)``    one column per rubric criterion, to fill with 0 … n; pre-filled when already graded.
                       When two manual questions share a criterion id the column is ``<qid>.<cid> (max <n>)``;
                       a cell of a criterion that is not the row's question's must stay blank.
``comment``            the trainer's comment: it becomes the question's reason in the gradebook and feedback
=====================  ==========================================================================================

Every cell that a spreadsheet would run as a formula (a trainee's answer ``=HYPERLINK(…)``, a trainee called
``=1+2``) is written with a leading ``'`` (:func:`kit.data.spreadsheet.neutralise` in its reversible form, so ``'=1+2``
becomes ``''=1+2`` and stays distinct) and read back with one quote less (:func:`kit.data.spreadsheet.restore`), so the
trainee ``=1+2`` is still found on import.

Import reads UTF-8 (with or without BOM), UTF-16 and GB18030 (Excel on Chinese Windows), comma, semicolon or tab
separated. It validates every row before writing anything and reports all problems in one error with spreadsheet
row numbers (header = row 1). A row whose criteria are all blank stays pending (skipped); the question's manual
score is the sum of its criteria; everything is written in one transaction.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kit.communication import lint_reply
from kit.data.spreadsheet import neutralise, restore
from kit.errors import KitError
from kit.grading.gradebook import Gradebook
from kit.grading.results import digest
from kit.grading.spec import Criterion, Question, Spec
from kit.i18n import check_lang, get_lang, t

FIXED = ("exercise", "trainee_id", "question", "points", "answer", "answer_hash", "linter", "rubric")
COMMENT = "comment"
REQUIRED = ("trainee_id", "question")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_MAX_SUFFIX = re.compile(r"\s*[(（]\s*max\b[^)）]*[)）]\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class ImportSummary:
    """What :func:`import_manual` did: rows newly graded or changed, rows left pending, rows already as in the
    gradebook."""

    graded: int
    pending: int
    unchanged: int


@dataclass(frozen=True)
class Problem:
    """One problem of one sheet row (``key`` under ``manual.problems`` in the locale files)."""

    row: int
    key: str
    column: str | None = None
    params: tuple = ()

    def render(self, lang: str) -> str:
        problem = t(f"manual.problems.{self.key}", lang, column=self.column, **dict(self.params))
        return t("manual.row", lang, row=self.row, problem=problem)


class SheetError(KitError):
    """Every problem of a grading sheet in one error, rendered in the reader's language."""

    def __init__(self, problems: list[Problem], file):
        columns = {p.column for p in problems}
        self.problems = problems
        super().__init__("manual_invalid_rows", file=file, rows=sorted({p.row for p in problems}),
                         column=columns.pop() if len(columns) == 1 else None, n=len(problems),
                         problems=self._list(get_lang()))

    def _list(self, lang: str) -> str:
        return t("manual.sep", lang).join(p.render(lang) for p in self.problems)

    def render(self, lang: str | None = None) -> str:
        lang = lang or get_lang()
        self.params = {**self.params, "problems": self._list(lang)}
        return super().render(lang)


def answer_lang(text: str) -> str:
    """``"zh"`` when the answer contains Chinese characters, else ``"en"``.

    >>> answer_lang("非常抱歉给您带来不便"), answer_lang("Sorry for the delay.")
    ('zh', 'en')
    """
    return "zh" if CJK.search(text or "") else "en"


def answer_hash(text: str) -> str:
    """A short fingerprint of an answer, safe from Excel's number guessing.

    >>> answer_hash("abc")
    'sha256:ba7816bf8f01'
    """
    return fingerprint(digest(text))


def fingerprint(full_hash: str) -> str:
    """The sheet's short form of an answer's full SHA-256 hex digest (the gradebook's ``answer_hash``).

    >>> fingerprint(digest("abc"))
    'sha256:ba7816bf8f01'
    """
    return "sha256:" + full_hash[:12]


def stored_fingerprint(row) -> str:
    """The fingerprint of a gradebook row's answer: from its stored ``answer_hash`` (the whole answer), or — for a
    row recorded before hashes were kept — from its stored ``answer``."""
    full = getattr(row, "answer_hash", None)
    return fingerprint(full) if isinstance(full, str) and full else answer_hash(row.answer)


def criteria_of(question: Question) -> tuple[Criterion, ...]:
    """The rubric of a manual question; a question without one is scored as a whole (criterion ``score``)."""
    if question.rubric:
        return question.rubric
    return (Criterion("score", question.points, {lang: t("manual.whole", lang) for lang in ("zh", "en")}),)


def criterion_columns(spec: Spec) -> dict[tuple[str, str], str]:
    """``{(qid, cid): column header}`` for the spec's manual questions, e.g. ``"empathy (max 1)"``."""
    manual = [q for q in spec.questions if q.manual]
    counts: dict[str, int] = {}
    for q in manual:
        for c in criteria_of(q):
            counts[c.cid] = counts.get(c.cid, 0) + 1
    return {(q.qid, c.cid): f"{c.cid if counts[c.cid] == 1 else f'{q.qid}.{c.cid}'} (max {c.points:g})"
            for q in manual for c in criteria_of(q)}


def export_manual(book: Gradebook, spec: Spec, path: str | Path, lang: str) -> Path:
    """Write the grading sheet of ``spec.exercise`` (see the module docstring) as CSV UTF-8 with a BOM."""
    lang = check_lang(lang)
    manual = {q.qid: q for q in spec.questions if q.manual}
    columns = criterion_columns(spec)
    header = [*FIXED, *dict.fromkeys(columns.values()), COMMENT]
    grades = book.grades(spec.exercise)
    grades = grades[(grades["kind"] == "manual") & grades["question"].isin(list(manual))]
    order = {qid: i for i, qid in enumerate(manual)}
    grades = grades.assign(_order=grades["question"].map(order)).sort_values(["trainee", "_order"])
    rows = []
    for g in grades.itertuples(index=False):
        question = manual[g.question]
        graded = not math.isnan(g.manual_score)
        given = json.loads(g.criteria) if graded and isinstance(g.criteria, str) and g.criteria else {}
        row = dict.fromkeys(header, "")
        row.update({
            "exercise": spec.exercise, "trainee_id": g.trainee, "question": g.question,
            "points": f"{question.points:g}", "answer": g.answer, "answer_hash": stored_fingerprint(g),
            "linter": _linter(g.answer, question.form.get("lint", "reply")),
            "rubric": "\n".join(f"{c.cid} (max {c.points:g}): {_wording(c, lang)}" for c in criteria_of(question)),
            COMMENT: g.reason if graded else "",
        })
        for c in criteria_of(question):
            if c.cid in given:
                row[columns[(question.qid, c.cid)]] = f"{float(given[c.cid]):g}"
        rows.append(row)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows({key: neutralise(value, reversible=True) for key, value in row.items()} for row in rows)
    return path


def import_manual(book: Gradebook, spec: Spec, path: str | Path) -> ImportSummary:
    """Read a filled grading sheet and write its scores to the gradebook — all rows or, on any problem, none."""
    path = Path(path)
    if not path.exists():
        raise KitError("file_not_found", file=path)
    header, body = _read_sheet(path)
    keys = {_header_key(h): i for i, h in reversed(list(enumerate(header)))}
    columns = criterion_columns(spec)
    manual = {q.qid: q for q in spec.questions if q.manual}
    position = {(qid, cid): keys.get(_header_key(name), keys.get(_header_key(f"{qid}.{cid}")))
                for (qid, cid), name in columns.items()}
    questions_in_sheet = set()
    missing = [c for c in REQUIRED if c not in keys]
    grades = book.grades(spec.exercise)
    current = {(g.trainee, g.question): g for g in grades.itertuples(index=False) if g.kind == "manual"}

    def cell(values: list[str], index: int | None, strip: bool = True) -> str:
        if index is None or index >= len(values):
            return ""
        return restore(values[index].strip() if strip else values[index])  # '=1+2 on the sheet is =1+2

    problems: list[Problem] = []
    plan: list[tuple] = []
    seen: dict[tuple[str, str], int] = {}
    pending = unchanged = 0
    if not missing:
        for number, values in body:
            trainee, qid = cell(values, keys["trainee_id"]), cell(values, keys["question"])
            exact = cell(values, keys["trainee_id"], strip=False)  # an id with spaces around it is still found
            if (exact, qid) in current:
                trainee = exact
            questions_in_sheet.add(qid)
            exercise = cell(values, keys.get("exercise"))
            if exercise and exercise != spec.exercise:
                problems.append(Problem(number, "wrong_exercise", "exercise",
                                        (("value", exercise), ("exercise", spec.exercise))))
            if qid not in manual:
                problems.append(Problem(number, "unknown_question", "question",
                                        (("qid", qid), ("exercise", spec.exercise),
                                         ("known", ", ".join(manual) or "-"))))
                continue
            before = current.get((trainee, qid))
            if before is None:
                problems.append(Problem(number, "unknown_trainee", "trainee_id", (("trainee", trainee), ("qid", qid))))
                continue
            if (trainee, qid) in seen:
                problems.append(Problem(number, "duplicate", None,
                                        (("trainee", trainee), ("qid", qid), ("first", seen[(trainee, qid)]))))
                continue
            seen[(trainee, qid)] = number
            given = cell(values, keys.get("answer_hash"))
            if given and given != stored_fingerprint(before):
                problems.append(Problem(number, "answer_changed", "answer_hash", (("trainee", trainee), ("qid", qid))))
            own = {position[(qid, c.cid)] for c in criteria_of(manual[qid])}
            for index in sorted({i for i in position.values() if i is not None} - own):
                if cell(values, index):
                    problems.append(Problem(number, "foreign", header[index], (("qid", qid),)))
            scores, blank, bad = {}, [], False
            for c in criteria_of(manual[qid]):
                index = position[(qid, c.cid)]
                name = columns[(qid, c.cid)] if index is None else header[index]
                text = cell(values, index)
                if not text:
                    blank.append(name)
                    continue
                value = _number(text)
                if value is None:
                    problems.append(Problem(number, "not_number", name, (("value", text),)))
                elif value < 0:
                    problems.append(Problem(number, "negative", name, (("value", text),)))
                elif value > c.points + 1e-9:
                    problems.append(Problem(number, "above_max", name, (("value", text), ("max", f"{c.points:g}"))))
                else:
                    scores[c.cid] = value
                    continue
                bad = True
            if blank and (scores or bad):
                problems.append(Problem(number, "incomplete", None, (("blank", ", ".join(blank)),)))
                continue
            if bad:
                continue
            if blank:
                pending += 1
                continue
            comment = cell(values, keys.get(COMMENT))
            score = round(sum(scores.values()), 9)
            old = json.loads(before.criteria) if isinstance(before.criteria, str) and before.criteria else None
            if (not math.isnan(before.manual_score) and abs(before.manual_score - score) < 1e-9
                    and old == scores and before.reason == comment):
                unchanged += 1
                continue
            plan.append((spec.exercise, trainee, qid, score, scores, comment))
    absent = sorted({columns[(qid, cid)] for (qid, cid), index in position.items()
                     if index is None and qid in questions_in_sheet})
    if missing or absent:
        raise KitError("manual_missing_column", file=path, missing=", ".join([*missing, *absent]),
                       found=", ".join(header))
    if problems:
        raise SheetError(problems, path)
    book.set_manual_many(plan)
    return ImportSummary(graded=len(plan), pending=pending, unchanged=unchanged)


# --- helpers --------------------------------------------------------------------------------------------


def _linter(answer: str, kind: str = "reply") -> str:
    """What a checker notices in a hand-graded answer, for the trainer's sheet; ``kind`` is the question's
    ``lint`` in the exercise file: ``reply`` (a reply to a customer: :func:`kit.communication.lint_reply`,
    the default), ``review`` (a case review: :func:`kit.improvement.check_review` on its headings) or ``none``."""
    lang = answer_lang(answer)
    if kind == "none":
        return ""
    if kind == "review":
        from kit.improvement import check_review

        return "\n".join(p.message(lang) for p in check_review(_sections(answer or "")).problems)
    findings = lint_reply(answer or "", lang)
    return "\n".join(f"{f.message} → {f.suggestion}" if f.suggestion else f.message for f in findings)


def _sections(markdown: str) -> list[tuple[str, str]]:
    """A Markdown answer as (heading, text) pairs: headings are ``#`` lines or whole-line bold text."""
    pairs: list[tuple[str, str]] = []
    for line in markdown.splitlines():
        heading = re.fullmatch(r"\s*(?:#+\s*(.+?)|\*\*(.+?)\*\*[:：]?)\s*", line)
        if heading:
            pairs.append((heading.group(1) or heading.group(2), ""))
        elif pairs:
            pairs[-1] = (pairs[-1][0], f"{pairs[-1][1]}\n{line}".strip())
    return pairs


def _wording(criterion: Criterion, lang: str) -> str:
    text = criterion.text or {}
    return text.get(lang) or next(iter(text.values()), "")


def _header_key(name: str) -> str:
    """A header without its ``(max n)`` suffix, BOM and case: what import matches columns by."""
    return _MAX_SUFFIX.sub("", unicodedata.normalize("NFKC", name).replace("\ufeff", "")).strip().casefold()


def _number(text: str) -> float | None:
    """A score typed by a trainer (full-width digits allowed), or None when it is not a finite number."""
    try:
        value = float(unicodedata.normalize("NFKC", text).strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _read_sheet(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank rows (with their spreadsheet numbers, header = 1) of a CSV sheet."""
    text = _decode(path.read_bytes(), path)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows or not any(c.strip() for c in rows[0]):
        raise KitError("manual_empty", file=path)
    header = [h.strip() for h in rows[0]]
    body = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)]
    return header, body


def _decode(raw: bytes, path: Path) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                raise KitError("manual_undecodable", file=path) from None
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise KitError("manual_undecodable", file=path)


__all__ = ["ImportSummary", "SheetError", "answer_hash", "answer_lang", "criterion_columns", "export_manual",
           "fingerprint", "import_manual"]
