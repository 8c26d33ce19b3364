"""Counts over whole tables after a write (deals/cache.py `cached(stale_ok=True)`): served from
before the write for AGGREGATE_STALE_SECONDS at most, never stored with a page, never to an
editor; the rows themselves are never from before a write."""

import pytest

from deals import cache as page_cache
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def caches_on(settings, empty_cache):
    """Both caches on, emptied (an entry an earlier test counted would be young here)."""
    settings.PAGE_CACHE = True
    settings.FRAGMENT_CACHE = True
    settings.AGGREGATE_STALE_SECONDS = 60


@pytest.fixture
def clock(monkeypatch):
    """The cache module's clock, moved on by hand."""
    now = [1_000_000.0]
    monkeypatch.setattr(page_cache.time, "time", lambda: now[0])
    return now


OPTION = '<option value="Video games">'  # the sector filter's choice; rows show sectors too


def deals_page(client) -> str:
    response = client.get("/deals/")
    assert response.status_code == 200
    return response.text


def test_after_a_write_the_counts_lag_at_most_their_time_and_the_rows_not_at_all(client, clock):
    DealFactory(title="Nvidia / Arm", sector="Semiconductors")
    assert OPTION not in deals_page(client)  # the sectors counted now

    DealFactory(title="Microsoft / Activision", sector="Video games")
    clock[0] += 30
    response = client.get("/deals/")
    assert "Microsoft / Activision" in response.text  # the row: never from before the write
    assert OPTION not in response.text  # the sector choices: 30 s old, still served
    # Not stored: neither this application's page cache nor a proxy keeps it.
    assert "s-maxage=0" in response["Cache-Control"]
    assert "ETag" not in response

    clock[0] += 31  # 61 s after they were counted: counted again
    response = client.get("/deals/")
    assert OPTION in response.text
    assert "s-maxage=60" in response["Cache-Control"]


def test_an_editor_gets_the_counts_of_now(client, editor_client_with_cookie, clock):
    DealFactory(sector="Semiconductors")
    assert OPTION not in deals_page(client)
    DealFactory(sector="Video games")
    assert OPTION not in client.get("/deals/").text  # a visitor's: from before the write
    assert OPTION in editor_client_with_cookie.get("/deals/").text


def test_with_no_lag_allowed_the_counts_follow_every_write(client, settings, clock):
    settings.AGGREGATE_STALE_SECONDS = 0
    DealFactory(sector="Semiconductors")
    assert OPTION not in deals_page(client)
    DealFactory(sector="Video games")
    assert OPTION in client.get("/deals/").text


@pytest.fixture
def editor_client_with_cookie(db):
    """An editor's browser as the admin leaves it: signed in, with the editor cookie."""
    from django.contrib.auth.models import Group, User
    from django.test import Client

    user = User.objects.create_user("eddie", "eddie@example.org", "pw-eddie-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(user)
    assert client.get("/admin/").status_code == 200  # sets the editor cookie
    return client
