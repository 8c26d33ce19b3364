"""A deal's stored status follows its inquiries and its life (the rule in docs/statuses.md),
whoever changes them."""

import datetime

import pytest

from deals.tasks import refresh_time_dependent_statuses
from deals.vocabulary import (
    AntitrustStatus,
    DealLife,
    DecisionStatus,
    EventKind,
    InquiryKind,
    Outcome,
    Stage,
    Supersession,
)
from tests.factories import DealFactory, EventFactory, InquiryFactory, cma, ftc

pytestmark = pytest.mark.django_db


def status_of(deal):
    deal.refresh_from_db()
    return deal.antitrust_status


def test_a_deal_without_inquiries_has_no_known_inquiry():
    assert status_of(DealFactory()) == AntitrustStatus.NO_KNOWN_INQUIRY


def test_an_open_phase_1_inquiry_puts_the_deal_under_review():
    inquiry = InquiryFactory(stage=Stage.PHASE_1)
    assert status_of(inquiry.deal) == AntitrustStatus.UNDER_REVIEW


def test_any_open_phase_2_inquiry_makes_it_an_in_depth_review():
    inquiry = InquiryFactory(stage=Stage.CLOSED, outcome=Outcome.CLEARED)
    InquiryFactory(deal=inquiry.deal, regulator=cma(), stage=Stage.PHASE_2)
    assert status_of(inquiry.deal) == AntitrustStatus.IN_DEPTH_REVIEW


def test_a_prohibition_in_force_blocks_a_deal_that_has_not_completed():
    inquiry = InquiryFactory(stage=Stage.CLOSED, outcome=Outcome.CLEARED_WITH_REMEDIES)
    InquiryFactory(deal=inquiry.deal, regulator=cma(), stage=Stage.CLOSED, outcome="prohibited")
    assert status_of(inquiry.deal) == AntitrustStatus.BLOCKED


def test_a_prohibition_under_appeal_still_blocks():
    inquiry = InquiryFactory(
        stage=Stage.CLOSED,
        outcome=Outcome.PROHIBITED,
        decision_status=DecisionStatus.UNDER_APPEAL,
    )
    assert status_of(inquiry.deal) == AntitrustStatus.BLOCKED
    assert "under appeal" in inquiry.flags()


def test_a_superseded_prohibition_no_longer_counts_activision():
    """The CMA prohibited the deal, then cleared the restructured one with remedies."""
    deal = DealFactory(completed_on=datetime.date(2023, 10, 13))
    restructured = InquiryFactory(
        deal=deal, regulator=cma(), stage=Stage.CLOSED, outcome=Outcome.CLEARED_WITH_REMEDIES
    )
    original = InquiryFactory(deal=deal, regulator=cma(), stage=Stage.CLOSED, outcome="prohibited")
    assert status_of(deal) == AntitrustStatus.CLEARED_WITH_CONDITIONS  # completed: not blocked
    deal.completed_on = None
    deal.save()
    original.save()
    assert status_of(deal) == AntitrustStatus.BLOCKED
    original.superseded_by, original.supersession = restructured, Supersession.RESTRUCTURED
    original.save()
    assert status_of(deal) == AntitrustStatus.CLEARED_WITH_CONDITIONS
    assert not original.is_open and "superseded" in original.flags()


def test_a_withdrawn_decision_no_longer_counts_and_reads_struck_in_words():
    inquiry = InquiryFactory(
        stage=Stage.CLOSED,
        outcome=Outcome.PROHIBITED,
        closed_on=datetime.date(2022, 9, 6),
        decision_status=DecisionStatus.WITHDRAWN,
        decision_status_on=datetime.date(2024, 9, 6),
        decision_status_note="after the Court of Justice's judgment",
    )
    assert status_of(inquiry.deal) == AntitrustStatus.NO_FORMAL_REVIEW
    assert inquiry.state_text() == (
        "Prohibited 6 Sep 2022; withdrawn 6 Sep 2024 after the Court of Justice's judgment"
    )


def test_an_unwound_deal_reads_unwound_whatever_its_reviews_say_illumina():
    deal = DealFactory(
        completed_on=datetime.date(2021, 8, 18), unwound_on=datetime.date(2024, 6, 24)
    )
    InquiryFactory(deal=deal, regulator=ftc(), stage=Stage.CLOSED, outcome=Outcome.PROHIBITED)
    assert status_of(deal) == AntitrustStatus.UNWOUND
    assert deal.life == DealLife.UNWOUND and deal.life_on == datetime.date(2024, 6, 24)


def test_abandonment_wins_over_an_open_review_and_says_after_what():
    deal = DealFactory(abandoned_on=datetime.date(2023, 12, 18))
    ec = InquiryFactory(deal=deal, stage=Stage.PHASE_2)
    EventFactory(deal=None, inquiry=ec, kind=EventKind.PHASE_2_OPENED)
    InquiryFactory(deal=deal, regulator=cma(), stage=Stage.PHASE_2)
    assert status_of(deal) == AntitrustStatus.ABANDONED
    assert (
        deal.abandoned_after() == f"the {ec.regulator.short_name}'s Phase 2 and the CMA's Phase 2"
    )


