"""`make bench-soak`: the production shape under mixed public traffic for a while, and an ingest.

    make bench-soak                      # five minutes
    SOAK_SECONDS=60 make bench-soak

1. A PostgreSQL database of its own (SOAK_DATABASE_URL, default dealwatch_soak): created when
   missing, migrated and loaded with the demo once; each soak runs on a throw-away copy of it
   (bench/common.py's `database_copy`), so every run starts from the same rows.
2. gunicorn (SOAK_WORKERS sync workers, DEBUG=0, production settings, the page and fragment
   caches on Redis SOAK_REDIS_URL, default db 11) on 127.0.0.1:SOAK_PORT.
3. SOAK_THREADS client threads ask for public pages, searches, exports, feeds, calendars and
   the API, picked at random (seeded), for SOAK_SECONDS. Halfway, one ingest run from the
   stored fixtures (`manage.py ingest ftc-hsr --from-file`, never the network) writes, which
   invalidates every cached page.
4. Prints the requests, the errors by status (or exception), p50 and p99 latency per kind of
   request, and each gunicorn worker's resident memory (VmRSS of /proc/<pid>/status) after the
   warm-up and at each quarter (halfway: after the ingest). The targets: 0 errors, memory
   flat. A benchmark, not a test: it fails nothing, it reports.
"""

from __future__ import annotations

import collections
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# bench/common.py's database helpers act on BENCH_DATABASE_URL: here, the soak's own database.
os.environ["BENCH_DATABASE_URL"] = os.environ.get(
    "SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dealwatch_soak"
)

from bench.common import (  # noqa: E402
    DATABASE_URL,
    ROOT,
    database_copy,
    database_create,
    log,
    server_stop,
)

SECONDS = int(os.environ.get("SOAK_SECONDS", "300"))
THREADS = int(os.environ.get("SOAK_THREADS", "4"))
WORKERS = int(os.environ.get("SOAK_WORKERS", "3"))
PORT = int(os.environ.get("SOAK_PORT", "8510"))
REDIS_URL = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/11")
FIXTURE = ROOT / "tests" / "fixtures" / "ftc" / "hsr-early-termination-notices_snapshot1.xml"
SEARCHES = ["microsoft", "pharma", "merger", "phase 2", "semiconductor", "bank", "zzz-no-match"]

# The server's settings: production shape, plain HTTP on loopback behind no proxy.
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "tracker.settings",
    "REDIS_URL": REDIS_URL,
    "CACHE_REDIS_URL": REDIS_URL,
    "DEBUG": "0",
    "SECRET_KEY": "soak-only-secret-key-not-for-production-0123456789abcdefghijklmnop",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SITE_URL": f"http://127.0.0.1:{PORT}",
    "SECURE_SSL_REDIRECT": "0",
    "CELERY_TASK_ALWAYS_EAGER": "1",
    "LOG_LEVEL": "WARNING",
    # Should anything reach for the network, it meets a closed local port.
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
}
# This process too (database_copy closes Django's connections, which reads the settings).
os.environ.update(SERVER_ENV)


def manage(*args: str, database_url: str) -> str:
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def database_ready() -> None:
    """The soak's database, created, migrated and loaded with the demo (both safe to repeat)."""
    database_create()
    manage("migrate", "-v0", database_url=DATABASE_URL)
    log(f"demo: {manage('load_demo', database_url=DATABASE_URL)}")


# --- The server ---------------------------------------------------------------------------


