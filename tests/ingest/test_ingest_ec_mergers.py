"""The EC merger register (ec-mergers): every case a merger review with its phases, outcome,
procedure and regulation; each joined to the one deal it is about; broken input refused or
skipped per case with a clear message, nothing stored changed."""

import io
import json
import runpy
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from deals.models import Deal, Event, Inquiry
from deals.vocabulary import status_errors
from ingest.models import IngestRun, RawRecord
from ingest.sources import ec_mergers, get_source
from ingest.sources.base import BadRecord, CaseRecord, RefusedDocument, Skipped
from tests import FIXTURE_DIR

pytestmark = pytest.mark.django_db

FIXTURES = FIXTURE_DIR / "ec_mergers"
FULL = FIXTURES / "case-data-M.json"
EXCERPT = FIXTURES / "case-data-M_excerpt6.json"


def ingest(path, *, err=None) -> str:
    out = io.StringIO()
    call_command(
        "ingest", "ec-mergers", "--from-file", str(path), stdout=out, stderr=err or io.StringIO()
    )
    return out.getvalue().strip()


def parsed(path=FULL) -> dict[str, CaseRecord | Skipped]:
    return {record.external_id: record for record in ec_mergers.parse(path.read_bytes())}


def test_the_fixture_is_what_its_rebuild_script_writes_from_the_derived_records():
    script = runpy.run_path(str(FIXTURES / "rebuild.py"))

    assert FULL.read_bytes() == script["rebuilt"]()
    assert EXCERPT.read_bytes() == script["rebuilt"](script["EXCERPT_CASES"])
    derived = (FIXTURES / "case-data-M_arbitration-hits_DERIVED.jsonl").read_text().splitlines()
    assert len(json.loads(FULL.read_bytes())) == len(derived) + 1 == 162  # and M.2027


def test_every_case_of_the_fixture_is_read_as_a_merger_review_of_our_vocabulary():
    records = parsed()

    assert len(records) == 162
    assert not [r for r in records.values() if isinstance(r, Skipped)]
    for record in records.values():
        inquiry = record.inquiry
        assert inquiry.kind == "merger_review"
        assert status_errors(kind=inquiry.kind, stage=inquiry.stage, outcome=inquiry.outcome) == {}
        assert inquiry.procedure == "normal"  # the third party kept normal-procedure cases only
        assert inquiry.legal_basis in ("139/2004", "4064/89")
    outcomes = Counter(record.inquiry.outcome for record in records.values())
    assert outcomes == {"cleared_with_remedies": 138, "cleared": 24}  # 23 and M.2027
    assert Counter(r.inquiry.legal_basis for r in records.values()) == {
        "139/2004": 113,
        "4064/89": 49,
    }


def test_activision_reads_as_notified_then_cleared_on_conditions_in_phase_ii():
    activision = parsed(EXCERPT)["M.10646"]

    inquiry = activision.inquiry
    assert (inquiry.stage, inquiry.outcome) == ("closed", "cleared_with_remedies")
    assert str(inquiry.opened_on) == "2022-09-30"  # caseNotificationDate
    assert str(inquiry.closed_on) == "2023-05-15"
    assert inquiry.status_wording == "Art. 8(2) with conditions & obligations"
    assert inquiry.phase_2_start_unknown  # the Art. 6(1)(c) decision is not in the fixture
    assert [(e.kind, str(e.occurred_on)) for e in activision.events] == [
        ("notified", "2022-09-30"),
        ("decision", "2023-05-15"),
    ]
    assert activision.events[1].source_url.endswith("M_10646_9311516_7443_3.pdf")
    assert [(p.name, p.role) for p in activision.deal.parties] == [
        ("Microsoft", "acquirer"),
        ("Activision Blizzard", "target"),
    ]


def test_a_joint_venture_has_both_parents_and_an_undated_decision_is_a_warning():
    jv = parsed(EXCERPT)["M.2027"]

    assert jv.deal.deal_type == "joint_venture"
    assert jv.deal.title == "Deutsche Bank / SAP / JV"
    assert [(p.name, p.role) for p in jv.deal.parties] == [
        ("Deutsche Bank", "acquirer"),
        ("SAP", "acquirer"),
    ]
    assert jv.inquiry.companies == ("Deutsche Bank", "SAP")
    assert jv.warnings == (
        "decision M.2027-DEC-2451720 has no adoption date (no type): left off the timeline",
    )
    assert (jv.inquiry.outcome, jv.inquiry.legal_basis) == ("cleared", "4064/89")


