"""The CX report on real ticket exports (tests/fixtures/exports, built independently of the kit): the company's own
complaint categories (投诉类别) are counted and headlined with n and share, failure types are taken as given, or
from categories that are failure types, and a failure type guessed from complaint texts is flagged as a guess and
never headlined. One notebook run checks the report itself, with a CRM survey export full of personal data."""

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from kit import cxreport, recovery
from kit.data import io
from kit.paths import NOTEBOOKS, ROOT
from kit.pipeline import execute, export_html
from kit.text import load as load_text

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
TRUTH = json.loads((EXPORTS / "expected.json").read_text(encoding="utf-8"))["files"]
TICKETS = ("tickets_callcenter.xlsx", "tickets_paged.csv")
SURVEY = "crm_followup_gb18030.csv"

pytestmark = pytest.mark.xdist_group("cx_report")


def raw_tickets(name: str) -> pd.DataFrame:
    """The ticket rows as pandas reads the file, without the kit: total, footer and repeated-header rows dropped by
    their ticket number."""
    path = EXPORTS / name
    raw = (pd.read_excel(path, sheet_name="工单明细", dtype=str) if path.suffix == ".xlsx"
           else pd.read_csv(path, encoding="utf-8-sig", dtype=str))
    return raw[raw["工单号"].str.fullmatch(r"GD\d{12}|T\d{6}-\d{3}", na=False)]


def top_of(counts: pd.Series, tie: str) -> dict:
    """The "most common" facts from a value_counts, ties named in alphabetical order."""
    tied = sorted(counts.index[counts == counts.max()])
    value = ", ".join(tied)
    return {"value": value if len(tied) == 1 else tie.format(values=value), "n": int(counts.max()),
            "total": int(counts.sum()), "share": counts.max() / counts.sum()}


@pytest.fixture(scope="module")
def loaded():
    return {name: io.load(EXPORTS / name, "tickets")[0] for name in TICKETS}


@pytest.mark.parametrize("name", TICKETS)
def test_the_company_categories_are_counted_as_in_the_file(loaded, name):
    counts = raw_tickets(name)["投诉类别"].value_counts()
    assert counts.to_dict() == TRUTH[name]["tickets"]["categories"]
    table = cxreport.categories(loaded[name])
    assert dict(zip(table["cause"], table["n"], strict=True)) == counts.to_dict()
    assert table["share"].tolist() == pytest.approx((table["n"] / counts.sum()).tolist())
    assert cxreport.most_common(table, "{values} (tied)") == pytest.approx(top_of(counts, "{values} (tied)"))


@pytest.mark.parametrize("name", TICKETS)
def test_failure_types_of_these_exports_are_only_guesses(loaded, name):
    tickets = loaded[name]
    assert "failure_type" not in tickets and len(raw_tickets(name)) == len(tickets)
    failures, source = cxreport.failure_types(tickets)
    assert source == "guessed" and len(failures) == len(tickets)
    assert 0 < failures.notna().sum() < len(tickets), "most complaint texts match no keyword rule"


def test_categories_that_are_failure_types_are_used_as_failure_types(loaded):
    tickets = loaded["tickets_paged.csv"].copy()
    labels = {"物流延误": "结果失误", "产品质量": "结果", "服务态度": "人际", "收费争议": "沟通", "安装维修": " 流程 "}
    tickets["category"] = tickets["category"].map(labels)
    failures, source = cxreport.failure_types(tickets)
    assert source == "category" and cxreport.categories(tickets) is None
    raw = raw_tickets("tickets_paged.csv")["投诉类别"]
    expected = raw.map({"物流延误": "outcome", "产品质量": "outcome", "服务态度": "interpersonal",
                        "收费争议": "communication", "安装维修": "process"}).value_counts()
    assert failures.value_counts().to_dict() == expected.to_dict()
    tickets["failure_type"] = "process"
    assert cxreport.failure_types(tickets)[1] == "given", "a failure-type column wins"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cx_exports")
    parameters = {"lang": "zh", "data_path": str(EXPORTS / SURVEY), "complaints_path": str(EXPORTS / TICKETS[0]),
                  "kano_path": None}
    executed = execute(NOTEBOOKS / "reports" / "cx-report.ipynb", tmp / "report.ipynb", parameters, cwd=ROOT)
    shown = [o for cell in json.loads(executed.read_text(encoding="utf-8"))["cells"] for o in cell.get("outputs", [])]
    assert [o.get("ename") for o in shown if o["output_type"] == "error"] == []
    markdown = "\n".join("".join(o.get("data", {}).get("text/markdown", "")) for o in shown)
    html = export_html(executed, tmp / "report.html", title="客户体验报告").read_text(encoding="utf-8")
    return markdown, html


def literal(template: str) -> str:
    """The longest fixed piece of a text template, to find any sentence made from it."""
    return max(re.split(r"\{[^}]*\}", template), key=len)


def test_the_report_headlines_the_company_categories_not_guessed_failure_types(report, loaded):
    markdown, _ = report
    text = load_text("reports/cx-report", "zh")
    tickets = loaded[TICKETS[0]]
    top = top_of(raw_tickets(TICKETS[0])["投诉类别"].value_counts(), text["tied"])
    assert text.format("category_top", **top) in markdown
    assert text.format("action_category", **top) in markdown
    guessed = recovery.classify_failures(tickets["complaint_text"])["type"]
    assert text.format("failure_guessed", k=int(guessed.notna().sum()), n=len(tickets)) in markdown
    for key in ("failure_top", "finding_failure", "action_failure"):
        assert literal(text[key]) not in markdown, key


def test_the_report_shows_no_personal_data_from_the_exports(report):
    _, html = report
    html = re.sub(r"base64,[A-Za-z0-9+/=\s]+", "", html)  # chart images: random digits are no leak
    survey = pd.read_csv(EXPORTS / SURVEY, encoding="gb18030", dtype=str)
    survey = survey.drop(index=[x["row"] - 2 for x in TRUTH[SURVEY]["excluded"]])  # record 2 = first data row
    tickets = raw_tickets(TICKETS[0])
    secrets = {v.strip() for c in (*TRUTH[SURVEY]["pii_columns"], "客户编号") for v in survey[c].dropna()}
    secrets |= set(tickets["客户手机号"])
    for texts in (survey["备注"], tickets["问题描述"]):
        secrets |= set(texts.dropna().str.extractall(r"(1[3-9]\d{9})")[0])
    assert len(secrets) > 300
    digits = {re.sub(r"\D", "", s) for s in secrets} - {""}
    assert sorted(s for s in secrets if s in html) == []
    assert sorted(d for d in digits if len(d) >= 7 and d in html) == [], "phones written in another form"


def test_the_report_counts_the_exports_rows_and_shows_no_missing_value_as_text(report):
    """The page counts the responses and complaints the corpus says are real, and never prints a missing value
    ("nan", "None", "<NA>") or a platform placeholder as a customer's words."""
    _, html = report
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>|base64,[A-Za-z0-9+/=\s]+", "", html, flags=re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).replace("&lt;", "<").replace("&gt;", ">").split())
    assert f"{TRUTH[SURVEY]['n_valid']} 份问卷" in text and f"{TRUTH[TICKETS[0]]['n_valid']} 条投诉" in text
    assert re.findall(r"\b(?:nan|NaN|None|inf)\b|<NA>", text) == []
    assert all("未计入" in line or "已换算" in line for line in re.findall(r"[^。]*[(（]空[)）][^。]*", text))
