"""Lesson M1 interactions in both languages: controls drive the result, defaults teach something, and the
handout snapshot renders (escaped)."""

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from kit.data.io import load  # noqa: E402
from kit.data.synth import KANO_TRUE_CATEGORIES  # noqa: E402
from kit.paths import SAMPLE  # noqa: E402
from kit.plots import set_theme  # noqa: E402
from kit.widgets import needs as tools  # noqa: E402

LANGS = ["zh", "en"]


@pytest.fixture(scope="module", autouse=True)
def theme():
    set_theme()  # a CJK font for the Chinese labels


@pytest.fixture(scope="module")
def answers():
    return load(SAMPLE / "kano_answers.csv", "kano_answers")[0]


def snapshot(tool) -> str:
    html = tool.static_html()
    assert html.startswith('<div class="kit-interactive"><h4>') and tool.title
    assert plt.get_fignums() == [], "figures are closed after drawing"
    return html


def test_answer_labels_come_from_the_schema():
    assert [tools.answer_label(code, "zh") for code in range(1, 6)] == ["喜欢", "理应如此", "无所谓", "能忍受", "不喜欢"]
    assert [tools.answer_label(code, "en") for code in range(1, 6)] == ["like", "must-be", "neutral", "live-with",
                                                                        "dislike"]


@pytest.mark.parametrize("lang", LANGS)
def test_kano_questionnaire_classifies_answers_and_sets_them_beside_the_sample(lang, answers):
    tool = tools.KanoQuestionnaire(answers, lang=lang)
    assert tool.result["category"].tolist() == ["O", "A", "M", "I"], "defaults show four different categories"
    assert tool.result["crowd_category"].to_dict() == {f: KANO_TRUE_CATEGORIES[f] for f in tool.features}
    assert (tool.result["crowd_n"] == 300).all()
    van = tool.features.index("移动服务车")
    tool.controls[f"dysfunctional_{van}"].value = 5  # like it if offered, dislike it if not → one-dimensional
    row = tool.result.loc["移动服务车"]
    assert (row["category"], row["better"], row["worse"]) == ("O", 1.0, -1.0)
    tool.controls["functional_0"].value = 5
    tool.controls["dysfunctional_0"].value = 5
    assert tool.result.loc["预约办理", "category"] == "Q"
    html = snapshot(tool)
    assert '<img src="data:image/png;base64,' in html and tools.answer_label(3, lang) in html


def test_kano_questionnaire_without_sample_answers():
    tool = tools.KanoQuestionnaire(lang="en")
    assert "crowd_category" not in tool.result
    assert tool.result.loc["会员积分", ["better", "worse"]].tolist() == [0.0, 0.0]
    assert "Loyalty points" in snapshot(tool)


@pytest.mark.parametrize("lang", LANGS)
def test_priority_matrix_moves_items_and_reweights(lang):
    tool = tools.PriorityMatrix(lang=lang)
    assert list(tool.result.index[tool.result["top"]]) == ["booking", "wait_display", "peak_counter"]
    assert tool.result.loc["wait_display", "quadrant"] == "delegate"
    tool.controls["weight_ease"].value = 0
    tool.controls["weight_fit"].value = 3
    assert list(tool.result.index[:3]) == ["booking", "wait_display", "van"]
    tool.controls["importance_lounge"].value = 5
    tool.controls["urgency_lounge"].value = 5
    assert tool.result.loc["lounge", "quadrant"] == "do_first"
    for criterion in ("importance_urgency", "value", "roi", "fit"):
        tool.controls[f"weight_{criterion}"].value = 0
    assert tool.result.loc["booking", "score"] == pytest.approx(4.3), "all weights at zero fall back to equal"
    html = snapshot(tool)
    assert tools.texts(lang)["quadrants"]["do_first"] in html


@pytest.mark.parametrize("lang", LANGS)
def test_persona_builder_flags_missing_elements_and_recommends_an_approach(lang):
    tool = tools.PersonaBuilder(lang=lang)
    text = tools.texts(lang)
    assert tool.result["missing"] == ("decision",)
    assert text["persona"]["missing"].split("{")[0] in snapshot(tool)
    tool.controls["decision"].value = "<b>VP</b> approves, CFO signs"
    tool.controls["style"].value = "expressive"
    tool.controls["role"].value = "influencer"
    assert tool.result["missing"] == ()
    html = snapshot(tool)
    assert text["styles"]["expressive"]["approach"] in html and text["roles"]["influencer"]["name"] in html
    assert "&lt;b&gt;VP&lt;/b&gt;" in html and "<b>VP</b>" not in html


@pytest.mark.parametrize("lang", LANGS)
def test_journey_map_starts_at_the_sample_means_and_marks_the_pain_point(lang, survey):
    tool = tools.JourneyMap(survey, lang=lang)
    assert tool.controls["service"].value == pytest.approx(3.96)
    assert tool.result["pain"] == "service" and tool.result["best"] == "loyalty"
    assert tool.result["gap"] == pytest.approx(4.21 - 3.96)
    tool.controls["service"].value = 4.5
    assert tool.result["pain"] == "awareness"
    assert tools.texts(lang)["stages"]["awareness"] in snapshot(tool)


@pytest.mark.parametrize("lang", LANGS)
def test_spin_sorter_finds_the_colleagues_two_mistakes(lang):
    tool = tools.SpinSorter(lang=lang)
    assert tool.result["score"] == 0.75 and tool.result["wrong"] == ("q5", "q7")
    assert tool.result["confusion"].loc["I", "P"] == 1
    tool.controls["q5"].value = "I"
    tool.controls["q7"].value = "N"
    assert tool.result["score"] == 1.0 and tool.result["wrong"] == ()
    assert "8/8" in snapshot(tool)


@pytest.mark.parametrize("lang", LANGS)
def test_promise_ledger_against_the_95_and_98_percent_targets(lang):
    tool = tools.PromiseLedger(lang=lang)
    assert (tool.result["all"].rate, tool.result["all"].met) == (0.875, False)
    assert (tool.result["basic"].rate, tool.result["basic"].target) == (0.75, 0.98)
    tool.controls["diagnosis_draft"].value = True
    assert tool.result["all"].met and tool.result["basic"].met
    tool.controls["board_presentation"].value = False
    assert tool.result["basic"].met and not tool.result["all"].met
    html = snapshot(tool)
    assert "87.5%" in html and "100.0%" in html
