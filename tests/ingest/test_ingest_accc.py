"""ACCC acquisitions register: the listing and matter pages, as the ACCC serves them."""

import datetime
import io

import httpx
import pytest
import respx
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.core.management.base import CommandError

from deals.models import Deal, Inquiry
from deals.vocabulary import AntitrustStatus, Outcome, Stage, status_errors
from ingest.models import IngestRun, RawRecord
from ingest.pipeline import ingest_run
from ingest.sources import accc
from ingest.sources.base import BadRecord, FetchError, FetchPolicy, Skipped
from tests import FIXTURE_DIR

FIXTURES = FIXTURE_DIR / "accc"
LISTING = FIXTURES / "acquisitions-register_2026-01-20.html"
OPAL = FIXTURES / "matter_MN-75002_2026-01-20.html"
ASAHI = FIXTURES / "matter_MN-01016.html"
REGISTER = accc.REGISTER
OPAL_URL = (
    "https://www.accc.gov.au/public-registers/mergers-and-acquisitions-registers/"
    "acquisitions-register/opal-healthcare-%E2%80%93-sunnymeade-park-aged-care-community"
)


def ingest(*args) -> str:
    out = io.StringIO()
    call_command("ingest", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[-1]


def ingest_with_problems(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest", *args, stdout=out, stderr=err)
    return out.getvalue().strip().splitlines()[-1], err.getvalue()


# --- Parsing (no database) ----------------------------------------------------------------


def test_the_listing_gives_one_record_per_matter_with_its_case_number_and_parties():
    records = accc.parse(LISTING.read_bytes())

    assert len(records) == 19
    assert not [record for record in records if isinstance(record, Skipped)]
    numbers = [record.inquiry.reference for record in records]
    assert numbers[:4] == ["MN-75002", "MN-01075", "MN-01080", "MN-15002"]
    assert {"WA-35001", "WA-70002", "MN-01016"} <= set(numbers)
    assert all(record.external_id == f"register:{record.inquiry.reference}" for record in records)
    google = next(record for record in records if record.inquiry.reference == "MN-15002")
    assert google.inquiry.title == "Google - Wiz"
    assert [(p.name, p.role) for p in google.deal.parties] == [
        ("Google LLC", "acquirer"),
        ("Wiz Inc", "target"),
    ]
    assert (google.inquiry.stage, google.inquiry.outcome) == (Stage.PHASE_1, "")
    assert google.inquiry.opened_on == datetime.date(2026, 1, 9)
    assert google.inquiry.source_url.endswith("/acquisitions-register/google-wiz")


def test_a_listing_row_says_only_what_the_listing_shows():
    records = {record.inquiry.reference: record for record in accc.parse(LISTING.read_bytes())}

    asahi = records["MN-01016"].inquiry
    assert (asahi.stage, asahi.outcome) == (Stage.CLOSED, "")  # the listing has no determination
    assert asahi.status_wording == "Assessment completed (Phase 1 - initial assessment)"
    assert (asahi.deadline_on, asahi.closed_on) == (None, None)
    waiver = records["WA-35001"].inquiry
    assert waiver.status_wording == "Waiver – Assessment completed"
    assert waiver.opened_on == datetime.date(2026, 1, 6)
    assert [event.kind for event in records["WA-35001"].events] == ["notified"]


def test_the_opal_page_is_under_assessment_in_phase_1_with_its_deadline_and_consultation():
    [record] = accc.parse(OPAL.read_bytes())

    assert record.external_id == "MN-75002"
    case = record.inquiry
    assert (case.regulator, case.reference, case.kind) == ("accc", "MN-75002", "merger_review")
    assert case.title == "Opal Healthcare – Sunnymeade Park Aged Care Community"
    assert (case.stage, case.outcome) == (Stage.PHASE_1, "")
    assert case.status_wording == "Under assessment (Phase 1 - initial assessment)"
    assert case.opened_on == datetime.date(2026, 1, 19)
    assert case.deadline_on == datetime.date(2026, 3, 3)
    assert case.closed_on is None
    assert case.source_url == OPAL_URL
    assert case.summary.startswith("DPG Services Pty Ltd (DPG) and OHCA Property Holdings")
    assert "Industry (ANZSIC): 8601 Aged Care Residential Services" in case.summary
    assert [(p.name, p.role) for p in record.deal.parties] == [
        ("OHCA Property Holdings Pty Ltd", "acquirer"),
        ("DPG Services Pty Ltd", "acquirer"),
        ("The assets and business comprising Sunnymeade Park Aged Care Community", "target"),
    ]
    assert record.deal.deal_type == "asset_purchase"
    assert [(e.occurred_on, e.kind) for e in record.events] == [
        (datetime.date(2026, 1, 19), "notified"),
        (datetime.date(2026, 1, 20), "comment_invited"),
    ]
    questionnaire = record.events[1]
    assert questionnaire.title.startswith("Questionnaire - Opal Healthcare")
    assert questionnaire.source_url.startswith(
        "https://www.accc.gov.au/system/files/public-merger-register/documents/"
    )


def test_the_asahi_page_is_approved_on_5_september_2025():
    [record] = accc.parse(ASAHI.read_bytes())

    case = record.inquiry
    assert case.reference == "MN-01016"
    assert (case.stage, case.outcome) == (Stage.CLOSED, Outcome.CLEARED)
    assert case.status_wording == "Assessment completed (Phase 1 - initial assessment): Approved"
    assert case.opened_on == datetime.date(2025, 8, 15)
    assert case.closed_on == datetime.date(2025, 9, 5)
    assert case.deadline_on is None
    assert [(p.name, p.role) for p in record.deal.parties] == [
        ("ASAHI HOLDINGS (AUSTRALIA) PTY LTD", "acquirer"),
        ("GPT PLATFORM PTY LIMITED", "target"),
    ]
    decision = [event for event in record.events if event.kind == "decision"]
    assert [(e.occurred_on, e.title) for e in decision] == [
        (
            datetime.date(2025, 9, 5),
            "Asahi - Warehouse site on Tilburn Rd, Deer Park, VIC - Phase 1 Determination",
        )
    ]
    assert decision[0].source_url.endswith(".pdf")


def test_the_status_vocabulary_maps_to_our_stage_and_outcome():
    def mapped(**fields):
        raw = {"case_number": "MN-00001", "type": "Notification", "stage": "", **fields}
        return accc.stage_and_outcome(raw)

    assert mapped(status="Under assessment", stage="Phase 2 - detailed assessment") == (
        "phase_2",
        "",
    )
    assert mapped(status="Under assessment", stage="Public Benefit Phase") == ("phase_2", "")
    assert mapped(status="Assessment suspended", stage="Phase 1 - initial assessment") == (
        "phase_1",
        "",
    )
    completed = {"status": "Assessment completed"}
    assert mapped(**completed, determination="Approved with conditions") == (
        "closed",
        "cleared_with_remedies",
    )
    assert mapped(**completed, determination="Not approved") == ("closed", "prohibited")
    assert mapped(**completed, determination="Not applicable") == ("closed", "not_qualifying")
    assert mapped(status="Assessment ceased") == ("closed", "abandoned")
    waiver = {"type": "Waiver", "stage": "Waiver application"}
    assert mapped(status="Under assessment", **waiver) == ("prenotification", "")
    assert mapped(**completed, **waiver, determination="Not approved") == ("closed", "")


def facets() -> dict[str, list[str]]:
    """The register's whole vocabulary, as its listing page offers it for filtering."""
    soup = BeautifulSoup(LISTING.read_text(), "html.parser")
    found: dict[str, list[str]] = {}
    for facet in soup.select("ul[data-drupal-facet-id]"):
        labels = [" ".join(v.get_text(" ").split()) for v in facet.select(".facet-item__value")]
        found.setdefault(facet["data-drupal-facet-id"], labels)
    return found


def test_every_value_the_register_offers_is_in_the_status_table():
    vocabulary = facets()
    types = vocabulary["acccgov_acquisition_type"]
    statuses = vocabulary["acccgov_merger_matter_status"]
    stages = vocabulary["acccgov_acquisition_stage"]
    determinations = vocabulary["acccgov_acquisition_determination"]
    assert (len(types), len(statuses), len(stages), len(determinations)) == (2, 4, 4, 4)
    assert {value.casefold() for value in types} == set(accc.TYPES)
    assert {value.casefold() for value in statuses} == set(accc.STATUSES)
    assert {value.casefold() for value in stages} == set(accc.STAGES)
    notification = accc.TYPES["notification"].determinations
    assert {value.casefold() for value in determinations} == set(notification)

    for kind in types:
        for status in statuses:
            for stage in ["", *stages]:
                for determination in ["", *determinations]:
                    raw = {"case_number": "MN-00001", "type": kind, "status": status}
                    raw |= {"stage": stage, "determination": determination}
                    try:
                        mapped = accc.stage_and_outcome(raw)
                    except BadRecord as refused:  # the one combination the register cannot have
                        assert (kind, determination) == ("Waiver", "Approved with conditions")
                        assert "unknown waiver determination" in str(refused)
                        continue
                    ours = {"stage": mapped[0], "outcome": mapped[1]}
                    assert status_errors(kind="merger_review", **ours) == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("status", "Under review", "unknown acquisition status 'under review'"),
        ("stage", "Phase 3 - final assessment", "unknown stage 'phase 3 - final assessment'"),
        ("type", "Authorisation", "unknown matter type 'authorisation'"),
    ],
)
def test_a_listing_value_outside_the_table_is_a_skipped_bad_record(tmp_path, field, value, reason):
    names = {
        "status": "field-acccgov-merger-status",
        "stage": "field-acquisition-stage",
        "type": "field--acccgov-type",
    }
    soup = BeautifulSoup(LISTING.read_text(), "html.parser")
    [row] = [r for r in accc.listing_rows(soup) if "MN-01016" in r.get_text()]
    cell = row.select_one(f".{names[field]} .field__item") or row.select_one(
        f".field--name-{names[field]} .field__item"
    )
    cell.string = value
    listing = tmp_path / "register.html"
    listing.write_text(str(soup))

    line, problems = ingest_with_problems("accc", "--from-file", str(listing))

    assert line == "source=accc records=19 new=18 changed=0 unchanged=0 skipped=1 errors=0"
    assert f"register:MN-01016: {reason}" in problems
    assert not Inquiry.objects.filter(reference="MN-01016").exists()


