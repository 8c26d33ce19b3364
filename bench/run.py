"""`make bench`: how fast the public pages answer at 100,000 deals, as the README reports it.

    make bench                                      # PostgreSQL database dealwatch_bench
    BENCH_SECONDS=3 BENCH_PAGES=deals,deal make bench

1. Creates the database named by BENCH_DATABASE_URL if it is missing, migrates it and seeds
   BENCH_DEALS deals once (`manage.py seed_bench`; about two minutes for 100,000).
2. Serves the site with gunicorn's pages pool (BENCH_WORKERS sync workers, as gunicorn.conf.py
   has them in production, DEBUG=0, production settings, Redis db 9 as the cache) on
   127.0.0.1:BENCH_PORT, with /bench/ok/: a view that answers "ok" through the same
   middleware, the yardstick every page is divided by.
3. In each mode runs BENCH_ROUNDS interleaved rounds; each round measures the empty view and
   every page with wrk (BENCH_CONNECTIONS connections, BENCH_SECONDS each). A page's ratio is
   its req/s over the empty view's in the same round, so that a noisy shared machine moves both;
   the table shows medians over rounds. The modes:
   - `uncached`: no page cache, no fragment cache: every request renders everything from the
     database (only the shared facet values and regulator counts are cached);
   - `cold`: the page cache empty (off), fragments (rows, timelines) cached as they are between
     two writes: what a page nobody asked for since the last write costs;
   - `warm`: the page cache on and filled;
   - `after-write`: the page cache and fragments on, and before each request one real write,
     an editor's save of a deal (in this process, on the same database and Redis: the signals
     bump the content version as the admin's save does). Each page is requested BENCH_ROUNDS x 5
     times, each right after its own write, one request at a time; its ratio is the empty
     view's median latency (also right after a write) over the page's. What a visitor gets
     when editors and ingest are at work (issue 22's target: 0.05). Run it with
     BENCH_MODES=after-write (not among the default modes);
   - `proxy` (not run unless asked: BENCH_MODES=proxy): warm, through Debian's nginx with
     deploy/nginx.conf in front (bench/proxy.py, on 127.0.0.1:BENCH_PROXY_PORT), each page
     fetched through it until nginx's cache has it; then, in each round, each page through
     nginx and the same nginx serving a static file of the page's byte size. A page's ratio is
     its req/s over its static twin's (issue 22's target: 0.8). Access logging is off in this
     nginx, for the page and the file alike.
4. Counts each page's SQL queries in each mode, in this process (Django's test client).

Prints one Markdown table per mode, then which targets of issue 9 are met.
"""

from __future__ import annotations

