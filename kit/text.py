"""Course text (lessons, reports) in Simplified Chinese and English, chosen by ``lang``.

Text lives in ``course/<doc>.<lang>.yml`` as ``key: Markdown`` pairs with optional ``{placeholders}``;
notebooks call ``text = kit.text.load("reports/cx-report", lang)`` and ``text.show("intro", n=…)``.
Both languages of a document must have the same keys and placeholders (tests/test_i18n.py).
Text values filled into a placeholder are data, never Markdown: :func:`escape_markdown` makes them inert
(a trainee called ``**<img onerror=…>**`` shows as typed). Wrap kit-made Markdown in :class:`Markdown`
to insert it as is; never put a placeholder inside a code span (escapes show there).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping
from pathlib import Path

from kit.i18n import check_lang
from kit.paths import COURSE

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


class Markdown(str):
    """Markdown made by the kit (not user text): filled into a placeholder without escaping."""


def escape_markdown(value) -> str:
    """``value`` as literal text inside Markdown: ``& < >`` as HTML entities, Markdown punctuation
    backslash-escaped (CommonMark §2.4), line breaks as spaces so no new block can start."""
    text = html.escape(" ".join(str(value).splitlines()), quote=False)
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def _inert(value):
    return value if isinstance(value, Markdown) or not isinstance(value, str) else escape_markdown(value)


class Text(Mapping):
    """One course document in one language: a read-only mapping ``key → Markdown template``."""

    def __init__(self, doc: str, lang: str, entries: dict[str, str]):
        self.doc, self.lang, self._entries = doc, lang, entries

    def __getitem__(self, key):
        return self._entries[key]

    def __iter__(self):
        return iter(self._entries)

    def __len__(self):
        return len(self._entries)

    def format(self, key: str, **params) -> str:
        """The text of ``key`` with its placeholders filled; text values escaped by :func:`escape_markdown`."""
        return self._entries[key].format(**{k: _inert(v) for k, v in params.items()}) if params else self._entries[key]

    def heading(self, key: str) -> str | None:
        """The Markdown heading ``key``'s text opens with, if any (a workbook prints it before the text is filled
        in with the trainee's numbers)."""
        first = self._entries[key].lstrip().split("\n", 1)[0]
        return first if first.startswith("#") and "{" not in first else None

    def show(self, key: str, *, heading: bool = True, **params) -> None:
        """Display ``key`` as Markdown in the notebook (without its opening heading if ``heading=False``)."""
        from IPython.display import Markdown, display

        shown = self.format(key, **params)
        if not heading and self.heading(key):
            shown = shown.lstrip().split("\n", 1)[1] if "\n" in shown.lstrip() else ""
        display(Markdown(shown.strip()))


def path_of(doc: str, lang: str, root: Path = COURSE) -> Path:
    return root / f"{doc}.{check_lang(lang)}.yml"


@functools.cache
def data(doc: str) -> dict:
    """The course data file ``course/<doc>.yml`` (rule lists, thresholds, scenario cards …), read once."""
    from kit import yamlfiles

    with open(COURSE / f"{doc}.yml", encoding="utf-8") as fh:
        return yamlfiles.load(fh)


@functools.cache
def load(doc: str, lang: str) -> Text:
    """The course document ``doc`` (e.g. ``"reports/cx-report"``) in ``lang``."""
    from kit import yamlfiles

    with open(path_of(doc, lang), encoding="utf-8") as fh:
        return Text(doc, lang, yamlfiles.load(fh))
