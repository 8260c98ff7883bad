"""The M2 reply linter, question types, talk ratio and sequence checks, on realistic replies in both languages."""

import dataclasses
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from kit import communication as comm
from kit.errors import KitError
from kit.paths import COURSE, ROOT, SAMPLE

# (reply, {(rule, the words the finding points at)}); "" marks a whole-reply finding
ZH_FLAWED = [
    ("这不归我管，您找快递公司去。", {("banned", "这不归我管"), ("no_empathy", "")}),
    ("但是您应该先看清楚规则再下单。", {("blame", "但是您应该"), ("no_empathy", "")}),
    ("很抱歉让您久等了，我们会尽快处理。", {("vague_promise", "尽快")}),
    ("抱歉，这个退款我们不能直接办理，这是公司政策。", {("negative", "不能"), ("negative", "政策")}),
    ("理解您的心情，包裹可能明天到，也许后天。", {("hedge", "可能"), ("hedge", "也许")}),
    ("感谢您的耐心。您的售后单已进入逆向物流环节。",
     {("jargon", "售后单"), ("jargon", "逆向物流"), ("jargon_share", "感谢您的耐心。您的售后单已进入逆向物流环节。")}),
    ("您的售后单（即退货申请）已通过，感谢您的耐心。",
     {("jargon_share", "您的售后单（即退货申请）已通过，感谢您的耐心。")}),
    ("您好，我是客服小陈，请您详细说一下情况，我在认真听。",
     {("long_sentence", "您好，我是客服小陈，请您详细说一下情况，我在认真听。"), ("no_empathy", "")}),
    ("你冷静一点，我已经说过了，系统就是这样规定的。",
     {("banned", "你冷静一点"), ("banned", "我已经说过了"), ("banned", "系统就是这样规定的"), ("no_empathy", "")}),
    ("这个不是我们的问题，但是您应该早点联系我们。", {("banned", "不是我们的问题"), ("blame", "但是您应该"), ("no_empathy", "")}),
]
ZH_CLEAN = [
    "王女士，非常理解您的着急。包裹延误是我们的失误，真的很抱歉。我已加急补发，今天下午5点前给您回电。",
    "感谢您的耐心。退款已经提交，2小时内到账。",
    "没问题，理解您的顾虑。我们可以先为您换货，明天中午前送到。",
    "抱歉给您添了麻烦。我们尽快为您补发，24小时内发出。",
    "您的包裹周五送到，给您带来不便很抱歉。",
]
EN_FLAWED = [
    ("That's not my job, you need to call the courier.", {("banned", "That's not my job"), ("no_empathy", "")}),
    ("But you should have read the terms before ordering.", {("blame", "you should have"), ("no_empathy", "")}),
    ("Sorry for the wait, we'll fix it as soon as possible.", {("vague_promise", "as soon as possible")}),
    ("Unfortunately we can't refund this order, it's company policy. Sorry.",
     {("negative", "Unfortunately"), ("negative", "can't"), ("negative", "policy")}),
    ("I understand. Your parcel will probably arrive tomorrow, maybe Friday.",
     {("hedge", "probably"), ("hedge", "maybe")}),
    ("Thanks for waiting. Your RMA is with QC now.",
     {("jargon", "RMA"), ("jargon", "QC"), ("jargon_share", "Thanks for waiting. Your RMA is with QC now.")}),
    ("Calm down, I already told you the rules.", {("banned", "Calm down"), ("banned", "I already told you"),
                                                   ("no_empathy", "")}),
    ("I'll get back to you later.", {("vague_promise", "get back to you"), ("vague_promise", "later"),
                                     ("no_empathy", "")}),
    ("That’s just the policy, and it’s not my problem.",
     {("banned", "That’s just the policy"), ("banned", "not my problem"), ("no_empathy", "")}),
]
EN_CLEAN = [
    "I'm sorry your parcel is late, Ms Wang. I've sent a replacement by express. I'll call you before 5 pm today to confirm.",
    "No problem, I understand. I'll sort it out by 5 pm today.",
    "Thank you for your patience. The refund is done and will reach your card within 2 business days.",
    "I'm sorry about the wait; I'll get back to you within 24 hours.",
    "You should receive the parcel on Friday. Thanks for your patience.",
]


