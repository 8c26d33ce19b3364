"""Fragments keyed by their object's own revision (deals/derived.py `revise`, deals/cache.py
`cached_each`): a write renders again the rows, charts and timelines it changed, and no other.

Each test changes a second object behind the cache's back (an UPDATE no signal sees, so its
revision stays): its cached fragment still shows the old text, which proves it was not rendered
again; then, as the positive control, revising it shows the new text."""

import pytest

from deals.derived import revise
from deals.models import Company, Deal, Event, StatusChange
from deals.vocabulary import Stage
from tests.factories import (
    CompanyFactory,
    DealFactory,
    EventFactory,
    InquiryFactory,
    PartyFactory,
    cma,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fragments(settings):
    settings.PAGE_CACHE = False
    settings.FRAGMENT_CACHE = True


def quietly_retitled(deal: Deal, title: str) -> None:
    """A change no signal sees: the deal's revision, and so its cached fragments, stay."""
    Deal.objects.filter(pk=deal.pk).update(title=title)


def test_a_save_renders_its_deals_row_again_and_no_other(client):
    alpha, beta = DealFactory(title="Alpha / One"), DealFactory(title="Beta / Two")
    assert "Beta / Two" in client.get("/deals/").text  # both rows now cached
    quietly_retitled(beta, "Beta / Quietly")
    alpha.title = "Alpha / Renamed"
    alpha.save()

    listed = client.get("/deals/").text
    assert "Alpha / Renamed" in listed  # its row was rendered again
    assert "Beta / Two" in listed and "Beta / Quietly" not in listed  # from the cache

    revise(deal_ids=[beta.pk])
    assert "Beta / Quietly" in client.get("/deals/").text


def test_a_new_event_renders_its_deals_timeline_again_and_no_other(client):
    alpha, beta = DealFactory(title="Alpha / One"), DealFactory(title="Beta / Two")
    EventFactory(deal=alpha, title="Alpha announced")
    beta_event = EventFactory(deal=beta, title="Beta announced")
    assert "Beta announced" in client.get(beta.get_absolute_url()).text
    client.get(alpha.get_absolute_url())
    Event.objects.filter(pk=beta_event.pk).update(title="Beta quietly")
    EventFactory(deal=alpha, title="Alpha completed")

    assert "Alpha completed" in client.get(alpha.get_absolute_url()).text
    beta_page = client.get(beta.get_absolute_url()).text
    assert "Beta announced" in beta_page and "Beta quietly" not in beta_page

    revise(deal_ids=[beta.pk])
    assert "Beta quietly" in client.get(beta.get_absolute_url()).text


def test_an_inquiry_row_follows_its_deals_title(client):
    inquiry = InquiryFactory(regulator=cma(), stage=Stage.PHASE_1, reference="ME/7/24")
    other = InquiryFactory(regulator=cma(), stage=Stage.PHASE_1, reference="ME/8/24")
    listed = client.get("/inquiries/").text
    assert inquiry.deal.title in listed and other.deal.title in listed
    quietly_retitled(other.deal, "Other / Quietly")
    inquiry.deal.title = "Renamed / Deal"
    inquiry.deal.save()

    listed = client.get("/inquiries/").text
    assert "Renamed / Deal" in listed
    assert "Other / Quietly" not in listed

    revise(deal_ids=[other.deal_id])
    assert "Other / Quietly" in client.get("/inquiries/").text


def test_renaming_a_company_renders_its_deals_api_rows_again(client):
    acquirer = CompanyFactory(name="Initech")
    deal = DealFactory(title="Initech / Widgets")
    PartyFactory(deal=deal, company=acquirer)
    bystander = DealFactory(title="Bystander / Deal")
    assert "Initech" in client.get("/api/v1/deals/").text
    quietly_retitled(bystander, "Bystander / Quietly")
    acquirer.name = "Initrode"
    acquirer.save()

    listed = client.get("/api/v1/deals/").text
    assert "Initrode" in listed
    assert "Bystander / Quietly" not in listed

    revise(deal_ids=[bystander.pk])
    assert "Bystander / Quietly" in client.get("/api/v1/deals/").text


def test_marking_imported_deals_reviewed_renders_their_rows_again(client, admin_client):
    deal = DealFactory(title="Imported / Deal", needs_review=True)
    assert "imported, not yet checked" in client.get("/deals/").text
    response = admin_client.post(
        "/admin/deals/deal/",
        {"action": "mark_reviewed", "_selected_action": [deal.pk]},
    )
    assert response.status_code == 302
    assert "imported, not yet checked" not in client.get("/deals/").text
    assert "Imported / Deal" in client.get("/deals/").text


def test_a_corrected_status_change_and_a_merge_give_new_revisions():
    """What no cached fragment shows today, but the next one may: revised all the same."""
    inquiry = InquiryFactory(regulator=cma(), stage=Stage.PHASE_1)
    deal = inquiry.deal
    change = StatusChange.objects.filter(deal=deal).first() or StatusChange.objects.create(
        deal=deal, old_value="", new_value="under_review"
    )
    before = Deal.objects.get(pk=deal.pk).revision
    change.save()
    assert Deal.objects.get(pk=deal.pk).revision != before

    from deals.company_merge import company_merge

    survivor, other = CompanyFactory(name="Survivor"), CompanyFactory(name="Other")
    inquiry.companies.add(other)
    before = type(inquiry).objects.get(pk=inquiry.pk).revision
    company_merge(survivor=survivor, others=[other])
    assert type(inquiry).objects.get(pk=inquiry.pk).revision != before
    assert list(type(inquiry).objects.get(pk=inquiry.pk).companies.all()) == [
        Company.objects.get(name="Survivor")
    ]
