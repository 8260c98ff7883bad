"""Lesson M2 (沟通) interactions: a reply linter, a question-type classifier, SPSB and EARS ordering drills,
ABC emotion reframing and a talk-ratio meter.

Texts come from ``course/communication/drills.<lang>.yml`` (drafts, sentences, vignettes) and
``kit/locale/communication.<lang>.yml`` (labels); the logic lives in :mod:`kit.communication`.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

from kit import communication as comm
from kit.i18n import get_lang, t
from kit.text import data as course_data
from kit.widgets import Interactive, escape, html_table

LABEL = "communication.widgets"
RULE_COLOURS = {"banned": "#f4b6bd", "blame": "#f4b6bd", "vague_promise": "#fbd99a", "negative": "#fbd99a",
                "hedge": "#fbd99a", "jargon": "#bcd9ec"}
LONG_SENTENCE_STYLE = "border-bottom:2px dotted #5c4d7d"
TEXT_BOX = "white-space:pre-wrap;line-height:2;border:1px solid #ccc;border-radius:4px;padding:.5em .8em"
WIDE = {"width": "100%"}
AGENT_COLOUR, CUSTOMER_COLOUR, TARGET_COLOUR = "#30638e", "#edae49", "#d1495b"


def drills(lang: str) -> dict:
    """The interactions' texts in ``lang`` (``course/communication/drills.<lang>.yml``)."""
    return course_data(f"communication/drills.{lang}")


def _moods() -> dict:
    return course_data("communication/drills")["abc"]


def _textarea(value: str, description: str, rows: int):
    import ipywidgets as widgets

    return widgets.Textarea(value=value, description=description, continuous_update=False, rows=rows,
                            layout=widgets.Layout(**WIDE), style={"description_width": "initial"})


# --- reply linter -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LintResult:
    """A linted reply: its text, the findings, the jargon share and the word count."""

    text: str
    findings: tuple
    share: float
    words: int


def highlight(text: str, findings) -> str:
    """``text`` as escaped HTML with each finding's words in a coloured ``<mark>`` (titled with the rule) and
    long sentences underlined; whole-reply and empty spans are not marked.

    >>> highlight("a<b", [comm.Finding("hedge", (0, 1), "", "")])
    '<mark title="hedge" style="background:#fbd99a">a</mark>&lt;b'
    """
    spans = [(f.span, f.rule) for f in findings if f.span[1] > f.span[0] and f.rule not in comm.REPLY_RULES]
    cuts = sorted({0, len(text), *(x for span, _ in spans for x in span)})
    pieces = []
    for start, end in itertools.pairwise(cuts):
        active = [rule for (s, e), rule in spans if s <= start and end <= e]
        piece = escape(text[start:end])
        if "long_sentence" in active:
            piece = f'<span style="{LONG_SENTENCE_STYLE}">{piece}</span>'
        marked = [rule for rule in active if rule in RULE_COLOURS]
        if marked:
            piece = f'<mark title="{escape(" · ".join(marked))}" style="background:{RULE_COLOURS[marked[0]]}">{piece}</mark>'
        pieces.append(piece)
    return "".join(pieces)


class ReplyLinter(Interactive):
    """Type or paste a reply: the rules of :func:`kit.communication.lint_reply` mark it up and suggest fixes."""

    def __init__(self, lang: str | None = None, draft: str | None = None):
        lang = lang or get_lang()
        self.title = t(f"{LABEL}.linter.title", lang)
        draft = drills(lang)["linter_draft"] if draft is None else draft
        super().__init__({"draft": _textarea(draft, t(f"{LABEL}.linter.draft", lang), 4)}, lang)

    def compute(self, draft: str) -> LintResult:
        return LintResult(draft, tuple(comm.lint_reply(draft, self.lang)), comm.jargon_share(draft, self.lang),
                          len(comm.words(draft, self.lang)))

    def draw(self, result: LintResult) -> str:
        lang, label = self.lang, f"{LABEL}.linter"
        summary = t(f"{label}.summary", lang, n=len(result.findings), share=result.share, words=result.words,
                    limit=comm.limits()["jargon_share"]["max"])
        header = [t(f"{label}.{key}", lang) for key in ("rule", "where", "message", "suggestion")]
        rows = [[escape(t(f"communication.rules.{f.rule}", lang)), escape(_excerpt(result.text, f)),
                 escape(f.message), escape(f.suggestion)] for f in result.findings]
        table = html_table(header, rows) if rows else f"<p>{escape(t(f'{label}.clean', lang))}</p>"
        return (f"<p><b>{escape(summary)}</b></p>"
                f'<div style="{TEXT_BOX}">{highlight(result.text, result.findings)}</div>{table}')


