"""Merging duplicate companies: everything moves to the survivor, old addresses redirect."""

import io

import pytest
from django.core.management import call_command

from deals.company_merge import company_merge
from deals.models import Company, CompanyAlias, Party
from tests.factories import (
    CompanyFactory,
    DealFactory,
    InquiryFactory,
    PartyFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def audi():
    """Two rows for Audi, as two sources spell it, each with its own things."""
    survivor = CompanyFactory(name="Audi AG", slug="audi")
    duplicate = Company.objects.create(name="AUDI Aktiengesellschaft.", needs_review=True)
    CompanyAlias.objects.create(company=duplicate, name="Audi Deutschland")
    deal = DealFactory(title="Audi / Ducati")
    PartyFactory(deal=deal, company=duplicate, role="acquirer")
    both = DealFactory(title="Audi / Italdesign")
    PartyFactory(deal=both, company=survivor, role="acquirer")
    PartyFactory(deal=both, company=duplicate, role="acquirer")
    inquiry = InquiryFactory(title="Audi conduct case")
    inquiry.companies.add(duplicate)
    sub = CompanyFactory(name="Audi Sport", parent=duplicate)
    SubscriptionFactory(kind="company", deal=None, company=duplicate)
    return survivor, duplicate, deal, both, inquiry, sub


def test_merging_moves_everything_and_redirects(client, audi):
    survivor, duplicate, deal, both, inquiry, sub = audi
    old_url = duplicate.get_absolute_url()
    company_merge(survivor=survivor, others=[duplicate])

    assert not Company.objects.filter(pk=duplicate.pk).exists()
    assert list(deal.parties.values_list("company", flat=True)) == [survivor.pk]
    assert Party.objects.filter(deal=both).count() == 1
    assert list(inquiry.companies.all()) == [survivor]
    sub.refresh_from_db()
    assert sub.parent == survivor
    assert survivor.subscriptions.count() == 1
    # "AUDI Aktiengesellschaft." is "Audi AG" under another legal form: no alias needed.
    assert list(survivor.aliases.values_list("name", flat=True)) == ["Audi Deutschland"]
    assert survivor.history.filter(name="AUDI Aktiengesellschaft.").exists()
    response = client.get(old_url)
    assert response.status_code == 301 and response["Location"] == survivor.get_absolute_url()


def test_the_duplicates_command_lists_legal_form_twins_with_a_score(audi):
    CompanyFactory(name="Akzo Nobel AB")
    Company.objects.create(name="Akzo Nobel N.V.")
    out = io.StringIO()
    call_command("company_duplicates", stdout=out)
    text = out.getvalue()
    assert "100  Audi AG (/companies/audi/) | AUDI Aktiengesellschaft." in text
    assert "100  Akzo Nobel AB" in text


def test_an_editor_previews_then_merges_in_the_admin(client, editor, audi):
    survivor, duplicate, *_ = audi
    url = "/admin/deals/company/"
    picked = {"action": "merge_companies", "_selected_action": [survivor.pk, duplicate.pk]}

    preview = client.post(url, {**picked, "survivor": survivor.pk})
    assert preview.status_code == 200
    assert "What moves to Audi AG" in preview.text and "Audi Deutschland" in preview.text
    assert Company.objects.filter(pk=duplicate.pk).exists()  # a preview changes nothing

    done = client.post(url, {**picked, "survivor": survivor.pk, "confirm": "yes"}, follow=True)
    assert "Merged 1 company into Audi AG" in done.text
    assert not Company.objects.filter(pk=duplicate.pk).exists()


def test_a_hostile_survivor_value_is_a_preview_not_an_error(client, editor, audi):
    survivor, duplicate, *_ = audi
    picked = {"action": "merge_companies", "_selected_action": [survivor.pk, duplicate.pk]}
    response = client.post("/admin/deals/company/", {**picked, "survivor": "x'<", "confirm": "yes"})
    assert response.status_code == 200
    assert Company.objects.filter(pk=duplicate.pk).exists()


def test_admin_search_finds_a_company_under_another_legal_form(client, editor, audi):
    page = client.get("/admin/deals/company/", {"q": "Audi Aktiengesellschaft"})
    assert f"/admin/deals/company/{audi[0].pk}/change/" in page.text
