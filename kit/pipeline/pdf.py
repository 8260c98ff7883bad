"""An A4 PDF of a kit page, printed by headless Chromium with the page's own print stylesheet.

Pages from :func:`kit.pipeline.export.export_html` are self-contained, so printing needs no network; their print
CSS sets A4 and its margins, hides the table of contents, starts each section on a new page and keeps figures and
table rows whole. Chromium is found as ``KIT_CHROMIUM`` or on the PATH (``scripts/system-deps.sh`` installs
Debian's ``chromium``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from kit.errors import KitError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-gpu", "--no-pdf-header-footer")  # no calls out, no GPU, no browser header and footer


def browser() -> str:
    """The Chromium to print with: ``KIT_CHROMIUM``, else the first of :data:`BROWSERS` on the PATH."""
    found = os.environ.get("KIT_CHROMIUM") or next(filter(None, map(shutil.which, BROWSERS)), None)
    if not found:
        raise KitError("pdf_no_browser", names=", ".join(BROWSERS))
    return found


def print_pdf(html, pdf=None, timeout: float = 180) -> Path:
    """Print the page ``html`` to ``pdf`` (default: beside it, ``.pdf``) and return its path."""
    html = Path(html)
    pdf = Path(pdf) if pdf else html.with_suffix(".pdf")
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="kit-pdf-") as profile:
        command = [browser(), "--headless", *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
                   html.resolve().as_uri()]
        if os.geteuid() == 0:  # Chromium refuses to run as root inside its own sandbox
            command.insert(2, "--no-sandbox")
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise KitError("pdf_failed", file=html, detail=f"no PDF after {timeout:.0f} s") from exc
    if not pdf.is_file() or _magic(pdf) != b"%PDF-":
        detail = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise KitError("pdf_failed", file=html, detail=detail)
    return pdf


def _magic(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(5)
