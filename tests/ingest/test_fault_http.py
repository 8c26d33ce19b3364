"""Ingest against a misbehaving server: a real HTTPS server on 127.0.0.1, started here.

The FTC HSR source is pointed at it (its feed address and hosts), and the server answers 500,
trickles its body or its headers, stalls, cuts its body short, redirects off its host, or
sends a gibibyte (declared, or endless). Each run is refused with a message that says what the
server did, recorded on the run (the admin's error, the command's message, /sources/), and
nothing stored changes: the rows of a previous successful run of the same source (the positive
control) stay exactly as they were. No test here leaves 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import shutil
import ssl
import subprocess
import threading
import time
import tracemalloc
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from ingest.models import IngestRun, RawRecord
from ingest.pipeline import ingest_run
from ingest.sources import ftc_hsr
from ingest.sources.base import FetchError, TransientFetchError
from tests import FIXTURE_DIR

pytestmark = [pytest.mark.fault, pytest.mark.django_db]

FEED = (FIXTURE_DIR / "ftc" / "hsr-early-termination-notices_snapshot1.xml").read_bytes()
READ_TIMEOUT = 0.5  # INGEST_HTTP_TIMEOUT in these tests
DEADLINE = 2.0  # INGEST_HTTP_DEADLINE
MAX_BYTES = 256 * 1024  # INGEST_MAX_RESPONSE_BYTES
GIB = 1024**3
# The longest any misbehaviour goes on, should a client keep listening: a test that fails
# fails in seconds, not hours.
SERVER_PATIENCE = 30.0


class Misbehaving(http.server.BaseHTTPRequestHandler):
    """One misbehaviour per path; /feed.xml is the well-behaved feed."""

    protocol_version = "HTTP/1.1"
    sent: dict[str, int]  # bytes of body each path sent, set on the server's class

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        path = self.path.split("?")[0].strip("/")
        with contextlib.suppress(OSError):  # the client hung up, as it should
            getattr(self, "answer_" + path.replace("-", "_").replace(".", "_"))()
        self.close_connection = True

    def head(self, length: int | None, status: int = 200, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/rss+xml")
        if length is not None:
            self.send_header("Content-Length", str(length))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Connection", "close")
        self.end_headers()

    def body(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()
        self.server.sent[self.path] = self.server.sent.get(self.path, 0) + len(data)

    def answer_feed_xml(self):
        self.head(len(FEED))
        self.body(FEED)

    def answer_feed_gz(self):
        """The well-behaved feed, gzipped as most servers send it."""
        packed = gzip.compress(FEED)
        self.head(len(packed), Content_Encoding="gzip")
        self.body(packed)

    def answer_brotli(self):
        self.head(len(FEED), Content_Encoding="br")
        self.body(FEED)

    def answer_error(self):
        self.head(len(b"oops"), status=500)
        self.body(b"oops")

    def answer_stall(self):
        """Headers, a little of the body, then nothing for longer than the read timeout."""
        self.head(len(FEED))
        self.body(FEED[:100])
        time.sleep(READ_TIMEOUT * 6)

    def answer_trickle(self):
        """The body a byte at a time, each well within the read timeout: forever, in effect."""
        self.head(len(FEED))
        self.trickle(FEED)

    def answer_trickle_headers(self):
        """The status line and then headers a byte at a time: no read ever times out, and the
        headers never end."""
        self.wfile.write(b"HTTP/1.1 200 OK\r\n")
        self.trickle(b"X-Slow: " + b"a" * 100_000)

    def trickle(self, data: bytes) -> None:
        started = time.monotonic()
        for byte in data:
            if time.monotonic() - started > SERVER_PATIENCE:
                return
            self.body(bytes([byte]))
            time.sleep(READ_TIMEOUT / 5)

    def answer_truncated(self):
        """A Content-Length of the whole feed, half of it sent, the connection closed."""
        self.head(len(FEED))
        self.body(FEED[: len(FEED) // 2])

    def answer_redirect_off_host(self):
        self.head(0, status=302, Location="https://feeds.example.net/hsr.xml")

    def answer_redirect_to_http(self):
        port = self.server.server_address[1]
        self.head(0, status=301, Location=f"http://127.0.0.1:{port}/feed.xml")

    def answer_gibibyte(self):
        """A declared gibibyte, sent for real until the client hangs up."""
        self.head(GIB)
        self.stream()

    def answer_endless(self):
        """No length at all: a body that ends when the connection does, which it never does."""
        self.head(None)
        self.stream()

    def answer_gzip_bomb(self):
        """64 MiB of zeros, gzipped (made once, by the server fixture): 64 KiB on the wire, all
        of it in one read of the client's."""
        self.head(None, Content_Encoding="gzip")
        self.body(self.server.bomb)

    def stream(self) -> None:
        block = b"<item>" + b"x" * 65_530
        started = time.monotonic()
        while self.server.sent.get(self.path, 0) < GIB:
            if time.monotonic() - started > SERVER_PATIENCE:
                return
            self.body(block)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 (openssl), trusted by the fetcher's client
    through SSL_CERT_FILE: the fetcher keeps refusing anything but HTTPS."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("these tests need the openssl command to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


