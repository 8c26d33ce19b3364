"""Characters that are not text (deals/text.py): every C0 control, U+FFFE and U+FFFF.

Planted straight through the ORM, every surface still reads (no 500, every feed well-formed
XML, calendars and CSV without them); typed in the admin, they are refused with a message
naming the field; served by a source, the record is applied without them and the run warns.
"""

from __future__ import annotations

import csv
import io
import json
import re
from xml.dom import minidom

import pytest
from defusedxml import ElementTree
from django.core import mail
from django.db import connection
from django.test import Client
from icalendar import Calendar

from deals.exports import csv_response
from deals.models import Company, Deal, Event, Inquiry
from deals.text import NOT_TEXT, data_clean, not_text_in, text_clean
from ingest.models import RawRecord
from ingest.pipeline import ingest_run
from ingest.sources import base
from subscriptions.services import digest_run
from tests import FIXTURE_DIR
from tests.factories import DealFactory, EventFactory, RegulatorFactory, SubscriberFactory
from tests.site.test_hostile_content import build_world, public_urls

pytestmark = pytest.mark.django_db

EVERY = "".join(chr(code) for code in range(32)) + "\ufffe\uffff"
# What XML 1.0, RFC 5545 and a careful CSV reader refuse: EVERY but tab, newline and CR.
REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def planted(what: str) -> str:
    # PostgreSQL stores no NUL in text: that one cannot be planted there (nor stored at all).
    every = EVERY.replace("\x00", "") if connection.vendor == "postgresql" else EVERY
    return f"{what} {every} end"


def test_the_one_definition_is_what_xml_forbids():
    assert not_text_in(EVERY) == [
        f"U+{code:04X}" for code in [*range(9), 11, 12, *range(14, 32)]
    ] + [
        "U+FFFE",
        "U+FFFF",
    ]
    assert text_clean(f"a{EVERY}b\ud800") == "a\t\n\rb"
    assert data_clean({"k\x02": ["v\x1b", ("w\ufffe", 3)]}) == {"k": ["v", ("w", 3)]}


def _plant() -> None:
    Deal.objects.update(title=planted("Deal"), summary=planted("Summary"))
    Event.objects.update(title=planted("Event"), text=planted("Text"))
    Inquiry.objects.update(title=planted("Inquiry"), summary=planted("Summary"))
    Company.objects.update(name=planted("Company"))


def assert_well_formed_feed(response, where: str) -> None:
    assert response.status_code == 200, f"{where}: {response.status_code}"
    ElementTree.fromstring(response.content)  # defusedxml
    minidom.parseString(response.content)
    assert not REFUSED.search(response.content.decode()), where


def test_every_surface_reads_text_planted_with_every_control_character(settings):
    settings.SITE_URL = "https://dealwatch.example"
    world = build_world()
    _plant()

    visitor = Client(raise_request_exception=False)
    feeds = calendars = downloads = 0
    for name, paths in public_urls(world).items():
        for path in paths:
            response = visitor.get(path)
            assert response.status_code < 500, f"{path}: {response.status_code}"
            kind = response.get("Content-Type", "")
            if name.endswith("feed"):
                assert_well_formed_feed(response, path)
                feeds += 1
            elif "text/calendar" in kind:
                Calendar.from_ical(response.content)
                assert not REFUSED.search(response.content.decode()), path
                calendars += 1
            elif "text/csv" in kind:
                text = response.getvalue().decode()  # the lists' CSVs stream
                assert not REFUSED.search(text), path
                assert list(csv.reader(io.StringIO(text)))
                downloads += 1
            elif "json" in kind:
                json.loads(response.content)
    assert (feeds, calendars, downloads) >= (7, 2, 4)
    # What was read carried the planted text: the feeds wrote it, minus what is not text.
    body = visitor.get("/feed/").content.decode()
    assert "Event  end" in body or "Event \t\n" in body

    mail.outbox.clear()
    summary = digest_run(frequency="daily")
    assert summary.sent == 1, summary.line()
    for message in mail.outbox:
        message.message().as_bytes()


def test_each_feed_answers_200_with_a_control_character_in_an_event_title():
    """The finding: /feed/ answered 500 (UnserializableContentError) and U+FFFE gave a 200 that
    was not XML."""
    deal = DealFactory(title="Buyer / Target")
    for title in ["Phase 1 \x02 opened", "Cleared \ufffe", "Cleared \x0b\x0c\x1f"]:
        EventFactory(deal=deal, title=title)
    client = Client()
    for path in ["/feed/", "/deals/feed/", f"/deals/{deal.slug}/feed/", "/inquiries/feed/"]:
        assert_well_formed_feed(client.get(path), path)
    assert "Phase 1  opened" in client.get("/feed/").text


# --- The admin refuses them -----------------------------------------------------------------