def shown(text, findings):
    return {(f.rule, "" if f.rule == "no_empathy" else text[slice(*f.span)]) for f in findings}


@pytest.mark.parametrize(("lang", "reply", "expected"),
                         [("zh", *case) for case in ZH_FLAWED] + [("en", *case) for case in EN_FLAWED])
def test_flawed_replies_fire_exactly_the_expected_rules_at_the_right_words(lang, reply, expected):
    assert shown(reply, comm.lint_reply(reply, lang)) == expected


@pytest.mark.parametrize(("lang", "reply"), [("zh", r) for r in ZH_CLEAN] + [("en", r) for r in EN_CLEAN])
def test_clean_replies_produce_no_findings(lang, reply):
    assert comm.lint_reply(reply, lang) == []


def test_findings_are_frozen_sorted_and_localised_with_the_data_suggestion():
    reply = "这不归我管，您可能要等几天。"
    findings = comm.lint_reply(reply, "zh")
    assert [(f.rule, f.span) for f in findings] == [("banned", (0, 5)), ("no_empathy", (0, 0)), ("hedge", (7, 9))]
    with pytest.raises(dataclasses.FrozenInstanceError):
        findings[0].rule = "x"
    assert findings[0].message == "“这不归我管”在禁用语清单上［001］。"
    assert "负责的同事" in findings[0].suggestion, "the alternative comes from rules-zh.yml"
    assert findings[2].suggestion.startswith("说清确定的部分"), "a rule without data alternative uses the locale"
    english = comm.lint_reply("Maybe tomorrow.", "en")
    assert english[0].message == "“Maybe” is a hedge; it sounds unsure [000]."


def test_blank_text_has_no_findings_and_unknown_language_is_refused():
    assert comm.lint_reply("  \n", "zh") == []
    with pytest.raises(ValueError, match="zh, en"):
        comm.lint_reply("hi", "fr")


def test_one_word_phrases_match_whole_words_and_context_exceptions_hold():
    assert comm.lint_reply("面对冲突，感谢您的理解。", "zh") == [], "对冲 is not jargon inside 面对冲突"
    assert shown("这件事不可能，抱歉。", comm.lint_reply("这件事不可能，抱歉。", "zh")) == {("negative", "不可能")}
    assert "blame" not in {f.rule for f in comm.lint_reply("您应该可以明天收到，抱歉。", "zh")}
    assert {f.rule for f in comm.lint_reply("No problem at all, sorry.", "en")} == set()
    assert [f.rule for f in comm.lint_reply("Something went wrong with your order, sorry.", "en")] == ["negative"]
    assert "negative" not in {f.rule for f in comm.lint_reply("I've logged the problem you reported, sorry.", "en")}
    assert {f.rule for f in comm.lint_reply("It's your problem.", "en")} == {"blame", "no_empathy"}


def test_the_chinese_linter_flags_a_blamed_or_broken_problem_not_every_problem():
    assert comm.lint_reply("您反映的问题我已记录，很抱歉给您添麻烦了。", "zh") == []
    assert shown("快递出问题了，抱歉。", comm.lint_reply("快递出问题了，抱歉。", "zh")) == {("negative", "出问题")}
    assert "negative" not in {f.rule for f in comm.lint_reply("以后不会再出问题了，抱歉。", "zh")}
    assert ("blame", "是您的问题") in shown("这是您的问题。", comm.lint_reply("这是您的问题。", "zh"))


def test_jargon_share_counts_tokens_and_only_the_first_unexplained_use_is_flagged():
    assert comm.jargon_share("Your RMA is pending QC.", "en") == pytest.approx(2 / 5)
    assert comm.jargon_share("Your reverse logistics pickup is booked.", "en") == pytest.approx(2 / 6)
    assert comm.jargon_share("您的售后单已进入逆向物流环节。", "zh") == pytest.approx(2 / 7)
    assert comm.jargon_share("", "zh") == 0.0
    reply = "Your RMA (return number) is ready. Keep the RMA label. Our SLA applies, and the SLA is short."
    uses = comm.jargon_uses(reply, "en")
    assert [(term, explained) for _, _, term, explained in uses] == [("RMA", True), ("RMA", False), ("SLA", False),
                                                                     ("SLA", False)]
    flagged = [f for f in comm.lint_reply(reply, "en") if f.rule == "jargon"]
    assert [reply[slice(*f.span)] for f in flagged] == ["SLA"], "RMA was explained at first use; SLA flagged once"
    assert comm.jargon_uses("了解您的客户（KYC）是开户的必经步骤。", "zh")[0][3], "a term in brackets after plain words"


