"""The case-state filter (`state` = open / closed) and the decision-date range (`decided_after`,
`decided_before`) on /deals/ and /inquiries/, and on their CSVs, feeds and calendars (the same
FilterSets). Open is the one definition (deals.models.OPEN_INQUIRY); closed is every other
inquiry except one whose source publishes no state; a deal is open or closed by its current
(not superseded) reviews."""

import datetime
from html import unescape

import pytest

from deals.models import Inquiry
from deals.vocabulary import EventKind, Outcome, Stage
from tests.factories import DealFactory, EventFactory, InquiryFactory, RegulatorFactory, cma, ftc

pytestmark = pytest.mark.django_db

SOON = datetime.date.today() + datetime.timedelta(days=20)


@pytest.fixture
def cases():
    """Deals and their inquiries, one of each kind of state:

    - Open / Deal: a CMA Phase 1, deadline ahead (open).
    - Closed / Deal: an EC clearance decided 2024-05-10 (closed).
    - Both / Deal: open at the EC, decided by the CMA 2023-01-15.
    - Unknown / Deal: a case whose source publishes no state (neither).
    - Referred / Deal: an FTC case decided 2022-03-01 but superseded by an open CMA case
      (the deal's current review is open; the superseded one, not open, counts as closed on
      /inquiries/).
    - Far / Deal: decided twice, 2022-01-01 and 2025-01-01, nothing between.
    """
    ec = RegulatorFactory()
    open_deal = DealFactory(title="Open / Deal")
    closed_deal = DealFactory(title="Closed / Deal")
    both = DealFactory(title="Both / Deal")
    unknown = DealFactory(title="Unknown / Deal")
    referred = DealFactory(title="Referred / Deal")
    far = DealFactory(title="Far / Deal")

    def decided(deal, regulator, reference, on, outcome=Outcome.CLEARED):
        return InquiryFactory(
            deal=deal,
            regulator=regulator,
            reference=reference,
            stage=Stage.CLOSED,
            outcome=outcome,
            closed_on=on,
        )

    InquiryFactory(deal=open_deal, regulator=cma(), reference="OPEN-1", deadline_on=SOON)
    decided(closed_deal, ec, "CLOSED-1", datetime.date(2024, 5, 10))
    InquiryFactory(deal=both, regulator=ec, reference="BOTH-OPEN", deadline_on=SOON)
    decided(both, cma(), "BOTH-CLOSED", datetime.date(2023, 1, 15))
    InquiryFactory(deal=unknown, regulator=ec, reference="UNKNOWN-1", stage=Stage.NOT_PUBLISHED)
    successor = InquiryFactory(deal=referred, regulator=cma(), reference="REFERRED-NOW")
    superseded = decided(
        referred, ftc(), "REFERRED-BEFORE", datetime.date(2022, 3, 1), Outcome.REFERRED
    )
    Inquiry.objects.filter(pk=superseded.pk).update(superseded_by=successor)
    decided(far, ec, "FAR-1", datetime.date(2022, 1, 1))
    decided(far, cma(), "FAR-2", datetime.date(2025, 1, 1))
    for deal in (open_deal, closed_deal, both, unknown, referred, far):
        EventFactory(deal=deal, kind=EventKind.ANNOUNCED, title=f"{deal.title} announced")


EVERY_DEAL = {
    "Open / Deal",
    "Closed / Deal",
    "Both / Deal",
    "Unknown / Deal",
    "Referred / Deal",
    "Far / Deal",
}


def deals(client, query: str) -> set[str]:
    response = client.get(f"/deals/?{query}")
    assert response.status_code == 200
    assert response.context["filter"].is_valid(), response.context["filter"].errors
    return {deal.title for deal in response.context["page"].object_list}


def inquiries(client, query: str) -> set[str]:
    response = client.get(f"/inquiries/?{query}")
    assert response.status_code == 200
    assert response.context["filter"].is_valid(), response.context["filter"].errors
    return {inquiry.reference for inquiry in response.context["page"].object_list}


EVERY_INQUIRY = {
    "OPEN-1",
    "CLOSED-1",
    "BOTH-OPEN",
    "BOTH-CLOSED",
    "UNKNOWN-1",
    "REFERRED-NOW",
    "REFERRED-BEFORE",
    "FAR-1",
    "FAR-2",
}


def test_deals_with_an_open_or_a_closed_review(client, cases):
    assert deals(client, "") == EVERY_DEAL  # the positive control: every deal is listed
    assert deals(client, "state=open") == {"Open / Deal", "Both / Deal", "Referred / Deal"}
    # The FTC's superseded decision does not make Referred / Deal closed: it is not current.
    assert deals(client, "state=closed") == {"Closed / Deal", "Both / Deal", "Far / Deal"}
    assert deals(client, "state=open&state=closed") == EVERY_DEAL - {"Unknown / Deal"}


def test_inquiries_open_or_closed(client, cases):
    assert inquiries(client, "") == EVERY_INQUIRY
    assert inquiries(client, "state=open") == {"OPEN-1", "BOTH-OPEN", "REFERRED-NOW"}
    closed = {"CLOSED-1", "BOTH-CLOSED", "REFERRED-BEFORE", "FAR-1", "FAR-2"}
    assert inquiries(client, "state=closed") == closed
    # A case whose state is not published is neither.
    assert inquiries(client, "state=open&state=closed") == EVERY_INQUIRY - {"UNKNOWN-1"}