def _excerpt(text: str, finding, width: int = 24) -> str:
    """The finding's words, shortened to ``width`` characters ("—" for a finding on the whole reply)."""
    piece = "" if finding.rule in comm.REPLY_RULES else text[slice(*finding.span)]
    return "—" if not piece else piece if len(piece) <= width else piece[: width - 1] + "…"


# --- question types -----------------------------------------------------------------------------------


class QuestionSorter(Interactive):
    """Questions, one per line, sorted into open / closed / probing / reflective / hypothetical with the cue."""

    def __init__(self, lang: str | None = None, questions: str | None = None):
        lang = lang or get_lang()
        self.title = t(f"{LABEL}.questions.title", lang)
        questions = drills(lang)["questions"] if questions is None else questions
        super().__init__({"questions": _textarea(questions, t(f"{LABEL}.questions.input", lang), 7)}, lang)

    def compute(self, questions: str) -> dict:
        rows = [(q.strip(), comm.classify_question(q.strip(), self.lang)) for q in questions.splitlines() if q.strip()]
        return {"rows": rows, "mix": Counter(kind.kind for _, kind in rows)}

    def draw(self, result: dict) -> str:
        lang, label = self.lang, f"{LABEL}.questions"
        name = {kind: t(f"communication.questions.{kind}", lang) for kind in (*comm.QUESTION_TYPES, "unclear")}
        header = [t(f"{label}.{key}", lang) for key in ("question", "kind", "cue")]
        rows = [[_marked(q, kind.span), escape(name[kind.kind]), escape(kind.cue or "—")] for q, kind in result["rows"]]
        mix = " · ".join(f"{name[k]} {result['mix'][k]}" for k in name if result["mix"][k])
        return f"{html_table(header, rows)}<p>{escape(t(f'{label}.mix', lang, mix=mix))}</p>"


def _marked(text: str, span: tuple[int, int] | None) -> str:
    """``text`` escaped, with ``span`` in a ``<mark>``."""
    if not span:
        return escape(text)
    s, e = span
    return f"{escape(text[:s])}<mark>{escape(text[s:e])}</mark>{escape(text[e:])}"


# --- ordering drills ----------------------------------------------------------------------------------


class _OrderDrill(Interactive):
    """Put a model's shuffled sentences in order with one dropdown per step; each step is checked."""

    model: str = ""
    steps: tuple[str, ...] = ()

    def __init__(self, lang: str | None = None, seed: int = 0):
        import ipywidgets as widgets

        lang = lang or get_lang()
        self.title = t(f"{LABEL}.{self.model}.title", lang)
        self.content = drills(lang)[self.model]
        shown = _shuffled(self.steps, seed)
        options = [(self.content[step]["line"], step) for step in shown]
        controls = {
            f"step{i}": widgets.Dropdown(options=options, value=step, layout=widgets.Layout(**WIDE),
                                         description=t(f"{LABEL}.drill.position", lang, i=i))
            for i, step in enumerate(shown, start=1)
        }
        super().__init__(controls, lang)

    def compute(self, **chosen) -> dict:
        order = tuple(chosen[f"step{i}"] for i in range(1, len(self.steps) + 1))
        right = comm.sequence_check(order, self.steps)
        return {"order": order, "right": right, "score": sum(right), "done": all(right)}

    def draw(self, result: dict) -> str:
        lang, label = self.lang, f"{LABEL}.drill"
        names = [t(f"communication.steps.{step}", lang) for step in self.steps]
        verdict = "verdict_right" if result["done"] else "verdict_wrong"
        text = t(f"{label}.{verdict}", lang, n=len(self.steps), right=result["score"], order=" → ".join(names))
        header = [t(f"{label}.{key}", lang) for key in ("step", "chosen", "why")]
        rows = [[escape(f"{i}. {name} {'✓' if ok else '✗'}"), escape(self.content[step]["line"]),
                 escape(self.content[step]["why"])]
                for i, (name, step, ok) in enumerate(zip(names, result["order"], result["right"], strict=True), 1)]
        return f"<p><b>{escape(text)}</b></p>{html_table(header, rows)}"


def _shuffled(steps: tuple[str, ...], seed: int) -> list[str]:
    """The steps in a seeded random order that is never already the model's order."""
    import numpy as np

    rng = np.random.default_rng(seed)
    order = list(steps)
    while order == list(steps):
        order = [steps[i] for i in rng.permutation(len(steps))]
    return order


class SpsbDrill(_OrderDrill):
    """Order a consulting pitch as Situation → Problem → Solution → Benefit [000]."""

    model, steps = "spsb", comm.SPSB


class EarsDrill(_OrderDrill):
    """Order an adviser's listening turns as Encourage → Acknowledge → Reflect → Summarize [000]."""

    model, steps = "ears", comm.EARS


# --- ABC reframing ------------------------------------------------------------------------------------


