"""Printing a page to PDF: what the user is told when there is no browser or it fails (the printing itself is
checked on a real report in tests/test_report_cli.py)."""

import pytest

from kit.errors import KitError
from kit.pipeline import pdf


def test_no_browser_is_one_paragraph_naming_what_to_install(monkeypatch, tmp_path):
    monkeypatch.delenv("KIT_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(KitError) as info:
        pdf.print_pdf(tmp_path / "page.html")
    assert info.value.code == "pdf_no_browser"
    assert "apt-get install chromium" in info.value.render("en") and "KIT_CHROMIUM" in info.value.render("zh")


def test_a_browser_that_writes_no_pdf_is_reported_with_its_last_words(monkeypatch, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("KIT_CHROMIUM", str(fake))
    page = tmp_path / "page.html"
    page.write_text("<p>你好</p>", encoding="utf-8")
    with pytest.raises(KitError) as info:
        pdf.print_pdf(page)
    assert info.value.code == "pdf_failed" and "cannot open display" in info.value.render("en")
    assert not page.with_suffix(".pdf").exists()
