"""Feedback loop and continuous improvement (kit.improvement, module X2): the loop funnel and [004]'s deadlines,
the PDCA Check against scipy and statsmodels, the dot-vote tally, the case-review check and the loops side by
side — on hand-made tables with hand-computed answers."""

import ast
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats as sps
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest

from kit import improvement as im
from kit.errors import KitError
from kit.i18n import flatten, set_lang

LOCALE = Path(im.__file__).with_name("locale")
CORE = {"kit.errors", "kit.results", "kit.names", "kit.stats", "kit.i18n", "kit.data.schemas"}


@pytest.fixture(autouse=True)
def _english():
    """Error texts are matched in English (conftest returns to KIT_LANG after each test)."""
    set_lang("en")


def test_the_module_imports_only_core_modules():
    tree = ast.parse(Path(im.__file__).read_text(encoding="utf-8"))
    kit_imports = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module.startswith("kit")}
    kit_imports |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
                    if a.name.startswith("kit")}
    assert kit_imports <= CORE


def test_the_locale_files_pair_up():
    en, zh = (flatten(yaml.safe_load((LOCALE / f"improvement.{lang}.yml").read_text(encoding="utf-8")))
              for lang in ("en", "zh"))
    assert set(en) == set(zh)


def wilson95(k, n):
    return proportion_confint(k, n, alpha=0.05, method="wilson")


# --- loop funnel --------------------------------------------------------------------------------------

T = pd.Timestamp("2025-03-01 08:00")
LOG = pd.DataFrame({  # 8 complaints; per row: classified? actioned? verified?
    "ticket_id": [f"T{i}" for i in range(1, 9)],
    "category": ["账单", "  ", None, "物流", "物流", None, "账单", "系统"],
    "failure_type": ["outcome", None, "process", None, None, None, None, None],
    "solution_at": [T, None, T, None, None, None, T, None],
    "resolved_at": [T, T, None, None, None, None, T, T],
    "verified_at": [T, T, None, None, T, None, T, None],
})
# classified: 1 3 4 5 7 8 (6); actioned: 1 2 3 7 8, of them classified 1 3 7 8 (4); verified: 1 2 5 7, of them
# classified and actioned 1 7 (2)


def test_the_funnel_by_hand_with_wilson_intervals():
    f = im.loop_funnel(LOG)
    assert f.index.tolist() == list(im.FUNNEL_STEPS)
    assert f["n"].tolist() == [8, 6, 4, 2] and f["reached"].tolist() == [8, 6, 5, 4]
    assert f["share_prev"].tolist()[1:] == pytest.approx([6 / 8, 4 / 6, 2 / 4])
    assert f["share_all"].tolist() == pytest.approx([1, 6 / 8, 4 / 8, 2 / 8])
    assert math.isnan(f.loc["collected", "share_prev"]) and math.isnan(f.loc["collected", "prev_low"])
    assert f["of"].tolist()[1:] == ["collected", "classified", "actioned"]
    for step, k, base in (("classified", 6, 8), ("actioned", 4, 6), ("verified", 2, 4)):
        assert (f.loc[step, "prev_low"], f.loc[step, "prev_high"]) == pytest.approx(wilson95(k, base))
        assert (f.loc[step, "all_low"], f.loc[step, "all_high"]) == pytest.approx(wilson95(k, 8))


def test_missing_columns_are_not_recorded_not_zero():
    f = im.loop_funnel(LOG[["ticket_id", "category", "verified_at"]])
    assert f["recorded"].tolist() == [True, True, False, True]
    assert f.loc["actioned", "n"] is pd.NA and math.isnan(f.loc["actioned", "share_all"])
    assert f["note"].tolist() == ["", "", "not recorded", ""]
    assert im.loop_funnel(LOG[["ticket_id"]], lang="zh").loc["verified", "note"] == "未记录"
    # without failure_type, classified = 1 4 5 7 8; verified is compared with it: 1 5 7
    assert f.loc["classified", "n"] == 5
    assert f.loc["verified", "of"] == "classified" and f.loc["verified", "n"] == 3
    assert f.loc["verified", "share_prev"] == pytest.approx(3 / 5)
    bare = im.loop_funnel(LOG[["ticket_id"]])
    assert bare["recorded"].tolist() == [True, False, False, False] and bare.loc["collected", "n"] == 8


