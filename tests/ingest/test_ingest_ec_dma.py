"""The EC's Digital Markets Act dump (ec-dma): Art. 14 notifications become deals (or join the
deal of their parties) with a notification inquiry; DMA cases become conduct cases."""

import io
import json
from collections import Counter

import httpx
import pytest
import respx
from django.core.management import CommandError, call_command

from deals.models import Company, Deal, Event, Inquiry, Phase
from deals.vocabulary import InquiryKind, Outcome, Stage, status_errors
from ingest.models import IngestRun, RawRecord
from ingest.sources import ec_dma, get_source
from ingest.sources.base import CaseRecord, FetchPolicy, RefusedDocument, Skipped
from tests import FIXTURE_DIR

pytestmark = pytest.mark.django_db

FIXTURES = FIXTURE_DIR / "ec_dma"
FULL = FIXTURES / "case-data-DMA.json"
EXCERPT = FIXTURES / "case-data-DMA_excerpt3.json"

ACQ, HIRE, JV = "acquisition", "acqui_hire", "joint_venture"

# Every Art. 14 notice of the dump, in its order, and what its summary describes (read by hand
# against each summary: JV a joint venture; ACQ the company, its shares or control, or assets
# alone; HIRE its people hired, with a licence or some assets, without the company itself).
EXPECTED_TYPES = [
    ("Microsoft / Tumult Labs, Inc.", HIRE),
    ("Microsoft / Activision Blizzard", ACQ),
    ("Microsoft / Mahi Labs", ACQ),
    ("Microsoft / Robin AI Limited", HIRE),
    ("Microsoft / Inflection.ai, Inc.", HIRE),
    ("Microsoft / Pi Labs, Inc.", ACQ),
    ("Microsoft / Blocktool Inc.", ACQ),
    ("Microsoft / 42Layers Corp", ACQ),
    ("Microsoft / Bluesky Data, Inc.", HIRE),
    ("Alphabet / Hume AI Inc.", HIRE),
    ("Alphabet / Contextual AI, Inc.", HIRE),
    ("Alphabet / Wiz, Inc.", ACQ),
    ("Alphabet / MutableAI, Corp.", ACQ),
    ("Alphabet / Exafunction, Inc. dba Windsurf", HIRE),
    ("Alphabet / Galileo AI, Inc.", ACQ),
    ("Alphabet / Logic and Rhythm LLC", HIRE),
    ("Alphabet / Evaluable AI Inc.", ACQ),
    ("Alphabet / Upollo Pty Ltd", HIRE),
    ("Alphabet / Cameyo Inc.", ACQ),
    ("Alphabet / deepsense.ai", HIRE),
    ("Alphabet / Common Sense Machines", ACQ),
    ("Alphabet / Specs, Inc.", ACQ),
    ("Alphabet / Big Sur AI", ACQ),
    ("Alphabet / AdHawk", ACQ),
    ("Alphabet / Hon Chi International Investments Co., Ltd.", JV),
    ("Alphabet / HTC Corporation", HIRE),
    ("Alphabet / Corpusant, Inc.", HIRE),
    ("Alphabet / Atlantic Quantum Corp.", ACQ),
    ("Apple / Q (Cue) Ltd", ACQ),
    ("Apple / DarwinAI", ACQ),
    ("Apple / WhyLabs, Inc.", HIRE),
    ("Apple / Mayday Labs Inc.", HIRE),
    ("Apple / Pointable Inc.", HIRE),
    ("Apple / PlasmaSolve s.r.o.", ACQ),
    ("Apple / Patchflyer GmbH", HIRE),
    ("Apple / TrueMeeting, Inc. and TrueMeeting LTD", HIRE),
    ("Apple / RAC7", ACQ),
    ("Apple / invrs.io LLC", HIRE),
    ("Apple / PromptAI", HIRE),
    ("Apple / Styra, Inc.", HIRE),
    ("Apple / SigScalr, Inc.", HIRE),
    ("Apple / UAB Pixelmator Team", ACQ),
    ("Apple / Kuzu Inc.", ACQ),
    ("Apple / Drishti", HIRE),
    ("Apple / Datakalab SAS", ACQ),
    ("Apple / IC Mask Design", ACQ),
    ("Apple / Blueye Limited", ACQ),
    ("Apple / Animato, Inc.", HIRE),
    ("Apple / Rabbit 3 Times, Inc. d/b/a Play", HIRE),
    ("Apple / Betteromics Inc.", HIRE),
    ("Apple / MotionVFX sp. z o.o.", ACQ),
    ("Amazon / Viziotix S.A.S.", ACQ),
    ("Amazon / Pellicano Italy s.r.l.", ACQ),
    ("Amazon / NLX Inc.", ACQ),
    ("Amazon / Bluush Inc. (d/b/a Bee)", ACQ),
    ("Amazon / Pixwise", HIRE),
    ("Amazon / Fauna Robotics Inc", ACQ),
    ("Amazon / RIVR Technologies AG", ACQ),
    ("Amazon / Perceive Corporation", ACQ),
    ("Amazon / Feenix.ai, Inc.", ACQ),
    ("Amazon / MX Media Co. Ltd", ACQ),
    ("Meta / Reliance Industries Ltd", JV),
    ("Meta / Rivos Inc.", ACQ),
    ("Meta / WaveForms AI, Inc", ACQ),
    ("Meta / Limitless AI Inc.", ACQ),
    ("Meta / Playht, Inc. (PlayAI)", ACQ),
    ("Meta / Confer Enterprises, Inc.", ACQ),
    ("Meta / Butterfly Effect Holding Limited, d/b/a Manus AI", ACQ),
    ("Meta / Octane AI’s Moltbook business", ACQ),
    ("ByteDance / IO Media Joint Stock Company", ACQ),
    ("ByteDance / PT Tokopedia", ACQ),
]