import datetime
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import proxy  # noqa: E402
from bench.common import (  # noqa: E402
    DATABASE_URL,
    DEALS,
    ROOT,
    database_create,
    database_tune,
    log,
    server_stop,
)

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
PORT = int(os.environ.get("BENCH_PORT", "8500"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
MODES = os.environ.get("BENCH_MODES", "uncached,cold,warm").split(",")
PROXY_PORT = int(os.environ.get("BENCH_PROXY_PORT", "8501"))
# mode -> (PAGE_CACHE, FRAGMENT_CACHE)
CACHES = {
    "uncached": (False, False),
    "cold": (False, True),
    "warm": (True, True),
    "proxy": (True, True),
    "after-write": (True, True),
}
TARGETS = {"warm": 0.5, "cold": 0.05, "proxy": 0.8, "after-write": 0.05}
AFTER_WRITE_REQUESTS = 5  # per page and round
DESCRIPTIONS = {
    "uncached": "no page or fragment cache: every request renders from the database",
    "cold": "page cache empty, fragments cached as between two writes",
    "warm": "page cache on and filled",
    "after-write": "page cache and fragments on, one editor's save of a deal before each "
    "request; one request at a time, req/s is 1 / median latency",
    "proxy": "warm, through nginx (deploy/nginx.conf); the ratio is to the same nginx serving "
    "a static file of the page's size",
}
ONLY = [name for name in os.environ.get("BENCH_PAGES", "").split(",") if name]

# The server and this process share these settings: production shape, plain HTTP on loopback.
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "tracker.settings",
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "CACHE_REDIS_URL": REDIS_URL,
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdefghijklmnop",
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "BENCH_EMPTY_VIEW": "1",
    "CELERY_TASK_ALWAYS_EAGER": "1",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(SERVER_ENV)

import django  # noqa: E402

EMPTY = "/bench/ok/"


@dataclass
class Sample:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


@dataclass
class PageResult:
    name: str
    url: str
    queries: int | None = None
    samples: list[Sample] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    # proxy mode: the static file of the page's size, the page's bytes, nginx's X-Cache-Status
    # for the last fetch of the warm-up
    static_samples: list[Sample] = field(default_factory=list)
    size: int = 0
    cache_status: str = ""

    def median(self, attribute: str, samples: str = "samples") -> float:
        return statistics.median(getattr(sample, attribute) for sample in getattr(self, samples))

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios) if self.ratios else 0.0

    @property
    def errors(self) -> int:
        return sum(sample.errors for sample in self.samples)

    @property
    def requests(self) -> int:
        return sum(sample.requests for sample in self.samples)


# --- The data ---------------------------------------------------------------------------


def data_prepare() -> None:
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    call_command("seed_bench", deals=DEALS)
    call_command("collectstatic", verbosity=0, interactive=False)
    connections.close_all()
    database_tune()


def pages() -> list[PageResult]:
    """The pages of issue 9's table and the other public pages, found in the seeded data."""
    from django.db.models import Count

    from deals.models import Company, Deal, Event, Regulator

    big_deal = (
        Event.objects.filter(inquiry__deal__is_published=True)
        .values("inquiry__deal")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    deal = Deal.objects.get(pk=big_deal["inquiry__deal"])
    company = Company.objects.annotate(n=Count("parties")).order_by("-n").only("slug").first()
    regulator = Regulator.objects.get(slug="ec")
    listed = [
        ("empty", EMPTY),
        ("home", "/"),
        ("deals", "/deals/"),
        ("deals-q", "/deals/?q=microsoft"),
        ("deals-filtered", "/deals/?jurisdiction=EU&announced_after=2020-01-01&sort=-activity"),
        ("deals-deep", "/deals/?page=2000"),
        ("deal", deal.get_absolute_url()),
        ("inquiries", "/inquiries/"),
        ("inquiries-q", "/inquiries/?q=M.1"),
        ("company", company.get_absolute_url()),
        ("companies", "/companies/"),
        ("regulator", regulator.get_absolute_url()),
        ("regulators", "/regulators/"),
        ("deadlines", "/deadlines/"),
        ("stats", "/stats/"),
        ("statuses", "/statuses/"),
        ("sources", "/sources/"),
        ("api-deals", "/api/v1/deals/"),
        ("feed", "/feed/"),
        ("deals-feed", "/deals/feed/"),
        ("deal-feed", f"{deal.get_absolute_url()}feed/"),
    ]
    return [
        PageResult(name, url) for name, url in listed if not ONLY or name in ONLY or url == EMPTY
    ]


def count_queries(mode: str, results: list[PageResult]) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client()
    page_cache, fragment_cache = CACHES[mode]
    with override_settings(PAGE_CACHE=page_cache, FRAGMENT_CACHE=fragment_cache):
        for page in results:
            client.get(page.url)  # once, so that per-process caches are filled as in a server
            if mode == "after-write":
                editor_save()  # counted: the page's queries right after a write
            with CaptureQueriesContext(connection) as queries:
                response = client.get(page.url)
            if response.status_code != 200:
                raise SystemExit(f"{page.url} answered {response.status_code}")
            page.queries = len(queries)


# --- The server ---------------------------------------------------------------------------


def server_start(mode: str) -> subprocess.Popen:
    page_cache, fragment_cache = CACHES[mode]
    env = {
        **os.environ,
        **SERVER_ENV,
        "PAGE_CACHE": "1" if page_cache else "0",
        "FRAGMENT_CACHE": "1" if fragment_cache else "0",
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "tracker.wsgi:application",
        f"--workers={WORKERS}",
        f"--bind=127.0.0.1:{PORT}",
        "--timeout=120",
        "--log-level=warning",
    ]
    # Its own session, so that stopping it stops its workers and nothing else.
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(60):
        time.sleep(0.5)
        try:
            get(EMPTY)
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn exited; is the port free?") from None
    server_stop(server)
    raise SystemExit("gunicorn did not answer within 30 s")


def get(path: str, timeout: float = 120) -> int:
    return fetch(path, timeout)[0]


def fetch(path: str, timeout: float = 120, port: int = PORT) -> tuple[int, bytes, str]:
    """Status, body and X-Cache-Status (nginx's, when through the proxy)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
        body = response.read()
        return response.status, body, response.headers.get("X-Cache-Status", "")


def cache_clear() -> None:
    from django.core.cache import cache

    cache.clear()  # Redis db 9: the benchmark's own


# --- wrk ----------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def wrk(path: str, seconds: int, port: int = PORT) -> Sample:
    command = [
        "wrk",
        "--threads=2",
        f"--connections={CONNECTIONS}",
        f"--duration={seconds}s",
        "--timeout=30s",
        "--latency",
        f"http://127.0.0.1:{port}{path}",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))

    def percentile(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        return float(match.group(1)) * UNITS[match.group(2)] if match else float("nan")

    errors = 0
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: (.*)"):
        match = re.search(pattern, output)
        if match:
            errors += sum(int(n) for n in re.findall(r"\d+", match.group(1)))
    if errors or not rps:
        log(f"{path}: {errors} errors\n{output}")
    drain()
    return Sample(
        rps=rps,
        p50_ms=percentile("50"),
        p99_ms=percentile("99"),
        errors=errors,
        requests=requests,
    )


def drain() -> None:
    """Wait until the workers have finished what wrk left queued when it stopped: a slow page's
    abandoned requests must not slow down the next page's measurement."""
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        list(pool.map(lambda path: get(path, timeout=900), [EMPTY] * CONNECTIONS))


def seconds_for(latency: float) -> int:
    """Long enough for a slow page to finish about two requests per connection (at most 60 s)."""
    parallel = min(WORKERS, os.cpu_count() or 1)
    return min(60, max(SECONDS, math.ceil(2 * CONNECTIONS * latency / parallel)))


def measure(mode: str, results: list[PageResult]) -> None:
    if mode == "proxy":
        measure_through_proxy(results)
        return
    if mode == "after-write":
        measure_after_writes(results)
        return
    server = server_start(mode)
    durations = {}
    try:
        if mode == "warm":
            cache_clear()
        for page in results:  # warm the database, the workers and (in warm mode) the cache
            timings = []
            for _ in range(WORKERS * 2):
                began = time.perf_counter()
                if get(page.url) != 200:
                    raise SystemExit(f"{page.url} did not answer 200")
                timings.append(time.perf_counter() - began)
            durations[page.name] = seconds_for(statistics.median(timings))
        for number in range(ROUNDS):
            # Rotate the order each round, so no page always runs first or last.
            shift = number * len(results) // max(ROUNDS, 1)
            order = results[shift:] + results[:shift]
            log(f"{mode}: round {number + 1} of {ROUNDS}")
            round_samples = {page.name: wrk(page.url, durations[page.name]) for page in order}
            empty = round_samples["empty"].rps
            for page in results:
                sample = round_samples[page.name]
                page.samples.append(sample)
                page.ratios.append(sample.rps / empty if empty else 0.0)
    finally:
        server_stop(server)


def editor_save() -> None:
    """One real write, as an editor's save in the admin makes it: a published deal saved (its
    signals refresh what derives from it and bump the content version)."""
    from deals.models import Deal

    deal = Deal.objects.filter(is_published=True).order_by("?").first()
    deal.save()


def measure_after_writes(results: list[PageResult]) -> None:
    server = server_start("after-write")
    try:
        cache_clear()
        for page in results:  # warm the database, the workers and the fragments
            for _ in range(WORKERS):
                if get(page.url) != 200:
                    raise SystemExit(f"{page.url} did not answer 200")
        for number in range(ROUNDS):
            shift = number * len(results) // max(ROUNDS, 1)
            order = results[shift:] + results[:shift]
            log(f"after-write: round {number + 1} of {ROUNDS}")
            latencies: dict[str, list[float]] = {}
            for page in order:
                for _ in range(AFTER_WRITE_REQUESTS):
                    editor_save()
                    began = time.perf_counter()
                    status = get(page.url)
                    latency = time.perf_counter() - began
                    if status != 200:
                        raise SystemExit(f"{page.url} answered {status} after a write")
                    latencies.setdefault(page.name, []).append(latency)
            empty = statistics.median(latencies["empty"])
            for page in results:
                median = statistics.median(latencies[page.name])
                page.samples.append(
                    Sample(
                        rps=1 / median,
                        p50_ms=median * 1000,
                        p99_ms=max(latencies[page.name]) * 1000,
                        errors=0,
                        requests=CONNECTIONS,  # one at a time, by design: not "too few"
                    )
                )
                page.ratios.append(empty / median)
    finally:
        server_stop(server)


def measure_through_proxy(results: list[PageResult]) -> None:
    """Each page through nginx (deploy/nginx.conf) against the same nginx serving a static file
    of the page's size, in interleaved rounds."""
    server = server_start("proxy")
    directory = Path(tempfile.mkdtemp(prefix="dealwatch-bench-nginx-"))
    twins = directory / "static" / "bench"
    twins.mkdir(parents=True)
    proxy.write_conf(
        directory,
        listen=f"127.0.0.1:{PROXY_PORT}",
        upstream=f"127.0.0.1:{PORT}",
        static_root=directory / "static",
        access_log=False,
    )
    front = proxy.start(directory, PROXY_PORT)
    durations = {}
    try:
        cache_clear()
        for page in results:  # warm the workers, Redis's page cache and nginx's cache
            timings = []
            for _ in range(WORKERS * 2):
                began = time.perf_counter()
                status, body, page.cache_status = fetch(page.url, port=PROXY_PORT)
                if status != 200:
                    raise SystemExit(f"{page.url} did not answer 200 through nginx")
                timings.append(time.perf_counter() - began)
            page.size = len(body)
            (twins / f"{page.name}.html").write_bytes(b"x" * page.size)
            durations[page.name] = seconds_for(statistics.median(timings))
        for number in range(ROUNDS):
            shift = number * len(results) // max(ROUNDS, 1)
            order = results[shift:] + results[:shift]
            log(f"proxy: round {number + 1} of {ROUNDS}")
            for page in order:
                sample = wrk(page.url, durations[page.name], port=PROXY_PORT)
                twin = wrk(f"/static/bench/{page.name}.html", SECONDS, port=PROXY_PORT)
                page.samples.append(sample)
                page.static_samples.append(twin)
                page.ratios.append(sample.rps / twin.rps if twin.rps else 0.0)
    finally:
        proxy.stop(front)
        server_stop(server)
        shutil.rmtree(directory, ignore_errors=True)


# --- Report -------------------------------------------------------------------------------


def table(mode: str, results: list[PageResult]) -> str:
    if mode == "proxy":
        return proxy_table(results)
    lines = [
        f"Mode `{mode}` ({DESCRIPTIONS[mode]}):",
        "",
        "| page | req/s | p50 ms | p99 ms | queries | ratio to empty |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for page in results:
        errors = f" ({page.errors} errors)" if page.errors else ""
        # Fewer requests than connections in a round: too slow for wrk to measure well.
        if page.requests < CONNECTIONS * len(page.samples):
            errors += f" (only {page.requests} requests)"
        lines.append(
            f"| `{page.url}`{errors} | {page.median('rps'):.1f} | {page.median('p50_ms'):.1f} | "
            f"{page.median('p99_ms'):.1f} | {page.queries if page.queries is not None else ''} "
            f"| {page.ratio:.3f} |"
        )
    return "\n".join(lines)


def proxy_table(results: list[PageResult]) -> str:
    lines = [
        f"Mode `proxy` ({DESCRIPTIONS['proxy']}):",
        "",
        "| page | bytes | X-Cache-Status warm | req/s | p50 ms | p99 ms | static file req/s "
        "| ratio to static |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for page in results:
        errors = f" ({page.errors} errors)" if page.errors else ""
        lines.append(
            f"| `{page.url}`{errors} | {page.size:,} | {page.cache_status or '-'} | "
            f"{page.median('rps'):.1f} | {page.median('p50_ms'):.1f} | "
            f"{page.median('p99_ms'):.1f} | {page.median('rps', 'static_samples'):.1f} | "
            f"{page.ratio:.3f} |"
        )
    return "\n".join(lines)


def verdicts(by_mode: dict[str, list[PageResult]]) -> list[str]:
    """Issue 9's targets, met or not, with the gap."""
    lines = []
    targets = TARGETS
    for mode, results in by_mode.items():
        target = targets.get(mode)
        if target is None:
            continue
        short = [p for p in results if p.name != "empty" and p.ratio < target]
        yardstick = "its static file's" if mode == "proxy" else "the empty view's"
        if short:
            gaps = ", ".join(f"{p.name} {p.ratio:.3f}" for p in short)
            lines.append(f"{mode}: ratio to {yardstick} >= {target} NOT met by {gaps}")
        else:
            lines.append(f"{mode}: every page at ratio to {yardstick} >= {target}: met")
    for mode in ("uncached", "cold"):
        pages = {p.name: p for p in by_mode.get(mode, [])}
        if "deals" in pages and "deals-deep" in pages:
            first, deep = pages["deals"].ratio, pages["deals-deep"].ratio
            slower = first / deep if deep else float("inf")
            verdict = "met" if slower <= 1.25 else "NOT met"
            lines.append(
                f"{mode}: /deals/?page=2000 takes {slower:.2f}x the time of page 1 (<= 1.25x): "
                f"{verdict}"
            )
    return lines


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (Debian) or brew install wrk")
    if "proxy" in MODES and not Path(proxy.NGINX).exists():
        raise SystemExit(f"proxy mode needs Debian's nginx ({proxy.NGINX}): apt-get install nginx")
    database_create()
    django.setup()
    data_prepare()
    results_template = pages()
    by_mode: dict[str, list[PageResult]] = {}
    for mode in MODES:
        results = [PageResult(page.name, page.url) for page in results_template]
        count_queries(mode, results)
        measure(mode, results)
        by_mode[mode] = results

    from deals.models import Deal, Event, Inquiry

    cores = os.cpu_count()
    print(
        f"\n{datetime.date.today():%Y-%m-%d}, {platform.node()} ({cores} cores, shared with "
        f"other work during the run), {Deal.objects.count():,} deals, "
        f"{Inquiry.objects.count():,} inquiries, {Event.objects.count():,} events; gunicorn "
        f"pages pool of {WORKERS} workers (gunicorn.conf.py), wrk {CONNECTIONS} connections, "
        f"{ROUNDS} rounds of {SECONDS} s per page (up to 60 s for a slow page); medians over "
        "rounds.\n"
    )
    for mode, results in by_mode.items():
        print(table(mode, results))
        print()
    for line in verdicts(by_mode):
        print(f"- {line}")


if __name__ == "__main__":
    try:
        main()
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"{exc.url}: {exc.code}") from exc
