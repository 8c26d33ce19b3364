"""A digest run renders each deal's card once for every subscriber it says the same thing to,
and the emails are byte for byte what they were when every email rendered all of its cards.

The reference is the digest templates as they were before the cards were split out
(digest_templates_before/, copied from templates/emails/ at commit cd2753a), rendered whole
for each subscriber the old way."""

import email
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.template import engines
from django.template.loader import render_to_string
from django.test.signals import template_rendered

from deals.models import Deal, Inquiry
from deals.vocabulary import EventKind, Stage
from subscriptions import services
from subscriptions.digest import one_line
from subscriptions.emails import INLINER
from subscriptions.models import Delivery, Frequency, Subscription
from tests.factories import EventFactory, SubscriberFactory, SubscriptionFactory
from tests.subscriptions.test_digest_smtp import smtp_server  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

BEFORE = Path(__file__).parent / "digest_templates_before"
CARD = "emails/digest-card-body-html.html"


@pytest.fixture
def steady_links(monkeypatch):
    """Signed links carry the second they were made: the same for both renderings here."""
    monkeypatch.setattr(services, "manage_url", lambda s: f"https://dw.example/m/{s.uuid}/")
    monkeypatch.setattr(services, "unsubscribe_url", lambda s: f"https://dw.example/u/{s.uuid}/")


@pytest.fixture
def card_renders():
    """The deals' cards rendered, by the group they were rendered for."""
    rendered = []

    def count(sender, template, context, **kwargs):
        if template.name == CARD:
            rendered.append(context["group"].title)

    template_rendered.connect(count)
    yield rendered
    template_rendered.disconnect(count)


@pytest.fixture
def news_for_many(settings):
    """The demo, and six readers: four follow the same two deals (one of which went to phase 2
    with news), one follows one of them for decisions only, one a company party to it."""
    settings.SITE_URL = "https://dealwatch.example"
    call_command("load_demo", stdout=io.StringIO())
    inquiry = Inquiry.objects.filter(deal__isnull=False, stage="phase_1").first()
    moved = inquiry.deal
    other = Deal.objects.published().exclude(pk=moved.pk).order_by("pk").first()
    readers = [SubscriberFactory(email=f"reader{n}@example.org") for n in range(6)]
    for reader in readers[:4]:
        SubscriptionFactory(subscriber=reader, deal=moved)
        SubscriptionFactory(subscriber=reader, deal=other)
    SubscriptionFactory(subscriber=readers[4], deal=moved, event_kinds=["decision"])
    SubscriptionFactory(
        subscriber=readers[5], kind="company", deal=None, company=moved.parties.first().company
    )
    inquiry.stage = Stage.PHASE_2
    inquiry.deadline_on = None
    inquiry.save()
    EventFactory(
        deal=None,
        inquiry=inquiry,
        kind=EventKind.PHASE_2_OPENED,
        title="Commission opens <in-depth> investigation & more",
        source_url="https://ec.europa.eu/commission/presscorner/detail/en/ip_26_1",
    )
    EventFactory(deal=other, kind=EventKind.PRESS, title="Press: what's next for the deal")
    return moved, other


def old_way(delivery: Delivery, digest) -> tuple[str, str]:
    """The text and HTML parts as the templates before the cards rendered them."""
    subscriber = delivery.subscriber
    context = {
        "site_url": "https://dealwatch.example",
        "digest": digest,
        "frequency": Frequency(delivery.run.frequency).label,
        "subscriptions": list(
            Subscription.objects.active().with_targets().filter(subscriber=subscriber)
        ),
        "manage_url": services.manage_url(subscriber),
        "unsubscribe_url": services.unsubscribe_url(subscriber),
    }
    django = engines["django"]
    text = django.from_string((BEFORE / "digest-body-text.txt").read_text()).render(context)
    html = django.from_string((BEFORE / "digest-body-html.html").read_text()).render(context)
    return text, INLINER.inline(html)


