"""What the benchmark scripts share: the seeded database, a throw-away copy of it, and a query
counter that holds no query text (ingest runs hundreds of thousands)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dealwatch_bench"
)
DEALS = int(os.environ.get("BENCH_DEALS", "100000"))


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _admin_connection():
    import psycopg

    base, _, name = DATABASE_URL.rpartition("/")
    return psycopg.connect(f"{base}/postgres", autocommit=True), base, name


def database_create() -> None:
    """CREATE DATABASE when the benchmark's database is missing (PostgreSQL only)."""
    if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
        return
    conn, _, name = _admin_connection()
    with conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            log(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def database_tune() -> None:
    """What docker-compose.yml sets for production: random_page_cost for SSD storage; and fresh
    planner statistics after migrations."""
    if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    conn, _, name = _admin_connection()
    with conn:
        conn.execute(f'ALTER DATABASE "{name}" SET random_page_cost = 1.1')
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute("ANALYZE")


def seeded() -> None:
    """Migrate and seed the benchmark database (once), in a child process of its own, so that
    this process can still point Django at a copy of it."""
    import subprocess

    database_create()
    env = {**os.environ, "DATABASE_URL": DATABASE_URL}
    python = sys.executable
    for command in (["migrate", "-v0"], ["seed_bench", f"--deals={DEALS}"]):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True)
    database_tune()


@contextlib.contextmanager
def database_copy(suffix: str) -> Iterator[str]:
    """A copy of the seeded database (CREATE DATABASE ... TEMPLATE), dropped afterwards: a
    benchmark that writes starts from the same data every time."""
    conn, base, name = _admin_connection()
    copy = f"{name}_{suffix}"
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        log(f"copying {name} to {copy}")
        conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
    try:
        yield f"{base}/{copy}"
    finally:
        from django.db import connections

        connections.close_all()
        conn, _, _ = _admin_connection()
        with conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{copy}"')


class QueryCounter:
    """connection.execute_wrapper that counts statements (executemany counts once)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def server_stop(server: subprocess.Popen) -> None:
    """Stop a server the benchmark started in its own process group (gunicorn and its
    workers): SIGTERM, then SIGKILL after 30 s."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
