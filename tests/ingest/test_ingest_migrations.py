"""Ingest's data migrations: what ingest last wrote on conduct cases, carried into the status
vocabulary of version 2 (ingest 0005), the same whether it runs once or twice."""

import importlib

import pytest
from django.apps import apps

from deals.vocabulary import InquiryKind, Stage
from ingest.models import AppliedValues
from tests.factories import InquiryFactory, RegulatorFactory, cma

pytestmark = pytest.mark.django_db

carry_over = importlib.import_module("ingest.migrations.0005_status_v2_applied_values")


def applied(inquiry, **values) -> AppliedValues:
    return AppliedValues.objects.create(model="deals.inquiry", object_id=inquiry.pk, values=values)


def test_what_ingest_wrote_on_conduct_cases_is_mapped_once_however_often_it_runs():
    ec_case = InquiryFactory(regulator=RegulatorFactory(), kind=InquiryKind.CONDUCT)
    cma_case = InquiryFactory(regulator=cma(), kind=InquiryKind.CONDUCT)
    fined = InquiryFactory(regulator=cma(), kind=InquiryKind.CONDUCT)
    merger = InquiryFactory(kind=InquiryKind.MERGER_REVIEW)
    rows = [
        applied(ec_case, stage="phase_1", outcome="", title="A"),
        applied(cma_case, stage="phase_1"),
        applied(fined, stage="remedies", outcome="prohibited"),
        applied(merger, stage="phase_1", outcome="prohibited"),
    ]

    carry_over.forwards(apps, None)
    once = [AppliedValues.objects.get(pk=row.pk).values for row in rows]
    carry_over.forwards(apps, None)  # a database that ran the old deals 0009 runs it again
    twice = [AppliedValues.objects.get(pk=row.pk).values for row in rows]

    assert once == [
        {"stage": "not_published", "outcome": "", "title": "A"},
        {"stage": Stage.INVESTIGATION, "outcome": ""},
        {"stage": "commitments", "outcome": "infringement"},
        {"stage": "phase_1", "outcome": "prohibited"},  # a merger review keeps its vocabulary
    ]
    assert twice == once


def test_deals_migrations_depend_on_no_app_above_deals():
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    above = {"ingest", "subscriptions", "api"}
    deals = [key for key in loader.disk_migrations if key[0] == "deals"]
    assert len(deals) > 10
    assert [
        (key, dependency)
        for key in deals
        for dependency in loader.disk_migrations[key].dependencies
        if dependency[0] in above
    ] == []
    ingest = loader.disk_migrations[("ingest", "0005_status_v2_applied_values")]
    assert ("deals", "0009_status_v2_carry_over") in ingest.dependencies  # the control


moved = importlib.import_module("ingest.migrations.0007_ec_merger_records_to_ec_mergers")


def test_merger_cases_the_ec_source_stored_are_found_by_ec_mergers_and_not_stored_twice(tmp_path):
    from deals.models import Event, Inquiry
    from ingest.models import RawRecord
    from ingest.pipeline import ingest_run
    from tests import FIXTURE_DIR

    excerpt = (FIXTURE_DIR / "ec_mergers" / "case-data-M_excerpt6.json").read_bytes()
    antitrust = (FIXTURE_DIR / "ec" / "case-data-AT_excerpt5.json").read_bytes()
    ingest_run(source="ec-mergers", documents=[excerpt], trigger="file")
    # As the `ec` source stored them before the merger register was its own source.
    RawRecord.objects.filter(source="ec-mergers").update(source="ec", content_hash="old")
    ingest_run(source="ec", documents=[antitrust], trigger="file")
    inquiries, events = Inquiry.objects.count(), Event.objects.count()

    moved.forwards(apps, None)
    run = ingest_run(source="ec-mergers", documents=[excerpt], trigger="file")

    assert set(RawRecord.objects.values_list("source", flat=True)) == {"ec", "ec-mergers"}
    assert RawRecord.objects.filter(source="ec").count() == 5  # the antitrust cases stay
    assert (run.new, run.changed, run.unchanged) == (0, 6, 0)  # applied once more, not anew
    assert (Inquiry.objects.count(), Event.objects.count()) == (inquiries, events)
