"""What caused a status change, said one way on the deal page, in its feed and in digests: a new
event by its title, a new inquiry as opened, an editor's correction only when an editor changed
a recorded value without a new event; old rows with no recorded cause keep their old wording."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from deals.derived import derived_fields_deferred
from deals.models import StatusChange
from deals.vocabulary import ChangeCause, EventKind, Stage
from subscriptions.models import Frequency
from subscriptions.services import digest_run
from tests.factories import (
    DealFactory,
    EventFactory,
    InquiryFactory,
    RegulatorFactory,
    SubscriptionFactory,
    cma,
)

pytestmark = pytest.mark.django_db

CORRECTION = "an editor&#x27;s correction"  # as the page escapes it
TODAY = timezone.localdate()


def inquiry_form(inquiry, **values) -> dict:
    """The inquiry's change form as an editor posts it, with no inline rows unless given."""
    data = {
        "regulator": inquiry.regulator.pk,
        "deal": inquiry.deal.pk,
        "reference": inquiry.reference,
        "kind": inquiry.kind,
        "stage": inquiry.stage,
        "decision_status": "in_force",
        "opened_on": inquiry.opened_on.isoformat() if inquiry.opened_on else "",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "clock_stops-TOTAL_FORMS": "0",
        "clock_stops-INITIAL_FORMS": "0",
    }
    data.update(values)
    return data


def digest_body() -> str:
    """The one digest the deal's follower (subscribed before the change) gets."""
    mail.outbox.clear()
    digest_run(frequency=Frequency.DAILY)
    [message] = mail.outbox
    return message.body


def test_an_editor_moving_the_stage_without_an_event_reads_as_a_correction(client, editor):
    inquiry = InquiryFactory(regulator=cma(), stage=Stage.PHASE_1, reference="ME/1/24")
    deal = inquiry.deal
    SubscriptionFactory(deal=deal)
    response = client.post(
        f"/admin/deals/inquiry/{inquiry.pk}/change/", inquiry_form(inquiry, stage="phase_2")
    )
    assert response.status_code == 302

    change = deal.status_changes.overall().last()
    assert change.describe() == "Under review → In-depth review"
    assert change.cause == ChangeCause.CORRECTION and change.changed_by == editor
    page = client.get(deal.get_absolute_url()).text
    assert "Under review → In-depth review" in page and CORRECTION in page
    body = digest_body()
    assert "Status: Under review → In-depth review" in body
    assert "An editor's correction" in body


def test_an_admin_save_adding_a_phase_2_event_inline_reads_as_that_event(client, editor):
    inquiry = InquiryFactory(regulator=cma(), stage=Stage.PHASE_1, reference="ME/2/24")
    deal = inquiry.deal
    SubscriptionFactory(deal=deal)
    before = set(deal.status_changes.values_list("pk", flat=True))
    form = inquiry_form(
        inquiry,
        stage="phase_2",
        **{
            "events-TOTAL_FORMS": "1",
            "events-0-occurred_on": TODAY.isoformat(),
            "events-0-kind": EventKind.PHASE_2_OPENED,
            "events-0-title": "CMA refers the merger for a Phase 2 investigation",
            "events-0-text": "",
            "events-0-source_url": "https://www.gov.uk/cma-cases/example",
        },
    )
    response = client.post(f"/admin/deals/inquiry/{inquiry.pk}/change/", form)
    assert response.status_code == 302

    event = inquiry.events.get()
    changes = deal.status_changes.exclude(pk__in=before)
    assert {change.describe() for change in changes} == {
        "Under review → In-depth review",
        "CMA: Phase 1 → Phase 2 / in-depth",
    }
    assert all(change.cause == ChangeCause.EVENT and change.event == event for change in changes)
    page = client.get(deal.get_absolute_url()).text
    assert "(CMA refers the merger for a Phase 2 investigation)" in page
    assert CORRECTION not in page
    body = digest_body()
    assert "CMA refers the merger for a Phase 2 investigation" in body
    assert "correction" not in body


