"""The numbers beside the checkboxes of /deals/ and /inquiries/ (deals.filters.BaseFilter.
facet_counts): each is the number of rows the list shows when that box is ticked and nothing
else in its group, keeping every other active filter. So `?regulator=cma` shows the CMA's
counts beside each status, while the regulator group still shows every regulator's number (a
group's own selection does not narrow its own counts). Cached per content version under the
canonical query of the other filters; a fixed number of grouped queries each."""

import re
from html import unescape

import pytest
from django.db import connection
from django.db.models import Count
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from deals.filters import DealFilter, InquiryFilter
from deals.models import Deal, Inquiry, Regulator
from deals.vocabulary import AntitrustStatus, DealLife
from tests.factories import DealFactory, InquiryFactory, cma

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_world")]

CHECKBOX = re.compile(
    r'<input type="checkbox" name="(\w+)" value="([^"]*)"[^>]*>\s*([^<]*?) · (\d+)\s*</label>'
)


def shown_counts(client, path: str) -> dict[str, dict[str, int]]:
    """What the page shows beside each checkbox: group -> value -> number."""
    response = client.get(path)
    assert response.status_code == 200, path
    counts: dict[str, dict[str, int]] = {}
    for name, value, _label, number in CHECKBOX.findall(unescape(response.text)):
        counts.setdefault(name, {})[value] = int(number)
    return counts


def rows(client, path: str, query: str) -> int:
    """How many rows the page lists with `query`."""
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200
    assert response.context["filter"].is_valid(), (query, response.context["filter"].errors)
    return response.context["page"].paginator.count


LISTS = {
    "/deals/": (DealFilter, Deal.objects.published),
    "/inquiries/": (InquiryFilter, Inquiry.objects.public),
}


def rows_of_the_filterset(path: str, query: str) -> int:
    """The same, from the page's FilterSet alone (the page lists its results)."""
    filterset_class, rows_of = LISTS[path]
    filterset = filterset_class(QueryDict(query), queryset=rows_of())
    assert filterset.is_valid(), (query, filterset.errors)
    return filterset.results().count()


def without(query: str, name: str) -> list[str]:
    return [pair for pair in query.split("&") if pair and not pair.startswith(f"{name}=")]


FACETS = {"/deals/": DealFilter.FACETS, "/inquiries/": InquiryFilter.FACETS}


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/deals/", ""),
        ("/deals/", "regulator=cma"),
        ("/deals/", "regulator=cma&status=cleared&status=in_depth_review"),
        ("/deals/", "jurisdiction=US&state=open&life=announced"),
        ("/deals/", "q=microsoft&type=acquisition"),
        ("/inquiries/", ""),
        ("/inquiries/", "regulator=cma"),
        ("/inquiries/", "state=closed&kind=merger_review&jurisdiction=EU"),
        ("/inquiries/", "decided_after=2020-01-01&stage=closed"),
    ],
)
def test_each_number_is_the_rows_that_ticking_it_shows(client, path, query):
    shown = shown_counts(client, f"{path}?{query}")
    assert set(shown) == set(FACETS[path])  # every group has its numbers
    checked = 0
    for group, by_value in shown.items():
        others = without(query, group)
        for value, number in by_value.items():
            ticked = "&".join([*others, f"{group}={value}"])
            assert rows_of_the_filterset(path, ticked) == number, (query, group, value)
            checked += 1
        # The page itself, for the group's first value.
        value, number = next(iter(by_value.items()))
        assert rows(client, path, "&".join([*others, f"{group}={value}"])) == number
    assert checked > 20
    # Non-trivially: some number is not zero, and (filtered) some differ from the unfiltered.
    assert any(n for by_value in shown.values() for n in by_value.values())


def test_a_regulator_shows_its_own_counts_and_keeps_the_other_regulators(client):
    cleared = Deal.objects.published().filter(antitrust_status=AntitrustStatus.CLEARED)
    everywhere, at_cma = cleared.count(), cleared.reviewed_by([cma()]).count()
    assert 0 < at_cma < everywhere  # the demo has cleared deals elsewhere too

    unfiltered = shown_counts(client, "/deals/")
    filtered = shown_counts(client, "/deals/?regulator=cma")
    assert unfiltered["status"]["cleared"] == everywhere
    assert filtered["status"]["cleared"] == at_cma
    assert f"Cleared · {at_cma}</label>" in unescape(client.get("/deals/?regulator=cma").text)
    # The regulator group is not narrowed by its own selection: EC's number stays.
    assert filtered["regulator"] == unfiltered["regulator"]
    assert filtered["regulator"]["ec"] > 0
    # Another filter narrows it: the regulators of cleared deals only.
    assert shown_counts(client, "/deals/?status=cleared")["regulator"]["cma"] == at_cma