def test_every_email_is_byte_for_byte_what_the_whole_templates_rendered(
    news_for_many, steady_links
):
    summary = services.digest_run(frequency=Frequency.DAILY)

    assert summary.sent == 6 and len(mail.outbox) == 6
    sent = {message.to[0]: message for message in mail.outbox}
    deliveries = list(Delivery.objects.select_related("subscriber", "run"))
    digests = services.deliveries_digests(deliveries)
    for delivery in deliveries:
        message = sent[delivery.subscriber.email]
        text, html = old_way(delivery, digests[delivery.pk])
        assert message.body == text
        assert message.alternatives[0].content == html
    # What is compared holds the cards, escaped as before.
    html = sent["reader0@example.org"].alternatives[0].content
    assert "Commission opens &lt;in-depth&gt; investigation &amp; more" in html


def test_a_card_many_readers_share_is_rendered_once_per_run(news_for_many, card_renders):
    moved, other = news_for_many

    services.digest_run(frequency=Frequency.DAILY)

    # Four readers got the same news of both deals: each card rendered once, sent four times.
    emails_with = [m for m in mail.outbox if moved.title in m.body and other.title in m.body]
    assert len(emails_with) == 4
    assert card_renders.count(other.title) == 1
    # The reader of decisions only sees the moved deal without its news: a card of its own.
    assert card_renders.count(moved.title) >= 2
    decisions_only = next(m for m in mail.outbox if m.to == ["reader4@example.org"])
    assert "in-depth" in decisions_only.body and "Press:" not in decisions_only.body


def old_email(delivery: Delivery, digest) -> bytes:
    """The whole email as Django's EmailMultiAlternatives wrote it from the whole templates, as
    an SMTP server receives it (CRLF)."""
    text, html = old_way(delivery, digest)
    subject = one_line(render_to_string("emails/digest-subject.txt", {"digest": digest}))
    unsubscribe = services.unsubscribe_url(delivery.subscriber)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.subscriber.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message.message().as_bytes(linesep="\r\n")


def comparable(raw: bytes) -> bytes:
    """An email's bytes less what differs between any two emails: the Date and Message-ID
    headers, and the random boundary between the parts."""
    head, _, body = raw.partition(b"\r\n\r\n")
    head = re.sub(rb"^(Date|Message-ID):.*(\r\n[ \t].*)*(\r\n|$)", b"", head, flags=re.M | re.I)
    boundary = email.message_from_bytes(raw).get_boundary()
    return (head + b"\r\n\r\n" + body).replace(boundary.encode(), b"BOUNDARY")


def test_every_email_arrives_byte_for_byte_as_the_whole_templates_and_django_wrote_it(
    news_for_many,
    steady_links,
    smtp_server,  # noqa: F811
):
    """What the subscriber's mail server receives: headers (subject, sender, recipient,
    unsubscribe), both parts and their MIME encoding, compared whole with the email
    EmailMultiAlternatives made of the templates as they were; and a change to the subject, a
    card or a header is seen (the positive controls)."""
    summary = services.digest_run(frequency=Frequency.DAILY)

    assert summary.sent == 6 and len(smtp_server.envelopes) == 6
    received = {e.rcpt_tos[0]: e.original_content for e in smtp_server.envelopes}
    deliveries = list(Delivery.objects.select_related("subscriber", "run"))
    digests = services.deliveries_digests(deliveries)
    for delivery in deliveries:
        expected = old_email(delivery, digests[delivery.pk])
        assert comparable(received[delivery.subscriber.email]) == comparable(expected)

    # Positive controls: the comparison sees a subject, a card or a header changed.
    delivery = deliveries[0]
    digest = digests[delivery.pk]
    got = comparable(received[delivery.subscriber.email])
    digest.subject = digest.subject + "!"
    assert got != comparable(old_email(delivery, digest))
    del digest.subject  # worked out again (a cached_property)
    digest.groups[0].title += " (renamed)"
    assert got != comparable(old_email(delivery, digest))
    digest.groups[0].title = digest.groups[0].title.removesuffix(" (renamed)")
    del digest.subject
    assert got == comparable(old_email(delivery, digest))
    assert got != comparable(old_email(delivery, digest).replace(b"One-Click", b"One-click"))
