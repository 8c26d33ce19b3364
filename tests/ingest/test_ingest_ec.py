"""EC open-data dumps: each case becomes an inquiry with its decisions on the timeline."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from deals.models import Company, Event, Inquiry
from deals.vocabulary import InquiryKind, Outcome, Stage, status_errors
from ingest.models import IngestRun, RawRecord
from ingest.sources import ec
from ingest.sources.base import CaseRecord, Skipped
from tests import FIXTURE_DIR
from tests.factories import CompanyAliasFactory, CompanyFactory

pytestmark = pytest.mark.django_db

FIXTURES = FIXTURE_DIR / "ec"
EXCERPT = FIXTURES / "case-data-AT_excerpt5.json"
FULL = FIXTURES / "case-data-AT.json"


def ingest(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest", *args, stdout=out, stderr=err)
    return out.getvalue().strip().splitlines()[-1]


def test_the_excerpt_creates_five_ec_inquiries_with_their_decision_events():
    line = ingest("ec", "--from-file", str(EXCERPT))

    assert line == "source=ec records=5 new=5 changed=0 unchanged=0 skipped=0 errors=0"
    inquiries = Inquiry.objects.filter(regulator__slug="ec")
    assert sorted(inquiries.values_list("reference", flat=True)) == [
        "AT.38589",
        "AT.39707",
        "AT.39745",
        "AT.40023",
        "AT.40153",
    ]
    decisions = sum(len(case["decisions"]) for case in json.loads(EXCERPT.read_bytes()).values())
    assert Event.objects.filter(inquiry__in=inquiries).count() == decisions
    assert all(inquiry.needs_review for inquiry in inquiries)


def test_a_second_run_of_the_same_dump_creates_and_changes_nothing():
    ingest("ec", "--from-file", str(EXCERPT))
    counts = (Inquiry.objects.count(), Event.objects.count(), Company.objects.count())

    line = ingest("ec", "--from-file", str(EXCERPT))

    assert "new=0 changed=0" in line
    assert line == "source=ec records=5 new=0 changed=0 unchanged=5 skipped=0 errors=0"
    assert (Inquiry.objects.count(), Event.objects.count(), Company.objects.count()) == counts
    assert RawRecord.objects.filter(source="ec").count() == 5


def test_amazon_e_books_is_closed_with_commitments_in_the_commissions_words():
    ingest("ec", "--from-file", str(EXCERPT))

    case = Inquiry.objects.get(reference="AT.40153")
    assert case.title == "E-book MFNs and related matters (Amazon)"
    assert case.kind == "conduct"
    assert (case.stage, case.outcome) == (Stage.CLOSED, Outcome.COMMITMENTS)
    assert case.status_wording == "Commitment Decision"
    assert case.opened_on == datetime.date(2013, 11, 11)
    assert case.closed_on == datetime.date(2017, 5, 4)
    assert case.source_url == "https://competition-cases.ec.europa.eu/cases/AT.40153"
    titles = list(case.events.order_by("occurred_on").values_list("title", flat=True))
    assert titles[-1] == "Commitment Decision"
    assert "Commission accepts commitments from Amazon on e-books" in case.events.last().text


def test_companies_are_matched_by_alternative_name_before_any_is_created():
    amazon = CompanyFactory(name="Amazon")
    CompanyAliasFactory(company=amazon, name="Amazon EU S.a.r.l.")

    ingest("ec", "--from-file", str(EXCERPT))

    case = Inquiry.objects.get(reference="AT.40153")
    assert list(case.companies.all()) == [amazon]
    assert not amazon.__class__.objects.filter(name="Amazon EU S.a.r.l.").exists()
    created = Company.objects.exclude(pk=amazon.pk)
    assert created.exists() and all(company.needs_review for company in created)


def test_a_bad_case_is_skipped_and_reported_with_its_id_and_the_rest_goes_in(tmp_path):
    dump = json.loads(EXCERPT.read_bytes())
    dump["AT.39707"]["decisions"][0]["metadata"]["decisionAdoptionDate"] = ["not a date"]
    dump["AT.40023"]["metadata"]["caseTitle"] = []
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(dump))
    err = io.StringIO()

    call_command("ingest", "ec", "--from-file", str(broken), stdout=io.StringIO(), stderr=err)

    assert IngestRun.objects.get().summary_line() == (
        "source=ec records=5 new=3 changed=0 unchanged=0 skipped=2 errors=0"
    )
    assert "AT.39707: decisionAdoptionDate 'not a date' is not a date" in err.getvalue()
    assert "AT.40023: case has no title" in err.getvalue()
    assert Inquiry.objects.filter(regulator__slug="ec").count() == 3


def test_a_changed_case_updates_its_inquiry_and_adds_only_the_new_decision(tmp_path):
    ingest("ec", "--from-file", str(EXCERPT))
    case = Inquiry.objects.get(reference="AT.39707")
    events_before = set(case.events.values_list("pk", flat=True))
    dump = json.loads(EXCERPT.read_bytes())
    decision = json.loads(json.dumps(dump["AT.39707"]["decisions"][0]))
    decision["metadata"]["metadataReference"] = ["AT.39707-DEC{NEW}"]
    decision["metadata"]["decisionAdoptionDate"] = ["2012-03-01"]
    decision["metadata"]["decisionTypes"] = [
        '{"code":"ATDecTypeProhibFines","label":"Prohibition Decision"}'
    ]
    dump["AT.39707"]["decisions"].append(decision)
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(dump))

    line = ingest("ec", "--from-file", str(changed))

    assert line == "source=ec records=5 new=0 changed=1 unchanged=4 skipped=0 errors=0"
    case.refresh_from_db()
    assert (case.outcome, case.status_wording) == (Outcome.INFRINGEMENT, "Prohibition Decision")
    new_events = case.events.exclude(pk__in=events_before)
    assert list(new_events.values_list("title", flat=True)) == ["Prohibition Decision"]
    assert set(case.events.values_list("pk", flat=True)) >= events_before


def test_the_parser_reads_every_case_of_the_full_dump():
    parsed = ec.parse(FULL.read_bytes())
    assert len(parsed) == 748
    assert not [record for record in parsed if isinstance(record, Skipped)]
    assert all(isinstance(record, CaseRecord) for record in parsed)


def decision_codes(case: dict) -> list[tuple[str, str]]:
    """(adoption date, decisionTypes code) of each decision of a case in the dump, oldest first."""
    dated = []
    for decision in case["decisions"]:
        meta = decision["metadata"]
        for value in meta["decisionTypes"]:
            dated.append((meta["decisionAdoptionDate"][0], json.loads(value)["code"]))
    return sorted(dated)


def open_in_the_dump(dump: dict) -> set[str]:
    """The cases the dump itself says are open: proceedings were initiated and no decision
    since ended them (amending and interim-measures decisions end nothing)."""
    going_on = {"ATDecTypeAmending", "ATDecTypeInterimMeasures"}
    found = set()
    for number, case in dump.items():
        codes = [code for _, code in decision_codes(case) if code not in going_on]
        if codes and codes[-1] == "ATDecTypeIOP":
            found.add(number)
    return found


def test_every_case_type_and_decision_type_of_the_full_dump_is_in_the_status_table():
    dump = json.loads(FULL.read_bytes())
    pairs = {
        (case["metadata"]["caseType"][0], code)
        for case in dump.values()
        for _, code in decision_codes(case)
    }

    assert {case_type for case_type, _ in pairs} <= set(ec.CASE_TYPES)
    assert {code for _, code in pairs} <= set(ec.AT_DECISIONS)
    for case_type, code in pairs:
        meaning = ec.decision_meaning(code, ec.CASE_TYPES[case_type])
        kind = ec.CASE_TYPES[case_type].kind
        stage = meaning.stage or "not_published"
        # A choice of ours, of the case's own vocabulary (conduct or merger control).
        assert status_errors(kind=kind, stage=stage, outcome=meaning.outcome) == {}


def test_conduct_cases_read_in_conduct_words_and_silent_ones_read_not_published():
    records = {record.external_id: record.inquiry for record in ec.parse(FULL.read_bytes())}

    assert {inquiry.kind for inquiry in records.values()} == {"conduct", "market_study"}
    teams = records["AT.40721"]
    assert (teams.stage, teams.outcome) == ("closed", "commitments")
    for number in ("AT.29373", "AT.39294"):  # Visa (opened 1977), Microsoft: no decision
        assert (records[number].stage, records[number].outcome) == ("not_published", "")
        assert records[number].status_wording == ""
    opened = records["AT.40983"]  # Google AI: proceedings initiated on 9 December 2025
    assert (opened.stage, opened.status_wording) == ("investigation", "Initiation of Proceedings")
    assert records["AT.39191"].kind == "market_study"  # a sector inquiry, opened then reported
    assert (records["AT.39191"].stage, records["AT.39191"].outcome) == (
        "closed",
        "closed_no_action",
    )
    assert {records[n].outcome for n in ("AT.39914", "AT.39326")} == {"infringement"}


def test_a_decision_type_outside_the_table_skips_the_case_and_names_the_code(tmp_path):
    dump = json.loads(EXCERPT.read_bytes())
    dump["AT.39707"]["decisions"][0]["metadata"]["decisionTypes"] = [
        '{"code":"ATDecTypeSomethingNew","label":"Something New Decision"}'
    ]
    dump["AT.40023"]["metadata"]["caseType"] = ["AtMysteryCase"]
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(dump))
    err = io.StringIO()

    call_command("ingest", "ec", "--from-file", str(changed), stdout=io.StringIO(), stderr=err)

    assert IngestRun.objects.get().summary_line() == (
        "source=ec records=5 new=3 changed=0 unchanged=0 skipped=2 errors=0"
    )
    assert (
        "AT.39707: unknown decision type 'ATDecTypeSomethingNew' (not in ec.AT_DECISIONS)"
        in err.getvalue()
    )
    assert "AT.40023: unknown caseType 'AtMysteryCase' (not in ec.CASE_TYPES)" in err.getvalue()
    assert not Inquiry.objects.filter(reference__in=["AT.39707", "AT.40023"]).exists()


@pytest.mark.slow
def test_the_full_antitrust_dump_goes_in_and_no_case_is_open_unless_the_dump_says_so():
    dump = json.loads(FULL.read_bytes())

    line = ingest("ec", "--from-file", str(FULL))

    assert line == "source=ec records=748 new=748 changed=0 unchanged=0 skipped=0 errors=0"
    cases = Inquiry.objects.filter(regulator__slug="ec")
    assert cases.count() == 748
    opened = set(cases.open().values_list("reference", flat=True))
    assert opened == open_in_the_dump(dump)
    assert len(opened) == 23  # of 748; the issue counted 261 before
    assert set(cases.open().values_list("stage", flat=True)) == {Stage.INVESTIGATION}
    silent = [number for number, case in dump.items() if not case["decisions"]]
    assert set(cases.filter(reference__in=silent).values_list("stage", flat=True)) == {
        Stage.NOT_PUBLISHED
    }
    for number in ("AT.29373", "AT.39294"):
        case = cases.get(reference=number)
        assert (case.stage, case.outcome, case.is_open) == (Stage.NOT_PUBLISHED, "", False)
        assert case.state_text().startswith("State not published; last activity")
    teams = cases.get(reference="AT.40721")
    assert (teams.kind, teams.outcome) == (InquiryKind.CONDUCT, Outcome.COMMITMENTS)
    assert not cases.filter(outcome__in=["prohibited", "cleared", "cleared_with_remedies"]).exists()


def test_off_a_terminal_the_command_prints_only_the_summary_line():
    out, err = io.StringIO(), io.StringIO()

    call_command("ingest", "ec", "--from-file", str(EXCERPT), stdout=out, stderr=err)

    assert out.getvalue().splitlines() == [
        "source=ec records=5 new=5 changed=0 unchanged=0 skipped=0 errors=0"
    ]
    assert err.getvalue() == ""  # no progress bar when nobody watches


def test_decision_types_that_are_not_strings_skip_their_case_not_the_run(tmp_path):
    dump = json.loads(EXCERPT.read_bytes())
    dump["AT.39707"]["decisions"][0]["metadata"]["decisionTypes"] = [42]
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(dump))
    err = io.StringIO()

    call_command("ingest", "ec", "--from-file", str(changed), stdout=io.StringIO(), stderr=err)

    assert IngestRun.objects.get().summary_line() == (
        "source=ec records=5 new=4 changed=0 unchanged=0 skipped=1 errors=0"
    )
    assert "AT.39707: decisionTypes is not a list of strings" in err.getvalue()
    assert Inquiry.objects.filter(reference="AT.40153").exists()  # the rest went in
