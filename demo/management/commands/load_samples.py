"""`manage.py load_samples`: ingest the real samples the project ships (demo/samples.py), after
the demo deals, so that a first visit shows every source. Safe to run again.

Prints one line per source, summed over its files: `source=… files=2 records=40 new=22
changed=0 unchanged=18 skipped=0 errors=0`.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.samples import samples_load
from ingest.sources.base import IngestError


class Command(BaseCommand):
    help = (
        "Ingest the real samples listed in tests/fixtures/*/samples.txt (the full list, nothing "
        "synthetic) through the ingest pipeline, after the demo deals. Safe to run again: a "
        "second run finds every record unchanged."
    )

    def handle(self, *args, **options) -> None:
        if not settings.INGEST_PUBLISH_NEW_DEALS:
            self.stderr.write(
                "INGEST_PUBLISH_NEW_DEALS is off: the deals the samples create wait unpublished "
                "in the review queue and the public pages will not show them."
            )
        try:
            samples_load(on_source=lambda summary: self.stdout.write(str(summary)))
        except (IngestError, OSError) as exc:
            raise CommandError(f"a sample could not be loaded: {exc}") from exc
