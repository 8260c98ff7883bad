"""Export an executed notebook to a self-contained HTML page with nbconvert (code hidden)."""

from __future__ import annotations

from pathlib import Path


def export_html(notebook: str | Path, html: str | Path, *, title: str | None = None, hide_code: bool = True) -> Path:
    """Write ``notebook`` as HTML to ``html``: input cells and prompts hidden when ``hide_code``,
    figures embedded, the page titled ``title`` (else the notebook's file name)."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook), as_version=4)
    exporter = HTMLExporter(
        template_name="lab",
        exclude_input=hide_code,
        exclude_input_prompt=hide_code,
        exclude_output_prompt=hide_code,
    )
    name = title or Path(notebook).stem
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
    html = Path(html)
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(body, encoding="utf-8")
    return html
