"""`kit report cohort|trainee|cx` driven as a trainer drives them: a subprocess on the sample data, on a
gradebook, on a small roster with hostile names, and on bad input; every page through the browser check."""

import os
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from checkout import outputs_in_checkout
from htmlcheck import HOSTILE, assert_inert, check_page

from kit.data import io, synth
from kit.grading.gradebook import Gradebook
from kit.grading.results import GRADED, QuestionResult, SubmissionResult
from kit.paths import SAMPLE

KIT = Path(sys.executable).with_name("kit")
HOSTILE_NAME = f"{HOSTILE[0]} **Qiuxiang** {HOSTILE[1]}"


def kit(*args, lang="en"):
    env = {**os.environ, "KIT_LANG": lang}
    return subprocess.run([str(KIT), *map(str, args)], capture_output=True, text=True, env=env, timeout=900)


def wrote(result, suffix=".html") -> list[Path]:
    return [Path(p) for p in re.findall(r"^\s+(/\S+)$", result.stdout, re.M) if p.endswith(suffix)]


def on_a_terminal(*args, lang="en", cwd=None, columns=120, timeout=900) -> tuple[int, str]:
    """Run ``kit`` with stdin, stdout and stderr on a pseudo-terminal, as in a trainer's terminal window; returns its
    exit status and everything it showed, terminal control sequences removed."""
    env = {key: value for key, value in os.environ.items() if key not in ("TTY_COMPATIBLE", "TTY_INTERACTIVE",
                                                                           "NO_COLOR", "FORCE_COLOR")}
    env.update(KIT_LANG=lang, TERM="xterm-256color", COLUMNS=str(columns))
    main, child = os.openpty()
    process = subprocess.Popen([str(KIT), *map(str, args)], stdin=child, stdout=child, stderr=child, env=env, cwd=cwd)
    os.close(child)
    shown, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if select.select([main], [], [], 1)[0]:
                try:
                    data = os.read(main, 65536)
                except OSError:  # the terminal closed: the command has ended
                    break
                if not data:
                    break
                shown.append(data)
            elif process.poll() is not None:
                break
    finally:
        os.close(main)
        if process.poll() is None:
            process.kill()
    text = b"".join(shown).decode("utf-8", "replace")
    return process.wait(timeout=60), re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07", "", text)



