"""A lesson as a no-code app (Voilà): the narrative, the widgets and the self-checks in a browser page, no code.

Voilà runs the notebook in a live kernel and shows only its outputs, so sliders and quizzes keep working.
It serves the trainee's personalised copy (:func:`kit.release.personalise`), so the app shows exactly what
the personalised lesson would.
"""

from __future__ import annotations

import sys
from pathlib import Path


def command(notebook: Path, port: int, *extra: str) -> list[str]:
    """The ``voila`` command line serving ``notebook`` on ``port``: sources stripped, tracebacks hidden, no
    browser opened (the command prints the address)."""
    voila = Path(sys.executable).with_name("voila")
    return [str(voila), str(notebook), f"--port={port}", "--no-browser", "--strip_sources=True",
            "--show_tracebacks=False", *extra]
