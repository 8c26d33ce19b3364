"""/sources/ and the admin show how each source has been doing, and flag a failing one."""

import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from ingest.models import IngestRun
from tests import FIXTURE_DIR

pytestmark = pytest.mark.django_db

EXCERPT = FIXTURE_DIR / "ec" / "case-data-AT_excerpt5.json"


def failed_run(source: str, minutes_ago: int, error: str = "www.gov.uk answered 503"):
    started = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return IngestRun.objects.create(
        source=source, started_at=started, finished_at=started, error=error
    )


def test_the_sources_page_shows_each_run_with_its_counts(client):
    call_command("ingest", "ec", "--from-file", str(EXCERPT), stdout=io.StringIO())

    page = client.get("/sources/")

    assert page.status_code == 200
    assert "European Commission open data" in page.text
    run = IngestRun.objects.get()
    assert page.context["runs"][0] == run
    assert "<td>5</td><td>5</td><td>0</td><td>0</td>" in page.text.replace("\n", "")
    assert "5, 5, 0, 0, 0, 0" in page.text  # last run: records, new, changed, …
    assert "flag-bad" not in page.text


def test_a_source_that_failed_several_times_in_a_row_is_flagged(client, settings):
    settings.INGEST_FAILURES_FLAGGED_AFTER = 3
    IngestRun.objects.create(
        source="cma",
        started_at=timezone.now() - datetime.timedelta(hours=5),
        finished_at=timezone.now() - datetime.timedelta(hours=5),
    )
    for minutes in (180, 120, 60):
        failed_run("cma", minutes)
    failed_run("doj", 30, error="www.justice.gov answered 500")

    health = {row.source: row for row in client.get("/sources/").context["health"]}

    assert health["cma"].flagged and health["cma"].failures_in_a_row == 3
    assert health["cma"].last_success is not None
    assert not health["doj"].flagged and health["doj"].failures_in_a_row == 1
    page = client.get("/sources/").text
    assert "Failing: 3 runs in a row" in page


def test_a_success_clears_the_flag(client):
    for minutes in (300, 240, 180):
        failed_run("ftc-press", minutes)
    now = timezone.now()
    IngestRun.objects.create(source="ftc-press", started_at=now, finished_at=now)

    health = {row.source: row for row in client.get("/sources/").context["health"]}

    assert not health["ftc-press"].flagged
    assert health["ftc-press"].last_failure is not None


def test_the_admin_run_list_shows_the_health_of_each_source(client):
    admin = User.objects.create_superuser("admin", "admin@example.org", "pw-admin-123")
    client.force_login(admin)
    for minutes in (30, 20, 10):
        failed_run("ec", minutes, error="timed out fetching the dump")

    page = client.get("/admin/ingest/ingestrun/")

    assert page.status_code == 200
    assert "Failing: 3 runs in a row" in page.text
    assert "timed out fetching the dump" in page.text


def test_the_sources_page_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for minutes in range(10):
        failed_run("ec", minutes)
    # Fixed whatever the number of runs; four per registered source (ten sources: 37).
    with django_assert_max_num_queries(38):
        client.get("/sources/")


def test_the_public_page_says_a_run_failed_but_not_the_internal_error(client):
    error = (
        'OperationalError: connection to server at "10.0.3.7", port 5432 failed: '
        'FATAL: password authentication failed for user "dealwatch"'
    )
    failed_run("ec", 10, error=error)

    page = client.get("/sources/").text

    assert "Failed" in page and "Last run failed" in page
    for detail in ("10.0.3.7", "password", "OperationalError", "dealwatch&quot;"):
        assert detail not in page


def test_the_sources_page_is_kept_until_a_run_changes_and_any_cache_may_keep_it(
    client, settings, django_assert_num_queries
):
    settings.PAGE_CACHE = True
    failed_run("ec", 20)
    first = client.get("/sources/")
    assert "public" in first["Cache-Control"] and "Set-Cookie" not in first
    # Kept: the next visitor costs no query, whatever the query string.
    with django_assert_num_queries(0):
        again = client.get("/sources/?utm_source=x")
    assert again.content == first.content
    # A run that writes no content (it failed) shows at once (the positive control).
    failed_run("cma", 5, error="www.gov.uk answered 502")
    after = client.get("/sources/")
    assert after.content != first.content
    assert after["ETag"] != first["ETag"]
    assert "Last run failed" in after.text.split('id="source-cma"')[1].split("</tr>")[0]
    # And a run that finishes is there on the next request.
    run = IngestRun.objects.create(source="ec")
    assert "running since" in client.get("/sources/").text
    run.finished_at, run.records = timezone.now(), 7
    run.save()
    assert "running since" not in client.get("/sources/").text
