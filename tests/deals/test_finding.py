"""Finding deals and inquiries as a new user would: names in the company box, checkboxes,
chips for every active filter, column sorting, the header search."""

import datetime
import re

import pytest
from django.core.cache import cache

from subscriptions.models import deals_matching, search_label
from tests.factories import (
    CompanyFactory,
    DealFactory,
    InquiryFactory,
    PartyFactory,
    cma,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]
TODAY = datetime.date.today()


# The filters' counts, as deals.cache.cached() stores them (the cache adds its own KEY_PREFIX and
# VERSION to these). test_the_facet_counts_are_cached_under_the_keys_cleared_here checks them.
FACET_KEYS = ["dealwatch:fragment:deal-facets", "dealwatch:fragment:inquiry-facets"]


@pytest.fixture(autouse=True)
def _no_cached_counts():
    """Counts from an earlier test are not read anyway (a fresh content version each test):
    clearing them too keeps a test's counts its own, whatever the version does."""
    cache.delete_many(FACET_KEYS)


@pytest.fixture
def deals(world):
    """The world's deals by name (tests/worlds.py)."""
    return {
        "mistral": world.mistral,
        "activision": world.activision,
        "fitbit": world.fitbit,
        "figma": world.figma,
        "undated": world.undated,
    }


def titles(response) -> list[str]:
    assert response.status_code == 200
    return [deal.title for deal in response.context["page"].object_list]


MICROSOFT = ["Microsoft / Mistral AI", "Microsoft / Activision Blizzard"]


@pytest.mark.parametrize(
    "typed", ["Microsoft", "microsoft", "MICROSOFT ", "Microsoft Corporation", "MSFT", "msft"]
)
def test_a_company_is_found_by_its_name_alternative_name_ticker_or_slug(client, deals, typed):
    response = client.get("/deals/", {"company": typed})
    assert titles(response) == MICROSOFT
    assert "Some filters could not be used" not in response.text


def test_google_in_the_company_box_finds_alphabets_deals_on_both_lists(client, deals):
    assert titles(client.get("/deals/?company=google")) == ["Google / Fitbit"]
    inquiries = client.get("/inquiries/?company=Google").context["page"].object_list
    assert [inquiry.reference for inquiry in inquiries] == ["M.9660"]


def test_an_unknown_company_is_a_clear_error_with_suggestions_and_no_subscribe_form(client, deals):
    response = client.get("/deals/?company=Microsof")
    assert titles(response) == []
    assert "No company called “Microsof”. Did you mean Microsoft?" in response.text
    assert "Get email updates" not in response.text
    response = client.get("/deals/?company=Nobody+At+All")
    assert "No company called “Nobody At All”" in response.text
    assert "Get email updates" in client.get("/deals/?company=microsoft").text


def test_uk_is_gb_and_jurisdictions_combine(client, deals):
    at_the_cma = ["Microsoft / Mistral AI", "Adobe / Figma", "Microsoft / Activision Blizzard"]
    assert titles(client.get("/deals/?jurisdiction=UK")) == at_the_cma
    assert titles(client.get("/deals/?jurisdiction=united+kingdom")) == at_the_cma
    assert titles(client.get("/deals/?jurisdiction=GB")) == at_the_cma
    assert titles(client.get("/deals/?jurisdiction=GB&jurisdiction=EU")) == [
        *at_the_cma,
        "Google / Fitbit",
    ]
    assert titles(client.get("/deals/?jurisdiction=XX")) == []


def test_filters_are_checkboxes_with_full_regulator_names_and_counts(client, deals):
    page = client.get("/deals/?regulator=cma").text
    assert 'type="checkbox" name="regulator" value="cma"' in page
    assert re.search(r"Competition and Markets Authority \(CMA\) · 3\b", page)
    assert re.search(r"United Kingdom \(GB\) · 3\b", page)
    assert re.search(r"Partnership · 1\b", page)
    assert '<select name="regulator"' not in page and "multiple" not in page
    # The facet holding a choice is open and says how many are chosen.
    assert re.search(r"<details class=\"facet\" open>\s*<summary><span class=\"facet-name\">"
                     r"Regulator</span> <span class=\"facet-chosen\">1 selected", page)  # fmt: skip


def test_every_active_filter_is_a_chip_that_removes_just_itself(client, deals):
    response = client.get("/deals/?q=microsoft&status=not_reviewable&status=in_depth_review"
                          "&regulator=cma&company=MSFT&page=1")  # fmt: skip
    chips = {(c.label, c.value): c.remove_query for c in response.context["chips"]}
    assert set(chips) == {
        ("Search", "“microsoft”"),
        ("Status", "Not reviewable"),
        ("Status", "In-depth review"),
        ("Regulator", "Competition and Markets Authority"),
        ("Company", "Microsoft"),
    }
    assert chips[("Status", "Not reviewable")] == (
        "q=microsoft&status=in_depth_review&regulator=cma&company=MSFT"
    )
    assert "page=" not in "".join(chips.values())
    assert 'href="/deals/?q=microsoft&amp;status=not_reviewable&amp;status=in_depth_review' in (
        response.text
    )
    assert '<a class="clear-filters" href="/deals/">Clear all</a>' in response.text


def test_a_filter_that_cannot_be_used_is_a_chip_too_so_it_can_be_removed(client, deals):
    response = client.get("/deals/?status=exploded&q=microsoft")
    chips = {(c.label, c.value): c.remove_query for c in response.context["chips"]}
    assert chips[("Status", "exploded")] == "q=microsoft"


