"""The trainer pack (kit/pipeline/trainerpack.py, course/trainer/): its content pairs up in Chinese and English,
the agendas add up, every role-play of the lessons has a scoresheet and role cards, every pre/post item tests a
learning objective of its lesson, and the pages build, open in headless Chromium and print to A4."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from htmlcheck import HOSTILE, check_page

from kit import text
from kit.errors import KitError
from kit.paths import COURSE
from kit.pipeline import trainerpack as tp

KIT = str(Path(sys.executable).with_name("kit"))
TRAINER = COURSE / "trainer"
LANGS = ("zh", "en")
TEXT_DOCS = ("labels", "agendas", "scoresheets", "rolecards", "jobaids", "prepost")

ROLEPLAYS = {
    # every role-play a lesson names, by the id it has in course/trainer/roleplays.yml
    "needs/lesson": ["m1_spin_interview"],
    "communication/lesson": ["m2_bank_investment_risk", "m2_consulting_first_meeting", "m2_ecommerce_chat"],
    "recovery/lesson": ["m3_hotel_room", "m3_ecommerce_refund", "m3_report_delay", "m3_restaurant_crisis"],
    "standards/lesson": ["m5_loan_redesign", "m5_deliverable_qc"],
    "capstone/lesson": ["cap_team_plan", "cap_onboarding", "cap_progress_talk"],
}
OBSERVER_CRITERIA = ("need_discovery", "emotion_control", "creative_solution")  # [001]'s scoresheet: M3, capstone
STEP_MODELS = {"leaf": 4, "heat": 4, "lescant": 7}  # LEAF [000], HEAT [002], LESCANT [002]
pytestmark = pytest.mark.xdist_group("trainer-pack")  # one worker builds the pack once for the page tests

MAKING_OF = {"zh": re.compile(r"种子|简报|套件"), "en": re.compile(r"\bseeds?\b|\bbrief\b", re.IGNORECASE)}


def raw(doc: str, lang: str | None = None):
    name = f"{doc}.{lang}.yml" if lang else f"{doc}.yml"
    return yaml.safe_load((TRAINER / name).read_text(encoding="utf-8"))


def shape(tree):
    """The structure of a YAML tree: mapping keys and list lengths, every text leaf as ``str``."""
    if isinstance(tree, dict):
        return {key: shape(value) for key, value in tree.items()}
    if isinstance(tree, list):
        return [shape(value) for value in tree]
    return type(tree).__name__


# --- content ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("doc", TEXT_DOCS)
def test_trainer_texts_pair_up_in_both_languages(doc):
    zh, en = raw(doc, "zh"), raw(doc, "en")
    assert shape(zh) == shape(en), f"{doc}: zh and en differ in keys or list lengths"
    assert all(isinstance(leaf, str) and leaf.strip() or leaf == "" for leaf in _leaves(zh) + _leaves(en))


def _leaves(tree) -> list:
    if isinstance(tree, dict):
        return [leaf for value in tree.values() for leaf in _leaves(value)]
    if isinstance(tree, list):
        return [leaf for value in tree for leaf in _leaves(value)]
    return [tree]


def test_trainer_agendas_add_up_to_the_day_and_times_are_consecutive():
    plan, lunch = raw("agendas"), tp.clock("12:30")
    assert list(plan) == list(tp.modules())
    for module, spec in plan.items():
        for fmt, minutes in tp.FORMATS.items():
            sessions = spec[fmt]
            assert sum(block["minutes"] for session in sessions for block in session) == minutes, (module, fmt)
            assert len(sessions) == (1 if fmt == "half" else 2), (module, fmt)
            assert sessions[0][0]["start"] == "09:00", (module, fmt)
            end = None
            for session in sessions:
                start = tp.clock(session[0]["start"])
                assert end is None or start >= end + 30, f"{module} {fmt}: no lunch break between the sessions"
                clock = start
                for block in session:
                    assert tp.clock(block["start"]) == clock, f"{module} {fmt}: {block} does not start at {clock}"
                    assert block["minutes"] > 0 and block["activity"] in spec["activities"], (module, block)
                    clock += block["minutes"]
                end = clock
            assert tp.clock(sessions[0][-1]["start"]) + sessions[0][-1]["minutes"] == lunch, (module, fmt)
            blocks = [block["activity"] for session in sessions for block in session]
            assert "pretest" in blocks[:3] and blocks[-1] == "posttest", (module, fmt)


def test_trainer_agenda_activities_have_a_method_texts_and_debrief_questions():
    plan = raw("agendas")
    for lang in LANGS:
        words = raw("agendas", lang)
        for module, spec in plan.items():
            used = {block["activity"] for fmt in tp.FORMATS for session in spec[fmt] for block in session}
            assert used == set(spec["activities"]) == set(words[module]["activities"]), (lang, module)
            for activity, how in spec["activities"].items():
                assert how["method"] in tp.METHODS, (module, activity)
                texts = words[module]["activities"][activity]
                assert texts["title"], (lang, module, activity)
                if how["method"] in ("break", "test"):
                    assert not texts.get("debrief"), (lang, module, activity)
                else:
                    assert texts["what"] and texts["materials"] and texts["debrief"], (lang, module, activity)


def test_trainer_pack_has_a_scoresheet_and_role_cards_for_every_role_play_a_lesson_names():
    plays = raw("roleplays")
    assert sorted(plays) == sorted(rid for ids in ROLEPLAYS.values() for rid in ids)
    agendas = raw("agendas")
    for lesson, ids in ROLEPLAYS.items():
        for rid in ids:
            spec = plays[rid]
            assert spec["lesson"] == lesson and spec["section"] in raw_lesson(lesson, "zh"), rid
            sides = set(spec["cards"].values())
            assert sides <= set(tp.SIDES) and "staff" in sides, f"{rid}: no staff card"
            assert sides & {"customer", "colleague"}, f"{rid}: no customer or colleague card"
            assert spec["module"] == "capstone" or "customer" in sides, f"{rid}: no customer card"
            scheduled = {how.get("roleplay") for how in agendas[spec["module"]]["activities"].values()}
            assert rid in scheduled, f"{rid} is on no agenda of {spec['module']}"
            if spec["module"] in ("m3", "capstone"):
                assert set(OBSERVER_CRITERIA) <= set(spec["behaviours"]), rid
            for lang in LANGS:
                sheet, cards = raw("scoresheets", lang)[rid], raw("rolecards", lang)[rid]
                assert sheet["title"] and sheet["setup"] and sheet["debrief"], (lang, rid)
                assert list(sheet["behaviours"]) == spec["behaviours"], (lang, rid)
                for bid, behaviour in sheet["behaviours"].items():
                    assert behaviour["name"] and behaviour["look_for"], (lang, rid, bid)
                    assert len(behaviour["anchors"]) == 5 and all(behaviour["anchors"]), (lang, rid, bid)
                assert set(cards) == set(spec["cards"]), (lang, rid)
                for cid, card in cards.items():
                    for field in ("role_short", "role", "situation", "goal"):
                        assert card[field].strip(), (lang, rid, cid, field)
                    assert card["know"] and card["hold_back"], (lang, rid, cid)


def raw_lesson(lesson: str, lang: str) -> dict:
    return yaml.safe_load(text.path_of(lesson, lang).read_text(encoding="utf-8"))


def test_trainer_prepost_items_test_every_lesson_objective_and_keys_point_to_options():
    plan = raw("prepost")
    assert list(plan) == list(tp.modules())
    for module, spec in plan.items():
        items = spec["items"]
        assert 8 <= len(items) <= 10, module
        assert list(items) == [f"Q{n:02d}" for n in range(1, len(items) + 1)], module
        goals = {lang: tp.objectives(module, lang) for lang in LANGS}
        assert goals["zh"], f"{module}: no objectives"
        if goals["en"]:  # a lesson whose English text is still being written has none yet
            assert len(goals["en"]) == len(goals["zh"]), module
        objectives = range(1, len(goals["zh"]) + 1)
        for qid, item in items.items():
            assert item["objective"] in objectives, f"{module} {qid}: no objective {item['objective']}"
            assert item["answer"] in tp.OPTION_KEYS, (module, qid)
            for lang in LANGS:
                words = raw("prepost", lang)[module]["items"][qid]
                assert list(words["options"]) == list(tp.OPTION_KEYS), (lang, module, qid)
                assert words["stem"] and words["why"] and all(words["options"].values()), (lang, module, qid)
                assert len(set(words["options"].values())) == 4, f"{lang} {module} {qid}: two options alike"
        untested = set(objectives) - {item["objective"] for item in items.values()}
        assert not untested, f"{module}: objectives {sorted(untested)} are tested by no item"


def test_trainer_objectives_come_from_the_lesson_bullets():
    assert tp.parse_objectives("## Objectives\n\n- one **big**;\n- two\n  more.\n\nnot this") == ["one big", "two more"]
    assert len(tp.objectives("m1", "zh")) == 8 and tp.objectives("m1", "zh")[0].startswith("区分显性需求")
    assert len(tp.objectives("capstone", "zh")) == len(tp.objectives("capstone", "en")) == 7


def test_trainer_job_aids_keep_the_step_models_and_the_course_targets():
    for lang in LANGS:
        aids = raw("jobaids", lang)
        assert list(aids) == raw("jobaids")["cards"]
        for aid, n in raw("jobaids")["steps"].items():
            assert len(aids[aid]["steps"]) == n, (lang, aid)
        assert set(aids["kpi"]["kpis"]) == set(tp.KPIS)
    assert [step["name"] for step in raw("jobaids", "en")["lescant"]["steps"]] == [
        "Listen", "Empathize", "Sorry", "Correct", "Act", "Notify", "Thank"]
    for aid, n in STEP_MODELS.items():
        assert raw("jobaids")["steps"][aid] == n
    zh, en = tp.kpi_targets("zh"), tp.kpi_targets("en")
    assert zh["nps"] == "≥ 50［000］；≥ 60［001］" and en["nps"] == "≥ 50 [000]; ≥ 60 [001]"
    assert "≥ 4.5/5" in zh["csat_mean"] and zh["ces"] == "≤ 2/7［000］"
    assert "≥ 80%［000］" in zh["fcr"] and "≥ 75%［001］" in zh["fcr"] and "first-time resolution ≥ 80 % [000]" in en["fcr"]
    assert zh["resp_min"] == "≤ 10 分钟［001］" and en["resolve_h"] == "≤ 4 h [001]"


def test_trainer_text_is_escaped_not_markup():
    for hostile in HOSTILE:
        assert "<" not in tp.esc(hostile) and "<" not in tp._heading(2, hostile).split(" ", 1)[1]
    table = tp._table(["a|b"], [[tp.esc("x | y\n\nz")]])
    assert "\n\n" not in table and "x | y z" in table


def test_trainer_pack_rejects_an_unknown_language():
    assert tp.choose_langs("both") == ["zh", "en"] and tp.choose_langs("en") == ["en"]
    with pytest.raises(KitError) as info:
        tp.choose_langs("fr")
    assert info.value.code == "unknown_lang"


# --- the pages ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The pack in both languages, built from the command line in a fresh folder (its default output folder)."""
    cwd = tmp_path_factory.mktemp("trainer-pack")
    result = subprocess.run([KIT, "trainer-pack"], capture_output=True, text=True, timeout=600, cwd=cwd)
    assert result.returncode == 0, result.stderr[-3000:]
    return cwd / "kit-out" / "trainer-pack", result.stdout


