"""Canonical requests (deals/querystring.py `takes`, deals/cache.py `_page_key`): a page keeps one
cache entry however it is asked for, junk query strings make none, tracking parameters are
redirected away and parameters a page does not read are a 400 naming them."""

import random
import re
import string
import uuid
from html import unescape

import pytest
from django.core.cache import caches
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]

HOST = "dealwatch.example"


@pytest.fixture(autouse=True)
def page_cache(settings):
    """Pages and fragments cached in a local-memory cache of the test's own, to count its keys."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"canonical-requests-{uuid.uuid4()}",
            "OPTIONS": {"MAX_ENTRIES": 100_000},  # nothing culled: every entry made is counted
        }
    }
    settings.PAGE_CACHE = True
    settings.FRAGMENT_CACHE = True
    settings.ALLOWED_HOSTS = [HOST, "testserver"]


def entries(kind: str = "") -> int:
    """The cache's keys (those of `kind`, as "page", if given)."""
    keys = caches["default"]._cache
    return sum(1 for key in keys if f"dealwatch:{kind}" in key) if kind else len(keys)


# Addresses cached before the junk arrives: the junk below that a page reads means one of them.
KNOWN = ["", "page=0", "page=1", "page=1001", "sort=name", "status=cleared&type=merger"]


def junk_queries(count: int = 1000) -> list[str]:
    """Query strings a crawler or a fuzzer sends: unknown parameters alone or with real ones,
    known names in other spellings, PHP arrays, tracking parameters, reordered and repeated
    real parameters, page numbers that are not page numbers."""
    rng = random.Random(19)

    def word() -> str:
        return "".join(rng.choices(string.ascii_lowercase + string.digits, k=rng.randint(3, 12)))

    makers = [
        lambda: f"{word()}={word()}",
        lambda: f"status=cleared&{word()}=1",
        lambda: f"{rng.choice(['Status', 'SORT', 'Page', 'Q', 'type '])}={word()}",
        lambda: f"{rng.choice(['regulator', 'status', 'q'])}[{rng.randint(0, 9)}]={word()}",
        lambda: f"utm_{rng.choice(['source', 'medium', 'campaign'])}={word()}",
        lambda: f"{rng.choice(['fbclid', 'gclid', 'mc_cid', 'ref'])}={word()}&sort=name",
        lambda: f"utm_source={word()}&{word()}={word()}",
        lambda: "type=merger&status=cleared",
        lambda: f"page={rng.choice([word(), '-' + str(rng.randint(1, 10**6)), '0'])}",
        lambda: f"page={rng.randint(1001, 10**9)}",
        lambda: f"page={'0' * rng.randint(1, 5)}1",
        lambda: f"sort={rng.choice(['-name', 'status', '-announced'])}&sort=name",
    ]
    return [rng.choice(makers)() for _ in range(count)]


def test_a_thousand_junk_query_strings_make_no_cache_entries(client):
    for query in KNOWN:
        assert client.get(f"/deals/?{query}").status_code == 200
    before, pages = entries(), entries("page")
    answered: dict[int, int] = {}
    for query in junk_queries():
        status = client.get(f"/deals/?{query}").status_code
        answered[status] = answered.get(status, 0) + 1
    assert set(answered) <= {200, 301, 400}, answered
    assert (entries("page"), entries()) == (pages, before), answered
    # The positive control: a filter not asked for before is a page of its own.
    assert client.get("/deals/?status=blocked").status_code == 200
    assert entries("page") == pages + 1
    print(f"1,000 junk query strings on /deals/: {answered}, {pages} page entries before and after")


def test_parameter_order_host_case_and_default_port_give_one_entry(
    client, django_assert_num_queries
):
    assert Client(HTTP_HOST=HOST).get("/deals/?status=cleared&type=merger").status_code == 200
    pages = entries("page")
    for host, query in [
        ("DealWatch.Example", "type=merger&status=cleared"),
        (f"{HOST}:80", "status=cleared&type=merger"),
        (f"{HOST.upper()}:80", "type=merger&status=cleared"),
    ]:
        with django_assert_num_queries(0):
            response = Client(HTTP_HOST=host).get(f"/deals/?{query}")
        assert response.status_code == 200
    with django_assert_num_queries(0):
        assert Client(HTTP_HOST=f"{HOST}:443").get(
            "/deals/?status=cleared&type=merger", secure=True
        )
    assert entries("page") == pages + 1  # https is a page of its own, without its port
    # Values are kept as given, and a port that is not the scheme's default is another site.
    Client(HTTP_HOST=f"{HOST}:8080").get("/deals/?status=cleared&type=merger")
    assert entries("page") == pages + 2


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("/deals/?utm_source=newsletter&status=cleared", "/deals/?status=cleared"),
        ("/deals/?status=cleared&fbclid=abc&sort=name", "/deals/?status=cleared&sort=name"),
        ("/?gclid=1&ref=twitter", "/"),
        ("/deals/microsoft-mistral-ai/?mc_cid=42", "/deals/microsoft-mistral-ai/"),
        ("/deals/feed/?regulator=cma&utm_medium=rss", "/deals/feed/?regulator=cma"),
        ("/deals/export.csv?utm_campaign=x", "/deals/export.csv"),
    ],
)
def test_tracking_parameters_are_redirected_away(client, url, location):
    response = client.get(url)
    assert response.status_code == 301
    assert response["Location"] == location
    assert entries("page") == 0


