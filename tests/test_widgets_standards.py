"""Lesson 5's interactions: controls drive results computed by kit.process and kit.improvement (checked here
against the same functions called directly, or against numbers worked out by hand), in both languages; every
visible word comes from the ui files; trainee text is escaped and figures are closed."""

import html
import math
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402
from pandas.testing import assert_frame_equal  # noqa: E402

from kit import improvement, process  # noqa: E402
from kit.i18n import flatten  # noqa: E402
from kit.paths import COURSE  # noqa: E402
from kit.widgets import standards as lesson  # noqa: E402

LANGS = ("zh", "en")
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
KPI_WORDS = {"KPI", "PDCA", "CSAT"}
"""The only Latin words a Chinese reader sees: KPI names and abbreviations kept in Latin letters in the ui file."""
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
WIDGETS = ("BlueprintChecker", "QcValidator", "WasteClassifier", "CriticalPathCalculator", "LoopFunnel", "PdcaLog")

pytestmark = pytest.mark.usefixtures("figures_closed")


def ui(lang):
    return yaml.safe_load((COURSE / "standards" / f"ui.{lang}.yml").read_text(encoding="utf-8"))


def build(name, lang, tickets):
    return getattr(lesson, name)(tickets, lang=lang) if name == "LoopFunnel" else getattr(lesson, name)(lang=lang)