@pytest.fixture(scope="module")
def server(certificate) -> Iterator[http.server.ThreadingHTTPServer]:
    """The misbehaving HTTPS server on a free port of 127.0.0.1, in threads of this process."""
    cert, key = certificate
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
    httpd.daemon_threads = True
    httpd.sent = {}
    httpd.bomb = gzip.compress(bytes(64 * 1024 * 1024), compresslevel=9)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def feed_at(server, certificate, monkeypatch, settings):
    """Points the FTC HSR source at a path of the server, with small limits; returns a setter."""
    settings.INGEST_HTTP_TIMEOUT = READ_TIMEOUT
    settings.INGEST_HTTP_DEADLINE = DEADLINE
    settings.INGEST_MAX_RESPONSE_BYTES = MAX_BYTES
    monkeypatch.setenv("SSL_CERT_FILE", certificate[0])
    for proxy in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(proxy, raising=False)
    monkeypatch.setattr(ftc_hsr, "HOSTS", frozenset({"127.0.0.1"}))
    port = server.server_address[1]

    def point(path: str) -> str:
        url = f"https://127.0.0.1:{port}/{path}"
        monkeypatch.setattr(ftc_hsr, "FEED", url)
        return url

    return point


def stored() -> dict[str, int]:
    """The number of rows of every model but the runs themselves: what a run may change."""
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"deals", "ingest"} and model is not IngestRun
    }
    counts["raw hashes"] = hash(tuple(RawRecord.objects.order_by("pk").values_list("content_hash")))
    return counts


@pytest.fixture
def previous_run(feed_at):
    """The positive control: the same source served well once, its records stored."""
    feed_at("feed.xml")
    run = ingest_run(source="ftc-hsr")
    assert run.succeeded and run.new == 20, run.error
    before = stored()
    assert before["ingest.RawRecord"] == 20 and before["deals.Deal"] > 0
    return before


CASES = [
    # path, the error it is refused with, whether a retry may fix it
    ("error", r"/error answered 500", TransientFetchError),
    ("stall", rf"timed out reading .*/stall: no data for {READ_TIMEOUT:g} s", TransientFetchError),
    ("trickle", rf"/trickle: gave up after {DEADLINE:g} s", TransientFetchError),
    ("trickle-headers", rf"/trickle-headers: gave up after {DEADLINE:g} s", TransientFetchError),
    ("truncated", r"/truncated was cut short after \d+ bytes", TransientFetchError),
    ("redirect-off-host", r"feeds.example.net is not one of this source's hosts", FetchError),
    ("redirect-to-http", r"only HTTPS is fetched", FetchError),
    ("gibibyte", rf"larger than {MAX_BYTES} bytes; refused \(it declares {GIB}\)", FetchError),
    ("endless", rf"/endless is larger than {MAX_BYTES} bytes; refused", FetchError),
    ("brotli", r"/brotli is encoded as 'br', which was not asked for; refused", FetchError),
    ("gzip-bomb", rf"/gzip-bomb is larger than {MAX_BYTES} bytes; refused", FetchError),
]


