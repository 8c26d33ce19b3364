"""Issue 21: companies of one group ("Credit Suisse AG" / "Credit Suisse Group AG") proposed to
an editor by `company_duplicates`, never merged. The check on every sample is
test_company_groups_samples.py."""

import io

import pytest
from django.core.management import call_command

from deals.management.commands.company_duplicates import likely_duplicates, likely_same_group
from deals.models import Company
from deals.names import group_key, group_parents, name_key
from ingest.pipeline import company_for
from tests.factories import CompanyFactory


@pytest.mark.parametrize(
    "names",
    [
        ["Credit Suisse AG", "Credit Suisse Group AG", "Credit Suisse International"],
        ["Barclays PLC", "Barclays Group Holdings Limited"],
        ["DHL Global Forwarding (China) Co., Ltd", "DHL Global Forwarding (UK) Limited"],
        ["Glaxo-Wellcome", "Glaxo Wellcome (E)"],
        ["Orient Overseas Container Line Inc (H-Kong)", "Orient Overseas Container Line Ltd"],
        ["Microsoft", "Microsoft Europe"],
        ["Sony Corporation", "Sony Taiwan Limited", "SONY Europe Holding BV"],
        ["Lerøy Seafood AS", "Lerøy Seafood Group ASA"],
        ["Samsung SDI (Malaysia) Berhad", "Samsung SDI Co., Ltd."],
        ["Bank of America Corporation", "Bank of America Holdings"],
    ],
)
def test_companies_of_one_group_share_a_group_key(names):
    assert len({group_key(name) for name in names}) == 1, [group_key(n) for n in names]


@pytest.mark.parametrize(
    "one, other",
    [
        ("Amazon", "Amazonas Energia"),
        ("Microsoft", "Microsoft Mobile Oy"),
        ("Bank of America", "Bank of China"),
        ("Deutsche Bank", "Deutsche Telekom"),
        ("Air France", "Air Canada"),
        ("Telecom Italia", "Telecom Eireann"),
        ("Credit Suisse Group AG", "Credit Agricole SA"),
    ],
)
def test_hard_negatives_have_two_group_keys(one, other):
    assert group_key(one) != group_key(other)


def test_a_group_key_is_never_a_linking_word_or_one_common_word():
    assert group_key("Bank of China") == "bank of china"
    assert group_key("Air France") == "air france"
    assert group_key("Group") == "group"
    assert group_key("Holdings Ltd") == name_key("Holdings Ltd")


def test_the_group_key_changes_no_name_key():
    assert name_key("Credit Suisse Group AG") == "credit suisse group"
    assert name_key("Lerøy Seafood AS") == "lery seafood as"


@pytest.mark.django_db
def test_company_duplicates_proposes_the_group_with_its_own_score_and_label():
    for name in ["Credit Suisse AG", "Credit Suisse Group AG", "Credit Suisse International"]:
        CompanyFactory(name=name)
    CompanyFactory(name="Microsoft")
    CompanyFactory(name="Microsoft Europe")
    CompanyFactory(name="DHL Global Forwarding (China) Co., Ltd")
    CompanyFactory(name="DHL Global Forwarding (UK) Limited")
    CompanyFactory(name="Deutsche Bank AG")
    CompanyFactory(name="Deutsche Telekom AG")

    rows = {row.label: row.score for row in likely_same_group()}
    assert rows == {
        "same group: Credit Suisse Group AG is the group of Credit Suisse AG, "
        "Credit Suisse International": 90,
        "same group: Microsoft is the group of Microsoft Europe": 80,
        "same group: DHL Global Forwarding (China) Co., Ltd and "
        "DHL Global Forwarding (UK) Limited": 70,
    }
    assert likely_duplicates() == []  # one group, not one company
    out = io.StringIO()
    call_command("company_duplicates", stdout=out)
    assert "90  same group: Credit Suisse Group AG is the group of" in out.getvalue()
    assert "3 likely group(s) of companies (not duplicates)" in out.getvalue()
    assert Company.objects.count() == 9  # nothing merged


@pytest.mark.django_db
def test_ingest_puts_a_company_under_its_known_group_for_review_never_merging():
    group = company_for("Credit Suisse Group AG")
    bank = company_for("CREDIT SUISSE AG")
    international = company_for("Credit Suisse International")
    assert len({group, bank, international}) == 3
    assert bank.parent == group and international.parent == group
    assert bank.needs_review and group.parent is None


@pytest.mark.django_db
def test_ingest_does_not_put_a_group_under_a_company_of_it():
    bank = company_for("Credit Suisse AG")
    group = company_for("Credit Suisse Group AG")
    assert group.parent is None and bank.parent is None


@pytest.mark.django_db
def test_ingest_links_no_siblings_and_no_hard_negative():
    china = company_for("DHL Global Forwarding (China)")
    uk = company_for("DHL Global Forwarding (UK) Limited")
    assert china != uk and china.parent is None and uk.parent is None
    company_for("Deutsche Bank Group")
    assert company_for("Deutsche Telekom AG").parent is None
    company_for("Bank of America Group")
    assert company_for("Bank of China").parent is None


def test_group_parents_offer_the_group_words_first_then_the_bare_name():
    assert group_parents("Microsoft Europe")[:2] == [
        "microsoft europe group",
        "microsoft europe holding",
    ]
    assert "microsoft" in group_parents("Microsoft Europe")
    assert "credit suisse group" in group_parents("Credit Suisse International")
    assert group_parents("Credit Suisse Group AG") == []
    assert "amazon group" not in group_parents("Amazonas Energia")
