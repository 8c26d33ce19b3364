"""The ingest app; when Django starts it checks every source's settings and registers ingest's
answers to the hooks deals offers (`ingest.hooks`)."""

from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "ingest"
    verbose_name = "Ingest"

    def ready(self) -> None:
        from . import hooks
        from .sources import settings_check

        settings_check()  # INGEST_<NAME>_EVERY=abc fails here, at start-up
        hooks.connect()
