"""The `kit` command driven as a user drives it: a subprocess, its exit status and what it prints."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kit.data.schemas import KINDS

KIT = Path(sys.executable).with_name("kit")

TRAINER_EXPORT = """问卷编号,客户编号,提交时间,推荐值,满意度（1-5）,服务渠道,客户类型,开放意见
Q001,C01,2025/3/1 9:05,9,5,电话,个人客户,服务很好，很耐心
Q002,C02,2025年3月2日,10分,4,在线,企业客户,
Q003,C03,2025-03-03 14:00,{score},3,门店,个人客户,等待时间太长
"""


def kit(*args, lang="en", cwd=None):
    env = {**os.environ, "KIT_LANG": lang}
    return subprocess.run([str(KIT), *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


@pytest.fixture
def export(tmp_path):
    def write(score):
        path = tmp_path / "满意度调查.csv"
        path.write_bytes(TRAINER_EXPORT.format(score=score).encode("gb18030"))
        return path

    return write


def test_help_lists_commands_in_both_languages():
    en = kit("--help")
    assert en.returncode == 0 and "demo" in en.stdout and "data" in en.stdout
    zh = kit("data", "--help", lang="zh")
    assert zh.returncode == 0 and "检查" in zh.stdout and "check" in zh.stdout


def test_check_accepts_a_gb18030_export_with_chinese_headers(export):
    result = kit("data", "check", export(6), "--kind", "survey_responses")
    assert result.returncode == 0, result.stderr
    assert "3 rows are valid as survey_responses" in result.stdout
    assert "gb18030" in result.stdout.lower()


def test_check_rejects_nps_15_naming_row_and_column(export):
    for lang, row_words in (("en", "row(s) 4"), ("zh", "Excel 行号 4")):
        result = kit("data", "check", export(15), "--kind", "survey_responses", lang=lang)
        assert result.returncode == 2
        assert row_words in result.stderr and "推荐值" in result.stderr and "15" in result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    "args, words",
    [
        (["data", "check", "nowhere.csv", "--kind", "survey_responses"], "does not exist"),
        (["data", "check", "{export}", "--kind", "surveys"], "no table kind called 'surveys'"),
        (["--lang", "fr", "data", "docs", "--check"], "'fr' is not supported"),
    ],
)
def test_user_errors_are_one_paragraph_and_exit_2(export, args, words):
    result = kit(*[a.replace("{export}", str(export(6))) for a in args])
    assert result.returncode == 2 and words in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_option_is_a_usage_error(export):
    result = kit("data", "check", export(6))
    assert result.returncode == 2 and "--kind" in result.stderr


def test_synth_writes_every_table_reproducibly(tmp_path):
    first = kit("data", "synth", "--out", tmp_path / "a", "--survey", 400, "--tickets", 120, "--trainees", 12, "--seed", 3)
    kit("data", "synth", "--out", tmp_path / "b", "--survey", 400, "--tickets", 120, "--trainees", 12, "--seed", 3)
    assert first.returncode == 0, first.stderr
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == sorted(f"{kind}.csv" for kind in KINDS)
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    for kind in KINDS:
        checked = kit("data", "check", tmp_path / "a" / f"{kind}.csv", "--kind", kind)
        assert checked.returncode == 0, checked.stderr


def test_demo_writes_reports_in_both_languages_and_prints_their_paths(tmp_path):
    result = kit("demo", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    printed = [Path(line.strip()) for line in result.stdout.splitlines() if line.strip().startswith(str(tmp_path))]
    assert sorted(p.name for p in printed) == sorted(
        f"{report}.{lang}.{suffix}" for report in ("cx-report", "cohort-report") for lang in ("en", "zh")
        for suffix in ("html", "ipynb")
    )
    assert all(p.stat().st_size > 10_000 for p in printed)
    page = (tmp_path / "cx-report.zh.html").read_text(encoding="utf-8")
    assert '<p class="kit-title">客户体验报告</p>' in page and "<h2" in page  # titled once, by the page header


def test_the_help_and_error_frames_speak_the_users_language():
    """Typer's panel titles, tags and error box follow KIT_LANG, like the kit's own texts inside them."""
    zh = kit("report", "cx", "--help", lang="zh").stdout
    assert "─ 选项 ─" in zh and "[必填]" in zh and "[默认：" in zh
    assert "─ Options ─" not in zh and "[required]" not in zh and "[default:" not in zh
    error = kit("report", "cx", lang="zh")
    assert error.returncode == 2 and "─ 错误 ─" in error.stderr and "运行 'kit report cx --help' 查看帮助" in error.stderr
    en = kit("report", "cx", "--help").stdout
    assert "─ Options ─" in en and "[required]" in en and "选项" not in en
