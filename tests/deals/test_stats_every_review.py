"""/stats/ counts every merger review (issue 20), checked on the demo against a count made here
by hand, in plain Python, from the Inquiry and Phase rows.

Before issue 20 the page counted the 24 of the demo's 37 merger reviews that had an opening
date, said "CMA 2022: 1 opened, 0% in-depth" beside "1 prohibited" (Activision's CMA review,
prohibited after its Phase 2) and counted a review whose state is not published as open.
"""

import csv
import html
import io
import re
from collections import Counter

import pytest

from deals import stats as figures
from deals.models import Inquiry
from deals.vocabulary import Stage

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("demo_world", "empty_cache"),
]

IN_DEPTH = {"phase_2", "remedies", "litigation"}


# --- The count by hand ---------------------------------------------------------------------


def merger_reviews() -> list[Inquiry]:
    """Every merger review an analyst may see, with its phases and events."""
    rows = (
        Inquiry.objects.filter(kind="merger_review")
        .select_related("regulator", "deal")
        .prefetch_related("phases", "events")
    )
    return [i for i in rows if i.deal is None or i.deal.is_published]


def year_of(inquiry: Inquiry) -> int | None:
    """Its first phase's start, else its opening date, else its first event; None: not dated."""
    starts = [phase.started_on for phase in inquiry.phases.all() if phase.started_on]
    if starts:
        return min(starts).year
    if inquiry.opened_on:
        return inquiry.opened_on.year
    events = [event.occurred_on for event in inquiry.events.all()]
    return min(events).year if events else None


def is_open(inquiry: Inquiry) -> bool:
    return (
        not inquiry.outcome
        and inquiry.superseded_by_id is None
        and not inquiry.ended_before_completion
        and inquiry.stage not in ("closed", "not_published")
    )


def not_published(inquiry: Inquiry) -> bool:
    return not inquiry.outcome and inquiry.stage == "not_published"


def in_depth(inquiry: Inquiry) -> bool:
    return any(phase.kind in IN_DEPTH for phase in inquiry.phases.all())


def by_hand(predicate=lambda inquiry: True) -> Counter:
    """(regulator, year or "not dated") -> how many merger reviews satisfy `predicate`."""
    counts = Counter()
    for inquiry in merger_reviews():
        year = year_of(inquiry)
        key = (inquiry.regulator.short_name, "not dated" if year is None else str(year))
        counts[key] += bool(predicate(inquiry))
    return counts


def left_out_phases() -> Counter:
    """The Phase 1 and Phase 2 phases the durations cannot use, by reason."""
    reasons = Counter()
    for inquiry in merger_reviews():
        for phase in inquiry.phases.all():
            if phase.kind not in ("phase_1", "phase_2"):
                reasons["no clock"] += 1
            elif not phase.ended_how:
                reasons["running"] += 1
            elif phase.ended_how == "before_completion":
                reasons["before completion"] += 1
            elif phase.started_on is None:
                reasons["no start"] += 1
            elif phase.ended_on is None:
                reasons["no end"] += 1
            else:
                reasons["counted"] += 1
    return reasons


# --- What the page and its CSVs say --------------------------------------------------------


def page(client, query: str = "") -> str:
    response = client.get(f"/stats/{query}")
    assert response.status_code == 200
    return response.content.decode()


