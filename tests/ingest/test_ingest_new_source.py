"""A new regulator source is one module (and its test and fixture): registered, it is a choice of
the models, a task runs it, /sources/ lists it and beat schedules it; no migration, no settings.

And an existing source's name is found nowhere else in the code and configuration than its
module, its test, its fixture and the clock table."""

import datetime
import io
import json
import re
import subprocess
import types

import pytest
from django.core.management import call_command

from ingest import tasks
from ingest.models import IngestRun, RawRecord
from ingest.sources import (
    SOURCES,
    beat_schedule,
    registered,
    source_choices,
    source_every,
    source_pages,
)
from ingest.sources.base import CaseRecord, InquiryRecord, load_json
from tests import REPO_ROOT
from tracker.celery import schedule_ingest_sources

ROOT = REPO_ROOT

DOCUMENT = json.dumps(
    {
        "cases": [
            {"id": "T-1", "title": "Throwaway case one", "opened": "2026-01-05"},
            {"id": "T-2", "title": "Throwaway case two", "opened": "2026-02-09"},
        ]
    }
).encode()


def throwaway_source() -> types.ModuleType:
    """A source module as a newcomer would write one: the names of `ingest.sources`, a fetch
    and a parse. Its fetch serves a stored document (no network)."""
    module = types.ModuleType("throwaway_source")
    module.NAME = "throwaway"
    module.LABEL = "Throwaway register of the tests"
    module.REGULATOR = "ec"
    module.MAPPING_VERSION = 1
    module.HOSTS = frozenset({"throwaway.example.org"})
    module.EVERY = 15
    module.PAGES = 3
    module.fetch = lambda *, client, policy, pages=1: [DOCUMENT]

    def parse(document: bytes) -> list[CaseRecord]:
        return [
            CaseRecord(
                external_id=case["id"],
                raw=case,
                inquiry=InquiryRecord(
                    regulator="ec",
                    reference=f"THROWAWAY.{case['id']}",
                    title=case["title"],
                    kind="conduct",
                    stage="investigation",
                    opened_on=datetime.date.fromisoformat(case["opened"]),
                ),
            )
            for case in load_json(document)["cases"]
        ]

    module.parse = parse
    return module


@pytest.fixture
def throwaway():
    with registered(throwaway_source()) as module:
        yield module
    assert "throwaway" not in SOURCES


def test_a_registered_source_is_a_choice_of_the_models(throwaway):
    assert ("throwaway", "Throwaway register of the tests") in source_choices()
    for model in (RawRecord, IngestRun):
        assert ("throwaway", throwaway.LABEL) in model._meta.get_field("source").choices
    IngestRun(source="throwaway").full_clean(exclude=["started_at"])


def test_an_unregistered_source_is_no_choice(throwaway):
    # The positive control of the test above: validation does refuse a name it does not know.
    with pytest.raises(Exception, match="not a valid choice"):
        IngestRun(source="never-registered").full_clean(exclude=["started_at"])


@pytest.mark.django_db
def test_a_registered_source_needs_no_migration(throwaway):
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_task_runs_a_registered_source(throwaway):
    line = tasks.ingest_source.delay("throwaway").get()

    assert line == "source=throwaway records=2 new=2 changed=0 unchanged=0 skipped=0 errors=0"
    assert set(RawRecord.objects.values_list("source", "external_id")) == {
        ("throwaway", "T-1"),
        ("throwaway", "T-2"),
    }
    assert (
        tasks.ingest_source.delay("throwaway")
        .get()
        .endswith("new=0 changed=0 unchanged=2 skipped=0 errors=0")
    )


@pytest.mark.django_db
def test_the_backfill_task_reads_a_registered_source_from_a_stored_document(throwaway, tmp_path):
    stored = tmp_path / "cases.json"
    stored.write_bytes(DOCUMENT)

    line = tasks.ingest_from_files.delay("throwaway", [str(stored)]).get()

    assert line.startswith("source=throwaway records=2 new=2")
    assert IngestRun.objects.get().trigger == "file"


@pytest.mark.django_db
def test_the_sources_page_lists_a_registered_source(client, throwaway):
    page = client.get("/sources/").text
    assert "Throwaway register of the tests" in page and 'id="source-throwaway"' in page


def test_beat_schedules_a_registered_source_from_its_module_and_the_environment(
    throwaway, monkeypatch
):
    entry = beat_schedule()["ingest-throwaway"]
    assert entry == {
        "task": "ingest.tasks.ingest_source",
        "schedule": 900.0,
        "args": ("throwaway",),
    }
    assert entry["task"] in tasks.ingest_source.app.tasks
    app = types.SimpleNamespace(conf=types.SimpleNamespace(beat_schedule={"other": {}}))
    schedule_ingest_sources(sender=app)  # what the Celery app does when it is configured
    assert app.conf.beat_schedule["ingest-throwaway"] == entry and "other" in app.conf.beat_schedule

    monkeypatch.setenv("INGEST_THROWAWAY_EVERY", "5")
    monkeypatch.setenv("INGEST_THROWAWAY_PAGES", "7")
    assert source_every("throwaway") == 5 and source_pages("throwaway") == 7
    assert beat_schedule()["ingest-throwaway"]["schedule"] == 300.0
    monkeypatch.setenv("INGEST_THROWAWAY_EVERY", "0")
    assert "ingest-throwaway" not in beat_schedule()


