"""`manage.py load_demo`: write the demo deals (demo/data.py) to the database, safe to run again."""

from django.core.management.base import BaseCommand

from deals import stats as figures
from demo.data import DEMO
from demo.loader import demo_data_load


class Command(BaseCommand):
    help = (
        "Load the demo deals (real deals, their inquiries and sourced events) into the database. "
        "Safe to run again: nothing is duplicated, and corrected values update their rows."
    )

    def handle(self, *args, **options) -> None:
        summary = demo_data_load(data=DEMO)
        figures.aggregates_rebuild()  # /stats/ sums them: right at once, not after beat's refresh
        self.stdout.write(str(summary))
