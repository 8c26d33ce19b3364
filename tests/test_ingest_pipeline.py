"""The pipeline's own rules: what a case record may say."""

import pytest

from deals.models import Inquiry, Stage
from ingest.models import RawRecord
from ingest.services import Tally, record_ingest
from ingest.sources.base import CaseRecord, InquiryRecord

pytestmark = pytest.mark.django_db


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
