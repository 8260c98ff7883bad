"""The CX report notebook, run headless with papermill on the sample data and on a messy export, exported to
HTML and checked in a browser: key numbers, every section, privacy by default and inert user text."""

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from htmlcheck import HOSTILE, assert_inert, check_page, reader_problems

from kit import metrics, recovery, weights
from kit.data import io
from kit.paths import NOTEBOOKS, ROOT, SAMPLE
from kit.pipeline import execute, export_html
from kit.plots import column_label
from kit.text import load as load_text

REPORT = NOTEBOOKS / "reports" / "cx-report.ipynb"
TRICKS = ("**bold**", "[link](javascript:alert(1))", "</table>")
PLANTED_PHONES = ("139-1234-5678", "+86 138 0013 8000", "021-6234 5678")
PLANTED_EMAILS = ("zhang.san+vip@example.com", "li_si@corp.example.cn")

pytestmark = pytest.mark.xdist_group("cx_report")


def outputs(path: Path) -> tuple[str, list[str]]:
    nb = nbformat.read(path, as_version=4)
    shown = [o for c in nb.cells for o in c.get("outputs", [])]
    errors = [o.get("ename", "") for o in shown if o.output_type == "error"]
    return "\n".join(o.get("data", {}).get("text/markdown", "") for o in shown), errors


def headings(lang: str) -> list[str]:
    """The report's h2 headings in order: the summary, the sections, the appendices."""
    text = load_text("reports/cx-report", lang)
    return [v.lstrip("# ") for k, v in text.items() if k.endswith("_heading")] + [text["sources"].split("\n")[0][3:]]


def run(tmp: Path, name: str, title: str, **parameters) -> tuple[str, str, Path]:
    executed = execute(REPORT, tmp / f"{name}.ipynb", parameters, cwd=ROOT)
    markdown, errors = outputs(executed)
    assert errors == []
    html = export_html(executed, tmp / f"{name}.html", title=title)
    return markdown, html.read_text(encoding="utf-8"), html


@pytest.fixture(scope="module")
def sample_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cx_sample")
    return {lang: run(tmp, lang, "CX report", lang=lang) for lang in ("en", "zh")}


def _messy_export(tmp: Path) -> dict:
    """A trainer-style export: Chinese headers, GB18030 survey, Excel complaints, odd headers fixed by a
    mapping file, cells io must clean, extra columns, missing complaint columns, planted PII and hostile text."""
    survey, _ = io.load(SAMPLE / "survey_responses.csv", "survey_responses")
    survey = survey.head(1500).copy()
    latest = survey[survey["nps"] <= 6].nlargest(8, "submitted_at").index
    planted = [f"{HOSTILE[0]} 请回电 {PLANTED_PHONES[0]}", f"{TRICKS[0]} {TRICKS[1]} 邮件 {PLANTED_EMAILS[0]}",
               f"{HOSTILE[1]} {TRICKS[2]} 座机 {PLANTED_PHONES[2]}"]
    survey.loc[latest[:3], "comment"] = planted
    path = io.save(survey, tmp / "满意度调查导出.csv", "survey_responses", lang="zh", encoding="gb18030")
    table = pd.read_csv(path, encoding="gb18030", dtype=str, keep_default_na=False)
    table = table.rename(columns={"推荐意愿": "Q1 您向朋友推荐我们的可能性", "问卷编号": "答卷ID"})
    table["内部备注"] = "导出批次 7"  # an extra column
    table.loc[0, "Q1 您向朋友推荐我们的可能性"] += "分"  # a unit io strips
    table.loc[1, "满意度"] = "N/A"  # a missing marker
    table.loc[2, "提交时间"] = "2025年1月1日 10时54分"  # a Chinese date
    table.loc[3, "服务渠道"] = " 电话 "  # spaces and a label
    shares = {c: 1 / survey["channel"].nunique() for c in survey["channel"].unique()}  # channels equally large
    table["权重"] = weights.rake(survey, {"channel": shares}).round(6).astype(str).to_numpy()
    table.to_csv(path, index=False, encoding="gb18030")

    tickets, _ = io.load(SAMPLE / "tickets.csv", "tickets")
    tickets = tickets.head(400).drop(columns=["failure_type", "post_nps", "churned_90d", "verified_at"])
    late = recovery.sla_breaches(tickets, "reply_24h").index[:5]
    tickets.loc[late, "complaint_text"] = [f"{HOSTILE[1]} 联系 {PLANTED_PHONES[1]} 或 {PLANTED_EMAILS[1]}",
                                           f"{HOSTILE[0]} {TRICKS[2]}", f"{TRICKS[1]}", "客服说话很冲，还挂了我电话。",
                                           f"{TRICKS[0]}"]
    tickets.loc[tickets.index[:120], "root_cause"] = HOSTILE[0]
    tickets.loc[tickets.index[120:200], "root_cause"] = f"{TRICKS[1]} {TRICKS[0]} {TRICKS[2]}"
    tickets.loc[tickets.index[:50], "category"] = HOSTILE[1]
    xlsx = io.save(tickets, tmp / "投诉台账.xlsx", "tickets", lang="zh")
    book = pd.read_excel(xlsx, dtype=object).rename(columns={"工单号": "工单 No."})
    book.insert(3, "坐席备注", "无")
    book.to_excel(xlsx, index=False)

    mapping = tmp / "表头映射.yml"
    mapping.write_text("survey_responses:\n  Q1 您向朋友推荐我们的可能性: nps\n  答卷ID: response_id\n"
                       "tickets:\n  工单 No.: ticket_id\n", encoding="utf-8")
    loaded = {"survey": io.load(path, "survey_responses", columns=mapping)[0],
              "tickets": io.load(xlsx, "tickets", columns=mapping, formulas="escape")[0]}
    return {"data_path": str(path), "complaints_path": str(xlsx), "mapping_path": str(mapping), **loaded}


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cx_messy")
    export = _messy_export(tmp)
    markdown, html, path = run(tmp, "messy", "客户体验报告", lang="zh", data_path=export["data_path"],
                               complaints_path=export["complaints_path"], mapping_path=export["mapping_path"],
                               kano_path=None)
    return {**export, "markdown": markdown, "html": html, "path": path}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_section_is_shown_in_order(sample_runs, lang):
    markdown, html, _ = sample_runs[lang]
    found = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html)]
    assert [h.replace("¶", "").strip() for h in found] == headings(lang)
    assert "text.show(" not in html and "import kit" not in html, "code is hidden"
    assert load_text("reports/cx-report", lang)["absent"].split("{")[0] not in markdown, "nothing skipped"


