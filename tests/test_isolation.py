"""The isolation layer (bubblewrap command, the host check, the refusal without it) and the judge process."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from kit.errors import KitError
from kit.grading import isolation
from kit.grading.judge import JudgeError, judge
from kit.grading.spec import Question, Spec


def jail(tmp_path, uid=None):
    (tmp_path / "sockets").mkdir(exist_ok=True)
    return isolation.Jail(home=str(tmp_path / "home"), sockets=str(tmp_path / "sockets"),
                          read_only=(sys.base_prefix, sys.prefix, "/", "/usr/lib", "/nonexistent-kit"),
                          env={"PATH": "/usr/bin", "KIT_LANG": "zh"}, disk=2**20, uid=uid)


def test_the_command_binds_only_what_it_names(tmp_path):
    argv = isolation.command(jail(tmp_path, uid=isolation.UID_RANGE[0] + 5), ["python", "-c", "pass"])
    pairs = {(argv[i], argv[i + 1]) for i in range(len(argv) - 1)}
    binds = [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg in ("--ro-bind", "--bind")]
    assert "/" not in binds and "/etc" not in binds and "/proc" not in binds and "/home" not in binds
    assert os.path.realpath(sys.base_prefix) in binds and "/usr" in binds and "/usr/lib" not in binds
    assert ("--bind", str(tmp_path / "sockets")) in pairs  # the only writable host folder
    assert argv[argv.index("--tmpfs", argv.index("/dev/shm") + 1) + 1] == str(tmp_path / "home")
    assert "--clearenv" in argv and ("--setenv", "KIT_LANG") in pairs
    assert {"--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"} <= set(argv)
    tail = argv[argv.index("--") + 1:]
    assert tail[0].endswith("setpriv") and f"--reuid={isolation.UID_RANGE[0] + 5}" in tail
    assert "--no-new-privs" in tail and tail[-3:] == ["python", "-c", "pass"]


def test_a_placeholder_keeps_the_graders_uid_and_bwrap_reports_its_pid(tmp_path):
    argv = isolation.command(jail(tmp_path, uid=isolation.UID_RANGE[0] + 5), ["sleep", "1"], info_fd=9,
                             placeholder=True)
    assert argv[argv.index("--info-fd") + 1] == "9" and "setpriv" not in " ".join(argv)
    assert argv[argv.index("--") + 1:] == ["sleep", "1"]
    assert "--tmpfs" in argv and ("--bind", str(tmp_path / "sockets")) in set(zip(argv, argv[1:], strict=False))


def test_without_root_the_kernel_keeps_the_callers_uid_in_a_user_namespace(tmp_path):
    argv = isolation.command(jail(tmp_path, uid=None), ["true"])
    assert "--unshare-user" in argv and "--disable-userns" in argv and "setpriv" not in " ".join(argv)


def test_uids_are_unprivileged_and_differ(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    uids = {isolation.new_uid() for _ in range(50)}
    assert len(uids) > 45 and all(isolation.UID_RANGE[0] <= uid < isolation.UID_RANGE[1] for uid in uids)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert isolation.new_uid() is None


@pytest.mark.skipif(isolation.problem() is not None, reason="this host cannot isolate")
def test_a_process_in_the_jail_sees_only_what_it_was_given(tmp_path):
    argv = isolation.command(jail(tmp_path, uid=isolation.new_uid()), [
        "/bin/sh", "-c", "id -u; ls /proc | grep -c '^[0-9]'; ls /etc; echo x > /tmp/x 2>&1 || echo no-tmp;"
        " head -c 2000000 /dev/zero > $HOME/f 2>/dev/null || echo full; env | sort"])
    argv[argv.index("--setenv") + 1:argv.index("--setenv") + 3] = ["HOME", str(tmp_path / "home")]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    lines = done.stdout.split()
    assert int(lines[0]) >= isolation.UID_RANGE[0] or os.geteuid() != 0
    assert int(lines[1]) <= 4  # bubblewrap's init, the shell and its pipeline: none of the host's processes
    assert "ssh" not in lines and "passwd" not in lines and "shadow" not in lines
    assert "no-tmp" in lines and "full" in lines
    assert [line for line in lines if "=" in line and not line.startswith(("HOME=", "KIT_LANG=", "PWD=",
                                                                           "PATH=", "SHLVL=", "_="))] == []


def test_grading_is_refused_without_isolation_unless_trusted(tmp_path, monkeypatch):
    from kit.grading.authoring import build_spec, read_master
    from kit.grading.batch import grade_folder
    from kit.grading.gradebook import Gradebook
    from kit.i18n import set_lang

    monkeypatch.setattr(isolation, "problem", lambda: "bubblewrap (bwrap) is not installed")
    (tmp_path / "subs").mkdir()
    spec = build_spec("metrics", read_master("metrics"))
    with Gradebook(f"sqlite:///{tmp_path / 'gb.sqlite'}") as book:
        with pytest.raises(KitError) as refused:
            grade_folder(spec, tmp_path / "subs", book, out=tmp_path / "out", progress=False)
        summary = grade_folder(spec, tmp_path / "subs", book, out=tmp_path / "out", progress=False, isolate=False)
    assert summary.errors == []
    assert "bubblewrap (bwrap) is not installed" in str(refused.value) and "--trust-submissions" in str(refused.value)
    set_lang("zh")
    try:
        assert "无法在隔离的沙箱中运行学员代码" in refused.value.render("zh")
    finally:
        set_lang("en")


@pytest.mark.slow
def test_trusted_grading_runs_without_namespaces(tmp_path):
    from nbformat import v4

    from kit.grading.runner import run_submission
    from kit.grading.sandbox import Limits

    nb = v4.new_notebook(cells=[
        v4.new_code_cell('trainee_id = "x"', metadata={"tags": ["parameters"]}),
        v4.new_code_cell("import os\nq1 = [os.getuid() == os.geteuid(), len(os.listdir('/proc')) > 3]",
                         metadata={"nbgrader": {"grade_id": "q1"}})])
    run = run_submission(nb, {"q1": {"form": "items"}}, {"trainee_id": "t"}, Limits(cell_timeout=30), tmp_path,
                         isolate=False)
    assert run.fault == "" and run.answers["q1"][0] is True


# ------------------------------------------------------------------------------------------------- the judge

SPEC = Spec("metrics", "metrics", (Question("q1", "auto", 2.0, "expect.number(q1, 5.0, tolerance=0.5)",
                                            form={"form": "number"}),))


def judged(entries, spec=SPEC, **kwargs):
    options = {"trainee_id": "t", "seed": 0, "lang": "en", "memory": 3 * 2**30, "timeout": 60, **kwargs}
    return judge(spec, entries, **options)


def test_the_judge_grades_in_a_child_and_returns_plain_results():
    (result,) = judged({"q1": {"json": 5.2}})
    assert (result.qid, result.score, result.points) == ("q1", 2.0, 2.0)
    (result,) = judged({"q1": {"refused": "too_large", "detail": "2000 > 1000"}})
    assert result.score == 0.0 and result.reason == \
        "✗ Your answer was not accepted: it is too large (2000 > 1000 characters of data)."


def test_the_judge_stops_tests_that_run_too_long_or_use_too_much_memory():
    slow = Spec("metrics", "metrics", (Question("q1", "auto", 1.0, "while True: pass", form={"form": "number"}),))
    started = time.monotonic()
    with pytest.raises(JudgeError) as timed_out:
        judged({"q1": {"json": 1}}, spec=slow, timeout=2)
    assert timed_out.value.code == "timeout" and time.monotonic() - started < 20
    hungry = Spec("metrics", "metrics", (Question("q1", "auto", 1.0, "x = bytearray(8 * 2**30)",
                                                  form={"form": "number"}),))
    (result,) = judged({"q1": {"json": 1}}, spec=hungry, memory=2 * 2**30)  # the limit holds, the test fails
    assert result.score == 0.0 and "MemoryError" in result.reason
    (result,) = judged({"q1": {"json": 5.0}})  # the server still serves
    assert result.score == 2.0


def test_a_test_that_prints_does_not_break_the_judges_protocol():
    noisy = Spec("metrics", "metrics", (Question("q1", "auto", 1.0, "print('x' * 100000)\nexpect.number(q1, 1.0)",
                                                 form={"form": "number"}),))
    (result,) = judged({"q1": {"json": 1.0}}, spec=noisy)
    assert result.score == 1.0
