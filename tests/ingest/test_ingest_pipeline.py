"""The pipeline's own rules: what a case record may say, and when a stored record is applied
again."""

import io
import json

import pytest
from django.core.management import call_command

from deals.models import Event, Inquiry
from deals.vocabulary import Outcome, Stage
from ingest.models import AppliedValues, IngestRun, RawRecord
from ingest.pipeline import Tally, record_ingest
from ingest.sources import SOURCES, ec
from ingest.sources.base import CaseRecord, InquiryRecord, content_hash
from tests import FIXTURE_DIR

pytestmark = pytest.mark.django_db

EXCERPT = FIXTURE_DIR / "ec" / "case-data-AT_excerpt5.json"


def ingest(*args) -> str:
    out = io.StringIO()
    call_command("ingest", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()[-1]


def case(**status) -> CaseRecord:
    fields = {"kind": "merger_review", "stage": "phase_1", "outcome": "", **status}
    return CaseRecord(
        external_id="X.1",
        raw={"case": "X.1", **fields},
        inquiry=InquiryRecord(regulator="ec", reference="X.1", title="A / B", **fields),
    )


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ({"stage": "open"}, "stage 'open' refused: Not a stage."),
        ({"kind": "cartel"}, "kind 'cartel' refused: Not a kind of inquiry."),
        (
            {"stage": "closed", "outcome": "blocked"},
            "outcome 'blocked' refused: Not an outcome.",
        ),
        (
            {"kind": "conduct", "stage": "closed", "outcome": "prohibited"},
            "outcome 'prohibited' refused: Prohibited is not an outcome of a conduct case.",
        ),
        (
            {"kind": "conduct", "stage": "phase_2"},
            "stage 'phase_2' refused: Phase 2 / in-depth is not a stage of a conduct case.",
        ),
        (
            {"kind": "merger_review", "stage": "closed", "outcome": "infringement"},
            "outcome 'infringement' refused: Infringement found is not an outcome of merger "
            "control.",
        ),
        (
            {"stage": "phase_1", "outcome": "cleared"},
            "stage 'phase_1' refused: An inquiry with an outcome is closed: choose the stage "
            "Closed.",
        ),
    ],
)
def test_a_case_whose_status_is_not_ours_is_skipped_with_the_value_named(status, reason):
    tally = Tally()

    record_ingest(source="ec", record=case(**status), tally=tally)

    assert (tally.skipped, tally.new, tally.errors) == (1, 0, 0)
    assert tally.problems == [{"id": "X.1", "reason": reason}]
    assert not RawRecord.objects.exists()
    assert not Inquiry.objects.exists()


def test_a_case_whose_status_is_ours_goes_in_beside_the_positive_control():
    tally = Tally()

    record_ingest(source="ec", record=case(kind="conduct", stage="investigation"), tally=tally)

    assert (tally.new, tally.skipped) == (1, 0)
    assert Inquiry.objects.get().stage == Stage.INVESTIGATION


def test_every_source_has_a_mapping_version():
    assert all(isinstance(module.MAPPING_VERSION, int) for module in SOURCES.values())


def test_a_new_mapping_version_applies_every_stored_record_once(monkeypatch):
    ingest("ec", "--from-file", str(EXCERPT))
    first_changed = dict(RawRecord.objects.values_list("external_id", "changed_at"))
    monkeypatch.setattr(ec, "MAPPING_VERSION", ec.MAPPING_VERSION + 1)

    again = ingest("ec", "--from-file", str(EXCERPT))
    then = ingest("ec", "--from-file", str(EXCERPT))

    assert again == "source=ec records=5 new=0 changed=5 unchanged=0 skipped=0 errors=0"
    assert then == "source=ec records=5 new=0 changed=0 unchanged=5 skipped=0 errors=0"
    # The content did not change, only the mapping: "changed" in the counts, not in the record.
    assert dict(RawRecord.objects.values_list("external_id", "changed_at")) == first_changed


def wrote(obj, **values) -> None:
    """Make `obj` hold `values` as if an older ingest had written them (and remembered so)."""
    type(obj).objects.filter(pk=obj.pk).update(**values)
    applied = AppliedValues.objects.get(model=obj._meta.label_lower, object_id=obj.pk)
    applied.values = {**applied.values, **values}
    applied.save()


