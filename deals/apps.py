"""The deals app: the domain every other app builds on; ready() connects deals/signals.py."""

from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = "Deals"

    def ready(self) -> None:
        from . import signals

        signals.connect()
