"""Editors enter a published deadline, extensions and clock stops; the public page follows."""

import datetime

import pytest

from deals.models import Inquiry
from deals.vocabulary import EventKind
from tests.factories import EventFactory, InquiryFactory, cma

pytestmark = pytest.mark.django_db
D = datetime.date


def test_an_editor_records_a_clock_stop_and_the_computed_deadline_moves(admin_client):
    inquiry = InquiryFactory(regulator=cma(), opened_on=D(2025, 11, 3), stage="phase_2")
    EventFactory(
        deal=None, inquiry=inquiry, kind=EventKind.PHASE_2_OPENED, occurred_on=D(2025, 11, 3)
    )
    page = admin_client.get(f"/admin/deals/inquiry/{inquiry.pk}/change/")
    assert "Statutory clock" in page.text and "clock stop" in page.text.lower()

    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["companies"] = []
    data.update(
        {
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "clock_stops-TOTAL_FORMS": "1",
            "clock_stops-INITIAL_FORMS": "0",
            "clock_stops-0-stopped_on": "2026-01-05",
            "clock_stops-0-restarted_on": "2026-01-19",
            "clock_stops-0-note": "Information requested",
            "extended_by": "2",
        }
    )
    data = {key: value for key, value in data.items() if value is not None}
    response = admin_client.post(f"/admin/deals/inquiry/{inquiry.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    inquiry = Inquiry.objects.get(pk=inquiry.pk)
    # 24 weeks to 19 Apr 2026, +2 weeks extension, +14 days stopped: 17 May 2026.
    assert (inquiry.deadline.on, inquiry.deadline.source) == (D(2026, 5, 17), "computed")
