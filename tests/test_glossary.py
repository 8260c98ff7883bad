"""One term set: every trainee-facing text keeps to ``course/glossary.yml`` (kit.glossary)."""

import pytest

from kit import glossary
from kit.i18n import LANGS
from kit.paths import COURSE, ROOT

TEXTS = {lang: sorted([*COURSE.rglob(f"*.{lang}.yml"), *COURSE.rglob(f"*-{lang}.yml"),
                       *(ROOT / "kit" / "locale").glob(f"*.{lang}.yml")]) for lang in LANGS}


def test_every_term_has_both_languages_and_valid_patterns():
    import re

    for key, entry in glossary.terms().items():
        assert entry["zh"] and entry["en"], key
        for lang in LANGS:
            for pattern in entry.get(f"avoid_{lang}", ()):
                re.compile(pattern)
                assert not re.search(pattern, entry[lang]), f"{key}: the term itself is avoided"


@pytest.mark.parametrize("lang", LANGS)
def test_course_and_interface_texts_keep_to_the_glossary(lang):
    assert len(TEXTS[lang]) > 30
    strays = [(path.relative_to(ROOT).as_posix(), *found) for path in TEXTS[lang]
              for found in glossary.stray(path.read_text(encoding="utf-8"), lang)]
    assert strays == []


def test_sample_data_keeps_to_the_glossary():
    from kit.paths import SAMPLE

    for path in SAMPLE.glob("*.csv"):
        assert glossary.stray(path.read_text(encoding="utf-8"), "zh") == [], path.name


def test_a_source_quote_is_allowed_only_next_to_the_term_and_its_tag():
    assert glossary.stray("惊喜需求（［002］称“兴奋需求”）", "zh") == []
    assert glossary.stray("兴奋需求［002］", "zh") == [("兴奋需求［002］", "兴奋需求", "惊喜需求")]
    assert glossary.stray("EARS：鼓励 → 确认 → 反思 → 总结", "zh")[0][1:] == ("反思", "反映")
    assert glossary.stray("反思性问题复述对方的意思", "zh") == []
    assert glossary.term("need_delight", "en") == "delight need"
