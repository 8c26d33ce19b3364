"""`manage.py load_samples` (demo/samples.py): the real samples the project ships, ingested
after the demo deals, as `make run` does; a second run changes nothing.

The quick samples (tests/fixtures/*/samples.txt, `small`) stand in for the full list: the same
sources, the large dumps as excerpts that keep the demo deals' cases. They are loaded once for
the module, after the demo, then loaded again and the demo reloaded, as a second `make run`."""

from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from deals.models import Company, Deal, Event, Inquiry
from demo.samples import samples_load, samples_shipped
from ingest.models import RawRecord, ReviewStatus
from tests.conftest import built_once_per_module
from tests.ingest_samples import samples

pytestmark = pytest.mark.django_db

QUICK = samples(small=True)
MODELS = (Company, Deal, Inquiry, Event, RawRecord)


def row_counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts |= {
        f"{model.__name__} history": model.history.count()
        for model in MODELS
        if hasattr(model, "history")
    }
    return counts


@dataclass
class Loaded:
    first: dict[str, dict[str, int]]
    after_first: dict[str, int]
    second: dict[str, dict[str, int]]
    demo_again: str
    after_second: dict[str, int]


def load_twice() -> Loaded:
    call_command("load_demo", stdout=StringIO())
    first = {summary.source: summary.counts for summary in samples_load(samples=QUICK)}
    after_first = row_counts()
    second = {summary.source: summary.counts for summary in samples_load(samples=QUICK)}
    demo_again = StringIO()
    call_command("load_demo", stdout=demo_again)
    return Loaded(first, after_first, second, demo_again.getvalue(), row_counts())


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    yield from built_once_per_module(django_db_blocker, load_twice)


def test_the_list_is_the_full_list_of_real_samples_the_tests_read_and_nothing_synthetic():
    shipped = samples_shipped()
    assert shipped == samples()
    assert not [path for _, path in shipped if "SYNTHETIC" in path.name]
    assert {source for source, _ in shipped} >= {"ec-mergers", "ec-dma", "cma", "accc", "ec"}
    assert all(path.is_file() for _, path in shipped)
    assert all(
        path.is_relative_to(Path(settings.BASE_DIR) / "tests" / "fixtures") for _, path in shipped
    )


def test_the_first_load_ingests_every_quick_sample_without_an_error(loaded):
    assert list(loaded.first) == [
        "accc",
        "cma",
        "ec",
        "ec-dma",
        "ec-mergers",
        "ftc-hsr",
        "ftc-press",
        "sec-edgar",
    ]
    for source, counts in loaded.first.items():
        assert counts["errors"] == 0 and counts["skipped"] == 0, source
        assert counts["new"] > 0, source


def test_a_second_load_finds_everything_unchanged_and_changes_nothing(loaded):
    for source, counts in loaded.second.items():
        assert counts["new"] == counts["changed"] == 0, source
        assert counts["unchanged"] == counts["records"] == loaded.first[source]["records"]
    # The demo loaded again after the samples (a second `make run`) takes nothing back either.
    assert "created=0 updated=0" in loaded.demo_again
    assert loaded.after_second == loaded.after_first


def test_the_deal_count_is_the_demo_and_the_samples_deals(loaded):
    assert loaded.after_first["Deal"] == 19 + Deal.objects.filter(needs_review=True).count()
    assert loaded.after_first["Deal"] == 19 + 69  # the demo, and what the quick samples brought


def test_microsoft_activision_blizzard_keeps_one_deal_with_its_ec_merger_case_and_dma_notification(
    loaded,
):
    deal = Deal.objects.get(title="Microsoft / Activision Blizzard")
    assert not deal.needs_review and deal.is_published
    references = set(deal.inquiries.values_list("reference", flat=True))
    assert "M.10646" in references
    assert any(reference.startswith("DMA.100160") for reference in references)
    assert Inquiry.objects.filter(reference="M.10646").count() == 1
    assert Deal.objects.filter(title__icontains="Activision").count() == 1


def test_the_deals_the_samples_bring_are_published_and_wait_in_the_review_queue(loaded):
    brought = Deal.objects.filter(needs_review=True)
    assert brought.exists()
    assert not brought.filter(is_published=False).exists()
    regulators = set(brought.values_list("inquiries__regulator__slug", flat=True))
    assert regulators >= {"ec", "cma", "ftc", "accc"}
    # What ingest could not tell (a press release about no known deal) is still to be reviewed.
    assert RawRecord.objects.filter(review_status=ReviewStatus.PENDING).exists()


def test_the_command_prints_one_line_per_source(loaded, monkeypatch):
    monkeypatch.setattr("demo.samples.samples_shipped", lambda: QUICK)
    out = StringIO()
    call_command("load_samples", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == [f"source={source}" for source in loaded.first]
    assert "source=ftc-hsr files=2 records=40 new=0 changed=0 unchanged=40" in out.getvalue()
