"""Service recovery (kit.recovery): step coverage, deadlines, the delay claim, failure types, Pareto, the recovery
paradox, authority and 5 Whys, checked on hand-computed cases and on the sample data's built-in story; and the
fixed answers of lesson 3's self-checks agree with the logic."""

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from kit import recovery
from kit.errors import KitError
from kit.paths import COURSE
from kit.personal import personal_rng

QUIZ = yaml.safe_load((COURSE / "recovery" / "quiz.yml").read_text(encoding="utf-8"))


def quiz_text(lang):
    return yaml.safe_load((COURSE / "recovery" / f"quiz.{lang}.yml").read_text(encoding="utf-8"))


def frame(replies, received="2025-03-01 08:00", **columns):
    """Tickets received at one moment, first replies ``replies`` hours later (None: no reply yet)."""
    start = pd.Timestamp(received)
    stamps = [pd.NaT if h is None else start + pd.Timedelta(hours=h) for h in replies]
    return pd.DataFrame({"received_at": [start] * len(replies), "first_response_at": pd.to_datetime(stamps), **columns})


# --- step models ---------------------------------------------------------------------------------------


def test_the_models_have_the_seed_steps_in_order():
    assert recovery.model_steps("LEAF") == ("listen", "empathize", "act", "follow_up")
    assert recovery.model_steps("HEAT") == ("hear", "empathize", "apologize", "take_action")
    assert recovery.model_steps("LESCANT") == ("listen", "empathize", "sorry", "correct", "act", "notify", "thank")
    with pytest.raises(KitError, match="LEAP"):
        recovery.model_steps("LEAP")


def test_a_full_lescant_reply_covers_every_step_in_order():
    reply = ("您反映的包裹延迟了3天，换作是我也会着急。非常抱歉让您久等。问题出在物流交接，已经更正。"
             "我现在就为您加急补发，短信通知您单号。感谢您的耐心。")
    cover = recovery.step_coverage(reply, "LESCANT")
    assert cover.present == cover.steps and cover.missing == () and cover.out_of_order == ()
    assert cover.score == 1.0 and cover.source == "002"
    assert cover.found["sorry"][1] == "抱歉"


def test_missing_steps_and_score_are_counted():
    cover = recovery.step_coverage("You told us the parcel was late. Sorry about that.", "LESCANT")
    assert cover.present == ("listen", "sorry")
    assert cover.missing == ("empathize", "correct", "act", "notify", "thank")
    assert cover.score == pytest.approx(2 / 7)
    assert recovery.step_coverage("", "LEAF").score == 0


def test_out_of_order_names_the_fewest_steps_to_move():
    # Thank comes first; the other four steps are in order, so only Thank is out of place.
    reply = "Thank you. You told us about the delay; I understand how frustrating it is. Sorry. I found the cause."
    cover = recovery.step_coverage(reply, "LESCANT")
    assert cover.out_of_order == ("thank",)
    # Listen at the very end: only Listen moves, not the three steps that are in order among themselves.
    late_listen = recovery.step_coverage("非常抱歉。我现在就为您补发。会短信通知您。我确认一下您的地址。", "LESCANT")
    assert late_listen.out_of_order == ("listen",)


def test_english_cues_start_at_a_word_start():
    assert "correct" not in recovery.step_coverage("The invoice was incorrect.", "LESCANT").present
    assert "correct" in recovery.step_coverage("I have CORRECTED the invoice.", "LESCANT").present


def test_leaf_act_counts_a_fix_or_an_action():
    assert "act" in recovery.step_coverage("问题出在系统配置。", "LEAF").present
    assert "act" in recovery.step_coverage("I'll arrange a refund.", "LEAF").present


def test_apology_is_specific_when_it_names_the_failure():
    assert recovery.apology_check("很抱歉让您等了 40 分钟。").specific
    assert recovery.apology_check("We apologise that your order arrived damaged.").specific
    vague = recovery.apology_check("您好。对不起，给您带来不便。我们马上处理。")
    assert vague.apology and not vague.specific and vague.sentence == "对不起，给您带来不便。"
    assert recovery.apology_check("我们马上处理。") == recovery.ApologyCheck(False, False, (), None)