def visible(page: str) -> str:
    """What a reader sees of a snapshot: no tags, no embedded images, entities decoded."""
    page = re.sub(r"<img[^>]*>", " ", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def safe(tool) -> str:
    """The snapshot, asserting that the script typed in shows only escaped."""
    page = tool.static_html()
    assert SCRIPT not in page and ESCAPED in page
    return page


# --- all six ------------------------------------------------------------------------------------------------


def test_the_ui_files_have_the_same_keys():
    zh, en = (flatten(ui(lang)) for lang in LANGS)
    assert set(zh) == set(en)
    assert sorted(ui("zh")) == ["blueprint", "common", "cpm", "funnel", "pdca", "qc", "waste"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", WIDGETS)
def test_the_default_state_renders_in_the_readers_language(tickets, name, lang):
    tool = build(name, lang, tickets)
    page = tool.static_html()
    assert page.startswith('<div class="kit-interactive">') and "Traceback" not in page
    assert tool.title == ui(lang)[_key(name)]["title"] and f"<h4>{html.escape(tool.title)}</h4>" in page
    assert "error" not in tool.result
    assert tool.widget().children[-1] is tool.output, "the live widget: controls above the output"
    text = visible(page)
    if lang == "zh":
        latin = set(re.findall(r"[A-Za-z]{2,}", text))
        assert latin <= KPI_WORDS, f"English in the Chinese snapshot: {latin - KPI_WORDS}"
        assert "［0" in text, "sources tagged ［000］"
    else:
        assert CJK.findall(text) == [], "Chinese in the English snapshot"
        assert "[0" in text
    if name not in ("QcValidator", "WasteClassifier"):
        assert '<img src="data:image/png;base64,' in page


def _key(name):
    return {"BlueprintChecker": "blueprint", "QcValidator": "qc", "WasteClassifier": "waste",
            "CriticalPathCalculator": "cpm", "LoopFunnel": "funnel", "PdcaLog": "pdca"}[name]


@pytest.mark.parametrize("lang", LANGS)
def test_figures_have_titles_and_axis_labels_from_the_ui_file(tickets, lang):
    text = ui(lang)
    tools = {"blueprint": lesson.BlueprintChecker(lang=lang), "cpm": lesson.CriticalPathCalculator(lang=lang),
             "funnel": lesson.LoopFunnel(tickets, lang=lang), "pdca": lesson.PdcaLog(lang=lang)}
    for key, tool in tools.items():
        result = tool.result["check"] if key == "blueprint" else tool.result["plan"] if key == "cpm" else tool.result
        fig = tool._figure(result)
        axes = fig.axes
        titles = [ax.get_title() for ax in axes]
        labels = [label for ax in axes for label in (ax.get_xlabel(), ax.get_ylabel()) if label]
        plt.close(fig)
        u = text[key]
        if key == "funnel":
            assert titles == [u["chart_title"].format(loop=improvement.loop_table(lang).loc["closed_002", "name"])]
        elif key == "pdca":
            assert titles == [u["chart_title"], u["diff_title"]]
            assert labels == [u["x_side"], u["presets"]["first_reply"]["kpi"], u["y_diff"]]
        else:
            assert titles == [u["chart_title"]]
        if key != "pdca":
            assert labels == [u["x_label"], u["y_label"]]


# --- blueprint ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_blueprint_example_has_two_gaps(lang):
    tool = lesson.BlueprintChecker(lang=lang)
    rows = ui(lang)["blueprint"]["example"]
    expected = process.check_blueprint(rows)
    check = tool.result["check"]
    assert tool.result["rows"] == [list(r) for r in rows]
    assert [(p.code, p.row) for p in check.problems] == [("missing_standard", 4), ("missing_owner", 5)]
    assert check.problems == expected.problems and not check.ok
    page = tool.static_html()
    for problem in check.problems:
        assert html.escape(problem.message(lang)) in page


@pytest.mark.parametrize("lang", LANGS)
def test_filling_the_gaps_completes_the_blueprint(lang):
    tool = lesson.BlueprintChecker(lang=lang)
    tool.controls["standard_3"].value = "15 min" if lang == "en" else "15 分钟内完成"
    tool.controls["owner_4"].value = "Care team" if lang == "en" else "客户关怀组"
    assert tool.result["check"].ok and tool.result["check"].n_steps == 5
    assert html.escape(ui(lang)["blueprint"]["ok"].format(n=5)) in tool.static_html()


def test_blank_rows_are_skipped_and_lanes_dropdowns_hold_codes():
    tool = lesson.BlueprintChecker(lang="zh")
    assert [code for _, code in tool.controls["lane_0"].options] == ["", "client", "provision", "feedback"]
    for column in ("step", "owner", "standard"):
        tool.controls[f"{column}_2"].value = ""
    tool.controls["lane_2"].value = ""
    check = tool.result["check"]
    assert check.n_steps == 4 and tool.result["table_rows"] == [1, 2, 4, 5]
    assert [(p.code, p.row) for p in check.problems] == [("missing_standard", 3), ("missing_owner", 4)]
    tool.controls["lane_4"].value = "provision"  # the only feedback step leaves its lane
    assert check.problems[-1].code != "empty_lane"
    assert tool.result["check"].problems[-1] == process.Problem("empty_lane", value="feedback")
    assert "泳道“反馈”中没有任何步骤" in tool.static_html()


def test_a_step_without_a_lane_is_drawn_apart_and_named():
    tool = lesson.BlueprintChecker(lang="en")
    tool.controls["step_5"].value = "Send the invoice"
    check = tool.result["check"]
    assert check.by_step()["Send the invoice"] == ("missing_lane", "missing_owner", "missing_standard")
    fig = tool._figure(check)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    plt.close(fig)
    assert ticks == ["Client interaction", "Provision", "Feedback", "No lane"]


def test_the_blueprint_escapes_trainee_text():
    tool = lesson.BlueprintChecker(lang="zh")
    tool.controls["step_5"].value = SCRIPT
    tool.controls["owner_0"].value = SCRIPT + " $x$"  # no mathtext in the figure either
    assert tool.result["check"].by_step()[SCRIPT] == ("missing_lane", "missing_owner", "missing_standard")
    safe(tool)


def test_an_empty_blueprint_says_where_to_start():
    tool = lesson.BlueprintChecker(steps=[], lang="zh")
    assert tool.result["check"] is None
    assert ui("zh")["blueprint"]["empty"] in visible(tool.static_html())


# --- deliverable QC -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_qc_default_is_accepted_with_the_formula_worked_out(lang):
    tool = lesson.QcValidator(lang=lang)
    review = tool.result["review"]
    names = ["周敏", "李强", "王芳"] if lang == "zh" else ["Zhou Min", "Li Qiang", "Wang Fang"]
    assert tool.result["reviewers"] == names and tool.result["scores"] == [86, 92, 95]
    assert review == process.qc_review(names, names[2:] + (["陈晨"] if lang == "zh" else ["Chen Chen"]),
                                       [86, 92, 95], 78, pass_mark=80)
    assert review.accepted and review.independent == tuple(names[:2]) and review.on_team == (names[2],)
    assert review.reviewer_mean == 89 and review.score == pytest.approx(0.7 * 89 + 0.3 * 78)  # 62.3 + 23.4
    text = visible(tool.static_html())
    assert "0.7 × 89.0 + 0.3 × 78 = 62.3 + 23.4 = 85.7" in text
    assert review.message(lang) in text


def test_a_reviewer_from_the_team_does_not_count():
    tool = lesson.QcValidator(lang="zh")
    tool.controls["team"].value = "王芳，陈晨、李强"
    review = tool.result["review"]
    assert not review.accepted and review.reason == "too_few_independent" and review.independent == ("周敏",)
    assert review.score == pytest.approx(0.7 * 86 + 0.3 * 78)
    assert "项目组外的评审人只有 1 位" in visible(tool.static_html())
    tool.controls["team"].value = "周敏; 李强; 王芳"
    assert math.isnan(tool.result["review"].score)
    assert ui("zh")["qc"]["no_formula"] in visible(tool.static_html())


def test_the_pass_mark_and_the_client_score_move_the_verdict():
    tool = lesson.QcValidator(lang="en")
    tool.controls["pass_mark"].value = 90
    assert tool.result["review"].reason == "below_pass_mark"
    tool.controls["client_score"].value = 100  # 0.7 × 89 + 30 = 92.3
    assert tool.result["review"].accepted and tool.result["review"].score == pytest.approx(92.3)


@pytest.mark.parametrize("scores, key, params", [("86, 92", "count_mismatch", {"n_reviewers": 3, "n_scores": 2}),
                                                 ("86, 92, lots", "bad_score", {"value": "lots"}),
                                                 ("86, 192, 95", "out_of_range", {"value": "192"})])
def test_qc_explains_scores_it_cannot_use(scores, key, params):
    tool = lesson.QcValidator(lang="zh")
    tool.controls["scores"].value = scores
    assert tool.result == {"error": ui("zh")["qc"][key].format(**params)}
    assert tool.result["error"] in visible(tool.static_html())


def test_qc_escapes_names():
    tool = lesson.QcValidator(reviewers=f"{SCRIPT}、李强、周敏", team="", scores="80、90、85", lang="zh")
    assert tool.result["review"].independent == (SCRIPT, "李强", "周敏")
    safe(tool)
    tool.controls["reviewers"].value = f"{SCRIPT}, {SCRIPT}, 周敏"  # the kit's own error names them
    assert "error" in tool.result
    safe(tool)


# --- the eight wastes ---------------------------------------------------------------------------------------

EXAMPLE_WASTES = {"refund": "waiting", "account": "over_processing", "policy": "knowledge_gap",
                  "password": "skill_mismatch", "standup": "useless_meetings", "router": "rework",
                  "inbox": "information_overload", "kiosk": "idle_resources"}


@pytest.mark.parametrize("lang", LANGS)
def test_each_example_shows_its_waste(lang):
    tool = lesson.WasteClassifier(lang=lang)
    assert [v for _, v in tool.controls["example"].options] == list(EXAMPLE_WASTES)
    for example, waste in EXAMPLE_WASTES.items():
        tool.controls["example"].value = example
        situation = ui(lang)["waste"]["examples"][example]
        assert tool.result["text"] == situation
        assert tool.result["verdict"] == process.classify_waste(situation)
        assert tool.result["verdict"].waste == waste, example
    page = tool.static_html()
    assert process.waste_name("idle_resources", lang) in page and "<mark" in page
    assert html.escape(ui(lang)["waste"]["explain"]["idle_resources"]) in page


def test_own_text_wins_and_is_escaped():
    tool = lesson.WasteClassifier(lang="zh")
    tool.controls["own"].value = f"{SCRIPT} 客户在柜台排队，等了四十分钟"
    verdict = tool.result["verdict"]
    assert verdict.waste == "waiting" and verdict.matched == ("排队", "等了")
    page = safe(tool)
    assert "<mark style='background:#fbeccb'>排队</mark>" in page
    tool.controls["own"].value = "今天天气很好。"
    assert tool.result["verdict"].waste is None
    assert ui("zh")["waste"]["none"] in visible(tool.static_html())
    tool.controls["own"].value = "   "
    assert tool.result["verdict"].waste == "waiting", "a blank box falls back to the example"


# --- critical path ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_project_takes_28_days(lang):
    tool = lesson.CriticalPathCalculator(lang=lang)
    rows = ui(lang)["cpm"]["example"]
    names = [r[0] for r in rows]
    plan = tool.result["plan"]
    expected = process.critical_path([(r[0], r[1], r[2].replace("、", ",")) for r in rows])
    assert plan.duration == expected.duration == 28  # 5 + 6 + 4 + 10 + 3
    assert plan.paths == ((names[0], names[1], names[3], names[5], names[6]),)
    # materials 5 → 12, latest finish 15: slack 3; systems 5 → 8: slack 7
    assert plan.table["slack"].tolist() == [0, 0, 3, 0, 7, 0, 0]
    assert_frame_equal(plan.table, expected.table)
    text = visible(tool.static_html())
    assert ui(lang)["cpm"]["total"].format(days=28) in text and " → ".join(plan.paths[0]) in text


def test_a_longer_task_moves_the_critical_path():
    tool = lesson.CriticalPathCalculator(lang="zh")
    tool.controls["duration_2"].value = 12  # materials: 5 + 12 = 17 > 15
    plan = tool.result["plan"]
    assert plan.duration == 30 and plan.paths == (("现状走查", "采购物料", "门店试点", "评估与推广"),)
    assert plan.table.loc["员工培训", "slack"] == 2 and plan.table.loc["编写服务标准", "slack"] == 2
    tool.controls["duration_2"].value = 10  # 15 = 15: two critical paths tie
    assert len(tool.result["plan"].paths) == 2
    assert "有 2 条关键路径并列" in visible(tool.static_html())


def test_cpm_reports_a_cycle_an_unknown_task_and_a_nameless_row():
    tool = lesson.CriticalPathCalculator(lang="zh")
    tool.controls["predecessors_0"].value = "评估与推广"
    assert "error" in tool.result and "循环" in tool.result["error"]
    assert "循环" in visible(tool.static_html())
    tool.controls["predecessors_0"].value = "立项"
    assert "立项" in tool.result["error"] and "不在计划中" in tool.result["error"]
    tool.controls["predecessors_0"].value = ""
    tool.controls["duration_7"].value = 4  # a duration alone leaves a row empty
    assert tool.result["plan"].duration == 28
    tool.controls["predecessors_7"].value = "门店试点"
    assert tool.result == {"error": ui("zh")["cpm"]["unnamed"].format(row=8)}


def test_cpm_escapes_task_names():
    tool = lesson.CriticalPathCalculator(lang="en")
    tool.controls["task_7"].value = SCRIPT
    tool.controls["duration_7"].value = 2
    tool.controls["predecessors_7"].value = "Review and roll out"
    plan = tool.result["plan"]
    assert plan.duration == 30 and plan.paths[0][-1] == SCRIPT
    safe(tool)


# --- the closed-loop funnel ---------------------------------------------------------------------------------


def closed_by_hand(tickets):
    filled = tickets[["category", "failure_type"]].notna().any(axis=1)
    acted = tickets[["solution_at", "resolved_at"]].notna().any(axis=1)
    return int((filled & acted & tickets["verified_at"].notna()).sum())


@pytest.mark.parametrize("lang", LANGS)
def test_the_funnel_of_the_sample_log(tickets, lang):
    tool = lesson.LoopFunnel(tickets, lang=lang)
    assert tool.result["n"] == len(tickets)
    assert_frame_equal(tool.result["funnel"], improvement.loop_funnel(tickets, lang=lang))
    assert_frame_equal(tool.result["deadlines"], improvement.loop_deadlines(tickets, lang=lang))
    verified = closed_by_hand(tickets)
    assert tool.result["funnel"].loc["verified", "n"] == verified
    share = f"{verified / len(tickets):.0%}"
    summary = ui(lang)["funnel"]["summary"].format(n=len(tickets), verified=verified, share=share)
    assert summary in visible(tool.static_html())


@pytest.mark.parametrize("lang", LANGS)
def test_filters_pick_the_tickets(tickets, lang):
    tool = lesson.LoopFunnel(tickets, lang=lang)
    assert tool.controls["channel"].options[0][1] == "all"
    tool.controls["channel"].value = "phone"
    phone = tickets[tickets["channel"] == "phone"]
    assert tool.result["n"] == len(phone)
    assert_frame_equal(tool.result["funnel"], improvement.loop_funnel(phone, lang=lang))
    tool.controls["month"].value = "2025-03"
    march = phone[(phone["received_at"] >= "2025-03-01") & (phone["received_at"] < "2025-04-01")]
    assert tool.result["n"] == len(march) > 0
    assert tool.result["funnel"].loc["verified", "n"] == closed_by_hand(march)
    as_of = max(tickets[c].max() for c in ("received_at", "solution_at", "resolved_at"))  # the log's "now"
    assert_frame_equal(tool.result["deadlines"], improvement.loop_deadlines(march, as_of=as_of, lang=lang))


def test_the_loop_names_the_steps(tickets):
    tool = lesson.LoopFunnel(tickets, lang="zh")
    assert [v for _, v in tool.controls["loop"].options] == ["closed_000", "closed_002", "feedback_004"]
    assert tool.result["labels"] == {"collected": ["记录"], "classified": ["分类"], "actioned": ["解决"],
                                     "verified": ["验证"]}
    assert tool.result["unmapped"] == ["分派"]
    tool.controls["loop"].value = "closed_000"
    assert tool.result["unmapped"] == ["确定优先级"] and tool.result["labels"]["actioned"] == ["制定行动计划"]
    tool.controls["loop"].value = "feedback_004"
    assert tool.result["labels"]["actioned"] == ["分析", "回复"] and tool.result["labels"]["verified"] == []
    page = visible(tool.static_html())
    assert "不属于此闭环" in page and "24 小时内完成分析" in page and "48 小时内完成回复" in page


def test_a_log_without_verification_is_not_recorded(tickets):
    log = tickets.drop(columns=["verified_at"])
    tool = lesson.LoopFunnel(log, lang="en")
    assert not tool.result["funnel"].loc["verified", "recorded"]
    text = visible(tool.static_html())
    assert "not recorded" in text and ui("en")["funnel"]["summary_not_recorded"].format(n=len(log)) in text


def test_the_funnel_escapes_values_from_the_log(tickets):
    log = tickets.astype({"channel": "object"})
    log.loc[log.index[0], "channel"] = SCRIPT
    tool = lesson.LoopFunnel(log, lang="zh")
    tool.controls["channel"].value = SCRIPT
    assert tool.result["n"] == 1
    safe(tool)


def test_an_empty_filter_says_so(tickets):
    log = tickets[tickets["channel"] != "social"]
    tool = lesson.LoopFunnel(log, lang="zh")
    assert "social" not in [v for _, v in tool.controls["channel"].options]
    tool.tickets = log.iloc[:0]
    tool.refresh()
    assert tool.result["n"] == 0 and ui("zh")["funnel"]["empty"] in visible(tool.static_html())


# --- PDCA ---------------------------------------------------------------------------------------------------


def numbers(text):
    return [float(x) for x in text.split()]


@pytest.mark.parametrize("lang", LANGS)
def test_the_rota_pilot_cut_first_reply_time(lang):
    tool = lesson.PdcaLog(lang=lang)
    preset = ui(lang)["pdca"]["presets"]["first_reply"]
    before, after = numbers(preset["before"]), numbers(preset["after"])
    check = tool.result["check"]
    assert check == improvement.pdca_check(before, after, kind="mean", higher_is_better=False)
    assert (check.before, check.after) == pytest.approx((334 / 20, 200 / 20))  # 16.7 → 10.0 minutes
    assert check.diff == pytest.approx(-6.7) and check.ci[1] < 0 and check.verdict == "improved"
    mean, low, high, n = tool.result["sides"]["after"]
    sd = np.std(after, ddof=1)
    assert n == 20 and high - mean == pytest.approx(2.0930240 * sd / math.sqrt(20))  # t(0.975, 19)
    text = visible(tool.static_html())
    assert ui(lang)["pdca"]["act"]["improved"] in text and check.message(lang) in text
    assert ui(lang)["pdca"]["test_mean"].format(stat=check.statistic, df=check.df, p="< 0.001") in text


@pytest.mark.parametrize("lang", LANGS)
def test_the_examples_load_and_shares_are_compared(lang):
    tool = lesson.PdcaLog(lang=lang)
    tool.controls["example"].value = "csat_top2"
    assert tool.controls["kind"].value == "proportion" and tool.controls["before"].value == "56/80"
    check = tool.result["check"]
    pooled = (56 + 68) / 160  # pooled two-proportion z by hand
    z = (68 / 80 - 56 / 80) / math.sqrt(pooled * (1 - pooled) * (2 / 80))
    assert check.diff == pytest.approx(0.15) and check.statistic == pytest.approx(z)
    assert check.p_value == pytest.approx(math.erfc(z / math.sqrt(2))) and check.verdict == "improved"
    value, low, high, n = tool.result["sides"]["before"]
    assert (value, n) == (0.7, 80) and 0.59 < low < 0.7 < high < 0.79
    text = visible(tool.static_html())
    assert "+15.0" in text and ui(lang)["pdca"]["test_proportion"].format(stat=z, p="= 0.023") in text
    tool.controls["example"].value = "fcr"
    assert tool.result["check"].verdict == "no_significant_change"
    assert ui(lang)["pdca"]["act"]["no_significant_change"] in visible(tool.static_html())


def test_the_direction_reads_the_change():
    tool = lesson.PdcaLog(lang="zh")
    tool.controls["direction"].value = "higher"
    assert tool.result["check"].verdict == "worse"
    assert ui("zh")["pdca"]["act"]["worse"] in visible(tool.static_html())


def test_shares_as_outcomes_equal_shares_as_counts():
    tool = lesson.PdcaLog("csat_top2", lang="en")
    tool.controls["before"].value = "1 1 0 1 0 1 1 0"  # 5 of 8
    tool.controls["after"].value = "1, 1, 1, 1, 0, 1, 1, 1"  # 7 of 8
    check = tool.result["check"]
    assert check == improvement.pdca_check({"k": 5, "n": 8}, {"k": 7, "n": 8}, kind="proportion")
    assert (check.n_before, check.n_after) == (8, 8)


@pytest.mark.parametrize("before, key, params", [("12 abc", "bad_value", {"value": "abc"}), ("3", "too_few", {"n": 1}),
                                                 ("1 0 2", "bad_share", {"value": "2"}),
                                                 ("90/80", "bad_counts", {"value": "90/80"})])
def test_pdca_explains_values_it_cannot_use(before, key, params):
    tool = lesson.PdcaLog(lang="zh")
    if key.endswith(("share", "counts")):
        tool.controls["kind"].value = "proportion"
    tool.controls["before"].value = before
    assert tool.result == {"error": ui("zh")["pdca"][key].format(side="改进前", **params)}
    assert tool.result["error"] in visible(tool.static_html())


def test_pdca_escapes_the_kpi_name_and_values():
    tool = lesson.PdcaLog(lang="zh")
    tool.controls["kpi"].value = SCRIPT + " $"
    assert tool.result["kpi"] == SCRIPT + " $"
    safe(tool)
    tool.controls["after"].value = SCRIPT
    assert "error" in tool.result
    safe(tool)


def test_the_kit_widgets_package_loads_the_lesson():
    import kit.widgets

    assert "standards" in kit.widgets.LESSON_MODULES and kit.widgets.standards is lesson
    assert set(pd.Series(WIDGETS).map(lambda n: hasattr(lesson, n))) == {True}
