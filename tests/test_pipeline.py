"""Headless execution: kernels are shut down, and a missed socket wakeup costs a slice, not a timeout."""

import asyncio
import re
import tempfile
import time
from queue import Empty

import nbformat
import psutil
import pytest
from papermill.exceptions import PapermillExecutionError

from kit.pipeline import execute
from kit.pipeline import kernel as kernel_module
from kit.pipeline.kernel import SlicedChannel


def kernels() -> set[int]:
    me = psutil.Process()
    return {p.pid for p in me.children(recursive=True) if "ipykernel" in " ".join(p.cmdline())}


def notebook(tmp_path, source: str):
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell(source)]
    path = tmp_path / "in.ipynb"
    nbformat.write(nb, path)
    return path


def test_kernels_are_shut_down_after_success_and_failure(tmp_path):
    before = kernels()
    out = execute(notebook(tmp_path, "print(x * 2)"), tmp_path / "ok.ipynb", {"x": 21})
    assert nbformat.read(out, as_version=4).cells[-1].outputs[0]["text"] == "42\n"
    with pytest.raises(PapermillExecutionError):
        execute(notebook(tmp_path, "1 / 0"), tmp_path / "bad.ipynb")
    time.sleep(0.5)
    assert kernels() == before


class QueuedButSilent(SlicedChannel):
    """A channel whose message is queued but whose first wait is never woken (the upstream bug)."""

    def __init__(self):  # no socket: get_msg is faked below
        self.waits = []

    async def _raw_get_msg(self, timeout):
        self.waits.append(timeout)
        await asyncio.sleep(timeout)
        if len(self.waits) == 1:
            raise Empty  # the wakeup was missed and the wait ran out
        return {"msg_type": "execute_reply"}


@pytest.fixture
def silent(monkeypatch):
    channel = QueuedButSilent()
    monkeypatch.setattr(kernel_module.AsyncZMQSocketChannel, "get_msg",
                        lambda self, timeout=None: self._raw_get_msg(timeout))
    monkeypatch.setattr(kernel_module, "SLICE", 0.05)
    return channel


def test_a_missed_wakeup_costs_one_slice_not_the_whole_timeout(silent):
    start = time.monotonic()
    message = run_in_thread(silent.get_msg(timeout=600))
    assert message == {"msg_type": "execute_reply"}
    assert time.monotonic() - start < 1 and silent.waits == [0.05, 0.05]