# Every decision label the profile of the whole dump shows, and the articles of the EUMR the
# others come from (DOMAIN.md), with what each does to its case.
LABELS = {
    "Art. 6(1)(b)": ("closed", "cleared"),
    "Art. 6(1)(b) with conditions & obligations": ("closed", "cleared_with_remedies"),
    "Modification of Art. 6(1)(b) with conditions & obligations": (None, ""),
    "Art. 8(2)": ("closed", "cleared_with_remedies"),
    "Art. 8(2) with conditions & obligations": ("closed", "cleared_with_remedies"),
    "Modification of Art. 8(2) with conditions & obligations": (None, ""),
    "Art. 6(1)(a)": ("closed", "not_qualifying"),
    "Art. 6(1)(c)": ("phase_2", ""),
    "Art. 8(1)": ("closed", "cleared"),
    "Art. 8(3)": ("closed", "prohibited"),
    "Art. 8(4)": (None, ""),
    "Art. 6(3)": (None, ""),
    "Art. 4(4)": ("closed", "referred"),
    "Art. 9": ("closed", "referred"),
    "Art. 9(3)": ("closed", "referred"),
    "Art. 4(5)": (None, ""),
    "Art. 22(3)": (None, ""),
    "Art. 7(3)": (None, ""),
    "Art. 14": (None, ""),
    "Withdrawn": ("closed", "abandoned"),
    "": (None, ""),
}


@pytest.mark.parametrize("label", LABELS)
def test_every_decision_label_has_its_meaning(label):
    meaning = ec_mergers.decision_meaning(label)

    assert (meaning.stage, meaning.outcome) == LABELS[label]
    if meaning.stage is not None:
        stage = meaning.stage
        assert status_errors(kind="merger_review", stage=stage, outcome=meaning.outcome) == {}


def test_an_unknown_decision_label_is_refused_by_name():
    with pytest.raises(BadRecord, match="unknown merger decision 'Tea with the parties'"):
        ec_mergers.decision_meaning("Tea with the parties")


@pytest.mark.parametrize(
    ("spelling", "value"),
    [
        ("Simplified procedure", "simplified"),
        ("Normal procedure", "normal"),
        ("Super simplified procedure", "super_simplified"),
        ("Normal", "normal"),
        ("Simplified", "simplified"),
        ("Super-simplified", "super_simplified"),
        ("", ""),
        ("Expedited", None),
    ],
)
def test_the_six_spellings_of_the_procedure(spelling, value):
    assert ec_mergers.procedure(spelling) == value


def test_a_procedure_or_regulation_not_known_is_a_warning_and_the_case_goes_in():
    dump = json.loads(EXCERPT.read_bytes())
    dump["M.2050"]["metadata"]["caseSimplified"] = ["Expedited"]
    dump["M.2050"]["metadata"]["caseRegulation"] = ['{"code":"X","label":"Regulation 1/2003"}']

    record = parsed_dump(dump)["M.2050"]

    assert (record.inquiry.procedure, record.inquiry.legal_basis) == ("", "")
    assert record.warnings == (
        "caseSimplified 'Expedited' is none of normal, simplified, super-simplified",
        "caseRegulation 'Regulation 1/2003' is neither 139/2004 nor 4064/89",
    )


def parsed_dump(dump) -> dict:
    return {r.external_id: r for r in ec_mergers.parse(json.dumps(dump).encode())}


def test_two_runs_of_the_fixture_the_second_changes_nothing():
    first = ingest(FULL)
    events = Event.objects.count()
    state = sorted(Inquiry.objects.values_list("reference", "stage", "outcome", "updated_at"))

    second = ingest(FULL)

    assert first == "source=ec-mergers records=162 new=162 changed=0 unchanged=0 skipped=0 errors=0"
    assert (
        second == "source=ec-mergers records=162 new=0 changed=0 unchanged=162 skipped=0 errors=0"
    )
    assert Event.objects.count() == events
    assert sorted(Inquiry.objects.values_list("reference", "stage", "outcome", "updated_at")) == (
        state
    )
    assert Inquiry.objects.filter(regulator__slug="ec").count() == 162


def test_a_phase_ii_whose_opening_the_dump_lacks_is_shown_start_not_known():
    ingest(EXCERPT)

    umg = Inquiry.objects.get(reference="M.11956")
    phases = [(p.kind, p.started_on, p.ended_on, p.ended_how) for p in umg.phases.all()]
    assert [phase[:1] + phase[3:] for phase in phases] == [
        ("phase_1", "next_phase"),
        ("phase_2", "decision"),
    ]
    assert phases[0][1] is not None and phases[0][2] is None  # Phase I's end is not known
    assert phases[1][1] is None and phases[1][2] is not None  # Phase II's start is not known


def test_with_the_demo_each_case_joins_its_demo_deal_and_no_second_deal_is_made():
    call_command("load_demo", stdout=io.StringIO())
    deals = Deal.objects.count()

    ingest(EXCERPT)

    for reference, slug in [
        ("M.10646", "microsoft-activision-blizzard"),
        ("M.9660", "google-fitbit"),
        ("M.10806", "broadcom-vmware"),
    ]:
        inquiry = Inquiry.objects.get(regulator__slug="ec", reference=reference)
        assert inquiry.deal.slug == slug
        assert RawRecord.objects.get(source="ec-mergers", external_id=reference).inquiry == inquiry
    assert Deal.objects.count() == deals + 3  # M.2027, M.11956, M.2050: deals of their own
    activision = Inquiry.objects.get(reference="M.10646")
    phase_1 = activision.phases.get(kind="phase_1")
    assert str(phase_1.started_on) == "2022-09-30"
    # The editor's notification and decision events are the dump's: kept once.
    assert activision.events.filter(kind="notified").count() == 1
    assert activision.events.filter(kind="decision", occurred_on="2023-05-15").count() == 1
    assert activision.procedure == "normal" and activision.legal_basis == "139/2004"