def test_text_timestamps_blank_strings_and_one_row():
    log = pd.DataFrame({"failure_type": ["outcome", ""], "resolved_at": ["2025-03-01 10:00", " "],
                        "verified_at": [None, "2025-03-02"]})
    f = im.loop_funnel(log)
    assert f["n"].tolist() == [2, 1, 1, 0] and f["reached"].tolist() == [2, 1, 1, 1]
    one = im.loop_funnel(log.iloc[:1])
    assert one["n"].tolist() == [1, 1, 1, 0] and one.loc["verified", "share_prev"] == 0
    assert one.loc["verified", "prev_high"] == pytest.approx(wilson95(0, 1)[1])


def test_an_empty_log_gives_zero_counts_and_no_shares():
    f = im.loop_funnel(LOG.iloc[:0])
    assert f["n"].tolist() == [0, 0, 0, 0] and f["share_all"].isna().all() and f["prev_low"].isna().all()


@pytest.mark.parametrize("lang, first", [("zh", "已收集"), ("en", "Collected")])
def test_steps_are_named_in_the_locale(lang, first):
    assert im.loop_funnel(LOG, lang=lang)["name"].iloc[0] == first


def test_the_funnel_wants_a_table():
    with pytest.raises(KitError, match="DataFrame"):
        im.loop_funnel([{"category": "x"}])
    with pytest.raises(KitError, match="confidence"):
        im.loop_funnel(LOG, ci=95)


# --- deadlines ----------------------------------------------------------------------------------------

H = pd.Timedelta(hours=1)
TIMED = pd.DataFrame({
    "received_at": [T, T, T, T, T + 40 * H],
    "solution_at": [T + 24 * H, T + 24 * H + pd.Timedelta(seconds=1), pd.NaT, T + 2 * H, pd.NaT],
    "resolved_at": [T + 48 * H, T + 50 * H, pd.NaT, T + 3 * H, pd.NaT],
})


def test_deadlines_by_hand_at_the_latest_time():
    d = im.loop_deadlines(TIMED)  # as_of = T + 50 h: ticket 3 is late on both, ticket 5 (10 h old) pending
    assert d.loc["analysed_24h", ["n", "met", "breached", "pending"]].tolist() == [4, 2, 2, 1]
    assert d.loc["replied_48h", ["n", "met", "breached", "pending"]].tolist() == [4, 2, 2, 1]
    assert d["share"].tolist() == [0.5, 0.5]
    assert (d.loc["analysed_24h", "ci_low"], d.loc["analysed_24h", "ci_high"]) == pytest.approx(wilson95(2, 4))
    assert d["end"].tolist() == ["solution_at", "resolved_at"] and d["limit_h"].tolist() == [24, 48]


def test_deadlines_at_a_given_moment():
    d = im.loop_deadlines(TIMED, as_of=T + 30 * H)  # ticket 3 is 30 h old: late for 24 h, pending for 48 h
    assert d.loc["analysed_24h", ["n", "met", "breached", "pending"]].tolist() == [4, 2, 2, 1]
    assert d.loc["replied_48h", ["n", "met", "breached", "pending"]].tolist() == [3, 2, 1, 2]
    assert d.loc["replied_48h", "share"] == pytest.approx(2 / 3)
    assert (d.loc["replied_48h", "ci_low"], d.loc["replied_48h", "ci_high"]) == pytest.approx(wilson95(2, 3))


def test_a_missing_end_column_is_not_recorded_and_ends_can_be_renamed():
    d = im.loop_deadlines(TIMED.drop(columns="resolved_at"))
    assert d["recorded"].tolist() == [True, False] and d.loc["replied_48h", "n"] is pd.NA
    assert math.isnan(d.loc["replied_48h", "share"]) and d["note"].tolist() == ["", "not recorded"]
    log = TIMED.assign(first_response_at=TIMED["received_at"] + H)
    assert im.loop_deadlines(log, replied="first_response_at").loc["replied_48h", "met"] == 5


def test_text_times_are_read_and_bad_ones_refused():
    text = pd.DataFrame({"received_at": ["2025-03-01 08:00", "2025-03-01 09:00"],
                         "solution_at": ["2025-03-01 20:00", ""]})
    d = im.loop_deadlines(text, as_of="2025-03-01 21:00")
    assert d.loc["analysed_24h", ["met", "pending"]].tolist() == [1, 1]
    with pytest.raises(KitError, match="soon"):
        im.loop_deadlines(text.assign(solution_at=["soon", None]))
    with pytest.raises(KitError, match=r"row\(s\) 3"):
        im.loop_deadlines(TIMED.assign(resolved_at=[T + H, T - H, pd.NaT, pd.NaT, pd.NaT]))
    with pytest.raises(KitError, match="received_at"):
        im.loop_deadlines(TIMED.drop(columns="received_at"))


def test_an_empty_log_has_no_deadline_share():
    d = im.loop_deadlines(TIMED.iloc[:0])
    assert d["n"].tolist() == [0, 0] and d["share"].isna().all()