def test_column_headings_sort_the_list_and_say_how(client, deals):
    page = client.get("/deals/?q=microsoft&sort=name").text
    assert 'aria-sort="ascending"><a class="sort" href="?q=microsoft&amp;sort=-name">Deal' in page
    assert (
        'aria-sort="none"><a class="sort" href="?q=microsoft&amp;sort=-announced">Announced' in page
    )  # noqa: E501
    assert 'href="?q=microsoft&amp;sort=deadline">Deadline' in page


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["figma", "fitbit", "activision", "mistral", "undated"]),
        ("-name", ["undated", "mistral", "activision", "fitbit", "figma"]),
        # abandoned, in-depth, cleared with conditions, not reviewable, no known inquiry
        ("status", ["figma", "activision", "fitbit", "mistral", "undated"]),
        ("deadline", ["activision", "mistral", "fitbit", "figma", "undated"]),
        ("-activity", ["mistral", "figma", "activision", "fitbit", "undated"]),
        ("", ["mistral", "figma", "activision", "fitbit", "undated"]),
    ],
)
def test_each_column_sort(client, deals, sort, expected):
    assert titles(client.get(f"/deals/?sort={sort}")) == [deals[key].title for key in expected]


def test_a_search_is_ranked_by_relevance_unless_another_sort_is_chosen(client, deals):
    alphabet_deal = DealFactory(title="Alphabet / Anthropic", announced_on=TODAY)
    PartyFactory(deal=alphabet_deal, company=CompanyFactory(name="Anthropic"))
    response = client.get("/deals/?q=google")
    assert titles(response) == ["Google / Fitbit"]
    PartyFactory(deal=alphabet_deal, company=deals["fitbit"].parties.first().company)
    response = client.get("/deals/?q=google")
    # The title match first, though the other deal is newer.
    assert titles(response) == ["Google / Fitbit", "Alphabet / Anthropic"]
    assert '<option value="relevance" selected>' in response.text
    assert titles(client.get("/deals/?q=google&sort=-announced")) == [
        "Alphabet / Anthropic",
        "Google / Fitbit",
    ]


def test_newest_announced_is_offered_once(client, deals):
    page = client.get("/deals/").text
    sort_select = page[page.index('<select name="sort"') :].split("</select>")[0]
    labels = re.findall(r">([^<]+)</option>", sort_select)
    assert labels.count("Newest announced") == 1 and len(labels) == len(set(labels))
    assert not any("descending" in label or label == "---------" for label in labels)
    assert '<option value="-announced" selected>Newest announced</option>' in page


def test_the_header_search_finds_deals_inquiries_and_companies(client, deals):
    response = client.get("/search/?q=google")
    assert [deal.title for deal in response.context["deals"]] == ["Google / Fitbit"]
    assert [i.reference for i in response.context["inquiries"]] == ["M.9660"]
    assert [c.name for c in response.context["companies"]] == ["Alphabet"]
    assert 'action="/search/"' in client.get("/deals/").text  # in every page's header
    assert client.get("/search/?q=" + "x" * 500).status_code == 200
    assert client.get("/search/?q=%00").status_code == 200
    assert client.get("/search/").status_code == 200


def test_a_saved_search_with_a_company_name_alerts_on_the_same_deals_and_reads_well(deals):
    assert sorted(d.title for d in deals_matching("company=Microsoft")) == sorted(MICROSOFT)
    assert search_label("company=MSFT&jurisdiction=UK") == (
        "Deals matching Company: Microsoft · Jurisdiction: United Kingdom"
    )
    assert search_label("regulator=cma&status=cleared") == (
        "Deals matching Regulator: Competition and Markets Authority · Status: Cleared"
    )


@pytest.mark.parametrize("key", ["q", "company", "regulator", "jurisdiction", "status", "type",
                                 "life", "sector", "announced_after", "sort", "page"])  # fmt: skip
def test_a_nul_byte_or_a_huge_value_in_any_filter_is_a_form_error_not_a_500(client, deals, key):
    # The inquiry list has no deal-only filter (life, sector, announced_*): those are a 400
    # there, as any parameter a page does not read (deals.querystring).
    inquiry_status = 400 if key in ("life", "sector", "announced_after") else 200
    for value in ["%00", "a%00b", "9" * 400, "%ff"]:
        assert client.get(f"/deals/?{key}={value}").status_code == 200
        assert client.get(f"/inquiries/?{key}={value}").status_code == inquiry_status


def test_the_facet_counts_are_cached_under_the_keys_cleared_here(client, deals):
    assert all(cache.get(key) is None for key in FACET_KEYS)
    client.get("/deals/")
    client.get("/inquiries/")
    assert all(cache.get(key) is not None for key in FACET_KEYS)  # the keys are the real ones
    cache.delete_many(FACET_KEYS)
    assert all(cache.get(key) is None for key in FACET_KEYS)


def test_the_list_pages_run_a_fixed_number_of_queries(client, deals, django_assert_max_num_queries):
    for n in range(30):
        deal = DealFactory(title=f"Deal {n}")
        PartyFactory(deal=deal)
        InquiryFactory(deal=deal, regulator=cma(), deadline_on=TODAY)
    everything = "q=deal&regulator=cma&jurisdiction=UK&status=in_depth_review&type=acquisition"
    client.get(f"/deals/?{everything}")  # counts are cached from here on
    client.get("/inquiries/")
    for url in [f"/deals/?{everything}&sort=deadline", "/deals/?company=microsoft&sort=status",
                "/inquiries/?q=deal&sort=-regulator", "/search/?q=deal"]:  # fmt: skip
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200
