"""/stats/ sums stored per-year rows (issue 22): the same figures, in the same words, as the
per-request computation, for every filter the form allows; rebuilt after a change; never a
figure older than the content for an editor, and an "as of" for everyone else."""

import dataclasses
import itertools
import random
import re

import pytest

from deals import stats as figures
from deals.models import Inquiry, ReviewYearAggregate
from deals.vocabulary import Stage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_world", "empty_cache")]

# Periods to compare: none, open at either end, one year, a span, reversed-free edges, and
# years with no review at all.
PERIODS = [
    (None, None),
    (2022, 2023),
    (2010, 2020),
    (2024, None),
    (None, 2019),
    (2023, 2023),
    (1990, 1995),
    (2026, 2100),
]


def valid(**data) -> dict:
    form = figures.StatsForm({key: value for key, value in data.items() if value})
    assert form.is_valid(), form.errors
    return form.cleaned_data


def choices(name: str) -> list[str]:
    return [value for value, _label in figures.StatsForm().fields[name].choices if value]


def stored() -> figures.Built:
    built = figures.aggregates_built()
    assert built is not None
    return built


def both_ways(data: dict, **kwargs) -> tuple[figures.Stats, figures.Stats]:
    """The figures summed from the stored rows (as of their build) and computed per request."""
    summed = figures.from_aggregates(data, stored(), **kwargs)
    assert summed.as_of == stored().at
    return dataclasses.replace(summed, as_of=None), figures.compute(data, **kwargs)


def test_the_demo_has_figures_to_compare():
    jurisdictions, sectors = choices("jurisdiction"), choices("sector")
    assert len(jurisdictions) >= 5 and len(sectors) >= 5
    summed, computed = both_ways(valid())
    assert summed.total == computed.total == 37
    assert computed.not_dated and computed.durations and computed.phases_without_clock
    assert any(row.median is not None for row in computed.durations)
    assert ReviewYearAggregate.objects.filter(year__isnull=True).exists()


def test_every_jurisdiction_sector_and_period_gives_the_same_figures_both_ways():
    compared = 0
    for jurisdiction, sector, (low, high) in itertools.product(
        ["", *choices("jurisdiction")], ["", *choices("sector")], PERIODS
    ):
        data = valid(jurisdiction=jurisdiction, sector=sector, from_year=low, to_year=high)
        summed, computed = both_ways(data)
        assert summed == computed, data
        assert summed.notes == computed.notes, data
        for table in figures.CSV_TABLES:
            assert figures.csv_rows(summed, table) == figures.csv_rows(computed, table), data
        compared += bool(computed.total)
    assert compared > 50  # most combinations count something: not only empty tables compared


def test_a_shorter_sectors_table_is_cut_the_same_way():
    summed, computed = both_ways(valid(), sector_limit=3)
    assert computed.more_sectors > 0
    assert summed == computed and summed.notes["sectors"] == computed.notes["sectors"]


def test_the_page_says_the_same_as_the_per_request_page_and_when_its_figures_are_from(
    client, settings
):
    for query in ["", "?from_year=2022&to_year=2023", "?jurisdiction=GB", "?sector=Software"]:
        settings.STATS_EVERY_MINUTES = 5
        summed = client.get(f"/stats/{query}").text
        settings.STATS_EVERY_MINUTES = 0  # stored rows off: every figure computed per request
        computed = client.get(f"/stats/{query}").text
        as_of = re.search(r'\s*<p class="muted" id="figures-as-of">.*?</p>', summed)
        assert as_of and "Figures as of" in as_of.group(0), query
        assert "brought up to date every 5 minutes after a change" in as_of.group(0)
        assert "figures-as-of" not in computed
        assert summed.replace(as_of.group(0), "") == computed, query


def test_summing_the_stored_rows_takes_two_queries(django_assert_num_queries):
    built, data = stored(), valid(from_year=2010, to_year=2020, jurisdiction="EU")
    with django_assert_num_queries(2):  # the filter's rows, the sectors' sums
        assert figures.from_aggregates(data, built).total


def test_a_percentile_from_a_histogram_is_the_percentile_of_the_values():
    generator = random.Random(22)
    for _ in range(500):
        values = [generator.randint(0, 400) for _ in range(generator.randint(1, 40))]
        histogram = {}
        for value in values:
            histogram[value] = histogram.get(value, 0) + 1
        for fraction in (0.5, 0.9, 0.1, 0.0, 1.0):
            assert figures.percentile_of(histogram, fraction) == figures.percentile(
                values, fraction
            )
    assert figures.percentile_of({}, 0.5) is None


# --- After a change ------------------------------------------------------------------------


def broadcom_ftc_review_not_published() -> Inquiry:
    review = Inquiry.objects.get(regulator__short_name="FTC", deal__title="Broadcom / VMware")
    review.stage, review.outcome, review.closed_on = Stage.NOT_PUBLISHED, "", None
    review.save()
    return review


def not_published_note(markup: str) -> bool:
    return "1 review whose state is not published is not counted as open" in markup


