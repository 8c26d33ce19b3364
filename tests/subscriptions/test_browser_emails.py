"""The emails' HTML part in a real browser (Debian's Chromium) at a phone's width and at a
mail client's reading pane, checked with axe-core. Screenshots go to $DEALWATCH_SCREENSHOTS
(docs/digest-390.png and docs/digest-700.png come from there), or to a temporary directory."""

import io
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from deals.models import Deal, Inquiry
from deals.vocabulary import EventKind, Stage
from subscriptions.services import subscription_request
from tests.browser import no_axe_violations
from tests.factories import EventFactory, SubscriptionFactory

# Like the other browser tests: the flush after each test leaves no demo data behind.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDTHS = (390, 700)


def a_digest_with_a_phase_2_opening() -> str:
    """The demo data; a subscriber follows two deals; the EC opens phase 2 on one of them."""
    call_command("load_demo", stdout=io.StringIO())
    paramount = Deal.objects.get(title="Paramount / Warner Bros. Discovery")
    mistral = Deal.objects.get(title="Microsoft / Mistral AI")
    subscription = SubscriptionFactory(deal=paramount, subscriber__email="analyst@example.org")
    SubscriptionFactory(deal=mistral, subscriber=subscription.subscriber)
    inquiry = Inquiry.objects.get(deal=paramount, stage=Stage.PHASE_1)
    inquiry.stage, inquiry.deadline_on = Stage.PHASE_2, None
    inquiry.save()
    EventFactory(
        deal=None,
        inquiry=inquiry,
        kind=EventKind.PHASE_2_OPENED,
        title="Commission opens in-depth investigation into Paramount's proposed acquisition "
        "of Warner Bros. Discovery",
        source_url="https://ec.europa.eu/commission/presscorner/detail/en/ip_26_1234",
    )
    EventFactory(
        deal=mistral,
        kind=EventKind.PRESS,
        title="Mistral AI raises a new round; Microsoft keeps its minority stake",
        source_url="https://www.reuters.com/technology/mistral-ai-funding-round-2026-11-27/",
    )
    mail.outbox.clear()
    call_command("send_digests", frequency="daily", stdout=io.StringIO())
    [message] = mail.outbox
    return message.alternatives[0][0]


def looks_right(browser, html: str, shots: Path, name: str) -> None:
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.set_content(html)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{name} at {width} px is {overflow} px wide"
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
        no_axe_violations(page)
        page.close()


def test_a_digest_reads_well_at_390_and_700_px_and_axe_finds_nothing(browser, shots):
    html = a_digest_with_a_phase_2_opening()
    assert "<style" not in html  # inlined: mail clients drop style blocks
    looks_right(browser, html, shots, "digest")


def test_the_confirmation_email_reads_well_and_axe_finds_nothing(browser, shots):
    call_command("load_demo", stdout=io.StringIO())
    deal = Deal.objects.get(title="Microsoft / Mistral AI")
    subscription_request(
        email="analyst@example.org",
        kind="deal",
        target_id=deal.pk,
        frequency="daily",
        event_kinds=[EventKind.DECISION],
    )
    [message] = mail.outbox
    looks_right(browser, message.alternatives[0][0], shots, "confirm")
