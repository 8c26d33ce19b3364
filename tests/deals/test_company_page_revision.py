"""A company's page is kept under the company's own revision (issue 22: "a company's by its
own"), as a deal's page is kept under the deal's: after a write to anything else it is served
from the cache; after a write to anything it shows it is rendered again at once.

As in test_fragments_keyed_by_what_they_show.py, the company is renamed behind the cache's back
(an UPDATE no signal sees): the old name on the page proves it was not rendered again, the new
name proves it was. Each write in WRITES is one an editor or ingest makes to something the page
shows; with a write the revision misses, the page keeps the old name and its test fails."""

import datetime

import pytest

from deals.company_merge import company_merge
from deals.models import Company, Deal, Party
from deals.vocabulary import PartyRole, Stage
from tests.factories import (
    CompanyAliasFactory,
    CompanyFactory,
    DealFactory,
    EventFactory,
    InquiryFactory,
    PartyFactory,
    cma,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]
TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def caches(settings):
    settings.PAGE_CACHE = True
    settings.FRAGMENT_CACHE = True
    settings.AGGREGATE_STALE_SECONDS = 0


def quietly_renamed(company: Company, name: str) -> None:
    """A change no signal sees: the company's revision stays."""
    Company.objects.filter(pk=company.pk).update(name=name)


def a_write_elsewhere() -> None:
    """A real write (the content version moves on) to a deal of another company."""
    other = PartyFactory(deal=DealFactory(title="Bystander / Deal"), company=CompanyFactory()).deal
    other.title = "Bystander / Renamed"
    other.save()


@pytest.fixture
def group():
    """Figma, part of Adobe Group, party to one published deal with a CMA review; a deal-less
    case concerning Figma directly."""
    adobe = CompanyFactory(name="Adobe Group")
    figma = CompanyFactory(name="Figma", parent=adobe)
    deal = DealFactory(title="Adobe / Figma")
    PartyFactory(deal=deal, company=figma, role=PartyRole.TARGET)
    review = InquiryFactory(deal=deal, regulator=cma(), stage=Stage.PHASE_1, reference="ME/1/24")
    case = InquiryFactory(deal=None, regulator=cma(), reference="CE/9/24", title="Design tools")
    case.companies.add(figma)
    return adobe, figma, deal, review, case


def test_a_company_page_is_not_rendered_again_after_a_write_to_another_company(
    client, group, django_assert_num_queries
):
    adobe, figma, deal, *_ = group
    url = figma.get_absolute_url()
    page, feed = client.get(url).text, client.get(f"{url}feed/").text
    assert "Figma" in page and "Adobe / Figma" in page and "CE/9/24" in page
    quietly_renamed(figma, "Quietly Renamed")
    a_write_elsewhere()

    with django_assert_num_queries(1):  # the company's revision: unchanged, the page it keeps
        assert client.get(url).text == page
    with django_assert_num_queries(0):  # kept under the new content version too
        assert client.get(url).text == page
    assert client.get(f"{url}feed/").text == feed  # its feed too

    figma.refresh_from_db()
    figma.description = "Collaborative design."  # a write to the company: its page at once
    figma.save()
    page = client.get(url).text
    assert "Quietly Renamed" in page and "Collaborative design." in page
    EventFactory(deal=deal, inquiry=None, title="Completed", occurred_on=TODAY)
    assert "Completed" in client.get(f"{url}feed/").text


def _review_renumbered(adobe, figma, deal, review, case):
    review.reference = "ME/2/24"
    review.save()


def _new_event_on_the_deal(adobe, figma, deal, review, case):
    EventFactory(deal=deal, inquiry=None, title="Completed", occurred_on=TODAY)


def _deal_retitled(adobe, figma, deal, review, case):
    deal.title = "Adobe / Figma (abandoned)"
    deal.save()


def _deal_unpublished(adobe, figma, deal, review, case):
    deal.is_published = False
    deal.save()


def _deal_deleted(adobe, figma, deal, review, case):
    Deal.objects.filter(pk=deal.pk).delete()


def _party_removed(adobe, figma, deal, review, case):
    Party.objects.filter(deal=deal, company=figma).delete()


def _party_moved_to_another_company(adobe, figma, deal, review, case):
    party = Party.objects.get(deal=deal, company=figma)
    party.company = CompanyFactory(name="Someone Else")
    party.save()


def _new_deal(adobe, figma, deal, review, case):
    PartyFactory(deal=DealFactory(title="Figma / Diagram"), company=figma)


def _case_no_longer_concerns_it(adobe, figma, deal, review, case):
    case.companies.remove(figma)


def _case_cleared_of_companies(adobe, figma, deal, review, case):
    case.companies.clear()


