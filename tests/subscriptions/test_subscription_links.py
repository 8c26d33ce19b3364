"""Links in emails stand in for a login, so they are hard to forge, expire where that is safe,
and never undo an unsubscribe. Modelled on GOV.UK's email-alert services."""

import re
import time

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse, set_script_prefix

from subscriptions.digest import deal_url
from subscriptions.models import Subscriber, Subscription
from subscriptions.services import manage_url, subscription_request, token_path, unsubscribe_url
from tests.factories import DealFactory, SubscriberFactory, SubscriptionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def path(url: str) -> str:
    return url[url.index("/subscriptions/") :]


def link_in(message, kind: str) -> str:
    return path(re.search(rf"https?://\S+/subscriptions/{kind}/\S+/", message.body)[0])


def confirmation_link(**kwargs) -> str:
    args = {"email": "analyst@example.org", "frequency": "daily", "event_kinds": [], **kwargs}
    subscription_request(**args)
    return link_in(mail.outbox[-1], "confirm")


# --- Forging ------------------------------------------------------------------------------


def test_links_name_a_subscriber_by_a_random_id_not_their_sequential_one():
    first, second = SubscriberFactory(), SubscriberFactory()
    assert second.pk == first.pk + 1
    assert first.uuid != second.uuid
    for url in (manage_url(second), unsubscribe_url(second)):
        assert f"/{second.pk}:" not in url and f"/{second.pk}/" not in url


@pytest.mark.parametrize("name", ["subscriptions:manage", "subscriptions:unsubscribe"])
def test_a_link_is_the_path_reverse_makes_of_its_token_under_any_script_prefix(name):
    subscriber = SubscriberFactory()
    token = path(manage_url(subscriber)).split("/")[3]
    odd = "a b?c%d.é"  # characters a path quotes: reversed as ever
    try:
        for prefix in ("/", "/dealwatch/"):
            set_script_prefix(prefix)
            for each in (token, odd, "tokenStandIn"):
                assert token_path(name, each) == reverse(name, args=[each])
            assert token_path(name, token).startswith(f"{prefix}subscriptions/")
    finally:
        set_script_prefix("/")
    assert token_path(name, token) != token_path(name, token + "x")  # the control


def test_a_digest_links_a_deal_where_reverse_does_under_any_script_prefix(settings):
    settings.SITE_URL = "https://dw.example"
    deals = [DealFactory(), DealFactory(slug="other-deal")]
    try:
        for prefix in ("/", "/dealwatch/"):
            set_script_prefix(prefix)
            for deal in deals:
                assert deal_url(deal) == f"https://dw.example{deal.get_absolute_url()}"
            assert deal_url(deals[0]).startswith(f"https://dw.example{prefix}deals/")
    finally:
        set_script_prefix("/")
    assert deal_url(deals[0]) != deal_url(deals[1])  # the control


def test_someone_who_knows_the_secret_key_still_cannot_make_a_link_for_subscriber_2(client):
    # With SECRET_KEY known, a link could be signed for any id: it must not be enough.
    victim = SubscriberFactory(email="victim@example.org")
    SubscriptionFactory(subscriber=victim)
    for salt in ("subscriptions.manage", "subscriptions.unsubscribe"):
        for forged in (
            signing.Signer(salt=salt).sign(str(victim.pk)),  # what links used to be
            signing.dumps({"s": str(victim.pk), "at": time.time()}, salt=salt),
        ):
            for view in ("manage", "unsubscribe"):
                response = client.get(f"/subscriptions/{view}/{forged}/")
                assert response.status_code == 400
                assert "victim@example.org" not in response.text
                Client().post(f"/subscriptions/{view}/{forged}/", {"action": "unsubscribe_all"})
    assert victim.subscriptions.active().count() == 1


def test_an_unsubscribe_link_does_not_open_the_manage_page(client):
    subscriber = SubscriptionFactory().subscriber
    token = path(unsubscribe_url(subscriber)).split("/")[3]
    assert client.get(f"/subscriptions/manage/{token}/").status_code == 400


# --- Expiry and rotation ------------------------------------------------------------------


