"""kit.privacy: keyed pseudonyms for customer identifiers, and phones / e-mails scrubbed out of free text."""

import re
import time

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
