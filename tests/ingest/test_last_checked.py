"""A run that read its source stamps "last checked" on the inquiries whose records it saw; the
stale flag beside a passed deadline says that date (issue 20)."""

import datetime

import pytest
from django.utils import timezone

from deals.models import Inquiry
from ingest.pipeline import ingest_run
from tests import FIXTURE_DIR

pytestmark = pytest.mark.django_db

CMA_CASES = (FIXTURE_DIR / "cma" / "publishing-api_cma-cases.json").read_bytes()


def checked() -> dict[int, datetime.date | None]:
    return dict(Inquiry.objects.values_list("pk", "checked_on"))


def test_a_run_from_a_saved_file_checks_nothing_and_one_from_the_source_checks_what_it_saw():
    ingest_run(source="cma", documents=[CMA_CASES], trigger="file")
    assert checked() and set(checked().values()) == {None}  # a file is not the source
    # The same records read again as a scheduled run (what it fetched): checked today, even
    # though nothing in them changed.
    run = ingest_run(source="cma", documents=[CMA_CASES], trigger="schedule")
    assert run.unchanged == run.records > 0
    assert set(checked().values()) == {timezone.localdate()}


def test_an_editors_later_date_is_kept_and_the_stale_flag_says_the_date():
    ingest_run(source="cma", documents=[CMA_CASES], trigger="schedule")
    inquiry = Inquiry.objects.order_by("pk").first()
    later = timezone.localdate() + datetime.timedelta(days=1)
    Inquiry.objects.filter(pk=inquiry.pk).update(checked_on=later)
    ingest_run(source="cma", documents=[CMA_CASES], trigger="schedule")
    assert Inquiry.objects.get(pk=inquiry.pk).checked_on == later  # not moved back
    # The stale wording reads the date.
    Inquiry.objects.filter(pk=inquiry.pk).update(
        stage="phase_1", outcome="", next_deadline_on=datetime.date(2026, 7, 7)
    )
    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert stored.stale_text().endswith(f"last checked {later:%-d %b %Y}")
