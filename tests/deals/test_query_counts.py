"""Every public page runs a fixed number of queries, whatever the amount of data (issue 9)."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.models import Company, Deal
from deals.vocabulary import AntitrustStatus

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 27)
# Page -> the queries it runs: the page cache off, the shared aggregates (facets, regulator
# counts) cached as they are between writes. An abandoned deal's page reads its events once.
PAGES = {
    "/": 4,
    "/deals/": 4,
    "/deals/?q=microsoft": 4,
    # The jurisdiction's regulators first (a score of rows), then its deals by regulator.
    "/deals/?jurisdiction=EU&announced_after=2020-01-01&sort=-activity": 5,
    "/deals/?page=2000": 4,
    # The deal, its parties, inquiries, status changes and timeline; the inquiries again with
    # their events and stored phases (what the rows and the chart read when not cached).
    "{deal}": 8,
    "{abandoned}": 9,
    "/inquiries/": 3,
    "/inquiries/?q=M.1": 3,
    "{company}": 9,
    "/companies/": 2,
    "/regulators/": 1,
    "/regulators/ec/": 4,
    "/deadlines/": 2,
    "/stats/": 2,
    "/statuses/": 0,
    "/api/v1/deals/": 3,
    "/feed/": 1,
    "/deals/feed/": 1,
    "{deal}feed/": 3,
}


@pytest.fixture
def urls():
    call_command("seed_bench", deals=150, today=TODAY, no_progress=True)
    with_inquiries = Deal.objects.filter(inquiries__isnull=False).order_by("pk")
    first = with_inquiries.exclude(antitrust_status=AntitrustStatus.ABANDONED).first()
    abandoned = with_inquiries.filter(antitrust_status=AntitrustStatus.ABANDONED).first()
    microsoft = Company.objects.get(name="Microsoft")
    replace = {
        "{deal}": first.get_absolute_url(),
        "{abandoned}": abandoned.get_absolute_url(),
        "{company}": microsoft.get_absolute_url(),
    }
    resolved = {}
    for page, most in PAGES.items():
        for key, value in replace.items():
            page = page.replace(key, value)
        resolved[page] = most
    return resolved


def test_each_public_page_runs_a_fixed_number_of_queries(client, urls, settings):
    settings.FRAGMENT_CACHE = False  # with it, a deal page whose timeline is cached runs one less
    counts = {}
    for url in urls:
        client.get(url)  # fill the shared aggregates, as a running site has them
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[url] = len(queries)
    differ = {url: (counts[url], urls[url]) for url in urls if counts[url] != urls[url]}
    assert not differ, f"(queries run, expected): {differ}"
