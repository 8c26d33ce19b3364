"""The manage page reached from every email: signed link, no login."""

import pytest
from django.core import mail
from django.test import Client

from subscriptions.models import Subscription
from subscriptions.services import digest_run, manage_url
from tests import subscription_fixtures
from tests.factories import (
    EventFactory,
    SubscriptionFactory,
)
from tests.subscription_fixtures import path

pytestmark = pytest.mark.django_db

subscriber = subscription_fixtures.subscriber  # the fixture, shared with the other module


def test_it_lists_the_subscribers_subscriptions_and_only_theirs(client, subscriber):
    page = client.get(path(manage_url(subscriber)))
    assert page.status_code == 200
    assert "analyst@example.org" in page.text
    assert "Adobe / Figma" in page.text and "Microsoft" in page.text
    assert "Weekly · only Decision" in page.text
    assert "Deals matching" not in page.text  # someone else's saved search
    assert page["Cache-Control"].startswith("max-age=0")


def test_it_changes_how_often_and_which_kinds(client, subscriber):
    subscription = subscriber.subscriptions.get(kind="deal")
    prefix = f"s{subscription.pk}"
    response = client.post(
        path(manage_url(subscriber)),
        {
            "action": "change",
            "subscription": subscription.pk,
            f"{prefix}-frequency": "weekly",
            f"{prefix}-event_kinds": ["decision", "abandoned"],
        },
        follow=True,
    )
    assert "Saved: Adobe / Figma." in response.text
    subscription.refresh_from_db()
    assert subscription.frequency == "weekly"
    assert subscription.event_kinds == ["abandoned", "decision"]


def test_it_removes_one_subscription(client, subscriber):
    subscription = subscriber.subscriptions.get(kind="deal")
    response = client.post(
        path(manage_url(subscriber)),
        {"action": "remove", "subscription": subscription.pk},
        follow=True,
    )
    assert "Removed: Adobe / Figma." in response.text
    assert list(subscriber.subscriptions.active().values_list("kind", flat=True)) == ["company"]
    EventFactory(deal=subscription.deal)
    digest_run(frequency="daily")
    assert mail.outbox == []


def test_it_unsubscribes_from_everything(client, subscriber):
    link = path(manage_url(subscriber))
    response = client.post(link, {"action": "unsubscribe_all"})
    assert "We will not email analyst@example.org again" in response.text
    assert not subscriber.subscriptions.active().exists()
    assert Subscription.objects.active().count() == 1  # the other subscriber's
    assert client.get(link).status_code == 400  # the link closed with the subscriptions


def test_it_cannot_touch_another_subscribers_subscription(client, subscriber):
    others = Subscription.objects.get(kind="search")
    client.post(path(manage_url(subscriber)), {"action": "remove", "subscription": others.pk})
    assert Subscription.objects.active().filter(pk=others.pk).exists()


def test_a_forged_link_shows_nothing(client, subscriber):
    url = path(manage_url(subscriber))
    forged = url[:-3] + ("x" if url[-3] != "x" else "y") + url[-2:]
    response = client.get(forged)
    assert response.status_code == 400
    assert "analyst@example.org" not in response.text
    assert client.post(forged, {"action": "unsubscribe_all"}).status_code == 400
    assert subscriber.subscriptions.active().count() == 2


def test_the_manage_form_needs_a_csrf_token(subscriber):
    response = Client(enforce_csrf_checks=True).post(
        path(manage_url(subscriber)), {"action": "unsubscribe_all"}
    )
    assert response.status_code == 403
    assert subscriber.subscriptions.active().count() == 2


def test_the_page_reads_a_fixed_number_of_queries(
    client, subscriber, django_assert_max_num_queries
):
    for _ in range(5):
        SubscriptionFactory(subscriber=subscriber)
    with django_assert_max_num_queries(6):
        assert client.get(path(manage_url(subscriber))).status_code == 200