def text_of(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def section(markup: str, name: str) -> str:
    start = markup.index(f'id="{name}-heading"')
    return markup[start : markup.index("</section>", start)]


def table_rows(markup: str, name: str) -> list[list[str]]:
    """The cells of one of the page's tables, row by row."""
    body = section(markup, name).split("<tbody>")[1].split("</tbody>")[0]
    return [
        [html.unescape(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def csv_table(client, table: str) -> list[dict]:
    response = client.get(f"/stats/{table}.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


# --- Tests ---------------------------------------------------------------------------------


def test_every_merger_review_is_counted_in_a_year_row_or_not_dated(client):
    markup = page(client)
    reviews = {(row[0], row[1]): int(row[2]) for row in table_rows(markup, "reviews")}
    hand = by_hand()
    assert reviews == dict(hand)
    total = len(merger_reviews())
    assert sum(reviews.values()) == total == 37
    lede = " ".join(text_of(markup).split())
    assert f"(not informal looks, market studies or conduct cases): {total} reviews" in lede
    assert any(year == "not dated" for _regulator, year in reviews)


def test_in_depth_reviews_per_year_are_those_with_a_stored_in_depth_phase(client):
    rows = {(row[0], row[1]): int(row[3]) for row in table_rows(page(client), "reviews")}
    assert rows == dict(by_hand(in_depth))
    csv_rows = {
        (r["regulator"], r["year"]): int(r["in_depth"]) for r in csv_table(client, "reviews")
    }
    assert csv_rows == rows


def test_activisions_cma_review_prohibited_after_its_phase_2_counts_as_in_depth(client):
    review = Inquiry.objects.get(
        regulator__short_name="CMA",
        deal__title="Microsoft / Activision Blizzard",
        outcome="prohibited",
    )
    assert figures.reviews({}).get(pk=review.pk).in_depth
    row = next(
        r for r in csv_table(client, "reviews") if (r["regulator"], r["year"]) == ("CMA", "2022")
    )
    prohibited = next(
        r for r in csv_table(client, "outcomes") if (r["regulator"], r["year"]) == ("CMA", "2022")
    )
    assert int(prohibited["prohibited"]) == 1
    assert int(row["in_depth"]) >= 1  # no longer "0% in-depth" beside "1 prohibited"
    assert int(row["in_depth"]) == by_hand(in_depth)[("CMA", "2022")]


def test_open_and_not_published_reviews_per_year_equal_the_count_by_hand(client):
    outcomes = csv_table(client, "outcomes")
    opened = {(r["regulator"], r["year"]): int(r["open"]) for r in outcomes}
    hidden = {(r["regulator"], r["year"]): int(r["state_not_published"]) for r in outcomes}
    assert opened == dict(by_hand(is_open))
    assert hidden == dict(by_hand(not_published))
    # The one definition of open agrees with the count by hand.
    assert sum(opened.values()) == figures.reviews({}).filter(pk__in=Inquiry.objects.open()).count()
    # Each row's columns add up to its reviews: nothing is dropped.
    reviews = {(r["regulator"], r["year"]): int(r["reviews"]) for r in csv_table(client, "reviews")}
    for row in outcomes:
        columns = [value for key, value in row.items() if key not in ("regulator", "year")]
        assert sum(map(int, columns)) == reviews[(row["regulator"], row["year"])], row


def test_broadcom_vmwares_ftc_review_is_never_counted_open(client):
    review = Inquiry.objects.get(regulator__short_name="FTC", deal__title="Broadcom / VMware")
    key = ("FTC", str(year_of(review)))
    counted = {(r["regulator"], r["year"]): r for r in csv_table(client, "outcomes")}[key]
    assert int(counted["open"]) == by_hand(is_open)[key] == 0
    # Were its state not published (as issue 20 found it), it would be shown as such, not open.
    review.stage, review.outcome, review.closed_on = Stage.NOT_PUBLISHED, "", None
    review.save()
    assert figures.aggregates_refresh()  # beat's refresh after a change (test_stats_aggregates.py)
    markup = page(client, "?jurisdiction=US")
    row = next(r for r in table_rows(markup, "outcomes") if (r[0], r[1]) == key)
    assert (row[7], row[8]) == ("0", "1")  # open, not published
    assert "1 review whose state is not published is not counted as open" in text_of(markup)


def test_the_left_out_notes_say_how_many_and_why(client):
    text = text_of(page(client))
    hand = by_hand()
    not_dated = sum(count for (_r, year), count in hand.items() if year == "not dated")
    assert not_dated == 1  # SAMR's Broadcom / VMware review: no date of any kind
    assert (
        "1 review not dated (no start, opening or event date known) is counted in 'not dated'"
        in text
    )
    phases = left_out_phases()
    unknown = phases["no start"] + phases["no end"]
    assert unknown > 0
    assert (
        f"{unknown} phases without a known start or end are left out of the durations "
        f"({phases['no start']} with no start known, {phases['no end']} with no end known)."
    ) in text
    assert f"{phases['running']} phase still running is left out." in text
    assert f"{phases['no clock']} litigation, remedies and pre-notification phases" in text
    durations = csv_table(client, "durations")
    assert sum(int(r["phases"]) for r in durations) == phases["counted"]
    assert sum(int(r["left_out_no_start"]) for r in durations) == phases["no start"]
    assert sum(int(r["left_out_running"]) for r in durations) == phases["running"]


def test_durations_are_read_from_the_stored_phases(client):
    durations = {(r["regulator"], r["phase"]): r for r in csv_table(client, "durations")}
    taken = sorted(
        (phase.ended_on - phase.started_on).days
        for inquiry in merger_reviews()
        if inquiry.regulator.short_name == "CMA"
        for phase in inquiry.phases.all()
        if phase.kind == "phase_2" and phase.started_on and phase.ended_on and phase.ended_how
    )
    cma_2 = durations[("CMA", "Phase 2")]
    assert int(cma_2["phases"]) == len(taken) == 3
    assert float(cma_2["median_days"]) == taken[1]
    # Getty Images / Shutterstock's Phase 2 ended in May 2026, a date known to the month.
    assert cma_2["month_precise_ends"] == "1"


def test_a_period_leaves_out_the_reviews_not_dated_and_says_so(client):
    text = text_of(page(client, "?from_year=2022&to_year=2023"))
    assert "1 review not dated is left out of every figure" in text
    counts = by_hand()
    in_period = sum(n for (_r, year), n in counts.items() if year in ("2022", "2023"))
    assert f"{in_period} reviews" in text


def test_the_figures_take_a_fixed_number_of_queries(django_assert_num_queries):
    with django_assert_num_queries(3):  # per regulator and year, the phases, the sectors
        figures.compute({})