def test_the_command_lists_the_source_and_sources_page_names_it(client):
    out = io.StringIO()
    call_command("ingest", "--list", stdout=out)
    assert "ec-mergers: European Commission merger cases" in out.getvalue()
    ingest(EXCERPT)

    page = client.get("/sources/").content.decode()

    assert "European Commission merger cases" in page


# --- Broken and hostile input ---------------------------------------------------------------


def stored_state():
    return (
        sorted(Inquiry.objects.values_list("reference", "stage", "outcome", "title")),
        Event.objects.count(),
        RawRecord.objects.count(),
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (FULL.read_bytes()[: len(FULL.read_bytes()) // 2], "cut short"),
        (FULL.read_bytes()[:-3], "cut short"),
        (b"[1, 2, 3]", "expected a JSON object keyed by case number"),
        (b"{}", "holds no case"),
        (b"\xff\xfe{not json", "not a JSON document"),
        (b"", r"cut short \(parse error: premature EOF\)"),
    ],
)
def test_a_broken_dump_is_refused_whole_and_nothing_stored_changes(tmp_path, document, message):
    ingest(EXCERPT)
    before = stored_state()
    path = tmp_path / "broken.json"
    path.write_bytes(document)

    with pytest.raises(CommandError, match=message):
        ingest(path)

    assert stored_state() == before
    assert IngestRun.objects.latest("started_at").error  # the run says why
    with pytest.raises(RefusedDocument):
        list(get_source("ec-mergers").split(document))


def test_cases_of_the_wrong_shape_are_skipped_each_with_its_reason_and_the_rest_goes_in(
    tmp_path,
):
    dump = json.loads(EXCERPT.read_bytes())
    dump["M.9660"]["metadata"]["caseCompanies"] = {"name": "Google"}
    dump["M.10806"]["decisions"][0]["metadata"]["decisionTypes"] = [42]
    dump["M.2050"]["metadata"] = ["not", "an", "object"]
    dump["M.11956"]["decisions"][0]["metadata"]["decisionTypes"] = [
        '{"code":"DecisionType99999","label":"Art. 99 tea with the parties"}'
    ]
    dump["M.10646"]["decisions"][0]["metadata"]["decisionAdoptionDate"] = ["15/05/2023"]
    path = tmp_path / "shapes.json"
    path.write_text(json.dumps(dump))
    err = io.StringIO()

    line = ingest(path, err=err)

    assert line == "source=ec-mergers records=6 new=1 changed=0 unchanged=0 skipped=5 errors=0"
    problems = err.getvalue()
    assert "M.9660: caseCompanies is not a list of names" in problems
    assert "M.10806: decisionTypes is not a list of strings" in problems
    assert "M.2050: case has no metadata object" in problems
    assert "M.11956: unknown merger decision 'Art. 99 tea with the parties'" in problems
    assert "M.10646: decisionAdoptionDate" in problems
    assert list(Inquiry.objects.values_list("reference", flat=True)) == ["M.2027"]


def test_a_skipped_case_leaves_what_was_stored_for_it_as_it_was(tmp_path):
    ingest(EXCERPT)
    before = stored_state()
    dump = json.loads(EXCERPT.read_bytes())
    dump["M.10646"]["decisions"][0]["metadata"]["decisionTypes"] = [
        '{"code":"DecisionTypeNew","label":"Something new"}'
    ]
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(dump))

    line = ingest(path)

    assert line == "source=ec-mergers records=6 new=0 changed=0 unchanged=5 skipped=1 errors=0"
    assert stored_state() == before
    assert Inquiry.objects.get(reference="M.10646").outcome == "cleared_with_remedies"


def test_a_second_case_under_the_same_number_is_skipped_not_applied_twice(tmp_path):
    dump = json.loads(EXCERPT.read_bytes())
    dump["M.10646.AP"] = dump["M.10646"]
    path = tmp_path / "twice.json"
    path.write_text(json.dumps(dump))
    err = io.StringIO()

    line = ingest(path, err=err)

    assert line == "source=ec-mergers records=7 new=6 changed=0 unchanged=0 skipped=1 errors=0"
    assert "M.10646 (key M.10646.AP): a second case with this case number" in err.getvalue()
    assert Inquiry.objects.filter(reference="M.10646").count() == 1


@override_settings(INGEST_MAX_RESPONSE_BYTES=100_000)
def test_a_dump_larger_than_the_limit_is_refused_before_it_is_read(tmp_path):
    with pytest.raises(CommandError, match="larger than INGEST_MAX_RESPONSE_BYTES"):
        ingest(FULL)  # 398 KB

    assert not Inquiry.objects.exists()
    assert ingest(EXCERPT).startswith("source=ec-mergers records=6 new=6")  # positive control


def test_the_dump_is_read_case_by_case():
    items = get_source("ec-mergers").split(FULL.read_bytes())

    assert not isinstance(items, list)  # an iterator: the cases come one at a time
    assert next(items).external_id == "M.2050"