def test_the_unfiltered_counts_are_those_of_the_whole_list_as_before(client):
    """The counts as they were computed before (grouped over every published deal and public
    inquiry), beside the boxes of the unfiltered pages."""
    deals = Deal.objects.published().order_by()
    published = Inquiry.objects.filter(deal__is_published=True).order_by()

    def grouped(queryset, field, counted="pk"):
        found = queryset.values(field).annotate(n=Count(counted, distinct=True))
        return {str(row[field]): row["n"] for row in found if row["n"]}

    before = {
        "status": grouped(deals, "antitrust_status"),
        "type": grouped(deals, "deal_type"),
        "life": {life: n for life in DealLife.values if (n := deals.in_life([life]).count())},
        "regulator": grouped(published, "regulator__slug", "deal"),
        "jurisdiction": grouped(published, "regulator__jurisdiction", "deal"),
    }
    shown = shown_counts(client, "/deals/")
    for group, by_value in before.items():
        assert {v: n for v, n in shown[group].items() if n} == by_value, group
    inquiries = Inquiry.objects.public().order_by()
    shown = shown_counts(client, "/inquiries/")
    for group, field in [("stage", "stage"), ("kind", "kind"), ("regulator", "regulator__slug")]:
        assert {v: n for v, n in shown[group].items() if n} == grouped(inquiries, field), group


def grouped_queries(queries) -> int:
    return sum(1 for query in queries if " GROUP BY " in query["sql"])


def test_counts_are_cached_by_the_query_of_the_other_filters(client):
    client.get("/deals/")  # the whole list's counts
    with CaptureQueriesContext(connection) as first:
        client.get("/deals/?regulator=cma&status=cleared")
    assert grouped_queries(first) > 0
    with CaptureQueriesContext(connection) as again:
        client.get("/deals/?status=cleared&sort=name&regulator=cma&page=1")
    assert grouped_queries(again) == 0  # the same filters, however written
    # ?regulator=cma's status counts are over regulator=cma, as the status group's were above;
    # its regulator counts are the whole list's: both cached already.
    with CaptureQueriesContext(connection) as reused:
        client.get("/deals/?regulator=cma")
    assert grouped_queries(reused) == 0
    # The positive control: filters not seen before are counted.
    with CaptureQueriesContext(connection) as new:
        client.get("/deals/?regulator=ec")
    assert grouped_queries(new) > 0


def test_the_counts_follow_a_write(client):
    before = shown_counts(client, "/deals/?regulator=cma")["status"]["cleared"]
    deal = DealFactory(title="Newly / Cleared")
    InquiryFactory(deal=deal, regulator=cma(), stage="closed", outcome="cleared")
    deal.refresh_from_db()
    assert deal.antitrust_status == AntitrustStatus.CLEARED
    assert shown_counts(client, "/deals/?regulator=cma")["status"]["cleared"] == before + 1


@pytest.mark.parametrize(
    ("path", "query", "per_entry"),
    [
        ("/deals/", "regulator=cma&status=cleared&type=acquisition&state=open", 2),
        ("/inquiries/", "regulator=cma&stage=closed&kind=merger_review&state=closed", 1),
    ],
)
def test_a_bounded_number_of_grouped_queries(client, path, query, per_entry):
    """Each cache entry is a fixed number of grouped queries (deals: one over the deals, one
    over their regulators and jurisdictions; inquiries: one), whatever the data; a page with n
    groups ticked reads n + 1 entries."""
    with CaptureQueriesContext(connection) as cold:
        assert client.get(f"{path}?{query}").status_code == 200
    entries = len({pair.split("=")[0] for pair in query.split("&")}) + 1
    assert 0 < grouped_queries(cold) <= per_entry * entries
    # More data, the same number of queries.
    for n in range(5):
        InquiryFactory(deal=DealFactory(title=f"More {n}"), regulator=cma(), stage="closed")
    Regulator.objects.get(slug="cma")  # (the write bumped the content version: all cold again)
    with CaptureQueriesContext(connection) as more:
        assert client.get(f"{path}?{query}").status_code == 200
    assert grouped_queries(more) == grouped_queries(cold)


def test_an_invalid_filter_shows_the_whole_lists_counts(client):
    unfiltered = shown_counts(client, "/deals/")
    invalid = shown_counts(client, "/deals/?regulator=cma&decided_after=2024-13-45")
    assert invalid == unfiltered
    # The positive control: the same filter, valid, narrows them.
    assert shown_counts(client, "/deals/?regulator=cma&decided_after=2000-01-01") != unfiltered
