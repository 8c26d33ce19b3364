"""`manage.py ingest SOURCE [--from-file PATH]`: run one source's pipeline by hand.

Ends with one summary line, exactly:
    source=ec records=748 new=748 changed=0 unchanged=0 skipped=0 errors=0

`manage.py ingest --list` prints every source with its environment settings and their values.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ingest.pipeline import ingest_run
from ingest.sources import SOURCES, settings_table, source_label
from ingest.sources.base import IngestError


class Command(BaseCommand):
    help = "Fetch a regulator source (or read stored responses) and apply it to the tracker."

    def add_arguments(self, parser):
        parser.add_argument(
            "source", nargs="?", choices=sorted(SOURCES), help="Which source to run."
        )
        parser.add_argument(
            "--list",
            action="store_true",
            help="List the sources and their settings (INGEST_<NAME>_EVERY, …_PAGES) instead.",
        )
        parser.add_argument(
            "--from-file",
            dest="paths",
            action="append",
            metavar="PATH",
            help=(
                "Read a stored response or dump (the shape the source serves) instead of the "
                "network. Repeat to read several as one run."
            ),
        )

    def handle(self, *args, source: str | None, paths: list[str] | None, **options):
        if options["list"]:
            self.list_sources()
            return
        if source is None:
            raise CommandError(f"name a source: {', '.join(sorted(SOURCES))} (or --list)")
        documents = [self.read(path) for path in paths] if paths else None
        show_bar = self.stderr.isatty() and options["verbosity"] > 0

        def progress(records, total):
            return tqdm(records, total=total, desc=source, unit="record", file=self.stderr._out)

        try:
            run = ingest_run(
                source=source,
                documents=documents,
                trigger="file" if paths else "command",
                progress=progress if show_bar else None,
            )
        except IngestError as exc:
            raise CommandError(f"{source}: {exc}. Nothing was changed.") from exc
        for problem in run.problems:
            self.stderr.write(f"{problem['id']}: {problem['reason']}")
        self.stdout.write(run.summary_line())

    def list_sources(self) -> None:
        for name in sorted(SOURCES):
            self.stdout.write(f"{name}: {source_label(name)}")
        for variable, what, value in settings_table():
            self.stdout.write(f"{variable}={value}  # {what}")

    def read(self, path: str) -> bytes:
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file")
        if file.stat().st_size > settings.INGEST_MAX_RESPONSE_BYTES:
            raise CommandError(
                f"{path}: larger than INGEST_MAX_RESPONSE_BYTES "
                f"({settings.INGEST_MAX_RESPONSE_BYTES} bytes); refused"
            )
        return file.read_bytes()
