"""Feeds, calendars and CSV for any view: valid Atom dated by when things happened, iCalendar
deadlines that a calendar library reads back, the inquiry list as CSV."""

import csv
import datetime
import io

import feedparser
import icalendar
import pytest

from deals.vocabulary import Outcome, Stage
from tests.factories import (
    InquiryFactory,
    cma,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]
TODAY = datetime.date.today()


@pytest.fixture
def activision(world):
    """Microsoft / Activision Blizzard, in depth at the CMA and the EC (tests/worlds.py)."""
    return world.activision


# The world's events on each deal (tests/worlds.py), newest first, as titled in a feed.
MISTRAL = [
    "Does not qualify for investigation",
    "The Commission will analyse the agreement",
    "Partnership announced",
]
ACTIVISION = ["Phase 2 opened", "Announced"]


def atom(client, url: str):
    """The feed as a real feed parser reads it, with the elements RFC 4287 requires."""
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.id and feed.feed.title and feed.feed.updated and feed.feed.author
    assert any(link.rel == "self" for link in feed.feed.links)
    for entry in feed.entries:
        assert entry.id and entry.title and entry.updated and entry.link
    return feed


def test_feeds_are_valid_atom_dated_when_the_event_happened(client, activision):
    feed = atom(client, "/feed/")
    titles = [entry.title for entry in feed.entries]
    assert titles == [
        "Microsoft / Mistral AI · CMA: Does not qualify for investigation",
        "Microsoft / Mistral AI · EC: The Commission will analyse the agreement",
        "Microsoft / Mistral AI: Partnership announced",
        "Adobe / Figma: Terminated",
        "Microsoft / Activision Blizzard · CMA: Phase 2 opened",
        "Microsoft / Activision Blizzard: Announced",
    ]
    phase_2 = feed.entries[4]
    assert phase_2.updated.startswith("2022-09-01")
    assert phase_2.published.startswith("2022-09-01")
    assert feed.feed.updated.startswith("2024-05-17")


def test_an_event_keeps_its_id_from_one_feed_to_another(client, activision):
    everything = {e.title.split(": ")[-1]: e.id for e in atom(client, "/feed/").entries}
    deal = {
        e.title.split(": ")[-1]: e.id for e in atom(client, "/deals/feed/?q=activision").entries
    }
    assert deal["Phase 2 opened"] == everything["Phase 2 opened"]
    assert everything["Phase 2 opened"].startswith("tag:127.0.0.1,2024:event/")
    assert atom(client, "/deals/feed/?q=activision").entries[0].id == deal["Phase 2 opened"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/deals/feed/?regulator=cma", [*MISTRAL, "Terminated", *ACTIVISION]),
        ("/deals/feed/?company=Microsoft", [*MISTRAL, *ACTIVISION]),
        ("/deals/feed/?q=figma", ["Terminated"]),
        ("/inquiries/feed/?regulator=cma", [MISTRAL[0], "Phase 2 opened"]),
        ("/inquiries/feed/?q=ME%2F6999", ["Phase 2 opened"]),
        ("/companies/microsoft/feed/", [*MISTRAL, *ACTIVISION]),
        ("/regulators/cma/feed/", [MISTRAL[0], "Phase 2 opened"]),
        ("/regulators/ec/feed/", [MISTRAL[1]]),
        ("/regulators/ftc/feed/", []),  # an inquiry with no event yet
        ("/deals/microsoft-activision-blizzard/feed/", ["Phase 2 opened", "Announced"]),
    ],
)
def test_a_feed_for_any_view(client, activision, url, expected):
    # A deal's own feed also carries its status changes ("No known inquiry → ..."), as entries
    # of their own (tests/subscriptions/test_digest_status_changes.py); here, the events.
    titles = [entry.title.split(": ")[-1] for entry in atom(client, url).entries]
    assert [title for title in titles if "→" not in title] == expected


def test_a_filtered_feed_points_at_its_page_and_itself(client, activision):
    feed = atom(client, "/deals/feed/?regulator=cma&page=2")
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["alternate"].endswith("/deals/?regulator=cma")
    assert links["self"].endswith("/deals/feed/?regulator=cma")


@pytest.mark.parametrize(
    "url",
    [
        "/deals/feed/?status=exploded",
        "/deals/feed/?company=nobody-at-all",
        "/inquiries/feed/?stage=%00",
        "/deals/calendar.ics?announced_after=2024-13-45",
        "/deadlines/calendar.ics?regulator=nope",
        "/inquiries/export.csv?opened_after=yesterday",
    ],
)
def test_invalid_filters_are_a_400_for_feeds_calendars_and_csv(client, activision, url):
    assert client.get(url).status_code == 400


