"""The front page: what Dealwatch is, latest events, this week's deadlines, in-depth reviews."""

import datetime

import pytest

from deals.vocabulary import EventKind, Stage
from tests.factories import DealFactory, EventFactory, InquiryFactory, cma

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def test_the_front_page_says_what_dealwatch_is_and_links_to_how_statuses_are_derived(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Dealwatch follows big-tech and industry deals" in response.text
    assert 'action="/deals/"' in response.text and 'name="q"' in response.text
    assert 'href="/statuses/"' in response.text


def test_it_lists_this_weeks_deadlines_published_and_computed_and_not_later_ones(client):
    InquiryFactory(deal=DealFactory(title="Due / Soon"), deadline_on=TODAY + datetime.timedelta(3))
    InquiryFactory(
        deal=DealFactory(title="Due / Later"), deadline_on=TODAY + datetime.timedelta(30)
    )
    # A CMA Phase 1 launched 38 working days ago is due within two working days.
    start = TODAY
    for _ in range(38):
        start -= datetime.timedelta(days=1)
        while start.weekday() >= 5:
            start -= datetime.timedelta(days=1)
    computed = InquiryFactory(
        deal=DealFactory(title="Clock / Running"),
        regulator=cma(),
        opened_on=start,
        deadline_on=None,
    )
    EventFactory(deal=None, inquiry=computed, kind=EventKind.PHASE_1_OPENED, occurred_on=start)

    week = [inquiry.deal.title for inquiry in client.get("/").context["this_week"]]
    assert "Due / Soon" in week and "Clock / Running" in week and "Due / Later" not in week


def test_it_shows_twenty_of_this_weeks_deadlines_soonest_first_and_counts_the_rest(client):
    for number in range(23):
        InquiryFactory(
            deal=DealFactory(title=f"Due / {number:02}"),
            deadline_on=TODAY + datetime.timedelta(days=1 + number % 6),
        )
    InquiryFactory(deal=DealFactory(title="Due / Later"), deadline_on=TODAY + datetime.timedelta(9))
    response = client.get("/")
    shown = response.context["this_week"]
    assert len(shown) == 20
    days = [inquiry.next_deadline_on for inquiry in shown]
    assert days == sorted(days)
    assert "And 3 more" in response.text and "Due / Later" not in response.text


def test_it_names_the_next_deadline_when_none_falls_this_week(client):
    InquiryFactory(
        deal=DealFactory(title="Due / Later"), deadline_on=TODAY + datetime.timedelta(30)
    )
    response = client.get("/")
    assert "No statutory deadline falls in the next seven days" in response.text
    assert "Due / Later" in response.text


def test_it_lists_deals_under_in_depth_review_and_the_latest_events(client):
    deal = DealFactory(title="Adobe / Figma")
    review = InquiryFactory(deal=deal, regulator=cma(), stage=Stage.PHASE_2)
    EventFactory(deal=None, inquiry=review, title="Reference to phase 2", occurred_on=TODAY)
    DealFactory(title="Quiet / Deal")
    response = client.get("/")
    assert [d.title for d in response.context["in_depth"]] == ["Adobe / Figma"]
    assert "Reference to phase 2" in response.text


def test_the_front_page_runs_the_same_number_of_queries_whatever_it_shows(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            client.get("/")
        return len(queries)

    def add(n):
        for i in range(n):
            deal = DealFactory(title=f"Deal {i}")
            review = InquiryFactory(
                deal=deal,
                regulator=cma(),
                stage=Stage.PHASE_2,
                deadline_on=TODAY + datetime.timedelta(days=i % 7),
            )
            EventFactory(deal=None, inquiry=review, kind=EventKind.PHASE_2_OPENED)

    add(1)
    before = count()
    add(10)
    assert count() == before <= 14
