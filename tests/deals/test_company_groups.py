"""Corporate groups: a company page and the company filter show its subsidiaries' deals too."""

import io
import json

import pytest
from django.core.management import call_command

from deals.models import Company
from tests import FIXTURE_DIR
from tests.factories import CompanyFactory, DealFactory, InquiryFactory, PartyFactory

pytestmark = pytest.mark.django_db

FULL_EC = FIXTURE_DIR / "ec" / "case-data-AT.json"


def ingest_ec_case(tmp_path, reference: str) -> None:
    """One case of the real EC dump, ingested on its own (the whole dump is slow)."""
    case = json.loads(FULL_EC.read_text())[reference]
    path = tmp_path / "case.json"
    path.write_text(json.dumps({reference: case}))
    call_command("ingest", "ec", "--from-file", str(path), stdout=io.StringIO())


def test_microsofts_page_shows_the_2004_decision_through_microsoft_europe(client, tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    ingest_ec_case(tmp_path, "AT.37792")

    europe = Company.objects.get(name="Microsoft Europe")
    microsoft = europe.parent
    assert microsoft.slug == "microsoft" and europe.needs_review
    page = client.get(microsoft.get_absolute_url()).text
    own, group = page.split("Through its group companies")
    assert "AT.37792" not in own and "AT.37792" in group


def test_a_page_without_subsidiaries_has_no_group_section(client):
    company = CompanyFactory()
    assert "Through its group companies" not in client.get(company.get_absolute_url()).text


def test_the_company_filter_includes_the_group_when_asked(client):
    group = CompanyFactory(name="Microsoft", slug="microsoft")
    arm = CompanyFactory(name="Microsoft Europe", parent=group)
    own = DealFactory(title="Microsoft buys Own")
    PartyFactory(deal=own, company=group)
    arms = DealFactory(title="Microsoft Europe buys Arm")
    PartyFactory(deal=arms, company=arm)

    alone = client.get("/deals/?company=microsoft").text
    with_group = client.get("/deals/?company=microsoft&group=1").text
    assert "Microsoft buys Own" in alone and "Microsoft Europe buys Arm" not in alone
    assert "Microsoft buys Own" in with_group and "Microsoft Europe buys Arm" in with_group
    inquiry = InquiryFactory(deal=None, title="Arm conduct case")
    inquiry.companies.add(arm)
    assert "Arm conduct case" in client.get("/inquiries/?company=microsoft&group=on").text


def test_a_loop_in_the_group_tree_ends():
    a = CompanyFactory()
    b = CompanyFactory(parent=a)
    a.parent = b
    a.save()
    assert a.group_member_ids() == [b.pk]


def test_a_saved_search_with_group_companies_reads_as_words():
    from subscriptions.models import search_label

    microsoft = CompanyFactory(name="Microsoft")
    assert search_label(f"company={microsoft.slug}&group=1") == (
        "Deals matching Company: Microsoft · Include its group companies"
    )
    assert search_label(f"company={microsoft.slug}&group=on").endswith(
        "Include its group companies"
    )
    assert "group" not in search_label(f"company={microsoft.slug}&group=0")
