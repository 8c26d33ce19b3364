"""A review's phases, derived in one place (deals/phases.py) and stored (issue 20)."""

import datetime

import pytest

from deals import phases
from deals.models import ClockStop, Inquiry, Phase
from deals.vocabulary import EventKind
from tests.factories import DealFactory, EventFactory, InquiryFactory, RegulatorFactory, cma

D = datetime.date
E = phases.EventFact


def derive(**values):
    values.setdefault("kind", "merger_review")
    return phases.derive(phases.PhaseFacts(**values))


def spans(derived):
    return [(p.kind, p.started_on, p.ended_on, p.ended_how, p.outcome) for p in derived.phases]


def test_the_cmas_activision_review_has_a_phase_1_a_gap_and_a_phase_2():
    derived = derive(
        regulator="cma",
        stage="closed",
        outcome="prohibited",
        opened_on=D(2022, 7, 6),
        closed_on=D(2023, 4, 26),
        events=(
            E("phase_1_opened", D(2022, 7, 6), deadline_on=D(2022, 9, 1), source_url="https://a/"),
            E("decision", D(2022, 9, 1)),
            E("phase_2_opened", D(2022, 9, 15)),
            E("decision", D(2023, 4, 26)),
        ),
    )
    assert spans(derived) == [
        ("phase_1", D(2022, 7, 6), D(2022, 9, 1), "next_phase", ""),
        ("phase_2", D(2022, 9, 15), D(2023, 4, 26), "decision", "prohibited"),
    ]
    phase_1, phase_2 = derived.phases
    assert (phase_1.deadline_on, phase_1.deadline_source) == (D(2022, 9, 1), "published")
    assert phase_1.deadline_source_url == "https://a/"
    # "24 weeks beginning with the reference date": Thursday 15 Sep 2022 -> Wednesday 1 Mar 2023.
    assert (phase_2.deadline_on, phase_2.deadline_source) == (D(2023, 3, 1), "computed")
    assert derived.next_deadline_on is None  # closed: no next deadline


def test_an_ec_review_that_went_to_phase_ii_starts_at_its_notification():
    derived = derive(
        regulator="ec",
        stage="closed",
        outcome="cleared_with_remedies",
        opened_on=D(2022, 11, 8),
        closed_on=D(2023, 5, 15),
        events=(E("notified", D(2022, 9, 30)), E("phase_2_opened", D(2022, 11, 8))),
    )
    assert [(p.label, p.started_on, p.ended_on) for p in derived.phases] == [
        ("Phase I", D(2022, 9, 30), D(2022, 11, 8)),
        ("Phase II", D(2022, 11, 8), D(2023, 5, 15)),
    ]


def test_an_invitation_to_comment_is_no_phase():
    # Microsoft / Mistral AI at the CMA: invited comments 24 Apr, found not to qualify 17 May.
    derived = derive(
        regulator="cma",
        stage="closed",
        outcome="not_qualifying",
        opened_on=D(2024, 4, 24),
        closed_on=D(2024, 5, 17),
        events=(E("comment_invited", D(2024, 4, 24)), E("decision", D(2024, 5, 17))),
    )
    [phase] = derived.phases
    assert phase.started_on is None and phase.deadline_on is None
    assert (phase.ended_on, phase.outcome) == (D(2024, 5, 17), "not_qualifying")
    # Control: with the formal launch recorded, Phase 1 starts there and has its clock.
    launched = derive(
        regulator="cma",
        stage="closed",
        outcome="not_qualifying",
        opened_on=D(2024, 4, 24),
        closed_on=D(2024, 5, 17),
        events=(
            E("comment_invited", D(2024, 4, 24)),
            E("phase_1_opened", D(2024, 5, 10)),
            E("decision", D(2024, 5, 17)),
        ),
    )
    assert launched.phases[0].started_on == D(2024, 5, 10)
    assert launched.phases[0].deadline_source == "computed"


def test_an_open_phase_gives_the_next_deadline_published_over_computed():
    computed = derive(
        regulator="cma", stage="phase_1", events=(E("phase_1_opened", D(2024, 7, 16)),)
    )
    assert (computed.next_deadline_on, computed.next_deadline_source) == (
        D(2024, 9, 11),
        "computed",
    )
    assert computed.next_deadline_phase == "Phase 1"
    published = derive(
        regulator="cma",
        stage="phase_1",
        published_deadline=D(2024, 9, 12),
        events=(E("phase_1_opened", D(2024, 7, 16)),),
    )
    assert (published.next_deadline_on, published.next_deadline_source) == (
        D(2024, 9, 12),
        "published",
    )


def test_a_stage_no_event_opened_is_a_phase_with_no_known_start_and_no_computed_deadline():
    derived = derive(regulator="cma", stage="phase_2", opened_on=D(2026, 6, 1))
    assert [(p.kind, p.started_on) for p in derived.phases] == [
        ("phase_1", D(2026, 6, 1)),
        ("phase_2", None),
    ]
    assert derived.next_deadline_on is None  # nothing to count from: no surface shows one
    with_deadline = derive(
        regulator="cma", stage="phase_2", opened_on=D(2026, 6, 1), published_deadline=D(2027, 1, 5)
    )
    assert with_deadline.next_deadline_on == D(2027, 1, 5)


