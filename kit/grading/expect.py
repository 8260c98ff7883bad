"""Expectations: judge one answer, score it between 0 and 1 and explain, in the trainee's language.

Hidden tests in a master notebook are lines such as ``expect.number(q1, kit.metrics.nps(survey.nps).value,
tolerance=0.5)``; each line is one test case and the question's score is the mean of its cases (partial credit:
``labels`` and ``frame`` score the share right, ``items`` the overlap). The judging itself is
:func:`kit.checks.evaluate`, the same function the lessons' self-checks use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kit.checks import evaluate
from kit.grading.results import clip
from kit.i18n import get_lang, t
from kit.widgets import escape

SHOWN = 6  # wrong items named in a message


@dataclass(frozen=True)
class Outcome:
    """The verdict on one test case: ``score`` in [0, 1] and the ``message`` that explains it.
    ``form`` marks a public form check (type, range, columns): failing one means the answer cannot be graded."""

    score: float
    message: str
    form: bool = False

    @property
    def passed(self) -> bool:
        return self.score >= 1.0

    def __repr__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        colour = "#00798c" if self.passed else "#d1495b"
        return f'<div class="kit-outcome" style="color:{colour}">{escape(self.message)}</div>'


def _outcome(score: float, key: str, lang: str | None, **params) -> Outcome:
    lang = lang or get_lang()
    mark = t("grading.expect.pass" if score >= 1 else ("grading.expect.partial" if score > 0 else "grading.expect.fail"),
             lang, score=score)
    return Outcome(float(score), f"{mark} {t(key, lang, **params)}")


def shown(value, limit: int = 60) -> str:
    """A short, readable rendering of an answer for messages.

    >>> shown(3.14159)
    '3.142'
    >>> shown("x" * 100, 10)
    "'xxxxxxxx…"
    """
    if isinstance(value, float):
        return f"{value:.4g}" if math.isfinite(value) else str(value)
    return clip(repr(value), limit)


def number(answer, expected: float, *, tolerance: float = 0.0, lang: str | None = None) -> Outcome:
    """Full credit when |answer − expected| ≤ tolerance, else none; says which side the answer is on.

    >>> number(20.4, 20.0, tolerance=0.5, lang="en").score
    1.0
    >>> number(25, 20.0, tolerance=0.5, lang="en").message
    '✗ Expected 20 (± 0.5); your answer 25 is too high.'
    """
    verdict = evaluate("numeric", expected, answer, tolerance=tolerance)
    params = {"expected": shown(float(expected)), "tolerance": shown(float(tolerance)), "answer": shown(answer)}
    if verdict.correct:
        return _outcome(1.0, "grading.expect.number_ok", lang, **params)
    try:
        side = "high" if float(answer) > float(expected) else "low"
    except (TypeError, ValueError):
        return _outcome(0.0, "grading.expect.not_number", lang, **params)
    return _outcome(0.0, f"grading.expect.number_{side}", lang, **params)


def choice(answer, expected, *, lang: str | None = None) -> Outcome:
    """Full credit for the expected option key.

    >>> choice("b", "b", lang="en").passed
    True
    """
    verdict = evaluate("choice", expected, answer)
    key = "grading.expect.choice_ok" if verdict.correct else "grading.expect.choice_wrong"
    return _outcome(verdict.score, key, lang, answer=shown(answer), expected=shown(expected))


def items(answer, expected, *, lang: str | None = None) -> Outcome:
    """A set of option keys; score = |given ∩ expected| / |given ∪ expected| (Jaccard), so both missing and
    extra keys cost.

    >>> items(["a", "b"], ["a", "c"], lang="en").score
    0.3333333333333333
    """
    given = {str(a) for a in (answer or ())} if not isinstance(answer, str) else {answer}
    wanted = {str(e) for e in expected}
    union = given | wanted
    score = len(given & wanted) / len(union) if union else 1.0
    if score >= 1:
        return _outcome(1.0, "grading.expect.items_ok", lang)
    return _outcome(score, "grading.expect.items_wrong", lang, missing=_names(wanted - given, lang),
                    extra=_names(given - wanted, lang))


def labels(answer, expected: dict, *, lang: str | None = None) -> Outcome:
    """A label per item; score = share of items labelled as expected.

    >>> labels({"a": "M", "b": "O"}, {"a": "M", "b": "A"}, lang="en").score
    0.5
    """
    if not isinstance(answer, dict):
        return _outcome(0.0, "grading.expect.not_mapping", lang, answer=shown(answer))
    verdict = evaluate("classify", expected, {str(k): v for k, v in answer.items()}, pass_mark=1.0)
    if verdict.correct:
        return _outcome(1.0, "grading.expect.labels_ok", lang, n=len(expected))
    return _outcome(verdict.score, "grading.expect.labels_wrong", lang, right=len(expected) - len(verdict.wrong),
                    n=len(expected), items=_names(verdict.wrong, lang))


def frame(answer, expected, *, key: str, columns, tolerance: float = 0.0, lang: str | None = None) -> Outcome:
    """A table keyed by ``key``: score = share of expected rows × ``columns`` cells present in the answer and
    within ``tolerance`` (numbers) or equal (text).

    >>> import pandas as pd
    >>> want = pd.DataFrame({"channel": ["app", "web"], "nps": [10.0, 20.0]})
    >>> frame(want.assign(nps=[10.2, 30.0]), want, key="channel", columns=["nps"], tolerance=0.5, lang="en").score
    0.5
    """
    import pandas as pd

    if isinstance(answer, pd.Series):
        answer = answer.to_frame()
    if not isinstance(answer, pd.DataFrame):
        return _outcome(0.0, "grading.expect.not_frame", lang, answer=shown(answer))
    got = answer.reset_index() if key not in answer.columns and key in (answer.index.names or ()) else answer
    absent = [c for c in [key, *columns] if c not in got.columns]
    if absent:
        return _outcome(0.0, "grading.expect.frame_columns", lang, columns=", ".join(map(str, absent)))
    want = expected.reset_index() if key not in expected.columns else expected
    got = got.drop_duplicates(key).set_index(key)
    want = want.set_index(key)
    cells, wrong = 0, []
    for col in columns:
        mine = got[col].reindex(want.index)
        if pd.api.types.is_numeric_dtype(want[col]):
            ok = (pd.to_numeric(mine, errors="coerce") - want[col]).abs() <= tolerance + 1e-9
        else:
            ok = mine.astype(str) == want[col].astype(str)
        ok = ok.fillna(False).astype(bool)
        cells += int(ok.sum())
        wrong += [f"{k}/{col}" for k in want.index[~ok.to_numpy()]]
    total = len(want) * len(columns)
    score = cells / total if total else 1.0
    if score >= 1:
        return _outcome(1.0, "grading.expect.frame_ok", lang, n=total)
    return _outcome(score, "grading.expect.frame_wrong", lang, right=cells, n=total, items=_names(wrong, lang))


def _names(values, lang: str | None) -> str:
    values = sorted(map(str, values))
    more = len(values) - SHOWN
    listed = t("checks.sep", lang or get_lang()).join(values[:SHOWN])
    return listed + (t("grading.expect.more", lang or get_lang(), n=more) if more > 0 else "") if values else "—"


FORMS = ("number", "choice", "items", "labels", "frame", "text")


def form(answer, spec: dict, *, lang: str | None = None) -> Outcome:
    """The public check: is the answer of the right kind (``spec["form"]``, one of :data:`FORMS`) and shape?
    It says what to fix without revealing the expected value.

    >>> form(None, {"form": "number"}, lang="en").message
    '✗ Not answered yet: assign your answer to the variable.'
    >>> form("12%", {"form": "number"}, lang="en").passed
    False
    >>> form(12.5, {"form": "number", "range": [0, 100]}, lang="en").passed
    True
    """
    kind = spec["form"]
    problem = None if answer is not None else ("grading.form.none", {})
    if problem is None:
        problem = _FORM_PROBLEMS[kind](answer, spec)
    if problem:
        key, params = problem
        return Outcome(0.0, _outcome(0.0, key, lang, **params).message, form=True)
    return Outcome(1.0, _outcome(1.0, f"grading.form.ok_{kind}", lang).message, form=True)


def _number_problem(answer, spec):
    import numbers

    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return "grading.form.number", {"answer": shown(answer)}
    low, high = spec.get("range", (-math.inf, math.inf))
    if not math.isfinite(float(answer)) or not low <= float(answer) <= high:
        return "grading.form.range", {"answer": shown(answer), "low": low, "high": high}
    return None


def _choice_problem(answer, spec):
    options = [str(o) for o in spec["options"]]
    return None if str(answer) in options else ("grading.form.choice", {"answer": shown(answer), "options": ", ".join(options)})


def _items_problem(answer, spec):
    options = {str(o) for o in spec["options"]}
    if isinstance(answer, str) or not isinstance(answer, list | tuple | set | frozenset):
        return "grading.form.items", {"answer": shown(answer)}
    unknown = {str(a) for a in answer} - options
    if unknown or not answer:
        return "grading.form.items_unknown", {"unknown": ", ".join(sorted(unknown)) or "—",
                                              "options": ", ".join(sorted(options))}
    return None


def _labels_problem(answer, spec):
    if not isinstance(answer, dict):
        return "grading.form.labels", {"answer": shown(answer)}
    items, options = [str(i) for i in spec["items"]], {str(o) for o in spec["options"]}
    missing = [i for i in items if i not in {str(k) for k in answer}]
    unknown = sorted({str(v) for v in answer.values()} - options)
    if missing or unknown:
        return "grading.form.labels_incomplete", {"missing": ", ".join(missing) or "—", "unknown": ", ".join(unknown) or "—",
                                                  "options": ", ".join(sorted(options))}
    return None


def _frame_problem(answer, spec):
    import pandas as pd

    if isinstance(answer, pd.Series):
        answer = answer.to_frame()
    if not isinstance(answer, pd.DataFrame):
        return "grading.form.frame", {"answer": shown(answer)}
    have = set(map(str, answer.columns)) | {str(n) for n in answer.index.names if n is not None}
    absent = [c for c in spec.get("columns", ()) if c not in have]
    if absent or len(answer) < spec.get("min_rows", 1):
        return "grading.form.frame_shape", {"columns": ", ".join(spec.get("columns", ())), "absent": ", ".join(absent) or "—",
                                            "rows": len(answer), "min_rows": spec.get("min_rows", 1)}
    return None


def _text_problem(answer, spec):
    size = len("".join(answer.split())) if isinstance(answer, str) else -1
    if size < 0:
        return "grading.form.text", {"answer": shown(answer)}
    if size < spec.get("min_chars", 1):
        return "grading.form.text_short", {"n": size, "min_chars": spec.get("min_chars", 1)}
    return None


_FORM_PROBLEMS = {"number": _number_problem, "choice": _choice_problem, "items": _items_problem,
                  "labels": _labels_problem, "frame": _frame_problem, "text": _text_problem}
