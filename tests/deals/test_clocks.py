"""Statutory clocks: computed deadlines against the ones the regulators published.

Real published deadlines come from the ingested fixtures (tests/fixtures: the CMA's case pages
print a "Deadline for phase 1 decision", the ACCC's register an "End of determination period")
and from DEMO_FACTS.md (the CMA's and the Commission's announced deadlines)."""

import datetime
import io

import pytest
from django.core.management import call_command

from deals import clocks, phases
from deals.eu_holidays import EU_INSTITUTION_HOLIDAYS
from deals.models import ClockStop, Inquiry, Phase
from deals.vocabulary import EventKind
from ingest.sources import cma as cma_source
from tests import FIXTURE_DIR
from tests.factories import EventFactory, InquiryFactory, RegulatorFactory, cma

FIXTURES = FIXTURE_DIR
D = datetime.date


def ingest(*args) -> None:
    call_command("ingest", *args, stdout=io.StringIO(), stderr=io.StringIO())


def phases_of(facts: clocks.ClockFacts) -> list[phases.DerivedPhase]:
    """The phases deals/phases.py derives (the one place) for an open review with these facts."""
    return phases.derive(
        phases.PhaseFacts(
            regulator=facts.regulator,
            kind="merger_review",
            stage="phase_2" if any(k == "phase_2_opened" for k, _ in facts.events) else "phase_1",
            opened_on=facts.opened_on,
            events=tuple(phases.EventFact(kind, day) for kind, day in facts.events),
            stops=facts.stops,
            extended_by=facts.extended_by,
            cash_tender_offer=facts.cash_tender_offer,
        )
    ).phases


def deadlines(regulator: str, *events, **facts) -> list[tuple[str, datetime.date | None]]:
    clock_facts = clocks.ClockFacts(regulator=regulator, events=tuple(events), **facts)
    return [(phase.label, phase.deadline_on) for phase in phases_of(clock_facts)]


# --- The published deadlines of the fixtures and DEMO_FACTS --------------------------------


@pytest.mark.django_db
def test_the_cma_phase_1_deadline_of_an_open_fixture_case_is_the_one_the_cma_published():
    ingest(
        "cma",
        "--from-file",
        str(FIXTURES / "cma/publishing-api_cma-cases-with-change-history.json"),
    )
    case = Inquiry.objects.get(regulator__slug="cma")

    # Topps Tiles / CTD Tiles: launched 18 December 2024 over Christmas and New Year.
    assert case.deadline_on == D(2025, 2, 17)  # as the case page publishes it
    [phase_1] = case.phases.all()
    assert phase_1.started_on == D(2024, 12, 18)
    assert phase_1.computed_deadline_on == D(2025, 2, 17)  # the rule gives the published day


@pytest.mark.django_db
def test_the_cma_phase_1_deadline_of_a_closed_fixture_case_is_the_one_the_cma_published():
    path = FIXTURES / "cma/publishing-api_cma-cases.json"
    ingest("cma", "--from-file", str(path))
    case = Inquiry.objects.get(regulator__slug="cma")
    published = cma_source.statutory_deadline(
        cma_source.load_json(path.read_bytes())["details"]["body"]
    )

    # Richemont / YOOX Net-a-Porter: launched 10 July 2015, over the August bank holiday.
    assert published == D(2015, 9, 7)
    assert case.phases.all()[0].computed_deadline_on == published


@pytest.mark.parametrize(
    ("case", "launched", "published"),
    [
        ("Microsoft / Inflection AI", D(2024, 7, 16), D(2024, 9, 11)),
        ("Microsoft / Activision Blizzard", D(2022, 7, 6), D(2022, 9, 1)),
        ("HPE / Juniper Networks", D(2024, 6, 19), D(2024, 8, 14)),
        ("Amazon / Anthropic", D(2024, 8, 8), D(2024, 10, 4)),
    ],
)
def test_cma_phase_1_deadlines_match_the_published_ones_of_demo_facts(case, launched, published):
    assert deadlines("cma", ("phase_1_opened", launched)) == [("Phase 1", published)]


