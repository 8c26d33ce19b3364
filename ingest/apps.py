"""The ingest app; when Django starts it checks every source's settings, registers ingest's
answers to the hooks deals offers (`ingest.hooks`) and connects its receivers
(`ingest.signals`)."""

from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "ingest"
    verbose_name = "Ingest"

    def ready(self) -> None:
        from . import hooks, signals  # noqa: F401 (signals: its receivers connect on import)
        from .sources import settings_check

        settings_check()  # INGEST_<NAME>_EVERY=abc fails here, at start-up
        hooks.connect()
