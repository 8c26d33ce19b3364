"""/stats/: counts, rates, outcomes, durations and sectors, checked against known data."""

import csv
import datetime
import io

import pytest

from deals import stats as figures
from deals.vocabulary import EventKind, InquiryKind, Outcome, Stage
from tests import FIXTURE_DIR
from tests.factories import DealFactory, EventFactory, InquiryFactory, RegulatorFactory, cma, ftc

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]
D = datetime.date


def review(
    regulator,
    opened,
    *,
    sector="Software",
    outcome="",
    phase_2_on=None,
    closed=None,
    start_kind=EventKind.NOTIFIED,
    **extra,
):
    deal = DealFactory(sector=sector)
    stage = Stage.CLOSED if outcome else extra.pop("stage", Stage.PHASE_1)
    inquiry = InquiryFactory(
        deal=deal,
        regulator=regulator,
        opened_on=opened,
        outcome=outcome,
        stage=stage,
        closed_on=closed,
        **extra,
    )
    EventFactory(deal=None, inquiry=inquiry, kind=start_kind, occurred_on=opened)
    if phase_2_on:
        EventFactory(
            deal=None, inquiry=inquiry, kind=EventKind.PHASE_2_OPENED, occurred_on=phase_2_on
        )
    if closed:
        EventFactory(deal=None, inquiry=inquiry, kind=EventKind.DECISION, occurred_on=closed)
    return inquiry


@pytest.fixture
def known():
    """Five EC reviews and three CMA reviews whose figures are worked out by hand."""
    ec, uk = RegulatorFactory(), cma()
    # EC 2023: Phase I decisions after 35 and 45 days; one Phase II prohibited.
    review(ec, D(2023, 1, 10), outcome=Outcome.CLEARED, closed=D(2023, 2, 14))
    review(
        ec,
        D(2023, 3, 1),
        outcome=Outcome.CLEARED_WITH_REMEDIES,
        closed=D(2023, 4, 15),
        sector="Semiconductors",
    )
    review(
        ec,
        D(2023, 5, 2),
        outcome=Outcome.PROHIBITED,
        phase_2_on=D(2023, 6, 6),
        closed=D(2023, 12, 1),
        sector="Semiconductors",
    )
    # EC 2024: one abandoned in Phase II, one open in Phase I.
    review(
        ec, D(2024, 2, 1), outcome=Outcome.ABANDONED, phase_2_on=D(2024, 3, 7), closed=D(2024, 6, 1)
    )
    review(ec, D(2024, 9, 2))
    # CMA 2024: cleared at Phase 1 (44 days), found not to qualify, and one open in Phase 2.
    review(
        uk,
        D(2024, 7, 16),
        outcome=Outcome.CLEARED,
        closed=D(2024, 8, 29),
        start_kind=EventKind.PHASE_1_OPENED,
        sector="Artificial intelligence",
    )
    review(
        uk,
        D(2024, 8, 8),
        outcome=Outcome.NOT_QUALIFYING,
        closed=D(2024, 9, 27),
        start_kind=EventKind.PHASE_1_OPENED,
        sector="Artificial intelligence",
    )
    review(
        uk,
        D(2024, 10, 1),
        phase_2_on=D(2024, 11, 15),
        stage=Stage.PHASE_2,
        start_kind=EventKind.PHASE_1_OPENED,
        sector="Artificial intelligence",
    )
    # Not counted: an informal look, a conduct case, an unpublished deal.
    InquiryFactory(regulator=ec, kind=InquiryKind.INFORMAL_REVIEW, opened_on=D(2023, 1, 1))
    InquiryFactory(
        regulator=ec, kind=InquiryKind.CONDUCT, stage=Stage.INVESTIGATION, opened_on=D(2023, 1, 1)
    )
    InquiryFactory(regulator=ec, deal=DealFactory(is_published=False), opened_on=D(2023, 1, 1))


def computed(**data):
    form = figures.StatsForm(data)
    assert form.is_valid(), form.errors
    return figures.compute(form.cleaned_data)