def _case_removed_from_the_companys_side(adobe, figma, deal, review, case):
    figma.inquiries.remove(case)


def _case_deleted(adobe, figma, deal, review, case):
    case.delete()


def _alias_added(adobe, figma, deal, review, case):
    CompanyAliasFactory(company=figma, name="Figma Inc.")


def _regulator_renamed(adobe, figma, deal, review, case):
    regulator = review.regulator
    regulator.short_name = "UK CMA"
    regulator.save()


def _group_renamed(adobe, figma, deal, review, case):
    adobe.name = "Adobe Inc."
    adobe.save()


def _left_the_group(adobe, figma, deal, review, case):
    figma.refresh_from_db()
    figma.parent = None
    figma.save()


def _group_deleted(adobe, figma, deal, review, case):
    adobe.delete()


def _merged_into_another(adobe, figma, deal, review, case):
    company_merge(survivor=Company.objects.get(name="Figma Design"), others=[figma])


# (write, the company whose page is looked at, what it shows after the write); "Quietly
# Renamed" is Figma's new name, shown wherever the page names Figma.
WRITES = [
    (_review_renumbered, "figma", "ME/2/24"),
    (_new_event_on_the_deal, "figma", "Quietly Renamed"),
    (_deal_retitled, "figma", "Adobe / Figma (abandoned)"),
    (_deal_unpublished, "figma", "Quietly Renamed"),
    (_deal_deleted, "figma", "Quietly Renamed"),
    (_party_removed, "figma", "Quietly Renamed"),
    (_party_moved_to_another_company, "figma", "Quietly Renamed"),
    (_new_deal, "figma", "Figma / Diagram"),
    (_case_no_longer_concerns_it, "figma", "Quietly Renamed"),
    (_case_cleared_of_companies, "figma", "Quietly Renamed"),
    (_case_removed_from_the_companys_side, "figma", "Quietly Renamed"),
    (_case_deleted, "figma", "Quietly Renamed"),
    (_alias_added, "figma", "Figma Inc."),
    (_regulator_renamed, "figma", "UK CMA"),
    (_group_renamed, "figma", "Adobe Inc."),
    (_left_the_group, "figma", "Quietly Renamed"),
    (_group_deleted, "figma", "Quietly Renamed"),
    # The group's page lists its subsidiaries' deals, and names them.
    (_review_renumbered, "adobe", "ME/2/24"),
    (_new_deal, "adobe", "Figma / Diagram"),
    (_group_renamed, "adobe", "Adobe Inc."),
    (_alias_added, "adobe", "Quietly Renamed"),
    (_merged_into_another, "survivor", "Adobe / Figma"),
]


@pytest.mark.parametrize(
    ("write", "looked_at", "shown"), WRITES, ids=[write.__name__[1:] for write, *_ in WRITES]
)
def test_a_write_to_what_a_company_page_shows_renders_it_again(
    client, group, write, looked_at, shown
):
    adobe, figma, *_ = group
    looked_at = {
        "figma": figma,
        "adobe": adobe,
        "survivor": CompanyFactory(name="Figma Design"),
    }[looked_at]
    url = looked_at.get_absolute_url()
    before = client.get(url).text
    assert shown not in before
    quietly_renamed(figma, "Quietly Renamed")
    assert client.get(url).text == before  # kept: nothing it shows was written

    write(*group)

    assert shown in client.get(url).text


def test_the_company_list_is_kept_until_a_company_it_shows_changes(
    client, group, django_assert_max_num_queries
):
    adobe, figma, deal, *_ = group
    page = client.get("/companies/").text
    assert "Figma" in page and "1 deal" in page
    quietly_renamed(figma, "Quietly Renamed")
    unlisted = DealFactory(title="No Parties / Yet")  # a real write; no company lists it
    unlisted.title = "No Parties / Still"
    unlisted.save()

    with django_assert_max_num_queries(3):  # the count and the page's revisions
        assert client.get("/companies/").text == page

    PartyFactory(deal=DealFactory(title="Figma / Diagram"), company=figma)  # its deals: 2
    page = client.get("/companies/").text
    assert "Quietly Renamed" in page and "2 deals" in page

    PartyFactory(deal=unlisted, company=CompanyFactory(name="Newly On Record"))
    assert "Newly On Record" in client.get("/companies/").text
    adobe.name = "Adobe Inc."  # not on record (no deal): a write, but not to the list
    adobe.save()
    assert "Adobe" not in client.get("/companies/").text
    Party.objects.filter(company=figma).delete()  # on record still, by its case alone
    page = client.get("/companies/").text
    assert 'Quietly Renamed</a> <span class="muted">0 deals' in page
    figma.inquiries.clear()
    page = client.get("/companies/").text
    assert "Quietly Renamed" not in page and "Newly On Record" in page
