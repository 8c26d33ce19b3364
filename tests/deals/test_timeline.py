"""A deal's timeline: its own events and its inquiries' events, read through Event.timeline_deal
(one indexed lookup) and kept right whichever way events and inquiries are written."""

import datetime

import pytest

from deals.derived import fill_timeline_deal
from deals.models import Deal, Event
from tests.factories import DealFactory, EventFactory, InquiryFactory

pytestmark = pytest.mark.django_db


def titles(deal):
    return [event.title for event in deal.timeline()]


def test_the_timeline_has_the_deals_events_and_its_inquiries_events_in_date_order():
    deal = DealFactory()
    inquiry = InquiryFactory(deal=deal)
    EventFactory(deal=deal, occurred_on=datetime.date(2024, 1, 2), title="Announced")
    EventFactory(deal=None, inquiry=inquiry, occurred_on=datetime.date(2024, 3, 1), title="Phase 1")
    EventFactory(deal=deal, inquiry=inquiry, occurred_on=datetime.date(2024, 2, 1), title="Filed")
    EventFactory(deal=None, inquiry=InquiryFactory(), title="Another deal's")
    assert titles(deal) == ["Announced", "Filed", "Phase 1"]


def test_an_inquiry_moved_to_another_deal_takes_its_events_along():
    first, second = DealFactory(), DealFactory()
    inquiry = InquiryFactory(deal=first)
    EventFactory(deal=None, inquiry=inquiry, title="Phase 1 opened")
    inquiry.deal = second
    inquiry.save()
    assert titles(first) == [] and titles(second) == ["Phase 1 opened"]
    second.refresh_from_db()
    assert second.last_activity_on == inquiry.events.get().occurred_on


def test_a_conduct_case_without_a_deal_is_on_no_timeline_until_it_gets_one():
    inquiry = InquiryFactory(deal=None)
    event = EventFactory(deal=None, inquiry=inquiry, title="Objections")
    assert event.timeline_deal_id is None
    deal = DealFactory()
    inquiry.deal = deal
    inquiry.save()
    assert titles(deal) == ["Objections"]


def test_events_written_in_bulk_join_their_timeline_with_fill_timeline_deal():
    deal = DealFactory()
    inquiry = InquiryFactory(deal=deal)
    Event.objects.bulk_create(
        [
            Event(deal=None, inquiry=inquiry, occurred_on=datetime.date(2024, 1, 1), title="A"),
            Event(deal=deal, occurred_on=datetime.date(2024, 1, 2), title="B"),
        ]
    )
    assert titles(deal) == []
    assert fill_timeline_deal(Event.objects.filter(timeline_deal__isnull=True)) == 2
    assert titles(deal) == ["A", "B"]


def test_deleting_a_deal_keeps_its_inquiries_and_their_events_off_any_timeline():
    deal = DealFactory()
    inquiry = InquiryFactory(deal=deal)
    event = EventFactory(deal=None, inquiry=inquiry)
    deal.delete()
    event.refresh_from_db()
    inquiry.refresh_from_db()
    assert inquiry.deal_id is None and event.timeline_deal_id is None
    assert not Deal.objects.exists()
