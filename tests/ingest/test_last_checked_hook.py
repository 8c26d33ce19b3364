"""deals.hooks.last_checked_on: the day the source that produced an inquiry was last read
successfully, as ingest answers it from its runs."""

import datetime

import pytest
from django.utils import timezone

from deals import hooks
from ingest.models import IngestRun, RawRecord
from tests.factories import InquiryFactory, cma

pytestmark = pytest.mark.django_db


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def run(source: str, day: datetime.date, *, error: str = "", trigger: str = "schedule"):
    return IngestRun.objects.create(
        source=source, trigger=trigger, started_at=at(day, 11), finished_at=at(day), error=error
    )


def test_an_inquiry_is_last_checked_when_its_sources_latest_successful_run_finished():
    inquiry = InquiryFactory(regulator=cma(), reference="ME/7/24")
    RawRecord.objects.create(source="cma", external_id="cma-cases/x", payload={}, inquiry=inquiry)
    run("cma", datetime.date(2026, 11, 30))
    run("cma", datetime.date(2026, 12, 3))
    run("cma", datetime.date(2026, 12, 5), error="HTTP 503")  # failed: checked nothing
    run("cma", datetime.date(2026, 12, 6), trigger="file")  # a saved file: not the source
    IngestRun.objects.create(source="cma", started_at=at(datetime.date(2026, 12, 6)))  # running
    run("accc", datetime.date(2026, 12, 6))  # another source

    assert hooks.last_checked_on(inquiry) == datetime.date(2026, 12, 3)


def test_an_inquiry_no_source_produced_or_never_checked_has_no_date():
    entered = InquiryFactory(regulator=cma(), reference="ME/8/24")  # an editor's, no record
    run("cma", datetime.date(2026, 12, 3))
    assert hooks.last_checked_on(entered) is None

    ingested = InquiryFactory(regulator=cma(), reference="ME/9/24")
    RawRecord.objects.create(source="ec", external_id="M.1", payload={}, inquiry=ingested)
    assert hooks.last_checked_on(ingested) is None  # the EC source never ran
    # Positive control: once it has run, the date is there.
    run("ec", datetime.date(2026, 12, 4))
    assert hooks.last_checked_on(ingested) == datetime.date(2026, 12, 4)
