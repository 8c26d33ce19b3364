"""A deal's stored status follows its inquiries (the rule in DOMAIN.md), whoever changes them."""

import datetime

import pytest

from deals.models import AntitrustStatus, Outcome, Stage
from tests.factories import DealFactory, EventFactory, InquiryFactory, cma

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
    inquiry = InquiryFactory(stage=Stage.PHASE_1, outcome=Outcome.CLEARED)
    InquiryFactory(deal=inquiry.deal, regulator=cma(), stage=Stage.PHASE_2)
    assert status_of(inquiry.deal) == AntitrustStatus.IN_DEPTH_REVIEW


def test_a_prohibition_anywhere_blocks_the_deal_even_if_cleared_elsewhere():
    inquiry = InquiryFactory(stage=Stage.PHASE_2, outcome=Outcome.CLEARED_WITH_REMEDIES)
    InquiryFactory(deal=inquiry.deal, regulator=cma(), stage=Stage.PHASE_2, outcome="prohibited")
    assert status_of(inquiry.deal) == AntitrustStatus.BLOCKED


def test_abandonment_wins_over_an_open_review():
    inquiry = InquiryFactory(stage=Stage.PHASE_2, outcome=Outcome.ABANDONED)
    InquiryFactory(deal=inquiry.deal, regulator=cma(), stage=Stage.PHASE_2)
    assert status_of(inquiry.deal) == AntitrustStatus.ABANDONED


def test_all_closed_with_remedies_somewhere_is_cleared_with_conditions():
    inquiry = InquiryFactory(stage=Stage.PHASE_2, outcome=Outcome.CLEARED_WITH_REMEDIES)
    InquiryFactory(deal=inquiry.deal, regulator=cma(), stage=Stage.PHASE_1, outcome="cleared")
    assert status_of(inquiry.deal) == AntitrustStatus.CLEARED_WITH_CONDITIONS


def test_all_closed_without_remedies_is_cleared():
    inquiry = InquiryFactory(stage=Stage.PHASE_1, outcome=Outcome.NOT_QUALIFYING)
    assert status_of(inquiry.deal) == AntitrustStatus.CLEARED


def test_closing_the_last_open_inquiry_updates_the_stored_status():
    inquiry = InquiryFactory(stage=Stage.PHASE_1)
    inquiry.outcome = Outcome.CLEARED
    inquiry.save()
    assert status_of(inquiry.deal) == AntitrustStatus.CLEARED


def test_deleting_an_inquiry_updates_the_status():
    inquiry = InquiryFactory(stage=Stage.PHASE_1)
    deal = inquiry.deal
    inquiry.delete()
    assert status_of(deal) == AntitrustStatus.NO_KNOWN_INQUIRY


def test_bulk_deleting_inquiries_updates_the_status():
    inquiry = InquiryFactory(stage=Stage.PHASE_2, outcome=Outcome.PROHIBITED)
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
