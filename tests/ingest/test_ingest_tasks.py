"""Celery: one task, `ingest_source(name)`, on the beat schedule once per source, retried on
network errors only."""

import httpx
import pytest
import respx
from django.conf import settings

from ingest import tasks
from ingest.models import IngestRun, RawRecord
from ingest.sources import SOURCES, source_every
from ingest.sources.base import TransientFetchError
from tests import FIXTURE_DIR
from tracker.celery import app

FEED = "https://www.ftc.gov/feeds/hsr-early-termination-notices.xml"
SNAPSHOT = FIXTURE_DIR / "ftc" / "hsr-early-termination-notices_snapshot1.xml"


def test_beat_runs_every_source_with_its_interval_from_settings():
    schedule = app.conf.beat_schedule
    assert SOURCES
    for source in SOURCES:
        entry = schedule[f"ingest-{source}"]
        assert entry["task"] == "ingest.tasks.ingest_source" in app.tasks
        assert entry["args"] == (source,)
        assert entry["schedule"] == source_every(source) * 60
    assert "digests-daily" in schedule  # the settings' own entries are kept beside them


def test_the_old_per_source_task_names_are_gone():
    # Beat's schedule is rebuilt from the settings and the registry at every start (a file
    # scheduler, no schedule stored in the database): nothing can still name them.
    assert "ingest.tasks.ingest_ec" not in app.tasks
    assert "ingest.tasks.ingest_source" in app.tasks  # positive control


def test_tasks_retry_network_errors_only_and_have_time_limits():
    task = tasks.ingest_source
    assert task.autoretry_for == (TransientFetchError,)
    assert task.retry_backoff and task.max_retries
    assert task.soft_time_limit == settings.INGEST_TASK_SOFT_TIME_LIMIT
    assert task.time_limit > task.soft_time_limit


@pytest.mark.django_db
@respx.mock
def test_the_task_fetches_and_applies_the_feed():
    respx.get(FEED).mock(return_value=httpx.Response(200, content=SNAPSHOT.read_bytes()))

    result = tasks.ingest_source.delay("ftc-hsr")

    assert result.get() == (
        "source=ftc-hsr records=20 new=20 changed=0 unchanged=0 skipped=0 errors=0"
    )
    assert IngestRun.objects.get().trigger == "schedule"
    assert RawRecord.objects.count() == 20


@pytest.mark.django_db
@respx.mock
def test_a_task_run_twice_makes_nothing_twice():
    respx.get(FEED).mock(return_value=httpx.Response(200, content=SNAPSHOT.read_bytes()))

    tasks.ingest_source.delay("ftc-hsr")
    second = tasks.ingest_source.delay("ftc-hsr").get()

    assert "new=0 changed=0 unchanged=20" in second
    assert RawRecord.objects.count() == 20


@pytest.mark.django_db
@respx.mock
def test_a_network_error_is_retried_and_each_attempt_is_recorded():
    route = respx.get(FEED)
    route.side_effect = [
        httpx.Response(503),
        httpx.Response(200, content=SNAPSHOT.read_bytes()),
    ]

    # Eagerly, as a worker would: the retry runs at once instead of after the backoff.
    result = tasks.ingest_source.apply(args=("ftc-hsr",), throw=False)

    assert result.get().startswith("source=ftc-hsr records=20 new=20")

    runs = list(IngestRun.objects.order_by("started_at", "pk"))
    assert [bool(run.error) for run in runs] == [True, False]
    assert RawRecord.objects.count() == 20


@pytest.mark.django_db
def test_a_backfill_from_stored_files_runs_as_a_task_without_the_network():
    with respx.mock(assert_all_called=False) as network:
        line = tasks.ingest_from_files.delay("ftc-hsr", [str(SNAPSHOT)]).get()
        assert not network.calls
    assert line == "source=ftc-hsr records=20 new=20 changed=0 unchanged=0 skipped=0 errors=0"
    assert IngestRun.objects.get().trigger == "file"


@pytest.mark.django_db
def test_a_backfill_of_a_missing_file_changes_nothing():
    with pytest.raises(Exception, match="no such file"):
        tasks.ingest_from_files.delay("ftc-hsr", ["/nonexistent.xml"]).get()
    assert not RawRecord.objects.exists()