class AbcReframe(Interactive):
    """Pick an event (A) and a belief about it (B): the emotion (C) and the reply it tends to produce follow."""

    def __init__(self, lang: str | None = None):
        import ipywidgets as widgets

        lang = lang or get_lang()
        self.title = t(f"{LABEL}.abc.title", lang)
        self.content = drills(lang)["abc"]
        vignettes = self.content["vignettes"]
        style = {"description_width": "initial"}
        controls = {
            "vignette": widgets.Dropdown(options=[(v["event"], k) for k, v in vignettes.items()], style=style,
                                         description=t(f"{LABEL}.abc.vignette", lang), layout=widgets.Layout(**WIDE)),
            "kind": widgets.RadioButtons(options=[(v, k) for k, v in self.content["kinds"].items()], style=style,
                                         description=t(f"{LABEL}.abc.belief", lang)),
        }
        super().__init__(controls, lang)

    def compute(self, vignette: str, kind: str) -> dict:
        story = self.content["vignettes"][vignette]
        return {"event": story["event"], **story[kind], "mood": _moods()[vignette][kind], "kind": kind}

    def draw(self, result: dict) -> str:
        lang, label = self.lang, f"{LABEL}.abc"
        colour = AGENT_COLOUR if result["mood"] > 0 else TARGET_COLOUR
        boxes = [(t(f"{label}.a", lang), result["event"]), (t(f"{label}.b", lang), result["belief"]),
                 (t(f"{label}.c", lang), result["emotion"])]
        chain = " → ".join(
            f'<span style="display:inline-block;border:1px solid #ccc;border-radius:4px;padding:.3em .6em;margin:.2em">'
            f"<b>{escape(head)}</b><br>{escape(body)}</span>" for head, body in boxes)
        mood = t(f"{label}.mood", lang, mood=result["mood"])
        return (f"<div>{chain}</div><p style=\"color:{colour}\"><b>{escape(mood)}</b></p>"
                f"<p>{escape(t(f'{label}.reply', lang))}: <i>{escape(result['reply'])}</i></p>")


# --- talk ratio ---------------------------------------------------------------------------------------


class TalkRatioMeter(Interactive):
    """Pick a session of the transcripts: the agent's share of the talk against the 20 % target of the 80/20
    rule [000], beside every session in the lesson's language."""

    def __init__(self, transcripts=None, lang: str | None = None):
        import ipywidgets as widgets

        lang = lang or get_lang()
        self.title = t(f"{LABEL}.talk.title", lang)
        self.transcripts = _sample_transcripts() if transcripts is None else transcripts
        ratios = comm.talk_ratios(self.transcripts)
        self.ratios = ratios[ratios["lang"] == lang] if (ratios["lang"] == lang).any() else ratios
        slider = widgets.SelectionSlider(options=list(self.ratios.index), description=t(f"{LABEL}.talk.session", lang),
                                         continuous_update=False)
        super().__init__({"session": slider}, lang)

    def compute(self, session: str) -> dict:
        row = self.ratios.loc[session]
        turns = int(((self.transcripts["session_id"] == session) & (self.transcripts["speaker"] != "bot")).sum())
        target = comm.limits()["talk_ratio"]["max"]
        share = float(row["share"])
        return {"session": session, "share": share, "units": int(row["speaker"] + row["others"]), "turns": turns,
                "target": target, "meets": share <= target}

    def draw(self, result: dict):
        import matplotlib.pyplot as plt

        lang, label = self.lang, f"{LABEL}.talk"
        fig, ax = plt.subplots(figsize=(7.5, 2.6), layout="constrained")
        share = result["share"]
        ax.barh(1, share, color=AGENT_COLOUR, label=t(f"{label}.agent", lang))
        ax.barh(1, 1 - share, left=share, color=CUSTOMER_COLOUR, label=t(f"{label}.customer", lang))
        ax.scatter(self.ratios["share"], [0] * len(self.ratios), color=AGENT_COLOUR, alpha=0.35, s=18)
        ax.axvline(result["target"], color=TARGET_COLOUR, linestyle="--",
                   label=t(f"{label}.target", lang, target=result["target"]))
        ax.set(xlim=(0, 1), ylim=(-0.6, 1.6), yticks=[0, 1], yticklabels=[t(f"{label}.all", lang), result["session"]],
               xlabel=t(f"{label}.share", lang))
        ax.xaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
        ax.set_title(t(f"{label}.caption", lang, session=result["session"], share=share, units=result["units"],
                       turns=result["turns"]), fontsize=10)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=3, frameon=False, fontsize=9)
        return fig


def _sample_transcripts():
    from kit.data import io
    from kit.paths import SAMPLE

    return io.load(SAMPLE / "transcripts.csv", "transcripts")[0]