@pytest.mark.django_db
def test_an_unknown_determination_on_a_matter_page_is_a_skipped_bad_record(tmp_path):
    page = ASAHI.read_text()
    changed = page.replace(">Approved<", ">Approved in part<")
    assert changed != page
    path = tmp_path / "asahi.html"
    path.write_text(changed)

    line, problems = ingest_with_problems("accc", "--from-file", str(path))

    assert line.endswith("new=0 changed=0 unchanged=0 skipped=1 errors=0")
    assert (
        "MN-01016: unknown notification determination 'approved in part' "
        "(not in accc.TYPES['notification'])"
    ) in problems


@pytest.mark.django_db
def test_a_matter_known_only_from_the_listing_is_closed_without_an_outcome_not_cleared():
    ingest("accc", "--from-file", str(LISTING))

    asahi = Inquiry.objects.get(regulator__slug="accc", reference="MN-01016")
    assert (asahi.stage, asahi.outcome, asahi.is_open) == (Stage.CLOSED, "", False)
    assert asahi.state_text() == "Closed"
    assert asahi.deal.antitrust_status != AntitrustStatus.CLEARED
    completed = Inquiry.objects.filter(regulator__slug="accc", stage=Stage.CLOSED)
    assert completed.count() == 10  # as the listing's facet counts them
    assert not completed.exclude(outcome="").exists()  # the listing says no determination

    ingest("accc", "--from-file", str(ASAHI))  # the matter page, read later, says it

    asahi.refresh_from_db()
    assert (asahi.stage, asahi.outcome) == (Stage.CLOSED, Outcome.CLEARED)
    assert asahi.deal.antitrust_status == AntitrustStatus.CLEARED


