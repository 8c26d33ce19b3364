"""The issue's "done when", tried as a new user would, end to end through the pages."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from deals.models import Event
from deals.vocabulary import EventKind
from subscriptions.models import Subscription
from tests.factories import CompanyFactory, DealFactory, InquiryFactory, PartyFactory, cma

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]


def links(message) -> list[str]:
    return re.findall(r"https?://[^\s<>\"']+", message.body)


def path_of(url: str, settings) -> str:
    assert url.startswith(settings.SITE_URL)
    return url[len(settings.SITE_URL) :]


@pytest.fixture
def mistral_deal():
    deal = DealFactory(title="Microsoft / Mistral AI", announced_on=datetime.date(2024, 2, 26))
    PartyFactory(deal=deal, company=CompanyFactory(name="Microsoft"))
    PartyFactory(deal=deal, company=CompanyFactory(name="Mistral AI"), role="investor")
    return deal


def test_subscribe_confirm_receive_one_digest_then_nothing(client, settings, mistral_deal):
    settings.DIGEST_MAX_EVENT_AGE_DAYS = 36500  # the story replays May 2024 as if it were news
    # The deal page has the "Get email updates" form.
    page = client.get(mistral_deal.get_absolute_url())
    assert "Get email updates" in page.text
    assert 'action="/subscriptions/subscribe/"' in page.text

    response = client.post(
        "/subscriptions/subscribe/",
        {
            "email": "Analyst@Example.org",
            "frequency": "daily",
            "target": "deal",
            "deal": mistral_deal.pk,
            "next": mistral_deal.get_absolute_url(),
        },
        follow=True,
    )
    assert "Check your email" in response.text
    assert len(mail.outbox) == 1
    confirmation = mail.outbox[0]
    assert confirmation.to == ["analyst@example.org"]
    assert "Microsoft / Mistral AI" in confirmation.body
    assert not Subscription.objects.exists()  # nothing stored before confirmation

    confirm_link = next(url for url in links(confirmation) if "/confirm/" in url)
    page = client.get(path_of(confirm_link, settings))
    assert "Confirm your email updates" in page.text
    response = client.post(path_of(confirm_link, settings), follow=True)
    assert "Subscribed: daily email updates about Microsoft / Mistral AI" in response.text
    assert "Your email updates" in response.text  # the manage page

    # An editor records what happened.
    inquiry = InquiryFactory(deal=mistral_deal, regulator=cma(), reference="ME/7103/24")
    Event.objects.create(
        occurred_on=datetime.date(2024, 5, 17),
        kind=EventKind.DECISION,
        title="CMA finds the partnership does not qualify for investigation",
        inquiry=inquiry,
        source_url="https://www.gov.uk/cma-cases/microsoft-slash-mistral-ai-partnership-merger-inquiry",
    )

    mail.outbox.clear()
    call_command("send_digests", frequency="daily", stdout=(out := io.StringIO()))
    assert "frequency=daily subscribers=1 sent=1 skipped=0 failed=0" in out.getvalue()
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == ["analyst@example.org"]
    assert digest.subject == "Microsoft / Mistral AI: CMA opened phase 1"
    assert "17 May 2024 · CMA · Decision: CMA finds the partnership does not qualify" in digest.body
    html = digest.alternatives[0][0]
    assert "CMA finds the partnership does not qualify for investigation" in html

    # The manage link works and lists the subscription.
    manage_link = next(url for url in links(digest) if "/manage/" in url)
    page = client.get(path_of(manage_link, settings))
    assert page.status_code == 200 and "Microsoft / Mistral AI" in page.text

    # Running it again sends nothing.
    mail.outbox.clear()
    call_command("send_digests", frequency="daily", stdout=(out := io.StringIO()))
    assert mail.outbox == []
    assert "frequency=daily subscribers=1 sent=0 skipped=1 failed=0" in out.getvalue()

    # One-click unsubscribe, as a mail client does it: a POST with no CSRF token.
    unsubscribe = re.fullmatch(r"<(.+)>", digest.extra_headers["List-Unsubscribe"]).group(1)
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(path_of(unsubscribe, settings), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Subscription.objects.active().exists()

    Event.objects.create(
        occurred_on=datetime.date(2024, 6, 1), title="Later news", deal=mistral_deal
    )
    call_command("send_digests", frequency="daily", stdout=io.StringIO())
    assert mail.outbox == []
