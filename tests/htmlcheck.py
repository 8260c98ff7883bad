"""The browser check every generated HTML page goes through: open it in headless Chromium, screenshot it,
and assert that nothing failed and the main headings are visible.

Use with the session ``browser`` fixture of conftest.py::

    from htmlcheck import check_page
    text = check_page(browser, html_path, headings=["1. Roster", "2. Scores"])
"""

from __future__ import annotations

import re
from pathlib import Path

HOSTILE = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")
"""Text that must show as text in every page built from user data, and never run."""


def check_page(browser, path: str | Path, *, headings=(), screenshot: str | Path | None = None,
               viewport=(1280, 900)) -> str:
    """Open ``path`` in ``browser``; fail on any console error, page error, dialog (an ``alert`` that ran),
    failed or external request, or a heading in ``headings`` not visible as an ``h1``–``h3``.
    Saves a full-page screenshot (next to the page unless ``screenshot`` names a file); returns the
    page's visible text."""
    path = Path(path)
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    console, errors, dialogs, requests = [], [], [], []
    page.on("console", lambda m: m.type == "error" and console.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: not r.url.startswith(("file:", "data:", "about:", "blob:")) and requests.append(r.url))
    page.on("requestfailed", lambda r: requests.append(f"failed: {r.url}"))
    try:
        page.goto(path.resolve().as_uri())
        page.wait_for_load_state("load")
        shown = set(page.locator("h1, h2, h3").all_inner_texts())
        for heading in headings:
            match = page.locator("h1, h2, h3").filter(has_text=heading).first
            assert match.count() and match.is_visible(), f"heading {heading!r} not visible in {path.name}; headings: {sorted(shown)}"
        page.screenshot(path=str(screenshot or path.with_suffix(".png")), full_page=True)
        text = page.inner_text("body")
    finally:
        page.close()
    assert not console, f"console errors in {path.name}: {console}"
    assert not errors, f"page errors in {path.name}: {errors}"
    assert not dialogs, f"a script ran in {path.name}: {dialogs}"
    assert not requests, f"{path.name} made requests outside the page: {requests}"
    return text


def assert_inert(browser, path: str | Path, texts=HOSTILE) -> None:
    """Every string in ``texts`` appears in ``path`` as visible text, and none of it became markup."""
    text = check_page(browser, path)
    for hostile in texts:
        assert hostile in text, f"{hostile!r} not shown as text in {Path(path).name}"
    page = browser.new_page()
    try:
        page.goto(Path(path).resolve().as_uri())
        assert page.locator("img[src=x], img[onerror]").count() == 0, "an injected <img> became markup"
        assert page.evaluate("[...document.scripts].every(s => !s.textContent.includes('alert(1)'))"), "an injected script"
    finally:
        page.close()


CODE_WORDS = re.compile(r"\b(?:nan|NaN|None|True|False|NaT|inf)\b|\*\*|\b[a-z]+_[a-z0-9_]+\b|p = 0\.000\b|\d(?:\.\d+)?e-\d\d|"
                        r"\(-\d")
"""What a reader must never see on a report page: nan/None/booleans, literal Markdown, code names
(snake_case), "p = 0.000", 4.4e-07 and "(-26" (an interval or number written for a program)."""


def reader_problems(text: str, allowed=()) -> list[str]:
    """Every place in a page's visible ``text`` (from :func:`check_page`) that shows code, not words, with a
    little context; ``allowed`` lists exact matches that may stay (a file name the user gave, say)."""
    found = []
    for match in CODE_WORDS.finditer(text):
        if match.group() not in allowed:
            found.append(text[max(0, match.start() - 30):match.end() + 30].replace("\n", " ⏎ "))
    return found
