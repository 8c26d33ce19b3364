"""What the browser tests share: Debian's Chromium driven by Playwright, axe-core for
accessibility, and where screenshots go.

Importing it skips the importing test module when Chromium is missing, except in CI, which
installs Chromium (.ci/run): there a missing browser fails.
"""

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError("Chromium is not installed: apt-get install chromium")
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@contextlib.contextmanager
def chromium(monkeypatch) -> Iterator:
    """A headless Chromium for one test. Ask for the test's data before it: the ORM must not
    open a connection inside Playwright's context, where pytest-django cannot close it before
    dropping the test database."""
    # Playwright runs an event loop in this thread; the ORM calls of the test stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def screenshot_folder(tmp_path: Path) -> Path:
    """$DEALWATCH_SCREENSHOTS (to keep them, as for the README's pictures), else tmp_path."""
    folder = Path(os.environ.get("DEALWATCH_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def no_axe_violations(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