def ingest(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest", *args, stdout=out, stderr=err)
    return out.getvalue().strip().splitlines()[-1]


def everything() -> tuple[int, ...]:
    models = (RawRecord, Inquiry, Deal, Company, Event)
    return tuple(model.objects.count() for model in models)


def parsed(path=FULL) -> list:
    return ec_dma.parse(path.read_bytes())


def notices(records) -> list[CaseRecord]:
    return [r for r in records if isinstance(r, CaseRecord) and r.inquiry.kind == "notification"]


def test_the_source_is_registered_with_the_ec_dumps_bucket():
    module = get_source("ec-dma")
    assert module is ec_dma and module.REGULATOR == "ec"
    assert module.DUMP.endswith("/case-data-DMA.json")
    assert "compcases-open-data-portal-files-prod.s3.eu-west-1.amazonaws.com" in module.HOSTS


def test_the_parser_reads_every_case_and_all_71_notifications_of_the_full_dump():
    records = parsed()
    dump = json.loads(FULL.read_bytes())
    reporting = [k for k, c in dump.items() if c["metadata"]["caseType"] == [ec_dma.REPORTING]]

    assert not [r for r in records if isinstance(r, Skipped)]
    assert len(dump) == 55 and len(reporting) == 7
    assert len(notices(records)) == 71
    cases = [r for r in records if r.inquiry.kind != "notification"]
    assert sorted(r.external_id for r in cases) == sorted(set(dump) - set(reporting))
    assert len({r.external_id for r in records}) == len(records) == 71 + 48
    for record in records:
        wanted = record.inquiry
        assert not status_errors(kind=wanted.kind, stage=wanted.stage, outcome=wanted.outcome)


def test_each_of_the_71_notices_gets_the_deal_type_its_summary_describes():
    found = [(r.deal.title, r.deal.deal_type) for r in notices(parsed())]

    assert len(EXPECTED_TYPES) == 71
    assert found == EXPECTED_TYPES
    assert Counter(kind for _, kind in found) == {ACQ: 43, HIRE: 26, JV: 2}


@pytest.mark.parametrize(
    ("summary", "kind"),
    [
        ("The notification relates to the creation of a proposed joint venture by Meta.", JV),
        ("Apple will acquire all of the share capital in and hire certain employees of X.", ACQ),
        ("Microsoft has acquired sole control over Mahi Labs.", ACQ),
        ("This notification concerns the acquisition by Meta of Rivos.", ACQ),
        ("Microsoft has hired employees and obtained a non-exclusive licence from Y.", HIRE),
        ("Apple will acquire certain assets from and hire select employees of Styra.", HIRE),
        ("a licence to its IP and releases of employment restrictions", HIRE),
    ],
)
def test_the_deal_type_rule_on_the_words(summary, kind):
    assert ec_dma.deal_type(summary) == kind


def test_a_notice_is_a_deal_of_the_gatekeeper_and_the_acquired_company_with_no_clock():
    [inflection] = [r for r in notices(parsed()) if "Inflection" in r.deal.title]

    assert inflection.deal.title == "Microsoft / Inflection.ai, Inc."
    assert [(p.name, p.role) for p in inflection.deal.parties] == [
        ("MICROSOFT CORPORATION", "acquirer"),
        ("Inflection.ai, Inc.", "target"),
    ]
    wanted = inflection.inquiry
    assert (wanted.kind, wanted.stage, wanted.outcome) == ("notification", "informal", "")
    assert wanted.deadline_on is None and wanted.closed_on is None
    assert str(wanted.opened_on) == "2024-10-17"
    assert wanted.summary.startswith("Microsoft Corporation (“Microsoft”) announced on 19 March")
    assert wanted.reference == "DMA.100160/FD8CBC4A-CBF6-4D6D-818A-A641C544DCC7"
    [event] = inflection.events
    assert (str(event.occurred_on), event.kind) == ("2024-10-17", "other")


def test_every_case_type_and_decision_code_of_the_dump_is_in_the_status_table():
    dump = json.loads(FULL.read_bytes())
    types = {c["metadata"]["caseType"][0] for c in dump.values()} - {ec_dma.REPORTING}
    codes = {
        json.loads(t)["code"]
        for c in dump.values()
        for d in c.get("decisions") or []
        for t in d["metadata"]["decisionTypes"]
    }
    assert types <= set(ec_dma.CASE_TYPES)
    assert codes == set(ec_dma.DMA_DECISIONS)


def test_the_excerpt_goes_in_and_a_second_run_changes_nothing():
    line = ingest("ec-dma", "--from-file", str(EXCERPT))
    assert line == "source=ec-dma records=29 new=29 changed=0 unchanged=0 skipped=0 errors=0"
    before = everything()

    line = ingest("ec-dma", "--from-file", str(EXCERPT))

    assert line == "source=ec-dma records=29 new=0 changed=0 unchanged=29 skipped=0 errors=0"
    assert everything() == before
    assert Inquiry.objects.filter(kind=InquiryKind.NOTIFICATION).count() == 28


def test_the_full_dump_run_twice_the_second_changes_nothing():
    ingest("ec-dma", "--from-file", str(FULL))
    before = everything()
    stored = dict(RawRecord.objects.values_list("external_id", "content_hash"))

    line = ingest("ec-dma", "--from-file", str(FULL))

    assert line == "source=ec-dma records=119 new=0 changed=0 unchanged=119 skipped=0 errors=0"
    assert everything() == before
    assert dict(RawRecord.objects.values_list("external_id", "content_hash")) == stored


def test_dma_cases_are_conduct_cases_in_the_commissions_words_with_the_gatekeeper():
    ingest("ec-dma", "--from-file", str(FULL))

    play = Inquiry.objects.get(reference="DMA.100075")
    assert (play.kind, play.stage, play.outcome) == ("conduct", Stage.CLOSED, Outcome.INFRINGEMENT)
    assert play.status_wording == "Non-compliance decision based on Art.29"
    assert list(play.companies.values_list("name", flat=True)) == ["Alphabet Inc."]
    titles = list(play.events.order_by("occurred_on").values_list("title", flat=True))
    assert titles[0] == "Decision to open proceedings based on Art.20 and Art.29"
    assert titles[-1] == "Non-compliance decision based on Art.29"

    designation = Inquiry.objects.get(reference="DMA.100004")  # Alphabet - online search engines
    assert (designation.kind, designation.stage, designation.outcome) == ("conduct", "closed", "")
    assert designation.status_wording == "Designation decision"
    # A specification case that names no company: its gatekeeper is the first word of its title.
    features = Inquiry.objects.get(reference="DMA.100203")
    assert list(features.companies.values_list("name", flat=True)) == ["Apple"]
    assert features.events.count() == 4
    cloud = Inquiry.objects.get(reference="DMA.100236")  # Art. 19: no one gatekeeper
    assert (cloud.kind, cloud.stage) == ("market_study", "informal")
    assert not Inquiry.objects.filter(reference__in=["DMA.100160", "DMA.100233"]).exists()


def test_after_the_demo_the_notices_join_the_demo_deals_and_no_two_deals_share_one():
    call_command("load_demo", stdout=io.StringIO())
    deals_before = Deal.objects.count()
    statuses = dict(Deal.objects.values_list("slug", "antitrust_status"))

    ingest("ec-dma", "--from-file", str(FULL))

    for slug, day in [
        ("microsoft-inflection-ai", "2024-10-17"),
        ("google-wiz", "2026-02-18"),
        ("microsoft-activision-blizzard", "2023-10-10"),
    ]:
        deal = Deal.objects.get(slug=slug)
        [notice] = deal.inquiries.filter(kind=InquiryKind.NOTIFICATION)
        assert str(notice.opened_on) == day
        assert notice.regulator.slug == "ec" and not notice.phases.exists()
        assert [str(e.occurred_on) for e in notice.events.all()] == [day]
        assert deal.antitrust_status == statuses[slug]  # a notice is never a review
    notifications = Inquiry.objects.filter(kind=InquiryKind.NOTIFICATION)
    assert notifications.count() == 71
    assert notifications.values("deal").distinct().count() == 71
    assert Deal.objects.count() == deals_before + 68
    assert not Phase.objects.filter(inquiry__in=notifications).exists()
    # A second run after the demo changes nothing either.
    before = everything()
    assert "new=0 changed=0" in ingest("ec-dma", "--from-file", str(FULL))
    assert everything() == before


def test_new_deals_carry_the_type_and_a_notice_of_an_editors_deal_leaves_its_type():
    call_command("load_demo", stdout=io.StringIO())
    inflection_type = Deal.objects.get(slug="microsoft-inflection-ai").deal_type

    ingest("ec-dma", "--from-file", str(FULL))

    assert Deal.objects.get(slug="microsoft-inflection-ai").deal_type == inflection_type
    windsurf = Deal.objects.get(inquiries__reference__contains="7928571C")
    assert windsurf.deal_type == HIRE and windsurf.needs_review
    assert Deal.objects.get(inquiries__reference__contains="30832072").deal_type == JV


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (FULL.read_bytes()[:5000], "not a JSON document"),
        (b"[]", "not an EC DMA dump"),
        (b'{"DMA.1": [1, 2]}', "not an EC DMA dump"),
    ],
)
def test_a_truncated_or_wrong_document_is_refused_and_nothing_changes(tmp_path, content, message):
    ingest("ec-dma", "--from-file", str(EXCERPT))
    before = everything()
    path = tmp_path / "dump.json"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        call_command("ingest", "ec-dma", "--from-file", str(path), stdout=io.StringIO())

    assert everything() == before
    with pytest.raises(RefusedDocument, match=message):
        ec_dma.parse(content)
    run = IngestRun.objects.filter(source="ec-dma").latest("started_at")
    assert message in run.error


