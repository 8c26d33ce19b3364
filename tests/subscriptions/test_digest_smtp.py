"""Digests sent through a real SMTP server (aiosmtpd, started by the test on localhost): what
arrives, and over how many connections."""

import email
import email.policy
import socket
from collections import Counter

import pytest
from aiosmtpd.controller import Controller

from subscriptions.models import Delivery, DeliveryStatus, Frequency
from subscriptions.services import digest_run
from tests.factories import EventFactory, InquiryFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


class Inbox:
    """Keeps what it accepts, and counts the connections that greeted it (EHLO: once each).

    `per_connection`: past this many messages on one connection, the next MAIL is answered as a
    server at its limit does: `hang_up` closes the socket without a word, else "421 closing"."""

    def __init__(self):
        self.envelopes = []
        self.connections = 0
        self.per_connection = None
        self.hang_up = False

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        session.carried = 0
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.per_connection is not None and session.carried >= self.per_connection:
            if self.hang_up:
                server.transport.close()
            return "421 4.7.0 Too many messages on this connection, closing"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        session.carried += 1
        return "250 Message accepted for delivery"

    def received(self) -> Counter:
        return Counter(address for e in self.envelopes for address in e.rcpt_tos)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    yield inbox
    controller.stop()


def test_a_digest_arrives_with_unsubscribe_headers_and_both_parts(smtp_server, settings):
    settings.SITE_URL = "https://dealwatch.example"
    settings.DEFAULT_FROM_EMAIL = "Dealwatch <alerts@dealwatch.example>"
    subscription = SubscriptionFactory(
        subscriber__email="analyst@example.org", deal__title="Adobe / Figma"
    )
    EventFactory(
        deal=subscription.deal,
        inquiry=InquiryFactory(deal=subscription.deal, reference="M.10506"),
        kind="abandoned",
        title="Adobe and Figma abandon the deal",
    )

    summary = digest_run(frequency=Frequency.DAILY)

    assert summary.sent == 1
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["analyst@example.org"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "Adobe / Figma: EC opened phase 1"
    assert message["From"] == "Dealwatch <alerts@dealwatch.example>"
    assert message["To"] == "analyst@example.org"
    # A long header may be folded onto a second line; unfolded, it is one <https URL>.
    unsubscribe = str(message["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith("<https://dealwatch.example/subscriptions/unsubscribe/")
    assert unsubscribe.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "EC · Abandoned: Adobe and Figma abandon the deal" in text
    assert "Adobe and Figma abandon the deal" in html and "<html" in html
    assert unsubscribe[1:-1] in text and unsubscribe[1:-1] in html
    assert "https://dealwatch.example/subscriptions/manage/" in text


@pytest.fixture
def five_subscribers_with_news():
    subscriptions = SubscriptionFactory.create_batch(5)
    for subscription in subscriptions:
        EventFactory(deal=subscription.deal, title=f"News of {subscription.deal.title}")
    return [subscription.subscriber.email for subscription in subscriptions]


def test_a_batch_of_digests_goes_over_one_smtp_connection(smtp_server, five_subscribers_with_news):
    summary = digest_run(frequency=Frequency.DAILY)

    assert summary.sent == 5
    assert smtp_server.received() == Counter(five_subscribers_with_news)
    assert smtp_server.connections == 1


def test_each_batch_opens_its_own_connection(settings, smtp_server, five_subscribers_with_news):
    settings.DIGEST_BATCH_SIZE = 2

    digest_run(frequency=Frequency.DAILY)

    assert smtp_server.received() == Counter(five_subscribers_with_news)
    assert smtp_server.connections == 3


@pytest.mark.parametrize("hang_up", [False, True], ids=["421", "hang-up"])
def test_a_connection_the_server_closes_mid_batch_is_reopened_and_the_email_sent_once(
    smtp_server, five_subscribers_with_news, hang_up
):
    smtp_server.per_connection, smtp_server.hang_up = 2, hang_up

    summary = digest_run(frequency=Frequency.DAILY)

    assert summary.sent == 5 and summary.failed == 0
    assert smtp_server.received() == Counter(five_subscribers_with_news)
    assert smtp_server.connections == 3  # 2 + 2 + 1
    # The third and the fifth were tried twice: once on the closed connection, once on a new.
    attempts = Delivery.objects.order_by("pk").values_list("status", "attempts")
    assert list(attempts) == [(DeliveryStatus.SENT, n) for n in (1, 1, 2, 1, 2)]


def test_the_retry_after_a_closed_connection_counts_as_an_attempt(
    settings, smtp_server, five_subscribers_with_news
):
    settings.DIGEST_MAX_ATTEMPTS = 1
    smtp_server.per_connection = 2

    summary = digest_run(frequency=Frequency.DAILY)

    # No attempt left for the third: it failed, as any refused email on its last attempt; the
    # fourth opened a new connection, which carried it and the fifth.
    assert (summary.sent, summary.failed) == (4, 1)
    failed = Delivery.objects.get(status=DeliveryStatus.FAILED)
    assert failed.attempts == 1 and "421" in failed.last_error
    assert smtp_server.connections == 2
    assert len(smtp_server.envelopes) == 4 and set(smtp_server.received().values()) == {1}
