"""The production shape, proven end to end: gunicorn with DEBUG=0, a Celery worker and Celery
beat on PostgreSQL and Redis, and a real SMTP server (aiosmtpd).

A visitor subscribes through the page, confirms through the emailed link; an ingest runs on the
worker from a stored file (never the network); beat sends the digest, which arrives. Every
server is started here on a free port (gunicorn 8200-8299, SMTP 8300-8399) and stopped at the
end, each wait bounded. Runs where PostgreSQL and Redis are configured (CI: .ci/run).
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from ingest.models import IngestRun
from ingest.sources import SOURCES, env_name
from subscriptions.models import Subscription
from tests import REPO_ROOT
from tests.servers import free_port

ROOT = REPO_ROOT
FEED = ROOT / "tests" / "fixtures" / "ftc" / "hsr-early-termination-notices_snapshot1.xml"
REDIS_URL = os.environ.get("REDIS_URL", "")
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
if os.environ.get("CI") and not (ON_POSTGRES and REDIS_URL):
    # .ci/run sets both, so there a missing service fails instead of skipping.
    raise RuntimeError("the production-shape test needs DATABASE_URL (PostgreSQL) and REDIS_URL")

# The servers' broker and cache: a Redis database of their own on the same server, so that
# tests/site/test_celery_worker.py's worker, which may run at the same time on another test
# worker (make test's -n), never takes their tasks, nor their worker its tasks.
SERVERS_REDIS_URL = re.sub(r"/\d*$", "", REDIS_URL.rstrip("/")) + "/13" if REDIS_URL else ""

pytestmark = [
    pytest.mark.production,
    pytest.mark.skipif(not (ON_POSTGRES and REDIS_URL), reason="needs PostgreSQL and Redis"),
    # The servers read what the test committed; serialized_rollback restores the seeded rows.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PUBLIC_PAGES = ["/deals/", "/inquiries/", "/companies/", "/regulators/", "/deadlines/", "/sources/"]


def wait_for(what: str, check, timeout: float, logs: Path, every: float = 0.5):
    """check() until it returns something true; fail with the servers' logs after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    tails = "\n".join(
        f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in logs.glob("*.log")
    )
    pytest.fail(f"gave up after {timeout:g} s waiting for {what}\n{tails}")


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"

    def find(self, subject: str):
        """The first message whose subject matches the regular expression `subject`."""
        return next((m for m in self.messages if re.match(subject, m["Subject"])), None)


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def database_url() -> str:
    """The test database, which the servers must share with this test."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{quote(db['USER'])}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Site:
    """The site over HTTP as a TLS-ending proxy passes it on: X-Forwarded-Proto: https. Its
    cookies are Secure, so they are carried by hand (a client would not send them over HTTP)."""

    def __init__(self, port: int):
        self.origin = f"https://127.0.0.1:{port}"
        self.http = httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"X-Forwarded-Proto": "https"},
            timeout=30,
        )
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        path = path.removeprefix(self.origin)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {"Cookie": cookie, "Origin": self.origin, **kwargs.pop("headers", {})}
        response = self.http.request(method, path, headers=headers, **kwargs)
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            assert "; Secure" in header, f"{name} cookie is not Secure"
            self.cookies[name] = rest.split(";", 1)[0]
        return response

    def form(self, path: str, data: dict, page: httpx.Response) -> httpx.Response:
        """Post a form of `page` as a browser does: with its CSRF token where the form has one
        (the subscribe form of a public page has none: docs/security.md), and its Origin."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        fields = {"csrfmiddlewaretoken": token[1]} if token else {}
        return self.request("POST", path, data={**fields, **data})


