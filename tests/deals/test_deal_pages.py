"""The public deal pages as an analyst uses them: find a deal, filter it, read its timeline."""

import datetime

import pytest

from deals.vocabulary import DealType
from tests.factories import (
    DealFactory,
    EventFactory,
    InquiryFactory,
    PartyFactory,
    cma,
    ftc,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]


@pytest.fixture
def mistral(world):
    """Microsoft / Mistral AI: the EC's informal look and the CMA's review (tests/worlds.py)."""
    return world.mistral


def titles(response):
    return [deal.title for deal in response.context["page"].object_list]


# The world's published deals in the list's own order: latest activity first, undated last.
EVERY_DEAL = ["Microsoft / Mistral AI", "Adobe / Figma", "Microsoft / Activision Blizzard",
              "Google / Fitbit", "Undated / Deal"]  # fmt: skip


def test_deal_list_shows_deals_with_their_status(client, mistral):
    response = client.get("/deals/")
    assert response.status_code == 200
    assert titles(response) == EVERY_DEAL
    assert "Not reviewable" in response.text and "Abandoned" in response.text
    assert "Hidden / Deal" not in response.text


def test_search_finds_a_deal_by_title_company_alias_and_case_reference(client, mistral):
    assert titles(client.get("/deals/?q=mistral")) == ["Microsoft / Mistral AI"]
    microsoft = ["Microsoft / Mistral AI", "Microsoft / Activision Blizzard"]
    assert titles(client.get("/deals/?q=msft")) == microsoft  # its ticker
    assert titles(client.get("/deals/?q=microsoft+corporation")) == microsoft  # its other name
    assert titles(client.get("/deals/?q=ME/7108")) == ["Microsoft / Mistral AI"]
    assert titles(client.get("/deals/?q=nothing-like-this")) == []


def test_search_lists_a_deal_once_even_when_several_parties_match(client, mistral):
    # Microsoft and Mistral AI both match on Microsoft / Mistral AI. Ranked by relevance, which
    # SQLite and PostgreSQL weigh differently: the order is not the point here.
    assert sorted(titles(client.get("/deals/?q=m"))) == sorted(EVERY_DEAL[:4])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "regulator=ec",
            ["Microsoft / Mistral AI", "Microsoft / Activision Blizzard", "Google / Fitbit"],
        ),
        (
            "regulator=cma",
            ["Microsoft / Mistral AI", "Adobe / Figma", "Microsoft / Activision Blizzard"],
        ),
        (
            "regulator=ec&regulator=cma",
            [
                "Microsoft / Mistral AI",
                "Adobe / Figma",
                "Microsoft / Activision Blizzard",
                "Google / Fitbit",
            ],
        ),
        (
            "jurisdiction=EU",
            ["Microsoft / Mistral AI", "Microsoft / Activision Blizzard", "Google / Fitbit"],
        ),
        (
            "jurisdiction=GB",
            ["Microsoft / Mistral AI", "Adobe / Figma", "Microsoft / Activision Blizzard"],
        ),
        ("status=abandoned", ["Adobe / Figma"]),
        ("status=not_reviewable&status=abandoned", ["Microsoft / Mistral AI", "Adobe / Figma"]),
        ("type=partnership", ["Microsoft / Mistral AI"]),
        ("sector=Software", ["Adobe / Figma"]),
        ("company=adobe", ["Adobe / Figma"]),
        ("announced_after=2024-01-01", ["Microsoft / Mistral AI"]),
        (
            "announced_before=2023-01-01",
            ["Adobe / Figma", "Microsoft / Activision Blizzard", "Google / Fitbit"],
        ),
        (
            "sort=announced",
            [
                "Google / Fitbit",
                "Microsoft / Activision Blizzard",
                "Adobe / Figma",
                "Microsoft / Mistral AI",
                "Undated / Deal",
            ],
        ),
        (
            "sort=-activity",
            [
                "Microsoft / Mistral AI",
                "Adobe / Figma",
                "Microsoft / Activision Blizzard",
                "Google / Fitbit",
                "Undated / Deal",
            ],
        ),
        (
            "sort=activity",
            [
                "Microsoft / Activision Blizzard",
                "Adobe / Figma",
                "Microsoft / Mistral AI",
                "Google / Fitbit",
                "Undated / Deal",
            ],
        ),  # no activity known: last either way
    ],
)
def test_each_filter_works_alone(client, mistral, query, expected):
    assert titles(client.get(f"/deals/?{query}")) == expected


def test_filters_combine(client, mistral):
    both = "regulator=cma&type=acquisition&announced_before=2023-01-01&q=adobe"
    assert titles(client.get(f"/deals/?{both}")) == ["Adobe / Figma"]
    assert titles(client.get("/deals/?regulator=cma&status=abandoned&q=mistral")) == []


def test_filtered_view_keeps_its_query_in_the_pagination_links(client, mistral):
    for n in range(30):
        DealFactory(title=f"Deal {n:02}", deal_type=DealType.MERGER)
    response = client.get("/deals/?type=merger")
    assert response.context["page"].paginator.count == 31  # and the world's undated merger
    assert "?type=merger&amp;page=2" in response.text


