"""The CSV exports against gunicorn, as issue 22 measures them: first byte, whole download and the
worker's memory growth, for the full exports (streamed from the database, then the prebuilt
files) and a filtered one; then six full exports at once while /deals/ is asked for.

    .venv/bin/python bench/exports.py        # BENCH_DEALS=5000 for a smoke run

1. creates, migrates and seeds BENCH_DATABASE_URL (default dealwatch_bench_exports) once with
   `seed_bench --deals BENCH_DEALS` (bench/common.py);
2. serves it as production does, with gunicorn's two pools (gunicorn.conf.py; DEBUG=0, Redis
   db 12 as the cache, Celery eager, EXPORTS_DIR a fresh temporary directory: no prebuilt file
   yet): the downloads' (EXPORTS_WORKERS threaded workers, 3) on 127.0.0.1:EXPORTS_PORT (8520)
   answers the exports, the pages' (3 sync workers) on EXPORTS_PORT + 1 answers /deals/, as
   deploy/nginx.conf sends them;
3. downloads each export once and prints, per export, status, bytes, seconds to the first byte
   and to the last, and the growth of the serving worker's peak memory (VmHWM reset through
   /proc/<pid>/clear_refs before each download, minus VmRSS then);
4. builds the files (`deals.tasks.refresh_full_exports`, timed) and downloads them again;
5. starts six full exports at once and asks the pages' pool for /deals/ once a second meanwhile
   (not with EXPORTS_SIX=0).

Each download's sha256 is printed (its first 12 digits): the same data and code give the same
bytes, streamed or from the file, so a change to deals/exports.py that should not change what
is written is checked by running this before and after it on the same database.

The targets (issue 22): full exports at 100,000 deals first byte under 1 s, complete under 30 s,
memory growth under 50 MB; six at once leave /deals/ answering within 1 s.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dealwatch_bench_exports"
)

from bench.common import DATABASE_URL, DEALS, ROOT, log, seeded, server_stop  # noqa: E402

WORKERS = int(os.environ.get("EXPORTS_WORKERS", "3"))
PORT = int(os.environ.get("EXPORTS_PORT", "8520"))
PAGES_PORT = PORT + 1
SIX = os.environ.get("EXPORTS_SIX", "1") != "0"
REDIS_URL = os.environ.get("EXPORTS_REDIS_URL", "redis://127.0.0.1:6379/12")
EXPORTS_DIR = tempfile.mkdtemp(prefix="dealwatch-bench-exports-")
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "tracker.settings",
    "DATABASE_URL": DATABASE_URL,
    "CACHE_REDIS_URL": REDIS_URL,
    "CELERY_TASK_ALWAYS_EAGER": "1",
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdefghijklmnop",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SITE_URL": f"http://127.0.0.1:{PORT}",
    "SECURE_SSL_REDIRECT": "0",
    "EXPORTS_DIR": EXPORTS_DIR,
    "LOG_LEVEL": "WARNING",
}
FULL = ["/deals/export.csv", "/inquiries/export.csv"]
FILTERED = ["/deals/export.csv?regulator=ec", "/inquiries/export.csv?state=open"]
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def manage(*args: str) -> str:
    env = {**os.environ, **SERVER_ENV}
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return done.stdout.decode().strip()


def server_start(pool: str, port: int, workers: int) -> subprocess.Popen:
    """One of gunicorn's pools (gunicorn.conf.py: its worker class, threads and timeout, as in
    production) on 127.0.0.1:port."""
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "tracker.wsgi:application",
        f"--workers={workers}",
        f"--bind=127.0.0.1:{port}",
        "--log-level=warning",
    ]
    env = {**os.environ, **SERVER_ENV, "GUNICORN_POOL": pool}
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(120):
        time.sleep(0.5)
        try:
            if download("/robots.txt", port=port)["status"] == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited; is port {port} free?")
    server_stop(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def workers(master: int) -> list[int]:
    return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def memory_kb(pid: int, field: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith(field)).split()[1])


def download(path: str, timeout: float = 120, port: int = PORT) -> dict:
    """Status, bytes, seconds to the first byte and to the last, the body's sha256; a download
    cut off (a worker killed mid-stream at gunicorn's timeout) says how far it got."""
    started = time.monotonic()
    first_byte, size = 0.0, 0
    digest = hashlib.sha256()
    try:
        with OPENER.open(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
            block = response.read(1)
            first_byte = time.monotonic() - started
            while block:
                size += len(block)
                digest.update(block)
                block = response.read(1 << 16)
            status = response.status
            kind = response.headers.get("X-Export-Built-At") and "file" or "streamed"
    except urllib.error.HTTPError as error:
        return {"status": error.code, "bytes": 0, "first": 0.0, "total": 0.0, "kind": "error"}
    except (OSError, ValueError, http.client.HTTPException) as error:  # cut off mid-stream
        if isinstance(error, http.client.IncompleteRead):
            size += len(error.partial)
        return {
            "status": type(error).__name__,
            "bytes": size,
            "first": first_byte,
            "total": time.monotonic() - started,
            "kind": "cut off",
        }
    total = time.monotonic() - started
    return {
        "status": status,
        "bytes": size,
        "first": first_byte,
        "total": total,
        "kind": kind,
        "sha256": digest.hexdigest(),
    }


def measured(master: int, path: str) -> dict:
    """One download, with the growth of the worker that served it (the one whose peak rose),
    read every 0.2 s meanwhile: a worker gunicorn kills mid-stream takes its figures with it."""
    before = {}
    for pid in workers(master):
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
        before[pid] = memory_kb(pid, "VmRSS:")
    peaks = dict(before)
    done = threading.Event()

    def sample() -> None:
        for pid in before:
            with contextlib.suppress(OSError, ValueError, StopIteration):  # killed at the timeout
                peaks[pid] = max(peaks[pid], memory_kb(pid, "VmHWM:"))

    def sampling() -> None:
        while not done.wait(0.2):
            sample()

    sampler = threading.Thread(target=sampling)
    sampler.start()
    try:
        result = download(path)
    finally:
        done.set()
        sampler.join()
    sample()
    growth = max(peaks[pid] - rss for pid, rss in before.items())
    return {**result, "growth_mb": growth / 1024}


def row(path: str, result: dict) -> str:
    return (
        f"| `{path}` | {result['kind']} | {result['status']} | {result['bytes'] / 1e6:.1f} MB | "
        f"{result['first']:.2f} s | {result['total']:.2f} s | {result['growth_mb']:.1f} MB | "
        f"{result.get('sha256', '')[:12]} |"
    )


def six_at_once(path: str) -> str:
    """Six downloads of `path` at once; /deals/ asked of the pages' pool every second until they
    are done."""
    results: list[dict] = []
    threads = [
        threading.Thread(target=lambda: results.append(download(path, timeout=300)))
        for _ in range(6)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    pages = []
    while any(thread.is_alive() for thread in threads):
        pages.append(download("/deals/", timeout=120, port=PAGES_PORT)["total"])
        time.sleep(1)
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    statuses = sorted({str(result["status"]) for result in results})
    sizes = sorted({result["bytes"] for result in results})  # one size unless some were cut off
    slowest = max(pages) if pages else 0.0
    return (
        f"six `{path}` at once: {elapsed:.1f} s, statuses {statuses}, bytes {sizes}, slowest "
        f"{max(result['total'] for result in results):.1f} s; /deals/ asked {len(pages)} times "
        f"meanwhile, slowest {slowest:.2f} s"
    )


def main() -> None:
    seeded()
    manage("collectstatic", "--noinput", "-v0")
    server = server_start("downloads", PORT, WORKERS)
    pages = server_start("pages", PAGES_PORT, 3)
    header = [
        "| export | from | status | size | first byte | complete | worker memory growth | sha256 |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    lines = []
    try:
        download("/deals/")  # warm the workers' imports
        download("/deals/", port=PAGES_PORT)
        for path in FULL + FILTERED:
            lines.append(row(path, measured(server.pid, path)))
            log(lines[-1])
        concurrent = [six_at_once(FULL[0])] if SIX else []
        if SIX:
            log(concurrent[-1])
        started = time.monotonic()
        built = manage(
            "shell",
            "-c",
            "from deals.tasks import refresh_full_exports; print(refresh_full_exports())",
        )
        build_seconds = time.monotonic() - started
        for path in FULL:
            lines.append(row(path, measured(server.pid, path)))
        if SIX:
            concurrent.append(six_at_once(FULL[0]))
    finally:
        server_stop(pages)
        server_stop(server)
    database = DATABASE_URL.rsplit("/", 1)[1]
    print(f"\nCSV exports, {DEALS:,} deals ({database}), gunicorn's downloads pool of {WORKERS}")
    print(f"workers (gunicorn.conf.py), {time.strftime('%Y-%m-%d')}:\n")
    print("\n".join(header + lines))
    print(f"\nfiles built in {build_seconds:.1f} s (one process): {built}")
    for line in concurrent:
        print(f"- {line}")
    log(f"the files are in {EXPORTS_DIR} (remove it when done)")


if __name__ == "__main__":
    main()
