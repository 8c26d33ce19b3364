"""Rebuild every search document (after a bulk import that bypassed the models' saves)."""

from django.core.management.base import BaseCommand

from deals.derived import refresh_search
from deals.models import Deal, Inquiry


class Command(BaseCommand):
    help = "Rebuild the search documents of every deal and inquiry."

    def handle(self, *args, **options):
        deal_ids = list(Deal.objects.values_list("pk", flat=True))
        inquiry_ids = list(Inquiry.objects.filter(deal__isnull=True).values_list("pk", flat=True))
        refresh_search(deal_ids=deal_ids, inquiry_ids=inquiry_ids)
        self.stdout.write(f"deals={len(deal_ids)} inquiries={Inquiry.objects.count()}")
