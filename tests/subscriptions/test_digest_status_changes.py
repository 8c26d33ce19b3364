"""Status changes in digests: each deal leads with what changed (netted over the period), then
where each jurisdiction stands with its next deadline, then the news; the subject names it."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deals.models import Inquiry, StatusChange
from deals.vocabulary import EventKind, Outcome, Stage
from subscriptions.digest import SUBJECT_MAX_LENGTH, net_changes
from subscriptions.models import DigestItem, Frequency
from subscriptions.services import (
    delivery_send,
    digest_run,
    digest_run_start,
)
from tests.factories import (
    DealFactory,
    EventFactory,
    InquiryFactory,
    RegulatorFactory,
    SubscriberFactory,
    SubscriptionFactory,
    cma,
)
from tests.subscription_fixtures import prepared_delivery

pytestmark = pytest.mark.django_db


def tomorrow() -> datetime.datetime:
    """A day from now, read when the test runs (a module-level constant, read at collection,
    was today again for a suite that crossed midnight)."""
    return timezone.now() + datetime.timedelta(days=1)


@pytest.fixture
def reviewed_deal():
    """A deal under review: the EC's phase 1 is open, the CMA's too, nobody follows it yet."""
    deal = DealFactory(title="Microsoft / Mistral AI")
    ec_case = InquiryFactory(deal=deal, reference="M.11500", opened_on=timezone.localdate())
    InquiryFactory(deal=deal, regulator=cma(), reference="ME/7103/24")
    return deal, ec_case


def test_an_editor_moving_a_demo_deals_inquiry_to_phase_2_sends_one_email_saying_so(settings):
    settings.SITE_URL = "https://dealwatch.example"
    call_command("load_demo", stdout=io.StringIO())
    inquiry = Inquiry.objects.get(deal__title="Paramount / Warner Bros. Discovery", stage="phase_1")
    deal = inquiry.deal
    assert deal.antitrust_status == "under_review"
    subscription = SubscriptionFactory(deal=deal, subscriber__email="analyst@example.org")

    # The editor moves the EC's review to phase 2 and records the opening, with its source.
    inquiry.stage = Stage.PHASE_2
    inquiry.deadline_on = None  # the phase 1 deadline no longer applies
    inquiry.save()
    EventFactory(
        deal=None,
        inquiry=inquiry,
        kind=EventKind.PHASE_2_OPENED,
        title="Commission opens in-depth investigation",
        source_url="https://ec.europa.eu/commission/presscorner/detail/en/ip_26_1",
    )
    call_command("send_digests", frequency="daily", stdout=(out := io.StringIO()))

    assert "sent=1" in out.getvalue()
    [message] = mail.outbox
    assert message.to == [subscription.subscriber.email]
    assert message.subject == "Paramount / Warner Bros. Discovery: EC opened phase 2"
    text = message.body
    # Leads with the change: the status before and after.
    assert "Status: Under review → In-depth review" in text
    assert "EC: Phase 1 → Phase 2 / in-depth" in text
    # Then each jurisdiction's line, the EC's with its next (computed) deadline.
    ec_line = next(line for line in text.splitlines() if line.startswith("  * EC:"))
    assert "Phase 2 / in-depth" in ec_line and "next decision due" in ec_line
    assert "(computed)" in ec_line
    due = Inquiry.objects.get(pk=inquiry.pk).deadline.on  # the stored, derived deadline
    assert f"{due.day} {due:%b %Y}" in ec_line
    for line in deal.jurisdiction_lines():
        assert f"  * {line.regulator.short_name}: " in text
    # Then the new event, with its source.
    assert "Phase 2 opened: Commission opens in-depth investigation" in text
    assert "Source: https://ec.europa.eu/commission/presscorner/detail/en/ip_26_1" in text
    # The HTML part says the same, with the colours labelled in words.
    html = message.alternatives[0][0]
    assert ">Under review</span> → <span" in html and ">In-depth review</span>" in html
    assert "Next decision due" in html
    assert ">ec.europa.eu</a>" in html  # a short link text for the source

    mail.outbox.clear()
    call_command("send_digests", frequency="daily", stdout=io.StringIO())
    assert mail.outbox == []  # the same period: nothing twice


def test_a_status_corrected_back_within_the_period_sends_nothing_about_it(reviewed_deal):
    deal, ec_case = reviewed_deal
    SubscriptionFactory(deal=deal)
    before = StatusChange.objects.count()
    ec_case.stage = Stage.PHASE_2  # a slip of the editor's hand...
    ec_case.save()
    ec_case.stage = Stage.PHASE_1  # ...corrected before the digest
    ec_case.save()
    assert StatusChange.objects.count() - before == 4  # both ways, overall and EC

    digest_run(frequency=Frequency.DAILY)
    assert mail.outbox == []

    # Positive control: a change that stays is sent the next day, and only it.
    ec_case.outcome = Outcome.CLEARED
    ec_case.closed_on = timezone.localdate()
    ec_case.save()
    digest_run(frequency=Frequency.DAILY, now=tomorrow())
    [message] = mail.outbox
    assert message.subject == "Microsoft / Mistral AI: EC cleared it"
    assert "EC: Phase 1 → Cleared" in message.body
    assert "Phase 2" not in message.body


def test_a_change_sent_is_not_sent_again_and_its_reversal_is(reviewed_deal):
    deal, ec_case = reviewed_deal
    subscription = SubscriptionFactory(deal=deal)
    ec_case.stage = Stage.PHASE_2
    ec_case.save()
    digest_run(frequency=Frequency.DAILY)
    assert "EC: Phase 1 → Phase 2 / in-depth" in mail.outbox[0].body
    assert DigestItem.objects.filter(subscription=subscription).count() == 2

    ec_case.stage = Stage.PHASE_1
    ec_case.save()
    digest_run(frequency=Frequency.DAILY, now=tomorrow())
    assert len(mail.outbox) == 2
    assert "EC: Phase 2 / in-depth → Phase 1" in mail.outbox[1].body


def test_immediate_subscribers_get_status_changes_in_the_next_few_minutes(reviewed_deal):
    deal, ec_case = reviewed_deal
    SubscriptionFactory(deal=deal, frequency=Frequency.IMMEDIATELY)
    ec_case.stage = Stage.PHASE_2
    ec_case.save()
    digest_run(frequency=Frequency.IMMEDIATELY)
    [message] = mail.outbox
    assert message.subject == "Microsoft / Mistral AI: EC opened phase 2"


def test_decisions_only_includes_status_changes_and_press_only_does_not(reviewed_deal):
    deal, ec_case = reviewed_deal
    decisions = SubscriptionFactory(deal=deal, event_kinds=[EventKind.DECISION])
    SubscriptionFactory(deal=deal, event_kinds=[EventKind.PRESS])
    ec_case.stage = Stage.PHASE_2
    ec_case.save()
    digest_run(frequency=Frequency.DAILY)
    [message] = mail.outbox
    assert message.to == [decisions.subscriber.email]
    assert "Status: Under review → In-depth review" in message.body


def test_a_change_caused_by_an_old_backfilled_event_or_review_is_not_news(settings):
    settings.DIGEST_MAX_EVENT_AGE_DAYS = 90
    deal = DealFactory(title="Adobe / Figma")
    SubscriptionFactory(deal=deal)
    # Ingest backfills a case closed in 2019, then an old note on it.
    old_case = InquiryFactory(
        deal=deal,
        stage=Stage.CLOSED,
        outcome=Outcome.CLEARED,
        opened_on=datetime.date(2019, 1, 1),
        closed_on=datetime.date(2019, 3, 1),
    )
    old_note = EventFactory(deal=None, inquiry=old_case, occurred_on=datetime.date(2019, 3, 1))
    assert StatusChange.objects.filter(deal=deal, inquiry=old_case).exists()
    StatusChange.objects.create(deal=deal, old_value="cleared", new_value="x", event=old_note)
    digest_run(frequency=Frequency.DAILY)
    assert mail.outbox == []

    # Positive control: the deal abandoned today is news.
    deal.refresh_from_db()
    deal.abandoned_on = timezone.localdate()
    deal.save()
    digest_run(frequency=Frequency.DAILY, now=tomorrow())
    [message] = mail.outbox
    assert message.subject == "Adobe / Figma abandoned"
    assert "Status: Cleared → Abandoned" in message.body
    assert "2019" in message.body  # the old review is where the EC stands, not a change


def test_a_regulator_subscription_hears_of_its_own_line_and_the_deal_status(reviewed_deal):
    deal, ec_case = reviewed_deal
    SubscriptionFactory(kind="regulator", deal=None, regulator=cma())
    SubscriptionFactory(kind="regulator", deal=None, regulator=RegulatorFactory())
    ec_case.stage = Stage.PHASE_2
    ec_case.save()
    digest_run(frequency=Frequency.DAILY)
    cma_mail, ec_mail = sorted(mail.outbox, key=lambda m: "EC:" in m.body)
    # The CMA's follower hears the deal went in-depth (a deal it reviews), not the EC's line.
    assert "Status: Under review → In-depth review" in cma_mail.body
    assert "EC: Phase 1 →" not in cma_mail.body
    assert "EC: Phase 1 → Phase 2 / in-depth" in ec_mail.body


def test_items_are_ordered_by_importance_and_the_subject_names_the_most_important():
    subscriber = SubscriberFactory()
    press = DealFactory(title="Google / Wiz")
    figma = DealFactory(title="Adobe / Figma")
    InquiryFactory(deal=figma)
    for deal in (press, figma):
        SubscriptionFactory(subscriber=subscriber, deal=deal)
    EventFactory(deal=press, kind=EventKind.PRESS, title="Reuters: talks go on")
    figma.refresh_from_db()  # as the admin loads it
    figma.abandoned_on = timezone.localdate()
    figma.save()
    digest_run(frequency=Frequency.DAILY)
    [message] = mail.outbox
    assert message.subject == "2 deals updated: Adobe / Figma abandoned, Google / Wiz"
    assert message.body.index("\nAdobe / Figma\nhttp") < message.body.index("\nGoogle / Wiz\nhttp")


def test_a_subject_stays_under_90_characters_however_many_deals_changed():
    subscriber = SubscriberFactory()
    for n in range(6):
        deal = DealFactory(title=f"A rather long acquirer name {n} / An equally long target {n}")
        SubscriptionFactory(subscriber=subscriber, deal=deal)
        InquiryFactory(deal=deal)
    digest_run(frequency=Frequency.DAILY)
    [message] = mail.outbox
    assert len(message.subject) <= SUBJECT_MAX_LENGTH < 90
    assert message.subject.startswith("6 deals changed: ")
    assert message.subject.endswith(" more")


def test_sending_a_digest_takes_the_same_queries_for_one_deal_or_five():
    def queries_to_send(deals: int) -> int:
        subscriber = SubscriberFactory()
        for _ in range(deals):
            deal = DealFactory()
            SubscriptionFactory(subscriber=subscriber, deal=deal)
            InquiryFactory(deal=deal)
            InquiryFactory(deal=deal, regulator=cma())
            EventFactory(deal=deal, kind=EventKind.PHASE_1_OPENED)
        run = digest_run_start(frequency=Frequency.DAILY, now=timezone.now())
        delivery = prepared_delivery(run=run, subscriber_id=subscriber.pk)
        mail.outbox.clear()
        with CaptureQueriesContext(connection) as queries:
            assert delivery_send(delivery_id=delivery.pk) == "sent"
        assert len(mail.outbox) == 1
        return len(queries)

    one, five = queries_to_send(1), queries_to_send(5)
    assert one == five <= 13


def test_changes_are_netted_first_old_against_last_new():
    deal = DealFactory()
    start = timezone.now()

    def change(minutes: int, old: str, new: str) -> StatusChange:
        at = start + datetime.timedelta(minutes=minutes)
        return StatusChange(deal=deal, old_value=old, new_value=new, changed_at=at, pk=minutes)

    nets = net_changes(
        [
            change(2, "in_depth_review", "blocked"),  # out of order on purpose
            change(1, "under_review", "in_depth_review"),
        ]
    )
    [line] = nets[deal.pk]
    assert (line.old_label, line.new_label) == ("Under review", "Blocked")
    assert (
        net_changes([change(1, "under_review", "cleared"), change(2, "cleared", "under_review")])
        == {}
    )
