"""A digest sent through a real SMTP server (aiosmtpd, started by the test on localhost)."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from subscriptions.models import Frequency
from subscriptions.services import digest_run
from tests.factories import EventFactory, InquiryFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


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
