"""The course's terms (``course/glossary.yml``): one wording per concept in every trainee-facing text.

Each term has its ``zh`` and ``en`` wording and, optionally, wordings to avoid (regular expressions). A line that
uses an avoided wording is a :func:`stray` unless it quotes a source: it also holds the term itself and a source
tag (``［002］`` / ``[002]``), as in "惊喜需求（［002］称“兴奋需求”）".
"""

from __future__ import annotations

import functools
import re

from kit.i18n import check_lang

_SOURCE_TAG = re.compile(r"[［\[]00\d[］\]]")


@functools.cache
def terms() -> dict[str, dict]:
    """Every term by key: ``{"zh": …, "en": …, "avoid_zh": [...], "avoid_en": [...]}``."""
    from kit import text

    return text.data("glossary")


def term(key: str, lang: str) -> str:
    """The wording of term ``key`` in ``lang``.

    >>> term("nps_passive", "zh")
    '中立者'
    """
    return terms()[key][check_lang(lang)]


def stray(text: str, lang: str) -> list[tuple[str, str, str]]:
    """``(line, avoided wording found, term to use)`` for every line of ``text`` in ``lang`` that strays from
    the glossary.

    >>> stray("被动者（7–8 分）只计入总数", "zh")
    [('被动者（7–8 分）只计入总数', '被动者', '中立者')]
    >>> stray("| 7–8 | 中立者 | 中立者［000］；被动者［001］ |", "zh")
    []
    """
    found = []
    for line in str(text).splitlines():
        for entry in terms().values():
            for pattern in entry.get(f"avoid_{check_lang(lang)}", ()):
                match = re.search(pattern, line, re.IGNORECASE)
                quoted = entry[lang] in line and _SOURCE_TAG.search(line)
                if match and not quoted:
                    found.append((line.strip(), match.group(0), entry[lang]))
    return found