def test_a_manage_link_expires_and_the_page_offers_a_fresh_one_by_email(client, settings):
    subscriber = SubscriptionFactory(subscriber__email="analyst@example.org").subscriber
    link = path(manage_url(subscriber))
    assert client.get(link).status_code == 200

    later = time.time() + settings.SUBSCRIPTION_MANAGE_LINK_DAYS * 86400 + 60
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: later)
        expired = client.get(link)

    assert expired.status_code == 400
    assert "analyst@example.org" not in expired.text
    assert 'action="/subscriptions/manage/"' in expired.text  # ask for a new link

    response = client.post("/subscriptions/manage/", {"email": "Analyst@Example.org"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["analyst@example.org"]
    assert f"{settings.SUBSCRIPTION_MANAGE_LINK_DAYS} days" in message.body
    assert client.get(link_in(message, "manage")).status_code == 200


def test_asking_for_a_manage_link_looks_the_same_for_anyone_and_emails_only_subscribers(client):
    SubscriptionFactory(subscriber__email="analyst@example.org")
    known = client.post("/subscriptions/manage/", {"email": "analyst@example.org"})
    unknown = client.post("/subscriptions/manage/", {"email": "stranger@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [message.to for message in mail.outbox] == [["analyst@example.org"]]


def test_after_unsubscribing_old_manage_links_stop_working_but_unsubscribe_still_does(client):
    subscriber = SubscriptionFactory(subscriber__email="analyst@example.org").subscriber
    manage, unsubscribe = path(manage_url(subscriber)), path(unsubscribe_url(subscriber))

    response = client.post(manage, {"action": "unsubscribe_all"})

    assert response.status_code == 200 and "We will not email analyst@example.org" in response.text
    assert client.get(manage).status_code == 400
    # A mail client may post the one-click unsubscribe again: still harmless, still 200.
    assert Client().post(unsubscribe).status_code == 200


def test_an_old_confirmation_link_does_not_subscribe_someone_who_unsubscribed_since(client):
    deal = DealFactory(title="Adobe / Figma")
    link = confirmation_link(kind="deal", target_id=deal.pk)
    client.post(link)
    subscriber = Subscriber.objects.get()
    client.post(path(unsubscribe_url(subscriber)))

    page = client.get(link)
    confirmed = client.post(link)

    assert page.status_code == confirmed.status_code == 400
    assert not Subscription.objects.active().exists()
    # Asking again gives a new link, and that one works.
    client.post(confirmation_link(kind="deal", target_id=deal.pk))
    assert Subscription.objects.active().count() == 1


def test_an_old_confirmation_link_does_not_bring_back_a_subscription_removed_since(client):
    deal, other = DealFactory(), DealFactory()
    link = confirmation_link(kind="deal", target_id=deal.pk)
    client.post(link)
    client.post(confirmation_link(kind="deal", target_id=other.pk))
    subscriber = Subscriber.objects.get()
    removed = subscriber.subscriptions.get(deal=deal)
    client.post(path(manage_url(subscriber)), {"action": "remove", "subscription": removed.pk})

    assert client.post(link).status_code == 400
    assert list(subscriber.subscriptions.active().values_list("deal", flat=True)) == [other.pk]


# --- What an unconfirmed address is sent ---------------------------------------------------


def test_a_confirmation_email_repeats_nothing_the_requester_typed():
    hostile = "Your account is suspended, call +1 555 0100 now http://evil.example"
    subscription_request(
        email="victim@example.org",
        kind="search",
        search_query=f"q={hostile.replace(' ', '+')}",
        frequency="daily",
        event_kinds=[],
    )
    [message] = mail.outbox
    for part in (message.subject, message.body, message.alternatives[0][0]):
        for word in ("suspended", "555", "evil.example"):
            assert word not in part
    assert "a saved search" in message.body


def test_plus_addresses_and_gmail_dots_share_one_limit(client, settings):
    settings.SUBSCRIBE_LIMIT_PER_ADDRESS = 2
    deal = DealFactory()
    for i, email in enumerate(
        [
            "victim@gmail.com",
            "victim+1@gmail.com",
            "v.i.c.t.i.m+2@googlemail.com",
            "VICTIM+3@Gmail.com",
        ]
    ):
        client.post(
            "/subscriptions/subscribe/",
            {"email": email, "frequency": "daily", "target": "deal", "deal": deal.pk},
            REMOTE_ADDR=f"10.0.2.{i}",
        )
    assert len(mail.outbox) == 2


def test_the_manage_link_form_is_rate_limited_per_mailbox(client, settings):
    settings.SUBSCRIBE_LIMIT_PER_ADDRESS = 2
    SubscriptionFactory(subscriber__email="analyst@example.org")
    for i in range(4):
        client.post(
            "/subscriptions/manage/", {"email": "analyst@example.org"}, REMOTE_ADDR=f"10.0.3.{i}"
        )
    assert len(mail.outbox) == 2