def test_blame_shifting_is_found():
    assert recovery.apology_check("很抱歉，但是您应该早点联系我们。").blame == ("但是您",)
    assert recovery.apology_check("That's not our fault, you should have read the terms.").blame == (
        "not our fault", "you should have")
    assert recovery.apology_check("You should receive it tomorrow.").blame == ()


# --- deadlines -------------------------------------------------------------------------------------------


def test_response_hours_are_exact_and_missing_stays_missing():
    hours = recovery.response_hours(frame([0.25, 30, None]))
    assert hours.iloc[:2].tolist() == [0.25, 30.0] and math.isnan(hours.iloc[2])


def test_sla_status_met_breached_pending_and_out_of_scope():
    t = frame([0.1, 3, None, None], severity=["crisis", "crisis", "crisis", "minor"])
    rule = {"end": "first_response_at", "limit": "2h", "severity": ["crisis"]}
    status = recovery.sla_status(t, rule, as_of="2025-03-01 09:00")
    assert status.iloc[:3].tolist() == ["met", "breached", "pending"] and pd.isna(status.iloc[3])
    late = recovery.sla_status(t, rule, as_of="2025-03-01 11:00")
    assert late.iloc[2] == "breached", "still open past the limit counts as a breach"


def test_sla_compliance_by_hand():
    # 10 tickets: replies after 0.1 h ×4, 0.5 h ×3, 2 h, 20 h, 30 h → ≤ 24 h: 9 of 10; ≤ 15 min: 4 of 10.
    t = frame([0.1] * 4 + [0.5] * 3 + [2, 20, 30])
    table = recovery.sla_compliance(t, ["reply_24h", "negative_reply_15min"])
    assert table.loc["reply_24h", ["n", "met", "breached", "pending"]].tolist() == [10, 9, 1, 0]
    assert table.loc["reply_24h", "share"] == pytest.approx(0.9)
    # Wilson 95 % interval for 9/10, as tabulated: 0.596–0.982
    assert table.loc["reply_24h", ["ci_low", "ci_high"]].tolist() == pytest.approx([0.5958, 0.9821], abs=1e-4)
    assert table.loc["negative_reply_15min", "share"] == pytest.approx(0.4)
    assert table.loc["reply_24h", "mean_h"] == pytest.approx((0.4 + 1.5 + 2 + 20 + 30) / 10)
    assert table.loc["reply_24h", "median_h"] == pytest.approx(0.5)
    assert table.loc["reply_24h", "sources"] == "001, 002"


def test_pending_tickets_stay_out_of_the_share():
    t = frame([1, 30, None])  # as_of defaults to the latest stamp, 30 h after receipt: the open one breached
    assert recovery.sla_compliance(t, ["reply_24h"]).loc["reply_24h", ["met", "breached", "pending"]].tolist() == [1, 2, 0]
    early = recovery.sla_compliance(t, ["reply_24h"], as_of="2025-03-01 20:00")
    assert early.loc["reply_24h", ["n", "pending"]].tolist() == [2, 1]


def test_sla_breaches_are_listed_slowest_first():
    t = frame([1, 30, 50], ticket_id=["A", "B", "C"])
    late = recovery.sla_breaches(t, "reply_24h")
    assert late["ticket_id"].tolist() == ["C", "B"] and late["hours"].tolist() == [50.0, 30.0]


def test_unknown_rules_and_missing_columns_are_explained():
    with pytest.raises(KitError, match="reply_1h"):
        recovery.deadline_rules(["reply_1h"])
    with pytest.raises(KitError, match="resolved_at"):
        recovery.sla_compliance(frame([1]), ["handle_72h"])


def test_every_deadline_names_its_seed():
    for rule in recovery.deadline_rules().values():
        assert set(rule["sources"]) <= {"000", "001", "002", "004"} and pd.Timedelta(rule["limit"]) > pd.Timedelta(0)


