"""kit.privacy: keyed pseudonyms for customer identifiers, and phones / e-mails scrubbed out of free text."""

import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kit import privacy
from kit.privacy import Pseudonymiser, pseudonymise, scrub_text

PSEUDONYM = re.compile(r"^[CNPE]-[0-9a-f]{10}$")


def test_same_key_same_pseudonym_different_keys_differ():
    a, b, c = Pseudonymiser("k1"), Pseudonymiser("k1"), Pseudonymiser("k2")
    assert a.value("13912345678", "phone") == b.value("13912345678", "phone")
    assert a.value("13912345678", "phone") != c.value("13912345678", "phone")
    assert PSEUDONYM.match(a.value("C000149", "id")) and a.value("C000149", "id").startswith("C-")
    assert a.value("李婷", "name").startswith("N-") and a.value("x@y.com", "email").startswith("E-")


def test_pseudonyms_are_not_a_plain_hash_of_the_value():
    import hashlib

    value = Pseudonymiser("secret").value("13912345678", "phone")
    for guess in ("13912345678", "phone\x0013912345678"):
        assert hashlib.sha256(guess.encode()).hexdigest()[:10] not in value


def test_key_from_parameter_then_environment_then_random(monkeypatch):
    monkeypatch.delenv(privacy.ENV_KEY, raising=False)
    first, second = Pseudonymiser(), Pseudonymiser()
    assert first.key_source == "random"
    assert first.value("C1") != second.value("C1"), "a fresh random key per report run"
    monkeypatch.setenv(privacy.ENV_KEY, "shared-key")
    env = Pseudonymiser()
    assert env.key_source == "environment" and env.value("C1") == Pseudonymiser("shared-key").value("C1")
    assert Pseudonymiser("other").key_source == "parameter"
    assert "shared-key" not in repr(env)


def test_phone_formats_map_to_one_pseudonym():
    p = Pseudonymiser("k")
    same = ["13912345678", "139 1234 5678", "139-1234-5678", "+86 139 1234 5678", "+86-139-1234-5678",
            "(+86)13912345678", "008613912345678", "8613912345678"]
    assert {p.value(v, "phone") for v in same} == {p.value("13912345678", "phone")}
    assert {p.scrub(v) for v in same} == {p.value("13912345678", "phone")}
    assert p.value("010-62345678", "phone") == p.value("+86 10 6234 5678", "phone") == p.scrub("(010) 6234 5678")


@pytest.mark.parametrize("text, secret", [
    ("请回电 139-1234-5678，谢谢", "139-1234-5678"),
    ("电话13912345678。", "13912345678"),
    ("call +86 139 1234 5678 now", "139 1234 5678"),
    ("座机 021-6234 5678 或 (0755) 8666 8888", "6234 5678"),
    ("座机 0571-8888666", "8888666"),
    ("mail me: Li.Na+shop@Example.COM!", "Li.Na+shop@Example.COM"),
    ("QQ 邮箱 13912345678@qq.com", "13912345678"),
    ("two: a@b.cn, 15012345678", "a@b.cn"),
])
def test_scrub_removes_phones_and_emails(text, secret):
    out = Pseudonymiser("k").scrub(text)
    assert secret not in out and re.search(r"[PE]-[0-9a-f]{10}", out)


@pytest.mark.parametrize("text", [
    "订单号 202501131234567890 已退款",
    "退款 1391.50 元，另补 13912 元",
    "order 12345678901 shipped",  # 11 digits, not a mobile prefix
    "工单 T000123 于 2025-01-13 08:30 受理",
    "热线 400-820-8820",
    "编号 139123456789",  # 12 digits: not a phone
    "发票 0123456789",
])
def test_numbers_that_are_not_phones_stay(text):
    assert Pseudonymiser("k").scrub(text) == text


def test_frame_pseudonymises_identifiers_and_scrubs_every_text_column(tickets):
    frame = tickets.head(300).copy()
    frame["complaint_text"] = frame["complaint_text"] + " 联系 " + frame["phone"] + " / " + frame["email"]
    frame["备注"] = "客户邮箱 " + frame["email"]  # an extra column from a messy export
    p = Pseudonymiser("k")
    safe = p.frame(frame)
    for column in ("customer_id", "customer_name", "phone", "email"):
        assert safe[column].dropna().str.match(PSEUDONYM).all()
        assert not set(frame[column].dropna()) & set(safe[column].dropna())
    text = " ".join(map(str, safe.select_dtypes(exclude="number").stack()))
    for column in ("phone", "email"):
        assert not any(v in text for v in frame[column].dropna()), column
    # the same phone reads the same in its column and inside the text
    assert all(phone in text for phone, text in zip(safe["phone"], safe["complaint_text"], strict=True))
    assert safe["ticket_id"].equals(frame["ticket_id"]) and safe["compensation"].equals(frame["compensation"])
    assert frame["phone"].iloc[0] in tickets["phone"].iloc[0], "the input is not changed"


