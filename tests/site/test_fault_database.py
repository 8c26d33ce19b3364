"""PostgreSQL connections terminated under a running server: between requests, during a read and
during an editor's save in the admin. Nothing answers 500; a save is kept exactly once or shown
again to be resent. (First, the same paths in process on any database, the loss simulated.)

Gunicorn (DEBUG=0, connections kept 60 s as in production, one worker so every request meets
the same kept connection) is started here on a free port (8400-8499) on `tests.db_faults`, which
terminates its own backend on cue (see there); stopped by its PID at the end. Only the test
database's backends are ever terminated, never another database's on the shared server.
"""

from __future__ import annotations

import html
import json
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
from django.db import OperationalError, connection

from deals.models import Deal
from tests import REPO_ROOT
from tests.admin_forms import NO_INLINES
from tests.servers import free_port
from tracker.db_resilience import connection_lost

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def under_gunicorn(test):
    """The marks of a test that terminates real PostgreSQL backends under gunicorn."""
    marks = [
        pytest.mark.fault,
        pytest.mark.skipif(
            not ON_POSTGRES,
            reason="terminates PostgreSQL backends (pg_terminate_backend): set DATABASE_URL to "
            "a PostgreSQL server; SQLite has no server connection to lose",
        ),
        # The server reads what the test committed; serialized_rollback restores seeded rows.
        pytest.mark.django_db(transaction=True, serialized_rollback=True),
        # The server signs the editor in with production's password hasher.
        pytest.mark.real_password_hasher,
    ]
    for mark in marks:
        test = mark(test)
    return test


# --- In process, any database: the loss simulated by the driver error it raises -------------


class DriverError(Exception):
    """Stands for psycopg's error, which carries PostgreSQL's SQLSTATE."""

    def __init__(self, sqlstate: str | None):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def driver_error(sqlstate: str | None) -> OperationalError:
    error = OperationalError(f"SQLSTATE {sqlstate}")
    error.__cause__ = DriverError(sqlstate)
    return error


class FailingQueries:
    """An execute wrapper: the next `times` queries containing `match` raise `error` instead."""

    def __init__(self, match: str, times: int, sqlstate: str | None = "57P01"):
        self.match, self.times, self.sqlstate, self.raised = match, times, sqlstate, 0

    def __call__(self, execute, sql, params, many, context):
        if self.raised < self.times and self.match in sql:
            self.raised += 1
            raise driver_error(self.sqlstate)
        return execute(sql, params, many, context)


def test_only_errors_of_a_lost_connection_count_as_lost():
    assert connection_lost(driver_error("57P01"))  # terminated by an administrator
    assert connection_lost(driver_error("08006"))  # connection failure
    assert connection_lost(driver_error(None))  # the driver's own: the socket closed
    assert not connection_lost(driver_error("57014"))  # statement timeout, connection fine
    assert not connection_lost(driver_error("55P03"))  # lock not available
    assert not connection_lost(OperationalError("database is locked"))  # SQLite
    assert not connection_lost(ValueError("not a database error"))


@pytest.mark.django_db
def test_a_read_that_loses_its_connection_once_is_answered_by_the_second_run(client):
    lose = FailingQueries('FROM "deals_deal"', times=1)
    with connection.execute_wrapper(lose):
        response = client.get("/deals/")
    assert lose.raised == 1 and response.status_code == 200

    lose = FailingQueries('FROM "deals_deal"', times=99)
    with connection.execute_wrapper(lose):
        response = client.get("/deals/")
    assert lose.raised == 2 and response.status_code == 503
    assert response["Retry-After"] and "Briefly unavailable" in response.text
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_query_that_fails_on_a_live_connection_is_not_run_again(client):
    lose = FailingQueries('FROM "deals_deal"', times=99, sqlstate="57014")
    with connection.execute_wrapper(lose), pytest.raises(OperationalError):
        client.get("/deals/")
    assert lose.raised == 1


@pytest.mark.django_db
def test_an_admin_save_that_loses_its_connection_once_is_saved_once(admin_client):
    lose = FailingQueries('INSERT INTO "deals_deal" ', times=1)
    with connection.execute_wrapper(lose):
        response = admin_client.post("/admin/deals/deal/add/", new_deal("lost-in-process"))
    assert lose.raised == 1 and response.status_code == 302
    assert saved("lost-in-process") == (1, 1)