def test_sample_compliance_matches_a_direct_count(tickets):
    table = recovery.sla_compliance(tickets)
    hours = recovery.response_hours(tickets)
    answered = hours.notna()
    assert table.loc["reply_24h", "share"] == pytest.approx((hours[answered] <= 24).mean(), abs=0.002)
    assert table.loc["crisis_reply_2h", "n"] == (tickets["severity"] == "crisis").sum()
    assert table.loc["negative_reply_15min", "share"] < table.loc["reply_24h", "share"]


# --- the delay claim -------------------------------------------------------------------------------------


def test_claimed_satisfaction_follows_the_source_rule():
    assert recovery.claimed_satisfaction([0, 24, 36, 48, 60]).tolist() == pytest.approx([1, 1, 0.85, 0.7225, 0.614125])
    assert float(recovery.claimed_satisfaction(30)) == pytest.approx(0.85 ** 0.5)
    assert float(recovery.claimed_satisfaction(36, cut=0.5)) == pytest.approx(0.5)
    assert QUIZ["delay_claim"]["answer"] == pytest.approx(100 * float(recovery.claimed_satisfaction(36)))


def test_response_bands():
    bands = recovery.response_band([0, 1, 1.5, 24, 24.1, 100])
    assert bands.tolist() == ["0–1 h", "0–1 h", "1–4 h", "4–24 h", "24–36 h", "> 36 h"]
    assert list(bands.cat.categories) == ["0–1 h", "1–4 h", "4–24 h", "24–36 h", "> 36 h"]


def test_delay_cost_by_hand():
    t = frame([0.5, 0.5, 30, 30], post_csat=pd.array([5, 4, 3, 2], dtype="Int64"))
    table = recovery.delay_cost(t, edges=[0, 24, 48], min_n=1).set_index("band")
    assert table.loc["0–24 h", "mean"] == 4.5 and table.loc["24–48 h", "mean"] == 2.5
    assert table.loc["24–48 h", "observed_rel"] == pytest.approx(2.5 / 4.5)
    assert table.loc["24–48 h", "claimed_rel"] == pytest.approx(0.85 ** 0.5)


def test_sample_satisfaction_drops_after_24_hours(tickets):
    table = recovery.delay_cost(tickets).set_index("band")
    assert (table["flag"] == "").all(), "every default band has enough tickets"
    assert table.loc["24–36 h", "mean_ci_high"] < table.loc["0–1 h", "mean_ci_low"]


# --- failure types and root causes -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_classifier_reproduces_the_quiz_key(lang):
    items = quiz_text(lang)["failure_types"]["items"]
    found = recovery.classify_failures(list(items.values()))
    assert dict(zip(items, found["type"], strict=True)) == QUIZ["failure_types"]["answer"]


def test_ties_go_to_the_earlier_type_and_no_hit_leaves_it_open():
    tie = recovery.classify_failure("商品破损，还等了很久。")  # outcome 1, process 1
    assert tie.type == "outcome" and tie.scores == {"outcome": 1, "process": 1, "communication": 0, "interpersonal": 0}
    assert recovery.classify_failure("The agent was RUDE.").type == "interpersonal"
    assert recovery.classify_failure("一切正常。") == recovery.FailureVerdict(None, (), dict.fromkeys(recovery.FAILURE_TYPES, 0))


def test_classify_failures_keeps_the_index_and_missing_text():
    found = recovery.classify_failures(pd.Series(["系统报错", None], index=[7, 9]))
    assert found.index.tolist() == [7, 9] and found.loc[7, "type"] == "process" and pd.isna(found.loc[9, "type"])


def test_pareto_by_hand():
    table = recovery.pareto(["a"] * 4 + ["b"] * 4 + ["c"] * 1 + ["d"] * 1)
    assert table["cause"].tolist() == ["a", "b", "c", "d"], "ties ordered by name"
    assert table["cumulative"].tolist() == pytest.approx([0.4, 0.8, 0.9, 1.0])
    assert table["vital"].tolist() == [True, True, False, False], "exactly 80 % is enough"
    assert recovery.pareto(["a"] * 4 + ["b"] * 4 + ["c"] * 2, threshold=0.5)["vital"].tolist() == [True, True, False]
    with pytest.raises(KitError):
        recovery.pareto(["a"], threshold=80)


