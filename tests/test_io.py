"""kit.data.io: reading users' CSV/Excel/Parquet files against the schemas, and writing trainer-style exports."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.csv
import pytest

from kit.data import io as kit_io
from kit.data.io import load, save
from kit.data.schemas import get_schema
from kit.errors import DataError, KitError, format_rows

SURVEY = "问卷编号,提交时间,推荐值,满意度,服务渠道,是否符合期望,开放意见\n"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def survey(tmp_path: Path, *rows: str, name: str = "survey.csv", encoding: str = "utf-8") -> Path:
    return write(tmp_path, name, SURVEY + "".join(r + "\n" for r in rows), encoding)


def fails(path: Path, kind: str, code: str, **options) -> DataError:
    """Load, expect DataError ``code``, and check both languages name the file and the rows."""
    with pytest.raises(DataError) as info:
        load(path, kind, **options)
    error = info.value
    assert error.code == code, error.render("en")
    for lang in ("en", "zh"):
        message = error.render(lang)
        assert str(path) in message
        if error.rows:
            assert format_rows(error.rows, lang) in message
    return error


GOOD = "1001,2025-03-01 14:05:00,9,5,电话,是,很好"


# --- encodings and delimiters --------------------------------------------------------------------


def test_gb18030_file_with_chinese_headers_and_labels(tmp_path):
    path = survey(
        tmp_path,
        "1001,2025年3月1日 14时05分,9分,５,电话,是,服务很好",
        "1002,2025/3/2 9:00,10,4,Email,否,",
        "1003,2025-03-03 10:00:00,0,1,在线客服,√,太慢了",
        encoding="gb18030",
    )
    df, report = load(path, "survey_responses")
    assert report.encoding == "gb18030" and report.delimiter == ","
    assert list(df.columns) == ["response_id", "submitted_at", "channel", "nps", "csat", "met_expectation", "comment"]
    assert df["nps"].tolist() == [9, 10, 0] and str(df["nps"].dtype) == "Int64"
    assert df["csat"].tolist() == [5, 4, 1]
    assert df["channel"].tolist() == ["phone", "email", "online"]
    assert df["met_expectation"].tolist() == [True, False, True] and str(df["met_expectation"].dtype) == "boolean"
    assert df["submitted_at"].tolist() == [
        pd.Timestamp("2025-03-01 14:05"),
        pd.Timestamp("2025-03-02 09:00"),
        pd.Timestamp("2025-03-03 10:00"),
    ]
    assert df["comment"].isna().tolist() == [False, True, False]
    assert report.n_missing["comment"] == 1 and report.n_rows == 3
    assert report.header_map["推荐值"] == "nps" and report.header_map["问卷编号"] == "response_id"
    notes = {(c.column, c.note_code): c for c in report.coercions}
    assert notes["nps", "number_text"].count == 1 and notes["nps", "number_text"].examples == ("9分 → 9",)
    assert notes["csat", "number_text"].examples == ("５ → 5",)
    assert notes["channel", "choice_label"].count == 3
    assert notes["met_expectation", "bool_text"].count == 3
    assert notes["submitted_at", "date_format"].count == 2


def test_utf8_with_bom(tmp_path):
    df, report = load(survey(tmp_path, GOOD, encoding="utf-8-sig"), "survey_responses")
    assert report.encoding == "utf-8-sig" and df["response_id"].tolist() == ["1001"]


def test_plain_utf8_semicolons_and_windows_line_ends(tmp_path):
    path = write(tmp_path, "s.csv", (SURVEY + GOOD + "\n").replace(",", ";").replace("\n", "\r\n"))
    df, report = load(path, "survey_responses")
    assert (report.encoding, report.delimiter) == ("utf-8", ";") and df["nps"].tolist() == [9]


@pytest.mark.parametrize(
    "encoding, bom, expected",
    [("utf-16-le", b"\xff\xfe", "utf-16-le"), ("utf-16-be", b"\xfe\xff", "utf-16-be"), ("utf-16-le", b"", "utf-16-le")],
)
def test_excel_unicode_text_export_is_utf16_with_tabs(tmp_path, encoding, bom, expected):
    text = (SURVEY + GOOD + "\n").replace(",", "\t")
    path = tmp_path / "export.txt"
    path.write_bytes(bom + text.encode(encoding))
    df, report = load(path, "survey_responses")
    assert (report.encoding, report.delimiter) == (expected, "\t")
    assert df["channel"].tolist() == ["phone"] and df["comment"].tolist() == ["很好"]


def test_mixed_encodings_name_the_minority_lines(tmp_path):
    lines = [SURVEY.encode("utf-8")] + [f"{1000 + i},2025-03-01,9,5,电话,是,很好\n".encode() for i in range(5)]
    lines[3] = "1099,2025-03-01,9,5,电话,是,不错\n".encode("gb18030")
    path = tmp_path / "merged.csv"
    path.write_bytes(b"".join(lines))
    error = fails(path, "survey_responses", "mixed_encoding")
    assert error.rows == [4] and error.params["minority"] == "GB18030/GBK"
    assert "UTF-8" in error.render("en") and "UTF-8" in error.render("zh")


def test_bytes_that_are_no_known_encoding(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(SURVEY.encode("gb18030") + b"1001,2025-03-01,9,5,\xff\xff,\xff,x\n")
    assert fails(path, "survey_responses", "undecodable").rows == [2]


# --- headers and structure -----------------------------------------------------------------------


def test_headers_are_normalised_and_extra_columns_kept_last(tmp_path):
    path = write(tmp_path, "s.csv", "备注, Response ID ,推荐值（0-10）,填写时间,来源\nA,7,8,2025-03-01,x\nB,8,,2025-03-02,y\n")
    df, report = load(path, "survey_responses")
    assert list(df.columns) == ["response_id", "submitted_at", "nps", "备注", "来源"]
    assert df["备注"].tolist() == ["A", "B"]
    assert report.extra_columns == ("备注", "来源")
    assert "customer_id" in report.missing_optional and report.n_missing["nps"] == 1
    assert df["nps"].isna().tolist() == [False, True]


def test_two_columns_for_the_same_field(tmp_path):
    path = write(tmp_path, "s.csv", "问卷编号,提交时间,推荐值,NPS\n1,2025-03-01,9,9\n")
    error = fails(path, "survey_responses", "duplicate_column")
    assert error.column == "NPS" and error.params["first"] == "推荐值" and error.params["field"] == "nps"


def test_missing_required_column_lists_accepted_and_found_headers(tmp_path):
    path = write(tmp_path, "s.csv", "问卷编号,推荐值\n1,9\n")
    error = fails(path, "survey_responses", "missing_column")
    assert error.params["missing"] == "submitted_at"
    assert "提交时间" in error.params["accepted"] and "填写时间" in error.params["accepted"]
    assert "推荐值" in error.render("en") and "submitted_at" in error.render("zh")


@pytest.mark.parametrize("text", ["", "   \n", SURVEY, SURVEY + "\n\n"])
def test_empty_files(tmp_path, text):
    fails(write(tmp_path, "empty.csv", text), "survey_responses", "empty_file")


def test_blank_rows_are_left_out_and_reported_with_their_row_numbers(tmp_path):
    df, report = load(survey(tmp_path, GOOD, "", ""), "survey_responses")
    assert len(df) == 1 and report.excluded == ()  # empty lines at the end are no rows at all
    df, report = load(survey(tmp_path, GOOD, ",,,,,,", " ,,(空),,,,", name="tail.csv"), "survey_responses")
    assert len(df) == 1 and [(x.row, x.reason) for x in report.excluded] == [(3, "blank"), (4, "blank")]
    df, report = load(survey(tmp_path, GOOD, ",,,,,,", "1002,2025-03-01,9,5,电话,是,好", name="gap.csv"),
                      "survey_responses")
    assert df["response_id"].tolist() == ["1001", "1002"] and [x.row for x in report.excluded] == [3]
    assert "1 row(s) left out as blank (empty or only placeholders such as (空)): rows 3." in report.lines("en")


def test_ragged_line(tmp_path):
    path = survey(tmp_path, GOOD, "1002,2025-03-01,9,5,电话,是,好,但是,太慢")
    error = fails(path, "survey_responses", "ragged_row")
    assert error.rows == [3] and error.params["saw"] == "9"


def test_file_not_found_unknown_kind_and_unsupported_format(tmp_path):
    fails(tmp_path / "nope.csv", "survey_responses", "file_not_found")
    with pytest.raises(KitError) as info:
        load(survey(tmp_path, GOOD), "surveys")
    assert info.value.code == "unknown_kind"
    fails(write(tmp_path, "old.xls", "x"), "survey_responses", "unsupported_format")
    fails(write(tmp_path, "fake.xlsx", SURVEY + GOOD), "survey_responses", "unreadable_file")


# --- Excel and Parquet ---------------------------------------------------------------------------


def excel_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "问卷编号": [1001, 1002],
            "提交时间": [pd.Timestamp("2025-03-01 14:05"), pd.Timestamp("2025-03-02 08:30")],
            "推荐值": [9, 6],
            "服务渠道": ["电话", "门店"],
        }
    )


def test_excel_reads_the_first_sheet_with_excel_types(tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as book:
        excel_frame().to_excel(book, sheet_name="问卷", index=False)
        pd.DataFrame({"x": [1]}).to_excel(book, sheet_name="说明", index=False)
    df, report = load(path, "survey_responses")
    assert report.sheet == "问卷" and report.encoding is None
    assert df["response_id"].tolist() == ["1001", "1002"]
    assert df["submitted_at"].tolist() == excel_frame()["提交时间"].tolist()
    assert df["channel"].tolist() == ["phone", "store"]


def test_excel_points_to_the_sheet_that_has_the_data(tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as book:
        pd.DataFrame({"说明": ["本表为 3 月问卷"]}).to_excel(book, sheet_name="说明", index=False)
        excel_frame().to_excel(book, sheet_name="3月数据", index=False)
    error = fails(path, "survey_responses", "wrong_sheet")
    assert error.params["suggested"] == "3月数据" and "3月数据" in error.render("zh")
    assert load(path, "survey_responses", sheet="3月数据")[1].sheet == "3月数据"
    assert load(path, "survey_responses", sheet="1")[1].sheet == "3月数据"
    error = fails(path, "survey_responses", "sheet_not_found", sheet="Sheet1")
    assert error.params["sheets"] == "说明, 3月数据"


def test_excel_sheet_with_only_a_header(tmp_path):
    path = tmp_path / "book.xlsx"
    excel_frame().head(0).to_excel(path, index=False)
    fails(path, "survey_responses", "empty_file")


def test_excel_row_numbers_match_the_sheet(tmp_path):
    frame = excel_frame()
    frame.loc[1, "推荐值"] = 15
    path = tmp_path / "book.xlsx"
    frame.to_excel(path, index=False)
    error = fails(path, "survey_responses", "out_of_range")
    assert error.rows == [3] and error.column == "推荐值"


def test_parquet_keeps_types(tmp_path):
    path = tmp_path / "t.parquet"
    frame = excel_frame().assign(推荐值=lambda d: d["推荐值"].astype("Int64"))
    frame.to_parquet(path)
    df, report = load(path, "survey_responses")
    assert report.encoding is None and report.sheet is None
    assert df["nps"].tolist() == [9, 6] and df["response_id"].tolist() == ["1001", "1002"]
    assert df["submitted_at"].dtype == "datetime64[us]"


# --- cell types ----------------------------------------------------------------------------------


def test_nps_of_15_names_the_row_and_column(tmp_path):
    path = survey(tmp_path, GOOD, "1002,2025-03-01,8,5,电话,是,", "1003,2025-03-01,15,5,电话,是,", encoding="gb18030")
    error = fails(path, "survey_responses", "out_of_range")
    assert error.rows == [4] and error.column == "推荐值" and error.params["field"] == "nps"
    assert "0–10" in error.render("en") and "15" in error.render("zh")


def test_words_in_a_number_column(tmp_path):
    error = fails(survey(tmp_path, GOOD, "1002,2025-03-01,9,很好,电话,是,"), "survey_responses", "not_a_number")
    assert error.rows == [3] and error.column == "满意度" and "很好" in error.render("en")


def test_fractions_in_an_int_column(tmp_path):
    error = fails(survey(tmp_path, GOOD, "1002,2025-03-01,9.5,5,电话,是,"), "survey_responses", "not_whole_number")
    assert error.rows == [3] and error.column == "推荐值"


def test_a_channel_outside_the_known_list_is_its_own_category_and_a_closed_list_refuses(tmp_path):
    df, report = load(survey(tmp_path, GOOD, "1002,2025-03-01,9,5,传真,是,", "1003,2025-03-01,9,5,400热线,是,"),
                      "survey_responses")
    assert df["channel"].tolist() == ["phone", "传真", "phone"]
    assert {c.note_code: c.count for c in report.coercions if c.column == "channel"}["own_category"] == 1
    error = fails(write(tmp_path, "s.csv", "问卷编号,提交时间,客户类型\nR1,2025-03-01,政府\n"), "survey_responses",
                  "unknown_choice")
    assert error.rows == [2] and "B2B (企业客户)" in error.render("en")


def test_numbers_with_units_separators_and_missing_markers(tmp_path):
    header = "工单号,受理时间,补偿金额,处理后推荐意愿\n"
    rows = "T1,2025-03-01,\"¥1,200元\",N/A\nT2,2025-03-01,0.5,无\nT3,2025-03-01,－3,8\n"
    path = write(tmp_path, "t.csv", header + rows.replace("－3", "30"))
    df, report = load(path, "tickets")
    assert df["compensation"].tolist() == [1200.0, 0.5, 30.0] and str(df["compensation"].dtype) == "Float64"
    assert df["post_nps"].isna().tolist() == [True, True, False] and report.n_missing["post_nps"] == 2
    assert {c.note_code for c in report.coercions if c.column == "post_nps"} == {"dont_know"}
    error = fails(write(tmp_path, "neg.csv", header + rows), "tickets", "out_of_range")
    assert error.rows == [4] and error.column == "补偿金额"


def test_dont_know_answers_load_as_missing_and_are_counted_apart(tmp_path):
    header = "问卷编号,提交时间,推荐意愿,满意度\n"
    rows = ("R1,2025-03-01,不知道,5\nR2,2025-03-01,9,说不清\nR3,2025-03-01,#N/A,Don’t know\n"
            "R4,2025-03-01,8,（跳过）\nR5,2025-03-01,不知道怎么说,4\n")
    error = fails(write(tmp_path, "s.csv", header + rows), "survey_responses", "not_a_number")
    assert error.rows == [6], "a sentence that merely contains 不知道 is not a don't-know answer"
    df, report = load(write(tmp_path, "ok.csv", header + rows.replace("不知道怎么说", "10")), "survey_responses")
    assert df["nps"].isna().tolist() == [True, False, True, False, False]
    assert df["csat"].isna().tolist() == [False, True, True, True, False]
    notes = {(c.column, c.note_code): c.count for c in report.coercions}
    assert notes[("nps", "dont_know")] == 1 and notes[("nps", "missing_marker")] == 1
    assert notes[("csat", "dont_know")] == 3


def test_kano_answers_accept_numbers_and_labels(tmp_path):
    path = write(tmp_path, "k.csv", "问卷编号,功能,正向问题,反向问题\nR1,在线退款,喜欢,5\nR1,发票,2,我不喜欢\nR2,在线退款,Must-be,无所谓\n")
    df, report = load(path, "kano_answers")
    assert df["functional"].tolist() == [1, 2, 2] and df["dysfunctional"].tolist() == [5, 5, 3]
    assert any(c.note_code == "choice_label" and c.column == "functional" for c in report.coercions)
    error = fails(write(tmp_path, "bad.csv", "问卷编号,功能,正向问题,反向问题\nR1,退款,1,7\n"), "kano_answers", "unknown_choice")
    assert error.rows == [2] and error.column == "反向问题"


def test_observation_waves_and_dates_drop_the_time(tmp_path):
    header = "学员编号,观察人,观察日期,观察时点,行为项,是否达成\n"
    path = write(tmp_path, "o.csv", header + "S1,O1,2025-04-01 10:30,30天,复述确认,Y\nS1,O1,2025.6.30,90,具体致歉,n\n")
    df, report = load(path, "observations")
    assert df["wave"].tolist() == [30, 90] and df["item"].tolist() == ["paraphrase", "specific_apology"]
    assert df["date"].tolist() == [pd.Timestamp("2025-04-01"), pd.Timestamp("2025-06-30")]
    assert df["met"].tolist() == [True, False]
    assert {"time_dropped", "date_format"} <= {c.note_code for c in report.coercions if c.column == "date"}
    fails(write(tmp_path, "w.csv", header + "S1,O1,2025-04-01,60天,复述确认,Y\n"), "observations", "unknown_choice")


def kpi(tmp_path, *rows: str, name="kpi.csv") -> Path:
    return write(tmp_path, name, "期间,团队,满意占比,首问解决率\n" + "".join(r + "\n" for r in rows))


def test_percentages_signs_fractions_and_range(tmp_path):
    df, report = load(kpi(tmp_path, "2025-01,A,85%,0.8", "2025-02,A,90 %,0.755"), "kpi_snapshots")
    assert df["csat_t2b"].tolist() == [85.0, 90.0]
    assert df["fcr"].tolist() == [80.0, 75.5]
    assert [c.count for c in report.coercions if c.note_code == "percent_fraction"] == [2]
    error = fails(kpi(tmp_path, "2025-01,A,85,80", "2025-02,A,120,80", name="k2.csv"), "kpi_snapshots", "out_of_range")
    assert error.rows == [3] and error.column == "满意占比" and "0–100" in error.render("en")


def test_periods(tmp_path):
    rows = ["2025-03,A,1,1", "2025/4,A,1,1", "2025年5月,A,1,1", "2025Q1,A,1,1", "2025 q2,A,1,1", "2025年第3季度,A,1,1", "2025-Q4,A,1,1"]
    df, _ = load(kpi(tmp_path, *rows), "kpi_snapshots")
    assert df["period"].tolist() == ["2025-03", "2025-04", "2025-05", "2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    error = fails(kpi(tmp_path, "2025-03,A,1,1", "2025-13,B,1,1", name="k2.csv"), "kpi_snapshots", "not_a_period")
    assert error.rows == [3] and error.column == "期间"


def test_yes_no_words(tmp_path):
    header = "学员编号,观察人,观察日期,观察时点,行为项,是否达成\n"
    words = ["是", "否", "对", "错", "Y", "N", "yes", "NO", "true", "False", "1", "0", "√", "×", "已", "未"]
    rows = "".join(f"S{i},O1,2025-04-01,30,复述确认,{w}\n" for i, w in enumerate(words))
    df, _ = load(write(tmp_path, "o.csv", header + rows), "observations")
    assert df["met"].tolist() == [True, False] * 8
    error = fails(write(tmp_path, "bad.csv", header + "S1,O1,2025-04-01,30,复述确认,也许\n"), "observations", "not_a_bool")
    assert error.rows == [2] and error.column == "是否达成"


def test_datetime_formats_and_bad_dates(tmp_path):
    stamps = ["2025-03-01T14:05:06", "2025/3/1 14:05", "2025.3.1", "2025年3月1日 14时05分", "2025年3月1日14点5分30秒", "2025-03-01 14:05:06.5"]
    df, _ = load(survey(tmp_path, *(f"{i},{s},9,5,电话,是," for i, s in enumerate(stamps))), "survey_responses")
    assert df["submitted_at"].dt.strftime("%Y-%m-%d %H:%M:%S.%f").tolist() == [
        "2025-03-01 14:05:06.000000",
        "2025-03-01 14:05:00.000000",
        "2025-03-01 00:00:00.000000",
        "2025-03-01 14:05:00.000000",
        "2025-03-01 14:05:30.000000",
        "2025-03-01 14:05:06.500000",
    ]
    error = fails(survey(tmp_path, GOOD, "2,2025-02-30,9,5,电话,是,", "3,下周一,9,5,电话,是,", name="d.csv"), "survey_responses", "not_a_date")
    assert error.rows == [3, 4] and error.column == "提交时间"


def test_ids_that_excel_made_decimal_are_restored(tmp_path):
    df, report = load(survey(tmp_path, GOOD.replace("1001", "1001.0"), "V2.0,2025-03-01,9,5,电话,是,"), "survey_responses")
    assert df["response_id"].tolist() == ["1001", "V2.0"]
    assert [c.examples for c in report.coercions if c.note_code == "id_float"] == [("1001.0 → 1001",)]


def test_formula_injection_is_refused_or_escaped(tmp_path):
    path = survey(tmp_path, GOOD, "1002,2025-03-01,9,5,电话,是,=HYPERLINK(\"http://x\")", "1003,2025-03-01,9,5,电话,是,-5", "1004,2025-03-01,9,5,电话,是,@SUM(A1)")
    error = fails(path, "survey_responses", "formula_cells")
    assert error.rows == [3, 5] and error.column == "开放意见"
    assert "escape" in error.render("en") and "--escape-formulas" in error.render("zh")
    df, report = load(path, "survey_responses", formulas="escape")
    assert df["comment"].tolist() == ["很好", "'=HYPERLINK(\"http://x\")", "-5", "'@SUM(A1)"]
    assert [c.count for c in report.coercions if c.note_code == "formula_escaped"] == [2]


def test_required_cells_must_be_filled(tmp_path):
    error = fails(survey(tmp_path, GOOD, "1002,,9,5,电话,是,", "1003, ,9,5,电话,是,"), "survey_responses", "required_empty")
    assert error.rows == [3, 4] and error.column == "提交时间"


def test_no_row_is_dropped(tmp_path):
    rows = [f"{i},2025-03-01,,,,," for i in range(50)]
    df, report = load(survey(tmp_path, *rows), "survey_responses")
    assert len(df) == 50 and report.n_missing == {
        "response_id": 0, "submitted_at": 0, "channel": 50, "nps": 50, "csat": 50, "met_expectation": 50, "comment": 50,
    }


# --- keys and order ------------------------------------------------------------------------------


def test_duplicate_keys_list_every_copy(tmp_path):
    error = fails(survey(tmp_path, GOOD, "1002,2025-03-01,9,5,电话,是,", GOOD), "survey_responses", "duplicate_key")
    assert error.rows == [2, 4] and error.params["values"] == "1001" and error.column == "问卷编号"
    path = write(tmp_path, "k.csv", "问卷编号,功能,正向问题,反向问题\nR1,退款,1,5\nR1,发票,1,5\nR1,退款,2,4\n")
    assert fails(path, "kano_answers", "duplicate_key").rows == [2, 4]


def test_first_response_before_received_is_refused(tmp_path):
    text = "工单号,受理时间,首次响应时间\nT1,2025-03-01 09:00,2025-03-01 09:30\nT2,2025-03-01 10:00,2025-03-01 09:59\nT3,2025-03-01 10:00,\n"
    error = fails(write(tmp_path, "t.csv", text), "tickets", "order_violation")
    assert error.rows == [3] and error.params["first"] == "received_at" and error.params["second"] == "first_response_at"
    assert "2025-03-01 09:59:00" in error.render("en")


# --- report --------------------------------------------------------------------------------------


def test_report_lines_in_both_languages(tmp_path):
    _, report = load(survey(tmp_path, GOOD.replace(",9,", ",9分,"), encoding="gb18030"), "survey_responses")
    en, zh = report.lines("en"), report.lines("zh")
    assert en[0] == "survey.csv: 1 rows read as survey_responses."
    assert "Encoding gb18030, columns separated by commas." in en
    assert any(line.startswith("nps: 1 number(s) cleaned") and "9分 → 9" in line for line in en)
    assert "编码 gb18030，列之间以逗号分隔。" in zh
    assert any(line.startswith("文件中没有的可选列：customer_id、mode、") for line in zh)
    assert any("+" in line for line in en if line.startswith("Optional columns"))


# --- save and round trips ------------------------------------------------------------------------


def survey_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "response_id": pd.array(["R1", "R2", "R3"], dtype="string"),
            "submitted_at": pd.to_datetime(["2025-03-01 14:05", "2025-03-02 09:00", "2025-03-03 18:30:15"], format="ISO8601").astype("datetime64[us]"),
            "channel": pd.array(["phone", None, "store"], dtype="string"),
            "nps": pd.array([9, None, 0], dtype="Int64"),
            "met_expectation": pd.array([True, False, None], dtype="boolean"),
            "comment": pd.array(["很好, 但是慢", None, "'=1+1"], dtype="string"),
        }
    )


def test_save_zh_writes_chinese_headers_and_labels(tmp_path):
    path = save(survey_frame(), tmp_path / "out" / "s.csv", "survey_responses", lang="zh")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == "问卷编号,提交时间,服务渠道,推荐意愿,是否符合期望,开放意见"
    assert "电话" in text and "门店" in text and ",是," in text and ",否," in text
    en = save(survey_frame(), tmp_path / "en.csv", "survey_responses").read_bytes()
    assert en.startswith(b"response_id,submitted_at,channel,nps") and ",phone," in en.decode()


def trainees_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "trainee_id": pd.array(["S01", "S02"], dtype="string"),
            "name": pd.array(["王芳", "Li Lei"], dtype="string"),
            "cohort": pd.array(["2025春", "2025春"], dtype="string"),
            "level": pd.array(["apprentice", "star"], dtype="string"),
            "lang": pd.array(["zh", "en"], dtype="string"),
            "hours_ytd": pd.array([80.5, None], dtype="Float64"),
            "trained_on": pd.to_datetime(["2025-03-01", None]).astype("datetime64[us]"),
        }
    )


def tickets_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ticket_id": pd.array(["T1", "T2"], dtype="string"),
            "channel": pd.array(["email", "social"], dtype="string"),
            "failure_type": pd.array(["process", "interpersonal"], dtype="string"),
            "received_at": pd.to_datetime(["2025-03-01 09:00", "2025-03-02 10:00"]).astype("datetime64[us]"),
            "resolved_at": pd.to_datetime(["2025-03-01 12:00", None]).astype("datetime64[us]"),
            "compensation": pd.array([50.0, 0.0], dtype="Float64"),
            "fcr": pd.array([True, None], dtype="boolean"),
            "churned_90d": pd.array([False, True], dtype="boolean"),
        }
    )


def kano_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "response_id": pd.array(["R1", "R1"], dtype="string"),
            "feature": pd.array(["退款", "发票"], dtype="string"),
            "functional": pd.array([1, 4], dtype="Int64"),
            "dysfunctional": pd.array([5, 2], dtype="Int64"),
        }
    )


def kpi_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": pd.array(["2025-01", "2025Q1"], dtype="string"),
            "team": pd.array(["热线", "热线"], dtype="string"),
            "nps": pd.array([-12.5, 30.0], dtype="Float64"),
            "fcr": pd.array([72.5, None], dtype="Float64"),
        }
    )


FRAMES = {"survey_responses": survey_frame, "trainees": trainees_frame, "tickets": tickets_frame, "kano_answers": kano_frame, "kpi_snapshots": kpi_frame}


@pytest.mark.parametrize("suffix, encoding", [(".csv", "gb18030"), (".csv", None), (".tsv", "utf-16"), (".xlsx", None), (".parquet", None)])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", list(FRAMES))
def test_round_trip(tmp_path, kind, lang, suffix, encoding):
    frame = FRAMES[kind]()
    path = save(frame, tmp_path / f"{kind}{suffix}", kind, lang=lang, encoding=encoding)
    df, _ = load(path, kind, formulas="escape")
    pd.testing.assert_frame_equal(df, frame)


def test_save_refuses_unknown_formats(tmp_path):
    with pytest.raises(DataError) as info:
        save(survey_frame(), tmp_path / "s.json", "survey_responses")
    assert info.value.code == "unsupported_format"


# --- scale ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_million_rows(tmp_path):
    n = 1_000_000
    rng = np.random.default_rng(0)
    seconds = rng.integers(0, 365 * 86400, n).astype("timedelta64[s]")
    frame = pd.DataFrame(
        {
            "问卷编号": np.arange(n),
            "提交时间": (np.datetime64("2025-01-01T00:00:00") + seconds).astype(str),
            "服务渠道": rng.choice(["电话", "邮件", "在线", "门店"], n),
            "推荐值": rng.integers(0, 11, n),
            "满意度": rng.integers(1, 6, n),
            "是否符合期望": rng.choice(["是", "否"], n),
            "开放意见": rng.choice(["很好", "太慢了", "", "服务态度不错"], n),
        }
    )
    path = tmp_path / "big.csv"
    pyarrow.csv.write_csv(pyarrow.Table.from_pandas(frame), path)  # much faster than DataFrame.to_csv
    df, report = load(path, "survey_responses")
    assert report.n_rows == n and df["nps"].sum() == frame["推荐值"].sum()
    assert (df["channel"] == "phone").sum() == (frame["服务渠道"] == "电话").sum()


def test_report_shows_in_notebooks_with_user_text_escaped(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text("问卷编号,提交时间,推荐值,<b>x</b>\nQ1,2025-01-01,9分,<script>alert(1)</script>\n", encoding="utf-8")
    _, report = load(path, "survey_responses")
    html = report._repr_html_()
    assert html.startswith("<ul><li>") and "<b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert len(re.findall("<li>", html)) == len(report.lines())


def test_complaint_rates_below_one_percent_are_not_read_as_fractions(tmp_path):
    path = tmp_path / "kpi.csv"
    path.write_text("期间,团队,投诉率,首问解决率\n2025-01,A,0.4,0.82\n2025-02,A,0.6,0.78\n", encoding="utf-8")
    frame, report = load(path, "kpi_snapshots")
    assert frame["complaint_rate"].tolist() == [0.4, 0.6]
    assert frame["fcr"].tolist() == [82.0, 78.0]
    assert [c.column for c in report.coercions if c.note_code == "percent_fraction"] == ["fcr"]


# --- column mapping for messy exports ------------------------------------------------------------

MESSY = "答卷序号,填写日期,Q1 您向朋友推荐我们的可能性,Q2 总体满意度 (1-5),备注\n"


def test_columns_map_the_users_own_headers(tmp_path):
    path = write(tmp_path, "messy.csv", MESSY + "1001,2025-03-01,9,5,x\n1002,2025-03-02,3,2,y\n")
    mapping = {"答卷序号": "response_id", "填写日期": "submitted_at", "Q1 您向朋友推荐我们的可能性": "nps",
               "q2 总体满意度 (1-5)": "csat"}  # matched after folding case and spaces
    frame, report = load(path, "survey_responses", columns=mapping)
    assert frame["nps"].tolist() == [9, 3] and frame["csat"].tolist() == [5, 2]
    assert list(frame.columns[:4]) == ["response_id", "submitted_at", "nps", "csat"] and "备注" in frame
    assert report.mapped["Q1 您向朋友推荐我们的可能性"] == "nps"
    assert any("Q1 您向朋友推荐我们的可能性 → nps" in line and "columns=" in line for line in report.lines("en"))


def test_a_mapped_header_wins_over_automatic_matching(tmp_path):
    path = write(tmp_path, "two.csv", "问卷编号,提交时间,满意度,Q2 总体满意度\n1,2025-03-01,1,5\n")
    frame, report = load(path, "survey_responses", columns={"Q2 总体满意度": "满意度"})  # a Chinese target works too
    assert frame["csat"].tolist() == [5] and frame["满意度"].tolist() == ["1"]
    assert report.extra_columns == ("满意度",)


def test_mapping_files_yaml_sections_flat_and_csv(tmp_path):
    from kit.data.io import read_mapping

    sectioned = write(tmp_path, "map.yml", "survey_responses:\n  Q1 推荐: nps\ntickets:\n  单号: ticket_id\n")
    assert dict(read_mapping(sectioned, "tickets")) == {"单号": "ticket_id"}
    assert read_mapping(sectioned, "kano_answers") == {} and read_mapping(sectioned, "tickets").sectioned
    flat = write(tmp_path, "flat.yaml", "Q1 推荐: nps\n'2': csat\n")
    assert dict(read_mapping(flat, "survey_responses")) == {"Q1 推荐": "nps", "2": "csat"}
    table = write(tmp_path, "map.csv", "表头,字段\nQ1 推荐,nps\n满意,csat\n", encoding="gb18030")
    mapping = read_mapping(table, "survey_responses")
    assert dict(mapping) == {"Q1 推荐": "nps", "满意": "csat"} and mapping.source == table
    three = write(tmp_path, "kinds.csv", "Q1 推荐,nps,survey_responses\n单号,ticket_id,tickets\n")
    assert dict(read_mapping(three, "tickets")) == {"单号": "ticket_id"}


def test_load_takes_a_mapping_file_and_reports_it(tmp_path):
    path = write(tmp_path, "messy.csv", MESSY + "1001,2025-03-01,9,5,x\n")
    mapfile = write(tmp_path, "headers.yml", "survey_responses:\n  答卷序号: response_id\n  填写日期: submitted_at\n"
                    "  Q1 您向朋友推荐我们的可能性: nps\n")
    frame, report = load(path, "survey_responses", columns=mapfile)
    assert frame["nps"].tolist() == [9] and report.mapping_file == mapfile
    assert any("headers.yml" in line for line in report.lines("zh"))


def test_unknown_target_names_the_mapping_file_the_header_and_the_columns(tmp_path):
    path = write(tmp_path, "messy.csv", MESSY + "1001,2025-03-01,9,5,x\n")
    mapfile = write(tmp_path, "m.yml", "答卷序号: response_id\n填写日期: submitted_at\nQ1 您向朋友推荐我们的可能性: npss\n")
    with pytest.raises(DataError) as info:
        load(path, "survey_responses", columns=mapfile)
    error = info.value
    en = error.render("en")
    assert error.code == "mapping_unknown_column"
    assert str(mapfile) in en and "Q1 您向朋友推荐我们的可能性" in en and "'npss'" in en and "closest: nps" in en
    assert "response_id, customer_id" in en
    assert "npss" in error.render("zh")


def test_header_not_in_the_file_names_both_files_and_the_headers_found(tmp_path):
    path = write(tmp_path, "messy.csv", MESSY + "1001,2025-03-01,9,5,x\n")
    error = fails(path, "survey_responses", "mapping_header_not_found",
                  columns={"Q1 您向朋友推荐的可能性": "nps", "答卷序号": "response_id", "填写日期": "submitted_at"})
    en = error.render("en")
    assert "'Q1 您向朋友推荐的可能性'" in en and "Q1 您向朋友推荐我们的可能性" in en and str(path) in en


def test_two_headers_for_one_column_and_bad_mapping_files(tmp_path):
    from kit.data.io import read_mapping

    path = write(tmp_path, "messy.csv", MESSY + "1001,2025-03-01,9,5,x\n")
    fails(path, "survey_responses", "duplicate_column", columns={"Q1 您向朋友推荐我们的可能性": "nps", "备注": "nps"})
    for name, body, code in (("m.json", "{}", "mapping_format"), ("m.yml", "a: [1, 2", "mapping_unreadable"),
                             ("m2.yml", "- a\n- b\n", "mapping_unreadable"), ("m3.yml", "a: [x]\n", "mapping_bad_entry"),
                             ("m4.yml", "tickets:\n  a: ticket_id\nstray: nps\n", "mapping_mixed")):
        with pytest.raises(DataError) as info:
            read_mapping(write(tmp_path, name, body), "tickets")
        assert info.value.code == code and name in info.value.render("en") and name in info.value.render("zh")
    with pytest.raises(DataError, match="does not exist"):
        load(path, "survey_responses", columns=tmp_path / "nope.yml")


def test_every_problem_of_a_file_is_reported_at_once_by_column_with_the_mapping_line(tmp_path):
    """A header the kit does not know, a typo, a "don't know" code and a label in a score column: one run
    names all four, grouped by column, each with its rows, and the mapping-file lines that would read them."""
    from kit.errors import DataProblems

    path = write(tmp_path, "a.csv", "编号,提交的时间,推荐可能性,满意度\nR1,2025-03-01,11,很好\nR2,2025-03-01,9,5\n"
                                    "R3,2025-03-02,99,4\n")
    with pytest.raises(DataProblems) as info:
        load(path, "survey_responses")
    error = info.value
    assert [(p.code, p.column, p.rows) for p in error.problems] == [
        ("missing_column", None, []), ("out_of_range", "推荐可能性", [2, 4]), ("not_a_number", "满意度", [2])]
    hints = [p.params.get("hint") for p in error.problems]
    assert (hints[0].section, hints[0].lines) == ("columns", ['"提交的时间": submitted_at'])
    assert (hints[1].section, hints[1].lines) == ("dont_know", ["[99]"])  # 11 is a typo: no mapping reads it
    assert (hints[2].section, hints[2].lines) == ("values → csat", ['"很好": <1–5>'])
    for lang in ("en", "zh"):
        text = error.render(lang)
        assert text.count("\n  • ") == 3 and "满意度" in text and '"很好": <1–5>' in text


def test_a_mapping_file_with_value_maps_and_dont_know_reads_what_the_error_named(tmp_path):
    data = write(tmp_path, "a.csv", "编号,提交的时间,推荐可能性,满意度\nR1,2025-03-01,10,很好\nR2,2025-03-01,9,5\n"
                                    "R3,2025-03-02,99,不太清楚\n")
    mapping = write(tmp_path, "map.yml", 'survey_responses:\n  columns:\n    "提交的时间": submitted_at\n'
                                         '  values:\n    csat: {"很好": 5}\n  dont_know: [99, 不太清楚]\n')
    frame, report = load(data, "survey_responses", columns=mapping)
    assert frame["csat"].iloc[:2].tolist() == [5, 5] and frame["nps"].iloc[:2].tolist() == [10, 9]
    assert frame[["nps", "csat"]].iloc[2].isna().all()
    assert report.decoded["满意度"] == {"很好": 5}
    assert {c.column: c.count for c in report.coercions if c.note_code == "dont_know"} == {"nps": 1, "csat": 1}


def test_value_maps_compare_numbers_and_text_alike_and_win_over_the_kits_labels(tmp_path):
    """1, 1.0 and "1" are one answer; a label the kit would decode (满意 → 4) reads as the map says."""
    from kit.data.mapping import apply_values, value_key

    assert value_key(1) == value_key(1.0) == value_key(" 1 ") == value_key("1.0") == "1"
    assert value_key(True) != "1"
    original = pd.Series(["满意", 1.0, "1", None, "非常满意"], dtype=object)
    out, used = apply_values(original, original, {"满意": 3, "1": 5})
    assert out.tolist()[:3] == [3, 5, 5] and pd.isna(out.iloc[3]) and out.iloc[4] == "非常满意"
    assert used == {"满意": 3, 1.0: 5, "1": 5}


def test_bad_value_maps_name_the_file(tmp_path):
    data = write(tmp_path, "a.csv", "编号,提交时间,满意度\nR1,2025-03-01,5\n")
    for body, code in (("columns: {}\nvalues: [1, 2]\n", "mapping_bad_values"),
                       ("columns: {}\nvalues:\n  csat: {很好: [5]}\n", "mapping_bad_values"),
                       ("columns: {}\ndont_know: 不知道\n", "mapping_bad_values"),
                       ("columns: {}\nanswers: {}\n", "mapping_unknown_key"),
                       ("columns: {}\nvalues:\n  nps: {很好: 10}\n", "mapping_values_column")):
        mapping = write(tmp_path, "map.yml", body)
        with pytest.raises(DataError) as info:
            load(data, "survey_responses", columns=mapping)
        assert info.value.code == code and "map.yml" in info.value.render("en"), body



# --- pyarrow and the C parser --------------------------------------------------------------------
# A UTF-8 file is parsed by pyarrow from its bytes; any text file can also be read the slow way, decoded in Python
# and parsed by pandas' C parser. Both ways must give the same frame and the same report.

DTYPES = {"id": "string", "label": "string", "text": "string", "period": "string", "int": "Int64", "float": "Float64",
          "percent": "Float64", "bool": "boolean", "datetime": "datetime64[us]", "date": "datetime64[us]"}
"""The dtype of each type of kit column in a loaded frame, which code downstream relies on."""
EXPORTS = Path(__file__).parent / "fixtures" / "exports"
SAMPLES = Path(__file__).parents[1] / "data" / "sample"


def outcome(path: Path, kind: str, **options):
    """What load() gives: (frame, report), or the facts of the DataError it raises (a Hint has no equality)."""
    try:
        return load(path, kind, **options)
    except DataError as error:
        return [(e.code, e.file, e.rows, e.column, e.render("en"), e.render("zh"))
                for e in (error, *getattr(error, "problems", ()))]


def both_ways(monkeypatch, path: Path, kind: str, **options):
    """load() as it reads the file and load() by the C parser: both outcomes, and whether the first used the C parser."""
    used, parse_c = [], kit_io._parse_c
    with monkeypatch.context() as patch:
        patch.setattr(kit_io, "_parse_c", lambda *args: used.append(args) or parse_c(*args))
        as_read = outcome(path, kind, **options)
    with monkeypatch.context() as patch:
        patch.setattr(kit_io, "_parse", lambda data, delimiter: None)
        by_c = outcome(path, kind, **options)
    return as_read, by_c, bool(used)


def assert_same(as_read, by_c):
    if isinstance(by_c, list):
        assert as_read == by_c
        return
    (frame, report), (c_frame, c_report) = as_read, by_c
    pd.testing.assert_frame_equal(frame, c_frame, check_exact=True)
    assert report == c_report and report.lines("zh") == c_report.lines("zh")


def assert_dtypes(frame: pd.DataFrame, kind: str):
    """Kit columns have the dtype of their type; columns of a text file the schema does not know are ``str``."""
    fields = get_schema(kind).by_name
    assert {c: str(d) for c, d in frame.dtypes.items()} == {c: DTYPES[fields[c].type] if c in fields else "str"
                                                            for c in frame.columns}


LINE = GOOD + "\n"
ROWS = "".join(f"{1000 + i},2025-03-{1 + i % 28:02d} 10:{i % 60:02d},{i % 11},{1 + i % 5},{['电话', '邮件', '在线客服', '门店'][i % 4]},"
               f"{['是', '否', '√', 'N'][i % 4]},{['很好', '太慢了', '', '(空)', '不知道'][i % 5]}\n" for i in range(40))
QUALTRICS = (
    "StartDate,EndDate,Status,Finished,ResponseId,Q1,Q2,Q3\n"
    "Start Date,End Date,Response Type,Finished,Response ID,How likely are you to recommend us to a friend?,"
    "How satisfied are you overall?,Anything else?\n"
    + ",".join(f'"{{""ImportId"":""{name}""}}"' for name in ("startDate", "endDate", "status", "finished", "_recordId",
                                                           "QID1", "QID2", "QID3")) + "\n"
    + "".join(f"2025-03-01 10:00:00,2025-03-01 10:0{i}:00,{'IP Address' if i % 3 else 'Survey Preview'},"
              f"{'False' if i == 4 else 'True'},R_{i},{i},{['Extremely satisfied', 'Somewhat satisfied'][i % 2]},"
              f'"line one\nline two, with a comma"\n' for i in range(8))
)
BOTH_WAYS = {  # name: (file text or bytes, table kind, load options, whether the C parser reads it when pyarrow can)
    "plain": (SURVEY + ROWS, "survey_responses", {}, False),
    "quoted newlines": (SURVEY + LINE + '1002,2025-03-02,8,4,电话,是,"第一行\n第二行"\n'
                        '1003,2025-03-03,7,3,门店,否,"a, b ""quoted"""\n', "survey_responses", {}, False),
    "quoted newlines, CRLF": ((SURVEY + LINE).replace("\n", "\r\n") + '1002,2025-03-02,8,4,电话,是,"一\r\n二"\r\n',
                              "survey_responses", {}, False),
    "a blank line inside quotes": (SURVEY + LINE + '1002,2025-03-02,8,4,电话,是,"段一\n\n段二"\n', "survey_responses", {},
                                   False),
    "BOM": (b"\xef\xbb\xbf" + (SURVEY + ROWS).encode(), "survey_responses", {}, False),
    "BOM and CRLF": (b"\xef\xbb\xbf" + (SURVEY + ROWS).replace("\n", "\r\n").encode(), "survey_responses", {}, False),
    "CR line ends": ((SURVEY + ROWS).replace("\n", "\r"), "survey_responses", {}, False),
    "blank lines at the end": (SURVEY + ROWS + "\n\n", "survey_responses", {}, False),
    "semicolons": ((SURVEY + ROWS).replace(",", ";"), "survey_responses", {}, False),
    "GB18030": ((SURVEY + ROWS).encode("gb18030"), "survey_responses", {}, False),
    "UTF-16 with tabs": (b"\xff\xfe" + (SURVEY + ROWS).replace(",", "\t").encode("utf-16-le"), "survey_responses", {}, False),
    "blank lines": (SURVEY + LINE + "\n" + LINE.replace("1001", "1002") + "\n\n", "survey_responses", {}, True),
    "a line of spaces": (SURVEY + LINE + "   \n" + LINE.replace("1001", "1002"), "survey_responses", {}, True),
    "a blank line in GB18030": ((SURVEY + LINE + "\n" + LINE.replace("1001", "1002")).encode("gb18030"),
                                "survey_responses", {}, True),
    "ragged row": (SURVEY + LINE + "1002,2025-03-01,9,5,电话,是,好,但是,太慢\n", "survey_responses", {}, True),
    "short row": (SURVEY + LINE + "1002,2025-03-01,9\n", "survey_responses", {}, True),
    "Qualtrics, three header rows": (QUALTRICS, "survey_responses", {}, False),
    "ids 007 and 1001.0": (SURVEY + "".join(LINE.replace("1001", i) for i in ("007", "1001.0", "V2.0", " 1003 ")),
                           "survey_responses", {}, False),
    "1 / 1.0 / True": (SURVEY + "".join(LINE.replace("1001", str(1001 + i)).replace(",9,5,", f",{v},{v},")
                                        .replace(",是,", f",{v},") for i, v in enumerate(["1", "1.0", "True", "0"])),
                       "survey_responses", {}, False),
    "empty columns": ("问卷编号,提交时间,推荐值,,备注,\n1,2025-03-01,9,,,\n2,2025-03-02,8,,x,\n", "survey_responses", {},
                      False),
    "a column all empty": ("问卷编号,提交时间,推荐值,满意度,备注\n1,2025-03-01,9,,\n2,2025-03-02,8,,\n", "survey_responses",
                           {}, False),
    "duplicate headers": ("问卷编号,提交时间,推荐值,备注,备注\n1,2025-03-01,9,a,b\n", "survey_responses", {}, False),
    "title, totals, repeated header, test and blank rows": (
        "客户回访记录（导出时间：2025-03-05）,,,,,,\n" + SURVEY + ROWS[:400].rsplit("\n", 1)[0] + "\n" + SURVEY + ROWS
        + "1100,2025-03-02,8,4,电话,是,测试数据，请忽略\n,,,,(空),,\n合计,,,,,,\n平均值,,5,3,,,\n", "survey_responses", {},
        False),
    "don't know and missing markers": (SURVEY + "".join(LINE.replace("1001", str(1001 + i)).replace(",5,", f",{v},")
                                                        for i, v in enumerate(["#N/A", "null", "-", "不清楚", " NaN "])),
                                       "survey_responses", {}, False),
    "errors in several columns": (SURVEY + LINE + "1002,2025-13-01,15,x,火星,也许,=1+1\n1003,,9.5,5,电话,是,\n",
                                  "survey_responses", {}, False),
    "formulas escaped": (SURVEY + LINE + '1002,2025-03-01,9,5,电话,是,=HYPERLINK("x")\n', "survey_responses",
                         {"formulas": "escape"}, False),
    "only some columns": (SURVEY + ROWS, "survey_responses", {"only": ["response_id", "nps", "channel"]}, False),
    "问卷星 labels and durations": (
        "序号,提交答卷时间,所用时间,1、您向朋友推荐我们的可能性有多大？,2、您对本次服务满意吗？,3、您通过哪种渠道联系我们？,4、您还有什么建议？\n"
        + "".join(f"{i},2025-03-01 10:{i:02d}:00,{60 + i}秒,{i % 11},{['非常满意', '满意', '一般', '不满意'][i % 4]},"
                  f"{['电话┋门店', '微信', '其他〖小红书〗'][i % 3]},{['好', '(空)', '差'][i % 3]}\n" for i in range(1, 30)),
        "survey_responses", {}, False),
    "腾讯问卷 option columns": (
        "编号,开始答题时间,结束答题时间,答题时长,1.您推荐我们吗？,2.您通过哪些渠道联系过我们？:电话,2.您通过哪些渠道联系过我们？:微信\n"
        + "".join(f"{i},2025-03-01 10:00:00,2025-03-01 10:05:00,{i}分50秒,{i % 11},{'电话' if i % 2 else ''},"
                  f"{'微信' if i % 3 == 0 else ''}\n" for i in range(1, 20)), "survey_responses", {}, False),
    "SurveyMonkey, two header rows": (
        "Respondent ID,End Date,How likely are you to recommend us?,How did you contact us?,,\n,,Response,Phone,Email,Chat\n"
        + "".join(f"{100 + i},03/0{1 + i % 9}/2025 08:20:47 PM,{i % 11},{'Phone' if i % 2 else ''},{'Email' if i % 3 else ''},"
                  f"{'Chat' if i % 5 == 0 else ''}\n" for i in range(20)), "survey_responses", {}, False),
    "Google Forms": ("Timestamp,How likely are you to recommend us?\n"
                     + "".join(f"2025/03/0{1 + i % 9} 8:0{i % 10}:00 PM GMT+8,{i % 11}\n" for i in range(12)),
                     "survey_responses", {}, False),
    "an ease question": ("序号,提交答卷时间,1、办理业务是否容易？\n" + "".join(f"{i},2025-03-01,{1 + i % 7}\n" for i in range(14)),
                         "survey_responses", {}, False),
    "kano labels": ("问卷编号,功能,正向问题,反向问题\n" + "".join(f"R{i},退款,{1 + i % 5},{['喜欢', '理所当然', '无所谓'][i % 3]}\n"
                                                          for i in range(12)), "kano_answers", {}, False),
    "kpi periods and percentages": ("期间,团队,投诉率,首问解决率\n2025-01,A,0.4,0.82\n2025年2月,A,0.6%,78%\n2025 Q1,B,,0.5\n",
                                    "kpi_snapshots", {}, False),
}