def test_reviews_opened_and_the_in_depth_rate_per_regulator_and_year(known):
    rows = {
        (r.regulator, r.year): (r.reviews, r.in_depth, round(r.in_depth_rate))
        for r in computed().years
    }
    assert rows == {("CMA", 2024): (3, 1, 33), ("EC", 2023): (3, 1, 33), ("EC", 2024): (2, 1, 50)}


def test_outcomes_per_regulator_and_year(known):
    rows = {(r.regulator, r.year): (r.outcomes, r.open) for r in computed().years}
    none = dict.fromkeys(["cleared", "remedies", "prohibited", "abandoned", "other"], 0)
    assert rows[("EC", 2023)] == ({**none, "cleared": 1, "remedies": 1, "prohibited": 1}, 0)
    assert rows[("EC", 2024)] == ({**none, "abandoned": 1}, 1)
    assert rows[("CMA", 2024)] == ({**none, "cleared": 1, "other": 1}, 1)


def test_median_and_90th_percentile_duration_of_each_phase_beside_the_statutory_length(known):
    rows = {(r.regulator, r.phase): r for r in computed().durations}
    # EC Phase I ended after 35, 45, 35 (to Phase II) and 35 days (to Phase II).
    ec_1 = rows[("EC", "Phase I")]
    assert (ec_1.count, ec_1.median, ec_1.p90) == (4, 35, 42)
    assert ec_1.statutory == "25 working days"
    # EC Phase II: 178 days (6 Jun to 1 Dec 2023) and 86 days (7 Mar to 1 Jun 2024).
    ec_2 = rows[("EC", "Phase II")]
    assert (ec_2.count, ec_2.median, ec_2.p90) == (2, 132, 168.8)
    # CMA Phase 1: 44, 50 and 45 days (to Phase 2); statutory 40 working days from each start.
    uk_1 = rows[("CMA", "Phase 1")]
    assert (uk_1.count, uk_1.median, uk_1.p90) == (3, 45, pytest.approx(49))
    assert uk_1.statutory_median == 57  # 16 Jul -> 11 Sep 2024, the CMA's published deadline
    # Still running: no duration yet, and the row says it was left out.
    uk_2 = rows[("CMA", "Phase 2")]
    assert (uk_2.count, uk_2.median, uk_2.running, uk_2.left_out) == (0, None, 1, 1)


def test_sectors_with_most_interventions(known):
    sectors = [
        (s.sector, s.reviews, s.interventions, s.by_regulator_text) for s in computed().sectors
    ]
    assert sectors == [
        ("Semiconductors", 2, 2, "EC 2"),
        ("Artificial intelligence", 3, 1, "CMA 1"),
        ("Software", 3, 1, "EC 1"),
    ]


def test_filters_by_jurisdiction_sector_and_period(known):
    assert {(r.regulator, r.year) for r in computed(jurisdiction="GB").years} == {("CMA", 2024)}
    assert computed(sector="Semiconductors").total == 2
    assert {r.year for r in computed(from_year=2024, to_year=2024).years} == {2024}


def test_percentiles_interpolate_as_percentile_cont_does():
    assert figures.percentile([], 0.5) is None
    assert figures.percentile([10], 0.9) == 10
    assert figures.percentile([1, 2, 3, 4], 0.5) == 2.5
    assert figures.percentile([35, 45, 35, 35], 0.9) == 42


def test_the_page_shows_each_chart_with_its_table_and_csv_link(client, known):
    response = client.get("/stats/")
    assert response.status_code == 200
    html = response.text
    for table in figures.CSV_TABLES:
        assert f"/stats/{table}.csv" in html
    assert html.count('class="bar-chart"') == 4
    assert "EC 2023" in html and "Semiconductors" in html


def test_a_csv_has_the_same_numbers_and_filters(client, known):
    response = client.get("/stats/reviews.csv?jurisdiction=EU")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["regulator", "year", "reviews", "in_depth", "in_depth_rate_percent"],
        ["EC", "2023", "3", "1", "33.3"],
        ["EC", "2024", "2", "1", "50.0"],
    ]


