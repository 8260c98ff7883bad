"""Lesson M3's interactions: controls drive results computed by kit.recovery, in both languages, with user text
escaped and figures closed."""

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

from kit import recovery  # noqa: E402
from kit.widgets import recovery as lesson  # noqa: E402

LANGS = ("zh", "en")
EMPATHY = {"zh": "收到摔碎的杯子，换作是我也会很失望。", "en": "I can imagine how disappointing that was. "}
SCRIPT = "<script>alert('x')</script>"


pytestmark = pytest.mark.usefixtures("figures_closed")


@pytest.mark.parametrize("lang", LANGS)
def test_the_default_reply_misses_only_empathy(lang):
    tool = lesson.ResponseBuilder(lang=lang)
    assert tool.result["missing"] == {"empathize": ["LEAF", "HEAT", "LESCANT"]}
    assert [c.score for c in tool.result["coverage"].values()] == pytest.approx([0.75, 0.75, 6 / 7])
    assert tool.result["apology"].specific and tool.result["out_of_order"] == {}
    html = tool.static_html()
    assert "kit-interactive" in html and ("共情" if lang == "zh" else "Empathize") in html


@pytest.mark.parametrize("lang", LANGS)
def test_adding_empathy_completes_the_reply(lang):
    tool = lesson.ResponseBuilder(lang=lang)
    draft = tool.controls["draft"].value
    cut = draft.index("。") + 1 if lang == "zh" else draft.index("sent. ") + 6
    tool.controls["draft"].value = draft[:cut] + EMPATHY[lang] + draft[cut:]
    assert tool.result["missing"] == {} and all(c.score == 1 for c in tool.result["coverage"].values())


def test_the_builder_flags_order_blame_and_a_vague_apology():
    tool = lesson.ResponseBuilder("感谢您的来电。您反映的问题我们会处理。对不起，但是您应该早点联系我们。", lang="zh")
    assert tool.result["out_of_order"]["LESCANT"] == ("thank",)
    assert tool.result["apology"].blame == ("但是您",) and not tool.result["apology"].specific
    assert "推责用语" in tool.static_html()


def test_the_builder_escapes_the_reply():
    tool = lesson.ResponseBuilder(f"{SCRIPT} 非常抱歉让您等了 3 天。", lang="zh")
    html = tool.static_html()
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert "<mark" in html, "the cues found are highlighted"


@pytest.mark.parametrize("lang", LANGS)
def test_the_simulator_shows_the_claim_beside_the_data(tickets, lang):
    tool = lesson.ResponseTimeSimulator(tickets, lang=lang)
    assert tool.result["hours"] == 42 and tool.result["band"] == "> 36 h"
    assert tool.result["claimed"] == pytest.approx(0.85 ** 1.5)
    tool.controls["hours"].value = 36
    assert tool.result["claimed"] == pytest.approx(0.85) and tool.result["band"] == "24–36 h"
    assert tool.result["observed"] < 0.85, "the sample falls further than the claim in this band"
    tool.controls["hours"].value = 3
    assert tool.result["claimed"] == 1 and tool.result["band"] == "1–4 h" and not tool.result["small"]
    html = tool.static_html()
    assert "[001]" in html or "［001］" in html
    assert '<img src="data:image/png;base64,' in html


@pytest.mark.parametrize("lang", LANGS)
def test_the_classifier_cards_and_own_text(lang):
    tool = lesson.FailureClassifier(lang=lang)
    assert tool.result["verdict"].type == "outcome"
    expected = {"damaged_item": "outcome", "report_delay": "process", "wrong_policy": "communication",
                "rude_agent": "interpersonal", "app_crash": "process"}
    for card, kind in expected.items():
        tool.controls["incident"].value = card
        assert tool.result["verdict"].type == kind, card
    tool.controls["own"].value = f"{SCRIPT} 客服态度很差"
    assert tool.result["verdict"].type == "interpersonal" and tool.result["verdict"].matched == ("态度",)
    html = tool.static_html()
    assert SCRIPT not in html and "&lt;script&gt;" in html
    tool.controls["own"].value = "nothing to see"
    assert tool.result["verdict"].type is None


@pytest.mark.parametrize("lang", LANGS)
def test_the_pareto_chart_finds_the_vital_few(tickets, lang):
    tool = lesson.ParetoChart(tickets, lang=lang)
    assert tool.result["vital"] == ("流程设计缺陷", "人员培训不足", "系统稳定性问题")
    assert tool.result["covered"] == pytest.approx(0.83)
    tool.controls["threshold"].value = 50
    assert len(tool.result["vital"]) == 2
    tool.controls["by"].value = "failure_type"
    assert tool.result["vital"][0] == "process"
    html = tool.static_html()
    assert ("流程失误" if lang == "zh" else "Process failure") in html


@pytest.mark.parametrize("lang", LANGS)
def test_the_paradox_explorer(tickets, survey, lang):
    tool = lesson.ParadoxExplorer(tickets, survey, lang=lang)
    assert tool.result["verdict"] == "shows" and tool.result["well"] > tool.result["none"]
    assert not tool.result["circular"]
    assert list(tool.result["table"].index) == ["none", "well", "badly"]
    tool.controls["min_csat"].value = 4
    assert tool.result["circular"] and tool.result["well"] > 0.6
    assert ("先挑出了高兴的客户" if lang == "zh" else "picks the happy customers") in tool.static_html()
    tool.controls["min_csat"].value = 1
    tool.controls["reply_within_h"].value = 1
    tool.controls["resolve_within_h"].value = 4
    table = tool.result["table"]
    assert table.loc["well", "n"] + table.loc["badly", "n"] == recovery.recovery_paradox(tickets, survey)["n"][1:].sum()


@pytest.mark.parametrize("lang", LANGS)
def test_the_five_whys_tree(lang):
    tool = lesson.FiveWhysTree(lang=lang)
    assert len(tool.result.causes) == 5 and tool.result.root_kind == "system"
    assert tool.result.kinds[1] == "person", "the busy approver is not the root cause"
    blame = tool.controls["why2"].options[-3]  # "the consultant was careless"
    tool.controls["why5"].value = blame
    assert tool.result.root_kind == "person"
    tool.controls["why3"].value = ""
    assert len(tool.result.causes) == 2
    tool.controls["problem"].value = SCRIPT
    html = tool.static_html()
    assert SCRIPT not in html and "&lt;script&gt;" in html


def test_the_lesson_tables(tickets):
    sla = lesson.sla_table(recovery.sla_compliance(tickets), "zh").to_html()
    assert "首次回复 ≤ 24 小时" in sla and "［001］［002］" in sla
    late = lesson.breach_table(tickets, "reply_24h", k=3, lang="en").to_html()
    assert "T000216" in late and "70.0" in late
    assert lesson.labels("root_cause", ["流程设计缺陷", "人员培训不足"], "en") == "Process design flaw, Insufficient staff training"
    assert lesson.labels("failure_type", ["outcome", "process"], "zh") == "结果失误、流程失误"
