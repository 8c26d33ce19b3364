"""The demo app: the demo deals and `manage.py load_demo`."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo deals and `manage.py load_demo`; no models of its own."""

    name = "demo"
    verbose_name = "Demo data"
