"""deploy/nginx.conf in front of the site, for real: Debian's nginx, started here with the file's
marked lines pointed at a temporary directory, a free port and the test's live server
(bench/proxy.py rewrites them), the static files collected as production collects them.

What a visitor notices: a public page comes from nginx's cache the second time; an edit reaches
visitors through the cache within the page's s-maxage (set to SHARED_MAX_AGE seconds here,
60 in production) and a signed-in editor at once; static files come from nginx's disk, gzipped
when the browser asks; the CSV exports are answered by the downloads' pool of gunicorn, every
other page by the pages' (gunicorn.conf.py).

The cache-dependent assertions need the page headers of issue 22 (the lead's change to
deals/cache.py and the views): `Cache-Control: public, max-age=0, s-maxage=N,
stale-while-revalidate=30`, an ETag, no Set-Cookie on a public page, and
settings.PAGE_SHARED_MAX_AGE giving N. Until they are in, `needs_shared_cache_headers` fails
those tests with a message saying so.
"""

from __future__ import annotations

import gzip
import http.cookiejar
import http.server
import json
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from django.core.management import call_command
from django.test import override_settings

from bench import proxy
from tests.factories import DealFactory
from tests.servers import free_port

pytestmark = [
    pytest.mark.skipif(
        not Path(proxy.NGINX).exists(),
        reason=f"needs Debian's nginx ({proxy.NGINX}): apt-get install nginx (CI installs it)",
    ),
    # The live server reads what the test committed. serialized_rollback, as every transactional
    # test here has it: a flush without it recreates the content types, and the next test that
    # restores the seeded rows meets them (CI: 8 errors on that worker at setup).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# s-maxage for the test: "visible through the proxy within 60 s" becomes within this + a margin.
SHARED_MAX_AGE = 2
MARGIN = 5


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """The site's own static files as the production image collects them: hashed names, a .gz
    beside (the admin's and the API docs' are left out: 33 MB, half a minute)."""
    root = tmp_path_factory.mktemp("static")
    production = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    only_ours = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    with override_settings(STATIC_ROOT=root, STORAGES=production, STATICFILES_FINDERS=only_ours):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture(scope="module")
def nginx(live_server, static_root, tmp_path_factory):
    """nginx with deploy/nginx.conf on a free port in front of the live server; an httpx client
    talking to it."""
    directory = tmp_path_factory.mktemp("nginx")
    port = free_port(8600, 8699)
    proxy.write_conf(
        directory,
        listen=f"127.0.0.1:{port}",
        upstream=f"127.0.0.1:{urlsplit(live_server.url).port}",
        static_root=static_root,
    )
    server = proxy.start(directory, port)
    try:
        # A client that keeps no cookie: each request is a new visitor's unless it says otherwise.
        no_cookies = http.cookiejar.CookieJar(
            http.cookiejar.DefaultCookiePolicy(allowed_domains=[])
        )
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", cookies=no_cookies, timeout=30
        ) as client:
            yield client
    finally:
        proxy.stop(server)


@pytest.fixture(autouse=True)
def _shared_cache_settings(settings):
    """Production's page cache, with a short s-maxage (the lead's PAGE_SHARED_MAX_AGE)."""
    settings.PAGE_CACHE = True
    settings.PAGE_SHARED_MAX_AGE = SHARED_MAX_AGE


def needs_shared_cache_headers(response: httpx.Response) -> None:
    """Fail clearly, not obscurely, while the page headers of issue 22 are not in."""
    cache_control = response.headers.get("cache-control", "")
    set_cookie = response.headers.get_list("set-cookie")
    if "s-maxage" not in cache_control or "public" not in cache_control or set_cookie:
        pytest.fail(
            "needs issue 22's page headers (the lead's change, common22.md): a public page "
            "answering `Cache-Control: public, max-age=0, s-maxage=N, stale-while-revalidate=30` "
            f"and setting no cookie; {response.request.url} answered Cache-Control "
            f"{cache_control!r}, Set-Cookie {set_cookie!r}",
            pytrace=False,
        )


def cache_status(response: httpx.Response) -> str:
    return response.headers.get("x-cache-status", "")


def poll(fetch, until, timeout: float, every: float = 0.2) -> tuple[httpx.Response, float]:
    """fetch() until until(response); the response and the seconds it took, or fail."""
    began = time.monotonic()
    while True:
        response = fetch()
        elapsed = time.monotonic() - began
        if until(response):
            return response, elapsed
        if elapsed > timeout:
            pytest.fail(
                f"not within {timeout:g} s: last answer {response.status_code}, "
                f"X-Cache-Status {cache_status(response)!r}"
            )
        time.sleep(every)


EDITOR = {"Cookie": "dealwatch_editor=1"}


def test_a_public_page_comes_from_the_cache_the_second_time(nginx):
    deal = DealFactory(title="Cached Corp / Second Visit")
    first = nginx.get(deal.get_absolute_url())
    assert first.status_code == 200 and "Cached Corp / Second Visit" in first.text
    assert cache_status(first) == "MISS"
    needs_shared_cache_headers(first)

    second = nginx.get(deal.get_absolute_url())
    assert cache_status(second) == "HIT"
    assert second.text == first.text
    # And the list pages alike, query string and all.
    for path in ["/deals/", "/deals/?q=cached"]:
        assert cache_status(nginx.get(path)) in {"MISS", "HIT"}
        assert cache_status(nginx.get(path)) == "HIT", path


