"""Production is configured from the environment and refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# A key like one made with secrets.token_urlsafe(50): long, random, not the placeholder.
GOOD_KEY = "kq3Xr9-Vw2pZ8mT1bN6yH4cJ7fL0sD5gA-uE2iO9rW3tY6xB8nM1vC4zQ7hK0jP"


def start_django(**env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_debug_and_secret_key_the_site_refuses_to_start_with_a_clear_message():
    result = start_django(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_with_a_secret_key_production_settings_start():
    result = start_django(DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "change-me-to-a-long-random-string",  # the one .env.example shipped
        "insecure-development-key-do-not-use-in-production",
        "django-insecure-" + "a1b2c3d4e5" * 5,
        "short-but-random-Zx81",
        "x" * 64,
    ],
)
def test_with_debug_off_a_placeholder_or_weak_secret_key_is_refused(key):
    result = start_django(DEBUG="0", SECRET_KEY=key, ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "secrets.token_urlsafe" in result.stderr
