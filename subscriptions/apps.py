"""The subscriptions app: its ready() connects the receivers of signals.py."""

from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "Subscriptions"

    def ready(self) -> None:
        # COMPANY MERGE RECEIVERS: connect them once deals.signals exists (the deals split);
        # until then deals.company_merge moves subscriptions itself. Uncomment both lines:
        # from .signals import connect_company_merge
        # connect_company_merge()
        pass
