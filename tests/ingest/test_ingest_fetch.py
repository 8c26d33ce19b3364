"""Fetching: only the source's own hosts over HTTPS, bounded in time and size; never in tests."""

import time

import httpx
import pytest
import respx
from pytest_socket import SocketConnectBlockedError

from ingest.models import IngestRun, RawRecord
from ingest.pipeline import ingest_run
from ingest.sources.base import FetchError, FetchPolicy, TransientFetchError, fetch_url
from tests import FIXTURE_DIR

FIXTURES = FIXTURE_DIR
FEED = "https://www.ftc.gov/feeds/hsr-early-termination-notices.xml"
POLICY = FetchPolicy(hosts=frozenset({"www.ftc.gov"}), timeout=5, max_bytes=1000)


def get(url: str, policy: FetchPolicy = POLICY) -> bytes:
    with httpx.Client() as client:
        return fetch_url(url, client=client, policy=policy)


@respx.mock
def test_it_fetches_from_the_sources_own_host():
    respx.get(FEED).mock(return_value=httpx.Response(200, content=b"<rss/>"))
    assert get(FEED) == b"<rss/>"


def test_it_refuses_plain_http_and_other_hosts_without_a_request():
    with respx.mock(assert_all_called=False) as mock:
        with pytest.raises(FetchError, match="only HTTPS"):
            get("http://www.ftc.gov/feeds/x.xml")
        with pytest.raises(FetchError, match="not one of this source's hosts"):
            get("https://evil.example/feeds/x.xml")
        assert not mock.calls


@respx.mock
def test_it_follows_a_redirect_within_the_host_but_not_to_another_host():
    respx.get(FEED).mock(return_value=httpx.Response(301, headers={"Location": "/feeds/moved.xml"}))
    respx.get("https://www.ftc.gov/feeds/moved.xml").mock(
        return_value=httpx.Response(302, headers={"Location": "https://attacker.example/x"})
    )
    with pytest.raises(FetchError, match="attacker.example is not one of this source's hosts"):
        get(FEED)


@respx.mock
def test_a_response_over_the_size_cap_is_refused():
    respx.get(FEED).mock(return_value=httpx.Response(200, content=b"x" * 5000))
    with pytest.raises(FetchError, match="larger than 1000 bytes"):
        get(FEED)


@respx.mock
def test_server_errors_and_timeouts_are_transient_and_a_404_is_not():
    route = respx.get(FEED)
    route.mock(return_value=httpx.Response(503))
    with pytest.raises(TransientFetchError):
        get(FEED)
    route.mock(side_effect=httpx.ConnectTimeout("slow"))
    with pytest.raises(TransientFetchError, match="timed out"):
        get(FEED)
    route.mock(return_value=httpx.Response(404))
    with pytest.raises(FetchError) as error:
        get(FEED)
    assert not isinstance(error.value, TransientFetchError)


def trickle(chunks: int, every: float):
    """A body that arrives one byte at a time: each read is quick, the whole is not."""
    for _ in range(chunks):
        time.sleep(every)
        yield b"x"


@respx.mock
def test_a_server_trickling_bytes_is_given_up_at_the_fetch_deadline():
    # Each byte comes well within the per-read timeout; 100 of them would take 10 s.
    respx.get(FEED).mock(return_value=httpx.Response(200, content=trickle(100, 0.1)))
    policy = FetchPolicy(hosts=POLICY.hosts, timeout=5, max_bytes=1000, deadline=0.5)
    started = time.monotonic()
    with pytest.raises(TransientFetchError, match="gave up after 0.5 s"):
        get(FEED, policy)
    assert time.monotonic() - started < 2


def test_the_deadline_covers_redirects_too():
    calls = []

    def slow_redirect(request):
        calls.append(request.url)
        time.sleep(0.3)
        return httpx.Response(302, headers={"Location": FEED})

    with respx.mock:
        respx.get(FEED).mock(side_effect=slow_redirect)
        policy = FetchPolicy(hosts=POLICY.hosts, max_redirects=50, deadline=0.5)
        with pytest.raises(TransientFetchError, match="gave up"):
            get(FEED, policy)
    assert len(calls) < 5


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_a_real_network_request_fails_the_test():
    with pytest.raises(SocketConnectBlockedError), httpx.Client() as client:
        client.get("https://192.0.2.1/")  # an address, so that no DNS lookup comes first


@pytest.mark.django_db
@respx.mock
def test_a_scheduled_run_fetches_the_feed_and_applies_it():
    feed = (FIXTURES / "ftc" / "hsr-early-termination-notices_snapshot1.xml").read_bytes()
    respx.get(FEED).mock(return_value=httpx.Response(200, content=feed))

    run = ingest_run(source="ftc-hsr")

    assert run.summary_line() == (
        "source=ftc-hsr records=20 new=20 changed=0 unchanged=0 skipped=0 errors=0"
    )
    assert RawRecord.objects.filter(source="ftc-hsr").count() == 20


@pytest.mark.django_db
@respx.mock
def test_a_failed_fetch_is_recorded_on_the_run():
    respx.get(FEED).mock(return_value=httpx.Response(502))

    with pytest.raises(TransientFetchError):
        ingest_run(source="ftc-hsr")

    run = IngestRun.objects.get()
    assert run.finished_at and "answered 502" in run.error


@pytest.mark.django_db
def test_a_scheduled_run_fetches_within_the_configured_deadline(settings):
    settings.INGEST_HTTP_DEADLINE = 0.5
    with respx.mock:
        respx.get(FEED).mock(return_value=httpx.Response(200, content=trickle(100, 0.1)))
        with pytest.raises(TransientFetchError, match="gave up after 0.5 s"):
            ingest_run(source="ftc-hsr")
    assert "gave up" in IngestRun.objects.get().error
