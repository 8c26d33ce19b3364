"""/deadlines/: published and computed deadlines ahead, the working days left, and filters."""

import datetime

import pytest

from deals import clocks
from deals.vocabulary import EventKind, Outcome
from tests.factories import DealFactory, EventFactory, InquiryFactory, cma, ftc

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def launched(title, days_ago, **inquiry):
    """A CMA Phase 1 launched `days_ago`, with no published deadline."""
    start = TODAY - datetime.timedelta(days=days_ago)
    case = InquiryFactory(
        deal=DealFactory(title=title), regulator=cma(), opened_on=start, deadline_on=None, **inquiry
    )
    EventFactory(deal=None, inquiry=case, kind=EventKind.PHASE_1_OPENED, occurred_on=start)
    return case


def expected_cma_deadline(days_ago):
    start = TODAY - datetime.timedelta(days=days_ago)
    return clocks.CALENDARS["gb-eng"].add_working_days(start, 40)


def test_a_computed_deadline_is_listed_as_computed_with_the_working_days_left(client):
    launched("Computed / Deal", days_ago=10)
    due = expected_cma_deadline(10)
    left = clocks.CALENDARS["gb-eng"].working_days_between(TODAY, due)

    response = client.get("/deadlines/")

    assert "Computed / Deal" in response.text
    assert f'datetime="{due:%Y-%m-%d}"' in response.text
    assert "computed" in response.text and f"{left} working days left" in response.text


def test_published_and_computed_deadlines_are_sorted_together_and_filtered_by_source(client):
    launched("Computed / Deal", days_ago=10)
    InquiryFactory(
        deal=DealFactory(title="Published / Deal"), deadline_on=TODAY + datetime.timedelta(days=2)
    )

    def listed(query=""):
        page = client.get(f"/deadlines/?{query}").context["page"]
        return [inquiry.deal.title for inquiry in page.object_list]

    assert listed() == ["Published / Deal", "Computed / Deal"]
    assert listed("source=computed") == ["Computed / Deal"]
    assert listed("source=published") == ["Published / Deal"]
    assert listed("within=7") == ["Published / Deal"]
    assert listed("regulator=cma") == ["Computed / Deal"]
    assert listed("q=published") == ["Published / Deal"]


def test_a_decided_review_has_no_deadline_and_a_us_review_needs_its_filing_date(client):
    launched("Decided / Deal", days_ago=10, outcome=Outcome.CLEARED, stage="closed")
    InquiryFactory(deal=DealFactory(title="Us / Deal"), regulator=ftc(), opened_on=TODAY)
    response = client.get("/deadlines/")
    assert "Decided / Deal" not in response.text and "Us / Deal" not in response.text


def test_a_computed_deadline_that_passed_is_listed_as_passed_with_no_decision(client):
    launched("Late / Deal", days_ago=90)
    response = client.get("/deadlines/")
    assert [inquiry.deal.title for inquiry in response.context["passed"]] == ["Late / Deal"]
    assert list(response.context["page"].object_list) == []


@pytest.mark.parametrize(
    "query", ["within=abc", "source=guessed", "stage=bogus", "regulator=nope", "q=" + "x" * 500]
)
def test_bad_filters_are_form_errors_not_server_errors(client, query):
    response = client.get(f"/deadlines/?{query}")
    assert response.status_code == 200
    assert "Some filters could not be used" in response.text


def test_the_deal_page_says_whether_a_deadline_is_published_or_computed(client):
    case = launched("Clocked / Deal", days_ago=10)
    response = client.get(case.deal.get_absolute_url())
    assert "computed" in response.text
    assert f'datetime="{expected_cma_deadline(10):%Y-%m-%d}"' in response.text
