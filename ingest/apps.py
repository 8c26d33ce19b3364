from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "ingest"
    verbose_name = "Ingest"

    def ready(self) -> None:
        from . import hooks
        from .sources import settings_check

        settings_check()  # INGEST_<NAME>_EVERY=abc fails here, at start-up
        hooks.connect()