def test_sample_root_causes_follow_a_pareto(tickets):
    table = recovery.pareto(tickets["root_cause"])
    vital = table[table["vital"]]
    assert set(vital["cause"]) == set(QUIZ["pareto_vital"]["answer"])
    assert vital["cumulative"].iloc[-1] >= 0.8 and vital["cumulative"].iloc[-2] < 0.8


# --- the recovery paradox ------------------------------------------------------------------------------------


def test_recovery_group_is_three_valued():
    t = frame([1, 50, 1, 1], resolved_at=pd.to_datetime(["2025-03-01 10:00", "2025-03-04 00:00", "2025-03-01 09:00",
                                                        "2025-03-10 00:00"]),
              post_csat=pd.array([5, 5, None, 5], dtype="Int64"))
    assert recovery.recovery_group(t).tolist() == ["well", "badly", "well", "badly"]
    assert recovery.recovery_group(t, min_csat=4).tolist() == ["well", "badly", pd.NA, "badly"]
    assert recovery.recovery_group(t, resolve_within_h=24 * 10).tolist()[3] == "well"


def test_paradox_by_hand():
    survey = pd.DataFrame({"nps": [10] * 12 + [8] * 10 + [3] * 8})  # 40 % promoters, NPS +13.3
    well = frame([1] * 30, resolved_at=[pd.Timestamp("2025-03-01 12:00")] * 30, post_csat=[5] * 30,
                 post_nps=[10] * 21 + [7] * 9, churned_90d=[False] * 29 + [True])
    bad = frame([40] * 30, resolved_at=[pd.Timestamp("2025-03-05")] * 30, post_csat=[2] * 30,
                post_nps=[9] * 3 + [2] * 27, churned_90d=[True] * 12 + [False] * 18)
    table = recovery.recovery_paradox(pd.concat([well, bad], ignore_index=True), survey).set_index("group")
    assert table["promoters"].tolist() == pytest.approx([0.4, 0.7, 0.1])
    assert table["value"].tolist() == pytest.approx([40 - 26.6667, 70.0, 10 - 90], abs=1e-3)
    assert table.loc[["well", "badly"], "churn"].tolist() == pytest.approx([1 / 30, 0.4])
    assert math.isnan(table.loc["none", "churn"]) and table.loc["none", "churn_n"] == 0
    # Wilson 95 % interval of 21/30 promoters: 0.521–0.833
    assert table.loc["well", ["promoters_low", "promoters_high"]].tolist() == pytest.approx([0.5212, 0.8334], abs=1e-3)


def test_the_untroubled_base_leaves_out_respondents_who_complained():
    """Customers in the complaint log are not "untroubled": matched by customer id, they leave the base; without
    ids on both sides the whole survey is the base (and the caller says so)."""
    survey = pd.DataFrame({"customer_id": [f"C{i}" for i in range(40)],
                           "nps": [10] * 16 + [8] * 8 + [2] * 16})  # C0–C15 promoters, C24–C39 detractors
    t = frame([1] * 30, resolved_at=[pd.Timestamp("2025-03-01 12:00")] * 30, post_csat=[5] * 30,
              post_nps=[10] * 30, churned_90d=[False] * 30)
    t["customer_id"] = [f"C{i}" for i in range(24, 40)] + [f"X{i}" for i in range(14)]  # 16 detractors complained
    table = recovery.recovery_paradox(t, survey, min_n=10).set_index("group")
    assert table.loc["none", "n"] == 24 and table.loc["none", "value"] == pytest.approx(100 * 16 / 24)
    assert recovery.paradox_test(t, survey).diff == pytest.approx(100 - 100 * 16 / 24)
    whole = recovery.recovery_paradox(t.drop(columns="customer_id"), survey, min_n=10).set_index("group")
    assert whole.loc["none", "n"] == 40 and whole.loc["none", "value"] == pytest.approx(100 * (16 - 16) / 40)
    assert recovery.untroubled(survey, t.drop(columns="customer_id"))[1] is None


