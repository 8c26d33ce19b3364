"""The bench app: only so that `manage.py seed_bench` is a command; no models."""

from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Installed for `manage.py seed_bench` alone; no models."""

    name = "bench"
    verbose_name = "Benchmarks"
