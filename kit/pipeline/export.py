"""Export an executed notebook to a self-contained HTML page with nbconvert (code hidden).

A page has no kernel: every interactive widget is shown as the static snapshot of its default state
that kit widgets put beside it (``text/html``), and the saved widget state is dropped, so the page
needs no widget renderer from the internet.
"""

from __future__ import annotations

from pathlib import Path


def export_html(notebook, html: str | Path, *, title: str | None = None, hide_code: bool = True) -> Path:
    """Write ``notebook`` (a path or a NotebookNode) as HTML to ``html``: input cells and prompts hidden when
    ``hide_code``, figures embedded, the page titled ``title`` (else the notebook's file name)."""
    import nbformat
    from nbconvert import HTMLExporter

    node = notebook if isinstance(notebook, nbformat.NotebookNode) else nbformat.read(str(notebook), as_version=4)
    nb = static_widgets(node)
    exporter = HTMLExporter(
        template_name="lab",
        exclude_input=hide_code,
        exclude_input_prompt=hide_code,
        exclude_output_prompt=hide_code,
    )
    name = title or (Path(notebook).stem if not isinstance(notebook, nbformat.NotebookNode) else "notebook")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
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
