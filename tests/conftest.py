"""Shared fixtures: a headless Chromium (Debian's package, driven by Playwright); every test starts in the
language of KIT_LANG."""

import os
from pathlib import Path

import pytest

pytest_plugins = ["postgres"]  # tests/postgres.py: the `postgres_url` fixture (a throwaway PostgreSQL server)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [  # no sandbox as root; no calls to the internet from a closed network
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


@pytest.fixture(autouse=True)
def _language_of_the_environment():
    """Code run in the test's process (grading a submission, an exercise, a CLI callback) may set the message
    language process-wide; the next test on the same worker starts from KIT_LANG again."""
    from kit import i18n

    yield
    i18n.set_lang(None)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium; skipped on a developer machine without it, an error in CI (`make test` installs it)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: `make test` installs it with scripts/system-deps.sh")
        pytest.skip("Chromium is not installed (sudo apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _sample(kind: str):
    from kit.data import io
    from kit.paths import SAMPLE

    return io.load(SAMPLE / f"{kind}.csv", kind)[0]


@pytest.fixture(scope="module")
def survey():
    """The committed sample survey responses, loaded and validated."""
    return _sample("survey_responses")


@pytest.fixture(scope="module")
def tickets():
    """The committed sample complaint tickets."""
    return _sample("tickets")


@pytest.fixture(scope="module")
def snapshots():
    """The committed sample KPI snapshots."""
    return _sample("kpi_snapshots")


@pytest.fixture
def figures_closed():
    """The kit theme (a CJK font) for the test, and no matplotlib figure left open after it."""
    import matplotlib.pyplot as plt

    from kit import plots

    plots.set_theme()
    plt.close("all")
    yield
    assert plt.get_fignums() == [], "figures are closed after drawing"