def test_figures_are_cached_for_the_same_filters(client, known, django_assert_max_num_queries):
    client.get("/stats/")
    DealFactory(sector="Later")  # a change is seen after the cache times out, not before
    with django_assert_max_num_queries(4):  # the form's choices; the figures from the cache
        client.get("/stats/")


@pytest.mark.parametrize(
    "query",
    [
        "from_year=abc",
        "from_year=1200",
        "to_year=99999",
        "from_year=2025&to_year=2020",
        "jurisdiction=XX",
        "sector=Nope",
    ],
)
def test_bad_filters_are_form_errors_and_bad_csv_requests_are_4xx(client, query):
    response = client.get(f"/stats/?{query}")
    assert response.status_code == 200 and "Some filters could not be used" in response.text
    assert client.get(f"/stats/reviews.csv?{query}").status_code == 400
    assert client.get("/stats/nothing.csv").status_code == 404


def test_the_figures_are_right_on_the_ingested_fixtures():

    from django.core.management import call_command

    fixtures = FIXTURE_DIR
    for source, name in [
        ("cma", "cma/publishing-api_cma-cases.json"),
        ("cma", "cma/publishing-api_cma-cases-with-change-history.json"),
        ("accc", "accc/matter_MN-75002_2026-01-20.html"),
        ("accc", "accc/matter_MN-01016.html"),
        ("ec", "ec/case-data-AT_excerpt5.json"),  # conduct cases: not merger reviews
    ]:
        call_command(
            "ingest",
            source,
            "--from-file",
            str(fixtures / name),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )

    result = computed()
    assert {
        (r.regulator, r.year): (r.reviews, r.outcomes["cleared"], r.open) for r in result.years
    } == {
        ("ACCC", 2025): (1, 1, 0),  # Asahi: approved 5 September 2025
        ("ACCC", 2026): (1, 0, 1),  # Opal HealthCare: under assessment
        ("CMA", 2015): (1, 1, 0),  # Richemont / YOOX: Phase 1 clearance
        ("CMA", 2024): (1, 0, 1),  # Topps Tiles / CTD: open
    }
    durations = {
        (r.regulator, r.phase): (r.count, r.median, r.statutory_median) for r in result.durations
    }
    assert durations == {
        ("ACCC", "Phase 1"): (1, 21, 42),  # 15 Aug -> 5 Sep 2025; 30 business days: 26 Sep
        ("CMA", "Phase 1"): (1, 41, 59),  # 10 Jul -> 20 Aug 2015; deadline 7 Sep 2015
    }


# --- Every review counts (issue 20) ------------------------------------------------------


def outcome_columns(row) -> int:
    return sum(row.outcomes.values()) + row.open + row.outcome_not_known


def test_a_review_is_dated_by_its_first_phase_else_its_opening_else_its_first_event():
    ec = RegulatorFactory()
    # Opened in December, notified in January: the phase's start places it.
    notified_in_january = review(ec, D(2024, 1, 8), outcome=Outcome.CLEARED, closed=D(2024, 2, 12))
    notified_in_january.opened_on = D(2023, 12, 20)
    notified_in_january.save()
    assert notified_in_january.phases.get().started_on == D(2024, 1, 8)
    review(ec, D(2023, 5, 2), outcome=Outcome.CLEARED, closed=D(2023, 6, 6))
    # No start known, no opening date: its first event (the decision) places it.
    undated_start = InquiryFactory(
        regulator=ec, opened_on=None, stage=Stage.CLOSED, outcome=Outcome.CLEARED
    )
    EventFactory(
        deal=None, inquiry=undated_start, kind=EventKind.DECISION, occurred_on=D(2022, 4, 1)
    )
    # Nothing dated at all: "not dated", a row of its own.
    InquiryFactory(regulator=ec, opened_on=None, stage=Stage.CLOSED, outcome=Outcome.ABANDONED)
    result = computed()
    assert [(r.year_label, r.reviews) for r in result.years] == [
        ("2022", 1),
        ("2023", 1),
        ("2024", 1),
        ("not dated", 1),
    ]
    assert result.total == 4 and result.not_dated == 1
    assert result.notes["reviews"] == [
        "1 review not dated (no start, opening or event date known) is counted in 'not dated'."
    ]
    # A period leaves the undated review out, and says so.
    period = computed(from_year=2023)
    assert [r.year_label for r in period.years] == ["2023", "2024"]
    assert period.notes["reviews"] == [
        "1 review not dated is left out of every figure: a period was chosen and its year is not "
        "known."
    ]


