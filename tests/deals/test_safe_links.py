"""Only http and https addresses become links: checked where records enter (ingest) and again
where they are written out (pages, emails, the admin), whatever is already stored."""

import pytest
from django.core import mail

from deals.links import http_url
from ingest.sources import accc, ftc_hsr
from subscriptions.services import digest_run
from tests.factories import (
    CompanyFactory,
    EventFactory,
    InquiryFactory,
    RegulatorFactory,
    SubscriptionFactory,
)
from tests.hostile import EXECUTABLE_URLS, unsafe_html
from tests.ingest.test_ingest_accc import ASAHI
from tests.ingest.test_ingest_ftc_hsr import SNAPSHOT1


@pytest.mark.parametrize("url", EXECUTABLE_URLS)
def test_an_executable_address_is_not_an_address(url):
    assert http_url(url) == ""


@pytest.mark.parametrize(
    "url", ["https://www.ftc.gov/x", "http://example.org/a?b=c#d", "HTTPS://EXAMPLE.ORG/"]
)
def test_an_http_or_https_address_is_kept_as_it_is(url):
    assert http_url(url) == url


@pytest.mark.parametrize("url", ["ftp://example.org/x", "https:///no-host", "/relative", ""])
def test_other_schemes_relative_and_hostless_addresses_are_refused(url):
    assert http_url(url) == ""


def test_an_ftc_notice_whose_link_is_javascript_points_at_the_notice_page_instead():
    feed = SNAPSHOT1.read_bytes().replace(
        b"<link>https://www.ftc.gov/legal-library/browse/early-termination-notices/20251002</link>",
        b"<link>javascript:alert(document.domain)</link>",
    )
    records = {record.inquiry.reference: record for record in ftc_hsr.parse(feed)}
    [event] = records["20251002"].events
    assert event.source_url == (
        "https://www.ftc.gov/legal-library/browse/early-termination-notices/20251002"
    )


def test_an_accc_canonical_address_on_the_right_host_but_a_javascript_scheme_is_dropped():
    page = ASAHI.read_bytes().replace(
        b'<link rel="canonical" href="https://www.accc.gov.au/',
        b'<link rel="canonical" href="javascript://www.accc.gov.au/%0aalert(1)//',
    )
    [record] = accc.parse(page)
    assert record.raw["url"] == ""
    assert record.inquiry.source_url == accc.REGISTER  # the register, as for a page without one
    assert all(http_url(event.source_url) for event in record.events)


@pytest.mark.django_db
@pytest.mark.parametrize("url", EXECUTABLE_URLS)
def test_a_stored_executable_address_is_no_link_on_any_public_page(client, url):
    regulator = RegulatorFactory(website=url)
    company = CompanyFactory(website=url)
    inquiry = InquiryFactory(regulator=regulator, source_url=url, reference="M.1")
    InquiryFactory(regulator=regulator, deal=inquiry.deal, source_url=url, reference="")
    EventFactory(deal=inquiry.deal, inquiry=inquiry, source_url=url, title="With a bad source")
    EventFactory(deal=inquiry.deal, title="With a good source", source_url="https://ec.europa.eu/")
    pages = [
        inquiry.deal.get_absolute_url(),
        regulator.get_absolute_url(),
        company.get_absolute_url(),
        "/inquiries/",
    ]
    for path in pages:
        page = client.get(path)
        assert page.status_code == 200
        assert unsafe_html(page.text) == [], path
    assert 'href="https://ec.europa.eu/"' in client.get(inquiry.deal.get_absolute_url()).text


@pytest.mark.django_db
def test_a_stored_executable_address_is_no_link_in_the_digest():
    subscription = SubscriptionFactory()
    EventFactory(deal=subscription.deal, source_url="javascript:xss(1)", title="Bad source")
    EventFactory(deal=subscription.deal, source_url="https://ec.europa.eu/", title="Good source")

    digest_run(frequency="daily")

    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert unsafe_html(html) == []
    assert "javascript" not in message.body
    assert 'href="https://ec.europa.eu/"' in html
    assert "Source: https://ec.europa.eu/" in message.body


@pytest.mark.django_db
def test_an_editor_cannot_save_anything_but_an_http_or_https_source_address(client, editor):
    event = EventFactory()
    form = {
        "occurred_on": event.occurred_on.isoformat(),
        "precision": "day",
        "recorded_at_0": "2024-01-01",
        "recorded_at_1": "10:00",
        "kind": event.kind,
        "title": event.title,
        "deal": event.deal_id,
    }
    change = f"/admin/deals/event/{event.pk}/change/"
    for url in ["javascript:alert(1)", "ftp://example.org/file"]:
        response = client.post(change, {**form, "source_url": url})
        assert response.status_code == 200 and "Enter a valid URL." in response.text
    response = client.post(change, {**form, "source_url": "https://ec.europa.eu/"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.source_url == "https://ec.europa.eu/"
