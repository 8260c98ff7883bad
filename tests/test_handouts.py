"""Lesson handouts, built once as a trainer would (`kit handouts --out DIR`), then checked page by page in
headless Chromium: nothing from the network, the title header, the table of contents, the code the cell tags
leave visible, the index and the print stylesheet."""

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from htmlcheck import check_page

from kit.errors import KitError
from kit.pipeline import handouts

KIT = str(Path(sys.executable).with_name("kit"))
LANGS = ("zh", "en")
LESSONS = handouts.lessons()
PAGES = [(lesson, lang) for lesson in LESSONS for lang in LANGS]
HTML_LANG = {"zh": "zh-CN", "en": "en"}
HIDDEN = {"remove-cell", "remove-input", "hide-input"}

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("handouts")]


def page_id(item):
    lesson, lang = item
    return f"{lesson.stem}.{lang}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every lesson in both languages, through the command line; returns the output folder and its stdout."""
    out = tmp_path_factory.mktemp("handouts")
    result = subprocess.run([KIT, "handouts", "--out", str(out)], capture_output=True, text=True, timeout=1800,
                            cwd=out)
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result.stdout


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    yield page
    page.close()


def html_of(out: Path, lesson, lang) -> Path:
    return out / f"{lesson.stem}.{lang}.html"


def normalise(code: str) -> str:
    return " ".join(code.split())


def test_the_command_writes_every_handout_and_the_index(built):
    out, stdout = built
    for lesson, lang in PAGES:
        assert str(html_of(out, lesson, lang)) in stdout
        assert (out / "executed" / f"{lesson.stem}.{lang}.ipynb").exists()
    assert f"{out / 'index.html'}" in stdout and (out / "index.html").exists()
    assert [lesson.module for lesson in LESSONS] == ["needs", "communication", "recovery", "metrics", "standards", "capstone"]


@pytest.mark.parametrize("item", PAGES, ids=page_id)
def test_every_handout_passes_the_browser_check(built, browser, item):
    lesson, lang = item
    title = lesson.title(lang)
    text = check_page(browser, html_of(built[0], lesson, lang), headings=[title])
    assert title in text and "Traceback" not in text


def test_the_index_passes_the_browser_check(built, browser):
    text = check_page(browser, built[0] / "index.html", headings=["中文讲义", "English handouts"])
    assert "课程讲义" in text and "Lesson handouts" in text


@pytest.mark.parametrize("item", PAGES, ids=page_id)
def test_code_follows_the_cell_tags(built, page, item):
    """Exactly the lesson's untagged code cells show their code; tagged cells keep only their outputs."""
    lesson, lang = item
    nb = nbformat.read(lesson.path, as_version=4)
    visible = [normalise(c.source) for c in nb.cells
               if c.cell_type == "code" and not HIDDEN & set(c.metadata.get("tags", []))]
    assert visible, "every lesson keeps at least one worked example visible"
    page.goto(html_of(built[0], lesson, lang).as_uri())
    shown = [normalise(code) for code in page.locator(".jp-InputArea-editor").all_inner_texts()]
    assert shown == visible
    html = html_of(built[0], lesson, lang).read_text(encoding="utf-8")
    assert "personalises the numbers" not in html and "set_lang" not in html, "plumbing and parameters removed"
    assert page.locator(".jp-InputPrompt:visible").filter(has_text="In").count() == 0, "no prompts"
    assert html.count('class="kit-interactive"') >= 3 and html.count('class="kit-question"') >= 6, \
        "widgets and self-checks keep their outputs"


@pytest.mark.parametrize("item", PAGES, ids=page_id)
def test_title_header_contents_and_language(built, page, item):
    lesson, lang = item
    page.goto(html_of(built[0], lesson, lang).as_uri())
    assert page.locator("html").get_attribute("lang") == HTML_LANG[lang]
    assert page.locator(".kit-title").inner_text() == lesson.title(lang)
    assert lesson.code in page.locator(".kit-subtitle").inner_text()
    assert page.locator(".kit-titlepage time").get_attribute("datetime") == dt.date.today().isoformat()
    links = page.locator("nav.kit-toc a")
    assert links.count() >= 10 and page.locator("nav.kit-toc").is_visible()
    targets = page.evaluate("""() => [...document.querySelectorAll('nav.kit-toc a')].map(a => {
        const target = document.getElementById(a.getAttribute('href').slice(1));
        return target ? target.tagName : null; })""")
    assert all(tag in ("H1", "H2", "H3") for tag in targets), targets
    headings = page.evaluate("document.querySelectorAll('main h2').length")
    assert sum(tag == "H2" for tag in targets) == headings, "every section is in the contents"
    links.nth(3).click()
    assert page.evaluate("window.scrollY") > 0 and page.evaluate("location.hash") == links.nth(3).get_attribute("href")


