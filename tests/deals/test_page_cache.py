"""The page cache (deals/cache.py): whole public pages from Redis, never stale after a write."""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from deals.models import ClockStop, Deal, StatusChange
from deals.vocabulary import EventKind, InquiryKind, Stage
from tests.admin_forms import inline_inquiry_closed
from tests.factories import (
    CompanyFactory,
    DealFactory,
    EventFactory,
    InquiryFactory,
    RegulatorFactory,
    cma,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE = True


@pytest.fixture
def deal():
    inquiry = InquiryFactory(regulator=cma(), stage=Stage.PHASE_1, reference="ME/1/24")
    return inquiry.deal


@pytest.fixture
def editor_client():
    user = User.objects.create_user("eddie", "eddie@example.org", "pw-eddie-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(user)
    return client


def test_a_second_visit_is_served_from_the_cache_without_a_query(
    client, deal, django_assert_num_queries
):
    first = client.get(deal.get_absolute_url())
    with django_assert_num_queries(0):
        second = Client().get(deal.get_absolute_url())
    assert second.status_code == 200
    assert second.text == first.text
    assert "Get email updates" in second.text


def test_an_editor_who_saves_a_status_in_the_admin_sees_it_at_once(client, deal, editor_client):
    url = deal.get_absolute_url()
    assert "Under review" in client.get(url).text
    assert "Under review" in client.get(url).text  # now from the cache
    assert "status-under_review" in client.get("/deals/").text

    response = editor_client.post(
        f"/admin/deals/deal/{deal.pk}/change/", inline_inquiry_closed(deal)
    )
    assert response.status_code == 302

    # The editor, and every visitor whose page came from the cache a moment ago.
    assert "Cleared" in editor_client.get(url).text
    # The badge (the status changes list below it says "Under review → Cleared").
    page = client.get(url).text
    assert "status status-cleared" in page and "status status-under_review" not in page
    assert "status-under_review" not in client.get("/deals/").text


def test_an_editor_who_saves_a_status_sees_the_change_listed_at_once(client, deal, editor_client):
    url = deal.get_absolute_url()
    client.get(url)
    assert "Under review → Cleared" not in client.get(url).text  # from the cache
    response = editor_client.post(
        f"/admin/deals/deal/{deal.pk}/change/", inline_inquiry_closed(deal)
    )
    assert response.status_code == 302
    assert "Under review → Cleared" in editor_client.get(url).text
    assert "Under review → Cleared" in client.get(url).text


def test_a_status_change_or_clock_stop_written_alone_is_not_served_stale(client, deal):
    url = deal.get_absolute_url()
    client.get(url)
    assert queries(client, url) == 0  # positive control: from the cache
    StatusChange.objects.create(deal=deal, old_value="under_review", new_value="cleared")
    assert "Under review → Cleared" in client.get(url).text
    assert queries(client, url) == 0
    ClockStop.objects.create(inquiry=deal.inquiries.get(), stopped_on=datetime.date(2024, 3, 1))
    assert queries(client, url) > 0


def test_an_event_added_in_code_shows_on_the_cached_timeline(client, deal):
    url = deal.get_absolute_url()
    assert "Phase 2 opened today" not in client.get(url).text
    EventFactory(
        deal=None,
        inquiry=deal.inquiries.get(),
        kind=EventKind.PHASE_2_OPENED,
        title="Phase 2 opened today",
    )
    assert "Phase 2 opened today" in client.get(url).text


def test_a_write_with_update_that_calls_content_changed_shows_at_once(client):
    """The daily refresh of time-dependent statuses writes with UPDATE, not save()."""
    deal = DealFactory()
    InquiryFactory(
        deal=deal,
        kind=InquiryKind.INFORMAL_REVIEW,
        stage=Stage.INFORMAL,
        reference="",
        opened_on=datetime.date.today() - datetime.timedelta(days=30),
    )
    assert "Informal scrutiny" in client.get(deal.get_absolute_url()).text
    Deal.objects.filter(pk=deal.pk).update(antitrust_status="cleared")  # no signal: stale
    assert "Informal scrutiny" in client.get(deal.get_absolute_url()).text
    assert Deal.objects.with_informal_looks().refresh_statuses() == 1
    assert "Informal scrutiny" in client.get(deal.get_absolute_url()).text
    assert "Cleared" not in client.get(deal.get_absolute_url()).text


def test_facets_and_counts_follow_the_data(client):
    DealFactory(sector="Semiconductors")
    assert "Video games" not in client.get("/deals/").text
    DealFactory(sector="Video games")
    assert client.get("/deals/?sector=Video+games").context["page"].paginator.count == 1
    regulator = RegulatorFactory(short_name="XYZ", slug="xyz", jurisdiction="ZZ")
    before = client.get("/regulators/").text
    InquiryFactory(regulator=regulator, stage=Stage.PHASE_1)
    after = client.get("/regulators/").text
    assert before != after


def subscribe_post(client, deal, **headers):
    return client.post(
        "/subscriptions/subscribe/",
        {
            "email": "reader@example.org",
            "target": "deal",
            "deal": deal.pk,
            "frequency": "daily",
            "next": deal.get_absolute_url(),
        },
        **headers,
    )


def test_a_cached_page_holds_no_token_sets_no_cookie_and_its_form_still_subscribes(deal):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(deal.get_absolute_url())
    page = second.get(deal.get_absolute_url())  # from the cache

    assert 'action="/subscriptions/subscribe/"' in page.text  # the form is there
    assert "csrfmiddlewaretoken" not in page.text and "__dealwatch_csrf_token__" not in page.text
    assert not page.cookies
    assert "Cookie" not in page.get("Vary", "")
    response = subscribe_post(second, deal, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302
    assert response["Location"] == "/subscriptions/subscribe/check-your-email/"


def test_a_subscribe_post_from_another_site_is_refused_and_says_why(deal):
    client = Client(enforce_csrf_checks=True)

    forged = subscribe_post(client, deal, HTTP_ORIGIN="https://evil.example")
    by_referer = subscribe_post(client, deal, HTTP_REFERER="https://evil.example/page")
    tool = subscribe_post(client, deal)  # no Origin, no Referer: no browser another site drives

    assert forged.status_code == by_referer.status_code == 403
    assert "came from another website" in forged.text
    assert tool.status_code == 302


def test_an_unchanged_page_answers_304_to_its_etag_and_200_after_a_change(client, deal):
    url = deal.get_absolute_url()
    response = client.get(url)
    etag = response["ETag"]
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {
        "public",
        "max-age=0",
        "s-maxage=60",
        "stale-while-revalidate=30",
    }
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert queries(client, url, HTTP_IF_NONE_MATCH=etag) == 0
    InquiryFactory(deal=deal, regulator=RegulatorFactory(), stage=Stage.PHASE_2)
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_revalidation_is_answered_from_the_version_without_reading_the_page(
    client, deal, monkeypatch
):
    url = deal.get_absolute_url()
    etag = client.get(url)["ETag"]
    read = []
    monkeypatch.setattr("deals.cache.current", lambda key: read.append(key) or (None, None))

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert read == []
    # Positive control: another ETag is not answered from the version, the page is read.
    assert client.get(url, HTTP_IF_NONE_MATCH='W/"1-x"').status_code == 200
    assert len(read) == 1


def test_a_feed_is_public_to_proxies(client, deal):
    response = client.get("/feed/")
    assert "public" in response["Cache-Control"] and response["ETag"]


def queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url, **headers)
    return len(captured)


def test_an_editor_who_used_the_admin_is_never_served_from_the_cache(client, deal, editor_client):
    client.get(deal.get_absolute_url())
    assert queries(client, deal.get_absolute_url()) == 0  # positive control
    assert "dealwatch_editor" in editor_client.get("/admin/").cookies

    response = editor_client.get(deal.get_absolute_url())

    assert queries(editor_client, deal.get_absolute_url()) > 0
    assert {part.strip() for part in response["Cache-Control"].split(",")} == {
        "private",
        "no-cache",
    }


def test_a_made_up_session_or_editor_cookie_is_served_from_the_cache(client, deal):
    client.get(deal.get_absolute_url())
    junk = Client()
    junk.cookies["sessionid"] = "x"
    assert queries(junk, deal.get_absolute_url()) == 0
    junk.cookies["dealwatch_editor"] = "1:forged:signature"
    assert queries(junk, deal.get_absolute_url()) == 0
    assert "public" in junk.get(deal.get_absolute_url())["Cache-Control"]


def test_signing_out_of_the_admin_removes_the_editor_cookie(editor_client):
    assert editor_client.get("/admin/").cookies["dealwatch_editor"].value

    response = editor_client.post("/admin/logout/")

    assert response.cookies["dealwatch_editor"].value == ""  # deleted
    assert response.cookies["dealwatch_editor"]["max-age"] == 0


def test_without_the_cache_setting_every_request_reads_the_database(client, deal, settings):
    settings.PAGE_CACHE = False
    client.get(deal.get_absolute_url())
    assert queries(client, deal.get_absolute_url()) > 0


def test_a_company_named_in_an_inquiry_shows_on_its_cached_page(client):
    company = CompanyFactory(name="Qualcomm")
    inquiry = InquiryFactory(deal=None, reference="AT.40220", stage=Stage.INVESTIGATION)
    assert "AT.40220" not in client.get(company.get_absolute_url()).text
    inquiry.companies.add(company)  # an m2m change: no save() of either
    assert "AT.40220" in client.get(company.get_absolute_url()).text


@pytest.fixture
def fragments(settings):
    settings.PAGE_CACHE = False
    settings.FRAGMENT_CACHE = True


def test_a_cached_timeline_is_not_read_again_until_the_deal_changes(client, deal, fragments):
    EventFactory(deal=deal, title="Announced")
    url = deal.get_absolute_url()
    first = queries(client, url)
    # The timeline, the chart and the inquiry rows came from the fragment cache.
    assert queries(client, url) < first
    EventFactory(deal=deal, title="Phase 1 opened")
    assert "Phase 1 opened" in client.get(url).text


def test_cached_rows_follow_a_status_change(client, deal, editor_client, fragments):
    assert "status-under_review" in client.get("/deals/").text
    assert "status-under_review" in client.get("/deals/").text  # rows from the cache
    response = editor_client.post(
        f"/admin/deals/deal/{deal.pk}/change/", inline_inquiry_closed(deal)
    )
    assert response.status_code == 302
    listed = client.get("/deals/").text
    assert "status-under_review" not in listed and "status-cleared" in listed


def test_an_inquiry_row_differs_on_a_deal_page_and_in_the_inquiry_list(client, deal, fragments):
    """The deal's title shows in the inquiry list's rows, not in the same inquiry's row on the
    deal page: show_deal is part of the fragment's key."""
    client.get(deal.get_absolute_url())
    assert f">{deal.title}</a></div>" in client.get("/inquiries/").text
    assert f">{deal.title}</a></div>" not in client.get(deal.get_absolute_url()).text


@pytest.mark.parametrize("url", ["/api/v1/deals/", "/deals/feed/", "/inquiries/feed/"])
def test_the_api_and_filtered_feeds_are_served_from_the_cache(client, deal, url):
    first = client.get(url)
    assert queries(client, url) == 0
    assert client.get(url).content == first.content
    InquiryFactory(deal=deal, regulator=RegulatorFactory(), stage=Stage.PHASE_2)
    assert queries(client, url) > 0


def test_a_list_read_from_cached_counts_and_pages_follows_a_new_deal(client, deal, fragments):
    assert client.get("/deals/?q=zephyr").context["page"].paginator.count == 0
    assert client.get("/deals/").context["page"].paginator.count == 1
    assert queries(client, "/deals/") < queries_without_fragments(client, "/deals/")
    DealFactory(title="Zephyr / Newco")
    response = client.get("/deals/")
    assert response.context["page"].paginator.count == 2 and "Zephyr / Newco" in response.text
    assert "Zephyr / Newco" in client.get("/deals/?q=zephyr").text


def queries_without_fragments(client, url) -> int:
    from django.test import override_settings

    with override_settings(FRAGMENT_CACHE=False):
        return queries(client, url)


@pytest.mark.parametrize("query", ["q=ME/1", "q=...", "q=acquirer", "sort=-activity"])
def test_searches_and_sorts_read_through_cached_pages(client, deal, fragments, query):
    for url in (f"/deals/?{query}", f"/inquiries/?{query}"):
        assert client.get(url).status_code == 200
        assert client.get(url).status_code == 200
