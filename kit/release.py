"""Release lessons and exercises to a roster: one personalised copy per trainee, in the trainee's language.

A copy is the workbook in that language (:mod:`kit.workbooks`) with its parameters set by papermill (``lang``,
``trainee_id``) and not run, so the trainee opens a clean notebook whose personal numbers are theirs;
:mod:`kit.app` serves the same copy of a lesson as an app.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd


def personalise(lesson: Path, out: Path, *, lang: str, trainee_id: str = "demo") -> Path:
    """A copy of ``lesson`` at ``out`` with its parameters set (papermill ``prepare_only``); returns ``out``."""
    import papermill

    from kit.i18n import check_lang

    out.parent.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(str(lesson), str(out), parameters={"lang": check_lang(lang), "trainee_id": trainee_id},
                               prepare_only=True, progress_bar=False)
    return out


def roster(path, default_lang: str) -> pd.DataFrame:
    """``trainee_id`` and ``lang`` of every trainee in a roster file (CSV/XLSX, Chinese or English headers, as
    :func:`kit.data.io.load` reads a ``trainees`` table); a trainee without a language gets ``default_lang``."""
    from kit.data import io

    table, _ = io.load(path, "trainees", only=["trainee_id", "lang"])
    langs = table["lang"] if "lang" in table else pd.Series(pd.NA, index=table.index)
    return pd.DataFrame({"trainee_id": table["trainee_id"].astype(str), "lang": langs.fillna(default_lang).astype(str)})


def release_lessons(trainees: pd.DataFrame, out: Path, modules: Iterable[str] | None = None, *,
                    progress: bool = True) -> list[Path]:
    """Write ``out/<trainee>/<lesson>.<lang>.ipynb`` for every trainee (rows of ``trainee_id``, ``lang``) and
    lesson of ``modules`` (all when None), with a progress bar; trainee folders are file-safe names
    (:func:`kit.grading.results.output_name`). Returns the paths written."""
    from kit import workbooks
    from kit.pipeline.handouts import select

    names = {lesson.stem: lesson.path.name for lesson in select(modules)}
    return _release(trainees, out, names, lambda lang, name: workbooks.folder(lang, "lessons") / name, "lesson",
                    progress)


def release_exercises(trainees: pd.DataFrame, out: Path, assigned: Path, exercises: Iterable[str], *,
                      progress: bool = True) -> list[Path]:
    """Write ``out/<trainee>/<exercise>.<lang>.ipynb`` for every trainee and exercise, from the releases
    ``kit assign`` wrote under ``assigned/release/<lang>/``, with a progress bar. Returns the paths written."""
    names = {exercise: f"{exercise}.ipynb" for exercise in exercises}
    return _release(trainees, out, names, lambda lang, name: Path(assigned) / "release" / lang / name, "exercise",
                    progress)


def _release(trainees: pd.DataFrame, out: Path, names: dict, source, unit: str, progress: bool) -> list[Path]:
    """One personalised copy per trainee and entry of ``names`` (``stem → file name``) of ``source(lang, name)``."""
    from tqdm.auto import tqdm

    from kit.grading.results import output_name

    written = []
    with tqdm(total=len(trainees) * len(names), unit=unit, disable=not progress) as bar:
        for trainee_id, lang in trainees[["trainee_id", "lang"]].itertuples(index=False):
            folder = Path(out) / output_name(trainee_id)
            for stem, name in names.items():
                written.append(personalise(source(lang, name), folder / f"{stem}.{lang}.ipynb", lang=lang,
                                           trainee_id=trainee_id))
                bar.update()
    return written
