"""`make bench-ingest`: ingest of the EC's dumps on the benchmark database (100,000 deals).

Two tables, each on a throw-away copy of the seeded benchmark database (see bench/run.py):

1. the EC's full antitrust dump (748 cases, tests/fixtures/ec/case-data-AT.json), applied twice
   as `manage.py ingest ec --from-file` would: the first run creates everything, the second
   finds every record unchanged. Issue 9's targets: >= 1,000 records/s on the first run,
   >= 5,000/s on the unchanged re-run.
2. a generated EC merger dump of BENCH_MERGER_CASES cases (10,000; bench/merger_dump.py, about
   39 MB in the Commission's encoding), applied twice the same way, each run in a child process
   of its own so that its peak RSS (VmHWM) is that run's alone. Issue 21's targets: >= 1,000
   cases/s on the first run, >= 10,000/s on the unchanged re-run, peak RSS under 300 MB.

BENCH_INGEST=antitrust or mergers runs one of the two (default: both).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DEALS, ROOT, QueryCounter, database_copy, log, seeded  # noqa: E402

DUMP = ROOT / "tests" / "fixtures" / "ec" / "case-data-AT.json"
TARGETS = {"first": 1000, "unchanged": 5000}
PARTS = os.environ.get("BENCH_INGEST", "all")  # all, antitrust or mergers

MERGER_CASES = int(os.environ.get("BENCH_MERGER_CASES", "10000"))
MERGER_SEED = int(os.environ.get("BENCH_MERGER_SEED", "21"))
MERGER_TARGETS = {"first": 1_000, "unchanged": 10_000}
MERGER_RSS_MB = 300
DUMPS_DIR = Path(os.environ.get("BENCH_DUMPS_DIR", Path(tempfile.gettempdir()) / "dealwatch-bench"))


def django_setup(url: str) -> None:
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="tracker.settings")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
    os.environ["CACHE_REDIS_URL"] = os.environ["REDIS_URL"]  # never an operator's cache
    import django

    django.setup()


def main() -> None:
    if PARTS not in ("all", "antitrust", "mergers"):
        raise SystemExit(f"BENCH_INGEST={PARTS!r}: expected all, antitrust or mergers")
    seeded()
    tables = []
    if PARTS in ("all", "antitrust"):
        tables.append(antitrust_table())
    if PARTS in ("all", "mergers"):
        tables.append(mergers_table())
    print("\n\n".join(tables))


def antitrust_table() -> str:
    with database_copy("ingest") as url:
        django_setup(url)
        from django.db import connection

        from deals.models import Deal
        from ingest.pipeline import ingest_run

        documents = [DUMP.read_bytes()]
        deals = Deal.objects.count()
        lines = []
        for label in ("first", "unchanged"):
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                began, cpu = time.perf_counter(), time.process_time()
                run = ingest_run(source="ec", documents=documents, trigger="file")
                seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
            rate = run.records / seconds
            verdict = "met" if rate >= TARGETS[label] else "NOT met"
            lines.append(
                f"| {label} run | {run.records} | {seconds:.1f} | {cpu:.1f} | {rate:,.0f} | "
                f"{counter.count / run.records:.1f} | >= {TARGETS[label]:,}/s: {verdict} |"
            )
            log(run.summary_line())
    return "\n".join(
        [
            f"Ingest of the EC antitrust dump on PostgreSQL at {deals:,} deals "
            f"(BENCH_DEALS={DEALS}), {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores "
            f"(shared; load average {load_average()}). {CPU_NOTE}\n",
            "| run | records | seconds | CPU s | records/s | queries/record | target |",
            "|---|---:|---:|---:|---:|---:|---|",
            *lines,
        ]
    )


# --- The generated merger dump ------------------------------------------------------------


def mergers_table() -> str:
    from bench.merger_dump import dump_file, dump_path

    source = "ec-mergers"
    DUMPS_DIR.mkdir(parents=True, exist_ok=True)
    path = dump_path(DUMPS_DIR, cases=MERGER_CASES, seed=MERGER_SEED)
    began = time.perf_counter()
    dump_file(path, cases=MERGER_CASES, seed=MERGER_SEED)
    log(f"merger dump {path}: {path.stat().st_size:,} bytes ({time.perf_counter() - began:.1f} s)")
    results = []
    # database_copy closes Django's connections at the end: this process needs its settings.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    with database_copy("ingest_mergers") as url:
        for label in ("first", "unchanged"):
            # A process per run: VmHWM (the peak RSS) cannot be reset within one.
            child = subprocess.run(
                [sys.executable, __file__, "--merger-run", label, str(path), source, url],
                cwd=ROOT,
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            )
            result = json.loads(child.stdout.strip().splitlines()[-1])
            log(f"{label} run: {result['summary']}")
            results.append(result)
    lines = []
    for result in results:
        label, records, seconds = result["label"], result["records"], result["seconds"]
        rate = records / seconds if seconds else 0.0
        rss_verdict = "met" if result["peak_mb"] < MERGER_RSS_MB else "NOT met"
        rate_verdict = "met" if rate >= MERGER_TARGETS[label] else "NOT met"
        lines.append(
            f"| {label} run | {records:,} ({result['skipped']:,} skipped) | {seconds:.1f} | "
            f"{result['cpu']:.1f} | {rate:,.0f} | {per_record(result['queries'], records)} | "
            f"{result['peak_mb']:.0f} (+{result['peak_mb'] - result['base_mb']:.0f}) | "
            f">= {MERGER_TARGETS[label]:,}/s: {rate_verdict}; "
            f"< {MERGER_RSS_MB} MB: {rss_verdict} |"
        )
    return "\n".join(
        [
            f"Ingest of a generated EC merger dump (bench/merger_dump.py: {MERGER_CASES:,} cases, "
            f"seed {MERGER_SEED}, {path.stat().st_size / 1e6:.1f} MB) by the `{source}` source "
            f"on PostgreSQL at {results[0]['deals']:,} deals (BENCH_DEALS={DEALS}), "
            f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores (shared; load average "
            f"{load_average()}). Peak RSS: the run's process at its highest (VmHWM), in brackets "
            f"above the process before it read the dump (Django loaded). {CPU_NOTE}\n",
            "| run | records | seconds | CPU s | records/s | queries/record | peak RSS MB "
            "| target |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
            *lines,
        ]
    )


# The machine is shared: its load stretches the wall clock, not the run's own CPU time.
CPU_NOTE = (
    "CPU s: the CPU time of the run's own process alone (not the database server's), which other "
    "work on the machine does not stretch as it stretches the wall clock"
)


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def per_record(queries: int, records: int) -> str:
    """Queries per record; a run that needs fewer queries than records says how many in all."""
    if queries < records or not records:
        return f"{queries:,} in all"
    return f"{queries / records:.1f}"


def rss_mb(field: str) -> float:
    """VmHWM (peak) or VmRSS (now) of this process in MB; ru_maxrss where /proc is missing."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def merger_run(label: str, path: Path, source: str, url: str) -> None:
    """One run on the merger dump, in this (child) process; prints its figures as JSON."""
    django_setup(url)
    from django.db import connection

    from deals.models import Deal
    from ingest.pipeline import ingest_run

    deals = Deal.objects.count()
    base = rss_mb("VmRSS")
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        began, cpu = time.perf_counter(), time.process_time()
        run = ingest_run(source=source, documents=[path.read_bytes()], trigger="file")
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    result = {
        "label": label,
        "records": run.records,
        "skipped": run.skipped,
        "seconds": seconds,
        "cpu": cpu,
        "queries": counter.count,
        "base_mb": base,
        "peak_mb": rss_mb("VmHWM"),
        "deals": deals,
        "summary": run.summary_line(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--merger-run", nargs=4, metavar=("LABEL", "DUMP", "SOURCE", "URL"))
    args = parser.parse_args()
    if args.merger_run:
        label, path, source, url = args.merger_run
        merger_run(label, Path(path), source, url)
    else:
        main()
