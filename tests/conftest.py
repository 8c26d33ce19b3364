import pytest


@pytest.fixture(autouse=True)
def _email_in_memory(settings):
    """Tests never send real email unless a test starts its own SMTP server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture(autouse=True)
def _fresh_content_version():
    """Pages and aggregates cached in an earlier test (whose rows were rolled back) are never
    read: a new content version, without flushing a cache other processes may share."""
    from deals.cache import content_changed

    content_changed()


# --- Browser tests (tests/browser.py) -------------------------------------------------------


@pytest.fixture
def browser(monkeypatch):
    """Headless Chromium; ask for the test's data before it (tests/browser.py says why)."""
    from tests.browser import chromium

    with chromium(monkeypatch) as browser:
        yield browser


@pytest.fixture
def shots(tmp_path):
    """Where screenshots go: $DEALWATCH_SCREENSHOTS, else the test's temporary directory."""
    from tests.browser import screenshot_folder

    return screenshot_folder(tmp_path)
