"""Real exports in, as the platforms write them: every file of the corpus in tests/fixtures/exports (built from
the platforms' documented layouts by make_exports.py, independently of the kit) loads with no mapping file and
gives the right platform, n, excluded rows with their reasons, and scores — checked against the truth the corpus
drew before formatting the files (expected.json)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kit import metrics
from kit.data import io, sources
from kit.data.schemas import get_schema
from kit.data.sources.common import plain

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
TRUTH = json.loads((EXPORTS / "expected.json").read_text(encoding="utf-8"))["files"]
SURVEYS = sorted(name for name, truth in TRUTH.items() if truth["kind"] == "survey")
TICKETS = sorted(name for name, truth in TRUTH.items() if truth["kind"] == "tickets")
PLATFORMS = {"wjx": "wjx", "tencent_wj": "tencent", "qualtrics": "qualtrics", "surveymonkey": "surveymonkey",
             "google_forms": "google_forms", "crm": "generic", "ticket_system": "generic"}
NUMBERED_REVERSED = {"qualtrics_numeric.csv", "surveymonkey_numeric.xlsx"}
"""Exports of option numbers where 1 is the best answer: nothing in the file says so (the corpus notes it)."""


@pytest.fixture(scope="module")
def loaded():
    cache = {}

    def load(name):
        if name not in cache:
            cache[name] = io.load(EXPORTS / name, "survey_responses" if TRUTH[name]["kind"] == "survey" else "tickets")
        return cache[name]

    return load


@pytest.mark.parametrize("name", SURVEYS + TICKETS)
def test_an_export_loads_as_written_with_its_platform_n_and_excluded_rows(loaded, name):
    truth = TRUTH[name]
    frame, report = loaded(name)
    assert report.platform == PLATFORMS[truth["platform"]]
    assert len(frame) == report.n_rows == truth["n_valid"]
    assert sorted((x.row, x.reason) for x in report.excluded) == sorted((x["row"], x["reason"]) for x in truth["excluded"])


@pytest.mark.parametrize("name", SURVEYS)
def test_nps_and_csat_of_an_export_match_the_truth(loaded, name):
    truth = TRUTH[name]
    frame, report = loaded(name)
    if truth.get("nps") is not None:
        assert metrics.nps(frame["nps"]).value == pytest.approx(truth["nps"], abs=0.01)
        assert frame["nps"].notna().sum() == truth["n_nps_answered"]
    if truth.get("csat_t2b_pct") is None:
        return
    assert frame["csat"].notna().sum() == truth["n_csat_answered"]
    if name in NUMBERED_REVERSED:  # scores taken as written, and the report says so
        assert any(code == "numbered_scale" for code, _ in report.notes)
        return
    assert metrics.csat(frame["csat"]).value == pytest.approx(truth["csat_t2b_pct"], abs=0.01)
    assert frame["csat"].mean() == pytest.approx(truth["csat_mean"], abs=0.001)


@pytest.mark.parametrize("name", [n for n in SURVEYS if TRUTH[n].get("ces_mean") is not None])
def test_an_ease_question_becomes_the_kits_effort_score_only_when_its_scale_shows(loaded, name):
    """"How easy was it …" (7 = easiest) is the kit's CES reversed (1 = least effort): 8 − answer when an answer
    above 5 shows a 7-point scale; a 5-point label scale is not read as CES, and the report says why."""
    truth = TRUTH[name]
    frame, report = loaded(name)
    notes = [code for code, _ in report.notes]
    if "1-7" in str(truth.get("scales")) or truth.get("ces_scale_max") == 7:
        assert frame["ces"].mean() == pytest.approx(8 - truth["ces_mean"], abs=0.001)
        assert frame["ces"].notna().sum() == truth["n_ces_answered"] and "ease_reversed" in notes
    else:
        assert "ces" not in frame and "ease_unknown" in notes


@pytest.mark.parametrize("name", sorted(NUMBERED_REVERSED))
def test_a_value_map_turns_reversed_option_numbers_into_the_true_scores(tmp_path, name):
    """The corpus's own recode table (1 = best) written as a mapping file gives the true CSAT; the note
    that the numbers were taken as written is gone."""
    import yaml

    truth = TRUTH[name]
    header = next(h for h, role in truth["columns"].items() if role == "csat")
    mapping = tmp_path / "map.yml"
    mapping.write_text(yaml.safe_dump({"survey_responses": {"columns": {}, "values": {"csat": {
        int(answer): score for answer, score in truth["value_maps"][header].items()}}}}, allow_unicode=True),
        encoding="utf-8")
    frame, report = io.load(EXPORTS / name, "survey_responses", columns=mapping)
    assert metrics.csat(frame["csat"]).value == pytest.approx(truth["csat_t2b_pct"], abs=0.01)
    assert frame["csat"].mean() == pytest.approx(truth["csat_mean"], abs=0.001)
    assert frame["csat"].notna().sum() == truth["n_csat_answered"]
    assert not any(code == "numbered_scale" for code, _ in report.notes)


def test_option_numbers_become_channels_through_the_mapping_file(tmp_path):
    """Qualtrics writes the channel question as option numbers ("1", "1,3"): the header and the numbers mapped
    in the file give the channel names, the first chosen option per response."""
    truth = TRUTH["qualtrics_numeric.csv"]
    mapping = tmp_path / "map.yml"
    names = truth["value_maps"]["Q4"]
    header = "Which of the following channels did you use to contact us? (Select all that apply) - Selected Choice"
    mapping.write_text(f'columns:\n  "{header}": channel\nvalues:\n  channel:\n' + "".join(
        f'    "{code}": "{name}"\n' for code, name in names.items()), encoding="utf-8")
    frame, report = io.load(EXPORTS / "qualtrics_numeric.csv", "survey_responses", columns=mapping)
    raw = io.load(EXPORTS / "qualtrics_numeric.csv", "survey_responses")[0][header]
    codes = {"Phone": "phone", "Email": "email", "Live chat": "online", "In store": "store"}  # the kit's channels
    first = raw.dropna().astype(str).str.split(",").str[0].str.strip().map(names).map(codes)
    assert frame["channel"].dropna().value_counts().to_dict() == first.value_counts().to_dict()
    assert report.mapped == {header: "channel"}


@pytest.mark.parametrize("name", [n for n in SURVEYS if "comment" in TRUTH[n]["columns"].values()
                                  and TRUTH[n]["platform"] != "crm"])  # a CRM's 备注 is a staff note, no comment
def test_no_platform_placeholder_becomes_a_customer_comment(loaded, name):
    frame, _ = loaded(name)
    comments = frame["comment"].dropna().astype(str)
    assert not comments.str.fullmatch(r"\(?(空|跳过|skipped)\)?|（空）|N/A").any()


def test_the_report_lists_what_was_left_out_in_both_languages(loaded):
    _, report = loaded("qualtrics_numeric.csv")
    assert "2 row(s) left out as survey previews: rows 4, 5." in report.lines("en")
    assert "有 4 行作为未完成的答卷未计入：第 58、59、65、70 行。" in report.lines("zh")
    _, report = loaded("wjx_score_export.xlsx")
    assert any(line.startswith("1 row(s) left out as totals or averages") and "rows 67" in line
               for line in report.lines("en"))


def test_an_other_option_with_written_text_is_the_other_channel(loaded):
    """问卷星 writes a filled-in "other" option as 其他〖text〗: the channel is 其他, whatever was written."""
    frame, _ = loaded("wjx_text_export.xlsx")
    assert not frame["channel"].astype(str).str.contains("〖").any()
    assert (frame["channel"] == "其他").sum() > 0


def test_durations_are_seconds_whatever_the_platform_wrote(loaded):
    frame, report = loaded("tencent_wj_labels.csv")
    assert frame["duration_s"].notna().all() and frame["duration_s"].min() > 0
    decoded = report.decoded["答题时长"]
    assert all(seconds == int(m or 0) * 60 + int(s) for label, seconds in decoded.items()
               for m, s in [re.fullmatch(r"(?:(\d+)分)?(\d+)秒", label).groups()])


def test_a_forced_platform_must_exist():
    from kit.errors import KitError

    with pytest.raises(KitError, match="qualtrics, surveymonkey"):
        io.load(EXPORTS / "wjx_text_export.xlsx", "survey_responses", platform="typeform")


def test_kit_data_check_reads_an_export_with_no_mapping(tmp_path):
    kit = Path(sys.executable).with_name("kit")
    done = subprocess.run([str(kit), "--lang", "zh", "data", "check", str(EXPORTS / "wjx_text_export.xlsx"), "--kind",
                           "survey_responses"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "按 问卷星 的导出格式读取。" in done.stdout and "第 41 行" in done.stdout


@pytest.mark.parametrize("name", SURVEYS)
def test_the_mapping_the_wizard_writes_reads_the_file_as_the_kit_did(tmp_path, loaded, name):
    """kit data map's YAML, passed back with --map, gives the same frame: every recognised column is in it,
    every decoded score answer too, and nothing it writes is refused."""
    from kit.data.mapping import propose, to_yaml

    found = io.layout(EXPORTS / name, "survey_responses")
    mapping = tmp_path / "map.yml"
    mapping.write_text(to_yaml(found, propose(found), "zh"), encoding="utf-8")
    frame, report = io.load(EXPORTS / name, "survey_responses", columns=mapping)
    before, _ = loaded(name)
    assert list(frame.columns) == list(before.columns)
    for column in ("nps", "csat", "ces"):
        if column in before:
            assert frame[column].equals(before[column]), column
    generated = {"response_id"} if ("row_ids", {}) in found.adapted.notes else set()
    assert set(report.mapped.values()) == set(found.positions) - generated


def test_kit_data_map_shows_the_columns_and_writes_a_file_whose_reversal_gives_the_true_csat(tmp_path):
    """The user's path for a Qualtrics numeric export listed best-first: map, reverse the numbers the file
    says to check, check again."""
    import yaml

    kit = Path(sys.executable).with_name("kit")
    out = tmp_path / "q.map.yml"
    done = subprocess.run([str(kit), "--lang", "zh", "data", "map", str(EXPORTS / "qualtrics_numeric.csv"), "--out",
                           str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "kit 如何读取 qualtrics_numeric.csv" in done.stdout and "映射文件已写入" in done.stdout
    text = out.read_text(encoding="utf-8")
    assert "如果问卷把最好的答案排在第一位" in text
    tree = yaml.safe_load(text)
    assert tree["survey_responses"]["values"]["csat"] == {v: v for v in range(1, 6)}
    tree["survey_responses"]["values"]["csat"] = {v: 6 - v for v in range(1, 6)}
    out.write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    frame, _ = io.load(EXPORTS / "qualtrics_numeric.csv", "survey_responses", columns=out)
    truth = TRUTH["qualtrics_numeric.csv"]
    assert metrics.csat(frame["csat"]).value == pytest.approx(truth["csat_t2b_pct"], abs=0.01)


def test_the_wizard_guesses_a_renamed_required_column_and_lists_answers_only_the_user_can_score(tmp_path):
    """A 问卷星 file whose submit-time header was renamed and whose satisfaction answers include a label of the
    survey's own: the check names both problems at once; the wizard's file maps the header, lists the label as
    a commented line to fill in; filled in, the file loads."""
    import openpyxl

    from kit.data.mapping import propose, to_yaml
    from kit.errors import DataProblems

    book = openpyxl.load_workbook(EXPORTS / "wjx_text_export.xlsx")
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    csat = headers.index("2、您对本次服务的总体满意度") + 1
    changed = [r for r in range(2, sheet.max_row + 1) if sheet.cell(r, csat).value == "满意"][:4]
    for r in changed:
        sheet.cell(r, csat).value = "比较好"
    sheet.cell(1, headers.index("提交答卷时间") + 1).value = "答卷提交于"
    path = tmp_path / "问卷星导出.xlsx"
    book.save(path)

    with pytest.raises(DataProblems) as info:
        io.load(path, "survey_responses")
    assert [p.code for p in info.value.problems] == ["missing_column", "not_a_number"]
    assert info.value.problems[1].rows == changed

    found = io.layout(path, "survey_responses")
    text = to_yaml(found, propose(found), "en")
    assert '    "答卷提交于": submitted_at  # guessed from the nearest header: check' in text
    assert '      # "比较好": <1–5>' in text
    mapping = tmp_path / "map.yml"
    mapping.write_text(text.replace('      # "比较好": <1–5>', '      "比较好": 4  #'), encoding="utf-8")
    frame, _ = io.load(path, "survey_responses", columns=mapping)
    before, _ = io.load(EXPORTS / "wjx_text_export.xlsx", "survey_responses")
    assert frame["csat"].equals(before["csat"]) and frame["submitted_at"].equals(before["submitted_at"])


@pytest.mark.parametrize("name", TICKETS)
def test_a_ticket_export_gives_the_true_counts_and_times(loaded, name):
    """Categories, severities (中 kept as its own grade), channels (12315转办 kept), resolved tickets, mean first
    response and median resolution time and the follow-up satisfaction, against the corpus's truth."""
    truth = TRUTH[name]["tickets"]
    frame, _ = loaded(name)
    assert frame["category"].value_counts().to_dict() == truth["categories"]
    grades = {"低": "minor", "高": "major", "中": "中"}
    assert frame["severity"].value_counts().to_dict() == {grades[k]: n for k, n in truth["severity"].items()}
    channels = {"电话": "phone", "在线客服": "online", "微信": "social", "邮件": "email", "12315转办": "12315转办"}
    assert frame["channel"].value_counts().to_dict() == {channels[k]: n for k, n in TRUTH[name]["channels"].items()}
    assert frame["resolved_at"].notna().sum() == truth["n_resolved"]
    assert frame["resolved_at"].isna().sum() == truth["n_unresolved"]
    minutes = (frame["first_response_at"] - frame["received_at"]).dt.total_seconds() / 60
    hours = (frame["resolved_at"] - frame["received_at"]).dt.total_seconds() / 3600
    assert minutes.mean() == pytest.approx(truth["first_response_min_mean"], abs=1e-3)
    assert hours.median() == pytest.approx(truth["resolution_h_median"], abs=1e-3)
    assert hours.mean() == pytest.approx(truth["resolution_h_mean"], abs=1e-3)
    if TRUTH[name].get("csat_t2b_pct") is not None:
        assert metrics.csat(frame["post_csat"]).value == pytest.approx(TRUTH[name]["csat_t2b_pct"], abs=0.01)
        assert frame["post_csat"].notna().sum() == TRUTH[name]["n_csat_answered"]