@pytest.mark.parametrize("name", list(BOTH_WAYS))
def test_pyarrow_and_the_c_parser_read_an_export_alike(tmp_path, monkeypatch, name):
    data, kind, options, by_c_parser = BOTH_WAYS[name]
    path = tmp_path / ("export.txt" if "UTF-16" in name else "export.csv")
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    as_read, by_c, used_c_parser = both_ways(monkeypatch, path, kind, **options)
    assert used_c_parser == by_c_parser
    assert_same(as_read, by_c)
    if not isinstance(as_read, list):
        assert_dtypes(as_read[0], kind)


def test_a_mapping_file_reads_both_ways_alike(tmp_path, monkeypatch):
    mapping = tmp_path / "map.yml"
    mapping.write_text("survey_responses:\n  columns:\n    Q满意: csat\n  values:\n    csat: {很好: 5, 一般: 3, 1: 5}\n"
                       "  dont_know: [99, 不好说]\n", encoding="utf-8")
    path = write(tmp_path, "s.csv", "问卷编号,提交时间,Q满意,推荐值\n"
                 + "".join(f"{i},2025-03-01,{['很好', '一般', '1', '99', '不好说'][i % 5]},{i % 11}\n" for i in range(20)))
    as_read, by_c, _ = both_ways(monkeypatch, path, "survey_responses", columns=mapping)
    assert_same(as_read, by_c)
    assert as_read[0]["csat"].tolist() == [5, 3, 5, pd.NA, pd.NA] * 4


