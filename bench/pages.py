"""Benchmark: how fast the public pages answer with a realistic amount of data.

    make bench                                   # SQLite file in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dealwatch_bench make bench

Builds (once) DEALS deals, each with two parties, three inquiries and six events, then requests
each page ROUNDS times through Django's test client and prints the median and 95th percentile
time and the number of SQL queries. The numbers in the README come from this script.
"""

import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/dealwatch-bench.sqlite3")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from deals.models import (  # noqa: E402
    Company,
    Deal,
    DealType,
    Event,
    EventKind,
    Inquiry,
    Outcome,
    Party,
    PartyRole,
    Regulator,
    Stage,
    normalise_name,
)

DEALS = int(os.environ.get("BENCH_DEALS", "5000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))


def build_data() -> None:
    """Bulk-create the data set; bulk_create skips the per-row status refresh, so refresh once."""
    rng = random.Random(7)
    regulators = list(Regulator.objects.all())
    companies = Company.objects.bulk_create(
        Company(name=f"Company {n}", name_key=normalise_name(f"Company {n}"), slug=f"company-{n}")
        for n in range(DEALS // 2)
    )
    start = datetime.date(2015, 1, 1)
    deals = Deal.objects.bulk_create(
        Deal(
            title=f"Company {n} / Target {n}",
            slug=f"deal-{n}",
            deal_type=rng.choice(DealType.values),
            announced_on=start + datetime.timedelta(days=rng.randrange(4000)),
        )
        for n in range(DEALS)
    )
    Party.objects.bulk_create(
        Party(deal=deal, company=company, role=role)
        for deal in deals
        for company, role in zip(
            rng.sample(companies, 2), (PartyRole.ACQUIRER, PartyRole.TARGET), strict=True
        )
    )
    inquiries = Inquiry.objects.bulk_create(
        Inquiry(
            deal=deal,
            regulator=regulator,
            reference=f"{regulator.short_name}-{deal.pk}",
            stage=rng.choice(Stage.values),
            outcome=rng.choice(["", *Outcome.values]),
            opened_on=deal.announced_on,
            deadline_on=datetime.date.today() + datetime.timedelta(days=rng.randrange(-300, 300)),
        )
        for deal in deals
        for regulator in rng.sample(regulators, 3)
    )
    Event.objects.bulk_create(
        Event(
            inquiry=inquiry,
            occurred_on=inquiry.opened_on + datetime.timedelta(days=k * 20),
            kind=rng.choice(EventKind.values),
            title=f"Event {k} of {inquiry.reference}",
            source_url="https://example.org/",
        )
        for inquiry in inquiries
        for k in range(2)
    )
    for deal in Deal.objects.all():
        deal.refresh_derived_fields()
    call_command("refresh_search")  # bulk_create skips the search documents too


def measure(client: Client, url: str) -> tuple[float, float, int]:
    timings = []
    for _ in range(ROUNDS):
        reset_queries()  # the query log is capped; start each request with an empty one
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(queries)


def main() -> None:
    call_command("migrate", verbosity=0)
    if Deal.objects.count() < DEALS:
        print(f"building {DEALS} deals…", file=sys.stderr)
        with transaction.atomic():
            build_data()
    client = Client()
    slug = Deal.objects.order_by("pk").values_list("slug", flat=True)[DEALS // 2]
    pages = [
        "/deals/",
        "/deals/?q=company+12",
        "/deals/?regulator=cma&status=under_review&type=acquisition",
        "/deals/?jurisdiction=EU&announced_after=2020-01-01&sort=-activity",
        "/deals/?page=100",
        f"/deals/{slug}/",
        "/inquiries/?stage=phase_2",
        "/deadlines/",
        "/regulators/ec/",
    ]
    print(f"database={connection.vendor} deals={Deal.objects.count()} rounds={ROUNDS}")
    print(f"{'page':<70} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for url in pages:
        median, p95, queries = measure(client, url)
        print(f"{url:<70} {median:>10.1f} {p95:>8.1f} {queries:>8}")


if __name__ == "__main__":
    main()
