"""Export an executed notebook to a self-contained HTML page with nbconvert and the kit's template.

Every HTML page the kit makes (reports, handouts, grading feedback) goes through :func:`export_html` and
the template in ``kit/templates/kit/`` (JupyterLab's look, extended):

* nothing loads from the network — no require.js, MathJax, Mermaid or widget manager; all CSS is inline;
* a title header (title, subtitle, date, language) and ``<html lang="zh-CN">`` / ``"en"``;
* a static table of contents of the h1–h3 headings with anchor links (a sidebar on wide screens);
* print CSS: A4 margins, the contents hidden, sections (h2) on new pages, figures and table rows not cut;
* a CJK font stack led by Noto Sans CJK SC.

Code is hidden by ``hide_code``: ``True`` removes every input and prompt (reports); ``"tags"`` keeps the
code but follows the Jupyter Book cell tags (``remove-cell``, ``remove-input`` / ``hide-input``,
``remove-output``), which are honoured in every mode.

A page has no kernel: every interactive widget is shown as the static snapshot of its default state
that kit widgets put beside it (``text/html``), and the saved widget state is dropped, so the page
needs no widget renderer from the internet.
"""

from __future__ import annotations

import datetime as dt
import html as htmlmod
import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
TEMPLATE = "kit"
HTML_LANG = {"zh": "zh-CN", "en": "en"}
REMOVE_CELL = ("remove-cell",)
REMOVE_INPUT = ("remove-input", "hide-input")
REMOVE_OUTPUT = ("remove-output",)
HIDE_CODE_MODES = (True, False, "tags")
HEADING = re.compile(r"<h([1-3])(\s[^>]*)?>(.*?)</h\1>", re.S | re.I)
ID = re.compile(r"""\sid\s*=\s*(["'])(.*?)\1""", re.S | re.I)
TAG = re.compile(r"<[^>]+>")
TOC_MARK = "<!--kit:toc-->"


def export_html(notebook, html: str | Path, *, title: str | None = None, hide_code: bool | str = True,
                subtitle: str | None = None, lang: str | None = None, date: str | dt.date | bool | None = None,
                series: str | None = None, toc: bool = True, page_breaks: bool = True) -> Path:
    """Write ``notebook`` (a path or a NotebookNode) as a self-contained HTML page to ``html``.

    ``title`` heads the page and names the browser tab (else the notebook's file name); ``subtitle``
    (e.g. cohort or lesson) and ``series`` (a line above the title) are optional. ``lang`` (``zh``/``en``)
    sets ``<html lang>`` and the header's labels; by default it is the ``lang`` parameter papermill
    injected, else guessed from the text. ``date`` is printed in the header: today by default, a date or
    string as given, ``False`` for none. ``hide_code``: ``True`` hides all inputs and prompts, ``"tags"``
    only the inputs of cells tagged ``remove-input``/``hide-input`` (prompts hidden, papermill's injected
    parameters dropped), ``False`` none; the tags ``remove-cell`` and ``remove-output`` always apply.
    ``toc`` adds the table of contents of h1–h3; ``page_breaks`` starts each h2 section on a new printed page.
    """
    import nbformat
    from nbconvert import HTMLExporter

    from kit.i18n import t

    if hide_code not in HIDE_CODE_MODES:
        raise ValueError(f"hide_code must be True, False or 'tags'; got {hide_code!r}")
    is_node = isinstance(notebook, nbformat.NotebookNode)
    node = notebook if is_node else nbformat.read(str(notebook), as_version=4)
    nb = visible_cells(static_widgets(node), hide_code)
    lang = lang or notebook_lang(nb)
    if lang not in HTML_LANG:
        raise ValueError(f"lang must be one of {', '.join(HTML_LANG)}; got {lang!r}")
    name = title or (Path(notebook).stem if not is_node else "notebook")
    exporter = HTMLExporter(
        template_name=TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=hide_code is True,
        exclude_input_prompt=bool(hide_code),
        exclude_output_prompt=bool(hide_code),
    )
    exporter.register_preprocessor(tag_remover(hide_code), enabled=True)
    resources = {"metadata": {"name": name}, "kit": {
        "title": name, "subtitle": subtitle or "", "series": series or "", "date": _date(date),
        "html_lang": HTML_LANG[lang], "page_breaks": page_breaks, "nbconvert": _nbconvert_version(),
        "labels": {key: t(f"export.{key}", lang) for key in ("date", "language", "language_name")},
    }}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = add_toc(body, t("export.contents", lang) if toc else None)
    html = Path(html)
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(body, encoding="utf-8")
    return html