def test_quoted_newlines_across_parse_blocks(tmp_path, monkeypatch):
    """Comments spanning lines wherever pyarrow's blocks end (small blocks here, 4 MB in a real file)."""
    monkeypatch.setattr(kit_io, "BLOCK_SIZE", 1 << 10)
    rows = [f'{1000 + i},2025-03-01,{i % 11},{1 + i % 5},电话,是,"第 {i} 条\n意见, 第二行\n第三行"\n' for i in range(300)]
    as_read, by_c, used_c_parser = both_ways(monkeypatch, write(tmp_path, "s.csv", SURVEY + "".join(rows)), "survey_responses")
    assert not used_c_parser
    assert_same(as_read, by_c)
    assert as_read[0]["comment"].iloc[299] == "第 299 条\n意见, 第二行\n第三行"


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.csv")) + sorted(EXPORTS.glob("*.csv")), ids=lambda p: p.name)
def test_the_samples_and_exports_read_both_ways_alike_with_the_kits_dtypes(monkeypatch, path):
    kind = path.stem if path.parent == SAMPLES else "tickets" if path.stem.startswith("tickets") else "survey_responses"
    as_read, by_c, used_c_parser = both_ways(monkeypatch, path, kind)
    assert not used_c_parser
    assert_same(as_read, by_c)
    assert_dtypes(as_read[0], kind)