def test_a_month_precise_notification_gives_no_made_up_computed_deadline():
    derived = derive(
        regulator="ec",
        stage="phase_1",
        published_deadline=D(2026, 7, 7),
        events=(E("notified", D(2026, 6, 30), precision="month"),),
    )
    [phase] = derived.phases
    assert phase.started_precision == "month" and phase.computed_deadline_on is None
    assert (phase.deadline_on, phase.deadline_source) == (D(2026, 7, 7), "published")


def test_a_review_open_at_a_completion_under_a_suspensory_regime_ended_before_it():
    facts = dict(
        stage="phase_1",
        events=(E("notified", D(2026, 1, 20)),),
        deal_completed_on=D(2026, 3, 11),
    )
    accc = derive(regulator="accc", **facts)
    assert accc.ended_before_completion and accc.next_deadline_on is None
    assert spans(accc) == [("phase_1", D(2026, 1, 20), D(2026, 3, 11), "before_completion", "")]
    # Controls: the CMA's regime is voluntary, the ACCC's was before 2026; no completion.
    assert not derive(regulator="cma", **facts).ended_before_completion
    early = {**facts, "events": (E("notified", D(2025, 8, 1)),), "deal_completed_on": D(2025, 9, 1)}
    assert not derive(regulator="accc", **early).ended_before_completion
    assert not derive(
        regulator="accc", stage="phase_1", events=facts["events"]
    ).ended_before_completion


def test_informal_looks_have_no_phases_and_only_a_published_deadline():
    derived = derive(
        kind="informal_review", regulator="ec", stage="informal", opened_on=D(2024, 2, 27)
    )
    assert derived.phases == [] and derived.next_deadline_on is None
    referral = derive(
        kind="referral", regulator="ec", stage="phase_1", published_deadline=D(2024, 9, 19)
    )
    assert referral.phases == [] and referral.next_deadline_on == D(2024, 9, 19)


@pytest.mark.django_db
def test_the_phases_are_stored_and_follow_every_input_on_save():
    inquiry = InquiryFactory(regulator=cma(), stage="phase_1", opened_on=None)
    assert not Phase.objects.filter(inquiry=inquiry).exists() or all(
        phase.started_on is None for phase in inquiry.phases.all()
    )
    event = EventFactory(
        deal=None, inquiry=inquiry, kind=EventKind.PHASE_1_OPENED, occurred_on=D(2024, 7, 16)
    )
    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert [(p.kind, p.started_on) for p in stored.phases.all()] == [("phase_1", D(2024, 7, 16))]
    assert (stored.next_deadline_on, stored.next_deadline_source) == (D(2024, 9, 11), "computed")
    # A clock stop moves the stored deadline; deleting it moves it back.
    stop = ClockStop.objects.create(
        inquiry=inquiry, stopped_on=D(2024, 8, 1), restarted_on=D(2024, 8, 8)
    )
    assert Inquiry.objects.get(pk=inquiry.pk).next_deadline_on == D(2024, 9, 18)
    stop.delete()
    assert Inquiry.objects.get(pk=inquiry.pk).next_deadline_on == D(2024, 9, 11)
    # The event deleted: no start, no deadline.
    event.delete()
    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert stored.next_deadline_on is None
    assert [p.started_on for p in stored.phases.all()] == [None]


@pytest.mark.django_db
def test_a_deals_completion_ends_its_open_suspensory_review_and_its_under_review_status():
    deal = DealFactory()
    ec = RegulatorFactory(slug="ec", short_name="EC", jurisdiction="EU")
    inquiry = InquiryFactory(deal=deal, regulator=ec, stage="phase_1", opened_on=D(2026, 1, 8))
    deal.refresh_from_db()
    assert deal.antitrust_status == "under_review"  # control
    deal.completed_on = D(2026, 3, 11)
    deal.save()
    deal.refresh_from_db()
    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert stored.ended_before_completion and not stored.is_open
    assert stored.state_text().startswith("Ended before completion (11 Mar 2026)")
    assert deal.antitrust_status != "under_review"
    assert not Inquiry.objects.open().filter(pk=inquiry.pk).exists()


def test_an_inquiry_opened_by_a_referral_decision_has_no_phase_1_from_that_day():
    # Illumina / GRAIL at the EC: opened by accepting the Art. 22 referral (19 Apr 2021), then
    # prohibited (6 Sep 2022) with no notification or Phase II opening in the data.
    derived = derive(
        regulator="ec",
        stage="closed",
        outcome="prohibited",
        opened_on=D(2021, 4, 19),
        closed_on=D(2022, 9, 6),
        events=(E("decision", D(2021, 4, 19)), E("decision", D(2022, 9, 6))),
    )
    assert spans(derived) == [("phase_2", None, D(2022, 9, 6), "decision", "prohibited")]
    # Control: opened without a decision that day, the opening date starts Phase 1.
    notified = derive(
        regulator="ec",
        stage="closed",
        outcome="cleared",
        opened_on=D(2021, 4, 19),
        closed_on=D(2021, 5, 20),
        events=(E("decision", D(2021, 5, 20)),),
    )
    assert spans(notified) == [("phase_1", D(2021, 4, 19), D(2021, 5, 20), "decision", "cleared")]