@pytest.mark.parametrize(
    "query",
    [
        "announced_after=2024-13-45",
        "announced_before=yesterday",
        "regulator=no-such-regulator",
        "company=no-such-company",
        "status=exploded",
        "type=%00",
        "jurisdiction=XX",
        "sector=Nonexistent",
        "sort=password",
        "q=" + "x" * 5000,
    ],
)
def test_bad_filter_values_show_the_form_error_not_a_500(client, mistral, query):
    response = client.get(f"/deals/?{query}")
    assert response.status_code == 200
    assert "Some filters could not be used" in response.text
    assert titles(response) == []


@pytest.mark.parametrize("page", ["999", "abc", "-1", "1e9", ""])
def test_any_page_number_gives_a_page(client, mistral, page):
    response = client.get(f"/deals/?page={page}")
    assert response.status_code == 200
    assert titles(response) == EVERY_DEAL


def test_hostile_query_strings_never_give_a_500(client, mistral):
    for query in [
        "q=%27%3B%20DROP%20TABLE%20deals_deal%3B--",
        "q=<script>alert(1)</script>",
        "q=%ff%fe",
        "announced_after=0000-00-00",
        "announced_after=9999-12-31",
        "q=a&q=b&q=c",
    ]:
        assert client.get(f"/deals/?{query}").status_code == 200
        if not query.startswith("announced_"):  # a deal-only filter: a 400 on /inquiries/
            assert client.get(f"/inquiries/?{query}").status_code == 200
    response = client.get("/deals/?q=<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in response.text
    # A parameter the page does not read (PHP's array syntax) is a 400 naming it.
    assert client.get("/deals/?regulator[]=ec").status_code == 400
    assert client.get("/inquiries/?regulator[]=ec").status_code == 400


@pytest.mark.parametrize("query", ["regulator=%00", "company=%00", "regulator=ec%00x&q=figma"])
def test_a_nul_byte_in_a_filter_is_a_form_error_and_is_not_repeated(client, mistral, query):
    # PostgreSQL refuses NUL in text: a lookup with the raw value was a 500.
    response = client.get(f"/deals/?{query}")
    assert response.status_code == 200
    assert "Some filters could not be used" in response.text
    # No alert is offered for a search that cannot run, and the NUL byte is not written back.
    assert '<section class="subscribe"' not in response.text
    assert "\x00" not in response.text


def test_unpublished_deals_are_hidden(client, mistral):
    mistral.is_published = False
    mistral.save()
    assert titles(client.get("/deals/")) == EVERY_DEAL[1:]
    assert client.get(mistral.get_absolute_url()).status_code == 404


def test_deal_page_shows_each_jurisdiction_and_a_dated_timeline_with_sources(client, mistral):
    response = client.get("/deals/microsoft-mistral-ai/")
    assert response.status_code == 200
    page = response.text
    assert "European Commission" in page and "CMA" in page
    assert "No case number" in page  # the EC's informal look has none
    assert 'href="https://www.gov.uk/cma-cases/microsoft-mistral"' in page
    assert "Not qualifying" in page and "we will analyze" in page
    timeline = [event.title for event in response.context["timeline"]]
    assert timeline == [
        "Partnership announced",
        "The Commission will analyse the agreement",
        "Does not qualify for investigation",
    ]
    assert 'datetime="2024-05-17"' in page
    assert "https://www.nbclosangeles.com/cma-mistral" in page
    assert '<a href="/companies/microsoft/">Microsoft</a> <span class="role">Investor' in page


def test_unknown_deal_is_a_404(client):
    assert client.get("/deals/no-such-deal/").status_code == 404


def test_list_pages_run_the_same_number_of_queries_whatever_they_show(client, mistral):
    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def add_deals(number):
        for n in range(number):
            deal = DealFactory(title=f"Deal {n}")
            PartyFactory(deal=deal)
            inquiry = InquiryFactory(
                deal=deal,
                regulator=cma(),
                deadline_on=datetime.date.today() + datetime.timedelta(days=n),
            )
            EventFactory(deal=None, inquiry=inquiry)

    urls = ["/deals/", "/deals/?q=deal&regulator=cma", "/inquiries/", "/deadlines/"]
    urls += ["/regulators/cma/", "/companies/", "/regulators/"]

    def warm():  # the filters' counts are cached per content version, from its first request
        for url in urls:
            count(url)

    add_deals(1)
    warm()
    before = {url: count(url) for url in urls}
    add_deals(20)
    warm()
    after = {url: count(url) for url in urls}
    assert after == before
    assert max(after.values()) <= 12


def test_deal_page_runs_the_same_number_of_queries_whatever_its_size(client, mistral):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            client.get(mistral.get_absolute_url())
        return len(queries)

    before = count()
    for n in range(10):
        inquiry = InquiryFactory(deal=mistral, regulator=ftc(), reference=f"X-{n}")
        EventFactory(deal=None, inquiry=inquiry)
        PartyFactory(deal=mistral)
    assert count() == before <= 10


@pytest.mark.parametrize("sort", ["", "sort=announced", "sort=-announced", "sort=-activity"])
def test_a_deal_without_a_date_comes_last_whatever_the_sort(client, mistral, sort):
    DealFactory(title="Undated / Deal", announced_on=None)
    assert titles(client.get(f"/deals/?{sort}"))[-1] == "Undated / Deal"
