"""Chinese and English texts have full parity: same keys, same placeholders, and no untranslated text."""

import re
import string
from pathlib import Path

import pytest
import yaml

from kit import i18n, text
from kit.i18n import flatten
from kit.paths import COURSE

LOCALE = Path(i18n.__file__).with_name("locale")
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORDS = re.compile(r"[A-Za-z]{3,}(?:\s+[A-Za-z]{2,}){2,}")  # three English words in a row


def placeholders(template) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(str(template)) if name}


def pairs(folder: Path, pattern: str):
    for en in sorted(folder.rglob(pattern)):
        yield en, en.with_name(en.name.replace(".en.yml", ".zh.yml"))


def load(path: Path) -> dict:
    return flatten(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


ALL_PAIRS = [*pairs(LOCALE, "*.en.yml"), *pairs(COURSE, "*.en.yml")]


@pytest.mark.parametrize("en_path, zh_path", ALL_PAIRS, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_same_keys_and_placeholders(en_path, zh_path):
    assert zh_path.exists(), f"{zh_path} is missing"
    en, zh = load(en_path), load(zh_path)
    assert set(en) == set(zh), f"keys only in en: {set(en) - set(zh)}; only in zh: {set(zh) - set(en)}"
    for key in en:
        assert placeholders(en[key]) == placeholders(zh[key]), key


@pytest.mark.parametrize("en_path, zh_path", ALL_PAIRS, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_chinese_text_is_translated(en_path, zh_path):
    zh = load(zh_path)
    for key, value in load(en_path).items():
        if CJK.search(str(value)) is None and ENGLISH_WORDS.search(str(value)):
            assert CJK.search(str(zh[key])), f"{zh_path.name}:{key} looks untranslated: {zh[key]!r}"


MAKING_OF = {  # words about how the course was made, which mean nothing to a trainee or a manager
    "zh": re.compile(r"种子|简报|套件"),
    "en": re.compile(r"\bseeds?\b|course brief", re.IGNORECASE),  # a client's brief is a brief of another kind
}
RANDOM_SEED = re.compile(r"random seed|--seed|reproducible by seed|the same seed", re.IGNORECASE)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_words_about_how_the_course_was_made(lang):
    found = []
    for path in [*LOCALE.glob(f"*.{lang}.yml"), *COURSE.rglob(f"*.{lang}.yml")]:
        for key, value in load(path).items():  # values only: the files' comments are for authors
            shown = RANDOM_SEED.sub("", str(value))  # a random seed is a seed of another kind
            if MAKING_OF[lang].search(shown):
                found.append(f"{path.name}:{key}")
    assert found == [], "cite 源材料 / source material [000]… instead"


def test_every_zh_file_has_an_en_twin():
    for zh in [*LOCALE.glob("*.zh.yml"), *COURSE.rglob("*.zh.yml")]:
        assert zh.with_name(zh.name.replace(".zh.yml", ".en.yml")).exists(), zh


def test_language_follows_set_lang_then_environment(monkeypatch):
    monkeypatch.setenv("KIT_LANG", "zh")
    assert i18n.get_lang() == "zh"
    assert i18n.t("plots.month") == "月份"
    i18n.set_lang("en")
    try:
        assert i18n.t("plots.month") == "Month"
    finally:
        i18n.set_lang(None)
    monkeypatch.setenv("KIT_LANG", "fr")
    assert i18n.get_lang() == "en"
    with pytest.raises(ValueError, match="zh, en"):
        i18n.set_lang("fr")


def test_course_text_formats_and_shows_markdown(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    doc = text.load("reports/trainee-report", "zh")
    assert doc.lang == "zh" and "overview_heading" in doc
    assert "2000 次考核中，你有 1234 次" in doc.format("scores_passed", passed=1234, taken=2000)
    doc.show("overview_heading")
    assert shown[0].data == doc["overview_heading"] and shown[0].data.startswith("## ")


def test_course_data_is_read_once():
    first = text.data("needs/thresholds")
    assert first is text.data("needs/thresholds") and first["promise_fulfilment"] == {"000": 0.95}
