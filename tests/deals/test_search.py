"""Free text as analysts type it: several words, tickers, jurisdictions, references, ranking."""

import datetime

import pytest
from django.db import connection

from deals.models import Deal, Inquiry
from deals.search import parse_query
from deals.vocabulary import DealType, PartyRole
from tests.factories import (
    CompanyAliasFactory,
    CompanyFactory,
    DealFactory,
    InquiryFactory,
    PartyFactory,
    RegulatorFactory,
    cma,
)

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text and trigram search are PostgreSQL's"
)


@pytest.fixture
def fitbit():
    alphabet = CompanyFactory(name="Alphabet", ticker="GOOGL GOOG")
    CompanyAliasFactory(company=alphabet, name="Google")
    deal = DealFactory(
        title="Google / Fitbit",
        deal_type=DealType.ACQUISITION,
        announced_on=datetime.date(2019, 11, 1),
    )
    PartyFactory(deal=deal, company=alphabet, role=PartyRole.ACQUIRER)
    PartyFactory(deal=deal, company=CompanyFactory(name="Fitbit"), role=PartyRole.TARGET)
    InquiryFactory(deal=deal, regulator=RegulatorFactory(), reference="M.9660")
    return deal


@pytest.fixture
def anthropic():
    alphabet_deal = DealFactory(
        title="Alphabet / Anthropic", announced_on=datetime.date(2023, 10, 27)
    )
    PartyFactory(deal=alphabet_deal, company=CompanyFactory(name="Anthropic"))
    InquiryFactory(deal=alphabet_deal, regulator=cma(), reference="ME/7101/24")
    return alphabet_deal


def found(text: str) -> list[str]:
    return list(Deal.objects.search(text).order_by("title").values_list("title", flat=True))


def test_two_words_match_across_title_and_parties(fitbit, anthropic):
    assert found("fitbit google") == ["Google / Fitbit"]
    assert found("google fitbit") == ["Google / Fitbit"]
    assert found("fitbit anthropic") == []


def test_a_ticker_finds_the_company_deals(fitbit):
    assert found("GOOGL") == ["Google / Fitbit"]
    assert found("goog") == ["Google / Fitbit"]


def test_a_jurisdiction_is_found_by_its_code_its_name_and_the_usual_words(fitbit, anthropic):
    assert found("UK") == ["Alphabet / Anthropic"]
    assert found("GB") == ["Alphabet / Anthropic"]
    assert found("united kingdom") == ["Alphabet / Anthropic"]
    assert found("EU") == ["Google / Fitbit"]
    assert found("anthropic uk") == ["Alphabet / Anthropic"]


def test_a_regulator_is_found_by_its_abbreviation_or_name(fitbit, anthropic):
    assert found("cma") == ["Alphabet / Anthropic"]
    assert found("competition markets") == ["Alphabet / Anthropic"]
    assert found("fitbit commission") == ["Google / Fitbit"]


def test_a_case_reference_is_found_with_or_without_its_punctuation(fitbit, anthropic):
    assert found("M.9660") == ["Google / Fitbit"]
    assert found("ME/7101/24") == ["Alphabet / Anthropic"]
    assert found("ME/7101") == ["Alphabet / Anthropic"]
    assert found("7101") == ["Alphabet / Anthropic"]


def test_the_start_of_a_word_is_enough_but_short_words_do_not_match_inside_words(fitbit):
    assert found("fitb") == ["Google / Fitbit"]
    DealFactory(title="Duke / Energy")
    assert found("uk") == []  # not "Duke"


def test_quoted_words_are_a_phrase():
    assert [t.words for t in parse_query('"mistral ai" ME/7108  google')] == [
        ("mistral", "ai"),
        ("me", "7108"),
        ("google",),
    ]
    assert parse_query("  ") == [] and parse_query('"" ...') == []