def test_a_cma_phase_2_runs_24_weeks_beginning_with_the_reference():
    # Getty Images / Shutterstock: to Phase 2 on 3 November 2025, statutory deadline 19 April.
    assert deadlines("cma", ("phase_2_opened", D(2025, 11, 3))) == [("Phase 2", D(2026, 4, 19))]


@pytest.mark.django_db
def test_the_accc_phase_1_deadline_of_the_fixture_matter_is_the_one_the_accc_published():
    ingest("accc", "--from-file", str(FIXTURES / "accc/matter_MN-75002_2026-01-20.html"))
    matter = Inquiry.objects.get(reference="MN-75002")

    # Notified 19 January 2026; 30 business days, Australia Day (26 January) not counted.
    assert matter.deadline_on == D(2026, 3, 3)  # "End of determination period"
    assert [(p.started_on, p.computed_deadline_on) for p in matter.phases.all()] == [
        (D(2026, 1, 19), D(2026, 3, 3))
    ]


def test_the_ec_phase_ii_deadline_of_mars_kellanova_is_the_one_the_commission_published():
    # Notified 16 May 2025, Phase II opened 25 June 2025 "until 31 October 2025": 90 working
    # days that skip the Commission's 21 July and 15 August holidays.
    assert deadlines("ec", ("notified", D(2025, 5, 16)), ("phase_2_opened", D(2025, 6, 25))) == [
        ("Phase I", D(2025, 6, 25)),
        ("Phase II", D(2025, 10, 31)),
    ]


@pytest.mark.parametrize(
    ("case", "notified", "last_day"),
    [
        # The Commission opens Phase II, or clears, on the last day of Phase I.
        ("Adobe / Figma (21 July holiday)", D(2023, 6, 30), D(2023, 8, 7)),
        ("Amazon / iRobot", D(2023, 6, 1), D(2023, 7, 6)),
        ("Broadcom / VMware", D(2022, 11, 15), D(2022, 12, 20)),
        ("NVIDIA / Run:ai", D(2024, 11, 15), D(2024, 12, 20)),
        ("Mars / Kellanova (Ascension, Whit Monday)", D(2025, 5, 16), D(2025, 6, 25)),
    ],
)
def test_ec_phase_i_ends_on_the_day_the_commission_decided(case, notified, last_day):
    assert deadlines("ec", ("notified", notified))[0] == ("Phase I", last_day)


def test_commitments_make_ec_phase_i_35_working_days():
    # NVIDIA / Arm: notified 8 September 2021, commitments offered, Phase II opened 27 October.
    offered = ("remedies_offered", D(2021, 10, 1))
    assert deadlines("ec", ("notified", D(2021, 9, 8)), offered) == [("Phase I", D(2021, 10, 27))]


@pytest.mark.xfail(
    strict=True,
    reason="The Commission announced 15 March 2022; the 2021-22 holidays in deals/eu_holidays.py "
    "are the standing pattern (no Official Journal copy found) and give 14 March, so that list "
    "probably lacks one holiday between 28 October 2021 and 14 March 2022.",
)
def test_the_ec_phase_ii_deadline_of_nvidia_arm_is_the_one_the_commission_announced():
    assert deadlines("ec", ("notified", D(2021, 9, 8)), ("phase_2_opened", D(2021, 10, 27)))[1] == (
        "Phase II",
        D(2022, 3, 15),
    )


def test_an_hsr_waiting_period_ending_on_a_sunday_runs_to_monday():
    # Getty Images / Shutterstock filed 28 February 2025: day 30 is Sunday 30 March.
    assert deadlines("doj", ("notified", D(2025, 2, 28))) == [
        ("HSR waiting period", D(2025, 3, 31))
    ]


def test_a_cash_tender_offer_waits_15_days_and_a_federal_holiday_is_skipped():
    # Filed 20 June 2025: day 15 is Saturday 5 July, after Independence Day; next business day.
    filed = ("notified", D(2025, 6, 20))
    assert deadlines("ftc", filed, cash_tender_offer=True) == [
        ("HSR waiting period", D(2025, 7, 7))
    ]


