"""Where the project's folders are, and how user paths are resolved against them."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"
DATA = ROOT / "data"
SAMPLE = DATA / "sample"
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"


def resolve(path: str | Path) -> Path:
    """``path`` as given if it exists (absolute, or relative to the working directory); otherwise
    relative to the project root, so notebook defaults like ``data/sample/x.csv`` work from any folder."""
    path = Path(path).expanduser()
    if path.is_absolute() or path.exists():
        return path
    return ROOT / path if (ROOT / path).exists() else path
