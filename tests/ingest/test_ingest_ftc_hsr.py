"""FTC early-termination notices: one deal per HSR transaction, whatever the feed does."""

import datetime
import io

import pytest
from django.core.management import call_command

from deals.models import Deal, Event, Inquiry, Party
from deals.vocabulary import AntitrustStatus, status_errors
from ingest.models import IngestRun, RawRecord
from ingest.pipeline import record_apply
from ingest.sources import ftc_hsr
from tests import FIXTURE_DIR

pytestmark = pytest.mark.django_db

FIXTURES = FIXTURE_DIR / "ftc"
SNAPSHOT1 = FIXTURES / "hsr-early-termination-notices_snapshot1.xml"
SNAPSHOT2 = FIXTURES / "hsr-early-termination-notices_snapshot2.xml"


def ingest(*args) -> str:
    out = io.StringIO()
    call_command("ingest", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[-1]


def transaction_numbers(*paths) -> set[str]:
    return {
        record.inquiry.reference for path in paths for record in ftc_hsr.parse(path.read_bytes())
    }


def assert_one_deal_per_transaction(numbers: set[str]) -> None:
    ftc = Inquiry.objects.filter(regulator__slug="ftc")
    assert sorted(ftc.values_list("reference", flat=True)) == sorted(numbers)
    assert Deal.objects.count() == len(numbers)
    assert all(inquiry.deal_id for inquiry in ftc)
    assert Deal.objects.filter(inquiries__regulator__slug="ftc").distinct().count() == len(numbers)


def test_both_snapshots_one_after_the_other_leave_one_deal_per_transaction_number():
    first = ingest("ftc-hsr", "--from-file", str(SNAPSHOT1))
    second = ingest("ftc-hsr", "--from-file", str(SNAPSHOT2))

    assert first == "source=ftc-hsr records=20 new=20 changed=0 unchanged=0 skipped=0 errors=0"
    assert second == "source=ftc-hsr records=20 new=2 changed=0 unchanged=18 skipped=0 errors=0"
    assert_one_deal_per_transaction(transaction_numbers(SNAPSHOT1, SNAPSHOT2))


def test_the_snapshots_in_the_other_order_give_the_same_deals():
    ingest("ftc-hsr", "--from-file", str(SNAPSHOT2))
    ingest("ftc-hsr", "--from-file", str(SNAPSHOT1))

    assert_one_deal_per_transaction(transaction_numbers(SNAPSHOT1, SNAPSHOT2))


def test_a_transaction_under_two_guids_is_one_deal_with_both_acquired_parties():
    ingest("ftc-hsr", "--from-file", str(SNAPSHOT1))

    inquiry = Inquiry.objects.get(reference="20241895")
    assert RawRecord.objects.filter(inquiry=inquiry).count() == 2
    parties = sorted(
        (party.company.name, party.role) for party in Party.objects.filter(deal=inquiry.deal)
    )
    assert parties == [
        ("Lifespan Corporation", "acquirer"),
        ("MIP V Hopkins RH, L.P.", "target"),
        ("Medical Properties Trust, Inc.", "target"),
    ]
    assert inquiry.events.count() == 1  # one early termination, not one per notice


def test_every_notice_is_a_cleared_us_review_with_its_date():
    ingest("ftc-hsr", "--from-file", str(SNAPSHOT1))

    inquiry = Inquiry.objects.get(reference="20251002")
    assert (inquiry.stage, inquiry.outcome) == ("closed", "cleared")
    assert inquiry.closed_on == datetime.date(2025, 3, 31)
    assert inquiry.deal.title == "Quartz Fibre pvt Ltd. / Owens Corning"
    assert inquiry.deal.antitrust_status == AntitrustStatus.CLEARED
    assert inquiry.deal.needs_review
    event = inquiry.events.get()
    assert event.title == "HSR early termination granted (transaction 20251002)"
    assert "OCV Italia Srl" in event.text


def test_applying_the_same_notice_twice_makes_one_row_of_everything():
    record = next(iter(ftc_hsr.parse(SNAPSHOT1.read_bytes())))

    assert record_apply(source="ftc-hsr", record=record) == "new"
    assert record_apply(source="ftc-hsr", record=record) == "unchanged"

    assert RawRecord.objects.count() == Inquiry.objects.count() == Deal.objects.count() == 1
    assert Event.objects.count() == 1


def test_every_granting_status_of_both_snapshots_is_in_the_table_and_means_cleared():
    statuses = {
        value.casefold()
        for path in (SNAPSHOT1, SNAPSHOT2)
        for record in ftc_hsr.parse(path.read_bytes())
        for value in ftc_hsr.notice_fields(record.raw["description"]).get("granting-status", [])
    }

    assert statuses == {"granted"} == set(ftc_hsr.GRANTING_STATUSES)
    for record in ftc_hsr.parse(SNAPSHOT1.read_bytes()) + ftc_hsr.parse(SNAPSHOT2.read_bytes()):
        case = record.inquiry
        assert status_errors(kind=case.kind, stage=case.stage, outcome=case.outcome) == {}
        assert (record.inquiry.stage, record.inquiry.outcome) == ("closed", "cleared")


def test_a_notice_with_another_granting_status_is_a_skipped_bad_record(tmp_path):
    feed = SNAPSHOT1.read_text()
    changed = feed.replace("Granted", "Withdrawn", 1)
    assert changed != feed
    path = tmp_path / "feed.xml"
    path.write_text(changed)

    line = ingest("ftc-hsr", "--from-file", str(path))

    assert line.endswith("skipped=1 errors=0")
    [problem] = IngestRun.objects.get().problems
    assert problem["reason"] == (
        "unknown granting status 'withdrawn' (not in ftc_hsr.GRANTING_STATUSES)"
    )