def test_a_review_ended_by_abandonment_makes_the_deal_abandoned():
    inquiry = InquiryFactory(stage=Stage.CLOSED, outcome=Outcome.ABANDONED)
    InquiryFactory(deal=inquiry.deal, regulator=cma(), stage=Stage.PHASE_2)
    assert status_of(inquiry.deal) == AntitrustStatus.ABANDONED


def test_all_closed_with_remedies_somewhere_is_cleared_with_conditions():
    inquiry = InquiryFactory(stage=Stage.CLOSED, outcome=Outcome.CLEARED_WITH_REMEDIES)
    InquiryFactory(deal=inquiry.deal, regulator=cma(), stage=Stage.CLOSED, outcome="cleared")
    assert status_of(inquiry.deal) == AntitrustStatus.CLEARED_WITH_CONDITIONS


def test_a_consent_decree_awaiting_the_court_is_cleared_with_conditions_and_flagged():
    inquiry = InquiryFactory(
        regulator=ftc(),
        stage=Stage.CLOSED,
        outcome=Outcome.CLEARED_WITH_REMEDIES,
        court_approval_pending=True,
    )
    assert status_of(inquiry.deal) == AntitrustStatus.CLEARED_WITH_CONDITIONS
    assert "court approval pending" in inquiry.flags()


def test_not_qualifying_is_not_reviewable_not_cleared():
    inquiry = InquiryFactory(stage=Stage.CLOSED, outcome=Outcome.NOT_QUALIFYING)
    InquiryFactory(
        deal=inquiry.deal, regulator=cma(), stage=Stage.CLOSED, outcome=Outcome.CLOSED_NO_ACTION
    )
    assert status_of(inquiry.deal) == AntitrustStatus.NOT_REVIEWABLE


def test_an_informal_look_alone_is_informal_scrutiny_then_dormant_after_a_year():
    inquiry = InquiryFactory(kind=InquiryKind.INFORMAL_REVIEW, stage=Stage.INFORMAL)
    EventFactory(deal=None, inquiry=inquiry, occurred_on=datetime.date.today())
    assert status_of(inquiry.deal) == AntitrustStatus.INFORMAL_SCRUTINY
    stale = datetime.date.today() - datetime.timedelta(days=400)
    type(inquiry).objects.filter(pk=inquiry.pk).update(opened_on=stale)
    inquiry.events.update(occurred_on=stale)
    inquiry.save()
    assert status_of(inquiry.deal) == AntitrustStatus.NO_FORMAL_REVIEW
    inquiry.refresh_from_db()
    assert inquiry.is_dormant and "dormant" in inquiry.flags()


def test_an_informal_look_never_puts_a_deal_under_review():
    inquiry = InquiryFactory(kind=InquiryKind.INFORMAL_REVIEW, stage=Stage.INFORMAL)
    InquiryFactory(
        deal=inquiry.deal, regulator=cma(), stage=Stage.CLOSED, outcome=Outcome.NOT_QUALIFYING
    )
    assert status_of(inquiry.deal) == AntitrustStatus.NOT_REVIEWABLE


def test_the_daily_refresh_turns_a_stale_informal_look_dormant():
    inquiry = InquiryFactory(
        kind=InquiryKind.INFORMAL_REVIEW, stage=Stage.INFORMAL, opened_on=datetime.date.today()
    )
    assert status_of(inquiry.deal) == AntitrustStatus.INFORMAL_SCRUTINY
    stale = datetime.date.today() - datetime.timedelta(days=400)
    type(inquiry).objects.filter(pk=inquiry.pk).update(opened_on=stale, last_activity_on=stale)
    assert status_of(inquiry.deal) == AntitrustStatus.INFORMAL_SCRUTINY  # stored, not yet redone
    assert refresh_time_dependent_statuses() == 1
    assert status_of(inquiry.deal) == AntitrustStatus.NO_FORMAL_REVIEW


def test_a_conduct_case_never_clears_or_blocks_a_deal():
    inquiry = InquiryFactory(
        kind=InquiryKind.CONDUCT, stage=Stage.CLOSED, outcome=Outcome.INFRINGEMENT
    )
    assert status_of(inquiry.deal) == AntitrustStatus.NO_FORMAL_REVIEW
    assert inquiry.state_text().startswith("Infringement found")


def test_a_case_whose_state_is_not_published_is_never_open():
    inquiry = InquiryFactory(kind=InquiryKind.CONDUCT, stage=Stage.NOT_PUBLISHED)
    assert not inquiry.is_open
    assert not type(inquiry).objects.open().filter(pk=inquiry.pk).exists()
    assert inquiry.state_text().startswith("State not published; last activity")
    assert status_of(inquiry.deal) == AntitrustStatus.NO_FORMAL_REVIEW