@pytest.mark.parametrize("path", sorted(EXPORTS.glob("*.xlsx")), ids=lambda p: p.name)
def test_excel_exports_keep_the_kits_dtypes(path):
    kind = "tickets" if path.stem.startswith("tickets") else "survey_responses"
    frame, _ = load(path, kind)
    fields = get_schema(kind).by_name
    assert {c: str(frame[c].dtype) for c in frame.columns if c in fields} == \
        {c: DTYPES[fields[c].type] for c in frame.columns if c in fields}


def test_a_qualtrics_export_with_comments_over_several_lines(tmp_path):
    frame, report = load(write(tmp_path, "q.csv", QUALTRICS), "survey_responses")
    assert report.platform == "qualtrics" and len(frame) == 4
    assert [(x.row, x.reason) for x in report.excluded] == [(4, "preview"), (7, "preview"), (10, "preview"),
                                                            (8, "unfinished")]
    assert frame["comment"].tolist() == ["line one\nline two, with a comma"] * 4 and frame["nps"].tolist() == [1, 2, 5, 7]


def test_parquet_text_reads_as_the_same_text_in_a_csv(tmp_path):
    """A table of text in a Parquet file loads exactly like the same table in a CSV."""
    text = pd.read_csv(SAMPLES / "survey_responses.csv", dtype=str, keep_default_na=False, na_values=[""])
    text.to_parquet(tmp_path / "s.parquet")
    frame, report = load(tmp_path / "s.parquet", "survey_responses")
    csv_frame, csv_report = load(SAMPLES / "survey_responses.csv", "survey_responses")
    pd.testing.assert_frame_equal(frame, csv_frame, check_exact=True)
    assert (report.coercions, report.n_missing, report.excluded) == (csv_report.coercions, csv_report.n_missing,
                                                                      csv_report.excluded)