def test_bad_records_are_skipped_with_their_id_and_the_rest_goes_in(tmp_path):
    ingest("ec-dma", "--from-file", str(EXCERPT))
    stored = dict(RawRecord.objects.values_list("external_id", "content_hash"))
    dump = json.loads(EXCERPT.read_bytes())
    microsoft = dump["DMA.100160"]["metadata"]
    acquisitions = json.loads(microsoft["caseAcquisitions"][0])
    acquisitions["items"][0]["notificationDate"] = 20250324  # Tumult Labs: a number
    acquisitions["items"][1]["acquiredCompany"] = ["Activision Blizzard"]  # a list
    microsoft["caseAcquisitions"] = [json.dumps(acquisitions)]
    dump["DMA.100161"]["metadata"]["caseAcquisitions"] = ["{not json"]
    apple = dump["DMA.100203"]
    apple["decisions"][0]["metadata"]["decisionTypes"] = ['{"code":"DmaDecType999","label":"?"}']
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(dump))
    err = io.StringIO()

    call_command("ingest", "ec-dma", "--from-file", str(broken), stdout=io.StringIO(), stderr=err)

    assert IngestRun.objects.latest("started_at").summary_line() == (
        "source=ec-dma records=11 new=0 changed=0 unchanged=7 skipped=4 errors=0"
    )
    said = err.getvalue()
    assert "DMA.100160/36E5E1AF-9041-4BAD-901A-9659D6D6B6E0: notificationDate is missing" in said
    assert "DMA.100160/A5D81B5B-7892-446A-AA42-DA0A130087D7: acquiredCompany is missing" in said
    assert "DMA.100161/caseAcquisitions: caseAcquisitions is not a list of JSON item" in said
    assert (
        "DMA.100203: unknown DMA decision type 'DmaDecType999' (not in ec_dma.DMA_DECISIONS)"
        in said
    )
    # What was stored before is as it was: a skipped record changes nothing.
    assert dict(RawRecord.objects.values_list("external_id", "content_hash")) == stored


def test_unknown_case_type_skips_the_case_and_names_the_table(tmp_path):
    dump = json.loads(EXCERPT.read_bytes())
    dump["DMA.100203"]["metadata"]["caseType"] = ["DmaMysteryCaseType"]
    dump["DMA.100203"]["metadata"]["caseCompanies"] = "Apple Inc."  # not a list either
    [skipped] = [r for r in ec_dma.parse(json.dumps(dump).encode()) if isinstance(r, Skipped)]
    assert skipped.external_id == "DMA.100203"
    assert "not in ec_dma.CASE_TYPES" in skipped.reason


@respx.mock
def test_fetch_reads_the_dump_from_the_ec_bucket_through_the_shared_fetcher():
    route = respx.get(ec_dma.DUMP).mock(return_value=httpx.Response(200, content=FULL.read_bytes()))

    with httpx.Client() as client:
        documents = ec_dma.fetch(client=client, policy=FetchPolicy(hosts=ec_dma.HOSTS, timeout=5))

    assert documents == [FULL.read_bytes()] and route.call_count == 1


def test_the_sources_page_lists_the_source(client):
    page = client.get("/sources/").text
    assert ec_dma.LABEL in page and 'id="source-ec-dma"' in page