def test_missing_values_stay_missing_and_module_functions():
    df = pd.DataFrame({"customer_id": ["C1", None, "C1"], "comment": ["a@b.cn", None, "ok"]})
    out = pseudonymise(df, key="k")
    assert out["customer_id"].isna().tolist() == [False, True, False]
    assert out["customer_id"][0] == out["customer_id"][2]
    assert out["comment"][1] is None or pd.isna(out["comment"][1])
    assert scrub_text("x a@b.cn", key="k") == "x " + Pseudonymiser("k").value("a@b.cn", "email")
    assert scrub_text(pd.Series(["a@b.cn"]), key="k").iloc[0].startswith("E-")


def test_load_report_examples_of_identifier_columns_are_pseudonymised(tmp_path):
    from kit.data import io

    path = tmp_path / "t.csv"
    path.write_text("工单号,受理时间,联系电话,客户姓名\nT1,2025-01-01 08:00, 13912345678 , 王小明 \n", encoding="utf-8")
    _, report = io.load(path, "tickets")
    assert "13912345678" in " ".join(report.lines())
    safe = " ".join(privacy.safe_report(report, Pseudonymiser("k")).lines())
    assert "13912345678" not in safe and "王小明" not in safe and "P-" in safe
    assert privacy.safe_report(report, None) is report


def test_a_million_rows_quickly():
    rng = np.random.default_rng(0)
    n = 1_000_000
    phones = pd.Series(rng.integers(13_000_000_000, 19_999_999_999, 200_000).astype(str))
    df = pd.DataFrame({
        "customer_id": pd.Series([f"C{i:07d}" for i in rng.integers(0, 300_000, n)]),
        "phone": phones.sample(n, replace=True, random_state=0).to_numpy(),
        "comment": rng.choice(["服务很好", "太慢了", "请联系 13912345678", "mail a@b.cn", None], n),
        "nps": rng.integers(0, 11, n),
    })
    start = time.perf_counter()
    out = Pseudonymiser("k").frame(df)
    elapsed = time.perf_counter() - start
    assert elapsed < 15, f"{elapsed:.1f} s"
    assert not out["comment"].str.contains("13912345678|a@b.cn", na=False).any()
    assert out["phone"].str.match(PSEUDONYM).all()


# --- personal data found by header and by content -----------------------------------------------------

EXPORTS = Path(__file__).parent / "fixtures" / "exports"
TRUTH = json.loads((EXPORTS / "expected.json").read_text(encoding="utf-8"))["files"]
ANY_PSEUDONYM = re.compile(r"^(?:C|N|P|E|I|IP|L)-[0-9a-f]{10}$")
WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # GB 11643-1999, computed here rather than copied


def id_number(first17: str, valid: bool = True) -> str:
    check = "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]
    return first17 + (check if valid else "10X98765432".replace(check, "")[0])


def test_id_numbers_are_checked_by_their_check_character():
    valid = id_number("44030419900101001")
    assert privacy.id_card_valid(valid) and privacy.id_card_valid("11010519491231002X")
    assert privacy.id_card_valid("11010519491231002x"), "a lower-case x is the same check character"
    assert not privacy.id_card_valid(id_number("44030419900101001", valid=False))
    assert not privacy.id_card_valid(valid[:-1])


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_personal_data_headers_of_the_export_corpus_are_recognised(name):
    truth = TRUTH[name]
    for header in truth["pii_columns"]:
        assert privacy.header_kind(header), header
    for header, meaning in truth["columns"].items():
        if header not in truth["pii_columns"] and meaning != "customer_id":  # the kit pseudonymises customer ids
            assert privacy.header_kind(header) is None, header


@pytest.mark.parametrize("header, kind", [
    ("客户手机号", "phone"), ("联系电话", "phone"), ("手机", "phone"), ("电话号码", "phone"), ("3、您的手机号码（必填）", "phone"),
    ("邮箱", "email"), ("电子邮件", "email"), ("E-mail", "email"), ("Q5. Email Address", "email"),
    ("身份证号", "id_card"), ("身份证", "id_card"), ("证件号", "id_card"),
    ("姓名", "name"), ("客户姓名", "name"), ("联系人", "name"), ("First Name", "name"),
    ("来自IP", "ip"), ("IP地址", "ip"), ("IP Address", "ip"),
    ("微信号", "id"), ("QQ", "id"), ("用户ID", "id"),
    ("地址", "location"), ("详细地址", "location"), ("LocationLatitude", "location"),
    ("满意度", None), ("3、(电话)", None), ("3.您通过哪些渠道联系过我们？:电话", None), ("客服电话", None),
    ("回访人", None), ("工单号", None), ("Respondent ID", None), ("UserLanguage", None), ("地理位置省", None),
])
def test_header_wording_in_chinese_and_english(header, kind):
    assert privacy.header_kind(header) == kind


