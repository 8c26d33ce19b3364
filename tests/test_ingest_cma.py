"""CMA cases from GOV.UK: stage, outcome and one timeline event per change-history note."""

import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from deals.models import AntitrustStatus, Deal, Inquiry, Outcome, Stage
from ingest.models import RawRecord

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "cma"
TOPPS = FIXTURES / "publishing-api_cma-cases-with-change-history.json"
RICHEMONT = FIXTURES / "publishing-api_cma-cases.json"


def ingest(*args) -> str:
    out = io.StringIO()
    call_command("ingest", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[-1]


def topps_item() -> dict:
    return json.loads(TOPPS.read_bytes())


def test_a_content_api_item_gives_the_case_with_its_stage_and_one_event_per_note():
    line = ingest("cma", "--from-file", str(TOPPS))

    assert line == "source=cma records=1 new=1 changed=0 unchanged=0 skipped=0 errors=0"
    case = Inquiry.objects.get(regulator__slug="cma")
    assert case.title == "Topps Tiles / CTD Tiles (certain assets) merger inquiry"
    assert (case.stage, case.outcome, case.status_wording) == (Stage.PHASE_1, "", "Open")
    assert case.opened_on == datetime.date(2024, 10, 3)
    assert case.deadline_on == datetime.date(2025, 2, 17)
    assert case.source_url.endswith(
        "/cma-cases/topps-tiles-slash-ctd-tiles-certain-assets-merger-inquiry"
    )
    notes = [entry["note"] for entry in topps_item()["details"]["change_history"]]
    assert list(case.events.order_by("occurred_on").values_list("title", flat=True)) == notes
    assert case.events.get(title="Invitation to comment published.").kind == "comment_invited"


def test_a_closed_case_gets_its_outcome_in_the_cmas_words():
    ingest("cma", "--from-file", str(RICHEMONT))

    case = Inquiry.objects.get(regulator__slug="cma")
    assert (case.stage, case.outcome) == (Stage.CLOSED, Outcome.CLEARED)
    assert case.status_wording == "Mergers - phase 1 clearance"
    assert case.closed_on == datetime.date(2015, 8, 20)
    assert case.events.count() == 1
    assert case.deal.antitrust_status == AntitrustStatus.CLEARED


def test_a_merger_inquiry_named_a_slash_b_gets_a_deal_with_those_companies_for_review():
    ingest("cma", "--from-file", str(TOPPS))

    deal = Deal.objects.get()
    assert deal.title == "Topps Tiles / CTD Tiles (certain assets)"
    assert deal.deal_type == "asset_purchase"
    assert deal.needs_review
    parties = [(party.company.name, party.role) for party in deal.parties.all()]
    assert parties == [("Topps Tiles", "acquirer"), ("CTD Tiles", "target")]
    assert deal.antitrust_status == AntitrustStatus.UNDER_REVIEW


def test_a_case_joins_the_deal_an_editor_already_has_for_the_same_companies():
    from tests.factories import CompanyFactory, DealFactory, PartyFactory

    deal = DealFactory(title="Topps Group / CTD")
    PartyFactory(deal=deal, company=CompanyFactory(name="Topps Tiles"), role="acquirer")
    PartyFactory(deal=deal, company=CompanyFactory(name="CTD Tiles"), role="target")

    ingest("cma", "--from-file", str(TOPPS))

    assert Deal.objects.count() == 1
    assert Inquiry.objects.get(regulator__slug="cma").deal == deal
    assert deal.parties.count() == 2


def test_an_update_adds_only_the_new_note_and_moves_the_case_on(tmp_path):
    ingest("cma", "--from-file", str(TOPPS))
    case = Inquiry.objects.get()
    first_events = set(case.events.values_list("pk", flat=True))
    item = topps_item()
    item["details"]["change_history"].append(
        {"note": "Phase 1 decision published.", "public_timestamp": "2025-02-20T09:00:00.000Z"}
    )
    item["details"]["metadata"].update(
        case_state="closed", outcome_type="mergers-phase-1-clearance", closed_date="2025-02-17"
    )
    updated = tmp_path / "topps.json"
    updated.write_text(json.dumps(item))

    line = ingest("cma", "--from-file", str(updated))

    assert line == "source=cma records=1 new=0 changed=1 unchanged=0 skipped=0 errors=0"
    case.refresh_from_db()
    assert (case.stage, case.outcome) == (Stage.CLOSED, Outcome.CLEARED)
    added = case.events.exclude(pk__in=first_events)
    assert list(added.values_list("title", "kind")) == [("Phase 1 decision published.", "decision")]
    assert case.events.filter(pk__in=first_events).count() == len(first_events)


def test_an_editors_correction_survives_a_later_ingest_of_the_same_record(tmp_path):
    ingest("cma", "--from-file", str(TOPPS))
    case = Inquiry.objects.get()
    case.title = "Topps Tiles / CTD Tiles"  # the editor shortens the title
    case.summary = "Editor's summary."
    case.save()
    deleted = case.events.get(title="Derogations published")
    deleted.delete()  # and removes an event they find noise
    item = topps_item()
    item["title"] = "Topps Tiles / CTD Tiles (certain assets) merger inquiry (updated)"
    item["description"] = "A new description from GOV.UK."
    item["details"]["metadata"]["case_state"] = "closed"
    item["details"]["metadata"]["outcome_type"] = "mergers-phase-1-clearance"
    updated = tmp_path / "topps.json"
    updated.write_text(json.dumps(item))

    ingest("cma", "--from-file", str(updated))

    case.refresh_from_db()
    assert case.title == "Topps Tiles / CTD Tiles"
    assert case.summary == "Editor's summary."
    assert (case.stage, case.outcome) == (Stage.CLOSED, Outcome.CLEARED)  # not edited: updated
    assert not case.events.filter(title="Derogations published").exists()
    record = RawRecord.objects.get(source="cma")
    assert record.conflicts["inquiry.title"]["here"] == "Topps Tiles / CTD Tiles"
    assert "inquiry.summary" in record.conflicts


def test_a_list_of_content_api_items_is_one_run_and_a_bad_item_is_skipped(tmp_path):
    bad = {"base_path": "/cma-cases/broken", "title": "", "details": {"metadata": {}}}
    items = [topps_item(), json.loads(RICHEMONT.read_bytes()), bad]
    both = tmp_path / "items.json"
    both.write_text(json.dumps(items))

    line = ingest("cma", "--from-file", str(both))

    assert line == "source=cma records=3 new=2 changed=0 unchanged=0 skipped=1 errors=0"
    assert Inquiry.objects.filter(regulator__slug="cma").count() == 2


def test_a_merger_case_without_named_parties_waits_for_an_editor_who_attaches_it(client, tmp_path):
    from django.contrib.auth.models import Group, User

    from ingest.models import ReviewItem
    from tests.factories import DealFactory

    item = json.loads(RICHEMONT.read_bytes())
    item["title"] = "Richemont merger inquiry"
    path = tmp_path / "richemont.json"
    path.write_text(json.dumps(item))
    ingest("cma", "--from-file", str(path))
    queued = ReviewItem.objects.get()
    assert "does not name the parties" in queued.review_note
    deal = DealFactory(title="Richemont / Yoox Net-A-Porter")
    editor = User.objects.create_user("ed", password="pw-ed-123456", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)

    client.post(
        f"/admin/ingest/reviewitem/{queued.pk}/change/",
        {"decision": "attach_deal", "deal": deal.pk},
    )

    case = Inquiry.objects.get(regulator__slug="cma")
    assert case.deal == deal
    deal.refresh_from_db()
    assert deal.antitrust_status == AntitrustStatus.CLEARED
    assert not ReviewItem.objects.exists()
