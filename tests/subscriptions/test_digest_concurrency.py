"""Two runs at the same moment, for real: threads with their own PostgreSQL connections.

SQLite has no row locks (select_for_update is a no-op there) and lets one writer in at a time,
so these run against PostgreSQL only:
DATABASE_URL=postgres://postgres@127.0.0.1:5432/dw_subs .venv/bin/pytest tests/subscriptions/
"""

import datetime
import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone

from deals.models import StatusChange
from subscriptions import services
from subscriptions.models import Delivery, DeliveryStatus, DigestItem, DigestRun, Frequency
from tests.concurrency import at_the_same_moment, needs_postgresql
from tests.factories import EventFactory, InquiryFactory, SubscriptionFactory
from tests.subscription_fixtures import prepared_delivery

pytestmark = [
    needs_postgresql,
    # serialized_rollback: the flush after a transactional test drops the seeded regulators.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


class SlowBackend(EmailBackend):
    """An SMTP server that takes its time, so that the two runs overlap."""

    def send_messages(self, messages):
        time.sleep(0.2)
        return super().send_messages(messages)


@pytest.fixture
def slow_smtp(settings):
    settings.EMAIL_BACKEND = "tests.subscriptions.test_digest_concurrency.SlowBackend"


def test_two_runs_started_at_the_same_moment_send_one_email_each(slow_smtp):
    subscriptions = SubscriptionFactory.create_batch(4)
    for subscription in subscriptions:
        EventFactory(deal=subscription.deal)

    first, second = at_the_same_moment(
        lambda: services.digest_run(frequency=Frequency.DAILY),
        lambda: services.digest_run(frequency=Frequency.DAILY),
    )

    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.subscriber.email for s in subscriptions)
    assert first.sent + second.sent == 4
    assert first.skipped + second.skipped == 4
    assert DigestRun.objects.count() == 1
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 4


def test_two_workers_sending_one_delivery_send_it_once_and_neither_waits(slow_smtp):
    subscription = SubscriptionFactory()
    EventFactory(deal=subscription.deal)
    run = services.digest_run_start(frequency=Frequency.DAILY, now=timezone.now())
    delivery = prepared_delivery(run=run, subscriber_id=subscription.subscriber_id)

    outcomes = at_the_same_moment(*[lambda: services.delivery_send(delivery_id=delivery.pk)] * 3)

    assert sorted(outcomes) == ["sent", "skipped", "skipped"]
    assert len(mail.outbox) == 1


def prepared_in_two_periods_at_once(subscription) -> list:
    """The subscriber's deliveries for two immediate runs ten minutes apart, prepared at the
    same moment by two workers (None for a run that found nothing left to claim)."""
    now = timezone.now()
    runs = [
        services.digest_run_start(frequency=Frequency.IMMEDIATELY, now=now),
        services.digest_run_start(
            frequency=Frequency.IMMEDIATELY, now=now + datetime.timedelta(minutes=10)
        ),
    ]
    return at_the_same_moment(
        *[
            lambda run=run: prepared_delivery(run=run, subscriber_id=subscription.subscriber_id)
            for run in runs
        ]
    )


def test_two_runs_of_different_periods_claim_an_event_once():
    subscription = SubscriptionFactory(frequency=Frequency.IMMEDIATELY)
    event = EventFactory(deal=subscription.deal)

    deliveries = prepared_in_two_periods_at_once(subscription)

    assert sum(d is not None for d in deliveries) == 1
    assert DigestItem.objects.filter(event=event).count() == 1
    assert Delivery.objects.count() == 1


def test_two_runs_of_different_periods_claim_a_status_change_once():
    subscription = SubscriptionFactory(frequency=Frequency.IMMEDIATELY)
    inquiry = InquiryFactory(deal=subscription.deal)  # the deal goes under review
    change = StatusChange.objects.get(deal=subscription.deal, regulator=None)

    deliveries = prepared_in_two_periods_at_once(subscription)

    assert sum(d is not None for d in deliveries) == 1
    assert DigestItem.objects.filter(status_change=change).count() == 1
    assert DigestItem.objects.filter(status_change__inquiry=inquiry).count() == 2  # and the EC's
    assert Delivery.objects.count() == 1


def test_two_workers_taking_a_part_each_at_the_same_moment_send_one_email_each(slow_smtp):
    subscriptions = SubscriptionFactory.create_batch(6)
    for subscription in subscriptions:
        EventFactory(deal=subscription.deal)
    now = timezone.now()

    first, second = at_the_same_moment(
        lambda: services.digest_run(frequency=Frequency.DAILY, now=now, part=0, parts=2),
        lambda: services.digest_run(frequency=Frequency.DAILY, now=now, part=1, parts=2),
    )

    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.subscriber.email for s in subscriptions)
    assert first.sent + second.sent == 6 and first.sent and second.sent
    run = DigestRun.objects.get()
    assert run.finished_at is not None and run.parts_done == 0b11


def test_a_batch_another_worker_holds_is_skipped_and_sent_at_once_when_that_worker_dies():
    subscriptions = SubscriptionFactory.create_batch(2)
    for subscription in subscriptions:
        EventFactory(deal=subscription.deal)
    run = services.digest_run_start(frequency=Frequency.DAILY, now=timezone.now())
    ids = [prepared_delivery(run=run, subscriber_id=s.subscriber_id).pk for s in subscriptions]
    holding, dying = threading.Event(), threading.Event()

    def worker_killed_while_sending():
        held = services.deliveries_locked(ids)
        held.__enter__()  # its batch, locked; it never gets to let go
        holding.set()
        dying.wait(30)
        connection.close()  # killed: its connection, and with it its locks, end

    worker = threading.Thread(target=worker_killed_while_sending)
    worker.start()
    assert holding.wait(30)
    try:
        assert [services.delivery_send(delivery_id=pk) for pk in ids] == ["skipped"] * 2
        assert mail.outbox == []
    finally:
        dying.set()
        worker.join(30)

    assert [services.delivery_send(delivery_id=pk) for pk in ids] == ["sent"] * 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.subscriber.email for s in subscriptions)