def test_long_sentence_limits_come_from_limits_yml():
    limits = comm.limits()
    assert limits["sentence"]["zh"] == {"max": 20, "unit": "chars", "source": "000"}
    assert limits["sentence"]["en"]["source"] == "kit" and limits["jargon_share"]["source"] == "000"
    twenty, twenty_one = "感谢您的耐心等待，退款已经提交，两小时内到账。", "感谢您的耐心等待，退款已经提交，两个小时内到账。"
    assert comm.text_units(twenty) == 20 and comm.lint_reply(twenty, "zh") == []
    assert [f.rule for f in comm.lint_reply(twenty_one, "zh")] == ["long_sentence"]
    words = "Thank you for your patience " + "and " * 20 + "care."
    assert len(comm.words(words, "en")) == 26
    finding = comm.lint_reply(words, "en")[0]
    assert finding.rule == "long_sentence" and finding.span == (0, len(words))
    assert finding.message == "This sentence has 26 words; the kit's limit for English is 25."


def test_sentences_units_and_words():
    assert comm.sentence_spans("Hi. We'll call by 5 p.m. today!  Thanks", "en") == [(0, 3), (4, 31), (33, 39)]
    assert comm.sentence_spans("您好！\n请稍等。", "zh") == [(0, 3), (4, 8)]
    assert comm.text_units("订单号 7173720181 已经出库") == 8
    assert [w for w, _, _ in comm.words("您的售后单已进入逆向物流环节。", "zh")] == ["您", "的", "售后单", "已", "进入",
                                                                                 "逆向物流", "环节"]


ZH_QUESTIONS = {
    "您这笔钱打算什么时候用？": "open",
    "请问遇到了什么情况？": "open",
    "您以前买过基金吗？": "closed",
    "您是否尝试过重启设备？": "closed",
    "您想要退款还是换货？": "closed",
    "能具体说说是哪一天吗？": "probing",
    "您说的“效率低”，能举个例子吗？": "probing",
    "如果明天补发，您看可以吗？": "hypothetical",
    "您是说包裹外箱已经破损了，对吗？": "reflective",
    "如果您方便的话，能提供订单号吗？": "closed",
    "好的，我记下了。": "unclear",
}
EN_QUESTIONS = {
    "What happened when you opened the box?": "open",
    "Can you tell me what happened next?": "open",
    "Have you tried restarting the device?": "closed",
    "Would you prefer a refund or a replacement?": "closed",
    "The parcel arrived yesterday, right?": "closed",
    "Could you tell me more about the delay?": "probing",
    "When you say slow, could you give me an example?": "probing",
    "What if we sent a replacement today?": "hypothetical",
    "Would it help if we called you tomorrow?": "hypothetical",
    "So you're saying the box was already damaged?": "reflective",
    "Could you tell me if you received it?": "closed",
    "OK, I've noted that.": "unclear",
}


@pytest.mark.parametrize(("lang", "question", "kind"),
                         [("zh", *item) for item in ZH_QUESTIONS.items()] + [("en", *item) for item in EN_QUESTIONS.items()])
def test_question_types_from_cue_words(lang, question, kind):
    found = comm.classify_question(question, lang)
    assert found.kind == kind
    if kind != "unclear":
        assert question[slice(*found.span)] == found.cue


def test_classifier_agrees_with_the_quiz_key_in_both_languages():
    key = yaml.safe_load((COURSE / "communication" / "quiz.yml").read_text(encoding="utf-8"))["question_types"]["answer"]
    for lang in ("zh", "en"):
        items = yaml.safe_load((COURSE / "communication" / f"quiz.{lang}.yml").read_text(encoding="utf-8"))
        assert {k: comm.classify_question(q, lang).kind for k, q in items["question_types"]["items"].items()} == key


