"""The cohort report notebook: runs headless in both languages on the sample data, shows the numbers
kit.assessment computes, every section, no trainee name when anonymised, no user text as markup, and
"no data" notes instead of failures when tables are missing."""

import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from kit import assessment as A
from kit import cohort as cohorts
from kit.paths import COURSE, ROOT, SAMPLE
from kit.pipeline import execute, export_html

NOTEBOOK = ROOT / "notebooks" / "reports" / "cohort-report.ipynb"
SECTIONS = ("summary_heading", "roster_heading", "scores_heading", "pass_heading", "items_heading", "reliability_heading", "gain_heading",
            "kirkpatrick_heading", "reaction_heading", "learning_heading", "behaviour_heading", "results_heading",
            "ninegrid_heading", "risk_heading", "recommend_heading", "appendix_heading")
pytestmark = pytest.mark.xdist_group("cohort_report")


def headings(lang: str) -> list[str]:
    text = yaml.safe_load((COURSE / "reports" / f"cohort-report.{lang}.yml").read_text(encoding="utf-8"))
    return [text[k].lstrip("#").strip() for k in SECTIONS]


def outputs(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(v for c in nb.cells for o in c.get("outputs", []) if "data" in o
                     for k, v in o["data"].items() if k in ("text/markdown", "text/html"))


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("cohort_report")
    made = {}
    for lang in ("zh", "en"):
        executed = execute(NOTEBOOK, out / f"{lang}.ipynb", {"lang": lang}, cwd=ROOT)
        made[lang] = (executed, export_html(executed, out / f"{lang}.html", title=f"cohort {lang}"))
    return made


@pytest.fixture(scope="module")
def cohort():
    return cohorts.load("2025-A", SAMPLE)


def test_committed_without_outputs_and_parameters_first():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert "parameters" in nb.cells[0].metadata.get("tags", [])
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
    for name in ("cohort", "lang", "data_dir", "gradebook", "anonymize", "pass_mark"):
        assert re.search(rf"^{name} = ", nb.cells[0].source, re.M), name


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_section_and_the_key_numbers(reports, cohort, lang):
    executed, html_path = reports[lang]
    shown = outputs(executed)
    page = html_path.read_text(encoding="utf-8")
    for heading in headings(lang):
        assert heading in page, heading
    gain = A.gain_table(cohort.marks).loc["all"]
    assert f"{gain['diff']:+.1f}" in shown and f"{gain['pre_mean']:.1f}" in shown
    k = A.kirkpatrick(cohort.trainees, cohort.marks, cohort.reaction, cohort.observations, cohort.survey)
    assert f"{k.reaction.overall:.2f}" in shown
    assert f"{k.results.nps_diff:+.1f}" in shown
    assert f"{k.agreement.kappa:.2f}" in shown
    alphas = A.reliability(cohort.marks)
    assert all(f"{a:.2f}" in shown for a in alphas["alpha"])
    grid = A.ninegrid_summary(cohort.ninegrid)
    from kit.ninegrid import ability_name

    assert ability_name(grid.weakest[0], lang) in shown
    assert len(A.at_risk(cohort.trainees, cohort.marks, cohort.observations, cohort.ninegrid)) and "S0" in shown


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_anonymised_report_shows_no_trainee_name(reports, lang):
    page = reports[lang][1].read_text(encoding="utf-8")
    roster = cohorts.load(None, SAMPLE).trainees
    leaked = [n for n in roster["name"].dropna() if n in page]
    assert leaked == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_reads_in_the_readers_language(browser, reports, lang):
    """No code on the page: no nan/None/True/False, snake_case names, literal Markdown, "p = 0.000" or
    "(-0.2"; the data folder's path never shown, source tags only in the sources appendix."""
    from htmlcheck import check_page, reader_problems

    text = check_page(browser, reports[lang][1], headings=headings(lang))
    problems = reader_problems(text, ("survey_responses",))  # survey_responses.csv: the user's own file name
    assert problems == [], "\n".join(problems)
    assert str(SAMPLE) not in text
    body, appendix = text.split(yaml.safe_load((COURSE / "reports" / f"cohort-report.{lang}.yml").read_text(encoding="utf-8"))["sources"].split("\n")[0].lstrip("# "), 1)
    assert not re.search(r"\[00\d\]|［00\d］", body) and "[000]" in appendix and "[001]" in appendix


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_first_screen_is_the_summary(browser, reports, lang):
    """On a 1280 × 900 screen a trainer sees the four levels with intervals and what they are based on, the
    findings, and the actions begin."""
    from kit.text import load as load_text

    text = load_text("reports/cohort-report", lang)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(reports[lang][1].resolve().as_uri())
        assert page.locator("h2").first.inner_text().replace("¶", "").strip() == text["summary_heading"].lstrip("# ")
        rows = page.locator("table").first.inner_text()
        for key in ("reaction", "learning", "behaviour", "results", "risk"):
            assert text[f"summary_metric_{key}"] in rows, key
        assert ("至" if lang == "zh" else " to ") in rows and "p < 0.001" in rows
        actions = page.get_by_text(text["summary_actions"].split("**")[1], exact=True).bounding_box()
        assert actions["y"] < 900, f"the actions start at {actions['y']:.0f} px, below the first screen"
        page.screenshot(path=str(reports[lang][1].with_suffix(".first-screen.png")))
    finally:
        page.close()


def test_counts_are_people_and_quiz_items_are_one_finding(reports, cohort):
    """Level 3 is based on the trainees observed (not the observations); the flagged items are one finding; a
    trainee listed for a missing post-test is told which module."""
    shown = outputs(reports["zh"][0])
    k = A.kirkpatrick(cohort.trainees, cohort.marks, cohort.reaction, cohort.observations, cohort.survey)
    level3 = k.summary[k.summary["level"] == "L3"].iloc[-1]
    people = cohort.observations["trainee_id"].nunique()
    assert level3["n"] == people < level3["observations"]
    assert A.basis(people, observations=level3["observations"], lang="zh") in shown
    assert shown.count("需要复核（") == 2  # once in the summary, once among all findings
    risk = A.at_risk(cohort.trainees, cohort.marks, cohort.observations, cohort.ninegrid)
    lacking = risk[risk["no_post_test"]]
    for modules in lacking["missing_post"]:
        assert f"缺少 {modules} 后测" in shown


def test_names_shown_when_not_anonymised_and_hostile_text_inert(tmp_path, browser):
    from htmlcheck import HOSTILE, assert_inert

    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    roster = (data / "trainees.csv").read_text(encoding="utf-8").splitlines()
    header = roster[0].split(",")
    first = roster[1].split(",")
    first[header.index("name")] = HOSTILE[0]
    roster[1] = ",".join(first)
    (data / "trainees.csv").write_text("\n".join(roster) + "\n", encoding="utf-8")
    reaction = (data / "reaction.csv").read_text(encoding="utf-8").splitlines()
    head = reaction[0].split(",")
    row = reaction[1].split(",")
    row[head.index("best")] = HOSTILE[1]
    reaction[1] = ",".join(row)
    (data / "reaction.csv").write_text("\n".join(reaction) + "\n", encoding="utf-8")
    executed = execute(NOTEBOOK, tmp_path / "named.ipynb", {"data_dir": str(data), "anonymize": False, "cohort": None}, cwd=ROOT)
    page = export_html(executed, tmp_path / "named.html", title="named")
    html = page.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&amp;lt;script" in html
    assert_inert(browser, page)


def test_missing_tables_give_no_data_notes(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(SAMPLE / "trainees.csv", data / "trainees.csv")
    executed = execute(NOTEBOOK, tmp_path / "bare.ipynb", {"data_dir": str(data), "lang": "zh"}, cwd=ROOT)
    shown = outputs(executed)
    text = yaml.safe_load((COURSE / "reports" / "cohort-report.zh.yml").read_text(encoding="utf-8"))
    assert shown.count(text["no_data"].split("{")[0]) >= 5
