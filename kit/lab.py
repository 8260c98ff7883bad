"""JupyterLab set up for the course: its interface in the course language (the zh_CN language pack for a
Chinese course), no "get notified about Jupyter news?" prompt and no update checks, opened on the notebooks.

The settings are JupyterLab user settings written into a folder of their own and passed through
``JUPYTERLAB_SETTINGS_DIR``, so a trainer's own JupyterLab settings are never touched. On JupyterHub the same
settings go into ``overrides.json`` (see :func:`overrides` and ``docs/authoring-lessons.md``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from kit.i18n import check_lang

LOCALES = {"zh": "zh_CN", "en": "default"}
"""JupyterLab interface locale per course language; "default" is JupyterLab's own English."""


def overrides(lang: str) -> dict:
    """The JupyterLab settings for a course in ``lang``, by plugin id (the form of ``overrides.json``).

    >>> overrides("zh")["@jupyterlab/translation-extension:plugin"]
    {'locale': 'zh_CN'}
    """
    return {
        "@jupyterlab/translation-extension:plugin": {"locale": LOCALES[check_lang(lang)]},
        "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    }


def write_settings(folder: Path, lang: str) -> Path:
    """Write :func:`overrides` as JupyterLab user settings under ``folder`` (one ``<plugin>.jupyterlab-settings``
    file per plugin, in a folder named after its package) and return ``folder``."""
    for plugin, values in overrides(lang).items():
        package, name = plugin.split(":")
        path = Path(folder) / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, ensure_ascii=False, indent=2), encoding="utf-8")
    return Path(folder)


def command(notebooks: Path, settings: Path, *extra: str) -> tuple[list[str], dict]:
    """The ``jupyter lab`` command line and environment serving ``notebooks`` with the settings in
    ``settings``; extensions cannot be installed from the interface, and root may run it (a container)."""
    jupyter = Path(sys.executable).with_name("jupyter")
    argv = [str(jupyter), "lab", f"--ServerApp.root_dir={notebooks}", "--LabApp.extension_manager=readonly",
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []), *extra]
    return argv, {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings)}