def test_key_numbers_equal_the_kit_computed_directly(sample_runs):
    markdown, _, _ = sample_runs["en"]
    survey, _ = io.load(SAMPLE / "survey_responses.csv", "survey_responses")
    tickets, _ = io.load(SAMPLE / "tickets.csv", "tickets")
    nps, csat, ces = metrics.nps(survey["nps"]), metrics.csat(survey["csat"]), metrics.ces(survey["ces"])
    assert f"**NPS {nps.value:+.0f}** (95 % interval {nps.ci[0]:+.1f} to {nps.ci[1]:+.1f}; n = {nps.n:,})" in markdown
    assert f"**CSAT {csat.value:.0f} % satisfied**" in markdown and f"mean score **{csat.mean:.2f}**" in markdown
    assert f"**Customer effort {ces.value:.2f}** / 7" in markdown
    sla = recovery.sla_compliance(tickets, ["reply_24h"]).loc["reply_24h"]
    assert f"**{sla['share']:.1%}** of complaints" in markdown and f"{sla['ci_low']:.1%}–{sla['ci_high']:.1%}" in markdown
    for column, words in (("category", "category"), ("failure_type", "failure type")):
        counts = tickets[column].value_counts()
        top, n, total = counts.index[0], int(counts.iloc[0]), int(counts.sum())
        assert counts.iloc[1] < n and f"**{top}**, {n:,} of {total:,} complaints with a" in markdown
        assert f"Most common {words}: **{top}**" in markdown and f"({n / total:.0%})" in markdown
    causes = recovery.pareto(tickets["root_cause"])
    assert f"**{int(causes['vital'].sum())}** of {len(causes)} causes" in markdown
    test = recovery.paradox_test(tickets, survey)
    assert f"**{test.diff:+.1f} NPS points**" in markdown
    complained = survey["customer_id"].isin(set(tickets["customer_id"]))
    assert f"{(~complained).sum():,} respondents without a complaint: {complained.sum():,} who" in markdown
    alerts = metrics.period_trend(survey, "nps")
    months = ", ".join(alerts.loc[alerts["alert"], "period"]).replace("-", "\\-")
    assert f"**Alert on NPS** in {months}" in markdown


def test_the_closed_loop_counts_what_the_log_records(sample_runs):
    """Verified = classified, then actioned, then verified, counted straight from the raw CSV with pandas."""
    markdown = sample_runs["en"][0].replace("\\", "")  # values are shown Markdown-escaped ("97\\.4%")
    raw = pd.read_csv(SAMPLE / "tickets.csv", dtype=str, keep_default_na=False)
    filled = raw.apply(lambda column: column.str.strip() != "")
    classified = filled["category"] | filled["failure_type"]
    actioned = classified & (filled["solution_at"] | filled["resolved_at"])
    verified = actioned & filled["verified_at"]
    assert f"**{verified.sum():,} of {len(raw):,} complaints ({verified.mean():.1%})**" in markdown
    lost = {"classified": len(raw) - classified.sum(), "actioned": classified.sum() - actioned.sum(),
            "verified": actioned.sum() - verified.sum()}
    step = max(lost, key=lambda k: lost[k] / {"classified": len(raw), "actioned": classified.sum(),
                                             "verified": actioned.sum()}[k])
    name = {"classified": "Classified", "actioned": "Actioned", "verified": "Verified"}[step]
    assert f'The loop loses most at "{name}": {lost[step]:,} of the' in markdown