def test_a_brand_new_inquiry_reads_as_opened_not_as_a_correction(client, editor):
    deal = DealFactory(title="Microsoft / Mistral AI")
    SubscriptionFactory(deal=deal)
    response = client.post(
        "/admin/deals/inquiry/add/",
        {
            "regulator": RegulatorFactory().pk,
            "deal": deal.pk,
            "reference": "M.99999",
            "kind": "merger_review",
            "stage": "phase_1",
            "decision_status": "in_force",
            "opened_on": TODAY.isoformat(),
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "clock_stops-TOTAL_FORMS": "0",
            "clock_stops-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302

    change = deal.status_changes.overall().last()
    assert change.describe() == "No known inquiry → Under review"
    assert change.cause == ChangeCause.NEW_INQUIRY
    page = client.get(deal.get_absolute_url()).text
    assert "(EC opened an inquiry (M.99999))" in page
    assert CORRECTION not in page
    body = digest_body()
    assert "EC opened an inquiry (M.99999)" in body and "correction" not in body


def test_an_inquiry_ingest_creates_reads_as_opened_and_its_update_as_updated():
    deal = DealFactory()
    with derived_fields_deferred():  # as an ingest run saves
        inquiry = InquiryFactory(deal=deal, regulator=cma(), reference="ME/3/24")
        inquiry.title = "Example merger inquiry"
        inquiry.save()
    opened = deal.status_changes.overall().get()
    assert (opened.cause, opened.cause_text) == (
        ChangeCause.NEW_INQUIRY,
        "CMA opened an inquiry (ME/3/24)",
    )

    with derived_fields_deferred():
        inquiry.stage = Stage.PHASE_2
        inquiry.save()
    updated = deal.status_changes.overall().last()
    assert updated.describe() == "Under review → In-depth review"
    assert (updated.cause, updated.cause_text) == (ChangeCause.UPDATE, "CMA ME/3/24 updated")


def test_an_event_from_ingest_reads_as_its_title():
    inquiry = InquiryFactory(regulator=cma(), stage=Stage.PHASE_1, reference="ME/4/24")
    with derived_fields_deferred():
        inquiry.stage = Stage.PHASE_2
        inquiry.save()
        EventFactory(
            deal=None,
            inquiry=inquiry,
            kind=EventKind.PHASE_2_OPENED,
            title="Reference for Phase 2",
            occurred_on=TODAY,
        )
    change = inquiry.deal.status_changes.overall().last()
    assert (change.cause, change.cause_text) == (ChangeCause.EVENT, "Reference for Phase 2")


def test_old_rows_without_a_cause_keep_the_wording_they_had(editor):
    inquiry = InquiryFactory(regulator=cma(), reference="ME/5/24")
    deal = inquiry.deal
    event = EventFactory(deal=None, inquiry=inquiry, title="Phase 1 decision")
    old = {"deal": deal, "old_value": "a", "new_value": "b", "cause": ""}
    by_editor = StatusChange.objects.create(**old, changed_by=editor)
    by_event = StatusChange.objects.create(**old, event=event)
    by_review = StatusChange.objects.create(**old, inquiry=inquiry)
    unknown = StatusChange.objects.create(**old)
    assert by_editor.cause_text == "an editor's correction"
    assert by_event.cause_text == "Phase 1 decision"
    assert by_review.cause_text == "CMA ME/5/24 updated"
    assert unknown.cause_text == ""
    # Positive control: the same row with a cause recorded is worded from it.
    by_editor.cause = ChangeCause.NEW_INQUIRY
    by_editor.inquiry = inquiry
    assert by_editor.cause_text == "CMA opened an inquiry (ME/5/24)"


def test_the_feed_says_the_cause_in_words(client):
    inquiry = InquiryFactory(regulator=cma(), stage=Stage.PHASE_1, reference="ME/6/24")
    EventFactory(
        deal=None,
        inquiry=inquiry,
        kind=EventKind.DECISION,
        title="CMA clears the merger",
        occurred_on=datetime.date(2024, 5, 1),
    )
    with derived_fields_deferred():
        inquiry.stage, inquiry.outcome = Stage.CLOSED, "cleared"
        inquiry.save()
        EventFactory(
            deal=None,
            inquiry=inquiry,
            kind=EventKind.DECISION,
            title="Decision published",
            occurred_on=TODAY,
        )
    feed = client.get(f"{inquiry.deal.get_absolute_url()}feed/")
    if feed.status_code == 404:
        pytest.skip("no per-deal feed at this address")
    assert ": Decision published." in feed.text
    assert ": event." not in feed.text