@pytest.mark.parametrize("name", ["crm_followup_gb18030.csv", "wjx_text_export.xlsx", "tickets_paged.csv"])
def test_an_export_is_safe_to_show_with_default_settings(name):
    from kit.data import io

    truth = TRUTH[name]
    frame, report = io.load(EXPORTS / name, "survey_responses" if truth["kind"] == "survey" else "tickets")
    pii = [report.header_map.get(h, h) for h in truth["pii_columns"]]
    assert set(pii) <= set(privacy.pii_columns(frame)), privacy.pii_columns(frame)
    safe = Pseudonymiser("k").frame(frame)
    for column in pii:
        assert safe[column].dropna().str.match(ANY_PSEUDONYM).all(), column
    shown = " ".join(safe.astype("string").stack().dropna())
    for column in pii:
        for value in frame[column].dropna().astype(str).str.strip():
            assert value not in shown, (column, value)
    for column in truth["pii_free_text_columns"]:
        column = report.header_map.get(column, column)
        phones = frame[column].dropna().str.extractall(r"(1[3-9]\d{9})")[0]
        assert len(phones) and not any(phone in shown for phone in phones), column


def test_content_alone_finds_personal_data_in_unnamed_columns():
    ids = [id_number(f"3201021985{m:02d}1{d}00{d}") for m, d in ((3, 1), (7, 2), (11, 3))]
    frame = pd.DataFrame({
        "col1": ["13912345678", "+86 150-1234-5678", "0755-86668888", None, "(010) 6234 5678"],
        "col2": ["li@example.com", "Wang.Fang+vip@Example.CN", "", None, "x@y.org"],
        "col3": [*ids, ids[0], None],
        "col4": ["36.110.150.211(江苏-南京)", "10.0.0.8", "192.168.1.20", "8.8.8.8", None],
        "col5": pd.array([13912345678, 15012345678, None, 18612345678, 13912345678], dtype="Int64"),
        "col6": ["198****9338", "139****5678", None, None, "150****0000"],
    })
    assert privacy.pii_columns(frame) == {"col1": "phone", "col2": "email", "col3": "id_card", "col4": "ip",
                                          "col5": "phone", "col6": "phone"}
    p = Pseudonymiser("k")
    safe = p.frame(frame)
    assert safe["col3"].dropna().str.startswith("I-").all() and safe["col4"].dropna().str.startswith("IP-").all()
    assert safe["col5"][0] == safe["col1"][0] == p.value("13912345678", "phone"), "one phone, one pseudonym"
    assert safe["col4"][0] == p.value("36.110.150.211", "ip")


@pytest.mark.parametrize("values", [
    [9, 10, 3, 7, 0],  # NPS
    ["1", "5", "4", "3", "2"],  # CSAT as text
    [4.5, 3.0, 5.0, None, 1.0],
    ["2025-03-01", "2025/3/5 8:57:35", "2025年3月1日", "3/10/2025 8:16:46", None],  # dates
    ["20250301001", "12345678901", "20250301002", "10000000001", "20250301003"],  # 11 digits, no mobile prefix
    ["GD202503010001", "T250301-001", "T250301-002", "GD202503010002", None],  # ticket ids
    [id_number(f"3201021985031100{d}", valid=False) for d in range(5)],  # well formed, wrong check character
    ["202501131234567890", "202501131234567891", "202501131234567892"],  # 18-digit order numbers
    ["149秒", "2分12秒", "45秒"], ["¥138.50", "1,391.50", "13912"], ["1.2.3", "v2.10.1", "2025.3.1"],
    ["电话", "微信", "门店", "APP", "400热线"],
    ["请回电 13912345678", "服务很好", "太慢了", "邮件 a@b.cn", "一般"],  # comments: scrubbed, not pseudonymised
])
def test_content_that_is_no_personal_data_is_not_flagged(values):
    assert privacy.content_kind(pd.Series(values)) is None


def test_a_date_column_is_not_read():
    assert privacy.content_kind(pd.Series(pd.to_datetime(["2025-03-01", "2025-03-02"]))) is None
    assert privacy.content_kind(pd.Series([True, False])) is None


def test_id_numbers_in_free_text_are_scrubbed():
    number = id_number("44030419900101001")
    p = Pseudonymiser("k")
    out = p.scrub(f"身份证号{number}，电话 13912345678，订单 202501131234567890")
    assert number not in out and p.value(number, "id_card") in out and "P-" in out and "202501131234567890" in out
    wrong = id_number("44030419900101001", valid=False)
    assert p.scrub(f"编号 {wrong}") == f"编号 {wrong}", "an invalid check character is no ID number"
    assert p.scrub("证件 11010519491231002x") == "证件 " + p.value("11010519491231002X", "id_card")
