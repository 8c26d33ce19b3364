"""Lists at 100,000 rows: counts that stop at a cap, pages that stop there too, and company pages
that list the newest rows and link to the filtered lists for the rest."""

import pytest

from deals import pagination
from deals.vocabulary import PartyRole
from tests.factories import (
    CompanyAliasFactory,
    CompanyFactory,
    DealFactory,
    InquiryFactory,
    PartyFactory,
    cma,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cap_of_30(monkeypatch):
    monkeypatch.setattr(pagination, "MAX_ROWS", 30)


def test_a_list_under_the_cap_counts_exactly(client, cap_of_30):
    for n in range(12):
        DealFactory(title=f"Deal {n}")
    response = client.get("/deals/")
    assert response.context["page"].paginator.count == 12
    assert "12 deals" in response.text and "More than" not in response.text


def test_a_list_over_the_cap_says_more_than_and_its_pages_stop_there(client, cap_of_30):
    for n in range(40):
        DealFactory(title=f"Deal {n}")
    response = client.get("/deals/")
    assert "More than 30 deals" in response.text
    assert "Page 1 of 2+" in response.text
    deep = client.get("/deals/?page=2000")
    assert deep.context["page"].number == 2
    assert len(deep.context["page"].object_list) == 5  # rows 26 to 30, no further
    assert "narrow the filters or sort the other way" in deep.text
    assert 'rel="next"' not in deep.text


def test_the_inquiry_list_caps_its_count_too(client, cap_of_30):
    for _ in range(31):
        InquiryFactory(regulator=cma())
    assert "More than 30 inquiries" in client.get("/inquiries/").text
    assert "More than 30" not in client.get("/inquiries/?stage=phase_2").text


def test_a_company_page_lists_its_newest_deals_and_links_to_all_of_them(client):
    company = CompanyFactory(name="Microsoft", slug="microsoft")
    for n in range(27):
        PartyFactory(deal=DealFactory(title=f"Microsoft / Target {n}"), company=company)
    response = client.get(company.get_absolute_url())
    assert len(response.context["deals"]) == 25
    assert 'href="/deals/?company=microsoft"' in response.text
    assert "All deals involving Microsoft" in response.text
    listed = client.get("/deals/?company=microsoft").context["page"].paginator.count
    assert listed == 27


def test_a_small_company_page_needs_no_link(client):
    company = CompanyFactory(name="Mistral AI", slug="mistral-ai")
    PartyFactory(deal=DealFactory(title="Microsoft / Mistral AI"), company=company)
    response = client.get(company.get_absolute_url())
    assert "All deals" not in response.text and "Microsoft / Mistral AI" in response.text


def test_the_company_list_counts_each_companys_published_deals(client):
    company = CompanyFactory(name="Adobe")
    PartyFactory(deal=DealFactory(), company=company, role=PartyRole.ACQUIRER)
    PartyFactory(deal=DealFactory(), company=company, role=PartyRole.ACQUIRER)
    PartyFactory(deal=DealFactory(is_published=False), company=company)
    # Named in a conduct case only: listed, with no deals.
    InquiryFactory(deal=None).companies.add(CompanyFactory(name="Figma"))
    listed = {c.name: c.deal_count for c in client.get("/companies/").context["page"]}
    assert listed["Adobe"] == 2 and listed["Figma"] == 0


def test_inquiry_search_finds_a_case_by_a_party_or_a_concerned_company_and_their_aliases(client):
    google = CompanyFactory(name="Alphabet")
    CompanyAliasFactory(company=google, name="Google")
    deal = DealFactory(title="Alphabet / Wiz")
    PartyFactory(deal=deal, company=google)
    merger = InquiryFactory(deal=deal, regulator=cma(), reference="ME/7200/25")
    conduct = InquiryFactory(deal=None, reference="AT.40670", title="Google Adtech")
    conduct.companies.add(google)
    InquiryFactory(reference="M.11111")

    def found(text):
        response = client.get("/inquiries/", {"q": text})
        return {inquiry.reference for inquiry in response.context["page"].object_list}

    assert found("google") == {merger.reference, conduct.reference}
    assert found("alphabet") == {merger.reference, conduct.reference}
    assert found("wiz") == {merger.reference}
    assert found("adtech") == {conduct.reference}
    assert found("ME/7200") == {merger.reference}
