"""Service standards and process (kit.process, module X1): blueprint check, deliverable QC, the eight wastes,
critical path and the walkthrough scoresheet — on hand-made tables with hand-computed answers, the critical path
also against a brute-force longest-path oracle over every path of random plans."""

import ast
import itertools
import math
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from kit import process
from kit.errors import KitError
from kit.i18n import flatten, set_lang

LOCALE = Path(process.__file__).with_name("locale")
CORE = {"kit.errors", "kit.results", "kit.names", "kit.stats", "kit.i18n", "kit.data.schemas"}


@pytest.fixture(autouse=True)
def _english():
    """Error texts are matched in English (conftest returns to KIT_LANG after each test)."""
    set_lang("en")


def test_the_module_imports_only_core_modules():
    tree = ast.parse(Path(process.__file__).read_text(encoding="utf-8"))
    kit_imports = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module.startswith("kit")}
    kit_imports |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
                    if a.name.startswith("kit")}
    assert kit_imports <= CORE


def test_the_locale_files_pair_up():
    en, zh = (flatten(yaml.safe_load((LOCALE / f"process.{lang}.yml").read_text(encoding="utf-8")))
              for lang in ("en", "zh"))
    assert set(en) == set(zh)


# --- blueprint ----------------------------------------------------------------------------------------


GOOD = [
    {"step": "预约", "lane": "客户互动", "owner": "客服专员", "standard": "10分钟内确认"},
    {"step": "Dispatch", "lane": "Service provision", "owner": "Ops", "standard": "≤ 1 h"},
    {"step": "回访", "lane": "feedback", "owner": "质检组", "standard": "48小时内回访"},
]


def codes(check):
    return [(p.code, p.row) for p in check.problems]


def test_a_complete_blueprint_is_ok():
    check = process.check_blueprint(GOOD)
    assert check.ok and check.problems == () and check.n_steps == 3 and check.n_problems == 0
    assert check.table["lane"].tolist() == ["client", "provision", "feedback"]
    assert check.by_step() == {}


def test_each_problem_is_found_at_its_step():
    steps = [*GOOD,
             {"step": "派单", "lane": "provision", "owner": "  ", "standard": None},
             {"step": "备件", "lane": "后勤", "owner": "仓库", "standard": "当天发出"},
             {"step": None, "lane": "client", "owner": "前台", "standard": "微笑"},
             {"step": "预约", "lane": "", "owner": "前台", "standard": float("nan")}]
    check = process.check_blueprint(steps)
    assert not check.ok
    assert codes(check) == [("missing_owner", 4), ("missing_standard", 4), ("unknown_lane", 5), ("missing_step", 6),
                            ("duplicate_step", 7), ("missing_lane", 7), ("missing_standard", 7)]
    assert check.problems[2].value == "后勤" and check.problems[4].value == "1"
    assert check.by_step() == {"派单": ("missing_owner", "missing_standard"), "备件": ("unknown_lane",),
                               "#6": ("missing_step",), "预约": ("duplicate_step", "missing_lane", "missing_standard")}
    assert check.table.loc[3, "problems"] == ("missing_owner", "missing_standard")


def test_a_lane_without_steps_is_a_problem_and_an_empty_blueprint_has_three():
    check = process.check_blueprint(GOOD[:2])
    assert [(p.code, p.value) for p in check.problems] == [("empty_lane", "feedback")]
    empty = process.check_blueprint([])
    assert empty.n_steps == 0 and [p.value for p in empty.problems] == list(process.LANES)
    assert empty.table.empty and list(empty.table.columns) == ["row", "step", "lane", "owner", "standard", "problems"]


def test_one_step_and_steps_compared_as_text():
    one = process.check_blueprint([("1", "client", "A", "x")])
    assert codes(one) == [("empty_lane", None), ("empty_lane", None)]
    # 1, 1.0 and "1" are one step; True is not 1; case and spacing do not make a new step
    check = process.check_blueprint([(1, "client", "A", "x"), (1.0, "provision", "B", "y"), ("1", "feedback", "C", "z"),
                                     (True, "client", "D", "w"), ("Call  back", "client", "E", "v"),
                                     ("call back", "client", "E", "v")])
    assert codes(check) == [("duplicate_step", 2), ("duplicate_step", 3), ("duplicate_step", 6)]
    assert check.table["step"].tolist()[:4] == ["1", "1", "1", "True"]