def test_unknown_company_or_regulator_feed_is_a_404(client):
    assert client.get("/companies/nobody/feed/").status_code == 404
    assert client.get("/regulators/nobody/feed/").status_code == 404


def read_calendar(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def test_a_deadline_calendar_for_the_cma_round_trips_through_a_calendar_library(client, activision):
    calendar = read_calendar(client.get("/deadlines/calendar.ics?regulator=cma"))
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["summary"]) == "CMA deadline: Microsoft / Activision Blizzard (ME/6999/22)"
    assert event.decoded("dtstart") == TODAY + datetime.timedelta(days=30)
    assert event.decoded("dtend") == TODAY + datetime.timedelta(days=31)
    assert "Competition and Markets Authority" in str(event["description"])
    assert "ME/6999/22" in str(event["description"])
    assert str(event["location"]) == "Competition and Markets Authority"
    assert event["uid"].startswith("deadline-")
    assert str(calendar["prodid"]) and str(calendar["version"]) == "2.0"
    # Written back and read again, nothing is lost.
    again = icalendar.Calendar.from_ical(calendar.to_ical())
    assert [str(e["uid"]) for e in again.walk("VEVENT")] == [str(event["uid"])]
    assert again.walk("VEVENT")[0].decoded("dtstart") == event.decoded("dtstart")


def test_calendars_follow_the_filters_and_leave_out_closed_and_past_deadlines(client, activision):
    InquiryFactory(
        regulator=cma(), reference="PAST", stage=Stage.PHASE_1, deadline_on=TODAY.replace(year=2020)
    )
    InquiryFactory(
        regulator=cma(),
        reference="DONE",
        stage=Stage.CLOSED,
        outcome=Outcome.CLEARED,
        deadline_on=TODAY + datetime.timedelta(days=3),
    )

    def summaries(url):
        return [str(e["summary"]) for e in read_calendar(client.get(url)).walk("VEVENT")]

    everything = summaries("/deadlines/calendar.ics")
    assert [s.split(" deadline")[0] for s in everything] == ["FTC", "EC", "CMA"]  # soonest first
    assert summaries("/deadlines/calendar.ics?jurisdiction=EU") == [everything[1]]
    assert summaries("/deals/calendar.ics?company=microsoft") == everything
    assert summaries("/deals/calendar.ics?q=figma") == []


def test_the_inquiry_list_downloads_as_csv_with_the_same_filters(client, activision):
    response = client.get("/inquiries/export.csv?regulator=cma&sort=deadline")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["reference"] for row in rows] == ["ME/6999/22", "ME/7108/24", "ME/7011/22"]
    first = rows[0]
    assert first["regulator"] == "CMA" and first["jurisdiction"] == "GB"
    assert first["deal"] == "Microsoft / Activision Blizzard"
    assert first["stage"] == "Phase 2 / in-depth"
    assert first["next_deadline_on"] == (TODAY + datetime.timedelta(days=30)).isoformat()
    assert first["next_deadline_source"] == "published"
    assert first["url"].startswith("http://testserver/deals/microsoft-activision-blizzard/")


def test_pages_link_to_their_feed_calendar_csv_and_api(client, activision):
    page = client.get("/deals/?regulator=cma&page=1").text
    for href in [
        "/deals/feed/?regulator=cma",
        "/deals/calendar.ics?regulator=cma",
        "/deals/export.csv?regulator=cma",
        "/api/v1/deals/?regulator=cma",
    ]:
        assert 'rel="alternate"' in page and f'href="{href}"' in page
    inquiries = client.get("/inquiries/?q=activision").text
    for href in [
        "/inquiries/feed/?q=activision",
        "/deadlines/calendar.ics?q=activision",
        "/inquiries/export.csv?q=activision",
        "/api/v1/inquiries/?q=activision",
    ]:
        assert f'href="{href}"' in inquiries
    company = client.get("/companies/microsoft/").text
    assert 'href="/companies/microsoft/feed/"' in company
    assert 'href="/deadlines/calendar.ics?company=microsoft"' in company
    regulator = client.get("/regulators/cma/").text
    assert 'href="/regulators/cma/feed/"' in regulator
    assert 'href="/api/v1/inquiries/?regulator=cma"' in regulator
    deal = client.get("/deals/microsoft-activision-blizzard/").text
    assert 'href="/api/v1/deals/microsoft-activision-blizzard/"' in deal
    assert 'href="/api/v1/companies/"' in client.get("/companies/").text
    assert 'href="/api/v1/regulators/"' in client.get("/regulators/").text
    # Under a filter that cannot be used there is nothing to link to.
    assert 'rel="alternate"' not in client.get("/deals/?status=exploded").text