@pytest.mark.parametrize("name", SURVEYS + TICKETS)
def test_the_adapters_read_a_coded_table_as_the_same_table_of_text(name):
    """kit.data.io hands the adapters text columns coded (pandas Categorical) or as text; either way the layout,
    exclusions, matched columns, decoded answers and values are the same."""
    kind = "survey_responses" if TRUTH[name]["kind"] == "survey" else "tickets"
    source = io._read(EXPORTS / name, get_schema(kind), None)

    def flip(column):  # coded text ↔ text (Excel's cells are neither)
        if isinstance(column.dtype, pd.CategoricalDtype):
            return plain(column)
        return column.astype("category") if isinstance(column.dtype, pd.StringDtype) else column

    as_read, flipped = (sources.adapt(sources.Raw(table, list(source.headers), source.rows), kind)
                        for table in (source.table, source.table.apply(flip)))
    for found in as_read, flipped:
        found.rows = found.rows.tolist()
    assert [getattr(as_read, f) for f in ("platform", "headers", "rows", "excluded", "fields", "decoded", "notes")] == \
        [getattr(flipped, f) for f in ("platform", "headers", "rows", "excluded", "fields", "decoded", "notes")]
    pd.testing.assert_frame_equal(as_read.table.apply(plain), flipped.table.apply(plain), check_exact=True)
    assert as_read.originals.keys() == flipped.originals.keys()
    for position, column in as_read.originals.items():
        pd.testing.assert_series_equal(plain(column), plain(flipped.originals[position]), check_exact=True)
