"""Company name matching: one key per company whatever the spelling of its legal form."""

import pytest

from deals.models import Company, CompanyAlias
from deals.names import group_heads, name_key, possessive_owner, split_name
from ingest.pipeline import company_for, company_matching
from tests import FIXTURE_DIR


@pytest.mark.parametrize(
    "one, other",
    [
        ("Volkswagen AG", "Volkswagen Aktiengesellschaft"),
        ("Audi AG", "AUDI Aktiengesellschaft"),
        ("Google Inc.", "Google Incorporated"),
        ("NVIDIA Corp.", "Nvidia Corporation"),
        ("Nestlé S.A.", "Nestle SA"),
        ("Vodafone Group plc", "Vodafone Group PLC"),
        ("Amazon EU S.à r.l.", "Amazon EU SARL"),
        ("Akzo Nobel N.V.", "Akzo Nobel BV"),
        ("Anheuser-Busch InBev SA/NV", "Anheuser Busch InBev"),
        ("Foo GmbH & Co. KG", "Foo GmbH"),
        ("Bar Holdings Ltd", "Bar Holdings Limited"),
        ("Baz L.P.", "Baz LP"),
        ("Deere & Company", "Deere & Co."),
    ],
)
def test_names_that_differ_only_by_legal_form_share_a_key(one, other):
    assert name_key(one) == name_key(other)


def test_a_subsidiary_region_is_not_a_legal_form():
    assert name_key("Amazon EU S.a r.l.") == "amazon eu"
    assert name_key("Microsoft Europe") != name_key("Microsoft")


def test_a_name_that_is_only_a_legal_form_keeps_it():
    assert name_key("SE") == "se"


def test_history_in_a_name_is_a_former_name():
    name, former = split_name("Deutsche Telekom AG (ex: Deutsche Bundespost Telekom)")
    assert name == "Deutsche Telekom AG" and former == ["Deutsche Bundespost Telekom"]
    assert split_name("Meta Platforms (formerly Facebook)") == ("Meta Platforms", ["Facebook"])


def test_a_short_form_after_a_name_is_another_name():
    assert split_name("UnitedHealth Group Incorporated (UHG)") == (
        "UnitedHealth Group Incorporated",
        ["UHG"],
    )
    assert name_key("UnitedHealth Group Incorporated (UHG)") == "unitedhealth group"
    assert split_name("Topps Tiles (certain assets)") == ("Topps Tiles (certain assets)", [])


def test_group_heads_are_conservative():
    assert group_heads("Microsoft Europe") == ["microsoft"]
    assert group_heads("Amazon EU S.a r.l.") == ["amazon"]
    assert group_heads("Microsoft Mobile Oy") == []
    assert group_heads("Amazonas Energia") == []


def test_possessive_names_a_product():
    assert possessive_owner("Apple's iTunes") == "Apple"
    assert possessive_owner("Apple Inc.") is None


@pytest.mark.django_db
def test_ingest_finds_a_company_under_another_legal_form():
    nvidia = Company.objects.create(name="NVIDIA Corporation")
    assert company_for("NVIDIA Corp.") == nvidia
    assert Company.objects.matching_name("Nvidia Corp").get() == nvidia


@pytest.mark.django_db
def test_ingest_files_history_as_an_alternative_name():
    company = company_for("Deutsche Telekom AG (ex: Deutsche Bundespost Telekom)")
    assert company.name == "Deutsche Telekom AG"
    assert list(company.aliases.values_list("name", flat=True)) == ["Deutsche Bundespost Telekom"]
    assert company_matching("Deutsche Bundespost Telekom") == company


@pytest.mark.django_db
def test_ingest_finds_the_owner_of_a_product():
    apple = Company.objects.create(name="Apple Inc.")
    assert company_for("Apple's iTunes") == apple


@pytest.mark.django_db
def test_a_regional_arm_gets_its_group_as_parent_for_review():
    microsoft = Company.objects.create(name="Microsoft Corporation")
    europe = company_for("Microsoft Europe SARL")
    assert europe.parent == microsoft and europe.needs_review


@pytest.mark.django_db
def test_an_alias_matches_whatever_its_legal_form():
    meta = Company.objects.create(name="Meta Platforms, Inc.")
    CompanyAlias.objects.create(company=meta, name="Facebook, Inc.")
    assert company_matching("FACEBOOK INC") == meta


@pytest.mark.django_db
def test_a_party_name_two_companies_share_goes_to_the_review_queue_not_to_either():
    import io

    from django.core.management import call_command

    from ingest.models import ReviewItem

    Company.objects.create(name="Topps Tiles Plc")
    Company.objects.create(name="Topps Tiles Limited")  # one key: left for an editor to merge
    topps = FIXTURE_DIR / "cma"
    call_command(
        "ingest",
        "cma",
        "--from-file",
        str(topps / "publishing-api_cma-cases-with-change-history.json"),
        stdout=io.StringIO(),
    )
    item = ReviewItem.objects.get()
    assert "may be any of Topps Tiles Plc; Topps Tiles Limited" in item.review_note
    assert Company.objects.filter(name_key="topps tiles").count() == 2