def run_in_thread(coroutine):
    """``asyncio.run`` in a thread of its own: the session's Playwright browser keeps a loop running in this one."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_a_real_timeout_still_raises_empty(monkeypatch):
    monkeypatch.setattr(kernel_module, "SLICE", 0.05)

    async def never(self, timeout=None):
        await asyncio.sleep(timeout)
        raise Empty

    monkeypatch.setattr(kernel_module.AsyncZMQSocketChannel, "get_msg", never)
    start = time.monotonic()
    with pytest.raises(Empty):
        run_in_thread(SlicedChannel.__new__(SlicedChannel).get_msg(timeout=0.2))
    assert 0.19 < time.monotonic() - start < 0.6


# --- export_html: the kit's template -------------------------------------------------------------------

PROMPT = re.compile(r'InputArea-prompt">\s*In')


def tagged_notebook(lang_text="Satisfaction is the gap between experience and expectation."):
    """Cells with every handout tag; outputs stand in for executed ones (no kernel needed)."""
    nbf = nbformat.v4

    def code(source, text, tags=()):
        return nbf.new_code_cell(source, metadata={"tags": list(tags)}, execution_count=1,
                                 outputs=[nbf.new_output("stream", name="stdout", text=text)])

    return nbf.new_notebook(cells=[
        nbf.new_markdown_cell(f"# Lesson title\n\n{lang_text}\n\n## Part A\n\ntext\n\n### Detail"),
        code("SETUP_CELL = 1", "setup output\n", ["remove-cell"]),
        code("HIDDEN_INPUT = 2", "kept output\n", ["remove-input"]),
        code("HIDE_INPUT = 3", "kept too\n", ["hide-input"]),
        code("VISIBLE_NO_OUTPUT = 4", "dropped output\n", ["remove-output"]),
        code("VISIBLE_CODE = 5", "plain output\n"),
        nbf.new_markdown_cell("## Part A\n\nthe same heading twice"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def test_export_follows_the_jupyter_book_cell_tags(tmp_path):
    from kit.pipeline import export_html

    page = export_html(tagged_notebook(), tmp_path / "tags.html", hide_code="tags").read_text(encoding="utf-8")
    for absent in ("SETUP_CELL", "setup output", "HIDDEN_INPUT", "HIDE_INPUT", "dropped output"):
        assert absent not in page, absent
    for present in ("kept output", "kept too", "VISIBLE_NO_OUTPUT", "VISIBLE_CODE", "plain output"):
        assert present in page, present
    assert not PROMPT.search(page), "no prompts in a handout"


def test_hide_code_true_hides_every_input_and_false_keeps_untagged_code(tmp_path):
    from kit.pipeline import export_html

    report = export_html(tagged_notebook(), tmp_path / "report.html").read_text(encoding="utf-8")
    assert "VISIBLE_CODE" not in report and "plain output" in report and "setup output" not in report
    full = export_html(tagged_notebook(), tmp_path / "full.html", hide_code=False).read_text(encoding="utf-8")
    assert "VISIBLE_CODE" in full and "HIDDEN_INPUT" not in full and PROMPT.search(full)
    with pytest.raises(ValueError, match="hide_code"):
        export_html(tagged_notebook(), tmp_path / "x.html", hide_code="some")


def test_page_loads_nothing_from_the_network_and_has_a_title_header(tmp_path):
    from kit.pipeline import export_html

    page = export_html(tagged_notebook(), tmp_path / "p.html", title="Cohort <A> report", subtitle="Cohort 2025-03",
                       date="2025-06-30", lang="en").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\ssrc=", page), "no external script"
    assert not re.search(r"<link[^>]*href=[\"']?(https?:)?//", page), "no external stylesheet"
    assert "require.js" not in page and "mathjax" not in page.lower() and "cdn" not in " ".join(re.findall(r"<(?:script|link)[^>]*>", page))
    assert '<html lang="en">' in page
    assert "<title>Cohort &lt;A&gt; report</title>" in page and '<p class="kit-title">Cohort &lt;A&gt; report</p>' in page
    assert '<p class="kit-subtitle">Cohort 2025-03</p>' in page and '<time datetime="2025-06-30">' in page
    assert "Noto Sans CJK SC" in page and "@media print" in page and "size: A4" in page


def test_table_of_contents_links_unique_heading_ids(tmp_path):
    from kit.pipeline import export_html

    page = export_html(tagged_notebook(), tmp_path / "toc.html").read_text(encoding="utf-8")
    nav = re.search(r'<nav class="kit-toc".*?</nav>', page, re.S).group(0)
    links = re.findall(r'href="#([^"]+)"', nav)
    ids = re.findall(r'<h[1-3][^>]*\sid="([^"]+)"', page)
    assert len(links) == 4 and links == ids and len(set(ids)) == 4, (links, ids)
    assert [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<a href=\"#[^\"]+\">(.*?)</a>", nav)] == \
        ["Lesson title", "Part A", "Detail", "Part A"]
    bare = export_html(tagged_notebook(), tmp_path / "bare.html", toc=False).read_text(encoding="utf-8")
    assert "kit-toc" not in bare.split("</style>")[-1]


def test_page_language_is_the_injected_parameter_else_the_text(tmp_path):
    from kit.pipeline import export_html

    chinese = tagged_notebook("满意度是客户体验与期望之间的差距，本课先从期望入手，再谈需求分层与排序。")
    assert '<html lang="zh-CN">' in export_html(chinese, tmp_path / "zh.html").read_text(encoding="utf-8")
    english = tagged_notebook()
    assert '<html lang="en">' in export_html(english, tmp_path / "en.html").read_text(encoding="utf-8")
    english.metadata["papermill"] = {"parameters": {"lang": "zh"}}
    page = export_html(english, tmp_path / "param.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "目录" in page


def test_kernels_of_parallel_runs_get_sockets_of_their_own():
    """IPC sockets with a unique name each: two kernels started at once by two workers cannot cross-talk
    (with TCP or a shared socket name they raced for the same port and rejected each other's signatures)."""
    first, second = kernel_module.kernel_manager("python3"), kernel_module.kernel_manager("python3")
    assert first.transport == second.transport == "ipc"
    assert first.ip != second.ip and first.ip.startswith(tempfile.gettempdir())


def test_report_tables_read_as_text_on_the_left_and_numbers_on_the_right(tmp_path, browser):
    """A complaint table as the CX report shows one: free text left-aligned and wrapping, pseudonyms and channel
    names on one line, numbers and intervals right-aligned under a right-aligned header; a folded table opens
    for printing."""
    import pandas as pd

    from kit.pipeline import export_html
    from kit.tables import collapsible, headed

    frame = pd.DataFrame({
        "客户": ["C-4d8a13017d", "C-90b2ff71c3"],
        "渠道": ["电话", "在线"],
        "投诉内容": ["上周三打了三次电话都没人接，第二天再打才有人回复，说要等三到五个工作日才能处理退款。", "已解决"],
        "首次回复（小时）": ["0.5", "12.0"],
        "NPS（95% 区间）": ["−26 至 +4", "+12 至 +30"],
    })
    html = headed(frame).to_html()
    nbf = nbformat.v4
    nb = nbf.new_notebook(cells=[nbf.new_code_cell("table", execution_count=1, outputs=[
        nbf.new_output("display_data", data={"text/html": html, "text/plain": "table"}),
        nbf.new_output("display_data", data={"text/html": collapsible(headed(frame), "全部 2 条投诉").data,
                                             "text/plain": "folded"})])])
    page = browser.new_page(viewport={"width": 900, "height": 900})
    page.goto((export_html(nb, tmp_path / "t.html", title="t", lang="zh")).as_uri())
    cells = page.locator("table").first.locator("tbody tr").first.locator("td")
    align = [cells.nth(i).evaluate("c => getComputedStyle(c).textAlign") for i in range(5)]
    assert align == ["left", "left", "left", "right", "right"], align
    heights = [cells.nth(i).bounding_box()["height"] for i in range(5)]
    line = page.locator("table").first.locator("tbody tr").nth(1).locator("td").first.bounding_box()["height"]
    assert heights[2] > 1.5 * line, "long text wraps"
    assert heights[0] == heights[2] or cells.nth(0).evaluate("c => getComputedStyle(c).whiteSpace") == "nowrap"
    header = page.locator("table").first.locator("thead th")
    assert header.nth(header.count() - 1).evaluate("c => getComputedStyle(c).textAlign") == "right"
    folded = page.locator("details.kit-more table")
    assert not folded.is_visible()
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert folded.is_visible(), "a folded table prints in full"
    page.close()
