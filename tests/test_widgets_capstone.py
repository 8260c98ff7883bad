"""The capstone's interactions: controls drive results computed by kit.actionplan (checked here against the same
functions called directly, or against values worked out by hand), in both languages; every visible word comes from
the ui files or the domain's locale; trainee text is escaped everywhere, the printable plan included."""

import html
import re
import string

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402

from kit.actionplan import (  # noqa: E402
    ABILITIES,
    HORIZON_CONTENT,
    TEMPLATE_FIELDS,
    check_raci,
    completeness,
    label,
    ninegrid_focus,
    parse_smart,
    place,
    smart_quality,
)
from kit.i18n import flatten  # noqa: E402
from kit.paths import COURSE, SAMPLE  # noqa: E402
from kit.widgets import capstone as lesson  # noqa: E402

LANGS = ("zh", "en")
TODAY = "2026-03-01"
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
LATIN_WORDS = {"SMART", "RACI", "KPI", "NPS", "CRM", "PDF"}
"""The only Latin words a Chinese reader sees: SMART, RACI, KPI, NPS as the course writes them, CRM in [000]'s
180-day horizon (domain locale) and PDF; single letters (R, A, C, I, S, M, T, A4) are not words here."""
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
WIDGETS = ("NinegridFocus", "SmartGoalChecker", "RaciEditor", "HorizonSorter", "TemplateMeter", "PrintablePlan")
KEYS = {"NinegridFocus": "focus", "SmartGoalChecker": "smart", "RaciEditor": "raci", "HorizonSorter": "horizons",
        "TemplateMeter": "template", "PrintablePlan": "printable"}

pytestmark = pytest.mark.usefixtures("figures_closed")


def ui(lang):
    return yaml.safe_load((COURSE / "capstone" / f"ui.{lang}.yml").read_text(encoding="utf-8"))


def build(name, lang):
    tool = getattr(lesson, name)
    return tool(lang=lang) if name in ("NinegridFocus", "RaciEditor") else tool(today=TODAY, lang=lang)


