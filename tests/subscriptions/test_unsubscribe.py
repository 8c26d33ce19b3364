"""RFC 8058 one-click unsubscribe: POST without a CSRF token works; GET only asks."""

import pytest
from django.test import Client

from subscriptions.services import unsubscribe_url
from tests import subscription_fixtures
from tests.subscription_fixtures import path

pytestmark = pytest.mark.django_db

subscriber = subscription_fixtures.subscriber  # the fixture, shared with the other module


def test_a_get_only_asks_and_changes_nothing(client, subscriber):
    page = client.get(path(unsubscribe_url(subscriber)))
    assert page.status_code == 200
    assert "Stop all Dealwatch email updates to <strong>analyst@example.org</strong>?" in page.text
    assert 'href="/subscriptions/manage/"' in page.text  # a fresh manage link, by email
    assert subscriber.subscriptions.active().count() == 2


def test_a_one_click_post_from_a_mail_client_unsubscribes_without_a_csrf_token(subscriber):
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        path(unsubscribe_url(subscriber)),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "We will not email analyst@example.org again" in response.text
    assert not subscriber.subscriptions.active().exists()


def test_the_button_on_the_page_unsubscribes_and_twice_is_harmless(client, subscriber):
    for _ in range(2):
        response = client.post(path(unsubscribe_url(subscriber)))
        assert response.status_code == 200
    assert not subscriber.subscriptions.active().exists()


def test_a_forged_link_unsubscribes_nobody(subscriber):
    url = path(unsubscribe_url(subscriber))
    forged = url[:-3] + ("x" if url[-3] != "x" else "y") + url[-2:]
    response = Client(enforce_csrf_checks=True).post(
        forged, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert subscriber.subscriptions.active().count() == 2
