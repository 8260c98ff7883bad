"""Feedback pages: one HTML page per trainee and exercise, from the gradebook (so manual scores show once
imported). Per question: the prompt, the score, the explanation and the trainee's own answer. Built as a
notebook of HTML outputs and exported with nbconvert; every piece of trainee text is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from kit.grading.results import output_name
from kit.i18n import t
from kit.widgets import escape

STYLE = """<style>
.kit-fb .score{font-weight:bold}.kit-fb pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}
.kit-fb .pending{color:#b26b00}
</style>"""


def natural(name: str) -> tuple:
    """Sort key that puts q2 before q10.

    >>> sorted(["q10", "q2", "q1"], key=natural)
    ['q1', 'q2', 'q10']
    """
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))


def _score(value, points) -> str:
    return f"{value:g} / {points:g}"


def heading(prompt: str, qid: str) -> str:
    """The prompt's first line when it is a Markdown heading (``### Q1 · NPS (1 point)``), else the question id.

    >>> heading("### Q1 · NPS (1 point)\\nNPS = …", "q1"), heading("Compute it.", "q1")
    ('### Q1 · NPS (1 point)', '### q1')
    """
    first = prompt.strip().splitlines()[0] if prompt.strip() else ""
    return first if first.startswith("#") else f"### {qid}"


def page(exercise: str, trainee: str, rows, lang: str):
    """The feedback notebook of one trainee: ``rows`` are that trainee's gradebook rows for ``exercise``.
    Course text (trusted) goes into Markdown cells; everything from the gradebook into escaped HTML outputs."""
    import nbformat.v4 as nbf

    from kit import text

    def html(body: str):
        output = nbf.new_output("display_data", data={"text/html": f'{STYLE}<div class="kit-fb">{body}</div>'})
        return nbf.new_code_cell("", outputs=[output])

    texts = text.load(f"exercises/{exercise}", lang)
    final = rows["final_score"]
    pending = int(final.isna().sum())
    summary = t("grading.feedback.total", lang, score=_score(float(final.fillna(0).sum()), float(rows["points"].sum())))
    if pending:
        summary += " " + t("grading.feedback.pending_count", lang, n=pending)
    cells = [nbf.new_markdown_cell(texts["title"]),
             html(f"<p>{escape(t('grading.feedback.trainee', lang, trainee=trainee))}</p>"
                  f'<p class="score">{escape(summary)}</p>')]
    order = sorted(range(len(rows)), key=lambda i: natural(rows["question"].iloc[i]))
    for row in rows.iloc[order].itertuples():
        score = (f'<span class="pending">{escape(t("grading.feedback.pending", lang))}</span>'
                 if row.final_score != row.final_score or row.final_score is None
                 else escape(_score(float(row.final_score), float(row.points))))
        cells += [nbf.new_markdown_cell(heading(texts.get(row.question, ""), row.question)),
                  html(f'<div class="q"><p class="score">{score}</p><p>{escape(row.reason or "")}</p>'
                       f"<details open><summary>{escape(t('grading.feedback.your_answer', lang))}</summary>"
                       f"<pre>{escape(row.answer or '')}</pre></details></div>")]
    return nbf.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})


def write_feedback(book, exercise: str, out: Path, lang: str, trainees: Iterable[str] | None = None) -> list[Path]:
    """Write ``out/<output_name(trainee)>.html`` (:func:`kit.grading.results.output_name`, the gradebook's
    ``submissions.file_name``) for each trainee of ``exercise`` in the gradebook (or only ``trainees``)."""
    from kit import text
    from kit.pipeline.export import export_html

    grades = book.grades(exercise)
    wanted = None if trainees is None else set(trainees)
    title = text.load(f"exercises/{exercise}", lang)["title"].lstrip("#").strip()  # a Markdown heading there
    written = []
    for trainee, rows in grades.groupby("trainee", sort=True):
        if wanted is not None and trainee not in wanted:
            continue
        html = Path(out) / f"{output_name(trainee)}.html"
        written.append(export_html(page(exercise, trainee, rows, lang), html, title=f"{title} · {trainee}",
                                   lang=lang))
    return written