def visible(page: str) -> str:
    """What a reader sees of a snapshot: no tags, no embedded images or links' data, entities decoded."""
    page = re.sub(r"<img[^>]*>", " ", page)
    page = re.sub(r"href='data:[^']*'", " ", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def safe(page: str) -> str:
    """The HTML, asserting that the script typed in shows only escaped."""
    assert SCRIPT not in page and ESCAPED in page
    return page


@pytest.fixture(scope="module")
def ninegrid():
    from kit.data import load

    return load(SAMPLE / "ninegrid.csv", "ninegrid")[0]


# --- all six ------------------------------------------------------------------------------------------------


def test_the_ui_files_have_the_same_keys_and_placeholders():
    zh, en = (flatten(ui(lang)) for lang in LANGS)
    assert set(zh) == set(en)
    assert sorted(ui("zh")) == ["common", "focus", "horizons", "printable", "raci", "smart", "template"]

    def names(value):
        return {n for _, n, _, _ in string.Formatter().parse(str(value)) if n}

    for key in en:
        assert names(en[key]) == names(zh[key]), key
    assert ui("zh")["smart"]["examples"].keys() == ui("en")["smart"]["examples"].keys() == ui("zh")["smart"]["goals"].keys()
    assert [len(r) for r in ui("zh")["raci"]["example"]] == [len(r) for r in ui("en")["raci"]["example"]]
    assert [r[3] for r in ui("zh")["printable"]["schedule"]] == [r[3] for r in ui("en")["printable"]["schedule"]]


@pytest.mark.parametrize("lang", LANGS)
def test_the_ui_files_speak_to_the_trainee_only(lang):
    words = {"zh": re.compile(r"种子|简报|套件"), "en": re.compile(r"\bseeds?\b|\bbrief\b", re.IGNORECASE)}[lang]
    values = flatten(ui(lang))
    assert [k for k, v in values.items() if words.search(str(v))] == []
    if lang == "zh":
        assert any("你" in str(v) for v in values.values())


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", WIDGETS)
def test_the_default_state_renders_in_the_readers_language(name, lang):
    tool = build(name, lang)
    page = tool.static_html()
    assert page.startswith('<div class="kit-interactive">') and "Traceback" not in page
    assert tool.title == ui(lang)[KEYS[name]]["title"] and f"<h4>{html.escape(tool.title)}</h4>" in page
    assert "error" not in tool.result
    assert tool.widget().children[-1] is tool.output, "the live widget: controls above the output"
    text = visible(page)
    if lang == "zh":
        latin = set(re.findall(r"[A-Za-z]{2,}", text))
        assert latin <= LATIN_WORDS, f"English in the Chinese snapshot: {latin - LATIN_WORDS}"
        assert "［0" in text, "sources tagged ［000］"
    else:
        assert CJK.findall(text) == [], "Chinese in the English snapshot"
        assert "[0" in text
    if name == "HorizonSorter":
        assert '<img src="data:image/png;base64,' in page


def test_the_kit_widgets_package_loads_the_lesson():
    import kit.widgets

    assert "capstone" in kit.widgets.LESSON_MODULES and kit.widgets.capstone is lesson
    assert all(hasattr(lesson, name) for name in WIDGETS)


# --- nine-grid focus ------------------------------------------------------------------------------------------


def row_of(table, trainee, phase):
    row = table[(table["trainee_id"] == trainee) & (table["phase"] == phase)].iloc[0]
    return {a: float(row[f"ng_{a}"]) for a in ABILITIES}


@pytest.mark.parametrize("lang", LANGS)
def test_the_trainees_latest_ratings_give_the_three_lowest_with_ties(ninegrid, lang):
    tool = lesson.NinegridFocus(trainee_id="S002", ninegrid=ninegrid, lang=lang)
    ratings = row_of(ninegrid, "S002", "post")  # 4 3 3 | 3 3 2 | 3 3 4
    assert tool.result["ratings"] == ratings
    assert tool.result["auto"] == ninegrid_focus(ratings)
    assert tool.result["abilities"] == ("crisis", "analysis", "innovation") and tool.result["scores"] == (2, 3, 3)
    assert tool.result["auto"].tied == ("communication", "process", "emotion", "empathy")
    assert tool.controls["rating_crisis"].value == 2 and tool.controls["rating_knowledge"].value == 4
    page = tool.static_html()
    text = visible(page)
    f, phase = ui(lang)["focus"], ui(lang)["focus"]["phases"]["post"]
    assert f["source_table"].format(trainee="S002", phase=phase) in text
    from kit.ninegrid import ability_name

    tied = ui(lang)["common"]["sep"].join(ability_name(a, lang) for a in ("communication", "process", "emotion", "empathy"))
    assert f["tied"].format(names=tied) in text
    assert page.count(f"3px solid {lesson.RED}") == 3 and page.count(f"2px dashed {lesson.AMBER}") == 4


def test_moving_a_slider_moves_the_focus(ninegrid):
    tool = lesson.NinegridFocus(trainee_id="S002", ninegrid=ninegrid, phase="pre", lang="zh")
    ratings = row_of(ninegrid, "S002", "pre")  # 3 2 2 | 2 2 1 | 2 3 4
    assert tool.result["abilities"] == ninegrid_focus(ratings).abilities == ("crisis", "analysis", "innovation")
    tool.controls["rating_crisis"].value = 5
    ratings["crisis"] = 5.0
    assert tool.result["auto"] == ninegrid_focus(ratings)
    assert tool.result["abilities"] == ("analysis", "innovation", "communication")


def test_the_trainee_swaps_a_focus_area_with_evidence():
    ratings = {"knowledge": 4, "analysis": 3, "innovation": 2, "communication": 5, "process": 4, "crisis": 2,
               "emotion": 3, "empathy": 4, "teamwork": 5}
    tool = lesson.NinegridFocus(ratings=ratings, lang="zh")
    assert tool.result["abilities"] == ("innovation", "crisis", "analysis")
    tool.controls["pick_3"].value = "communication"
    assert tool.result["abilities"] == ("innovation", "crisis", "communication")
    assert tool.result["manual"] == ("communication",) and tool.result["dropped"] == ("analysis",)
    assert ui("zh")["focus"]["note_missing"] in visible(tool.static_html())
    tool.controls["note"].value = SCRIPT + " 第 2 课练习复述失分"
    text = visible(safe(tool.static_html()))
    assert ui("zh")["focus"]["note_missing"] not in text and "手动换入" in text
    tool.controls["pick_1"].value = "communication"  # the same ability twice
    assert tool.result["duplicates"] == ("communication",) and tool.result["abilities"] == ("communication", "crisis")
    assert "“沟通表达”被选了不止一次" in visible(tool.static_html())


def test_ratings_from_a_table_row_and_a_trainee_not_in_the_table(ninegrid):
    row = ninegrid.iloc[0]
    tool = lesson.NinegridFocus(ratings=row, lang="en")
    assert tool.result["ratings"] == row_of(ninegrid, row["trainee_id"], row["phase"])
    assert tool.source == {"kind": "given"}
    other = lesson.NinegridFocus(trainee_id="demo", ninegrid=ninegrid, lang="en")
    again = lesson.NinegridFocus(trainee_id="demo", ninegrid=ninegrid, lang="en")
    shown = other.source["shown"]
    assert other.source["kind"] == "other" and shown == again.source["shown"] and shown in set(ninegrid["trainee_id"])
    assert other.result["ratings"] == row_of(ninegrid, shown, "post")
    assert "not in the nine-grid table" in visible(other.static_html())


def test_the_default_loads_the_sample_table(ninegrid):
    tool = lesson.NinegridFocus(lang="zh")
    first = ninegrid["trainee_id"].iloc[0]
    assert tool.source == {"kind": "sample", "trainee": None, "shown": first, "phase": "post"}
    assert tool.result["ratings"] == row_of(ninegrid, first, "post")


def test_mean_ratings_get_fine_sliders():
    ratings = dict.fromkeys(ABILITIES, 3.5) | {"empathy": 2.25}
    tool = lesson.NinegridFocus(ratings=ratings, lang="en")
    assert tool.controls["rating_empathy"].value == 2.25 and tool.result["abilities"][0] == "empathy"


# --- SMART goal -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_default_goal_lacks_a_deadline(lang):
    tool = lesson.SmartGoalChecker(today=TODAY, lang=lang)
    sentence = ui(lang)["smart"]["goals"]["no_deadline"]
    goal = tool.result["goal"]
    assert goal == parse_smart(sentence, today=TODAY)
    assert (goal.baseline, goal.target, goal.unit, goal.missing) == (72, 80, "percent", ("T",))
    text = visible(tool.static_html())
    assert ui(lang)["smart"]["meter"].format(n=2, total=3) in text
    assert goal.explain(lang)[0] in text and "72%" in text and "80%" in text


@pytest.mark.parametrize("lang", LANGS)
def test_the_sources_examples_are_smart(lang):
    tool = lesson.SmartGoalChecker(today=TODAY, lang=lang)
    assert [v for _, v in tool.controls["example"].options] == list(ui(lang)["smart"]["examples"])
    tool.controls["example"].value = "ex001"  # [001]: 70 % → 90 % within 3 months
    goal = tool.result["goal"]
    assert tool.controls["goal"].value == ui(lang)["smart"]["goals"]["ex001"]
    assert goal.is_smart and (goal.baseline, goal.target, goal.change, goal.deadline_days) == (70, 90, 20, 90)
    assert str(goal.deadline_date) == "2026-05-30"  # 1 March + 90 days
    text = visible(tool.static_html())
    assert ui(lang)["smart"]["all_present"] in text and "2026-05-30" in text
    tool.controls["example"].value = "ex002"  # [002]: NPS +8 within 6 months
    goal = tool.result["goal"]
    assert goal.metric == "NPS" and goal.target_is_change and goal.target == 8 and goal.deadline_days == 180
    text = visible(tool.static_html())
    assert ("+8 分" if lang == "zh" else "+8 points") in text and ui(lang)["smart"]["change_only"] in text
    tool.controls["example"].value = "vague"
    assert tool.result["goal"].missing == ("M", "T")


def test_a_passed_deadline_and_an_empty_box():
    tool = lesson.SmartGoalChecker(goal="2025年6月30日前把 NPS 提升 8 分", today=TODAY, lang="zh")
    goal = tool.result["goal"]
    assert goal.missing == ("T",) and goal.deadline_days < 0
    text = visible(tool.static_html())
    assert "期限已经过去" in text and "已经过去 244 天（2025-06-30）" in text  # 30 Jun 2025 → 1 Mar 2026
    tool.controls["goal"].value = "   "
    assert tool.result["goal"] is None and ui("zh")["smart"]["empty"] in visible(tool.static_html())


def test_the_goal_is_escaped():
    tool = lesson.SmartGoalChecker(goal=f"3 个月内把 {SCRIPT} 从 70% 提升到 90%", today=TODAY, lang="zh")
    assert tool.result["goal"] == parse_smart(tool.controls["goal"].value, today=TODAY)
    safe(tool.static_html())


# --- RACI -------------------------------------------------------------------------------------------------------


def example_matrix(lang):
    r = ui(lang)["raci"]
    return {row[0]: dict(zip(r["people"], row[1:], strict=True)) for row in r["example"]}


@pytest.mark.parametrize("lang", LANGS)
def test_the_example_has_two_faulty_tasks(lang):
    tool = lesson.RaciEditor(lang=lang)
    matrix = example_matrix(lang)
    tasks = list(matrix)
    check = tool.result["check"]
    assert tool.result["matrix"] == matrix and check == check_raci(matrix)
    assert check.failing == (tasks[1], tasks[2]) and not check.ok
    assert [p.code for p in check.problems[tasks[1]]] == ["many_accountable"]
    assert check.problems[tasks[1]][0].people == tuple(ui(lang)["raci"]["people"][1:3])
    assert [p.code for p in check.problems[tasks[2]]] == ["no_responsible"]
    text = visible(tool.static_html())
    assert ui(lang)["raci"]["summary"].format(n=4, k=2) in text
    for message in check.messages(lang):
        assert message in text


def test_the_faulty_cells_are_framed_and_fixing_them_clears_the_frames():
    tool = lesson.RaciEditor(lang="zh")
    border = f"2px solid {lesson.RED}"
    assert tool.controls["cell_1_1"].layout.border == border and tool.controls["cell_1_2"].layout.border == border
    assert tool.controls["task_2"].layout.border == border, "a task nobody does"
    assert tool.controls["cell_0_0"].layout.border == "" and tool.controls["task_0"].layout.border == ""
    assert tool.marks(tool.result) == {("每两周一次导师辅导", "主管"): lesson.RED, ("每两周一次导师辅导", "导师"): lesson.RED,
                                       ("每月抽查 10 段录音并评分", None): lesson.RED}
    tool.controls["cell_1_1"].value = "I"  # the supervisor is informed, the mentor approves
    tool.controls["cell_2_3"].value = "R"  # the QA colleague scores the recordings
    assert tool.result["check"].ok and tool.result["check"] == check_raci(tool.result["matrix"])
    assert all(c.layout.border == "" for n, c in tool.controls.items() if n.startswith(("cell_", "task_")))
    assert ui("zh")["raci"]["ok"].format(n=4) in visible(tool.static_html())


def test_adding_a_task_and_a_person():
    tool = lesson.RaciEditor(lang="en")
    assert tool.n_tasks == 5 and tool.n_people == 5, "a spare row and column"
    tool.controls["cell_4_4"].value = "A"
    assert tool.result["error"] == ui("en")["raci"]["unnamed_task"].format(row=5)
    tool.controls["task_4"].value = "Customer call-backs"
    assert tool.result["error"] == ui("en")["raci"]["unnamed_person"].format(col=5)
    tool.controls["person_4"].value = "Team lead"
    check = tool.result["check"]
    assert check.tasks == 5 and [p.code for p in check.problems["Customer call-backs"]] == ["no_responsible"]
    tool.controls["person_4"].value = "Mentor"
    assert "Mentor" in tool.result["error"] and tool.result["check"] is None


def test_a_matrix_of_ones_own():
    tool = lesson.RaciEditor(tasks={"回访": {"张三": "R", "李四": "负责"}}, lang="zh")
    assert [o for _, o in tool.controls["cell_0_1"].options][-1] == "负责", "an unlisted role is kept"
    assert tool.result["check"] == check_raci({"回访": {"张三": "R", "李四": "负责"}})
    assert tool.result["check"].failing == ("回访",)


def test_raci_escapes_names():
    tool = lesson.RaciEditor(lang="zh")
    tool.controls["task_0"].value = SCRIPT
    tool.controls["person_3"].value = SCRIPT + "2"
    assert SCRIPT in tool.result["matrix"]
    safe(tool.static_html())


# --- horizons ---------------------------------------------------------------------------------------------------


def example_pairs(lang):
    return [tuple(r) for r in ui(lang)["horizons"]["example"]]


@pytest.mark.parametrize("lang", LANGS)
def test_the_example_actions_fall_into_the_horizons(lang):
    tool = lesson.HorizonSorter(today=TODAY, lang=lang)
    pairs = example_pairs(lang)
    names = [a for a, _ in pairs]
    assert tool.result["placed"] == place(pairs, "000", today=TODAY)
    # 14, 7, 30 (the boundary belongs to 30 d) | 3 months = 90, 90 | 6 months = 180 | 200, 1 year = 365
    assert tool.result["placed"] == {"30d": names[0:3], "90d": names[3:5], "180d": names[5:6], "long": names[6:8]}
    assert [tool.result["days"][a] for a in names] == [14, 7, 30, 90, 90, 180, 200, 365]
    tool.controls["scheme"].value = "002"
    assert tool.result["placed"] == place(pairs, "002", today=TODAY)
    assert tool.result["placed"] == {"90d": names[0:5], "1y": names[5:8], "3y": [], "beyond": []}
    text = visible(tool.static_html())
    for horizon, contents in HORIZON_CONTENT["002"].items():
        assert label("horizon", horizon, lang) in text
        assert all(label("content", c, lang) in text for c in contents)
    assert ui(lang)["horizons"]["beyond_note"] in text


def test_boundaries_dates_and_actions_without_a_due_time():
    tool = lesson.HorizonSorter(actions=[("A", 30), ("B", 31), ("C", "2026-06-30"), ("D", "")], today=TODAY,
                                lang="en")
    assert tool.controls["due_0"].value == "30"
    assert tool.result["placed"] == {"30d": ["A"], "90d": ["B"], "180d": ["C"], "long": []}
    assert tool.result["days"]["C"] == 121 and tool.result["unscheduled"] == ["D"]  # March 30 + April 30 + May 31 + 30
    assert ui("en")["horizons"]["unscheduled"].format(actions="D") in visible(tool.static_html())
    tool.controls["scheme"].value = "002"
    tool.controls["due_3"].value = "1200"
    assert tool.result["placed"]["beyond"] == ["D"]
    tool.controls["due_1"].value = "someday"
    assert "someday" in tool.result["error"]
    tool.controls["action_1"].value = ""
    assert tool.result["error"] == ui("en")["horizons"]["unnamed"].format(row=2)


@pytest.mark.parametrize("lang", LANGS)
def test_the_timeline_is_labelled_from_the_ui_file(lang):
    tool = lesson.HorizonSorter(today=TODAY, lang=lang)
    fig = tool._figure(tool.result)
    ax = fig.axes[0]
    h = ui(lang)["horizons"]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == (h["chart_title"], h["x_label"], h["y_label"])
    assert [t.get_text() for t in ax.get_xticklabels()] == [label("horizon", c, lang) for c in ("30d", "90d", "180d", "long")]
    xs = [float(c.get_offsets()[0][0]) for c in ax.collections]
    plt.close(fig)
    assert xs == sorted(xs) and xs[2] == 1.0, "day 30 sits on the 30-day boundary"


def test_horizons_escape_actions():
    tool = lesson.HorizonSorter(today=TODAY, lang="zh")
    tool.controls["action_8"].value = SCRIPT + " $x$"
    tool.controls["due_8"].value = "3个月内"
    assert SCRIPT + " $x$" in tool.result["placed"]["90d"]
    safe(tool.static_html())


# --- template ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_template_example_is_five_of_seven(lang):
    tool = lesson.TemplateMeter(today=TODAY, lang=lang)
    example = ui(lang)["template"]["example"]
    done = tool.result["completeness"]
    assert done == completeness(example) and tool.result["quality"] == smart_quality(example, today=TODAY)
    assert done.share == round(5 / 7, 4) and done.missing == ("risks", "success_measures")
    assert tool.result["placeholders"] == ("risks",) and tool.result["quality"].is_smart
    text = visible(tool.static_html())
    fields = ui(lang)["common"]["sep"].join(label("field", c, lang) for c in ("risks", "success_measures"))
    assert ui(lang)["template"]["missing"].format(fields=fields) in text
    assert ui(lang)["template"]["meter"].format(n=5, total=7, share="71%") in text
    assert ui(lang)["template"]["placeholder_used"].format(value=example["risks"]) in text


def test_filling_the_template():
    tool = lesson.TemplateMeter(today=TODAY, lang="zh")
    tool.controls["risks"].value = "旺季没时间练：改为每天 10 分钟"
    tool.controls["success_measures"].value = SCRIPT
    assert tool.result["completeness"].share == 1.0 and tool.result["placeholders"] == ()
    safe(tool.static_html())
    tool.controls["smart_goal"].value = "提高客户满意度"
    assert tool.result["quality"] == smart_quality({"smart_goal": "提高客户满意度"}, today=TODAY)
    assert tool.result["quality"].missing == ("M", "T")
    tool.controls["smart_goal"].value = ""
    assert tool.result["completeness"].missing == ("smart_goal",)
    assert ui("zh")["template"]["no_goal"] in visible(tool.static_html())


def test_a_plan_keyed_by_labels():
    tool = lesson.TemplateMeter(plan={"目标": "6 个月内 NPS 提升 8 分", "风险": "无", "Steps": ["a", "b"]}, today=TODAY,
                                lang="en")
    assert tool.controls["steps"].value == "a\nb" and tool.controls["risks"].value == "无"
    assert tool.result["completeness"].filled == ("smart_goal", "steps")


# --- the printable plan -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_default_plan_gathers_the_default_tools(lang):
    plan = lesson.PrintablePlan(today=TODAY, lang=lang)
    result = plan.result
    u = ui(lang)
    goal = u["smart"]["goals"]["no_deadline"]
    printed = {**u["template"]["example"], "smart_goal": goal, "raci": example_matrix(lang)}
    assert result["completeness"] == completeness(printed)  # risks 待定 and success measures empty
    assert result["raci_check"] == check_raci(example_matrix(lang))
    assert result["horizons"]["placed"] == place(example_pairs(lang), "000", today=TODAY)
    assert result["goals"][0][1] == parse_smart(goal, today=TODAY)
    assert result["checks"] == {"complete": False, "raci": False, "smart": False}
    assert result["focus"] == ninegrid_focus(result["ratings"]).abilities
    text = visible(plan.static_html())
    assert u["printable"]["checks"]["complete"].format(n=5, total=7) in text
    assert u["printable"]["goals_short"].format(n=2) in text
    assert "2026-03-31" in text and "2026-05-30" in text and "2026-08-28" in text, "days 30, 90, 180 of the plan"
    page = plan.document()
    assert page.startswith("<!DOCTYPE html>") and "size:A4" in page and "<input" not in page
    assert "kit-interactive" not in plan.plan_html() and "<style" not in plan.plan_html(), "no chrome, inline styles"


def test_from_widgets_takes_the_tools_state_and_follows_it(ninegrid):
    focus = lesson.NinegridFocus(trainee_id="S002", ninegrid=ninegrid, lang="zh")
    goals = [lesson.SmartGoalChecker(today=TODAY, lang="zh") for _ in range(3)]
    raci = lesson.RaciEditor(lang="zh")
    horizons = lesson.HorizonSorter(today=TODAY, lang="zh")
    template = lesson.TemplateMeter(today=TODAY, lang="zh")
    plan = lesson.PrintablePlan.from_widgets(focus, goals, raci, horizons, template, name="王芳")
    assert plan.result["focus"] == ("crisis", "analysis", "innovation")
    assert plan.result["ratings"] == row_of(ninegrid, "S002", "post")
    assert plan.today.isoformat() == TODAY and plan.controls["date"].value == TODAY
    assert "王芳" in visible(plan.static_html())

    focus.controls["pick_3"].value = "emotion"
    focus.controls["note"].value = "观察员两次记下我情绪失控"
    for checker, example in zip(goals, ("ex001", "ex002", "ex004"), strict=True):
        checker.controls["example"].value = example
    raci.controls["cell_1_1"].value = "I"
    raci.controls["cell_2_3"].value = "R"
    horizons.controls["scheme"].value = "002"
    template.controls["risks"].value = "旺季没时间练：改为每天 10 分钟"
    template.controls["success_measures"].value = "质检抽样中的需求挖掘准确率"
    result = plan.result
    assert result["focus"] == ("crisis", "analysis", "emotion")
    assert [g.is_smart for _, g, _ in result["goals"]] == [True, True, True]
    assert result["raci_check"].ok and result["horizons"]["placed"] == place(example_pairs("zh"), "002", today=TODAY)
    assert result["checks"] == {"complete": True, "raci": True, "smart": True}
    assert "✗" not in visible(plan.static_html()), "all three checks pass"
    text = visible(plan.plan_html())
    assert "情绪管理（3 分）" in text and "3 年以后" in text and "待完成" not in text
    assert "你的依据：观察员两次记下我情绪失控" in text


def test_a_plan_of_ones_own_marks_what_is_missing():
    plan = lesson.PrintablePlan(ratings=dict.fromkeys(ABILITIES, 4) | {"empathy": 2}, goals="提高客户满意度",
                                raci={}, actions={"建立基线": 20}, plan={"steps": "每周复盘"}, today=TODAY, lang="zh")
    result = plan.result
    assert result["focus"] == ("empathy", "knowledge", "analysis")
    assert result["completeness"] == completeness({"steps": "每周复盘", "smart_goal": "提高客户满意度"})
    assert result["checks"] == {"complete": False, "raci": False, "smart": False}
    text = visible(plan.plan_html())
    assert text.count("待完成") >= 6 and ui("zh")["printable"]["raci_text"] in text


def test_the_printable_plan_escapes_everything_typed():
    plan = lesson.PrintablePlan(goals=[f"3 个月内把 {SCRIPT} 从 70% 提升到 90%"],
                                raci={SCRIPT: {"你": "A/R", SCRIPT + "2": "C"}},
                                actions=[(SCRIPT, 30)], plan={key: SCRIPT for key in TEMPLATE_FIELDS},
                                note=SCRIPT, name=SCRIPT, supervisor=SCRIPT, mentor=SCRIPT, today=TODAY, lang="zh")
    plan.controls["date"].value = SCRIPT
    text = visible(plan.plan_html())
    assert text.count(SCRIPT) >= 11  # name, supervisor, mentor, date, note, goal, task, person, action, fields
    for page in (plan.static_html(), plan.plan_html(), plan.document()):
        safe(page)
    assert plan.result["start"] is None, "a date that is not a date leaves the schedule without dates"


def test_save_writes_the_page(tmp_path):
    plan = lesson.PrintablePlan(today=TODAY, lang="en", name="Wang Fang")
    path = plan.save(tmp_path / "plan.html")
    page = (tmp_path / "plan.html").read_text(encoding="utf-8")
    assert path.endswith("plan.html") and "Wang Fang" in page and page == plan.document()
