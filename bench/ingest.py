"""`make bench-ingest`: ingest of the EC's full antitrust dump (748 cases) at 100,000 deals.

On a throw-away copy of the seeded benchmark database (see bench/run.py), applies
tests/fixtures/ec/case-data-AT.json twice, as `manage.py ingest ec --from-file` would: the
first run creates everything, the second finds every record unchanged. Prints records/s and
SQL queries per record for each. Issue 9's targets: >= 1,000 records/s on the first run,
>= 5,000/s on the unchanged re-run.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DEALS, ROOT, QueryCounter, database_copy, log, seeded  # noqa: E402

DUMP = ROOT / "tests" / "fixtures" / "ec" / "case-data-AT.json"
TARGETS = {"first": 1000, "unchanged": 5000}


def main() -> None:
    seeded()
    with database_copy("ingest") as url:
        os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="tracker.settings")
        os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
        os.environ["CACHE_REDIS_URL"] = os.environ["REDIS_URL"]  # never an operator's cache
        import django

        django.setup()
        from django.db import connection

        from deals.models import Deal
        from ingest.pipeline import ingest_run

        documents = [DUMP.read_bytes()]
        deals = Deal.objects.count()
        lines = []
        for label in ("first", "unchanged"):
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                began = time.perf_counter()
                run = ingest_run(source="ec", documents=documents, trigger="file")
                seconds = time.perf_counter() - began
            rate = run.records / seconds
            verdict = "met" if rate >= TARGETS[label] else "NOT met"
            lines.append(
                f"| {label} run | {run.records} | {seconds:.1f} | {rate:,.0f} | "
                f"{counter.count / run.records:.1f} | >= {TARGETS[label]:,}/s: {verdict} |"
            )
            log(run.summary_line())
        print(
            f"\nIngest of the EC antitrust dump on PostgreSQL at {deals:,} deals "
            f"(BENCH_DEALS={DEALS}), {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores "
            "(shared):\n"
        )
        print("| run | records | seconds | records/s | queries/record | target |")
        print("|---|---:|---:|---:|---:|---|")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
