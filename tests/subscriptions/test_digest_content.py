"""What a digest says and to whom: grouping, subject, both parts, only public, only new."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from deals.vocabulary import EventKind
from subscriptions.models import Frequency
from subscriptions.services import digest_run
from tests.factories import (
    CompanyFactory,
    DealFactory,
    EventFactory,
    InquiryFactory,
    PartyFactory,
    RegulatorFactory,
    SubscriberFactory,
    SubscriptionFactory,
    cma,
)

pytestmark = pytest.mark.django_db


def tomorrow() -> datetime.datetime:
    """A day from now, read when the test runs (a module-level constant, read at collection,
    was today again for a suite that crossed midnight)."""
    return timezone.now() + datetime.timedelta(days=1)


def test_one_email_covers_every_subscription_grouped_by_deal(settings):
    settings.SITE_URL = "https://dealwatch.example"
    settings.DIGEST_MAX_EVENT_AGE_DAYS = 36500  # replays 2023-24 events as if they were news
    subscriber = SubscriberFactory(email="analyst@example.org")
    mistral = DealFactory(title="Microsoft / Mistral AI")
    figma = DealFactory(title="Adobe / Figma")
    SubscriptionFactory(subscriber=subscriber, deal=mistral)
    SubscriptionFactory(subscriber=subscriber, deal=figma)
    ec_case = InquiryFactory(deal=figma, reference="M.10506")
    EventFactory(
        deal=figma,
        inquiry=ec_case,
        occurred_on=datetime.date(2023, 12, 18),
        kind=EventKind.ABANDONED,
        title="Adobe and Figma abandon the deal",
    )
    EventFactory(
        deal=mistral,
        inquiry=InquiryFactory(deal=mistral, regulator=cma()),
        occurred_on=datetime.date(2024, 5, 17),
        kind=EventKind.DECISION,
        title="Found not to qualify",
    )
    EventFactory(deal=mistral, occurred_on=datetime.date(2024, 4, 24), title="Comment invited")

    summary = digest_run(frequency=Frequency.DAILY)

    assert (summary.subscribers, summary.sent) == (1, 1)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    # Both deals' status moved: the subject names the most important change first.
    assert (
        message.subject == "2 deals changed: Microsoft / Mistral AI: CMA opened phase 1 and 1 more"
    )
    text = message.body
    # Grouped by deal, newest deal first, events oldest first within a deal.
    assert text.index("Microsoft / Mistral AI\nhttps://") < text.index("Adobe / Figma\nhttps://")
    assert text.index("Other: Comment invited") < text.index("Decision: Found not to qualify")
    assert "17 May 2024 · CMA · Decision: Found not to qualify" in text
    assert "18 Dec 2023 · EC · Abandoned: Adobe and Figma abandon the deal" in text
    assert f"https://dealwatch.example{figma.get_absolute_url()}" in text
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    # Styles are inlined (mail clients drop <style>): the link carries its own style attribute.
    assert re.search(
        rf'<a href="https://dealwatch.example{figma.get_absolute_url()}" style="[^"]*">'
        r"Adobe / Figma</a>",
        html,
    )
    assert '<time datetime="2024-05-17">17 May 2024</time> · CMA · Decision' in html


def test_links_are_absolute_from_site_url(settings):
    settings.SITE_URL = "https://dealwatch.example"
    subscription = SubscriptionFactory()
    EventFactory(deal=subscription.deal)
    digest_run(frequency=Frequency.DAILY)
    message = mail.outbox[0]
    assert f"https://dealwatch.example{subscription.deal.get_absolute_url()}" in message.body
    assert "https://dealwatch.example/subscriptions/manage/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith(
        "<https://dealwatch.example/subscriptions/unsubscribe/"
    )


def test_the_subject_names_three_deals_and_counts_the_rest():
    subscriber = SubscriberFactory()
    for n in range(5):
        deal = DealFactory(title=f"Deal {n}")
        SubscriptionFactory(subscriber=subscriber, deal=deal)
        EventFactory(deal=deal, occurred_on=datetime.date.today() - datetime.timedelta(days=9 - n))
    digest_run(frequency=Frequency.DAILY)
    assert mail.outbox[0].subject == "5 updates: Deal 4, Deal 3, Deal 2 and 2 more"


def test_an_event_followed_twice_appears_once():
    subscriber = SubscriberFactory()
    company = CompanyFactory(name="Microsoft")
    deal = DealFactory(title="Microsoft / Inflection AI")
    PartyFactory(deal=deal, company=company)
    SubscriptionFactory(subscriber=subscriber, deal=deal)
    SubscriptionFactory(subscriber=subscriber, kind="company", deal=None, company=company)
    EventFactory(deal=deal, title="Phase 1 cleared")
    digest_run(frequency=Frequency.DAILY)
    assert mail.outbox[0].subject == "1 update: Microsoft / Inflection AI"
    assert mail.outbox[0].body.count("Phase 1 cleared") == 1


def test_nothing_is_sent_when_nothing_changed():
    SubscriptionFactory()
    control = SubscriptionFactory()  # beside it, a subscription with news
    EventFactory(deal=control.deal)
    summary = digest_run(frequency=Frequency.DAILY)
    assert [m.to for m in mail.outbox] == [[control.subscriber.email]]
    assert (summary.subscribers, summary.sent, summary.skipped) == (2, 1, 1)


def test_events_recorded_before_subscribing_are_not_sent():
    deal = DealFactory()
    EventFactory(deal=deal, title="Old news")
    SubscriptionFactory(deal=deal)
    digest_run(frequency=Frequency.DAILY)
    assert mail.outbox == []
    EventFactory(deal=deal, title="New news")  # the control: recorded after, it is sent
    digest_run(frequency=Frequency.DAILY, now=tomorrow())
    assert len(mail.outbox) == 1
    assert "New news" in mail.outbox[0].body and "Old news" not in mail.outbox[0].body


def test_events_of_unpublished_deals_are_never_sent():
    subscription = SubscriptionFactory()
    EventFactory(deal=subscription.deal, title="Visible")
    subscription.deal.is_published = False
    subscription.deal.save()
    control = SubscriptionFactory()  # a published deal's event is sent
    EventFactory(deal=control.deal, title="Public")
    digest_run(frequency=Frequency.DAILY)
    assert [m.to for m in mail.outbox] == [[control.subscriber.email]]
    assert "Public" in mail.outbox[0].body and "Visible" not in mail.outbox[0].body


def test_only_the_chosen_kinds_of_event_are_sent():
    subscription = SubscriptionFactory(event_kinds=[EventKind.DECISION])
    EventFactory(deal=subscription.deal, kind=EventKind.PRESS, title="Press rumour")
    EventFactory(deal=subscription.deal, kind=EventKind.DECISION, title="Cleared")
    digest_run(frequency=Frequency.DAILY)
    assert "Cleared" in mail.outbox[0].body
    assert "Press rumour" not in mail.outbox[0].body


def test_each_event_is_sent_once_and_later_ones_the_next_day():
    subscription = SubscriptionFactory()
    EventFactory(deal=subscription.deal, title="First")
    digest_run(frequency=Frequency.DAILY)
    EventFactory(deal=subscription.deal, title="Second")
    digest_run(frequency=Frequency.DAILY, now=tomorrow())
    assert len(mail.outbox) == 2
    assert "First" in mail.outbox[0].body and "Second" not in mail.outbox[0].body
    assert "Second" in mail.outbox[1].body and "First" not in mail.outbox[1].body


def test_an_event_recorded_after_the_days_digest_waits_for_the_next_day():
    subscription = SubscriptionFactory()
    EventFactory(deal=subscription.deal, title="Morning")
    digest_run(frequency=Frequency.DAILY)
    EventFactory(deal=subscription.deal, title="Afternoon")
    digest_run(frequency=Frequency.DAILY)  # the same day again: one email a day
    assert len(mail.outbox) == 1
    digest_run(frequency=Frequency.DAILY, now=tomorrow())
    assert len(mail.outbox) == 2 and "Afternoon" in mail.outbox[1].body


def test_each_frequency_gets_its_own_subscriptions():
    subscriber = SubscriberFactory()
    daily = SubscriptionFactory(subscriber=subscriber, frequency=Frequency.DAILY)
    weekly = SubscriptionFactory(subscriber=subscriber, frequency=Frequency.WEEKLY)
    EventFactory(deal=daily.deal, title="For the daily")
    EventFactory(deal=weekly.deal, title="For the weekly")
    digest_run(frequency=Frequency.WEEKLY)
    assert len(mail.outbox) == 1
    assert "For the weekly" in mail.outbox[0].body and "For the daily" not in mail.outbox[0].body
    assert "weekly email" in mail.outbox[0].body


def test_immediate_subscribers_get_news_in_the_next_few_minutes():
    subscription = SubscriptionFactory(frequency=Frequency.IMMEDIATELY)
    EventFactory(deal=subscription.deal, title="Just now")
    digest_run(frequency=Frequency.IMMEDIATELY)
    EventFactory(deal=subscription.deal, title="Ten minutes later")
    digest_run(frequency=Frequency.IMMEDIATELY, now=timezone.now() + datetime.timedelta(minutes=10))
    assert [("Just now" in m.body, "Ten minutes later" in m.body) for m in mail.outbox] == [
        (True, False),
        (False, True),
    ]


def test_a_company_subscription_gets_its_deals_and_its_conduct_cases():
    company = CompanyFactory(name="Microsoft")
    subscription = SubscriptionFactory(kind="company", deal=None, company=company)
    deal = DealFactory(title="Microsoft / Activision Blizzard")
    PartyFactory(deal=deal, company=company)
    EventFactory(deal=deal, title="CMA prohibits")
    conduct = InquiryFactory(deal=None, reference="AT.40721", title="Microsoft Teams")
    conduct.companies.add(company)
    EventFactory(deal=None, inquiry=conduct, title="Statement of Objections")
    EventFactory(deal=DealFactory(title="Other / Deal"), title="Not about Microsoft")
    digest_run(frequency=Frequency.DAILY)
    body = mail.outbox[0].body
    assert "CMA prohibits" in body and "Statement of Objections" in body
    assert "EC AT.40721" in body
    assert "Not about Microsoft" not in body
    assert subscription.subscriber.email in mail.outbox[0].to


def test_a_regulator_subscription_gets_that_regulators_events():
    regulator = RegulatorFactory()
    SubscriptionFactory(kind="regulator", deal=None, regulator=regulator)
    EventFactory(inquiry=InquiryFactory(regulator=regulator), title="EC opens Phase II")
    EventFactory(inquiry=InquiryFactory(regulator=cma()), title="CMA opens Phase 2")
    digest_run(frequency=Frequency.DAILY)
    assert "EC opens Phase II" in mail.outbox[0].body
    assert "CMA opens Phase 2" not in mail.outbox[0].body


def test_a_disabled_subscriber_gets_nothing():
    subscription = SubscriptionFactory(subscriber__disabled_at=timezone.now())
    control = SubscriptionFactory(deal=subscription.deal)  # an enabled one following the same
    EventFactory(deal=subscription.deal)
    assert digest_run(frequency=Frequency.DAILY).subscribers == 1
    assert [m.to for m in mail.outbox] == [[control.subscriber.email]]


def test_a_deal_title_cannot_break_the_subject_line():
    subscription = SubscriptionFactory(deal__title="Evil\r\nBcc: all@example.org / Target")
    EventFactory(deal=subscription.deal)
    digest_run(frequency=Frequency.DAILY)
    message = mail.outbox[0]
    assert message.subject == "1 update: Evil Bcc: all@example.org / Target"
    assert message.recipients() == [subscription.subscriber.email]


def test_history_recorded_now_is_not_news(settings):
    """A backfill (the EC's whole dump, a case's old notes) must not flood the subscribers."""
    settings.DIGEST_MAX_EVENT_AGE_DAYS = 90
    subscription = SubscriptionFactory()
    today = datetime.date.today()
    EventFactory(deal=subscription.deal, occurred_on=datetime.date(2012, 3, 1), title="Old ruling")
    EventFactory(deal=subscription.deal, occurred_on=today - datetime.timedelta(days=91))
    EventFactory(
        deal=subscription.deal, occurred_on=today - datetime.timedelta(days=3), title="New ruling"
    )
    digest_run(frequency=Frequency.DAILY)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"1 update: {subscription.deal.title}"
    assert "New ruling" in mail.outbox[0].body and "Old ruling" not in mail.outbox[0].body
