"""A lesson as a no-code app: `kit app` serves it with Voilà, and a trainee in a browser sees the narrative and
live widgets, never a line of code."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from widgets_in_browser import move_a_slider

KIT = Path(sys.executable).with_name("kit")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lesson_app(tmp_path):
    port = free_port()
    log = (tmp_path / "app.log").open("w")
    server = subprocess.Popen([str(KIT), "app", "metrics", "--course-lang", "zh", "--port", str(port)],
                              stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    url = f"http://localhost:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:  # the port answers (a GET would start the lesson's kernel)
            socket.create_connection(("localhost", port), timeout=2).close()
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"kit app exited: {(tmp_path / 'app.log').read_text()[-2000:]}")
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=30)
    log.close()


@pytest.mark.slow
def test_a_lesson_app_shows_the_lesson_and_live_widgets_without_code(browser, lesson_app):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(lesson_app, timeout=120_000)
    page.wait_for_selector("text=学完本课", timeout=240_000)
    assert page.get_by_text("第 4 课", exact=False).count() >= 1
    for code in ("text.show(", "import kit", "quiz.ask(", "kit.metrics."):
        assert page.get_by_text(code, exact=False).count() == 0, code

    before, after = move_a_slider(page)  # the widgets are live: the kernel answers
    assert after != before
    assert errors == []
    page.close()