def test_trainer_pack_command_writes_every_page_under_the_working_folder(built):
    out, stdout = built
    for lang in LANGS:
        for doc in tp.DOCUMENTS:
            assert str(out / f"{doc}.{lang}.html") in stdout
    assert f"{out / 'index.html'}" in stdout
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{doc}.{lang}.html" for lang in LANGS for doc in tp.DOCUMENTS] + ["index.html"])


@pytest.mark.parametrize("lang", LANGS)
def test_trainer_pages_pass_the_browser_check(built, browser, lang, tmp_path):
    out, _ = built
    labels = raw("labels", lang)
    for doc in tp.DOCUMENTS:
        page = out / f"{doc}.{lang}.html"
        html = page.read_text(encoding="utf-8")
        assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in html
        shown = check_page(browser, page, screenshot=tmp_path / f"{doc}.png")
        assert labels["titles"][doc] in shown and "Traceback" not in shown
        assert MAKING_OF[lang].search(shown) is None, f"{doc}.{lang}: {MAKING_OF[lang].search(shown)}"
        if lang == "zh":
            assert "{" not in shown and "None" not in shown, doc
    scoresheets = check_page(browser, out / f"scoresheets.{lang}.html", screenshot=tmp_path / "s.png")
    for rid in raw("roleplays"):
        assert raw("scoresheets", lang)[rid]["title"] in scoresheets
    cards = (out / f"rolecards.{lang}.html").read_text(encoding="utf-8")
    assert cards.count('class="tp-card ') == sum(len(spec["cards"]) for spec in raw("roleplays").values())
    key = check_page(browser, out / f"prepost-key.{lang}.html", screenshot=tmp_path / "k.png")
    assert "M1-test" in key and "M5-test" in key and "M6-test" in key