def test_a_database_filled_by_the_old_tables_is_updated_where_ingest_wrote_and_not_elsewhere():
    # The database as the old tables and migration deals/0009 left it: records hashed without
    # a mapping version, an old event kind, an outcome of the old vocabulary that ingest wrote,
    # and an editor's own outcome (which the migration left as it was).
    ingest("ec", "--from-file", str(EXCERPT))
    for raw in RawRecord.objects.all():
        RawRecord.objects.filter(pk=raw.pk).update(content_hash=content_hash(raw.payload))
    amazon = Inquiry.objects.get(reference="AT.40153")
    wrote(amazon, outcome="cleared_with_remedies")
    opening = amazon.events.get(title="Initiation of Proceedings", occurred_on="2015-06-11")
    wrote(opening, kind="phase_2_opened")
    heat = Inquiry.objects.get(reference="AT.38589")
    heat.outcome = Outcome.SETTLED  # an editor's reading of the case
    heat.save()
    applied = AppliedValues.objects.get(model="deals.inquiry", object_id=heat.pk)
    assert applied.values["outcome"] == "infringement"  # what ingest wrote is still on record

    line = ingest("ec", "--from-file", str(EXCERPT))

    assert line == "source=ec records=5 new=0 changed=5 unchanged=0 skipped=0 errors=0"
    amazon.refresh_from_db()
    assert (amazon.stage, amazon.outcome) == (Stage.CLOSED, Outcome.COMMITMENTS)
    assert Event.objects.get(pk=opening.pk).kind == "proceedings_opened"
    heat.refresh_from_db()
    assert heat.outcome == Outcome.SETTLED
    record = RawRecord.objects.get(source="ec", external_id="AT.38589")
    assert record.conflicts["inquiry.outcome"] == {"here": "settled", "source": "infringement"}
    assert ingest("ec", "--from-file", str(EXCERPT)).endswith(
        "changed=0 unchanged=5 skipped=0 errors=0"
    )
    assert IngestRun.objects.count() == 3


def test_an_editors_stage_is_never_left_beside_a_sources_new_outcome(tmp_path):
    # An editor reads the Statement of Objections in the news and moves the case on; then the
    # Commission's commitments decision arrives in the dump.
    dump = json.loads(EXCERPT.read_bytes())
    decisions = dump["AT.40153"]["decisions"]
    closing = next(d for d in decisions if "Commitment" in d["metadata"]["decisionTypes"][0])
    decisions.remove(closing)
    before = tmp_path / "before.json"
    before.write_text(json.dumps(dump))
    ingest("ec", "--from-file", str(before))
    amazon = Inquiry.objects.get(reference="AT.40153")
    assert (amazon.stage, amazon.outcome) == (Stage.INVESTIGATION, "")
    amazon.stage = Stage.OBJECTIONS
    amazon.save()

    ingest("ec", "--from-file", str(EXCERPT))

    amazon.refresh_from_db()
    assert (amazon.stage, amazon.outcome, amazon.closed_on) == (Stage.OBJECTIONS, "", None)
    assert amazon.status_wording == "Commitment Decision"  # not a status field: updated
    conflicts = RawRecord.objects.get(external_id="AT.40153").conflicts
    assert conflicts["inquiry.stage"] == {"here": "objections", "source": "closed"}
    assert conflicts["inquiry.outcome"] == {"here": "", "source": "commitments"}

    amazon.stage = Stage.CLOSED  # the editor agrees with the source after all
    amazon.outcome, amazon.closed_on = Outcome.COMMITMENTS, amazon.events.last().occurred_on
    amazon.save()
    dump["AT.40153"]["metadata"]["caseTitle"] = ["E-book MFNs (Amazon)"]
    dump["AT.40153"]["decisions"].append(closing)
    after = tmp_path / "after.json"
    after.write_text(json.dumps(dump))
    ingest("ec", "--from-file", str(after))

    conflicts = RawRecord.objects.get(external_id="AT.40153").conflicts
    assert not {"inquiry.stage", "inquiry.outcome", "inquiry.closed_on"} & set(conflicts)
