"""A saved search alerts on exactly what /deals/ shows for the same query string."""

import datetime

import pytest
from django.core import mail

from deals.vocabulary import AntitrustStatus, EventKind, Stage
from subscriptions.models import Frequency
from subscriptions.services import digest_run
from tests.factories import (
    CompanyFactory,
    DealFactory,
    EventFactory,
    InquiryFactory,
    PartyFactory,
    SubscriptionFactory,
    cma,
)

pytestmark = pytest.mark.django_db


def search_subscription(query: str, **kwargs):
    return SubscriptionFactory(kind="search", deal=None, search_query=query, **kwargs)


def test_a_saved_search_gets_the_new_deal_that_matches_and_not_the_other():
    search_subscription("q=anthropic")
    announced = datetime.date.today() - datetime.timedelta(days=2)
    DealFactory(title="Amazon / Anthropic", announced_on=announced)
    DealFactory(title="Microsoft / Inflection AI")
    digest_run(frequency=Frequency.DAILY)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "1 update: Amazon / Anthropic"
    assert "Amazon / Anthropic (new)" in message.body
    assert f"{announced:%-d %b %Y} · New deal: Amazon / Anthropic" in message.body
    assert "Inflection" not in message.body


def test_a_saved_search_gets_new_events_of_deals_that_match_it(client):
    query = "regulator=cma&status=under_review"
    search_subscription(query)
    # Deals that existed before the search was saved.
    reviewed = InquiryFactory(regulator=cma(), stage=Stage.PHASE_1).deal
    cleared = InquiryFactory(regulator=cma(), stage=Stage.CLOSED, outcome="cleared").deal
    elsewhere = InquiryFactory(stage=Stage.PHASE_1).deal  # the EC's
    for deal in (reviewed, cleared, elsewhere):
        deal.refresh_from_db()
        EventFactory(deal=deal, title=f"News of {deal.title}")

    digest_run(frequency=Frequency.DAILY)

    body = mail.outbox[0].body
    assert f"News of {reviewed.title}" in body
    assert f"News of {cleared.title}" not in body
    assert f"News of {elsewhere.title}" not in body
    # The alert agrees with the page.
    page = client.get(f"/deals/?{query}")
    assert reviewed.title in page.text
    assert cleared.title not in page.text and elsewhere.title not in page.text
    assert reviewed.antitrust_status == AntitrustStatus.UNDER_REVIEW


def test_the_alert_names_the_deals_the_page_lists(client):
    microsoft = CompanyFactory(name="Microsoft", slug="microsoft")
    query = "company=microsoft&type=partnership"
    search_subscription(query)
    matching, other_type, other_company = (
        DealFactory(title="Microsoft / Mistral AI", deal_type="partnership"),
        DealFactory(title="Microsoft / Activision Blizzard", deal_type="acquisition"),
        DealFactory(title="Amazon / Anthropic", deal_type="partnership"),
    )
    PartyFactory(deal=matching, company=microsoft)
    PartyFactory(deal=other_type, company=microsoft)
    PartyFactory(deal=other_company, company=CompanyFactory(name="Amazon"))

    digest_run(frequency=Frequency.DAILY)

    page = client.get(f"/deals/?{query}").text
    for deal in (matching, other_type, other_company):
        assert (deal.title in mail.outbox[0].body) == (deal.title in page), deal.title


def test_unpublished_deals_never_match_a_search():
    search_subscription("q=anthropic")
    DealFactory(title="Amazon / Anthropic", is_published=False)
    DealFactory(title="Google / Anthropic")  # the control: a published one does
    digest_run(frequency=Frequency.DAILY)
    assert len(mail.outbox) == 1
    assert "Google / Anthropic" in mail.outbox[0].body
    assert "Amazon / Anthropic" not in mail.outbox[0].body


def test_a_deal_published_later_is_announced_once_it_is_public():
    search_subscription("q=anthropic")
    deal = DealFactory(title="Amazon / Anthropic", is_published=False)
    digest_run(frequency=Frequency.DAILY)
    deal.is_published = True
    deal.save()
    digest_run(frequency=Frequency.DAILY, now=deal.created_at + datetime.timedelta(days=1))
    assert len(mail.outbox) == 1 and "Amazon / Anthropic" in mail.outbox[0].body


def test_a_search_for_decisions_only_is_not_told_about_new_deals():
    decisions = search_subscription("q=anthropic", event_kinds=[EventKind.DECISION])
    everything = search_subscription("q=anthropic")  # the control: told of the new deal
    deal = DealFactory(title="Amazon / Anthropic")
    EventFactory(deal=deal, kind=EventKind.PRESS, title="Press")
    digest_run(frequency=Frequency.DAILY)
    assert [m.to for m in mail.outbox] == [[everything.subscriber.email]]
    assert "Amazon / Anthropic (new)" in mail.outbox[0].body
    mail.outbox.clear()
    EventFactory(deal=deal, kind=EventKind.DECISION, title="CMA clears")
    digest_run(frequency=Frequency.DAILY, now=deal.created_at + datetime.timedelta(days=1))
    to_decisions = [m for m in mail.outbox if m.to == [decisions.subscriber.email]]
    assert len(to_decisions) == 1 and "CMA clears" in to_decisions[0].body


def test_a_backfilled_old_deal_is_not_news_for_a_saved_search(settings):
    settings.DIGEST_MAX_EVENT_AGE_DAYS = 90
    search_subscription("q=anthropic")
    DealFactory(title="Amazon / Anthropic", announced_on=datetime.date(2023, 9, 25))
    recent = datetime.date.today() - datetime.timedelta(days=3)
    DealFactory(title="Google / Anthropic", announced_on=recent)  # the control: news
    digest_run(frequency=Frequency.DAILY)
    assert len(mail.outbox) == 1
    assert "Google / Anthropic" in mail.outbox[0].body
    assert "Amazon / Anthropic" not in mail.outbox[0].body