def test_an_open_review_past_its_deadline_says_no_decision_is_recorded_since():
    inquiry = InquiryFactory(
        stage=Stage.PHASE_1,
        deadline_on=datetime.date(2026, 7, 7),
        checked_on=datetime.date(2026, 11, 27),
    )
    inquiry.refresh_from_db()
    assert status_of(inquiry.deal) == AntitrustStatus.UNDER_REVIEW
    assert (
        "decision due 7 Jul 2026; no decision recorded; last checked 27 Nov 2026" in inquiry.flags()
    )


def test_closing_the_last_open_inquiry_updates_the_stored_status():
    inquiry = InquiryFactory(stage=Stage.PHASE_1)
    inquiry.stage, inquiry.outcome = Stage.CLOSED, Outcome.CLEARED
    inquiry.save()
    assert status_of(inquiry.deal) == AntitrustStatus.CLEARED


def test_deleting_an_inquiry_updates_the_status():
    inquiry = InquiryFactory(stage=Stage.PHASE_1)
    deal = inquiry.deal
    inquiry.delete()
    assert status_of(deal) == AntitrustStatus.NO_KNOWN_INQUIRY


def test_bulk_deleting_inquiries_updates_the_status():
    inquiry = InquiryFactory(stage=Stage.CLOSED, outcome=Outcome.PROHIBITED)
    deal = inquiry.deal
    type(inquiry).objects.filter(pk=inquiry.pk).delete()
    assert status_of(deal) == AntitrustStatus.NO_KNOWN_INQUIRY


def test_moving_an_inquiry_to_another_deal_updates_both_deals():
    inquiry = InquiryFactory(stage=Stage.PHASE_1)
    old_deal, new_deal = inquiry.deal, DealFactory()
    inquiry.deal = new_deal
    inquiry.save()
    assert status_of(old_deal) == AntitrustStatus.NO_KNOWN_INQUIRY
    assert status_of(new_deal) == AntitrustStatus.UNDER_REVIEW


def test_latest_activity_follows_events_of_the_deal_and_its_inquiries():
    inquiry = InquiryFactory()
    deal = inquiry.deal
    EventFactory(deal=deal, occurred_on=datetime.date(2024, 2, 26))
    event = EventFactory(deal=None, inquiry=inquiry, occurred_on=datetime.date(2024, 5, 17))
    deal.refresh_from_db()
    assert deal.last_activity_on == datetime.date(2024, 5, 17)
    event.delete()
    deal.refresh_from_db()
    assert deal.last_activity_on == datetime.date(2024, 2, 26)


def test_a_decision_event_that_changes_the_status_is_recorded_as_its_cause():
    inquiry = InquiryFactory(stage=Stage.PHASE_1)
    inquiry.stage, inquiry.outcome = Stage.CLOSED, Outcome.CLEARED
    inquiry.save()
    event = EventFactory(deal=None, inquiry=inquiry, kind=EventKind.DECISION, title="Cleared")
    change = inquiry.deal.status_changes.overall().last()
    assert change.describe() == "Under review → Cleared" and change.inquiry == inquiry
    assert change.changed_by is None
    # The event changed nothing more: no second record.
    assert not inquiry.deal.status_changes.filter(event=event).exists()


def test_an_unchanged_save_records_no_status_change():
    inquiry = InquiryFactory(stage=Stage.PHASE_1)
    before = inquiry.deal.status_changes.count()
    assert before == 2  # overall and the regulator's line, both new
    inquiry.save()
    EventFactory(deal=inquiry.deal)
    assert inquiry.deal.status_changes.count() == before


def test_a_review_that_had_cleared_the_deal_is_not_one_it_was_abandoned_in():
    deal = DealFactory(abandoned_on=datetime.date(2024, 1, 29))
    InquiryFactory(deal=deal, regulator=cma(), stage=Stage.CLOSED, outcome=Outcome.CLEARED)
    ec = InquiryFactory(deal=deal, stage=Stage.CLOSED, outcome=Outcome.ABANDONED)
    EventFactory(deal=None, inquiry=ec, kind=EventKind.PHASE_2_OPENED)
    deal = type(deal).objects.with_detail_data().get(pk=deal.pk)
    assert deal.abandoned_after() == f"the {ec.regulator.short_name}'s Phase 2"


def test_a_dma_notification_is_shown_beside_the_deal_and_is_never_a_review():
    notice = InquiryFactory(kind=InquiryKind.NOTIFICATION, stage=Stage.INFORMAL)
    deal = notice.deal
    assert status_of(deal) == AntitrustStatus.NO_KNOWN_INQUIRY
    [line] = deal.jurisdiction_lines()
    assert line.is_context_only and line.context == [notice]
    # Control: a merger review beside it decides the status.
    InquiryFactory(deal=deal, stage=Stage.PHASE_1)
    assert status_of(deal) == AntitrustStatus.UNDER_REVIEW
