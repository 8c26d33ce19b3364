"""The SMTP exchange runs in a thread of its own while the next email is rendered
(services.EmailSending); each email is still recorded before the next goes, and whatever stops
a batch, the email in flight is recorded first."""

import threading

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from subscriptions import services
from subscriptions.models import Delivery, DeliveryStatus, Frequency
from tests.subscription_fixtures import subscribers_with_news

pytestmark = pytest.mark.django_db


class Broken(Exception):
    pass


class RecordingBackend(EmailBackend):
    """Notes each email as it goes, and in which thread (no database here: only the
    worker's own thread uses it)."""

    steps: list[tuple[str, str]] = []

    def send_messages(self, messages):
        name = threading.current_thread().name
        RecordingBackend.steps.extend(("sent", name) for _ in messages)
        return super().send_messages(messages)


@pytest.fixture
def four_subscribers_with_news():
    return subscribers_with_news(4)


def test_each_email_goes_in_the_sending_thread_after_the_last_is_recorded(
    settings, monkeypatch, four_subscribers_with_news
):
    settings.EMAIL_BACKEND = "tests.subscriptions.test_digest_sending_thread.RecordingBackend"
    RecordingBackend.steps = []
    record = services._delivery_sent

    def recorded(*args):
        record(*args)
        RecordingBackend.steps.append(("recorded", threading.current_thread().name))

    monkeypatch.setattr(services, "_delivery_sent", recorded)

    summary = services.digest_run(frequency=Frequency.DAILY)

    assert summary.sent == 4 and len(mail.outbox) == 4
    here = threading.current_thread().name
    assert [step for step, _ in RecordingBackend.steps] == ["sent", "recorded"] * 4
    assert all((name == here) == (step == "recorded") for step, name in RecordingBackend.steps)


def test_when_rendering_the_next_email_fails_the_one_in_flight_is_recorded_sent(
    monkeypatch, four_subscribers_with_news
):
    rendered = []
    render = services.digest_email

    def failing_third(**kwargs):
        rendered.append(kwargs["subscriber"].email)
        if len(rendered) == 3:
            raise Broken("a template error")
        return render(**kwargs)

    monkeypatch.setattr(services, "digest_email", failing_third)

    with pytest.raises(Broken):
        services.digest_run(frequency=Frequency.DAILY)

    # The second was being sent while the third was rendered: it went, and is recorded.
    assert len(mail.outbox) == 2
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 2

    monkeypatch.setattr(services, "digest_email", render)
    assert services.digest_run(frequency=Frequency.DAILY).sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        s.subscriber.email for s in four_subscribers_with_news
    )
