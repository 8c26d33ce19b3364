"""The subscriptions app: its ready() connects the receivers of signals.py."""

from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "Subscriptions"

    def ready(self) -> None:
        from .signals import connect_company_merge

        connect_company_merge()
