"""Where the project's folders are, and how user paths are resolved against them."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course"
DATA = ROOT / "data"
SAMPLE = DATA / "sample"
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
OUT = Path("kit-out")
"""Where the commands write when not told where: a relative folder, so it lands under the working directory the
command runs in (``kit-out/reports`` …), never in the kit's own checkout."""


def output_folder(folder: str | Path) -> Path:
    """``folder`` (an ``--out`` or its default under :data:`OUT`) made absolute against the working directory as
    the command runs, so that the paths printed and handed to the notebooks say where the files went.

    >>> output_folder(OUT / "reports") == Path.cwd() / "kit-out" / "reports"
    True
    >>> output_folder("/srv/reports").as_posix()
    '/srv/reports'
    """
    return Path(folder).expanduser().absolute()


def resolve(path: str | Path) -> Path:
    """``path`` as given if it exists (absolute, or relative to the working directory); otherwise
    relative to the project root, so notebook defaults like ``data/sample/x.csv`` work from any folder."""
    path = Path(path).expanduser()
    if path.is_absolute() or path.exists():
        return path
    return ROOT / path if (ROOT / path).exists() else path
