"""The admin refuses impossible dates with a message naming the fields, and shows the phases it
derives (issue 20). One test per rule, each beside a save that passes."""

import pytest

from deals.models import Inquiry
from tests.factories import InquiryFactory

pytestmark = pytest.mark.django_db


def form(inquiry, **values):
    data = {
        "regulator": inquiry.regulator.pk,
        "deal": inquiry.deal.pk,
        "reference": inquiry.reference,
        "kind": "merger_review",
        "stage": "phase_1",
        "decision_status": "in_force",
        "closed_on_precision": "day",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "clock_stops-TOTAL_FORMS": "0",
        "clock_stops-INITIAL_FORMS": "0",
    }
    data.update(values)
    return data


def events(*rows):
    data = {"events-TOTAL_FORMS": str(len(rows)), "events-INITIAL_FORMS": "0"}
    for index, (kind, day, extra) in enumerate(rows):
        data |= {
            f"events-{index}-occurred_on": day,
            f"events-{index}-precision": "day",
            f"events-{index}-kind": kind,
            f"events-{index}-title": f"{kind} on {day}",
            **{f"events-{index}-{key}": value for key, value in extra.items()},
        }
    return data


@pytest.fixture
def inquiry():
    return InquiryFactory(reference="M.99999", stage="phase_1")


def post(client, inquiry, data):
    return client.post(f"/admin/deals/inquiry/{inquiry.pk}/change/", data)


def test_the_issues_impossible_inquiry_is_refused_naming_each_field(client, editor, inquiry):
    # Opened 10 Nov 2026, closed 1 Nov 2026, deadline 1 Oct 2026: refused, nothing stored.
    response = post(
        client,
        inquiry,
        form(
            inquiry,
            stage="closed",
            outcome="cleared",
            opened_on="2026-11-10",
            closed_on="2026-11-01",
            deadline_on="2026-10-01",
        ),
    )
    assert response.status_code == 200
    text = response.text
    assert "The closing date (1 Nov 2026) is before the opening date (10 Nov 2026)" in text
    assert "The published deadline (1 Oct 2026) is before the opening date (10 Nov 2026)" in text
    assert Inquiry.objects.get(pk=inquiry.pk).stage == "phase_1"
    # Control: the same dates in order save.
    response = post(
        client,
        inquiry,
        form(
            inquiry,
            stage="closed",
            outcome="cleared",
            opened_on="2026-10-01",
            closed_on="2026-11-10",
            deadline_on="2026-11-05",
        ),
    )
    assert response.status_code == 302
    assert Inquiry.objects.get(pk=inquiry.pk).outcome == "cleared"


def test_a_closing_date_on_an_open_inquiry_is_refused(client, editor, inquiry):
    response = post(client, inquiry, form(inquiry, opened_on="2026-10-01", closed_on="2026-11-01"))
    assert response.status_code == 200
    assert "A closing date (1 Nov 2026) on an inquiry that is not closed" in response.text
    assert post(client, inquiry, form(inquiry, opened_on="2026-10-01")).status_code == 302


def test_phase_2_opening_before_phase_1_is_refused(client, editor, inquiry):
    data = form(inquiry) | events(
        ("notified", "2026-06-10", {}), ("phase_2_opened", "2026-05-01", {})
    )
    response = post(client, inquiry, data)
    assert response.status_code == 200
    assert "Phase 2 opened (1 May 2026) before Phase 1 started (10 Jun 2026)" in response.text
    assert not inquiry.events.exists()
    data = form(inquiry) | events(
        ("notified", "2026-05-01", {}), ("phase_2_opened", "2026-06-10", {})
    )
    assert post(client, inquiry, data).status_code == 302
    assert inquiry.events.count() == 2


def test_a_deadline_published_before_its_event_is_refused(client, editor, inquiry):
    data = form(inquiry) | events(("notified", "2026-06-10", {"deadline_on": "2026-06-01"}))
    response = post(client, inquiry, data)
    assert response.status_code == 200
    assert "The deadline it published (1 Jun 2026) is before the event&#x27;s date" in response.text
    data = form(inquiry) | events(("notified", "2026-06-10", {"deadline_on": "2026-07-15"}))
    assert post(client, inquiry, data).status_code == 302
    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert (stored.next_deadline_on.isoformat(), stored.next_deadline_source) == (
        "2026-07-15",
        "published",
    )


def test_the_inquirys_deadline_before_its_first_phase_is_refused(client, editor, inquiry):
    data = form(inquiry, deadline_on="2026-06-01") | events(("notified", "2026-06-10", {}))
    response = post(client, inquiry, data)
    assert response.status_code == 200
    assert "is before its first phase starts (10 Jun 2026)" in response.text
    data = form(inquiry, deadline_on="2026-07-20") | events(("notified", "2026-06-10", {}))
    assert post(client, inquiry, data).status_code == 302


def test_a_month_precise_closing_is_stored_as_its_month_and_shown_so(client, editor, inquiry):
    data = form(
        inquiry,
        stage="closed",
        outcome="cleared_with_remedies",
        opened_on="2025-11-03",
        closed_on="2026-05-12",
        closed_on_precision="month",
    )
    assert post(client, inquiry, data).status_code == 302
    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert stored.closed_on.isoformat() == "2026-05-31"  # sorted at the month's end
    assert stored.state_text() == "Cleared with remedies May 2026"
    page = client.get(inquiry.deal.get_absolute_url()).text
    assert "May 2026" in page and "31 May 2026" not in page


def test_the_change_form_shows_the_derived_phases(client, editor, inquiry):
    data = form(inquiry) | events(("phase_1_opened", "2026-06-10", {}))
    assert post(client, inquiry, data).status_code == 302
    page = client.get(f"/admin/deals/inquiry/{inquiry.pk}/change/").text
    assert "phases, derived from the events, clock stops and deadlines" in page.lower()
    assert "<td>Phase I</td><td>2026-06-10</td>" in page
