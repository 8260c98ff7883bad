"""kit.trainee: one trainee read off the cohort statistics, and the trainee report notebook."""

import nbformat
import numpy as np
import pandas as pd
import pytest

from kit import assessment, cohort, trainee
from kit.i18n import t
from kit.paths import NOTEBOOKS, ROOT, SAMPLE
from kit.pipeline import execute

NOTEBOOK = NOTEBOOKS / "reports" / "trainee-report.ipynb"


@pytest.fixture(scope="module")
def data():
    return cohort.of_trainee("S002", SAMPLE)


def test_profile_reads_the_roster_in_the_report_language(data):
    en, zh = trainee.profile(data, "S002", "en"), trainee.profile(data, "S002", "zh")
    assert en["cohort"] == "2025-A" and en["trained_on"] == "2025-03-01" and en["n"] == 24
    assert en["role"] == "agent" and zh["role"] == "客服"
    data.trainees.loc[data.trainees["trainee_id"] == "S002", "dept"] = pd.NA
    assert trainee.profile(data, "S002")["dept"] == trainee.MISSING


def test_scores_compare_the_trainee_with_the_cohort_median(data):
    table = trainee.scores(data, "S002", pass_mark=0.6)
    totals = assessment.totals(data.marks)
    post_m1 = totals[(totals["exercise_id"] == "M1-test") & (totals["phase"] == "post")]
    row = table[(table["exercise_id"] == "M1-test") & (table["phase"] == "post")].iloc[0]
    assert row["pct"] == pytest.approx(post_m1.loc[post_m1["trainee_id"] == "S002", "pct"].iloc[0])
    assert row["median"] == pytest.approx(post_m1["pct"].median()) and row["n"] == len(post_m1)
    assert (table["passed"] == (table["pct"] >= 60)).all()
    assert trainee.scores(data, "S999") is None


def test_gains_are_hakes_normalised_gain_per_module(data):
    table = trainee.gains(data, "S002")
    tests = assessment.test_scores(data.marks)
    pre, post = tests["pre"].loc["S002", "M3"], tests["post"].loc["S002", "M3"]
    assert table.loc["M3", "diff"] == pytest.approx(post - pre)
    assert table.loc["M3", "g"] == pytest.approx((post - pre) / (100 - pre))
    assert table.loc["all", "cohort_diff"] == pytest.approx((tests["post"]["all"] - tests["pre"]["all"]).mean())


def test_a_perfect_pre_test_has_no_normalised_gain():
    marks = pd.DataFrame({"trainee_id": ["S1", "S1", "S2", "S2"], "module": "M1", "exercise_id": "M1-test", "item": "Q1",
                          "attempt": 1, "score": [2.0, 2.0, 1.0, 2.0], "max_score": 2.0, "graded_by": "auto",
                          "phase": ["pre", "post", "pre", "post"]})
    data = cohort.Cohort(None, "test", pd.DataFrame({"trainee_id": ["S1", "S2"]}), marks=marks)
    assert np.isnan(trainee.gains(data, "S1").loc["M1", "g"])
    assert trainee.gains(data, "S2").loc["M1", "g"] == pytest.approx(1.0)


def test_missing_tables_give_none():
    bare = cohort.Cohort(None, "test", pd.DataFrame({"trainee_id": ["S1"]}))
    assert trainee.scores(bare, "S1") is None and trainee.gains(bare, "S1") is None
    assert trainee.ninegrid_ratings(bare, "S1") is None and trainee.behaviour(bare, "S1") is None
    assert trainee.customers(bare, "S1") is None and trainee.follow_up(bare, "S1") == []


def test_behaviour_and_follow_up(data):
    observed = trainee.behaviour(data, "S002")
    assert set(observed["wave"]) == {30, 90}
    latest = observed[(observed["wave"] == 90) & (observed["item"] != "all")]
    assert trainee.missed_at_latest(observed) == latest.loc[latest["share"] < 1, "item"].tolist()
    risk = assessment.at_risk(data.trainees, data.marks, data.observations, data.ninegrid)
    expected = risk.loc[risk["trainee_id"] == "S002", "reasons"].iloc[0].split(",")
    assert trainee.follow_up(data, "S002", lang="en") == [t(f"assessment.reason.{c}", "en") for c in expected]
    assert trainee.listed(["a", "b"], "zh") == "a、b"


def test_customers_are_the_ones_the_trainee_served(data):
    served = trainee.customers(data, "S002")
    mine = data.survey[data.survey["agent_id"] == "S002"]
    assert served.n_before + served.n_after == mine["nps"].notna().sum()


def test_the_notebook_is_committed_clean_and_runs_for_a_manager_without_customers(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert "parameters" in nb.cells[0].metadata.get("tags", [])
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    executed = execute(NOTEBOOK, tmp_path / "S001.ipynb", {"trainee_id": "S001", "lang": "zh"}, cwd=ROOT)
    shown = "\n".join(o["data"].get("text/markdown", "") for c in nbformat.read(executed, as_version=4).cells
                      for o in c.get("outputs", []) if "data" in o)
    assert "## 一览" in shown and "没有你服务过的客户的调查答卷" in shown


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """S002's report (a trainee with customers) executed and exported in both languages."""
    from kit.pipeline import export_html

    folder = tmp_path_factory.mktemp("trainee-pages")
    out = {}
    for lang in ("zh", "en"):
        executed = execute(NOTEBOOK, folder / f"S002.{lang}.ipynb",
                           {"trainee_id": "S002", "lang": lang, "today": "2026-01-05"}, cwd=ROOT)
        out[lang] = export_html(executed, folder / f"S002.{lang}.html", title=f"S002 {lang}", lang=lang)
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_first_screen_is_the_overview_and_the_next_steps(browser, pages, lang):
    """On a 1280 × 900 screen the trainee sees every part of the overview and all three next steps with dates."""
    from kit.text import load as load_text

    text = load_text("reports/trainee-report", lang)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(pages[lang].resolve().as_uri())
        assert page.locator("h2").first.inner_text().replace("¶", "").strip() == text["overview_heading"].lstrip("# ")
        rows = page.locator("table").first.inner_text()
        for part in ("scores", "gain", "ninegrid", "behaviour", "customers", "followup"):
            assert text[f"overview_part_{part}"] in rows, part
        assert ("至" if lang == "zh" else " to ") in rows
        steps = page.locator("main ol").first.locator("li")
        assert steps.count() == 3 and all("2026-" in steps.nth(i).inner_text() for i in range(3))
        last = steps.nth(2).bounding_box()
        assert last["y"] + last["height"] < 900, f"the third step ends at {last['y'] + last['height']:.0f} px"
        page.screenshot(path=str(pages[lang].with_suffix(".first-screen.png")))
    finally:
        page.close()
