"""Never lost, never doubled: re-runs, a worker killed half-way, failures and the sweeper."""

import datetime
import io

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.utils import timezone

from subscriptions import services, tasks
from subscriptions.models import Delivery, DeliveryStatus, DigestItem, DigestRun, Frequency
from subscriptions.services import digest_run
from tests.factories import EventFactory, SubscriptionFactory
from tests.subscription_fixtures import prepared_delivery, subscribers_with_news

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """What a worker killed by the OOM killer or a deploy looks like to the code: it just stops
    (BaseException, so no `except Exception` can swallow it)."""


class DyingBackend(EmailBackend):
    """Delivers `lives` messages, then dies while sending the next."""

    lives = 0

    def send_messages(self, messages):
        if DyingBackend.lives <= 0:
            raise Killed
        DyingBackend.lives -= 1
        return super().send_messages(messages)


class RefusingBackend(EmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


@pytest.fixture
def five_subscribers_with_news():
    return subscribers_with_news(5)


def emails_per_recipient() -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in mail.outbox:
        for address in message.to:
            counts[address] = counts.get(address, 0) + 1
    return counts


def test_running_twice_sends_nothing_twice(five_subscribers_with_news):
    first = digest_run(frequency=Frequency.DAILY)
    second = digest_run(frequency=Frequency.DAILY)
    assert (first.sent, second.sent, second.skipped) == (5, 0, 5)
    assert set(emails_per_recipient().values()) == {1}
    assert DigestRun.objects.count() == 1
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 5


def test_a_run_killed_half_way_then_run_again_leaves_everyone_one_email(
    settings, five_subscribers_with_news
):
    settings.EMAIL_BACKEND = "tests.subscriptions.test_digest_guarantees.DyingBackend"
    DyingBackend.lives = 2
    with pytest.raises(Killed):
        digest_run(frequency=Frequency.DAILY)
    assert len(mail.outbox) == 2
    # The two that went out are recorded as sent; the one being sent when the worker died, and
    # the two its batch had not reached yet, are still pending, not lost.
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 3

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    summary = digest_run(frequency=Frequency.DAILY)

    assert summary.sent == 3
    assert emails_per_recipient() == {s.subscriber.email: 1 for s in five_subscribers_with_news}
    assert all(f"News of {s.deal.title}" in m.body for s, m in _pairs(five_subscribers_with_news))


def test_a_run_killed_after_preparing_is_finished_by_the_next_days_run(
    settings, five_subscribers_with_news
):
    # All five are prepared in one batch; the worker dies sending the third.
    settings.EMAIL_BACKEND = "tests.subscriptions.test_digest_guarantees.DyingBackend"
    DyingBackend.lives = 2
    with pytest.raises(Killed):
        digest_run(frequency=Frequency.DAILY)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert len(mail.outbox) == 2

    tomorrow = timezone.now() + datetime.timedelta(days=1)
    summary = digest_run(frequency=Frequency.DAILY, now=tomorrow)

    assert summary.sent == 3
    assert emails_per_recipient() == {s.subscriber.email: 1 for s in five_subscribers_with_news}


def test_the_sweeper_sends_what_a_dead_worker_left_pending(settings, five_subscribers_with_news):
    settings.EMAIL_BACKEND = "tests.subscriptions.test_digest_guarantees.DyingBackend"
    DyingBackend.lives = 1
    with pytest.raises(Killed):
        digest_run(frequency=Frequency.DAILY)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Half an hour later nobody has run the digest again.
    past = timezone.now() - datetime.timedelta(minutes=settings.DIGEST_STALE_AFTER_MINUTES + 1)
    Delivery.objects.update(created_at=past)
    DigestRun.objects.update(created_at=past)

    result = tasks.sweep_digests.delay().get()

    # The one being sent when it died and the three its batch had not reached.
    assert result == {"deliveries": 4, "runs": 1}
    assert emails_per_recipient() == {s.subscriber.email: 1 for s in five_subscribers_with_news}
    assert DigestRun.objects.get().finished_at is not None
    # Nothing left for the next sweep.
    assert tasks.sweep_digests.delay().get() == {"deliveries": 0, "runs": 0}


def test_the_sweeper_leaves_recent_pending_deliveries_to_their_worker(
    settings, five_subscribers_with_news
):
    settings.EMAIL_BACKEND = "tests.subscriptions.test_digest_guarantees.DyingBackend"
    DyingBackend.lives = 0
    with pytest.raises(Killed):
        digest_run(frequency=Frequency.DAILY)
    assert tasks.sweep_digests.delay().get() == {"deliveries": 0, "runs": 0}


def test_a_refused_send_stays_pending_then_fails_after_the_last_attempt(settings):
    settings.DIGEST_MAX_ATTEMPTS = 2
    settings.EMAIL_BACKEND = "tests.subscriptions.test_digest_guarantees.RefusingBackend"
    subscription = SubscriptionFactory()
    EventFactory(deal=subscription.deal)

    summary = digest_run(frequency=Frequency.DAILY)
    delivery = Delivery.objects.get()
    assert summary.failed == 1
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert "SMTP server down" in delivery.last_error

    assert services.delivery_send(delivery_id=delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)


def test_a_send_that_works_on_retry_is_sent_once(settings):
    settings.EMAIL_BACKEND = "tests.subscriptions.test_digest_guarantees.RefusingBackend"
    subscription = SubscriptionFactory()
    EventFactory(deal=subscription.deal, title="Cleared")
    digest_run(frequency=Frequency.DAILY)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    delivery = Delivery.objects.get()
    assert tasks.send_delivery.delay(delivery.pk).get() == "sent"
    assert tasks.send_delivery.delay(delivery.pk).get() == "skipped"
    assert len(mail.outbox) == 1 and "Cleared" in mail.outbox[0].body


def test_each_event_goes_into_a_subscriptions_digests_once():
    subscription = SubscriptionFactory(frequency=Frequency.IMMEDIATELY)
    event = EventFactory(deal=subscription.deal)
    now = timezone.now()
    for minutes in range(0, 30, 5):
        digest_run(frequency=Frequency.IMMEDIATELY, now=now + datetime.timedelta(minutes=minutes))
    assert DigestItem.objects.filter(subscription=subscription, event=event).count() == 1
    assert len(mail.outbox) == 1


def test_an_event_claimed_by_a_delivery_is_not_claimed_again_by_another_run():
    subscription = SubscriptionFactory()
    EventFactory(deal=subscription.deal)
    today = services.digest_run_start(frequency=Frequency.DAILY, now=timezone.now())
    tomorrow = services.digest_run_start(
        frequency=Frequency.DAILY, now=timezone.now() + datetime.timedelta(days=1)
    )
    assert prepared_delivery(run=today, subscriber_id=subscription.subscriber_id)
    assert prepared_delivery(run=tomorrow, subscriber_id=subscription.subscriber_id) is None


def test_unsubscribing_between_preparing_and_sending_sends_nothing():
    subscription = SubscriptionFactory()
    EventFactory(deal=subscription.deal)
    run = services.digest_run_start(frequency=Frequency.DAILY, now=timezone.now())
    delivery = prepared_delivery(run=run, subscriber_id=subscription.subscriber_id)
    services.subscriber_unsubscribe(subscriber=subscription.subscriber)
    assert services.delivery_send(delivery_id=delivery.pk) == "skipped"
    assert mail.outbox == []


def test_the_command_prints_progress_and_a_summary(five_subscribers_with_news):
    out = io.StringIO()
    call_command("send_digests", frequency="daily", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("[1/5] analyst")
    assert " sent: 1 update: " in lines[0]
    assert lines[-1] == "frequency=daily subscribers=5 sent=5 skipped=0 failed=0"


def test_a_dry_run_sends_and_stores_nothing(five_subscribers_with_news):
    out = io.StringIO()
    call_command("send_digests", frequency="daily", dry_run=True, stdout=out)
    assert "would send: 1 update: " in out.getvalue()
    assert out.getvalue().splitlines()[-1] == (
        "frequency=daily subscribers=5 sent=0 skipped=0 failed=0 would_send=5 dry_run=1"
    )
    assert mail.outbox == []
    assert not DigestRun.objects.exists() and not DigestItem.objects.exists()
    # The real run afterwards still sends everything.
    call_command("send_digests", frequency="daily", stdout=io.StringIO())
    assert len(mail.outbox) == 5


def _pairs(subscriptions):
    by_address = {m.to[0]: m for m in mail.outbox}
    return [(s, by_address[s.subscriber.email]) for s in subscriptions]