def test_index_links_every_handout_and_the_links_resolve(built, page):
    out = built[0]
    page.goto((out / "index.html").as_uri())
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    for lang in LANGS:
        section = page.locator(f'section.kit-handouts[lang="{HTML_LANG[lang]}"]')
        hrefs = [a.get_attribute("href") for a in section.locator("a").all()]
        assert hrefs == [f"{lesson.stem}.{lang}.html" for lesson in LESSONS]
        titles = section.locator("a").all_inner_texts()
        assert titles == [lesson.title(lang) for lesson in LESSONS]
        assert all((out / href).is_file() for href in hrefs)
    page.locator('section.kit-handouts[lang="en"] a').first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"{LESSONS[0].stem}.en.html")
    assert page.locator(".kit-title").inner_text() == LESSONS[0].title("en")


def test_no_page_loads_anything_from_the_network(built):
    pages = sorted(built[0].glob("*.html"))
    assert len(pages) == len(PAGES) + 1
    for path in pages:
        html = path.read_text(encoding="utf-8")
        tags = re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*>", html, re.I)
        urls = [url for tag in tags for url in re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']*)""", tag, re.I)]
        external = [url[:80] for url in urls if not url.startswith("data:") and
                    (re.match(r"(https?:)?//", url, re.I) or "cdn" in url.lower())]
        assert external == [], f"{path.name}: {external}"
        assert not re.search(r"<script[^>]*\ssrc=", html, re.I), path.name
        assert "require.js" not in html and "MathJax" not in html, path.name


def test_print_stylesheet_hides_the_contents_and_breaks_sections(built, page):
    lesson = LESSONS[3]
    page.goto(html_of(built[0], lesson, "zh").as_uri())
    rules = page.evaluate("""() => [...document.styleSheets].flatMap(s => [...s.cssRules])
        .filter(r => r instanceof CSSPageRule).map(r => r.cssText)""")
    assert any("size: a4" in rule.lower() for rule in rules), rules
    page.emulate_media(media="print")
    assert not page.locator("nav.kit-toc").is_visible()
    assert page.locator(".kit-titlepage").is_visible()
    style = page.evaluate("""() => { const h2 = document.querySelector('main h2'), img = document.querySelector('main img');
        return [getComputedStyle(h2).breakBefore, getComputedStyle(img).breakInside]; }""")
    assert style == ["page", "avoid"]
    page.pdf(path=str(built[0] / f"{lesson.stem}.zh.pdf"), format="A4")  # renders in print layout without error
    assert (built[0] / f"{lesson.stem}.zh.pdf").stat().st_size > 10_000


@pytest.mark.parametrize("args, words", [
    (["--module", "pricing"], "no lesson for module 'pricing'"),
    (["--lang", "fr"], "The language 'fr' is not supported"),
])
def test_bad_options_are_one_paragraph_and_exit_2(tmp_path, args, words):
    result = subprocess.run([KIT, "--lang", "en", "handouts", "--out", str(tmp_path), *args], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir()), "nothing built"


def test_modules_are_named_by_folder_code_or_file():
    assert [lesson.module for lesson in handouts.select(["M4", "needs", "02-communication", "3"])] == \
        ["needs", "communication", "recovery", "metrics"]
    assert handouts.select(None) == LESSONS
    with pytest.raises(KitError) as error:
        handouts.select(["M9"])
    assert "needs (M1, 01-needs)" in error.value.render("en")


def test_a_failing_lesson_is_a_clear_error(tmp_path, monkeypatch):
    nbf = nbformat.v4
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    nb = nbf.new_notebook(cells=[nbf.new_code_cell('lang = "zh"', metadata={"tags": ["parameters"]}),
                                 nbf.new_code_cell("1 / 0")],
                          metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, lessons / "01-needs.ipynb")
    monkeypatch.setattr(handouts, "LESSONS", lessons)
    with pytest.raises(KitError) as error:
        handouts.build(tmp_path / "out", langs=["en"], workers=1, progress=False)
    message = error.value.render("en")
    assert error.value.code == "handout_failed" and "01-needs (en)" in message and "ZeroDivisionError" in message
    assert str(tmp_path / "out" / "executed" / "01-needs.en.ipynb") in message
    assert error.value.render("zh").startswith("课程 01-needs（en）的讲义生成失败：ZeroDivisionError")
    assert not (tmp_path / "out" / "index.html").exists()
