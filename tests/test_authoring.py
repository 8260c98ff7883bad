"""Authoring: master notebooks → releases without solutions or hidden tests, and grading specs."""

import json

import nbformat
import pytest

from kit.cli import main
from kit.errors import KitError
from kit.grading.authoring import (
    HIDDEN,
    SOLUTION,
    build_spec,
    masters,
    placeholder,
    read_master,
    strip_block,
)
from kit.grading.results import AUTO, MANUAL
from kit.grading.spec import Spec

EXERCISES = sorted(masters())
MODULES = {"needs", "communication", "recovery", "metrics", "standards", "capstone"}


def secret_lines(nb) -> list[str]:
    """Every substantial line between solution or hidden-test markers in the master."""
    lines = []
    for cell in nb.cells:
        for begin, end in (SOLUTION, HIDDEN):
            inside = False
            for line in cell.source.splitlines():
                if begin in line:
                    inside = True
                elif end in line:
                    inside = False
                elif inside and len(line.strip()) > 3 and line.strip() not in ('"""', "'''", ")", "]", "}"):
                    lines.append(line.strip())
    return lines


def test_there_is_an_exercise_per_module_with_enough_questions():
    assert {build_spec(e, read_master(e)).module for e in EXERCISES} >= MODULES
    for exercise in EXERCISES:
        spec = build_spec(exercise, read_master(exercise))
        kinds = [q.kind for q in spec.questions]
        assert kinds.count(AUTO) >= 4 and kinds.count(MANUAL) >= 1, exercise
        assert all(q.rubric for q in spec.questions if q.kind == MANUAL)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("exercise", EXERCISES)
def test_release_keeps_no_solution_and_no_hidden_test(exercise, lang, tmp_path):
    master = read_master(exercise)
    secrets = secret_lines(master)
    assert len(secrets) >= 5, "the master has solutions and hidden tests"
    assert main_ok(["assign", exercise, "--out", str(tmp_path)])
    released = (tmp_path / "release" / lang / f"{exercise}.ipynb").read_text(encoding="utf-8")
    leaked = [line for line in secrets if line in released]
    assert not leaked, f"leaked into the release: {leaked[:3]}"
    for marker in (*SOLUTION, *HIDDEN):
        assert marker not in released
    nb = nbformat.reads(released, as_version=4)
    nbformat.validate(nb)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert nb.metadata["kit"]["exercise"] == exercise
    spec = Spec.load(tmp_path / "grading" / f"{exercise}.json")
    answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert [c.metadata["nbgrader"]["grade_id"] for c in answers] == spec.answers
    fixed = fixed_cells(master)  # answer cells that hand another answer on: kept as they are, locked
    assert all(c.source == fixed.get(c.metadata["nbgrader"]["grade_id"], placeholder(c.cell_type, lang)) for c in answers)
    assert all(c.metadata["editable"] is False for c in answers if c.metadata["nbgrader"]["grade_id"] in fixed)
    assert {c.cell_type for c in answers} == {"code", "markdown"}  # prose is written in a Markdown cell
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
             and not c.metadata["nbgrader"].get("solution")]
    assert tests and all(c.metadata["editable"] is False and c.metadata["deletable"] is False for c in tests)
    assert all(c.source.strip().startswith("check(") for c in tests)
    # the spec keeps the hidden tests, and lives outside the release folder
    assert any(HIDDEN[0] in q.tests for q in spec.questions if q.kind == AUTO)
    assert not list((tmp_path / "release").glob("*.json"))


def fixed_cells(nb) -> dict[str, str]:
    """The master's answer cells without a solution block, by grade_id: fixed code the trainee leaves as it is
    (the capstone's q5_smart and q6_fields, which pass q5 and q6 on to their automatic parts)."""
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution") and SOLUTION[0] not in c.source}


def test_fixed_answer_cells_hold_no_secret_and_feed_an_automatic_part_of_a_manual_question():
    for exercise in EXERCISES:
        master = read_master(exercise)
        spec = build_spec(exercise, master)
        for qid, source in fixed_cells(master).items():
            assert spec.question(qid).kind == AUTO and HIDDEN[0] not in source
            tested = spec.question(qid).tests.split(HIDDEN[0], 1)[1]
            manual = [q.qid for q in spec.questions if q.kind == MANUAL and q.qid in tested]
            assert manual and qid.startswith(tuple(manual)), (exercise, qid, manual)
    assert set(fixed_cells(read_master("capstone"))) == {"q5_smart", "q6_fields"}


def main_ok(argv) -> bool:
    try:
        main(argv)
    except SystemExit as exit_:
        return exit_.code in (0, None)
    return True


def test_assign_all_writes_every_exercise(tmp_path):
    assert main_ok(["assign", "--all", "--out", str(tmp_path)])
    for lang in ("zh", "en"):
        assert sorted(p.stem for p in (tmp_path / "release" / lang).glob("*.ipynb")) == EXERCISES
    assert sorted(p.stem for p in (tmp_path / "grading").glob("*.json")) == EXERCISES


def test_spec_round_trips_and_versions_change_with_the_tests():
    spec = build_spec(EXERCISES[0], read_master(EXERCISES[0]))
    assert Spec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    nb = read_master(EXERCISES[0])
    test_cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
                     and not c.metadata["nbgrader"].get("solution"))
    test_cell.source += "\nassert True"
    assert build_spec(EXERCISES[0], nb).version != spec.version


def test_strip_block_replaces_keeping_indentation_and_refuses_unbalanced_markers():
    source = "def f():\n    ### BEGIN SOLUTION\n    return 42\n    ### END SOLUTION\n"
    assert strip_block(source, SOLUTION, "pass", where="x") == "def f():\n    pass"
    assert strip_block("a\n### BEGIN HIDDEN TESTS\nb\n### END HIDDEN TESTS\nc", HIDDEN, None, where="x") == "a\nc"
    for broken in ("### BEGIN SOLUTION\nx = 1", "x = 1\n### END SOLUTION", "### BEGIN SOLUTION\n### BEGIN SOLUTION"):
        with pytest.raises(KitError) as err:
            strip_block(broken, SOLUTION, "pass", where="cell 3")
        assert "cell 3" in str(err.value)


def test_master_inconsistencies_are_named():
    nb = read_master("metrics")
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id", "").endswith("-tests")]
    tests[0].metadata["nbgrader"]["points"] = 0
    with pytest.raises(KitError, match="test cell"):
        build_spec("metrics", nb)
    nb = read_master("metrics")
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
    answer.metadata["nbgrader"]["grade_id"] = "not a name"
    with pytest.raises(KitError, match="not a name"):
        build_spec("metrics", nb)
    with pytest.raises(KitError, match="no exercise"):
        read_master("nope")


def test_cli_assign_without_exercise_explains(capsys):
    assert not main_ok(["assign", "--out", "x"])
    assert "--all" in capsys.readouterr().err