@pytest.mark.django_db
def test_an_older_listing_read_after_the_matter_page_does_not_reopen_the_matter(tmp_path):
    ingest("accc", "--from-file", str(ASAHI))
    soup = BeautifulSoup(LISTING.read_text(), "html.parser")
    [row] = [r for r in accc.listing_rows(soup) if "MN-01016" in r.get_text()]
    row.select_one(
        ".field--name-field-acccgov-merger-status .field__item"
    ).string = "Under assessment"
    older = tmp_path / "register.html"
    older.write_text(str(soup))

    ingest("accc", "--from-file", str(older))

    asahi = Inquiry.objects.get(regulator__slug="accc", reference="MN-01016")
    assert (asahi.stage, asahi.outcome) == (Stage.CLOSED, Outcome.CLEARED)
    assert asahi.closed_on == datetime.date(2025, 9, 5)


def test_a_page_that_is_not_from_the_register_is_refused():
    with pytest.raises(Exception, match="not a page of the ACCC acquisitions register"):
        accc.parse(b"<html><body><h1>Hello</h1></body></html>")
    with pytest.raises(Exception, match="not an HTML page"):
        accc.parse(b'{"results": []}')


# --- The pipeline -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_listing_and_a_matter_page_twice_change_nothing_the_second_time():
    first = ingest("accc", "--from-file", str(LISTING), "--from-file", str(OPAL))
    second = ingest("accc", "--from-file", str(LISTING), "--from-file", str(OPAL))

    assert first == "source=accc records=20 new=20 changed=0 unchanged=0 skipped=0 errors=0"
    assert second == "source=accc records=20 new=0 changed=0 unchanged=20 skipped=0 errors=0"
    assert Inquiry.objects.filter(regulator__slug="accc").count() == 19
    assert Deal.objects.count() == 19
    opal = Inquiry.objects.get(regulator__slug="accc", reference="MN-75002")
    assert opal.deadline_on == datetime.date(2026, 3, 3)  # from the matter page
    assert opal.events.filter(kind="notified").count() == 1  # one notification, not one a record
    assert opal.events.count() == 2
    assert opal.deal.antitrust_status == AntitrustStatus.UNDER_REVIEW


