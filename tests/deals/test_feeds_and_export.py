"""Analysts take the data away: Atom feeds of events and a CSV of the filtered deal list."""

import csv
import datetime
import io

import pytest
from defusedxml import ElementTree

from tests.factories import DealFactory, EventFactory, InquiryFactory, PartyFactory, cma
from tests.hostile import SCRIPT

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def entry_titles(response):
    root = ElementTree.fromstring(response.content)
    return [entry.find(f"{ATOM}title").text for entry in root.iter(f"{ATOM}entry")]


def test_the_feed_lists_new_events_with_their_deal_and_regulator(client):
    inquiry = InquiryFactory(deal=DealFactory(title="Adobe / Figma"), regulator=cma())
    EventFactory(deal=None, inquiry=inquiry, title="Phase 2 opened")
    EventFactory(deal=DealFactory(title="Hidden / Deal", is_published=False), title="Secret")
    response = client.get("/feed/")
    assert response.status_code == 200
    assert entry_titles(response) == ["Adobe / Figma · CMA: Phase 2 opened"]


def test_a_deal_feed_has_only_that_deals_events(client):
    deal = DealFactory(title="Amazon / iRobot")
    EventFactory(deal=deal, title="Terminated", occurred_on=datetime.date(2024, 1, 29))
    EventFactory(deal=DealFactory(title="Other"), title="Elsewhere")
    response = client.get(f"/deals/{deal.slug}/feed/")
    assert entry_titles(response) == ["Amazon / iRobot: Terminated"]
    assert client.get("/deals/nope/feed/").status_code == 404


def test_csv_export_follows_the_filters(client):
    figma = DealFactory(title="Adobe / Figma", announced_on=datetime.date(2022, 9, 15))
    PartyFactory(deal=figma)
    InquiryFactory(deal=figma, regulator=cma(), stage="closed", outcome="abandoned")
    DealFactory(title="Other / Deal")
    response = client.get("/deals/export.csv?regulator=cma")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["title", "type", "status"]
    assert [row[0] for row in rows[1:]] == ["Adobe / Figma"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["status"] == "Abandoned" and row["regulators"] == "CMA"
    assert row["life"] == "Announced" and row["jurisdictions"] == "CMA: Abandoned"


def test_csv_export_neutralises_formulas_and_rejects_bad_filters(client):
    DealFactory(title='=HYPERLINK("http://evil")')
    response = client.get("/deals/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][0].startswith("'=")
    assert client.get("/deals/export.csv?announced_after=2024-13-45").status_code == 400


def test_event_text_is_declared_plain_text_so_feed_readers_do_not_run_it(client):
    deal = DealFactory(title="Adobe / Figma")
    EventFactory(deal=deal, title=f"Decision {SCRIPT}", text=f"Parties: {SCRIPT}")
    for path in ("/feed/", f"/deals/{deal.slug}/feed/"):
        root = ElementTree.fromstring(client.get(path).content)
        [entry] = root.iter(f"{ATOM}entry")
        summary = entry.find(f"{ATOM}summary")
        # Atom's type="html" tells a reader to decode the text and render it as markup.
        assert summary.get("type", "text") == "text"
        assert f"Parties: {SCRIPT}" in summary.text
        assert all(element.get("type", "text") == "text" for element in entry)


def test_a_deal_feed_has_its_status_changes_as_entries(client):
    deal = DealFactory(title="Adobe / Figma")
    inquiry = InquiryFactory(deal=deal)
    deal.refresh_from_db()  # the status the inquiry gave it
    deal.abandoned_on = datetime.date.today()
    deal.save()
    response = client.get(f"/deals/{deal.slug}/feed/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Adobe / Figma: Under review → Abandoned" in text
    change = deal.status_changes.get(regulator=None, new_value="abandoned")
    assert f"#status-change-{change.pk}" in text
    assert f'id="status-change-{change.pk}"' in client.get(deal.get_absolute_url()).text
    assert inquiry.pk  # the review whose status moved
