"""A lesson as a no-code app (Voilà): the narrative, the widgets and the self-checks in a browser page, no code.

Voilà runs the notebook in a live kernel and shows only its outputs, so sliders and quizzes keep working.
The lesson is first given its parameters (language, trainee) by papermill without running it, so the app
shows exactly what the personalised lesson would.
"""

from __future__ import annotations

import sys
from pathlib import Path


def prepare(lesson: Path, out: Path, *, lang: str, trainee_id: str = "demo") -> Path:
    """A copy of ``lesson`` at ``out`` with its parameters set (papermill, not executed); returns ``out``."""
    import papermill

    from kit.i18n import check_lang

    out.parent.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(str(lesson), str(out), parameters={"lang": check_lang(lang), "trainee_id": trainee_id},
                               prepare_only=True, progress_bar=False)
    return out


def command(notebook: Path, port: int, *extra: str) -> list[str]:
    """The ``voila`` command line serving ``notebook`` on ``port``: sources stripped, tracebacks hidden, no
    browser opened (the command prints the address)."""
    voila = Path(sys.executable).with_name("voila")
    return [str(voila), str(notebook), f"--port={port}", "--no-browser", "--strip_sources=True",
            "--show_tracebacks=False", *extra]