@pytest.mark.django_db
def test_a_listing_read_after_the_matter_page_does_not_undo_what_the_page_said():
    ingest("accc", "--from-file", str(OPAL))
    opal = Inquiry.objects.get(regulator__slug="accc", reference="MN-75002")
    from_page = (opal.deadline_on, opal.status_wording, opal.summary)
    assert opal.deadline_on == datetime.date(2026, 3, 3)

    ingest("accc", "--from-file", str(LISTING))

    opal.refresh_from_db()
    assert (opal.deadline_on, opal.status_wording, opal.summary) == from_page
    assert Inquiry.objects.filter(regulator__slug="accc").count() == 19


@pytest.mark.django_db
def test_the_asahi_deal_is_cleared_with_the_determination_on_its_timeline():
    line = ingest("accc", "--from-file", str(ASAHI))

    assert line == "source=accc records=1 new=1 changed=0 unchanged=0 skipped=0 errors=0"
    case = Inquiry.objects.get(regulator__slug="accc", reference="MN-01016")
    assert case.regulator.jurisdiction == "AU"
    assert (case.stage, case.outcome) == (Stage.CLOSED, Outcome.CLEARED)
    assert case.closed_on == datetime.date(2025, 9, 5)
    assert case.deal.antitrust_status == AntitrustStatus.CLEARED
    assert case.deal.needs_review
    assert set(case.companies.values_list("name", flat=True)) == {
        "ASAHI HOLDINGS (AUSTRALIA) PTY LTD",
        "GPT PLATFORM PTY LIMITED",
    }
    assert list(case.events.order_by("occurred_on").values_list("kind", flat=True)) == [
        "notified",
        "decision",
    ]
    again = ingest("accc", "--from-file", str(ASAHI))
    assert again == "source=accc records=1 new=0 changed=0 unchanged=1 skipped=0 errors=0"


