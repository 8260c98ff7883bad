"""Authoring: master notebooks → release notebooks and grading specs (``kit assign``).

A master notebook (``notebooks/exercises/<id>.ipynb``) follows nbgrader's conventions:

- an *answer cell* has ``metadata.nbgrader = {solution: true, grade_id: "q1"}`` and the model answer between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION``; with ``grade: true`` and ``points`` it is graded by hand
  (its rubric is in ``course/exercises/<id>.yml``). Prose is answered in a Markdown answer cell (graded by
  hand; ``cell: markdown`` in the config), which the grader reads from the submitted file;
- a *test cell* ``{grade: true, solution: false, grade_id: "q1-tests", points: 2}`` starts with the public
  ``check("q1")``, then the hidden tests between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``.

The release replaces every solution by a placeholder, drops every hidden test and all outputs, and locks the
test cells; the spec (:class:`kit.grading.spec.Spec`) keeps the full tests and the rubrics for the grader.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

from kit.errors import KitError
from kit.grading.exercise import config
from kit.grading.results import AUTO, MANUAL
from kit.grading.spec import Criterion, Question, Spec
from kit.paths import NOTEBOOKS

MASTERS = NOTEBOOKS / "exercises"
SOLUTION = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
PLACEHOLDER = "# 在此作答 / YOUR ANSWER HERE"
TESTS_SUFFIX = "-tests"


def masters(folder: Path = MASTERS) -> dict[str, Path]:
    """The master notebooks by exercise id (the file stem), sorted."""
    return {p.stem: p for p in sorted(folder.glob("*.ipynb"))}


def master_path(exercise: str, folder: Path = MASTERS) -> Path:
    found = masters(folder)
    if exercise not in found:
        raise KitError("grading_unknown_exercise", exercise=exercise)
    return found[exercise]


def read_master(exercise: str, folder: Path = MASTERS):
    import nbformat

    return nbformat.read(master_path(exercise, folder), as_version=4)


def strip_block(source: str, markers: tuple[str, str], replacement: str | None, *, where: str) -> str:
    """``source`` with every block between the ``markers`` lines (inclusive) removed, or replaced by
    ``replacement`` at the indentation of the opening marker.

    >>> strip_block("a = 1\\n### BEGIN SOLUTION\\nb = 2\\n### END SOLUTION\\nc = 3", SOLUTION, "# here", where="cell 1")
    'a = 1\\n# here\\nc = 3'
    """
    begin, end = markers
    out, inside = [], False
    for line in source.splitlines():
        if begin in line:
            if inside:
                raise KitError("grading_markers", where=where, marker=begin)
            inside = True
            if replacement is not None:
                out.append(line[: len(line) - len(line.lstrip())] + replacement)
        elif end in line:
            if not inside:
                raise KitError("grading_markers", where=where, marker=end)
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise KitError("grading_markers", where=where, marker=end)
    return "\n".join(out).rstrip()


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def build_spec(exercise: str, nb) -> Spec:
    """The grading spec of master notebook ``nb``, checked for consistency with its course config."""
    conf = config(exercise)
    answers, tests = {}, {}
    for index, cell in enumerate(nb.cells):
        meta, where = _meta(cell), f"{exercise}, cell {index + 1}"
        grade_id = meta.get("grade_id")
        if meta.get("solution") and cell.cell_type in ("code", "markdown"):
            if (not re.fullmatch(r"[A-Za-z_]\w*", grade_id or "") or grade_id in answers
                    or (cell.cell_type == "markdown" and not meta.get("grade"))):  # only a person grades prose
                raise KitError("grading_bad_answer_cell", where=where, grade_id=grade_id)
            answers[grade_id] = cell
        elif meta.get("grade") and grade_id:
            if not grade_id.endswith(TESTS_SUFFIX):
                raise KitError("grading_bad_test_cell", where=where, grade_id=grade_id, suffix=TESTS_SUFFIX)
            tests[grade_id.removesuffix(TESTS_SUFFIX)] = cell
    orphans = sorted(set(tests) - set(answers))
    if orphans:
        raise KitError("grading_orphan_tests", exercise=exercise, qids=", ".join(orphans))
    questions = [_question(exercise, qid, cell, tests.get(qid), conf) for qid, cell in answers.items()]
    unchecked = [q.qid for q in questions if not q.form]
    if unchecked or set(conf["questions"]) - set(answers):
        raise KitError("grading_config_mismatch", exercise=exercise, qids=", ".join(sorted(
            set(unchecked) | (set(conf["questions"]) - set(answers)))))
    return Spec(exercise, conf["module"], tuple(questions))


def _question(exercise: str, qid: str, answer, test, conf: dict) -> Question:
    form = dict(conf["questions"].get(qid, {}))
    meta = _meta(answer)
    if (form.get("cell") == "markdown") != (answer.cell_type == "markdown"):
        raise KitError("grading_config_mismatch", exercise=exercise, qids=qid)
    if meta.get("grade"):  # graded by hand against the rubric
        points = float(meta.get("points", 0))
        rubric = tuple(Criterion(c["id"], float(c["points"]), _rubric_text(exercise, qid, c["id"]))
                       for c in conf.get("rubric", {}).get(qid, ()))
        if not rubric or abs(sum(c.points for c in rubric) - points) > 1e-9:
            raise KitError("grading_rubric_points", exercise=exercise, qid=qid, points=points,
                           total=sum(c.points for c in rubric))
        return Question(qid, MANUAL, points, rubric=rubric, form=form)
    if test is None or float(_meta(test).get("points", 0)) <= 0:
        raise KitError("grading_no_tests", exercise=exercise, qid=qid, suffix=TESTS_SUFFIX)
    return Question(qid, AUTO, float(_meta(test)["points"]), tests=test.source, form=form)


def _rubric_text(exercise: str, qid: str, cid: str) -> dict:
    from kit import text
    from kit.i18n import LANGS

    return {lang: text.load(f"exercises/{exercise}", lang)["rubric"][qid][cid] for lang in LANGS}


def placeholder(cell_type: str, lang: str | None = None) -> str:
    """What replaces a solution in a release: a comment in a code cell, a sentence in a Markdown answer cell;
    in ``lang``, or in both languages."""
    from kit.i18n import LANGS, t

    if cell_type == "code":
        return {"zh": "# 在此作答", "en": "# YOUR ANSWER HERE"}.get(lang, PLACEHOLDER)
    return " / ".join(t("workbook.answer_here", code) for code in ([lang] if lang else LANGS))


def release(exercise: str, nb, lang: str | None = None) -> tuple:
    """The release of master ``nb`` and its spec: solutions replaced by a :func:`placeholder` (in ``lang``, or
    both languages), hidden tests removed, outputs cleared, test cells locked (read-only and undeletable in
    JupyterLab)."""
    spec = build_spec(exercise, nb)
    out = copy.deepcopy(nb)
    for index, cell in enumerate(out.cells):
        where = f"{exercise}, cell {index + 1}"
        source = strip_block(cell.source, SOLUTION, placeholder(cell.cell_type, lang), where=where)
        cell.source = strip_block(source, HIDDEN, None, where=where)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if _meta(cell).get("grade") and not _meta(cell).get("solution"):
            cell.metadata.update(editable=False, deletable=False)
    out.metadata["kit"] = {"exercise": exercise, "version": spec.version}
    return out, spec


def assign(exercises: list[str], out: Path, folder: Path = MASTERS, langs=None) -> list[Path]:
    """Write ``out/release/<lang>/<id>.ipynb`` (for trainees: the exercise's workbook in each of ``langs``, all
    course languages by default) and ``out/grading/<id>.json`` (for the grader only) for each exercise; returns
    the files written."""
    import nbformat

    from kit import workbooks
    from kit.i18n import LANGS

    written = []
    for exercise in exercises:
        path = master_path(exercise, folder)
        for lang in langs or LANGS:
            released = Path(out) / "release" / lang / f"{exercise}.ipynb"
            released.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(workbooks.exercise(path, lang), released)
            written.append(released)
        spec = build_spec(exercise, read_master(exercise, folder))
        written.append(spec.save(Path(out) / "grading" / f"{exercise}.json"))
    return written