def test_the_admin_refuses_control_characters_naming_the_field(client, editor):
    deal = DealFactory()
    response = client.post(
        "/admin/deals/event/add/",
        {"deal": deal.pk, "occurred_on": "2024-03-01", "kind": "other", "title": "Opened \x02"},
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Title holds characters that are not text (U+0002)" in errors["title"][0]
    assert "Title holds characters that are not text (U+0002)" in response.text
    assert not Event.objects.exists()


def test_the_admin_refuses_them_in_an_inline_and_in_every_text_box(client, editor):
    regulator = RegulatorFactory()
    response = client.post(
        "/admin/deals/deal/add/",
        {
            "title": "Buyer / Target \ufffe",
            "slug": "buyer-target",
            "deal_type": "acquisition",
            "sector": "Chips\x1b",
            "summary": "Two lines\r\nof summary",  # a textarea's CR LF is text
            "is_published": "on",
            "parties-TOTAL_FORMS": "0",
            "parties-INITIAL_FORMS": "0",
            "inquiries-TOTAL_FORMS": "1",
            "inquiries-INITIAL_FORMS": "0",
            "inquiries-0-regulator": regulator.pk,
            "inquiries-0-reference": "M.1\x00",
            "inquiries-0-kind": "merger_review",
            "inquiries-0-stage": "phase_1",
            "inquiries-0-decision_status": "in_force",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    text = response.text
    assert "Title holds characters that are not text (U+FFFE)" in text
    assert "Sector holds characters that are not text (U+001B)" in text
    assert "Reference holds characters that are not text (U+0000)" in text
    assert "Summary holds" not in text
    assert not Deal.objects.exists()


# --- Ingest removes them and warns ----------------------------------------------------------


def test_an_ec_record_with_control_characters_is_applied_clean_with_a_warning():
    dump = json.loads((FIXTURE_DIR / "ec" / "case-data-AT_excerpt5.json").read_bytes())
    meta = dump["AT.40153"]["metadata"]
    meta["caseTitle"] = ["E-book \x02MFNs\ufffe and related matters (Amazon)\x00"]
    meta["caseCompanies"] = ["Amazon\x1b EU S.a.r.l."]
    document = json.dumps(dump).encode()

    run = ingest_run(source="ec", documents=[document], trigger="file")

    assert (run.new, run.errors, run.skipped) == (5, 0, 0)
    [warning] = run.problems
    assert warning["id"] == "AT.40153"
    assert warning["reason"].startswith("warning: applied without the characters that are not")
    for code in ["U+0002", "U+FFFE", "U+0000", "U+001B"]:
        assert code in warning["reason"]
    assert "inquiry.title" in warning["reason"]
    inquiry = Inquiry.objects.get(reference="AT.40153")
    assert inquiry.title == "E-book MFNs and related matters (Amazon)"
    assert inquiry.companies.get().name == "Amazon EU S.a.r.l."
    raw = RawRecord.objects.get(external_id="AT.40153")
    assert data_clean(raw.payload) == raw.payload
    assert raw.payload["metadata"]["caseTitle"] == [inquiry.title]

    again = ingest_run(source="ec", documents=[document], trigger="file")
    assert (again.unchanged, again.problems) == (5, [])


def test_an_rss_item_with_control_characters_is_applied_clean_with_a_warning():
    feed = (FIXTURE_DIR / "ftc" / "press-release-competition.xml").read_bytes()
    first = b"FTC Requests Public Comment on EnCap"
    assert first in feed
    document = feed.replace(first, b"FTC \x02Requests&#x1b; Public&#65534; Comment on EnCap", 1)
    with pytest.raises(Exception, match="not well-formed"):
        ElementTree.fromstring(document)  # what expat says, and what refused the whole feed

    run = ingest_run(source="ftc-press", documents=[document], trigger="file")

    assert run.errors == 0 and run.new > 1
    [warning] = [p for p in run.problems if p["reason"].startswith("warning:")]
    assert warning["id"] == "87991"
    for code in ["U+0002", "U+001B", "U+FFFE"]:
        assert code in warning["reason"]
    raw = RawRecord.objects.get(source="ftc-press", external_id="87991")
    assert raw.title.startswith("FTC Requests Public Comment on EnCap")
    assert not NOT_TEXT.search(raw.title + raw.summary)
    assert data_clean(raw.payload) == raw.payload


def test_an_xml_document_in_another_encoding_is_read_without_them():
    document = (
        b'<?xml version="1.0" encoding="iso-8859-1"?>'
        b"<rss><channel><item><title>Caf\xe9\x02 &#2;</title><guid>1</guid></item></channel></rss>"
    )
    assert base.rss_items(document) == [{"title": "Caf\u00e9", "guid": "1"}]


def test_the_subscriber_admin_refuses_them_in_the_reason_for_disabling(admin_client):
    subscriber = SubscriberFactory()
    response = admin_client.post(
        f"/admin/subscriptions/subscriber/{subscriber.pk}/change/",
        {
            "disabled_reason": "Bounced\x07",
            "subscriptions-TOTAL_FORMS": "0",
            "subscriptions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "Disabled reason holds characters that are not text (U+0007)" in response.text
    subscriber.refresh_from_db()
    assert subscriber.disabled_reason == ""


def test_a_control_character_cannot_hide_a_formula_from_the_csv_check():
    response = csv_response("x.csv", ["title"], [["\x01=HYPERLINK(1)"], ["Buyer\x1b / Target"]])
    assert list(csv.reader(io.StringIO(response.content.decode()))) == [
        ["title"],
        ["'=HYPERLINK(1)"],
        ["Buyer / Target"],
    ]
