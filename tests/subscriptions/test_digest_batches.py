"""Digests in bulk: a run costs a fixed number of queries per batch of subscribers, not per
email, and DIGEST_WORKERS tasks share a run, each subscriber in exactly one part."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deals.vocabulary import EventKind
from subscriptions import tasks
from subscriptions.models import Delivery, DeliveryStatus, DigestRun, Frequency, Subscription
from subscriptions.services import digest_run
from tests.factories import (
    CompanyFactory,
    DealFactory,
    EventFactory,
    InquiryFactory,
    PartyFactory,
    RegulatorFactory,
    SubscriptionFactory,
    cma,
)

pytestmark = pytest.mark.django_db


def subscribers_with_news(n: int, *, company, regulator, day: int) -> list:
    """`n` subscribers, each following a deal that has news and status changes; every other
    one also follows the same company (a party to the first deal) and the same regulator.
    (Each email's items stay few: SQLite takes 999 parameters a statement, so a bulk insert of
    thousands of items is several statements there.)"""
    subscribers = []
    for i in range(n):
        deal = DealFactory(title=f"Deal {day}-{i}")
        subscription = SubscriptionFactory(deal=deal)
        InquiryFactory(deal=deal, regulator=cma())  # the deal goes under review
        EventFactory(deal=deal, kind=EventKind.PHASE_1_OPENED, title=f"News {day}-{i}")
        if i == 0:
            PartyFactory(deal=deal, company=company)
        if i % 2:
            subscriber = subscription.subscriber
            SubscriptionFactory(subscriber=subscriber, kind="company", deal=None, company=company)
            SubscriptionFactory(
                subscriber=subscriber, kind="regulator", deal=None, regulator=regulator
            )
        subscribers.append(subscription.subscriber)
    return subscribers


def queries_for_a_run(n: int, *, day: int) -> int:
    company, regulator = CompanyFactory(), RegulatorFactory()
    subscribers = subscribers_with_news(n, company=company, regulator=regulator, day=day)
    mail.outbox.clear()
    with CaptureQueriesContext(connection) as queries:
        summary = digest_run(
            frequency=Frequency.DAILY, now=timezone.now() + datetime.timedelta(days=day)
        )
    assert summary.sent == n and len(mail.outbox) == n
    assert {m.to[0] for m in mail.outbox} == {s.email for s in subscribers}
    sent = Delivery.objects.filter(subscriber__in=subscribers, status=DeliveryStatus.SENT)
    assert all(d.subject and d.attempts == 1 for d in sent) and sent.count() == n
    Subscription.objects.update(ended_at=timezone.now())  # the next run is about new ones
    return len(queries)


def test_fifty_subscribers_cost_five_subscribers_queries_plus_each_emails_lock_and_outcome(
    settings,
):
    settings.DIGEST_BATCH_SIZE = 100
    five = queries_for_a_run(5, day=0)
    fifty = queries_for_a_run(50, day=1)
    # The IN lists grow, the batch's reads do not (but for SQLite's bulk insert). Each email
    # adds only its own lock and outcome, committed as it goes so that a hard kill resends at
    # most one message (4 statements here: the test's transaction makes them a savepoint pair).
    assert fifty - five <= 45 * 4 + 2
    assert five <= 60


@pytest.fixture
def ten_subscribers_with_news():
    subscriptions = SubscriptionFactory.create_batch(10)
    for subscription in subscriptions:
        EventFactory(deal=subscription.deal, title=f"News of {subscription.deal.title}")
    return [subscription.subscriber for subscription in subscriptions]


def test_two_workers_send_every_subscriber_exactly_one_email(settings, ten_subscribers_with_news):
    settings.DIGEST_WORKERS = 2
    tasks.send_digests.delay(Frequency.DAILY).get()

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        s.email for s in ten_subscribers_with_news
    )
    run = DigestRun.objects.get()
    assert run.finished_at is not None and run.parts_done == 0b11


def test_each_part_sends_to_its_own_subscribers_and_the_run_ends_with_the_last(
    ten_subscribers_with_news,
):
    now = timezone.now()
    first = digest_run(frequency=Frequency.DAILY, now=now, part=0, parts=2)
    assert {m.to[0] for m in mail.outbox} == {
        s.email for s in ten_subscribers_with_news if s.pk % 2 == 0
    }
    assert DigestRun.objects.get().finished_at is None
    digest_run(frequency=Frequency.DAILY, now=now, part=0, parts=2)  # again: nothing new
    assert DigestRun.objects.get().finished_at is None

    second = digest_run(frequency=Frequency.DAILY, now=now, part=1, parts=2)

    assert first.sent + second.sent == 10
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        s.email for s in ten_subscribers_with_news
    )
    assert DigestRun.objects.get().finished_at is not None


def test_a_footer_names_each_subscription_as_its_label_does():
    """The footer reads the labels as values (Subscription.labelled), not the subscriptions."""
    deal, company = DealFactory(title="Adobe / Figma"), CompanyFactory(name="Figma")
    subscription = SubscriptionFactory(deal=deal)
    subscriber = subscription.subscriber
    SubscriptionFactory(subscriber=subscriber, kind="company", deal=None, company=company)
    SubscriptionFactory(subscriber=subscriber, kind="regulator", deal=None, regulator=cma())
    SubscriptionFactory(subscriber=subscriber, kind="search", deal=None, search_query="q=figma")
    live = Subscription.objects.filter(subscriber=subscriber)
    labels = [s.label for s in live]
    assert len(set(labels)) == 4
    assert [
        Subscription.labelled(*values) for values in live.values_list(*Subscription.LABEL_VALUES)
    ] == labels
    deal.title = "Adobe / Figma (abandoned)"
    assert Subscription.labelled("deal", deal.title, None, None, "") != labels[0]  # the control