def test_open_is_the_one_definition(client, cases):
    """The filter's open inquiries are exactly Inquiry.objects.open()'s, whatever it says."""
    assert inquiries(client, "state=open") == set(
        Inquiry.objects.open().values_list("reference", flat=True)
    )


def test_the_state_combines_with_other_filters(client, cases):
    assert deals(client, "state=closed&regulator=cma") == {"Both / Deal", "Far / Deal"}
    assert inquiries(client, "state=open&regulator=cma") == {"OPEN-1", "REFERRED-NOW"}


def test_the_state_shows_as_a_chip_and_a_checked_box(client, cases):
    page = unescape(client.get("/deals/?state=open").text)
    assert "Reviews:</span> With an open review" in page
    assert 'name="state" value="open"' in page and "checked" in page
    inquiry_page = unescape(client.get("/inquiries/?state=closed").text)
    assert "Case state:</span> Closed" in inquiry_page


def test_inquiries_decided_in_a_range(client, cases):
    assert inquiries(client, "decided_after=2024-01-01") == {"CLOSED-1", "FAR-2"}
    assert inquiries(client, "decided_before=2022-12-31") == {"REFERRED-BEFORE", "FAR-1"}
    both = "decided_after=2023-01-01&decided_before=2024-12-31"
    assert inquiries(client, both) == {"CLOSED-1", "BOTH-CLOSED"}
    # The bounds are inclusive.
    day = "decided_after=2024-05-10&decided_before=2024-05-10"
    assert inquiries(client, day) == {"CLOSED-1"}


def test_deals_with_a_review_decided_in_the_range(client, cases):
    assert deals(client, "decided_after=2024-01-01") == {"Closed / Deal", "Far / Deal"}
    assert deals(client, "decided_before=2022-06-30") == {"Referred / Deal", "Far / Deal"}
    # One review decided within both bounds: Far / Deal's two decisions are either side of
    # the range (one after its start, another before its end), so it is not in it.
    both = "decided_after=2023-01-01&decided_before=2024-12-31"
    assert deals(client, both) == {"Closed / Deal", "Both / Deal"}
    assert deals(client, "decided_after=2030-01-01") == set()


@pytest.mark.parametrize(
    "query",
    [
        "decided_after=2024-13-45",
        "decided_before=yesterday",
        "decided_after=%00",
        "state=opened",
        "state=",  # as `status=`: checkboxes are never sent empty
        "state=open%00",
    ],
)
def test_a_malformed_value_is_the_form_error_and_no_rows(client, cases, query):
    for path in ["/deals/", "/inquiries/"]:
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200
        assert "Some filters could not be used" in response.text
        assert list(response.context["page"].object_list) == []
    for path in ["/deals/export.csv", "/inquiries/export.csv", "/deals/feed/"]:
        assert client.get(f"{path}?{query}").status_code == 400, path
    assert client.get(f"/deadlines/calendar.ics?{query}").status_code == 400
    # The positive control: a well-formed value answers 200 with rows.
    assert client.get("/deals/export.csv?state=open&decided_after=2023-01-01").status_code == 200


def test_the_csv_feed_and_calendar_follow_the_state(client, cases):
    csv = b"".join(client.get("/deals/export.csv?state=closed").streaming_content).decode()
    assert "Closed / Deal" in csv and "Open / Deal" not in csv
    open_csv = b"".join(client.get("/deals/export.csv?state=open").streaming_content).decode()
    assert "Open / Deal" in open_csv
    inquiry_csv = b"".join(
        client.get("/inquiries/export.csv?state=open").streaming_content
    ).decode()
    assert "OPEN-1" in inquiry_csv and "CLOSED-1" not in inquiry_csv
    feed = client.get("/deals/feed/?state=open").content.decode()
    assert "Open / Deal announced" in feed and "Closed / Deal announced" not in feed
    # Deadlines ahead are open cases' only: the closed ones' calendar is empty of them.
    open_calendar = client.get("/deadlines/calendar.ics?state=open").content.decode()
    assert "OPEN-1" in open_calendar and "BOTH-OPEN" in open_calendar
    closed_calendar = client.get("/deadlines/calendar.ics?state=closed").content.decode()
    assert closed_calendar.startswith("BEGIN:VCALENDAR") and "OPEN-1" not in closed_calendar
    deal_calendar = client.get("/deals/calendar.ics?state=closed").content.decode()
    assert "BOTH-OPEN" in deal_calendar  # Both / Deal is closed at the CMA, open at the EC
    assert "OPEN-1" not in deal_calendar


def test_the_csv_follows_the_decision_dates(client, cases):
    csv = b"".join(
        client.get("/inquiries/export.csv?decided_after=2024-01-01").streaming_content
    ).decode()
    assert "CLOSED-1" in csv and "FAR-2" in csv and "BOTH-CLOSED" not in csv
    response = client.get("/deals/export.csv?decided_after=2023-01-01&decided_before=2024-12-31")
    deal_csv = b"".join(response.streaming_content).decode()
    assert "Both / Deal" in deal_csv and "Far / Deal" not in deal_csv


def test_the_new_filters_are_in_the_canonical_query_of_the_alternates(client, cases):
    page = unescape(client.get("/deals/?state=open&decided_after=2023-01-01&sort=name").text)
    assert "/deals/feed/?decided_after=2023-01-01&state=open" in page