def server_start(database_url: str) -> subprocess.Popen:
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": database_url}
    manage("collectstatic", "--noinput", "-v0", database_url=database_url)
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "tracker.wsgi:application",
        f"--workers={WORKERS}",
        f"--bind=127.0.0.1:{PORT}",
        "--timeout=60",
        "--log-level=warning",
        "--no-control-socket",  # one shared path otherwise, for every gunicorn on the machine
    ]
    # Its own session, so that stopping it stops its workers and nothing else.
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(120):
        time.sleep(0.5)
        try:
            if fetch("/robots.txt")[0] == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited; is port {PORT} free?")
    server_stop(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def worker_rss(master: int) -> dict[int, int]:
    """{pid: resident kB} of the gunicorn master's workers (its children, from /proc)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    rss = {}
    for pid in map(int, children):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            continue  # a worker that was just replaced
        line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        rss[pid] = int(line.split()[1])
    return rss


# --- The traffic --------------------------------------------------------------------------


# Straight to the server: the proxy variables above are for the server's outbound requests.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(path: str, timeout: float = 60) -> tuple[int, bytes]:
    try:
        with OPENER.open(f"http://127.0.0.1:{PORT}{path}", timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def slugs(database_url: str, table: str, where: str = "TRUE") -> list[str]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(f"SELECT slug FROM {table} WHERE {where} ORDER BY id LIMIT 30")
        return [slug for (slug,) in rows]


def traffic(database_url: str) -> list[tuple[str, str]]:
    """(kind, path) of every request the clients pick from."""
    deals = slugs(database_url, "deals_deal", "is_published")
    companies = slugs(database_url, "deals_company")
    regulators = slugs(database_url, "deals_regulator")
    pages = ["/", "/deals/", "/inquiries/", "/companies/", "/regulators/", "/deadlines/"]
    pages += ["/stats/", "/statuses/", "/sources/"]
    pages += [f"/deals/{slug}/" for slug in deals]
    pages += [f"/companies/{slug}/" for slug in companies[:10]]
    pages += [f"/regulators/{slug}/" for slug in regulators]
    searches = [f"/search/?q={word.replace(' ', '+')}" for word in SEARCHES]
    searches += [f"/deals/?q={word.replace(' ', '+')}" for word in SEARCHES[:3]]
    searches += [f"/inquiries/?q={word.replace(' ', '+')}" for word in SEARCHES[:3]]
    exports = ["/deals/export.csv", "/inquiries/export.csv", "/deals/calendar.ics"]
    exports += ["/deadlines/calendar.ics"]
    feeds = ["/feed/", "/deals/feed/", *[f"/deals/{slug}/feed/" for slug in deals[:5]]]
    feeds += [f"/regulators/{slug}/feed/" for slug in regulators[:3]]
    api = ["/api/v1/deals/", "/api/v1/inquiries/"]
    return [
        *(("page", path) for path in pages),
        *(("search", path) for path in searches),
        *(("export", path) for path in exports),
        *(("feed", path) for path in feeds),
        *(("api", path) for path in api),
    ]


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: collections.Counter[str] = collections.Counter()
        self.examples: dict[str, str] = {}

    def add(self, kind: str, path: str, outcome: str, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if outcome != "200":
                self.errors[outcome] += 1
                self.examples.setdefault(outcome, path)


def client(urls: list[tuple[str, str]], tally: Tally, until: float, seed: int) -> None:
    pick = random.Random(seed)
    while time.monotonic() < until:
        kind, path = pick.choice(urls)
        started = time.perf_counter()
        try:
            outcome = str(fetch(path)[0])
        except OSError as exc:
            outcome = type(exc).__name__
        tally.add(kind, path, outcome, time.perf_counter() - started)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def memory_line(label: str, rss: dict[int, int]) -> str:
    each = ", ".join(f"{kb / 1024:.0f}" for kb in rss.values())
    return f"| {label} | {len(rss)} | {each} | {sum(rss.values()) / 1024:.0f} |"


def main() -> None:
    database_ready()
    with database_copy("run") as url:
        urls = traffic(url)
        server = server_start(url)
        try:
            for _, path in urls:  # warm-up: every address once, its first render paid
                fetch(path)
            memory = [("start", worker_rss(server.pid))]
            log(f"soak: {SECONDS} s, {THREADS} threads, {len(urls)} addresses, {WORKERS} workers")
            tally = Tally()
            began = time.monotonic()
            until = began + SECONDS
            threads = [
                threading.Thread(target=client, args=(urls, tally, until, seed), daemon=True)
                for seed in range(THREADS)
            ]
            for thread in threads:
                thread.start()
            # Memory at each quarter; the ingest runs at the half, and is measured after it.
            for quarter in (1, 2, 3, 4):
                time.sleep(max(0.0, began + SECONDS * quarter / 4 - time.monotonic()))
                if quarter == 2:
                    ingest_started = time.monotonic()
                    ingest = manage(
                        "ingest", "ftc-hsr", "--from-file", str(FIXTURE), database_url=url
                    )
                    ingest_seconds = time.monotonic() - ingest_started
                    log(f"ingest halfway: {ingest} ({ingest_seconds:.1f} s)")
                    label = "halfway, after the ingest"
                else:
                    label = f"{quarter}/4" if quarter < 4 else "end"
                if quarter == 4:
                    for thread in threads:
                        thread.join()
                memory.append((label, worker_rss(server.pid)))
            elapsed = time.monotonic() - began
        finally:
            server_stop(server)
    report(tally, memory, elapsed, ingest, ingest_seconds)


def report(tally: Tally, memory, elapsed: float, ingest: str, ingest_seconds: float) -> None:
    everything = [seconds for values in tally.latencies.values() for seconds in values]
    errors = sum(tally.errors.values())
    print(
        f"\nSoak of the production shape (gunicorn {WORKERS} sync workers, DEBUG=0, PostgreSQL, "
        f"Redis cache), {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores (shared), "
        f"{THREADS} client threads, {elapsed:.0f} s:\n"
    )
    print("| requests | kind | p50 ms | p99 ms |")
    print("|---:|---|---:|---:|")
    for kind, values in sorted(tally.latencies.items()):
        print(
            f"| {len(values):,} | {kind} | {percentile(values, 0.5):.0f} | "
            f"{percentile(values, 0.99):.0f} |"
        )
    print(
        f"| {len(everything):,} | all ({len(everything) / elapsed:.1f}/s) | "
        f"{statistics.median(everything) * 1000:.0f} | {percentile(everything, 0.99):.0f} |"
    )
    print(f"\nErrors: {errors}" + ("" if errors else " (target: 0, met)"))
    for outcome, count in tally.errors.most_common():
        print(f"- {outcome}: {count} (e.g. {tally.examples[outcome]})")
    print(f"\nIngest halfway: {ingest} in {ingest_seconds:.1f} s")
    print("\n| worker RSS, MB | workers | each | total |")
    print("|---|---:|---|---:|")
    for label, rss in memory:
        print(memory_line(label, rss))
    start, end = sum(memory[0][1].values()), sum(memory[-1][1].values())
    if start:
        print(f"\nWorker memory from start to end: {100 * (end - start) / start:+.1f} %")


if __name__ == "__main__":
    main()