# --- PDCA check ---------------------------------------------------------------------------------------

MEANS = [
    ([3, 4, 3, 4], [4, 5, 5, 4]),
    ([12.5, 9, 14, 11, 10.5, 13], [8, 9.5, 7, 10, 8.5]),
    (list(range(1, 11)), [5, 5.1, 4.9]),
    ([4.2, 3.9, 4.4, 4.1, 3.8, 4.0, 4.3], [4.3, 4.0, 4.5, 4.6, 3.9, 4.4, 4.2, 4.1]),
]


@pytest.mark.parametrize("before, after", MEANS)
@pytest.mark.parametrize("ci", [0.95, 0.9])
def test_welch_agrees_with_scipy(before, after, ci):
    r = im.pdca_check(before, after, ci=ci)
    oracle = sps.ttest_ind(after, before, equal_var=False)
    assert r.statistic == pytest.approx(oracle.statistic) and r.p_value == pytest.approx(oracle.pvalue)
    assert r.df == pytest.approx(oracle.df)
    assert r.ci == pytest.approx(tuple(oracle.confidence_interval(confidence_level=ci)))
    assert r.diff == pytest.approx(np.mean(after) - np.mean(before))
    assert (r.n_before, r.n_after) == (len(before), len(after))


def test_the_verdict_follows_the_kpis_direction():
    before, after = MEANS[1]  # handling minutes fell: good when lower is better
    assert im.pdca_check(before, after, higher_is_better=False).verdict == "improved"
    assert im.pdca_check(before, after, higher_is_better=True).verdict == "worse"
    assert im.pdca_check(*MEANS[3]).verdict == "no_significant_change"
    assert im.pdca_check(*MEANS[0]).verdict == "improved"  # p = 0.0498 < 0.05
    assert im.pdca_check(*MEANS[0], ci=0.99).verdict == "no_significant_change"


PROPORTIONS = [((30, 50), (40, 50)), ((12, 40), (9, 60)), ((45, 90), (47, 90)), ((0, 20), (6, 25))]


@pytest.mark.parametrize("before, after", PROPORTIONS)
def test_two_proportions_agree_with_statsmodels(before, after):
    (kb, nb), (ka, na) = before, after
    r = im.pdca_check({"k": kb, "n": nb}, {"k": ka, "n": na}, kind="proportion")
    z, p = proportions_ztest([ka, kb], [na, nb])
    assert r.statistic == pytest.approx(z) and r.p_value == pytest.approx(p)
    low, high = confint_proportions_2indep(ka, na, kb, nb, method="newcomb", compare="diff")
    assert r.ci == pytest.approx((low, high))
    assert (r.before, r.after, r.diff) == pytest.approx((kb / nb, ka / na, ka / na - kb / nb))
    assert math.isnan(r.df)
    outcomes = im.pdca_check([1] * kb + [0] * (nb - kb), [True] * ka + [False] * (na - ka), kind="proportion")
    assert outcomes.p_value == pytest.approx(r.p_value) and outcomes.ci == pytest.approx(r.ci)


def test_complaint_share_down_is_improved_when_lower_is_better():
    r = im.pdca_check({"k": 30, "n": 100}, {"k": 15, "n": 100}, kind="proportion", higher_is_better=False)
    assert r.verdict == "improved" and r.diff == pytest.approx(-0.15)


def test_outcomes_of_mixed_types_count_alike_and_missing_ones_are_left_out():
    mixed = [1, 1.0, True, np.True_, 0, 0.0, False, None, float("nan"), pd.NA]
    r = im.pdca_check(mixed, pd.array([True, None, False, True], dtype="boolean"), kind="proportion")
    assert (r.n_before, r.before, r.n_after, r.after) == (7, pytest.approx(4 / 7), 3, pytest.approx(2 / 3))
    m = im.pdca_check([1, 2.0, np.int64(3), None, float("nan")], np.array([2.0, 3.0, 4.0]))
    assert m.n_before == 3 and m.diff == pytest.approx(1)


def test_constant_sides_have_no_spread():
    same = im.pdca_check([4, 4, 4], [4, 4])
    assert same.p_value == 1 and same.verdict == "no_significant_change" and same.ci == (0, 0)
    moved = im.pdca_check([4, 4, 4], [5, 5])
    assert moved.p_value == 0 and moved.verdict == "improved" and moved.ci == (1, 1)
    all_yes = im.pdca_check([1, 1], [1, 1, 1], kind="proportion")
    assert all_yes.p_value == 1 and all_yes.verdict == "no_significant_change"