def test_a_second_request_runs_30_days_from_compliance_and_is_unknown_before_it():
    filed, request = ("notified", D(2025, 2, 28)), ("phase_2_opened", D(2025, 4, 2))
    waiting = clocks.ClockFacts(regulator="doj", events=(filed, request))
    second = phases_of(waiting)[1]
    assert (second.deadline_on, second.stopped_since) == (None, D(2025, 4, 2))

    complied = clocks.ClockFacts(
        regulator="doj", events=(filed, request), stops=((D(2025, 4, 2), D(2025, 9, 1)),)
    )
    assert phases_of(complied)[1].deadline_on == D(2025, 10, 1)


# --- Stops, extensions, calendars ----------------------------------------------------------


def test_a_stopped_clock_pushes_the_deadline_back_by_the_working_days_lost():
    events = (("notified", D(2025, 5, 16)), ("phase_2_opened", D(2025, 6, 25)))
    stopped = clocks.ClockFacts(
        regulator="ec", events=events, stops=((D(2025, 9, 1), D(2025, 9, 15)),)
    )
    phase_2 = phases_of(stopped)[1]
    # Ten working days stood still (1 to 12 September): 31 October becomes 14 November.
    assert phase_2.deadline_on == D(2025, 11, 14)

    still_stopped = clocks.ClockFacts(regulator="ec", events=events, stops=((D(2025, 9, 1), None),))
    phase_2 = phases_of(still_stopped)[1]
    assert (phase_2.deadline_on, phase_2.stopped_since) == (None, D(2025, 9, 1))


def test_an_extension_counts_in_the_latest_phase_in_its_rules_unit():
    facts = clocks.ClockFacts(
        regulator="cma", events=(("phase_2_opened", D(2025, 11, 3)),), extended_by=8
    )
    assert phases_of(facts)[0].deadline_on == D(2026, 6, 14)  # 24 + 8 weeks


def test_late_commitments_add_15_working_days_to_ec_phase_ii_but_early_ones_do_not():
    events = (("notified", D(2025, 5, 16)), ("phase_2_opened", D(2025, 6, 25)))
    early = events + (("remedies_offered", D(2025, 7, 10)),)
    late = events + (("remedies_offered", D(2025, 9, 30)),)
    assert deadlines("ec", *early)[1] == ("Phase II", D(2025, 10, 31))
    assert deadlines("ec", *late)[1] == ("Phase II", D(2025, 11, 21))  # 105 working days


def test_the_commissions_holidays_are_kept_for_2020_to_2027_with_their_source():
    assert sorted(EU_INSTITUTION_HOLIDAYS) == list(range(2020, 2028))
    for year, (source, checked, days) in EU_INSTITUTION_HOLIDAYS.items():
        assert source.startswith("https://") and checked
        assert all(datetime.date(year, int(d[:2]), int(d[3:])).weekday() < 5 for d in days)
    eu = clocks.CALENDARS["eu"]
    assert not eu.is_working_day(D(2025, 7, 21)) and not eu.is_working_day(D(2023, 12, 27))
    assert eu.is_working_day(D(2025, 11, 11))  # Armistice Day is Belgian, not the Commission's
    assert not eu.is_working_day(D(2028, 7, 21))  # past the table: the standing list


def test_national_calendars_come_from_the_holidays_library():
    assert not clocks.CALENDARS["gb-eng"].is_working_day(D(2024, 8, 26))  # summer bank holiday
    assert clocks.CALENDARS["gb-eng"].is_working_day(D(2024, 8, 5))  # Scotland's, not England's
    assert not clocks.CALENDARS["us"].is_working_day(D(2025, 7, 4))
    assert not clocks.CALENDARS["au-act"].is_working_day(D(2026, 1, 26))