def test_subscribe_confirm_ingest_and_digest_through_the_real_servers(tmp_path):
    web_port, smtp_port = free_port(8200, 8299), free_port(8300, 8399)
    logs = tmp_path / "logs"
    logs.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))},
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "PYTHONUNBUFFERED": "1",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"https://127.0.0.1:{web_port}",
        "DATABASE_URL": database_url(),
        "REDIS_URL": SERVERS_REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "STATIC_ROOT": str(tmp_path / "static"),
        # Beat sends the immediate digest every minute; the fixture's notices are old news
        # otherwise, and no source is scheduled (nothing may reach for the network).
        "DIGEST_IMMEDIATE_EVERY_MINUTES": "1",
        "DIGEST_MAX_EVENT_AGE_DAYS": "100000",
        **{env_name(source, "EVERY"): "0" for source in SOURCES},
        # Should anything try the network anyway, it meets a closed local port.
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
    }
    python = [sys.executable]
    subprocess.run(
        [*python, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    subprocess.run(
        [*python, "-m", "celery", "-A", "tracker", "purge", "-f"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
    )
    commands = {
        "gunicorn": [
            *python, "-m", "gunicorn", "tracker.wsgi:application",
            "--bind", f"127.0.0.1:{web_port}", "--workers", "2", "--timeout", "30",
            "--access-logfile", "-",
        ],
        "worker": [
            *python, "-m", "celery", "-A", "tracker", "worker", "--loglevel=info",
            "--concurrency=2", "--hostname", f"production-test-{web_port}@%h",
            "--without-gossip", "--without-mingle",
        ],
        "beat": [
            *python, "-m", "celery", "-A", "tracker", "beat", "--loglevel=info",
            "--schedule", str(tmp_path / "celerybeat-schedule"),
        ],
    }  # fmt: skip

    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    processes: dict[str, subprocess.Popen] = {}
    try:
        for name, command in commands.items():
            log = (logs / f"{name}.log").open("w")
            processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        site = Site(web_port)

        def answers():
            try:
                return site.request("GET", "/robots.txt").status_code == 200
            except httpx.TransportError:
                return False

        wait_for("gunicorn to answer", answers, 60, logs)

        # Every public page: the browser policies, secure cookies, no internal detail.
        for path in [*PUBLIC_PAGES, "/regulators/ftc/", "/feed/", "/no-such-page/"]:
            response = site.request("GET", path)
            assert response.status_code == (404 if "no-such" in path else 200), path
            assert "script-src 'self'" in response.headers["Content-Security-Policy"], path
            assert response.headers["Strict-Transport-Security"] == (
                "max-age=31536000; includeSubDomains"
            ), path
            assert "camera=()" in response.headers["Permissions-Policy"], path
        assert "Page not found" in response.text and 'href="/deals/"' in response.text
        plain = site.http.get("/deals/", headers={"X-Forwarded-Proto": "http"})
        assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")

        # A visitor follows the FTC from its page.
        page = site.request("GET", "/regulators/ftc/")
        # A public page any shared cache may keep: no token in it, no cookie set.
        assert "csrfmiddlewaretoken" not in page.text and "set-cookie" not in page.headers
        assert "s-maxage=60" in page.headers["Cache-Control"]
        regulator = re.search(r'name="regulator" value="(\d+)"', page.text)[1]
        response = site.form(
            "/subscriptions/subscribe/",
            {
                "email": "analyst@example.org",
                "frequency": "immediately",
                "target": "regulator",
                "regulator": regulator,
                "next": "/regulators/ftc/",
            },
            page,
        )
        assert response.status_code == 302, response.text[:2000]
        assert response.headers["Location"] == "/subscriptions/subscribe/check-your-email/"

        confirmation = wait_for(
            "the confirmation email", lambda: inbox.find("Confirm your"), 90, logs
        )
        assert confirmation["To"] == "analyst@example.org"
        link = re.search(r"https://\S+/subscriptions/confirm/\S+/", text_of(confirmation))[0]
        page = site.request("GET", link)
        assert "Confirm your email updates" in page.text
        response = site.form(link, {}, page)
        assert (
            response.status_code == 302 and "/subscriptions/manage/" in response.headers["Location"]
        )
        assert Subscription.objects.active().filter(regulator__slug="ftc").count() == 1

        # An ingest through the worker, from a stored response.
        subprocess.run(
            [
                *python, "-m", "celery", "-A", "tracker", "call",
                "ingest.tasks.ingest_from_files", "--args", f'["ftc-hsr", ["{FEED}"]]',
            ],
            cwd=ROOT, env=env, check=True, timeout=60, capture_output=True,
        )  # fmt: skip
        run = wait_for(
            "the ingest run on the worker",
            lambda: IngestRun.objects.filter(source="ftc-hsr", finished_at__isnull=False).first(),
            120,
            logs,
        )
        assert run.summary_line() == (
            "source=ftc-hsr records=20 new=20 changed=0 unchanged=0 skipped=0 errors=0"
        ), run.error

        # Beat starts the immediate digest within a minute; the worker sends it.
        # Its subject names the news ("… FTC cleared it", "3 deals changed: …"): not the others.
        news = r"(?!Confirm your|Manage your)"
        digest = wait_for("the digest", lambda: inbox.find(news), 150, logs, every=2)
        assert digest["To"] == "analyst@example.org"
        body = text_of(digest)
        assert "FTC" in body and "HSR early termination granted" in body
        assert (
            str(digest["List-Unsubscribe"])
            .strip()
            .startswith(f"<https://127.0.0.1:{web_port}/subscriptions/unsubscribe/")
        )
        assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    finally:
        for process in processes.values():
            process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        smtp.stop()
        connection.close()
