"""CMA cases from GOV.UK: stage, outcome and one timeline event per change-history note."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from deals.models import Deal, Inquiry
from deals.vocabulary import AntitrustStatus, Outcome, Stage, status_errors
from ingest.models import IngestRun, RawRecord
from ingest.sources import cma
from tests import FIXTURE_DIR

pytestmark = pytest.mark.django_db

FIXTURES = FIXTURE_DIR / "cma"
TOPPS = FIXTURES / "publishing-api_cma-cases-with-change-history.json"
RICHEMONT = FIXTURES / "publishing-api_cma-cases.json"
SCHEMA = FIXTURES / "specialist-publisher_cma_cases_finder_schema.json"


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


# --- The status table against the finder schema's whole vocabulary -------------------------


def allowed(facet: str) -> dict[str, str]:
    """The schema's allowed values of a facet: {value: label}."""
    schema = json.loads(SCHEMA.read_bytes())
    [found] = [f for f in schema["facets"] if f["key"] == facet]
    return {value["value"]: value["label"] for value in found["allowed_values"]}


def a_case(**metadata) -> dict:
    item = json.loads(RICHEMONT.read_bytes())
    item["details"]["metadata"].update(metadata)
    return item


def test_the_table_has_every_case_type_and_outcome_type_of_the_schema_and_no_other():
    assert set(cma.CASE_TYPES) == set(allowed("case_type"))
    assert len(cma.CASE_TYPES) == 12
    outcome_types = allowed("outcome_type")
    assert set(cma.OUTCOME_TYPES) == set(outcome_types)
    assert len(outcome_types) == 30
    for value, row in cma.OUTCOME_TYPES.items():
        assert row.label == outcome_types[value]  # the CMA's own words
    assert set(allowed("case_state")) == {"open", "closed"}


@pytest.mark.parametrize("outcome_type", sorted(cma.OUTCOME_TYPES))
@pytest.mark.parametrize("state", ["open", "closed"])
def test_every_outcome_type_maps_to_a_status_of_its_case_types_vocabulary(outcome_type, state):
    row = cma.OUTCOME_TYPES[outcome_type]
    item = a_case(case_type=row.case_type, case_state=state, outcome_type=outcome_type)

    case = cma.parse_item(item).inquiry

    # A choice of ours, of the kind's own vocabulary (conduct or merger control).
    assert status_errors(kind=case.kind, stage=case.stage, outcome=case.outcome) == {}
    assert case.kind == cma.CASE_TYPES[row.case_type].kind
    assert case.status_wording == row.label
    if state == "closed":
        # A merger case closed with no outcome of ours ended without a decision.
        no_decision = "closed_no_action" if case.kind == "merger_review" else ""
        assert (case.stage, case.outcome) == ("closed", row.outcome or no_decision)
    else:
        assert case.outcome == ""
        assert case.stage not in ("closed", "not_published")


@pytest.mark.parametrize("case_type", sorted(cma.CASE_TYPES))
def test_every_case_type_open_or_closed_without_an_outcome_maps(case_type):
    for state, stage in (("open", cma.CASE_TYPES[case_type].open_stage), ("closed", "closed")):
        item = a_case(case_type=case_type, case_state=state)
        del item["details"]["metadata"]["outcome_type"]

        case = cma.parse_item(item).inquiry

        assert status_errors(kind=case.kind, stage=case.stage, outcome=case.outcome) == {}
        # A merger case closed with no outcome ended without a decision; nothing else does.
        ended = state == "closed" and case.kind == "merger_review"
        assert (case.stage, case.outcome) == (stage, "closed_no_action" if ended else "")


def test_conduct_and_market_cases_use_their_own_words():
    def status(**metadata):
        case = cma.parse_item(a_case(**metadata)).inquiry
        return case.kind, case.stage, case.outcome

    ca98 = {"case_type": "ca98-and-civil-cartels"}
    assert status(**ca98, case_state="closed", outcome_type="ca98-infringement-chapter-ii") == (
        "conduct",
        "closed",
        "infringement",
    )
    assert status(**ca98, case_state="closed", outcome_type="ca98-commitment") == (
        "conduct",
        "closed",
        "commitments",
    )
    assert status(**ca98, case_state="open", outcome_type="") == ("conduct", "investigation", "")
    consumer = {"case_type": "consumer-enforcement", "case_state": "closed"}
    assert status(**consumer, outcome_type="consumer-enforcement-undertakings")[2] == "commitments"
    dmu = {"case_type": "digital-markets-unit", "case_state": "closed"}
    assert status(**dmu, outcome_type="sms-designation") == ("market_study", "closed", "")
    assert status(**dmu, outcome_type="firm-not-designated")[2] == "closed_no_action"
    markets = {"case_type": "markets", "outcome_type": "markets-phase-1-referral"}
    assert status(**markets, case_state="open") == ("market_study", "phase_2", "")


def test_a_case_that_does_not_say_whether_it_is_open_is_not_published(tmp_path):
    item = topps_item()
    del item["details"]["metadata"]["case_state"]
    path = tmp_path / "topps.json"
    path.write_text(json.dumps(item))

    ingest("cma", "--from-file", str(path))

    case = Inquiry.objects.get(regulator__slug="cma")
    assert (case.stage, case.outcome, case.is_open) == (Stage.NOT_PUBLISHED, "", False)
    assert case.deadline_on is None


@pytest.mark.parametrize(
    ("metadata", "reason"),
    [
        (
            {"outcome_type": "mergers-phase-3-clearance"},
            "unknown outcome_type 'mergers-phase-3-clearance' (not in cma.OUTCOME_TYPES)",
        ),
        (
            {"case_type": "space-mergers"},
            "unknown case_type 'space-mergers' (not in cma.CASE_TYPES)",
        ),
        ({"case_state": "paused"}, "unknown case_state 'paused' (not open or closed)"),
        (
            {"outcome_type": "ca98-infringement-chapter-i"},  # on a merger case
            "outcome 'infringement' refused: Infringement found is not an outcome of merger "
            "control.",
        ),
    ],
)
def test_a_value_outside_the_table_is_a_skipped_bad_record_that_says_why(
    tmp_path, metadata, reason
):
    path = tmp_path / "item.json"
    path.write_text(json.dumps(a_case(**metadata)))
    err = io.StringIO()

    call_command("ingest", "cma", "--from-file", str(path), stdout=io.StringIO(), stderr=err)

    run = IngestRun.objects.get()
    assert (run.skipped, run.new) == (1, 0)
    assert run.problems == [
        {"id": "/cma-cases/richemont-yoox-net-a-porter-merger-inquiry", "reason": reason}
    ]
    assert reason in err.getvalue()
    assert not Inquiry.objects.exists()
