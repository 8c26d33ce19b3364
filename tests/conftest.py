import pytest


@pytest.fixture(autouse=True)
def _email_in_memory(settings):
    """Tests never send real email unless a test starts its own SMTP server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
