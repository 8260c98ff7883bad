"""Self-check questions with instant, explanatory feedback in the trainee's language.

A module's question bank is two files: ``course/<module>/quiz.yml`` holds what does not depend on the
language (question type, answer, tolerance, pass mark) and ``course/<module>/quiz.<lang>.yml`` the text
(prompt, options or items and labels, ``explain`` shown when right, ``hint`` shown when not, optional
per-option ``hints``). Question types:

- ``choice``: one option key; ``multi``: a set of option keys (all and only the right ones);
- ``numeric``: a number within ``tolerance`` of the answer (an answer given at run time, e.g. computed
  from the trainee's personal data, overrides the file);
- ``classify``: a label per item; passes when the share right reaches ``pass`` (default 1.0).

:func:`evaluate` is the one place answers are judged; lessons use it through :class:`Quiz` widgets and
graded exercises through ``check()``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass

from kit.errors import KitError
from kit.i18n import get_lang, t
from kit.paths import COURSE
from kit.widgets import escape

TYPES = ("choice", "multi", "numeric", "classify")


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: right or not, the score (0–1) and the explanation to show."""

    correct: bool
    score: float
    message: str

    def _repr_html_(self) -> str:
        colour = "#00798c" if self.correct else "#d1495b"
        return f'<div style="color:{colour}">{escape(self.message)}</div>'


@dataclass(frozen=True)
class Verdict:
    """What :func:`evaluate` decides, before any wording: right or not, score, and which parts were wrong."""

    correct: bool
    score: float
    wrong: tuple = ()


def evaluate(kind: str, expected, answer, *, tolerance: float = 0.0, pass_mark: float = 1.0) -> Verdict:
    """Judge ``answer`` against ``expected`` for a question of type ``kind``.

    choice: equal keys; multi: equal sets; numeric: |answer − expected| ≤ tolerance; classify: score =
    share of items labelled right, correct when score ≥ ``pass_mark``.

    >>> evaluate("numeric", 20.0, "20.4", tolerance=0.5)
    Verdict(correct=True, score=1.0, wrong=())
    >>> evaluate("classify", {"a": "M", "b": "A"}, {"a": "M", "b": "O"}, pass_mark=0.5)
    Verdict(correct=True, score=0.5, wrong=('b',))
    """
    if kind == "choice":
        ok = answer is not None and str(answer) == str(expected)
        return Verdict(ok, float(ok), () if ok else (answer,))
    if kind == "multi":
        given, wanted = {str(a) for a in answer or ()}, {str(e) for e in expected}
        ok = given == wanted
        return Verdict(ok, float(ok), tuple(sorted(given ^ wanted)))
    if kind == "numeric":
        number = _number(answer)
        ok = number is not None and abs(number - float(expected)) <= tolerance + 1e-9
        return Verdict(ok, float(ok))
    if kind == "classify":
        answer = answer or {}
        wrong = tuple(item for item, label in expected.items() if str(answer.get(item)) != str(label))
        score = 1 - len(wrong) / len(expected) if expected else 0.0
        return Verdict(score >= pass_mark, score, wrong)
    raise KitError("check_unknown_type", kind=kind, types=", ".join(TYPES))


