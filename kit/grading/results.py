"""What grading produces: one :class:`QuestionResult` per question, one :class:`SubmissionResult` per submission.

Plain frozen dataclasses of strings and numbers, so they cross process boundaries (process pool, Dask) unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GRADED, FAILED, SKIPPED = "graded", "failed", "skipped"
AUTO, MANUAL = "auto", "manual"
ANSWER_CHARS = 2000  # an answer is kept as text up to this length


@dataclass(frozen=True)
class QuestionResult:
    """One question of one submission.

    ``score`` is the automatic score in [0, ``points``] (None for a manually graded question);
    ``reason`` explains it in the grader's language; ``answer`` is the trainee's answer as text.
    """

    qid: str
    kind: str
    points: float
    score: float | None
    reason: str
    answer: str = ""


@dataclass(frozen=True)
class SubmissionResult:
    """One submission: who, which exercise, the submission's content hash, the outcome per question.

    ``status`` is :data:`GRADED` (it ran; faults inside cells are in the question reasons) or :data:`FAILED`
    (it could not be run at all, e.g. not a notebook); ``reason`` says what went wrong at notebook level
    ("" when nothing did).
    """

    exercise: str
    trainee: str
    content_hash: str
    status: str
    reason: str = ""
    questions: tuple[QuestionResult, ...] = field(default_factory=tuple)
    duration_s: float = 0.0


def clip(text: str, limit: int = ANSWER_CHARS) -> str:
    """``text`` cut to ``limit`` characters, marking the cut with an ellipsis.

    >>> clip("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"
