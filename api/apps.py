"""The read-only JSON API (/api/v1/): serializers, cursor pages and the OpenAPI schema."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Public API"