def test_small_groups_are_flagged_not_shown():
    survey = pd.DataFrame({"nps": [9] * 40})
    t = frame([1] * 5, resolved_at=[pd.Timestamp("2025-03-01 12:00")] * 5, post_csat=[5] * 5, post_nps=[10] * 5,
              churned_90d=[False] * 5)
    table = recovery.recovery_paradox(t, survey).set_index("group")
    assert table.loc["well", "flag"] == "small" and math.isnan(table.loc["well", "promoters"])


def test_the_sample_shows_the_recovery_paradox(tickets, survey):
    table = recovery.recovery_paradox(tickets, survey).set_index("group")
    assert table.loc["well", "promoters_low"] > table.loc["none", "promoters_high"], "well recovered beat no complaint"
    assert table.loc["badly", "promoters_high"] < table.loc["none", "promoters_low"]
    assert table.loc["badly", "churn_low"] > table.loc["well", "churn_high"]
    assert table["promoters"].idxmax() == QUIZ["paradox_group"]["answer"]


def test_the_personal_sla_answer_of_the_demo_trainee(tickets):
    mine = tickets.dropna(subset=["first_response_at"]).sample(15, random_state=personal_rng("demo", 0))
    share = 100 * recovery.sla_compliance(mine, ["reply_24h"]).loc["reply_24h", "share"]
    assert share == pytest.approx(QUIZ["sla_personal"]["answer"], abs=0.05)


# --- authority and 5 Whys -----------------------------------------------------------------------------------


def test_authority_rule_and_the_quiz_key():
    amounts = [50, 12, 1200, 480, 300, 800]  # the cases of quiz authority_cases, limit 500
    severity = ["minor", "minor", "major", "major", "crisis", "major"]
    decided = recovery.authority_decision(amounts, 500, severity)
    assert dict(zip("abcdef", decided, strict=True)) == QUIZ["authority_cases"]["answer"]
    assert recovery.authority_decision([500, 500.01, np.nan], 500).tolist() == ["approve", "escalate", "approve"]


def test_why_chain_judges_each_answer():
    chain = recovery.why_chain(" 报告延迟 ", ["审批时间长", "审批人太忙", "", "缺乏分级审批机制"])
    assert chain.problem == "报告延迟" and chain.causes == ("审批时间长", "审批人太忙"), "a blank answer ends the chain"
    assert chain.root == "审批人太忙" and chain.root_kind == "person"
    assert recovery.why_chain("Late report", ["No clear quality standard was set"]).root_kind == "system"
    assert recovery.why_chain("x", ["顾问不够认真，没按流程"]).root_kind == "person", "blame is checked first"
    empty = recovery.why_chain("x", [])
    assert empty.root is None and empty.root_kind is None


def test_paradox_test_matches_nps_diff_on_the_well_recovered(tickets, survey):
    from kit.metrics import nps_diff
    from kit.recovery import paradox_test, recovery_group

    result = paradox_test(tickets, survey)
    well = recovery_group(tickets).eq("well").fillna(False).to_numpy(dtype=bool)
    never_complained = survey.loc[~survey["customer_id"].isin(set(tickets["customer_id"])), "nps"]
    direct = nps_diff(tickets.loc[well, "post_nps"], never_complained)
    assert result.diff == pytest.approx(direct.diff) and result.p_value == pytest.approx(direct.p_value)
    assert result.n_a == int(tickets.loc[well, "post_nps"].notna().sum())


def test_complaint_kpis_are_means_and_shares(tickets):
    from kit.recovery import complaint_kpis, response_hours

    kpis = complaint_kpis(tickets)
    assert kpis["fcr"] == pytest.approx(tickets["fcr"].mean() * 100)
    assert kpis["resp_min"] == pytest.approx(response_hours(tickets).mean() * 60)
    assert kpis["resolve_h"] == pytest.approx(response_hours(tickets, "resolved_at").mean())
    assert complaint_kpis(tickets[["received_at"]]) == {}
