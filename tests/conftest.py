"""Fixtures every test module shares.

- `make test` runs the suite on every core (pytest-xdist): each worker has its own test
  database and cache key prefix; the tests that start servers of their own pick ports and Redis
  databases that another worker's cannot take (tests/servers.py, the Celery tests' lock).
- Every test: email kept in memory, Celery eager, a fresh content version (no page cached by an
  earlier test is read), and a fast password hasher (MD5: PBKDF2's 870,000 rounds made each
  sign-in take a quarter of a second). Only a test marked `real_password_hasher` keeps
  production's hasher (tests/site/test_settings.py checks it).
- `empty_cache`: this worker's cache emptied before and after a test.
- `editor`: a staff user in the Editors group, signed in on `client`.
- `world`: the Microsoft/Alphabet world of tests/worlds.py, built once per module in a
  transaction rolled back at the module's end, each test in a savepoint inside it (Django's
  setUpTestData, for pytest functions; the comment above the fixture says why and how).
- `demo_world`: the demo deals loaded once per module, the same way.
- Browser tests: `browser` and `shots` (tests/browser.py).
"""

import contextlib
import copy
import os

import pytest

FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config):
    """Under `make test`'s workers (pytest-xdist) each worker has its own test database
    (pytest-django names it) and, here, its own cache keys: with Redis shared, one worker's
    content version or rate-limit counts must not be another's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        from django.conf import settings

        settings.CACHES["default"]["KEY_PREFIX"] = f"test-{worker}"


@pytest.fixture(autouse=True)
def _fast_password_hasher(request, settings):
    """MD5 for test users' passwords: tests sign in by the hundred and never defend a real one."""
    if request.node.get_closest_marker("real_password_hasher") is None:
        settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


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


@pytest.fixture
def empty_cache():
    """An empty cache before and after the test (rate-limit counts, cached figures): only this
    test worker's keys, so that another worker sharing the Redis keeps its own."""
    from django.core.cache import cache

    def empty():
        client = getattr(cache, "_cache", None)
        if hasattr(client, "get_client"):  # Redis: FLUSHDB would empty every worker's keys
            redis = client.get_client(write=True)
            keys = list(redis.scan_iter(match=f"{cache.key_prefix}:*" if cache.key_prefix else "*"))
            if keys:
                redis.delete(*keys)
        else:
            cache.clear()

    empty()
    yield
    # A test that pointed the cache at a server that is down leaves nothing to empty.
    with contextlib.suppress(Exception):
        empty()


@pytest.fixture
def editor(client, django_user_model):
    """A member of staff in the Editors group (the permissions an editor has and no more),
    signed in on `client`."""
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        "eddie", "eddie@example.org", "pw-eddie-123", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return user


# --- The Microsoft/Alphabet world (tests/worlds.py), built once per module ---------------------
#
# Building it takes some 60 queries; test_api.py alone has 70 tests over it. So it is built once
# per module, inside a transaction that stays open until the module's last test and is then
# rolled back; each test runs in a savepoint inside it (pytest-django's `db`, as a Django
# TestCase does), so what a test writes is undone after it, as before. This is Django's
# `TestCase.setUpTestData` for pytest functions, chosen over TestCase classes to keep the
# modules' plain test functions and fixtures. Like setUpTestData, each test gets its own deep
# copy of the objects, so changing one in memory cannot leak into the next test.
#
# A module that asks for the world should ask for it in every test (pytestmark's usefixtures):
# a test that runs after the first one would see its rows anyway. Tests that need their own
# committed transactions (`transactional_db`) cannot share a module with it.


def built_once_per_module(django_db_blocker, build):
    """Run `build()` in a transaction that stays open for the module and is rolled back after
    its last test; yields what `build` returned (the body of a module-scoped world fixture)."""
    from django.db import transaction

    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        block._from_testcase = True  # as TestCase's own blocks: durable blocks may nest in it
        try:
            world = build()
        except BaseException:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)
            raise
    yield world
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        block.__exit__(None, None, None)


@pytest.fixture(scope="module")
def _world_of_the_module(django_db_setup, django_db_blocker):
    from tests.worlds import microsoft_alphabet_world

    yield from built_once_per_module(django_db_blocker, microsoft_alphabet_world)


@pytest.fixture
def world(_world_of_the_module, db):
    """The Microsoft/Alphabet world (tests/worlds.py): rows built once per module, objects
    copied for each test."""
    return copy.deepcopy(_world_of_the_module)


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo deals (demo/data.py), loaded by `manage.py load_demo` once for the module in the
    same way as `world`; `.output` is what that first load printed. A module that asks for it
    cannot also need an empty database: the demo stays loaded until the module ends."""
    from tests.worlds import demo_loaded

    yield from built_once_per_module(django_db_blocker, demo_loaded)


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