def test_trainer_index_links_every_page(built, browser):
    out, _ = built
    shown = check_page(browser, out / "index.html", headings=["中文版", "English"])
    html = (out / "index.html").read_text(encoding="utf-8")
    for lang in LANGS:
        for doc in tp.DOCUMENTS:
            assert f'href="{doc}.{lang}.html"' in html
    assert "培训师手册" in shown and "Trainer pack" in shown


def test_trainer_help_speaks_chinese_and_shows_the_default_folder():
    import os

    zh = subprocess.run([KIT, "trainer-pack", "--help"], capture_output=True, text=True, timeout=120,
                        env={**os.environ, "KIT_LANG": "zh", "COLUMNS": "200"})
    assert zh.returncode == 0 and "生成培训师手册" in zh.stdout and "[默认：kit-out/trainer-pack]" in zh.stdout
    assert "[默认：both]" in zh.stdout and "<路径>" in zh.stdout
    en = subprocess.run([KIT, "trainer-pack", "--lang", "fr"], capture_output=True, text=True, timeout=120,
                        env={**os.environ, "KIT_LANG": "en"})
    assert en.returncode == 2 and "'fr' is not supported" in en.stderr


@pytest.mark.parametrize("lang", LANGS)
def test_trainer_scoresheets_print_one_per_a4_page(tmp_path, lang):
    """With Chromium present, the scoresheets print to an A4 PDF: the overview page, then one page per sheet (a
    sheet that grows past one page fails here)."""
    from kit.pipeline import pdf

    try:
        pdf.browser()
    except KitError:
        pytest.skip("no Chromium to print with")
    page = tmp_path / f"scoresheets.{lang}.html"
    from kit.pipeline.export import export_html

    export_html(tp.notebook("scoresheets", lang), page, title=raw("labels", lang)["titles"]["scoresheets"], lang=lang,
                subtitle=raw("labels", lang)["subtitles"]["scoresheets"], date=False)
    printed = pdf.print_pdf(page)
    data = printed.read_bytes()
    assert data[:5] == b"%PDF-"
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    assert pages == 1 + len(raw("roleplays")), f"{pages} pages"