def static_widgets(nb):
    """``nb`` with widget outputs reduced to their static snapshot and the widget state removed."""
    from kit.widgets import WIDGET_MIME

    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_MIME in data:
                data.pop(WIDGET_MIME)
                if "text/html" not in data:
                    data["text/plain"] = ""
    return nb


def tag_remover(hide_code: bool | str):
    """nbconvert's TagRemovePreprocessor with the Jupyter Book tags (and, in ``"tags"`` mode, papermill's
    injected-parameters cell removed)."""
    from nbconvert.preprocessors import TagRemovePreprocessor

    cells = set(REMOVE_CELL) | ({"injected-parameters"} if hide_code == "tags" else set())
    return TagRemovePreprocessor(remove_cell_tags=cells, remove_input_tags=set(REMOVE_INPUT),
                                 remove_all_outputs_tags=set(REMOVE_OUTPUT), enabled=True)


def visible_cells(nb, hide_code: bool | str):
    """``nb`` without the code cells that would show nothing: no outputs, and their input hidden."""
    def shows(cell) -> bool:
        if cell.cell_type != "code" or cell.get("outputs"):
            return True
        tags = set(cell.metadata.get("tags", []))
        return hide_code is not True and not tags & {*REMOVE_INPUT, *REMOVE_CELL} and bool(cell.source.strip())

    nb.cells = [cell for cell in nb.cells if shows(cell)]
    return nb


def notebook_lang(nb) -> str:
    """The page language: papermill's injected ``lang`` parameter, else ``zh`` when the text is mostly
    Chinese, else ``en``."""
    parameters = nb.metadata.get("papermill", {}).get("parameters", {})
    if parameters.get("lang") in HTML_LANG:
        return parameters["lang"]
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts.append(str(data.get("text/markdown", data.get("text/html", ""))))
            parts.append(str(output.get("text", "")))
    text = TAG.sub(" ", "\n".join(parts))
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    words = len(re.findall(r"[A-Za-z]{2,}", text))
    return "zh" if cjk and cjk >= words else "en"


def add_toc(page: str, label: str | None) -> str:
    """``page`` with a unique ``id`` on every h1–h3 and, when ``label`` is given, a static table of contents
    linking to them at the template's ``<!--kit:toc-->`` mark."""
    entries, seen = [], set()

    def number(match: re.Match) -> str:
        level, attrs, inner = match.group(1), match.group(2) or "", match.group(3)
        found = ID.search(attrs)
        anchor = htmlmod.unescape(found.group(2)) if found else ""
        if not anchor or anchor in seen:
            anchor = _unique(anchor or f"section-{len(entries) + 1}", seen)
            attrs = (ID.sub("", attrs) if found else attrs) + f' id="{htmlmod.escape(anchor)}"'
        seen.add(anchor)
        text = " ".join(htmlmod.unescape(TAG.sub("", re.sub(r"<a[^>]*anchor-link.*?</a>", "", inner, flags=re.S))).split())
        if text:
            entries.append((int(level), anchor, text))
        return f"<h{level}{attrs}>{inner}</h{level}>"

    head, mark, rest = page.partition(TOC_MARK)
    if not mark:
        return page
    rest = HEADING.sub(number, rest)
    if not label or not entries:
        return head + rest
    top = min(level for level, _, _ in entries)
    items = "\n".join(
        f'<li class="kit-toc-{level - top + 1}"><a href="#{htmlmod.escape(anchor)}">{htmlmod.escape(text)}</a></li>'
        for level, anchor, text in entries)
    nav = (f'<nav class="kit-toc" aria-label="{htmlmod.escape(label)}">'
           f'<p class="kit-toc-title">{htmlmod.escape(label)}</p>\n<ol>\n{items}\n</ol>\n</nav>')
    return head + nav + rest


def _unique(anchor: str, seen: set) -> str:
    candidate, n = anchor, 1
    while candidate in seen:
        n += 1
        candidate = f"{anchor}-{n}"
    return candidate


def _date(date) -> str:
    if date is False:
        return ""
    if date in (None, True):
        return dt.date.today().isoformat()
    return date.isoformat() if isinstance(date, dt.date) else str(date)


def _nbconvert_version() -> str:
    import nbconvert

    return nbconvert.__version__