def test_in_depth_means_a_stored_phase_2_remedies_or_litigation_phase():
    ec, us = RegulatorFactory(), ftc()
    review(
        ec,
        D(2023, 5, 2),
        outcome=Outcome.PROHIBITED,
        phase_2_on=D(2023, 6, 6),
        closed=D(2023, 12, 1),
    )
    review(ec, D(2023, 7, 3), outcome=Outcome.CLEARED, closed=D(2023, 8, 7))
    sued = review(us, D(2023, 2, 1), outcome=Outcome.ABANDONED, closed=D(2023, 9, 1))
    EventFactory(deal=None, inquiry=sued, kind=EventKind.LAWSUIT, occurred_on=D(2023, 3, 1))
    rows = {(r.regulator, r.year): (r.reviews, r.in_depth) for r in computed().years}
    assert rows == {("EC", 2023): (2, 1), ("FTC", 2023): (1, 1)}


def test_reviews_not_published_ended_before_completion_or_without_outcome_are_not_open():
    ec = RegulatorFactory()
    review(ec, D(2025, 3, 3))  # open in Phase I
    review(ec, D(2025, 4, 1), stage=Stage.NOT_PUBLISHED)
    completed = review(ec, D(2025, 5, 2))
    completed.deal.completed_on = D(2025, 9, 1)
    completed.deal.save()
    completed.refresh_from_db()
    assert completed.ended_before_completion
    newer = review(ec, D(2025, 6, 2))
    older = review(ec, D(2025, 1, 6))
    older.superseded_by = newer
    older.save()
    (row,) = computed().years
    assert (row.reviews, row.open, row.not_published, row.before_completion, row.no_outcome) == (
        5,
        2,
        1,
        1,
        1,
    )
    assert outcome_columns(row) == row.reviews
    assert computed().notes["outcomes"] == [
        "1 review whose state is not published is not counted as open (column 'Not published').",
        "1 review that ended before the deal's completion (outcome not published in our data) is "
        "not counted as open (column 'Before completion').",
        "1 review superseded or closed with no outcome recorded is counted in 'No outcome'.",
    ]


def test_phases_left_out_of_the_durations_are_counted_with_their_reason():
    uk = cma()
    review(
        uk,
        D(2024, 7, 16),
        outcome=Outcome.CLEARED,
        closed=D(2024, 8, 29),
        start_kind=EventKind.PHASE_1_OPENED,
    )
    review(uk, D(2024, 9, 2), start_kind=EventKind.PHASE_1_OPENED)  # running
    # Decided, start not known (no opening date, no start event).
    undated = InquiryFactory(
        regulator=uk, opened_on=None, stage=Stage.CLOSED, outcome=Outcome.CLEARED
    )
    EventFactory(deal=None, inquiry=undated, kind=EventKind.DECISION, occurred_on=D(2024, 3, 1))
    result = computed()
    (row,) = result.durations
    assert (row.count, row.running, row.no_start, row.left_out) == (1, 1, 1, 2)
    assert result.notes["durations"] == [
        "1 phase without a known start or end is left out of the durations (1 with no start "
        "known, 0 with no end known).",
        "1 phase still running is left out.",
    ]
    rows = csv_of(result, "durations")
    assert rows[1][3] == "1" and rows[1][9:12] == ["1", "0", "1"]


def csv_of(result, table):
    return [[str(cell) for cell in row] for row in figures.csv_rows(result, table)]


def test_the_figures_take_three_queries_whatever_the_data(known, django_assert_num_queries):
    with django_assert_num_queries(3):  # per regulator and year, the phases, the sectors
        figures.compute({})
    with django_assert_num_queries(3):
        figures.compute({"from_year": 2024, "jurisdiction": "EU", "sector": "Software"})