def test_a_table_with_chinese_headers_and_a_missing_owner_column():
    table = pd.DataFrame({"步骤": ["受理", "处理", "回访"], "泳道": ["客户互动", "服务提供", "反馈"],
                          "标准": ["10分钟", "4小时", "48小时"]})
    check = process.check_blueprint(table)
    assert codes(check) == [("missing_owner", 1), ("missing_owner", 2), ("missing_owner", 3)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_problem_has_words(lang):
    for code in process.BLUEPRINT_PROBLEMS:
        text = process.Problem(code, 3, "派单", "provision").message(lang)
        assert "{" not in text and len(text) > 5
    assert process.lane_name("feedback", lang) in process.Problem("empty_lane", value="feedback").message(lang)
    assert "—" in process.Problem("missing_owner", 2).message(lang)


def test_lane_names_in_both_languages_are_accepted():
    for code in process.LANES:
        for lang in ("zh", "en"):
            assert process.lane_code(process.lane_name(code, lang)) == code
        assert process.lane_code(code.upper()) == code
    assert process.lane_code("后台") is None and process.lane_code(None) is None and process.lane_code(1) is None


@pytest.mark.parametrize("bad", ["受理, client", 42, None])
def test_a_blueprint_that_is_not_rows_is_refused(bad):
    with pytest.raises(KitError, match="DataFrame"):
        process.check_blueprint(bad)


# --- deliverable QC ------------------------------------------------------------------------------------


def test_qc_score_weights_the_client_30_percent():
    r = process.qc_review(["王敏", "李强", "张伟"], ["张伟", "赵丽"], [80, 90, 70], 60)
    assert r.accepted and r.reason == "accepted"
    assert r.independent == ("王敏", "李强") and r.on_team == ("张伟",)
    assert r.reviewer_mean == 85 and r.score == pytest.approx(77.5)
    oracle = np.average([np.mean([80, 90]), 60], weights=[0.7, 0.3])
    assert r.score == pytest.approx(oracle)
    assert r.to_dict()["score"] == pytest.approx(77.5)


def test_qc_on_a_five_point_scale_with_a_mapping_of_scores():
    r = process.qc_review(["Ann", "Bo", "Cy"], ["cy "], {"ann": 4, "BO": 5, "Cy": 1}, 3, scale=(1, 5))
    assert r.independent == ("Ann", "Bo") and r.score == pytest.approx(0.7 * 4.5 + 0.3 * 3)
    assert process.qc_review(["A", "B"], [], [4, 5], 3, client_weight=0, scale=(1, 5)).score == 4.5
    assert process.qc_review(["A", "B"], [], [4, 5], 3, client_weight=1, scale=(1, 5)).score == 3


def test_qc_rejects_fewer_than_two_outside_reviewers():
    one = process.qc_review(["A", "B"], ["B"], [90, 100], 80)
    assert not one.accepted and one.reason == "too_few_independent"
    assert one.score == pytest.approx(0.7 * 90 + 0.3 * 80)  # still shown, not accepted
    none = process.qc_review(["B"], ["B"], [100], 80)
    assert none.reason == "too_few_independent" and math.isnan(none.score) and none.independent == ()
    empty = process.qc_review([], ["B"], [], 80)
    assert empty.reason == "too_few_independent"
    # a team member who reviews does not count, however high the score; names are compared as text
    assert process.qc_review([1, "2"], [1.0, 2], [100, 100], 100).independent == ()


def test_a_single_name_is_one_person_not_its_characters():
    r = process.qc_review(["王敏", "李强", "张伟"], "张伟", [80, 90, 70], 60)
    assert r.on_team == ("张伟",) and r.independent == ("王敏", "李强")
    assert process.qc_review("张伟", [], [80], 60).independent == ("张伟",)


def test_results_flatten_names_not_as_intervals():
    flat = process.qc_review(["王敏", "李强"], [], [80, 90], 60).to_dict()
    assert flat["independent"] == "王敏, 李强" and flat["on_team"] == "" and "independent_low" not in flat
    cp = process.critical_path([("s", 0, ""), ("a", 1, "s"), ("b", 1, "s")])
    assert cp.to_dict() == {"duration": 1.0, "paths": "s → a | s → b", "critical": "s, a, b", "order": "s, a, b"}
    assert process.walkthrough_score({a: 3 for a in process.ASPECTS}).to_frame().index.tolist() == list(process.ASPECTS)
    check = process.check_blueprint(GOOD[:1])
    assert check.to_dict() == {"ok": False, "n_steps": 1, "n_problems": 2}


def test_one_reviewer_may_come_with_one_bare_score():
    r = process.qc_review("Ann", [], 90, 80)
    assert r.independent == ("Ann",) and r.reviewer_mean == 90 and r.reason == "too_few_independent"


def test_qc_pass_mark():
    r = process.qc_review(["A", "B"], [], [60, 70], 50, pass_mark=70)
    assert r.score == pytest.approx(0.7 * 65 + 15) and r.reason == "below_pass_mark" and not r.accepted
    assert process.qc_review(["A", "B"], [], [60, 70], 50, pass_mark=60).accepted


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_qc_verdicts_read_in_both_languages(lang):
    assert "77.5" in process.qc_review(["A", "B"], [], [80, 90], 60).message(lang)
    rejected = process.qc_review(["A", "B"], ["B"], [80, 90], 60).message(lang)
    assert "2" in rejected and "B" in rejected


@pytest.mark.parametrize("kwargs, match", [
    ({"reviewer_scores": [80, 101]}, "101"),
    ({"reviewer_scores": [80, True]}, "True"),
    ({"reviewer_scores": [80, "90"]}, "90"),
    ({"reviewer_scores": [80, None]}, "None"),
    ({"reviewer_scores": [80]}, "2"),
    ({"reviewer_scores": {"A": 80, "B": 90, "Z": 70}}, "Z"),
    ({"client_score": float("nan")}, "nan"),
    ({"client_weight": 1.3}, "1.3"),
    ({"reviewers": ["A", "a"]}, "A"),
    ({"reviewers": ["A", " "]}, "2"),
])
def test_qc_bad_input_is_a_kit_error(kwargs, match):
    args = {"reviewers": ["A", "B"], "team": ["C"], "reviewer_scores": [80, 90], "client_score": 70, **kwargs}
    with pytest.raises(KitError, match=match):
        process.qc_review(**args)


def test_qc_scale_is_checked():
    with pytest.raises(KitError):
        process.qc_review(["A", "B"], [], [4, 5], 3, scale=(5, 1))
    with pytest.raises(KitError, match="80"):
        process.qc_review(["A", "B"], [], [4, 80], 3, scale=(1, 5))


# --- the eight wastes ----------------------------------------------------------------------------------


CASES = [  # hand-written service situations, one or two cues each; (text, lang, expected waste)
    ("客户在营业厅排队一个多小时，柜员一直在等审批。", "zh", "waiting"),
    ("维修单提交后迟迟没人处理，客户打了三次电话。", "zh", "waiting"),
    ("The customer was on hold for 25 minutes while the agent waited for a supervisor.", "en", "waiting"),
    ("Refund requests sit in a backlog for a week before anyone looks at them.", "en", "waiting"),
    ("开户时客户信息要在三个系统里重复录入，还要层层审批。", "zh", "over_processing"),
    ("一份报价单需要五个部门多次签字，流程非常繁琐。", "zh", "over_processing"),
    ("Agents re-enter the same address in two systems and every refund needs three sign-offs.", "en", "over_processing"),
    ("The monthly report has far more detail than anyone reads; it is excessive.", "en", "over_processing"),
    ("新来的客服不知道退货政策，问了好几个人才答复客户。", "zh", "knowledge_gap"),
    ("老员工离职后，设备故障的处理经验没有沉淀，大家都不清楚怎么办。", "zh", "knowledge_gap"),
    ("Nobody knew the warranty rules because they were never documented.", "en", "knowledge_gap"),
    ("The agent couldn't find the answer in the knowledge base and asked around.", "en", "knowledge_gap"),
    ("让资深工程师去做数据录入，大材小用。", "zh", "skill_mismatch"),
    ("没有经过培训的新手独自处理大客户投诉，力不从心。", "zh", "skill_mismatch"),
    ("A junior agent who was not trained on billing handled the escalation.", "en", "skill_mismatch"),
    ("Senior engineers spend half the day resetting passwords; it is a skill mismatch.", "en", "skill_mismatch"),
    ("每天早上的例会开一个小时，没有议程也没有结论。", "zh", "useless_meetings"),
    ("为了一个小问题开会，十几个人陪会。", "zh", "useless_meetings"),
    ("We have three status calls a day and the meetings end with no decision.", "en", "useless_meetings"),
    ("The weekly all-hands runs two hours without an agenda.", "en", "useless_meetings"),
    ("安装师傅装错了型号，只能二次上门重新安装。", "zh", "rework"),
    ("合同条款写错，被法务打回，反复修改了三次。", "zh", "rework"),
    ("The invoice had an error, so finance sent it back and we had to redo it.", "en", "rework"),
    ("A mistake in the order meant a second visit by the technician.", "en", "rework"),
    ("客服每天收到几百封邮件和刷屏的群消息，重要投诉被淹没了。", "zh", "information_overload"),
    ("每封邮件都抄送全组，报表太多根本看不过来。", "zh", "information_overload"),
    ("Agents are flooded with notifications and cc'd on every thread.", "en", "information_overload"),
    ("Urgent complaints get buried in an inbox of hundreds of emails.", "en", "information_overload"),
    ("新买的自助终端放着不用，一直在大厅里闲置。", "zh", "idle_resources"),
    ("呼叫中心晚上坐席空闲，利用率低。", "zh", "idle_resources"),
    ("The new CRM licences sit unused and the kiosk is idle most of the day.", "en", "idle_resources"),
    ("Half the branch counters are underused in the afternoon.", "en", "idle_resources"),
]


@pytest.mark.parametrize("text, lang, expected", CASES, ids=[f"{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_the_classifier_names_the_waste_of_a_real_situation(text, lang, expected):
    verdict = process.classify_waste(text, lang)
    assert verdict.waste == expected, verdict.scores
    assert verdict.matched and all(m.casefold() in text.casefold() for m in verdict.matched)
    assert process.classify_waste(text).waste == expected  # both languages' cues at once


def test_every_waste_is_tested_in_both_languages():
    assert {(c[2], c[1]) for c in CASES} == {(w, g) for w in process.WASTES for g in ("zh", "en")}
    assert len(CASES) >= 16


@pytest.mark.parametrize("text", ["今天天气很好。", "The customer thanked us for the quick fix.", "", None, "   "])
def test_no_cue_means_no_waste(text):
    verdict = process.classify_waste(text, None)
    assert verdict.waste is None and verdict.matched == () and set(verdict.scores.values()) == {0}


def test_the_language_chooses_the_cue_list_and_words_match_whole():
    assert process.classify_waste("客户排队 queue", "en").matched == ("queue",)
    assert process.classify_waste("客户排队 queue", "zh").matched == ("排队",)
    assert process.classify_waste("The waitress brought a bridle.", "en").waste is None  # not "wait", not "idle"
    assert process.classify_waste("ＷＡＩＴＩＮＧ for approval", "en").waste == "waiting"  # full-width folded


def test_ties_go_to_the_earlier_waste_and_scores_count_every_waste():
    verdict = process.classify_waste("返工之后又排队。", "zh")  # rework 1, waiting 1
    assert verdict.waste == "waiting" and verdict.scores["rework"] == 1 and list(verdict.scores) == list(process.WASTES)


def test_the_cue_lists_are_distinct_and_named():
    for lang in ("zh", "en"):
        seen = {}
        for waste in process.WASTES:
            cues = process.waste_cues(waste, lang)
            assert cues and len(set(cues)) == len(cues), waste
            for cue in cues:
                assert cue not in seen, f"{cue!r} is a cue of {seen.get(cue)} and {waste}"
                seen[cue] = waste
            assert process.waste_name(waste, lang)


# --- critical path ------------------------------------------------------------------------------------


PLAN = [("A", 3, ""), ("B", 4, "A"), ("C", 2, "A"), ("D", 5, "B"), ("E", 1, "C"), ("F", 2, "C"), ("G", 4, "D, E"),
        ("H", 3, "F、G")]


def test_a_textbook_plan_by_hand():
    cp = process.critical_path(PLAN)
    assert cp.duration == 19 and cp.paths == (("A", "B", "D", "G", "H"),)
    table = cp.table
    assert table["es"].tolist() == [0, 3, 3, 7, 5, 5, 12, 16]
    assert table["ef"].tolist() == [3, 7, 5, 12, 6, 7, 16, 19]
    assert table["ls"].tolist() == [0, 3, 9, 7, 11, 14, 12, 16]
    assert table["lf"].tolist() == [3, 7, 11, 12, 12, 16, 16, 19]
    assert table["slack"].tolist() == [0, 0, 6, 0, 6, 9, 0, 0]
    assert cp.critical == ("A", "B", "D", "G", "H") and table.loc["H", "predecessors"] == ("F", "G")


def test_tied_paths_are_all_listed():
    cp = process.critical_path([("start", 0, None), ("a", 2, "start"), ("b", 2, "start"), ("c", 1, "start"),
                                ("end", 0, ["a", "b", "c"])])
    assert cp.duration == 2 and cp.paths == (("start", "a", "end"), ("start", "b", "end"))
    assert cp.table.loc["c", "slack"] == 1


def test_one_task_and_parallel_starts():
    assert process.critical_path([("only", 5, "")]).paths == (("only",),)
    cp = process.critical_path({"x": (2, []), "y": (2, ()), "z": (1, "")})
    assert cp.paths == (("x",), ("y",)) and cp.duration == 2


def test_names_are_text_and_keep_their_input_order():
    tasks = pd.DataFrame({"任务": [9, 10, "11"], "工期": [1, 2.5, 1], "紧前任务": [None, 9.0, "9；10"]})
    cp = process.critical_path(tasks)
    assert cp.table.index.tolist() == ["9", "10", "11"] and cp.paths == (("9", "10", "11"),)
    assert cp.duration == 4.5
    mixed = process.critical_path([(1, 1, ""), (2, 1.0, [1.0]), ("3", True + 0, "1，2")])
    assert mixed.paths == (("1", "2", "3"),)


@pytest.mark.parametrize("tasks, match", [
    ([("A", 1, "B"), ("B", 1, "A")], "A → B → A|B → A → B"),
    ([("A", 1, "A")], "A → A"),
    ([("S", 1, ""), ("A", 1, "S, C"), ("B", 1, "A"), ("C", 1, "B")], "→"),
    ([("A", 1, ""), ("B", 1, "X")], "X"),
    ([("A", -1, "")], "-1"),
    ([("A", float("nan"), "")], "nan"),
    ([("A", True, "")], "True"),
    ([("A", "3", "")], "3"),
    ([("A", None, "")], "None"),
    ([(1, 1, ""), ("1", 2, "")], "1"),
    ([(None, 1, "")], "1"),
    ([], "no tasks"),
])
def test_bad_plans_are_kit_errors(tasks, match):
    with pytest.raises(KitError, match=match):
        process.critical_path(tasks)


def test_a_cycle_is_named_in_dependency_order():
    with pytest.raises(KitError) as caught:
        process.critical_path([("S", 1, ""), ("A", 1, "S, C"), ("B", 1, "A"), ("C", 1, "B"), ("T", 1, "C")])
    cycle = caught.value.params["cycle"].split(" → ")
    assert cycle[0] == cycle[-1] and set(cycle) == {"A", "B", "C"}
    for before, after in itertools.pairwise(cycle):  # each task waits for the one before it
        assert {"A": "C", "B": "A", "C": "B"}[after] == before


def brute_force(durations, preds):
    """Every path from a task without predecessors to a task without successors; total = longest;
    ES/LF of each task from the paths through it."""
    succs = {n: [m for m in durations if n in preds[m]] for n in durations}
    paths = []

    def extend(path):
        if not succs[path[-1]]:
            paths.append(tuple(path))
        for s in succs[path[-1]]:
            extend([*path, s])

    for n in durations:
        if not preds[n]:
            extend([n])
    length = {p: sum(durations[n] for n in p) for p in paths}
    total = max(length.values())
    es = {n: max(sum(durations[m] for m in p[:p.index(n)]) for p in paths if n in p) for n in durations}
    lf = {n: min(total - sum(durations[m] for m in p[p.index(n) + 1:]) for p in paths if n in p) for n in durations}
    critical = {p for p in paths if math.isclose(length[p], total)}
    return total, es, lf, critical


@pytest.mark.parametrize("seed", range(60))
def test_random_plans_agree_with_brute_force(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 9)
    names = [str(i) for i in rng.sample(range(1, 30), n)]  # numbers as text: "10" sorts before "9"
    durations = {m: rng.choice([0, 1, 2, 3, 5, 0.5, 1.25]) for m in names}
    preds = {m: [p for p in names[:i] if rng.random() < 0.4] for i, m in enumerate(names)}
    order = names[:]
    rng.shuffle(order)  # rows need not come in dependency order
    cp = process.critical_path([(m, durations[m], list(preds[m])) for m in order])
    total, es, lf, critical = brute_force(durations, preds)
    assert cp.duration == pytest.approx(total)
    for m in names:
        assert cp.table.loc[m, "es"] == pytest.approx(es[m])
        assert cp.table.loc[m, "lf"] == pytest.approx(lf[m])
        assert cp.table.loc[m, "slack"] == pytest.approx(lf[m] - durations[m] - es[m], abs=1e-9)
    assert set(cp.paths) == critical and len(cp.paths) == len(critical)


# --- walkthrough --------------------------------------------------------------------------------------


def test_walkthrough_means_and_tied_weakest_aspects():
    sheets = pd.DataFrame({"walker": ["甲", "乙", "丙"], "time": [2, 3, 1], "flow": [3, 2, 1.0],
                           "communication": [4, 4, 5], "environment": [5, 4, 4], "resolution": [3, 4, None]})
    w = process.walkthrough_score(sheets)
    oracle = sheets[list(process.ASPECTS)].mean()
    assert w.table["mean"].tolist() == pytest.approx(oracle.tolist())
    assert w.weakest == ("time", "flow") and w.n == 3
    assert w.table["n"].tolist() == [3, 3, 3, 3, 2]
    assert w.mean == pytest.approx(oracle.mean())


def test_one_sheet_in_chinese():
    w = process.walkthrough_score({"时间": 4, "流程": 2, "沟通": 5, "环境": 5, "解决": 3, "网点": "朝阳"})
    assert w.weakest == ("flow",) and w.n == 1 and w.mean == pytest.approx(19 / 5)
    assert process.walkthrough_score({a: 3 for a in process.ASPECTS}).weakest == process.ASPECTS


@pytest.mark.parametrize("ratings, match", [
    ({"time": 6, "flow": 3, "communication": 3, "environment": 3, "resolution": 3}, "6"),
    ({"time": 0, "flow": 3, "communication": 3, "environment": 3, "resolution": 3}, "0"),
    ({"time": True, "flow": 3, "communication": 3, "environment": 3, "resolution": 3}, "True"),
    ({"time": "4", "flow": 3, "communication": 3, "environment": 3, "resolution": 3}, "4"),
    ({"time": 4, "flow": 3, "communication": 3, "environment": 3}, "resolution"),
    ({"time": 4, "flow": 3, "communication": 3, "environment": 3, "resolution": None}, "resolution"),
    ([], "no walkthrough"),
])
def test_bad_walkthrough_ratings_are_kit_errors(ratings, match):
    with pytest.raises(KitError, match=match):
        process.walkthrough_score(ratings)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_aspect_display_names_are_accepted_as_columns(lang):
    sheet = {process.aspect_name(a, lang): i + 1 for i, a in enumerate(process.ASPECTS)}
    assert process.walkthrough_score(sheet).table["mean"].tolist() == [1, 2, 3, 4, 5]
