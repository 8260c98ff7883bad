"""Lesson interactions built on ipywidgets, testable without a browser and readable without a kernel.

An :class:`Interactive` owns named controls (sliders, dropdowns, text boxes), a pure :meth:`compute` that
turns their values into a result, and a :meth:`draw` that shows the result (a matplotlib figure, HTML
or a DataFrame). Moving a control recomputes ``self.result`` and redraws; tests set ``control.value``
and assert on ``result``. Displayed in a notebook it is the live widget; in an HTML handout (no kernel)
the same output carries a static snapshot of the default state, which :func:`kit.pipeline.export_html`
keeps in place of the widget.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

from kit.i18n import get_lang

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
LESSON_MODULES = ("needs", "communication", "recovery", "metrics", "standards", "capstone")


def __getattr__(name):
    """``kit.widgets.needs`` and the other lessons' widget modules load on first use."""
    if name in LESSON_MODULES:
        import importlib

        return importlib.import_module(f"kit.widgets.{name}")
    raise AttributeError(f"module 'kit.widgets' has no attribute {name!r}")


def to_html(shown) -> str:
    """HTML for something :meth:`Interactive.draw` returns: a figure (as an embedded PNG), a DataFrame or
    Styler (escaped), or an HTML string (trusted: built by the kit, with user text already escaped)."""
    if hasattr(shown, "savefig"):
        buffer = io.BytesIO()
        shown.savefig(buffer, format="png", bbox_inches="tight")
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        return f'<img src="data:image/png;base64,{data}" style="max-width:100%">'
    if hasattr(shown, "to_html") and hasattr(shown, "columns"):
        return shown.to_html(escape=True, border=0)
    if hasattr(shown, "to_html"):  # a Styler
        return shown.to_html()
    return str(shown)


def escape(text) -> str:
    """User or trainee text made safe for HTML."""
    return html.escape(str(text))


GREEN, RED, AMBER, GREY, BLUE, LIGHT = "#00798c", "#d1495b", "#edae49", "#888888", "#30638e", "#c7d3df"
"""The lessons' palette: good, bad, warning, neutral, the kit's blue, and a light fill."""


def figure_html(fig) -> str:
    """A figure as embedded HTML (:func:`to_html`), closed afterwards: for outputs that add text around it."""
    import matplotlib.pyplot as plt

    shown = to_html(fig)
    plt.close(fig)
    return shown


def coloured(colour: str, message: str, bold: bool = False) -> str:
    """A paragraph of ``message`` (escaped) in ``colour``."""
    inner = f"<b>{escape(message)}</b>" if bold else escape(message)
    return f"<p style='color:{colour}'>{inner}</p>"


def plain_label(value, width: int | None = None, lines: int = 2) -> str:
    r"""Trainee text for a matplotlib label: ``$`` kept literal (no mathtext), wrapped to ``width`` characters
    on at most ``lines`` lines (CJK characters count double).

    >>> print(plain_label("US$5 refund"))
    US\$5 refund
    >>> print(plain_label("一次办结率提升方案的试点", width=8))
    一次办结
    率提升…
    """
    import re
    import textwrap

    label = str(value).replace("$", r"\$")
    if width is None:
        return label
    cjk = re.search(r"[\u3000-\u9fff\uff00-\uffef]", label) is not None
    wrapped = textwrap.wrap(label, max(2, width // 2 if cjk else width), break_long_words=cjk) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][:-1] + "…"
    return "\n".join(wrapped)


def short_number(value: float) -> str:
    """A number as short as it reads: 5 for 5.0, 2.5 for 2.5."""
    return f"{value:g}"


CELL_STYLE = "text-align:left;vertical-align:top;padding:.2em .8em"


def html_table(header, rows) -> str:
    """A left-aligned HTML table: ``header`` is plain text (escaped here), ``rows`` hold safe HTML cells
    (escape trainee text with :func:`escape` before passing it)."""
    head = "".join(f'<th style="{CELL_STYLE}">{escape(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f'<td style="{CELL_STYLE}">{c}</td>' for c in row) + "</tr>" for row in rows)
    return f'<table class="dataframe"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def frame_table(frame) -> str:
    """A DataFrame as a left-aligned HTML table without its index; cells escaped, numbers to 2 decimals."""
    return (frame.style.hide(axis="index").format(precision=2, escape="html")
            .set_table_styles([{"selector": "th, td", "props": CELL_STYLE}]).to_html())


class Interactive:
    """Base class of lesson interactions: subclass and implement :meth:`compute` and :meth:`draw`."""

    title: str = ""

    def __init__(self, controls: dict, lang: str | None = None):
        import ipywidgets as widgets

        self.lang = lang or get_lang()
        self.controls = controls
        self.output = widgets.Output()
        self.result: Any = None
        for control in controls.values():
            control.observe(self.refresh, names="value")
        self.refresh()

    @property
    def values(self) -> dict:
        """The controls' current values, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def compute(self, **values):
        """The result for these control values (pure: no display)."""
        raise NotImplementedError

    def draw(self, result):
        """What to show for ``result``: a matplotlib Figure, a DataFrame/Styler or an HTML string."""
        raise NotImplementedError

    def refresh(self, change=None) -> None:
        """Recompute from the controls and redraw the output area."""
        from IPython.display import HTML, clear_output, display

        self.result = self.compute(**self.values)
        shown = self.draw(self.result)
        with self.output:
            clear_output(wait=True)
            display(HTML(to_html(shown)))
        _close(shown)

    def widget(self):
        """The live widget: the controls above their output."""
        import ipywidgets as widgets

        return widgets.VBox([*self.controls.values(), self.output])

    def static_html(self) -> str:
        """The default state for readers without a kernel: the control settings and the output."""
        settings = "".join(
            f"<li>{escape(getattr(c, 'description', '') or name)} {escape(_shown_value(c))}</li>"
            for name, c in self.controls.items()
        )
        shown = self.draw(self.result)
        body = to_html(shown)
        _close(shown)
        heading = f"<h4>{escape(self.title)}</h4>" if self.title else ""
        return f'<div class="kit-interactive">{heading}<ul>{settings}</ul>{body}</div>'

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget()._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/html"] = self.static_html()
        return bundle


def _shown_value(control) -> str:
    """A control's value as a reader sees it (a dropdown's label rather than its code)."""
    if isinstance(control.value, bool):
        return "✓" if control.value else "✗"
    options = getattr(control, "options", None)
    if options and isinstance(options[0], tuple):
        return next((label for label, value in options if value == control.value), str(control.value))
    return str(control.value)


def _close(shown) -> None:
    if hasattr(shown, "savefig"):
        import matplotlib.pyplot as plt

        plt.close(shown)
