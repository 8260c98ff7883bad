"""The M2 interactions: each builds in both languages, its controls drive `result`, and user text is escaped."""

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import kit  # noqa: E402
from kit import communication as comm  # noqa: E402
from kit.widgets import communication as w  # noqa: E402

LANGS = ["zh", "en"]


@pytest.fixture(autouse=True, scope="module")
def theme():
    """The lesson's plot theme, with its CJK font, as the notebook sets it."""
    kit.plots.set_theme()
WIDGETS = [w.ReplyLinter, w.QuestionSorter, w.SpsbDrill, w.EarsDrill, w.AbcReframe, w.TalkRatioMeter]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("cls", WIDGETS, ids=lambda c: c.__name__)
def test_every_widget_builds_and_shows_a_titled_static_snapshot(cls, lang):
    tool = cls(lang=lang)
    html = tool.static_html()
    assert html.startswith('<div class="kit-interactive">') and f"<h4>{w.escape(tool.title)}</h4>" in html
    assert tool.result is not None
    assert plt.get_fignums() == []


@pytest.mark.parametrize("lang", LANGS)
def test_reply_linter_default_draft_teaches_and_a_rewrite_clears_it(lang):
    tool = w.ReplyLinter(lang=lang)
    rules = {f.rule for f in tool.result.findings}
    assert {"banned", "blame", "negative", "hedge", "vague_promise", "jargon", "jargon_share", "no_empathy"} <= rules
    assert tool.result.share > comm.limits()["jargon_share"]["max"]
    clean = {"zh": "王女士，非常理解您的着急。我已加急补发，今天下午5点前给您回电。",
             "en": "I'm sorry your parcel is late. I'll call you before 5 pm today."}[lang]
    tool.controls["draft"].value = clean
    assert tool.result.findings == () and tool.result.words == len(comm.words(clean, lang))
    assert "<mark" not in tool.draw(tool.result)


def test_reply_linter_escapes_what_the_trainee_types():
    tool = w.ReplyLinter(lang="en", draft="<script>alert(1)</script> Unfortunately we can't.")
    html = tool.draw(tool.result)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<mark title="negative" style="background:#fbd99a">Unfortunately</mark>' in html
    assert "<script>" not in tool.static_html()


def test_highlight_marks_words_inside_an_underlined_long_sentence():
    text = "字" * 30
    findings = [comm.Finding("long_sentence", (0, 30), "", ""), comm.Finding("hedge", (5, 8), "", ""),
                comm.Finding("no_empathy", (0, 0), "", ""), comm.Finding("jargon_share", (0, 30), "", "")]
    html = w.highlight(text, findings)
    assert html.count("<mark") == 1 and html.count(w.LONG_SENTENCE_STYLE) == 3
    assert re.sub(r"<[^>]+>", "", html) == text, "every character shown once, in order"


@pytest.mark.parametrize("lang", LANGS)
def test_question_sorter_sorts_typed_questions_and_counts_the_mix(lang):
    tool = w.QuestionSorter(lang=lang)
    assert [kind.kind for _, kind in tool.result["rows"]] == ["open", "closed", "probing", "hypothetical",
                                                               "reflective", "closed"]
    typed = {"zh": "您为什么选择我们？\n\n<b>是否</b>需要发票？", "en": "Why did you pick us?\n\nDo you need <b>an invoice</b>?"}
    tool.controls["questions"].value = typed[lang]
    assert [kind.kind for _, kind in tool.result["rows"]] == ["open", "closed"]
    assert tool.result["mix"] == {"open": 1, "closed": 1}
    html = tool.draw(tool.result)
    assert "<b>" not in html and "&lt;b&gt;" in html


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("cls", [w.SpsbDrill, w.EarsDrill], ids=lambda c: c.__name__)
def test_order_drills_start_shuffled_and_pass_in_the_model_order(cls, lang):
    tool = cls(lang=lang)
    assert not tool.result["done"]
    for i, step in enumerate(cls.steps, start=1):
        tool.controls[f"step{i}"].value = step
    assert tool.result == {"order": cls.steps, "right": (True,) * 4, "score": 4, "done": True}
    assert "✓" in tool.draw(tool.result)
    tool.controls["step1"].value, tool.controls["step2"].value = cls.steps[1], cls.steps[0]
    assert tool.result["right"] == (False, False, True, True) and tool.result["score"] == 2


def test_drill_shuffles_depend_on_the_seed_and_are_never_already_solved():
    orders = {tuple(c.value for c in w.SpsbDrill(lang="en", seed=seed).controls.values()) for seed in range(12)}
    assert len(orders) > 3 and comm.SPSB not in orders


@pytest.mark.parametrize("lang", LANGS)
def test_abc_reframing_changes_the_emotion_for_the_same_event(lang):
    tool = w.AbcReframe(lang=lang)
    for vignette in tool.content["vignettes"]:
        tool.controls["vignette"].value = vignette
        tool.controls["kind"].value = "personal"
        upset = dict(tool.result)
        tool.controls["kind"].value = "reframe"
        assert tool.result["event"] == upset["event"], "A stays the same"
        assert tool.result["emotion"] != upset["emotion"] and tool.result["mood"] > 0 > upset["mood"]
    assert [f.rule for f in comm.lint_reply(tool.result["reply"], lang)] == [], "a reframed reply passes the linter"


def test_abc_moods_cover_every_vignette_and_belief():
    for lang in LANGS:
        stories = w.drills(lang)["abc"]["vignettes"]
        assert {v: set(k for k in story if k != "event") for v, story in stories.items()} == \
            {v: set(moods) for v, moods in w._moods().items()}


@pytest.mark.parametrize("lang", LANGS)
def test_talk_ratio_meter_reads_the_sample_sessions_of_the_lesson_language(lang):
    tool = w.TalkRatioMeter(lang=lang)
    assert set(tool.ratios["lang"]) == {lang}
    session = tool.controls["session"].options[-1]
    tool.controls["session"].value = session
    one = tool.transcripts[tool.transcripts["session_id"] == session]
    assert tool.result["session"] == session
    assert tool.result["share"] == pytest.approx(comm.talk_ratio(one)) and not tool.result["meets"]


def test_talk_ratio_meter_on_a_trainer_transcript():
    chat = pd.DataFrame({"session_id": ["M1"] * 3, "speaker": ["agent", "customer", "agent"],
                         "text": ["What matters most to you this year?",
                                  "Cash flow, honestly. Our stock ties up far too much money and the board is worried.",
                                  "Cash flow first."]})
    tool = w.TalkRatioMeter(chat, lang="en")
    assert tool.result == {"session": "M1", "share": pytest.approx(10 / 26), "units": 26, "turns": 3,
                           "target": 0.2, "meets": False}