def test_a_deal_whose_title_matches_ranks_before_one_that_matches_elsewhere(fitbit, anthropic):
    alphabet = fitbit.parties.get(role=PartyRole.ACQUIRER).company
    PartyFactory(deal=anthropic, company=alphabet, role=PartyRole.INVESTOR)
    ranked = Deal.objects.search("alphabet").order_by("-search_rank", "pk")
    assert [deal.title for deal in ranked] == ["Alphabet / Anthropic", "Google / Fitbit"]


def test_the_document_follows_new_parties_aliases_renames_and_inquiries(fitbit):
    company = CompanyFactory(name="Nest Labs")
    assert found("nest") == []
    PartyFactory(deal=fitbit, company=company, role=PartyRole.TARGET)
    assert found("nest") == ["Google / Fitbit"]
    CompanyAliasFactory(company=company, name="Thermostat Maker")
    assert found("thermostat") == ["Google / Fitbit"]
    company.name = "Nest Inc"
    company.save()
    assert found("nest inc") == ["Google / Fitbit"]
    InquiryFactory(deal=fitbit, regulator=cma(), reference="ME/6999/20")
    assert found("6999 uk") == ["Google / Fitbit"]
    fitbit.parties.filter(company=company).delete()
    assert found("nest") == []


def test_inquiries_are_searched_by_several_words_too(fitbit, anthropic):
    def inquiries(text):
        return list(Inquiry.objects.search(text).values_list("reference", flat=True))

    assert inquiries("fitbit google") == ["M.9660"]
    assert inquiries("anthropic uk") == ["ME/7101/24"]
    assert inquiries("GOOG commission") == ["M.9660"]


def test_the_deal_list_finds_fitbit_google(client, fitbit, anthropic):
    response = client.get("/deals/?q=fitbit+google")
    assert [deal.title for deal in response.context["page"].object_list] == ["Google / Fitbit"]


@on_postgresql
def test_a_misspelt_name_is_still_found_on_postgresql(fitbit, anthropic):
    assert found("fitbitt") == ["Google / Fitbit"]
    assert found("antrhopic") == ["Alphabet / Anthropic"]


@on_postgresql
def test_a_fragment_of_a_reference_is_found_on_postgresql(fitbit, anthropic):
    assert found("966") == ["Google / Fitbit"]


def test_refresh_search_rebuilds_documents_that_a_bulk_write_skipped(fitbit):
    from django.core.management import call_command

    Deal.objects.bulk_create([Deal(title="Bulk / Import", slug="bulk-import")])
    assert found("bulk") == []
    call_command("refresh_search")
    assert found("bulk import") == ["Bulk / Import"]
    assert found("fitbit google") == ["Google / Fitbit"]


# --- What a search costs does not grow with the data (issue 22) --------------------------------


@pytest.fixture
def acme_deals():
    """Four deals that match "acme", announced a year apart; the oldest and the second oldest
    have it in their title (a title match ranks first), the two newest only in a party."""
    acme = CompanyFactory(name="Acme Widgets")
    made = {}
    for year, title in [
        (2020, "Acme / Oldest"),
        (2021, "Acme / Second"),
        (2022, "Third / Bought"),
        (2023, "Newest / Bought"),
    ]:
        deal = DealFactory(title=title, announced_on=datetime.date(year, 6, 1))
        PartyFactory(deal=deal, company=acme, role=PartyRole.ACQUIRER)
        made[year] = deal.title
    return made


