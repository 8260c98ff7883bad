"""End to end as a trainee: JupyterLab on a loopback port in headless Chromium — each lesson workbook opened cold
(title and first paragraph on screen, no code before them), and a lesson run until a slider changes its output."""

import contextlib
import re
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from widgets_in_browser import move_a_slider

from kit import lab as jupyterlab_settings
from kit import workbooks
from kit.paths import BUILD

LESSON = workbooks.folder("en", "lessons") / "04-metrics.ipynb"
SCREENSHOTS = BUILD / "screenshots" / "lab"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(tmp_path: Path, lang: str, folder: Path = LESSON.parent, page: str = LESSON.name):
    """JupyterLab as `kit lab` starts it for ``lang``, serving a copy of ``folder`` (so autosave never touches
    the committed notebooks) on a loopback port; yields a function from a notebook's path in ``folder`` to its
    URL."""
    root = tmp_path / "lab"
    shutil.copytree(folder, root)
    port, token = free_port(), secrets.token_hex(16)
    settings = jupyterlab_settings.write_settings(tmp_path / "settings", lang)
    command, env = jupyterlab_settings.command(root, settings, "--no-browser", "--ServerApp.ip=127.0.0.1",
                                               f"--ServerApp.port={port}", f"--IdentityProvider.token={token}")
    env = {**env, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws")}
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited: {(tmp_path / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.5)
    try:
        # each notebook in a workspace of its own, so no tab restored from an earlier page covers it
        yield lambda name=page: f"{base}/lab/workspaces/{Path(name).stem}/tree/{name}?token={token}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a server still shutting its kernels down after 30 s is stopped
            server.kill()
            server.wait()
        log.close()


@pytest.fixture
def jupyterlab(tmp_path):
    with serve(tmp_path, "en") as url:
        yield url()


def test_a_chinese_course_gets_a_chinese_jupyterlab_without_the_news_prompt(browser, tmp_path):
    with serve(tmp_path, "zh") as url:
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.goto(url())
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
        menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
        assert {"文件", "编辑", "运行"} <= set(menus), menus
        page.wait_for_timeout(3_000)  # the news prompt shows a moment after start when it is on
        assert page.get_by_text("Jupyter news", exact=False).count() == 0
        assert page.get_by_text("Jupyter 新闻", exact=False).count() == 0
        page.screenshot(path=str(tmp_path / "lab-zh.png"))
        page.close()


def test_a_slider_in_a_running_lesson_changes_its_output(browser, jupyterlab):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(jupyterlab)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    with contextlib.suppress(PlaywrightTimeout):  # JupyterLab may ask which kernel to start
        page.get_by_role("button", name="Select", exact=True).click(timeout=15_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()

    before, after = move_a_slider(page)
    assert after != before
    assert errors == []
    page.close()


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_lesson_opened_cold_shows_its_title_and_first_paragraph_before_any_code(browser, tmp_path, lang):
    """Opened as a trainee opens it — nothing run — every workbook shows its title and the paragraph after it on
    the first screen, with no code cell above them (screenshots in build/screenshots/lab/)."""
    import nbformat

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with serve(tmp_path, lang, folder=workbooks.folder(lang, "lessons").parent) as url:
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        for path in sorted(workbooks.folder(lang, "lessons").glob("*.ipynb")):
            cells = nbformat.read(path, as_version=4).cells
            title, paragraph = cells[0].source.lstrip("# ").splitlines()[0], cells[1].source.splitlines()[0]
            page.goto(url(f"lessons/{path.name}"))
            notebook = page.locator(".jp-NotebookPanel .jp-Notebook")
            notebook.locator(".jp-MarkdownCell h1").first.wait_for(timeout=120_000)
            heading = notebook.locator(".jp-MarkdownCell h1").first
            assert heading.inner_text().strip().rstrip("¶").strip() == title
            first_cells = notebook.locator(".jp-Cell")
            assert "jp-MarkdownCell" in first_cells.nth(0).get_attribute("class")
            assert "jp-MarkdownCell" in first_cells.nth(1).get_attribute("class")
            second = first_cells.nth(1).locator(".jp-RenderedMarkdown")
            words = re.sub(r"[*`#▶]", "", paragraph).split()[0]
            expect(second).to_contain_text(words, timeout=30_000)  # rendered, not only attached
            for cell in (heading, second):
                box = cell.bounding_box()
                assert box is not None and 0 <= box["y"] < 900, (path.name, box)
            page.screenshot(path=str(SCREENSHOTS / f"{path.stem}.{lang}.png"))
        page.close()