@pytest.mark.django_db
def test_an_admin_save_that_loses_it_twice_shows_what_was_typed(admin_client):
    lose = FailingQueries('INSERT INTO "deals_deal" ', times=99)
    with connection.execute_wrapper(lose):
        response = admin_client.post("/admin/deals/deal/add/", new_deal("lost-in-process"))
    assert lose.raised == 2 and response.status_code == 503
    assert saved("lost-in-process") == (0, 0)
    assert "Your save did not happen" in response.text
    assert '<textarea name="title" rows="1" cols="80">Acquirer / Target lost-in-process' in (
        response.text
    )
    assert 'action="/admin/deals/deal/add/"' in response.text


# --- Under gunicorn on PostgreSQL: real backends terminated -----------------------------------


# The server's connections carry this name, so that the test ends only theirs: another test
# of the same worker (a browser test's live server) may hold a connection to the same database.
SERVER_APPLICATION_NAME = "dealwatch-db-fault-server"


def database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    port = db["PORT"] or 5432
    return (
        f"postgres://{quote(db['USER'])}{password}@{db['HOST']}:{port}/{db['NAME']}"
        f"?application_name={SERVER_APPLICATION_NAME}"
    )


class Server:
    """One gunicorn worker on tests.db_faults, and the plan file that tells it when to fail."""

    def __init__(self, port: int, plan: Path, log: Path):
        self.port, self.plan, self.log = port, plan, log
        self.origin = f"https://127.0.0.1:{port}"
        self.http = httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"X-Forwarded-Proto": "https"}, timeout=30
        )
        self.cookies: dict[str, str] = {}

    def fail(self, match: str, times: int) -> None:
        """The next `times` queries containing `match` meet a terminated connection."""
        self.plan.write_text(json.dumps({"match": match, "times": times}))

    def faults_done(self) -> int:
        return json.loads(self.plan.read_text()).get("done", 0)

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        """Over HTTP as a TLS-ending proxy passes it on; the Secure cookies carried by hand."""
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {"Cookie": cookie, "Origin": self.origin, "Referer": self.origin + path}
        response = self.http.request(method, path, headers=headers, **kwargs)
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response

    def post_form(self, path: str, data: dict) -> httpx.Response:
        page = self.request("GET", path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        return self.request("POST", path, data={"csrfmiddlewaretoken": token, **data})


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("db-faults")
    port = free_port(8400, 8499)
    plan, log_path = tmp / "plan.json", tmp / "gunicorn.log"
    plan.write_text("{}")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))},
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "PYTHONUNBUFFERED": "1",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"https://127.0.0.1:{port}",
        "DATABASE_URL": database_url(),
        # No Redis: the cache in the server's memory (nothing shared with other tests).
        "REDIS_URL": "",
        "CACHE_REDIS_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        # Every read goes to the database, which is what is under test here.
        "PAGE_CACHE": "0",
        "FRAGMENT_CACHE": "0",
        "DB_FAULT_PLAN": str(plan),
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
    }
    command = [
        sys.executable, "-m", "gunicorn", "tests.db_faults:application",
        "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "30",
    ]  # fmt: skip
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    site = Server(port, plan, log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if site.http.get("/robots.txt").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"gunicorn did not answer:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        yield site
    finally:
        site.http.close()
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def terminate_the_servers_backends() -> int:
    """What a database restart does to the server's kept connections: only the test server's
    (by their application name), on this test database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND application_name = %s",
            [SERVER_APPLICATION_NAME],
        )
        (count,) = cursor.fetchone()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = %s",
                [SERVER_APPLICATION_NAME],
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.02)
    return count


def sign_in(server: Server, django_user_model) -> None:
    django_user_model.objects.create_superuser("ed", "ed@example.org", "pw-ed-12345")
    response = server.post_form(
        "/admin/login/?next=/admin/", {"username": "ed", "password": "pw-ed-12345"}
    )
    assert response.status_code == 302, response.text[:2000]


def new_deal(slug: str) -> dict:
    return {
        "title": f"Acquirer / Target {slug}",
        "slug": slug,
        "deal_type": "acquisition",
        "sector": "Software",
        "announced_on": "2026-11-02",
        "is_published": "on",
        **NO_INLINES,
    }


def saved(slug: str) -> tuple[int, int]:
    """(deals, history entries) with this slug."""
    return Deal.objects.filter(slug=slug).count(), Deal.history.filter(slug=slug).count()


@under_gunicorn
def test_connections_the_server_dropped_between_requests_are_replaced(server):
    pages = ["/deals/", "/companies/", "/regulators/", "/deadlines/", "/inquiries/"]
    assert server.request("GET", "/deals/").status_code == 200  # a kept connection now
    log_start = server.log.stat().st_size
    statuses, terminated = [], 0
    for path in pages * 2:
        terminated += terminate_the_servers_backends()
        statuses.append(server.request("GET", path).status_code)
    assert statuses == [200] * len(statuses)
    assert terminated >= len(statuses)  # each read met a connection the server had dropped
    # Replaced by the health check before the first query, not by the middleware's retry.
    assert "connection lost" not in server.log.read_text()[log_start:]
    print(f"{terminated} kept connections terminated between requests: {len(statuses)} reads 200")


@under_gunicorn
def test_a_connection_lost_during_a_read_is_run_again_else_503(server):
    server.fail('FROM "deals_deal"', times=1)
    once = server.request("GET", "/deals/")
    assert server.faults_done() == 1
    assert once.status_code == 200

    server.fail('FROM "deals_deal"', times=2)
    twice = server.request("GET", "/deals/")
    assert server.faults_done() == 2
    assert twice.status_code == 503
    assert "Briefly unavailable" in twice.text and twice.headers["Retry-After"]
    assert "no-store" in twice.headers["Cache-Control"]

    after = server.request("GET", "/deals/")
    assert after.status_code == 200
    print("connection lost during a read: once -> 200 (run again), twice -> 503, then 200")


@under_gunicorn
def test_an_admin_save_that_loses_its_connection_is_kept_exactly_once(server, django_user_model):
    sign_in(server, django_user_model)

    server.fail('INSERT INTO "deals_deal" ', times=1)
    response = server.post_form("/admin/deals/deal/add/", new_deal("lost-once"))
    assert server.faults_done() == 1
    assert response.status_code == 302, response.text[:2000]
    assert saved("lost-once") == (1, 1)
    print("connection lost during an admin save: run again, kept once (1 deal, 1 history entry)")


@under_gunicorn
def test_an_admin_save_that_loses_it_twice_is_shown_again_and_resent_once(
    server, django_user_model
):
    sign_in(server, django_user_model)

    server.fail('INSERT INTO "deals_deal" ', times=2)
    response = server.post_form("/admin/deals/deal/add/", new_deal("lost-twice"))
    assert server.faults_done() == 2
    assert response.status_code == 503
    assert "Your save did not happen" in response.text
    assert saved("lost-twice") == (0, 0)

    # The page keeps what the editor typed, in a form that sends it again.
    fields = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(
            r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', response.text, re.S
        )
    }
    assert fields["title"] == "Acquirer / Target lost-twice"
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', response.text)[1])
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)[1]
    resent = server.request("POST", action, data={"csrfmiddlewaretoken": token, **fields})
    assert resent.status_code == 302, resent.text[:2000]
    assert saved("lost-twice") == (1, 1)
    print("connection lost twice during an admin save: 503 with the form, resent: kept once")


@under_gunicorn
def test_an_admin_save_that_loses_its_commit_is_not_run_again(server, django_user_model):
    sign_in(server, django_user_model)

    server.fail("COMMIT", times=1)
    response = server.post_form("/admin/deals/deal/add/", new_deal("lost-commit"))
    assert server.faults_done() == 1
    assert response.status_code == 503
    assert "cannot tell whether it was kept" in response.text
    assert saved("lost-commit") == (0, 0)  # terminated before the COMMIT reached the server
    print("connection lost at an admin save's COMMIT: 503 'cannot tell', not run again, 0 rows")