def _number(answer) -> float | None:
    try:
        number = float(str(answer).replace(",", "").replace("%", "").strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Question:
    """One question of a bank: its language-neutral spec and its text in one language."""

    qid: str
    spec: Mapping
    text: Mapping

    @property
    def kind(self) -> str:
        return self.spec["type"]


class Quiz:
    """The question bank of one course module in one language."""

    def __init__(self, module: str, lang: str | None = None):
        self.module, self.lang = module, lang or get_lang()
        self.specs, self.texts = _bank(module, self.lang)

    def __iter__(self):
        return iter(self.specs)

    def __len__(self):
        return len(self.specs)

    def question(self, qid: str) -> Question:
        if qid not in self.specs:
            raise KitError("check_unknown_question", qid=qid, module=self.module, known=", ".join(self.specs))
        return Question(qid, self.specs[qid], self.texts[qid])

    def check(self, qid: str, answer, expected=None) -> Feedback:
        """Judge ``answer`` and explain, in the quiz's language. ``expected`` overrides the bank's answer
        (for numbers computed from the trainee's own data)."""
        q = self.question(qid)
        expected = q.spec["answer"] if expected is None else expected
        verdict = evaluate(q.kind, expected, answer, tolerance=float(q.spec.get("tolerance", 0)),
                           pass_mark=float(q.spec.get("pass", 1.0)))
        return Feedback(verdict.correct, verdict.score, self._explain(q, verdict, answer, expected))

    def _explain(self, q: Question, verdict: Verdict, answer, expected) -> str:
        lang = self.lang
        if verdict.correct and verdict.score == 1:
            return f"{t('checks.correct', lang)} {q.text['explain']}"
        parts = []
        if q.kind == "classify":
            names = [q.text["items"].get(item, item) for item in verdict.wrong]
            parts.append(t("checks.classified", lang, right=round(verdict.score * len(expected)), n=len(expected),
                           pass_mark=float(q.spec.get("pass", 1.0))))
            if names:
                parts.append(t("checks.look_again", lang, items=t("checks.sep", lang).join(names)))
            if verdict.correct:
                return " ".join([t("checks.passed", lang), *parts, q.text["explain"]])
        elif q.kind == "numeric" and _number(answer) is None:
            parts.append(t("checks.not_a_number", lang, answer=answer))
        elif q.kind == "numeric":
            side = "checks.too_high" if _number(answer) > float(expected) else "checks.too_low"
            parts.append(t(side, lang))
        elif q.kind == "choice" and str(answer) in q.text.get("hints", {}):
            parts.append(q.text["hints"][str(answer)])
        return " ".join([t("checks.wrong", lang), *parts, q.text["hint"]])

    def ask(self, qid: str, expected=None, prompt: bool = True) -> QuestionWidget:
        """The question as a widget: prompt (unless ``prompt=False``: a workbook prints it in Markdown), answer
        input, a Check button and the feedback."""
        return QuestionWidget(self, self.question(qid), expected, prompt)


class QuestionWidget:
    """A question in a lesson. ``answer`` is the input control (a ``dict`` of dropdowns for classify);
    ``submit()`` is what the Check button does; ``feedback`` holds the last :class:`Feedback`."""

    def __init__(self, quiz: Quiz, question: Question, expected=None, prompt: bool = True):
        import ipywidgets as widgets

        self.quiz, self.question, self.expected, self.prompt = quiz, question, expected, prompt
        self.feedback: Feedback | None = None
        self.answer = _input(question)
        self.button = widgets.Button(description=t("checks.button", quiz.lang), button_style="primary")
        self.button.on_click(lambda _: self.submit())
        self.result = widgets.HTML()

    def value(self):
        """The answer as entered: a key, a set of keys, a number text, or ``{item: label}``."""
        if isinstance(self.answer, dict):
            return {item: box.value for item, box in self.answer.items()}
        return self.answer.value

    def submit(self) -> Feedback:
        self.feedback = self.quiz.check(self.question.qid, self.value(), self.expected)
        self.result.value = self.feedback._repr_html_()
        return self.feedback

    def widget(self):
        import ipywidgets as widgets

        inputs = list(self.answer.values()) if isinstance(self.answer, dict) else [self.answer]
        prompt = [widgets.HTML(f"<b>{escape(self.question.text['prompt'])}</b>")] if self.prompt else []
        return widgets.VBox([*prompt, *inputs, self.button, self.result])

    def static_html(self) -> str:
        """The question for readers without a kernel: prompt and choices, no answer."""
        text = self.question.text
        rows = [escape(v) for v in text.get("options", {}).values()]
        if "items" in text:
            labels = " / ".join(escape(v) for v in text["labels"].values())
            rows = [f"{escape(v)} → {labels}" for v in text["items"].values()]
        listing = "".join(f"<li>{row}</li>" for row in rows)
        return f'<div class="kit-question"><p><b>{escape(text["prompt"])}</b></p><ul>{listing}</ul></div>'

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget()._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/html"] = self.static_html()
        return bundle


def _input(question: Question):
    import ipywidgets as widgets

    text, layout = question.text, widgets.Layout(width="auto")
    if question.kind == "choice":
        return widgets.RadioButtons(options=[(v, k) for k, v in text["options"].items()], value=None, layout=layout)
    if question.kind == "multi":
        return widgets.SelectMultiple(options=[(v, k) for k, v in text["options"].items()], layout=layout)
    if question.kind == "numeric":
        return widgets.Text(placeholder=text.get("unit", ""), layout=widgets.Layout(width="12em"))
    labels = [("—", None), *((v, k) for k, v in text["labels"].items())]
    return {
        item: widgets.Dropdown(options=labels, value=None, description=name, style={"description_width": "initial"})
        for item, name in text["items"].items()
    }


@functools.cache
def _bank(module: str, lang: str) -> tuple[dict, dict]:
    """The specs and texts of ``course/<module>/quiz*.yml``; a KitError if a question lacks either."""
    from kit import yamlfiles

    folder = COURSE / module
    if not (folder / "quiz.yml").exists():
        raise KitError("check_no_bank", module=module, file=folder / "quiz.yml")
    specs = yamlfiles.load((folder / "quiz.yml").read_text(encoding="utf-8"))
    texts = yamlfiles.load((folder / f"quiz.{lang}.yml").read_text(encoding="utf-8"))
    for qid, spec in specs.items():
        if spec.get("type") not in TYPES or "answer" not in spec or qid not in texts:
            raise KitError("check_bad_question", qid=qid, module=module)
    return specs, texts
