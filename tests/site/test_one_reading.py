"""One truth per review (issue 20): for every demo deal and every ingested sample, each surface
(deal page rows, chart text, lists, /deadlines/, the calendar, the API, the CSV, the digest's
lines) gives the phases, next deadline and state stored for it (deals/phases.py)."""

import csv
import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.utils import dateformat, timezone
from icalendar import Calendar

from deals.models import Deal, Inquiry
from ingest.pipeline import ingest_run
from subscriptions.digest import deals_for_digest, jurisdiction_states
from tests.conftest import built_once_per_module
from tests.ingest_samples import samples

pytestmark = pytest.mark.django_db


def day(on: datetime.date) -> str:
    return dateformat.format(on, "j M Y")


def build():
    call_command("load_demo", stdout=io.StringIO())
    for source, path in samples(small=True):
        run = ingest_run(source=source, documents=[path.read_bytes()], trigger="file")
        assert run.records, (source, path)
    return None


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    yield from built_once_per_module(django_db_blocker, build)


def public_inquiries():
    return list(
        Inquiry.objects.public()
        .select_related("regulator", "deal")
        .prefetch_related("phases")
        .order_by("pk")
    )


def row_of(page: str, inquiry_pk: int) -> str:
    start = page.index(f'<tr id="inquiry-{inquiry_pk}"')
    return page[start : page.index("</tr>", start)]


def test_the_samples_give_reviews_with_phases_and_deadlines_to_compare(loaded):
    inquiries = public_inquiries()
    assert len(inquiries) > 80
    assert sum(1 for i in inquiries if list(i.phases.all())) > 30
    assert any(i.next_deadline_on for i in inquiries)
    assert any(i.next_deadline_source == "published" for i in inquiries)


def test_each_deal_page_shows_the_stored_deadline_and_phases(client, loaded):
    deals = Deal.objects.published().filter(inquiries__isnull=False).distinct()
    checked = 0
    for deal in deals:
        page = client.get(deal.get_absolute_url()).text
        for inquiry in deal.inquiries.prefetch_related("phases"):
            row = row_of(page, inquiry.pk)
            deadline_cell = row[row.index("<dt>Deadline</dt>") : row.index("<dt>Closed</dt>")]
            if inquiry.next_deadline_on:
                assert day(inquiry.next_deadline_on) in deadline_cell, (deal, inquiry)
                assert inquiry.next_deadline_source in deadline_cell, (deal, inquiry)
            else:
                assert "—" in deadline_cell, (deal, inquiry)
            phases = list(inquiry.phases.all())
            assert row.count('<li class="phase ') == len(phases), (deal, inquiry)
            for phase in phases:
                if phase.deadline_on:
                    assert day(phase.deadline_on) in row, (deal, inquiry, phase.label)
                if phase.started_on and phase.started_precision == "day":
                    assert day(phase.started_on) in row
            checked += 1
        # The chart's text: each phase with its deadline, the same dates.
        for inquiry in deal.inquiries.prefetch_related("phases"):
            for phase in inquiry.phases.all():
                if phase.deadline_on:
                    expected = f"{day(phase.deadline_on)} ({phase.deadline_source})"
                    assert expected in page, (deal, inquiry, phase.label)
    assert checked > 50


def test_the_api_and_the_csv_give_the_stored_deadline_and_phases(client, loaded):
    response = client.get("/inquiries/export.csv")
    rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    by_url = {row["url"]: row for row in rows}
    for inquiry in public_inquiries():
        data = client.get(f"/api/v1/inquiries/{inquiry.pk}/").json()
        expected = inquiry.next_deadline_on.isoformat() if inquiry.next_deadline_on else None
        assert data["next_deadline_on"] == expected, inquiry
        assert data["next_deadline_source"] == inquiry.next_deadline_source, inquiry
        phases = list(inquiry.phases.all())
        assert [
            (p["kind"], p["started_on"], p["deadline_on"], p["ended_how"]) for p in data["phases"]
        ] == [
            (
                p.kind,
                p.started_on and p.started_on.isoformat(),
                p.deadline_on and p.deadline_on.isoformat(),
                p.ended_how,
            )
            for p in phases
        ], inquiry
        row = by_url[f"http://testserver{inquiry.get_absolute_url()}"]
        assert row["next_deadline_on"] == (expected or ""), inquiry
        assert row["next_deadline_source"] == inquiry.next_deadline_source
        cells = [cell for cell in row["phases"].split(" | ") if cell]
        assert [cell.split(" ")[0] for cell in cells] == [p.kind for p in phases], inquiry
        for cell, phase in zip(cells, phases, strict=True):
            if phase.deadline_on:
                assert f"deadline {phase.deadline_on.isoformat()}" in cell


def test_the_calendar_and_deadlines_page_list_each_open_reviews_stored_deadline(client, loaded):
    today = timezone.localdate()
    body = client.get("/deadlines/calendar.ics").content
    events = {
        str(event["uid"]): event.decoded("dtstart")
        for event in Calendar.from_ical(body).walk("VEVENT")
    }
    expected = {
        f"deadline-{inquiry.pk}@testserver": inquiry.next_deadline_on
        for inquiry in public_inquiries()
        if inquiry.is_open
        and inquiry.next_deadline_on
        and inquiry.next_deadline_on >= today - datetime.timedelta(days=365)
    }
    uids = {re.sub(r"@.*", "", uid): on for uid, on in events.items()}
    assert uids == {re.sub(r"@.*", "", uid): on for uid, on in expected.items()}
    assert expected  # control: there are deadlines to compare
    page = client.get("/deadlines/").text
    for inquiry in public_inquiries():
        upcoming = (
            inquiry.is_open and inquiry.next_deadline_on and inquiry.next_deadline_on >= today
        )
        if upcoming and inquiry.get_absolute_url() in page:
            assert day(inquiry.next_deadline_on) in page


def test_the_lists_deadline_column_and_sort_read_the_stored_deadline(client, loaded):
    page = client.get("/inquiries/?sort=deadline").text
    first = (
        Inquiry.objects.public().exclude(next_deadline_on=None).order_by("next_deadline_on", "pk")
    )
    shown = [inquiry for inquiry in first[:5]]
    assert shown  # control
    for inquiry in shown:
        row = row_of(page, inquiry.pk)
        assert day(inquiry.next_deadline_on) in row


def test_the_digest_lines_give_the_stored_next_deadline(loaded):
    today = timezone.localdate()
    deals = deals_for_digest(Deal.objects.published().values_list("pk", flat=True))
    compared = 0
    for deal in deals.values():
        states = {state.regulator: state for state in jurisdiction_states(deal, set())}
        for line in deal.jurisdiction_lines():
            lead = line.lead
            state = states[line.regulator.short_name]
            due = lead.next_deadline_on if lead.is_open else None
            if due and due >= today:
                assert day(due) in state.deadline and lead.next_deadline_source in state.deadline
                compared += 1
            else:
                assert state.deadline == ""
            if lead.is_open and due and due < today:
                assert lead.stale_text() in state.flags
                compared += 1
    assert compared >= 1
