"""The grading spec of one exercise: its questions, points, tests and rubrics — everything the grader needs
and the trainee must not see. Written by ``kit assign`` next to (never inside) the release, and rebuilt from the
master notebook whenever ``kit grade`` runs without ``--spec``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kit.grading.results import AUTO, MANUAL


@dataclass(frozen=True)
class Criterion:
    """One rubric criterion of a manually graded question: its id, maximum points and wording per language."""

    cid: str
    points: float
    text: dict  # {"zh": ..., "en": ...}


@dataclass(frozen=True)
class Question:
    """One question: ``qid`` is also the name of the variable that holds the trainee's answer.

    ``tests`` is the full test-cell source of an auto-graded question (public lines and hidden tests);
    ``rubric`` the criteria of a manual one (their points add up to ``points``); ``form`` its public check
    (:func:`kit.grading.expect.form`).
    """

    qid: str
    kind: str
    points: float
    tests: str = ""
    rubric: tuple[Criterion, ...] = ()
    form: dict = field(default_factory=dict)

    @property
    def manual(self) -> bool:
        return self.kind == MANUAL


@dataclass(frozen=True)
class Spec:
    """All questions of one exercise, in notebook order. ``module`` names the course module (its data variant
    and texts); ``version`` is a hash of everything that affects grading, so a changed test regrades."""

    exercise: str
    module: str
    questions: tuple[Question, ...] = field(default_factory=tuple)

    @property
    def answers(self) -> list[str]:
        return [q.qid for q in self.questions]

    @property
    def points(self) -> float:
        return sum(q.points for q in self.questions)

    def question(self, qid: str) -> Question:
        return next(q for q in self.questions if q.qid == qid)

    @property
    def version(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Spec:
        questions = tuple(
            Question(q["qid"], q["kind"], float(q["points"]), q.get("tests", ""),
                     tuple(Criterion(c["cid"], float(c["points"]), dict(c["text"])) for c in q.get("rubric", ())),
                     dict(q.get("form", {})))
            for q in data["questions"]
        )
        return cls(data["exercise"], data["module"], questions)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {**self.to_dict(), "version": self.version}
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> Spec:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


__all__ = ["AUTO", "MANUAL", "Criterion", "Question", "Spec"]
