"""What a command left in the kit's own checkout: the tests that run commands from another folder compare it
before and after."""

import os
from pathlib import Path

from kit.paths import ROOT


def outputs_in_checkout() -> set[Path]:
    """Every file in the kit's checkout that a command could have written: anything under build/ or kit-out/,
    and pages and notebooks anywhere else."""
    found = set()
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [d for d in subfolders if d not in (".git", ".venv", "__pycache__", ".pytest_cache")]
        inside = Path(folder).relative_to(ROOT).parts[:1] in (("build",), ("kit-out",))
        found.update(Path(folder) / name for name in files if inside or name.endswith((".html", ".ipynb", ".pdf")))
    return found
