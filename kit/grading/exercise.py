"""The trainee's side of a graded exercise: their own data, the prompts, and ``check("q1")``.

An exercise notebook starts with::

    ex = Exercise("metrics", trainee_id, seed, lang)
    check = ex.check
    survey = ex.data["survey"]

``ex.data`` is the trainee's personal data variant (:mod:`kit.grading.variants`), the same every time for the
same ``trainee_id`` and ``seed`` and different from a neighbour's. ``check("q1")`` runs the public check of
question q1 — is the answer of the right kind and shape — and says what to fix, in the exercise's language,
without revealing the expected value (that is the hidden tests' job, at grading time).
The public checks are data: ``course/exercises/<id>.yml`` (``questions: {q1: {form: number, range: […]}}``);
the prompts are ``course/exercises/<id>.<lang>.yml``.
"""

from __future__ import annotations

import functools
import sys

from kit import text
from kit.errors import KitError
from kit.grading import expect
from kit.i18n import get_lang, set_lang


class Exercise:
    """One graded exercise for one trainee."""

    def __init__(self, exercise: str, trainee_id: str = "demo", seed: int = 0, lang: str | None = None):
        self.id, self.trainee_id, self.seed = exercise, str(trainee_id), int(seed)
        self.lang = lang or get_lang()
        set_lang(self.lang)
        self.config = config(exercise)
        self.text = text.load(f"exercises/{exercise}", self.lang)

    @functools.cached_property
    def data(self) -> dict:
        """The trainee's data variant: ``{name: DataFrame or value}``."""
        from kit.grading.variants import variant

        return variant(self.id, self.trainee_id, self.seed)

    def show(self, key: str, *, heading: bool = True, **params) -> None:
        """Display the text ``key`` (a prompt, the introduction …) as Markdown."""
        self.text.show(key, heading=heading, **params)

    def check(self, qid: str | None = None, namespace: dict | None = None):
        """The public check of question ``qid`` on the variable of the same name (in ``namespace``, by default
        the caller's globals — the notebook). Without ``qid``: every question answered in code, in order (an answer
        written in a Markdown cell is checked when graded)."""
        namespace = sys._getframe(1).f_globals if namespace is None else namespace
        questions = self.config["questions"]
        if qid is None:
            return [self.check(q, namespace) for q, spec in questions.items() if spec.get("cell") != "markdown"]
        spec = questions.get(qid)
        if spec is None:
            raise KitError("grading_unknown_question", qid=qid, exercise=self.id, known=", ".join(questions))
        if spec.get("cell") == "markdown":  # written in a Markdown cell, which the kernel cannot see
            raise KitError("grading_markdown_answer", qid=qid)
        outcome = expect.form(namespace.get(qid), spec, lang=self.lang)
        return expect.Outcome(outcome.score, f"{qid}: {outcome.message}", form=True)


def config(exercise: str) -> dict:
    """``course/exercises/<exercise>.yml``: the module, the public check of every question, the rubrics."""
    try:
        return text.data(f"exercises/{exercise}")
    except FileNotFoundError:
        raise KitError("grading_unknown_exercise", exercise=exercise) from None
