"""The widget base: controls drive a pure compute; the handout gets a static snapshot instead."""

import ipywidgets as widgets
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402

from kit.pipeline.export import static_widgets  # noqa: E402
from kit.widgets import WIDGET_MIME, Interactive  # noqa: E402


class Doubler(Interactive):
    title = "Double <it>"

    def __init__(self):
        super().__init__({"n": widgets.IntSlider(value=3, description="n"),
                          "shape": widgets.Dropdown(options=[("Bars", "bar"), ("Line", "line")], value="bar")})

    def compute(self, n, shape):
        return {"n": n, "double": 2 * n, "shape": shape}

    def draw(self, result):
        fig, ax = plt.subplots()
        getattr(ax, result["shape"] if result["shape"] == "bar" else "plot")([0, 1], [result["n"], result["double"]])
        return fig


def test_moving_a_control_recomputes_the_result():
    tool = Doubler()
    assert tool.result == {"n": 3, "double": 6, "shape": "bar"}
    tool.controls["n"].value = 10
    assert tool.result["double"] == 20
    tool.controls["shape"].value = "line"
    assert tool.result["shape"] == "line"
    assert plt.get_fignums() == [], "figures are closed after drawing"


def test_static_snapshot_shows_settings_and_output_escaped():
    html = Doubler().static_html()
    assert "<h4>Double &lt;it&gt;</h4>" in html
    assert "<li>n 3</li>" in html and "Bars" in html
    assert '<img src="data:image/png;base64,' in html


def test_export_replaces_widgets_with_their_snapshot():
    bundle = Doubler()._repr_mimebundle_()
    assert WIDGET_MIME in bundle and "text/html" in bundle
    nb = nbformat.v4.new_notebook(metadata={"widgets": {"state": {}}})
    cell = nbformat.v4.new_code_cell("tool")
    cell.outputs = [nbformat.v4.new_output("display_data", data=dict(bundle)),
                    nbformat.v4.new_output("display_data", data={WIDGET_MIME: {}, "text/plain": "VBox(...)"})]
    nb.cells = [cell]
    clean = static_widgets(nb)
    assert "widgets" not in clean.metadata
    first, second = (o["data"] for o in clean.cells[0].outputs)
    assert WIDGET_MIME not in first and first["text/html"].startswith('<div class="kit-interactive">')
    assert second == {"text/plain": ""}


def test_shared_tables_are_left_aligned_and_escape_text():
    import pandas as pd

    from kit.widgets import escape, frame_table, html_table

    html = html_table(["<Step>", "Found"], [[escape("<b>Listen</b>"), "✓"]])
    assert "&lt;Step&gt;" in html and "&lt;b&gt;Listen&lt;/b&gt;" in html and "text-align:left" in html
    frame = frame_table(pd.DataFrame({"item": ["<i>x</i>"], "score": [0.123456]}))
    assert "&lt;i&gt;x&lt;/i&gt;" in frame and "0.12" in frame and "text-align: left" in frame
