"""Build the stored /stats/ rows now (deals/stats.py): after an upgrade or a bulk import,
instead of waiting for beat's next refresh (the page computes per request until a first build)."""

import time

from django.core.management.base import BaseCommand

from deals import stats as figures


class Command(BaseCommand):
    help = "Rebuild the stored per-year figures /stats/ sums."

    def handle(self, *args, **options):
        began = time.perf_counter()
        rows = figures.aggregates_rebuild()
        self.stdout.write(f"rebuild_stats: rows={rows} seconds={time.perf_counter() - began:.1f}")
