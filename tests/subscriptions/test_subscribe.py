"""The "Get email updates" form and the subscribe endpoint."""

import smtplib
import socket

import kombu.exceptions
import pytest
from celery.exceptions import Retry
from django.core import mail
from django.template import Context, Template
from django.test import RequestFactory

from subscriptions.models import Subscriber, Subscription
from subscriptions.tasks import send_confirmation, send_manage_link
from tests.factories import (
    CompanyFactory,
    DealFactory,
    RegulatorFactory,
    SubscriptionFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def subscribe(client, **data):
    data = {"email": "analyst@example.org", "frequency": "daily", **data}
    return client.post("/subscriptions/subscribe/", data, REMOTE_ADDR=data.pop("ip", "10.0.0.1"))


def test_deal_company_and_regulator_pages_offer_the_form(client):
    deal = DealFactory(title="Adobe / Figma")
    company = CompanyFactory(name="Figma")
    regulator = RegulatorFactory()
    for url, hidden in [
        (deal.get_absolute_url(), f'name="deal" value="{deal.pk}"'),
        (company.get_absolute_url(), f'name="company" value="{company.pk}"'),
        (regulator.get_absolute_url(), f'name="regulator" value="{regulator.pk}"'),
    ]:
        page = client.get(url)
        assert "Get email updates" in page.text, url
        assert hidden in page.text, url
        assert '<label for="subscribe-email">Email address</label>' in page.text


def test_deal_list_offers_to_follow_the_current_search(client):
    page = client.get("/deals/?q=figma&status=abandoned&sort=-announced&page=2")
    assert "Email me when something new matches this search" in page.text
    # The filters are kept, how the page is sorted and paged is not.
    assert 'name="search" value="q=figma&amp;status=abandoned"' in page.text


def test_the_tag_renders_outside_the_deal_pages_too():
    deal = DealFactory(title="Adobe / Figma")
    request = RequestFactory().get(deal.get_absolute_url())
    html = Template("{% load subscription_tags %}{% subscribe_form deal=deal %}").render(
        Context({"deal": deal, "request": request})
    )
    assert "Email me when something happens in Adobe / Figma." in html
    assert 'name="next" value="/deals/' in html


def test_subscribing_sends_a_confirmation_and_stores_nothing(client):
    deal = DealFactory(title="Adobe / Figma")
    response = subscribe(client, target="deal", deal=deal.pk, event_kinds=["decision"])
    assert response.status_code == 302
    assert response["Location"] == "/subscriptions/subscribe/check-your-email/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Confirm your Dealwatch email updates"
    assert "daily email updates about Adobe / Figma (only: Decision)" in message.body
    assert "/subscriptions/confirm/" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert not Subscriber.objects.exists() and not Subscription.objects.exists()


def test_the_answer_is_the_same_whether_or_not_the_address_subscribes(client):
    deal = DealFactory()
    SubscriptionFactory(subscriber__email="known@example.org", deal=deal)
    known = subscribe(client, email="known@example.org", target="deal", deal=deal.pk)
    unknown = subscribe(client, email="unknown@example.org", target="deal", deal=deal.pk)
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    page_known = client.get(known["Location"]).text
    page_unknown = client.get(unknown["Location"]).text
    assert page_known == page_unknown


def test_check_your_email_page_links_back_to_the_page(client):
    deal = DealFactory()
    subscribe(client, target="deal", deal=deal.pk, next=deal.get_absolute_url())
    page = client.get("/subscriptions/subscribe/check-your-email/")
    assert f'href="{deal.get_absolute_url()}"' in page.text


def test_a_link_back_to_another_site_is_not_followed(client):
    deal = DealFactory()
    subscribe(client, target="deal", deal=deal.pk, next="https://evil.example/")
    page = client.get("/subscriptions/subscribe/check-your-email/")
    assert "evil.example" not in page.text


@pytest.mark.parametrize(
    "email",
    [
        "not-an-address",
        "analyst@example.org\nBcc: everyone@example.org",
        "analyst@example.org\r\nSubject: hi",
        "a" * 250 + "@example.org",
    ],
)
def test_a_bad_address_is_a_form_error_and_sends_nothing(client, email):
    deal = DealFactory()
    response = subscribe(client, email=email, target="deal", deal=deal.pk)
    assert response.status_code == 400
    assert "Enter a valid email address" in response.text or "at most 254" in response.text
    assert mail.outbox == []


def test_an_unpublished_deal_cannot_be_followed(client):
    deal = DealFactory(is_published=False)
    response = subscribe(client, target="deal", deal=deal.pk)
    assert response.status_code == 400
    assert mail.outbox == []


def test_an_invalid_search_is_refused(client):
    response = subscribe(client, target="search", search="announced_after=not-a-date")
    assert response.status_code == 400
    assert "This search is not valid" in response.text
    assert mail.outbox == []


def test_too_many_requests_from_one_client_are_refused(client, settings):
    settings.SUBSCRIBE_LIMIT_PER_IP = 3
    deal = DealFactory()
    codes = [
        subscribe(client, email=f"a{i}@example.org", target="deal", deal=deal.pk).status_code
        for i in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3
    # Another client is not affected.
    assert subscribe(client, target="deal", deal=deal.pk, ip="10.0.0.2").status_code == 302


def test_too_many_requests_for_one_address_send_nothing_more_but_look_the_same(client, settings):
    settings.SUBSCRIBE_LIMIT_PER_ADDRESS = 2
    deals = DealFactory.create_batch(4)
    responses = [
        subscribe(client, target="deal", deal=deal.pk, ip=f"10.0.1.{i}")
        for i, deal in enumerate(deals)
    ]
    assert {r.status_code for r in responses} == {302}
    assert len(mail.outbox) == 2


def test_a_form_filled_in_by_a_bot_is_answered_but_ignored(client):
    deal = DealFactory()
    response = subscribe(client, target="deal", deal=deal.pk, website="http://spam.example")
    assert response.status_code == 302
    assert mail.outbox == []


def test_subscribe_needs_a_post(client):
    assert client.get("/subscriptions/subscribe/").status_code == 405


class RefusingMailServer:
    """An email backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_mail_server_outage_does_not_change_the_answer_and_the_email_is_retried(client, settings):
    settings.EMAIL_BACKEND = "tests.subscriptions.test_subscribe.RefusingMailServer"
    deal = DealFactory()
    response = subscribe(client, target="deal", deal=deal.pk)
    assert response["Location"] == "/subscriptions/subscribe/check-your-email/"

    with pytest.raises(Retry):  # the task is retried later, not given up
        send_confirmation.apply(
            kwargs={
                "email": "analyst@example.org",
                "kind": "deal",
                "target_id": deal.pk,
                "frequency": "daily",
                "event_kinds": [],
            }
        )

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    subscribe(client, target="deal", deal=deal.pk)
    assert len(mail.outbox) == 1


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_with_the_rate_limit_store_down_the_form_says_so_and_sends_nothing(client, settings):
    # Redis holds the rate limits (and is the broker): without it nothing can be limited or
    # queued, so the form answers that it cannot take requests now instead of failing.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    deal = DealFactory()
    response = subscribe(client, target="deal", deal=deal.pk)
    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    assert "cannot take subscription requests right now" in response.text
    assert "Deals" in response.text  # the site's own layout
    assert mail.outbox == []


def test_a_bug_while_sending_the_confirmation_is_not_hidden_behind_the_usual_answer(
    client, monkeypatch
):
    deal = DealFactory()
    response = subscribe(client, target="deal", deal=deal.pk)  # the control: it works
    assert response["Location"] == "/subscriptions/subscribe/check-your-email/"
    assert len(mail.outbox) == 1

    def broken(**request):
        raise RuntimeError("a bug in the confirmation email")

    monkeypatch.setattr("subscriptions.services.subscription_request", broken)
    with pytest.raises(RuntimeError, match="a bug in the confirmation email"):
        subscribe(client, target="deal", deal=deal.pk, email="other@example.org")
    assert len(mail.outbox) == 1


def test_with_the_broker_down_the_forms_say_so_instead_of_promising_an_email(client, monkeypatch):
    def broker_down(*args, **kwargs):
        raise kombu.exceptions.OperationalError("Error 111 connecting to redis:6379")

    monkeypatch.setattr(send_confirmation, "delay", broker_down)
    monkeypatch.setattr(send_manage_link, "delay", broker_down)
    deal = DealFactory()
    for response in (
        subscribe(client, target="deal", deal=deal.pk),
        client.post("/subscriptions/manage/", {"email": "analyst@example.org"}),
    ):
        assert response.status_code == 503
        assert "cannot take subscription requests right now" in response.text
    assert mail.outbox == []
