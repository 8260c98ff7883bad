"""What grading produces: one :class:`QuestionResult` per question, one :class:`SubmissionResult` per submission.

Plain frozen dataclasses of strings and numbers, so they cross process boundaries (process pool, Dask) unchanged.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

GRADED, FAILED, SKIPPED = "graded", "failed", "skipped"
AUTO, MANUAL = "auto", "manual"
ANSWER_CHARS = 2000  # an auto-graded answer is kept as text up to this length (manual answers are kept whole)
NAME_CHARS = 60  # the readable part of an output file name
HASH_DIGITS = 10  # hex digits of the trainee id's SHA-256 in an output file name


@dataclass(frozen=True)
class QuestionResult:
    """One question of one submission.

    ``score`` is the automatic score in [0, ``points``] (None for a manually graded question);
    ``reason`` explains it in the grader's language; ``answer`` is the trainee's answer as text (clipped to
    :data:`ANSWER_CHARS` for an auto-graded question, whole for a manual one); ``answer_hash`` is
    :func:`digest` of the whole answer text before clipping ("" when unknown: the gradebook then compares
    ``answer``). See :func:`answer_fields`.
    """

    qid: str
    kind: str
    points: float
    score: float | None
    reason: str
    answer: str = ""
    answer_hash: str = ""


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

    @property
    def file_name(self) -> str:
        """The stem of this trainee's output files (executed notebook, feedback page): :func:`output_name`."""
        return output_name(self.trainee)


def clip(text: str, limit: int = ANSWER_CHARS) -> str:
    """``text`` cut to ``limit`` characters, marking the cut with an ellipsis.

    >>> clip("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def digest(text: str) -> str:
    """SHA-256 (hex) of ``text`` in UTF-8: what tells a changed answer from an unchanged one.

    >>> digest("abc")[:12]
    'ba7816bf8f01'
    """
    return hashlib.sha256((text or "").encode("utf-8", "surrogatepass")).hexdigest()  # ids from odd file names too


def answer_fields(kind: str, text: str) -> dict[str, str]:
    """``answer`` and ``answer_hash`` of a :class:`QuestionResult` from the whole answer ``text``: an auto-graded
    answer is clipped for display, a manual one kept whole (a trainer grades all of it); the hash is always of the
    whole text, so a change after the clip still counts as a change.

    >>> fields = answer_fields(AUTO, "x" * 3000)
    >>> len(fields["answer"]), fields["answer_hash"] == digest("x" * 3000)
    (2000, True)
    >>> len(answer_fields(MANUAL, "x" * 3000)["answer"])
    3000
    """
    return {"answer": text if kind == MANUAL else clip(text), "answer_hash": digest(text)}


def safe_name(name: str) -> str:
    """``name`` with every character but letters, digits (any script), ``.``, ``-`` and ``_`` replaced by ``_``.

    >>> safe_name("S01/../x"), safe_name("张三 A")
    ('S01_.._x', '张三_A')
    """
    return re.sub(r"[^\w.-]", "_", name)


def output_name(trainee: str) -> str:
    """The stem of a trainee's output files: the id made file-safe (at most :data:`NAME_CHARS` characters, no
    leading ``.`` or ``-``), then ``-`` and the first :data:`HASH_DIGITS` hex digits of the id's SHA-256.

    Always suffixed, so two ids that sanitise alike (``bob smith``/``bob_smith``), differ only in case
    (``Bob``/``bob`` on a case-insensitive file system) or are chosen to look like another's file name never
    share a file.

    >>> output_name("bob smith"), output_name("bob_smith")
    ('bob_smith-7e50351d7a', 'bob_smith-56318ccd29')
    >>> output_name("张三"), output_name("../x")
    ('张三-1d841bc0ee', '_x-d6b96a97d1')
    """
    readable = safe_name(trainee)[:NAME_CHARS].lstrip(".-") or "_"
    return f"{readable}-{digest(trainee)[:HASH_DIGITS]}"
