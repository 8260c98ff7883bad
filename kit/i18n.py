"""Kit-owned messages (errors, CLI, plot labels) in Simplified Chinese and English.

Messages live in ``kit/locale/<area>.<lang>.yml`` (one file per area: core, io, cli, plots …) as
nested mappings, merged per language; ``t("errors.empty_file.what", file=...)``
looks one up by its dotted key and fills its ``{placeholders}``. The language is ``lang=`` when given,
else the one set with :func:`set_lang`, else the ``KIT_LANG`` environment variable, else English.
Course content (lessons, reports) lives in ``course/`` and is read by :mod:`kit.text`.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

LANGS = ("zh", "en")
_LOCALE_DIR = Path(__file__).with_name("locale")
_current: str | None = None


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported, else raise ValueError naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
    return lang


def set_lang(lang: str | None) -> None:
    """Set the process-wide message language (None returns to KIT_LANG / English)."""
    global _current
    _current = None if lang is None else check_lang(lang)


def get_lang() -> str:
    """The language messages are rendered in now."""
    env = os.environ.get("KIT_LANG", "en")
    return _current or (env if env in LANGS else "en")


@functools.cache
def catalogue(lang: str) -> dict:
    """The flat ``{dotted.key: template}`` mapping for one language, merged over all areas."""
    from kit import yamlfiles

    merged = {}
    for path in sorted(_LOCALE_DIR.glob(f"*.{check_lang(lang)}.yml")):
        with open(path, encoding="utf-8") as fh:
            merged.update(flatten(yamlfiles.load(fh) or {}))
    return merged


def flatten(tree: dict, prefix: str = "") -> dict:
    """Flatten nested mappings into dotted keys: ``{"a": {"b": 1}}`` → ``{"a.b": 1}``."""
    flat = {}
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def t(key: str, lang: str | None = None, **params) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in."""
    template = catalogue(lang or get_lang())[key]
    return template.format(**params) if params else template