@pytest.mark.parametrize("before, after, kind, match", [
    ([5], [1, 2, 3], "mean", "before side has 1 value.*at least 2"),
    ([5, None, float("nan")], [1, 2, 3], "mean", "before side has 1"),
    ([1, 2], [], "mean", "after side has 0"),
    ({"k": 1, "n": 1}, {"k": 3, "n": 5}, "proportion", "before side has 1"),
    ([1, True], [2, 3], "mean", "True"),
    ([1, "2"], [2, 3], "mean", "'2'"),
    ("1 2 3", [2, 3], "mean", "str"),
    ([1, 2], [0, 1, 2], "proportion", "2"),
    ([1, 0], ["yes", "no"], "proportion", "yes"),
    ({"k": 6, "n": 5}, {"k": 3, "n": 5}, "proportion", "k = 6"),
    ({"k": 1.5, "n": 5}, {"k": 3, "n": 5}, "proportion", "1.5"),
    ([1, 2], [3, 4], "median", "median"),
])
def test_bad_pdca_input_is_a_kit_error(before, after, kind, match):
    with pytest.raises(KitError, match=match):
        im.pdca_check(before, after, kind=kind)


def test_results_flatten_intervals_and_names():
    flat = im.pdca_check(*MEANS[0]).to_dict()
    assert flat["ci_low"] < flat["diff"] < flat["ci_high"] and "ci" not in flat and flat["kind"] == "mean"
    assert im.dot_vote([("甲", "A"), ("乙", "B")]).to_dict()["top"] == "A, B"
    assert im.check_review({"事实": "x", "计划": "y"}).to_dict() == {"ok": False, "present": "facts, plan"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_verdicts_read_in_both_languages(lang):
    for before, after in MEANS:
        assert "p = " in im.pdca_check(before, after).message(lang)


# --- dot vote -----------------------------------------------------------------------------------------


def test_the_tally_by_hand_with_competition_ranks():
    votes = [("王", "等待久"), ("王", "流程乱"), ("李", "等待久"), ("李", "系统慢"), ("张", "流程乱"), ("张", "等待久"),
             ("张", "系统慢"), ("张", "系统慢"), ("赵", "态度差")]
    v = im.dot_vote(votes)
    assert v.table.index.tolist() == ["等待久", "系统慢", "流程乱", "态度差"]
    assert v.table["votes"].tolist() == [3, 3, 2, 1] and v.table["rank"].tolist() == [1, 1, 3, 4]
    assert v.table["rank"].tolist() == sps.rankdata(-v.table["votes"].to_numpy(), method="min").tolist()
    assert v.table["share"].sum() == pytest.approx(1) and v.n_dots == 9 and v.n_people == 4
    assert v.top == ("等待久", "系统慢") and not v.ok
    assert v.violations.to_dict("index") == {"张": {"dots": 4, "allowed": 3, "over": 1}}
    assert im.dot_vote(votes, dots_per_person=4).ok


def test_labels_are_text_never_sorted_and_mixed_types_are_one_option():
    votes = [("a", "10"), ("b", 9), ("c", "10"), ("d", 9.0), ("e", "2"), ("f", 1), ("g", 1.0), ("h", "1"), ("i", True)]
    v = im.dot_vote(votes)
    assert v.table.index.tolist() == ["1", "10", "9", "2", "True"]
    assert v.table["votes"].tolist() == [3, 2, 2, 1, 1] and v.table["rank"].tolist() == [1, 2, 2, 4, 4]


def test_mappings_tables_and_options_without_dots():
    v = im.dot_vote({"Ann": ["A", "B", "C", "D"], "ann ": "A", "Bo": ("B",)}, options=["D", "E", "a"])
    assert v.n_people == 2 and v.violations.to_dict("index") == {"Ann": {"dots": 5, "allowed": 3, "over": 2}}
    # options come first and keep their spelling ("a"); ties keep first-mention order
    assert v.table["votes"].to_dict() == {"a": 2, "B": 2, "D": 1, "C": 1, "E": 0}
    assert v.table["rank"].tolist() == [1, 1, 3, 3, 5]
    table = pd.DataFrame({"参与者": ["甲", "乙", "乙"], "选项": ["排队", "排队", "填表"]})
    assert im.dot_vote(table).table["votes"].to_dict() == {"排队": 2, "填表": 1}


def test_an_empty_vote_and_one_dot():
    empty = im.dot_vote([])
    assert empty.n_dots == 0 and empty.ok and empty.top == () and empty.table.empty and empty.violations.empty
    zeros = im.dot_vote([], options=["A", None, "B", " "])
    assert zeros.table["rank"].tolist() == [1, 1] and zeros.top == () and zeros.table["share"].isna().all()
    one = im.dot_vote([("甲", "A")])
    assert one.top == ("A",) and one.table["share"].tolist() == [1.0]


@pytest.mark.parametrize("votes, kwargs, match", [
    ([("甲", None)], {}, "no person or no option"),
    ([("  ", "A")], {}, "no person or no option"),
    ([("甲", "A", "B")], {}, "pair"),
    (["甲A"], {}, "pair"),
    (pd.DataFrame({"person": ["甲"]}), {}, "option"),
    ("甲,A", {}, "str"),
    ([("甲", "A")], {"dots_per_person": 0}, "0"),
    ([("甲", "A")], {"dots_per_person": True}, "True"),
    ([("甲", "A")], {"dots_per_person": 2.5}, "2.5"),
])
def test_bad_votes_are_kit_errors(votes, kwargs, match):
    with pytest.raises(KitError, match=match):
        im.dot_vote(votes, **kwargs)


# --- case review --------------------------------------------------------------------------------------


def review_codes(check):
    return [(p.code, p.step, p.position) for p in check.problems]


def test_a_complete_review_in_order_is_ok():
    r = im.check_review({"事实": "客户等了40分钟", "原因": "排班未按来电预测", "经验教训": "高峰要看预测", "改进计划": "下周起按预测排班"})
    assert r.ok and r.present == im.REVIEW_STEPS and r.problems == ()
    en = im.check_review([("What happened", "A 40-minute wait"), ("Root cause", "Rota ignores the forecast"),
                          ("Lessons learned", ["Plan peaks", ""]), ("Action plan", "Forecast-based rota")])
    assert en.ok


def test_empty_steps_whitespace_none_and_blank_bullets():
    r = im.check_review({"facts": " \t\n", "causes": None, "lessons": ["", "  "], "plan": float("nan")})
    assert review_codes(r) == [("empty_step", s, i) for i, s in enumerate(im.REVIEW_STEPS, start=1)]
    assert im.check_review({"facts": 0, "causes": "x", "lessons": "y", "plan": "z"}).ok  # the number 0 is written


def test_order_unknown_duplicate_and_missing_steps():
    r = im.check_review([("计划", "加人"), ("事实", "排队"), ("原因", "排班"), ("教训", "看预测")])
    assert review_codes(r) == [("out_of_order", "plan", 1)]
    r = im.check_review([("事实", "a"), ("总结", "b"), ("原因", "c"), ("事实", "d"), ("计划", "e")])
    assert review_codes(r) == [("unknown_step", "总结", 2), ("duplicate_step", "facts", 4),
                               ("missing_step", "lessons", None)]
    empty = im.check_review({})
    assert review_codes(empty) == [("missing_step", s, None) for s in im.REVIEW_STEPS]
    one = im.check_review({"plan": "x"})
    assert [p.code for p in one.problems] == ["missing_step"] * 3


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_review_problem_has_words(lang):
    for code in im.REVIEW_PROBLEMS:
        text = im.ReviewProblem(code, "causes", 2).message(lang)
        assert "{" not in text and ("原因" if lang == "zh" else "Causes") in text  # the step by its name
    assert "总结" in im.ReviewProblem("unknown_step", "总结", 2).message(lang)


@pytest.mark.parametrize("bad", ["事实：排队", 5, [("事实",)]])
def test_a_review_that_is_not_headings_and_texts_is_refused(bad):
    with pytest.raises(KitError):
        im.check_review(bad)


# --- loops --------------------------------------------------------------------------------------------


def test_the_loops_and_their_steps():
    assert im.LOOPS["closed_000"]["steps"] == ("collect", "analyse", "prioritise", "plan", "verify")
    assert im.LOOPS["closed_002"]["steps"] == ("record", "classify", "assign", "resolve", "verify")
    assert im.LOOPS["feedback_004"]["steps"] == ("collect", "classify", "analyse", "reply")
    assert im.LOOPS["pdca"]["steps"] == ("plan", "do", "check", "act")
    limits = im.LOOPS["feedback_004"]["limits_h"]
    assert (limits["analyse"], limits["reply"]) == tuple(h for _, h in im.LOOP_DEADLINES.values())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_loops_side_by_side(lang):
    table = im.loop_table(lang)
    assert table.index.tolist() == list(im.LOOPS) and list(table.columns) == ["name", "sources", 1, 2, 3, 4, 5]
    assert table.loc["pdca", 5] == "" and table.loc["pdca", "sources"] == "[001][002][004]"
    assert "48" in table.loc["feedback_004", 4] and all(table.loc[loop, 1] for loop in im.LOOPS)
