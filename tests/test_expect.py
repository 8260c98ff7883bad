"""Expectations and public form checks: scores, partial credit and messages in both languages."""

import numpy as np
import pandas as pd
import pytest

from kit.grading import expect
from kit.grading.autograde import answer_text, run_tests, score_question
from kit.grading.spec import Question


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_number_within_tolerance_and_sides(lang):
    assert expect.number(20.4, 20.0, tolerance=0.5, lang=lang).score == 1.0
    high, low = expect.number(21, 20.0, tolerance=0.5, lang=lang), expect.number(19, 20.0, tolerance=0.5, lang=lang)
    assert high.score == low.score == 0.0
    assert high.message != low.message  # says which side
    assert "20" in high.message  # reveals the expected value after grading
    assert expect.number("abc", 20.0, lang=lang).score == 0.0
    assert expect.number(np.float64(20.0), 20.0, lang=lang).passed


def test_items_is_jaccard_and_labels_share():
    assert expect.items(["a", "b", "c"], ["a", "b", "c"], lang="en").score == 1.0
    assert expect.items(["a", "b"], ["a", "b", "c"], lang="en").score == pytest.approx(2 / 3)
    assert expect.items(["a", "x"], ["a"], lang="en").score == pytest.approx(1 / 2)
    assert expect.items([], ["a"], lang="en").score == 0.0
    got = expect.labels({"f1": "M", "f2": "O", "f3": "A", "f4": "I"}, {"f1": "M", "f2": "A", "f3": "A", "f4": "R"},
                        lang="en")
    assert got.score == 0.5 and "f2" in got.message and "f4" in got.message
    assert expect.labels(["M"], {"f1": "M"}, lang="en").score == 0.0


def test_frame_partial_credit_by_cell():
    want = pd.DataFrame({"channel": ["app", "web", "phone"], "nps": [10.0, 20.0, 30.0], "n": [5, 6, 7]})
    mine = pd.DataFrame({"channel": ["web", "app", "phone"], "nps": [20.3, 10.0, 99.0], "n": [6, 5, 7]})
    got = expect.frame(mine, want, key="channel", columns=["nps", "n"], tolerance=0.5, lang="en")
    assert got.score == pytest.approx(5 / 6)
    assert "phone/nps" in got.message
    indexed = mine.set_index("channel")  # the key may be the index
    assert expect.frame(indexed, want, key="channel", columns=["n"], lang="en").score == 1.0
    assert expect.frame(mine.drop(columns="n"), want, key="channel", columns=["n"], lang="en").score == 0.0
    assert expect.frame([1, 2], want, key="channel", columns=["n"], lang="en").score == 0.0


@pytest.mark.parametrize(("answer", "spec", "ok"), [
    (None, {"form": "number"}, False),
    (True, {"form": "number"}, False),
    ("12%", {"form": "number"}, False),
    (np.int64(12), {"form": "number", "range": [0, 100]}, True),
    (120.0, {"form": "number", "range": [0, 100]}, False),
    (float("nan"), {"form": "number"}, False),
    ("b", {"form": "choice", "options": ["a", "b"]}, True),
    ("z", {"form": "choice", "options": ["a", "b"]}, False),
    (["a"], {"form": "items", "options": ["a", "b"]}, True),
    ("a", {"form": "items", "options": ["a", "b"]}, False),
    (["a", "q"], {"form": "items", "options": ["a", "b"]}, False),
    ({"x": "M", "y": "A"}, {"form": "labels", "items": ["x", "y"], "options": ["M", "A"]}, True),
    ({"x": "M"}, {"form": "labels", "items": ["x", "y"], "options": ["M", "A"]}, False),
    ({"x": "M", "y": "Z"}, {"form": "labels", "items": ["x", "y"], "options": ["M", "A"]}, False),
    (pd.DataFrame({"a": [1, 2]}), {"form": "frame", "columns": ["a"], "min_rows": 2}, True),
    (pd.DataFrame({"a": [1]}), {"form": "frame", "columns": ["a"], "min_rows": 2}, False),
    (pd.DataFrame({"b": [1, 2]}), {"form": "frame", "columns": ["a"]}, False),
    ("短短", {"form": "text", "min_chars": 10}, False),
    ("感谢您的耐心，我们今天就为您处理退款。", {"form": "text", "min_chars": 10}, True),
])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_form_checks(answer, spec, ok, lang):
    outcome = expect.form(answer, spec, lang=lang)
    assert outcome.form and outcome.passed is ok
    assert outcome.message.startswith("✓" if ok else "✗")


def test_form_messages_are_in_the_language_asked():
    zh, en = expect.form("12%", {"form": "number"}, lang="zh"), expect.form("12%", {"form": "number"}, lang="en")
    assert "数" in zh.message and "number" in en.message


def test_outcome_html_escapes_the_answer():
    outcome = expect.choice("<script>alert(1)</script>", "a", lang="en")
    assert "<script>" not in outcome._repr_html_() and "&lt;script&gt;" in outcome._repr_html_()


def check_for(ns, spec):
    return lambda qid: expect.form(ns.get(qid), spec, lang="en")


def test_run_tests_collects_outcomes_asserts_and_errors():
    ns = {"q1": 3.0, "expect": expect}
    ns["check"] = check_for(ns, {"form": "number"})
    source = "\n".join([
        'check("q1")',
        "want = 3.0",
        "expect.number(q1, want, tolerance=0.1)",
        "[expect.number(q1, 3.0), expect.number(q1, 4.0)]",
        "assert q1 > 0",
        "assert q1 > 5, 'q1 should be above 5'",
        "expect.number(q1, undefined_name)",
    ])
    cases = run_tests(source, ns, "en")
    assert [c.score for c in cases] == [1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0]
    assert cases[0].form and not any(c.form for c in cases[1:])
    assert cases[5].message == "q1 should be above 5"
    assert "NameError" in cases[6].message


def test_score_question_partial_credit_and_form_gate():
    q = Question("q1", "auto", 4.0, tests='check("q1")\nexpect.number(q1, 3.0)\nexpect.number(q1, 5.0)')
    ns = {"q1": 3.0, "expect": expect}
    ns["check"] = check_for(ns, {"form": "number"})
    score, reason = score_question(q, ns, "en")
    assert score == 2.0 and "5" in reason
    ns["q1"] = "3"  # wrong form: no credit at all, the form message says why
    score, reason = score_question(q, ns, "en")
    assert score == 0.0 and "number" in reason


def test_answer_text():
    assert answer_text("x" * 5000).endswith("…") and len(answer_text("x" * 5000)) == 2000
    assert "app" in answer_text(pd.DataFrame({"channel": ["app"], "nps": [1.0]}))
    assert answer_text({"a": 1}) == "{'a': 1}"