def test_talk_ratio_counts_characters_and_words_and_leaves_bots_out():
    chat = pd.DataFrame({"session_id": ["A"] * 4 + ["B"] * 2,
                         "speaker": ["bot", "customer", "agent", "customer", "customer", "agent"],
                         "text": ["您好，我是智能客服。", "我的包裹三天没到", "抱歉，我来查", "好的",
                                  "Where is my parcel now?", "Sorry, checking."]})
    assert comm.talk_ratio(chat[chat["session_id"] == "A"]) == pytest.approx(5 / 15)
    assert comm.talk_ratio(chat[chat["session_id"] == "A"], "customer") == pytest.approx(10 / 15)
    table = comm.talk_ratios(chat)
    assert table.to_dict("index") == {"A": {"lang": "zh", "speaker": 5, "others": 10, "share": pytest.approx(1 / 3)},
                                      "B": {"lang": "en", "speaker": 2, "others": 5, "share": pytest.approx(2 / 7)}}
    with pytest.raises(KitError, match="nobody|Nobody"):
        comm.talk_ratio(chat, "manager")


def test_sample_sessions_are_agent_heavy_complaint_calls():
    transcripts = pd.read_csv(SAMPLE / "transcripts.csv", dtype={"text": "string", "speaker": "string"})
    table = comm.talk_ratios(transcripts)
    assert len(table) == transcripts["session_id"].nunique() and set(table["lang"]) == {"zh", "en"}
    first = table.index[0]
    assert table.loc[first, "share"] == pytest.approx(comm.talk_ratio(transcripts[transcripts["session_id"] == first]))
    assert (table["share"] > comm.limits()["talk_ratio"]["max"]).all(), "no complaint call meets the 80/20 target"


def test_sequence_check_and_model_steps():
    assert comm.SPSB == ("situation", "problem", "solution", "benefit")
    assert comm.EARS == ("encourage", "acknowledge", "reflect", "summarize")
    assert comm.sequence_check(list(comm.EARS), comm.EARS) == (True,) * 4
    assert comm.sequence_check(["problem", "situation", "solution", "benefit"], comm.SPSB) == (False, False, True, True)
    with pytest.raises(ValueError):
        comm.sequence_check(["situation"], comm.SPSB)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rule_lists_are_complete_course_data(lang):
    data = comm.rules(lang)
    for key in (*comm.PHRASE_RULES, "empathy", "concrete_time", "explain_after", "explain_before"):
        assert data[key], f"rules-{lang}.yml needs a non-empty {key} list"
    assert set(data["questions"]) == set(comm.QUESTION_TYPES)
    assert len(comm.glossary(lang)) == len(set(comm.glossary(lang))) >= 30


def test_import_stays_light_and_jieba_is_silent():
    code = ("import sys, kit, kit.communication; assert 'jieba' not in sys.modules; "
            "kit.communication.lint_reply('您好，可能要等。', 'zh'); assert 'jieba' in sys.modules")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", "jieba's 'Building prefix dict' log is silenced"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_quiz_bank_is_complete_and_personal_answers_come_from_the_kit(lang):
    from kit.checks import Quiz

    quiz = Quiz("communication", lang)
    assert len(quiz) >= 8
    for qid in quiz:
        q = quiz.question(qid)
        assert q.text["explain"] and q.text["hint"]
        if q.kind in ("choice", "multi"):
            assert set(q.spec["answer"] if q.kind == "multi" else [q.spec["answer"]]) <= set(q.text["options"])
        if q.kind == "classify":
            assert set(q.spec["answer"]) == set(q.text["items"]) and set(q.spec["answer"].values()) <= set(q.text["labels"])
    sample = yaml.safe_load((COURSE / "communication" / f"drills.{lang}.yml").read_text(encoding="utf-8"))["jargon_samples"]
    share = round(100 * comm.jargon_share(sample["ecommerce"], lang), 1)
    assert quiz.check("jargon_share", share, expected=share).correct
    assert not quiz.check("jargon_share", share + 1, expected=share).correct
