"""Self-check questions: judged by one evaluator, explained in the trainee's language, usable as widgets."""

import pytest
import yaml

from kit import checks
from kit.errors import KitError

SPECS = {
    "bands": {"type": "choice", "answer": "b"},
    "tools": {"type": "multi", "answer": ["spin", "kano"]},
    "nps": {"type": "numeric", "answer": 20, "tolerance": 0.5},
    "sort": {"type": "classify", "answer": {"sms": "M", "van": "A", "app": "O"}, "pass": 0.6},
}
TEXTS = {
    "en": {
        "bands": {"prompt": "Promoters score…", "options": {"a": "7–10", "b": "9–10", "c": "10"},
                  "explain": "Only 9 and 10 count.", "hint": "Check Reichheld's bands.", "hints": {"a": "7–8 are passives."}},
        "tools": {"prompt": "Which are discovery tools?", "options": {"spin": "SPIN", "kano": "Kano", "nps": "NPS"},
                  "explain": "Both find needs.", "hint": "NPS measures, it does not discover."},
        "nps": {"prompt": "NPS of the sample?", "explain": "50 % − 30 % = 20.", "hint": "Promoters minus detractors."},
        "sort": {"prompt": "Sort the features", "items": {"sms": "SMS alerts", "van": "Service van", "app": "Booking"},
                 "labels": {"M": "Must-be", "O": "One-dimensional", "A": "Attractive"},
                 "explain": "Basic needs are expected.", "hint": "Ask: would customers complain if it were missing?"},
    },
    "zh": {
        "bands": {"prompt": "推荐者的分数是……", "options": {"a": "7–10", "b": "9–10", "c": "10"},
                  "explain": "只有 9 分和 10 分算推荐者。", "hint": "回顾一下分段。", "hints": {"a": "7–8 分是中立者。"}},
        "tools": {"prompt": "哪些是需求挖掘工具？", "options": {"spin": "SPIN", "kano": "Kano", "nps": "NPS"},
                  "explain": "两者都用于发现需求。", "hint": "NPS 是测量工具。"},
        "nps": {"prompt": "样本的 NPS 是多少？", "explain": "50% − 30% = 20。", "hint": "推荐者减去贬损者。"},
        "sort": {"prompt": "给功能分类", "items": {"sms": "短信提醒", "van": "服务车", "app": "预约"},
                 "labels": {"M": "必备型", "O": "期望型", "A": "魅力型"},
                 "explain": "基础需求是理所当然的。", "hint": "想一想：缺了它客户会投诉吗？"},
    },
}


@pytest.fixture
def bank(tmp_path, monkeypatch):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "quiz.yml").write_text(yaml.safe_dump(SPECS), encoding="utf-8")
    for lang, text in TEXTS.items():
        (folder / f"quiz.{lang}.yml").write_text(yaml.safe_dump(text, allow_unicode=True, sort_keys=False), encoding="utf-8")
    monkeypatch.setattr(checks, "COURSE", tmp_path)
    checks._bank.cache_clear()
    yield lambda lang: checks.Quiz("demo", lang)
    checks._bank.cache_clear()


def test_choice_feedback_explains_in_each_language(bank):
    en, zh = bank("en"), bank("zh")
    assert en.check("bands", "b") == checks.Feedback(True, 1.0, "✓ Correct. Only 9 and 10 count.")
    wrong = en.check("bands", "a")
    assert not wrong.correct and wrong.message == "✗ Not yet. 7–8 are passives. Check Reichheld's bands."
    assert zh.check("bands", "c").message == "✗ 还不对。 回顾一下分段。"


def test_multi_needs_all_and_only_the_right_options(bank):
    quiz = bank("en")
    assert quiz.check("tools", {"kano", "spin"}).correct
    assert not quiz.check("tools", {"kano", "spin", "nps"}).correct
    assert not quiz.check("tools", {"kano"}).correct


def test_numeric_within_tolerance_and_direction_hint(bank):
    quiz = bank("en")
    assert quiz.check("nps", "20.4").correct and quiz.check("nps", 19.5).correct
    assert "too high" in quiz.check("nps", 25).message
    assert "too low" in quiz.check("nps", "-20").message
    assert "'twenty' is not a number" in quiz.check("nps", "twenty").message
    personal = quiz.check("nps", 31, expected=31.2)
    assert personal.correct, "an answer computed from the trainee's data overrides the bank"


def test_classification_scores_share_right_and_names_the_misses(bank):
    quiz = bank("zh")
    feedback = quiz.check("sort", {"sms": "M", "van": "O", "app": "O"})
    assert feedback.correct and feedback.score == pytest.approx(2 / 3)
    assert "答对 2 / 3 项（及格线 60%）" in feedback.message and "服务车" in feedback.message
    failed = quiz.check("sort", {"sms": "A"})
    assert not failed.correct and failed.score == 0


def test_widgets_submit_and_show_feedback(bank):
    quiz = bank("en")
    question = quiz.ask("bands")
    question.answer.value = "a"
    question.button.click()
    assert question.feedback.correct is False and "passives" in question.result.value
    sorter = quiz.ask("sort")
    for item, label in SPECS["sort"]["answer"].items():
        sorter.answer[item].value = label
    assert sorter.submit().correct


def test_static_question_lists_choices_without_the_answer(bank):
    bundle = bank("en").ask("sort")._repr_mimebundle_()
    static = bundle["text/html"]
    assert "Service van → Must-be / One-dimensional / Attractive" in static
    assert "Basic needs" not in static
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_unknown_question_and_type_are_user_errors(bank):
    with pytest.raises(KitError, match="no question 'q9'"):
        bank("en").check("q9", 1)
    with pytest.raises(KitError):
        checks.evaluate("essay", "x", "y")