def test_the_old_spelling_of_the_interval_is_still_read(monkeypatch):
    monkeypatch.setenv("INGEST_EVERY_FTC_HSR", "42")
    assert source_every("ftc-hsr") == 42
    monkeypatch.setenv("INGEST_FTC_HSR_EVERY", "7")  # the new spelling wins
    assert source_every("ftc-hsr") == 7


def test_a_setting_that_is_not_a_number_is_refused(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("INGEST_CMA_PAGES", "two")
    with pytest.raises(ImproperlyConfigured, match="INGEST_CMA_PAGES"):
        source_pages("cma")


def test_the_defaults_are_the_modules_own():
    assert {name: source_every(name) for name in SOURCES} == {
        name: module.EVERY for name, module in SOURCES.items()
    } or pytest.skip("an INGEST_*_EVERY is set in this environment")


# --- Where an existing source's name appears --------------------------------------------------

# Prose for readers and history: they name the regulator or describe the sources, and adding a
# source does not have to touch them (migrations are never edited once they ran).
NOT_CODE = re.compile(r"(^|/)migrations/|^docs/|^README\.md$|\.(md|png|svg|ico|woff2?)$")
# The regulator of the same slug is named where regulators are listed: the bench's seeding
# weights them (the clock table is the other place, below).
REGULATOR_LISTS = re.compile(r"(^|/)seed_bench\.py$")
# Tests of other features may use a source's samples as their data: adding a source does not
# touch them. What all ingest tests share (conftest, factories, the samples list) is checked.
OTHER_TESTS = re.compile(r"^tests/(?!conftest\.py$|factories\.py$|ingest_samples\.py$)")


def tracked_files() -> list[str]:
    try:
        listed = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: read the tree
        skip = {"node_modules", "__pycache__", "staticfiles", "htmlcov"}
        listed = [
            str(path.relative_to(ROOT))
            for path in ROOT.rglob("*")
            if path.is_file()
            and not any(
                part in skip or part.startswith(".") or part.endswith(".egg-info")
                for part in path.relative_to(ROOT).parts[:-1]
            )
        ]
    assert len(listed) > 100
    return listed


def files_naming(name: str, *, allowed: re.Pattern) -> list[str]:
    """Code and configuration files, other than `allowed` ones, naming source `name`: its slug
    or module, a setting (INGEST_ACCC_PAGES) or a constant; not the regulator named in prose
    ("the ACCC's register")."""
    slug, constant = re.escape(name.lower()), re.escape(name.upper().replace("-", "_"))
    word = re.compile(
        rf"(?<![A-Za-z0-9]){slug}(?![A-Za-z0-9])"  # the slug, a module, a task name
        rf"|[A-Z0-9]_{constant}(?![A-Za-z0-9])|(?<![A-Za-z0-9]){constant}_[A-Z0-9]"  # a setting
        rf"|^\s*{constant}\s*=",  # a constant or a choice: ACCC = "accc", …
        re.MULTILINE,
    )
    found = []
    for path in tracked_files():
        if any(p.search(path) for p in (NOT_CODE, REGULATOR_LISTS, OTHER_TESTS, allowed)):
            continue
        try:
            text = (ROOT / path).read_text()
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        if word.search(text):
            found.append(path)
    return found


def allowed_for(name: str, *, clock_table: bool = True) -> re.Pattern:
    module = name.replace("-", "_")
    places = [
        rf"^ingest/sources/{module}\.py$",  # its module
        rf"^tests/(.*/)?test_\w*{module}\w*\.py$",  # its test
        rf"^tests/fixtures/{module}/",  # its fixture
    ]
    if clock_table:
        places.append(r"(^|/)clocks\.py$")  # the clock table, for a new regulator
    return re.compile("|".join(places))


def test_the_accc_is_named_only_in_its_module_test_fixture_and_the_clock_table():
    assert files_naming("accc", allowed=allowed_for("accc")) == []


def test_the_name_check_finds_a_name_outside_those_places():
    # Positive controls: without the clock table among the allowed places it is found, and
    # so is a name the settings and the Celery app do carry.
    assert files_naming("accc", allowed=allowed_for("accc", clock_table=False)) == [
        "deals/clocks.py"
    ]
    assert "tracker/settings.py" in files_naming("ingest_http_timeout", allowed=allowed_for("x"))


def test_the_command_lists_every_source_with_its_settings(throwaway, monkeypatch):
    monkeypatch.setenv("INGEST_CMA_PAGES", "3")
    out = io.StringIO()
    call_command("ingest", "--list", stdout=out)
    lines = out.getvalue().splitlines()
    assert "throwaway: Throwaway register of the tests" in lines
    assert "INGEST_THROWAWAY_EVERY=15  # minutes between runs of throwaway" in lines
    assert "INGEST_CMA_PAGES=3  # list pages a run of cma reads" in lines
    assert not any(line.startswith("INGEST_EC_PAGES") for line in lines)  # the EC does not page


def test_the_command_needs_a_source_unless_it_lists_them():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="name a source"):
        call_command("ingest", stdout=io.StringIO())