@pytest.mark.django_db
def test_a_broken_row_is_skipped_with_its_id_and_the_rest_goes_in(tmp_path):
    page = LISTING.read_text()
    broken = page.replace('datetime="2026-01-16T12:00:00Z"', 'datetime="16th of Jan"', 1)
    assert broken != page
    listing = tmp_path / "register.html"
    listing.write_text(broken)

    line, problems = ingest_with_problems("accc", "--from-file", str(listing))

    assert line == "source=accc records=19 new=18 changed=0 unchanged=0 skipped=1 errors=0"
    assert "register:MN-01075: notification date '16th of Jan' is not a date" in problems
    assert not Inquiry.objects.filter(reference="MN-01075").exists()
    assert IngestRun.objects.get().problems[0]["id"] == "register:MN-01075"


@pytest.mark.django_db
def test_a_file_that_is_not_a_register_page_changes_nothing():
    with pytest.raises(CommandError, match="not a page of the ACCC acquisitions register"):
        ingest(
            "accc", "--from-file", str(FIXTURES.parent / "ftc" / "press-release-competition.xml")
        )
    assert not RawRecord.objects.exists()


# --- Fetching -----------------------------------------------------------------------------


@pytest.mark.django_db
@respx.mock
def test_a_scheduled_run_reads_the_listing_then_each_matter_page():
    listing = respx.get(REGISTER).mock(
        return_value=httpx.Response(200, content=LISTING.read_bytes())
    )
    opal = respx.get(OPAL_URL).mock(return_value=httpx.Response(200, content=OPAL.read_bytes()))
    others = respx.get(url__startswith=REGISTER + "/").mock(
        return_value=httpx.Response(200, content=ASAHI.read_bytes())
    )

    run = ingest_run(source="accc", trigger="schedule")

    assert listing.call_count == 1
    assert listing.calls[0].request.url.params["items_per_page"] == "50"
    assert opal.call_count == 1 and others.call_count == 18
    # Every other address served the Asahi page: 19 matter pages, two matters.
    assert (run.records, run.new, run.unchanged, run.error) == (19, 2, 17, "")
    assert not RawRecord.objects.filter(external_id__startswith="register:").exists()


@respx.mock
def test_fetching_refuses_a_matter_link_to_another_host():
    page = LISTING.read_text().replace(
        'href="/public-registers/mergers-and-acquisitions-registers/acquisitions-register/google-wiz"',
        'href="https://attacker.example/public-registers/mergers-and-acquisitions-registers/'
        'acquisitions-register/google-wiz"',
    )
    respx.get(REGISTER).mock(return_value=httpx.Response(200, content=page.encode()))
    matters = respx.get(url__startswith=REGISTER + "/").mock(
        return_value=httpx.Response(200, content=OPAL.read_bytes())
    )
    policy = FetchPolicy(hosts=accc.HOSTS, timeout=5)

    with httpx.Client() as client:
        documents = accc.fetch(client=client, policy=policy, pages=1)

    assert len(documents) == 18  # the row pointing elsewhere is not followed
    assert all(call.request.url.host == "www.accc.gov.au" for call in respx.calls)
    assert matters.call_count == 18


@respx.mock
def test_a_redirect_to_another_host_is_refused():
    respx.get(REGISTER).mock(
        return_value=httpx.Response(302, headers={"Location": "https://attacker.example/x"})
    )
    policy = FetchPolicy(hosts=accc.HOSTS, timeout=5)

    with httpx.Client() as client, pytest.raises(FetchError, match="attacker.example"):
        accc.fetch(client=client, policy=policy, pages=1)


@pytest.mark.django_db
def test_the_inquiry_list_does_not_call_a_closed_matter_open(client):
    ingest("accc", "--from-file", str(LISTING))

    page = client.get("/inquiries/", {"q": "MN-01016"}).text
    opal = client.get("/inquiries/", {"q": "MN-75002"}).text

    # The row of MN-01016 alone: on PostgreSQL the search also lists near matches (trigrams).
    at = page.index("MN-01016", page.index("<tbody>"))
    asahi_row = page[page.rindex("<tr", 0, at) : page.index("</tr>", at)]
    assert "Closed" in asahi_row and "outcome-open" not in asahi_row
    assert "outcome-open" in opal  # the positive control: a matter under assessment is open