def test_default_html_shows_no_customer_identifier(sample_runs):
    survey, _ = io.load(SAMPLE / "survey_responses.csv", "survey_responses")
    tickets, _ = io.load(SAMPLE / "tickets.csv", "tickets")
    for lang in ("en", "zh"):
        _, html, _ = sample_runs[lang]
        for column in ("customer_id", "customer_name", "phone", "email"):
            for value in tickets[column].dropna().unique():
                assert value not in html, (lang, column, value)
        for value in survey["customer_id"].dropna().unique():
            assert value not in html
        assert re.search(r"P-[0-9a-f]{10}", html) and re.search(r"C-[0-9a-f]{10}", html)


def test_messy_export_is_read_mapped_and_reported(messy):
    markdown, html = messy["markdown"], messy["html"]
    survey = messy["survey"]
    nps = metrics.nps(survey["nps"], weights=survey["weight"])  # the export carries survey weights
    assert nps.value != metrics.nps(survey["nps"]).value
    assert f"**NPS {nps.value:+.0f}**（95% 区间 {nps.ci[0]:+.1f} 至 {nps.ci[1]:+.1f}；n = {nps.n:,}）" in markdown
    assert f"仅权重一项就使样本相当于 {nps.n_eff:,.0f} 份答卷" in markdown
    assert "**1,500 份问卷**" in markdown and "**400 条投诉**" in markdown
    assert "表头映射" in markdown, "the mapping applied is named"
    for shown in ("Q1 您向朋友推荐我们的可能性 → 推荐意愿", "工单 No. → 工单号", "内部备注", "坐席备注", "GB18030"):
        assert shown.lower() in html.lower(), shown
    for note in (f"{survey['nps'].iloc[0]}分 → {survey['nps'].iloc[0]}", "N/A → ∅"):
        assert note in html, note
    tickets = messy["tickets"]
    sla = recovery.sla_compliance(tickets, ["reply_24h"]).loc["reply_24h"]
    assert f"**{sla['share']:.1%}** 的投诉" in markdown


def test_messy_export_skips_what_it_lacks(messy):
    text = load_text("reports/cx-report", "zh")
    markdown = messy["markdown"]
    assert text.format("absent", columns=text["table_kano_answers"]) in markdown
    lacking = "、".join(column_label("tickets", c, "zh") for c in ("post_nps", "churned_90d"))
    assert text.format("paradox_missing", columns=lacking) in markdown
    guessed = recovery.classify_failures(messy["tickets"]["complaint_text"])["type"]
    assert text.format("failure_guessed", k=int(guessed.notna().sum()), n=len(guessed)) in markdown
    assert "最常见的失误类型" not in markdown, "a guessed failure type is never headlined"


def test_messy_html_has_no_raw_identifiers_even_inside_texts(messy):
    html = messy["html"]
    tickets = messy["tickets"]
    for column in ("customer_id", "customer_name", "phone", "email"):
        for value in tickets[column].dropna().unique():
            assert value not in html, (column, value)
    for value in (*PLANTED_PHONES, *PLANTED_EMAILS):
        assert value not in html and value.replace("-", "") not in html, value
    assert "请回电 P-" in html.replace("&lt;", "<"), "a phone inside a comment is pseudonymised"


def test_the_html_pages_open_cleanly_in_the_readers_language(browser, sample_runs, messy):
    """Every page opens without errors and shows no code: no nan/None/True/False, no literal Markdown, no
    snake_case names, p-values and intervals written for people (the user's own file names may stay)."""
    files = ("survey_responses", "kano_answers")  # survey_responses.csv, kano_answers.csv: the user's names
    for lang, (_, _, path) in sample_runs.items():
        assert reader_problems(check_page(browser, path, headings=headings(lang)), files) == [], lang
    problems = reader_problems(check_page(browser, messy["path"], headings=headings("zh")), ("**",))
    assert problems == [], "\n".join(problems)  # "**bold**" is a customer's own text, shown as typed


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_first_screen_is_the_summary(browser, sample_runs, lang):
    """On a 1280 × 900 screen a manager sees NPS, CSAT and CES with intervals and the actions begin."""
    text = load_text("reports/cx-report", lang)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(sample_runs[lang][2].resolve().as_uri())
        first = page.locator("h2").first
        assert first.inner_text().replace("¶", "").strip() == text["summary_heading"].lstrip("# ")
        table = page.locator("table").first
        rows = table.inner_text()
        for name in ("nps", "csat", "ces"):
            assert text[f"summary_metric_{name}"] in rows
        assert ("至" if lang == "zh" else " to ") in rows
        actions = page.get_by_text(text["summary_actions"].split("**")[1], exact=True).bounding_box()
        assert actions["y"] < 900, f"the actions start at {actions['y']:.0f} px, below the first screen"
        page.screenshot(path=str(sample_runs[lang][2].with_suffix(".first-screen.png")))
    finally:
        page.close()


def test_hostile_text_shows_as_text_and_never_runs(browser, messy):
    assert_inert(browser, messy["path"], texts=(*HOSTILE, *TRICKS))
    html = messy["html"]
    assert 'href="javascript' not in html and "<strong>bold</strong>" not in html
