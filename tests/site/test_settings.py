"""Production is configured from the environment and refuses to start half-configured."""

import os
import subprocess
import sys

import pytest

from tests import REPO_ROOT

ROOT = REPO_ROOT
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


# --- Booleans from the environment -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("TRUE", True), (" yes ", True), ("on", True),
     ("0", False), ("false", False), ("False", False), ("no", False), ("off", False)],
)  # fmt: skip
def test_a_boolean_setting_reads_the_usual_words_either_way(monkeypatch, value, expected):
    from tracker.settings import env_bool

    monkeypatch.setenv("DEALWATCH_TEST_FLAG", value)
    assert env_bool("DEALWATCH_TEST_FLAG", not expected) is expected


@pytest.mark.parametrize("default", [True, False])
def test_an_unset_or_empty_boolean_setting_takes_its_default(monkeypatch, default):
    from tracker.settings import env_bool

    monkeypatch.delenv("DEALWATCH_TEST_FLAG", raising=False)
    assert env_bool("DEALWATCH_TEST_FLAG", default) is default
    monkeypatch.setenv("DEALWATCH_TEST_FLAG", "")
    assert env_bool("DEALWATCH_TEST_FLAG", default) is default


@pytest.mark.parametrize("value", ["ture", "flase", "2", "enabled", "y es", "-"])
def test_a_boolean_setting_it_cannot_read_is_refused_naming_it_and_the_words_it_takes(
    monkeypatch, value
):
    from django.core.exceptions import ImproperlyConfigured

    from tracker.settings import env_bool

    monkeypatch.setenv("DEALWATCH_TEST_FLAG", value)
    with pytest.raises(ImproperlyConfigured) as refused:
        env_bool("DEALWATCH_TEST_FLAG", True)
    message = str(refused.value)
    assert "DEALWATCH_TEST_FLAG" in message and repr(value) in message
    assert all(word in message for word in ["1", "true", "yes", "on", "0", "false", "no", "off"])


def test_a_typo_in_a_boolean_variable_stops_the_site_at_start_up():
    result = start_django(DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stderr  # the control: the same start, spelled right
    result = start_django(
        DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="example.org", SECURE_SSL_REDIRECT="ture"
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECURE_SSL_REDIRECT='ture'" in result.stderr


# --- Password hashing --------------------------------------------------------------------------


@pytest.mark.real_password_hasher
def test_production_hashes_passwords_with_pbkdf2_or_argon2():
    """The suite signs in with a fast hasher (tests/conftest.py); this test opts out of it and
    checks what production uses."""
    from django.conf import settings
    from django.contrib.auth.hashers import get_hasher, make_password

    assert settings.PASSWORD_HASHERS[0].rsplit(".", 1)[1] in {
        "PBKDF2PasswordHasher",
        "Argon2PasswordHasher",
    }
    assert get_hasher().algorithm in {"pbkdf2_sha256", "argon2"}
    assert make_password("correct horse").split("$")[0] in {"pbkdf2_sha256", "argon2"}


def test_the_suite_hashes_passwords_with_the_fast_test_hasher():
    from django.contrib.auth.hashers import get_hasher

    assert get_hasher().algorithm == "md5"
