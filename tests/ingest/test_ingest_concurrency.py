"""Two runs of one source at the same moment leave no duplicate rows.

SQLite lets one writer in at a time and has no row locks, so the truly concurrent case runs on
PostgreSQL only:
DATABASE_URL=postgres://postgres@127.0.0.1:5432/dw_ingest .venv/bin/pytest tests/ingest/
"""

import pytest
from django.db.models import Count

from deals.models import Company, Deal, Event, Inquiry, Party
from ingest.models import RawRecord
from ingest.pipeline import ingest_run
from tests import FIXTURE_DIR
from tests.concurrency import at_the_same_moment, needs_postgresql

FIXTURES = FIXTURE_DIR / "ftc"
SNAPSHOT1 = (FIXTURES / "hsr-early-termination-notices_snapshot1.xml").read_bytes()
SNAPSHOT2 = (FIXTURES / "hsr-early-termination-notices_snapshot2.xml").read_bytes()


def assert_no_duplicates() -> None:
    numbers = Inquiry.objects.filter(regulator__slug="ftc").values_list("reference", flat=True)
    assert len(numbers) == len(set(numbers))
    assert Deal.objects.count() == len(numbers)
    assert not Company.objects.values("name_key").annotate(n=Count("pk")).filter(n__gt=1)
    assert not Event.objects.values("inquiry", "title").annotate(n=Count("pk")).filter(n__gt=1)
    assert (
        not Party.objects.values("deal", "company", "role").annotate(n=Count("pk")).filter(n__gt=1)
    )


@needs_postgresql
# serialized_rollback: the flush after a transactional test drops the seeded regulators.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_of_the_same_feed_at_once_make_each_row_once():
    def run(document):
        return lambda: ingest_run(source="ftc-hsr", documents=[document], trigger="file")

    first, second = at_the_same_moment(run(SNAPSHOT1), run(SNAPSHOT2))

    assert first.errors == second.errors == 0
    assert RawRecord.objects.filter(source="ftc-hsr").count() == 22
    assert first.new + second.new == 22
    assert_no_duplicates()


@pytest.mark.django_db
def test_a_run_repeated_in_sequence_makes_each_row_once():
    ingest_run(source="ftc-hsr", documents=[SNAPSHOT1], trigger="file")
    ingest_run(source="ftc-hsr", documents=[SNAPSHOT2, SNAPSHOT1], trigger="file")

    assert RawRecord.objects.filter(source="ftc-hsr").count() == 22
    assert_no_duplicates()