def listed(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [deal.title for deal in response.context["page"].object_list]


def test_a_search_ranks_every_match_when_the_pages_reach_them_all(client, acme_deals):
    # Both title matches first (the newer first), then the others, newest first.
    assert listed(client, "/deals/?q=acme") == [
        "Acme / Second",
        "Acme / Oldest",
        "Newest / Bought",
        "Third / Bought",
    ]
    assert "4 deals" in client.get("/deals/?q=acme").text


def test_a_search_ranks_only_as_many_matches_as_the_pages_reach(client, acme_deals, monkeypatch):
    """With pages that reach 2 rows, the candidates are the 3 newest matches (2 and one more,
    to tell there are more): the title match among them first, then the newest; the oldest
    match, a title match, is not reached, and the page says there are more than 2."""
    monkeypatch.setattr("deals.pagination.MAX_ROWS", 2)
    assert listed(client, "/deals/?q=acme") == ["Acme / Second", "Newest / Bought"]
    page = client.get("/deals/?q=acme").text
    assert "More than 2 deals" in page
    assert "4 deals" not in page
    # Sorted by another order, every match is reachable as in any list: the oldest first here.
    assert listed(client, "/deals/?q=acme&sort=announced") == ["Acme / Oldest", "Acme / Second"]


def test_the_header_search_ranks_and_counts_as_the_lists_do(client, acme_deals, monkeypatch):
    page = client.get("/search/?q=acme").text
    assert 'Deals <span class="muted">(4)</span>' in page
    monkeypatch.setattr("deals.pagination.MAX_ROWS", 2)
    response = client.get("/search/?q=acme")
    assert [deal.title for deal in response.context["deals"]] == [
        "Acme / Second",
        "Newest / Bought",
    ]
    assert "(more than 2)" in response.text and "(4)" not in response.text
    assert "All the deals matching" in response.text


def test_the_api_ranks_the_same_candidates_as_the_pages(client, acme_deals, monkeypatch):
    def api(url):
        body = client.get(url).json()
        return [row["title"] for row in body["results"]], body["next"]

    assert api("/api/v1/deals/?q=acme&limit=2")[0] == ["Acme / Second", "Acme / Oldest"]
    monkeypatch.setattr("deals.pagination.MAX_ROWS", 2)
    # The page's candidates, the 3 newest, ranked as the page ranks them; the oldest not reached.
    ranked = ["Acme / Second", "Newest / Bought", "Third / Bought"]
    assert api("/api/v1/deals/?q=acme&limit=100") == (ranked, None)
    first, following = api("/api/v1/deals/?q=acme&limit=2")
    assert first == ranked[:2] == listed(client, "/deals/?q=acme")
    assert api(following) == (ranked[2:], None)
    # Another order pages through every match.
    assert len(api("/api/v1/deals/?q=acme&sort=announced&limit=100")[0]) == 4


def test_a_reference_search_is_not_ranked_but_newest_first(client):
    older = InquiryFactory(reference="M.1001", opened_on=datetime.date(2020, 1, 1))
    newer = InquiryFactory(reference="M.1002", opened_on=datetime.date(2024, 1, 1))
    InquiryFactory(reference="M.2001", opened_on=datetime.date(2025, 1, 1))
    response = client.get("/inquiries/?q=M.1")
    assert [i.reference for i in response.context["page"].object_list] == [
        newer.reference,
        older.reference,
    ]


@on_postgresql
def test_a_misspelling_is_looked_for_only_when_the_word_is_nowhere():
    microsoft = DealFactory(title="Microsoft / Nuance")
    lookalike = DealFactory(title="Microsofx Labs / Tiny")  # 0.8 similar to "microsoft"
    # Both words exist: each finds its own deal only (no similarity scan).
    assert found("microsoft") == [microsoft.title]
    assert found("microsofx") == [lookalike.title]
    # A word that is nowhere finds the words it is close to.
    assert found("microsofz") == [microsoft.title, lookalike.title]


@on_postgresql
def test_an_inquiry_reference_is_found_from_its_start_on_postgresql(client):
    InquiryFactory(reference="M.9660")
    InquiryFactory(reference="M.1096")
    InquiryFactory(reference="ME/9660/20")
    references = [i.reference for i in Inquiry.objects.search("M.96")]
    assert references == ["M.9660"]
    assert sorted(i.reference for i in Inquiry.objects.search("ME/9660")) == ["ME/9660/20"]