@pytest.mark.parametrize(("path", "message", "error"), CASES, ids=[case[0] for case in CASES])
def test_a_misbehaving_server_is_refused_and_nothing_stored_changes(
    client, previous_run, feed_at, server, path, message, error
):
    url = feed_at(path)
    started = time.monotonic()

    with pytest.raises(error, match=message) as raised:
        ingest_run(source="ftc-hsr")

    seconds = time.monotonic() - started
    assert seconds < DEADLINE + 2 * READ_TIMEOUT + 1  # never held past its deadline
    assert stored() == previous_run
    run = IngestRun.objects.first()
    assert run.finished_at and not run.succeeded
    assert run.error == f"fetch failed, nothing changed: {raised.value}"
    assert url in run.error or "refused" in run.error
    row = {row.source: row for row in client.get("/sources/").context["health"]}["ftc-hsr"]
    assert row.last_failure == run and row.last_success is not None
    sent = server.sent.get(f"/{path}", 0)
    assert sent < 16 * 1024 * 1024  # the gibibyte was never read: the server stopped early
    print(f"{path}: refused in {seconds:.1f} s after {sent:,} bytes sent, {raised.value}")


def test_a_compression_bomb_is_refused_without_inflating_it_in_memory(previous_run, feed_at):
    feed_at("gzip-bomb")
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="larger than"):
            ingest_run(source="ftc-hsr")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    # The cap is 256 KiB; inflating the one 64 KiB read whole would take 64 MiB.
    assert peak < 8 * 1024 * 1024, f"{peak:,} bytes at the peak"
    assert stored() == previous_run
    print(f"gzip bomb (64 MiB in 64 KiB): refused at the cap, {peak / 1024 / 1024:.1f} MB peak")


def test_the_command_says_what_the_server_did_and_that_nothing_changed(previous_run, feed_at):
    feed_at("truncated")

    with pytest.raises(CommandError) as raised:
        call_command("ingest", "ftc-hsr")

    assert "was cut short after" in str(raised.value)
    assert str(raised.value).endswith("Nothing was changed.")
    assert stored() == previous_run
    print(f"command: {raised.value}")


def test_the_admin_shows_the_error_and_the_public_page_only_that_it_failed(
    client, admin_client, previous_run, feed_at
):
    feed_at("error")
    with pytest.raises(TransientFetchError):
        ingest_run(source="ftc-hsr")

    admin = admin_client.get("/admin/ingest/ingestrun/").text
    public = client.get("/sources/").text

    assert "fetch failed, nothing changed: https://127.0.0.1:" in admin
    assert "Last run failed" in public and "127.0.0.1" not in public
    print("500: the admin shows why, /sources/ shows 'Last run failed'")


def test_a_good_feed_after_the_faults_is_applied_again(previous_run, feed_at):
    feed_at("endless")
    with pytest.raises(FetchError):
        ingest_run(source="ftc-hsr")
    feed_at("feed.xml")

    run = ingest_run(source="ftc-hsr")

    assert run.succeeded and run.unchanged == 20
    assert stored() == previous_run
    print("endless then good: the good run applied, 20 records unchanged")


def test_a_gzipped_feed_is_read_whole(previous_run, feed_at):
    feed_at("feed-gz")

    run = ingest_run(source="ftc-hsr")

    assert run.succeeded and run.unchanged == 20, run.error
    print("gzipped feed: read whole, 20 records unchanged")