@pytest.mark.parametrize(
    "url",
    [
        "/deals/?status=cleared&colour=red",
        "/?colour=red",
        "/deals/microsoft-mistral-ai/?colour=red",
        "/companies/microsoft/?colour=red",
        "/inquiries/?colour=red&utm_source=x",
        "/search/?q=figma&colour=red",
        "/stats/?colour=red",
        "/deadlines/?colour=red",
    ],
)
def test_a_parameter_a_page_does_not_read_is_a_400_page_naming_it(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "text/html" in response["Content-Type"]
    assert "the parameter “colour”, which this page does not read" in unescape(response.text)
    assert '<header class="site-header">' in response.text  # the site's layout
    assert entries("page") == 0


@pytest.mark.parametrize(
    "url",
    [
        "/feed/?colour=red",
        "/deals/feed/?status=cleared&colour=red",
        "/deals/microsoft-mistral-ai/feed/?colour=red",
        "/deals/export.csv?colour=red",
        "/inquiries/export.csv?colour=red",
        "/deals/calendar.ics?colour=red",
        "/deadlines/calendar.ics?colour=red",
        "/stats/reviews.csv?colour=red",
    ],
)
def test_feeds_exports_and_calendars_say_it_in_plain_text(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "the parameter “colour”, which this page does not read" in response.text


@pytest.mark.parametrize("query", ["%00=1", "a%00b=1", "%ff=1", "x" * 300 + "=1", "=1", "&&&="])
def test_a_hostile_parameter_name_is_a_400_that_shows_it_printable(client, query):
    response = client.get(f"/deals/?{query}")
    assert response.status_code == 400
    assert "\x00" not in response.text and "x" * 41 not in response.text


def test_many_unknown_parameters_are_named_a_few_at_a_time(client):
    response = client.get("/deals/?" + "&".join(f"p{n}=1" for n in range(9)))
    assert "“p0”, “p1”, “p2”, “p3”, “p4” (and 4 more)" in unescape(response.text)


def test_a_parameter_repeated_where_one_value_is_read_uses_the_last(client):
    response = client.get("/deals/?sort=-name&sort=name&q=x&q=microsoft")
    assert response.status_code == 200
    assert response.context["filter"].sort_key == "name"
    assert response.context["filter"].form.cleaned_data["q"] == "microsoft"


def links_with_a_query(client, path: str) -> set[str]:
    """The page's own links that carry a query string, as absolute paths (the API's aside)."""
    page = client.get(path)
    assert page.status_code == 200, path
    links = {unescape(href) for href in re.findall(r'href="([^"]*\?[^"]*)"', page.text)}
    links = {f"{path.split('?')[0]}{link}" if link.startswith("?") else link for link in links}
    return {link for link in links if link.startswith("/") and not link.startswith("/api/")}


def test_the_pages_own_forms_and_links_still_work(client, world):
    page = client.get("/deals/?q=microsoft&status=in_depth_review&sort=name")
    assert page.status_code == 200
    # The filter form submitted with every field left empty.
    empty = "&".join(f"{name}=" for name in page.context["filter"].form.fields)
    assert client.get(f"/deals/?{empty}").status_code == 200
    assert client.get("/deals/?announced_before=").status_code == 200
    # Every link with a query string: chips, sort headings, pagination, alternates, "its deals".
    links = set()
    for path in [
        "/deals/?q=microsoft&status=in_depth_review&sort=name",
        "/inquiries/?regulator=cma&sort=-opened",
        "/",
        world.microsoft.get_absolute_url(),
        "/regulators/cma/",
        "/search/?q=microsoft",
        "/stats/",
        "/deadlines/",
    ]:
        links |= links_with_a_query(client, path)
    assert len(links) > 10
    for link in sorted(links):
        assert client.get(link).status_code == 200, link
    for url in [
        "/deals/?page=2",
        "/inquiries/?page=1&sort=-opened",
        "/deadlines/?source=&within=&regulator=cma",
        "/stats/?jurisdiction=&sector=&from_year=&to_year=",
        "/search/?q=",
        "/companies/?page=1",
        "/regulators/",
        "/deals/feed/?regulator=cma&page=2",
    ]:
        assert client.get(url).status_code == 200, url


def test_a_page_number_is_keyed_by_the_page_it_gives(client):
    client.get("/deals/?page=1")
    pages = entries("page")
    for number in ["01", "001", "1", "%201", "+1"]:
        assert client.get(f"/deals/?page={number}").status_code == 200
    assert entries("page") == pages
