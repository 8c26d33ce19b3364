"""Double opt-in: the confirmation link, and nothing sent before it is followed."""

import io
import re
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from subscriptions.models import Subscriber, Subscription
from subscriptions.services import subscription_request
from tests.factories import CompanyFactory, DealFactory, EventFactory, RegulatorFactory

pytestmark = pytest.mark.django_db


def request_link(**kwargs) -> str:
    """Ask for a subscription as the form does; the path of the link in the email."""
    args = {"email": "analyst@example.org", "frequency": "daily", "event_kinds": [], **kwargs}
    subscription_request(**args)
    return re.search(r"https?://[^/\s]+(/subscriptions/confirm/\S+/)", mail.outbox[-1].body)[1]


def test_following_the_link_shows_what_is_confirmed_and_changes_nothing(client):
    deal = DealFactory(title="Adobe / Figma")
    link = request_link(kind="deal", target_id=deal.pk)
    page = client.get(link)
    assert page.status_code == 200
    assert "Send <strong>daily</strong> email updates about" in page.text
    assert "Adobe / Figma" in page.text and "analyst@example.org" in page.text
    assert not Subscriber.objects.exists()


def test_confirming_creates_the_subscription_and_confirms_the_address(client):
    deal = DealFactory(title="Adobe / Figma")
    link = request_link(kind="deal", target_id=deal.pk, event_kinds=["decision", "abandoned"])
    response = client.post(link)
    assert response.status_code == 302 and "/subscriptions/manage/" in response["Location"]
    subscription = Subscription.objects.get()
    assert subscription.deal == deal
    assert subscription.event_kinds == ["abandoned", "decision"]
    assert subscription.subscriber.email == "analyst@example.org"
    assert subscription.subscriber.confirmed_at is not None


def test_confirming_twice_is_harmless(client):
    deal = DealFactory()
    link = request_link(kind="deal", target_id=deal.pk)
    client.post(link)
    response = client.post(link, follow=True)
    assert "You already get email updates about" in response.text
    assert Subscription.objects.count() == 1


def test_a_new_request_for_the_same_deal_changes_how_often(client):
    deal = DealFactory()
    client.post(request_link(kind="deal", target_id=deal.pk, frequency="daily"))
    client.post(request_link(kind="deal", target_id=deal.pk, frequency="weekly"))
    assert Subscription.objects.get().frequency == "weekly"


def test_a_link_older_than_seven_days_does_not_work(client, monkeypatch):
    deal = DealFactory()
    eight_days_ago = time.time() - 8 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: eight_days_ago)
    link = request_link(kind="deal", target_id=deal.pk)
    monkeypatch.undo()
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 400
        assert "This link does not work" in response.text
    assert not Subscription.objects.exists()


def test_a_link_six_days_old_still_works(client, monkeypatch):
    deal = DealFactory()
    six_days_ago = time.time() - 6 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: six_days_ago)
    link = request_link(kind="deal", target_id=deal.pk)
    monkeypatch.undo()
    client.post(link)
    assert Subscription.objects.count() == 1


def test_a_tampered_link_does_not_work(client):
    deal = DealFactory()
    link = request_link(kind="deal", target_id=deal.pk)
    tampered = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]
    assert client.post(tampered).status_code == 400
    assert not Subscription.objects.exists()


def test_a_deal_unpublished_since_cannot_be_confirmed(client):
    deal = DealFactory()
    link = request_link(kind="deal", target_id=deal.pk)
    deal.is_published = False
    deal.save()
    assert client.post(link).status_code == 400
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("kind", ["company", "regulator", "search"])
def test_companies_regulators_and_searches_can_be_followed(client, kind):
    target = {"company": CompanyFactory, "regulator": RegulatorFactory}.get(kind)
    kwargs = {"target_id": target().pk} if target else {"search_query": "q=figma&status=abandoned"}
    client.post(request_link(kind=kind, **kwargs))
    subscription = Subscription.objects.get()
    assert subscription.kind == kind
    if kind == "search":
        assert subscription.search_query == "q=figma&status=abandoned"
        assert subscription.label == "Deals matching “figma” · Status: Abandoned"


def test_nothing_is_sent_to_an_address_that_never_confirmed():
    deal = DealFactory()
    request_link(kind="deal", target_id=deal.pk)
    mail.outbox.clear()
    EventFactory(deal=deal)
    call_command("send_digests", frequency="daily", stdout=io.StringIO())
    assert mail.outbox == []


def test_a_company_deleted_since_cannot_be_confirmed(client):
    company = CompanyFactory()
    link = request_link(kind="company", target_id=company.pk)
    company.delete()
    assert client.get(link).status_code == 400
    assert client.post(link).status_code == 400
    assert not Subscription.objects.exists()


def test_confirming_again_re_enables_a_bounced_address(client):
    deal = DealFactory()
    client.post(request_link(kind="deal", target_id=deal.pk))
    Subscriber.objects.update(disabled_at=timezone.now(), disabled_reason="Bounced")
    client.post(request_link(kind="deal", target_id=DealFactory().pk))
    assert Subscriber.objects.get().disabled_at is None
