"""The site as a WSGI app for gunicorn that can lose its own database connection on cue.

tests/site/test_fault_database.py starts gunicorn on `tests.db_faults:application`. Before a
request the test writes a plan to the file named by DB_FAULT_PLAN, e.g.
`{"match": "INSERT INTO \\"deals_deal\\"", "times": 1}`: the next `times` queries whose SQL
contains `match` (or, with `"match": "COMMIT"`, the next commits) first have their own backend
terminated with `pg_terminate_backend` from a second connection, exactly as a server restart or
fail-over would end it, and then run on the dead connection. Only this server's own backend, on
the test database, is ever terminated.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import psycopg
from django.conf import settings

# Static files are not what these tests are about: no collectstatic manifest needed.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from django.db import connection, connections  # noqa: E402

from tracker.wsgi import application as site  # noqa: E402

PLAN = Path(os.environ.get("DB_FAULT_PLAN", "/nonexistent"))


def read_plan() -> dict:
    try:
        return json.loads(PLAN.read_text())
    except (OSError, ValueError):
        return {}


def terminate_own_backend() -> None:
    """End this process's database session from outside and wait until it is gone."""
    pid = connection.connection.info.backend_pid
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                return
            time.sleep(0.02)


def due(text: str) -> bool:
    """Whether the plan asks for a fault at `text` now; counts it off if so."""
    plan = read_plan()
    if plan.get("times", 0) > 0 and plan.get("match") and plan["match"] in text:
        plan["times"] -= 1
        plan["done"] = plan.get("done", 0) + 1
        PLAN.write_text(json.dumps(plan))
        return True
    return False


def fault_before_query(execute, sql, params, many, context):
    if connection.connection is not None and due(sql):
        terminate_own_backend()
    return execute(sql, params, many, context)


DatabaseWrapper = type(connections["default"])
_commit = DatabaseWrapper._commit


def _commit_with_fault(self):
    if self.connection is not None and due("COMMIT"):
        terminate_own_backend()
    return _commit(self)


DatabaseWrapper._commit = _commit_with_fault


def application(environ, start_response):
    with connection.execute_wrapper(fault_before_query):
        return site(environ, start_response)