@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A roster of 6 trainees (one with a hostile name and comment) with all their tables, as CSV exports."""
    folder = tmp_path_factory.mktemp("small")
    tables = synth.sample(0, n_survey=1500, n_tickets=50, n_trainees=6)
    tables["trainees"].loc[0, "name"] = HOSTILE_NAME
    tables["trainees"]["lang"] = ["zh", "en", "zh", "en", "zh", "en"]
    tables["reaction"].loc[0, "improve"] = HOSTILE[1]
    for kind in ("trainees", "marks", "reaction", "observations", "ninegrid", "survey_responses"):
        io.save(tables[kind], folder / f"{kind}.csv", kind)
    return folder


def gradebook(folder: Path, trainees) -> str:
    url = f"sqlite:///{folder / 'gradebook.sqlite'}"
    with Gradebook(url) as book:
        for i, trainee in enumerate(trainees):
            questions = (QuestionResult("q1", "auto", 2.0, float(i % 3), ""), QuestionResult("q2", "auto", 3.0, 3.0, ""),
                         QuestionResult("q3", "manual", 4.0, None, "", answer=HOSTILE[0]))
            book.record(SubmissionResult("metrics", trainee, f"h{i}", GRADED, questions=questions))
    return url


def test_cohort_report_on_the_sample_data_in_chinese(tmp_path, browser):
    result = kit("report", "cohort", "--cohort", "2025-B", "--lang", "zh", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    (page,) = wrote(result)
    assert page.name == "cohort-2025-B.zh.html" and page.with_suffix(".ipynb").exists()
    text = check_page(browser, page, headings=["摘要", "10. 全部发现与行动建议"])
    assert "S025" in text and "S001" not in text, "only the cohort's own trainees"


def test_cohort_report_from_a_gradebook_shows_hostile_names_as_text_only_when_asked(tmp_path, small, browser):
    url = gradebook(tmp_path, [f"S00{i}" for i in range(1, 7)])
    named = kit("report", "cohort", "--data", small, "--gradebook", url, "--no-anonymize", "--out", tmp_path / "named")
    assert named.returncode == 0, named.stderr
    (page,) = wrote(named)
    assert_inert(browser, page)
    html = page.read_text(encoding="utf-8")
    assert "M4" in html and "metrics" in html, "exercise marks from the gradebook"
    default = kit("report", "cohort", "--data", small, "--gradebook", url, "--out", tmp_path / "anon")
    assert default.returncode == 0, default.stderr
    (page,) = wrote(default)
    assert "Qiuxiang" not in page.read_text(encoding="utf-8") and HOSTILE[1] in check_page(browser, page)


def test_every_trainee_report_in_parallel_in_each_trainees_language(tmp_path, small, browser):
    result = kit("report", "trainee", "--all", "--data", small, "--workers", "2", "--out", tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    pages = sorted(tmp_path.glob("*.html"))
    assert [p.name for p in pages] == [f"trainee-S00{i}.{lang}.html" for i, lang in
                                       zip(range(1, 7), ["zh", "en", "zh", "en", "zh", "en"], strict=True)]
    assert "6" in result.stdout
    progress = re.findall(r"^(\d)/6 done: .+ · S00\d$", result.stderr, re.M)  # a plain line per report, no bar
    assert progress == ["1", "2", "3", "4", "5", "6"] and "\r" not in result.stderr, result.stderr
    for page in pages[:2]:
        lang = page.suffixes[0].strip(".")
        check_page(browser, page, headings=["一览" if lang == "zh" else "At a glance"])
    assert_inert(browser, pages[0], texts=[HOSTILE_NAME])


def test_a_batch_on_a_terminal_shows_a_progress_bar_and_writes_under_the_working_folder(tmp_path, small):
    """In a terminal the batch shows a bar with the count done, the time per report and the time left, in the
    user's language; without --out the pages go to ./kit-out/reports/trainees, not into the kit's checkout."""
    before = outputs_in_checkout()
    status, shown = on_a_terminal("report", "trainee", "--all", "--data", small, "--workers", "2", lang="zh",
                                  cwd=tmp_path)
    assert status == 0, shown
    assert "学员报告" in shown and "6/6" in shown, shown
    assert re.search(r"每份 \d+\.\d 秒", shown) and "剩余 0:00:00" in shown, shown  # pace and time left
    out = tmp_path.resolve() / "kit-out" / "reports" / "trainees"
    assert sorted(p.name for p in out.glob("*.html")) == [f"trainee-S00{i}.{lang}.html" for i, lang in
                                                         zip(range(1, 7), ["zh", "en"] * 3, strict=True)]
    assert str(out) in re.sub(r"\s*\n\s*", "", shown)  # where they went, however the terminal wrapped it
    assert outputs_in_checkout() - before == set(), "nothing written into the kit's checkout"


def test_one_trainee_report_and_the_errors_a_trainer_can_make(tmp_path):
    one = kit("report", "trainee", "--trainee", "S030", "--lang", "en", "--out", tmp_path)
    assert one.returncode == 0, one.stderr
    assert [p.name for p in wrote(one)] == ["trainee-S030.en.html"]
    unknown = kit("report", "trainee", "--trainee", "S999", "--out", tmp_path, lang="zh")
    assert unknown.returncode == 2 and "S999" in unknown.stderr and "不在名册中" in unknown.stderr
    nobody = kit("report", "trainee", "--out", tmp_path)
    assert nobody.returncode == 2 and "--all" in nobody.stderr
    cohort = kit("report", "cohort", "--cohort", "2030-Z", "--out", tmp_path)
    assert cohort.returncode == 2 and "2025-A, 2025-B" in cohort.stderr and "Traceback" not in cohort.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    roster = kit("report", "cohort", "--data", empty, "--out", tmp_path)
    assert roster.returncode == 2 and "trainees.csv" in roster.stderr


def test_cx_report_keeps_customers_private_by_default(tmp_path, browser):
    tickets = io.load(SAMPLE / "tickets.csv", "tickets")[0]
    result = kit("report", "cx", "--data", SAMPLE / "survey_responses.csv", "--complaints", SAMPLE / "tickets.csv",
                 "--kano", SAMPLE / "kano_answers.csv", "--lang", "zh", "--out", tmp_path, "--pdf")
    assert result.returncode == 0, result.stderr
    (page,) = wrote(result)
    (pdf,) = wrote(result, ".pdf")  # the same page on A4, one section per page at least
    printed = pdf.read_bytes()
    assert printed[:5] == b"%PDF-" and pdf.with_suffix(".html") == page
    sizes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", printed)
    assert len(sizes) >= 10 and {(round(float(w)), round(float(h))) for w, h in sizes} == {(595, 842)}
    check_page(browser, page, headings=["摘要"])
    html = page.read_text(encoding="utf-8")
    for column in ("phone", "email", "customer_id"):
        leaked = [v for v in tickets[column].dropna().unique() if v in html]
        assert not leaked, f"{column}: {leaked[:3]}"


def test_cx_report_stops_on_bad_data_with_one_paragraph(tmp_path):
    bad = tmp_path / "survey.csv"
    shutil.copy(SAMPLE / "survey_responses.csv", bad)
    lines = bad.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[5].split(",")
    row[header.index("nps")] = "11"
    lines[5] = ",".join(row)
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = kit("report", "cx", "--data", bad, "--out", tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "11" in result.stderr and "6" in result.stderr and "survey.csv" in result.stderr, result.stderr
    assert not list(tmp_path.glob("*.ipynb")), "the file is checked before a kernel starts"
    missing = kit("report", "cx", "--data", tmp_path / "nope.csv", "--out", tmp_path)
    assert missing.returncode == 2 and "nope.csv" in missing.stderr