def test_an_edit_reaches_visitors_within_s_maxage_and_an_editor_at_once(nginx):
    deal = DealFactory(title="Before Corp / Edit")
    url = deal.get_absolute_url()
    # The editor asks first: the answer passes the cache and is not kept for visitors.
    editor_first = nginx.get(url, headers=EDITOR)
    assert cache_status(editor_first) == "BYPASS" and "Before Corp / Edit" in editor_first.text
    visitor_first = nginx.get(url)
    assert cache_status(visitor_first) == "MISS"
    needs_shared_cache_headers(visitor_first)
    assert cache_status(nginx.get(url)) == "HIT"  # the cache is in play for visitors

    deal.title = "After Corp / Edit"
    deal.save()

    editor = nginx.get(url, headers=EDITOR)
    assert cache_status(editor) == "BYPASS"
    assert "After Corp / Edit" in editor.text, "the editor sees the edit at once"
    # A visitor is still served the copy in the cache (fresh or, after s-maxage, stale while
    # nginx asks the app again in the background)...
    visitor = nginx.get(url)
    assert cache_status(visitor) in {"HIT", "STALE", "UPDATING"}
    assert "Before Corp / Edit" in visitor.text
    # ...and sees the edit within s-maxage and a margin.
    visitor, seconds = poll(
        lambda: nginx.get(url),
        until=lambda response: "After Corp / Edit" in response.text,
        timeout=SHARED_MAX_AGE + MARGIN,
    )
    assert visitor.status_code == 200
    print(f"the edit reached a visitor through the cache after {seconds:.1f} s")


def test_editors_and_signed_in_requests_pass_the_cache_every_time(nginx, client, django_user_model):
    # A member of staff signed in (the Editors group does not matter here: signed in counts).
    user = django_user_model.objects.create_user("eddie", "eddie@example.org", is_staff=True)
    client.force_login(user)
    deal = DealFactory(title="Editor Corp / Bypass")
    url = deal.get_absolute_url()
    signed_in = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    for headers in (EDITOR, signed_in):
        for _ in range(3):
            response = nginx.get(url, headers=headers)
            assert response.status_code == 200 and "Editor Corp / Bypass" in response.text
            assert cache_status(response) == "BYPASS", headers
    # The same page for a visitor goes through the cache (whatever it then keeps).
    assert cache_status(nginx.get(url)) in {"MISS", "HIT"}
    # A form's POST is never answered from the cache.
    posted = nginx.post("/subscriptions/subscribe/", data={})
    assert cache_status(posted) in {"", "BYPASS"}


def test_static_files_come_from_nginx_gzipped_when_asked(nginx, static_root):
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    path = f"/static/{manifest['paths']['css/site.css']}"
    on_disk = (static_root / manifest["paths"]["css/site.css"]).read_bytes()

    compressed = nginx.get(path, headers={"Accept-Encoding": "gzip"})
    assert compressed.status_code == 200
    assert compressed.headers["content-encoding"] == "gzip"
    assert compressed.content == on_disk  # httpx unzipped it
    assert "immutable" in compressed.headers["cache-control"]
    assert "x-cache-status" not in compressed.headers  # nginx's disk, not the app
    # The positive control: not asked, not gzipped.
    plain = nginx.get(path, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == on_disk
    # gzip_static sends the .gz collectstatic wrote, byte for byte.
    raw = nginx.build_request("GET", path, headers={"Accept-Encoding": "gzip"})
    streamed = nginx.send(raw, stream=True)
    try:
        body = b"".join(streamed.iter_raw())
    finally:
        streamed.close()
    assert gzip.decompress(body) == on_disk
    assert body == (static_root / f"{manifest['paths']['css/site.css']}.gz").read_bytes()
    # A file only nginx's directory has is served too: nginx reads the disk.
    (static_root / "only-on-disk.txt").write_text("from nginx")
    assert nginx.get("/static/only-on-disk.txt").text == "from nginx"


class _Downloads(http.server.BaseHTTPRequestHandler):
    """The downloads' pool, stood in for by a server that says who it is and what it was asked."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        body = f"downloads pool: {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def two_pools(live_server, static_root, tmp_path):
    """nginx in front of two upstreams: the live server as the pages' pool, a server of this
    test's own (127.0.0.1, a free port, stopped at the end) as the downloads'."""
    downloads = http.server.ThreadingHTTPServer(("127.0.0.1", free_port(8700, 8799)), _Downloads)
    serving = threading.Thread(target=downloads.serve_forever, daemon=True)
    serving.start()
    port = free_port(8600, 8699)
    proxy.write_conf(
        tmp_path,
        listen=f"127.0.0.1:{port}",
        upstream=f"127.0.0.1:{urlsplit(live_server.url).port}",
        downloads=f"127.0.0.1:{downloads.server_address[1]}",
        static_root=static_root,
    )
    server = proxy.start(tmp_path, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client
    finally:
        proxy.stop(server)
        downloads.shutdown()
        downloads.server_close()
        serving.join()


def test_the_csv_exports_go_to_the_downloads_pool_and_the_pages_to_the_pages_pool(two_pools):
    DealFactory(title="Routed by path")
    for path in ("/deals/export.csv", "/inquiries/export.csv?state=open&q=x"):
        response = two_pools.get(path)
        assert response.status_code == 200
        assert response.text == f"downloads pool: {path}"
    # The pages, a query string that merely mentions a CSV among them, stay with the pages.
    for path in ("/deals/", "/deals/?q=export.csv", "/inquiries/"):
        response = two_pools.get(path)
        assert response.status_code == 200
        assert "downloads pool" not in response.text
        assert "<html" in response.text
    assert "Routed by path" in two_pools.get("/deals/").text