def test_beats_refresh_rebuilds_only_after_a_change():
    figures.aggregates_refresh()  # each test starts on a new content version (conftest)
    assert not figures.aggregates_refresh()
    before = stored()
    broadcom_ftc_review_not_published()
    assert figures.aggregates_refresh()
    assert stored().at > before.at
    assert not figures.aggregates_refresh()


def test_the_refresh_is_a_beat_task(settings):
    from deals.tasks import refresh_stats_figures

    assert settings.CELERY_BEAT_SCHEDULE["stats-refresh"]["task"] == (
        "deals.tasks.refresh_stats_figures"
    )
    broadcom_ftc_review_not_published()
    assert refresh_stats_figures.delay().get() is True
    assert refresh_stats_figures.delay().get() is False


def test_until_the_refresh_a_visitor_sees_the_figures_as_of_their_build(client):
    before = client.get("/stats/?jurisdiction=US").text
    assert not not_published_note(before) and "Figures as of" in before
    broadcom_ftc_review_not_published()
    lagging = client.get("/stats/?jurisdiction=US").text
    assert not not_published_note(lagging) and "Figures as of" in lagging
    figures.aggregates_refresh()
    assert not_published_note(client.get("/stats/?jurisdiction=US").text)


def test_an_editor_sees_their_change_at_once_and_so_does_everyone_after(client, editor):
    assert "dealwatch_editor" in client.get("/admin/").cookies
    broadcom_ftc_review_not_published()
    assert not_published_note(client.get("/stats/?jurisdiction=US").text)  # rebuilt for them
    visitor = type(client)()
    assert not_published_note(visitor.get("/stats/?jurisdiction=US").text)


def test_a_rebuild_is_served_at_once_though_the_content_version_did_not_change(client, settings):
    settings.PAGE_CACHE = True
    settings.FRAGMENT_CACHE = True
    first = client.get("/stats/?jurisdiction=US")
    broadcom_ftc_review_not_published()
    cached = client.get("/stats/?jurisdiction=US")
    assert client.get("/stats/?jurisdiction=US").text == cached.text  # from the page cache
    assert not not_published_note(cached.text)
    revalidated = client.get("/stats/?jurisdiction=US", HTTP_IF_NONE_MATCH=cached["ETag"])
    assert revalidated.status_code == 304
    figures.aggregates_refresh()  # no new content version: only the build changed
    fresh = client.get("/stats/?jurisdiction=US", HTTP_IF_NONE_MATCH=cached["ETag"])
    assert fresh.status_code == 200 and not_published_note(fresh.text)
    assert fresh["ETag"] not in (first["ETag"], cached["ETag"])


def test_a_build_that_clashes_with_another_leaves_the_others_rows(monkeypatch):
    figures.aggregates_rebuild()
    before = stored()
    broadcom_ftc_review_not_published()
    # As when another build stored its rows between this one's delete and its insert.
    monkeypatch.setattr(ReviewYearAggregate.objects, "all", ReviewYearAggregate.objects.none)
    assert figures.aggregates_rebuild() == 0
    monkeypatch.undo()
    assert ReviewYearAggregate.objects.built() == (before.at, before.version)
    assert figures.aggregates_rebuild() > 0  # positive control: a build on its own stores
    assert stored().at > before.at


# --- Before a first build, and hostile input -----------------------------------------------


def test_with_no_stored_rows_the_page_computes_its_figures_per_request(client):
    ReviewYearAggregate.objects.all().delete()
    figures.aggregates_rebuild()  # the cache learns of the rows' removal on a build
    ReviewYearAggregate.objects.all().delete()
    from django.core.cache import cache

    cache.delete(figures.BUILT_KEY)
    assert figures.aggregates_built() is None
    markup = client.get("/stats/?from_year=2022&to_year=2023").text
    assert "Figures as of" not in markup
    expected = figures.compute(valid(from_year=2022, to_year=2023)).total
    assert f": {expected} reviews, each counted" in markup
    figures.aggregates_rebuild()  # positive control: once built, the page says as of when
    assert "Figures as of" in client.get("/stats/?from_year=2022&to_year=2023").text


@pytest.mark.parametrize(
    "query",
    [
        "from_year=abc",
        "from_year=1200",
        "to_year=99999",
        "from_year=2025&to_year=2020",
        "from_year=-5",
        "to_year=2020.5",
        "from_year=%00",
        "jurisdiction=XX",
        "sector=Nope",
    ],
)
def test_bad_filters_over_stored_rows_are_form_errors_never_a_500(client, query):
    assert figures.aggregates_built() is not None
    response = client.get(f"/stats/?{query}")
    assert response.status_code == 200 and "Some filters could not be used" in response.text
    assert "Figures as of" not in response.text
    assert client.get(f"/stats/durations.csv?{query}").status_code == 400
    good = client.get("/stats/?from_year=2020&to_year=2025")  # positive control
    assert good.status_code == 200 and "Figures as of" in good.text
