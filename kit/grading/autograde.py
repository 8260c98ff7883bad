"""Autograding: run each question's tests on the answers exported from the trainee's kernel.

This runs in the grader's worker process, which never executed trainee code: the namespace holds only the
exported answers (plain JSON values and DataFrames), the trainee's data variant rebuilt here from
``trainee_id`` and ``seed``, and the helpers ``kit``, ``pd``, ``np``, ``expect`` and ``check``. The test source is
run statement by statement; every expression that yields an :class:`~kit.grading.expect.Outcome` (or a list of
them) and every ``assert`` is a test case. A failed public form check (``check("q1")``) scores 0; otherwise the
score is ``points × mean(case scores)`` — partial credit.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from kit.grading import expect
from kit.grading.results import ANSWER_CHARS, AUTO, QuestionResult, answer_fields, clip
from kit.grading.spec import Question, Spec
from kit.i18n import t


def namespace(spec: Spec, answers: Mapping, *, trainee_id: str, seed: int, lang: str) -> dict:
    """The globals the tests run in: the answers to the spec's questions (nothing else the kernel sent), then
    the grader's own names — the variant data and the helpers — which nothing in ``answers`` can replace. A
    question id that is also a variant or helper name is the author's mistake and raises ValueError."""
    import numpy as np
    import pandas as pd

    import kit
    from kit.grading.variants import variant

    data = variant(spec.exercise, trainee_id, seed)
    ns = {qid: answers[qid] for qid in spec.answers if qid in answers}
    own = {**data, "kit": kit, "pd": pd, "np": np, "expect": expect}
    own["check"] = lambda qid: expect.form(ns.get(qid), spec.question(qid).form, lang=lang)
    clash = sorted(set(spec.answers) & set(own))
    if clash:
        raise ValueError(f"question ids {', '.join(clash)} are also names of the tests' data or helpers")
    ns.update(own)
    return ns


def run_tests(source: str, ns: dict, lang: str) -> list[expect.Outcome]:
    """The outcomes of every test case in ``source``, run in ``ns``. A statement that raises becomes a failed
    case with the error named, and the rest still run."""
    cases = []
    for node in ast.parse(source).body:
        try:
            if isinstance(node, ast.Expr):
                value = eval(compile(ast.Expression(node.value), "<tests>", "eval"), ns)  # noqa: S307 - trainer's tests
                found = value if isinstance(value, list) else [value]
                cases += [v for v in found if isinstance(v, expect.Outcome)]
            elif isinstance(node, ast.Assert):
                exec(compile(ast.Module([node], []), "<tests>", "exec"), ns)  # noqa: S102
                cases.append(expect.Outcome(1.0, t("grading.autograde.assert_ok", lang)))
            else:
                exec(compile(ast.Module([node], []), "<tests>", "exec"), ns)  # noqa: S102
        except AssertionError as error:
            cases.append(expect.Outcome(0.0, str(error) or t("grading.autograde.assert_failed", lang)))
        except Exception as error:  # a test that cannot run on this answer fails, the others go on
            cases.append(expect.Outcome(0.0, t("grading.autograde.test_error", lang, error=_error(error))))
    return cases


def _error(error: BaseException) -> str:
    return clip(f"{type(error).__name__}: {error}", 200)


def score_question(question: Question, ns: dict, lang: str) -> tuple[float, str]:
    """Points earned and the reason, from the question's test cases."""
    cases = run_tests(question.tests, ns, lang)
    form = [c for c in cases if c.form]
    if any(not c.passed for c in form):
        return 0.0, " ".join(c.message for c in form if not c.passed)
    graded = [c for c in cases if not c.form] or form
    if not graded:
        return 0.0, t("grading.autograde.no_cases", lang)
    share = sum(c.score for c in graded) / len(graded)
    shown = [c.message for c in graded if not c.passed] or [c.message for c in graded]
    return round(question.points * share, 6), " ".join(dict.fromkeys(shown))  # each message once


def answer_text(value, limit: int | None = ANSWER_CHARS) -> str:
    """The answer as the trainer and the trainee will read it, clipped to ``limit`` characters (``None``: whole;
    a table is always shown by its first rows and columns).

    >>> answer_text(12.5), answer_text("abcdef", 4), answer_text("abcdef", None)
    ('12.5', 'abc…', 'abcdef')
    """
    if isinstance(value, str):
        text = value
    elif hasattr(value, "to_string"):
        text = value.to_string(max_rows=30, max_cols=12)
    else:
        text = repr(value)
    return text if limit is None else clip(text, limit)


def grade(spec: Spec, answers: Mapping, *, trainee_id: str, seed: int, lang: str,
          cell_errors: Mapping[str, str] | None = None, missing_cells: Sequence[str] = (),
          fault: str = "") -> tuple[QuestionResult, ...]:
    """One :class:`QuestionResult` per question of ``spec``. An answer that is absent scores 0 with the reason
    it is absent: its cell raised, its cell is missing, or the notebook stopped early (``fault``)."""
    from kit.grading.answers import Refused, Unsupported

    cell_errors = cell_errors or {}
    ns = namespace(spec, answers, trainee_id=trainee_id, seed=seed, lang=lang)
    results = []
    for q in spec.questions:
        value = answers.get(q.qid)
        if q.qid not in answers:
            reason = _absent(q.qid, cell_errors, missing_cells, fault, lang)
            results.append(QuestionResult(q.qid, q.kind, q.points, 0.0 if q.kind == AUTO else None, reason))
            continue
        if isinstance(value, Refused):
            reason = t(f"grading.autograde.refused.{value.code}", lang, detail=value.detail)
            results.append(QuestionResult(q.qid, q.kind, q.points, 0.0 if q.kind == AUTO else None, reason))
            continue
        if isinstance(value, Unsupported):
            reason = t("grading.autograde.unsupported", lang, type=value.type_name)
            results.append(QuestionResult(q.qid, q.kind, q.points, 0.0 if q.kind == AUTO else None, reason,
                                          **answer_fields(q.kind, value.repr)))
            continue
        if q.kind == AUTO:
            score, reason = score_question(q, ns, lang)
        else:
            score, reason = None, expect.form(value, q.form, lang=lang).message
        if q.qid in cell_errors:
            reason = f"{reason} {t('grading.autograde.cell_error_kept', lang, error=cell_errors[q.qid])}"
        results.append(QuestionResult(q.qid, q.kind, q.points, score, reason,
                                      **answer_fields(q.kind, answer_text(value, None))))
    return tuple(results)


def _absent(qid: str, cell_errors: Mapping[str, str], missing_cells: Sequence[str], fault: str, lang: str) -> str:
    if qid in cell_errors:
        return t("grading.autograde.cell_error", lang, qid=qid, error=cell_errors[qid])
    if qid in missing_cells:
        return t("grading.autograde.missing_cell", lang, qid=qid)
    if fault:
        return t("grading.autograde.stopped", lang, qid=qid, fault=fault)
    return t("grading.autograde.undefined", lang, qid=qid)