# --- On the model --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_published_deadline_wins_over_the_computed_one_and_says_so():
    inquiry = InquiryFactory(regulator=cma(), opened_on=D(2024, 7, 16), deadline_on=None)
    EventFactory(
        deal=None, inquiry=inquiry, kind=EventKind.PHASE_1_OPENED, occurred_on=D(2024, 7, 16)
    )
    inquiry = Inquiry.objects.get(pk=inquiry.pk)
    assert (inquiry.deadline.on, inquiry.deadline.source) == (D(2024, 9, 11), "computed")

    inquiry.deadline_on = D(2024, 9, 13)
    inquiry.save()
    inquiry = Inquiry.objects.get(pk=inquiry.pk)
    assert (inquiry.deadline.on, inquiry.deadline.source) == (D(2024, 9, 13), "published")


@pytest.mark.django_db
def test_an_editors_clock_stop_moves_the_computed_deadline():
    inquiry = InquiryFactory(regulator=RegulatorFactory(), opened_on=D(2025, 5, 16))
    EventFactory(
        deal=None, inquiry=inquiry, kind=EventKind.PHASE_2_OPENED, occurred_on=D(2025, 6, 25)
    )
    ClockStop.objects.create(inquiry=inquiry, stopped_on=D(2025, 9, 1), restarted_on=D(2025, 9, 15))
    inquiry = Inquiry.objects.get(pk=inquiry.pk)
    assert inquiry.deadline.on == D(2025, 11, 14)
    assert inquiry.deadline.working_days_left(D(2025, 11, 12)) == 2


def test_an_inquiry_recorded_from_its_phase_2_opening_has_no_phase_1():
    # Microsoft / Activision at the EC: the inquiry opens with Phase II, no notification known.
    facts = clocks.ClockFacts(
        regulator="ec", opened_on=D(2022, 11, 8), events=(("phase_2_opened", D(2022, 11, 8)),)
    )
    assert [phase.label for phase in phases_of(facts)] == ["Phase II"]


# Published deadlines of the demo data that the clocks cannot reproduce yet, and why.
DEMO_EXCEPTIONS = {
    ("ec", "NVIDIA / Arm"): "the 2021-22 Commission holidays (see the xfail above)",
    ("cma", "Adobe / Figma"): "Phase 2 extended to 25 Feb 2024: the extension is not in the data",
    ("ec", "Google / Wiz"): "the notification was reported on 8 Jan 2026; the day it was made "
    "(two working days earlier, by the published deadline) is not sourced",
    ("ec", "Mars / Kellanova"): "the clock stop that moved Phase II to 19 Dec 2025 restarted on "
    "15 Sep 2025; when it stopped is not sourced, so it is not in the data",
}


# ... and single phases of them.
DEMO_PHASE_EXCEPTIONS = {
    ("cma", "Getty Images / Shutterstock", "phase_1"): "the published 20 Oct 2025 counts "
    "26 Aug 2025 (the first working day after the notice of 22 Aug) as day one; the data has "
    "26 Aug as the launch, from which the rule counts the next working day and gives 21 Oct",
}


@pytest.mark.django_db
def test_on_the_demo_data_every_computed_deadline_is_the_published_one():
    """Each stored phase with a published deadline and a day-precise start: the rule table
    gives the same day (the CMA's Phase 2 "24 weeks beginning with the reference date" too)."""
    call_command("load_demo", stdout=io.StringIO())
    compared = []
    phases = Phase.objects.filter(deadline_source="published", computed_deadline_on__isnull=False)
    for phase in phases.select_related("inquiry__regulator", "inquiry__deal"):
        inquiry = phase.inquiry
        key = (inquiry.regulator.slug, inquiry.deal.title if inquiry.deal else "")
        if key in DEMO_EXCEPTIONS or (*key, phase.kind) in DEMO_PHASE_EXCEPTIONS:
            continue
        assert phase.computed_deadline_on == phase.deadline_on, (key, phase.label)
        compared.append((*key, phase.kind))
    # The CMA's Inflection, Amazon / Anthropic, HPE and Activision Phase 1 deadlines, and
    # Getty's Phase 2 (reference 3 Nov 2025, 24 weeks: 19 Apr 2026) at least.
    assert ("cma", "Getty Images / Shutterstock", "phase_2") in compared
    assert ("cma", "Microsoft / Activision Blizzard", "phase_1") in compared
    assert len(compared) >= 5, compared
