"""Redis down or hung never takes the public site down (issue 19, finding 1).

Each test starts a Redis of its own (tests/redis_server.py), makes it the cache with the
production settings (tracker/settings.py read with DEBUG=0: the fail-safe backend, its
timeouts, the page and fragment caches on), serves every public page once so that the cache is
in use, then kills or hangs that Redis by its PID and serves them all again: each answers 200
from the database, and subscribing answers 503 "cannot take subscription requests right now"
(a rate limit that cannot be counted is no limit).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.core import mail
from django.test import Client

from deals.models import Company, Deal, Regulator
from tests import REPO_ROOT
from tests.redis_server import production_cache_settings, redis_server

PAUSED = "cannot take subscription requests right now"


@pytest.fixture
def cache_redis(settings):
    """A Redis of the test's own as the cache, configured as in production."""
    with redis_server() as server:
        production = production_cache_settings(server.url)
        assert production["CACHES"]["default"]["LOCATION"] == server.url
        settings.CACHES = production["CACHES"]  # Django then drops the cache objects it made
        settings.PAGE_CACHE = production["PAGE_CACHE"]
        settings.FRAGMENT_CACHE = production["FRAGMENT_CACHE"]
        assert settings.PAGE_CACHE and settings.FRAGMENT_CACHE
        yield server


@pytest.fixture
def public_urls() -> list[str]:
    deal = Deal.objects.published().order_by("pk").first()
    company = Company.objects.filter(parties__deal=deal).order_by("pk").first()
    regulator = Regulator.objects.order_by("pk").first()
    return [
        "/",
        "/deals/",
        "/inquiries/",
        "/companies/",
        "/regulators/",
        regulator.get_absolute_url(),
        "/deadlines/",
        "/stats/",
        "/deals/feed/",
        "/feed/",
        "/api/v1/deals/",
        "/deals/export.csv",
        "/deadlines/calendar.ics",
        deal.get_absolute_url(),
        company.get_absolute_url(),
    ]


class StillWaiting(BaseException):
    """Not an Exception: Django must not turn it into a 500 page and go on to the next wait."""


@contextlib.contextmanager
def at_most(seconds: int):
    """Fail instead of waiting for ever (a client without timeouts waits on a hung Redis until
    it is resumed)."""

    def expired(signum, frame):
        raise StillWaiting(f"still waiting after {seconds} s")

    if threading.current_thread() is not threading.main_thread():  # no signals there
        yield
        return
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def served(client: Client, urls: list[str]) -> dict[str, tuple[int, float]]:
    """Each address's status and seconds taken."""
    answers = {}
    for url in urls:
        started = time.monotonic()
        response = client.get(url)
        answers[url] = (response.status_code, time.monotonic() - started)
    return answers


def subscribe(client: Client):
    deal = Deal.objects.published().order_by("pk").first()
    return client.post(
        "/subscriptions/subscribe/",
        {"email": "analyst@example.org", "frequency": "daily", "target": "deal", "deal": deal.pk},
        REMOTE_ADDR="10.0.0.1",
    )


def warmed(client: Client, server, urls: list[str]) -> None:
    """Every page served once with Redis up: pages and fragments are now in the cache."""
    assert {url: status for url, (status, _) in served(client, urls).items()} == dict.fromkeys(
        urls, 200
    )
    assert server.keys("*dealwatch:page:*"), "the control: pages are cached while Redis is up"
    assert server.keys("*dealwatch:fragment:*")


@pytest.mark.fault
@pytest.mark.django_db
@pytest.mark.usefixtures("demo_world")  # loaded once for the module
def test_with_redis_killed_every_public_page_answers_and_subscribing_is_paused(
    cache_redis, public_urls
):
    client = Client(raise_request_exception=False)
    warmed(client, cache_redis, public_urls)

    cache_redis.kill()
    with at_most(60):
        answers = served(client, public_urls)
        response = subscribe(client)
    assert {url: status for url, (status, _) in answers.items()} == dict.fromkeys(public_urls, 200)
    assert response.status_code == 503 and PAUSED in response.text
    assert mail.outbox == []
    print(f"redis killed: {len(public_urls)} public pages 200, subscribe 503")


@pytest.mark.fault
@pytest.mark.django_db
@pytest.mark.usefixtures("demo_world")  # loaded once for the module
def test_with_redis_hung_every_public_page_answers_quickly_then_the_cache_is_used_again(
    cache_redis, public_urls, settings, caplog
):
    settings.CACHE_RETRY_SECONDS = 1
    client = Client(raise_request_exception=False)
    warmed(client, cache_redis, public_urls)

    cache_redis.hang()  # SIGSTOP: connections are accepted, nothing is answered
    try:
        with at_most(60), caplog.at_level(logging.WARNING, logger="deals.cache"):
            answers = served(client, public_urls)
            started = time.monotonic()
            response = subscribe(client)
            subscribe_seconds = time.monotonic() - started
    finally:
        cache_redis.resume()
    assert {url: status for url, (status, _) in answers.items()} == dict.fromkeys(public_urls, 200)
    slow = {url: round(seconds, 2) for url, (_, seconds) in answers.items() if seconds >= 3}
    assert slow == {}, "each page is served without waiting on the hung Redis"
    assert response.status_code == 503 and PAUSED in response.text
    assert subscribe_seconds < 3
    assert mail.outbox == []
    outages = [r for r in caplog.records if r.name == "deals.cache" and r.levelname == "ERROR"]
    assert len(outages) == 1, "logged once for the outage, not once per request"

    # Resumed: after CACHE_RETRY_SECONDS the cache is tried again and pages are stored again.
    cache_redis.client().flushdb()
    time.sleep(settings.CACHE_RETRY_SECONDS + 0.2)
    with caplog.at_level(logging.WARNING, logger="deals.cache"):
        for _ in range(2):
            assert client.get("/deals/").status_code == 200
    assert cache_redis.keys("*dealwatch:page:*"), "a page is cached again"
    assert any(
        r.name == "deals.cache" and "answers again" in r.getMessage() for r in caplog.records
    )
    longest = max(seconds for _, seconds in answers.values())
    print(
        f"redis hung: {len(public_urls)} public pages 200 (slowest {longest:.2f} s), "
        f"subscribe 503 in {subscribe_seconds:.2f} s, cache used again after SIGCONT"
    )


def test_the_cache_has_a_redis_of_its_own_when_one_is_given():
    """CACHE_REDIS_URL (docker-compose.yml's `cache`, LRU eviction) apart from the broker's
    REDIS_URL (noeviction); unset, the one Redis serves both."""

    def read(**env):
        code = (
            "from tracker import settings as s; "
            "print(s.CELERY_BROKER_URL, s.CACHES['default']['LOCATION'])"
        )
        environment = {"PATH": "/usr/bin:/bin", **env}
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.split()

    broker, cache = "redis://broker:6379/0", "redis://cache:6379/0"
    assert read(REDIS_URL=broker, CACHE_REDIS_URL=cache) == [broker, cache]
    assert read(REDIS_URL=broker) == [broker, broker]
