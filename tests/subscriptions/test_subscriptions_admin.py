"""Admin: subscribers and subscriptions, the delivery log, the next-digest preview, bounces."""

import pytest
from django.core import mail

from subscriptions.models import Delivery, Subscriber
from subscriptions.services import digest_run
from tests.factories import DealFactory, EventFactory, SubscriberFactory, SubscriptionFactory
from tests.hostile import SCRIPT, TEXT, unsafe_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriber():
    subscriber = SubscriberFactory(email="bounces@example.org")
    deal = DealFactory(title="Adobe / Figma")
    SubscriptionFactory(subscriber=subscriber, deal=deal)
    EventFactory(deal=deal, title="Adobe and Figma abandon the deal")
    return subscriber


def test_subscribers_are_listed_with_their_subscriptions(admin_client, subscriber):
    listing = admin_client.get("/admin/subscriptions/subscriber/")
    assert "bounces@example.org" in listing.text
    page = admin_client.get(f"/admin/subscriptions/subscriber/{subscriber.pk}/change/")
    assert page.status_code == 200
    assert "Adobe / Figma" in page.text


def test_the_preview_shows_the_next_digest_and_sends_nothing(admin_client, subscriber):
    page = admin_client.get(f"/admin/subscriptions/subscriber/{subscriber.pk}/preview/")
    assert page.status_code == 200
    assert "1 update: Adobe / Figma" in page.text
    assert "Adobe and Figma abandon the deal" in page.text
    assert mail.outbox == [] and not Delivery.objects.exists()
    # What was previewed is what is sent.
    digest_run(frequency="daily")
    assert mail.outbox[0].subject == "1 update: Adobe / Figma"


def test_a_bouncing_subscriber_can_be_disabled_and_then_gets_nothing(admin_client, subscriber):
    response = admin_client.post(
        "/admin/subscriptions/subscriber/",
        {"action": "disable_bouncing", "_selected_action": [subscriber.pk]},
        follow=True,
    )
    assert "Disabled 1 subscriber(s)." in response.text
    subscriber.refresh_from_db()
    assert subscriber.disabled_at is not None and subscriber.disabled_reason == "Bounced"
    digest_run(frequency="daily")
    assert mail.outbox == []


def test_the_delivery_log_shows_what_was_sent(admin_client, subscriber):
    digest_run(frequency="daily")
    log = admin_client.get("/admin/subscriptions/delivery/")
    assert "bounces@example.org" in log.text and "1 update: Adobe / Figma" in log.text
    delivery = Delivery.objects.get()
    page = admin_client.get(f"/admin/subscriptions/delivery/{delivery.pk}/change/")
    assert page.status_code == 200 and "Adobe and Figma abandon the deal" in page.text


def test_subscribers_are_not_added_by_hand(admin_client):
    assert admin_client.get("/admin/subscriptions/subscriber/add/").status_code == 403
    assert not Subscriber.objects.exists()


def test_a_script_in_an_event_title_is_shown_as_text_in_the_preview_not_run(admin_client):
    # An editor (an event title) or ingest (a party name) could plant this; the superuser who
    # opens the preview must see it as text in both parts of the email.
    subscription = SubscriptionFactory(deal__title="Adobe / Figma")
    EventFactory(deal=subscription.deal, title=f"Decision {SCRIPT}", text=f"{TEXT} text")

    preview = f"/admin/subscriptions/subscriber/{subscription.subscriber_id}/preview/"
    page = admin_client.get(preview)

    assert page.status_code == 200
    assert unsafe_html(page.text) == []
    assert "Decision &lt;script&gt;xss(1)&lt;/script&gt;" in page.text  # the text part, as text
    # The email's inline styles show; scripts stay blocked, as everywhere.
    policy = page["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    # The directives come in no fixed order: compare them one by one.
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["script-src"] == ["'self'"]
