"""Press releases: the ones naming a known deal join its timeline, the rest wait for an editor."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from deals.models import Deal, Event
from ingest.models import RawRecord, ReviewItem, ReviewStatus
from ingest.pipeline import record_create_deal
from ingest.sources import doj, ftc_press
from ingest.sources.base import PressRecord, Skipped
from tests import FIXTURE_DIR
from tests.factories import CompanyFactory, DealFactory, PartyFactory

pytestmark = pytest.mark.django_db

FIXTURES = FIXTURE_DIR
FTC_PRESS = FIXTURES / "ftc" / "press-release-competition.xml"
DOJ = FIXTURES / "doj" / "press_releases_SYNTHETIC.json"
CHEVRON_HESS = "FTC Approves Final Order in Chevron-Hess Deal"
GTCR = "FTC Challenges Medical Device Coatings Deal"


def ingest(*args) -> str:
    out = io.StringIO()
    call_command("ingest", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[-1]


@pytest.fixture
def chevron_hess():
    deal = DealFactory(title="Chevron / Hess")
    PartyFactory(deal=deal, company=CompanyFactory(name="Chevron"), role="acquirer")
    PartyFactory(deal=deal, company=CompanyFactory(name="Hess"), role="target")
    return deal


def test_a_release_naming_both_parties_of_a_deal_joins_its_timeline(chevron_hess):
    line = ingest("ftc-press", "--from-file", str(FTC_PRESS))

    assert line == "source=ftc-press records=30 new=30 changed=0 unchanged=0 skipped=0 errors=0"
    event = Event.objects.get(deal=chevron_hess)
    assert (event.title, event.kind) == (CHEVRON_HESS, "press")
    assert event.source_url.startswith("https://www.ftc.gov/news-events/news/press-releases/")
    assert "<p>" not in event.text and "Chevron" in event.text
    assert not ReviewItem.objects.filter(title=CHEVRON_HESS).exists()


def test_unmatched_releases_appear_in_the_admin_review_queue(client, editor, chevron_hess):
    ingest("ftc-press", "--from-file", str(FTC_PRESS))

    page = client.get("/admin/ingest/reviewitem/")

    assert page.status_code == 200
    assert GTCR in page.text
    assert CHEVRON_HESS not in page.text
    assert ReviewItem.objects.count() == 13  # 1 attached, 16 about no deal or case filed


def test_an_editor_attaches_a_release_to_a_deal_in_two_clicks(client, editor):
    # The tracker knows the target but not the buyer under the name the FTC uses: no confident
    # match, so the release waits in the queue with the deal suggested.
    deal = DealFactory(title="GTCR / Surmodics")
    PartyFactory(deal=deal, company=CompanyFactory(name="GTCR Fund XIV"), role="acquirer")
    PartyFactory(deal=deal, company=CompanyFactory(name="Surmodics"), role="target")
    ingest("ftc-press", "--from-file", str(FTC_PRESS))
    item = ReviewItem.objects.get(title=GTCR)

    # Click 1: open the item from the queue; the deal is suggested.
    queue = client.get("/admin/ingest/reviewitem/")
    review_url = f"/admin/ingest/reviewitem/{item.pk}/change/"
    assert review_url in queue.text
    review = client.get(review_url)
    assert "GTCR / Surmodics" in review.text and "Attach to this deal" in review.text
    # Click 2: "Attach to this deal".
    response = client.post(review_url, {"decision": "attach_deal", "deal": deal.pk}, follow=True)

    assert "Attached" in response.text
    event = Event.objects.get(deal=deal)
    assert (event.title, event.kind) == (GTCR, "press")
    item.refresh_from_db()
    assert item.review_status == ReviewStatus.ATTACHED and item.reviewed_by == editor
    assert review_url not in client.get("/admin/ingest/reviewitem/").text


def test_a_challenge_naming_both_parties_under_another_legal_form_is_attached_at_once():
    deal = DealFactory(title="GTCR / Surmodics")
    PartyFactory(deal=deal, company=CompanyFactory(name="GTCR LLC"), role="acquirer")
    PartyFactory(deal=deal, company=CompanyFactory(name="Surmodics, Inc."), role="target")
    ingest("ftc-press", "--from-file", str(FTC_PRESS))
    assert Event.objects.get(deal=deal).title == GTCR
    assert not ReviewItem.objects.filter(title=GTCR).exists()


def test_an_editor_can_find_another_deal_and_attach_to_it(client, editor):
    deal = DealFactory(title="Deere right to repair")
    ingest("ftc-press", "--from-file", str(FTC_PRESS))
    item = ReviewItem.objects.get(title__startswith="FTC, States Sue Deere")

    found = client.get(f"/admin/ingest/reviewitem/{item.pk}/change/", {"q": "Deere"})
    assert deal.title in found.text
    client.post(
        f"/admin/ingest/reviewitem/{item.pk}/change/", {"decision": "attach_deal", "deal": deal.pk}
    )

    assert Event.objects.filter(deal=deal, kind="press").count() == 1


def test_dismissed_releases_stay_dismissed_on_the_next_run(client, editor):
    ingest("ftc-press", "--from-file", str(FTC_PRESS))
    item = ReviewItem.objects.get(title=GTCR)

    client.post(f"/admin/ingest/reviewitem/{item.pk}/change/", {"decision": "dismiss"})
    ingest("ftc-press", "--from-file", str(FTC_PRESS))

    item.refresh_from_db()
    assert item.review_status == ReviewStatus.DISMISSED
    assert not ReviewItem.objects.filter(pk=item.pk).exists()


def test_creating_a_deal_from_a_release_puts_the_release_on_it(editor):
    ingest("ftc-press", "--from-file", str(FTC_PRESS))
    item = ReviewItem.objects.get(title=GTCR)

    deal = record_create_deal(record=item, user=editor)

    assert deal.needs_review
    # On the deal's timeline (since the FTC sued to block: as the event of the FTC's review).
    assert Event.objects.get(timeline_deal=deal).title == GTCR
    item.refresh_from_db()
    assert item.review_status == ReviewStatus.DEAL_CREATED


def test_the_review_page_shows_the_source_html_sanitised(client, editor):
    ingest("doj", "--from-file", str(DOJ))
    item = ReviewItem.objects.get(source="doj")

    page = client.get(f"/admin/ingest/reviewitem/{item.pk}/change/").text

    assert "<script>" not in page and "alert(" not in page
    assert "<strong>Acme Widgets</strong>" not in page  # the body is shown, not the teaser
    assert "filed a civil antitrust lawsuit" in page


def test_doj_takes_only_antitrust_division_releases_and_skips_a_bad_one():
    err = io.StringIO()
    call_command("ingest", "doj", "--from-file", str(DOJ), stdout=io.StringIO(), stderr=err)

    records = RawRecord.objects.filter(source="doj")
    assert list(records.values_list("title", flat=True)) == [
        "Justice Department Sues to Block Acme Widgets' Acquisition of Example Gears"
    ]
    assert "00000000-0000-4000-8000-000000000003: date 'last Tuesday'" in err.getvalue()
    assert "alert(" not in records.get().summary


def test_a_doj_release_naming_a_known_deal_becomes_an_event_on_it():
    deal = DealFactory(title="Acme Widgets / Example Gears")
    PartyFactory(deal=deal, company=CompanyFactory(name="Acme Widgets"), role="acquirer")
    PartyFactory(deal=deal, company=CompanyFactory(name="Example Gears"), role="target")

    ingest("doj", "--from-file", str(DOJ))

    assert Event.objects.get(deal=deal).kind == "press"
    assert not ReviewItem.objects.exists()
    assert Deal.objects.count() == 1


def test_staff_outside_the_editors_group_cannot_decide_on_queued_records(client):
    ingest("ftc-press", "--from-file", str(FTC_PRESS))
    item = ReviewItem.objects.get(title=GTCR)
    client.force_login(User.objects.create_user("sam", password="pw-sam-12345", is_staff=True))

    response = client.post(f"/admin/ingest/reviewitem/{item.pk}/change/", {"decision": "dismiss"})

    assert response.status_code == 403
    item.refresh_from_db()
    assert item.review_status == ReviewStatus.PENDING


def test_editors_may_view_but_never_edit_or_delete_what_ingest_stored(client, editor):
    ingest("ftc-press", "--from-file", str(FTC_PRESS))
    record = RawRecord.objects.first()

    assert client.get(f"/admin/ingest/rawrecord/{record.pk}/change/").status_code == 200
    assert client.post(f"/admin/ingest/rawrecord/{record.pk}/delete/").status_code == 403
    assert client.get("/admin/ingest/rawrecord/add/").status_code == 403


def test_press_sources_only_ever_give_press_records_so_they_set_no_stage_or_outcome():
    records = ftc_press.parse(FTC_PRESS.read_bytes()) + doj.parse(DOJ.read_bytes())

    assert all(isinstance(record, PressRecord | Skipped) for record in records)
    assert any(isinstance(record, PressRecord) for record in records)
