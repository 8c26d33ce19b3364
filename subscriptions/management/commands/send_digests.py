from django.core.management.base import BaseCommand, CommandError

from subscriptions.models import Frequency
from subscriptions.services import digest_run


class Command(BaseCommand):
    help = (
        "Send the email digests of one frequency for the current period, as Celery beat does. "
        "Safe to run again: nobody gets the same digest twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--frequency", required=True, choices=Frequency.values)
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be sent; send and store nothing."
        )

    def handle(self, *args, frequency: str, dry_run: bool, verbosity: int, **options):
        def progress(i: int, total: int, subscriber, outcome: str, subject: str) -> None:
            if verbosity >= 1:
                detail = f": {subject}" if subject else ""
                verb = outcome.replace("_", " ")
                self.stdout.write(f"[{i}/{total}] {subscriber.email} {verb}{detail}")

        try:
            summary = digest_run(frequency=frequency, dry_run=dry_run, progress=progress)
        except KeyboardInterrupt as exc:  # what was sent stays sent; a re-run sends the rest
            raise CommandError("Interrupted; run again to send the rest.") from exc
        self.stdout.write(summary.line())
